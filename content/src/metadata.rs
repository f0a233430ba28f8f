//! What the page says about itself: schema.org JSON-LD first, then `<meta>` tags (Dublin Core,
//! OpenGraph, Twitter, Parse.ly, Weibo, plain names), then the cleaned `<title>`; and the language
//! from `<html lang>`. Read before scripts are removed, since JSON-LD lives in `<script>`.

use std::collections::HashMap;

use serde_json::Value;

use crate::dom::{Dom, normalize_space};
use crate::title::{clean_title, similarity};

#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct Metadata {
    pub title: String,
    pub byline: Option<String>,
    pub excerpt: Option<String>,
    pub site_name: Option<String>,
    pub published_time: Option<String>,
    pub lang: Option<String>,
}

pub(crate) fn read_metadata(dom: &Dom) -> Metadata {
    let ld = json_ld(dom);
    let meta = meta_values(dom);
    let pick = |keys: &[&str]| {
        keys.iter()
            .find_map(|k| meta.get(*k).filter(|v| !v.is_empty()).cloned())
    };

    let title = ld
        .title
        .or_else(|| {
            pick(&[
                "dc:title",
                "dcterm:title",
                "og:title",
                "weibo:article:title",
                "weibo:webpage:title",
                "title",
                "twitter:title",
                "parsely-title",
            ])
        })
        .unwrap_or_else(|| clean_title(dom));
    // `article:author` is often a profile URL, which is no byline.
    let article_author = pick(&["article:author"]).filter(|a| !a.contains("://"));
    let byline = ld
        .byline
        .or_else(|| pick(&["dc:creator", "dcterm:creator", "author", "parsely-author"]))
        .or(article_author);
    let excerpt = ld.excerpt.or_else(|| {
        pick(&[
            "dc:description",
            "dcterm:description",
            "og:description",
            "weibo:article:description",
            "weibo:webpage:description",
            "description",
            "twitter:description",
        ])
    });
    let site_name = ld.site_name.or_else(|| pick(&["og:site_name"]));
    let published_time = ld
        .published
        .or_else(|| pick(&["article:published_time", "parsely-pub-date"]));

    // Many sites escape their meta values twice; the parser undid only one level.
    let clean = |v: Option<String>| {
        v.map(|v| normalize_space(&unescape_entities(&v)))
            .filter(|v| !v.is_empty())
    };
    Metadata {
        title: normalize_space(&unescape_entities(&title)),
        byline: clean(byline),
        excerpt: clean(excerpt),
        site_name: clean(site_name),
        published_time: clean(published_time),
        lang: language(dom),
    }
}

fn language(dom: &Dom) -> Option<String> {
    let from_html = dom
        .find("html")
        .and_then(|html| dom.attr(html, "lang"))
        .map(str::trim)
        .filter(|l| !l.is_empty());
    let from_meta = || {
        dom.descendants_named(dom.document(), &["meta"])
            .into_iter()
            .find(|&m| {
                dom.attr(m, "http-equiv")
                    .is_some_and(|h| h.eq_ignore_ascii_case("content-language"))
            })
            .and_then(|m| dom.attr(m, "content"))
            .map(str::trim)
            .filter(|l| !l.is_empty())
    };
    from_html.or_else(from_meta).map(str::to_owned)
}

/// `<meta>` values by normalised key ("og:title", "dc:creator", "description"); a later tag
/// overrides an earlier one.
fn meta_values(dom: &Dom) -> HashMap<String, String> {
    const PROPERTY_PREFIXES: &[&str] = &["article", "dc", "dcterm", "og", "twitter"];
    const PROPERTY_FIELDS: &[&str] = &[
        "author",
        "creator",
        "description",
        "published_time",
        "title",
        "site_name",
    ];
    const NAME_PREFIXES: &[&str] = &[
        "dc",
        "dcterm",
        "og",
        "twitter",
        "parsely",
        "weibo:article",
        "weibo:webpage",
    ];
    const NAME_FIELDS: &[&str] = &[
        "author",
        "creator",
        "pub-date",
        "description",
        "title",
        "site_name",
    ];

    let mut values = HashMap::new();
    for meta in dom.descendants_named(dom.document(), &["meta"]) {
        let Some(content) = dom.attr(meta, "content").filter(|c| !c.is_empty()) else {
            continue;
        };
        let content = content.trim().to_owned();
        // RDFa `property` is a space-separated list: the value belongs to each listed property.
        let properties: Vec<String> = dom
            .attr(meta, "property")
            .unwrap_or("")
            .split_whitespace()
            .map(str::to_lowercase)
            .filter(|p| {
                p.split_once(':').is_some_and(|(prefix, field)| {
                    PROPERTY_PREFIXES.contains(&prefix) && PROPERTY_FIELDS.contains(&field)
                })
            })
            .collect();
        if !properties.is_empty() {
            for property in properties {
                values.insert(property, content.clone());
            }
            continue;
        }
        let Some(name) = dom.attr(meta, "name") else {
            continue;
        };
        let key: String = name
            .to_lowercase()
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| if c == '.' { ':' } else { c })
            .collect();
        if is_known_name(&key, NAME_PREFIXES, NAME_FIELDS) {
            values.insert(key, content);
        }
    }
    values
}

