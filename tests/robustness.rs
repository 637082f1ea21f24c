//! Reproducers a fuzzer found: documents that used to hang the generator, overflow its
//! stack or make it write unparsable output. Each runs on a thread of its own with a
//! deadline, so a regression fails the test instead of hanging the suite.

use std::sync::mpsc;
use std::time::Duration;

fn generate(text: &'static str) -> Result<generator::Files, Vec<String>> {
    let (done, outcome) = mpsc::channel();
    std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(move || {
            let spec = generator::ApiSpec::new("repro", "repro.yaml", text);
            let settings = generator::CrateSettings {
                crate_name: "repro".to_owned(),
                workspace_member: false,
                default_features_all: true,
                tag_features_from: None,
            };
            let result = generator::generate_crate(&[spec], &settings)
                .map(|generated| generated.files)
                .map_err(|diagnostics| diagnostics.iter().map(ToString::to_string).collect());
            let _ = done.send(result);
        })
        .expect("a thread starts");
    outcome.recv_timeout(Duration::from_secs(20)).expect("generation ends within 20 s, without overflowing its stack")
}

#[test]
fn a_ref_to_itself_is_an_error_not_a_hang() {
    let errors = generate(
        r##"{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{},
            "components":{"securitySchemes":{"s":{"$ref":"#/components/securitySchemes/s"}}}}"##,
    )
    .expect_err("a scheme that is only a reference to itself names nothing");
    assert_eq!(
        errors,
        ["repro.yaml: #/components/securitySchemes/s/$ref: `$ref` `#/components/securitySchemes/s` refers to itself \
          or to a value that holds it, so it names nothing"]
    );
}

#[test]
fn a_ref_inside_its_own_target_is_an_error_not_a_stack_overflow() {
    let errors = generate(
        r##"{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{},
            "components":{"responses":{"Users":{"description":"d",
            "content":{"description":{"$ref":"#/components/responses/Users/content"}}}}}}"##,
    )
    .expect_err("copying the value into itself never ends");
    assert!(errors[0].starts_with("repro.yaml: #/components/responses/Users/content/description/$ref: "), "{errors:?}");
}

#[test]
fn a_schema_that_is_a_ref_to_itself_is_an_error_not_a_hang() {
    let errors = generate(
        r##"
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /a:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/A"}
components:
  schemas:
    A: {$ref: "#/components/schemas/A"}
"##,
    )
    .expect_err("A names no schema");
    assert_eq!(
        errors,
        ["repro.yaml: #/components/schemas/A/$ref: `#/components/schemas/A` leads back to itself through `$ref`s \
          alone, so it names no schema"]
    );
}

#[test]
fn a_self_referencing_all_of_inside_a_property_generates() {
    let files = generate(
        r##"
openapi: 3.0.3
info: {title: t, version: "1"}
paths: {}
components:
  schemas:
    Value:
      properties:
        next:
          allOf:
            - $ref: '#/components/schemas/Value'
            - {}
"##,
    )
    .expect("generates");
    let types = &files[std::path::Path::new("src/repro/types.rs")];
    assert!(types.contains("pub next: Option<Box<ValueModel>>"), "{types}");
}

#[test]
fn carriage_returns_and_backslashes_in_titles_and_docs_stay_inside_their_comments_and_strings() {
    let files = generate(
        "openapi: 3.0.3\ninfo: {title: \"a\\\\qb\\rc\", version: \"1\"}\npaths: {}\n\
         components:\n  schemas:\n    A: {type: string, description: \"first\\rsecond\"}\n",
    )
    .expect("generates");
    for (path, contents) in &files {
        assert!(!contents.contains('\r'), "{} holds a carriage return", path.display());
        if path.extension().is_some_and(|extension| extension == "rs") {
            syn::parse_file(contents).unwrap_or_else(|error| panic!("{} does not parse: {error}", path.display()));
        }
    }
    let manifest = &files[std::path::Path::new("Cargo.toml")];
    assert!(manifest.contains(r#"description = "Generated async client for: a\\qb c.""#), "{manifest}");
    let types = &files[std::path::Path::new("src/repro/types.rs")];
    assert!(types.contains("/// first\n/// second"), "{types}");
}
