//! Bad input fails with every problem named by file and JSON pointer (or line), never a
//! panic, and never a half-written output.

use std::path::Path;

#[track_caller]
fn errors_of(name: &str) -> Vec<String> {
    let path = tests::root().join("tests/bad-specs").join(name);
    match tests::generate(&path) {
        Ok(_) => panic!("{name} generated, but it is invalid"),
        Err(diagnostics) => diagnostics.iter().map(ToString::to_string).collect(),
    }
}

#[test]
fn invalid_yaml_names_file_and_line() {
    let errors = errors_of("invalid-yaml.yaml");
    assert_eq!(errors.len(), 1, "{errors:?}");
    // The parser notices the unclosed `[` of line 8 where the document ends, and says both.
    assert!(errors[0].starts_with("tests/bad-specs/invalid-yaml.yaml: line 9, column 1: invalid YAML"), "{errors:?}");
    assert!(errors[0].contains("line 8 column 26"), "{errors:?}");
    assert!(errors[0].contains("invalid YAML"), "{errors:?}");
}

/// The warnings of a document that generates, with the crate.
#[track_caller]
fn warnings_of(name: &str) -> (Vec<String>, generator::Files) {
    let path = tests::root().join("tests/bad-specs").join(name);
    let generated = tests::generate_with_warnings(&path).unwrap_or_else(|error| panic!("{error}"));
    (generated.warnings.iter().map(ToString::to_string).collect(), generated.files)
}

#[test]
fn a_dangling_schema_ref_is_any_value_with_a_warning_naming_the_pointer_of_the_ref() {
    let (warnings, files) = warnings_of("dangling-ref.yaml");
    assert_eq!(
        warnings,
        ["tests/bad-specs/dangling-ref.yaml: #/paths/~1users/get/responses/200/content/application~1json/schema/$ref: \
          `$ref` target `#/components/schemas/User` does not exist; the value is read as any JSON (`serde_json::Value`)"]
    );
    let operations = &files[Path::new("src/dangling_ref/untagged.rs")];
    assert!(operations.contains("runtime::Response<serde_json::Value>"), "{operations}");
}

#[test]
fn a_ref_differing_only_in_case_generates_with_a_warning_naming_the_pointer() {
    let path = tests::root().join("tests/bad-specs/ref-differs-in-case.yaml");
    let generated = tests::generate_with_warnings(&path).unwrap_or_else(|error| panic!("{error}"));
    let warnings: Vec<String> = generated.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        ["tests/bad-specs/ref-differs-in-case.yaml: #/paths/~1users/get/responses/200/$ref: \
          `$ref` target `#/components/responses/users` does not exist; \
          using `#/components/responses/Users`, which differs only in case"]
    );
    let operations = &generated.files[Path::new("src/ref_differs_in_case/untagged.rs")];
    assert!(operations.contains("Vec<String>"), "the response type comes from `Users`:\n{operations}");
}

#[test]
fn an_all_of_part_that_cannot_be_an_object_is_left_out_with_a_warning() {
    let path = tests::root().join("tests/bad-specs/all-of-with-a-scalar-choice.yaml");
    let generated = tests::generate_with_warnings(&path).unwrap_or_else(|error| panic!("{error}"));
    let warnings: Vec<String> = generated.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        ["tests/bad-specs/all-of-with-a-scalar-choice.yaml: #/components/schemas/Thing/allOf/1: \
          an `allOf` part that is not an object is left out of the struct"]
    );
    let types = &generated.files[Path::new("src/all_of_with_a_scalar_choice/types.rs")];
    assert!(types.contains("pub name: Option<String>") && !types.contains("flatten"), "{types}");
}

#[test]
fn swagger_2_problems_are_named_where_the_2_0_document_has_them() {
    let (mut warnings, _) = warnings_of("swagger2-dangling.yaml");
    warnings.sort();
    let file = "tests/bad-specs/swagger2-dangling.yaml";
    let any = "the value is read as any JSON (`serde_json::Value`)";
    assert_eq!(
        warnings,
        [
            format!("{file}: #/definitions/Pet/properties/owner/$ref: `$ref` target `#/definitions/Owner` does not exist; {any}"),
            format!("{file}: #/paths/~1pets/post/parameters/1/schema/$ref: `$ref` target `#/definitions/NewPet` does not exist; {any}"),
            format!("{file}: #/paths/~1pets/post/responses/200/schema/$ref: `$ref` target `#/definitions/Petz` does not exist; {any}"),
        ]
    );
}

