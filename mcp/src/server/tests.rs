//! The client against a server in the same process: both generations' handshakes, tools,
//! resources, prompts and the errors of each, through the real client and transport.

use std::cell::RefCell;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use serde_json::{Map, Value, json};

use super::*;
use crate::client::{Client, ClientConfig, NoHandler, Transport, read_all};
use crate::error::McpError;
use crate::http::{HttpMethod, HttpRequest};
use crate::schema::content::{Content, ResourceContents};
use crate::schema::prompts::{PromptArgument, PromptMessage};
use crate::schema::server::ClientInfo;
use crate::version::ProtocolVersion;

/// Runs a future whose every await is ready at once (the test server never waits).
fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(out) = f.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

/// A server with one tool of each outcome, one resource and one prompt, that notes its calls.
#[derive(Default)]
struct Notes {
    calls: RefCell<Vec<(String, Value)>>,
}

impl Server for Notes {
    fn info(&self) -> ServerInfo {
        ServerInfo {
            name: "notes".into(),
            version: "1.0".into(),
            instructions: Some("Keep notes.".into()),
        }
    }

    fn tools(&self) -> Vec<Tool> {
        ["add", "fail"]
            .into_iter()
            .map(|name| Tool {
                name: name.into(),
                title: None,
                description: Some(format!("{name} things")),
                input_schema: json!({"type": "object", "properties": {"a": {"type": "number"}, "b": {"type": "number"}}}),
                output_schema: None,
                annotations: Some(json!({"readOnlyHint": true})),
            })
            .collect()
    }

    async fn call_tool(&self, name: &str, arguments: Value) -> Result<CallToolResult, RpcError> {
        self.calls
            .borrow_mut()
            .push((name.to_owned(), arguments.clone()));
        Ok(match name {
            "add" => {
                let n = |k: &str| arguments.get(k).and_then(Value::as_f64).unwrap_or(0.0);
                tool_text(format!("{}", n("a") + n("b")))
            }
            _ => tool_error("it failed on purpose"),
        })
    }

    fn has_resources(&self) -> bool {
        true
    }

    async fn list_resources(&self) -> Result<Vec<Resource>, RpcError> {
        Ok(vec![Resource {
            uri: "notes://today".into(),
            name: "today".into(),
            title: None,
            description: None,
            mime_type: Some("text/plain".into()),
        }])
    }

    async fn read_resource(&self, uri: &str) -> Result<ReadResourceResult, RpcError> {
        if uri != "notes://today" {
            return Err(resource_not_found(uri));
        }
        Ok(ReadResourceResult {
            contents: vec![ResourceContents {
                uri: uri.into(),
                mime_type: Some("text/plain".into()),
                text: Some("buy bread".into()),
                blob: None,
            }],
        })
    }

    fn prompts(&self) -> Vec<Prompt> {
        vec![Prompt {
            name: "summarise".into(),
            title: None,
            description: None,
            arguments: vec![PromptArgument {
                name: "topic".into(),
                description: None,
                required: true,
            }],
        }]
    }

    async fn get_prompt(
        &self,
        name: &str,
        arguments: Map<String, Value>,
    ) -> Result<GetPromptResult, RpcError> {
        let topic = arguments.get("topic").and_then(Value::as_str);
        match (name, topic) {
            ("summarise", Some(topic)) => Ok(GetPromptResult {
                description: None,
                messages: vec![PromptMessage {
                    role: "user".into(),
                    content: Content::Text {
                        text: format!("Summarise my notes about {topic}."),
                    },
                }],
            }),
            _ => Err(RpcError::new(RpcError::INVALID_PARAMS, "no such prompt")),
        }
    }
}

fn config(remembered: Option<ProtocolVersion>) -> ClientConfig {
    ClientConfig {
        url: "lantern:notes".into(),
        client_info: ClientInfo {
            name: "lantern".into(),
            version: "0".into(),
        },
        remembered,
        bearer: None,
        elicitation: false,
    }
}

#[test]
fn the_newest_protocol_is_found_and_tools_run() {
    let client = Client::new(InProcess::new(Notes::default()), config(None));
    let server = block_on(client.connect(&NoHandler)).unwrap();
    assert_eq!(server.protocol_version, ProtocolVersion::V2026_07_28);
    assert_eq!(
        (server.name.as_str(), server.version.as_str()),
        ("notes", "1.0")
    );
    assert_eq!(server.instructions.as_deref(), Some("Keep notes."));
    assert!(server.capabilities.tools() && server.capabilities.resources());
    assert!(server.capabilities.prompts());
    let (tools, rejected) = block_on(client.list_tools(&NoHandler)).unwrap();
    assert_eq!(tools.len(), 2);
    assert!(rejected.is_empty());
    let sum =
        block_on(client.call_tool("add", json!({"a": 2, "b": 3.5}), None, &NoHandler)).unwrap();
    assert_eq!((sum.model_text().as_str(), sum.is_error), ("5.5", false));
    let failed = block_on(client.call_tool("fail", json!({}), None, &NoHandler)).unwrap();
    assert!(failed.is_error);
    assert_eq!(failed.model_text(), "it failed on purpose");
    // No session and no stream in the stateless generation.
    assert_eq!(client.session_id(), None);
    block_on(client.listen(&NoHandler)).unwrap();
    block_on(client.close()).unwrap();
}

