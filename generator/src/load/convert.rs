//! Normalization: rewrites Swagger 2.0 and OpenAPI 3.1 documents into OpenAPI 3.0.3.
//!
//! `openapiv3` models 3.0 only, so other versions are converted at the `serde_json::Value`
//! level before typed parsing; everything after this pass sees one version, and every
//! input reaches the same IR. The Swagger mapping follows swagger2openapi; the 3.1 one
//! undoes what JSON Schema 2020-12 changed in schemas and drops what a client cannot use
//! (webhooks). Problems name the place in the document as its author wrote it.

use super::structure::{for_each_schema, METHODS};
use crate::diagnostics::{pointer, unescape_token, Origins};
use serde_json::Value;

/// What the document was before normalization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SourceVersion {
    OpenApi30,
    OpenApi31,
    Swagger20,
}

/// `(JSON pointer, message)` for each problem that makes conversion impossible.
type Problems = Vec<(String, String)>;

const TARGET_VERSION: &str = "3.0.3";

/// Rewrites `document` in place into OpenAPI 3.0.3; 3.0.x documents are left as they are.
/// `moved` learns where moved parts came from, so later problems name the 2.0 places;
/// `wrapped`, applied before it, where a `$ref` with siblings went when it was wrapped
/// in `allOf` (`…/allOf/0/$ref` was `…/$ref`).
pub(crate) fn normalize(
    document: &mut Value,
    moved: &mut Origins,
    wrapped: &mut Origins,
) -> Result<SourceVersion, Problems> {
    let source = detect_version(document)?;
    match source {
        SourceVersion::OpenApi30 => {}
        SourceVersion::OpenApi31 => openapi31::convert(document, wrapped)?,
        SourceVersion::Swagger20 => {
            swagger::record_origins(document, moved);
            swagger::convert(document, wrapped)?
        }
    }
    explicit_encoding_explode(document);
    Ok(source)
}

/// The typed model reads a missing `explode` of a body's `encoding` entry as `false`,
/// but OpenAPI's default is `true` for `style: form` (the default style): say it outright.
fn explicit_encoding_explode(document: &mut Value) {
    fn body(body: &mut Value) {
        let Some(content) = body.get_mut("content").and_then(Value::as_object_mut) else { return };
        for media in content.values_mut() {
            let Some(encoding) = media.get_mut("encoding").and_then(Value::as_object_mut) else { continue };
            for entry in encoding.values_mut().filter_map(Value::as_object_mut) {
                if !entry.contains_key("explode") {
                    let form = entry.get("style").is_none_or(|style| style == "form");
                    entry.insert("explode".to_owned(), Value::Bool(form));
                }
            }
        }
    }
    if let Some(paths) = document.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut().filter_map(Value::as_object_mut) {
            for method in METHODS {
                if let Some(request_body) = item.get_mut(*method).and_then(|operation| operation.get_mut("requestBody"))
                {
                    body(request_body);
                }
            }
        }
    }
    let bodies = document.pointer_mut("/components/requestBodies").and_then(Value::as_object_mut);
    for request_body in bodies.into_iter().flat_map(|bodies| bodies.values_mut()) {
        body(request_body);
    }
}

fn detect_version(document: &Value) -> Result<SourceVersion, Problems> {
    let refuse = |at: &str, message: String| Err(vec![(at.to_owned(), message)]);
    let Some(root) = document.as_object() else {
        return refuse("#", "the document is not an object: expected an OpenAPI or Swagger document".to_owned());
    };
    if let Some(declared) = root.get("openapi") {
        return match version_text(declared) {
            Some(version) if in_family(&version, "3.0") => Ok(SourceVersion::OpenApi30),
            Some(version) if in_family(&version, "3.1") => Ok(SourceVersion::OpenApi31),
            Some(version) => refuse(
                "#/openapi",
                format!("OpenAPI {version} is not supported: expected 3.0.x or 3.1.x (or Swagger 2.0)"),
            ),
            None => refuse("#/openapi", "`openapi` must be a version string such as \"3.0.3\"".to_owned()),
        };
    }
    if let Some(declared) = root.get("swagger") {
        return match version_text(declared) {
            Some(version) if version == "2.0" => Ok(SourceVersion::Swagger20),
            Some(version) => refuse(
                "#/swagger",
                format!("Swagger {version} is not supported: expected 2.0 (or OpenAPI 3.0.x or 3.1.x)"),
            ),
            None => refuse("#/swagger", "`swagger` must be the version string \"2.0\"".to_owned()),
        };
    }
    refuse("#/openapi", "missing `openapi` (or `swagger`): this is not an OpenAPI or Swagger document".to_owned())
}

