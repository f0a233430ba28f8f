//! llama.cpp's f32 arithmetic for the ops around the weight products (attention dot products,
//! softmax, SiLU and SwiGLU, RoPE's `sincosf`), reproduced in portable Rust so Lantern rounds
//! where llama.cpp rounds.
//!
//! The reference is llama.cpp's x86 CPU backend as the fixtures' llama-cpp-python builds it
//! (GCC 12, `-march=native` with AVX-512): `ggml_vec_dot_f32` with four 16-lane accumulators,
//! tinyBLAS's one 16-lane accumulator per output (`llamafile/sgemm.cpp`), `ggml_v_expf` and
//! `_mm512_reduce_add_ps`'s halving tree. Emulating the lane order in plain code keeps the
//! results the same on every CPU and in wasm32, where there are no x86 intrinsics.

/// Lanes of an AVX-512 f32 vector.
const LANES: usize = 16;

/// `fmaf(a, b, c)`, correctly rounded, without a fused multiply-add instruction (wasm32 has
/// none and `f32::mul_add` falls back to a slow soft-float there): `a * b` is exact in f64, so
/// only the f64 sum rounds before the f32 rounding. That double rounding can differ from one
/// correct rounding only when the f64 sum lands exactly on a point halfway between two f32
/// values; that rare case (and the subnormal range, where halfway points sit elsewhere) takes
/// [`fmaf_exact`].
#[inline(always)]
pub fn fmaf(a: f32, b: f32, c: f32) -> f32 {
    let s = a as f64 * b as f64 + c as f64;
    if needs_exact(s) {
        fmaf_exact(a, b, c)
    } else {
        s as f32
    }
}

/// Whether the f64 sum `s` may round to another f32 than the fused result would.
#[inline(always)]
fn needs_exact(s: f64) -> bool {
    // The 29 f64 mantissa bits below an f32's are exactly 1000...0 at a halfway point.
    let halfway = s.to_bits() & 0x1fff_ffff == 0x1000_0000;
    let tiny = s.abs() < f32::MIN_POSITIVE as f64 && s != 0.0;
    halfway | tiny
}

/// `acc[l] = fmaf(x[l], y[l], acc[l])` for the 16 lanes of one vector instruction. The common
/// case is branch-free so the compiler vectorizes it (f64x2 in wasm SIMD); a vector with a lane
/// that needs the exact path (rare) is redone lane by lane.
#[inline(always)]
fn fma_lanes(acc: &mut [f32; LANES], x: &[f32], y: &[f32]) {
    let (x, y) = (&x[..LANES], &y[..LANES]);
    let mut s = [0f64; LANES];
    for l in 0..LANES {
        s[l] = x[l] as f64 * y[l] as f64 + acc[l] as f64;
    }
    let mut rare = false;
    for v in s {
        rare |= needs_exact(v);
    }
    if rare {
        for l in 0..LANES {
            acc[l] = fmaf(x[l], y[l], acc[l]);
        }
    } else {
        for l in 0..LANES {
            acc[l] = s[l] as f32;
        }
    }
}

/// `fmaf` by rounding the f64 sum to odd (its error, found with Knuth's TwoSum, nudges an even
/// result one ulp towards the exact value); an f64 rounded to odd rounds to the correct f32.
#[inline(never)]
fn fmaf_exact(a: f32, b: f32, c: f32) -> f32 {
    let p = a as f64 * b as f64;
    let c = c as f64;
    let s = p + c;
    let bp = s - c;
    let err = (p - bp) + (c - (s - bp));
    // A NaN error (an infinite sum) compares false both ways and leaves the sum alone.
    let inexact = (err > 0.0) | (err < 0.0);
    let bits = s.to_bits();
    let nudge = inexact & (bits & 1 == 0);
    // Up in magnitude when the error has the sum's sign, else down.
    let step = if (err > 0.0) == (s > 0.0) {
        1
    } else {
        u64::MAX
    };
    f64::from_bits(bits.wrapping_add(if nudge { step } else { 0 })) as f32
}

