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
use generator::verify::{ApiPlan, OperationCase, RoundTrip, Verification};
use generator::{ApiSpec, CrateSettings};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

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
    /// The mock found the request the client sent against the spec wrong.
    Violation,
    /// The client could not read the mock's answer: a body that does not decode, a
    /// status it does not know, an error where the spec documents success.
    Response,
    /// A decoded response encodes to something other than the body it came from.
    ResponseLoss,
    /// The request did not reach the mock or no answer came back, or the client refused
    /// to send it.
    Transport,
    /// A request built from the spec's own examples was refused (or its answer from the
    /// spec's examples did not decode); one from the schemas alone was not: the example
    /// may contradict its schema.
    ExampleRequest,
}

impl FindingKind {
    /// A warning: what the spec's own examples get wrong, which may be the examples' fault.
    pub fn is_warning(&self) -> bool {
        matches!(self, Self::Example | Self::ExampleRequest)
    }
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
    /// Operations sent to the mock.
    pub operations: usize,
    pub violations: usize,
    pub response_failures: usize,
    pub response_losses: usize,
    pub transport_failures: usize,
    pub example_requests: usize,
    /// Operations no request could be made for.
    pub unsent: usize,
    /// Operations whose mock answers (from examples and from schemas) break the spec.
    pub mock_failures: usize,
    /// Operations not sent because the mock did not start.
    pub unmocked: usize,
}

impl Summary {
    /// Findings that fail the run: everything but what a spec's own examples cause.
    pub fn failures(&self) -> usize {
        self.decode_failures
            + self.losses
            + self.catch_alls
            + self.violations
            + self.response_failures
            + self.response_losses
            + self.transport_failures
    }

    fn add(&mut self, other: &Summary) {
        self.types += other.types;
        self.instances += other.instances;
        self.decode_failures += other.decode_failures;
        self.losses += other.losses;
        self.catch_alls += other.catch_alls;
        self.example_mismatches += other.example_mismatches;
        self.untyped += other.untyped;
        self.unsynthesizable += other.unsynthesizable;
        self.operations += other.operations;
        self.violations += other.violations;
        self.response_failures += other.response_failures;
        self.response_losses += other.response_losses;
        self.transport_failures += other.transport_failures;
        self.example_requests += other.example_requests;
        self.unsent += other.unsent;
        self.mock_failures += other.mock_failures;
        self.unmocked += other.unmocked;
    }
}

/// How `run` checks.
#[derive(Debug, Clone)]
pub struct Options {
    /// Also send every operation to a Prism mock of its spec.
    pub mock: bool,
    /// How long a mock may take to start (the biggest documents take minutes).
    pub mock_start_limit: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Self { mock: true, mock_start_limit: Duration::from_secs(300) }
    }
}

#[derive(Debug, Default)]
pub struct Report {
    pub summaries: Vec<Summary>,
    pub findings: Vec<Finding>,
    /// What could not be checked, and why (a mock that did not start).
    pub notes: Vec<String>,
}

impl Report {
    pub fn failures(&self) -> usize {
        self.summaries.iter().map(Summary::failures).sum()
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        for note in &self.notes {
            let _ = writeln!(out, "{note}");
        }
        for finding in &self.findings {
            let label = match finding.kind {
                FindingKind::Decode => "does not decode",
                FindingKind::Loss => "changed in a round trip",
                FindingKind::CatchAll => "decoded only as `Other`",
                FindingKind::Example => "the spec's example does not match its schema (warning)",
                FindingKind::Violation => "the mock found the request wrong",
                FindingKind::Response => "the client could not read the answer",
                FindingKind::ResponseLoss => "the answer changed in a round trip",
                FindingKind::Transport => "not sent or not answered",
                FindingKind::ExampleRequest => "the spec's example breaks its schema (warning)",
            };
            let _ = writeln!(
                out,
                "{}: {}: {} ({}, {}): {}",
                finding.file, finding.pointer, label, finding.rust_path, finding.source, finding.detail
            );
        }
        out.push_str(&header());
        let mut total = Summary { file: "total".to_owned(), ..Summary::default() };
        for summary in &self.summaries {
            render_summary(&mut out, summary);
            total.add(summary);
        }
        if self.summaries.len() > 1 {
            render_summary(&mut out, &total);
        }
        out
    }
}

/// The columns: types checked, then operations sent.
const COLUMNS: [&str; 18] = [
    "document",
    "types",
    "instances",
    "decode",
    "loss",
    "other",
    "examples",
    "untyped",
    "skipped",
    "ops",
    "violate",
    "answer",
    "a-loss",
    "transport",
    "ex-req",
    "unsent",
    "mock-err",
    "unmocked",
];

fn header() -> String {
    let mut line = format!("{:<40}", COLUMNS[0]);
    for column in &COLUMNS[1..] {
        let _ = write!(line, " {column:>9}");
    }
    line.push('\n');
    line
}

fn render_summary(out: &mut String, summary: &Summary) {
    let file: String = summary.file.chars().rev().take(40).collect::<Vec<_>>().into_iter().rev().collect();
    let counts = [
        summary.types,
        summary.instances,
        summary.decode_failures,
        summary.losses,
        summary.catch_alls,
        summary.example_mismatches,
        summary.untyped,
        summary.unsynthesizable,
        summary.operations,
        summary.violations,
        summary.response_failures,
        summary.response_losses,
        summary.transport_failures,
        summary.example_requests,
        summary.unsent,
        summary.mock_failures,
        summary.unmocked,
    ];
    let _ = write!(out, "{file:<40}");
    for count in counts {
        let _ = write!(out, " {count:>9}");
    }
    out.push('\n');
}

