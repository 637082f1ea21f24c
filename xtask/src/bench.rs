//! `cargo xtask bench-compile [SPEC…]`: what a generated crate costs its users. For each
//! spec: generate the crate (timed), count what it emits (operations, types, shapes that
//! repeat, lines), build its dependencies once, then time a clean `cargo check` of the
//! crate alone with every API feature (`full`) and with one tag feature (`CARGO_INCREMENTAL=0`), and
//! its peak memory (the largest process of the check, from `/usr/bin/time` when the
//! machine has it). With `--build`, also a clean debug `cargo build` with every API
//! feature: what `check` does not see, the machine code of every generic the crate
//! instantiates (a send loop generic over each operation's types shows here alone).
//!
//! Without specs it takes the big APIs of `../shared/corpus` (Cloudflare, Stripe, GitHub,
//! Box, Zitadel, Zoom) and says which are missing. Crates go to `target/bench-compile/`.

use anyhow::{bail, Context, Result};
use generator::{ApiSpec, CrateSettings};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// The corpus documents measured by default.
pub const DEFAULT_SET: &[&str] = &[
    "cloudflare/openapi.json",
    "stripe/spec3.yaml",
    "github/api.github.com.json",
    "box/openapi.json",
    "zitadel/management.swagger.json",
    "zoom/openapi.v2.json",
];

#[derive(Debug, Clone)]
pub struct Options {
    pub specs: Vec<PathBuf>,
    pub corpus: PathBuf,
    /// The tag feature timed alone; by default the crate's first.
    pub feature: Option<String>,
    /// Count only; no `cargo check`.
    pub no_check: bool,
    /// Also time a clean debug build with every API feature.
    pub build: bool,
}

#[derive(Debug, Default)]
struct Row {
    spec: String,
    operations: usize,
    generate_ms: u128,
    types: usize,
    duplicates: usize,
    lines: usize,
    /// All features, then one: seconds and peak MB.
    full: Option<Measure>,
    one: Option<(String, Measure)>,
    /// A debug build with every API feature.
    build: Option<Measure>,
}

#[derive(Debug, Clone, Copy)]
struct Measure {
    seconds: f64,
    peak_mb: Option<u64>,
}

pub fn run(root: &Path, options: &Options) -> Result<String> {
    let specs: Vec<PathBuf> = if options.specs.is_empty() {
        if !options.corpus.is_dir() {
            bail!(
                "the corpus folder {} is absent: give specs, or put the shared corpus there",
                options.corpus.display()
            );
        }
        let (present, missing): (Vec<PathBuf>, Vec<PathBuf>) =
            DEFAULT_SET.iter().map(|path| options.corpus.join(path)).partition(|path| path.is_file());
        for path in &missing {
            eprintln!("bench-compile: {} is absent from the corpus; skipped", path.display());
        }
        present
    } else {
        options.specs.clone()
    };
    let output_root = root.join("target/bench-compile");
    let target_dir = output_root.join("target");
    fs::create_dir_all(&output_root)?;
    let mut rows = Vec::new();
    for spec in &specs {
        let row = measure(root, spec, &output_root, &target_dir, options)
            .with_context(|| format!("measuring {}", spec.display()))?;
        eprintln!("{}", render(&row));
        rows.push(row);
    }
    let mut out = String::new();
    let _ = writeln!(out, "{}", header());
    for row in &rows {
        let _ = writeln!(out, "{}", render(row));
    }
    Ok(out)
}

fn measure(root: &Path, spec: &Path, output_root: &Path, target_dir: &Path, options: &Options) -> Result<Row> {
    let text = fs::read_to_string(spec).with_context(|| format!("reading {}", spec.display()))?;
    let crate_name = format!("bench-{}", crate::corpus::slug(&spec.display().to_string()));
    let read = crate::read_beside(spec);
    let started = Instant::now();
    let api_spec = ApiSpec::new("api", spec.display().to_string(), &text).with_file_reader(&read);
    let settings = CrateSettings {
        crate_name: crate_name.clone(),
        workspace: generator::Workspace::Own,
        default_features_all: true,
        tag_features_from: Some(CrateSettings::DEFAULT_TAG_FEATURES_FROM),
    };
    let generated = generator::generate_crate(&[api_spec], &settings).map_err(|found| anyhow::anyhow!("{found}"))?;
    let mut row =
        Row { spec: spec.display().to_string(), generate_ms: started.elapsed().as_millis(), ..Row::default() };
    for count in crate::shapes::count(&generated.files).values() {
        row.types += count.types;
        row.duplicates += count.duplicates.len();
        row.lines += count.lines;
    }
    row.operations = generated
        .files
        .iter()
        .filter(|(path, _)| {
            path.extension().is_some_and(|extension| extension == "rs")
                && !path.components().any(|part| part.as_os_str() == "runtime")
        })
        .map(|(_, text)| text.matches("\n    pub fn send(").count())
        .sum();
    if options.no_check {
        return Ok(row);
    }
    let crate_dir = output_root.join(&crate_name);
    let _ = fs::remove_dir_all(&crate_dir);
    crate::write_files(&crate_dir, &generated.files)?;
    fs::copy(root.join("Cargo.lock"), crate_dir.join("Cargo.lock"))?;
    let manifest = generated.files.get(Path::new("Cargo.toml")).cloned().unwrap_or_default();
    let feature = options.feature.clone().or_else(|| first_tag_feature(&manifest));
    // Dependencies first, then the crate alone with every API feature (`full`), as a user
    // enables them: `round-trip` is for verifying the generator, not for users.
    cargo(&crate_dir, target_dir, "check", &["--features", "full"])?;
    row.full = Some(clean(&crate_dir, target_dir, &crate_name, "check", &["--features", "full"])?);
    if let Some(feature) = feature {
        let features = ["--no-default-features", "--features", feature.as_str()];
        row.one = Some((feature.clone(), clean(&crate_dir, target_dir, &crate_name, "check", &features)?));
    }
    if options.build {
        cargo(&crate_dir, target_dir, "build", &["--features", "full"])?;
        row.build = Some(clean(&crate_dir, target_dir, &crate_name, "build", &["--features", "full"])?);
    }
    Ok(row)
}

