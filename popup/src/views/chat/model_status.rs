//! Which model answers, picked from the catalog's chat models, and what stands between it and
//! an answer: a download (progress, size, time left; cancel), loading, or nothing.

use protocol::{ModelState, ModelStatus};
use sycamore::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Event, HtmlSelectElement};

use super::super::error_text::error_text;
use super::session::{Chat, Download};
use crate::i18n::{megabytes, number, t, t_with};
use crate::model_servers;
use crate::state::Fetch;

/// "1 min 20 s left" from what remains and the current speed.
pub fn time_left(download: &Download) -> Option<String> {
    let total = download.total?;
    if download.bytes_per_s <= 0.0 || total <= download.bytes {
        return None;
    }
    let seconds = ((total - download.bytes) as f64 / download.bytes_per_s).ceil() as u64;
    let n = |value: u64| number(value as f64, 0);
    Some(match seconds {
        0..60 => t_with("leftSeconds", &[&n(seconds)]),
        60..3600 => t_with("leftMinutes", &[&n(seconds / 60), &n(seconds % 60)]),
        _ => t_with("leftHours", &[&n(seconds / 3600), &n(seconds % 3600 / 60)]),
    })
}

/// A model as the picker lists it: a model on this device by its name (Remove beside it says
/// it is here), another with its size and state.
fn option_label(model: &ModelStatus) -> String {
    let size = model.entry.total_size().map(megabytes).unwrap_or_default();
    match model.state {
        ModelState::Installed { .. } => model.entry.name.clone(),
        ModelState::Downloading { .. } => {
            format!("{} · {size} · {}", model.entry.name, t("modelDownloading"))
        }
        _ => format!(
            "{} · {size} · {}",
            model.entry.name,
            t("modelNotDownloaded")
        ),
    }
}

/// A server's model as the picker lists it: its name, and the server's name, which says that
/// answers come from there.
fn server_label(model: &str, server: &str) -> String {
    // A llama.cpp server names its model by the file's path: the file is what tells them apart.
    let short = model.rsplit('/').next().unwrap_or(model);
    t_with("serverModelOption", &[short, server])
}

/// The model picker: every chat model of the catalog, with its size and whether it is here,
/// then each model server's models under the server's name.
#[component(inline_props)]
pub fn ModelPicker(chat: Chat) -> View {
    let on_change = move |e: Event| {
        if let Some(select) = e
            .target()
            .and_then(|t| t.dyn_into::<HtmlSelectElement>().ok())
        {
            chat.choose_model(&select.value());
        }
    };
    view! {
        (if chat.models.with(Vec::len) > 1 || chat.servers.with(|s| s.iter().any(|s| !s.models.is_empty())) {
            let chosen = chat.served.with(|s| s.as_ref().map(|(s, m)| model_servers::choice_id(&s.url, &m.id)))
                .or_else(|| chat.model.with(|m| m.as_ref().map(|m| m.entry.id.clone())))
                .unwrap_or_default();
            let chosen_here = chosen.clone();
            let groups = chat.servers.get_clone().into_iter().filter(|s| !s.models.is_empty()).map(|server| {
                let chosen = chosen_here.clone();
                let options = server.models.iter().map(|m| {
                    let value = model_servers::choice_id(&server.url, &m.id);
                    let selected = value == chosen;
                    let label = server_label(&m.id, &server.name);
                    view! { option(value=value, selected=selected) { (label) } }
                }).collect::<Vec<_>>();
                let group = server.name.clone();
                view! { optgroup(label=group) { (options) } }
            }).collect::<Vec<_>>();
            view! {
                select(class="model-picker", aria-label=t("modelLabel"), disabled=chat.busy(), on:change=on_change) {
                    (chat.models.get_clone().into_iter().map(|m| {
                        let selected = m.entry.id == chosen;
                        let label = option_label(&m);
                        view! { option(value=m.entry.id.clone(), selected=selected) { (label) } }
                    }).collect::<Vec<_>>())
                    (groups)
                }
            }
        } else {
            view! {}
        })
    }
}

#[component(inline_props)]
pub fn ModelStatusLine(chat: Chat) -> View {
    view! {
        (status(chat))
    }
}

