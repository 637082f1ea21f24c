//! The fixture clients against a loopback server: every parameter style, body encoding,
//! security scheme kind and response shape the generator emits, plus the serde behaviour
//! of the schema shapes.

use fixture_client::operations as ops;
use fixture_client::runtime::Error;
use fixture_client::shapes;
use serde::Deserialize;
use serde_json::json;
use wiremock::matchers::{body_string, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn recorded(server: &MockServer) -> Vec<wiremock::Request> {
    server.received_requests().await.expect("recording is on")
}

#[tokio::test]
async fn query_header_and_cookie_parameters_follow_their_styles() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/items/42"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": 42, "name": "lamp"})))
        .expect(1)
        .mount(&server)
        .await;
    let client = ops::Client::builder().base_url(server.uri()).bearer("b").build().expect("builds");
    let response = client
        .items()
        .get_item(42)
        .fields(vec!["a b".to_owned(), "c&d".to_owned()])
        .ids(vec![1, 2, 3])
        .x_request_id("req-1")
        .session("s1")
        .await
        .expect("ok");
    let ops::items::GetItemResponse::Ok(item) = response.into_body() else { panic!("expected 200 variant") };
    assert_eq!(item.id, 42);
    let request = &recorded(&server).await[0];
    assert_eq!(request.url.query(), Some("fields=a+b&fields=c%26d&ids=1%2C2%2C3"));
    assert_eq!(request.headers["x-request-id"], "req-1");
    assert_eq!(request.headers["cookie"], "session=s1");
    assert_eq!(request.headers["authorization"], "Bearer b");
}

#[tokio::test]
async fn unset_optional_parameters_are_not_sent() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": 1})))
        .mount(&server)
        .await;
    let client = ops::Client::builder().base_url(server.uri()).bearer("b").build().expect("builds");
    client.items().get_item(1).await.expect("ok");
    let request = &recorded(&server).await[0];
    assert_eq!(request.url.query(), None);
    assert!(request.headers.get("x-request-id").is_none() && request.headers.get("cookie").is_none());
}

#[tokio::test]
async fn each_documented_status_decodes_into_its_own_variant() {
    let server = MockServer::start().await;
    let cases = [
        (202, ResponseTemplate::new(202).set_body_json(json!({"eta_seconds": 5}))),
        (304, ResponseTemplate::new(304)),
        (404, ResponseTemplate::new(404).set_body_json(json!({"title": "missing", "status": 404}))),
        (503, ResponseTemplate::new(503).set_body_string("maintenance")),
        (418, ResponseTemplate::new(418).set_body_json(json!({"title": "teapot"}))),
    ];
    let client = ops::Client::builder().base_url(server.uri()).bearer("b").build().expect("builds");
    for (status, template) in cases {
        server.reset().await;
        Mock::given(method("GET")).respond_with(template).mount(&server).await;
        let outcome = client.items().get_item(7).await;
        use ops::items::{GetItemError as E, GetItemResponse as R};
        match (status, outcome) {
            (202, Ok(response)) => {
                let R::Accepted(body) = response.into_body() else { panic!("202 must be Accepted") };
                assert_eq!(body.eta_seconds, Some(5));
            }
            (304, Err(Error::Api { body, .. })) => assert!(matches!(*body, E::NotModified)),
            (404, Err(Error::Api { body, .. })) => {
                let E::NotFound(problem) = *body else { panic!("404 must be NotFound") };
                assert_eq!(problem.title.as_deref(), Some("missing"));
            }
            (503, Err(Error::Api { body, .. })) => {
                let E::ServerError(text) = *body else { panic!("5XX must be ServerError") };
                assert_eq!(text, "maintenance");
            }
            (418, Err(Error::Api { status, body, .. })) => {
                assert_eq!(status, 418);
                let E::Default(problem) = *body else { panic!("other statuses must be Default") };
                assert_eq!(problem.title.as_deref(), Some("teapot"));
            }
            (status, other) => panic!("{status}: unexpected outcome {other:?}"),
        }
    }
}

#[tokio::test]
async fn form_bodies_are_url_encoded_and_query_api_keys_are_sent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/items"))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(body_string("name=desk+lamp&count=2"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": 9})))
        .expect(1)
        .mount(&server)
        .await;
    let client = ops::Client::builder().base_url(server.uri()).api_key_query("k&1").build().expect("builds");
    let body = ops::CreateItemRequest { name: "desk lamp".to_owned(), count: Some(2) };
    let response = client.items().create_item(body).await.expect("2XX");
    assert_eq!(response.into_body().id, 9);
    assert_eq!(recorded(&server).await[0].url.query(), Some("api_key=k%261"));
}

#[tokio::test]
async fn cookie_api_keys_are_used_when_they_are_the_configured_alternative() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": 1})))
        .mount(&server)
        .await;
    let client = ops::Client::builder().base_url(server.uri()).api_key_cookie("c1").build().expect("builds");
    client.items().create_item(ops::CreateItemRequest { name: "x".to_owned(), count: None }).await.expect("ok");
    let request = &recorded(&server).await[0];
    assert_eq!(request.headers["cookie"], "token=c1");
    assert_eq!(request.url.query(), None);
}

#[tokio::test]
async fn basic_auth_is_encoded_and_path_level_parameters_apply() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path("/items/5"))
        .and(header("authorization", "Basic dXNlcjpww6Fzcw=="))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let client = ops::Client::builder().base_url(server.uri()).basic("user", "páss").build().expect("builds");
    client.items().delete_items_by_item_id(5).await.expect("deleted");
}

#[tokio::test]
async fn text_bodies_round_trip() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path("/items/3/note"))
        .and(header("content-type", "text/plain"))
        .and(body_string("remember the milk"))
        .respond_with(ResponseTemplate::new(200).set_body_string("stored: remember the milk"))
        .expect(1)
        .mount(&server)
        .await;
    let client = ops::Client::builder().base_url(server.uri()).bearer("b").build().expect("builds");
    let response = client.items().put_note(3).body("remember the milk".to_owned()).await.expect("ok");
    assert_eq!(response.into_body(), "stored: remember the milk");
}

#[tokio::test]
async fn binary_downloads_need_no_credentials_when_security_is_empty() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/files/dir%2Fa%20b.bin"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(vec![0_u8, 159, 146, 150]))
        .expect(1)
        .mount(&server)
        .await;
    let client = ops::Client::builder().base_url(server.uri()).build().expect("builds");
    let bytes = client.download("dir/a b.bin").await.expect("downloaded").into_body();
    assert_eq!(&bytes[..], &[0, 159, 146, 150]);
    assert!(recorded(&server).await[0].headers.get("authorization").is_none());
}

#[tokio::test]
async fn optional_security_sends_credentials_only_when_configured() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path("/files/f"))
        .and(header("content-type", "application/octet-stream"))
        .and(body_string("\u{1}\u{2}"))
        .respond_with(ResponseTemplate::new(201))
        .mount(&server)
        .await;
    let anonymous = ops::Client::builder().base_url(server.uri()).build().expect("builds");
    anonymous.upload("f", true, vec![1, 2]).mode(ops::UploadMode::Safe).await.expect("anonymous allowed");
    let with_token = ops::Client::builder().base_url(server.uri()).bearer("tok").build().expect("builds");
    with_token.upload("f", false, vec![1, 2]).await.expect("with token");
    let requests = recorded(&server).await;
    assert_eq!(requests[0].url.query(), Some("overwrite=true&mode=safe"));
    assert!(requests[0].headers.get("authorization").is_none());
    assert_eq!(requests[1].url.query(), Some("overwrite=false"));
    assert_eq!(requests[1].headers["authorization"], "Bearer tok");
}

#[tokio::test]
async fn statuses_that_share_an_arm_each_succeed_and_others_stay_unexpected() {
    for (status, succeeds) in [(200, true), (201, true), (202, false)] {
        let server = MockServer::start().await;
        Mock::given(method("PUT")).respond_with(ResponseTemplate::new(status)).mount(&server).await;
        let client = ops::Client::builder().base_url(server.uri()).build().expect("builds");
        let result = client.upload("f", true, vec![1]).await;
        match result {
            Ok(response) => assert!(succeeds && response.status().as_u16() == status, "{status} succeeded"),
            Err(Error::UnexpectedStatus { status: got, .. }) => assert!(!succeeds && got.as_u16() == status),
            Err(error) => panic!("{status}: {error:?}"),
        }
    }
}

#[test]
fn default_base_url_fills_server_variables() {
    assert_eq!(shapes::Client::DEFAULT_BASE_URL, "https://eu.shapes.example.com/v1");
}

#[test]
fn a_property_two_all_of_parts_describe_has_the_fields_of_both() {
    let sent =
        json!({"id": "p1", "attributes": {"email": "a@example.com", "created": "2024", "subscriptions": ["news"]}});
    let profile: shapes::ProfileWithSubscriptions = serde_json::from_value(sent.clone()).expect("decodes");
    let attributes = profile.attributes.as_ref().expect("attributes");
    assert_eq!(attributes.email.as_deref(), Some("a@example.com"));
    assert_eq!(attributes.subscriptions.as_deref(), Some(&["news".to_owned()][..]));
    assert_eq!(serde_json::to_value(&profile).expect("encodes"), sent, "nothing lost on the way back");
}

#[test]
fn a_property_one_part_describes_as_an_all_of_of_objects_has_the_fields_of_every_part() {
    let sent = json!({"path": {"migrated_at": "2024", "parent": {"id": "P1", "self": "https://x.test/P1", "type": "service_reference"}}});
    let orchestration: shapes::ServiceOrchestration = serde_json::from_value(sent.clone()).expect("decodes");
    let parent = orchestration.path.as_ref().and_then(|path| path.parent.as_ref()).expect("a parent");
    assert_eq!(parent.self_.as_deref(), Some("https://x.test/P1"));
    assert_eq!(serde_json::to_value(&orchestration).expect("encodes"), sent, "nothing lost on the way back");
}

