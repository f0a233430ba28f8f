//! Dictation in the speech worker: microphone buffers arrive from the document (the audio side
//! channel, `audio_feed.rs`), are resampled to 16 kHz, and fed to the voice detector until one
//! utterance ends (or the audio ends, or nobody spoke for a while); then Whisper transcribes
//! the utterance, streaming its partial text.

use std::ops::ControlFlow;

use futures_channel::mpsc;
use futures_util::StreamExt;
use models::audio::{SAMPLE_RATE, StreamResampler};
use models::vad::{Heard, Utterances, VadOptions};
use models::whisper::{Progress, TranscribeOptions, Whisper};
use protocol::{Dictation, Event, Id, LanternError};
use webext::model_store::ModelStore;

use super::{SttEngine, whisper};
use crate::audio_feed::AudioFeed;
use crate::engines::CancelToken;
use crate::errors;
use crate::outbox::Outbox;

/// Silence that ends the utterance: long enough for a pause between words.
const END_SILENCE_MS: u32 = 800;
/// Listening stops when nobody has spoken for this long.
const NO_SPEECH_SECONDS: usize = 15;
/// An utterance is cut here (Whisper still reads it whole, window by window).
const MAX_SPEECH_SECONDS: usize = 60;

impl SttEngine {
    /// Serves `start_dictation` for request `id`, whose audio arrives on `audio`.
    pub(super) async fn dictate(
        &self,
        model_id: &str,
        language: Option<String>,
        id: Id,
        outbox: &Outbox,
        mut audio: mpsc::UnboundedReceiver<AudioFeed>,
        cancel: &CancelToken,
    ) -> Result<Dictation, LanternError> {
        let store = ModelStore::open().await.map_err(errors::storage)?;
        let mut slot = crate::engines::turn(&self.whisper, id, outbox, cancel).await?;
        // Audio arriving while the model loads waits in `audio`: nothing said is lost.
        let held = self.load(&store, &mut slot, model_id, id, outbox).await?;
        let whisper = &mut held.whisper;
        transcribe_utterance(whisper, &store, language, id, outbox, &mut audio, cancel).await
    }
}

async fn transcribe_utterance(
    whisper: &mut Whisper,
    store: &ModelStore,
    language: Option<String>,
    id: Id,
    outbox: &Outbox,
    audio: &mut mpsc::UnboundedReceiver<AudioFeed>,
    cancel: &CancelToken,
) -> Result<Dictation, LanternError> {
    let (scorer, vad) = whisper::voice_detector(store).await;
    outbox.progress(id, Event::Listening { vad: vad.into() });
    let options = VadOptions {
        min_silence_ms: END_SILENCE_MS,
        ..VadOptions::default()
    };
    let speech = listen(Utterances::new(scorer, options), audio, id, outbox).await?;
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
                // Abandoned (the asker went away): no more windows are decoded.
                if cancel.is_cancelled() {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            })
            .map(Some)
    };
    let transcribe_ms = js_sys::Date::now() - started;
    let transcript = transcript.map_err(errors::model)?;
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
    audio: &mut mpsc::UnboundedReceiver<AudioFeed>,
    id: Id,
    outbox: &Outbox,
) -> Result<Vec<f32>, LanternError> {
    let mut resampler: Option<(u32, StreamResampler)> = None;
    let mut heard = 0usize;
    let mut speech_from: Option<usize> = None;
    let rate = SAMPLE_RATE as usize;
    loop {
        let (samples, ended) = match audio.next().await {
            Some(AudioFeed::Samples {
                rate: from,
                samples,
                ..
            }) => {
                let resampler = match &mut resampler {
                    Some((r, resampler)) if *r == from => resampler,
                    _ => {
                        let fresh =
                            StreamResampler::new(from, SAMPLE_RATE).map_err(errors::model)?;
                        &mut resampler.insert((from, fresh)).1
                    }
                };
                (resampler.push(&samples).map_err(errors::model)?, false)
            }
            Some(AudioFeed::End { .. }) | None => {
                let rest = match &mut resampler {
                    Some((_, resampler)) => resampler.finish().map_err(errors::model)?,
                    None => Vec::new(),
                };
                (rest, true)
            }
        };
        heard += samples.len();
        let mut events = utterances.push(&samples).map_err(errors::model)?;
        let quiet_too_long = speech_from.is_none() && heard > NO_SPEECH_SECONDS * rate;
        let spoke_too_long =
            speech_from.is_some_and(|from| heard - from > MAX_SPEECH_SECONDS * rate);
        if ended || quiet_too_long || spoke_too_long {
            events.extend(utterances.finish().map_err(errors::model)?);
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
