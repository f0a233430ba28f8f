//! The engine status card: what the model runtime sees, fetched through background -> offscreen
//! document -> worker and back.

use protocol::{EngineInfo, Request, Response};
use sycamore::prelude::*;

use super::error_text::error_text;
use crate::i18n::{number, t, t_with};
use crate::state::{AppState, Fetch, client};

/// Asks the engine for its facts and stores the answer.
fn check(state: AppState) {
    state.engine.set(Fetch::Loading);
    let client = client();
    wasm_bindgen_futures::spawn_local(async move {
        let result = client.call(Request::EngineInfo).await;
        state.engine.set(match result {
            Ok(Response::EngineInfo(info)) => {
                state.engine_checks.update(|n| *n += 1);
                Fetch::Ready(info)
            }
            Ok(_) => Fetch::Failed(super::error_text::ui_error(
                protocol::ErrorCode::Internal,
                t("engineAnsweredElse"),
            )),
            Err(error) => Fetch::Failed(error),
        });
    });
}

#[component]
pub fn EngineCard() -> View {
    let state = use_context::<AppState>();
    on_mount(move || check(state));
    let status = move || match state.engine.get_clone() {
        Fetch::Loading => "loading",
        Fetch::Ready(_) => "ready",
        Fetch::Failed(_) => "error",
    };
    view! {
        section(class="card", aria-labelledby="engine-heading", data-state=status(),
                data-checks=state.engine_checks.get().to_string()) {
            h2(id="engine-heading") { (t("engineHeading")) }
            (match state.engine.get_clone() {
                Fetch::Loading => view! { p(class="muted", role="status") { (t("engineStarting")) } },
                Fetch::Ready(info) => facts(info),
                Fetch::Failed(error) => {
                    let text = error_text(&error);
                    view! {
                        p(class="error", role="alert", data-code=format!("{:?}", error.code)) { (text) }
                    }
                }
            })
            button(class="secondary", on:click=move |_| check(state)) { (t("checkAgain")) }
        }
    }
}

fn yes_no(value: bool) -> String {
    if value { t("yes") } else { t("no") }
}

fn facts(info: EngineInfo) -> View {
    let worker = info.worker;
    let memory = t_with(
        "mebibytes",
        &[&number(worker.wasm_memory_bytes as f64 / 1_048_576.0, 1)],
    );
    let rows = vec![
        (
            "SIMD128".to_string(),
            "simd128",
            yes_no(worker.simd128_compiled && worker.simd128_supported),
        ),
        (
            t("factIsolatedDocument"),
            "offscreen_isolated",
            yes_no(info.offscreen.cross_origin_isolated),
        ),
        (
            t("factIsolatedWorker"),
            "worker_isolated",
            yes_no(worker.context.cross_origin_isolated),
        ),
        (
            t("factThreads"),
            "threads",
            worker.context.hardware_concurrency.to_string(),
        ),
        (t("factMemory"), "memory", memory),
        (t("factVersion"), "version", worker.engine_version),
    ];
    let items = rows
        .into_iter()
        .map(|(label, field, value)| {
            view! {
                div(class="fact") {
                    dt { (label) }
                    dd(data-field=field) { (value) }
                }
            }
        })
        .collect::<Vec<_>>();
    view! { dl(class="facts") { (items) } }
}
