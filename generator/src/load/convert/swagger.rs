//! Swagger 2.0 → OpenAPI 3.0: `definitions`, `parameters` and `responses` into
//! components, body and form parameters into request bodies, `produces`/`consumes` into
//! media types, `collectionFormat` into `style`/`explode`, security definitions; with
//! origins recorded so later problems name the 2.0 places.

use super::{for_each_schema, into_result, pointer, unescape_token, Origins, Problems, METHODS, TARGET_VERSION};
use crate::load::structure::essence;
use serde_json::{json, Map, Value};

const JSON: &str = "application/json";
const FORM: &str = "application/x-www-form-urlencoded";
const MULTIPART: &str = "multipart/form-data";

/// The keywords of a non-body parameter, header or items object that describe its
/// value, and so move into a schema.
const SCHEMA_KEYWORDS: &[&str] = &[
    "type",
    "format",
    "items",
    "default",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "enum",
    "multipleOf",
    "x-nullable",
];

/// Top-level fields that 3.0 has elsewhere (or not at all).
const REPLACED: &[&str] = &["swagger", "host", "basePath", "schemes", "consumes", "produces"];

/// What operations inherit from, or refer to in, the whole document.
struct Context {
    consumes: Vec<String>,
    produces: Vec<String>,
    /// The top-level `parameters` as written: what a `$ref` to one is decides where it goes.
    parameters: Map<String, Value>,
}

impl Context {
    /// The top-level parameter that `parameter` refers to, or `parameter` itself.
    fn resolve<'v>(&'v self, parameter: &'v Value) -> &'v Value {
        resolve_parameter(&self.parameters, parameter)
    }
}

/// The parameter of `shared` (a document's top-level `parameters`) that `parameter`
/// refers to, or `parameter` itself: a `$ref` elsewhere is the bundler's to judge, and the
/// parameter is placed by its own `in`. Conversion and its origins both place parameters
/// by this, so they agree on where each went.
fn resolve_parameter<'v>(shared: &'v Map<String, Value>, parameter: &'v Value) -> &'v Value {
    let target = parameter.get("$ref").and_then(Value::as_str);
    target.and_then(|target| shared_parameter(shared, target)).unwrap_or(parameter)
}

/// The top-level parameter a `$ref` names, when it names one.
fn shared_parameter<'v>(shared: &'v Map<String, Value>, target: &str) -> Option<&'v Value> {
    let name = target.strip_prefix("#/parameters/").filter(|name| !name.contains('/'))?;
    shared.get(&unescape_token(name))
}

fn location(parameter: &Value) -> Option<&str> {
    parameter.get("in").and_then(Value::as_str)
}

fn is_ref(value: &Value) -> bool {
    value.get("$ref").is_some()
}

/// Where 3.0 places of the converted document were in the 2.0 one: bodies and form
/// fields come from parameters, response schemas lose their `content` level, and the
/// shared sections move under `components`.
pub(super) fn record_origins(document: &Value, origins: &mut Origins) {
    let no_parameters = Map::new();
    let shared = document.get("parameters").and_then(Value::as_object).unwrap_or(&no_parameters);
    let paths = document.get("paths").and_then(Value::as_object).into_iter().flatten();
    for (path, item) in paths {
        let item_at = pointer("#/paths", path);
        let operations: Vec<(String, &Value)> =
            METHODS.iter().filter_map(|method| Some((pointer(&item_at, method), item.get(*method)?))).collect();
        // An operation's own parameters first: of equally long rules the first added
        // wins, and an operation's body replaces the one it would take from its path.
        for (at, operation) in &operations {
            record_parameters(shared, operation, at, std::slice::from_ref(at), origins);
        }
        let inheriting: Vec<String> = operations.into_iter().map(|(at, _)| at).collect();
        record_parameters(shared, item, &item_at, &inheriting, origins);
    }
    origins.add("#/paths/{0}/{1}/responses/{2}/content/{3}/schema", "#/paths/{0}/{1}/responses/{2}/schema");
    origins.add("#/paths/{0}/{1}/responses/{2}/headers/{3}/schema", "#/paths/{0}/{1}/responses/{2}/headers/{3}");
    origins.add("#/components/responses/{0}/headers/{1}/schema", "#/responses/{0}/headers/{1}");
    origins.add("#/components/parameters/{0}/schema", "#/parameters/{0}");
    origins.add("#/components/requestBodies/{0}/content/{1}/schema", "#/parameters/{0}/schema");
    origins.add("#/components/requestBodies/{0}", "#/parameters/{0}");
    origins.add("#/components/responses/{0}/content/{1}/schema", "#/responses/{0}/schema");
    origins.add("#/components/schemas", "#/definitions");
    origins.add("#/components/parameters", "#/parameters");
    origins.add("#/components/responses", "#/responses");
    // 2.0 OAuth2 schemes hold one flow's fields themselves; 3.0 puts them under `flows`.
    for field in ["authorizationUrl", "tokenUrl", "refreshUrl", "scopes"] {
        origins.add(
            &format!("#/components/securitySchemes/{{0}}/flows/{{1}}/{field}"),
            format!("#/securityDefinitions/{{0}}/{field}"),
        );
    }
    origins.add("#/components/securitySchemes", "#/securityDefinitions");
}