/// "title", "dc:title", "dc-title", "parsely-author", "weibo:article:title", ...
fn is_known_name(key: &str, prefixes: &[&str], fields: &[&str]) -> bool {
    if fields.contains(&key) {
        return true;
    }
    prefixes.iter().any(|prefix| {
        key.strip_prefix(prefix)
            .and_then(|rest| rest.strip_prefix([':', '-']))
            .is_some_and(|field| fields.contains(&field))
    })
}

#[derive(Default)]
struct LinkedData {
    title: Option<String>,
    byline: Option<String>,
    excerpt: Option<String>,
    site_name: Option<String>,
    published: Option<String>,
}

/// schema.org types whose JSON-LD describes the page's main text.
const ARTICLE_TYPES: &[&str] = &[
    "Article",
    "AdvertiserContentArticle",
    "NewsArticle",
    "AnalysisNewsArticle",
    "AskPublicNewsArticle",
    "BackgroundNewsArticle",
    "OpinionNewsArticle",
    "ReportageNewsArticle",
    "ReviewNewsArticle",
    "Report",
    "SatiricalArticle",
    "ScholarlyArticle",
    "MedicalScholarlyArticle",
    "SocialMediaPosting",
    "BlogPosting",
    "LiveBlogPosting",
    "DiscussionForumPosting",
    "TechArticle",
    "APIReference",
];

fn is_article_type(value: &Value) -> bool {
    match value {
        Value::String(t) => ARTICLE_TYPES.contains(&t.as_str()),
        Value::Array(types) => types.iter().any(is_article_type),
        _ => false,
    }
}

fn is_schema_org(context: &Value) -> bool {
    let url = |v: &Value| {
        v.as_str().is_some_and(|s| {
            let s = s.trim_end_matches('/');
            s == "http://schema.org" || s == "https://schema.org"
        })
    };
    match context {
        Value::String(_) => url(context),
        Value::Object(o) => o.get("@vocab").is_some_and(url),
        Value::Array(items) => items.iter().any(is_schema_org),
        _ => false,
    }
}

/// The first JSON-LD block that describes an article.
fn json_ld(dom: &Dom) -> LinkedData {
    for script in dom.descendants_named(dom.document(), &["script"]) {
        if dom.attr(script, "type").map(str::trim) != Some("application/ld+json") {
            continue;
        }
        let text = dom.text_content(script);
        let text = text.trim();
        let text = text.strip_prefix("<![CDATA[").unwrap_or(text);
        let text = text.strip_suffix("]]>").unwrap_or(text);
        let Ok(parsed) = serde_json::from_str::<Value>(text) else {
            continue;
        };
        if let Some(data) = article_in(&parsed).map(|item| read_linked_data(dom, item)) {
            return data;
        }
    }
    LinkedData::default()
}

fn article_in(parsed: &Value) -> Option<&Value> {
    let item = match parsed {
        Value::Array(items) => items
            .iter()
            .find(|i| i.get("@type").is_some_and(is_article_type))?,
        _ => parsed,
    };
    let context = item.get("@context").or_else(|| parsed.get("@context"));
    if !context.is_some_and(is_schema_org) {
        return None;
    }
    let item = match (item.get("@type"), item.get("@graph")) {
        (None, Some(Value::Array(graph))) => graph
            .iter()
            .find(|i| i.get("@type").is_some_and(is_article_type))?,
        _ => item,
    };
    item.get("@type")
        .is_some_and(is_article_type)
        .then_some(item)
}

