//! One 30-second window decoded, mirroring openai-whisper 20250625's `decoding.py`:
//! `DecodingTask.run` with the `GreedyDecoder` (argmax at temperature 0, one sample above it),
//! the logit filters `SuppressBlank`, `SuppressTokens` and `ApplyTimestampRules`, the
//! no-speech probability read at the `<|startoftranscript|>` position, and the result's
//! `avg_logprob` and `compression_ratio`.

use std::io::Write;
use std::ops::ControlFlow;

use candle_core::{D, IndexOp, Tensor};

use super::Whisper;
use crate::nn::Rng;
use crate::{ModelError, Result};

/// `max_initial_timestamp` = 1.0 s in steps of 0.02 s.
const MAX_INITIAL_TIMESTAMP_INDEX: u32 = 50;

pub(crate) struct Request<'a> {
    /// Earlier text tokens to condition on (`prompt`), oldest first.
    pub prompt: &'a [u32],
    /// `sot_sequence`: `<|startoftranscript|>` and, for multilingual models, language and task.
    pub sot_sequence: &'a [u32],
    pub temperature: f32,
}

#[derive(Debug, Clone)]
pub(crate) struct Decoded {
    /// Sampled tokens, timestamps included, without the closing `<|endoftext|>`.
    pub tokens: Vec<u32>,
    pub avg_logprob: f32,
    pub no_speech_prob: f32,
    pub temperature: f32,
    pub compression_ratio: f32,
}

impl Whisper {
    /// Decodes one window's audio features. `on_text` hears the window's text so far after each
    /// token and may stop the decoding.
    pub(crate) fn decode_window(
        &mut self,
        audio: &Tensor,
        request: &Request,
        rng: &mut Rng,
        on_text: &mut dyn FnMut(&str) -> ControlFlow<()>,
    ) -> Result<Decoded> {
        let n_ctx = self.config.max_target_positions;
        // `_get_initial_tokens`: [sot_prev, prompt[-(n_ctx // 2 - 1):]] + sot_sequence
        let mut tokens = Vec::with_capacity(n_ctx);
        if !request.prompt.is_empty() {
            let keep = request.prompt.len().min(n_ctx / 2 - 1);
            tokens.push(self.tokens.sot_prev);
            tokens.extend_from_slice(&request.prompt[request.prompt.len() - keep..]);
        }
        let sot_index = tokens.len();
        tokens.extend_from_slice(request.sot_sequence);
        let sample_begin = tokens.len();
        let sample_len = n_ctx / 2;

        let mut sum_logprob = 0f64;
        let mut no_speech_prob = f32::NAN;
        let mut ended = false;
        for step in 0..sample_len {
            // The first step feeds the whole prefix; the decoder's cache holds it after that.
            let fresh = if step == 0 {
                &tokens[..]
            } else {
                &tokens[tokens.len() - 1..]
            };
            let input = Tensor::new(fresh, &self.device)?.unsqueeze(0)?;
            let hidden = self.net.decode(&input, audio, step == 0)?;
            if step == 0 {
                let at_sot = self
                    .net
                    .logits(&hidden.i((.., sot_index..sot_index + 1))?)?;
                let probs = candle_nn::ops::softmax(&at_sot.flatten_all()?, D::Minus1)?;
                no_speech_prob = probs
                    .i(self.tokens.no_speech as usize)?
                    .to_scalar::<f32>()?;
            }
            let last = hidden.i((.., hidden.dim(1)? - 1..))?;
            let mut logits = self.net.logits(&last)?.flatten_all()?.to_vec1::<f32>()?;
            self.apply_filters(&mut logits, &tokens[sample_begin..]);
            let next = if request.temperature > 0.0 {
                sample(&logits, request.temperature, rng)
            } else {
                argmax(&logits)
            };
            sum_logprob += log_softmax_at(&logits, next);
            tokens.push(next);
            if next == self.tokens.eot {
                ended = true;
                break;
            }
            if on_text(&self.text(&tokens[sample_begin..])?).is_break() {
                return Err(ModelError::Cancelled);
            }
            if tokens.len() >= n_ctx {
                break;
            }
        }
        let mut sampled = tokens.split_off(sample_begin);
        if ended {
            sampled.pop();
        }
        let text = self.text(&sampled)?;
        Ok(Decoded {
            avg_logprob: (sum_logprob / (sampled.len() + 1) as f64) as f32,
            no_speech_prob,
            temperature: request.temperature,
            compression_ratio: compression_ratio(text.trim()),
            tokens: sampled,
        })
    }

    /// The text of `tokens`, timestamps and other special tokens left out.
    pub(crate) fn text(&self, tokens: &[u32]) -> Result<String> {
        let text_tokens: Vec<u32> = tokens
            .iter()
            .copied()
            .filter(|&t| t < self.tokens.eot)
            .collect();
        self.tokenizer
            .decode(&text_tokens, true)
            .map_err(|e| ModelError::Tokenizer(e.to_string()))
    }

