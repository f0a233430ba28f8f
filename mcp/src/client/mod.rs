//! The client: finds which protocol generation a server speaks (2026-07-28 first, then
//! 2025-11-25), then lists and calls what it offers. Generic over the HTTP stack
//! ([`Transport`]) and over who answers the server's questions ([`Handler`]).

mod exchange;
mod input;
mod race;
#[cfg(test)]
mod tests;
mod transport;

use std::cell::{Cell, RefCell};

use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

pub use transport::{Body, Handler, HttpResponse, NoHandler, Transport, read_all};

use crate::error::McpError;
use crate::http::headers::{Connection, SESSION_ID};
use crate::http::param_headers;
use crate::jsonrpc::{Id, Message, RpcError};
use crate::schema::notifications;
use crate::schema::prompts::{GetPromptResult, ListPromptsPage, Prompt};
use crate::schema::resources::{
    ListResourceTemplatesPage, ListResourcesPage, ReadResourceResult, Resource, ResourceTemplate,
};
use crate::schema::server::{ClientInfo, ServerDescription, client_capabilities};
use crate::schema::tools::{CallToolResult, ListToolsPage, Tool};
use crate::version::{OLDER_SESSION_REVISIONS, ProtocolVersion};

/// A server that pages forever is cut off here.
const MAX_PAGES: usize = 100;
/// How many `input_required` rounds one request may take.
const MAX_INPUT_ROUNDS: usize = 8;

#[derive(Debug, Clone)]
pub struct ClientConfig {
    pub url: String,
    pub client_info: ClientInfo,
    /// The version this server spoke last time (tried first, so a known server costs no probe).
    pub remembered: Option<ProtocolVersion>,
    pub bearer: Option<String>,
    /// Whether the user can be asked to fill forms (elicitation).
    pub elicitation: bool,
}

/// A tool the client will not offer, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct RejectedTool {
    pub name: String,
    pub reason: String,
}

pub struct Client<T: Transport> {
    transport: T,
    config: ClientConfig,
    conn: RefCell<Connection>,
    next_id: Cell<i64>,
    server: RefCell<Option<ServerDescription>>,
    /// The last tool list, for the parameters each call mirrors into headers.
    tools: RefCell<Vec<Tool>>,
    /// The id of the `tools/call` request on the wire, per call in flight (keyed by the
    /// caller's progress token), so a stopped call can be named in `notifications/cancelled`.
    on_wire: RefCell<Vec<(Value, Id)>>,
}

impl<T: Transport> Client<T> {
    pub fn new(transport: T, config: ClientConfig) -> Client<T> {
        Client {
            conn: RefCell::new(Connection {
                url: config.url.clone(),
                bearer: config.bearer.clone(),
                ..Default::default()
            }),
            transport,
            config,
            next_id: Cell::new(1),
            server: RefCell::new(None),
            tools: RefCell::new(Vec::new()),
            on_wire: RefCell::new(Vec::new()),
        }
    }

    /// The server as found by [`Client::connect`].
    pub fn server(&self) -> Option<ServerDescription> {
        self.server.borrow().clone()
    }

    pub fn session_id(&self) -> Option<String> {
        self.conn.borrow().session_id.clone()
    }

