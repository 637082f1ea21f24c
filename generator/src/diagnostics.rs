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
    /// Maps pointers into the rewritten document back to where the user wrote them, one
    /// rewrite after another, latest first.
    origins: Vec<Origins>,
}

impl Reporter {
    pub(crate) fn new(file: impl Into<String>) -> Self {
        Self { file: file.into(), found: Vec::new(), origins: Vec::new() }
    }

    pub(crate) fn error(&mut self, location: impl Into<String>, message: impl Into<String>) {
        let found = self.diagnostic(location, message);
        self.found.push(found);
    }

    /// A diagnostic about this file, for the caller to keep (a warning is not an error).
    pub(crate) fn diagnostic(&self, location: impl Into<String>, message: impl Into<String>) -> Diagnostic {
        let original =
            |pointer: String| self.origins.iter().fold(pointer, |pointer, origins| origins.original(&pointer));
        let location = original(location.into());
        // Messages quote pointers (`$ref` targets) in backticks: those are rewritten too.
        let message = message.into();
        let message = if self.origins.is_empty() || !message.contains("`#/components/") {
            message
        } else {
            message
                .split('`')
                .enumerate()
                .map(|(index, part)| {
                    // Only places the rewrites made: other pointers are as the user wrote them.
                    if index % 2 == 1 && part.starts_with("#/components/") {
                        original(part.to_owned())
                    } else {
                        part.to_owned()
                    }
                })
                .collect::<Vec<_>>()
                .join("`")
        };
        Diagnostic { file: self.file.clone(), location, message }
    }

    /// From now on, locations are pointers into a rewritten document, mapped back by
    /// each of `origins` in turn (the latest rewrite first).
    pub(crate) fn set_origins(&mut self, origins: Vec<Origins>) {
        self.origins = origins;
    }

    /// A reporter for the same file and document, with no problems yet.
    pub(crate) fn fresh(&self) -> Self {
        Self { file: self.file.clone(), found: Vec::new(), origins: self.origins.clone() }
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

/// Where the parts of a rewritten document came from. Conversion (Swagger 2.0 → 3.0) and
/// bundling (other files → components) move things, so a problem found afterwards would
/// otherwise name a place the user never wrote (`#/components/schemas/Pet` for
/// `#/definitions/Pet`).
#[derive(Debug, Clone, Default)]
pub(crate) struct Origins {
    /// Pattern tokens (`{0}` matches any one token) and the original location template.
    rules: Vec<(Vec<String>, String)>,
    /// See [`Origins::chained`].
    chained: bool,
}

impl Origins {
    /// Maps pointers starting with `pattern` (`#/components/schemas/{0}`) to `original`
    /// (`#/definitions/{0}`, or `other.yaml#/Pet` for another file). The longest matching
    /// pattern wins (a value inlined inside a moved component is the inlined value's),
    /// then the first added.
    pub(crate) fn add(&mut self, pattern: &str, original: impl Into<String>) {
        let tokens = pattern.trim_start_matches('#').split('/').skip(1).map(str::to_owned).collect();
        self.rules.push((tokens, original.into()));
    }

    /// Origins whose originals may themselves have moved within the same document (a copy
    /// of a value that was hoisted into components): mapping follows rule after rule.
    pub(crate) fn chained() -> Self {
        Self { rules: Vec::new(), chained: true }
    }

    /// Where `location` (a JSON pointer in the rewritten document) was written.
    pub(crate) fn original(&self, location: &str) -> String {
        let (mut current, mut rule) = self.original_once(location, self.rules.len());
        // A chained rule's original may lie in a value an earlier rule moved, never a later
        // one: each step looks only at the rules added before the one that just applied.
        while let Some(applied) = rule.filter(|_| self.chained) {
            (current, rule) = self.original_once(&current, applied);
        }
        current
    }

    /// One step of [`Origins::original`], among the first `rules` rules: the mapped
    /// location and the rule that applied.
    fn original_once(&self, location: &str, rules: usize) -> (String, Option<usize>) {
        let Some(path) = location.strip_prefix("#/") else { return (location.to_owned(), None) };
        let tokens: Vec<&str> = path.split('/').collect();
        let mut best: Option<(String, usize)> = None;
        let mut best_length = 0;
        // The longest pattern wins, the first of equally long ones; but a place copied
        // over again (a copy whose own `$ref` was copied in) came from the last copy.
        let mut best_pattern: Option<&Vec<String>> = None;
        for (index, (pattern, original)) in self.rules[..rules].iter().enumerate() {
            let same_place = best_pattern == Some(pattern);
            if pattern.len() > tokens.len() || (best.is_some() && pattern.len() <= best_length && !same_place) {
                continue;
            }
            let mut captures = Vec::new();
            let matches = pattern.iter().zip(&tokens).all(|(want, token)| {
                if want.starts_with('{') && want.ends_with('}') {
                    captures.push(*token);
                    true
                } else {
                    want == token
                }
            });
            if !matches {
                continue;
            }
            let mut mapped = original.clone();
            for (index, capture) in captures.iter().enumerate() {
                mapped = mapped.replace(&format!("{{{index}}}"), capture);
            }
            for rest in &tokens[pattern.len()..] {
                mapped.push('/');
                mapped.push_str(rest);
            }
            best = Some((mapped, index));
            best_length = pattern.len();
            best_pattern = Some(pattern);
        }
        match best {
            Some((mapped, index)) => (mapped, Some(index)),
            None => (location.to_owned(), None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_map_rewritten_pointers_back_with_the_first_matching_rule() {
        let mut origins = Origins::default();
        origins.add("#/paths/{0}/{1}/requestBody/content/{2}/schema", "#/paths/{0}/{1}/parameters/0/schema");
        origins.add("#/components/schemas/pet.yaml", "pet.yaml#/Pet");
        origins.add("#/components/schemas/{0}", "#/definitions/{0}");
        assert_eq!(origins.original("#/components/schemas/Pet/properties/a"), "#/definitions/Pet/properties/a");
        assert_eq!(origins.original("#/components/schemas/pet.yaml/$ref"), "pet.yaml#/Pet/$ref");
        assert_eq!(
            origins.original("#/paths/~1a/post/requestBody/content/application~1json/schema/items"),
            "#/paths/~1a/post/parameters/0/schema/items"
        );
        assert_eq!(origins.original("#/info"), "#/info");
        assert_eq!(origins.original("line 3, column 1"), "line 3, column 1");
    }
}