/// The first feature of the manifest's `[features]` that is a tag's: one enabling only
/// `<api>-core`.
fn first_tag_feature(manifest: &str) -> Option<String> {
    let document: toml_edit::DocumentMut = manifest.parse().ok()?;
    let features = document.get("features")?.as_table()?;
    let first = features.iter().find_map(|(name, enables)| {
        let enables = enables.as_array()?;
        let only = enables.iter().next()?.as_str()?;
        (enables.len() == 1 && only.ends_with("-core")).then(|| name.to_owned())
    });
    first
}

/// `cargo <subcommand>` (`check` or `build`) of the crate and its dependencies.
fn cargo(crate_dir: &Path, target_dir: &Path, subcommand: &str, args: &[&str]) -> Result<()> {
    let status = Command::new(env!("CARGO"))
        .args([subcommand, "--offline", "--quiet"])
        .args(args)
        .current_dir(crate_dir)
        .env("CARGO_TARGET_DIR", target_dir)
        .status()
        .with_context(|| format!("running cargo {subcommand}"))?;
    if !status.success() {
        bail!("cargo {subcommand} {} failed in {}", args.join(" "), crate_dir.display());
    }
    Ok(())
}

/// `cargo <subcommand>` of the crate alone, from nothing: its own artifacts removed, no
/// incremental state, dependencies already built.
fn clean(crate_dir: &Path, target_dir: &Path, crate_name: &str, subcommand: &str, args: &[&str]) -> Result<Measure> {
    let status = Command::new(env!("CARGO"))
        .args(["clean", "--offline", "--quiet", "-p", crate_name])
        .current_dir(crate_dir)
        .env("CARGO_TARGET_DIR", target_dir)
        .status()
        .context("running cargo clean")?;
    if !status.success() {
        bail!("cargo clean -p {crate_name} failed");
    }
    let time = Path::new("/usr/bin/time");
    let report = crate_dir.join("time.txt");
    let mut command = if time.is_file() {
        let mut command = Command::new(time);
        command.arg("-f").arg("%M").arg("-o").arg(&report).arg(env!("CARGO"));
        command
    } else {
        Command::new(env!("CARGO"))
    };
    command
        .args([subcommand, "--offline", "--quiet"])
        .args(args)
        .current_dir(crate_dir)
        .env("CARGO_TARGET_DIR", target_dir)
        .env("CARGO_INCREMENTAL", "0");
    let started = Instant::now();
    let status = command.status().with_context(|| format!("running cargo {subcommand}"))?;
    let seconds = started.elapsed().as_secs_f64();
    if !status.success() {
        bail!("cargo {subcommand} {} failed in {}", args.join(" "), crate_dir.display());
    }
    let peak_mb = fs::read_to_string(&report)
        .ok()
        .and_then(|text| text.lines().last().and_then(|line| line.trim().parse::<u64>().ok()))
        .map(|kilobytes| kilobytes / 1024);
    Ok(Measure { seconds, peak_mb })
}

fn header() -> String {
    format!(
        "{:<40} {:>5} {:>7} {:>6} {:>5} {:>8} {:>16} {:>24} {:>16}",
        "spec",
        "ops",
        "gen ms",
        "types",
        "dups",
        "lines",
        "check full s/MB",
        "check one feature s/MB",
        "build full s/MB"
    )
}

fn render(row: &Row) -> String {
    let shown = |measure: &Measure| {
        let peak = measure.peak_mb.map_or("-".to_owned(), |mb| mb.to_string());
        format!("{:.1}/{peak}", measure.seconds)
    };
    let full = row.full.as_ref().map_or("-".to_owned(), shown);
    let one = row.one.as_ref().map_or("-".to_owned(), |(feature, measure)| format!("{} ({feature})", shown(measure)));
    let build = row.build.as_ref().map_or("-".to_owned(), shown);
    // The folder and file name say which API it is.
    let parts: Vec<&str> = row.spec.rsplit(['/', '\\']).take(2).collect();
    let spec: String = parts.into_iter().rev().collect::<Vec<_>>().join("/");
    format!(
        "{spec:<40} {:>5} {:>7} {:>6} {:>5} {:>8} {full:>16} {one:>24} {build:>16}",
        row.operations, row.generate_ms, row.types, row.duplicates, row.lines
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_tag_feature_is_one_that_enables_only_the_core() {
        let manifest = "[features]\ndefault = [\"api\"]\nfull = [\"api\"]\napi = [\"api-core\", \"zones\"]\napi-core = []\nzones = [\"api-core\"]\n";
        assert_eq!(first_tag_feature(manifest).as_deref(), Some("zones"));
        assert_eq!(first_tag_feature("[features]\ndefault = []\n"), None);
    }
}
