//! `cargo xtask`: regenerate the committed clients, or generate one for any spec.

use anyhow::Result;
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use xtask::Mode;

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
        Command::Generate { input, output, name } => {
            xtask::generate_standalone(&input, &output, &name)?;
            println!("wrote {} ({name})", output.display());
        }
    }
    Ok(())
}
