//! Text to a typed `openapiv3::OpenAPI`, with every failure located in the file.
//!
//! Parsing goes through a `serde_json::Value` first: YAML keys become strings (`200:`
//! is an integer key in YAML), every `$ref` can be checked against the whole document
//! before typed parsing, and `serde_path_to_error` can name the JSON pointer of any
//! shape the typed model rejects.

use super::structure::{each_subschema, for_each_root_schema, subschemas, METHODS};
use crate::diagnostics::{pointer, Reporter};
use serde_json::{json, Map, Value};

/// Parses another file of a multi-file document; errors carry their own line and column.
pub(crate) fn parse_value(text: &str) -> Result<Value, String> {
    let mut report = Reporter::new("");
    parse_document(text, &mut report).ok_or_else(|| match report.finish() {
        Err(diagnostics) => {
            diagnostics.iter().map(|d| format!("{}: {}", d.location, d.message)).collect::<Vec<_>>().join("; ")
        }
        Ok(()) => "cannot be parsed".to_owned(),
    })
}

/// Parses YAML or JSON into a JSON value, reporting syntax errors with line and column.
pub(crate) fn parse_document(text: &str, report: &mut Reporter) -> Option<Value> {
    let looks_like_json = text.trim_start().starts_with('{');
    if looks_like_json {
        match serde_json::from_str::<Value>(text) {
            Ok(value) => return Some(value),
            Err(error) => {
                report.error(
                    format!("line {}, column {}", error.line(), error.column()),
                    format!("invalid JSON: {error}"),
                );
                return None;
            }
        }
    }
    match parse_yaml(text) {
        Ok(yaml) => match yaml_to_json(yaml) {
            Ok(value) => Some(value),
            Err(message) => {
                report.error("#", message);
                None
            }
        },
        Err(error) => {
            // Scanner errors (control characters) report line 1, column 1 and put the real
            // place in the message as a byte offset: the offset is the one to trust.
            let location = byte_offset_in(&error.to_string())
                .map(|offset| line_and_column(text, offset))
                .or_else(|| error.location().map(|at| (at.line(), at.column())))
                .map(|(line, column)| format!("line {line}, column {column}"))
                .unwrap_or_else(|| "#".to_owned());
            report.error(location, format!("invalid YAML: {error}"));
            None
        }
    }
}

/// The `N` of "... at position N" in a YAML scanner error.
fn byte_offset_in(message: &str) -> Option<usize> {
    let rest = &message[message.find("at position ")? + "at position ".len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// 1-based line and column (in characters) of a byte offset into `text`.
fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |last| last.chars().count()) + 1;
    (line, column)
}

/// serde_yaml rejects integers beyond 64 bits (`minimum: -9223372036854776000` in real
/// specs). Such a number is still unambiguous: it is read as the nearest float instead.
fn parse_yaml(text: &str) -> Result<serde_yaml::Value, serde_yaml::Error> {
    let mut text = std::borrow::Cow::Borrowed(text);
    for _ in 0..1000 {
        let error = match serde_yaml::from_str::<serde_yaml::Value>(&text) {
            Ok(value) => return Ok(value),
            Err(error) => error,
        };
        let message = error.to_string();
        let oversized = message.contains(" as i128") || message.contains(" as u128");
        let widened = error.location().filter(|_| oversized).and_then(|at| widen_integer(&text, at.index()));
        match widened {
            Some(fixed) => text = std::borrow::Cow::Owned(fixed),
            None => return Err(error),
        }
    }
    serde_yaml::from_str::<serde_yaml::Value>(&text)
}

/// The text with the integer literal starting at byte `start` written as a float.
fn widen_integer(text: &str, start: usize) -> Option<String> {
    let rest = text.get(start..)?;
    let sign = usize::from(rest.starts_with(['-', '+']));
    let digits = rest[sign..].bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    let end = start + sign + digits;
    Some(format!("{}.0{}", &text[..end], &text[end..]))
}

