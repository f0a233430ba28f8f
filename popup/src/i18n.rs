//! The UI's words and numbers in the browser's language: `t`, `t_with` and `tn` read
//! `_locales/<lang>/messages.json` through `chrome.i18n.getMessage` (substitutions fill the
//! messages' `$1`..`$9` placeholders), numbers and sizes go through `Intl` in
//! `chrome.i18n.getUILanguage()`. A key missing from the catalog is loud: a console error, and
//! the key itself on screen (never an empty control).
//!
//! Natively (unit tests) the English catalog is compiled in and read the same way, so the tests
//! see the words an English browser shows.

/// A message with substitutions; `key` must be in `_locales/en/messages.json`.
pub fn t_with(key: &str, substitutions: &[&str]) -> String {
    let text = backend::message(key, substitutions);
    if text.is_empty() {
        backend::complain(key);
        return key.to_string();
    }
    text
}

/// A message without substitutions.
pub fn t(key: &str) -> String {
    t_with(key, &[])
}

/// A message about `count` things: `<key>_one` or `<key>_other` as the language's plural rules
/// say, with the count (formatted for the language) as the first substitution.
pub fn tn(key: &str, count: u64, more: &[&str]) -> String {
    let form = backend::plural_category(count);
    let number = number(count as f64, 0);
    let mut substitutions = vec![number.as_str()];
    substitutions.extend_from_slice(more);
    t_with(&format!("{key}_{form}"), &substitutions)
}

/// The browser's interface language, a BCP 47 tag ("en-US", "de").
pub fn ui_language() -> String {
    backend::ui_language()
}

/// `value` written the language's way, with at most `fraction_digits` decimals.
pub fn number(value: f64, fraction_digits: u32) -> String {
    backend::number(value, fraction_digits, None)
}

/// A size in megabytes (10^6 bytes), "120 MB".
pub fn megabytes(bytes: u64) -> String {
    backend::number(bytes as f64 / 1e6, 0, Some("megabyte"))
}

/// A stored file's size: bytes below a kilobyte, then kilobytes, then megabytes (10^3, 10^6),
/// with one decimal ("103 byte", "1.2 kB", "3.4 MB").
pub fn file_size(bytes: u64) -> String {
    match bytes {
        0..1000 => backend::number(bytes as f64, 0, Some("byte")),
        1000..1_000_000 => backend::number(bytes as f64 / 1e3, 1, Some("kilobyte")),
        _ => backend::number(bytes as f64 / 1e6, 1, Some("megabyte")),
    }
}

/// Sets `<html lang>` and `dir` to the language the browser shows the UI in.
pub fn set_document_language() {
    let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    else {
        return;
    };
    let _ = root.set_attribute("lang", &backend::ui_language());
    let _ = root.set_attribute("dir", &backend::message("@@bidi_dir", &[]));
}

