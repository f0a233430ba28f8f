//! The conversation store in IndexedDB, private to the UI pages (one origin: the popup, side
//! panel and options page share it, and it survives browser restarts).
//!
//! Schema v1 of database `lantern-chats`:
//! - `conversations`: key id -> `Conversation` (every message).
//! - `summaries`: key id -> `Summary`, written in the same transaction as its conversation, so
//!   the history list reads small records only.
//! - `search`: key id -> the conversation's title and messages, lower-cased, as one string.
//!   Search scans these with JavaScript's `includes` without copying them into wasm, and
//!   reads whole conversations only for the hits' snippets.
//! - `settings`: key name -> a settings record (see `crate::settings`).

use js_sys::Array;
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::IdbDatabase;
use webext::idb::{self, IdbError, req};
use webext::{from_js, to_js};

use super::{Conversation, Summary, query_words};

pub const DB_NAME: &str = "lantern-chats";
const DB_VERSION: u32 = 1;
const CONVERSATIONS: &str = "conversations";
const SUMMARIES: &str = "summaries";
const SETTINGS: &str = "settings";
const SEARCH: &str = "search";
/// Hits that get a snippet around the match; further hits show their last message.
const SNIPPETS: usize = 50;

fn upgrade(db: &IdbDatabase, old_version: u32) -> Result<(), JsValue> {
    if old_version < 1 {
        db.create_object_store(CONVERSATIONS)?;
        db.create_object_store(SUMMARIES)?;
        db.create_object_store(SETTINGS)?;
        db.create_object_store(SEARCH)?;
    }
    Ok(())
}

fn decode<T: DeserializeOwned>(value: JsValue) -> Result<T, IdbError> {
    from_js(value).map_err(|e| IdbError::Failed(format!("unreadable record: {e}")))
}

#[derive(Clone)]
pub struct ChatStore {
    db: IdbDatabase,
}

thread_local! {
    /// The page's open connection, reused by every caller.
    static OPEN: std::cell::RefCell<Option<ChatStore>> = const { std::cell::RefCell::new(None) };
}

impl ChatStore {
    /// The page's connection to the store, opened on first use.
    pub async fn open() -> Result<ChatStore, IdbError> {
        if let Some(store) = OPEN.with(|o| o.borrow().clone()) {
            return Ok(store);
        }
        let store = ChatStore {
            db: idb::open(DB_NAME, DB_VERSION, upgrade).await?,
        };
        OPEN.with(|o| *o.borrow_mut() = Some(store.clone()));
        Ok(store)
    }

    async fn get_all<T: DeserializeOwned>(&self, store: &str) -> Result<Vec<T>, IdbError> {
        let tx = idb::transaction(&self.db, &[store], false)?;
        let values = idb::wait(&req(idb::store(&tx, store)?.get_all())?).await?;
        Array::from(&values).iter().map(decode).collect()
    }

    /// Every conversation's summary, the most recently changed first.
    pub async fn list(&self) -> Result<Vec<Summary>, IdbError> {
        let mut list: Vec<Summary> = self.get_all(SUMMARIES).await?;
        list.sort_by(|a, b| b.updated_at.total_cmp(&a.updated_at));
        Ok(list)
    }

    /// Conversations holding every word of `query` (title or any message), most recent first.
    pub async fn search(&self, query: &str) -> Result<Vec<Summary>, IdbError> {
        let words = query_words(query);
        if words.is_empty() {
            return self.list().await;
        }
        let tx = idb::transaction(&self.db, &[SEARCH, SUMMARIES, CONVERSATIONS], false)?;
        let texts = idb::store(&tx, SEARCH)?;
        let keys = req(texts.get_all_keys())?;
        let values = req(texts.get_all())?;
        let summaries = req(idb::store(&tx, SUMMARIES)?.get_all())?;
        let (keys, values) = (idb::wait(&keys).await?, idb::wait(&values).await?);
        let hit_ids: std::collections::HashSet<String> = Array::from(&keys)
            .iter()
            .zip(Array::from(&values).iter())
            .filter(|(_, text)| {
                text.dyn_ref::<js_sys::JsString>()
                    .is_some_and(|text| words.iter().all(|w| text.includes(w, 0)))
            })
            .filter_map(|(key, _)| key.as_string())
            .collect();
        let mut hits: Vec<Summary> = Array::from(&idb::wait(&summaries).await?)
            .iter()
            .map(decode::<Summary>)
            .filter(|s| s.as_ref().map_or(true, |s| hit_ids.contains(&s.id)))
            .collect::<Result<_, _>>()?;
        hits.sort_by(|a, b| b.updated_at.total_cmp(&a.updated_at));
        // Snippets around the match for the first hits (whole conversations read only here).
        let bodies = idb::store(&tx, CONVERSATIONS)?;
        let requests = hits
            .iter()
            .take(SNIPPETS)
            .map(|hit| req(bodies.get(&hit.id.as_str().into())))
            .collect::<Result<Vec<_>, _>>()?;
        for (hit, request) in hits.iter_mut().zip(requests) {
            let conversation: Conversation = decode(idb::wait(&request).await?)?;
            if let Some(found) = conversation.matches(&words) {
                hit.snippet = found.snippet;
            }
        }
        Ok(hits)
    }

