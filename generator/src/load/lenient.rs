//! Lenient reading: repairs, at the JSON level, breakage in a 3.0-shaped document whose
//! meaning is unambiguous, each with a warning that says what was assumed.
//!
//! The policy: refuse only what has no safe reading. Everything here does have one: a
//! parameter without a schema is a string, a Swagger 2.0-style parameter's type is its
//! schema, malformed examples are ignored (they never change generated code), an OAuth2
//! flow without `scopes` has none, a `style` its location does not allow is that
//! location's default, `:name` path segments are templates, a `{placeholder}` without a
//! declared parameter is a required string, a declared path parameter that the path does
//! not have is dropped, and one whose name matches a placeholder once case and
//! separators are ignored is that placeholder, and an `enum` of scalars on a list is
//! what its items may take, as is a `oneOf`/`anyOf` beside a list's `items` that repeat it,
//! and a scalar `type` that none of the `enum` values has is the values' kind, and a
//! numeric or missing `info.version` is that number's text or unknown. Runs after
//! conversion and bundling, so
//! every `$ref`'d parameter is a local `#/components/parameters/…` one.

use super::structure::METHODS;
use crate::diagnostics::{pointer, Origins};
use serde_json::{json, Map, Value};

/// `info.version` is text: a YAML number (`version: 1.0`, the most common slip in
/// hand-written documents) is read as its text, and a missing one as unknown (the docs
/// then leave it out). Nothing generated depends on it.
fn repair_info_version(document: &mut Value, repairs: &mut Repairs) {
    let Some(info) = document.get_mut("info").and_then(Value::as_object_mut) else { return };
    let text = match info.get("version") {
        Some(Value::Number(number)) => {
            let text = number.to_string();
            let message = format!("`info.version` is the number {text}, not text; read as \"{text}\"");
            repairs.push(("#/info/version".to_owned(), message));
            text
        }
        None => {
            repairs.push(("#/info".to_owned(), "`info` has no `version`; the docs leave it out".to_owned()));
            String::new()
        }
        Some(_) => return,
    };
    info.insert("version".to_owned(), Value::String(text));
}

/// `(JSON pointer, message)` for each repair made.
pub(crate) type Repairs = Vec<(String, String)>;

/// Repairs `document` in place; `origins` learns the paths it renamed.
pub(crate) fn repair(document: &mut Value, origins: &mut Origins) -> Repairs {
    let mut repairs = Vec::new();
    repair_info_version(document, &mut repairs);
    repair_path_templates(document, origins, &mut repairs);
    let shared = document.pointer("/components/parameters").and_then(Value::as_object).cloned().unwrap_or_default();
    if let Some(paths) = document.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            let item_at = pointer("#/paths", path);
            repair_path_parameters(path, item, &item_at, &shared, &mut repairs);
            each_parameter(item, &item_at, &mut |parameter, at| repair_parameter(parameter, at, origins, &mut repairs));
            each_media_type(item, &item_at, &mut |media, at| repair_examples(media, at, &mut repairs));
        }
    }
    super::structure::for_each_schema_object(document, &mut |schema, at| {
        repair_array_enum(schema, at, &mut repairs);
        repair_array_choice(schema, at, &mut repairs);
        repair_enum_kind(schema, at, &mut repairs);
    });
    if let Some(components) = document.get_mut("components").and_then(Value::as_object_mut) {
        if let Some(parameters) = components.get_mut("parameters").and_then(Value::as_object_mut) {
            for (name, parameter) in parameters.iter_mut() {
                repair_parameter(parameter, &pointer("#/components/parameters", name), origins, &mut repairs);
            }
        }
        if let Some(schemes) = components.get_mut("securitySchemes").and_then(Value::as_object_mut) {
            for (name, scheme) in schemes.iter_mut() {
                repair_oauth_scopes(scheme, &pointer("#/components/securitySchemes", name), &mut repairs);
            }
        }
    }
    repairs
}

