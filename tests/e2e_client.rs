//! Client behaviour against loopback servers that misbehave on purpose: retries with
//! backoff and `Retry-After`, dropped connections, slow responses and timeouts,
//! per-request options, configuration from the environment, and tracing.

use generated_client::cloudflare_zero_trust as cloudflare;
use generated_client::runtime::{Error, RequestOptions, RetryPolicy};
use generated_client::zoom_users as zoom;
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wiremock::matchers::{header, method, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Fast retries, so tests measure behaviour, not waiting.
fn quick_retries() -> RetryPolicy {
    RetryPolicy::default().initial_backoff(Duration::from_millis(5)).max_backoff(Duration::from_secs(5))
}

fn zoom_client(base_url: &str, policy: RetryPolicy) -> zoom::Client {
    zoom::Client::builder().base_url(base_url).access_token("t").retry(policy).build().expect("builds")
}

fn organization_envelope() -> serde_json::Value {
    json!({"errors": [], "messages": [], "success": true, "result": {"name": "org"}})
}

async fn requests_received(server: &MockServer) -> usize {
    server.received_requests().await.expect("recording").len()
}

#[tokio::test]
async fn a_429_is_retried_after_the_servers_retry_after() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "1"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE")).respond_with(ResponseTemplate::new(204)).mount(&server).await;
    let started = Instant::now();
    zoom_client(&server.uri(), quick_retries()).users().revoke_sso_token("me").await.expect("second try succeeds");
    // The backoff alone would be 5 ms: only honouring `Retry-After: 1` explains the wait.
    assert!(started.elapsed() >= Duration::from_millis(950), "waited only {:?}", started.elapsed());
    assert_eq!(requests_received(&server).await, 2);
}

#[tokio::test]
async fn server_errors_are_retried_with_backoff_until_success() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE")).respond_with(ResponseTemplate::new(204)).mount(&server).await;
    zoom_client(&server.uri(), quick_retries()).users().revoke_sso_token("me").await.expect("third try succeeds");
    assert_eq!(requests_received(&server).await, 3);
}

#[tokio::test]
async fn when_retries_run_out_the_last_response_is_the_error() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE")).respond_with(ResponseTemplate::new(503).set_body_string("busy")).mount(&server).await;
    let error = zoom_client(&server.uri(), quick_retries().max_retries(3))
        .users()
        .revoke_sso_token("me")
        .await
        .expect_err("always 503");
    assert!(matches!(&error, Error::UnexpectedStatus { status, .. } if *status == 503), "{error:?}");
    assert_eq!(requests_received(&server).await, 4);
}

#[tokio::test]
async fn documented_client_errors_are_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"code": 1001, "message": "no"})))
        .mount(&server)
        .await;
    zoom_client(&server.uri(), quick_retries()).users().revoke_sso_token("me").await.expect_err("404");
    assert_eq!(requests_received(&server).await, 1);
}

#[tokio::test]
async fn post_is_retried_only_when_the_policy_allows_it() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(503)).mount(&server).await;
    let body = || cloudflare::RevokeUserRequest {
        devices: None,
        email: "a@b.c".to_owned(),
        user_uid: None,
        warp_session_reauth: None,
    };
    let client = cloudflare::Client::builder()
        .base_url(server.uri())
        .api_token("t")
        .retry(quick_retries())
        .build()
        .expect("builds");
    let organizations = client.account_organization();
    organizations.revoke_user_tokens("acc", body()).await.expect_err("503");
    assert_eq!(requests_received(&server).await, 1, "POST is not idempotent: no retry by default");
    server.reset().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(503)).mount(&server).await;
    organizations
        .revoke_user_tokens("acc", body())
        .with_options(RequestOptions::new().retry(quick_retries().retry_non_idempotent(true)))
        .await
        .expect_err("503");
    assert_eq!(requests_received(&server).await, 3, "opted in per request: two retries");
}

