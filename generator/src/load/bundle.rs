//! Bundling: turns a document whose `$ref`s point anywhere into one whose `$ref`s all name
//! `#/components/<kind>/<name>`, the only form the typed model and the lowering follow.
//!
//! Targets elsewhere in the document (`#/paths/~1a/get/responses/default`,
//! `#/components/parameters/p/schema`) and in other files (`models/droplet.yml#/droplet`,
//! read through the caller's [`ReadFile`], so the generator itself does no IO) are copied
//! into `components` under names made from where they came from. Path-item `$ref`s are
//! inlined, as the typed model has no path-item components. Values under `example`,
//! `examples` and `x-` extensions are data, not references, and are left alone, except
//! where such a key is a name the author chose (a header `x-request-id`, a property
//! `example`).

use super::structure::METHODS;
use crate::diagnostics::{escape_token, pointer, unescape_token, Origins};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, VecDeque};

/// Reads a file named relative to the root document's folder.
pub type ReadFile<'r> = &'r dyn Fn(&str) -> Result<String, String>;

/// The component kind a `$ref` stands for, by where it appears.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Schemas,
    Responses,
    Parameters,
    RequestBodies,
    Headers,
    SecuritySchemes,
    /// Inlined where it stands, as the typed model has no path-item components.
    PathItem,
    /// An operation given by reference (DigitalOcean's `get: {$ref: list.yml}`): inlined too.
    Operation,
    /// A whole `properties` map given by reference (DigitalOcean again): inlined.
    Properties,
    /// Anything else (a `description` by reference): the value is inlined where it stands.
    Value,
}

impl Kind {
    fn section(self) -> &'static str {
        match self {
            Self::Schemas => "schemas",
            Self::Responses => "responses",
            Self::Parameters => "parameters",
            Self::RequestBodies => "requestBodies",
            Self::Headers => "headers",
            Self::SecuritySchemes => "securitySchemes",
            Self::PathItem => "pathItems",
            Self::Operation => "operations",
            Self::Properties => "properties",
            Self::Value => "values",
        }
    }
}

/// Where a reference points: a file ("" for the root document) and a JSON pointer in it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Target {
    file: String,
    pointer: String,
}

/// Problems as (JSON pointer, message): the pointer already mapped back through what bundling
/// moved (into the document as converted), other files named as `file#/pointer`.
pub(crate) type Problems = Vec<(String, String)>;

/// Rewrites every `$ref` of `document` to name a component. On success, returns the
/// warnings: references that only resolved leniently.
pub(crate) fn bundle(
    document: &mut Value,
    parse: &dyn Fn(&str) -> Result<Value, String>,
    read: Option<ReadFile<'_>>,
    origins: &mut Origins,
) -> Result<Problems, Problems> {
    let mut bundler = Bundler {
        files: BTreeMap::new(),
        hoisted: BTreeMap::new(),
        taken: BTreeMap::new(),
        problems: Vec::new(),
        warnings: Vec::new(),
        copies: 0,
        parse,
        read,
        origins,
    };
    bundler.collect_taken(document);
    // Work list of (pointer of a subtree in the root document, file its refs are relative to).
    let mut queue: VecDeque<Pending> = VecDeque::from([Pending::default()]);
    while let Some(Pending { at, file, copied_from, first_ref }) = queue.pop_front() {
        let mut found = Vec::new();
        if let Some(subtree) = document.pointer(&at) {
            find_refs(subtree, &at, &mut found);
        }
        for (ref_at, reference, kind) in found {
            let from = Pending {
                at: ref_at,
                file: file.clone(),
                copied_from: copied_from.clone(),
                first_ref: first_ref.clone(),
            };
            bundler.rewrite(document, &from, &reference, kind, &mut queue);
        }
    }
    if bundler.problems.is_empty() {
        Ok(bundler.warnings)
    } else {
        Err(bundler.problems)
    }
}

