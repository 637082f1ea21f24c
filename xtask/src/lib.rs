//! Project automation, as a library so tests can run the same code as `cargo xtask`.
//!
//! All file IO of code generation lives here; the generator itself is pure. Output is
//! produced in memory first, so a bad spec leaves every file untouched, and written by
//! building the new tree beside the old one and swapping, so no run leaves a
//! half-written tree.

pub mod bench;
pub mod corpus;
pub mod fuzz;
pub mod prism;
pub mod shapes;
pub mod verify;

use anyhow::{bail, Context, Result};
use generator::{ApiSpec, Config, CrateSettings, Files, Overlay};
use std::fs;
use std::path::{Path, PathBuf};

/// What `codegen` regenerates: each output crate from the specs in one folder.
#[derive(Debug, Clone)]
pub struct Target {
    pub specs_dir: &'static str,
    pub output_dir: &'static str,
    pub crate_name: &'static str,
    pub default_features_all: bool,
    /// See [`CrateSettings::tag_features_from`].
    pub tag_features_from: Option<usize>,
    /// Warnings (what was accepted only leniently) fail the run: the seed specs are ours
    /// and must be clean; the fixtures hold breakage on purpose.
    pub strict: bool,
}

pub const TARGETS: &[Target] = &[
    Target {
        specs_dir: "specs",
        output_dir: "generated-client",
        crate_name: "generated-client",
        default_features_all: false,
        tag_features_from: Some(CrateSettings::DEFAULT_TAG_FEATURES_FROM),
        strict: true,
    },
    Target {
        specs_dir: "tests/fixtures",
        output_dir: "tests/fixture-client",
        crate_name: "fixture-client",
        default_features_all: true,
        // Every fixture API with two or more groups is split by tag, so the tests exercise feature gating.
        tag_features_from: Some(1),
        strict: false,
    },
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Write what changed.
    Write,
    /// Change nothing; fail with a diff if anything would change.
    Check,
}

/// The workspace root, from this crate's location as `cargo run` gives it; run directly
/// (`./target/release/xtask`), the nearest folder above the current one that holds
/// `xtask/Cargo.toml`. The path compiled in is only the last fallback: two checkouts
/// sharing one target folder share this binary, which would then regenerate (or check)
/// the checkout it was built in instead of the one it is run in.
pub fn workspace_root() -> PathBuf {
    let from_cargo = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from);
    let from_current_dir = || {
        let current = std::env::current_dir().ok()?;
        current
            .ancestors()
            .find(|folder| folder.join("xtask").join("Cargo.toml").is_file())
            .map(|root| root.join("xtask"))
    };
    let manifest_dir = from_cargo.or_else(from_current_dir).unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into());
    manifest_dir.parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."))
}

/// Regenerates (or checks) every target. Returns a human-readable summary.
pub fn codegen(root: &Path, mode: Mode) -> Result<String> {
    let mut summary = Vec::new();
    let mut stale = Vec::new();
    for target in TARGETS {
        let files = generate_target(root, target)?;
        let output = root.join(target.output_dir);
        let changes = diff_tree(&output, &files)?;
        if changes.is_empty() {
            summary.push(format!("{}: up to date", target.output_dir));
            continue;
        }
        match mode {
            Mode::Check => stale.push(render_changes(target.output_dir, &changes)),
            Mode::Write => {
                write_tree(&output, &files)?;
                summary.push(format!("{}: {} file(s) changed", target.output_dir, changes.len()));
            }
        }
    }
    if !stale.is_empty() {
        bail!("generated code is stale; run `cargo xtask codegen` and commit the result\n\n{}", stale.join("\n"));
    }
    Ok(summary.join("\n"))
}