fn version_text(declared: &Value) -> Option<String> {
    match declared {
        Value::String(text) => Some(text.trim().to_owned()),
        // An unquoted YAML `2.0` arrives as a number.
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

/// `3.0` and `3.0.3` are in family `3.0`; `3.01` is not.
fn in_family(version: &str, family: &str) -> bool {
    version.strip_prefix(family).is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
}

fn into_result(problems: Problems) -> Result<(), Problems> {
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

// ---------------------------------------------------------------------------------------
// Swagger 2.0
// ---------------------------------------------------------------------------------------

mod swagger {
    use super::{for_each_schema, into_result, pointer, unescape_token, Origins, Problems, METHODS, TARGET_VERSION};
    use crate::load::structure::essence;
    use serde_json::{json, Map, Value};

    const JSON: &str = "application/json";
    const FORM: &str = "application/x-www-form-urlencoded";
    const MULTIPART: &str = "multipart/form-data";

    /// The keywords of a non-body parameter, header or items object that describe its
    /// value, and so move into a schema.
    const SCHEMA_KEYWORDS: &[&str] = &[
        "type",
        "format",
        "items",
        "default",
        "maximum",
        "exclusiveMaximum",
        "minimum",
        "exclusiveMinimum",
        "maxLength",
        "minLength",
        "pattern",
        "maxItems",
        "minItems",
        "uniqueItems",
        "enum",
        "multipleOf",
        "x-nullable",
    ];

    /// Top-level fields that 3.0 has elsewhere (or not at all).
    const REPLACED: &[&str] = &["swagger", "host", "basePath", "schemes", "consumes", "produces"];

    /// What operations inherit from, or refer to in, the whole document.
    struct Context {
        consumes: Vec<String>,
        produces: Vec<String>,
        /// The top-level `parameters` as written: what a `$ref` to one is decides where it goes.
        parameters: Map<String, Value>,
    }

    impl Context {
        /// The top-level parameter that `parameter` refers to, or `parameter` itself.
        fn resolve<'v>(&'v self, parameter: &'v Value) -> &'v Value {
            parameter.get("$ref").and_then(Value::as_str).and_then(|target| self.shared(target)).unwrap_or(parameter)
        }

        fn shared(&self, target: &str) -> Option<&Value> {
            let name = target.strip_prefix("#/parameters/").filter(|name| !name.contains('/'))?;
            self.parameters.get(&unescape_token(name))
        }
    }

    fn location(parameter: &Value) -> Option<&str> {
        parameter.get("in").and_then(Value::as_str)
    }

    fn is_ref(value: &Value) -> bool {
        value.get("$ref").is_some()
    }

    /// Where 3.0 places of the converted document were in the 2.0 one: bodies and form
    /// fields come from parameters, response schemas lose their `content` level, and the
    /// shared sections move under `components`.
    pub(super) fn record_origins(document: &Value, origins: &mut Origins) {
        let paths = document.get("paths").and_then(Value::as_object).into_iter().flatten();
        for (path, item) in paths {
            let item_at = pointer("#/paths", path);
            let owners = std::iter::once((item_at.clone(), item))
                .chain(METHODS.iter().filter_map(|method| Some((pointer(&item_at, method), item.get(*method)?))));
            for (at, owner) in owners {
                let Some(Value::Array(parameters)) = owner.get("parameters") else { continue };
                // Body and form parameters leave the list: the others move up, and their
                // type keywords move into a `schema`.
                let mut kept = 0;
                for (index, parameter) in parameters.iter().enumerate() {
                    let target = match parameter.get("$ref").and_then(Value::as_str) {
                        Some(reference) => reference
                            .strip_prefix("#/parameters/")
                            .and_then(|name| document.get("parameters")?.get(unescape_token(name))),
                        None => Some(parameter),
                    };
                    let Some(target) = target else { continue };
                    let original = pointer(&pointer(&at, "parameters"), &index.to_string());
                    match location(target) {
                        Some("body") => {
                            origins
                                .add(&format!("{at}/requestBody/content/{{0}}/schema"), format!("{original}/schema"));
                            origins.add(&format!("{at}/requestBody"), original);
                        }
                        Some("formData") => {
                            let name = target.get("name").and_then(Value::as_str).unwrap_or_default();
                            let property = pointer(&format!("{at}/requestBody/content/{{0}}/schema/properties"), name);
                            origins.add(&property, original);
                        }
                        _ => {
                            let converted = pointer(&pointer(&at, "parameters"), &kept.to_string());
                            origins.add(&pointer(&converted, "schema"), original.clone());
                            origins.add(&converted, original);
                            kept += 1;
                        }
                    }
                }
            }
        }
        origins.add("#/paths/{0}/{1}/responses/{2}/content/{3}/schema", "#/paths/{0}/{1}/responses/{2}/schema");
        origins.add("#/paths/{0}/{1}/responses/{2}/headers/{3}/schema", "#/paths/{0}/{1}/responses/{2}/headers/{3}");
        origins.add("#/components/responses/{0}/headers/{1}/schema", "#/responses/{0}/headers/{1}");
        origins.add("#/components/parameters/{0}/schema", "#/parameters/{0}");
        origins.add("#/components/requestBodies/{0}/content/{1}/schema", "#/parameters/{0}/schema");
        origins.add("#/components/requestBodies/{0}", "#/parameters/{0}");
        origins.add("#/components/responses/{0}/content/{1}/schema", "#/responses/{0}/schema");
        origins.add("#/components/schemas", "#/definitions");
        origins.add("#/components/parameters", "#/parameters");
        origins.add("#/components/responses", "#/responses");
        origins.add("#/components/securitySchemes", "#/securityDefinitions");
    }

    pub(super) fn convert(document: &mut Value, wrapped: &mut Origins) -> Result<(), Problems> {
        let Some(mut old) = document.as_object_mut().map(std::mem::take) else { return Ok(()) };
        let mut problems = Vec::new();
        let context = Context {
            consumes: media_types(old.get("consumes")).unwrap_or_else(|| vec![JSON.to_owned()]),
            produces: media_types(old.get("produces")).unwrap_or_else(|| vec![JSON.to_owned()]),
            parameters: match old.shift_remove("parameters") {
                Some(Value::Object(parameters)) => parameters,
                _ => Map::new(),
            },
        };
        let mut servers = servers_from(&old);
        let components = take_components(&mut old, &context, &mut problems);

        let mut root = Map::new();
        root.insert("openapi".to_owned(), json!(TARGET_VERSION));
        for (key, value) in old {
            if REPLACED.contains(&key.as_str()) {
                continue;
            }
            let is_info = key == "info";
            let value = if key == "paths" { convert_paths(value, &context, &mut problems) } else { value };
            root.insert(key, value);
            if is_info {
                if let Some(servers) = servers.take() {
                    root.insert("servers".to_owned(), servers);
                }
            }
        }
        if let Some(servers) = servers {
            root.insert("servers".to_owned(), servers);
        }
        root.entry("paths").or_insert_with(|| json!({}));
        if !components.is_empty() {
            root.insert("components".to_owned(), Value::Object(components));
        }
        *document = Value::Object(root);
        rewrite_refs(document, &context);
        for_each_schema(document, &mut |schema, at| fix_schema(schema, at, &mut problems, wrapped));
        into_result(problems)
    }

    /// `consumes`/`produces`; an empty list says nothing, so the inherited one applies.
    fn media_types(declared: Option<&Value>) -> Option<Vec<String>> {
        let listed: Vec<String> = declared?.as_array()?.iter().filter_map(Value::as_str).map(str::to_owned).collect();
        (!listed.is_empty()).then_some(listed)
    }

    fn servers_from(root: &Map<String, Value>) -> Option<Value> {
        let base_path = root.get("basePath").and_then(Value::as_str).unwrap_or("").trim_end_matches('/');
        let base_path = match base_path {
            "" => String::new(),
            path if path.starts_with('/') => path.to_owned(),
            path => format!("/{path}"),
        };
        let Some(host) = root.get("host").and_then(Value::as_str) else {
            // A relative server: the client resolves it against where the document came from.
            return (!base_path.is_empty()).then(|| json!([{ "url": base_path }]));
        };
        let mut schemes: Vec<&str> =
            root.get("schemes").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
        if schemes.is_empty() {
            schemes.push("https");
        }
        Some(schemes.iter().map(|scheme| json!({ "url": format!("{scheme}://{host}{base_path}") })).collect())
    }

    /// Takes `definitions`, the shared parameters, `responses` and `securityDefinitions`
    /// out of `old` into 3.0 components.
    fn take_components(old: &mut Map<String, Value>, context: &Context, problems: &mut Problems) -> Map<String, Value> {
        let mut components = Map::new();
        if let Some(definitions) = old.shift_remove("definitions") {
            components.insert("schemas".to_owned(), definitions);
        }
        let mut parameters = Map::new();
        let mut bodies = Map::new();
        for (name, parameter) in &context.parameters {
            let at = pointer("#/parameters", name);
            match location(parameter) {
                Some("body") => {
                    bodies.insert(name.clone(), body_request(parameter, &context.consumes, &at, problems));
                }
                // A form field only exists inside a request body: each operation inlines it there.
                Some("formData") => {}
                _ => {
                    parameters.insert(name.clone(), simple_parameter(parameter.clone(), &at, problems));
                }
            }
        }
        for (key, section) in [("parameters", parameters), ("requestBodies", bodies)] {
            if !section.is_empty() {
                components.insert(key.to_owned(), Value::Object(section));
            }
        }
        if let Some(mut responses) = old.shift_remove("responses") {
            entries_mut(&mut responses, |response| convert_response(response, &context.produces));
            components.insert("responses".to_owned(), responses);
        }
        if let Some(Value::Object(schemes)) = old.shift_remove("securityDefinitions") {
            let schemes = schemes
                .into_iter()
                .map(|(name, scheme)| {
                    let converted = security_scheme(&scheme, &pointer("#/securityDefinitions", &name), problems);
                    (name, converted)
                })
                .collect();
            components.insert("securitySchemes".to_owned(), Value::Object(schemes));
        }
        components
    }

    fn entries_mut(value: &mut Value, mut f: impl FnMut(&mut Value)) {
        if let Some(members) = value.as_object_mut() {
            members.values_mut().for_each(&mut f);
        }
    }

    fn convert_paths(mut paths: Value, context: &Context, problems: &mut Problems) -> Value {
        if let Some(items) = paths.as_object_mut() {
            for (path, item) in items.iter_mut() {
                if let Some(item) = item.as_object_mut() {
                    path_item(item, &pointer("#/paths", path), context, problems);
                }
            }
        }
        paths
    }

    fn path_item(item: &mut Map<String, Value>, at: &str, context: &Context, problems: &mut Problems) {
        // 3.0 path items have no request body, so each operation takes over the path's
        // body and form parameters.
        let mut inherited = Vec::new();
        if let Some(Value::Array(parameters)) = item.get_mut("parameters") {
            let mut kept = Vec::new();
            for (index, parameter) in std::mem::take(parameters).into_iter().enumerate() {
                let parameter_at = pointer(&pointer(at, "parameters"), &index.to_string());
                match location(context.resolve(&parameter)) {
                    Some("body" | "formData") => inherited.push((parameter, parameter_at)),
                    _ if is_ref(&parameter) => kept.push(parameter),
                    _ => kept.push(simple_parameter(parameter, &parameter_at, problems)),
                }
            }
            *parameters = kept;
        }
        if item.get("parameters").and_then(Value::as_array).is_some_and(Vec::is_empty) {
            item.shift_remove("parameters");
        }
        for method in METHODS {
            if let Some(Value::Object(operation)) = item.get_mut(*method) {
                convert_operation(operation, &inherited, context, &pointer(at, method), problems);
            }
        }
    }

    fn convert_operation(
        operation: &mut Map<String, Value>,
        inherited: &[(Value, String)],
        context: &Context,
        at: &str,
        problems: &mut Problems,
    ) {
        let consumes =
            media_types(operation.shift_remove("consumes").as_ref()).unwrap_or_else(|| context.consumes.clone());
        let produces =
            media_types(operation.shift_remove("produces").as_ref()).unwrap_or_else(|| context.produces.clone());
        // Per-operation schemes would be per-operation servers; a client uses the document's.
        operation.shift_remove("schemes");

        let own: Vec<(Value, String)> = match operation.get_mut("parameters") {
            Some(Value::Array(parameters)) => std::mem::take(parameters)
                .into_iter()
                .enumerate()
                .map(|(index, parameter)| (parameter, pointer(&pointer(at, "parameters"), &index.to_string())))
                .collect(),
            _ => Vec::new(),
        };
        let parameters = with_inherited(inherited, own, context);
        let (kept, body) = sort_parameters(parameters, &consumes, context, problems);
        if kept.is_empty() {
            operation.shift_remove("parameters");
        } else {
            operation.insert("parameters".to_owned(), Value::Array(kept));
        }
        if let Some(body) = body {
            operation.insert("requestBody".to_owned(), body);
        }
        if let Some(responses) = operation.get_mut("responses").and_then(Value::as_object_mut) {
            for (status, response) in responses.iter_mut() {
                if !status.starts_with("x-") {
                    convert_response(response, &produces);
                }
            }
        }
    }

    /// The path's body and form parameters that the operation does not redeclare, then its own.
    fn with_inherited(
        inherited: &[(Value, String)],
        own: Vec<(Value, String)>,
        context: &Context,
    ) -> Vec<(Value, String)> {
        let same_slot = |a: &Value, b: &Value| {
            let (a, b) = (context.resolve(a), context.resolve(b));
            // There is one body, whatever its name.
            location(a) == location(b) && (location(a) == Some("body") || a.get("name") == b.get("name"))
        };
        let mut parameters: Vec<(Value, String)> = inherited
            .iter()
            .filter(|(parameter, _)| !own.iter().any(|(mine, _)| same_slot(parameter, mine)))
            .cloned()
            .collect();
        parameters.extend(own);
        parameters
    }

    /// Splits parameters into those that stay parameters and the request body that the
    /// body or form parameters become.
    fn sort_parameters(
        parameters: Vec<(Value, String)>,
        consumes: &[String],
        context: &Context,
        problems: &mut Problems,
    ) -> (Vec<Value>, Option<Value>) {
        let mut kept = Vec::new();
        let mut body: Option<Value> = None;
        let mut form = Vec::new();
        for (parameter, at) in parameters {
            let target = context.resolve(&parameter);
            match location(target) {
                Some("body") if body.is_some() => {
                    problems.push((at, "an operation can have only one body parameter".to_owned()));
                }
                // A `$ref` keeps pointing at the shared body, which becomes a shared request body.
                Some("body") if is_ref(&parameter) => body = Some(parameter),
                Some("body") => body = Some(body_request(&parameter, consumes, &at, problems)),
                Some("formData") => form.push((target.clone(), at)),
                _ if is_ref(&parameter) => kept.push(parameter),
                _ => kept.push(simple_parameter(parameter, &at, problems)),
            }
        }
        match form.first() {
            Some((_, at)) if body.is_some() => {
                problems.push((at.clone(), "an operation cannot have both body and formData parameters".to_owned()));
            }
            Some(_) => body = Some(form_request(form, consumes, problems)),
            None => {}
        }
        (kept, body)
    }

    fn body_request(parameter: &Value, consumes: &[String], at: &str, problems: &mut Problems) -> Value {
        let Some(schema) = parameter.get("schema") else {
            problems.push((at.to_owned(), "a body parameter needs a `schema`".to_owned()));
            return json!({});
        };
        let mut body = Map::new();
        if let Some(description) = parameter.get("description") {
            body.insert("description".to_owned(), description.clone());
        }
        body.insert("content".to_owned(), content(schema, consumes));
        if parameter.get("required") == Some(&Value::Bool(true)) {
            body.insert("required".to_owned(), Value::Bool(true));
        }
        copy_extensions(parameter, &mut body);
        Value::Object(body)
    }

    /// All of an operation's form fields become one object schema.
    fn form_request(fields: Vec<(Value, String)>, consumes: &[String], problems: &mut Problems) -> Value {
        let multipart = consumes.iter().any(|media| essence(media) == MULTIPART)
            || fields.iter().any(|(field, _)| field.get("type").and_then(Value::as_str) == Some("file"));
        let mut properties = Map::new();
        let mut required = Vec::new();
        for (field, at) in fields {
            let Some(name) = field.get("name").and_then(Value::as_str) else {
                problems.push((at, "a formData parameter needs a `name`".to_owned()));
                continue;
            };
            if field.get("required") == Some(&Value::Bool(true)) {
                required.push(json!(name));
            }
            let mut schema = match field.as_object() {
                Some(field) => take_schema(&mut field.clone()),
                None => Map::new(),
            };
            if let Some(description) = field.get("description") {
                schema.insert("description".to_owned(), description.clone());
            }
            properties.insert(name.to_owned(), Value::Object(schema));
        }
        let media = if multipart { MULTIPART } else { FORM };
        if required.is_empty() {
            let schema = json!({ "type": "object", "properties": properties });
            return json!({ "content": { media: { "schema": schema } } });
        }
        let schema = json!({ "type": "object", "properties": properties, "required": required });
        json!({ "content": { media: { "schema": schema } }, "required": true })
    }

    fn content(schema: &Value, media_types: &[String]) -> Value {
        media_types.iter().map(|media| (media.clone(), json!({ "schema": schema }))).collect::<Map<_, _>>().into()
    }

    fn copy_extensions(from: &Value, to: &mut Map<String, Value>) {
        for (key, value) in from.as_object().into_iter().flatten() {
            if key.starts_with("x-") {
                to.insert(key.clone(), value.clone());
            }
        }
    }

    /// Moves the keywords that describe a value into a schema; nested `items` objects too.
    fn take_schema(owner: &mut Map<String, Value>) -> Map<String, Value> {
        let mut schema = Map::new();
        for keyword in SCHEMA_KEYWORDS {
            if let Some(value) = owner.shift_remove(*keyword) {
                schema.insert((*keyword).to_owned(), value);
            }
        }
        if let Some(Value::Object(items)) = schema.get_mut("items") {
            // What is left (a nested `collectionFormat`) has no place in a 3.0 schema.
            *items = take_schema(items);
        }
        schema
    }

    /// A query, header or path parameter: its value keywords become `schema`, its
    /// `collectionFormat` a `style`.
    fn simple_parameter(parameter: Value, at: &str, problems: &mut Problems) -> Value {
        let Value::Object(mut parameter) = parameter else { return parameter };
        if parameter.contains_key("$ref") {
            return Value::Object(parameter);
        }
        let place = match parameter.get("in").and_then(Value::as_str) {
            Some(place @ ("query" | "header" | "path")) => place.to_owned(),
            Some(other) => {
                let message = format!("parameter location `{other}` is not one of body, formData, query, header, path");
                problems.push((pointer(at, "in"), message));
                return Value::Object(parameter);
            }
            None => {
                problems.push((at.to_owned(), "a parameter needs `in`".to_owned()));
                return Value::Object(parameter);
            }
        };
        let collection_format = parameter.shift_remove("collectionFormat");
        let mut schema = take_schema(&mut parameter);
        // Some generators write a 3.0-style `schema` into 2.0 documents; it is used as is.
        if let Some(Value::Object(written)) = parameter.shift_remove("schema") {
            if schema.is_empty() {
                schema = written;
            }
        }
        if schema.get("type").and_then(Value::as_str) == Some("array") {
            // 2.0 sends arrays comma-separated unless told otherwise.
            let format = collection_format.as_ref().and_then(Value::as_str).unwrap_or("csv");
            match style(&place, format) {
                Ok((style, explode)) => {
                    parameter.insert("style".to_owned(), json!(style));
                    if let Some(explode) = explode {
                        parameter.insert("explode".to_owned(), Value::Bool(explode));
                    }
                }
                Err(message) => problems.push((pointer(at, "collectionFormat"), message)),
            }
        }
        parameter.insert("schema".to_owned(), Value::Object(schema));
        Value::Object(parameter)
    }

    /// How 3.0 spells a 2.0 `collectionFormat` for a parameter in `place`: `(style, explode)`.
    fn style(place: &str, format: &str) -> Result<(&'static str, Option<bool>), String> {
        match (place, format) {
            ("query", "csv") => Ok(("form", Some(false))),
            ("query", "multi") => Ok(("form", Some(true))),
            ("query", "ssv") => Ok(("spaceDelimited", None)),
            ("query", "pipes") => Ok(("pipeDelimited", None)),
            ("path" | "header", "csv") => Ok(("simple", None)),
            _ => Err(format!("collectionFormat `{format}` has no OpenAPI 3 equivalent for a {place} parameter")),
        }
    }

    fn convert_response(response: &mut Value, produces: &[String]) {
        let Some(response) = response.as_object_mut() else { return };
        if response.contains_key("$ref") {
            return;
        }
        // 2.0 examples are keyed by media type and a client has no use for them.
        response.shift_remove("examples");
        // Required in both versions, yet often missing from 2.0 documents in the wild.
        response.entry("description").or_insert_with(|| json!(""));
        if let Some(Value::Object(headers)) = response.get_mut("headers") {
            for header in headers.values_mut() {
                convert_header(header);
            }
        }
        if let Some(schema) = response.shift_remove("schema") {
            response.insert("content".to_owned(), content(&schema, produces));
        }
    }

    fn convert_header(header: &mut Value) {
        let Some(header) = header.as_object_mut() else { return };
        if header.contains_key("$ref") {
            return;
        }
        // `csv`, the only format a header can take, is 3.0's default `simple` style.
        header.shift_remove("collectionFormat");
        let schema = take_schema(header);
        header.insert("schema".to_owned(), Value::Object(schema));
    }

    fn security_scheme(scheme: &Value, at: &str, problems: &mut Problems) -> Value {
        let mut converted = Map::new();
        match scheme.get("type").and_then(Value::as_str) {
            Some("apiKey") => return scheme.clone(),
            Some("basic") => {
                converted.insert("type".to_owned(), json!("http"));
                converted.insert("scheme".to_owned(), json!("basic"));
            }
            Some("oauth2") => {
                converted.insert("type".to_owned(), json!("oauth2"));
                converted.insert("flows".to_owned(), oauth2_flows(scheme, at, problems));
            }
            Some(other) => {
                let message = format!("security scheme type `{other}` is not one of basic, apiKey, oauth2");
                problems.push((pointer(at, "type"), message));
            }
            None => problems.push((at.to_owned(), "a security scheme needs a `type`".to_owned())),
        }
        if let Some(description) = scheme.get("description") {
            converted.insert("description".to_owned(), description.clone());
        }
        copy_extensions(scheme, &mut converted);
        Value::Object(converted)
    }

    fn oauth2_flows(scheme: &Value, at: &str, problems: &mut Problems) -> Value {
        let flow = scheme.get("flow").and_then(Value::as_str).unwrap_or_default();
        let (name, urls): (&str, &[&str]) = match flow {
            "implicit" => ("implicit", &["authorizationUrl"]),
            "password" => ("password", &["tokenUrl"]),
            "application" => ("clientCredentials", &["tokenUrl"]),
            "accessCode" => ("authorizationCode", &["authorizationUrl", "tokenUrl"]),
            _ => {
                let message = format!("OAuth2 flow `{flow}` is not one of implicit, password, application, accessCode");
                problems.push((pointer(at, "flow"), message));
                return json!({});
            }
        };
        let mut converted = Map::new();
        for url in urls {
            match scheme.get(*url) {
                Some(value) => {
                    converted.insert((*url).to_owned(), value.clone());
                }
                None => problems.push((at.to_owned(), format!("the OAuth2 `{flow}` flow needs `{url}`"))),
            }
        }
        converted.insert("scopes".to_owned(), scheme.get("scopes").cloned().unwrap_or_else(|| json!({})));
        json!({ name: converted })
    }

    fn rewrite_refs(value: &mut Value, context: &Context) {
        match value {
            Value::Object(object) => {
                if let Some(Value::String(target)) = object.get_mut("$ref") {
                    if let Some(rewritten) = rewrite_ref(target, context) {
                        *target = rewritten;
                    }
                }
                object.values_mut().for_each(|child| rewrite_refs(child, context));
            }
            Value::Array(items) => items.iter_mut().for_each(|child| rewrite_refs(child, context)),
            _ => {}
        }
    }

    fn rewrite_ref(target: &str, context: &Context) -> Option<String> {
        if let Some(rest) = target.strip_prefix("#/definitions/") {
            return Some(format!("#/components/schemas/{rest}"));
        }
        if let Some(rest) = target.strip_prefix("#/responses/") {
            return Some(format!("#/components/responses/{rest}"));
        }
        let rest = target.strip_prefix("#/parameters/")?;
        let section = match context.shared(target).and_then(location) {
            Some("body") => "requestBodies",
            _ => "parameters",
        };
        Some(format!("#/components/{section}/{rest}"))
    }

    /// The schema vocabulary 2.0 has and 3.0 spells differently.
    fn fix_schema(schema: &mut Map<String, Value>, at: &str, problems: &mut Problems, wrapped: &mut Origins) {
        // Not 2.0, but documents written as JSON Schema use `type` lists (`["string", "null"]`).
        super::openapi31::type_list(schema, at, problems);
        if let Some(nullable) = schema.shift_remove("x-nullable") {
            if nullable == Value::Bool(true) {
                schema.insert("nullable".to_owned(), Value::Bool(true));
            }
        }
        // 3.0 ignores a `$ref`'s siblings, `nullable` included.
        super::openapi31::ref_siblings(schema, at, wrapped);
        if schema.get("type").and_then(Value::as_str) == Some("file") {
            schema.insert("type".to_owned(), json!("string"));
            schema.insert("format".to_owned(), json!("binary"));
        }
        if let Some(Value::String(property)) = schema.get("discriminator") {
            let discriminator = json!({ "propertyName": property });
            schema.insert("discriminator".to_owned(), discriminator);
        }
    }
}

// ---------------------------------------------------------------------------------------
// OpenAPI 3.1
// ---------------------------------------------------------------------------------------

mod openapi31 {
    use super::{for_each_schema, into_result, pointer, unescape_token, Origins, Problems, METHODS, TARGET_VERSION};
    use serde_json::{json, Map, Value};

    const PATH_ITEM_PREFIX: &str = "#/components/pathItems/";

    /// Annotations beside a `$ref` that the generated client shows.
    const KEPT_ANNOTATIONS: &[&str] = &["description", "readOnly", "writeOnly", "default"];

    /// Keywords beside a `$ref` that 3.0 may ignore without changing what the schema accepts.
    const ANNOTATIONS: &[&str] = &[
        "description",
        "summary",
        "title",
        "default",
        "example",
        "examples",
        "deprecated",
        "readOnly",
        "writeOnly",
        "$comment",
    ];

    pub(super) fn convert(document: &mut Value, wrapped: &mut Origins) -> Result<(), Problems> {
        let mut problems = Vec::new();
        if let Some(root) = document.as_object_mut() {
            root.insert("openapi".to_owned(), json!(TARGET_VERSION));
            // A client never receives webhooks; 3.0 has no place for them anyway.
            root.shift_remove("webhooks");
            root.shift_remove("jsonSchemaDialect");
            if let Some(info) = root.get_mut("info").and_then(Value::as_object_mut) {
                info.shift_remove("summary");
                if let Some(license) = info.get_mut("license").and_then(Value::as_object_mut) {
                    license.shift_remove("identifier");
                }
            }
            root.entry("paths").or_insert_with(|| json!({}));
        }
        inline_path_items(document, &mut problems);
        default_responses(document);
        refuse_mutual_tls(document, &mut problems);
        for_each_schema(document, &mut |schema, at| downgrade_schema(schema, at, &mut problems, wrapped));
        into_result(problems)
    }

    /// Replaces `paths` entries that refer to `components/pathItems` (new in 3.1) by
    /// their targets, then drops `pathItems`.
    fn inline_path_items(document: &mut Value, problems: &mut Problems) {
        let shared = document
            .get_mut("components")
            .and_then(Value::as_object_mut)
            .and_then(|components| components.shift_remove("pathItems"));
        let Some(Value::Object(shared)) = shared else { return };
        if let Some(paths) = document.get_mut("paths").and_then(Value::as_object_mut) {
            for (path, item) in paths.iter_mut() {
                inline_path_item(item, &shared, &pointer("#/paths", path), problems);
            }
        }
        // Whatever still points there would dangle once `pathItems` is gone.
        let mut leftovers = Vec::new();
        find_refs(document, "#", &mut |target, at| {
            if target.starts_with(PATH_ITEM_PREFIX) && !problems.iter().any(|(reported, _)| reported == at) {
                leftovers.push(at.to_owned());
            }
        });
        for at in leftovers {
            let message = "a `$ref` to `components/pathItems` can only be converted directly under `paths`";
            problems.push((at, message.to_owned()));
        }
    }

    fn inline_path_item(item: &mut Value, shared: &Map<String, Value>, at: &str, problems: &mut Problems) {
        let Some(target) = item.get("$ref").and_then(Value::as_str) else { return };
        // Other path item `$ref`s exist in 3.0 too.
        let Some(name) = target.strip_prefix(PATH_ITEM_PREFIX) else { return };
        match shared.get(&unescape_token(name)) {
            Some(Value::Object(found)) if !found.contains_key("$ref") => {
                let mut inlined = found.clone();
                // 3.1 lets a reference override its target's summary and description.
                for key in ["summary", "description"] {
                    if let Some(value) = item.get(key) {
                        inlined.insert(key.to_owned(), value.clone());
                    }
                }
                *item = Value::Object(inlined);
            }
            Some(_) => {
                let message = format!("`{target}` is not a plain path item, so it cannot be inlined");
                problems.push((pointer(at, "$ref"), message));
            }
            None => problems.push((pointer(at, "$ref"), format!("`$ref` target `{target}` does not exist"))),
        }
    }

    /// `responses` became optional in 3.1; 3.0 requires it, if empty.
    fn default_responses(document: &mut Value) {
        let Some(paths) = document.get_mut("paths").and_then(Value::as_object_mut) else { return };
        for item in paths.values_mut() {
            for method in METHODS {
                if let Some(operation) = item.get_mut(*method).and_then(Value::as_object_mut) {
                    operation.entry("responses").or_insert_with(|| json!({}));
                }
            }
        }
    }

    fn find_refs(value: &Value, at: &str, found: &mut dyn FnMut(&str, &str)) {
        match value {
            Value::Object(object) => {
                if let Some(Value::String(target)) = object.get("$ref") {
                    found(target, &pointer(at, "$ref"));
                }
                for (key, child) in object {
                    find_refs(child, &pointer(at, key), found);
                }
            }
            Value::Array(items) => {
                for (index, child) in items.iter().enumerate() {
                    find_refs(child, &pointer(at, &index.to_string()), found);
                }
            }
            _ => {}
        }
    }

    fn refuse_mutual_tls(document: &Value, problems: &mut Problems) {
        let schemes = document.pointer("/components/securitySchemes").and_then(Value::as_object);
        for (name, scheme) in schemes.into_iter().flatten() {
            if scheme.get("type").and_then(Value::as_str) == Some("mutualTLS") {
                let at = pointer(&pointer("#/components/securitySchemes", name), "type");
                problems.push((at, "security scheme type `mutualTLS` has no OpenAPI 3.0 equivalent".to_owned()));
            }
        }
    }

    /// Rewrites one schema object's 2020-12 keywords into their 3.0 spelling.
    fn downgrade_schema(schema: &mut Map<String, Value>, at: &str, problems: &mut Problems, wrapped: &mut Origins) {
        ref_siblings(schema, at, wrapped);
        // Before `type` lists: a collapsed alternative may bring one.
        null_alternatives(schema);
        type_list(schema, at, problems);
        if let Some(value) = schema.shift_remove("const") {
            schema.insert("enum".to_owned(), json!([value]));
        }
        first_example(schema);
        exclusive_bound(schema, "exclusiveMinimum", "minimum", |inclusive, exclusive| inclusive > exclusive);
        exclusive_bound(schema, "exclusiveMaximum", "maximum", |inclusive, exclusive| inclusive < exclusive);
        encoded_string(schema);
    }

    /// 3.0 ignores a `$ref`'s siblings: annotations the client has no use for are
    /// dropped; the rest (constraints, and the description, direction and default the
    /// client documents) sit beside an `allOf` instead.
    pub(super) fn ref_siblings(schema: &mut Map<String, Value>, at: &str, wrapped: &mut Origins) {
        let Some(target) = schema.get("$ref").cloned() else { return };
        let dropped =
            |key: &str| key.starts_with("x-") || (ANNOTATIONS.contains(&key) && !KEPT_ANNOTATIONS.contains(&key));
        schema.retain(|key, _| key == "$ref" || !dropped(key));
        if schema.len() == 1 {
            return;
        }
        schema.shift_remove("$ref");
        let reference = json!({ "$ref": target });
        let all_of = pointer(at, "allOf");
        wrapped.add(&pointer(&all_of, "0"), at);
        match schema.get_mut("allOf") {
            Some(Value::Array(parts)) => {
                // The parts written beside the `$ref` each move one place along.
                for index in 0..parts.len() {
                    wrapped.add(&pointer(&all_of, &(index + 1).to_string()), pointer(&all_of, &index.to_string()));
                }
                parts.insert(0, reference)
            }
            _ => {
                schema.insert("allOf".to_owned(), json!([reference]));
            }
        }
    }

    fn is_null_schema(schema: &Value) -> bool {
        match schema.get("type") {
            Some(Value::String(name)) => name == "null",
            Some(Value::Array(names)) => names.iter().all(|name| name == "null") && !names.is_empty(),
            _ => false,
        }
    }

    /// `oneOf`/`anyOf` with a `{type: "null"}` alternative is 3.0's `nullable`.
    fn null_alternatives(schema: &mut Map<String, Value>) {
        for keyword in ["oneOf", "anyOf"] {
            let Some(Value::Array(alternatives)) = schema.get_mut(keyword) else { continue };
            let count = alternatives.len();
            alternatives.retain(|alternative| !is_null_schema(alternative));
            if alternatives.len() == count {
                continue;
            }
            let mut remaining = std::mem::take(alternatives);
            schema.insert("nullable".to_owned(), Value::Bool(true));
            match remaining.len() {
                0 => {
                    schema.shift_remove(keyword);
                    schema.entry("enum").or_insert_with(|| json!([null]));
                }
                1 => {
                    schema.shift_remove(keyword);
                    collapse(schema, remaining.remove(0));
                }
                _ => {
                    schema.insert(keyword.to_owned(), Value::Array(remaining));
                }
            }
        }
    }

    /// With one alternative left the schema is that alternative, made nullable, rather
    /// than a union of one.
    fn collapse(schema: &mut Map<String, Value>, alternative: Value) {
        match alternative {
            Value::Object(members) if !members.contains_key("$ref") => {
                for (key, value) in members {
                    schema.entry(key).or_insert(value);
                }
            }
            // A bare `$ref` would lose `nullable` in 3.0; `allOf` keeps it.
            other => push_all_of(schema, other),
        }
    }

    fn push_all_of(schema: &mut Map<String, Value>, part: Value) {
        match schema.get_mut("allOf") {
            Some(Value::Array(parts)) => parts.push(part),
            _ => {
                schema.insert("allOf".to_owned(), json!([part]));
            }
        }
    }

    /// 3.0 has one `type` plus `nullable`; 3.1 has type lists and `"null"`.
    pub(super) fn type_list(schema: &mut Map<String, Value>, at: &str, problems: &mut Problems) {
        let declared = match schema.get("type") {
            Some(Value::Array(names)) => names.clone(),
            Some(Value::String(name)) if name == "null" => vec![json!("null")],
            _ => return,
        };
        let mut types = Vec::new();
        for (index, name) in declared.iter().enumerate() {
            match name.as_str() {
                Some(name) if !types.contains(&name) => types.push(name),
                Some(_) => {}
                None => {
                    let at = pointer(&pointer(at, "type"), &index.to_string());
                    problems.push((at, "a `type` entry must be a string".to_owned()));
                    return;
                }
            }
        }
        let nullable = types.contains(&"null");
        types.retain(|name| *name != "null");
        schema.shift_remove("type");
        if nullable {
            schema.insert("nullable".to_owned(), Value::Bool(true));
        }
        match types.as_slice() {
            // `nullable` alone would still accept anything: only null is allowed here.
            [] if nullable => {
                schema.entry("enum").or_insert_with(|| json!([null]));
            }
            [] => {}
            [single] => {
                schema.insert("type".to_owned(), json!(single));
            }
            several => split_types(schema, several),
        }
    }

    /// Keywords that constrain only one type, so go with that type's alternative.
    fn keywords_of(type_name: &str) -> &'static [&'static str] {
        match type_name {
            "string" => &["format", "pattern", "minLength", "maxLength", "contentMediaType", "contentEncoding"],
            "number" | "integer" => {
                &["format", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"]
            }
            "array" => &["items", "prefixItems", "minItems", "maxItems", "uniqueItems"],
            "object" => &["properties", "required", "additionalProperties", "minProperties", "maxProperties"],
            _ => &[],
        }
    }

    /// Several types become an `anyOf` with one alternative per type.
    fn split_types(schema: &mut Map<String, Value>, types: &[&str]) {
        let alternatives: Vec<Value> = types
            .iter()
            .map(|name| {
                let mut alternative = Map::new();
                alternative.insert("type".to_owned(), json!(name));
                for keyword in keywords_of(name) {
                    if let Some(value) = schema.get(*keyword) {
                        alternative.insert((*keyword).to_owned(), value.clone());
                    }
                }
                Value::Object(alternative)
            })
            .collect();
        for name in types {
            for keyword in keywords_of(name) {
                schema.shift_remove(*keyword);
            }
        }
        if schema.contains_key("anyOf") {
            push_all_of(schema, json!({ "anyOf": alternatives }));
        } else {
            schema.insert("anyOf".to_owned(), Value::Array(alternatives));
        }
    }

    /// Schema `examples` is a list in 3.1; 3.0 has one `example`.
    fn first_example(schema: &mut Map<String, Value>) {
        let Some(Value::Array(examples)) = schema.get("examples") else { return };
        let first = examples.first().cloned();
        schema.shift_remove("examples");
        if let Some(first) = first {
            schema.entry("example").or_insert(first);
        }
    }

    /// 3.1's `exclusiveMinimum: 5` is 3.0's `minimum: 5, exclusiveMinimum: true`; when
    /// an inclusive bound is also given, the tighter of the two is kept.
    fn exclusive_bound(
        schema: &mut Map<String, Value>,
        exclusive: &str,
        inclusive: &str,
        inclusive_is_tighter: fn(f64, f64) -> bool,
    ) {
        let Some(Value::Number(limit)) = schema.get(exclusive).cloned() else { return };
        let keep_inclusive = match (schema.get(inclusive).and_then(Value::as_f64), limit.as_f64()) {
            (Some(bound), Some(limit)) => inclusive_is_tighter(bound, limit),
            _ => false,
        };
        if keep_inclusive {
            schema.shift_remove(exclusive);
        } else {
            schema.insert(inclusive.to_owned(), Value::Number(limit));
            schema.insert(exclusive.to_owned(), Value::Bool(true));
        }
    }

    /// 3.1 describes encoded strings with `contentEncoding`/`contentMediaType`, 3.0 with
    /// `format`: base64 text is `byte`, raw content `binary`.
    fn encoded_string(schema: &mut Map<String, Value>) {
        if !matches!(schema.get("type").and_then(Value::as_str), None | Some("string")) {
            return;
        }
        let encoding = schema.shift_remove("contentEncoding");
        let media_type = schema.shift_remove("contentMediaType");
        let format = match (encoding.as_ref().and_then(Value::as_str), media_type) {
            (Some("base64" | "base64url"), _) => "byte",
            (_, Some(_)) => "binary",
            _ => return,
        };
        schema.insert("format".to_owned(), json!(format));
    }
}

#[cfg(test)]
mod tests {
    use super::{normalize, SourceVersion};
    use crate::diagnostics::Origins;
    use serde_json::{json, Value};

    fn converted(mut document: Value) -> Value {
        match normalize(&mut document, &mut Origins::default(), &mut Origins::default()) {
            Ok(_) => document,
            Err(problems) => panic!("conversion failed: {problems:?}"),
        }
    }

    fn problems(mut document: Value) -> Vec<(String, String)> {
        match normalize(&mut document, &mut Origins::default(), &mut Origins::default()) {
            Ok(source) => panic!("expected problems, converted from {source:?}"),
            Err(problems) => problems,
        }
    }

    fn swagger(extra: Value) -> Value {
        let mut document = json!({ "swagger": "2.0", "info": { "title": "T", "version": "1" }, "paths": {} });
        if let (Some(document), Value::Object(extra)) = (document.as_object_mut(), extra) {
            document.extend(extra);
        }
        document
    }

    fn openapi31(extra: Value) -> Value {
        let mut document = json!({ "openapi": "3.1.0", "info": { "title": "T", "version": "1" }, "paths": {} });
        if let (Some(document), Value::Object(extra)) = (document.as_object_mut(), extra) {
            document.extend(extra);
        }
        document
    }

    /// Converts a 3.1 document holding `schema` as `components/schemas/S` and returns it.
    fn schema31(schema: Value) -> Value {
        let document = converted(openapi31(json!({ "components": { "schemas": { "S": schema } } })));
        document.pointer("/components/schemas/S").cloned().unwrap_or(Value::Null)
    }

    #[test]
    fn openapi_30_is_left_alone() {
        let original = json!({
            "openapi": "3.0.1",
            "info": { "title": "T", "version": "1" },
            "paths": {},
            "components": { "schemas": { "A": { "type": ["string", "null"], "x-nullable": true } } }
        });
        let mut document = original.clone();
        assert_eq!(
            normalize(&mut document, &mut Origins::default(), &mut Origins::default()),
            Ok(SourceVersion::OpenApi30)
        );
        assert_eq!(document, original);
    }

    #[test]
    fn unsupported_or_missing_versions_are_refused_at_the_version_field() {
        let refused = |document: Value| problems(document).into_iter().map(|(at, _)| at).collect::<Vec<_>>();
        assert_eq!(refused(json!({ "swagger": "1.2" })), ["#/swagger"]);
        assert_eq!(refused(json!({ "openapi": "4.0.0" })), ["#/openapi"]);
        assert_eq!(refused(json!({ "openapi": "3.01" })), ["#/openapi"]);
        assert_eq!(refused(json!({ "info": {} })), ["#/openapi"]);
        assert_eq!(refused(json!([])), ["#"]);
        let message = &problems(json!({ "swagger": "1.2" }))[0].1;
        assert!(message.contains("Swagger 1.2 is not supported"), "{message}");
        // An unquoted YAML `2.0` is a number.
        assert_eq!(
            normalize(
                &mut json!({ "swagger": 2.0, "info": {}, "paths": {} }),
                &mut Origins::default(),
                &mut Origins::default()
            ),
            Ok(SourceVersion::Swagger20)
        );
        assert_eq!(
            normalize(&mut openapi31(json!({})), &mut Origins::default(), &mut Origins::default()),
            Ok(SourceVersion::OpenApi31)
        );
    }

    #[test]
    fn swagger_top_level_becomes_servers_and_drops_2_0_fields() {
        let document = converted(swagger(json!({
            "host": "api.example.com",
            "basePath": "/v2",
            "schemes": ["https", "http"],
            "consumes": ["application/json"],
            "produces": ["application/json"],
            "tags": [{ "name": "users" }],
            "security": [{ "key": [] }],
            "externalDocs": { "url": "https://docs.example.com" },
            "x-vendor": 1
        })));
        assert_eq!(
            document,
            json!({
                "openapi": "3.0.3",
                "info": { "title": "T", "version": "1" },
                "servers": [{ "url": "https://api.example.com/v2" }, { "url": "http://api.example.com/v2" }],
                "paths": {},
                "tags": [{ "name": "users" }],
                "security": [{ "key": [] }],
                "externalDocs": { "url": "https://docs.example.com" },
                "x-vendor": 1
            })
        );
        let servers = |extra: Value| converted(swagger(extra)).get("servers").cloned();
        assert_eq!(servers(json!({ "host": "h.io" })), Some(json!([{ "url": "https://h.io" }])));
        assert_eq!(servers(json!({ "host": "h.io", "basePath": "/" })), Some(json!([{ "url": "https://h.io" }])));
        assert_eq!(servers(json!({ "basePath": "/api" })), Some(json!([{ "url": "/api" }])));
        assert_eq!(servers(json!({})), None);
    }

    #[test]
    fn swagger_definitions_become_component_schemas_in_3_0_vocabulary() {
        let document = converted(swagger(json!({
            "definitions": {
                "Pet": {
                    "type": "object",
                    "discriminator": "kind",
                    "properties": {
                        "kind": { "type": "string" },
                        "owner": { "$ref": "#/definitions/Owner" },
                        "photo": { "type": "file" },
                        "tags": { "type": "array", "items": { "type": "string", "x-nullable": true } }
                    }
                },
                "Owner": { "type": "object", "x-nullable": true, "additionalProperties": { "$ref": "#/definitions/Pet" } },
                "MaybePet": { "$ref": "#/definitions/Pet", "x-nullable": true, "description": "Or null." }
            }
        })));
        assert_eq!(
            document["components"],
            json!({ "schemas": {
                "Pet": {
                    "type": "object",
                    "discriminator": { "propertyName": "kind" },
                    "properties": {
                        "kind": { "type": "string" },
                        "owner": { "$ref": "#/components/schemas/Owner" },
                        "photo": { "type": "string", "format": "binary" },
                        "tags": { "type": "array", "items": { "type": "string", "nullable": true } }
                    }
                },
                "Owner": { "type": "object", "nullable": true, "additionalProperties": { "$ref": "#/components/schemas/Pet" } },
                "MaybePet": { "nullable": true, "description": "Or null.", "allOf": [{ "$ref": "#/components/schemas/Pet" }] }
            } })
        );
    }

    #[test]
    fn swagger_body_parameter_becomes_request_body_for_each_consumed_type() {
        let body = json!({ "name": "pet", "in": "body", "required": true, "description": "The pet.",
                           "schema": { "$ref": "#/definitions/Pet" }, "x-extra": 1 });
        let document = converted(swagger(json!({
            "consumes": ["application/xml"],
            "paths": { "/pets": {
                "post": { "consumes": ["application/json", "text/json"], "parameters": [body.clone()], "responses": {} },
                "put": { "parameters": [body], "responses": {} }
            } }
        })));
        let schema = json!({ "schema": { "$ref": "#/components/schemas/Pet" } });
        assert_eq!(
            document["paths"]["/pets"],
            json!({
                "post": { "requestBody": { "description": "The pet.", "required": true, "x-extra": 1,
                                           "content": { "application/json": schema, "text/json": schema } },
                          "responses": {} },
                "put": { "requestBody": { "description": "The pet.", "required": true, "x-extra": 1,
                                          "content": { "application/xml": schema } },
                         "responses": {} }
            })
        );
        // Without any `consumes`, JSON.
        let document = converted(swagger(json!({ "paths": { "/p": { "post": {
            "parameters": [{ "name": "b", "in": "body", "schema": { "type": "string" } }], "responses": {}
        } } } })));
        assert_eq!(
            document["paths"]["/p"]["post"]["requestBody"],
            json!({ "content": { "application/json": { "schema": { "type": "string" } } } })
        );
    }

    #[test]
    fn swagger_form_parameters_become_one_object_body() {
        let operation = |parameters: Value, consumes: Value| {
            let document = converted(swagger(json!({ "paths": { "/f": { "post": {
                "consumes": consumes, "parameters": parameters, "responses": {}
            } } } })));
            document["paths"]["/f"]["post"].clone()
        };
        let fields = json!([
            { "name": "id", "in": "path", "type": "string", "required": true },
            { "name": "note", "in": "formData", "type": "string", "description": "A note." },
            { "name": "count", "in": "formData", "type": "integer", "required": true }
        ]);
        assert_eq!(
            operation(fields.clone(), json!([])),
            json!({
                "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "string" } }],
                "requestBody": { "required": true, "content": { "application/x-www-form-urlencoded": { "schema": {
                    "type": "object",
                    "properties": { "note": { "type": "string", "description": "A note." }, "count": { "type": "integer" } },
                    "required": ["count"]
                } } } },
                "responses": {}
            })
        );
        let multipart = operation(fields, json!(["multipart/form-data"]));
        assert!(multipart.pointer("/requestBody/content/multipart~1form-data").is_some(), "{multipart}");
        let upload = operation(json!([{ "name": "file", "in": "formData", "type": "file" }]), json!([]));
        assert_eq!(
            upload["requestBody"],
            json!({ "content": { "multipart/form-data": { "schema": {
                "type": "object", "properties": { "file": { "type": "string", "format": "binary" } }
            } } } })
        );
    }

    #[test]
    fn swagger_simple_parameters_get_a_schema_and_a_style() {
        let document = converted(swagger(json!({ "paths": { "/p/{ids}": { "get": { "parameters": [
            { "name": "ids", "in": "path", "required": true, "type": "array", "items": { "type": "integer" } },
            { "name": "a", "in": "query", "type": "array", "collectionFormat": "csv", "items": { "type": "string" } },
            { "name": "b", "in": "query", "type": "array", "collectionFormat": "multi",
              "items": { "type": "string", "enum": ["x", "y"] } },
            { "name": "c", "in": "query", "type": "array", "collectionFormat": "ssv", "items": { "type": "string" } },
            { "name": "d", "in": "query", "type": "array", "collectionFormat": "pipes",
              "items": { "type": "array", "collectionFormat": "csv", "items": { "type": "string" } } },
            { "name": "X-Tags", "in": "header", "type": "array", "items": { "type": "string" } },
            { "name": "limit", "in": "query", "type": "integer", "format": "int32", "minimum": 1, "default": 10,
              "x-nullable": true, "description": "Page size.", "allowEmptyValue": true }
        ], "responses": {} } } } })));
        assert_eq!(
            document["paths"]["/p/{ids}"]["get"]["parameters"],
            json!([
                { "name": "ids", "in": "path", "required": true, "style": "simple",
                  "schema": { "type": "array", "items": { "type": "integer" } } },
                { "name": "a", "in": "query", "style": "form", "explode": false,
                  "schema": { "type": "array", "items": { "type": "string" } } },
                { "name": "b", "in": "query", "style": "form", "explode": true,
                  "schema": { "type": "array", "items": { "type": "string", "enum": ["x", "y"] } } },
                { "name": "c", "in": "query", "style": "spaceDelimited",
                  "schema": { "type": "array", "items": { "type": "string" } } },
                { "name": "d", "in": "query", "style": "pipeDelimited",
                  "schema": { "type": "array", "items": { "type": "array", "items": { "type": "string" } } } },
                { "name": "X-Tags", "in": "header", "style": "simple",
                  "schema": { "type": "array", "items": { "type": "string" } } },
                { "name": "limit", "in": "query", "description": "Page size.", "allowEmptyValue": true,
                  "schema": { "type": "integer", "format": "int32", "minimum": 1, "default": 10, "nullable": true } }
            ])
        );
    }

    #[test]
    fn swagger_problems_are_reported_at_their_pointers() {
        let found = problems(swagger(json!({ "paths": { "/u/{id}": {
            "get": { "parameters": [
                { "name": "t", "in": "query", "type": "array", "collectionFormat": "tsv", "items": { "type": "string" } },
                { "name": "id", "in": "path", "type": "array", "collectionFormat": "pipes", "items": { "type": "string" } },
                { "name": "c", "in": "cookie", "type": "string" }
            ], "responses": {} },
            "post": { "parameters": [
                { "name": "a", "in": "body", "schema": {} },
                { "name": "b", "in": "body", "schema": {} },
                { "name": "f", "in": "formData", "type": "string" }
            ], "responses": {} }
        } } })));
        let at: Vec<&str> = found.iter().map(|(at, _)| at.as_str()).collect();
        assert_eq!(
            at,
            [
                "#/paths/~1u~1{id}/get/parameters/0/collectionFormat",
                "#/paths/~1u~1{id}/get/parameters/1/collectionFormat",
                "#/paths/~1u~1{id}/get/parameters/2/in",
                "#/paths/~1u~1{id}/post/parameters/1",
                "#/paths/~1u~1{id}/post/parameters/2",
            ]
        );
        assert_eq!(found[0].1, "collectionFormat `tsv` has no OpenAPI 3 equivalent for a query parameter");
    }

    #[test]
    fn swagger_shared_parameters_split_into_parameters_and_request_bodies() {
        let document = converted(swagger(json!({
            "parameters": {
                "Limit": { "name": "limit", "in": "query", "type": "integer" },
                "NewPet": { "name": "pet", "in": "body", "required": true, "schema": { "$ref": "#/definitions/Pet" } },
                "Photo": { "name": "photo", "in": "formData", "type": "file", "required": true }
            },
            "paths": { "/pets": {
                "parameters": [{ "$ref": "#/parameters/Limit" }],
                "post": { "parameters": [{ "$ref": "#/parameters/NewPet" }], "responses": {} },
                "put": { "parameters": [{ "$ref": "#/parameters/Photo" }], "responses": {} }
            } }
        })));
        assert_eq!(
            document["paths"]["/pets"],
            json!({
                "parameters": [{ "$ref": "#/components/parameters/Limit" }],
                "post": { "requestBody": { "$ref": "#/components/requestBodies/NewPet" }, "responses": {} },
                "put": { "requestBody": { "required": true, "content": { "multipart/form-data": { "schema": {
                    "type": "object", "properties": { "photo": { "type": "string", "format": "binary" } },
                    "required": ["photo"]
                } } } }, "responses": {} }
            })
        );
        assert_eq!(
            document["components"],
            json!({
                "parameters": { "Limit": { "name": "limit", "in": "query", "schema": { "type": "integer" } } },
                "requestBodies": { "NewPet": { "required": true, "content": { "application/json": {
                    "schema": { "$ref": "#/components/schemas/Pet" }
                } } } }
            })
        );
    }

    #[test]
    fn swagger_path_level_body_parameters_move_into_each_operation() {
        let document = converted(swagger(json!({ "paths": { "/p/{id}": {
            "parameters": [
                { "name": "id", "in": "path", "required": true, "type": "string" },
                { "name": "body", "in": "body", "schema": { "type": "object" } }
            ],
            "put": { "responses": {} },
            "post": { "parameters": [{ "name": "mine", "in": "body", "schema": { "type": "string" } }], "responses": {} }
        } } })));
        assert_eq!(
            document["paths"]["/p/{id}"],
            json!({
                "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "string" } }],
                "put": { "requestBody": { "content": { "application/json": { "schema": { "type": "object" } } } },
                         "responses": {} },
                "post": { "requestBody": { "content": { "application/json": { "schema": { "type": "string" } } } },
                          "responses": {} }
            })
        );
    }

    #[test]
    fn swagger_responses_get_content_per_produced_type() {
        let document = converted(swagger(json!({
            "produces": ["application/json"],
            "responses": { "NotFound": { "description": "Missing.", "schema": { "$ref": "#/definitions/Error" } } },
            "paths": { "/p": { "get": {
                "produces": ["application/json", "text/csv"],
                "responses": {
                    "200": {
                        "description": "OK",
                        "schema": { "type": "array", "items": { "type": "string" } },
                        "headers": { "X-Rate": { "type": "integer", "format": "int32", "description": "Left." } },
                        "examples": { "application/json": ["a"] }
                    },
                    "204": { "description": "Nothing." },
                    "404": { "$ref": "#/responses/NotFound" },
                    "x-note": "kept"
                }
            } } }
        })));
        let list = json!({ "schema": { "type": "array", "items": { "type": "string" } } });
        assert_eq!(
            document["paths"]["/p"]["get"]["responses"],
            json!({
                "200": {
                    "description": "OK",
                    "headers": { "X-Rate": { "description": "Left.", "schema": { "type": "integer", "format": "int32" } } },
                    "content": { "application/json": list, "text/csv": list }
                },
                "204": { "description": "Nothing." },
                "404": { "$ref": "#/components/responses/NotFound" },
                "x-note": "kept"
            })
        );
        assert_eq!(
            document["components"]["responses"],
            json!({ "NotFound": { "description": "Missing.", "content": { "application/json": {
                "schema": { "$ref": "#/components/schemas/Error" }
            } } } })
        );
    }

    #[test]
    fn swagger_security_definitions_become_security_schemes() {
        let document = converted(swagger(json!({ "securityDefinitions": {
            "basic": { "type": "basic", "description": "Password." },
            "key": { "type": "apiKey", "in": "header", "name": "X-Key" },
            "implicit": { "type": "oauth2", "flow": "implicit", "authorizationUrl": "https://a", "scopes": { "r": "Read" } },
            "password": { "type": "oauth2", "flow": "password", "tokenUrl": "https://t", "scopes": {} },
            "application": { "type": "oauth2", "flow": "application", "tokenUrl": "https://t", "x-extra": true },
            "code": { "type": "oauth2", "flow": "accessCode", "authorizationUrl": "https://a", "tokenUrl": "https://t",
                      "scopes": { "w": "Write" } }
        } })));
        assert_eq!(
            document["components"]["securitySchemes"],
            json!({
                "basic": { "type": "http", "scheme": "basic", "description": "Password." },
                "key": { "type": "apiKey", "in": "header", "name": "X-Key" },
                "implicit": { "type": "oauth2", "flows": { "implicit": {
                    "authorizationUrl": "https://a", "scopes": { "r": "Read" } } } },
                "password": { "type": "oauth2", "flows": { "password": { "tokenUrl": "https://t", "scopes": {} } } },
                "application": { "type": "oauth2", "x-extra": true,
                                 "flows": { "clientCredentials": { "tokenUrl": "https://t", "scopes": {} } } },
                "code": { "type": "oauth2", "flows": { "authorizationCode": {
                    "authorizationUrl": "https://a", "tokenUrl": "https://t", "scopes": { "w": "Write" } } } }
            })
        );
        let found = problems(swagger(json!({ "securityDefinitions": { "x": { "type": "oauth2", "flow": "magic" } } })));
        assert_eq!(found[0].0, "#/securityDefinitions/x/flow");
    }

    #[test]
    fn converted_swagger_parses_as_openapi_3_0() {
        let document = converted(swagger(json!({
            "host": "h.io",
            "securityDefinitions": { "basic": { "type": "basic" } },
            "definitions": { "Pet": { "type": "object", "properties": { "name": { "type": "string", "x-nullable": true } } } },
            "paths": { "/pets/{id}": {
                "parameters": [{ "name": "id", "in": "path", "required": true, "type": "string" }],
                "put": {
                    "parameters": [
                        { "name": "pet", "in": "body", "schema": { "$ref": "#/definitions/Pet" } },
                        { "name": "tags", "in": "query", "type": "array", "items": { "type": "string" } }
                    ],
                    "responses": { "200": { "description": "OK", "schema": { "$ref": "#/definitions/Pet" } } }
                }
            } }
        })));
        let parsed = serde_json::from_value::<openapiv3::OpenAPI>(document);
        assert!(parsed.is_ok(), "{parsed:?}");
    }

    #[test]
    fn openapi_31_type_lists_become_nullable_or_any_of() {
        assert_eq!(
            schema31(json!({ "type": ["string", "null"], "format": "date" })),
            json!({ "type": "string", "format": "date", "nullable": true })
        );
        assert_eq!(schema31(json!({ "type": ["null"] })), json!({ "nullable": true, "enum": [null] }));
        assert_eq!(schema31(json!({ "type": "null" })), json!({ "nullable": true, "enum": [null] }));
        assert_eq!(
            schema31(
                json!({ "type": ["string", "integer", "null"], "maxLength": 3, "minimum": 0, "description": "Id." })
            ),
            json!({
                "description": "Id.",
                "nullable": true,
                "anyOf": [{ "type": "string", "maxLength": 3 }, { "type": "integer", "minimum": 0 }]
            })
        );
        let found = problems(openapi31(json!({ "components": { "schemas": { "S": { "type": ["string", 1] } } } })));
        assert_eq!(found, [("#/components/schemas/S/type/1".to_owned(), "a `type` entry must be a string".to_owned())]);
    }

    #[test]
    fn openapi_31_const_examples_and_exclusive_bounds() {
        assert_eq!(schema31(json!({ "const": "on" })), json!({ "enum": ["on"] }));
        assert_eq!(
            schema31(json!({ "type": "integer", "examples": [3, 4] })),
            json!({ "type": "integer", "example": 3 })
        );
        assert_eq!(
            schema31(json!({ "type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 10.5 })),
            json!({ "type": "number", "minimum": 0, "exclusiveMinimum": true, "maximum": 10.5, "exclusiveMaximum": true })
        );
        // An inclusive bound tighter than the exclusive one wins.
        assert_eq!(
            schema31(json!({ "type": "number", "minimum": 5, "exclusiveMinimum": 0 })),
            json!({ "type": "number", "minimum": 5 })
        );
    }

    #[test]
    fn openapi_31_ref_siblings_are_dropped_or_wrapped_in_all_of() {
        assert_eq!(
            schema31(json!({ "$ref": "#/components/schemas/T", "title": "T.", "examples": [1], "x-a": 1 })),
            json!({ "$ref": "#/components/schemas/T" })
        );
        assert_eq!(
            schema31(
                json!({ "$ref": "#/components/schemas/T", "description": "D.", "readOnly": true, "examples": [1] })
            ),
            json!({ "description": "D.", "readOnly": true, "allOf": [{ "$ref": "#/components/schemas/T" }] })
        );
        assert_eq!(
            schema31(
                json!({ "$ref": "#/components/schemas/T", "description": "D.", "properties": { "x": { "const": 1 } } })
            ),
            json!({
                "description": "D.",
                "properties": { "x": { "enum": [1] } },
                "allOf": [{ "$ref": "#/components/schemas/T" }]
            })
        );
    }

    #[test]
    fn openapi_31_null_alternatives_make_the_parent_nullable() {
        assert_eq!(
            schema31(json!({ "anyOf": [{ "$ref": "#/components/schemas/T" }, { "type": "null" }] })),
            json!({ "nullable": true, "allOf": [{ "$ref": "#/components/schemas/T" }] })
        );
        assert_eq!(
            schema31(
                json!({ "oneOf": [{ "type": "string", "minLength": 1 }, { "type": "null" }], "description": "D." })
            ),
            json!({ "description": "D.", "nullable": true, "type": "string", "minLength": 1 })
        );
        assert_eq!(
            schema31(json!({ "oneOf": [{ "type": "string" }, { "type": "integer" }, { "type": "null" }] })),
            json!({ "oneOf": [{ "type": "string" }, { "type": "integer" }], "nullable": true })
        );
    }

    #[test]
    fn openapi_31_encoded_strings_get_a_format() {
        assert_eq!(
            schema31(json!({ "type": "string", "contentMediaType": "image/png" })),
            json!({ "type": "string", "format": "binary" })
        );
        assert_eq!(
            schema31(json!({ "type": "string", "contentEncoding": "base64", "contentMediaType": "image/png" })),
            json!({ "type": "string", "format": "byte" })
        );
    }

    #[test]
    fn openapi_31_schemas_are_found_everywhere() {
        let nullable = json!({ "type": ["integer", "null"] });
        let document = converted(openapi31(json!({
            "paths": { "/p": {
                "parameters": [{ "name": "q", "in": "query", "schema": nullable }],
                "post": {
                    "requestBody": { "content": { "application/json": { "schema": {
                        "type": "object",
                        "properties": { "a": nullable },
                        "additionalProperties": nullable,
                        "prefixItems": [nullable],
                        "items": true,
                        "allOf": [{ "not": nullable }]
                    } } } },
                    "responses": { "200": { "description": "OK", "headers": { "H": { "schema": nullable } } } }
                }
            } },
            "components": { "parameters": { "P": { "name": "p", "in": "query", "content": {
                "application/json": { "schema": nullable }
            } } } }
        })));
        let fixed = json!({ "type": "integer", "nullable": true });
        assert_eq!(document["paths"]["/p"]["parameters"][0]["schema"], fixed);
        assert_eq!(
            document["paths"]["/p"]["post"]["requestBody"]["content"]["application/json"]["schema"],
            json!({
                "type": "object",
                "properties": { "a": fixed },
                "additionalProperties": fixed,
                "prefixItems": [fixed],
                "items": {},
                "allOf": [{ "not": fixed }]
            })
        );
        assert_eq!(document["paths"]["/p"]["post"]["responses"]["200"]["headers"]["H"]["schema"], fixed);
        assert_eq!(document["components"]["parameters"]["P"]["content"]["application/json"]["schema"], fixed);
    }

    #[test]
    fn openapi_31_document_fields_are_downgraded() {
        let mut document = openapi31(json!({
            "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
            "webhooks": { "created": { "post": { "responses": {} } } },
            "info": { "title": "T", "version": "1", "summary": "S.", "license": { "name": "MIT", "identifier": "MIT" } }
        }));
        if let Some(root) = document.as_object_mut() {
            root.shift_remove("paths");
        }
        assert_eq!(
            converted(document),
            json!({
                "openapi": "3.0.3",
                "info": { "title": "T", "version": "1", "license": { "name": "MIT" } },
                "paths": {}
            })
        );
    }

    #[test]
    fn openapi_31_path_item_refs_are_inlined() {
        let document = converted(openapi31(json!({
            "paths": {
                "/a": { "$ref": "#/components/pathItems/A", "summary": "Mine." },
                "/b": { "$ref": "#/paths/~1a" }
            },
            "components": { "pathItems": { "A": { "summary": "Theirs.", "get": { "responses": {} } } } }
        })));
        assert_eq!(
            document,
            json!({
                "openapi": "3.0.3",
                "info": { "title": "T", "version": "1" },
                "paths": {
                    "/a": { "summary": "Mine.", "get": { "responses": {} } },
                    "/b": { "$ref": "#/paths/~1a" }
                },
                "components": {}
            })
        );
        let found = problems(openapi31(json!({
            "paths": { "/a": { "$ref": "#/components/pathItems/Missing" } },
            "components": {
                "pathItems": { "A": { "get": { "responses": {} } } },
                "callbacks": { "C": { "{$url}": { "$ref": "#/components/pathItems/A" } } }
            }
        })));
        let at: Vec<&str> = found.iter().map(|(at, _)| at.as_str()).collect();
        assert_eq!(at, ["#/paths/~1a/$ref", "#/components/callbacks/C/{$url}/$ref"]);
    }

    #[test]
    fn openapi_31_mutual_tls_is_refused() {
        let found = problems(openapi31(json!({
            "components": { "securitySchemes": { "mtls": { "type": "mutualTLS" } } }
        })));
        assert_eq!(found[0].0, "#/components/securitySchemes/mtls/type");
    }
}