fn yaml_to_json(yaml: serde_yaml::Value) -> Result<Value, String> {
    use serde_yaml::Value as Yaml;
    Ok(match yaml {
        Yaml::Null => Value::Null,
        Yaml::Bool(b) => Value::Bool(b),
        Yaml::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                n.as_f64().and_then(serde_json::Number::from_f64).map(Value::Number).unwrap_or(Value::Null)
            }
        }
        Yaml::String(s) => Value::String(s),
        Yaml::Sequence(items) => Value::Array(items.into_iter().map(yaml_to_json).collect::<Result<_, _>>()?),
        Yaml::Mapping(map) => {
            let mut object = serde_json::Map::new();
            for (key, value) in map {
                let key = match key {
                    Yaml::String(s) => s,
                    Yaml::Number(n) => n.to_string(),
                    Yaml::Bool(b) => b.to_string(),
                    Yaml::Null => "null".to_owned(),
                    other => return Err(format!("unsupported YAML mapping key {other:?}")),
                };
                object.insert(key, yaml_to_json(value)?);
            }
            Value::Object(object)
        }
        Yaml::Tagged(tagged) => yaml_to_json(tagged.value)?,
    })
}

/// Typed parsing; a rejected shape is reported at its JSON pointer.
pub(crate) fn to_openapi(mut document: Value, report: &mut Reporter) -> Option<openapiv3::OpenAPI> {
    // Schemas first, one level at a time: `openapiv3` reads a schema through untagged
    // enums that retry each alternative on the whole subtree, so typed parsing of a
    // deeply nested schema with a bad leaf takes time exponential in its depth.
    let mut schema_errors = check_schemas(&mut document, SHALLOW_HEIGHT);
    // Path tracking is slow on large documents; only a failure needs it.
    if schema_errors.is_empty() {
        if let Ok(openapi) = <openapiv3::OpenAPI as serde::Deserialize>::deserialize(&document) {
            return Some(openapi);
        }
        // Something is wrong: each schema checked on its own names the one that has it,
        // where serde's path would stop at the first untagged enum above it.
        schema_errors = check_schemas(&mut document, 0);
    }
    // The bad schemas are now `{}`: what else is wrong is found in linear time.
    let mut located = locate_shape_errors(&document);
    if schema_errors.is_empty() && located.is_empty() {
        if let Err(error) = serde_path_to_error::deserialize::<_, openapiv3::OpenAPI>(&document) {
            located.push(describe(&error));
        }
    }
    for (at, message) in schema_errors.into_iter().chain(located) {
        report.error(at, message);
    }
    None
}

fn describe(error: &serde_path_to_error::Error<serde_json::Error>) -> (String, String) {
    (path_pointer("#", error.path()), clarify_serde_message(&error.inner().to_string()))
}

fn path_pointer(base: &str, path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut at = base.to_owned();
    for segment in path.iter() {
        match segment {
            Segment::Map { key } => at = pointer(&at, key),
            Segment::Seq { index } => at = pointer(&at, &index.to_string()),
            Segment::Enum { .. } | Segment::Unknown => {}
        }
    }
    at
}

/// Schemas nested deeper than this are checked level by level before typed parsing; a
/// failing shallower one costs at most 2^this times its size to parse.
const SHALLOW_HEIGHT: usize = 8;

/// Checks the schemas that are nested deeper than `shallow` (all with 0): each deep schema on
/// its own keywords (its subschemas moved out, so the check costs the size of one object),
/// each shallow subschema of one as a whole. A bad schema is reported and then emptied to
/// the subschemas it holds; every problem is found at the schema that has it, in time
/// linear in the document. Documents without deep schemas cost one walk of the JSON.
fn check_schemas(document: &mut Value, shallow: usize) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for_each_root_schema(document, &mut |schema, at| {
        if height(schema) > shallow {
            check_schema_tree(schema, at, &mut found, shallow);
        }
    });
    found
}

/// How many schemas deep the tree under `schema` goes (`$ref`s not followed).
fn height(schema: &Value) -> usize {
    if !schema.is_object() || schema.get("$ref").is_some() {
        return 0;
    }
    1 + subschemas(schema).map(height).max().unwrap_or(0)
}