#[cfg(target_arch = "wasm32")]
mod backend {
    use js_sys::{Array, Intl, Object, Reflect};
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(js_namespace = ["chrome", "i18n"], js_name = getMessage)]
        fn get_message(key: &str, substitutions: Array) -> Option<String>;
        #[wasm_bindgen(js_namespace = ["chrome", "i18n"], js_name = getUILanguage)]
        fn get_ui_language() -> String;
    }

    pub fn message(key: &str, substitutions: &[&str]) -> String {
        let list: Array = substitutions.iter().map(|s| JsValue::from_str(s)).collect();
        get_message(key, list).unwrap_or_default()
    }

    pub fn complain(key: &str) {
        web_sys::console::error_1(&JsValue::from_str(&format!(
            "Lantern i18n: no message {key:?} in _locales (shown as its key)"
        )));
    }

    pub fn ui_language() -> String {
        get_ui_language()
    }

    fn locales() -> Array {
        Array::of1(&JsValue::from_str(&get_ui_language()))
    }

    fn options(pairs: &[(&str, JsValue)]) -> Object {
        let object = Object::new();
        for (key, value) in pairs {
            let _ = Reflect::set(&object, &JsValue::from_str(key), value);
        }
        object
    }

    pub fn number(value: f64, fraction_digits: u32, unit: Option<&str>) -> String {
        let mut pairs = vec![(
            "maximumFractionDigits",
            JsValue::from_f64(fraction_digits.into()),
        )];
        if let Some(unit) = unit {
            pairs.push(("style", JsValue::from_str("unit")));
            pairs.push(("unit", JsValue::from_str(unit)));
        }
        let format = Intl::NumberFormat::new(&locales(), &options(&pairs)).format();
        format
            .call1(&JsValue::NULL, &JsValue::from_f64(value))
            .ok()
            .and_then(|s| s.as_string())
            .unwrap_or_else(|| value.to_string())
    }

    pub fn plural_category(count: u64) -> String {
        let rules = Intl::PluralRules::new(&locales(), &Object::new());
        // Only "one" and "other" are in the catalog; other categories (few, many) of languages
        // that have them read "other" until such a language is added.
        match rules.select(count as f64).as_string().as_deref() {
            Some("one") => "one".into(),
            _ => "other".into(),
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod backend {
    use std::collections::HashMap;
    use std::sync::OnceLock;

    /// key -> (message, placeholder name -> "$n")
    type Catalog = HashMap<String, (String, HashMap<String, String>)>;

    fn english() -> &'static Catalog {
        static CATALOG: OnceLock<Catalog> = OnceLock::new();
        CATALOG.get_or_init(|| {
            let json: serde_json::Value =
                serde_json::from_str(include_str!("../../_locales/en/messages.json"))
                    .unwrap_or_default();
            let mut catalog = Catalog::new();
            for (key, entry) in json.as_object().into_iter().flatten() {
                let message = entry["message"].as_str().unwrap_or_default().to_string();
                let placeholders = entry["placeholders"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(name, p)| {
                        let content = p["content"].as_str().unwrap_or_default();
                        (name.to_lowercase(), content.to_string())
                    })
                    .collect();
                catalog.insert(key.to_lowercase(), (message, placeholders));
            }
            catalog
        })
    }

    /// Chromium's rules: `$name$` becomes its placeholder's content, then `$1`..`$9` the
    /// substitutions; keys and placeholder names ignore case.
    pub fn message(key: &str, substitutions: &[&str]) -> String {
        if key == "@@bidi_dir" {
            return "ltr".into();
        }
        let Some((message, placeholders)) = english().get(&key.to_lowercase()) else {
            return String::new();
        };
        let mut text = String::new();
        let mut rest = message.as_str();
        while let Some(start) = rest.find('$') {
            text.push_str(&rest[..start]);
            let after = &rest[start + 1..];
            match after.find('$') {
                Some(end) if placeholders.contains_key(&after[..end].to_lowercase()) => {
                    text.push_str(&placeholders[&after[..end].to_lowercase()]);
                    rest = &after[end + 1..];
                }
                _ => {
                    text.push('$');
                    rest = after;
                }
            }
        }
        text.push_str(rest);
        for (i, value) in substitutions.iter().enumerate().rev() {
            text = text.replace(&format!("${}", i + 1), value);
        }
        text
    }

    pub fn complain(key: &str) {
        eprintln!("Lantern i18n: no message {key:?} in _locales (shown as its key)");
    }

    pub fn ui_language() -> String {
        "en".into()
    }

    pub fn number(value: f64, fraction_digits: u32, unit: Option<&str>) -> String {
        let digits = fraction_digits as usize;
        let text = format!("{value:.digits$}");
        match unit {
            Some("megabyte") => format!("{text} MB"),
            Some("kilobyte") => format!("{text} kB"),
            Some("byte") => format!("{text} byte"),
            _ => text,
        }
    }

    pub fn plural_category(count: u64) -> String {
        if count == 1 { "one" } else { "other" }.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_take_their_substitutions() {
        assert_eq!(tn("importedChats", 1, &[]), "Imported 1 chat.");
        assert_eq!(tn("importedChats", 3, &[]), "Imported 3 chats.");
        assert_eq!(
            t_with("downloadingModel", &["Tiny", "1 MB of 2 MB"]),
            "Downloading Tiny: 1 MB of 2 MB"
        );
    }

    #[test]
    fn a_missing_key_shows_itself() {
        assert_eq!(t("noSuchKeyAnywhere"), "noSuchKeyAnywhere");
    }
}
