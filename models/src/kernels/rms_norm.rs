//! RMS normalisation rounded as ggml's `rms_norm` followed by its `mul` by the weight.

/// Normalises each row of `w.len()` values of `x` in place and scales it by `w`: the squares
/// are rounded to f32 and summed in f64, in order; `1 / sqrtf(mean + eps)` in f32; then
/// `(x * scale) * w`, each product rounded.
pub fn rms_norm(x: &mut [f32], w: &[f32], eps: f32) {
    let n = w.len();
    for row in x.chunks_exact_mut(n) {
        let sum: f64 = row.iter().map(|&a| (a * a) as f64).sum();
        let mean = (sum / n as f64) as f32;
        let scale = 1.0 / (mean + eps).sqrt();
        for (a, &w) in row.iter_mut().zip(w) {
            *a = *a * scale * w;
        }
    }
}
