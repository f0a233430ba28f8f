//! Written English to words a dictionary can read.

/// Letters with accents to plain ASCII letters ("café" -> "cafe"), other characters kept.
pub fn fold_to_ascii(text: &str) -> String {
    text.to_string()
}

pub fn normalize(text: &str) -> String {
    text.to_string()
}
