//! The generated client against a real HTTP server on loopback, for every seed operation:
//! method, path (with hostile values), auth, headers, body, and decoding of successes
//! and of each documented error.

use generated_client::cloudflare_zero_trust as cloudflare;
use generated_client::runtime::Error;
use generated_client::zitadel_management as zitadel;
use generated_client::zoom_users as zoom;
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "Sn3lZJTBX6kkg7OdcBUAxOO963GEIyGQqnFTOFYY";

fn cloudflare_client(server: &MockServer) -> cloudflare::Client {
    cloudflare::Client::builder()
        .base_url(format!("{}/client/v4", server.uri()))
        .api_token(TOKEN)
        .build()
        .expect("client builds")
}

fn organization_json() -> serde_json::Value {
    json!({
        "auth_domain": "test.cloudflareaccess.com",
        "created_at": "2014-01-01T05:20:00.12345Z",
        "deny_unmatched_requests": true,
        "deny_unmatched_requests_exempted_zone_names": ["example.com"],
        "is_ui_read_only": false,
        "login_design": {"background_color": "#c5ed1b", "text_color": "#c5ed1b"},
        "name": "Widget Corps Internal Applications",
        "ui_read_only_toggle_reason": "Temporarily turn off the UI read only lock",
        "updated_at": "2014-01-01T05:20:00.12345Z",
        "user_seat_expiration_inactive_time": "730h"
    })
}

fn cloudflare_failure() -> serde_json::Value {
    json!({
        "errors": [{
            "code": 10000,
            "message": "Authentication error",
            "documentation_url": "https://developers.cloudflare.com/api",
            "source": {"pointer": "/zone_id"}
        }],
        "messages": [],
        "result": null,
        "success": false
    })
}

#[tokio::test]
async fn cloudflare_get_organization_sends_bearer_token_and_decodes_the_envelope() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/client/v4/zones/023e105f4ecef8ad9ca31a8372d0c353/access/organizations"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(ResponseTemplate::new(200).insert_header("cf-ray", "8a1b2c3d4e5f-SJC").set_body_json(json!({
            "errors": [], "messages": [], "success": true, "result": organization_json()
        })))
        .expect(1)
        .mount(&server)
        .await;

    let client = cloudflare_client(&server);
    let response = client.zone_organization().get("023e105f4ecef8ad9ca31a8372d0c353").await.expect("success");
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cf-ray"], "8a1b2c3d4e5f-SJC");
    let organization = response.into_body();
    assert_eq!(organization.auth_domain.as_deref(), Some("test.cloudflareaccess.com"));
    assert_eq!(organization.deny_unmatched_requests, Some(true));
    assert_eq!(organization.deny_unmatched_requests_exempted_zone_names, Some(vec!["example.com".to_owned()]));
    assert_eq!(organization.login_design.and_then(|design| design.background_color).as_deref(), Some("#c5ed1b"));
    assert_eq!(organization.user_seat_expiration_inactive_time.as_deref(), Some("730h"));
}

#[tokio::test]
async fn cloudflare_email_and_key_are_sent_together() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(header("x-auth-email", "user@example.com"))
        .and(header("x-auth-key", "144c9defac04969c7bfad8efaa8ea194"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "errors": [], "messages": [], "success": true, "result": organization_json()
        })))
        .expect(1)
        .mount(&server)
        .await;
    let client = cloudflare::Client::builder()
        .base_url(server.uri())
        .api_email("user@example.com")
        .api_key("144c9defac04969c7bfad8efaa8ea194")
        .build()
        .expect("client builds");
    client.zone_organization().get("z").await.expect("success");
    let received = server.received_requests().await.expect("recording");
    assert!(received[0].headers.get("authorization").is_none(), "only one alternative is sent");
}

#[tokio::test]
async fn cloudflare_needs_both_email_and_key_or_a_token() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(200)).expect(0).mount(&server).await;
    let client =
        cloudflare::Client::builder().base_url(server.uri()).api_email("user@example.com").build().expect("builds");
    let error = client.zone_organization().get("z").await.expect_err("refused");
    match &error {
        Error::MissingCredentials { operation, accepted } => {
            assert_eq!(*operation, "zone-level-zero-trust-organization-get-your-zero-trust-organization");
            assert_eq!(accepted, "api_email + api_key, or api_token");
        }
        other => panic!("expected missing credentials, got {other:?}"),
    }
}

