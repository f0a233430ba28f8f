//! Live dictation's front half: audio pushed in pieces comes out as whole utterances (the samples
//! of each confirmed speech segment, padding included), ready for Whisper, while only the audio an
//! utterance may still need is kept.

use super::{FrameScorer, SpeechSegment, VadEvent, VadOptions, VoiceDetector};
use crate::Result;

/// One stretch of speech and its samples.
#[derive(Debug, Clone, PartialEq)]
pub struct Utterance {
    pub segment: SpeechSegment,
    pub samples: Vec<f32>,
}

/// What pushing audio produced.
#[derive(Debug, Clone, PartialEq)]
pub enum Heard {
    /// Speech may have begun at this sample (for a "listening..." indicator).
    Started {
        start: usize,
    },
    /// The speech that began last was too short and is withdrawn.
    Dropped,
    Utterance(Utterance),
}

pub struct Utterances {
    detector: VoiceDetector,
    /// Samples from `kept_from` on.
    kept: Vec<f32>,
    kept_from: usize,
    /// How much audio before "now" a segment's padded start may reach back, when not in speech.
    lookback: usize,
    in_speech: bool,
}

impl Utterances {
    pub fn new(scorer: Box<dyn FrameScorer + Send>, options: VadOptions) -> Self {
        // The segmenter reports a start one frame late and pads it; keep a little more.
        let lookback = 2 * super::FRAME
            + (crate::audio::SAMPLE_RATE as usize * options.speech_pad_ms as usize) / 1000;
        Utterances {
            detector: VoiceDetector::new(scorer, options),
            kept: Vec::new(),
            kept_from: 0,
            lookback,
            in_speech: false,
        }
    }

    /// More 16 kHz samples.
    pub fn push(&mut self, samples: &[f32]) -> Result<Vec<Heard>> {
        self.kept.extend_from_slice(samples);
        let events = self.detector.push(samples)?;
        let heard = self.handle(events);
        if !self.in_speech {
            let end = self.kept_from + self.kept.len();
            let keep_from = end.saturating_sub(self.lookback).max(self.kept_from);
            self.kept.drain(..keep_from - self.kept_from);
            self.kept_from = keep_from;
        }
        Ok(heard)
    }

    /// The stream ended: speech still open becomes the last utterance. Ready for a new stream.
    pub fn finish(&mut self) -> Result<Vec<Heard>> {
        let events = self.detector.finish()?;
        let heard = self.handle(events);
        self.kept.clear();
        self.kept_from = 0;
        self.in_speech = false;
        Ok(heard)
    }

    fn handle(&mut self, events: Vec<VadEvent>) -> Vec<Heard> {
        events
            .into_iter()
            .map(|event| match event {
                VadEvent::Started { start } => {
                    self.in_speech = true;
                    Heard::Started { start }
                }
                VadEvent::Dropped => {
                    self.in_speech = false;
                    Heard::Dropped
                }
                VadEvent::Speech(segment) => {
                    self.in_speech = false;
                    let from = segment
                        .start
                        .saturating_sub(self.kept_from)
                        .min(self.kept.len());
                    let to = segment
                        .end
                        .saturating_sub(self.kept_from)
                        .min(self.kept.len());
                    Heard::Utterance(Utterance {
                        segment,
                        samples: self.kept[from..to].to_vec(),
                    })
                }
            })
            .collect()
    }
}
