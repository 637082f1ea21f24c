//! The runtime every generated API module calls: configuration, authentication, request
//! building, sending, and typed results and errors.
//!
//! Hand-written, and copied verbatim into each generated crate from
//! `generator/runtime/runtime.rs`, so a generated crate depends only on crates.io.
//! Generated code reaches HTTP only through this module.

use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

pub use bytes::Bytes;
/// The HTTP client the runtime is built on, at the version it needs: build your own
/// `reqwest::Client` from here for [`ClientBuilder::http_client`].
pub use reqwest;
pub use futures_util::{Stream, StreamExt};
pub use reqwest::header::HeaderMap;
pub use reqwest::{Method, StatusCode};

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use reqwest::header::{HeaderName, HeaderValue};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// The future behind `.await` on a request builder.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Everything but RFC 3986 unreserved characters is escaped, so a path value can never
/// leave its segment (`/`), start a query (`?`) or fragment (`#`), or smuggle an escape (`%`).
const PATH_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// When and how a failed request is tried again: on connection errors, timeouts, and
/// statuses 408, 409, 429 and 5xx, with exponential backoff and jitter, honouring the
/// server's `Retry-After`. By default only idempotent methods are retried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    max_retries: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    retry_non_idempotent: bool,
    idempotency_header: Option<String>,
}

impl Default for RetryPolicy {
    /// Two retries, backing off from 0.5 s up to 8 s.
    fn default() -> Self {
        Self {
            max_retries: 2,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
            retry_non_idempotent: false,
            idempotency_header: None,
        }
    }
}

impl RetryPolicy {
    /// Never retry.
    pub fn none() -> Self {
        Self { max_retries: 0, ..Self::default() }
    }

    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// The wait before the first retry; it doubles for each one after, up to `max_backoff`.
    pub fn initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// The longest wait between tries, also the cap on a server's `Retry-After`.
    pub fn max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// Also retry `POST` and `PATCH`, which may not be safe to repeat.
    pub fn retry_non_idempotent(mut self, retry: bool) -> Self {
        self.retry_non_idempotent = retry;
        self
    }

    /// With [`retry_non_idempotent`](Self::retry_non_idempotent), sends a fresh random key
    /// in this header on each `POST` or `PATCH` that has none (the same key on every
    /// attempt), so the server applies a retried request once: Stripe's `Idempotency-Key`.
    pub fn idempotency_key(mut self, header: impl Into<String>) -> Self {
        self.idempotency_header = Some(header.into());
        self
    }

    /// The header and a new key for a request of `method` that may be retried although
    /// repeating it is not safe.
    fn idempotency_key_for(&self, method: &Method) -> Option<(&str, String)> {
        let header = self.idempotency_header.as_deref().filter(|_| self.retry_non_idempotent && !is_idempotent(method))?;
        Some((header, format!("{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..))))
    }

    fn allows(&self, method: &Method) -> bool {
        is_idempotent(method) || self.retry_non_idempotent
    }

    /// The wait before retry number `retry` (1-based): the server's `Retry-After` when it
    /// gives one, else exponential backoff less up to 25% jitter, so clients spread out.
    fn delay(&self, retry: u32, headers: Option<&HeaderMap>) -> Duration {
        if let Some(wait) = headers.and_then(retry_after) {
            return wait.min(self.max_backoff);
        }
        let exponential = self.initial_backoff.saturating_mul(2_u32.saturating_pow(retry.saturating_sub(1)));
        exponential.min(self.max_backoff).mul_f64(1.0 - 0.25 * fastrand::f64())
    }
}

fn is_idempotent(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS | Method::TRACE)
}

/// `Retry-After` as seconds or an HTTP date, or the non-standard `retry-after-ms`.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let text = |name: &str| headers.get(name).and_then(|value| value.to_str().ok()).map(str::trim);
    if let Some(millis) = text("retry-after-ms").and_then(|value| value.parse::<f64>().ok()) {
        return Duration::try_from_secs_f64(millis / 1000.0).ok();
    }
    let value = text("retry-after")?;
    if let Ok(seconds) = value.parse::<f64>() {
        return Duration::try_from_secs_f64(seconds).ok();
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(SystemTime::now()).unwrap_or(Duration::ZERO))
}

/// The body, read chunk by chunk; `None` as soon as it exceeds `limit` bytes (or says it
/// will, in `Content-Length`), so a misbehaving server cannot make the client buffer more.
async fn read_limited(mut response: reqwest::Response, limit: u64) -> Result<Option<Bytes>, reqwest::Error> {
    if response.content_length().is_some_and(|length| length > limit) {
        return Ok(None);
    }
    let mut first: Option<Bytes> = None;
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        let read = first.as_ref().map_or(0, Bytes::len) + body.len();
        if read as u64 + chunk.len() as u64 > limit {
            return Ok(None);
        }
        // Most bodies come in one chunk: keep it as it is, copying only from a second on.
        match first.take() {
            None if body.is_empty() => first = Some(chunk),
            earlier => {
                body.extend_from_slice(&earlier.unwrap_or_default());
                body.extend_from_slice(&chunk);
            }
        }
    }
    Ok(Some(first.unwrap_or_else(|| Bytes::from(body))))
}

fn retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 408 | 409 | 429) || status.is_server_error()
}

/// Settings for one request that override the client's.
#[derive(Debug, Clone, Default)]
pub struct RequestOptions {
    timeout: Option<Duration>,
    retry: Option<RetryPolicy>,
    headers: Vec<(String, String)>,
    query: Vec<(String, String)>,
    extra_body: Vec<(String, Result<serde_json::Value, String>)>,
    url: Option<String>,
}

impl RequestOptions {
    pub fn new() -> Self {
        Self::default()
    }

    /// Gives up on this request (each try of it) after this long.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Sends this header too (a value with a line break fails the request before sending).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sends this query parameter too.
    pub fn query(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((name.into(), value.into()));
        self
    }

    /// Sends the request to this URL instead of the one its path and parameters make
    /// (the next page a `Link` header names). It must be under the client's base URL:
    /// credentials go nowhere else.
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.url = Some(url.into());
        self
    }

    /// Adds the member `name` to a JSON object body (replacing one of that name): a
    /// field the server takes that the spec does not list yet. A value that cannot be
    /// JSON, or a body that is not a JSON object, fails the request before sending.
    pub fn extra_body(mut self, name: impl Into<String>, value: impl Serialize) -> Self {
        self.extra_body.push((name.into(), serde_json::to_value(value).map_err(|error| error.to_string())));
        self
    }
}

/// A credential. Its value never appears in `Debug` output, logs or error messages.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret value itself, for sending it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// How a security scheme of the spec puts its credential on a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemeKind {
    /// `Authorization: Bearer <token>` (HTTP bearer, OAuth2, OpenID Connect).
    Bearer,
    /// `Authorization: Basic <base64(username:password)>`.
    Basic,
    /// The key in the named header.
    ApiKeyHeader(&'static str),
    /// The key as the named query parameter.
    ApiKeyQuery(&'static str),
    /// The key as the named cookie.
    ApiKeyCookie(&'static str),
}

/// A security scheme of the spec, by its name under `components/securitySchemes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SecurityScheme {
    pub name: &'static str,
    pub kind: SchemeKind,
}

/// A credential for one security scheme.
#[derive(Debug, Clone)]
pub enum Credential {
    /// A token or key.
    Secret(Secret),
    /// A username and password for HTTP basic authentication.
    Basic { username: String, password: Secret },
    /// Bearer tokens asked for per request, from a [`TokenProvider`].
    Tokens(Arc<dyn TokenProvider>),
}

impl Credential {
    pub fn secret(value: impl Into<String>) -> Self {
        Self::Secret(Secret::new(value))
    }

    /// Bearer tokens from `provider`: asked for on every request, and once more (told to
    /// refresh) when the server answers 401.
    pub fn tokens(provider: impl TokenProvider) -> Self {
        Self::Tokens(Arc::new(provider))
    }

    pub fn basic(username: impl Into<String>, password: impl Into<String>) -> Self {
        Self::Basic { username: username.into(), password: Secret::new(password) }
    }
}

/// Gives a client an access token for each request, fetching and refreshing it as
/// needed: [`ClientCredentials`], [`RefreshToken`], or your own.
pub trait TokenProvider: fmt::Debug + Send + Sync + 'static {
    /// A token to send. `refresh`: the server refused the last one (a 401); get a new one.
    /// `client` gives the client's own HTTP client and base URL, for a token endpoint.
    fn token<'a>(&'a self, client: TokenClient<'a>, refresh: bool) -> BoxFuture<'a, Result<Secret, String>>;
}

/// What a [`TokenProvider`] may use of the client asking it.
#[derive(Debug, Clone, Copy)]
pub struct TokenClient<'a> {
    pub http: &'a reqwest::Client,
    /// The client's base URL: a token endpoint given as a path (`/oauth/v2/token`) is on
    /// its host, as for a self-hosted server whose spec names an example host.
    pub base_url: &'a str,
}

impl TokenClient<'_> {
    /// `url` itself, or on the base URL's host when it is a path.
    pub fn resolve(&self, url: &str) -> String {
        if !url.starts_with('/') {
            return url.to_owned();
        }
        match reqwest::Url::parse(self.base_url) {
            Ok(base) => format!("{}{url}", base.origin().ascii_serialization()),
            Err(_) => url.to_owned(),
        }
    }
}

/// A token and when to stop using it, shared by clones of a provider.
#[derive(Debug, Default)]
struct TokenCache(std::sync::Mutex<Option<(Secret, Instant)>>);

impl TokenCache {
    fn fresh(&self) -> Option<Secret> {
        let cached = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        cached.as_ref().filter(|(_, until)| Instant::now() < *until).map(|(token, _)| token.clone())
    }

    fn store(&self, token: Secret, expires_in: Option<u64>) {
        // Refreshed a little before it expires: a tenth of its life, at most a minute.
        let life = Duration::from_secs(expires_in.unwrap_or(3600));
        let until = Instant::now() + life - (life / 10).min(Duration::from_secs(60));
        *self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some((token, until));
    }
}

/// What a token endpoint answers (RFC 6749, section 5.1).
#[derive(serde::Deserialize)]
struct TokenAnswer {
    access_token: String,
    expires_in: Option<u64>,
    refresh_token: Option<String>,
}

