//! `cargo xtask verify SPEC…`: checks that the generated client keeps every value of
//! every schema. For each generated type, the instances `generator::verify` synthesized
//! from the spec (and the spec's own examples) are decoded into the type by a generated
//! driver program, encoded back, and compared with what went in.
//!
//! A finding is an instance that does not decode, a field, variant or value lost or
//! changed on the way back (with the schema's pointer and the difference), or a value
//! the spec lists that decoded only into a catch-all `Other`. A spec example that does not
//! decode is reported apart: the example may contradict its own schema. The client and
//! the driver are generated under `target/verify/`, never into the repository.

use anyhow::{bail, Context, Result};
use generator::verify::{ApiPlan, Verification};
use generator::{ApiSpec, CrateSettings};
use serde_json::Value;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The crate the driver depends on, holding every API under verification.
const CLIENT_CRATE: &str = "verify-client";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FindingKind {
    /// A synthesized instance of the schema does not decode into its type.
    Decode,
    /// What came back differs from what went in.
    Loss,
    /// A value the spec lists decoded only into a catch-all `Other` variant.
    CatchAll,
    /// The spec's own example does not decode (it may contradict its schema).
    Example,
}

#[derive(Debug, Clone)]
pub struct Finding {
    pub kind: FindingKind,
    pub file: String,
    pub pointer: String,
    pub rust_path: String,
    pub source: String,
    pub detail: String,
    /// The instance, whole (the message shows its start).
    pub input: Value,
}

/// One document's counts.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub file: String,
    pub types: usize,
    pub instances: usize,
    pub decode_failures: usize,
    pub losses: usize,
    pub catch_alls: usize,
    pub example_mismatches: usize,
    pub untyped: usize,
    pub unsynthesizable: usize,
}

impl Summary {
    /// Findings that fail the run: everything but a spec's own example that does not decode.
    pub fn failures(&self) -> usize {
        self.decode_failures + self.losses + self.catch_alls
    }
}

#[derive(Debug, Default)]
pub struct Report {
    pub summaries: Vec<Summary>,
    pub findings: Vec<Finding>,
}

impl Report {
    pub fn failures(&self) -> usize {
        self.summaries.iter().map(Summary::failures).sum()
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        for finding in &self.findings {
            let label = match finding.kind {
                FindingKind::Decode => "does not decode",
                FindingKind::Loss => "changed in a round trip",
                FindingKind::CatchAll => "decoded only as `Other`",
                FindingKind::Example => "the spec's example does not match its schema (warning)",
            };
            let _ = writeln!(
                out,
                "{}: {}: {} ({}, {}): {}",
                finding.file, finding.pointer, label, finding.rust_path, finding.source, finding.detail
            );
        }
        let _ = writeln!(
            out,
            "{:<48} {:>6} {:>9} {:>7} {:>6} {:>6} {:>8} {:>8} {:>8}",
            "document", "types", "instances", "decode", "loss", "other", "examples", "untyped", "skipped"
        );
        let mut total = Summary { file: "total".to_owned(), ..Summary::default() };
        for summary in &self.summaries {
            render_summary(&mut out, summary);
            total.types += summary.types;
            total.instances += summary.instances;
            total.decode_failures += summary.decode_failures;
            total.losses += summary.losses;
            total.catch_alls += summary.catch_alls;
            total.example_mismatches += summary.example_mismatches;
            total.untyped += summary.untyped;
            total.unsynthesizable += summary.unsynthesizable;
        }
        if self.summaries.len() > 1 {
            render_summary(&mut out, &total);
        }
        out
    }
}

fn render_summary(out: &mut String, summary: &Summary) {
    let file: String = summary.file.chars().rev().take(48).collect::<Vec<_>>().into_iter().rev().collect();
    let _ = writeln!(
        out,
        "{:<48} {:>6} {:>9} {:>7} {:>6} {:>6} {:>8} {:>8} {:>8}",
        file,
        summary.types,
        summary.instances,
        summary.decode_failures,
        summary.losses,
        summary.catch_alls,
        summary.example_mismatches,
        summary.untyped,
        summary.unsynthesizable
    );
}

