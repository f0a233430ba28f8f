//! The memories server through the MCP client and the in-process transport, with the real
//! all-MiniLM-L6-v2 embeddings (from the model mirror; skipped when absent) over a store in
//! memory (the extension's store is IndexedDB, tested end to end in Chromium).

// Native only: the weights are read from disk.
#![cfg(not(target_arch = "wasm32"))]

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::path::PathBuf;
use std::pin::pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use mcp::client::NoHandler;
use mcp::schema::ClientInfo;
use mcp::server::InProcess;
use mcp::{Client, ClientConfig};
use models::embed::{EmbedFiles, Embedder};
use serde_json::{Value, json};
use tools::memories::{EMBED_MODEL, Embed, MEMORIES_URL, MemoriesServer, Memory, MemoryStore};

fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(out) = f.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

#[derive(Default, Clone)]
struct VecStore(Rc<RefCell<Vec<Memory>>>);

impl MemoryStore for VecStore {
    async fn put(&self, memory: &Memory) -> Result<(), String> {
        self.0.borrow_mut().push(memory.clone());
        Ok(())
    }
    async fn all(&self) -> Result<Vec<Memory>, String> {
        Ok(self.0.borrow().clone())
    }
    async fn delete(&self, id: &str) -> Result<bool, String> {
        let before = self.0.borrow().len();
        self.0.borrow_mut().retain(|m| m.id != id);
        Ok(self.0.borrow().len() < before)
    }
}

struct Bert(Embedder);

impl Embed for Bert {
    async fn embed(&self, model: &str, texts: Vec<String>) -> Result<Vec<Vec<f32>>, String> {
        assert_eq!(model, EMBED_MODEL);
        texts
            .iter()
            .map(|t| self.0.embed(t).map_err(|e| e.to_string()))
            .collect()
    }
}

fn bert(test: &str) -> Option<Bert> {
    let dir = std::env::var_os("LANTERN_MODELS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/models"))
        .join(EMBED_MODEL);
    if !dir.join("model.safetensors").is_file() {
        println!("SKIPPED {test}: {} not found", dir.display());
        return None;
    }
    let read = |name: &str| std::fs::read(dir.join(name)).expect(name);
    Some(Bert(
        Embedder::load(EmbedFiles {
            config: read("config.json"),
            tokenizer: read("tokenizer.json"),
            weights: read("model.safetensors"),
        })
        .expect("loads"),
    ))
}

type Memories = Client<InProcess<MemoriesServer<VecStore, Bert>>>;

fn connect(store: VecStore, embed: Bert) -> Memories {
    let clock = Rc::new(Cell::new(1_700_000_000_000.0));
    let server = MemoriesServer::new(
        store,
        embed,
        Box::new(move || {
            clock.set(clock.get() + 1000.0);
            clock.get()
        }),
    );
    let config = ClientConfig {
        url: MEMORIES_URL.into(),
        client_info: ClientInfo {
            name: "test".into(),
            version: "0".into(),
        },
        remembered: None,
        bearer: None,
        elicitation: false,
    };
    let client = Client::new(InProcess::new(server), config);
    block_on(client.connect(&NoHandler)).expect("connects");
    client
}

