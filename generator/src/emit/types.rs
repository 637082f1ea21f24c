//! Emits an API's `types.rs`: one struct, enum, union or alias per named type.

use super::docs::{doc_attrs, ours, spec};
use super::{ident, type_tokens, TypeContext};
use crate::ir::{Api, Direction, EnumVariant, Field, Struct, TypeDef, TypeKind, TypeRef, UnionVariant, ValueVariant};
use crate::naming;
use proc_macro2::TokenStream;
use quote::quote;

/// The start of `types.rs`: module docs and imports. The types follow in chunks
/// ([`emit_type_chunk`]) so that large APIs format in parallel.
pub(crate) fn emit_types_header(api: &Api) -> TokenStream {
    let header = format!(" Request and response types of {}.", api.title);
    let uses_map = api.types.types.iter().any(mentions_map);
    let map_import = uses_map.then(|| {
        quote!(
            use std::collections::BTreeMap;
        )
    });
    let needs_runtime = api.types.types.iter().any(|def| {
        matches!(&def.kind, TypeKind::Struct(structure)
            if structure.envelope.is_some()
                || structure.fields.iter().any(|field| field.null_distinct || field.ty.holds_files()))
            || (writes_out_deserialize(def) && def.direction.deserializes())
    });
    let feature = naming::owned::ROUND_TRIP_FEATURE;
    let runtime_import = match needs_runtime {
        true => Some(quote!(
            use crate::runtime;
        )),
        // Only a sent type's `Deserialize`, behind the feature, reads through the runtime.
        false => api.types.types.iter().any(writes_out_deserialize).then(|| {
            quote!(
                #[cfg(feature = #feature)]
                use crate::runtime;
            )
        }),
    };
    // With tag features, the types that use an import may all be switched off.
    let allow_unused = api.core_feature.is_some().then(|| quote!(#![allow(unused_imports)]));
    // A trait no type implements whatever the features is imported only for `round-trip`.
    let serde_import = |trait_name: TokenStream, always: bool| match always {
        true => quote!(use serde::#trait_name;),
        false => quote!(#[cfg(feature = #feature)] use serde::#trait_name;),
    };
    // Aliases (`pub type X = serde_json::Value;`) implement nothing themselves.
    let always = |needs: fn(Serde) -> bool| {
        let implementing = api.types.types.iter().filter(|def| !matches!(def.kind, TypeKind::Alias(_)));
        implementing.into_iter().any(|def| needs(Serde::of(def.direction)))
    };
    let imports = match (always(|serde| serde.deserialize), always(|serde| serde.serialize)) {
        (true, true) => quote!(
            use serde::{Deserialize, Serialize};
        ),
        (deserialize, serialize) => {
            let deserialize = serde_import(quote!(Deserialize), deserialize);
            let serialize = serde_import(quote!(Serialize), serialize);
            quote!(#deserialize #serialize)
        }
    };
    // Each home is private and glob re-exported: every type keeps its one public path,
    // `types::Name`, whichever file it lives in and however the spec's tags change.
    let homes = homes(api).into_iter().map(|(home, feature)| {
        let module = ident(home);
        quote!(
            #[cfg(feature = #feature)]
            mod #module;
            #[cfg(feature = #feature)]
            pub use #module::*;
        )
    });
    quote! {
        #![doc = #header]
        #allow_unused
        #imports
        #map_import
        #runtime_import
        #(#homes)*
    }
}

/// Whether some types live in a group's own file (`types/<home>.rs`), beside the shared
/// `types/mod.rs`.
pub(crate) fn has_homes(api: &Api) -> bool {
    api.types.types.iter().any(|def| def.home.is_some())
}

/// The homes of the API's types, with the feature of each, by name.
fn homes(api: &Api) -> std::collections::BTreeMap<&str, &str> {
    api.types.types.iter().filter_map(|def| Some((def.home.as_deref()?, def.features.first()?.as_str()))).collect()
}

/// The start of a group's own types file: the shared module's names (its imports and
/// types) are in scope, as if the types were still written there.
pub(crate) fn emit_home_header(api: &Api, home: &str) -> TokenStream {
    let header = match homes(api).get(home) {
        Some(feature) => format!(" Types only the operations of `{home}` use, compiled with the `{feature}` feature."),
        None => format!(" Types only the operations of `{home}` use."),
    };
    // Aliases of standard types may name nothing of the shared module.
    let only_aliases = api
        .types
        .types
        .iter()
        .filter(|def| def.home.as_deref() == Some(home))
        .all(|def| matches!(def.kind, TypeKind::Alias(_)));
    let allow_unused = only_aliases.then(|| quote!(#[allow(unused_imports)]));
    quote! {
        #![doc = #header]
        #allow_unused
        use super::*;
    }
}

/// The types at `indices` of the arena, in order.
pub(crate) fn emit_type_chunk(api: &Api, indices: &[usize]) -> TokenStream {
    let items = indices.iter().map(|&index| emit_type(api, &api.types.types[index], TypeContext::Types));
    quote!(#(#items)*)
}

fn mentions_map(def: &TypeDef) -> bool {
    fn has_map(ty: &TypeRef) -> bool {
        match ty {
            TypeRef::Map(_) => true,
            TypeRef::Array(inner) | TypeRef::Option(inner) => has_map(inner),
            _ => false,
        }
    }
    match &def.kind {
        TypeKind::Struct(structure) => {
            structure.additional.is_some() || structure.fields.iter().any(|field| has_map(&field.ty))
        }
        TypeKind::Union(variants, _) => variants.iter().any(|variant| has_map(&variant.ty)),
        TypeKind::Alias(ty) => has_map(ty),
        TypeKind::Enum(_) | TypeKind::ValueEnum(_) => false,
    }
}

fn emit_type(api: &Api, def: &TypeDef, context: TypeContext) -> TokenStream {
    let items = with_configured_attributes(emit_type_items(api, def, context), def);
    match def.home {
        // Its file is compiled only with its feature.
        Some(_) => items,
        None => super::gate(items, &def.features),
    }
}

fn emit_type_items(api: &Api, def: &TypeDef, context: TypeContext) -> TokenStream {
    let docs = doc_attrs([spec(def.description.as_deref())]);
    let name = ident(&def.name);
    match &def.kind {
        TypeKind::Struct(structure) => {
            emit_struct(api, &docs, &name, structure, def.direction, context, writes_out_deserialize(def))
        }
        TypeKind::Enum(variants) => emit_enum(&docs, &name, variants, def.direction),
        TypeKind::ValueEnum(variants) if ValueVariant::all_integers(variants) => {
            emit_integer_enum(&docs, &name, variants, def.direction)
        }
        TypeKind::ValueEnum(variants) => emit_mixed_enum(&docs, &name, variants, def.direction),
        TypeKind::Union(variants, discriminator) => {
            let docs = match discriminator {
                Some(_) => docs,
                None => {
                    let docs = doc_attrs([
                        spec(def.description.as_deref()),
                        ours("Decoded as the first variant that holds the whole value (then the first that fits at all); variants that demand more (required fields) come first."),
                    ]);
                    docs
                }
            };
            emit_union(api, &docs, &name, variants, discriminator.as_ref(), def.direction, context)
        }
        TypeKind::Alias(target) => {
            let target = type_tokens(api, target, context);
            quote! { #docs pub type #name = #target; }
        }
    }
}

/// What the API's config adds to the type, put just before its `pub`: after its own
/// derives, whose helper attributes (`#[serde(…)]`) may be among the added ones. A
/// `#[derive(…)]` of its own keeps the usual ones as they are. An alias takes neither: it
/// is the type it names. Both were checked when the config was read.
fn with_configured_attributes(items: TokenStream, def: &TypeDef) -> TokenStream {
    if matches!(def.kind, TypeKind::Alias(_)) || (def.extra_derives.is_empty() && def.extra_attributes.is_empty()) {
        return items;
    }
    let derives: Vec<syn::Path> = def.extra_derives.iter().filter_map(|path| syn::parse_str(path).ok()).collect();
    let derive = (!derives.is_empty()).then(|| quote!(#[derive(#(#derives),*)]));
    let attributes = def.extra_attributes.iter().filter_map(|text| crate::config::parse_attribute(text)).flatten();
    let added = quote!(#derive #(#attributes)*);
    let mut out = TokenStream::new();
    let mut placed = false;
    for token in items {
        if !placed && matches!(&token, proc_macro2::TokenTree::Ident(ident) if ident == "pub") {
            out.extend(added.clone());
            placed = true;
        }
        out.extend([token]);
    }
    out
}

/// Whether a type is a struct whose `Deserialize` is written out field by field rather
/// than derived: every struct but those holding a flattened part or extra properties
/// (which serde reads by buffering the object first), and those a config adds
/// attributes to (they may be serde's, which need serde's own derive).
fn writes_out_deserialize(def: &TypeDef) -> bool {
    matches!(&def.kind, TypeKind::Struct(structure)
        if def.extra_attributes.is_empty()
            && structure.additional.is_none()
            && !structure.fields.iter().any(|field| field.flatten))
}

/// A struct's `Deserialize`, written out ([`runtime::FromMembers`]): a loop over the
/// object's members, matched by name, then each required field checked present. Unknown
/// members are skipped, a missing optional one is `None`, as serde's derive reads them.
fn written_out_deserialize(
    api: &Api,
    name: &proc_macro2::Ident,
    structure: &Struct,
    context: TypeContext,
) -> TokenStream {
    let locals: Vec<proc_macro2::Ident> = structure
        .fields
        .iter()
        .map(|field| {
            let name = field.rust_name.trim_start_matches("r#");
            // A local of underscores and digits alone (`_1_`) is clippy's `just_underscores_and_digits`.
            match name.chars().all(|c| c == '_' || c.is_ascii_digit()) {
                true => ident(&format!("value{name}_")),
                false => ident(&format!("{name}_")),
            }
        })
        .collect();
    let arms = structure.fields.iter().zip(&locals).map(|(field, local)| {
        let key = &field.api_name;
        let mut ty = type_tokens(api, &field.ty, context);
        if field.boxed {
            ty = quote!(Box<#ty>);
        }
        // The local is `Option<field type>` for a required field, the field's own
        // `Option` otherwise (a present `null` is `None`), and `Some(…)` of a present
        // value for a field that tells absent from `null`.
        match (field.optional(), field.null_distinct) {
            (_, true) => quote!(#key => #local = Some(members.next_value::<Option<#ty>>()?),),
            (true, false) => quote!(#key => #local = members.next_value::<Option<#ty>>()?,),
            (false, false) => quote!(#key => #local = Some(members.next_value::<#ty>()?),),
        }
    });
    let inits = structure.fields.iter().zip(&locals).map(|(field, local)| {
        let field_name = ident(&field.rust_name);
        match field.optional() || field.null_distinct {
            true => quote!(#field_name: #local,),
            false => {
                let key = &field.api_name;
                quote!(#field_name: #local.ok_or_else(|| serde::de::Error::missing_field(#key))?,)
            }
        }
    });
    let expecting = format!("struct {name}");
    let read = match structure.fields.is_empty() {
        // Nothing to keep: every member is skipped.
        true => quote! {
            while members.next_key::<serde::de::IgnoredAny>()?.is_some() {
                members.next_value::<serde::de::IgnoredAny>()?;
            }
        },
        false => quote! {
            while let Some(key) = members.next_key::<runtime::FieldName<'de>>()? {
                match key.as_str() {
                    #(#arms)*
                    _ => {
                        members.next_value::<serde::de::IgnoredAny>()?;
                    }
                }
            }
        },
    };
    quote! {
        impl<'de> Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                runtime::read_object(deserializer, #expecting)
            }
        }

        impl runtime::FromMembers for #name {
            fn from_members<'de, A: serde::de::MapAccess<'de>>(mut members: A) -> Result<Self, A::Error> {
                #(let mut #locals = None;)*
                #read
                Ok(Self {
                    #(#inits)*
                })
            }
        }
    }
}

fn emit_struct(
    api: &Api,
    docs: &TokenStream,
    name: &proc_macro2::Ident,
    structure: &Struct,
    direction: Direction,
    context: TypeContext,
    written_out: bool,
) -> TokenStream {
    let serde = Serde::of(direction);
    // Field attributes are serde's helpers: they need a serde derive that is always there.
    let attributes = match (written_out, serde.serialize) {
        (true, false) => FieldAttributes::WhenRoundTrip,
        _ => FieldAttributes::Always,
    };
    let fields = structure.fields.iter().map(|field| emit_field(api, field, context, attributes));
    let additional = structure.additional.as_ref().map(|value| {
        let value = type_tokens(api, value, context);
        let field = ident(naming::owned::ADDITIONAL_PROPERTIES_FIELD);
        quote! {
            /// Properties beyond the declared ones.
            #[serde(flatten)]
            pub #field: BTreeMap<String, #value>,
        }
    });
    let envelope = structure.envelope.map(|envelope| {
        let result = &structure.fields[envelope.result];
        let success = &structure.fields[envelope.success];
        let result_name = ident(&result.rust_name);
        let success_name = ident(&success.rust_name);
        let mut result_type = type_tokens(api, &result.ty, context);
        if result.boxed {
            result_type = quote!(Box<#result_type>);
        }
        // A nullable result is data in its own right (`null`), not a missing one.
        let (result_type, take) = if result.nullable {
            (quote!(Option<#result_type>), quote!(Some(self.#result_name.take())))
        } else {
            (result_type, quote!(self.#result_name.take()))
        };
        let is_success =
            if success.optional() { quote!(self.#success_name != Some(false)) } else { quote!(self.#success_name) };
        quote! {
            impl runtime::Envelope for #name {
                type Result = #result_type;

                fn is_success(&self) -> bool {
                    #is_success
                }

                fn take_result(&mut self) -> Option<Self::Result> {
                    #take
                }
            }
        }
    });
    let all_optional = structure.fields.iter().all(Field::optional);
    let default = all_optional.then(|| quote!(Default));
    let eq = derives_eq(api, structure).then(|| quote!(Eq));
    let base = [quote!(Debug), quote!(Clone), quote!(PartialEq)].into_iter().chain(eq).chain(default);
    let derives = serde.derive(base, true, !written_out, None);
    let deserialize =
        written_out.then(|| serde.gate(serde.deserialize, written_out_deserialize(api, name, structure, context)));
    quote! {
        #docs
        #derives
        pub struct #name {
            #(#fields)*
            #additional
        }

        #deserialize

        #envelope
    }
}

/// How a struct's fields carry their serde attributes.
#[derive(Clone, Copy, PartialEq)]
enum FieldAttributes {
    /// A serde derive is always on the struct.
    Always,
    /// Only the `round-trip` feature derives one.
    WhenRoundTrip,
}

fn emit_field(api: &Api, field: &Field, context: TypeContext, attributes: FieldAttributes) -> TokenStream {
    let name = ident(&field.rust_name);
    let mut ty = type_tokens(api, &field.ty, context);
    if field.boxed {
        ty = quote!(Box<#ty>);
    }
    if field.flatten {
        let note = "The value's other fields: it must also match one of these shapes.";
        let docs = doc_attrs([spec(field.description.as_deref()), ours(note.to_owned())]);
        return quote! {
            #docs
            #[serde(flatten)]
            pub #name: #ty,
        };
    }
    let docs = doc_attrs([spec(field.description.as_deref()), ours(field_notes(field))]);
    if field.optional() {
        ty = quote!(Option<#ty>);
    }
    if field.null_distinct {
        ty = quote!(Option<#ty>);
    }
    let rename = (field.rust_name.trim_start_matches("r#") != field.api_name).then(|| {
        let api_name = &field.api_name;
        quote!(rename = #api_name)
    });
    let skip = (!field.required).then(|| quote!(default, skip_serializing_if = "Option::is_none"));
    let with = field.null_distinct.then(|| quote!(with = "runtime::double_option"));
    let serde_args: Vec<TokenStream> = [rename, skip, with].into_iter().flatten().collect();
    let feature = naming::owned::ROUND_TRIP_FEATURE;
    let serde = (!serde_args.is_empty()).then(|| match attributes {
        FieldAttributes::Always => quote!(#[serde(#(#serde_args),*)]),
        FieldAttributes::WhenRoundTrip => quote!(#[cfg_attr(feature = #feature, serde(#(#serde_args),*))]),
    });
    quote! {
        #docs
        #serde
        pub #name: #ty,
    }
}

/// What the spec says of a field beyond its description, in words: its default, its
/// direction, and how to send `null`.
fn field_notes(field: &Field) -> String {
    let mut notes = Vec::new();
    if let Some(default) = field.default.as_ref().and_then(super::shown_default) {
        notes.push(format!("Defaults to {default}."));
    }
    if field.read_only {
        notes.push("Read-only: set by the server, left out of requests.".to_owned());
    }
    if field.write_only {
        notes.push("Write-only: sent in requests, never returned.".to_owned());
    }
    if field.null_distinct {
        notes.push("`Some(None)` sends `null` (clearing the value); `None` leaves the field out.".to_owned());
    }
    notes.join(" ")
}

fn emit_enum(
    docs: &TokenStream,
    name: &proc_macro2::Ident,
    variants: &[EnumVariant],
    direction: Direction,
) -> TokenStream {
    let names: Vec<proc_macro2::Ident> = variants.iter().map(|variant| ident(&variant.rust_name)).collect();
    let values: Vec<&String> = variants.iter().map(|variant| &variant.value).collect();
    let variant_docs = variants.iter().map(|variant| doc_attrs([spec(variant.description.as_deref())]));
    // The serde impls are written out rather than derived: an enum with an untagged
    // catch-all derives a buffering deserializer, and large APIs have hundreds of these.
    let serde = Serde::of(direction);
    let serialize = serde.gate(
        serde.serialize,
        quote! {
            impl Serialize for #name {
                fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                    serializer.serialize_str(self.as_str())
                }
            }
        },
    );
    let deserialize = serde.gate(
        serde.deserialize,
        quote! {
            impl<'de> Deserialize<'de> for #name {
                fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                    String::deserialize(deserializer).map(Self::from)
                }
            }
        },
    );
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum #name {
            #(#variant_docs #names,)*
            #[doc = #OTHER_DOC]
            Other(String),
        }

        impl #name {
            /// The value as it is sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #(Self::#names => #values,)*
                    Self::Other(value) => value,
                }
            }
        }

        /// The variant a wire value names; [`Other`](Self::Other) for a value not listed.
        impl From<String> for #name {
            fn from(value: String) -> Self {
                match value.as_str() {
                    #(#values => Self::#names,)*
                    _ => Self::Other(value),
                }
            }
        }

        #serialize

        #deserialize

        impl std::fmt::Display for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    }
}

const OTHER_DOC: &str = " A value this client does not know yet; kept so that a new server value still decodes.";

fn emit_integer_enum(
    docs: &TokenStream,
    name: &proc_macro2::Ident,
    variants: &[ValueVariant],
    direction: Direction,
) -> TokenStream {
    let serde = Serde::of(direction);
    let serialize = serde.gate(
        serde.serialize,
        quote! {
            impl Serialize for #name {
                fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                    serializer.serialize_i64(self.value())
                }
            }
        },
    );
    let arms = value_variant_arms(variants);
    let values: Vec<proc_macro2::Literal> = variants
        .iter()
        .map(|variant| proc_macro2::Literal::i64_unsuffixed(variant.value.as_i64().unwrap_or(0)))
        .collect();
    let names: Vec<proc_macro2::Ident> = variants.iter().map(|variant| ident(&variant.rust_name)).collect();
    let deserialize = serde.gate(
        serde.deserialize,
        quote! {
            impl<'de> Deserialize<'de> for #name {
                fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                    Ok(match i64::deserialize(deserializer)? {
                        #(#values => Self::#names,)*
                        value => Self::Other(value),
                    })
                }
            }
        },
    );
    quote! {
        #docs
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum #name {
            #(#arms)*
            #[doc = #OTHER_DOC]
            Other(i64),
        }

        impl #name {
            /// The value as it is sent on the wire.
            pub fn value(self) -> i64 {
                match self {
                    #(Self::#names => #values,)*
                    Self::Other(value) => value,
                }
            }
        }

        #serialize

        #deserialize

        impl std::fmt::Display for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}", self.value())
            }
        }
    }
}

/// An enum of values of several JSON kinds: matched and rebuilt through `serde_json::Value`.
fn emit_mixed_enum(
    docs: &TokenStream,
    name: &proc_macro2::Ident,
    variants: &[ValueVariant],
    direction: Direction,
) -> TokenStream {
    let arms = value_variant_arms(variants);
    let names: Vec<proc_macro2::Ident> = variants.iter().map(|variant| ident(&variant.rust_name)).collect();
    let builds = variants.iter().map(|variant| value_expression(&variant.value));
    let tests = variants.iter().map(|variant| value_test(&variant.value));
    let serde = Serde::of(direction);
    let serialize = serde.gate(
        serde.serialize,
        quote! {
            impl Serialize for #name {
                fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                    self.to_value().serialize(serializer)
                }
            }
        },
    );
    let deserialize = serde.gate(
        serde.deserialize,
        quote! {
            impl<'de> Deserialize<'de> for #name {
                fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                    let value = serde_json::Value::deserialize(deserializer)?;
                    #(if #tests { return Ok(Self::#names); })*
                    Ok(Self::Other(value))
                }
            }
        },
    );
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq)]
        pub enum #name {
            #(#arms)*
            #[doc = #OTHER_DOC]
            Other(serde_json::Value),
        }

        impl #name {
            /// The value as it is sent on the wire.
            pub fn to_value(&self) -> serde_json::Value {
                match self {
                    #(Self::#names => #builds,)*
                    Self::Other(value) => value.clone(),
                }
            }
        }

        #serialize

        #deserialize

        impl std::fmt::Display for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}", self.to_value())
            }
        }
    }
}

