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

std::thread_local! {
    /// Where the API's documentation lives (`https://platform.openai.com`), for links the
    /// spec writes relative to it (`](/docs/guides)`). Set around emitting one API's files.
    static LINK_BASE: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Runs `emit` with relative links in spec docs made absolute against `base`.
pub(crate) fn with_link_base<T>(base: Option<&str>, emit: impl FnOnce() -> T) -> T {
    let previous = LINK_BASE.with(|cell| cell.replace(base.map(|base| base.trim_end_matches('/').to_owned())));
    let result = emit();
    LINK_BASE.with(|cell| *cell.borrow_mut() = previous);
    result
}

/// Cleans one Markdown text into doc lines.
pub(crate) fn sanitize(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_fence = false;
    // A lone carriage return ends a line too (and would end a `///` comment early); a tab
    // is four spaces (clippy's `tabs_in_doc_comments`); other control characters have no
    // place in docs.
    let text: String = text
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .replace('\t', "    ")
        .chars()
        .filter(|c| !c.is_control() || *c == '\n')
        .collect();
    let text = html_to_markdown(&text);
    // The content column of the list item the current line may continue.
    let mut item_content: Option<usize> = None;
    // Whether the current line may continue a block quote.
    let mut in_quote = false;
    for raw in text.lines() {
        let line = raw.trim_end();
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            // Every fence becomes a `text` block, so nothing in it is compiled as a doctest.
            out.push(if in_fence { "```".to_owned() } else { "```text".to_owned() });
            in_fence = !in_fence;
            item_content = None;
            in_quote = false;
            continue;
        }
        if in_fence {
            out.push(line.to_owned());
            continue;
        }
        // Indentation would make an indented code block (a doctest); it carries no meaning
        // here, but for a list item's continuation lines: Markdown reads an unindented one
        // as part of the item too, and rustdoc's lint asks for it to be indented.
        let escaped = escape_inline(trimmed);
        // So is a quote's: its lines go on with the `>` marker, up to a blank line or a
        // list item or heading, which Markdown reads as ending the quote.
        let item = list_item_content(&escaped);
        if escaped.is_empty() || escaped.starts_with('>') {
            in_quote = !escaped.is_empty();
        } else if in_quote && item.is_none() && !escaped.starts_with('#') {
            out.push(format!("> {escaped}"));
            continue;
        } else {
            in_quote = false;
        }
        let continues = item_content.filter(|_| item.is_none() && !escaped.is_empty() && !escaped.starts_with('#'));
        item_content = match item {
            Some(column) => Some(column),
            None if continues.is_some() => item_content,
            None => None,
        };
        out.push(match continues {
            Some(column) => format!("{:column$}{escaped}", ""),
            None => escaped,
        });
    }
    if in_fence {
        out.push("```".to_owned());
    }
    out
}

/// Where the text of a list item starts (`* text` → 2, `10. text` → 4), when `line`
/// starts one.
fn list_item_content(line: &str) -> Option<usize> {
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    let marker = match line.as_bytes().get(digits) {
        Some(b'.' | b')') if (1..=9).contains(&digits) => digits + 1,
        Some(b'*' | b'-' | b'+') if digits == 0 => 1,
        _ => return None,
    };
    let spaces = line[marker..].bytes().take_while(|byte| *byte == b' ').count();
    match spaces {
        0 => None,
        // Five spaces or more start indented code inside the item: its text is one space in.
        1..=4 => Some(marker + spaces),
        _ => Some(marker + 1),
    }
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
                        index += link.chars().count();
                        let (label, target) = link.split_at(close + 2);
                        let target = absolute(target);
                        out.push_str(&format!("{label}{target}").replace("<", "&lt;"));
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

/// A link target (`/docs/x)`) made absolute against the API's documentation base, when
/// it is relative to the site's root and the base is known.
fn absolute(target: &str) -> String {
    let relative = target.starts_with('/') && !target.starts_with("//");
    match LINK_BASE.with(|cell| cell.borrow().clone()).filter(|_| relative) {
        Some(base) => format!("{base}{target}"),
        None => target.to_owned(),
    }
}

/// Turns the HTML that specs embed in descriptions (Stripe's `<p>`, `<code>`, `<a href>`,
/// lists) into the Markdown rustdoc renders, outside code fences. Other tags are left to
/// be escaped as text.
fn html_to_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_fence = false;
    let mut in_comment = false;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            in_fence = !in_fence;
        }
        // HTML comments (PagerDuty's `<!-- theme: info -->`) are not shown on the page.
        let uncommented;
        let line = match in_fence || !(in_comment || line.contains("<!--")) {
            true => line,
            false => {
                uncommented = without_html_comments(line, &mut in_comment);
                uncommented.as_str()
            }
        };
        if in_fence || !line.contains(['<', '&']) {
            out.push_str(line);
        } else {
            out.push_str(&html_line(line));
        }
    }
    // Paragraph tags leave runs of blank lines; one separates paragraphs.
    let mut collapsed = String::with_capacity(out.len());
    let mut blank_run = 0;
    for line in out.split('\n') {
        blank_run = if line.trim().is_empty() { blank_run + 1 } else { 0 };
        if blank_run <= 1 {
            collapsed.push_str(line);
            collapsed.push('\n');
        }
    }
    collapsed.trim_matches('\n').to_owned()
}

