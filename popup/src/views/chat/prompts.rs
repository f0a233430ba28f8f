//! The prompts of the user's tool servers as slash commands: typing `/` in the composer lists
//! them (filtered by what follows); one without arguments is filled at once, one with arguments
//! asks for them first. `prompts/get`'s text replaces the composer's, for the user to read,
//! change and send: nothing reaches the model until they do.

use protocol::McpPromptInfo;
use sycamore::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlTextAreaElement;

use super::session::Chat;
use crate::i18n::t;
use crate::state::client;
use crate::tool_servers::{self, ToolServer};

/// A prompt and the server it comes from.
#[derive(Clone, PartialEq)]
struct Offered {
    server: ToolServer,
    prompt: McpPromptInfo,
}

/// Every prompt of the enabled servers (a server that lists none, or fails to, adds none).
async fn offered() -> Vec<Offered> {
    let mut all = Vec::new();
    for server in tool_servers::load().await.into_iter().filter(|s| s.enabled) {
        let listed = client()
            .mcp_list_prompts(server.url.clone(), server.protocol_version.clone())
            .await;
        for prompt in listed.unwrap_or_default() {
            all.push(Offered {
                server: server.clone(),
                prompt,
            });
        }
    }
    all
}

fn composer(input: NodeRef) -> Option<HtmlTextAreaElement> {
    input.try_get()?.dyn_into::<HtmlTextAreaElement>().ok()
}

/// Fills `offer` with `arguments` and puts its text in the composer.
async fn fill(chat: Chat, input: NodeRef, offer: Offered, arguments: serde_json::Value) {
    let got = client()
        .mcp_get_prompt(
            offer.server.url.clone(),
            offer.server.protocol_version.clone(),
            offer.prompt.name.clone(),
            arguments,
        )
        .await;
    match got {
        Ok(text) => {
            if let Some(area) = composer(input) {
                area.set_value(&text);
                let _ = area.focus();
            }
        }
        Err(error) => chat.error.set(Some(error)),
    }
}

/// The list under the composer while its text starts with `/` (`query` is what follows).
#[component(inline_props)]
pub fn PromptMenu(chat: Chat, input: NodeRef, query: Signal<Option<String>>) -> View {
    let prompts = create_signal(None::<Vec<Offered>>);
    // The one whose arguments are being asked for, and the values typed so far.
    let asking = create_signal(None::<Offered>);
    let values = create_signal(Vec::<String>::new());
    create_effect(move || {
        let open = query.with(Option::is_some);
        if open && prompts.with_untracked(Option::is_none) {
            prompts.set(Some(Vec::new()));
            wasm_bindgen_futures::spawn_local(async move { prompts.set(Some(offered().await)) });
        }
        if !open {
            asking.set(None);
        }
    });
    let choose = move |offer: Offered| {
        if offer.prompt.arguments.is_empty() {
            query.set(None);
            wasm_bindgen_futures::spawn_local(fill(chat, input, offer, serde_json::json!({})));
        } else {
            values.set(vec![String::new(); offer.prompt.arguments.len()]);
            asking.set(Some(offer));
        }
    };
    let list = move || {
        let needle = query.get_clone().unwrap_or_default().to_lowercase();
        let matching: Vec<Offered> = prompts
            .get_clone()
            .unwrap_or_default()
            .into_iter()
            .filter(|o| o.prompt.name.to_lowercase().contains(needle.trim()))
            .collect();
        if matching.is_empty() {
            return view! { li(class="muted") { (t("noPrompts")) } };
        }
        matching
            .into_iter()
            .map(|offer| {
                let name = format!("/{}", offer.prompt.name);
                let about = offer.prompt.description.clone().unwrap_or_default();
                let data_name = offer.prompt.name.clone();
                view! {
                    li {
                        button(class="link prompt", r#type="button", data-prompt=data_name,
                               on:click=move |_| choose(offer.clone())) { (name) }
                        " " span(class="muted") { (about) }
                    }
                }
            })
            .collect::<Vec<_>>()
            .into()
    };
    let form = move || {
        let offer = asking.get_clone()?;
        let fields = offer
            .prompt
            .arguments
            .iter()
            .enumerate()
            .map(|(i, argument)| {
                let label = argument
                    .description
                    .clone()
                    .unwrap_or_else(|| argument.name.clone());
                let name = argument.name.clone();
                let required = argument.required;
                let typed = move |e: web_sys::Event| {
                    let value = e
                        .target()
                        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
                        .map(|i| i.value())
                        .unwrap_or_default();
                    values.update(|all| {
                        if let Some(slot) = all.get_mut(i) {
                            *slot = value;
                        }
                    });
                };
                view! {
                    label(class="prompt-argument") {
                        code { (name) } " " (label)
                        input(r#type="text", required=required, on:input=typed)
                    }
                }
            })
            .collect::<Vec<_>>();
        let submit = move |e: web_sys::SubmitEvent| {
            e.prevent_default();
            let Some(offer) = asking.get_clone() else {
                return;
            };
            let typed = values.get_clone();
            let mut arguments = serde_json::Map::new();
            for (argument, value) in offer.prompt.arguments.iter().zip(typed) {
                // An optional argument left empty is not sent.
                if !value.trim().is_empty() || argument.required {
                    arguments.insert(argument.name.clone(), value.into());
                }
            }
            query.set(None);
            wasm_bindgen_futures::spawn_local(fill(chat, input, offer, arguments.into()));
        };
        let title = format!("/{}", offer.prompt.name);
        Some(view! {
            form(class="prompt-arguments", on:submit=submit) {
                p { strong { (title) } }
                (fields)
                button(r#type="submit") { (t("usePrompt")) }
            }
        })
    };
    view! {
        (if query.with(Option::is_some) {
            view! {
                div(class="prompt-menu", role="group", aria-label=t("promptsHeading")) {
                    (match form() {
                        Some(form) => form,
                        None => view! { ul(class="prompts") { (list()) } },
                    })
                }
            }
        } else {
            view! {}
        })
    }
}
