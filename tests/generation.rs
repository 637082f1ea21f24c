//! The generated code: snapshots of every spec's output, determinism, and the drift check
//! that fails `cargo test` when committed generated code is stale.

use std::fmt::Write as _;

/// The API's own files (its module directory), concatenated; the runtime and manifest
/// are the same for every spec and are covered by the compile tests.
fn api_files(files: &generator::Files) -> String {
    let mut out = String::new();
    for (path, contents) in files {
        let path = path.display().to_string();
        if path.starts_with("src/") && !path.starts_with("src/runtime/") && path.matches('/').count() == 2 {
            let _ = writeln!(out, "=== {path}\n{contents}");
        }
    }
    out
}

/// The crate generated from one spec's text, named `name`, with the default tag features.
#[track_caller]
fn generate_text(name: &str, text: &str) -> generator::Files {
    let spec = generator::ApiSpec::new(name, format!("{name}.yaml"), text);
    let settings = generator::CrateSettings {
        crate_name: name.to_owned(),
        workspace: generator::Workspace::Own,
        default_features_all: true,
        tag_features_from: Some(generator::CrateSettings::DEFAULT_TAG_FEATURES_FROM),
    };
    generator::generate_crate(&[spec], &settings).unwrap_or_else(|error| panic!("{error}")).files
}

#[track_caller]
fn check_snapshots(dir: &str) {
    let files = tests::spec_files(dir);
    assert!(!files.is_empty(), "no specs in {dir}");
    for path in files {
        let generated = tests::generate(&path).unwrap_or_else(|error| panic!("{error}"));
        let name = path.file_stem().and_then(|stem| stem.to_str()).expect("stem").to_owned();
        insta::with_settings!({ snapshot_suffix => name, prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(dir.replace('/', "_"), api_files(&generated));
        });
    }
}

#[test]
fn seed_specs_snapshots() {
    check_snapshots("specs");
}

#[test]
fn fixture_specs_snapshots() {
    check_snapshots("tests/fixtures");
}

#[test]
fn generation_is_deterministic() {
    for path in tests::spec_files("specs").into_iter().chain(tests::spec_files("tests/fixtures")) {
        let first = tests::generate(&path).expect("generates");
        for _ in 0..3 {
            assert_eq!(first, tests::generate(&path).expect("generates"), "{} differs between runs", path.display());
        }
    }
}

#[test]
fn committed_generated_code_is_fresh() {
    if let Err(error) = xtask::codegen(&tests::root(), xtask::Mode::Check) {
        panic!("{error:#}");
    }
}

#[test]
fn operation_names_drop_the_tag_prefix() {
    // The vendor's document alone: the seed's config renames these methods.
    let text = std::fs::read_to_string(tests::root().join("specs/cloudflare-zero-trust.yaml")).expect("spec");
    let spec = generator::ApiSpec::new("cloudflare_zero_trust", "cloudflare-zero-trust.yaml", &text);
    let settings = generator::CrateSettings {
        crate_name: "bare".to_owned(),
        workspace: generator::Workspace::Own,
        default_features_all: true,
        tag_features_from: None,
    };
    let files = generator::generate_crate(&[spec], &settings).expect("generates").files;
    let zone = &files[std::path::Path::new("src/cloudflare_zero_trust/zone_level_zero_trust_organization.rs")];
    assert!(zone.contains("pub fn revoke_all_access_tokens_for_a_user("), "{zone}");
    assert!(zone.contains("pub fn get_your_zero_trust_organization("), "{zone}");
    assert!(!zone.contains("fn zone_level_zero_trust_organization_revoke"), "{zone}");
    let account = &files[std::path::Path::new("src/cloudflare_zero_trust/zero_trust_organization.rs")];
    assert!(account.contains("pub fn revoke_all_access_tokens_for_a_user("), "{account}");
}

#[test]
fn every_rust_file_has_the_generated_header() {
    let files = tests::generate(&tests::root().join("specs/zoom-users.yaml")).expect("generates");
    for (path, contents) in &files {
        if path.extension().is_some_and(|ext| ext == "rs") {
            assert!(contents.starts_with("// @generated"), "{} has no header", path.display());
        }
    }
}

