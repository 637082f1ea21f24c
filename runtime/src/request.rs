//! [`Request`]: what generated code builds for each call, and the loop that sends it
//! (credentials, retries, hooks, tracing); [`RawRequest`] for endpoints the spec lacks.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};
use std::time::{Duration, Instant};

use futures_util::future::{Either, TryFutureExt};
use percent_encoding::utf8_percent_encode;
use reqwest::header::{HeaderName, HeaderValue, AUTHORIZATION};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::auth::{sensitive, Attach};
use super::config::Settings;
use super::encode::{is_unreserved, joined_text, json_text, json_value, scalar_texts, style_pairs, PATH_SEGMENT};
use super::error::SendError;
use super::response::{read_whole, Failure};
use super::retry::{retryable_status, RetryPolicy};
use super::upload::Payload;
use super::{
    Answer, BoxFuture, Bytes, ClientCore, Error, File, HeaderMap, Method, Multipart, RawResponse, RequestInfo,
    RequestOptions, Response, SecurityScheme, StatusCode, StreamingResponse, Style, TokenProvider,
};

/// Requests start from the client.
impl ClientCore {
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

    fn start(
        &self,
        operation_id: &'static str,
        method: Method,
        path_template: std::borrow::Cow<'static, str>,
    ) -> Request<'_> {
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
        self.request.options.settings_mut().query.push((name.into(), value.into()));
        self
    }

    /// Adds a header (a value with a line break fails the request before sending).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.request.options.settings_mut().headers.push((name.into(), value.into()));
        self
    }

    /// Sends `body` as JSON.
    pub fn json<T: Serialize + ?Sized>(self, body: &T) -> Self {
        Self { request: self.request.json("application/json", body) }
    }

    /// Sends `body` as it is, as `content_type`.
    pub fn body(mut self, content_type: impl Into<std::borrow::Cow<'static, str>>, body: impl Into<Vec<u8>>) -> Self {
        self.request.body = Some((content_type.into(), Payload::memory(body.into())));
        self
    }

    /// Overrides the client's timeout or retries (headers and query parameters add up).
    pub fn with_options(mut self, options: RequestOptions) -> Self {
        let mut options = options;
        let Settings { timeout, retry, mut headers, mut query, mut extra_body, url } = options.take();
        let current = self.request.options.settings_mut();
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

/// An operation on its way: the request being sent, then the operation's own reading of
/// the answer. Generated operations return it from `send()` and `IntoFuture` rather than
/// each being an `async fn`: one state machine, here, serves every operation, which keeps
/// large APIs quick to compile, and `.await` on a builder boxes nothing more.
#[must_use = "a request does nothing until it is awaited"]
pub struct Call<'c, T, E> {
    sending: BoxFuture<'c, Result<RawResponse, SendError>>,
    decode: fn(RawResponse) -> Result<T, Error<E>>,
}

impl<T, E> Future for Call<'_, T, E> {
    type Output = Result<T, Error<E>>;

    fn poll(self: Pin<&mut Self>, context: &mut TaskContext<'_>) -> Poll<Self::Output> {
        // Every field is `Unpin` (the request's future is boxed), so the call is too.
        let call = self.get_mut();
        match call.sending.as_mut().poll(context) {
            Poll::Ready(Ok(response)) => Poll::Ready((call.decode)(response)),
            Poll::Ready(Err(error)) => Poll::Ready(Err(error.widen())),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<T, E> std::fmt::Debug for Call<'_, T, E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Call").finish_non_exhaustive()
    }
}

