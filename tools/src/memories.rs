//! The memories server (`lantern:memories`): what the user asked Lantern to remember, kept by
//! whoever owns the store (IndexedDB in the extension) and found again by meaning: every memory
//! is stored with its sentence embedding, and `recall` ranks them by cosine similarity to the
//! question. Tools: remember and forget change what is stored (the chat asks the user first);
//! recall and list only read. Each memory is also a resource (`memory://<id>`).

use mcp::jsonrpc::RpcError;
use mcp::schema::content::ResourceContents;
use mcp::schema::resources::{ReadResourceResult, Resource};
use mcp::schema::{CallToolResult, Tool};
use mcp::server::{Server, ServerInfo, resource_not_found, tool_error, tool_text};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The address the chat and the Tools card know it by.
pub const MEMORIES_URL: &str = "lantern:memories";
/// The embedding model memories are stored and searched with (the catalog's id).
pub const EMBED_MODEL: &str = "all-minilm-l6-v2";
/// How many memories `recall` returns unless asked otherwise.
const RECALL_DEFAULT: usize = 3;
const RECALL_MAX: usize = 10;
/// A memory longer than this is refused: memories are facts, not documents.
const MAX_CHARS: usize = 2000;
const URI_PREFIX: &str = "memory://";

/// One memory as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Memory {
    pub id: String,
    pub text: String,
    /// Milliseconds since the epoch.
    pub created: f64,
    /// The embedding model `vector` came from; memories of another model are not compared.
    pub model: String,
    pub vector: Vec<f32>,
}

/// Where memories live. Errors are sentences for the model and the user.
#[allow(async_fn_in_trait)]
pub trait MemoryStore {
    async fn put(&self, memory: &Memory) -> Result<(), String>;
    async fn all(&self) -> Result<Vec<Memory>, String>;
    /// Whether there was such a memory.
    async fn delete(&self, id: &str) -> Result<bool, String>;
}

/// Turns texts into unit-length embeddings with `model`.
#[allow(async_fn_in_trait)]
pub trait Embed {
    async fn embed(&self, model: &str, texts: Vec<String>) -> Result<Vec<Vec<f32>>, String>;
}

pub struct MemoriesServer<S, E> {
    store: S,
    embedder: E,
    /// Milliseconds since the epoch (the browser's clock, or a test's).
    now: Box<dyn Fn() -> f64>,
}

impl<S: MemoryStore, E: Embed> MemoriesServer<S, E> {
    pub fn new(store: S, embedder: E, now: Box<dyn Fn() -> f64>) -> Self {
        MemoriesServer {
            store,
            embedder,
            now,
        }
    }

    async fn embed_one(&self, text: &str) -> Result<Vec<f32>, String> {
        // The usual failure is a model never downloaded: say which one and where to get it.
        self.embedder
            .embed(EMBED_MODEL, vec![text.to_owned()])
            .await
            .map_err(|e| {
                format!(
                    "memories need the embedding model all-MiniLM-L6-v2 ({EMBED_MODEL}), which \
                     failed: {e}. Download it in the Models card of Lantern's options page."
                )
            })?
            .pop()
            .ok_or_else(|| "the embeddings engine returned nothing".to_owned())
    }

    async fn remember(&self, arguments: &Value) -> Result<String, String> {
        let text = text_argument(arguments, "text")?;
        if text.chars().count() > MAX_CHARS {
            return Err(format!(
                "a memory holds at most {MAX_CHARS} characters; this one has {}",
                text.chars().count()
            ));
        }
        let vector = self.embed_one(&text).await?;
        let created = (self.now)();
        let existing = self.store.all().await?;
        // Ids stay unique when two memories are made in the same millisecond.
        let mut id = format!("m{created:.0}");
        let mut n = 1;
        while existing.iter().any(|m| m.id == id) {
            n += 1;
            id = format!("m{created:.0}-{n}");
        }
        let memory = Memory {
            id: id.clone(),
            text: text.clone(),
            created,
            model: EMBED_MODEL.into(),
            vector,
        };
        self.store.put(&memory).await?;
        Ok(json!({"remembered": text, "id": id}).to_string())
    }

    async fn recall(&self, arguments: &Value) -> Result<String, String> {
        let query = text_argument(arguments, "query")?;
        let limit = arguments
            .get("limit")
            .and_then(Value::as_u64)
            .map_or(RECALL_DEFAULT, |n| (n as usize).clamp(1, RECALL_MAX));
        let memories = self.store.all().await?;
        if memories.is_empty() {
            return Ok(
                json!({"memories": [], "note": "nothing has been remembered yet"}).to_string(),
            );
        }
        let question = self.embed_one(&query).await?;
        let mut scored: Vec<(f32, &Memory)> = memories
            .iter()
            .filter(|m| m.model == EMBED_MODEL && m.vector.len() == question.len())
            .map(|m| (dot(&m.vector, &question), m))
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0));
        let found: Vec<Value> = scored
            .iter()
            .take(limit)
            .map(|(score, m)| json!({"text": m.text, "id": m.id, "similarity": round(*score)}))
            .collect();
        Ok(json!({"memories": found}).to_string())
    }

    async fn list(&self) -> Result<String, String> {
        let mut memories = self.store.all().await?;
        memories.sort_by(|a, b| b.created.total_cmp(&a.created));
        let all: Vec<Value> = memories
            .iter()
            .map(|m| json!({"text": m.text, "id": m.id}))
            .collect();
        Ok(json!({"memories": all}).to_string())
    }

    async fn forget(&self, arguments: &Value) -> Result<String, String> {
        let id = text_argument(arguments, "id")?;
        if self.store.delete(&id).await? {
            Ok(json!({"forgotten": id}).to_string())
        } else {
            Err(format!(
                "there is no memory with id {id:?} (list shows the ids)"
            ))
        }
    }
}

