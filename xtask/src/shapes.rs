//! Counts what a generated crate emits, from the Rust text alone: the types of each
//! API's types files, and those that repeat the shape of an earlier one, and in each
//! group's file, the error enums that repeat another of that file. It reads the output,
//! not the IR, so it checks the generator's merging rather than restating it.
//!
//! Two items have one shape when they are token-for-token the same once their own
//! name, docs and `cfg` gates are taken out. Mutually recursive copies (`A { next: B }`,
//! `B { next: A }`) differ in the names they mention, so they escape this check; every
//! other copy is found, at any depth: if two types differ only in naming two copies,
//! those copies are found first.

use std::collections::{BTreeMap, HashMap};

/// Per API module: how many types its types files define (structs, enums, aliases:
/// `types.rs`, or `types/mod.rs` and a file per group) and which ones repeat an earlier
/// type's shape, in any of the files, as `(copy, first)`; then the operations' error
/// enums that repeat an earlier one of the same group file.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Count {
    pub types: usize,
    pub lines: usize,
    pub duplicates: Vec<(String, String)>,
}

/// Counts each API of the crate's files (path → contents), keyed by module.
pub fn count(files: &BTreeMap<std::path::PathBuf, String>) -> BTreeMap<String, Count> {
    let mut counts: BTreeMap<String, Count> = BTreeMap::new();
    let mut types_files: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for (path, text) in files {
        if path.extension().is_none_or(|extension| extension != "rs") {
            continue;
        }
        let folders: Vec<&str> = path.iter().filter_map(|part| part.to_str()).collect();
        // `src/<api>/<file>.rs` or `src/<api>/types/<file>.rs`.
        let (module, is_types) = match folders[..] {
            ["src", module, file] => (module, file == "types.rs"),
            ["src", module, "types", _] => (module, true),
            _ => continue,
        };
        let entry = counts.entry(module.to_owned()).or_default();
        entry.lines += text.lines().count();
        match is_types {
            true => types_files.entry(module.to_owned()).or_default().push(text),
            false => entry.duplicates.extend(error_enum_copies(text)),
        }
    }
    for (module, texts) in types_files {
        let found = count_types(&texts);
        let entry = counts.entry(module).or_default();
        entry.types = found.types;
        entry.duplicates.splice(0..0, found.duplicates);
    }
    counts
}

/// The error enums of one group's file (`pub enum GetError`) that repeat an earlier one's
/// shape, as `(copy, first)`: operations documenting the same errors share one enum.
pub fn error_enum_copies(text: &str) -> Vec<(String, String)> {
    let Ok(file) = syn::parse_file(text) else { return Vec::new() };
    let mut first_of_shape: HashMap<String, String> = HashMap::new();
    let mut copies = Vec::new();
    for item in file.items {
        let syn::Item::Enum(item) = item else { continue };
        if !item.ident.to_string().ends_with("Error") {
            continue;
        }
        let (name, shape) = enum_shape(item);
        match first_of_shape.get(&shape) {
            Some(first) => copies.push((name, first.clone())),
            None => {
                first_of_shape.insert(shape, name);
            }
        }
    }
    copies
}

/// An enum's name, and its text without its name, docs and gates.
fn enum_shape(mut item: syn::ItemEnum) -> (String, String) {
    let name = item.ident.to_string();
    item.attrs.retain(kept);
    item.variants.iter_mut().for_each(|variant| variant.attrs.retain(kept));
    // A trailing comma is no difference.
    item.variants = std::mem::take(&mut item.variants).into_iter().collect();
    item.ident = syn::Ident::new("Shape", item.ident.span());
    (name, quote_item(syn::Item::Enum(item)))
}

