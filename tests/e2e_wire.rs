//! What real APIs need on the wire, checked byte for byte on loopback: Cloudflare-style
//! DNS records (a union dispatched on each kind's `type`), chat messages whose
//! discriminator has no mapping, and Stripe-style form bodies whose `encoding` asks for
//! `deepObject` nesting, plus multipart file parts with their own name and media type.

use fixture_client::billing;
use fixture_client::dns;
use fixture_client::runtime::File;
use serde_json::json;
use std::collections::BTreeMap;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn recorded(server: &MockServer) -> Vec<wiremock::Request> {
    server.received_requests().await.expect("recording is on")
}

fn body_json(request: &wiremock::Request) -> serde_json::Value {
    serde_json::from_slice(&request.body).expect("a JSON body")
}

fn form_body(request: &wiremock::Request) -> String {
    String::from_utf8(request.body.clone()).expect("a form body is ASCII")
}

fn a_record(name: &str, content: &str) -> dns::ARecord {
    dns::ARecord {
        r#type: dns::ARecordType::A,
        name: name.to_owned(),
        content: content.to_owned(),
        id: None,
        ttl: Some(3600.0),
        comment: None,
        proxied: Some(true),
    }
}

#[tokio::test]
async fn dns_records_of_every_kind_list_with_all_their_fields() {
    let server = MockServer::start().await;
    let records = json!([
        {"id": "r1", "type": "A", "name": "example.com", "content": "198.51.100.4", "proxied": true, "ttl": 1.0},
        {"id": "r2", "type": "CNAME", "name": "www.example.com", "content": "example.com",
         "settings": {"flatten_cname": false}},
        {"id": "r3", "type": "MX", "name": "example.com", "content": "mx.example.com", "priority": 10},
        {"id": "r4", "type": "SRV", "name": "_sip._tcp.example.com", "data": {"port": 5060}}
    ]);
    Mock::given(method("GET"))
        .and(path("/zones/z1/dns_records"))
        .and(query_param("per_page", "50"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"success": true, "errors": [], "messages": [], "result": records})),
        )
        .mount(&server)
        .await;
    let client = dns::Client::builder().base_url(server.uri()).token("t").build().expect("builds");
    // The envelope is unwrapped: the body is its `result`.
    // Parameters whose schemas give no type take the text (or number) they are sent as.
    let result = client.records().list_dns_records("z1").per_page(50).await.expect("listed").into_body();
    let dns::DnsRecord::A(first) = &result[0] else { panic!("an A record: {:?}", result[0]) };
    assert_eq!((first.id.as_deref(), first.content.as_str(), first.proxied), (Some("r1"), "198.51.100.4", Some(true)));
    let dns::DnsRecord::Cname(second) = &result[1] else { panic!("a CNAME record: {:?}", result[1]) };
    assert_eq!(second.settings.as_ref().and_then(|settings| settings.flatten_cname), Some(false));
    let dns::DnsRecord::Mx(third) = &result[2] else { panic!("an MX record: {:?}", result[2]) };
    assert_eq!(third.priority, 10);
    // A kind this client does not know yet is kept whole, not dropped.
    assert!(matches!(&result[3], dns::DnsRecord::Other(value) if value["data"]["port"] == 5060));
    // Every record serializes back to exactly what came.
    assert_eq!(serde_json::to_value(&result).expect("encodes"), records);
}

/// `send()` returns a named future (`runtime::Call`): it can be kept in a variable or a
/// struct field, moved to another thread, and sends nothing until awaited.
#[tokio::test]
async fn send_returns_a_named_future_that_sends_only_when_awaited() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/zones/z1/dns_records"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"success": true, "errors": [], "messages": [], "result": []})),
        )
        .mount(&server)
        .await;
    let client = dns::Client::builder().base_url(server.uri()).token("t").build().expect("builds");
    fn assert_send<T: Send>(_: &T) {}
    let call: fixture_client::runtime::Call<'_, _, _> = client.records().list_dns_records("z1").send();
    assert_send(&call);
    assert!(recorded(&server).await.is_empty(), "built, not sent");
    let listed = call.await.expect("listed");
    assert!(listed.body().is_empty());
    assert_eq!(recorded(&server).await.len(), 1);
}

