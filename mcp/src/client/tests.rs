//! The client against a scripted server: each test says what the server answers, in order,
//! and checks what the client sent.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use serde_json::{Value, json};

use super::*;
use crate::http::{HttpMethod, HttpRequest};
use crate::schema::elicitation::{ElicitAction, ElicitRequest, ElicitResult};
use crate::schema::notifications::ServerNotification;

/// Runs a future whose every await is ready at once (the scripted transport never waits).
fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(out) = f.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

struct Canned {
    status: u16,
    headers: Vec<(String, String)>,
    chunks: VecDeque<Vec<u8>>,
    /// After its chunks the body waits forever (a tool still working), instead of ending.
    hang: bool,
}

impl Body for Canned {
    async fn next_chunk(&mut self) -> Result<Option<Vec<u8>>, McpError> {
        match self.chunks.pop_front() {
            Some(chunk) => Ok(Some(chunk)),
            None if self.hang => std::future::pending().await,
            None => Ok(None),
        }
    }
}

#[derive(Default)]
struct Script {
    answers: RefCell<VecDeque<Canned>>,
    sent: RefCell<Vec<HttpRequest>>,
    slept: RefCell<Vec<u64>>,
}

impl Script {
    fn json(self, status: u16, body: Value) -> Script {
        self.raw(status, "application/json", &body.to_string(), &[])
    }
    fn raw(self, status: u16, content_type: &str, body: &str, headers: &[(&str, &str)]) -> Script {
        let mut h: Vec<(String, String)> = vec![("Content-Type".into(), content_type.into())];
        h.extend(headers.iter().map(|(a, b)| (a.to_string(), b.to_string())));
        // Cut into two chunks anywhere: the client must not care.
        let bytes = body.as_bytes();
        let cut = bytes.len() / 2;
        self.answers.borrow_mut().push_back(Canned {
            status,
            headers: h,
            chunks: VecDeque::from([bytes[..cut].to_vec(), bytes[cut..].to_vec()]),
            hang: false,
        });
        self
    }
    /// An SSE response that sends `body` and then stays open without answering.
    fn open_stream(self, body: &str) -> Script {
        self.answers.borrow_mut().push_back(Canned {
            status: 200,
            headers: vec![("Content-Type".into(), "text/event-stream".into())],
            chunks: VecDeque::from([body.as_bytes().to_vec()]),
            hang: true,
        });
        self
    }
    fn bodies(&self) -> Vec<Value> {
        self.sent
            .borrow()
            .iter()
            .filter_map(|r| r.body.as_deref())
            .map(|b| serde_json::from_str(b).unwrap())
            .collect()
    }
}

impl Transport for &Script {
    type Body = Canned;
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse<Canned>, McpError> {
        self.sent.borrow_mut().push(request);
        let canned = self
            .answers
            .borrow_mut()
            .pop_front()
            .ok_or_else(|| McpError::Unreachable("script ended".into()))?;
        Ok(HttpResponse {
            status: canned.status,
            headers: canned.headers.clone(),
            body: canned,
        })
    }
    async fn sleep(&self, ms: u64) {
        self.slept.borrow_mut().push(ms);
    }
}

#[derive(Default)]
struct Recorder {
    seen: RefCell<Vec<ServerNotification>>,
}

impl Handler for Recorder {
    async fn elicit(&self, _: ElicitRequest) -> ElicitResult {
        ElicitResult {
            action: ElicitAction::Accept,
            content: Some(json!({})),
        }
    }
    fn notify(&self, n: ServerNotification) {
        self.seen.borrow_mut().push(n);
    }
}

fn config() -> ClientConfig {
    ClientConfig {
        url: "http://127.0.0.1:9/mcp".into(),
        client_info: ClientInfo {
            name: "lantern".into(),
            version: "0".into(),
        },
        remembered: None,
        bearer: None,
        elicitation: true,
    }
}

fn init_result() -> Value {
    json!({"jsonrpc": "2.0", "id": 1, "result": {
        "protocolVersion": "2025-11-25", "capabilities": {"tools": {"listChanged": true}},
        "serverInfo": {"name": "old", "version": "1"}}})
}