#[test]
fn a_property_narrowed_from_anything_or_described_as_lists_in_several_parts_keeps_every_parts_fields() {
    let sent = json!({"success": true, "result": {"continuation_token": "t1", "images": ["a.png"]}});
    let list: shapes::ImageList = serde_json::from_value(sent.clone()).expect("decodes");
    assert_eq!(list.result.continuation_token.as_deref(), Some("t1"));
    assert_eq!(list.result.images.as_deref(), Some(&["a.png".to_owned()][..]));
    assert_eq!(serde_json::to_value(&list).expect("encodes"), sent, "nothing lost on the way back");

    let sent = json!({"data": [{"dimensions": ["NODATA"], "metrics": [1.5]}]});
    let report: shapes::AnalyticsReport = serde_json::from_value(sent.clone()).expect("decodes");
    assert_eq!(report.data[0].dimensions, ["NODATA"]);
    assert_eq!(report.data[0].metrics, [1.5]);
    assert!(
        serde_json::from_value::<shapes::AnalyticsReport>(json!({"data": [{"dimensions": []}]})).is_err(),
        "metrics are required too"
    );
    assert_eq!(serde_json::to_value(&report).expect("encodes"), sent, "nothing lost on the way back");

    // A part that only gives an example leaves the property a string.
    let rule = shapes::BlockRule { description: Some("Block the bad ones".to_owned()) };
    assert_eq!(serde_json::to_value(&rule).expect("encodes"), json!({"description": "Block the bad ones"}));
    assert!(serde_json::from_value::<shapes::BlockRule>(json!({"description": {}})).is_err(), "not any value");
}

#[test]
fn a_nullable_component_listed_or_mapped_keeps_its_nulls() {
    let sent = json!({"rules": [{"name": "a"}, null], "by_name": {"a": {"name": "a"}, "gone": null}});
    let rules: shapes::RuleSet = serde_json::from_value(sent.clone()).expect("decodes its nulls");
    let names: Vec<Option<&str>> =
        rules.rules.iter().flatten().map(|rule| rule.as_ref().and_then(|rule| rule.name.as_deref())).collect();
    assert_eq!(names, [Some("a"), None]);
    assert!(rules.by_name.as_ref().is_some_and(|by_name| by_name["gone"].is_none()));
    assert_eq!(serde_json::to_value(&rules).expect("encodes"), sent, "nothing lost on the way back");
}

