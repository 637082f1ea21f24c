//! The runtime crate (`runtime/` in this workspace), as every generated crate carries it:
//! its sources become the crate's `runtime` module, less their unit tests, and its
//! manifest's dependencies and features become the crate's. So a generated crate needs
//! only crates.io, and the runtime is linted and tested on its own in the workspace.

use std::path::PathBuf;

/// Each source file of the runtime crate, by its name in the generated `src/runtime/`.
const SOURCES: &[(&str, &str)] = &[
    ("mod.rs", include_str!("../../../runtime/src/lib.rs")),
    ("auth.rs", include_str!("../../../runtime/src/auth.rs")),
    ("config.rs", include_str!("../../../runtime/src/config.rs")),
    ("download.rs", include_str!("../../../runtime/src/download.rs")),
    ("encode.rs", include_str!("../../../runtime/src/encode.rs")),
    ("error.rs", include_str!("../../../runtime/src/error.rs")),
    ("hooks.rs", include_str!("../../../runtime/src/hooks.rs")),
    ("pagination.rs", include_str!("../../../runtime/src/pagination.rs")),
    ("request.rs", include_str!("../../../runtime/src/request.rs")),
    ("response.rs", include_str!("../../../runtime/src/response.rs")),
    ("retry.rs", include_str!("../../../runtime/src/retry.rs")),
    ("sse.rs", include_str!("../../../runtime/src/sse.rs")),
    ("upload.rs", include_str!("../../../runtime/src/upload.rs")),
];

/// The runtime crate's manifest: what every generated crate depends on, and its features.
const MANIFEST: &str = include_str!("../../../runtime/Cargo.toml");

/// Where a module's unit tests start; they stay in the workspace.
const UNIT_TESTS: &str = "\n#[cfg(test)]\nmod tests {";

/// The generated crate's `src/runtime/` files, each with the `@generated` header.
pub(super) fn files(header: &str) -> impl Iterator<Item = (PathBuf, String)> + '_ {
    SOURCES.iter().map(move |(name, source)| {
        let code = match source.find(UNIT_TESTS) {
            Some(tests) => format!("{}\n", source[..tests].trim_end()),
            None => (*source).to_owned(),
        };
        (PathBuf::from("src/runtime").join(name), format!("{header}{code}"))
    })
}

/// The runtime's manifest, read once per crate; it is ours, so failing to read it is a
/// generator bug caught by the tests below, and reads as an empty table meanwhile.
fn manifest() -> toml_edit::DocumentMut {
    MANIFEST.parse().unwrap_or_default()
}

/// `name = requirement` lines of the runtime's dependencies, as a manifest writes them.
pub(super) fn dependency_lines() -> Vec<String> {
    let manifest = manifest();
    let Some(dependencies) = manifest.get("dependencies").and_then(|item| item.as_table_like()) else {
        return Vec::new();
    };
    dependencies.iter().map(|(name, requirement)| format!("{name} = {}", requirement.to_string().trim())).collect()
}

/// The runtime's features (TLS backends, `round-trip`), with what each enables; `default`
/// is the features a generated crate has unless its user says otherwise.
pub(super) fn features() -> Vec<(String, Vec<String>)> {
    let manifest = manifest();
    let Some(features) = manifest.get("features").and_then(|item| item.as_table_like()) else {
        return Vec::new();
    };
    features
        .iter()
        .map(|(name, enables)| {
            let enables = enables.as_array().map_or_else(Vec::new, |array| {
                array.iter().filter_map(|value| value.as_str().map(str::to_owned)).collect()
            });
            (name.to_owned(), enables)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_source_file_of_the_runtime_is_copied() {
        let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../runtime/src");
        let mut on_disk: Vec<String> = std::fs::read_dir(&folder)
            .expect("runtime/src exists")
            .map(|entry| entry.expect("readable").file_name().to_string_lossy().into_owned())
            .collect();
        on_disk.sort();
        let mut copied: Vec<String> =
            SOURCES.iter().map(|(name, _)| if *name == "mod.rs" { "lib.rs" } else { name }.to_owned()).collect();
        copied.sort();
        assert_eq!(copied, on_disk);
    }

    #[test]
    fn copies_leave_unit_tests_behind_and_parse() {
        for (path, text) in files("") {
            assert!(!text.contains("#[cfg(test)]"), "{} keeps a test module", path.display());
            syn::parse_file(&text).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
        }
    }

    #[test]
    fn the_manifest_gives_dependencies_and_features() {
        assert!(manifest().contains_key("package"), "the runtime's manifest parses");
        let dependencies = dependency_lines();
        assert!(dependencies.iter().any(|line| line.starts_with("reqwest = {")), "{dependencies:?}");
        assert!(dependencies.iter().all(|line| !line.contains('#')), "no comments: {dependencies:?}");
        let features = features();
        let names: Vec<&str> = features.iter().map(|(name, _)| name.as_str()).collect();
        for owned in crate::naming::owned::RUNTIME_FEATURES {
            assert!(names.contains(owned), "naming::owned lists `{owned}`, which the runtime lacks");
        }
        for name in names {
            assert!(crate::naming::owned::RUNTIME_FEATURES.contains(&name), "naming::owned lacks `{name}`");
        }
    }
}
