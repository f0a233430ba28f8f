//! What extraction returns: the article's readable text and what the page says about it.

use serde::{Deserialize, Serialize};

/// A page's main content as text, with its metadata. Serialises with snake_case keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Article {
    /// The headline: from JSON-LD or meta tags, else the `<title>` without its site name.
    pub title: String,
    /// Who wrote it, from metadata or the page's byline markup.
    pub byline: Option<String>,
    /// The page's declared language (`<html lang>`), e.g. "en" or "pt-BR".
    pub lang: Option<String>,
    /// The publication's name, from JSON-LD `publisher` or `og:site_name`.
    pub site_name: Option<String>,
    /// A short summary: the page's description, else the article's first paragraph.
    pub excerpt: Option<String>,
    /// When it was published, as the page writes it (usually ISO 8601).
    pub published_time: Option<String>,
    /// The address the caller gave for the page, passed through unchanged.
    pub url: Option<String>,
    /// The article's text: blocks apart by a blank line, headings on their own lines, list items
    /// as "- item" lines, table rows as "a | b" lines.
    pub text: String,
}
