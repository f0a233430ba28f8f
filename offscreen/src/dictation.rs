//! Dictation in the speech worker: microphone buffers arrive from the document (`{kind:
//! "audio"}` messages, moved), are resampled to 16 kHz, and fed to the voice detector until one
//! utterance ends (or the audio ends, or nobody spoke for a while); then Whisper transcribes
//! the utterance, streaming its partial text.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::ControlFlow;

use futures_channel::mpsc;
use futures_util::StreamExt;
use js_sys::{Float32Array, Reflect};
use models::audio::{SAMPLE_RATE, StreamResampler};
use models::vad::{Heard, Utterances, VadOptions};
use models::whisper::{Progress, TranscribeOptions};
use protocol::{Dictation, Event, Id, LanternError};
use wasm_bindgen::{JsCast, JsValue};
use webext::model_store::ModelStore;

use crate::outbox::Outbox;
use crate::speech_models::{self, model_error};

/// Silence that ends the utterance: long enough for a pause between words.
const END_SILENCE_MS: u32 = 800;
/// Listening stops when nobody has spoken for this long.
const NO_SPEECH_SECONDS: usize = 15;
/// An utterance is cut here (Whisper still reads it whole, window by window).
const MAX_SPEECH_SECONDS: usize = 60;

/// A piece of the microphone's audio, or its end.
enum Feed {
    Samples { rate: u32, samples: Vec<f32> },
    End,
}

thread_local! {
    static FEEDS: RefCell<HashMap<Id, mpsc::UnboundedSender<Feed>>> = RefCell::new(HashMap::new());
}

/// Takes an `{kind: "audio", id, rate, samples}` or `{kind: "audio", id, end: true}` message;
/// `false` when the message is something else.
pub fn feed(message: &JsValue) -> bool {
    let get = |key: &str| Reflect::get(message, &key.into()).unwrap_or(JsValue::UNDEFINED);
    if get("kind").as_string().as_deref() != Some("audio") {
        return false;
    }
    let Some(id) = get("id").as_f64().map(|id| id as Id) else {
        return true;
    };
    let feed = if get("end").is_truthy() {
        Feed::End
    } else {
        match get("samples").dyn_into::<Float32Array>() {
            Ok(samples) => Feed::Samples {
                rate: get("rate").as_f64().unwrap_or(0.0).round() as u32,
                samples: samples.to_vec(),
            },
            Err(_) => return true,
        }
    };
    // A dictation that already ended needs no more audio.
    FEEDS.with(|f| {
        if let Some(tx) = f.borrow().get(&id) {
            let _ = tx.unbounded_send(feed);
        }
    });
    true
}

/// Serves `start_dictation` for request `id`.
pub async fn dictate(
    model_id: &str,
    language: Option<String>,
    id: Id,
    outbox: &Outbox,
) -> Result<Dictation, LanternError> {
    let (tx, rx) = mpsc::unbounded();
    FEEDS.with(|f| f.borrow_mut().insert(id, tx));
    let result = run(model_id, language, id, outbox, rx).await;
    FEEDS.with(|f| f.borrow_mut().remove(&id));
    result
}

