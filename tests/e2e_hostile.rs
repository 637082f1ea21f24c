//! The client against servers that misbehave: malformed and truncated JSON, the wrong
//! `Content-Type`, bodies far larger than expected, a slow drip, header bytes that are not
//! text, a 200 whose envelope is garbage. Never a panic, always a typed error.
//!
//! Each server is a raw TCP loop that answers every request with the same bytes, so the
//! tests control exactly what goes over the wire.

use fixture_client::operations as items;
use fixture_client::runtime::{Error as ItemsError, RetryPolicy as ItemsRetry};
use generated_client::cloudflare_zero_trust as cloudflare;
use generated_client::runtime::{Error, RetryPolicy, DEFAULT_MAX_RESPONSE_BYTES};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// How a hostile server sends its answer.
#[derive(Clone)]
struct Answer {
    head: Vec<u8>,
    body: Vec<u8>,
    /// Bytes per write, with a pause after each: a slow drip.
    drip: Option<(usize, Duration)>,
}

impl Answer {
    fn new(status: &str, headers: &[(&str, &[u8])], body: impl Into<Vec<u8>>) -> Self {
        let body = body.into();
        let mut head = format!("HTTP/1.1 {status}\r\nconnection: close\r\n").into_bytes();
        for (name, value) in headers {
            head.extend_from_slice(name.as_bytes());
            head.extend_from_slice(b": ");
            head.extend_from_slice(value);
            head.extend_from_slice(b"\r\n");
        }
        Self { head, body, drip: None }
    }

    /// With a correct `Content-Length`.
    fn sized(status: &str, headers: &[(&str, &[u8])], body: impl Into<Vec<u8>>) -> Self {
        let body = body.into();
        let length = body.len().to_string();
        let mut headers = headers.to_vec();
        headers.push(("content-length", length.as_bytes()));
        Self::new(status, &headers, body)
    }
}

/// Serves `answer` to every connection; the URL to reach it.
async fn hostile_server(answer: Answer) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let answer = answer.clone();
            tokio::spawn(async move {
                let mut request = vec![0_u8; 16 * 1024];
                let _ = socket.read(&mut request).await;
                let _ = socket.write_all(&answer.head).await;
                let _ = socket.write_all(b"\r\n").await;
                match answer.drip {
                    None => {
                        let _ = socket.write_all(&answer.body).await;
                    }
                    Some((size, pause)) => {
                        for piece in answer.body.chunks(size) {
                            if socket.write_all(piece).await.is_err() {
                                return;
                            }
                            tokio::time::sleep(pause).await;
                        }
                    }
                }
                let _ = socket.shutdown().await;
            });
        }
    });
    format!("http://{address}")
}

fn cloudflare_client(base_url: &str) -> cloudflare::Client {
    cloudflare::Client::builder().base_url(base_url).api_token("t").retry(RetryPolicy::none()).build().expect("builds")
}

async fn get_organization(base_url: &str) -> Result<(), Error<impl std::fmt::Debug>> {
    cloudflare_client(base_url).zone_organization().get("z").await.map(|_| ())
}

const JSON: (&str, &[u8]) = ("content-type", b"application/json");