    pub async fn all(&self) -> Result<Vec<Conversation>, IdbError> {
        let mut all: Vec<Conversation> = self.get_all(CONVERSATIONS).await?;
        all.sort_by(|a, b| b.updated_at.total_cmp(&a.updated_at));
        Ok(all)
    }

    pub async fn get(&self, id: &str) -> Result<Option<Conversation>, IdbError> {
        let tx = idb::transaction(&self.db, &[CONVERSATIONS], false)?;
        let value = idb::wait(&req(idb::store(&tx, CONVERSATIONS)?.get(&id.into()))?).await?;
        if value.is_undefined() {
            return Ok(None);
        }
        decode(value).map(Some)
    }

    /// Saves conversations (new or changed) with their summaries, all or none.
    pub async fn save_all(&self, conversations: &[Conversation]) -> Result<(), IdbError> {
        let tx = idb::transaction(&self.db, &[CONVERSATIONS, SUMMARIES, SEARCH], true)?;
        let bodies = idb::store(&tx, CONVERSATIONS)?;
        let summaries = idb::store(&tx, SUMMARIES)?;
        let texts = idb::store(&tx, SEARCH)?;
        for conversation in conversations {
            let key = JsValue::from_str(&conversation.id);
            req(bodies.put_with_key(&to_js(conversation), &key))?;
            req(summaries.put_with_key(&to_js(&conversation.summary()), &key))?;
            req(texts.put_with_key(&conversation.search_text().into(), &key))?;
        }
        idb::committed(&tx).await
    }

    pub async fn save(&self, conversation: &Conversation) -> Result<(), IdbError> {
        self.save_all(std::slice::from_ref(conversation)).await
    }

    /// Names a conversation; an empty name goes back to the automatic title.
    pub async fn rename(&self, id: &str, title: &str) -> Result<(), IdbError> {
        let Some(mut conversation) = self.get(id).await? else {
            return Err(IdbError::Failed(
                "that conversation no longer exists".into(),
            ));
        };
        conversation.title = title.trim().to_string();
        conversation.renamed = !conversation.title.is_empty();
        self.save(&conversation).await
    }

    pub async fn delete(&self, id: &str) -> Result<(), IdbError> {
        let tx = idb::transaction(&self.db, &[CONVERSATIONS, SUMMARIES, SEARCH], true)?;
        let key = JsValue::from_str(id);
        for store in [CONVERSATIONS, SUMMARIES, SEARCH] {
            req(idb::store(&tx, store)?.delete(&key))?;
        }
        idb::committed(&tx).await
    }

    pub async fn delete_all(&self) -> Result<(), IdbError> {
        let tx = idb::transaction(&self.db, &[CONVERSATIONS, SUMMARIES, SEARCH], true)?;
        for store in [CONVERSATIONS, SUMMARIES, SEARCH] {
            req(idb::store(&tx, store)?.clear())?;
        }
        idb::committed(&tx).await
    }

    /// Forgets everything this database holds: conversations and settings.
    pub async fn clear_everything(&self) -> Result<(), IdbError> {
        let stores = [CONVERSATIONS, SUMMARIES, SEARCH, SETTINGS];
        let tx = idb::transaction(&self.db, &stores, true)?;
        for store in stores {
            req(idb::store(&tx, store)?.clear())?;
        }
        idb::committed(&tx).await
    }

    pub async fn setting<T: DeserializeOwned>(&self, name: &str) -> Result<Option<T>, IdbError> {
        let tx = idb::transaction(&self.db, &[SETTINGS], false)?;
        let value = idb::wait(&req(idb::store(&tx, SETTINGS)?.get(&name.into()))?).await?;
        if value.is_undefined() {
            return Ok(None);
        }
        decode(value).map(Some)
    }

    pub async fn put_setting<T: Serialize>(&self, name: &str, value: &T) -> Result<(), IdbError> {
        let tx = idb::transaction(&self.db, &[SETTINGS], true)?;
        req(idb::store(&tx, SETTINGS)?.put_with_key(&to_js(value), &name.into()))?;
        idb::committed(&tx).await
    }
}
