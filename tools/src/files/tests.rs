//! The files server through the MCP client, over a store kept in memory (the browser's file
//! system is the extension's; the server only needs the trait).

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use mcp::server::Server;
use serde_json::{Value, json};

use super::path::{from_uri, normalize, to_uri};
use super::*;
use crate::in_process::call_tool;

#[derive(Default)]
struct Memory(RefCell<BTreeMap<String, Vec<u8>>>);

impl FileStore for &Memory {
    async fn list(&self) -> Result<Vec<FileInfo>, String> {
        Ok(self
            .0
            .borrow()
            .iter()
            .map(|(path, bytes)| FileInfo {
                path: path.clone(),
                size: bytes.len() as u64,
            })
            .collect())
    }
    async fn read(&self, path: &str) -> Result<Option<Vec<u8>>, String> {
        Ok(self.0.borrow().get(path).cloned())
    }
    async fn write(&self, path: &str, bytes: Vec<u8>) -> Result<(), String> {
        self.0.borrow_mut().insert(path.into(), bytes);
        Ok(())
    }
    async fn delete(&self, path: &str) -> Result<bool, String> {
        Ok(self.0.borrow_mut().remove(path).is_some())
    }
}

/// Runs a future whose every await is ready at once (the store in memory never waits).
fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(out) = f.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

fn stocked() -> Memory {
    let memory = Memory::default();
    let mut files = memory.0.borrow_mut();
    files.insert(
        "notes.txt".into(),
        b"Shopping: apples, bread\nThe door code is 5580.\nCall Anna on Friday.\n".to_vec(),
    );
    files.insert(
        "trips/2026.md".into(),
        b"# Trips\nLisbon in May\nOslo in December\n".to_vec(),
    );
    files.insert("photo.png".into(), vec![0x89, b'P', b'N', b'G', 0, 1, 2]);
    drop(files);
    memory
}

fn call(memory: &Memory, tool: &str, arguments: Value) -> Result<String, String> {
    block_on(call_tool(
        FilesServer::new(memory),
        FILES_URL,
        tool,
        arguments,
    ))
}

#[test]
fn paths_stay_inside_and_read_one_way() {
    assert_eq!(normalize("/notes.txt"), Ok("notes.txt".into()));
    assert_eq!(normalize(" trips/2026.md "), Ok("trips/2026.md".into()));
    for bad in [
        "",
        "/",
        "../secret",
        "a/../../b",
        "a//b",
        "a/./b",
        "a/",
        "back\\slash",
        "new\nline",
        " a/ b",
    ] {
        assert!(normalize(bad).is_err(), "{bad:?} was taken");
    }
    let err = normalize("a/../b").unwrap_err();
    assert!(err.contains("\"..\""), "{err}");
    assert!(normalize(&"x".repeat(256)).is_err());
    assert!(normalize(&["d"; 17].join("/")).is_err());
    let uri = to_uri("trips/Mai 2026 ä.md");
    assert_eq!(uri, "lantern-files:///trips/Mai%202026%20%C3%A4.md");
    assert_eq!(from_uri(&uri).as_deref(), Some("trips/Mai 2026 ä.md"));
    assert_eq!(
        from_uri("lantern-files:///a/%2E%2E/b"),
        None,
        "an escaped .. is still .."
    );
    assert_eq!(from_uri("memory://x"), None);
}

