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
        let info = result.get("serverInfo");
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
