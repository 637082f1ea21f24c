//! JSON Schema spellings that both converters bring into 3.0: `type` lists and the
//! keywords beside a `$ref`.

use super::{pointer, Origins, Problems};
use serde_json::{json, Map, Value};

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

/// 3.0 ignores a `$ref`'s siblings: annotations the client has no use for are
/// dropped; the rest (constraints, and the description, direction and default the
/// client documents) sit beside an `allOf` instead.
pub(super) fn ref_siblings(schema: &mut Map<String, Value>, at: &str, wrapped: &mut Origins) {
    let Some(target) = schema.get("$ref").cloned() else { return };
    let dropped = |key: &str| key.starts_with("x-") || (ANNOTATIONS.contains(&key) && !KEPT_ANNOTATIONS.contains(&key));
    schema.retain(|key, _| key == "$ref" || !dropped(key));
    if schema.len() == 1 {
        return;
    }
    schema.shift_remove("$ref");
    let reference = json!({ "$ref": target });
    let all_of = pointer(at, "allOf");
    // The parts written beside the `$ref` each move one place along. A chained mapping
    // follows only earlier rules, so the shifts come first and last-to-first: `allOf/2` →
    // `allOf/1` must not go on through `allOf/1` → `allOf/0`, nor that through the
    // `$ref`'s own rule.
    let written = schema.get("allOf").and_then(Value::as_array).map_or(0, Vec::len);
    for index in (0..written).rev() {
        wrapped.add(&pointer(&all_of, &(index + 1).to_string()), pointer(&all_of, &index.to_string()));
    }
    wrapped.add(&pointer(&all_of, "0"), at);
    match schema.get_mut("allOf") {
        Some(Value::Array(parts)) => parts.insert(0, reference),
        _ => {
            schema.insert("allOf".to_owned(), json!([reference]));
        }
    }
}

pub(super) fn is_null_schema(schema: &Value) -> bool {
    match schema.get("type") {
        Some(Value::String(name)) => name == "null",
        Some(Value::Array(names)) => names.iter().all(|name| name == "null") && !names.is_empty(),
        _ => false,
    }
}

pub(super) fn push_all_of(schema: &mut Map<String, Value>, part: Value) {
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
        "number" | "integer" => &["format", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"],
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
