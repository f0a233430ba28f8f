//! Joining a catalog's base URL and a file path. Deliberately small: catalogs only ever need
//! "absolute stays absolute, relative goes under the base", so no URL crate is pulled into wasm.

/// Whether `text` starts with a URL scheme such as `https:` (letters, digits, `+-.`, then `:`).
pub(crate) fn has_scheme(text: &str) -> bool {
    let Some((scheme, _)) = text.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// The URL of `path` under `base`. An absolute `path` is returned as it is; an empty `base`
/// leaves `path` relative. Exactly one `/` separates the two, whether or not `base` ends in one.
pub fn resolve_url(base: &str, path: &str) -> String {
    if has_scheme(path) || base.is_empty() {
        return path.to_string();
    }
    format!(
        "{}/{}",
        base.trim_end_matches('/'),
        path.trim_start_matches('/')
    )
}

/// A relative `base` made absolute against the folder of `catalog_url` (the part up to its
/// last `/`, query and fragment dropped). An absolute `base` is kept.
pub(crate) fn rebase(catalog_url: &str, base: &str) -> String {
    if has_scheme(base) {
        return base.to_string();
    }
    let without_query = catalog_url.split(['?', '#']).next().unwrap_or(catalog_url);
    let folder = match without_query.rfind('/') {
        Some(slash) => &without_query[..=slash],
        None => "",
    };
    let relative = base.strip_prefix("./").unwrap_or(base);
    let relative = if relative == "." { "" } else { relative };
    format!("{folder}{relative}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_with_exactly_one_slash() {
        let want = "https://huggingface.co/openai/whisper-base/resolve/main/config.json";
        let path = "openai/whisper-base/resolve/main/config.json";
        assert_eq!(resolve_url("https://huggingface.co", path), want);
        assert_eq!(resolve_url("https://huggingface.co/", path), want);
        assert_eq!(
            resolve_url("http://127.0.0.1:8799/models/", "a/b.bin"),
            "http://127.0.0.1:8799/models/a/b.bin"
        );
        assert_eq!(
            resolve_url("http://127.0.0.1:8799/models", "a/b.bin"),
            "http://127.0.0.1:8799/models/a/b.bin"
        );
    }

    #[test]
    fn absolute_paths_and_empty_bases_are_kept() {
        let raw = "https://raw.githubusercontent.com/o/r/v1/f.bin";
        assert_eq!(resolve_url("https://huggingface.co/", raw), raw);
        assert_eq!(
            resolve_url("", "whisper-base/config.json"),
            "whisper-base/config.json"
        );
    }

    #[test]
    fn relative_bases_rebase_on_the_catalog_folder() {
        let at = "http://127.0.0.1:8799/catalog.json?fresh=1";
        assert_eq!(rebase(at, ""), "http://127.0.0.1:8799/");
        assert_eq!(rebase(at, "."), "http://127.0.0.1:8799/");
        assert_eq!(rebase(at, "./files/"), "http://127.0.0.1:8799/files/");
        assert_eq!(rebase("http://h/m/catalog.json", "x"), "http://h/m/x");
        assert_eq!(
            rebase(at, "https://huggingface.co/"),
            "https://huggingface.co/"
        );
    }

    #[test]
    fn schemes_are_recognised() {
        assert!(has_scheme("https://x"));
        assert!(has_scheme("chrome-extension://abc/"));
        assert!(!has_scheme("openai/whisper-base/resolve/main/config.json"));
        assert!(!has_scheme("a/b:c"));
        assert!(!has_scheme("1http://x"));
    }
}