fn generate_target(root: &Path, target: &Target) -> Result<Files> {
    let paths = spec_files(&root.join(target.specs_dir))?;
    let texts: Vec<(String, String, String, Steering)> = paths
        .iter()
        .map(|path| {
            let text = fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
            let name = path.file_stem().and_then(|stem| stem.to_str()).unwrap_or("api").to_owned();
            let shown = shown_path(root, path);
            Ok((name, shown, text, Steering::beside(root, path)?))
        })
        .collect::<Result<_>>()?;
    let specs: Vec<ApiSpec<'_>> = texts
        .iter()
        .map(|(name, file, text, steering)| steering.steer(ApiSpec::new(name, file.clone(), text)))
        .collect();
    let settings = CrateSettings {
        crate_name: target.crate_name.to_owned(),
        workspace: generator::Workspace::Inherit,
        default_features_all: target.default_features_all,
        tag_features_from: target.tag_features_from,
    };
    generator::generate_crate(&specs, &settings)
        .map_err(|diagnostics| anyhow::anyhow!("{diagnostics}"))
        .and_then(|generated| report_warnings(generated, target.strict))
}

fn shown_path(root: &Path, path: &Path) -> String {
    path.strip_prefix(root).unwrap_or(path).display().to_string()
}

/// What steers one spec's generation: its config (`<stem>.toml` beside it, or a file
/// given) and its overlays (the config's `overlays`, else `<stem>.overlay.yaml` beside
/// the spec when there is one), read so the generator, which does no IO, can apply them.
#[derive(Debug, Default)]
pub struct Steering {
    pub config: Option<Config>,
    /// Each overlay as errors name it, and its text.
    pub overlays: Vec<(String, String)>,
}

impl Steering {
    /// The config and overlays that sit beside `spec`, if any.
    pub fn beside(root: &Path, spec: &Path) -> Result<Self> {
        Self::read(root, spec, None, &[])
    }

    /// `config` instead of the one beside the spec, and `extra_overlays` after the config's.
    pub fn read(root: &Path, spec: &Path, config: Option<&Path>, extra_overlays: &[PathBuf]) -> Result<Self> {
        let beside = |suffix: &str| {
            let stem = spec.file_stem().and_then(|stem| stem.to_str()).unwrap_or("api");
            spec.with_file_name(format!("{stem}{suffix}"))
        };
        let config_path = match config {
            Some(path) => Some(path.to_path_buf()),
            None => Some(beside(".toml")).filter(|path| path.is_file()),
        };
        let config = match &config_path {
            Some(path) => {
                let text = fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
                let config =
                    Config::parse(&shown_path(root, path), &text).map_err(|found| anyhow::anyhow!("{found}"))?;
                Some(config)
            }
            None => None,
        };
        let mut overlay_paths: Vec<PathBuf> = match (&config, &config_path) {
            (Some(config), Some(path)) if !config.overlays.is_empty() => {
                let folder = path.parent().unwrap_or(Path::new("."));
                config.overlays.iter().map(|overlay| folder.join(overlay)).collect()
            }
            _ => ["overlay.yaml", "overlay.yml", "overlay.json"]
                .iter()
                .map(|suffix| beside(&format!(".{suffix}")))
                .filter(|path| path.is_file())
                .collect(),
        };
        overlay_paths.extend(extra_overlays.iter().cloned());
        let overlays = overlay_paths
            .iter()
            .map(|path| {
                let text = fs::read_to_string(path).with_context(|| format!("reading overlay {}", path.display()))?;
                Ok((shown_path(root, path), text))
            })
            .collect::<Result<_>>()?;
        Ok(Self { config, overlays })
    }

    /// `spec` with this config and these overlays.
    pub fn steer<'a>(&'a self, spec: ApiSpec<'a>) -> ApiSpec<'a> {
        let overlays = self.overlays.iter().map(|(file, text)| Overlay { file, text }).collect();
        let spec = spec.with_overlays(overlays);
        match &self.config {
            Some(config) => spec.with_config(config),
            None => spec,
        }
    }
}

