//! Reading answers: [`RawResponse`] decodes bodies into the types an operation
//! documents; [`Response`] is what a successful call returns.

use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::error::{error_summary, SendError};
use super::{Bytes, Error, HeaderMap, StatusCode, Stream, StreamExt};

/// Reads `response`'s body whole, refusing it as soon as it passes `limit` bytes (or says
/// it will, in `Content-Length`), so a misbehaving server cannot make the client buffer more.
pub(crate) fn read_whole(
    mut response: reqwest::Response,
    limit: u64,
) -> ReadWhole<impl Stream<Item = reqwest::Result<Bytes>> + Unpin> {
    let announced_too_large = response.content_length().is_some_and(|length| length > limit);
    ReadWhole {
        status: response.status(),
        // Taken, not cloned: reading the body no longer needs them.
        headers: std::mem::take(response.headers_mut()),
        chunks: response.bytes_stream(),
        first: None,
        rest: Vec::new(),
        limit,
        announced_too_large,
    }
}

/// Why an attempt brought no answer to decode.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The request was not sent, or its answer not received whole.
    Transport(reqwest::Error),
    /// The body is larger than the client reads whole.
    TooLarge { status: StatusCode, headers: HeaderMap, limit: u64 },
}

/// A body being read whole: a future written out rather than an `async fn`, so a call's
/// state holds the body read so far and nothing twice.
pub(crate) struct ReadWhole<S> {
    status: StatusCode,
    headers: HeaderMap,
    chunks: S,
    /// Most bodies come in one chunk: kept as it is, copied only once a second one comes.
    first: Option<Bytes>,
    rest: Vec<u8>,
    limit: u64,
    announced_too_large: bool,
}

impl<S: Stream<Item = reqwest::Result<Bytes>> + Unpin> Future for ReadWhole<S> {
    type Output = Result<RawResponse, Failure>;

    fn poll(self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<Self::Output> {
        let read = self.get_mut();
        let too_large = |read: &mut Self| {
            let headers = std::mem::take(&mut read.headers);
            Poll::Ready(Err(Failure::TooLarge { status: read.status, headers, limit: read.limit }))
        };
        if read.announced_too_large {
            return too_large(read);
        }
        while let Some(chunk) = ready!(read.chunks.poll_next_unpin(context)) {
            let chunk = chunk.map_err(Failure::Transport)?;
            let so_far = read.first.as_ref().map_or(0, Bytes::len) + read.rest.len();
            if so_far as u64 + chunk.len() as u64 > read.limit {
                return too_large(read);
            }
            match read.first.take() {
                None if read.rest.is_empty() => read.first = Some(chunk),
                earlier => {
                    read.rest.extend_from_slice(&earlier.unwrap_or_default());
                    read.rest.extend_from_slice(&chunk);
                }
            }
        }
        let body = read.first.take().unwrap_or_else(|| Bytes::from(std::mem::take(&mut read.rest)));
        Poll::Ready(Ok(RawResponse { status: read.status, headers: std::mem::take(&mut read.headers), body }))
    }
}

/// A response read in full, before decoding.
#[derive(Debug)]
pub struct RawResponse {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

impl RawResponse {
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The body as `T`; a failure names where in the body it happened (`[0].at: …`), since
    /// a 300-field response's message alone rarely says which value was wrong. The place
    /// is found from the error's position only when decoding fails, so a success costs
    /// plain serde_json and nothing more.
    fn decode<T: DeserializeOwned>(&self) -> Result<T, SendError> {
        serde_json::from_slice(&self.body).map_err(|source| self.undecodable(source))
    }

    /// The error for a body that did not decode: apart from [`decode`](Self::decode), which
    /// each response type compiles a copy of.
    #[cold]
    fn undecodable(&self, source: serde_json::Error) -> SendError {
        let source = match path_at(&self.body, source.line(), source.column()) {
            Some(at) => <serde_json::Error as serde::de::Error>::custom(format!("at `{at}`: {source}")),
            None => source,
        };
        Error::Decode { status: self.status, headers: Box::new(self.headers.clone()), body: self.body.clone(), source }
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
        let mut envelope: V = self.decode().map_err(SendError::widen)?;
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
        let body = self.decode().map_err(SendError::widen)?;
        Ok(self.wrap(body))
    }

    /// A documented success without a body; any body sent is ignored.
    pub fn empty<E>(self) -> Result<Response<()>, Error<E>> {
        Ok(self.wrap(()))
    }

    /// A documented success with a text body.
    pub fn text<E>(self) -> Result<Response<String>, Error<E>> {
        let text = self.body_text();
        Ok(self.wrap(text))
    }