/// Counts the types of one API's types files, as one module.
pub fn count_types(texts: &[&str]) -> Count {
    let files: Vec<syn::File> = texts.iter().filter_map(|text| syn::parse_file(text).ok()).collect();
    let mut first_of_shape: HashMap<String, String> = HashMap::new();
    let mut count = Count { lines: texts.iter().map(|text| text.lines().count()).sum(), ..Count::default() };
    // A type's impls (`Envelope`, `Display`) are part of its shape.
    let mut impls: HashMap<String, Vec<String>> = HashMap::new();
    for item in files.iter().flat_map(|file| &file.items) {
        if let syn::Item::Impl(item) = item {
            let mut item = item.clone();
            if let syn::Type::Path(self_type) = item.self_ty.as_mut() {
                if let Some(last) = self_type.path.segments.last_mut() {
                    let name = last.ident.to_string();
                    last.ident = syn::Ident::new("Shape", last.ident.span());
                    impls.entry(name).or_default().push(quote_item(syn::Item::Impl(item)));
                }
            }
        }
    }
    for item in files.into_iter().flat_map(|file| file.items) {
        let (name, shape) = match item {
            syn::Item::Struct(mut item) => {
                let name = item.ident.to_string();
                item.attrs.retain(kept);
                item.fields.iter_mut().for_each(|field| field.attrs.retain(kept));
                if let syn::Fields::Named(fields) = &mut item.fields {
                    fields.named = std::mem::take(&mut fields.named).into_iter().collect();
                }
                item.ident = syn::Ident::new("Shape", item.ident.span());
                (name, quote_item(syn::Item::Struct(item)))
            }
            syn::Item::Enum(item) => enum_shape(item),
            syn::Item::Type(_) => {
                // An alias is a name, not a shape: it is counted, never a copy.
                count.types += 1;
                continue;
            }
            _ => continue,
        };
        count.types += 1;
        let mut own_impls = impls.remove(&name).unwrap_or_default();
        own_impls.sort();
        let shape = format!("{shape} {}", own_impls.join(" "));
        match first_of_shape.get(&shape) {
            Some(first) => count.duplicates.push((name, first.clone())),
            None => {
                first_of_shape.insert(shape, name);
            }
        }
    }
    count
}

fn kept(attribute: &syn::Attribute) -> bool {
    !(attribute.path().is_ident("doc") || attribute.path().is_ident("cfg"))
}

fn quote_item(item: syn::Item) -> String {
    let file = syn::File { shebang: None, frontmatter: None, attrs: Vec::new(), items: vec![item] };
    // Token text, not formatted text: line breaks must not tell two items apart.
    quote::ToTokens::to_token_stream(&file).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_are_found_whatever_their_names_docs_and_gates() {
        let text = r#"
            /// One.
            #[derive(Debug)]
            pub enum Format { Json, Csv }
            #[cfg(feature = "zones")]
            #[derive(Debug)]
            pub enum ZoneFormat {
                /// Comma-separated.
                Json,
                Csv,
            }
            #[derive(Debug)]
            pub enum Other { Json, Xml }
            pub type Alias = Format;
            pub struct A { result: Option<u8> }
            impl Envelope for A { type Result = Option<u8>; }
            pub struct B { result: Option<u8> }
            impl Envelope for B { type Result = u8; }
        "#;
        // A group's own types file is compared with the shared one.
        let home = "pub struct C { result: Option<u8> }\nimpl Envelope for C { type Result = u8; }";
        let count = count_types(&[text, home]);
        assert_eq!(count.types, 7);
        assert_eq!(
            count.duplicates,
            vec![("ZoneFormat".to_owned(), "Format".to_owned()), ("C".to_owned(), "B".to_owned())]
        );
    }

    #[test]
    fn error_enums_a_group_repeats_are_found_whatever_their_docs() {
        let text = r#"
            /// The error responses [`Get`] documents.
            pub enum GetError {
                /// `404`: Not found
                NotFound(types::Problem),
            }
            pub enum DeleteError {
                /// `404`: No such thing
                NotFound(types::Problem),
            }
            pub type UpdateError = GetError;
            pub enum RenameError { NotFound(String) }
            pub enum Unrelated { NotFound(types::Problem) }
        "#;
        assert_eq!(error_enum_copies(text), vec![("DeleteError".to_owned(), "GetError".to_owned())]);
    }
}
