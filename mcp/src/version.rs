//! The protocol revisions Lantern speaks and what each changes on the wire.

use serde::{Deserialize, Serialize};

/// A protocol generation. The stateless one is tried first; a server that does not know it is
/// spoken to in the older, session-based one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ProtocolVersion {
    /// Stateless: no `initialize`, `_meta` on every request, `server/discover`.
    #[serde(rename = "2026-07-28")]
    V2026_07_28,
    /// Session-based: `initialize`, `Mcp-Session-Id`, the GET stream, DELETE.
    #[serde(rename = "2025-11-25")]
    V2025_11_25,
}

/// Older session-based revisions a server may answer `initialize` with; they share the wire
/// shape of 2025-11-25 as far as this client uses it.
pub const OLDER_SESSION_REVISIONS: [&str; 3] = ["2025-06-18", "2025-03-26", "2024-11-05"];

impl ProtocolVersion {
    /// Newest first: the order versions are tried in.
    pub const ALL: [ProtocolVersion; 2] =
        [ProtocolVersion::V2026_07_28, ProtocolVersion::V2025_11_25];

    pub fn as_str(self) -> &'static str {
        match self {
            ProtocolVersion::V2026_07_28 => "2026-07-28",
            ProtocolVersion::V2025_11_25 => "2025-11-25",
        }
    }

    pub fn parse(s: &str) -> Option<ProtocolVersion> {
        ProtocolVersion::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// Whether this revision keeps no session (every request stands alone).
    pub fn is_stateless(self) -> bool {
        matches!(self, ProtocolVersion::V2026_07_28)
    }
}

impl std::fmt::Display for ProtocolVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_round_trip_and_the_newest_comes_first() {
        for v in ProtocolVersion::ALL {
            assert_eq!(ProtocolVersion::parse(v.as_str()), Some(v));
            let json = serde_json::to_string(&v).unwrap();
            assert_eq!(json, format!("\"{v}\""));
        }
        assert!(ProtocolVersion::ALL[0].is_stateless());
        assert!(!ProtocolVersion::ALL[1].is_stateless());
        assert_eq!(ProtocolVersion::parse("2025-06-18"), None);
    }
}
