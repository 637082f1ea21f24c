//! Verification plan: for every generated type, JSON instances of the schema it was
//! lowered from, for `cargo xtask verify` to round-trip through the generated client.
//!
//! Instances are synthesized from the normalized *document*, not from the IR: a field,
//! variant or value that lowering lost then shows up as a difference between what went
//! in and what came back out. Each instance covers one choice: the n-th alternative of
//! every `oneOf`/`anyOf` and the n-th value of every enum, with all optional fields, with
//! only the required ones, and with `null` in every nullable field; the spec's own
//! `example` is an instance too.

use crate::emit::{type_tokens, TypeContext};
use crate::ir::{Api, Operation, OperationGroup, ParameterLocation, ResponseBody, TypeKind, TypeRef};
use crate::{ApiSpec, CrateSettings, Diagnostics, Generated};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// What to check for one spec, beside the generated crate.
#[derive(Debug, Clone)]
pub struct Verification {
    pub generated: Generated,
    pub apis: Vec<ApiPlan>,
}

#[derive(Debug, Clone)]
pub struct ApiPlan {
    /// The API's module in the generated crate.
    pub module: String,
    /// The spec's file, as diagnostics name it.
    pub file: String,
    pub cases: Vec<TypeCase>,
    /// Schemas the generator maps to `serde_json::Value` on purpose, by pointer.
    pub untyped: Vec<String>,
    /// Types no instance could be made for (a required binary field, a schema that
    /// demands itself), by pointer.
    pub unsynthesizable: Vec<String>,
    /// The operations to send to a mock of the API, with the values to send.
    pub operations: Vec<OperationCase>,
    /// Operations no request could be made for, with the reason.
    pub unsent: Vec<(String, String)>,
    /// A credential setter of the client builder for each scheme the client can send.
    pub credentials: Vec<CredentialSetter>,
    /// The normalized document (3.0, bundled, repaired), for the mock to serve, with
    /// what the client assumes said outright (typeless object schemas are objects; `float` and `int32` numbers in range).
    pub document: Value,
}

/// One operation, called through the generated client with values from the spec.
#[derive(Debug, Clone)]
pub struct OperationCase {
    /// `GET /pets/{petId}`, for reports.
    pub endpoint: String,
    pub operation_id: String,
    /// The call from a `Client` to the request builder, without arguments:
    /// `user_grants().deactivate_user_grant`.
    pub call: String,
    /// The Rust type of each argument, named from the API's module.
    pub argument_types: Vec<String>,
    /// Whole argument lists to try in turn: the spec's examples first, then values
    /// synthesized from the schemas alone (an example may break its own schema).
    pub attempts: Vec<Vec<Value>>,
    /// What of a successful response can be encoded again and compared with the body.
    pub round_trip: RoundTrip,
    /// The operation documents a success (else a documented error is the expected answer).
    pub documents_success: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoundTrip {
    /// Successes of several shapes, or not JSON: nothing to compare.
    None,
    /// The decoded body is the whole JSON body.
    Body,
    /// The decoded body is the envelope's `result`.
    EnvelopeResult,
}

/// A `ClientBuilder` method that stores a scheme's credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialSetter {
    pub setter: String,
    /// Takes a user name and a password, not one secret.
    pub basic: bool,
}

