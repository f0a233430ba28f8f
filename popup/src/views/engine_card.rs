//! The engine card (options page): what the model runtime sees, fetched through background ->
//! offscreen document -> workers and back; each running worker with its memory, the threads it
//! computes with and the models it holds, each with an Unload button that gives the memory back
//! to the browser; and the "Engine threads" setting.

use protocol::{Engine, EngineInfo, HeldModel, ThreadCount, WorkerStatus, WorkerThreads};
use sycamore::prelude::*;
use web_sys::Event;

use super::error_text::error_text;
use super::settings_card::select_value;
use crate::i18n::{number, t, t_with, tn};
use crate::state::{AppState, Fetch, client};

/// Asks the engine for its facts and stores the answer.
fn check(state: AppState) {
    state.engine.set(Fetch::Loading);
    wasm_bindgen_futures::spawn_local(async move {
        state.engine.set(match client().engine_info().await {
            Ok(info) => {
                state.engine_checks.update(|n| *n += 1);
                Fetch::Ready(info)
            }
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
                Fetch::Ready(info) => {
                    let facts = facts(&info);
                    let setting = thread_setting(state, &info);
                    let workers = workers(state, info.workers);
                    view! { (facts) (setting) (workers) }
                }
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

fn facts(info: &EngineInfo) -> View {
    let worker = info.worker.clone();
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

fn mebibytes(bytes: u64) -> String {
    t_with("mebibytes", &[&number(bytes as f64 / 1_048_576.0, 1)])
}

fn engine_name(engine: Engine) -> String {
    match engine {
        Engine::Models => t("workerModels"),
        Engine::Llm => t("workerLlm"),
        Engine::Stt => t("workerStt"),
        Engine::Tts => t("workerTts"),
        Engine::Embed => t("workerEmbed"),
        Engine::Vision => t("workerVision"),
    }
}

/// The "Engine threads" setting: every core, or fewer. A change ends the engine workers that
/// compute in parallel (a pool keeps the size it started with), so the next request starts them
/// with the new count; the card then checks the engine again.
fn thread_setting(state: AppState, info: &EngineInfo) -> View {
    let cores = info.worker.context.hardware_concurrency.max(1);
    let limit = info.thread_limit;
    // A limit saved on a machine with more cores stays a choice until it is changed.
    let mut choices: Vec<u32> = (1..cores).collect();
    if let Some(limit) = limit
        && !choices.contains(&limit)
    {
        choices.push(limit);
    }
    let saving = create_signal(false);
    let change = move |e: Event| {
        let threads = select_value(&e).parse::<u32>().ok();
        saving.set(true);
        wasm_bindgen_futures::spawn_local(async move {
            match client().set_engine_threads(threads).await {
                Ok(()) => check(state),
                Err(error) => state.engine.set(Fetch::Failed(error)),
            }
        });
    };
    let options = choices
        .into_iter()
        .map(|n| {
            let selected = limit == Some(n);
            view! { option(value=n.to_string(), selected=selected) { (number(f64::from(n), 0)) } }
        })
        .collect::<Vec<_>>();
    let all = tn("engineThreadsAll", u64::from(cores), &[]);
    view! {
        div(class="form engine-threads") {
            label(r#for="engine-threads") { (t("engineThreadsLabel")) }
            select(id="engine-threads", disabled=saving.get(), on:change=change) {
                option(value="", selected=limit.is_none()) { (all) }
                (options)
            }
        }
    }
}

/// What a worker computes with, in words, and the reason's wire name for tests.
fn threads_text(threads: &WorkerThreads) -> (String, &'static str) {
    let count = u64::from(threads.count);
    match &threads.why {
        ThreadCount::AllCores => (tn("workerThreadsAllCores", count, &[]), "all_cores"),
        ThreadCount::Limited => (tn("workerThreadsLimited", count, &[]), "limited"),
        ThreadCount::NotNeeded => (t("workerThreadsNotNeeded"), "not_needed"),
        ThreadCount::NotBuilt => (t("workerThreadsNotBuilt"), "not_built"),
        ThreadCount::NotIsolated => (t("workerThreadsNotIsolated"), "not_isolated"),
        ThreadCount::Failed { message } => {
            (t_with("workerThreadsFailed", &[message.as_str()]), "failed")
        }
    }
}

/// The running workers: memory, threads, and the models each holds with Unload.
fn workers(state: AppState, workers: Vec<WorkerStatus>) -> View {
    let total: u64 = workers.iter().map(|w| w.info.wasm_memory_bytes).sum();
    let rows = workers
        .into_iter()
        .map(|worker| {
            let engine = worker.engine.as_str();
            let memory = t_with(
                "workerMemory",
                &[
                    &mebibytes(worker.info.wasm_memory_bytes),
                    &mebibytes(worker.info.heap_bytes),
                ],
            );
            let (threads, why) = threads_text(&worker.info.threads);
            let thread_count = worker.info.threads.count.to_string();
            let models = if worker.info.models.is_empty() {
                view! { p(class="muted") { (t("workerHoldsNothing")) } }
            } else {
                let items = worker
                    .info
                    .models
                    .into_iter()
                    .map(|model| held(state, model))
                    .collect::<Vec<_>>();
                view! { ul(class="held-models") { (items) } }
            };
            view! {
                li(class="worker", data-engine=engine) {
                    h4 { (engine_name(worker.engine)) }
                    p(class="muted", data-field="worker-memory",
                      data-bytes=worker.info.wasm_memory_bytes.to_string(),
                      data-heap=worker.info.heap_bytes.to_string()) { (memory) }
                    p(class="muted", data-field="worker-threads", data-threads=thread_count,
                      data-why=why) { (threads) }
                    (models)
                }
            }
        })
        .collect::<Vec<_>>();
    view! {
        h3 { (t("engineWorkers")) }
        p(data-field="total-memory", data-bytes=total.to_string()) {
            (t_with("workersTotalMemory", &[&mebibytes(total)]))
        }
        ul(class="workers") { (rows) }
    }
}

/// One loaded model and its Unload button.
fn held(state: AppState, model: HeldModel) -> View {
    let unloading = create_signal(false);
    let model_id = model.model_id.clone();
    let unload = move |_| {
        unloading.set(true);
        let model_id = model_id.clone();
        wasm_bindgen_futures::spawn_local(async move {
            match client().unload_model(model_id).await {
                Ok(_) => check(state),
                Err(error) => {
                    unloading.set(false);
                    state.engine.set(Fetch::Failed(error));
                }
            }
        });
    };
    let label = t_with("unloadModelNamed", &[&model.model_id]);
    let text = format!(
        "{} · {}",
        model.model_id,
        crate::i18n::megabytes(model.bytes)
    );
    view! {
        li(class="held-model", data-model=model.model_id) {
            span { (text) }
            button(class="secondary", aria-label=label, disabled=unloading.get(), on:click=unload) {
                (t("unloadModel"))
            }
        }
    }
}
