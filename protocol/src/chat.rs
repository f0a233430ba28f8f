//! Chat with a local model: the conversation sent, the sampling asked for, the reply's figures.

use serde::{Deserialize, Serialize};

/// One turn of a conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatMessage {
    /// `system`, `user`, `assistant` or `tool`.
    pub role: String,
    pub content: String,
}

/// How to sample a reply. Defaults suit a chat assistant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Sampling {
    /// 0 means greedy.
    pub temperature: f32,
    pub top_p: f32,
    pub top_k: usize,
    pub min_p: f32,
    pub repeat_penalty: f32,
    pub max_tokens: usize,
    pub seed: Option<u64>,
    /// Generate through end-of-turn tokens until `max_tokens` (benchmarks need a fixed count).
    pub ignore_eos: bool,
}

impl Default for Sampling {
    fn default() -> Sampling {
        Sampling {
            temperature: 0.7,
            top_p: 0.9,
            top_k: 40,
            min_p: 0.05,
            repeat_penalty: 1.1,
            max_tokens: 512,
            seed: None,
            ignore_eos: false,
        }
    }
}

/// A finished (or stopped) reply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatReply {
    pub text: String,
    pub finish: Finish,
    pub prompt_tokens: usize,
    /// Prompt tokens found in the KV cache from the previous turn (not evaluated again).
    pub reused_tokens: usize,
    pub generated_tokens: usize,
    pub prefill_tokens_per_s: f64,
    pub decode_tokens_per_s: f64,
}

/// Why a reply ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Finish {
    /// The model ended its turn.
    Eos,
    /// A stop sequence was written.
    Stop,
    /// `max_tokens` were generated.
    Length,
    /// The context window is full.
    ContextFull,
    /// Stopped on request.
    Cancelled,
}

impl Finish {
    /// The model finished on its own (not cut off by a limit or a stop).
    pub fn ended_itself(self) -> bool {
        matches!(self, Finish::Eos | Finish::Stop)
    }
}

/// A tool built into Lantern that a chat request may offer the model. Tools are opt-in per
/// request: a request that names none gets a model that cannot call any.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BuiltinTool {
    /// Evaluates arithmetic: + - * / % ^, parentheses, decimals.
    Calculator,
}

impl BuiltinTool {
    /// The name the model calls it by.
    pub fn name(self) -> &'static str {
        match self {
            BuiltinTool::Calculator => "calculator",
        }
    }
}