/// Posts a token request (`form`, already encoded) to `url`, with the client's id and
/// secret as HTTP basic authentication when given.
async fn request_token(
    asking: TokenClient<'_>,
    url: &str,
    client: Option<(&str, &Secret)>,
    form: String,
) -> Result<TokenAnswer, String> {
    let url = &asking.resolve(url);
    let mut request = asking
        .http
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(reqwest::header::ACCEPT, "application/json")
        .body(form);
    if let Some((id, secret)) = client {
        request = request.basic_auth(id, Some(secret.expose()));
    }
    let response = request.send().await.map_err(|error| format!("the token endpoint {url} did not answer: {error}"))?;
    let status = response.status();
    let body = response.bytes().await.map_err(|error| format!("reading the token endpoint's answer: {error}"))?;
    if !status.is_success() {
        return Err(format!("the token endpoint {url} answered {status}: {}", preview(&body)));
    }
    serde_json::from_slice(&body).map_err(|error| format!("the token endpoint's answer is not a token ({error})"))
}

fn form_pairs(pairs: &[(&str, &str)]) -> String {
    let encode = |text: &str| utf8_percent_encode(text, PATH_SEGMENT).to_string();
    pairs.iter().map(|(name, value)| format!("{}={}", encode(name), encode(value))).collect::<Vec<_>>().join("&")
}

/// OAuth 2.0 client credentials (RFC 6749, section 4.4): a server-side app's id and
/// secret are traded at the token endpoint for access tokens, cached until shortly
/// before they expire. The secret never appears in `Debug` output.
#[derive(Debug)]
pub struct ClientCredentials {
    token_url: String,
    client_id: String,
    client_secret: Secret,
    scopes: Vec<String>,
    grant_type: String,
    parameters: Vec<(String, String)>,
    cache: TokenCache,
}

impl ClientCredentials {
    /// `token_url` may be a path (`/oauth/v2/token`): it is then on the client's host.
    pub fn new(token_url: impl Into<String>, client_id: impl Into<String>, client_secret: impl Into<String>) -> Self {
        Self {
            token_url: token_url.into(),
            client_id: client_id.into(),
            client_secret: Secret::new(client_secret),
            scopes: Vec::new(),
            grant_type: "client_credentials".to_owned(),
            parameters: Vec::new(),
            cache: TokenCache::default(),
        }
    }

    /// The scopes to ask for (none by default: the server's defaults).
    pub fn scopes<S: Into<String>>(mut self, scopes: impl IntoIterator<Item = S>) -> Self {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// A grant of the same kind under another name, as Zoom's server-to-server apps use
    /// (`account_credentials`, with an `account_id` [`parameter`](Self::parameter)).
    pub fn grant_type(mut self, grant_type: impl Into<String>) -> Self {
        self.grant_type = grant_type.into();
        self
    }

    /// Another member of the token request's form.
    pub fn parameter(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.parameters.push((name.into(), value.into()));
        self
    }
}

impl TokenProvider for ClientCredentials {
    fn token<'a>(&'a self, asking: TokenClient<'a>, refresh: bool) -> BoxFuture<'a, Result<Secret, String>> {
        Box::pin(async move {
            if let Some(token) = self.cache.fresh().filter(|_| !refresh) {
                return Ok(token);
            }
            let scope = self.scopes.join(" ");
            let mut pairs = vec![("grant_type", self.grant_type.as_str())];
            if !scope.is_empty() {
                pairs.push(("scope", &scope));
            }
            pairs.extend(self.parameters.iter().map(|(name, value)| (name.as_str(), value.as_str())));
            let client = Some((self.client_id.as_str(), &self.client_secret));
            let answer = request_token(asking, &self.token_url, client, form_pairs(&pairs)).await?;
            let token = Secret::new(answer.access_token);
            self.cache.store(token.clone(), answer.expires_in);
            Ok(token)
        })
    }
}

/// OAuth 2.0 refresh tokens (RFC 6749, section 6): a refresh token (from a user's
/// authorization) is traded for access tokens; a new refresh token the server hands back
/// replaces the old one.
#[derive(Debug)]
pub struct RefreshToken {
    token_url: String,
    client_id: String,
    client_secret: Option<Secret>,
    refresh_token: std::sync::Mutex<Secret>,
    cache: TokenCache,
}

impl RefreshToken {
    pub fn new(token_url: impl Into<String>, client_id: impl Into<String>, refresh_token: impl Into<String>) -> Self {
        Self {
            token_url: token_url.into(),
            client_id: client_id.into(),
            client_secret: None,
            refresh_token: std::sync::Mutex::new(Secret::new(refresh_token)),
            cache: TokenCache::default(),
        }
    }

    /// The app's secret, for a confidential client (sent as HTTP basic authentication).
    pub fn client_secret(mut self, secret: impl Into<String>) -> Self {
        self.client_secret = Some(Secret::new(secret));
        self
    }
}

impl TokenProvider for RefreshToken {
    fn token<'a>(&'a self, asking: TokenClient<'a>, refresh: bool) -> BoxFuture<'a, Result<Secret, String>> {
        Box::pin(async move {
            if let Some(token) = self.cache.fresh().filter(|_| !refresh) {
                return Ok(token);
            }
            let current = self.refresh_token.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clone();
            let mut pairs = vec![("grant_type", "refresh_token"), ("refresh_token", current.expose())];
            let client = match &self.client_secret {
                Some(secret) => Some((self.client_id.as_str(), secret)),
                None => {
                    pairs.push(("client_id", &self.client_id));
                    None
                }
            };
            let answer = request_token(asking, &self.token_url, client, form_pairs(&pairs)).await?;
            if let Some(rotated) = answer.refresh_token {
                *self.refresh_token.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Secret::new(rotated);
            }
            let token = Secret::new(answer.access_token);
            self.cache.store(token.clone(), answer.expires_in);
            Ok(token)
        })
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
    credentials: BTreeMap<&'static str, Credential>,
    retry: RetryPolicy,
    max_response_bytes: u64,
    hooks: Hooks,
    client: PhantomData<fn() -> C>,
}

/// What a [`Hook`] learns of the request it sees.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct RequestInfo<'a> {
    /// The spec's `operationId` (or the one derived from method and path); `raw` for a
    /// request made with `Client::raw`.
    pub operation_id: &'a str,
    pub method: &'a Method,
    /// The path as the spec writes it (`/users/{id}`), or the raw request's path.
    pub path_template: &'a str,
    /// 1 for the first try, 2 for the first retry, and so on.
    pub attempt: u32,
}

/// Sees, and may change, every request a client sends and every answer it gets, knowing
/// the operation and the attempt: logging, metrics, a request-id header, capturing a
/// response header. Added with [`ClientBuilder::hook`]; hooks run in the order added.
/// Every method does nothing unless implemented.
pub trait Hook: Send + Sync + 'static {
    /// Before each attempt is sent: may add or change headers (its credentials are on it).
    fn before_send(&self, info: &RequestInfo<'_>, request: &mut reqwest::Request) {
        let _ = (info, request);
    }

    /// When an attempt is answered, before its body is read.
    fn after_response(&self, info: &RequestInfo<'_>, status: StatusCode, headers: &HeaderMap) {
        let _ = (info, status, headers);
    }

    /// When an attempt got no answer (a connection error, a timeout).
    fn on_error(&self, info: &RequestInfo<'_>, error: &reqwest::Error) {
        let _ = (info, error);
    }

    /// Before waiting `delay` to try again.
    fn on_retry(&self, info: &RequestInfo<'_>, delay: Duration) {
        let _ = (info, delay);
    }
}

/// A hook shared with its maker, who reads what it recorded.
impl<H: Hook + ?Sized> Hook for Arc<H> {
    fn before_send(&self, info: &RequestInfo<'_>, request: &mut reqwest::Request) {
        (**self).before_send(info, request);
    }

    fn after_response(&self, info: &RequestInfo<'_>, status: StatusCode, headers: &HeaderMap) {
        (**self).after_response(info, status, headers);
    }

    fn on_error(&self, info: &RequestInfo<'_>, error: &reqwest::Error) {
        (**self).on_error(info, error);
    }

    fn on_retry(&self, info: &RequestInfo<'_>, delay: Duration) {
        (**self).on_retry(info, delay);
    }
}

/// A client's hooks, shared by its clones.
#[derive(Clone, Default)]
struct Hooks(Vec<Arc<dyn Hook>>);

impl fmt::Debug for Hooks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} hook(s)", self.0.len())
    }
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
    /// [`Error::ResponseTooLarge`], reading no further (default:
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
        self.credentials.insert(scheme.name, credential);
        self
    }

    pub fn build(self) -> Result<C, BuildError> {
        let base_url = reqwest::Url::parse(&self.base_url)
            .map_err(|error| BuildError::InvalidBaseUrl { url: self.base_url.clone(), reason: error.to_string() })?;
        if !matches!(base_url.scheme(), "http" | "https") {
            return Err(BuildError::InvalidBaseUrl { url: self.base_url, reason: "expected http or https".to_owned() });
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
                builder.build().map_err(BuildError::Http)?
            }
        };
        let base_url = base_url.as_str().trim_end_matches('/').to_owned();
        let accept_by_default = self.default_headers.iter().any(|(name, _)| name.eq_ignore_ascii_case("accept"));
        Ok(C::from(ClientCore {
            http,
            base_url,
            credentials: Arc::new(self.credentials),
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
    http: reqwest::Client,
    /// Without a trailing `/`; paths start with one.
    base_url: String,
    credentials: Arc<BTreeMap<&'static str, Credential>>,
    retry: RetryPolicy,
    /// A default `Accept` header was configured; it wins over the operations' own.
    accept_by_default: bool,
    max_response_bytes: u64,
    hooks: Hooks,
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
    fn token_client(&self) -> TokenClient<'_> {
        TokenClient { http: &self.http, base_url: &self.base_url }
    }

    /// Starts a request for the operation `operation_id` at `path_template` (`/users/{id}`).
    pub fn request(&self, operation_id: &'static str, method: Method, path_template: &'static str) -> Request<'_> {
        self.start(operation_id, method, path_template.into())
    }

    /// Starts a request to an endpoint the spec does not document: `path` (with any
    /// query) under the base URL, sent with the client's credentials for one of
    /// `security`'s alternatives, its retries, timeouts and hooks. Generated clients
    /// offer it as `Client::raw`.
    pub fn raw(
        &self,
        method: Method,
        path: impl Into<String>,
        security: &'static [&'static [&'static SecurityScheme]],
    ) -> RawRequest<'_> {
        RawRequest { request: self.start("raw", method, path.into().into()).security(security) }
    }

    fn start(&self, operation_id: &'static str, method: Method, path_template: std::borrow::Cow<'static, str>) -> Request<'_> {
        Request {
            core: self,
            operation_id,
            method,
            path_template,
            path_params: Vec::new(),
            query: Vec::new(),
            headers: Vec::new(),
            cookies: Vec::new(),
            accept: None,
            body: None,
            security: &[],
            options: RequestOptions::default(),
            problem: None,
        }
    }
}

