//! Identifier rules: case conversion, Rust keywords, prelude names, and collisions.
//!
//! Every Rust name in the IR comes from here, so the rules live in one place and the
//! emitter can print names without second-guessing them.

use heck::{ToSnakeCase, ToUpperCamelCase};
use std::collections::BTreeSet;

/// Keywords that `r#` can escape.
const RAW_KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do", "dyn", "else", "enum",
    "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "macro", "match", "mod", "move",
    "mut", "override", "priv", "pub", "ref", "return", "static", "struct", "trait", "true", "try", "type", "typeof",
    "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Keywords that cannot be raw identifiers.
const PLAIN_KEYWORDS: &[&str] = &["crate", "self", "super", "Self", "_"];

/// Type names that generated code uses unqualified; a schema must not shadow them.
const RESERVED_TYPE_NAMES: &[&str] = &[
    "Option",
    "Result",
    "String",
    "Vec",
    "Box",
    "Some",
    "None",
    "Ok",
    "Err",
    "Self",
    "BTreeMap",
    "Value",
    "Client",
    "ClientBuilder",
    "Error",
    "Response",
    "Infallible",
    "Default",
    "Clone",
    "Debug",
    "Send",
    "Sync",
    "Sized",
    "Copy",
    "Fn",
    "Iterator",
    "From",
    "Into",
    "Serialize",
    "Deserialize",
];

/// Splits a spec name into words, treating every non-alphanumeric character as a
/// separator, except apostrophes: a possessive goes (`User's` → `User`), others join
/// (`don't` is one word). A plural acronym, which case conversion would split, stays
/// whole: `IPs`, `CAs`, `URLs` become `Ips`, `Cas`, `Urls` (heck alone: `i_ps`, `c_as`).
fn words(raw: &str) -> String {
    acronyms_whole(raw, false)
}

/// [`words`] for a phrase a person wrote (a tag): also a two-capital word standing alone
/// (`IPsec`, `OAuth2`, `IPv4`) is one word. Not for identifiers, where `ARecord` is two.
fn phrase_words(raw: &str) -> String {
    acronyms_whole(raw, true)
}

/// `raw` in ASCII letters: letters outside it are spelled in it (`café` → `cafe`, `Größe`
/// → `Grosse`, `🚀` → `rocket`). Dropped, they would leave `caf`, or nothing of a name
/// written in another script.
fn in_ascii(raw: &str) -> std::borrow::Cow<'_, str> {
    match raw.is_ascii() {
        true => std::borrow::Cow::Borrowed(raw),
        false => std::borrow::Cow::Owned(deunicode::deunicode(raw)),
    }
}

fn acronyms_whole(raw: &str, phrase: bool) -> String {
    let raw = in_ascii(raw);
    // A possessive says nothing a name needs (`User's` → `User`); other apostrophes join.
    let chars: Vec<char> = raw.chars().collect();
    let mut spaced: Vec<char> = Vec::with_capacity(chars.len());
    let mut index = 0;
    while index < chars.len() {
        let c = chars[index];
        if matches!(c, '\'' | '\u{2019}') {
            let possessive = chars.get(index + 1) == Some(&'s')
                && chars.get(index + 2).is_none_or(|next| !next.is_ascii_alphanumeric());
            index += if possessive { 2 } else { 1 };
            continue;
        }
        spaced.push(if c.is_ascii_alphanumeric() { c } else { ' ' });
        index += 1;
    }
    let mut out: Vec<char> = spaced.clone();
    let mut index = 0;
    while index < spaced.len() {
        let starts_hump = spaced[index].is_ascii_uppercase() && (index == 0 || !spaced[index - 1].is_ascii_uppercase());
        if !starts_hump {
            index += 1;
            continue;
        }
        let capitals = spaced[index..].iter().take_while(|c| c.is_ascii_uppercase()).count();
        let lower = spaced[index + capitals..].iter().take_while(|c| c.is_ascii_lowercase()).count();
        let end = index + capitals + lower;
        let plural = capitals >= 2 && lower == 1 && spaced[index + capitals] == 's';
        let alone = (index == 0 || spaced[index - 1] == ' ')
            && spaced[end..].iter().take_while(|c| **c != ' ').all(|c| !c.is_ascii_uppercase());
        let two_capitals = phrase && alone && capitals == 2 && lower >= 1;
        if plural || two_capitals {
            for c in &mut out[index + 1..end] {
                *c = c.to_ascii_lowercase();
            }
        }
        index = end.max(index + 1);
    }
    out.into_iter().collect()
}

