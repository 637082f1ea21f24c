//! What maintainers steer without editing a vendor's document: configs (`<spec>.toml`)
//! and OpenAPI Overlays (`<spec>.overlay.yaml`) change the output as they say, and a bad
//! one fails naming its file and the key or pointer.

use fixture_client::operations::Item;
use generator::{ApiSpec, Config, CrateSettings, Overlay};
use std::collections::HashSet;

const SPEC: &str = r##"
openapi: 3.0.3
info: {title: Pet Store API, version: "1"}
servers: [{url: "https://pets.example.com"}]
tags: [{name: Pet Operations}, {name: Store}]
paths:
  /pets/{petId}:
    get:
      operationId: getPetById
      tags: [Pet Operations]
      parameters: [{name: petId, in: path, required: true, schema: {type: string}}]
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Pet"}}}}
  /store/orders:
    post:
      operationId: placeOrder
      tags: [Store]
      requestBody: {content: {application/json: {schema: {$ref: "#/components/schemas/Order"}}}}
      responses: {"204": {description: placed}}
components:
  securitySchemes:
    key: {type: apiKey, in: header, name: X-Key}
  schemas:
    Pet: {type: object, properties: {name: {type: string}}}
    Order: {type: object, properties: {quantity: {type: integer}}}
"##;

fn settings() -> CrateSettings {
    CrateSettings {
        crate_name: "pets".to_owned(),
        workspace: generator::Workspace::Own,
        default_features_all: true,
        tag_features_from: None,
    }
}

/// Every generated file but the runtime (the same whatever the spec), concatenated.
fn generate(spec: ApiSpec<'_>) -> Result<String, String> {
    let generated = generator::generate_crate(&[spec], &settings()).map_err(|found| found.to_string())?;
    let files = generated.files.iter().filter(|(path, _)| !path.starts_with("src/runtime"));
    Ok(files.map(|(path, text)| format!("=== {}\n{text}", path.display())).collect())
}

fn config(text: &str) -> Config {
    Config::parse("pets.toml", text).unwrap_or_else(|found| panic!("{found}"))
}

#[test]
fn without_a_config_the_module_and_variables_come_from_the_title() {
    let output = generate(ApiSpec::titled("openapi.yaml", SPEC)).expect("generates");
    assert!(output.contains("=== src/pet_store/mod.rs"), "module from `Pet Store API`");
    assert!(output.contains("\"PET_STORE_BASE_URL\""));
    assert!(output.contains("pub fn pet_operations(&self)"));
}

#[test]
fn a_config_renames_the_api_its_tags_operations_and_schemas() {
    let config = config(
        r#"
        module = "pets"
        env-prefix = "PETSTORE"
        [tags]
        "Pet Operations" = "animals"
        [operations.getPetById]
        method = "get"
        [operations."POST /store/orders"]
        method = "order"
        [schemas.Pet]
        name = "Animal"
        "#,
    );
    let output = generate(ApiSpec::titled("openapi.yaml", SPEC).with_config(&config)).expect("generates");
    assert!(output.contains("=== src/pets/mod.rs"));
    assert!(output.contains("\"PETSTORE_BASE_URL\"") && output.contains("\"PETSTORE_KEY\""));
    assert!(output.contains("pub fn animals(&self) -> animals::Animals<'_>"));
    assert!(output.contains("pub fn get(&self, pet_id: impl Into<String>) -> Get<'c>"));
    assert!(output.contains("pub fn order(&self) -> Order<'c>"));
    assert!(output.contains("pub struct Animal {") && !output.contains("pub struct Pet {"));
}

#[test]
fn a_config_that_picks_operations_drops_the_others_and_their_types() {
    let config = config("[include]\ntags = [\"Pet Operations\"]\n");
    let output = generate(ApiSpec::titled("openapi.yaml", SPEC).with_config(&config)).expect("generates");
    assert!(output.contains("pub fn get_pet_by_id("));
    assert!(!output.contains("place_order") && !output.contains("pub struct Order {"), "{output}");
    let config = self::config("[exclude]\npaths = [\"/pets/*\"]\n");
    let output = generate(ApiSpec::titled("openapi.yaml", SPEC).with_config(&config)).expect("generates");
    assert!(output.contains("pub fn place_order(") && !output.contains("get_pet_by_id"));
    assert!(!output.contains("pub struct Pet {"));
}