/// `_mm512_reduce_add_ps` as GCC expands it: halves added pairwise, 8, 4, 2, then 1 apart.
#[inline(always)]
pub fn reduce16(a: &[f32; LANES]) -> f32 {
    let mut h8 = [0f32; 8];
    for i in 0..8 {
        h8[i] = a[i] + a[i + 8];
    }
    let h4 = [h8[0] + h8[4], h8[1] + h8[5], h8[2] + h8[6], h8[3] + h8[7]];
    (h4[0] + h4[2]) + (h4[1] + h4[3])
}

/// `ggml_vec_dot_f32` (AVX-512): blocks of 64 go to four 16-lane fused accumulators, which are
/// added 0+2, 1+3, then 0+1 and reduced; the tail past the last block of 64 is added one
/// product at a time (fused, as GCC contracts `sumf += x*y`).
pub fn dot_ggml(x: &[f32], y: &[f32]) -> f32 {
    let n = x.len().min(y.len());
    let blocks = n / (4 * LANES);
    let mut acc = [[0f32; LANES]; 4];
    for b in 0..blocks {
        let base = b * 4 * LANES;
        for (j, acc) in acc.iter_mut().enumerate() {
            let at = base + j * LANES;
            fma_lanes(acc, &x[at..], &y[at..]);
        }
    }
    let mut sum = [0f32; LANES];
    for l in 0..LANES {
        sum[l] = (acc[0][l] + acc[2][l]) + (acc[1][l] + acc[3][l]);
    }
    let mut total = reduce16(&sum);
    for i in blocks * 4 * LANES..n {
        total = fmaf(x[i], y[i], total);
    }
    total
}

/// One output of tinyBLAS's f32 gemm (AVX-512, `k` a multiple of 16): a single 16-lane fused
/// accumulator over the whole row, then reduced. Missing elements of the last 16 count as zero
/// (exactly what llama.cpp's zero-filled cache padding adds).
pub fn dot_tinyblas(x: &[f32], y: &[f32]) -> f32 {
    let n = x.len().min(y.len());
    let mut acc = [0f32; LANES];
    let whole = n / LANES * LANES;
    for (xs, ys) in x[..whole]
        .chunks_exact(LANES)
        .zip(y[..whole].chunks_exact(LANES))
    {
        fma_lanes(&mut acc, xs, ys);
    }
    for i in whole..n {
        acc[i - whole] = fmaf(x[i], y[i], acc[i - whole]);
    }
    reduce16(&acc)
}

#[inline(always)]
fn f(bits: u32) -> f32 {
    f32::from_bits(bits)
}

/// `ggml_v_expf` (the AVX-512 variant, one lane): ARM's optimized-routines exp with its own
/// polynomial, 1.5 ulp from the true value, which llama.cpp's softmax and SiLU use.
#[inline(always)]
pub fn expf(x: f32) -> f32 {
    let r = f(0x4b40_0000); // 0x1.8p23
    let z = fmaf(x, f(0x3fb8_aa3b), r);
    let n = z - r;
    if n.abs() > 192.0 || n.is_nan() {
        return if n <= 0.0 { 0.0 } else { f32::INFINITY };
    }
    let b = fmaf(-n, f(0x35bf_be8e), fmaf(-n, f(0x3f31_7200), x));
    let u = b * b;
    let j = fmaf(
        fmaf(
            fmaf(f(0x3c07_2010), b, f(0x3d2b_9f17)),
            u,
            fmaf(f(0x3e2a_af33), b, f(0x3eff_fedb)),
        ),
        u,
        fmaf(f(0x3f7f_fff6), b, 1.0),
    );
    // `_mm512_scalef_ps(j, n)`: j * 2^n with one rounding (exact in f64, then to f32).
    (j as f64 * f64::from_bits(((n as i64 + 1023) as u64) << 52)) as f32
}

