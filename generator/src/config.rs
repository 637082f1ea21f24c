//! Config: what a maintainer steers without editing the vendor's document.
//!
//! A TOML file beside the spec (`specs/<name>.toml`) renames the API, its tags,
//! operations and schemas, maps string formats to crates, adds derives and attributes,
//! picks the operations to generate and overrides paging. [`Config::parse`] checks the
//! file's own shape (unknown keys, wrong types); loading checks what it names against the
//! document (an operation id no operation has), each problem naming the config file and
//! the key as written (`operations.userToken.method`).

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::naming;
use serde::Deserialize;
use std::collections::BTreeMap;

/// One API's config, as read from its file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// How errors name the file.
    #[serde(skip)]
    pub file: String,
    /// Module and cargo feature of the API (`zoom` → `zoom` and `zoom`).
    pub module: Option<String>,
    /// Prefix of the variables `Client::from_env` reads (`ZOOM` → `ZOOM_BASE_URL`).
    pub env_prefix: Option<String>,
    /// From this many operations the API gets a cargo feature per tag.
    pub tag_features_from: Option<usize>,
    /// Where the API's documentation lives: links in the spec's descriptions relative to
    /// the site's root (`/docs/guides`) are made absolute against it.
    pub docs_url: Option<String>,
    /// Overlay files, relative to the config, applied to the spec in this order.
    #[serde(default)]
    pub overlays: Vec<String>,
    /// Tag as the spec writes it → module and feature name.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// By `operationId` (or `METHOD /path` for operations without one).
    #[serde(default)]
    pub operations: BTreeMap<String, OperationConfig>,
    /// By the name under `#/components/schemas`.
    #[serde(default)]
    pub schemas: BTreeMap<String, SchemaConfig>,
    #[serde(default)]
    pub formats: Formats,
    /// Only these operations (any of the lists matches); all when absent.
    pub include: Option<Selection>,
    /// None of these operations, even when included.
    #[serde(default)]
    pub exclude: Selection,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct OperationConfig {
    /// The method's name (`revoke_sso_token`).
    pub method: Option<String>,
    /// How the operation pages, when the detector gets it wrong.
    pub pagination: Option<PaginationConfig>,
}

