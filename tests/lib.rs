//! Helpers shared by the integration tests: where the specs are, and how to generate from them.
//!
//! The README's usage example is compiled here as a doctest, so it cannot drift from the
//! generated API.
#![doc = include_str!("../README.md")]

use std::path::{Path, PathBuf};

/// The workspace root.
pub fn root() -> PathBuf {
    xtask::workspace_root()
}

/// The spec files of a folder (relative to the root), sorted, as `codegen` finds them.
pub fn spec_files(dir: &str) -> Vec<PathBuf> {
    xtask::spec_files(&root().join(dir)).unwrap_or_else(|error| panic!("reading {dir}: {error:#}"))
}

/// Generates a single-API crate from a spec file, as `cargo xtask generate` would.
pub fn generate(path: &Path) -> Result<generator::Files, generator::Diagnostics> {
    generate_with_warnings(path).map(|generated| generated.files)
}

/// [`generate`], keeping the warnings about what was accepted leniently.
pub fn generate_with_warnings(path: &Path) -> Result<generator::Generated, generator::Diagnostics> {
    let text = std::fs::read_to_string(path).expect("spec readable");
    let name = path.file_stem().and_then(|stem| stem.to_str()).expect("spec name");
    let shown = path.strip_prefix(root()).unwrap_or(path).display().to_string();
    let read = xtask::read_beside(path);
    let steering = xtask::Steering::beside(&root(), path).expect("config and overlays readable");
    let spec = steering.steer(generator::ApiSpec::new(name, shown, &text).with_file_reader(&read));
    let settings = generator::CrateSettings {
        crate_name: "snapshot".to_owned(),
        workspace: generator::Workspace::Own,
        default_features_all: true,
        tag_features_from: Some(generator::CrateSettings::DEFAULT_TAG_FEATURES_FROM),
    };
    generator::generate_crate(&[spec], &settings)
}
