//! The files server (`lantern:files`): a folder of the user's files, kept by whoever owns the
//! store (the browser's origin-private file system in the extension). The model lists, reads and
//! searches them (read-only tools), and writes or deletes one (tools that change data, which
//! the chat asks the user about first). Text is read as text; anything else comes back as an
//! embedded resource with its media type. Each file is also a resource (`lantern-files:///…`)
//! the user can attach to a conversation.

pub mod path;
pub mod search;
#[cfg(test)]
mod tests;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use mcp::jsonrpc::RpcError;
use mcp::schema::content::{Content, ResourceContents};
use mcp::schema::resources::{ReadResourceResult, Resource};
use mcp::schema::{CallToolResult, Tool};
use mcp::server::{Server, ServerInfo, resource_not_found, tool_error, tool_text};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use path::{is_text, mime_type, normalize};
use search::{MAX_MATCHES, Query};

/// The address the chat and the Tools card know it by.
pub const FILES_URL: &str = "lantern:files";
/// The biggest file the server stores (a dropped file or a write): big enough for documents
/// and pictures, small enough that a read cannot exhaust the page's memory.
pub const MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;
/// A text longer than this reaches the model cut, with a note saying so: a small model's
/// context holds a few thousand tokens.
const READ_MAX_CHARS: usize = 8000;

/// One stored file as a listing shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileInfo {
    /// Normalized (`path::normalize`).
    pub path: String,
    pub size: u64,
}

/// Where the files live. Errors are sentences for the model and the user.
#[allow(async_fn_in_trait)]
pub trait FileStore {
    async fn list(&self) -> Result<Vec<FileInfo>, String>;
    /// `None` when there is no such file.
    async fn read(&self, path: &str) -> Result<Option<Vec<u8>>, String>;
    /// Creates the file (and its folders) or replaces it.
    async fn write(&self, path: &str, bytes: Vec<u8>) -> Result<(), String>;
    /// Whether there was such a file.
    async fn delete(&self, path: &str) -> Result<bool, String>;
}

/// The error for a file bigger than the server keeps.
pub fn too_big(path: &str, size: u64) -> String {
    format!(
        "{path} is {} and a file may be at most {}",
        megabytes(size),
        megabytes(MAX_FILE_BYTES)
    )
}

fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1_048_576.0)
}

pub struct FilesServer<S> {
    store: S,
}

impl<S: FileStore> FilesServer<S> {
    pub fn new(store: S) -> Self {
        FilesServer { store }
    }

    async fn list(&self) -> Result<String, String> {
        let mut files = self.store.list().await?;
        files.sort_by(|a, b| a.path.cmp(&b.path));
        if files.is_empty() {
            return Ok(json!({"files": [], "note": "no files have been added yet"}).to_string());
        }
        Ok(json!({"files": files}).to_string())
    }

    /// A file's bytes, or an error naming what exists instead.
    async fn bytes(&self, path: &str) -> Result<Vec<u8>, String> {
        match self.store.read(path).await? {
            Some(bytes) => Ok(bytes),
            None => Err(format!(
                "there is no file {path:?} (list_files shows the files)"
            )),
        }
    }

    async fn read(&self, arguments: &Value) -> Result<CallToolResult, String> {
        let path = normalize(&text_argument(arguments, "path")?)?;
        let bytes = self.bytes(&path).await?;
        if !is_text(&bytes) {
            let resource = ResourceContents {
                uri: path::to_uri(&path),
                mime_type: Some(mime_type(&path, false).into()),
                text: None,
                blob: Some(STANDARD.encode(&bytes)),
            };
            return Ok(CallToolResult {
                content: vec![Content::Resource { resource }],
                structured_content: None,
                is_error: false,
            });
        }
        let text = String::from_utf8_lossy(&bytes);
        let chars = text.chars().count();
        let body = if chars > READ_MAX_CHARS {
            let head: String = text.chars().take(READ_MAX_CHARS).collect();
            format!(
                "{head}\n[… the file goes on for {} more characters: search_files finds lines in it]",
                chars - READ_MAX_CHARS
            )
        } else {
            text.into_owned()
        };
        Ok(tool_text(format!("{path}:\n{body}")))
    }

    async fn search(&self, arguments: &Value) -> Result<String, String> {
        let pattern = text_argument(arguments, "query")?;
        let regex = arguments
            .get("regex")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let query = Query::new(&pattern, regex)?;
        let mut files = self.store.list().await?;
        files.sort_by(|a, b| a.path.cmp(&b.path));
        let mut matches = Vec::new();
        let mut searched = 0;
        for file in files {
            let Some(bytes) = self.store.read(&file.path).await? else {
                continue;
            };
            if !is_text(&bytes) {
                continue;
            }
            searched += 1;
            let text = String::from_utf8_lossy(&bytes);
            matches.extend(query.lines(&file.path, &text, MAX_MATCHES + 1 - matches.len()));
            if matches.len() > MAX_MATCHES {
                break;
            }
        }
        let more = matches.len() > MAX_MATCHES;
        matches.truncate(MAX_MATCHES);
        let found: Vec<Value> = matches
            .iter()
            .map(|m| json!({"path": m.path, "line": m.line, "text": m.text}))
            .collect();
        let mut answer = json!({"matches": found, "text_files_searched": searched});
        if more {
            answer["note"] = json!(format!(
                "only the first {MAX_MATCHES} matching lines are shown"
            ));
        }
        Ok(answer.to_string())
    }

