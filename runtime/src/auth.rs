//! Security schemes and credentials: static secrets, basic authentication, and
//! [`TokenProvider`]s that fetch and refresh OAuth2 tokens ([`ClientCredentials`],
//! [`RefreshToken`]).

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use percent_encoding::utf8_percent_encode;
use reqwest::header::{HeaderName, HeaderValue, AUTHORIZATION};

use super::encode::PATH_SEGMENT;
use super::error::{preview, SendError};
use super::{BoxFuture, Error};

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

/// A header value that holds a secret: marked sensitive so HTTP/2 never indexes it.
pub(crate) fn sensitive(value: &str, scheme: &str) -> Result<HeaderValue, SendError> {
    sensitive_value(value).ok_or_else(|| Error::InvalidRequest(not_a_header_value(scheme)))
}

fn sensitive_value(value: &str) -> Option<HeaderValue> {
    let mut value = HeaderValue::from_str(value).ok()?;
    value.set_sensitive(true);
    Some(value)
}

fn not_a_header_value(scheme: &str) -> String {
    format!("the credential for `{scheme}` is not a valid header value")
}

/// How a configured credential goes on a request, worked out once when the client is
/// built: a secret's header is spelled (and basic credentials encoded) once, and each
/// request only shares it.
#[derive(Debug, Clone)]
pub(crate) enum Attach {
    /// A header: bearer or basic authorization, or an API key.
    Header(HeaderName, HeaderValue),
    /// An API key as the named query parameter.
    Query(&'static str, Secret),
    /// An API key as a cookie, spelled `name=value`.
    Cookie(Secret),
    /// A bearer token asked of the provider for each request.
    Tokens(Arc<dyn TokenProvider>),
    /// Cannot be sent; why, reported by each request that would send it (a client that
    /// never calls those operations still works).
    Invalid(String),
}

impl Attach {
    /// How `credential` goes on a request under `scheme`; `http` spells basic credentials.
    pub(crate) fn new(scheme: &SecurityScheme, credential: Credential, http: &reqwest::Client) -> Self {
        let header = |name: HeaderName, value: &str| match sensitive_value(value) {
            Some(value) => Self::Header(name, value),
            None => Self::Invalid(not_a_header_value(scheme.name)),
        };
        match (scheme.kind, credential) {
            (SchemeKind::Bearer, Credential::Secret(secret)) => {
                header(AUTHORIZATION, &format!("Bearer {}", secret.expose()))
            }
            (SchemeKind::Bearer, Credential::Tokens(provider)) => Self::Tokens(provider),
            (SchemeKind::Basic, Credential::Basic { username, password }) => {
                // reqwest spells the header (base64, marked sensitive); any URL will do.
                let spelled = http.get("http://localhost/").basic_auth(username, Some(password.expose())).build();
                match spelled.ok().and_then(|mut request| request.headers_mut().remove(AUTHORIZATION)) {
                    Some(value) => Self::Header(AUTHORIZATION, value),
                    None => Self::Invalid(not_a_header_value(scheme.name)),
                }
            }
            (SchemeKind::ApiKeyHeader(name), Credential::Secret(secret)) => {
                match HeaderName::from_bytes(name.as_bytes()) {
                    Ok(name) => header(name, secret.expose()),
                    Err(_) => Self::Invalid(format!("`{name}` is not a valid header name")),
                }
            }
            (SchemeKind::ApiKeyQuery(name), Credential::Secret(secret)) => Self::Query(name, secret),
            (SchemeKind::ApiKeyCookie(name), Credential::Secret(secret)) => {
                Self::Cookie(Secret::new(format!("{name}={}", secret.expose())))
            }
            (SchemeKind::Basic, Credential::Secret(_)) | (_, Credential::Basic { .. } | Credential::Tokens(_)) => {
                Self::Invalid(format!("the credential for `{}` has the wrong kind", scheme.name))
            }
        }
    }
}
