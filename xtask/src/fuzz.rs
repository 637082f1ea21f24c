//! `cargo xtask fuzz`: a structure-aware fuzzer for the generator, on stable Rust.
//!
//! Seeds are the committed specs and fixtures (and the corpus's smaller documents when it
//! is present). Each case is a seed with a few mutations at the JSON level: values
//! deleted, replaced by awkward scalars or by other parts of the document, `$ref`s to
//! anywhere (cycles included), wrappers (`allOf`, `items`, `oneOf`), keys renamed to
//! names the generated code owns, keywords inserted. A worker process generates each case
//! and checks that
//!
//! - generation neither panics, hangs (a per-case time limit) nor overflows its stack
//!   (the worker is a child process, so a crash is a finding, not the fuzzer's end);
//! - every Rust file parses (`syn`) and the manifest parses (`toml_edit`);
//! - a second run gives the same result (determinism);
//! - every diagnostic names the case's file and a pointer that resolves in the document
//!   as written (or whose parent does, for a missing member), or a line and column.
//!
//! Findings are written to `target/fuzz/findings/` with the case that found them.

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// What a fuzzing run is asked to do.
#[derive(Debug, Clone)]
pub struct Options {
    pub seconds: u64,
    /// Per-case limit; a case taking longer is a hang.
    pub case_seconds: u64,
    pub seed: u64,
    /// The corpus folder, used for extra seeds when it exists.
    pub corpus: PathBuf,
}

/// What a run did.
#[derive(Debug, Default)]
pub struct Report {
    pub cases: usize,
    pub seeds: usize,
    pub findings: Vec<String>,
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "fuzz: {} cases from {} seeds, {} finding(s)", self.cases, self.seeds, self.findings.len())?;
        for finding in &self.findings {
            writeln!(f, "  {finding}")?;
        }
        Ok(())
    }
}

/// Documents larger than this are left out as seeds: each case must stay fast.
const SEED_LIMIT_BYTES: u64 = 300 * 1024;

/// Runs the fuzzer for `options.seconds`, in a worker process started as `worker`.
pub fn run(root: &Path, options: &Options, worker: &mut dyn FnMut() -> Command) -> Result<Report> {
    let seeds = load_seeds(root, &options.corpus)?;
    if seeds.is_empty() {
        bail!("no seed specs found");
    }
    let findings_dir = root.join("target/fuzz/findings");
    let _ = std::fs::remove_dir_all(&findings_dir);
    let mut report = Report { seeds: seeds.len(), ..Report::default() };
    let mut rng = fastrand::Rng::with_seed(options.seed);
    let deadline = Instant::now() + Duration::from_secs(options.seconds);
    let mut current = Worker::start(worker)?;
    while Instant::now() < deadline {
        let (seed_name, seed) = &seeds[rng.usize(..seeds.len())];
        let case_seed = rng.u64(..);
        let mut document = seed.clone();
        mutate(&mut document, &mut fastrand::Rng::with_seed(case_seed));
        let text = serde_json::to_string(&document)?;
        report.cases += 1;
        let verdict = current.check(&text, Duration::from_secs(options.case_seconds));
        let problem = match verdict {
            Verdict::Clean => continue,
            Verdict::Finding(problem) => problem,
            Verdict::Died(problem) => {
                current = Worker::start(worker)?;
                problem
            }
        };
        let number = report.findings.len() + 1;
        std::fs::create_dir_all(&findings_dir)?;
        let case_path = findings_dir.join(format!("{number}.json"));
        std::fs::write(&case_path, &text)?;
        report.findings.push(format!(
            "{}: from {seed_name} (case seed {case_seed}): {}",
            case_path.strip_prefix(root).unwrap_or(&case_path).display(),
            problem.lines().next().unwrap_or_default()
        ));
    }
    current.stop();
    Ok(report)
}