    /// The body as text: a JSON string's value when the server labels the body JSON and
    /// it is one (a spec that allows any media type lets the server choose), else the
    /// body's own text.
    fn body_text(&self) -> String {
        let media_type = self.headers.get(reqwest::header::CONTENT_TYPE).and_then(|value| value.to_str().ok());
        let essence = media_type.and_then(|media_type| media_type.split(';').next()).unwrap_or_default().trim();
        let labelled_json = essence.eq_ignore_ascii_case("application/json") || essence.ends_with("+json");
        match labelled_json.then(|| serde_json::from_slice::<String>(&self.body).ok()).flatten() {
            Some(text) => text,
            None => String::from_utf8_lossy(&self.body).into_owned(),
        }
    }

    /// A documented success with a binary body.
    pub fn bytes<E>(self) -> Result<Response<Bytes>, Error<E>> {
        let body = self.body.clone();
        Ok(self.wrap(body))
    }

    /// A documented error with a JSON body, wrapped in the operation's error variant.
    /// The variant is a plain `fn`, not a closure type of its own: the statuses of an
    /// operation whose errors share a body type share one copy of this function.
    pub fn error_json<T: DeserializeOwned, E>(self, variant: fn(T) -> E) -> Error<E> {
        match self.decode() {
            Ok(body) => self.api_error(variant(body)),
            Err(error) => error.widen(),
        }
    }

    /// A documented error without a body.
    pub fn error_empty<E>(self, error: E) -> Error<E> {
        self.api_error(error)
    }

    /// A documented error with a text body.
    pub fn error_text<E>(self, variant: fn(String) -> E) -> Error<E> {
        let text = self.body_text();
        self.api_error(variant(text))
    }

    /// A documented error with a binary body.
    pub fn error_bytes<E>(self, variant: fn(Bytes) -> E) -> Error<E> {
        let body = self.body.clone();
        self.api_error(variant(body))
    }

    /// A documented error, with the line its body says it in.
    fn api_error<E>(self, body: E) -> Error<E> {
        let summary = error_summary(&self.body);
        Error::Api { status: self.status, headers: Box::new(self.headers), body: Box::new(body), summary }
    }

