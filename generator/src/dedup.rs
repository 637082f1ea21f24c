//! An IR pass: one type per shape. Real specs repeat the same inline schema under many
//! operations (Cloudflare has 197 copies of one `{json, csv}` enum); each copy would be
//! a type of its own, to read and to compile. Types whose definitions would be emitted
//! identically, names and docs aside, become one.
//!
//! Two types have the same shape when their kinds agree (struct, enum, union) and their
//! fields, variants and serde attributes do, each reference naming types of the same
//! shape in turn. Shapes are found by partition refinement (Moore's algorithm: split
//! classes by what their members reference until nothing splits), so recursive types
//! merge too, and the pass is linear in the arena per refinement round.
//!
//! Which name survives, so that it reads as a person would choose and stays put when
//! unrelated parts of the spec change:
//! - a component's own name (`#/components/schemas/X`) over any name derived from where
//!   an inline schema appears; of several components, the first in the document keeps
//!   the definition and the others stay as `pub type Other = First;`, so every name
//!   the spec gives still works;
//! - otherwise the words every derived name ends with (`ListExportsFormat` and
//!   `CreateExportRequestFormat` → `Format`), unless another type has that name or it
//!   is one word too general to stand alone (`Item`, `Request`);
//! - otherwise the shortest derived name, then the first in alphabetical order.
//!
//! Docs: a description every member that has one agrees on is kept; when they differ,
//! a component's own is kept, and a derived type gets none (no one use's text is
//! right for all). Field and variant descriptions and defaults follow the same rule; a
//! field is documented read-only or write-only only when it is so in every member.
//! The survivor keeps every member's origin (verification checks them all) and the
//! union of their directions.
//!
//! Aliases (`type X = Vec<Y>`) are never merged: they cost nothing to compile, and each
//! is a name the spec chose.

use crate::ir::{Api, Response, TypeDef, TypeId, TypeKind, TypeRef};
use std::collections::{HashMap, HashSet};
use std::fmt::Write;

pub(crate) fn merge(api: &mut Api) {
    let classes = shape_classes(&api.types.types);
    let mut members: Vec<Vec<TypeId>> = vec![Vec::new(); classes.iter().max().map_or(0, |max| max + 1)];
    for (index, &class) in classes.iter().enumerate() {
        if !matches!(api.types.types[index].kind, TypeKind::Alias(_)) {
            members[class].push(TypeId(index));
        }
    }
    // What references to each type name from now on (itself, unless it is dropped), and
    // which types are dropped.
    let mut survivor: Vec<TypeId> = (0..classes.len()).map(TypeId).collect();
    let mut dropped = vec![false; classes.len()];
    let mut taken: HashSet<String> = api.types.types.iter().map(|def| def.name.clone()).collect();
    for class in members.iter().filter(|class| class.len() > 1) {
        let types = &mut api.types.types;
        let chosen = choose(types, class);
        if !types[chosen.0].is_component() {
            let names: Vec<&str> = class.iter().map(|id| types[id.0].name.as_str()).collect();
            if let Some(shared) =
                shared_ending(&names).filter(|name| names.contains(&name.as_str()) || !taken.contains(name))
            {
                taken.insert(shared.clone());
                types[chosen.0].name = shared;
            }
        }
        let described = shared_docs(types, class, chosen);
        for &member in class.iter().filter(|&&member| member != chosen) {
            if types[member.0].is_component() {
                // The spec's second name for the shape stays, as an alias of the first,
                // and what the spec says uses it still says so.
                types[member.0].kind = TypeKind::Alias(TypeRef::Named(chosen));
            } else {
                survivor[member.0] = chosen;
                dropped[member.0] = true;
                let origins = std::mem::take(&mut types[member.0].origins);
                types[chosen.0].origins.extend(origins);
            }
            let direction = types[member.0].direction;
            let kept = &mut types[chosen.0].direction;
            kept.sent |= direction.sent;
            kept.received |= direction.received;
        }
        described.apply(&mut types[chosen.0]);
    }
    api.drop_types(&dropped, &survivor);
}

/// The member whose name and definition survive.
fn choose(types: &[TypeDef], class: &[TypeId]) -> TypeId {
    if let Some(&component) = class.iter().find(|id| types[id.0].is_component()) {
        return component;
    }
    let name = |id: &TypeId| (types[id.0].name.len(), types[id.0].name.as_str());
    class.iter().copied().min_by(|a, b| name(a).cmp(&name(b))).unwrap_or(class[0])
}

