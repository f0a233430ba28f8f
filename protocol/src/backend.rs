//! The user's own model servers (OpenAI-compatible: llama.cpp's server, Ollama, vLLM, LM
//! Studio, LocalAI): which server a request goes to, and the models a server lists.

use serde::{Deserialize, Serialize};

/// A server the user added on the options page, as a request names it. The key travels with
/// the request because the offscreen document, which makes the fetch, cannot read
/// `chrome.storage` where the UI keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackendServer {
    /// The base address the user typed (`http://127.0.0.1:8080`, with or without `/v1`).
    pub url: String,
    /// The name the picker and each answer show.
    pub name: String,
    /// Sent as `Authorization: Bearer`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key: Option<String>,
    /// The context size of the model asked for, as the server reported it (what summaries and
    /// long chats are cut to); `None` when it did not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<u32>,
}

/// One model a server lists, with its context size when the server says it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackendModel {
    pub id: String,
    /// Tokens of context (llama.cpp: `/v1/models` `meta.n_ctx`, else `/props`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<u32>,
}

/// What `backend_models` found on a server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackendModels {
    pub models: Vec<BackendModel>,
}

#[cfg(test)]
mod tests {
    use crate::{Engine, Request, Server};

    #[test]
    fn an_answer_from_a_server_is_fetched_by_the_document_and_a_local_one_by_the_engine() {
        let mut served = 0;
        for request in Request::examples() {
            let backend = match &request {
                Request::Chat { backend, .. } | Request::SummarizePage { backend, .. } => backend,
                _ => continue,
            };
            let expected = if backend.is_some() {
                served += 1;
                Server::Document
            } else {
                Server::Worker(Engine::Llm)
            };
            assert_eq!(request.server(), expected, "{request:?}");
        }
        assert_eq!(
            served, 2,
            "the examples have a chat and a summary for a server"
        );
    }

    #[test]
    fn a_key_is_left_off_the_wire_when_there_is_none() {
        let server = super::BackendServer {
            url: "http://127.0.0.1:8080".into(),
            name: "local".into(),
            api_key: None,
            context: None,
        };
        let json = serde_json::to_value(&server).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"url": "http://127.0.0.1:8080", "name": "local"})
        );
    }
}
