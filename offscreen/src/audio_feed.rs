//! The side channel that carries microphone audio from the document to the speech worker:
//! `{kind: "audio", id, rate, samples}` (the samples' buffer moved, not copied) and
//! `{kind: "audio", id, end: true}`. `id` is the worker's id of the dictation it belongs to.
//! Written by `document/dictation.rs`, read by `worker/`; both sides use this file only.

use js_sys::{Float32Array, Object, Reflect};
use protocol::Id;
use wasm_bindgen::{JsCast, JsValue};

const KIND: &str = "audio";

/// One message of the audio side channel.
pub enum AudioFeed {
    Samples {
        id: Id,
        rate: u32,
        samples: Vec<f32>,
    },
    /// The microphone closed: what was heard so far is all there is.
    End { id: Id },
}

impl AudioFeed {
    /// The request the audio belongs to.
    pub fn id(&self) -> Id {
        match self {
            AudioFeed::Samples { id, .. } | AudioFeed::End { id } => *id,
        }
    }

    /// Reads an audio message; `None` when the message is something else. A malformed audio
    /// message is dropped (`Some(None)`): it can only come from our own document.
    pub fn read(message: &JsValue) -> Option<Option<AudioFeed>> {
        let get = |key: &str| Reflect::get(message, &key.into()).unwrap_or(JsValue::UNDEFINED);
        if get("kind").as_string().as_deref() != Some(KIND) {
            return None;
        }
        let Some(id) = get("id").as_f64().map(|id| id as Id) else {
            return Some(None);
        };
        if get("end").is_truthy() {
            return Some(Some(AudioFeed::End { id }));
        }
        Some(
            get("samples")
                .dyn_into::<Float32Array>()
                .ok()
                .map(|samples| AudioFeed::Samples {
                    id,
                    rate: get("rate").as_f64().unwrap_or(0.0).round() as u32,
                    samples: samples.to_vec(),
                }),
        )
    }
}

/// A buffer of samples at `rate` Hz for dictation `id`; post it with `samples.buffer()` in the
/// transfer list.
pub fn samples_message(id: Id, rate: f32, samples: &Float32Array) -> Object {
    let message = header(id);
    let _ = Reflect::set(&message, &"rate".into(), &JsValue::from(rate));
    let _ = Reflect::set(&message, &"samples".into(), samples);
    message
}

/// The end of dictation `id`'s audio.
pub fn end_message(id: Id) -> Object {
    let message = header(id);
    let _ = Reflect::set(&message, &"end".into(), &JsValue::TRUE);
    message
}

fn header(id: Id) -> Object {
    let message = Object::new();
    let _ = Reflect::set(&message, &"kind".into(), &KIND.into());
    let _ = Reflect::set(&message, &"id".into(), &JsValue::from(id as f64));
    message
}
