//! The contexts that serve requests: what an envelope is addressed to and a request's home.

use serde::{Deserialize, Serialize};

/// The context that serves a request. The background routes by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// The service worker itself.
    Background,
    /// The offscreen document and its workers, where models run.
    Offscreen,
    /// A content script in a tab.
    Content,
}

impl Target {
    pub const ALL: [Target; 3] = [Target::Background, Target::Offscreen, Target::Content];

    pub fn as_str(self) -> &'static str {
        match self {
            Target::Background => "background",
            Target::Offscreen => "offscreen",
            Target::Content => "content",
        }
    }

    pub fn from_name(name: &str) -> Option<Target> {
        Target::ALL.into_iter().find(|t| t.as_str() == name)
    }
}
