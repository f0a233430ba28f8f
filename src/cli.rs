//! The subcommands that need more than a few lines, one module each.

pub mod extract;
pub mod generate;
pub mod ocr;
pub mod phonemize;
pub mod speak;
mod speech_assets;
pub mod transcribe;
pub mod vad;