/// `/organizations/:organizationId` → `/organizations/{organizationId}`, and `users` →
/// `/users`: the typed model drops a path that does not start with `/` without a word.
fn repair_path_templates(document: &mut Value, origins: &mut Origins, repairs: &mut Repairs) {
    let Some(paths) = document.get_mut("paths").and_then(Value::as_object_mut) else { return };
    let renamed: Vec<(String, String, &str)> = paths
        .keys()
        .filter(|path| !path.starts_with("x-"))
        .filter_map(|path| {
            let rooted = match path.starts_with('/') {
                true => path.clone(),
                false => format!("/{path}"),
            };
            let templated: Vec<String> = rooted
                .split('/')
                .map(|segment| match segment.strip_prefix(':') {
                    Some(name) if !name.is_empty() => format!("{{{name}}}"),
                    _ => segment.to_owned(),
                })
                .collect();
            let templated = templated.join("/");
            let problem = match (rooted == templated, rooted == *path) {
                (true, true) => return None,
                (true, false) => "does not start with `/`",
                (false, true) => "writes parameters as `:name`",
                (false, false) => "does not start with `/` and writes parameters as `:name`",
            };
            (!paths.contains_key(&templated)).then(|| (path.clone(), templated, problem))
        })
        .collect();
    for (old, new, problem) in renamed {
        // Keep the document's order: rebuild the map with the one key changed.
        let entries = std::mem::take(paths);
        *paths = entries
            .into_iter()
            .map(|(key, value)| if key == old { (new.clone(), value) } else { (key, value) })
            .collect();
        let old_at = pointer("#/paths", &old);
        origins.add(&pointer("#/paths", &new), old_at.clone());
        repairs.push((old_at, format!("path `{old}` {problem}; read as `{new}`")));
    }
}

/// The names in `{…}` of a path template.
fn placeholders(path: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else { break };
        names.push(rest[open + 1..open + close].to_owned());
        rest = &rest[open + close + 1..];
    }
    names
}

/// A name with case and separators ignored: `Organization ID` and `organization_id` and
/// `organizationId` are one.
fn normalized(name: &str) -> String {
    name.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect()
}

/// Path parameters against the path's placeholders, for the path item and each operation.
fn repair_path_parameters(
    path: &str,
    item: &mut Value,
    item_at: &str,
    shared: &Map<String, Value>,
    repairs: &mut Repairs,
) {
    let wanted = placeholders(path);
    let Some(item) = item.as_object_mut() else { return };
    if item.contains_key("$ref") {
        return;
    }
    // What the path item itself declares counts for every operation.
    let item_declared = declared_path_names(item.get("parameters"), shared);
    for method in METHODS {
        let Some(operation) = item.get(*method).filter(|operation| operation.is_object()) else { continue };
        let operation_at = pointer(item_at, method);
        let mut declared = item_declared.clone();
        declared.extend(declared_path_names(operation.get("parameters"), shared));
        let Some(operation) = item.get_mut(*method).and_then(Value::as_object_mut) else { continue };
        let parameters = operation.entry("parameters").or_insert_with(|| json!([]));
        let Some(parameters) = parameters.as_array_mut() else { continue };
        // Declared, inline, but not in the path: matched after normalizing, or dropped.
        let mut kept = Vec::new();
        for (index, mut parameter) in std::mem::take(parameters).into_iter().enumerate() {
            let at = pointer(&pointer(&operation_at, "parameters"), &index.to_string());
            let inline_path_name = match (parameter.get("in").and_then(Value::as_str), parameter.get("name")) {
                (Some("path"), Some(Value::String(name))) if parameter.get("$ref").is_none() => Some(name.clone()),
                _ => None,
            };
            if let Some(name) = inline_path_name.filter(|name| !wanted.contains(name)) {
                match wanted.iter().find(|placeholder| normalized(placeholder) == normalized(&name)) {
                    Some(placeholder) if !declared.contains(placeholder) => {
                        repairs.push((
                            pointer(&at, "name"),
                            format!("path parameter `{name}` matches `{{{placeholder}}}` in the path once case and separators are ignored; read as `{placeholder}`"),
                        ));
                        parameter["name"] = json!(placeholder);
                        declared.push(placeholder.clone());
                    }
                    _ => {
                        repairs.push((at, format!("path parameter `{name}` is not in the path `{path}`; left out")));
                        continue;
                    }
                }
            }
            kept.push(parameter);
        }
        *parameters = kept;
        for placeholder in &wanted {
            if declared.contains(placeholder) {
                continue;
            }
            repairs.push((
                operation_at.clone(),
                format!("the path has `{{{placeholder}}}` but declares no path parameter `{placeholder}`; read as a required string"),
            ));
            parameters.push(json!({"name": placeholder, "in": "path", "required": true, "schema": {"type": "string"}}));
            declared.push(placeholder.clone());
        }
    }
}

