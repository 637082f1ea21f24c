//! OpenAPI Overlays (1.0 and 1.1): a maintainer's changes to a vendor's document, kept in
//! files of their own and applied, in order, to the document as written, before anything
//! else reads it.
//!
//! Each action's `target` is an RFC 9535 JSONPath query (`serde_json_path`), evaluated on
//! the document as the earlier actions left it. `update` merges into each selected object
//! (objects recursively, arrays concatenated, scalars replaced) or appends to each
//! selected array; `remove` deletes each selected node; 1.1's `copy` merges the one node
//! its query selects, as `update` would. What an action put in the document is mapped
//! back to the overlay (`Origins`), so a problem in it names the overlay's line of work,
//! not a place the vendor never wrote. A target that selects nothing is a warning: the
//! vendor's document changed under the overlay.

use crate::diagnostics::{escape_token, Diagnostic, Diagnostics, Origins};
use serde_json::{Map, Value};
use serde_json_path::JsonPath;

/// One overlay document, as the caller read it.
#[derive(Debug, Clone, Copy)]
pub struct Overlay<'a> {
    /// How errors name the file.
    pub file: &'a str,
    pub text: &'a str,
}

/// Applies `overlays` to `document` in order. Problems name the overlay and the pointer
/// of the action in it; warnings are targets that select nothing.
pub(crate) fn apply_all(
    document: &mut Value,
    overlays: &[Overlay<'_>],
    origins: &mut Origins,
    warnings: &mut Vec<Diagnostic>,
) -> Result<(), Diagnostics> {
    let mut problems = Vec::new();
    for overlay in overlays {
        let mut fail = |location: String, message: String| {
            problems.push(Diagnostic { file: overlay.file.to_owned(), location, message })
        };
        let parsed = match super::parse::parse_value(overlay.text) {
            Ok(parsed) => parsed,
            Err(message) => {
                fail("#".to_owned(), message);
                continue;
            }
        };
        let Some(actions) = check_header(&parsed, &mut fail) else { continue };
        let mut applying = Applying { file: overlay.file, origins, warnings, fail: &mut fail };
        for (index, action) in actions.iter().enumerate() {
            applying.action(document, action, &format!("#/actions/{index}"));
        }
    }
    match problems.is_empty() {
        true => Ok(()),
        false => Err(Diagnostics(problems)),
    }
}

/// The overlay's version and its list of actions.
fn check_header<'v>(overlay: &'v Value, fail: &mut impl FnMut(String, String)) -> Option<&'v Vec<Value>> {
    let Some(fields) = overlay.as_object() else {
        fail("#".to_owned(), "an overlay is an object with `overlay`, `info` and `actions`".to_owned());
        return None;
    };
    match fields.get("overlay").and_then(Value::as_str) {
        Some(version) if version.starts_with("1.0.") || version.starts_with("1.1.") => {}
        Some(version) => {
            fail("#/overlay".to_owned(), format!("overlay version `{version}` is not supported (1.0.x and 1.1.x are)"));
            return None;
        }
        None => {
            fail("#".to_owned(), "`overlay` (the Overlay Specification version, `1.0.0`) is missing".to_owned());
            return None;
        }
    }
    match fields.get("actions") {
        Some(Value::Array(actions)) => Some(actions),
        Some(_) => {
            fail("#/actions".to_owned(), "`actions` must be a list".to_owned());
            None
        }
        None => {
            fail("#".to_owned(), "`actions` is missing".to_owned());
            None
        }
    }
}

struct Applying<'o, F> {
    file: &'o str,
    origins: &'o mut Origins,
    warnings: &'o mut Vec<Diagnostic>,
    fail: &'o mut F,
}