/// Words too general to name a type on their own: the ending every array item or
/// request body shares says nothing about the shape.
const GENERAL_WORDS: &[&str] = &[
    "Body", "Data", "Element", "Entry", "Inner", "Item", "Items", "Model", "Object", "Request", "Response", "Result",
    "Type", "Value", "Variant",
];

/// The words every name ends with (`ListExportsFormat`, `CreateExportRequestFormat` →
/// `Format`): what the uses have in common is what a person would call the shape. `None`
/// when they share no ending, or only a word too general to stand alone.
fn shared_ending(names: &[&str]) -> Option<String> {
    let words = |name: &str| -> Vec<String> {
        let mut words: Vec<String> = Vec::new();
        for c in name.chars() {
            match words.last_mut() {
                Some(word) if !c.is_ascii_uppercase() => word.push(c),
                _ => words.push(c.to_string()),
            }
        }
        words
    };
    let split: Vec<Vec<String>> = names.iter().map(|name| words(name)).collect();
    let shortest = split.iter().map(Vec::len).min()?;
    let shared = (1..=shortest)
        .take_while(|&length| {
            let ending = &split[0][split[0].len() - length..];
            split.iter().all(|words| &words[words.len() - length..] == ending)
        })
        .last()?;
    let ending = split[0][split[0].len() - shared..].concat();
    let general = shared == 1 && GENERAL_WORDS.contains(&ending.as_str());
    let valid = ending.starts_with(|c: char| c.is_ascii_uppercase()) && ending == crate::naming::type_name(&ending);
    (!general && valid).then_some(ending)
}

/// The docs the survivor of a class keeps (see the module docs).
struct SharedDocs {
    description: Option<String>,
    /// Per field or variant: its description and default.
    parts: Vec<(Option<String>, Option<serde_json::Value>)>,
    /// Per field: `readOnly` and `writeOnly`, which (once `presence` has settled what is
    /// optional) only say something in the docs: kept where every member agrees.
    directions: Vec<(bool, bool)>,
}

fn shared_docs(types: &[TypeDef], class: &[TypeId], chosen: TypeId) -> SharedDocs {
    let own = types[chosen.0].is_component();
    let agreed = |values: &mut dyn Iterator<Item = Option<&String>>, chosen_value: Option<&String>| {
        agreed_value(own, values, chosen_value)
    };
    let description =
        agreed(&mut class.iter().map(|id| types[id.0].description.as_ref()), types[chosen.0].description.as_ref());
    // Each member's parts, read once; the class's members have the same count of them.
    let member_parts: Vec<Vec<(Option<&String>, Option<&serde_json::Value>)>> =
        class.iter().map(|id| parts(&types[id.0].kind)).collect();
    let chosen_parts = parts(&types[chosen.0].kind);
    let parts = chosen_parts
        .iter()
        .enumerate()
        .map(|(index, (chosen_description, chosen_default))| {
            let descriptions = &mut member_parts.iter().map(|member| member.get(index).and_then(|part| part.0));
            let description = agreed(descriptions, *chosen_description);
            let defaults = &mut member_parts.iter().map(|member| member.get(index).and_then(|part| part.1));
            let default = agreed_value(own, defaults, *chosen_default);
            (description, default)
        })
        .collect();
    let fields = |id: &TypeId| match &types[id.0].kind {
        TypeKind::Struct(structure) => structure.fields.as_slice(),
        _ => &[],
    };
    let directions = (0..fields(&chosen).len())
        .map(|index| {
            let all =
                |flag: fn(&crate::ir::Field) -> bool| class.iter().all(|id| fields(id).get(index).is_some_and(flag));
            (all(|field| field.read_only), all(|field| field.write_only))
        })
        .collect();
    SharedDocs { description, parts, directions }
}

