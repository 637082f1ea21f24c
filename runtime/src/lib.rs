//! The runtime every generated API module calls: configuration, authentication, request
//! building, sending, and typed results and errors.
//!
//! Hand-written, and copied verbatim (less its unit tests) into each generated crate as
//! its `runtime` module, so a generated crate depends only on crates.io. Generated code
//! reaches HTTP only through this module. Its modules, by concern:
//!
//! | module | what |
//! | --- | --- |
//! | `config` | [`ClientBuilder`], [`ClientCore`], [`RequestOptions`] |
//! | `auth` | security schemes, credentials, [`TokenProvider`]s |
//! | `hooks` | [`Hook`]: seeing and changing every attempt |
//! | `request` | [`Request`] (what generated code builds), [`RawRequest`], the send loop |
//! | `retry` | [`RetryPolicy`] |
//! | `encode` | parameter styles: path segments, query and form pairs |
//! | `upload` | [`File`]s and [`Multipart`] bodies, from memory, a path or a stream |
//! | `response` | [`RawResponse`] (decoding), [`Response`], envelopes |
//! | `download` | bodies read as they arrive: [`Download`], [`StreamingResponse`] |
//! | `sse` | server-sent events |
//! | `pagination` | [`paginate`] and the helpers page styles need |
//! | `error` | [`Error`] and its one-line summaries |

use std::future::Future;
use std::pin::Pin;

mod auth;
mod config;
mod download;
mod encode;
mod error;
mod hooks;
mod pagination;
mod request;
mod response;
mod retry;
mod sse;
mod upload;

pub use bytes::Bytes;
pub use futures_util::{Stream, StreamExt};
/// The HTTP client the runtime is built on, at the version it needs: build your own
/// `reqwest::Client` from here for [`ClientBuilder::http_client`].
pub use reqwest;
pub use reqwest::header::HeaderMap;
pub use reqwest::{Method, StatusCode};

pub use auth::{
    ClientCredentials, Credential, RefreshToken, SchemeKind, Secret, SecurityScheme, TokenClient, TokenProvider,
};
pub use config::{BuildError, ClientBuilder, ClientCore, RequestOptions, DEFAULT_MAX_RESPONSE_BYTES};
pub use download::{Answer, Download, StreamingResponse};
pub use encode::Style;
pub use error::Error;
pub use hooks::{Hook, RequestInfo};
pub use pagination::{next_link, next_page_at, paginate};
pub use request::{Call, RawRequest, Request};
pub use response::{
    decode_fitting, decode_variant, decode_whole, double_option, header_value, read_object, Envelope, FieldName,
    FromMembers, RawResponse, Response,
};
pub use retry::RetryPolicy;
pub use sse::Event;
pub use upload::{File, FileField, Multipart};

/// A boxed future that can move between threads.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;