/// Checks the tree under `schema` as [`check_schemas`] says; returns its height.
/// With a `shallow` height of 0, every schema is checked on its own keywords.
fn check_schema_tree(schema: &mut Value, at: &str, found: &mut Vec<(String, String)>, shallow: usize) -> usize {
    if !schema.is_object() || schema.get("$ref").is_some() {
        return 0;
    }
    let mut shallow_children = Vec::new();
    let mut height = 0;
    each_subschema(schema, at, |subschema, at| {
        let child = check_schema_tree(subschema, at, found, shallow);
        if child <= shallow {
            shallow_children.push(at.to_owned());
        }
        height = height.max(child);
    });
    let height = height + 1;
    if height <= shallow {
        return height;
    }
    // A deep schema's shallow subschemas were not checked on the way up: check them whole,
    // and a failing one level by level, since serde's path stops at the first untagged enum.
    each_subschema(schema, at, |subschema, child_at| {
        if !shallow_children.iter().any(|shallow| shallow == child_at) {
            return;
        }
        let mut whole = Vec::new();
        if probe::<openapiv3::Schema>(subschema, child_at, &mut whole) {
            return;
        }
        let before = found.len();
        check_schema_tree(subschema, child_at, found, 0);
        if found.len() == before {
            found.extend(whole);
        }
        *subschema = json!({});
    });
    let Some(object) = schema.as_object_mut() else { return height };
    // Subschemas are moved out for the check of the schema's own keywords, and back after.
    let mut moved = Vec::new();
    for (key, value) in object.iter_mut() {
        let stand_in = match value {
            _ if !is_subschema_key(key) => continue,
            Value::Object(members) if key == "properties" => match members.values().all(Value::is_object) {
                true => Value::Object(members.keys().map(|name| (name.clone(), json!({}))).collect()),
                false => continue,
            },
            Value::Object(_) => json!({}),
            Value::Array(items) if items.iter().all(Value::is_object) => Value::Array(vec![json!({}); items.len()]),
            _ => continue,
        };
        moved.push((key.clone(), std::mem::replace(value, stand_in)));
    }
    let valid = probe_object::<openapiv3::Schema>(object, at, found);
    for (key, value) in moved {
        object.insert(key, value);
    }
    if !valid {
        object.retain(|key, _| is_subschema_key(key));
    }
    height
}

fn is_subschema_key(key: &str) -> bool {
    matches!(key, "items" | "not" | "additionalProperties" | "allOf" | "oneOf" | "anyOf" | "prefixItems" | "properties")
}

/// [`probe`] for an object held in place.
fn probe_object<T: serde::de::DeserializeOwned>(
    object: &Map<String, Value>,
    at: &str,
    found: &mut Vec<(String, String)>,
) -> bool {
    use serde::de::IntoDeserializer;
    // Path tracking costs; only a failure needs it.
    if T::deserialize(object.into_deserializer()).is_ok() {
        return true;
    }
    match serde_path_to_error::deserialize::<_, T>(object.into_deserializer()) {
        Ok(_) => true,
        Err(error) => {
            let (inner, message) = describe(&error);
            found.push((format!("{at}{}", inner.trim_start_matches('#')), message));
            false
        }
    }
}

/// Deserializes `value` as `T`, unless it is a `$ref` (checked separately).
fn probe<T: serde::de::DeserializeOwned>(value: &Value, at: &str, found: &mut Vec<(String, String)>) -> bool {
    if value.get("$ref").is_some() {
        return true;
    }
    match serde_path_to_error::deserialize::<_, T>(value) {
        Ok(_) => true,
        Err(error) => {
            let (inner, message) = describe(&error);
            found.push((format!("{at}{}", inner.trim_start_matches('#')), message));
            false
        }
    }
}