impl SharedDocs {
    fn apply(self, def: &mut TypeDef) {
        def.description = self.description;
        let mut parts = self.parts.into_iter();
        match &mut def.kind {
            TypeKind::Struct(structure) => {
                let fields = structure.fields.iter_mut().zip(&mut parts).zip(self.directions);
                fields.for_each(|((field, (description, default)), (read_only, write_only))| {
                    field.description = description;
                    field.default = default;
                    field.read_only = read_only;
                    field.write_only = write_only;
                })
            }
            TypeKind::Enum(variants) => variants
                .iter_mut()
                .zip(&mut parts)
                .for_each(|(variant, (description, _))| variant.description = description),
            TypeKind::ValueEnum(variants) => variants
                .iter_mut()
                .zip(&mut parts)
                .for_each(|(variant, (description, _))| variant.description = description),
            TypeKind::Union(..) | TypeKind::Alias(_) => {}
        }
    }
}

/// The one value the members that have one agree on; when they disagree, the chosen
/// member's if it is a component's own (`own`), else none.
fn agreed_value<T: PartialEq + Clone>(
    own: bool,
    values: &mut dyn Iterator<Item = Option<&T>>,
    chosen: Option<&T>,
) -> Option<T> {
    let mut distinct: Vec<&T> = Vec::new();
    for value in values.flatten() {
        if !distinct.contains(&value) {
            distinct.push(value);
        }
    }
    match distinct.as_slice() {
        [only] => Some((*only).clone()),
        _ if own => chosen.cloned(),
        _ => None,
    }
}

/// The description and default of each field or variant of a definition.
fn parts(kind: &TypeKind) -> Vec<(Option<&String>, Option<&serde_json::Value>)> {
    match kind {
        TypeKind::Struct(structure) => {
            structure.fields.iter().map(|field| (field.description.as_ref(), field.default.as_ref())).collect()
        }
        TypeKind::Enum(variants) => variants.iter().map(|variant| (variant.description.as_ref(), None)).collect(),
        TypeKind::ValueEnum(variants) => variants.iter().map(|variant| (variant.description.as_ref(), None)).collect(),
        TypeKind::Union(..) | TypeKind::Alias(_) => Vec::new(),
    }
}

/// One error enum per shape within a group: operations that document the same error
/// responses (Cloudflare's and DigitalOcean's many operations that all answer
/// `401`/`404`/`429`/`500` with one error model) share the first one's enum, and each
/// later one's name becomes `pub type UpdateError = GetError;`. Every name stays, so
/// code matching `UpdateError::NotFound` reads as before, but each shared enum, and the
/// runtime's error handling for it, is compiled once (DigitalOcean: 659 enums, 129
/// shapes). Shared only within a group: an alias to another group's operation would
/// read as if one resource failed like an unrelated one, and groups are features of
/// their own.
pub(crate) fn share_error_enums(api: &mut Api) {
    for group in &mut api.groups {
        // Each shape's first operation, by index, and every operation that shares it.
        let mut shapes: Vec<(usize, Vec<usize>)> = Vec::new();
        for index in 0..group.operations.len() {
            let errors: Vec<&Response> = group.operations[index].errors().collect();
            if errors.is_empty() {
                continue;
            }
            let operations = &group.operations;
            let same = |first: &usize| same_errors(&operations[*first].errors().collect::<Vec<_>>(), &errors);
            match shapes.iter_mut().find(|(first, _)| same(first)) {
                Some((_, sharing)) => sharing.push(index),
                None => shapes.push((index, Vec::new())),
            }
        }
        for (first, sharing) in shapes.into_iter().filter(|(_, sharing)| !sharing.is_empty()) {
            let name = group.operations[first].error_name.clone();
            // A variant's description stays when every sharing operation gives the same one.
            let mut agreed: Vec<Option<String>> =
                group.operations[first].errors().map(|response| response.description.clone()).collect();
            for &index in &sharing {
                for (agreed, response) in agreed.iter_mut().zip(group.operations[index].errors()) {
                    if *agreed != response.description {
                        *agreed = None;
                    }
                }
                group.operations[index].errors_as = Some(name.clone());
            }
            let errors = group.operations[first].responses.iter_mut().filter(|response| !response.is_success);
            for (response, agreed) in errors.zip(agreed) {
                response.variant_doc = agreed;
            }
        }
    }
}

/// Whether two operations' error enums would be written alike, names and docs aside.
fn same_errors(left: &[&Response], right: &[&Response]) -> bool {
    left.len() == right.len()
        && left.iter().zip(right).all(|(left, right)| {
            (left.status, &left.variant_name, &left.body) == (right.status, &right.variant_name, &right.body)
        })
}