/// Verifies the given specs together (one client crate, one driver) and reports.
pub fn run(root: &Path, specs: &[PathBuf], work_dir: &Path, options: &Options) -> Result<Report> {
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
    let steering: Vec<crate::Steering> =
        texts.iter().map(|(_, _, _, path)| crate::Steering::beside(root, path)).collect::<Result<_>>()?;
    let api_specs: Vec<ApiSpec<'_>> = texts
        .iter()
        .zip(&readers)
        .zip(&steering)
        .map(|(((name, shown, text, _), read), steering)| {
            steering.steer(ApiSpec::new(name, shown.clone(), text).with_file_reader(read))
        })
        .collect();
    let settings = CrateSettings {
        crate_name: CLIENT_CRATE.to_owned(),
        workspace: generator::Workspace::Own,
        default_features_all: true,
        tag_features_from: Some(CrateSettings::DEFAULT_TAG_FEATURES_FROM),
    };
    let verification =
        generator::verify::plan(&api_specs, &settings).map_err(|diagnostics| anyhow::anyhow!("{diagnostics}"))?;
    fs::create_dir_all(work_dir)?;
    // The mocks start first: a big document takes Prism a while, and the driver builds meanwhile.
    let mut mocks = Vec::new();
    for (index, api) in verification.apis.iter().enumerate() {
        if !options.mock || api.operations.is_empty() {
            mocks.push(None);
            continue;
        }
        let path = work_dir.join(format!("mock-{index}.json"));
        fs::write(&path, serde_json::to_vec(&mock_document(&api.document))?)?;
        mocks.push(Some(crate::prism::start(root, &path)));
    }
    let driver = build_driver(root, &verification, work_dir)?;
    let outputs = run_types(&driver, &verification, work_dir)?;
    let mut report = compare(&verification.apis, &outputs);
    if options.mock {
        let mut served = Mocks { root, limit: options.mock_start_limit, documents: Vec::new(), running: Vec::new() };
        for ((index, api), mock) in verification.apis.iter().enumerate().zip(mocks) {
            served.documents.push(mock.is_some().then(|| work_dir.join(format!("mock-{index}.json"))));
            match mock.map(|starting| starting.and_then(|starting| starting.wait(options.mock_start_limit))) {
                None => served.running.push(None),
                Some(Ok(prism)) => served.running.push(Some(prism)),
                Some(Err(error)) => {
                    report.notes.push(format!("{}: no mock, so no operation was sent: {error:#}", api.file));
                    served.running.push(None);
                }
            }
        }
        let cases: Vec<(usize, &OperationCase)> = verification
            .apis
            .iter()
            .enumerate()
            .flat_map(|(api, plan)| plan.operations.iter().map(move |operation| (api, operation)))
            .collect();
        let sends: Vec<Send> = cases
            .iter()
            .enumerate()
            .map(|(index, (api, operation))| Send {
                index,
                api: *api,
                attempts: operation.attempts.clone(),
                prefer: None,
            })
            .collect();
        let answers = send_all(&driver, &mut served, &sends, "operations", work_dir, &mut report)?;
        // An answer the mock made from the spec's examples, or one the mock itself got
        // wrong, is asked for again, made from the schemas: then the client is judged on
        // an answer the spec stands behind.
        let again: Vec<Send> = sends
            .iter()
            .filter_map(|send| {
                let last = answers.get(&send.index)?.last()?;
                let (api, operation) = cases[send.index];
                let document = &verification.apis[api].document;
                matches!(judge(document, operation, last), Verdict::Mock(_) | Verdict::Answer(..)).then(|| Send {
                    attempts: send.attempts.last().cloned().into_iter().collect(),
                    prefer: Some("dynamic=true"),
                    ..send.clone()
                })
            })
            .collect();
        let generated = send_all(&driver, &mut served, &again, "operations-dynamic", work_dir, &mut report)?;
        compare_operations(&verification.apis, &served.base_urls(), &answers, &generated, &mut report);
    }
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
    // Why each operation that was not sent was not.
    let unsent: Vec<String> = verification
        .apis
        .iter()
        .flat_map(|api| api.unsent.iter().map(move |(endpoint, reason)| format!("{}: {endpoint}: {reason}", api.file)))
        .collect();
    fs::write(work_dir.join("unsent.txt"), unsent.join("\n"))?;
    Ok(report)
}

/// The document Prism serves: the normalized one the client was generated from (3.0,
/// every reference bundled), adapted where Prism 5 fails on what the spec allows:
/// - references outside the document (remote examples, which the generator reads as
///   data) are dropped, since Prism would fetch them;
/// - in form bodies, a list of objects accepts anything: Prism cannot read the
///   `items[0][name]=…` nesting Stripe documents and answers 415;
/// - in multipart bodies, every part but a plain string accepts anything: Prism reads
///   every part as text, so a number, a one-item list or a JSON part breaks their
///   schemas, and a file part is no string to it;
/// - optional list headers of responses are dropped: Prism crashes validating its own
///   answer when it leaves one out;
/// - `oneOf` is read as `anyOf`: members that overlap (`{type: user}` beside any
///   `{type: string}`) make "exactly one" impossible for values the spec means, which
///   real servers tell apart by their discriminator;
/// - header parameters named `Accept` or `Content-Type` are dropped, as OpenAPI says to
///   ignore them; Prism requires them (PagerDuty's `Content-Type` on every `GET`).
fn mock_document(document: &Value) -> Value {
    let mut mock = adapted(document);
    let resolved = mock.clone();
    let ignored_header = |parameter: &Value| {
        let parameter = resolve(&resolved, parameter);
        let name = parameter.get("name").and_then(Value::as_str).unwrap_or_default();
        parameter.get("in").and_then(Value::as_str) == Some("header")
            && ["accept", "content-type"].iter().any(|ignored| name.eq_ignore_ascii_case(ignored))
    };
    let path_items =
        mock.get_mut("paths").and_then(Value::as_object_mut).into_iter().flat_map(|paths| paths.values_mut());
    for item in path_items.filter_map(Value::as_object_mut) {
        // The path item's own parameters, and each operation's.
        if let Some(parameters) = item.get_mut("parameters").and_then(Value::as_array_mut) {
            parameters.retain(|parameter| !ignored_header(parameter));
        }
        for operation in item.values_mut().filter_map(Value::as_object_mut) {
            if let Some(parameters) = operation.get_mut("parameters").and_then(Value::as_array_mut) {
                parameters.retain(|parameter| !ignored_header(parameter));
            }
        }
    }
    let operations = mock
        .get_mut("paths")
        .and_then(Value::as_object_mut)
        .into_iter()
        .flat_map(|paths| paths.values_mut())
        .filter_map(Value::as_object_mut)
        .flat_map(|item| item.values_mut())
        .filter_map(Value::as_object_mut);
    for operation in operations {
        if let Some(body) = operation.get_mut("requestBody") {
            *body = resolve(&resolved, body);
            let form = body.pointer_mut("/content/application~1x-www-form-urlencoded/schema");
            if let Some(schema) = form {
                *schema = relax_object_lists(&resolved, schema, 0);
            }
            let multipart = body.pointer_mut("/content/multipart~1form-data/schema");
            if let Some(schema) = multipart {
                *schema = relax_structured_parts(&resolved, schema);
            }
        }
        let responses = operation.get_mut("responses").and_then(Value::as_object_mut).into_iter().flatten();
        for (_, response) in responses {
            *response = resolve(&resolved, response);
            if let Some(headers) = response.get_mut("headers").and_then(Value::as_object_mut) {
                headers.retain(|_, header| {
                    let header = resolve(&resolved, header);
                    let required = header.get("required") == Some(&Value::Bool(true));
                    let schema = header.get("schema").map(|schema| resolve(&resolved, schema));
                    required || schema.and_then(|schema| schema.get("type").cloned()) != Some(Value::from("array"))
                });
            }
        }
    }
    mock
}

/// Remote references dropped, `oneOf` read as `anyOf`.
fn adapted(value: &Value) -> Value {
    match value {
        Value::Object(members) => {
            if members.get("$ref").and_then(Value::as_str).is_some_and(|reference| !reference.starts_with('#')) {
                return Value::Object(serde_json::Map::new());
            }
            let renamed = |key: &String| if key == "oneOf" { "anyOf".to_owned() } else { key.clone() };
            Value::Object(members.iter().map(|(key, value)| (renamed(key), adapted(value))).collect())
        }
        Value::Array(items) => Value::Array(items.iter().map(adapted).collect()),
        other => other.clone(),
    }
}

/// A multipart schema whose parts other than plain strings accept anything: Prism reads
/// every part as text, so it finds `5499` no integer of an enum and a JSON part no
/// object. Properties given in `allOf` members are relaxed too.
fn relax_structured_parts(document: &Value, schema: &Value) -> Value {
    let mut schema = resolve(document, schema);
    if let Some(members) = schema.get_mut("allOf").and_then(Value::as_array_mut) {
        for member in members.iter_mut() {
            *member = relax_structured_parts(document, member);
        }
    }
    if let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) {
        for property in properties.values_mut() {
            let resolved = resolve(document, property);
            let kind = resolved.get("type").and_then(Value::as_str);
            // Prism reads a file part as no string either.
            let binary = resolved.get("format").and_then(Value::as_str) == Some("binary");
            if kind != Some("string") || binary {
                *property = Value::Object(serde_json::Map::new());
            }
        }
    }
    schema
}

