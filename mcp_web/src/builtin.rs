//! The servers built into Lantern, as this module reaches them: an address `lantern:<name>`
//! picks an in-process transport to that server instead of `fetch`, so the client, the session
//! and everything above them are the same for both. The memories server's store and embeddings,
//! and the files server's folder, come from the page that made the session (`mcp_host.js`:
//! IndexedDB and the embeddings worker; `files_store.js`: the origin-private file system).

use js_sys::{Function, Promise, Reflect};
use mcp::McpError;
use mcp::client::{Body, HttpResponse, Transport};
use mcp::http::HttpRequest;
use mcp::server::{InProcess, OneChunk};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tools::calculator_server::{CALCULATOR_URL, CalculatorServer};
use tools::files::{FILES_URL, FileInfo, FileStore, FilesServer};
use tools::memories::{Embed, MEMORIES_URL, MemoriesServer, Memory, MemoryStore};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::fetch::{FetchBody, FetchTransport};
use crate::session::to_js;

type Memories = MemoriesServer<JsStore, JsEmbed>;

pub enum AnyTransport {
    Fetch(FetchTransport),
    Calculator(InProcess<CalculatorServer>),
    Memories(Box<InProcess<Memories>>),
    Files(Box<InProcess<FilesServer<JsFiles>>>),
}

pub enum AnyBody {
    Fetch(FetchBody),
    Local(OneChunk),
}

impl Body for AnyBody {
    async fn next_chunk(&mut self) -> Result<Option<Vec<u8>>, McpError> {
        match self {
            AnyBody::Fetch(body) => body.next_chunk().await,
            AnyBody::Local(body) => body.next_chunk().await,
        }
    }
}

fn local(response: HttpResponse<OneChunk>) -> HttpResponse<AnyBody> {
    HttpResponse {
        status: response.status,
        headers: response.headers,
        body: AnyBody::Local(response.body),
    }
}

impl Transport for AnyTransport {
    type Body = AnyBody;

    async fn send(&self, request: HttpRequest) -> Result<HttpResponse<AnyBody>, McpError> {
        match self {
            AnyTransport::Fetch(fetch) => {
                let r = fetch.send(request).await?;
                Ok(HttpResponse {
                    status: r.status,
                    headers: r.headers,
                    body: AnyBody::Fetch(r.body),
                })
            }
            AnyTransport::Calculator(t) => t.send(request).await.map(local),
            AnyTransport::Memories(t) => t.send(request).await.map(local),
            AnyTransport::Files(t) => t.send(request).await.map(local),
        }
    }

    async fn sleep(&self, ms: u64) {
        match self {
            AnyTransport::Fetch(fetch) => fetch.sleep(ms).await,
            AnyTransport::Calculator(t) => t.sleep(ms).await,
            AnyTransport::Memories(t) => t.sleep(ms).await,
            AnyTransport::Files(t) => t.sleep(ms).await,
        }
    }
}

/// The transport for `url`: a built-in server's, or `fetch`. `options` holds what the memories
/// server needs (`memories: {put, all, delete}`, `embed(model, texts)`) and the files server's
/// folder (`files: {list, read, write, delete}`).
pub fn transport_for(url: &str, options: &JsValue) -> Result<AnyTransport, String> {
    if !url.starts_with("lantern:") {
        return Ok(AnyTransport::Fetch(FetchTransport));
    }
    let function = |of: &JsValue, key: &str| {
        Reflect::get(of, &key.into())
            .ok()
            .and_then(|v| v.dyn_into::<Function>().ok())
            .ok_or_else(|| format!("the server {url} needs the page's {key:?}"))
    };
    match url {
        CALCULATOR_URL => Ok(AnyTransport::Calculator(InProcess::new(CalculatorServer))),
        FILES_URL => {
            let folder = Reflect::get(options, &"files".into()).unwrap_or(JsValue::UNDEFINED);
            let store = JsFiles {
                list: function(&folder, "list")?,
                read: function(&folder, "read")?,
                write: function(&folder, "write")?,
                delete: function(&folder, "delete")?,
            };
            Ok(AnyTransport::Files(Box::new(InProcess::new(
                FilesServer::new(store),
            ))))
        }
        MEMORIES_URL => {
            let store = Reflect::get(options, &"memories".into()).unwrap_or(JsValue::UNDEFINED);
            let store = JsStore {
                put: function(&store, "put")?,
                all: function(&store, "all")?,
                delete: function(&store, "delete")?,
            };
            let embed = JsEmbed {
                embed: function(options, "embed")?,
            };
            let now = Box::new(js_sys::Date::now);
            Ok(AnyTransport::Memories(Box::new(InProcess::new(
                MemoriesServer::new(store, embed, now),
            ))))
        }
        other => Err(format!("Lantern has no built-in server {other:?}")),
    }
}