fn load_seeds(root: &Path, corpus: &Path) -> Result<Vec<(String, Value)>> {
    let mut paths = crate::spec_files(&root.join("specs"))?;
    paths.extend(crate::spec_files(&root.join("tests/fixtures"))?);
    if corpus.is_dir() {
        let mut extra = Vec::new();
        collect_documents(corpus, &mut extra);
        extra.sort();
        paths.extend(extra);
    } else {
        eprintln!("fuzz: no corpus at {}; seeding from the committed specs only", corpus.display());
    }
    let mut seeds = Vec::new();
    for path in paths {
        let Ok(text) = std::fs::read_to_string(&path) else { continue };
        let parsed: Option<Value> = match path.extension().and_then(|e| e.to_str()) {
            Some("json") => serde_json::from_str(&text).ok(),
            _ => serde_yaml::from_str::<serde_yaml::Value>(&text).ok().and_then(|yaml| serde_json::to_value(yaml).ok()),
        };
        if let Some(document) = parsed.filter(Value::is_object) {
            seeds.push((path.strip_prefix(root).unwrap_or(&path).display().to_string(), document));
        }
    }
    Ok(seeds)
}

fn collect_documents(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            // Invalid documents are refused early; they mutate into little of interest.
            if !path.ends_with("_invalid") {
                collect_documents(&path, found);
            }
        } else if matches!(path.extension().and_then(|e| e.to_str()), Some("yaml" | "yml" | "json"))
            && entry.metadata().is_ok_and(|meta| meta.len() <= SEED_LIMIT_BYTES)
        {
            found.push(path);
        }
    }
}

// -----------------------------------------------------------------------------------
// Mutation
// -----------------------------------------------------------------------------------

const AWKWARD_STRINGS: &[&str] = &[
    "",
    "a\rb",
    "a\u{0}b",
    "\"quoted\"",
    "back\\slash",
    "type",
    "self",
    "Self",
    "r#type",
    "default",
    "full",
    "runtime",
    "from_env",
    "builder",
    "retry",
    "send",
    "Other",
    "Result",
    "123abc",
    "ß漢字",
    "a b-c_d",
    "{id}",
    "/",
    "~1",
    "#/components/schemas/Missing",
    "string",
    "object",
    "array",
    "null",
    "date-time",
    "binary",
    "application/x-www-form-urlencoded",
    "multipart/form-data",
];

/// Keywords worth inserting, with a value each.
fn keyword(rng: &mut fastrand::Rng, document: &Value) -> (String, Value) {
    let pointer = random_pointer(rng, document);
    match rng.usize(..12) {
        0 => ("nullable".into(), json!(true)),
        1 => ("type".into(), json!(["string", "null"])),
        2 => ("enum".into(), json!(["a", "A", "a-b", "", 1, null])),
        3 => ("allOf".into(), json!([{"$ref": format!("#{pointer}")}, {}])),
        4 => ("oneOf".into(), json!([{"type": "string"}, {"$ref": format!("#{pointer}")}])),
        5 => ("discriminator".into(), json!({"propertyName": "kind", "mapping": {"a": "#/components/schemas/A"}})),
        6 => ("additionalProperties".into(), json!({"$ref": format!("#{pointer}")})),
        7 => ("$ref".into(), json!(format!("#{pointer}"))),
        8 => ("required".into(), json!(["id", "id", "missing"])),
        9 => ("items".into(), json!({"$ref": format!("#{pointer}")})),
        10 => ("x-enum-varnames".into(), json!(["A", "A", ""])),
        _ => ("properties".into(), json!({"type": {"type": "string"}, "Type": {"type": "integer"}})),
    }
}

fn awkward_value(rng: &mut fastrand::Rng) -> Value {
    match rng.usize(..10) {
        0 => json!(null),
        1 => json!(rng.bool()),
        2 => json!(-1),
        3 => json!(1e308),
        4 => json!(18446744073709551615_u64),
        5 => json!([]),
        6 => json!({}),
        7 => json!("x".repeat(rng.usize(200..600))),
        _ => json!(AWKWARD_STRINGS[rng.usize(..AWKWARD_STRINGS.len())]),
    }
}

