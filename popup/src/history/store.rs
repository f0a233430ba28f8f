//! The conversation store in IndexedDB, private to the UI pages (one origin: the popup, side
//! panel and options page share it, and it survives browser restarts).
//!
//! Schema v1 of database `lantern-chats`:
//! - `conversations`: key id -> `Conversation` (every message).
//! - `summaries`: key id -> `Summary`, written in the same transaction as its conversation, so
//!   the history list reads small records only.
//! - `settings`: key name -> a settings record (see `crate::settings`).

use js_sys::Array;
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::JsValue;
use web_sys::IdbDatabase;
use webext::idb::{self, IdbError, req};
use webext::{from_js, to_js};

use super::{Conversation, Summary, query_words};

pub const DB_NAME: &str = "lantern-chats";
const DB_VERSION: u32 = 1;
const CONVERSATIONS: &str = "conversations";
const SUMMARIES: &str = "summaries";
const SETTINGS: &str = "settings";

fn upgrade(db: &IdbDatabase, old_version: u32) -> Result<(), JsValue> {
    if old_version < 1 {
        db.create_object_store(CONVERSATIONS)?;
        db.create_object_store(SUMMARIES)?;
        db.create_object_store(SETTINGS)?;
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
        let all: Vec<Conversation> = self.get_all(CONVERSATIONS).await?;
        let mut hits: Vec<Summary> = all.iter().filter_map(|c| c.matches(&words)).collect();
        hits.sort_by(|a, b| b.updated_at.total_cmp(&a.updated_at));
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
        let tx = idb::transaction(&self.db, &[CONVERSATIONS, SUMMARIES], true)?;
        let bodies = idb::store(&tx, CONVERSATIONS)?;
        let summaries = idb::store(&tx, SUMMARIES)?;
        for conversation in conversations {
            let key = JsValue::from_str(&conversation.id);
            req(bodies.put_with_key(&to_js(conversation), &key))?;
            req(summaries.put_with_key(&to_js(&conversation.summary()), &key))?;
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
        let tx = idb::transaction(&self.db, &[CONVERSATIONS, SUMMARIES], true)?;
        let key = JsValue::from_str(id);
        req(idb::store(&tx, CONVERSATIONS)?.delete(&key))?;
        req(idb::store(&tx, SUMMARIES)?.delete(&key))?;
        idb::committed(&tx).await
    }

    pub async fn delete_all(&self) -> Result<(), IdbError> {
        let tx = idb::transaction(&self.db, &[CONVERSATIONS, SUMMARIES], true)?;
        req(idb::store(&tx, CONVERSATIONS)?.clear())?;
        req(idb::store(&tx, SUMMARIES)?.clear())?;
        idb::committed(&tx).await
    }

    /// Forgets everything this database holds: conversations and settings.
    pub async fn clear_everything(&self) -> Result<(), IdbError> {
        let tx = idb::transaction(&self.db, &[CONVERSATIONS, SUMMARIES, SETTINGS], true)?;
        for store in [CONVERSATIONS, SUMMARIES, SETTINGS] {
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
