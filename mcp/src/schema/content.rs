//! What a tool result, a prompt message or a resource read can hold.

use serde::{Deserialize, Serialize};

/// One block of content. `type` decides the variant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Content {
    Text {
        text: String,
    },
    Image {
        /// Base64.
        data: String,
        #[serde(rename = "mimeType")]
        mime_type: String,
    },
    Audio {
        /// Base64.
        data: String,
        #[serde(rename = "mimeType")]
        mime_type: String,
    },
    /// A resource's contents, embedded.
    Resource {
        resource: ResourceContents,
    },
    /// A pointer to a resource the client may read.
    ResourceLink {
        uri: String,
        name: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        description: Option<String>,
        #[serde(default, rename = "mimeType", skip_serializing_if = "Option::is_none")]
        mime_type: Option<String>,
    },
}

/// A resource's contents: text or a base64 blob.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourceContents {
    pub uri: String,
    #[serde(default, rename = "mimeType", skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blob: Option<String>,
}

impl Content {
    /// What a language model can read of this block: text as it is, anything else described in
    /// one line (the bytes stay with the UI, and Lantern's models read text only, so the line
    /// says the user has it rather than pretending the model saw it).
    pub fn as_model_text(&self) -> String {
        match self {
            Content::Text { text } => text.clone(),
            Content::Image { mime_type, data } => format!(
                "[The tool returned an image ({mime_type}, {} bytes), shown to the user. You cannot see images.]",
                base64_len(data)
            ),
            Content::Audio { mime_type, data } => format!(
                "[The tool returned audio ({mime_type}, {} bytes), which the user can play. You cannot hear audio.]",
                base64_len(data)
            ),
            Content::Resource { resource } => match (&resource.text, &resource.blob) {
                (Some(text), _) => format!("[resource {}]\n{text}", resource.uri),
                (None, Some(blob)) => format!(
                    "[The tool returned the file {} ({}, {} bytes), attached for the user.]",
                    resource.uri,
                    resource.mime_type.as_deref().unwrap_or("binary"),
                    base64_len(blob)
                ),
                (None, None) => format!("[resource {}]", resource.uri),
            },
            Content::ResourceLink {
                uri,
                name,
                description,
                ..
            } => match description {
                Some(about) => format!("[resource link {name}: {uri} ({about})]"),
                None => format!("[resource link {name}: {uri}]"),
            },
        }
    }
}

/// The decoded size of base64 text, without decoding it.
fn base64_len(data: &str) -> usize {
    let padding = data.bytes().rev().take_while(|b| *b == b'=').count();
    (data.len() / 4) * 3 - padding.min(2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_content_type_reads() {
        let blocks: Vec<Content> = serde_json::from_value(json!([
            {"type": "text", "text": "hi"},
            {"type": "image", "data": "iVBORw0KGgo=", "mimeType": "image/png"},
            {"type": "audio", "data": "UklGRg==", "mimeType": "audio/wav"},
            {"type": "resource", "resource": {"uri": "test://a", "mimeType": "text/plain", "text": "body"}},
            {"type": "resource_link", "uri": "test://b", "name": "b", "extra": 1},
            {"type": "resource", "resource": {"uri": "file:///x.gz", "mimeType": "application/gzip", "blob": "H4sI"}}
        ]))
        .unwrap();
        assert_eq!(blocks.len(), 6);
        assert_eq!(blocks[0].as_model_text(), "hi");
        assert_eq!(
            blocks[1].as_model_text(),
            "[The tool returned an image (image/png, 8 bytes), shown to the user. You cannot see images.]"
        );
        assert!(
            blocks[2]
                .as_model_text()
                .starts_with("[The tool returned audio (audio/wav, 4 bytes)")
        );
        assert_eq!(blocks[3].as_model_text(), "[resource test://a]\nbody");
        assert_eq!(blocks[4].as_model_text(), "[resource link b: test://b]");
        assert_eq!(
            blocks[5].as_model_text(),
            "[The tool returned the file file:///x.gz (application/gzip, 3 bytes), attached for the user.]"
        );
        assert!(serde_json::from_value::<Content>(json!({"type": "video"})).is_err());
    }
}