#[tokio::test]
async fn a_per_request_policy_overrides_the_clients() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE")).respond_with(ResponseTemplate::new(500)).mount(&server).await;
    zoom_client(&server.uri(), quick_retries())
        .users()
        .revoke_sso_token("me")
        .with_options(RequestOptions::new().retry(RetryPolicy::none()))
        .await
        .expect_err("500");
    assert_eq!(requests_received(&server).await, 1);
}

/// A server that drops the first `drops` connections without answering, then answers 204.
async fn flaky_server(drops: usize) -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    let connections = Arc::new(AtomicUsize::new(0));
    let seen = connections.clone();
    tokio::spawn(async move {
        // Bounded: the test needs at most a handful of connections.
        for _ in 0..16 {
            let Ok((mut socket, _)) = listener.accept().await else { return };
            let number = seen.fetch_add(1, Ordering::SeqCst);
            let mut buffer = vec![0_u8; 4096];
            let _ = socket.read(&mut buffer).await;
            if number >= drops {
                let _ = socket
                    .write_all(b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                    .await;
            }
            drop(socket);
        }
    });
    (format!("http://{address}"), connections)
}

#[tokio::test]
async fn dropped_connections_are_retried() {
    let (base_url, connections) = flaky_server(2).await;
    zoom_client(&base_url, quick_retries()).users().revoke_sso_token("me").await.expect("third connection answers");
    assert_eq!(connections.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn a_dropped_connection_without_retries_is_a_connection_error() {
    let (base_url, _) = flaky_server(1).await;
    let error = zoom_client(&base_url, RetryPolicy::none()).users().revoke_sso_token("me").await.expect_err("dropped");
    assert!(matches!(error, Error::Connection(_)), "{error:?}");
}

#[tokio::test]
async fn a_slow_response_times_out_per_client_and_per_request() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(204).set_delay(Duration::from_secs(3)))
        .mount(&server)
        .await;
    let client = zoom::Client::builder()
        .base_url(server.uri())
        .access_token("t")
        .timeout(Duration::from_millis(200))
        .retry(RetryPolicy::none())
        .build()
        .expect("builds");
    let error = client.users().revoke_sso_token("me").await.expect_err("too slow");
    assert!(matches!(error, Error::Timeout(_)), "{error:?}");

    let patient = zoom_client(&server.uri(), RetryPolicy::none());
    let error = patient
        .users()
        .revoke_sso_token("me")
        .with_options(RequestOptions::new().timeout(Duration::from_millis(200)))
        .await
        .expect_err("too slow for this request");
    assert!(matches!(error, Error::Timeout(_)), "{error:?}");
}

#[tokio::test]
async fn per_request_headers_and_query_are_sent() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(header("x-trace", "abc"))
        .and(query_param("debug", "1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(organization_envelope()))
        .expect(1)
        .mount(&server)
        .await;
    let client = cloudflare::Client::builder().base_url(server.uri()).api_token("t").build().expect("builds");
    client
        .zone_organization()
        .get("z")
        .with_options(RequestOptions::new().header("X-Trace", "abc").query("debug", "1"))
        .await
        .expect("ok");
    let error = client
        .zone_organization()
        .get("z")
        .with_options(RequestOptions::new().header("X-Trace", "a\nb"))
        .await
        .expect_err("line break refused");
    assert!(matches!(&error, Error::InvalidRequest(problem) if problem.contains("X-Trace")), "{error:?}");
}

#[tokio::test]
async fn clients_configure_from_the_environment() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(header("x-auth-email", "env@example.com"))
        .and(header("x-auth-key", "env-key"))
        .respond_with(ResponseTemplate::new(200).set_body_json(organization_envelope()))
        .expect(1)
        .mount(&server)
        .await;
    // These variables are read by this test only; no other test sets CLOUDFLARE_*.
    std::env::set_var("CLOUDFLARE_BASE_URL", server.uri());
    std::env::set_var("CLOUDFLARE_EMAIL", "env@example.com");
    std::env::set_var("CLOUDFLARE_API_KEY", "env-key");
    std::env::remove_var("CLOUDFLARE_API_TOKEN");
    let client = cloudflare::Client::from_env().build().expect("builds");
    client.zone_organization().get("z").await.expect("ok");
    for variable in ["CLOUDFLARE_BASE_URL", "CLOUDFLARE_EMAIL", "CLOUDFLARE_API_KEY"] {
        std::env::remove_var(variable);
    }
}