/// Pointers (without the leading `#`) of every value, in document order.
fn pointers(value: &Value, at: &mut String, found: &mut Vec<String>) {
    found.push(at.clone());
    let length = at.len();
    match value {
        Value::Object(members) => {
            for (key, member) in members {
                at.push('/');
                at.push_str(&key.replace('~', "~0").replace('/', "~1"));
                pointers(member, at, found);
                at.truncate(length);
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                at.push('/');
                at.push_str(&index.to_string());
                pointers(item, at, found);
                at.truncate(length);
            }
        }
        _ => {}
    }
}

fn random_pointer(rng: &mut fastrand::Rng, document: &Value) -> String {
    let mut found = Vec::new();
    pointers(document, &mut String::new(), &mut found);
    found.swap_remove(rng.usize(..found.len()))
}

/// Applies one to four mutations.
fn mutate(document: &mut Value, rng: &mut fastrand::Rng) {
    for _ in 0..rng.usize(1..=4) {
        let target = random_pointer(rng, document);
        if target.is_empty() {
            continue;
        }
        let donor = document.pointer(&random_pointer(rng, document)).cloned().unwrap_or(Value::Null);
        let (parent_at, key) = target.rsplit_once('/').unwrap_or(("", ""));
        let key = key.replace("~1", "/").replace("~0", "~");
        let operation = rng.usize(..8);
        let new_key = keyword(rng, document);
        let reference = json!({"$ref": format!("#{}", random_pointer(rng, document))});
        let awkward = awkward_value(rng);
        let new_name = AWKWARD_STRINGS[rng.usize(..AWKWARD_STRINGS.len())];
        let Some(parent) = document.pointer_mut(parent_at) else { continue };
        match (operation, parent) {
            (0, Value::Object(members)) => {
                members.shift_remove(&key);
            }
            (0, Value::Array(items)) => {
                if let Ok(index) = key.parse::<usize>() {
                    if index < items.len() {
                        items.remove(index);
                    }
                }
            }
            (1, parent) => set(parent, &key, awkward),
            (2, parent) => set(parent, &key, donor),
            (3, parent) => set(parent, &key, reference),
            (4, parent) => {
                let wrapped = take(parent, &key);
                let wrapper = match rng.usize(..3) {
                    0 => json!({"allOf": [wrapped, {}]}),
                    1 => json!({"type": "array", "items": wrapped}),
                    _ => json!({"oneOf": [wrapped.clone(), wrapped]}),
                };
                set(parent, &key, wrapper);
            }
            (5, Value::Object(members)) => {
                if let Some(value) = members.shift_remove(&key) {
                    members.insert(new_name.to_owned(), value);
                }
            }
            (_, parent) => {
                if let Some(Value::Object(members)) = child_mut(parent, &key) {
                    members.insert(new_key.0, new_key.1);
                }
            }
        }
    }
}

fn child_mut<'v>(parent: &'v mut Value, key: &str) -> Option<&'v mut Value> {
    match parent {
        Value::Object(members) => members.get_mut(key),
        Value::Array(items) => key.parse::<usize>().ok().and_then(|index| items.get_mut(index)),
        _ => None,
    }
}

fn take(parent: &mut Value, key: &str) -> Value {
    child_mut(parent, key).map(std::mem::take).unwrap_or_default()
}

fn set(parent: &mut Value, key: &str, value: Value) {
    if let Some(slot) = child_mut(parent, key) {
        *slot = value;
    }
}

// -----------------------------------------------------------------------------------
// The worker
// -----------------------------------------------------------------------------------

enum Verdict {
    Clean,
    Finding(String),
    /// The worker crashed or hung and must be restarted.
    Died(String),
}

struct Worker {
    child: Child,
    input: ChildStdin,
    output: mpsc::Receiver<String>,
}

