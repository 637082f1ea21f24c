//! Configuring a client: [`ClientBuilder`] (base URL, credentials, timeouts, retries,
//! hooks), the [`ClientCore`] every generated client holds, and per-request
//! [`RequestOptions`].

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderName, HeaderValue};
use serde::Serialize;

use super::auth::Attach;
use super::hooks::Hooks;
use super::{Credential, HeaderMap, Hook, RetryPolicy, SchemeKind, SecurityScheme, TokenClient};

/// Settings for one request that override the client's.
#[derive(Debug, Clone, Default)]
pub struct RequestOptions {
    // Boxed, and absent until something is set: every request builder holds options and
    // most calls set none, so the usual call moves and drops one null pointer.
    settings: Option<Box<Settings>>,
}

/// What [`RequestOptions`] sets, read by the send loop.
#[derive(Debug, Clone, Default)]
pub(crate) struct Settings {
    pub(crate) timeout: Option<Duration>,
    pub(crate) retry: Option<RetryPolicy>,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) extra_body: Vec<(String, Result<serde_json::Value, String>)>,
    pub(crate) url: Option<String>,
}

impl RequestOptions {
    pub fn new() -> Self {
        Self::default()
    }

    pub(crate) fn settings(&self) -> Option<&Settings> {
        self.settings.as_deref()
    }

    pub(crate) fn settings_mut(&mut self) -> &mut Settings {
        self.settings.get_or_insert_default()
    }

    /// The settings, leaving none behind.
    pub(crate) fn take(&mut self) -> Settings {
        self.settings.take().map(|settings| *settings).unwrap_or_default()
    }

    /// Gives up on this request (each try of it) after this long.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.settings_mut().timeout = Some(timeout);
        self
    }

    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.settings_mut().retry = Some(policy);
        self
    }

    /// Sends this header too (a value with a line break fails the request before sending).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.settings_mut().headers.push((name.into(), value.into()));
        self
    }

    /// Sends this query parameter too.
    pub fn query(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.settings_mut().query.push((name.into(), value.into()));
        self
    }

    /// Sends the request to this URL instead of the one its path and parameters make
    /// (the next page a `Link` header names). It must be under the client's base URL:
    /// credentials go nowhere else.
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.settings_mut().url = Some(url.into());
        self
    }

    /// Adds the member `name` to a JSON object body (replacing one of that name): a
    /// field the server takes that the spec does not list yet. A value that cannot be
    /// JSON, or a body that is not a JSON object, fails the request before sending.
    pub fn extra_body(mut self, name: impl Into<String>, value: impl Serialize) -> Self {
        self.settings_mut()
            .extra_body
            .push((name.into(), super::encode::json_value(&value).map_err(|error| error.to_string())));
        self
    }
}

/// Why a client could not be built.
#[derive(Debug)]
pub enum BuildError {
    /// The base URL is not an absolute `http` or `https` URL.
    InvalidBaseUrl { url: String, reason: String },
    /// A default header has an invalid name or value.
    InvalidHeader { name: String },
    /// `reqwest` could not build its client (for example, TLS could not be set up).
    Http(reqwest::Error),
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidBaseUrl { url, reason } => write!(f, "invalid base URL `{url}`: {reason}"),
            Self::InvalidHeader { name } => write!(f, "invalid default header `{name}`"),
            Self::Http(error) => write!(f, "could not build the HTTP client: {error}"),
        }
    }
}

impl std::error::Error for BuildError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Http(error) => Some(error),
            _ => None,
        }
    }
}

/// Configures an API's client. Each API module names it `ClientBuilder` and adds one
/// setter per security scheme of its spec.
#[derive(Debug, Clone)]
pub struct ClientBuilder<C> {
    base_url: String,
    http: Option<reqwest::Client>,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    user_agent: String,
    default_headers: Vec<(String, String)>,
    credentials: BTreeMap<&'static str, (SecurityScheme, Credential)>,
    retry: RetryPolicy,
    max_response_bytes: u64,
    hooks: Hooks,
    client: PhantomData<fn() -> C>,
}

/// Whether a TLS backend is compiled in, for `https` base URLs.
const TLS: bool = cfg!(any(feature = "rustls", feature = "native-tls"));

