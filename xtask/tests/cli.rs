//! `cargo xtask` as maintainers run it: drift detection with a diff, clear failures on
//! bad specs, and standalone crates that compile.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    xtask::workspace_root()
}

fn xtask() -> Command {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
}

/// A copy of the workspace's specs and committed output, to break on purpose.
fn scratch_workspace() -> tempfile::TempDir {
    let scratch = tempfile::tempdir().expect("temp dir");
    for target in xtask::TARGETS {
        copy_dir(&root().join(target.specs_dir), &scratch.path().join(target.specs_dir));
        copy_dir(&root().join(target.output_dir), &scratch.path().join(target.output_dir));
    }
    scratch
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("listing") {
        let path = entry.expect("entry").path();
        let target = to.join(path.file_name().expect("name"));
        if path.is_dir() {
            if path.file_name().is_some_and(|name| name == "target") {
                continue;
            }
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).expect("copy");
        }
    }
}

#[test]
fn check_mode_reports_stale_output_with_a_diff_and_writes_nothing() {
    let scratch = scratch_workspace();
    let spec = scratch.path().join("specs/zoom-users.yaml");
    let text = std::fs::read_to_string(&spec).expect("spec").replace("Token deleted.", "Token removed.");
    std::fs::write(&spec, text).expect("edit spec");
    let stray = scratch.path().join("generated-client/src/stray.rs");
    std::fs::write(&stray, "// left over\n").expect("stray file");

    let error = xtask::codegen(scratch.path(), xtask::Mode::Check).expect_err("stale");
    let message = format!("{error:#}");
    assert!(message.contains("run `cargo xtask codegen`"), "{message}");
    assert!(message.contains("--- a/generated-client/src/zoom_users/users.rs"), "{message}");
    assert!(message.contains("-    /// - `204`: Token deleted."), "{message}");
    assert!(message.contains("+    /// - `204`: Token removed."), "{message}");
    assert!(message.contains("-// left over"), "{message}");
    assert!(stray.exists(), "check mode must not write");

    xtask::codegen(scratch.path(), xtask::Mode::Write).expect("regenerates");
    assert!(!stray.exists(), "write mode removes files the generator no longer produces");
    xtask::codegen(scratch.path(), xtask::Mode::Check).expect("fresh after writing");
}

#[test]
fn write_mode_leaves_unchanged_files_untouched() {
    let scratch = scratch_workspace();
    let untouched = scratch.path().join("generated-client/src/runtime/request.rs");
    let before = std::fs::metadata(&untouched).and_then(|m| m.modified()).expect("mtime");
    let spec = scratch.path().join("specs/zoom-users.yaml");
    let text = std::fs::read_to_string(&spec).expect("spec").replace("Token deleted.", "Token removed.");
    std::fs::write(&spec, text).expect("edit spec");
    std::thread::sleep(std::time::Duration::from_millis(20));
    xtask::codegen(scratch.path(), xtask::Mode::Write).expect("regenerates");
    let after = std::fs::metadata(&untouched).and_then(|m| m.modified()).expect("mtime");
    assert_eq!(before, after, "an unchanged file was rewritten");
}

#[test]
fn a_bad_spec_exits_non_zero_with_file_and_pointer_and_no_panic() {
    let output = tempfile::tempdir().expect("temp dir");
    let result = xtask()
        .args(["generate", "--strict", "--name", "broken", "--output"])
        .arg(output.path().join("client"))
        .arg("--input")
        // A dangling schema `$ref` is a warning; `--strict` makes it the error.
        .arg(root().join("tests/bad-specs/dangling-ref.yaml"))
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert_eq!(result.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("dangling-ref.yaml: #/paths/~1users/get/responses/200/content/application~1json/schema/$ref"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!output.path().join("client").exists(), "nothing may be written");
}

#[test]
fn a_missing_spec_file_is_a_clear_error() {
    let result =
        xtask().args(["generate", "--input", "no/such.yaml", "--output", "out", "--name", "x"]).output().expect("runs");
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert_eq!(result.status.code(), Some(1));
    assert!(stderr.contains("reading no/such.yaml"), "{stderr}");
}

/// Every spec in `specs/` becomes a standalone crate that passes `cargo check` with
/// warnings denied. One target directory serves all of them (and later runs).
#[test]
fn standalone_crates_for_every_spec_compile() {
    let scratch = tempfile::tempdir().expect("temp dir");
    let target_dir = root().join("target/standalone-check");
    let specs = xtask::spec_files(&root().join("specs")).expect("specs");
    assert!(!specs.is_empty());
    for spec in specs {
        let name = format!("{}-client", spec.file_stem().and_then(|s| s.to_str()).expect("stem"));
        let dir = scratch.path().join(&name);
        let status = xtask()
            .args(["generate", "--name", &name, "--input"])
            .arg(&spec)
            .arg("--output")
            .arg(&dir)
            .status()
            .expect("runs");
        assert!(status.success(), "generate {}", spec.display());
        // The workspace's lock file pins the same dependency versions, so no network is needed.
        std::fs::copy(root().join("Cargo.lock"), dir.join("Cargo.lock")).expect("lock file");
        let output = Command::new(env!("CARGO"))
            .args(["check", "--offline", "--quiet", "--all-targets"])
            .current_dir(&dir)
            .env("CARGO_TARGET_DIR", &target_dir)
            .env("RUSTFLAGS", "-D warnings")
            .output()
            .expect("cargo runs");
        assert!(output.status.success(), "{name} does not compile:\n{}", String::from_utf8_lossy(&output.stderr));
    }
}

/// A crate split by tag compiles with any one tag feature alone, warnings denied: types
/// are gated exactly on the tags that need them.
#[test]
fn each_tag_feature_compiles_alone() {
    let manifest = std::fs::read_to_string(root().join("tests/fixture-client/Cargo.toml")).expect("manifest");
    assert!(
        manifest.contains("operations = [\"operations-core\", \"operations-items\", \"operations-untagged\"]"),
        "{manifest}"
    );
    assert!(manifest.contains("operations-items = [\"operations-core\"]"), "{manifest}");
    for features in ["operations-core", "operations-items", "operations-untagged"] {
        let output = Command::new(env!("CARGO"))
            .args([
                "check",
                "--offline",
                "--quiet",
                "-p",
                "fixture-client",
                "--no-default-features",
                "--features",
                features,
            ])
            .current_dir(root())
            .env("CARGO_TARGET_DIR", root().join("target/standalone-check"))
            .env("RUSTFLAGS", "-D warnings")
            .output()
            .expect("cargo runs");
        assert!(output.status.success(), "--features {features}:\n{}", String::from_utf8_lossy(&output.stderr));
    }
}