/// A request to an endpoint the spec lacks, from `Client::raw`: the client's base URL,
/// credentials, retries, timeouts and hooks apply; the answer is decoded into any type.
#[derive(Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct RawRequest<'c> {
    request: Request<'c>,
}

impl RawRequest<'_> {
    /// Adds a query parameter.
    pub fn query(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.request.options.query.push((name.into(), value.into()));
        self
    }

    /// Adds a header (a value with a line break fails the request before sending).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.request.options.headers.push((name.into(), value.into()));
        self
    }

    /// Sends `body` as JSON.
    pub fn json<T: Serialize + ?Sized>(self, body: &T) -> Self {
        Self { request: self.request.json("application/json", body) }
    }

    /// Sends `body` as it is, as `content_type`.
    pub fn body(mut self, content_type: impl Into<std::borrow::Cow<'static, str>>, body: impl Into<Vec<u8>>) -> Self {
        self.request.body = Some((content_type.into(), body.into()));
        self
    }

    /// Overrides the client's timeout or retries (headers and query parameters add up).
    pub fn with_options(mut self, options: RequestOptions) -> Self {
        let RequestOptions { timeout, retry, mut headers, mut query, mut extra_body, url } = options;
        let current = &mut self.request.options;
        current.timeout = timeout.or(current.timeout);
        current.retry = retry.or(current.retry.take());
        current.headers.append(&mut headers);
        current.query.append(&mut query);
        current.extra_body.append(&mut extra_body);
        current.url = url.or(current.url.take());
        self
    }

    /// Sends the request and decodes a success's JSON body as `T`; an error status is
    /// [`Error::Api`] with its JSON body, or [`Error::UnexpectedStatus`] when it has none.
    pub async fn send_json<T: DeserializeOwned>(self) -> Result<Response<T>, Error<serde_json::Value>> {
        let response = self.request.send().await?;
        match response.status().is_success() {
            true => response.json(),
            false => Err(response.raw_error()),
        }
    }

    /// Sends the request and returns a success's body as bytes.
    pub async fn send_bytes(self) -> Result<Response<Bytes>, Error<serde_json::Value>> {
        let response = self.request.send().await?;
        match response.status().is_success() {
            true => response.bytes(),
            false => Err(response.raw_error()),
        }
    }
}

