//! [`Error`]: why a call failed, with a one-line summary of an API's error body.

use std::fmt;

use super::{Bytes, HeaderMap, StatusCode};

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
    /// A file to upload could not be opened or read before sending (a stream that fails
    /// while the body is going out is a [`Connection`](Self::Connection) error).
    Upload(std::io::Error),
    /// The response body is larger than the client's limit
    /// ([`ClientBuilder::max_response_bytes`](super::ClientBuilder::max_response_bytes)); reading stopped there.
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
            Self::Upload(_) => None,
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
            Self::Upload(_) => None,
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

/// What sending can fail with before an operation reads the answer: every variant but
/// [`Error::Api`], which only an operation's own decoding makes.
pub(crate) type SendError = Error<std::convert::Infallible>;

impl SendError {
    /// The same error, as one of an operation whose documented errors are `E`. Sending is
    /// the same code for every operation, compiled once rather than once per error type.
    pub(crate) fn widen<E>(self) -> Error<E> {
        match self {
            Self::Api { body, .. } => match *body {},
            Self::UnexpectedStatus { status, headers, body } => Error::UnexpectedStatus { status, headers, body },
            Self::Unsuccessful { status, headers, body } => Error::Unsuccessful { status, headers, body },
            Self::Decode { status, headers, body, source } => Error::Decode { status, headers, body, source },
            Self::Timeout(error) => Error::Timeout(error),
            Self::Connection(error) => Error::Connection(error),
            Self::InvalidRequest(problem) => Error::InvalidRequest(problem),
            Self::MissingCredentials { operation, accepted } => Error::MissingCredentials { operation, accepted },
            Self::Authentication { scheme, reason } => Error::Authentication { scheme, reason },
            Self::Upload(error) => Error::Upload(error),
            Self::ResponseTooLarge { status, headers, limit } => Error::ResponseTooLarge { status, headers, limit },
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
            Self::Upload(error) => write!(f, "could not read a file to upload: {error}"),
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
            Self::Upload(error) => Some(error),
            _ => None,
        }
    }
}

/// What an error body says in a line: its message, after its code when it has one, from
/// the shapes APIs use (`{"code", "message"}`, OAuth's `{"error", "error_description"}`,
/// `{"error": {…}}`, `{"errors": [{…}, …]}`, problem details' `title` and `detail`).
pub(crate) fn error_summary(body: &[u8]) -> Option<String> {
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
pub(crate) fn preview(body: &[u8]) -> String {
    const LIMIT: usize = 512;
    let text = String::from_utf8_lossy(&body[..body.len().min(LIMIT)]).into_owned();
    if body.len() > LIMIT {
        format!("{text}…")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(body: &str) -> Option<String> {
        error_summary(body.as_bytes())
    }

    #[test]
    fn summaries_read_the_shapes_apis_use() {
        assert_eq!(summary(r#"{"code": 124, "message": "Invalid token."}"#).as_deref(), Some("124: Invalid token."));
        assert_eq!(
            summary(r#"{"error": "invalid_client", "error_description": "Bad secret"}"#).as_deref(),
            Some("invalid_client: Bad secret")
        );
        assert_eq!(
            summary(r#"{"error": {"type": "invalid_request_error", "message": "No such model"}}"#).as_deref(),
            Some("invalid_request_error: No such model")
        );
        assert_eq!(
            summary(r#"{"success": false, "errors": [{"code": 7003, "message": "No route"}, {"code": 1}]}"#).as_deref(),
            Some("7003: No route (and 1 more)")
        );
        assert_eq!(summary(r#"{"title": "Not Found", "detail": "No user 7"}"#).as_deref(), Some("No user 7"));
        assert_eq!(summary(r#""plain words""#).as_deref(), Some("plain words"));
    }

    #[test]
    fn bodies_that_say_nothing_have_no_summary() {
        assert_eq!(summary("<html>oops</html>"), None);
        assert_eq!(summary(r#"{"id": 3}"#), None);
        assert_eq!(summary(r#"{"errors": []}"#), None);
    }

    #[test]
    fn long_summaries_and_previews_are_cut_on_character_boundaries() {
        let long = format!(r#"{{"message": "{}"}}"#, "é".repeat(400));
        let cut = summary(&long).expect("a message");
        assert_eq!(cut.chars().count(), 301, "300 characters and an ellipsis");
        let preview = preview("ü".repeat(400).as_bytes());
        assert!(preview.ends_with('…') && preview.len() <= 512 + '…'.len_utf8(), "{preview}");
    }

    #[test]
    fn display_is_one_line_and_upload_errors_keep_their_source() {
        let error: Error<()> = Error::Api {
            status: StatusCode::NOT_FOUND,
            headers: Box::default(),
            body: Box::new(()),
            summary: Some("1003: not found".to_owned()),
        };
        assert_eq!(error.to_string(), "the server answered 404 Not Found: 1003: not found");
        let error: Error<()> = Error::Upload(std::io::Error::new(std::io::ErrorKind::NotFound, "report.pdf: gone"));
        assert_eq!(error.to_string(), "could not read a file to upload: report.pdf: gone");
        assert!(std::error::Error::source(&error).is_some());
    }
}