/// Whether a client for `base_url` would need TLS it was built without (a caller's own
/// `reqwest::Client` brings its own).
fn needs_missing_tls(base_url: &reqwest::Url, own_http_client: bool, tls: bool) -> bool {
    base_url.scheme() == "https" && !own_http_client && !tls
}

/// The largest response body a client reads unless told otherwise: far above any JSON
/// page, far below what would exhaust memory when a server misbehaves.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 64 * 1024 * 1024;

impl<C: From<ClientCore>> ClientBuilder<C> {
    pub fn new(base_url: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into(),
            http: None,
            timeout: None,
            connect_timeout: None,
            user_agent: concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION")).to_owned(),
            default_headers: Vec::new(),
            credentials: BTreeMap::new(),
            retry: RetryPolicy::default(),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            hooks: Hooks::default(),
            client: PhantomData,
        }
    }

    /// Runs `hook` on every request and answer (after the hooks added before it).
    pub fn hook(mut self, hook: impl Hook) -> Self {
        self.hooks.0.push(Arc::new(hook));
        self
    }

    /// Refuses response bodies larger than this many bytes with
    /// [`Error::ResponseTooLarge`](super::Error::ResponseTooLarge), reading no further (default:
    /// [`DEFAULT_MAX_RESPONSE_BYTES`]; `u64::MAX` for no limit).
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// How failed requests are retried (default: [`RetryPolicy::default`]).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Uses the base URL in the environment variable `variable`, when it is set.
    pub fn base_url_from_env(self, variable: &str) -> Self {
        match std::env::var(variable) {
            Ok(url) if !url.is_empty() => self.base_url(url),
            _ => self,
        }
    }

    /// Stores the credential for `scheme` from the environment variable `variable`, when
    /// it is set. Basic authentication reads `{variable}_USERNAME` and `{variable}_PASSWORD`.
    pub fn credential_from_env(self, scheme: &SecurityScheme, variable: &str) -> Self {
        let read = |name: &str| std::env::var(name).ok().filter(|value| !value.is_empty());
        let credential = match scheme.kind {
            SchemeKind::Basic => match (read(&format!("{variable}_USERNAME")), read(&format!("{variable}_PASSWORD"))) {
                (Some(username), Some(password)) => Some(Credential::basic(username, password)),
                _ => None,
            },
            _ => read(variable).map(Credential::secret),
        };
        match credential {
            Some(credential) => self.credential(scheme, credential),
            None => self,
        }
    }

    /// Sends requests to this server instead of the default one (a test server, a proxy).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Uses this `reqwest::Client` (its pool, proxy and TLS settings). The timeout,
    /// user agent and default header settings of this builder then do not apply.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Gives up on a request (connecting, sending and reading the response) after this long.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Gives up on connecting after this long.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Sends this header on every request.
    pub fn default_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.default_headers.push((name.into(), value.into()));
        self
    }

    /// Stores the credential for one security scheme; generated setters call this.
    pub fn credential(mut self, scheme: &SecurityScheme, credential: Credential) -> Self {
        self.credentials.insert(scheme.name, (*scheme, credential));
        self
    }

    pub fn build(self) -> Result<C, BuildError> {
        let base_url = reqwest::Url::parse(&self.base_url)
            .map_err(|error| BuildError::InvalidBaseUrl { url: self.base_url.clone(), reason: error.to_string() })?;
        if !matches!(base_url.scheme(), "http" | "https") {
            return Err(BuildError::InvalidBaseUrl { url: self.base_url, reason: "expected http or https".to_owned() });
        }
        if needs_missing_tls(&base_url, self.http.is_some(), TLS) {
            return Err(BuildError::InvalidBaseUrl {
                url: self.base_url,
                reason: "https needs a TLS backend: enable the crate's `rustls` or `native-tls` feature".to_owned(),
            });
        }
        let http = match self.http {
            Some(http) => http,
            None => {
                let mut headers = HeaderMap::new();
                for (name, value) in &self.default_headers {
                    let invalid = || BuildError::InvalidHeader { name: name.clone() };
                    let header_name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| invalid())?;
                    let header_value = HeaderValue::from_str(value).map_err(|_| invalid())?;
                    headers.append(header_name, header_value);
                }
                let mut builder = reqwest::Client::builder().user_agent(self.user_agent).default_headers(headers);
                if let Some(timeout) = self.timeout {
                    builder = builder.timeout(timeout);
                }
                if let Some(timeout) = self.connect_timeout {
                    builder = builder.connect_timeout(timeout);
                }
                // Asked for by name (rustls is on by default), the platform's TLS wins.
                #[cfg(feature = "native-tls")]
                {
                    builder = builder.tls_backend_native();
                }
                builder.build().map_err(BuildError::Http)?
            }
        };
        let credentials = (self.credentials.into_iter())
            .map(|(name, (scheme, credential))| (name, Attach::new(&scheme, credential, &http)))
            .collect();
        let base_text = base_url.as_str().trim_end_matches('/').to_owned();
        let accept_by_default = self.default_headers.iter().any(|(name, _)| name.eq_ignore_ascii_case("accept"));
        Ok(C::from(ClientCore {
            http,
            base_url: base_text,
            base: base_url,
            credentials: Arc::new(credentials),
            retry: self.retry,
            accept_by_default,
            max_response_bytes: self.max_response_bytes,
            hooks: self.hooks,
        }))
    }
}

