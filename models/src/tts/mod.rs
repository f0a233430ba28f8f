//! Text to speech: text to phonemes (`phonemize`, which the voices share), the voices that
//! turn phonemes into audio (`piper`: VITS, and `kokoro`: Kokoro-82M, each read from its ONNX
//! file directly), one face over every voice family (`voice`), and text cut into the sentences
//! spoken one at a time (`sentences`; `sentence_stream` as the text streams in).

pub mod kokoro;
pub mod phonemize;
pub mod piper;
pub mod sentence_stream;
pub mod sentences;
pub mod voice;

pub use sentence_stream::SentenceStream;
pub use sentences::{Sentence, split_sentences};
pub use voice::{KokoroSpeaker, Speech, Voice};