/// A request body: its media type and bytes.
type Body = (std::borrow::Cow<'static, str>, Vec<u8>);

/// A request being built by generated code. Problems with the values given (a header
/// value with a line break, a path value of `..`) are kept and reported by [`Request::send`],
/// so building stays a plain chain of calls.
#[derive(Debug)]
pub struct Request<'c> {
    core: &'c ClientCore,
    operation_id: &'static str,
    method: Method,
    path_template: std::borrow::Cow<'static, str>,
    path_params: Vec<(&'static str, String)>,
    query: Vec<(String, String)>,
    headers: Vec<(&'static str, String)>,
    cookies: Vec<(&'static str, String)>,
    accept: Option<&'static str>,
    body: Option<Body>,
    security: &'static [&'static [&'static SecurityScheme]],
    options: RequestOptions,
    problem: Option<String>,
}

impl Request<'_> {
    fn fail(mut self, problem: String) -> Self {
        self.problem.get_or_insert(problem);
        self
    }

    /// Fills `{name}` in the path template with `value`, percent-encoded as one segment.
    pub fn path_param<T: Serialize + ?Sized>(mut self, name: &'static str, value: &T) -> Self {
        match scalar_texts(value) {
            Ok(texts) if texts.is_empty() => self.fail(format!("path parameter `{name}` has no value")),
            Ok(texts) => {
                let text = texts.join(",");
                if text == "." || text == ".." {
                    // URL normalization would resolve a `.` or `..` segment, escaped or not.
                    return self.fail(format!("path parameter `{name}` cannot be `{text}`"));
                }
                self.path_params.push((name, text));
                self
            }
            Err(problem) => self.fail(format!("path parameter `{name}`: {problem}")),
        }
    }

    /// Adds a query parameter; `None` adds nothing. Arrays repeat the name when `explode`
    /// is set (`id=1&id=2`), and are comma-joined otherwise (`id=1,2`).
    pub fn query<T: Serialize + ?Sized>(self, name: &'static str, value: &T, explode: bool) -> Self {
        let style = if explode { Style::Exploded } else { Style::Joined(",") };
        self.query_styled(name, value, style)
    }

    /// Adds a `style: spaceDelimited` or `pipeDelimited` query parameter: arrays are one
    /// value joined by `delimiter` (`id=1|2`); `None` adds nothing.
    pub fn query_delimited<T: Serialize + ?Sized>(self, name: &'static str, value: &T, delimiter: &'static str) -> Self {
        self.query_styled(name, value, Style::Joined(delimiter))
    }

    /// Adds a query parameter the spec gives as `content: application/json`: the value
    /// as JSON text (`filter={"a":1}`); `None` adds nothing.
    pub fn query_json<T: Serialize + ?Sized>(self, name: &'static str, value: &T) -> Self {
        self.query_styled(name, value, Style::Json)
    }

    /// Adds an object as `style: deepObject` query pairs (`name[key]=value`, nested as
    /// deep as the value is); `None` adds nothing.
    pub fn query_deep_object<T: Serialize + ?Sized>(self, name: &'static str, value: &T) -> Self {
        self.query_styled(name, value, Style::DeepObject)
    }

    fn query_styled<T: Serialize + ?Sized>(mut self, name: &'static str, value: &T, style: Style) -> Self {
        let encoded = serde_json::to_value(value)
            .map_err(|error| error.to_string())
            .and_then(|value| style_pairs(name, &value, style, &mut self.query));
        match encoded {
            Ok(()) => self,
            Err(problem) => self.fail(format!("query parameter `{name}`: {problem}")),
        }
    }

    /// The media types the operation's responses come in, sent as `Accept` unless the
    /// client or the request's options set one.
    pub fn accept(mut self, media_types: &'static str) -> Self {
        self.accept = Some(media_types);
        self
    }

    /// Adds a header the spec gives as `content: application/json`: the value as JSON
    /// text; `None` adds nothing.
    pub fn header_json<T: Serialize + ?Sized>(mut self, name: &'static str, value: &T) -> Self {
        match json_text(value) {
            Ok(Some(text)) => self.headers.push((name, text)),
            Ok(None) => {}
            Err(error) => return self.fail(format!("header `{name}`: {error}")),
        }
        self
    }

    /// Adds a header; `None` adds nothing.
    pub fn header<T: Serialize + ?Sized>(mut self, name: &'static str, value: &T) -> Self {
        match scalar_texts(value) {
            Ok(texts) if texts.is_empty() => self,
            Ok(texts) => {
                self.headers.push((name, texts.join(",")));
                self
            }
            Err(problem) => self.fail(format!("header `{name}`: {problem}")),
        }
    }

    /// Adds a cookie; `None` adds nothing.
    pub fn cookie<T: Serialize + ?Sized>(mut self, name: &'static str, value: &T) -> Self {
        match scalar_texts(value) {
            Ok(texts) if texts.is_empty() => self,
            Ok(texts) => {
                self.cookies.push((name, texts.join(",")));
                self
            }
            Err(problem) => self.fail(format!("cookie `{name}`: {problem}")),
        }
    }

    /// A JSON body with the given media type.
    pub fn json<T: Serialize + ?Sized>(mut self, media_type: &'static str, body: &T) -> Self {
        match serde_json::to_vec(body) {
            Ok(bytes) => {
                self.body = Some((media_type.into(), bytes));
                self
            }
            Err(error) => self.fail(format!("request body: {error}")),
        }
    }

    /// An `application/x-www-form-urlencoded` body from a struct or map. Each property
    /// is written in the style its `encoding` gives (`styles`, by wire name), else as
    /// OpenAPI's default `style: form, explode: true`: arrays repeat the name, an object's
    /// members become pairs of their own.
    pub fn form<T: Serialize + ?Sized>(
        mut self,
        media_type: &'static str,
        body: &T,
        styles: &[(&'static str, Style)],
    ) -> Self {
        let properties = match serde_json::to_value(body) {
            Ok(serde_json::Value::Object(properties)) => properties,
            Ok(_) => return self.fail("request body: a form body must be an object".to_owned()),
            Err(error) => return self.fail(format!("request body: {error}")),
        };
        let mut pairs = Vec::new();
        for (name, value) in &properties {
            let style = styles.iter().find(|(styled, _)| styled == name).map_or(Style::Exploded, |(_, style)| *style);
            if let Err(problem) = style_pairs(name, value, style, &mut pairs) {
                return self.fail(format!("request body property `{name}`: {problem}"));
            }
        }
        // The URL serializer writes pairs exactly as query strings are written.
        match reqwest::Url::parse("form:") {
            Ok(mut url) => {
                url.query_pairs_mut().extend_pairs(&pairs);
                self.body = Some((media_type.into(), url.query().unwrap_or_default().as_bytes().to_vec()));
                self
            }
            Err(error) => self.fail(format!("request body: {error}")),
        }
    }

    /// A `multipart/form-data` body, built part by part.
    pub fn multipart(mut self, form: Multipart) -> Self {
        if let Some(problem) = form.problem {
            return self.fail(problem);
        }
        // Random, so no part's content can contain it by accident; fixed for the request's retries.
        let boundary = format!("----generated-client-{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..));
        let mut out = Vec::new();
        for part in form.parts {
            out.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
            let name = quoted_parameter(&part.name);
            let disposition = match &part.file_name {
                Some(file_name) => {
                    format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{}\"\r\n", quoted_parameter(file_name))
                }
                None => format!("Content-Disposition: form-data; name=\"{name}\"\r\n"),
            };
            out.extend_from_slice(disposition.as_bytes());
            if let Some(content_type) = &part.content_type {
                out.extend_from_slice(format!("Content-Type: {}\r\n", content_type.replace(['\r', '\n'], " ")).as_bytes());
            }
            out.extend_from_slice(b"\r\n");
            out.extend_from_slice(&part.body);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        self.body = Some((format!("multipart/form-data; boundary={boundary}").into(), out));
        self
    }

    /// A text body.
    pub fn text(mut self, media_type: &'static str, body: &str) -> Self {
        self.body = Some((media_type.into(), body.as_bytes().to_vec()));
        self
    }

    /// A raw body.
    pub fn bytes(mut self, media_type: &'static str, body: &[u8]) -> Self {
        self.body = Some((media_type.into(), body.to_vec()));
        self
    }

    /// The operation's security requirements: alternatives (any one suffices) of schemes
    /// that must all be present. An empty alternative means anonymous access is allowed.
    pub fn security(mut self, alternatives: &'static [&'static [&'static SecurityScheme]]) -> Self {
        self.security = alternatives;
        self
    }

    /// Applies the caller's per-request options.
    pub fn options(mut self, options: RequestOptions) -> Self {
        self.options = options;
        self
    }

    /// Sends the request, retrying as the policy allows, and reads the whole response.
    pub async fn send<E>(self) -> Result<RawResponse, Error<E>> {
        let limit = self.core.max_response_bytes;
        match self.execute(false).await? {
            Answer::Read(response) => Ok(response),
            Answer::Streaming(streaming) => streaming.read(limit).await,
        }
    }

    /// Sends the request; a success's body is left unread, to be read as it comes
    /// ([`Answer::Streaming`]); any other answer is read in full.
    pub async fn send_streaming<E>(self) -> Result<Answer, Error<E>> {
        self.execute(true).await
    }

    async fn execute<E>(mut self, stream_success: bool) -> Result<Answer, Error<E>> {
        if let Some(problem) = self.problem {
            return Err(Error::InvalidRequest(problem));
        }
        // A URL given whole (a next page) already has its parameters.
        let given = self.options.url.take();
        // A next page given relative to the server (`/v1/items?page=2`) is on the base URL's origin.
        let given = given.map(|url| match (url.starts_with('/') && !url.starts_with("//"), reqwest::Url::parse(&self.core.base_url)) {
            (true, Ok(base)) => format!("{}{url}", base.origin().ascii_serialization()),
            _ => url,
        });
        let target = match &given {
            Some(url) if url.starts_with(&format!("{}/", self.core.base_url)) || *url == self.core.base_url => url.clone(),
            Some(url) => {
                return Err(Error::InvalidRequest(format!(
                    "`{url}` is not under the client's base URL `{}`, and credentials go nowhere else",
                    self.core.base_url
                )))
            }
            None => format!("{}{}", self.core.base_url, self.render_path()),
        };
        let mut url = match reqwest::Url::parse(&target) {
            Ok(url) => url,
            Err(error) => return Err(Error::InvalidRequest(format!("invalid URL: {error}"))),
        };
        let schemes = self.chosen_schemes()?;
        let mut query = if given.is_some() { Vec::new() } else { std::mem::take(&mut self.query) };
        let mut headers = HeaderMap::new();
        let mut cookies = self.cookies.iter().map(|(name, value)| format!("{name}={value}")).collect::<Vec<_>>();
        let mut basic = None;
        let mut secret_in_url = false;
        // The provider of the bearer token sent, to ask for a fresh one after a 401.
        let mut tokens: Option<(&Arc<dyn TokenProvider>, &'static str)> = None;
        for scheme in schemes {
            let Some(credential) = self.core.credentials.get(scheme.name) else { continue };
            match (scheme.kind, credential) {
                (SchemeKind::Basic, Credential::Basic { username, password }) => basic = Some((username, password)),
                (SchemeKind::Bearer, Credential::Tokens(provider)) => {
                    let token = provider.token(self.core.token_client(), false).await.map_err(|reason| {
                        Error::Authentication { scheme: scheme.name, reason }
                    })?;
                    headers.insert(
                        reqwest::header::AUTHORIZATION,
                        sensitive(&format!("Bearer {}", token.expose()), scheme.name)?,
                    );
                    tokens = Some((provider, scheme.name));
                }
                (SchemeKind::Basic, Credential::Secret(_)) | (_, Credential::Basic { .. } | Credential::Tokens(_)) => {
                    return Err(Error::InvalidRequest(format!(
                        "the credential for `{}` has the wrong kind",
                        scheme.name
                    )));
                }
                (SchemeKind::Bearer, Credential::Secret(secret)) => {
                    headers.insert(
                        reqwest::header::AUTHORIZATION,
                        sensitive(&format!("Bearer {}", secret.expose()), scheme.name)?,
                    );
                }
                (SchemeKind::ApiKeyHeader(name), Credential::Secret(secret)) => {
                    let name = HeaderName::from_spec_name(name)?;
                    headers.insert(name, sensitive(secret.expose(), scheme.name)?);
                }
                (SchemeKind::ApiKeyQuery(name), Credential::Secret(secret)) => {
                    secret_in_url = true;
                    query.push((name.to_owned(), secret.expose().to_owned()));
                }
                (SchemeKind::ApiKeyCookie(name), Credential::Secret(secret)) => {
                    cookies.push(format!("{name}={}", secret.expose()));
                }
            }
        }
        if given.is_none() {
            query.extend(self.options.query.iter().cloned());
        }
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        let extra_headers = self.options.headers.iter().map(|(name, value)| (name.as_str(), value));
        for (name, value) in self.headers.iter().map(|(name, value)| (*name, value)).chain(extra_headers) {
            let header_name = HeaderName::from_spec_name(name)?;
            let header_value = HeaderValue::from_str(value).map_err(|_| {
                Error::InvalidRequest(format!(
                    "header `{name}` has a value that is not allowed in a header (a line break or control character)"
                ))
            })?;
            headers.append(header_name, header_value);
        }
        if let Some(accept) = self.accept.filter(|_| !self.core.accept_by_default) {
            if !headers.contains_key(reqwest::header::ACCEPT) {
                let value = HeaderValue::from_str(accept)
                    .map_err(|_| Error::InvalidRequest(format!("`{accept}` is not a valid accept header")))?;
                headers.insert(reqwest::header::ACCEPT, value);
            }
        }
        if !cookies.is_empty() {
            let cookie = cookies.join("; ");
            let value = HeaderValue::from_str(&cookie)
                .map_err(|_| Error::InvalidRequest("a cookie has a value that is not allowed in a header".to_owned()))?;
            headers.append(reqwest::header::COOKIE, value);
        }
        if let Some((media_type, _)) = &self.body {
            let value = HeaderValue::from_str(media_type)
                .map_err(|_| Error::InvalidRequest(format!("`{media_type}` is not a valid content type")))?;
            headers.insert(reqwest::header::CONTENT_TYPE, value);
        }
        let body = with_extra_members(self.body, &self.options.extra_body)?.map(|(_, body)| Bytes::from(body));
        let policy = self.options.retry.as_ref().unwrap_or(&self.core.retry);
        let mut retries = if policy.allows(&self.method) { policy.max_retries } else { 0 };
        // One key per request, made before the first attempt: every retry repeats it.
        if let Some((name, key)) = policy.idempotency_key_for(&self.method) {
            let name = HeaderName::from_spec_name(name)?;
            if !headers.contains_key(&name) {
                headers.insert(name, HeaderValue::from_str(&key).map_err(|_| Error::InvalidRequest(key.clone()))?);
            }
        }
        let mut refreshed = false;
        let span = tracing::info_span!(
            "http_request",
            operation = self.operation_id,
            method = %self.method,
            path = &*self.path_template,
            status = tracing::field::Empty,
            attempt = tracing::field::Empty,
            latency_ms = tracing::field::Empty,
        );
        let strip = |error: reqwest::Error| if secret_in_url { error.without_url() } else { error };
        let mut attempt = 0;
        loop {
            attempt += 1;
            let info = RequestInfo {
                operation_id: self.operation_id,
                method: &self.method,
                path_template: &self.path_template,
                attempt,
            };
            let started = Instant::now();
            let mut request = self.core.http.request(self.method.clone(), url.clone()).headers(headers.clone());
            if let Some((username, password)) = basic {
                request = request.basic_auth(username, Some(password.expose()));
            }
            if let Some(body) = &body {
                request = request.body(body.clone());
            }
            if let Some(timeout) = self.options.timeout {
                request = request.timeout(timeout);
            }
            let limit = self.core.max_response_bytes;
            let hooks = &self.core.hooks.0;
            let outcome = async {
                let mut request = request.build()?;
                for hook in hooks {
                    hook.before_send(&info, &mut request);
                }
                let mut response = self.core.http.execute(request).await?;
                let status = response.status();
                for hook in hooks {
                    hook.after_response(&info, status, response.headers());
                }
                if stream_success && status.is_success() {
                    return Ok(Err(Stop::Streaming(StreamingResponse { response })));
                }
                // Taken, not cloned: reading the body no longer needs them.
                let headers = std::mem::take(response.headers_mut());
                Ok::<_, reqwest::Error>(match read_limited(response, limit).await? {
                    Some(body) => Ok(RawResponse { status, headers, body }),
                    None => Err(Stop::TooLarge(Error::ResponseTooLarge { status, headers: Box::new(headers), limit })),
                })
            }
            .await;
            // Too large is final: a retry would read as much again.
            let outcome = match outcome {
                Ok(Err(Stop::TooLarge(too_large))) => return Err(too_large),
                Ok(Err(Stop::Streaming(streaming))) => return Ok(Answer::Streaming(streaming)),
                Ok(Ok(response)) => Ok(response),
                Err(error) => Err(error),
            };
            span.record("attempt", attempt);
            span.record("latency_ms", started.elapsed().as_millis() as u64);
            // A refused token is replaced once, by a fresh one, before the 401 counts.
            if let (Ok(response), Some((provider, scheme)), false) = (&outcome, tokens, refreshed) {
                if response.status == StatusCode::UNAUTHORIZED {
                    refreshed = true;
                    retries += 1;
                    let token = provider
                        .token(self.core.token_client(), true)
                        .await
                        .map_err(|reason| Error::Authentication { scheme, reason })?;
                    headers.insert(reqwest::header::AUTHORIZATION, sensitive(&format!("Bearer {}", token.expose()), scheme)?);
                    tracing::debug!(parent: &span, attempt, "the token was refused; trying once more with a fresh one");
                    continue;
                }
            }
            let retry_after = match &outcome {
                Ok(response) if attempt <= retries && retryable_status(response.status) => {
                    Some(policy.delay(attempt, Some(&response.headers)))
                }
                Err(error) if attempt <= retries && (error.is_connect() || error.is_timeout() || error.is_request()) => {
                    Some(policy.delay(attempt, None))
                }
                _ => None,
            };
            match &outcome {
                Ok(response) => {
                    span.record("status", response.status.as_u16());
                }
                Err(error) => hooks.iter().for_each(|hook| hook.on_error(&info, error)),
            }
            match (outcome, retry_after) {
                (_, Some(wait)) => {
                    hooks.iter().for_each(|hook| hook.on_retry(&info, wait));
                    tracing::debug!(parent: &span, attempt, wait_ms = wait.as_millis() as u64, "retrying");
                    tokio::time::sleep(wait).await;
                }
                (Ok(response), None) => {
                    tracing::debug!(parent: &span, status = response.status.as_u16(), "response");
                    return Ok(Answer::Read(response));
                }
                (Err(error), None) => {
                    let error = strip(error);
                    tracing::debug!(parent: &span, error = %error, "request failed");
                    return Err(if error.is_timeout() { Error::Timeout(error) } else { Error::Connection(error) });
                }
            }
        }
    }

    fn render_path(&self) -> String {
        let mut path = String::with_capacity(self.path_template.len() + 32);
        let mut rest = &*self.path_template;
        while let Some(open) = rest.find('{') {
            path.push_str(&rest[..open]);
            let Some(close) = rest[open..].find('}') else { break };
            let name = &rest[open + 1..open + close];
            match self.path_params.iter().find(|(param, _)| *param == name) {
                Some((_, value)) => path.extend(utf8_percent_encode(value, PATH_SEGMENT)),
                None => path.push_str(&rest[open..=open + close]),
            }
            rest = &rest[open + close + 1..];
        }
        path.push_str(rest);
        path
    }

    /// The first alternative whose schemes all have credentials; anonymous access (an
    /// empty alternative) only when no credentialed alternative is configured.
    fn chosen_schemes<E>(&self) -> Result<&'static [&'static SecurityScheme], Error<E>> {
        if self.security.is_empty() {
            return Ok(&[]);
        }
        let configured = |alternative: &&&[&SecurityScheme]| {
            !alternative.is_empty() && alternative.iter().all(|scheme| self.core.credentials.contains_key(scheme.name))
        };
        if let Some(alternative) = self.security.iter().find(configured) {
            return Ok(alternative);
        }
        if self.security.iter().any(|alternative| alternative.is_empty()) {
            return Ok(&[]);
        }
        let accepted: Vec<String> = self
            .security
            .iter()
            .map(|alternative| alternative.iter().map(|scheme| scheme.name).collect::<Vec<_>>().join(" + "))
            .collect();
        Err(Error::MissingCredentials { operation: self.operation_id, accepted: accepted.join(", or ") })
    }
}

/// A JSON object body with [`RequestOptions::extra_body`]'s members set; a request
/// without a body gets one holding only them.
fn with_extra_members<E>(
    body: Option<Body>,
    extra: &[(String, Result<serde_json::Value, String>)],
) -> Result<Option<Body>, Error<E>> {
    if extra.is_empty() {
        return Ok(body);
    }
    let (media_type, mut object) = match body {
        None => ("application/json".into(), serde_json::Map::new()),
        Some((media_type, bytes)) => match serde_json::from_slice(&bytes) {
            Ok(serde_json::Value::Object(object)) if media_type.contains("json") => (media_type, object),
            _ => {
                return Err(Error::InvalidRequest(
                    "extra body members need a JSON object body, and this request's body is not one".to_owned(),
                ))
            }
        },
    };
    for (name, value) in extra {
        let value = value
            .clone()
            .map_err(|error| Error::InvalidRequest(format!("extra body member `{name}` is not JSON: {error}")))?;
        object.insert(name.clone(), value);
    }
    let bytes = serde_json::to_vec(&object).map_err(|error| Error::InvalidRequest(error.to_string()))?;
    Ok(Some((media_type, bytes)))
}

/// Header names come from the spec; reqwest wants them lowercase.
trait FromSpecName: Sized {
    fn from_spec_name<E>(name: &str) -> Result<Self, Error<E>>;
}

impl FromSpecName for HeaderName {
    fn from_spec_name<E>(name: &str) -> Result<Self, Error<E>> {
        HeaderName::from_bytes(name.to_ascii_lowercase().as_bytes())
            .map_err(|_| Error::InvalidRequest(format!("`{name}` is not a valid header name")))
    }
}

/// A header value that holds a secret: marked sensitive so HTTP/2 never indexes it.
fn sensitive<E>(value: &str, scheme: &str) -> Result<HeaderValue, Error<E>> {
    let mut value = HeaderValue::from_str(value)
        .map_err(|_| Error::InvalidRequest(format!("the credential for `{scheme}` is not a valid header value")))?;
    value.set_sensitive(true);
    Ok(value)
}

/// A file to upload: its bytes, and the name and media type the server is told.
///
/// Without a file name, the part is named after its field; without a content type, the
/// spec's `encoding` decides, else `application/octet-stream`.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct File {
    bytes: Bytes,
    file_name: Option<String>,
    content_type: Option<String>,
}

impl File {
    pub fn new(bytes: impl Into<Bytes>) -> Self {
        Self { bytes: bytes.into(), file_name: None, content_type: None }
    }

    /// The name the server sees (`report.pdf`); servers often go by its extension.
    pub fn file_name(mut self, file_name: impl Into<String>) -> Self {
        self.file_name = Some(file_name.into());
        self
    }

    /// The media type of the contents (`image/png`).
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    pub fn bytes(&self) -> &Bytes {
        &self.bytes
    }
}

impl From<Vec<u8>> for File {
    fn from(bytes: Vec<u8>) -> Self {
        Self::new(bytes)
    }
}

impl From<Bytes> for File {
    fn from(bytes: Bytes) -> Self {
        Self::new(bytes)
    }
}

impl From<&'static [u8]> for File {
    fn from(bytes: &'static [u8]) -> Self {
        Self::new(bytes)
    }
}

impl fmt::Debug for File {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("File")
            .field("len", &self.bytes.len())
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .finish()
    }
}

/// Only for a type that is also sent as JSON, where binary data has no better spelling.
impl Serialize for File {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(&self.bytes)
    }
}

impl<'de> serde::Deserialize<'de> for File {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        <Vec<u8> as serde::Deserialize>::deserialize(deserializer).map(Self::new)
    }
}

/// The files a multipart field holds: one, an optional one, or a list.
pub trait FileField {
    fn files(&self) -> Vec<&File>;
}

impl FileField for File {
    fn files(&self) -> Vec<&File> {
        vec![self]
    }
}

impl<T: FileField> FileField for Option<T> {
    fn files(&self) -> Vec<&File> {
        self.as_ref().map(FileField::files).unwrap_or_default()
    }
}

impl<T: FileField> FileField for Vec<T> {
    fn files(&self) -> Vec<&File> {
        self.iter().flat_map(FileField::files).collect()
    }
}

/// The parts of a `multipart/form-data` body, in order.
#[derive(Debug, Default)]
pub struct Multipart {
    parts: Vec<Part>,
    problem: Option<String>,
}

#[derive(Debug)]
struct Part {
    name: String,
    file_name: Option<String>,
    content_type: Option<String>,
    body: Bytes,
}

impl Multipart {
    pub fn new() -> Self {
        Self::default()
    }

    /// A field's value as text parts: a string as it is, a number or boolean in its JSON
    /// spelling, an array as one part per item, an object as JSON (`application/json`).
    /// `content_type` is the spec's `encoding` for the field; `null` adds nothing.
    pub fn text<T: Serialize + ?Sized>(mut self, name: &str, value: &T, content_type: Option<&'static str>) -> Self {
        match serde_json::to_value(value) {
            Ok(value) => self.push_value(name, value, content_type),
            Err(error) => self.problem = Some(format!("request body field `{name}`: {error}")),
        }
        self
    }

    /// A field holding files: one file part each.
    pub fn file<F: FileField + ?Sized>(mut self, name: &str, field: &F, content_type: Option<&'static str>) -> Self {
        // An `encoding` such as `image/png, image/jpeg` or `image/*` names no one type.
        let spec_type = content_type.filter(|media| !media.contains([',', '*']));
        for file in field.files() {
            let content_type = file.content_type.as_deref().or(spec_type).unwrap_or("application/octet-stream");
            self.parts.push(Part {
                name: name.to_owned(),
                file_name: Some(file.file_name.clone().unwrap_or_else(|| name.to_owned())),
                content_type: Some(content_type.to_owned()),
                body: file.bytes.clone(),
            });
        }
        self
    }

    /// Every member of a body that is not a struct (a map, any JSON) as text parts.
    pub fn members<T: Serialize + ?Sized>(mut self, body: &T) -> Self {
        match serde_json::to_value(body) {
            Ok(serde_json::Value::Object(members)) => {
                for (name, value) in members {
                    self.push_value(&name, value, None);
                }
            }
            Ok(_) => self.problem = Some("request body: a multipart body must be an object".to_owned()),
            Err(error) => self.problem = Some(format!("request body: {error}")),
        }
        self
    }

    fn push_value(&mut self, name: &str, value: serde_json::Value, content_type: Option<&'static str>) {
        use serde_json::Value;
        let (body, default_type) = match value {
            Value::Null => return,
            Value::Array(items) => {
                for item in items {
                    self.push_value(name, item, content_type);
                }
                return;
            }
            Value::String(text) => (text, None),
            Value::Object(_) => (value.to_string(), Some("application/json")),
            scalar => (scalar.to_string(), None),
        };
        self.parts.push(Part {
            name: name.to_owned(),
            file_name: None,
            content_type: content_type.or(default_type).map(str::to_owned),
            body: body.into(),
        });
    }
}

/// A `Content-Disposition` parameter value, kept inside its quotes and on its line.
fn quoted_parameter(value: &str) -> String {
    value.replace('"', "%22").replace(['\r', '\n'], " ")
}

/// How a query parameter or a form body's property spells arrays and objects
/// (OpenAPI's `style` and `explode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// `style: form, explode: true`: arrays repeat the name (`id=1&id=2`); an object's
    /// members become pairs of their own (`R=100&G=200`).
    Exploded,
    /// One value, items (or an object's keys and values) joined by the delimiter
    /// (`id=1,2`; `|` for `pipeDelimited`).
    Joined(&'static str),
    /// `style: deepObject`: `name[key]=value`, nested as deep as the value is; arrays of
    /// scalars as `name[]=a&name[]=b`, other arrays by index (`name[0][key]=v`), the way
    /// Rails, PHP and Stripe read them.
    DeepObject,
    /// The value as JSON text (`content: application/json`).
    Json,
}

/// Appends the pairs `value` is written as under `name`; `null` adds none.
fn style_pairs(
    name: &str,
    value: &serde_json::Value,
    style: Style,
    out: &mut Vec<(String, String)>,
) -> Result<(), String> {
    use serde_json::Value;
    match (style, value) {
        (_, Value::Null) => {}
        (Style::Json, value) => out.push((name.to_owned(), value.to_string())),
        (Style::DeepObject, Value::Object(members)) => {
            for (key, member) in members {
                style_pairs(&format!("{name}[{key}]"), member, Style::DeepObject, out)?;
            }
        }
        (Style::DeepObject, Value::Array(items)) => {
            let scalars = items.iter().all(|item| !item.is_array() && !item.is_object());
            for (index, item) in items.iter().enumerate() {
                let key = if scalars { format!("{name}[]") } else { format!("{name}[{index}]") };
                style_pairs(&key, item, Style::DeepObject, out)?;
            }
        }
        (Style::Exploded, Value::Object(members)) => {
            for (key, member) in members {
                // A member that is itself an object has no `form` spelling: nest it.
                let style = if member.is_object() { Style::DeepObject } else { Style::Exploded };
                style_pairs(key, member, style, out)?;
            }
        }
        (Style::Joined(delimiter), Value::Object(members)) => {
            let mut flat = Vec::new();
            for (key, member) in members {
                for text in scalar_texts(member)? {
                    flat.push(key.clone());
                    flat.push(text);
                }
            }
            if !flat.is_empty() {
                out.push((name.to_owned(), flat.join(delimiter)));
            }
        }
        (Style::Joined(delimiter), value) => {
            let texts = scalar_texts(value)?;
            if !texts.is_empty() {
                out.push((name.to_owned(), texts.join(delimiter)));
            }
        }
        (Style::Exploded | Style::DeepObject, value) => {
            out.extend(scalar_texts(value)?.into_iter().map(|text| (name.to_owned(), text)));
        }
    }
    Ok(())
}

/// The text forms of a parameter value: none for `null`, one for a scalar, one per item for an array.
fn scalar_texts<T: Serialize + ?Sized>(value: &T) -> Result<Vec<String>, String> {
    fn text(value: &serde_json::Value) -> Result<String, String> {
        match value {
            serde_json::Value::String(text) => Ok(text.clone()),
            // `2.0` goes on the wire as `2`: `type: number` page sizes and counts are whole.
            serde_json::Value::Number(number) => match number.as_f64() {
                Some(float) if number.is_f64() && float.fract() == 0.0 && float.abs() < 9.0e15 => {
                    Ok(format!("{}", float as i64))
                }
                _ => Ok(number.to_string()),
            },
            serde_json::Value::Bool(flag) => Ok(flag.to_string()),
            serde_json::Value::Null => Ok(String::new()),
            _ => Err("nested arrays and objects cannot be sent here".to_owned()),
        }
    }
    match serde_json::to_value(value).map_err(|error| error.to_string())? {
        serde_json::Value::Null => Ok(Vec::new()),
        serde_json::Value::Array(items) => items.iter().map(text).collect(),
        serde_json::Value::Object(_) => Err("an object cannot be sent here".to_owned()),
        scalar => Ok(vec![text(&scalar)?]),
    }
}

/// Why an attempt's answer is not read in full.
enum Stop<E> {
    TooLarge(Error<E>),
    Streaming(StreamingResponse),
}

/// What [`Request::send_streaming`] got: an answer read in full, or a success whose body
/// is still coming.
#[derive(Debug)]
pub enum Answer {
    Read(RawResponse),
    Streaming(StreamingResponse),
}

/// A successful response whose body is read as it arrives, a chunk at a time, so a large
/// download is never in memory whole (the client's `max_response_bytes` limits only what
/// is read whole). A broken connection mid-body is an [`Error::Connection`] (or
/// [`Error::Timeout`]) from the stream.
pub struct Download<E> {
    response: reqwest::Response,
    error: PhantomData<fn() -> E>,
}

impl<E> fmt::Debug for Download<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Download").field("status", &self.response.status()).finish_non_exhaustive()
    }
}

