//! An IR pass: recognises operations that page, so the emitter can offer a `Stream` of
//! their items across pages.
//!
//! Seven styles are recognised, by the names real APIs use, in this order:
//! - `Link` headers: a success documents a `Link` header, whose `rel="next"` URL is the
//!   next page (GitHub);
//! - after the last item: an optional `starting_after` query parameter, a boolean
//!   `has_more` in the response, items with an `id` (Stripe);
//! - page numbers: an optional numeric `page` query parameter (Cloudflare: `page`,
//!   `per_page`, `result_info.total_pages`);
//! - cursors: an optional string query parameter such as `cursor` or `next_page_token`,
//!   fed from a response field such as `next_page_token` (Zoom) or `next_cursor`, at the
//!   top level or under `result_info`, `meta`, `pagination`, `page_info`, `links` or `paging`;
//! - cursors in a documented response header (`X-Next-Cursor`, `X-Continuation-Token`)
//!   fed to such a parameter;
//! - offsets: an optional numeric `offset` (or `skip`) advanced past the items fetched,
//!   with `limit` and a `total` field when the response has them;
//! - next URLs in the body: a string field whose name says it is a URL (`next_url`,
//!   `next_page_url`, `nextLink`), absolute or relative to the server.
//!
//! A config's `pagination` replaces the detector for an operation: `none`, or one of these
//! styles with the names it reads.
//!
//! The items are the response itself when it is a list, the envelope's `result` when it
//! is one, else the response's only list field.

use crate::config::PaginationConfig;
use crate::ir::{
    Api, FieldStep, Operation, PageStyle, Pagination, PagingChoice, ParameterLocation, ResponseBody, Struct, TypeId,
    TypeKind, TypeRef,
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
const PAGE_INFO_FIELDS: &[&str] = &["result_info", "meta", "pagination", "page_info", "links", "paging"];
const OFFSET_PARAMETERS: &[&str] = &["offset", "skip"];
const TOTAL_FIELDS: &[&str] = &["total", "total_count", "totalCount", "total_results", "total_items"];
/// Fields whose name says they hold a URL (a bare `next` may be a cursor instead).
const NEXT_URL_FIELDS: &[&str] = &["next_url", "next_page_url", "next_link", "nextLink", "next_href"];
const CURSOR_HEADERS: &[&str] =
    &["x-next-cursor", "x-next-page-token", "x-next-token", "x-continuation-token", "x-ms-continuation", "next-cursor"];

/// Sets each operation's paging. What the config forces on an operation that lacks the
/// names it gives comes back as (config key, problem).
pub(crate) fn detect(api: &mut Api) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut problems = Vec::new();
    for (group_index, group) in api.groups.iter().enumerate() {
        for (operation_index, operation) in group.operations.iter().enumerate() {
            let pagination = match &operation.paging {
                PagingChoice::Never => None,
                PagingChoice::Detect => detect_operation(api, operation, &Names::DETECTED),
                PagingChoice::Forced { style, key } => match forced(api, operation, style) {
                    Ok(pagination) => Some(pagination),
                    Err(problem) => {
                        problems.push((key.clone(), problem));
                        None
                    }
                },
            };
            if let Some(pagination) = pagination {
                found.push((group_index, operation_index, pagination));
            }
        }
    }
    for (group_index, operation_index, pagination) in found {
        api.groups[group_index].operations[operation_index].pagination = Some(pagination);
    }
    problems
}

/// The names each style is recognised by: the detector's lists, or one style with the
/// config's names (`None`: that style is not looked for).
struct Names<'a> {
    link_header: bool,
    after_last_item: Option<(Vec<&'a str>, Vec<&'a str>)>,
    page_number: Option<(Vec<&'a str>, Vec<&'a str>, Vec<&'a str>)>,
    cursor: Option<(Vec<&'a str>, Vec<&'a str>)>,
    offset: Option<(Vec<&'a str>, Vec<&'a str>, Vec<&'a str>)>,
    next_url: Option<Vec<&'a str>>,
    header_cursor: Option<(Vec<&'a str>, Vec<&'a str>)>,
}

impl Names<'static> {
    const DETECTED: Names<'static> = Names {
        link_header: true,
        after_last_item: Some((Vec::new(), Vec::new())),
        page_number: Some((Vec::new(), Vec::new(), Vec::new())),
        cursor: Some((Vec::new(), Vec::new())),
        offset: Some((Vec::new(), Vec::new(), Vec::new())),
        next_url: Some(Vec::new()),
        header_cursor: Some((Vec::new(), Vec::new())),
    };
}

