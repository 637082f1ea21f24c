//! Uploads on loopback: whole binary bodies and multipart file parts from memory, from a
//! path (read as the request goes out, again on a retry, with its length announced) and
//! from a stream (sent once, never retried).

use std::time::Duration;

use fixture_client::billing;
use fixture_client::operations as ops;
use fixture_client::runtime::{Error, File, RetryPolicy};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn recorded(server: &MockServer) -> Vec<wiremock::Request> {
    server.received_requests().await.expect("recording is on")
}

fn quick_retries() -> RetryPolicy {
    RetryPolicy::default().initial_backoff(Duration::from_millis(1)).max_backoff(Duration::from_millis(5))
}

fn ops_client(server: &MockServer) -> ops::Client {
    ops::Client::builder().base_url(server.uri()).retry(quick_retries()).build().expect("builds")
}

/// A file in the temporary folder, removed when dropped.
struct TempFile(std::path::PathBuf);

impl TempFile {
    fn new(name: &str, contents: &[u8]) -> Self {
        let path = std::env::temp_dir().join(format!("e2e-uploads-{}-{name}", std::process::id()));
        std::fs::write(&path, contents).expect("a temporary file");
        Self(path)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Bytes that repeat no short pattern, so a chunk sent twice or out of order shows.
fn contents(length: usize) -> Vec<u8> {
    (0..length).map(|index| (index * 7 + index / 251) as u8).collect()
}

#[tokio::test]
async fn a_binary_body_from_a_path_is_streamed_with_its_length_and_read_again_on_a_retry() {
    let server = MockServer::start().await;
    Mock::given(method("PUT")).respond_with(ResponseTemplate::new(503)).up_to_n_times(1).mount(&server).await;
    Mock::given(method("PUT"))
        .and(path("/files/report.bin"))
        .respond_with(ResponseTemplate::new(201))
        .mount(&server)
        .await;
    let data = contents(3 * 1024 * 1024 + 17);
    let file = TempFile::new("report.bin", &data);

    let response = ops_client(&server).upload("report.bin", true, File::from_path(&file.0)).await.expect("stored");

    assert_eq!(response.status().as_u16(), 201);
    let requests = recorded(&server).await;
    assert_eq!(requests.len(), 2, "the 503 was retried, the file read again");
    for request in &requests {
        assert!(request.body == data, "each attempt sends the whole file, in order");
        assert_eq!(request.headers["content-length"], data.len().to_string().as_str());
        assert_eq!(request.headers["content-type"], "application/octet-stream");
    }
}

#[tokio::test]
async fn a_streamed_body_goes_out_as_it_comes_once_and_is_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("PUT")).respond_with(ResponseTemplate::new(503)).mount(&server).await;
    let chunks = ["id,name\n", "1,Ada\n", "2,Grace\n"].map(Ok::<_, std::io::Error>);
    let file = File::from_stream(futures::stream::iter(chunks)).content_type("text/csv");

    let result = ops_client(&server).upload("people.csv", true, file).await;

    assert!(matches!(&result, Err(Error::UnexpectedStatus { status, .. }) if status.as_u16() == 503), "{result:?}");
    let requests = recorded(&server).await;
    assert_eq!(requests.len(), 1, "a stream cannot be sent again");
    assert_eq!(requests[0].body, b"id,name\n1,Ada\n2,Grace\n");
    assert_eq!(requests[0].headers["content-type"], "text/csv", "the file's own type wins over the spec's");
    assert!(requests[0].headers.get("content-length").is_none(), "a stream's length is not known beforehand");
}

#[tokio::test]
async fn a_file_that_cannot_be_read_fails_before_anything_is_sent() {
    let server = MockServer::start().await;
    Mock::given(method("PUT")).respond_with(ResponseTemplate::new(201)).mount(&server).await;
    let missing = std::env::temp_dir().join("e2e-uploads-no-such-file.bin");

    let result = ops_client(&server).upload("x", true, File::from_path(&missing)).await;

    match result {
        Err(Error::Upload(error)) => {
            assert_eq!(error.kind(), std::io::ErrorKind::NotFound);
            assert!(error.to_string().contains("e2e-uploads-no-such-file.bin"), "names the file: {error}");
        }
        other => panic!("expected an upload error, got {other:?}"),
    }
    assert!(recorded(&server).await.is_empty());
}

#[tokio::test]
async fn a_multipart_file_part_from_a_path_keeps_the_files_name_and_bytes() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/files"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"id": "file_1"})))
        .mount(&server)
        .await;
    let data = contents(512 * 1024);
    let file = TempFile::new("evidence.pdf", &data);
    let client = billing::Client::builder().base_url(server.uri()).basic_auth("sk_test", "").build().expect("builds");
    let body = billing::PostFilesRequest {
        file: File::from_path(&file.0),
        purpose: billing::PostFilesRequestPurpose::DisputeEvidence,
        file_link_data: None,
    };

    client.post_files(body).await.expect("uploaded");

    let request = &recorded(&server).await[0];
    let content_type = request.headers["content-type"].to_str().expect("ascii");
    let boundary = content_type.strip_prefix("multipart/form-data; boundary=").expect("a boundary");
    let file_name = file.0.file_name().and_then(|name| name.to_str()).expect("a name");
    let mut expected = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
         Content-Type: application/pdf\r\n\r\n"
    )
    .into_bytes();
    expected.extend_from_slice(&data);
    expected.extend_from_slice(
        format!(
            "\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\ndispute_evidence\r\n--{boundary}--\r\n"
        )
        .as_bytes(),
    );
    assert!(request.body == expected, "the multipart body, byte for byte");
    assert_eq!(request.headers["content-length"], expected.len().to_string().as_str());
}