/// Calls a page function that returns a promise (or a value) and reads its answer.
async fn call<T: DeserializeOwned>(f: &Function, args: &[JsValue]) -> Result<T, String> {
    let value = call_raw(f, args).await?;
    serde_wasm_bindgen::from_value(value).map_err(|e| e.to_string())
}

/// `call`, the answer left as JavaScript (bytes stay a `Uint8Array`).
async fn call_raw(f: &Function, args: &[JsValue]) -> Result<JsValue, String> {
    let array: js_sys::Array = args.iter().collect();
    let value = f.apply(&JsValue::NULL, &array).map_err(|e| describe(&e))?;
    JsFuture::from(Promise::resolve(&value))
        .await
        .map_err(|e| describe(&e))
}

fn describe(error: &JsValue) -> String {
    Reflect::get(error, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| error.as_string())
        .unwrap_or_else(|| format!("{error:?}"))
}

fn js<T: Serialize>(value: &T) -> JsValue {
    to_js(value)
}

/// Memories in the page's IndexedDB.
pub struct JsStore {
    put: Function,
    all: Function,
    delete: Function,
}

impl MemoryStore for JsStore {
    async fn put(&self, memory: &Memory) -> Result<(), String> {
        call::<serde_json::Value>(&self.put, &[js(memory)])
            .await
            .map(|_| ())
            .map_err(|e| format!("the memory could not be stored: {e}"))
    }

    async fn all(&self) -> Result<Vec<Memory>, String> {
        call(&self.all, &[])
            .await
            .map_err(|e| format!("the memories could not be read: {e}"))
    }

    async fn delete(&self, id: &str) -> Result<bool, String> {
        call(&self.delete, &[JsValue::from_str(id)])
            .await
            .map_err(|e| format!("the memory could not be deleted: {e}"))
    }
}

/// Embeddings from the embeddings worker, through the page.
pub struct JsEmbed {
    embed: Function,
}

impl Embed for JsEmbed {
    async fn embed(&self, model: &str, texts: Vec<String>) -> Result<Vec<Vec<f32>>, String> {
        call(&self.embed, &[JsValue::from_str(model), js(&texts)]).await
    }
}

/// The files server's folder in the origin-private file system, through the page.
pub struct JsFiles {
    list: Function,
    read: Function,
    write: Function,
    delete: Function,
}

impl FileStore for JsFiles {
    async fn list(&self) -> Result<Vec<FileInfo>, String> {
        call(&self.list, &[])
            .await
            .map_err(|e| format!("the files could not be listed: {e}"))
    }

    async fn read(&self, path: &str) -> Result<Option<Vec<u8>>, String> {
        let value = call_raw(&self.read, &[JsValue::from_str(path)])
            .await
            .map_err(|e| format!("{path} could not be read: {e}"))?;
        if value.is_null() || value.is_undefined() {
            return Ok(None);
        }
        let bytes = value
            .dyn_into::<js_sys::Uint8Array>()
            .map_err(|_| format!("{path} was read as something other than bytes"))?;
        Ok(Some(bytes.to_vec()))
    }

    async fn write(&self, path: &str, bytes: Vec<u8>) -> Result<(), String> {
        let array = js_sys::Uint8Array::from(bytes.as_slice());
        call_raw(&self.write, &[JsValue::from_str(path), array.into()])
            .await
            .map(|_| ())
            .map_err(|e| format!("{path} could not be written: {e}"))
    }

    async fn delete(&self, path: &str) -> Result<bool, String> {
        call(&self.delete, &[JsValue::from_str(path)])
            .await
            .map_err(|e| format!("{path} could not be deleted: {e}"))
    }
}
