//! The options page's "Model servers" card: the user's own OpenAI-compatible servers (llama.cpp,
//! Ollama, vLLM, LM Studio). Adding one by address (loopback at once; another origin asks for
//! that origin's permission in the same click, as the tools card does; plain HTTP to another
//! machine only after the user confirms it), with an optional API key kept for this extension
//! only; each server's models with their context sizes, Refresh and Remove.

use protocol::{BackendServer, ErrorCode, LanternError};
use sycamore::prelude::*;

use super::error_text::{error_text, ui_error};
use super::tools_card::origin_of;
use crate::chrome::request_origin;
use crate::i18n::{number, t, t_with};
use crate::model_servers::{self, ModelServer};
use crate::state::client;
use crate::tool_servers::is_loopback;

#[derive(Clone, Copy)]
struct Servers {
    list: Signal<Vec<ModelServer>>,
    error: Signal<Option<LanternError>>,
    /// The server being listed (its address).
    busy: Signal<Option<String>>,
}

impl Servers {
    /// Lists the server's models; `Ok` with them, or the server's failure by name.
    async fn list_models(self, url: &str, name: &str) -> Result<ModelServer, LanternError> {
        self.busy.set(Some(url.to_string()));
        let server = BackendServer {
            url: url.to_string(),
            name: name.to_string(),
            api_key: model_servers::key(url).await,
            context: None,
        };
        let listed = client().backend_models(server).await;
        self.busy.set(None);
        Ok(ModelServer {
            url: url.to_string(),
            name: name.to_string(),
            models: listed?.models,
        })
    }

    async fn save(self) {
        let servers = self.list.get_clone();
        if let Err(e) = model_servers::save(&servers).await {
            self.error
                .set(Some(ui_error(ErrorCode::StorageFailed, e.to_string())));
        }
    }

    fn refresh(self, url: String, name: String) {
        self.error.set(None);
        wasm_bindgen_futures::spawn_local(async move {
            match self.list_models(&url, &name).await {
                Ok(listed) => {
                    self.list.update(|list| {
                        if let Some(server) = list.iter_mut().find(|s| s.url == url) {
                            *server = listed;
                        }
                    });
                    self.save().await;
                }
                Err(error) => self.error.set(Some(error)),
            }
        });
    }

    fn remove(self, url: String) {
        self.list.update(|list| list.retain(|s| s.url != url));
        wasm_bindgen_futures::spawn_local(async move {
            self.save().await;
            if let Err(e) = model_servers::set_key(&url, None).await {
                self.error.set(Some(ui_error(ErrorCode::StorageFailed, e)));
            }
        });
    }
}