fn read_linked_data(dom: &Dom, item: &Value) -> LinkedData {
    let text = |key: &str| {
        item.get(key)
            .and_then(Value::as_str)
            .map(|s| s.trim().to_owned())
    };
    let title = match (text("name"), text("headline")) {
        // Some sites put their own name in `name`; trust whichever matches the <title>.
        (Some(name), Some(headline)) if name != headline => {
            let page_title = clean_title(dom);
            let name_fits = similarity(&name, &page_title) > 0.75;
            let headline_fits = similarity(&headline, &page_title) > 0.75;
            Some(if headline_fits && !name_fits {
                headline
            } else {
                name
            })
        }
        (name, headline) => name.or(headline),
    };
    let byline = item.get("author").and_then(author_names);
    LinkedData {
        title: title.filter(|t| !t.is_empty()),
        byline,
        excerpt: text("description"),
        site_name: item
            .get("publisher")
            .and_then(|p| p.get("name"))
            .and_then(Value::as_str)
            .map(|s| s.trim().to_owned()),
        published: text("datePublished"),
    }
}

fn author_names(author: &Value) -> Option<String> {
    let name = |v: &Value| match v {
        Value::String(s) => Some(s.trim().to_owned()),
        Value::Object(o) => o
            .get("name")
            .and_then(Value::as_str)
            .map(|s| s.trim().to_owned()),
        _ => None,
    };
    match author {
        Value::Array(authors) => {
            let names: Vec<String> = authors
                .iter()
                .filter_map(name)
                .filter(|n| !n.is_empty())
                .collect();
            (!names.is_empty()).then(|| names.join(", "))
        }
        other => name(other).filter(|n| !n.is_empty()),
    }
}

/// Decodes the five XML entities and numeric character references.
pub(crate) fn unescape_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        match rest
            .find(';')
            .and_then(|end| Some((decode_entity(&rest[1..end])?, end)))
        {
            Some((c, end)) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn decode_entity(name: &str) -> Option<char> {
    let code = match name {
        "quot" => return Some('"'),
        "amp" => return Some('&'),
        "apos" => return Some('\''),
        "lt" => return Some('<'),
        "gt" => return Some('>'),
        _ => {
            let number = name.strip_prefix('#')?;
            match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => number.parse::<u32>().ok()?,
            }
        }
    };
    // As a conforming parser does: invalid code points become the replacement character.
    Some(
        char::from_u32(code)
            .filter(|&c| c != '\0')
            .unwrap_or('\u{fffd}'),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_html;

    #[test]
    fn json_ld_wins_over_meta_tags() {
        let dom = parse_html(
            r#"<html lang="de"><head><title>Page | Site</title>
            <meta property="og:title" content="OG title">
            <script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle",
              "headline":"LD headline","author":[{"name":"Ann"},{"name":"Bo"}],
              "publisher":{"name":"The Paper"}}</script></head><body></body></html>"#,
        );
        let meta = read_metadata(&dom);
        assert_eq!(meta.title, "LD headline");
        assert_eq!(meta.byline.as_deref(), Some("Ann, Bo"));
        assert_eq!(meta.site_name.as_deref(), Some("The Paper"));
        assert_eq!(meta.lang.as_deref(), Some("de"));
    }

    #[test]
    fn meta_tags_in_order_of_preference() {
        let dom = parse_html(
            r#"<head><title>Fallback title here | Site</title>
            <meta name="twitter:title" content="Twitter">
            <meta property="og:title og:description" content="OG &amp;amp; more">
            <meta name="DC.creator" content="Dee">
            <meta property="article:author" content="https://example.com/dee"></head>"#,
        );
        let meta = read_metadata(&dom);
        assert_eq!(meta.title, "OG & more");
        assert_eq!(meta.excerpt.as_deref(), Some("OG & more"));
        assert_eq!(meta.byline.as_deref(), Some("Dee"));
    }

    #[test]
    fn no_metadata_falls_back_to_the_cleaned_title() {
        let dom = parse_html("<title>A story well worth reading - Site</title>");
        let meta = read_metadata(&dom);
        assert_eq!(meta.title, "A story well worth reading");
        assert_eq!(meta.byline, None);
    }

    #[test]
    fn entities_are_decoded() {
        assert_eq!(
            unescape_entities("a &amp; b &#x41;&#66; &bogus; &"),
            "a & b AB &bogus; &"
        );
    }
}