/// How an operation pages, where the detector gets it wrong: a style and the names it
/// reads (the parameter's name as the spec writes it; response fields as a dotted path,
/// `meta.next_cursor`), or `none`. The items are found as the detector finds them: the
/// body when it is a list, an envelope's result, else the response's one list field.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", rename_all_fields = "kebab-case", tag = "style")]
pub enum PaginationConfig {
    /// No `into_stream()`, whatever the operation's names suggest.
    None,
    /// The next page is the `Link: <…>; rel="next"` response header.
    LinkHeader,
    /// A page-number query parameter, optionally a page size and a total of pages.
    PageNumber {
        parameter: String,
        #[serde(default)]
        per_page: Option<String>,
        #[serde(default)]
        total_pages: Option<String>,
    },
    /// A cursor query parameter fed from a response field.
    Cursor { parameter: String, next: String },
    /// The last item's `id` in `parameter` while the `has-more` field is true (Stripe).
    AfterLastItem { parameter: String, has_more: String },
    /// An offset query parameter counting the items fetched, optionally a limit and a total.
    Offset {
        parameter: String,
        #[serde(default)]
        limit: Option<String>,
        #[serde(default)]
        total: Option<String>,
    },
    /// The next page's URL in a response field.
    NextUrl { next: String },
    /// A cursor query parameter fed from a response header.
    HeaderCursor { parameter: String, header: String },
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SchemaConfig {
    /// The type's name (`Token`).
    pub name: Option<String>,
    /// Derives added to the type's own (`["Eq", "Hash"]`).
    #[serde(default)]
    pub derive: Vec<String>,
    /// Attributes put on the type (`["#[non_exhaustive]"]`).
    #[serde(default)]
    pub attributes: Vec<String>,
}

/// Crates that string formats decode into; each is opt-in, and the crate is added to the
/// generated manifest only when a type uses it. Without a mapping a format is a `String`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Formats {
    /// `format: date-time`: `chrono::DateTime<chrono::Utc>` or `jiff::Timestamp`.
    pub date_time: Option<TimeCrate>,
    /// `format: date`: `chrono::NaiveDate` or `jiff::civil::Date`.
    pub date: Option<TimeCrate>,
    /// `format: uuid`: `uuid::Uuid`.
    pub uuid: Option<UuidCrate>,
    /// `format: uri` (and `url`): `url::Url`.
    pub uri: Option<UrlCrate>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TimeCrate {
    Chrono,
    Jiff,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UuidCrate {
    Uuid,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UrlCrate {
    Url,
}

/// Operations by tag, by path (exact, or a prefix ending in `*`) or by id.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Selection {
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub paths: Vec<String>,
    #[serde(default)]
    pub operations: Vec<String>,
}

impl Selection {
    pub(crate) fn matches(&self, tags: &[String], path: &str, operation_keys: &[String]) -> bool {
        self.tags.iter().any(|tag| tags.contains(tag))
            || self.paths.iter().any(|pattern| match pattern.strip_suffix('*') {
                Some(prefix) => path.starts_with(prefix),
                None => path == pattern,
            })
            || self.operations.iter().any(|id| operation_keys.contains(id))
    }

    fn is_empty(&self) -> bool {
        self.tags.is_empty() && self.paths.is_empty() && self.operations.is_empty()
    }
}

impl Config {
    /// Reads a config file; `file` is how errors name it.
    pub fn parse(file: &str, text: &str) -> Result<Config, Diagnostics> {
        let fail = |location: String, message: String| {
            Diagnostics(vec![Diagnostic { file: file.to_owned(), location, message }])
        };
        let deserializer = toml::Deserializer::parse(text)
            .map_err(|error| fail(line_of(text, error.span()), error.message().to_owned()))?;
        let mut config: Config = serde_path_to_error::deserialize(deserializer).map_err(|error| {
            let key = error.path().to_string();
            let inner = error.into_inner();
            let location = match key.as_str() {
                "." | "" => line_of(text, inner.span()),
                _ => key,
            };
            fail(location, inner.message().to_owned())
        })?;
        config.file = file.to_owned();
        config.check_names()?;
        Ok(config)
    }

    /// Whether the operation is generated.
    pub(crate) fn selects(&self, tags: &[String], path: &str, operation_keys: &[String]) -> bool {
        let included = self.include.as_ref().is_none_or(|include| include.matches(tags, path, operation_keys));
        included && !self.exclude.matches(tags, path, operation_keys)
    }

    /// Whether only some operations are generated, so types no operation uses are dropped.
    pub(crate) fn filters(&self) -> bool {
        self.include.is_some() || !self.exclude.is_empty()
    }

    /// A problem with what the config names, at `key`.
    pub(crate) fn problem(&self, key: impl Into<String>, message: impl Into<String>) -> Diagnostic {
        Diagnostic { file: self.file.clone(), location: key.into(), message: message.into() }
    }

    /// Names must already be what they become: a config that says `getUser` would
    /// otherwise silently give `get_user`.
    fn check_names(&self) -> Result<(), Diagnostics> {
        let mut found = Vec::new();
        let mut mismatches = Vec::new();
        let mut expect = |key: String, given: &str, wanted: String, kind: &str| {
            if given != wanted {
                mismatches.push(self.problem(key, format!("`{given}` is not a {kind}; write `{wanted}`")));
            }
        };
        if let Some(module) = &self.module {
            expect("module".to_owned(), module, naming::module_name(module), "module name (snake case)");
        }
        if let Some(prefix) = &self.env_prefix {
            expect("env-prefix".to_owned(), prefix, naming::const_name(prefix), "variable prefix (upper snake case)");
        }
        for (tag, module) in &self.tags {
            expect(
                format!("tags.{}", quoted_key(tag)),
                module,
                naming::module_name(module),
                "module name (snake case)",
            );
        }
        for (id, operation) in &self.operations {
            if let Some(method) = &operation.method {
                let key = format!("operations.{}.method", quoted_key(id));
                expect(key, method, naming::snake_ident(method), "method name (snake case)");
            }
        }
        for (schema, settings) in &self.schemas {
            if let Some(name) = &settings.name {
                let key = format!("schemas.{}.name", quoted_key(schema));
                expect(key, name, naming::type_name(name), "type name (upper camel case)");
            }
            for (index, derive) in settings.derive.iter().enumerate() {
                let path_like = derive.split("::").all(syn_ident);
                if !path_like {
                    let key = format!("schemas.{}.derive[{index}]", quoted_key(schema));
                    found.push(self.problem(key, format!("`{derive}` is not a derive macro path")));
                }
            }
            for (index, attribute) in settings.attributes.iter().enumerate() {
                if parse_attribute(attribute).is_none() {
                    let key = format!("schemas.{}.attributes[{index}]", quoted_key(schema));
                    found.push(self.problem(key, format!("`{attribute}` is not an outer attribute (`#[...]`)")));
                }
            }
        }
        mismatches.extend(found);
        match mismatches.is_empty() {
            true => Ok(()),
            false => Err(Diagnostics(mismatches)),
        }
    }
}

/// An outer attribute as tokens, if it is one.
pub(crate) fn parse_attribute(text: &str) -> Option<Vec<syn::Attribute>> {
    use syn::parse::Parser;
    let attributes = syn::Attribute::parse_outer.parse_str(text).ok()?;
    (attributes.len() == 1).then_some(attributes)
}

fn syn_ident(text: &str) -> bool {
    syn::parse_str::<syn::Ident>(text).is_ok()
}

/// A TOML key as a dotted path segment: bare when it can be, else quoted.
pub(crate) fn quoted_key(key: &str) -> String {
    if !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        key.to_owned()
    } else {
        format!("{key:?}")
    }
}

fn line_of(text: &str, span: Option<std::ops::Range<usize>>) -> String {
    let Some(span) = span else { return "#".to_owned() };
    let before = &text[..span.start.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, str::len) + 1;
    format!("line {line}, column {column}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(text: &str) -> String {
        Config::parse("zoom.toml", text).expect_err("is refused").to_string()
    }

    #[test]
    fn a_config_reads_names_formats_and_selections() {
        let config = Config::parse(
            "zoom.toml",
            r#"
            module = "zoom"
            env-prefix = "ZOOM"
            [tags]
            Users = "users"
            [operations.userSSOTokenDelete]
            method = "revoke_sso_token"
            pagination = { style = "none" }
            [schemas.UserToken]
            name = "Token"
            derive = ["Eq"]
            [formats]
            date-time = "chrono"
            [exclude]
            paths = ["/internal/*"]
            "#,
        )
        .expect("reads");
        assert_eq!(config.module.as_deref(), Some("zoom"));
        assert_eq!(config.operations["userSSOTokenDelete"].pagination, Some(PaginationConfig::None));
        assert_eq!(config.formats.date_time, Some(TimeCrate::Chrono));
        // Fields of a style are kebab-case too, as the README writes them.
        let stripe = Config::parse(
            "stripe.toml",
            "[operations.GetCustomers]\npagination = { style = \"after-last-item\", parameter = \"starting_after\", has-more = \"has_more\" }\n",
        )
        .expect("reads");
        assert_eq!(
            stripe.operations["GetCustomers"].pagination,
            Some(PaginationConfig::AfterLastItem {
                parameter: "starting_after".to_owned(),
                has_more: "has_more".to_owned()
            })
        );
        assert!(config.filters());
        assert!(!config.selects(&[], "/internal/x", &[]));
        assert!(config.selects(&[], "/users", &[]));
    }

    #[test]
    fn a_bad_config_is_refused_with_its_file_and_key() {
        assert_eq!(
            error("[operations.userToken]\nmethd = \"x\"\n"),
            "error: zoom.toml: operations.userToken.methd: unknown field `methd`, expected `method` or `pagination`"
        );
        assert_eq!(
            error("[formats]\ndate-time = \"moment\"\n"),
            "error: zoom.toml: formats.date-time: unknown variant `moment`, expected `chrono` or `jiff`"
        );
        assert_eq!(
            error("[operations.userToken]\nmethod = \"getToken\"\n"),
            "error: zoom.toml: operations.userToken.method: `getToken` is not a method name (snake case); write `get_token`"
        );
        assert!(error("env-prefix = \"ZOOM\"\nmodule = zoom\n")
            .starts_with("error: zoom.toml: line 2, column 10: string values must be quoted"));
    }
}
