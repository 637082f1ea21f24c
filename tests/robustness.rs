//! Reproducers a fuzzer found: documents that used to hang the generator, overflow its
//! stack or make it write unparsable output. Each runs on a thread of its own with a
//! deadline, so a regression fails the test instead of hanging the suite.

use std::sync::mpsc;
use std::time::Duration;

fn generate(text: &'static str) -> Result<generator::Files, Vec<String>> {
    generate_within(text, Duration::from_secs(20))
}

fn generate_within(text: &'static str, deadline: Duration) -> Result<generator::Files, Vec<String>> {
    let (done, outcome) = mpsc::channel();
    std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(move || {
            let spec = generator::ApiSpec::new("repro", "repro.yaml", text);
            let settings = generator::CrateSettings {
                crate_name: "repro".to_owned(),
                workspace: generator::Workspace::Own,
                default_features_all: true,
                tag_features_from: None,
            };
            let result = generator::generate_crate(&[spec], &settings)
                .map(|generated| generated.files)
                .map_err(|diagnostics| diagnostics.iter().map(ToString::to_string).collect());
            let _ = done.send(result);
        })
        .expect("a thread starts");
    outcome.recv_timeout(deadline).expect("generation ends within its deadline, without overflowing its stack")
}

/// The errors of a document that must be refused (without printing the crate if not).
#[track_caller]
fn refused(text: &'static str) -> Vec<String> {
    match generate(text) {
        Ok(_) => panic!("the document generated, but must be refused"),
        Err(errors) => errors,
    }
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

/// Found by a 30-minute fuzz run: an inline `allOf` that inherits the component it sits
/// in met itself while being lowered, each time as a new inline schema.
#[test]
fn an_inline_all_of_inheriting_its_own_component_generates() {
    let files = generate(
        r##"
openapi: 3.0.3
info: {title: t, version: "1"}
paths: {}
components:
  schemas:
    Search:
      type: object
      properties:
        related:
          type: array
          items:
            allOf:
              - {type: object, required: [query], properties: {query: {type: string}}}
              - $ref: '#/components/schemas/Search'
"##,
    )
    .expect("generates");
    let types = &files[std::path::Path::new("src/repro/types.rs")];
    assert!(types.contains("pub related: Option<Vec<SearchRelatedItem>>"), "{types}");
    assert!(types.contains("pub struct SearchRelatedItem {\n    pub query: String,"), "{types}");
    assert!(types.contains("pub related: Option<Vec<SearchRelatedItem>>,\n}"), "the item inherits `related`: {types}");
}

#[test]
fn carriage_returns_and_backslashes_in_titles_and_docs_stay_inside_their_comments_and_strings() {
    let files = generate(
        "openapi: 3.0.3\ninfo: {title: \"a\\\\qb\\rc\", version: \"1\"}\n\
         paths:\n  /a:\n    get:\n      parameters:\n        - {name: \"x\\ry\", in: query, schema: {type: string}}\n\
         \x20     responses: {\"204\": {description: ok}}\n\
         components:\n  schemas:\n    A: {type: string, description: \"first\\rsecond\"}\n",
    )
    .expect("generates");
    for (path, contents) in &files {
        assert!(!contents.contains('\r'), "{} holds a carriage return", path.display());
        if path.extension().is_some_and(|extension| extension == "rs") {
            syn::parse_file(contents).unwrap_or_else(|error| panic!("{} does not parse: {error}", path.display()));
        }
    }
    let manifest: toml_edit::DocumentMut = files[std::path::Path::new("Cargo.toml")].parse().expect("manifest parses");
    assert_eq!(manifest["package"]["description"].as_str(), Some(r"Generated async client for: a\qb c."));
    let types = &files[std::path::Path::new("src/repro/types.rs")];
    assert!(types.contains("/// first\n/// second"), "{types}");
    let operations = &files[std::path::Path::new("src/repro/untagged.rs")];
    assert!(operations.contains("query parameter `x y`"), "a name with a carriage return:\n{operations}");
}

fn generate_many(specs: &[(&str, &str)]) -> Result<generator::Files, Vec<String>> {
    const SPEC: &str = r#"{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}}"#;
    let specs: Vec<generator::ApiSpec<'_>> =
        specs.iter().map(|(name, file)| generator::ApiSpec::new(name, *file, SPEC)).collect();
    let settings = generator::CrateSettings {
        crate_name: "many".to_owned(),
        workspace: generator::Workspace::Own,
        default_features_all: true,
        tag_features_from: None,
    };
    generator::generate_crate(&specs, &settings)
        .map(|generated| generated.files)
        .map_err(|diagnostics| diagnostics.iter().map(ToString::to_string).collect())
}

#[test]
fn two_apis_with_one_module_name_are_an_error_naming_both_files() {
    let errors = generate_many(&[("my-api", "a.yaml"), ("My API", "b.yaml")]).expect_err("one module cannot hold both");
    assert_eq!(
        errors,
        ["b.yaml: #: this API's module is `my_api` (feature `my-api`), as the API's from a.yaml is; give one of them \
          another name (`module` in its config)"]
    );
}

#[test]
fn apis_named_like_the_crates_own_features_and_modules_get_names_of_their_own() {
    let files = generate_many(&[
        ("default", "d.yaml"),
        ("full", "f.yaml"),
        ("runtime", "r.yaml"),
        ("round trip", "t.yaml"),
        ("rustls", "s.yaml"),
    ])
    .expect("generates");
    let manifest: toml_edit::DocumentMut = files[std::path::Path::new("Cargo.toml")].parse().expect("manifest parses");
    let features: Vec<&str> = manifest["features"].as_table().expect("features").iter().map(|(key, _)| key).collect();
    assert_eq!(
        features,
        [
            "default",
            "full",
            "round-trip",
            "rustls",
            "native-tls",
            "default-api",
            "full-api",
            "runtime",
            "round-trip-api",
            "rustls-api"
        ]
    );
    assert_eq!(
        manifest["features"]["full"].to_string().trim(),
        r#"["default-api", "full-api", "runtime", "round-trip-api", "rustls-api"]"#
    );
    assert!(files.contains_key(std::path::Path::new("src/runtime_api/mod.rs")));
    let lib = &files[std::path::Path::new("src/lib.rs")];
    assert!(lib.contains("pub mod runtime;") && lib.contains("pub mod runtime_api;"), "{lib}");
}

#[test]
fn apis_named_like_the_modules_inside_an_api_get_modules_of_their_own() {
    let files = generate_many(&[("types", "t.yaml"), ("client", "c.yaml")]).expect("generates");
    // `types::types` would be clippy's `module_inception`, and read as a stutter.
    for module in ["types_api", "client_api"] {
        let path = format!("src/{module}/mod.rs");
        assert!(files.contains_key(std::path::Path::new(&path)), "{path} in {:?}", files.keys());
    }
    let lib = &files[std::path::Path::new("src/lib.rs")];
    assert!(lib.contains("pub mod types_api;") && lib.contains("pub mod client_api;"), "{lib}");
}

#[test]
fn titles_with_quotes_backslashes_and_control_characters_give_a_manifest_that_parses() {
    let files =
        generate("openapi: 3.0.3\ninfo: {title: \"say \\\"hi\\\" \\\\ \\u0007 'there'\", version: \"1\"}\npaths: {}\n")
            .expect("generates");
    let manifest: toml_edit::DocumentMut = files[std::path::Path::new("Cargo.toml")].parse().expect("manifest parses");
    assert_eq!(manifest["package"]["description"].as_str(), Some(r#"Generated async client for: say "hi" \ 'there'."#));
}

/// `generate --workspace-member` writes a crate that joins a workspace it is listed in; a
/// crate with its own `[workspace]` would make cargo refuse the enclosing one.
#[test]
fn a_crate_generated_as_a_workspace_member_builds_inside_a_fresh_workspace() {
    let workspace = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        workspace.path().join("Cargo.toml"),
        "[workspace]\nresolver = \"2\"\nmembers = [\"zoom-client\"]\n\n[profile.dev]\ndebug = false\n",
    )
    .expect("workspace manifest");
    // The repository's versions, already built by `cargo xtask verify` in the same target directory.
    std::fs::copy(tests::root().join("Cargo.lock"), workspace.path().join("Cargo.lock")).expect("lock file");
    let spec = tests::root().join("specs/zoom-users.yaml");
    xtask::generate_standalone(
        &spec,
        &workspace.path().join("zoom-client"),
        xtask::Standalone { crate_name: "zoom-client", workspace_member: true, strict: false, ..Default::default() },
    )
    .expect("generates");
    let output = std::process::Command::new(env!("CARGO"))
        .args(["build", "--offline", "--quiet", "--package", "zoom-client"])
        .current_dir(workspace.path())
        .env("CARGO_TARGET_DIR", tests::root().join("target/verify-target"))
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
}

/// A JSON document of schemas nested `depth` deep under `key` (`items` or a property `x`),
/// ending in a string with a negative `minLength`.
fn deeply_nested(depth: usize, key: &str) -> (String, String) {
    let mut schema = serde_json::json!({"type": "string", "minLength": -1});
    let mut leaf = String::from("#/components/schemas/Deep");
    for _ in 0..depth {
        schema = match key {
            "items" => serde_json::json!({"type": "array", "items": schema}),
            _ => serde_json::json!({"type": "object", "properties": {"x": schema}}),
        };
        leaf.push_str(if key == "items" { "/items" } else { "/properties/x" });
    }
    let document = serde_json::json!({
        "openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {},
        "components": {"schemas": {"Deep": schema}}
    });
    (document.to_string(), leaf)
}

/// Typed parsing retries each alternative of a schema on its whole subtree, so a bad leaf
/// deep down used to take time exponential in its depth (18 levels: 37 s; 24: forever).
#[test]
fn a_bad_leaf_deep_in_nested_schemas_is_located_without_exponential_probing() {
    for (depth, key) in [(18, "items"), (24, "properties"), (40, "items")] {
        let (document, leaf) = deeply_nested(depth, key);
        let errors = generate(Box::leak(document.into_boxed_str())).expect_err("a negative minLength is invalid");
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(
            errors[0],
            format!("repro.yaml: {leaf}: invalid value: integer `-1`, expected usize"),
            "{depth} {key}"
        );
    }
}

/// Each link of an `allOf` chain inherits every property below it; following `$ref`s
/// used to grow pointers link by link, making long chains super-quadratic.
#[test]
fn a_long_all_of_chain_generates_every_inherited_property() {
    let links = 300;
    let mut schemas = serde_json::Map::new();
    for index in 0..links {
        schemas.insert(
            format!("S{index}"),
            serde_json::json!({"allOf": [
                {"$ref": format!("#/components/schemas/S{}", index + 1)},
                {"type": "object", "properties": {format!("p{index}"): {"type": "string"}}}
            ]}),
        );
    }
    schemas
        .insert(format!("S{links}"), serde_json::json!({"type": "object", "properties": {"last": {"type": "string"}}}));
    let document = serde_json::json!({
        "openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {},
        "components": {"schemas": schemas}
    });
    // The output itself grows as the square of the chain (45,000 fields): an unoptimized
    // build takes about 13 s alone, and more beside the other tests, so the 20 s deadline
    // for a hang failed CI once. What the test checks is that every property arrives.
    let files =
        generate_within(Box::leak(document.to_string().into_boxed_str()), Duration::from_secs(90)).expect("generates");
    let types = &files[std::path::Path::new("src/repro/types.rs")];
    let first = types.find("pub struct S0 {").expect("S0");
    let body = &types[first..first + types[first..].find("\n}").expect("end of S0")];
    assert_eq!(body.matches(": Option<String>,").count(), links + 1, "S0 holds every inherited property");
}

/// An inline property a component declares is one type, whichever struct inherits it.
#[test]
fn an_inherited_inline_property_is_one_type_named_after_its_component() {
    let files = generate(
        r##"
openapi: 3.0.3
info: {title: t, version: "1"}
paths: {}
components:
  schemas:
    Dog:
      allOf:
        - $ref: '#/components/schemas/Pet'
        - {type: object, properties: {bark: {type: string}}}
    Pet:
      type: object
      properties:
        owner: {type: object, properties: {name: {type: string}}}
"##,
    )
    .expect("generates");
    let types = &files[std::path::Path::new("src/repro/types.rs")];
    assert_eq!(types.matches("pub struct PetOwner {").count(), 1, "{types}");
    assert!(!types.contains("DogOwner"), "{types}");
    assert_eq!(types.matches("pub owner: Option<PetOwner>,").count(), 2, "{types}");
}

/// Found by `cargo xtask fuzz`: values copied in place whose copies hold a `$ref` back to
/// something being copied, through other places, used to grow the document forever.
#[test]
fn copies_in_place_that_lead_back_to_themselves_are_an_error_not_a_hang() {
    let errors = generate(
        r##"{"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
            "paths": {"/a": {"get": {"responses": {"200": {"description": "ok",
              "content": {"application/json": {"$ref": "#/x-shared/content"}}}}}}},
            "x-shared": {"content": {"m": {"schema": {"$ref": "#/components/schemas/S"}}}},
            "components": {"schemas": {"S": {"type": "object",
              "properties": {"p": {"type": {"$ref": "#/paths/~1a/get/responses"}}}}}}}"##,
    )
    .expect_err("the copies never end");
    assert_eq!(
        errors,
        ["repro.yaml: #/paths/~1a/get/responses/200/content/application~1json/$ref: `$ref` `#/components/schemas/S` \
          leads, through values copied in place, to a copy of its own target, so copying never ends"]
    );
}

/// Each level copies the next twice: 2^30 copies if nothing stopped it.
#[test]
fn copies_in_place_that_multiply_are_stopped_with_an_error() {
    let mut shared = serde_json::Map::new();
    for level in 0..30 {
        let next = format!("#/x-levels/l{}", level + 1);
        shared.insert(format!("l{level}"), serde_json::json!({"a": {"$ref": next}, "b": {"$ref": next}}));
    }
    shared.insert("l30".to_owned(), serde_json::json!("leaf"));
    let document = serde_json::json!({
        "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
        "paths": {"/a": {"get": {"description": {"$ref": "#/x-levels/l0"},
            "responses": {"200": {"description": "ok"}}}}},
        "x-levels": shared
    });
    let errors = refused(Box::leak(document.to_string().into_boxed_str()));
    assert!(errors.iter().any(|error| error.contains("expand to more than 20000 copies")), "{errors:?}");
}

/// Found by `cargo xtask fuzz`: a value hoisted from where a later copy in place went is
/// reported where the user wrote it, not inside the copy that replaced it.
#[test]
fn a_problem_in_a_value_whose_place_was_later_overwritten_points_where_it_was_written() {
    let document = r##"{"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
        "paths": {
          "/a": {"get": {"responses": {"200": {"description": "ok", "content": {"application/json":
            {"schema": {"type": "object", "additionalProperties": {"$ref": "#/paths/~1b/get/description"}}}}}}}},
          "/b": {"$ref": "#/paths/~1c/get/responses/200/content"},
          "/c": {"get": {"description": "text", "responses": {"200": {"description": "ok",
            "content": {"application/json": {"schema": {"type": "string"}}}}}}}
        }}"##;
    let spec = generator::ApiSpec::new("repro", "repro.yaml", document);
    let warnings = generator::load(&spec).expect("a missing schema is any value").warnings;
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].message.starts_with("`$ref` target `#/paths/~1b/get/description` does not exist"),
        "{warnings:?}"
    );
    let value: serde_json::Value = serde_json::from_str(document).expect("JSON");
    let pointer = warnings[0].location.trim_start_matches('#');
    assert!(value.pointer(pointer).is_some(), "{:?}", warnings[0]);
}