/// One generated type and the instances it must round-trip.
#[derive(Debug, Clone)]
pub struct TypeCase {
    /// The type's path from the crate root (`dns::DnsRecord`).
    pub rust_path: String,
    /// The schema's pointer as the user wrote it.
    pub pointer: String,
    pub instances: Vec<Instance>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Instance {
    pub value: Value,
    /// `example` (the spec's own) or what the synthesized instance covers.
    pub source: String,
}

/// Generates the crate for `specs` (as [`crate::generate_crate`] does) and plans the
/// verification of each API's types.
pub fn plan(specs: &[ApiSpec<'_>], settings: &CrateSettings) -> Result<Verification, Diagnostics> {
    let (generated, loaded) = crate::build(specs, settings, true)?;
    let apis = loaded
        .into_iter()
        .zip(specs)
        .map(|((api, document, user_pointers), spec)| plan_api(&api, &document, &user_pointers, &spec.file))
        .collect();
    Ok(Verification { generated, apis })
}

fn plan_api(api: &Api, document: &Value, user_pointers: &BTreeMap<String, String>, file: &str) -> ApiPlan {
    let mut plan = ApiPlan {
        module: api.module.clone(),
        file: file.to_owned(),
        cases: Vec::new(),
        untyped: Vec::new(),
        unsynthesizable: Vec::new(),
        operations: Vec::new(),
        unsent: Vec::new(),
        credentials: api
            .security_schemes
            .iter()
            .filter(|scheme| scheme.unsupported.is_none())
            .map(|scheme| CredentialSetter {
                setter: scheme.setter.clone(),
                basic: scheme.kind == crate::ir::SchemeKind::Basic,
            })
            .collect(),
        document: Value::Null,
    };
    // A combined operation (`AccountOrZone`) sends what its raw operations send.
    let raw_operations = || {
        api.groups.iter().flat_map(|group| {
            group
                .operations
                .iter()
                .filter(|operation| operation.scope.is_none())
                .map(move |operation| (group, operation))
        })
    };
    // Paths that differ only by their parameters' names are one route to a server (and
    // to a mock, which answers all of them as one).
    let mut routes: BTreeMap<(&str, String), Vec<&str>> = BTreeMap::new();
    for (_, operation) in raw_operations() {
        let route = (operation.http_method.as_str(), route_of(&operation.path));
        routes.entry(route).or_default().push(&operation.path);
    }
    for (group, operation) in raw_operations() {
        let route = (operation.http_method.as_str(), route_of(&operation.path));
        let other = routes.get(&route).and_then(|paths| paths.iter().find(|path| **path != operation.path));
        if let Some(other) = other {
            let reason = format!(
                "its route is also `{other}`'s (the paths differ only by parameter names): a mock answers both as one"
            );
            plan.unsent.push((endpoint(operation), reason));
            continue;
        }
        match plan_operation(api, document, group, operation) {
            Ok(case) => plan.operations.push(case),
            Err(reason) => plan.unsent.push((endpoint(operation), reason)),
        }
    }
    // A merged type must round-trip the instances of every schema it stands for.
    let origins = api.types.types.iter().flat_map(|def| def.origins.iter().map(move |origin| (def, origin)));
    for (def, origin) in origins {
        let Some(user_pointer) = user_pointers.get(origin) else { continue };
        if matches!(def.kind, TypeKind::Alias(TypeRef::Json)) {
            plan.untyped.push(user_pointer.clone());
            continue;
        }
        let Some(schema) = document.pointer(origin.trim_start_matches('#')) else { continue };
        let instances = instances(document, schema);
        if instances.is_empty() {
            plan.unsynthesizable.push(user_pointer.clone());
            continue;
        }
        plan.cases.push(TypeCase {
            rust_path: format!("{}::{}", api.module, def.name),
            pointer: user_pointer.clone(),
            instances,
        });
    }
    plan.document = as_the_client_reads(document);
    plan
}

/// The document with what the generated types assume said outright, so that a mock
/// answers what the client was made to read: a schema with properties and no `type` is
/// an object (JSON Schema lets any non-object pass it, so a mock may answer `null`), and
/// `format: float` and `int32` numbers lie in the range of `f32` and `i32` (a mock may
/// answer `-3.4028235e38` rounded past it).
fn as_the_client_reads(document: &Value) -> Value {
    let mut document = document.clone();
    crate::load::structure::for_each_schema_object(&mut document, &mut |schema, _| {
        let shaped_as_object = schema.get("properties").is_some_and(Value::is_object)
            || schema.get("additionalProperties").is_some_and(Value::is_object);
        if shaped_as_object && !schema.contains_key("type") && !schema.contains_key("$ref") {
            schema.insert("type".to_owned(), Value::from("object"));
        }
        let range = match schema.get("format").and_then(Value::as_str) {
            Some("float") => Some((Value::from(-f64::from(f32::MAX)), Value::from(f64::from(f32::MAX)))),
            Some("int32") => Some((Value::from(i32::MIN), Value::from(i32::MAX))),
            _ => None,
        };
        if let Some((minimum, maximum)) = range {
            schema.entry("minimum").or_insert(minimum);
            schema.entry("maximum").or_insert(maximum);
        }
    });
    document
}

/// `/idps/{idpId}/_deactivate` → `/idps/{}/_deactivate`.
fn route_of(path: &str) -> String {
    let mut route = String::with_capacity(path.len());
    let mut in_parameter = false;
    for character in path.chars() {
        match (character, in_parameter) {
            ('{', _) => {
                in_parameter = true;
                route.push('{');
            }
            ('}', _) => {
                in_parameter = false;
                route.push('}');
            }
            (_, true) => {}
            (other, false) => route.push(other),
        }
    }
    route
}

fn endpoint(operation: &Operation) -> String {
    format!("{} {}", operation.http_method.as_str(), operation.path)
}

/// The call, argument types and argument values of one operation, from the document's
/// parameter and body schemas.
fn plan_operation(
    api: &Api,
    document: &Value,
    group: &OperationGroup,
    operation: &Operation,
) -> Result<OperationCase, String> {
    let sendable = |alternative: &Vec<usize>| {
        alternative
            .iter()
            .all(|scheme| api.security_schemes.get(*scheme).is_some_and(|scheme| scheme.unsupported.is_none()))
    };
    if !operation.security.is_empty() && !operation.security.iter().any(sendable) {
        return Err("it accepts only credentials the client cannot send".to_owned());
    }
    if let Some(segment) = operation.path.split('/').find(|segment| segment.matches('{').count() > 1) {
        return Err(format!(
            "its path segment `{segment}` holds two parameters: a mock cannot tell where one ends and the next begins"
        ));
    }
    if let Some((path, fragment)) = operation.path.split_once('#') {
        return Err(format!(
            "its path differs from `{path}` only by a fragment (`#{fragment}`), which is never sent: a mock cannot tell them apart"
        ));
    }
    let method = operation.http_method.as_str().to_ascii_lowercase();
    let path_item =
        document.get("paths").and_then(|paths| paths.get(&operation.path)).ok_or("the document has no such path")?;
    let object = path_item.get(&method).ok_or("the document has no such operation")?;
    let synth = Synth::new(document);
    let declared: Vec<&Value> = [path_item, object]
        .into_iter()
        .flat_map(|holder| holder.get("parameters").and_then(Value::as_array).into_iter().flatten())
        .filter_map(|parameter| synth.resolve(parameter))
        .collect();
    let mut argument_types = Vec::new();
    // Per argument: the example's value (when the spec gives one) and a synthesized one.
    let mut candidates: Vec<(Option<Value>, Value)> = Vec::new();
    for parameter in operation.parameters.iter().filter(|parameter| parameter.required) {
        // The operation's own declaration overrides the path item's: the last one wins.
        let spec_parameter = declared
            .iter()
            .rev()
            .find(|declared| {
                declared.get("name").and_then(Value::as_str) == Some(parameter.api_name.as_str())
                    && declared.get("in").and_then(Value::as_str) == Some(parameter.location.as_str())
            })
            .ok_or_else(|| {
                format!("no declaration of the {} parameter `{}`", parameter.location.as_str(), parameter.api_name)
            })?;
        let schema = spec_parameter
            .get("schema")
            .or_else(|| spec_parameter.get("content").and_then(first_media_schema))
            .ok_or_else(|| format!("the parameter `{}` has no schema", parameter.api_name))?;
        let example = spec_parameter.get("example").cloned().or_else(|| first_example(spec_parameter));
        let (example, synthesized) = values(document, schema, example, &parameter.api_name)?;
        // A parameter whose schema gives no type is lowered to a scalar (see
        // `load::operations`): values of another kind are spelled as that scalar.
        let scalar = api.types.resolved_ref(&parameter.ty);
        let (example, mut synthesized) =
            (example.map(|value| as_scalar(scalar, value)), as_scalar(scalar, synthesized));
        // An empty path value is refused by the client; another value of the schema's will do.
        if parameter.location == ParameterLocation::Path && synthesized == Value::String(String::new()) {
            let listed = synth.resolve(schema).and_then(|schema| schema.get("enum")).and_then(Value::as_array);
            let other = listed.into_iter().flatten().find(|value| value.as_str().is_some_and(|text| !text.is_empty()));
            synthesized = other.cloned().unwrap_or_else(|| Value::String("text".to_owned()));
        }
        candidates.push((example, synthesized));
        // `String` where the method takes `impl Into<String>`.
        argument_types.push(type_tokens(api, &parameter.ty, TypeContext::Types).to_string());
    }
    if let Some(body) = operation.body.as_ref().filter(|body| body.required) {
        let request_body =
            object.get("requestBody").and_then(|body| synth.resolve(body)).ok_or("the body is not declared")?;
        let media = request_body
            .get("content")
            .and_then(|content| content.get(&body.media_type))
            .ok_or_else(|| format!("the body has no `{}` content", body.media_type))?;
        let value = match body.ty {
            // A body read as bytes or text is sent as given: any will do.
            TypeRef::Bytes | TypeRef::File => (None, Value::Array(vec![Value::from(104), Value::from(105)])),
            TypeRef::String => (None, Value::String("text".to_owned())),
            TypeRef::Formatted(format) => (None, Value::String(format.example().to_owned())),
            _ => {
                let schema = media.get("schema").ok_or("the body has no schema")?;
                let example = media.get("example").cloned().or_else(|| first_example(media));
                values(document, schema, example, "the body")?
            }
        };
        candidates.push(value);
        argument_types.push(type_tokens(api, &body.ty, TypeContext::Types).to_string());
    }
    let from_examples: Vec<Value> = candidates
        .iter()
        .map(|(example, synthesized)| example.clone().unwrap_or_else(|| synthesized.clone()))
        .collect();
    let synthesized: Vec<Value> = candidates.into_iter().map(|(_, synthesized)| synthesized).collect();
    let mut attempts = vec![from_examples];
    if attempts[0] != synthesized {
        attempts.push(synthesized);
    }
    let call = match &group.tag {
        Some(_) => format!("{}().{}", group.accessor, operation.method_name),
        None => operation.method_name.clone(),
    };
    Ok(OperationCase {
        endpoint: endpoint(operation),
        operation_id: operation.operation_id.clone(),
        call,
        argument_types,
        attempts,
        round_trip: round_trip(api, operation),
        documents_success: operation.successes().next().is_some(),
    })
}

/// The example a parameter or media type gives in its `examples` map, if any.
fn first_example(holder: &Value) -> Option<Value> {
    holder.get("examples")?.as_object()?.values().find_map(|example| example.get("value").cloned())
}

fn first_media_schema(content: &Value) -> Option<&Value> {
    content.as_object()?.values().find_map(|media| media.get("schema"))
}

/// A value for one argument: its example, if any, and one synthesized from its schema
/// (with every optional field, so that more of the request is checked).
fn values(
    document: &Value,
    schema: &Value,
    example: Option<Value>,
    what: &str,
) -> Result<(Option<Value>, Value), String> {
    let mut synth = Synth::new(document);
    synth.binary_as_bytes = true;
    synth.sent = true;
    let synthesized = synth
        .root(schema, Pick { index: 0, optional: true, nulls: false })
        .ok_or_else(|| format!("no value could be made for {what}"))?;
    let example = example.or_else(|| synth.resolve(schema).and_then(|schema| schema.get("example")).cloned());
    Ok((example, synthesized))
}

/// What of a success can be compared with the body it came from.
fn round_trip(api: &Api, operation: &Operation) -> RoundTrip {
    let successes: Vec<&crate::ir::Response> = operation.successes().collect();
    let Some(first) = successes.first() else { return RoundTrip::None };
    if !successes.iter().all(|response| response.body == first.body) {
        return RoundTrip::None;
    }
    match &first.body {
        ResponseBody::Json(TypeRef::Named(id)) => match &api.types.resolved(*id).kind {
            TypeKind::Struct(structure) if structure.envelope.is_some() => RoundTrip::EnvelopeResult,
            _ => RoundTrip::Body,
        },
        ResponseBody::Json(_) => RoundTrip::Body,
        _ => RoundTrip::None,
    }
}

/// Each instance picks alternatives and enum values by one index, so this many
/// instances cover every alternative of the widest choice (wider ones wrap around).
const MAX_PICKS: usize = 24;
/// Below this depth optional fields are filled in; deeper, only required ones.
const OPTIONAL_DEPTH: usize = 8;
/// A `$ref` already this many times on the path is not followed again.
const MAX_REF_REPEATS: usize = 2;

/// The instances of `schema`: its example, then one per pick, deduplicated.
/// `from`'s members added to `into`'s, objects merged at every depth (the later's where
/// both have another value).
fn merge_members(into: &mut Map<String, Value>, from: Map<String, Value>) {
    for (key, member) in from {
        match (into.get_mut(&key), member) {
            (Some(Value::Object(existing)), Value::Object(member)) => merge_members(existing, member),
            // Two parts that both describe a list of objects: each item holds both.
            (Some(Value::Array(existing)), Value::Array(member))
                if existing.len() == member.len() && existing.iter().chain(&member).all(Value::is_object) =>
            {
                for (existing, member) in existing.iter_mut().zip(member) {
                    if let (Value::Object(existing), Value::Object(member)) = (existing, member) {
                        merge_members(existing, member);
                    }
                }
            }
            (Some(existing), member) => *existing = member,
            (None, member) => {
                into.insert(key, member);
            }
        }
    }
}

/// `value` as the scalar `ty` takes, when it is not one already (other types: unchanged).
fn as_scalar(ty: &TypeRef, value: Value) -> Value {
    match (ty, value) {
        (TypeRef::String, Value::String(text)) => Value::String(text),
        (TypeRef::String, value @ (Value::Number(_) | Value::Bool(_))) => Value::String(value.to_string()),
        (TypeRef::String, _) => Value::String("text".to_owned()),
        (TypeRef::I64, value) if value.is_i64() => value,
        (TypeRef::I64, _) => Value::from(1),
        (TypeRef::F64, value) if value.is_number() => value,
        (TypeRef::F64, _) => Value::from(1.5),
        (TypeRef::Bool, value) if value.is_boolean() => value,
        (TypeRef::Bool, _) => Value::Bool(true),
        (_, value) => value,
    }
}

pub fn instances(document: &Value, schema: &Value) -> Vec<Instance> {
    let mut found: Vec<Instance> = Vec::new();
    let mut push = |value: Option<Value>, source: String| {
        if let Some(value) = value {
            if !found.iter().any(|instance| instance.value == value) {
                found.push(Instance { value, source });
            }
        }
    };
    let resolved = Synth::new(document).resolve(schema);
    if let Some(example) = resolved.and_then(|schema| schema.get("example")) {
        push(Some(example.clone()), "example".to_owned());
    }
    let mut pick = 0;
    loop {
        let mut synth = Synth::new(document);
        let value = synth.root(schema, Pick { index: pick, optional: true, nulls: false });
        push(value, format!("alternative and enum value {} of each choice", pick + 1));
        pick += 1;
        if pick >= synth.widest.min(MAX_PICKS) {
            break;
        }
    }
    push(
        Synth::new(document).root(schema, Pick { index: 0, optional: false, nulls: false }),
        "required fields only".to_owned(),
    );
    push(
        Synth::new(document).root(schema, Pick { index: 0, optional: true, nulls: true }),
        "null in every nullable field".to_owned(),
    );
    found
}

#[derive(Debug, Clone, Copy)]
struct Pick {
    /// Which alternative of a choice and which value of an enum.
    index: usize,
    /// Fill in optional fields.
    optional: bool,
    /// `null` wherever the schema is nullable.
    nulls: bool,
}

struct Synth<'d> {
    document: &'d Value,
    /// The `$ref`s being expanded, outermost first.
    refs: Vec<&'d str>,
    /// The most alternatives (or enum values) met so far.
    widest: usize,
    /// Binary strings become a few bytes (a JSON array, as `runtime::File` and
    /// `Vec<u8>` read it) instead of making the value impossible.
    binary_as_bytes: bool,
    /// Values to send: optional `readOnly` properties are left out, as a caller leaves
    /// them (the server owns them; a mock with `additionalProperties: false` refuses them).
    sent: bool,
    /// The compositions the value being made is part of (the object around an `allOf`
    /// part or a `oneOf` alternative), innermost last: a member one part requires may be
    /// described by another (`anyOf: [{required: [hostnames]}, …]` beside `properties`).
    enclosing: Vec<&'d Map<String, Value>>,
}

impl<'d> Synth<'d> {
    fn new(document: &'d Value) -> Self {
        Self { document, refs: Vec::new(), widest: 1, binary_as_bytes: false, sent: false, enclosing: Vec::new() }
    }

