//! The speech-to-text engine: dictation (audio from the document's microphone through the voice
//! detector, then Whisper). It owns the Whisper model it loaded (kept between dictations, loaded
//! again when the stored copy changed) and the audio feeds of the dictations in progress.

mod dictation;
mod whisper;

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use futures_channel::mpsc;
use protocol::{HeldModel, Id, LanternError, Request, Response, Task};
use webext::model_store::ModelStore;

use super::cancel::CancelToken;
use super::turns::Turns;
use crate::audio_feed::AudioFeed;
use crate::errors;
use crate::model_cache::loader;
use crate::outbox::Outbox;
use whisper::HeldWhisper;

#[derive(Default)]
pub struct SttEngine {
    /// Dictations take turns on the model (there is one microphone anyway).
    whisper: Turns<Option<HeldWhisper>>,
    /// The audio of each dictation in progress, by request id.
    feeds: RefCell<HashMap<Id, mpsc::UnboundedSender<AudioFeed>>>,
    /// What is loaded, readable while a dictation holds the lock.
    held: RefCell<Option<HeldModel>>,
}

impl SttEngine {
    /// The model this engine holds, if any.
    pub fn held(&self) -> Option<HeldModel> {
        self.held.borrow().clone()
    }

    pub async fn serve(
        &self,
        request: Request,
        id: Id,
        outbox: &Rc<Outbox>,
        cancel: &CancelToken,
    ) -> Result<Response, LanternError> {
        match request {
            Request::StartDictation {
                model_id, language, ..
            } => {
                let (tx, rx) = mpsc::unbounded();
                self.feeds.borrow_mut().insert(id, tx);
                let result = self
                    .dictate(&model_id, language, id, outbox, rx, cancel)
                    .await;
                self.feeds.borrow_mut().remove(&id);
                result.map(Response::Dictation)
            }
            Request::LoadModel {
                model_id,
                task: Task::Stt,
            } => {
                let store = ModelStore::open().await.map_err(errors::storage)?;
                let mut slot = super::turn(&self.whisper, id, outbox, cancel).await?;
                let held = self.load(&store, &mut slot, &model_id, id, outbox).await?;
                Ok(Response::ModelLoaded(held.describe()))
            }
            // The voice detector is read per dictation; loading it only checks the stored copy.
            Request::LoadModel { model_id, .. } => {
                let store = ModelStore::open().await.map_err(errors::storage)?;
                let installed = loader::installed(&store, &model_id).await?;
                let report = |done, total| outbox.loading(id, done, total);
                let loaded = loader::read(&store, installed, &report).await?;
                loader::describe(&loaded).map(Response::ModelLoaded)
            }
            other => Err(errors::not_served("speech", &other)),
        }
    }

    /// Audio for a dictation in progress; audio for one that ended is dropped.
    pub fn feed(&self, feed: AudioFeed) {
        if let Some(tx) = self.feeds.borrow().get(&feed.id()) {
            let _ = tx.unbounded_send(feed);
        }
    }
}
