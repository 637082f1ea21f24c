//! How parameter values are spelled on the wire: path segments, and the `style`s of
//! query parameters and form properties.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC};
use serde::Serialize;

/// An RFC 3986 unreserved character, the only kind [`PATH_SEGMENT`] leaves as it is.
pub(crate) fn is_unreserved(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~')
}

/// Everything but RFC 3986 unreserved characters is escaped, so a path value can never
/// leave its segment (`/`), start a query (`?`) or fragment (`#`), or smuggle an escape (`%`).
pub(crate) const PATH_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// How a query parameter or a form body's property spells arrays and objects
/// (OpenAPI's `style` and `explode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// `style: form, explode: true`: arrays repeat the name (`id=1&id=2`); an object's
    /// members become pairs of their own (`R=100&G=200`).
    Exploded,
    /// One value, items (or an object's keys and values) joined by the delimiter
    /// (`id=1,2`; `|` for `pipeDelimited`).
    Joined(&'static str),
    /// `style: deepObject`: `name[key]=value`, nested as deep as the value is; arrays of
    /// scalars as `name[]=a&name[]=b`, other arrays by index (`name[0][key]=v`), the way
    /// Rails, PHP and Stripe read them.
    DeepObject,
    /// The value as JSON text (`content: application/json`).
    Json,
}

/// Appends the pairs `value` is written as under `name`; `null` adds none.
pub(crate) fn style_pairs(
    name: &str,
    value: &serde_json::Value,
    style: Style,
    out: &mut Vec<(String, String)>,
) -> Result<(), String> {
    use serde_json::Value;
    match (style, value) {
        (_, Value::Null) => {}
        (Style::Json, value) => out.push((name.to_owned(), value.to_string())),
        (Style::DeepObject, Value::Object(members)) => {
            for (key, member) in members {
                style_pairs(&format!("{name}[{key}]"), member, Style::DeepObject, out)?;
            }
        }
        (Style::DeepObject, Value::Array(items)) => {
            let scalars = items.iter().all(|item| !item.is_array() && !item.is_object());
            for (index, item) in items.iter().enumerate() {
                let key = if scalars { format!("{name}[]") } else { format!("{name}[{index}]") };
                style_pairs(&key, item, Style::DeepObject, out)?;
            }
        }
        (Style::Exploded, Value::Object(members)) => {
            for (key, member) in members {
                // A member that is itself an object has no `form` spelling: nest it.
                let style = if member.is_object() { Style::DeepObject } else { Style::Exploded };
                style_pairs(key, member, style, out)?;
            }
        }
        (Style::Joined(delimiter), Value::Object(members)) => {
            let mut flat = Vec::new();
            for (key, member) in members {
                for text in scalar_texts(member)? {
                    flat.push(key.clone());
                    flat.push(text);
                }
            }
            if !flat.is_empty() {
                out.push((name.to_owned(), flat.join(delimiter)));
            }
        }
        (Style::Joined(delimiter), value) => {
            let texts = scalar_texts(value)?;
            if !texts.is_empty() {
                out.push((name.to_owned(), texts.join(delimiter)));
            }
        }
        (Style::Exploded | Style::DeepObject, value) => {
            out.extend(scalar_texts(value)?.into_iter().map(|text| (name.to_owned(), text)));
        }
    }
    Ok(())
}

/// `value` as JSON, each float as the program wrote it. `serde_json::to_value` widens an
/// `f32` to the `f64` nearest it, so `0.1_f32` would be sent as `0.10000000149011612`;
/// JSON text keeps the `f32`'s own shortest spelling, and reads back as the `f64` it
/// names. Values without a float (ids, names: most of them) are converted once.
pub(crate) fn json_value<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<serde_json::Value> {
    fn has_float(value: &serde_json::Value) -> bool {
        match value {
            serde_json::Value::Number(number) => number.is_f64(),
            serde_json::Value::Array(items) => items.iter().any(has_float),
            serde_json::Value::Object(members) => members.values().any(has_float),
            _ => false,
        }
    }
    let converted = serde_json::to_value(value)?;
    match has_float(&converted) {
        true => serde_json::from_str(&serde_json::to_string(value)?),
        false => Ok(converted),
    }
}

/// The text forms of a parameter value: none for `null`, one for a scalar, one per item for an array.
pub(crate) fn scalar_texts<T: Serialize + ?Sized>(value: &T) -> Result<Vec<String>, String> {
    fn text(value: &serde_json::Value) -> Result<String, String> {
        match value {
            serde_json::Value::String(text) => Ok(text.clone()),
            // `2.0` goes on the wire as `2`: `type: number` page sizes and counts are whole.
            serde_json::Value::Number(number) => match number.as_f64() {
                Some(float) if number.is_f64() && float.fract() == 0.0 && float.abs() < 9.0e15 => {
                    Ok(format!("{}", float as i64))
                }
                _ => Ok(number.to_string()),
            },
            serde_json::Value::Bool(flag) => Ok(flag.to_string()),
            serde_json::Value::Null => Ok(String::new()),
            _ => Err("nested arrays and objects cannot be sent here".to_owned()),
        }
    }
    match json_value(value).map_err(|error| error.to_string())? {
        serde_json::Value::Null => Ok(Vec::new()),
        serde_json::Value::Array(items) => items.iter().map(text).collect(),
        serde_json::Value::Object(_) => Err("an object cannot be sent here".to_owned()),
        scalar => Ok(vec![text(&scalar)?]),
    }
}

