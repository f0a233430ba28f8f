//! Tools: what `tools/list` describes and what `tools/call` returns.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::content::Content;

/// One tool as the server describes it. The schemas are kept byte for byte as JSON values:
/// they go to the model and back to the server unchanged, and nothing in them is fetched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tool {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub input_schema: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_schema: Option<Value>,
    /// Hints (read-only, destructive...). Never a reason to skip the user's confirmation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<Value>,
}

/// One page of `tools/list`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListToolsPage {
    #[serde(default)]
    pub tools: Vec<Value>,
    #[serde(default)]
    pub next_cursor: Option<String>,
}

/// What a tool call returned. `is_error` results go back to the model as errors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallToolResult {
    #[serde(default, deserialize_with = "lenient_content")]
    pub content: Vec<Content>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub structured_content: Option<Value>,
    #[serde(default)]
    pub is_error: bool,
}

impl CallToolResult {
    /// The result as text for the model: every block in order, structured content last when
    /// there is no text that restates it.
    pub fn model_text(&self) -> String {
        let mut parts: Vec<String> = self.content.iter().map(Content::as_model_text).collect();
        if let Some(structured) = &self.structured_content
            && parts.is_empty()
        {
            parts.push(structured.to_string());
        }
        parts.join("\n")
    }
}

/// Reads content blocks one by one so that one block of a kind this client does not know
/// becomes a note instead of failing the whole result.
fn lenient_content<'de, D>(deserializer: D) -> Result<Vec<Content>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    let raw = Vec::<Value>::deserialize(deserializer)?;
    Ok(raw
        .into_iter()
        .map(|block| {
            let kind = block
                .get("type")
                .and_then(Value::as_str)
                .unwrap_or("?")
                .to_owned();
            serde_json::from_value(block).unwrap_or_else(|_| Content::Text {
                text: format!("[content of type {kind:?} that Lantern cannot show]"),
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tools_keep_their_schemas_verbatim() {
        let schema = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object",
            "$defs": {"a": {"$anchor": "x", "type": "string"}},
            "properties": {"p": {"$ref": "https://example.com/s.json"}},
            "additionalProperties": false,
            "if": {"required": ["p"]}, "then": {}, "else": {}
        });
        let tool: Tool = serde_json::from_value(json!({
            "name": "t", "inputSchema": schema, "annotations": {"readOnlyHint": true}
        }))
        .unwrap();
        assert_eq!(tool.input_schema, schema);
        let back = serde_json::to_value(&tool).unwrap();
        assert_eq!(back["inputSchema"], schema);
    }

    #[test]
    fn results_read_leniently_and_keep_is_error() {
        let r: CallToolResult = serde_json::from_value(json!({
            "content": [{"type": "text", "text": "a"}, {"type": "hologram"}],
            "isError": true
        }))
        .unwrap();
        assert!(r.is_error);
        assert_eq!(r.content.len(), 2);
        assert!(r.model_text().contains("\"hologram\""));
        let s: CallToolResult =
            serde_json::from_value(json!({"content": [], "structuredContent": {"x": 1}})).unwrap();
        assert_eq!(s.model_text(), r#"{"x":1}"#);
    }
}