/// The names of the path parameters a `parameters` list declares (following local
/// `#/components/parameters` references).
fn declared_path_names(parameters: Option<&Value>, shared: &Map<String, Value>) -> Vec<String> {
    let resolve = |parameter: &Value| -> Option<Value> {
        match parameter.get("$ref").and_then(Value::as_str) {
            Some(reference) => {
                let name = reference.strip_prefix("#/components/parameters/")?;
                shared.get(&name.replace("~1", "/").replace("~0", "~")).cloned()
            }
            None => Some(parameter.clone()),
        }
    };
    parameters
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(resolve)
        .filter(|parameter| parameter.get("in").and_then(Value::as_str) == Some("path"))
        .filter_map(|parameter| parameter.get("name").and_then(Value::as_str).map(str::to_owned))
        .collect()
}

fn each_parameter(item: &mut Value, item_at: &str, visit: &mut dyn FnMut(&mut Value, &str)) {
    let mut in_list = |owner: &mut Value, owner_at: &str| {
        if let Some(parameters) = owner.get_mut("parameters").and_then(Value::as_array_mut) {
            for (index, parameter) in parameters.iter_mut().enumerate() {
                visit(parameter, &pointer(&pointer(owner_at, "parameters"), &index.to_string()));
            }
        }
    };
    in_list(item, item_at);
    for method in METHODS {
        if let Some(operation) = item.get_mut(*method) {
            in_list(operation, &pointer(item_at, method));
        }
    }
}

/// Every media type object of an operation's bodies, responses and parameters.
fn each_media_type(item: &mut Value, item_at: &str, visit: &mut dyn FnMut(&mut Map<String, Value>, &str)) {
    let mut in_content = |owner: &mut Value, owner_at: &str| {
        if let Some(content) = owner.get_mut("content").and_then(Value::as_object_mut) {
            for (media, object) in content.iter_mut() {
                if let Some(object) = object.as_object_mut() {
                    visit(object, &pointer(&pointer(owner_at, "content"), media));
                }
            }
        }
    };
    for method in METHODS {
        let Some(operation) = item.get_mut(*method) else { continue };
        let at = pointer(item_at, method);
        if let Some(body) = operation.get_mut("requestBody") {
            in_content(body, &pointer(&at, "requestBody"));
        }
        if let Some(responses) = operation.get_mut("responses").and_then(Value::as_object_mut) {
            for (status, response) in responses.iter_mut() {
                in_content(response, &pointer(&pointer(&at, "responses"), status));
            }
        }
        if let Some(parameters) = operation.get_mut("parameters").and_then(Value::as_array_mut) {
            for (index, parameter) in parameters.iter_mut().enumerate() {
                in_content(parameter, &pointer(&pointer(&at, "parameters"), &index.to_string()));
            }
        }
    }
}

/// The keywords a Swagger 2.0 parameter carries itself and a 3.0 one keeps in `schema`.
const SCHEMA_KEYWORDS: &[&str] = &[
    "type",
    "format",
    "items",
    "enum",
    "default",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "uniqueItems",
    "multipleOf",
    "nullable",
];