/// aside.
pub(crate) fn shape_classes(types: &[TypeDef]) -> Vec<usize> {
    // What the config adds to a type is part of what is emitted: such a type merges only
    // with one given the same.
    let locals: Vec<(String, Vec<TypeId>)> = types
        .iter()
        .map(|def| {
            let (mut text, refs) = local_shape(&def.kind);
            if !def.extra_derives.is_empty() || !def.extra_attributes.is_empty() {
                text.push_str(&format!("{:?}{:?}", def.extra_derives, def.extra_attributes));
            }
            (text, refs)
        })
        .collect();
    // Round zero: by local shape alone.
    let mut classes = number(locals.iter().map(|(text, _)| text.as_str()));
    let mut count = classes.iter().max().map_or(0, |max| max + 1);
    loop {
        let keys = locals
            .iter()
            .zip(&classes)
            .map(|((_, refs), &class)| (class, refs.iter().map(|id| classes[id.0]).collect::<Vec<usize>>()));
        let refined = number(keys);
        let refined_count = refined.iter().max().map_or(0, |max| max + 1);
        // A refinement only splits classes, so an unchanged count is a fixed point.
        if refined_count == count {
            return refined;
        }
        classes = refined;
        count = refined_count;
    }
}

/// Numbers distinct keys by first occurrence.
fn number<K: std::hash::Hash + Eq>(keys: impl Iterator<Item = K>) -> Vec<usize> {
    let mut seen: HashMap<K, usize> = HashMap::new();
    keys.map(|key| {
        let next = seen.len();
        *seen.entry(key).or_insert(next)
    })
    .collect()
}

/// Everything of a definition that reaches the emitted code except its name, its docs
/// and the identity of the types it names, which come back in order as the second half.
fn local_shape(kind: &TypeKind) -> (String, Vec<TypeId>) {
    let mut text = String::new();
    let mut refs = Vec::new();
    // `write!` into a `String` cannot fail.
    let _ = match kind {
        TypeKind::Struct(structure) => {
            let mut result = write!(text, "struct {:?}{{", structure.envelope);
            let envelope_result = structure.envelope.map(|envelope| envelope.result);
            for (index, field) in structure.fields.iter().enumerate() {
                // What is emitted: whether the field is an `Option`, not why (absent or
                // `null`), except for an envelope's result, taken out as it is.
                let nullable = envelope_result == Some(index) && field.nullable;
                result = result.and(write!(
                    text,
                    "{} {:?} {}{}{}{}{}{}:",
                    field.rust_name,
                    field.api_name,
                    u8::from(field.required),
                    u8::from(field.optional()),
                    u8::from(nullable),
                    u8::from(field.boxed),
                    u8::from(field.null_distinct),
                    u8::from(field.flatten),
                ));
                shape_of_ref(&field.ty, &mut text, &mut refs);
                text.push(',');
            }
            if let Some(additional) = &structure.additional {
                text.push_str("..");
                shape_of_ref(additional, &mut text, &mut refs);
            }
            result
        }
        TypeKind::Enum(variants) => {
            text.push_str("enum{");
            variants.iter().try_for_each(|variant| write!(text, "{} {:?},", variant.rust_name, variant.value))
        }
        TypeKind::ValueEnum(variants) => {
            text.push_str("values{");
            variants.iter().try_for_each(|variant| write!(text, "{} {},", variant.rust_name, variant.value))
        }
        TypeKind::Union(variants, discriminator) => {
            let mut result = write!(text, "union {discriminator:?}{{");
            for variant in variants {
                result = result.and(write!(text, "{} {:?} {}:", variant.rust_name, variant.tags, variant.boxed));
                shape_of_ref(&variant.ty, &mut text, &mut refs);
                text.push(',');
            }
            result
        }
        TypeKind::Alias(ty) => {
            text.push_str("alias ");
            shape_of_ref(ty, &mut text, &mut refs);
            Ok(())
        }
    };
    (text, refs)
}