async fn run(
    model_id: &str,
    language: Option<String>,
    id: Id,
    outbox: &Outbox,
    mut audio: mpsc::UnboundedReceiver<Feed>,
) -> Result<Dictation, LanternError> {
    let store = ModelStore::open()
        .await
        .map_err(crate::models::storage_error)?;
    // Audio arriving while the model loads waits in `audio`: nothing said is lost.
    let (mut whisper, installed_at) = speech_models::whisper(&store, model_id, id, outbox).await?;
    let (scorer, vad) = speech_models::voice_detector(&store).await;
    outbox.progress(id, Event::Listening { vad: vad.into() });
    let options = VadOptions {
        min_silence_ms: END_SILENCE_MS,
        ..VadOptions::default()
    };
    let listened = listen(Utterances::new(scorer, options), &mut audio, id, outbox).await;
    let speech = match listened {
        Ok(speech) => speech,
        Err(error) => {
            speech_models::keep(model_id, installed_at, whisper);
            return Err(error);
        }
    };
    let speech_seconds = speech.len() as f64 / f64::from(SAMPLE_RATE);
    outbox.progress(
        id,
        Event::SpeechEnded {
            seconds: speech_seconds,
        },
    );
    let language = language.or_else(|| (!whisper.is_multilingual()).then(|| "en".to_string()));
    let started = js_sys::Date::now();
    let transcript = if speech.is_empty() {
        Ok(None)
    } else {
        let options = TranscribeOptions {
            language,
            ..TranscribeOptions::default()
        };
        whisper
            .transcribe(&speech, options, &mut |progress| {
                if let Progress::Partial { text, .. } = progress {
                    outbox.progress(
                        id,
                        Event::Transcript {
                            text: text.trim().to_string(),
                            partial: true,
                        },
                    );
                }
                ControlFlow::Continue(())
            })
            .map(Some)
    };
    let transcribe_ms = js_sys::Date::now() - started;
    speech_models::keep(model_id, installed_at, whisper);
    let transcript = transcript.map_err(model_error)?;
    let (text, language) = transcript
        .map(|t| (t.text.trim().to_string(), t.language))
        .unwrap_or_else(|| (String::new(), "en".into()));
    outbox.progress(
        id,
        Event::Transcript {
            text: text.clone(),
            partial: false,
        },
    );
    Ok(Dictation {
        text,
        language,
        vad: vad.into(),
        speech_seconds,
        transcribe_ms,
        real_time_factor: if speech_seconds > 0.0 {
            transcribe_ms / 1000.0 / speech_seconds
        } else {
            0.0
        },
    })
}

/// Feeds audio to the detector until an utterance is complete; its samples (16 kHz), or none
/// when nobody spoke.
async fn listen(
    mut utterances: Utterances,
    audio: &mut mpsc::UnboundedReceiver<Feed>,
    id: Id,
    outbox: &Outbox,
) -> Result<Vec<f32>, LanternError> {
    let mut resampler: Option<(u32, StreamResampler)> = None;
    let mut heard = 0usize;
    let mut speech_from: Option<usize> = None;
    let rate = SAMPLE_RATE as usize;
    loop {
        let (samples, ended) = match audio.next().await {
            Some(Feed::Samples {
                rate: from,
                samples,
            }) => {
                let resampler = match &mut resampler {
                    Some((r, resampler)) if *r == from => resampler,
                    _ => {
                        let fresh = StreamResampler::new(from, SAMPLE_RATE).map_err(model_error)?;
                        &mut resampler.insert((from, fresh)).1
                    }
                };
                (resampler.push(&samples).map_err(model_error)?, false)
            }
            Some(Feed::End) | None => {
                let rest = match &mut resampler {
                    Some((_, resampler)) => resampler.finish().map_err(model_error)?,
                    None => Vec::new(),
                };
                (rest, true)
            }
        };
        heard += samples.len();
        let mut events = utterances.push(&samples).map_err(model_error)?;
        let quiet_too_long = speech_from.is_none() && heard > NO_SPEECH_SECONDS * rate;
        let spoke_too_long =
            speech_from.is_some_and(|from| heard - from > MAX_SPEECH_SECONDS * rate);
        if ended || quiet_too_long || spoke_too_long {
            events.extend(utterances.finish().map_err(model_error)?);
        }
        for event in events {
            match event {
                Heard::Started { start } => {
                    speech_from = Some(start);
                    outbox.progress(id, Event::SpeechStarted);
                }
                Heard::Dropped => speech_from = None,
                Heard::Utterance(utterance) => return Ok(utterance.samples),
            }
        }
        if ended || quiet_too_long || spoke_too_long {
            return Ok(Vec::new());
        }
    }
}