/// Where `owner`'s parameters went: those that stay move up the list as body and form
/// parameters leave it, their type keywords into a `schema`; a body or the form fields
/// become the request body of each operation in `bodies` (the owner's own, or every
/// operation of a path item).
fn record_parameters(
    shared: &Map<String, Value>,
    owner: &Value,
    owner_at: &str,
    bodies: &[String],
    origins: &mut Origins,
) {
    let Some(Value::Array(parameters)) = owner.get("parameters") else { return };
    let list_at = pointer(owner_at, "parameters");
    let mut kept = 0;
    let mut has_form = false;
    for (index, parameter) in parameters.iter().enumerate() {
        let target = resolve_parameter(shared, parameter);
        let original = pointer(&list_at, &index.to_string());
        match location(target) {
            Some("body") => {
                for body_at in bodies {
                    origins.add(&format!("{body_at}/requestBody/content/{{0}}/schema"), format!("{original}/schema"));
                    origins.add(&format!("{body_at}/requestBody"), original.clone());
                }
            }
            Some("formData") => {
                // A shared field is written where it is shared, not where it is named.
                let written = match parameter.get("$ref").and_then(Value::as_str) {
                    Some(reference) if !std::ptr::eq(target, parameter) => reference.to_owned(),
                    _ => original,
                };
                // A field written the 3.0 way keeps its `schema`.
                let has_schema = target.get("schema").is_some_and(Value::is_object);
                let schema_at = if has_schema { pointer(&written, "schema") } else { written.clone() };
                let name = target.get("name").and_then(Value::as_str).unwrap_or_default();
                for body_at in bodies {
                    let property = pointer(&format!("{body_at}/requestBody/content/{{0}}/schema/properties"), name);
                    origins.add(&property, schema_at.clone());
                }
                has_form = true;
            }
            _ => {
                let converted = pointer(&list_at, &kept.to_string());
                origins.add(&pointer(&converted, "schema"), original.clone());
                origins.add(&converted, original);
                kept += 1;
            }
        }
    }
    if has_form {
        // The form's own object, made from all its fields, is the parameter list.
        for body_at in bodies {
            for made in ["", "/content", "/content/{0}", "/content/{0}/schema", "/content/{0}/schema/{1}"] {
                origins.add(&format!("{body_at}/requestBody{made}"), list_at.clone());
            }
        }
    }
}

