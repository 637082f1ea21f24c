//! The structure of an OpenAPI 3.0 document at the JSON level: where operations, `$ref`s
//! and schemas may appear, and what a media type is. `convert`, `bundle` and `parse` walk
//! `serde_json::Value` documents through these, so no stage keeps its own copy.

use crate::diagnostics::pointer;
use serde_json::{json, Map, Value};

/// The operation keys of a path item.
pub(crate) const METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// `multipart/form-data; boundary=x` → `multipart/form-data`.
pub(crate) fn essence(media_type: &str) -> String {
    media_type.split(';').next().unwrap_or(media_type).trim().to_ascii_lowercase()
}

/// Called on each schema object before its subschemas, so what it rewrites into new
/// subschemas (a `type` list becoming `anyOf`) is walked too.
pub(crate) type Visit<'a> = dyn FnMut(&mut Map<String, Value>, &str) + 'a;

/// Subschema positions holding one schema. `additionalProperties` is apart: it may be a boolean.
const SUBSCHEMA: &[&str] = &["items", "not"];
const SUBSCHEMA_LISTS: &[&str] = &["allOf", "oneOf", "anyOf", "prefixItems"];

/// Calls `visit` on every schema under the paths and components of a 3.0-shaped document,
/// subschemas included.
pub(crate) fn for_each_schema(document: &mut Value, visit: &mut Visit<'_>) {
    for_each_root_schema(document, &mut |schema, at| walk_schema(schema, at, visit));
}

/// Calls `visit` on every schema object under the paths and components, subschemas
/// included, changing nothing else: a boolean where a schema belongs stays for parsing
/// to report (in 3.0 it is an error).
pub(crate) fn for_each_schema_object(document: &mut Value, visit: &mut Visit<'_>) {
    for_each_root_schema(document, &mut |schema, at| walk_schema_objects(schema, at, visit));
}

fn walk_schema_objects(schema: &mut Value, at: &str, visit: &mut Visit<'_>) {
    let Some(object) = schema.as_object_mut() else { return };
    visit(object, at);
    each_subschema(schema, at, |subschema, at| walk_schema_objects(subschema, at, visit));
}

/// A schema position found by [`for_each_root_schema`].
pub(crate) type VisitRoot<'a> = dyn FnMut(&mut Value, &str) + 'a;

/// Calls `visit` on every schema that is not inside another one: components, and the
/// schemas of parameters, headers, bodies and responses.
pub(crate) fn for_each_root_schema(document: &mut Value, visit: &mut VisitRoot<'_>) {
    each_entry(document, "paths", "#", |item, at| path_item_schemas(item, at, visit));
    let Some(components) = document.get_mut("components") else { return };
    let at = "#/components";
    each_entry(components, "schemas", at, |schema, at| visit(schema, at));
    each_entry(components, "parameters", at, |parameter, at| parameter_schemas(parameter, at, visit));
    each_entry(components, "headers", at, |header, at| parameter_schemas(header, at, visit));
    each_entry(components, "requestBodies", at, |body, at| content_schemas(body, at, visit));
    each_entry(components, "responses", at, |response, at| response_schemas(response, at, visit));
    each_entry(components, "callbacks", at, |callback, at| {
        entries(callback, at, |item, at| path_item_schemas(item, at, visit));
    });
}

/// The direct subschemas of `schema`, as [`each_subschema`] finds them, without pointers.
pub(crate) fn subschemas(schema: &Value) -> impl Iterator<Item = &Value> {
    let single = SUBSCHEMA.iter().filter_map(|key| schema.get(*key));
    let additional = schema.get("additionalProperties").filter(|additional| additional.is_object());
    let lists = SUBSCHEMA_LISTS.iter().filter_map(|key| schema.get(*key)?.as_array()).flatten();
    let properties =
        schema.get("properties").and_then(Value::as_object).into_iter().flat_map(|members| members.values());
    single.chain(additional).chain(lists).chain(properties)
}

