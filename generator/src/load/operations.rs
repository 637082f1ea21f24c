//! Lowers paths and operations: parameters, request bodies, responses and security,
//! grouped by tag.
//!
//! Naming: an operation's method is its `operationId` in snake case, trimmed of its
//! tag's prefix (`zone-level-zero-trust-organization-get-your-zero-trust-organization`
//! under tag `Zone-Level Zero Trust organization` → `get_your_zero_trust_organization`; a config may rename it);
//! a gRPC-gateway `{Service}_{Rpc}` id keeps the RPC name alone; without an
//! `operationId`, it is the HTTP method and the path's segments (`get_items_by_item_id`).

use super::structure::essence;
use super::Lowering;
use crate::diagnostics::pointer;
use crate::ir::{
    BodyEncoding, HttpMethod, Operation, OperationGroup, Parameter, ParameterLocation, PathStyle, PropertyEncoding,
    QueryStyle, RequestBody, Response, ResponseBody, ResponseHeader, SecurityScheme, StatusMatch, TypeRef,
};
use crate::naming::{self, Namespace};
use indexmap::IndexMap;
use openapiv3::{MediaType, ParameterSchemaOrContent, PathItem, ReferenceOr, StatusCode};
use std::collections::{BTreeMap, BTreeSet};

const PARAMETER_PREFIX: &str = "#/components/parameters/";
const REQUEST_BODY_PREFIX: &str = "#/components/requestBodies/";
const RESPONSE_PREFIX: &str = "#/components/responses/";
const HEADER_PREFIX: &str = "#/components/headers/";
const PATH_ITEM_LIMIT: usize = 32;
/// From this many untagged operations, they are grouped by the resource their path
/// names, as tags would group them: a hundred methods on `Client` is no one's API.
const RESOURCE_GROUPS_FROM: usize = 40;

