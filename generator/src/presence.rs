//! An IR pass: settles which fields a struct's Rust type makes optional, once it is
//! known which types are sent in requests and which come back in responses.
//!
//! A schema describes a resource in both directions, but the directions disagree:
//! - `readOnly` fields are set by the server, so a request cannot be made to carry them:
//!   in a type that is sent they are optional, whatever `required` says.
//! - `writeOnly` fields (passwords) never come back: in a type that is received they
//!   are optional.
//! - An optional nullable field of a type sent as JSON has three states: left out
//!   (keep the value), `null` (clear it) and a value. There it becomes
//!   `Option<Option<T>>`. In a type that is only received, absent and `null` say the
//!   same thing, so a single `Option` stays.
//!
//! A type the operations never reach is left as the spec wrote it.
//!
//! The pass also records each type's [`Direction`], which decides its serde derives.

use crate::ir::{Api, BodyEncoding, Direction, ResponseBody, TypeId, TypeKind};

pub(crate) fn settle(api: &mut Api) {
    let count = api.types.types.len();
    let mut sent_roots = Vec::new();
    let mut sent_json_roots = Vec::new();
    let mut received_roots = Vec::new();
    for operation in api.groups.iter().flat_map(|group| &group.operations) {
        for parameter in &operation.parameters {
            parameter.ty.named_types(&mut sent_roots);
        }
        if let Some(body) = &operation.body {
            body.ty.named_types(&mut sent_roots);
            if body.encoding == BodyEncoding::Json {
                body.ty.named_types(&mut sent_json_roots);
            }
        }
        for response in &operation.responses {
            if let ResponseBody::Json(ty) = &response.body {
                ty.named_types(&mut received_roots);
            }
            if let Some(events) = &response.events {
                events.named_types(&mut received_roots);
            }
        }
        for header in &operation.response_headers {
            header.ty.named_types(&mut received_roots);
        }
    }
    let sent = reachable(api, sent_roots, count);
    let sent_json = reachable(api, sent_json_roots, count);
    let received = reachable(api, received_roots, count);
    // A type no operation reaches is emitted both ways, as the spec describes it, and so
    // is everything it names (its derives need theirs).
    let unreached = (0..count).filter(|&index| !sent[index] && !received[index]).map(TypeId).collect();
    let both = reachable(api, unreached, count);
    for (index, def) in api.types.types.iter_mut().enumerate() {
        def.direction = Direction { sent: sent[index] || both[index], received: received[index] || both[index] };
        let TypeKind::Struct(structure) = &mut def.kind else { continue };
        let envelope = structure.envelope.is_some();
        for field in &mut structure.fields {
            if (field.read_only && sent[index]) || (field.write_only && received[index]) {
                field.required = false;
            }
            // An envelope is only ever received; its `result` is taken out as one `Option`.
            field.null_distinct = sent_json[index] && !envelope && !field.required && field.nullable;
        }
    }
}

/// Marks every type reachable from `roots`.
fn reachable(api: &Api, mut stack: Vec<TypeId>, count: usize) -> Vec<bool> {
    let mut seen = vec![false; count];
    while let Some(id) = stack.pop() {
        if std::mem::replace(&mut seen[id.0], true) {
            continue;
        }
        api.types.get(id).kind.named_types(&mut stack);
    }
    seen
}
