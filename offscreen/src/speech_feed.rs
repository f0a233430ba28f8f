//! The side channel between the speech-out worker and the document that plays its audio:
//! `{kind: "speech", id, index, start, end, rate, samples}` from worker to document, one per
//! sentence (the samples' buffer moved, not copied). `id` is the worker's id of the `speak`
//! request (the document stops one with `cancel_signal`). Written and read only here.

use js_sys::{Float32Array, Object, Reflect};
use protocol::Id;
use wasm_bindgen::{JsCast, JsValue};

const SPEECH: &str = "speech";

/// One sentence's audio.
pub struct SentenceAudio {
    pub id: Id,
    pub index: u32,
    /// Where the sentence sits in the text, in chars.
    pub start: u32,
    pub end: u32,
    pub rate: f32,
    pub samples: Float32Array,
    /// Milliseconds the worker took to make these samples from the sentence's text.
    pub synthesis_ms: f64,
}

fn get(message: &JsValue, key: &str) -> JsValue {
    Reflect::get(message, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

fn kind_is(message: &JsValue, kind: &str) -> bool {
    message.is_object() && get(message, "kind").as_string().as_deref() == Some(kind)
}

fn number(message: &JsValue, key: &str) -> Option<f64> {
    get(message, key).as_f64()
}

impl SentenceAudio {
    /// The message to post, with `samples.buffer()` to put in the transfer list.
    pub fn message(&self) -> Object {
        let message = header(SPEECH, self.id);
        let set = |key: &str, value: JsValue| {
            let _ = Reflect::set(&message, &key.into(), &value);
        };
        set("index", self.index.into());
        set("start", self.start.into());
        set("end", self.end.into());
        set("rate", self.rate.into());
        set("samples", self.samples.clone().into());
        set("synthesis_ms", self.synthesis_ms.into());
        message
    }

    /// Reads a sentence's audio; `None` when the message is something else or malformed (it
    /// can only come from our own worker).
    pub fn read(message: &JsValue) -> Option<SentenceAudio> {
        if !kind_is(message, SPEECH) {
            return None;
        }
        Some(SentenceAudio {
            id: number(message, "id")? as Id,
            index: number(message, "index")? as u32,
            start: number(message, "start")? as u32,
            end: number(message, "end")? as u32,
            rate: number(message, "rate")? as f32,
            samples: get(message, "samples").dyn_into::<Float32Array>().ok()?,
            synthesis_ms: number(message, "synthesis_ms")?,
        })
    }

    /// Whether a message belongs to this channel at all (even a malformed one).
    pub fn is_speech(message: &JsValue) -> bool {
        kind_is(message, SPEECH)
    }
}

fn header(kind: &str, id: Id) -> Object {
    let message = Object::new();
    let _ = Reflect::set(&message, &"kind".into(), &kind.into());
    let _ = Reflect::set(&message, &"id".into(), &JsValue::from(id as f64));
    message
}