/// A path, header or cookie value as one text: an array's items joined by `,`; `None`
/// for an unset optional value or an empty array. A string is moved out, not copied:
/// this runs for every path parameter of every call.
pub(crate) fn joined_text<T: Serialize + ?Sized>(value: &T) -> Result<Option<String>, String> {
    match json_value(value).map_err(|error| error.to_string())? {
        serde_json::Value::String(text) => Ok(Some(text)),
        serde_json::Value::Null => Ok(None),
        serde_json::Value::Array(items) if items.is_empty() => Ok(None),
        serde_json::Value::Object(_) => Err("an object cannot be sent here".to_owned()),
        other => Ok(Some(scalar_texts(&other)?.join(","))),
    }
}

/// A parameter value as JSON text; `None` (JSON `null`) for an unset optional one.
pub(crate) fn json_text<T: Serialize + ?Sized>(value: &T) -> Result<Option<String>, serde_json::Error> {
    json_value(value).map(|json| (!json.is_null()).then(|| json.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use percent_encoding::utf8_percent_encode;
    use serde_json::json;

    /// The pairs, sorted: members come in the order of serde_json's map, which depends on
    /// whether something in the build enables its `preserve_order`.
    fn pairs(name: &str, value: serde_json::Value, style: Style) -> Vec<(String, String)> {
        let mut out = Vec::new();
        style_pairs(name, &value, style, &mut out).expect("encodable");
        out.sort();
        out
    }

    fn owned(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        let mut owned: Vec<_> = pairs.iter().map(|(name, value)| (name.to_string(), value.to_string())).collect();
        owned.sort();
        owned
    }

    #[test]
    fn a_float_is_sent_as_its_own_type_spells_it() {
        assert_eq!(scalar_texts(&0.1_f32).expect("a scalar"), ["0.1"]);
        assert_eq!(scalar_texts(&[0.1_f32, 2.5]).expect("a list"), ["0.1", "2.5"]);
        assert_eq!(joined_text(&Some(0.3_f32)).expect("a scalar").as_deref(), Some("0.3"));
        assert_eq!(json_text(&[0.7_f32]).expect("JSON").as_deref(), Some("[0.7]"));
        #[derive(Serialize)]
        struct Reading {
            level: f32,
            note: &'static str,
        }
        let body = json_value(&Reading { level: 0.1, note: "ok" }).expect("JSON");
        assert_eq!(body, json!({"level": 0.1, "note": "ok"}));
        // What is already an `f64`, or no float at all, is as `to_value` gives it.
        assert_eq!(json_value(&0.10000000149011612_f64).expect("JSON"), json!(0.10000000149011612));
        assert_eq!(json_value(&u64::MAX).expect("JSON"), json!(u64::MAX));
    }

    #[test]
    fn deep_objects_nest_as_stripe_reads_them() {
        let value = json!({"metadata": {"order_id": "6735"}, "expand": ["a", "b"], "items": [{"price": "p_1"}]});
        assert_eq!(
            pairs("body", value, Style::DeepObject),
            owned(&[
                ("body[metadata][order_id]", "6735"),
                ("body[expand][]", "a"),
                ("body[expand][]", "b"),
                ("body[items][0][price]", "p_1"),
            ])
        );
    }

    #[test]
    fn form_style_explodes_arrays_and_objects() {
        assert_eq!(pairs("id", json!([1, 2]), Style::Exploded), owned(&[("id", "1"), ("id", "2")]));
        assert_eq!(pairs("color", json!({"R": 100, "G": 200}), Style::Exploded), owned(&[("R", "100"), ("G", "200")]));
        // An object inside has no form spelling: it nests.
        assert_eq!(pairs("x", json!({"card": {"cvc": "123"}}), Style::Exploded), owned(&[("card[cvc]", "123")]));
    }

    #[test]
    fn joined_styles_and_json_are_one_pair() {
        assert_eq!(pairs("id", json!([1, 2]), Style::Joined(",")), owned(&[("id", "1,2")]));
        assert_eq!(pairs("id", json!([1, 2]), Style::Joined("|")), owned(&[("id", "1|2")]));
        assert_eq!(pairs("c", json!({"G": 1}), Style::Joined(",")), owned(&[("c", "G,1")]));
        assert_eq!(pairs("f", json!({"a": [1]}), Style::Json), owned(&[("f", r#"{"a":[1]}"#)]));
    }

    #[test]
    fn null_adds_nothing_and_whole_floats_are_integers() {
        assert!(pairs("gone", json!(null), Style::Exploded).is_empty());
        assert_eq!(scalar_texts(&json!(2.0)), Ok(vec!["2".to_owned()]));
        assert_eq!(scalar_texts(&json!(2.5)), Ok(vec!["2.5".to_owned()]));
        assert_eq!(scalar_texts(&json!(true)), Ok(vec!["true".to_owned()]));
        assert!(scalar_texts(&json!({"a": 1})).is_err());
        assert!(scalar_texts(&json!([[1]])).is_err());
        assert_eq!(joined_text(&json!("a b")), Ok(Some("a b".to_owned())));
        assert_eq!(joined_text(&json!([1, "x", 2.0])), Ok(Some("1,x,2".to_owned())));
        assert_eq!(joined_text(&json!([])), Ok(None));
        assert_eq!(joined_text(&json!(null)), Ok(None));
        assert!(joined_text(&json!({"a": 1})).is_err());
    }

    #[test]
    fn path_segments_escape_everything_that_would_leave_them() {
        let encoded: String = utf8_percent_encode("a/b?c#d%e f", PATH_SEGMENT).collect();
        assert_eq!(encoded, "a%2Fb%3Fc%23d%25e%20f");
        // What needs no escaping is exactly what the fast path copies whole.
        for byte in 0..=u8::MAX {
            let text = [byte];
            let escaped = std::str::from_utf8(&text)
                .map_or(true, |text| utf8_percent_encode(text, PATH_SEGMENT).to_string() != text);
            assert_eq!(is_unreserved(byte), !escaped, "byte {byte}");
        }
    }
}