#[test]
fn all_of_merges_parts_and_unknown_enum_values_still_decode() {
    let pet: shapes::Pet = serde_json::from_value(json!({
        "id": "6f1c", "name": "Rex", "kind": "hamster", "type": "good", "@context": "ctx", "self": true,
        "labels": {"a": "b"}, "extra": {"any": [1]}, "payment": {"iban": "DE00"}, "owner": {"address": {"city": "Oslo"}}
    }))
    .expect("decodes");
    assert_eq!(pet.id, "6f1c");
    assert_eq!(pet.kind, shapes::Kind::Other("hamster".to_owned()));
    assert_eq!(pet.r#type.as_deref(), Some("good"));
    assert_eq!(pet.context.as_deref(), Some("ctx"));
    assert_eq!(pet.self_, Some(true));
    assert_eq!(pet.payment, Some(shapes::Payment::Transfer(shapes::Transfer { iban: "DE00".to_owned() })));
    assert_eq!(pet.owner.and_then(|owner| owner.address).and_then(|address| address.city).as_deref(), Some("Oslo"));
    let back = serde_json::to_value(shapes::Kind::Other("hamster".to_owned())).expect("encodes");
    assert_eq!(back, json!("hamster"));
    assert_eq!(serde_json::to_value(shapes::Kind::GuineaPig2).expect("encodes"), json!("Guinea Pig"));
    assert_eq!(shapes::Kind::V2legs.to_string(), "2legs");
    // Every listed value, colliding spellings and the empty one included, decodes to its
    // own variant and encodes back as it came; `From<String>` reads values the same way.
    for value in ["dog", "cat", "guinea-pig", "Guinea Pig", "2legs", ""] {
        let kind: shapes::Kind = serde_json::from_value(json!(value)).expect("decodes");
        assert!(!matches!(kind, shapes::Kind::Other(_)), "{value:?} is listed: {kind:?}");
        assert_eq!(kind.as_str(), value);
        assert_eq!(serde_json::to_value(&kind).expect("encodes"), json!(value));
        assert_eq!(shapes::Kind::from(value.to_owned()), kind);
    }
    assert_eq!(shapes::Kind::from("Dog".to_owned()), shapes::Kind::Other("Dog".to_owned()), "values match exactly");
    assert!(serde_json::from_value::<shapes::Kind>(json!(3)).is_err(), "a number is no value of a string enum");
}

#[tokio::test]
async fn json_content_and_pipe_delimited_parameters() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": 1, "name": "x"})))
        .mount(&server)
        .await;
    let client = ops::Client::builder().base_url(server.uri()).bearer("b").build().expect("builds");
    let mut filter = std::collections::BTreeMap::new();
    filter.insert("price".to_owned(), json!({"lt": 5}));
    let trace = ops::GetItemXTrace { span: Some(7) };
    client
        .items()
        .get_item(1)
        .r#where(filter)
        .sort(vec!["name".into(), "-price".into()])
        .x_trace(trace)
        .await
        .expect("ok");
    let request = &recorded(&server).await[0];
    assert_eq!(request.headers["x-trace"], r#"{"span":7}"#);
    let pairs: Vec<(String, String)> = request.url.query_pairs().into_owned().collect();
    assert_eq!(
        pairs,
        [("where".to_owned(), r#"{"price":{"lt":5}}"#.to_owned()), ("sort".to_owned(), "name|-price".to_owned())]
    );
}

#[test]
fn an_all_of_with_a_one_of_part_keeps_both_the_common_fields_and_the_choice() {
    let check: shapes::Payout =
        serde_json::from_value(json!({"amount": 5, "address": "1 Main St", "payee": "Ann"})).expect("decodes");
    assert_eq!(check.amount, 5);
    assert!(matches!(&check.variant, shapes::PayoutVariant::Check(check) if check.payee == "Ann"), "{check:?}");
    let iban =
        shapes::Payout { amount: 7, variant: shapes::PayoutVariant::Iban(shapes::Transfer { iban: "DE00".into() }) };
    assert_eq!(serde_json::to_value(&iban).expect("encodes"), json!({"amount": 7, "iban": "DE00"}));
    let neither = serde_json::from_value::<shapes::Payout>(json!({"amount": 1}));
    assert!(neither.is_err(), "a payout must be one of the shapes: {neither:?}");
}

#[test]
fn operator_and_signed_values_get_spelled_variant_names() {
    use shapes::Filter;
    let all = [
        (Filter::GtEq, ">="),
        (Filter::NotEq, "!="),
        (Filter::Eq, "="),
        (Filter::MinusName, "-name"),
        (Filter::Name, "name"),
        (Filter::PlusName, "+name"),
        (Filter::SelfValue, "Self"),
        (Filter::SelfValue2, "self"),
    ];
    for (variant, wire) in all {
        assert_eq!(serde_json::to_value(&variant).expect("encodes"), json!(wire));
        assert_eq!(serde_json::from_value::<Filter>(json!(wire)).expect("decodes"), variant);
    }
}

#[test]
fn absent_optional_fields_are_omitted_and_required_ones_enforced() {
    let error = serde_json::from_value::<shapes::Pet>(json!({"id": "1", "kind": "dog"})).expect_err("name is required");
    assert!(error.to_string().contains("name"), "{error}");
    let card = serde_json::to_value(shapes::Card { number: "4242".to_owned() }).expect("encodes");
    assert_eq!(card, json!({"number": "4242"}));
    let node = serde_json::to_value(shapes::Node::default()).expect("encodes");
    assert_eq!(node, json!({}));
}

#[test]
fn recursive_types_and_additional_properties_decode() {
    let node: shapes::Node = serde_json::from_value(json!({
        "value": 1,
        "parent": {"value": 0},
        "children": [{"value": 2, "metadata": {"owner": {"value": 3}, "weight": 7}}]
    }))
    .expect("decodes");
    assert_eq!(node.parent.and_then(|parent| parent.value), Some(0));
    let child = &node.children.expect("children")[0];
    let metadata = child.metadata.as_ref().expect("metadata");
    assert_eq!(metadata.owner.as_ref().and_then(|owner| owner.value), Some(3));
    assert_eq!(metadata.additional_properties["weight"], 7);
    assert_eq!(
        serde_json::from_value::<shapes::ResultModel>(json!(true)).expect("bool"),
        shapes::ResultModel::Bool(true)
    );
}

#[test]
fn a_property_named_like_the_map_of_other_members_keeps_its_own_field() {
    let wire = json!({"additional_properties": "declared", "colour": "red"});
    let value: shapes::SerializeModel = serde_json::from_value(wire.clone()).expect("decodes");
    assert_eq!(value.additional_properties2.as_deref(), Some("declared"));
    assert_eq!(value.additional_properties.len(), 1, "{value:?}");
    assert_eq!(value.additional_properties["colour"], "red");
    assert_eq!(serde_json::to_value(&value).expect("encodes"), wire);
    // Named like the prelude's `From`, the enum still converts from its values.
    assert_eq!(shapes::FromModel::from("there".to_owned()), shapes::FromModel::There);
}

#[test]
fn a_whole_number_in_a_number_or_integer_union_stays_an_integer() {
    let whole: shapes::Measure = serde_json::from_value(json!(5)).expect("decodes");
    assert_eq!(whole, shapes::Measure::Integer(5));
    assert_eq!(serde_json::to_string(&whole).expect("encodes"), "5");
    let fraction: shapes::Measure = serde_json::from_value(json!(2.5)).expect("decodes");
    assert_eq!(fraction, shapes::Measure::Number(2.5));
}

#[test]
fn refs_that_escape_component_names_reach_their_components() {
    let path: shapes::Path =
        serde_json::from_value(json!({"step": {"at": 1}, "next": {"label": "on"}})).expect("decodes");
    assert_eq!(path.step.and_then(|step| step.at), Some(1));
    assert_eq!(path.next.and_then(|next| next.label).as_deref(), Some("on"));
}

mod pagination {
    use fixture_client::pagination as paging;
    use fixture_client::runtime::{Error, StreamExt};
    use serde_json::json;
    use wiremock::matchers::{method, path, query_param, query_param_is_missing};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    fn client(server: &MockServer) -> paging::Client {
        paging::Client::builder().base_url(server.uri()).build().expect("builds")
    }

    fn things_page(ids: &[&str], page: u32, total_pages: u32) -> serde_json::Value {
        let result: Vec<_> = ids.iter().map(|id| json!({"id": id})).collect();
        json!({
            "success": true, "errors": [], "messages": [], "result": result,
            "result_info": {"page": page, "per_page": 2, "count": ids.len(), "total_pages": total_pages}
        })
    }

    #[tokio::test]
    async fn link_headers_lead_page_to_page_and_the_builder_outlives_its_accessor() {
        let server = MockServer::start().await;
        let page_two = format!("{}/repos/octo/issues?per_page=2&page=2", server.uri());
        Mock::given(method("GET"))
            .and(path("/repos/octo/issues"))
            .and(query_param("per_page", "2"))
            .and(wiremock::matchers::query_param_is_missing("page"))
            .respond_with(
                ResponseTemplate::new(200)
                    .insert_header("link", format!(r#"<{page_two}>; rel="next", <{page_two}>; rel="last""#).as_str())
                    .set_body_json(json!([{"id": "a"}, {"id": "b"}])),
            )
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/repos/octo/issues"))
            .and(query_param("page", "2"))
            .and(wiremock::matchers::header("authorization", "Bearer t"))
            .respond_with(
                ResponseTemplate::new(200)
                    .insert_header("link", r#"<https://elsewhere.example/issues?page=1>; rel="first""#)
                    .set_body_json(json!([{"id": "c"}])),
            )
            .expect(1)
            .mount(&server)
            .await;
        let client = paging::Client::builder().base_url(server.uri()).token("t").build().expect("builds");
        // No binding of the accessor: the stream borrows the client. It is `Unpin`, so
        // `.next()` is called on it as it is, without pinning.
        let mut stream = client.issues().list_issues("octo").per_page(2).into_stream();
        let mut ids = Vec::new();
        while let Some(thing) = stream.next().await {
            ids.push(thing.expect("page decodes").id);
        }
        assert_eq!(ids, ["a", "b", "c"]);
    }

    #[test]
    fn a_link_header_names_its_next_page_among_others() {
        let mut headers = fixture_client::runtime::HeaderMap::new();
        let value = r#"<https://api.github.com/repositories/1/issues?page=1>; rel="prev first", <https://api.github.com/repositories/1/issues?page=3>; rel="next""#;
        headers.insert("link", value.parse().expect("a header value"));
        let next = fixture_client::runtime::next_link(&headers);
        assert_eq!(next.as_deref(), Some("https://api.github.com/repositories/1/issues?page=3"));
        headers.insert("link", r#"<https://x.example/?page=1>; rel=last"#.parse().expect("a header value"));
        assert_eq!(fixture_client::runtime::next_link(&headers), None);
    }

    #[tokio::test]
    async fn a_next_link_to_another_host_is_not_followed_with_credentials() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(
                ResponseTemplate::new(200)
                    .insert_header("link", r#"<https://elsewhere.example/issues?page=2>; rel="next""#)
                    .set_body_json(json!([{"id": "a"}])),
            )
            .mount(&server)
            .await;
        let client = paging::Client::builder().base_url(server.uri()).token("t").build().expect("builds");
        let outcomes: Vec<_> = client.issues().list_issues("octo").into_stream().collect().await;
        assert!(
            matches!(&outcomes[..], [Ok(_), Err(fixture_client::runtime::Error::InvalidRequest(_))]),
            "{outcomes:?}"
        );
    }

    #[tokio::test]
    async fn stripe_lists_page_after_the_last_items_id_while_there_is_more() {
        let server = MockServer::start().await;
        let page = |ids: &[&str], more: bool| {
            let data: Vec<_> = ids.iter().map(|id| json!({"id": id, "object": "customer"})).collect();
            json!({"object": "list", "data": data, "has_more": more, "url": "/v1/customers"})
        };
        Mock::given(method("GET"))
            .and(path("/v1/customers"))
            .and(query_param("email", "a@example.com"))
            .and(wiremock::matchers::query_param_is_missing("starting_after"))
            .respond_with(ResponseTemplate::new(200).set_body_json(page(&["cus_1", "cus_2"], true)))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/v1/customers"))
            .and(query_param("starting_after", "cus_2"))
            .and(query_param("email", "a@example.com"))
            .respond_with(ResponseTemplate::new(200).set_body_json(page(&["cus_3"], false)))
            .expect(1)
            .mount(&server)
            .await;
        let client = client(&server);
        let ids: Vec<String> = client
            .customers()
            .get_customers()
            .email("a@example.com")
            .into_stream()
            .map(|customer| customer.expect("page decodes").id)
            .collect()
            .await;
        assert_eq!(ids, ["cus_1", "cus_2", "cus_3"]);
    }

    #[tokio::test]
    async fn items_that_may_be_null_page_after_the_last_one_that_is_not() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/v1/invoices"))
            .and(wiremock::matchers::query_param_is_missing("starting_after"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"data": [{"id": "in_1"}, {"id": "in_2"}, null], "has_more": true})),
            )
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/v1/invoices"))
            .and(query_param("starting_after", "in_2"))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(json!({"data": [{"id": "in_3"}], "has_more": false})),
            )
            .expect(1)
            .mount(&server)
            .await;
        let invoices: Vec<_> = client(&server)
            .customers()
            .get_invoices()
            .into_stream()
            .map(|invoice| invoice.expect("page decodes").map(|invoice| invoice.id))
            .collect()
            .await;
        assert_eq!(invoices, [Some("in_1".to_owned()), Some("in_2".to_owned()), None, Some("in_3".to_owned())]);
    }

    #[tokio::test]
    async fn page_numbers_count_up_until_the_last_page() {
        let server = MockServer::start().await;
        for (page, ids) in [("1", vec!["a", "b"]), ("2", vec!["c"])] {
            Mock::given(method("GET"))
                .and(path("/things"))
                .and(query_param("page", page))
                .and(query_param("name", "x"))
                .respond_with(ResponseTemplate::new(200).set_body_json(things_page(&ids, page.parse().expect("n"), 2)))
                .expect(1)
                .mount(&server)
                .await;
        }
        let client = client(&server);
        let ids: Vec<String> =
            client.list_things().name("x").into_stream().map(|thing| thing.expect("page decodes").id).collect().await;
        assert_eq!(ids, ["a", "b", "c"]);
    }

    #[tokio::test]
    async fn a_short_page_ends_the_stream_without_total_pages() {
        let server = MockServer::start().await;
        let mut body = things_page(&["a"], 3, 0);
        body["result_info"] = json!({"page": 3});
        Mock::given(method("GET"))
            .and(query_param("page", "3"))
            .and(query_param("per_page", "2"))
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .expect(1)
            .mount(&server)
            .await;
        let items: Vec<_> = client(&server).list_things().page(3.0).per_page(2.0).into_stream().collect().await;
        assert_eq!(items.len(), 1);
    }

    #[tokio::test]
    async fn page_tokens_are_followed_until_the_last_page() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/users"))
            .and(query_param_is_missing("next_page_token"))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(json!({"users": [{"id": "u1"}], "next_page_token": "t1"})),
            )
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/users"))
            .and(query_param("next_page_token", "t1"))
            .and(query_param("page_size", "1"))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(json!({"users": [{"id": "u2"}], "next_page_token": ""})),
            )
            .expect(1)
            .mount(&server)
            .await;
        let users: Vec<String> = client(&server)
            .list_users()
            .page_size(1)
            .into_stream()
            .map(|user| user.expect("decodes").id)
            .collect()
            .await;
        assert_eq!(users, ["u1", "u2"]);
    }

    #[tokio::test]
    async fn offsets_advance_past_the_items_fetched_until_the_total() {
        let server = MockServer::start().await;
        for (offset, records) in [("0", json!(["a", "b"])), ("2", json!(["c", "d"])), ("4", json!(["e"]))] {
            Mock::given(method("GET"))
                .and(path("/records"))
                .and(query_param("offset", offset))
                .respond_with(ResponseTemplate::new(200).set_body_json(json!({"records": records, "total": 5})))
                .expect(1)
                .mount(&server)
                .await;
        }
        let records: Vec<String> =
            client(&server).list_records().into_stream().map(|record| record.expect("decodes")).collect().await;
        assert_eq!(records, ["a", "b", "c", "d", "e"], "the total ends it without asking for an empty page");
    }

    #[tokio::test]
    async fn next_urls_in_the_body_are_followed_absolute_or_relative() {
        let server = MockServer::start().await;
        let absolute = format!("{}/articles?page=2&tag=rust", server.uri());
        Mock::given(method("GET"))
            .and(path("/articles"))
            .and(query_param_is_missing("page"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"articles": ["a1"], "next_url": absolute})))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/articles"))
            .and(query_param("page", "2"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"articles": ["a2"], "next_url": "/articles?page=3&tag=rust"})),
            )
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/articles"))
            .and(query_param("page", "3"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"articles": ["a3"], "next_url": null})))
            .expect(1)
            .mount(&server)
            .await;
        let articles: Vec<String> = client(&server)
            .list_articles()
            .tag("rust")
            .into_stream()
            .map(|article| article.expect("decodes"))
            .collect()
            .await;
        assert_eq!(articles, ["a1", "a2", "a3"]);
    }

    #[tokio::test]
    async fn a_next_url_that_repeats_the_page_ends_the_stream() {
        let server = MockServer::start().await;
        let same = format!("{}/articles?page=2", server.uri());
        Mock::given(method("GET"))
            .and(path("/articles"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"articles": ["a"], "next_url": same})))
            .expect(2)
            .mount(&server)
            .await;
        let articles: Vec<String> =
            client(&server).list_articles().into_stream().map(|article| article.expect("decodes")).collect().await;
        assert_eq!(articles, ["a", "a"], "the repeated URL is fetched once, then paging stops");
    }

    #[tokio::test]
    async fn cursors_in_response_headers_are_followed_until_a_page_has_none() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/logs"))
            .and(query_param_is_missing("cursor"))
            .respond_with(ResponseTemplate::new(200).insert_header("X-Next-Cursor", "c2").set_body_json(json!(["l1"])))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/logs"))
            .and(query_param("cursor", "c2"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!(["l2"])))
            .expect(1)
            .mount(&server)
            .await;
        let lines: Vec<String> =
            client(&server).list_logs().into_stream().map(|line| line.expect("decodes")).collect().await;
        assert_eq!(lines, ["l1", "l2"]);
    }

    /// `TeamPage` has `MemberPage`'s shape, so it is an alias of it: paging still reads
    /// the page through the alias.
    #[tokio::test]
    async fn pages_given_by_a_merged_component_still_stream() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/teams"))
            .and(query_param("next_page_token", "t1"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"items": [{"id": "b"}]})))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/teams"))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(json!({"items": [{"id": "a"}], "next_page_token": "t1"})),
            )
            .mount(&server)
            .await;
        let page: paging::MemberPage = client(&server).list_teams().await.expect("decodes").into_body();
        assert_eq!(page.next_page_token.as_deref(), Some("t1"));
        let teams: Vec<String> =
            client(&server).list_teams().into_stream().map(|team| team.expect("decodes").id).collect().await;
        assert_eq!(teams, ["a", "b"]);
    }

    #[tokio::test]
    async fn a_cursor_that_does_not_move_ends_the_stream() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/events"))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(json!({"data": ["e"], "meta": {"next_cursor": "same"}})),
            )
            .mount(&server)
            .await;
        let events: Vec<_> = client(&server).list_events().cursor("same").into_stream().collect().await;
        assert_eq!(events.len(), 1);
        assert_eq!(server.received_requests().await.expect("recording").len(), 1);
    }

    #[tokio::test]
    async fn an_error_mid_stream_is_yielded_and_ends_it() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(query_param_is_missing("cursor"))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(json!({"data": ["e1", "e2"], "meta": {"next_cursor": "c2"}})),
            )
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(query_param("cursor", "c2"))
            .respond_with(ResponseTemplate::new(500).set_body_string("down"))
            .mount(&server)
            .await;
        let client = paging::Client::builder()
            .base_url(server.uri())
            .retry(fixture_client::runtime::RetryPolicy::none())
            .build()
            .expect("builds");
        let outcomes: Vec<_> = client.list_events().into_stream().collect().await;
        assert_eq!(outcomes.len(), 3);
        assert_eq!(outcomes[0].as_ref().expect("first"), "e1");
        assert!(matches!(&outcomes[2], Err(Error::UnexpectedStatus { status, .. }) if *status == 500));
    }
}