pub(super) fn convert(document: &mut Value, wrapped: &mut Origins) -> Result<(), Problems> {
    let Some(mut old) = document.as_object_mut().map(std::mem::take) else { return Ok(()) };
    let mut problems = Vec::new();
    let context = Context {
        consumes: media_types(old.get("consumes")).unwrap_or_else(|| vec![JSON.to_owned()]),
        produces: media_types(old.get("produces")).unwrap_or_else(|| vec![JSON.to_owned()]),
        parameters: match old.shift_remove("parameters") {
            Some(Value::Object(parameters)) => parameters,
            _ => Map::new(),
        },
    };
    let mut servers = servers_from(&old);
    let components = take_components(&mut old, &context, &mut problems);

    let mut root = Map::new();
    root.insert("openapi".to_owned(), json!(TARGET_VERSION));
    for (key, value) in old {
        if REPLACED.contains(&key.as_str()) {
            continue;
        }
        let is_info = key == "info";
        let value = if key == "paths" { convert_paths(value, &context, &mut problems) } else { value };
        root.insert(key, value);
        if is_info {
            if let Some(servers) = servers.take() {
                root.insert("servers".to_owned(), servers);
            }
        }
    }
    if let Some(servers) = servers {
        root.insert("servers".to_owned(), servers);
    }
    root.entry("paths").or_insert_with(|| json!({}));
    if !components.is_empty() {
        root.insert("components".to_owned(), Value::Object(components));
    }
    *document = Value::Object(root);
    rewrite_refs(document, &context);
    for_each_schema(document, &mut |schema, at| fix_schema(schema, at, &mut problems, wrapped));
    into_result(problems)
}

/// `consumes`/`produces`; an empty list says nothing, so the inherited one applies.
fn media_types(declared: Option<&Value>) -> Option<Vec<String>> {
    let listed: Vec<String> = declared?.as_array()?.iter().filter_map(Value::as_str).map(str::to_owned).collect();
    (!listed.is_empty()).then_some(listed)
}

fn servers_from(root: &Map<String, Value>) -> Option<Value> {
    let base_path = root.get("basePath").and_then(Value::as_str).unwrap_or("").trim_end_matches('/');
    let base_path = match base_path {
        "" => String::new(),
        path if path.starts_with('/') => path.to_owned(),
        path => format!("/{path}"),
    };
    let Some(host) = root.get("host").and_then(Value::as_str) else {
        // A relative server: the client resolves it against where the document came from.
        return (!base_path.is_empty()).then(|| json!([{ "url": base_path }]));
    };
    let mut schemes: Vec<&str> =
        root.get("schemes").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
    if schemes.is_empty() {
        schemes.push("https");
    }
    Some(schemes.iter().map(|scheme| json!({ "url": format!("{scheme}://{host}{base_path}") })).collect())
}

/// Takes `definitions`, the shared parameters, `responses` and `securityDefinitions`
/// out of `old` into 3.0 components.
fn take_components(old: &mut Map<String, Value>, context: &Context, problems: &mut Problems) -> Map<String, Value> {
    let mut components = Map::new();
    if let Some(definitions) = old.shift_remove("definitions") {
        components.insert("schemas".to_owned(), definitions);
    }
    let mut parameters = Map::new();
    let mut bodies = Map::new();
    for (name, parameter) in &context.parameters {
        let at = pointer("#/parameters", name);
        match location(parameter) {
            Some("body") => {
                bodies.insert(name.clone(), body_request(parameter, &context.consumes, &at, problems));
            }
            // A form field only exists inside a request body: each operation inlines it there.
            Some("formData") => {}
            _ => {
                parameters.insert(name.clone(), simple_parameter(parameter.clone(), &at, problems));
            }
        }
    }
    for (key, section) in [("parameters", parameters), ("requestBodies", bodies)] {
        if !section.is_empty() {
            components.insert(key.to_owned(), Value::Object(section));
        }
    }
    if let Some(mut responses) = old.shift_remove("responses") {
        entries_mut(&mut responses, |response| convert_response(response, &context.produces));
        components.insert("responses".to_owned(), responses);
    }
    if let Some(Value::Object(schemes)) = old.shift_remove("securityDefinitions") {
        let schemes = schemes
            .into_iter()
            .map(|(name, scheme)| {
                let converted = security_scheme(&scheme, &pointer("#/securityDefinitions", &name), problems);
                (name, converted)
            })
            .collect();
        components.insert("securitySchemes".to_owned(), Value::Object(schemes));
    }
    components
}

fn entries_mut(value: &mut Value, mut f: impl FnMut(&mut Value)) {
    if let Some(members) = value.as_object_mut() {
        members.values_mut().for_each(&mut f);
    }
}