#[tokio::test]
async fn cloudflare_create_organization_posts_the_body_and_decodes_201() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/client/v4/zones/z1/access/organizations"))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({
            "auth_domain": "test.cloudflareaccess.com",
            "name": "Widget Corps Internal Applications",
            "is_ui_read_only": true,
            "login_design": {"footer_text": "Footer"}
        })))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "errors": [], "messages": [], "success": true, "result": organization_json()
        })))
        .expect(1)
        .mount(&server)
        .await;
    let body = cloudflare::CreateOrganizationRequest {
        auth_domain: "test.cloudflareaccess.com".to_owned(),
        name: "Widget Corps Internal Applications".to_owned(),
        is_ui_read_only: Some(true),
        login_design: Some(cloudflare::LoginDesign { footer_text: Some("Footer".to_owned()), ..Default::default() }),
        ui_read_only_toggle_reason: None,
        user_seat_expiration_inactive_time: None,
    };
    let response = cloudflare_client(&server).zone_organization().create("z1", body).await.expect("created");
    assert_eq!(response.status(), 201);
    assert_eq!(response.body().name.as_deref(), Some("Widget Corps Internal Applications"));
}

#[tokio::test]
async fn cloudflare_update_organization_decodes_the_4xx_failure_envelope() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path("/client/v4/zones/z1/access/organizations"))
        .and(body_json(json!({"name": "Renamed"})))
        .respond_with(ResponseTemplate::new(403).set_body_json(cloudflare_failure()))
        .expect(1)
        .mount(&server)
        .await;
    let body = cloudflare::UpdateOrganizationRequest { name: Some("Renamed".to_owned()), ..Default::default() };
    let error = cloudflare_client(&server).zone_organization().update("z1", body).await.expect_err("403");
    assert_eq!(error.status().map(|status| status.as_u16()), Some(403));
    let Error::Api { body, .. } = error else { panic!("expected a documented error, got {error:?}") };
    let cloudflare::zone_organization::UpdateError::ClientError(failure) = *body;
    assert!(!failure.success);
    assert_eq!(failure.errors[0].code, 10000);
    assert_eq!(failure.errors[0].message, "Authentication error");
    assert_eq!(failure.errors[0].documentation_url.as_deref(), Some("https://developers.cloudflare.com/api"));
    assert_eq!(failure.errors[0].source.as_ref().and_then(|source| source.pointer.as_deref()), Some("/zone_id"));
    assert_eq!(failure.result, None);
}

#[tokio::test]
async fn cloudflare_revoke_user_for_a_zone_sends_every_body_field() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/client/v4/zones/z1/access/organizations/revoke_user"))
        .and(body_json(json!({
            "devices": true,
            "email": "test@example.com",
            "user_uid": "699d98642c564d2e855e9661899b7252",
            "warp_session_reauth": false
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"result": true, "success": true})))
        .expect(1)
        .mount(&server)
        .await;
    let body = cloudflare::RevokeUserRequest {
        devices: Some(true),
        email: "test@example.com".to_owned(),
        user_uid: Some("699d98642c564d2e855e9661899b7252".to_owned()),
        warp_session_reauth: Some(false),
    };
    let response =
        cloudflare_client(&server).zone_organization().revoke_user_tokens("z1", body).await.expect("revoked");
    assert!(*response.body(), "the envelope's result is the body");
    assert_eq!(response.envelope().success, Some(true));
}

