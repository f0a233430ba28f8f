//! Lantern's page understanding in plain Rust: the extractor that finds a page's readable text in
//! the DOM snapshot the content script (`static/content.js`, plain JS, no wasm) sends. It runs in
//! the extension (offscreen document) and in the `lantern` CLI alike.
//!
//! ```
//! let html = "<html lang=en><head><title>How to grow tomatoes indoors | Garden Weekly</title></head><body>\
//!     <nav><a href=/>Home</a> <a href=/news>News</a></nav>\
//!     <article><p>Tomatoes grow well indoors, given light, warmth, and a deep pot. \
//!     Start from seed in spring, and keep the soil moist but never wet.</p></article></body></html>";
//! let article = content::extract(html, Some("https://example.com/tomatoes")).unwrap();
//! assert_eq!(article.title, "How to grow tomatoes indoors");
//! assert_eq!(article.lang.as_deref(), Some("en"));
//! assert!(article.text.starts_with("Tomatoes grow well indoors"));
//! assert!(!article.text.contains("Home"));
//! ```
//!
//! # The snapshot contract
//!
//! The input is one HTML string: the page's `document.documentElement.outerHTML` (or any whole
//! page as served). The content script sees what the page *renders*, which markup alone cannot
//! tell, so before serialising it marks every element the browser reports as not rendered
//! (`checkVisibility()` false, or a computed `display: none` / `visibility: hidden`) with the
//! attribute `data-lantern-hidden`. The extractor drops, with their content:
//! - elements carrying `data-lantern-hidden`, `hidden`, or `aria-hidden="true"` (except math
//!   fallback images, which are hidden from screen readers only);
//! - elements whose inline `style` sets `display: none` or `visibility: hidden`;
//! - `<script>`, `<noscript>`, `<style>`, `<template>`, `<link>` and comments.
//!
//! `<html>` and `<body>` are never dropped. JSON-LD `<script type="application/ld+json">` is read
//! for metadata before scripts go. The URL, when given, is passed through to [`Article::url`]; the
//! extraction itself depends only on the HTML. The snapshot must be UTF-8 text (a `&str`).
//!
//! # How the article is found
//!
//! In the spirit of Mozilla's Readability (an independent implementation, not a port):
//! 1. Parse with html5ever, the browser-grade HTML5 parser, into a small arena tree (`dom`).
//! 2. Read metadata (`metadata`, `title`): JSON-LD of an article type, then meta tags, then the
//!    `<title>` with a trailing or leading site name ("Story | Site", "Site - Story", "Site:
//!    Story") cut off; the byline also from `rel=author`, `itemprop=author` or a
//!    `byline`/`author` class in the page; the language from `<html lang>`.
//! 3. Prepare (`prep`): drop the hidden and the unread (above), turn `<br><br>` runs into
//!    paragraphs.
//! 4. Find the article (`grab`): remove `<nav>`, `<aside>`, `<footer>` and blocks whose class,
//!    id or role names page furniture (menus, sidebars, comments, share bars, footers, ads,
//!    navigation, dialogs), the byline, and the heading that repeats the title; score each paragraph by its length and commas, credit the score to
//!    its parent, grandparent (half) and further ancestors (less), weighted by class/id words
//!    (`article`, `content` up; `sidebar`, `promo` down) and discounted by link density; take the
//!    best container, climbing to an ancestor when that holds more of the article, and merge the
//!    siblings that score well or read as prose.
//! 5. Clean it (`cleanup`): remove forms, embeds, asides and footers, and blocks that look like
//!    link lists, galleries or ads, keeping data tables and videos. Steps 4 and 5 judge blocks
//!    by the same measures (link density, class weight, ...), kept in `measure`.
//! 6. If the result has under 500 characters, try again without removing unlikely blocks, then
//!    without class weights, then without the cleanup; keep the longest result.
//! 7. Write the text (`text`) keeping headings, paragraphs and list items.
//!
//! # Quality
//!
//! `cargo test -p content --test readability_pages` compares the text with Readability's own on
//! its 100 test pages (kept outside the repository: `LANTERN_READABILITY_PAGES`, by default
//! `../shared/readability-test-pages` beside the workspace) by bag-of-words F1, and the title
//! exactly; it prints a table per page and the mean F1 per category of page (news, blog,
//! reference, synthetic, other: see that test for how a page is categorised).
#![deny(clippy::unwrap_used)]

mod article;
mod cleanup;
mod dom;
mod error;
mod grab;
mod measure;
mod metadata;
mod parse;
mod patterns;
mod prep;
pub mod summary;
mod text;
mod title;

pub use article::Article;
pub use error::ExtractError;

/// Finds the main content of a page and what the page says about it.
///
/// `html` is the page's HTML (see the snapshot contract above); `url` is its address, if known.
pub fn extract(html: &str, url: Option<&str>) -> Result<Article, ExtractError> {
    let mut dom = parse::parse_html(html);
    let meta = metadata::read_metadata(&dom);
    prep::prepare(&mut dom);
    let grabbed = grab::grab_article(&dom, &meta.title, meta.byline.is_none())
        .ok_or(ExtractError::NoReadableText)?;
    let text = text::render(&grabbed.dom, grabbed.root);
    if text.trim().is_empty() {
        return Err(ExtractError::NoReadableText);
    }
    let first_paragraph = || {
        grabbed
            .dom
            .descendants_named(grabbed.root, &["p"])
            .first()
            .map(|&p| grabbed.dom.inner_text(p))
            .filter(|p| !p.is_empty())
    };
    Ok(Article {
        title: meta.title,
        byline: meta.byline.or(grabbed.byline),
        lang: meta.lang,
        site_name: meta.site_name,
        excerpt: meta.excerpt.or_else(first_paragraph),
        published_time: meta.published_time,
        url: url.map(str::to_owned),
        text,
    })
}

/// All the visible text of an HTML document or fragment, written the way [`Article::text`] is.
/// For comparing an extraction with a reference, or reading a page that has no article.
pub fn page_text(html: &str) -> String {
    let mut dom = parse::parse_html(html);
    prep::remove_unread(&mut dom);
    text::render(&dom, dom.document())
}