    /// An error status of an undocumented request: its JSON body, if it has one.
    pub(crate) fn raw_error(self) -> Error<serde_json::Value> {
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

/// Where in a JSON document the byte at `line` and `column` (1-based, as serde_json
/// reports errors) is: `items[2].price`, or `None` at the top level. A scan of the text,
/// so it finds the place whatever type was being decoded.
fn path_at(body: &[u8], line: usize, column: usize) -> Option<String> {
    enum Frame {
        /// The key being read or whose value is being read, once known.
        Object(Option<String>),
        /// The index of the current item, and whether it has started.
        Array(usize, bool),
    }
    let line_start = match line {
        0 | 1 => 0,
        line => body.iter().enumerate().filter(|(_, byte)| **byte == b'\n').nth(line - 2)?.0 + 1,
    };
    let end = (line_start + column.max(1)).min(body.len());
    let mut frames: Vec<Frame> = Vec::new();
    let mut string: Option<Vec<u8>> = None;
    let mut escaped = false;
    let mut string_is_key = false;
    for &byte in &body[..end] {
        if let Some(text) = string.as_mut() {
            match (escaped, byte) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => {
                    let text = string.take().unwrap_or_default();
                    if let (true, Some(Frame::Object(key))) = (string_is_key, frames.last_mut()) {
                        *key = Some(String::from_utf8_lossy(&text).into_owned());
                    }
                    continue;
                }
                (false, _) => {}
            }
            text.push(byte);
            continue;
        }
        if byte.is_ascii_whitespace() || byte == b':' {
            continue;
        }
        if let Some(Frame::Array(_, started)) = frames.last_mut() {
            if byte != b']' && byte != b',' {
                *started = true;
            }
        }
        match byte {
            b'"' => {
                string_is_key = matches!(frames.last(), Some(Frame::Object(None)));
                string = Some(Vec::new());
            }
            b'{' => frames.push(Frame::Object(None)),
            b'[' => frames.push(Frame::Array(0, false)),
            b'}' | b']' => {
                frames.pop();
            }
            b',' => match frames.last_mut() {
                Some(Frame::Object(key)) => *key = None,
                Some(Frame::Array(index, started)) => {
                    *index += 1;
                    *started = false;
                }
                None => {}
            },
            _ => {}
        }
    }
    let mut path = String::new();
    for frame in &frames {
        match frame {
            Frame::Object(Some(key)) if path.is_empty() => path.push_str(key),
            Frame::Object(Some(key)) => {
                path.push('.');
                path.push_str(key);
            }
            Frame::Array(index, true) => path.push_str(&format!("[{index}]")),
            Frame::Object(None) | Frame::Array(_, false) => break,
        }
    }
    (!path.is_empty()).then_some(path)
}

/// `value` as `T` when every member of it, at any depth, lands in a field of `T`: an
/// untagged union's variant that would silently drop part of the value (a nested field
/// another variant has) does not take it.
///
/// A union nested inside `T` buffers its value and decodes it on its own, out of sight of
/// this check; when it settles for a variant that drops members ([`decode_fitting`]), it
/// says so through a thread-local flag, and `T` does not hold the value whole either.
pub fn decode_whole<T: DeserializeOwned>(value: &serde_json::Value) -> Option<T> {
    let (decoded, dropped) = decode_noting_drops(value);
    decoded.filter(|_| !dropped)
}

/// `value` as `T` if it decodes at all, a union's fallback when no variant holds it whole.
/// Members it drops are reported to an enclosing [`decode_whole`], if any.
pub fn decode_fitting<T: DeserializeOwned>(value: &serde_json::Value) -> Option<T> {
    let (decoded, dropped) = decode_noting_drops(value);
    if decoded.is_some() && dropped {
        LOSSY_NESTED_DECODE.set(true);
    }
    decoded
}

/// `value` as `T`, and whether decoding it dropped a member, here or in a nested union.
///
/// Drops are noted by a plain `fn` rather than a closure: `serde_ignored` wraps every
/// nested deserializer in the callback's type, so a closure (a type of its own for each
/// `T` and each caller) would compile every type reachable from a union once per union
/// variant that reaches it. One callback type compiles each type's reader once.
fn decode_noting_drops<T: DeserializeOwned>(value: &serde_json::Value) -> (Option<T>, bool) {
    let enclosing_dropped = DROPPED_MEMBER.replace(false);
    let enclosing_lossy = LOSSY_NESTED_DECODE.replace(false);
    let enclosing_checking = CHECKING_DROPS.replace(true);
    let decoded = serde_ignored::deserialize(value, note_dropped_member as fn(serde_ignored::Path<'_>)).ok();
    CHECKING_DROPS.set(enclosing_checking);
    // What a nested decode reported, whether or not this one succeeded, ends here.
    let dropped = DROPPED_MEMBER.replace(enclosing_dropped) | LOSSY_NESTED_DECODE.replace(enclosing_lossy);
    (decoded, dropped)
}

fn note_dropped_member(_: serde_ignored::Path<'_>) {
    DROPPED_MEMBER.set(true);
}

thread_local! {
    /// Set when the decode in progress ([`decode_noting_drops`]) meets a member its type
    /// has no field for. Decoding is synchronous, so the thread is the call.
    static DROPPED_MEMBER: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// Set when a union decoded inside a [`decode_whole`] dropped members.
    static LOSSY_NESTED_DECODE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// Set while [`decode_noting_drops`] runs: a union nested in the value reports what
    /// its chosen member drops. Unset, a union decodes at full speed, noting nothing.
    static CHECKING_DROPS: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
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

/// A member name read from an object: borrowed from the input when it can be, so that
/// matching it against a struct's fields ([`FromMembers`]) allocates nothing.
#[derive(Debug)]
pub struct FieldName<'de>(std::borrow::Cow<'de, str>);

impl FieldName<'_> {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for FieldName<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Name;

        impl<'de> serde::de::Visitor<'de> for Name {
            type Value = FieldName<'de>;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("a member name")
            }

            fn visit_borrowed_str<E: serde::de::Error>(self, name: &'de str) -> Result<Self::Value, E> {
                Ok(FieldName(std::borrow::Cow::Borrowed(name)))
            }

            fn visit_str<E: serde::de::Error>(self, name: &str) -> Result<Self::Value, E> {
                Ok(FieldName(std::borrow::Cow::Owned(name.to_owned())))
            }

            fn visit_string<E: serde::de::Error>(self, name: String) -> Result<Self::Value, E> {
                Ok(FieldName(std::borrow::Cow::Owned(name)))
            }
        }

        deserializer.deserialize_identifier(Name)
    }
}

/// A struct read from a JSON object member by member. Generated structs implement it, and
/// their `Deserialize` is [`read_object`]: written out rather than derived, because a
/// derive also emits readers of fields by index and of the struct as a JSON array (which
/// no API sends), and that code is most of what large APIs spend compiling their types.
pub trait FromMembers: Sized {
    /// Reads the members of an object.
    fn from_members<'de, A: serde::de::MapAccess<'de>>(members: A) -> Result<Self, A::Error>;
}

/// Reads a [`FromMembers`] struct from an object; `expecting` names it in errors.
pub fn read_object<'de, T: FromMembers, D: serde::Deserializer<'de>>(
    deserializer: D,
    expecting: &'static str,
) -> Result<T, D::Error> {
    struct Members<T>(&'static str, std::marker::PhantomData<T>);

    impl<'de, T: FromMembers> serde::de::Visitor<'de> for Members<T> {
        type Value = T;

        fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            formatter.write_str(self.0)
        }

        fn visit_map<A: serde::de::MapAccess<'de>>(self, members: A) -> Result<T, A::Error> {
            T::from_members(members)
        }
    }