impl<'a> Lowering<'a> {
    /// `api_module` is reserved so no group module repeats its parent's name.
    pub(super) fn lower_operations(&mut self, schemes: &[SecurityScheme], api_module: &str) -> Vec<OperationGroup> {
        let openapi = self.openapi;
        let mut groups: Vec<OperationGroup> = Vec::new();
        let mut group_names = Namespace::new();
        group_names.reserve(naming::owned::API_MODULES);
        group_names.reserve(&[api_module]);
        // Tag accessors and untagged operations are both methods of `Client`.
        let mut client_members = Namespace::new();
        client_members.reserve(naming::owned::CLIENT_MEMBERS);
        let mut method_names: Vec<Namespace> = Vec::new();
        let mut builder_names: Vec<Namespace> = Vec::new();

        let config = self.config;
        let selected = |path: &str, method: HttpMethod, operation: &openapiv3::Operation| {
            config.is_none_or(|config| config.selects(&operation.tags, path, &operation_keys(method, path, operation)))
        };
        let items = || openapi.paths.paths.iter().filter_map(|(path, item)| Some((path, item.as_item()?)));
        let untagged = items()
            .flat_map(|(path, item)| operations_of(item).into_iter().map(move |(method, op)| (path, method, op)))
            .filter(|(path, method, operation)| operation.tags.is_empty() && selected(path, *method, operation))
            .count();
        let mut configured_used: BTreeSet<String> = BTreeSet::new();
        // Each operationId given, with the operation that gave it first (`GET /a`).
        let mut given_ids: BTreeMap<String, String> = BTreeMap::new();
        let by_resource = untagged >= RESOURCE_GROUPS_FROM;
        for (path, item) in &openapi.paths.paths {
            let path_at = pointer("#/paths", path);
            let ReferenceOr::Item(item) = item else {
                self.report.error(pointer(&path_at, "$ref"), "path item `$ref`s are not supported");
                continue;
            };
            for (method, operation) in operations_of(item) {
                let keys = operation_keys(method, path, operation);
                configured_used.extend(keys.iter().cloned());
                configured_used.extend(operation.tags.iter().map(|tag| format!("tag:{tag}")));
                if !selected(path, method, operation) {
                    continue;
                }
                // The key the config names the operation by, and what it says.
                let configured =
                    config.and_then(|config| keys.iter().find_map(|key| config.operations.get_key_value(key)));
                let at = pointer(&path_at, &method.as_str().to_ascii_lowercase());
                let resource = match operation.tags.first() {
                    None if by_resource => path_resource(path),
                    _ => None,
                };
                let tag = operation.tags.first().cloned().or_else(|| resource.as_ref().map(|(name, _)| name.clone()));
                let group_index = match groups.iter().position(|group| group.tag == tag) {
                    Some(index) => index,
                    None => {
                        let (module, accessor, type_name, description) = match &tag {
                            Some(tag) => {
                                let chosen = config.and_then(|config| config.tags.get(tag));
                                let wanted = naming::module_name(chosen.unwrap_or(tag));
                                let module = group_names.claim(wanted.clone());
                                if let (Some(config), Some(_)) = (config, chosen.filter(|_| module != wanted)) {
                                    let key = format!("tags.{}", crate::config::quoted_key(tag));
                                    let message = format!(
                                        "module `{wanted}` is taken (by the API itself, another tag or the \
                                         generated code); choose another"
                                    );
                                    self.config_problems.push(config.problem(key, message));
                                }
                                let description = openapi
                                    .tags
                                    .iter()
                                    .find(|declared| &declared.name == tag)
                                    .and_then(|declared| declared.description.clone());
                                let accessor = client_members.claim(naming::snake_ident(chosen.unwrap_or(tag)));
                                (module, accessor, naming::type_name(chosen.unwrap_or(tag)), description)
                            }
                            None => {
                                (group_names.claim("untagged".to_owned()), String::new(), "Client".to_owned(), None)
                            }
                        };
                        let summary = match (&tag, &resource) {
                            (_, Some((_, prefix))) => format!("Operations on `{prefix}`"),
                            (Some(tag), None) => format!("Operations tagged `{tag}`"),
                            (None, None) => "Operations without a tag: methods of the client itself".to_owned(),
                        };
                        groups.push(OperationGroup {
                            tag: tag.clone(),
                            summary,
                            module,
                            accessor,
                            type_name,
                            description,
                            operations: Vec::new(),
                            feature: None,
                        });
                        let mut methods = Namespace::new();
                        methods.reserve(naming::owned::ACCESSOR_MEMBERS);
                        method_names.push(methods);
                        let mut builders = Namespace::new();
                        builders.reserve(naming::owned::GROUP_TYPES);
                        builders.reserve(&[&groups[groups.len() - 1].type_name]);
                        builder_names.push(builders);
                        groups.len() - 1
                    }
                };
                let operation_id = operation.operation_id.clone().unwrap_or_else(|| derived_operation_id(method, path));
                let wanted = match configured.and_then(|(_, configured)| configured.method.clone()) {
                    Some(method) => method,
                    None => method_name(&operation_id, tag.as_deref()),
                };
                let method_name = match tag {
                    Some(_) => method_names[group_index].claim(wanted),
                    None => client_members.claim(wanted),
                };
                if let Some(given) = &operation.operation_id {
                    let endpoint = format!("{} {path}", method.as_str());
                    if let Some(first) = given_ids.get(given) {
                        let message = format!(
                            "operationId `{given}` is also `{first}`'s, and each names one operation; \
                             this one's method is `{method_name}`"
                        );
                        self.warn(pointer(&at, "operationId"), message);
                    } else {
                        given_ids.insert(given.clone(), endpoint);
                    }
                }
                let builder_name =
                    builder_names[group_index].claim(naming::type_name(method_name.trim_start_matches("r#")));
                let error_name = builder_names[group_index].claim(format!("{builder_name}Error"));
                let success_name = builder_names[group_index].claim(format!("{builder_name}Response"));
                let headers_name = builder_names[group_index].claim(format!("{builder_name}Headers"));
                let mut lowered = self.lower_operation(
                    OperationNames { operation_id, method_name, builder_name, error_name, success_name, headers_name },
                    method,
                    path,
                    item,
                    operation,
                    &at,
                    schemes,
                );
                if let Some((configured_as, style)) =
                    configured.and_then(|(key, configured)| Some((key, configured.pagination.clone()?)))
                {
                    let key = format!("operations.{}.pagination", crate::config::quoted_key(configured_as));
                    lowered.paging = match style {
                        crate::config::PaginationConfig::None => crate::ir::PagingChoice::Never,
                        style => crate::ir::PagingChoice::Forced { style, key },
                    };
                }
                groups[group_index].operations.push(lowered);
            }
        }
        if let Some(config) = config {
            self.check_config_operations(config, &configured_used);
        }
        groups
    }

