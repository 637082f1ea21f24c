//! Contract tests: every operation of every spec in `specs/`, called through the
//! generated client against Stoplight Prism on loopback. Prism validates each request
//! against the spec (a violation answers 401/415/422 with an `sl-violations` header) and
//! answers from the spec; with `--errors`, a response that breaks its own schema is a 500.
//! So any request the client gets wrong, or any response it cannot decode, fails here.
//!
//! Prism comes from the project's `package.json`/`package-lock.json`: `.ci/run` runs
//! `npm ci`, and `xtask::prism` runs it itself when `node_modules` lacks Prism.

use generated_client::cloudflare_zero_trust as cloudflare;
use generated_client::runtime::{Error, RequestOptions, RetryPolicy};
use generated_client::zitadel_management as zitadel;
use generated_client::zoom_users as zoom;
use std::time::Duration;
use xtask::prism::VIOLATIONS_HEADER;

fn start_prism(spec: &str) -> xtask::prism::Prism {
    let root = tests::root();
    let starting = xtask::prism::start(&root, &root.join("specs").join(spec)).expect("Prism starts");
    let prism = starting.wait(Duration::from_secs(60)).expect("Prism serves");
    eprintln!("Prism for {spec} ready at {} after {:?}", prism.base_url, prism.started_in);
    prism
}

/// A success must come with no `sl-violations`: Prism found nothing wrong with the request.
#[track_caller]
fn assert_clean<T: std::fmt::Debug, M>(response: &generated_client::runtime::Response<T, M>) {
    assert!(
        response.headers().get(VIOLATIONS_HEADER).is_none(),
        "Prism reported violations: {:?}",
        response.headers().get(VIOLATIONS_HEADER)
    );
}

fn prefer(code: u16) -> RequestOptions {
    RequestOptions::new().header("Prefer", format!("code={code}")).retry(RetryPolicy::none())
}

#[tokio::test]
async fn cloudflare_operations_satisfy_the_contract() {
    let prism = start_prism("cloudflare-zero-trust.yaml");
    let with_token =
        cloudflare::Client::builder().base_url(&prism.base_url).api_token("token").build().expect("builds");
    let with_key = cloudflare::Client::builder()
        .base_url(&prism.base_url)
        .api_email("user@example.com")
        .api_key("144c9defac04969c7bfad8efaa8ea194")
        .build()
        .expect("builds");
    let zone = "023e105f4ecef8ad9ca31a8372d0c353";
    let organizations = with_token.zone_organization();

    let got = organizations.get(zone).await.expect("get");
    assert_clean(&got);
    let got = with_key.zone_organization().get(zone).await.expect("get (key)");
    assert_clean(&got);

    let create = cloudflare::CreateOrganizationRequest {
        auth_domain: "test.cloudflareaccess.com".to_owned(),
        name: "Widget Corps Internal Applications".to_owned(),
        is_ui_read_only: Some(false),
        login_design: Some(cloudflare::LoginDesign { text_color: Some("#c5ed1b".to_owned()), ..Default::default() }),
        ui_read_only_toggle_reason: None,
        user_seat_expiration_inactive_time: Some("730h".to_owned()),
    };
    let created = organizations.create(zone, create).await.expect("create");
    assert_clean(&created);
    assert_eq!(created.status(), 201);

    let update = cloudflare::UpdateOrganizationRequest { name: Some("Renamed".to_owned()), ..Default::default() };
    assert_clean(&organizations.update(zone, update).await.expect("update"));

    let revoke = || cloudflare::RevokeUserRequest {
        devices: Some(true),
        email: "test@example.com".to_owned(),
        user_uid: Some("699d98642c564d2e855e9661899b7252".to_owned()),
        warp_session_reauth: Some(false),
    };
    assert_clean(&organizations.revoke_user_tokens(zone, revoke()).await.expect("revoke (zone)"));
    let account = "023e105f4ecef8ad9ca31a8372d0c353";
    let revoked = with_token.account_organization().revoke_user_tokens(account, revoke()).await;
    assert_clean(&revoked.expect("revoke (account)"));
    for scope in
        [cloudflare::AccountOrZone::Account(account.to_owned()), cloudflare::AccountOrZone::Zone(zone.to_owned())]
    {
        assert_clean(&with_token.revoke_user_tokens(scope, revoke()).await.expect("revoke (combined)"));
    }

    // A documented 4XX decodes into Cloudflare's failure envelope.
    let error = organizations.get(zone).with_options(prefer(403)).await.expect_err("403 asked for");
    let Some(cloudflare::zone_organization::GetError::ClientError(failure)) = error.api_error() else {
        panic!("expected the failure envelope, got {error:?}")
    };
    assert!(!failure.success);
}

#[tokio::test]
async fn zitadel_operations_satisfy_the_contract() {
    let prism = start_prism("zitadel-management.yaml");
    let client = zitadel::Client::builder().base_url(&prism.base_url).access_token("token").build().expect("builds");
    let grants = client.user_grants();
    let deactivated = grants
        .deactivate_user_grant("69629023906488334", "69629026806489455", zitadel::DeactivateUserGrantRequest {})
        .x_zitadel_orgid("69629012906488334")
        .await
        .expect("deactivate");
    assert_clean(&deactivated);
    assert!(deactivated.body().details.as_ref().and_then(|details| details.resource_owner.as_ref()).is_some());
    let without_org = grants.deactivate_user_grant("u/1", "g:1", zitadel::DeactivateUserGrantRequest {}).await;
    assert_clean(&without_org.expect("deactivate, hostile ids"));

    let error = grants
        .deactivate_user_grant("u", "g", zitadel::DeactivateUserGrantRequest {})
        .with_options(prefer(404))
        .await
        .expect_err("404 asked for");
    assert!(matches!(error.api_error(), Some(zitadel::user_grants::DeactivateUserGrantError::Default(_))), "{error:?}");
}

#[tokio::test]
async fn zoom_operations_satisfy_the_contract() {
    let prism = start_prism("zoom-users.yaml");
    let client = zoom::Client::builder().base_url(&prism.base_url).access_token("token").build().expect("builds");
    for user in ["me", "jane@example.com", "a/b"] {
        let deleted = client.users().revoke_sso_token(user).await.expect("delete");
        assert_clean(&deleted);
        assert_eq!(deleted.status(), 204);
    }
    let error = client.users().revoke_sso_token("nobody").with_options(prefer(404)).await.expect_err("404 asked for");
    let Some(zoom::users::RevokeSsoTokenError::NotFound(body)) = error.api_error() else {
        panic!("expected the documented 404, got {error:?}")
    };
    assert_eq!(body.code, Some(1001));
}

/// The contract tests are only worth something if Prism rejects bad requests: check
/// that it does, with a request the generated client would never send.
#[tokio::test]
async fn prism_rejects_requests_that_break_the_spec() {
    let prism = start_prism("cloudflare-zero-trust.yaml");
    let http = reqwest::Client::new();
    let response = http
        .post(format!("{}/zones/z/access/organizations", prism.base_url))
        .bearer_auth("token")
        .header("content-type", "application/json")
        .body(r#"{"name": 5}"#)
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 422);
    assert!(response.headers().get(VIOLATIONS_HEADER).is_some());

    let client = cloudflare::Client::builder().base_url(&prism.base_url).api_token("token").build().expect("builds");
    let error = client.zone_organization().get("z".repeat(33)).await.expect_err("zone_id longer than maxLength 32");
    assert_eq!(error.status().map(|status| status.as_u16()), Some(422));
    assert!(matches!(error, Error::Api { .. }));
}
