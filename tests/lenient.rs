//! Specs as vendors ship them: breakage with one safe reading generates, with a warning
//! naming the file, the pointer as the user wrote it, and what was assumed; `--strict`
//! refuses it. The `tests/fixtures/lenient_*.yaml` crates compile as part of
//! `fixture-client`, and here they run against loopback servers.

use fixture_client::{lenient_parameters, lenient_paths, lenient_refs, lenient_schemas, lenient_security};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The warnings of a lenient fixture, as `file: pointer: message`.
fn warnings(name: &str) -> Vec<String> {
    let path = tests::root().join("tests/fixtures").join(name);
    let generated = tests::generate_with_warnings(&path).unwrap_or_else(|error| panic!("{error}"));
    generated.warnings.iter().map(ToString::to_string).collect()
}

#[track_caller]
fn assert_strict_refuses(name: &str, warnings: &[String]) {
    let output = tempfile::tempdir().expect("temp dir");
    let input = tests::root().join("tests/fixtures").join(name);
    let options =
        xtask::Standalone { crate_name: "lenient", workspace_member: false, strict: true, ..Default::default() };
    let error = xtask::generate_standalone(&input, &output.path().join("crate"), options).expect_err("strict");
    let error = error.to_string();
    for warning in warnings {
        // `generate` names the file as given on its command line; here, an absolute path.
        let relative = warning.strip_prefix("tests/fixtures/").expect("a fixture");
        assert!(error.lines().any(|line| line.starts_with("error (strict): ") && line.ends_with(relative)), "{error}");
    }
    assert!(!output.path().join("crate").exists(), "a refused run writes nothing");
}

#[test]
fn parameters_without_schema_in_2_0_style_with_a_foreign_style_or_list_examples_are_read_safely() {
    let file = "tests/fixtures/lenient_parameters.yaml";
    let at = "#/paths/~1reports/get";
    let expected = [
        format!("{file}: {at}/parameters/0: parameter `granularity` (query) has neither `schema` nor `content`; treating it as a string"),
        format!("{file}: {at}/parameters/1: parameter `format` (query) gives `type`, `enum` on the parameter itself, as Swagger 2.0 does; read as its `schema`"),
        format!("{file}: {at}/parameters/2/style: parameter `fields` (query) has `style: matrix`, which query parameters cannot have; using the default, `form`"),
        format!("{file}: {at}/responses/200/content/application~1json/examples: `examples` must map names to example objects; ignored (examples never change the generated code)"),
    ];
    assert_eq!(warnings("lenient_parameters.yaml"), expected);
    assert_strict_refuses("lenient_parameters.yaml", &expected);
}

#[test]
fn colon_segments_mismatched_names_undeclared_and_stray_path_parameters_are_read_safely() {
    let file = "tests/fixtures/lenient_paths.yaml";
    let at = "#/paths/~1organizations~1:organizationId~1members~1{memberId}";
    let expected = [
        format!("{file}: {at}: path `/organizations/:organizationId/members/{{memberId}}` writes parameters as `:name`; read as `/organizations/{{organizationId}}/members/{{memberId}}`"),
        format!("{file}: #/paths/teams~1{{teamId}}: path `teams/{{teamId}}` does not start with `/`; read as `/teams/{{teamId}}`"),
        format!("{file}: {at}/get/parameters/0/name: path parameter `Organization ID` matches `{{organizationId}}` in the path once case and separators are ignored; read as `organizationId`"),
        format!("{file}: {at}/get/parameters/1: path parameter `team` is not in the path `/organizations/{{organizationId}}/members/{{memberId}}`; left out"),
        format!("{file}: {at}/get: the path has `{{memberId}}` but declares no path parameter `memberId`; read as a required string"),
        format!("{file}: #/paths/~1teams~1{{teamId}}~1members/get/operationId: operationId `get_team` is also `GET /teams/{{teamId}}`'s, and each names one operation; this one's method is `get_team2`"),
    ];
    assert_eq!(warnings("lenient_paths.yaml"), expected);
    assert_strict_refuses("lenient_paths.yaml", &expected);
}