    async fn write(&self, arguments: &Value) -> Result<String, String> {
        let path = normalize(&text_argument(arguments, "path")?)?;
        let text = arguments
            .get("text")
            .and_then(Value::as_str)
            .ok_or_else(|| "the call needs a \"text\" string (it may be empty)".to_owned())?;
        let size = text.len() as u64;
        if size > MAX_FILE_BYTES {
            return Err(too_big(&path, size));
        }
        let existed = self.store.list().await?.iter().any(|f| f.path == path);
        self.store.write(&path, text.as_bytes().to_vec()).await?;
        let done = if existed { "replaced" } else { "created" };
        Ok(json!({done: path, "bytes": size}).to_string())
    }

    async fn delete(&self, arguments: &Value) -> Result<String, String> {
        let path = normalize(&text_argument(arguments, "path")?)?;
        if self.store.delete(&path).await? {
            Ok(json!({"deleted": path}).to_string())
        } else {
            Err(format!(
                "there is no file {path:?} (list_files shows the files)"
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

fn tool(name: &str, description: &str, schema: Value, read_only: bool) -> Tool {
    Tool {
        name: name.into(),
        title: None,
        description: Some(description.into()),
        input_schema: schema,
        output_schema: None,
        annotations: Some(json!({
            "readOnlyHint": read_only,
            "destructiveHint": name == "delete_file" || name == "write_file",
        })),
    }
}

/// The tools, as `tools/list` gives them. Searching comes first and says when to use it (as
/// recall does for memories: a small model takes the first tool that fits).
pub fn file_tools() -> Vec<Tool> {
    let path = json!({"type": "string", "description": "The file's path, such as notes.txt or trips/2026.md"});
    vec![
        tool(
            "search_files",
            "Search the user's files for a word or phrase and get the matching lines. Call it to answer any question about the user's files, notes or documents.",
            json!({"type": "object", "properties": {
                "query": {"type": "string", "description": "The word or phrase to find"},
                "regex": {"type": "boolean", "description": "Read the query as a regular expression"}
            }, "required": ["query"]}),
            true,
        ),
        tool(
            "read_file",
            "Read one of the user's files by its path.",
            json!({"type": "object", "properties": {"path": path}, "required": ["path"]}),
            true,
        ),
        tool(
            "list_files",
            "List the user's files with their sizes in bytes.",
            json!({"type": "object", "properties": {}}),
            true,
        ),
        tool(
            "write_file",
            "Create or replace a text file, only when the user asks you to write or save one.",
            json!({"type": "object", "properties": {
                "path": path,
                "text": {"type": "string", "description": "The file's whole new text"}
            }, "required": ["path", "text"]}),
            false,
        ),
        tool(
            "delete_file",
            "Delete one of the user's files, only when the user asks you to.",
            json!({"type": "object", "properties": {"path": path}, "required": ["path"]}),
            false,
        ),
    ]
}

impl<S: FileStore> Server for FilesServer<S> {
    fn info(&self) -> ServerInfo {
        ServerInfo {
            name: "files".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            instructions: Some(
                "The user's files, kept in the browser: search, read, and (when asked) write them."
                    .into(),
            ),
        }
    }

    fn tools(&self) -> Vec<Tool> {
        file_tools()
    }

    async fn call_tool(&self, name: &str, arguments: Value) -> Result<CallToolResult, RpcError> {
        let outcome = match name {
            "search_files" => self.search(&arguments).await.map(tool_text),
            "read_file" => self.read(&arguments).await,
            "list_files" => self.list().await.map(tool_text),
            "write_file" => self.write(&arguments).await.map(tool_text),
            "delete_file" => self.delete(&arguments).await.map(tool_text),
            // `answer` passes only listed names.
            other => Err(format!("there is no tool named {other:?}")),
        };
        Ok(outcome.unwrap_or_else(tool_error))
    }

    fn has_resources(&self) -> bool {
        true
    }

    async fn list_resources(&self) -> Result<Vec<Resource>, RpcError> {
        let mut files = self.store.list().await.map_err(internal)?;
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(files
            .into_iter()
            .map(|f| Resource {
                uri: path::to_uri(&f.path),
                name: f.path.clone(),
                title: None,
                description: Some(format!("{} bytes", f.size)),
                mime_type: Some(mime_type(&f.path, true).into()),
            })
            .collect())
    }

    async fn read_resource(&self, uri: &str) -> Result<ReadResourceResult, RpcError> {
        let path = path::from_uri(uri).ok_or_else(|| resource_not_found(uri))?;
        let bytes = self
            .store
            .read(&path)
            .await
            .map_err(internal)?
            .ok_or_else(|| resource_not_found(uri))?;
        let text = is_text(&bytes);
        let contents = ResourceContents {
            uri: uri.into(),
            mime_type: Some(mime_type(&path, text).into()),
            blob: (!text).then(|| STANDARD.encode(&bytes)),
            text: text.then(|| String::from_utf8_lossy(&bytes).into_owned()),
        };
        Ok(ReadResourceResult {
            contents: vec![contents],
        })
    }
}

fn internal(message: String) -> RpcError {
    RpcError::new(RpcError::INTERNAL_ERROR, message)
}
