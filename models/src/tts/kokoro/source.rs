//! The harmonic source and the Fourier transforms of the iSTFTNet generator (`istftnet.py`
//! `SineGen`, `SourceModuleHnNSF`, `TorchSTFT`), written over plain slices.
//!
//! Upstream `SineGen` adds a random initial phase per harmonic and Gaussian noise; the ONNX
//! export has neither (its graph holds no random node), so this source is deterministic too:
//! zero initial phase, zero noise. The arithmetic follows the graph's order (f32 cumulative sum,
//! linear resampling with half-pixel centers) because the phase reaches 1e5 radians, where f32
//! rounding differs between orders.

use std::f32::consts::PI;

/// `SineGen`'s constants in Kokoro: 8 overtones, amplitude 0.1, voiced above 10 Hz.
const HARMONICS: usize = 9;
const SINE_AMP: f32 = 0.1;
const VOICED_THRESHOLD: f32 = 10.0;

/// `m_source(f0_upsamp(f0))`: F0 at the predictor's rate (`[2F]`), each value held for `upsample`
/// samples, to the merged excitation `tanh(l_linear(sines))` at the audio rate.
pub(crate) fn harmonic_source(
    f0: &[f32],
    upsample: usize,
    sample_rate: f32,
    l_linear_weight: &[f32],
    l_linear_bias: f32,
) -> Vec<f32> {
    let frames = f0.len();
    let len = frames * upsample;
    let mut merged = vec![l_linear_bias; len];
    for (h, &weight) in l_linear_weight.iter().enumerate().take(HARMONICS) {
        let harmonic = (h + 1) as f32;
        // `rad_values = (f0 * k / sr) % 1`, downsampled back to one value per frame (the values
        // are constant over each held frame, so the linear resize returns them), then the
        // cumulative phase at frame rate times the upsampling factor.
        let mut phase = Vec::with_capacity(frames);
        let mut acc = 0f32;
        for &f in f0 {
            let x = f * harmonic / sample_rate;
            acc += x - x.floor();
            phase.push(acc * 2.0 * PI * upsample as f32);
        }
        // Linear upsampling, `align_corners=False` (half-pixel), clamped at both ends.
        let scale = 1.0 / upsample as f32;
        for (j, m) in merged.iter_mut().enumerate() {
            let src = ((j as f32 + 0.5) * scale - 0.5).max(0.0);
            let i0 = (src.floor() as usize).min(frames - 1);
            let i1 = (i0 + 1).min(frames - 1);
            let frac = src - i0 as f32;
            let p = phase[i0] + (phase[i1] - phase[i0]) * frac;
            let voiced = f0[j / upsample] > VOICED_THRESHOLD;
            if voiced {
                *m += weight * (p.sin() * SINE_AMP);
            }
        }
    }
    merged.iter_mut().for_each(|m| *m = m.tanh());
    merged
}

/// A periodic Hann window.
pub(crate) fn hann(n: usize) -> Vec<f32> {
    (0..n)
        .map(|i| 0.5 - 0.5 * (2.0 * std::f64::consts::PI * i as f64 / n as f64).cos() as f32)
        .collect()
}

/// `TorchSTFT.transform` (centered, reflect padding): magnitude and phase, each
/// `[n_fft / 2 + 1][frames]` flattened bin-major, frames = len / hop + 1.
pub(crate) fn stft(signal: &[f32], n_fft: usize, hop: usize) -> (Vec<f32>, Vec<f32>, usize) {
    let pad = n_fft / 2;
    let len = signal.len();
    let reflect = |i: isize| -> f32 {
        let n = len as isize;
        let mut j = i;
        if j < 0 {
            j = -j;
        }
        if j >= n {
            j = 2 * (n - 1) - j;
        }
        signal[j.clamp(0, n - 1) as usize]
    };
    let frames = len / hop + 1;
    let bins = n_fft / 2 + 1;
    let window = hann(n_fft);
    let (cos, sin) = twiddles(n_fft);
    let mut mag = vec![0f32; bins * frames];
    let mut phase = vec![0f32; bins * frames];
    let mut frame = vec![0f32; n_fft];
    for f in 0..frames {
        for (n, v) in frame.iter_mut().enumerate() {
            *v = reflect((f * hop + n) as isize - pad as isize) * window[n];
        }
        for k in 0..bins {
            let (mut re, mut im) = (0f32, 0f32);
            for (n, &v) in frame.iter().enumerate() {
                let idx = (k * n) % n_fft;
                re += v * cos[idx];
                im -= v * sin[idx];
            }
            mag[k * frames + f] = (re * re + im * im).sqrt();
            phase[k * frames + f] = onnx_atan2(im, re);
        }
    }
    (mag, phase, frames)
}

/// The export's `torch.angle`: `atan(im / re)`, shifted by pi where `re < 0` (up when `im > 0`,
/// else down, so `im == 0, re < 0` gives -pi where `atan2` gives pi).
fn onnx_atan2(im: f32, re: f32) -> f32 {
    let a = (im / re).atan();
    if re < 0.0 {
        if im > 0.0 { a + PI } else { a - PI }
    } else if re == 0.0 && im == 0.0 {
        0.0
    } else {
        a
    }
}

fn twiddles(n: usize) -> (Vec<f32>, Vec<f32>) {
    (0..n)
        .map(|i| {
            let a = 2.0 * std::f64::consts::PI * i as f64 / n as f64;
            (a.cos() as f32, a.sin() as f32)
        })
        .unzip()
}

/// The export's inverse STFT (`generator.stft.istft`, StyleTTS2's conv-based `STFT.inverse`):
/// overlap-add of `inverse_basis [2 * bins, n_fft]` weighted by the real and imaginary parts,
/// the first `n_fft` samples divided by `window_sum` where it is not tiny, scaled by
/// `n_fft / hop`, `n_fft / 2` samples trimmed from each end.
pub(crate) fn istft(
    magnitude: &[f32],
    phase: &[f32],
    frames: usize,
    inverse_basis: &[f32],
    window_sum: &[f32],
    n_fft: usize,
    hop: usize,
) -> Vec<f32> {
    let bins = n_fft / 2 + 1;
    let full = (frames - 1) * hop + n_fft;
    let mut out = vec![0f32; full];
    let mut frame = vec![0f32; n_fft];
    for f in 0..frames {
        frame.iter_mut().for_each(|v| *v = 0.0);
        for k in 0..bins {
            let m = magnitude[k * frames + f];
            let p = phase[k * frames + f];
            let re = m * p.cos();
            let im = m * p.sin();
            let basis_re = &inverse_basis[k * n_fft..(k + 1) * n_fft];
            let basis_im = &inverse_basis[(bins + k) * n_fft..(bins + k + 1) * n_fft];
            for n in 0..n_fft {
                frame[n] += re * basis_re[n] + im * basis_im[n];
            }
        }
        for (n, &v) in frame.iter().enumerate() {
            out[f * hop + n] += v;
        }
    }
    for (o, &w) in out.iter_mut().zip(window_sum) {
        if w > f32::MIN_POSITIVE {
            *o /= w;
        }
    }
    let gain = n_fft as f32 / hop as f32;
    let trim = n_fft / 2;
    out[trim..full - trim].iter().map(|v| v * gain).collect()
}