#[test]
fn an_oauth_flow_without_scopes_and_an_unsupported_http_scheme_are_read_safely() {
    let file = "tests/fixtures/lenient_security.yaml";
    let expected = [
        format!("{file}: #/components/securitySchemes/token/flows/clientCredentials: OAuth2 flow `clientCredentials` lists no `scopes`; read as having none"),
        format!("{file}: #/components/securitySchemes/legacy/scheme: security scheme `legacy` uses HTTP authentication scheme `oauth`, which the client cannot send (only bearer and basic); it gets no credential setter, and operations that accept only it fail with `MissingCredentials`"),
    ];
    assert_eq!(warnings("lenient_security.yaml"), expected);
    assert_strict_refuses("lenient_security.yaml", &expected);
}

#[test]
fn a_dangling_schema_ref_is_any_value_and_strict_refuses_it() {
    let file = "tests/fixtures/lenient_refs.yaml";
    let expected = [format!(
        "{file}: #/paths/~1widgets/get/responses/200/content/application~1json/schema/properties/gadget/$ref: \
         `$ref` target `#/components/schemas/Gadget` does not exist; the value is read as any JSON (`serde_json::Value`)"
    )];
    assert_eq!(warnings("lenient_refs.yaml"), expected);
    assert_strict_refuses("lenient_refs.yaml", &expected);
}

#[test]
fn an_enum_of_single_values_or_a_choice_beside_a_list_is_what_its_items_take() {
    let file = "tests/fixtures/lenient_schemas.yaml";
    let expected = [
        format!(
            "{file}: #/components/schemas/Webhook/properties/events/enum: \
             an `enum` of single values on a list; read as the values its items may take"
        ),
        format!(
            "{file}: #/components/schemas/Webhook/properties/kind/type: \
             `type: number`, but every `enum` value is of `type: string`; read as `type: string`"
        ),
        format!(
            "{file}: #/components/schemas/Webhook/properties/filters/anyOf: \
             a `anyOf` beside `type: array` that its `items` repeat; read as the items' choice"
        ),
        format!(
            "{file}: #/components/schemas/Label/oneOf/0: \
             `#/components/schemas/Label` is this union itself; left out of its choices"
        ),
        format!(
            "{file}: #/paths/~1webhooks~1{{id}}/delete/responses/204/content: \
             a 204 response has no body in HTTP; its `content` is ignored"
        ),
    ];
    assert_eq!(warnings("lenient_schemas.yaml"), expected);
    assert_strict_refuses("lenient_schemas.yaml", &expected);
}

#[tokio::test]
async fn a_list_of_enum_values_and_words_typed_as_a_number_go_on_the_wire_and_come_back_typed() {
    use lenient_schemas::{WebhookEventsItem as Event, WebhookKind as Kind};
    let server = MockServer::start().await;
    let sent = serde_json::json!({
        "url": "https://example.com/hook", "retries": 3, "events": ["meeting_started", "meeting_ended"], "kind": "pull"
    });
    Mock::given(method("POST"))
        .and(path("/webhooks"))
        .and(wiremock::matchers::body_json(&sent))
        .respond_with(ResponseTemplate::new(201).set_body_json(&sent))
        .mount(&server)
        .await;
    let client = lenient_schemas::Client::builder(server.uri()).build().expect("builds");
    let webhook = lenient_schemas::Webhook {
        url: "https://example.com/hook".to_owned(),
        // An `i32`: sent as `3`, never `3.0`, which an integer format refuses.
        retries: Some(3_i32),
        events: vec![Event::MeetingStarted, Event::MeetingEnded],
        kind: Some(Kind::Pull),
        filters: None,
    };
    let created = client.create_webhook(webhook.clone()).await.expect("matched").into_body();
    assert_eq!(created, webhook);
}

