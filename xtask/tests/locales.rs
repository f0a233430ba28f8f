//! The message catalogs in `_locales/` against each other and against the code: every language
//! has exactly English's keys and placeholders, every key the code or manifest asks for exists,
//! and every key is used somewhere.
//!
//! The code's call forms are `t("key")`, `t_with("key", ..)`, `tn("key", ..)` (plural: the
//! catalog holds `key_one` and `key_other`) in the UI and `chrome::message("key")` in the background;
//! the manifest's are `__MSG_key__`. The first argument must be a string literal, so every key
//! can be checked here (popup/src/i18n.rs, which forwards keys, is the one exception).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// key -> (message, placeholder name -> content), keys and names lowercased as Chromium reads
/// them.
type Catalog = BTreeMap<String, (String, BTreeMap<String, String>)>;

fn catalog(lang: &str) -> Catalog {
    let path = root().join(format!("_locales/{lang}/messages.json"));
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let json: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{lang}: {e}"));
    let mut out = Catalog::new();
    for (key, entry) in json.as_object().expect("an object of messages") {
        assert!(
            key.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '@'),
            "{lang}: {key:?} is not a valid message name"
        );
        let message = entry["message"]
            .as_str()
            .unwrap_or_else(|| panic!("{lang}: {key} has no message"));
        assert!(!message.trim().is_empty(), "{lang}: {key} is empty");
        let placeholders = entry["placeholders"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(name, p)| {
                let content = p["content"].as_str().unwrap_or_default();
                (name.to_lowercase(), content.to_string())
            })
            .collect();
        out.insert(key.to_lowercase(), (message.to_string(), placeholders));
    }
    out
}

/// The `$name$` references of a message, lowercased.
fn references(message: &str) -> BTreeSet<String> {
    let parts: Vec<&str> = message.split('$').collect();
    // Between two dollars: a name when it is one word (a lone "$" or "$1" is not a reference).
    (1..parts.len().saturating_sub(1))
        .filter(|i| {
            !parts[*i].is_empty()
                && parts[*i]
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_')
                && parts[*i].chars().any(|c| c.is_ascii_alphabetic())
        })
        .map(|i| parts[i].to_lowercase())
        .collect()
}

fn languages() -> Vec<String> {
    let mut langs: Vec<String> = fs::read_dir(root().join("_locales"))
        .expect("_locales/ exists")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    langs.sort();
    langs
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir)
        .expect("source folder")
        .filter_map(|e| e.ok())
    {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The keys a source asks for through `call("key"`; fails on a call whose key is not a literal.
fn called_keys(source: &str, call: &str, file: &Path, keys: &mut BTreeSet<String>) {
    let pattern = format!("{call}(");
    let mut from = 0;
    while let Some(found) = source[from..].find(&pattern) {
        let start = from + found;
        from = start + pattern.len();
        let before = source[..start].chars().next_back();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        // `fn t(` is the definition, not a call.
        if source[..start].trim_end().ends_with("fn") {
            continue;
        }
        let rest = source[from..].trim_start();
        let Some(literal) = rest.strip_prefix('"') else {
            panic!(
                "{}: {call}(..) with a key that is not a string literal: {}",
                file.display(),
                rest.lines().next().unwrap_or_default()
            );
        };
        let key = &literal[..literal.find('"').expect("a closed literal")];
        if call == "tn" {
            keys.insert(format!("{key}_one").to_lowercase());
            keys.insert(format!("{key}_other").to_lowercase());
        } else {
            keys.insert(key.to_lowercase());
        }
    }
}

/// Every key the UI, the background and the manifest ask for.
fn used_keys() -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    let mut files = Vec::new();
    rust_files(&root().join("popup/src"), &mut files);
    rust_files(&root().join("background/src"), &mut files);
    for file in files {
        if file.ends_with("popup/src/i18n.rs") {
            continue;
        }
        let text = fs::read_to_string(&file).expect("readable source");
        // Unit tests may ask for missing keys on purpose.
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for call in ["t", "t_with", "tn", "chrome::message"] {
            called_keys(code, call, &file, &mut keys);
        }
    }
    let manifest = fs::read_to_string(root().join("manifest.json")).expect("manifest.json");
    for piece in manifest.split("__MSG_").skip(1) {
        let key = &piece[..piece.find("__").expect("__MSG_key__ is closed")];
        keys.insert(key.to_lowercase());
    }
    keys
}

#[test]
fn every_language_has_englishs_keys_and_placeholders() {
    let english = catalog("en");
    let langs = languages();
    assert!(langs.len() >= 2, "English and at least one more: {langs:?}");
    for lang in langs {
        let other = catalog(&lang);
        let missing: Vec<_> = english.keys().filter(|k| !other.contains_key(*k)).collect();
        let extra: Vec<_> = other.keys().filter(|k| !english.contains_key(*k)).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{lang}: missing {missing:?}, not in English {extra:?}"
        );
        for (key, (message, placeholders)) in &other {
            let (_, english_placeholders) = &english[key];
            assert_eq!(
                placeholders, english_placeholders,
                "{lang}: {key} has other placeholders than English"
            );
            assert_eq!(
                references(message),
                placeholders.keys().cloned().collect::<BTreeSet<_>>(),
                "{lang}: {key} must use each of its placeholders, and only those: {message:?}"
            );
        }
    }
}

#[test]
fn every_key_the_code_asks_for_is_in_english_and_every_english_key_is_asked_for() {
    let english = catalog("en");
    let used = used_keys();
    let missing: Vec<_> = used.iter().filter(|k| !english.contains_key(*k)).collect();
    assert!(
        missing.is_empty(),
        "asked for but not in _locales/en: {missing:?}"
    );
    let unused: Vec<_> = english.keys().filter(|k| !used.contains(*k)).collect();
    assert!(
        unused.is_empty(),
        "in _locales/en but used nowhere: {unused:?}"
    );
}

#[test]
fn the_reference_finder_reads_names_not_amounts() {
    assert_eq!(
        references("$count$ of $TOTAL$ for $5"),
        ["count", "total"].map(String::from).into()
    );
    assert!(references("costs $1 and $2").is_empty());
}
