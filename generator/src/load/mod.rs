//! Load: the only stage that knows `openapiv3` and `serde_yaml`.
//!
//! Parses a document, normalizes Swagger 2.0 and OpenAPI 3.1 to 3.0 (`convert`), checks
//! it as a whole (`$ref`s, typed shape), reads `allOf` inheritance with a discriminator
//! as a choice (`inheritance`), then lowers it into an [`ir::Api`](crate::ir::Api).
//! Problems are collected, not thrown: lowering goes on after one so a single run
//! reports all of them.

mod bundle;
mod convert;
mod inheritance;
mod lenient;
mod operations;
pub(crate) mod overlay;
mod parse;
mod schemas;
pub(crate) mod structure;

use crate::diagnostics::{pointer, Diagnostic, Diagnostics, Origins, Reporter};
use crate::ir::{self, Api, ApiKeyLocation, SchemeKind, TypeDef, TypeId, TypeKind, TypeRef};
use crate::naming::{self, Namespace};
use crate::{ApiSpec, Config};

use openapiv3::{OpenAPI, ReferenceOr};
pub use overlay::Overlay;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Loads one spec and lowers it into the IR.
pub fn load(spec: &ApiSpec<'_>) -> Result<Api, Diagnostics> {
    load_document(spec, false).map(|loaded| loaded.api)
}

/// An API with the normalized document it was lowered from, for verification.
pub(crate) struct Loaded {
    pub api: Api,
    /// The document after conversion to 3.0 and bundling: every `$ref` is
    /// `#/components/<kind>/<name>` in it. Kept only when asked for.
    pub document: Option<serde_json::Value>,
    /// For each schema a type was lowered from (a pointer of `TypeDef::origins`), its
    /// pointer as the user wrote it.
    pub user_pointers: BTreeMap<String, String>,
}