    /// Every operation and tag the config names is in the document: a name that matches
    /// nothing is a typo or a vendor's rename, and would otherwise change nothing silently.
    fn check_config_operations(&mut self, config: &crate::Config, seen: &BTreeSet<String>) {
        use crate::config::quoted_key;
        let mut problem = |key: String, message: String| self.config_problems.push(config.problem(key, message));
        for id in config.operations.keys().filter(|id| !seen.contains(*id)) {
            problem(
                format!("operations.{}", quoted_key(id)),
                format!("no operation has id `{id}` (or is `{id}` as `METHOD /path`)"),
            );
        }
        for tag in config.tags.keys().filter(|tag| !seen.contains(&format!("tag:{tag}"))) {
            problem(format!("tags.{}", quoted_key(tag)), format!("no operation is tagged `{tag}`"));
        }
        let lists = [("include", config.include.as_ref()), ("exclude", Some(&config.exclude))];
        for (list, selection) in lists.into_iter().filter_map(|(name, list)| Some((name, list?))) {
            for (index, id) in selection.operations.iter().enumerate().filter(|(_, id)| !seen.contains(*id)) {
                problem(format!("{list}.operations[{index}]"), format!("no operation has id `{id}`"));
            }
            for (index, tag) in
                selection.tags.iter().enumerate().filter(|(_, tag)| !seen.contains(&format!("tag:{tag}")))
            {
                problem(format!("{list}.tags[{index}]"), format!("no operation is tagged `{tag}`"));
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn lower_operation(
        &mut self,
        names: OperationNames,
        method: HttpMethod,
        path: &str,
        item: &'a PathItem,
        operation: &'a openapiv3::Operation,
        at: &str,
        schemes: &[SecurityScheme],
    ) -> Operation {
        let parameters = self.lower_parameters(item, operation, path, at, &names.builder_name);
        let body = operation
            .request_body
            .as_ref()
            .and_then(|body| self.lower_request_body(body, &pointer(at, "requestBody"), &names.builder_name));
        let responses = self.lower_responses(&operation.responses, &pointer(at, "responses"), &names.builder_name);
        let response_headers =
            self.lower_response_headers(&operation.responses, &pointer(at, "responses"), &names.headers_name);
        let security = self.lower_security(operation, at, schemes);
        Operation {
            operation_id: names.operation_id,
            method_name: names.method_name,
            builder_name: names.builder_name,
            error_name: names.error_name,
            errors_as: None,
            success_name: names.success_name,
            http_method: method,
            path: path.to_owned(),
            summary: operation.summary.clone(),
            description: operation.description.clone(),
            deprecated: operation.deprecated,
            parameters,
            body,
            responses,
            security,
            scope: None,
            pagination: None,
            paging: Default::default(),
            response_headers,
            headers_name: names.headers_name,
        }
    }

    /// Every header the responses document, once per name (compared ignoring case, as
    /// HTTP does); the first declaration gives the type. `Content-Type` and friends are
    /// the transport's business, not the caller's.
    fn lower_response_headers(
        &mut self,
        responses: &'a openapiv3::Responses,
        at: &str,
        headers_name: &str,
    ) -> Vec<ResponseHeader> {
        let openapi = self.openapi;
        let components = openapi.components.as_ref();
        let mut seen: BTreeSet<String> = BTreeSet::new();
        let mut field_names = Namespace::new();
        let mut headers = Vec::new();
        for (status, response) in statuses(responses) {
            let Some(response) = resolve_component(response, RESPONSE_PREFIX, |name| components?.responses.get(name))
            else {
                continue;
            };
            for (name, header) in &response.headers {
                let lower = name.to_ascii_lowercase();
                if TRANSPORT_HEADERS.contains(&lower.as_str()) || !seen.insert(lower) {
                    continue;
                }
                let header_at = pointer(&pointer(&pointer(at, &status_key(status)), "headers"), name);
                let Some(header) = resolve_component(header, HEADER_PREFIX, |name| components?.headers.get(name))
                else {
                    self.report.error(header_at, "header `$ref` does not name a header under #/components/headers");
                    continue;
                };
                let hint = format!("{headers_name}{}", naming::type_name_part(name));
                let ty = match &header.format {
                    ParameterSchemaOrContent::Schema(schema) => {
                        self.lower_type(schema, &pointer(&header_at, "schema"), &hint)
                    }
                    ParameterSchemaOrContent::Content(_) => TypeRef::String,
                };
                headers.push(ResponseHeader {
                    api_name: name.clone(),
                    rust_name: field_names.claim(naming::snake_ident(name)),
                    ty,
                    description: header.description.clone(),
                });
            }
        }
        headers
    }

    fn lower_parameters(
        &mut self,
        item: &'a PathItem,
        operation: &'a openapiv3::Operation,
        path: &str,
        at: &str,
        builder_name: &str,
    ) -> Vec<Parameter> {
        let openapi = self.openapi;
        // Operation-level parameters override path-level ones with the same name and location.
        let mut merged: IndexMap<(String, &'static str), (&'a openapiv3::Parameter, String)> = IndexMap::new();
        let path_level = item
            .parameters
            .iter()
            .enumerate()
            .map(|(i, p)| (p, pointer(&pointer(&pointer("#/paths", path), "parameters"), &i.to_string())));
        let operation_level = operation
            .parameters
            .iter()
            .enumerate()
            .map(|(i, p)| (p, pointer(&pointer(at, "parameters"), &i.to_string())));
        let operation_at = pointer(at, "parameters");
        for (parameter, parameter_at) in path_level.chain(operation_level) {
            let Some(parameter) = resolve_component(parameter, PARAMETER_PREFIX, |name| {
                openapi.components.as_ref().and_then(|c| c.parameters.get(name))
            }) else {
                self.report
                    .error(parameter_at, "parameter `$ref` does not name a parameter under #/components/parameters");
                continue;
            };
            let data = parameter.parameter_data_ref();
            // OpenAPI: header parameters named `Accept` or `Content-Type` SHALL be ignored;
            // the client sets both from the media types (PagerDuty declares them on every
            // operation, as required arguments they would be noise, and sent as well they
            // doubled the body's `Content-Type`).
            let media_header = ["accept", "content-type"].iter().any(|name| data.name.eq_ignore_ascii_case(name));
            if matches!(parameter, openapiv3::Parameter::Header { .. }) && media_header {
                continue;
            }
            let location = location_key(parameter);
            // Header names ignore case: `X-Trace` and `x-trace` are one header, sent once.
            let key = match parameter {
                openapiv3::Parameter::Header { .. } => data.name.to_ascii_lowercase(),
                _ => data.name.clone(),
            };
            // A path-level parameter is overridden as OpenAPI says; two of one operation's
            // own are one parameter declared twice, and the last is the one kept.
            let own = |at: &str| at.starts_with(&operation_at);
            if let Some((earlier, _)) = merged.get(&(key.clone(), location)).filter(|(_, at)| own(at)) {
                if own(&parameter_at) {
                    let earlier = &earlier.parameter_data_ref().name;
                    let message = format!(
                        "parameter `{}` ({location}) repeats `{earlier}`, declared before it{}; this one is used",
                        data.name,
                        if *earlier == data.name { "" } else { " (header names ignore case)" },
                    );
                    self.warn(parameter_at.clone(), message);
                }
            }
            merged.insert((key, location), (parameter, parameter_at));
        }

        // Path parameters first, in the order the path has them, so that arguments read
        // like the URL (`zone_id, dns_record_id` for `/zones/{zone_id}/dns_records/
        // {dns_record_id}`): two `String`s given in the spec's order could be swapped
        // without a compiler noticing. The others keep the spec's order.
        let template = path_template_names(path);
        let mut ordered: Vec<(&'a openapiv3::Parameter, String)> = merged.into_values().collect();
        ordered.sort_by_key(|(parameter, _)| match parameter {
            openapiv3::Parameter::Path { parameter_data, .. } => {
                (0, template.iter().position(|name| *name == parameter_data.name).unwrap_or(usize::MAX))
            }
            _ => (1, 0),
        });
        let mut rust_names = Namespace::new();
        rust_names.reserve(naming::owned::REQUEST_BUILDER_MEMBERS);
        let mut lowered = Vec::new();
        for (parameter, parameter_at) in ordered {
            let data = parameter.parameter_data_ref();
            let (location, query_style) = match parameter {
                openapiv3::Parameter::Path { .. } => (ParameterLocation::Path, QueryStyle::Joined(',')),
                openapiv3::Parameter::Query { .. } if is_json_content(&data.format) => {
                    (ParameterLocation::Query, QueryStyle::Json)
                }
                openapiv3::Parameter::Query { style, .. } => {
                    (ParameterLocation::Query, query_style(style, data.explode))
                }
                openapiv3::Parameter::Header { .. } if is_json_content(&data.format) => {
                    (ParameterLocation::Header, QueryStyle::Json)
                }
                openapiv3::Parameter::Header { .. } => (ParameterLocation::Header, QueryStyle::Joined(',')),
                openapiv3::Parameter::Cookie { .. } => (ParameterLocation::Cookie, QueryStyle::Joined(',')),
            };
            if location == ParameterLocation::Path && !path.contains(&format!("{{{}}}", data.name)) {
                self.report.error(
                    pointer(&parameter_at, "name"),
                    format!("path parameter `{}` does not appear in the path `{path}`", data.name),
                );
                continue;
            }
            let hint = format!("{builder_name}{}", naming::type_name_part(&data.name));
            let ty = match &data.format {
                ParameterSchemaOrContent::Schema(schema) => {
                    self.lower_type(schema, &pointer(&parameter_at, "schema"), &hint)
                }
                ParameterSchemaOrContent::Content(content) => match content.first() {
                    Some((media, MediaType { schema: Some(schema), .. })) => {
                        let content_at = pointer(&pointer(&parameter_at, "content"), media);
                        self.lower_type(schema, &pointer(&content_at, "schema"), &hint)
                    }
                    _ => TypeRef::String,
                },
            };
            // The parameter's own example, else its schema's: what examples in docs show.
            let example = data.example.clone().or_else(|| match &data.format {
                ParameterSchemaOrContent::Schema(schema) => {
                    self.resolve_schema(schema).and_then(|schema| schema.schema_data.example.clone())
                }
                ParameterSchemaOrContent::Content(_) => None,
            });
            // A parameter goes on the wire as text; a schema that says nothing of its type
            // (`{}`, or only an example: many of Cloudflare's identifiers) is read as the
            // scalar its example is, else as a string, never as any JSON.
            let ty = match query_style {
                QueryStyle::Json => ty,
                _ if self.is_untyped(&ty) => scalar_like(example.as_ref()),
                _ => ty,
            };
            let path_style = match parameter {
                openapiv3::Parameter::Path { style: openapiv3::PathStyle::Matrix, .. } => {
                    PathStyle::Matrix { explode: data.explode.unwrap_or(false) }
                }
                openapiv3::Parameter::Path { style: openapiv3::PathStyle::Label, .. } => {
                    PathStyle::Label { explode: data.explode.unwrap_or(false) }
                }
                _ => PathStyle::Simple,
            };
            lowered.push(Parameter {
                api_name: data.name.clone(),
                rust_name: rust_names.claim(naming::snake_ident(&data.name)),
                location,
                ty,
                required: data.required || location == ParameterLocation::Path,
                description: data.description.clone(),
                query_style,
                path_style,
                default: match &data.format {
                    ParameterSchemaOrContent::Schema(schema) => {
                        self.resolve_schema(schema).and_then(|schema| schema.schema_data.default.clone())
                    }
                    ParameterSchemaOrContent::Content(_) => None,
                }
                .filter(|value| !value.is_null()),
                example,
            });
        }
        for name in path_template_names(path) {
            let declared = lowered.iter().any(|p| p.location == ParameterLocation::Path && p.api_name == name);
            if !declared {
                self.report.error(
                    at.to_owned(),
                    format!("the path has `{{{name}}}` but the operation declares no path parameter `{name}`"),
                );
            }
        }
        lowered
    }

    fn lower_request_body(
        &mut self,
        body: &'a ReferenceOr<openapiv3::RequestBody>,
        at: &str,
        builder_name: &str,
    ) -> Option<RequestBody> {
        let openapi = self.openapi;
        let Some(body) = resolve_component(body, REQUEST_BODY_PREFIX, |name| {
            openapi.components.as_ref().and_then(|c| c.request_bodies.get(name))
        }) else {
            self.report.error(
                at.to_owned(),
                "request body `$ref` does not name a request body under #/components/requestBodies",
            );
            return None;
        };
        let (media_type, media) = self.request_media(&body.content)?;
        let media_at = pointer(&pointer(at, "content"), media_type);
        let encoding = body_encoding(media_type);
        let ty = match (&media.schema, encoding) {
            // Sent whole from memory, a path or a stream, like a multipart file part.
            (_, BodyEncoding::Bytes) => TypeRef::File,
            (_, BodyEncoding::Text) => TypeRef::String,
            (Some(schema), _) => {
                self.lower_type(schema, &pointer(&media_at, "schema"), &format!("{builder_name}Request"))
            }
            (None, _) => TypeRef::Json,
        };
        let property_encodings = media
            .encoding
            .iter()
            .map(|(api_name, property)| PropertyEncoding {
                api_name: api_name.clone(),
                // `convert` made a missing `explode` explicit, so `false` here is the spec's.
                style: query_style(
                    property.style.as_ref().unwrap_or(&openapiv3::QueryStyle::Form),
                    Some(property.explode),
                ),
                content_type: property.content_type.clone(),
            })
            .collect();
        let example = media
            .example
            .clone()
            .or_else(|| media.examples.values().find_map(|example| example.as_item()?.value.clone()))
            .or_else(|| self.resolve_schema(media.schema.as_ref()?)?.schema_data.example.clone());
        let content_type = match encoding == BodyEncoding::Json && media_type.contains('*') {
            true => "application/json".to_owned(),
            false => media_type.to_owned(),
        };
        Some(RequestBody {
            ty,
            encoding,
            media_type: media_type.to_owned(),
            content_type,
            required: body.required,
            description: body.description.clone(),
            property_encodings,
            example,
        })
    }

    /// The media type a request body is sent as: JSON as for responses, unless its schema
    /// has binary members, which JSON cannot carry, and the body may also be multipart
    /// (OpenAI's container files take a `file_id` as JSON, or the file itself).
    fn request_media(&self, content: &'a IndexMap<String, MediaType>) -> Option<(&'a str, &'a MediaType)> {
        let preferred = preferred_media(content)?;
        let multipart = content.iter().find(|(media_type, _)| essence(media_type) == "multipart/form-data");
        match multipart {
            Some((media_type, media))
                if body_encoding(preferred.0) == BodyEncoding::Json
                    && preferred.1.schema.as_ref().is_some_and(|schema| self.has_binary_member(schema)) =>
            {
                Some((media_type.as_str(), media))
            }
            _ => Some(preferred),
        }
    }

    fn lower_responses(&mut self, responses: &'a openapiv3::Responses, at: &str, builder_name: &str) -> Vec<Response> {
        let openapi = self.openapi;
        let entries: Vec<(StatusMatch, &'a ReferenceOr<openapiv3::Response>, String)> = statuses(responses)
            .map(|(status, response)| (status, response, pointer(at, &status_key(status))))
            .collect();
        let has_success = entries.iter().any(|(status, _, _)| is_success_status(*status));
        let success_count = entries.iter().filter(|(status, _, _)| is_success_status(*status)).count();

        let mut variant_names = Namespace::new();
        let mut lowered = Vec::new();
        for (status, response, response_at) in entries {
            let Some(response) = resolve_component(response, RESPONSE_PREFIX, |name| {
                openapi.components.as_ref().and_then(|c| c.responses.get(name))
            }) else {
                self.report.error(response_at, "response `$ref` does not name a response under #/components/responses");
                continue;
            };
            let is_success = match status {
                StatusMatch::Default => !has_success,
                other => is_success_status(other),
            };
            let hint = match (is_success, status) {
                (true, _) if success_count <= 1 => format!("{builder_name}Response"),
                (true, _) => format!("{builder_name}Response{}", status_key(status)),
                (false, _) => format!("{builder_name}Error{}", naming::type_name_part(&status_key(status))),
            };
            let mut preferred = preferred_media(&response.content);
            // HTTP gives these statuses no body, whatever the spec says they carry.
            if let (StatusMatch::Code(code @ (204 | 205 | 304)), Some(_)) = (status, preferred) {
                self.warn(
                    pointer(&response_at, "content"),
                    format!("a {code} response has no body in HTTP; its `content` is ignored"),
                );
                preferred = None;
            }
            let body = match preferred {
                None => ResponseBody::Empty,
                Some((media_type, media)) => match body_encoding(media_type) {
                    BodyEncoding::Json | BodyEncoding::Form | BodyEncoding::Multipart => match &media.schema {
                        Some(schema) => {
                            let schema_at = pointer(&pointer(&pointer(&response_at, "content"), media_type), "schema");
                            match self.lower_type(schema, &schema_at, &hint) {
                                // A binary string is the body's bytes themselves, whatever
                                // media type is listed first (Swagger 2.0's `produces` lists
                                // JSON beside the audio and images such an operation returns).
                                TypeRef::Bytes => ResponseBody::Bytes,
                                // A string in any media type is text, not a JSON string
                                // (Kubernetes' logs and proxies: `*/*`, `type: string`).
                                TypeRef::String if essence(media_type) == "*/*" => ResponseBody::Text,
                                ty => ResponseBody::Json(ty),
                            }
                        }
                        None => ResponseBody::Json(TypeRef::Json),
                    },
                    BodyEncoding::Text => ResponseBody::Text,
                    BodyEncoding::Bytes => ResponseBody::Bytes,
                },
            };
            // A success also offered as a stream of events (OpenAI's `stream: true`).
            let events = response
                .content
                .iter()
                .filter(|_| is_success)
                .find(|(media_type, _)| essence(media_type) == EVENT_STREAM)
                .map(|(media_type, media)| match &media.schema {
                    Some(schema) => {
                        let schema_at = pointer(&pointer(&pointer(&response_at, "content"), media_type), "schema");
                        self.lower_type(schema, &schema_at, &format!("{hint}Event"))
                    }
                    None => TypeRef::Json,
                });
            let preferred = preferred.filter(|(media_type, _)| events.is_none() || essence(media_type) != EVENT_STREAM);
            let body = if events.is_some() && preferred.is_none() { ResponseBody::Empty } else { body };
            let description = Some(response.description.clone()).filter(|d| !d.trim().is_empty());
            lowered.push(Response {
                status,
                is_success,
                variant_name: variant_names.claim(status_variant_name(status)),
                variant_doc: description.clone(),
                description,
                body,
                media_type: preferred.map(|(media_type, _)| media_type.to_owned()),
                events,
            });
        }
        lowered
    }

    fn lower_security(
        &mut self,
        operation: &'a openapiv3::Operation,
        at: &str,
        schemes: &[SecurityScheme],
    ) -> Vec<Vec<usize>> {
        let (requirements, requirements_at) = match &operation.security {
            Some(requirements) => (requirements, pointer(at, "security")),
            None => match &self.openapi.security {
                Some(requirements) => (requirements, "#/security".to_owned()),
                None => return Vec::new(),
            },
        };
        let mut alternatives = Vec::new();
        for (index, requirement) in requirements.iter().enumerate() {
            let mut all_of = Vec::new();
            for name in requirement.keys() {
                match schemes.iter().position(|scheme| &scheme.api_name == name) {
                    Some(position) => all_of.push(position),
                    None => self.report.error(
                        pointer(&pointer(&requirements_at, &index.to_string()), name),
                        format!("security requirement names `{name}`, which is not under #/components/securitySchemes"),
                    ),
                }
            }
            if !alternatives.contains(&all_of) {
                alternatives.push(all_of);
            }
        }
        alternatives
    }
}

/// Headers that describe the body or the connection, never worth a typed field.
const TRANSPORT_HEADERS: &[&str] = &["content-type", "content-length", "transfer-encoding", "connection"];

struct OperationNames {
    operation_id: String,
    method_name: String,
    builder_name: String,
    error_name: String,
    success_name: String,
    headers_name: String,
}

fn operations_of(item: &PathItem) -> Vec<(HttpMethod, &openapiv3::Operation)> {
    [
        (HttpMethod::Get, &item.get),
        (HttpMethod::Put, &item.put),
        (HttpMethod::Post, &item.post),
        (HttpMethod::Delete, &item.delete),
        (HttpMethod::Options, &item.options),
        (HttpMethod::Head, &item.head),
        (HttpMethod::Patch, &item.patch),
        (HttpMethod::Trace, &item.trace),
    ]
    .into_iter()
    .filter_map(|(method, operation)| operation.as_ref().map(|operation| (method, operation)))
    .collect()
}

/// Follows `$ref`s through one kind of component (parameters, bodies, responses).
fn resolve_component<'a, T>(
    mut value: &'a ReferenceOr<T>,
    prefix: &str,
    lookup: impl Fn(&str) -> Option<&'a ReferenceOr<T>>,
) -> Option<&'a T> {
    for _ in 0..PATH_ITEM_LIMIT {
        match value {
            ReferenceOr::Item(item) => return Some(item),
            ReferenceOr::Reference { reference } => value = lookup(reference.strip_prefix(prefix)?)?,
        }
    }
    None
}

/// A parameter given as `content: {application/json: …}` rather than `schema`.
fn is_json_content(format: &ParameterSchemaOrContent) -> bool {
    match format {
        ParameterSchemaOrContent::Content(content) => {
            content.first().is_some_and(|(media_type, _)| body_encoding(media_type) == BodyEncoding::Json)
        }
        ParameterSchemaOrContent::Schema(_) => false,
    }
}

/// OpenAPI's `explode` defaults to true for `form` only; an exploded delimited style is
/// sent like an exploded form.
fn query_style(style: &openapiv3::QueryStyle, explode: Option<bool>) -> QueryStyle {
    match style {
        openapiv3::QueryStyle::DeepObject => QueryStyle::DeepObject,
        openapiv3::QueryStyle::Form if explode.unwrap_or(true) => QueryStyle::Exploded,
        openapiv3::QueryStyle::Form => QueryStyle::Joined(','),
        _ if explode == Some(true) => QueryStyle::Exploded,
        openapiv3::QueryStyle::SpaceDelimited => QueryStyle::Joined(' '),
        openapiv3::QueryStyle::PipeDelimited => QueryStyle::Joined('|'),
    }
}

fn location_key(parameter: &openapiv3::Parameter) -> &'static str {
    match parameter {
        openapiv3::Parameter::Path { .. } => "path",
        openapiv3::Parameter::Query { .. } => "query",
        openapiv3::Parameter::Header { .. } => "header",
        openapiv3::Parameter::Cookie { .. } => "cookie",
    }
}

fn path_template_names(path: &str) -> Vec<&str> {
    path.split('{').skip(1).filter_map(|rest| rest.split_once('}').map(|(name, _)| name)).collect()
}

/// The names a config may give an operation by: its `operationId`, and `METHOD /path`.
fn operation_keys(method: HttpMethod, path: &str, operation: &openapiv3::Operation) -> Vec<String> {
    let mut keys: Vec<String> = operation.operation_id.iter().cloned().collect();
    keys.push(format!("{} {path}", method.as_str()));
    keys
}

fn method_name(operation_id: &str, tag: Option<&str>) -> String {
    let full = naming::snake_ident(without_service_prefix(operation_id));
    let Some(tag) = tag else { return full };
    let prefix = format!("{}_", naming::snake_ident(tag).trim_start_matches("r#"));
    match full.strip_prefix(&prefix) {
        Some(rest) if !rest.is_empty() => naming::snake_ident(rest),
        _ => full,
    }
}

/// gRPC-gateway ids are `{Service}_{Rpc}` (`ManagementService_DeactivateUserGrant`); the
/// service is already the API, so the method is the RPC name alone.
fn without_service_prefix(operation_id: &str) -> &str {
    let is_camel = |part: &str| {
        part.starts_with(|c: char| c.is_ascii_uppercase()) && part.chars().all(|c| c.is_ascii_alphanumeric())
    };
    match operation_id.split_once('_') {
        Some((service, rpc)) if is_camel(service) && is_camel(rpc) => rpc,
        _ => operation_id,
    }
}

/// The resource a path acts on, and the path up to it: its first segment that is neither
/// a parameter nor a version or API prefix (`/v1/customers/{id}/sources` → `customers`,
/// `/v1/customers`). `None` for a path of prefixes alone (`/`, `/v1`).
fn path_resource(path: &str) -> Option<(String, String)> {
    let is_prefix = |segment: &str| {
        let version = segment
            .strip_prefix(['v', 'V'])
            .is_some_and(|rest| !rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit() || c == '.'));
        let date_or_number = segment.chars().all(|c| c.is_ascii_digit() || c == '-');
        version || date_or_number || matches!(segment.to_ascii_lowercase().as_str(), "api" | "apis" | "rest")
    };
    let mut prefix = String::new();
    for segment in path.split('/').filter(|segment| !segment.is_empty()) {
        prefix.push('/');
        prefix.push_str(segment);
        if segment.starts_with('{') || is_prefix(segment) {
            continue;
        }
        return Some((segment.to_owned(), prefix));
    }
    None
}

fn derived_operation_id(method: HttpMethod, path: &str) -> String {
    let mut words = vec![method.as_str().to_ascii_lowercase()];
    for segment in path.split('/').filter(|segment| !segment.is_empty()) {
        match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(parameter) => words.push(format!("by_{parameter}")),
            None => words.push(segment.to_owned()),
        }
    }
    words.join("_")
}

