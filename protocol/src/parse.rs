//! Turning an untrusted JSON-like value into a request, with the most specific error possible.

use serde::Deserialize;
use serde_json::Value;

use crate::envelope::{Envelope, Id};
use crate::error::ProtocolError;
use crate::kind::RequestKind;
use crate::request::Request;
use crate::target::Target;

/// The largest integer a JavaScript number holds exactly.
const MAX_SAFE_ID: u64 = (1 << 53) - 1;

/// A message that was not accepted, with the id to answer to when it had one.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejection {
    pub id: Option<Id>,
    pub error: ProtocolError,
}

/// Parses a request envelope, checking in order: shape, id, target, type, fields, and that the
/// target is the type's home. Each failure names what was wrong.
pub fn parse_envelope(value: &Value) -> Result<Envelope, Rejection> {
    let reject = |id, error| Rejection { id, error };
    let Some(object) = value.as_object() else {
        return Err(reject(None, ProtocolError::NotAnObject(kind_of(value))));
    };
    let id = object
        .get("id")
        .and_then(Value::as_u64)
        .filter(|id| *id <= MAX_SAFE_ID)
        .ok_or_else(|| reject(None, ProtocolError::MissingId))?;
    let target_name = object.get("target").and_then(Value::as_str).unwrap_or("");
    let target = Target::from_name(target_name)
        .ok_or_else(|| reject(Some(id), ProtocolError::UnknownTarget(target_name.into())))?;
    let body = object
        .get("body")
        .filter(|b| b.is_object())
        .ok_or_else(|| {
            reject(
                Some(id),
                ProtocolError::Malformed {
                    request: String::new(),
                    detail: "missing object field `body`".into(),
                },
            )
        })?;
    let type_name = body.get("type").and_then(Value::as_str).unwrap_or("");
    let home = RequestKind::by_name(type_name)
        .map(RequestKind::home)
        .ok_or_else(|| reject(Some(id), ProtocolError::UnknownType(type_name.into())))?;
    let request = Request::deserialize(body).map_err(|err| {
        reject(
            Some(id),
            ProtocolError::Malformed {
                request: type_name.into(),
                detail: err.to_string(),
            },
        )
    })?;
    if home != target {
        return Err(reject(
            Some(id),
            ProtocolError::WrongTarget {
                request: type_name.into(),
                expected: home.as_str(),
                got: target.as_str(),
            },
        ));
    }
    Ok(Envelope {
        id,
        target,
        body: request,
    })
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