pub(crate) fn load_document(spec: &ApiSpec<'_>, keep_document: bool) -> Result<Loaded, Diagnostics> {
    let mut kept = None;
    let mut report = Reporter::new(spec.file.clone());
    let mut warnings = Vec::new();
    // What overlays wrote maps back to them; it is the first rewrite, so the last undone.
    let mut overlaid = Origins::default();
    let parsed = match parse::parse_document(spec.text, &mut report) {
        Some(mut document) => {
            overlay::apply_all(&mut document, &spec.overlays, &mut overlaid, &mut warnings)?;
            Some(document)
        }
        None => None,
    };
    let openapi = parsed.and_then(|mut document| {
        // Swagger 2.0 and OpenAPI 3.1 become 3.0 first, so one typed model serves all three.
        let (mut converted, mut wrapped) = (Origins::default(), Origins::chained());
        let normalized = convert::normalize(&mut document, &mut converted, &mut wrapped);
        // One channel for every problem: conversion's are mapped back through what it moved.
        report.set_origins(vec![wrapped.clone(), converted.clone(), overlaid.clone()]);
        if let Err(problems) = normalized {
            for (at, message) in problems {
                report.error(at, message);
            }
            return None;
        }
        let parse_other = |text: &str| parse::parse_value(text);
        let mut bundled = Origins::chained();
        let result = bundle::bundle(&mut document, &parse_other, spec.read_file.map(|reader| reader.0), &mut bundled);
        // Bundling's own diagnostics are already mapped back through its moves (at the
        // time each was found); what comes later undoes those moves first.
        report.set_origins(vec![wrapped.clone(), converted.clone(), overlaid.clone()]);
        match result {
            Ok(lenient) => {
                warnings.extend(lenient.into_iter().map(|(at, message)| report.diagnostic(at, message)));
            }
            Err(problems) => {
                for (at, message) in problems {
                    report.error(at, message);
                }
                return None;
            }
        }
        // Breakage with one safe reading is repaired, each repair a warning. After
        // bundling, so parameters from other files and path items given by `$ref` are seen.
        let mut repaired = Origins::chained();
        let repairs = lenient::repair(&mut document, &mut repaired);
        // A base schema with a discriminator becomes the choice among its subtypes.
        let mut inherited = Origins::chained();
        inheritance::expand(&mut document, &mut inherited);
        report.set_origins(vec![inherited, repaired, bundled, wrapped, converted, overlaid]);
        warnings.extend(repairs.into_iter().map(|(at, message)| report.diagnostic(at, message)));
        if keep_document {
            let mut copy = document.clone();
            bundle::component_refs_as_pointers(&mut copy);
            kept = Some(copy);
        }
        parse::to_openapi(document, &mut report)
    });
    let Some(openapi) = openapi else {
        report.finish()?;
        unreachable!("a document that failed to parse always has a diagnostic");
    };
    // Lowering a document with dangling `$ref`s would only repeat those errors.
    let fresh = report.fresh();
    std::mem::replace(&mut report, fresh).finish()?;

    let config = spec.config;
    let mut lowering = Lowering {
        openapi: &openapi,
        config,
        config_problems: Vec::new(),
        report,
        types: Vec::new(),
        type_names: Namespace::new(),
        components: BTreeMap::new(),
        inline_types: HashMap::new(),
        merged_types: HashMap::new(),
        warnings: Vec::new(),
    };
    let name = match (config.and_then(|config| config.module.clone()), spec.name) {
        (Some(module), _) => module,
        (None, Some(name)) => name.to_owned(),
        (None, None) => naming::title_module(&openapi.info.title),
    };
    let module = naming::api_module(&name);
    lowering.register_components();
    lowering.lower_components();
    let from_spec = openapi.info.extensions.get("x-env-prefix").and_then(|value| value.as_str());
    let env_prefix = match config.and_then(|config| config.env_prefix.as_deref()).or(from_spec) {
        Some(prefix) => naming::const_name(prefix),
        None => naming::const_name(&module),
    };
    let security_schemes = lowering.lower_security_schemes(&env_prefix);
    let groups = lowering.lower_operations(&security_schemes, &module);
    if let Some(config) = config {
        lowering.check_config_schemas(config);
    }
    let Lowering { report, mut types, warnings: lowering_warnings, config_problems, .. } = lowering;
    let user_pointers = match keep_document {
        true => {
            let origins = types.iter().flat_map(|def| &def.origins);
            origins.map(|at| (at.clone(), report.diagnostic(at.clone(), "").location)).collect()
        }
        false => BTreeMap::new(),
    };
    let found = match report.finish() {
        Ok(()) => Diagnostics::default(),
        Err(found) => found,
    };
    let found = Diagnostics(found.0.into_iter().chain(config_problems).collect());
    if !found.is_empty() {
        return Err(found);
    }
    warnings.extend(lowering_warnings);
    file_parts(&mut types, &groups);
    box_recursive_fields(&mut types);
    box_large_variants(&mut types);
    break_alias_cycles(&mut types);
    order_untagged_variants(&mut types);

    let api = Api {
        env_prefix,
        feature: naming::api_feature(&name),
        module,
        title: naming::one_line(&openapi.info.title),
        version: openapi.info.version.clone(),
        description: openapi.info.description.clone(),
        servers: lower_servers(&openapi),
        security_schemes,
        types: ir::TypeSpace { types },
        groups,
        scopes: Vec::new(),
        core_feature: None,
        tag_features_from: config.and_then(|config| config.tag_features_from),
        formats: Default::default(),
        docs_base: config
            .and_then(|config| config.docs_url.clone())
            .or_else(|| openapi.external_docs.as_ref().and_then(|docs| origin(&docs.url))),
        warnings,
    };
    Ok(Loaded { api, document: kept, user_pointers })
}

/// State shared by the lowering passes of one document.
pub(crate) struct Lowering<'a> {
    openapi: &'a OpenAPI,
    config: Option<&'a Config>,
    /// What the config names that the document lacks, against the config's file.
    config_problems: Vec<Diagnostic>,
    report: Reporter,
    types: Vec<TypeDef>,
    type_names: Namespace,
    /// `#/components/schemas/X` → its slot in `types`.
    components: BTreeMap<String, TypeId>,
    /// Pointer of an inline schema → what it was lowered to (see `lower_inline`).
    inline_types: HashMap<String, TypeRef>,
    /// The object schemas (by address) a property merges → the struct defined for them:
    /// recursive schemas meet the same merge again inside it.
    merged_types: HashMap<Vec<usize>, TypeRef>,
    /// What was accepted but left out or bent; reported without failing.
    warnings: Vec<Diagnostic>,
}

