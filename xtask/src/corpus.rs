//! `cargo xtask corpus`: runs the generator over every real-world document listed in a
//! corpus's `INVENTORY.tsv`, lints each generated crate with `cargo clippy -D warnings` (one shared
//! target directory), and prints a table and the pass rate.
//!
//! Documents under `_invalid/` pass when they are rejected with a diagnostic. A panic
//! anywhere is a failure of its own kind. Generated crates go to `target/corpus/`,
//! never into the repository.

use anyhow::{bail, Context, Result};
use generator::{ApiSpec, CrateSettings};
use std::fmt::Write as _;
use std::fs;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

#[derive(Debug, Clone)]
pub struct Options {
    pub dir: PathBuf,
    /// Only documents whose path contains this.
    pub filter: Option<String>,
    /// Only documents of at most this many bytes (a quick sweep leaves out the giants).
    pub max_bytes: Option<u64>,
    /// Generate only; skip `cargo clippy`.
    pub no_check: bool,
    /// Instead of `cargo clippy`, run `verify` on each document: every schema's instances
    /// round-tripped through the generated client, every operation sent to a mock.
    pub verify: bool,
    /// With `verify`: send the operations to a mock too.
    pub mock: bool,
}

#[derive(Debug)]
struct Entry {
    path: String,
    operations: String,
    invalid: bool,
    /// The document's size, when the inventory gives it.
    bytes: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    Passed,
    /// An `_invalid/` document rejected with a diagnostic, as it should be.
    Rejected,
    Failed,
}

#[derive(Debug)]
struct Row {
    path: String,
    operations: String,
    generate_ms: u128,
    /// What was accepted only leniently.
    warnings: usize,
    /// Emitted types that repeat an earlier type's shape (`xtask::shapes`); should be 0.
    duplicates: usize,
    check: String,
    outcome: Outcome,
    first_error: String,
    /// With `--verify`: the document's counts.
    verify: Option<crate::verify::Summary>,
}

fn read_inventory(dir: &Path) -> Result<Vec<Entry>> {
    let inventory = dir.join("INVENTORY.tsv");
    if !dir.exists() {
        bail!(
            "the corpus is absent: {} does not exist. Put the corpus there (it lives in ../shared/corpus/) \
             or pass its folder: `cargo xtask corpus DIR`. Nothing was checked.",
            dir.display()
        );
    }
    let text = fs::read_to_string(&inventory).with_context(|| format!("reading {}", inventory.display()))?;
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split('\t').collect();
    let column = |name: &str| header.iter().position(|column| *column == name);
    let bytes_column = column("bytes");
    let (Some(path_column), Some(operations_column)) = (column("path"), column("n_operations")) else {
        bail!("{} has no `path` and `n_operations` columns", inventory.display());
    };
    Ok(lines
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            let path = fields.get(path_column).copied().unwrap_or_default().to_owned();
            Entry {
                invalid: path.starts_with("_invalid/"),
                operations: fields.get(operations_column).copied().unwrap_or_default().to_owned(),
                bytes: bytes_column.and_then(|column| fields.get(column)).and_then(|bytes| bytes.parse().ok()),
                path,
            }
        })
        .collect())
}

/// `stripe/spec3.json` → `stripe-spec3`, a crate and directory name.
pub(crate) fn slug(path: &str) -> String {
    let stem = path.rsplit_once('.').map_or(path, |(stem, _)| stem);
    let slug: String =
        stem.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    let slug = slug.split('-').filter(|part| !part.is_empty()).collect::<Vec<_>>().join("-");
    if slug.starts_with(|c: char| c.is_ascii_digit()) {
        format!("api-{slug}")
    } else {
        slug
    }
}

