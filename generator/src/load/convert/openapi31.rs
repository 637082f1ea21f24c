//! OpenAPI 3.1 → 3.0: `pathItems` inlined, webhooks and mutual TLS dropped or refused,
//! and JSON Schema 2020-12 undone in schemas (`type` lists, `null` alternatives,
//! `const`, `examples`, exclusive bounds, `contentEncoding`, `$ref` siblings).

use super::schema::{is_null_schema, push_all_of, ref_siblings, type_list};
use super::{for_each_schema, into_result, pointer, unescape_token, Origins, Problems, METHODS, TARGET_VERSION};
use serde_json::{json, Map, Value};

const PATH_ITEM_PREFIX: &str = "#/components/pathItems/";

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
    null_alternatives(schema, at, wrapped);
    type_list(schema, at, problems);
    if let Some(value) = schema.shift_remove("const") {
        schema.insert("enum".to_owned(), json!([value]));
    }
    first_example(schema);
    exclusive_bound(schema, "exclusiveMinimum", "minimum", |inclusive, exclusive| inclusive > exclusive);
    exclusive_bound(schema, "exclusiveMaximum", "maximum", |inclusive, exclusive| inclusive < exclusive);
    encoded_string(schema);
}

/// `oneOf`/`anyOf` with a `{type: "null"}` alternative is 3.0's `nullable`.
fn null_alternatives(schema: &mut Map<String, Value>, at: &str, wrapped: &mut Origins) {
    for keyword in ["oneOf", "anyOf"] {
        let Some(Value::Array(alternatives)) = schema.get_mut(keyword) else { continue };
        let count = alternatives.len();
        // Each kept alternative with the index it was written at.
        let kept: Vec<(usize, Value)> = std::mem::take(alternatives)
            .into_iter()
            .enumerate()
            .filter(|(_, alternative)| !is_null_schema(alternative))
            .collect();
        let written = |index: usize| pointer(&pointer(at, keyword), &index.to_string());
        if kept.len() == count {
            if let Some(Value::Array(alternatives)) = schema.get_mut(keyword) {
                *alternatives = kept.into_iter().map(|(_, alternative)| alternative).collect();
            }
            continue;
        }
        schema.insert("nullable".to_owned(), Value::Bool(true));
        match kept.len() {
            0 => {
                schema.shift_remove(keyword);
                schema.entry("enum").or_insert_with(|| json!([null]));
            }
            1 => {
                schema.shift_remove(keyword);
                let (index, alternative) = kept.into_iter().next().unwrap_or_default();
                collapse(schema, alternative, at, &written(index), wrapped);
            }
            _ => {
                for (position, (index, _)) in kept.iter().enumerate() {
                    wrapped.add(&pointer(&pointer(at, keyword), &position.to_string()), written(*index));
                }
                schema.insert(
                    keyword.to_owned(),
                    Value::Array(kept.into_iter().map(|(_, alternative)| alternative).collect()),
                );
            }
        }
    }
}

/// With one alternative left the schema is that alternative, made nullable, rather
/// than a union of one. `written` is where the alternative was.
fn collapse(schema: &mut Map<String, Value>, alternative: Value, at: &str, written: &str, wrapped: &mut Origins) {
    match alternative {
        Value::Object(members) if !members.contains_key("$ref") => {
            for (key, value) in members {
                if !schema.contains_key(&key) {
                    wrapped.add(&pointer(at, &key), pointer(written, &key));
                    schema.insert(key, value);
                }
            }
        }
        // A bare `$ref` would lose `nullable` in 3.0; `allOf` keeps it.
        other => {
            let position = schema.get("allOf").and_then(Value::as_array).map_or(0, Vec::len);
            wrapped.add(&pointer(&pointer(at, "allOf"), &position.to_string()), written.to_owned());
            push_all_of(schema, other);
        }
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