/// The styles each location allows, the first being its default.
fn allowed_styles(location: &str) -> &'static [&'static str] {
    match location {
        "path" => &["simple", "label", "matrix"],
        "query" => &["form", "spaceDelimited", "pipeDelimited", "deepObject"],
        "header" => &["simple"],
        "cookie" => &["form"],
        _ => &[],
    }
}

fn repair_parameter(parameter: &mut Value, at: &str, origins: &mut Origins, repairs: &mut Repairs) {
    let Some(object) = parameter.as_object_mut() else { return };
    if object.contains_key("$ref") {
        return;
    }
    let name = object.get("name").and_then(Value::as_str).unwrap_or("?").to_owned();
    let location = object.get("in").and_then(Value::as_str).unwrap_or("?").to_owned();
    if !object.contains_key("schema") && !object.contains_key("content") {
        let moved: Map<String, Value> = SCHEMA_KEYWORDS
            .iter()
            .filter_map(|key| object.shift_remove(*key).map(|value| ((*key).to_owned(), value)))
            .collect();
        if moved.is_empty() {
            repairs.push((
                at.to_owned(),
                format!("parameter `{name}` ({location}) has neither `schema` nor `content`; treating it as a string"),
            ));
            object.insert("schema".to_owned(), json!({"type": "string"}));
        } else {
            for key in moved.keys() {
                origins.add(&pointer(&pointer(at, "schema"), key), pointer(at, key));
            }
            let keys: Vec<String> = moved.keys().map(|key| format!("`{key}`")).collect();
            repairs.push((
                at.to_owned(),
                format!(
                    "parameter `{name}` ({location}) gives {} on the parameter itself, as Swagger 2.0 does; read as its `schema`",
                    keys.join(", ")
                ),
            ));
            object.insert("schema".to_owned(), Value::Object(moved));
        }
    }
    let allowed = allowed_styles(&location);
    if let Some(style) = object.get("style").and_then(Value::as_str).map(str::to_owned) {
        if !allowed.is_empty() && !allowed.contains(&style.as_str()) {
            repairs.push((
                pointer(at, "style"),
                format!(
                    "parameter `{name}` ({location}) has `style: {style}`, which {location} parameters cannot have; using the default, `{}`",
                    allowed[0]
                ),
            ));
            object.shift_remove("style");
        }
    }
    if object.get("examples").is_some_and(|examples| !examples.is_object()) {
        repairs.push((pointer(at, "examples"), malformed_examples()));
        object.shift_remove("examples");
    }
}

fn malformed_examples() -> String {
    "`examples` must map names to example objects; ignored (examples never change the generated code)".to_owned()
}

fn repair_examples(media: &mut Map<String, Value>, at: &str, repairs: &mut Repairs) {
    let malformed = match media.get("examples") {
        Some(Value::Object(examples)) => examples.values().any(|example| !example.is_object()),
        Some(_) => true,
        None => false,
    };
    if malformed {
        repairs.push((pointer(at, "examples"), malformed_examples()));
        media.shift_remove("examples");
    }
}

