//! The chat model inside the LLM worker: loaded from the cache on first use and kept, with its
//! KV cache, between replies (a follow-up only prefills the new turn); stepped token by token,
//! yielding to the worker's event loop between steps so a `stop_chat` lands between two tokens.
//! When the request offers tools, a reply that calls them gets their results and goes on
//! (`chat_tools::MAX_ROUNDS` times at most).

use std::cell::{Cell, RefCell};
use std::sync::Arc;

use crate::yield_now::yield_now;
use models::ModelError;
use models::llm::{
    FinishReason, GenerateOptions, LlmModel, Message, SamplingParams, Session, ToolCall,
    parse_tool_calls,
};
use protocol::{
    BuiltinTool, ChatMessage, ChatReply, ErrorCode, Event, Finish, Id, LanternError, ModelLoaded,
    Sampling, Stage,
};
use serde_json::Value;
use webext::model_store::{InstalledModel, ModelStore};

use crate::chat_tools;
use crate::models::loader;
use crate::outbox::Outbox;

/// The longest context a session gets: the KV cache grows with it, and wasm has 4 GiB.
const MAX_CONTEXT: usize = 8192;

struct Loaded {
    model_id: String,
    /// Which installed copy it came from.
    installed_at: f64,
    session: Session,
}

thread_local! {
    static LOADED: RefCell<Option<Loaded>> = const { RefCell::new(None) };
    static STOP: Cell<bool> = const { Cell::new(false) };
}

/// Asks the reply in progress to stop after its current token.
pub fn stop() {
    STOP.with(|stop| stop.set(true));
}

fn stopping() -> bool {
    STOP.with(Cell::get)
}

fn now() -> f64 {
    js_sys::Date::now()
}

fn error(err: ModelError) -> LanternError {
    let code = match err {
        ModelError::MessageTooLong { .. } => ErrorCode::MessageTooLong,
        ModelError::BadModel(_) | ModelError::UnsupportedArch(_) => ErrorCode::UnsupportedFormat,
        _ => ErrorCode::Internal,
    };
    LanternError::new(code, err.to_string())
}

/// Starts a new request: a stop asked before it does not apply to it.
pub(crate) fn clear_stop() {
    STOP.with(|stop| stop.set(false));
}

/// The session for `model_id`, loading the model from the cache when another (or none) is held,
/// or when the cached copy changed since it was loaded (deleted, downloaded again, updated).
pub(crate) async fn session_for(
    model_id: &str,
    id: Id,
    outbox: &Outbox,
) -> Result<(Session, InstalledModel), LanternError> {
    let store = ModelStore::open()
        .await
        .map_err(crate::models::storage_error)?;
    let installed = store
        .installed_model(model_id)
        .await
        .map_err(crate::models::storage_error)?
        .ok_or_else(|| {
            LanternError::new(
                ErrorCode::NotInstalled,
                format!("{model_id} is not downloaded"),
            )
        })?;
    if let Some(loaded) = LOADED.with(|l| l.borrow_mut().take())
        && loaded.model_id == model_id
        && loaded.installed_at == installed.installed_at
    {
        return Ok((loaded.session, installed));
    }
    let report = |done, total| {
        outbox.progress(
            id,
            Event::Step {
                stage: Stage::LoadingModel,
                done: Some(done),
                total: Some(total),
            },
        )
    };
    let files = loader::read(&store, model_id, &report).await?;
    let weights = files
        .files
        .iter()
        .find(|(name, _)| name.ends_with(".gguf"))
        .ok_or_else(|| {
            LanternError::new(
                ErrorCode::UnsupportedFormat,
                "the chat model is not a GGUF file",
            )
        })?;
    let tokenizer = files
        .files
        .iter()
        .find(|(name, _)| name == "tokenizer.json")
        .map(|(_, bytes)| bytes.as_slice());
    let model = LlmModel::from_chunks(&[weights.1.as_slice()], tokenizer).map_err(error)?;
    let context = model.config().context_length.clamp(512, MAX_CONTEXT);
    Ok((Session::new(Arc::new(model), context), installed))
}

/// Loads a chat model into this worker (or keeps the one held) and says what it is.
pub async fn load(model_id: &str, id: Id, outbox: &Outbox) -> Result<ModelLoaded, LanternError> {
    let (session, installed) = session_for(model_id, id, outbox).await?;
    let model = session.model();
    let config = model.config();
    let loaded = ModelLoaded {
        model_id: model_id.to_string(),
        bytes: installed.bytes,
        summary: format!(
            "{}: {:?}, {} layers, context {}",
            model.name,
            config.arch,
            config.n_layer,
            session.context_len()
        )
        .to_lowercase(),
    };
    LOADED.with(|l| {
        *l.borrow_mut() = Some(Loaded {
            model_id: model_id.to_string(),
            installed_at: installed.installed_at,
            session,
        })
    });
    Ok(loaded)
}