impl Lowering<'_> {
    /// Whether `ty` is any JSON, through the aliases lowered so far.
    fn is_untyped(&self, ty: &TypeRef) -> bool {
        *ir::resolved_ref_in(&self.types, ty) == TypeRef::Json
    }

    /// Every schema the config names exists, and no two get one name.
    fn check_config_schemas(&mut self, config: &Config) {
        let schemas = self.openapi.components.as_ref().map(|components| &components.schemas);
        let mut given: BTreeMap<&str, &str> = BTreeMap::new();
        for (schema, settings) in &config.schemas {
            let key = format!("schemas.{}", crate::config::quoted_key(schema));
            if !schemas.is_some_and(|schemas| schemas.contains_key(schema)) {
                let message = format!("the spec has no schema `{schema}` under #/components/schemas");
                self.config_problems.push(config.problem(key, message));
                continue;
            }
            let Some(name) = settings.name.as_deref() else { continue };
            let taken_by_default = schemas.into_iter().flat_map(|schemas| schemas.keys()).find(|other| {
                *other != schema && !config.schemas.contains_key(*other) && naming::type_name(other) == name
            });
            if let Some(other) = given.insert(name, schema).or(taken_by_default.map(String::as_str)) {
                let message = format!("`{name}` is also the name of schema `{other}`; give each type its own name");
                self.config_problems.push(config.problem(format!("{key}.name"), message));
            }
        }
    }

    fn warn(&mut self, at: impl Into<String>, message: impl Into<String>) {
        let warning = self.report.diagnostic(at, message);
        self.warnings.push(warning);
    }

    fn lower_security_schemes(&mut self, env_prefix: &str) -> Vec<ir::SecurityScheme> {
        let openapi = self.openapi;
        let Some(components) = &openapi.components else { return Vec::new() };
        let token_schemes = components
            .security_schemes
            .values()
            .filter(|scheme| {
                matches!(
                    scheme,
                    ReferenceOr::Item(
                        openapiv3::SecurityScheme::OAuth2 { .. } | openapiv3::SecurityScheme::OpenIDConnect { .. }
                    )
                )
            })
            .count();
        let mut setters = Namespace::new();
        setters.reserve(naming::owned::CLIENT_BUILDER_METHODS);
        let mut consts = Namespace::new();
        let mut schemes = Vec::new();
        for (name, scheme) in &components.security_schemes {
            let at = pointer("#/components/securitySchemes", name);
            let ReferenceOr::Item(scheme) = scheme else {
                self.report.error(at, "security scheme `$ref`s are not supported");
                continue;
            };
            use openapiv3::SecurityScheme as S;
            let extensions = match scheme {
                S::APIKey { extensions, .. }
                | S::HTTP { extensions, .. }
                | S::OAuth2 { extensions, .. }
                | S::OpenIDConnect { extensions, .. } => extensions,
            };
            let is_token = matches!(scheme, S::OAuth2 { .. } | S::OpenIDConnect { .. });
            let env_var = match extensions.get("x-env-var").and_then(|value| value.as_str()) {
                Some(variable) => variable.to_owned(),
                None if is_token && token_schemes == 1 => format!("{env_prefix}_ACCESS_TOKEN"),
                None => format!("{env_prefix}_{}", naming::const_name(name)),
            };
            let mut unsupported = None;
            let mut token_setters = None;
            let (kind, description, setter) = match scheme {
                S::APIKey { location, name: key_name, description, .. } => {
                    let location = match location {
                        openapiv3::APIKeyLocation::Header => ApiKeyLocation::Header,
                        openapiv3::APIKeyLocation::Query => ApiKeyLocation::Query,
                        openapiv3::APIKeyLocation::Cookie => ApiKeyLocation::Cookie,
                    };
                    (SchemeKind::ApiKey { location, name: key_name.clone() }, description, naming::snake_ident(name))
                }
                S::HTTP { scheme: http_scheme, description, .. } => match http_scheme.to_ascii_lowercase().as_str() {
                    "bearer" => (SchemeKind::Bearer, description, naming::snake_ident(name)),
                    "basic" => (SchemeKind::Basic, description, naming::snake_ident(name)),
                    other => {
                        let reason = format!("HTTP authentication scheme `{other}`");
                        self.warn(
                            pointer(&at, "scheme"),
                            format!(
                                "security scheme `{name}` uses {reason}, which the client cannot send (only bearer \
                                 and basic); it gets no credential setter, and operations that accept only it fail \
                                 with `MissingCredentials`"
                            ),
                        );
                        unsupported = Some(reason);
                        (SchemeKind::Bearer, description, naming::snake_ident(name))
                    }
                },
                S::OAuth2 { description, .. } | S::OpenIDConnect { description, .. } => {
                    let prefix = match token_schemes {
                        1 => String::new(),
                        _ => format!("{}_", naming::snake_ident(name).trim_start_matches("r#")),
                    };
                    let token_url = match scheme {
                        S::OAuth2 { flows, .. } => flows.client_credentials.as_ref().map(|flow| flow.token_url.clone()),
                        _ => None,
                    };
                    token_setters = Some((
                        format!("{prefix}token_provider"),
                        token_url.map(|url| (format!("{prefix}client_credentials"), url)),
                    ));
                    (SchemeKind::Bearer, description, format!("{prefix}access_token"))
                }
            };
            let setter = setters.claim(setter);
            let (provider_setter, client_credentials) = match token_setters {
                Some((provider, credentials)) => {
                    (Some(setters.claim(provider)), credentials.map(|(setter, url)| (setters.claim(setter), url)))
                }
                None => (None, None),
            };
            schemes.push(ir::SecurityScheme {
                api_name: name.clone(),
                const_name: consts.claim(naming::const_name(name)),
                setter,
                env_var,
                kind,
                description: description.clone(),
                provider_setter,
                client_credentials,
                unsupported,
            });
        }
        schemes
    }
}