/// What every API client holds: the HTTP client, the base URL and the credentials.
#[derive(Clone)]
pub struct ClientCore {
    pub(crate) http: reqwest::Client,
    /// Without a trailing `/`; paths start with one.
    pub(crate) base_url: String,
    /// The same, parsed once: a request's URL is this with its path set, so its scheme
    /// and host are not parsed again on every call.
    pub(crate) base: reqwest::Url,
    pub(crate) credentials: Arc<BTreeMap<&'static str, Attach>>,
    pub(crate) retry: RetryPolicy,
    /// A default `Accept` header was configured; it wins over the operations' own.
    pub(crate) accept_by_default: bool,
    pub(crate) max_response_bytes: u64,
    pub(crate) hooks: Hooks,
}

impl fmt::Debug for ClientCore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCore")
            .field("base_url", &self.base_url)
            .field("credentials", &self.credentials.keys().collect::<Vec<_>>())
            .field("retry", &self.retry)
            .field("hooks", &self.hooks)
            .finish_non_exhaustive()
    }
}

impl ClientCore {
    pub(crate) fn token_client(&self) -> TokenClient<'_> {
        TokenClient { http: &self.http, base_url: &self.base_url }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Api(ClientCore);

    impl From<ClientCore> for Api {
        fn from(core: ClientCore) -> Self {
            Self(core)
        }
    }

    #[test]
    fn https_is_refused_only_without_a_tls_backend() {
        let https = reqwest::Url::parse("https://api.example.com").expect("a URL");
        let http = reqwest::Url::parse("http://127.0.0.1:8080").expect("a URL");
        assert!(needs_missing_tls(&https, false, false));
        assert!(!needs_missing_tls(&https, true, false), "the caller's client brings its own");
        assert!(!needs_missing_tls(&https, false, true));
        assert!(!needs_missing_tls(&http, false, false));
        // With the default `rustls` it builds; built without TLS, it is refused.
        assert_eq!(ClientBuilder::<Api>::new("https://api.example.com/v1/").build().is_ok(), TLS);
    }

    #[test]
    fn base_urls_must_be_absolute_http_and_lose_their_trailing_slash() {
        let built = ClientBuilder::<Api>::new("http://api.example.com/v1/").build().expect("builds");
        assert_eq!(built.0.base_url, "http://api.example.com/v1");
        for bad in ["api.example.com", "ftp://api.example.com", ""] {
            let error = ClientBuilder::<Api>::new(bad).build().err().expect("refused");
            assert!(matches!(error, BuildError::InvalidBaseUrl { .. }), "{bad}: {error}");
        }
        let error = ClientBuilder::<Api>::new("http://x.test").default_header("bad name", "v").build().err();
        assert!(matches!(error, Some(BuildError::InvalidHeader { .. })));
    }
}