/// The config's style, or why the operation cannot page that way.
fn forced(api: &Api, operation: &Operation, style: &PaginationConfig) -> Result<Pagination, String> {
    let none = || Names {
        link_header: false,
        after_last_item: None,
        page_number: None,
        cursor: None,
        offset: None,
        next_url: None,
        header_cursor: None,
    };
    let names = match style {
        PaginationConfig::None => return Err("`none` never pages".to_owned()),
        PaginationConfig::LinkHeader => Names { link_header: true, ..none() },
        PaginationConfig::PageNumber { parameter, per_page, total_pages } => Names {
            page_number: Some((
                vec![parameter.as_str()],
                per_page.iter().map(String::as_str).collect(),
                total_pages.iter().map(String::as_str).collect(),
            )),
            ..none()
        },
        PaginationConfig::Cursor { parameter, next } => {
            Names { cursor: Some((vec![parameter.as_str()], vec![next.as_str()])), ..none() }
        }
        PaginationConfig::AfterLastItem { parameter, has_more } => {
            Names { after_last_item: Some((vec![parameter.as_str()], vec![has_more.as_str()])), ..none() }
        }
        PaginationConfig::Offset { parameter, limit, total } => Names {
            offset: Some((
                vec![parameter.as_str()],
                limit.iter().map(String::as_str).collect(),
                total.iter().map(String::as_str).collect(),
            )),
            ..none()
        },
        PaginationConfig::NextUrl { next } => Names { next_url: Some(vec![next.as_str()]), ..none() },
        PaginationConfig::HeaderCursor { parameter, header } => {
            Names { header_cursor: Some((vec![parameter.as_str()], vec![header.as_str()])), ..none() }
        }
    };
    detect_operation(api, operation, &names).ok_or_else(|| {
        format!(
            "`{}` cannot page this way: it needs the optional query parameter, the response fields the style \
             names (a dotted path from the response body) and one list of items",
            operation.operation_id
        )
    })
}

