//! The user's model servers, served by the document: their model lists (`backend_models`) and
//! answers (`chat` and `summarize_page` naming a `backend`). The document fetches, since an
//! answer may stream for minutes and a service worker waiting on a fetch for 30 s is killed, and
//! it may fetch every origin the user granted without CORS getting in the way. Each fetch has
//! an AbortController: the asker's Stop (`stop_chat`, a `stop` signal on the request's port) or
//! the asker going away aborts it at once, and the answer so
//! far comes back as a stopped reply. Tool calls go round the same loop as in the engine: the
//! built-in calculator runs here, a user's MCP tool ends the reply with `pending_calls` for the
//! chat to ask about. Reading the bytes is the `backends` crate's.

use std::cell::Cell;
use std::rc::Rc;

use backends::{BackendError, CompletionStream, Endpoint};
use futures_channel::mpsc;
use js_sys::{Reflect, Uint8Array};
use protocol::{
    BackendModels, BackendServer, BuiltinTool, ChatMessage, ChatReply, ChatRole, Event,
    ExternalTool, Finish, Id, LanternError, PendingCall, Reply, Request, Response, Sampling,
};
use serde_json::Value;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, ReadableStreamDefaultReader, RequestInit};
use webext::PortLink;

use super::relay;

/// Rounds of model -> tools -> model in one reply, as in the engine.
const MAX_ROUNDS: usize = 4;
/// Said to the model, after the tool results, in the round that must answer without tools
/// (the chat's own wording for the engine's models, for the same reason: small models call
/// again with the result in hand).
const WRAP_UP: &str =
    "Answer my question in words from the tool results above. Do not call a tool.";

/// One answer in flight.
pub(super) struct Running {
    abort: AbortController,
    stopped: Cell<bool>,
}

impl Running {
    fn stop(&self) {
        self.stopped.set(true);
        self.abort.abort();
    }
}

impl Running {
    fn start() -> Result<Rc<Running>, LanternError> {
        let abort = AbortController::new().map_err(|e| internal(&e))?;
        Ok(Rc::new(Running {
            abort,
            stopped: Cell::new(false),
        }))
    }
}

/// An answer from a server in flight: its replies, in the order the engine's come. Dropped,
/// it stops the answer (the asker went away), which changes nothing once the answer has ended.
pub struct Answering {
    running: Rc<Running>,
    replies: mpsc::UnboundedReceiver<Reply>,
}

impl Answering {
    /// What stops the answer (the asker's Stop): the text so far comes back as a stopped reply.
    pub fn stop_handle(&self) -> impl Fn() + 'static {
        let running = Rc::clone(&self.running);
        move || running.stop()
    }
}

impl Drop for Answering {
    fn drop(&mut self) {
        self.running.stop();
    }
}

impl futures_util::Stream for Answering {
    type Item = Reply;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Reply>> {
        std::pin::Pin::new(&mut self.replies).poll_next(cx)
    }
}

impl futures_util::stream::FusedStream for Answering {
    fn is_terminated(&self) -> bool {
        self.replies.is_terminated()
    }
}

/// Starts answering a request for a server: its replies stream from the result, as a worker's
/// do (the document relays them, or speaks the answer as it streams).
pub fn start(request: Request, id: Id) -> Result<Answering, LanternError> {
    let running = Running::start()?;
    let (tx, replies) = mpsc::unbounded();
    let task = Rc::clone(&running);
    wasm_bindgen_futures::spawn_local(async move {
        let progress = tx.clone();
        let emit = move |event: Event| {
            let _ = progress.unbounded_send(Reply::Progress { id, event });
        };
        let answer = answer(request, &task, &emit).await;
        let _ = tx.unbounded_send(match answer {
            Ok(value) => Reply::Return { id, value },
            Err(error) => Reply::Throw {
                id: Some(id),
                error,
            },
        });
    });
    Ok(Answering { running, replies })
}

/// Serves a request for a server; `None` when the background closed the port (the fetch is
/// aborted).
pub async fn serve(
    request: Request,
    id: Id,
    post: &dyn Fn(&Reply),
    link: &mut PortLink,
) -> relay::Outcome {
    let mut answering = match start(request, id) {
        Ok(answering) => answering,
        Err(error) => return Some(Err(error)),
    };
    let stop = answering.stop_handle();
    relay::relay(&mut answering, id, post, link, &|_| {}, &stop).await
}

