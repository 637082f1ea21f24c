//! Inheritance: OpenAPI's polymorphism through `allOf`. A schema with a `discriminator`
//! that other schemas extend (`Pet` with `petType`; `Dog: {allOf: [$ref: Pet, …]}`) stands,
//! wherever it is used, for whichever of those schemas the discriminator names. Read as a
//! plain struct it would drop every field of the subtype it holds, so it is rewritten as
//! the choice among them, dispatched on the discriminator (a `oneOf` with a mapping, which
//! the rest of loading already reads), and its own properties move to `{Name}Base`, which
//! the subtypes extend instead. Runs on the bundled document, where every `$ref` to a
//! schema is `#/components/schemas/<name>`.

use crate::diagnostics::{pointer, Origins};
use serde_json::{json, Map, Value};
use std::collections::{HashMap, HashSet};

const SCHEMAS: &str = "#/components/schemas";

/// Rewrites every base schema of the document; `origins` maps each `{Name}Base` back to
/// the schema the user wrote.
///
/// Bases are rewritten from the root down (`Animal` before `Pet`, which extends it), so
/// the result does not depend on the order the document lists them in: a base that
/// extends another stays one of its parent's values, as the choice of its own subtypes
/// and of its own part, under the tags its parent gives it.
pub(crate) fn expand(document: &mut Value, origins: &mut Origins) {
    let Some(schemas) = document.pointer_mut("/components/schemas").and_then(Value::as_object_mut) else { return };
    let mut bases: Vec<(usize, usize, String)> = (schemas.iter().enumerate())
        .filter(|(_, (_, schema))| is_base(schema))
        .map(|(index, (name, _))| (0, index, name.clone()))
        .collect();
    let names: HashSet<String> = bases.iter().map(|(_, _, name)| name.clone()).collect();
    for (depth, _, name) in &mut bases {
        *depth = ancestors(schemas, name).iter().filter(|ancestor| names.contains(*ancestor)).count();
    }
    bases.sort();
    // Read once: rewriting a base changes only the references to that base itself.
    let extenders = extenders(schemas);
    // Each rewritten base's property, mapping and subtypes, for the bases that extend it.
    let mut rewritten: Vec<(Value, Map<String, Value>, Vec<String>)> = Vec::new();
    for (_, _, base) in bases {
        let reference = format!("{SCHEMAS}/{base}");
        let children = descendants(&extenders, &base);
        if children.is_empty() {
            continue;
        }
        let own_name = free_name(schemas, &format!("{base}Base"));
        let own_reference = format!("{SCHEMAS}/{own_name}");
        let Some(Value::Object(mut own)) = schemas.get(&base).cloned() else { continue };
        let Some(Value::Object(discriminator)) = own.shift_remove("discriminator") else { continue };
        let property = discriminator.get("propertyName").cloned().unwrap_or(Value::Null);
        declare_property(&mut own, &property);
        // The mapping as given, each value as the reference to its component (a value
        // naming the base itself now names its own part; one naming no schema is left
        // out, its tag kept whole as `Other`).
        let given = discriminator.get("mapping").and_then(Value::as_object);
        let mut mapping = Map::new();
        for (tag, target) in given.into_iter().flatten() {
            let Some(name) = target.as_str().and_then(|target| mapped_schema(schemas, target)) else { continue };
            let target = if name == base { own_reference.clone() } else { format!("{SCHEMAS}/{name}") };
            mapping.insert(tag.clone(), Value::String(target));
        }
        // A base that extends another is still one of its parent's values, under the tags
        // the parent gives it (its own name, unless the parent's mapping says otherwise).
        for (parent_property, parent_mapping, parent_children) in &rewritten {
            if *parent_property != property || !parent_children.contains(&base) {
                continue;
            }
            let given: Vec<&String> = (parent_mapping.iter())
                .filter(|(_, target)| target.as_str() == Some(&reference))
                .map(|(tag, _)| tag)
                .collect();
            let tags = if given.is_empty() { vec![&base] } else { given };
            for tag in tags {
                mapping.entry(tag.clone()).or_insert_with(|| Value::String(own_reference.clone()));
            }
        }
        // Azure's specs name each subtype's value with an extension.
        for child in &children {
            let tag = schemas.get(child).and_then(|schema| schema.get("x-ms-discriminator-value")?.as_str());
            if let Some(tag) = tag {
                mapping.entry(tag.to_owned()).or_insert_with(|| Value::String(format!("{SCHEMAS}/{child}")));
            }
        }
        // Subtypes the mapping leaves out are selected as OpenAPI says, by the values they
        // list for the property, else by their names: loading reads them so.
        let mapped: HashSet<&str> = mapping.values().filter_map(Value::as_str).collect();
        let implicit_tags: Vec<String> = (children.iter())
            .filter(|child| !mapped.contains(format!("{SCHEMAS}/{child}").as_str()))
            .flat_map(|child| {
                let listed =
                    property.as_str().map(|property| listed_values(schemas, child, property)).unwrap_or_default();
                if listed.is_empty() {
                    vec![child.clone()]
                } else {
                    listed
                }
            })
            .collect();
        widen_listed_values(&mut own, &property, mapping.keys().chain(&implicit_tags));
        let mut variants: Vec<String> = Vec::new();
        let mut listed: HashSet<String> = HashSet::new();
        let mapped = mapping.values().filter_map(Value::as_str).map(str::to_owned);
        for target in mapped.chain(children.iter().map(|child| format!("{SCHEMAS}/{child}"))) {
            if listed.insert(target.clone()) {
                variants.push(target);
            }
        }
        for child in &children {
            if let Some(Value::Object(schema)) = schemas.get_mut(child) {
                retarget(schema, &reference, &own_reference);
            }
        }
        let mut choice = Map::new();
        if let Some(description) = own.get("description") {
            choice.insert("description".to_owned(), description.clone());
        }
        // A `null` is the choice's to take: the part inside never sees one.
        if let Some(nullable) = own.shift_remove("nullable") {
            choice.insert("nullable".to_owned(), nullable);
        }
        let one_of = variants.iter().map(|target| json!({ "$ref": target })).collect();
        choice.insert("oneOf".to_owned(), one_of);
        choice.insert("discriminator".to_owned(), json!({ "propertyName": property, "mapping": mapping }));
        schemas.insert(own_name.clone(), Value::Object(own));
        schemas.insert(base.clone(), Value::Object(choice));
        origins.add(&pointer(SCHEMAS, &own_name), pointer(SCHEMAS, &base));
        rewritten.push((property, mapping, children));
    }
}

