//! Stoplight Prism, the mock server requests are checked against: installed from the
//! project's `package.json`/`package-lock.json` (`npm ci`) when `node_modules` lacks it,
//! started on a free loopback port, stopped when dropped. Shared by `cargo xtask verify`
//! and the contract tests.
//!
//! Prism validates each request against the document it serves (a violation answers
//! 401/415/422 with an `sl-violations` header) and answers from it; with `--errors`, a
//! response that breaks its own schema is an error too.

use anyhow::{bail, Context, Result};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The header Prism lists a request's or response's violations in.
pub const VIOLATIONS_HEADER: &str = "sl-violations";

/// A running Prism, stopped when dropped.
#[derive(Debug)]
pub struct Prism {
    child: Child,
    pub base_url: String,
    /// How long it took to start serving.
    pub started_in: Duration,
}

impl Prism {
    /// Whether the mock has stopped (Prism crashes on some answers).
    pub fn has_exited(&mut self) -> bool {
        !matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for Prism {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Prism's executable, installed with `npm ci` first when missing.
pub fn binary(root: &Path) -> Result<PathBuf> {
    // Tests start several mocks at once: one installs, the others wait for it.
    static INSTALL: Mutex<()> = Mutex::new(());
    let binary = root.join("node_modules/.bin/prism");
    let _guard = INSTALL.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if !binary.exists() {
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(root)
            .status()
            .context("npm is needed to install Prism (see package.json)")?;
        if !status.success() {
            bail!("`npm ci` failed: Prism could not be installed");
        }
    }
    Ok(binary)
}

/// A mock of `document` (a file Prism can read), serving once Prism says it listens.
#[derive(Debug)]
pub struct Starting {
    child: Option<Child>,
    listening: mpsc::Receiver<String>,
    log: std::sync::Arc<Mutex<Vec<String>>>,
    started: Instant,
    document: PathBuf,
}

/// Starts Prism on `document` without waiting for it (big documents take a while: start
/// it, do something else, then [`Starting::wait`]).
pub fn start(root: &Path, document: &Path) -> Result<Starting> {
    let mut child = Command::new(binary(root)?)
        .args(["mock", "--host", "127.0.0.1", "--port", "0", "--errors", "--seed", "1"])
        // Made-up members beyond what the schema declares would read as lost in a round trip.
        .arg("--json-schema-faker-fillProperties=false")
        .arg(document)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .context("starting Prism")?;
    let stdout = child.stdout.take().context("Prism's output")?;
    let (ready, listening) = mpsc::channel();
    let log = std::sync::Arc::new(Mutex::new(Vec::new()));
    let kept = log.clone();
    std::thread::spawn(move || {
        // Keep draining Prism's log after start-up so it never blocks on a full pipe;
        // the lines before it listens say why it did not.
        let mut sent = false;
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            match (sent, line.split("Prism is listening on ").nth(1)) {
                (false, Some(url)) => {
                    let _ = ready.send(url.trim().to_owned());
                    sent = true;
                }
                (false, None) => {
                    let mut log = kept.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                    if log.len() < 200 {
                        log.push(line);
                    }
                }
                (true, _) => {}
            }
        }
    });
    Ok(Starting { child: Some(child), listening, log, started: Instant::now(), document: document.to_owned() })
}

impl Starting {
    /// Waits until Prism serves, at most `limit` after it was started.
    pub fn wait(mut self, limit: Duration) -> Result<Prism> {
        let left = limit.saturating_sub(self.started.elapsed());
        let Some(mut child) = self.child.take() else { bail!("Prism was already waited for") };
        match self.listening.recv_timeout(left) {
            Ok(base_url) => Ok(Prism { child, base_url, started_in: self.started.elapsed() }),
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                let log = self.log.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                let said: Vec<&String> = log.iter().rev().take(5).collect::<Vec<_>>().into_iter().rev().collect();
                bail!(
                    "Prism did not serve {} within {} s{}",
                    self.document.display(),
                    limit.as_secs(),
                    if said.is_empty() {
                        String::new()
                    } else {
                        format!(": {}", said.iter().map(|line| line.trim()).collect::<Vec<_>>().join(" / "))
                    }
                )
            }
        }
    }
}

impl Drop for Starting {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
