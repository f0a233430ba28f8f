//! The envelope every request travels in: who it is for, and the id its replies carry.

use serde::{Deserialize, Serialize};

use crate::request::Request;
use crate::target::Target;

/// A request id, unique per sending connection. Replies carry it back so one connection can
/// have many requests in flight. Kept below 2^53 so it survives as a JavaScript number.
pub type Id = u64;

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
