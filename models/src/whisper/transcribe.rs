//! Long audio, window by window, mirroring openai-whisper 20250625's `transcribe.py`: 30 s of
//! zeros padded before the mel, each window decoded with temperature fallback
//! (`decode_with_fallback`), windows judged silent skipped (`no_speech_threshold` unless
//! `avg_logprob` is high), segments cut between consecutive timestamp tokens, and the next
//! window starting at the last complete segment's end timestamp. Our addition: given VAD
//! segments, windows without speech are never decoded and a window starts where speech starts.

use std::ops::ControlFlow;

use candle_core::Tensor;
use serde::Serialize;

use super::decode::{Decoded, Request};
use super::{N_FRAMES, N_SAMPLES, Whisper};
use crate::audio::{HOP_LENGTH, LogMel, SAMPLE_RATE};
use crate::nn::Rng;
use crate::vad::SpeechSegment;
use crate::{ModelError, Result};

/// Mel frames per output token (`input_stride`): the encoder's second convolution has stride 2.
const INPUT_STRIDE: usize = 2;
/// Seconds per timestamp step (`time_precision`).
const TIME_PRECISION: f64 = 0.02;
/// How far before a VAD segment's start a window may begin, so Whisper hears the onset whole.
const SPEECH_LEAD_FRAMES: usize = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Task {
    #[default]
    Transcribe,
    /// Into English (multilingual models only).
    Translate,
}

/// `transcribe()`'s options, with its defaults.
#[derive(Debug, Clone)]
pub struct TranscribeOptions {
    /// An ISO 639-1 code such as "en"; `None` detects it (multilingual models).
    pub language: Option<String>,
    pub task: Task,
    /// Tried in order while the result looks wrong (`temperature`).
    pub temperatures: Vec<f32>,
    /// Above this gzip ratio the text is taken for a repetition loop.
    pub compression_ratio_threshold: Option<f32>,
    /// Below this average log probability the text is taken for a guess.
    pub logprob_threshold: Option<f32>,
    /// Above this `<|nospeech|>` probability (and with a low log probability) a window is silence.
    pub no_speech_threshold: Option<f32>,
    /// Prompt each window with the text before it.
    pub condition_on_previous_text: bool,
    /// Where a VAD heard speech; `None` decodes all of the audio.
    pub speech: Option<Vec<SpeechSegment>>,
    /// Seeds sampling at temperatures above 0 (runs repeat exactly).
    pub seed: u64,
}