/// The spec documents of a folder, sorted: directory order differs between machines,
/// and output must not. Overlays (`*.overlay.yaml`) and configs beside them are not specs.
pub fn spec_files(specs_dir: &Path) -> Result<Vec<PathBuf>> {
    let mut paths: Vec<PathBuf> = fs::read_dir(specs_dir)
        .with_context(|| format!("reading {}", specs_dir.display()))?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| matches!(path.extension().and_then(|e| e.to_str()), Some("yaml" | "yml" | "json")))
        .filter(|path| !path.file_stem().and_then(|stem| stem.to_str()).is_some_and(|stem| stem.ends_with(".overlay")))
        .collect();
    paths.sort();
    Ok(paths)
}

/// Writes `files` under `dir`, which need not exist (for scratch output under `target/`).
pub fn write_files(dir: &Path, files: &Files) -> Result<()> {
    for (path, contents) in files {
        let target = dir.join(path);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::write(&target, contents).with_context(|| format!("writing {}", target.display()))?;
    }
    Ok(())
}

/// Prints what the generator accepted only leniently, and hands on the files; with
/// `strict`, each of those is an error instead.
fn report_warnings(generated: generator::Generated, strict: bool) -> Result<Files> {
    if strict && !generated.warnings.is_empty() {
        let errors: Vec<String> =
            generated.warnings.iter().map(|warning| format!("error (strict): {warning}")).collect();
        bail!("{}", errors.join("\n"));
    }
    for warning in &generated.warnings {
        eprintln!("warning: {warning}");
    }
    Ok(generated.files)
}

/// How `generate` writes a standalone crate.
#[derive(Debug, Clone, Copy, Default)]
pub struct Standalone<'a> {
    pub crate_name: &'a str,
    /// The API's module and feature; else the config's, else from the spec's title.
    pub module: Option<&'a str>,
    /// The prefix of the variables `from_env` reads; else the config's, else the module's.
    pub env_prefix: Option<&'a str>,
    /// A config other than `<stem>.toml` beside the spec.
    pub config: Option<&'a Path>,
    /// Overlays applied after the config's (or the one beside the spec).
    pub overlays: &'a [PathBuf],
    /// The manifest joins the enclosing workspace instead of declaring its own.
    pub workspace_member: bool,
    /// Warnings fail the run.
    pub strict: bool,
}

/// Reads the files a multi-file spec's `$ref`s name, relative to the spec's folder.
pub fn read_beside(spec: &Path) -> impl Fn(&str) -> Result<String, String> {
    let folder = spec.parent().map(Path::to_path_buf).unwrap_or_default();
    move |relative: &str| fs::read_to_string(folder.join(relative)).map_err(|error| error.to_string())
}

/// Generates a standalone crate for one spec into `output`.
pub fn generate_standalone(input: &Path, output: &Path, options: Standalone<'_>) -> Result<()> {
    let Standalone { crate_name, workspace_member, strict, module, env_prefix, config, overlays } = options;
    let text = fs::read_to_string(input).with_context(|| format!("reading {}", input.display()))?;
    let read = read_beside(input);
    let mut steering = Steering::read(Path::new(""), input, config, overlays)?;
    // The command line overrides the config.
    if module.is_some() || env_prefix.is_some() {
        let config = steering.config.get_or_insert_with(Config::default);
        if let Some(module) = module {
            config.module = Some(module.to_owned());
        }
        if let Some(prefix) = env_prefix {
            config.env_prefix = Some(generator::naming::const_name(prefix));
        }
    }
    let spec = ApiSpec::titled(input.display().to_string(), &text).with_file_reader(&read);
    let spec = steering.steer(spec);
    let settings = CrateSettings {
        crate_name: crate_name.to_owned(),
        workspace: if workspace_member { generator::Workspace::Member } else { generator::Workspace::Own },
        default_features_all: true,
        tag_features_from: Some(CrateSettings::DEFAULT_TAG_FEATURES_FROM),
    };
    let files = generator::generate_crate(&[spec], &settings)
        .map_err(|diagnostics| anyhow::anyhow!("{diagnostics}"))
        .and_then(|generated| report_warnings(generated, strict))?;
    if output.exists() && !is_generated_crate(output) && fs::read_dir(output)?.next().is_some() {
        bail!("{} exists and is not a generated crate; refusing to replace it", output.display());
    }
    if !diff_tree(output, &files)?.is_empty() {
        write_tree(output, &files)?;
    }
    Ok(())
}