/// JSON first (`application/json`, then any `+json`), then the first listed.
fn preferred_media(content: &IndexMap<String, MediaType>) -> Option<(&str, &MediaType)> {
    content
        .iter()
        .find(|(media, _)| essence(media) == "application/json")
        .or_else(|| content.iter().find(|(media, _)| essence(media).ends_with("+json")))
        .or_else(|| content.first())
        .map(|(media, value)| (media.as_str(), value))
}

/// The media type of server-sent events.
const EVENT_STREAM: &str = "text/event-stream";

fn body_encoding(media_type: &str) -> BodyEncoding {
    let essence = essence(media_type);
    if essence == "application/json" || essence.ends_with("+json") || essence == "*/*" {
        BodyEncoding::Json
    } else if essence == "application/x-www-form-urlencoded" {
        BodyEncoding::Form
    } else if essence == "multipart/form-data" {
        BodyEncoding::Multipart
    } else if essence.starts_with("text/") {
        BodyEncoding::Text
    } else {
        BodyEncoding::Bytes
    }
}

fn is_success_status(status: StatusMatch) -> bool {
    match status {
        StatusMatch::Code(code) => (200..300).contains(&code),
        StatusMatch::Range(range) => range == 2,
        StatusMatch::Default => false,
    }
}

/// An operation's responses in document order, `default` last.
fn statuses(
    responses: &openapiv3::Responses,
) -> impl Iterator<Item = (StatusMatch, &ReferenceOr<openapiv3::Response>)> {
    let documented = responses.responses.iter().map(|(status, response)| {
        let status = match status {
            StatusCode::Code(code) => StatusMatch::Code(*code),
            StatusCode::Range(range) => StatusMatch::Range(*range),
        };
        (status, response)
    });
    documented.chain(responses.default.iter().map(|response| (StatusMatch::Default, response)))
}