#[test]
fn a_choice_beside_a_list_that_its_items_repeat_types_the_items() {
    use lenient_schemas::{HostFilter, PathFilter, WebhookFiltersItem as Filter};
    let sent = serde_json::json!({"url": "u", "events": [], "filters": [{"host": "a.test"}, {"path": "/b"}]});
    let webhook: lenient_schemas::Webhook = serde_json::from_value(sent.clone()).expect("a list of filters");
    let filters = [
        Filter::HostFilter(HostFilter { host: "a.test".to_owned() }),
        Filter::PathFilter(PathFilter { path: "/b".to_owned() }),
    ];
    assert_eq!(webhook.filters.as_deref(), Some(&filters[..]));
    assert_eq!(serde_json::to_value(&webhook).expect("encodes"), sent);
}

#[test]
fn a_list_of_itself_and_a_choice_of_itself_hold_their_values() {
    let nested = serde_json::json!([[], [[], [[]]]]);
    let outline: lenient_schemas::Outline = serde_json::from_value(nested.clone()).expect("lists of lists");
    assert_eq!(serde_json::to_value(&outline).expect("encodes"), nested);
    let number: lenient_schemas::Label = serde_json::from_value(serde_json::json!(3)).expect("an integer");
    assert_eq!(number, lenient_schemas::Label::Integer(3));
    let text: lenient_schemas::Label = serde_json::from_value(serde_json::json!("three")).expect("a string");
    assert_eq!(text, lenient_schemas::Label::String("three".to_owned()));
}

#[tokio::test]
async fn a_json_body_listed_under_a_wildcard_goes_as_application_json() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path("/webhooks/w1"))
        .and(wiremock::matchers::header("content-type", "application/json"))
        .and(wiremock::matchers::body_json(serde_json::json!({"url": "https://example.com/hook", "events": []})))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    let client = lenient_schemas::Client::builder(server.uri()).build().expect("builds");
    let webhook = lenient_schemas::Webhook {
        url: "https://example.com/hook".to_owned(),
        retries: None,
        events: vec![],
        kind: None,
        filters: None,
    };
    client.replace_webhook("w1", webhook).await.expect("sent as JSON");
}

#[tokio::test]
async fn a_204_documented_with_a_body_succeeds_without_one() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path("/webhooks/w1"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    let client = lenient_schemas::Client::builder(server.uri()).build().expect("builds");
    let deleted: fixture_client::runtime::Response<()> =
        client.delete_webhook("w1").await.expect("an empty 204 is a success");
    assert_eq!(deleted.status().as_u16(), 204);
}

#[tokio::test]
async fn repaired_parameters_go_on_the_wire_as_the_spec_meant() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/reports"))
        .and(query_param("granularity", "day"))
        .and(query_param("format", "csv"))
        .and(query_param("fields", "a"))
        .respond_with(ResponseTemplate::new(200).set_body_json(["r1"]))
        .mount(&server)
        .await;
    let client = lenient_parameters::Client::builder(server.uri()).build().expect("builds");
    let reports = client
        .list_reports()
        .granularity("day")
        .format(lenient_parameters::ListReportsFormat::Csv)
        .fields(vec!["a".to_owned()])
        .await
        .expect("matched");
    assert_eq!(reports.into_body(), ["r1"]);
}

#[tokio::test]
async fn repaired_path_templates_fill_every_placeholder() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/organizations/org%201/members/m2"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    let client = lenient_paths::Client::builder(server.uri()).build().expect("builds");
    client.get_member("org 1", "m2").await.expect("both placeholders filled");
}

