//! Elicitation: a server asking the user for input through a form, and the answer.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ElicitRequest {
    /// Server-written text: shown to the user as the server's, never as Lantern's.
    pub message: String,
    #[serde(default)]
    pub requested_schema: Value,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ElicitAction {
    Accept,
    Decline,
    Cancel,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ElicitResult {
    pub action: ElicitAction,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<Value>,
}

impl ElicitResult {
    pub fn declined() -> ElicitResult {
        ElicitResult {
            action: ElicitAction::Decline,
            content: None,
        }
    }
}

/// Fills every field the user left out with the schema's `default` (a client that declares
/// `applyDefaults` promises this). Given values are never replaced.
pub fn apply_defaults(schema: &Value, content: Option<Value>) -> Value {
    let mut filled = match content {
        Some(Value::Object(map)) => map,
        _ => Map::new(),
    };
    if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
        for (name, property) in properties {
            if let Some(default) = property.get("default")
                && !filled.contains_key(name)
            {
                filled.insert(name.clone(), default.clone());
            }
        }
    }
    Value::Object(filled)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn defaults_fill_only_what_is_missing() {
        let schema = json!({"type": "object", "properties": {
            "name": {"type": "string", "default": "John"},
            "age": {"type": "integer", "default": 30},
            "tone": {"type": "string", "enum": ["a", "b"], "default": "b"},
            "free": {"type": "string"}
        }});
        let filled = apply_defaults(&schema, Some(json!({"age": 5})));
        assert_eq!(filled, json!({"name": "John", "age": 5, "tone": "b"}));
        assert_eq!(apply_defaults(&json!({}), None), json!({}));
    }
}