    deserializer.deserialize_map(Members(expecting, std::marker::PhantomData))
}

/// Decodes `value` as the member of a dispatched union its discriminator names, wrapped
/// as that variant (`Self::Dog`). Each arm of a union's dispatch is one call to this: a
/// debug build keeps every arm's temporaries apart, so arms that decoded in place would
/// hold room for every member at once, and unions of large members nested a few deep
/// would overflow the stack.
///
/// Inside an untagged union's check that a variant holds a value whole ([`decode_whole`]),
/// the member is decoded noting what it drops, and a drop is reported to that check: the
/// union picked by its tag (`Retail`) may still lack a member another choice of the
/// enclosing union has (`errors`).
pub fn decode_variant<T: DeserializeOwned, U, E: serde::de::Error>(
    value: serde_json::Value,
    variant: fn(T) -> U,
) -> Result<U, E> {
    if CHECKING_DROPS.get() {
        if let Some(decoded) = decode_fitting(&value) {
            return Ok(variant(decoded));
        }
    }
    serde_json::from_value(value).map(variant).map_err(E::custom)
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

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;
    use serde::{Deserialize, Serialize};

    /// What decoding `body` as `T` says went wrong, and where.
    fn failure<T: DeserializeOwned + std::fmt::Debug>(body: &str) -> String {
        let response =
            RawResponse { status: StatusCode::OK, headers: HeaderMap::new(), body: Bytes::from(body.to_owned()) };
        match response.decode::<T>() {
            Err(Error::Decode { source, .. }) => source.to_string(),
            other => panic!("expected a decode error, got {other:?}"),
        }
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Page {
        items: Vec<Item>,
        total: u32,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Item {
        id: u32,
        tags: Vec<String>,
        owner: Option<Inner>,
    }

    #[test]
    fn decode_errors_name_their_place_in_the_body() {
        let wrong_type = r#"{"items": [{"id": 1, "tags": []}, {"id": 2, "tags": ["a", 3]}], "total": 2}"#;
        assert!(failure::<Page>(wrong_type).starts_with("at `items[1].tags[1]`: invalid type: integer `3`"));
        let missing = "{\n  \"items\": [\n    {\"id\": 1, \"tags\": [], \"owner\": {}}\n  ],\n  \"total\": 1\n}";
        assert!(
            failure::<Page>(missing).starts_with("at `items[0].owner`: missing field `a`"),
            "{}",
            failure::<Page>(missing)
        );
        let keys_with_escapes = r#"{"items": [], "total": "many", "x\"y": 1}"#;
        assert!(failure::<Page>(keys_with_escapes).starts_with("at `total`: invalid type: string"));
        let truncated = r#"[{"id": 1, "tags": ["a"#;
        assert!(
            failure::<Vec<Item>>(truncated).starts_with("at `[0].tags[0]`: EOF while parsing"),
            "{}",
            failure::<Vec<Item>>(truncated)
        );
        // At the top level there is no place to name.
        assert!(failure::<Page>("true").starts_with("invalid type: boolean"));
        assert!(failure::<Page>(r#"{"items": []}"#).starts_with("missing field `total`"));
    }

    #[test]
    fn header_values_read_as_strings_literals_then_lists() {
        let mut headers = HeaderMap::new();
        headers.insert("x-count", HeaderValue::from_static("42"));
        headers.insert("x-id", HeaderValue::from_static("0042"));
        headers.insert("x-tags", HeaderValue::from_static("a, 2,true"));
        headers.insert("x-flag", HeaderValue::from_static("true"));
        assert_eq!(header_value::<u32>(&headers, "x-count"), Some(42));
        assert_eq!(header_value::<String>(&headers, "x-id").as_deref(), Some("0042"));
        assert_eq!(header_value::<bool>(&headers, "x-flag"), Some(true));
        assert_eq!(
            header_value::<Vec<serde_json::Value>>(&headers, "x-tags"),
            Some(vec![serde_json::json!("a"), serde_json::json!(2), serde_json::json!(true)])
        );
        assert_eq!(header_value::<u32>(&headers, "x-tags"), None, "unreadable is absent, not an error");
        assert_eq!(header_value::<u32>(&headers, "x-missing"), None);
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Outer {
        inner: Inner,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Inner {
        a: u8,
    }

    #[test]
    fn decode_whole_refuses_values_that_would_lose_a_member_at_any_depth() {
        let whole = serde_json::json!({"inner": {"a": 1}});
        assert_eq!(decode_whole::<Outer>(&whole), Some(Outer { inner: Inner { a: 1 } }));
        assert_eq!(decode_whole::<Outer>(&serde_json::json!({"inner": {"a": 1, "b": 2}})), None);
        assert_eq!(decode_whole::<Outer>(&serde_json::json!({"inner": {"a": 1}, "c": 3})), None);
        assert_eq!(decode_whole::<Outer>(&serde_json::json!({"inner": {}})), None);
    }

    /// A union as generated: buffers its value, then takes the first variant that holds it
    /// whole, else the first that decodes.
    #[derive(Debug, PartialEq)]
    enum Choice {
        Narrow(Inner),
        Wide(Wide),
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Wide {
        a: u8,
        b: u8,
    }

    impl<'de> Deserialize<'de> for Choice {
        fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            let value = serde_json::Value::deserialize(deserializer)?;
            if let Some(decoded) = decode_whole(&value) {
                return Ok(Self::Narrow(decoded));
            }
            if let Some(decoded) = decode_whole(&value) {
                return Ok(Self::Wide(decoded));
            }
            if let Some(decoded) = decode_fitting(&value) {
                return Ok(Self::Narrow(decoded));
            }
            Err(serde::de::Error::custom("no variant"))
        }
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Holder {
        choice: Choice,
    }

    #[derive(Debug, PartialEq)]
    enum Outermost {
        Holder(Holder),
        Flat(serde_json::Map<String, serde_json::Value>),
    }

    impl<'de> Deserialize<'de> for Outermost {
        fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            let value = serde_json::Value::deserialize(deserializer)?;
            if let Some(decoded) = decode_whole(&value) {
                return Ok(Self::Holder(decoded));
            }
            decode_fitting(&value).map(Self::Flat).ok_or_else(|| serde::de::Error::custom("no variant"))
        }
    }

    #[test]
    fn a_nested_union_that_drops_members_is_not_a_whole_decode_of_its_parent() {
        // The nested union settles for `Narrow`, dropping `c`: the outer variant holding
        // it would lose `c` too, so the outer union must move on.
        let lossy = serde_json::json!({"choice": {"a": 1, "c": 3}});
        assert_eq!(decode_whole::<Holder>(&lossy), None);
        assert!(matches!(serde_json::from_value::<Outermost>(lossy), Ok(Outermost::Flat(_))));
        // Held whole at every depth: the outer variant takes it.
        let whole = serde_json::json!({"choice": {"a": 1, "b": 2}});
        let holder = Holder { choice: Choice::Wide(Wide { a: 1, b: 2 }) };
        assert_eq!(decode_whole::<Holder>(&whole), Some(holder));
        // The report does not outlive the decode that made it.
        assert_eq!(
            decode_fitting::<Choice>(&serde_json::json!({"a": 1, "c": 3})),
            Some(Choice::Narrow(Inner { a: 1 }))
        );
        assert_eq!(decode_whole::<Inner>(&serde_json::json!({"a": 1})), Some(Inner { a: 1 }));
    }

    #[test]
    fn double_options_tell_absent_from_null() {
        #[derive(Debug, Deserialize, Serialize, PartialEq)]
        struct Patch {
            #[serde(default, with = "double_option", skip_serializing_if = "Option::is_none")]
            name: Option<Option<String>>,
        }
        let read = |text: &str| serde_json::from_str::<Patch>(text).expect("a patch").name;
        assert_eq!(read("{}"), None);
        assert_eq!(read(r#"{"name": null}"#), Some(None));
        assert_eq!(read(r#"{"name": "x"}"#), Some(Some("x".to_owned())));
        let write = |name| serde_json::to_string(&Patch { name }).expect("json");
        assert_eq!(write(None), "{}");
        assert_eq!(write(Some(None)), r#"{"name":null}"#);
    }
}