/// The binary fields of a multipart body's struct are files: bytes with a file name and
/// a media type of the caller's choosing, not a byte array.
fn file_parts(types: &mut [TypeDef], groups: &[ir::OperationGroup]) {
    fn as_file(ty: &mut TypeRef) {
        match ty {
            TypeRef::Bytes => *ty = TypeRef::File,
            TypeRef::Array(inner) | TypeRef::Option(inner) => as_file(inner),
            _ => {}
        }
    }
    let bodies = groups.iter().flat_map(|group| &group.operations).filter_map(|operation| operation.body.as_ref());
    for body in bodies.filter(|body| body.encoding == ir::BodyEncoding::Multipart) {
        if let TypeRef::Named(id) = body.ty {
            if let TypeKind::Struct(structure) = &mut types[id.0].kind {
                structure.fields.iter_mut().for_each(|field| as_file(&mut field.ty));
            }
        }
    }
}

/// `https://host` of an absolute URL.
fn origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split(['/', '?', '#']).next().filter(|host| !host.is_empty())?;
    matches!(scheme, "http" | "https").then(|| format!("{scheme}://{host}"))
}

fn lower_servers(openapi: &OpenAPI) -> Vec<ir::Server> {
    openapi
        .servers
        .iter()
        .map(|server| {
            let mut url = server.url.clone();
            for (name, variable) in server.variables.iter().flatten() {
                url = url.replace(&format!("{{{name}}}"), &variable.default);
            }
            ir::Server { url, description: server.description.clone() }
        })
        .collect()
}

/// A union without a discriminator decodes as the first variant that fits, and a struct
/// fits any object that has its required fields (unknown ones are ignored). So the
/// variants are tried most demanding first: structs by required fields, most first; then
/// other shapes, integers before floats (a float takes `5` too, and sends it back as
/// `5.0`) and `double` before `float` (which would round `0.1`); maps and untyped values,
/// which fit anything, last. The sort is stable, so equally demanding variants keep the
/// spec's order.
fn order_untagged_variants(types: &mut [TypeDef]) {
    use std::cmp::Reverse;
    /// Structs first, those requiring more fields first, then those that can hold more
    /// fields (so a value that fits both a minimal and a full variant keeps all it has).
    fn demand(types: &[TypeDef], ty: &TypeRef, depth: usize) -> (u8, Reverse<usize>, Reverse<usize>, u8) {
        match ty {
            TypeRef::Named(id) if depth < 16 => match &types[id.0].kind {
                TypeKind::Struct(structure) => {
                    let required = structure.fields.iter().filter(|field| !field.optional()).count();
                    (0, Reverse(required), Reverse(structure.fields.len()), 0)
                }
                TypeKind::Alias(target) => demand(types, target, depth + 1),
                _ => (1, Reverse(0), Reverse(0), 0),
            },
            TypeRef::Map(_) => (2, Reverse(0), Reverse(0), 0),
            TypeRef::Json => (3, Reverse(0), Reverse(0), 0),
            _ => (1, Reverse(0), Reverse(0), rounding(ty)),
        }
    }
    /// How much a number of this type may change a value it decodes: none for integers
    /// (they take a value whole or not at all), more for `f64`, most for `f32`.
    fn rounding(ty: &TypeRef) -> u8 {
        match ty {
            TypeRef::F64 => 1,
            TypeRef::F32 => 2,
            TypeRef::Array(item) | TypeRef::Option(item) => rounding(item),
            _ => 0,
        }
    }
    for index in 0..types.len() {
        let TypeKind::Union(variants, None) = &types[index].kind else { continue };
        let mut ordered = variants.clone();
        ordered.sort_by_key(|variant| demand(types, &variant.ty, 0));
        if let TypeKind::Union(variants, _) = &mut types[index].kind {
            *variants = ordered;
        }
    }
}

