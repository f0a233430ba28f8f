//! The article's title from the page's `<title>`: cut the site name off ("Story | Site",
//! "Site - Story", "Site: Story") unless that leaves too little, and fall back to the page's one
//! `<h1>` when the title is missing, tiny or huge. Also the word-overlap similarity used to
//! recognise a heading that repeats the title.

use crate::dom::{Dom, normalize_space};

/// Characters that separate a title from a site or section name when surrounded by spaces.
const SEPARATORS: &[char] = &['|', '-', '–', '—', '\\', '/', '>', '»'];
/// The separators that suggest a path ("Home > News > Story") rather than "Story | Site".
const HIERARCHICAL: &[char] = &['\\', '/', '>', '»'];

/// The `<title>` text as a browser reports `document.title`: whitespace collapsed.
pub(crate) fn raw_title(dom: &Dom) -> String {
    dom.descendants(dom.document())
        .into_iter()
        .find(|&n| dom.is(n, "title") && dom.element(n).is_some_and(|e| e.html))
        .map(|n| normalize_space(&dom.text_content(n)))
        .unwrap_or_default()
}

/// The page title with site-name decoration removed.
pub(crate) fn clean_title(dom: &Dom) -> String {
    let original = raw_title(dom);
    let mut title = original.clone();
    let separators = separator_positions(&original);
    let mut hierarchical = false;

    if let Some(&(last, _, _)) = separators.last() {
        hierarchical = separators
            .iter()
            .any(|&(_, _, c)| HIERARCHICAL.contains(&c));
        title = original[..last].to_owned();
        if word_count(&title) < 3 {
            // "Site | Story": drop the first part instead.
            title = match original.find(SEPARATORS) {
                Some(at) => original[at..].chars().skip(1).collect(),
                None => original.clone(),
            };
        }
    } else if original.contains(": ") {
        let is_a_heading = dom.descendants(dom.document()).into_iter().any(|n| {
            (dom.is(n, "h1") || dom.is(n, "h2")) && dom.text_content(n).trim() == original
        });
        if !is_a_heading {
            let (first, last) = (original.find(':'), original.rfind(':'));
            if let (Some(first), Some(last)) = (first, last) {
                title = original[last + 1..].to_owned();
                if word_count(&title) < 3 {
                    title = original[first + 1..].to_owned();
                } else if word_count(&original[..first]) > 5 {
                    // A long text before the colon is no site name; the colon is part of the title.
                    title = original.clone();
                }
            }
        }
    } else {
        let length = original.chars().count();
        if !(15..=150).contains(&length) {
            let h1s = dom.descendants_named(dom.document(), &["h1"]);
            if let [h1] = h1s.as_slice() {
                title = dom.inner_text(*h1);
            }
        }
    }

    title = normalize_space(&title);
    let words = word_count(&title);
    // Four words or fewer is likely a fragment, unless it is exactly the title minus one
    // hierarchical crumb.
    if words <= 4 && (!hierarchical || words + 1 != word_count(&without_separators(&original))) {
        title = original;
    }
    title
}

/// Separators standing between whitespace, left to right without overlaps: each as the byte
/// range of whitespace, separator and whitespace, with the separator.
fn separator_positions(title: &str) -> Vec<(usize, usize, char)> {
    let chars: Vec<(usize, char)> = title.char_indices().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i + 2 < chars.len() {
        let (start, before) = chars[i];
        let (_, sep) = chars[i + 1];
        let (at, after) = chars[i + 2];
        if before.is_whitespace() && after.is_whitespace() && SEPARATORS.contains(&sep) {
            found.push((start, at + after.len_utf8(), sep));
            i += 3;
        } else {
            i += 1;
        }
    }
    found
}

fn without_separators(title: &str) -> String {
    let mut out = String::with_capacity(title.len());
    let mut from = 0;
    for (start, end, _) in separator_positions(title) {
        out.push_str(&title[from..start]);
        from = end;
    }
    out.push_str(&title[from..]);
    out
}

/// Words as `split(/\s+/)` counts them: one more than the runs of whitespace, so a leading or
/// trailing space counts as an (empty) word. The length rules above were tuned on that count.
fn word_count(text: &str) -> usize {
    let mut runs = 0;
    let mut in_space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            if !in_space {
                runs += 1;
            }
            in_space = true;
        } else {
            in_space = false;
        }
    }
    runs + 1
}

fn tokens(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

/// How much of `b` is also in `a`: 1 when every word of `b` appears in `a`, 0 when none does,
/// weighted by the length of the words.
pub(crate) fn similarity(a: &str, b: &str) -> f64 {
    let (a, b) = (tokens(a), tokens(b));
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    // A set: a long text against a long text stays linear.
    let a: std::collections::HashSet<&String> = a.iter().collect();
    let unique: Vec<&str> = b
        .iter()
        .filter(|t| !a.contains(t))
        .map(String::as_str)
        .collect();
    let unique_len = unique.join(" ").chars().count() as f64;
    let b_len = b.join(" ").chars().count() as f64;
    1.0 - unique_len / b_len
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_html;

    fn title_of(title: &str, body: &str) -> String {
        clean_title(&parse_html(&format!(
            "<html><head><title>{title}</title></head><body>{body}</body></html>"
        )))
    }

    #[test]
    fn trailing_site_name_is_cut() {
        assert_eq!(
            title_of("How to grow tomatoes indoors | Garden Weekly", ""),
            "How to grow tomatoes indoors"
        );
        assert_eq!(
            title_of("Why the sky is blue – Science Site", ""),
            "Why the sky is blue"
        );
    }

    #[test]
    fn leading_site_name_is_cut_when_the_tail_is_the_story() {
        assert_eq!(
            title_of("Gardening - How to grow tomatoes indoors", ""),
            "How to grow tomatoes indoors"
        );
    }

    #[test]
    fn short_results_fall_back_to_the_whole_title() {
        assert_eq!(
            title_of("Tomatoes | Garden Weekly", ""),
            "Tomatoes | Garden Weekly"
        );
    }

    #[test]
    fn colon_prefix_is_a_site_unless_a_heading_has_the_whole_title() {
        assert_eq!(
            title_of("Garden Weekly: How to grow tomatoes indoors", ""),
            "How to grow tomatoes indoors"
        );
        assert_eq!(
            title_of(
                "Tomatoes: how to grow them indoors",
                "<h1>Tomatoes: how to grow them indoors</h1>"
            ),
            "Tomatoes: how to grow them indoors"
        );
    }

    #[test]
    fn a_tiny_title_gives_way_to_the_single_h1() {
        assert_eq!(
            title_of("Home", "<h1>A much better and longer title</h1>"),
            "A much better and longer title"
        );
    }

    #[test]
    fn similarity_weighs_shared_words() {
        assert_eq!(similarity("Big news today", "big NEWS today"), 1.0);
        assert_eq!(similarity("alpha", "beta"), 0.0);
        assert!(similarity("the big story", "the big story continues") > 0.5);
    }
}
