//! Normalization: rewrites Swagger 2.0 (`swagger.rs`) and OpenAPI 3.1 (`openapi31.rs`)
//! documents into OpenAPI 3.0.3; what both bring into 3.0 is in `schema.rs`.
//!
//! `openapiv3` models 3.0 only, so other versions are converted at the `serde_json::Value`
//! level before typed parsing; everything after this pass sees one version, and every
//! input reaches the same IR. The Swagger mapping follows swagger2openapi; the 3.1 one
//! undoes what JSON Schema 2020-12 changed in schemas and drops what a client cannot use
//! (webhooks). Problems name the place in the document as its author wrote it.

use super::structure::{for_each_schema, METHODS};
use crate::diagnostics::{pointer, unescape_token, Origins};
use serde_json::Value;

/// What the document was before normalization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SourceVersion {
    OpenApi30,
    OpenApi31,
    Swagger20,
}

/// `(JSON pointer, message)` for each problem that makes conversion impossible.
type Problems = Vec<(String, String)>;

const TARGET_VERSION: &str = "3.0.3";

/// Rewrites `document` in place into OpenAPI 3.0.3; 3.0.x documents are left as they are.
/// `moved` learns where moved parts came from, so later problems name the 2.0 places;
/// `wrapped`, applied before it, where a `$ref` with siblings went when it was wrapped
/// in `allOf` (`…/allOf/0/$ref` was `…/$ref`).
pub(crate) fn normalize(
    document: &mut Value,
    moved: &mut Origins,
    wrapped: &mut Origins,
) -> Result<SourceVersion, Problems> {
    let source = detect_version(document)?;
    match source {
        SourceVersion::OpenApi30 => {}
        SourceVersion::OpenApi31 => openapi31::convert(document, wrapped)?,
        SourceVersion::Swagger20 => {
            swagger::record_origins(document, moved);
            swagger::convert(document, wrapped)?
        }
    }
    explicit_encoding_explode(document);
    Ok(source)
}

/// The typed model reads a missing `explode` of a body's `encoding` entry as `false`,
/// but OpenAPI's default is `true` for `style: form` (the default style): say it outright.
fn explicit_encoding_explode(document: &mut Value) {
    fn body(body: &mut Value) {
        let Some(content) = body.get_mut("content").and_then(Value::as_object_mut) else { return };
        for media in content.values_mut() {
            let Some(encoding) = media.get_mut("encoding").and_then(Value::as_object_mut) else { continue };
            for entry in encoding.values_mut().filter_map(Value::as_object_mut) {
                if !entry.contains_key("explode") {
                    let form = entry.get("style").is_none_or(|style| style == "form");
                    entry.insert("explode".to_owned(), Value::Bool(form));
                }
            }
        }
    }
    if let Some(paths) = document.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut().filter_map(Value::as_object_mut) {
            for method in METHODS {
                if let Some(request_body) = item.get_mut(*method).and_then(|operation| operation.get_mut("requestBody"))
                {
                    body(request_body);
                }
            }
        }
    }
    let bodies = document.pointer_mut("/components/requestBodies").and_then(Value::as_object_mut);
    for request_body in bodies.into_iter().flat_map(|bodies| bodies.values_mut()) {
        body(request_body);
    }
}

fn detect_version(document: &Value) -> Result<SourceVersion, Problems> {
    let refuse = |at: &str, message: String| Err(vec![(at.to_owned(), message)]);
    let Some(root) = document.as_object() else {
        return refuse("#", "the document is not an object: expected an OpenAPI or Swagger document".to_owned());
    };
    if let Some(declared) = root.get("openapi") {
        return match version_text(declared) {
            Some(version) if in_family(&version, "3.0") => Ok(SourceVersion::OpenApi30),
            Some(version) if in_family(&version, "3.1") => Ok(SourceVersion::OpenApi31),
            Some(version) => refuse(
                "#/openapi",
                format!("OpenAPI {version} is not supported: expected 3.0.x or 3.1.x (or Swagger 2.0)"),
            ),
            None => refuse("#/openapi", "`openapi` must be a version string such as \"3.0.3\"".to_owned()),
        };
    }
    if let Some(declared) = root.get("swagger") {
        return match version_text(declared) {
            Some(version) if version == "2.0" => Ok(SourceVersion::Swagger20),
            Some(version) => refuse(
                "#/swagger",
                format!("Swagger {version} is not supported: expected 2.0 (or OpenAPI 3.0.x or 3.1.x)"),
            ),
            None => refuse("#/swagger", "`swagger` must be the version string \"2.0\"".to_owned()),
        };
    }
    refuse("#/openapi", "missing `openapi` (or `swagger`): this is not an OpenAPI or Swagger document".to_owned())
}

