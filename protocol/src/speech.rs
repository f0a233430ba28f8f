//! How an answer is spoken while it streams: the voice, rate and volume a chat or summary
//! request asks for when its text should be read aloud as it is written.

use serde::{Deserialize, Serialize};

/// Speak the answer as it streams: each sentence is spoken as soon as it is complete, through
/// the same speaker as `speak` (so `stop_speaking`, `pause_speaking` and `resume_speaking` act
/// on it), and the request's reply waits until the last sentence has played or was stopped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpeechStyle {
    /// The voice, as `speak` takes it: a TTS model's catalog id (`piper-en_US-joe-medium`),
    /// followed for a model with several voices by `:` and the voice's name
    /// (`kokoro-82m-v1.0-int8:af_heart`; without it, the model's first voice).
    pub model_id: String,
    /// Speaking rate, 0.5 to 2 (2 is twice as fast); `None` is the voice's own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<f32>,
    /// Loudness, 0 to 1; `None` is full.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume: Option<f32>,
}
