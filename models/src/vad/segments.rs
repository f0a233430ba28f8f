//! From frame probabilities to speech segments, as silero-vad 6.2.3's
//! `get_speech_timestamps_from_probs` does (threshold with hysteresis, min speech, min silence,
//! padding), but one frame at a time so a live stream can use it. Not carried over:
//! `max_speech_duration_s` (Whisper windows long speech itself), and the split of a gap shorter
//! than twice the padding (with the defaults every gap is at least `min_silence_ms`, longer than
//! that, so the two agree; with shorter settings a segment here starts no earlier than the
//! previous one ended).

use super::FRAME;
use crate::audio::SAMPLE_RATE;

/// `get_speech_timestamps`' parameters, with its defaults.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VadOptions {
    /// A frame at or above this probability is speech.
    pub threshold: f32,
    /// Inside speech, only a frame below this is silence (`neg_threshold`; default threshold - 0.15).
    pub neg_threshold: Option<f32>,
    /// Shorter segments are dropped.
    pub min_speech_ms: u32,
    /// Silence must last this long to end a segment.
    pub min_silence_ms: u32,
    /// Added to each side of a segment.
    pub speech_pad_ms: u32,
}

impl Default for VadOptions {
    fn default() -> Self {
        VadOptions {
            threshold: 0.5,
            neg_threshold: None,
            min_speech_ms: 250,
            min_silence_ms: 100,
            speech_pad_ms: 30,
        }
    }
}

/// A stretch of speech, in 16 kHz samples from the start of the audio.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpeechSegment {
    pub start: usize,
    pub end: usize,
}

impl SpeechSegment {
    pub fn start_seconds(&self) -> f64 {
        self.start as f64 / f64::from(SAMPLE_RATE)
    }

    pub fn end_seconds(&self) -> f64 {
        self.end as f64 / f64::from(SAMPLE_RATE)
    }
}

/// What one frame's probability changed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Change {
    /// Speech began; `start` (samples) is already padded. It may still be dropped as too short.
    Started { start: usize },
    /// The speech that began last was confirmed and has ended.
    Ended(SpeechSegment),
    /// The speech that began last was shorter than `min_speech_ms` and is withdrawn.
    Dropped,
}

/// The state machine of `get_speech_timestamps_from_probs`, fed one probability per frame.
#[derive(Debug, Clone)]
pub struct Segmenter {
    threshold: f32,
    neg_threshold: f32,
    min_speech: usize,
    min_silence: usize,
    pad: usize,
    /// Frames seen so far.
    frames: usize,
    /// `triggered` / `current_speech['start']`.
    start: Option<usize>,
    /// `temp_end`: where the silence that may end this segment began.
    temp_end: Option<usize>,
    /// The padded end of the last segment, so the next one's padding cannot overlap it.
    previous_end: usize,
}

impl Segmenter {
    pub fn new(options: VadOptions) -> Self {
        let samples = |ms: u32| (u64::from(SAMPLE_RATE) * u64::from(ms) / 1000) as usize;
        Segmenter {
            threshold: options.threshold,
            neg_threshold: options
                .neg_threshold
                .unwrap_or((options.threshold - 0.15).max(0.01)),
            min_speech: samples(options.min_speech_ms),
            min_silence: samples(options.min_silence_ms),
            pad: samples(options.speech_pad_ms),
            frames: 0,
            start: None,
            temp_end: None,
            previous_end: 0,
        }
    }

    /// The next frame's probability.
    pub fn push(&mut self, prob: f32) -> Option<Change> {
        let current = self.frames * FRAME;
        self.frames += 1;
        if prob >= self.threshold {
            self.temp_end = None;
            if self.start.is_none() {
                self.start = Some(current);
                let start = current.saturating_sub(self.pad).max(self.previous_end);
                return Some(Change::Started { start });
            }
            return None;
        }
        let start = self.start?;
        if prob >= self.neg_threshold {
            return None;
        }
        let temp_end = *self.temp_end.get_or_insert(current);
        if current - temp_end < self.min_silence {
            return None;
        }
        self.start = None;
        self.temp_end = None;
        Some(self.close(start, temp_end, temp_end + self.pad))
    }

    /// The end of the audio after `total` samples: speech still open ends there.
    pub fn finish(&mut self, total: usize) -> Option<Change> {
        let start = self.start.take()?;
        self.temp_end = None;
        Some(self.close(start, total, total))
    }

    fn close(&mut self, start: usize, end: usize, padded_end: usize) -> Change {
        if end.saturating_sub(start) <= self.min_speech {
            return Change::Dropped;
        }
        let segment = SpeechSegment {
            start: start.saturating_sub(self.pad).max(self.previous_end),
            end: padded_end,
        };
        self.previous_end = padded_end;
        Change::Ended(segment)
    }
}