fn call(client: &Memories, tool: &str, arguments: Value) -> (bool, Value) {
    let result = block_on(client.call_tool(tool, arguments, None, &NoHandler)).expect("answers");
    let text = result.model_text();
    (
        !result.is_error,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

#[test]
fn remembered_facts_are_recalled_by_meaning_and_forgotten() {
    let Some(embed) = bert("remembered_facts_are_recalled_by_meaning_and_forgotten") else {
        return;
    };
    let store = VecStore::default();
    let client = connect(store.clone(), embed);
    let (tools, _) = block_on(client.list_tools(&NoHandler)).unwrap();
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["recall", "remember", "list", "forget"]);

    let (ok, empty) = call(&client, "recall", json!({"query": "bike"}));
    assert!(ok && empty["memories"] == json!([]), "{empty}");
    for fact in [
        "My sister's birthday is on the 3rd of May.",
        "My bike lock code is 4721.",
        "The wifi password at the cabin is pinecone88.",
    ] {
        let (ok, stored) = call(&client, "remember", json!({"text": fact}));
        assert!(ok, "{stored}");
        assert_eq!(stored["remembered"], fact);
    }
    assert_eq!(store.0.borrow().len(), 3);
    assert_eq!(store.0.borrow()[1].vector.len(), 384);

    let (ok, found) = call(
        &client,
        "recall",
        json!({"query": "what is my bike lock code?", "limit": 1}),
    );
    assert!(ok);
    println!("{found}");
    assert_eq!(found["memories"][0]["text"], "My bike lock code is 4721.");
    assert_eq!(found["memories"].as_array().unwrap().len(), 1);

    let (_, listed) = call(&client, "list", json!({}));
    let newest = &listed["memories"][0];
    assert_eq!(
        newest["text"],
        "The wifi password at the cabin is pinecone88."
    );
    let id = found["memories"][0]["id"].as_str().unwrap().to_owned();
    let (ok, _) = call(&client, "forget", json!({"id": id}));
    assert!(ok);
    let (ok, again) = call(&client, "forget", json!({"id": id}));
    assert!(
        !ok && again.as_str().unwrap().contains("no memory"),
        "{again}"
    );
    let (_, found) = call(&client, "recall", json!({"query": "bike lock code"}));
    assert!(!found.to_string().contains("4721"), "{found}");

    // Each memory is a resource too.
    let resources = block_on(client.list_resources(&NoHandler)).unwrap();
    assert_eq!(resources.len(), 2);
    let read = block_on(client.read_resource(&resources[0].uri, &NoHandler)).unwrap();
    assert_eq!(
        read.contents[0].text.as_deref(),
        Some("My sister's birthday is on the 3rd of May.")
    );
    assert!(block_on(client.read_resource("memory://nope", &NoHandler)).is_err());
}

#[test]
fn bad_calls_are_errors_the_model_can_read() {
    let Some(embed) = bert("bad_calls_are_errors_the_model_can_read") else {
        return;
    };
    let client = connect(VecStore::default(), embed);
    let (ok, text) = call(&client, "remember", json!({"text": "   "}));
    assert!(!ok && text.as_str().unwrap().contains("\"text\""), "{text}");
    let (ok, text) = call(&client, "remember", json!({"text": "x".repeat(2001)}));
    assert!(
        !ok && text.as_str().unwrap().contains("at most 2000"),
        "{text}"
    );
    let (ok, _) = call(&client, "recall", json!({}));
    assert!(!ok);
}

/// The embeddings engine as it answers when the model was never downloaded.
struct NotDownloaded;

impl Embed for NotDownloaded {
    async fn embed(&self, model: &str, _: Vec<String>) -> Result<Vec<Vec<f32>>, String> {
        Err(format!("{model} is not downloaded"))
    }
}

#[test]
fn without_the_embedding_model_the_error_says_what_to_download() {
    let server = MemoriesServer::new(VecStore::default(), NotDownloaded, Box::new(|| 0.0));
    let client = Client::new(
        InProcess::new(server),
        ClientConfig {
            url: MEMORIES_URL.into(),
            client_info: ClientInfo {
                name: "test".into(),
                version: "0".into(),
            },
            remembered: None,
            bearer: None,
            elicitation: false,
        },
    );
    block_on(client.connect(&NoHandler)).unwrap();
    let result = block_on(client.call_tool(
        "remember",
        json!({"text": "My bike lock code is 4721."}),
        None,
        &NoHandler,
    ))
    .unwrap();
    assert!(result.is_error);
    let text = result.model_text();
    assert!(
        text.contains("all-minilm-l6-v2 is not downloaded"),
        "{text}"
    );
    assert!(text.contains("Models card"), "{text}");
}