/// A subtree whose `$ref`s are still to rewrite: where it is, the file its references are
/// relative to, and the values copied in place to make it (innermost last), so a copy that
/// holds a reference to itself is caught however many steps it takes.
#[derive(Debug, Clone, Default)]
struct Pending {
    at: String,
    file: String,
    copied_from: Vec<Target>,
    /// Where the user wrote the `$ref` whose copy began `copied_from`, mapped back when
    /// it was copied: a cycle of copies is reported there, the one place it can be fixed.
    first_ref: Option<String>,
}

/// In-place copies (path items, operations, plain values) one document may make: enough
/// for any real spec, and a stop to documents whose copies of copies grow exponentially.
const COPY_LIMIT: usize = 20_000;

struct Bundler<'p, 'r, 'o> {
    /// Other files, parsed, by path relative to the root document's folder.
    files: BTreeMap<String, Value>,
    /// Targets already copied into components, by kind: their component name.
    hoisted: BTreeMap<(Kind, Target), String>,
    /// Component names in use, by section.
    taken: BTreeMap<&'static str, Vec<String>>,
    problems: Problems,
    warnings: Problems,
    /// In-place copies made so far.
    copies: usize,
    parse: &'p dyn Fn(&str) -> Result<Value, String>,
    read: Option<ReadFile<'r>>,
    /// Where moved values came from, for diagnostics.
    origins: &'o mut Origins,
}

