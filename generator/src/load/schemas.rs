//! Lowers JSON schemas into the type arena: named structs, enums and unions, or
//! primitive and container type references.
//!
//! Component schemas keep their names; inline schemas that need a Rust type get a name
//! built from where they appear (`Organization` + `login_design` → `OrganizationLoginDesign`).

use super::Lowering;
use crate::diagnostics::pointer;
use crate::ir::{EnumVariant, Field, Struct, TypeDef, TypeId, TypeKind, TypeRef, UnionVariant, ValueVariant};
use crate::naming::{self, Namespace};
use indexmap::IndexMap;
use openapiv3::{
    AdditionalProperties, IntegerFormat, NumberFormat, ReferenceOr, Schema, SchemaKind, StringFormat, Type,
    VariantOrUnknownOrEmpty,
};
use std::collections::BTreeSet;

const SCHEMA_PREFIX: &str = "#/components/schemas/";

/// A schema's object shape, whether declared with `type: object` or without a `type`.
#[derive(Clone)]
struct ObjectShape<'s> {
    properties: Vec<(&'s String, &'s ReferenceOr<Box<Schema>>)>,
    required: &'s [String],
    additional: Option<&'s AdditionalProperties>,
}

/// The composition keywords of a schema, wherever openapiv3 put them: a schema with only
/// `allOf` is `SchemaKind::AllOf`, but one with `allOf` *and* `required`, `title` or
/// `properties` beside it is `SchemaKind::Any` with the parts inside.
struct Composition<'s> {
    all_of: &'s [ReferenceOr<Schema>],
    /// The `oneOf` or `anyOf` alternatives, and which keyword gave them.
    choice: &'s [ReferenceOr<Schema>],
    choice_keyword: &'static str,
    /// Properties, `required` and `additionalProperties` beside the keywords: they apply
    /// to every part and every alternative.
    own: Option<ObjectShape<'s>>,
}

impl Composition<'_> {
    /// Whether the schema's own object keywords add fields (not just `required`).
    fn own_fields(&self) -> bool {
        self.own.as_ref().is_some_and(|own| !own.properties.is_empty() || own.additional.is_some())
    }
}

impl<'a> Lowering<'a> {
    /// Reserves a named slot for every component schema, so `$ref`s resolve in any order.
    /// Names the config gives are claimed first, so no other type takes them.
    pub(super) fn register_components(&mut self) {
        let Some(components) = &self.openapi.components else { return };
        let config = self.config;
        let configured = |name: &str| config.and_then(|config| config.schemas.get(name));
        let renamed: Vec<&str> = components
            .schemas
            .keys()
            .filter_map(|name| configured(name).and_then(|settings| settings.name.as_deref()))
            .collect();
        self.type_names.reserve(&renamed);
        for name in components.schemas.keys() {
            let settings = configured(name);
            let id = match settings.and_then(|settings| settings.name.clone()) {
                Some(chosen) => {
                    let id = self.reserve_type(String::new());
                    self.types[id.0].name = chosen;
                    id
                }
                None => self.reserve_type(naming::type_name(name)),
            };
            if let Some(settings) = settings {
                self.types[id.0].extra_derives = settings.derive.clone();
                self.types[id.0].extra_attributes = settings.attributes.clone();
            }
            self.components.insert(format!("{SCHEMA_PREFIX}{name}"), id);
        }
    }

    pub(super) fn lower_components(&mut self) {
        let Some(components) = &self.openapi.components else { return };
        for (name, schema) in &components.schemas {
            let id = self.components[&format!("{SCHEMA_PREFIX}{name}")];
            let at = pointer("#/components/schemas", name);
            let kind = match schema {
                ReferenceOr::Reference { reference } if self.resolve_reference(reference).is_none() => {
                    // `A: {$ref: A}` (or a longer loop of bare `$ref`s) never reaches a schema.
                    if self.components.contains_key(reference.as_str()) {
                        self.report.error(
                            pointer(&at, "$ref"),
                            format!("`{reference}` leads back to itself through `$ref`s alone, so it names no schema"),
                        );
                    }
                    TypeKind::Alias(TypeRef::Json)
                }
                ReferenceOr::Reference { reference } => TypeKind::Alias(self.lower_ref(reference, &at)),
                ReferenceOr::Item(schema) => {
                    let type_name = self.types[id.0].name.clone();
                    self.lower_kind(schema, &at, &type_name)
                }
            };
            let description = match schema {
                ReferenceOr::Item(schema) => schema.schema_data.description.clone(),
                ReferenceOr::Reference { .. } => None,
            };
            self.types[id.0].description = description;
            self.types[id.0].kind = kind;
            self.types[id.0].origins = vec![at];
        }
    }

    fn reserve_type(&mut self, wanted: String) -> TypeId {
        let name = self.type_names.claim(wanted);
        self.types.push(TypeDef {
            name,
            description: None,
            kind: TypeKind::Alias(TypeRef::Json),
            features: Vec::new(),
            home: None,
            origins: Vec::new(),
            direction: Default::default(),
            extra_derives: Vec::new(),
            extra_attributes: Vec::new(),
        });
        TypeId(self.types.len() - 1)
    }