/// Operations combine only when nothing but the parent prefix differs.
#[test]
fn only_operations_differing_by_their_parent_are_combined() {
    let spec = |zone_body: &str| {
        format!(
            "openapi: 3.0.3
info: {{title: Scoped, version: '1'}}
paths:
  /accounts/{{account_id}}/things:
    post:
      parameters: [{{name: account_id, in: path, required: true, schema: {{type: string}}}}]
      requestBody: {{required: true, content: {{application/json: {{schema: {{$ref: '#/components/schemas/Thing'}}}}}}}}
      responses: {{'204': {{description: done}}}}
  /zones/{{zone_id}}/things:
    post:
      parameters: [{{name: zone_id, in: path, required: true, schema: {{type: string}}}}]
      requestBody: {{required: true, content: {{application/json: {{schema: {zone_body}}}}}}}
      responses: {{'204': {{description: done}}}}
components: {{schemas: {{Thing: {{type: object, properties: {{a: {{type: string}}}}}}}}}}
"
        )
    };
    let generate = |text: &str| generate_text("scoped", text);
    let same = generate(&spec("{$ref: '#/components/schemas/Thing'}"));
    let module = &same[std::path::Path::new("src/scoped/mod.rs")];
    assert!(module.contains("pub enum AccountOrZone"), "{module}");
    let combined = &same[std::path::Path::new("src/scoped/account_or_zone.rs")];
    assert!(combined.contains("\"/{scope}/{scope_id}/things\""), "{combined}");

    let different = generate(&spec("{type: object, properties: {b: {type: integer}}}"));
    assert!(!different.keys().any(|path| path.ends_with("account_or_zone.rs")), "bodies differ: must not combine");
}

/// One error enum per shape within a group: `deletePet` documents what `getPet` does, so
/// its error type is an alias of `getPet`'s (whose docs name both, and keep only the
/// descriptions both give); `renamePet`'s errors differ, and `getStore`, in another
/// group, keeps its own. Decoding through an alias is exercised on the wire by
/// `e2e_seed` (Cloudflare's `UpdateError` is `GetError`).
#[test]
fn operations_of_a_group_with_the_same_errors_share_one_enum() {
    let text = r#"openapi: 3.0.3
info: {title: Errors, version: '1'}
tags: [{name: pets}, {name: stores}]
paths:
  /pets/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    get:
      tags: [pets]
      operationId: getPet
      responses:
        '200': {description: ok}
        '404': {$ref: '#/components/responses/NotFound'}
        '500': {description: Looking the pet up failed, content: {application/json: {schema: {$ref: '#/components/schemas/Problem'}}}}
    delete:
      tags: [pets]
      operationId: deletePet
      responses:
        '204': {description: gone}
        '404': {$ref: '#/components/responses/NotFound'}
        '500': {description: Removing the pet failed, content: {application/json: {schema: {$ref: '#/components/schemas/Problem'}}}}
    put:
      tags: [pets]
      operationId: renamePet
      responses:
        '204': {description: renamed}
        '404': {description: No such pet, content: {text/plain: {schema: {type: string}}}}
  /stores/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    get:
      tags: [stores]
      operationId: getStore
      responses:
        '200': {description: ok}
        '404': {$ref: '#/components/responses/NotFound'}
        '500': {description: Looking the pet up failed, content: {application/json: {schema: {$ref: '#/components/schemas/Problem'}}}}
components:
  responses:
    NotFound: {description: Nothing lives there, content: {application/json: {schema: {$ref: '#/components/schemas/Problem'}}}}
  schemas:
    Problem: {type: object, properties: {message: {type: string}}}
"#;
    let files = generate_text("errors", text);
    let pets = &files[std::path::Path::new("src/errors/pets.rs")];
    assert!(pets.contains("pub type DeletePetError = GetPetError;"), "{pets}");
    assert_eq!(pets.matches("pub enum ").count(), 2, "getPet's and renamePet's: {pets}");
    assert!(pets.contains("/// The error responses [`GetPet`] and [`DeletePet`] document;"), "{pets}");
    assert!(pets.contains("    /// `404`: Nothing lives there\n    NotFound(types::Problem),"), "agreed: {pets}");
    assert!(pets.contains("    /// `500`\n    InternalServerError(types::Problem),"), "they differ: {pets}");
    assert!(pets.contains("pub enum RenamePetError {\n    /// `404`: No such pet\n    NotFound(String),"), "{pets}");
    assert!(pets.contains("Err(response.error_json(DeletePetError::NotFound))"), "decoded through the alias: {pets}");
    let stores = &files[std::path::Path::new("src/errors/stores.rs")];
    assert!(stores.contains("pub enum GetStoreError {"), "never across groups: {stores}");
    assert!(stores.contains("/// `500`: Looking the pet up failed"), "{stores}");
}

