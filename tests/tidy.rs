//! Hygiene enforced by a test rather than by review: every hand-written Rust file says
//! its role in a `//!` doc at the top, and nothing is stubbed out or skipped.

use std::path::{Path, PathBuf};

fn hand_written_rust_files() -> Vec<PathBuf> {
    let root = tests::root();
    let mut files = Vec::new();
    let mut stack: Vec<PathBuf> = ["generator", "xtask", "tests"].iter().map(|dir| root.join(dir)).collect();
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("listing") {
            let path = entry.expect("entry").path();
            let generated = path.ends_with("fixture-client") || path.ends_with("snapshots") || path.ends_with("target");
            if path.is_dir() && !generated {
                stack.push(path);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

fn relative(path: &Path) -> String {
    path.strip_prefix(tests::root()).unwrap_or(path).display().to_string()
}

#[test]
fn every_file_starts_with_a_module_doc() {
    let missing: Vec<String> = hand_written_rust_files()
        .into_iter()
        .filter(|path| !std::fs::read_to_string(path).expect("readable").starts_with("//!"))
        .map(|path| relative(&path))
        .collect();
    assert!(missing.is_empty(), "files without a `//!` doc at the top: {missing:?}");
}

#[test]
fn nothing_is_stubbed_or_ignored() {
    let markers = [concat!("todo", "!("), concat!("unimplemented", "!("), concat!("#[", "ignore")];
    let mut found = Vec::new();
    for path in hand_written_rust_files() {
        let text = std::fs::read_to_string(&path).expect("readable");
        for (number, line) in text.lines().enumerate() {
            if markers.iter().any(|marker| line.contains(marker)) {
                found.push(format!("{}:{}", relative(&path), number + 1));
            }
        }
    }
    assert!(found.is_empty(), "stubs or ignored tests: {found:?}");
}

/// Each converter stands alone: what both need lives in `convert/schema.rs`.
#[test]
fn neither_converter_reaches_into_the_other() {
    let dir = tests::root().join("generator/src/load/convert");
    for (file, other) in [("swagger.rs", "openapi31"), ("openapi31.rs", "swagger")] {
        let text = std::fs::read_to_string(dir.join(file)).expect("converter source");
        assert!(!text.contains(&format!("{other}::")), "{file} uses {other}");
    }
}
