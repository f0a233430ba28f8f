//! The threads an engine worker computes with: a rayon pool whose threads are Web Workers started
//! from this worker (wasm-bindgen-rayon), sharing its memory, one per core unless the user's
//! "Engine threads" setting asks for fewer. It must start before anything uses rayon: the first
//! use would fix rayon's global pool at the one thread of a context without threads.
//!
//! The worker computes alone, and says why, when it serves no engine that computes (the model
//! cache), when the engine was built without atomics (the stable builds: tests, clippy), when it
//! is not cross-origin isolated (no shared memory), or when the pool does not start.

use protocol::{ContextInfo, Engine, ThreadCount, WorkerThreads};

fn alone(why: ThreadCount) -> WorkerThreads {
    WorkerThreads { count: 1, why }
}

/// Starts the worker's pool, if it should have one, and says how many threads it computes with.
pub async fn start(engine: Option<Engine>, context: &ContextInfo) -> WorkerThreads {
    if !matches!(
        engine,
        Some(Engine::Llm | Engine::Stt | Engine::Tts | Engine::Vision)
    ) {
        return alone(ThreadCount::NotNeeded);
    }
    if !cfg!(target_feature = "atomics") {
        return alone(ThreadCount::NotBuilt);
    }
    if !context.cross_origin_isolated {
        return alone(ThreadCount::NotIsolated);
    }
    let cores = context.hardware_concurrency.max(1);
    let limit = crate::thread_limit::read().await;
    let wanted = limit.map_or(cores, |limit| limit.clamp(1, cores));
    let why = if wanted < cores {
        ThreadCount::Limited
    } else {
        ThreadCount::AllCores
    };
    match pool::start(wanted).await {
        Ok(count) => WorkerThreads { count, why },
        Err(message) => alone(ThreadCount::Failed { message }),
    }
}

#[cfg(target_feature = "atomics")]
mod pool {
    use std::pin::pin;

    use futures_util::future::{Either, select};
    use wasm_bindgen_futures::JsFuture;

    /// How long the pool's workers may take to start; they only instantiate the module this
    /// worker already compiled, which takes well under a second.
    const START_TIMEOUT_MS: u32 = 30_000;

    /// A pool of `threads` Web Workers (none for one thread: the worker itself is that thread),
    /// and the threads rayon then reports.
    pub async fn start(threads: u32) -> Result<u32, String> {
        if threads > 1 {
            let started = pin!(JsFuture::from(wasm_bindgen_rayon::init_thread_pool(
                threads as usize
            )));
            let timeout = pin!(gloo_timers::future::TimeoutFuture::new(START_TIMEOUT_MS));
            match select(started, timeout).await {
                Either::Left((Ok(_), _)) => {}
                Either::Left((Err(error), _)) => {
                    return Err(format!("the thread pool did not start: {error:?}"));
                }
                Either::Right(_) => {
                    return Err(format!(
                        "the thread pool's workers did not start within {} s",
                        START_TIMEOUT_MS / 1000
                    ));
                }
            }
        }
        Ok(rayon::current_num_threads() as u32)
    }
}

#[cfg(not(target_feature = "atomics"))]
mod pool {
    /// Unreachable: a build without atomics computes alone before asking for a pool.
    pub async fn start(_threads: u32) -> Result<u32, String> {
        Ok(1)
    }
}
