//! The quantized matmul's speed per GGUF type, one thread, on the shapes of a chat model's
//! feed-forward matrix: one input row (a decode step) and 32 (a prefill step). It prints one JSON
//! line per case. Arguments (all optional): a type name or `all`, then rows and columns.
//! `cargo run --release -p models --example qmatmul_speed` natively; for the engine's
//! arithmetic, build it for `wasm32-wasip1` with `RUSTFLAGS="-C target-feature=+simd128"` and
//! run it under Node's `node:wasi` (same V8 as Chromium's workers).

use std::time::{Duration, Instant};

use candle_core::quantized::{GgmlDType, QTensor};
use candle_core::{Device, Tensor};
use models::QMatrix;

const TYPES: [(GgmlDType, &str); 8] = [
    (GgmlDType::Q4_0, "Q4_0"),
    (GgmlDType::Q4_1, "Q4_1"),
    (GgmlDType::Q5_0, "Q5_0"),
    (GgmlDType::Q5_1, "Q5_1"),
    (GgmlDType::Q8_0, "Q8_0"),
    (GgmlDType::Q4K, "Q4_K"),
    (GgmlDType::Q5K, "Q5_K"),
    (GgmlDType::Q6K, "Q6_K"),
];

/// Llama 3.2 1B's hidden size by half its feed-forward width: the weights (4–9 MB) leave the
/// caches, as a model's do.
const ROWS: usize = 4096;
const COLS: usize = 2048;

/// Seeded values in [-1, 1).
fn values(n: usize, seed: u32) -> Vec<f32> {
    let mut state = seed;
    (0..n)
        .map(|_| {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (state >> 8) as f32 / (1u32 << 24) as f32 * 2.0 - 1.0
        })
        .collect()
}

/// Median seconds of one `f()` over runs filling about `budget`.
fn median_secs(budget: Duration, mut f: impl FnMut()) -> f64 {
    f();
    let mut times = Vec::new();
    let start = Instant::now();
    while start.elapsed() < budget || times.len() < 5 {
        let t = Instant::now();
        f();
        times.push(t.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let filter = args.first().filter(|f| *f != "all");
    let rows = args.get(1).map_or(Ok(ROWS), |r| r.parse())?;
    let cols = args.get(2).map_or(Ok(COLS), |c| c.parse())?;
    let w = Tensor::from_vec(values(rows * cols, 7), (rows, cols), &Device::Cpu)?;
    for (dtype, name) in TYPES {
        if filter.is_some_and(|f| f != name) {
            continue;
        }
        let m = QMatrix::from_qtensor(&QTensor::quantize(&w, dtype)?)?
            .ok_or("a type the kernels handle")?;
        for n in [1usize, 32] {
            let x = values(n * cols, 11);
            let secs = median_secs(Duration::from_millis(400), || {
                std::hint::black_box(m.matmul(std::hint::black_box(&x)));
            });
            let gmacs = (rows * cols * n) as f64 / secs / 1e9;
            println!(
                "{{\"type\":\"{name}\",\"rows\":{n},\"secs\":{secs:.6e},\"gmac_per_s\":{gmacs:.3}}}"
            );
        }
    }
    Ok(())
}