    /// Finds the protocol: the remembered version first, else the newest; a server that does
    /// not understand it is asked in the older generation.
    pub async fn connect<H: Handler>(&self, handler: &H) -> Result<ServerDescription, McpError> {
        let mut order: Vec<ProtocolVersion> = self.config.remembered.into_iter().collect();
        order.extend(
            ProtocolVersion::ALL
                .into_iter()
                .filter(|v| Some(*v) != self.config.remembered),
        );
        let mut last = None;
        for (i, version) in order.iter().enumerate() {
            let found = match version {
                ProtocolVersion::V2026_07_28 => self.discover(handler).await,
                ProtocolVersion::V2025_11_25 => self.initialize(handler).await,
            };
            match found {
                Ok(server) => {
                    *self.server.borrow_mut() = Some(server.clone());
                    return Ok(server);
                }
                Err(e) if i + 1 < order.len() && e.suggests_older_protocol() => last = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or(McpError::NoCommonVersion(String::new())))
    }

    async fn discover<H: Handler>(&self, handler: &H) -> Result<ServerDescription, McpError> {
        self.use_version(ProtocolVersion::V2026_07_28, None);
        let result = self.request("server/discover", json!({}), handler).await?;
        let supported: Vec<&str> = result
            .get("supportedVersions")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if !supported.contains(&ProtocolVersion::V2026_07_28.as_str()) {
            return Err(McpError::Protocol(format!(
                "server/discover lists {supported:?}, not 2026-07-28"
            )));
        }
        Ok(ServerDescription::from_result(
            ProtocolVersion::V2026_07_28,
            ProtocolVersion::V2026_07_28.as_str(),
            &result,
        ))
    }

    async fn initialize<H: Handler>(&self, handler: &H) -> Result<ServerDescription, McpError> {
        {
            let mut conn = self.conn.borrow_mut();
            conn.version = None;
            conn.revision = None;
            conn.session_id = None;
        }
        let id = self.fresh_id();
        let params = json!({
            "protocolVersion": ProtocolVersion::V2025_11_25.as_str(),
            "capabilities": client_capabilities(self.config.elicitation),
            "clientInfo": self.config.client_info,
        });
        let body = Message::Request {
            id: id.clone(),
            method: "initialize".into(),
            params: Some(params),
        }
        .to_json();
        let request = self
            .conn
            .borrow()
            .post(body, "initialize", None, Vec::new());
        let mut response = self.transport.send(request).await?;
        self.check_status(&response)?;
        if let Some(session) = response.header(SESSION_ID) {
            self.conn.borrow_mut().session_id = Some(session.to_owned());
        }
        let result = if response.status >= 300
            || !response
                .header("content-type")
                .unwrap_or_default()
                .starts_with("text/event-stream")
        {
            let text = String::from_utf8_lossy(&read_all(&mut response.body).await?).into_owned();
            if response.status >= 300 {
                return Err(status_error(response.status, &text));
            }
            let mut answer = None;
            for m in Message::parse_all(&text).map_err(McpError::Protocol)? {
                if let Some(a) = self.take(m, &id, handler).await? {
                    answer = Some(a);
                }
            }
            answer.ok_or_else(|| McpError::Protocol("initialize went unanswered".into()))?
        } else {
            self.exchange_stream(response, &id, handler).await?
        }
        .map_err(McpError::Rpc)?;
        let revision = result
            .get("protocolVersion")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let known = revision == ProtocolVersion::V2025_11_25.as_str()
            || OLDER_SESSION_REVISIONS.contains(&revision.as_str());
        if !known {
            return Err(McpError::NoCommonVersion(revision));
        }
        self.use_version(ProtocolVersion::V2025_11_25, Some(revision.clone()));
        self.post_message(
            &Message::notification(notifications::INITIALIZED, None),
            notifications::INITIALIZED,
        )
        .await?;
        Ok(ServerDescription::from_result(
            ProtocolVersion::V2025_11_25,
            &revision,
            &result,
        ))
    }

    fn use_version(&self, version: ProtocolVersion, revision: Option<String>) {
        let mut conn = self.conn.borrow_mut();
        conn.version = Some(version);
        conn.revision = Some(revision.unwrap_or_else(|| version.as_str().to_owned()));
    }

    fn version(&self) -> Option<ProtocolVersion> {
        self.conn.borrow().version
    }

    fn fresh_id(&self) -> Id {
        let id = self.next_id.get();
        self.next_id.set(id + 1);
        Id::Number(id)
    }

    /// The `_meta` every 2026-07-28 request carries, merged into `params`.
    fn with_meta(&self, mut params: Value) -> Value {
        if self.version() != Some(ProtocolVersion::V2026_07_28) {
            return params;
        }
        if !params.is_object() {
            params = json!({});
        }
        let meta = params
            .as_object_mut()
            .map(|p| p.entry("_meta").or_insert_with(|| json!({})));
        if let Some(Value::Object(meta)) = meta {
            meta.insert(
                "io.modelcontextprotocol/protocolVersion".into(),
                ProtocolVersion::V2026_07_28.as_str().into(),
            );
            meta.insert(
                "io.modelcontextprotocol/clientCapabilities".into(),
                client_capabilities(self.config.elicitation),
            );
            meta.insert(
                "io.modelcontextprotocol/clientInfo".into(),
                serde_json::to_value(&self.config.client_info).unwrap_or_default(),
            );
        }
        params
    }

    /// One request to its final result: a 2026-07-28 `input_required` result is fulfilled and
    /// retried (a new id, the server's `requestState` echoed as sent); a version the server
    /// refuses is replaced by one it lists; an expired 2025-11-25 session is renewed once.
    pub async fn request<H: Handler>(
        &self,
        method: &str,
        params: Value,
        handler: &H,
    ) -> Result<Value, McpError> {
        self.request_with_headers(method, params, Vec::new(), handler)
            .await
    }

    async fn request_with_headers<H: Handler>(
        &self,
        method: &str,
        params: Value,
        headers: Vec<(String, String)>,
        handler: &H,
    ) -> Result<Value, McpError> {
        self.request_tracked(method, params, headers, None, handler)
            .await
    }

    /// `request_with_headers`, noting each id sent under `track` in `on_wire` (a retry after
    /// `input_required` or a renewed session is a new request with a new id).
    async fn request_tracked<H: Handler>(
        &self,
        method: &str,
        params: Value,
        headers: Vec<(String, String)>,
        track: Option<&Value>,
        handler: &H,
    ) -> Result<Value, McpError> {
        let mut params = params;
        let mut version_retried = false;
        let mut session_renewed = false;
        for _ in 0..MAX_INPUT_ROUNDS {
            let id = self.fresh_id();
            if let Some(key) = track {
                let mut on_wire = self.on_wire.borrow_mut();
                on_wire.retain(|(k, _)| k != key);
                on_wire.push((key.clone(), id.clone()));
            }
            let sent = self.with_meta(params.clone());
            let answer = match self
                .exchange(&id, method, &sent, headers.clone(), handler)
                .await
            {
                Err(McpError::Http { status: 404, .. })
                    if !session_renewed && self.session_id().is_some() =>
                {
                    // The server forgot the session (restarted): a new one, then the same request.
                    session_renewed = true;
                    let server = self.initialize(handler).await?;
                    *self.server.borrow_mut() = Some(server);
                    continue;
                }
                other => other?,
            };
            let result = match answer {
                Ok(result) => result,
                Err(error)
                    if error.code == RpcError::UNSUPPORTED_PROTOCOL_VERSION && !version_retried =>
                {
                    version_retried = true;
                    let supported = error.supported_versions();
                    match supported.iter().find_map(|s| ProtocolVersion::parse(s)) {
                        Some(v) if v.is_stateless() => {
                            self.use_version(v, None);
                            continue;
                        }
                        _ => return Err(McpError::Rpc(error)),
                    }
                }
                Err(error) => return Err(McpError::Rpc(error)),
            };
            if result.get("resultType").and_then(Value::as_str) != Some("input_required") {
                return Ok(result);
            }
            params = self.fulfil(params, &result, handler).await;
        }
        Err(McpError::Protocol(format!(
            "{method} still wanted input after {MAX_INPUT_ROUNDS} rounds"
        )))
    }

    /// The params of the retry after an `input_required` result.
    async fn fulfil<H: Handler>(&self, params: Value, result: &Value, handler: &H) -> Value {
        let mut next: Map<String, Value> = match params {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        next.remove("inputResponses");
        next.remove("requestState");
        if let Some(requests) = result.get("inputRequests").and_then(Value::as_object) {
            next.insert(
                "inputResponses".into(),
                input::input_responses(requests, handler).await,
            );
        }
        if let Some(state) = result.get("requestState") {
            next.insert("requestState".into(), state.clone());
        }
        Value::Object(next)
    }

    async fn typed<R: DeserializeOwned, H: Handler>(
        &self,
        method: &str,
        params: Value,
        handler: &H,
    ) -> Result<R, McpError> {
        let value = self.request(method, params, handler).await?;
        serde_json::from_value(value).map_err(|e| McpError::Protocol(format!("{method}: {e}")))
    }

    /// Every tool, all pages, and the tools refused for bad header annotations.
    pub async fn list_tools<H: Handler>(
        &self,
        handler: &H,
    ) -> Result<(Vec<Tool>, Vec<RejectedTool>), McpError> {
        let mut tools = Vec::new();
        let mut rejected = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let params = cursor.as_ref().map_or(json!({}), |c| json!({"cursor": c}));
            let page: ListToolsPage = self.typed("tools/list", params, handler).await?;
            for raw in page.tools {
                let name = raw
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned();
                match serde_json::from_value::<Tool>(raw) {
                    Ok(tool) => match param_headers::annotated(&tool.input_schema) {
                        Ok(_) => tools.push(tool),
                        Err(reason) => rejected.push(RejectedTool { name, reason }),
                    },
                    Err(e) => rejected.push(RejectedTool {
                        name,
                        reason: e.to_string(),
                    }),
                }
            }
            cursor = page.next_cursor;
            if cursor.is_none() {
                break;
            }
        }
        *self.tools.borrow_mut() = tools.clone();
        Ok((tools, rejected))
    }

    /// Calls a tool. `progress_token` asks the server for progress notifications.
    pub async fn call_tool<H: Handler>(
        &self,
        name: &str,
        arguments: Value,
        progress_token: Option<Value>,
        handler: &H,
    ) -> Result<CallToolResult, McpError> {
        self.call_tool_until(
            name,
            arguments,
            progress_token,
            std::future::pending(),
            handler,
        )
        .await
    }

    /// Calls a tool until it answers or `stop` completes. A stopped call is abandoned: its
    /// response is dropped (which closes its stream: for 2026-07-28 that is the cancellation)
    /// and a 2025-11-25 server is also sent `notifications/cancelled` naming the request.
    /// Then `McpError::Cancelled`.
    pub async fn call_tool_until<H: Handler>(
        &self,
        name: &str,
        arguments: Value,
        progress_token: Option<Value>,
        stop: impl Future<Output = ()>,
        handler: &H,
    ) -> Result<CallToolResult, McpError> {
        let schema = self
            .tools
            .borrow()
            .iter()
            .find(|t| t.name == name)
            .map(|t| t.input_schema.clone());
        if let Some(schema) = &schema
            && let Err(reason) = param_headers::annotated(schema)
        {
            return Err(McpError::InvalidTool {
                tool: name.into(),
                reason,
            });
        }
        let headers = schema
            .map(|s| param_headers::headers_for(&s, &arguments))
            .unwrap_or_default();
        let mut params = json!({"name": name, "arguments": arguments});
        // Without a token of the caller's, one of ours keys the call's id on the wire.
        let key = progress_token
            .clone()
            .unwrap_or_else(|| json!(format!("call-{}", self.next_id.get())));
        if let Some(token) = progress_token {
            params["_meta"] = json!({"progressToken": token});
        }
        let call = self.request_tracked("tools/call", params, headers, Some(&key), handler);
        let outcome = race::first(call, stop).await;
        let sent = {
            let mut on_wire = self.on_wire.borrow_mut();
            let at = on_wire.iter().position(|(k, _)| *k == key);
            at.map(|i| on_wire.remove(i).1)
        };
        let value = match outcome {
            Some(answer) => answer?,
            None => {
                if let Some(id) = sent {
                    // The call is over for us either way; a server that misses the notice
                    // finishes work nobody reads.
                    let _ = self
                        .notify_cancelled(&id, "the user stopped the call")
                        .await;
                }
                return Err(McpError::Cancelled);
            }
        };
        serde_json::from_value(value).map_err(|e| McpError::Protocol(format!("tools/call: {e}")))
    }

    pub async fn list_resources<H: Handler>(&self, handler: &H) -> Result<Vec<Resource>, McpError> {
        let mut all = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let params = cursor.as_ref().map_or(json!({}), |c| json!({"cursor": c}));
            let page: ListResourcesPage = self.typed("resources/list", params, handler).await?;
            all.extend(page.resources);
            cursor = page.next_cursor;
            if cursor.is_none() {
                break;
            }
        }
        Ok(all)
    }