/// Calls `f` on each direct subschema of `schema` (`items`, `not`, an object
/// `additionalProperties`, the members of `allOf`/`oneOf`/`anyOf`/`prefixItems` and of
/// `properties`), with its pointer.
pub(crate) fn each_subschema(schema: &mut Value, at: &str, mut f: impl FnMut(&mut Value, &str)) {
    for key in SUBSCHEMA {
        if let Some(subschema) = schema.get_mut(*key) {
            f(subschema, &pointer(at, key));
        }
    }
    if let Some(additional @ Value::Object(_)) = schema.get_mut("additionalProperties") {
        f(additional, &pointer(at, "additionalProperties"));
    }
    for key in SUBSCHEMA_LISTS {
        each_item(schema, key, at, &mut f);
    }
    each_entry(schema, "properties", at, f);
}

/// Calls `f` on each member of the object `value`.
fn entries(value: &mut Value, at: &str, mut f: impl FnMut(&mut Value, &str)) {
    if let Some(members) = value.as_object_mut() {
        for (name, member) in members.iter_mut() {
            f(member, &pointer(at, name));
        }
    }
}

/// Calls `f` on each member of the object `parent[key]`.
fn each_entry(parent: &mut Value, key: &str, at: &str, f: impl FnMut(&mut Value, &str)) {
    if let Some(child) = parent.get_mut(key) {
        entries(child, &pointer(at, key), f);
    }
}

/// Calls `f` on each element of the array `parent[key]`.
fn each_item(parent: &mut Value, key: &str, at: &str, mut f: impl FnMut(&mut Value, &str)) {
    let at = pointer(at, key);
    if let Some(items) = parent.get_mut(key).and_then(Value::as_array_mut) {
        for (index, item) in items.iter_mut().enumerate() {
            f(item, &pointer(&at, &index.to_string()));
        }
    }
}

fn path_item_schemas(item: &mut Value, at: &str, visit: &mut VisitRoot<'_>) {
    each_item(item, "parameters", at, |parameter, at| parameter_schemas(parameter, at, visit));
    for method in METHODS {
        let Some(operation) = item.get_mut(*method) else { continue };
        let at = pointer(at, method);
        each_item(operation, "parameters", &at, |parameter, at| parameter_schemas(parameter, at, visit));
        if let Some(body) = operation.get_mut("requestBody") {
            content_schemas(body, &pointer(&at, "requestBody"), visit);
        }
        each_entry(operation, "responses", &at, |response, at| response_schemas(response, at, visit));
        each_entry(operation, "callbacks", &at, |callback, at| {
            entries(callback, at, |item, at| path_item_schemas(item, at, visit));
        });
    }
}

/// Parameters and headers share their shape: a `schema` or a `content` map.
fn parameter_schemas(parameter: &mut Value, at: &str, visit: &mut VisitRoot<'_>) {
    if let Some(schema) = parameter.get_mut("schema") {
        visit(schema, &pointer(at, "schema"));
    }
    content_schemas(parameter, at, visit);
}

fn response_schemas(response: &mut Value, at: &str, visit: &mut VisitRoot<'_>) {
    each_entry(response, "headers", at, |header, at| parameter_schemas(header, at, visit));
    content_schemas(response, at, visit);
}

/// The media types of whatever owns a `content` map.
fn content_schemas(owner: &mut Value, at: &str, visit: &mut VisitRoot<'_>) {
    each_entry(owner, "content", at, |media, at| {
        if let Some(schema) = media.get_mut("schema") {
            visit(schema, &pointer(at, "schema"));
        }
        each_entry(media, "encoding", at, |encoding, at| {
            each_entry(encoding, "headers", at, |header, at| parameter_schemas(header, at, visit));
        });
    });
}

fn walk_schema(schema: &mut Value, at: &str, visit: &mut Visit<'_>) {
    if let Value::Bool(accepts) = *schema {
        // JSON Schema's boolean schemas; 3.0 only has objects (bar `additionalProperties`).
        *schema = if accepts { json!({}) } else { json!({ "not": {} }) };
    }
    let Some(object) = schema.as_object_mut() else { return };
    visit(object, at);
    each_subschema(schema, at, |subschema, at| walk_schema(subschema, at, visit));
}