/// A request body: its media type and contents.
type Body = (std::borrow::Cow<'static, str>, Payload);

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

impl<'c> Request<'c> {
    fn fail(mut self, problem: String) -> Self {
        self.problem.get_or_insert(problem);
        self
    }

    /// Fills `{name}` in the path template with `value`, percent-encoded as one segment.
    pub fn path_param<T: Serialize + ?Sized>(self, name: &'static str, value: &T) -> Self {
        match joined_text(value) {
            Ok(Some(text)) => self.path_text(name, text),
            Ok(None) => self.fail(format!("path parameter `{name}` has no value")),
            Err(problem) => self.fail(format!("path parameter `{name}`: {problem}")),
        }
    }

    /// Fills `{name}` with a string, as [`path_param`](Self::path_param) does, taking it
    /// as it is rather than copying it: what generated code passes for string parameters.
    pub fn path_text(mut self, name: &'static str, value: String) -> Self {
        if value.is_empty() {
            // `/items//parts` is another resource, or none: never what was meant.
            return self.fail(format!("path parameter `{name}` is empty"));
        }
        if value == "." || value == ".." {
            // URL normalization would resolve a `.` or `..` segment, escaped or not.
            return self.fail(format!("path parameter `{name}` cannot be `{value}`"));
        }
        // Most values (ids, slugs) need no escaping: kept whole.
        let value = match value.bytes().all(is_unreserved) {
            true => value,
            false => escaped(&value),
        };
        self.path_params.push((name, value));
        self
    }

    /// Fills `{name}` in `style: matrix`: `;name=value`; a list as `;name=a,b`, or
    /// `;name=a;name=b` when `explode`; an object's members as `;name=k,v` pairs, or
    /// `;k=v` each when `explode`. Every value is percent-encoded.
    pub fn path_matrix<T: Serialize + ?Sized>(self, name: &'static str, value: &T, explode: bool) -> Self {
        let lead = format!(";{}=", escaped(name));
        self.path_styled(name, value, &lead, ";", explode)
    }

    /// Fills `{name}` in `style: label`: `.value`; a list as `.a,b`, or `.a.b` when
    /// `explode`; an object's members as `.k,v` pairs, or `.k=v` each when `explode`.
    pub fn path_label<T: Serialize + ?Sized>(self, name: &'static str, value: &T, explode: bool) -> Self {
        self.path_styled(name, value, ".", ".", explode)
    }

    /// Fills `{name}` in a prefixed style: `lead` before the value (or before each item,
    /// exploded), `member_lead` before each `key=value` of an exploded object.
    fn path_styled<T: Serialize + ?Sized>(
        mut self,
        name: &'static str,
        value: &T,
        lead: &str,
        member_lead: &str,
        explode: bool,
    ) -> Self {
        let rendered = path_pieces(value).map(|pieces| match (pieces, explode) {
            (Pieces::List(items), true) => items.iter().map(|item| format!("{lead}{item}")).collect(),
            (Pieces::Members(members), true) => {
                members.iter().map(|(key, value)| format!("{member_lead}{key}={value}")).collect()
            }
            (pieces, _) => format!("{lead}{}", pieces.joined()),
        });
        match rendered {
            // `.` and `..` would be resolved away as segments (a label of `.` renders `..`).
            Ok(text) if text == "." || text == ".." => self.fail(format!("path parameter `{name}` cannot be `{text}`")),
            Ok(text) => {
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
    pub fn query_delimited<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
        delimiter: &'static str,
    ) -> Self {
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
        let encoded = json_value(value)
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
        match joined_text(value) {
            Ok(None) => self,
            Ok(Some(text)) => {
                self.headers.push((name, text));
                self
            }
            Err(problem) => self.fail(format!("header `{name}`: {problem}")),
        }
    }

    /// Adds a cookie; `None` adds nothing.
    pub fn cookie<T: Serialize + ?Sized>(mut self, name: &'static str, value: &T) -> Self {
        match joined_text(value) {
            Ok(None) => self,
            Ok(Some(text)) => {
                self.cookies.push((name, text));
                self
            }
            Err(problem) => self.fail(format!("cookie `{name}`: {problem}")),
        }
    }

    /// A JSON body with the given media type.
    pub fn json<T: Serialize + ?Sized>(self, media_type: &'static str, body: &T) -> Self {
        self.json_encoded(media_type, serde_json::to_vec(body))
    }

    /// The rest of [`json`](Self::json), which each body type compiles a copy of.
    fn json_encoded(mut self, media_type: &'static str, encoded: serde_json::Result<Vec<u8>>) -> Self {
        match encoded {
            Ok(bytes) => {
                self.body = Some((media_type.into(), Payload::memory(bytes)));
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
        let properties = match json_value(body) {
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
                self.body = Some((media_type.into(), Payload::memory(url.query().unwrap_or_default().to_owned())));
                self
            }
            Err(error) => self.fail(format!("request body: {error}")),
        }
    }

    /// A `multipart/form-data` body, built part by part.
    pub fn multipart(mut self, form: Multipart) -> Self {
        match form.into_payload() {
            Ok((media_type, payload)) => {
                self.body = Some((media_type.into(), payload));
                self
            }
            Err(problem) => self.fail(problem),
        }
    }

    /// A text body.
    pub fn text(mut self, media_type: &'static str, body: &str) -> Self {
        self.body = Some((media_type.into(), Payload::memory(body.to_owned())));
        self
    }

    /// A whole body from a [`File`] (in memory, a path or a stream), as its own content
    /// type, else `media_type`, the spec's.
    pub fn file(mut self, media_type: &'static str, body: &File) -> Self {
        let (media_type, payload) = body.clone().into_payload(media_type);
        self.body = Some((media_type.into(), payload));
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

    /// Sends the request as [`send`](Self::send) does, and reads the answer with `decode`
    /// (the operation's statuses and types): what a generated operation's `send()` returns.
    pub fn call<T, E>(self, decode: fn(RawResponse) -> Result<T, Error<E>>) -> Call<'c, T, E> {
        Call { sending: Box::pin(self.send_whole()), decode }
    }

    /// Sends the request, retrying as the policy allows, and reads the whole response.
    pub fn send<E>(self) -> impl Future<Output = Result<RawResponse, Error<E>>> + use<'c, E> {
        self.send_whole().map_err(SendError::widen)
    }

    /// [`send`](Self::send) before its error is an operation's.
    fn send_whole(self) -> impl Future<Output = Result<RawResponse, SendError>> + use<'c> {
        self.execute(Handling::ToRead, std::convert::identity)
    }

    /// Sends the request; a success's body is left unread, to be read as it comes
    /// ([`Answer::Streaming`]); any other answer is read in full.
    pub fn send_streaming<E>(self) -> impl Future<Output = Result<Answer, Error<E>>> + use<'c, E> {
        let execute = self.execute(
            |response| match response.status().is_success() {
                true => Handling::Unread(Answer::Streaming(StreamingResponse::new(response))),
                false => Handling::ToRead(response),
            },
            Answer::Read,
        );
        execute.map_err(SendError::widen)
    }

    /// Checks everything the attempts share here, before any future exists, then sends.
    /// What an `async` block holds across its awaits is what each call allocates: kept
    /// under a kilobyte, it comes from the allocator's per-thread cache. Generic over what
    /// is answered alone (read whole, or streamed), never over an operation's types: every
    /// operation shares this code, compiled once.
    fn execute<T>(
        self,
        unread: Unread<T>,
        whole: fn(RawResponse) -> T,
    ) -> impl Future<Output = Result<T, SendError>> + use<'c, T> {
        match self.prepare() {
            Ok(sending) => Either::Left(sending.attempts(unread, whole)),
            Err(error) => Either::Right(std::future::ready(Err(error))),
        }
    }

    /// The credentials to send, the final body, and how often to try.
    fn prepare(mut self) -> Result<Sending<'c>, SendError> {
        if let Some(problem) = self.problem.take() {
            return Err(Error::InvalidRequest(problem));
        }
        let schemes = self.chosen_schemes()?;
        let mut tokens = None;
        let mut secret_in_url = false;
        for scheme in schemes {
            match self.core.credentials.get(scheme.name) {
                Some(Attach::Invalid(problem)) => return Err(Error::InvalidRequest(problem.clone())),
                // Asked for when sending: a token provider may have to fetch one.
                Some(Attach::Tokens(provider)) => tokens = Some((provider, scheme.name)),
                Some(Attach::Query(..)) => secret_in_url = true,
                Some(Attach::Header(..) | Attach::Cookie(_)) | None => {}
            }
        }
        if let Some(extra) =
            self.options.settings().map(|settings| &settings.extra_body).filter(|extra| !extra.is_empty())
        {
            self.body = with_extra_members(self.body.take(), extra)?;
        }
        // A body read from a stream cannot be sent twice.
        let repeatable = self.body.as_ref().is_none_or(|(_, payload)| payload.repeatable());
        let policy = self.retry_policy();
        let retries = if policy.allows(&self.method) && repeatable { policy.max_retries } else { 0 };
        let idempotency_key = self.idempotency_key()?;
        let span = self.span();
        Ok(Sending {
            request: self,
            schemes,
            idempotency_key,
            tokens,
            bearer: None,
            retries,
            refreshed: false,
            repeatable,
            secret_in_url,
            span,
        })
    }

    /// The idempotency key to send, when the policy retries this method with one: one
    /// key per request, made before the first attempt, so that every retry repeats it.
    fn idempotency_key(&self) -> Result<Option<Box<(HeaderName, HeaderValue)>>, SendError> {
        let Some((name, key)) = self.retry_policy().idempotency_key_for(&self.method) else { return Ok(None) };
        let value = HeaderValue::from_str(&key).map_err(|_| Error::InvalidRequest(key.clone()))?;
        Ok(Some(Box::new((HeaderName::from_spec_name(name)?, value))))
    }

    /// The request's tracing span, its outcome's fields recorded as the attempts go.
    fn span(&self) -> tracing::Span {
        tracing::info_span!(
            "http_request",
            operation = self.operation_id,
            method = %self.method,
            path = &*self.path_template,
            status = tracing::field::Empty,
            attempt = tracing::field::Empty,
            latency_ms = tracing::field::Empty,
        )
    }

    /// The request's own retry policy, else the client's.
    fn retry_policy(&self) -> &RetryPolicy {
        self.options.settings().and_then(|settings| settings.retry.as_ref()).unwrap_or(&self.core.retry)
    }

    /// A next page's URL, as the server gave it: refused unless it is under the base URL.
    fn given_url(&self, given: &str) -> Result<reqwest::Url, SendError> {
        // A next page given relative to the server (`/v1/items?page=2`) is on the base URL's origin.
        let absolute = match given.starts_with('/') && !given.starts_with("//") {
            true => format!("{}{given}", self.core.base.origin().ascii_serialization()),
            false => given.to_owned(),
        };
        let base_url = &self.core.base_url;
        let under_base =
            absolute.strip_prefix(base_url.as_str()).is_some_and(|rest| rest.is_empty() || rest.starts_with('/'));
        if !under_base {
            return Err(Error::InvalidRequest(format!(
                "`{absolute}` is not under the client's base URL `{base_url}`, and credentials go nowhere else"
            )));
        }
        reqwest::Url::parse(&absolute).map_err(|error| Error::InvalidRequest(format!("invalid URL: {error}")))
    }

    /// The operation's URL: the base URL with the rendered path template appended to its path.
    fn operation_url(&self) -> Result<reqwest::Url, SendError> {
        let base = &self.core.base;
        let base_path = base.path().trim_end_matches('/');
        let mut path = String::with_capacity(base_path.len() + self.path_template.len() + 32);
        path.push_str(base_path);
        // A template with a query or fragment of its own (`/items?op=x`, or a raw request's
        // path) is parsed whole: `set_path` would escape its `?`.
        if self.render_path(&mut path) == Literal::WithQueryOrFragment {
            let url = format!("{}{}", self.core.base_url, &path[base_path.len()..]);
            return reqwest::Url::parse(&url).map_err(|error| Error::InvalidRequest(format!("invalid URL: {error}")));
        }
        let mut url = base.clone();
        url.set_path(&path);
        Ok(url)
    }

    /// Appends the path template to `path`, its parameters filled in, in one pass over
    /// the template that also tells whether its literal text starts a query or fragment
    /// (parameter values never do: they are escaped).
    fn render_path(&self, path: &mut String) -> Literal {
        let template = &*self.path_template;
        let mut literal = Literal::PathOnly;
        let mut copied_up_to = 0;
        let mut at = 0;
        // Byte scans: templates are short, where `str::find`'s setup costs more than it saves.
        while let Some(&byte) = template.as_bytes().get(at) {
            match byte {
                b'?' | b'#' => literal = Literal::WithQueryOrFragment,
                b'{' => {
                    let length = template[at..].bytes().position(|byte| byte == b'}');
                    let name = length.map(|length| &template[at + 1..at + length]);
                    // An unset parameter stays as it is written, and is read on as text.
                    let value = self.path_params.iter().find(|(param, _)| Some(*param) == name);
                    if let (Some(length), Some((_, value))) = (length, value) {
                        path.push_str(&template[copied_up_to..at]);
                        // Escaped when it was set.
                        path.push_str(value);
                        copied_up_to = at + length + 1;
                        at += length;
                    }
                }
                _ => {}
            }
            at += 1;
        }
        path.push_str(&template[copied_up_to..]);
        literal
    }

    /// The first alternative whose schemes all have credentials; anonymous access (an
    /// empty alternative) only when no credentialed alternative is configured.
    fn chosen_schemes(&self) -> Result<&'static [&'static SecurityScheme], SendError> {
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
        Err(self.missing_credentials())
    }

    /// Why no alternative of the operation's security requirements can be sent.
    #[cold]
    fn missing_credentials(&self) -> SendError {
        let accepted: Vec<String> = self
            .security
            .iter()
            .map(|alternative| alternative.iter().map(|scheme| scheme.name).collect::<Vec<_>>().join(" + "))
            .collect();
        Error::MissingCredentials { operation: self.operation_id, accepted: accepted.join(", or ") }
    }
}

