//! Sample-rate conversion of audio that arrives in pieces (a microphone's buffers): one rubato
//! FFT resampler kept across pieces, so no piece boundary is heard in the output.

use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{Fft, FixedSync, Indexing, Resampler};

use crate::{ModelError, Result};

/// Input frames per resampler step (about 21 ms at 48 kHz): short enough for live audio.
const CHUNK: usize = 1024;

pub struct StreamResampler {
    /// `None` when the rates are equal: samples pass through.
    resampler: Option<Fft<f32>>,
    /// Input not yet a whole chunk.
    pending: Vec<f32>,
    /// Output samples still to drop: the resampler's start-up delay.
    delay: usize,
}

fn bad(e: &dyn std::fmt::Display) -> ModelError {
    ModelError::BadAudio(format!("resampling: {e}"))
}

impl StreamResampler {
    pub fn new(from: u32, to: u32) -> Result<Self> {
        if from == 0 || to == 0 {
            return Err(ModelError::BadAudio(format!(
                "cannot resample from {from} Hz to {to} Hz"
            )));
        }
        if from == to {
            return Ok(StreamResampler {
                resampler: None,
                pending: Vec::new(),
                delay: 0,
            });
        }
        let resampler = Fft::<f32>::new(from as usize, to as usize, CHUNK, 1, FixedSync::Input)
            .map_err(|e| bad(&e))?;
        let delay = resampler.output_delay();
        Ok(StreamResampler {
            resampler: Some(resampler),
            pending: Vec::with_capacity(CHUNK),
            delay,
        })
    }

    /// More input; returns the output it completed.
    pub fn push(&mut self, samples: &[f32]) -> Result<Vec<f32>> {
        let Some(resampler) = self.resampler.as_mut() else {
            return Ok(samples.to_vec());
        };
        self.pending.extend_from_slice(samples);
        let mut out = Vec::new();
        let mut used = 0;
        while self.pending.len() - used >= resampler.input_frames_next() {
            let take = resampler.input_frames_next();
            let chunk = &self.pending[used..used + take];
            out.extend(step(resampler, chunk, None)?);
            used += take;
        }
        self.pending.drain(..used);
        Ok(self.trim(out))
    }

    /// The input ended: what is still inside the resampler, zero-padded to a whole step.
    pub fn finish(&mut self) -> Result<Vec<f32>> {
        let Some(resampler) = self.resampler.as_mut() else {
            return Ok(Vec::new());
        };
        let partial = Indexing::new().partial_len(self.pending.len());
        let mut padded = std::mem::take(&mut self.pending);
        padded.resize(resampler.input_frames_next(), 0.0);
        let out = step(resampler, &padded, Some(&partial))?;
        resampler.reset();
        let out = self.trim(out);
        self.delay = self.resampler.as_ref().map_or(0, |r| r.output_delay());
        Ok(out)
    }

    fn trim(&mut self, mut out: Vec<f32>) -> Vec<f32> {
        let drop = self.delay.min(out.len());
        self.delay -= drop;
        out.drain(..drop);
        out
    }
}

fn step(resampler: &mut Fft<f32>, chunk: &[f32], indexing: Option<&Indexing>) -> Result<Vec<f32>> {
    let input = InterleavedSlice::new(chunk, 1, chunk.len()).map_err(|e| bad(&e))?;
    let output = resampler.process(&input, indexing).map_err(|e| bad(&e))?;
    Ok(output.take_data())
}
