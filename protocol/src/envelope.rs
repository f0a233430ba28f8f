//! The envelope every request travels in: who it is for, and the id its replies carry.

use serde::{Deserialize, Serialize};

use crate::request::Request;

/// A request id, unique per sending connection. Replies carry it back so one connection can
/// have many requests in flight. Kept below 2^53 so it survives as a JavaScript number.
pub type Id = u64;

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

/// `{id, target, body}`: one request on its way to the context that serves it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    pub id: Id,
    pub target: Target,
    pub body: Request,
}

impl Envelope {
    /// An envelope addressed to the request's home context.
    pub fn new(id: Id, body: Request) -> Envelope {
        Envelope {
            id,
            target: body.home(),
            body,
        }
    }
}
