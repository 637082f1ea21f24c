//! The intermediate representation: plain data between `load` and `emit`.
//!
//! Everything here is already decided: Rust names are unique and keyword-safe, `$ref`s
//! are resolved to arena ids, recursion is boxed. The IR knows nothing of `openapiv3`
//! or `quote`, and holds nothing whose iteration order could vary between runs.

/// One API (one spec) becomes one module and one cargo feature of the client crate.
#[derive(Debug, Clone)]
pub struct Api {
    /// Rust module name (`cloudflare_zero_trust`).
    pub module: String,
    /// Cargo feature name (`cloudflare-zero-trust`).
    pub feature: String,
    pub title: String,
    pub version: String,
    pub description: Option<String>,
    /// Prefix of the environment variables `Client::from_env` reads (`CLOUDFLARE`): the
    /// spec's `info.x-env-prefix`, else the module name in capitals.
    pub env_prefix: String,
    /// Servers from the spec, variables filled with their defaults; the first is the default base URL.
    pub servers: Vec<Server>,
    pub security_schemes: Vec<SecurityScheme>,
    pub types: TypeSpace,
    /// Operations grouped by their first tag, in spec order.
    pub groups: Vec<OperationGroup>,
    /// Parent-resource choices (`AccountOrZone`) that combined operations take.
    pub scopes: Vec<Scope>,
    /// When the API is split into a feature per tag: the feature of its client and shared
    /// types, which every tag feature enables.
    pub core_feature: Option<String>,
    /// From this many operations, a feature per tag (the API's config; else the crate's).
    pub tag_features_from: Option<usize>,
    /// The mapped string formats its types use, whose crates the manifest needs (set by
    /// [`Api::settle_formats`]).
    pub formats: std::collections::BTreeSet<FormattedString>,
    /// Where the API's documentation lives (`https://platform.openai.com`): links the spec
    /// writes relative to it (`/docs/guides`) are made absolute. The config's `docs-url`,
    /// else the origin of the spec's `externalDocs`.
    pub docs_base: Option<String>,
    /// Quirks of the document that were worked around, for the caller to show.
    pub warnings: Vec<crate::Diagnostic>,
}

impl Api {
    /// The mapped string formats some type or operation of the API uses, through the
    /// one walk over every type reference (`type_refs_mut`).
    pub fn settle_formats(&mut self) {
        fn walk(ty: &TypeRef, out: &mut std::collections::BTreeSet<FormattedString>) {
            match ty {
                TypeRef::Formatted(format) => {
                    out.insert(*format);
                }
                TypeRef::Array(inner) | TypeRef::Map(inner) | TypeRef::Option(inner) => walk(inner, out),
                _ => {}
            }
        }
        let mut found = std::collections::BTreeSet::new();
        let kinds = self.types.types.iter_mut().flat_map(|def| def.kind.type_refs_mut());
        let operations = self.groups.iter_mut().flat_map(|group| &mut group.operations);
        for ty in kinds.chain(operations.flat_map(Operation::type_refs_mut)) {
            walk(ty, &mut found);
        }
        self.formats = found;
    }

    /// Removes the `dropped` types; what referred to one refers to its `survivor` (a type
    /// kept) instead. The others keep their order.
    pub fn drop_types(&mut self, dropped: &[bool], survivor: &[TypeId]) {
        if !dropped.contains(&true) {
            return;
        }
        let mut new_index = vec![TypeId(usize::MAX); dropped.len()];
        let mut next = 0;
        for (index, &is_dropped) in dropped.iter().enumerate() {
            if !is_dropped {
                new_index[index] = TypeId(next);
                next += 1;
            }
        }
        let map = |id: TypeId| new_index[survivor[id.0].0];
        let old = std::mem::take(&mut self.types.types);
        self.types.types =
            old.into_iter().zip(dropped).filter(|(_, &is_dropped)| !is_dropped).map(|(def, _)| def).collect();
        for def in &mut self.types.types {
            def.kind.type_refs_mut().into_iter().for_each(|ty| ty.remap(&map));
        }
        for operation in self.groups.iter_mut().flat_map(|group| &mut group.operations) {
            operation.type_refs_mut().into_iter().for_each(|ty| ty.remap(&map));
        }
    }