/// The value a chain of local `$ref`s leads to (the value itself when it is none).
fn resolve(document: &Value, value: &Value) -> Value {
    let mut value = value;
    for _ in 0..32 {
        let Some(target) = value
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|reference| reference.strip_prefix('#'))
            .and_then(|pointer| document.pointer(pointer))
        else {
            break;
        };
        value = target;
    }
    value.clone()
}

/// `schema` with every list of objects in its properties (at any depth) made `{}`.
fn relax_object_lists(document: &Value, schema: &Value, depth: usize) -> Value {
    let mut schema = resolve(document, schema);
    if depth > 8 {
        return schema;
    }
    if let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) {
        for property in properties.values_mut() {
            let resolved = resolve(document, property);
            let items = resolved.get("items").map(|items| resolve(document, items));
            let objects = items.is_some_and(|items| {
                ["properties", "allOf", "oneOf", "anyOf", "additionalProperties"]
                    .iter()
                    .any(|key| items.get(key).is_some())
                    || items.get("type") == Some(&Value::from("object"))
            });
            *property = match objects {
                true => Value::Object(serde_json::Map::new()),
                false => relax_object_lists(document, &resolved, depth + 1),
            };
        }
    }
    schema
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

/// The driver's package name: its work folder's, so that verifications in other folders,
/// which share the target folder, do not overwrite its executable.
fn driver_package(work_dir: &Path) -> String {
    let folder = work_dir.file_name().and_then(|name| name.to_str()).unwrap_or("verify");
    let folder: String =
        folder.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    format!("verify-driver-{folder}")
}

/// Removes what building the verification in `work_dir` left in the shared target folder
/// (its client and driver), so a run over a whole corpus does not keep a build per
/// document (tens of gigabytes). The dependencies stay built.
pub fn clean_build(root: &Path, work_dir: &Path) -> Result<()> {
    let manifest = work_dir.join("driver/Cargo.toml");
    if !manifest.exists() {
        return Ok(());
    }
    let status = Command::new(env!("CARGO"))
        .args(["clean", "--quiet", "--manifest-path"])
        .arg(&manifest)
        .args(["-p", &driver_package(work_dir), "-p", CLIENT_CRATE])
        .env("CARGO_TARGET_DIR", root.join("target/verify-target"))
        .status()
        .context("running cargo clean")?;
    if !status.success() {
        bail!("cargo clean failed for {}", work_dir.display());
    }
    Ok(())
}

/// Writes the client and the driver under `work_dir`, builds the driver, and returns its executable.
fn build_driver(root: &Path, verification: &Verification, work_dir: &Path) -> Result<PathBuf> {
    let client_dir = work_dir.join("client");
    let driver_dir = work_dir.join("driver");
    let _ = fs::remove_dir_all(&client_dir);
    crate::write_files(&client_dir, &verification.generated.files)?;
    fs::create_dir_all(driver_dir.join("src"))?;
    // The driver's name is its work folder's, so that verifications in other folders,
    // which share the target folder, do not overwrite its executable.
    let package = driver_package(work_dir);
    // Arguments of mapped string formats are named by their crates' paths (`chrono::…`).
    let client_manifest = verification.generated.files.get(Path::new("Cargo.toml")).map_or("", String::as_str);
    let format_crates: Vec<&str> = client_manifest
        .lines()
        .filter(|line| ["chrono =", "jiff =", "uuid =", "url ="].iter().any(|start| line.starts_with(start)))
        .collect();
    fs::write(driver_dir.join("Cargo.toml"), driver_manifest(&package, &format_crates.join("\n")))?;
    fs::write(driver_dir.join("src/main.rs"), driver_source(verification))?;
    let lock = driver_dir.join("Cargo.lock");
    if !lock.exists() {
        // The workspace's versions, so the dependencies are the ones already built and tested.
        let _ = fs::copy(root.join("Cargo.lock"), &lock);
    }
    let target = root.join("target/verify-target");
    let output = Command::new(env!("CARGO"))
        .args(["build", "--quiet", "--manifest-path"])
        .arg(driver_dir.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", &target)
        // Each driver is built once: incremental state would only fill the disk.
        .env("CARGO_INCREMENTAL", "0")
        .output()
        .context("running cargo for the verification driver")?;
    if !output.status.success() {
        bail!(
            "the verification driver did not build:\n{}",
            String::from_utf8_lossy(&output.stderr).lines().take(40).collect::<Vec<_>>().join("\n")
        );
    }
    Ok(target.join("debug").join(format!("{package}{}", std::env::consts::EXE_SUFFIX)))
}

/// Runs the driver in `mode` on `input` (written to `input_path`) and returns what it printed, a JSON value a line.
fn drive(driver: &Path, mode: &str, input: &Value, input_path: &Path) -> Result<Vec<Value>> {
    fs::write(input_path, serde_json::to_vec(input)?)?;
    let output = Command::new(driver).arg(mode).arg(input_path).output().context("running the verification driver")?;
    if !output.status.success() {
        bail!(
            "the verification driver failed ({mode}):\n{}",
            String::from_utf8_lossy(&output.stderr).lines().take(40).collect::<Vec<_>>().join("\n")
        );
    }
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).with_context(|| format!("driver output `{line}`")))
        .collect()
}

fn run_types(driver: &Path, verification: &Verification, work_dir: &Path) -> Result<Vec<Vec<Outcome>>> {
    let cases: Vec<&generator::verify::TypeCase> = verification.apis.iter().flat_map(|api| &api.cases).collect();
    let input: Vec<Value> = cases
        .iter()
        .map(|case| Value::Array(case.instances.iter().map(|instance| instance.value.clone()).collect()))
        .collect();
    let mut outcomes: Vec<Vec<Outcome>> = cases.iter().map(|_| Vec::new()).collect();
    for record in drive(driver, "types", &Value::Array(input), &work_dir.join("types.json"))? {
        let case = record["case"].as_u64().unwrap_or(u64::MAX) as usize;
        let Some(slot) = outcomes.get_mut(case) else { bail!("driver output names no case: `{record}`") };
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

/// The mock of each API (by index) that has one, restarted when it dies.
struct Mocks<'a> {
    root: &'a Path,
    limit: Duration,
    documents: Vec<Option<PathBuf>>,
    running: Vec<Option<crate::prism::Prism>>,
}

impl Mocks<'_> {
    fn base_urls(&self) -> Vec<Option<String>> {
        self.running.iter().map(|prism| prism.as_ref().map(|prism| prism.base_url.clone())).collect()
    }

    fn crashed(&mut self) -> Vec<usize> {
        (0..self.running.len())
            .filter(|api| self.running[*api].as_mut().is_some_and(|prism| prism.has_exited()))
            .collect()
    }

    fn restart(&mut self, api: usize) -> Result<()> {
        self.running[api] = None;
        let document = self.documents[api].as_ref().context("a mock without a document")?;
        self.running[api] = Some(crate::prism::start(self.root, document)?.wait(self.limit)?);
        Ok(())
    }
}

/// Restarts after a mock died: Prism 5 crashes on some documents' answers.
const MAX_MOCK_RESTARTS: usize = 20;