fn text_argument(arguments: &Value, key: &str) -> Result<String, String> {
    match arguments.get(key).and_then(Value::as_str).map(str::trim) {
        Some(text) if !text.is_empty() => Ok(text.to_owned()),
        _ => Err(format!("the call needs a non-empty {key:?} string")),
    }
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn round(score: f32) -> f64 {
    (f64::from(score) * 1000.0).round() / 1000.0
}

fn tool(name: &str, description: &str, schema: Value, read_only: bool) -> Tool {
    Tool {
        name: name.into(),
        title: None,
        description: Some(description.into()),
        input_schema: schema,
        output_schema: None,
        annotations: Some(
            json!({"readOnlyHint": read_only, "destructiveHint": !read_only && name == "forget"}),
        ),
    }
}

/// The tools, as `tools/list` gives them. Recall comes first and says when to use it: offered
/// remember first, Qwen2.5-Coder-0.5B answered "what is my bike lock code?" by remembering an
/// invented code.
pub fn memory_tools() -> Vec<Tool> {
    vec![
        tool(
            "recall",
            "Look up what the user told you before (codes, names, dates, preferences). Call it to answer any question about the user.",
            json!({"type": "object", "properties": {
                "query": {"type": "string", "description": "What to look for"},
                "limit": {"type": "integer", "description": "How many memories to return (1-10)"}
            }, "required": ["query"]}),
            true,
        ),
        tool(
            "remember",
            "Save a fact, only when the user asks you to remember it.",
            json!({"type": "object", "properties": {
                "text": {"type": "string", "description": "The fact, as a full sentence"}
            }, "required": ["text"]}),
            false,
        ),
        tool(
            "list",
            "List every remembered fact with its id, newest first.",
            json!({"type": "object", "properties": {}}),
            true,
        ),
        tool(
            "forget",
            "Delete one remembered fact by its id.",
            json!({"type": "object", "properties": {
                "id": {"type": "string", "description": "The memory's id, from recall or list"}
            }, "required": ["id"]}),
            false,
        ),
    ]
}

impl<S: MemoryStore, E: Embed> Server for MemoriesServer<S, E> {
    fn info(&self) -> ServerInfo {
        ServerInfo {
            name: "memories".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            instructions: Some(
                "Facts the user asked to remember, searchable by meaning across conversations."
                    .into(),
            ),
        }
    }

    fn tools(&self) -> Vec<Tool> {
        memory_tools()
    }

    async fn call_tool(&self, name: &str, arguments: Value) -> Result<CallToolResult, RpcError> {
        let outcome = match name {
            "remember" => self.remember(&arguments).await,
            "recall" => self.recall(&arguments).await,
            "list" => self.list().await,
            "forget" => self.forget(&arguments).await,
            // `answer` passes only listed names.
            other => Err(format!("there is no tool named {other:?}")),
        };
        Ok(match outcome {
            Ok(text) => tool_text(text),
            Err(text) => tool_error(text),
        })
    }

    fn has_resources(&self) -> bool {
        true
    }

    async fn list_resources(&self) -> Result<Vec<Resource>, RpcError> {
        let memories = self.store.all().await.map_err(internal)?;
        Ok(memories
            .into_iter()
            .map(|m| Resource {
                uri: format!("{URI_PREFIX}{}", m.id),
                name: m.text.chars().take(60).collect(),
                title: None,
                description: None,
                mime_type: Some("text/plain".into()),
            })
            .collect())
    }

    async fn read_resource(&self, uri: &str) -> Result<ReadResourceResult, RpcError> {
        let id = uri
            .strip_prefix(URI_PREFIX)
            .ok_or_else(|| resource_not_found(uri))?;
        let memories = self.store.all().await.map_err(internal)?;
        let memory = memories
            .into_iter()
            .find(|m| m.id == id)
            .ok_or_else(|| resource_not_found(uri))?;
        Ok(ReadResourceResult {
            contents: vec![ResourceContents {
                uri: uri.into(),
                mime_type: Some("text/plain".into()),
                text: Some(memory.text),
                blob: None,
            }],
        })
    }
}

fn internal(message: String) -> RpcError {
    RpcError::new(RpcError::INTERNAL_ERROR, message)
}