/// `type: array` with an `enum` of scalars (Zoom's webhook `events`): no list equals a
/// string, so the values are meant for the items, as the spec's descriptions say.
fn repair_array_enum(schema: &mut Map<String, Value>, at: &str, repairs: &mut Repairs) {
    if schema.get("type").and_then(Value::as_str) != Some("array") {
        return;
    }
    let scalars =
        |values: &Vec<Value>| !values.is_empty() && values.iter().all(|value| !value.is_array() && !value.is_object());
    if !schema.get("enum").and_then(Value::as_array).is_some_and(scalars) {
        return;
    }
    let Some(Value::Object(items)) = schema.get("items") else { return };
    let scalar_items =
        matches!(items.get("type").and_then(Value::as_str), Some("string" | "integer" | "number" | "boolean"));
    if !scalar_items || items.contains_key("enum") || items.contains_key("$ref") {
        return;
    }
    let Some(values) = schema.shift_remove("enum") else { return };
    // The descriptions of the values go with them.
    let descriptions = schema.shift_remove("x-enum-descriptions");
    let names = schema.shift_remove("x-enum-varnames");
    if let Some(Value::Object(items)) = schema.get_mut("items") {
        items.insert("enum".to_owned(), values);
        items.extend(descriptions.map(|descriptions| ("x-enum-descriptions".to_owned(), descriptions)));
        items.extend(names.map(|names| ("x-enum-varnames".to_owned(), names)));
    }
    repairs.push((
        pointer(at, "enum"),
        "an `enum` of single values on a list; read as the values its items may take".to_owned(),
    ));
}

/// A scalar `type` that none of the `enum` values has (Square's inventory adjustments:
/// `type: number, enum: [SALE, …]`): no value could be both, and the values are what
/// the API takes, so the type is theirs, when they are all of one kind.
fn repair_enum_kind(schema: &mut Map<String, Value>, at: &str, repairs: &mut Repairs) {
    let Some(declared) = schema.get("type").and_then(Value::as_str) else { return };
    let Some(values) = schema.get("enum").and_then(Value::as_array) else { return };
    let whole = |value: &Value| value.is_i64() || value.is_u64() || value.as_f64().is_some_and(|n| n.fract() == 0.0);
    let admits = |value: &Value| match declared {
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "number" => value.is_number(),
        "integer" => whole(value),
        _ => true,
    };
    let values: Vec<&Value> = values.iter().filter(|value| !value.is_null()).collect();
    if values.is_empty() || values.iter().any(|value| admits(value)) {
        return;
    }
    let kind = if values.iter().all(|value| value.is_string()) {
        "string"
    } else if values.iter().all(|value| value.is_boolean()) {
        "boolean"
    } else if values.iter().all(|value| whole(value)) {
        "integer"
    } else if values.iter().all(|value| value.is_number()) {
        "number"
    } else {
        return;
    };
    repairs.push((
        pointer(at, "type"),
        format!("`type: {declared}`, but every `enum` value is of `type: {kind}`; read as `type: {kind}`"),
    ));
    schema.insert("type".to_owned(), Value::from(kind));
}

/// `type: array` with a `oneOf`/`anyOf` beside its `items` that the items repeat
/// (Cloudflare's zone lockdown `configurations`): the choice is the items', as the
/// description says ("a list of IP addresses or CIDR ranges"); a list is no object.
fn repair_array_choice(schema: &mut Map<String, Value>, at: &str, repairs: &mut Repairs) {
    if schema.get("type").and_then(Value::as_str) != Some("array") {
        return;
    }
    for keyword in ["oneOf", "anyOf"] {
        let Some(choice) = schema.get(keyword) else { continue };
        if schema.get("items").and_then(|items| items.get(keyword)) != Some(choice) {
            continue;
        }
        schema.shift_remove(keyword);
        repairs.push((
            pointer(at, keyword),
            format!("a `{keyword}` beside `type: array` that its `items` repeat; read as the items' choice"),
        ));
    }
}

fn repair_oauth_scopes(scheme: &mut Value, at: &str, repairs: &mut Repairs) {
    if scheme.get("type").and_then(Value::as_str) != Some("oauth2") {
        return;
    }
    let Some(flows) = scheme.get_mut("flows").and_then(Value::as_object_mut) else { return };
    for (flow, object) in flows.iter_mut() {
        let Some(object) = object.as_object_mut() else { continue };
        if !object.contains_key("scopes") {
            repairs.push((
                pointer(&pointer(at, "flows"), flow),
                format!("OAuth2 flow `{flow}` lists no `scopes`; read as having none"),
            ));
            object.insert("scopes".to_owned(), json!({}));
        }
    }
}