    /// Keeps only the types some operation reaches (when a config picks operations, the
    /// schemas only the others used would be dead code).
    pub fn prune_unreached_types(&mut self) {
        let mut reached = vec![false; self.types.types.len()];
        let mut stack = Vec::new();
        for operation in self.groups.iter_mut().flat_map(|group| &mut group.operations) {
            for ty in operation.type_refs_mut() {
                ty.named_types(&mut stack);
            }
        }
        while let Some(id) = stack.pop() {
            if !std::mem::replace(&mut reached[id.0], true) {
                self.types.types[id.0].kind.named_types(&mut stack);
            }
        }
        let dropped: Vec<bool> = reached.iter().map(|reached| !reached).collect();
        let identity: Vec<TypeId> = (0..dropped.len()).map(TypeId).collect();
        self.drop_types(&dropped, &identity);
    }
}

/// A choice between parent resources that the same operation exists under
/// (`/accounts/{account_id}/…` and `/zones/{zone_id}/…`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    /// Name of the generated enum (`AccountOrZone`).
    pub enum_name: String,
    pub variants: Vec<ScopeVariant>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeVariant {
    /// `Account`
    pub rust_name: String,
    /// The path segment before the identifier (`accounts`).
    pub segment: String,
    /// The identifier parameter of the raw operation (`account_id`).
    pub id_parameter: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Server {
    pub url: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone)]