    /// Follows a chain of `$ref`s (a cycle of them ends the walk).
    fn resolve(&self, mut schema: &'d Value) -> Option<&'d Value> {
        for _ in 0..32 {
            match schema.get("$ref").and_then(Value::as_str) {
                Some(reference) => schema = self.document.pointer(reference.strip_prefix('#')?)?,
                None => return Some(schema),
            }
        }
        None
    }

    /// A value inside another one (a property), where `null` may stand.
    fn value(&mut self, schema: &'d Value, pick: Pick, depth: usize) -> Option<Value> {
        self.inner(schema, pick, depth, true)
    }

    /// A value inside another one (a property, an item, a map's value): what the outer
    /// value is composed of says nothing of it.
    fn inner(&mut self, schema: &'d Value, pick: Pick, depth: usize, may_be_null: bool) -> Option<Value> {
        let enclosing = std::mem::take(&mut self.enclosing);
        let value = self.value_in(schema, pick, depth, &[], may_be_null);
        self.enclosing = enclosing;
        value
    }

    /// A value of the type itself: a nullable schema is an `Option` where it is used,
    /// so the type holds a value.
    fn root(&mut self, schema: &'d Value, pick: Pick) -> Option<Value> {
        self.value_in(schema, pick, 0, &[], false)
    }

    /// A value of `schema`, where `inherited` names properties that a `required` beside
    /// the `allOf` or `oneOf` this schema is part of demands.
    ///
    /// `may_be_null`: the place takes `null` when the schema is nullable; not so for the
    /// type itself or for an `allOf` part (the other parts still need their fields).
    fn value_in(
        &mut self,
        schema: &'d Value,
        pick: Pick,
        depth: usize,
        inherited: &[&'d str],
        may_be_null: bool,
    ) -> Option<Value> {
        let mut value = self.value_as_part(schema, pick, depth, inherited, may_be_null)?;
        if let Value::Object(members) = &mut value {
            // The generated struct keeps these as any JSON, so a caller can send them, and
            // an API that requires them (a mock does) gets them.
            let mut undeclared = self.undeclared_required(schema);
            if !undeclared.is_empty() {
                let mut around = Vec::new();
                for enclosing in &self.enclosing {
                    self.declared_in(enclosing, &mut around, 0);
                }
                undeclared.retain(|name| !around.contains(name));
            }
            for name in undeclared {
                members.entry(name).or_insert_with(|| Value::from("text"));
            }
        }
        Some(value)
    }

    /// A value of `schema` as one part of an object: the members it requires but no part
    /// of it describes are left to the whole ([`value_in`](Self::value_in)), as another
    /// part of an `allOf` may describe them.
    fn value_as_part(
        &mut self,
        schema: &'d Value,
        pick: Pick,
        depth: usize,
        inherited: &[&'d str],
        may_be_null: bool,
    ) -> Option<Value> {
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            if self.refs.iter().filter(|seen| **seen == reference).count() >= MAX_REF_REPEATS {
                return None;
            }
            let target = self.document.pointer(reference.strip_prefix('#')?)?;
            self.refs.push(reference);
            let value = self.value_as_part(target, pick, depth + 1, inherited, may_be_null);
            self.refs.pop();
            return value;
        }
        let object = schema.as_object()?;
        if pick.nulls && may_be_null && object.get("nullable") == Some(&Value::Bool(true)) {
            return Some(Value::Null);
        }
        // Scalars listed on an array or object (`type: array, enum: [a, b]`) are a slip in
        // the spec that the generated type ignores; so does the synthesis. Between scalar
        // kinds (`type: string, enum: [1]`) the values win, as in the generated type.
        let container = matches!(object.get("type").and_then(Value::as_str), Some("array" | "object"));
        let enumeration = object
            .get("enum")
            .and_then(Value::as_array)
            .filter(|values| !container || values.iter().all(|value| value.is_array() || value.is_object()));
        if let Some(values) = enumeration {
            let values: Vec<&Value> = values.iter().filter(|value| !value.is_null()).collect();
            if values.is_empty() {
                // `enum: [null]`: only `null`, which the type itself cannot hold.
                return may_be_null.then_some(Value::Null);
            }
            self.widest = self.widest.max(values.len());
            return Some(values[pick.index % values.len()].clone());
        }
        let choice = ["oneOf", "anyOf"].iter().find_map(|keyword| object.get(*keyword).and_then(Value::as_array));
        let mut required = inherited.to_vec();
        required
            .extend(object.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str));
        if let Some(alternatives) = choice {
            return self.choice(object, alternatives, pick, depth, &required, may_be_null);
        }
        if let Some(parts) = object.get("allOf").and_then(Value::as_array) {
            return self.all_of(Some(object), parts, pick, depth, &required);
        }
        self.typed(object, pick, depth, &required)
    }

    /// A value of one alternative, with the fields beside the choice merged in.
    fn choice(
        &mut self,
        object: &'d Map<String, Value>,
        alternatives: &'d [Value],
        pick: Pick,
        depth: usize,
        required: &[&'d str],
        may_be_null: bool,
    ) -> Option<Value> {
        let alternatives: Vec<&'d Value> =
            alternatives.iter().filter(|alternative| !is_null_schema(alternative)).collect();
        if alternatives.is_empty() {
            return Some(Value::Null);
        }
        self.widest = self.widest.max(alternatives.len());
        // A property that every alternative fixes to a value selects the alternative (as
        // the generated type dispatches on it): it is always there.
        let mut required = required.to_vec();
        let first_fixed = self.fixed_properties(alternatives[0]);
        required.extend(
            first_fixed
                .into_iter()
                .filter(|property| alternatives.iter().all(|alternative| self.lists_values(alternative, property, 0))),
        );
        let required = &required[..];
        // A nullable alternative makes the choice nullable, where the choice may be null.
        // An alternative that cannot be made (a recursion) gives way to the next one.
        self.enclosing.push(object);
        let chosen = (0..alternatives.len()).find_map(|offset| {
            let alternative = alternatives[(pick.index + offset) % alternatives.len()];
            self.value_in(alternative, pick, depth + 1, required, may_be_null).map(|value| (alternative, value))
        });
        self.enclosing.pop();
        let (chosen, mut value) = chosen?;
        // What the chosen alternative requires binds the fields beside the choice too.
        let mut beside_required = required.to_vec();
        self.collect_required(chosen, &mut beside_required, 0);
        let beside = self.object_keywords(object, pick, depth, &beside_required)?;
        if let (Value::Object(members), Some(beside)) = (&mut value, beside) {
            for (key, member) in beside {
                members.entry(key).or_insert(member);
            }
        }
        if let Some(discriminator) = object.get("discriminator") {
            self.tag(discriminator, chosen, &mut value);
        }
        if let Some(parts) = object.get("allOf").and_then(Value::as_array) {
            let merged = self.all_of(None, parts, pick, depth, required)?;
            if let (Value::Object(members), Value::Object(parts)) = (&mut value, merged) {
                for (key, member) in parts {
                    members.entry(key).or_insert(member);
                }
            }
        }
        Some(value)
    }

    /// Sets the discriminator property to the value that names `chosen`: its mapping key,
    /// or its schema name when the member does not fix the property itself.
    fn tag(&self, discriminator: &Value, chosen: &Value, value: &mut Value) {
        let (Some(property), Some(members)) =
            (discriminator.get("propertyName").and_then(Value::as_str), value.as_object_mut())
        else {
            return;
        };
        let Some(reference) = chosen.get("$ref").and_then(Value::as_str) else { return };
        let name = reference.rsplit('/').next().unwrap_or(reference);
        let mapped = discriminator.get("mapping").and_then(Value::as_object).and_then(|mapping| {
            mapping.iter().find(|(_, target)| target.as_str() == Some(reference) || target.as_str() == Some(name))
        });
        match mapped {
            Some((key, _)) => {
                members.insert(property.to_owned(), Value::String(key.clone()));
            }
            // Without a mapping entry the schema name selects the member, unless the
            // member lists the values the property takes itself.
            None if !self.lists_values(chosen, property, 0) => {
                members.insert(property.to_owned(), Value::String(name.to_owned()));
            }
            None => {}
        }
    }

    /// The properties whose values `schema` (or its `allOf` parts) lists.
    fn fixed_properties(&self, schema: &'d Value) -> Vec<&'d str> {
        let mut names = Vec::new();
        let mut stack = vec![(schema, 0)];
        while let Some((schema, depth)) = stack.pop() {
            let Some(schema) = self.resolve(schema).filter(|_| depth < 16) else { continue };
            for name in
                schema.get("properties").and_then(Value::as_object).into_iter().flat_map(|properties| properties.keys())
            {
                if self.lists_values(schema, name, 0) {
                    names.push(name.as_str());
                }
            }
            stack.extend(
                schema.get("allOf").and_then(Value::as_array).into_iter().flatten().map(|part| (part, depth + 1)),
            );
        }
        names
    }

    /// The members `schema` requires that neither it nor its `allOf` parts describe: the
    /// generated struct keeps them as any JSON (`lower_struct`). None where a map of the
    /// other members or a flattened choice would hold them instead, as there.
    fn undeclared_required(&self, schema: &'d Value) -> Vec<&'d str> {
        let mut required = Vec::new();
        let mut declared = Vec::new();
        let mut stack = vec![(schema, 0)];
        while let Some((schema, depth)) = stack.pop() {
            let Some(schema) = self.resolve(schema).filter(|_| depth < 16) else { continue };
            let holds_others = schema.get("additionalProperties").is_some_and(|additional| *additional != false);
            if holds_others || schema.get("oneOf").is_some() || schema.get("anyOf").is_some() {
                return Vec::new();
            }
            required.extend(
                schema.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str),
            );
            declared.extend(schema.get("properties").and_then(Value::as_object).into_iter().flat_map(Map::keys));
            stack.extend(
                schema.get("allOf").and_then(Value::as_array).into_iter().flatten().map(|part| (part, depth + 1)),
            );
        }
        required.retain(|name| !name.is_empty() && !declared.iter().any(|declared| declared == name));
        required.sort_unstable();
        required.dedup();
        required
    }

    /// The properties `schema`, its parts and its alternatives describe, added to `into`.
    fn declared_in(&self, schema: &'d Map<String, Value>, into: &mut Vec<&'d str>, depth: usize) {
        into.extend(
            schema.get("properties").and_then(Value::as_object).into_iter().flat_map(Map::keys).map(String::as_str),
        );
        let parts =
            ["allOf", "oneOf", "anyOf"].iter().filter_map(|keyword| schema.get(*keyword)).filter_map(Value::as_array);
        for part in parts.flatten().filter(|_| depth < 16) {
            if let Some(part) = self.resolve(part).and_then(Value::as_object) {
                self.declared_in(part, into, depth + 1);
            }
        }
    }

    /// The `required` names of `schema` and of its `allOf` parts.
    fn collect_required(&self, schema: &'d Value, into: &mut Vec<&'d str>, depth: usize) {
        let Some(schema) = self.resolve(schema).filter(|_| depth < 16) else { return };
        into.extend(schema.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str));
        for part in schema.get("allOf").and_then(Value::as_array).into_iter().flatten() {
            self.collect_required(part, into, depth + 1);
        }
    }

    /// Whether `schema` (or an `allOf` part of it) lists the values `property` may take.
    fn lists_values(&self, schema: &'d Value, property: &str, depth: usize) -> bool {
        let Some(schema) = self.resolve(schema).filter(|_| depth < 16) else { return false };
        let own = schema.get("properties").and_then(|properties| properties.get(property));
        own.and_then(|own| self.resolve(own)).is_some_and(|own| own.get("enum").is_some())
            || schema
                .get("allOf")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .any(|part| self.lists_values(part, property, depth + 1))
    }

    fn all_of(
        &mut self,
        object: Option<&'d Map<String, Value>>,
        parts: &'d [Value],
        pick: Pick,
        depth: usize,
        required: &[&'d str],
    ) -> Option<Value> {
        // Every part's `required` constrains the merged object, whichever part declares
        // the property.
        let mut required = required.to_vec();
        for part in parts {
            self.collect_required(part, &mut required, 0);
        }
        let required = &required[..];
        let mut merged = Map::new();
        let mut other = None;
        if let Some(object) = object {
            self.enclosing.push(object);
        }
        let mut values = Vec::with_capacity(parts.len());
        for part in parts {
            let value = self.value_as_part(part, pick, depth + 1, required, false);
            let impossible = value.is_none() && !is_annotation(part);
            values.push(value);
            if impossible {
                break;
            }
        }
        if object.is_some() {
            self.enclosing.pop();
        }
        for (part, value) in parts.iter().zip(values) {
            match value {
                // Two parts that both describe a property: the value holds both. A part
                // that only annotates a property (an `example` for it) says nothing of
                // its value: another part's value stands.
                Some(Value::Object(mut members)) => {
                    for name in self.annotated_properties(part) {
                        if merged.contains_key(name) {
                            members.remove(name);
                        }
                    }
                    merge_members(&mut merged, members);
                }
                // A part that says nothing of the shape (a description) adds nothing.
                Some(Value::Null) if is_annotation(part) => {}
                Some(value) => other = Some(value),
                None if is_annotation(part) => {}
                None => return None,
            }
        }
        if let Some(object) = object {
            if let Some(beside) = self.object_keywords(object, pick, depth, required)? {
                merged.extend(beside);
            }
        }
        match other {
            // Scalar parts each bound the one value (`minLength` here, `maxLength` there):
            // a value of the last alone may break the others' bounds.
            Some(_) if merged.is_empty() && self.scalar_keywords(parts, 0).is_some() => {
                let keywords = self.scalar_keywords(parts, 0)?;
                Some(match keywords.get("type").and_then(Value::as_str) {
                    Some("integer") => Value::from(integer(&keywords)),
                    Some("number") => number(&keywords),
                    _ => string(&keywords, pick)?,
                })
            }
            Some(value) if merged.is_empty() => Some(value),
            _ => Some(Value::Object(merged)),
        }
    }

    /// The properties `part` declares with a schema that only annotates.
    fn annotated_properties(&self, part: &'d Value) -> Vec<&'d str> {
        let properties = self.resolve(part).and_then(|part| part.get("properties")).and_then(Value::as_object);
        let annotated = properties.into_iter().flatten().filter(|(_, property)| is_annotation(property));
        annotated.map(|(name, _)| name.as_str()).collect()
    }

    /// The keywords of an `allOf` of string or number schemas (through `$ref`s and
    /// nested `allOf`s) as one schema, with the tightest of their bounds; `None` when a
    /// part is anything else (a pattern, a format, an enum or an object is not merged).
    fn scalar_keywords(&self, parts: &'d [Value], depth: usize) -> Option<Map<String, Value>> {
        const SCALAR: &[&str] = &["string", "integer", "number"];
        const LOWER: &[&str] = &["minLength", "minimum"];
        const UPPER: &[&str] = &["maxLength", "maximum"];
        const KEPT: &[&str] =
            &["type", "minLength", "minimum", "maxLength", "maximum", "description", "example", "title"];
        if depth > 4 {
            return None;
        }
        let mut merged = Map::new();
        for part in parts {
            let part = self.resolve(part)?.as_object()?;
            let keywords = match part.get("allOf").and_then(Value::as_array) {
                Some(nested) => self.scalar_keywords(nested, depth + 1)?,
                None => part.clone(),
            };
            for (keyword, value) in keywords {
                if !KEPT.contains(&keyword.as_str()) {
                    return None;
                }
                let tighter = match merged.get(&keyword).and_then(Value::as_f64).zip(value.as_f64()) {
                    Some((known, new)) if LOWER.contains(&keyword.as_str()) => new > known,
                    Some((known, new)) if UPPER.contains(&keyword.as_str()) => new < known,
                    _ => true,
                };
                if keyword == "type" && merged.get("type").is_some_and(|known| *known != value) {
                    return None;
                }
                if tighter {
                    merged.insert(keyword, value);
                }
            }
        }
        merged.get("type").and_then(Value::as_str).filter(|kind| SCALAR.contains(kind))?;
        Some(merged)
    }

    /// The members that `properties` and `additionalProperties` beside other keywords
    /// give; `None` when a required one cannot be made, `Some(None)` when there are none.
    #[allow(clippy::option_option)]
    fn object_keywords(
        &mut self,
        object: &'d Map<String, Value>,
        pick: Pick,
        depth: usize,
        required: &[&'d str],
    ) -> Option<Option<Map<String, Value>>> {
        if !object.contains_key("properties") && !object.contains_key("additionalProperties") {
            return Some(None);
        }
        match self.object(object, pick, depth, required)? {
            Value::Object(members) => Some(Some(members)),
            _ => Some(None),
        }
    }

    fn typed(
        &mut self,
        object: &'d Map<String, Value>,
        pick: Pick,
        depth: usize,
        required: &[&'d str],
    ) -> Option<Value> {
        let kind = object.get("type").and_then(Value::as_str);
        match kind {
            Some("string")
                if self.binary_as_bytes && object.get("format").and_then(Value::as_str) == Some("binary") =>
            {
                Some(Value::Array(vec![Value::from(104), Value::from(105)]))
            }
            Some("string") => string(object, pick),
            Some("integer") => Some(Value::from(integer(object))),
            // A number in an integer format is an integer on the wire (and to a validator).
            Some("number") if matches!(object.get("format").and_then(Value::as_str), Some("int32" | "int64")) => {
                Some(Value::from(integer(object)))
            }
            Some("number") => Some(number(object)),
            Some("boolean") => Some(Value::Bool(pick.index % 2 == 0)),
            Some("array") => self.array(object, pick, depth),
            Some("object") => self.object(object, pick, depth, required),
            None if object.contains_key("properties") || object.contains_key("additionalProperties") => {
                self.object(object, pick, depth, required)
            }
            None if object.contains_key("items") => self.array(object, pick, depth),
            // Anything goes: `{}` stands for it. (A body that is only `required: [id]`,
            // Cloudflare's bulk updates, gets those members in `value_in`.)
            _ => Some(Value::Object(Map::new())),
        }
    }

    fn array(&mut self, object: &'d Map<String, Value>, pick: Pick, depth: usize) -> Option<Value> {
        let min_items = object.get("minItems").and_then(Value::as_u64).unwrap_or(0) as usize;
        let wanted = if pick.optional && depth < OPTIONAL_DEPTH { min_items.max(1) } else { min_items };
        let Some(items) = object.get("items") else { return Some(Value::Array(Vec::new())) };
        if wanted == 0 {
            return Some(Value::Array(Vec::new()));
        }
        // A list holds things: a `$ref`'d item that is nullable elsewhere is not `null` in
        // a list (the generated type is `Vec<T>`); an inline nullable item is.
        match self.inner(items, pick, depth + 1, items.get("$ref").is_none()) {
            Some(item) => Some(Value::Array(vec![item; wanted])),
            None if min_items == 0 => Some(Value::Array(Vec::new())),
            None => None,
        }
    }

    /// `required` holds the object's own `required` and those it inherits.
    fn object(
        &mut self,
        object: &'d Map<String, Value>,
        pick: Pick,
        depth: usize,
        required: &[&'d str],
    ) -> Option<Value> {
        let fill_optional = pick.optional && depth < OPTIONAL_DEPTH;
        let mut members = Map::new();
        if let Some(properties) = object.get("properties").and_then(Value::as_object) {
            for (name, property) in properties {
                let is_required = required.contains(&name.as_str());
                if !is_required && !fill_optional {
                    continue;
                }
                // A property only annotated here (an `example` for it) takes its value
                // from the part that types it (Cloudflare's `result_info` counts), if any:
                // `{}` for "anything" would replace that part's value in the merge.
                if !is_required && is_annotation(property) {
                    continue;
                }
                // A read-only property is the server's: a caller leaves it out, unless the
                // schema requires it anyway (references by `id` in PagerDuty's requests),
                // which a mock checks whatever OpenAPI says of `required` and `readOnly`.
                let read_only = |schema: &Value| schema.get("readOnly") == Some(&Value::Bool(true));
                if self.sent && !is_required && (read_only(property) || self.resolve(property).is_some_and(read_only)) {
                    continue;
                }
                match self.value(property, pick, depth + 1) {
                    Some(value) => {
                        members.insert(name.clone(), value);
                    }
                    None if is_required => return None,
                    None => {}
                }
            }
        }
        // At most `maxProperties` members: optional ones give way, the last first.
        if let Some(most) = object.get("maxProperties").and_then(Value::as_u64).map(|most| most as usize) {
            while members.len() > most {
                let Some(optional) = members.keys().rev().find(|name| !required.contains(&name.as_str())).cloned()
                else {
                    break;
                };
                members.remove(&optional);
            }
        }
        let room = object.get("maxProperties").and_then(Value::as_u64).is_none_or(|most| members.len() < most as usize);
        if let Some(additional) = object.get("additionalProperties").filter(|additional| additional.is_object()) {
            if fill_optional && room {
                let key = (1..).map(|n| format!("extra{n}")).find(|key| !members.contains_key(key))?;
                // As for list items, a `$ref`'d value that is nullable elsewhere is a value here.
                let may_be_null = additional.get("$ref").is_none();
                if let Some(value) = self.inner(additional, pick, depth + 1, may_be_null) {
                    members.insert(key, value);
                }
            }
        }
        Some(Value::Object(members))
    }
}

/// `{type: null}`, or 3.0's nullable object that admits no property.
fn is_null_schema(schema: &Value) -> bool {
    let kind = schema.get("type").and_then(Value::as_str);
    kind == Some("null")
        || (kind == Some("object")
            && schema.get("nullable") == Some(&Value::Bool(true))
            && schema.get("additionalProperties") == Some(&Value::Bool(false))
            && schema.get("properties").and_then(Value::as_object).is_none_or(Map::is_empty))
}

/// A schema with no keyword that shapes a value (only a description, an example).
fn is_annotation(schema: &Value) -> bool {
    const SHAPING: &[&str] =
        &["$ref", "type", "properties", "additionalProperties", "items", "enum", "oneOf", "anyOf", "allOf", "not"];
    schema.as_object().is_some_and(|object| !SHAPING.iter().any(|keyword| object.contains_key(*keyword)))
}

fn string(object: &Map<String, Value>, pick: Pick) -> Option<Value> {
    let min_length = object.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
    let max_length = object.get("maxLength").and_then(Value::as_u64).map(|max| max as usize);
    if let Some(pattern) = object.get("pattern").and_then(Value::as_str) {
        if let Some(text) = matching(pattern, min_length, max_length) {
            return Some(Value::String(text));
        }
    }
    let format = object.get("format").and_then(Value::as_str).unwrap_or_default();
    let sample = match format {
        // Binary data has no JSON spelling the generated types read.
        "binary" => return None,
        "date-time" => "2024-01-02T03:04:05Z",
        "date" => "2024-01-02",
        "time" => "03:04:05",
        "uuid" => "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "email" => "user@example.com",
        "uri" | "url" => "https://example.com/a",
        "hostname" => "example.com",
        "ipv4" => "198.51.100.4",
        "ipv6" => "2001:db8::1",
        "byte" => "aGVsbG8=",
        // ISO 8601, as JSON Schema's `duration` (App Store Connect's leaderboards).
        "duration" => "P1D",
        _ if pick.index % 2 == 0 => "text",
        _ => "other text",
    };
    let mut text = sample.to_owned();
    // Base64 grows by whole quads (of zero bytes), so it stays valid base64.
    let filler = if format == "byte" { "AAAA" } else { "x" };
    while text.chars().count() < min_length {
        text.insert_str(0, filler);
    }
    if let Some(max_length) = max_length {
        text = text.chars().take(max_length).collect();
    }
    Some(Value::String(text))
}

/// A string the regular expression `pattern` matches, when Rust's regex syntax reads it
/// (JSON Schema's ECMA-262 mostly is), of a length between the bounds when it can be: the
/// first alternative of each choice, a plain character of each class, each repetition its
/// least count, then each a little more until the text is long enough.
fn matching(pattern: &str, min_length: usize, max_length: Option<usize>) -> Option<String> {
    let hir = regex_syntax::ParserBuilder::new().build().parse(pattern).ok()?;
    let mut shortest = None;
    for stretch in 0..=min_length.min(256) as u32 {
        let mut text = String::new();
        write_match(&hir, &mut text, 0, stretch)?;
        let length = text.chars().count();
        if length >= min_length && max_length.is_none_or(|max| length <= max) {
            return Some(text);
        }
        shortest.get_or_insert(text);
    }
    shortest
}

/// Writes a match of `hir`, repeating each repetition `stretch` times more than its least
/// (within its most).
fn write_match(hir: &regex_syntax::hir::Hir, text: &mut String, depth: usize, stretch: u32) -> Option<()> {
    use regex_syntax::hir::{Class, HirKind};
    if depth > 64 || text.len() > 4096 {
        return None;
    }
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => {}
        HirKind::Literal(literal) => text.push_str(std::str::from_utf8(&literal.0).ok()?),
        HirKind::Class(Class::Unicode(class)) => {
            let ranges: Vec<(char, char)> = class.ranges().iter().map(|range| (range.start(), range.end())).collect();
            text.push(plain_character(&ranges)?);
        }
        HirKind::Class(Class::Bytes(class)) => {
            let ranges: Vec<(char, char)> =
                class.ranges().iter().map(|range| (char::from(range.start()), char::from(range.end()))).collect();
            text.push(plain_character(&ranges)?);
        }
        HirKind::Repetition(repetition) => {
            let count = repetition.min.saturating_add(stretch).min(repetition.max.unwrap_or(u32::MAX));
            for _ in 0..count.min(300) {
                write_match(&repetition.sub, text, depth + 1, stretch)?;
            }
        }
        HirKind::Capture(capture) => write_match(&capture.sub, text, depth + 1, stretch)?,
        HirKind::Concat(parts) => {
            for part in parts {
                write_match(part, text, depth + 1, stretch)?;
            }
        }
        HirKind::Alternation(choices) => write_match(choices.first()?, text, depth + 1, stretch)?,
    }
    Some(())
}

/// A letter or digit the class holds, else its first printable character.
fn plain_character(ranges: &[(char, char)]) -> Option<char> {
    let holds = |character: char| ranges.iter().any(|(start, end)| (*start..=*end).contains(&character));
    "a0A".chars().find(|character| holds(*character)).or_else(|| {
        ranges.iter().flat_map(|(start, end)| (*start..=*end).take(128)).find(|character| !character.is_control())
    })
}

fn integer(object: &Map<String, Value>) -> i64 {
    let exclusive = |keyword: &str| object.get(keyword) == Some(&Value::Bool(true));
    let minimum = object
        .get("minimum")
        .and_then(Value::as_f64)
        .map(|min| min.ceil() as i64 + i64::from(exclusive("exclusiveMinimum")));
    let maximum = object
        .get("maximum")
        .and_then(Value::as_f64)
        .map(|max| max.floor() as i64 - i64::from(exclusive("exclusiveMaximum")));
    let value = minimum.map_or(1, |min| min.max(1));
    maximum.map_or(value, |max| value.min(max))
}

fn number(object: &Map<String, Value>) -> Value {
    let minimum = object.get("minimum").and_then(Value::as_f64);
    let maximum = object.get("maximum").and_then(Value::as_f64);
    let mut value = 1.5;
    if let Some(min) = minimum.filter(|min| value < *min) {
        value = min + 0.5;
    }
    if let Some(max) = maximum.filter(|max| value > *max) {
        value = max;
    }
    serde_json::Number::from_f64(value).map_or(Value::Null, Value::Number)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn values(document: &Value, pointer: &str) -> Vec<Value> {
        let schema = document.pointer(pointer).expect("schema");
        instances(document, schema).into_iter().map(|instance| instance.value).collect()
    }

    #[test]
    fn every_alternative_and_enum_value_gets_an_instance() {
        let document = json!({"components": {"schemas": {
            "A": {"type": "object", "required": ["kind"], "properties": {"kind": {"type": "string", "enum": ["a"]}, "n": {"type": "integer", "minimum": 3}}},
            "B": {"type": "object", "required": ["kind"], "properties": {"kind": {"type": "string", "enum": ["b"]}, "on": {"type": "boolean"}}},
            "U": {"oneOf": [{"$ref": "#/components/schemas/A"}, {"$ref": "#/components/schemas/B"}]}
        }}});
        let found = values(&document, "/components/schemas/U");
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(found.contains(&json!({"kind": "a", "n": 3})), "{found:?}");
        assert!(found.contains(&json!({"kind": "b", "on": false})), "{found:?}");
        assert!(found.contains(&json!({"kind": "a"})), "required only: {found:?}");
    }

    #[test]
    fn fields_beside_a_choice_and_mapping_keys_reach_each_instance() {
        let document = json!({"components": {"schemas": {
            "Cat": {"type": "object", "properties": {"pet_type": {"type": "string"}, "lives": {"type": "integer"}}},
            "Pet": {
                "type": "object", "required": ["id"], "properties": {"id": {"type": "string", "format": "uuid"}},
                "oneOf": [{"$ref": "#/components/schemas/Cat"}],
                "discriminator": {"propertyName": "pet_type", "mapping": {"cat": "#/components/schemas/Cat"}}
            }
        }}});
        let found = values(&document, "/components/schemas/Pet");
        assert_eq!(found[0], json!({"pet_type": "cat", "lives": 1, "id": "3fa85f64-5717-4562-b3fc-2c963f66afa6"}));
    }

    #[test]
    fn a_part_that_only_annotates_a_property_keeps_the_other_parts_value() {
        let document = json!({"components": {"schemas": {
            "Rule": {"properties": {"description": {"type": "string"}}},
            "BlockRule": {"allOf": [
                {"$ref": "#/components/schemas/Rule"},
                {"properties": {"description": {"example": "Block the bad ones"}}}
            ]}
        }}});
        let found = values(&document, "/components/schemas/BlockRule");
        assert!(found.iter().all(|value| value.get("description").is_none_or(Value::is_string)), "{found:?}");
        assert!(found.iter().any(|value| value.get("description").is_some()), "{found:?}");
    }

    #[test]
    fn a_schema_of_required_names_alone_has_those_members() {
        let document = json!({"components": {"schemas": {"Ids": {"required": ["id", "name"]}}}});
        let found = values(&document, "/components/schemas/Ids");
        assert!(found.contains(&json!({"id": "text", "name": "text"})), "{found:?}");
    }

    #[test]
    fn a_required_member_no_part_describes_is_sent_as_any_value_where_the_struct_keeps_it() {
        let document = json!({"components": {"schemas": {
            "Org": {"type": "object", "properties": {"name": {"type": "string"}}},
            // `user` is described nowhere; `name` by the other part.
            "SetUp": {"required": ["name", "user"], "allOf": [{"$ref": "#/components/schemas/Org"}, {"type": "object"}]},
            // A map of the other members holds `user` instead.
            "Open": {"type": "object", "required": ["user"], "additionalProperties": {"type": "integer"}},
            "Body": {"type": "object", "properties": {"setup": {"$ref": "#/components/schemas/SetUp"}}}
        }}});
        let found = values(&document, "/components/schemas/SetUp");
        assert!(found.contains(&json!({"name": "text", "user": "text"})), "{found:?}");
        let nested = values(&document, "/components/schemas/Body");
        assert!(nested.iter().any(|value| value["setup"]["user"] == "text"), "{nested:?}");
        let open = values(&document, "/components/schemas/Open");
        assert!(open.iter().all(|value| value.get("user").is_none_or(Value::is_i64)), "{open:?}");
    }

    #[test]
    fn a_member_an_alternative_requires_takes_the_value_the_schema_around_it_describes() {
        // Cloudflare's apps: the alternatives only say which members must be there.
        let document = json!({"components": {"schemas": {
            "App": {
                "type": "object", "required": ["name"],
                "properties": {"name": {"type": "string"}, "hostnames": {"type": "array", "items": {"type": "string"}}, "subnets": {"type": "array", "items": {"type": "string"}}},
                "anyOf": [{"required": ["hostnames"]}, {"required": ["subnets"]}]
            },
            "Config": {"allOf": [
                {"anyOf": [{"required": ["breakout"]}, {"required": ["priority"]}]},
                {"properties": {"breakout": {"type": "boolean"}, "priority": {"type": "integer"}}}
            ]}
        }}});
        let apps = values(&document, "/components/schemas/App");
        let listed = |value: &Value, name: &str| value.get(name).is_none_or(Value::is_array);
        assert!(apps.iter().all(|app| listed(app, "hostnames") && listed(app, "subnets")), "{apps:?}");
        let configs = values(&document, "/components/schemas/Config");
        let typed = |config: &Value| {
            config.get("breakout").is_none_or(Value::is_boolean) && config.get("priority").is_none_or(Value::is_i64)
        };
        assert!(configs.iter().all(typed), "{configs:?}");
    }

    #[test]
    fn lists_two_parts_describe_hold_the_fields_of_both_in_each_item() {
        let document = json!({"components": {"schemas": {
            "Rows": {"properties": {"data": {"type": "array", "items": {"required": ["dimensions"], "properties": {"dimensions": {"type": "string"}}}}}},
            "Report": {"required": ["data"], "allOf": [
                {"$ref": "#/components/schemas/Rows"},
                {"properties": {"data": {"items": {"required": ["metrics"], "properties": {"metrics": {"type": "number"}, "note": {"example": 1}}}}}}
            ]}
        }}});
        let found = values(&document, "/components/schemas/Report");
        let items: Vec<&Value> = found.iter().filter_map(|value| value["data"].get(0)).collect();
        assert!(!items.is_empty(), "{found:?}");
        assert!(items.iter().all(|item| item["dimensions"].is_string() && item["metrics"].is_number()), "{found:?}");
    }

    #[test]
    fn scalar_all_of_parts_bound_one_value() {
        let document = json!({"components": {"schemas": {
            "Uuid": {"type": "string", "maxLength": 36, "description": "UUID"},
            "OperationId": {"allOf": [{"type": "string", "minLength": 36}, {"$ref": "#/components/schemas/Uuid"}]}
        }}});
        let found = values(&document, "/components/schemas/OperationId");
        assert!(found.iter().all(|value| value.as_str().is_some_and(|text| text.len() == 36)), "{found:?}");
    }

    #[test]
    fn required_beside_all_of_reaches_the_parts() {
        let document = json!({"components": {"schemas": {
            "Base": {"properties": {"id": {"type": "string"}, "ttl": {"type": "number"}}},
            "A": {"required": ["type", "id"], "allOf": [
                {"properties": {"type": {"type": "string", "enum": ["A"]}}},
                {"$ref": "#/components/schemas/Base"}
            ]}
        }}});
        let found = values(&document, "/components/schemas/A");
        assert!(found.contains(&json!({"type": "A", "id": "text"})), "{found:?}");
    }

    #[test]
    fn recursion_ends_and_nullable_fields_get_null() {
        let document = json!({"components": {"schemas": {
            "Node": {"type": "object", "required": ["name"], "properties": {
                "name": {"type": "string", "nullable": true},
                "next": {"$ref": "#/components/schemas/Node"}
            }}
        }}});
        let found = values(&document, "/components/schemas/Node");
        assert!(found.contains(&json!({"name": null, "next": {"name": null, "next": {"name": null}}})), "{found:?}");
        assert!(found.iter().all(|value| value.get("name").is_some()));
    }

    fn plan_of(spec: &str) -> ApiPlan {
        let settings = CrateSettings {
            crate_name: "verify-client".to_owned(),
            workspace: crate::Workspace::Own,
            default_features_all: true,
            tag_features_from: None,
        };
        let verification = plan(&[ApiSpec::new("pets", "pets.yaml", spec)], &settings).expect("plans");
        verification.apis.into_iter().next().expect("one API")
    }

    #[test]
    fn operations_are_called_with_examples_first_then_values_from_the_schemas() {
        let api = plan_of(
            r#"
openapi: 3.0.3
info: {title: Pets, version: "1"}
components:
  securitySchemes:
    token: {type: http, scheme: bearer}
    digest: {type: http, scheme: digest}
security: [{token: []}]
paths:
  /owners/{owner}/pets/{petId}:
    parameters:
      - {name: owner, in: path, required: true, schema: {type: string, example: ann}}
      - {name: petId, in: path, required: true, schema: {type: string}}
    put:
      operationId: updatePet
      tags: [pets]
      parameters:
        - {name: petId, in: path, required: true, example: 7, schema: {type: integer, minimum: 3}}
        - {name: verbose, in: query, schema: {type: boolean}}
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [name]
              properties: {name: {type: string}, age: {type: integer}, id: {type: string, readOnly: true}}
            example: {name: Rex}
      responses:
        "200":
          description: The pet.
          content:
            application/json:
              schema: {type: object, properties: {name: {type: string}}}
  /secret:
    get:
      security: [{digest: []}]
      responses: {"204": {description: Nothing.}}
"#,
        );
        assert_eq!(api.credentials, [CredentialSetter { setter: "token".to_owned(), basic: false }]);
        assert_eq!(
            api.unsent,
            [("GET /secret".to_owned(), "it accepts only credentials the client cannot send".to_owned())]
        );
        let [update] = &api.operations[..] else { panic!("one operation: {:?}", api.operations) };
        assert_eq!(update.call, "pets().update_pet");
        assert_eq!(update.argument_types, ["String", "i64", "UpdatePetRequest"]);
        // Path parameters in path order; the operation's `petId` overrides the path item's.
        assert_eq!(update.attempts[0], [json!("ann"), json!(7), json!({"name": "Rex"})]);
        // An optional read-only `id` is the server's: a caller sends none.
        assert_eq!(update.attempts[1], [json!("text"), json!(3), json!({"name": "text", "age": 1})]);
        assert_eq!((update.round_trip, update.documents_success), (RoundTrip::Body, true));
    }

    #[test]
    fn objects_keep_within_max_properties() {
        let document = json!({"components": {"schemas": {"Node": {
            "type": "object",
            "maxProperties": 2,
            "required": ["c"],
            "properties": {"a": {"type": "string"}, "b": {"type": "string"}, "c": {"type": "string"}},
            "additionalProperties": {"type": "string"}
        }}}});
        let found = values(&document, "/components/schemas/Node");
        assert!(!found.is_empty());
        for value in found {
            let members = value.as_object().expect("an object");
            assert!(members.len() <= 2 && members.contains_key("c"), "{value}");
        }
    }

    #[test]
    fn strings_match_their_pattern() {
        assert_eq!(matching(r"^(?:top|bottom|after:\d+)$", 0, None).as_deref(), Some("top"));
        assert_eq!(matching(r"^[0-9a-fA-F]+$", 0, None).as_deref(), Some("a"));
        assert_eq!(
            matching(r"^ssh-(rsa|dss|ed25519) |^ecdsa-sha2-nistp(256|384|521) ", 0, None).as_deref(),
            Some("ssh-rsa ")
        );
        assert_eq!(matching(r"^[A-Z]{2}-\d{3}$", 0, None).as_deref(), Some("AA-000"));
        assert_eq!(matching(r"(?=lookahead)", 0, None), None, "what Rust's syntax does not read is left to the format");
        // Repetitions stretch to reach `minLength` (Ratepay's phone numbers need 6).
        assert_eq!(matching(r"[+0-9/ ().]*[0-9][+0-9/ ().]*", 6, Some(60)).as_deref(), Some("0000000"));
        assert_eq!(matching(r"^[A-Z]{2}-\d{3}$", 10, None).as_deref(), Some("AA-000"), "fixed length: the match");
        let document = json!({"components": {"schemas": {"Sha": {"type": "string", "pattern": "^[0-9a-f]{40}$"}}}});
        assert_eq!(values(&document, "/components/schemas/Sha")[0], json!("a".repeat(40)));
    }

    #[test]
    fn examples_come_first_and_binary_fields_cannot_be_synthesized() {
        let document = json!({"components": {"schemas": {
            "Upload": {"type": "object", "required": ["file"], "properties": {"file": {"type": "string", "format": "binary"}}},
            "Named": {"type": "string", "example": "ann"}
        }}});
        assert!(values(&document, "/components/schemas/Upload").is_empty());
        assert_eq!(values(&document, "/components/schemas/Named")[0], json!("ann"));
    }
}
