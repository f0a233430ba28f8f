//! The engine status card: what the model runtime sees, fetched through background -> offscreen
//! document -> worker and back.

use protocol::{EngineInfo, Request, Response};
use sycamore::prelude::*;

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
            Ok(_) => Fetch::Failed(protocol::LanternError::new(
                protocol::ErrorCode::Internal,
                "the engine answered something else",
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
            h2(id="engine-heading") { "Engine" }
            (match state.engine.get_clone() {
                Fetch::Loading => view! { p(class="muted", role="status") { "Starting the engine…" } },
                Fetch::Ready(info) => facts(info),
                Fetch::Failed(error) => view! {
                    p(class="error", role="alert", data-code=format!("{:?}", error.code)) {
                        (error.message.clone())
                    }
                },
            })
            button(class="secondary", on:click=move |_| check(state)) { "Check again" }
        }
    }
}

fn yes_no(value: bool) -> &'static str {
    if value { "yes" } else { "no" }
}

fn facts(info: EngineInfo) -> View {
    let worker = info.worker;
    let memory = format!("{:.1} MB", worker.wasm_memory_bytes as f64 / 1_048_576.0);
    let rows = vec![
        (
            "SIMD128",
            "simd128",
            yes_no(worker.simd128_compiled && worker.simd128_supported).to_string(),
        ),
        (
            "Isolated (document)",
            "offscreen_isolated",
            yes_no(info.offscreen.cross_origin_isolated).to_string(),
        ),
        (
            "Isolated (worker)",
            "worker_isolated",
            yes_no(worker.context.cross_origin_isolated).to_string(),
        ),
        (
            "CPU threads",
            "threads",
            worker.context.hardware_concurrency.to_string(),
        ),
        ("Engine memory", "memory", memory),
        ("Version", "version", worker.engine_version),
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
