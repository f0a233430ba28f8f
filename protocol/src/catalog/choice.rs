//! Which entries serve a need, read from the entries' own data (task, role, default, `languages`,
//! `requires`) and never guessed from their ids: the speech model for a language, and what an
//! entry needs installed before it can run. The engine asks the `Catalog`; the UI asks the
//! `ModelList` it was sent (same entries, with their install state); both get the same answer
//! from the two functions here.

use super::{Catalog, ModelEntry, Role, Task};

impl ModelEntry {
    /// Whether the model understands or speaks `language` (ISO 639-1): it lists it, or lists no
    /// language at all.
    pub fn knows_language(&self, language: &str) -> bool {
        self.languages.is_empty() || self.languages.iter().any(|l| l == language)
    }
}

impl Catalog {
    /// The speech-to-text model for `language` (ISO 639-1; `None` to detect it): among the
    /// models that know the language, an installed one before one to download, the default
    /// before the others, then catalog order. So English gets the default (Whisper tiny.en)
    /// unless only a multilingual model is installed, and German a multilingual Whisper. `None`
    /// when no speech model knows the language. `installed` says whether an id is installed.
    pub fn speech_model_for(
        &self,
        language: Option<&str>,
        installed: impl Fn(&str) -> bool,
    ) -> Option<&ModelEntry> {
        speech_model_for(&self.models, language, |m| installed(&m.id))
    }

    /// The entries `entry` needs installed before it runs: its `requires`, each one's own
    /// requirements before it, each entry once, in the order to install them. Ids this catalog
    /// does not list are skipped (`validate` refuses them in a catalog; an imported model may
    /// name one).
    pub fn requirements(&self, entry: &ModelEntry) -> Vec<&ModelEntry> {
        requirements(&self.models, entry)
    }
}

/// [`Catalog::speech_model_for`] over any list of entries (`M` is an entry, or an entry with its
/// state).
pub(crate) fn speech_model_for<'a, M: AsRef<ModelEntry>>(
    models: &'a [M],
    language: Option<&str>,
    installed: impl Fn(&M) -> bool,
) -> Option<&'a M> {
    models
        .iter()
        .filter(|m| {
            let entry = m.as_ref();
            entry.task == Task::Stt
                && entry.role == Role::Model
                && language.is_none_or(|l| entry.knows_language(l))
        })
        // `min_by_key` keeps the first of equals: catalog order breaks ties.
        .min_by_key(|m| (!installed(m), !m.as_ref().default))
}

/// [`Catalog::requirements`] over any list of entries.
pub(crate) fn requirements<'a, M: AsRef<ModelEntry>>(
    models: &'a [M],
    entry: &ModelEntry,
) -> Vec<&'a M> {
    let mut seen = vec![entry.id.clone()];
    let mut needed = Vec::new();
    add_requirements(models, entry, &mut seen, &mut needed);
    needed
}

/// Depth first, so a requirement's requirements come before it; `seen` ends cycles.
fn add_requirements<'a, M: AsRef<ModelEntry>>(
    models: &'a [M],
    entry: &ModelEntry,
    seen: &mut Vec<String>,
    needed: &mut Vec<&'a M>,
) {
    for id in &entry.requires {
        if seen.contains(id) {
            continue;
        }
        seen.push(id.clone());
        if let Some(required) = models.iter().find(|m| m.as_ref().id == *id) {
            add_requirements(models, required.as_ref(), seen, needed);
            needed.push(required);
        }
    }
}

impl AsRef<ModelEntry> for ModelEntry {
    fn as_ref(&self) -> &ModelEntry {
        self
    }
}