#[test]
fn an_unknown_tool_is_an_error_and_never_runs() {
    let client = Client::new(InProcess::new(Notes::default()), config(None));
    block_on(client.connect(&NoHandler)).unwrap();
    let err = block_on(client.call_tool("rm", json!({}), None, &NoHandler)).unwrap_err();
    match err {
        McpError::Rpc(e) => {
            assert_eq!(e.code, RpcError::INVALID_PARAMS);
            assert!(e.message.contains("\"rm\""), "{}", e.message);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_session_generation_is_spoken_when_remembered() {
    let notes = Rc::new(Notes::default());
    let client = Client::new(
        InProcess::new(notes.clone()),
        config(Some(ProtocolVersion::V2025_11_25)),
    );
    let server = block_on(client.connect(&NoHandler)).unwrap();
    assert_eq!(server.protocol_version, ProtocolVersion::V2025_11_25);
    assert_eq!(server.protocol_revision, "2025-11-25");
    assert_eq!(server.name, "notes");
    let sum = block_on(client.call_tool("add", json!({"a": 1, "b": 1}), None, &NoHandler)).unwrap();
    assert_eq!(sum.model_text(), "2");
    assert_eq!(notes.calls.borrow().len(), 1);
    assert_eq!(notes.calls.borrow()[0].1, json!({"a": 1, "b": 1}));
}

#[test]
fn resources_and_prompts_round_trip() {
    let client = Client::new(InProcess::new(Notes::default()), config(None));
    block_on(client.connect(&NoHandler)).unwrap();
    let resources = block_on(client.list_resources(&NoHandler)).unwrap();
    assert_eq!(resources[0].uri, "notes://today");
    assert!(
        block_on(client.list_resource_templates(&NoHandler))
            .unwrap()
            .is_empty()
    );
    let read = block_on(client.read_resource("notes://today", &NoHandler)).unwrap();
    assert_eq!(read.contents[0].text.as_deref(), Some("buy bread"));
    match block_on(client.read_resource("notes://never", &NoHandler)).unwrap_err() {
        McpError::Rpc(e) => assert_eq!(e.code, RESOURCE_NOT_FOUND),
        other => panic!("{other:?}"),
    }
    let prompts = block_on(client.list_prompts(&NoHandler)).unwrap();
    assert_eq!(prompts[0].name, "summarise");
    let got =
        block_on(client.get_prompt("summarise", json!({"topic": "bread"}), &NoHandler)).unwrap();
    assert_eq!(
        got.messages[0].content,
        Content::Text {
            text: "Summarise my notes about bread.".into()
        }
    );
    assert!(block_on(client.get_prompt("summarise", json!({}), &NoHandler)).is_err());
}

/// What the transport answers to requests no client of ours would send.
fn raw(request: HttpRequest) -> (u16, Value) {
    let transport = InProcess::new(Notes::default());
    let mut response = block_on(transport.send(request)).unwrap();
    let body = block_on(read_all(&mut response.body)).unwrap();
    let value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    (response.status, value)
}

fn post(body: &str) -> HttpRequest {
    HttpRequest {
        method: HttpMethod::Post,
        url: "lantern:notes".into(),
        headers: Vec::new(),
        body: Some(body.into()),
    }
}

#[test]
fn malformed_and_unsupported_requests_get_json_rpc_errors() {
    let (status, body) = raw(post("{not json"));
    assert_eq!(
        (status, body["error"]["code"].as_i64()),
        (400, Some(RpcError::PARSE_ERROR))
    );
    let (status, body) = raw(post(
        r#"[{"jsonrpc":"2.0","method":"a"},{"jsonrpc":"2.0","method":"b"}]"#,
    ));
    assert_eq!(
        (status, body["error"]["code"].as_i64()),
        (400, Some(RpcError::INVALID_REQUEST))
    );
    let (status, body) = raw(post(
        r#"{"jsonrpc":"2.0","id":4,"method":"sampling/createMessage"}"#,
    ));
    assert_eq!(
        (status, body["error"]["code"].as_i64()),
        (200, Some(RpcError::METHOD_NOT_FOUND))
    );
    assert_eq!(body["id"], 4);
    let (status, body) = raw(post(
        r#"{"jsonrpc":"2.0","id":5,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2099-01-01"}}}"#,
    ));
    assert_eq!(status, 200);
    assert_eq!(
        body["error"]["code"],
        RpcError::UNSUPPORTED_PROTOCOL_VERSION
    );
    assert_eq!(body["error"]["data"]["supported"], json!(["2026-07-28"]));
    let (status, _) = raw(post(
        r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
    ));
    assert_eq!(status, 202);
    let (status, body) = raw(post(
        r#"{"jsonrpc":"2.0","id":6,"method":"tools/call","params":{}}"#,
    ));
    assert_eq!(
        (status, body["error"]["code"].as_i64()),
        (200, Some(RpcError::INVALID_PARAMS))
    );
    let get = HttpRequest {
        method: HttpMethod::Get,
        body: None,
        ..post("")
    };
    assert_eq!(raw(get).0, 405);
}