impl Bundler<'_, '_, '_> {
    /// Records a problem at `location` in the document as it is now, mapped back at once
    /// through the moves made so far: later copies may put other values at that place.
    fn problem(&mut self, (location, message): (String, String)) {
        let location = self.origins.original(&location);
        self.problems.push((location, message));
    }

    /// [`Bundler::problem`], for what was accepted leniently.
    fn warning(&mut self, (location, message): (String, String)) {
        let location = self.origins.original(&location);
        self.warnings.push((location, message));
    }

    fn collect_taken(&mut self, document: &Value) {
        for kind in [
            Kind::Schemas,
            Kind::Responses,
            Kind::Parameters,
            Kind::RequestBodies,
            Kind::Headers,
            Kind::SecuritySchemes,
        ] {
            let names = document
                .pointer(&format!("/components/{}", kind.section()))
                .and_then(Value::as_object)
                .map(|object| object.keys().cloned().collect())
                .unwrap_or_default();
            self.taken.insert(kind.section(), names);
        }
    }

    /// Makes the `$ref` at `ref_at` (an object `{"$ref": reference}`) point into components.
    fn rewrite(
        &mut self,
        document: &mut Value,
        found_at: &Pending,
        reference: &str,
        kind: Kind,
        queue: &mut VecDeque<Pending>,
    ) {
        let (ref_at, file) = (found_at.at.as_str(), found_at.file.as_str());
        let shown_at = format!("#{}", pointer(ref_at, "$ref"));
        let Some(mut target) = resolve_target(file, reference) else {
            self.problem((
                shown_at,
                format!("`$ref` `{reference}` is not supported: only local and relative-file references are"),
            ));
            return;
        };
        // Already in its place: `#/components/<kind>/<name>` of the root document.
        let inlined = matches!(kind, Kind::PathItem | Kind::Operation | Kind::Properties | Kind::Value);
        if target.file.is_empty() && document.pointer(&target.pointer).is_none() {
            if let Some(found) = find_ignoring_case(document, &target.pointer) {
                self.warning((
                    shown_at.clone(),
                    format!("`$ref` target `{reference}` does not exist; using `#{found}`, which differs only in case"),
                ));
                if !inlined && is_component(&found, kind) {
                    set_ref(document, ref_at, component_ref(&found));
                }
                target.pointer = found;
            }
        }
        if target.file.is_empty() && !inlined && is_component(&target.pointer, kind) {
            if document.pointer(&target.pointer).is_none() {
                self.missing(document, ref_at, shown_at, reference, kind);
            } else {
                let canonical = component_ref(&target.pointer);
                if canonical != reference {
                    set_ref(document, ref_at, canonical);
                }
            }
            return;
        }
        // Inlining a value into itself (a `$ref` to itself or to a value that holds it)
        // would copy it in forever.
        let inside_target = ref_at == target.pointer || ref_at.starts_with(&format!("{}/", target.pointer));
        if inlined && target.file.is_empty() && inside_target {
            self.problem((
                shown_at,
                format!("`$ref` `{reference}` refers to itself or to a value that holds it, so it names nothing"),
            ));
            return;
        }
        if inlined && found_at.copied_from.contains(&target) {
            let message = format!(
                "`$ref` `{reference}` leads, through values copied in place, to a copy of its own target, so copying \
                 never ends"
            );
            match &found_at.first_ref {
                Some(first) => self.problems.push((first.clone(), message)),
                None => self.problem((shown_at, message)),
            }
            return;
        }
        if inlined {
            self.copies += 1;
            if self.copies > COPY_LIMIT {
                if self.copies == COPY_LIMIT + 1 {
                    self.problem((
                        shown_at,
                        format!("`$ref`s copied in place expand to more than {COPY_LIMIT} copies; refer to components instead"),
                    ));
                }
                return;
            }
        }
        let value = match self.fetch(document, &target) {
            Ok(Some(value)) => value,
            Ok(None) => {
                self.missing(document, ref_at, shown_at, reference, kind);
                return;
            }
            Err(message) => {
                self.problem((shown_at, message));
                return;
            }
        };
        if inlined {
            // Inlined where it stands; its own references are relative to its file.
            if let Some(slot) = document.pointer_mut(ref_at) {
                *slot = value;
            }
            let first_ref = found_at.first_ref.clone().unwrap_or_else(|| self.origins.original(&shown_at));
            // Problems inside the copy are the target's, wherever the target is.
            self.origins.add(&format!("#{ref_at}"), format!("{}#{}", target.file, target.pointer));
            let mut copied_from = found_at.copied_from.clone();
            copied_from.push(target);
            queue.push_back(Pending {
                at: ref_at.to_owned(),
                file: copied_from[copied_from.len() - 1].file.clone(),
                copied_from,
                first_ref: Some(first_ref),
            });
            return;
        }
        let key = (kind, target.clone());
        let name = match self.hoisted.get(&key) {
            Some(name) => name.clone(),
            None => {
                let name = self.claim(kind, &target);
                self.hoisted.insert(key, name.clone());
                self.origins.add(
                    &format!("#/components/{}/{}", kind.section(), escape_token(&name)),
                    format!("{}#{}", target.file, target.pointer),
                );
                let section = format!("/components/{}", kind.section());
                ensure_object(document, &section);
                if let Some(Value::Object(components)) = document.pointer_mut(&section) {
                    components.insert(name.clone(), value);
                }
                let at = pointer(&section, &name).trim_start_matches('#').to_owned();
                queue.push_back(Pending { at, file: target.file, copied_from: Vec::new(), first_ref: None });
                name
            }
        };
        set_ref(document, ref_at, format!("#/components/{}/{}", kind.section(), escape_token(&name)));
    }

    /// A `$ref` whose target does not exist. A schema has a safe reading, any value (a
    /// warning); anything else cannot be guessed (an error).
    fn missing(&mut self, document: &mut Value, ref_at: &str, shown_at: String, reference: &str, kind: Kind) {
        if kind == Kind::Schemas {
            self.warning((
                shown_at,
                format!(
                    "`$ref` target `{reference}` does not exist; the value is read as any JSON (`serde_json::Value`)"
                ),
            ));
            if let Some(slot) = document.pointer_mut(ref_at) {
                *slot = Value::Object(Map::new());
            }
        } else {
            self.problem((shown_at, format!("`$ref` target `{reference}` does not exist")));
        }
    }

    /// The value at `target`: `Ok(None)` when it does not exist, `Err` when its file cannot be read.
    fn fetch(&mut self, document: &Value, target: &Target) -> Result<Option<Value>, String> {
        let source = if target.file.is_empty() {
            document
        } else {
            if !self.files.contains_key(&target.file) {
                let Some(read) = self.read else {
                    return Err(format!(
                        "`$ref` to the file `{}` cannot be followed: no files can be read here",
                        target.file
                    ));
                };
                let text = read(&target.file).map_err(|error| format!("cannot read `{}`: {error}", target.file))?;
                let parsed = (self.parse)(&text).map_err(|error| format!("`{}`: {error}", target.file))?;
                self.files.insert(target.file.clone(), parsed);
            }
            &self.files[&target.file]
        };
        Ok(source.pointer(&target.pointer).cloned())
    }

    fn claim(&mut self, kind: Kind, target: &Target) -> String {
        let base = component_name(target);
        let taken = self.taken.entry(kind.section()).or_default();
        let mut name = base.clone();
        let mut counter = 2;
        while taken.contains(&name) {
            name = format!("{base}{counter}");
            counter += 1;
        }
        taken.push(name.clone());
        name
    }
}

