//! An IR pass: operations that exist under two parent resources (`/accounts/{account_id}/…`
//! and `/zones/{zone_id}/…`, as Cloudflare's do) also get one combined method that takes
//! the parent as an enum (`AccountOrZone`), as the vendor SDKs offer. The raw methods stay.
//!
//! Two operations combine only when nothing else differs: method, the rest of the path,
//! parameters, body, responses and security must be equal, and both identifiers strings.

use crate::ir::{Api, Operation, OperationGroup, Parameter, ParameterLocation, Scope, ScopeVariant, TypeRef};
use crate::naming::{self, Namespace};
use std::collections::BTreeMap;

/// Path parameter names of combined operations: the parent's segment and its identifier.
pub(crate) const SCOPE_SEGMENT: &str = "scope";
pub(crate) const SCOPE_ID: &str = "scope_id";

/// A raw operation split into its parent prefix and the rest.
struct Prefixed<'a> {
    operation: &'a Operation,
    segment: &'a str,
    id_parameter: &'a str,
    rest: &'a str,
}

fn split_prefix(operation: &Operation) -> Option<Prefixed<'_>> {
    let path = operation.path.strip_prefix('/')?;
    let (segment, after) = path.split_once('/')?;
    let id = after.strip_prefix('{')?;
    let (id_parameter, rest) = id.split_once('}')?;
    let plain =
        |text: &str| !text.is_empty() && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    (plain(segment) && !rest.is_empty()).then_some(Prefixed { operation, segment, id_parameter, rest })
}

/// Everything but the identifier parameter, for comparing two operations.
fn shared_parameters<'a>(prefixed: &Prefixed<'a>) -> Vec<&'a Parameter> {
    prefixed
        .operation
        .parameters
        .iter()
        .filter(|p| !(p.location == ParameterLocation::Path && p.api_name == prefixed.id_parameter))
        .collect()
}

fn same_except_prefix(a: &Prefixed<'_>, b: &Prefixed<'_>) -> bool {
    let parameters_equal = |x: &[&Parameter], y: &[&Parameter]| {
        x.len() == y.len()
            && x.iter().zip(y).all(|(p, q)| {
                p.api_name == q.api_name && p.location == q.location && p.ty == q.ty && p.required == q.required
            })
    };
    let bodies_equal = match (&a.operation.body, &b.operation.body) {
        (None, None) => true,
        (Some(x), Some(y)) => x.ty == y.ty && x.encoding == y.encoding && x.required == y.required,
        _ => false,
    };
    let responses_equal = a.operation.responses.len() == b.operation.responses.len()
        && a.operation.responses.iter().zip(&b.operation.responses).all(|(x, y)| {
            x.status == y.status && x.body == y.body && x.variant_name == y.variant_name && x.is_success == y.is_success
        });
    let id_is_string = |p: &Prefixed<'_>| {
        p.operation.parameters.iter().any(|q| q.api_name == p.id_parameter && q.ty == TypeRef::String)
    };
    // `scope` becomes an argument and `scope`/`scope_id` path parameters: nothing may share those names.
    let names_free = |p: &Prefixed<'_>| {
        p.operation.parameters.iter().all(|q| {
            ![SCOPE_SEGMENT, SCOPE_ID].contains(&q.api_name.as_str())
                && ![SCOPE_SEGMENT, SCOPE_ID].contains(&q.rust_name.trim_start_matches("r#"))
        })
    };
    a.segment != b.segment
        && a.operation.http_method == b.operation.http_method
        && parameters_equal(&shared_parameters(a), &shared_parameters(b))
        && bodies_equal
        && responses_equal
        && a.operation.security == b.operation.security
        && id_is_string(a)
        && id_is_string(b)
        && names_free(a)
        && names_free(b)
}

/// `accounts` → `Account`, `policies` → `Policy`.
fn singular_type_name(segment: &str) -> String {
    let singular = if let Some(stem) = segment.strip_suffix("ies") {
        format!("{stem}y")
    } else {
        segment.strip_suffix('s').unwrap_or(segment).to_owned()
    };
    naming::variant_name(&singular)
}