fn convert_paths(mut paths: Value, context: &Context, problems: &mut Problems) -> Value {
    if let Some(items) = paths.as_object_mut() {
        for (path, item) in items.iter_mut() {
            if let Some(item) = item.as_object_mut() {
                path_item(item, &pointer("#/paths", path), context, problems);
            }
        }
    }
    paths
}

fn path_item(item: &mut Map<String, Value>, at: &str, context: &Context, problems: &mut Problems) {
    // 3.0 path items have no request body, so each operation takes over the path's
    // body and form parameters.
    let mut inherited = Vec::new();
    if let Some(Value::Array(parameters)) = item.get_mut("parameters") {
        let mut kept = Vec::new();
        for (index, parameter) in std::mem::take(parameters).into_iter().enumerate() {
            let parameter_at = pointer(&pointer(at, "parameters"), &index.to_string());
            match location(context.resolve(&parameter)) {
                Some("body" | "formData") => inherited.push((parameter, parameter_at)),
                _ if is_ref(&parameter) => kept.push(parameter),
                _ => kept.push(simple_parameter(parameter, &parameter_at, problems)),
            }
        }
        *parameters = kept;
    }
    if item.get("parameters").and_then(Value::as_array).is_some_and(Vec::is_empty) {
        item.shift_remove("parameters");
    }
    for method in METHODS {
        if let Some(Value::Object(operation)) = item.get_mut(*method) {
            convert_operation(operation, &inherited, context, &pointer(at, method), problems);
        }
    }
}

fn convert_operation(
    operation: &mut Map<String, Value>,
    inherited: &[(Value, String)],
    context: &Context,
    at: &str,
    problems: &mut Problems,
) {
    let consumes = media_types(operation.shift_remove("consumes").as_ref()).unwrap_or_else(|| context.consumes.clone());
    let produces = media_types(operation.shift_remove("produces").as_ref()).unwrap_or_else(|| context.produces.clone());
    // Per-operation schemes would be per-operation servers; a client uses the document's.
    operation.shift_remove("schemes");

    let own: Vec<(Value, String)> = match operation.get_mut("parameters") {
        Some(Value::Array(parameters)) => std::mem::take(parameters)
            .into_iter()
            .enumerate()
            .map(|(index, parameter)| (parameter, pointer(&pointer(at, "parameters"), &index.to_string())))
            .collect(),
        _ => Vec::new(),
    };
    let parameters = with_inherited(inherited, own, context);
    let (kept, body) = sort_parameters(parameters, &consumes, context, problems);
    if kept.is_empty() {
        operation.shift_remove("parameters");
    } else {
        operation.insert("parameters".to_owned(), Value::Array(kept));
    }
    if let Some(body) = body {
        operation.insert("requestBody".to_owned(), body);
    }
    if let Some(responses) = operation.get_mut("responses").and_then(Value::as_object_mut) {
        for (status, response) in responses.iter_mut() {
            if !status.starts_with("x-") {
                convert_response(response, &produces);
            }
        }
    }
}

/// The path's body and form parameters that the operation does not redeclare, then its own.
fn with_inherited(inherited: &[(Value, String)], own: Vec<(Value, String)>, context: &Context) -> Vec<(Value, String)> {
    let same_slot = |a: &Value, b: &Value| {
        let (a, b) = (context.resolve(a), context.resolve(b));
        // There is one body, whatever its name.
        location(a) == location(b) && (location(a) == Some("body") || a.get("name") == b.get("name"))
    };
    let mut parameters: Vec<(Value, String)> = inherited
        .iter()
        .filter(|(parameter, _)| !own.iter().any(|(mine, _)| same_slot(parameter, mine)))
        .cloned()
        .collect();
    parameters.extend(own);
    parameters
}