/// Sends `sends`, restarting a mock that dies: the request it died on is the mock's
/// failure (reported, not judged), and the requests after it go to the new mock.
fn send_all(
    driver: &Path,
    mocks: &mut Mocks<'_>,
    sends: &[Send],
    pass: &str,
    work_dir: &Path,
    report: &mut Report,
) -> Result<BTreeMap<usize, Vec<Value>>> {
    let mut answers = run_operations(driver, &mocks.base_urls(), sends, pass, work_dir)?;
    for _ in 0..MAX_MOCK_RESTARTS {
        let mut rest = Vec::new();
        for api in mocks.crashed() {
            let of_api: Vec<&Send> = sends.iter().filter(|send| send.api == api).collect();
            let unanswered = |send: &&&Send| {
                answers
                    .get(&send.index)
                    .and_then(|answers| answers.last())
                    .is_some_and(|answer| answer["kind"] == "transport")
            };
            let Some(position) = of_api.iter().position(|send| unanswered(&send)) else { continue };
            answers.insert(of_api[position].index, vec![serde_json::json!({"kind": "mock-crash"})]);
            if let Err(error) = mocks.restart(api) {
                report.notes.push(format!("a mock that died did not start again: {error:#}"));
                continue;
            }
            rest.extend(of_api[position + 1..].iter().map(|send| (*send).clone()));
        }
        if rest.is_empty() {
            break;
        }
        answers.extend(run_operations(driver, &mocks.base_urls(), &rest, pass, work_dir)?);
    }
    Ok(answers)
}

/// One operation to send: its place in the driver's table, its API, the argument
/// lists to try, and what to ask the mock for.
#[derive(Debug, Clone)]
struct Send {
    index: usize,
    api: usize,
    attempts: Vec<Vec<Value>>,
    prefer: Option<&'static str>,
}

/// What the driver printed for each attempt of each operation sent, by table index.
fn run_operations(
    driver: &Path,
    base_urls: &[Option<String>],
    sends: &[Send],
    pass: &str,
    work_dir: &Path,
) -> Result<BTreeMap<usize, Vec<Value>>> {
    let mut answers = BTreeMap::new();
    if sends.is_empty() || base_urls.iter().all(Option::is_none) {
        return Ok(answers);
    }
    let operations: Vec<Value> = sends
        .iter()
        .map(|send| {
            serde_json::json!({"index": send.index, "api": send.api, "attempts": send.attempts, "prefer": send.prefer})
        })
        .collect();
    let input = serde_json::json!({"base_urls": base_urls, "operations": operations});
    for record in drive(driver, "operations", &input, &work_dir.join(format!("{pass}.json")))? {
        let index = record["operation"].as_u64().unwrap_or(u64::MAX) as usize;
        answers.entry(index).or_insert_with(Vec::new).push(record);
    }
    Ok(answers)
}

fn driver_manifest(package: &str, format_crates: &str) -> String {
    format!(
        r#"# Generated by `cargo xtask verify`; never committed.
[package]
name = "{package}"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
# Every type is decoded and encoded again, whichever way the API sends it.
{CLIENT_CRATE} = {{ path = "../client", features = ["round-trip"] }}
serde = "1"
serde_json = "1"
tokio = {{ version = "1", features = ["rt", "macros"] }}
{format_crates}

[workspace]

[profile.dev]
debug = false
"#
    )
}

