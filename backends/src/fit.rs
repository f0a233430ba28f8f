//! A conversation cut to a server's context size, as the in-browser engine cuts its own
//! (`models::llm::Session::chat_prompt`): the oldest turns go first, never the system prompt nor
//! the newest message. Only the server has the model's tokenizer, so tokens are counted here
//! at a conservative three characters each: a cut conversation may be shorter than it had to be,
//! never too long.

use protocol::{ChatMessage, ChatRole};
use serde_json::Value;

use crate::BackendError;

/// What a message costs beyond its text in any chat template (role markers, separators).
const PER_MESSAGE: usize = 8;

/// Tokens of `text`, over-counted (real tokenizers average three to four characters a token in
/// English, more in code; CJK text is about one character a token, which this still bounds).
pub fn estimate_tokens(text: &str) -> usize {
    text.chars().count().div_ceil(3)
}

/// `messages` cut so their prompt with `tools` leaves `reply_tokens` (at most half the context)
/// for the answer in a context of `context` tokens. Fails with `ContextTooLong` when the system
/// prompt and the newest message alone do not fit.
pub fn fit_to_context(
    messages: &[ChatMessage],
    tools: &[Value],
    context: usize,
    reply_tokens: usize,
) -> Result<Vec<ChatMessage>, BackendError> {
    let reserve = reply_tokens.min(context / 2);
    let tools_cost: usize = tools
        .iter()
        .map(|tool| estimate_tokens(&tool.to_string()))
        .sum();
    let cost = |m: &ChatMessage| estimate_tokens(&m.content) + PER_MESSAGE;
    let keep_system = messages.first().is_some_and(|m| m.role == ChatRole::System);
    let first = usize::from(keep_system);
    let mut kept: Vec<ChatMessage> = messages.to_vec();
    let mut total: usize = tools_cost + kept.iter().map(cost).sum::<usize>();
    while total + reserve > context {
        if kept.len() <= first + 1 {
            return Err(BackendError::ContextTooLong(format!(
                "the newest message is about {total} tokens, and the model takes {context} with \
                 {reserve} kept for its answer"
            )));
        }
        // The oldest turn, and whatever answered it, so the history starts at a user message
        // again (templates may insist on alternating roles, and a tool result needs its call).
        total -= cost(&kept.remove(first));
        while kept.len() > first + 1 && kept[first].role != ChatRole::User {
            total -= cost(&kept.remove(first));
        }
    }
    Ok(kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(role: ChatRole, text: &str) -> ChatMessage {
        ChatMessage::new(role, text)
    }

    fn roles(messages: &[ChatMessage]) -> Vec<ChatRole> {
        messages.iter().map(|m| m.role).collect()
    }

    #[test]
    fn a_short_conversation_goes_whole() {
        let chat = vec![
            m(ChatRole::System, "Be brief."),
            m(ChatRole::User, "Hi"),
            m(ChatRole::Assistant, "Hello!"),
            m(ChatRole::User, "And?"),
        ];
        assert_eq!(fit_to_context(&chat, &[], 2048, 256).unwrap(), chat);
    }

    #[test]
    fn the_oldest_turns_go_first_and_the_system_prompt_and_newest_message_stay() {
        let long = "word ".repeat(300); // 1500 characters: about 500 tokens
        let chat = vec![
            m(ChatRole::System, "Be brief."),
            m(ChatRole::User, &format!("first {long}")),
            m(ChatRole::Assistant, &format!("answer one {long}")),
            m(ChatRole::Tool, "{\"value\": 3}"),
            m(ChatRole::Assistant, "three"),
            m(ChatRole::User, &format!("second {long}")),
            m(ChatRole::Assistant, "answer two"),
            m(ChatRole::User, "third"),
        ];
        let fitted = fit_to_context(&chat, &[], 1024, 256).unwrap();
        assert_eq!(
            roles(&fitted),
            [
                ChatRole::System,
                ChatRole::User,
                ChatRole::Assistant,
                ChatRole::User
            ]
        );
        assert!(fitted[1].content.starts_with("second"));
        assert_eq!(fitted.last().unwrap().content, "third");
        let tokens: usize = fitted
            .iter()
            .map(|m| estimate_tokens(&m.content) + PER_MESSAGE)
            .sum();
        assert!(tokens + 256 <= 1024, "{tokens}");
    }

    #[test]
    fn tools_count_against_the_context() {
        let chat = vec![
            m(ChatRole::User, &"a".repeat(900)),
            m(ChatRole::Assistant, "ok"),
            m(ChatRole::User, "now"),
        ];
        assert_eq!(fit_to_context(&chat, &[], 1024, 256).unwrap().len(), 3);
        let tool = serde_json::json!({"description": "x".repeat(1500)});
        assert_eq!(fit_to_context(&chat, &[tool], 1024, 256).unwrap().len(), 1);
    }

    #[test]
    fn a_newest_message_longer_than_the_context_is_named() {
        let chat = vec![
            m(ChatRole::System, "Be brief."),
            m(ChatRole::User, &"word ".repeat(2000)),
        ];
        let error = fit_to_context(&chat, &[], 2048, 512).unwrap_err();
        assert!(
            matches!(error, BackendError::ContextTooLong(_)),
            "{error:?}"
        );
        assert!(error.to_string().contains("2048"), "{error}");
    }

    #[test]
    fn the_reply_never_takes_more_than_half_the_context() {
        let chat = vec![m(ChatRole::User, &"a".repeat(1200))];
        // 400 tokens of question fit 1024 even when 4096 reply tokens are asked for.
        assert_eq!(fit_to_context(&chat, &[], 1024, 4096).unwrap().len(), 1);
    }
}