#[tokio::test]
async fn malformed_json_is_a_decode_error_with_the_body_kept() {
    let url = hostile_server(Answer::sized("200 OK", &[JSON], "{\"success\": true, \"result\": {,}")).await;
    let error = get_organization(&url).await.expect_err("not JSON");
    match &error {
        Error::Decode { status, body, .. } => {
            assert_eq!(*status, 200);
            assert_eq!(&body[..], b"{\"success\": true, \"result\": {,}");
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
    assert!(error.to_string().starts_with("could not decode the 200 OK response"), "{error}");
}

#[tokio::test]
async fn json_cut_short_by_a_closed_connection_is_an_error_not_a_partial_value() {
    // `Content-Length` promises more than comes: the read fails, whatever was received.
    let answer = Answer::new("200 OK", &[JSON, ("content-length", b"200")], "{\"success\": true, \"res");
    let url = hostile_server(answer).await;
    let error = get_organization(&url).await.expect_err("truncated");
    assert!(matches!(error, Error::Connection(_)), "{error:?}");
    // Without a length, the close ends the body: what came is not valid JSON.
    let url = hostile_server(Answer::new("200 OK", &[JSON], "{\"success\": true, \"res")).await;
    let error = get_organization(&url).await.expect_err("truncated");
    assert!(matches!(error, Error::Decode { .. }), "{error:?}");
}

#[tokio::test]
async fn a_wrong_content_type_with_a_json_body_still_decodes_and_with_html_is_a_decode_error() {
    let envelope = r#"{"success": true, "errors": [], "messages": [], "result": {"name": "org"}}"#;
    let url = hostile_server(Answer::sized("200 OK", &[("content-type", b"text/plain")], envelope)).await;
    get_organization(&url).await.expect("the body is what the operation documents");
    let html = "<html><body>Bad gateway</body></html>";
    let url = hostile_server(Answer::sized("200 OK", &[("content-type", b"text/html")], html)).await;
    let error = get_organization(&url).await.expect_err("HTML is not the envelope");
    assert!(matches!(error, Error::Decode { .. }), "{error:?}");
}

#[tokio::test]
async fn a_200_whose_envelope_is_garbage_is_a_decode_error() {
    for garbage in [r#"{"success": "yes", "result": 5}"#, "[]", "null", r#""ok""#, "12"] {
        let url = hostile_server(Answer::sized("200 OK", &[JSON], garbage)).await;
        let error = get_organization(&url).await.expect_err(garbage);
        assert!(matches!(error, Error::Decode { .. } | Error::Unsuccessful { .. }), "{garbage}: {error:?}");
    }
}

#[tokio::test]
async fn a_body_larger_than_the_limit_is_refused_without_reading_it_all() {
    // Announced by `Content-Length`: refused before reading.
    let big = vec![b' '; 2 * 1024 * 1024];
    let url = hostile_server(Answer::sized("200 OK", &[JSON], big.clone())).await;
    let client = cloudflare::Client::builder()
        .base_url(&url)
        .api_token("t")
        .retry(RetryPolicy::none())
        .max_response_bytes(1024 * 1024)
        .build()
        .expect("builds");
    let error = client.zone_organization().get("z").await.expect_err("too large");
    assert!(matches!(error, Error::ResponseTooLarge { limit: 1048576, .. }), "{error:?}");
    assert_eq!(error.status().map(|status| status.as_u16()), Some(200));
    assert_eq!(error.to_string(), "the 200 OK response is larger than the client's limit of 1048576 bytes");
    // Unannounced (no length, sent until the connection closes): refused once past it.
    let url = hostile_server(Answer::new("200 OK", &[JSON], big)).await;
    let client = cloudflare::Client::builder()
        .base_url(&url)
        .api_token("t")
        .max_response_bytes(1024 * 1024)
        .build()
        .expect("builds");
    let error = client.zone_organization().get("z").await.expect_err("too large");
    assert!(matches!(error, Error::ResponseTooLarge { .. }), "{error:?}");
    // The default leaves room for large real pages.
    let name = "n".repeat(usize::try_from(DEFAULT_MAX_RESPONSE_BYTES / 8).expect("fits"));
    let envelope = format!(r#"{{"success": true, "errors": [], "messages": [], "result": {{"name": "{name}"}}}}"#);
    let url = hostile_server(Answer::sized("200 OK", &[JSON], envelope)).await;
    get_organization(&url).await.expect("an eighth of the default limit is read");
}

#[tokio::test]
async fn a_slow_drip_ends_with_a_timeout() {
    let envelope = r#"{"success": true, "errors": [], "messages": [], "result": {"name": "org"}}"#;
    let mut answer = Answer::sized("200 OK", &[JSON], envelope);
    answer.drip = Some((1, Duration::from_millis(50)));
    let url = hostile_server(answer).await;
    let client = cloudflare::Client::builder()
        .base_url(&url)
        .api_token("t")
        .retry(RetryPolicy::none())
        .timeout(Duration::from_millis(300))
        .build()
        .expect("builds");
    let error = client.zone_organization().get("z").await.expect_err("the body takes seconds");
    assert!(matches!(error, Error::Timeout(_)), "{error:?}");
}

#[tokio::test]
async fn header_bytes_that_are_not_text_leave_typed_headers_empty_not_panicking() {
    let item = r#"{"id": 1, "name": "n"}"#;
    let headers: &[(&str, &[u8])] = &[
        JSON,
        ("etag", b"\"v\xff\xfe1\""),
        ("x-ratelimit-remaining", b"\xc3\x28"),
        ("x-features", b"a,\x80b"),
        ("retry-after", b"99999999999999999999999"),
    ];
    let url = hostile_server(Answer::sized("200 OK", headers, item)).await;
    let client = items::Client::builder().base_url(&url).bearer("t").retry(ItemsRetry::none()).build().expect("builds");
    let response = client.items().get_item(1).await.expect("the body is fine");
    let typed = items::items::GetItemHeaders::from(response.headers());
    assert_eq!(typed.x_rate_limit_remaining, None);
    assert_eq!(typed.retry_after, None);
    assert_eq!(typed.e_tag, None, "not UTF-8, so not a String");
    assert_eq!(typed.x_features, None);
}

#[tokio::test]
async fn a_server_that_answers_garbage_instead_of_http_is_a_connection_error() {
    let mut answer = Answer::new("200 OK", &[], "");
    answer.head = b"\x00\x01garbage that is not HTTP\r\n".to_vec();
    let url = hostile_server(answer).await;
    let client = items::Client::builder().base_url(&url).bearer("t").retry(ItemsRetry::none()).build().expect("builds");
    let error = client.items().get_item(1).await.expect_err("not HTTP");
    assert!(matches!(error, ItemsError::Connection(_)), "{error:?}");
}

/// Serves a `size`-byte body in 1 MiB writes of one reused buffer, so the server holds
/// 1 MiB however large the body; the URL to reach it.
async fn large_body_server(size: usize) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut request = vec![0_u8; 16 * 1024];
                let _ = socket.read(&mut request).await;
                let head = format!(
                    "HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-type: application/octet-stream\r\n\
                     content-length: {size}\r\n\r\n"
                );
                let _ = socket.write_all(head.as_bytes()).await;
                let chunk = vec![7_u8; 1024 * 1024];
                let mut left = size;
                while left > 0 {
                    let part = left.min(chunk.len());
                    if socket.write_all(&chunk[..part]).await.is_err() {
                        return;
                    }
                    left -= part;
                }
            });
        }
    });
    format!("http://{address}")
}