impl<E> Download<E> {
    pub fn status(&self) -> StatusCode {
        self.response.status()
    }

    pub fn headers(&self) -> &HeaderMap {
        self.response.headers()
    }

    /// The length the server announced, if it did.
    pub fn content_length(&self) -> Option<u64> {
        self.response.content_length()
    }

    /// The body's chunks, as they arrive.
    pub fn into_stream(self) -> impl Stream<Item = Result<Bytes, Error<E>>> {
        futures_util::stream::unfold(Some(self.response), |response| async move {
            let mut response = response?;
            match response.chunk().await {
                Ok(Some(chunk)) => Some((Ok(chunk), Some(response))),
                Ok(None) => None,
                Err(error) if error.is_timeout() => Some((Err(Error::Timeout(error)), None)),
                Err(error) => Some((Err(Error::Connection(error)), None)),
            }
        })
    }

    /// The whole body, for when it fits in memory after all.
    pub async fn into_bytes(self) -> Result<Bytes, Error<E>> {
        let mut body = Vec::new();
        let mut chunks = std::pin::pin!(self.into_stream());
        while let Some(chunk) = chunks.next().await {
            body.extend_from_slice(&chunk?);
        }
        Ok(Bytes::from(body))
    }
}

/// A successful response whose body has not been read yet.
#[derive(Debug)]
pub struct StreamingResponse {
    response: reqwest::Response,
}