fn shape_of_ref(ty: &TypeRef, text: &mut String, refs: &mut Vec<TypeId>) {
    match ty {
        TypeRef::Named(id) => {
            text.push('#');
            refs.push(*id);
        }
        TypeRef::Array(inner) => {
            text.push_str("Vec<");
            shape_of_ref(inner, text, refs);
            text.push('>');
        }
        TypeRef::Map(inner) => {
            text.push_str("Map<");
            shape_of_ref(inner, text, refs);
            text.push('>');
        }
        TypeRef::Option(inner) => {
            text.push_str("Option<");
            shape_of_ref(inner, text, refs);
            text.push('>');
        }
        primitive => {
            let _ = write!(text, "{primitive:?}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Direction, EnumVariant, Field, Struct};

    fn def(name: &str, origin: &str, kind: TypeKind) -> TypeDef {
        TypeDef {
            name: name.to_owned(),
            description: None,
            kind,
            features: Vec::new(),
            home: None,
            origins: vec![origin.to_owned()],
            direction: Direction::default(),
            extra_derives: Vec::new(),
            extra_attributes: Vec::new(),
        }
    }

    fn format_enum() -> TypeKind {
        let variant = |name: &str, value: &str| EnumVariant {
            rust_name: name.to_owned(),
            value: value.to_owned(),
            description: None,
        };
        TypeKind::Enum(vec![variant("Json", "json"), variant("Csv", "csv")])
    }

    fn node(next: TypeId) -> TypeKind {
        TypeKind::Struct(Struct {
            fields: vec![Field {
                rust_name: "next".to_owned(),
                api_name: "next".to_owned(),
                ty: TypeRef::Named(next),
                required: false,
                nullable: false,
                boxed: true,
                description: None,
                read_only: false,
                write_only: false,
                default: None,
                null_distinct: false,
                flatten: false,
            }],
            additional: None,
            envelope: None,
        })
    }

    #[test]
    fn derived_names_meet_in_the_words_they_end_with() {
        assert_eq!(shared_ending(&["ListExportsFormat", "CreateExportRequestFormat"]).as_deref(), Some("Format"));
        assert_eq!(shared_ending(&["ZoneExportFormat", "AccountExportFormat"]).as_deref(), Some("ExportFormat"));
        assert_eq!(shared_ending(&["Format", "Format2"]), None);
        assert_eq!(shared_ending(&["ZonesItem", "AccountsItem"]), None, "too general alone");
        assert_eq!(shared_ending(&["CreateZoneRequest", "UpdateZoneRequest"]).as_deref(), Some("ZoneRequest"));
        assert_eq!(shared_ending(&["FooResult", "BarResult"]), None, "a reserved name");
    }

    #[test]
    fn read_only_marks_are_docs_and_kept_only_where_every_member_has_them() {
        let marked = |read_only: bool| {
            let mut kind = node(TypeId(2));
            if let TypeKind::Struct(structure) = &mut kind {
                structure.fields[0].read_only = read_only;
            }
            kind
        };
        let types =
            vec![def("A", "#/a", marked(true)), def("B", "#/b", marked(false)), def("C", "#/c", node(TypeId(2)))];
        assert_eq!(shape_classes(&types), vec![0, 0, 0]);
        let mut chosen = types[0].clone();
        shared_docs(&types, &[TypeId(0), TypeId(1)], TypeId(0)).apply(&mut chosen);
        let TypeKind::Struct(structure) = &chosen.kind else { panic!("a struct") };
        assert!(!structure.fields[0].read_only, "B's field is not read-only");
    }

    #[test]
    fn recursive_types_of_one_shape_share_a_class() {
        // A → B → A and C → C: all one shape, a list of nodes.
        let types = vec![
            def("A", "#/a", node(TypeId(1))),
            def("B", "#/b", node(TypeId(0))),
            def("C", "#/c", node(TypeId(2))),
            def("Format", "#/d", format_enum()),
        ];
        assert_eq!(shape_classes(&types), vec![0, 0, 0, 1]);
    }

    #[test]
    fn a_component_name_survives_else_the_shortest_derived_one() {
        let types = vec![
            def("ExportFormat", "#/components/schemas/ExportFormat", format_enum()),
            def("OutputFormat", "#/components/schemas/OutputFormat", format_enum()),
            def("ZoneFormat", "#/paths/~1zones/get/x", format_enum()),
            def("Format", "#/paths/~1a/get/x", format_enum()),
            def("ZoneFormatHolder", "#/paths/~1b/get/x", node(TypeId(2))),
        ];
        assert_eq!(choose(&types, &[TypeId(2), TypeId(3)]), TypeId(3));
        assert_eq!(choose(&types, &[TypeId(0), TypeId(1), TypeId(2)]), TypeId(0));
        assert_eq!(shape_classes(&types)[..4], [0, 0, 0, 0]);
    }
}
