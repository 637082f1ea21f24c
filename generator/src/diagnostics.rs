//! Errors about the user's spec: each names the file and the JSON pointer of the culprit.
//!
//! Lowering collects every problem it finds instead of stopping at the first, so a
//! maintainer fixing a spec sees all of them in one run.

use std::fmt;

/// One problem in an input document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The spec file, as the caller named it.
    pub file: String,
    /// JSON pointer (`#/paths/~1users/get`) of the culprit, or a line/column for syntax errors.
    pub location: String,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.file, self.location, self.message)
    }
}

/// Every problem found in one run, in the order found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, diagnostic) in self.0.iter().enumerate() {
            if index > 0 {
                writeln!(f)?;
            }
            write!(f, "error: {diagnostic}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

/// Collects diagnostics for one file.
#[derive(Debug)]
pub(crate) struct Reporter {
    file: String,
    found: Vec<Diagnostic>,
}

impl Reporter {
    pub(crate) fn new(file: impl Into<String>) -> Self {
        Self { file: file.into(), found: Vec::new() }
    }

    pub(crate) fn error(&mut self, location: impl Into<String>, message: impl Into<String>) {
        let found = self.diagnostic(location, message);
        self.found.push(found);
    }

    /// A diagnostic about this file, for the caller to keep (a warning is not an error).
    pub(crate) fn diagnostic(&self, location: impl Into<String>, message: impl Into<String>) -> Diagnostic {
        Diagnostic { file: self.file.clone(), location: location.into(), message: message.into() }
    }

    pub(crate) fn finish(self) -> Result<(), Diagnostics> {
        if self.found.is_empty() {
            Ok(())
        } else {
            Err(Diagnostics(self.found))
        }
    }
}

/// Builds JSON pointers (RFC 6901) as lowering descends into a document.
pub(crate) fn pointer(parent: &str, token: &str) -> String {
    format!("{parent}/{}", escape_token(token))
}

/// A key as a JSON pointer token: `a/b` → `a~1b`.
pub(crate) fn escape_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// A JSON pointer token as the key it names: `a~1b` → `a/b`.
pub(crate) fn unescape_token(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}
