//! A reply of the chat model, stepped token by token and yielding to the worker's event loop
//! between steps (so a stop lands between two tokens); when the request offers tools, a reply
//! that calls them gets their results and goes on (`tools::MAX_ROUNDS` times at most).

use std::cell::Cell;

use models::llm::{
    FinishReason, GenerateOptions, Message, SamplingParams, Session, ToolCall, parse_tool_calls,
};
use models::profile::{Profile, Recording};
use protocol::{
    BuiltinTool, ChatMessage, ChatProfile, ChatReply, Event, ExternalTool, Finish, Id,
    LanternError, OpTime, Sampling, StepProfile,
};
use serde_json::Value;

use super::tools;
use crate::errors;
use crate::outbox::Outbox;
use crate::yield_now::yield_now;

/// What a chat request asks for besides the conversation.
pub struct ChatOptions {
    pub sampling: Sampling,
    pub tools: Vec<BuiltinTool>,
    /// The user's MCP tools: offered, never run here (see `tools::pending`).
    pub external: Vec<ExternalTool>,
    pub fresh_context: bool,
    /// Time each operation (`ChatReply.profile`).
    pub profile: bool,
}

/// Generates a reply, streaming `token` events to `id` (and `tool_call` / `tool_result` events
/// when the model uses an offered tool).
pub async fn chat(
    session: &mut Session,
    messages: Vec<ChatMessage>,
    options: ChatOptions,
    stop: &Cell<bool>,
    id: Id,
    outbox: &Outbox,
) -> Result<ChatReply, LanternError> {
    if options.fresh_context {
        session.reset();
    }
    let mut schemas = tools::schemas(&options.tools);
    schemas.extend(options.external.iter().map(tools::external_schema));
    let offers_tools = !options.tools.is_empty() || !options.external.is_empty();
    let mut messages = to_messages(messages);
    let mut rounds = 0;
    let mut answered: Vec<tools::Outcome> = Vec::new();
    loop {
        let mut stream = |text: String| outbox.progress(id, Event::Token { text });
        let reply = generate_turn(
            session,
            &messages,
            &schemas,
            &options.sampling,
            options.profile,
            stop,
            &mut stream,
        )
        .await?;
        if !offers_tools || !reply.finish.ended_itself() || rounds == tools::MAX_ROUNDS {
            return Ok(reply);
        }
        let parsed = parse_tool_calls(&reply.text);
        if !parsed.has_calls() || tools::only_repeats(&parsed, &answered) || stop.get() {
            return Ok(reply);
        }
        // A call to a user's server waits for the user: the reply ends here, with the calls.
        let pending = tools::pending(&options.external, &parsed);
        if !pending.is_empty() {
            return Ok(ChatReply {
                pending_calls: pending,
                ..reply
            });
        }
        rounds += 1;
        messages.push(if parsed.calls.is_empty() {
            Message::assistant(reply.text.clone())
        } else {
            ToolCall::assistant_message(&parsed.calls, &parsed.content)
        });
        // A call written wrongly goes back to the model as an error it can correct.
        for outcome in tools::respond(&options.tools, &parsed).await {
            outbox.progress(
                id,
                Event::ToolCall {
                    name: outcome.name.clone(),
                    arguments: outcome.arguments.clone(),
                },
            );
            outbox.progress(
                id,
                Event::ToolResult {
                    name: outcome.name.clone(),
                    content: outcome.content.clone(),
                    ok: outcome.ok,
                },
            );
            messages.push(outcome.message.clone());
            answered.push(outcome);
        }
    }
}

/// A reply to `messages` with no tools offered (summaries), giving each new piece of text to
/// `on_text` as it comes.
pub async fn generate(
    session: &mut Session,
    messages: Vec<ChatMessage>,
    sampling: Sampling,
    stop: &Cell<bool>,
    on_text: &mut dyn FnMut(String),
) -> Result<ChatReply, LanternError> {
    generate_turn(
        session,
        &to_messages(messages),
        &[],
        &sampling,
        false,
        stop,
        on_text,
    )
    .await
}

fn to_messages(messages: Vec<ChatMessage>) -> Vec<Message> {
    messages
        .into_iter()
        .map(|m| Message::new(m.role.as_str(), m.content))
        .collect()
}

