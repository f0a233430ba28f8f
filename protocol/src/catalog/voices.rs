//! The voices the catalog offers, one per speaker: a single-voice model (a Piper voice) is one
//! voice, a model with voice packs (Kokoro's `voices/NAME.bin` files) one per pack. Each has
//! the id `speak` and `SpeechStyle` take (`<model id>` or `<model id>:<pack>`), the short name
//! people and the CLI use (`piper:joe`, `kokoro:af_heart`) and the language it speaks.

use super::{ModelEntry, Role, Task};

/// Where a model keeps its voice packs, one `NAME.bin` per voice.
const PACKS: &str = "voices/";

/// One voice to choose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoiceOption {
    /// What `speak` takes: the model's id, then `:` and the pack for a model with packs.
    pub id: String,
    pub model_id: String,
    /// `piper:joe`, `kokoro:af_heart`.
    pub short: String,
    /// The speaker's name as the family gives it (`joe`, `af_heart`).
    pub name: String,
    /// A BCP 47 tag (`en-US`, `en-GB`) to group voices by.
    pub language: String,
}

/// A voice id as the model's id and, for a model with packs, the pack's name.
pub fn split_voice_id(id: &str) -> (&str, Option<&str>) {
    match id.split_once(':') {
        Some((model, pack)) => (model, Some(pack)),
        None => (id, None),
    }
}

/// The voice packs a model carries, in catalog order (none for a single-voice model).
pub fn voice_packs(entry: &ModelEntry) -> Vec<&str> {
    entry
        .files
        .iter()
        .filter_map(|f| f.name.strip_prefix(PACKS)?.strip_suffix(".bin"))
        .collect()
}

/// Every voice of the TTS models among `entries`, in catalog order.
pub fn voices<E: AsRef<ModelEntry>>(entries: &[E]) -> Vec<VoiceOption> {
    let mut out = Vec::new();
    for entry in entries.iter().map(AsRef::as_ref) {
        if entry.task != Task::Tts || entry.role != Role::Model {
            continue;
        }
        let family = entry.id.split('-').next().unwrap_or(&entry.id);
        let packs = voice_packs(entry);
        if packs.is_empty() {
            // Piper names its voices `<family>-<lang>_<REGION>-<name>-<quality>`.
            let parts: Vec<&str> = entry.id.split('-').collect();
            let name = parts.get(2).copied().unwrap_or(&entry.id);
            let language = parts
                .get(1)
                .map(|l| l.replace('_', "-"))
                .unwrap_or_else(|| first_language(entry));
            out.push(VoiceOption {
                id: entry.id.clone(),
                model_id: entry.id.clone(),
                short: format!("{family}:{name}"),
                name: name.to_string(),
                language,
            });
            continue;
        }
        for pack in packs {
            out.push(VoiceOption {
                id: format!("{}:{pack}", entry.id),
                model_id: entry.id.clone(),
                short: format!("{family}:{pack}"),
                name: pack.to_string(),
                language: pack_language(pack).unwrap_or_else(|| first_language(entry)),
            });
        }
    }
    out
}

/// The voice that fits this machine: of the voice models measured faster than real time here
/// (`speeds`: model id and real-time factor, from `measure_voice_speed`), the one that needs
/// the most memory (the richer voice); when none is, the one that needs the least (the
/// cheapest to run). Voices of models not measured count as too slow, except the cheapest,
/// which is the fallback anyway. `None` when the catalog has no voice.
pub fn voice_for_machine<E: AsRef<ModelEntry>>(
    entries: &[E],
    speeds: &[(String, f64)],
) -> Option<VoiceOption> {
    let all = voices(entries);
    let ram = |option: &VoiceOption| {
        entries
            .iter()
            .map(AsRef::as_ref)
            .find(|e| e.id == option.model_id)
            .map_or(u64::MAX, |e| e.ram_bytes)
    };
    let fast = |option: &VoiceOption| {
        speeds
            .iter()
            .any(|(id, rtf)| split_voice_id(id).0 == option.model_id && *rtf < 1.0)
    };
    // Reversed: of equals, `max_by_key` keeps the last, and the catalog's first voice should win.
    all.iter()
        .rev()
        .filter(|v| fast(v))
        .max_by_key(|v| ram(v))
        .or_else(|| all.iter().min_by_key(|v| ram(v)))
        .cloned()
}

/// Kokoro's packs begin with their language and accent: `a` American, `b` British English.
fn pack_language(pack: &str) -> Option<String> {
    match pack.chars().next()? {
        'a' => Some("en-US".into()),
        'b' => Some("en-GB".into()),
        _ => None,
    }
}

fn first_language(entry: &ModelEntry) -> String {
    entry.languages.first().cloned().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Catalog;

    #[test]
    fn the_builtin_catalog_offers_piper_joe_and_each_kokoro_pack() {
        let catalog = Catalog::builtin();
        let voices = voices(&catalog.models);
        let shorts: Vec<&str> = voices.iter().map(|v| v.short.as_str()).collect();
        assert!(shorts.contains(&"piper:joe"), "{shorts:?}");
        assert!(shorts.contains(&"kokoro:af_heart"), "{shorts:?}");
        let heart = voices
            .iter()
            .find(|v| v.short == "kokoro:af_heart")
            .unwrap();
        assert_eq!(heart.id, "kokoro-82m-v1.0-int8:af_heart");
        assert_eq!(heart.language, "en-US");
        let emma = voices.iter().find(|v| v.short == "kokoro:bf_emma").unwrap();
        assert_eq!(emma.language, "en-GB");
        let joe = voices.iter().find(|v| v.short == "piper:joe").unwrap();
        assert_eq!(
            (joe.id.as_str(), joe.language.as_str()),
            ("piper-en_US-joe-medium", "en-US")
        );
        assert!(
            voices.iter().all(|v| !v.model_id.starts_with("g2p")),
            "assets are no voice"
        );
        assert_eq!(
            split_voice_id(&heart.id),
            ("kokoro-82m-v1.0-int8", Some("af_heart"))
        );
        assert_eq!(split_voice_id(&joe.id), ("piper-en_US-joe-medium", None));
    }

    #[test]
    fn kokoro_is_the_default_only_where_it_was_measured_faster_than_real_time() {
        let models = Catalog::builtin().models;
        let pick = |speeds: &[(&str, f64)]| {
            let speeds: Vec<(String, f64)> = speeds
                .iter()
                .map(|(id, rtf)| (id.to_string(), *rtf))
                .collect();
            voice_for_machine(&models, &speeds).map(|v| v.short)
        };
        let kokoro = "kokoro-82m-v1.0-int8:af_heart";
        let piper = "piper-en_US-joe-medium";
        assert_eq!(pick(&[]).as_deref(), Some("piper:joe"), "nothing measured");
        assert_eq!(
            pick(&[(kokoro, 0.6), (piper, 0.1)]).as_deref(),
            Some("kokoro:af_heart")
        );
        assert_eq!(
            pick(&[(kokoro, 1.4), (piper, 0.1)]).as_deref(),
            Some("piper:joe")
        );
        assert_eq!(
            pick(&[(kokoro, 1.4), (piper, 1.2)]).as_deref(),
            Some("piper:joe")
        );
    }
}