/// Found by a 30-minute fuzz run: the body parameter moved into `requestBody`, and its
/// error was reported there, a place the 2.0 document does not have.
#[test]
fn a_swagger2_body_parameter_ref_that_names_no_parameter_is_reported_at_the_parameter() {
    let errors = errors_of("swagger2-body-ref.yaml");
    assert_eq!(
        errors,
        ["tests/bad-specs/swagger2-body-ref.yaml: #/paths/~1pets/post/parameters/1/$ref: \
          `$ref` target `#/nowhere/pet` does not exist"]
    );
}

#[test]
fn a_problem_in_another_file_is_named_in_that_file() {
    let (warnings, _) = warnings_of("multi-file/root.yaml");
    assert_eq!(
        warnings,
        ["tests/bad-specs/multi-file/root.yaml: pet.yaml#/Pet/properties/owner/$ref: `$ref` target `#/Owner` does not \
          exist; the value is read as any JSON (`serde_json::Value`)"]
    );
}

#[test]
fn a_reference_to_a_file_that_is_not_there_is_an_error_naming_the_file() {
    let errors = errors_of("multi-file/missing-sibling.yaml");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with(
            "tests/bad-specs/multi-file/missing-sibling.yaml: \
             #/paths/~1pets/get/responses/200/content/application~1json/schema/$ref: cannot read `models/missing.yaml`"
        ),
        "{errors:?}"
    );
}

#[test]
fn missing_required_field_names_its_object() {
    let errors = errors_of("missing-field.yaml");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(
        errors,
        ["tests/bad-specs/missing-field.yaml: #/paths/~1users/get/responses/200: missing field `description`"]
    );
}

#[test]
fn every_problem_is_reported_in_one_run() {
    let errors = errors_of("several-problems.yaml");
    assert_eq!(
        errors,
        [
            "tests/bad-specs/several-problems.yaml: #/paths/~1users/get/security/0/elsewhere: \
             security requirement names `elsewhere`, which is not under #/components/securitySchemes",
            "tests/bad-specs/several-problems.yaml: #/paths/~1teams~1{team}/get/security/0/nowhere: \
             security requirement names `nowhere`, which is not under #/components/securitySchemes",
        ]
    );
}

#[test]
fn unsupported_versions_are_rejected_clearly() {
    for (text, expected) in [
        (
            "swagger: '1.2'\ninfo: {title: t, version: '1'}\npaths: {}\n",
            "x.yaml: #/swagger: Swagger 1.2 is not supported",
        ),
        (
            "openapi: 4.0.0\ninfo: {title: t, version: '1'}\npaths: {}\n",
            "x.yaml: #/openapi: OpenAPI 4.0.0 is not supported",
        ),
        ("info: {title: t, version: '1'}\npaths: {}\n", "x.yaml: #/openapi: missing `openapi`"),
        ("[1, 2]\n", "x.yaml: #: the document is not an object"),
        ("{\"openapi\": \"3.0.0\",", "x.yaml: line 1, column"),
    ] {
        let spec = generator::ApiSpec::new("x", "x.yaml", text);
        let error = generator::load(&spec).expect_err("must be rejected").to_string();
        assert!(error.contains(expected), "{error}");
    }
}

#[test]
fn a_bad_spec_leaves_previous_output_untouched() {
    let output = tempfile::tempdir().expect("temp dir");
    let crate_dir = output.path().join("client");
    let good = tests::root().join("specs/zoom-users.yaml");
    xtask::generate_standalone(
        &good,
        &crate_dir,
        xtask::Standalone { crate_name: "zoom-client", workspace_member: false, strict: false, ..Default::default() },
    )
    .expect("good spec generates");
    let before = snapshot_tree(&crate_dir);

    let bad = tests::root().join("tests/bad-specs/missing-field.yaml");
    let error = xtask::generate_standalone(
        &bad,
        &crate_dir,
        xtask::Standalone { crate_name: "zoom-client", workspace_member: false, strict: false, ..Default::default() },
    )
    .expect_err("bad spec fails");
    assert!(error.to_string().contains("missing-field.yaml: #/paths/~1users"), "{error:#}");
    assert_eq!(before, snapshot_tree(&crate_dir), "the failed run changed the output");
    let leftovers: Vec<_> =
        std::fs::read_dir(output.path()).expect("listing").map(|e| e.expect("entry").file_name()).collect();
    assert_eq!(leftovers, ["client"], "the failed run left files behind");
}

