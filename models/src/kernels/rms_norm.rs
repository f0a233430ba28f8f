//! RMS normalisation (llama.cpp `rms_norm` followed by its `mul` by the weight), in plain f32.

use super::vec_f32::sum_squares;

/// Normalises each row of `w.len()` values of `x` in place and scales it by `w`:
/// `x · w / sqrt(mean(x²) + eps)`.
pub fn rms_norm(x: &mut [f32], w: &[f32], eps: f32) {
    let n = w.len();
    for row in x.chunks_exact_mut(n) {
        let scale = 1.0 / (sum_squares(row) / n as f32 + eps).sqrt();
        for (a, &w) in row.iter_mut().zip(w) {
            *a *= scale * w;
        }
    }
}