fn version_text(declared: &Value) -> Option<String> {
    match declared {
        Value::String(text) => Some(text.trim().to_owned()),
        // An unquoted YAML `2.0` arrives as a number.
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

/// `3.0` and `3.0.3` are in family `3.0`; `3.01` is not.
fn in_family(version: &str, family: &str) -> bool {
    version.strip_prefix(family).is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
}

fn into_result(problems: Problems) -> Result<(), Problems> {
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

mod openapi31;
mod schema;
mod swagger;

#[cfg(test)]
mod tests {
    use super::{normalize, SourceVersion};
    use crate::diagnostics::Origins;
    use serde_json::{json, Value};

    fn converted(mut document: Value) -> Value {
        match normalize(&mut document, &mut Origins::default(), &mut Origins::default()) {
            Ok(_) => document,
            Err(problems) => panic!("conversion failed: {problems:?}"),
        }
    }

    fn problems(mut document: Value) -> Vec<(String, String)> {
        match normalize(&mut document, &mut Origins::default(), &mut Origins::default()) {
            Ok(source) => panic!("expected problems, converted from {source:?}"),
            Err(problems) => problems,
        }
    }

    fn swagger(extra: Value) -> Value {
        let mut document = json!({ "swagger": "2.0", "info": { "title": "T", "version": "1" }, "paths": {} });
        if let (Some(document), Value::Object(extra)) = (document.as_object_mut(), extra) {
            document.extend(extra);
        }
        document
    }

    fn openapi31(extra: Value) -> Value {
        let mut document = json!({ "openapi": "3.1.0", "info": { "title": "T", "version": "1" }, "paths": {} });
        if let (Some(document), Value::Object(extra)) = (document.as_object_mut(), extra) {
            document.extend(extra);
        }
        document
    }

    /// Converts a 3.1 document holding `schema` as `components/schemas/S` and returns it.
    fn schema31(schema: Value) -> Value {
        let document = converted(openapi31(json!({ "components": { "schemas": { "S": schema } } })));
        document.pointer("/components/schemas/S").cloned().unwrap_or(Value::Null)
    }

    #[test]
    fn openapi_30_is_left_alone() {
        let original = json!({
            "openapi": "3.0.1",
            "info": { "title": "T", "version": "1" },
            "paths": {},
            "components": { "schemas": { "A": { "type": ["string", "null"], "x-nullable": true } } }
        });
        let mut document = original.clone();
        assert_eq!(
            normalize(&mut document, &mut Origins::default(), &mut Origins::default()),
            Ok(SourceVersion::OpenApi30)
        );
        assert_eq!(document, original);
    }

    #[test]
    fn unsupported_or_missing_versions_are_refused_at_the_version_field() {
        let refused = |document: Value| problems(document).into_iter().map(|(at, _)| at).collect::<Vec<_>>();
        assert_eq!(refused(json!({ "swagger": "1.2" })), ["#/swagger"]);
        assert_eq!(refused(json!({ "openapi": "4.0.0" })), ["#/openapi"]);
        assert_eq!(refused(json!({ "openapi": "3.01" })), ["#/openapi"]);
        assert_eq!(refused(json!({ "info": {} })), ["#/openapi"]);
        assert_eq!(refused(json!([])), ["#"]);
        let message = &problems(json!({ "swagger": "1.2" }))[0].1;
        assert!(message.contains("Swagger 1.2 is not supported"), "{message}");
        // An unquoted YAML `2.0` is a number.
        assert_eq!(
            normalize(
                &mut json!({ "swagger": 2.0, "info": {}, "paths": {} }),
                &mut Origins::default(),
                &mut Origins::default()
            ),
            Ok(SourceVersion::Swagger20)
        );
        assert_eq!(
            normalize(&mut openapi31(json!({})), &mut Origins::default(), &mut Origins::default()),
            Ok(SourceVersion::OpenApi31)
        );
    }

    #[test]
    fn swagger_top_level_becomes_servers_and_drops_2_0_fields() {
        let document = converted(swagger(json!({
            "host": "api.example.com",
            "basePath": "/v2",
            "schemes": ["https", "http"],
            "consumes": ["application/json"],
            "produces": ["application/json"],
            "tags": [{ "name": "users" }],
            "security": [{ "key": [] }],
            "externalDocs": { "url": "https://docs.example.com" },
            "x-vendor": 1
        })));
        assert_eq!(
            document,
            json!({
                "openapi": "3.0.3",
                "info": { "title": "T", "version": "1" },
                "servers": [{ "url": "https://api.example.com/v2" }, { "url": "http://api.example.com/v2" }],
                "paths": {},
                "tags": [{ "name": "users" }],
                "security": [{ "key": [] }],
                "externalDocs": { "url": "https://docs.example.com" },
                "x-vendor": 1
            })
        );
        let servers = |extra: Value| converted(swagger(extra)).get("servers").cloned();
        assert_eq!(servers(json!({ "host": "h.io" })), Some(json!([{ "url": "https://h.io" }])));
        assert_eq!(servers(json!({ "host": "h.io", "basePath": "/" })), Some(json!([{ "url": "https://h.io" }])));
        assert_eq!(servers(json!({ "basePath": "/api" })), Some(json!([{ "url": "/api" }])));
        assert_eq!(servers(json!({})), None);
    }

    #[test]
    fn swagger_definitions_become_component_schemas_in_3_0_vocabulary() {
        let document = converted(swagger(json!({
            "definitions": {
                "Pet": {
                    "type": "object",
                    "discriminator": "kind",
                    "properties": {
                        "kind": { "type": "string" },
                        "owner": { "$ref": "#/definitions/Owner" },
                        "photo": { "type": "file" },
                        "tags": { "type": "array", "items": { "type": "string", "x-nullable": true } }
                    }
                },
                "Owner": { "type": "object", "x-nullable": true, "additionalProperties": { "$ref": "#/definitions/Pet" } },
                "MaybePet": { "$ref": "#/definitions/Pet", "x-nullable": true, "description": "Or null." }
            }
        })));
        assert_eq!(
            document["components"],
            json!({ "schemas": {
                "Pet": {
                    "type": "object",
                    "discriminator": { "propertyName": "kind" },
                    "properties": {
                        "kind": { "type": "string" },
                        "owner": { "$ref": "#/components/schemas/Owner" },
                        "photo": { "type": "string", "format": "binary" },
                        "tags": { "type": "array", "items": { "type": "string", "nullable": true } }
                    }
                },
                "Owner": { "type": "object", "nullable": true, "additionalProperties": { "$ref": "#/components/schemas/Pet" } },
                "MaybePet": { "nullable": true, "description": "Or null.", "allOf": [{ "$ref": "#/components/schemas/Pet" }] }
            } })
        );
    }

    #[test]
    fn swagger_body_parameter_becomes_request_body_for_each_consumed_type() {
        let body = json!({ "name": "pet", "in": "body", "required": true, "description": "The pet.",
                           "schema": { "$ref": "#/definitions/Pet" }, "x-extra": 1 });
        let document = converted(swagger(json!({
            "consumes": ["application/xml"],
            "paths": { "/pets": {
                "post": { "consumes": ["application/json", "text/json"], "parameters": [body.clone()], "responses": {} },
                "put": { "parameters": [body], "responses": {} }
            } }
        })));
        let schema = json!({ "schema": { "$ref": "#/components/schemas/Pet" } });
        assert_eq!(
            document["paths"]["/pets"],
            json!({
                "post": { "requestBody": { "description": "The pet.", "required": true, "x-extra": 1,
                                           "content": { "application/json": schema, "text/json": schema } },
                          "responses": {} },
                "put": { "requestBody": { "description": "The pet.", "required": true, "x-extra": 1,
                                          "content": { "application/xml": schema } },
                         "responses": {} }
            })
        );
        // Without any `consumes`, JSON.
        let document = converted(swagger(json!({ "paths": { "/p": { "post": {
            "parameters": [{ "name": "b", "in": "body", "schema": { "type": "string" } }], "responses": {}
        } } } })));
        assert_eq!(
            document["paths"]["/p"]["post"]["requestBody"],
            json!({ "content": { "application/json": { "schema": { "type": "string" } } } })
        );
    }

    #[test]
    fn swagger_form_parameters_become_one_object_body() {
        let operation = |parameters: Value, consumes: Value| {
            let document = converted(swagger(json!({ "paths": { "/f": { "post": {
                "consumes": consumes, "parameters": parameters, "responses": {}
            } } } })));
            document["paths"]["/f"]["post"].clone()
        };
        let fields = json!([
            { "name": "id", "in": "path", "type": "string", "required": true },
            { "name": "note", "in": "formData", "type": "string", "description": "A note." },
            { "name": "count", "in": "formData", "type": "integer", "required": true }
        ]);
        assert_eq!(
            operation(fields.clone(), json!([])),
            json!({
                "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "string" } }],
                "requestBody": { "required": true, "content": { "application/x-www-form-urlencoded": { "schema": {
                    "type": "object",
                    "properties": { "note": { "type": "string", "description": "A note." }, "count": { "type": "integer" } },
                    "required": ["count"]
                } } } },
                "responses": {}
            })
        );
        let multipart = operation(fields, json!(["multipart/form-data"]));
        assert!(multipart.pointer("/requestBody/content/multipart~1form-data").is_some(), "{multipart}");
        let upload = operation(json!([{ "name": "file", "in": "formData", "type": "file" }]), json!([]));
        assert_eq!(
            upload["requestBody"],
            json!({ "content": { "multipart/form-data": { "schema": {
                "type": "object", "properties": { "file": { "type": "string", "format": "binary" } }
            } } } })
        );
        // A field that gives a 3.0 `schema` keeps it (LibreTranslate's document does this).
        let written_as_3_0 = json!([
            { "name": "q", "in": "formData", "required": true, "schema": { "type": "string", "example": "Hi" } }
        ]);
        assert_eq!(
            operation(written_as_3_0, json!([]))["requestBody"]["content"]["application/x-www-form-urlencoded"]
                ["schema"],
            json!({ "type": "object", "properties": { "q": { "type": "string", "example": "Hi" } }, "required": ["q"] })
        );
    }

    #[test]
    fn swagger_simple_parameters_get_a_schema_and_a_style() {
        let document = converted(swagger(json!({ "paths": { "/p/{ids}": { "get": { "parameters": [
            { "name": "ids", "in": "path", "required": true, "type": "array", "items": { "type": "integer" } },
            { "name": "a", "in": "query", "type": "array", "collectionFormat": "csv", "items": { "type": "string" } },
            { "name": "b", "in": "query", "type": "array", "collectionFormat": "multi",
              "items": { "type": "string", "enum": ["x", "y"] } },
            { "name": "c", "in": "query", "type": "array", "collectionFormat": "ssv", "items": { "type": "string" } },
            { "name": "d", "in": "query", "type": "array", "collectionFormat": "pipes",
              "items": { "type": "array", "collectionFormat": "csv", "items": { "type": "string" } } },
            { "name": "X-Tags", "in": "header", "type": "array", "items": { "type": "string" } },
            { "name": "limit", "in": "query", "type": "integer", "format": "int32", "minimum": 1, "default": 10,
              "x-nullable": true, "description": "Page size.", "allowEmptyValue": true }
        ], "responses": {} } } } })));
        assert_eq!(
            document["paths"]["/p/{ids}"]["get"]["parameters"],
            json!([
                { "name": "ids", "in": "path", "required": true, "style": "simple",
                  "schema": { "type": "array", "items": { "type": "integer" } } },
                { "name": "a", "in": "query", "style": "form", "explode": false,
                  "schema": { "type": "array", "items": { "type": "string" } } },
                { "name": "b", "in": "query", "style": "form", "explode": true,
                  "schema": { "type": "array", "items": { "type": "string", "enum": ["x", "y"] } } },
                { "name": "c", "in": "query", "style": "spaceDelimited",
                  "schema": { "type": "array", "items": { "type": "string" } } },
                { "name": "d", "in": "query", "style": "pipeDelimited",
                  "schema": { "type": "array", "items": { "type": "array", "items": { "type": "string" } } } },
                { "name": "X-Tags", "in": "header", "style": "simple",
                  "schema": { "type": "array", "items": { "type": "string" } } },
                { "name": "limit", "in": "query", "description": "Page size.", "allowEmptyValue": true,
                  "schema": { "type": "integer", "format": "int32", "minimum": 1, "default": 10, "nullable": true } }
            ])
        );
    }

    #[test]
    fn swagger_problems_are_reported_at_their_pointers() {
        let found = problems(swagger(json!({ "paths": { "/u/{id}": {
            "get": { "parameters": [
                { "name": "t", "in": "query", "type": "array", "collectionFormat": "tsv", "items": { "type": "string" } },
                { "name": "id", "in": "path", "type": "array", "collectionFormat": "pipes", "items": { "type": "string" } },
                { "name": "c", "in": "cookie", "type": "string" }
            ], "responses": {} },
            "post": { "parameters": [
                { "name": "a", "in": "body", "schema": {} },
                { "name": "b", "in": "body", "schema": {} },
                { "name": "f", "in": "formData", "type": "string" }
            ], "responses": {} }
        } } })));
        let at: Vec<&str> = found.iter().map(|(at, _)| at.as_str()).collect();
        assert_eq!(
            at,
            [
                "#/paths/~1u~1{id}/get/parameters/0/collectionFormat",
                "#/paths/~1u~1{id}/get/parameters/1/collectionFormat",
                "#/paths/~1u~1{id}/get/parameters/2/in",
                "#/paths/~1u~1{id}/post/parameters/1",
                "#/paths/~1u~1{id}/post/parameters/2",
            ]
        );
        assert_eq!(found[0].1, "collectionFormat `tsv` has no OpenAPI 3 equivalent for a query parameter");
    }

    #[test]
    fn swagger_shared_parameters_split_into_parameters_and_request_bodies() {
        let document = converted(swagger(json!({
            "parameters": {
                "Limit": { "name": "limit", "in": "query", "type": "integer" },
                "NewPet": { "name": "pet", "in": "body", "required": true, "schema": { "$ref": "#/definitions/Pet" } },
                "Photo": { "name": "photo", "in": "formData", "type": "file", "required": true }
            },
            "paths": { "/pets": {
                "parameters": [{ "$ref": "#/parameters/Limit" }],
                "post": { "parameters": [{ "$ref": "#/parameters/NewPet" }], "responses": {} },
                "put": { "parameters": [{ "$ref": "#/parameters/Photo" }], "responses": {} }
            } }
        })));
        assert_eq!(
            document["paths"]["/pets"],
            json!({
                "parameters": [{ "$ref": "#/components/parameters/Limit" }],
                "post": { "requestBody": { "$ref": "#/components/requestBodies/NewPet" }, "responses": {} },
                "put": { "requestBody": { "required": true, "content": { "multipart/form-data": { "schema": {
                    "type": "object", "properties": { "photo": { "type": "string", "format": "binary" } },
                    "required": ["photo"]
                } } } }, "responses": {} }
            })
        );
        assert_eq!(
            document["components"],
            json!({
                "parameters": { "Limit": { "name": "limit", "in": "query", "schema": { "type": "integer" } } },
                "requestBodies": { "NewPet": { "required": true, "content": { "application/json": {
                    "schema": { "$ref": "#/components/schemas/Pet" }
                } } } }
            })
        );
    }

    #[test]
    fn swagger_path_level_body_parameters_move_into_each_operation() {
        let document = converted(swagger(json!({ "paths": { "/p/{id}": {
            "parameters": [
                { "name": "id", "in": "path", "required": true, "type": "string" },
                { "name": "body", "in": "body", "schema": { "type": "object" } }
            ],
            "put": { "responses": {} },
            "post": { "parameters": [{ "name": "mine", "in": "body", "schema": { "type": "string" } }], "responses": {} }
        } } })));
        assert_eq!(
            document["paths"]["/p/{id}"],
            json!({
                "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "string" } }],
                "put": { "requestBody": { "content": { "application/json": { "schema": { "type": "object" } } } },
                         "responses": {} },
                "post": { "requestBody": { "content": { "application/json": { "schema": { "type": "string" } } } },
                          "responses": {} }
            })
        );
    }

    #[test]
    fn swagger_responses_get_content_per_produced_type() {
        let document = converted(swagger(json!({
            "produces": ["application/json"],
            "responses": { "NotFound": { "description": "Missing.", "schema": { "$ref": "#/definitions/Error" } } },
            "paths": { "/p": { "get": {
                "produces": ["application/json", "text/csv"],
                "responses": {
                    "200": {
                        "description": "OK",
                        "schema": { "type": "array", "items": { "type": "string" } },
                        "headers": { "X-Rate": { "type": "integer", "format": "int32", "description": "Left." } },
                        "examples": { "application/json": ["a"] }
                    },
                    "204": { "description": "Nothing." },
                    "404": { "$ref": "#/responses/NotFound" },
                    "x-note": "kept"
                }
            } } }
        })));
        let list = json!({ "schema": { "type": "array", "items": { "type": "string" } } });
        assert_eq!(
            document["paths"]["/p"]["get"]["responses"],
            json!({
                "200": {
                    "description": "OK",
                    "headers": { "X-Rate": { "description": "Left.", "schema": { "type": "integer", "format": "int32" } } },
                    "content": { "application/json": list, "text/csv": list }
                },
                "204": { "description": "Nothing." },
                "404": { "$ref": "#/components/responses/NotFound" },
                "x-note": "kept"
            })
        );
        assert_eq!(
            document["components"]["responses"],
            json!({ "NotFound": { "description": "Missing.", "content": { "application/json": {
                "schema": { "$ref": "#/components/schemas/Error" }
            } } } })
        );
    }

    #[test]
    fn swagger_security_definitions_become_security_schemes() {
        let document = converted(swagger(json!({ "securityDefinitions": {
            "basic": { "type": "basic", "description": "Password." },
            "key": { "type": "apiKey", "in": "header", "name": "X-Key" },
            "implicit": { "type": "oauth2", "flow": "implicit", "authorizationUrl": "https://a", "scopes": { "r": "Read" } },
            "password": { "type": "oauth2", "flow": "password", "tokenUrl": "https://t", "scopes": {} },
            "application": { "type": "oauth2", "flow": "application", "tokenUrl": "https://t", "x-extra": true },
            "code": { "type": "oauth2", "flow": "accessCode", "authorizationUrl": "https://a", "tokenUrl": "https://t",
                      "scopes": { "w": "Write" } }
        } })));
        assert_eq!(
            document["components"]["securitySchemes"],
            json!({
                "basic": { "type": "http", "scheme": "basic", "description": "Password." },
                "key": { "type": "apiKey", "in": "header", "name": "X-Key" },
                "implicit": { "type": "oauth2", "flows": { "implicit": {
                    "authorizationUrl": "https://a", "scopes": { "r": "Read" } } } },
                "password": { "type": "oauth2", "flows": { "password": { "tokenUrl": "https://t", "scopes": {} } } },
                "application": { "type": "oauth2", "x-extra": true,
                                 "flows": { "clientCredentials": { "tokenUrl": "https://t", "scopes": {} } } },
                "code": { "type": "oauth2", "flows": { "authorizationCode": {
                    "authorizationUrl": "https://a", "tokenUrl": "https://t", "scopes": { "w": "Write" } } } }
            })
        );
        let found = problems(swagger(json!({ "securityDefinitions": { "x": { "type": "oauth2", "flow": "magic" } } })));
        assert_eq!(found[0].0, "#/securityDefinitions/x/flow");
    }

    #[test]
    fn converted_swagger_parses_as_openapi_3_0() {
        let document = converted(swagger(json!({
            "host": "h.io",
            "securityDefinitions": { "basic": { "type": "basic" } },
            "definitions": { "Pet": { "type": "object", "properties": { "name": { "type": "string", "x-nullable": true } } } },
            "paths": { "/pets/{id}": {
                "parameters": [{ "name": "id", "in": "path", "required": true, "type": "string" }],
                "put": {
                    "parameters": [
                        { "name": "pet", "in": "body", "schema": { "$ref": "#/definitions/Pet" } },
                        { "name": "tags", "in": "query", "type": "array", "items": { "type": "string" } }
                    ],
                    "responses": { "200": { "description": "OK", "schema": { "$ref": "#/definitions/Pet" } } }
                }
            } }
        })));
        let parsed = serde_json::from_value::<openapiv3::OpenAPI>(document);
        assert!(parsed.is_ok(), "{parsed:?}");
    }

    #[test]
    fn openapi_31_type_lists_become_nullable_or_any_of() {
        assert_eq!(
            schema31(json!({ "type": ["string", "null"], "format": "date" })),
            json!({ "type": "string", "format": "date", "nullable": true })
        );
        assert_eq!(schema31(json!({ "type": ["null"] })), json!({ "nullable": true, "enum": [null] }));
        assert_eq!(schema31(json!({ "type": "null" })), json!({ "nullable": true, "enum": [null] }));
        assert_eq!(
            schema31(
                json!({ "type": ["string", "integer", "null"], "maxLength": 3, "minimum": 0, "description": "Id." })
            ),
            json!({
                "description": "Id.",
                "nullable": true,
                "anyOf": [{ "type": "string", "maxLength": 3 }, { "type": "integer", "minimum": 0 }]
            })
        );
        let found = problems(openapi31(json!({ "components": { "schemas": { "S": { "type": ["string", 1] } } } })));
        assert_eq!(found, [("#/components/schemas/S/type/1".to_owned(), "a `type` entry must be a string".to_owned())]);
    }

    #[test]
    fn openapi_31_const_examples_and_exclusive_bounds() {
        assert_eq!(schema31(json!({ "const": "on" })), json!({ "enum": ["on"] }));
        assert_eq!(
            schema31(json!({ "type": "integer", "examples": [3, 4] })),
            json!({ "type": "integer", "example": 3 })
        );
        assert_eq!(
            schema31(json!({ "type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 10.5 })),
            json!({ "type": "number", "minimum": 0, "exclusiveMinimum": true, "maximum": 10.5, "exclusiveMaximum": true })
        );
        // An inclusive bound tighter than the exclusive one wins.
        assert_eq!(
            schema31(json!({ "type": "number", "minimum": 5, "exclusiveMinimum": 0 })),
            json!({ "type": "number", "minimum": 5 })
        );
    }

    #[test]
    fn openapi_31_ref_siblings_are_dropped_or_wrapped_in_all_of() {
        assert_eq!(
            schema31(json!({ "$ref": "#/components/schemas/T", "title": "T.", "examples": [1], "x-a": 1 })),
            json!({ "$ref": "#/components/schemas/T" })
        );
        assert_eq!(
            schema31(
                json!({ "$ref": "#/components/schemas/T", "description": "D.", "readOnly": true, "examples": [1] })
            ),
            json!({ "description": "D.", "readOnly": true, "allOf": [{ "$ref": "#/components/schemas/T" }] })
        );
        assert_eq!(
            schema31(
                json!({ "$ref": "#/components/schemas/T", "description": "D.", "properties": { "x": { "const": 1 } } })
            ),
            json!({
                "description": "D.",
                "properties": { "x": { "enum": [1] } },
                "allOf": [{ "$ref": "#/components/schemas/T" }]
            })
        );
    }

    #[test]
    fn openapi_31_null_alternatives_make_the_parent_nullable() {
        assert_eq!(
            schema31(json!({ "anyOf": [{ "$ref": "#/components/schemas/T" }, { "type": "null" }] })),
            json!({ "nullable": true, "allOf": [{ "$ref": "#/components/schemas/T" }] })
        );
        assert_eq!(
            schema31(
                json!({ "oneOf": [{ "type": "string", "minLength": 1 }, { "type": "null" }], "description": "D." })
            ),
            json!({ "description": "D.", "nullable": true, "type": "string", "minLength": 1 })
        );
        assert_eq!(
            schema31(json!({ "oneOf": [{ "type": "string" }, { "type": "integer" }, { "type": "null" }] })),
            json!({ "oneOf": [{ "type": "string" }, { "type": "integer" }], "nullable": true })
        );
    }

    #[test]
    fn openapi_31_encoded_strings_get_a_format() {
        assert_eq!(
            schema31(json!({ "type": "string", "contentMediaType": "image/png" })),
            json!({ "type": "string", "format": "binary" })
        );
        assert_eq!(
            schema31(json!({ "type": "string", "contentEncoding": "base64", "contentMediaType": "image/png" })),
            json!({ "type": "string", "format": "byte" })
        );
    }

    #[test]
    fn openapi_31_schemas_are_found_everywhere() {
        let nullable = json!({ "type": ["integer", "null"] });
        let document = converted(openapi31(json!({
            "paths": { "/p": {
                "parameters": [{ "name": "q", "in": "query", "schema": nullable }],
                "post": {
                    "requestBody": { "content": { "application/json": { "schema": {
                        "type": "object",
                        "properties": { "a": nullable },
                        "additionalProperties": nullable,
                        "prefixItems": [nullable],
                        "items": true,
                        "allOf": [{ "not": nullable }]
                    } } } },
                    "responses": { "200": { "description": "OK", "headers": { "H": { "schema": nullable } } } }
                }
            } },
            "components": { "parameters": { "P": { "name": "p", "in": "query", "content": {
                "application/json": { "schema": nullable }
            } } } }
        })));
        let fixed = json!({ "type": "integer", "nullable": true });
        assert_eq!(document["paths"]["/p"]["parameters"][0]["schema"], fixed);
        assert_eq!(
            document["paths"]["/p"]["post"]["requestBody"]["content"]["application/json"]["schema"],
            json!({
                "type": "object",
                "properties": { "a": fixed },
                "additionalProperties": fixed,
                "prefixItems": [fixed],
                "items": {},
                "allOf": [{ "not": fixed }]
            })
        );
        assert_eq!(document["paths"]["/p"]["post"]["responses"]["200"]["headers"]["H"]["schema"], fixed);
        assert_eq!(document["components"]["parameters"]["P"]["content"]["application/json"]["schema"], fixed);
    }

    #[test]
    fn openapi_31_document_fields_are_downgraded() {
        let mut document = openapi31(json!({
            "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
            "webhooks": { "created": { "post": { "responses": {} } } },
            "info": { "title": "T", "version": "1", "summary": "S.", "license": { "name": "MIT", "identifier": "MIT" } }
        }));
        if let Some(root) = document.as_object_mut() {
            root.shift_remove("paths");
        }
        assert_eq!(
            converted(document),
            json!({
                "openapi": "3.0.3",
                "info": { "title": "T", "version": "1", "license": { "name": "MIT" } },
                "paths": {}
            })
        );
    }

    #[test]
    fn openapi_31_path_item_refs_are_inlined() {
        let document = converted(openapi31(json!({
            "paths": {
                "/a": { "$ref": "#/components/pathItems/A", "summary": "Mine." },
                "/b": { "$ref": "#/paths/~1a" }
            },
            "components": { "pathItems": { "A": { "summary": "Theirs.", "get": { "responses": {} } } } }
        })));
        assert_eq!(
            document,
            json!({
                "openapi": "3.0.3",
                "info": { "title": "T", "version": "1" },
                "paths": {
                    "/a": { "summary": "Mine.", "get": { "responses": {} } },
                    "/b": { "$ref": "#/paths/~1a" }
                },
                "components": {}
            })
        );
        let found = problems(openapi31(json!({
            "paths": { "/a": { "$ref": "#/components/pathItems/Missing" } },
            "components": {
                "pathItems": { "A": { "get": { "responses": {} } } },
                "callbacks": { "C": { "{$url}": { "$ref": "#/components/pathItems/A" } } }
            }
        })));
        let at: Vec<&str> = found.iter().map(|(at, _)| at.as_str()).collect();
        assert_eq!(at, ["#/paths/~1a/$ref", "#/components/callbacks/C/{$url}/$ref"]);
    }

    #[test]
    fn openapi_31_mutual_tls_is_refused() {
        let found = problems(openapi31(json!({
            "components": { "securitySchemes": { "mtls": { "type": "mutualTLS" } } }
        })));
        assert_eq!(found[0].0, "#/components/securitySchemes/mtls/type");
    }
}
