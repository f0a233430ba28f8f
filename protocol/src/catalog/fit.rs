//! The chat model sized to the machine, for a first run with nothing chosen: the biggest chat
//! model whose memory need fits what the browser can spare and whose estimated decode speed
//! stays conversational. Read from the entries' own `ram_bytes` and the machine's facts, never
//! from model ids; the UI asks with its `ModelList`, tests with a `Catalog`.

use super::{Catalog, ModelEntry, Role, Task};

/// What wasm32 can address; a model at or past it cannot load.
pub const WASM_MEMORY_LIMIT: u64 = 4 * 1024 * 1024 * 1024;

/// Decode speed below which a chat feels stalled (tokens per second).
const MIN_DECODE_TOKENS_PER_S: f64 = 8.0;

/// Weight bytes one engine thread streams per second while decoding, when no probe measured
/// it: on one thread of a 2-core machine in `cargo xtask bench llm` (December 2026) the worker
/// decoded 4.8 (SmolLM2 Q4_1), 6.5 (Qwen2.5 0.5B, Q5_0 mostly) and 7.2 GB/s (Gemma 3 270M
/// Q4_K_M) of file per second, and its probe (`measure_engine_speed`, Q4_K products) read
/// ~3.4; the catalog's chat models are Q4_K_M, so the lower figure.
const BYTES_PER_S_PER_THREAD: f64 = 3.5e9;

/// How much a second and further thread adds to decode: 2–33 % for the second thread in the
/// same bench (one-row products of small models are split only when big enough to pay for
/// waking a thread).
const EXTRA_THREAD_GAIN: f64 = 0.25;

/// What is known of the machine the models run on.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Machine {
    /// The device's memory (the browser's `navigator.deviceMemory`, which rounds down and caps
    /// at 8 GiB), if it tells.
    pub memory_bytes: Option<u64>,
    /// Logical cores (`navigator.hardwareConcurrency`).
    pub cores: usize,
    /// Weight bytes per second the engine decodes at, if a probe measured it.
    pub decode_bytes_per_s: Option<f64>,
}

impl Machine {
    /// The memory a model may take: a quarter of the device's (the browser, the system and the
    /// user's other tabs keep the rest), 1 GiB when the browser does not tell, and always less
    /// than wasm32's 4 GiB.
    pub fn model_memory_budget(&self) -> u64 {
        let share = self.memory_bytes.map_or(1 << 30, |m| m / 4);
        share.min(WASM_MEMORY_LIMIT - (256 << 20))
    }

    /// Estimated decode speed of a model that reads `bytes` of weights per token.
    pub fn decode_tokens_per_s(&self, bytes: u64) -> f64 {
        let rate = self.decode_bytes_per_s.unwrap_or_else(|| {
            let threads = self.cores.clamp(1, 8) as f64;
            BYTES_PER_S_PER_THREAD * (1.0 + EXTRA_THREAD_GAIN * (threads - 1.0))
        });
        rate / bytes.max(1) as f64
    }

    /// Whether `entry` fits: its memory need within the budget, and fast enough. The weights
    /// read per token are the files' size when known, else the memory need (an overestimate).
    pub fn fits(&self, entry: &ModelEntry) -> bool {
        let weights = entry.total_size().unwrap_or(entry.ram_bytes);
        entry.ram_bytes <= self.model_memory_budget()
            && self.decode_tokens_per_s(weights) >= MIN_DECODE_TOKENS_PER_S
    }
}

impl Catalog {
    /// The chat model for a first run on `machine`: see [`chat_model_for`].
    pub fn chat_model_for(&self, machine: &Machine) -> Option<&ModelEntry> {
        chat_model_for(&self.models, machine)
    }
}