/// The engine's sampling for a request's: the wire type is converted here, once.
fn sampling_params(sampling: &Sampling) -> SamplingParams {
    SamplingParams {
        temperature: sampling.temperature,
        top_k: sampling.top_k,
        top_p: sampling.top_p,
        min_p: sampling.min_p,
        repeat_penalty: sampling.repeat_penalty,
        seed: sampling.seed.unwrap_or_else(|| now() as u64),
        ..SamplingParams::greedy()
    }
}

fn now() -> f64 {
    js_sys::Date::now()
}
/// One reply of the model to `messages`, offering `tools` (JSON Schemas), with the time of each
/// operation when `profile`.
#[allow(clippy::too_many_arguments)]
async fn generate_turn(
    session: &mut Session,
    messages: &[Message],
    tools: &[Value],
    sampling: &Sampling,
    profile: bool,
    stop: &Cell<bool>,
    on_text: &mut dyn FnMut(String),
) -> Result<ChatReply, LanternError> {
    let prompt = session
        .chat_prompt(messages, tools, sampling.max_tokens)
        .map_err(errors::model)?;
    let prompt_tokens = prompt.len();
    let opts = GenerateOptions {
        sampling: sampling_params(sampling),
        max_tokens: sampling.max_tokens,
        ignore_eos: sampling.ignore_eos,
        ..GenerateOptions::default()
    };
    session.start(prompt, opts).map_err(errors::model)?;
    let started = now();
    let recording = profile.then(Recording::start);
    let prefill = loop {
        if stop.get() {
            session.cancel();
            return Ok(reply(
                String::new(),
                FinishReason::Cancelled,
                prompt_tokens,
                0,
                0,
                0.0,
                0.0,
            ));
        }
        let progress = session.prefill_step().map_err(errors::model)?;
        if progress.done {
            break progress;
        }
        yield_now().await;
    };
    let (reused, evaluated) = (prefill.reused, prefill.evaluated);
    let prefill_profile = recording.map(Recording::finish);
    let recording = profile.then(Recording::start);
    let prefilled = now();
    let mut text = String::new();
    let mut generated = 0usize;
    // Tokens evaluated after sampling: every sampled one but the last (as `lantern generate`).
    let mut decoded = 0usize;
    let finish = loop {
        let step = if stop.get() {
            session.cancel()
        } else {
            session.next_token().map_err(errors::model)?
        };
        if step.token.is_some() && step.finished != Some(FinishReason::Eos) {
            generated += 1;
        }
        if !step.delta.is_empty() {
            text.push_str(&step.delta);
            on_text(step.delta);
        }
        if let Some(reason) = step.finished {
            break reason;
        }
        decoded += 1;
        // Let `stop_chat` (and other messages) in between two tokens.
        yield_now().await;
    };
    let done = now();
    let profile = prefill_profile
        .zip(recording.map(Recording::finish))
        .map(|(prefill, decode)| ChatProfile {
            prefill: step_profile(prefill),
            decode: step_profile(decode),
        });
    let per_s = |n: usize, ms: f64| {
        if ms > 0.0 {
            n as f64 * 1000.0 / ms
        } else {
            0.0
        }
    };
    Ok(ChatReply {
        profile,
        ..reply(
            text,
            finish,
            prompt_tokens,
            reused,
            generated,
            per_s(evaluated, prefilled - started),
            per_s(decoded, done - prefilled),
        )
    })
}

fn step_profile(p: Profile) -> StepProfile {
    StepProfile {
        ops: p
            .ops
            .into_iter()
            .map(|o| OpTime {
                op: o.op.into(),
                calls: o.calls,
                ms: o.ms,
            })
            .collect(),
        total_ms: p.total_ms,
    }
}

fn reply(
    text: String,
    finish: FinishReason,
    prompt_tokens: usize,
    reused_tokens: usize,
    generated_tokens: usize,
    prefill_tokens_per_s: f64,
    decode_tokens_per_s: f64,
) -> ChatReply {
    let finish = match finish {
        FinishReason::Eos => Finish::Eos,
        FinishReason::Stop => Finish::Stop,
        FinishReason::Length => Finish::Length,
        FinishReason::ContextFull => Finish::ContextFull,
        FinishReason::Cancelled => Finish::Cancelled,
    };
    ChatReply {
        text,
        finish,
        prompt_tokens,
        reused_tokens,
        generated_tokens,
        prefill_tokens_per_s,
        decode_tokens_per_s,
        profile: None,
        pending_calls: Vec::new(),
        spoken: None,
    }
}