/// What a chat request asks for besides the conversation.
pub struct ChatOptions {
    pub sampling: Sampling,
    pub tools: Vec<BuiltinTool>,
    pub fresh_context: bool,
}

/// Generates a reply, streaming `token` events to `id` (and `tool_call` / `tool_result` events
/// when the model uses an offered tool).
pub async fn chat(
    model_id: &str,
    messages: Vec<ChatMessage>,
    options: ChatOptions,
    id: Id,
    outbox: &Outbox,
) -> Result<ChatReply, LanternError> {
    clear_stop();
    let (mut session, installed) = session_for(model_id, id, outbox).await?;
    if options.fresh_context {
        session.reset();
    }
    let result = converse(&mut session, messages, options, id, outbox).await;
    keep(model_id, &installed, session);
    result
}

/// Keeps a session in this worker for the next request.
pub(crate) fn keep(model_id: &str, installed: &InstalledModel, session: Session) {
    LOADED.with(|l| {
        *l.borrow_mut() = Some(Loaded {
            model_id: model_id.to_string(),
            installed_at: installed.installed_at,
            session,
        })
    });
}

/// Replies, and while the reply calls offered tools, runs them and lets the model go on.
async fn converse(
    session: &mut Session,
    messages: Vec<ChatMessage>,
    options: ChatOptions,
    id: Id,
    outbox: &Outbox,
) -> Result<ChatReply, LanternError> {
    let schemas = chat_tools::schemas(&options.tools);
    let mut messages: Vec<Message> = messages
        .into_iter()
        .map(|m| Message::new(&m.role, m.content))
        .collect();
    let mut rounds = 0;
    let mut answered: Vec<chat_tools::Outcome> = Vec::new();
    loop {
        let mut stream = |text: String| outbox.progress(id, Event::Token { text });
        let reply =
            generate_turn(session, &messages, &schemas, &options.sampling, &mut stream).await?;
        let ended_itself = reply.finish.ended_itself();
        if options.tools.is_empty() || !ended_itself || rounds == chat_tools::MAX_ROUNDS {
            return Ok(reply);
        }
        let parsed = parse_tool_calls(&reply.text);
        if !parsed.has_calls() || chat_tools::only_repeats(&parsed, &answered) || stopping() {
            return Ok(reply);
        }
        rounds += 1;
        messages.push(if parsed.calls.is_empty() {
            Message::assistant(reply.text.clone())
        } else {
            ToolCall::assistant_message(&parsed.calls, &parsed.content)
        });
        // A call written wrongly goes back to the model as an error it can correct.
        for outcome in chat_tools::respond(&options.tools, &parsed) {
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
pub(crate) async fn generate(
    session: &mut Session,
    messages: Vec<ChatMessage>,
    sampling: Sampling,
    on_text: &mut dyn FnMut(String),
) -> Result<ChatReply, LanternError> {
    let messages: Vec<Message> = messages
        .into_iter()
        .map(|m| Message::new(&m.role, m.content))
        .collect();
    generate_turn(session, &messages, &[], &sampling, on_text).await
}

/// One reply of the model to `messages`, offering `tools` (JSON Schemas).
async fn generate_turn(
    session: &mut Session,
    messages: &[Message],
    tools: &[Value],
    sampling: &Sampling,
    on_text: &mut dyn FnMut(String),
) -> Result<ChatReply, LanternError> {
    let prompt = session
        .chat_prompt(messages, tools, sampling.max_tokens)
        .map_err(error)?;
    let prompt_tokens = prompt.len();
    let opts = GenerateOptions {
        sampling: SamplingParams {
            temperature: sampling.temperature,
            top_k: sampling.top_k,
            top_p: sampling.top_p,
            min_p: sampling.min_p,
            repeat_penalty: sampling.repeat_penalty,
            seed: sampling.seed.unwrap_or_else(|| now() as u64),
            ..SamplingParams::default()
        },
        max_tokens: sampling.max_tokens,
        ignore_eos: sampling.ignore_eos,
        ..GenerateOptions::default()
    };
    session.start(prompt, opts).map_err(error)?;
    let started = now();
    let prefill = loop {
        if stopping() {
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
        let progress = session.prefill_step().map_err(error)?;
        if progress.done {
            break progress;
        }
        yield_now().await;
    };
    let (reused, evaluated) = (prefill.reused, prefill.evaluated);
    let prefilled = now();
    let mut text = String::new();
    let mut generated = 0usize;
    // Tokens evaluated after sampling: every sampled one but the last (as `lantern generate`).
    let mut decoded = 0usize;
    let finish = loop {
        let step = if stopping() {
            session.cancel()
        } else {
            session.next_token().map_err(error)?
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
    let per_s = |n: usize, ms: f64| {
        if ms > 0.0 {
            n as f64 * 1000.0 / ms
        } else {
            0.0
        }
    };
    Ok(reply(
        text,
        finish,
        prompt_tokens,
        reused,
        generated,
        per_s(evaluated, prefilled - started),
        per_s(decoded, done - prefilled),
    ))
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
    }
}