#[test]
fn an_older_server_is_spoken_to_with_a_session() {
    let script = Script::default()
        .json(
            400,
            json!({"jsonrpc": "2.0", "id": null, "error": {"code": -32000, "message": "Bad Request: Server not initialized"}}),
        )
        .raw(200, "application/json", &init_result().to_string().replace("\"id\":1", "\"id\":2"), &[("mcp-session-id", "s-9")])
        .raw(202, "text/plain", "", &[])
        .json(200, json!({"jsonrpc": "2.0", "id": 3, "result": {"tools": [
            {"name": "echo", "inputSchema": {"type": "object"}}], "nextCursor": "p2"}}))
        .json(200, json!({"jsonrpc": "2.0", "id": 4, "result": {"tools": [
            {"name": "add", "inputSchema": {"type": "object"}}]}}));
    let client = Client::new(&script, config());
    let server = block_on(client.connect(&NoHandler)).unwrap();
    assert_eq!(server.protocol_version, ProtocolVersion::V2025_11_25);
    assert!(server.capabilities.tools_list_changed());
    let (tools, rejected) = block_on(client.list_tools(&NoHandler)).unwrap();
    assert_eq!(
        tools.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
        ["echo", "add"]
    );
    assert!(rejected.is_empty());
    let sent = script.sent.borrow();
    assert_eq!(sent[0].header("mcp-method"), Some("server/discover"));
    assert_eq!(
        sent[1].header("mcp-protocol-version"),
        None,
        "initialize goes without"
    );
    assert_eq!(sent[2].header("mcp-session-id"), Some("s-9"));
    assert_eq!(sent[3].header("mcp-protocol-version"), Some("2025-11-25"));
    assert_eq!(sent[3].header("mcp-method"), None);
    drop(sent);
    let bodies = script.bodies();
    assert_eq!(bodies[2]["method"], "notifications/initialized");
    assert_eq!(bodies[4]["params"]["cursor"], "p2");
    assert!(bodies[3]["params"].get("_meta").is_none());
}

#[test]
fn a_stateless_server_gets_meta_and_input_is_fulfilled_with_state_echoed() {
    let state = r#"{"nonce":"n 1",  "x":[1,2]}"#;
    let script = Script::default()
        .json(
            200,
            json!({"jsonrpc": "2.0", "id": 1, "result": {"supportedVersions": ["2026-07-28"],
            "capabilities": {"tools": {}}, "serverInfo": {"name": "new", "version": "2"}}}),
        )
        .json(
            200,
            json!({"jsonrpc": "2.0", "id": 2, "result": {"resultType": "input_required",
            "inputRequests": {"confirm": {"method": "elicitation/create", "params": {
                "message": "ok?", "requestedSchema": {"type": "object", "properties": {
                    "confirmed": {"type": "boolean", "default": true}}}}}},
            "requestState": state}}),
        )
        .json(
            200,
            json!({"jsonrpc": "2.0", "id": 3, "result": {"resultType": "complete",
            "content": [{"type": "text", "text": "done"}]}}),
        );
    let client = Client::new(&script, config());
    let server = block_on(client.connect(&Recorder::default())).unwrap();
    assert_eq!(server.protocol_version, ProtocolVersion::V2026_07_28);
    let result = block_on(client.call_tool("t", json!({}), None, &Recorder::default())).unwrap();
    assert_eq!(result.model_text(), "done");
    let bodies = script.bodies();
    let meta = &bodies[1]["params"]["_meta"];
    assert_eq!(
        meta["io.modelcontextprotocol/protocolVersion"],
        "2026-07-28"
    );
    assert!(meta["io.modelcontextprotocol/clientCapabilities"]["elicitation"].is_object());
    assert_ne!(bodies[1]["id"], bodies[2]["id"], "a retry has a new id");
    assert_eq!(
        bodies[2]["params"]["requestState"], state,
        "echoed byte for byte"
    );
    assert_eq!(
        bodies[2]["params"]["inputResponses"]["confirm"],
        json!({"action": "accept", "content": {"confirmed": true}})
    );
    assert!(bodies[1]["params"].get("requestState").is_none());
    let sent = script.sent.borrow();
    assert_eq!(sent[1].header("mcp-name"), Some("t"));
    assert_eq!(sent[1].header("mcp-protocol-version"), Some("2026-07-28"));
}

