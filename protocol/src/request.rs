//! Every request Lantern's contexts send each other, and the context that serves each.

use serde::{Deserialize, Serialize};

use crate::envelope::Target;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Request {
    /// Liveness and version of the background.
    Ping,
    /// What the inference engine sees: SIMD, isolation, threads, memory.
    EngineInfo,
    /// What one engine worker sees (the offscreen document asks its worker this for `EngineInfo`).
    WorkerInfo,
    /// Title, URL and selected text of a tab (the active tab when `tab_id` is absent).
    PageInfo {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        tab_id: Option<i64>,
    },
}

impl Request {
    /// The `type` tag of a request, as it appears on the wire.
    pub fn type_name(&self) -> &'static str {
        match self {
            Request::Ping => "ping",
            Request::EngineInfo => "engine_info",
            Request::WorkerInfo => "worker_info",
            Request::PageInfo { .. } => "page_info",
        }
    }

    /// The context that serves this request.
    pub fn home(&self) -> Target {
        Self::home_of(self.type_name()).unwrap_or(Target::Background)
    }

    /// The home context of a request type, or `None` when no such type exists. Checked before the
    /// full parse so an unknown type and a wrong target get their own errors.
    pub fn home_of(type_name: &str) -> Option<Target> {
        match type_name {
            "ping" => Some(Target::Background),
            "engine_info" | "worker_info" => Some(Target::Offscreen),
            "page_info" => Some(Target::Content),
            _ => None,
        }
    }

    /// Whether repeating the request after a lost connection is harmless.
    pub fn is_idempotent(&self) -> bool {
        match self {
            Request::Ping
            | Request::EngineInfo
            | Request::WorkerInfo
            | Request::PageInfo { .. } => true,
        }
    }

    /// One value of every variant, for tests that must cover them all.
    pub fn examples() -> Vec<Request> {
        vec![
            Request::Ping,
            Request::EngineInfo,
            Request::WorkerInfo,
            Request::PageInfo { tab_id: None },
            Request::PageInfo { tab_id: Some(7) },
        ]
    }
}