/// Every part of the document that fails typed parsing, at the deepest known level.
fn locate_shape_errors(document: &Value) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let entries = |value: Option<&Value>| -> Vec<(String, Value)> {
        value
            .and_then(Value::as_object)
            .map(|object| object.iter().map(|(key, value)| (key.clone(), value.clone())).collect())
            .unwrap_or_default()
    };
    for (path, item) in entries(document.get("paths")) {
        let item_at = pointer("#/paths", &path);
        let before = found.len();
        for method in METHODS {
            let Some(operation) = item.get(*method) else { continue };
            let operation_at = pointer(&item_at, method);
            let inner = found.len();
            for (status, response) in entries(operation.get("responses")) {
                probe::<openapiv3::Response>(
                    &response,
                    &pointer(&pointer(&operation_at, "responses"), &status),
                    &mut found,
                );
            }
            if let Some(parameters) = operation.get("parameters").and_then(Value::as_array) {
                for (index, parameter) in parameters.iter().enumerate() {
                    let at = pointer(&pointer(&operation_at, "parameters"), &index.to_string());
                    probe::<openapiv3::Parameter>(parameter, &at, &mut found);
                }
            }
            if let Some(body) = operation.get("requestBody") {
                probe::<openapiv3::RequestBody>(body, &pointer(&operation_at, "requestBody"), &mut found);
            }
            if found.len() == inner {
                probe::<openapiv3::Operation>(operation, &operation_at, &mut found);
            }
        }
        if found.len() == before {
            probe::<openapiv3::PathItem>(&item, &item_at, &mut found);
        }
    }
    let components = document.get("components");
    for (name, schema) in entries(components.and_then(|c| c.get("schemas"))) {
        probe::<openapiv3::Schema>(&schema, &pointer("#/components/schemas", &name), &mut found);
    }
    for (name, response) in entries(components.and_then(|c| c.get("responses"))) {
        probe::<openapiv3::Response>(&response, &pointer("#/components/responses", &name), &mut found);
    }
    for (name, parameter) in entries(components.and_then(|c| c.get("parameters"))) {
        probe::<openapiv3::Parameter>(&parameter, &pointer("#/components/parameters", &name), &mut found);
    }
    for (name, body) in entries(components.and_then(|c| c.get("requestBodies"))) {
        probe::<openapiv3::RequestBody>(&body, &pointer("#/components/requestBodies", &name), &mut found);
    }
    for (name, scheme) in entries(components.and_then(|c| c.get("securitySchemes"))) {
        probe::<openapiv3::SecurityScheme>(&scheme, &pointer("#/components/securitySchemes", &name), &mut found);
    }
    if found.is_empty() {
        if let Some(info) = document.get("info") {
            probe::<openapiv3::Info>(info, "#/info", &mut found);
        }
    }
    found
}

/// Serde's messages name the parser's Rust types (`struct Schema`, `untagged enum
/// ReferenceOr`, `variant`); these say the same in OpenAPI terms.
fn clarify_serde_message(message: &str) -> String {
    if message.contains("untagged enum ReferenceOr") {
        return "neither a valid `$ref` nor a valid inline object here (a required field may be missing, or a field has the wrong type)".to_owned();
    }
    if message.contains("enum ParameterSchemaOrContent") {
        return "a parameter needs a `schema` or a `content` map".to_owned();
    }
    if let Some(rest) = message.strip_prefix("unknown variant ") {
        // "unknown variant `x`, expected one of `a`, `b`" / "…, expected `a`"
        return match rest.split_once(", expected ") {
            Some((value, expected)) => format!("{value} is not allowed here; expected {expected}"),
            None => format!("{rest} is not allowed here"),
        };
    }
    for spelling in
        ["expected struct ", "expected internally tagged enum ", "expected adjacently tagged enum ", "expected enum "]
    {
        if let Some((before, type_name)) = message.rsplit_once(spelling) {
            return format!("{before}expected {}", object_words(type_name));
        }
    }
    if let Some(before) = message.strip_suffix("expected variant identifier") {
        return format!("{before}expected the name of one of the values allowed here");
    }
    if message.contains("did not match any variant of untagged enum") || message.contains("found in flattened data") {
        return "this object does not have the fields of any form allowed here (a required field may be missing, or a field has the wrong type)".to_owned();
    }
    message.to_owned()
}

/// `PathItem` → "a path item object".
fn object_words(type_name: &str) -> String {
    let mut words = String::new();
    for (index, c) in type_name.trim().chars().enumerate() {
        if c.is_ascii_uppercase() && index > 0 {
            words.push(' ');
        }
        words.push(c.to_ascii_lowercase());
    }
    let article = if words.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" };
    format!("{article} {words} object")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_beyond_64_bits_are_read_as_floats() {
        let mut report = Reporter::new("x.yaml");
        let value =
            parse_document("a: -9223372036854776000\nb: 18446744073709551616\nc: 1\n", &mut report).expect("parses");
        assert_eq!(value["a"].as_f64(), Some(-9.223372036854776e18));
        assert_eq!(value["b"].as_f64(), Some(1.8446744073709552e19));
        assert_eq!(value["c"], 1);
    }

    #[test]
    fn control_characters_are_located_at_their_line_not_the_first() {
        let mut report = Reporter::new("x.yaml");
        let text = "a: 1\nb: 2\nc: \"bad \u{80} value\"\n";
        assert!(parse_document(text, &mut report).is_none());
        let errors = report.finish().expect_err("rejected");
        let first = errors.iter().next().expect("one error");
        assert!(first.location.starts_with("line 3, column "), "{first}");
    }
}
