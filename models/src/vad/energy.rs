//! The fallback detector when Silero's weights are absent: frame energy against a tracked noise
//! floor. It tells loud from quiet, not speech from other sound: steady noise or a tone that
//! starts the recording becomes the floor and reads as silence, but one that starts later is
//! speech until the floor has risen to it.

use super::{FRAME, FrameScorer};
use crate::{ModelError, Result};

/// Frames quieter than this (dBFS) are never speech.
const ABSOLUTE_FLOOR_DB: f32 = -55.0;
/// How far above the noise floor a frame is "half speech" (probability 0.5).
const MARGIN_DB: f32 = 9.0;
/// Width of the soft step from silence to speech around the margin.
const SLOPE_DB: f32 = 2.0;
/// How fast the floor rises towards louder frames: 0.05 dB per 32 ms frame, ~1.5 dB/s, slow
/// enough that a sentence does not become the floor, fast enough to follow a noisier room.
const RISE_DB: f32 = 0.05;

#[derive(Debug, Clone, Default)]
pub struct EnergyVad {
    floor_db: Option<f32>,
}

impl EnergyVad {
    pub fn new() -> Self {
        Self::default()
    }
}

impl FrameScorer for EnergyVad {
    fn score(&mut self, frame: &[f32]) -> Result<f32> {
        if frame.len() != FRAME {
            return Err(ModelError::BadAudio(format!(
                "the energy detector takes {FRAME}-sample frames, got {}",
                frame.len()
            )));
        }
        let power = frame.iter().map(|x| x * x).sum::<f32>() / FRAME as f32;
        let db = 10.0 * (power + 1e-12).log10();
        // Falls at once to a quieter frame, rises slowly towards a louder one.
        let floor = match self.floor_db {
            Some(floor) if db > floor => (floor + RISE_DB).min(db),
            _ => db,
        };
        self.floor_db = Some(floor);
        if db < ABSOLUTE_FLOOR_DB {
            return Ok(0.0);
        }
        let snr = db - floor.max(ABSOLUTE_FLOOR_DB - MARGIN_DB);
        Ok(1.0 / (1.0 + (-(snr - MARGIN_DB) / SLOPE_DB).exp()))
    }

    fn reset(&mut self) {
        self.floor_db = None;
    }
}