impl Worker {
    fn start(command: &mut dyn FnMut() -> Command) -> Result<Self> {
        let mut child = command()
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .context("starting the fuzz worker")?;
        let input = child.stdin.take().context("worker stdin")?;
        let stdout = child.stdout.take().context("worker stdout")?;
        let (sender, output) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { return };
                if sender.send(line).is_err() {
                    return;
                }
            }
        });
        Ok(Self { child, input, output })
    }

    fn check(&mut self, document: &str, limit: Duration) -> Verdict {
        let case = json!({ "document": document }).to_string();
        if writeln!(self.input, "{case}").and_then(|()| self.input.flush()).is_err() {
            return Verdict::Died(format!("the worker stopped: {}", self.exit_status()));
        }
        match self.output.recv_timeout(limit) {
            Ok(line) if line == "ok" => Verdict::Clean,
            Ok(line) => Verdict::Finding(line),
            Err(mpsc::RecvTimeoutError::Timeout) => {
                let _ = self.child.kill();
                let _ = self.child.wait();
                Verdict::Died(format!("hang: no result within {} s", limit.as_secs()))
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                Verdict::Died(format!("crash (a stack overflow or an abort): {}", self.exit_status()))
            }
        }
    }

    fn exit_status(&mut self) -> String {
        match self.child.wait() {
            Ok(status) => status.to_string(),
            Err(error) => error.to_string(),
        }
    }

    fn stop(mut self) {
        drop(self.input);
        let _ = self.child.wait();
    }
}

/// The worker's side: reads one JSON case per line from stdin, answers `ok` or the
/// problem on one line of stdout.
pub fn serve() -> Result<()> {
    // A panic is a finding to report, not noise on the parent's terminal.
    std::panic::set_hook(Box::new(|_| {}));
    let stdin = std::io::stdin();
    let mut stdout = std::io::stdout();
    for line in stdin.lock().lines() {
        let case: Value = serde_json::from_str(&line?)?;
        let document = case["document"].as_str().unwrap_or_default().to_owned();
        let verdict = std::panic::catch_unwind(|| check_case(&document))
            .unwrap_or_else(|panic| Err(format!("panic: {}", panic_message(panic.as_ref()))));
        let answer = match verdict {
            Ok(()) => "ok".to_owned(),
            Err(problem) => problem.replace('\n', " | "),
        };
        writeln!(stdout, "{answer}")?;
        stdout.flush()?;
    }
    Ok(())
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|text| text.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_default()
}

const CASE_FILE: &str = "case.json";

/// Every check of one case; `Err` describes the first problem.
pub fn check_case(document: &str) -> Result<(), String> {
    let settings = generator::CrateSettings {
        crate_name: "fuzzed".to_owned(),
        workspace: generator::Workspace::Own,
        default_features_all: true,
        tag_features_from: Some(generator::CrateSettings::DEFAULT_TAG_FEATURES_FROM),
    };
    let generate = || {
        generator::generate_crate(&[generator::ApiSpec::new("fuzzed", CASE_FILE, document)], &settings)
            .map(|generated| (generated.files, generated.warnings))
    };
    let first = generate();
    if first != generate() {
        return Err("two runs on the same document differ".to_owned());
    }
    let value: Value = serde_json::from_str(document).map_err(|error| format!("case is not JSON: {error}"))?;
    match first {
        Ok((files, warnings)) => {
            for (path, text) in &files {
                match path.extension().and_then(|e| e.to_str()) {
                    Some("rs") => {
                        syn::parse_file(text).map_err(|error| format!("{} does not parse: {error}", path.display()))?;
                    }
                    Some("toml") => {
                        text.parse::<toml_edit::DocumentMut>()
                            .map_err(|error| format!("{} does not parse: {error}", path.display()))?;
                    }
                    _ => {}
                }
            }
            warnings.iter().try_for_each(|warning| check_diagnostic(warning, &value))
        }
        Err(diagnostics) => diagnostics.iter().try_for_each(|diagnostic| check_diagnostic(diagnostic, &value)),
    }
}

