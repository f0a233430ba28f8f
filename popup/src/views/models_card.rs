//! The model manager: the catalog's models with size, memory, license and state; download with
//! progress, cancel, delete, clear all, import from a file, and the catalog's source.

use std::collections::HashMap;
use std::future::Future;

use protocol::{LanternError, ModelList, ModelState, ModelStatus, Role};
use sycamore::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;

use super::boundary::fault;
use super::error_text::error_text;
use crate::downloads;
use crate::i18n::{megabytes, number, t, t_with};
use crate::import::{self, Picked};
use crate::model_list::{self, Models};
use crate::state::{AppState, Fetch, client};

/// Bytes, total and speed of each download this page follows.
type Downloads = HashMap<String, (u64, Option<u64>, f64)>;

#[derive(Clone, Copy)]
struct Card {
    /// The page's model list.
    models: Models,
    downloads: Signal<Downloads>,
    notice: Signal<Option<LanternError>>,
    importing: Signal<Option<(u64, u64)>>,
}

impl Card {
    /// Runs a request that answers `done`, shows its error if any, then reads the list again.
    fn act(self, request: impl Future<Output = Result<(), LanternError>> + 'static) {
        wasm_bindgen_futures::spawn_local(async move {
            if let Err(error) = request.await {
                self.notice.set(Some(error));
            }
            self.models.refresh();
        });
    }

    fn download(self, model_id: String) {
        self.notice.set(None);
        self.models.refresh();
        wasm_bindgen_futures::spawn_local(async move {
            let id = model_id.clone();
            let progress = move |bytes, total, speed| {
                self.downloads.update(|d| {
                    d.insert(id.clone(), (bytes, total, speed));
                })
            };
            if let Err(error) = downloads::follow(self.models, model_id.clone(), progress).await {
                self.notice.set(Some(error));
            }
            self.downloads.update(|d| {
                d.remove(&model_id);
            });
        });
    }

    fn import(self, input: HtmlInputElement) {
        let Some(files) = input.files() else { return };
        let picked: Vec<Picked> = (0..files.length())
            .filter_map(|i| files.get(i))
            .map(Picked::new)
            .collect();
        input.set_value("");
        if picked.is_empty() {
            return;
        }
        self.notice.set(None);
        self.importing.set(Some((0, 1)));
        wasm_bindgen_futures::spawn_local(async move {
            let progress = move |done, total| self.importing.set(Some((done, total)));
            if let Err(error) = import::import(picked, &progress).await {
                self.notice.set(Some(error));
            }
            self.importing.set(None);
            self.models.refresh();
        });
    }
}

fn percent(bytes: u64, total: Option<u64>) -> String {
    total.filter(|t| *t > 0).map_or_else(
        || megabytes(bytes),
        |t| t_with("percent", &[&number(bytes as f64 * 100.0 / t as f64, 0)]),
    )
}

#[component]
pub fn ModelsCard() -> View {
    let card = Card {
        models: use_context::<AppState>().models,
        downloads: create_signal(HashMap::new()),
        notice: create_signal(None),
        importing: create_signal(None),
    };
    // Read before the watch below starts, so a failure of an earlier read is not reported
    // again as this card's (Retry builds the card afresh and reads again).
    card.models.ensure();
    // Without the list the card is useless: a list that cannot be read is the boundary's.
    if let Some(fault) = fault() {
        create_effect(move || {
            if let Fetch::Failed(error) = card.models.list.get_clone() {
                fault.fail(error);
            }
        });
    }
    let catalog_input = create_node_ref();
    let folder_input = create_node_ref();
    on_mount(move || {
        // `webkitdirectory` (pick a whole folder) has no typed attribute in Sycamore.
        if let Ok(input) = folder_input.get().dyn_into::<web_sys::Element>() {
            let _ = input.set_attribute("webkitdirectory", "");
        }
    });
    let set_catalog = move |url: Option<String>| {
        card.notice.set(None);
        card.act(async move { client().set_catalog_url(url).await });
    };
    view! {
        section(class="card", aria-labelledby="models-heading",
                data-state=match card.models.list.get_clone() { Fetch::Loading => "loading", Fetch::Ready(_) => "ready", Fetch::Failed(_) => "error" }) {
            h2(id="models-heading") { (t("modelsHeading")) }
            (match card.notice.get_clone() {
                Some(error) => {
                    let text = error_text(&error);
                    view! {
                        p(class="error", role="alert", data-code=format!("{:?}", error.code)) { (text) }
                    }
                }
                None => view! {},
            })
            (match card.models.list.get_clone() {
                Fetch::Loading => view! { p(class="muted", role="status") { (t("readingModelList")) } },
                Fetch::Failed(error) => {
                    let text = error_text(&error);
                    view! { p(class="error", role="alert") { (text) } }
                }
                Fetch::Ready(list) => model_table(card, list),
            })
            (match card.importing.get() {
                Some((done, total)) => view! {
                    p(role="status") { (t_with("importing", &[&percent(done, Some(total))])) }
                },
                None => view! {},
            })
            div(class="actions") {
                label(class="button secondary") {
                    (t("importGguf"))
                    input(r#type="file", accept=".gguf", class="visually-hidden",
                          on:change=move |e: web_sys::Event| {
                              if let Some(input) = e.target().and_then(|t| t.dyn_into::<HtmlInputElement>().ok()) {
                                  card.import(input);
                              }
                          })
                }
                label(class="button secondary") {
                    (t("importSafetensors"))
                    input(r#ref=folder_input, r#type="file", class="visually-hidden",
                          on:change=move |e: web_sys::Event| {
                              if let Some(input) = e.target().and_then(|t| t.dyn_into::<HtmlInputElement>().ok()) {
                                  card.import(input);
                              }
                          })
                }
                button(class="secondary", on:click=move |_| {
                    card.notice.set(None);
                    card.act(async { client().clear_models().await });
                }) { (t("deleteAllModels")) }
            }
            details {
                summary { (t("whereModelsComeFrom")) }
                p(class="muted") { (t("catalogExplained")) }
                div(class="actions") {
                    input(r#ref=catalog_input, r#type="url", aria-label=t("catalogUrl"),
                          placeholder="http://127.0.0.1:8799/catalog.json",
                          value=match card.models.list.get_clone() { Fetch::Ready(l) => l.catalog_url.unwrap_or_default(), _ => String::new() })
                    button(class="secondary", on:click=move |_| {
                        let value = catalog_input
                            .get()
                            .dyn_into::<HtmlInputElement>()
                            .map(|i| i.value())
                            .unwrap_or_default();
                        set_catalog((!value.trim().is_empty()).then(|| value.trim().to_string()));
                    }) { (t("useThisCatalog")) }
                }
            }
        }
    }
}

