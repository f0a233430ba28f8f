//! The word lists and tag sets the heuristics test class names, ids and tags against. They carry
//! the experience of Arc90's and Mozilla's Readability; matching is case-insensitive substring
//! search, with no regex engine to carry into the wasm build.

/// Class/id fragments of blocks that are almost never the article (menus, comments, share bars).
const UNLIKELY: &[&str] = &[
    "-ad-",
    "ai2html",
    "banner",
    "breadcrumbs",
    "combx",
    "comment",
    "community",
    "cover-wrap",
    "disqus",
    "extra",
    "footer",
    "gdpr",
    "header",
    "legends",
    "menu",
    "related",
    "remark",
    "replies",
    "rss",
    "shoutbox",
    "sidebar",
    "skyscraper",
    "social",
    "sponsor",
    "supplemental",
    "ad-break",
    "agegate",
    "pagination",
    "pager",
    "popup",
    "yom-remote",
];

/// Fragments that rescue an otherwise unlikely block ("main-header", "article-comments-and-body").
const MAYBE_CANDIDATE: &[&str] = &[
    "and", "article", "body", "column", "content", "main", "mathjax", "shadow",
];

const POSITIVE: &[&str] = &[
    "article",
    "body",
    "content",
    "entry",
    "hentry",
    "h-entry",
    "main",
    "page",
    "pagination",
    "post",
    "text",
    "blog",
    "story",
];

const NEGATIVE: &[&str] = &[
    "-ad-",
    "hidden",
    "banner",
    "combx",
    "comment",
    "com-",
    "contact",
    "footer",
    "gdpr",
    "masthead",
    "media",
    "meta",
    "outbrain",
    "promo",
    "related",
    "scroll",
    "share",
    "shoutbox",
    "sidebar",
    "skyscraper",
    "sponsor",
    "shopping",
    "tags",
    "widget",
];

const BYLINE: &[&str] = &["byline", "author", "dateline", "writtenby", "p-author"];

/// ARIA roles of page furniture rather than content.
pub(crate) const UNLIKELY_ROLES: &[&str] = &[
    "menu",
    "menubar",
    "complementary",
    "navigation",
    "contentinfo",
    "alert",
    "alertdialog",
    "dialog",
];

/// The landmark role an element has without a `role` attribute: site navigation, asides and
/// footers are furniture however they are classed.
pub(crate) fn implicit_role(tag: &str) -> Option<&'static str> {
    match tag {
        "nav" => Some("navigation"),
        "aside" => Some("complementary"),
        "footer" => Some("contentinfo"),
        _ => None,
    }
}

/// Elements that make a `<div>` a container rather than a paragraph in disguise.
pub(crate) const DIV_TO_P_BLOCKS: &[&str] = &[
    "blockquote",
    "dl",
    "div",
    "img",
    "ol",
    "p",
    "pre",
    "table",
    "ul",
];

/// Elements whose text is scored as a paragraph.
pub(crate) const TAGS_TO_SCORE: &[&str] =
    &["section", "h2", "h3", "h4", "h5", "h6", "p", "td", "pre"];

/// Block containers kept as they are when merged into the article (others become `<div>`).
pub(crate) const KEEP_TAG_WHEN_MERGED: &[&str] = &["div", "article", "section", "p", "ol", "ul"];

/// Inline (phrasing) elements, which may sit inside a paragraph. Canvas, iframe, svg and video
/// qualify too, but wrapping them into paragraphs gets them cleaned away, so they are left out.
pub(crate) const PHRASING: &[&str] = &[
    "abbr", "audio", "b", "bdo", "br", "button", "cite", "code", "data", "datalist", "dfn", "em",
    "embed", "i", "img", "input", "kbd", "label", "mark", "math", "meter", "noscript", "object",
    "output", "progress", "q", "ruby", "samp", "script", "select", "small", "span", "strong",
    "sub", "sup", "textarea", "time", "var", "wbr",
];

/// Whole-text contents of placeholder blocks: ad labels and loading spinners, in a few languages.
const AD_OR_LOADING_WORDS: &[&str] = &[
    "ad",
    "advertising",
    "advertisement",
    "pub",
    "publicité",
    "werb",
    "werbung",
    "广告",
    "реклама",
    "anuncio",
    "loading",
    "正在加载",
    "загрузка",
    "chargement",
    "cargando",
];

fn contains_any(haystack: &str, needles: &[&str]) -> bool {
    let lower = haystack.to_lowercase();
    needles.iter().any(|n| lower.contains(n))
}

/// Whether `word` occurs in `text` with no letter or digit directly on either side.
pub(crate) fn has_word(text: &str, word: &str) -> bool {
    let lower = text.to_lowercase();
    lower.match_indices(word).any(|(at, _)| {
        let before = lower[..at].chars().next_back();
        let after = lower[at + word.len()..].chars().next();
        !before.is_some_and(|c| c.is_alphanumeric()) && !after.is_some_and(|c| c.is_alphanumeric())
    })
}

pub(crate) fn is_unlikely_candidate(class_and_id: &str) -> bool {
    contains_any(class_and_id, UNLIKELY) && !contains_any(class_and_id, MAYBE_CANDIDATE)
}

pub(crate) fn is_positive(class_or_id: &str) -> bool {
    contains_any(class_or_id, POSITIVE)
}

pub(crate) fn is_negative(class_or_id: &str) -> bool {
    // "hid" only as a whole class name: "hidden" is listed, but "hide-on-mobile" or "chidori" are not hints.
    contains_any(class_or_id, NEGATIVE) || class_or_id.split(' ').any(|c| c == "hid")
}

pub(crate) fn is_byline(class_and_id: &str) -> bool {
    contains_any(class_and_id, BYLINE)
}

pub(crate) fn is_share(class_and_id: &str) -> bool {
    has_word(class_and_id, "share") || has_word(class_and_id, "sharedaddy")
}

/// Whether a block's whole text is only an ad label or a loading indicator.
pub(crate) fn is_ad_or_loading(text: &str) -> bool {
    let lower = text.trim().to_lowercase();
    let lower = lower
        .strip_suffix("...")
        .or_else(|| lower.strip_suffix('…'))
        .unwrap_or(&lower);
    AD_OR_LOADING_WORDS.contains(&lower)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unlikely_blocks_can_be_rescued_by_content_words() {
        assert!(is_unlikely_candidate("site-footer "));
        assert!(is_unlikely_candidate(" Comments"));
        assert!(!is_unlikely_candidate("article-header "));
        assert!(!is_unlikely_candidate("story "));
    }

    #[test]
    fn share_matches_only_as_a_word() {
        assert!(is_share("post-share bar"));
        assert!(is_share("share_buttons"));
        assert!(!is_share("shared-content"));
        assert!(!is_share("timeshare"));
    }

    #[test]
    fn hid_is_negative_only_as_a_whole_class() {
        assert!(is_negative("box hid"));
        assert!(!is_negative("chidori"));
    }

    #[test]
    fn placeholder_words() {
        assert!(is_ad_or_loading(" Advertisement "));
        assert!(is_ad_or_loading("Loading…"));
        assert!(!is_ad_or_loading("Advertisement: buy now"));
    }
}
