//! Sample-rate conversion with rubato's synchronous FFT resampler (exact ratio, no drift).

use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{Fft, FixedSync, Resampler};

use crate::{ModelError, Result};

/// Input chunk for the FFT resampler: big enough for a sharp anti-alias filter, small enough
/// that short clips do not pay for a long start-up.
const CHUNK: usize = 1024;

/// `samples` (mono) from `from` Hz to `to` Hz, with the resampler's delay trimmed so sample `i`
/// of the output lines up with time `i / to`.
pub fn resample(samples: &[f32], from: u32, to: u32) -> Result<Vec<f32>> {
    if from == to || samples.is_empty() {
        return Ok(samples.to_vec());
    }
    let bad = |e: &dyn std::fmt::Display| ModelError::BadAudio(format!("resampling: {e}"));
    let mut resampler = Fft::<f32>::new(from as usize, to as usize, CHUNK, 1, FixedSync::Input)
        .map_err(|e| bad(&e))?;
    let input = InterleavedSlice::new(samples, 1, samples.len()).map_err(|e| bad(&e))?;
    let output = resampler
        .process_all(&input, samples.len(), None)
        .map_err(|e| bad(&e))?;
    Ok(output.take_data())
}
