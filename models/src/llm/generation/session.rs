//! One conversation on one model, driven step by step: `start` a prompt, `prefill_step` (or
//! `prefill`) it, then `next_token` until a `Step` says it finished. Nothing runs between calls,
//! so a worker stops a reply by not calling again (`cancel` tidies up). The KV cache outlives
//! replies: the next prompt only prefills what differs from the cached tokens.
//!
//! Mirrors candle's `candle-wasm-examples/llama2-c` (stepwise `next_token`) and llama.cpp
//! server's prompt-cache reuse (keep the common prefix, evaluate the rest).

use std::sync::Arc;

use candle_core::Tensor;
use serde::{Deserialize, Serialize};

use super::sampler::{Sampler, SamplingParams};
use super::stream::TextStream;
use crate::llm::arch::KvCache;
use crate::llm::chat::Message;
use crate::llm::model::LlmModel;
use crate::profile;
use crate::{ModelError, Result};

/// Prompts are evaluated this many tokens at a time: bounds the attention scratch memory and
/// lets a worker report progress (and stop) between chunks.
pub const PREFILL_CHUNK: usize = 256;

/// What to generate and when to stop.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GenerateOptions {
    pub sampling: SamplingParams,
    pub max_tokens: usize,
    /// Text that ends the reply (not included in it).
    pub stop: Vec<String>,
    /// Keep generating through end-of-generation tokens (for tests and raw completion).
    pub ignore_eos: bool,
}

impl Default for GenerateOptions {
    fn default() -> GenerateOptions {
        GenerateOptions {
            sampling: SamplingParams::greedy(),
            max_tokens: 512,
            stop: Vec::new(),
            ignore_eos: false,
        }
    }
}

/// Why a reply ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FinishReason {
    /// The model wrote an end-of-generation token.
    Eos,
    /// A stop string appeared.
    Stop,
    /// `max_tokens` were generated.
    Length,
    /// The context window filled up.
    ContextFull,
    Cancelled,
}

/// Progress of evaluating the prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrefillProgress {
    /// Prompt tokens found in the cache (not evaluated again).
    pub reused: usize,
    /// Prompt tokens evaluated so far, of `total - reused`.
    pub evaluated: usize,
    pub total: usize,
    pub done: bool,
}

/// One generated token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// The token sampled (also the end-of-generation one), or `None` when nothing was sampled.
    pub token: Option<u32>,
    /// New text to show: whole UTF-8 characters only, never part of a stop string.
    pub delta: String,
    /// Set on the last step of the reply.
    pub finished: Option<FinishReason>,
}

enum State {
    Idle,
    Prefilling {
        prompt: Vec<u32>,
        reused: usize,
        opts: GenerateOptions,
    },
    Generating(Box<Generation>),
}

struct Generation {
    logits: Tensor,
    sampler: Sampler,
    stream: TextStream,
    opts: GenerateOptions,
    generated: Vec<u32>,
}

/// A conversation's state on one model.
pub struct Session {
    model: Arc<LlmModel>,
    cache: KvCache,
    state: State,
}

impl Session {
    /// A session whose context holds `context` tokens (capped at the model's training context).
    pub fn new(model: Arc<LlmModel>, context: usize) -> Session {
        let cache = model.decoder.new_cache(context);
        Session {
            model,
            cache,
            state: State::Idle,
        }
    }

    pub fn model(&self) -> &LlmModel {
        &self.model
    }

    /// The context window in tokens.
    pub fn context_len(&self) -> usize {
        self.cache.max_len()
    }

    /// Tokens whose keys and values are cached.
    pub fn cached_tokens(&self) -> &[u32] {
        self.cache.tokens()
    }

    /// Forgets the cache (a new conversation, or memory to free).
    pub fn reset(&mut self) {
        self.cache.clear();
        self.state = State::Idle;
    }

    /// Prompt tokens for `messages`, dropping the oldest turns (never the system prompt nor the
    /// newest message) until the prompt plus `reserve` reply tokens fits the context.
    pub fn chat_prompt(
        &self,
        messages: &[Message],
        tools: &[serde_json::Value],
        reserve: usize,
    ) -> Result<Vec<u32>> {
        let context = self.context_len();
        let reserve = reserve.min(context / 2);
        let keep_system = messages.first().is_some_and(|m| m.role == "system");
        let mut msgs: Vec<Message> = messages.to_vec();
        loop {
            let tokens = self.model.encode_chat(&msgs, tools)?;
            if tokens.len() + reserve <= context {
                return Ok(tokens);
            }
            let first = usize::from(keep_system);
            if msgs.len() <= first + 1 {
                return Err(ModelError::MessageTooLong {
                    index: messages.len().saturating_sub(1),
                    tokens: tokens.len(),
                    context,
                    reserved: reserve,
                });
            }
            // Drop the oldest turn, and whatever answered it, so the history starts at a user
            // message again (templates may insist on alternating roles).
            msgs.remove(first);
            while msgs.len() > first + 1 && msgs[first].role != "user" {
                msgs.remove(first);
            }
        }
    }