/// Splits parameters into those that stay parameters and the request body that the
/// body or form parameters become.
fn sort_parameters(
    parameters: Vec<(Value, String)>,
    consumes: &[String],
    context: &Context,
    problems: &mut Problems,
) -> (Vec<Value>, Option<Value>) {
    let mut kept = Vec::new();
    let mut body: Option<Value> = None;
    let mut form = Vec::new();
    for (parameter, at) in parameters {
        let target = context.resolve(&parameter);
        match location(target) {
            Some("body") if body.is_some() => {
                problems.push((at, "an operation can have only one body parameter".to_owned()));
            }
            // A `$ref` keeps pointing at the shared body, which becomes a shared request body.
            Some("body") if is_ref(&parameter) => body = Some(parameter),
            Some("body") => body = Some(body_request(&parameter, consumes, &at, problems)),
            Some("formData") => form.push((target.clone(), at)),
            _ if is_ref(&parameter) => kept.push(parameter),
            _ => kept.push(simple_parameter(parameter, &at, problems)),
        }
    }
    match form.first() {
        Some((_, at)) if body.is_some() => {
            problems.push((at.clone(), "an operation cannot have both body and formData parameters".to_owned()));
        }
        Some(_) => body = Some(form_request(form, consumes, problems)),
        None => {}
    }
    (kept, body)
}

fn body_request(parameter: &Value, consumes: &[String], at: &str, problems: &mut Problems) -> Value {
    let Some(schema) = parameter.get("schema") else {
        problems.push((at.to_owned(), "a body parameter needs a `schema`".to_owned()));
        return json!({});
    };
    let mut body = Map::new();
    if let Some(description) = parameter.get("description") {
        body.insert("description".to_owned(), description.clone());
    }
    body.insert("content".to_owned(), content(schema, consumes));
    if parameter.get("required") == Some(&Value::Bool(true)) {
        body.insert("required".to_owned(), Value::Bool(true));
    }
    copy_extensions(parameter, &mut body);
    Value::Object(body)
}

/// All of an operation's form fields become one object schema.
fn form_request(fields: Vec<(Value, String)>, consumes: &[String], problems: &mut Problems) -> Value {
    let multipart = consumes.iter().any(|media| essence(media) == MULTIPART)
        || fields.iter().any(|(field, _)| field.get("type").and_then(Value::as_str) == Some("file"));
    let mut properties = Map::new();
    let mut required = Vec::new();
    for (field, at) in fields {
        let Some(name) = field.get("name").and_then(Value::as_str) else {
            problems.push((at, "a formData parameter needs a `name`".to_owned()));
            continue;
        };
        if field.get("required") == Some(&Value::Bool(true)) {
            required.push(json!(name));
        }
        // A field written the 3.0 way (`in: formData` with a `schema`, as some 3.0
        // documents do) keeps its schema; a 2.0 one carries its keywords itself.
        let mut schema = match (field.get("schema").and_then(Value::as_object), field.as_object()) {
            (Some(given), _) => given.clone(),
            (None, Some(field)) => take_schema(&mut field.clone()),
            (None, None) => Map::new(),
        };
        if let Some(description) = field.get("description") {
            schema.insert("description".to_owned(), description.clone());
        }
        properties.insert(name.to_owned(), Value::Object(schema));
    }
    let media = if multipart { MULTIPART } else { FORM };
    if required.is_empty() {
        let schema = json!({ "type": "object", "properties": properties });
        return json!({ "content": { media: { "schema": schema } } });
    }
    let schema = json!({ "type": "object", "properties": properties, "required": required });
    json!({ "content": { media: { "schema": schema } }, "required": true })
}

fn content(schema: &Value, media_types: &[String]) -> Value {
    media_types.iter().map(|media| (media.clone(), json!({ "schema": schema }))).collect::<Map<_, _>>().into()
}

fn copy_extensions(from: &Value, to: &mut Map<String, Value>) {
    for (key, value) in from.as_object().into_iter().flatten() {
        if key.starts_with("x-") {
            to.insert(key.clone(), value.clone());
        }
    }
}

/// Moves the keywords that describe a value into a schema; nested `items` objects too.
fn take_schema(owner: &mut Map<String, Value>) -> Map<String, Value> {
    let mut schema = Map::new();
    for keyword in SCHEMA_KEYWORDS {
        if let Some(value) = owner.shift_remove(*keyword) {
            schema.insert((*keyword).to_owned(), value);
        }
    }
    if let Some(Value::Object(items)) = schema.get_mut("items") {
        // What is left (a nested `collectionFormat`) has no place in a 3.0 schema.
        *items = take_schema(items);
    }
    schema
}