impl StreamingResponse {
    pub fn status(&self) -> StatusCode {
        self.response.status()
    }

    pub fn headers(&self) -> &HeaderMap {
        self.response.headers()
    }

    async fn read<E>(mut self, limit: u64) -> Result<RawResponse, Error<E>> {
        let status = self.response.status();
        let headers = std::mem::take(self.response.headers_mut());
        match read_limited(self.response, limit).await {
            Ok(Some(body)) => Ok(RawResponse { status, headers, body }),
            Ok(None) => Err(Error::ResponseTooLarge { status, headers: Box::new(headers), limit }),
            Err(error) => Err(Error::Connection(error)),
        }
    }

    /// The body as it arrives, never held whole (see [`Download`]).
    pub fn download<E>(self) -> Download<E> {
        Download { response: self.response, error: PhantomData }
    }

    /// The body as server-sent events (`text/event-stream`), each event's `data` decoded
    /// as JSON `T`, as they arrive. The stream ends when the server closes it or sends
    /// the `[DONE]` sentinel; a `data` that does not decode is an [`Error::Decode`], a
    /// broken connection an [`Error::Connection`], and either ends it.
    pub fn events<T: DeserializeOwned, E>(self) -> impl Stream<Item = Result<Event<T>, Error<E>>> {
        let status = self.response.status();
        let state = EventReader { response: Some(self.response), buffer: Vec::new(), pending: PendingEvent::default() };
        futures_util::stream::unfold(state, move |mut reader| async move {
            let event = reader.next().await?;
            let item = match event {
                Ok(raw) => match serde_json::from_str(&raw.data) {
                    Ok(data) => Ok(Event { event: raw.event, id: raw.id, retry: raw.retry, data }),
                    Err(source) => {
                        reader.response = None;
                        Err(Error::Decode {
                            status,
                            headers: Box::new(HeaderMap::new()),
                            body: Bytes::from(raw.data),
                            source,
                        })
                    }
                },
                Err(error) => Err(Error::Connection(error)),
            };
            Some((item, reader))
        })
    }
}

/// One server-sent event: its `data` decoded, with its type, id and reconnection time
/// when the server gave them.
#[derive(Debug, Clone, PartialEq)]
pub struct Event<T> {
    /// The `event:` field (`None`: the default type, `message`).
    pub event: Option<String>,
    /// The last `id:` the stream gave.
    pub id: Option<String>,
    /// The `retry:` field: how long to wait before reconnecting.
    pub retry: Option<Duration>,
    pub data: T,
}

/// An event as the wire spells it, its data still text.
#[derive(Debug, Default, Clone)]
struct PendingEvent {
    event: Option<String>,
    id: Option<String>,
    retry: Option<Duration>,
    data: String,
    has_data: bool,
}

/// Reads `text/event-stream` (the HTML standard's rules): lines end with CRLF, LF or CR,
/// `:` starts a comment, `data` lines join with `\n`, a blank line ends an event.
struct EventReader {
    response: Option<reqwest::Response>,
    buffer: Vec<u8>,
    pending: PendingEvent,
}

/// The data that ends an event stream (OpenAI's).
const DONE: &str = "[DONE]";