#[tokio::test]
async fn a_100_mb_download_streams_through_a_client_that_reads_at_most_1_mb_whole() {
    use fixture_client::runtime::StreamExt;
    const SIZE: usize = 100 * 1024 * 1024;
    let url = large_body_server(SIZE).await;
    let client = items::Client::builder()
        .base_url(&url)
        .retry(ItemsRetry::none())
        .max_response_bytes(1024 * 1024)
        .build()
        .expect("builds");
    // Read whole, the body is over the limit...
    let whole = client.download("big.bin").send().await.expect_err("too large to read whole");
    assert!(matches!(whole, ItemsError::ResponseTooLarge { .. }), "{whole:?}");
    // ...streamed, it passes a chunk at a time, none larger than what the server wrote.
    let download = client.download("big.bin").download().await.expect("answered");
    assert_eq!(download.content_length(), Some(SIZE as u64));
    // `Unpin`: read as it is, without pinning.
    let mut chunks = download.into_stream();
    let (mut total, mut largest) = (0_usize, 0_usize);
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk.expect("a chunk");
        assert!(chunk.iter().all(|byte| *byte == 7));
        total += chunk.len();
        largest = largest.max(chunk.len());
    }
    assert_eq!(total, SIZE);
    assert!(largest <= 1024 * 1024, "the client never gathers the body: largest chunk {largest}");
}

#[tokio::test]
async fn a_download_collects_into_bytes_and_a_cut_connection_is_an_error() {
    let url = large_body_server(3 * 1024 * 1024 + 5).await;
    let client = items::Client::builder().base_url(&url).retry(ItemsRetry::none()).build().expect("builds");
    let body = client.download("a.bin").download().await.expect("answered").into_bytes().await.expect("read");
    assert_eq!(body.len(), 3 * 1024 * 1024 + 5);
    // A server that promises more than it sends.
    let cut = hostile_server(Answer::new("200 OK", &[("content-length", b"1000")], vec![1_u8; 10])).await;
    let client = items::Client::builder().base_url(&cut).retry(ItemsRetry::none()).build().expect("builds");
    let error = client.download("a.bin").download().await.expect("answered").into_bytes().await.expect_err("cut short");
    assert!(matches!(error, ItemsError::Connection(_)), "{error:?}");
}
