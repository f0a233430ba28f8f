//! Asking the user before a tool of one of their MCP servers runs: the card shows the server,
//! the tool and the arguments the model wrote, with Allow once / Always allow this tool / Deny.
//! Nothing reaches a server until a button is pressed; the model cannot press one.

use std::cell::RefCell;

use futures_channel::oneshot;
use sycamore::prelude::*;

use crate::i18n::t;

/// A call waiting for the user.
#[derive(Clone, Debug, PartialEq)]
pub struct Asking {
    /// The server's own name (server-written text).
    pub server: String,
    pub url: String,
    /// The server's name for the tool.
    pub tool: String,
    /// The arguments, pretty JSON.
    pub arguments: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Once,
    Always,
    Deny,
}

thread_local! {
    /// The one question open (a page asks one at a time).
    static ANSWER: RefCell<Option<oneshot::Sender<Decision>>> = const { RefCell::new(None) };
}

/// Shows the card and waits for a button. A page closed meanwhile denies.
pub async fn ask(shown: Signal<Option<Asking>>, asking: Asking) -> Decision {
    let (tx, rx) = oneshot::channel();
    ANSWER.with(|a| *a.borrow_mut() = Some(tx));
    shown.set(Some(asking));
    let decision = rx.await.unwrap_or(Decision::Deny);
    shown.set(None);
    decision
}

/// Closes the open question as denied (the user pressed Stop).
pub fn dismiss() {
    decide(Decision::Deny);
}

fn decide(decision: Decision) {
    if let Some(tx) = ANSWER.with(|a| a.borrow_mut().take()) {
        let _ = tx.send(decision);
    }
}

#[component(inline_props)]
pub fn ApprovalCard(shown: Signal<Option<Asking>>) -> View {
    view! {
        (shown.get_clone().map(|asking| {
            let Asking { server, url, tool, arguments } = asking;
            let tool_attr = tool.clone();
            view! {
            div(class="tool-approval", role="alertdialog", aria-labelledby="tool-approval-heading",
                aria-describedby="tool-approval-details", data-tool=tool_attr) {
                h3(id="tool-approval-heading") { (t("toolApprovalHeading")) }
                dl(id="tool-approval-details") {
                    dt { (t("toolApprovalServer")) }
                    dd(class="tool-approval-server") { (server) " " span(class="muted") { (url) } }
                    dt { (t("toolApprovalTool")) }
                    dd { code { (tool) } }
                    dt { (t("toolApprovalArguments")) }
                    dd { pre(class="tool-arguments") { (arguments) } }
                }
                div(class="tool-approval-actions") {
                    button(r#type="button", class="allow-once", on:click=|_| decide(Decision::Once)) { (t("toolAllowOnce")) }
                    button(r#type="button", class="secondary allow-always", on:click=|_| decide(Decision::Always)) { (t("toolAllowAlways")) }
                    button(r#type="button", class="secondary deny", on:click=|_| decide(Decision::Deny)) { (t("toolDeny")) }
                }
            }
        }}))
    }
}