/// Verifies the given specs together (one client crate, one driver) and reports.
pub fn run(root: &Path, specs: &[PathBuf], work_dir: &Path) -> Result<Report> {
    if specs.is_empty() {
        bail!("no spec to verify: pass one or more OpenAPI documents");
    }
    let texts: Vec<(String, String, String, PathBuf)> = specs
        .iter()
        .map(|path| {
            let text = fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
            let shown = path.strip_prefix(root).unwrap_or(path).display().to_string();
            Ok((module_name(path), shown, text, path.clone()))
        })
        .collect::<Result<_>>()?;
    let readers: Vec<_> = texts.iter().map(|(_, _, _, path)| crate::read_beside(path)).collect();
    let api_specs: Vec<ApiSpec<'_>> = texts
        .iter()
        .zip(&readers)
        .map(|((name, shown, text, _), read)| ApiSpec::new(name, shown.clone(), text).with_file_reader(read))
        .collect();
    let settings = CrateSettings {
        crate_name: CLIENT_CRATE.to_owned(),
        workspace: generator::Workspace::Own,
        default_features_all: true,
        tag_features_from: Some(CrateSettings::DEFAULT_TAG_FEATURES_FROM),
    };
    let verification =
        generator::verify::plan(&api_specs, &settings).map_err(|diagnostics| anyhow::anyhow!("{diagnostics}"))?;
    let outputs = run_driver(root, &verification, work_dir)?;
    let report = compare(&verification.apis, &outputs);
    // Every finding in full, one JSON object per line, for a closer look.
    let lines: Vec<String> = report
        .findings
        .iter()
        .map(|finding| {
            serde_json::json!({
                "file": finding.file, "pointer": finding.pointer, "type": finding.rust_path,
                "kind": format!("{:?}", finding.kind), "source": finding.source,
                "detail": finding.detail, "input": finding.input,
            })
            .to_string()
        })
        .collect();
    fs::write(work_dir.join("findings.jsonl"), lines.join("\n"))?;
    Ok(report)
}

/// Module names must differ between the specs of one run: the file stem, made unique.
fn module_name(path: &Path) -> String {
    let stem = path.file_stem().and_then(|stem| stem.to_str()).unwrap_or("api");
    let parent = path.parent().and_then(Path::file_name).and_then(|name| name.to_str()).unwrap_or_default();
    // Several corpus folders hold an `openapi.json`: the folder names the API then.
    if matches!(stem, "openapi" | "swagger" | "spec" | "api") && !parent.is_empty() {
        format!("{parent}-{stem}")
    } else {
        stem.to_owned()
    }
}

/// What the driver printed for one instance, by case and instance index.
#[derive(Debug, Clone)]
enum Outcome {
    Encoded { value: Value, debug: String },
    Failed(String),
}

fn run_driver(root: &Path, verification: &Verification, work_dir: &Path) -> Result<Vec<Vec<Outcome>>> {
    let client_dir = work_dir.join("client");
    let driver_dir = work_dir.join("driver");
    let _ = fs::remove_dir_all(&client_dir);
    crate::write_files(&client_dir, &verification.generated.files)?;
    fs::create_dir_all(driver_dir.join("src"))?;
    fs::write(driver_dir.join("Cargo.toml"), driver_manifest())?;
    let cases: Vec<&generator::verify::TypeCase> = verification.apis.iter().flat_map(|api| &api.cases).collect();
    fs::write(driver_dir.join("src/main.rs"), driver_source(&cases))?;
    let lock = driver_dir.join("Cargo.lock");
    if !lock.exists() {
        // The workspace's versions, so the dependencies are the ones already built and tested.
        let _ = fs::copy(root.join("Cargo.lock"), &lock);
    }
    let input: Vec<Value> = cases
        .iter()
        .map(|case| Value::Array(case.instances.iter().map(|instance| instance.value.clone()).collect()))
        .collect();
    let input_path = work_dir.join("instances.json");
    fs::write(&input_path, serde_json::to_vec(&input)?)?;
    let output = Command::new(env!("CARGO"))
        .args(["run", "--quiet", "--manifest-path"])
        .arg(driver_dir.join("Cargo.toml"))
        .arg("--")
        .arg(&input_path)
        .env("CARGO_TARGET_DIR", root.join("target/verify-target"))
        .output()
        .context("running cargo for the verification driver")?;
    if !output.status.success() {
        bail!(
            "the verification driver did not build or run:\n{}",
            String::from_utf8_lossy(&output.stderr).lines().take(40).collect::<Vec<_>>().join("\n")
        );
    }
    let mut outcomes: Vec<Vec<Outcome>> = cases.iter().map(|_| Vec::new()).collect();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let record: Value = serde_json::from_str(line).with_context(|| format!("driver output `{line}`"))?;
        let case = record["case"].as_u64().unwrap_or(u64::MAX) as usize;
        let Some(slot) = outcomes.get_mut(case) else { bail!("driver output names no case: `{line}`") };
        slot.push(match record.get("error").and_then(Value::as_str) {
            Some(error) => Outcome::Failed(error.to_owned()),
            None => Outcome::Encoded {
                value: record["encoded"].clone(),
                debug: record["debug"].as_str().unwrap_or_default().to_owned(),
            },
        });
    }
    Ok(outcomes)
}