/// `snake_case` identifier, keyword-safe, never empty, never starting with a digit. A
/// leading sign is spelled, as in variant names: GitHub's reactions `+1` and `-1` are
/// `plus_1` and `minus_1`, not `_1` and a collision's `_12`.
pub fn snake_ident(raw: &str) -> String {
    let words = words(raw);
    match raw.chars().next().filter(|c| matches!(c, '-' | '+')).and_then(symbol_name) {
        Some(sign) if raw.len() > 1 => snake_ident_of(format!("{sign} {words}")),
        _ => snake_ident_of(words),
    }
}

fn snake_ident_of(words: String) -> String {
    let mut name = words.to_snake_case();
    // heck splits `OAuth2` into `o_auth2`; acronyms read better whole.
    name = name.replace("o_auth", "oauth");
    if name.is_empty() {
        name = "value".to_owned();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, '_');
    }
    escape_keyword(name)
}

/// `UpperCamelCase` words for a part of a type name (`result` in `ListResult`): only a
/// whole name is checked against the names generated code relies on ([`type_name`]), so
/// a part named `result` does not become `ListResultModel`.
pub fn type_name_part(raw: &str) -> String {
    let part = words(raw).to_upper_camel_case();
    if part.is_empty() {
        return "Value".to_owned();
    }
    part
}

/// `UpperCamelCase` type name, never empty, never a Rust keyword or a name generated code relies on.
pub fn type_name(raw: &str) -> String {
    let mut name = words(raw).to_upper_camel_case();
    if name.is_empty() {
        name = "Value".to_owned();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, 'V');
    }
    if RESERVED_TYPE_NAMES.contains(&name.as_str()) {
        name.push_str("Model");
    }
    name
}

/// `UpperCamelCase` enum variant name; `Self` is the only keyword a variant can hit.
pub fn variant_name(raw: &str) -> String {
    let mut name = words(raw).to_upper_camel_case();
    if name.is_empty() {
        // Operators (`>=`, `!=`) and signs stay apart when spelled: `GtEq`, `NotEq`.
        name = raw.chars().filter_map(symbol_name).collect();
    } else if let Some(sign) = raw.chars().next().filter(|c| matches!(c, '-' | '+')).and_then(symbol_name) {
        // `-created_at` sorts the other way from `created_at`; the sign is the difference.
        name.insert_str(0, sign);
    }
    if name.is_empty() {
        name = "Empty".to_owned();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, 'V');
    }
    if name == "Self" {
        // Not `Self_`: a collision suffix would make it `Self_2`, which is not camel case.
        name.push_str("Value");
    }
    name
}

/// The word for a symbol a value may consist of.
fn symbol_name(symbol: char) -> Option<&'static str> {
    Some(match symbol {
        '-' => "Minus",
        '+' => "Plus",
        '*' => "Star",
        '/' => "Slash",
        '.' => "Dot",
        '<' => "Lt",
        '>' => "Gt",
        '=' => "Eq",
        '!' => "Not",
        '~' => "Tilde",
        '&' => "And",
        '|' => "Or",
        '%' => "Percent",
        '@' => "At",
        '#' => "Hash",
        '$' => "Dollar",
        '^' => "Caret",
        '?' => "Question",
        ':' => "Colon",
        ',' => "Comma",
        '_' => "Underscore",
        _ => return None,
    })
}

/// A module (and file) name: `snake_case`, with keywords suffixed (`type` → `type_`), as a
/// raw identifier would need an awkward `r#type.rs` declaration.
pub fn module_name(raw: &str) -> String {
    let name = snake_ident_of(phrase_words(raw));
    match name.strip_prefix("r#") {
        Some(keyword) => format!("{keyword}_"),
        None => name,
    }
}