/// A `tracing` writer that keeps everything written, for assertions.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("not poisoned").extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn each_request_has_a_span_with_operation_status_attempt_and_latency_but_no_secret() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::with_default(subscriber, || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        runtime.block_on(async {
            let server = MockServer::start().await;
            Mock::given(method("DELETE"))
                .respond_with(ResponseTemplate::new(503))
                .up_to_n_times(1)
                .with_priority(1)
                .mount(&server)
                .await;
            Mock::given(method("DELETE")).respond_with(ResponseTemplate::new(204)).mount(&server).await;
            let client = zoom::Client::builder()
                .base_url(server.uri())
                .access_token("very-secret-token")
                .retry(quick_retries())
                .build()
                .expect("builds");
            client.users().revoke_sso_token("me").await.expect("ok");
        });
    });
    let output = String::from_utf8(captured.0.lock().expect("not poisoned").clone()).expect("utf-8");
    assert!(
        output.contains("http_request{operation=\"userSSOTokenDelete\" method=DELETE path=\"/users/{userId}/token\""),
        "{output}"
    );
    assert!(output.contains("retrying"), "{output}");
    let final_try = output.lines().find(|line| line.contains("status=204")).expect("the 204 is traced");
    assert!(final_try.contains("attempt=2") && final_try.contains("latency_ms="), "{output}");
    assert!(!output.contains("very-secret-token"), "{output}");
}

