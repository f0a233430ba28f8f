//! Text to speech: text to phonemes (`phonemize`, which the voices share), and the voices that
//! turn phonemes into audio (`piper`: VITS, read from its ONNX voice file directly).

pub mod phonemize;
pub mod piper;
