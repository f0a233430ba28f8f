//! Tool parameters a server asks to see as headers (`x-mcp-header` in a tool's input schema,
//! 2026-07-28): checking the annotations when a tool is listed, and writing the headers when
//! it is called.

use base64::Engine;
use serde_json::Value;

const PREFIX: &str = "Mcp-Param-";

/// The annotated parameters of a tool: (parameter, header suffix). `Err` says why the tool
/// must not be used (a bad annotation could smuggle or clash headers).
pub fn annotated(input_schema: &Value) -> Result<Vec<(String, String)>, String> {
    let Some(properties) = input_schema.get("properties").and_then(Value::as_object) else {
        return Ok(Vec::new());
    };
    let mut found: Vec<(String, String)> = Vec::new();
    for (param, schema) in properties {
        let Some(header) = schema.get("x-mcp-header") else {
            continue;
        };
        let Some(header) = header.as_str() else {
            return Err(format!("x-mcp-header of {param:?} is not a string"));
        };
        if header.is_empty() {
            return Err(format!("x-mcp-header of {param:?} is empty"));
        }
        if let Some(bad) = header.chars().find(|c| !is_token_char(*c)) {
            return Err(format!(
                "x-mcp-header {header:?} holds {bad:?}, which a header name cannot"
            ));
        }
        let kind = schema.get("type").and_then(Value::as_str).unwrap_or("");
        if !matches!(kind, "string" | "integer" | "boolean") {
            return Err(format!(
                "x-mcp-header on {param:?} of type {kind:?} (only string, integer, boolean)"
            ));
        }
        if found.iter().any(|(_, h)| h.eq_ignore_ascii_case(header)) {
            return Err(format!("x-mcp-header {header:?} is used twice"));
        }
        found.push((param.clone(), header.to_owned()));
    }
    Ok(found)
}

/// RFC 9110 `tchar`: what a header name may hold.
fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)
}

/// The headers for one call: each annotated argument that is present and not null.
pub fn headers_for(input_schema: &Value, arguments: &Value) -> Vec<(String, String)> {
    let Ok(params) = annotated(input_schema) else {
        return Vec::new();
    };
    params
        .into_iter()
        .filter_map(|(param, header)| {
            let value = match arguments.get(&param)? {
                Value::Null => return None,
                Value::String(s) => encode(s),
                Value::Bool(b) => b.to_string(),
                Value::Number(n) => n.to_string(),
                _ => return None,
            };
            Some((format!("{PREFIX}{header}"), value))
        })
        .collect()
}

/// A header value as sent: plain when it is printable ASCII without edge whitespace, else
/// `=?base64?...?=` of its UTF-8.
pub fn encode(value: &str) -> String {
    let plain = value.bytes().all(|b| (0x20..=0x7e).contains(&b)) && value.trim() == value;
    if plain {
        value.to_owned()
    } else {
        format!(
            "=?base64?{}?=",
            base64::engine::general_purpose::STANDARD.encode(value)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema(props: Value) -> Value {
        json!({"type": "object", "properties": props})
    }

    #[test]
    fn bad_annotations_are_refused() {
        let bad = [
            json!({"v": {"type": "string", "x-mcp-header": ""}}),
            json!({"v": {"type": "object", "x-mcp-header": "V"}}),
            json!({"v": {"type": "number", "x-mcp-header": "V"}}),
            json!({"v": {"type": "string", "x-mcp-header": "My V"}}),
            json!({"v": {"type": "string", "x-mcp-header": "V:1"}}),
            json!({"v": {"type": "string", "x-mcp-header": "Vé"}}),
            json!({"v": {"type": "string", "x-mcp-header": "V\t1"}}),
            json!({"a": {"type": "string", "x-mcp-header": "Id"}, "b": {"type": "string", "x-mcp-header": "ID"}}),
        ];
        for props in bad {
            assert!(annotated(&schema(props.clone())).is_err(), "{props}");
        }
        let good = schema(
            json!({"r": {"type": "string", "x-mcp-header": "Region"}, "q": {"type": "string"}}),
        );
        assert_eq!(annotated(&good).unwrap(), [("r".into(), "Region".into())]);
    }

    #[test]
    fn values_are_written_plain_or_base64() {
        let s = schema(json!({
            "r": {"type": "string", "x-mcp-header": "Region"},
            "n": {"type": "integer", "x-mcp-header": "N"},
            "b": {"type": "boolean", "x-mcp-header": "B"},
            "u": {"type": "string", "x-mcp-header": "U"},
            "z": {"type": "boolean", "x-mcp-header": "Z"}
        }));
        let mut h = headers_for(
            &s,
            &json!({"r": "us west", "n": 42, "b": false, "u": " é", "z": null}),
        );
        h.sort();
        assert_eq!(
            h,
            [
                ("Mcp-Param-B".to_owned(), "false".to_owned()),
                ("Mcp-Param-N".into(), "42".into()),
                ("Mcp-Param-Region".into(), "us west".into()),
                ("Mcp-Param-U".into(), "=?base64?IMOp?=".into()),
            ]
        );
        assert_eq!(encode("a\nb"), "=?base64?YQpi?=");
        assert_eq!(encode(""), "");
    }
}