#[test]
fn what_a_config_names_must_exist_in_the_spec() {
    let config = config(
        "[operations.getPet]\nmethod = \"get\"\n[tags]\nPets = \"pets\"\n[schemas.Pets]\nname = \"Animal\"\n\
         [include]\noperations = [\"placeOrders\"]\n",
    );
    let error = generate(ApiSpec::titled("openapi.yaml", SPEC).with_config(&config)).expect_err("refused");
    for expected in [
        "error: pets.toml: schemas.Pets: the spec has no schema `Pets` under #/components/schemas",
        "error: pets.toml: operations.getPet: no operation has id `getPet`",
        "error: pets.toml: tags.Pets: no operation is tagged `Pets`",
        "error: pets.toml: include.operations[0]: no operation has id `placeOrders`",
    ] {
        assert!(error.contains(expected), "{expected}\nnot in\n{error}");
    }
    let taken = self::config("module = \"pets\"\n[tags]\nStore = \"pets\"\n");
    let error = generate(ApiSpec::titled("openapi.yaml", SPEC).with_config(&taken)).expect_err("refused");
    assert!(error.contains("pets.toml: tags.Store: module `pets` is taken"), "{error}");
    let clash = self::config("[schemas.Pet]\nname = \"Order\"\n");
    let error = generate(ApiSpec::titled("openapi.yaml", SPEC).with_config(&clash)).expect_err("refused");
    assert!(error.contains("pets.toml: schemas.Pet.name: `Order` is also the name of schema `Order`"), "{error}");
}

#[test]
fn a_config_file_with_a_bad_key_is_refused_by_codegen_naming_the_file_and_key() {
    let folder = tempfile::tempdir().expect("temp dir");
    let spec = folder.path().join("pets.yaml");
    std::fs::write(&spec, SPEC).expect("written");
    std::fs::write(folder.path().join("pets.toml"), "[operations.getPetById]\nname = \"get\"\n").expect("written");
    let error = xtask::Steering::beside(folder.path(), &spec).expect_err("refused").to_string();
    assert_eq!(
        error,
        "error: pets.toml: operations.getPetById.name: unknown field `name`, expected `method` or `pagination`"
    );
}

#[test]
fn an_overlay_changes_the_document_before_it_is_read() {
    let overlay = r#"
overlay: 1.0.0
info: {title: fixes, version: "1"}
actions:
  - target: $.paths['/store/orders']
    remove: true
  - target: $.components.schemas.Pet.properties
    update: {age: {type: integer}}
"#;
    let spec = ApiSpec::titled("openapi.yaml", SPEC).with_overlays(vec![Overlay { file: "fix.yaml", text: overlay }]);
    let output = generate(spec).expect("generates");
    assert!(output.contains("pub age: Option<i64>"));
    assert!(!output.contains("place_order"));
}

#[test]
fn a_problem_an_overlay_brought_in_points_into_the_overlay() {
    let overlay = r##"
overlay: 1.0.0
info: {title: fixes, version: "1"}
actions:
  - target: $.components.schemas.Pet.properties
    update: {owner: {$ref: "#/components/schemas/Owner"}}
"##;
    let spec = ApiSpec::titled("openapi.yaml", SPEC).with_overlays(vec![Overlay { file: "fix.yaml", text: overlay }]);
    let generated = generator::generate_crate(&[spec], &settings()).expect("generates");
    let warning = generated.warnings.first().map(ToString::to_string).unwrap_or_default();
    assert!(
        warning.starts_with("openapi.yaml: fix.yaml#/actions/0/update/owner/$ref: `$ref` target `#/components/schemas/Owner` does not exist"),
        "{warning}"
    );
}

#[test]
fn a_bad_overlay_is_refused_naming_the_overlay_and_the_action() {
    let overlay =
        "overlay: 1.0.0\ninfo: {title: x, version: '1'}\nactions:\n  - target: $.info\n    update: {title: {a: 1}}\n";
    let spec = ApiSpec::titled("openapi.yaml", SPEC).with_overlays(vec![Overlay { file: "fix.yaml", text: overlay }]);
    let error = generate(spec).expect_err("refused");
    assert!(error.starts_with("error: fix.yaml: #/actions/0/target: the update's `title` is an object"), "{error}");
}