#[test]
fn a_broken_stream_is_resumed_from_its_last_event_after_the_retry_delay() {
    let script = Script::default()
        .json(200, json!({"jsonrpc": "2.0", "id": 1, "result": {"supportedVersions": ["2026-07-28"], "capabilities": {}}}))
        .raw(200, "text/event-stream", "id: e-1\nretry: 500\ndata: \n\nevent: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{\"progressToken\":7,\"progress\":1}}\n\n", &[])
        .raw(200, "text/event-stream", "id: e-2\ndata: {\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{\"content\":[]}}\n\n", &[]);
    let client = Client::new(&script, config());
    let recorder = Recorder::default();
    block_on(client.connect(&recorder)).unwrap();
    let result = block_on(client.call_tool("slow", json!({}), Some(json!(7)), &recorder)).unwrap();
    assert!(!result.is_error);
    let sent = script.sent.borrow();
    assert_eq!(sent[2].method, HttpMethod::Get);
    assert_eq!(sent[2].header("last-event-id"), Some("e-1"));
    assert_eq!(*script.slept.borrow(), [500]);
    assert!(matches!(
        recorder.seen.borrow()[0],
        ServerNotification::Progress(_)
    ));
    assert_eq!(script.bodies()[1]["params"]["_meta"]["progressToken"], 7);
}

#[test]
fn a_refused_version_is_replaced_by_a_listed_one_and_refusals_are_specific() {
    let script = Script::default()
        .json(400, json!({"jsonrpc": "2.0", "id": 1, "error": {"code": -32022,
            "message": "Unsupported protocol version", "data": {"supported": ["2026-07-28"]}}}))
        .json(200, json!({"jsonrpc": "2.0", "id": 2, "result": {"supportedVersions": ["2026-07-28"], "capabilities": {}}}));
    let client = Client::new(&script, config());
    let server = block_on(client.connect(&NoHandler)).unwrap();
    assert_eq!(server.protocol_version, ProtocolVersion::V2026_07_28);
    assert_eq!(script.sent.borrow().len(), 2);

    let refusing = Script::default().raw(403, "text/plain", "Invalid Origin header", &[]);
    let client = Client::new(&refusing, config());
    let err = block_on(client.connect(&NoHandler)).unwrap_err();
    assert_eq!(err, McpError::OriginRefused("Invalid Origin header".into()));
}

#[test]
fn tools_with_bad_header_annotations_are_set_aside() {
    let script = Script::default()
        .json(200, json!({"jsonrpc": "2.0", "id": 1, "result": {"supportedVersions": ["2026-07-28"], "capabilities": {}}}))
        .json(200, json!({"jsonrpc": "2.0", "id": 2, "result": {"tools": [
            {"name": "ok", "inputSchema": {"type": "object", "properties": {"r": {"type": "string", "x-mcp-header": "Region"}}}},
            {"name": "bad", "inputSchema": {"type": "object", "properties": {"r": {"type": "string", "x-mcp-header": "A B"}}}}
        ]}}))
        .json(200, json!({"jsonrpc": "2.0", "id": 3, "result": {"content": []}}));
    let client = Client::new(&script, config());
    block_on(client.connect(&NoHandler)).unwrap();
    let (tools, rejected) = block_on(client.list_tools(&NoHandler)).unwrap();
    assert_eq!(tools.len(), 1);
    assert_eq!(rejected[0].name, "bad");
    block_on(client.call_tool("ok", json!({"r": "eu"}), None, &NoHandler)).unwrap();
    assert_eq!(
        script.sent.borrow()[2].header("mcp-param-region"),
        Some("eu")
    );
}