/// A path value's parts, each percent-encoded, for a path style to join.
enum Pieces {
    List(Vec<String>),
    Members(Vec<(String, String)>),
}

impl Pieces {
    /// The parts joined by commas, as the unexploded styles send them (`a,b`; `k,v,k2,v2`).
    fn joined(&self) -> String {
        match self {
            Pieces::List(items) => items.join(","),
            Pieces::Members(members) => {
                members.iter().flat_map(|(key, value)| [key.as_str(), value.as_str()]).collect::<Vec<_>>().join(",")
            }
        }
    }
}

/// `value`'s parts: one for a scalar, one per item of a list, a pair per member of an
/// object; a value with none (`null`, an empty list) is refused, as the path needs one.
fn path_pieces<T: Serialize + ?Sized>(value: &T) -> Result<Pieces, String> {
    let pieces = match json_value(value).map_err(|error| error.to_string())? {
        serde_json::Value::Object(members) => {
            let mut pairs = Vec::new();
            for (key, member) in &members {
                for text in scalar_texts(member)? {
                    pairs.push((escaped(key), escaped(&text)));
                }
            }
            Pieces::Members(pairs)
        }
        other => Pieces::List(scalar_texts(&other)?.iter().map(|text| escaped(text)).collect()),
    };
    match &pieces {
        Pieces::List(items) if items.is_empty() => Err("has no value".to_owned()),
        Pieces::Members(members) if members.is_empty() => Err("has no value".to_owned()),
        _ => Ok(pieces),
    }
}