#[tokio::test]
async fn dns_records_are_created_and_updated_with_their_kind_and_fields() {
    let server = MockServer::start().await;
    let created = json!({"id": "r9", "type": "MX", "name": "example.com", "content": "mx.example.com", "priority": 5});
    Mock::given(method("POST"))
        .and(path("/zones/z1/dns_records"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"success": true, "errors": [], "messages": [], "result": created})),
        )
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .and(path("/zones/z1/dns_records/r1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "success": true, "errors": [], "messages": [],
            "result": {"id": "r1", "type": "A", "name": "example.com", "content": "203.0.113.9"}
        })))
        .mount(&server)
        .await;
    let client = dns::Client::builder().base_url(server.uri()).token("t").build().expect("builds");
    let mx = dns::MxRecord {
        r#type: dns::MxRecordType::Mx,
        name: "example.com".into(),
        content: "mx.example.com".into(),
        priority: 5,
        id: None,
        ttl: None,
        comment: Some("backup".into()),
        proxied: None,
    };
    let response = client.records().create_dns_record("z1", dns::RecordInput::Mx(mx)).await.expect("created");
    assert!(matches!(response.body(), dns::DnsRecord::Mx(record) if record.priority == 5));
    let updated = client
        .records()
        .update_dns_record("z1", "r1", dns::RecordInput::A(a_record("example.com", "203.0.113.9")))
        .await
        .expect("updated");
    assert!(matches!(updated.body(), dns::DnsRecord::A(record) if record.content == "203.0.113.9"));

    let requests = recorded(&server).await;
    assert_eq!(
        String::from_utf8_lossy(&requests[0].body),
        r#"{"type":"MX","name":"example.com","content":"mx.example.com","priority":5,"comment":"backup"}"#
    );
    assert_eq!(
        body_json(&requests[1]),
        json!({"type": "A", "name": "example.com", "content": "203.0.113.9", "ttl": 3600.0, "proxied": true})
    );
}

#[test]
fn a_failure_envelope_types_its_errors() {
    let failure: dns::Failure = serde_json::from_value(json!({
        "success": false, "errors": [{"code": 7003, "message": "No route for the URI"}], "messages": [], "result": null
    }))
    .expect("decodes");
    // `errors: {allOf: [$ref: messages]}` is the messages type itself, not an untyped value.
    assert_eq!((failure.errors[0].code, failure.errors[0].message.as_str()), (7003, "No route for the URI"));
}

#[test]
fn a_discriminator_without_mapping_dispatches_on_the_members_own_values() {
    let messages: Vec<dns::Message> = serde_json::from_value(json!([
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Hi", "name": "ann"},
        {"role": "assistant", "content": null, "refusal": "No."}
    ]))
    .expect("decodes");
    assert!(matches!(&messages[0], dns::Message::System(message) if message.content == "Be brief."));
    assert!(matches!(&messages[1], dns::Message::User(message) if message.name.as_deref() == Some("ann")));
    assert!(matches!(&messages[2], dns::Message::Assistant(message) if message.refusal == Some(Some("No.".into()))));
}

#[test]
fn fields_beside_a_choice_apply_to_every_variant() {
    let value = json!({"id": "s1", "label": "dot", "kind": "circle", "radius": 0.5});
    let shape: dns::Shape = serde_json::from_value(value.clone()).expect("decodes");
    let dns::Shape::Circle(circle) = &shape else { panic!("a circle: {shape:?}") };
    assert_eq!((circle.id.as_str(), circle.label.as_deref(), circle.radius), ("s1", Some("dot"), 0.5));
    assert_eq!(serde_json::to_value(&shape).expect("encodes"), value);
}

fn billing_client(server: &MockServer) -> billing::Client {
    billing::Client::builder().base_url(server.uri()).basic_auth("sk_test", "").build().expect("builds")
}

#[tokio::test]
async fn a_customer_is_created_with_metadata_and_nested_objects_as_deep_object_pairs() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/customers"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "cus_1", "object": "customer"})))
        .mount(&server)
        .await;
    let body = billing::PostCustomersRequest {
        email: Some("ann@example.com".into()),
        metadata: Some(BTreeMap::from([("order_id".to_owned(), "6735".to_owned())])),
        address: Some(billing::PostCustomersRequestAddress { city: Some("Paris".into()), ..Default::default() }),
        expand: Some(vec!["tax".into(), "invoice_settings.default_payment_method".into()]),
        preferred_locales: Some(vec!["fr".into()]),
        tax_id_data: Some(vec![billing::PostCustomersRequestTaxIdDataItem {
            r#type: billing::PostCustomersRequestTaxIdDataItemType::EuVat,
            value: "FR123".into(),
        }]),
        ..Default::default()
    };
    let customer = billing_client(&server).post_customers(body).await.expect("created").into_body();
    assert_eq!(customer.id, "cus_1");
    let request = &recorded(&server).await[0];
    assert_eq!(request.headers["content-type"], "application/x-www-form-urlencoded");
    assert_eq!(
        form_body(request),
        "email=ann%40example.com\
         &address%5Bcity%5D=Paris\
         &expand%5B%5D=tax&expand%5B%5D=invoice_settings.default_payment_method\
         &metadata%5Border_id%5D=6735\
         &preferred_locales%5B%5D=fr\
         &tax_id_data%5B0%5D%5Btype%5D=eu_vat&tax_id_data%5B0%5D%5Bvalue%5D=FR123"
    );
}