fn driver_manifest() -> String {
    format!(
        r#"# Generated by `cargo xtask verify`; never committed.
[package]
name = "verify-driver"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
# Every type is decoded and encoded again, whichever way the API sends it.
{CLIENT_CRATE} = {{ path = "../client", features = ["round-trip"] }}
serde = "1"
serde_json = "1"

[workspace]

[profile.dev]
debug = false
"#
    )
}

fn driver_source(cases: &[&generator::verify::TypeCase]) -> String {
    let crate_ident = CLIENT_CRATE.replace('-', "_");
    let mut table = String::new();
    for case in cases {
        let _ = writeln!(table, "        check::<{crate_ident}::{}>,", case.rust_path);
    }
    format!(
        r#"//! Generated by `cargo xtask verify`: decodes each instance into its generated type
//! (as the client decodes a body) and encodes it back (as the client sends one).

type Check = fn(&[u8]) -> Result<(serde_json::Value, String), String>;

fn check<T: serde::de::DeserializeOwned + serde::Serialize + std::fmt::Debug>(
    bytes: &[u8],
) -> Result<(serde_json::Value, String), String> {{
    let decoded: T = serde_json::from_slice(bytes).map_err(|error| error.to_string())?;
    let encoded = serde_json::to_vec(&decoded).map_err(|error| format!("does not encode: {{error}}"))?;
    let value = serde_json::from_slice(&encoded).map_err(|error| format!("encodes to invalid JSON: {{error}}"))?;
    Ok((value, format!("{{decoded:?}}")))
}}

const CHECKS: &[Check] = &[
{table}];

fn main() {{
    let path = std::env::args().nth(1).expect("the instances file");
    let text = std::fs::read(&path).expect("readable instances");
    let cases: Vec<Vec<serde_json::Value>> = serde_json::from_slice(&text).expect("instances are JSON");
    for (case, (instances, check)) in cases.iter().zip(CHECKS).enumerate() {{
        for instance in instances {{
            let bytes = serde_json::to_vec(instance).expect("a value encodes");
            let line = match check(&bytes) {{
                Ok((encoded, debug)) => serde_json::json!({{"case": case, "encoded": encoded, "debug": debug}}),
                Err(error) => serde_json::json!({{"case": case, "error": error}}),
            }};
            println!("{{line}}");
        }}
    }}
}}
"#
    )
}

fn compare(apis: &[ApiPlan], outcomes: &[Vec<Outcome>]) -> Report {
    let mut report = Report::default();
    let mut outcomes = outcomes.iter();
    for api in apis {
        let mut summary = Summary {
            file: api.file.clone(),
            types: api.cases.len(),
            untyped: api.untyped.len(),
            unsynthesizable: api.unsynthesizable.len(),
            ..Summary::default()
        };
        for case in &api.cases {
            let results = outcomes.next().map(Vec::as_slice).unwrap_or_default();
            for (instance, outcome) in case.instances.iter().zip(results) {
                summary.instances += 1;
                let from_example = instance.source == "example";
                let finding = |kind: FindingKind, detail: String| Finding {
                    kind,
                    file: api.file.clone(),
                    pointer: case.pointer.clone(),
                    rust_path: case.rust_path.clone(),
                    source: instance.source.clone(),
                    detail,
                    input: instance.value.clone(),
                };
                match outcome {
                    Outcome::Failed(error) if from_example => {
                        summary.example_mismatches += 1;
                        report.findings.push(finding(FindingKind::Example, error.clone()));
                    }
                    // Synthesized instances carry every declared field, so what an example
                    // loses is what its schema does not declare: the example is at fault.
                    Outcome::Encoded { value, .. }
                        if from_example && difference(&instance.value, value, "").is_some() =>
                    {
                        summary.example_mismatches += 1;
                        let detail = difference(&instance.value, value, "").unwrap_or_default();
                        report.findings.push(finding(FindingKind::Example, detail));
                    }
                    Outcome::Failed(error) => {
                        summary.decode_failures += 1;
                        report
                            .findings
                            .push(finding(FindingKind::Decode, format!("{error}; input {}", preview(&instance.value))));
                    }
                    Outcome::Encoded { value, debug } => {
                        if let Some(difference) = difference(&instance.value, value, "") {
                            summary.losses += 1;
                            report.findings.push(finding(FindingKind::Loss, difference));
                        } else if decoded_as_catch_all(debug) && from_example {
                            // The example uses a value its schema does not list.
                            summary.example_mismatches += 1;
                            report.findings.push(finding(
                                FindingKind::Example,
                                format!("a value the schema does not list: …{}…", catch_all_context(debug)),
                            ));
                        } else if decoded_as_catch_all(debug) {
                            summary.catch_alls += 1;
                            report.findings.push(finding(
                                FindingKind::CatchAll,
                                format!("input {}, decoded …{}…", preview(&instance.value), catch_all_context(debug)),
                            ));
                        }
                    }
                }
            }
        }
        report.summaries.push(summary);
    }
    report
}