async fn answer(
    request: Request,
    running: &Running,
    emit: &dyn Fn(Event),
) -> Result<Response, LanternError> {
    match request {
        Request::BackendModels { server } => list_models(&server, running).await,
        Request::Chat {
            model_id,
            messages,
            sampling,
            tools,
            external_tools,
            fresh_context,
            backend: Some(server),
            ..
        } => {
            let ask = Ask {
                server: &server,
                model: &model_id,
                sampling: &sampling,
                fresh: fresh_context,
                running,
                emit,
            };
            chat(&ask, messages, &tools, &external_tools)
                .await
                .map(Response::ChatReply)
        }
        Request::SummarizePage {
            backend: Some(server),
            model_id,
            page,
            kind,
            mode,
            language,
            question,
            ..
        } => {
            let ask = Ask {
                server: &server,
                model: &model_id,
                sampling: &Sampling::default(),
                fresh: false,
                running,
                emit,
            };
            super::backend_summary::summarize(&ask, page, kind, mode, language, question).await
        }
        other => Err(LanternError::new(
            protocol::ErrorCode::WrongTarget,
            format!("{:?} does not go to a model server", other.type_name()),
        )),
    }
}

/// What every fetch of one answer needs.
#[derive(Clone)]
pub struct Ask<'a> {
    pub server: &'a BackendServer,
    pub model: &'a str,
    pub sampling: &'a Sampling,
    /// Whether the server should not reuse an earlier prompt's cache.
    pub fresh: bool,
    pub(super) running: &'a Running,
    pub emit: &'a dyn Fn(Event),
}

/// `/v1/models`, and `/props` for the context sizes the list does not give.
async fn list_models(server: &BackendServer, running: &Running) -> Result<Response, LanternError> {
    let body = get(server, Endpoint::Models, running).await?;
    let mut models = backends::parse_models(&body)?;
    if models.iter().any(|m| m.context.is_none()) {
        // Only llama.cpp has /props; any other answer leaves the sizes unknown.
        if let Ok(props) = get(server, Endpoint::Props, running).await
            && let Some(context) = backends::context_from_props(&props)
        {
            for model in models.iter_mut().filter(|m| m.context.is_none()) {
                model.context = Some(context);
            }
        }
    }
    Ok(Response::BackendModels(BackendModels { models }))
}

/// A chat answer, round after round while the model calls the calculator.
async fn chat(
    ask: &Ask<'_>,
    mut messages: Vec<ChatMessage>,
    tools: &[BuiltinTool],
    external: &[ExternalTool],
) -> Result<ChatReply, LanternError> {
    let mut schemas: Vec<Value> = tools
        .iter()
        .map(|tool| match tool {
            BuiltinTool::Calculator => tools::calculator::calculator_tool(),
        })
        .collect();
    schemas.extend(
        external
            .iter()
            .map(|t| backends::tool_schema(&t.name, &t.description, &t.input_schema)),
    );
    let mut rounds = 0;
    // Calls run so far, as (name, arguments): one made again is not run again.
    let mut answered: Vec<(String, String)> = Vec::new();
    let mut wrap_up = false;
    loop {
        let offered = if rounds < MAX_ROUNDS && !wrap_up {
            &schemas[..]
        } else {
            &[]
        };
        let mut sent = messages.clone();
        if wrap_up {
            // Sent, not kept.
            sent.push(ChatMessage::new(ChatRole::User, WRAP_UP));
        }
        if let Some(context) = ask.server.context {
            // A long chat keeps its newest turns, as in the browser, rather than failing.
            let reply = ask.sampling.max_tokens;
            sent = backends::fit_to_context(&sent, offered, context as usize, reply)?;
        }
        let mut reply = complete(ask, &sent, offered).await?;
        if reply.reply.finish == Finish::Cancelled {
            return Ok(reply.reply);
        }
        let mut called: Vec<(String, Value)> = std::mem::take(&mut reply.calls)
            .into_iter()
            .map(|c| {
                let arguments =
                    serde_json::from_str(&c.arguments).unwrap_or(Value::String(c.arguments));
                (c.name, arguments)
            })
            .collect();
        let mut prose = reply.reply.text.clone();
        if called.is_empty() && !offered.is_empty() {
            // A call the server's own parser missed (llama.cpp leaves Qwen2.5-Coder's bare
            // JSON calls as text): read as the engine reads its models' replies.
            let parsed = models::llm::parse_tool_calls(&prose);
            if !parsed.calls.is_empty() {
                called = parsed
                    .calls
                    .into_iter()
                    .map(|c| (c.name, c.arguments))
                    .collect();
                prose = parsed.content;
            }
        }
        if called.is_empty() || wrap_up {
            return Ok(reply.reply);
        }
        let key = |(name, arguments): &(String, Value)| (name.clone(), arguments.to_string());
        if called.iter().all(|call| answered.contains(&key(call))) {
            // Only calls already answered: asked once more, without tools, to answer in words.
            wrap_up = true;
            continue;
        }
        answered.extend(called.iter().map(key));
        let text = backends::with_tool_markup(&prose, &called);
        let pending: Vec<PendingCall> = called
            .iter()
            .filter(|(name, _)| external.iter().any(|t| &t.name == name))
            .map(|(name, arguments)| PendingCall {
                name: name.clone(),
                arguments: arguments.clone(),
            })
            .collect();
        if !pending.is_empty() || rounds == MAX_ROUNDS {
            // A user's tool waits for the user: the reply ends with its calls.
            return Ok(ChatReply {
                text,
                pending_calls: pending,
                ..reply.reply
            });
        }
        rounds += 1;
        messages.push(ChatMessage::new(ChatRole::Assistant, text));
        for (name, arguments) in called {
            let (ok, content) = run_builtin(tools, &name, &arguments);
            (ask.emit)(Event::ToolCall {
                name: name.clone(),
                arguments: arguments.to_string(),
            });
            (ask.emit)(Event::ToolResult {
                name: name.clone(),
                content: content.clone(),
                ok,
            });
            messages.push(ChatMessage::new(ChatRole::Tool, content));
        }
    }
}