#[tokio::test]
async fn a_payment_intent_nests_its_objects_and_joins_what_the_encoding_joins() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/payment_intents"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "pi_1", "amount": 2000})))
        .mount(&server)
        .await;
    let body = billing::PostPaymentIntentsRequest {
        amount: 2000,
        currency: "eur".into(),
        automatic_payment_methods: Some(billing::PostPaymentIntentsRequestAutomaticPaymentMethods {
            enabled: true,
            allow_redirects: None,
        }),
        payment_method_types: Some(vec!["card".into(), "sepa_debit".into()]),
    };
    billing_client(&server).post_payment_intents(body).await.expect("created");
    assert_eq!(
        form_body(&recorded(&server).await[0]),
        "amount=2000&currency=eur&automatic_payment_methods%5Benabled%5D=true&payment_method_types=card%2Csepa_debit"
    );
}

#[tokio::test]
async fn a_file_part_carries_the_callers_file_name_and_the_specs_content_type() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/files"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "file_1", "filename": "evidence.pdf"})))
        .mount(&server)
        .await;
    let client = billing_client(&server);
    let body = billing::PostFilesRequest {
        file: File::new(b"%PDF-1.7".to_vec()).file_name("evidence.pdf"),
        purpose: billing::PostFilesRequestPurpose::DisputeEvidence,
        file_link_data: Some(billing::PostFilesRequestFileLinkData { create: Some(true) }),
    };
    client.post_files(body).await.expect("uploaded");
    let png = billing::PostFilesRequest {
        file: File::new(vec![0x89, b'P', b'N', b'G']).file_name("scan.png").content_type("image/png"),
        purpose: billing::PostFilesRequestPurpose::IdentityDocument,
        file_link_data: None,
    };
    client.post_files(png).await.expect("uploaded");

    let requests = recorded(&server).await;
    for (request, expected) in requests.iter().zip([
        "Content-Disposition: form-data; name=\"file\"; filename=\"evidence.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.7\r\n\
         --{b}\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\ndispute_evidence\r\n\
         --{b}\r\nContent-Disposition: form-data; name=\"file_link_data\"\r\nContent-Type: application/json\r\n\r\n{\"create\":true}\r\n",
        "Content-Disposition: form-data; name=\"file\"; filename=\"scan.png\"\r\nContent-Type: image/png\r\n\r\n\u{89}PNG\r\n\
         --{b}\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nidentity_document\r\n",
    ]) {
        let content_type = request.headers["content-type"].to_str().expect("ascii");
        let boundary = content_type.strip_prefix("multipart/form-data; boundary=").expect("a boundary");
        let expected = format!("--{boundary}\r\n{}--{boundary}--\r\n", expected.replace("{b}", boundary));
        let expected: Vec<u8> = expected.chars().map(|c| c as u32 as u8).collect();
        assert_eq!(request.body, expected, "{}", String::from_utf8_lossy(&request.body));
    }
}

#[test]
fn a_member_that_does_not_declare_the_discriminator_still_sends_it() {
    let runner = dns::Runner {
        runner: dns::RunnerRunner::Runbook(dns::Runbook { name: Some("restart".into()), runbook_base_uri: None }),
        tag: Some(None),
        max_extension: None,
        filter: None,
        validation: None,
        files: None,
        evidence: None,
        indicator: None,
        owner: None,
    };
    let sent = serde_json::to_value(&runner).expect("encodes");
    assert_eq!(sent, json!({"runner": {"name": "restart", "runner_type": "runbook"}, "tag": null}));
    let back: dns::Runner = serde_json::from_value(sent).expect("decodes");
    assert!(matches!(back.runner, dns::RunnerRunner::Runbook(_)), "{back:?}");
}

#[test]
fn a_choice_of_nullable_alternatives_takes_null() {
    let runner: dns::Runner =
        serde_json::from_value(json!({"runner": {"runner_type": "sidecar"}, "tag": null})).expect("a null tag decodes");
    assert!(matches!(runner.tag, Some(None)), "{runner:?}");
}

