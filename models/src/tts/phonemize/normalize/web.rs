//! Web addresses and email addresses as they are read aloud: "example dot com slash docs",
//! "jane dot doe at example dot org".

use super::numbers;

const TOP_LEVEL: &[&str] = &[
    "com", "org", "net", "edu", "gov", "io", "dev", "ai", "co", "uk", "us", "de", "fr", "app",
    "info", "me", "ly", "tv", "ca", "eu", "ch", "jp", "in", "nl", "au",
];

/// Pieces of an address: letters kept, numbers read, separators spoken.
fn read_piece(piece: &str) -> String {
    let mut out = Vec::new();
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut Vec<String>| {
        if word.is_empty() {
            return;
        }
        if word.chars().all(|c| c.is_ascii_digit()) {
            out.push(numbers::number(word).unwrap_or_else(|| numbers::digits(word)));
        } else {
            out.push(word.clone());
        }
        word.clear();
    };
    let mut last_digit = None;
    for c in piece.chars() {
        let separator = match c {
            '.' => Some("dot"),
            '/' => Some("slash"),
            '-' => Some("dash"),
            '_' => Some("underscore"),
            '@' => Some("at"),
            ':' => Some("colon"),
            '?' | '&' | '=' | '#' | '%' | '~' | '+' => Some(""),
            _ => None,
        };
        if let Some(spoken) = separator {
            flush(&mut word, &mut out);
            if !spoken.is_empty() {
                out.push(spoken.into());
            }
            last_digit = None;
            continue;
        }
        let digit = c.is_ascii_digit();
        if last_digit.is_some_and(|d| d != digit) {
            flush(&mut word, &mut out);
        }
        last_digit = Some(digit);
        word.push(c);
    }
    flush(&mut word, &mut out);
    out.join(" ")
}

fn is_domain(host: &str) -> bool {
    let labels: Vec<&str> = host.split('.').collect();
    labels.len() >= 2
        && labels
            .iter()
            .all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        && labels
            .last()
            .is_some_and(|tld| TOP_LEVEL.contains(&tld.to_ascii_lowercase().as_str()))
}

/// A URL's spoken form (the scheme is not read), or `None` if `word` is not one.
pub fn url(word: &str) -> Option<String> {
    let lower = word.to_ascii_lowercase();
    let has_scheme = lower.starts_with("http://") || lower.starts_with("https://");
    let rest = word.split_once("://").map_or(word, |(_, r)| r);
    let (host, path) = rest.split_once('/').map_or((rest, ""), |(h, p)| (h, p));
    if !has_scheme && !lower.starts_with("www.") && !is_domain(host) {
        return None;
    }
    if !has_scheme && !is_domain(host) {
        return None;
    }
    let host = host.strip_prefix("www.").map_or_else(
        || read_piece(host),
        |h| format!("w w w dot {}", read_piece(h)),
    );
    let path = path.trim_end_matches('/');
    Some(if path.is_empty() {
        host
    } else {
        format!("{host} slash {}", read_piece(path))
    })
}

/// An email address's spoken form, or `None`.
pub fn email(word: &str) -> Option<String> {
    let (local, domain) = word.split_once('@')?;
    let local_ok = !local.is_empty()
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._+-".contains(c));
    (local_ok && is_domain(domain))
        .then(|| format!("{} at {}", read_piece(local), read_piece(domain)))
}