/// How the operation pages by `names`; an empty list of names means the detector's own.
fn detect_operation(api: &Api, operation: &Operation, names: &Names<'_>) -> Option<Pagination> {
    let or = |given: &[&'static str], wanted: &Vec<&str>| -> Vec<String> {
        match wanted.is_empty() {
            true => given.iter().map(|name| (*name).to_owned()).collect(),
            false => wanted.iter().map(|name| (*name).to_owned()).collect(),
        }
    };
    let mut successes = operation.successes();
    let first = successes.next()?;
    if successes.any(|other| other.body != first.body) {
        return None;
    }
    let link_header = names.link_header
        && operation.response_headers.iter().any(|header| header.api_name.eq_ignore_ascii_case("link"));
    // Forced to the `Link` header, a documented one is not needed: the config says it comes.
    let link_header = link_header || (names.link_header && names.page_number.is_none() && names.cursor.is_none());
    // A cursor in a documented response header, read back into a query parameter.
    let header_cursor = || {
        let (parameter, headers) = names.header_cursor.as_ref()?;
        let parameter = optional_query(operation, &or(CURSOR_PARAMETERS, parameter), false)?;
        let headers = or(CURSOR_HEADERS, headers);
        let header = operation
            .response_headers
            .iter()
            .find(|header| headers.iter().any(|name| name.eq_ignore_ascii_case(&header.api_name)))?;
        Some(PageStyle::HeaderCursor { parameter, header: header.api_name.clone() })
    };
    let offset_parameters = |names: &(Vec<&str>, Vec<&str>, Vec<&str>)| {
        let parameter = optional_query(operation, &or(OFFSET_PARAMETERS, &names.0), true)?;
        Some((parameter, per_page(operation, &or(PER_PAGE_PARAMETERS, &names.1))))
    };
    let ResponseBody::Json(body_type) = &first.body else { return None };
    // A list answered as it is (GitHub's): only its headers can say where the next page is.
    if let TypeRef::Array(item) = api.types.resolved_ref(body_type) {
        let page = names.page_number.as_ref().and_then(|(parameter, per_page_names, _)| {
            let parameter = optional_query(operation, &or(&["page"], parameter), true)?;
            Some((parameter, per_page(operation, &or(PER_PAGE_PARAMETERS, per_page_names))))
        });
        let offset = || {
            let names = names.offset.as_ref()?;
            // A total the config names cannot be read from a bare list.
            let (parameter, limit) = offset_parameters(names).filter(|_| names.2.is_empty())?;
            Some(PageStyle::Offset { parameter, limit, total: None })
        };
        let style = match (link_header, page) {
            (true, _) => PageStyle::LinkHeader,
            (false, Some((parameter, per_page))) => PageStyle::PageNumber { parameter, per_page, total_pages: None },
            (false, None) => header_cursor().or_else(offset)?,
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
        let (parameter, has_more) = names.after_last_item.as_ref()?;
        let parameter = optional_query(operation, &or(&["starting_after"], parameter), false)?;
        let has_more = find_field(api, body, &or(&["has_more"], has_more), |ty| *ty == TypeRef::Bool)?;
        // Items that may be `null` (a nullable component listed) page from the last one that is not.
        let item_id = match &item_type {
            TypeRef::Option(item) => item.as_ref(),
            item => item,
        };
        let TypeRef::Named(item_id) = item_id else { return None };
        let item = structure(api, *item_id)?;
        let id = item.fields.iter().find(|field| field.api_name == "id" && field.ty == TypeRef::String)?;
        let id = FieldStep { rust_name: id.rust_name.clone(), optional: id.optional(), ty: id.ty.clone() };
        Some(PageStyle::AfterLastItem { parameter, has_more, id })
    };
    let page_number = || {
        let (parameter, per_page_names, total_names) = names.page_number.as_ref()?;
        let parameter = optional_query(operation, &or(&["page"], parameter), true)?;
        let total_pages = find_field(api, body, &or(&["total_pages"], total_names), is_number);
        // A total the config names must be there.
        if total_pages.is_none() && !total_names.is_empty() {
            return None;
        }
        let per_page = per_page(operation, &or(PER_PAGE_PARAMETERS, per_page_names));
        Some(PageStyle::PageNumber { parameter, per_page, total_pages })
    };
    let cursor = || {
        let (parameter, next) = names.cursor.as_ref()?;
        let parameter = optional_query(operation, &or(CURSOR_PARAMETERS, parameter), false)?;
        let next = find_field(api, body, &or(CURSOR_FIELDS, next), |ty| *ty == TypeRef::String)?;
        Some(PageStyle::Cursor { parameter, next })
    };
    let offset = || {
        let names = names.offset.as_ref()?;
        let (parameter, limit) = offset_parameters(names)?;
        let total = find_field(api, body, &or(TOTAL_FIELDS, &names.2), is_number);
        if total.is_none() && !names.2.is_empty() {
            return None;
        }
        Some(PageStyle::Offset { parameter, limit, total })
    };
    let next_url = || {
        let fields = names.next_url.as_ref()?;
        let next = find_field(api, body, &or(NEXT_URL_FIELDS, fields), |ty| *ty == TypeRef::String)?;
        Some(PageStyle::NextUrl { next })
    };
    let style = if link_header {
        PageStyle::LinkHeader
    } else if let Some(style) = after_last_item() {
        style
    } else if let Some(style) = page_number() {
        style
    } else if let Some(style) = cursor() {
        style
    } else if let Some(style) = header_cursor() {
        style
    } else if let Some(style) = offset() {
        style
    } else {
        next_url()?
    };
    Some(Pagination { items_field, item_type, style })
}

/// The optional query parameter named one of `names` (any case), numeric or a string.
fn optional_query(operation: &Operation, names: &[String], numeric: bool) -> Option<usize> {
    operation.parameters.iter().position(|parameter| {
        parameter.location == ParameterLocation::Query
            && !parameter.required
            && names.iter().any(|name| name.eq_ignore_ascii_case(&parameter.api_name))
            && if numeric { is_number(&parameter.ty) } else { parameter.ty == TypeRef::String }
    })
}

const PER_PAGE_PARAMETERS: &[&str] = &["per_page", "page_size", "pagesize", "limit"];

fn per_page(operation: &Operation, names: &[String]) -> Option<usize> {
    optional_query(operation, names, true)
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

/// A field named one of `names`, at the top of `body` or one level down in a page-info
/// struct; a dotted name (`meta.next`) is that path exactly.
fn find_field(api: &Api, body: &Struct, names: &[String], accept: impl Fn(&TypeRef) -> bool) -> Option<Vec<FieldStep>> {
    let step = |field: &crate::ir::Field| FieldStep {
        rust_name: field.rust_name.clone(),
        optional: field.optional(),
        ty: field.ty.clone(),
    };
    if let Some(path) = names.iter().find(|name| name.contains('.')) {
        let mut steps = Vec::new();
        let mut holder = body;
        let segments: Vec<&str> = path.split('.').collect();
        for (index, segment) in segments.iter().enumerate() {
            let field = holder.fields.iter().find(|field| field.api_name == *segment && !field.null_distinct)?;
            steps.push(step(field));
            if index + 1 == segments.len() {
                return accept(&field.ty).then_some(steps);
            }
            let TypeRef::Named(id) = field.ty else { return None };
            holder = structure(api, id)?;
        }
        return None;
    }
    let accept =
        |field: &crate::ir::Field| names.contains(&field.api_name) && accept(&field.ty) && !field.null_distinct;
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
