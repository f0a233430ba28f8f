//! Summaries of a page or a selection: what to summarize, in which form, the page the content
//! script captured, the job a context-menu click hands to the side panel, and the result.

use serde::{Deserialize, Serialize};

use crate::chat::Finish;
use crate::response::Spoken;

/// What the user asked to be summarized.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SummaryKind {
    /// The page's main content (its extracted article).
    Page,
    /// The selected text.
    Selection,
    /// The selected text, explained in plain words.
    Explain,
}

/// The form of the summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SummaryMode {
    #[default]
    KeyPoints,
    Tldr,
    Detailed,
}

/// A page as the content script captured it: its DOM with hidden elements marked (see the
/// `content` crate's snapshot contract), and what the browser says about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageSnapshot {
    pub url: String,
    pub title: String,
    /// `document.documentElement.outerHTML`; empty when the page could not be read (a selection
    /// from the menu can still be summarized).
    pub html: String,
    /// The selected text; empty when nothing is selected.
    #[serde(default)]
    pub selection: String,
    /// `document.contentType`, e.g. `text/html` or `application/pdf`.
    #[serde(default)]
    pub content_type: String,
}

/// A context-menu click waiting for the side panel (in `chrome.storage.session`, so a restarted
/// service worker loses nothing): the panel of that window takes it and asks for the summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SummaryJob {
    pub window_id: i64,
    pub tab_id: i64,
    pub kind: SummaryKind,
    /// The menu's `selectionText`, for pages the content script cannot read (a PDF).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selection: Option<String>,
    /// When the click happened (ms since the epoch): tells two clicks apart.
    pub created_ms: f64,
}

/// A finished (or stopped) summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SummaryReply {
    pub text: String,
    pub finish: Finish,
    pub title: String,
    pub url: String,
    /// How many parts the text was read in (1: it fitted the model's context at once).
    pub parts: usize,
    /// Tokens of the text the model read, over all parts.
    pub source_tokens: usize,
    /// Speeds of the final step (the one the user watches), in tokens per second.
    pub prefill_tokens_per_s: f64,
    pub decode_tokens_per_s: f64,
    /// A system prompt that continues the summary as a chat about the page: the page's text,
    /// fenced as data, as much of it as fits.
    pub chat_context: String,
    /// What was spoken, when the request asked for the summary aloud (`Request::Summarize.speak`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spoken: Option<Spoken>,
}