/// Resolves once `ready` says so (polled again and again by `block_on`).
fn when(ready: impl Fn() -> bool) -> impl Future<Output = ()> {
    std::future::poll_fn(move |_| {
        if ready() {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    })
}

const PROGRESS_1_OF_5: &str = "event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{\"progressToken\":\"c-1\",\"progress\":1,\"total\":5,\"message\":\"step 1\"}}\n\n";

#[test]
fn a_stopped_call_on_a_session_is_cancelled_by_name_after_its_progress() {
    let script = Script::default()
        .json(400, json!({"jsonrpc": "2.0", "id": null, "error": {"code": -32000, "message": "Server not initialized"}}))
        .raw(200, "application/json", &init_result().to_string().replace("\"id\":1", "\"id\":2"), &[("mcp-session-id", "s-1")])
        .raw(202, "text/plain", "", &[])
        .open_stream(PROGRESS_1_OF_5)
        .raw(202, "text/plain", "", &[]);
    let client = Client::new(&script, config());
    let recorder = Recorder::default();
    block_on(client.connect(&recorder)).unwrap();
    let stop = when(|| !recorder.seen.borrow().is_empty());
    let outcome = block_on(client.call_tool_until(
        "slow",
        json!({"duration": 10}),
        Some(json!("c-1")),
        stop,
        &recorder,
    ));
    assert_eq!(outcome, Err(McpError::Cancelled));
    let seen = recorder.seen.borrow();
    let ServerNotification::Progress(progress) = &seen[0] else {
        panic!("{seen:?}")
    };
    assert_eq!(
        (
            progress.progress,
            progress.total,
            progress.message.as_deref()
        ),
        (1.0, Some(5.0), Some("step 1"))
    );
    let bodies = script.bodies();
    let call = &bodies[3];
    assert_eq!(call["method"], "tools/call");
    assert_eq!(call["params"]["_meta"]["progressToken"], "c-1");
    let cancel = &bodies[4];
    assert_eq!(cancel["method"], "notifications/cancelled");
    assert_eq!(cancel["params"]["requestId"], call["id"]);
    assert!(cancel.get("id").is_none(), "a notification has no id");
    assert_eq!(
        script.sent.borrow()[4].header("mcp-session-id"),
        Some("s-1")
    );
    assert!(client.on_wire.borrow().is_empty());
}

#[test]
fn a_stopped_stateless_call_only_closes_its_stream() {
    let script = Script::default()
        .json(200, json!({"jsonrpc": "2.0", "id": 1, "result": {"supportedVersions": ["2026-07-28"], "capabilities": {}}}))
        .open_stream(PROGRESS_1_OF_5);
    let client = Client::new(&script, config());
    let recorder = Recorder::default();
    block_on(client.connect(&recorder)).unwrap();
    let stop = when(|| !recorder.seen.borrow().is_empty());
    let outcome =
        block_on(client.call_tool_until("slow", json!({}), Some(json!("c-1")), stop, &recorder));
    assert_eq!(outcome, Err(McpError::Cancelled));
    // 2026-07-28 has no cancel notification: the response dropped is the cancellation.
    assert_eq!(script.sent.borrow().len(), 2);
    // A call that is not stopped still answers (and leaves nothing behind).
    let script = Script::default()
        .json(200, json!({"jsonrpc": "2.0", "id": 1, "result": {"supportedVersions": ["2026-07-28"], "capabilities": {}}}))
        .json(200, json!({"jsonrpc": "2.0", "id": 2, "result": {"content": [{"type": "text", "text": "ok"}]}}));
    let client = Client::new(&script, config());
    block_on(client.connect(&NoHandler)).unwrap();
    let result =
        block_on(client.call_tool_until("t", json!({}), None, std::future::pending(), &NoHandler))
            .unwrap();
    assert_eq!(result.model_text(), "ok");
    assert!(client.on_wire.borrow().is_empty());
}

#[test]
fn a_list_change_on_the_session_stream_reaches_the_handler_and_the_tools_are_listed_again() {
    let list = |id: i64, names: &[&str]| {
        let tools: Vec<Value> = names
            .iter()
            .map(|n| json!({"name": n, "inputSchema": {"type": "object"}}))
            .collect();
        json!({"jsonrpc": "2.0", "id": id, "result": {"tools": tools}})
    };
    let script = Script::default()
        .json(400, json!({"jsonrpc": "2.0", "id": null, "error": {"code": -32000, "message": "Server not initialized"}}))
        .raw(200, "application/json", &init_result().to_string().replace("\"id\":1", "\"id\":2"), &[("mcp-session-id", "s-2")])
        .raw(202, "text/plain", "", &[])
        .json(200, list(3, &["a"]))
        .raw(200, "text/event-stream", "event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/tools/list_changed\"}\n\n", &[])
        .json(200, list(4, &["a", "b"]));
    let client = Client::new(&script, config());
    let recorder = Recorder::default();
    block_on(client.connect(&recorder)).unwrap();
    assert_eq!(block_on(client.list_tools(&recorder)).unwrap().0.len(), 1);
    block_on(client.listen(&recorder)).unwrap();
    assert_eq!(
        *recorder.seen.borrow(),
        [ServerNotification::ToolsListChanged]
    );
    let sent = script.sent.borrow();
    assert_eq!(sent[4].method, HttpMethod::Get);
    assert_eq!(sent[4].header("mcp-session-id"), Some("s-2"));
    drop(sent);
    let (tools, _) = block_on(client.list_tools(&recorder)).unwrap();
    assert_eq!(
        tools.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
        ["a", "b"]
    );
}

#[test]
fn resources_and_prompts_are_listed_page_by_page_read_and_filled() {
    let script = Script::default()
        .json(200, json!({"jsonrpc": "2.0", "id": 1, "result": {"supportedVersions": ["2026-07-28"], "capabilities": {"resources": {}, "prompts": {}}}}))
        .json(200, json!({"jsonrpc": "2.0", "id": 2, "result": {"resources": [
            {"uri": "demo://a", "name": "A", "mimeType": "text/plain"}], "nextCursor": "r2"}}))
        .json(200, json!({"jsonrpc": "2.0", "id": 3, "result": {"resources": [
            {"uri": "demo://b", "name": "B"}]}}))
        .json(200, json!({"jsonrpc": "2.0", "id": 4, "result": {"resourceTemplates": [
            {"uriTemplate": "demo://notes/{id}", "name": "Note"}]}}))
        .json(200, json!({"jsonrpc": "2.0", "id": 5, "result": {"contents": [
            {"uri": "demo://a", "mimeType": "text/plain", "text": "alpha"}]}}))
        .json(200, json!({"jsonrpc": "2.0", "id": 6, "result": {"prompts": [
            {"name": "greet", "description": "Says hi", "arguments": [{"name": "who", "required": true}]}]}}))
        .json(200, json!({"jsonrpc": "2.0", "id": 7, "result": {"description": "Greeting", "messages": [
            {"role": "user", "content": {"type": "text", "text": "Say hi to Ada"}}]}}));
    let client = Client::new(&script, config());
    block_on(client.connect(&NoHandler)).unwrap();
    let resources = block_on(client.list_resources(&NoHandler)).unwrap();
    assert_eq!(
        resources.iter().map(|r| r.uri.as_str()).collect::<Vec<_>>(),
        ["demo://a", "demo://b"]
    );
    let templates = block_on(client.list_resource_templates(&NoHandler)).unwrap();
    assert_eq!(templates[0].uri_template, "demo://notes/{id}");
    let read = block_on(client.read_resource("demo://a", &NoHandler)).unwrap();
    assert_eq!(read.contents[0].text.as_deref(), Some("alpha"));
    let prompts = block_on(client.list_prompts(&NoHandler)).unwrap();
    assert_eq!(prompts[0].name, "greet");
    let got = block_on(client.get_prompt("greet", json!({"who": "Ada"}), &NoHandler)).unwrap();
    assert_eq!(got.messages.len(), 1);
    let bodies = script.bodies();
    assert_eq!(bodies[2]["params"]["cursor"], "r2");
    assert_eq!(bodies[3]["method"], "resources/templates/list");
    assert_eq!(bodies[4]["params"]["uri"], "demo://a");
    assert_eq!(bodies[6]["params"]["arguments"], json!({"who": "Ada"}));
    let sent = script.sent.borrow();
    // 2026-07-28 routes by method and by name.
    assert_eq!(sent[4].header("mcp-method"), Some("resources/read"));
    assert_eq!(sent[4].header("mcp-name"), Some("demo://a"));
    assert_eq!(sent[6].header("mcp-name"), Some("greet"));
}