#[component]
pub fn ServersCard() -> View {
    let servers = Servers {
        list: create_signal(Vec::new()),
        error: create_signal(None),
        busy: create_signal(None),
    };
    let address = create_signal(String::new());
    let name = create_signal(String::new());
    let key = create_signal(String::new());
    // Plain HTTP to another machine: shown once it is needed, must be ticked to add.
    let plain_http = create_signal(false);
    let plain_http_ok = create_signal(false);
    wasm_bindgen_futures::spawn_local(async move {
        servers.list.set(model_servers::load().await);
    });
    let add = move |e: web_sys::SubmitEvent| {
        e.prevent_default();
        servers.error.set(None);
        let url = backends::base_url(&address.get_clone());
        let Some(origin) = origin_of(&url) else {
            servers.error.set(Some(ui_error(
                ErrorCode::MalformedMessage,
                t("serverBadAddress"),
            )));
            return;
        };
        if servers.list.with(|s| s.iter().any(|s| s.url == url)) {
            servers.error.set(Some(ui_error(
                ErrorCode::MalformedMessage,
                t("serverAlreadyAdded"),
            )));
            return;
        }
        let loopback = is_loopback(&url);
        if url.starts_with("http://") && !loopback && !plain_http_ok.get() {
            plain_http.set(true);
            servers.error.set(Some(ui_error(
                ErrorCode::Forbidden,
                t_with("serverPlainHttp", &[&origin]),
            )));
            return;
        }
        // Asked now, inside the click: the browser shows no prompt without one.
        let permission = (!loopback).then(|| request_origin(&origin));
        let typed_name = name.get_clone().trim().to_string();
        let named = if typed_name.is_empty() {
            model_servers::default_name(&url)
        } else {
            typed_name
        };
        let typed_key = key.get_clone();
        wasm_bindgen_futures::spawn_local(async move {
            if let Some(asked) = permission
                && !asked.await
            {
                servers.error.set(Some(ui_error(
                    ErrorCode::Forbidden,
                    t_with("toolServerPermissionDenied", &[&origin]),
                )));
                return;
            }
            if let Err(e) = model_servers::set_key(&url, Some(typed_key)).await {
                servers
                    .error
                    .set(Some(ui_error(ErrorCode::StorageFailed, e)));
                return;
            }
            match servers.list_models(&url, &named).await {
                Ok(server) => {
                    servers.list.update(|list| list.push(server));
                    servers.save().await;
                    address.set(String::new());
                    name.set(String::new());
                    key.set(String::new());
                    plain_http.set(false);
                    plain_http_ok.set(false);
                }
                Err(error) => {
                    // Nothing is kept of a server that could not be listed, its key neither.
                    let _ = model_servers::set_key(&url, None).await;
                    servers.error.set(Some(error));
                }
            }
        });
    };
    view! {
        section(class="card servers-card", aria-labelledby="servers-heading") {
            h2(id="servers-heading") { (t("serversHeading")) }
            p(class="muted") { (t("serversIntro")) }
            form(class="server-add form", on:submit=add) {
                label(r#for="server-url") { (t("serverAddress")) }
                input(id="server-url", r#type="url", placeholder="http://127.0.0.1:8080", bind:value=address, required=true)
                label(r#for="server-name") { (t("serverName")) }
                input(id="server-name", r#type="text", bind:value=name)
                label(r#for="server-key") { (t("serverKey")) }
                input(id="server-key", r#type="password", autocomplete="off", bind:value=key)
                (if plain_http.get() {
                    view! {
                        label(class="check") {
                            input(id="server-plain-http", r#type="checkbox", bind:checked=plain_http_ok)
                            (t("serverPlainHttpConfirm"))
                        }
                    }
                } else {
                    view! {}
                })
                button(r#type="submit", disabled=servers.busy.with(Option::is_some)) { (t("serverAdd")) }
            }
            (servers.error.get_clone().map(|error| {
                let code = format!("{:?}", error.code);
                let text = error_text(&error);
                view! { p(class="error", role="alert", data-code=code) { (text) } }
            }))
            ul(class="model-servers") {
                Keyed(
                    list=servers.list,
                    view=move |server| view! { ServerItem(servers=servers, server=server) },
                    key=|server| format!("{}|{}|{:?}", server.url, server.name, server.models),
                )
            }
        }
    }
}

#[component(inline_props)]
fn ServerItem(servers: Servers, server: ModelServer) -> View {
    let url = server.url.clone();
    let models = server
        .models
        .iter()
        .map(|m| {
            let context = m
                .context
                .map(|c| t_with("serverContext", &[&number(f64::from(c), 0)]))
                .unwrap_or_else(|| t("serverContextUnknown"));
            let id = m.id.clone();
            let shown = m.id.clone();
            view! { li(class="server-model", data-model=id) { code { (shown) } " · " (context) } }
        })
        .collect::<Vec<_>>();
    let list = if models.is_empty() {
        view! { p(class="muted") { (t("serverNoModels")) } }
    } else {
        view! { ul(class="server-models") { (models) } }
    };
    let refresh_url = url.clone();
    let refresh_name = server.name.clone();
    let remove_url = url.clone();
    let shown_url = url.clone();
    let name = server.name.clone();
    view! {
        li(class="model-server", data-url=url) {
            p {
                strong { (name) } " " span(class="muted") { (shown_url) }
            }
            (list)
            button(class="secondary", r#type="button", disabled=servers.busy.with(Option::is_some),
                   on:click=move |_| servers.refresh(refresh_url.clone(), refresh_name.clone())) { (t("serverRefresh")) }
            " "
            button(class="secondary danger-text", r#type="button",
                   on:click=move |_| servers.remove(remove_url.clone())) { (t("remove")) }
        }
    }
}