/// A query, header or path parameter: its value keywords become `schema`, its
/// `collectionFormat` a `style`.
fn simple_parameter(parameter: Value, at: &str, problems: &mut Problems) -> Value {
    let Value::Object(mut parameter) = parameter else { return parameter };
    if parameter.contains_key("$ref") {
        return Value::Object(parameter);
    }
    let place = match parameter.get("in").and_then(Value::as_str) {
        Some(place @ ("query" | "header" | "path")) => place.to_owned(),
        Some(other) => {
            let message = format!("parameter location `{other}` is not one of body, formData, query, header, path");
            problems.push((pointer(at, "in"), message));
            return Value::Object(parameter);
        }
        None => {
            problems.push((at.to_owned(), "a parameter needs `in`".to_owned()));
            return Value::Object(parameter);
        }
    };
    let collection_format = parameter.shift_remove("collectionFormat");
    let mut schema = take_schema(&mut parameter);
    // Some generators write a 3.0-style `schema` into 2.0 documents; it is used as is.
    if let Some(Value::Object(written)) = parameter.shift_remove("schema") {
        if schema.is_empty() {
            schema = written;
        }
    }
    if schema.get("type").and_then(Value::as_str) == Some("array") {
        // 2.0 sends arrays comma-separated unless told otherwise.
        let format = collection_format.as_ref().and_then(Value::as_str).unwrap_or("csv");
        match style(&place, format) {
            Ok((style, explode)) => {
                parameter.insert("style".to_owned(), json!(style));
                if let Some(explode) = explode {
                    parameter.insert("explode".to_owned(), Value::Bool(explode));
                }
            }
            Err(message) => problems.push((pointer(at, "collectionFormat"), message)),
        }
    }
    parameter.insert("schema".to_owned(), Value::Object(schema));
    Value::Object(parameter)
}

/// How 3.0 spells a 2.0 `collectionFormat` for a parameter in `place`: `(style, explode)`.
fn style(place: &str, format: &str) -> Result<(&'static str, Option<bool>), String> {
    match (place, format) {
        ("query", "csv") => Ok(("form", Some(false))),
        ("query", "multi") => Ok(("form", Some(true))),
        ("query", "ssv") => Ok(("spaceDelimited", None)),
        ("query", "pipes") => Ok(("pipeDelimited", None)),
        ("path" | "header", "csv") => Ok(("simple", None)),
        _ => Err(format!("collectionFormat `{format}` has no OpenAPI 3 equivalent for a {place} parameter")),
    }
}

fn convert_response(response: &mut Value, produces: &[String]) {
    let Some(response) = response.as_object_mut() else { return };
    if response.contains_key("$ref") {
        return;
    }
    // 2.0 examples are keyed by media type and a client has no use for them.
    response.shift_remove("examples");
    // Required in both versions, yet often missing from 2.0 documents in the wild.
    response.entry("description").or_insert_with(|| json!(""));
    if let Some(Value::Object(headers)) = response.get_mut("headers") {
        for header in headers.values_mut() {
            convert_header(header);
        }
    }
    if let Some(schema) = response.shift_remove("schema") {
        response.insert("content".to_owned(), content(&schema, produces));
    }
}

fn convert_header(header: &mut Value) {
    let Some(header) = header.as_object_mut() else { return };
    if header.contains_key("$ref") {
        return;
    }
    // `csv`, the only format a header can take, is 3.0's default `simple` style.
    header.shift_remove("collectionFormat");
    let schema = take_schema(header);
    header.insert("schema".to_owned(), Value::Object(schema));
}