#[test]
fn the_zitadel_overlay_gives_the_seed_client_its_service_user_flow() {
    let root = tests::root();
    let path = root.join("specs/zitadel-management.yaml");
    let text = std::fs::read_to_string(&path).expect("spec");
    let bare = generate(ApiSpec::new("zitadel_management", "specs/zitadel-management.yaml", &text)).expect("generates");
    assert!(!bare.contains("pub fn client_credentials("), "the vendor's document has no client-credentials flow");
    let steering = xtask::Steering::beside(&root, &path).expect("reads");
    assert_eq!(steering.overlays.len(), 1);
    let steered = generate(steering.steer(ApiSpec::new("zitadel_management", "specs/zitadel-management.yaml", &text)))
        .expect("generates");
    assert!(steered.contains("pub fn client_credentials("));
    assert!(steered.contains("\"ZITADEL_ACCESS_TOKEN\""), "the config's env prefix");
}

#[test]
fn configured_derives_and_attributes_are_on_the_type() {
    let items: Vec<Item> =
        serde_json::from_str(r#"[{"id": 2, "name": "b"}, {"id": 1}, {"id": 2, "name": "b"}]"#).expect("decodes");
    // `Hash`, `PartialOrd` and `Ord` come from tests/fixtures/operations.toml.
    let unique: HashSet<&Item> = items.iter().collect();
    assert_eq!(unique.len(), 2);
    let mut sorted = items.clone();
    sorted.sort();
    assert_eq!(sorted[0].id, 1);
    // So does `#[serde(deny_unknown_fields)]`.
    let error = serde_json::from_str::<Item>(r#"{"id": 1, "colour": "red"}"#).expect_err("unknown field refused");
    assert!(error.to_string().contains("unknown field `colour`"), "{error}");
}

#[test]
fn a_config_can_say_an_operation_does_not_page() {
    let spec = r#"
openapi: 3.0.3
info: {title: Lists, version: "1"}
paths:
  /things:
    get:
      operationId: listThings
      parameters: [{name: page, in: query, schema: {type: integer}}]
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: array, items: {type: string}}}}}
"#;
    let detected = generate(ApiSpec::titled("lists.yaml", spec)).expect("generates");
    assert!(detected.contains("pub fn into_stream("), "a `page` parameter is read as page numbers");
    let config = config("[operations.listThings]\npagination = { style = \"none\" }\n");
    let steered = generate(ApiSpec::titled("lists.yaml", spec).with_config(&config)).expect("generates");
    assert!(!steered.contains("pub fn into_stream("));
}

#[test]
fn html_in_descriptions_reads_as_markdown_and_relative_links_follow_the_docs_url() {
    let spec = r#"
openapi: 3.0.3
info: {title: Payments, version: "1"}
paths:
  /customers:
    post:
      operationId: createCustomer
      description: "<p>Creates a <code>Customer</code>; see <a href=\"/docs/customers\">customers</a>.</p>"
      responses: {"204": {description: created}}
"#;
    let config = config("docs-url = \"https://docs.example.com\"\n");
    let output = generate(ApiSpec::titled("payments.yaml", spec).with_config(&config)).expect("generates");
    assert!(
        output.contains("/// Creates a `Customer`; see [customers](https://docs.example.com/docs/customers)."),
        "{output}"
    );
    assert!(!output.contains("&lt;p&gt;"));
}

#[test]
fn a_config_can_give_an_operation_the_paging_the_detector_misses() {
    let spec = r#"
openapi: 3.0.3
info: {title: Feeds, version: "1"}
paths:
  /entries:
    get:
      operationId: listEntries
      parameters: [{name: from, in: query, schema: {type: string}}]
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  entries: {type: array, items: {type: string}}
                  paging: {type: object, properties: {following: {type: string}}}
"#;
    let detected = generate(ApiSpec::titled("feeds.yaml", spec)).expect("generates");
    assert!(!detected.contains("pub fn into_stream("), "neither `from` nor `following` is a name the detector knows");
    let config = config(
        "[operations.listEntries]\npagination = { style = \"cursor\", parameter = \"from\", next = \"paging.following\" }\n",
    );
    let forced = generate(ApiSpec::titled("feeds.yaml", spec).with_config(&config)).expect("generates");
    assert!(forced.contains("pub fn into_stream("), "{forced}");
    let wrong = self::config(
        "[operations.listEntries]\npagination = { style = \"cursor\", parameter = \"after\", next = \"paging.following\" }\n",
    );
    let error = generate(ApiSpec::titled("feeds.yaml", spec).with_config(&wrong)).expect_err("refused");
    assert!(
        error.starts_with("error: pets.toml: operations.listEntries.pagination: `listEntries` cannot page this way"),
        "{error}"
    );
}