#[test]
fn generate_refuses_to_replace_a_directory_it_did_not_write() {
    let output = tempfile::tempdir().expect("temp dir");
    std::fs::write(output.path().join("notes.txt"), "mine").expect("write");
    let good = tests::root().join("specs/zoom-users.yaml");
    let error = xtask::generate_standalone(
        &good,
        output.path(),
        xtask::Standalone { crate_name: "zoom-client", workspace_member: false, strict: false, ..Default::default() },
    )
    .expect_err("must refuse");
    assert!(error.to_string().contains("is not a generated crate"), "{error:#}");
    assert_eq!(std::fs::read_to_string(output.path().join("notes.txt")).expect("kept"), "mine");
}

fn snapshot_tree(dir: &Path) -> Vec<(String, String)> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in std::fs::read_dir(&current).expect("listing") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let contents = std::fs::read_to_string(&path).expect("readable");
                files.push((path.display().to_string(), contents));
            }
        }
    }
    files.sort();
    files
}

/// Every pointer a diagnostic gives names a value in the document as the user wrote it.
#[track_caller]
fn assert_pointers_resolve(document: &str, diagnostics: &[generator::Diagnostic]) {
    let document: serde_json::Value = serde_json::from_str(document).expect("test documents are JSON");
    for diagnostic in diagnostics {
        let pointer = diagnostic.location.strip_prefix('#').expect("a pointer");
        assert!(document.pointer(pointer).is_some(), "`{}` names nothing in the document", diagnostic.location);
    }
}

#[track_caller]
fn load_warnings(document: &str) -> Vec<generator::Diagnostic> {
    let spec = generator::ApiSpec::new("x", "x.json", document);
    let warnings = generator::load(&spec).unwrap_or_else(|error| panic!("{error}")).warnings;
    assert_pointers_resolve(document, &warnings);
    warnings
}

#[track_caller]
fn load_errors(document: &str) -> Vec<generator::Diagnostic> {
    let spec = generator::ApiSpec::new("x", "x.json", document);
    let errors = generator::load(&spec).expect_err("invalid").0;
    assert_pointers_resolve(document, &errors);
    errors
}

#[test]
fn a_swagger_2_problem_found_while_converting_is_reported_where_the_user_wrote_it() {
    let errors = load_errors(
        r#"{"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": {},
            "definitions": {"Pet": {"properties": {"name": {"type": [false]}}}}}"#,
    );
    assert_eq!(errors[0].location, "#/definitions/Pet/properties/name/type/0");
}

#[test]
fn a_3_1_ref_with_siblings_is_reported_at_the_ref_not_at_the_all_of_it_became() {
    let errors = load_warnings(
        r##"{"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
            "paths": {"/a": {"get": {"responses": {"200": {"description": "ok", "content": {"application/json":
              {"schema": {"$ref": "#/components/schemas/Missing", "description": "A thing.",
                          "allOf": [{"type": "object"}, {"$ref": "#/components/schemas/AlsoMissing"}]}}}}}}}}}"##,
    );
    let locations: Vec<&str> = errors.iter().map(|error| error.location.as_str()).collect();
    let schema = "#/paths/~1a/get/responses/200/content/application~1json/schema";
    assert_eq!(locations, [format!("{schema}/$ref"), format!("{schema}/allOf/1/$ref")]);
}

#[test]
fn a_problem_inside_a_value_copied_in_place_is_reported_at_the_value_referred_to() {
    let errors = load_errors(
        r##"{"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
            "paths": {"/a": {"get": {"responses": {"200": {"description": "ok", "content": {"application/json":
              {"schema": {"type": "object", "properties": {"$ref": "#/x-shared/properties"}}}}}}}}},
            "x-shared": {"properties": {"name": {"type": "string", "minLength": -1}}}}"##,
    );
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].location, "#/x-shared/properties/name");
}

#[test]
fn what_an_all_of_inherits_through_a_ref_is_reported_in_the_component_that_declares_it() {
    let document = r##"{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {},
        "components": {"schemas": {
          "Dog": {"allOf": [{"$ref": "#/components/schemas/Pet"}, {"properties": {"bark": {"type": "string"}}}]},
          "Pet": {"allOf": [{"properties": {"name": {"type": "string"}}}, {"oneOf": [{"type": "string"}, {"type": "integer"}]}]}
        }}}"##;
    let spec = generator::ApiSpec::new("x", "x.json", document);
    let api = generator::load(&spec).expect("loads, with warnings");
    assert!(!api.warnings.is_empty());
    assert_pointers_resolve(document, &api.warnings);
    assert!(
        api.warnings.iter().all(|warning| warning.location == "#/components/schemas/Pet/allOf/1"),
        "{:?}",
        api.warnings
    );
}

