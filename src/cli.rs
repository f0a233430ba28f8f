//! The subcommands that need more than a few lines, one module each.

pub mod extract;
mod speech_assets;
pub mod transcribe;
pub mod vad;