pub fn run(root: &Path, options: &Options) -> Result<String> {
    let entries: Vec<Entry> = read_inventory(&options.dir)?
        .into_iter()
        .filter(|entry| options.filter.as_ref().is_none_or(|filter| entry.path.contains(filter.as_str())))
        .filter(|entry| options.max_bytes.is_none_or(|limit| entry.bytes.is_some_and(|bytes| bytes <= limit)))
        .collect();
    if entries.is_empty() {
        bail!("no document in {} matches", options.dir.join("INVENTORY.tsv").display());
    }
    let output_root = root.join("target/corpus");
    let target_dir = root.join("target/corpus-target");
    fs::create_dir_all(&output_root)?;
    // Panics are caught and reported per document; keep the default hook quiet meanwhile.
    let default_hook = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let progress = indicatif::ProgressBar::new(entries.len() as u64).with_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} {elapsed} {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let mut rows = Vec::new();
    let width = entries.iter().map(|entry| entry.path.len()).max().unwrap_or(8).min(70);
    progress.suspend(|| println!("{}", header(width)));
    for entry in &entries {
        progress.set_message(entry.path.clone());
        let row = run_one(entry, options, &output_root, &target_dir, root);
        // Each row as soon as it is known: a full run takes a while.
        progress.suspend(|| println!("{}", render_row(&row, width)));
        rows.push(row);
        progress.inc(1);
    }
    progress.finish_and_clear();
    panic::set_hook(default_hook);
    Ok(summary(&rows))
}

fn run_one(entry: &Entry, options: &Options, output_root: &Path, target_dir: &Path, root: &Path) -> Row {
    let mut row = Row {
        path: entry.path.clone(),
        operations: entry.operations.clone(),
        generate_ms: 0,
        warnings: 0,
        duplicates: 0,
        check: "-".to_owned(),
        outcome: Outcome::Failed,
        first_error: String::new(),
        verify: None,
    };
    let file = options.dir.join(&entry.path);
    let text = match fs::read(&file) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(error) => {
            row.first_error = format!("cannot read: {error}");
            return row;
        }
    };
    let name = slug(&entry.path);
    let started = Instant::now();
    let generated = panic::catch_unwind(AssertUnwindSafe(|| {
        let read = crate::read_beside(&file);
        let spec = ApiSpec::new("api", entry.path.clone(), &text).with_file_reader(&read);
        let settings = CrateSettings {
            crate_name: name.clone(),
            workspace: generator::Workspace::Own,
            default_features_all: true,
            tag_features_from: Some(CrateSettings::DEFAULT_TAG_FEATURES_FROM),
        };
        generator::generate_crate(&[spec], &settings).map(|generated| (generated.files, generated.warnings.len()))
    }));
    row.generate_ms = started.elapsed().as_millis();
    let files = match generated {
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default();
            row.first_error = format!("PANIC: {message}");
            return row;
        }
        Ok(Err(diagnostics)) => {
            let first = diagnostics.iter().next();
            row.first_error = first.map(ToString::to_string).unwrap_or_default();
            // A JSON pointer (in this file or another: `pet.yaml#/Pet`) or a line.
            let located =
                first.is_some_and(|first| first.location.contains("#/") || first.location.starts_with("line "));
            row.outcome = if entry.invalid && located { Outcome::Rejected } else { Outcome::Failed };
            return row;
        }
        Ok(Ok((files, warnings))) => {
            row.warnings = warnings;
            row.duplicates = crate::shapes::count(&files).values().map(|count| count.duplicates.len()).sum();
            files
        }
    };
    if entry.invalid {
        row.first_error = "an invalid document was accepted".to_owned();
        return row;
    }
    if options.no_check {
        row.outcome = Outcome::Passed;
        return row;
    }
    if options.verify {
        let checked = Instant::now();
        let work_dir = output_root.join(format!("{name}-verify"));
        let verified = crate::verify::run(
            root,
            std::slice::from_ref(&file),
            &work_dir,
            &crate::verify::Options { mock: options.mock, ..crate::verify::Options::default() },
        );
        if let Err(error) = crate::verify::clean_build(root, &work_dir) {
            eprintln!("warning: {error:#}");
        }
        match verified {
            Ok(report) => {
                let summary = report.summaries.first().cloned().unwrap_or_default();
                row.check = format!("{:.0}s", checked.elapsed().as_secs_f64());
                row.verify = Some(summary.clone());
                row.outcome = if summary.failures() == 0 { Outcome::Passed } else { Outcome::Failed };
                if let Some(first) = report.findings.iter().find(|finding| !finding.kind.is_warning()) {
                    row.first_error = format!("{}: {}", first.pointer, first.detail);
                }
            }
            Err(error) => row.first_error = format!("verify: {error:#}").lines().next().unwrap_or_default().to_owned(),
        }
        return row;
    }
    let crate_dir = output_root.join(&name);
    let _ = fs::remove_dir_all(&crate_dir);
    if let Err(error) = crate::write_files(&crate_dir, &files) {
        row.first_error = format!("{error:#}");
        return row;
    }
    let _ = fs::copy(root.join("Cargo.lock"), crate_dir.join("Cargo.lock"));
    let checked = Instant::now();
    // Clippy, not only `check`: generated code is to be lint-clean as users lint it,
    // and the corpus is where specs' prose and names are met in their variety.
    let output = Command::new(env!("CARGO"))
        .args(["clippy", "--offline", "--quiet", "--message-format=short", "--features", "full,round-trip"])
        .args(["--", "-D", "warnings"])
        .current_dir(&crate_dir)
        .env("CARGO_TARGET_DIR", target_dir)
        .env("RUSTFLAGS", "-D warnings")
        .output();
    let seconds = checked.elapsed().as_secs_f64();
    match output {
        Ok(output) if output.status.success() => {
            row.check = format!("ok {seconds:.1}s");
            row.outcome = Outcome::Passed;
        }
        Ok(output) => {
            let stderr = String::from_utf8_lossy(&output.stderr);
            row.check = format!("FAIL {seconds:.1}s");
            row.first_error = stderr
                .lines()
                .find(|line| line.contains("error") || line.contains("warning"))
                .unwrap_or("cargo clippy failed")
                .to_owned();
        }
        Err(error) => row.first_error = format!("cannot run cargo: {error}"),
    }
    row
}

