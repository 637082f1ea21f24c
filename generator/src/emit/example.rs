//! Examples of each operation: the Rust call a user writes (in rustdoc, where the
//! generated crate compiles it as a `no_run` doctest, and in the reference pages) and the
//! equivalent `curl` command. Required values come from the spec's examples where it has
//! them; otherwise placeholders of the right type.

use crate::ir::{Api, Operation, OperationGroup, ParameterLocation, SchemeKind, TypeKind, TypeRef};
use serde_json::Value;

/// How deep a value is built before an example gives up (recursive or huge bodies).
const DEPTH_LIMIT: usize = 6;

/// The statements that call the operation with a client named `client`, ending in
/// `.await?`, with the types it names under `api_path` (`generated_client::zoom_users`).
/// `None` when a required value has no literal the example could show (a union without
/// variants, a value nested deeper than an example should go).
pub(crate) fn rust_call(api: &Api, group: &OperationGroup, operation: &Operation, api_path: &str) -> Option<String> {
    let mut arguments = Vec::new();
    if let Some(scope) = operation.scope {
        let scope = &api.scopes[scope];
        let variant = scope.variants.first()?;
        let id = string_literal(variant.id_parameter.clone());
        arguments.push(format!("{api_path}::{}::{}({id}.to_owned())", scope.enum_name, variant.rust_name));
    }
    for parameter in operation.parameters.iter().filter(|parameter| parameter.required) {
        let value = match (&parameter.ty, &parameter.example) {
            // The argument is `impl Into<String>`: a literal is enough.
            (TypeRef::String, example) => {
                string_literal(example.as_ref().and_then(scalar_text).unwrap_or_else(|| parameter.api_name.clone()))
            }
            (ty, example) => value(api, ty, example.as_ref(), &parameter.api_name, api_path, 0)?,
        };
        arguments.push(value);
    }
    if let Some(body) = operation.body.as_ref().filter(|body| body.required) {
        arguments.push(value(api, &body.ty, body.example.as_ref(), "text", api_path, 0)?);
    }
    let receiver = match &group.tag {
        Some(_) => format!("client.{}()", group.accessor),
        None => "client".to_owned(),
    };
    let method = &operation.method_name;
    let call = format!("{receiver}.{method}({})", arguments.join(", "));
    let line = if call.len() > 80 {
        let lines: String = arguments.iter().map(|argument| format!("        {argument},\n")).collect();
        format!("{receiver}\n    .{method}(\n{lines}    )")
    } else {
        call
    };
    match line.contains('\n') {
        true => Some(format!("let response = {line}\n    .await?;")),
        false => Some(format!("let response = {line}.await?;")),
    }
}

/// A Rust expression of type `ty`, from `example` where it fits.
/// `hint` names the value (a field's name) for a string without an example.
fn value(api: &Api, ty: &TypeRef, example: Option<&Value>, hint: &str, api_path: &str, depth: usize) -> Option<String> {
    if depth > DEPTH_LIMIT {
        return None;
    }
    Some(match ty {
        TypeRef::Bool => example.and_then(Value::as_bool).unwrap_or(true).to_string(),
        TypeRef::I32 | TypeRef::I64 => example.and_then(Value::as_i64).unwrap_or(1).to_string(),
        TypeRef::U64 => example.and_then(Value::as_u64).unwrap_or(1).to_string(),
        TypeRef::F32 | TypeRef::F64 => {
            let number = example.and_then(Value::as_f64).unwrap_or(1.0);
            let text = number.to_string();
            if text.contains(['.', 'e', 'E']) {
                text
            } else {
                format!("{text}.0")
            }
        }
        TypeRef::String => {
            format!("{}.to_owned()", string_literal(example.and_then(scalar_text).unwrap_or_else(|| hint.to_owned())))
        }
        TypeRef::Bytes => "Vec::new()".to_owned(),
        TypeRef::Formatted(format) => {
            let given = example.and_then(Value::as_str).unwrap_or(format.example());
            format!("{}.parse()?", string_literal(given.to_owned()))
        }
        TypeRef::File => {
            let runtime = api_path.split("::").next().unwrap_or("crate");
            let path = string_literal(format!("path/to/{hint}"));
            format!("{runtime}::runtime::File::from_path({path})")
        }
        TypeRef::Json => match example {
            Some(example) => format!("serde_json::json!({example})"),
            None => "serde_json::json!({})".to_owned(),
        },
        TypeRef::Array(inner) => {
            let first = example.and_then(Value::as_array).and_then(|items| items.first());
            format!("vec![{}]", value(api, inner, first, hint, api_path, depth + 1)?)
        }
        TypeRef::Map(_) => "Default::default()".to_owned(),
        TypeRef::Option(_) => "None".to_owned(),
        TypeRef::Named(id) => {
            let def = api.types.get(*id);
            let path = format!("{api_path}::{}", def.name);
            match &def.kind {
                TypeKind::Alias(target) => value(api, target, example, hint, api_path, depth + 1)?,
                TypeKind::Enum(variants) => {
                    let chosen = example
                        .and_then(Value::as_str)
                        .and_then(|given| variants.iter().find(|variant| variant.value == given))
                        .or(variants.first())?;
                    format!("{path}::{}", chosen.rust_name)
                }
                TypeKind::ValueEnum(variants) => {
                    let chosen = example.and_then(|given| variants.iter().find(|variant| &variant.value == given));
                    format!("{path}::{}", chosen.or(variants.first())?.rust_name)
                }
                TypeKind::Union(variants, _) => {
                    let variant = variants.first()?;
                    let inner = value(api, &variant.ty, example, hint, api_path, depth + 1)?;
                    let inner = if variant.boxed { format!("Box::new({inner})") } else { inner };
                    format!("{path}::{}({inner})", variant.rust_name)
                }
                TypeKind::Struct(structure) => {
                    let all_optional = structure.fields.iter().all(|field| field.optional());
                    let members = example.and_then(Value::as_object);
                    let mut fields = Vec::new();
                    for field in &structure.fields {
                        let given = members.and_then(|members| members.get(&field.api_name));
                        let shown = if field.flatten {
                            value(api, &field.ty, example, hint, api_path, depth + 1)?
                        } else if field.optional() {
                            // Optional fields are left out where `Default` can fill them.
                            if all_optional && given.is_none() {
                                continue;
                            }
                            match given.filter(|given| !given.is_null()) {
                                Some(given) => {
                                    let inner =
                                        value(api, &field.ty, Some(given), &field.api_name, api_path, depth + 1)?;
                                    let inner = if field.boxed { format!("Box::new({inner})") } else { inner };
                                    if field.null_distinct {
                                        format!("Some(Some({inner}))")
                                    } else {
                                        format!("Some({inner})")
                                    }
                                }
                                None => "None".to_owned(),
                            }
                        } else {
                            let inner = value(api, &field.ty, given, &field.api_name, api_path, depth + 1)?;
                            if field.boxed {
                                format!("Box::new({inner})")
                            } else {
                                inner
                            }
                        };
                        fields.push(format!("{}: {shown}", field.rust_name));
                    }
                    if structure.additional.is_some() {
                        fields
                            .push(format!("{}: Default::default()", crate::naming::owned::ADDITIONAL_PROPERTIES_FIELD));
                    }
                    match (all_optional, fields.is_empty()) {
                        (true, true) => format!("{path}::default()"),
                        (true, false) => format!("{path} {{ {}, ..Default::default() }}", fields.join(", ")),
                        (false, _) => format!("{path} {{ {} }}", fields.join(", ")),
                    }
                }
            }
        }
    })
}

fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
}

/// A Rust string literal (escaped as `{:?}` does, which Rust reads back).
fn string_literal(text: String) -> String {
    format!("{text:?}")
}

/// The `curl` command for the operation against the default server, with credentials
/// from the variables `Client::from_env` reads.
pub(crate) fn curl(api: &Api, operation: &Operation) -> String {
    let base = api.servers.first().map_or("$BASE_URL", |server| server.url.trim_end_matches('/'));
    let mut path = operation.path.clone();
    for parameter in operation.parameters.iter().filter(|parameter| parameter.location == ParameterLocation::Path) {
        let shown =
            parameter.example.as_ref().and_then(scalar_text).unwrap_or_else(|| format!("{{{}}}", parameter.api_name));
        path = path.replace(&format!("{{{}}}", parameter.api_name), &shown);
    }
    let query: Vec<String> = operation
        .parameters
        .iter()
        .filter(|parameter| parameter.location == ParameterLocation::Query && parameter.required)
        .map(|parameter| {
            let shown = parameter.example.as_ref().and_then(scalar_text).unwrap_or_else(|| "…".to_owned());
            format!("{}={shown}", parameter.api_name)
        })
        .collect();
    let url = match query.is_empty() {
        true => format!("{base}{path}"),
        false => format!("{base}{path}?{}", query.join("&")),
    };
    let mut lines = vec![format!("curl -X {} '{url}'", operation.http_method.as_str())];
    // The first way the operation accepts credentials.
    let schemes = operation.security.first().map(Vec::as_slice).unwrap_or_default();
    for &index in schemes {
        let Some(scheme) = api.security_schemes.get(index) else { continue };
        let variable = &scheme.env_var;
        lines.push(match &scheme.kind {
            SchemeKind::Bearer => format!("-H \"Authorization: Bearer ${variable}\""),
            SchemeKind::Basic => format!("-u \"${variable}_USERNAME:${variable}_PASSWORD\""),
            SchemeKind::ApiKey { location: crate::ir::ApiKeyLocation::Header, name } => {
                format!("-H \"{name}: ${variable}\"")
            }
            SchemeKind::ApiKey { location: crate::ir::ApiKeyLocation::Cookie, name } => {
                format!("-b \"{name}=${variable}\"")
            }
            SchemeKind::ApiKey { location: crate::ir::ApiKeyLocation::Query, name } => {
                format!("# add ?{name}=${variable}")
            }
        });
    }
    if let Some(body) = &operation.body {
        lines.push(format!("-H 'Content-Type: {}'", body.content_type));
        if let Some(example) = &body.example {
            let text = match (&body.encoding, example) {
                (_, Value::String(text)) => text.clone(),
                _ => example.to_string(),
            };
            lines.push(format!("--data '{}'", text.replace('\'', "'\\''")));
        }
    }
    lines.join(" \\\n  ")
}