pub struct SecurityScheme {
    /// The key under `components/securitySchemes`.
    pub api_name: String,
    /// Name of the generated `runtime::SecurityScheme` constant.
    pub const_name: String,
    /// Name of the client builder method that stores this scheme's credential.
    pub setter: String,
    /// Environment variable holding the credential: the scheme's `x-env-var`, else
    /// `{PREFIX}_ACCESS_TOKEN` for OAuth2/OpenID Connect and `{PREFIX}_{SCHEME}` otherwise.
    pub env_var: String,
    pub kind: SchemeKind,
    pub description: Option<String>,
    /// For OAuth2 and OpenID Connect: the builder method that takes a `TokenProvider`.
    pub provider_setter: Option<String>,
    /// For OAuth2 with a `clientCredentials` flow: the builder method that takes a client
    /// id and secret, and the flow's `tokenUrl`.
    pub client_credentials: Option<(String, String)>,
    /// Why the client cannot send this scheme's credential (an HTTP scheme other than
    /// bearer or basic): it gets no setter, and operations that accept only it fail with
    /// `MissingCredentials` naming it.
    pub unsupported: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemeKind {
    /// `Authorization: Bearer`: http bearer, OAuth2 and OpenID Connect access tokens.
    Bearer,
    /// `Authorization: Basic`.
    Basic,
    ApiKey {
        location: ApiKeyLocation,
        name: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiKeyLocation {
    Header,
    Query,
    Cookie,
}

/// Index of a type in its API's [`TypeSpace`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TypeId(pub usize);

/// The arena of named types of one API, in the order they were first met.
#[derive(Debug, Clone, Default)]
pub struct TypeSpace {
    pub types: Vec<TypeDef>,
}

impl TypeSpace {
    pub fn get(&self, id: TypeId) -> &TypeDef {
        &self.types[id.0]
    }

    /// The definition `id` names, through `type X = Y` aliases.
    pub fn resolved(&self, id: TypeId) -> &TypeDef {
        self.get(self.resolve_alias(id))
    }

    /// `ty` with aliases looked through: `Issues` (`type Issues = Vec<Issue>`) is `Vec<Issue>`.
    pub fn resolved_ref<'a>(&'a self, ty: &'a TypeRef) -> &'a TypeRef {
        resolved_ref_in(&self.types, ty)
    }

    /// The named type `ty` is, through aliases; `None` for primitives and containers.
    pub fn named(&self, ty: &TypeRef) -> Option<&TypeDef> {
        match ty {
            TypeRef::Named(id) => Some(self.get(self.resolve_alias(*id))),
            _ => None,
        }
    }

    /// The type that `id` names through `type X = Y` aliases (itself when it is none).
    /// A loop of aliases ends at the last one before it repeats.
    pub fn resolve_alias(&self, id: TypeId) -> TypeId {
        let mut current = id;
        for _ in 0..self.types.len() {
            match &self.types[current.0].kind {
                TypeKind::Alias(TypeRef::Named(next)) if *next != id => current = *next,
                _ => return current,
            }
        }
        current
    }
}

/// `ty` with aliases looked through in `types` (a `TypeSpace`'s, or the arena lowering is
/// filling): the one walk of alias chains. A chain longer than 32 links ends there.
pub(crate) fn resolved_ref_in<'a>(types: &'a [TypeDef], ty: &'a TypeRef) -> &'a TypeRef {
    let mut current = ty;
    for _ in 0..32 {
        match current {
            TypeRef::Named(id) => match types.get(id.0).map(|def| &def.kind) {
                Some(TypeKind::Alias(target)) => current = target,
                _ => return current,
            },
            _ => return current,
        }
    }
    current
}
#[derive(Debug, Clone)]
pub struct TypeDef {
    pub name: String,
    pub description: Option<String>,
    pub kind: TypeKind,
    /// Tag features that need this type; empty: compiled whenever the API is.
    pub features: Vec<String>,
    /// The operation group (its module) whose operations alone use this type: the type
    /// lives in `types/<home>.rs`, a module compiled only with that group's feature, so a
    /// build without it never reads the type. `None`: in the API's shared types module.
    pub home: Option<String>,
    /// The JSON pointers of the schemas this type was lowered from, in the normalized
    /// document: one, or several once the `dedup` pass merged identical shapes; empty for
    /// types the generator composed (a union variant merged with the fields beside the
    /// choice).
    pub origins: Vec<String>,
    /// Which ways the type travels, settled by the `presence` pass.
    pub direction: Direction,
    /// What the API's config adds: derive paths (`Hash`) and whole attributes
    /// (`#[non_exhaustive]`).
    pub extra_derives: Vec<String>,
    pub extra_attributes: Vec<String>,
}

impl TypeDef {
    /// The type is a schema of `#/components/schemas`, named by the spec rather than
    /// derived from where an inline schema appears.
    pub fn is_component(&self) -> bool {
        self.origins
            .first()
            .and_then(|origin| origin.strip_prefix("#/components/schemas/"))
            .is_some_and(|name| !name.contains('/'))
    }
}

/// Whether a type is part of a request, of a response, or both. A schema no operation
/// reaches counts as both (it is emitted as the spec describes it), and so does every
/// type it names.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Direction {
    pub sent: bool,
    pub received: bool,
}

impl Direction {
    /// Neither sent nor received: nothing says which way, so the type goes both.
    pub fn serializes(self) -> bool {
        self.sent || !self.received
    }

    pub fn deserializes(self) -> bool {
        self.received || !self.sent
    }
}

#[derive(Debug, Clone)]
pub enum TypeKind {
    Struct(Struct),
    /// A closed set of string values, plus a catch-all so new server values still decode.
    Enum(Vec<EnumVariant>),
    /// A closed set of integers, or of mixed values (`[1, "auto", true]`), plus a catch-all.
    ValueEnum(Vec<ValueVariant>),
    /// `oneOf`/`anyOf`: with a discriminator, its value picks the variant; without, the
    /// first variant whose shape matches wins.
    Union(Vec<UnionVariant>, Option<Discriminator>),
    /// A named schema that is just another type (`type X = Vec<Y>`).
    Alias(TypeRef),
}

impl TypeKind {
    /// Pushes the named types this one mentions directly.
    pub fn named_types(&self, out: &mut Vec<TypeId>) {
        match self {
            TypeKind::Struct(structure) => {
                structure.fields.iter().for_each(|field| field.ty.named_types(out));
                if let Some(extra) = &structure.additional {
                    extra.named_types(out);
                }
            }
            TypeKind::Union(variants, _) => variants.iter().for_each(|variant| variant.ty.named_types(out)),
            TypeKind::Alias(ty) => ty.named_types(out),
            TypeKind::Enum(_) | TypeKind::ValueEnum(_) => {}
        }
    }
}

impl TypeKind {
    /// Every type reference of the definition, for rewriting.
    pub fn type_refs_mut(&mut self) -> Vec<&mut TypeRef> {
        match self {
            TypeKind::Struct(structure) => {
                structure.fields.iter_mut().map(|field| &mut field.ty).chain(structure.additional.as_mut()).collect()
            }
            TypeKind::Union(variants, _) => variants.iter_mut().map(|variant| &mut variant.ty).collect(),
            TypeKind::Alias(ty) => vec![ty],
            TypeKind::Enum(_) | TypeKind::ValueEnum(_) => Vec::new(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Struct {
    pub fields: Vec<Field>,
    /// `additionalProperties` beside declared ones, kept in a flattened map.
    pub additional: Option<TypeRef>,
    /// Set when the struct wraps an operation's data (`{success, errors, messages, result}`).
    pub envelope: Option<Envelope>,
}

/// A response envelope: operations returning it give the caller its `result` field and
/// keep the rest (messages, paging information) reachable; `success: false` is an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Envelope {
    /// Index of the optional `result` field.
    pub result: usize,
    /// Index of the boolean `success` field.
    pub success: usize,
}

#[derive(Debug, Clone)]
pub struct Field {
    pub rust_name: String,
    pub api_name: String,
    pub ty: TypeRef,
    pub required: bool,
    pub nullable: bool,
    /// Set when the field closes a cycle of types that would otherwise have infinite size.
    pub boxed: bool,
    pub description: Option<String>,
    /// `readOnly`: the server sets it; a request leaves it out.
    pub read_only: bool,
    /// `writeOnly`: sent in requests, never returned.
    pub write_only: bool,
    /// The value the server assumes when the field is absent.
    pub default: Option<serde_json::Value>,
    /// Optional and nullable in a type that is sent: leaving the field out and sending
    /// `null` mean different things (keep vs clear), so the Rust type is
    /// `Option<Option<T>>`. Set by the `presence` pass.
    pub null_distinct: bool,
    /// The fields of a `oneOf`/`anyOf` part of an `allOf`, inlined into this object
    /// (`#[serde(flatten)]`); `api_name` is empty.
    pub flatten: bool,
}

impl Field {
    /// Whether the Rust field is an `Option`: absent, or present as `null`.
    pub fn optional(&self) -> bool {
        !self.required || self.nullable
    }
}

#[derive(Debug, Clone)]
pub struct EnumVariant {
    pub rust_name: String,
    pub value: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ValueVariant {
    pub rust_name: String,
    /// A string, number or boolean.
    pub value: serde_json::Value,
    pub description: Option<String>,
}

impl ValueVariant {
    /// Every variant is an integer: the enum is sent as an `i64`.
    pub fn all_integers(variants: &[ValueVariant]) -> bool {
        variants.iter().all(|variant| variant.value.is_i64())
    }
}

#[derive(Debug, Clone)]
pub struct UnionVariant {
    pub rust_name: String,
    pub ty: TypeRef,
    /// The discriminator values that select this variant.
    pub tags: Vec<String>,
    /// Held in a `Box`: the member is large, and inline it would make every value of
    /// the union (and of whatever holds one) that large.
    pub boxed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discriminator {
    /// The property whose value names the variant (`petType`).
    pub property: String,
}

/// A string format read into another crate's type, as the API's config asks
/// (`[formats]`); a value that type rejects fails decoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FormattedString {
    /// `date-time` as `chrono::DateTime<chrono::Utc>`.
    ChronoDateTime,
    /// `date-time` as `jiff::Timestamp`.
    JiffTimestamp,
    /// `date` as `chrono::NaiveDate`.
    ChronoDate,
    /// `date` as `jiff::civil::Date`.
    JiffDate,
    /// `uuid` as `uuid::Uuid`.
    Uuid,
    /// `uri` or `url` as `url::Url`.
    Url,
}

impl FormattedString {
    /// The Rust type, by its full path.
    pub fn rust_path(self) -> &'static str {
        match self {
            Self::ChronoDateTime => "chrono::DateTime<chrono::Utc>",
            Self::JiffTimestamp => "jiff::Timestamp",
            Self::ChronoDate => "chrono::NaiveDate",
            Self::JiffDate => "jiff::civil::Date",
            Self::Uuid => "uuid::Uuid",
            Self::Url => "url::Url",
        }
    }

    /// The dependency line the generated manifest needs for it.
    pub fn dependency(self) -> &'static str {
        match self {
            Self::ChronoDateTime | Self::ChronoDate => {
                r#"chrono = { version = "0.4", default-features = false, features = ["serde", "std"] }"#
            }
            Self::JiffTimestamp | Self::JiffDate => r#"jiff = { version = "0.2", features = ["serde"] }"#,
            Self::Uuid => r#"uuid = { version = "1", features = ["serde"] }"#,
            Self::Url => r#"url = { version = "2", features = ["serde"] }"#,
        }
    }

    /// A value of the format, for examples.
    pub fn example(self) -> &'static str {
        match self {
            Self::ChronoDateTime | Self::JiffTimestamp => "2024-01-02T03:04:05Z",
            Self::ChronoDate | Self::JiffDate => "2024-01-02",
            Self::Uuid => "3fa85f64-5717-4562-b3fc-2c963f66afa6",
            Self::Url => "https://example.com/",
        }
    }
}

/// A use of a type: a primitive, a container, or a named type in the arena.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeRef {
    Bool,
    I32,
    I64,
    U64,
    F32,
    F64,
    String,
    /// Raw bytes (`format: binary` bodies).
    Bytes,
    /// A file part of a multipart body (`format: binary` in a multipart schema): bytes
    /// with the file name and media type the caller gives (`runtime::File`).
    File,
    /// Any JSON value (the empty schema, `enum: [null]`, shapes we keep untyped on purpose).
    Json,
    /// A string whose `format` the API's config maps to a crate's type.
    Formatted(FormattedString),
    Array(Box<TypeRef>),
    Map(Box<TypeRef>),
    Option(Box<TypeRef>),
    Named(TypeId),
}

impl TypeRef {
    /// Replaces every named type this reference mentions by `map(id)`.
    pub fn remap(&mut self, map: &impl Fn(TypeId) -> TypeId) {
        match self {
            TypeRef::Named(id) => *id = map(*id),
            TypeRef::Array(inner) | TypeRef::Map(inner) | TypeRef::Option(inner) => inner.remap(map),
            _ => {}
        }
    }

    /// A file, or an optional file or list of them: a multipart body's file parts.
    pub fn holds_files(&self) -> bool {
        match self {
            TypeRef::File => true,
            TypeRef::Array(inner) | TypeRef::Option(inner) => inner.holds_files(),
            _ => false,
        }
    }

    /// Pushes the named types this reference mentions.
    pub fn named_types(&self, out: &mut Vec<TypeId>) {
        match self {
            TypeRef::Named(id) => out.push(*id),
            TypeRef::Array(inner) | TypeRef::Map(inner) | TypeRef::Option(inner) => inner.named_types(out),
            _ => {}
        }
    }
}

#[derive(Debug, Clone)]
pub struct OperationGroup {
    /// The tag; for an API that gives none, the path resource the operations act on
    /// (`customers` for `/v1/customers/…`). `None`: operations that become methods of the
    /// client itself.
    pub tag: Option<String>,
    /// What the group is, for its docs: ``Operations tagged `Users` `` or
    /// ``Operations on `/v1/customers` ``.
    pub summary: String,
    /// Module (and file) name.
    pub module: String,
    /// Name of the client method that returns this group's accessor.
    pub accessor: String,
    /// Name of the accessor struct.
    pub type_name: String,
    pub description: Option<String>,
    pub operations: Vec<Operation>,
    /// The cargo feature of this group, when the API is split by tag.
    pub feature: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Operation {
    /// The spec's `operationId`, or the one derived from method and path.
    pub operation_id: String,
    pub method_name: String,
    /// Name of the request builder struct.
    pub builder_name: String,
    /// Name of the per-operation error enum, when the operation documents error responses.
    pub error_name: String,
    /// When an earlier operation of the same group documents the same error responses
    /// (statuses, variant names and bodies): its error enum's name, which
    /// [`Operation::error_name`] then aliases rather than repeating the enum.
    pub errors_as: Option<String>,
    /// Name of the success enum, when successes have different bodies.
    pub success_name: String,
    pub http_method: HttpMethod,
    pub path: String,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub deprecated: bool,
    pub parameters: Vec<Parameter>,
    pub body: Option<RequestBody>,
    pub responses: Vec<Response>,
    /// Alternatives (OR) of requirements (AND), as indexes into [`Api::security_schemes`].
    /// Empty: no authentication. An empty alternative: anonymous access is allowed.
    pub security: Vec<Vec<usize>>,
    /// For a combined operation: the index into [`Api::scopes`] of the parent it takes;
    /// its path then starts with `/{scope}/{scope_id}`.
    pub scope: Option<usize>,
    /// How the operation pages, when it does.
    pub pagination: Option<Pagination>,
    /// What the API's config says about paging (by default, the detector decides).
    pub paging: PagingChoice,
    /// The headers its responses document, merged across statuses by name.
    pub response_headers: Vec<ResponseHeader>,
    /// Name of the struct that reads [`Operation::response_headers`] from a header map.
    pub headers_name: String,
}

impl Operation {
    /// Every type reference of the operation (parameters, body, responses, response
    /// headers, paging), for rewriting.
    pub fn type_refs_mut(&mut self) -> Vec<&mut TypeRef> {
        let mut refs: Vec<&mut TypeRef> = self.parameters.iter_mut().map(|parameter| &mut parameter.ty).collect();
        refs.extend(self.body.as_mut().map(|body| &mut body.ty));
        for response in &mut self.responses {
            if let ResponseBody::Json(ty) = &mut response.body {
                refs.push(ty);
            }
            refs.extend(response.events.as_mut());
        }
        refs.extend(self.response_headers.iter_mut().map(|header| &mut header.ty));
        if let Some(pagination) = &mut self.pagination {
            refs.push(&mut pagination.item_type);
            let steps = match &mut pagination.style {
                PageStyle::PageNumber { total_pages, .. } => total_pages.as_mut().map(|steps| steps.as_mut_slice()),
                PageStyle::Cursor { next, .. } => Some(next.as_mut_slice()),
                PageStyle::AfterLastItem { has_more, id, .. } => {
                    refs.push(&mut id.ty);
                    Some(has_more.as_mut_slice())
                }
                PageStyle::Offset { total, .. } => total.as_mut().map(|steps| steps.as_mut_slice()),
                PageStyle::NextUrl { next } => Some(next.as_mut_slice()),
                PageStyle::LinkHeader | PageStyle::HeaderCursor { .. } => None,
            };
            refs.extend(steps.into_iter().flatten().map(|step| &mut step.ty));
        }
        refs
    }

    /// Pushes the named types its parameters, body, JSON responses and response headers mention.
    pub fn named_types(&self, out: &mut Vec<TypeId>) {
        for parameter in &self.parameters {
            parameter.ty.named_types(out);
        }
        if let Some(body) = &self.body {
            body.ty.named_types(out);
        }
        for response in &self.responses {
            if let ResponseBody::Json(ty) = &response.body {
                ty.named_types(out);
            }
            if let Some(events) = &response.events {
                events.named_types(out);
            }
        }
        for header in &self.response_headers {
            header.ty.named_types(out);
        }
    }

    /// The type of the events a success streams as `text/event-stream`, if one does.
    pub fn events(&self) -> Option<&TypeRef> {
        self.successes().find_map(|response| response.events.as_ref())
    }
}

/// A header a response documents (`X-RateLimit-Remaining`), read into a typed field.
#[derive(Debug, Clone)]
pub struct ResponseHeader {
    /// The header name as the spec spells it.
    pub api_name: String,
    pub rust_name: String,
    pub ty: TypeRef,
    pub description: Option<String>,
}

/// Whether the pagination pass detects an operation's paging, leaves it without, or
/// reads it the way the config says.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum PagingChoice {
    #[default]
    Detect,
    Never,
    /// The config's style (with the names it gives), and the config key that gave it, for
    /// an error when the operation has no such names.
    Forced {
        style: crate::config::PaginationConfig,
        key: String,
    },
}

/// An operation whose items come a page at a time.
#[derive(Debug, Clone, PartialEq)]
pub struct Pagination {
    /// The response field holding the items; `None` when they are the body itself (a
    /// list) or the envelope's result.
    pub items_field: Option<usize>,
    pub item_type: TypeRef,
    pub style: PageStyle,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PageStyle {
    /// Parameter indexes into [`Operation::parameters`]; `total_pages` is a path from the
    /// response struct (or envelope).
    PageNumber { parameter: usize, per_page: Option<usize>, total_pages: Option<Vec<FieldStep>> },
    /// The cursor parameter, and the path of the response field that holds the next one.
    Cursor { parameter: usize, next: Vec<FieldStep> },
    /// The id of the page's last item goes in `parameter` (`starting_after`) while the
    /// response's `has_more` says there are more (Stripe).
    AfterLastItem { parameter: usize, has_more: Vec<FieldStep>, id: FieldStep },
    /// The next page is the URL of the response's `Link: <…>; rel="next"` header (GitHub).
    LinkHeader,
    /// `offset` counts the items already fetched; it stops on an empty page, a page
    /// shorter than `limit` asked for, or once `total` items are fetched.
    Offset { parameter: usize, limit: Option<usize>, total: Option<Vec<FieldStep>> },
    /// The next page is the URL in a response field (`next`, `links.next`), absolute or
    /// relative to the client's base URL.
    NextUrl { next: Vec<FieldStep> },
    /// The cursor parameter, fed from a documented response header (`X-Next-Cursor`).
    HeaderCursor { parameter: usize, header: String },
}

/// One step of a path through response structs.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldStep {
    pub rust_name: String,
    /// The field is an `Option`.
    pub optional: bool,
    /// The field's type (inside the `Option`).
    pub ty: TypeRef,
}

impl Operation {
    pub fn successes(&self) -> impl Iterator<Item = &Response> {
        self.responses.iter().filter(|response| response.is_success)
    }

    pub fn errors(&self) -> impl Iterator<Item = &Response> {
        self.responses.iter().filter(|response| !response.is_success)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum HttpMethod {
    Get,
    Put,
    Post,
    Delete,
    Options,
    Head,
    Patch,
    Trace,
}

impl HttpMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Put => "PUT",
            Self::Post => "POST",
            Self::Delete => "DELETE",
            Self::Options => "OPTIONS",
            Self::Head => "HEAD",
            Self::Patch => "PATCH",
            Self::Trace => "TRACE",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Parameter {
    pub api_name: String,
    pub rust_name: String,
    pub location: ParameterLocation,
    pub ty: TypeRef,
    pub required: bool,
    pub description: Option<String>,
    /// How a query parameter's arrays and objects are spelled; of the other locations,
    /// only a header heeds it, and only `Json`.
    pub query_style: QueryStyle,
    /// How a path parameter's value is spelled in its segment; `Simple` elsewhere.
    pub path_style: PathStyle,
    /// The value the server assumes when the parameter is not sent.
    pub default: Option<serde_json::Value>,
    /// The spec's example value, for documentation.
    pub example: Option<serde_json::Value>,
}

/// OpenAPI's `style` of a path parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathStyle {
    /// `style: simple` (the default): the value, a list's items joined by `,`.
    Simple,
    /// `style: matrix`: `;name=value`; `explode` repeats `;name=` per item.
    Matrix { explode: bool },
    /// `style: label`: `.value`; `explode` puts a `.` before each item.
    Label { explode: bool },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParameterLocation {
    Path,
    Query,
    Header,
    Cookie,
}

/// The query serializations of OpenAPI's `style` and `explode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryStyle {
    /// One `name=value` pair per item (`id=1&id=2`): `form`, and the delimited styles, exploded.
    Exploded,
    /// One value, items joined by the delimiter: `,` for `form`, ` ` for `spaceDelimited`,
    /// `|` for `pipeDelimited` (`id=1|2`).
    Joined(char),
    /// `style: deepObject`: an object sent as `name[key]=value` pairs.
    DeepObject,
    /// `content: application/json`: the value as JSON text (`filter={"a":1}`), in a
    /// query or a header parameter.
    Json,
}

impl ParameterLocation {
    /// The name OpenAPI's `in` gives this location.
    pub fn as_str(self) -> &'static str {
        match self {
            ParameterLocation::Path => "path",
            ParameterLocation::Query => "query",
            ParameterLocation::Header => "header",
            ParameterLocation::Cookie => "cookie",
        }
    }
}

#[derive(Debug, Clone)]
pub struct RequestBody {
    pub ty: TypeRef,
    pub encoding: BodyEncoding,
    /// The media type as the spec keys the body's `content` (`*/*` included).
    pub media_type: String,
    /// The `Content-Type` sent: the media type, or `application/json` for a JSON body
    /// listed under a wildcard (`*/*`, `application/*`), which no request may carry.
    pub content_type: String,
    pub required: bool,
    pub description: Option<String>,
    /// How the properties of a form or multipart body are written, from the media type's
    /// `encoding` map, for the properties it names.
    pub property_encodings: Vec<PropertyEncoding>,
    /// The spec's example body, for documentation.
    pub example: Option<serde_json::Value>,
}

/// One entry of a form or multipart body's `encoding` map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropertyEncoding {
    /// The property's wire name.
    pub api_name: String,
    /// How a form body spells the property's arrays and objects.
    pub style: QueryStyle,
    /// The media type of a multipart part (`image/png`, `application/json`).
    pub content_type: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyEncoding {
    Json,
    Form,
    /// `multipart/form-data`: one part per field.
    Multipart,
    Text,
    Bytes,
}

#[derive(Debug, Clone)]
pub struct Response {
    pub status: StatusMatch,
    pub is_success: bool,
    /// Variant name in the operation's error or success enum.
    pub variant_name: String,
    pub description: Option<String>,
    /// What the variant says besides its status: the description, or for an error enum
    /// several operations share ([`Operation::errors_as`]), the one they all give (none
    /// when they differ: Cloudflare words each operation's `4XX` for that operation).
    pub variant_doc: Option<String>,
    pub body: ResponseBody,
    /// The media type `body` is read as, of those the response offers.
    pub media_type: Option<String>,
    /// The type of each event's `data`, when the response is also offered as
    /// `text/event-stream` (`Json` when the spec gives no schema for it).
    pub events: Option<TypeRef>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum StatusMatch {
    Code(u16),
    /// `4XX` is `Range(4)`.
    Range(u16),
    Default,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResponseBody {
    Empty,
    Json(TypeRef),
    Text,
    Bytes,
}
