//! Emits an API's `mod.rs`: module docs, security scheme constants, the `Client`, and
//! the credential setters of its `ClientBuilder`.

use super::docs::{doc_attrs, inner_doc_attrs, ours, spec};
use super::ident;
use crate::ir::{Api, ApiKeyLocation, SchemeKind};
use proc_macro2::TokenStream;
use quote::quote;

pub(crate) fn emit_api_module(api: &Api) -> TokenStream {
    let title_line = match api.version.is_empty() {
        true => format!("{}.", api.title),
        false => format!("{} (API version {}).", api.title, api.version),
    };
    let module_docs = inner_doc_attrs([spec(Some(title_line.as_str())), spec(api.description.as_deref())]);
    let group_modules = api.groups.iter().map(|group| {
        let module = ident(&group.module);
        let cfg = group.feature.as_ref().map(|feature| quote!(#[cfg(feature = #feature)]));
        quote!(#cfg pub mod #module;)
    });
    // With tag features, the operations that use a scheme may all be switched off.
    // With tag features the operations that use a scheme may all be switched off; an API
    // without operations never reads its client's core.
    let has_operations = api.groups.iter().any(|group| !group.operations.is_empty());
    let allow_unused = (api.core_feature.is_some() || !has_operations).then(|| quote!(#[allow(dead_code)]));
    let allow_unused_import = api.core_feature.is_some().then(|| quote!(#[allow(unused_imports)]));
    // An API without schemas has no types module: an empty glob re-export would warn.
    let types_module = (!api.types.types.is_empty()).then(|| {
        quote! {
            mod types;

            #allow_unused_import
            pub use self::types::*;
        }
    });
    let schemes = api.security_schemes.iter().map(|scheme| {
        let name = ident(&scheme.const_name);
        let api_name = &scheme.api_name;
        let kind = match &scheme.kind {
            SchemeKind::Bearer => quote!(runtime::SchemeKind::Bearer),
            SchemeKind::Basic => quote!(runtime::SchemeKind::Basic),
            SchemeKind::ApiKey { location, name } => match location {
                ApiKeyLocation::Header => quote!(runtime::SchemeKind::ApiKeyHeader(#name)),
                ApiKeyLocation::Query => quote!(runtime::SchemeKind::ApiKeyQuery(#name)),
                ApiKeyLocation::Cookie => quote!(runtime::SchemeKind::ApiKeyCookie(#name)),
            },
        };
        let doc = match &scheme.unsupported {
            None => format!(" The `{api_name}` security scheme."),
            Some(reason) => format!(
                " The `{api_name}` security scheme: {reason}, which this client cannot send. Operations that accept only it fail with `MissingCredentials`."
            ),
        };
        quote! {
            #[doc = #doc]
            #allow_unused
            const #name: runtime::SecurityScheme = runtime::SecurityScheme { name: #api_name, kind: #kind };
        }
    });
    let supported = || api.security_schemes.iter().filter(|scheme| scheme.unsupported.is_none());
    let setters = supported().map(|scheme| {
        let setter = ident(&scheme.setter);
        let constant = ident(&scheme.const_name);
        let what = match &scheme.kind {
            SchemeKind::Bearer => "Sends `Authorization: Bearer <token>`".to_owned(),
            SchemeKind::Basic => "Sends `Authorization: Basic` with these credentials".to_owned(),
            SchemeKind::ApiKey { location: ApiKeyLocation::Header, name } => format!("Sends the key in the `{name}` header"),
            SchemeKind::ApiKey { location: ApiKeyLocation::Query, name } => format!("Sends the key as the `{name}` query parameter"),
            SchemeKind::ApiKey { location: ApiKeyLocation::Cookie, name } => format!("Sends the key as the `{name}` cookie"),
        };
        let usage = format!(
            "{what} (security scheme `{}`) on operations that accept it. The value never appears in `Debug` output or errors.",
            scheme.api_name
        );
        let docs = doc_attrs([spec(scheme.description.as_deref()), ours(usage)]);
        match scheme.kind {
            SchemeKind::Basic => quote! {
                #docs
                pub fn #setter(self, username: impl Into<String>, password: impl Into<String>) -> Self {
                    self.credential(&#constant, runtime::Credential::basic(username, password))
                }
            },
            _ => {
                let provider = scheme.provider_setter.as_ref().map(|name| {
                    let name = ident(name);
                    let doc = format!(
                        " Asks `provider` for a token on each request (security scheme `{}`), and once more, told \
                         to refresh, when the server answers 401: [`runtime::ClientCredentials`], \
                         [`runtime::RefreshToken`], or your own.",
                        scheme.api_name
                    );
                    quote! {
                        #[doc = #doc]
                        pub fn #name(self, provider: impl runtime::TokenProvider) -> Self {
                            self.credential(&#constant, runtime::Credential::tokens(provider))
                        }
                    }
                });
                let client_credentials = scheme.client_credentials.as_ref().map(|(name, url)| {
                    let name = ident(name);
                    // On the spec's own server, the token endpoint moves with the base URL
                    // (a self-hosted Zitadel's spec names an example host).
                    let server = api.servers.first().map(|server| server.url.as_str()).unwrap_or_default();
                    let url = on_server(url, server).unwrap_or(url);
                    let doc = format!(
                        " OAuth 2.0 client credentials (a server-side app's id and secret) traded at `{url}` (a path is \
                         on the client's base URL's host) for \
                         access tokens, cached and refreshed before they expire (security scheme `{}`). For \
                         scopes, pass a [`runtime::ClientCredentials`] to the token provider setter.",
                        scheme.api_name
                    );
                    quote! {
                        #[doc = #doc]
                        pub fn #name(self, client_id: impl Into<String>, client_secret: impl Into<String>) -> Self {
                            self.credential(
                                &#constant,
                                runtime::Credential::tokens(runtime::ClientCredentials::new(#url, client_id, client_secret)),
                            )
                        }
                    }
                });
                quote! {
                    #docs
                    pub fn #setter(self, secret: impl Into<String>) -> Self {
                        self.credential(&#constant, runtime::Credential::secret(secret))
                    }
                    #provider
                    #client_credentials
                }
            }
        }
    });
    let setters_impl = supported().next().is_some().then(|| {
        quote! {
            /// Credentials for the API's security schemes.
            impl ClientBuilder {
                #(#setters)*
            }
        }
    });
    let accessors = api.groups.iter().filter(|group| group.tag.is_some()).map(|group| {
        let accessor = ident(&group.accessor);
        let module = ident(&group.module);
        let type_name = ident(&group.type_name);
        let line = format!("{}.", group.summary);
        let docs = doc_attrs([ours(line), spec(group.description.as_deref())]);
        let cfg = group.feature.as_ref().map(|feature| quote!(#[cfg(feature = #feature)]));
        quote! {
            #docs
            #cfg
            pub fn #accessor(&self) -> #module::#type_name<'_> {
                #module::#type_name::new(self)
            }
        }
    });
    let default_server = api.servers.first().filter(|server| server.url.starts_with("http"));
    let (base_url_const, builder_fn) = match default_server {
        Some(server) => {
            let url = &server.url;
            let line = format!("The spec's first server, `{url}`.");
            let docs = doc_attrs([ours(line), spec(server.description.as_deref())]);
            (
                quote! {
                    #docs
                    pub const DEFAULT_BASE_URL: &'static str = #url;
                },
                quote! {
                    /// Starts configuring a client for [`Client::DEFAULT_BASE_URL`].
                    pub fn builder() -> ClientBuilder {
                        runtime::ClientBuilder::new(Self::DEFAULT_BASE_URL)
                    }
                },
            )
        }
        None => (
            quote!(),
            quote! {
                /// Starts configuring a client for the server at `base_url` (the spec names no absolute server URL).
                pub fn builder(base_url: impl Into<String>) -> ClientBuilder {
                    runtime::ClientBuilder::new(base_url)
                }
            },
        ),
    };
    let from_env = emit_from_env(api, default_server.is_some());
    let scopes = api.scopes.iter().enumerate().map(|(index, scope)| {
        // A scope enum belongs to the group of the combined operations that take it.
        let features: Vec<String> = api
            .groups
            .iter()
            .filter(|group| group.operations.iter().any(|operation| operation.scope == Some(index)))
            .filter_map(|group| group.feature.clone())
            .collect();
        super::gate(emit_scope(scope), &features)
    });
    let client_doc = format!(" Client for {}. Cheap to clone: clones share one connection pool.", api.title);
    let raw = emit_raw(api);
    quote! {
        #module_docs

        #(#group_modules)*
        #types_module

        use crate::runtime;

        #(#schemes)*

        /// Configures a [`Client`]: base URL, credentials, timeouts, headers.
        pub type ClientBuilder = runtime::ClientBuilder<Client>;

        #[doc = #client_doc]
        #[derive(Debug, Clone)]
        pub struct Client {
            #allow_unused
            core: runtime::ClientCore,
        }

        impl Client {
            #base_url_const
            #builder_fn
            #from_env
            #raw
            #(#accessors)*
        }

        impl From<runtime::ClientCore> for Client {
            fn from(core: runtime::ClientCore) -> Self {
                Self { core }
            }
        }

        #setters_impl

        #(#scopes)*
    }
}

/// The path of `url` when it is on `server`'s host (scheme, host and port alike).
fn on_server<'u>(url: &'u str, server: &str) -> Option<&'u str> {
    let origin = |url: &str| {
        let (scheme, rest) = url.split_once("://")?;
        let host = rest.split('/').next()?;
        Some((scheme.to_ascii_lowercase(), host.to_ascii_lowercase(), scheme.len() + 3 + host.len()))
    };
    let (scheme, host, end) = origin(url)?;
    let (server_scheme, server_host, _) = origin(server)?;
    let path = &url[end..];
    (scheme == server_scheme && host == server_host && path.starts_with('/')).then_some(path)
}

/// `Client::raw`: an endpoint the spec lacks, sent with the credentials of any
/// alternative an operation of the spec accepts (in the order the spec first names them).
fn emit_raw(api: &Api) -> TokenStream {
    let mut alternatives: Vec<&Vec<usize>> = Vec::new();
    let operations = api.groups.iter().flat_map(|group| &group.operations);
    for alternative in operations.flat_map(|operation| &operation.security) {
        let sendable = alternative.iter().all(|scheme| api.security_schemes[*scheme].unsupported.is_none());
        if !alternative.is_empty() && sendable && !alternatives.contains(&alternative) {
            alternatives.push(alternative);
        }
    }
    let alternatives = alternatives.iter().map(|alternative| {
        let schemes = alternative.iter().map(|scheme| ident(&api.security_schemes[*scheme].const_name));
        quote!(&[#(&#schemes),*])
    });
    quote! {
        /// A request to an endpoint the spec does not document: `path` (with any query)
        /// under the base URL, with this client's credentials, retries, timeouts and
        /// hooks. Finish it with `send_json::<T>()` or `send_bytes()`.
        pub fn raw(&self, method: runtime::Method, path: impl Into<String>) -> runtime::RawRequest<'_> {
            self.core.raw(method, path, &[#(#alternatives),*])
        }
    }
}

/// The enum a combined operation takes: which parent resource it applies to.
fn emit_scope(scope: &crate::ir::Scope) -> TokenStream {
    let name = ident(&scope.enum_name);
    let paths: Vec<String> =
        scope.variants.iter().map(|variant| format!("`/{}/{{{}}}`", variant.segment, variant.id_parameter)).collect();
    let docs = doc_attrs([ours(format!(
        "The parent an operation applies to, for operations that exist under both {}.",
        paths.join(" and ")
    ))]);
    let variants = scope.variants.iter().zip(&paths).map(|(variant, path)| {
        let variant_name = ident(&variant.rust_name);
        let docs = doc_attrs([ours(format!("{path}.")), spec(variant.description.as_deref())]);
        quote!(#docs #variant_name(String),)
    });
    let segments = scope.variants.iter().map(|variant| {
        let variant_name = ident(&variant.rust_name);
        let segment = &variant.segment;
        quote!(Self::#variant_name(_) => #segment,)
    });
    let ids = scope.variants.iter().map(|variant| {
        let variant_name = ident(&variant.rust_name);
        quote!(Self::#variant_name(id))
    });
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum #name {
            #(#variants)*
        }

        impl #name {
            fn segment(&self) -> &'static str {
                match self {
                    #(#segments)*
                }
            }

            fn id(&self) -> &str {
                match self {
                    #(#ids)|* => id,
                }
            }
        }
    }
}

/// `Client::from_env()`: the base URL and every credential the environment provides.
fn emit_from_env(api: &Api, has_default_server: bool) -> TokenStream {
    let base_variable = format!("{}_BASE_URL", api.env_prefix);
    let start =
        if has_default_server { quote!(Self::builder()) } else { quote!(runtime::ClientBuilder::new(String::new())) };
    let supported = || api.security_schemes.iter().filter(|scheme| scheme.unsupported.is_none());
    let credentials = supported().map(|scheme| {
        let constant = ident(&scheme.const_name);
        let variable = &scheme.env_var;
        quote!(.credential_from_env(&#constant, #variable))
    });
    let mut variables: Vec<String> = supported()
        .map(|scheme| match scheme.kind {
            SchemeKind::Basic => format!("`{0}_USERNAME` + `{0}_PASSWORD`", scheme.env_var),
            _ => format!("`{}`", scheme.env_var),
        })
        .collect();
    variables.dedup();
    let base_line = if has_default_server {
        format!("The base URL is `{base_variable}` when set, else [`Client::DEFAULT_BASE_URL`].")
    } else {
        format!("The base URL is `{base_variable}` (the spec names no absolute server URL).")
    };
    let credential_line = if variables.is_empty() {
        String::new()
    } else {
        format!("Credentials come from {}, for each that is set.", variables.join(", "))
    };
    let docs = doc_attrs([
        ours("Starts configuring a client from environment variables."),
        ours(format!("{base_line} {credential_line}").trim_end().to_owned()),
    ]);
    quote! {
        #docs
        pub fn from_env() -> ClientBuilder {
            #start.base_url_from_env(#base_variable) #(#credentials)*
        }
    }
}