#[test]
fn a_problem_in_a_swagger_2_oauth_scheme_is_reported_where_2_0_has_the_field() {
    let errors = load_errors(
        r##"{"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": {},
            "securityDefinitions": {"oauth": {"type": "oauth2", "flow": "application",
              "tokenUrl": {"$ref": "#/nowhere"}, "scopes": {}}}}"##,
    );
    assert_eq!(errors[0].location, "#/securityDefinitions/oauth/tokenUrl/$ref");
}

/// Found by `cargo xtask fuzz`: a 2.0-style parameter's keywords move into its `schema`;
/// a problem in them is still reported where the user wrote them.
#[test]
fn a_problem_in_a_2_0_style_parameter_of_a_3_0_document_is_reported_on_the_parameter() {
    let errors = load_errors(
        r##"{"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
            "paths": {"/a": {"get": {"parameters": [{"name": "ids", "in": "query", "type": "array", "items": true}],
              "responses": {"204": {"description": "ok"}}}}}}"##,
    );
    assert_eq!(errors[0].location, "#/paths/~1a/get/parameters/0/items");
    assert_eq!(errors[0].message, "invalid type: boolean `true`, expected a schema object");
}

/// Found by `cargo xtask fuzz`: a 3.1 `null` alternative makes the schema nullable and
/// its other alternatives move (into `allOf`, or one place along); problems in them are
/// reported where they were written.
#[test]
fn problems_in_alternatives_beside_a_3_1_null_are_reported_where_they_were_written() {
    let warnings = load_warnings(
        r##"{"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {},
            "components": {"schemas": {
              "One": {"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/Gone"}]},
              "Two": {"anyOf": [{"type": "null"}, {"$ref": "#/components/schemas/Gone"}, {"type": "string"}]}
            }}}"##,
    );
    let locations: Vec<&str> = warnings.iter().map(|warning| warning.location.as_str()).collect();
    assert_eq!(locations, ["#/components/schemas/One/oneOf/1/$ref", "#/components/schemas/Two/anyOf/1/$ref"]);
}

/// Found by `cargo xtask fuzz` (LibreTranslate's form fields, written the 3.0 way with a
/// `schema`): a problem in a form field is reported in the field's `schema`, one in the
/// form as a whole at the parameter list the form was made from, whether the fields are
/// the operation's own, its path's, or shared.
#[test]
fn a_problem_in_a_2_0_form_field_is_reported_where_the_field_is_written() {
    let form = |fields: &str, shared: &str| {
        format!(
            r##"{{"swagger": "2.0", "info": {{"title": "t", "version": "1"}}, "parameters": {{{shared}}},
                "paths": {{"/t": {{"post": {{"parameters": [{fields}], "responses": {{"200": {{"description": "ok"}}}}}}}}}}}}"##
        )
    };
    let text = r#"{"name": "source", "in": "formData", "type": "string"}"#;
    let cases = [
        (
            form(
                &format!(
                    r#"{text}, {{"name": "q", "in": "formData", "schema": {{"oneOf": [{{"type": "string"}}, -1]}}}}"#
                ),
                "",
            ),
            "#/paths/~1t/post/parameters/1/schema/oneOf/1",
        ),
        (
            form(
                r##"{"$ref": "#/parameters/Q"}"##,
                r#""Q": {"name": "q", "in": "formData", "schema": {"oneOf": [-1]}}"#,
            ),
            "#/parameters/Q/schema/oneOf/0",
        ),
        (
            form(r#"{"name": "q", "in": "formData", "schema": {"oneOf": {"type": "string"}}}"#, ""),
            "#/paths/~1t/post/parameters/0/schema",
        ),
    ];
    for (document, location) in cases {
        let errors = load_errors(&document);
        assert_eq!(errors[0].location, location, "{document}");
    }
    // Fields a path gives every operation are reported on the path.
    let inherited = r##"{"swagger": "2.0", "info": {"title": "t", "version": "1"},
        "paths": {"/t": {"parameters": [{"name": "q", "in": "formData", "schema": {"oneOf": [-1]}}],
          "post": {"responses": {"200": {"description": "ok"}}}}}}"##;
    assert_eq!(load_errors(inherited)[0].location, "#/paths/~1t/parameters/0/schema/oneOf/0");
}
