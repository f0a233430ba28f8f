//! Language tags (`<html lang>`, `navigator.language`) to the English names a prompt uses.

/// The English name of a BCP 47 tag's language ("fr-CA" -> "French"), `None` when unknown.
pub fn language_name(tag: &str) -> Option<&'static str> {
    let primary = tag
        .trim()
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    Some(match primary.as_str() {
        "en" => "English",
        "fr" => "French",
        "de" => "German",
        "es" => "Spanish",
        "it" => "Italian",
        "pt" => "Portuguese",
        "nl" => "Dutch",
        "sv" => "Swedish",
        "da" => "Danish",
        "no" | "nb" | "nn" => "Norwegian",
        "fi" => "Finnish",
        "pl" => "Polish",
        "cs" => "Czech",
        "sk" => "Slovak",
        "hu" => "Hungarian",
        "ro" => "Romanian",
        "el" => "Greek",
        "tr" => "Turkish",
        "ru" => "Russian",
        "uk" => "Ukrainian",
        "ar" => "Arabic",
        "he" => "Hebrew",
        "hi" => "Hindi",
        "zh" => "Chinese",
        "ja" => "Japanese",
        "ko" => "Korean",
        "vi" => "Vietnamese",
        "id" => "Indonesian",
        "th" => "Thai",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::language_name;

    #[test]
    fn tags_with_regions_name_their_language() {
        assert_eq!(language_name("fr-CA"), Some("French"));
        assert_eq!(language_name("EN_us"), Some("English"));
        assert_eq!(language_name("x-klingon"), None);
        assert_eq!(language_name(""), None);
    }
}
