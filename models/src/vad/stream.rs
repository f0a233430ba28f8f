//! Voice detection over audio that arrives in pieces of any length (a microphone's buffers):
//! samples are cut into 512-sample frames, scored, and segmented as they come.

use super::segments::Change;
use super::{FRAME, FrameScorer, Segmenter, SpeechSegment, VadOptions, frame_probabilities};
use crate::Result;

/// What the detector noticed; times in 16 kHz samples from the first sample pushed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum VadEvent {
    /// Speech may have begun at `start` (padded); `Speech` or `Dropped` follows.
    Started { start: usize },
    /// A confirmed, finished segment.
    Speech(SpeechSegment),
    /// The speech that began last was too short and is withdrawn.
    Dropped,
}

impl From<Change> for VadEvent {
    fn from(change: Change) -> Self {
        match change {
            Change::Started { start } => VadEvent::Started { start },
            Change::Ended(segment) => VadEvent::Speech(segment),
            Change::Dropped => VadEvent::Dropped,
        }
    }
}

/// A scorer and a segmenter over a stream of samples.
pub struct VoiceDetector {
    scorer: Box<dyn FrameScorer + Send>,
    segmenter: Segmenter,
    options: VadOptions,
    pending: Vec<f32>,
    samples: usize,
}

impl VoiceDetector {
    pub fn new(scorer: Box<dyn FrameScorer + Send>, options: VadOptions) -> Self {
        VoiceDetector {
            scorer,
            segmenter: Segmenter::new(options),
            options,
            pending: Vec::with_capacity(FRAME),
            samples: 0,
        }
    }

    /// More 16 kHz samples; returns what they completed.
    pub fn push(&mut self, samples: &[f32]) -> Result<Vec<VadEvent>> {
        self.samples += samples.len();
        let mut events = Vec::new();
        let mut rest = samples;
        while !rest.is_empty() {
            let take = (FRAME - self.pending.len()).min(rest.len());
            self.pending.extend_from_slice(&rest[..take]);
            rest = &rest[take..];
            if self.pending.len() == FRAME {
                let prob = self.scorer.score(&self.pending)?;
                self.pending.clear();
                events.extend(self.segmenter.push(prob).map(VadEvent::from));
            }
        }
        Ok(events)
    }

    /// The stream ended: scores the last partial frame (zero-padded) and closes open speech.
    /// The detector is then ready for a new stream.
    pub fn finish(&mut self) -> Result<Vec<VadEvent>> {
        let mut events = Vec::new();
        if !self.pending.is_empty() {
            self.pending.resize(FRAME, 0.0);
            let prob = self.scorer.score(&self.pending)?;
            events.extend(self.segmenter.push(prob).map(VadEvent::from));
        }
        events.extend(self.segmenter.finish(self.samples).map(VadEvent::from));
        self.reset();
        Ok(events)
    }

    /// Forgets the stream so far.
    pub fn reset(&mut self) {
        self.scorer.reset();
        self.segmenter = Segmenter::new(self.options);
        self.pending.clear();
        self.samples = 0;
    }
}

/// Speech segments of a whole clip (`get_speech_timestamps`).
pub fn detect_speech(
    scorer: &mut dyn FrameScorer,
    samples: &[f32],
    options: VadOptions,
) -> Result<Vec<SpeechSegment>> {
    let mut segmenter = Segmenter::new(options);
    let probs = frame_probabilities(scorer, samples)?;
    let mut changes: Vec<Change> = probs
        .into_iter()
        .filter_map(|p| segmenter.push(p))
        .collect();
    changes.extend(segmenter.finish(samples.len()));
    let segments = changes
        .into_iter()
        .filter_map(|change| match change {
            Change::Ended(segment) => Some(segment),
            _ => None,
        })
        .collect();
    Ok(segments)
}