#[tokio::test]
async fn a_path_written_without_its_leading_slash_is_sent_under_the_base_url() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).and(path("/teams/t1")).respond_with(ResponseTemplate::new(204)).mount(&server).await;
    let client = lenient_paths::Client::builder(server.uri()).build().expect("builds");
    client.get_team("t1").await.expect("the operation exists and is sent");
    // The operation that repeats its `operationId` is there too, under a name of its own.
    Mock::given(method("GET"))
        .and(path("/teams/t1/members"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    client.get_team2("t1").await.expect("sent to its own path");
}

#[tokio::test]
async fn an_operation_that_accepts_only_an_unsupported_scheme_fails_naming_it() {
    let client = lenient_security::Client::builder("http://127.0.0.1:9").access_token("t").build().expect("builds");
    let error = client.legacy_only().await.expect_err("no credential can be given for `legacy`");
    assert!(
        matches!(&error, fixture_client::runtime::Error::MissingCredentials { accepted, .. } if accepted == "legacy"),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_dangling_schema_ref_decodes_whatever_comes() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(serde_json::json!({"name": "w", "gadget": [1, {"x": 2}]})),
        )
        .mount(&server)
        .await;
    let client = lenient_refs::Client::builder(server.uri()).build().expect("builds");
    let widget = client.list_widgets().await.expect("decodes").into_body();
    assert_eq!(widget.gadget, Some(serde_json::json!([1, {"x": 2}])));
}

/// The Rust type names of the parser (`openapiv3`, `serde`), which mean nothing to a user.
const PARSER_WORDS: &[&str] = &[
    "ParameterSchemaOrContent",
    "ReferenceOr",
    "SchemaKind",
    "struct Schema",
    "enum ",
    "untagged",
    "flattened data",
    "PathItem",
    "MediaType",
    "SecurityScheme",
    "StatusCode",
    "IndexMap",
    "variant ",
];

/// Every diagnostic of every bad spec and lenient fixture, and of a few shapes typed
/// parsing rejects, is written in OpenAPI terms.
#[test]
fn no_diagnostic_names_a_type_of_the_parser() {
    let mut messages = Vec::new();
    for dir in ["tests/bad-specs", "tests/bad-specs/multi-file", "tests/fixtures"] {
        for spec in tests::spec_files(dir) {
            match tests::generate_with_warnings(&spec) {
                Ok(generated) => messages.extend(generated.warnings.iter().map(ToString::to_string)),
                Err(errors) => messages.extend(errors.iter().map(ToString::to_string)),
            }
        }
    }
    let shapes = [
        r#"{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/a": {"get": {"parameters": [{"name": "p", "in": "query", "content": 5}], "responses": {}}}}}"#,
        r#"{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/a": {"get": {"parameters": [{"name": "p", "in": "elsewhere", "schema": {}}], "responses": {}}}}}"#,
        r#"{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}, "components": {"schemas": {"A": "text"}}}"#,
        r#"{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}, "components": {"schemas": {"A": {"type": "string", "minLength": "x"}}}}"#,
        r#"{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}, "components": {"securitySchemes": {"s": {"type": "magic"}}}}"#,
        r#"{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/a": {"get": {"responses": {"200": {"description": "d", "content": {"application/json": {"schema": {"type": "array", "items": 3}}}}}}}}}"#,
    ];
    for shape in shapes {
        let spec = generator::ApiSpec::new("x", "x.json", shape);
        let errors = generator::load(&spec).expect_err(shape);
        assert!(!errors.is_empty());
        messages.extend(errors.iter().map(ToString::to_string));
    }
    for message in &messages {
        for word in PARSER_WORDS {
            assert!(!message.contains(word), "`{word}` in: {message}");
        }
    }
}

/// A path parameter given by a `$ref` into another file is declared, not missing
/// (DigitalOcean's spec declares all of them that way).
#[test]
fn a_path_parameter_declared_in_another_file_is_not_repaired() {
    let path = tests::root().join("tests/bad-specs/multi-file/parameter-in-another-file.yaml");
    let generated = tests::generate_with_warnings(&path).unwrap_or_else(|error| panic!("{error}"));
    assert!(generated.warnings.is_empty(), "{:?}", generated.warnings);
    let operations = &generated.files[std::path::Path::new("src/parameter_in_another_file/untagged.rs")];
    assert_eq!(operations.matches("cluster_id: impl Into<String>").count(), 1, "{operations}");
}
