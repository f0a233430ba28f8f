//! The HTTP requests the client makes, with the headers each protocol generation wants.

use crate::version::ProtocolVersion;

pub const PROTOCOL_VERSION: &str = "MCP-Protocol-Version";
pub const SESSION_ID: &str = "Mcp-Session-Id";
pub const METHOD: &str = "Mcp-Method";
pub const NAME: &str = "Mcp-Name";
pub const LAST_EVENT_ID: &str = "Last-Event-ID";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpMethod {
    Get,
    Post,
    Delete,
}

impl HttpMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Post => "POST",
            HttpMethod::Delete => "DELETE",
        }
    }
}

/// One request, ready for any HTTP stack.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpRequest {
    pub method: HttpMethod,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
}

impl HttpRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What every request to one server shares.
#[derive(Debug, Clone, Default)]
pub struct Connection {
    pub url: String,
    /// Negotiated; `None` until then (the initialize request goes without the header).
    pub version: Option<ProtocolVersion>,
    /// The revision string to send (a 2025 server may have answered an older one).
    pub revision: Option<String>,
    pub session_id: Option<String>,
    pub bearer: Option<String>,
}

impl Connection {
    fn common(&self, headers: &mut Vec<(String, String)>) {
        if let Some(revision) = &self.revision {
            headers.push((PROTOCOL_VERSION.into(), revision.clone()));
        }
        if let Some(session) = &self.session_id {
            headers.push((SESSION_ID.into(), session.clone()));
        }
        if let Some(token) = &self.bearer {
            headers.push(("Authorization".into(), format!("Bearer {token}")));
        }
    }

    /// A JSON-RPC message POSTed. `rpc_method` and `name` feed the 2026-07-28 routing headers
    /// (`Mcp-Method` always, `Mcp-Name` for the methods that target one tool, resource or prompt);
    /// `extra` are the tool parameters mirrored into headers.
    pub fn post(
        &self,
        body: String,
        rpc_method: &str,
        name: Option<&str>,
        extra: Vec<(String, String)>,
    ) -> HttpRequest {
        let mut headers = vec![
            ("Content-Type".into(), "application/json".into()),
            (
                "Accept".into(),
                "application/json, text/event-stream".into(),
            ),
        ];
        self.common(&mut headers);
        if self.version.is_some_and(ProtocolVersion::is_stateless) {
            headers.push((METHOD.into(), rpc_method.into()));
            if let Some(name) = name {
                headers.push((NAME.into(), name.into()));
            }
            headers.extend(extra);
        }
        HttpRequest {
            method: HttpMethod::Post,
            url: self.url.clone(),
            headers,
            body: Some(body),
        }
    }

    /// The GET stream (2025-11-25): server-initiated messages, or resuming a broken response.
    pub fn get(&self, last_event_id: Option<&str>) -> HttpRequest {
        let mut headers = vec![("Accept".into(), "text/event-stream".into())];
        self.common(&mut headers);
        if let Some(id) = last_event_id {
            headers.push((LAST_EVENT_ID.into(), id.into()));
        }
        HttpRequest {
            method: HttpMethod::Get,
            url: self.url.clone(),
            headers,
            body: None,
        }
    }

    /// Ends a session (2025-11-25).
    pub fn delete(&self) -> HttpRequest {
        let mut headers = Vec::new();
        self.common(&mut headers);
        HttpRequest {
            method: HttpMethod::Delete,
            url: self.url.clone(),
            headers,
            body: None,
        }
    }
}

/// The target an `Mcp-Name` header names for a method, read from its params.
pub fn name_for(method: &str, params: &serde_json::Value) -> Option<String> {
    let key = match method {
        "tools/call" | "prompts/get" => "name",
        "resources/read" => "uri",
        _ => return None,
    };
    params.get(key).and_then(|v| v.as_str()).map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn stateless_posts_carry_routing_headers_and_session_posts_do_not() {
        let mut c = Connection {
            url: "http://127.0.0.1:1/mcp".into(),
            version: Some(ProtocolVersion::V2026_07_28),
            revision: Some("2026-07-28".into()),
            ..Default::default()
        };
        let r = c.post("{}".into(), "tools/call", Some("add"), vec![]);
        assert_eq!(r.header("mcp-protocol-version"), Some("2026-07-28"));
        assert_eq!(r.header("mcp-method"), Some("tools/call"));
        assert_eq!(r.header("mcp-name"), Some("add"));
        assert_eq!(r.header("mcp-session-id"), None);
        c.version = Some(ProtocolVersion::V2025_11_25);
        c.revision = Some("2025-11-25".into());
        c.session_id = Some("s1".into());
        let r = c.post("{}".into(), "tools/call", Some("add"), vec![]);
        assert_eq!(r.header("mcp-method"), None);
        assert_eq!(r.header("mcp-session-id"), Some("s1"));
        let g = c.get(Some("e-4"));
        assert_eq!(g.header("last-event-id"), Some("e-4"));
        assert_eq!(g.header("accept"), Some("text/event-stream"));
        assert_eq!(c.delete().method, HttpMethod::Delete);
    }

    #[test]
    fn names_come_from_the_params_of_targeted_methods() {
        assert_eq!(
            name_for("resources/read", &json!({"uri": "a://b"})).as_deref(),
            Some("a://b")
        );
        assert_eq!(name_for("tools/list", &json!({"name": "x"})), None);
    }
}
