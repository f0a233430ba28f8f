//! `cargo xtask bench WHAT`: benchmarks, each reporting ratios against a peer measured in the
//! same run; one module per benchmark.

pub mod llm;
pub mod stt;
pub mod summarize;
pub mod tts;

/// The thread counts asked for, or one and every core of this machine.
pub fn thread_counts(asked: &[usize]) -> Vec<usize> {
    let mut counts = if asked.is_empty() {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        vec![1, cores]
    } else {
        asked.to_vec()
    };
    counts.sort_unstable();
    counts.dedup();
    counts.retain(|&t| t > 0);
    counts
}