/// A `type` alias cannot name itself, even inside a `Vec` (`List: {items: {$ref: List}}`,
/// a list of lists of any depth): Rust expands aliases eagerly. The reference that closes
/// the loop becomes any JSON value, which still holds every such list whole, and the alias
/// that held it says so. A reference inside a list or map is the one replaced where there
/// is one (`Wrap = Wrap2`, `Wrap2 = Vec<Wrap>` keep `Wrap` a list).
fn break_alias_cycles(types: &mut [TypeDef]) {
    fn reaches(types: &[TypeDef], ty: &TypeRef, goal: TypeId, seen: &mut BTreeSet<TypeId>) -> bool {
        match ty {
            TypeRef::Named(id) if *id == goal => true,
            TypeRef::Named(id) => match &types[id.0].kind {
                TypeKind::Alias(target) if seen.insert(*id) => reaches(types, target, goal, seen),
                _ => false,
            },
            TypeRef::Array(inner) | TypeRef::Map(inner) | TypeRef::Option(inner) => reaches(types, inner, goal, seen),
            _ => false,
        }
    }
    /// Replaces the references in `ty` that lead back to `goal`, only those inside a list
    /// or map when `in_container` must hold.
    fn close(types: &[TypeDef], ty: &mut TypeRef, goal: TypeId, in_container: bool, contained_only: bool) -> bool {
        match ty {
            TypeRef::Named(_)
                if (in_container || !contained_only) && reaches(types, ty, goal, &mut BTreeSet::new()) =>
            {
                *ty = TypeRef::Json;
                true
            }
            TypeRef::Array(inner) | TypeRef::Map(inner) => close(types, inner, goal, true, contained_only),
            TypeRef::Option(inner) => close(types, inner, goal, in_container, contained_only),
            _ => false,
        }
    }
    for contained_only in [true, false] {
        for index in 0..types.len() {
            let TypeKind::Alias(target) = &types[index].kind else { continue };
            let mut target = target.clone();
            if !close(types, &mut target, TypeId(index), false, contained_only) {
                continue;
            }
            let note = "Its items can be lists like it to any depth, which Rust cannot name as a `type`; \
                        they are kept as JSON values.";
            let def = &mut types[index];
            def.kind = TypeKind::Alias(target);
            def.description = Some(match def.description.take() {
                Some(description) => format!("{description}\n\n{note}"),
                None => note.to_owned(),
            });
        }
    }
}

/// Members of a union larger than this many bytes are boxed.
const LARGE_VARIANT_BYTES: usize = 256;

/// Boxes each union member whose value would take more than [`LARGE_VARIANT_BYTES`]:
/// a union is as large as its largest member, so one large member inline makes every
/// value of the union, and of each struct that holds one, that large. Unions of large
/// structs nested a few deep (a `Reference` that may hold any of fifty whole objects)
/// compound into values of many kilobytes, copied whole at each move, and a debug
/// build's decoder keeps room for each on its stack until it overflows. A hand-written
/// SDK boxes such members (`Expandable::Object(Box<Customer>)`); so does this. Sizes
/// are estimates of what rustc lays out, which is all the threshold needs.
fn box_large_variants(types: &mut [TypeDef]) {
    let mut sizes = vec![None; types.len()];
    for index in 0..types.len() {
        if let TypeKind::Union(variants, _) = &types[index].kind {
            let large: Vec<bool> = (variants.iter())
                .map(|variant| estimated_size(types, &variant.ty, &mut sizes) > LARGE_VARIANT_BYTES)
                .collect();
            if let TypeKind::Union(variants, _) = &mut types[index].kind {
                variants.iter_mut().zip(large).for_each(|(variant, large)| variant.boxed = large);
            }
        }
    }
}

/// The size of a pointer, a `Box`, and so of a boxed member or field.
const POINTER: usize = 8;

