//! Attaching a resource of the user's tool servers to the conversation: the composer's "Attach"
//! lists the resources of the enabled servers; the one chosen is read, its text goes to the
//! model fenced as data (a system message, as a summarized page's text does), and a chip shows
//! where it was attached. Nothing is read until the user picks it.

use protocol::{ChatMessage, ChatRole, LanternError, McpResourceInfo, fence_resource};
use sycamore::prelude::*;

use super::session::Chat;
use crate::history::{PageNote, PageUse};
use crate::i18n::t;
use crate::state::client;
use crate::tool_servers::{self, ToolServer};

/// One server's resources, or why they could not be listed.
#[derive(Clone, PartialEq)]
struct Offer {
    server: ToolServer,
    resources: Result<Vec<McpResourceInfo>, LanternError>,
}

async fn offers() -> Vec<Offer> {
    let mut all = Vec::new();
    for server in tool_servers::load().await.into_iter().filter(|s| s.enabled) {
        let resources = client()
            .mcp_list_resources(server.url.clone(), server.protocol_version.clone())
            .await;
        all.push(Offer { server, resources });
    }
    all
}

impl Chat {
    /// Reads `resource` of `server` and adds it to the conversation before the next message.
    async fn attach(self, server: ToolServer, resource: McpResourceInfo) {
        let read = client()
            .mcp_read_resource(
                server.url.clone(),
                server.protocol_version.clone(),
                resource.uri.clone(),
            )
            .await;
        match read {
            Ok(read) => {
                let name = if server.name.is_empty() {
                    server.url.clone()
                } else {
                    server.name.clone()
                };
                self.conversation.update(|c| {
                    c.messages.push(ChatMessage {
                        source: None,
                        role: ChatRole::System,
                        content: fence_resource(&name, &resource.name, &read.uri, &read.text),
                    });
                    c.pages.push(PageNote {
                        before: c.messages.len(),
                        kind: PageUse::Attached,
                        title: resource.name.clone(),
                        url: read.uri.clone(),
                        selection: String::new(),
                    });
                });
                self.save();
            }
            Err(error) => self.error.set(Some(error)),
        }
    }
}

#[component(inline_props)]
pub fn AttachResource(chat: Chat) -> View {
    let open = create_signal(false);
    let listed = create_signal(None::<Vec<Offer>>);
    let toggle = move |_| {
        let now = !open.get();
        open.set(now);
        if now {
            listed.set(None);
            wasm_bindgen_futures::spawn_local(async move { listed.set(Some(offers().await)) });
        }
    };
    let list = move || {
        let Some(offers) = listed.get_clone() else {
            return view! { p(class="muted", role="status") { (t("resourcesLoading")) } };
        };
        let any = offers
            .iter()
            .any(|o| o.resources.as_ref().is_ok_and(|r| !r.is_empty()));
        if !any {
            return view! { p(class="muted") { (t("noResources")) } };
        }
        offers
            .into_iter()
            .filter_map(|offer| {
                let resources = offer.resources.ok().filter(|r| !r.is_empty())?;
                let title = if offer.server.name.is_empty() {
                    offer.server.url.clone()
                } else {
                    offer.server.name.clone()
                };
                let items = resources
                    .into_iter()
                    .map(|resource| {
                        let server = offer.server.clone();
                        let label = resource.name.clone();
                        let about = resource.description.clone().unwrap_or_default();
                        let uri = resource.uri.clone();
                        let pick = move |_| {
                            open.set(false);
                            let (server, resource) = (server.clone(), resource.clone());
                            wasm_bindgen_futures::spawn_local(chat.attach(server, resource));
                        };
                        view! {
                            li {
                                button(class="link resource", r#type="button", title=about, data-uri=uri, on:click=pick) { (label) }
                            }
                        }
                    })
                    .collect::<Vec<_>>();
                Some(view! {
                    div(class="resource-server") {
                        p(class="muted") { (title) }
                        ul(class="resources") { (items) }
                    }
                })
            })
            .collect::<Vec<_>>()
            .into()
    };
    view! {
        button(class="secondary attach", r#type="button", aria-expanded=move || open.get().to_string(),
               disabled=move || chat.busy(), on:click=toggle) { (t("attachResource")) }
        (if open.get() {
            view! {
                div(class="resource-picker", role="group", aria-label=t("attachResource")) { (list()) }
            }
        } else {
            view! {}
        })
    }
}