/// A synthesized value is one the spec lists: landing in `Other(…)` means the client did
/// not recognise it.
fn decoded_as_catch_all(debug: &str) -> bool {
    debug
        .match_indices("Other(")
        .any(|(at, _)| debug[..at].chars().next_back().is_none_or(|before| !before.is_alphanumeric() && before != '_'))
}

/// The decoded value around its first `Other(…)`, to show which part fell through.
fn catch_all_context(debug: &str) -> String {
    let at = debug.find("Other(").unwrap_or(0);
    let start = debug.char_indices().map(|(index, _)| index).filter(|index| *index <= at).rev().nth(80).unwrap_or(0);
    debug[start..].chars().take(160).collect()
}

/// Where `sent` and `returned` first differ, in JSON pointer terms. A member that is
/// `null` counts as absent (a received type reads both as `None`), and numbers compare
/// by value (`1` is `1.0`).
pub fn difference(sent: &Value, returned: &Value, at: &str) -> Option<String> {
    match (sent, returned) {
        (Value::Object(sent), Value::Object(returned)) => {
            for (key, value) in sent.iter().filter(|(_, value)| !value.is_null()) {
                let here = format!("{at}/{}", key.replace('~', "~0").replace('/', "~1"));
                match returned.get(key).filter(|value| !value.is_null()) {
                    None => return Some(format!("{here}: lost (sent {})", preview(value))),
                    Some(back) => {
                        if let Some(found) = difference(value, back, &here) {
                            return Some(found);
                        }
                    }
                }
            }
            returned
                .iter()
                .find(|(key, value)| !value.is_null() && sent.get(*key).is_none_or(Value::is_null))
                .map(|(key, value)| format!("{at}/{key}: added {}", preview(value)))
        }
        (Value::Array(sent), Value::Array(returned)) if sent.len() == returned.len() => sent
            .iter()
            .zip(returned)
            .enumerate()
            .find_map(|(index, (sent, returned))| difference(sent, returned, &format!("{at}/{index}"))),
        (Value::Number(sent), Value::Number(returned)) if sent.as_f64() == returned.as_f64() => None,
        (sent, returned) if sent == returned => None,
        (sent, returned) => {
            let at = if at.is_empty() { "the value" } else { at };
            Some(format!("{at}: sent {}, got back {}", preview(sent), preview(returned)))
        }
    }
}

fn preview(value: &Value) -> String {
    preview_text(&value.to_string())
}

fn preview_text(text: &str) -> String {
    if text.chars().count() > 160 {
        format!("{}…", text.chars().take(160).collect::<String>())
    } else {
        text.to_owned()
    }
}

/// The verification of `specs/` and `tests/fixtures/` that CI runs: every committed spec.
pub fn committed_specs(root: &Path) -> Result<Vec<PathBuf>> {
    let mut specs = Vec::new();
    for target in crate::TARGETS {
        specs.extend(crate::spec_files(&root.join(target.specs_dir))?);
    }
    Ok(specs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn null_members_count_as_absent_and_numbers_compare_by_value() {
        let sent = json!({"a": 1, "b": null, "c": [1.0, {"d": "x"}]});
        assert_eq!(difference(&sent, &json!({"a": 1.0, "c": [1, {"d": "x"}]}), ""), None);
    }

    #[test]
    fn lost_changed_and_added_members_are_named_by_pointer() {
        let sent = json!({"records": [{"type": "A", "content": "198.51.100.4"}]});
        assert_eq!(
            difference(&sent, &json!({"records": [{"type": "A"}]}), "").as_deref(),
            Some("/records/0/content: lost (sent \"198.51.100.4\")")
        );
        assert_eq!(difference(&json!({"n": 1}), &json!({"n": 2}), "").as_deref(), Some("/n: sent 1, got back 2"));
        assert_eq!(difference(&json!({}), &json!({"x": true}), "").as_deref(), Some("/x: added true"));
        assert_eq!(difference(&json!([1]), &json!([]), "").as_deref(), Some("the value: sent [1], got back []"));
    }

    #[test]
    fn only_a_catch_all_variant_counts_as_other() {
        assert!(decoded_as_catch_all("Pet { kind: Other(\"parrot\") }"));
        assert!(decoded_as_catch_all("Other(Object {})"));
        assert!(!decoded_as_catch_all("AnOther(1)"));
        assert!(!decoded_as_catch_all("Pet { name: \"Other\" }"));
    }

    #[test]
    fn module_names_come_from_the_folder_when_the_file_name_says_nothing() {
        assert_eq!(module_name(Path::new("corpus/cloudflare/openapi.json")), "cloudflare-openapi");
        assert_eq!(module_name(Path::new("specs/zoom-users.yaml")), "zoom-users");
    }
}
