//! `McpSession`, one connection to one server as JavaScript sees it: every method returns a
//! promise of plain JSON, and every failure rejects with `{code, message}` (`code` from
//! `McpError::code`, which the UI words).

use std::rc::Rc;

use js_sys::{Function, Promise, Reflect};
use mcp::schema::ClientInfo;
use mcp::{Client, ClientConfig, McpError, ProtocolVersion};
use serde::Serialize;
use serde_json::{Value, json};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{JsFuture, future_to_promise};

use crate::builtin::{AnyTransport, transport_for};
use crate::handler::JsHandler;

/// Plain JSON for JavaScript (objects, not `Map`s).
pub fn to_js<T: Serialize>(value: &T) -> JsValue {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap_or(JsValue::NULL)
}

fn error_js(error: &McpError) -> JsValue {
    let mut value = json!({"code": error.code(), "message": error.to_string()});
    if let McpError::Rpc(rpc) = error {
        value["rpc_code"] = rpc.code.into();
    }
    to_js(&value)
}

struct Inner {
    client: Client<AnyTransport>,
    handler: JsHandler,
}

#[wasm_bindgen]
pub struct McpSession {
    inner: Rc<Inner>,
}

fn string_option(options: &JsValue, key: &str) -> Option<String> {
    Reflect::get(options, &key.into())
        .ok()
        .and_then(|v| v.as_string())
}

fn function_option(options: &JsValue, key: &str) -> Option<Function> {
    Reflect::get(options, &key.into())
        .ok()
        .and_then(|v| v.dyn_into::<Function>().ok())
}

#[wasm_bindgen]
impl McpSession {
    /// `options`: `{url, remembered?, bearer?, clientName?, clientVersion?, elicit?, notify?}`;
    /// for the built-in memories server (`lantern:memories`) also `memories: {put, all, delete}`
    /// and `embed(model, texts)`.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<McpSession, JsValue> {
        console_error_panic_hook::set_once();
        let url = string_option(&options, "url")
            .ok_or_else(|| to_js(&json!({"code": "protocol", "message": "no url"})))?;
        let transport = transport_for(&url, &options)
            .map_err(|message| to_js(&json!({"code": "protocol", "message": message})))?;
        let elicit = function_option(&options, "elicit");
        let config = ClientConfig {
            url,
            client_info: ClientInfo {
                name: string_option(&options, "clientName").unwrap_or_else(|| "lantern".into()),
                version: string_option(&options, "clientVersion")
                    .unwrap_or_else(|| env!("CARGO_PKG_VERSION").into()),
            },
            remembered: string_option(&options, "remembered")
                .and_then(|v| ProtocolVersion::parse(&v)),
            bearer: string_option(&options, "bearer"),
            elicitation: elicit.is_some(),
        };
        Ok(McpSession {
            inner: Rc::new(Inner {
                client: Client::new(transport, config),
                handler: JsHandler {
                    elicit,
                    notify: function_option(&options, "notify"),
                },
            }),
        })
    }

    /// Finds the protocol and describes the server.
    pub fn connect(&self) -> Promise {
        self.run(|inner| async move {
            inner
                .client
                .connect(&inner.handler)
                .await
                .map(|s| serde_json::to_value(s).unwrap_or_default())
        })
    }

    /// `{tools, rejected: [{name, reason}]}`.
    #[wasm_bindgen(js_name = listTools)]
    pub fn list_tools(&self) -> Promise {
        self.run(|inner| async move {
            let (tools, rejected) = inner.client.list_tools(&inner.handler).await?;
            let rejected: Vec<Value> = rejected
                .into_iter()
                .map(|r| json!({"name": r.name, "reason": r.reason}))
                .collect();
            Ok(json!({"tools": tools, "rejected": rejected}))
        })
    }

    /// The result as sent, plus `modelText`: what a language model may read of it.
    /// `progress_token` asks for progress notifications (they reach `notify`); `stop`, a
    /// promise, abandons the call when it settles (rejecting with code `cancelled`).
    #[wasm_bindgen(js_name = callTool)]
    pub fn call_tool(
        &self,
        name: String,
        arguments: JsValue,
        progress_token: JsValue,
        stop: JsValue,
    ) -> Promise {
        let arguments: Value = serde_wasm_bindgen::from_value(arguments).unwrap_or(json!({}));
        let token: Option<Value> = serde_wasm_bindgen::from_value(progress_token)
            .ok()
            .flatten();
        let stop = stop.dyn_into::<Promise>().ok();
        self.run(move |inner| async move {
            let stopped = async move {
                match stop {
                    Some(stop) => drop(JsFuture::from(stop).await),
                    None => std::future::pending().await,
                }
            };
            let result = inner
                .client
                .call_tool_until(&name, arguments, token, stopped, &inner.handler)
                .await?;
            let mut value = serde_json::to_value(&result).unwrap_or_default();
            value["modelText"] = result.model_text().into();
            Ok(value)
        })
    }

    #[wasm_bindgen(js_name = listResources)]
    pub fn list_resources(&self) -> Promise {
        self.run(|inner| async move {
            let all = inner.client.list_resources(&inner.handler).await?;
            Ok(serde_json::to_value(all).unwrap_or_default())
        })
    }

    #[wasm_bindgen(js_name = listResourceTemplates)]
    pub fn list_resource_templates(&self) -> Promise {
        self.run(|inner| async move {
            let all = inner.client.list_resource_templates(&inner.handler).await?;
            Ok(serde_json::to_value(all).unwrap_or_default())
        })
    }

    #[wasm_bindgen(js_name = readResource)]
    pub fn read_resource(&self, uri: String) -> Promise {
        self.run(move |inner| async move {
            let read = inner.client.read_resource(&uri, &inner.handler).await?;
            Ok(serde_json::to_value(read).unwrap_or_default())
        })
    }

    #[wasm_bindgen(js_name = listPrompts)]
    pub fn list_prompts(&self) -> Promise {
        self.run(|inner| async move {
            let all = inner.client.list_prompts(&inner.handler).await?;
            Ok(serde_json::to_value(all).unwrap_or_default())
        })
    }

    #[wasm_bindgen(js_name = getPrompt)]
    pub fn get_prompt(&self, name: String, arguments: JsValue) -> Promise {
        let arguments: Value = serde_wasm_bindgen::from_value(arguments).unwrap_or(json!({}));
        self.run(move |inner| async move {
            let got = inner
                .client
                .get_prompt(&name, arguments, &inner.handler)
                .await?;
            Ok(serde_json::to_value(got).unwrap_or_default())
        })
    }

    /// Reads the server's own stream (2025-11-25) until it ends; resolves at once otherwise.
    pub fn listen(&self) -> Promise {
        self.run(|inner| async move {
            inner.client.listen(&inner.handler).await?;
            Ok(Value::Null)
        })
    }

    /// Ends the session.
    pub fn close(&self) -> Promise {
        self.run(|inner| async move {
            inner.client.close().await?;
            Ok(Value::Null)
        })
    }

    fn run<F, Fut>(&self, work: F) -> Promise
    where
        F: FnOnce(Rc<Inner>) -> Fut,
        Fut: Future<Output = Result<Value, McpError>> + 'static,
    {
        let future = work(self.inner.clone());
        future_to_promise(async move {
            match future.await {
                Ok(value) => Ok(to_js(&value)),
                Err(error) => Err(error_js(&error)),
            }
        })
    }
}