/// Every value carries the discriminator property, so the base's own part declares it
/// when the document leaves that to the mapping: each subtype then keeps the tag it came
/// with where two select it (`dog` and `puppy` both `Dog`), and sends it back unchanged.
fn declare_property(own: &mut Map<String, Value>, property: &Value) {
    let Some(property) = property.as_str() else { return };
    if own.get("type").is_some_and(|kind| kind != "object") {
        return;
    }
    let properties = own.entry("properties").or_insert_with(|| json!({}));
    if let Some(properties) = properties.as_object_mut() {
        properties.entry(property.to_owned()).or_insert_with(|| json!({ "type": "string" }));
    }
}

/// The schemas `name` extends through `allOf`, at any depth (each once, whatever cycles
/// the document has).
fn ancestors(schemas: &Map<String, Value>, name: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let mut pending = vec![name.to_owned()];
    while let Some(current) = pending.pop() {
        let parts = schemas.get(&current).and_then(|schema| schema.get("allOf")).and_then(Value::as_array);
        for part in parts.into_iter().flatten() {
            let parent = part.get("$ref").and_then(Value::as_str).and_then(|target| target.strip_prefix(SCHEMAS));
            let Some(parent) = parent.and_then(|parent| parent.strip_prefix('/')) else { continue };
            if parent != name && !found.iter().any(|seen| seen == parent) {
                found.push(parent.to_owned());
                pending.push(parent.to_owned());
            }
        }
    }
    found
}

