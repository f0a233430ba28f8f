//! The user's model servers as Lantern keeps them: each server's address, name and the models
//! it listed last in the `lantern-chats` settings store (key `model_servers`), and its API key
//! apart, in `chrome.storage.local` (key `lantern.backend_keys`), which only this extension
//! reads and which no export of chats or settings carries. Also how the model picker names a
//! server's model (`server:<address>#<model>`) and the `BackendServer` a request for it carries.

use std::collections::HashMap;

use protocol::{BackendModel, BackendServer};
use serde::{Deserialize, Serialize};

use crate::chrome::{local_value, set_local_value};
use crate::history::store::ChatStore;

const KEY: &str = "model_servers";
const KEYS: &str = "lantern.backend_keys";
const CHOICE_PREFIX: &str = "server:";

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ModelServer {
    /// The base address as typed (with or without `/v1`).
    pub url: String,
    pub name: String,
    /// The models it listed last.
    pub models: Vec<BackendModel>,
}

/// The saved servers (none when the store cannot be read: the local models still work).
pub async fn load() -> Vec<ModelServer> {
    let Ok(store) = ChatStore::open().await else {
        return Vec::new();
    };
    store
        .setting::<Vec<ModelServer>>(KEY)
        .await
        .ok()
        .flatten()
        .unwrap_or_default()
}

pub async fn save(servers: &[ModelServer]) -> Result<(), String> {
    let store = ChatStore::open().await.map_err(|e| e.to_string())?;
    store
        .put_setting(KEY, &servers.to_vec())
        .await
        .map_err(|e| e.to_string())
}

/// The API key of a server, if the user gave one.
pub async fn key(url: &str) -> Option<String> {
    local_value::<HashMap<String, String>>(KEYS)
        .await?
        .remove(url)
}

/// Sets (or with `None` forgets) a server's key.
pub async fn set_key(url: &str, key: Option<String>) -> Result<(), String> {
    let mut keys = local_value::<HashMap<String, String>>(KEYS)
        .await
        .unwrap_or_default();
    match key.filter(|k| !k.trim().is_empty()) {
        Some(key) => keys.insert(url.to_string(), key.trim().to_string()),
        None => keys.remove(url),
    };
    set_local_value(KEYS, &keys).await
}

/// The picker's value for a server's model.
pub fn choice_id(url: &str, model: &str) -> String {
    format!("{CHOICE_PREFIX}{url}#{model}")
}

/// The server address and model of a picker value, if it names a server's model.
pub fn parse_choice(id: &str) -> Option<(&str, &str)> {
    id.strip_prefix(CHOICE_PREFIX)?.split_once('#')
}

/// The server and model a picker value names, among `servers`.
pub fn find<'a>(
    servers: &'a [ModelServer],
    id: &str,
) -> Option<(&'a ModelServer, &'a BackendModel)> {
    let (url, model) = parse_choice(id)?;
    let server = servers.iter().find(|s| s.url == url)?;
    Some((server, server.models.iter().find(|m| m.id == model)?))
}

/// What a request for `model` of `server` carries, its key read now.
pub async fn backend(server: &ModelServer, model: &BackendModel) -> BackendServer {
    BackendServer {
        url: server.url.clone(),
        name: server.name.clone(),
        api_key: key(&server.url).await,
        context: model.context,
    }
}

/// A name for a server the user did not name: its host.
pub fn default_name(url: &str) -> String {
    url.split_once("://")
        .map_or(url, |(_, rest)| rest)
        .split(['/', '?', '#'])
        .next()
        .unwrap_or(url)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_model_choice_reads_back_even_with_slashes_and_hashes_in_the_model() {
        let id = choice_id("http://127.0.0.1:8080", "/models/smol#2.gguf");
        assert_eq!(
            parse_choice(&id),
            Some(("http://127.0.0.1:8080", "/models/smol#2.gguf"))
        );
        // A catalog model id is not a server's.
        assert_eq!(parse_choice("smollm2-135m-instruct-q4_1"), None);
        let servers = vec![ModelServer {
            url: "http://127.0.0.1:8080".into(),
            name: "gpu box".into(),
            models: vec![BackendModel {
                id: "/models/smol#2.gguf".into(),
                context: Some(2048),
            }],
        }];
        assert_eq!(
            find(&servers, &id).map(|(s, _)| s.name.as_str()),
            Some("gpu box")
        );
        assert!(find(&servers, &choice_id("http://127.0.0.1:8080", "gone")).is_none());
    }

    #[test]
    fn an_unnamed_server_is_called_by_its_host() {
        assert_eq!(default_name("http://127.0.0.1:8080/v1"), "127.0.0.1:8080");
        assert_eq!(default_name("https://gpu.lan"), "gpu.lan");
    }
}