impl EventReader {
    async fn next(&mut self) -> Option<Result<PendingEvent, reqwest::Error>> {
        loop {
            while let Some(line) = self.line() {
                if let Some(event) = self.take_line(&line) {
                    if event.data == DONE {
                        self.response = None;
                        return None;
                    }
                    return Some(Ok(event));
                }
            }
            let response = self.response.as_mut()?;
            match response.chunk().await {
                Ok(Some(chunk)) => self.buffer.extend_from_slice(&chunk),
                // An event the server did not finish with a blank line is dropped.
                Ok(None) => {
                    self.response = None;
                    return None;
                }
                Err(error) => {
                    self.response = None;
                    return Some(Err(error));
                }
            }
        }
    }

    /// The next whole line of the buffer, without its end.
    fn line(&mut self) -> Option<String> {
        let end = self.buffer.iter().position(|byte| *byte == b'\n' || *byte == b'\r')?;
        // A CR at the end of what has come may be the first half of a CRLF.
        if self.buffer[end] == b'\r' && end + 1 == self.buffer.len() && self.response.is_some() {
            return None;
        }
        let skip = if self.buffer[end] == b'\r' && self.buffer.get(end + 1) == Some(&b'\n') { 2 } else { 1 };
        let line = String::from_utf8_lossy(&self.buffer[..end]).into_owned();
        self.buffer.drain(..end + skip);
        Some(line)
    }

    /// Applies one line; a blank line gives the event it ends, if it has data.
    fn take_line(&mut self, line: &str) -> Option<PendingEvent> {
        if line.is_empty() {
            // The last event id carries over to the events after it.
            let id = self.pending.id.clone();
            let mut event = std::mem::replace(&mut self.pending, PendingEvent { id, ..PendingEvent::default() });
            if !event.has_data {
                return None;
            }
            if event.data.ends_with('\n') {
                event.data.pop();
            }
            return Some(event);
        }
        if line.starts_with(':') {
            return None;
        }
        let (field, value) = match line.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (line, ""),
        };
        match field {
            "data" => {
                self.pending.data.push_str(value);
                self.pending.data.push('\n');
                self.pending.has_data = true;
            }
            "event" => self.pending.event = Some(value.to_owned()),
            "id" if !value.contains('\0') => self.pending.id = Some(value.to_owned()),
            "retry" => {
                if let Ok(milliseconds) = value.parse::<u64>() {
                    self.pending.retry = Some(Duration::from_millis(milliseconds));
                }
            }
            _ => {}
        }
        None
    }
}

/// A response read in full, before decoding.
#[derive(Debug)]
pub struct RawResponse {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl RawResponse {
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The body as `T`; a failure names where in the body it happened (`[0].at: …`), since
    /// a 300-field response's message alone rarely says which value was wrong.
    fn decode<T: DeserializeOwned, E>(&self) -> Result<T, Error<E>> {
        let mut deserializer = serde_json::Deserializer::from_slice(&self.body);
        let decoded = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
            let at = error.path().to_string();
            let source = error.into_inner();
            match at.as_str() {
                "." => source,
                _ => <serde_json::Error as serde::de::Error>::custom(format!("at `{at}`: {source}")),
            }
        });
        decoded.and_then(|value| deserializer.end().map(|()| value)).map_err(|source| Error::Decode {
            status: self.status,
            headers: Box::new(self.headers.clone()),
            body: self.body.clone(),
            source,
        })
    }

    fn wrap<T>(self, body: T) -> Response<T> {
        Response {
            status: self.status,
            headers: self.headers,
            body,
            envelope: (),
            #[cfg(feature = "round-trip")]
            raw_body: self.body,
        }
    }

    /// A documented success whose JSON body is an envelope: its `result` becomes the body.
    pub fn enveloped<V: Envelope, E>(self) -> Result<Response<V::Result, V>, Error<E>> {
        let mut envelope: V = self.decode()?;
        if !envelope.is_success() {
            return Err(Error::Unsuccessful { status: self.status, headers: Box::new(self.headers), body: self.body });
        }
        match envelope.take_result() {
            Some(result) => Ok(Response {
                status: self.status,
                headers: self.headers,
                body: result,
                envelope,
                #[cfg(feature = "round-trip")]
                raw_body: self.body,
            }),
            None => Err(Error::Decode {
                status: self.status,
                headers: Box::new(self.headers),
                source: <serde_json::Error as serde::de::Error>::missing_field("result"),
                body: self.body,
            }),
        }
    }

    /// A documented success with a JSON body.
    pub fn json<T: DeserializeOwned, E>(self) -> Result<Response<T>, Error<E>> {
        let body = self.decode()?;
        Ok(self.wrap(body))
    }

    /// A documented success without a body; any body sent is ignored.
    pub fn empty<E>(self) -> Result<Response<()>, Error<E>> {
        Ok(self.wrap(()))
    }

    /// A documented success with a text body.
    pub fn text<E>(self) -> Result<Response<String>, Error<E>> {
        let text = String::from_utf8_lossy(&self.body).into_owned();
        Ok(self.wrap(text))
    }

    /// A documented success with a binary body.
    pub fn bytes<E>(self) -> Result<Response<Bytes>, Error<E>> {
        let body = self.body.clone();
        Ok(self.wrap(body))
    }

    /// A documented error with a JSON body, wrapped in the operation's error variant.
    pub fn error_json<T: DeserializeOwned, E>(self, variant: impl FnOnce(T) -> E) -> Error<E> {
        match self.decode() {
            Ok(body) => self.api_error(variant(body)),
            Err(error) => error,
        }
    }

    /// A documented error without a body.
    pub fn error_empty<E>(self, error: E) -> Error<E> {
        self.api_error(error)
    }

    /// A documented error with a text body.
    pub fn error_text<E>(self, variant: impl FnOnce(String) -> E) -> Error<E> {
        let text = String::from_utf8_lossy(&self.body).into_owned();
        self.api_error(variant(text))
    }

    /// A documented error with a binary body.
    pub fn error_bytes<E>(self, variant: impl FnOnce(Bytes) -> E) -> Error<E> {
        let body = self.body.clone();
        self.api_error(variant(body))
    }

    /// A documented error, with the line its body says it in.
    fn api_error<E>(self, body: E) -> Error<E> {
        let summary = error_summary(&self.body);
        Error::Api { status: self.status, headers: Box::new(self.headers), body: Box::new(body), summary }
    }

    /// An error status of an undocumented request: its JSON body, if it has one.
    fn raw_error(self) -> Error<serde_json::Value> {
        match serde_json::from_slice::<serde_json::Value>(&self.body) {
            Ok(body) => self.api_error(body),
            Err(_) => self.unexpected(),
        }
    }

    /// A status the operation does not document.
    pub fn unexpected<E>(self) -> Error<E> {
        Error::UnexpectedStatus { status: self.status, headers: Box::new(self.headers), body: self.body }
    }
}

/// A response body that wraps the operation's data (`{"success", "errors", "messages",
/// "result"}`, as Cloudflare's do). Generated for every schema of that shape.
pub trait Envelope: DeserializeOwned {
    /// The data the operation returns.
    type Result;

    /// Whether the server reports success; `false` makes the call fail with
    /// [`Error::Unsuccessful`] even on a 2xx status.
    fn is_success(&self) -> bool;

    /// Takes the data out, leaving the rest of the envelope (messages, paging information).
    fn take_result(&mut self) -> Option<Self::Result>;
}

/// `value` as `T` when every member of it, at any depth, lands in a field of `T`: an
/// untagged union's variant that would silently drop part of the value (a nested field
/// another variant has) does not take it.
pub fn decode_whole<T: DeserializeOwned>(value: &serde_json::Value) -> Option<T> {
    let mut dropped = false;
    let decoded = serde_ignored::deserialize(value, |_| dropped = true).ok()?;
    (!dropped).then_some(decoded)
}

/// The request for the page at `next` (a URL a response gave), or `None` when there is
/// none or it is the URL just fetched (a server that hands back the same page would page
/// forever). `options` reaches the request's options.
pub fn next_page_at<R>(mut request: R, next: Option<String>, options: impl Fn(&mut R) -> &mut RequestOptions) -> Option<R> {
    let next = next?;
    let current = options(&mut request);
    if current.url.as_deref() == Some(next.as_str()) {
        return None;
    }
    current.url = Some(next);
    Some(request)
}

/// The URL of the `rel="next"` link of a `Link` header (RFC 8288), as GitHub pages:
/// `<https://api.github.com/…&page=2>; rel="next", <…>; rel="last"`.
pub fn next_link(headers: &HeaderMap) -> Option<String> {
    for value in headers.get_all(reqwest::header::LINK) {
        let Ok(value) = value.to_str() else { continue };
        let mut rest = value;
        while let Some(open) = rest.find('<') {
            let close = open + rest[open..].find('>')?;
            let url = &rest[open + 1..close];
            // The link's parameters run to the next link (a `,` outside `<…>`).
            let parameters_end = rest[close..].find(",").map_or(rest.len(), |at| close + at);
            let parameters = &rest[close + 1..parameters_end];
            let is_next = parameters.split(';').any(|parameter| {
                let Some((name, relations)) = parameter.split_once('=') else { return false };
                name.trim().eq_ignore_ascii_case("rel")
                    && relations.trim().trim_matches('"').split_whitespace().any(|relation| relation.eq_ignore_ascii_case("next"))
            });
            if is_next {
                return Some(url.to_owned());
            }
            rest = &rest[parameters_end..];
        }
    }
    None
}

/// A parameter value as JSON text; `None` (JSON `null`) for an unset optional one.
fn json_text<T: Serialize + ?Sized>(value: &T) -> Result<Option<String>, serde_json::Error> {
    serde_json::to_value(value).map(|json| (!json.is_null()).then(|| json.to_string()))
}

/// Reads a documented response header as `T`: as a JSON string first (strings, string
/// enums), then as a JSON literal (numbers, booleans), then as a comma-separated list.
/// Absent or unparsable is `None`: a header is informational, never worth failing a call.
pub fn header_value<T: DeserializeOwned>(headers: &HeaderMap, name: &str) -> Option<T> {
    let text = headers.get(name)?.to_str().ok()?.trim();
    let as_string = serde_json::Value::String(text.to_owned());
    if let Ok(value) = serde_json::from_value(as_string) {
        return Some(value);
    }
    if let Ok(value) = serde_json::from_str(text) {
        return Some(value);
    }
    let items = text
        .split(',')
        .map(|item| {
            let item = item.trim();
            serde_json::from_str(item).unwrap_or_else(|_| serde_json::Value::String(item.to_owned()))
        })
        .collect();
    serde_json::from_value(serde_json::Value::Array(items)).ok()
}

