//! Turns OpenAPI documents into a Rust client crate.
//!
//! The pipeline is `load` (text → [`ir::Api`]) then `emit` (IR → formatted Rust files).
//! The core is pure: [`generate_crate`] takes spec texts and returns a map from relative
//! path to file contents; reading specs and writing files is the caller's job (`xtask`).

#![forbid(unsafe_code)]

pub mod config;
mod dedup;
pub mod diagnostics;
mod emit;
mod features;
pub mod ir;
mod load;
pub mod naming;
mod pagination;
mod presence;
mod scopes;
pub mod verify;

use std::collections::BTreeMap;
use std::path::PathBuf;

pub use config::Config;
pub use diagnostics::{Diagnostic, Diagnostics};
pub use load::load;
pub use load::Overlay;

/// One input document.
#[derive(Debug, Clone)]
pub struct ApiSpec<'a> {
    /// Module and feature name of this API in the client crate (`cloudflare-zero-trust`);
    /// `None`: from the config, else from the document's `info.title`.
    pub name: Option<&'a str>,
    /// How errors name the file (usually its path).
    pub file: String,
    /// The document, YAML or JSON.
    pub text: &'a str,
    /// Reads the files that `$ref`s name (`models/pet.yaml#/Pet`), by path relative to the
    /// document's folder. Without one, a reference to another file is an error.
    pub read_file: Option<FileReader<'a>>,
    /// The maintainer's settings for this API.
    pub config: Option<&'a Config>,
    /// Applied to the document, in order, before it is read.
    pub overlays: Vec<Overlay<'a>>,
}

impl<'a> ApiSpec<'a> {
    pub fn new(name: &'a str, file: impl Into<String>, text: &'a str) -> Self {
        Self { name: Some(name), file: file.into(), text, read_file: None, config: None, overlays: Vec::new() }
    }

    /// A spec whose module is named by its config or, without one, by its own title
    /// (`Stripe API` → `stripe`): a vendor's file name (`openapi.json`) says nothing.
    pub fn titled(file: impl Into<String>, text: &'a str) -> Self {
        Self { name: None, ..Self::new("", file, text) }
    }

    pub fn with_config(mut self, config: &'a Config) -> Self {
        self.config = Some(config);
        self
    }

    pub fn with_overlays(mut self, overlays: Vec<Overlay<'a>>) -> Self {
        self.overlays = overlays;
        self
    }

    pub fn with_file_reader(mut self, read: &'a dyn Fn(&str) -> Result<String, String>) -> Self {
        self.read_file = Some(FileReader(read));
        self
    }
}

/// How the caller reads the other files of a multi-file spec; the generator does no IO.
#[derive(Clone, Copy)]
pub struct FileReader<'a>(pub &'a dyn Fn(&str) -> Result<String, String>);

impl std::fmt::Debug for FileReader<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FileReader")
    }
}

/// What kind of crate to write around the generated modules.
#[derive(Debug, Clone)]
pub struct CrateSettings {
    pub crate_name: String,
    /// How the crate's manifest relates to a Cargo workspace.
    pub workspace: Workspace,
    /// Features enabled by default; standalone crates enable every API.
    pub default_features_all: bool,
    /// APIs with at least this many operations get a cargo feature per tag; `None`: never.
    pub tag_features_from: Option<usize>,
}

/// Where the generated crate lives, which decides what its manifest says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workspace {
    /// A member of a workspace that defines `[workspace.package]` and `[workspace.lints]`
    /// (this repository): the manifest inherits edition, license and lints.
    Inherit,
    /// A member of someone else's workspace: every field spelled out, no `[workspace]`.
    Member,
    /// Standalone: its own `[workspace]`, so it builds wherever it is written.
    Own,
}

impl CrateSettings {
    /// APIs this large take long enough to compile that users want to pick parts.
    pub const DEFAULT_TAG_FEATURES_FROM: usize = 100;
}

/// The files of a generated crate, keyed by path relative to the crate root. Sorted, so
/// iteration (and thus writing and diffing) order never varies.
pub type Files = BTreeMap<PathBuf, String>;

/// A generated crate, and what the generator accepted only leniently.
#[derive(Debug, Clone)]
pub struct Generated {
    pub files: Files,
    /// Quirks worked around (a `$ref` that matched only ignoring case): worth fixing in
    /// the spec, but not worth refusing it.
    pub warnings: Vec<Diagnostic>,
}

/// Generates a client crate with one module and one cargo feature per spec.
pub fn generate_crate(specs: &[ApiSpec<'_>], settings: &CrateSettings) -> Result<Generated, Diagnostics> {
    build(specs, settings, false).map(|(generated, _)| generated)
}

/// Two specs whose names give the same module or feature would write into one module:
/// an error naming both files, since only the caller can rename one.
fn module_collisions(specs: &[ApiSpec<'_>], apis: &[ir::Api]) -> Diagnostics {
    let names: Vec<(String, String)> = apis.iter().map(|api| (api.module.clone(), api.feature.clone())).collect();
    let mut found = Diagnostics::default();
    for (index, (module, feature)) in names.iter().enumerate() {
        let earlier = names[..index].iter().position(|other| other.0 == *module || other.1 == *feature);
        if let Some(earlier) = earlier {
            found.0.push(Diagnostic {
                file: specs[index].file.clone(),
                location: "#".to_owned(),
                message: format!(
                    "this API's module is `{module}` (feature `{feature}`), as the API's from {} is; \
                     give one of them another name (`module` in its config)",
                    specs[earlier].file
                ),
            });
        }
    }
    found
}

/// An API as lowered and passed, the normalized document it came from, and the user's
/// pointer of each type's schema (see [`load::Loaded`]).
type Planned = (ir::Api, serde_json::Value, std::collections::BTreeMap<String, String>);

/// The pipeline: load each spec, run the IR passes, emit. With `keep_documents`, also
/// hands back each API with its normalized document, for verification.
fn build(
    specs: &[ApiSpec<'_>],
    settings: &CrateSettings,
    keep_documents: bool,
) -> Result<(Generated, Vec<Planned>), Diagnostics> {
    let mut apis = Vec::new();
    let mut documents = Vec::new();
    let mut problems = Diagnostics::default();
    for spec in specs {
        match load::load_document(spec, keep_documents) {
            Ok(loaded) => {
                let mut api = loaded.api;
                if spec.config.is_some_and(Config::filters) {
                    api.prune_unreached_types();
                }
                presence::settle(&mut api);
                scopes::combine(&mut api);
                let paging_problems = pagination::detect(&mut api);
                if let Some(config) = spec.config {
                    problems.0.extend(paging_problems.into_iter().map(|(key, message)| config.problem(key, message)));
                }
                dedup::merge(&mut api);
                dedup::share_error_enums(&mut api);
                api.settle_formats();
                apis.push(api);
                documents.push((loaded.document, loaded.user_pointers));
            }
            Err(found) => problems.extend(found),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    problems.extend(module_collisions(specs, &apis));
    if !problems.is_empty() {
        return Err(problems);
    }
    features::assign(&mut apis, settings);
    let warnings = apis.iter().flat_map(|api| api.warnings.iter().cloned()).collect();
    let files = emit::emit_crate(&apis, settings).map_err(|bug| Diagnostics(vec![bug]))?;
    let generated = Generated { files, warnings };
    let planned = match keep_documents {
        true => apis
            .into_iter()
            .zip(documents)
            .map(|(api, (document, pointers))| (api, document.unwrap_or_default(), pointers))
            .collect(),
        false => Vec::new(),
    };
    Ok((generated, planned))
}
