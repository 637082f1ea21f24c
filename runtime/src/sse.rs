//! Server-sent events (`text/event-stream`), read by the HTML standard's rules.

use std::time::Duration;

use super::{Bytes, Error, Stream};
use serde::de::DeserializeOwned;

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

/// `response`'s body as events whose `data` decodes as `T` (see `StreamingResponse::events`).
pub(crate) fn events<T: DeserializeOwned, E>(
    response: reqwest::Response,
) -> impl Stream<Item = Result<Event<T>, Error<E>>> + Unpin {
    let status = response.status();
    // Kept for a decoding error, which reports them as every error with a response does.
    let headers = response.headers().clone();
    let reader = EventReader { response: Some(response), buffer: Vec::new(), pending: PendingEvent::default() };
    Box::pin(futures_util::stream::unfold((reader, headers), move |(mut reader, mut headers)| async move {
        let event = reader.next().await?;
        let item = match event {
            Ok(raw) => match serde_json::from_str(&raw.data) {
                Ok(data) => Ok(Event { event: raw.event, id: raw.id, retry: raw.retry, data }),
                Err(source) => {
                    // The stream ends here, with what had already come.
                    reader.response = None;
                    reader.buffer.clear();
                    let headers = Box::new(std::mem::take(&mut headers));
                    Err(Error::Decode { status, headers, body: Bytes::from(raw.data), source })
                }
            },
            Err(error) => Err(Error::Connection(error)),
        };
        Some((item, (reader, headers)))
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::StreamExt;

    /// A response whose body arrives in exactly these chunks.
    fn response(chunks: &[&'static str]) -> reqwest::Response {
        let chunks: Vec<Result<Bytes, std::io::Error>> = chunks.iter().map(|chunk| Ok(Bytes::from(*chunk))).collect();
        let body = reqwest::Body::wrap_stream(futures_util::stream::iter(chunks));
        reqwest::Response::from(http::Response::new(body))
    }

    async fn read(chunks: &[&'static str]) -> Vec<Result<Event<serde_json::Value>, String>> {
        events::<serde_json::Value, ()>(response(chunks))
            .map(|event| event.map_err(|error| error.to_string()))
            .collect()
            .await
    }

    #[tokio::test]
    async fn fields_and_lines_split_across_chunks_make_whole_events() {
        // A CRLF split between chunks, data split mid-value, a comment, a multi-line data.
        let events = read(&[
            ": keep-alive\r",
            "\nevent: delta\r\nid: 7\r\nretry: 1500\r\ndata: {\"n\"",
            ": 1}\r\n\r",
            "\ndata: [1,\ndata: 2]\n\n",
        ])
        .await;
        let expected = vec![
            Ok(Event {
                event: Some("delta".to_owned()),
                id: Some("7".to_owned()),
                retry: Some(Duration::from_millis(1500)),
                data: serde_json::json!({"n": 1}),
            }),
            // The id carries over; the type and retry do not.
            Ok(Event { event: None, id: Some("7".to_owned()), retry: None, data: serde_json::json!([1, 2]) }),
        ];
        assert_eq!(events, expected);
    }

    #[tokio::test]
    async fn done_ends_the_stream_and_an_unfinished_event_is_dropped() {
        let events = read(&["data: 1\r\r", "data: [DONE]\n\ndata: 3\n\n"]).await;
        assert_eq!(events, vec![Ok(Event { event: None, id: None, retry: None, data: serde_json::json!(1) })]);
        let events = read(&["data: 1\n\n", "data: 2\n"]).await;
        assert_eq!(events.len(), 1, "{events:?}");
    }

    #[tokio::test]
    async fn data_that_does_not_decode_is_an_error_that_ends_the_stream() {
        let events = read(&["data: {not json\n\ndata: 2\n\n"]).await;
        assert_eq!(events.len(), 1);
        let error = events[0].as_ref().expect_err("undecodable data");
        assert!(error.contains("could not decode"), "{error}");
    }

    #[tokio::test]
    async fn a_decoding_error_keeps_the_responses_headers_and_no_pinning_is_needed() {
        let mut answer = http::Response::new(reqwest::Body::from("data: {not json\n\n"));
        answer.headers_mut().insert("x-request-id", http::HeaderValue::from_static("req-7"));
        // `Unpin`: `.next()` is called on the stream as it is.
        let mut events = events::<serde_json::Value, ()>(reqwest::Response::from(answer));
        match events.next().await {
            Some(Err(Error::Decode { headers, .. })) => {
                assert_eq!(headers.get("x-request-id").and_then(|value| value.to_str().ok()), Some("req-7"));
            }
            other => panic!("expected a decoding error, got {other:?}"),
        }
        assert!(events.next().await.is_none(), "the error ends the stream");
    }

    #[tokio::test]
    async fn events_without_data_are_skipped() {
        let events = read(&["event: ping\n\nid: 2\n\ndata: true\n\n"]).await;
        assert_eq!(
            events,
            vec![Ok(Event { event: None, id: Some("2".to_owned()), retry: None, data: serde_json::json!(true) })]
        );
    }
}
