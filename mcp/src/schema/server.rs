//! Who is talking: the client's name and capabilities, and what a server said about itself
//! (through `initialize` or `server/discover`).

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::version::ProtocolVersion;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientInfo {
    pub name: String,
    pub version: String,
}

/// What the client can do for a server. Lantern answers elicitations (forms) and nothing else
/// a server may ask of it: no sampling (the model is the user's), no roots.
pub fn client_capabilities(elicitation: bool) -> Value {
    if elicitation {
        json!({"elicitation": {"form": {"applyDefaults": true}}})
    } else {
        json!({})
    }
}

/// The server's capabilities, kept as sent; the questions the client asks of them.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ServerCapabilities(pub Value);

impl ServerCapabilities {
    fn has(&self, key: &str) -> bool {
        self.0.get(key).is_some_and(|v| !v.is_null())
    }
    pub fn tools(&self) -> bool {
        self.has("tools")
    }
    pub fn resources(&self) -> bool {
        self.has("resources")
    }
    pub fn prompts(&self) -> bool {
        self.has("prompts")
    }
    /// Whether the server announces changes to its tool list.
    pub fn tools_list_changed(&self) -> bool {
        self.0
            .pointer("/tools/listChanged")
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }
}

/// A server as the client found it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServerDescription {
    pub protocol_version: ProtocolVersion,
    /// The revision string the server answered with (an older session revision maps to
    /// [`ProtocolVersion::V2025_11_25`] but is kept here as said).
    pub protocol_revision: String,
    pub name: String,
    pub version: String,
    pub capabilities: ServerCapabilities,
    /// Server-written text: untrusted, shown to the user, never put in a prompt unfenced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instructions: Option<String>,
}

impl ServerDescription {
    /// Reads an `initialize` or `server/discover` result.
    pub fn from_result(
        version: ProtocolVersion,
        revision: &str,
        result: &Value,
    ) -> ServerDescription {
        // 2026-07-28 servers put it in the result's `_meta`; older ones beside the capabilities.
        let info = result.get("serverInfo").or_else(|| {
            result
                .get("_meta")
                .and_then(|m| m.get("io.modelcontextprotocol/serverInfo"))
        });
        let text = |key: &str| {
            info.and_then(|i| i.get(key))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        ServerDescription {
            protocol_version: version,
            protocol_revision: revision.to_owned(),
            name: text("name"),
            version: text("version"),
            capabilities: ServerCapabilities(
                result.get("capabilities").cloned().unwrap_or(json!({})),
            ),
            instructions: result
                .get("instructions")
                .and_then(Value::as_str)
                .map(str::to_owned),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_info_is_read_where_either_generation_puts_it() {
        let old =
            json!({"serverInfo": {"name": "a", "version": "1"}, "capabilities": {"tools": {}}});
        let new = json!({"supportedVersions": ["2026-07-28"], "capabilities": {},
            "_meta": {"io.modelcontextprotocol/serverInfo": {"name": "b", "version": "2"}}});
        let a = ServerDescription::from_result(ProtocolVersion::V2025_11_25, "2025-06-18", &old);
        let b = ServerDescription::from_result(ProtocolVersion::V2026_07_28, "2026-07-28", &new);
        assert_eq!(
            (a.name.as_str(), a.protocol_revision.as_str()),
            ("a", "2025-06-18")
        );
        assert!(a.capabilities.tools() && !b.capabilities.tools());
        assert_eq!((b.name.as_str(), b.version.as_str()), ("b", "2"));
    }
}