/// The one pointer that names an existing value when keys are compared ignoring case:
/// documents written by hand sometimes say `responses/json` for `responses/Json`. A key
/// that matches several ways is ambiguous and finds nothing.
fn find_ignoring_case(document: &Value, target: &str) -> Option<String> {
    let mut value = document;
    let mut found = String::new();
    for token in target.split('/').skip(1) {
        let key = unescape_token(token);
        let (name, next) = match value {
            Value::Object(object) => match object.get_key_value(&key) {
                Some(exact) => exact,
                None => {
                    let mut matches = object.iter().filter(|(name, _)| name.eq_ignore_ascii_case(&key));
                    let only = matches.next()?;
                    if matches.next().is_some() {
                        return None;
                    }
                    only
                }
            },
            Value::Array(items) => {
                let index: usize = key.parse().ok()?;
                value = items.get(index)?;
                found = pointer(&found, &key);
                continue;
            }
            _ => return None,
        };
        value = next;
        found = pointer(&found, name);
    }
    Some(found)
}

fn is_component(pointer: &str, kind: Kind) -> bool {
    let prefix = format!("/components/{}/", kind.section());
    pointer.strip_prefix(&prefix).is_some_and(|name| !name.is_empty() && !name.contains('/'))
}

/// The `$ref` the later stages follow to the component at `pointer`: they look components
/// up by the name written in `components`, so `a~1b` and `With%20Space` are spelled `a/b`
/// and `With Space`.
fn component_ref(pointer: &str) -> String {
    match pointer.rsplit_once('/') {
        Some((section, name)) => format!("#{section}/{}", unescape_token(name)),
        None => format!("#{pointer}"),
    }
}

/// Spells every component `$ref` of a bundled document as a JSON pointer again
/// (`#/components/schemas/a/b` → `#/components/schemas/a~1b`), for the tools that read the
/// document itself (the verification's instance generator and mock server), which follow
/// `$ref`s as pointers.
pub(crate) fn component_refs_as_pointers(value: &mut Value) {
    match value {
        Value::Object(object) => {
            if let Some(Value::String(reference)) = object.get_mut("$ref") {
                let parts = reference.strip_prefix("#/components/").and_then(|rest| rest.split_once('/'));
                if let Some((section, name)) = parts {
                    let escaped = escape_token(name);
                    *reference = format!("#/components/{section}/{escaped}");
                }
            }
            object.values_mut().for_each(component_refs_as_pointers);
        }
        Value::Array(items) => items.iter_mut().for_each(component_refs_as_pointers),
        _ => {}
    }
}

fn set_ref(document: &mut Value, ref_at: &str, reference: String) {
    if let Some(Value::Object(object)) = document.pointer_mut(ref_at) {
        object.insert("$ref".to_owned(), Value::String(reference));
    }
}

fn ensure_object(document: &mut Value, section: &str) {
    let mut current = document;
    for token in section.trim_start_matches('/').split('/') {
        let Value::Object(object) = current else { return };
        current = object.entry(token.to_owned()).or_insert_with(|| Value::Object(Map::new()));
    }
}

/// `reference` as written in `file`: a local pointer, or a path relative to `file`'s folder.
fn resolve_target(file: &str, reference: &str) -> Option<Target> {
    let (path, fragment) = reference.split_once('#').unwrap_or((reference, ""));
    if path.contains("://") {
        return None;
    }
    let pointer = percent_decode(fragment);
    if path.is_empty() {
        return Some(Target { file: file.to_owned(), pointer });
    }
    let folder = file.rsplit_once('/').map_or("", |(folder, _)| folder);
    let joined = if folder.is_empty() { path.to_owned() } else { format!("{folder}/{path}") };
    let mut parts: Vec<&str> = Vec::new();
    for part in joined.split('/') {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|last| *last != "..") => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    Some(Target { file: parts.join("/"), pointer })
}