pub(crate) fn combine(api: &mut Api) {
    // Pairs by (method, rest of path), in spec order; only exact pairs combine.
    let mut candidates: BTreeMap<(crate::ir::HttpMethod, &str), Vec<Prefixed<'_>>> = BTreeMap::new();
    for operation in api.groups.iter().flat_map(|group| &group.operations) {
        if let Some(prefixed) = split_prefix(operation) {
            candidates.entry((operation.http_method, prefixed.rest)).or_default().push(prefixed);
        }
    }
    let mut combined: Vec<(Scope, Operation)> = Vec::new();
    for ((_, rest), mut pair) in candidates {
        if pair.len() != 2 || !same_except_prefix(&pair[0], &pair[1]) {
            continue;
        }
        pair.sort_by(|a, b| a.segment.cmp(b.segment));
        let variants: Vec<ScopeVariant> = pair
            .iter()
            .map(|prefixed| ScopeVariant {
                rust_name: singular_type_name(prefixed.segment),
                segment: prefixed.segment.to_owned(),
                id_parameter: prefixed.id_parameter.to_owned(),
                description: prefixed
                    .operation
                    .parameters
                    .iter()
                    .find(|p| p.api_name == prefixed.id_parameter)
                    .and_then(|p| p.description.clone()),
            })
            .collect();
        let scope = Scope { enum_name: format!("{}Or{}", variants[0].rust_name, variants[1].rust_name), variants };
        let first = pair[0].operation;
        let mut operation = first.clone();
        operation.path = format!("/{{{SCOPE_SEGMENT}}}/{{{SCOPE_ID}}}{rest}");
        operation.parameters = shared_parameters(&pair[0]).into_iter().cloned().collect();
        operation.description = first.description.clone();
        combined.push((scope, operation));
    }
    if combined.is_empty() {
        return;
    }
    let mut modules = Namespace::new();
    modules.reserve(naming::owned::API_MODULES);
    modules.reserve(&[&api.module]);
    for group in &api.groups {
        modules.reserve(&[&group.module]);
    }
    let mut methods = Namespace::new();
    methods.reserve(naming::owned::CLIENT_MEMBERS);
    for group in &api.groups {
        if group.tag.is_some() {
            methods.reserve(&[group.accessor.trim_start_matches("r#")]);
        } else {
            for operation in &group.operations {
                methods.reserve(&[operation.method_name.trim_start_matches("r#")]);
            }
        }
    }
    // One module per enum, with its own namespace for builder and error names.
    let mut scope_groups: BTreeMap<String, (usize, Namespace)> = BTreeMap::new();
    for (scope, mut operation) in combined {
        // One enum per choice of parents, whatever the identifiers are called in each path.
        let same_parents =
            |known: &Scope| known.variants.iter().map(|v| &v.segment).eq(scope.variants.iter().map(|v| &v.segment));
        let scope_index = match api.scopes.iter().position(same_parents) {
            Some(index) => index,
            None => {
                api.scopes.push(scope.clone());
                api.scopes.len() - 1
            }
        };
        let (group_index, type_names) = scope_groups.entry(scope.enum_name.clone()).or_insert_with(|| {
            let module = naming::module_name(&scope.enum_name);
            let summary = format!(
                "Operations that exist under several parents, combined: methods of the client that take an [`{0}`](super::{0})",
                scope.enum_name
            );
            api.groups.push(OperationGroup {
                tag: None,
                summary,
                module: modules.claim(module),
                accessor: String::new(),
                type_name: "Client".to_owned(),
                description: None,
                operations: Vec::new(),
                feature: None,
            });
            let mut type_names = Namespace::new();
            type_names.reserve(naming::owned::GROUP_TYPES);
            (api.groups.len() - 1, type_names)
        });
        operation.method_name = methods.claim(operation.method_name.clone());
        operation.builder_name = type_names.claim(naming::type_name(operation.method_name.trim_start_matches("r#")));
        operation.error_name = type_names.claim(format!("{}Error", operation.builder_name));
        operation.success_name = type_names.claim(format!("{}Response", operation.builder_name));
        operation.scope = Some(scope_index);
        api.groups[*group_index].operations.push(operation);
    }
}
