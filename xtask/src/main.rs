//! `cargo xtask`: regenerate the committed clients, or generate one for any spec.

use anyhow::Result;
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use xtask::Mode;

// Generation is allocation-bound (token streams, syn trees, prettyplease buffers):
// mimalloc takes a third off the time of a large spec compared with the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(about = "Project automation for the OpenAPI client generator")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Regenerate generated-client/ from specs/ and tests/fixture-client/ from tests/fixtures/.
    Codegen {
        /// Change nothing; fail with a diff when the committed output is stale.
        #[arg(long)]
        check: bool,
    },
    /// Generate and lint (`cargo clippy -D warnings`) a client for every document of a corpus's INVENTORY.tsv.
    Corpus {
        /// The corpus folder.
        #[arg(default_value = "../shared/corpus")]
        dir: PathBuf,
        /// Only documents whose path contains this.
        #[arg(long)]
        filter: Option<String>,
        /// Only documents of at most this many bytes (by the inventory).
        #[arg(long)]
        max_bytes: Option<u64>,
        /// Generate only; skip `cargo clippy`.
        #[arg(long)]
        no_check: bool,
        /// Run `verify` on each document instead of `cargo clippy`.
        #[arg(long)]
        verify: bool,
        /// With `--verify`: round-trip the types only; send nothing to a mock.
        #[arg(long)]
        no_mock: bool,
    },
    /// Check that the generated client round-trips every schema's instances and sends
    /// every operation correctly to a Prism mock of its spec (the committed specs and
    /// fixtures when no spec is given).
    Verify {
        /// OpenAPI documents, verified together.
        specs: Vec<PathBuf>,
        /// Round-trip the types only; send nothing.
        #[arg(long)]
        no_mock: bool,
        /// Seconds a mock may take to start.
        #[arg(long, default_value_t = 300)]
        mock_start_limit: u64,
    },
    /// Mutate the committed specs (and the corpus's smaller documents) and check that
    /// generation never panics, hangs or overflows, writes parsable Rust and TOML, is
    /// deterministic, and points every diagnostic into the document.
    Fuzz {
        /// How long to run.
        #[arg(long, default_value_t = 60)]
        seconds: u64,
        /// A case that takes longer than this is a hang.
        #[arg(long, default_value_t = 20)]
        case_seconds: u64,
        /// The random seed: the same seed and seeds give the same cases.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The corpus folder, for extra seeds when present.
        #[arg(long, default_value = "../shared/corpus")]
        corpus: PathBuf,
    },
    /// Measure what generated crates cost: generation time, types, repeated shapes,
    /// lines, and a clean `cargo check` (all features, one tag feature) with peak memory.
    BenchCompile {
        /// OpenAPI documents; by default the big APIs of the corpus.
        specs: Vec<PathBuf>,
        /// The corpus folder the default set is read from.
        #[arg(long, default_value = "../shared/corpus")]
        corpus: PathBuf,
        /// The tag feature to time alone (default: the crate's first).
        #[arg(long)]
        feature: Option<String>,
        /// Count only; skip `cargo check`.
        #[arg(long)]
        no_check: bool,
        /// Also time a clean debug `cargo build` with every API feature (what `check`
        /// leaves out: the code of each generic the crate instantiates).
        #[arg(long)]
        build: bool,
    },
    /// The fuzzer's worker process (reads cases on stdin).
    #[command(hide = true)]
    FuzzWorker,
    /// Write a standalone client crate for one spec.
    Generate {
        /// The OpenAPI document (YAML or JSON).
        #[arg(long)]
        input: PathBuf,
        /// The crate directory to create or replace.
        #[arg(long)]
        output: PathBuf,
        /// The crate's package name.
        #[arg(long)]
        name: String,
        /// Write a manifest that joins the enclosing Cargo workspace (add the crate to its
        /// `members`) instead of one that is a workspace of its own.
        #[arg(long)]
        workspace_member: bool,
        /// Fail on what would otherwise be warnings (breakage read leniently).
        #[arg(long)]
        strict: bool,
        /// The API's module and feature name (default: the config's, else from the spec's title).
        #[arg(long)]
        module: Option<String>,
        /// The prefix of the variables `Client::from_env` reads (default: the module's, in capitals).
        #[arg(long)]
        env_prefix: Option<String>,
        /// The config file (default: `<spec stem>.toml` beside the spec, when there is one).
        #[arg(long)]
        config: Option<PathBuf>,
        /// An OpenAPI Overlay to apply after the config's; may be given several times.
        #[arg(long = "overlay")]
        overlays: Vec<PathBuf>,
    },
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Codegen { check } => {
            let mode = if check { Mode::Check } else { Mode::Write };
            println!("{}", xtask::codegen(&xtask::workspace_root(), mode)?);
        }
        Command::Corpus { dir, filter, max_bytes, no_check, verify, no_mock } => {
            let dir = if dir.is_relative() { xtask::workspace_root().join(dir) } else { dir };
            let report = xtask::corpus::run(
                &xtask::workspace_root(),
                &xtask::corpus::Options { dir, filter, max_bytes, no_check, verify, mock: !no_mock },
            )?;
            println!("{report}");
        }
        Command::Verify { specs, no_mock, mock_start_limit } => {
            let root = xtask::workspace_root();
            let specs = if specs.is_empty() { xtask::verify::committed_specs(&root)? } else { specs };
            let options = xtask::verify::Options {
                mock: !no_mock,
                mock_start_limit: std::time::Duration::from_secs(mock_start_limit),
            };
            let report = xtask::verify::run(&root, &specs, &root.join("target/verify"), &options)?;
            print!("{}", report.render());
            let failures = report.failures();
            if failures > 0 {
                anyhow::bail!("verify: {failures} finding(s)");
            }
            println!("verify: clean");
        }
        Command::Fuzz { seconds, case_seconds, seed, corpus } => {
            let root = xtask::workspace_root();
            let corpus = if corpus.is_relative() { root.join(corpus) } else { corpus };
            let options = xtask::fuzz::Options { seconds, case_seconds, seed, corpus };
            let executable = std::env::current_exe()?;
            let report = xtask::fuzz::run(&root, &options, &mut || {
                let mut command = std::process::Command::new(&executable);
                command.arg("fuzz-worker");
                command
            })?;
            print!("{report}");
            if !report.findings.is_empty() {
                anyhow::bail!("fuzz: {} finding(s)", report.findings.len());
            }
        }
        Command::BenchCompile { specs, corpus, feature, no_check, build } => {
            let root = xtask::workspace_root();
            let corpus = if corpus.is_relative() { root.join(corpus) } else { corpus };
            let options = xtask::bench::Options { specs, corpus, feature, no_check, build };
            print!("{}", xtask::bench::run(&root, &options)?);
        }
        Command::FuzzWorker => xtask::fuzz::serve()?,
        Command::Generate { input, output, name, workspace_member, strict, module, env_prefix, config, overlays } => {
            let options = xtask::Standalone {
                crate_name: &name,
                workspace_member,
                strict,
                module: module.as_deref(),
                env_prefix: env_prefix.as_deref(),
                config: config.as_deref(),
                overlays: &overlays,
            };
            xtask::generate_standalone(&input, &output, options)?;
            println!("wrote {} ({name})", output.display());
        }
    }
    Ok(())
}