fn status_key(status: StatusMatch) -> String {
    match status {
        StatusMatch::Code(code) => code.to_string(),
        StatusMatch::Range(range) => format!("{range}XX"),
        StatusMatch::Default => "default".to_owned(),
    }
}

/// `404` → `NotFound`, `4XX` → `ClientError`, `default` → `Default`.
fn status_variant_name(status: StatusMatch) -> String {
    match status {
        StatusMatch::Code(code) => match canonical_reason(code) {
            Some(reason) => naming::variant_name(reason),
            None => format!("Status{code}"),
        },
        StatusMatch::Range(4) => "ClientError".to_owned(),
        StatusMatch::Range(5) => "ServerError".to_owned(),
        StatusMatch::Range(2) => "Success".to_owned(),
        StatusMatch::Range(range) => format!("Status{range}xx"),
        StatusMatch::Default => "Default".to_owned(),
    }
}

fn canonical_reason(code: u16) -> Option<&'static str> {
    Some(match code {
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        203 => "Non Authoritative Information",
        204 => "No Content",
        205 => "Reset Content",
        206 => "Partial Content",
        207 => "Multi Status",
        300 => "Multiple Choices",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        407 => "Proxy Authentication Required",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        411 => "Length Required",
        412 => "Precondition Failed",
        413 => "Payload Too Large",
        414 => "URI Too Long",
        415 => "Unsupported Media Type",
        416 => "Range Not Satisfiable",
        417 => "Expectation Failed",
        418 => "Im A Teapot",
        422 => "Unprocessable Entity",
        423 => "Locked",
        424 => "Failed Dependency",
        425 => "Too Early",
        426 => "Upgrade Required",
        428 => "Precondition Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        451 => "Unavailable For Legal Reasons",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        _ => return None,
    })
}

/// The scalar type of a parameter whose schema gives none: its example's, else text.
fn scalar_like(example: Option<&serde_json::Value>) -> TypeRef {
    match example {
        Some(serde_json::Value::Bool(_)) => TypeRef::Bool,
        Some(serde_json::Value::Number(number)) if number.is_i64() => TypeRef::I64,
        Some(serde_json::Value::Number(_)) => TypeRef::F64,
        _ => TypeRef::String,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use openapiv3::QueryStyle as Style;

    #[test]
    fn query_styles_follow_style_and_explode_defaults() {
        assert_eq!(query_style(&Style::Form, None), QueryStyle::Exploded);
        assert_eq!(query_style(&Style::Form, Some(false)), QueryStyle::Joined(','));
        assert_eq!(query_style(&Style::SpaceDelimited, None), QueryStyle::Joined(' '));
        assert_eq!(query_style(&Style::PipeDelimited, Some(false)), QueryStyle::Joined('|'));
        assert_eq!(query_style(&Style::PipeDelimited, Some(true)), QueryStyle::Exploded);
        assert_eq!(query_style(&Style::DeepObject, None), QueryStyle::DeepObject);
    }
}
