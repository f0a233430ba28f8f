//! Chat with a local model: the conversation sent, the sampling asked for, the reply's figures.

use serde::{Deserialize, Serialize};

use crate::response::Spoken;

/// One turn of a conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatMessage {
    pub role: ChatRole,
    pub content: String,
    /// The model server that wrote an answer; `None`: Lantern's own engine.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<AnswerSource>,
}

/// Where an answer came from, when a user's model server wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerSource {
    /// The server's name as the user added it.
    pub server: String,
    /// The server's name for the model.
    pub model: String,
    /// The answer stopped in the middle (the server died or the connection broke): the text is
    /// what came, no more.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cut: bool,
}

impl ChatMessage {
    pub fn new(role: ChatRole, content: impl Into<String>) -> ChatMessage {
        ChatMessage {
            role,
            content: content.into(),
            source: None,
        }
    }
}

/// Who speaks a turn. On the wire and in stored conversations as the lower-case word, so the
/// conversations saved while this was a string read back unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChatRole {
    System,
    User,
    Assistant,
    Tool,
}

impl ChatRole {
    pub const ALL: [ChatRole; 4] = [
        ChatRole::System,
        ChatRole::User,
        ChatRole::Assistant,
        ChatRole::Tool,
    ];

    /// The word chat templates use for the role.
    pub fn as_str(self) -> &'static str {
        match self {
            ChatRole::System => "system",
            ChatRole::User => "user",
            ChatRole::Assistant => "assistant",
            ChatRole::Tool => "tool",
        }
    }
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
    /// Where the time went, when the request asked (`Request::Chat.profile`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<ChatProfile>,
    /// Calls to external (MCP) tools the reply ended with, not run: the user decides.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pending_calls: Vec<crate::mcp::PendingCall>,
    /// What was spoken, when the request asked for the answer aloud (`Request::Chat.speak`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spoken: Option<Spoken>,
}

/// The time of a reply's prefill and of its decoding, per operation of the model's graph.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatProfile {
    pub prefill: StepProfile,
    pub decode: StepProfile,
}

/// One phase's operations, most expensive first, and its wall time (the difference is glue
/// outside the graph: yielding to the event loop, streaming text out).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepProfile {
    pub ops: Vec<OpTime>,
    pub total_ms: f64,
}

/// One operation (named as in llama.cpp's graph where it has a name).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpTime {
    pub op: String,
    pub calls: u32,
    pub ms: f64,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_keep_the_words_stored_conversations_use() {
        let stored = r#"[{"role":"system","content":"s"},{"role":"user","content":"u"},
            {"role":"assistant","content":"a"},{"role":"tool","content":"t"}]"#;
        let messages: Vec<ChatMessage> = serde_json::from_str(stored).unwrap();
        let roles: Vec<ChatRole> = messages.iter().map(|m| m.role).collect();
        assert_eq!(
            roles,
            [
                ChatRole::System,
                ChatRole::User,
                ChatRole::Assistant,
                ChatRole::Tool
            ]
        );
        for m in &messages {
            let json = serde_json::to_string(m).unwrap();
            assert!(
                json.contains(&format!("\"role\":\"{}\"", m.role.as_str())),
                "{json}"
            );
        }
        let err = serde_json::from_str::<ChatMessage>(r#"{"role":"User","content":""}"#);
        assert!(err.is_err(), "roles are lower-case words");
    }
}