/// `ggml_v_silu`: `x / (1 + expf(-x))`.
#[inline(always)]
pub fn silu(x: f32) -> f32 {
    x / (1.0 + expf(0.0 - x))
}

/// `ggml_vec_swiglu_f32`: `silu(gate) * up`, element by element, with ggml's own exp.
pub fn swiglu(gate: &[f32], up: &[f32]) -> Vec<f32> {
    gate.iter().zip(up).map(|(&g, &u)| silu(g) * u).collect()
}

/// `ggml_compute_forward_soft_max_f32` on one row: `x * scale` (masked entries are -inf),
/// exponentials of `x - max` summed per 16 lanes (reduced in f32, accumulated in f64), then
/// multiplied by the f32 `1 / sum`.
pub fn softmax_row(row: &mut [f32], scale: f32) {
    for v in row.iter_mut() {
        *v *= scale;
    }
    let max = row.iter().fold(f32::NEG_INFINITY, |m, &v| m.max(v));
    let mut sum = 0f64;
    for chunk in row.chunks_mut(LANES) {
        let mut lanes = [0f32; LANES];
        for (lane, v) in lanes.iter_mut().zip(chunk.iter_mut()) {
            *v = expf(*v - max);
            *lane = *v;
        }
        sum += reduce16(&lanes) as f64;
    }
    let inv = (1.0 / sum) as f32;
    for v in row.iter_mut() {
        *v *= inv;
    }
}

/// Polynomial coefficients of glibc's `sincosf` (ARM optimized-routines, glibc >= 2.28): cosine
/// `c0..c4` (all negated for quadrants 2 and 3), sine `s1..s3`.
const COS_POLY: [f64; 5] = [
    1.0,
    f64::from_bits(0xbfdf_ffff_fd0c_621c), // -0x1.ffffffd0c621cp-2
    f64::from_bits(0x3fa5_5553_e106_8f19), // 0x1.55553e1068f19p-5
    f64::from_bits(0xbf56_c087_e89a_359d), // -0x1.6c087e89a359dp-10
    f64::from_bits(0x3ef9_9343_027b_f8c3), // 0x1.99343027bf8c3p-16
];
const SIN_POLY: [f64; 3] = [
    f64::from_bits(0xbfc5_5554_5995_a603), // -0x1.555545995a603p-3
    f64::from_bits(0x3f81_1076_0523_0bc4), // 0x1.1107605230bc4p-7
    f64::from_bits(0xbf29_94eb_3774_cf24), // -0x1.994eb3774cf24p-13
];

/// 4/pi to 192 bits, eight new bits per entry (so any 96-bit window is three aligned words).
const INV_PIO4: [u32; 24] = [
    0xa2, 0xa2f9, 0xa2f983, 0xa2f9836e, 0xf9836e4e, 0x836e4e44, 0x6e4e4415, 0x4e441529, 0x441529fc,
    0x1529fc27, 0x29fc2757, 0xfc2757d1, 0x2757d1f5, 0x57d1f534, 0xd1f534dd, 0xf534ddc0, 0x34ddc0db,
    0xddc0db62, 0xc0db6295, 0xdb629599, 0x6295993c, 0x95993c43, 0x993c4390, 0x3c439041,
];

