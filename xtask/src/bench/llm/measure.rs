//! What every runner of `bench llm` reports: one record per run, and the medians over runs.

use serde::{Deserialize, Serialize};

/// One reply: the runner's own count of tokens and its own timings.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Run {
    pub prompt_tokens: usize,
    /// Prompt tokens evaluated (the whole prompt: every run starts from an empty cache).
    pub prefill_tokens: usize,
    pub generated_tokens: usize,
    pub prefill_tokens_per_s: f64,
    pub decode_tokens_per_s: f64,
}

/// The runs of one runner on one model file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Measure {
    /// `native` (ours), `wasm` (our worker in the extension), `wllama` or `llamacpp` (native).
    pub runner: String,
    /// Quantization label of the file: Q4_1, Q4_K_M, Q8_0.
    pub model: String,
    pub threads: usize,
    pub runs: Vec<Run>,
    /// Our wasm worker's linear memory after the runs (it never shrinks: the high-water mark).
    #[serde(default)]
    pub peak_wasm_bytes: Option<u64>,
    /// Seconds our worker took to load the model from IndexedDB (a new worker included).
    #[serde(default)]
    pub load_seconds: Option<f64>,
    /// The model file's size, for the load rate.
    #[serde(default)]
    pub model_bytes: Option<u64>,
    /// Our worker's per-op time of one more (untimed) reply.
    #[serde(default)]
    pub profile: Option<Profile>,
}

/// Where a reply's time went in our worker, per operation (`ChatReply.profile`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Profile {
    pub prefill: protocol::StepProfile,
    pub decode: protocol::StepProfile,
    pub prefill_tokens: usize,
    pub decode_tokens: usize,
}

impl Measure {
    pub fn prefill(&self) -> f64 {
        median(self.runs.iter().map(|r| r.prefill_tokens_per_s).collect())
    }

    pub fn decode(&self) -> f64 {
        median(self.runs.iter().map(|r| r.decode_tokens_per_s).collect())
    }
}

pub fn median(mut values: Vec<f64>) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if !values.len().is_multiple_of(2) {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::median;

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(vec![4.0, 1.0, 3.0, 2.0]), 2.5);
        assert!(median(Vec::new()).is_nan());
    }
}
