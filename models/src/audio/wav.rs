//! WAV with hound: decoding integer PCM of 8 to 32 bits and 32-bit float, any channel count,
//! mixed down to mono; encoding mono samples as 16-bit PCM (what speech out writes).

use std::io::Cursor;

use crate::ModelError;

/// Rates a WAV may have; outside these it is more likely a broken header than real audio.
const RATES: std::ops::RangeInclusive<u32> = 8_000..=96_000;

/// Mono samples in [-1, 1] at the file's own rate.
#[derive(Debug, Clone, PartialEq)]
pub struct Pcm {
    pub sample_rate: u32,
    pub samples: Vec<f32>,
}

/// Decodes a whole WAV file and averages its channels.
pub fn decode_wav(bytes: &[u8]) -> crate::Result<Pcm> {
    let mut reader = hound::WavReader::new(Cursor::new(bytes))?;
    let spec = reader.spec();
    if !RATES.contains(&spec.sample_rate) {
        return Err(ModelError::BadAudio(format!(
            "sample rate {} Hz is outside 8 to 96 kHz",
            spec.sample_rate
        )));
    }
    let channels = usize::from(spec.channels);
    if channels == 0 {
        return Err(ModelError::BadAudio("the WAV has no channels".into()));
    }
    let interleaved: Vec<f32> = match (spec.sample_format, spec.bits_per_sample) {
        (hound::SampleFormat::Float, 32) => reader
            .samples::<f32>()
            .collect::<Result<_, hound::Error>>()?,
        (hound::SampleFormat::Int, bits @ 8..=32) => {
            // Full scale is 2^(bits-1), as numpy and torchaudio read PCM: i16 / 32768.
            let scale = 1.0 / (1u64 << (bits - 1)) as f64;
            reader
                .samples::<i32>()
                .map(|s| s.map(|s| (f64::from(s) * scale) as f32))
                .collect::<Result<_, hound::Error>>()?
        }
        (format, bits) => {
            return Err(ModelError::BadAudio(format!(
                "{bits}-bit {format:?} samples are not supported"
            )));
        }
    };
    let samples = if channels == 1 {
        interleaved
    } else {
        interleaved
            .chunks_exact(channels)
            .map(|frame| frame.iter().sum::<f32>() / channels as f32)
            .collect()
    };
    Ok(Pcm {
        sample_rate: spec.sample_rate,
        samples,
    })
}

/// Mono samples in [-1, 1] as a 16-bit PCM WAV file (`round(x * 32768)`, clipped), the inverse
/// of `decode_wav`'s `i16 / 32768`.
pub fn encode_wav(samples: &[f32], sample_rate: u32) -> crate::Result<Vec<u8>> {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut bytes = Cursor::new(Vec::with_capacity(44 + 2 * samples.len()));
    let mut writer = hound::WavWriter::new(&mut bytes, spec)?;
    for &s in samples {
        writer.write_sample((s * 32768.0).round().clamp(-32768.0, 32767.0) as i16)?;
    }
    writer.finalize()?;
    Ok(bytes.into_inner())
}