#[tokio::test]
async fn cloudflare_revoke_user_for_an_account_omits_absent_fields() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/client/v4/accounts/acc%2F1/access/organizations/revoke_user"))
        .and(body_json(json!({"email": "test@example.com"})))
        .respond_with(ResponseTemplate::new(400).set_body_json(cloudflare_failure()))
        .expect(1)
        .mount(&server)
        .await;
    let body = cloudflare::RevokeUserRequest {
        devices: None,
        email: "test@example.com".to_owned(),
        user_uid: None,
        warp_session_reauth: None,
    };
    let error =
        cloudflare_client(&server).account_organization().revoke_user_tokens("acc/1", body).await.expect_err("400");
    let Some(cloudflare::account_organization::RevokeUserTokensError::ClientError(failure)) = error.api_error() else {
        panic!("expected a documented error, got {error:?}")
    };
    assert_eq!(failure.errors[0].code, 10000);
}

#[tokio::test]
async fn hostile_path_values_stay_inside_their_segment() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/client/v4/zones/..%2F..%2Faccounts%2Fevil%3Fx%3D1%23f/access/organizations"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "errors": [], "messages": [], "success": true, "result": organization_json()
        })))
        .expect(1)
        .mount(&server)
        .await;
    cloudflare_client(&server)
        .zone_organization()
        .get("../../accounts/evil?x=1#f")
        .await
        .expect("stays in its segment");
    let received = server.received_requests().await.expect("recording");
    assert_eq!(received[0].url.query(), None, "the value must not start a query");
}

#[tokio::test]
async fn dot_segments_are_refused_before_sending() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE")).respond_with(ResponseTemplate::new(204)).expect(0).mount(&server).await;
    let client = zoom::Client::builder().base_url(server.uri()).access_token("t").build().expect("builds");
    for hostile in ["..", "."] {
        let error = client.users().revoke_sso_token(hostile).await.expect_err("refused");
        assert!(matches!(&error, Error::InvalidRequest(problem) if problem.contains("userId")), "{error:?}");
    }
}

#[tokio::test]
async fn zitadel_deactivate_user_grant_sends_org_header_and_empty_body() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/management/v1/users/69629023906488334/grants/69629026806489455/_deactivate"))
        .and(header("authorization", "Bearer zitadel-token"))
        .and(header("x-zitadel-orgid", "69629012906488334"))
        .and(body_json(json!({})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "details": {
                "sequence": "2",
                "creationDate": "2023-05-11T08:00:00Z",
                "changeDate": "2023-05-11T09:00:00Z",
                "resourceOwner": "69629023906488334"
            }
        })))
        .expect(1)
        .mount(&server)
        .await;
    let client =
        zitadel::Client::builder().base_url(server.uri()).access_token("zitadel-token").build().expect("builds");
    let response = client
        .user_grants()
        .deactivate_user_grant("69629023906488334", "69629026806489455", zitadel::DeactivateUserGrantRequest {})
        .x_zitadel_orgid("69629012906488334")
        .await
        .expect("deactivated");
    let details = response.into_body().details.expect("details");
    assert_eq!(details.sequence.as_deref(), Some("2"));
    assert_eq!(details.creation_date.as_deref(), Some("2023-05-11T08:00:00Z"));
    assert_eq!(details.change_date.as_deref(), Some("2023-05-11T09:00:00Z"));
    assert_eq!(details.resource_owner.as_deref(), Some("69629023906488334"));
}

#[tokio::test]
async fn zitadel_default_error_decodes_the_rpc_status() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "code": 9,
            "message": "User grant already deactivated",
            "details": [{"@type": "type.googleapis.com/zitadel.v1.ErrorDetail", "id": "USER-1n8sj"}]
        })))
        .expect(1)
        .mount(&server)
        .await;
    let client = zitadel::Client::builder().base_url(server.uri()).access_token("t").build().expect("builds");
    let error = client
        .user_grants()
        .deactivate_user_grant("u", "g", zitadel::DeactivateUserGrantRequest {})
        .await
        .expect_err("400");
    let received = server.received_requests().await.expect("recording");
    assert!(received[0].headers.get("x-zitadel-orgid").is_none(), "unset optional header is not sent");
    let Error::Api { status, body, .. } = error else { panic!("expected a documented error") };
    assert_eq!(status, 400);
    let zitadel::user_grants::DeactivateUserGrantError::Default(rpc) = *body;
    assert_eq!(rpc.code, Some(9));
    assert_eq!(rpc.message.as_deref(), Some("User grant already deactivated"));
    let detail = &rpc.details.as_ref().expect("details")[0];
    assert_eq!(detail.r#type.as_deref(), Some("type.googleapis.com/zitadel.v1.ErrorDetail"));
    assert_eq!(detail.additional_properties["id"], "USER-1n8sj");
}