/// `text` percent-encoded as part of a path segment.
fn escaped(text: &str) -> String {
    utf8_percent_encode(text, PATH_SEGMENT).to_string()
}

/// Whether a path template's own text goes on past the path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Literal {
    PathOnly,
    WithQueryOrFragment,
}

/// What a call does with a response before reading its body: a streaming call hands a
/// success over unread; every other response is read whole.
type Unread<T> = fn(reqwest::Response) -> Handling<T, reqwest::Response>;

/// A response handed over as it is, or one (`R`) whose body is to be read whole.
enum Handling<T, R> {
    Unread(T),
    ToRead(R),
}

/// A request ready to go: the request as built, with what [`Request::prepare`] worked
/// out. Each attempt's URL and headers are rendered from it afresh, so the first attempt,
/// most often the only one, copies nothing.
#[derive(Debug)]
struct Sending<'c> {
    request: Request<'c>,
    /// The alternative of the operation's security requirements whose credentials are sent.
    schemes: &'static [&'static SecurityScheme],
    /// Made once: every attempt repeats it. Boxed, as few requests have one.
    idempotency_key: Option<Box<(HeaderName, HeaderValue)>>,
    /// The provider of the bearer token to send, and its scheme: asked before the first
    /// attempt, and for a fresh token after a 401.
    tokens: Option<(&'c Arc<dyn TokenProvider>, &'static str)>,
    /// The provider's latest token, as an `Authorization` value.
    bearer: Option<HeaderValue>,
    /// Retries left to make, counting from the first attempt: one more after a token refresh.
    retries: u32,
    refreshed: bool,
    repeatable: bool,
    secret_in_url: bool,
    span: tracing::Span,
}

/// Why another attempt is made.
enum Again<'c> {
    After(Duration),
    /// A fresh token from this provider, for this scheme.
    WithFreshToken(&'c Arc<dyn TokenProvider>, &'static str),
}