#[test]
fn search_finds_lines_by_phrase_and_by_regex() {
    let memory = stocked();
    let found: Value = serde_json::from_str(
        &call(&memory, "search_files", json!({"query": "DOOR code"})).unwrap(),
    )
    .unwrap();
    assert_eq!(
        found["matches"],
        json!([{"path": "notes.txt", "line": 2, "text": "The door code is 5580."}])
    );
    assert_eq!(
        found["text_files_searched"], 2,
        "the picture is not searched"
    );
    let found: Value = serde_json::from_str(
        &call(
            &memory,
            "search_files",
            json!({"query": r"in \w+ber$", "regex": true}),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(found["matches"][0]["text"], "Oslo in December");
    // A phrase is not a pattern: its dot is a dot.
    let found: Value =
        serde_json::from_str(&call(&memory, "search_files", json!({"query": "5.80"})).unwrap())
            .unwrap();
    assert_eq!(found["matches"], json!([]));
    let err = call(
        &memory,
        "search_files",
        json!({"query": "(", "regex": true}),
    )
    .unwrap_err();
    assert!(err.contains("regular expression"), "{err}");
    let err = call(&memory, "search_files", json!({"query": " "})).unwrap_err();
    assert!(err.contains("query"), "{err}");
}

#[test]
fn many_matches_are_cut_with_a_note() {
    let memory = Memory::default();
    let text = "hit\n".repeat(100);
    memory
        .0
        .borrow_mut()
        .insert("a.txt".into(), text.into_bytes());
    let found: Value =
        serde_json::from_str(&call(&memory, "search_files", json!({"query": "hit"})).unwrap())
            .unwrap();
    assert_eq!(
        found["matches"].as_array().unwrap().len(),
        search::MAX_MATCHES
    );
    assert!(found["note"].as_str().unwrap().contains("first 40"));
}

#[test]
fn reads_text_as_text_and_binary_as_a_blob() {
    let memory = stocked();
    let text = call(&memory, "read_file", json!({"path": "/notes.txt"})).unwrap();
    assert!(text.starts_with("notes.txt:\nShopping"), "{text}");
    let result =
        block_on(FilesServer::new(&memory).call_tool("read_file", json!({"path": "photo.png"})))
            .unwrap();
    match &result.content[..] {
        [Content::Resource { resource }] => {
            assert_eq!(resource.uri, "lantern-files:///photo.png");
            assert_eq!(resource.mime_type.as_deref(), Some("image/png"));
            assert_eq!(resource.blob.as_deref(), Some("iVBORwABAg=="));
        }
        other => panic!("{other:?}"),
    }
    assert!(result.model_text().contains("attached for the user"));
    let err = call(&memory, "read_file", json!({"path": "nope.txt"})).unwrap_err();
    assert!(err.contains("no file \"nope.txt\""), "{err}");
    let err = call(&memory, "read_file", json!({"path": "../etc/passwd"})).unwrap_err();
    assert!(err.contains("inside"), "{err}");
}

#[test]
fn a_long_text_is_cut_for_the_model() {
    let memory = Memory::default();
    memory.0.borrow_mut().insert(
        "long.txt".into(),
        "a".repeat(READ_MAX_CHARS + 10).into_bytes(),
    );
    let text = call(&memory, "read_file", json!({"path": "long.txt"})).unwrap();
    assert!(text.contains("goes on for 10 more characters"), "{text}");
}

#[test]
fn writes_and_deletes_change_the_store_and_say_so() {
    let memory = stocked();
    let done = call(
        &memory,
        "write_file",
        json!({"path": "todo/list.txt", "text": "milk"}),
    )
    .unwrap();
    assert_eq!(done, r#"{"created":"todo/list.txt","bytes":4}"#);
    let done = call(
        &memory,
        "write_file",
        json!({"path": "todo/list.txt", "text": "eggs"}),
    )
    .unwrap();
    assert!(done.contains("replaced"), "{done}");
    assert_eq!(memory.0.borrow()["todo/list.txt"], b"eggs");
    let err = call(
        &memory,
        "write_file",
        json!({"path": "a/../b.txt", "text": "x"}),
    )
    .unwrap_err();
    assert!(err.contains(".."), "{err}");
    assert!(!memory.0.borrow().contains_key("b.txt"));
    let err = call(&memory, "write_file", json!({"path": "x.txt"})).unwrap_err();
    assert!(err.contains("\"text\""), "{err}");
    let big = "x".repeat(MAX_FILE_BYTES as usize + 1);
    let err = call(
        &memory,
        "write_file",
        json!({"path": "big.txt", "text": big}),
    )
    .unwrap_err();
    assert!(err.contains("at most 10.0 MB"), "{err}");
    assert!(call(&memory, "delete_file", json!({"path": "notes.txt"})).is_ok());
    assert!(!memory.0.borrow().contains_key("notes.txt"));
    let err = call(&memory, "delete_file", json!({"path": "notes.txt"})).unwrap_err();
    assert!(err.contains("no file"), "{err}");
}

#[test]
fn files_are_resources_and_only_reads_are_read_only() {
    let memory = stocked();
    let server = FilesServer::new(&memory);
    let listed = block_on(server.list_resources()).unwrap();
    let uris: Vec<&str> = listed.iter().map(|r| r.uri.as_str()).collect();
    assert_eq!(
        uris,
        [
            "lantern-files:///notes.txt",
            "lantern-files:///photo.png",
            "lantern-files:///trips/2026.md"
        ]
    );
    let read = block_on(server.read_resource("lantern-files:///trips/2026.md")).unwrap();
    assert_eq!(read.contents[0].mime_type.as_deref(), Some("text/markdown"));
    assert!(read.contents[0].text.as_deref().unwrap().contains("Lisbon"));
    assert!(block_on(server.read_resource("lantern-files:///gone.txt")).is_err());
    let listed: Value =
        serde_json::from_str(&call(&memory, "list_files", json!({})).unwrap()).unwrap();
    assert_eq!(listed["files"][0], json!({"path": "notes.txt", "size": 68}));
    let tools = file_tools();
    let read_only: Vec<&str> = tools
        .iter()
        .filter(|t| t.annotations.as_ref().unwrap()["readOnlyHint"] == true)
        .map(|t| t.name.as_str())
        .collect();
    assert_eq!(read_only, ["search_files", "read_file", "list_files"]);
}