/// The names that generated code and the runtime own, one list per namespace. Names from
/// a spec are claimed around them (`retry` → `retry2`); a test checks the lists against
/// the runtime crate and the emitted code, so a new runtime method cannot be forgotten here.
pub mod owned {
    /// Cargo features every generated crate has, beside one per API (and per tag).
    pub const CRATE_FEATURES: &[&str] = &["default", "full", ROUND_TRIP_FEATURE, "rustls", "native-tls"];
    /// The features of the runtime crate's manifest, which every generated crate copies
    /// (a test checks the manifest against this list): TLS backends, and `round-trip`.
    pub const RUNTIME_FEATURES: &[&str] = &["default", ROUND_TRIP_FEATURE, "rustls", "native-tls"];
    /// The feature that gives every type both `Serialize` and `Deserialize`, whichever
    /// way it travels.
    pub const ROUND_TRIP_FEATURE: &str = "round-trip";
    /// Modules beside the tag modules in an API's folder, and the crate's runtime.
    pub const API_MODULES: &[&str] = &["types", "client", "runtime"];
    /// Members of each API's `Client` (emit/client.rs), besides tag accessors and
    /// untagged operations, which share its namespace.
    pub const CLIENT_MEMBERS: &[&str] =
        &["builder", "from_env", "raw", "core", "new", "from_core", "clone", "fmt", "from"];
    /// Methods of `runtime::ClientBuilder<C>`, beside which credential setters live.
    pub const CLIENT_BUILDER_METHODS: &[&str] = &[
        "new",
        "retry",
        "base_url_from_env",
        "credential_from_env",
        "base_url",
        "http_client",
        "timeout",
        "connect_timeout",
        "user_agent",
        "default_header",
        "credential",
        "max_response_bytes",
        "hook",
        "build",
    ];
    /// Members of a tag accessor (`Users<'c>`), beside its operations' methods.
    pub const ACCESSOR_MEMBERS: &[&str] = &["new", "client", "clone", "fmt"];
    /// Fields and methods of every request builder, beside its parameter setters.
    pub const REQUEST_BUILDER_MEMBERS: &[&str] = &[
        "client",
        "body",
        "options",
        "send",
        "events",
        "download",
        "with_options",
        "into_stream",
        "into_future",
        "clone",
        "fmt",
    ];
    /// Type names every operation module imports, beside its builders and error enums.
    pub const GROUP_TYPES: &[&str] = &["Client"];
    /// The field of a struct that holds `additionalProperties`, beside which its declared
    /// properties are named.
    pub const ADDITIONAL_PROPERTIES_FIELD: &str = "additional_properties";
}

/// The module of an API in the generated crate: its name as a module, kept clear of the
/// crate's own `runtime` module and of the modules inside it (an API titled `Types`
/// would otherwise hold `types::types`).
pub fn api_module(name: &str) -> String {
    match module_name(name) {
        module if owned::API_MODULES.contains(&module.as_str()) => format!("{module}_api"),
        module => module,
    }
}

/// An API's module name from its title, when nothing else names it: the title's words
/// without the ones every API title has (`Stripe API` → `stripe`, `GitHub v3 REST API` →
/// `github`, `Zoom API - Users` → `zoom_users`), each word whole, at most four.
pub fn title_module(title: &str) -> String {
    const GENERIC: &[&str] =
        &["api", "apis", "rest", "restful", "http", "openapi", "swagger", "spec", "specification", "the", "reference"];
    let is_version = |word: &str| {
        let digits = word.strip_prefix(['v', 'V']).unwrap_or(word);
        !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
    };
    let title = in_ascii(title);
    let words: Vec<String> = title
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty() && !GENERIC.contains(&word.to_ascii_lowercase().as_str()) && !is_version(word))
        .take(4)
        .map(str::to_ascii_lowercase)
        .collect();
    match words.is_empty() {
        true => "api".to_owned(),
        false => module_name(&words.join("_")),
    }
}

