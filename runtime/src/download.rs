//! Successful responses whose bodies are read as they arrive: downloads and event streams.

use std::fmt;
use std::marker::PhantomData;

use serde::de::DeserializeOwned;

use super::{Bytes, Error, Event, HeaderMap, RawResponse, StatusCode, Stream, StreamExt};

/// What [`Request::send_streaming`](super::Request::send_streaming) got: an answer read in full, or a success whose body
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

    /// The body's chunks, as they arrive (an `Unpin` stream: `.next().await` needs no pinning).
    pub fn into_stream(self) -> impl Stream<Item = Result<Bytes, Error<E>>> + Unpin {
        Box::pin(futures_util::stream::unfold(Some(self.response), |response| async move {
            let mut response = response?;
            match response.chunk().await {
                Ok(Some(chunk)) => Some((Ok(chunk), Some(response))),
                Ok(None) => None,
                Err(error) if error.is_timeout() => Some((Err(Error::Timeout(error)), None)),
                Err(error) => Some((Err(Error::Connection(error)), None)),
            }
        }))
    }

    /// The whole body, for when it fits in memory after all.
    pub async fn into_bytes(self) -> Result<Bytes, Error<E>> {
        let mut body = Vec::new();
        let mut chunks = self.into_stream();
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
    pub(crate) fn new(response: reqwest::Response) -> Self {
        Self { response }
    }

    pub fn status(&self) -> StatusCode {
        self.response.status()
    }

    pub fn headers(&self) -> &HeaderMap {
        self.response.headers()
    }

    /// The body as it arrives, never held whole (see [`Download`]).
    pub fn download<E>(self) -> Download<E> {
        Download { response: self.response, error: PhantomData }
    }

    /// The body as server-sent events (`text/event-stream`), each event's `data` decoded
    /// as JSON `T`, as they arrive. The stream ends when the server closes it or sends
    /// the `[DONE]` sentinel; a `data` that does not decode is an [`Error::Decode`], a
    /// broken connection an [`Error::Connection`], and either ends it. The stream is
    /// `Unpin`: `.next().await` needs no pinning.
    pub fn events<T: DeserializeOwned, E>(self) -> impl Stream<Item = Result<Event<T>, Error<E>>> + Unpin {
        super::sse::events(self.response)
    }
}