/// The biggest chat model (by memory need) that fits `machine`; when none fits, the smallest.
/// Ties keep catalog order. `M` is an entry, or an entry with its state (the UI's list).
pub fn chat_model_for<'a, M: AsRef<ModelEntry>>(
    models: &'a [M],
    machine: &Machine,
) -> Option<&'a M> {
    let chat: Vec<&M> = models
        .iter()
        .filter(|m| m.as_ref().task == Task::Llm && m.as_ref().role == Role::Model)
        .collect();
    let mut fitting = chat.iter().filter(|m| machine.fits(m.as_ref()));
    let first = fitting.next();
    match first {
        Some(first) => {
            let mut best = *first;
            for m in fitting {
                if m.as_ref().ram_bytes > best.as_ref().ram_bytes {
                    best = m;
                }
            }
            Some(best)
        }
        None => chat.into_iter().reduce(|best, m| {
            if m.as_ref().ram_bytes < best.as_ref().ram_bytes {
                m
            } else {
                best
            }
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GIB: u64 = 1 << 30;

    fn machine(memory_gib: u64, cores: usize) -> Machine {
        Machine {
            memory_bytes: Some(memory_gib * GIB),
            cores,
            decode_bytes_per_s: None,
        }
    }

    fn chosen(m: &Machine) -> String {
        Catalog::builtin()
            .chat_model_for(m)
            .expect("a chat model")
            .id
            .clone()
    }

    #[test]
    fn the_built_in_chat_models_carry_memory_needs_in_order_of_size() {
        let catalog = Catalog::builtin();
        let need = |id: &str| {
            catalog
                .models
                .iter()
                .find(|m| m.id == id)
                .unwrap_or_else(|| panic!("{id} in the catalog"))
                .ram_bytes
        };
        assert!(need("smollm2-135m-instruct-q4_1") < need("qwen2.5-0.5b-instruct-q4_k_m"));
        assert!(need("qwen2.5-0.5b-instruct-q4_k_m") < need("qwen3-0.6b-q4_k_m"));
        assert!(need("llama-3.2-1b-instruct-q4_k_m") < need("qwen2.5-1.5b-instruct-q4_k_m"));
        assert!(need("qwen2.5-1.5b-instruct-q4_k_m") < need("qwen3-1.7b-q4_k_m"));
        // Every one loads in wasm32.
        for m in catalog.models.iter().filter(|m| m.task == Task::Llm) {
            assert!(m.ram_bytes < WASM_MEMORY_LIMIT, "{}", m.id);
        }
    }

    #[test]
    fn a_small_machine_keeps_the_small_model_and_a_big_one_gets_more() {
        assert_eq!(chosen(&machine(4, 2)), "smollm2-135m-instruct-q4_1");
        // 8 GiB and 8 cores: a 2 GiB budget and ~6 GB/s, so the ~0.5 GB models are quick enough
        // and the 1.7B one is not.
        let big = chosen(&machine(8, 8));
        assert_ne!(big, "smollm2-135m-instruct-q4_1");
        assert_ne!(big, "qwen3-1.7b-q4_k_m");
        // A probe that measured a fast engine lifts the speed limit; memory still bounds it.
        let fast = Machine {
            decode_bytes_per_s: Some(40e9),
            ..machine(8, 8)
        };
        let catalog = Catalog::builtin();
        let fast_pick = catalog.chat_model_for(&fast).unwrap();
        let plain_pick = catalog.chat_model_for(&machine(8, 8)).unwrap();
        assert!(fast_pick.ram_bytes <= fast.model_memory_budget());
        assert!(fast_pick.ram_bytes > plain_pick.ram_bytes);
    }

    #[test]
    fn when_nothing_fits_the_smallest_is_offered() {
        let tiny = Machine {
            memory_bytes: Some(GIB / 4),
            cores: 1,
            decode_bytes_per_s: Some(1e6),
        };
        assert_eq!(chosen(&tiny), "smollm2-135m-instruct-q4_1");
    }

    #[test]
    fn the_budget_never_reaches_wasm32s_limit() {
        let huge = Machine {
            memory_bytes: Some(64 * GIB),
            cores: 16,
            decode_bytes_per_s: None,
        };
        assert!(huge.model_memory_budget() < WASM_MEMORY_LIMIT);
        assert_eq!(Machine::default().model_memory_budget(), GIB);
    }
}
