//! [`Hook`]s: code of the caller's that sees, and may change, every attempt.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use super::{HeaderMap, Method, StatusCode};

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
/// response header. Added with [`ClientBuilder::hook`](super::ClientBuilder::hook); hooks run in the order added.
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
pub(crate) struct Hooks(pub(crate) Vec<Arc<dyn Hook>>);

impl fmt::Debug for Hooks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} hook(s)", self.0.len())
    }
}