#[tokio::test]
async fn multipart_bodies_send_fields_and_file_parts() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/items/4/attachments"))
        .respond_with(ResponseTemplate::new(201))
        .expect(1)
        .mount(&server)
        .await;
    let client = ops::Client::builder().base_url(server.uri()).bearer("b").build().expect("builds");
    let body = ops::UploadAttachmentRequest {
        file: b"\x00PNG bytes".to_vec().into(),
        caption: Some("a \"quoted\" caption".to_owned()),
        tags: Some(vec!["x".to_owned(), "y".to_owned()]),
    };
    client.items().upload_attachment(4, body).await.expect("attached");
    let request = &recorded(&server).await[0];
    let content_type = request.headers["content-type"].to_str().expect("ascii").to_owned();
    let boundary = content_type.strip_prefix("multipart/form-data; boundary=").expect("multipart with a boundary");
    let expected = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"file\"\r\nContent-Type: application/octet-stream\r\n\r\n\u{0}PNG bytes\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"caption\"\r\n\r\na \"quoted\" caption\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"tags\"\r\n\r\nx\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"tags\"\r\n\r\ny\r\n\
         --{boundary}--\r\n"
    );
    assert_eq!(String::from_utf8_lossy(&request.body), expected);
}

/// Header parameters named `Accept` and `Content-Type` are ignored, as OpenAPI says: no
/// arguments for them, and each header is sent once, from the media types.
#[tokio::test]
async fn accept_and_content_type_parameters_are_left_to_the_client() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/items/4/report"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"summary": "fine"})))
        .expect(1)
        .mount(&server)
        .await;
    let client = ops::Client::builder().base_url(server.uri()).bearer("b").build().expect("builds");
    let body = ops::ReportItemRequest { reason: Some("audit".to_owned()) };
    let report = client.items().report_item(4, body).await.expect("reported").into_body();
    assert_eq!(report.summary.as_deref(), Some("fine"));
    let request = &recorded(&server).await[0];
    let values = |name: &str| {
        request.headers.get_all(name).iter().map(|value| value.to_str().expect("ascii").to_owned()).collect::<Vec<_>>()
    };
    assert_eq!(values("content-type"), ["application/json"]);
    assert_eq!(values("accept"), ["application/json"]);
}

/// A body offered as JSON and as multipart whose schema has a binary member goes as
/// multipart: JSON cannot carry the file (it went as an array of byte numbers).
#[tokio::test]
async fn a_body_with_a_file_member_is_sent_as_multipart_when_the_spec_allows_it() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/items/4/files"))
        .respond_with(ResponseTemplate::new(201))
        .expect(1)
        .mount(&server)
        .await;
    let client = ops::Client::builder().base_url(server.uri()).bearer("b").build().expect("builds");
    let body = ops::ItemFile { file: Some(b"hi".to_vec().into()), file_id: None };
    client.items().add_item_file(4, body).await.expect("added");
    let request = &recorded(&server).await[0];
    let content_type = request.headers["content-type"].to_str().expect("ascii").to_owned();
    let boundary = content_type.strip_prefix("multipart/form-data; boundary=").expect("multipart, not JSON");
    let expected = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"file\"\r\nContent-Type: application/octet-stream\r\n\r\nhi\r\n\
         --{boundary}--\r\n"
    );
    assert_eq!(String::from_utf8_lossy(&request.body), expected);
}

#[test]
fn the_discriminator_picks_the_variant_even_when_shapes_overlap() {
    // Cat and Dog have the same required fields: only `kind` tells them apart.
    let dog: shapes::Animal = serde_json::from_value(json!({"kind": "Dog", "name": "Rex"})).expect("decodes");
    assert!(matches!(&dog, shapes::Animal::Dog(dog) if dog.name == "Rex"), "{dog:?}");
    let kitten: shapes::Animal = serde_json::from_value(json!({"kind": "kitten", "name": "Tom"})).expect("decodes");
    assert!(matches!(&kitten, shapes::Animal::Cat(cat) if cat.kind == "kitten"), "{kitten:?}");
    let parrot: shapes::Animal =
        serde_json::from_value(json!({"kind": "parrot", "words": 3})).expect("unknown kinds decode");
    assert_eq!(parrot, shapes::Animal::Other(json!({"kind": "parrot", "words": 3})));
    assert_eq!(serde_json::to_value(&kitten).expect("encodes"), json!({"kind": "kitten", "name": "Tom"}));
    let broken = serde_json::from_value::<shapes::Animal>(json!({"kind": "cat"}));
    assert!(broken.expect_err("a cat needs a name").to_string().contains("name"));
}

/// A base with a discriminator that others extend (`Car: allOf [Vehicle, …]`) stands for
/// whichever of them the discriminator names: read as the base's own struct, each
/// subtype's fields would be dropped.
#[test]
fn a_base_extended_through_all_of_keeps_each_subtypes_own_fields() {
    let garage = json!({"vehicles": [
        {"vehicleType": "car", "id": "c1", "doors": 4},
        {"vehicleType": "Truck", "id": "t1", "payload_kg": 1200.5},
        {"vehicleType": "ElectricCar", "id": "e1", "doors": 2, "range_km": 410},
        {"vehicleType": "Boat", "id": "b1", "sails": 2}
    ]});
    let decoded: shapes::Garage = serde_json::from_value(garage.clone()).expect("decodes");
    let vehicles = decoded.vehicles.as_deref().expect("vehicles");
    assert!(matches!(&vehicles[0], shapes::Vehicle::Car(car) if car.doors == Some(4)), "{:?}", vehicles[0]);
    assert!(matches!(&vehicles[1], shapes::Vehicle::Truck(truck) if truck.payload_kg == Some(1200.5)));
    // A subtype of a subtype is a vehicle too, told apart by its own name.
    assert!(
        matches!(&vehicles[2], shapes::Vehicle::ElectricCar(car) if car.range_km == Some(410) && car.doors == Some(2))
    );
    assert_eq!(vehicles[3], shapes::Vehicle::Other(json!({"vehicleType": "Boat", "id": "b1", "sails": 2})));
    assert_eq!(serde_json::to_value(&decoded).expect("encodes"), garage, "nothing is lost on the way back");
    // The base's own fields are one struct, which each subtype extends.
    let base = shapes::VehicleBase { vehicle_type: "car".to_owned(), id: "c2".to_owned() };
    let car = shapes::Car { vehicle_type: base.vehicle_type, id: base.id, doors: None };
    assert_eq!(
        serde_json::to_value(shapes::Vehicle::Car(car)).expect("encodes"),
        json!({"vehicleType": "car", "id": "c2"})
    );
}

/// Subtypes of a subtype, tags the subtypes list themselves, an optional tag and a
/// nullable base: each value keeps its type and its fields, and what is sent carries
/// the tag that selects it.
#[test]
fn nested_subtypes_listed_tags_optional_tags_and_nulls_keep_their_values() {
    let aquarium = json!({"creatures": [
        {"species": "Bird", "wingspan": 1.5},
        {"species": "Parrot", "words": 12, "wingspan": 0.4},
        {"species": "fish.salmon", "fins": 7},
        null
    ]});
    let decoded: shapes::Aquarium = serde_json::from_value(aquarium.clone()).expect("decodes");
    let creatures = decoded.creatures.as_deref().expect("creatures");
    // A bird of no subtype is the intermediate base's own part, typed.
    assert!(
        matches!(&creatures[0], Some(shapes::Creature::Bird(shapes::Bird::Bird(bird))) if bird.wingspan == Some(1.5)),
        "{:?}",
        creatures[0]
    );
    assert!(matches!(&creatures[1], Some(shapes::Creature::Parrot(parrot)) if parrot.words == Some(12)));
    assert!(matches!(&creatures[2], Some(shapes::Creature::FishSalmon(fish)) if fish.fins == Some(7)));
    assert_eq!(creatures[3], None);
    assert_eq!(serde_json::to_value(&decoded).expect("encodes"), aquarium);
    // A value built without its optional tag is sent with the one that selects it.
    let parrot = shapes::Parrot { species: None, wingspan: None, words: Some(3) };
    assert_eq!(
        serde_json::to_value(shapes::Creature::Parrot(parrot)).expect("encodes"),
        json!({"species": "Parrot", "words": 3})
    );
}