    /// Begins a reply to `prompt` (the whole conversation's tokens). The cached prefix it shares
    /// with the previous prompt and reply is kept; the rest is dropped.
    pub fn start(&mut self, prompt: Vec<u32>, opts: GenerateOptions) -> Result<()> {
        if prompt.is_empty() {
            return Err(ModelError::InvalidState("the prompt is empty"));
        }
        if prompt.len() >= self.context_len() {
            return Err(ModelError::MessageTooLong {
                index: 0,
                tokens: prompt.len(),
                context: self.context_len(),
                reserved: 1,
            });
        }
        // At least the last prompt token is evaluated again: its logits start the reply.
        let reused = self.cache.common_prefix(&prompt).min(prompt.len() - 1);
        self.cache.truncate(reused);
        self.state = State::Prefilling {
            prompt,
            reused,
            opts,
        };
        Ok(())
    }

    /// Evaluates the next chunk of the prompt.
    pub fn prefill_step(&mut self) -> Result<PrefillProgress> {
        let State::Prefilling {
            prompt,
            reused,
            opts,
        } = &self.state
        else {
            return Err(ModelError::InvalidState(
                "prefill_step needs a started prompt",
            ));
        };
        let (total, reused) = (prompt.len(), *reused);
        let pos = self.cache.len();
        let end = (pos + PREFILL_CHUNK).min(total);
        let logits = self
            .model
            .decoder
            .forward(&prompt[pos..end], &mut self.cache, false)?;
        let done = end == total;
        if done {
            let opts = opts.clone();
            let stream =
                TextStream::new(opts.stop.clone(), self.model.tokenizer.strips_first_space());
            self.state = State::Generating(Box::new(Generation {
                logits,
                sampler: Sampler::new(opts.sampling.clone()),
                stream,
                opts,
                generated: Vec::new(),
            }));
        }
        Ok(PrefillProgress {
            reused,
            evaluated: end - reused,
            total,
            done,
        })
    }

    /// Evaluates the whole prompt.
    pub fn prefill(&mut self) -> Result<PrefillProgress> {
        loop {
            let p = self.prefill_step()?;
            if p.done {
                return Ok(p);
            }
        }
    }

    /// Samples one token, evaluates it, and returns it with the text it completes.
    pub fn next_token(&mut self) -> Result<Step> {
        let State::Generating(g) = &mut self.state else {
            return Err(ModelError::InvalidState(
                "next_token needs a prefilled prompt",
            ));
        };
        let tokenizer = &self.model.tokenizer;
        let mut logits = profile::timed("logits_copy", || g.logits.to_vec1::<f32>())?;
        // Every token sampled so far was evaluated, so the cache holds prompt and reply.
        let recent_start = self
            .cache
            .len()
            .saturating_sub(g.opts.sampling.repeat_last_n);
        let token = profile::timed("sample", || {
            g.sampler
                .sample(&mut logits, &self.cache.tokens()[recent_start..])
        });
        if tokenizer.is_eog(token) && !g.opts.ignore_eos {
            return Ok(self.finish(Some(token), String::new(), FinishReason::Eos));
        }
        g.generated.push(token);
        let delta = g.stream.push(tokenizer.token_bytes(token));
        if g.stream.stopped() {
            return Ok(self.finish(Some(token), delta, FinishReason::Stop));
        }
        if g.generated.len() >= g.opts.max_tokens {
            return Ok(self.finish(Some(token), delta, FinishReason::Length));
        }
        if self.cache.len() + 1 >= self.cache.max_len() {
            return Ok(self.finish(Some(token), delta, FinishReason::ContextFull));
        }
        g.logits = self
            .model
            .decoder
            .forward(&[token], &mut self.cache, false)?;
        Ok(Step {
            token: Some(token),
            delta,
            finished: None,
        })
    }

    /// Stops the reply in progress; returns the text still held back, if any. The cache keeps
    /// what was evaluated, so the next prompt can reuse it.
    pub fn cancel(&mut self) -> Step {
        match &self.state {
            State::Generating(_) => self.finish(None, String::new(), FinishReason::Cancelled),
            _ => {
                self.state = State::Idle;
                Step {
                    token: None,
                    delta: String::new(),
                    finished: Some(FinishReason::Cancelled),
                }
            }
        }
    }

    /// Whether a reply is in progress (`next_token` may be called).
    pub fn is_generating(&self) -> bool {
        matches!(self.state, State::Generating(_))
    }

    fn finish(&mut self, token: Option<u32>, mut delta: String, reason: FinishReason) -> Step {
        if let State::Generating(g) = &mut self.state {
            delta.push_str(&g.stream.finish());
        }
        self.state = State::Idle;
        Step {
            token,
            delta,
            finished: Some(reason),
        }
    }
}