fn status(chat: Chat) -> View {
    if let Some((server, model)) = chat.served.get_clone() {
        let context = model
            .context
            .map(|c| t_with("serverContext", &[&number(f64::from(c), 0)]))
            .unwrap_or_default();
        let text = t_with("answersFromServer", &[&server.name, &server.url]);
        return view! {
            div(class="model-status", data-state="server") {
                p(class="muted", title=context) { (text) }
            }
        };
    }
    let Some(model) = chat.model.get_clone() else {
        return match chat.list.list.get_clone() {
            Fetch::Loading => view! { p(class="muted", role="status") { (t("lookingForModel")) } },
            Fetch::Ready(_) => view! { p(class="error", role="alert") { (t("noChatModel")) } },
            Fetch::Failed(error) => {
                let text = error_text(&error);
                view! {
                    div(class="error-box", role="alert", data-code=format!("{:?}", error.code)) {
                        p(class="error") { (text) }
                        button(class="secondary", r#type="button", on:click=move |_| chat.list.refresh()) { (t("retry")) }
                    }
                }
            }
        };
    };
    let name = model.entry.name.clone();
    let details = t_with(
        "modelDetails",
        &[
            &model.entry.total_size().map(megabytes).unwrap_or_default(),
            &megabytes(model.entry.ram_bytes),
            &model.entry.license,
        ],
    );
    if let Some(download) = chat.download.get() {
        let total = download.total.unwrap_or(0);
        let done = t_with(
            "bytesOfTotal",
            &[
                &megabytes(download.bytes),
                &if total > 0 {
                    megabytes(total)
                } else {
                    "?".into()
                },
            ],
        );
        let left = time_left(&download).unwrap_or_default();
        let id = model.entry.id.clone();
        return view! {
            div(class="model-status", data-state="downloading") {
                p(role="status") { (t_with("downloadingModel", &[&name, &done])) " " span(class="muted") { (left) } }
                progress(max=total.to_string(), value=download.bytes.to_string(), aria-label=t("modelDownloadLabel"))
                button(class="secondary", r#type="button", on:click=move |_| chat.cancel_download(id.clone())) { (t("cancelDownload")) }
            }
        };
    }
    if let Some((done, total)) = chat.loading.get() {
        let percent = (done * 100).checked_div(total).unwrap_or(0);
        return view! {
            div(class="model-status", data-state="loading") {
                p(role="status") { (t_with("loadingModel", &[&name, &number(percent as f64, 0)])) }
                progress(max=total.to_string(), value=done.to_string(), aria-label=t("modelLoadingLabel"))
            }
        };
    }
    match model.state {
        ModelState::Installed { .. } => {
            let id = model.entry.id.clone();
            // With a picker beside it, the picker names the model, and Remove says it is here.
            let named = chat.models.with(Vec::len) <= 1;
            view! {
                div(class="model-status", data-state="ready") {
                    p(class="muted", title=details) {
                        (if named { view! { (name.clone()) " · " (t("modelOnDevice")) " " } } else { view! {} })
                        (if chat.confirm_remove.get() {
                            let id = id.clone();
                            view! {
                                button(class="link danger-text", r#type="button", on:click=move |_| chat.remove_model(id.clone())) { (t("removeItNow")) }
                                " "
                                button(class="link", r#type="button", on:click=move |_| chat.confirm_remove.set(false)) { (t("keepIt")) }
                            }
                        } else {
                            view! {
                                button(class="link", r#type="button", aria-label=t("removeModelLabel"),
                                       disabled=chat.busy(), on:click=move |_| chat.confirm_remove.set(true)) { (t("remove")) }
                            }
                        })
                    }
                }
            }
        }
        ModelState::Downloading { .. } => {
            let id = model.entry.id.clone();
            view! {
                div(class="model-status", data-state="downloading") {
                    p(role="status") { (t_with("modelIsDownloading", &[&name])) }
                    button(r#type="button", on:click=move |_| chat.download(id.clone())) { (t("showProgress")) }
                }
            }
        }
        _ => {
            let id = model.entry.id.clone();
            view! {
                div(class="model-status", data-state="missing") {
                    p { (t_with("chatNeedsModel", &[&name, &details])) }
                    button(r#type="button", on:click=move |_| chat.download(id.clone())) { (t("downloadModel")) }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_left_reads_naturally() {
        let at = |bytes, total, speed| Download {
            bytes,
            total: Some(total),
            bytes_per_s: speed,
        };
        assert_eq!(time_left(&at(0, 100, 10.0)).as_deref(), Some("10 s left"));
        assert_eq!(
            time_left(&at(0, 800, 10.0)).as_deref(),
            Some("1 min 20 s left")
        );
        assert_eq!(
            time_left(&at(0, 36_600, 10.0)).as_deref(),
            Some("1 h 1 min left")
        );
        assert_eq!(time_left(&at(5, 100, 0.0)), None);
    }
}
