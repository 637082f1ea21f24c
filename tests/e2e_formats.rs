//! String formats a config maps to crates' types (`tests/fixtures/formats_*.toml`), on
//! loopback: values decode into `chrono`, `jiff`, `uuid` and `url` types and go back on the
//! wire as the strings they came from, in bodies and query parameters alike; a value the
//! strict type rejects fails the call with `Error::Decode`, which keeps the body.

use fixture_client::runtime::Error;
use fixture_client::{formats_chrono, formats_jiff};
use serde_json::json;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn event() -> serde_json::Value {
    json!({
        "id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "at": "2024-01-02T03:04:05Z",
        "day": "2024-01-02",
        "link": "https://example.com/events/1",
        "note": "not-an-email, and that is fine"
    })
}

#[tokio::test]
async fn chrono_uuid_and_url_values_decode_and_encode_as_the_strings_they_were() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/events"))
        .and(query_param("since", "2024-01-02T03:04:05Z"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([event()])))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/events"))
        .respond_with(ResponseTemplate::new(201).set_body_json(event()))
        .mount(&server)
        .await;
    let client = formats_chrono::Client::builder().base_url(server.uri()).build().expect("builds");
    let since = "2024-01-02T03:04:05Z".parse().expect("a date-time");
    let events = client.list_events(since).await.expect("listed").into_body();
    let first = &events[0];
    assert_eq!(first.at.timestamp(), 1_704_164_645);
    assert_eq!(first.day.to_string(), "2024-01-02");
    assert_eq!(first.id.get_version_num(), 4);
    assert_eq!(first.link.host_str(), Some("example.com"));
    assert_eq!(first.note.as_deref(), Some("not-an-email, and that is fine"));

    let created = client.create_event(first.clone()).await.expect("created").into_body();
    assert_eq!(&created, first);
    let requests = server.received_requests().await.expect("recorded");
    let sent: serde_json::Value = serde_json::from_slice(&requests[1].body).expect("JSON");
    assert_eq!(sent, event(), "the body carries each value as the string it was");
}

#[tokio::test]
async fn jiff_values_decode_and_encode_as_the_strings_they_were() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/events"))
        .and(query_param("since", "2024-01-02T03:04:05Z"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([event()])))
        .mount(&server)
        .await;
    let client = formats_jiff::Client::builder().base_url(server.uri()).build().expect("builds");
    let since = "2024-01-02T03:04:05Z".parse().expect("a timestamp");
    let events = client.list_events(since).await.expect("listed").into_body();
    assert_eq!(events[0].at.as_second(), 1_704_164_645);
    assert_eq!(events[0].day.year(), 2024);
    // Unmapped here: uuid and uri stay strings.
    assert_eq!(events[0].id, "3fa85f64-5717-4562-b3fc-2c963f66afa6");
    assert_eq!(serde_json::to_value(&events[0]).expect("encodes"), event());
}

#[tokio::test]
async fn a_value_the_strict_type_rejects_fails_decoding_and_keeps_the_body() {
    let server = MockServer::start().await;
    let mut sloppy = event();
    sloppy["at"] = json!("2024-01-02 03:04:05");
    Mock::given(method("GET"))
        .and(path("/events"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([sloppy])))
        .mount(&server)
        .await;
    let client = formats_chrono::Client::builder().base_url(server.uri()).build().expect("builds");
    let since = "2024-01-02T03:04:05Z".parse().expect("a date-time");
    match client.list_events(since).await {
        Err(Error::Decode { status, body, source, .. }) => {
            assert_eq!(status.as_u16(), 200);
            assert!(String::from_utf8_lossy(&body).contains("2024-01-02 03:04:05"), "the raw value is kept");
            assert!(source.to_string().starts_with("at `[0].at`: premature end of input"), "{source}");
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
}