/// The variants of a value enum, each documented with the value it stands for.
fn value_variant_arms(variants: &[ValueVariant]) -> impl Iterator<Item = TokenStream> + '_ {
    variants.iter().map(|variant| {
        let variant_name = ident(&variant.rust_name);
        let docs = doc_attrs([spec(variant.description.as_deref()), ours(format!("`{}`", variant.value))]);
        quote!(#docs #variant_name,)
    })
}

/// Builds `value` as a `serde_json::Value`.
fn value_expression(value: &serde_json::Value) -> TokenStream {
    match value {
        serde_json::Value::String(text) => quote!(serde_json::Value::from(#text)),
        serde_json::Value::Bool(flag) => quote!(serde_json::Value::Bool(#flag)),
        serde_json::Value::Number(number) => match number.as_i64() {
            Some(integer) => {
                let integer = proc_macro2::Literal::i64_suffixed(integer);
                quote!(serde_json::Value::from(#integer))
            }
            None => {
                let float = proc_macro2::Literal::f64_suffixed(number.as_f64().unwrap_or_default());
                quote!(serde_json::Value::from(#float))
            }
        },
        _ => quote!(serde_json::Value::Null),
    }
}

/// Whether the decoded `value` is `expected`; numbers compare by value, so `1` matches `1.0`.
fn value_test(expected: &serde_json::Value) -> TokenStream {
    match expected {
        serde_json::Value::String(text) => quote!(value.as_str() == Some(#text)),
        serde_json::Value::Bool(flag) => quote!(value.as_bool() == Some(#flag)),
        serde_json::Value::Number(number) => {
            let float = proc_macro2::Literal::f64_suffixed(number.as_f64().unwrap_or_default());
            quote!(value.as_f64() == Some(#float))
        }
        _ => quote!(value.is_null()),
    }
}

fn emit_union(
    api: &Api,
    docs: &TokenStream,
    name: &proc_macro2::Ident,
    variants: &[UnionVariant],
    discriminator: Option<&crate::ir::Discriminator>,
    direction: Direction,
    context: TypeContext,
) -> TokenStream {
    let serde = Serde::of(direction);
    let arms = variants.iter().map(|variant| {
        let variant_name = ident(&variant.rust_name);
        let ty = type_tokens(api, &variant.ty, context);
        match variant.boxed {
            true => quote!(#variant_name(Box<#ty>),),
            false => quote!(#variant_name(#ty),),
        }
    });
    let Some(discriminator) = discriminator else {
        return emit_untagged_union(api, docs, name, variants, arms.collect(), serde);
    };
    // The discriminator picks the variant; each variant's struct keeps the property, so
    // the value serializes back as it came.
    let property = &discriminator.property;
    let dispatch = variants.iter().map(|variant| {
        let variant_name = ident(&variant.rust_name);
        let tags = &variant.tags;
        quote!(Some(#(#tags)|*) => runtime::decode_variant(value, Self::#variant_name),)
    });
    let other_doc = format!(" A `{property}` this client does not know yet, kept as it came.");
    // A member whose struct may leave the property out (an optional field, `None`) does
    // not carry its tag on every value.
    let carries_tag = |variant: &UnionVariant| {
        struct_of(api, &variant.ty).is_none_or(|structure| {
            structure.fields.iter().any(|field| field.api_name == *property && !field.optional())
        })
    };
    let (derive_serialize, serialize) = if variants.iter().all(carries_tag) {
        (true, None)
    } else {
        // A member that does not declare the property, or may leave it out, still sends
        // it: it is what selects the member on the other side. A value it holds is kept.
        let arms = variants.iter().map(|variant| {
            let variant_name = ident(&variant.rust_name);
            match variant.tags.first().filter(|_| !carries_tag(variant)) {
                Some(tag) => quote!(Self::#variant_name(inner) => (serde_json::to_value(inner), #tag),),
                None => quote!(Self::#variant_name(inner) => return inner.serialize(serializer),),
            }
        });
        let serialize = quote! {
            impl Serialize for #name {
                fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                    let (value, tag) = match self {
                        #(#arms)*
                        Self::Other(value) => return value.serialize(serializer),
                    };
                    let mut value = value.map_err(serde::ser::Error::custom)?;
                    if let Some(object) = value.as_object_mut() {
                        object.entry(#property).or_insert_with(|| serde_json::Value::from(tag));
                    }
                    value.serialize(serializer)
                }
            }
        };
        (false, Some(serde.gate(serde.serialize, serialize)))
    };
    let untagged = derive_serialize.then(|| quote!(untagged));
    let derives = serde.derive([quote!(Debug), quote!(Clone), quote!(PartialEq)], derive_serialize, false, untagged);
    let deserialize = serde.gate(
        serde.deserialize,
        quote! {
            impl<'de> Deserialize<'de> for #name {
                fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                    let value = serde_json::Value::deserialize(deserializer)?;
                    match value.get(#property).and_then(serde_json::Value::as_str) {
                        #(#dispatch)*
                        _ => Ok(Self::Other(value)),
                    }
                }
            }
        },
    );
    quote! {
        #docs
        #derives
        pub enum #name {
            #(#arms)*
            #[doc = #other_doc]
            Other(serde_json::Value),
        }

        #serialize

        #deserialize
    }
}

/// A union without a discriminator: the first variant (most demanding first) that
/// decodes the whole value, every member at every depth, wins, so a struct that would
/// silently drop a field (even a nested one) does not take a value another variant holds
/// whole; failing that, the first that decodes at all.
fn emit_untagged_union(
    api: &Api,
    docs: &TokenStream,
    name: &proc_macro2::Ident,
    variants: &[UnionVariant],
    arms: Vec<TokenStream>,
    serde: Serde,
) -> TokenStream {
    let base = || [quote!(Debug), quote!(Clone), quote!(PartialEq)];
    let fits: Vec<Fit<'_>> = variants.iter().map(|variant| Fit::of(api, &variant.ty)).collect();
    // Scalars and lists of them drop nothing: serde's own untagged order is enough.
    if fits.iter().all(|fit| matches!(fit, Fit::Any))
        && !variants.iter().any(|variant| holds_objects(api, &variant.ty, 0))
    {
        let derives = serde.derive(base(), true, true, Some(quote!(untagged)));
        return quote! {
            #docs
            #derives
            pub enum #name {
                #(#arms)*
            }
        };
    }
    let attempt = |variant: &UnionVariant, test: Option<TokenStream>, whole: bool| {
        let variant_name = ident(&variant.rust_name);
        let decode = match whole {
            true => quote! {
                if let Some(decoded) = crate::runtime::decode_whole(&value) {
                    return Ok(Self::#variant_name(decoded));
                }
            },
            false => quote! {
                if let Some(decoded) = crate::runtime::decode_fitting(&value) {
                    return Ok(Self::#variant_name(decoded));
                }
            },
        };
        match test {
            Some(test) => quote!(if #test { #decode }),
            None => decode,
        }
    };
    // First pass: a variant that holds the whole value, at every depth.
    let exact = variants.iter().zip(&fits).map(|(variant, fit)| attempt(variant, fit.exact_test(), true));
    // Serde reads a struct from an array too; a JSON API never means that.
    let loose = variants.iter().zip(&fits).map(|(variant, fit)| {
        attempt(variant, matches!(fit, Fit::Struct { .. }).then(|| quote!(value.is_object())), false)
    });
    let message = format!("data did not match any variant of {name}");
    let uses_fixed = fits.iter().any(|fit| matches!(fit, Fit::Struct { enums, .. } if !enums.is_empty()));
    // A variant whose field is an enum (`type: {enum: [user_reference]}`) fits only
    // values that carry one of its values there (or `null`, for a nullable enum): its
    // open enum would take anything.
    let fixed = uses_fixed.then(|| {
        quote! {
            let fixed = |fields: &[(&str, &[&str])]| {
                fields.iter().all(|(property, listed)| {
                    value.get(property).is_none_or(|found| {
                        found.is_null() || found.as_str().is_some_and(|found| listed.contains(&found))
                    })
                })
            };
        }
    });
    let derives = serde.derive(base(), true, false, Some(quote!(untagged)));
    let deserialize = serde.gate(
        serde.deserialize,
        quote! {
            impl<'de> Deserialize<'de> for #name {
                fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                    let value = serde_json::Value::deserialize(deserializer)?;
                    #fixed
                    #(#exact)*
                    #(#loose)*
                    Err(serde::de::Error::custom(#message))
                }
            }
        },
    );
    quote! {
        #docs
        #derives
        pub enum #name {
            #(#arms)*
        }

        #deserialize
    }
}

/// Which serde impls a type has whatever features are on (those its direction needs:
/// `Deserialize` for what is received, `Serialize` for what is sent), the others only with
/// the crate's `round-trip` feature. Deriving only what is used halves the serde code of
/// a response-heavy API.
#[derive(Debug, Clone, Copy)]
struct Serde {
    serialize: bool,
    deserialize: bool,
}

impl Serde {
    fn of(direction: Direction) -> Self {
        Serde { serialize: direction.serializes(), deserialize: direction.deserializes() }
    }

    /// `#[derive(…)]` with `base` and the serde derives asked for that the direction
    /// needs; the others behind the feature. `serde_args` are the type's own serde
    /// attributes, which need a serde derive beside them.
    fn derive(
        self,
        base: impl IntoIterator<Item = TokenStream>,
        serialize: bool,
        deserialize: bool,
        serde_args: Option<TokenStream>,
    ) -> TokenStream {
        let (mut always, mut gated) = (Vec::new(), Vec::new());
        for (derived, needed, name) in
            [(serialize, self.serialize, quote!(Serialize)), (deserialize, self.deserialize, quote!(Deserialize))]
        {
            match (derived, needed) {
                (false, _) => {}
                (true, true) => always.push(name),
                (true, false) => gated.push(name),
            }
        }
        let feature = naming::owned::ROUND_TRIP_FEATURE;
        let base: Vec<TokenStream> = base.into_iter().chain(always.iter().cloned()).collect();
        let (args, gated_args) = match serde_args {
            Some(args) if !always.is_empty() => (Some(quote!(#[serde(#args)])), None),
            Some(args) if !gated.is_empty() => (None, Some(quote!(, serde(#args)))),
            _ => (None, None),
        };
        let gated =
            (!gated.is_empty()).then(|| quote!(#[cfg_attr(feature = #feature, derive(#(#gated),*) #gated_args)]));
        quote! {
            #[derive(#(#base),*)]
            #args
            #gated
        }
    }

    /// Hand-written serde impls, behind the feature unless the direction needs them.
    fn gate(self, needed: bool, items: TokenStream) -> TokenStream {
        match needed {
            true => items,
            false => super::gate(items, &[naming::owned::ROUND_TRIP_FEATURE.to_owned()]),
        }
    }
}

/// Whether a value of `ty` has objects in it whose members a struct could drop.
fn holds_objects(api: &Api, ty: &TypeRef, depth: usize) -> bool {
    match ty {
        _ if depth > 16 => true,
        TypeRef::Array(inner) | TypeRef::Map(inner) | TypeRef::Option(inner) => holds_objects(api, inner, depth + 1),
        TypeRef::Named(id) => match &api.types.get(*id).kind {
            TypeKind::Struct(_) | TypeKind::Union(..) => true,
            TypeKind::Enum(_) | TypeKind::ValueEnum(_) => false,
            TypeKind::Alias(target) => holds_objects(api, target, depth + 1),
        },
        _ => false,
    }
}

/// What an untagged variant accepts on the first, exact pass (where it must also hold
/// the whole value, every member at every depth).
enum Fit<'a> {
    /// Whatever its type decodes.
    Any,
    /// Objects only; with `enums`, only objects whose enum fields hold a value the enum lists.
    Struct { enums: Vec<(&'a str, Vec<&'a str>)> },
    /// One of the values a string enum lists (its `Other` would take any string).
    Enum(Vec<&'a str>),
    /// An object whose `property` holds a value that selects a variant of this
    /// discriminated union (its `Other` would take any object).
    Tagged { property: &'a str, tags: Vec<&'a str> },
}

impl<'a> Fit<'a> {
    fn of(api: &'a Api, ty: &TypeRef) -> Self {
        if let Some(structure) = struct_of(api, ty) {
            return Fit::Struct { enums: enum_fields(api, structure) };
        }
        if let Some(values) = listed_values(api, ty) {
            return Fit::Enum(values);
        }
        match api.types.named(ty).map(|def| &def.kind) {
            Some(TypeKind::Union(variants, Some(discriminator))) => Fit::Tagged {
                property: &discriminator.property,
                tags: variants.iter().flat_map(|variant| variant.tags.iter().map(String::as_str)).collect(),
            },
            _ => Fit::Any,
        }
    }

    fn exact_test(&self) -> Option<TokenStream> {
        match self {
            Fit::Any => None,
            Fit::Struct { enums } => {
                let mut test = quote!(value.is_object());
                if !enums.is_empty() {
                    let pairs = enums.iter().map(|(property, values)| quote!((#property, &[#(#values),*])));
                    test = quote!(#test && fixed(&[#(#pairs),*]));
                }
                Some(test)
            }
            Fit::Enum(values) => Some(quote!(value.as_str().is_some_and(|found| [#(#values),*].contains(&found)))),
            Fit::Tagged { property, tags } => Some(quote! {
                value.get(#property).and_then(serde_json::Value::as_str).is_some_and(|found| [#(#tags),*].contains(&found))
            }),
        }
    }
}

/// The values of a string enum of at most [`MAX_CHECKED_ENUM`] values, through aliases.
fn listed_values<'a>(api: &'a Api, ty: &TypeRef) -> Option<Vec<&'a str>> {
    match &api.types.named(ty)?.kind {
        TypeKind::Enum(values) if values.len() <= MAX_CHECKED_ENUM => {
            Some(values.iter().map(|variant| variant.value.as_str()).collect())
        }
        _ => None,
    }
}

/// The struct a type is, through aliases.
fn struct_of<'a>(api: &'a Api, ty: &TypeRef) -> Option<&'a Struct> {
    match &api.types.named(ty)?.kind {
        TypeKind::Struct(structure) => Some(structure),
        _ => None,
    }
}

/// Enums with more values than this are not checked when picking an untagged variant:
/// the list would cost more code than it saves.
const MAX_CHECKED_ENUM: usize = 256;

/// The fields of a struct that hold a string enum, with the values it lists.
fn enum_fields<'a>(api: &'a Api, structure: &'a Struct) -> Vec<(&'a str, Vec<&'a str>)> {
    structure
        .fields
        .iter()
        .filter_map(|field| listed_values(api, &field.ty).map(|values| (field.api_name.as_str(), values)))
        .collect()
}

/// `Eq` is derivable unless a float or a JSON value hides somewhere inside.
fn derives_eq(api: &Api, structure: &Struct) -> bool {
    fn eq_type(api: &Api, ty: &TypeRef, depth: usize) -> bool {
        if depth > 16 {
            return false;
        }
        match ty {
            TypeRef::F32 | TypeRef::F64 | TypeRef::Json => false,
            TypeRef::Array(inner) | TypeRef::Map(inner) | TypeRef::Option(inner) => eq_type(api, inner, depth + 1),
            TypeRef::Named(id) => match &api.types.get(*id).kind {
                TypeKind::Struct(structure) => {
                    structure.additional.as_ref().is_none_or(|extra| eq_type(api, extra, depth + 1))
                        && structure.fields.iter().all(|field| eq_type(api, &field.ty, depth + 1))
                }
                TypeKind::Enum(_) => true,
                TypeKind::ValueEnum(variants) => ValueVariant::all_integers(variants),
                TypeKind::Union(..) => false,
                TypeKind::Alias(target) => eq_type(api, target, depth + 1),
            },
            _ => true,
        }
    }
    structure.additional.as_ref().is_none_or(|extra| eq_type(api, extra, 0))
        && structure.fields.iter().all(|field| eq_type(api, &field.ty, 0))
}