/// Spec names that the runtime or the generated code already use are renamed, not
/// dropped: each still does what the spec says.
#[tokio::test]
async fn spec_names_that_collide_with_the_clients_own_are_renamed_and_still_sent() {
    use fixture_client::collisions;
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(header("x-retry-key", "secret"))
        .and(query_param("send", "a"))
        .and(query_param("options", "b"))
        .and(query_param("into_stream", "c"))
        .and(query_param("client", "d"))
        .and(header("clone", "e"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    let client = collisions::Client::builder()
        .base_url(server.uri())
        .retry(fixture_client::runtime::RetryPolicy::none())
        .retry2("secret")
        .build()
        .expect("builds");
    client.from_env2().send2("a").options2("b").into_stream2("c").client2("d").clone2("e").await.expect("matched");
    assert_eq!(requests_received(&server).await, 1);
}

/// A hook that logs every attempt with its operation, stamps a request id, and keeps the
/// server's request id from each answer.
#[derive(Default)]
struct Recorder {
    sent: AtomicUsize,
    log: Mutex<Vec<String>>,
    request_ids: Mutex<Vec<String>>,
}

impl generated_client::runtime::Hook for Recorder {
    fn before_send(&self, info: &generated_client::runtime::RequestInfo<'_>, request: &mut reqwest::Request) {
        let id = format!("req-{}", self.sent.fetch_add(1, Ordering::SeqCst) + 1);
        request.headers_mut().insert("x-request-id", id.parse().expect("a header value"));
        self.log.lock().expect("log").push(format!(
            "send {} {} {} attempt {}",
            info.operation_id, info.method, info.path_template, info.attempt
        ));
    }

    fn after_response(
        &self,
        info: &generated_client::runtime::RequestInfo<'_>,
        status: reqwest::StatusCode,
        headers: &generated_client::runtime::HeaderMap,
    ) {
        self.log.lock().expect("log").push(format!("answer {} {}", info.operation_id, status.as_u16()));
        if let Some(id) = headers.get("cf-ray").and_then(|value| value.to_str().ok()) {
            self.request_ids.lock().expect("ids").push(id.to_owned());
        }
    }

    fn on_retry(&self, info: &generated_client::runtime::RequestInfo<'_>, delay: Duration) {
        assert!(delay <= Duration::from_millis(5), "the policy's backoff, jittered: {delay:?}");
        self.log.lock().expect("log").push(format!("retry {}", info.operation_id));
    }
}

#[tokio::test]
async fn hooks_see_every_attempt_with_its_operation_and_may_add_headers() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(503).insert_header("cf-ray", "ray-1"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(header("x-request-id", "req-2"))
        .respond_with(ResponseTemplate::new(204).insert_header("cf-ray", "ray-2"))
        .mount(&server)
        .await;
    let recorder = Arc::new(Recorder::default());
    let client = zoom::Client::builder()
        .base_url(server.uri())
        .access_token("t")
        .retry(RetryPolicy::default().initial_backoff(Duration::from_millis(5)).max_backoff(Duration::from_millis(5)))
        .hook(recorder.clone())
        .build()
        .expect("builds");
    // The accessor is a temporary: the request borrows the client, not it.
    let request = client.users().revoke_sso_token("me");
    request.await.expect("the second attempt carries the second request id");
    let log = recorder.log.lock().expect("log").clone();
    assert_eq!(
        log,
        [
            "send userSSOTokenDelete DELETE /users/{userId}/token attempt 1",
            "answer userSSOTokenDelete 503",
            "retry userSSOTokenDelete",
            "send userSSOTokenDelete DELETE /users/{userId}/token attempt 2",
            "answer userSSOTokenDelete 204",
        ]
    );
    assert_eq!(*recorder.request_ids.lock().expect("ids"), ["ray-1", "ray-2"]);
}

#[tokio::test]
async fn raw_requests_reach_undocumented_endpoints_with_the_clients_auth_retries_and_hooks() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(wiremock::matchers::path("/users/me/settings/beta"))
        .and(query_param("verbose", "true"))
        .and(header("authorization", "Bearer t"))
        .respond_with(ResponseTemplate::new(500))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(wiremock::matchers::path("/users/me/settings/beta"))
        .and(header("authorization", "Bearer t"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"beta": true})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(wiremock::matchers::path("/users/me/flags"))
        .and(wiremock::matchers::body_json(json!({"flag": "x"})))
        .respond_with(ResponseTemplate::new(409).set_body_json(json!({"code": 4711, "message": "taken"})))
        .mount(&server)
        .await;
    let recorder = Arc::new(Recorder::default());
    let client = zoom::Client::builder()
        .base_url(server.uri())
        .access_token("t")
        .retry(quick_retries())
        .hook(recorder.clone())
        .build()
        .expect("builds");

    #[derive(serde::Deserialize)]
    struct Settings {
        beta: bool,
    }
    let settings = client
        .raw(reqwest::Method::GET, "/users/me/settings/beta")
        .query("verbose", "true")
        .send_json::<Settings>()
        .await
        .expect("retried once, then decoded");
    assert!(settings.body().beta);
    assert!(recorder.log.lock().expect("log").contains(&"send raw GET /users/me/settings/beta attempt 2".to_owned()));

    let error = client
        .raw(reqwest::Method::POST, "/users/me/flags")
        .json(&json!({"flag": "x"}))
        .with_options(RequestOptions::new().retry(RetryPolicy::none()))
        .send_json::<serde_json::Value>()
        .await
        .expect_err("409");
    assert_eq!(error.api_error(), Some(&json!({"code": 4711, "message": "taken"})));
}

#[tokio::test]
async fn extra_body_members_join_a_documented_json_body() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(wiremock::matchers::body_json(json!({
            "auth_domain": "a.cloudflareaccess.com", "name": "n", "beta_flag": {"on": true}
        })))
        .respond_with(ResponseTemplate::new(201).set_body_json(organization_envelope()))
        .mount(&server)
        .await;
    let client = cloudflare::Client::builder().base_url(server.uri()).api_token("t").build().expect("builds");
    let body = cloudflare::CreateOrganizationRequest {
        auth_domain: "a.cloudflareaccess.com".to_owned(),
        name: "n".to_owned(),
        is_ui_read_only: None,
        login_design: None,
        ui_read_only_toggle_reason: None,
        user_seat_expiration_inactive_time: None,
    };
    client
        .zone_organization()
        .create("z", body)
        .with_options(RequestOptions::new().extra_body("beta_flag", json!({"on": true})))
        .await
        .expect("the server saw the extra member");
}