/// `line` without the HTML comments in it; `in_comment` says whether one is open at
/// its start, and is left saying whether one is open at its end.
fn without_html_comments(line: &str, in_comment: &mut bool) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    loop {
        match *in_comment {
            true => match rest.find("-->") {
                Some(end) => {
                    rest = &rest[end + "-->".len()..];
                    *in_comment = false;
                }
                // The comment goes on; the line break stays, so paragraphs keep their shape.
                None => return out + if rest.ends_with('\n') { "\n" } else { "" },
            },
            false => match rest.find("<!--") {
                Some(start) => {
                    out.push_str(&rest[..start]);
                    rest = &rest[start + "<!--".len()..];
                    *in_comment = true;
                }
                None => return out + rest,
            },
        }
    }
}

fn html_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut links: Vec<String> = Vec::new();
    let mut rest = line;
    while let Some(at) = rest.find(['<', '&']) {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        if rest.starts_with('&') {
            let entity = ["&lt;", "&gt;", "&amp;", "&quot;", "&#39;", "&nbsp;"]
                .into_iter()
                .zip(["<", ">", "&", "\"", "'", " "])
                .find(|(entity, _)| rest.starts_with(entity));
            match entity {
                Some((entity, text)) => {
                    out.push_str(text);
                    rest = &rest[entity.len()..];
                }
                None => {
                    out.push('&');
                    rest = &rest[1..];
                }
            }
            continue;
        }
        let Some(end) = rest.find('>') else { break };
        let tag = &rest[1..end];
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        let replacement = match (name.as_str(), closing) {
            ("p", _) | ("ul", _) | ("ol", _) => Some("\n\n".to_owned()),
            ("li", false) => Some("\n- ".to_owned()),
            ("li", true) => Some(String::new()),
            ("code", _) => Some("`".to_owned()),
            ("strong" | "b", _) => Some("**".to_owned()),
            ("em" | "i", _) => Some("*".to_owned()),
            ("h1" | "h2" | "h3" | "h4" | "h5" | "h6", false) => Some("\n\n**".to_owned()),
            ("h1" | "h2" | "h3" | "h4" | "h5" | "h6", true) => Some("**\n\n".to_owned()),
            ("a", false) => match href(tag) {
                Some(target) => {
                    links.push(target);
                    Some("[".to_owned())
                }
                None => None,
            },
            ("a", true) => links.pop().map(|target| format!("]({target})")),
            _ => None,
        };
        match replacement {
            Some(text) => {
                out.push_str(&text);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('<');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The `href` of an `<a …>` tag.
fn href(tag: &str) -> Option<String> {
    let at = tag.find("href=")? + "href=".len();
    let value = &tag[at..];
    let quote = value.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = &value[1..];
    value.find(quote).map(|end| value[..end].to_owned()).filter(|target| !target.contains([' ', ')']))
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
        assert_eq!(sanitize("a<br>b <b>c</b> <div>"), ["a<br>b **c** &lt;div&gt;"]);
        assert_eq!(sanitize("    indented"), ["indented"]);
    }

    #[test]
    fn html_in_descriptions_becomes_markdown() {
        assert_eq!(
            sanitize("<p>Creates a <code>Customer</code>. See <a href=\"/docs/api\">the docs</a>.</p><p>Then <strong>pay</strong> &amp; go.</p>"),
            ["Creates a `Customer`. See [the docs](/docs/api).", "", "Then **pay** & go."]
        );
        assert_eq!(sanitize("<ul><li>one</li><li>two</li></ul>"), ["- one", "- two"]);
        assert_eq!(sanitize("a &lt;b&gt; and <unknown>"), ["a &lt;b&gt; and &lt;unknown&gt;"]);
        assert_eq!(sanitize("```\n<p>kept</p>\n```"), ["```text", "<p>kept</p>", "```"]);
    }

    #[test]
    fn quotes_continued_on_the_next_line_keep_their_marker_and_html_comments_go() {
        assert_eq!(
            sanitize("<!-- theme: info -->\n> A filter is required\nfor user keys.\n\nAfter <!-- hidden\nstill hidden --> shown."),
            ["> A filter is required", "> for user keys.", "", "After", "shown."]
        );
        assert_eq!(sanitize("```\n<!-- kept -->\n```"), ["```text", "<!-- kept -->", "```"]);
        assert_eq!(
            sanitize("> Quoted\n- a list after it\nand its line"),
            ["> Quoted", "- a list after it", "  and its line"]
        );
    }

    #[test]
    fn tabs_become_spaces_even_in_code_blocks() {
        assert_eq!(
            sanitize("a\tb\n```\n{\n\t\"x\": 1\n}\n```"),
            ["a    b", "```text", "{", "    \"x\": 1", "}", "```"]
        );
    }

    #[test]
    fn list_items_continued_on_the_next_line_are_indented_to_their_text() {
        assert_eq!(
            sanitize(
                "Types:\n* `all` returns\neverything\n  for a user\n10. ten\nmore\n\nA paragraph.\n- x\n# Heading"
            ),
            [
                "Types:",
                "* `all` returns",
                "  everything",
                "  for a user",
                "10. ten",
                "    more",
                "",
                "A paragraph.",
                "- x",
                "# Heading"
            ]
        );
        // Emphasis and numbers that start no list are left alone.
        assert_eq!(sanitize("*bold* start\nnext\n2024 was\nnext"), ["*bold* start", "next", "2024 was", "next"]);
    }

    #[test]
    fn root_relative_links_follow_the_documentation_base() {
        let lines = super::with_link_base(Some("https://platform.openai.com/"), || {
            sanitize("See [streaming](/docs/api-reference/streaming) or [x](https://a.b/c).")
        });
        assert_eq!(
            lines,
            ["See [streaming](https://platform.openai.com/docs/api-reference/streaming) or [x](https://a.b/c)."]
        );
        assert_eq!(sanitize("[s](/docs/x)"), ["[s](/docs/x)"]);
    }
}
