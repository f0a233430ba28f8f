//! The log-mel spectrogram Whisper is trained on, mirroring openai-whisper's `audio.py`
//! (`log_mel_spectrogram`, release 20250625): STFT with n_fft 400, hop 160 and a periodic Hann
//! window, reflect padding as `torch.stft(center=True)`, the last frame dropped, power spectrum,
//! the mel filters from `mel_filters.npz`, then log10 clamped at 1e-10, floored at max - 8 and
//! scaled as (x + 4) / 4.

use std::io::{Cursor, Read};
use std::sync::Arc;

use realfft::RealFftPlanner;

use crate::{ModelError, Result};

/// `N_FFT` in audio.py: 25 ms at 16 kHz.
pub const N_FFT: usize = 400;
/// `HOP_LENGTH` in audio.py: 10 ms at 16 kHz.
pub const HOP_LENGTH: usize = 160;
/// Frequency bins of one frame's power spectrum.
const N_FREQ: usize = N_FFT / 2 + 1;

/// The mel filter bank: `n_mels` rows of `N_FREQ` weights (librosa's slaney mel filters, as
/// openai-whisper ships them).
#[derive(Debug, Clone, PartialEq)]
pub struct MelFilters {
    n_mels: usize,
    weights: Vec<f32>,
}

impl MelFilters {
    /// Reads the filters for `n_mels` bins (80 or 128) from openai-whisper's `mel_filters.npz`
    /// (arrays `mel_80`, `mel_128`) or from raw little-endian f32 (`n_mels` x 201, row-major, the
    /// layout candle's whisper example reads).
    pub fn from_bytes(bytes: &[u8], n_mels: usize) -> Result<Self> {
        let weights = if bytes.starts_with(b"PK\x03\x04") {
            npz_array(bytes, &format!("mel_{n_mels}"), n_mels)?
        } else {
            if bytes.len() != n_mels * N_FREQ * 4 {
                return Err(ModelError::BadModel(format!(
                    "mel filters: {} bytes is not {n_mels} x {N_FREQ} f32",
                    bytes.len()
                )));
            }
            bytes
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect()
        };
        Ok(MelFilters { n_mels, weights })
    }

    pub fn n_mels(&self) -> usize {
        self.n_mels
    }
}

/// A log-mel spectrogram, row-major `[n_mels][n_frames]` like the `(n_mels, n_frames)` tensor
/// openai-whisper returns.
#[derive(Debug, Clone, PartialEq)]
pub struct LogMel {
    pub n_mels: usize,
    pub n_frames: usize,
    pub data: Vec<f32>,
}

impl LogMel {
    pub fn get(&self, mel: usize, frame: usize) -> f32 {
        self.data[mel * self.n_frames + frame]
    }

    /// Frames `start..start + len` as a `[n_mels][len]` buffer, zero past the end: the
    /// `pad_or_trim(mel[:, seek:seek + size], N_FRAMES)` of transcribe.py.
    pub fn window(&self, start: usize, size: usize, len: usize) -> Vec<f32> {
        let mut out = vec![0.0; self.n_mels * len];
        let end = (start + size.min(len)).min(self.n_frames);
        if start < end {
            for (row, out) in self
                .data
                .chunks_exact(self.n_frames)
                .zip(out.chunks_exact_mut(len))
            {
                out[..end - start].copy_from_slice(&row[start..end]);
            }
        }
        out
    }
}