#[test]
fn an_untagged_member_that_fixes_a_value_takes_only_values_that_carry_it() {
    let decode = |value| serde_json::from_value::<dns::RunnerOwner>(value).expect("decodes");
    assert!(matches!(decode(json!({"id": "u1", "type": "user_reference"})), dns::RunnerOwner::UserReference(_)));
    assert!(matches!(decode(json!({"id": "t1", "type": "team_reference"})), dns::RunnerOwner::TeamReference(_)));
    // An open enum would take any `type`; the member that fixes none takes this one.
    let other = decode(json!({"id": "s1", "type": "service_reference"}));
    assert!(matches!(&other, dns::RunnerOwner::AnyReference(reference) if reference.r#type == "service_reference"));
}

#[test]
fn an_untagged_enum_variant_takes_only_the_values_it_lists() {
    let decode = |value| serde_json::from_value::<dns::RunnerMaxExtension>(value).expect("decodes");
    assert!(matches!(decode(json!("none")), dns::RunnerMaxExtension::RunnerMaxExtensionVariant1(_)));
    // The enum's `Other` would take "30" too, and the number of days would read as an unknown value.
    assert_eq!(decode(json!("30")), dns::RunnerMaxExtension::String("30".into()));
}

#[test]
fn an_array_is_never_read_as_a_struct() {
    let filter: dns::RunnerFilter = serde_json::from_value(json!(["online", "enterprise"])).expect("decodes");
    assert_eq!(filter, dns::RunnerFilter::Array(vec!["online".into(), "enterprise".into()]));
}

#[test]
fn a_nullable_empty_object_alternative_means_null() {
    let runner: dns::Runner =
        serde_json::from_value(json!({"runner": {"runner_type": "sidecar"}, "validation": null})).expect("decodes");
    assert!(matches!(runner.validation, Some(None)), "{runner:?}");
    // With the null alternative gone, the choice of one is that one.
    let reference: dns::RunnerValidation =
        dns::UserReference { id: "u1".into(), r#type: dns::UserReferenceType::UserReference };
    assert_eq!(serde_json::to_value(reference).expect("encodes"), json!({"id": "u1", "type": "user_reference"}));
}

#[test]
fn a_member_titled_other_is_not_mistaken_for_the_catch_all() {
    let runner: dns::Runner =
        serde_json::from_value(json!({"runner": {"runner_type": "sidecar"}, "evidence": {"explanation": "x"}}))
            .expect("decodes");
    let evidence = runner.evidence.expect("evidence");
    // `Other` always means "a value this client does not know"; the spec's "other" is named apart.
    assert!(!format!("{evidence:?}").starts_with("Other("), "{evidence:?}");
    assert_eq!(serde_json::to_value(&evidence).expect("encodes"), json!({"explanation": "x"}));
}

#[test]
fn object_keywords_on_a_string_leave_it_a_string() {
    let runner: dns::Runner =
        serde_json::from_value(json!({"runner": {"runner_type": "sidecar"}, "indicator": "1"})).expect("decodes");
    assert_eq!(runner.indicator.as_ref().map(dns::RunnerIndicator::as_str), Some("1"));
}

#[test]
fn a_member_listing_several_values_is_selected_by_each_of_them() {
    for kind in ["web_search", "web_search_2025_08_26"] {
        let tool: dns::Tool =
            serde_json::from_value(json!({"type": kind, "search_context_size": "low"})).expect("decodes");
        assert!(matches!(&tool, dns::Tool::WebSearchTool(tool) if tool.r#type.as_str() == kind), "{tool:?}");
    }
}

#[test]
fn a_choice_of_discriminated_unions_picks_the_one_that_knows_the_value() {
    let contents: Vec<dns::Content> = serde_json::from_value(json!([
        {"type": "input_text", "text": "hi"},
        {"type": "refusal", "refusal": "no"}
    ]))
    .expect("decodes");
    assert!(matches!(&contents[0], dns::Content::InputContent(dns::InputContent::InputText(_))), "{contents:?}");
    // `InputContent`'s catch-all would take the refusal whole; `OutputContent` knows it.
    assert!(matches!(&contents[1], dns::Content::OutputContent(dns::OutputContent::Refusal(_))), "{contents:?}");
}

#[test]
fn a_map_of_nullable_values_keeps_its_nulls() {
    let value = json!({"runner": {"runner_type": "sidecar"}, "files": {"a.txt": {"size": 3}, "gone.txt": null}});
    let runner: dns::Runner = serde_json::from_value(value.clone()).expect("decodes");
    let files = runner.files.as_ref().expect("files");
    assert!(files["gone.txt"].is_none() && files["a.txt"].as_ref().and_then(|file| file.size) == Some(3));
    assert_eq!(serde_json::to_value(&runner).expect("encodes")["files"], value["files"]);
}
