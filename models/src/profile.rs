//! Where a forward pass spends its time, per operation of the graph (matmuls by role, norms,
//! RoPE, attention, the feed-forward activation, the logits' copy, sampling). Off unless a
//! caller records (`record`, `Recording`): then each op's calls and time are summed by name on the calling
//! thread (work a matmul hands to rayon's pool counts in its caller's span). Off, a span is one
//! relaxed atomic load.
//!
//! The clock is the host's: `Instant` natively, while the browser worker sets one that reads
//! `performance.now()` (`std::time::Instant` does not exist on wasm32-unknown-unknown).

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::Serialize;

/// One operation's share of a recording.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OpTime {
    /// The op, by llama.cpp's graph names where it has one (`attn_qkv` groups Q, K and V).
    pub op: &'static str,
    pub calls: u32,
    pub ms: f64,
}

/// A recording: the ops, most expensive first, and the wall time around them.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Profile {
    pub ops: Vec<OpTime>,
    /// Everything the recording ran, spans or not (the difference is untimed glue).
    pub total_ms: f64,
}

static ON: AtomicBool = AtomicBool::new(false);
static TIMES: Mutex<Vec<OpTime>> = Mutex::new(Vec::new());
static CLOCK: Mutex<Option<fn() -> f64>> = Mutex::new(None);

/// Sets the clock (milliseconds from any fixed origin) spans read.
pub fn set_clock(clock: fn() -> f64) {
    *lock(&CLOCK) = Some(clock);
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn now(clock: Option<fn() -> f64>) -> f64 {
    match clock {
        Some(clock) => clock(),
        None => default_clock(),
    }
}

#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
fn default_clock() -> f64 {
    use std::sync::OnceLock;
    use std::time::Instant;
    static ORIGIN: OnceLock<Instant> = OnceLock::new();
    ORIGIN.get_or_init(Instant::now).elapsed().as_secs_f64() * 1000.0
}

/// No clock in the browser until the host sets one: nothing is timed.
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
fn default_clock() -> f64 {
    0.0
}

/// Runs `f` with spans recording, and returns what it measured.
pub fn record<T>(f: impl FnOnce() -> T) -> (T, Profile) {
    let recording = Recording::start();
    let out = f();
    (out, recording.finish())
}

/// A recording in progress (for work that awaits between steps, which `record` cannot wrap).
/// Recordings do not nest; one running while another does (another thread) shares its table.
/// Dropped without `finish` (the work failed or was cancelled), it still turns the spans off, so
/// an abandoned recording never leaves the hot path timing itself.
pub struct Recording {
    clock: Option<fn() -> f64>,
    start: f64,
}

impl Recording {
    /// Clears the table and turns the spans on.
    pub fn start() -> Recording {
        lock(&TIMES).clear();
        let clock = *lock(&CLOCK);
        ON.store(true, Ordering::Relaxed);
        Recording {
            clock,
            start: now(clock),
        }
    }

    /// Turns the spans off and returns the ops, most expensive first.
    pub fn finish(self) -> Profile {
        let total_ms = now(self.clock) - self.start;
        drop(self);
        let mut ops = std::mem::take(&mut *lock(&TIMES));
        ops.sort_by(|a, b| b.ms.total_cmp(&a.ms));
        Profile { ops, total_ms }
    }
}

impl Drop for Recording {
    fn drop(&mut self) {
        ON.store(false, Ordering::Relaxed);
    }
}

/// Times the rest of the scope (until the returned guard drops) as `op`.
pub(crate) fn span(op: &'static str) -> Span {
    if !ON.load(Ordering::Relaxed) {
        return Span(None);
    }
    let clock = *lock(&CLOCK);
    Span(Some(Open {
        op,
        clock,
        start: now(clock),
    }))
}

/// `f()`, timed as `op`.
pub(crate) fn timed<T>(op: &'static str, f: impl FnOnce() -> T) -> T {
    let _span = span(op);
    f()
}

/// An open span; dropping it adds its time to its op.
pub(crate) struct Span(Option<Open>);

/// What an open span needs when it closes.
#[derive(Clone, Copy)]
struct Open {
    op: &'static str,
    clock: Option<fn() -> f64>,
    start: f64,
}

impl Drop for Span {
    fn drop(&mut self) {
        let Some(Open { op, clock, start }) = self.0 else {
            return;
        };
        let ms = now(clock) - start;
        let mut times = lock(&TIMES);
        match times.iter_mut().find(|t| t.op == op) {
            Some(t) => {
                t.calls += 1;
                t.ms += ms;
            }
            None => times.push(OpTime { op, calls: 1, ms }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_sum_by_op_only_while_recording_and_stop_with_it() {
        drop(span("outside"));
        let ((), p) = record(|| {
            for _ in 0..3 {
                let _s = span("a");
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
            let _s = span("b");
        });
        assert_eq!(p.ops.len(), 2, "{p:?}");
        assert_eq!((p.ops[0].op, p.ops[0].calls), ("a", 3));
        assert!(p.ops[0].ms >= 6.0, "{p:?}");
        assert_eq!((p.ops[1].op, p.ops[1].calls), ("b", 1));
        assert!(p.total_ms >= p.ops[0].ms);
        // One test, not two: the table is global and tests run in parallel.
        drop(Recording::start());
        drop(span("after"));
        let ((), p) = record(|| {});
        assert!(p.ops.is_empty(), "{p:?}");
        let recording = Recording::start();
        drop(recording);
        assert!(span("late").0.is_none());
    }
}