impl<'c> Sending<'c> {
    fn attempts<T>(
        self,
        unread: Unread<T>,
        whole: fn(RawResponse) -> T,
    ) -> impl Future<Output = Result<T, SendError>> + use<'c, T> {
        // Captured whole and used in place: bound again inside, it would be held twice.
        let mut sending = self;
        async move {
            if let Some((provider, scheme)) = sending.tokens {
                // A request its own values make invalid is refused before a token is fetched.
                sending.target()?;
                sending.bearer(provider, scheme, false).await?;
            }
            let mut attempt = 0;
            loop {
                attempt += 1;
                // Read only when a subscriber records the span: the clock is not free.
                let started = (!sending.span.is_disabled()).then(Instant::now);
                let body = match &sending.request.body {
                    None => None,
                    Some((_, payload)) => Some(match payload.in_memory() {
                        Some(bytes) => (reqwest::Body::from(bytes.clone()), None),
                        // Files and streams are opened in a future of their own, boxed: kept
                        // inline, its state would grow every call's, bodiless GETs included.
                        None => Box::pin(payload.body()).await.map_err(Error::Upload)?,
                    }),
                };
                // Each await holds only its own future (a pointer to the request in flight,
                // then the body read so far): the request and the response are moved into
                // them, never borrowed here, so this state keeps no room for either.
                let request = sending.request(attempt, body)?;
                let sent = sending.request.core.http.execute(request).await;
                let reading = match sending.received(attempt, started, sent, unread) {
                    Handling::Unread(unread) => return Ok(unread),
                    Handling::ToRead(reading) => reading,
                };
                let outcome = reading.await;
                let again = match sending.settle(attempt, started, outcome) {
                    Ok(answer) => return answer.map(whole),
                    Err(again) => again,
                };
                match again {
                    Again::After(wait) => Box::pin(tokio::time::sleep(wait)).await,
                    Again::WithFreshToken(provider, scheme) => sending.bearer(provider, scheme, true).await?,
                }
            }
        }
    }

    /// An attempt's response, shown to the hooks: handed over unread, or the reading of
    /// its body.
    fn received<T>(
        &self,
        attempt: u32,
        started: Option<Instant>,
        sent: Result<reqwest::Response, reqwest::Error>,
        unread: Unread<T>,
    ) -> Handling<T, impl Future<Output = Result<RawResponse, Failure>> + use<T>> {
        let response = match sent {
            Ok(response) => response,
            Err(error) => return Handling::ToRead(Either::Right(std::future::ready(Err(Failure::Transport(error))))),
        };
        let status = response.status();
        let info = self.info(attempt);
        for hook in &self.request.core.hooks.0 {
            hook.after_response(&info, status, response.headers());
        }
        match unread(response) {
            Handling::Unread(unread) => {
                self.record(attempt, started);
                self.span.record("status", status.as_u16());
                Handling::Unread(unread)
            }
            Handling::ToRead(response) => {
                Handling::ToRead(Either::Left(read_whole(response, self.request.core.max_response_bytes)))
            }
        }
    }

    /// What an attempt's outcome makes of the call: its answer (`Ok`), or another attempt.
    fn settle(
        &mut self,
        attempt: u32,
        started: Option<Instant>,
        outcome: Result<RawResponse, Failure>,
    ) -> Result<Result<RawResponse, SendError>, Again<'c>> {
        self.record(attempt, started);
        let info = self.info(attempt);
        let hooks = &self.request.core.hooks.0;
        let response = match outcome {
            Ok(response) => response,
            // Too large is final: a retry would read as much again.
            Err(Failure::TooLarge { status, headers, limit }) => {
                self.span.record("status", status.as_u16());
                return Ok(Err(Error::ResponseTooLarge { status, headers: Box::new(headers), limit }));
            }
            Err(Failure::Transport(error)) => {
                hooks.iter().for_each(|hook| hook.on_error(&info, &error));
                if attempt <= self.retries && (error.is_connect() || error.is_timeout() || error.is_request()) {
                    return Err(self.wait(attempt, None));
                }
                let error = if self.secret_in_url { error.without_url() } else { error };
                tracing::debug!(parent: &self.span, error = %error, "request failed");
                return Ok(Err(if error.is_timeout() { Error::Timeout(error) } else { Error::Connection(error) }));
            }
        };
        // A refused token is replaced once, by a fresh one, before the 401 counts.
        if let Some((provider, scheme)) = self.tokens.filter(|_| !self.refreshed && self.repeatable) {
            if response.status == StatusCode::UNAUTHORIZED {
                self.refreshed = true;
                self.retries += 1;
                tracing::debug!(parent: &self.span, attempt, "the token was refused; trying once more with a fresh one");
                return Err(Again::WithFreshToken(provider, scheme));
            }
        }
        self.span.record("status", response.status.as_u16());
        if attempt <= self.retries && retryable_status(response.status) {
            return Err(self.wait(attempt, Some(&response.headers)));
        }
        tracing::debug!(parent: &self.span, status = response.status.as_u16(), "response");
        Ok(Ok(response))
    }

    /// The wait before retrying after attempt `attempt`, as the hooks are told.
    fn wait(&self, attempt: u32, headers: Option<&HeaderMap>) -> Again<'c> {
        let wait = self.request.retry_policy().delay(attempt, headers);
        let info = self.info(attempt);
        self.request.core.hooks.0.iter().for_each(|hook| hook.on_retry(&info, wait));
        tracing::debug!(parent: &self.span, attempt, wait_ms = wait.as_millis() as u64, "retrying");
        Again::After(wait)
    }

    fn record(&self, attempt: u32, started: Option<Instant>) {
        self.span.record("attempt", attempt);
        if let Some(started) = started {
            self.span.record("latency_ms", started.elapsed().as_millis() as u64);
        }
    }

    /// Asks `provider` for a token (a fresh one when `refresh`) and sends it from now on.
    async fn bearer(
        &mut self,
        provider: &Arc<dyn TokenProvider>,
        scheme: &'static str,
        refresh: bool,
    ) -> Result<(), SendError> {
        let token = provider
            .token(self.request.core.token_client(), refresh)
            .await
            .map_err(|reason| Error::Authentication { scheme, reason })?;
        self.bearer = Some(sensitive(&format!("Bearer {}", token.expose()), scheme)?);
        Ok(())
    }

    fn info(&self, attempt: u32) -> RequestInfo<'_> {
        RequestInfo {
            operation_id: self.request.operation_id,
            method: &self.request.method,
            path_template: &self.request.path_template,
            attempt,
        }
    }

    /// Attempt `attempt`'s request, with `body` (and its length, when streamed), as the
    /// hooks leave it.
    fn request(&self, attempt: u32, body: Option<(reqwest::Body, Option<u64>)>) -> Result<reqwest::Request, SendError> {
        let (url, headers) = self.target()?;
        // Built directly, its headers set whole: a builder would insert them one by one.
        let mut request = reqwest::Request::new(self.request.method.clone(), url);
        *request.headers_mut() = headers;
        // Set only when given: reqwest keeps it in the request's extensions, a map
        // allocated on first use.
        if let Some(timeout) = self.request.options.settings().and_then(|settings| settings.timeout) {
            *request.timeout_mut() = Some(timeout);
        }
        if let Some((body, streamed_length)) = body {
            *request.body_mut() = Some(body);
            if let Some(length) = streamed_length {
                request.headers_mut().insert(reqwest::header::CONTENT_LENGTH, HeaderValue::from(length));
            }
        }
        let info = self.info(attempt);
        for hook in &self.request.core.hooks.0 {
            hook.before_send(&info, &mut request);
        }
        Ok(request)
    }

    /// The URL and headers an attempt sends: the request's parameters, its credentials,
    /// and the caller's options.
    fn target(&self) -> Result<(reqwest::Url, HeaderMap), SendError> {
        let request = &self.request;
        let settings = request.options.settings();
        // A URL given whole (a next page) already has its parameters.
        let given = settings.and_then(|settings| settings.url.as_deref());
        let mut url = match given {
            Some(given) => request.given_url(given)?,
            None => request.operation_url()?,
        };
        let mut headers = HeaderMap::new();
        for attach in self.credentials() {
            if let Attach::Header(name, value) = attach {
                headers.append(name.clone(), value.clone());
            }
        }
        if let Some(bearer) = &self.bearer {
            headers.insert(AUTHORIZATION, bearer.clone());
        }
        self.add_query(&mut url, given.is_none());
        self.add_declared_headers(&mut headers)?;
        if let Some(accept) = request.accept.filter(|_| !request.core.accept_by_default) {
            if !headers.contains_key(reqwest::header::ACCEPT) {
                // Checked once, and taken without copying.
                let value = HeaderValue::from_maybe_shared(Bytes::from_static(accept.as_bytes()))
                    .map_err(|_| Error::InvalidRequest(format!("`{accept}` is not a valid accept header")))?;
                headers.insert(reqwest::header::ACCEPT, value);
            }
        }
        self.add_cookies(&mut headers)?;
        if let Some((media_type, _)) = &request.body {
            let value = HeaderValue::from_str(media_type)
                .map_err(|_| Error::InvalidRequest(format!("`{media_type}` is not a valid content type")))?;
            headers.insert(reqwest::header::CONTENT_TYPE, value);
        }
        if let Some((name, key)) = self.idempotency_key.as_deref() {
            if !headers.contains_key(name) {
                headers.insert(name.clone(), key.clone());
            }
        }
        Ok((url, headers))
    }

    /// The credentials the chosen alternative sends.
    fn credentials(&self) -> impl Iterator<Item = &'c Attach> {
        let credentials = &self.request.core.credentials;
        self.schemes.iter().filter_map(|scheme| credentials.get(scheme.name))
    }

    /// API keys sent as query parameters, as `(name, key)`.
    fn keys_in_query(&self) -> impl Iterator<Item = (&str, &str)> {
        self.credentials().filter_map(|attach| match attach {
            Attach::Query(name, secret) => Some((*name, secret.expose())),
            _ => None,
        })
    }

    /// Appends the query: the operation's parameters and the caller's (unless the URL
    /// was given whole, `own_query` false), and API keys sent in the query.
    fn add_query(&self, url: &mut reqwest::Url, own_query: bool) {
        let request = &self.request;
        let declared = request.query.iter().map(|(name, value)| (name.as_str(), value.as_str()));
        // Some specs also declare the key as a parameter (Trello's `key`): the credential
        // is the one value sent, never a second.
        let declared = declared.filter(|(name, _)| own_query && !self.keys_in_query().any(|(key, _)| key == *name));
        let extra = request.options.settings().into_iter().flat_map(|settings| &settings.query).filter(|_| own_query);
        let mut query =
            declared.chain(self.keys_in_query()).chain(extra.map(|(name, value)| (name.as_str(), value.as_str())));
        if let Some(first) = query.next() {
            url.query_pairs_mut().extend_pairs(std::iter::once(first).chain(query));
        }
    }

    /// Appends the operation's header parameters and the caller's extra headers.
    fn add_declared_headers(&self, headers: &mut HeaderMap) -> Result<(), SendError> {
        let request = &self.request;
        // A declared header the credentials already set (an API key the spec also lists as
        // a parameter) is sent once, as the credential.
        let set_by_credentials = |name: &HeaderName| {
            (self.bearer.is_some() && name == AUTHORIZATION)
                || self.credentials().any(|attach| matches!(attach, Attach::Header(set, _) if set == name))
        };
        for (name, value) in &request.headers {
            let header_name = HeaderName::from_spec_name(name)?;
            if !set_by_credentials(&header_name) {
                headers.append(header_name, header_value(name, value)?);
            }
        }
        for (name, value) in request.options.settings().into_iter().flat_map(|settings| &settings.headers) {
            headers.append(HeaderName::from_spec_name(name)?, header_value(name, value)?);
        }
        Ok(())
    }

    /// Sets the `Cookie` header: the operation's cookie parameters and API keys sent as cookies.
    fn add_cookies(&self, headers: &mut HeaderMap) -> Result<(), SendError> {
        let mut cookies = String::new();
        let key_in_cookie = self.credentials().filter_map(|attach| match attach {
            Attach::Cookie(cookie) => Some(["", "", cookie.expose()]),
            _ => None,
        });
        let declared = self.request.cookies.iter().map(|(name, value)| [*name, "=", value.as_str()]);
        for cookie in declared.chain(key_in_cookie) {
            if !cookies.is_empty() {
                cookies.push_str("; ");
            }
            cookie.iter().for_each(|piece| cookies.push_str(piece));
        }
        if !cookies.is_empty() {
            let value = HeaderValue::from_str(&cookies).map_err(|_| {
                Error::InvalidRequest("a cookie has a value that is not allowed in a header".to_owned())
            })?;
            headers.append(reqwest::header::COOKIE, value);
        }
        Ok(())
    }
}