/// A token endpoint that hands out `tok-1`, `tok-2`, … to the right client only.
async fn token_endpoint(server: &MockServer, expires_in: u64) -> Arc<AtomicUsize> {
    struct Issue {
        issued: Arc<AtomicUsize>,
        expires_in: u64,
    }
    impl wiremock::Respond for Issue {
        fn respond(&self, request: &wiremock::Request) -> ResponseTemplate {
            let body = String::from_utf8_lossy(&request.body).into_owned();
            if !body.contains("grant_type=client_credentials") {
                return ResponseTemplate::new(400).set_body_json(json!({"error": "unsupported_grant_type"}));
            }
            let number = self.issued.fetch_add(1, Ordering::SeqCst) + 1;
            ResponseTemplate::new(200).set_body_json(json!({
                "access_token": format!("tok-{number}"), "token_type": "Bearer", "expires_in": self.expires_in
            }))
        }
    }
    let issued = Arc::new(AtomicUsize::new(0));
    // `service:s3cret`, as HTTP basic authentication.
    Mock::given(method("POST"))
        .and(wiremock::matchers::path("/oauth/v2/token"))
        .and(header("authorization", "Basic c2VydmljZTpzM2NyZXQ="))
        .respond_with(Issue { issued: issued.clone(), expires_in })
        .mount(server)
        .await;
    issued
}

fn zitadel_with_client_credentials(server: &MockServer) -> generated_client::zitadel_management::Client {
    let credentials = generated_client::runtime::ClientCredentials::new(
        format!("{}/oauth/v2/token", server.uri()),
        "service",
        "s3cret",
    )
    .scopes(["openid"]);
    generated_client::zitadel_management::Client::builder()
        .base_url(server.uri())
        .token_provider(credentials)
        .retry(RetryPolicy::none())
        .build()
        .expect("builds")
}

#[tokio::test]
async fn client_credentials_tokens_are_fetched_cached_and_refreshed_before_they_expire() {
    let server = MockServer::start().await;
    let issued = token_endpoint(&server, 1).await;
    for token in ["tok-1", "tok-2"] {
        Mock::given(method("POST"))
            .and(header("authorization", format!("Bearer {token}").as_str()))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
            .mount(&server)
            .await;
    }
    let client = zitadel_with_client_credentials(&server);
    let grants = client.user_grants();
    let body = || generated_client::zitadel_management::DeactivateUserGrantRequest {};
    grants.deactivate_user_grant("u", "g", body()).await.expect("with tok-1");
    grants.deactivate_user_grant("u", "g", body()).await.expect("tok-1 again, from the cache");
    assert_eq!(issued.load(Ordering::SeqCst), 1, "one token for two requests");
    // A one-second token is past its refresh point (a tenth of its life before expiry).
    tokio::time::sleep(Duration::from_millis(950)).await;
    grants.deactivate_user_grant("u", "g", body()).await.expect("with tok-2");
    assert_eq!(issued.load(Ordering::SeqCst), 2);
    let token_requests: Vec<String> = server
        .received_requests()
        .await
        .expect("recording")
        .into_iter()
        .filter(|request| request.url.path() == "/oauth/v2/token")
        .map(|request| String::from_utf8_lossy(&request.body).into_owned())
        .collect();
    assert_eq!(token_requests[0], "grant_type=client_credentials&scope=openid");
}