#[tokio::test]
async fn header_values_with_line_breaks_are_refused() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200)).expect(0).mount(&server).await;
    let client = zitadel::Client::builder().base_url(server.uri()).access_token("t").build().expect("builds");
    let error = client
        .user_grants()
        .deactivate_user_grant("u", "g", zitadel::DeactivateUserGrantRequest {})
        .x_zitadel_orgid("org\r\nX-Injected: 1")
        .await
        .expect_err("refused");
    assert!(matches!(&error, Error::InvalidRequest(problem) if problem.contains("x-zitadel-orgid")), "{error:?}");
}

#[tokio::test]
async fn zoom_revoke_sso_token_returns_unit_on_204() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path("/v2/users/me/token"))
        .and(header("authorization", "Bearer zoom-token"))
        .respond_with(ResponseTemplate::new(204).insert_header("content-type", "text/plain"))
        .expect(1)
        .mount(&server)
        .await;
    let client = zoom::Client::builder()
        .base_url(format!("{}/v2", server.uri()))
        .access_token("zoom-token")
        .build()
        .expect("builds");
    let response = client.users().revoke_sso_token("me").await.expect("deleted");
    assert_eq!(response.status(), 204);
    let () = response.into_body();
}

#[tokio::test]
async fn zoom_revoke_sso_token_decodes_404_with_code_1001() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path("/users/someone%40example.com/token"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({
            "code": 1001,
            "message": "User does not exist: someone@example.com."
        })))
        .expect(1)
        .mount(&server)
        .await;
    let client = zoom::Client::builder().base_url(server.uri()).access_token("t").build().expect("builds");
    let error = client.users().revoke_sso_token("someone@example.com").await.expect_err("404");
    let Some(zoom::users::RevokeSsoTokenError::NotFound(body)) = error.api_error() else {
        panic!("expected 404, got {error:?}")
    };
    assert_eq!(body.code, Some(1001));
    assert_eq!(body.message.as_deref(), Some("User does not exist: someone@example.com."));
}

#[tokio::test]
async fn an_undocumented_status_keeps_its_raw_body() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(502).set_body_string("<html>bad gateway</html>"))
        .mount(&server)
        .await;
    let client = zoom::Client::builder().base_url(server.uri()).access_token("t").build().expect("builds");
    let error = client.users().revoke_sso_token("me").await.expect_err("502");
    let Error::UnexpectedStatus { status, body, .. } = &error else {
        panic!("expected undocumented status, got {error:?}")
    };
    assert_eq!(*status, 502);
    assert_eq!(&body[..], b"<html>bad gateway</html>");
    assert!(error.to_string().contains("undocumented status 502"), "{error}");
}

#[tokio::test]
async fn a_body_that_does_not_match_the_schema_is_a_decode_error_with_the_body() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{\"success\": \"yes\"}"))
        .mount(&server)
        .await;
    let error = cloudflare_client(&server).zone_organization().get("z").await.expect_err("bad body");
    let Error::Decode { status, body, .. } = &error else { panic!("expected decode error, got {error:?}") };
    assert_eq!(*status, 200);
    assert_eq!(&body[..], b"{\"success\": \"yes\"}");
}

#[tokio::test]
async fn a_refused_connection_is_a_connection_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    drop(listener);
    let client =
        zoom::Client::builder().base_url(format!("http://{address}")).access_token("t").build().expect("builds");
    let error = client.users().revoke_sso_token("me").await.expect_err("no server");
    assert!(matches!(error, Error::Connection(_)), "{error:?}");
}