/// The cargo feature of an API: its name as a feature, kept clear of the `default` and
/// `full` features every generated crate has.
pub fn api_feature(name: &str) -> String {
    match feature_name(name) {
        feature if owned::CRATE_FEATURES.contains(&feature.as_str()) => format!("{feature}-api"),
        feature => feature,
    }
}

/// `SCREAMING_SNAKE_CASE` constant name.
pub fn const_name(raw: &str) -> String {
    let snake = snake_ident(raw);
    snake.trim_start_matches("r#").to_uppercase()
}

/// `kebab-case` cargo feature name.
pub fn feature_name(raw: &str) -> String {
    // A feature may be a Rust keyword: no `r#`, no `_` that escaped one (`self-`).
    let snake = snake_ident_of(phrase_words(raw));
    snake.trim_start_matches("r#").trim_matches('_').replace('_', "-")
}

fn escape_keyword(name: String) -> String {
    if RAW_KEYWORDS.contains(&name.as_str()) {
        format!("r#{name}")
    } else if PLAIN_KEYWORDS.contains(&name.as_str()) {
        format!("{name}_")
    } else {
        name
    }
}

/// Hands out unique names within one Rust namespace, in a deterministic order:
/// the first claimant keeps the name, later ones get `2`, `3`, ... appended.
#[derive(Debug, Default)]
pub struct Namespace {
    taken: BTreeSet<String>,
}

impl Namespace {
    pub fn new() -> Self {
        Self::default()
    }

    /// Marks names the emitter defines itself, so no spec name can take them.
    pub fn reserve(&mut self, names: &[&str]) {
        self.taken.extend(names.iter().map(|name| (*name).to_owned()));
    }

    pub fn claim(&mut self, wanted: String) -> String {
        if self.taken.insert(wanted.clone()) {
            return wanted;
        }
        let base = wanted.trim_start_matches("r#").to_owned();
        (2..)
            .map(|n| format!("{base}{n}"))
            .find(|candidate| !self.taken.contains(candidate))
            .inspect(|candidate| {
                self.taken.insert(candidate.clone());
            })
            .unwrap_or(wanted)
    }
}