fn model_table(card: Card, list: ModelList) -> View {
    let warning = list.catalog_warning.clone();
    let storage = t_with(
        "storageUsed",
        &[
            &megabytes(list.storage_usage),
            &megabytes(list.storage_quota),
        ],
    );
    let rows = model_list::of(&list, None, Some(Role::Model))
        .into_iter()
        .map(|status| model_row(card, status))
        .collect::<Vec<_>>();
    view! {
        (match warning.clone() {
            // The engine's only warning: the catalog could not be refreshed (its reason, English).
            Some(w) => view! {
                p(class="muted", role="status") {
                    (t("catalogStale")) " " span(class="error-detail", lang="en") { (w) }
                }
            },
            None => view! {},
        })
        ul(class="models") { (rows) }
        p(class="muted") { (storage) }
    }
}

fn model_row(card: Card, status: ModelStatus) -> View {
    let entry = status.entry;
    let id = entry.id.clone();
    let size = entry
        .total_size()
        .map_or_else(|| t("sizeUnknown"), megabytes);
    let facts = t_with(
        "modelFacts",
        &[
            entry.task.as_str(),
            &size,
            &megabytes(entry.ram_bytes),
            &entry.license,
        ],
    );
    let (download_id, cancel_id, delete_id) = (id.clone(), id.clone(), id.clone());
    let name = entry.name.clone();
    let state_view = move || {
        if let Some((bytes, total, speed)) = card.downloads.with(|d| d.get(&id).copied()) {
            return downloading(card, &cancel_id, &name, bytes, total, speed);
        }
        match &status.state {
            ModelState::Downloading { bytes, total } => {
                downloading(card, &cancel_id, &name, *bytes, *total, 0.0)
            }
            ModelState::Installed {
                update_available, ..
            } => {
                let (delete_id, download_id) = (delete_id.clone(), download_id.clone());
                let update = if *update_available {
                    view! { button(on:click=move |_| card.download(download_id.clone())) { (t("update")) } }
                } else {
                    view! {}
                };
                view! {
                    span(class="installed") { (t("installed")) }
                    (update)
                    button(class="secondary", on:click=move |_| {
                        let id = delete_id.clone();
                        card.act(async move { client().delete_model(id).await })
                    }) { (t("delete")) }
                }
            }
            ModelState::Partial { bytes, total } => {
                let (download_id, delete_id) = (download_id.clone(), delete_id.clone());
                let label = t_with("pausedAt", &[&percent(*bytes, *total)]);
                view! {
                    span(class="muted") { (label) }
                    button(on:click=move |_| card.download(download_id.clone())) { (t("resume")) }
                    button(class="secondary", on:click=move |_| {
                        let id = delete_id.clone();
                        card.act(async move { client().delete_model(id).await })
                    }) { (t("delete")) }
                }
            }
            ModelState::Available => {
                let download_id = download_id.clone();
                view! { button(on:click=move |_| card.download(download_id.clone())) { (t("download")) } }
            }
        }
    };
    view! {
        li(class="model", data-model=entry.id.clone()) {
            div {
                strong { (entry.name.clone()) }
                div(class="muted") { (facts) }
            }
            div(class="model-state") { (state_view) }
        }
    }
}

/// A download's progress bar, percentage, time left and cancel button.
fn downloading(
    card: Card,
    id: &str,
    name: &str,
    bytes: u64,
    total: Option<u64>,
    speed: f64,
) -> View {
    let left = total
        .filter(|_| speed > 0.0)
        .map(|total| {
            let seconds = (total.saturating_sub(bytes) as f64 / speed).ceil();
            format!(", {}", t_with("leftSeconds", &[&number(seconds, 0)]))
        })
        .unwrap_or_default();
    let id = id.to_string();
    let label = t_with("downloadingName", &[name]);
    view! {
        progress(max=total.unwrap_or(0).to_string(), value=bytes.to_string(), aria-label=label)
        span(class="muted") { (t_with("downloadingPercent", &[&percent(bytes, total)])) (left) }
        button(class="secondary", on:click=move |_| {
        let id = id.clone();
        card.act(async move { client().cancel_download(id).await })
    }) { (t("cancel")) }
    }
}
