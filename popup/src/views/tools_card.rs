//! The options page's "Tools" card: the MCP servers built into Lantern (first, not removable)
//! and the user's. Adding one by address (loopback at once; another origin asks for that
//! origin's permission in the same click), each server's state, its tools with a switch each, a
//! switch for the whole server, what its tool list costs the model's context, the tools allowed
//! to run without asking, and removal. Below them, the files server's folder
//! (`files_panel`).

use std::cell::Cell;
use std::collections::HashMap;
use std::rc::Rc;

use protocol::{ErrorCode, LanternError};
use sycamore::prelude::*;

use super::error_text::{error_text, ui_error};
use super::files_panel::FilesPanel;
use crate::chrome::request_origin;
use crate::i18n::{t, t_with};
use crate::state::client;
use crate::tool_servers::{self, ToolServer, is_builtin, is_loopback};

/// How often the open card reads the document's tool lists (milliseconds).
const FOLLOW_MS: u32 = 3000;

#[derive(Clone, Debug, PartialEq)]
enum Status {
    Connecting,
    Connected,
    Failed(LanternError),
}

#[derive(Clone, Copy)]
struct Tools {
    servers: Signal<Vec<ToolServer>>,
    status: Signal<HashMap<String, Status>>,
    error: Signal<Option<LanternError>>,
}

impl Tools {
    fn set_status(self, url: &str, status: Status) {
        self.status.update(|s| {
            s.insert(url.to_owned(), status);
        });
    }

    /// Saves the list; a failure shows in the card.
    fn save(self) {
        let servers = self.servers.get_clone();
        wasm_bindgen_futures::spawn_local(async move {
            if let Err(e) = tool_servers::save(&servers).await {
                self.error
                    .set(Some(ui_error(ErrorCode::StorageFailed, e.to_string())));
            }
        });
    }

    /// Connects (again) and takes the server's current tool list.
    async fn connect(self, url: String) -> bool {
        self.set_status(&url, Status::Connecting);
        let remembered = self.servers.with(|s| {
            s.iter()
                .find(|s| s.url == url)
                .and_then(|s| s.protocol_version.clone())
        });
        match client().mcp_connect(url.clone(), remembered).await {
            Ok(state) => {
                self.servers
                    .update(|servers| match servers.iter_mut().find(|s| s.url == url) {
                        Some(server) => server.refresh(state),
                        None => servers.push(ToolServer::from_state(state)),
                    });
                self.set_status(&url, Status::Connected);
                self.save();
                true
            }
            Err(error) => {
                self.set_status(&url, Status::Failed(error));
                false
            }
        }
    }

    /// The "no Origin header" switches into the browser's rules; a failure shows in the card.
    async fn apply_rules(self) {
        let servers = self.servers.get_clone();
        if let Err(e) = tool_servers::apply_origin_rules(&servers).await {
            self.error.set(Some(ui_error(ErrorCode::Internal, e)));
        }
    }

    fn edit(self, url: &str, change: impl FnOnce(&mut ToolServer)) {
        self.servers.update(|servers| {
            if let Some(server) = servers.iter_mut().find(|s| s.url == url) {
                change(server);
            }
        });
        self.save();
    }
}

/// The origin of an http(s) address (`https://host:port`), or `None` for anything else.
pub(crate) fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let host = rest.split(['/', '?', '#']).next()?;
    (!host.is_empty() && !host.contains('@')).then(|| format!("{scheme}://{host}"))
}

