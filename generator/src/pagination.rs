//! An IR pass: recognises operations that page, so the emitter can offer a `Stream` of
//! their items across pages.
//!
//! Four styles are recognised, by the names real APIs use, in this order:
//! - `Link` headers: a success documents a `Link` header, whose `rel="next"` URL is the
//!   next page (GitHub);
//! - after the last item: an optional `starting_after` query parameter, a boolean
//!   `has_more` in the response, items with an `id` (Stripe);
//! - page numbers: an optional numeric `page` query parameter (Cloudflare: `page`,
//!   `per_page`, `result_info.total_pages`);
//! - cursors: an optional string query parameter such as `cursor` or `next_page_token`,
//!   fed from a response field such as `next_page_token` (Zoom) or `next_cursor`, at the
//!   top level or under `result_info`, `meta` or `pagination`.
//!
//! The items are the response itself when it is a list, the envelope's `result` when it
//! is one, else the response's only list field.

use crate::ir::{
    Api, FieldStep, Operation, PageStyle, Pagination, ParameterLocation, ResponseBody, Struct, TypeId, TypeKind,
    TypeRef,
};

const CURSOR_PARAMETERS: &[&str] = &[
    "cursor",
    "page_token",
    "next_page_token",
    "pagetoken",
    "next_token",
    "starting_after",
    "after",
    "continuation_token",
];
const CURSOR_FIELDS: &[&str] =
    &["next_page_token", "next_cursor", "next_token", "cursor", "next", "continuation_token"];
const PAGE_INFO_FIELDS: &[&str] = &["result_info", "meta", "pagination", "page_info"];

pub(crate) fn detect(api: &mut Api) {
    let mut found = Vec::new();
    for (group_index, group) in api.groups.iter().enumerate() {
        for (operation_index, operation) in group.operations.iter().enumerate() {
            if operation.never_pages {
                continue;
            }
            if let Some(pagination) = detect_operation(api, operation) {
                found.push((group_index, operation_index, pagination));
            }
        }
    }
    for (group_index, operation_index, pagination) in found {
        api.groups[group_index].operations[operation_index].pagination = Some(pagination);
    }
}

fn detect_operation(api: &Api, operation: &Operation) -> Option<Pagination> {
    let mut successes = operation.successes();
    let first = successes.next()?;
    if successes.any(|other| other.body != first.body) {
        return None;
    }
    let link_header = operation.response_headers.iter().any(|header| header.api_name.eq_ignore_ascii_case("link"));
    let ResponseBody::Json(body_type) = &first.body else { return None };
    // A list answered as it is (GitHub's): only its headers can say where the next page is.
    if let TypeRef::Array(item) = api.types.resolved_ref(body_type) {
        let page = optional_query(operation, &["page"], true);
        let style = match (link_header, page) {
            (true, _) => PageStyle::LinkHeader,
            (false, Some(parameter)) => {
                PageStyle::PageNumber { parameter, per_page: per_page(operation), total_pages: None }
            }
            (false, None) => return None,
        };
        return Some(Pagination { items_field: None, item_type: (**item).clone(), style });
    }
    let TypeRef::Named(body_id) = body_type else { return None };
    let body = structure(api, *body_id)?;
    // Where the items are, and which struct holds the paging fields.
    let (items_field, item_type) = match body.envelope {
        Some(envelope) => match &body.fields[envelope.result].ty {
            TypeRef::Array(item) => (None, (**item).clone()),
            _ => return None,
        },
        None => {
            let mut arrays = body.fields.iter().enumerate().filter(|(_, field)| matches!(field.ty, TypeRef::Array(_)));
            let (index, field) = arrays.next()?;
            // A field that can be `null` apart from absent is a request's concern, not a page's.
            if arrays.next().is_some() || field.null_distinct {
                return None;
            }
            let TypeRef::Array(item) = &field.ty else { return None };
            (Some(index), (**item).clone())
        }
    };
    let after_last_item = || {
        let parameter = optional_query(operation, &["starting_after"], false)?;
        let has_more = find_field(api, body, &["has_more"], |ty| *ty == TypeRef::Bool)?;
        let TypeRef::Named(item_id) = &item_type else { return None };
        let item = structure(api, *item_id)?;
        let id = item.fields.iter().find(|field| field.api_name == "id" && field.ty == TypeRef::String)?;
        let id = FieldStep { rust_name: id.rust_name.clone(), optional: id.optional(), ty: id.ty.clone() };
        Some(PageStyle::AfterLastItem { parameter, has_more, id })
    };
    let style = if link_header {
        PageStyle::LinkHeader
    } else if let Some(style) = after_last_item() {
        style
    } else if let Some(parameter) = optional_query(operation, &["page"], true) {
        let total_pages = find_field(api, body, &["total_pages"], is_number);
        PageStyle::PageNumber { parameter, per_page: per_page(operation), total_pages }
    } else {
        let parameter = optional_query(operation, CURSOR_PARAMETERS, false)?;
        let next = find_field(api, body, CURSOR_FIELDS, |ty| *ty == TypeRef::String)?;
        PageStyle::Cursor { parameter, next }
    };
    Some(Pagination { items_field, item_type, style })
}

/// The optional query parameter named one of `names`, numeric or a string.
fn optional_query(operation: &Operation, names: &[&str], numeric: bool) -> Option<usize> {
    operation.parameters.iter().position(|parameter| {
        parameter.location == ParameterLocation::Query
            && !parameter.required
            && names.contains(&parameter.api_name.to_ascii_lowercase().as_str())
            && if numeric { is_number(&parameter.ty) } else { parameter.ty == TypeRef::String }
    })
}

fn per_page(operation: &Operation) -> Option<usize> {
    optional_query(operation, &["per_page", "page_size", "pagesize", "limit"], true)
}

fn structure(api: &Api, id: TypeId) -> Option<&Struct> {
    match &api.types.get(api.types.resolve_alias(id)).kind {
        TypeKind::Struct(structure) => Some(structure),
        _ => None,
    }
}

fn is_number(ty: &TypeRef) -> bool {
    matches!(ty, TypeRef::I32 | TypeRef::I64 | TypeRef::U64 | TypeRef::F32 | TypeRef::F64)
}

/// A field named one of `names`, at the top of `body` or one level down in a page-info struct.
fn find_field(api: &Api, body: &Struct, names: &[&str], accept: impl Fn(&TypeRef) -> bool) -> Option<Vec<FieldStep>> {
    let step = |field: &crate::ir::Field| FieldStep {
        rust_name: field.rust_name.clone(),
        optional: field.optional(),
        ty: field.ty.clone(),
    };
    let accept = |field: &crate::ir::Field| {
        names.contains(&field.api_name.as_str()) && accept(&field.ty) && !field.null_distinct
    };
    if let Some(field) = body.fields.iter().find(|field| accept(field)) {
        return Some(vec![step(field)]);
    }
    for holder in
        body.fields.iter().filter(|field| PAGE_INFO_FIELDS.contains(&field.api_name.as_str()) && !field.null_distinct)
    {
        let TypeRef::Named(id) = holder.ty else { continue };
        let Some(inner) = structure(api, id) else { continue };
        if let Some(field) = inner.fields.iter().find(|field| accept(field)) {
            return Some(vec![step(holder), step(field)]);
        }
    }
    None
}