/// `(sinf(y), cosf(y))` as glibc computes them (llama.cpp's RoPE calls `sincosf`): reduced to
/// `[-pi/4, pi/4]` in f64 (one multiply-subtract below 120, a 4/pi table above), then
/// polynomials in f64, each rounded once to f32. glibc's results are not always the correctly
/// rounded ones (1 in 40 here), so the f64 library functions would not do.
pub fn sincosf(y: f32) -> (f32, f32) {
    let abstop12 = |v: f32| (v.to_bits() >> 20) & 0x7ff;
    let (x, n, negate_table) = if abstop12(y) < abstop12(std::f32::consts::FRAC_PI_4) {
        if abstop12(y) < abstop12(f32::from_bits(0x3980_0000)) {
            // |y| < 2^-12: sin y = y and cos y = 1 in f32.
            return (y, 1.0);
        }
        (y as f64, 0, false)
    } else if abstop12(y) < abstop12(120.0) {
        // 2/pi scaled by 2^24: the quadrant is the rounded top byte of the product.
        let r = y as f64 * f64::from_bits(0x4164_5f30_6dc9_c883);
        let n = ((r as i32).wrapping_add(0x80_0000)) >> 24;
        let x = y as f64 - n as f64 * f64::from_bits(0x3ff9_21fb_5444_2d18);
        let sign = if matches!(n & 3, 1 | 2) { -1.0 } else { 1.0 };
        (x * sign, n, n & 2 != 0)
    } else if y.is_finite() {
        let bits = y.to_bits();
        let neg = (bits >> 31) as i32;
        let arr = &INV_PIO4[((bits >> 26) & 15) as usize..];
        let shift = (bits >> 23) & 7;
        let xi = ((bits & 0xff_ffff) | 0x80_0000) << shift;
        let res0 = xi.wrapping_mul(arr[0]) as u64;
        let res1 = xi as u64 * arr[4] as u64;
        let res2 = xi as u64 * arr[8] as u64;
        let mut res = ((res2 >> 32) | (res0 << 32)).wrapping_add(res1);
        let n = res.wrapping_add(1 << 61) >> 62;
        res = res.wrapping_sub(n << 62);
        // 2pi * 2^-64 turns the 2.62 fixed-point remainder into radians.
        let x = res as i64 as f64 * f64::from_bits(0x3c19_21fb_5444_2d18);
        let q = n as i32 + neg;
        let sign = if matches!(q & 3, 1 | 2) { -1.0 } else { 1.0 };
        (x * sign, n as i32, q & 2 != 0)
    } else {
        return (f32::NAN, f32::NAN);
    };
    let c = if negate_table {
        COS_POLY.map(|v| -v)
    } else {
        COS_POLY
    };
    let x2 = x * x;
    let x3 = x2 * x;
    let x4 = x2 * x2;
    let sin = (x + x3 * SIN_POLY[0]) + (x3 * x2) * (SIN_POLY[1] + x2 * SIN_POLY[2]);
    let cos = (c[0] + x2 * c[1] + x4 * c[2]) + (x4 * x2) * (c[3] + x2 * c[4]);
    if n & 1 != 0 {
        (cos as f32, sin as f32)
    } else {
        (sin as f32, cos as f32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fmaf_rounds_once() {
        // (1 + 2^-12)^2 = 1 + 2^-11 + 2^-24 is a tie in f32; the tiny addend breaks it
        // upwards, but it vanishes from an f64 sum, which a second rounding then ties to even.
        let t = 1.0 + 2f32.powi(-12);
        assert_eq!(
            fmaf(t, t, 2f32.powi(-80)),
            1.0 + 2f32.powi(-11) + 2f32.powi(-23)
        );
        // t*t = 1 + 2^-11 + 2^-24: plain f32 rounds the 2^-24 away, fma keeps it through -1.
        assert_eq!(fmaf(t, t, -1.0), 2f32.powi(-11) + 2f32.powi(-24));
        for (a, b, c) in [
            (3.1f32, -2.7f32, 8.4f32),
            (1e-20, 1e-20, 1e-38),
            (7.0, 0.0, -0.0),
        ] {
            assert_eq!(fmaf(a, b, c), a.mul_add(b, c));
        }
    }

    #[test]
    fn a_vector_of_lanes_rounds_as_each_lane_alone() {
        let t = 1.0 + 2f32.powi(-12);
        let mut seed = 0x2545_f491_u32;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            (seed as f32 / u32::MAX as f32 - 0.5) * 8.0
        };
        for round in 0..2000 {
            let x: Vec<f32> = (0..LANES).map(|_| next()).collect();
            let mut y: Vec<f32> = (0..LANES).map(|_| next()).collect();
            let mut acc: [f32; LANES] = std::array::from_fn(|_| next());
            // Every other round one lane is a double-rounding trap, so both paths run.
            if round % 2 == 0 {
                let lane = round % LANES;
                (y[lane], acc[lane]) = (t, 2f32.powi(-80));
                let mut x = x.clone();
                x[lane] = t;
                let want: Vec<f32> = (0..LANES).map(|l| fmaf(x[l], y[l], acc[l])).collect();
                fma_lanes(&mut acc, &x, &y);
                assert_eq!(acc.to_vec(), want);
            } else {
                let want: Vec<f32> = (0..LANES).map(|l| x[l].mul_add(y[l], acc[l])).collect();
                fma_lanes(&mut acc, &x, &y);
                assert_eq!(acc.to_vec(), want);
            }
        }
    }

    #[test]
    fn expf_is_close_to_exp_and_saturates() {
        for i in -800..800 {
            let x = i as f32 / 10.0;
            let want = (x as f64).exp();
            let got = expf(x) as f64;
            if want > 1e-37 && want < 1e38 {
                assert!((got - want).abs() / want < 1e-6, "{x}: {got} vs {want}");
            }
        }
        assert_eq!(expf(f32::NEG_INFINITY), 0.0);
        assert_eq!(expf(-200.0), 0.0);
        assert_eq!(expf(0.0), 1.0);
    }

    #[test]
    fn sincosf_gives_glibcs_bits() {
        // (x, sinf x, cosf x) from glibc 2.36, each at a point where glibc's result is not the
        // correctly rounded one; three above 120, where the 4/pi table reduces.
        let cases = [
            (0x4225566c, 0xbef2a06a, 0xbf616e4e),
            (0x42ccdde0, 0x3f720e06, 0xbea6addf),
            (0x429c7b81, 0x3e969ece, 0xbf74ac07),
            (0x424c87e2, 0x3f433533, 0x3f259eaa),
            (0x41fd0272, 0x3e55bb16, 0x3f7a5c94),
            (0x451dbb03, 0xbf55edc0, 0xbf0c9b8d),
            (0x4506b5e8, 0x3e700130, 0x3f78de82),
            (0x44082564, 0xbf62d283, 0xbeed61f8),
        ];
        for (x, sin, cos) in cases {
            let (s, c) = sincosf(f32::from_bits(x));
            assert_eq!(
                (s.to_bits(), c.to_bits()),
                (sin, cos),
                "x = {}",
                f32::from_bits(x)
            );
        }
        for i in 0..2000 {
            let x = i as f32 * 0.37 - 300.0;
            let (s, c) = sincosf(x);
            assert!((s as f64 - (x as f64).sin()).abs() < 1e-6, "sin {x}");
            assert!((c as f64 - (x as f64).cos()).abs() < 1e-6, "cos {x}");
        }
    }

    #[test]
    fn softmax_sums_to_one_and_ignores_masked_entries() {
        let mut row = vec![1.0, 2.0, f32::NEG_INFINITY, 3.0];
        softmax_row(&mut row, 0.5);
        assert_eq!(row[2], 0.0);
        let s: f32 = row.iter().sum();
        assert!((s - 1.0).abs() < 1e-6);
        assert!(row[3] > row[1] && row[1] > row[0]);
    }

    #[test]
    fn dot_products_add_every_term() {
        let x: Vec<f32> = (0..150).map(|i| i as f32 * 0.25).collect();
        let y: Vec<f32> = (0..150).map(|i| 1.0 - i as f32 / 64.0).collect();
        let want: f64 = x.iter().zip(&y).map(|(a, b)| *a as f64 * *b as f64).sum();
        assert!((dot_ggml(&x, &y) as f64 - want).abs() < 1e-3);
        assert!((dot_tinyblas(&x, &y) as f64 - want).abs() < 1e-3);
    }
}