/// Two values select one subtype, and the base leaves its tag to the mapping: the tag a
/// value came with is the one it is sent back with.
#[test]
fn a_subtype_two_tags_select_keeps_the_one_it_came_with() {
    let overnight = json!({"speed": "overnight", "days": 1});
    let decoded: shapes::Shipment = serde_json::from_value(overnight.clone()).expect("decodes");
    assert!(matches!(&decoded, shapes::Shipment::Express(express) if express.days == Some(1)), "{decoded:?}");
    assert_eq!(serde_json::to_value(&decoded).expect("encodes"), overnight);
}

/// The member a tag picks inside an untagged union's choice may lack a member another
/// choice has: that choice does not hold the value whole, so the next one, which does, wins.
#[test]
fn a_tagged_choice_that_would_drop_a_member_gives_way_to_one_that_holds_it() {
    let failed = json!({"kind": "book", "errors": ["out of print"]});
    let decoded: shapes::ItemResult = serde_json::from_value(failed.clone()).expect("decodes");
    assert!(
        matches!(&decoded, shapes::ItemResult::ItemFailed(shapes::ItemFailed::Book(book)) if book.errors.as_deref() == Some(&["out of print".to_owned()][..])),
        "{decoded:?}"
    );
    assert_eq!(serde_json::to_value(&decoded).expect("encodes"), failed);
    let found: shapes::ItemResult = serde_json::from_value(json!({"kind": "book", "title": "Dune"})).expect("decodes");
    assert!(matches!(found, shapes::ItemResult::ItemFound(_)), "{found:?}");
}

/// A union is as large as its largest member: a large one is boxed, so a value that
/// is most often a short string does not take the room of a dozen.
#[test]
fn a_large_union_member_is_boxed_and_decodes_as_before() {
    assert!(std::mem::size_of::<shapes::Attachment>() <= 32, "{} bytes", std::mem::size_of::<shapes::Attachment>());
    let attachment: shapes::Attachment = serde_json::from_value(json!({"id": "a1", "title": "Plan"})).expect("decodes");
    assert!(matches!(&attachment, shapes::Attachment::Id(id) if id.title.as_deref() == Some("Plan")), "{attachment:?}");
    let text: shapes::Attachment = serde_json::from_value(json!("a1")).expect("decodes");
    assert_eq!(text, shapes::Attachment::String("a1".to_owned()));
}

#[tokio::test]
async fn a_float_query_value_is_sent_as_written() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": 1})))
        .mount(&server)
        .await;
    let client = ops::Client::builder().base_url(server.uri()).bearer("b").build().expect("builds");
    client.items().get_item(1).min_score(0.1).await.expect("ok");
    assert_eq!(recorded(&server).await[0].url.query(), Some("min_score=0.1"));
}

#[tokio::test]
async fn deep_object_query_parameters_send_one_pair_per_key() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": 1})))
        .mount(&server)
        .await;
    let client = ops::Client::builder().base_url(server.uri()).bearer("b").build().expect("builds");
    let filter =
        ops::GetItemFilter { status: Some("open".to_owned()), tags: Some(vec!["a".to_owned(), "b c".to_owned()]) };
    client.items().get_item(1).filter(filter).await.expect("ok");
    let request = &recorded(&server).await[0];
    assert_eq!(
        request.url.query(),
        Some("filter%5Bstatus%5D=open&filter%5Btags%5D%5B%5D=a&filter%5Btags%5D%5B%5D=b+c")
    );
}

mod presence {
    //! Optional, nullable, read-only and write-only fields, each in the direction it matters.

    use super::*;

    fn update(nickname: Option<Option<&str>>) -> shapes::PetUpdate {
        shapes::PetUpdate {
            nickname: nickname.map(|inner| inner.map(str::to_owned)),
            owner: None,
            name_or_null: None,
            weight: None,
            tags: None,
        }
    }

    #[tokio::test]
    async fn a_patch_tells_left_out_from_null_from_a_value() {
        let server = MockServer::start().await;
        Mock::given(method("PATCH"))
            .and(path("/pets/7"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": 7, "nickname": null})))
            .mount(&server)
            .await;
        let client = shapes::Client::builder().base_url(server.uri()).build().expect("builds");
        for nickname in [None, Some(None), Some(Some("Rex"))] {
            client.pets().update_pet(7, update(nickname)).limit(5).await.expect("ok");
        }
        let bodies: Vec<serde_json::Value> = recorded(&server)
            .await
            .iter()
            .map(|request| serde_json::from_slice(&request.body).expect("json body"))
            .collect();
        // A required nullable field is always sent, as `null` when unset.
        assert_eq!(
            bodies,
            [
                json!({"name_or_null": null}),
                json!({"name_or_null": null, "nickname": null}),
                json!({"name_or_null": null, "nickname": "Rex"}),
            ]
        );
    }

    #[test]
    fn a_sent_type_decodes_absent_and_null_apart() {
        let absent: shapes::PetUpdate = serde_json::from_value(json!({"name_or_null": "a"})).expect("decodes");
        let null: shapes::PetUpdate =
            serde_json::from_value(json!({"name_or_null": "a", "nickname": null})).expect("decodes");
        assert_eq!((absent.nickname, null.nickname), (None, Some(None)));
    }

    #[test]
    fn a_received_only_type_keeps_one_option_for_absent_and_null() {
        let view: shapes::PetView = serde_json::from_value(json!({"id": 1, "nickname": null})).expect("decodes");
        let nickname: Option<String> = view.nickname;
        assert_eq!(nickname, None);
    }

    #[tokio::test]
    async fn read_only_fields_need_not_be_sent_and_write_only_ones_need_not_come_back() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/accounts"))
            .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": "acc_1", "email": "a@example.com"})))
            .mount(&server)
            .await;
        let client = shapes::Client::builder().base_url(server.uri()).build().expect("builds");
        let account = shapes::Account {
            id: None,
            email: "a@example.com".to_owned(),
            password: Some("hunter2".to_owned()),
            homepage: None,
            last_ip: None,
            visits: Some(u64::MAX),
            score: None,
            active: None,
            plan: Some(shapes::AccountPlan::Free),
        };
        let created = client.accounts().create_account(account).await.expect("decodes without `password`");
        assert_eq!(created.body().id.as_deref(), Some("acc_1"));
        assert_eq!(created.body().password, None);
        let sent: serde_json::Value = serde_json::from_slice(&recorded(&server).await[0].body).expect("json");
        assert_eq!(sent, json!({"email": "a@example.com", "password": "hunter2", "visits": u64::MAX, "plan": "free"}));
    }
}

mod enums {
    //! Integer, number and mixed enums: named variants, wire values, and a fallback.

    use super::*;

    #[test]
    fn integer_enums_use_their_extension_names_and_keep_unknown_values() {
        assert_eq!(serde_json::to_value(shapes::Priority::High).expect("encodes"), json!(3));
        assert_eq!(serde_json::from_value::<shapes::Priority>(json!(1)).expect("decodes"), shapes::Priority::Low);
        assert_eq!(serde_json::from_value::<shapes::Priority>(json!(9)).expect("decodes"), shapes::Priority::Other(9));
        assert_eq!(serde_json::to_value(shapes::Priority::Other(9)).expect("encodes"), json!(9));
        assert_eq!(shapes::Level::Minus1.value(), -1);
        assert_eq!(serde_json::from_value::<shapes::Level>(json!(10)).expect("decodes"), shapes::Level::V10);
        assert!(serde_json::from_value::<shapes::Level>(json!("10")).is_err(), "a string is not an integer enum");
    }

    #[test]
    fn number_and_mixed_enums_match_by_value() {
        assert_eq!(serde_json::from_value::<shapes::Ratio>(json!(1.5)).expect("decodes"), shapes::Ratio::V1Point5);
        assert_eq!(serde_json::to_value(shapes::Ratio::V0Point5).expect("encodes"), json!(0.5));
        let decode = |value| serde_json::from_value::<shapes::Mode>(value).expect("decodes");
        assert_eq!(decode(json!("auto")), shapes::Mode::Auto);
        assert_eq!(decode(json!(0)), shapes::Mode::V0);
        assert_eq!(decode(json!(0.0)), shapes::Mode::V0);
        assert_eq!(decode(json!(true)), shapes::Mode::True);
        assert_eq!(decode(json!("manual")), shapes::Mode::Other(json!("manual")));
        assert_eq!(serde_json::to_value(shapes::Mode::True).expect("encodes"), json!(true));
        assert_eq!(shapes::Mode::Auto.to_string(), "\"auto\"");
    }

