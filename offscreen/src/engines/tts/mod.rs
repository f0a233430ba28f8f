//! The text-to-speech engine: text cut into sentences, each phonemized and synthesized by the
//! voice, its samples moved to the document (which plays them) as soon as they are ready, so
//! the first sentence plays while the next is made. It owns the voice and phonemizer it loaded
//! (kept between requests, loaded again when the stored copy changed; for Kokoro every voice
//! pack is kept, so another voice is no reload). Requests take turns on the voice in the order
//! they came, told their place while they wait; each one's cancellation (the document's stop)
//! ends it between two sentences, or takes it out of the queue.

mod voice;

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Float32Array};
use models::tts::piper::Rng;
use models::tts::split_sentences;
use protocol::catalog::split_voice_id;
use protocol::{
    ErrorCode, HeldModel, Id, LanternError, Request, Response, Spoken, Task, VoiceSpeed,
};
use webext::model_store::ModelStore;

use super::cancel::CancelToken;
use super::turns::Turns;
use crate::errors;
use crate::model_cache::loader;
use crate::outbox::Outbox;
use crate::speech_feed::SentenceAudio;
use crate::yield_now::yield_now;
use voice::HeldVoice;

#[derive(Default)]
pub struct TtsEngine {
    /// Requests take turns on the voice (the document plays one at a time anyway).
    voice: Turns<Option<HeldVoice>>,
    /// What is loaded, readable while a request holds the lock.
    held: RefCell<Option<HeldModel>>,
}

impl TtsEngine {
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
            Request::Speak {
                model_id,
                text,
                rate,
                ..
            } => self
                .speak(&model_id, &text, rate, id, outbox, cancel)
                .await
                .map(Response::Spoken),
            Request::MeasureVoiceSpeed { model_id } => self
                .measure(&model_id, id, outbox, cancel)
                .await
                .map(Response::VoiceSpeed),
            Request::LoadModel { model_id, .. } => {
                let store = ModelStore::open().await.map_err(errors::storage)?;
                let installed = loader::installed(&store, &model_id).await?;
                if installed.entry.role != protocol::Role::Model {
                    // The phonemizer's dictionaries: loading them only checks the stored copy.
                    let report = |done, total| outbox.loading(id, done, total);
                    let loaded = loader::read(&store, installed, &report).await?;
                    return loader::describe(&loaded).map(Response::ModelLoaded);
                }
                let mut slot = super::turn(&self.voice, id, outbox, cancel).await?;
                let held = self.load(&store, &mut slot, &model_id, id, outbox).await?;
                Ok(Response::ModelLoaded(held.describe()))
            }
            other => Err(errors::not_served("speech out", &other)),
        }
    }

    async fn speak(
        &self,
        model_id: &str,
        text: &str,
        rate: Option<f32>,
        id: Id,
        outbox: &Outbox,
        cancel: &CancelToken,
    ) -> Result<Spoken, LanternError> {
        let sentences = split_sentences(text);
        if sentences.is_empty() {
            return Err(LanternError::new(
                ErrorCode::NoReadableText,
                "there is nothing to read aloud in this text",
            ));
        }
        let store = ModelStore::open().await.map_err(errors::storage)?;
        let count = u32::try_from(sentences.len()).unwrap_or(u32::MAX);
        let stopped = Spoken {
            sentences: count,
            started: 0,
            scheduled_seconds: 0.0,
            played_seconds: 0.0,
            rms: 0.0,
            synthesis_seconds: 0.0,
            stopped: true,
        };
        // Stopped before its turn: nothing was said.
        let Some(mut slot) = self
            .voice
            .take(cancel, &mut super::queued(id, outbox))
            .await
        else {
            return Ok(stopped);
        };
        let held = self.load(&store, &mut slot, model_id, id, outbox).await?;
        let mut rng = Rng::new(0);
        for (index, sentence) in sentences.iter().enumerate() {
            if cancel.is_cancelled() {
                break;
            }
            let started = crate::worker::performance_now();
            let speech = held
                .voice
                .speak(
                    &held.phonemizer,
                    &sentence.text,
                    rate.unwrap_or(1.0),
                    &mut rng,
                )
                .map_err(errors::model)?;
            let synthesis_ms = crate::worker::performance_now() - started;
            let audio = SentenceAudio {
                id,
                index: u32::try_from(index).unwrap_or(u32::MAX),
                start: u32::try_from(sentence.start).unwrap_or(u32::MAX),
                end: u32::try_from(sentence.end).unwrap_or(u32::MAX),
                rate: speech.sample_rate as f32,
                samples: Float32Array::from(speech.samples.as_slice()),
                synthesis_ms,
            };
            let transfer = Array::of1(&audio.samples.buffer());
            outbox.post_with_transfer(&audio.message(), &transfer);
            // Lets a stop from the document arrive between two sentences.
            yield_now().await;
        }
        // The document fills in what it played; the worker only knows how many there were.
        Ok(Spoken {
            stopped: cancel.is_cancelled(),
            ..stopped
        })
    }

    /// Loads the voice and times one sentence of ordinary length (the voice's first sentence
    /// after loading, as a user's first request would be).
    async fn measure(
        &self,
        model_id: &str,
        id: Id,
        outbox: &Outbox,
        cancel: &CancelToken,
    ) -> Result<VoiceSpeed, LanternError> {
        const SENTENCE: &str =
            "Lantern reads this sentence aloud to time the voice on this computer.";
        let store = ModelStore::open().await.map_err(errors::storage)?;
        let mut slot = super::turn(&self.voice, id, outbox, cancel).await?;
        let held = self.load(&store, &mut slot, model_id, id, outbox).await?;
        let started = crate::worker::performance_now();
        let speech = held
            .voice
            .speak(&held.phonemizer, SENTENCE, 1.0, &mut Rng::new(0))
            .map_err(errors::model)?;
        let synthesis_seconds = (crate::worker::performance_now() - started) / 1000.0;
        let audio_seconds = speech.samples.len() as f64 / f64::from(speech.sample_rate);
        Ok(VoiceSpeed {
            model_id: model_id.to_string(),
            audio_seconds,
            synthesis_seconds,
            real_time_factor: synthesis_seconds / audio_seconds.max(f64::MIN_POSITIVE),
        })
    }

    async fn load<'a>(
        &self,
        store: &ModelStore,
        slot: &'a mut Option<HeldVoice>,
        model_id: &str,
        id: Id,
        outbox: &Outbox,
    ) -> Result<&'a mut HeldVoice, LanternError> {
        let (catalog_id, pack) = split_voice_id(model_id);
        let installed = loader::installed(store, catalog_id).await?;
        if installed.entry.task != Task::Tts {
            return Err(LanternError::new(
                ErrorCode::UnsupportedFormat,
                format!("{model_id} is not a voice"),
            ));
        }
        let current = slot
            .as_ref()
            .is_some_and(|h| h.model_id == catalog_id && h.installed_at == installed.installed_at);
        if !current {
            *slot = None;
            self.held.replace(None);
            let held = voice::read_voice(store, installed, pack, id, outbox).await?;
            self.held.replace(Some(HeldModel {
                model_id: catalog_id.to_string(),
                bytes: held.bytes,
            }));
            *slot = Some(held);
        }
        let held = slot
            .as_mut()
            .ok_or_else(|| LanternError::new(ErrorCode::Internal, "the voice was not kept"))?;
        held.choose(pack)?;
        Ok(held)
    }
}