impl<F: FnMut(String, String)> Applying<'_, F> {
    fn action(&mut self, document: &mut Value, action: &Value, at: &str) {
        let Some(fields) = action.as_object() else {
            (self.fail)(at.to_owned(), "an action is an object with a `target`".to_owned());
            return;
        };
        let unknown = fields.keys().find(|key| {
            !matches!(key.as_str(), "target" | "description" | "update" | "remove" | "copy") && !key.starts_with("x-")
        });
        if let Some(key) = unknown {
            let message = format!("unknown action field `{key}` (expected `target`, `update`, `remove` or `copy`)");
            (self.fail)(format!("{at}/{}", escape_token(key)), message);
            return;
        }
        let Some(target) = fields.get("target").and_then(Value::as_str) else {
            (self.fail)(at.to_owned(), "`target` (a JSONPath query) is missing".to_owned());
            return;
        };
        let target_at = format!("{at}/target");
        let Some(pointers) = self.select(document, target, &target_at) else { return };
        if pointers.is_empty() {
            let message = format!("`{target}` selects nothing, so this action changes nothing: did the spec change?");
            self.warnings.push(Diagnostic { file: self.file.to_owned(), location: target_at, message });
            return;
        }
        let remove = match fields.get("remove") {
            None | Some(Value::Bool(false)) => false,
            Some(Value::Bool(true)) => true,
            Some(_) => {
                (self.fail)(format!("{at}/remove"), "`remove` must be `true` or `false`".to_owned());
                return;
            }
        };
        if remove {
            // Last first, so removing an array item leaves the others' indexes valid.
            for pointer in pointers.iter().rev() {
                if !remove_at(document, pointer) {
                    (self.fail)(target_at.clone(), "the document itself (`$`) cannot be removed".to_owned());
                }
            }
            return;
        }
        let (source, source_at) = match (fields.get("update"), fields.get("copy")) {
            (Some(_), Some(_)) => {
                (self.fail)(at.to_owned(), "an action has `update` or `copy`, not both".to_owned());
                return;
            }
            (Some(update), None) => (update.clone(), format!("{}{at}/update", self.file)),
            (None, Some(copy)) => {
                let copy_at = format!("{at}/copy");
                let Some(query) = copy.as_str() else {
                    (self.fail)(copy_at, "`copy` must be a JSONPath query".to_owned());
                    return;
                };
                let Some(found) = self.select(document, query, &copy_at) else { return };
                let [from] = found.as_slice() else {
                    let message = format!("`{query}` selects {} nodes; `copy` needs exactly one", found.len());
                    (self.fail)(copy_at, message);
                    return;
                };
                let value = document.pointer(from).cloned().unwrap_or(Value::Null);
                (value, format!("#{from}"))
            }
            (None, None) => {
                (self.fail)(at.to_owned(), "an action needs `update`, `remove` or `copy`".to_owned());
                return;
            }
        };
        for pointer in &pointers {
            let Some(node) = document.pointer_mut(pointer) else { continue };
            let result = match node {
                Value::Array(items) => {
                    self.origins.add(&format!("#{pointer}/{}", items.len()), source_at.clone());
                    items.push(source.clone());
                    Ok(())
                }
                Value::Object(fields) => match &source {
                    Value::Object(update) => merge(fields, update, &format!("#{pointer}"), &source_at, self.origins),
                    _ => Err(format!("`{target}` selects an object (`#{pointer}`), so the update must be an object")),
                },
                _ => Err(format!("`{target}` selects a value that is neither an object nor a list (`#{pointer}`)")),
            };
            if let Err(message) = result {
                (self.fail)(target_at.clone(), message);
                return;
            }
        }
    }

    /// The JSON pointers of what `query` selects.
    fn select(&mut self, document: &Value, query: &str, at: &str) -> Option<Vec<String>> {
        match JsonPath::parse(query) {
            Ok(path) => Some(path.query_located(document).locations().map(|found| found.to_json_pointer()).collect()),
            Err(error) => {
                (self.fail)(at.to_owned(), format!("`{query}` is not a JSONPath query (RFC 9535): {error}"));
                None
            }
        }
    }
}

/// Merges `update` into `target` by the Overlay rules, recording where each inserted or
/// replaced value was written.
fn merge(
    target: &mut Map<String, Value>,
    update: &Map<String, Value>,
    target_at: &str,
    source_at: &str,
    origins: &mut Origins,
) -> Result<(), String> {
    for (key, value) in update {
        let here = format!("{target_at}/{}", escape_token(key));
        let from = format!("{source_at}/{}", escape_token(key));
        match (target.get_mut(key), value) {
            (Some(Value::Object(existing)), Value::Object(inner)) => merge(existing, inner, &here, &from, origins)?,
            (Some(Value::Array(existing)), Value::Array(more)) => {
                for (index, item) in more.iter().enumerate() {
                    origins.add(&format!("{here}/{}", existing.len()), format!("{from}/{index}"));
                    existing.push(item.clone());
                }
            }
            (Some(existing @ (Value::Object(_) | Value::Array(_))), _)
            | (Some(existing), Value::Object(_) | Value::Array(_))
                if !existing.is_null() =>
            {
                return Err(format!(
                    "the update's `{key}` is {} where the document has {} (`{here}`); remove it first",
                    kind(value),
                    kind(existing)
                ));
            }
            _ => {
                origins.add(&here, from);
                target.insert(key.clone(), value.clone());
            }
        }
    }
    Ok(())
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Object(_) => "an object",
        Value::Array(_) => "a list",
        Value::Null => "null",
        _ => "a scalar",
    }
}