/// Runs a call to a built-in tool; every failure is text for the model.
fn run_builtin(tools: &[BuiltinTool], name: &str, arguments: &Value) -> (bool, String) {
    match tools.iter().find(|tool| tool.name() == name) {
        Some(BuiltinTool::Calculator) => match tools::calculator::run_calculator(arguments) {
            Ok(result) => (true, result),
            Err(error) => (false, error),
        },
        None => (
            false,
            serde_json::json!({"error": format!("there is no tool named {name:?}")}).to_string(),
        ),
    }
}

/// One streamed completion and the calls it ended with.
pub struct Round {
    pub reply: ChatReply,
    pub calls: Vec<backends::StreamedCall>,
}

/// Streams one completion of `messages` as `token` events. Stopped, it is the text so far with
/// `Finish::Cancelled`; cut, it fails with `backend_stream_cut` (the chat keeps the text).
pub async fn complete(
    ask: &Ask<'_>,
    messages: &[ChatMessage],
    tools: &[Value],
) -> Result<Round, LanternError> {
    let mut body = backends::chat_body(ask.model, messages, ask.sampling, tools);
    if ask.fresh {
        // llama.cpp's prompt cache off, as the engine's `fresh_context` drops its KV cache
        // (benchmarks time whole prompts); other servers ignore the field.
        body["cache_prompt"] = serde_json::json!(false);
    }
    let started = js_sys::Date::now();
    let stopped = |text: &str| Round {
        reply: reply(text.to_string(), Finish::Cancelled, None, started),
        calls: Vec::new(),
    };
    let response = match send(
        ask.server,
        Endpoint::ChatCompletions,
        Some(&body),
        ask.running,
    )
    .await
    {
        Ok(response) => response,
        // Stopped before the server answered (while it read the prompt).
        Err(_) if ask.running.stopped.get() => return Ok(stopped("")),
        Err(error) => return Err(error),
    };
    if !response.ok() {
        let text = read_text(&response).await.unwrap_or_default();
        return Err(backends::from_status(response.status(), &text, Some(ask.model)).into());
    }
    let mut stream = CompletionStream::new();
    let reader = response
        .body()
        .and_then(|b| {
            b.get_reader()
                .dyn_into::<ReadableStreamDefaultReader>()
                .ok()
        })
        .ok_or_else(|| BackendError::Dialect("the answer has no body".into()))?;
    loop {
        let step = match JsFuture::from(reader.read()).await {
            Ok(step) => step,
            Err(_) if ask.running.stopped.get() => return Ok(stopped(stream.text())),
            Err(error) => return Err(stream.cut(&describe(&error)).into()),
        };
        if Reflect::get(&step, &"done".into())
            .ok()
            .and_then(|d| d.as_bool())
            .unwrap_or(true)
        {
            break;
        }
        let value = Reflect::get(&step, &"value".into()).map_err(|e| internal(&e))?;
        let pieces = match stream.push(&Uint8Array::new(&value).to_vec()) {
            Ok(pieces) => pieces,
            Err(error) => {
                let _ = reader.cancel();
                return Err(error.into());
            }
        };
        for text in pieces {
            (ask.emit)(Event::Token { text });
        }
        if ask.running.stopped.get() {
            let _ = reader.cancel();
            return Ok(stopped(stream.text()));
        }
    }
    let done = stream.finish()?;
    let finish = match done.finish_reason.as_deref() {
        Some("length") => Finish::Length,
        Some("stop") | Some("tool_calls") | None => Finish::Eos,
        Some(_) => Finish::Stop,
    };
    Ok(Round {
        reply: reply(done.text, finish, done.usage, started),
        calls: done.calls,
    })
}