#[tokio::test]
async fn secrets_never_appear_in_debug_output_or_errors() {
    let client = cloudflare::Client::builder()
        .base_url("http://127.0.0.1:9")
        .api_token(TOKEN)
        .api_key("144c9defac04969c7bfad8efaa8ea194")
        .build()
        .expect("builds");
    let debug = format!("{client:?}");
    assert!(!debug.contains(TOKEN) && !debug.contains("144c9def"), "{debug}");
    let builder = format!("{:?}", cloudflare::Client::builder().api_token(TOKEN));
    assert!(!builder.contains(TOKEN), "{builder}");
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(500).set_body_string("oops")).mount(&server).await;
    let client = cloudflare_client(&server);
    let error = client.zone_organization().get("z").await.expect_err("500");
    assert!(!format!("{error} {error:?}").contains(TOKEN));
}

#[test]
fn an_invalid_base_url_fails_at_build() {
    let error = zoom::Client::builder().base_url("not a url").build().expect_err("invalid");
    assert!(error.to_string().contains("invalid base URL `not a url`"), "{error}");
}

#[test]
fn default_base_urls_come_from_the_specs() {
    assert_eq!(cloudflare::Client::DEFAULT_BASE_URL, "https://api.cloudflare.com/client/v4");
    assert_eq!(zoom::Client::DEFAULT_BASE_URL, "https://api.zoom.us/v2");
    assert!(zitadel::Client::DEFAULT_BASE_URL.starts_with("https://"));
}

#[tokio::test]
async fn envelope_messages_stay_reachable_beside_the_result() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "errors": [],
            "messages": [{"code": 10001, "message": "Organization settings are cached for 5 minutes"}],
            "success": true,
            "result": organization_json()
        })))
        .mount(&server)
        .await;
    let response = cloudflare_client(&server).zone_organization().get("z").await.expect("success");
    assert_eq!(response.body().name.as_deref(), Some("Widget Corps Internal Applications"));
    let envelope = response.envelope();
    assert_eq!(envelope.messages[0].code, 10001);
    assert_eq!(envelope.messages[0].message, "Organization settings are cached for 5 minutes");
    assert!(envelope.result.is_none(), "the result moved into the body, not copied");
}

#[tokio::test]
async fn a_200_with_success_false_is_an_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "errors": [{"code": 1003, "message": "Invalid zone"}], "messages": [], "success": false, "result": null
        })))
        .mount(&server)
        .await;
    let error = cloudflare_client(&server).zone_organization().get("z").await.expect_err("success: false");
    let Error::Unsuccessful { status, body, .. } = &error else { panic!("expected Unsuccessful, got {error:?}") };
    assert_eq!(*status, 200);
    assert!(String::from_utf8_lossy(body).contains("Invalid zone"));
    assert!(error.to_string().contains("reported failure"), "{error}");
}

#[tokio::test]
async fn a_successful_envelope_without_a_result_is_a_decode_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"errors": [], "messages": [], "success": true})))
        .mount(&server)
        .await;
    let error = cloudflare_client(&server).zone_organization().get("z").await.expect_err("no result");
    assert!(matches!(&error, Error::Decode { source, .. } if source.to_string().contains("result")), "{error:?}");
}

#[tokio::test]
async fn revoke_user_takes_an_account_or_a_zone_in_one_method() {
    let server = MockServer::start().await;
    for (path_value, result) in [("accounts/acc%2F1", true), ("zones/z1", false)] {
        Mock::given(method("POST"))
            .and(path(format!("/client/v4/{path_value}/access/organizations/revoke_user")))
            .and(body_json(json!({"email": "test@example.com"})))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"result": result, "success": true})))
            .expect(1)
            .mount(&server)
            .await;
    }
    let client = cloudflare_client(&server);
    let body = || cloudflare::RevokeUserRequest {
        devices: None,
        email: "test@example.com".to_owned(),
        user_uid: None,
        warp_session_reauth: None,
    };
    let for_account = client
        .revoke_user_tokens(cloudflare::AccountOrZone::Account("acc/1".to_owned()), body())
        .await
        .expect("account");
    assert!(*for_account.body());
    let for_zone =
        client.revoke_user_tokens(cloudflare::AccountOrZone::Zone("z1".to_owned()), body()).await.expect("zone");
    assert!(!*for_zone.body());
}
