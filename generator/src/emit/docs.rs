//! Spec prose to doc comments that rustdoc accepts without warnings.
//!
//! Descriptions are Markdown written for web pages: their code blocks would become
//! doctests, `[x]` would be read as an intra-doc link, bare URLs and stray HTML warn.

use proc_macro2::TokenStream;
use quote::quote;

/// A paragraph of documentation.
#[derive(Debug, Clone)]
pub(crate) enum Doc<'s> {
    /// Prose from the spec: sanitized, and skipped when absent.
    Spec(Option<&'s str>),
    /// Prose the generator writes, intra-doc links included: used as is.
    Ours(String),
}

pub(crate) fn spec(text: Option<&str>) -> Doc<'_> {
    Doc::Spec(text)
}

pub(crate) fn ours(text: impl Into<String>) -> Doc<'static> {
    Doc::Ours(text.into())
}

/// `#[doc = ...]` attributes for each paragraph given, separated by blank doc lines.
pub(crate) fn doc_attrs<'s>(paragraphs: impl IntoIterator<Item = Doc<'s>>) -> TokenStream {
    let attrs = doc_lines(paragraphs).into_iter().map(|line| quote!(#[doc = #line]));
    quote!(#(#attrs)*)
}

/// `#![doc = ...]` attributes: a module's docs about itself.
pub(crate) fn inner_doc_attrs<'s>(paragraphs: impl IntoIterator<Item = Doc<'s>>) -> TokenStream {
    let attrs = doc_lines(paragraphs).into_iter().map(|line| quote!(#![doc = #line]));
    quote!(#(#attrs)*)
}

fn doc_lines<'s>(paragraphs: impl IntoIterator<Item = Doc<'s>>) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for paragraph in paragraphs {
        let paragraph_lines = match &paragraph {
            Doc::Spec(Some(text)) if !text.trim().is_empty() => sanitize(text.trim()),
            Doc::Ours(text) if !text.trim().is_empty() => text.lines().map(str::to_owned).collect(),
            _ => continue,
        };
        if !lines.is_empty() {
            lines.push(String::new());
        }
        lines.extend(paragraph_lines);
    }
    lines.into_iter().map(|line| if line.is_empty() { line } else { format!(" {line}") }).collect()
}

/// Cleans one Markdown text into doc lines.
pub(crate) fn sanitize(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_fence = false;
    // A lone carriage return ends a line too (and would end a `///` comment early);
    // other control characters have no place in docs.
    let text: String = text
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect();
    for raw in text.lines() {
        let line = raw.trim_end();
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            // Every fence becomes a `text` block, so nothing in it is compiled as a doctest.
            out.push(if in_fence { "```".to_owned() } else { "```text".to_owned() });
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            out.push(line.to_owned());
            continue;
        }
        // Indentation would make an indented code block (a doctest); it carries no meaning here.
        out.push(escape_inline(trimmed));
    }
    if in_fence {
        out.push("```".to_owned());
    }
    out
}

fn escape_inline(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let chars: Vec<char> = line.chars().collect();
    let mut index = 0;
    let mut in_code = false;
    while index < chars.len() {
        let c = chars[index];
        if c == '`' {
            in_code = !in_code;
            out.push(c);
            index += 1;
            continue;
        }
        if in_code {
            out.push(c);
            index += 1;
            continue;
        }
        match c {
            '[' => {
                // `[text](url)` is a Markdown link and stays; any other `[` would be read as an intra-doc link.
                let rest: String = chars[index..].iter().collect();
                if let Some(close) = rest.find("](") {
                    let link_end = rest[close..].find(')').map(|end| close + end);
                    if let Some(end) = link_end {
                        let link = &rest[..=end];
                        out.push_str(&link.replace("<", "&lt;"));
                        index += link.chars().count();
                        continue;
                    }
                }
                out.push_str("\\[");
            }
            ']' => out.push_str("\\]"),
            '<' => {
                let rest: String = chars[index..].iter().collect();
                let tag = rest.split('>').next().unwrap_or("").to_ascii_lowercase();
                if tag == "<br" || tag == "<br/" || tag == "<br /" {
                    let skip = rest.find('>').map(|end| end + 1).unwrap_or(1);
                    out.push_str("<br>");
                    index += rest[..skip].chars().count();
                    continue;
                }
                out.push_str("&lt;");
            }
            '>' if index > 0 => out.push_str("&gt;"),
            'h' if starts_url(&chars[index..]) => {
                let url: String = chars[index..]
                    .iter()
                    .take_while(|c| !c.is_whitespace() && !matches!(c, ')' | '>' | '"' | '\'' | ','))
                    .collect();
                let url = url.trim_end_matches(['.', ';', ':']).to_owned();
                out.push('<');
                out.push_str(&url);
                out.push('>');
                index += url.chars().count();
                continue;
            }
            _ => out.push(c),
        }
        index += 1;
    }
    out
}

fn starts_url(chars: &[char]) -> bool {
    let head: String = chars.iter().take(8).collect();
    head.starts_with("http://") || head.starts_with("https://")
}

#[cfg(test)]
mod tests {
    use super::sanitize;

    #[test]
    fn fences_become_text_blocks() {
        assert_eq!(sanitize("a\n```\nfn x() {}\n```"), ["a", "```text", "fn x() {}", "```"]);
    }

    #[test]
    fn brackets_urls_and_html_are_escaped() {
        assert_eq!(sanitize("see [x] and https://a.b/c."), ["see \\[x\\] and <https://a.b/c>."]);
        assert_eq!(sanitize("[the `me` value](https://z.us/a)"), ["[the `me` value](https://z.us/a)"]);
        assert_eq!(sanitize("a<br>b <b>c"), ["a<br>b &lt;b&gt;c"]);
        assert_eq!(sanitize("    indented"), ["indented"]);
    }
}