impl Default for TranscribeOptions {
    fn default() -> Self {
        TranscribeOptions {
            language: None,
            task: Task::Transcribe,
            temperatures: vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0],
            compression_ratio_threshold: Some(2.4),
            logprob_threshold: Some(-1.0),
            no_speech_threshold: Some(0.6),
            condition_on_previous_text: true,
            speech: None,
            seed: 0,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Segment {
    /// Seconds from the start of the audio.
    pub start: f64,
    pub end: f64,
    pub text: String,
    #[serde(skip)]
    pub tokens: Vec<u32>,
    pub temperature: f32,
    pub avg_logprob: f32,
    pub compression_ratio: f32,
    pub no_speech_prob: f32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Transcript {
    pub text: String,
    pub language: String,
    pub segments: Vec<Segment>,
}

/// What a transcription reports while it runs.
#[derive(Debug, Clone, Copy)]
pub enum Progress<'a> {
    /// The current window's text so far, after each token; `start` is the window's start (s).
    Partial { start: f64, text: &'a str },
    /// A finished segment.
    Segment(&'a Segment),
}

/// A transcription under way: each [`Transcription::step`] decodes one window, so a worker can
/// stop between windows (or, through the progress callback, between tokens).
pub struct Transcription {
    mel: LogMel,
    content_frames: usize,
    seek: usize,
    language: String,
    sot_sequence: Vec<u32>,
    options: TranscribeOptions,
    /// Speech regions in mel frames, in order.
    speech: Option<Vec<(usize, usize)>>,
    all_tokens: Vec<u32>,
    prompt_reset_since: usize,
    segments: Vec<Segment>,
    /// The encoder output of the window at this seek, kept from language detection.
    cached: Option<(usize, Tensor)>,
    rng: Rng,
}

impl Whisper {
    /// Transcribes 16 kHz mono `samples` whole, reporting progress as it goes.
    pub fn transcribe(
        &mut self,
        samples: &[f32],
        options: TranscribeOptions,
        on_progress: &mut dyn FnMut(Progress) -> ControlFlow<()>,
    ) -> Result<Transcript> {
        let mut transcription = self.start(samples, options)?;
        while transcription.step(self, on_progress)? {}
        Ok(transcription.finish())
    }

    /// Prepares a transcription: the mel, and the language (detected on the first window with
    /// speech when not given).
    pub fn start(&mut self, samples: &[f32], options: TranscribeOptions) -> Result<Transcription> {
        if options.temperatures.is_empty() {
            return Err(ModelError::Unsupported(
                "no temperature to decode at".into(),
            ));
        }
        let multilingual = self.is_multilingual();
        if !multilingual {
            if options.task == Task::Translate {
                return Err(ModelError::Unsupported(
                    "translation needs a multilingual Whisper; this one is English-only".into(),
                ));
            }
            if options.language.as_deref().is_some_and(|l| l != "en") {
                return Err(ModelError::Unsupported(
                    "this Whisper is English-only".into(),
                ));
            }
        }
        // transcribe.py: "Pad 30-seconds of silence to the input audio, for slicing"
        let mel = self.mel(samples, N_SAMPLES);
        let content_frames = mel.n_frames - N_FRAMES;
        let speech: Option<Vec<(usize, usize)>> = options.speech.as_ref().map(|segments| {
            segments
                .iter()
                .map(|s| {
                    (
                        s.start / HOP_LENGTH,
                        s.end.div_ceil(HOP_LENGTH).min(content_frames),
                    )
                })
                .filter(|(start, end)| start < end)
                .collect()
        });
        let first_speech = match &speech {
            Some(regions) => regions
                .first()
                .map(|(start, _)| start.saturating_sub(SPEECH_LEAD_FRAMES)),
            None => Some(0),
        };
        let mut cached = None;
        let language = match (&options.language, first_speech) {
            (Some(language), _) => language.clone(),
            (None, Some(seek)) if multilingual => {
                let size = N_FRAMES.min(content_frames - seek.min(content_frames));
                let audio = self.encode_window(&mel, seek, size)?;
                let probs = self.language_probs(&audio)?;
                cached = Some((seek, audio));
                probs
                    .first()
                    .map(|(code, _)| code.clone())
                    .unwrap_or_else(|| "en".into())
            }
            _ => "en".to_string(),
        };
        let mut sot_sequence = vec![self.tokens.sot];
        if multilingual {
            let token = self.tokens.language(&language).ok_or_else(|| {
                ModelError::Unsupported(format!("unknown language code {language:?}"))
            })?;
            sot_sequence.push(token);
            sot_sequence.push(match options.task {
                Task::Transcribe => self.tokens.transcribe,
                Task::Translate => self.tokens.translate,
            });
        }
        Ok(Transcription {
            mel,
            content_frames,
            seek: 0,
            language,
            sot_sequence,
            rng: Rng::new(options.seed),
            options,
            speech,
            all_tokens: Vec::new(),
            prompt_reset_since: 0,
            segments: Vec::new(),
            cached,
        })
    }

    /// `decode_with_fallback`: the first temperature whose result is neither a repetition loop
    /// nor improbable text (unless it is improbable because it is silence).
    fn decode_with_fallback(
        &mut self,
        audio: &Tensor,
        prompt: &[u32],
        sot_sequence: &[u32],
        options: &TranscribeOptions,
        rng: &mut Rng,
        on_text: &mut dyn FnMut(&str) -> ControlFlow<()>,
    ) -> Result<Decoded> {
        let mut result = None;
        for &temperature in &options.temperatures {
            let request = Request {
                prompt,
                sot_sequence,
                temperature,
            };
            let decoded = self.decode_window(audio, &request, rng, on_text)?;
            let too_repetitive = options
                .compression_ratio_threshold
                .is_some_and(|t| decoded.compression_ratio > t);
            let improbable = options
                .logprob_threshold
                .is_some_and(|t| decoded.avg_logprob < t);
            let silence = improbable
                && options
                    .no_speech_threshold
                    .is_some_and(|t| decoded.no_speech_prob > t);
            let done = !(too_repetitive || improbable) || silence;
            result = Some(decoded);
            if done {
                break;
            }
        }
        result.ok_or_else(|| ModelError::Unsupported("no temperature to decode at".into()))
    }
}

impl Transcription {
    /// The detected or requested language code.
    pub fn language(&self) -> &str {
        &self.language
    }

    /// How much of the audio is done, 0 to 1.
    pub fn progress(&self) -> f64 {
        if self.content_frames == 0 {
            1.0
        } else {
            (self.seek as f64 / self.content_frames as f64).min(1.0)
        }
    }

    /// Segments finished so far.
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// Decodes the next window. Returns `false` once the audio is done.
    pub fn step(
        &mut self,
        whisper: &mut Whisper,
        on_progress: &mut dyn FnMut(Progress) -> ControlFlow<()>,
    ) -> Result<bool> {
        if !self.skip_to_speech() {
            return Ok(false);
        }
        let seek = self.seek;
        let time_offset = (seek * HOP_LENGTH) as f64 / f64::from(SAMPLE_RATE);
        let segment_size = N_FRAMES.min(self.content_frames - seek);
        let segment_duration = (segment_size * HOP_LENGTH) as f64 / f64::from(SAMPLE_RATE);
        let audio = match self.cached.take() {
            Some((at, audio)) if at == seek => audio,
            _ => whisper.encode_window(&self.mel, seek, segment_size)?,
        };
        let prompt = &self.all_tokens[self.prompt_reset_since..];
        let mut on_text = |text: &str| {
            on_progress(Progress::Partial {
                start: time_offset,
                text,
            })
        };
        let result = whisper.decode_with_fallback(
            &audio,
            prompt,
            &self.sot_sequence,
            &self.options,
            &mut self.rng,
            &mut on_text,
        )?;

        // no voice activity check
        let options = &self.options;
        if let Some(threshold) = options.no_speech_threshold {
            let confident = options
                .logprob_threshold
                .is_some_and(|t| result.avg_logprob > t);
            if result.no_speech_prob > threshold && !confident {
                self.seek += segment_size;
                return Ok(self.seek < self.content_frames);
            }
        }

        let tokens = &result.tokens;
        let ts_begin = whisper.tokens.timestamp_begin;
        let is_ts: Vec<bool> = tokens.iter().map(|&t| t >= ts_begin).collect();
        let single_timestamp_ending = is_ts.len() >= 2 && is_ts[is_ts.len() - 2..] == [false, true];
        let consecutive: Vec<usize> = (1..is_ts.len())
            .filter(|&i| is_ts[i - 1] && is_ts[i])
            .collect();
        let position = |token: u32| f64::from(token - ts_begin) * TIME_PRECISION;
        let mut current: Vec<(f64, f64, Vec<u32>)> = Vec::new();
        if !consecutive.is_empty() {
            let mut slices = consecutive;
            if single_timestamp_ending {
                slices.push(tokens.len());
            }
            let mut last_slice = 0;
            for &slice in &slices {
                let sliced = &tokens[last_slice..slice];
                if let (Some(&first), Some(&last)) = (sliced.first(), sliced.last()) {
                    current.push((
                        time_offset + position(first.max(ts_begin)),
                        time_offset + position(last.max(ts_begin)),
                        sliced.to_vec(),
                    ));
                }
                last_slice = slice;
            }
            let advance = if single_timestamp_ending {
                segment_size
            } else {
                // ignore the unfinished segment and seek to the last timestamp
                let last = tokens[last_slice - 1].max(ts_begin);
                (last - ts_begin) as usize * INPUT_STRIDE
            };
            // A window that ends on <|0.00|> would never move on.
            self.seek += if advance == 0 { segment_size } else { advance };
        } else {
            let mut duration = segment_duration;
            if let Some(&last) = tokens.iter().rev().find(|&&t| t >= ts_begin)
                && last != ts_begin
            {
                // no consecutive timestamps but it has a timestamp; use the last one
                duration = position(last);
            }
            current.push((time_offset, time_offset + duration, tokens.clone()));
            self.seek += segment_size;
        }

        for (start, end, tokens) in current {
            let text = whisper.text(&tokens)?;
            if start == end || text.trim().is_empty() {
                continue;
            }
            self.all_tokens.extend_from_slice(&tokens);
            let segment = Segment {
                start,
                end,
                text,
                tokens,
                temperature: result.temperature,
                avg_logprob: result.avg_logprob,
                compression_ratio: result.compression_ratio,
                no_speech_prob: result.no_speech_prob,
            };
            if on_progress(Progress::Segment(&segment)).is_break() {
                self.segments.push(segment);
                return Err(ModelError::Cancelled);
            }
            self.segments.push(segment);
        }
        if !self.options.condition_on_previous_text || result.temperature > 0.5 {
            self.prompt_reset_since = self.all_tokens.len();
        }
        Ok(self.seek < self.content_frames)
    }

    /// Moves `seek` past audio the VAD found silent. Returns `false` when nothing is left.
    fn skip_to_speech(&mut self) -> bool {
        if let Some(regions) = &self.speech {
            match regions.iter().find(|(_, end)| *end > self.seek) {
                None => self.seek = self.content_frames,
                Some(&(start, _)) => {
                    let lead = start.saturating_sub(SPEECH_LEAD_FRAMES);
                    if lead > self.seek {
                        self.seek = lead;
                    }
                }
            }
        }
        self.seek < self.content_frames
    }

    /// The transcript: segments' text joined.
    pub fn finish(self) -> Transcript {
        let text: String = self.segments.iter().map(|s| s.text.as_str()).collect();
        Transcript {
            text: text.trim().to_string(),
            language: self.language,
            segments: self.segments,
        }
    }
}
