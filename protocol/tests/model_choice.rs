//! The catalog's answers to "which speech model for this language" and "what must be installed
//! first", read from `languages` and `requires`. (The UI asks its `ModelList` the same questions;
//! popup's dictation tests cover that door.)

use protocol::*;

fn speech_model(catalog: &Catalog, language: Option<&str>, installed: &[&str]) -> Option<String> {
    catalog
        .speech_model_for(language, |id| installed.contains(&id))
        .map(|m| m.id.clone())
}

fn ids<'a>(entries: impl IntoIterator<Item = &'a ModelEntry>) -> Vec<&'a str> {
    entries.into_iter().map(|m| m.id.as_str()).collect()
}

/// A speech model, not a default, knowing `languages` (none: every language).
fn whisper(id: &str, languages: &[&str]) -> ModelEntry {
    let base = Catalog::builtin()
        .model("whisper-base")
        .expect("whisper-base")
        .clone();
    ModelEntry {
        id: id.into(),
        languages: languages.iter().map(|l| l.to_string()).collect(),
        ..base
    }
}

#[test]
fn english_and_detection_get_the_default_other_languages_a_multilingual_model() {
    let catalog = Catalog::builtin();
    assert_eq!(
        speech_model(&catalog, None, &[]).as_deref(),
        Some("whisper-tiny.en")
    );
    assert_eq!(
        speech_model(&catalog, Some("en"), &[]).as_deref(),
        Some("whisper-tiny.en")
    );
    for language in ["de", "pt", "ja"] {
        assert_eq!(
            speech_model(&catalog, Some(language), &["whisper-tiny.en"]).as_deref(),
            Some("whisper-base"),
            "{language}"
        );
    }
}

#[test]
fn an_installed_model_that_knows_the_language_comes_before_a_download() {
    let mut catalog = Catalog::builtin();
    catalog.models.push(whisper("whisper-small", &[]));
    catalog.models.push(whisper("whisper-german", &["de"]));
    let cases: [(&str, &[&str], &str); 5] = [
        // Nothing installed: the default if it knows the language, else the first that does.
        ("de", &[], "whisper-base"),
        ("de", &["whisper-german"], "whisper-german"),
        ("fr", &["whisper-german", "whisper-small"], "whisper-small"),
        // English with only a multilingual model installed: no download needed.
        ("en", &["whisper-small"], "whisper-small"),
        // Installed too, the default wins.
        (
            "en",
            &["whisper-small", "whisper-tiny.en"],
            "whisper-tiny.en",
        ),
    ];
    for (language, installed, expected) in cases {
        assert_eq!(
            speech_model(&catalog, Some(language), installed).as_deref(),
            Some(expected),
            "{language} with {installed:?}"
        );
    }
}

#[test]
fn assets_and_other_tasks_are_never_the_speech_model() {
    let mut catalog = Catalog::builtin();
    catalog
        .models
        .retain(|m| m.id != "whisper-base" && m.id != "whisper-tiny.en");
    assert_eq!(speech_model(&catalog, None, &["whisper-assets"]), None);
    let mut english_only = Catalog::builtin();
    english_only.models.retain(|m| m.id != "whisper-base");
    assert_eq!(speech_model(&english_only, Some("fr"), &[]), None);
}

#[test]
fn requirements_come_in_install_order_each_once() {
    let catalog = Catalog::builtin();
    for id in ["whisper-tiny.en", "whisper-base"] {
        let model = catalog.model(id).expect("a whisper");
        assert_eq!(ids(catalog.requirements(model)), ["whisper-assets"], "{id}");
    }
    let chat = catalog.default_for(Task::Llm).expect("a chat model");
    assert!(catalog.requirements(chat).is_empty());

    // a needs b and c; b needs c and d; d needs a (a cycle); e is listed nowhere.
    let mut chain = Catalog::builtin();
    let requiring = |id: &str, requires: &[&str]| ModelEntry {
        requires: requires.iter().map(|r| r.to_string()).collect(),
        ..whisper(id, &[])
    };
    chain.models = vec![
        requiring("a", &["b", "c", "e"]),
        requiring("b", &["c", "d"]),
        requiring("c", &[]),
        requiring("d", &["a"]),
    ];
    let a = chain.model("a").expect("a");
    assert_eq!(ids(chain.requirements(a)), ["c", "d", "b"]);
}