/// Types near their users: with tag features, a type only one group's operations reach
/// lives in that group's own file, a module compiled only with its feature (so a build
/// without it never reads the type), re-exported so its path stays `types::Name`; types
/// several groups share stay in `types/mod.rs`.
#[test]
fn a_type_one_group_alone_uses_lives_in_that_groups_types_file() {
    let root = tests::root().join("tests/fixture-client/src/dns");
    let read = |file: &str| std::fs::read_to_string(root.join(file)).unwrap_or_else(|error| panic!("{file}: {error}"));
    let shared = read("types/mod.rs");
    assert!(shared.contains("#[cfg(feature = \"dns-chat\")]\nmod chat;\n"), "{shared}");
    assert!(shared.contains("#[cfg(feature = \"dns-chat\")]\npub use chat::*;\n"), "{shared}");
    assert!(shared.contains("pub struct ResponseCommon {"), "a type no operation uses stays shared: {shared}");
    assert!(!shared.contains("pub struct UserMessage {"), "{shared}");
    let chat = read("types/chat.rs");
    assert!(chat.contains("\nuse super::*;\n"), "{chat}");
    assert!(chat.contains("pub struct UserMessage {"), "{chat}");
    assert!(!chat.contains("#[cfg(feature = \"dns-chat\")]"), "the module is gated, not each type: {chat}");
    assert!(!root.join("types.rs").exists(), "one types module per API");
    let operations = read("chat.rs");
    assert!(operations.contains("types::"), "operations name types by their one path: {operations}");

    let root = tests::root().join("tests/fixture-client/src/shared_shapes");
    let shared = std::fs::read_to_string(root.join("types/mod.rs")).expect("shared types");
    let exports = std::fs::read_to_string(root.join("types/exports.rs")).expect("the exports' types");
    assert!(shared.contains("pub struct Folder {"), "both groups reach a folder: {shared}");
    assert!(exports.contains("pub tree: Option<Folder>,"), "a group's type names a shared one: {exports}");
}

/// One type per shape: no emitted type repeats another's definition, and no group's error
/// enum another of that group's (counted from the Rust text by `xtask::shapes`, not by
/// the generator's own passes).
#[test]
fn no_two_emitted_types_share_a_shape() {
    for path in tests::spec_files("specs").into_iter().chain(tests::spec_files("tests/fixtures")) {
        let files = tests::generate(&path).unwrap_or_else(|error| panic!("{error}"));
        for (module, count) in xtask::shapes::count(&files) {
            assert!(count.duplicates.is_empty(), "{} ({module}): {:?}", path.display(), count.duplicates);
        }
    }
}

/// Which name a merged shape keeps (`shared_shapes.yaml`): a component's; of two
/// components, the first, the second staying as an alias; else the words the derived
/// names end with. A description the uses disagree on is not given to the merged type.
#[test]
fn merged_shapes_keep_the_names_a_person_would_choose() {
    let path = tests::root().join("tests/fixtures/shared_shapes.yaml");
    let files = tests::generate(&path).unwrap_or_else(|error| panic!("{error}"));
    let types = &files[std::path::Path::new("src/shared_shapes/types.rs")];
    assert!(types.contains("/// A note for the caller.\n#[derive(Debug, Clone, PartialEq, Eq)]\n#[cfg_attr(feature = \"round-trip\", derive(Serialize))]\npub struct Notice {"), "{types}");
    assert!(types.contains("/// Something the caller should know.\npub type Warning = Notice;"), "{types}");
    assert!(types.contains("pub enum Format {"), "{types}");
    assert_eq!(types.matches("\n    Json,\n").count(), 1, "one enum of json and csv: {types}");
    assert!(types.contains("pub message: Option<Notice>,"), "{types}");
    assert!(!types.contains("GetFolderTreeResponse"), "the inline root folder is a Folder: {types}");
    let folders = &files[std::path::Path::new("src/shared_shapes/folders.rs")];
    assert!(folders.contains("runtime::Response<types::Folder>"), "{folders}");
}