    /// Defines a new struct for object schemas that all describe one value (a property
    /// several `allOf` parts declare): the fields of each, the later's where they meet.
    fn define_merged(
        &mut self,
        hint: &str,
        declarations: &[(ObjectShape<'a>, String)],
        description: Option<String>,
        key: Vec<usize>,
    ) -> TypeRef {
        let id = self.reserve_type(naming::type_name(hint));
        // Known before its fields are lowered, which may merge the same schemas again.
        self.merged_types.insert(key, TypeRef::Named(id));
        let name = self.types[id.0].name.clone();
        let structure = self.lower_struct(declarations, &name, true);
        self.types[id.0].kind = TypeKind::Struct(structure);
        self.types[id.0].description = description;
        // No one schema is this merge (an instance of one declaration alone need not hold
        // the others' required fields): its parent's instances check it.
        self.types[id.0].origins = Vec::new();
        TypeRef::Named(id)
    }

    /// Follows a property's `$ref`s to the schema they name.
    fn resolve_boxed(&self, schema: &'a ReferenceOr<Box<Schema>>) -> Option<&'a Schema> {
        match schema {
            ReferenceOr::Item(schema) => Some(schema),
            ReferenceOr::Reference { reference } => self.resolve_reference(reference),
        }
    }

    /// Whether a body schema has a member that is binary (a `format: binary` string, or
    /// a list of them), in its own properties or its `allOf` parts: JSON cannot carry it.
    pub(super) fn has_binary_member(&self, schema: &'a ReferenceOr<Schema>) -> bool {
        let Some(schema) = self.resolve_schema(schema) else { return false };
        let is_binary = |schema: &Schema| {
            matches!(&schema.schema_kind, SchemaKind::Type(Type::String(string))
                if string.format == VariantOrUnknownOrEmpty::Item(StringFormat::Binary))
        };
        let member_is_binary = |member: &'a ReferenceOr<Box<Schema>>| {
            self.resolve_boxed(member).is_some_and(|member| match &member.schema_kind {
                SchemaKind::Type(Type::Array(array)) => {
                    array.items.as_ref().and_then(|items| self.resolve_boxed(items)).is_some_and(is_binary)
                }
                _ => is_binary(member),
            })
        };
        let own = object_shape(schema)
            .is_some_and(|shape| shape.properties.iter().any(|(_, member)| member_is_binary(member)));
        // One level of `allOf` parts: bodies that nest deeper are not form-like.
        let parts = composition(schema).is_some_and(|composition| {
            composition.all_of.iter().filter_map(|part| self.resolve_schema(part)).any(|part| {
                object_shape(part)
                    .is_some_and(|shape| shape.properties.iter().any(|(_, member)| member_is_binary(member)))
            })
        });
        own || parts
    }

    /// Defines a new named type for an inline schema.
    fn define(&mut self, hint: &str, schema: &'a Schema, at: &str) -> TypeRef {
        let id = self.reserve_type(naming::type_name(hint));
        // Known before it is lowered: an `allOf` that inherits this schema's own parent
        // (through `$ref`s) meets it again inside itself, and must name it, not lower it.
        self.inline_types.insert(at.to_owned(), TypeRef::Named(id));
        let name = self.types[id.0].name.clone();
        let kind = self.lower_kind(schema, at, &name);
        self.types[id.0].description = schema.schema_data.description.clone();
        self.types[id.0].kind = kind;
        self.types[id.0].origins = vec![at.to_owned()];
        TypeRef::Named(id)
    }

    pub(super) fn lower_ref(&mut self, reference: &str, at: &str) -> TypeRef {
        match self.components.get(reference) {
            Some(id) => TypeRef::Named(*id),
            None => {
                self.report
                    .error(pointer(at, "$ref"), format!("`{reference}` is not a schema under #/components/schemas"));
                TypeRef::Json
            }
        }
    }

    /// Follows `$ref`s to the schema they name (cycles end the walk).
    pub(super) fn resolve_schema(&self, schema: &'a ReferenceOr<Schema>) -> Option<&'a Schema> {
        match schema {
            ReferenceOr::Item(schema) => Some(schema),
            ReferenceOr::Reference { reference } => self.resolve_reference(reference),
        }
    }

    /// Follows a chain of schema `$ref`s to the schema it ends at (a cycle ends the walk).
    pub(super) fn resolve_reference(&self, reference: &str) -> Option<&'a Schema> {
        let schemas = &self.openapi.components.as_ref()?.schemas;
        let mut reference = reference;
        for _ in 0..32 {
            match schemas.get(reference.strip_prefix(SCHEMA_PREFIX)?)? {
                ReferenceOr::Item(schema) => return Some(schema),
                ReferenceOr::Reference { reference: next } => reference = next,
            }
        }
        None
    }

    /// Lowers a schema used in place (a property, an item, a body) to a type reference.
    pub(super) fn lower_type(&mut self, schema: &'a ReferenceOr<Schema>, at: &str, hint: &str) -> TypeRef {
        match schema {
            ReferenceOr::Reference { reference } => self.lower_ref(reference, at),
            ReferenceOr::Item(schema) => self.lower_inline(schema, at, hint),
        }
    }

    pub(super) fn lower_boxed_type(&mut self, schema: &'a ReferenceOr<Box<Schema>>, at: &str, hint: &str) -> TypeRef {
        match schema {
            ReferenceOr::Reference { reference } => self.lower_ref(reference, at),
            ReferenceOr::Item(schema) => self.lower_inline(schema, at, hint),
        }
    }

    /// Each inline schema is lowered once, at its pointer: an `allOf` that inherits a
    /// property from another component reuses that component's type for it, rather than
    /// defining a copy per inheriting struct (and lowering it again, level after level).
    fn lower_inline(&mut self, schema: &'a Schema, at: &str, hint: &str) -> TypeRef {
        if let Some(known) = self.inline_types.get(at) {
            return known.clone();
        }
        let lowered = self.lower_inline_once(schema, at, hint);
        self.inline_types.insert(at.to_owned(), lowered.clone());
        lowered
    }

    fn lower_inline_once(&mut self, schema: &'a Schema, at: &str, hint: &str) -> TypeRef {
        match &schema.schema_kind {
            SchemaKind::Type(Type::String(string)) => {
                let values: Vec<&String> = string.enumeration.iter().flatten().collect();
                if values.is_empty() {
                    string_type(&string.format, self.config.map(|config| config.formats).unwrap_or_default())
                } else {
                    self.define(hint, schema, at)
                }
            }
            SchemaKind::Type(Type::Integer(_) | Type::Number(_)) if value_enum_values(schema).is_some() => {
                self.define(hint, schema, at)
            }
            SchemaKind::Type(Type::Integer(integer)) => match &integer.format {
                VariantOrUnknownOrEmpty::Item(IntegerFormat::Int32) => TypeRef::I32,
                VariantOrUnknownOrEmpty::Unknown(format) if format == "uint64" || format == "uint32" => TypeRef::U64,
                _ if integer.minimum.is_some_and(|min| min >= 0)
                    && integer.format == VariantOrUnknownOrEmpty::Unknown("uint64".into()) =>
                {
                    TypeRef::U64
                }
                _ => TypeRef::I64,
            },
            SchemaKind::Type(Type::Number(number)) => match &number.format {
                VariantOrUnknownOrEmpty::Item(NumberFormat::Float) => TypeRef::F32,
                // `type: number` in an integer format holds integers only (validators say so).
                VariantOrUnknownOrEmpty::Unknown(format) if format == "int32" => TypeRef::I32,
                VariantOrUnknownOrEmpty::Unknown(format) if format == "int64" => TypeRef::I64,
                _ => TypeRef::F64,
            },
            SchemaKind::Type(Type::Boolean(_)) => TypeRef::Bool,
            SchemaKind::Type(Type::Array(array)) => {
                let item = match &array.items {
                    Some(items) => self.lower_item(items, &pointer(at, "items"), &format!("{hint}Item")),
                    None => TypeRef::Json,
                };
                TypeRef::Array(Box::new(item))
            }
            SchemaKind::Type(Type::Object(_))
            | SchemaKind::AllOf { .. }
            | SchemaKind::OneOf { .. }
            | SchemaKind::AnyOf { .. }
            | SchemaKind::Any(_) => {
                if let Some((index, part)) = sole_all_of_part(schema) {
                    return self.lower_type(part, &pointer(&pointer(at, "allOf"), &index.to_string()), hint);
                }
                if composition(schema).is_some() {
                    return self.define(hint, schema, at);
                }
                if let Some(shape) = object_shape(schema) {
                    if shape.properties.is_empty() {
                        return self.map_type(shape.additional, at, hint);
                    }
                    return self.define(hint, schema, at);
                }
                match &schema.schema_kind {
                    SchemaKind::Any(any) if any.items.is_some() || any.typ.as_deref() == Some("array") => {
                        let item = match &any.items {
                            Some(items) => self.lower_item(items, &pointer(at, "items"), &format!("{hint}Item")),
                            None => TypeRef::Json,
                        };
                        TypeRef::Array(Box::new(item))
                    }
                    SchemaKind::Any(any) if !any.enumeration.is_empty() => {
                        if string_enum_values(schema).is_some() || value_enum_values(schema).is_some() {
                            self.define(hint, schema, at)
                        } else if any.enumeration.iter().any(serde_json::Value::is_boolean)
                            && any.enumeration.iter().all(|value| value.is_boolean() || value.is_null())
                        {
                            TypeRef::Bool
                        } else {
                            TypeRef::Json
                        }
                    }
                    SchemaKind::Any(_) => TypeRef::Json,
                    _ => self.define(hint, schema, at),
                }
            }
            SchemaKind::Not { .. } => TypeRef::Json,
        }
    }

    /// A list's items: `Option`s when `null` is among their values, declared in place or by
    /// the component they refer to (Jira lists a nullable component's `null`s as items).
    fn lower_item(&mut self, items: &'a ReferenceOr<Box<Schema>>, at: &str, hint: &str) -> TypeRef {
        let ty = self.lower_boxed_type(items, at, hint);
        self.optional_if_null_admitted(ty, items)
    }

    fn map_type(&mut self, additional: Option<&'a AdditionalProperties>, at: &str, hint: &str) -> TypeRef {
        let value = match additional {
            Some(AdditionalProperties::Schema(schema)) => {
                self.lower_map_value(schema, &pointer(at, "additionalProperties"), &format!("{hint}Value"))
            }
            _ => TypeRef::Json,
        };
        TypeRef::Map(Box::new(value))
    }

    /// The type of a map's values: `Option`s when `null` is among their values (GitHub's
    /// gist `files` map a name to a file or `null`).
    fn lower_map_value(&mut self, schema: &'a ReferenceOr<Schema>, at: &str, hint: &str) -> TypeRef {
        let ty = self.lower_type(schema, at, hint);
        self.optional_if_null_admitted(ty, schema)
    }

    /// `ty`, the type of a value `schema` describes, as an `Option` when `schema` (or the
    /// component it refers to) admits `null`. Any JSON already holds `null`.
    fn optional_if_null_admitted<S: std::borrow::Borrow<Schema>>(
        &self,
        ty: TypeRef,
        schema: &ReferenceOr<S>,
    ) -> TypeRef {
        let admits_null = match schema {
            ReferenceOr::Item(schema) => self.is_nullable(schema.borrow()),
            ReferenceOr::Reference { reference } => {
                self.resolve_reference(reference).is_some_and(|schema| self.is_nullable(schema))
            }
        };
        match ty {
            TypeRef::Option(_) | TypeRef::Json => ty,
            ty if admits_null => TypeRef::Option(Box::new(ty)),
            ty => ty,
        }
    }

    /// `allOf: [$ref]` with nothing beside it is the referenced type itself.
    fn single_ref_all_of(&self, schema: &'a Schema) -> Option<&'a str> {
        match &schema.schema_kind {
            SchemaKind::AllOf { all_of } if all_of.len() == 1 => match &all_of[0] {
                ReferenceOr::Reference { reference } => Some(reference),
                ReferenceOr::Item(_) => None,
            },
            _ => None,
        }
    }

    /// The body of a named type.
    fn lower_kind(&mut self, schema: &'a Schema, at: &str, type_name: &str) -> TypeKind {
        if let Some(values) = string_enum_values(schema) {
            return TypeKind::Enum(enum_variants(&values, &EnumExtensions::of(schema)));
        }
        if let Some(values) = value_enum_values(schema) {
            return TypeKind::ValueEnum(value_variants(&values, &EnumExtensions::of(schema)));
        }
        if let Some(composition) = composition(schema) {
            return self.lower_composition(schema, composition, at, type_name);
        }
        match object_shape(schema) {
            Some(shape) => TypeKind::Struct(self.lower_struct(&[(shape, at.to_owned())], type_name, true)),
            None => TypeKind::Alias(self.lower_inline_primitive(schema, at, type_name)),
        }
    }

    /// A named schema that is not an object, enum or union: a primitive or container alias.
    fn lower_inline_primitive(&mut self, schema: &'a Schema, at: &str, type_name: &str) -> TypeRef {
        match &schema.schema_kind {
            SchemaKind::Type(Type::Object(_)) => TypeRef::Map(Box::new(TypeRef::Json)),
            _ => self.lower_inline(schema, at, &format!("{type_name}Inner")),
        }
    }

    /// A schema built from `allOf`, `oneOf` or `anyOf`, with or without object keywords
    /// of its own.
    fn lower_composition(
        &mut self,
        schema: &'a Schema,
        composition: Composition<'a>,
        at: &str,
        type_name: &str,
    ) -> TypeKind {
        let discriminator = schema.schema_data.discriminator.as_ref();
        if composition.choice.is_empty() {
            let own = composition.own.map(|own| (own, at.to_owned()));
            return self.lower_all_of(composition.all_of, own, at, type_name);
        }
        let choice_at = pointer(at, composition.choice_keyword);
        if composition.all_of.is_empty() && !composition.own_fields() {
            // `{type: object, required: [...], oneOf: [...]}`: the alternatives carry the
            // fields; a `required` list beside them adds nothing a variant can hold.
            return self.lower_union(composition.choice, &[], discriminator, &choice_at, type_name);
        }
        // Fields beside the choice apply to every alternative: each variant gets them all.
        let (mut shared, _) = self.flatten_all_of(composition.all_of, &pointer(at, "allOf"));
        if let Some(own) = composition.own {
            shared.push((own, at.to_owned()));
        }
        self.lower_union(composition.choice, &shared, discriminator, &choice_at, type_name)
    }

    /// `oneOf`/`anyOf` alternatives as the variants of an enum. With `shared` object parts,
    /// each object variant becomes a struct of the shared fields and its own. Variants are
    /// dispatched on the discriminator when the spec names one, or else when every variant
    /// fixes the same property to a value of its own (`type: {enum: [A]}`).
    fn lower_union(
        &mut self,
        variants: &'a [ReferenceOr<Schema>],
        shared: &[(ObjectShape<'a>, String)],
        discriminator: Option<&'a openapiv3::Discriminator>,
        at: &str,
        type_name: &str,
    ) -> TypeKind {
        let mut names = Namespace::new();
        let mut lowered = Vec::new();
        let mut constants = Vec::new();
        for (index, variant) in variants.iter().enumerate() {
            let variant_at = pointer(at, &index.to_string());
            match variant {
                // Members that stand for `null` only make the union nullable.
                ReferenceOr::Item(schema) if is_null_schema(schema) => continue,
                // `B: {oneOf: [$ref: B, …]}` adds no value B could hold, and a variant that
                // holds the union itself would have no size and never end decoding.
                ReferenceOr::Reference { reference }
                    if self.components.get(reference.as_str()).is_some_and(|id| self.types[id.0].name == type_name) =>
                {
                    self.warn(variant_at, format!("`{reference}` is this union itself; left out of its choices"));
                    continue;
                }
                _ => {}
            }
            // An inline variant is named by its title or its one required property, as a
            // person would (`Card`, `BankAccount`), before falling back to its position.
            let label = match variant {
                ReferenceOr::Item(schema) => inline_variant_label(schema),
                ReferenceOr::Reference { .. } => None,
            };
            let hint = match &label {
                Some(label) => format!("{type_name}{label}"),
                None => format!("{type_name}Variant{}", index + 1),
            };
            let mut walk = AllOfWalk { shapes: Vec::new(), unions: Vec::new(), seen_refs: BTreeSet::new() };
            self.walk_all_of_part(variant, variant_at.clone(), &mut walk);
            let mut shapes = walk.shapes;
            let ty = if shared.is_empty() || shapes.is_empty() {
                self.lower_type(variant, &variant_at, &hint)
            } else {
                let mut merged: Vec<(ObjectShape<'a>, String)> =
                    shared.iter().map(|(shape, shape_at)| (shape.clone(), shape_at.clone())).collect();
                merged.append(&mut shapes);
                let wanted = match (&label, variant) {
                    (None, ReferenceOr::Reference { reference }) => {
                        let component = reference.strip_prefix(SCHEMA_PREFIX).unwrap_or(reference);
                        format!("{type_name}{}", naming::type_name_part(component))
                    }
                    _ => hint.clone(),
                };
                let id = self.reserve_type(naming::type_name(&wanted));
                let name = self.types[id.0].name.clone();
                let structure = self.lower_struct(&merged, &name, true);
                self.types[id.0].description =
                    self.resolve_schema(variant).and_then(|schema| schema.schema_data.description.clone());
                self.types[id.0].kind = TypeKind::Struct(structure);
                shapes = merged;
                TypeRef::Named(id)
            };
            constants.push(self.constant_properties(&shapes));
            let wanted = label.unwrap_or_else(|| self.variant_label(&ty));
            let reference = match variant {
                ReferenceOr::Reference { reference } => Some(reference.as_str()),
                ReferenceOr::Item(schema) => self.single_ref_all_of(schema),
            };
            lowered.push((wanted, ty, reference));
        }
        let tags = union_tags(discriminator, &lowered, &constants);
        if tags.is_none() && lowered.len() == 1 {
            // A choice of one (`anyOf: [$ref: X], nullable: true`, as Stripe writes) is that one.
            if let Some((_, ty, _)) = lowered.pop() {
                return TypeKind::Alias(ty);
            }
        }
        let discriminator = tags.as_ref().map(|(property, _)| crate::ir::Discriminator { property: property.clone() });
        let mut tags = tags.map(|(_, tags)| tags).unwrap_or_default().into_iter();
        // `Other` is the catch-all of dispatched unions and of enums; a member titled
        // "other" in any union is named apart, so `Other` always means "not known".
        names.reserve(&["Other"]);
        let variants = lowered
            .into_iter()
            .map(|(wanted, ty, _)| {
                let tags = tags.next().unwrap_or_default();
                // A dispatched variant is named by the value that selects it, as a person
                // would write `Record::A` or `Message::User`.
                let wanted = match &tags[..] {
                    [tag] if !naming::variant_name(tag).is_empty() => naming::variant_name(tag),
                    _ => wanted,
                };
                UnionVariant { rust_name: names.claim(wanted), ty, tags, boxed: false }
            })
            .collect();
        TypeKind::Union(variants, discriminator)
    }

    /// The string values `shapes` allow each property (`type: {enum: [A]}`, `const: A`; none
    /// when it is no enum), by wire name: the later declaration wins, as in a struct.
    fn constant_properties(&self, shapes: &[(ObjectShape<'a>, String)]) -> Vec<(String, Vec<String>)> {
        let mut constants: Vec<(String, Vec<String>)> = Vec::new();
        for (shape, _) in shapes {
            for &(name, property) in &shape.properties {
                let resolved = self.resolve_boxed(property);
                // A nullable property (`promotions: {enum: [auto, none], nullable: true}`)
                // cannot tell variants apart: `null` is any variant's value.
                let values = resolved
                    .filter(|schema| !self.is_nullable(schema))
                    .and_then(string_enum_values)
                    .unwrap_or_default();
                match constants.iter_mut().find(|(existing, _)| existing == name) {
                    Some(slot) => slot.1 = values,
                    None => constants.push((name.clone(), values)),
                }
            }
        }
        constants
    }

    /// Walks `allOf` parts (and the `allOf`s inside them, following each `$ref` once) to
    /// the object shapes they merge, in order, and the `oneOf`/`anyOf` parts among them.
    #[allow(clippy::type_complexity)]
    fn flatten_all_of(
        &self,
        parts: &'a [ReferenceOr<Schema>],
        at: &str,
    ) -> (Vec<(ObjectShape<'a>, String)>, Vec<(&'a ReferenceOr<Schema>, String)>) {
        let mut walk = AllOfWalk { shapes: Vec::new(), unions: Vec::new(), seen_refs: BTreeSet::new() };
        for (index, part) in parts.iter().enumerate() {
            self.walk_all_of_part(part, pointer(at, &index.to_string()), &mut walk);
        }
        (walk.shapes, walk.unions)
    }

    /// A part given by `$ref` is located at its target (after bundling, always a
    /// `#/components/schemas/…` pointer): that is where the user wrote its properties, and
    /// a pointer that grew through every link of a long chain would make walking the
    /// chain quadratic per component.
    fn walk_all_of_part(&self, part: &'a ReferenceOr<Schema>, mut at: String, walk: &mut AllOfWalk<'a>) {
        if let ReferenceOr::Reference { reference } = part {
            if !walk.seen_refs.insert(reference.clone()) {
                return;
            }
            at = reference.clone();
        }
        let Some(schema) = self.resolve_schema(part) else { return };
        match composition(schema) {
            Some(nested) if nested.choice.is_empty() => {
                for (index, inner) in nested.all_of.iter().enumerate() {
                    self.walk_all_of_part(inner, pointer(&pointer(&at, "allOf"), &index.to_string()), walk);
                }
                // The keywords beside `allOf` come after its parts, so they win.
                if let Some(own) = nested.own {
                    walk.shapes.push((own, at));
                }
            }
            Some(_) => walk.unions.push((part, at)),
            None => {
                if let Some(shape) = object_shape(schema) {
                    walk.shapes.push((shape, at));
                }
            }
        }
    }

    /// The type name of the component whose own keywords (or own `allOf` parts) hold the
    /// property at `property_at`, as in `#/components/schemas/Pet/allOf/1/properties/name`.
    fn declaring_component(&self, property_at: &str) -> Option<&str> {
        const SCHEMAS: &str = "#/components/schemas/";
        let rest = property_at.strip_prefix(SCHEMAS)?;
        let name_end = rest.find('/')?;
        let mut inside = &rest[name_end..];
        while let Some(part) = inside.strip_prefix("/allOf/") {
            inside = part.trim_start_matches(|c: char| c.is_ascii_digit());
        }
        let property = inside.strip_prefix("/properties/")?;
        if property.contains('/') {
            return None;
        }
        let id = self.components.get(&property_at[..SCHEMAS.len() + name_end])?;
        Some(&self.types[id.0].name)
    }

    /// Whether `null` is a value of `schema`: `nullable`, `null` among its enum values, or
    /// a choice with a nullable alternative (`oneOf: [{type: string, nullable: true}, …]`,
    /// or a `$ref` to a nullable schema).
    fn is_nullable(&self, schema: &Schema) -> bool {
        if schema.schema_data.nullable {
            return true;
        }
        let nullable_alternative = |alternatives: &[ReferenceOr<Schema>]| {
            alternatives.iter().any(|alternative| {
                let resolved: Option<&Schema> = match alternative {
                    ReferenceOr::Item(item) => Some(item),
                    ReferenceOr::Reference { reference } => self.resolve_reference(reference),
                };
                resolved.is_some_and(|alternative| alternative.schema_data.nullable)
            })
        };
        let null_listed = match &schema.schema_kind {
            SchemaKind::Type(Type::String(string)) => string.enumeration.iter().any(Option::is_none),
            SchemaKind::Any(any) => any.enumeration.iter().any(serde_json::Value::is_null),
            _ => false,
        };
        null_listed || composition(schema).is_some_and(|composition| nullable_alternative(composition.choice))
    }

    /// Whether values of `ty` are always JSON objects, so serde can flatten them. A type
    /// still being lowered (a cycle) is taken to be one.
    fn is_object_like(&self, ty: &TypeRef, depth: usize) -> bool {
        match ty {
            TypeRef::Map(_) | TypeRef::Json => true,
            TypeRef::Named(id) if depth < 16 => match &self.types[id.0].kind {
                TypeKind::Struct(_) => true,
                TypeKind::Union(variants, _) => {
                    variants.iter().all(|variant| self.is_object_like(&variant.ty, depth + 1))
                }
                TypeKind::Alias(inner) => self.is_object_like(inner, depth + 1),
                TypeKind::Enum(_) | TypeKind::ValueEnum(_) => false,
            },
            TypeRef::Named(_) => true,
            _ => false,
        }
    }

    fn variant_label(&self, ty: &TypeRef) -> String {
        match ty {
            TypeRef::Named(id) => self.types[id.0].name.clone(),
            TypeRef::Bool => "Bool".into(),
            TypeRef::I32 | TypeRef::I64 | TypeRef::U64 => "Integer".into(),
            TypeRef::F32 | TypeRef::F64 => "Number".into(),
            TypeRef::String => "String".into(),
            TypeRef::Formatted(_) => "String".into(),
            TypeRef::Bytes => "Bytes".into(),
            TypeRef::File => "File".into(),
            TypeRef::Json => "Value".into(),
            TypeRef::Array(_) => "Array".into(),
            TypeRef::Map(_) => "Map".into(),
            TypeRef::Option(inner) => self.variant_label(inner),
        }
    }

    /// Merges the object parts of an `allOf` (and the object keywords beside it, `own`)
    /// into one struct: properties in order, later declarations of the same property win,
    /// `required` is the union. A `oneOf`/`anyOf` part becomes a flattened field, so the
    /// value must also be one of its shapes. Parts that only annotate (a description, an
    /// example) do not make a struct: `allOf: [$ref: Messages]` is `Messages` itself.
    fn lower_all_of(
        &mut self,
        parts: &'a [ReferenceOr<Schema>],
        own: Option<(ObjectShape<'a>, String)>,
        at: &str,
        type_name: &str,
    ) -> TypeKind {
        let (mut shapes, unions) = self.flatten_all_of(parts, &pointer(at, "allOf"));
        let own_fields = own.as_ref().is_some_and(|(own, _)| !own.properties.is_empty() || own.additional.is_some());
        if shapes.iter().all(|(shape, _)| shape.properties.is_empty() && shape.additional.is_none()) && !own_fields {
            let typed: Vec<(usize, &'a ReferenceOr<Schema>)> =
                parts.iter().enumerate().filter(|(_, part)| !is_annotation_only(part)).collect();
            if let [(index, part)] = typed[..] {
                let part_at = pointer(&pointer(at, "allOf"), &index.to_string());
                if shapes.is_empty() || unions.len() == 1 {
                    return TypeKind::Alias(self.lower_type(part, &part_at, &format!("{type_name}Variant")));
                }
            }
        }
        if let Some(own) = own {
            shapes.push(own);
        }
        if shapes.is_empty() && unions.is_empty() {
            return TypeKind::Alias(TypeRef::Json);
        }
        // A property every alternative of a choice declares is the choice's: the
        // flattened variant reads it (typed as the alternative says), so the struct must
        // not take it first (`strategy` beside `oneOf: [{strategy: {enum: [percentage]}}]`).
        for (part, _) in &unions {
            let owned = self.declared_by_every_alternative(part);
            for (shape, _) in &mut shapes {
                shape.properties.retain(|(name, _)| !owned.contains(name.as_str()));
            }
        }
        let mut structure = self.lower_struct(&shapes, type_name, unions.is_empty());
        let mut field_names = Namespace::new();
        field_names.reserve(&structure.fields.iter().map(|field| field.rust_name.as_str()).collect::<Vec<_>>());
        for (index, (part, part_at)) in unions.into_iter().enumerate() {
            let suffix = if index == 0 { String::new() } else { (index + 1).to_string() };
            let ty = self.lower_type(part, &part_at, &format!("{type_name}Variant{suffix}"));
            // Only objects can stand for the value's other fields.
            if !self.is_object_like(&ty, 0) {
                self.warn(part_at, "an `allOf` part that is not an object is left out of the struct");
                continue;
            }
            let description = self.resolve_schema(part).and_then(|schema| schema.schema_data.description.clone());
            structure.fields.push(Field {
                rust_name: field_names.claim("variant".to_owned()),
                api_name: String::new(),
                ty,
                required: true,
                nullable: false,
                boxed: false,
                description,
                read_only: false,
                write_only: false,
                default: None,
                null_distinct: false,
                flatten: true,
            });
        }
        TypeKind::Struct(structure)
    }

    /// The properties that every alternative of the choice `part` declares (itself or
    /// through its `allOf` parts).
    fn declared_by_every_alternative(&self, part: &'a ReferenceOr<Schema>) -> BTreeSet<&'a str> {
        let Some(choice) = self.resolve_schema(part).and_then(composition).map(|composition| composition.choice) else {
            return BTreeSet::new();
        };
        let mut alternatives = choice.iter().map(|alternative| self.declared_properties(alternative, 0));
        let Some(first) = alternatives.next() else { return BTreeSet::new() };
        alternatives.fold(first, |common, names| common.intersection(&names).copied().collect())
    }

    fn declared_properties(&self, schema: &'a ReferenceOr<Schema>, depth: usize) -> BTreeSet<&'a str> {
        let Some(schema) = self.resolve_schema(schema).filter(|_| depth < 16) else { return BTreeSet::new() };
        let mut names: BTreeSet<&'a str> = object_shape(schema)
            .into_iter()
            .flat_map(|shape| shape.properties)
            .map(|(name, _)| name.as_str())
            .collect();
        for part in composition(schema).map(|composition| composition.all_of).unwrap_or_default() {
            names.extend(self.declared_properties(part, depth + 1));
        }
        names
    }

    /// The plain object schemas a property's schema is, for merging with other parts'
    /// declarations of it: itself when it is one, the parts of an `allOf` made only of
    /// them (its own properties too), none for a bare `{type: object}` or an open choice
    /// (one that lets any object through narrows nothing). `None`: anything else (a closed
    /// choice, an `enum`, a scalar), which leaves the property to its last declaration.
    fn object_declarations(&self, schema: &'a Schema, at: &str, depth: usize) -> Option<Vec<ObjectDeclaration<'a>>> {
        // Parts of the `allOf` must be plain objects themselves: following chains of
        // chains multiplies the merges a deep hierarchy makes (commercetools' resources).
        if has_enum(schema) || depth > 1 {
            return None;
        }
        let Some(composition) = composition(schema) else {
            let object = object_shape(schema)?;
            let constrains = !object.properties.is_empty() || object.additional.is_some();
            return Some(if constrains { vec![(schema, object, at.to_owned())] } else { Vec::new() });
        };
        if !composition.choice.is_empty() {
            return self.is_open_choice(schema).then(Vec::new);
        }
        let mut declarations = Vec::new();
        if let Some(own) = composition.own.filter(|own| !own.properties.is_empty()) {
            declarations.push((schema, own, at.to_owned()));
        }
        for (index, part) in composition.all_of.iter().enumerate() {
            let part_at = pointer(&pointer(at, "allOf"), &index.to_string());
            let part = self.resolve_schema(part)?;
            declarations.extend(self.object_declarations(part, &part_at, depth + 1)?);
        }
        Some(declarations)
    }

    /// A choice that lets any object through (`anyOf: [{type: object}, {type: array},
    /// {type: string}]`, Cloudflare's generic `result`): it says nothing an object
    /// declaration beside it does not narrow.
    fn is_open_choice(&self, schema: &'a Schema) -> bool {
        composition(schema).is_some_and(|composition| {
            composition.all_of.is_empty()
                && composition.own.is_none_or(|own| own.properties.is_empty())
                && composition
                    .choice
                    .iter()
                    .any(|alternative| self.resolve_schema(alternative).is_some_and(is_bare_object))
        })
    }

    /// How a property's schema declares it, for merging with other parts' declarations:
    /// two parts that each describe `data` as a list of objects describe one list, of
    /// items with the fields of each. `None`: anything else, which leaves the property to
    /// its last declaration.
    fn member_declarations(&self, schema: &'a Schema, at: &str) -> Option<Declared<'a>> {
        // An example or a description for the property (Cloudflare's rules, each giving
        // its own `description` example) narrows nothing; nor does an open choice.
        if annotates_only(schema) || self.is_open_choice(schema) {
            return Some(Declared::Anything);
        }
        if let Some(items) = array_items(schema) {
            let Some(items) = items else { return Some(Declared::Objects(true, Vec::new())) };
            let items = self.resolve_boxed(items)?;
            return Some(Declared::Objects(true, self.object_declarations(items, &pointer(at, "items"), 0)?));
        }
        Some(Declared::Objects(false, self.object_declarations(schema, at, 0)?))
    }

    /// `holds_every_member`: no flattened part of the value reads members of its own.
    fn lower_struct(
        &mut self,
        shapes: &[(ObjectShape<'a>, String)],
        type_name: &str,
        holds_every_member: bool,
    ) -> Struct {
        // By name, in first-declared order; a later declaration replaces the schema, unless
        // both are objects (below). A map, as long `allOf` chains merge hundreds of
        // properties per struct.
        let mut merged: IndexMap<&'a String, (&'a ReferenceOr<Box<Schema>>, String)> = IndexMap::new();
        // Each property's object declarations (of its items, for a list), where there are
        // several.
        let mut objects: IndexMap<&'a String, (bool, Vec<ObjectDeclaration<'a>>)> = IndexMap::new();
        let mut unmergeable: BTreeSet<&'a String> = BTreeSet::new();
        // Properties only annotations and open choices have declared so far.
        let mut open_only: BTreeSet<&'a String> = BTreeSet::new();
        // How many of the shapes declare each property: one declaration lowers as itself.
        let mut declaring_parts: std::collections::HashMap<&'a String, usize> = std::collections::HashMap::new();
        // The last description a part gives each property, annotation parts included: a
        // child's part that only re-describes an inherited property (`description:` and an
        // `example`) says what the property means here.
        let mut descriptions: std::collections::HashMap<&'a String, &'a str> = std::collections::HashMap::new();
        let mut required = BTreeSet::new();
        let mut additional = None;
        for (shape, at) in shapes {
            for &(name, property) in &shape.properties {
                let property_at = pointer(&pointer(at, "properties"), name);
                // Only plain objects merge: a declaration that is anything else (a choice or
                // a chain beside `type: object`, an `enum`, a scalar) leaves the property to
                // the last declaration, as before. A bare `{type: object}` constrains
                // nothing and adds nothing.
                // An `allOf` of plain objects is those objects (PagerDuty's orchestration
                // path: one part declares it as an object, another as such a chain).
                *declaring_parts.entry(name).or_default() += 1;
                let declared = self.resolve_boxed(property);
                if let Some(description) = declared.and_then(|schema| schema.schema_data.description.as_deref()) {
                    descriptions.insert(name, description);
                }
                match declared.and_then(|schema| self.member_declarations(schema, &property_at)) {
                    // Says nothing: an earlier declaration that does say something stays
                    // the property's schema (a later open choice still replaces an earlier
                    // one: `nullable` alternatives let `null` in).
                    Some(Declared::Anything) => {
                        if !merged.contains_key(name) || open_only.contains(name) {
                            merged.insert(name, (property, property_at));
                            open_only.insert(name);
                        }
                        continue;
                    }
                    // Any object, or any list: nothing to merge; the later declaration is
                    // the property's (its `nullable` too).
                    Some(Declared::Objects(_, declarations)) if declarations.is_empty() => {}
                    Some(Declared::Objects(list, declarations)) => match objects.get_mut(name) {
                        Some((declared_list, declared)) if *declared_list == list => {
                            // A schema reached again (through another part) is one declaration.
                            let new = declarations.into_iter().filter(|(schema, ..)| {
                                !declared.iter().any(|(known, ..)| std::ptr::eq(*known, *schema))
                            });
                            let new: Vec<_> = new.collect();
                            declared.extend(new);
                        }
                        // An object here and a list there: no value is both.
                        Some(_) => {
                            objects.shift_remove(name);
                            unmergeable.insert(name);
                        }
                        None if !unmergeable.contains(name) => {
                            objects.insert(name, (list, declarations));
                        }
                        None => {}
                    },
                    None => {
                        objects.shift_remove(name);
                        unmergeable.insert(name);
                    }
                }
                merged.insert(name, (property, property_at));
                open_only.remove(name);
            }
            required.extend(shape.required.iter().map(String::as_str));
            if shape.additional.is_some() {
                additional = shape.additional.map(|extra| (extra, at.clone()));
            }
        }
        let mut field_names = Namespace::new();
        // The map of other members has its fixed name; a property called that is renamed.
        if additional.as_ref().is_some_and(|(extra, _)| **extra != AdditionalProperties::Any(false)) {
            field_names.claim(naming::owned::ADDITIONAL_PROPERTIES_FIELD.to_owned());
        }
        let mut fields = Vec::new();
        for (api_name, (property, property_at)) in merged {
            // An inherited inline property is named after the component that declares it.
            let owner = self.declaring_component(&property_at).unwrap_or(type_name);
            let hint = format!("{owner}{}", naming::type_name_part(api_name));
            // Two parts that each describe the property as an object both hold: the value
            // has the fields of each (`attributes` from a resource, more `attributes` beside
            // it in Klaviyo's responses), so the field is their merge, not the last one.
            let (list, declarations) = objects.shift_remove(api_name).unwrap_or_default();
            // One schema declared again (the same `$ref` in parent and child) is itself.
            let distinct = declarations.iter().any(|(schema, ..)| !std::ptr::eq(*schema, declarations[0].0))
                && declaring_parts.get(api_name).is_some_and(|&parts| parts > 1);
            let ty = match distinct {
                true => {
                    let key: Vec<usize> =
                        declarations.iter().map(|(schema, ..)| *schema as *const Schema as usize).collect();
                    let merged = match self.merged_types.get(&key) {
                        Some(defined) => defined.clone(),
                        None => {
                            let description = declarations
                                .iter()
                                .rev()
                                .find_map(|(schema, ..)| schema.schema_data.description.clone());
                            let shapes: Vec<(ObjectShape<'a>, String)> =
                                declarations.into_iter().map(|(_, shape, at)| (shape, at)).collect();
                            // Named after this struct: the merge is its own, not either part's.
                            let item = if list { "Item" } else { "" };
                            let hint = format!("{type_name}{}{item}", naming::type_name_part(api_name));
                            self.define_merged(&hint, &shapes, description, key)
                        }
                    };
                    match list {
                        true => TypeRef::Array(Box::new(merged)),
                        false => merged,
                    }
                }
                false => self.lower_boxed_type(property, &property_at, &hint),
            };
            let resolved = self.resolve_boxed(property);
            let data = resolved.map(|schema| &schema.schema_data);
            fields.push(Field {
                rust_name: field_names.claim(naming::snake_ident(api_name)),
                api_name: api_name.clone(),
                ty,
                required: required.contains(api_name.as_str()),
                nullable: resolved.is_some_and(|schema| self.is_nullable(schema)),
                boxed: false,
                description: descriptions.get(api_name).map(|description| (*description).to_owned()),
                read_only: data.is_some_and(|data| data.read_only),
                write_only: data.is_some_and(|data| data.write_only),
                default: data.and_then(|data| data.default.clone()).filter(|value| !value.is_null()),
                null_distinct: false,
                flatten: false,
            });
        }
        let additional = match additional {
            Some((AdditionalProperties::Any(false), _)) | None => None,
            Some((AdditionalProperties::Any(true), _)) => Some(TypeRef::Json),
            Some((AdditionalProperties::Schema(schema), at)) => {
                Some(self.lower_map_value(schema, &pointer(&at, "additionalProperties"), &format!("{type_name}Value")))
            }
        };
        // A member `required` names that no part declares (Cloudflare's rate limits require
        // an `id` they never describe) is kept as any JSON value: dropped, it would be lost
        // on decoding and impossible to send. Optional all the same, since a spec that does
        // not describe a member may well be wrong to require it; where a flattened part or
        // a map of the other members exists, that holds it instead.
        if holds_every_member && additional.is_none() {
            let undeclared: Vec<&str> = (required.iter().copied())
                .filter(|name| !name.is_empty() && !fields.iter().any(|field| field.api_name == *name))
                .collect();
            for name in undeclared {
                fields.push(Field {
                    rust_name: field_names.claim(naming::snake_ident(name)),
                    api_name: name.to_owned(),
                    ty: TypeRef::Json,
                    required: false,
                    nullable: false,
                    boxed: false,
                    description: Some(format!(
                        "The spec requires `{name}` but does not describe it: kept as any JSON value."
                    )),
                    read_only: false,
                    write_only: false,
                    default: None,
                    null_distinct: false,
                    flatten: false,
                });
            }
        }
        let envelope = find_envelope(&fields);
        Struct { fields, additional, envelope }
    }
}

/// `{success: boolean, result?: T, ...}` is an envelope: the data is at `result`. The
/// result must be optional (absent on failure), so it can be taken out of the envelope.
fn find_envelope(fields: &[Field]) -> Option<crate::ir::Envelope> {
    let result = fields.iter().position(|field| field.api_name == "result" && field.optional())?;
    let success = fields.iter().position(|field| field.api_name == "success" && field.ty == TypeRef::Bool)?;
    Some(crate::ir::Envelope { result, success })
}

/// The `mapping` keys of a discriminator that name the variant `reference`.
fn mapped_tags(discriminator: &openapiv3::Discriminator, reference: &str) -> Vec<String> {
    discriminator
        .mapping
        .iter()
        .filter(|(_, target)| {
            // Mapping targets are `$ref`s or bare schema names.
            target.as_str() == reference || reference.strip_prefix(SCHEMA_PREFIX) == Some(target.as_str())
        })
        .map(|(value, _)| value.clone())
        .collect()
}

/// A name for an inline union member: its `title`, else the one property it requires.
fn inline_variant_label(schema: &Schema) -> Option<String> {
    if let Some(title) = schema.schema_data.title.as_deref().filter(|title| !title.trim().is_empty()) {
        return Some(naming::type_name(title));
    }
    let shape = object_shape(schema)?;
    match shape.required {
        [only] => Some(naming::type_name(only)),
        _ => None,
    }
}

/// How one part declares a property ([`Lowering::member_declarations`]).
enum Declared<'s> {
    /// Nothing another declaration does not narrow: an annotation, an open choice.
    Anything,
    /// Objects, or lists of objects (`true`), of these shapes (none: any object or list).
    Objects(bool, Vec<ObjectDeclaration<'s>>),
}

/// One object schema a property is declared as: the schema (its identity tells a schema
/// reached twice from a distinct one), its shape, and where it is.
type ObjectDeclaration<'s> = (&'s Schema, ObjectShape<'s>, String);

/// The `items` of a list schema (`None` inside: a list of anything); `None`: not a list.
fn array_items(schema: &Schema) -> Option<Option<&ReferenceOr<Box<Schema>>>> {
    match &schema.schema_kind {
        SchemaKind::Type(Type::Array(array)) => Some(array.items.as_ref()),
        SchemaKind::Any(any) if any.typ.as_deref() == Some("array") || (any.typ.is_none() && any.items.is_some()) => {
            Some(any.items.as_ref())
        }
        _ => None,
    }
}

/// `{type: object}` and nothing more: any object at all.
fn is_bare_object(schema: &Schema) -> bool {
    composition(schema).is_none()
        && !has_enum(schema)
        && object_shape(schema).is_some_and(|shape| shape.properties.is_empty() && shape.additional.is_none())
}

/// What [`Lowering::flatten_all_of`] has found so far.
struct AllOfWalk<'s> {
    shapes: Vec<(ObjectShape<'s>, String)>,
    unions: Vec<(&'s ReferenceOr<Schema>, String)>,
    seen_refs: BTreeSet<String>,
}

fn composition(schema: &Schema) -> Option<Composition<'_>> {
    let (all_of, one_of, any_of): (&[_], &[_], &[_]) = match &schema.schema_kind {
        SchemaKind::AllOf { all_of } => (all_of, &[], &[]),
        SchemaKind::OneOf { one_of } => (&[], one_of, &[]),
        SchemaKind::AnyOf { any_of } => (&[], &[], any_of),
        SchemaKind::Any(any) if !any.all_of.is_empty() || !any.one_of.is_empty() || !any.any_of.is_empty() => {
            (&any.all_of, &any.one_of, &any.any_of)
        }
        _ => return None,
    };
    let (choice, choice_keyword) = if one_of.is_empty() { (any_of, "anyOf") } else { (one_of, "oneOf") };
    // `required` alone beside `allOf` still constrains the merged object.
    let own = object_shape(schema).or_else(|| match &schema.schema_kind {
        SchemaKind::Any(any) if !any.required.is_empty() => {
            Some(ObjectShape { properties: Vec::new(), required: &any.required, additional: None })
        }
        _ => None,
    });
    Some(Composition { all_of, choice, choice_keyword, own })
}

/// Whether an object-like schema lists the values it may take (`{type: object, enum:
/// [null]}`): typed object schemas have no `enum` in openapiv3, so only `Any` can.
fn has_enum(schema: &Schema) -> bool {
    matches!(&schema.schema_kind, SchemaKind::Any(any) if !any.enumeration.is_empty())
}

/// A part that says nothing about the value's shape: no type, properties, items,
/// enum or composition (only a description, an example, validations).
fn is_annotation_only(part: &ReferenceOr<Schema>) -> bool {
    match part {
        ReferenceOr::Reference { .. } => false,
        ReferenceOr::Item(schema) => annotates_only(schema),
    }
}

/// [`is_annotation_only`] of a schema already resolved.
fn annotates_only(schema: &Schema) -> bool {
    match &schema.schema_kind {
        SchemaKind::Any(any) => {
            any.typ.is_none()
                && any.properties.is_empty()
                && any.additional_properties.is_none()
                && any.items.is_none()
                && any.enumeration.is_empty()
                && any.one_of.is_empty()
                && any.all_of.is_empty()
                && any.any_of.is_empty()
                && any.not.is_none()
        }
        _ => false,
    }
}

/// `allOf: [X]`, or `allOf` of `X` and parts that only annotate, with nothing beside it:
/// the type is `X` itself. Gives the part's index and the part.
fn sole_all_of_part(schema: &Schema) -> Option<(usize, &ReferenceOr<Schema>)> {
    let composition = composition(schema)?;
    if !composition.choice.is_empty() || composition.own.is_some() {
        return None;
    }
    let mut typed = composition.all_of.iter().enumerate().filter(|(_, part)| !is_annotation_only(part));
    let sole = typed.next()?;
    typed.next().is_none().then_some(sole)
}

/// The values that select each variant of a union, and the property that carries them.
///
/// With a discriminator: its `mapping` keys, else the value the member itself fixes the
/// property to, else the member's schema name (what the spec says a missing mapping
/// means). Without one: a property that every variant fixes to a value of its own (an
/// implicit discriminator). `None` when some variant cannot be selected by value.
fn union_tags(
    discriminator: Option<&openapiv3::Discriminator>,
    variants: &[(String, TypeRef, Option<&str>)],
    constants: &[Vec<(String, Vec<String>)>],
) -> Option<(String, Vec<Vec<String>>)> {
    let allowed = |index: usize, property: &str| -> Vec<String> {
        constants[index].iter().find(|(name, _)| name == property).map(|(_, values)| values.clone()).unwrap_or_default()
    };
    let mut claimed = BTreeSet::new();
    let mut tags = Vec::new();
    let property = match discriminator {
        Some(discriminator) => {
            let property = discriminator.property_name.clone();
            for (index, (_, _, reference)) in variants.iter().enumerate() {
                let mut values = reference.map(|reference| mapped_tags(discriminator, reference)).unwrap_or_default();
                if values.is_empty() {
                    values = allowed(index, &property);
                }
                if values.is_empty() {
                    values.extend(
                        reference.and_then(|reference| reference.strip_prefix(SCHEMA_PREFIX)).map(str::to_owned),
                    );
                }
                tags.push(values);
            }
            property
        }
        // One variant has nothing to be told apart from.
        None if variants.len() < 2 => return None,
        None => {
            // A property whose values tell every variant apart: each lists some, no two share one.
            let first = constants.first()?;
            let property = first.iter().find_map(|(name, _)| {
                let sets: Vec<Vec<String>> = (0..variants.len()).map(|index| allowed(index, name)).collect();
                let total: usize = sets.iter().map(Vec::len).sum();
                let distinct: BTreeSet<&String> = sets.iter().flatten().collect();
                (sets.iter().all(|set| !set.is_empty()) && distinct.len() == total).then(|| name.clone())
            })?;
            tags = (0..variants.len()).map(|index| allowed(index, &property)).collect();
            property
        }
    };
    // A value already taken by an earlier variant cannot select a later one.
    for values in &mut tags {
        values.retain(|value| claimed.insert(value.clone()));
    }
    (!tags.is_empty() && tags.iter().all(|values| !values.is_empty())).then_some((property, tags))
}

/// `{type: null}`, or 3.0's way to say it: a nullable object that admits no property
/// (`{type: object, nullable: true, additionalProperties: false}`).
fn is_null_schema(schema: &Schema) -> bool {
    match &schema.schema_kind {
        SchemaKind::Any(any) => any.typ.as_deref() == Some("null"),
        SchemaKind::Type(Type::Object(object)) => {
            schema.schema_data.nullable
                && object.properties.is_empty()
                && object.additional_properties == Some(AdditionalProperties::Any(false))
        }
        _ => false,
    }
}

fn object_shape(schema: &Schema) -> Option<ObjectShape<'_>> {
    match &schema.schema_kind {
        SchemaKind::Type(Type::Object(object)) => Some(ObjectShape {
            properties: object.properties.iter().collect(),
            required: &object.required,
            additional: object.additional_properties.as_ref(),
        }),
        // Object keywords on a schema of another `type` (`type: string` with a stray
        // `additionalProperties`) do not make it an object.
        SchemaKind::Any(any)
            if any.typ.as_deref().is_none_or(|typ| typ == "object")
                && (!any.properties.is_empty()
                    || any.additional_properties.is_some()
                    || any.typ.as_deref() == Some("object")) =>
        {
            Some(ObjectShape {
                properties: any.properties.iter().collect(),
                required: &any.required,
                additional: any.additional_properties.as_ref(),
            })
        }
        _ => None,
    }
}

/// A string schema's type: bytes for `binary`, a crate's type where the config maps the
/// format, else `String` (servers send values strict parsers reject, so mapping is opt-in).
fn string_type(format: &VariantOrUnknownOrEmpty<StringFormat>, mapped: crate::config::Formats) -> TypeRef {
    use crate::config::TimeCrate;
    use crate::ir::FormattedString as F;
    let named = match format {
        VariantOrUnknownOrEmpty::Item(StringFormat::Binary) => return TypeRef::Bytes,
        VariantOrUnknownOrEmpty::Item(StringFormat::DateTime) => "date-time",
        VariantOrUnknownOrEmpty::Item(StringFormat::Date) => "date",
        VariantOrUnknownOrEmpty::Unknown(other) => other.as_str(),
        _ => return TypeRef::String,
    };
    let formatted = match named {
        "date-time" => mapped.date_time.map(|chosen| match chosen {
            TimeCrate::Chrono => F::ChronoDateTime,
            TimeCrate::Jiff => F::JiffTimestamp,
        }),
        "date" => mapped.date.map(|chosen| match chosen {
            TimeCrate::Chrono => F::ChronoDate,
            TimeCrate::Jiff => F::JiffDate,
        }),
        "uuid" => mapped.uuid.map(|_| F::Uuid),
        "uri" | "url" => mapped.uri.map(|_| F::Url),
        _ => None,
    };
    formatted.map_or(TypeRef::String, TypeRef::Formatted)
}

fn string_enum_values(schema: &Schema) -> Option<Vec<String>> {
    let values: Vec<String> = match &schema.schema_kind {
        SchemaKind::Type(Type::String(string)) => string.enumeration.iter().flatten().cloned().collect(),
        SchemaKind::Any(any) if any.enumeration.iter().all(|v| v.is_string() || v.is_null()) => {
            any.enumeration.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect()
        }
        _ => Vec::new(),
    };
    (!values.is_empty()).then_some(values)
}

/// Non-string enum values (integers, numbers, or a mix with strings and booleans), when
/// every one is a scalar. Booleans alone stay `bool`, and strings alone are a string enum.
fn value_enum_values(schema: &Schema) -> Option<Vec<serde_json::Value>> {
    let values: Vec<serde_json::Value> = match &schema.schema_kind {
        SchemaKind::Type(Type::Integer(integer)) => integer.enumeration.iter().flatten().map(|&v| v.into()).collect(),
        SchemaKind::Type(Type::Number(number)) => number
            .enumeration
            .iter()
            .flatten()
            .filter_map(|&v| serde_json::Number::from_f64(v))
            .map(Into::into)
            .collect(),
        SchemaKind::Any(any) => any.enumeration.iter().filter(|value| !value.is_null()).cloned().collect(),
        _ => Vec::new(),
    };
    let scalar = values.iter().all(|value| value.is_string() || value.is_number() || value.is_boolean());
    let only_one_kind =
        values.iter().all(serde_json::Value::is_string) || values.iter().all(serde_json::Value::is_boolean);
    (!values.is_empty() && scalar && !only_one_kind).then_some(values)
}

/// Variant names and descriptions some generators' extensions give enum values
/// (`x-enum-varnames`, `x-enumNames`, `x-enum-descriptions`, `x-enumDescriptions`), by position.
struct EnumExtensions {
    names: Vec<Option<String>>,
    descriptions: Vec<Option<String>>,
}

impl EnumExtensions {
    fn of(schema: &Schema) -> Self {
        let strings = |keys: &[&str]| -> Vec<Option<String>> {
            keys.iter()
                .find_map(|key| schema.schema_data.extensions.get(*key).and_then(serde_json::Value::as_array))
                .map(|items| items.iter().map(|item| item.as_str().map(str::to_owned)).collect())
                .unwrap_or_default()
        };
        Self {
            names: strings(&["x-enum-varnames", "x-enumNames", "x-enum-names"]),
            descriptions: strings(&["x-enum-descriptions", "x-enumDescriptions"]),
        }
    }

    /// `index` counts the enum's values without `null`, which no extension names.
    fn name(&self, index: usize) -> Option<&str> {
        self.names.get(index).and_then(Option::as_deref).filter(|name| !name.trim().is_empty())
    }

    fn description(&self, index: usize) -> Option<String> {
        self.descriptions.get(index).cloned().flatten()
    }
}

fn enum_variants(values: &[String], extensions: &EnumExtensions) -> Vec<EnumVariant> {
    let mut names = Namespace::new();
    // The catch-all variant for values the spec does not list.
    names.reserve(&["Other"]);
    let mut seen = BTreeSet::new();
    values
        .iter()
        .enumerate()
        .filter(|(_, value)| seen.insert(value.as_str()))
        .map(|(index, value)| EnumVariant {
            rust_name: names.claim(naming::variant_name(extensions.name(index).unwrap_or(value))),
            value: value.clone(),
            description: extensions.description(index),
        })
        .collect()
}

fn value_variants(values: &[serde_json::Value], extensions: &EnumExtensions) -> Vec<ValueVariant> {
    let mut names = Namespace::new();
    names.reserve(&["Other"]);
    let mut seen = Vec::new();
    let mut variants = Vec::new();
    for (index, value) in values.iter().enumerate() {
        if seen.contains(value) {
            continue;
        }
        seen.push(value.clone());
        let wanted = match (extensions.name(index), value) {
            (Some(name), _) => naming::variant_name(name),
            (None, serde_json::Value::String(text)) => naming::variant_name(text),
            (None, serde_json::Value::Bool(flag)) => naming::variant_name(&flag.to_string()),
            (None, number) => number_variant_name(&number.to_string()),
        };
        variants.push(ValueVariant {
            rust_name: names.claim(wanted),
            value: value.clone(),
            description: extensions.description(index),
        });
    }
    variants
}

/// `1` → `V1`, `-1` → `Minus1`, `1.5` → `V1Point5`: distinct numbers stay distinct names.
fn number_variant_name(number: &str) -> String {
    let spelled = number.replace('-', "minus ").replace('.', " point ");
    naming::variant_name(&spelled)
}