/// `log_mel_spectrogram(audio, n_mels, padding)`: `samples` at 16 kHz, `padding` zeros appended
/// before the STFT (transcribe.py pads 30 s so every window can be sliced whole).
pub fn log_mel_spectrogram(samples: &[f32], filters: &MelFilters, padding: usize) -> LogMel {
    let len = samples.len() + padding;
    // center=True adds n_fft/2 each side, giving 1 + len / hop frames; `stft[..., :-1]` drops one.
    let n_frames = len / HOP_LENGTH;
    let at = |i: usize| samples.get(i).copied().unwrap_or(0.0);
    // F.pad adds the zeros first, so the reflection at the right edge reflects them.
    let reflect = |i: isize| -> f32 { at(reflect_index(i, len)) };
    let window: Vec<f32> = (0..N_FFT)
        .map(|n| {
            // torch.hann_window is periodic: 0.5 - 0.5 cos(2 pi n / N)
            let phase = 2.0 * std::f64::consts::PI * n as f64 / N_FFT as f64;
            (0.5 - 0.5 * phase.cos()) as f32
        })
        .collect();
    let fft: Arc<dyn realfft::RealToComplex<f32>> = RealFftPlanner::new().plan_fft_forward(N_FFT);
    let mut frame = fft.make_input_vec();
    let mut spectrum = fft.make_output_vec();
    let mut scratch = fft.make_scratch_vec();
    let mut power = vec![0f32; N_FREQ];
    let mut mel = vec![0f32; filters.n_mels * n_frames];
    for f in 0..n_frames {
        let origin = (f * HOP_LENGTH) as isize - (N_FFT / 2) as isize;
        for (n, x) in frame.iter_mut().enumerate() {
            *x = reflect(origin + n as isize) * window[n];
        }
        // The buffers are the plan's own size, so processing cannot fail.
        if fft
            .process_with_scratch(&mut frame, &mut spectrum, &mut scratch)
            .is_err()
        {
            continue;
        }
        for (p, c) in power.iter_mut().zip(&spectrum) {
            *p = c.norm_sqr();
        }
        for (m, row) in filters.weights.chunks_exact(N_FREQ).enumerate() {
            let energy: f32 = row.iter().zip(&power).map(|(w, p)| w * p).sum();
            mel[m * n_frames + f] = energy;
        }
    }
    let mut max = f32::NEG_INFINITY;
    for v in mel.iter_mut() {
        *v = v.max(1e-10).log10();
        max = max.max(*v);
    }
    for v in mel.iter_mut() {
        *v = (v.max(max - 8.0) + 4.0) / 4.0;
    }
    LogMel {
        n_mels: filters.n_mels,
        n_frames,
        data: mel,
    }
}

/// torch's reflect padding (the edge sample is not repeated), folded again for signals shorter
/// than the pad.
fn reflect_index(i: isize, len: usize) -> usize {
    if len <= 1 {
        return 0;
    }
    let period = 2 * (len as isize - 1);
    let mut i = i.rem_euclid(period);
    if i >= len as isize {
        i = period - i;
    }
    i as usize
}

/// One float array from an `.npz` (a zip of `.npy` files), checked to have `rows` x 201 cells.
fn npz_array(bytes: &[u8], name: &str, rows: usize) -> Result<Vec<f32>> {
    let bad = |what: String| ModelError::BadModel(format!("mel filters {name}: {what}"));
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| bad(format!("not an npz: {e}")))?;
    let mut member = archive
        .by_name(&format!("{name}.npy"))
        .map_err(|e| bad(e.to_string()))?;
    let mut npy = Vec::new();
    member.read_to_end(&mut npy)?;
    // .npy: magic, version (2 bytes), header length (u16 in v1, u32 in v2/3), a Python-dict header.
    if !npy.starts_with(b"\x93NUMPY") || npy.len() < 10 {
        return Err(bad("not a .npy array".into()));
    }
    let (header_len, header_at) = match npy[6] {
        1 => (usize::from(u16::from_le_bytes([npy[8], npy[9]])), 10),
        _ if npy.len() >= 12 => (
            u32::from_le_bytes([npy[8], npy[9], npy[10], npy[11]]) as usize,
            12,
        ),
        _ => return Err(bad("truncated header".into())),
    };
    let data_at = header_at + header_len;
    let header = npy
        .get(header_at..data_at)
        .map(String::from_utf8_lossy)
        .ok_or_else(|| bad("truncated header".into()))?;
    let expected_shape = format!("({rows}, {N_FREQ})");
    if header.contains("True") || !header.contains(&expected_shape) {
        return Err(bad(format!(
            "expected a C-order {expected_shape} array, header is {header}"
        )));
    }
    let data = &npy[data_at..];
    let cells = rows * N_FREQ;
    let values: Vec<f32> = if header.contains("'<f4'") && data.len() == cells * 4 {
        data.chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect()
    } else if header.contains("'<f8'") && data.len() == cells * 8 {
        data.chunks_exact(8)
            .map(|b| f64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]) as f32)
            .collect()
    } else {
        return Err(bad(format!(
            "expected little-endian f32 or f64 data, header is {header}"
        )));
    };
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reflect_matches_numpy_reflect_padding() {
        // np.pad([0,1,2,3], 3, mode="reflect") = [3,2,1,0,1,2,3,2,1,0]
        let got: Vec<usize> = (-3..7).map(|i| reflect_index(i, 4)).collect();
        assert_eq!(got, [3, 2, 1, 0, 1, 2, 3, 2, 1, 0]);
    }

    #[test]
    fn frame_count_drops_the_last_stft_frame() {
        let filters = MelFilters {
            n_mels: 2,
            weights: vec![1.0; 2 * N_FREQ],
        };
        let mel = log_mel_spectrogram(&vec![0.1; 16_000], &filters, 0);
        assert_eq!(mel.n_frames, 100);
        let mel = log_mel_spectrogram(&vec![0.1; 1000], &filters, 480_000);
        assert_eq!(mel.n_frames, 3006);
    }
}
