//! Voice activity detection at 16 kHz: a per-frame speech probability (Silero VAD, or an energy
//! detector when its weights are absent) and the segmenter that turns probabilities into speech
//! segments the way silero's `get_speech_timestamps` does, usable as a stream.

mod energy;
mod segments;
mod silero;
mod stream;
mod utterance;

pub use energy::EnergyVad;
pub use segments::{Change, Segmenter, SpeechSegment, VadOptions};
pub use silero::SileroVad;
pub use stream::{VadEvent, VoiceDetector, detect_speech};
pub use utterance::{Heard, Utterance, Utterances};

/// Samples per frame: 32 ms at 16 kHz, Silero's window for that rate.
pub const FRAME: usize = 512;

/// Anything that scores 512-sample frames in order, carrying its own state between them.
pub trait FrameScorer {
    /// The probability that `frame` (exactly [`FRAME`] samples, 16 kHz) holds speech.
    fn score(&mut self, frame: &[f32]) -> crate::Result<f32>;
    /// Forget everything heard so far, as before the first frame.
    fn reset(&mut self);
}

/// One probability per frame of `samples`, the last frame zero-padded (silero's `audio_forward`).
pub fn frame_probabilities(
    scorer: &mut dyn FrameScorer,
    samples: &[f32],
) -> crate::Result<Vec<f32>> {
    scorer.reset();
    samples
        .chunks(FRAME)
        .map(|chunk| {
            if chunk.len() == FRAME {
                scorer.score(chunk)
            } else {
                let mut frame = chunk.to_vec();
                frame.resize(FRAME, 0.0);
                scorer.score(&frame)
            }
        })
        .collect()
}