/// Serde by direction: a type only received implements `Deserialize` (a struct's written
/// out, member by member), one only sent derives `Serialize`, one that travels both ways
/// has both; the other trait only with `round-trip`.
#[test]
fn types_derive_the_serde_traits_their_direction_needs() {
    let path = tests::root().join("tests/fixtures/shared_shapes.yaml");
    let files = tests::generate(&path).unwrap_or_else(|error| panic!("{error}"));
    let types = &files[std::path::Path::new("src/shared_shapes/types.rs")];
    let derives_of = |name: &str| {
        let at = types.find(&format!("pub struct {name} {{")).unwrap_or_else(|| panic!("{name} in {types}"));
        let start = types[..at].rfind("#[derive(").expect("derives");
        types[start..at].to_owned()
    };
    let deserialize_of = |name: &str| {
        let at = types.find(&format!("impl<'de> Deserialize<'de> for {name} {{")).unwrap_or_else(|| panic!("{name}"));
        types[..at].ends_with("#[cfg(feature = \"round-trip\")]\n")
    };
    let received = derives_of("ListExportsResponse");
    assert!(
        received.contains("PartialEq, Eq)]") && received.contains("round-trip\", derive(Serialize))]"),
        "{received}"
    );
    assert!(!deserialize_of("ListExportsResponse"), "received: always decodes");
    let sent = derives_of("CreateExportRequest");
    assert!(sent.contains("PartialEq, Serialize)]") && !sent.contains("round-trip"), "{sent}");
    assert!(deserialize_of("CreateExportRequest"), "sent: decodes only with round-trip");
    let both = derives_of("Folder");
    assert!(both.contains("Serialize)]") && !both.contains("round-trip"), "{both}");
    assert!(!deserialize_of("Folder"), "both ways: always decodes");
    let manifest = &files[std::path::Path::new("Cargo.toml")];
    assert!(manifest.contains("\nround-trip = []\n"), "{manifest}");
}

#[test]
fn reference_pages_give_each_operation_its_endpoint_data_location_call_and_curl() {
    let root = tests::root();
    let page = std::fs::read_to_string(root.join("generated-client/docs/cloudflare_zero_trust/zone_organization.md"))
        .expect("codegen writes the reference pages");
    let get = &page[page.find("\n## get\n").expect("a section per operation")..];
    let get = &get[..get[1..].find("\n## ").map_or(get.len(), |end| end + 1)];
    for expected in [
        "`GET /zones/{zone_id}/access/organizations`",
        "| `zone_id` | path | `String` | yes |",
        "| `200` (success) | `OrganizationResponse`; data is at `body[\"result\"]` (`Organization`) |",
        "let response = client.zone_organization().get(\"699d98642c564d2e855e9661899b7252\").await?;",
        "curl -X GET 'https://api.cloudflare.com/client/v4/zones/699d98642c564d2e855e9661899b7252/access/organizations'",
        "-H \"X-Auth-Key: $CLOUDFLARE_API_KEY\"",
    ] {
        assert!(get.contains(expected), "{expected}\nnot in\n{get}");
    }
    let index =
        std::fs::read_to_string(root.join("generated-client/docs/cloudflare_zero_trust/README.md")).expect("index");
    assert!(
        index.contains(
            "| [Zone-Level Zero Trust organization](zone_organization.md) | `client.zone_organization()` | 4 |"
        ),
        "{index}"
    );
}