/// The values `name` lists for `property` (`type: {enum: [user.created]}`), in its own
/// properties or in an `allOf` part written in place.
fn listed_values(schemas: &Map<String, Value>, name: &str, property: &str) -> Vec<String> {
    let Some(schema) = schemas.get(name) else { return Vec::new() };
    let inline_parts = schema.get("allOf").and_then(Value::as_array).into_iter().flatten();
    std::iter::once(schema)
        .chain(inline_parts.filter(|part| part.get("$ref").is_none()))
        .filter_map(|part| part.get("properties")?.get(property)?.get("enum")?.as_array())
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect()
}

/// The component a mapping value names: `#/components/schemas/Dog`, `Dog`, or a
/// reference into the file it was written in (`#/dog_action`), which bundling leaves as
/// it is (a mapping value is not a `$ref`), by its last segment.
fn mapped_schema(schemas: &Map<String, Value>, target: &str) -> Option<String> {
    let name = target.strip_prefix(SCHEMAS).and_then(|rest| rest.strip_prefix('/')).unwrap_or(target);
    if schemas.contains_key(name) {
        return Some(name.to_owned());
    }
    let last = target.rsplit('/').next()?;
    schemas.contains_key(last).then(|| last.to_owned())
}

/// A discriminator property listing its values (`enum: [authorization_code, refresh_token]`)
/// takes every value that selects a subtype too: the spec says the API sends them, and
/// each subtype's field would otherwise read its own tag as a value it does not know.
fn widen_listed_values<'t>(own: &mut Map<String, Value>, property: &Value, tags: impl Iterator<Item = &'t String>) {
    let listed = property.as_str().and_then(|property| own.get_mut("properties")?.get_mut(property)?.get_mut("enum"));
    let Some(Value::Array(listed)) = listed else { return };
    if !listed.iter().all(Value::is_string) {
        return;
    }
    for tag in tags {
        if !listed.iter().any(|value| value.as_str() == Some(tag)) {
            listed.push(Value::String(tag.clone()));
        }
    }
}

/// A schema with a discriminator of its own that is not already a choice.
fn is_base(schema: &Value) -> bool {
    schema
        .get("discriminator")
        .and_then(|discriminator| discriminator.get("propertyName"))
        .is_some_and(Value::is_string)
        && schema.get("oneOf").is_none()
        && schema.get("anyOf").is_none()
}

/// For each schema, the schemas that list it among their `allOf` parts, in the
/// document's order.
fn extenders(schemas: &Map<String, Value>) -> HashMap<String, Vec<String>> {
    let mut index: HashMap<String, Vec<String>> = HashMap::new();
    for (name, schema) in schemas {
        let parts = schema.get("allOf").and_then(Value::as_array).into_iter().flatten();
        let parents = parts.filter_map(|part| part.get("$ref")?.as_str()?.strip_prefix(SCHEMAS)?.strip_prefix('/'));
        for parent in parents {
            let children = index.entry(parent.to_owned()).or_default();
            if !children.contains(name) {
                children.push(name.clone());
            }
        }
    }
    index
}

/// The schemas that extend `base` through `allOf`, directly or through others that do
/// (`Dog` extends `Pet`, which extends `Animal`): each is one of the values `base` stands for.
fn descendants(extenders: &HashMap<String, Vec<String>>, base: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let mut seen: HashSet<&str> = HashSet::new();
    let mut parents = vec![base];
    while let Some(parent) = parents.pop() {
        for child in extenders.get(parent).into_iter().flatten() {
            if child != base && seen.insert(child) {
                found.push(child.clone());
                parents.push(child);
            }
        }
    }
    found
}

/// Points the `allOf` parts of `schema` that name `from` at `to`.
fn retarget(schema: &mut Map<String, Value>, from: &str, to: &str) {
    let Some(Value::Array(parts)) = schema.get_mut("allOf") else { return };
    for part in parts {
        if part.get("$ref").and_then(Value::as_str) == Some(from) {
            *part = json!({ "$ref": to });
        }
    }
}