fn reply(text: String, finish: Finish, usage: Option<backends::Usage>, started: f64) -> ChatReply {
    let usage = usage.unwrap_or_default();
    let seconds = (js_sys::Date::now() - started) / 1000.0;
    let decode = usage.predicted_per_second.unwrap_or(if seconds > 0.0 {
        usage.completion_tokens as f64 / seconds
    } else {
        0.0
    });
    ChatReply {
        text,
        finish,
        prompt_tokens: usage.prompt_tokens,
        reused_tokens: 0,
        generated_tokens: usage.completion_tokens,
        prefill_tokens_per_s: usage.prompt_per_second.unwrap_or(0.0),
        decode_tokens_per_s: decode,
        profile: None,
        pending_calls: Vec::new(),
        spoken: None,
    }
}

/// A GET's body text, or the failure its status stands for.
async fn get(
    server: &BackendServer,
    endpoint: Endpoint,
    running: &Running,
) -> Result<String, LanternError> {
    let response = send(server, endpoint, None, running).await?;
    let text = read_text(&response).await?;
    if !response.ok() {
        return Err(backends::from_status(response.status(), &text, None).into());
    }
    Ok(text)
}

async fn read_text(response: &web_sys::Response) -> Result<String, LanternError> {
    let promise = response.text().map_err(|e| internal(&e))?;
    let text = JsFuture::from(promise)
        .await
        .map_err(|e| LanternError::from(BackendError::Unreachable(describe(&e))))?;
    Ok(text.as_string().unwrap_or_default())
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = fetch)]
    fn global_fetch(request: &web_sys::Request) -> js_sys::Promise;
}

/// Fetches an endpoint with the server's key, abortable by `running`.
async fn send(
    server: &BackendServer,
    endpoint: Endpoint,
    body: Option<&Value>,
    running: &Running,
) -> Result<web_sys::Response, LanternError> {
    let init = RequestInit::new();
    let headers = web_sys::Headers::new().map_err(|e| internal(&e))?;
    if let Some(key) = server.api_key.as_deref().filter(|k| !k.is_empty()) {
        headers
            .set("Authorization", &format!("Bearer {key}"))
            .map_err(|e| internal(&e))?;
    }
    match body {
        Some(body) => {
            init.set_method("POST");
            headers
                .set("Content-Type", "application/json")
                .map_err(|e| internal(&e))?;
            init.set_body(&JsValue::from_str(&body.to_string()));
        }
        None => init.set_method("GET"),
    }
    init.set_headers(&headers);
    init.set_signal(Some(&running.abort.signal()));
    let url = endpoint.url(&server.url);
    let request = web_sys::Request::new_with_str_and_init(&url, &init).map_err(|e| {
        LanternError::from(BackendError::Unreachable(format!(
            "{url} is not an address Lantern can fetch: {}",
            describe(&e)
        )))
    })?;
    let response = JsFuture::from(global_fetch(&request)).await.map_err(|e| {
        LanternError::from(BackendError::Unreachable(format!(
            "{url}: {}",
            describe(&e)
        )))
    })?;
    response.dyn_into().map_err(|e| internal(&e))
}

/// A JS failure's message.
fn describe(error: &JsValue) -> String {
    Reflect::get(error, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .unwrap_or_else(|| format!("{error:?}"))
}

fn internal(error: &JsValue) -> LanternError {
    LanternError::new(protocol::ErrorCode::Internal, describe(error))
}