    #[tokio::test]
    async fn enums_go_on_the_wire_as_their_values_in_queries_and_bodies() {
        let server = MockServer::start().await;
        Mock::given(method("PUT")).respond_with(ResponseTemplate::new(204)).mount(&server).await;
        Mock::given(method("PATCH"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": 7, "priority": 2})))
            .mount(&server)
            .await;
        let client = shapes::Client::builder().base_url(server.uri()).build().expect("builds");
        let settings = shapes::Settings {
            priority: Some(shapes::Priority::Medium),
            level: Some(shapes::Level::Minus1),
            ratio: None,
            mode: Some(None),
            always: Some(true),
            nothing: None,
            on_off: Some(false),
        };
        client.accounts().put_settings(settings).await.expect("stored");
        let update = shapes::PetUpdate {
            nickname: None,
            owner: None,
            name_or_null: Some("n".to_owned()),
            weight: None,
            tags: None,
        };
        let view = client.pets().update_pet(7, update).priority(shapes::Priority::High).await.expect("ok");
        assert_eq!(view.body().priority, Some(shapes::Priority::Medium));
        let requests = recorded(&server).await;
        let sent: serde_json::Value = serde_json::from_slice(&requests[0].body).expect("json");
        assert_eq!(sent, json!({"priority": 2, "level": -1, "mode": null, "always": true, "on_off": false}));
        assert_eq!(requests[1].url.query(), Some("priority=3"));
    }
}

#[test]
fn openapi_31_type_arrays_and_const_reach_the_same_shapes() {
    use fixture_client::openapi31;
    let note: openapi31::Note =
        serde_json::from_value(json!({"kind": "note", "text": null, "color": null})).expect("decodes");
    assert_eq!(note.kind, openapi31::NoteKind::Note);
    assert_eq!(note.text, None);
    // `color` is optional and nullable in a type that is sent: `null` is kept apart from absent.
    assert_eq!(note.color, Some(None));
    let encoded =
        serde_json::to_value(openapi31::Note { color: None, pinned: Some(Some(true)), ..note }).expect("encodes");
    assert_eq!(encoded, json!({"kind": "note", "text": null, "pinned": true}));
}

#[tokio::test]
async fn documented_response_headers_are_read_into_typed_fields() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/items/1"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"id": 1}))
                .insert_header("etag", "\"v7\"")
                .insert_header("x-ratelimit-remaining", "41")
                .insert_header("x-cache", "hit")
                .insert_header("x-features", "a, b"),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/items/2"))
        .respond_with(
            ResponseTemplate::new(404)
                .set_body_json(json!({"title": "gone"}))
                .insert_header("x-ratelimit-remaining", "not a number")
                .insert_header("retry-after", "30"),
        )
        .mount(&server)
        .await;
    let client = ops::Client::builder().base_url(server.uri()).bearer("b").build().expect("builds");
    let response = client.items().get_item(1).await.expect("ok");
    let headers = ops::items::GetItemHeaders::from(response.headers());
    assert_eq!(
        headers,
        ops::items::GetItemHeaders {
            e_tag: Some("\"v7\"".to_owned()),
            x_rate_limit_remaining: Some(41),
            x_cache: Some(ops::GetItemHeadersXCache::Hit),
            x_features: Some(vec!["a".to_owned(), "b".to_owned()]),
            retry_after: None,
        }
    );
    let Err(Error::Api { headers, .. }) = client.items().get_item(2).await else { panic!("expected the 404") };
    let headers = ops::items::GetItemHeaders::from(&*headers);
    assert_eq!((headers.x_rate_limit_remaining, headers.retry_after), (None, Some(30)), "unparsable is None");
}

#[test]
fn untagged_unions_try_the_most_demanding_variant_first() {
    let decode = |value| serde_json::from_value::<shapes::Contact>(value).expect("decodes");
    let person = shapes::Person { name: "Ada".to_owned(), email: "ada@example.com".to_owned() };
    // `Named` comes first in the spec and fits too, but would drop the email.
    assert_eq!(decode(json!({"name": "Ada", "email": "ada@example.com"})), shapes::Contact::Person(person));
    assert_eq!(decode(json!({"name": "Ada"})), shapes::Contact::Named(shapes::Named { name: Some("Ada".to_owned()) }));
}

#[test]
fn an_untagged_union_prefers_the_variant_that_keeps_every_field() {
    // `Named` has no required field, so it decodes any object, but would drop `nickname`:
    // the map variant keeps it.
    let value = json!({"name": "Ada", "nickname": "countess"});
    let contact: shapes::Contact = serde_json::from_value(value.clone()).expect("decodes");
    assert!(matches!(&contact, shapes::Contact::Map(map) if map["nickname"] == "countess"), "{contact:?}");
    assert_eq!(serde_json::to_value(&contact).expect("encodes"), value);
    let broken = serde_json::from_value::<shapes::Contact>(json!(7)).expect_err("a number is no contact");
    assert!(broken.to_string().contains("did not match any variant of Contact"), "{broken}");
}

mod security_alternatives {
    //! `(api key AND bearer) OR oauth2 OR openIdConnect` on one operation.

    use super::*;

    async fn server() -> MockServer {
        let server = MockServer::start().await;
        Mock::given(method("GET")).respond_with(ResponseTemplate::new(204)).mount(&server).await;
        server
    }

    #[tokio::test]
    async fn both_schemes_of_an_and_requirement_are_sent_together() {
        let server = server().await;
        let client =
            ops::Client::builder().base_url(server.uri()).api_key_header("k1").bearer("b1").build().expect("builds");
        client.get_reports_by_report_id("r/1").await.expect("ok");
        let request = &recorded(&server).await[0];
        assert_eq!(request.url.path(), "/reports/r%2F1");
        assert_eq!(request.headers["x-api-key"], "k1");
        assert_eq!(request.headers["authorization"], "Bearer b1");
    }

    #[tokio::test]
    async fn matrix_and_label_path_parameters_are_spelled_in_their_styles() {
        let server = server().await;
        let client = ops::Client::builder().base_url(server.uri()).bearer("b").build().expect("builds");
        client.get_palette(vec!["sky blue".to_owned(), "red".to_owned()], vec![1, 2]).await.expect("ok");
        let request = &recorded(&server).await[0];
        assert_eq!(request.url.path(), "/palettes/;colors=sky%20blue;colors=red/.1,2");
    }

    #[tokio::test]
    async fn half_of_an_and_requirement_falls_through_to_the_next_alternative() {
        let server = server().await;
        let client = ops::Client::builder()
            .base_url(server.uri())
            .api_key_header("k1")
            .oidc_access_token("t1")
            .build()
            .expect("builds");
        client.get_reports_by_report_id("r").await.expect("ok");
        let request = &recorded(&server).await[0];
        assert!(request.headers.get("x-api-key").is_none(), "an incomplete alternative sends nothing");
        assert_eq!(request.headers["authorization"], "Bearer t1");
    }

    #[tokio::test]
    async fn oauth2_tokens_are_bearer_tokens_and_nothing_configured_fails_before_sending() {
        let server = server().await;
        let client = ops::Client::builder().base_url(server.uri()).oauth_access_token("o1").build().expect("builds");
        client.get_reports_by_report_id("r").await.expect("ok");
        assert_eq!(recorded(&server).await[0].headers["authorization"], "Bearer o1");
        let anonymous = ops::Client::builder().base_url(server.uri()).build().expect("builds");
        let error = anonymous.get_reports_by_report_id("r").await.expect_err("no credentials");
        assert!(matches!(error, Error::MissingCredentials { .. }), "{error:?}");
        assert_eq!(recorded(&server).await.len(), 1, "nothing was sent without credentials");
    }

    #[tokio::test]
    async fn derived_names_that_collide_are_numbered_in_spec_order() {
        let server = server().await;
        let client = ops::Client::builder().base_url(server.uri()).bearer("b").build().expect("builds");
        client.get_reports_by_report_id2("x").await.expect("the second path");
        assert_eq!(recorded(&server).await[0].url.path(), "/reports/x");
    }
}

#[test]
fn an_empty_property_name_and_open_properties_round_trip() {
    let open: shapes::Open = serde_json::from_value(json!({"": "x", "known": "k", "extra": 1})).expect("decodes");
    assert_eq!((open.value.as_deref(), open.known.as_deref()), (Some("x"), Some("k")));
    assert_eq!(open.additional_properties["extra"], 1);
    assert_eq!(serde_json::to_value(&open).expect("encodes"), json!({"": "x", "known": "k", "extra": 1}));
}

mod swagger2 {
    //! A Swagger 2.0 document, converted: `basePath`, `collectionFormat`, body and
    //! formData parameters, `produces`, shared responses and `securityDefinitions`.

    use super::*;
    use fixture_client::swagger2::{self as pets_api, pets};

    fn client(server: &MockServer) -> pets_api::Client {
        pets_api::Client::builder().base_url(format!("{}/v2", server.uri())).api_key("k").build().expect("builds")
    }

    #[test]
    fn host_base_path_and_schemes_make_the_default_base_url() {
        assert_eq!(pets_api::Client::DEFAULT_BASE_URL, "https://pets.example.com/v2");
    }

    #[tokio::test]
    async fn each_collection_format_joins_arrays_its_own_way() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/v2/pets"))
            .respond_with(
                ResponseTemplate::new(200)
                    .insert_header("X-Total-Count", "7")
                    .set_body_json(json!([{"id": 1, "name": "Rex", "tag": null}])),
            )
            .expect(1)
            .mount(&server)
            .await;
        let response = client(&server)
            .pets()
            .list_pets()
            .tags(vec!["a".to_owned(), "b".to_owned()])
            .status(vec![pets_api::PetStatus::Available, pets_api::PetStatus::Sold])
            .words(vec!["big".to_owned(), "dog".to_owned()])
            .ids(vec![1, 2])
            .await
            .expect("listed");
        assert_eq!(pets::ListPetsHeaders::from(response.headers()).x_total_count, Some(7));
        assert_eq!(response.into_body(), vec![pets_api::Pet { id: 1, name: "Rex".into(), tag: None, status: None }]);
        let request = &recorded(&server).await[0];
        // csv, multi, ssv and pipes; `limit` has a default, so nothing is sent for it.
        assert_eq!(request.url.query(), Some("tags=a%2Cb&status=available&status=sold&words=big+dog&ids=1%7C2"));
        assert_eq!(request.headers["x-api-key"], "k");
    }

    /// A string in any media type (`*/*`) is the body's text, not a JSON string that
    /// plain text would fail to decode as; a body the server labels JSON gives its value.
    #[tokio::test]
    async fn a_string_of_any_media_type_is_read_as_text() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/v2/pets/1/log"))
            .respond_with(ResponseTemplate::new(200).set_body_raw("fed at 9\nslept", "text/plain"))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/v2/pets/2/log"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!("walked")))
            .mount(&server)
            .await;
        let text = client(&server).pets().read_pet_log(1).await.expect("plain text").into_body();
        assert_eq!(text, "fed at 9\nslept");
        let labelled_json = client(&server).pets().read_pet_log(2).await.expect("a JSON string").into_body();
        assert_eq!(labelled_json, "walked");
    }

