//! Running the calls a reply ended with (`ChatReply.pending_calls`): each is shown to the user
//! (unless they always allow that tool), run on its server through the offscreen document, and
//! answered to the model as a tool message, the server's text fenced as data. A denial or a
//! server that fails is an error the model reads; the chat goes on either way. While a call
//! runs its progress shows on its card; Stop cancels it, the model is told so, and no further
//! call of the reply runs.

use protocol::{
    ChatMessage, ChatRole, ErrorCode, Event, ExternalTool, LanternError, McpToolResult,
    PendingCall, fence_result,
};

use super::super::chat_tools::Returned;
use super::approval::{Asking, Decision, ask};
use super::session::Chat;
use crate::i18n::t;
use crate::state::client;
use crate::tool_servers::{self, Route};
use crate::views::error_text::error_parts;

/// How many rounds of calls one question may take before the model must answer without tools.
pub const MAX_ROUNDS: u32 = 4;

/// What one call gave: the model's tool message, the text shown, success, what to show
/// besides text.
struct Outcome {
    message: String,
    shown: String,
    ok: bool,
    returned: Returned,
}

impl Outcome {
    /// A call that did not give a result: `text` for the user, fenced as an error for the model.
    fn failed(route: &Route, text: String) -> Outcome {
        Outcome {
            message: fence_result(&route.server, &route.tool, &text, true),
            shown: text,
            ok: false,
            returned: Returned::default(),
        }
    }

    fn of(route: &Route, result: McpToolResult) -> Outcome {
        Outcome {
            message: fence_result(&route.server, &route.tool, &result.text, result.is_error),
            ok: !result.is_error,
            returned: Returned {
                images: result.images,
                audio: result.audio,
                files: result.files,
                links: result.links,
            },
            shown: result.text,
        }
    }
}

/// Runs every call in order, adding a tool message for each to the conversation.
pub async fn run(chat: Chat, calls: Vec<PendingCall>, offered: &[(ExternalTool, Route)]) {
    for call in calls {
        let at = chat.conversation.with(|c| c.messages.len());
        let arguments = call.arguments.to_string();
        chat.tools.record(
            at,
            &Event::ToolCall {
                name: call.name.clone(),
                arguments: arguments.clone(),
            },
        );
        // The worker returns only offered names; a route is always there.
        let outcome = match offered.iter().find(|(tool, _)| tool.name == call.name) {
            // After Stop, the reply's other calls are not run, and the model hears why.
            Some((_, route)) if chat.stopped() => Outcome::failed(route, t("toolStopped")),
            Some((_, route)) => one(chat, route, &call).await,
            None => {
                let text = t("toolNotOffered");
                Outcome {
                    message: text.clone(),
                    shown: text,
                    ok: false,
                    returned: Returned::default(),
                }
            }
        };
        chat.tools.record(
            at,
            &Event::ToolResult {
                name: call.name.clone(),
                content: outcome.shown,
                ok: outcome.ok,
            },
        );
        chat.tools.attach(outcome.returned);
        chat.conversation.update(|c| {
            c.messages.push(ChatMessage {
                source: None,
                role: ChatRole::Tool,
                content: outcome.message,
            })
        });
    }
}

async fn one(chat: Chat, route: &Route, call: &PendingCall) -> Outcome {
    let decision = if route.always_allow {
        Decision::Once
    } else {
        let asking = Asking {
            server: route.server.clone(),
            url: route.url.clone(),
            tool: route.tool.clone(),
            arguments: serde_json::to_string_pretty(&call.arguments).unwrap_or_default(),
        };
        ask(chat.approval, asking).await
    };
    match decision {
        Decision::Deny if chat.stopped() => return Outcome::failed(route, t("toolStopped")),
        Decision::Deny => return Outcome::failed(route, t("toolDenied")),
        Decision::Always => remember_always(route).await,
        Decision::Once => {}
    }
    let call_id = chat.start_call();
    let at = chat.conversation.with(|c| c.messages.len());
    let result = client()
        .mcp_call_tool(
            route.url.clone(),
            route.remembered.clone(),
            route.tool.clone(),
            call.arguments.clone(),
            call_id,
        )
        .each(|event| {
            chat.tools.record(at, &event);
        })
        .await;
    chat.end_call();
    match result {
        Ok(result) => Outcome::of(route, result),
        Err(error) if error.code == ErrorCode::Cancelled => {
            Outcome::failed(route, t("toolStopped"))
        }
        Err(error) => Outcome::failed(route, failure_text(&error)),
    }
}

/// A failed call as the user and the model read it: its kind's sentence, then the detail.
fn failure_text(error: &LanternError) -> String {
    match error_parts(error) {
        (Some(kind), detail) => format!("{kind} ({detail})"),
        (None, text) => text,
    }
}

async fn remember_always(route: &Route) {
    let mut servers = tool_servers::load().await;
    if let Some(server) = servers.iter_mut().find(|s| s.url == route.url)
        && !server.always_allow.contains(&route.tool)
    {
        server.always_allow.push(route.tool.clone());
        // Not saved: the user is asked again next time, which is the safe side.
        let _ = tool_servers::save(&servers).await;
    }
}