/// Found by `cargo xtask fuzz`: a path item given by `$ref` to a schema `$ref` is copied
/// in twice; a problem inside the second copy is the second target's.
#[test]
fn a_problem_in_a_value_copied_in_twice_is_reported_at_the_last_target() {
    let spec = r##"{"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
        "paths": {
            "/things": {"get": {"responses": {"200": {"description": "ok", "content": {"application/json": {"schema":
                {"type": "array", "items": {"$ref": "#/components/schemas/Thing"}}}}}}}},
            "/teams": {"$ref": "#/paths/~1things/get/responses/200/content/application~1json/schema/items"}},
        "components": {"schemas": {"Thing": {"type": "object", "properties": {"$ref": "#/nowhere"}}}}}"##;
    let settings = generator::CrateSettings {
        crate_name: "twice".to_owned(),
        workspace: generator::Workspace::Own,
        default_features_all: true,
        tag_features_from: None,
    };
    let diagnostics = generator::generate_crate(&[generator::ApiSpec::new("twice", "twice.json", spec)], &settings)
        .expect_err("a dangling reference");
    let locations: Vec<&str> = diagnostics.iter().map(|diagnostic| diagnostic.location.as_str()).collect();
    assert!(
        locations.iter().all(|location| *location == "#/components/schemas/Thing/properties/$ref"),
        "{locations:?}"
    );
}

#[test]
fn a_property_two_recursive_parts_declare_is_merged_once_not_forever() {
    // `C` is both `A` and `B`; each declares `p` as itself, so merging `p` meets the same
    // two schemas again inside: the merge is one recursive struct.
    let files = generate(
        r##"{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{},
            "components":{"schemas":{
              "A":{"type":"object","properties":{"a":{"type":"string"},"p":{"$ref":"#/components/schemas/A"}}},
              "B":{"type":"object","properties":{"b":{"type":"string"},"p":{"$ref":"#/components/schemas/B"}}},
              "C":{"allOf":[{"$ref":"#/components/schemas/A"},{"$ref":"#/components/schemas/B"}]}}}}"##,
    )
    .expect("generates");
    let types = &files[std::path::Path::new("src/repro/types.rs")];
    let merged = types.split("pub struct Cp ").nth(1).expect("the merged property's struct");
    let fields = &merged[..merged.find('}').expect("a body")];
    assert!(fields.contains("pub a:") && fields.contains("pub b:") && fields.contains("Box<Cp>"), "{fields}");
}