/// About how many bytes a value of `ty` takes inline, remembering each named type's in
/// `sizes`. A type met again while its own size is being worked out (a cycle, which
/// [`box_recursive_fields`] has already boxed) counts as a pointer.
fn estimated_size(types: &[TypeDef], ty: &TypeRef, sizes: &mut Vec<Option<usize>>) -> usize {
    const VEC: usize = 24;
    match ty {
        TypeRef::Bool => 1,
        TypeRef::I32 | TypeRef::F32 => 4,
        TypeRef::I64 | TypeRef::U64 | TypeRef::F64 => 8,
        TypeRef::String | TypeRef::Bytes | TypeRef::Array(_) | TypeRef::Map(_) => VEC,
        TypeRef::Json | TypeRef::Formatted(_) => 32,
        TypeRef::File => 4 * VEC,
        TypeRef::Option(inner) => optional_size(types, inner, sizes),
        TypeRef::Named(id) => {
            if let Some(size) = sizes[id.0] {
                return size;
            }
            sizes[id.0] = Some(POINTER);
            let size = match &types[id.0].kind {
                TypeKind::Struct(structure) => {
                    let fields: usize = (structure.fields.iter())
                        .map(|field| match field.boxed {
                            true => POINTER,
                            false if field.optional() => optional_size(types, &field.ty, sizes),
                            false => estimated_size(types, &field.ty, sizes),
                        })
                        .sum();
                    fields + structure.additional.as_ref().map_or(0, |_| VEC)
                }
                // As [`box_large_variants`] leaves it, whichever union it reaches first.
                TypeKind::Union(variants, _) => {
                    let largest = (variants.iter())
                        .map(|variant| match estimated_size(types, &variant.ty, sizes) {
                            size if size > LARGE_VARIANT_BYTES => POINTER,
                            size => size,
                        })
                        .max()
                        .unwrap_or(0);
                    largest.max(32) + POINTER
                }
                TypeKind::Alias(target) => estimated_size(types, target, sizes),
                // Open enums keep a value they do not know as text.
                TypeKind::Enum(_) | TypeKind::ValueEnum(_) => VEC,
            };
            sizes[id.0] = Some(size);
            size
        }
    }
}

/// About how many bytes an `Option` of `ty` takes: numbers need room for the tag; most
/// other values have a spare bit pattern (a null pointer) that stands for `None`.
fn optional_size(types: &[TypeDef], ty: &TypeRef, sizes: &mut Vec<Option<usize>>) -> usize {
    let size = estimated_size(types, ty, sizes);
    match ty {
        TypeRef::I32 | TypeRef::F32 | TypeRef::I64 | TypeRef::U64 | TypeRef::F64 => size + size,
        _ => size,
    }
}

/// Boxes every field whose type can lead back to the struct that holds it without
/// passing through a heap container (`Vec`, map), so recursive types have a finite size.
fn box_recursive_fields(types: &mut [TypeDef]) {
    fn direct_targets(ty: &TypeRef, out: &mut Vec<TypeId>) {
        match ty {
            TypeRef::Named(id) => out.push(*id),
            TypeRef::Option(inner) => direct_targets(inner, out),
            _ => {}
        }
    }
    let edges: Vec<Vec<TypeId>> = types
        .iter()
        .map(|def| {
            let mut out = Vec::new();
            match &def.kind {
                TypeKind::Struct(fields) => fields.fields.iter().for_each(|field| direct_targets(&field.ty, &mut out)),
                TypeKind::Union(variants, _) => {
                    variants.iter().for_each(|variant| direct_targets(&variant.ty, &mut out))
                }
                TypeKind::Alias(ty) => direct_targets(ty, &mut out),
                TypeKind::Enum(_) | TypeKind::ValueEnum(_) => {}
            }
            out
        })
        .collect();
    let reaches = |from: TypeId, goal: TypeId| {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from];
        while let Some(id) = stack.pop() {
            if id == goal {
                return true;
            }
            if seen.insert(id) {
                stack.extend(edges[id.0].iter().copied());
            }
        }
        false
    };
    for (index, def) in types.iter_mut().enumerate() {
        let TypeKind::Struct(structure) = &mut def.kind else { continue };
        for field in &mut structure.fields {
            let mut targets = Vec::new();
            direct_targets(&field.ty, &mut targets);
            field.boxed = targets.iter().any(|target| reaches(*target, TypeId(index)));
        }
    }
}