#[tokio::test]
async fn a_401_is_answered_once_with_a_fresh_token_then_the_error_is_returned() {
    let server = MockServer::start().await;
    let issued = token_endpoint(&server, 3600).await;
    Mock::given(method("POST"))
        .and(header("authorization", "Bearer tok-2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(wiremock::matchers::path_regex("^/management/"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"code": 16, "message": "token revoked"})))
        .with_priority(10)
        .mount(&server)
        .await;
    let client = zitadel_with_client_credentials(&server);
    let body = || generated_client::zitadel_management::DeactivateUserGrantRequest {};
    client.user_grants().deactivate_user_grant("u", "g", body()).await.expect("tok-1 refused, tok-2 taken");
    assert_eq!(issued.load(Ordering::SeqCst), 2);

    // A server that refuses every token: one refresh, then the 401 is the answer.
    let refusing = MockServer::start().await;
    let issued = token_endpoint(&refusing, 3600).await;
    Mock::given(method("POST"))
        .and(wiremock::matchers::path_regex("^/management/"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"code": 16, "message": "no"})))
        .mount(&refusing)
        .await;
    let error = zitadel_with_client_credentials(&refusing)
        .user_grants()
        .deactivate_user_grant("u", "g", body())
        .await
        .expect_err("401 after the refresh");
    assert_eq!(error.status().map(|status| status.as_u16()), Some(401));
    assert_eq!(issued.load(Ordering::SeqCst), 2, "one refresh, no loop");
}

#[tokio::test]
async fn the_specs_client_credentials_flow_follows_the_base_url_to_a_self_hosted_server() {
    // The spec's tokenUrl is on its example server; the client's base URL moves it.
    let server = MockServer::start().await;
    let issued = token_endpoint(&server, 3600).await;
    Mock::given(method("POST"))
        .and(header("authorization", "Bearer tok-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .mount(&server)
        .await;
    let client = generated_client::zitadel_management::Client::builder()
        .base_url(server.uri())
        .client_credentials("service", "s3cret")
        .build()
        .expect("builds");
    client
        .user_grants()
        .deactivate_user_grant("u", "g", generated_client::zitadel_management::DeactivateUserGrantRequest {})
        .await
        .expect("a token from the base URL's host");
    assert_eq!(issued.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_failing_token_endpoint_is_an_authentication_error_that_keeps_the_secret() {
    let server = MockServer::start().await;
    let client = generated_client::zitadel_management::Client::builder()
        .base_url(server.uri())
        .token_provider(generated_client::runtime::ClientCredentials::new(
            format!("{}/oauth/v2/token", server.uri()),
            "service",
            "wrong-s3cret",
        ))
        .build()
        .expect("builds");
    let error = client
        .user_grants()
        .deactivate_user_grant("u", "g", generated_client::zitadel_management::DeactivateUserGrantRequest {})
        .await
        .expect_err("no token endpoint answers");
    assert!(matches!(&error, Error::Authentication { scheme: "OAuth2", .. }), "{error:?}");
    assert!(!format!("{error} {error:?} {client:?}").contains("wrong-s3cret"));
}

#[tokio::test]
async fn refresh_tokens_are_traded_for_access_tokens_and_rotated() {
    let server = MockServer::start().await;
    for (refresh, access, next) in [("r1", "a1", "r2"), ("r2", "a2", "r3")] {
        Mock::given(method("POST"))
            .and(wiremock::matchers::path("/oauth/token"))
            .and(wiremock::matchers::body_string(format!(
                "grant_type=refresh_token&refresh_token={refresh}&client_id=app"
            )))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "access_token": access, "refresh_token": next, "expires_in": 3600
            })))
            .expect(1)
            .mount(&server)
            .await;
    }
    Mock::given(method("DELETE"))
        .and(header("authorization", "Bearer a2"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    Mock::given(method("DELETE")).respond_with(ResponseTemplate::new(401)).with_priority(10).mount(&server).await;
    let client = zoom::Client::builder()
        .base_url(server.uri())
        .token_provider(generated_client::runtime::RefreshToken::new("/oauth/token", "app", "r1"))
        .build()
        .expect("builds");
    // a1 is refused; the rotated r2 buys a2.
    client.users().revoke_sso_token("me").await.expect("a2 accepted");
}

#[tokio::test]
async fn a_retried_post_carries_one_idempotency_key_on_every_attempt() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(503)).mount(&server).await;
    let client = cloudflare::Client::builder()
        .base_url(server.uri())
        .api_token("t")
        .retry(quick_retries().retry_non_idempotent(true).idempotency_key("Idempotency-Key"))
        .build()
        .expect("builds");
    let revoke = || {
        client.account_organization().revoke_user_tokens(
            "acc",
            cloudflare::RevokeUserRequest {
                devices: None,
                email: "a@b.c".to_owned(),
                user_uid: None,
                warp_session_reauth: None,
            },
        )
    };
    revoke().await.expect_err("503");
    revoke().await.expect_err("503");
    let keys: Vec<String> = server
        .received_requests()
        .await
        .expect("recording")
        .iter()
        .map(|request| request.headers.get("idempotency-key").expect("a key").to_str().expect("text").to_owned())
        .collect();
    assert_eq!(keys.len(), 6, "two requests of three attempts each");
    assert!(keys[..3].iter().all(|key| *key == keys[0]) && keys[3..].iter().all(|key| *key == keys[3]), "{keys:?}");
    assert_ne!(keys[0], keys[3], "a new key per request");
    assert_eq!(keys[0].len(), 32);

    // A key the caller gives is kept; a GET gets none.
    server.reset().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(503)).mount(&server).await;
    revoke().with_options(RequestOptions::new().header("Idempotency-Key", "mine")).await.expect_err("503");
    let keys: Vec<_> = server
        .received_requests()
        .await
        .expect("recording")
        .iter()
        .map(|r| r.headers.get("idempotency-key").cloned())
        .collect();
    assert!(keys.iter().all(|key| key.as_ref().and_then(|key| key.to_str().ok()) == Some("mine")), "{keys:?}");
}