fn is_generated_crate(dir: &Path) -> bool {
    fs::read_to_string(dir.join("Cargo.toml")).is_ok_and(|manifest| manifest.starts_with("# @generated"))
}

/// One difference between the files on disk and the generated ones.
#[derive(Debug)]
pub enum Change {
    Added(PathBuf, String),
    Modified(PathBuf, String, String),
    Removed(PathBuf, String),
}

fn diff_tree(output: &Path, files: &Files) -> Result<Vec<Change>> {
    let mut changes = Vec::new();
    for (path, new) in files {
        match fs::read_to_string(output.join(path)) {
            Ok(old) if &old == new => {}
            Ok(old) => changes.push(Change::Modified(path.clone(), old, new.clone())),
            Err(_) => changes.push(Change::Added(path.clone(), new.clone())),
        }
    }
    for existing in list_files(output)? {
        if !files.contains_key(&existing) {
            let old = fs::read_to_string(output.join(&existing)).unwrap_or_default();
            changes.push(Change::Removed(existing, old));
        }
    }
    Ok(changes)
}

fn list_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    if !dir.exists() {
        return Ok(found);
    }
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in fs::read_dir(&current)? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(relative) = path.strip_prefix(dir) {
                found.push(relative.to_path_buf());
            }
        }
    }
    found.sort();
    Ok(found)
}

fn render_changes(output_dir: &str, changes: &[Change]) -> String {
    let mut out = String::new();
    for change in changes {
        let (path, old, new) = match change {
            Change::Added(path, new) => (path, "", new.as_str()),
            Change::Modified(path, old, new) => (path, old.as_str(), new.as_str()),
            Change::Removed(path, old) => (path, old.as_str(), ""),
        };
        let shown = Path::new(output_dir).join(path).display().to_string();
        let diff = similar::TextDiff::from_lines(old, new);
        out.push_str(
            &diff.unified_diff().context_radius(2).header(&format!("a/{shown}"), &format!("b/{shown}")).to_string(),
        );
    }
    out
}

/// Writes the complete tree beside `output`, then swaps it in. Unchanged files are hard
/// links to the old ones, so their timestamps (and cargo's fingerprints) stay put.
fn write_tree(output: &Path, files: &Files) -> Result<()> {
    let parent = output.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    fs::create_dir_all(parent)?;
    let name = output.file_name().and_then(|n| n.to_str()).unwrap_or("output");
    let staging = tempfile::Builder::new().prefix(&format!(".{name}.new-")).tempdir_in(parent)?;
    for (path, contents) in files {
        let target = staging.path().join(path);
        if let Some(dir) = target.parent() {
            fs::create_dir_all(dir)?;
        }
        let old = output.join(path);
        let unchanged = fs::read_to_string(&old).is_ok_and(|existing| &existing == contents);
        if !(unchanged && fs::hard_link(&old, &target).is_ok()) {
            fs::write(&target, contents).with_context(|| format!("writing {}", target.display()))?;
        }
    }
    let staged = staging.keep();
    if output.exists() {
        let retired = tempfile::Builder::new().prefix(&format!(".{name}.old-")).tempdir_in(parent)?.keep();
        fs::remove_dir(&retired)?;
        fs::rename(output, &retired).with_context(|| format!("moving {} aside", output.display()))?;
        fs::rename(&staged, output).with_context(|| format!("moving the new {} in", output.display()))?;
        fs::remove_dir_all(&retired)?;
    } else {
        fs::rename(&staged, output).with_context(|| format!("moving the new {} in", output.display()))?;
    }
    Ok(())
}
