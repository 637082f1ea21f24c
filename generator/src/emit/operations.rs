//! Emits one module per tag: the accessor struct, and for each operation a request
//! builder (required values as arguments, optional ones as chained setters, `.await` to
//! send), plus its error enum and, when successes differ in shape, its success enum.

use super::docs::{doc_attrs, inner_doc_attrs, ours, spec};
use super::{ident, type_tokens, TypeContext};
use crate::ir::{
    Api, BodyEncoding, FieldStep, Operation, OperationGroup, PageStyle, Parameter, ParameterLocation, PathStyle,
    QueryStyle, Response, ResponseBody, StatusMatch, TypeId, TypeKind, TypeRef,
};
use proc_macro2::TokenStream;
use quote::quote;

pub(crate) fn emit_group(api: &Api, group: &OperationGroup, crate_path: &str) -> TokenStream {
    let module_line = format!("{}.", group.summary);
    let module_docs = inner_doc_attrs([ours(module_line)]);
    let group_type = ident(&group.type_name);
    // A builder borrows the client, not the accessor: `client.zones().list().into_stream()`
    // outlives the temporary accessor.
    let (client, lifetime) = match group.tag {
        Some(_) => (quote!(self.client), quote!('c)),
        None => (quote!(self), quote!('_)),
    };
    let constructors = group
        .operations
        .iter()
        .map(|operation| emit_constructor(api, group, operation, &client, &lifetime, crate_path));
    let (accessor, impl_target) = match &group.tag {
        Some(_) => {
            let line = format!("{}, from [`Client::{}`].", group.summary, group.accessor);
            let docs = doc_attrs([ours(line), spec(group.description.as_deref())]);
            (
                quote! {
                    #docs
                    #[derive(Debug, Clone, Copy)]
                    pub struct #group_type<'c> {
                        client: &'c Client,
                    }

                    impl<'c> #group_type<'c> {
                        pub(super) fn new(client: &'c Client) -> Self {
                            Self { client }
                        }
                    }
                },
                quote!(impl<'c> #group_type<'c>),
            )
        }
        None => (quote!(), quote!(impl Client)),
    };
    let builders = group.operations.iter().map(|operation| emit_builder(api, group, operation));
    let uses_types = group.operations.iter().any(|operation| {
        let mut named = Vec::new();
        operation.named_types(&mut named);
        !named.is_empty()
    });
    let types_import = uses_types.then(|| {
        quote!(
            use super::types;
        )
    });
    quote! {
        #module_docs
        #types_import
        use super::Client;
        use crate::runtime;

        #accessor

        #impl_target {
            #(#constructors)*
        }

        #(#builders)*
    }
}

/// Required values are arguments of the constructor; everything else is a setter.
fn is_argument(parameter: &Parameter) -> bool {
    parameter.required
}

/// `impl Into<String>` for strings so callers can pass `&str`, `impl Into<runtime::File>`
/// for files so they can pass bytes; the type itself otherwise.
fn argument_type(api: &Api, ty: &TypeRef) -> (TokenStream, TokenStream) {
    match ty {
        TypeRef::String => (quote!(impl Into<String>), quote!(.into())),
        TypeRef::File => (quote!(impl Into<runtime::File>), quote!(.into())),
        _ => (type_tokens(api, ty, TypeContext::Sibling), quote!()),
    }
}

fn emit_constructor(
    api: &Api,
    group: &OperationGroup,
    operation: &Operation,
    client: &TokenStream,
    lifetime: &TokenStream,
    crate_path: &str,
) -> TokenStream {
    let method = ident(&operation.method_name);
    let builder = ident(&operation.builder_name);
    let mut arguments = Vec::new();
    let mut inits = Vec::new();
    if let Some(scope) = operation.scope {
        let scope_type = ident(&api.scopes[scope].enum_name);
        arguments.push(quote!(scope: super::#scope_type));
        inits.push(quote!(scope));
    }
    for parameter in &operation.parameters {
        let name = ident(&parameter.rust_name);
        if is_argument(parameter) {
            let (ty, convert) = argument_type(api, &parameter.ty);
            arguments.push(quote!(#name: #ty));
            inits.push(if convert.is_empty() { quote!(#name) } else { quote!(#name: #name #convert) });
        } else {
            inits.push(quote!(#name: None));
        }
    }
    if let Some(body) = &operation.body {
        if body.required {
            let (ty, convert) = argument_type(api, &body.ty);
            arguments.push(quote!(body: #ty));
            inits.push(if convert.is_empty() { quote!(body) } else { quote!(body: body #convert) });
        } else {
            inits.push(quote!(body: None));
        }
    }
    let endpoint = format!("`{} {}`", operation.http_method.as_str(), operation.path);
    let mut argument_docs = Vec::new();
    if let Some(scope) = operation.scope {
        argument_docs.push(format!(
            "- `scope`: the parent the operation applies to ([`{0}`](super::{0}))",
            api.scopes[scope].enum_name
        ));
    }
    for parameter in operation.parameters.iter().filter(|parameter| is_argument(parameter)) {
        // Without a description, say where the value goes: the Rust name hides the wire one.
        let description = parameter
            .description
            .as_deref()
            .map(first_line)
            .map(sanitize_line)
            .filter(|line| !line.trim().is_empty())
            .unwrap_or_else(|| format!("the `{}` {} parameter", parameter.api_name, parameter.location.as_str()));
        argument_docs.push(format!("- `{}`: {}", parameter.rust_name.trim_start_matches("r#"), description));
    }
    if let Some(body) = operation.body.as_ref().filter(|body| body.required) {
        let description = body
            .description
            .as_deref()
            .map(first_line)
            .map(sanitize_line)
            .unwrap_or_else(|| "the request body".to_owned());
        argument_docs.push(format!("- `body`: {description}"));
    }
    let argument_docs = argument_docs.join("\n");
    let send_line = format!(
        "Returns the request builder [`{}`]: set optional values on it, then `.await` it.",
        operation.builder_name
    );
    // Many specs repeat the summary as the description; once reads better.
    let description = operation
        .description
        .as_deref()
        .filter(|description| operation.summary.as_deref().is_none_or(|summary| summary.trim() != description.trim()));
    let docs = doc_attrs([
        spec(operation.summary.as_deref()),
        spec(description),
        ours(endpoint),
        ours(argument_docs),
        ours(send_line),
        ours(example_doc(api, group, operation, crate_path).unwrap_or_default()),
    ]);
    let deprecated = operation.deprecated.then(|| quote!(#[deprecated]));
    // Every required value is an argument, however many the spec requires: a struct of
    // them would be one more type per operation to name and build.
    const CLIPPY_MAX_ARGUMENTS: usize = 7;
    let many_arguments =
        (arguments.len() + 1 > CLIPPY_MAX_ARGUMENTS).then(|| quote!(#[allow(clippy::too_many_arguments)]));
    quote! {
        #docs
        #deprecated
        #many_arguments
        pub fn #method(&self, #(#arguments),*) -> #builder<#lifetime> {
            #builder {
                client: #client,
                #(#inits,)*
                options: runtime::RequestOptions::default(),
            }
        }
    }
}

/// A `no_run` example of the call, which doctests compile: the client from the
/// environment, the required values from the spec's examples.
fn example_doc(api: &Api, group: &OperationGroup, operation: &Operation, crate_path: &str) -> Option<String> {
    let api_path = format!("{crate_path}::{}", api.module);
    let call = super::example::rust_call(api, group, operation, &api_path)?;
    Some(format!(
        "# Example\n\n```no_run\n# async fn example() -> Result<(), Box<dyn std::error::Error>> {{\n\
         let client = {api_path}::Client::from_env().build()?;\n{call}\nprintln!(\"{{:?}}\", response.body());\n\
         # Ok(())\n# }}\n```"
    ))
}

fn sanitize_line(text: &str) -> String {
    crate::emit::docs::sanitize(text).join(" ")
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("").trim()
}

fn emit_builder(api: &Api, group: &OperationGroup, operation: &Operation) -> TokenStream {
    let builder = ident(&operation.builder_name);
    let constructor = match &group.tag {
        Some(_) => format!("{}::{}", group.type_name, operation.method_name.trim_start_matches("r#")),
        None => format!("Client::{}", operation.method_name.trim_start_matches("r#")),
    };
    let builder_doc =
        format!(" A `{} {}` request, from [`{constructor}`].", operation.http_method.as_str(), operation.path);
    let scope_field = operation.scope.map(|scope| {
        let scope_type = ident(&api.scopes[scope].enum_name);
        quote!(scope: super::#scope_type,)
    });
    let fields = operation.parameters.iter().map(|parameter| {
        let name = ident(&parameter.rust_name);
        let ty = type_tokens(api, &parameter.ty, TypeContext::Sibling);
        if is_argument(parameter) {
            quote!(#name: #ty,)
        } else {
            quote!(#name: Option<#ty>,)
        }
    });
    let options_field = quote!(options: runtime::RequestOptions,);
    let body_field = operation.body.as_ref().map(|body| {
        let ty = type_tokens(api, &body.ty, TypeContext::Sibling);
        if body.required {
            quote!(body: #ty,)
        } else {
            quote!(body: Option<#ty>,)
        }
    });
    let setters = operation.parameters.iter().filter(|parameter| !is_argument(parameter)).map(|parameter| {
        let name = ident(&parameter.rust_name);
        let (ty, convert) = argument_type(api, &parameter.ty);
        let location = parameter.location.as_str();
        let mut line = format!("Sets the optional {location} parameter `{}`.", parameter.api_name);
        if let Some(default) = parameter.default.as_ref().and_then(super::shown_default) {
            line = format!("{line} The server assumes {default}.");
        }
        let docs = doc_attrs([spec(parameter.description.as_deref()), ours(line)]);
        quote! {
            #docs
            pub fn #name(mut self, value: #ty) -> Self {
                self.#name = Some(value #convert);
                self
            }
        }
    });
    let body_setter = operation.body.as_ref().filter(|body| !body.required).map(|body| {
        let ty = type_tokens(api, &body.ty, TypeContext::Sibling);
        let docs = doc_attrs([spec(body.description.as_deref()), ours("Sets the optional request body.")]);
        quote! {
            #docs
            pub fn body(mut self, body: #ty) -> Self {
                self.body = Some(body);
                self
            }
        }
    });
    let (success_type, success_enum) = success_type(api, operation);
    let (error_type, error_enum) = error_type(api, group, operation);
    let output = quote!(runtime::Call<'c, runtime::Response<#success_type>, #error_type>);
    let stream = emit_stream(api, operation, &error_type);
    let send_body = emit_send_body(api, operation, Streamed::No);
    let events = emit_events(api, operation, &error_type);
    let download = emit_download(api, operation, &error_type);
    let mut send_doc = vec![ours("Sends the request and decodes the response.")];
    let success_lines: Vec<String> = operation
        .successes()
        .map(|response| {
            let description = response.description.as_deref().map(|d| crate::emit::docs::sanitize(d).join(" "));
            format!("- {}{}", status_label(response.status), description.map(|d| format!(": {d}")).unwrap_or_default())
        })
        .collect();
    if !success_lines.is_empty() {
        send_doc.push(ours(format!("Succeeds with:\n{}", success_lines.join("\n"))));
    }
    if !operation.response_headers.is_empty() {
        send_doc.push(ours(format!("Documented response headers: [`{}`].", operation.headers_name)));
    }
    let send_doc = doc_attrs(send_doc);
    let headers_struct = emit_response_headers(api, operation);
    quote! {
        #[doc = #builder_doc]
        #[derive(Debug, Clone)]
        #[must_use = "a request does nothing until it is sent: `.await` it"]
        pub struct #builder<'c> {
            client: &'c Client,
            #scope_field
            #(#fields)*
            #body_field
            #options_field
        }

        impl<'c> #builder<'c> {
            #(#setters)*
            #body_setter

            /// Overrides the client's timeout, retries, headers or query parameters for this request.
            pub fn with_options(mut self, options: runtime::RequestOptions) -> Self {
                self.options = options;
                self
            }

            #send_doc
            pub fn send(self) -> #output {
                #send_body
            }

            #stream
            #events
            #download
        }

        impl<'c> std::future::IntoFuture for #builder<'c> {
            type Output = <Self::IntoFuture as std::future::Future>::Output;
            type IntoFuture = #output;

            fn into_future(self) -> Self::IntoFuture {
                self.send()
            }
        }

        #success_enum
        #error_enum
        #headers_struct
    }
}

/// The struct that reads the headers an operation's responses document.
fn emit_response_headers(api: &Api, operation: &Operation) -> Option<TokenStream> {
    if operation.response_headers.is_empty() {
        return None;
    }
    let name = ident(&operation.headers_name);
    let fields = operation.response_headers.iter().map(|header| {
        let field = ident(&header.rust_name);
        let ty = type_tokens(api, &header.ty, TypeContext::Sibling);
        let docs = doc_attrs([spec(header.description.as_deref()), ours(format!("`{}`", header.api_name))]);
        quote!(#docs pub #field: Option<#ty>,)
    });
    let reads = operation.response_headers.iter().map(|header| {
        let field = ident(&header.rust_name);
        let api_name = &header.api_name;
        quote!(#field: runtime::header_value(headers, #api_name),)
    });
    let docs = format!(
        " The headers the responses of `{}` document, read from a response or an error's headers: \
         `{}::from(response.headers())`. A header that is absent or does not parse is `None`.",
        operation.operation_id, operation.headers_name
    );
    Some(quote! {
        #[doc = #docs]
        #[derive(Debug, Clone, Default, PartialEq)]
        pub struct #name {
            #(#fields)*
        }

        impl From<&runtime::HeaderMap> for #name {
            fn from(headers: &runtime::HeaderMap) -> Self {
                Self {
                    #(#reads)*
                }
            }
        }
    })
}

/// The body type of a response as Rust sees it.
fn body_type(api: &Api, body: &ResponseBody) -> Option<TokenStream> {
    match body {
        ResponseBody::Empty => None,
        ResponseBody::Json(ty) => Some(type_tokens(api, ty, TypeContext::Sibling)),
        ResponseBody::Text => Some(quote!(String)),
        ResponseBody::Bytes => Some(quote!(runtime::Bytes)),
    }
}

/// The envelope type of an operation whose successes all share one enveloped JSON body.
fn success_envelope(api: &Api, operation: &Operation) -> Option<TypeId> {
    let successes: Vec<&Response> = operation.successes().collect();
    let first = successes.first()?;
    if !successes.iter().all(|response| response.body == first.body) {
        return None;
    }
    let ResponseBody::Json(TypeRef::Named(id)) = &first.body else { return None };
    match &api.types.resolved(*id).kind {
        TypeKind::Struct(structure) if structure.envelope.is_some() => Some(*id),
        _ => None,
    }
}

/// One success shape gives its type directly (for an envelope, its result and the
/// envelope); several give an enum with a variant each.
fn success_type(api: &Api, operation: &Operation) -> (TokenStream, Option<TokenStream>) {
    if let Some(id) = success_envelope(api, operation) {
        let envelope = type_tokens(api, &TypeRef::Named(id), TypeContext::Sibling);
        return (quote!(<#envelope as runtime::Envelope>::Result, #envelope), None);
    }
    let successes: Vec<&Response> = operation.successes().collect();
    let Some(first) = successes.first() else { return (quote!(()), None) };
    if successes.iter().all(|response| response.body == first.body) {
        return (body_type(api, &first.body).unwrap_or_else(|| quote!(())), None);
    }
    let doc = format!(" The successful responses of [`{}`].", operation.builder_name);
    response_enum(api, &operation.success_name, &doc, &successes)
}

/// An enum with one variant per response: a success or an error enum.
fn response_enum(api: &Api, name: &str, doc: &str, responses: &[&Response]) -> (TokenStream, Option<TokenStream>) {
    let name = ident(name);
    let variants = responses.iter().map(|response| variant(api, response));
    let definition = quote! {
        #[doc = #doc]
        #[derive(Debug, Clone)]
        pub enum #name {
            #(#variants)*
        }
    };
    (quote!(#name), Some(definition))
}

/// The operation's error enum, or, when an earlier operation of its group documents the
/// same errors ([`Operation::errors_as`]), an alias of that one's.
fn error_type(api: &Api, group: &OperationGroup, operation: &Operation) -> (TokenStream, Option<TokenStream>) {
    let errors: Vec<&Response> = operation.errors().collect();
    if errors.is_empty() {
        return (quote!(std::convert::Infallible), None);
    }
    let name = ident(&operation.error_name);
    if let Some(shared) = &operation.errors_as {
        let doc = format!(" The error responses [`{}`] documents: the same as [`{shared}`].", operation.builder_name);
        let shared = ident(shared);
        return (quote!(#name), Some(quote!(#[doc = #doc] pub type #name = #shared;)));
    }
    let sharing: Vec<String> = (group.operations.iter())
        .filter(|other| other.errors_as.as_ref() == Some(&operation.error_name))
        .map(|other| format!("[`{}`]", other.builder_name))
        .collect();
    let documenting = match sharing.split_last() {
        None => format!("[`{}`] documents", operation.builder_name),
        Some((last, [])) => format!("[`{}`] and {last} document", operation.builder_name),
        Some((last, others)) => format!("[`{}`], {} and {last} document", operation.builder_name, others.join(", ")),
    };
    let doc =
        format!(" The error responses {documenting}; each carries its decoded body. Found in [`runtime::Error::Api`].");
    response_enum(api, &operation.error_name, &doc, &errors)
}

fn variant(api: &Api, response: &Response) -> TokenStream {
    let name = ident(&response.variant_name);
    let status = status_label(response.status);
    let line = match &response.variant_doc {
        Some(description) => format!("{status}: {}", crate::emit::docs::sanitize(description).join("\n")),
        None => status,
    };
    let docs = doc_attrs([ours(line)]);
    match body_type(api, &response.body) {
        Some(ty) => quote!(#docs #name(#ty),),
        None => quote!(#docs #name,),
    }
}

fn status_label(status: StatusMatch) -> String {
    match status {
        StatusMatch::Code(code) => format!("`{code}`"),
        StatusMatch::Range(range) => format!("`{range}XX`"),
        StatusMatch::Default => "Any other status (`default`)".to_owned(),
    }
}

/// Whether `send`'s request reads the success whole, or leaves it to be streamed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Streamed {
    No,
    Events,
    Download,
}

/// The body of `send` (`Events`: of `events`, which asks for `text/event-stream` and
/// hands back a success's body unread).
fn emit_send_body(api: &Api, operation: &Operation, streamed: Streamed) -> TokenStream {
    let operation_id = &operation.operation_id;
    let method = ident(operation.http_method.as_str());
    let path = &operation.path;
    let mut chain = Vec::new();
    if operation.scope.is_some() {
        let (segment, id) = (crate::scopes::SCOPE_SEGMENT, crate::scopes::SCOPE_ID);
        chain.push(quote!(.path_param(#segment, self.scope.segment()).path_param(#id, self.scope.id())));
    }
    for parameter in &operation.parameters {
        let name = ident(&parameter.rust_name);
        let api_name = &parameter.api_name;
        chain.push(match parameter.location {
            ParameterLocation::Path => match parameter.path_style {
                // A string is handed over, not serialized into a copy of itself.
                PathStyle::Simple if parameter.ty == TypeRef::String => quote!(.path_text(#api_name, self.#name)),
                PathStyle::Simple => quote!(.path_param(#api_name, &self.#name)),
                PathStyle::Matrix { explode } => quote!(.path_matrix(#api_name, &self.#name, #explode)),
                PathStyle::Label { explode } => quote!(.path_label(#api_name, &self.#name, #explode)),
            },
            ParameterLocation::Query => match parameter.query_style {
                QueryStyle::DeepObject => quote!(.query_deep_object(#api_name, &self.#name)),
                QueryStyle::Json => quote!(.query_json(#api_name, &self.#name)),
                QueryStyle::Exploded => quote!(.query(#api_name, &self.#name, true)),
                QueryStyle::Joined(',') => quote!(.query(#api_name, &self.#name, false)),
                QueryStyle::Joined(delimiter) => {
                    let delimiter = delimiter.to_string();
                    quote!(.query_delimited(#api_name, &self.#name, #delimiter))
                }
            },
            ParameterLocation::Header if parameter.query_style == QueryStyle::Json => {
                quote!(.header_json(#api_name, &self.#name))
            }
            ParameterLocation::Header => quote!(.header(#api_name, &self.#name)),
            ParameterLocation::Cookie => quote!(.cookie(#api_name, &self.#name)),
        });
    }
    let mut accepted: Vec<&str> = Vec::new();
    for media_type in operation.responses.iter().filter_map(|response| response.media_type.as_deref()) {
        if !accepted.contains(&media_type) {
            accepted.push(media_type);
        }
    }
    if streamed == Streamed::Events {
        chain.push(quote!(.accept("text/event-stream")));
    } else if !accepted.is_empty() {
        let accept = accepted.join(", ");
        chain.push(quote!(.accept(#accept)));
    }
    if !operation.security.is_empty() {
        let alternatives = operation.security.iter().map(|requirement| {
            let schemes = requirement.iter().map(|index| {
                let constant = ident(&api.security_schemes[*index].const_name);
                quote!(&super::#constant)
            });
            quote!(&[#(#schemes),*])
        });
        chain.push(quote!(.security(&[#(#alternatives),*])));
    }
    chain.push(quote!(.options(self.options)));
    let body_call = operation.body.as_ref().map(|body| {
        let media_type = &body.content_type;
        let argument = if body.required { quote!(&self.body) } else { quote!(body) };
        let call = match body.encoding {
            BodyEncoding::Json => quote!(json(#media_type, #argument)),
            BodyEncoding::Form => {
                let styles = body.property_encodings.iter().filter_map(|encoding| {
                    let style = match encoding.style {
                        QueryStyle::Exploded => return None,
                        QueryStyle::Joined(delimiter) => {
                            let delimiter = delimiter.to_string();
                            quote!(Joined(#delimiter))
                        }
                        QueryStyle::DeepObject => quote!(DeepObject),
                        QueryStyle::Json => quote!(Json),
                    };
                    let name = &encoding.api_name;
                    Some(quote!((#name, runtime::Style::#style)))
                });
                quote!(form(#media_type, #argument, &[#(#styles),*]))
            }
            BodyEncoding::Multipart => {
                let form = multipart_form(api, body, &argument);
                quote!(multipart(#form))
            }
            BodyEncoding::Text => quote!(text(#media_type, #argument)),
            BodyEncoding::Bytes => quote!(file(#media_type, #argument)),
        };
        (body.required, call)
    });
    let request = quote! {
        self.client.core.request(#operation_id, runtime::Method::#method, #path) #(#chain)*
    };
    // The request with its body: an optional body is set only when the caller gave one.
    let (setup, request) = match body_call {
        None => (None, request),
        Some((true, call)) => (None, quote!(#request.#call)),
        Some((false, call)) => (
            Some(quote! {
                let mut request = #request;
                if let Some(body) = &self.body {
                    request = request.#call;
                }
            }),
            quote!(request),
        ),
    };
    if streamed == Streamed::No {
        // `send()` builds the request now and hands it to the runtime with the reading of
        // its answer: no `async fn` (and no state machine) per operation.
        let dispatch = status_dispatch(response_arms(operation, success_envelope(api, operation).is_some()));
        return quote! {
            #setup
            #request.call(|response| #dispatch)
        };
    }
    let send = quote! {
        #setup
        let response = #request.send_streaming().await?;
    };
    // Without documented errors, every answer but a streamed success is unexpected.
    let answer = status_dispatch(error_arms(operation));
    let take = match streamed {
        Streamed::Events => quote!(events),
        _ => quote!(download),
    };
    quote! {
        #send
        let response = match response {
            runtime::Answer::Streaming(streaming) => return Ok(streaming.#take()),
            runtime::Answer::Read(response) => response,
        };
        #answer
    }
}

/// `events()`: for an operation a success of which streams `text/event-stream`.
fn emit_events(api: &Api, operation: &Operation, error_type: &TokenStream) -> Option<TokenStream> {
    let data = type_tokens(api, operation.events()?, TypeContext::Sibling);
    let body = emit_send_body(api, operation, Streamed::Events);
    // A body with a `stream` flag asks for the stream with it (OpenAI's `stream: true`).
    let flag = operation.body.as_ref().filter(|body| body.required).and_then(|body| {
        let TypeKind::Struct(structure) = &api.types.named(&body.ty)?.kind else { return None };
        let field = structure.fields.iter().find(|field| field.api_name == "stream" && field.ty == TypeRef::Bool)?;
        let name = ident(&field.rust_name);
        // An optional nullable field of a sent type is `Option<Option<bool>>` (absent vs `null`).
        Some(match (field.optional(), field.null_distinct) {
            (true, true) => quote!(self.body.#name = Some(Some(true));),
            (true, false) => quote!(self.body.#name = Some(true);),
            (false, _) => quote!(self.body.#name = true;),
        })
    });
    let flag_doc = if flag.is_some() { " The body's `stream` flag is set for it." } else { "" };
    let doc = format!(
        " Sends the request asking for `text/event-stream` and gives the server's events as they \
         arrive, each event's `data` decoded, until the server closes the stream or sends `[DONE]`.{flag_doc} \
         An error status is read and decoded as [`send`](Self::send) does."
    );
    let mutable = flag.is_some().then(|| quote!(mut));
    Some(quote! {
        #[doc = #doc]
        pub async fn events(#mutable self) -> Result<
            impl runtime::Stream<Item = Result<runtime::Event<#data>, runtime::Error<#error_type>>> + Unpin,
            runtime::Error<#error_type>,
        > {
            #flag
            #body
        }
    })
}

/// `download()`: for an operation whose successes are all binary, the body as a stream.
fn emit_download(api: &Api, operation: &Operation, error_type: &TokenStream) -> Option<TokenStream> {
    let mut successes = operation.successes().peekable();
    successes.peek()?;
    if !successes.all(|response| response.body == ResponseBody::Bytes) {
        return None;
    }
    let body = emit_send_body(api, operation, Streamed::Download);
    let doc = " Sends the request and gives the successful body as it arrives, a chunk at a time, \
               never holding it whole ([`send`](Self::send) reads it whole, up to the client's size limit). \
               An error status is read and decoded as `send` does.";
    Some(quote! {
        #[doc = #doc]
        pub async fn download(self) -> Result<runtime::Download<#error_type>, runtime::Error<#error_type>> {
            #body
        }
    })
}

/// Where a status goes among match arms: exact codes before ranges before `default`, as
/// the spec's matching rules say.
fn match_order(status: StatusMatch) -> u8 {
    match status {
        StatusMatch::Code(_) => 0,
        StatusMatch::Range(_) => 1,
        StatusMatch::Default => 2,
    }
}

/// The arms for an answer that is not a streamed success: the documented errors.
/// One arm of the match on a response's status: its patterns (`200 | 201`), and the
/// expression that reads the response.
struct Arm {
    patterns: Vec<StatusMatch>,
    expression: TokenStream,
}

impl Arm {
    fn catch_all(expression: TokenStream) -> Self {
        Arm { patterns: vec![StatusMatch::Default], expression }
    }
}

/// The match on `response`'s status that reads it; the expression alone when one arm
/// takes every status (a match of `_` alone would be noise, and clippy's
/// `match_single_binding`).
fn status_dispatch(arms: Vec<Arm>) -> TokenStream {
    if let [Arm { patterns, expression }] = arms.as_slice() {
        if patterns.contains(&StatusMatch::Default) {
            return expression.clone();
        }
    }
    let arms = arms.into_iter().map(|Arm { patterns, expression }| {
        let patterns = status_patterns(&patterns);
        quote!(#(#patterns)|* => #expression,)
    });
    quote!(match response.status().as_u16() { #(#arms)* })
}

/// An arm's patterns: a `4XX`-style class as its range, and runs of three or more
/// consecutive codes as one range (`200..=203`), as a person (and clippy's
/// `manual_range_patterns`) would write them; two stay `200 | 201`.
fn status_patterns(statuses: &[StatusMatch]) -> Vec<TokenStream> {
    let literal = proc_macro2::Literal::u16_unsuffixed;
    let mut patterns = Vec::new();
    let mut index = 0;
    while let Some(&status) = statuses.get(index) {
        index += 1;
        patterns.push(match status {
            StatusMatch::Code(low) => {
                let mut high = low;
                while statuses.get(index) == Some(&StatusMatch::Code(high + 1)) {
                    high += 1;
                    index += 1;
                }
                let (first, last) = (literal(low), literal(high));
                match high - low {
                    0 => quote!(#first),
                    1 => quote!(#first | #last),
                    _ => quote!(#first..=#last),
                }
            }
            StatusMatch::Range(class) => {
                let (first, last) = (literal(class * 100), literal(class * 100 + 99));
                quote!(#first..=#last)
            }
            StatusMatch::Default => quote!(_),
        });
    }
    patterns
}

fn error_arms(operation: &Operation) -> Vec<Arm> {
    let mut errors: Vec<&Response> = operation.errors().collect();
    errors.sort_by_key(|response| match_order(response.status));
    let mut arms: Vec<Arm> = errors
        .iter()
        .map(|response| {
            let decode = decode_call(&response.body, false);
            let enum_name = ident(&operation.error_name);
            let variant = ident(&response.variant_name);
            Arm { patterns: vec![response.status], expression: quote!(Err(response.#decode(#enum_name::#variant))) }
        })
        .collect();
    if !errors.iter().any(|response| response.status == StatusMatch::Default) {
        arms.push(Arm::catch_all(quote!(Err(response.unexpected()))));
    }
    arms
}

fn response_arms(operation: &Operation, enveloped: bool) -> Vec<Arm> {
    let mut ordered: Vec<&Response> = operation.responses.iter().collect();
    ordered.sort_by_key(|response| match_order(response.status));
    let successes: Vec<&Response> = operation.successes().collect();
    let one_shape = successes.first().is_none_or(|first| successes.iter().all(|response| response.body == first.body));
    let arms = ordered.iter().map(|response| {
        let decode = if enveloped && response.is_success {
            ident("enveloped")
        } else {
            decode_call(&response.body, response.is_success)
        };
        let expression = if response.is_success {
            if one_shape {
                quote!(response.#decode())
            } else {
                let enum_name = ident(&operation.success_name);
                let variant = ident(&response.variant_name);
                match response.body {
                    ResponseBody::Empty => {
                        quote!(response.#decode().map(|response| response.map(|()| #enum_name::#variant)))
                    }
                    _ => quote!(response.#decode().map(|response| response.map(#enum_name::#variant))),
                }
            }
        } else {
            let enum_name = ident(&operation.error_name);
            let variant = ident(&response.variant_name);
            quote!(Err(response.#decode(#enum_name::#variant)))
        };
        // Only the successes of a one-shape operation decode alike; error variants are per status.
        let shared = (response.is_success && one_shape).then(|| decode.to_string());
        (shared, response.status, expression)
    });
    // Neighbouring statuses decoded alike share one arm (`200 | 201 => …`), as a person would write.
    let mut merged: Vec<(Option<String>, Arm)> = Vec::new();
    for (shared, status, expression) in arms {
        match merged.last_mut() {
            Some((previous, arm)) if shared.is_some() && *previous == shared => {
                // `_` already covers the codes before it.
                if status == StatusMatch::Default {
                    arm.patterns.clear();
                }
                arm.patterns.push(status);
            }
            _ => merged.push((shared, Arm { patterns: vec![status], expression })),
        }
    }
    let mut arms: Vec<Arm> = merged.into_iter().map(|(_, arm)| arm).collect();
    if successes.is_empty() {
        arms.insert(0, Arm { patterns: vec![StatusMatch::Range(2)], expression: quote!(response.empty()) });
    }
    if !operation.responses.iter().any(|response| response.status == StatusMatch::Default) {
        arms.push(Arm::catch_all(quote!(Err(response.unexpected()))));
    }
    arms
}

fn decode_call(body: &ResponseBody, is_success: bool) -> proc_macro2::Ident {
    let name = match (body, is_success) {
        (ResponseBody::Empty, true) => "empty",
        (ResponseBody::Json(_), true) => "json",
        (ResponseBody::Text, true) => "text",
        (ResponseBody::Bytes, true) => "bytes",
        (ResponseBody::Empty, false) => "error_empty",
        (ResponseBody::Json(_), false) => "error_json",
        (ResponseBody::Text, false) => "error_text",
        (ResponseBody::Bytes, false) => "error_bytes",
    };
    ident(name)
}

/// `into_stream()` for an operation that pages: every item, page after page.
fn emit_stream(api: &Api, operation: &Operation, error_type: &TokenStream) -> Option<TokenStream> {
    let pagination = operation.pagination.as_ref()?;
    let item = type_tokens(api, &pagination.item_type, TypeContext::Sibling);
    let enveloped = success_envelope(api, operation).is_some();
    // Where paging fields are read from: the envelope, or the body before its items are taken.
    let holder = if enveloped { quote!(response.envelope()) } else { quote!(response.body()) };
    let items = match pagination.items_field.map(|index| &success_fields(api, operation)[index]) {
        None => quote!(response.into_body()),
        Some(field) => {
            let name = ident(&field.rust_name);
            if field.optional() {
                quote!(response.into_body().#name.unwrap_or_default())
            } else {
                quote!(response.into_body().#name)
            }
        }
    };
    let (docs, body) = match &pagination.style {
        PageStyle::PageNumber { parameter, per_page, total_pages } => {
            let page = &operation.parameters[*parameter];
            let page_name = ident(&page.rust_name);
            let one = if matches!(page.ty, TypeRef::F32 | TypeRef::F64) { quote!(1.0) } else { quote!(1) };
            let total = total_pages.as_ref().map(|steps| {
                let total = field_path(&holder, steps);
                let leaf = steps.last().map_or(TypeRef::F64, |step| step.ty.clone());
                let (page, total_value) = (as_f64(quote!(page), &page.ty), as_f64(quote!(*total), &leaf));
                quote!(#total.is_some_and(|total| #page >= #total_value))
            });
            let short_page = per_page.map(|index| {
                let parameter = &operation.parameters[index];
                let size = ident(&parameter.rust_name);
                let size_value = as_f64(quote!(size), &parameter.ty);
                quote!(|| request.#size.is_some_and(|size| (items.len() as f64) < #size_value))
            });
            let docs = format!(
                "Every item, page after page: the request is repeated with `{}` counting up from its value \
                 (1 when unset), until a page comes back empty{}{}.",
                page.api_name,
                if total_pages.is_some() { " or the last page (`total_pages`) is reached" } else { "" },
                if per_page.is_some() { " or shorter than the page size asked for" } else { "" },
            );
            // Read before the items are moved out of the response.
            let total_check = total.map(|check| quote!(let last_page = #check;));
            let total_use = total_pages.as_ref().map(|_| quote!(|| last_page));
            let body = quote! {
                let page = request.#page_name.unwrap_or(#one);
                let response = request.clone().#page_name(page).send().await?;
                #total_check
                let items = #items;
                let done = items.is_empty() #total_use #short_page;
                Ok((items, (!done).then(|| request.#page_name(page + #one))))
            };
            (docs, body)
        }
        PageStyle::Cursor { parameter, next } => {
            let cursor = &operation.parameters[*parameter];
            let cursor_name = ident(&cursor.rust_name);
            let next_value = field_path(&holder, next);
            let docs = format!(
                "Every item, page after page: the request is repeated with `{}` set from each response, \
                 until a response carries no next cursor.",
                cursor.api_name
            );
            let body = quote! {
                let response = request.clone().send().await?;
                let next = #next_value.filter(|next| !next.is_empty()).cloned();
                // A server that hands back the cursor it was given would page forever.
                let next = next.filter(|next| request.#cursor_name.as_ref() != Some(next));
                let items = #items;
                Ok((items, next.map(|next| request.#cursor_name(next))))
            };
            (docs, body)
        }
        PageStyle::AfterLastItem { parameter, has_more, id } => {
            let after = &operation.parameters[*parameter];
            let after_name = ident(&after.rust_name);
            let has_more = field_path(&holder, has_more);
            let id_name = ident(&id.rust_name);
            let last = match pagination.item_type {
                TypeRef::Option(_) => quote!(items.iter().rev().find_map(Option::as_ref)),
                _ => quote!(items.last()),
            };
            let last_id = match id.optional {
                true => quote!(#last.and_then(|item| item.#id_name.clone())),
                false => quote!(#last.map(|item| item.#id_name.clone())),
            };
            let docs = format!(
                "Every item, page after page: the request is repeated with `{}` set to the id of each page's \
                 last item, while the response says `has_more`.",
                after.api_name
            );
            let body = quote! {
                let response = request.clone().send().await?;
                let more = #has_more.copied().unwrap_or(false);
                let items = #items;
                let next = #last_id.filter(|_| more);
                // A server that hands back the item it was given would page forever.
                let next = next.filter(|next| request.#after_name.as_ref() != Some(next));
                Ok((items, next.map(|next| request.#after_name(next))))
            };
            (docs, body)
        }
        PageStyle::LinkHeader => {
            let docs = "Every item, page after page: each next page is the URL the response's `Link` header gives \
                        as `rel=\"next\"`, until a response gives none."
                .to_owned();
            let body = quote! {
                let response = request.clone().send().await?;
                let next = runtime::next_link(response.headers());
                let items = #items;
                Ok((items, runtime::next_page_at(request, next, |request| &mut request.options)))
            };
            (docs, body)
        }
        PageStyle::NextUrl { next } => {
            let next_value = field_path(&holder, next);
            let field = next.iter().map(|step| step.rust_name.trim_start_matches("r#")).collect::<Vec<_>>().join(".");
            let docs = format!(
                "Every item, page after page: each next page is the URL the response gives in `{field}`, until a \
                 response gives none."
            );
            let body = quote! {
                let response = request.clone().send().await?;
                let next = #next_value.filter(|next| !next.is_empty()).cloned();
                let items = #items;
                Ok((items, runtime::next_page_at(request, next, |request| &mut request.options)))
            };
            (docs, body)
        }
        PageStyle::HeaderCursor { parameter, header } => {
            let cursor = &operation.parameters[*parameter];
            let cursor_name = ident(&cursor.rust_name);
            let docs = format!(
                "Every item, page after page: the request is repeated with `{}` set from each response's `{header}` \
                 header, until a response has none.",
                cursor.api_name
            );
            let body = quote! {
                let response = request.clone().send().await?;
                let next = response
                    .headers()
                    .get(#header)
                    .and_then(|value| value.to_str().ok())
                    .filter(|value| !value.is_empty())
                    .map(str::to_owned);
                // A server that hands back the cursor it was given would page forever.
                let next = next.filter(|next| request.#cursor_name.as_ref() != Some(next));
                let items = #items;
                Ok((items, next.map(|next| request.#cursor_name(next))))
            };
            (docs, body)
        }
        PageStyle::Offset { parameter, limit, total } => {
            let offset = &operation.parameters[*parameter];
            let offset_name = ident(&offset.rust_name);
            let offset_type = type_tokens(api, &offset.ty, TypeContext::Sibling);
            let zero = if matches!(offset.ty, TypeRef::F32 | TypeRef::F64) { quote!(0.0) } else { quote!(0) };
            let total_read = total.as_ref().map(|steps| {
                let total = field_path(&holder, steps);
                let leaf = steps.last().map_or(TypeRef::F64, |step| step.ty.clone());
                let total_value = match leaf {
                    TypeRef::F64 => quote!(*total),
                    _ => quote!(*total as f64),
                };
                quote!(let total = #total.map(|total| #total_value);)
            });
            let total_check = total.as_ref().map(|_| quote!(|| total.is_some_and(|total| fetched as f64 >= total)));
            let short_page = limit.map(|index| {
                let parameter = &operation.parameters[index];
                let size = ident(&parameter.rust_name);
                let size_value = as_f64(quote!(size), &parameter.ty);
                quote!(|| request.#size.is_some_and(|size| (items.len() as f64) < #size_value))
            });
            let docs = format!(
                "Every item, page after page: the request is repeated with `{}` advanced past the items fetched \
                 (from its value, 0 when unset), until a page comes back empty{}{}.",
                offset.api_name,
                if total.is_some() { " or the total is reached" } else { "" },
                if limit.is_some() { " or shorter than the limit asked for" } else { "" },
            );
            let body = quote! {
                let offset = request.#offset_name.unwrap_or(#zero);
                let response = request.clone().#offset_name(offset).send().await?;
                #total_read
                let items = #items;
                let fetched = offset + items.len() as #offset_type;
                let done = items.is_empty() #total_check #short_page;
                Ok((items, (!done).then(|| request.#offset_name(fetched))))
            };
            (docs, body)
        }
    };
    let docs = doc_attrs([ours(docs), ours("Pages are fetched as the stream is polled; an error ends it.")]);
    Some(quote! {
        #docs
        pub fn into_stream(self) -> impl runtime::Stream<Item = Result<#item, runtime::Error<#error_type>>> + Unpin + 'c {
            runtime::paginate(self, |request| async move { #body })
        }
    })
}

/// The fields of an operation's success struct (the envelope, when it has one).
fn success_fields<'a>(api: &'a Api, operation: &Operation) -> &'a [crate::ir::Field] {
    let Some(ResponseBody::Json(TypeRef::Named(id))) = operation.successes().next().map(|response| &response.body)
    else {
        return &[];
    };
    match &api.types.resolved(*id).kind {
        TypeKind::Struct(structure) => &structure.fields,
        _ => &[],
    }
}

/// A number as `f64`, cast only when it is not one already (clippy rejects a cast to the same type).
fn as_f64(value: TokenStream, ty: &TypeRef) -> TokenStream {
    match ty {
        TypeRef::F64 => value,
        _ => quote!((#value as f64)),
    }
}

/// `Option<&T>` of the field at `steps` from `root`.
fn field_path(root: &TokenStream, steps: &[FieldStep]) -> TokenStream {
    let Some((first, rest)) = steps.split_first() else { return quote!(Some(#root)) };
    let name = ident(&first.rust_name);
    let mut expression = if first.optional { quote!(#root.#name.as_ref()) } else { quote!(Some(&#root.#name)) };
    for step in rest {
        let name = ident(&step.rust_name);
        expression = if step.optional {
            quote!(#expression.and_then(|value| value.#name.as_ref()))
        } else {
            quote!(#expression.map(|value| &value.#name))
        };
    }
    expression
}

/// The parts of a multipart body, field by field: file fields as file parts (no detour
/// through JSON), the others as text, each with the media type its `encoding` gives.
fn multipart_form(api: &Api, body: &crate::ir::RequestBody, argument: &TokenStream) -> TokenStream {
    let structure = match &body.ty {
        TypeRef::Named(id) => match &api.types.resolved(*id).kind {
            TypeKind::Struct(structure)
                if structure.additional.is_none() && !structure.fields.iter().any(|f| f.flatten) =>
            {
                Some(structure)
            }
            _ => None,
        },
        _ => None,
    };
    let Some(structure) = structure else {
        return quote!(runtime::Multipart::new().members(#argument));
    };
    let owner = if body.required { quote!(self.body) } else { quote!(body) };
    let parts = structure.fields.iter().map(|field| {
        let name = &field.api_name;
        let rust_name = ident(&field.rust_name);
        let content_type = body
            .property_encodings
            .iter()
            .find(|encoding| encoding.api_name == field.api_name)
            .and_then(|encoding| encoding.content_type.as_deref());
        let content_type = match content_type {
            Some(media) => quote!(Some(#media)),
            None => quote!(None),
        };
        let method = if field.ty.holds_files() { quote!(file) } else { quote!(text) };
        quote!(.#method(#name, &#owner.#rust_name, #content_type))
    });
    quote!(runtime::Multipart::new() #(#parts)*)
}