fn driver_source(verification: &Verification) -> String {
    let crate_ident = CLIENT_CRATE.replace('-', "_");
    let mut table = String::new();
    for case in verification.apis.iter().flat_map(|api| &api.cases) {
        let _ = writeln!(table, "    check::<{crate_ident}::{}>,", case.rust_path);
    }
    let mut operations = String::new();
    let mut modules = String::new();
    for (index, api) in verification.apis.iter().enumerate() {
        let _ = write!(
            modules,
            r#"
/// The operations of `{file}`.
#[allow(unused_imports, non_snake_case, clippy::all)]
mod api_{index} {{
    use {crate_ident}::{module}::*;
    use {crate_ident}::runtime;
    use std::collections::BTreeMap;
    use crate::{{answered, answered_body, argument, options, Pending}};

    static CLIENT: std::sync::OnceLock<Client> = std::sync::OnceLock::new();

    /// A client with a made-up credential for every scheme: the mock checks that one is sent.
    fn client(base_url: &str) -> &'static Client {{
        CLIENT.get_or_init(|| {{
            // Redirects stay answers: a mock's `Location` points at the real service.
            let http = runtime::reqwest::Client::builder()
                .redirect(runtime::reqwest::redirect::Policy::none())
                .build()
                .expect("an HTTP client builds");
            ClientBuilder::new(base_url)
                .http_client(http){credentials}
                .build()
                .expect("the client builds")
        }})
    }}
"#,
            file = api.file.replace('`', "'"),
            module = api.module,
            credentials = api
                .credentials
                .iter()
                .map(|credential| match credential.basic {
                    true => format!("\n                .{}(\"user\", \"password\")", credential.setter),
                    false => format!("\n                .{}(\"token\")", credential.setter),
                })
                .collect::<String>(),
        );
        for (number, operation) in api.operations.iter().enumerate() {
            let _ = writeln!(operations, "    api_{index}::op_{number},");
            let mut body = String::new();
            let mut arguments = Vec::new();
            for (position, ty) in operation.argument_types.iter().enumerate() {
                let _ = writeln!(
                    body,
                    "            let a{position}: {ty} = match argument(&arguments, {position}) {{ Ok(value) => value, Err(line) => return line }};"
                );
                arguments.push(format!("a{position}"));
            }
            let answer = match operation.round_trip {
                RoundTrip::None => "answered(result)".to_owned(),
                RoundTrip::Body => "answered_body(result, false)".to_owned(),
                RoundTrip::EnvelopeResult => "answered_body(result, true)".to_owned(),
            };
            let _ = write!(
                modules,
                r#"
    /// `{endpoint}`
    pub fn op_{number}(base_url: &str, arguments: Vec<serde_json::Value>, prefer: Option<String>) -> Pending {{
        let client = client(base_url);
        Box::pin(async move {{
{body}            let result = client.{call}({arguments}).with_options(options(prefer.as_deref())).await;
            {answer}
        }})
    }}
"#,
                endpoint = operation.endpoint.replace('`', "'"),
                call = operation.call,
                arguments = arguments.join(", "),
            );
        }
        modules.push_str("}\n");
    }
    format!(
        r#"//! Generated by `cargo xtask verify`.
//!
//! `types FILE`: decodes each instance into its generated type (as the client decodes a
//! body) and encodes it back (as the client sends one).
//!
//! `operations FILE`: sends each operation through the generated client to the mock of
//! its API, with the arguments given, and says what came back.

use {crate_ident}::runtime::{{Error, HeaderMap, RequestOptions, Response, RetryPolicy}};
use serde_json::{{json, Value}};

type Check = fn(&[u8]) -> Result<(Value, String), String>;

fn check<T: serde::de::DeserializeOwned + serde::Serialize + std::fmt::Debug>(
    bytes: &[u8],
) -> Result<(Value, String), String> {{
    let decoded: T = serde_json::from_slice(bytes).map_err(|error| error.to_string())?;
    let encoded = serde_json::to_vec(&decoded).map_err(|error| format!("does not encode: {{error}}"))?;
    let value = serde_json::from_slice(&encoded).map_err(|error| format!("encodes to invalid JSON: {{error}}"))?;
    Ok((value, format!("{{decoded:?}}")))
}}

const CHECKS: &[Check] = &[
{table}];

type Pending = std::pin::Pin<Box<dyn std::future::Future<Output = Value>>>;
type Operation = fn(&str, Vec<Value>, Option<String>) -> Pending;

const OPERATIONS: &[Operation] = &[
{operations}];

/// One argument, decoded into the type the method takes.
fn argument<T: serde::de::DeserializeOwned>(arguments: &[Value], index: usize) -> Result<T, Value> {{
    let value = arguments.get(index).cloned().unwrap_or(Value::Null);
    serde_json::from_value(value).map_err(|error| {{
        json!({{"kind": "argument", "detail": format!("argument {{}} does not decode: {{error}}", index + 1)}})
    }})
}}

/// No retries, so that each answer is the mock's first; `prefer` asks the mock for a
/// kind of answer (`dynamic=true`: one made from the schema, not from the examples).
fn options(prefer: Option<&str>) -> RequestOptions {{
    let options = RequestOptions::new().retry(RetryPolicy::none()).timeout(std::time::Duration::from_secs(60));
    match prefer {{
        Some(prefer) => options.header("Prefer", prefer),
        None => options,
    }}
}}

fn violations(headers: &HeaderMap) -> Value {{
    headers
        .get("{violations_header}")
        .map(|value| Value::String(String::from_utf8_lossy(value.as_bytes()).into_owned()))
        .unwrap_or(Value::Null)
}}

fn answered<T, M, E: std::fmt::Debug>(result: Result<Response<T, M>, Error<E>>) -> Value {{
    match result {{
        Ok(response) => {{
            json!({{"kind": "ok", "status": response.status().as_u16(), "violations": violations(response.headers())}})
        }}
        Err(error) => failed(&error),
    }}
}}

/// As [`answered`], with the body as it came and as it encodes again.
fn answered_body<T: serde::Serialize, M, E: std::fmt::Debug>(
    result: Result<Response<T, M>, Error<E>>,
    enveloped: bool,
) -> Value {{
    match result {{
        Ok(response) => {{
            let raw: Value = serde_json::from_slice(response.raw_body()).unwrap_or(Value::Null);
            let raw = if enveloped {{ raw.get("result").cloned().unwrap_or(Value::Null) }} else {{ raw }};
            let encoded = serde_json::to_value(response.body())
                .unwrap_or_else(|error| Value::String(format!("does not encode: {{error}}")));
            json!({{
                "kind": "ok", "status": response.status().as_u16(), "violations": violations(response.headers()),
                "raw": raw, "encoded": encoded,
            }})
        }}
        Err(error) => failed(&error),
    }}
}}

fn failed<E: std::fmt::Debug>(error: &Error<E>) -> Value {{
    let (kind, headers) = match error {{
        Error::Api {{ headers, .. }} => ("api", Some(&**headers)),
        Error::UnexpectedStatus {{ headers, .. }} => ("unexpected", Some(&**headers)),
        Error::Unsuccessful {{ headers, .. }} => ("unsuccessful", Some(&**headers)),
        Error::Decode {{ headers, .. }} => ("decode", Some(&**headers)),
        Error::Timeout(_) | Error::Connection(_) | Error::ResponseTooLarge {{ .. }} => ("transport", None),
        _ => ("refused", None),
    }};
    let detail: String = error.to_string().chars().take(600).collect();
    json!({{
        "kind": kind,
        "status": error.status().map(|status| status.as_u16()),
        "violations": headers.map(violations).unwrap_or(Value::Null),
        "detail": detail,
    }})
}}

fn types(input: &[u8]) {{
    let cases: Vec<Vec<Value>> = serde_json::from_slice(input).expect("instances are JSON");
    for (case, (instances, check)) in cases.iter().zip(CHECKS).enumerate() {{
        for instance in instances {{
            let bytes = serde_json::to_vec(instance).expect("a value encodes");
            let line = match check(&bytes) {{
                Ok((encoded, debug)) => json!({{"case": case, "encoded": encoded, "debug": debug}}),
                Err(error) => json!({{"case": case, "error": error}}),
            }};
            println!("{{line}}");
        }}
    }}
}}

async fn operations(input: &[u8]) {{
    let input: Value = serde_json::from_slice(input).expect("operations are JSON");
    let base_urls = input["base_urls"].as_array().cloned().unwrap_or_default();
    let cases = input["operations"].as_array().cloned().unwrap_or_default();
    for case in &cases {{
        let index = case["index"].as_u64().unwrap_or(u64::MAX) as usize;
        let Some(operation) = OPERATIONS.get(index) else {{ continue }};
        let api = case["api"].as_u64().unwrap_or(u64::MAX) as usize;
        let Some(base_url) = base_urls.get(api).and_then(Value::as_str) else {{ continue }};
        let prefer = case["prefer"].as_str().map(str::to_owned);
        for (attempt, arguments) in case["attempts"].as_array().into_iter().flatten().enumerate() {{
            let arguments = arguments.as_array().cloned().unwrap_or_default();
            let mut line = operation(base_url, arguments, prefer.clone()).await;
            line["operation"] = json!(index);
            line["attempt"] = json!(attempt);
            println!("{{line}}");
        }}
    }}
}}

#[tokio::main(flavor = "current_thread")]
async fn main() {{
    let mut arguments = std::env::args().skip(1);
    let mode = arguments.next().expect("a mode: types or operations");
    let path = arguments.next().expect("the input file");
    let input = std::fs::read(&path).expect("a readable input file");
    match mode.as_str() {{
        "types" => types(&input),
        "operations" => operations(&input).await,
        other => panic!("unknown mode {{other}}"),
    }}
}}
{modules}"#,
        violations_header = crate::prism::VIOLATIONS_HEADER,
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

/// What one answer says of the client.
#[derive(Debug, Clone)]
enum Verdict {
    Clean,
    /// Something the client got wrong (or may have).
    Finding(FindingKind, String),
    /// The mock's own answer breaks the spec: nothing to judge the client by.
    Mock(String),
    /// The client could not read an answer, or lost part of it: the mock may have taken
    /// the answer (or part of it) from the spec's examples, so it is asked again.
    Answer(FindingKind, String),
}

/// Judges each operation by its last attempt (values from the schemas alone); what only
/// the attempt from the spec's examples got wrong is a warning. An answer the client
/// cannot read (or loses part of), or one the mock got wrong, is judged by the answer made
/// from the schemas alone instead (`generated`): the mock's first answer uses the spec's
/// examples wherever it has them, and an example may contradict its schema.
fn compare_operations(
    apis: &[ApiPlan],
    base_urls: &[Option<String>],
    answers: &BTreeMap<usize, Vec<Value>>,
    generated: &BTreeMap<usize, Vec<Value>>,
    report: &mut Report,
) {
    let mut index = 0;
    for (api_index, api) in apis.iter().enumerate() {
        let Some(summary) = report.summaries.get_mut(api_index) else { continue };
        summary.unsent += api.unsent.len();
        for operation in &api.operations {
            let here = index;
            index += 1;
            if base_urls.get(api_index).is_none_or(Option::is_none) {
                summary.unmocked += 1;
                continue;
            }
            summary.operations += 1;
            let verdicts: Vec<Verdict> = answers
                .get(&here)
                .into_iter()
                .flatten()
                .map(|answer| judge(&api.document, operation, answer))
                .collect();
            let last_attempt = verdicts.len().saturating_sub(1);
            let mut attempt = last_attempt;
            let mut verdict = verdicts.last().cloned().unwrap_or_else(|| {
                Verdict::Finding(FindingKind::Transport, "the driver said nothing of it".to_owned())
            });
            if matches!(verdict, Verdict::Mock(_) | Verdict::Answer(..)) {
                let second = generated
                    .get(&here)
                    .and_then(|answers| answers.last())
                    .map(|answer| judge(&api.document, operation, answer));
                verdict = match (verdict, second) {
                    (Verdict::Answer(_, detail), Some(Verdict::Clean)) => {
                        let detail = format!("the answer from the spec's examples: {detail}");
                        Verdict::Finding(FindingKind::ExampleRequest, detail)
                    }
                    (_, Some(Verdict::Clean)) => Verdict::Clean,
                    (_, Some(Verdict::Answer(kind, detail))) => Verdict::Finding(kind, detail),
                    (_, Some(second)) => second,
                    (first, None) => first,
                };
            }
            if matches!(verdict, Verdict::Clean) && last_attempt > 0 {
                if let Some(Verdict::Finding(_, detail)) = verdicts.first() {
                    attempt = 0;
                    verdict = Verdict::Finding(FindingKind::ExampleRequest, detail.clone());
                }
            }
            let (kind, detail) = match verdict {
                Verdict::Clean => continue,
                Verdict::Mock(detail) => {
                    summary.mock_failures += 1;
                    report.notes.push(format!(
                        "{}: {}: the mock's answer breaks the spec, so the client was not judged: {detail}",
                        api.file, operation.endpoint
                    ));
                    continue;
                }
                Verdict::Finding(kind, detail) | Verdict::Answer(kind, detail) => (kind, detail),
            };
            match kind {
                FindingKind::Violation => summary.violations += 1,
                FindingKind::Response => summary.response_failures += 1,
                FindingKind::ResponseLoss => summary.response_losses += 1,
                FindingKind::ExampleRequest => summary.example_requests += 1,
                _ => summary.transport_failures += 1,
            }
            report.findings.push(Finding {
                kind,
                file: api.file.clone(),
                pointer: operation.endpoint.clone(),
                rust_path: operation.call.clone(),
                source: match attempt == 0 && operation.attempts.len() > 1 {
                    true => "values from the spec's examples".to_owned(),
                    false => "values from the schemas".to_owned(),
                },
                detail,
                input: Value::Array(operation.attempts.get(attempt).cloned().unwrap_or_default()),
            });
        }
    }
}

/// What one answer says of the client; `document` is the one the mock serves.
fn judge(document: &Value, operation: &OperationCase, answer: &Value) -> Verdict {
    let kind = answer["kind"].as_str().unwrap_or_default();
    let status = answer["status"].as_u64().map(|status| status.to_string()).unwrap_or_else(|| "nothing".to_owned());
    let detail = preview_long(answer["detail"].as_str().unwrap_or_default());
    if let Some(violations) = answer["violations"].as_str() {
        let detail = format!("answered {status}: {}", preview_long(violations));
        // Violations of the response alone are the mock's: the request was fine.
        // Past a number of them Prism says so first: `Too many violations! [...]`.
        let list = violations.trim_start_matches("Too many violations!").trim_start();
        let listed: Vec<Value> = serde_json::from_str(list).unwrap_or_default();
        let of_response = |violation: &Value| violation["location"][0].as_str() == Some("response");
        // A list Prism cut short is no JSON: its locations are counted in the text instead.
        let located = violations.matches(r#""location":["#).count();
        let cut_short =
            listed.is_empty() && located > 0 && located == violations.matches(r#""location":["response""#).count();
        return match cut_short || (!listed.is_empty() && listed.iter().all(of_response)) {
            true => Verdict::Mock(detail),
            false => Verdict::Finding(FindingKind::Violation, detail),
        };
    }
    // Prism failing to make an answer it should (a schema too complex for its faker, a
    // dynamic answer for a media type it cannot fake): the mock's limit, not the client's.
    const MOCK_LIMITS: [&str; 4] = [
        "errors#SCHEMA_TOO_COMPLEX",
        "errors#UNKNOWN",
        "errors#NO_RESPONSE_RESPONSE_DEFINED",
        "errors#NO_COMPLEX_OBJECT_TEXT",
    ];
    if MOCK_LIMITS.iter().any(|limit| detail.contains(&format!("https://stoplight.io/prism/{limit}"))) {
        return Verdict::Mock(format!("answered {status}: {detail}"));
    }
    // Prism's own answer to a request it cannot route or finds wrong (some without the header).
    if detail.contains("https://stoplight.io/prism/errors#") {
        return Verdict::Finding(FindingKind::Violation, format!("answered {status}: {detail}"));
    }
    match kind {
        "ok" => match (answer.get("raw"), answer.get("encoded")) {
            (Some(raw), Some(encoded)) => match difference(raw, encoded, "") {
                Some(difference) => Verdict::Answer(FindingKind::ResponseLoss, difference),
                None => Verdict::Clean,
            },
            _ => Verdict::Clean,
        },
        // Without a documented success, a documented error is the answer to expect.
        "api" if !operation.documents_success => Verdict::Clean,
        "api" | "unexpected" | "unsuccessful" => {
            Verdict::Finding(FindingKind::Response, format!("answered {status}: {detail}"))
        }
        "decode" if past_recursion(document, operation, answer["status"].as_u64(), &detail) => Verdict::Mock(format!(
            "answered {status}, unreadable past a schema that contains itself, which Prism fakes without \
             what it requires: {detail}"
        )),
        "decode" => Verdict::Answer(FindingKind::Response, detail),
        "mock-crash" => Verdict::Mock("the mock crashed answering it".to_owned()),
        _ => Verdict::Finding(FindingKind::Transport, detail),
    }
}

/// Whether a decoding failure (`… (at \`values[0].repository.parent\`: …`) lies where a
/// schema has come round to itself on the way from the response's schema: a repository's
/// `parent` repository. Prism fakes such a value as an object without what it requires
/// (Bitbucket's `type`) and does not report it, so the failure is the mock's. The client's
/// reading of recursive types is checked by the type instances, which recurse.
fn past_recursion(document: &Value, operation: &OperationCase, status: Option<u64>, detail: &str) -> bool {
    let Some((method, path)) = operation.endpoint.split_once(' ') else { return false };
    let Some(at) = detail.split_once("(at `").and_then(|(_, rest)| rest.split_once('`')).map(|(at, _)| at) else {
        return false;
    };
    let responses = &document["paths"][path][method.to_ascii_lowercase()]["responses"];
    let response = status.map(|status| &responses[status.to_string()]).filter(|response| !response.is_null());
    let Some(content) = response.unwrap_or(&responses["default"])["content"].as_object() else { return false };
    let Some(mut schema) = content.values().find_map(|media| media.get("schema")) else { return false };
    // The references each value on the way is written as (not those of the parts its
    // members were found in: many schemas share a base part without containing themselves).
    let mut seen = Vec::new();
    if resolved(document, schema, &mut seen).is_none() {
        return false;
    }
    let steps = at.split('.').flat_map(|member| {
        let (name, indexes) = member.split_once('[').map_or((member, ""), |(name, rest)| (name, rest));
        let items = indexes.matches(']').map(|_| None);
        std::iter::once(Some(name)).filter(|name| name != &Some("")).chain(items)
    });
    for step in steps {
        let Some(next) = step_into(document, schema, step, 0) else { return false };
        if resolved(document, next, &mut seen).is_none() {
            return false;
        }
        schema = next;
    }
    seen.len() != seen.iter().collect::<std::collections::BTreeSet<_>>().len()
}

/// The schema of `step` (a member, or an item for `None`) of a value of `schema`, through
/// `$ref`s and composition parts.
fn step_into<'d>(document: &'d Value, schema: &'d Value, step: Option<&str>, depth: usize) -> Option<&'d Value> {
    let schema = resolved(document, schema, &mut Vec::new())?;
    let own = match step {
        Some(name) => schema["properties"].get(name),
        None => schema.get("items"),
    };
    if own.is_some() || depth > 8 {
        return own;
    }
    let parts = ["allOf", "oneOf", "anyOf"].iter().filter_map(|keyword| schema[*keyword].as_array()).flatten();
    parts
        .filter_map(|part| step_into(document, part, step, depth + 1))
        .next()
        .or_else(|| step.and_then(|_| schema.get("additionalProperties")).filter(|additional| additional.is_object()))
}

/// `schema` with its chain of `$ref`s followed, each noted in `seen`.
fn resolved<'d>(document: &'d Value, mut schema: &'d Value, seen: &mut Vec<&'d str>) -> Option<&'d Value> {
    for _ in 0..32 {
        let Some(reference) = schema["$ref"].as_str() else { return Some(schema) };
        seen.push(reference);
        schema = document.pointer(reference.strip_prefix('#')?)?;
    }
    None
}

fn preview_long(text: &str) -> String {
    match text.chars().count() > 600 {
        true => format!("{}…", text.chars().take(600).collect::<String>()),
        false => text.to_owned(),
    }
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
        (Value::Number(sent), Value::Number(returned)) if same_number(sent, returned) => None,
        // A date-time read into a time type comes back in its canonical form (`…42.0Z` as
        // `…42Z`, an offset as UTC): the same instant is the same value. A `String` keeps
        // its text, so this hides no loss there.
        (Value::String(sent), Value::String(returned))
            if instant(sent).is_some_and(|instant| Some(instant) == self::instant(returned)) =>
        {
            None
        }
        // Likewise a URL read as `url::Url`: `HTTPS://A.b` comes back as `https://a.b/`.
        (Value::String(sent), Value::String(returned))
            if sent.contains("://")
                && url::Url::parse(sent).ok().is_some_and(|url| url::Url::parse(returned).ok() == Some(url)) =>
        {
            None
        }
        (sent, returned) if sent == returned => None,
        (sent, returned) => {
            let at = if at.is_empty() { "the value" } else { at };
            Some(format!("{at}: sent {}, got back {}", preview(sent), preview(returned)))
        }
    }
}

/// An RFC 3339 date-time as (seconds since 1970 in UTC, nanoseconds).
fn instant(text: &str) -> Option<(i64, u32)> {
    let number = |part: &str| part.parse::<i64>().ok().filter(|_| part.bytes().all(|byte| byte.is_ascii_digit()));
    let (date, time) = text.split_once(['T', 't'])?;
    let mut date_parts = date.split('-');
    let (year, month, day) = (number(date_parts.next()?)?, number(date_parts.next()?)?, number(date_parts.next()?)?);
    if date_parts.next().is_some() || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let (clock, offset) = match time.strip_suffix(['Z', 'z']) {
        Some(clock) => (clock, 0),
        None => {
            let at = time.rfind(['+', '-'])?;
            let (clock, zone) = time.split_at(at);
            let (hours, minutes) = zone[1..].split_once(':')?;
            let seconds = number(hours)? * 3600 + number(minutes)? * 60;
            (clock, if zone.starts_with('-') { -seconds } else { seconds })
        }
    };
    let (whole, fraction) = clock.split_once('.').unwrap_or((clock, ""));
    let mut clock_parts = whole.split(':');
    let (hour, minute, second) =
        (number(clock_parts.next()?)?, number(clock_parts.next()?)?, number(clock_parts.next()?)?);
    if clock_parts.next().is_some() || !fraction.bytes().all(|byte| byte.is_ascii_digit()) || fraction.len() > 9 {
        return None;
    }
    let nanos = format!("{fraction:0<9}").parse::<u32>().ok()?;
    // Days from the civil date (Howard Hinnant's algorithm).
    let (y, m) = if month <= 2 { (year - 1, month + 9) } else { (year, month - 3) };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let day_of_year = (153 * m + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    let days = era * 146_097 + day_of_era - 719_468;
    Some((days * 86_400 + hour * 3600 + minute * 60 + second - offset, nanos))
}

/// Equal as numbers, or as the `f32` a `format: float` field holds (`0.123456789` comes
/// back as `0.12345679`).
fn same_number(sent: &serde_json::Number, returned: &serde_json::Number) -> bool {
    match (sent.as_f64(), returned.as_f64()) {
        (Some(sent), Some(returned)) => sent == returned || (sent as f32) == (returned as f32),
        _ => sent == returned,
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
        // A `float` field holds an `f32`: its shortest spelling differs, its value does not.
        assert_eq!(difference(&json!(0.123456789), &json!(0.12345679), ""), None);
        assert!(difference(&json!(0.1234), &json!(0.1235), "").is_some());
    }

    #[test]
    fn date_times_compare_as_instants() {
        assert_eq!(difference(&json!("1923-04-04T20:04:42.0Z"), &json!("1923-04-04T20:04:42Z"), ""), None);
        assert_eq!(difference(&json!("2024-01-02T05:04:05+02:00"), &json!("2024-01-02T03:04:05Z"), ""), None);
        assert_eq!(instant("1970-01-01T00:00:01.5Z"), Some((1, 500_000_000)));
        assert_eq!(instant("2024-01-02T03:04:05Z"), Some((1_704_164_645, 0)));
        assert!(difference(&json!("2024-01-02T03:04:05Z"), &json!("2024-01-02T03:04:06Z"), "").is_some());
        assert!(difference(&json!("2024-01-02 03:04:05"), &json!("2024-01-02T03:04:05Z"), "").is_some());
        assert_eq!(instant("not a time"), None);
        assert_eq!(difference(&json!("HTTPS://Example.COM"), &json!("https://example.com/"), ""), None);
        assert!(difference(&json!("https://example.com/a"), &json!("https://example.com/b"), "").is_some());
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

    fn operation(documents_success: bool) -> OperationCase {
        OperationCase {
            endpoint: "GET /pets".to_owned(),
            operation_id: "listPets".to_owned(),
            call: "pets().list_pets".to_owned(),
            argument_types: Vec::new(),
            attempts: vec![Vec::new()],
            round_trip: RoundTrip::Body,
            documents_success,
        }
    }

    #[test]
    fn violations_of_the_request_are_findings_and_of_the_response_the_mocks() {
        let request = json!([{"location": ["request", "query", "limit"], "code": "type"}]).to_string();
        let answer = json!({"kind": "api", "status": 422, "violations": request});
        assert!(matches!(judge(&Value::Null, &operation(true), &answer), Verdict::Finding(FindingKind::Violation, _)));
        let response = json!([{"location": ["response", "body"], "code": "required"}]).to_string();
        let answer = json!({"kind": "unexpected", "status": 500, "violations": response});
        assert!(matches!(judge(&Value::Null, &operation(true), &answer), Verdict::Mock(_)));
        let many = format!("Too many violations! {}", &response[..response.len() - 2]);
        let answer = json!({"kind": "unexpected", "status": 500, "violations": many});
        assert!(matches!(judge(&Value::Null, &operation(true), &answer), Verdict::Mock(_)));
        // Prism's own problem answers do not always carry the header.
        let detail = r#"the server answered 422: {"type":"https://stoplight.io/prism/errors#UNPROCESSABLE_ENTITY"}"#;
        let answer = json!({"kind": "unexpected", "status": 422, "detail": detail});
        assert!(matches!(judge(&Value::Null, &operation(true), &answer), Verdict::Finding(FindingKind::Violation, _)));
    }

    #[test]
    fn the_mocks_own_failures_are_not_the_clients() {
        let answer = |detail: &str| json!({"kind": "unexpected", "status": 500, "detail": detail});
        let too_complex =
            answer(r#"{"type":"https://stoplight.io/prism/errors#SCHEMA_TOO_COMPLEX","title":"Schema too complex"}"#);
        assert!(matches!(judge(&Value::Null, &operation(true), &too_complex), Verdict::Mock(_)));
        let refused =
            answer(r#"{"type":"https://stoplight.io/prism/errors#UNPROCESSABLE_ENTITY","title":"Invalid request"}"#);
        assert!(matches!(judge(&Value::Null, &operation(true), &refused), Verdict::Finding(FindingKind::Violation, _)));
    }

    #[test]
    fn an_unreadable_answer_past_a_schema_that_contains_itself_is_the_mocks() {
        let document = json!({
            "paths": {"/pets": {"get": {"responses": {"200": {"content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Page"}
            }}}}}}},
            "components": {"schemas": {
                "Page": {"properties": {"values": {"type": "array", "items": {"$ref": "#/components/schemas/Pet"}}}},
                "Base": {"required": ["type"], "properties": {"type": {"type": "string"}}},
                "Pet": {"allOf": [{"$ref": "#/components/schemas/Base"}, {"properties": {
                    "owner": {"$ref": "#/components/schemas/Owner"},
                    "parent": {"$ref": "#/components/schemas/Pet"}
                }}]},
                "Owner": {"allOf": [{"$ref": "#/components/schemas/Base"}, {"properties": {"name": {"type": "string"}}}]}
            }}
        });
        let answer = |at: &str| {
            let detail =
                format!("could not decode the 200 OK response (at `{at}`: missing field `type` at line 1 column 9)");
            json!({"kind": "decode", "status": 200, "detail": detail})
        };
        assert!(matches!(judge(&document, &operation(true), &answer("values[0].parent")), Verdict::Mock(_)));
        // Schemas that share a base part do not contain themselves.
        let owner = judge(&document, &operation(true), &answer("values[0].owner"));
        assert!(matches!(owner, Verdict::Answer(FindingKind::Response, _)), "{owner:?}");
        let unknown = judge(&document, &operation(true), &answer("values[0].nowhere.parent"));
        assert!(matches!(unknown, Verdict::Answer(FindingKind::Response, _)), "{unknown:?}");
    }

    #[test]
    fn answers_are_judged_by_what_the_spec_documents() {
        let error = json!({"kind": "api", "status": 404, "detail": "the server answered 404 Not Found: NotFound"});
        assert!(matches!(judge(&Value::Null, &operation(true), &error), Verdict::Finding(FindingKind::Response, _)));
        assert!(matches!(judge(&Value::Null, &operation(false), &error), Verdict::Clean));
        let undecodable = json!({"kind": "decode", "status": 200, "detail": "missing field `id`"});
        assert!(matches!(
            judge(&Value::Null, &operation(true), &undecodable),
            Verdict::Answer(FindingKind::Response, _)
        ));
        let lossy = json!({"kind": "ok", "status": 200, "raw": {"id": 1, "name": "a"}, "encoded": {"id": 1}});
        let Verdict::Answer(FindingKind::ResponseLoss, detail) = judge(&Value::Null, &operation(true), &lossy) else {
            panic!("a member lost in the round trip is a finding")
        };
        assert_eq!(detail, "/name: lost (sent \"a\")");
        let kept = json!({"kind": "ok", "status": 200, "raw": {"id": 1.0}, "encoded": {"id": 1}});
        assert!(matches!(judge(&Value::Null, &operation(true), &kept), Verdict::Clean));
        let refused = json!({"kind": "refused", "detail": "invalid request: `..` in a path"});
        assert!(matches!(judge(&Value::Null, &operation(true), &refused), Verdict::Finding(FindingKind::Transport, _)));
    }

    #[test]
    fn the_mock_document_is_adapted_where_prism_fails() {
        let document = json!({
            "paths": {"/customers": {
              "parameters": [{"name": "Accept", "in": "header", "required": true, "schema": {"type": "string"}}],
              "post": {
                "parameters": [
                    {"$ref": "#/components/parameters/ContentType"},
                    {"name": "X-Request-Id", "in": "header", "schema": {"type": "string"}}
                ],
                "requestBody": {"$ref": "#/components/requestBodies/Customer"},
                "responses": {"200": {
                    "description": "ok",
                    "headers": {
                        "X-Tags": {"schema": {"type": "array", "items": {"type": "string"}}},
                        "X-Ids": {"required": true, "schema": {"type": "array", "items": {"type": "string"}}},
                        "X-Count": {"schema": {"type": "integer"}}
                    },
                    "content": {"application/json": {
                        "schema": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
                        "examples": {"remote": {"$ref": "https://example.com/example.json"}}
                    }}
                }}
            }}},
            "components": {
                "parameters": {"ContentType": {"name": "content-type", "in": "header", "required": true, "schema": {"type": "string"}}},
                "requestBodies": {"Customer": {"content": {
                    "application/x-www-form-urlencoded": {"schema": {"$ref": "#/components/schemas/Customer"}},
                    "multipart/form-data": {"schema": {"$ref": "#/components/schemas/Customer"}}
                }}},
                "schemas": {"Customer": {"type": "object", "properties": {
                    "name": {"type": "string"},
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "tax_ids": {"type": "array", "items": {"$ref": "#/components/schemas/TaxId"}},
                    "address": {"type": "object", "properties": {"lines": {"type": "array", "items": {"type": "object"}}}}
                }}, "TaxId": {"type": "object", "properties": {"value": {"type": "string"}}}}
            }
        });
        let mock = mock_document(&document);
        let operation = &mock["paths"]["/customers"]["post"];
        let form = &operation["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]["properties"];
        assert_eq!(form["tax_ids"], json!({}), "a list of objects in a form body accepts anything");
        assert_eq!(form["address"]["properties"]["lines"], json!({}), "at any depth");
        assert_eq!(form["tags"]["type"], "array", "a list of scalars is still checked");
        let parts = &operation["requestBody"]["content"]["multipart/form-data"]["schema"]["properties"];
        assert_eq!(
            (&parts["tags"], &parts["address"], &parts["name"]["type"]),
            (&json!({}), &json!({}), &json!("string"))
        );
        let response = &operation["responses"]["200"];
        let headers: Vec<&String> = response["headers"].as_object().expect("headers").keys().collect();
        assert_eq!(headers, ["X-Ids", "X-Count"], "an optional list header is dropped");
        assert!(response["content"]["application/json"]["schema"].get("anyOf").is_some(), "oneOf is read as anyOf");
        assert_eq!(response["content"]["application/json"]["examples"]["remote"], json!({}));
        assert_eq!(document["components"]["schemas"]["Customer"]["properties"]["tax_ids"]["type"], "array");
        // OpenAPI ignores `Accept` and `Content-Type` header parameters; Prism would not.
        assert_eq!(mock["paths"]["/customers"]["parameters"], json!([]));
        assert_eq!(
            operation["parameters"],
            json!([{"name": "X-Request-Id", "in": "header", "schema": {"type": "string"}}])
        );
    }

    #[test]
    fn multipart_parts_but_plain_strings_accept_anything_in_all_of_members_too() {
        let schema = json!({"type": "object", "allOf": [{"properties": {
            "code": {"type": "integer", "enum": [5499, 0]},
            "note": {"type": "string"},
            "risk": {"$ref": "#/components/schemas/Risk"}
        }}]});
        let document = json!({"components": {"schemas": {"Risk": {"type": "object"}}}});
        let relaxed = relax_structured_parts(&document, &schema);
        let properties = &relaxed["allOf"][0]["properties"];
        assert_eq!((&properties["code"], &properties["risk"]), (&json!({}), &json!({})));
        assert_eq!(properties["note"], json!({"type": "string"}));
    }

    #[test]
    fn module_names_come_from_the_folder_when_the_file_name_says_nothing() {
        assert_eq!(module_name(Path::new("corpus/cloudflare/openapi.json")), "cloudflare-openapi");
        assert_eq!(module_name(Path::new("specs/zoom-users.yaml")), "zoom-users");
    }
}