#[component]
pub fn ToolsCard() -> View {
    let tools = Tools {
        servers: create_signal(Vec::new()),
        status: create_signal(HashMap::new()),
        error: create_signal(None),
    };
    let address = create_signal(String::new());
    wasm_bindgen_futures::spawn_local(async move {
        tools.servers.set(tool_servers::load().await);
        tools.apply_rules().await;
        let urls: Vec<String> = tools.servers.with(|s| {
            s.iter()
                .filter(|s| s.enabled)
                .map(|s| s.url.clone())
                .collect()
        });
        for url in urls {
            tools.connect(url).await;
        }
    });
    // A server may change its tools while the card is open (it announces it, and the document
    // lists them again): the card follows, every few seconds, while it is shown.
    // Not a signal: the loop reads it after the card (and its signals) may be gone.
    let shown = Rc::new(Cell::new(true));
    on_cleanup({
        let shown = Rc::clone(&shown);
        move || shown.set(false)
    });
    wasm_bindgen_futures::spawn_local(async move {
        loop {
            gloo_timers::future::TimeoutFuture::new(FOLLOW_MS).await;
            if !shown.get() {
                break;
            }
            // Without a server there is nothing to follow (and no reason to wake the engine).
            if !tools
                .servers
                .with_untracked(|s| s.iter().any(|s| s.enabled))
            {
                continue;
            }
            let Ok(live) = client().mcp_tool_lists().await else {
                continue;
            };
            if !shown.get() {
                break;
            }
            // Looked at on a copy first, so an unchanged list wakes nothing on the page.
            let mut copy = tools.servers.get_clone_untracked();
            let changed = tool_servers::take_live(&mut copy, live.clone());
            if changed {
                tools.servers.update(|servers| {
                    tool_servers::take_live(servers, live);
                });
                tools.save();
            }
        }
    });
    let add = move |e: web_sys::SubmitEvent| {
        e.prevent_default();
        tools.error.set(None);
        let url = address.get_clone().trim().to_owned();
        let Some(origin) = origin_of(&url) else {
            tools.error.set(Some(ui_error(
                ErrorCode::MalformedMessage,
                t("toolServerBadAddress"),
            )));
            return;
        };
        if tools.servers.with(|s| s.iter().any(|s| s.url == url)) {
            tools.error.set(Some(ui_error(
                ErrorCode::MalformedMessage,
                t("toolServerAlreadyAdded"),
            )));
            return;
        }
        // Asked now, inside the click: the browser shows no prompt without one.
        let permission = (!is_loopback(&url)).then(|| request_origin(&origin));
        wasm_bindgen_futures::spawn_local(async move {
            if let Some(asked) = permission
                && !asked.await
            {
                tools.error.set(Some(ui_error(
                    ErrorCode::Forbidden,
                    t_with("toolServerPermissionDenied", &[&origin]),
                )));
                return;
            }
            if tools.connect(url.clone()).await {
                address.set(String::new());
            } else if let Some(Status::Failed(error)) = tools.status.with(|s| s.get(&url).cloned())
            {
                // A server that refuses the Origin header is kept, with the switch that helps.
                if error.code == ErrorCode::ToolServerRefusedOrigin {
                    tools.servers.update(|s| {
                        s.push(ToolServer {
                            url: url.clone(),
                            enabled: true,
                            ..ToolServer::default()
                        })
                    });
                    tools.save();
                    address.set(String::new());
                }
                tools.error.set(Some(error));
            }
        });
    };
    view! {
        section(class="card tools-card", aria-labelledby="tools-heading") {
            h2(id="tools-heading") { (t("toolsHeading")) }
            p(class="muted") { (t("toolsIntro")) }
            form(class="tool-server-add", on:submit=add) {
                label(r#for="tool-server-url") { (t("toolServerAddress")) }
                input(id="tool-server-url", r#type="url", placeholder="http://127.0.0.1:3001/mcp",
                      bind:value=address, required=true)
                button(r#type="submit") { (t("toolServerAdd")) }
            }
            (tools.error.get_clone().map(|error| {
                let code = format!("{:?}", error.code);
                let text = error_text(&error);
                view! { p(class="error", role="alert", data-code=code) { (text) } }
            }))
            ul(class="tool-servers") {
                Keyed(
                    list=tools.servers,
                    view=move |server| view! { ServerItem(tools=tools, server=server) },
                    key=|server| format!("{}|{}|{:?}|{:?}|{:?}|{:?}|{}", server.url, server.enabled, server.tools.iter().map(|t| &t.name).collect::<Vec<_>>(), server.disabled_tools, server.always_allow, server.protocol_version, server.drop_origin),
                )
            }
            // The files server's folder, filled whether or not the model may use it yet. Not
            // inside the server's entry, which is built anew whenever its switches change:
            // a file being stored would outlive the view that shows it.
            FilesPanel()
        }
    }
}

#[component(inline_props)]
fn ServerItem(tools: Tools, server: ToolServer) -> View {
    let url = server.url.clone();
    let status = create_selector({
        let url = url.clone();
        move || tools.status.with(|s| s.get(&url).cloned())
    });
    let state_view = {
        let server = server.clone();
        move || match status.get_clone() {
            Some(Status::Connecting) => {
                view! { span(class="muted") { (t("toolServerConnecting")) } }
            }
            Some(Status::Connected) => {
                let version = server.protocol_version.clone().unwrap_or_default();
                view! { span { (t_with("toolServerConnected", &[&version])) } }
            }
            Some(Status::Failed(error)) => {
                let code = format!("{:?}", error.code);
                let text = error_text(&error);
                view! { span(class="error", role="alert", data-code=code) { (text) } }
            }
            None => view! { span(class="muted") { (t("toolServerOff")) } },
        }
    };
    let data_state = move || match status.get_clone() {
        Some(Status::Connecting) => "connecting",
        Some(Status::Connected) => "connected",
        Some(Status::Failed(_)) => "failed",
        None => "off",
    };
    let enabled = server.enabled;
    let builtin = is_builtin(&url);
    let toggle_server = {
        let url = url.clone();
        move |_| {
            tools.edit(&url, |s| s.enabled = !s.enabled);
            // A server switched on is listed at once, so its tools are offered from the next
            // message.
            if !enabled {
                let url = url.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    tools.connect(url).await;
                });
            }
        }
    };
    let reconnect = {
        let url = url.clone();
        move |_| {
            let url = url.clone();
            wasm_bindgen_futures::spawn_local(async move {
                tools.connect(url).await;
            });
        }
    };
    let drop_origin = server.drop_origin;
    let toggle_origin = {
        let url = url.clone();
        move |_| {
            tools.edit(&url, |s| s.drop_origin = !s.drop_origin);
            let url = url.clone();
            wasm_bindgen_futures::spawn_local(async move {
                tools.apply_rules().await;
                tools.error.set(None);
                tools.connect(url).await;
            });
        }
    };
    let remove = {
        let url = url.clone();
        move |_| {
            tools.servers.update(|s| s.retain(|s| s.url != url));
            tools.save();
            wasm_bindgen_futures::spawn_local(tools.apply_rules());
        }
    };
    let tool_items = server
        .tools
        .iter()
        .map(|tool| {
            let name = tool.name.clone();
            let on = server.tool_enabled(&name);
            let always = server.always_allow.contains(&name);
            let description = tool.description.clone().unwrap_or_default();
            let url = url.clone();
            let toggle = {
                let (url, name) = (url.clone(), name.clone());
                move |_| {
                    let name = name.clone();
                    tools.edit(&url, move |s| {
                        if s.tool_enabled(&name) {
                            s.disabled_tools.push(name);
                        } else {
                            s.disabled_tools.retain(|t| *t != name);
                        }
                    })
                }
            };
            let forget = {
                let name = name.clone();
                move |_| {
                    let name = name.clone();
                    tools.edit(&url, move |s| s.always_allow.retain(|t| *t != name))
                }
            };
            let name_attr = name.clone();
            view! {
                li(class="tool", data-tool=name_attr) {
                    label {
                        input(r#type="checkbox", checked=on, on:change=toggle)
                        " " code { (name) }
                    }
                    " " span(class="muted tool-description") { (description) }
                    (always.then(|| view! {
                        " " button(class="link", r#type="button", on:click=forget.clone()) { (t("toolAlwaysAllowedForget")) }
                    }))
                }
            }
        })
        .collect::<Vec<_>>();
    let title = if server.name.is_empty() {
        server.url.clone()
    } else {
        server.name.clone()
    };
    let cost = t_with(
        "toolServerCost",
        &[
            &server.tools.len().to_string(),
            &server.context_cost().to_string(),
        ],
    );
    let shown_url = url.clone();
    view! {
        li(class="tool-server", data-url=url, data-state=data_state) {
            div(class="tool-server-head") {
                label {
                    input(r#type="checkbox", checked=enabled, on:change=toggle_server)
                    " " strong { (title) }
                }
                " " span(class="muted") { (shown_url) }
                (builtin.then(|| view! { " " span(class="badge builtin") { (t("toolServerBuiltin")) } }))
            }
            p(class="tool-server-state") { (state_view()) }
            p(class="muted tool-server-cost") { (cost) }
            ul(class="tools") { (tool_items) }
            // A built-in server sends no HTTP request, so it has no Origin to drop, and stays.
            (if builtin {
                view! {}
            } else {
                view! {
                    label(class="tool-server-origin") {
                        input(r#type="checkbox", checked=drop_origin, on:change=toggle_origin.clone())
                        " " (t("toolServerDropOrigin"))
                    }
                }
            })
            div(class="tool-server-actions") {
                button(r#type="button", on:click=reconnect) { (t("toolServerReconnect")) }
                (if builtin {
                    view! {}
                } else {
                    view! { button(r#type="button", on:click=remove.clone()) { (t("toolServerRemove")) } }
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_read_from_http_addresses_only() {
        assert_eq!(
            origin_of("https://tools.example.com:8443/mcp").as_deref(),
            Some("https://tools.example.com:8443")
        );
        assert_eq!(origin_of("ftp://x/"), None);
        assert_eq!(origin_of("https://user@evil.com/"), None);
        assert_eq!(origin_of("nonsense"), None);
    }
}