fn percent_decode(text: &str) -> String {
    if !text.contains('%') {
        return text.to_owned();
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let hex = bytes.get(index + 1..index + 3).and_then(|pair| std::str::from_utf8(pair).ok());
        match (bytes[index], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                index += 3;
            }
            (byte, _) => {
                out.push(byte);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A readable component name from where a value came from: the last meaningful pointer
/// tokens (`#/paths/~1a~1b/get/responses/default` → `a_b_get_default`), or the file's stem.
fn component_name(target: &Target) -> String {
    const STRUCTURAL: &[&str] = &[
        "components",
        "schemas",
        "responses",
        "parameters",
        "requestBodies",
        "requestBody",
        "headers",
        "content",
        "schema",
        "items",
        "properties",
        "additionalProperties",
        "allOf",
        "oneOf",
        "anyOf",
        "not",
        "paths",
        "definitions",
    ];
    let raw: Vec<String> = target.pointer.split('/').skip(1).map(unescape_token).collect();
    let mut tokens = Vec::new();
    for (index, token) in raw.iter().enumerate() {
        let previous = index.checked_sub(1).map(|i| raw[i].as_str());
        // Media types and list positions say nothing about what the value is.
        let skipped = STRUCTURAL.contains(&token.as_str())
            || previous == Some("content")
            || (token.parse::<usize>().is_ok() && previous != Some("responses"));
        if !skipped {
            tokens.push(token.clone());
        }
    }
    let mut name = tokens.iter().rev().take(3).rev().cloned().collect::<Vec<_>>().join("_");
    if name.is_empty() {
        let stem = target.file.rsplit('/').next().unwrap_or("component");
        name = stem.split('.').next().unwrap_or(stem).to_owned();
    }
    let cleaned: String = name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' }).collect();
    let cleaned = cleaned.trim_matches('_').to_owned();
    if cleaned.is_empty() {
        "component".to_owned()
    } else {
        cleaned
    }
}

/// Every `{"$ref": string}` under `value`, with its pointer and the kind its position implies.
fn find_refs(value: &Value, at: &str, found: &mut Vec<(String, String, Kind)>) {
    // Pointers are built only for the `$ref`s found: most of a large document has none.
    fn walk<'v>(
        value: &'v Value,
        path: &mut Vec<std::borrow::Cow<'v, str>>,
        at: &str,
        names_map: bool,
        found: &mut Vec<(String, String, Kind)>,
    ) {
        match value {
            Value::Object(object) => {
                if let Some(Value::String(reference)) = object.get("$ref") {
                    let mut pointer = at.to_owned();
                    for token in path.iter() {
                        pointer.push('/');
                        pointer.push_str(&escape_token(token));
                    }
                    let kind = kind_at(&pointer);
                    found.push((pointer, reference.clone(), kind));
                    return;
                }
                // The sections of the root `components` map names to components.
                let in_components = at.is_empty() && path.len() == 1 && path[0] == "components";
                for (key, child) in object {
                    // Examples and extensions are data: a `$ref` in them is not a reference.
                    // In a map of names (`properties`, `headers`), `x-request-id` or
                    // `example` is a name like any other.
                    let data = key == "example" || key == "examples" || key.starts_with("x-");
                    if (data && !names_map) || !is_container(child) {
                        continue;
                    }
                    path.push(std::borrow::Cow::Borrowed(key));
                    let child_names_map = in_components || (!names_map && NAME_MAPS.contains(&key.as_str()));
                    walk(child, path, at, child_names_map, found);
                    path.pop();
                }
            }
            Value::Array(items) => {
                for (index, child) in items.iter().enumerate() {
                    if is_container(child) {
                        path.push(std::borrow::Cow::Owned(index.to_string()));
                        walk(child, path, at, false, found);
                        path.pop();
                    }
                }
            }
            _ => {}
        }
    }
    fn is_container(value: &Value) -> bool {
        matches!(value, Value::Object(_) | Value::Array(_))
    }
    walk(value, &mut Vec::new(), at, false, found);
    found.sort();
}

/// Keys whose values map names the author chose to objects (`properties: {name: …}`),
/// outside `components`. An operation's `responses` is not one: its `x-` keys are
/// extensions, as status codes never start that way.
const NAME_MAPS: &[&str] = &["properties", "patternProperties", "headers", "links", "callbacks", "encoding", "content"];

/// The kind a `$ref` at this position stands for, found by walking the pointer from the
/// root through the OpenAPI structure (a schema named `headers` is still a schema).
fn kind_at(at: &str) -> Kind {
    #[derive(Clone, Copy)]
    enum Place {
        Root,
        Paths,
        PathItem,
        Operation,
        Parameters,
        Parameter,
        RequestBody,
        Responses,
        Response,
        Headers,
        Header,
        Contents,
        MediaType,
        Encodings,
        Encoding,
        Components,
        Section(Kind),
        Schema,
        SchemaMap,
        Callbacks,
        Callback,
        Data,
    }
    let mut place = Place::Root;
    for token in at.split('/').skip(1).map(unescape_token) {
        let token = token.as_str();
        place = match (place, token) {
            (Place::Root, "paths" | "webhooks") => Place::Paths,
            (Place::Root, "components") => Place::Components,
            (Place::Paths, _) | (Place::Callback, _) => Place::PathItem,
            (Place::PathItem, "parameters") | (Place::Operation, "parameters") => Place::Parameters,
            (Place::PathItem, method) if METHODS.contains(&method) => Place::Operation,
            (Place::Operation, "requestBody") => Place::RequestBody,
            (Place::Operation, "responses") => Place::Responses,
            (Place::Operation, "callbacks") => Place::Callbacks,
            (Place::Callbacks, _) => Place::Callback,
            (Place::Parameters, _) => Place::Parameter,
            (Place::Responses, _) => Place::Response,
            (Place::Parameter | Place::Header | Place::MediaType, "schema") => Place::Schema,
            (Place::Parameter | Place::Header | Place::RequestBody | Place::Response, "content") => Place::Contents,
            (Place::Contents, _) => Place::MediaType,
            (Place::MediaType, "encoding") => Place::Encodings,
            (Place::Encodings, _) => Place::Encoding,
            (Place::Response | Place::Encoding, "headers") => Place::Headers,
            (Place::Headers, _) => Place::Header,
            (Place::Components, section) => match section {
                "schemas" => Place::Section(Kind::Schemas),
                "responses" => Place::Section(Kind::Responses),
                "parameters" => Place::Section(Kind::Parameters),
                "requestBodies" => Place::Section(Kind::RequestBodies),
                "headers" => Place::Section(Kind::Headers),
                "securitySchemes" => Place::Section(Kind::SecuritySchemes),
                "pathItems" => Place::Section(Kind::PathItem),
                _ => Place::Data,
            },
            (Place::Section(Kind::Schemas), _) => Place::Schema,
            (Place::Section(Kind::Responses), _) => Place::Response,
            (Place::Section(Kind::Parameters), _) => Place::Parameter,
            (Place::Section(Kind::RequestBodies), _) => Place::RequestBody,
            (Place::Section(Kind::Headers), _) => Place::Header,
            (Place::Section(Kind::PathItem), _) => Place::PathItem,
            (Place::Schema, "properties" | "patternProperties" | "definitions" | "$defs") => Place::SchemaMap,
            // Everything else inside a schema is a schema (items, allOf, additionalProperties, ...).
            (Place::Schema | Place::SchemaMap, _) => Place::Schema,
            _ => Place::Data,
        };
    }
    match place {
        Place::Schema => Kind::Schemas,
        Place::Response => Kind::Responses,
        Place::Parameter => Kind::Parameters,
        Place::RequestBody => Kind::RequestBodies,
        Place::Header => Kind::Headers,
        Place::Section(Kind::SecuritySchemes) => Kind::SecuritySchemes,
        Place::PathItem => Kind::PathItem,
        Place::Operation => Kind::Operation,
        Place::SchemaMap => Kind::Properties,
        _ => Kind::Value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(text: &str) -> Result<Value, String> {
        serde_json::from_str(text).map_err(|error| error.to_string())
    }

    #[test]
    fn refs_elsewhere_in_the_document_are_hoisted_into_components() {
        let mut document = json!({
            "paths": {"/a": {"get": {"responses": {
                "200": {"description": "ok"},
                "default": {"$ref": "#/paths/~1a/get/responses/200"}
            }}}},
            "components": {"parameters": {"p": {"name": "p", "in": "query", "schema": {"type": "string"}}},
                "schemas": {"S": {"properties": {"p": {"$ref": "#/components/parameters/p/schema"}}}}}
        });
        bundle(&mut document, &parse, None, &mut Origins::default()).expect("bundles");
        assert_eq!(
            document.pointer("/paths/~1a/get/responses/default/$ref"),
            Some(&json!("#/components/responses/a_get_200"))
        );
        assert_eq!(document.pointer("/components/responses/a_get_200"), Some(&json!({"description": "ok"})));
        assert_eq!(document.pointer("/components/schemas/S/properties/p/$ref"), Some(&json!("#/components/schemas/p")));
        assert_eq!(document.pointer("/components/schemas/p"), Some(&json!({"type": "string"})));
    }

    #[test]
    fn external_files_are_read_and_their_own_refs_follow_them() {
        let files: BTreeMap<&str, &str> = BTreeMap::from([
            (
                "models/pet.json",
                r##"{"pet": {"type": "object", "properties": {"owner": {"$ref": "../shared/person.json"}, "self": {"$ref": "#/pet"}}}}"##,
            ),
            ("shared/person.json", r#"{"type": "object", "properties": {"name": {"type": "string"}}}"#),
        ]);
        let read = |path: &str| files.get(path).map(|text| (*text).to_owned()).ok_or_else(|| format!("no file {path}"));
        let mut document = json!({"paths": {"/pets": {"get": {"responses": {"200": {"description": "ok",
            "content": {"application/json": {"schema": {"$ref": "models/pet.json#/pet"}}}}}}}}});
        bundle(&mut document, &parse, Some(&read), &mut Origins::default()).expect("bundles");
        let schema = "/paths/~1pets/get/responses/200/content/application~1json/schema/$ref";
        assert_eq!(document.pointer(schema), Some(&json!("#/components/schemas/pet")));
        assert_eq!(
            document.pointer("/components/schemas/pet/properties/owner/$ref"),
            Some(&json!("#/components/schemas/person"))
        );
        assert_eq!(
            document.pointer("/components/schemas/pet/properties/self/$ref"),
            Some(&json!("#/components/schemas/pet"))
        );
        assert_eq!(document.pointer("/components/schemas/person/properties/name/type"), Some(&json!("string")));
    }

    #[test]
    fn kinds_follow_the_document_structure() {
        assert_eq!(kind_at("/components/schemas/headers/additionalProperties"), Kind::Schemas);
        assert_eq!(kind_at("/paths/~1a/get/responses/200/headers/X-Rate"), Kind::Headers);
        assert_eq!(kind_at("/paths/~1a/get/parameters/0"), Kind::Parameters);
        assert_eq!(kind_at("/paths/~1a/get"), Kind::Operation);
        assert_eq!(kind_at("/paths/~1a/post/requestBody/content/application~1json/schema/items"), Kind::Schemas);
        assert_eq!(kind_at("/tags/0/description"), Kind::Value);
        assert_eq!(kind_at("/components/schemas/A/properties"), Kind::Properties);
        assert_eq!(kind_at("/components/schemas/A/properties/properties"), Kind::Schemas);
    }

    #[test]
    fn path_item_refs_are_inlined() {
        let mut document =
            json!({"paths": {"/a": {"$ref": "#/x-shared/item"}}, "x-shared": {"item": {"get": {"responses": {}}}}});
        bundle(&mut document, &parse, None, &mut Origins::default()).expect("bundles");
        assert_eq!(document.pointer("/paths/~1a"), Some(&json!({"get": {"responses": {}}})));
    }

    #[test]
    fn refs_in_examples_are_data_and_missing_targets_are_reported() {
        let mut document = json!({"components": {"schemas": {
            "A": {"example": {"$ref": "https://example.com/not-a-ref"}},
            "B": {"$ref": "#/components/schemas/Missing"}
        }}});
        let warnings = bundle(&mut document, &parse, None, &mut Origins::default()).expect("a schema can be any value");
        assert_eq!(
            warnings,
            [(
                "#/components/schemas/B/$ref".to_owned(),
                "`$ref` target `#/components/schemas/Missing` does not exist; the value is read as any JSON \
                 (`serde_json::Value`)"
                    .to_owned()
            )]
        );
        assert_eq!(document["components"]["schemas"]["B"], json!({}));
        let mut document =
            json!({"paths": {"/a": {"get": {"responses": {"200": {"$ref": "#/components/responses/Gone"}}}}}});
        let problems =
            bundle(&mut document, &parse, None, &mut Origins::default()).expect_err("a response cannot be guessed");
        assert_eq!(problems[0].1, "`$ref` target `#/components/responses/Gone` does not exist");
    }

    #[test]
    fn a_target_that_differs_only_in_case_resolves_with_a_warning() {
        let mut document = parse(
            r##"{"paths": {"/a": {"get": {"responses": {"200": {"$ref": "#/components/responses/json"}}}}},
                "components": {"responses": {"Json": {"description": "ok"}}}}"##,
        )
        .expect("parses");
        let warnings = bundle(&mut document, &parse, None, &mut Origins::default()).expect("bundles");
        assert_eq!(document["paths"]["/a"]["get"]["responses"]["200"]["$ref"], "#/components/responses/Json");
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].0, "#/paths/~1a/get/responses/200/$ref");
        assert!(warnings[0].1.contains("differs only in case"), "{}", warnings[0].1);
    }

    #[test]
    fn a_target_matching_several_keys_ignoring_case_is_still_missing() {
        let mut document = parse(
            r##"{"paths": {"/a": {"get": {"responses": {"200": {"$ref": "#/components/responses/json"}}}}},
                "components": {"responses": {"Json": {"description": "a"}, "JSON": {"description": "b"}}}}"##,
        )
        .expect("parses");
        let problems = bundle(&mut document, &parse, None, &mut Origins::default()).expect_err("ambiguous");
        assert!(problems[0].1.contains("does not exist"), "{problems:?}");
    }

    #[test]
    fn names_that_look_like_extensions_or_examples_are_still_followed() {
        let mut document = parse(
            r##"{"paths": {"/a": {"get": {"responses": {"200": {"description": "ok",
                    "headers": {"x-request-id": {"$ref": "#/paths/~1b/get/responses/200/headers/h"}},
                    "x-note": {"$ref": "not a reference"}}}}},
                  "/b": {"get": {"responses": {"200": {"description": "ok", "headers": {"h": {"schema": {}}}}}}}},
                "components": {"schemas": {"T": {"properties": {"example": {"$ref": "#/components/schemas/Missing"}}}}}}"##,
        )
        .expect("parses");
        let warnings = bundle(&mut document, &parse, None, &mut Origins::default()).expect("bundles");
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert_eq!(warnings[0].0, "#/components/schemas/T/properties/example/$ref");
        let header = &document["paths"]["/a"]["get"]["responses"]["200"]["headers"]["x-request-id"]["$ref"];
        assert!(header.as_str().is_some_and(|target| target.starts_with("#/components/headers/")), "{header}");
        assert_eq!(document["paths"]["/a"]["get"]["responses"]["200"]["x-note"]["$ref"], "not a reference");
    }

    #[test]
    fn files_cannot_be_followed_without_a_reader() {
        let mut document = json!({"components": {"schemas": {"A": {"$ref": "other.yaml#/A"}}}});
        let problems = bundle(&mut document, &parse, None, &mut Origins::default()).expect_err("no reader");
        assert!(problems[0].1.contains("cannot be followed"), "{problems:?}");
    }
}