    /// Swagger 2.0's `discriminator: animalType` on a definition others extend: a list of
    /// animals keeps each one's own fields; Azure's `x-ms-discriminator-value` names a tag.
    #[tokio::test]
    async fn a_discriminated_base_decodes_as_the_subtype_each_value_names() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/v2/animals"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!([
                {"animalType": "Lion", "name": "Leo", "roar_db": 114},
                {"animalType": "Parrot", "words": ["hello"]},
                {"animalType": "reptile.snake", "venomous": true}
            ])))
            .mount(&server)
            .await;
        let animals = client(&server).animals().list_animals().await.expect("listed").into_body();
        assert!(
            matches!(&animals[2], pets_api::Animal::ReptileSnake(snake) if snake.venomous == Some(true)),
            "{animals:?}"
        );
        assert!(
            matches!(&animals[0], pets_api::Animal::Lion(lion) if lion.roar_db == Some(114) && lion.name.as_deref() == Some("Leo"))
        );
        assert!(
            matches!(&animals[1], pets_api::Animal::Parrot(parrot) if parrot.words.as_deref() == Some(&["hello".to_owned()][..]))
        );
    }

    #[tokio::test]
    async fn body_parameters_are_json_and_the_default_response_is_the_error() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/v2/pets"))
            .and(header("content-type", "application/json"))
            .and(body_string(r#"{"name":"Rex"}"#))
            .respond_with(ResponseTemplate::new(409).set_body_json(json!({"code": 9, "message": "taken"})))
            .mount(&server)
            .await;
        let body = pets_api::NewPet { name: "Rex".into(), tag: None };
        let error = client(&server).pets().add_pet(body).await.expect_err("a conflict");
        let Error::Api { status, body, .. } = error else { panic!("expected a documented error: {error:?}") };
        assert_eq!(status.as_u16(), 409);
        let pets::AddPetError::Default(problem) = *body;
        assert_eq!(problem.message.as_deref(), Some("taken"));
    }

    #[tokio::test]
    async fn shared_responses_decode_and_operation_security_replaces_the_global_one() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/v2/pets/5"))
            .respond_with(ResponseTemplate::new(404).set_body_json(json!({"code": 404})))
            .mount(&server)
            .await;
        let client = pets_api::Client::builder()
            .base_url(format!("{}/v2", server.uri()))
            .api_key("k")
            .basic_auth("ann", "secret")
            .build()
            .expect("builds");
        let error = client.pets().get_pet(5).await.expect_err("not found");
        assert!(
            matches!(&error, Error::Api { body, .. } if matches!(**body, pets::GetPetError::NotFound(pets_api::Problem { code: Some(404), .. }))),
            "{error:?}"
        );
        let request = &recorded(&server).await[0];
        assert_eq!(request.headers["authorization"], "Basic YW5uOnNlY3JldA==");
        assert!(request.headers.get("x-api-key").is_none(), "the operation's own security applies");
    }

    #[tokio::test]
    async fn form_data_parameters_become_form_and_multipart_bodies() {
        let server = MockServer::start().await;
        Mock::given(method("PUT"))
            .and(path("/v2/pets/5/name"))
            .and(header("content-type", "application/x-www-form-urlencoded"))
            .and(body_string("name=Big+Rex"))
            .respond_with(ResponseTemplate::new(204))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/v2/pets/5/photo"))
            .respond_with(ResponseTemplate::new(204))
            .expect(1)
            .mount(&server)
            .await;
        let client = client(&server);
        client.pets().rename_pet(5, pets_api::RenamePetRequest { name: "Big Rex".into() }).await.expect("renamed");
        let photo = pets_api::UploadPhotoRequest { caption: None, file: b"JPEG".to_vec().into() };
        client.pets().upload_photo(5, photo).await.expect("uploaded");
        let upload = &recorded(&server).await[1];
        let content_type = upload.headers["content-type"].to_str().expect("ascii");
        assert!(content_type.starts_with("multipart/form-data; boundary="), "{content_type}");
        let body = String::from_utf8_lossy(&upload.body);
        assert!(
            body.contains("name=\"file\"; filename=\"file\"\r\nContent-Type: application/octet-stream\r\n\r\nJPEG\r\n")
        );
        assert!(!body.contains("caption"), "an unset optional part is not sent: {body}");
    }

    #[tokio::test]
    async fn file_responses_are_bytes() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/v2/pets/5/export"))
            .respond_with(ResponseTemplate::new(200).set_body_raw(vec![0u8, 159, 146, 150], "application/octet-stream"))
            .mount(&server)
            .await;
        let response = client(&server).pets().export_pet(5).await.expect("downloaded");
        assert_eq!(response.into_body().as_ref(), [0u8, 159, 146, 150]);
        assert_eq!(recorded(&server).await[0].headers["accept"], "application/octet-stream");
    }

    #[tokio::test]
    async fn a_binary_schema_is_bytes_even_where_json_is_listed_first() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/v2/pets/5/render/png"))
            .respond_with(ResponseTemplate::new(200).set_body_raw(vec![0x89, b'P', b'N', b'G'], "image/png"))
            .mount(&server)
            .await;
        let response = client(&server).pets().render_pet(5, pets_api::RenderPetFormat::Png).await.expect("rendered");
        assert_eq!(response.into_body().as_ref(), [0x89, b'P', b'N', b'G']);
    }

    #[tokio::test]
    async fn an_accept_header_the_caller_configures_wins_over_the_documented_one() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_raw("x", "text/csv"))
            .mount(&server)
            .await;
        let client = pets_api::Client::builder()
            .base_url(format!("{}/v2", server.uri()))
            .default_header("Accept", "text/csv")
            .api_key("k")
            .build()
            .expect("builds");
        client.pets().export_pet(5).await.expect("downloaded");
        let options = fixture_client::runtime::RequestOptions::new().header("accept", "application/pdf");
        client.pets().export_pet(5).with_options(options).await.expect("downloaded");
        let requests = recorded(&server).await;
        let accepts: Vec<Vec<&str>> = requests
            .iter()
            .map(|request| {
                request.headers.get_all("accept").iter().map(|value| value.to_str().expect("ascii")).collect()
            })
            .collect();
        assert_eq!(accepts, [vec!["text/csv"], vec!["application/pdf"]]);
    }
}

/// One type per shape (`shared_shapes.yaml`): the merged types still carry every use's
/// data both ways, and the spec's second name for a shape is the same type.
#[tokio::test]
async fn merged_types_carry_each_uses_data() {
    use fixture_client::shared_shapes as shared;
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/exports"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "items": [{"id": "e1", "format": "csv"}, {"id": "e2", "format": "parquet"}],
            "message": {"message": "two exports"},
        })))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/exports"))
        .and(body_string(r#"{"format":"json","tree":{"name":"root","children":[{"name":"a"}]}}"#))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"message": "queued"})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/folders"))
        .respond_with(ResponseTemplate::new(503).set_body_json(json!({"message": "busy"})))
        .mount(&server)
        .await;
    let client = shared::Client::builder().base_url(server.uri()).build().expect("builds");

    // The query parameter, the response field and the request field are one enum.
    let listed = client.exports().list_exports().format(shared::Format::Csv).await.expect("ok").into_body();
    assert_eq!(recorded(&server).await[0].url.query(), Some("format=csv"));
    let formats: Vec<shared::Format> = listed.items.iter().map(|item| item.format.clone()).collect();
    assert_eq!(formats, [shared::Format::Csv, shared::Format::Other("parquet".to_owned())]);
    // An inline object shaped like the `Notice` component is a `Notice`.
    let note: Option<shared::Notice> = listed.message;
    assert_eq!(note.map(|note| note.message).as_deref(), Some("two exports"));

    // The root folder's inline schema is `Folder`'s shape: one type, recursion and all.
    let tree = shared::Folder {
        name: "root".to_owned(),
        children: Some(vec![shared::Folder { name: "a".to_owned(), children: None }]),
    };
    let body = shared::CreateExportRequest { format: shared::Format::Json, tree: Some(tree) };
    let created: shared::Notice = client.exports().create_export(body).await.expect("ok").into_body();
    assert_eq!(created.message, "queued");

    // `Warning` is the spec's second name for `Notice`'s shape: an alias, usable as either.
    let error = client.folders().get_folder_tree().await.expect_err("503");
    let Error::Api { body, .. } = error else { panic!("expected a documented error: {error:?}") };
    let shared::folders::GetFolderTreeError::Default(warning) = *body;
    let warning: shared::Notice = warning;
    assert_eq!(warning.message, "busy");
}

/// An API without tags (`untagged_resources.yaml`) is grouped by the resource each path
/// names, past version prefixes and parameters; a path of prefixes alone stays on `Client`.
#[tokio::test]
async fn untagged_operations_are_grouped_by_their_paths_resource() {
    use fixture_client::untagged_resources as api;
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "x"})))
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "gone"})))
        .mount(&server)
        .await;
    let client = api::Client::builder().base_url(server.uri()).build().expect("builds");
    let customer: api::Thing = client.customers().get_customers_id("cus_1").await.expect("ok").into_body();
    assert_eq!(customer.id, "x");
    let deleted = client.payment_intents().delete_payment_intents_id("pi_1").await.expect("ok").into_body();
    assert_eq!(deleted.id, "gone");
    client.balance().get_balance("acct_1").await.expect("ok");
    client.get_root().await.expect("ok");
    let paths: Vec<String> = recorded(&server).await.iter().map(|request| request.url.path().to_owned()).collect();
    assert_eq!(paths, ["/v1/customers/cus_1", "/v1/payment_intents/pi_1", "/v1/acct_1/balance", "/"]);
}

#[test]
fn an_untagged_union_picks_the_member_that_keeps_every_nested_field() {
    let okta = json!({"name": "corp", "config": {"client_id": "c", "okta_account": "https://corp.okta.com"}});
    let decoded: shapes::IdentityProvider = serde_json::from_value(okta.clone()).expect("decodes");
    assert!(matches!(decoded, shapes::IdentityProvider::OktaProvider(_)), "{decoded:?}");
    assert_eq!(serde_json::to_value(&decoded).expect("encodes"), okta);
    // A value both members hold whole goes to the first, as before.
    let azure: shapes::IdentityProvider =
        serde_json::from_value(json!({"config": {"client_id": "c"}})).expect("decodes");
    assert!(matches!(azure, shapes::IdentityProvider::AzureProvider(_)), "{azure:?}");
}