/// Removes what `pointer` names from its parent; false for the document itself.
fn remove_at(document: &mut Value, pointer: &str) -> bool {
    let Some((parent, last)) = pointer.rsplit_once('/') else { return false };
    let key = crate::diagnostics::unescape_token(last);
    match document.pointer_mut(parent) {
        Some(Value::Object(fields)) => {
            fields.shift_remove(&key);
        }
        Some(Value::Array(items)) => {
            if let Ok(index) = key.parse::<usize>() {
                if index < items.len() {
                    items.remove(index);
                }
            }
        }
        _ => {}
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn apply(document: &mut Value, overlay: &str) -> Result<Vec<Diagnostic>, String> {
        let mut warnings = Vec::new();
        let mut origins = Origins::default();
        apply_all(document, &[Overlay { file: "fix.yaml", text: overlay }], &mut origins, &mut warnings)
            .map_err(|problems| problems.to_string())?;
        Ok(warnings)
    }

    #[test]
    fn updates_merge_removes_delete_and_copies_merge_one_node() {
        let mut document = json!({
            "info": {"title": "Zoom", "x-tags": ["a"]},
            "paths": {"/a": {"get": {"operationId": "a"}}, "/internal": {"get": {}}},
            "tags": []
        });
        let overlay = r#"
overlay: 1.1.0
info: {title: fixes, version: 1.0.0}
actions:
  - target: $.info
    update: {title: Zoom API, x-tags: [b], description: Users}
  - target: $.paths['/internal']
    remove: true
  - target: $.tags
    update: {name: Users}
  - target: $.paths['/a'].get
    copy: $.info
"#;
        assert!(apply(&mut document, overlay).expect("applies").is_empty());
        assert_eq!(document["info"], json!({"title": "Zoom API", "x-tags": ["a", "b"], "description": "Users"}));
        assert_eq!(document["paths"].as_object().map(|paths| paths.len()), Some(1));
        assert_eq!(document["tags"], json!([{"name": "Users"}]));
        assert_eq!(document["paths"]["/a"]["get"]["title"], "Zoom API");
    }

    #[test]
    fn a_bad_overlay_names_its_file_and_the_action() {
        let mut document = json!({"info": {"title": "x"}});
        let bad_path = "overlay: 1.0.0\nactions:\n  - target: $.info[\n    update: {}\n";
        assert!(apply(&mut document, bad_path)
            .expect_err("refused")
            .starts_with("error: fix.yaml: #/actions/0/target: `$.info[` is not a JSONPath query"));
        let scalar = "overlay: 1.0.0\nactions:\n  - target: $.info.title\n    update: {a: 1}\n";
        assert_eq!(
            apply(&mut document, scalar).expect_err("refused"),
            "error: fix.yaml: #/actions/0/target: `$.info.title` selects a value that is neither an object nor a \
             list (`#/info/title`)"
        );
        let clash = "overlay: 1.0.0\nactions:\n  - target: $.info\n    update: {title: {a: 1}}\n";
        assert!(apply(&mut document, clash).expect_err("refused").contains("the update's `title` is an object"));
        let version = "overlay: 2.0.0\nactions: []\n";
        assert!(apply(&mut document, version).expect_err("refused").contains("#/overlay: overlay version `2.0.0`"));
    }

    #[test]
    fn a_target_that_selects_nothing_is_a_warning() {
        let mut document = json!({"info": {}});
        let warnings =
            apply(&mut document, "overlay: 1.0.0\nactions:\n  - target: $.nothing\n    update: {}\n").expect("applies");
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].location, "#/actions/0/target");
    }

    #[test]
    fn what_an_overlay_inserts_maps_back_to_the_overlay() {
        let mut document = json!({"components": {"schemas": {}}});
        let mut origins = Origins::default();
        let overlay = "overlay: 1.0.0\nactions:\n  - target: $.components.schemas\n    update: {Pet: {type: object}}\n";
        apply_all(&mut document, &[Overlay { file: "fix.yaml", text: overlay }], &mut origins, &mut Vec::new())
            .expect("applies");
        assert_eq!(origins.original("#/components/schemas/Pet/type"), "fix.yaml#/actions/0/update/Pet/type");
        assert_eq!(origins.original("#/components"), "#/components");
    }
}