#[tokio::test]
async fn an_api_error_displays_its_status_code_and_message_in_one_line() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .respond_with(
            ResponseTemplate::new(404).set_body_json(json!({"code": 1001, "message": "User does not exist: me."})),
        )
        .mount(&server)
        .await;
    let error = zoom_client(&server.uri(), RetryPolicy::none()).users().revoke_sso_token("me").await.expect_err("404");
    assert_eq!(error.to_string(), "the server answered 404 Not Found: 1001: User does not exist: me.");
    assert!(
        matches!(error.api_error(), Some(zoom::users::RevokeSsoTokenError::NotFound(body)) if body.code == Some(1001))
    );

    // Cloudflare's envelope lists its errors; the first is the summary.
    let server = MockServer::start().await;
    let failure = json!({
        "success": false,
        "errors": [{"code": 10000, "message": "Authentication error"}, {"code": 9109, "message": "Invalid token"}],
        "messages": [],
        "result": null
    });
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(403).set_body_json(failure)).mount(&server).await;
    let client = cloudflare::Client::builder().base_url(server.uri()).api_token("t").build().expect("builds");
    let error = client.zone_organization().get("zone").await.expect_err("403");
    assert_eq!(error.to_string(), "the server answered 403 Forbidden: 10000: Authentication error (and 1 more)");

    // OAuth's and OpenAI's shapes, through a raw request (any JSON body).
    for (body, expected) in [
        (
            json!({"error": "invalid_grant", "error_description": "The token expired."}),
            "invalid_grant: The token expired.",
        ),
        (
            json!({"error": {"message": "Bad model", "type": "invalid_request_error", "code": null}}),
            "invalid_request_error: Bad model",
        ),
        (json!({"title": "Not Found", "detail": "No such user."}), "No such user."),
        (json!({"unrelated": true}), ""),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("GET")).respond_with(ResponseTemplate::new(400).set_body_json(body)).mount(&server).await;
        let client = cloudflare::Client::builder().base_url(server.uri()).api_token("t").build().expect("builds");
        let request = client.raw(generated_client::runtime::Method::GET, "/anything");
        let error = request.send_json::<serde_json::Value>().await.expect_err("400");
        let shown = error.to_string();
        let summary = shown.strip_prefix("the server answered 400 Bad Request").expect("the status first");
        assert_eq!(summary.strip_prefix(": ").unwrap_or(summary), expected);
    }
}