    /// The logit filters of `DecodingTask`, in its order; `sampled` are the tokens after
    /// `sample_begin`.
    fn apply_filters(&self, logits: &mut [f32], sampled: &[u32]) {
        let t = &self.tokens;
        let ban = |logits: &mut [f32], range: std::ops::Range<usize>| {
            let end = range.end.min(logits.len());
            if range.start < end {
                logits[range.start..end].fill(f32::NEG_INFINITY);
            }
        };
        // SuppressBlank: no blank and no end of text as the first sampled token.
        if sampled.is_empty() {
            for &token in t.blank.iter().chain([&t.eot]) {
                ban(logits, token as usize..token as usize + 1);
            }
        }
        // SuppressTokens: non-speech symbols and the task/control tokens.
        for &token in &self.suppress {
            ban(logits, token as usize..token as usize + 1);
        }
        // ApplyTimestampRules
        let ts = t.timestamp_begin as usize;
        let eot = t.eot as usize;
        ban(
            logits,
            t.no_timestamps as usize..t.no_timestamps as usize + 1,
        );
        let is_ts = |token: &u32| *token >= t.timestamp_begin;
        let last_was_timestamp = sampled.last().is_some_and(is_ts);
        let penultimate_was_timestamp = sampled.len() < 2 || is_ts(&sampled[sampled.len() - 2]);
        if last_was_timestamp {
            if penultimate_was_timestamp {
                // has to be non-timestamp
                ban(logits, ts..logits.len());
            } else {
                // cannot be normal text tokens
                ban(logits, 0..eot);
            }
        }
        if let Some(&last_ts) = sampled.iter().rev().find(|t| is_ts(t)) {
            // timestamps shouldn't decrease; each segment must have a nonzero length
            let timestamp_last = if last_was_timestamp && !penultimate_was_timestamp {
                last_ts
            } else {
                last_ts + 1
            };
            ban(logits, ts..timestamp_last as usize);
        }
        if sampled.is_empty() {
            // suppress generating non-timestamp tokens at the beginning
            ban(logits, 0..ts);
            let last_allowed = ts + MAX_INITIAL_TIMESTAMP_INDEX as usize;
            ban(logits, last_allowed + 1..logits.len());
        }
        // if the summed probability of timestamps beats any single text token, take a timestamp
        let log_norm = log_sum_exp(logits);
        let timestamp_logprob = log_sum_exp(&logits[ts.min(logits.len())..]) - log_norm;
        let max_text_logprob = logits[..ts.min(logits.len())]
            .iter()
            .fold(f64::NEG_INFINITY, |m, &l| m.max(f64::from(l)))
            - log_norm;
        if timestamp_logprob > max_text_logprob {
            ban(logits, 0..ts);
        }
    }

    /// `DecodingTask._get_suppress_tokens` with `suppress_tokens="-1"`: the model's non-speech
    /// tokens (config.json `suppress_tokens`) plus the control tokens.
    pub(crate) fn suppress_list(config_suppress: &[u32], t: &super::SpecialTokens) -> Vec<u32> {
        let mut list: Vec<u32> = config_suppress
            .iter()
            .copied()
            .chain([
                t.transcribe,
                t.translate,
                t.sot,
                t.sot_prev,
                t.sot_lm,
                t.no_speech,
            ])
            .collect();
        list.sort_unstable();
        list.dedup();
        list
    }
}

fn argmax(logits: &[f32]) -> u32 {
    let mut best = 0;
    for (i, &l) in logits.iter().enumerate() {
        if l > logits[best] {
            best = i;
        }
    }
    best as u32
}

/// `Categorical(logits=logits / temperature).sample()`.
fn sample(logits: &[f32], temperature: f32, rng: &mut Rng) -> u32 {
    let scaled: Vec<f64> = logits
        .iter()
        .map(|&l| f64::from(l) / f64::from(temperature))
        .collect();
    let max = scaled.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let weights: Vec<f64> = scaled.iter().map(|&l| (l - max).exp()).collect();
    let total: f64 = weights.iter().sum();
    let mut target = rng.next_f64() * total;
    for (i, w) in weights.iter().enumerate() {
        if target < *w {
            return i as u32;
        }
        target -= w;
    }
    argmax(logits)
}

fn log_sum_exp(values: &[f32]) -> f64 {
    let max = values
        .iter()
        .fold(f64::NEG_INFINITY, |m, &v| m.max(f64::from(v)));
    if max == f64::NEG_INFINITY {
        return max;
    }
    max + values
        .iter()
        .map(|&v| (f64::from(v) - max).exp())
        .sum::<f64>()
        .ln()
}

fn log_softmax_at(logits: &[f32], index: u32) -> f64 {
    f64::from(logits[index as usize]) - log_sum_exp(logits)
}

/// `compression_ratio` in openai-whisper's utils.py: UTF-8 bytes over their zlib-compressed size.
/// Repetition loops compress well, so a high ratio flags them.
pub(crate) fn compression_ratio(text: &str) -> f32 {
    let bytes = text.as_bytes();
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    let compressed = encoder
        .write_all(bytes)
        .and_then(|()| encoder.finish())
        .map(|c| c.len())
        .unwrap_or(bytes.len());
    bytes.len() as f32 / compressed.max(1) as f32
}