fn security_scheme(scheme: &Value, at: &str, problems: &mut Problems) -> Value {
    let mut converted = Map::new();
    match scheme.get("type").and_then(Value::as_str) {
        Some("apiKey") => return scheme.clone(),
        Some("basic") => {
            converted.insert("type".to_owned(), json!("http"));
            converted.insert("scheme".to_owned(), json!("basic"));
        }
        Some("oauth2") => {
            converted.insert("type".to_owned(), json!("oauth2"));
            converted.insert("flows".to_owned(), oauth2_flows(scheme, at, problems));
        }
        Some(other) => {
            let message = format!("security scheme type `{other}` is not one of basic, apiKey, oauth2");
            problems.push((pointer(at, "type"), message));
        }
        None => problems.push((at.to_owned(), "a security scheme needs a `type`".to_owned())),
    }
    if let Some(description) = scheme.get("description") {
        converted.insert("description".to_owned(), description.clone());
    }
    copy_extensions(scheme, &mut converted);
    Value::Object(converted)
}

fn oauth2_flows(scheme: &Value, at: &str, problems: &mut Problems) -> Value {
    let flow = scheme.get("flow").and_then(Value::as_str).unwrap_or_default();
    let (name, urls): (&str, &[&str]) = match flow {
        "implicit" => ("implicit", &["authorizationUrl"]),
        "password" => ("password", &["tokenUrl"]),
        "application" => ("clientCredentials", &["tokenUrl"]),
        "accessCode" => ("authorizationCode", &["authorizationUrl", "tokenUrl"]),
        _ => {
            let message = format!("OAuth2 flow `{flow}` is not one of implicit, password, application, accessCode");
            problems.push((pointer(at, "flow"), message));
            return json!({});
        }
    };
    let mut converted = Map::new();
    for url in urls {
        match scheme.get(*url) {
            Some(value) => {
                converted.insert((*url).to_owned(), value.clone());
            }
            None => problems.push((at.to_owned(), format!("the OAuth2 `{flow}` flow needs `{url}`"))),
        }
    }
    converted.insert("scopes".to_owned(), scheme.get("scopes").cloned().unwrap_or_else(|| json!({})));
    json!({ name: converted })
}

fn rewrite_refs(value: &mut Value, context: &Context) {
    match value {
        Value::Object(object) => {
            if let Some(Value::String(target)) = object.get_mut("$ref") {
                if let Some(rewritten) = rewrite_ref(target, context) {
                    *target = rewritten;
                }
            }
            object.values_mut().for_each(|child| rewrite_refs(child, context));
        }
        Value::Array(items) => items.iter_mut().for_each(|child| rewrite_refs(child, context)),
        _ => {}
    }
}

fn rewrite_ref(target: &str, context: &Context) -> Option<String> {
    if let Some(rest) = target.strip_prefix("#/definitions/") {
        return Some(format!("#/components/schemas/{rest}"));
    }
    if let Some(rest) = target.strip_prefix("#/responses/") {
        return Some(format!("#/components/responses/{rest}"));
    }
    let rest = target.strip_prefix("#/parameters/")?;
    let section = match shared_parameter(&context.parameters, target).and_then(location) {
        Some("body") => "requestBodies",
        _ => "parameters",
    };
    Some(format!("#/components/{section}/{rest}"))
}

/// The schema vocabulary 2.0 has and 3.0 spells differently.
fn fix_schema(schema: &mut Map<String, Value>, at: &str, problems: &mut Problems, wrapped: &mut Origins) {
    // Not 2.0, but documents written as JSON Schema use `type` lists (`["string", "null"]`).
    super::schema::type_list(schema, at, problems);
    if let Some(nullable) = schema.shift_remove("x-nullable") {
        if nullable == Value::Bool(true) {
            schema.insert("nullable".to_owned(), Value::Bool(true));
        }
    }
    // 3.0 ignores a `$ref`'s siblings, `nullable` included.
    super::schema::ref_siblings(schema, at, wrapped);
    if schema.get("type").and_then(Value::as_str) == Some("file") {
        schema.insert("type".to_owned(), json!("string"));
        schema.insert("format".to_owned(), json!("binary"));
    }
    if let Some(Value::String(property)) = schema.get("discriminator") {
        let discriminator = json!({ "propertyName": property });
        schema.insert("discriminator".to_owned(), discriminator);
    }
}