/// A diagnostic names the case's file and a place in it (a line and column, or a pointer
/// that resolves, or whose parent does: a required member that is missing), in OpenAPI
/// terms rather than the parser's type names.
fn check_diagnostic(diagnostic: &generator::Diagnostic, document: &Value) -> Result<(), String> {
    if diagnostic.file != CASE_FILE {
        return Err(format!("a diagnostic names another file: {diagnostic}"));
    }
    const PARSER_WORDS: &[&str] = &["struct ", "enum ", "variant", "flattened data", "ReferenceOr"];
    // The document's own text may hold these words, and quotes that upset the split below:
    // take out every string of the document that does, as written and as escaped.
    let mut message = diagnostic.message.clone();
    for_each_string(document, &mut |text| {
        if PARSER_WORDS.iter().any(|word| text.contains(word)) {
            let escaped = format!("{text:?}");
            message = message.replace(text, "").replace(escaped.trim_matches('"'), "");
        }
    });
    // Outside what the message quotes from the document (`"…"`, `` `…` ``).
    let own_words: String =
        message.split(['"', '`']).enumerate().filter(|(index, _)| index % 2 == 0).map(|(_, part)| part).collect();
    if let Some(word) = PARSER_WORDS.iter().find(|word| own_words.contains(**word)) {
        return Err(format!("a diagnostic speaks of the parser's types (`{word}`): {diagnostic}"));
    }
    if diagnostic.location.starts_with("line ") {
        return Ok(());
    }
    let Some(pointer) = diagnostic.location.strip_prefix('#') else {
        return Err(format!("a diagnostic without a pointer: {diagnostic}"));
    };
    let parent = pointer.rsplit_once('/').map_or("", |(parent, _)| parent);
    if document.pointer(pointer).is_some() || document.pointer(parent).is_some() {
        Ok(())
    } else {
        Err(format!("a diagnostic pointer names nothing in the document: {diagnostic}"))
    }
}

/// Calls `visit` with every member name and string value in `value`.
fn for_each_string(value: &Value, visit: &mut impl FnMut(&str)) {
    match value {
        Value::String(text) => visit(text),
        Value::Array(items) => items.iter().for_each(|item| for_each_string(item, visit)),
        Value::Object(members) => members.iter().for_each(|(name, member)| {
            visit(name);
            for_each_string(member, visit);
        }),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mutation_is_reproducible_from_its_seed() {
        let seed = json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/a": {}}});
        let mutated = |case: u64| {
            let mut document = seed.clone();
            mutate(&mut document, &mut fastrand::Rng::with_seed(case));
            document
        };
        assert_eq!(mutated(7), mutated(7));
        assert!((0..20).any(|case| mutated(case) != seed), "mutations change documents");
    }

    #[test]
    fn a_diagnostic_pointer_into_nothing_is_a_finding() {
        let document = json!({"a": {"b": 1}});
        let diagnostic = |location: &str| generator::Diagnostic {
            file: CASE_FILE.to_owned(),
            location: location.to_owned(),
            message: "m".to_owned(),
        };
        assert!(check_diagnostic(&diagnostic("#/a/b"), &document).is_ok());
        assert!(check_diagnostic(&diagnostic("#/a/missing"), &document).is_ok(), "a missing member of a");
        assert!(check_diagnostic(&diagnostic("#/x/y/z"), &document).is_err());
        assert!(check_diagnostic(&diagnostic("line 2, column 3"), &document).is_ok());
    }

    #[test]
    fn parser_words_in_the_documents_own_text_are_not_findings() {
        let diagnostic = |message: &str| generator::Diagnostic {
            file: CASE_FILE.to_owned(),
            location: "#/a".to_owned(),
            message: message.to_owned(),
        };
        let document = json!({"a": "x\" enum `y"});
        let quoted = r#"invalid type: string "x\" enum `y", expected a map"#;
        assert!(check_diagnostic(&diagnostic(quoted), &document).is_ok());
        assert!(check_diagnostic(&diagnostic("data did not match any variant"), &document).is_err());
    }

    #[test]
    fn a_fixture_spec_passes_every_check() {
        let text = std::fs::read_to_string(crate::workspace_root().join("specs/zoom-users.yaml")).expect("spec");
        let yaml: serde_yaml::Value = serde_yaml::from_str(&text).expect("YAML");
        let document = serde_json::to_string(&yaml).expect("JSON");
        assert_eq!(check_case(&document), Ok(()));
    }
}
