//! Audio in: WAV bytes to 16 kHz mono samples, and the log-mel spectrogram Whisper reads; and
//! audio out as WAV bytes.

mod mel;
mod resample;
mod stream_resample;
mod wav;

pub use mel::{HOP_LENGTH, LogMel, MelFilters, N_FFT, log_mel_spectrogram};
pub use resample::resample;
pub use stream_resample::StreamResampler;
pub use wav::{Pcm, decode_wav, encode_wav};

/// The rate every speech model here takes.
pub const SAMPLE_RATE: u32 = 16_000;

/// WAV bytes as 16 kHz mono samples in [-1, 1]: decoded, channels averaged, resampled.
pub fn wav_to_16k_mono(bytes: &[u8]) -> crate::Result<Vec<f32>> {
    let pcm = decode_wav(bytes)?;
    resample(&pcm.samples, pcm.sample_rate, SAMPLE_RATE)
}