    pub async fn list_resource_templates<H: Handler>(
        &self,
        handler: &H,
    ) -> Result<Vec<ResourceTemplate>, McpError> {
        let mut all = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let params = cursor.as_ref().map_or(json!({}), |c| json!({"cursor": c}));
            let page: ListResourceTemplatesPage = self
                .typed("resources/templates/list", params, handler)
                .await?;
            all.extend(page.resource_templates);
            cursor = page.next_cursor;
            if cursor.is_none() {
                break;
            }
        }
        Ok(all)
    }

    pub async fn read_resource<H: Handler>(
        &self,
        uri: &str,
        handler: &H,
    ) -> Result<ReadResourceResult, McpError> {
        self.typed("resources/read", json!({"uri": uri}), handler)
            .await
    }

    pub async fn list_prompts<H: Handler>(&self, handler: &H) -> Result<Vec<Prompt>, McpError> {
        let mut all = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let params = cursor.as_ref().map_or(json!({}), |c| json!({"cursor": c}));
            let page: ListPromptsPage = self.typed("prompts/list", params, handler).await?;
            all.extend(page.prompts);
            cursor = page.next_cursor;
            if cursor.is_none() {
                break;
            }
        }
        Ok(all)
    }

    pub async fn get_prompt<H: Handler>(
        &self,
        name: &str,
        arguments: Value,
        handler: &H,
    ) -> Result<GetPromptResult, McpError> {
        self.typed(
            "prompts/get",
            json!({"name": name, "arguments": arguments}),
            handler,
        )
        .await
    }

    /// Tells a 2025-11-25 server to stop work on a request (2026-07-28 cancels by closing the
    /// response, which the transport's owner does).
    pub async fn notify_cancelled(&self, request_id: &Id, reason: &str) -> Result<(), McpError> {
        if self.version() != Some(ProtocolVersion::V2025_11_25) {
            return Ok(());
        }
        self.post_message(
            &Message::notification(
                notifications::CANCELLED,
                Some(notifications::cancelled(request_id, reason)),
            ),
            notifications::CANCELLED,
        )
        .await
    }

    /// Reads the 2025-11-25 GET stream until it ends, passing the server's notifications to
    /// the handler (a tool-list change, for one). Returns at once for servers without one.
    pub async fn listen<H: Handler>(&self, handler: &H) -> Result<(), McpError> {
        if self.version() != Some(ProtocolVersion::V2025_11_25) {
            return Ok(());
        }
        let request = self.conn.borrow().get(None);
        let mut response = self.transport.send(request).await?;
        if response.status != 200 {
            exchange::drain(&mut response.body).await;
            return Ok(());
        }
        self.read_notifications(&mut response.body, handler).await
    }

    /// Ends the session (2025-11-25). A server that does not allow it answers 405: that is fine.
    pub async fn close(&self) -> Result<(), McpError> {
        if self.session_id().is_none() {
            return Ok(());
        }
        let request = self.conn.borrow().delete();
        let mut response = self.transport.send(request).await?;
        exchange::drain(&mut response.body).await;
        self.conn.borrow_mut().session_id = None;
        Ok(())
    }
}

fn status_error(status: u16, text: &str) -> McpError {
    match status {
        401 => McpError::Unauthorized,
        403 => McpError::OriginRefused(text.trim().chars().take(200).collect()),
        _ => McpError::Http {
            status,
            body: text.trim().chars().take(300).collect(),
        },
    }
}