#[test]
fn a_field_every_alternative_declares_is_read_by_the_choice() {
    let deployment = json!({"id": "d1", "strategy": "percentage", "percentage": 50.0});
    let decoded: shapes::Deployment =
        serde_json::from_value(deployment.clone()).expect("the choice finds its `strategy`");
    assert_eq!(serde_json::to_value(&decoded).expect("encodes"), deployment);
}

mod events {
    use fixture_client::events as chat;
    use fixture_client::runtime::{Error, StreamExt};
    use std::time::Duration;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// A server that answers one request with `head` and then `pieces`, a pause between
    /// each, and closes; it hands back the request it read.
    async fn serve(head: &'static str, pieces: Vec<&'static str>) -> (String, tokio::task::JoinHandle<String>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a port");
        let address = listener.local_addr().expect("an address");
        let task = tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.expect("a connection");
            let mut request = Vec::new();
            let mut buffer = [0u8; 4096];
            // Headers, then a body announced by Content-Length.
            loop {
                let read = socket.read(&mut buffer).await.expect("reads");
                request.extend_from_slice(&buffer[..read]);
                let text = String::from_utf8_lossy(&request).into_owned();
                if let Some(end) = text.find("\r\n\r\n") {
                    let length = text
                        .lines()
                        .find_map(|line| {
                            line.to_ascii_lowercase().strip_prefix("content-length:").map(|n| n.trim().to_owned())
                        })
                        .and_then(|n| n.parse::<usize>().ok())
                        .unwrap_or(0);
                    if request.len() >= end + 4 + length || read == 0 {
                        break;
                    }
                }
            }
            socket.write_all(head.as_bytes()).await.expect("writes");
            for piece in pieces {
                socket.write_all(piece.as_bytes()).await.expect("writes");
                socket.flush().await.expect("flushes");
                tokio::time::sleep(Duration::from_millis(15)).await;
            }
            String::from_utf8_lossy(&request).into_owned()
        });
        (format!("http://{address}"), task)
    }

    const STREAM_HEAD: &str = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n";

    fn body() -> chat::CreateChatCompletionRequest {
        chat::CreateChatCompletionRequest { model: "m".to_owned(), prompt: "hi".to_owned(), stream: None }
    }

    #[tokio::test]
    async fn a_nullable_stream_flag_is_set_to_true_for_events() {
        let (base, request) = serve(STREAM_HEAD, vec!["data: {\"id\": \"i\", \"delta\": \"d\"}\n\n"]).await;
        let client = chat::Client::builder().base_url(base).build().expect("builds");
        let body = chat::CreateImageRequest { prompt: "a cat".to_owned(), stream: None };
        let events: Vec<_> = client.create_image(body).events().await.expect("streams").collect().await;
        assert_eq!(events.len(), 1);
        let request = request.await.expect("served");
        assert!(request.ends_with(r#"{"prompt":"a cat","stream":true}"#), "{request}");
    }

    #[tokio::test]
    async fn server_sent_events_are_parsed_across_split_chunks_until_done() {
        let (base, request) = serve(
            STREAM_HEAD,
            vec![
                ": a comment, then an event split mid-field\n",
                "retry: 1500\nid: 7\ndata: {\"id\": \"c1\",",
                " \"delta\": \"Hel\"}\r\n\r",
                "\nevent: chunk\ndata: {\"id\": \"c2\",\ndata: \"delta\": \"lo\"}\r\r",
                "data: [DONE]\n\n",
                "data: {\"id\": \"after\", \"delta\": \"never read\"}\n\n",
            ],
        )
        .await;
        let client = chat::Client::builder().base_url(base).build().expect("builds");
        let events: Vec<_> = client.create_chat_completion(body()).events().await.expect("a stream").collect().await;
        let events: Vec<_> = events.into_iter().map(|event| event.expect("decodes")).collect();
        assert_eq!(events.len(), 2, "[DONE] ends the stream: {events:?}");
        assert_eq!((events[0].data.id.as_str(), events[0].data.delta.as_str()), ("c1", "Hel"));
        assert_eq!((events[0].id.as_deref(), events[0].retry), (Some("7"), Some(Duration::from_millis(1500))));
        assert_eq!(events[0].event, None);
        // Two `data` lines join with a newline: still one JSON document.
        assert_eq!((events[1].data.delta.as_str(), events[1].event.as_deref()), ("lo", Some("chunk")));
        assert_eq!(events[1].id.as_deref(), Some("7"), "the last id carries over");
        let request = request.await.expect("served");
        assert!(request.to_ascii_lowercase().contains("accept: text/event-stream"), "{request}");
        assert!(request.ends_with(r#"{"model":"m","prompt":"hi","stream":true}"#), "the flag is set: {request}");
    }

    #[tokio::test]
    async fn an_early_close_ends_the_stream_after_the_last_whole_event() {
        let (base, _) =
            serve(STREAM_HEAD, vec!["data: {\"id\": \"c1\", \"delta\": \"a\"}\n\n", "data: {\"id\": \"c2\""]).await;
        let client = chat::Client::builder().base_url(base).build().expect("builds");
        let events: Vec<_> = client.create_chat_completion(body()).events().await.expect("a stream").collect().await;
        assert_eq!(events.len(), 1, "the unfinished event is dropped: {events:?}");
    }

    #[tokio::test]
    async fn undecodable_data_is_a_typed_error_and_an_error_status_its_documented_variant() {
        let (base, _) = serve(STREAM_HEAD, vec!["data: {\"id\": 1}\n\n"]).await;
        let client = chat::Client::builder().base_url(base).build().expect("builds");
        let events: Vec<_> = client.create_chat_completion(body()).events().await.expect("a stream").collect().await;
        assert!(matches!(&events[..], [Err(Error::Decode { .. })]), "{events:?}");

        let (base, _) = serve(
            "HTTP/1.1 429 Too Many Requests\r\ncontent-type: application/json\r\ncontent-length: 19\r\n\r\n",
            vec!["{\"message\": \"slow\"}"],
        )
        .await;
        let client = chat::Client::builder()
            .base_url(base)
            .retry(fixture_client::runtime::RetryPolicy::none())
            .build()
            .expect("builds");
        let Err(error) = client.create_chat_completion(body()).events().await else { panic!("429 is an error") };
        let Some(chat::untagged::CreateChatCompletionError::TooManyRequests(body)) = error.api_error() else {
            panic!("the documented 429: {error:?}")
        };
        assert_eq!(body.message.as_deref(), Some("slow"));
    }

    #[tokio::test]
    async fn the_same_operation_still_answers_json() {
        let (base, request) = serve(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 26\r\n\r\n",
            vec![r#"{"id": "c1", "text": "Hi"}"#],
        )
        .await;
        let client = chat::Client::builder().base_url(base).build().expect("builds");
        let completion = client.create_chat_completion(body()).await.expect("JSON").into_body();
        assert_eq!(completion.text, "Hi");
        assert!(!request.await.expect("served").contains("stream"), "no flag unless asked");
    }
}

/// Structs read their members with a written-out `Deserialize` (`runtime::FromMembers`),
/// which must read JSON exactly as serde's derive did: unknown members skipped at any
/// depth, an absent or `null` optional member `None`, `null` kept apart from absent where
/// the type tells them apart, a missing required member named, anything but an object
/// refused, escaped member names matched, and the last of two equal names kept.
#[test]
fn structs_read_their_members_as_serde_derives_them() {
    let pet: shapes::Pet = serde_json::from_value(json!({
        "id": "p1", "name": "Rex", "kind": "dog", "unknown": {"deep": [1, {"x": null}]},
        "nickname": null, "created": null, "@context": "ctx"
    }))
    .expect("decodes");
    assert_eq!((pet.id.as_str(), pet.name.as_str(), &pet.kind), ("p1", "Rex", &shapes::Kind::Dog));
    assert_eq!(pet.nickname, Some(None), "present null is kept apart from absent");
    assert_eq!(pet.created, None);
    assert_eq!(pet.context.as_deref(), Some("ctx"));
    let absent: shapes::Pet = serde_json::from_str(r#"{"id": "p1", "name": "Rex", "kind": "cat"}"#).expect("decodes");
    assert_eq!(absent.nickname, None);

    let missing = serde_json::from_str::<shapes::Pet>(r#"{"id": "p1", "kind": "cat"}"#).expect_err("name is required");
    assert!(missing.to_string().starts_with("missing field `name`"), "{missing}");
    let array = serde_json::from_str::<shapes::Pet>(r#"["p1", "Rex", "cat"]"#).expect_err("an array is no object");
    assert!(array.to_string().contains("expected struct Pet"), "{array}");
    let escaped: shapes::Pet =
        serde_json::from_str(r#"{"\u0069d": "p1", "name": "Rex", "kind": "cat", "name": "Max"}"#).expect("decodes");
    assert_eq!((escaped.id.as_str(), escaped.name.as_str()), ("p1", "Max"));
    // Read from a borrowed `Value` (member names borrowed) and from text alike.
    let value = json!({"id": "p1", "name": "Rex", "kind": "cat"});
    assert_eq!(shapes::Pet::deserialize(&value).expect("decodes"), absent);
}

#[test]
fn a_required_member_the_spec_does_not_describe_is_kept_and_can_be_sent() {
    let sent = json!({"threshold": 60, "id": "372e67954025e0ba6aaa6d586b9e0b59"});
    let limit: shapes::RateLimit = serde_json::from_value(sent.clone()).expect("decodes");
    assert_eq!(limit.id, Some(json!("372e67954025e0ba6aaa6d586b9e0b59")));
    assert_eq!(serde_json::to_value(&limit).expect("encodes"), sent, "nothing lost on the way back");
    // A spec may be wrong to require what it does not describe: its absence still decodes.
    let without: shapes::RateLimit = serde_json::from_value(json!({"threshold": 60})).expect("decodes without it");
    assert_eq!(without.id, None);
}
