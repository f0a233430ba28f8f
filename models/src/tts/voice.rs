//! A voice of any family behind one face: text in, one sentence's PCM out. The phonemizer is
//! shared; each family maps its phonemes to its own ids (Piper: espeak-style IPA through the
//! voice's `phoneme_id_map`; Kokoro: misaki's symbols through its vocabulary).

use super::kokoro::{Kokoro, KokoroVoice};
use super::phonemize::Phonemizer;
use super::phonemize::espeak::to_espeak;
use super::phonemize::kokoro::KokoroVocab;
use super::piper::{PiperVoice, Rng, Scales};
use crate::{ModelError, Result};

// A worker holds one voice in place for its lifetime; the size of a move does not matter.
#[allow(clippy::large_enum_variant)]
pub enum Voice {
    Piper(PiperVoice),
    Kokoro(KokoroSpeaker),
}

/// Kokoro-82M with one of its voice packs. The model is most of the memory and every pack
/// shares it, so choosing another voice replaces `pack` alone.
pub struct KokoroSpeaker {
    pub model: Kokoro,
    pub pack: KokoroVoice,
    pub vocab: KokoroVocab,
}

impl KokoroSpeaker {
    /// Where a sentence longer than one pass may be cut, best first: sentence ends, clause
    /// marks, spaces.
    pub fn breaks(&self) -> Vec<u32> {
        ['.', '!', '?', ';', ':', ',', '—', ' ']
            .iter()
            .filter_map(|&c| self.vocab.id(c))
            .collect()
    }
}

/// One sentence spoken: mono PCM in [-1, 1] at `sample_rate`.
#[derive(Debug, Clone)]
pub struct Speech {
    pub samples: Vec<f32>,
    pub sample_rate: u32,
    /// The phonemes the voice read, for logs and tests.
    pub phonemes: String,
}

/// Slowest and fastest speaking rates taken: outside them speech stops being useful.
pub const RATES: std::ops::RangeInclusive<f32> = 0.5..=2.0;

impl Voice {
    pub fn sample_rate(&self) -> u32 {
        match self {
            Voice::Piper(voice) => voice.sample_rate(),
            Voice::Kokoro(_) => Kokoro::SAMPLE_RATE,
        }
    }

    /// One sentence of text at `rate` (2 = twice as fast). A sentence with nothing to say
    /// (no phoneme the voice knows) is empty audio, not an error.
    pub fn speak(
        &self,
        phonemizer: &Phonemizer,
        sentence: &str,
        rate: f32,
        rng: &mut Rng,
    ) -> Result<Speech> {
        if !(rate.is_finite() && RATES.contains(&rate)) {
            return Err(ModelError::Unsupported(format!(
                "speaking rate {rate} (from {} to {})",
                RATES.start(),
                RATES.end()
            )));
        }
        let misaki = phonemizer.phonemize(sentence).phonemes;
        match self {
            Voice::Piper(voice) => {
                let ipa: String = to_espeak(&misaki)
                    .chars()
                    .filter(|c| voice.config().knows(*c))
                    .collect();
                let sample_rate = voice.sample_rate();
                if !ipa.chars().any(char::is_alphabetic) {
                    return Ok(Speech {
                        samples: Vec::new(),
                        sample_rate,
                        phonemes: ipa,
                    });
                }
                let ids = voice.phoneme_ids(&ipa)?;
                let defaults = voice.config().inference;
                let scales = Scales {
                    length_scale: defaults.length_scale / rate,
                    ..defaults
                };
                let synthesis = voice.synthesize(&ids, scales, rng)?;
                Ok(Speech {
                    samples: synthesis.samples,
                    sample_rate,
                    phonemes: ipa,
                })
            }
            Voice::Kokoro(kokoro) => {
                let ids = kokoro.vocab.ids(&misaki);
                let sample_rate = Kokoro::SAMPLE_RATE;
                if !misaki.chars().any(char::is_alphabetic) || ids.is_empty() {
                    return Ok(Speech {
                        samples: Vec::new(),
                        sample_rate,
                        phonemes: misaki,
                    });
                }
                let passes =
                    kokoro
                        .model
                        .synthesize_long(&ids, &kokoro.breaks(), &kokoro.pack, rate)?;
                Ok(Speech {
                    samples: passes.into_iter().flat_map(|p| p.pcm).collect(),
                    sample_rate,
                    phonemes: misaki,
                })
            }
        }
    }
}