/// Serde glue for a field that is optional and nullable, where leaving it out and
/// sending `null` differ: `None` is left out (with `skip_serializing_if`), `Some(None)`
/// is `null`, and `Some(Some(value))` is the value. Used as `#[serde(with = ...)]`.
pub mod double_option {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<T: Serialize, S: Serializer>(value: &Option<Option<T>>, serializer: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(inner) => inner.serialize(serializer),
            None => serializer.serialize_none(),
        }
    }

    /// Only called when the field is present (absent fields take the `default`), so a
    /// present `null` is `Some(None)`.
    pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(deserializer).map(Some)
    }
}

/// A successful response: the decoded body, with the status and headers it came with,
/// and for enveloped operations the rest of the envelope (`M`).
#[derive(Debug, Clone)]
pub struct Response<T, M = ()> {
    status: StatusCode,
    headers: HeaderMap,
    body: T,
    envelope: M,
    /// The bytes the body was decoded from, to compare with what it encodes to again.
    #[cfg(feature = "round-trip")]
    raw_body: Bytes,
}

impl<T, M> Response<T, M> {
    /// The envelope the body came in, without its `result` (for example Cloudflare's
    /// `messages`); `()` for operations without an envelope.
    pub fn envelope(&self) -> &M {
        &self.envelope
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }

    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    pub fn body(&self) -> &T {
        &self.body
    }

    /// The body as it came over the wire (with the `round-trip` feature, which keeps it
    /// for checking that decoding lost nothing).
    #[cfg(feature = "round-trip")]
    pub fn raw_body(&self) -> &Bytes {
        &self.raw_body
    }

    pub fn into_body(self) -> T {
        self.body
    }

    /// The body and the envelope it came in.
    pub fn into_parts(self) -> (T, M) {
        (self.body, self.envelope)
    }

    /// Changes the body, keeping status, headers and envelope.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Response<U, M> {
        Response {
            status: self.status,
            headers: self.headers,
            body: f(self.body),
            envelope: self.envelope,
            #[cfg(feature = "round-trip")]
            raw_body: self.raw_body,
        }
    }
}

/// Why a call failed. `E` is the operation's enum of documented error responses.
#[derive(Debug)]
pub enum Error<E> {
    /// The server answered with an error status the operation documents; the body is decoded.
    /// (Boxed, like the headers, so that `Result<_, Error<E>>` stays small whatever `E` is.)
    /// `summary` is what the body says in a line, when it says it the common ways
    /// (`{"code", "message"}`, `{"error": {…}}`, `{"errors": [{…}]}`, `detail`).
    Api { status: StatusCode, headers: Box<HeaderMap>, body: Box<E>, summary: Option<String> },
    /// The server answered with a status the operation does not document.
    UnexpectedStatus { status: StatusCode, headers: Box<HeaderMap>, body: Bytes },
    /// The server answered with a success status but reported failure (`"success": false`).
    Unsuccessful { status: StatusCode, headers: Box<HeaderMap>, body: Bytes },
    /// The response body does not match the documented schema.
    Decode { status: StatusCode, headers: Box<HeaderMap>, body: Bytes, source: serde_json::Error },
    /// No response in time: the connect timeout or the request timeout passed.
    Timeout(reqwest::Error),
    /// No response: the connection failed, or the response could not be read.
    Connection(reqwest::Error),
    /// The request was not sent because a value given for it is invalid.
    InvalidRequest(String),
    /// The request was not sent because no configured credentials satisfy the operation's security.
    MissingCredentials { operation: &'static str, accepted: String },
    /// No access token could be had for the scheme (its token endpoint failed).
    Authentication { scheme: &'static str, reason: String },
    /// The response body is larger than the client's limit
    /// ([`ClientBuilder::max_response_bytes`]); reading stopped there.
    ResponseTooLarge { status: StatusCode, headers: Box<HeaderMap>, limit: u64 },
}

impl<E> Error<E> {
    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::Api { status, .. }
            | Self::UnexpectedStatus { status, .. }
            | Self::Unsuccessful { status, .. }
            | Self::Decode { status, .. }
            | Self::ResponseTooLarge { status, .. } => Some(*status),
            Self::Timeout(_) | Self::Connection(_) => None,
            Self::InvalidRequest(_) | Self::MissingCredentials { .. } | Self::Authentication { .. } => None,
        }
    }

    /// The headers of the response, when the server answered (a request id is often
    /// what an API's support asks for).
    pub fn headers(&self) -> Option<&HeaderMap> {
        match self {
            Self::Api { headers, .. }
            | Self::UnexpectedStatus { headers, .. }
            | Self::Unsuccessful { headers, .. }
            | Self::Decode { headers, .. }
            | Self::ResponseTooLarge { headers, .. } => Some(headers),
            Self::Timeout(_) | Self::Connection(_) => None,
            Self::InvalidRequest(_) | Self::MissingCredentials { .. } | Self::Authentication { .. } => None,
        }
    }

    /// The decoded body of a documented error response.
    pub fn api_error(&self) -> Option<&E> {
        match self {
            Self::Api { body, .. } => Some(body),
            _ => None,
        }
    }
}

impl<E: fmt::Debug> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // The summary, not the whole body: a 300-field error in a log line helps no one.
            Self::Api { status, summary: Some(summary), .. } => write!(f, "the server answered {status}: {summary}"),
            Self::Api { status, summary: None, .. } => write!(f, "the server answered {status}"),
            Self::UnexpectedStatus { status, body, .. } => {
                write!(f, "the server answered with undocumented status {status}: {}", preview(body))
            }
            Self::Unsuccessful { status, body, .. } => {
                write!(f, "the server answered {status} but reported failure: {}", preview(body))
            }
            Self::Decode { status, body, source, .. } => {
                write!(f, "could not decode the {status} response ({source}): {}", preview(body))
            }
            Self::Timeout(error) => write!(f, "the request timed out: {error}"),
            Self::Connection(error) => write!(f, "the request failed: {error}"),
            Self::InvalidRequest(problem) => write!(f, "invalid request: {problem}"),
            Self::MissingCredentials { operation, accepted } => {
                write!(f, "`{operation}` needs credentials for {accepted}; none are configured")
            }
            Self::Authentication { scheme, reason } => write!(f, "no access token for `{scheme}`: {reason}"),
            Self::ResponseTooLarge { status, limit, .. } => {
                write!(f, "the {status} response is larger than the client's limit of {limit} bytes")
            }
        }
    }
}

impl<E: fmt::Debug> std::error::Error for Error<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Timeout(error) | Self::Connection(error) => Some(error),
            Self::Decode { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// What an error body says in a line: its message, after its code when it has one, from
/// the shapes APIs use (`{"code", "message"}`, OAuth's `{"error", "error_description"}`,
/// `{"error": {…}}`, `{"errors": [{…}, …]}`, problem details' `title` and `detail`).
fn error_summary(body: &[u8]) -> Option<String> {
    const LIMIT: usize = 300;
    fn text(value: &serde_json::Value) -> Option<String> {
        match value {
            serde_json::Value::String(text) if !text.trim().is_empty() => Some(text.trim().to_owned()),
            serde_json::Value::Number(number) => Some(number.to_string()),
            _ => None,
        }
    }
    fn said(value: &serde_json::Value, depth: usize) -> Option<String> {
        let fields = value.as_object()?;
        let field = |names: &[&str]| names.iter().find_map(|name| fields.get(*name).and_then(text));
        let message = field(&["message", "error_description", "detail", "error_message", "msg", "title"])
            .or_else(|| fields.get("error").and_then(|error| error.as_str().map(str::to_owned)));
        let code = field(&["code", "error_code", "type"])
            .or_else(|| fields.get("error").and_then(|error| error.as_str().map(str::to_owned)))
            .filter(|code| Some(code) != message.as_ref());
        if let Some(message) = message {
            return Some(match code {
                Some(code) => format!("{code}: {message}"),
                None => message,
            });
        }
        if depth > 2 {
            return None;
        }
        if let Some(inner) = fields.get("error").filter(|error| error.is_object()) {
            return said(inner, depth + 1);
        }
        let errors = fields.get("errors").and_then(serde_json::Value::as_array)?;
        let first = said(errors.first()?, depth + 1).or_else(|| errors.first().and_then(text))?;
        Some(match errors.len() {
            1 => first,
            more => format!("{first} (and {} more)", more - 1),
        })
    }
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let summary = said(&value, 0).or_else(|| text(&value))?;
    Some(match summary.char_indices().nth(LIMIT) {
        Some((cut, _)) => format!("{}…", &summary[..cut]),
        None => summary,
    })
}

/// The start of a body, for error messages.
fn preview(body: &[u8]) -> String {
    const LIMIT: usize = 512;
    let text = String::from_utf8_lossy(&body[..body.len().min(LIMIT)]).into_owned();
    if body.len() > LIMIT {
        format!("{text}…")
    } else {
        text
    }
}

/// The items of every page, fetched as the stream is polled. `fetch` sends one page's
/// request and returns its items and the request for the next page, if there is one.
pub fn paginate<'a, S, I, E, F, Fut>(first: S, fetch: F) -> impl Stream<Item = Result<I, Error<E>>> + 'a
where
    S: 'a,
    I: 'a,
    E: 'a,
    F: FnMut(S) -> Fut + 'a,
    Fut: Future<Output = Result<(Vec<I>, Option<S>), Error<E>>> + 'a,
{
    enum State<S, I> {
        Fetch(S),
        Yield(std::vec::IntoIter<I>, Option<S>),
        Done,
    }
    futures_util::stream::unfold((State::Fetch(first), fetch), |(mut state, mut fetch)| async move {
        loop {
            state = match state {
                State::Done => return None,
                State::Yield(mut items, next) => match items.next() {
                    Some(item) => return Some((Ok(item), (State::Yield(items, next), fetch))),
                    None => next.map_or(State::Done, State::Fetch),
                },
                State::Fetch(request) => match fetch(request).await {
                    Ok((items, next)) => State::Yield(items.into_iter(), next),
                    Err(error) => return Some((Err(error), (State::Done, fetch))),
                },
            }
        }
    })
}