#[test]
fn a_part_that_re_describes_an_inherited_property_gives_its_doc() {
    let text = r#"
openapi: 3.0.3
info: {title: Rules, version: "1"}
paths: {}
components:
  schemas:
    BaseRule:
      type: object
      properties:
        reason: {type: string, description: Why a rule acts.}
        note: {type: string, description: A note.}
    BlockRule:
      allOf:
        - $ref: '#/components/schemas/BaseRule'
        - properties:
            reason: {description: Why this rule blocks., example: spam}
"#;
    let api = generator::load(&generator::ApiSpec::new("rules", "rules.yaml", text)).expect("loads");
    let block = api.types.types.iter().find(|ty| ty.name == "BlockRule").expect("BlockRule");
    let generator::ir::TypeKind::Struct(structure) = &block.kind else { panic!("a struct: {:?}", block.kind) };
    let doc = |name: &str| {
        let field = structure.fields.iter().find(|field| field.api_name == name).expect("a field");
        (field.description.as_deref(), field.ty.clone())
    };
    assert_eq!(doc("reason"), (Some("Why this rule blocks."), generator::ir::TypeRef::String), "typed by the base");
    assert_eq!(doc("note").0, Some("A note."), "kept where nothing re-describes it");
}

#[test]
fn header_parameters_differing_only_in_case_are_one_header() {
    let text = r#"
openapi: 3.0.3
info: {title: Traced, version: "1"}
paths:
  /runs:
    parameters:
      - {name: X-Trace, in: header, description: Path level., schema: {type: string}}
    get:
      operationId: listRuns
      parameters:
        - {name: x-trace, in: header, description: Operation level., schema: {type: string}}
        - {name: X-Tenant, in: header, schema: {type: string}}
        - {name: x-tenant, in: header, schema: {type: string}}
      responses:
        "204": {description: Listed}
"#;
    let spec = generator::ApiSpec::new("traced", "traced.yaml", text);
    let settings = generator::CrateSettings {
        crate_name: "traced".to_owned(),
        workspace: generator::Workspace::Own,
        default_features_all: true,
        tag_features_from: None,
    };
    let generated = generator::generate_crate(&[spec], &settings).unwrap_or_else(|error| panic!("{error}"));
    let code = api_files(&generated.files);
    assert_eq!(code.matches("pub fn x_trace(").count(), 1, "{code}");
    assert_eq!(code.matches("pub fn x_tenant(").count(), 1, "{code}");
    assert!(!code.contains("x_trace2") && !code.contains("x_tenant2"), "{code}");
    assert!(code.contains("Operation level."), "the operation's own parameter wins: {code}");
    // Overriding the path's declaration is what OpenAPI says; declaring one twice is not.
    let warnings: Vec<String> = generated.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        ["traced.yaml: #/paths/~1runs/get/parameters/2: parameter `x-tenant` (header) repeats `X-Tenant`, \
          declared before it (header names ignore case); this one is used"]
    );
}

#[test]
fn a_numeric_or_missing_info_version_is_read_with_a_warning() {
    let cases = [
        (
            "{title: Numbered, version: 1.0}",
            "version.yaml: #/info/version: `info.version` is the number 1.0, not text; read as \"1.0\"",
            Some("Numbered (API version 1.0)."),
        ),
        ("{title: Unnumbered}", "version.yaml: #/info: `info` has no `version`; the docs leave it out", None),
    ];
    for (info, warning, title_line) in cases {
        let text = format!("openapi: 3.0.3\ninfo: {info}\npaths: {{}}\n");
        let spec = generator::ApiSpec::new("version", "version.yaml", &text);
        let settings = generator::CrateSettings {
            crate_name: "version".to_owned(),
            workspace: generator::Workspace::Own,
            default_features_all: true,
            tag_features_from: None,
        };
        let generated = generator::generate_crate(&[spec], &settings).unwrap_or_else(|error| panic!("{error}"));
        let warnings: Vec<String> = generated.warnings.iter().map(ToString::to_string).collect();
        assert_eq!(warnings, [warning]);
        let module = &generated.files[std::path::Path::new("src/version/mod.rs")];
        match title_line {
            Some(line) => assert!(module.contains(line), "{module}"),
            None => assert!(!module.contains("API version"), "{module}"),
        }
    }
}
