//! Text to speech: text to phonemes (the phonemizer the voices share), and the voices.

pub mod phonemize;
