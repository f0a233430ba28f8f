//! Plain f32 vector arithmetic for the ops around the weight products (attention, norms,
//! activations), written so LLVM vectorizes it: sums go to 16 independent lanes (a single
//! running sum would be one long dependency chain LLVM may not reorder), and `exp` is a
//! branch-free polynomial instead of a library call.

/// Lanes of the partial sums: four 128-bit vectors (wasm SIMD128, SSE) or two 256-bit ones.
const LANES: usize = 16;

/// `Σ a[i]·b[i]`.
#[inline]
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0f32; LANES];
    let whole = n / LANES * LANES;
    for (x, y) in a[..whole]
        .chunks_exact(LANES)
        .zip(b[..whole].chunks_exact(LANES))
    {
        for l in 0..LANES {
            acc[l] += x[l] * y[l];
        }
    }
    let tail: f32 = a[whole..].iter().zip(&b[whole..]).map(|(x, y)| x * y).sum();
    acc.iter().sum::<f32>() + tail
}

/// `Σ a[i]²`.
#[inline]
pub fn sum_squares(a: &[f32]) -> f32 {
    dot(a, a)
}

/// `out[i] += s·x[i]`.
#[inline]
pub fn add_scaled(out: &mut [f32], s: f32, x: &[f32]) {
    for (o, &x) in out.iter_mut().zip(x) {
        *o += s * x;
    }
}

/// `1.5 · 2^23`: adding it rounds an f32 below 2^22 to an integer held in the low mantissa bits.
const MAGIC: f32 = 12_582_912.0;
/// ln 2 in two parts, the first with trailing zero bits so `n · LN2_HI` is exact.
const LN2_HI: f32 = 0.693_145_75;
const LN2_LO: f32 = 1.428_606_8e-6;

/// `e^x` within a few ulp for x in [-87, 88] (clamped to that range outside it): `2^n · e^r` with
/// `n = round(x / ln 2)`, `|r| ≤ ln 2 / 2`, and a degree-6 Taylor polynomial for `e^r`
/// (its remainder `r^7 / 7!` is below 1.2e-7). Branch-free, so loops over it vectorize.
#[inline(always)]
pub fn exp(x: f32) -> f32 {
    let x = x.clamp(-87.0, 88.0);
    let z = x * std::f32::consts::LOG2_E + MAGIC;
    let n = z - MAGIC;
    let r = (x - n * LN2_HI) - n * LN2_LO;
    let p = 1.0
        + r * (1.0
            + r * (0.5
                + r * (1.0 / 6.0 + r * (1.0 / 24.0 + r * (1.0 / 120.0 + r * (1.0 / 720.0))))));
    // n in [-126, 127] sits in z's low mantissa bits; the biased exponent makes 2^n.
    let ni = (z.to_bits() as i32).wrapping_sub(MAGIC.to_bits() as i32);
    p * f32::from_bits((ni.wrapping_add(127) as u32) << 23)
}

/// Softmax of `row · scale`, in place.
pub fn softmax(row: &mut [f32], scale: f32) {
    let max = row.iter().fold(f32::NEG_INFINITY, |m, &v| m.max(v)) * scale;
    let mut sum = 0f32;
    for v in row.iter_mut() {
        *v = exp(*v * scale - max);
        sum += *v;
    }
    let inv = 1.0 / sum;
    for v in row.iter_mut() {
        *v *= inv;
    }
}

/// SiLU (`x · sigmoid(x)`) of `gate` times `up`: llama.cpp's `swiglu`.
pub fn swiglu(gate: &[f32], up: &[f32]) -> Vec<f32> {
    gate.iter()
        .zip(up)
        .map(|(&g, &u)| g / (1.0 + exp(-g)) * u)
        .collect()
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    #[wasm_bindgen_test(unsupported = test)]
    fn exp_is_within_a_few_ulp() {
        let mut worst = 0f64;
        for i in -87_000..88_000 {
            let x = i as f32 / 1000.0;
            let want = (x as f64).exp();
            let got = exp(x) as f64;
            worst = worst.max((got - want).abs() / want);
        }
        assert!(worst < 5e-7, "worst relative error {worst}");
        assert_eq!(exp(f32::NEG_INFINITY), exp(-87.0));
        assert!(exp(-200.0) < 1e-37);
        assert_eq!(exp(0.0), 1.0);
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn softmax_sums_to_one() {
        let mut row = vec![1.0, 2.0, -30.0, 3.0];
        softmax(&mut row, 0.5);
        let s: f32 = row.iter().sum();
        assert!((s - 1.0).abs() < 1e-6);
        assert!(row[3] > row[1] && row[1] > row[0] && row[0] > row[2]);
        let e = [0.5f64.exp(), 1f64.exp(), 1.5f64.exp()];
        let total = e.iter().sum::<f64>() + (-15f64).exp();
        assert!((row[3] as f64 - e[2] / total).abs() < 1e-6);
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn dot_adds_every_term() {
        let x: Vec<f32> = (0..150).map(|i| i as f32 * 0.25).collect();
        let y: Vec<f32> = (0..150).map(|i| 1.0 - i as f32 / 64.0).collect();
        let want: f64 = x.iter().zip(&y).map(|(a, b)| *a as f64 * *b as f64).sum();
        assert!((dot(&x, &y) as f64 - want).abs() < 1e-3);
    }
}