/// A title as one line of plain text: control characters (a stray `\r`) become spaces.
pub fn one_line(text: &str) -> String {
    let spaced: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    spaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_title_names_an_api_without_the_words_every_title_has() {
        assert_eq!(title_module("Stripe API"), "stripe");
        assert_eq!(title_module("GitHub v3 REST API"), "github");
        assert_eq!(title_module("Zoom API - Users"), "zoom_users");
        assert_eq!(title_module("OpenAI API"), "openai");
        assert_eq!(title_module("API"), "api");
        assert_eq!(title_module("Type"), "type_");
        assert_eq!(title_module("Bäckerei API"), "backerei");
        assert_eq!(title_module("Кафе"), "kafe");
    }

    #[test]
    fn letters_outside_ascii_are_spelled_in_it_not_dropped() {
        assert_eq!(snake_ident("café"), "cafe");
        assert_eq!(type_name("Größe"), "Grosse");
        assert_eq!(variant_name("niño"), "Nino");
        assert_eq!(module_name("🚀 Launches"), "rocket_launches");
        assert_ne!(module_name("日本"), module_name("中国"), "names in other scripts stay apart");
    }

    #[test]
    fn acronyms_stay_whole_in_module_and_feature_names() {
        assert_eq!(feature_name("Magic IPsec tunnels"), "magic-ipsec-tunnels");
        assert_eq!(feature_name("Access Short-Lived Certificate CAs"), "access-short-lived-certificate-cas");
        assert_eq!(feature_name("User's Account Memberships"), "user-account-memberships");
        assert_eq!(module_name("Don't track"), "dont_track");
        assert_eq!(feature_name("Cloudflare IPs"), "cloudflare-ips");
        assert_eq!(feature_name("self_"), "self");
        assert_eq!(feature_name("type"), "type");
        assert_eq!(module_name("getOAuth2Token"), "get_oauth2_token");
        assert_eq!(module_name("IPv4 ranges"), "ipv4_ranges");
        assert_eq!(module_name("listAPIs"), "list_apis");
        // Longer runs are an acronym before a word, as heck reads them.
        assert_eq!(module_name("HTTPServer"), "http_server");
        assert_eq!(type_name("DNS records"), "DnsRecords");
    }

    #[test]
    fn snake_case_escapes_keywords_and_digits() {
        assert_eq!(snake_ident("type"), "r#type");
        assert_eq!(snake_ident("self"), "self_");
        assert_eq!(snake_ident("2fa"), "_2fa");
        assert_eq!(snake_ident("@type"), "r#type");
        assert_eq!(snake_ident("x-zitadel-orgid"), "x_zitadel_orgid");
        assert_eq!(snake_ident("OAuth2"), "oauth2");
        assert_eq!(module_name("type"), "type_");
        assert_eq!(module_name("Users API"), "users_api");
        assert_eq!(snake_ident(""), "value");
        assert_eq!(snake_ident("+1"), "plus_1");
        assert_eq!(snake_ident("-1"), "minus_1");
        assert_eq!(snake_ident("-created_at"), "minus_created_at");
        assert_eq!(snake_ident("-"), "value");
    }

    #[test]
    fn type_names_avoid_prelude_names() {
        assert_eq!(type_name("Result"), "ResultModel");
        assert_eq!(type_name("error"), "ErrorModel");
        assert_eq!(
            type_name(&format!("List{}", type_name_part("result"))),
            "ListResult",
            "only whole names are reserved"
        );
        assert_eq!(type_name("api-response.common"), "ApiResponseCommon");
        assert_eq!(type_name("3d"), "V3d");
    }

    #[test]
    fn variants_named_self_stay_camel_case_when_they_collide() {
        let mut names = Namespace::new();
        assert_eq!(names.claim(variant_name("Self")), "SelfValue");
        assert_eq!(names.claim(variant_name("self")), "SelfValue2");
        assert_eq!(variant_name(""), "Empty");
    }

    #[test]
    fn operators_and_signs_are_spelled_in_variant_names() {
        let names: Vec<String> = [">=", "!=", "<", "-", "+", " ", "-created_at", "created_at", "+1", "-1"]
            .into_iter()
            .map(variant_name)
            .collect();
        assert_eq!(
            names,
            ["GtEq", "NotEq", "Lt", "Minus", "Plus", "Empty", "MinusCreatedAt", "CreatedAt", "Plus1", "Minus1"]
        );
    }

    #[test]
    fn owned_builder_methods_are_the_runtimes() {
        let runtime: syn::File = syn::parse_str(include_str!("../../runtime/src/config.rs")).expect("runtime parses");
        let mut methods = Vec::new();
        for item in &runtime.items {
            let syn::Item::Impl(block) = item else { continue };
            let syn::Type::Path(self_type) = block.self_ty.as_ref() else { continue };
            if block.trait_.is_some() || !self_type.path.segments.iter().any(|segment| segment.ident == "ClientBuilder")
            {
                continue;
            }
            for member in &block.items {
                if let syn::ImplItem::Fn(function) = member {
                    if matches!(function.vis, syn::Visibility::Public(_)) {
                        methods.push(function.sig.ident.to_string());
                    }
                }
            }
        }
        methods.sort();
        let mut listed = owned::CLIENT_BUILDER_METHODS.to_vec();
        listed.sort();
        assert_eq!(methods, listed, "naming::owned::CLIENT_BUILDER_METHODS must list ClientBuilder's methods");
    }

    #[test]
    fn namespace_suffixes_collisions_in_claim_order() {
        let mut names = Namespace::new();
        assert_eq!(names.claim("Foo".into()), "Foo");
        assert_eq!(names.claim("Foo".into()), "Foo2");
        assert_eq!(names.claim("Foo".into()), "Foo3");
        assert_eq!(names.claim("r#type".into()), "r#type");
        assert_eq!(names.claim("r#type".into()), "type2");
    }
}
