//! `cargo xtask bench WHAT`: benchmarks, each reporting ratios against a peer measured in the
//! same run; one module per benchmark.

pub mod llm;
pub mod stt;
pub mod summarize;