/// A header value given as text; one with a line break or control character is refused.
fn header_value(name: &str, value: &str) -> Result<HeaderValue, SendError> {
    HeaderValue::from_str(value).map_err(|_| {
        Error::InvalidRequest(format!(
            "header `{name}` has a value that is not allowed in a header (a line break or control character)"
        ))
    })
}

/// A JSON object body with [`RequestOptions::extra_body`]'s members set; a request
/// without a body gets one holding only them.
fn with_extra_members(
    body: Option<Body>,
    extra: &[(String, Result<serde_json::Value, String>)],
) -> Result<Option<Body>, SendError> {
    let (media_type, mut object) = match body {
        None => ("application/json".into(), serde_json::Map::new()),
        Some((media_type, payload)) => match payload.in_memory().map(|bytes| serde_json::from_slice(bytes)) {
            Some(Ok(serde_json::Value::Object(object))) if media_type.contains("json") => (media_type, object),
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
    Ok(Some((media_type, Payload::memory(bytes))))
}

/// Header names come from the spec; reqwest wants them lowercase.
trait FromSpecName: Sized {
    fn from_spec_name(name: &str) -> Result<Self, SendError>;
}

impl FromSpecName for HeaderName {
    fn from_spec_name(name: &str) -> Result<Self, SendError> {
        // `from_bytes` lowercases as it checks.
        HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| Error::InvalidRequest(format!("`{name}` is not a valid header name")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ClientBuilder, Credential, SchemeKind};
    use serde_json::json;

    struct Api(ClientCore);

    impl From<ClientCore> for Api {
        fn from(core: ClientCore) -> Self {
            Self(core)
        }
    }

    /// What a request with `id` as its path value would be refused for, before sending.
    async fn refusal(id: &str) -> Option<String> {
        // Nothing listens on port 9: a request that is not refused fails to connect instead.
        let api = ClientBuilder::<Api>::new("http://127.0.0.1:9").retry(crate::RetryPolicy::none()).build().ok()?;
        match api.0.request("get_item", Method::GET, "/items/{id}/parts").path_param("id", id).send::<()>().await {
            Err(Error::InvalidRequest(problem)) => Some(problem),
            _ => None,
        }
    }

    #[tokio::test]
    async fn path_values_that_would_change_the_path_are_refused() {
        assert_eq!(refusal("").await.as_deref(), Some("path parameter `id` is empty"));
        assert_eq!(refusal("..").await.as_deref(), Some("path parameter `id` cannot be `..`"));
        assert_eq!(refusal("a/b").await, None, "escaped, so it stays one segment");
    }

    #[tokio::test]
    async fn an_api_key_also_declared_as_a_parameter_is_sent_once_as_the_credential() {
        use std::io::{Read, Write};
        // A one-request server that hands back the request line it read.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
        let address = listener.local_addr().expect("an address");
        let server = std::thread::spawn(move || {
            let (mut socket, _) = listener.accept().expect("a connection");
            let mut buffer = [0_u8; 4096];
            let read = socket.read(&mut buffer).expect("a request");
            let _ = socket.write_all(b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
            String::from_utf8_lossy(&buffer[..read]).into_owned()
        });
        static KEY: SecurityScheme = SecurityScheme { name: "api_key", kind: SchemeKind::ApiKeyQuery("key") };
        static SECURITY: &[&[&SecurityScheme]] = &[&[&KEY]];
        let api = ClientBuilder::<Api>::new(format!("http://{address}"))
            .credential(&KEY, Credential::secret("s3cret"))
            .build()
            .expect("builds");
        let sent = api.0.request("get_board", Method::GET, "/boards").query("key", "given", true).security(SECURITY);
        sent.send::<()>().await.expect("answered");
        let request = server.join().expect("the server ran");
        assert!(request.starts_with("GET /boards?key=s3cret HTTP/1.1"), "{request}");
    }

    #[test]
    fn urls_keep_the_base_urls_path_and_a_templates_own_query() {
        let api = ClientBuilder::<Api>::new("http://x.test/api/v2/").build().expect("builds");
        let url = |template: &'static str| {
            let request = api.0.request("op", Method::GET, template).path_param("id", "a/b");
            request.operation_url().map(|url| url.to_string()).ok()
        };
        assert_eq!(url("/items/{id}").as_deref(), Some("http://x.test/api/v2/items/a%2Fb"));
        assert_eq!(url("/items?op=list").as_deref(), Some("http://x.test/api/v2/items?op=list"));
        let root = ClientBuilder::<Api>::new("http://x.test").build().expect("builds");
        let request = root.0.request("op", Method::GET, "/items");
        assert_eq!(request.operation_url().map(|url| url.to_string()).ok().as_deref(), Some("http://x.test/items"));
    }

    #[test]
    fn credentials_are_spelled_once_and_a_bad_one_fails_only_the_requests_that_send_it() {
        static TOKEN: SecurityScheme = SecurityScheme { name: "token", kind: SchemeKind::Bearer };
        static BASIC: SecurityScheme = SecurityScheme { name: "basic", kind: SchemeKind::Basic };
        static KEY: SecurityScheme = SecurityScheme { name: "key", kind: SchemeKind::ApiKeyHeader("X-Api-Key") };
        static BY_TOKEN: &[&[&SecurityScheme]] = &[&[&TOKEN]];
        static BY_BASIC_AND_KEY: &[&[&SecurityScheme]] = &[&[&BASIC, &KEY]];
        let api = ClientBuilder::<Api>::new("http://x.test")
            .credential(&TOKEN, Credential::secret("line\nbreak"))
            .credential(&BASIC, Credential::basic("user", "pass"))
            .credential(&KEY, Credential::secret("k3y"))
            .build()
            .expect("a bad credential does not stop the client being built");
        let refused = api.0.request("op", Method::GET, "/a").security(BY_TOKEN).prepare();
        assert!(
            matches!(&refused, Err(Error::InvalidRequest(problem)) if problem == "the credential for `token` is not a valid header value"),
            "{refused:?}"
        );
        let sending = api.0.request("op", Method::GET, "/a").security(BY_BASIC_AND_KEY).prepare().expect("prepared");
        let (_, headers) = sending.target().expect("rendered");
        let header = |name: &str| headers.get(name).and_then(|value| value.to_str().ok()).map(str::to_owned);
        assert_eq!(header("authorization").as_deref(), Some("Basic dXNlcjpwYXNz"));
        assert_eq!(header("x-api-key").as_deref(), Some("k3y"));
        assert!(
            headers.get("authorization").is_some_and(HeaderValue::is_sensitive),
            "secrets stay out of HTTP/2 tables"
        );
    }

    #[test]
    fn paths_escape_what_would_leave_a_segment_and_copy_the_rest() {
        let api = ClientBuilder::<Api>::new("http://x.test").build().expect("builds");
        let request = api.0.request("op", Method::GET, "/a/{x}/b/{y}{z}").path_param("x", "a/b c").path_param("y", &7);
        let mut path = String::new();
        assert_eq!(request.render_path(&mut path), Literal::PathOnly, "escaped values never start a query");
        assert_eq!(path, "/a/a%2Fb%20c/b/7{z}", "an unset parameter stays as it was");
        // Only the template's own text can go on past the path, set parameter or not.
        for template in ["/items?op={x}", "/items/{x}#top", "/items/{y?}", "/items/{x?"] {
            let request = api.0.request("op", Method::GET, template).path_param("x", "a?b");
            let mut path = String::new();
            assert_eq!(request.render_path(&mut path), Literal::WithQueryOrFragment, "{template}");
        }
    }

    #[test]
    fn matrix_and_label_paths_spell_each_shape_as_openapi_does() {
        let api = ClientBuilder::<Api>::new("http://x.test").build().expect("builds");
        let rendered = |request: Request<'_>| {
            assert_eq!(request.problem, None);
            let mut path = String::new();
            request.render_path(&mut path);
            path
        };
        let matrix = |value: serde_json::Value, explode| {
            rendered(api.0.request("op", Method::GET, "/r/{id}").path_matrix("id", &value, explode))
        };
        assert_eq!(matrix(json!(5), false), "/r/;id=5");
        assert_eq!(matrix(json!(["a b", "c"]), false), "/r/;id=a%20b,c");
        assert_eq!(matrix(json!(["a", "c"]), true), "/r/;id=a;id=c");
        assert_eq!(matrix(json!({"a": 1, "b": 2}), false), "/r/;id=a,1,b,2");
        assert_eq!(matrix(json!({"a": 1, "b": 2}), true), "/r/;a=1;b=2");
        let label = |value: serde_json::Value, explode| {
            rendered(api.0.request("op", Method::GET, "/r/{id}").path_label("id", &value, explode))
        };
        assert_eq!(label(json!("x/y"), false), "/r/.x%2Fy");
        assert_eq!(label(json!([1, 2]), false), "/r/.1,2");
        assert_eq!(label(json!([1, 2]), true), "/r/.1.2");
        assert_eq!(label(json!({"R": 1}), true), "/r/.R=1");
        // A label of `.` would make a `..` segment, and nothing at all no segment.
        let refused = api.0.request("op", Method::GET, "/r/{id}").path_label("id", ".", false);
        assert!(refused.problem.is_some_and(|problem| problem.contains("cannot be `..`")));
        let empty = api.0.request("op", Method::GET, "/r/{id}").path_matrix("id", &Vec::<u8>::new(), false);
        assert!(empty.problem.is_some_and(|problem| problem.contains("has no value")));
    }

    #[test]
    fn a_calls_state_fits_the_allocators_per_thread_cache() {
        // glibc serves allocations up to 1,032 bytes from a per-thread cache in about 50
        // instructions; a larger one takes its slow path, at 1,000 to 2,000. Every call
        // boxes this future once.
        let api = ClientBuilder::<Api>::new("http://x.test").build().expect("builds");
        let call = api.0.request("op", Method::GET, "/a").send::<serde_json::Value>();
        assert!(std::mem::size_of_val(&call) <= 1024, "{} bytes", std::mem::size_of_val(&call));
    }
}