fn header(width: usize) -> String {
    format!(
        "{:<width$}  {:>6}  {:>9}  {:>8}  {:>5}  {:<10}  first error",
        "document", "ops", "gen ms", "warnings", "dups", "check"
    )
}

fn render_row(row: &Row, width: usize) -> String {
    let status = match row.outcome {
        Outcome::Passed => "",
        Outcome::Rejected => "rejected as expected: ",
        Outcome::Failed => "FAILED: ",
    };
    let error: String = format!("{status}{}", row.first_error).chars().take(300).collect();
    let verified = row.verify.as_ref().map(|summary| {
        format!(
            "types {} instances {} decode {} loss {} other {} examples {} untyped {} | \
             sent {} violations {} answers {} answer-loss {} transport {} mock-err {} unsent {} unmocked {}  ",
            summary.types,
            summary.instances,
            summary.decode_failures,
            summary.losses,
            summary.catch_alls,
            summary.example_mismatches,
            summary.untyped,
            summary.operations,
            summary.violations,
            summary.response_failures,
            summary.response_losses,
            summary.transport_failures,
            summary.mock_failures,
            summary.unsent,
            summary.unmocked
        )
    });
    format!(
        "{:<width$}  {:>6}  {:>9}  {:>8}  {:>5}  {:<10}  {}{}",
        row.path,
        row.operations,
        row.generate_ms,
        row.warnings,
        row.duplicates,
        row.check,
        verified.unwrap_or_default(),
        error
    )
}

fn summary(rows: &[Row]) -> String {
    let mut out = String::new();
    let passed = rows.iter().filter(|row| row.outcome != Outcome::Failed).count();
    let panics = rows.iter().filter(|row| row.first_error.starts_with("PANIC")).count();
    let warnings: usize = rows.iter().map(|row| row.warnings).sum();
    let warned = rows.iter().filter(|row| row.warnings > 0).count();
    let duplicates: usize = rows.iter().map(|row| row.duplicates).sum();
    let _ = writeln!(
        out,
        "\ncorpus: {passed} passed, {} failed ({:.1}% pass rate; {panics} panics; {warnings} warnings in {warned} documents; \
         {duplicates} types repeating another's shape)",
        rows.len() - passed,
        100.0 * passed as f64 / rows.len().max(1) as f64
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_crate_names() {
        assert_eq!(slug("stripe/spec3.json"), "stripe-spec3");
        assert_eq!(
            slug("apisguru-swagger2/amazonaws.com__sms__2016-10-24.json"),
            "apisguru-swagger2-amazonaws-com-sms-2016-10-24"
        );
        assert_eq!(slug("_invalid/x.yaml"), "invalid-x");
    }

    #[test]
    fn an_absent_corpus_is_an_error_that_says_so() {
        let options = Options {
            dir: PathBuf::from("/no/such/corpus"),
            filter: None,
            max_bytes: None,
            no_check: true,
            verify: false,
            mock: false,
        };
        let error = run(Path::new("."), &options).expect_err("absent");
        assert!(error.to_string().contains("the corpus is absent"), "{error}");
    }
}
