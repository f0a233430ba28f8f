//! A short measurement of how fast this machine decodes: one-row quantized products (what a
//! decode step is made of: 90–96 % of its time in `cargo xtask bench llm`'s profiles) over a
//! Q4_K matrix bigger than most caches, on the calling thread's pool, as weight bytes per
//! second. The first-run model choice (`protocol::Machine`) divides it by a model's size.

use super::qmatmul::QMatrix;

/// 16384 × 4096 Q4_K: 37.7 MB, past the last-level cache of most machines (32 MB here), so the
/// weights stream from memory as a model's do, and small enough to allocate anywhere.
const ROWS: usize = 16384;
const COLS: usize = 4096;

/// Share of a decode step spent in the weight products; the rest (attention, norms, sampling)
/// is paid on top.
const PRODUCT_SHARE: f64 = 0.9;

/// What the probe found.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DecodeSpeed {
    /// Weight bytes a decode step streams per second, products and the rest together.
    pub bytes_per_s: f64,
    /// The products alone, the best run.
    pub product_bytes_per_s: f64,
    /// Timed products.
    pub runs: usize,
}

/// Times one-row products for about `budget_ms` (at least three, after one that touches the
/// memory) with `clock` (milliseconds from any origin); the best run counts, as the one least
/// disturbed by the rest of the machine.
pub fn measure_decode(clock: fn() -> f64, budget_ms: f64) -> DecodeSpeed {
    let matrix = QMatrix::arbitrary_q4_k(ROWS, COLS, 0x5eed);
    let x: Vec<f32> = (0..matrix.cols())
        .map(|i| ((i * 37 % 101) as f32 - 50.0) / 50.0)
        .collect();
    std::hint::black_box(matrix.matmul(&x));
    let start = clock();
    let mut best_ms = f64::INFINITY;
    let mut runs = 0;
    while runs < 3 || clock() - start < budget_ms {
        let t0 = clock();
        std::hint::black_box(matrix.matmul(std::hint::black_box(&x)));
        best_ms = best_ms.min(clock() - t0);
        runs += 1;
    }
    // A clock too coarse to see one product (a browser without cross-origin isolation rounds
    // to 0.1 ms): the whole span over the runs instead.
    if best_ms <= 0.0 {
        best_ms = (clock() - start) / runs as f64;
    }
    let product_bytes_per_s = matrix.bytes() as f64 / (best_ms.max(1e-3) / 1000.0);
    DecodeSpeed {
        bytes_per_s: product_bytes_per_s * PRODUCT_SHARE,
        product_bytes_per_s,
        runs,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wall_ms() -> f64 {
        use std::sync::OnceLock;
        use std::time::Instant;
        static ORIGIN: OnceLock<Instant> = OnceLock::new();
        ORIGIN.get_or_init(Instant::now).elapsed().as_secs_f64() * 1000.0
    }

    #[test]
    fn measures_a_plausible_rate_in_at_least_three_runs() {
        let speed = measure_decode(wall_ms, 0.0);
        assert!(speed.runs >= 3);
        // Between a slow phone (50 MB/s) and any memory bus there is (1 TB/s).
        assert!(
            (5e7..1e12).contains(&speed.product_bytes_per_s),
            "{speed:?}"
        );
        assert!(speed.bytes_per_s < speed.product_bytes_per_s);
    }

    #[test]
    fn the_probe_matrix_has_finite_scales() {
        let m = QMatrix::arbitrary_q4_k(4, 512, 7);
        let y = m.matmul(&[1.0; 512]);
        assert!(y.iter().all(|v| v.is_finite()), "{y:?}");
    }
}