/// `wanted`, or `wanted2`, `wanted3`… when a schema already has that name.
fn free_name(schemas: &Map<String, Value>, wanted: &str) -> String {
    (1..)
        .map(|n| if n == 1 { wanted.to_owned() } else { format!("{wanted}{n}") })
        .find(|name| !schemas.contains_key(name))
        .unwrap_or_else(|| wanted.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expanded(schemas: Value) -> Value {
        let mut document = json!({ "components": { "schemas": schemas } });
        expand(&mut document, &mut Origins::chained());
        document["components"]["schemas"].take()
    }

    #[test]
    fn a_base_becomes_the_choice_of_its_subtypes_and_they_extend_its_own_part() {
        let schemas = expanded(json!({
            "Pet": {
                "description": "A pet.",
                "properties": { "petType": { "type": "string" } },
                "discriminator": { "propertyName": "petType", "mapping": { "dog": "Dog", "pet": "#/components/schemas/Pet" } }
            },
            "PetBase": { "type": "string" },
            "Dog": { "allOf": [{ "$ref": "#/components/schemas/Pet" }, { "properties": { "bark": {} } }] },
            "Cat": { "allOf": [{ "$ref": "#/components/schemas/Pet" }] }
        }));
        assert_eq!(
            schemas["Pet"],
            json!({
                "description": "A pet.",
                "oneOf": [
                    { "$ref": "#/components/schemas/Dog" },
                    { "$ref": "#/components/schemas/PetBase2" },
                    { "$ref": "#/components/schemas/Cat" }
                ],
                "discriminator": { "propertyName": "petType", "mapping": {
                    "dog": "#/components/schemas/Dog",
                    "pet": "#/components/schemas/PetBase2"
                } }
            })
        );
        assert_eq!(
            schemas["PetBase2"],
            json!({ "description": "A pet.", "properties": { "petType": { "type": "string" } } })
        );
        assert_eq!(schemas["Dog"]["allOf"][0], json!({ "$ref": "#/components/schemas/PetBase2" }));
        assert_eq!(schemas["PetBase"], json!({ "type": "string" }), "a schema already named so is left alone");
    }

    #[test]
    fn mapping_values_left_as_written_in_another_file_name_their_components() {
        let schemas = expanded(json!({
            "Action": {
                "properties": { "type": { "type": "string" } },
                "discriminator": { "propertyName": "type", "mapping": {
                    "assign": "#/assign_action", "gone": "#/nowhere"
                } }
            },
            "assign_action": { "allOf": [{ "$ref": "#/components/schemas/Action" }] }
        }));
        assert_eq!(schemas["Action"]["oneOf"], json!([{ "$ref": "#/components/schemas/assign_action" }]));
        assert_eq!(
            schemas["Action"]["discriminator"]["mapping"],
            json!({ "assign": "#/components/schemas/assign_action" }),
            "a value naming no schema is left out"
        );
    }

    #[test]
    fn a_base_that_leaves_its_discriminator_to_the_mapping_declares_it() {
        let schemas = expanded(json!({
            "Shipment": { "type": "object", "discriminator": { "propertyName": "speed" } },
            "Express": { "allOf": [{ "$ref": "#/components/schemas/Shipment" }] }
        }));
        assert_eq!(schemas["ShipmentBase"]["properties"], json!({ "speed": { "type": "string" } }));
    }

    #[test]
    fn the_discriminator_property_lists_every_value_the_mapping_names() {
        let schemas = expanded(json!({
            "Token": {
                "properties": { "flow": { "type": "string", "enum": ["code"] } },
                "discriminator": { "propertyName": "flow", "mapping": {
                    "code": "#/components/schemas/CodeToken", "refresh": "#/components/schemas/RefreshToken"
                } }
            },
            "CodeToken": { "allOf": [{ "$ref": "#/components/schemas/Token" }] },
            "RefreshToken": { "allOf": [{ "$ref": "#/components/schemas/Token" }] }
        }));
        assert_eq!(schemas["TokenBase"]["properties"]["flow"]["enum"], json!(["code", "refresh"]));
    }

    #[test]
    fn a_subtype_of_a_subtype_is_one_of_the_bases_choices_too() {
        let schemas = expanded(json!({
            "Animal": { "properties": { "kind": { "type": "string" } }, "discriminator": { "propertyName": "kind" } },
            "Pet": { "allOf": [{ "$ref": "#/components/schemas/Animal" }, { "properties": { "name": {} } }] },
            "Dog": { "allOf": [{ "$ref": "#/components/schemas/Pet" }, { "properties": { "bark": {} } }] }
        }));
        assert_eq!(
            schemas["Animal"]["oneOf"],
            json!([{ "$ref": "#/components/schemas/Pet" }, { "$ref": "#/components/schemas/Dog" }])
        );
        assert_eq!(schemas["Pet"]["allOf"][0], json!({ "$ref": "#/components/schemas/AnimalBase" }));
        assert_eq!(
            schemas["Dog"]["allOf"][0],
            json!({ "$ref": "#/components/schemas/Pet" }),
            "Pet holds Animal's part"
        );
    }

    #[test]
    fn a_base_that_extends_another_stays_its_value_whichever_comes_first() {
        let animal =
            json!({ "properties": { "kind": { "type": "string" } }, "discriminator": { "propertyName": "kind" } });
        let pet = json!({
            "allOf": [{ "$ref": "#/components/schemas/Animal" }, { "properties": { "name": {} } }],
            "discriminator": { "propertyName": "kind" }
        });
        let dog = json!({ "allOf": [{ "$ref": "#/components/schemas/Pet" }] });
        let root_first = expanded(json!({ "Animal": animal, "Pet": pet, "Dog": dog }));
        let root_last = expanded(json!({ "Dog": dog, "Pet": pet, "Animal": animal }));
        for schemas in [&root_first, &root_last] {
            assert_eq!(
                schemas["Animal"]["oneOf"],
                json!([{ "$ref": "#/components/schemas/Pet" }, { "$ref": "#/components/schemas/Dog" }])
            );
            // A plain pet is `Pet`'s own part, under the tag `Animal` gives it.
            assert_eq!(schemas["Pet"]["discriminator"]["mapping"], json!({ "Pet": "#/components/schemas/PetBase" }));
            assert_eq!(schemas["PetBase"]["allOf"][0], json!({ "$ref": "#/components/schemas/AnimalBase" }));
        }
    }

    #[test]
    fn unmapped_subtypes_keep_their_listed_values_and_azure_names_its_own() {
        let schemas = expanded(json!({
            "Event": {
                "nullable": true,
                "properties": { "type": { "type": "string", "enum": ["user.created"] } },
                "discriminator": { "propertyName": "type" }
            },
            "UserCreated": { "allOf": [
                { "$ref": "#/components/schemas/Event" },
                { "properties": { "type": { "enum": ["user.created"] } } }
            ] },
            "UserDeleted": { "allOf": [
                { "$ref": "#/components/schemas/Event" },
                { "properties": { "type": { "enum": ["user.deleted"] } } }
            ] },
            "Script": { "x-ms-discriminator-value": "Microsoft.Compute.Script", "allOf": [{ "$ref": "#/components/schemas/Event" }] }
        }));
        assert_eq!(
            schemas["Event"]["discriminator"]["mapping"],
            json!({ "Microsoft.Compute.Script": "#/components/schemas/Script" }),
            "loading reads the values each subtype lists; only the extension is a mapping"
        );
        assert_eq!(
            schemas["EventBase"]["properties"]["type"]["enum"],
            json!(["user.created", "Microsoft.Compute.Script", "user.deleted"])
        );
        assert_eq!(schemas["Event"]["nullable"], json!(true), "a null is the choice's");
        assert!(schemas["EventBase"].get("nullable").is_none());
    }

    #[test]
    fn a_discriminator_no_schema_extends_or_on_a_choice_is_left_alone() {
        let schemas = json!({
            "Lonely": { "properties": { "kind": {} }, "discriminator": { "propertyName": "kind" } },
            "Choice": { "oneOf": [{ "$ref": "#/components/schemas/A" }], "discriminator": { "propertyName": "kind" } },
            "A": { "allOf": [{ "$ref": "#/components/schemas/Choice" }] }
        });
        assert_eq!(expanded(schemas.clone()), schemas);
    }
}
