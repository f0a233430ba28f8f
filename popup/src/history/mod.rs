//! Saved conversations: what one is, its title, and full-text matching. Storage is `store`,
//! export and import are `transfer`.

pub mod store;
pub mod transfer;

use protocol::{ChatMessage, ChatRole};
use serde::{Deserialize, Serialize};

/// Longest automatic title, in characters.
const TITLE_CHARS: usize = 60;

/// One conversation as it is stored and exported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conversation {
    pub id: String,
    pub title: String,
    /// Set once the user names it; until then the title follows the first question.
    #[serde(default)]
    pub renamed: bool,
    /// Milliseconds since the epoch.
    pub created_at: f64,
    pub updated_at: f64,
    #[serde(default)]
    pub model_id: Option<String>,
    pub messages: Vec<ChatMessage>,
    /// The web pages the conversation shows (summarized or read), each at its place.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pages: Vec<PageNote>,
}

/// A web page in a conversation: the source of a summary, what "Read this page" saw, or an
/// image's text. Kept
/// beside the messages rather than in them because it is for the reader, not the model (a
/// summary's page text reaches the model as its own system message).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageNote {
    /// The index of the message it belongs before (`messages.len()`: after the last one).
    pub before: usize,
    pub kind: PageUse,
    pub title: String,
    pub url: String,
    /// What was selected on the page ("Read this page" only).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub selection: String,
}

/// Why a page is in the conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PageUse {
    /// The message it comes before summarizes it.
    Summarized,
    /// "Read this page": its title, address and selection.
    Read,
    /// A tool server's resource the user attached: its name (`title`) and URI (`url`); its text
    /// reaches the model as the system message just before.
    Attached,
    /// "Read text in image": the image's address (`url`), the page it was on (`title`) and the
    /// text read in it (`selection`); the text reaches the model as the system message just
    /// before.
    ImageText,
}

/// What the history list shows of a conversation (stored apart, so the list never reads
/// whole conversations).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub id: String,
    pub title: String,
    pub updated_at: f64,
    pub messages: usize,
    /// A few words of context: the start of the last message, or around a search match.
    pub snippet: String,
}

impl Conversation {
    pub fn new(id: String, now: f64) -> Conversation {
        Conversation {
            id,
            title: String::new(),
            renamed: false,
            created_at: now,
            updated_at: now,
            model_id: None,
            messages: Vec::new(),
            pages: Vec::new(),
        }
    }

    /// Keeps the first `len` messages, and the pages shown among them.
    pub fn truncate(&mut self, len: usize) {
        self.messages.truncate(len);
        self.pages.retain(|p| p.before <= len);
    }

    /// Puts `message` at `index`; the pages at or after it move along with their messages.
    pub fn insert(&mut self, index: usize, message: ChatMessage) {
        let index = index.min(self.messages.len());
        self.messages.insert(index, message);
        for page in &mut self.pages {
            if page.before >= index {
                page.before += 1;
            }
        }
    }

    /// The pages shown before message `index`.
    pub fn pages_before(&self, index: usize) -> impl Iterator<Item = &PageNote> {
        self.pages.iter().filter(move |p| p.before == index)
    }

    /// The title shown: the user's, else the first question's first line, else "New chat".
    pub fn display_title(&self) -> String {
        if self.renamed && !self.title.trim().is_empty() {
            return self.title.clone();
        }
        self.messages
            .iter()
            .find(|m| m.role == ChatRole::User)
            .and_then(|m| m.content.lines().find(|l| !l.trim().is_empty()))
            .map(|line| shorten(line.trim(), TITLE_CHARS))
            .unwrap_or_else(|| "New chat".into())
    }

    pub fn summary(&self) -> Summary {
        let snippet = self
            .messages
            .last()
            .map(|m| shorten(m.content.trim(), 80))
            .unwrap_or_default();
        Summary {
            id: self.id.clone(),
            title: self.display_title(),
            updated_at: self.updated_at,
            messages: self.messages.len(),
            snippet,
        }
    }

    /// The title and every message, lower-cased, for the search store (what `matches` reads).
    pub fn search_text(&self) -> String {
        let mut text = self.display_title().to_lowercase();
        for message in &self.messages {
            text.push('\n');
            text.push_str(&message.content.to_lowercase());
        }
        text
    }

    /// When every word of `query` occurs somewhere in the title or the messages (ignoring
    /// case), the summary with a snippet around the first word's first occurrence.
    pub fn matches(&self, words: &[String]) -> Option<Summary> {
        let title = self.display_title();
        let lowered: Vec<String> = std::iter::once(&title)
            .chain(self.messages.iter().map(|m| &m.content))
            .map(|t| t.to_lowercase())
            .collect();
        if !words
            .iter()
            .all(|w| lowered.iter().any(|text| text.contains(w.as_str())))
        {
            return None;
        }
        let mut summary = self.summary();
        let first = words.first()?;
        // Search the messages first: the title is already on screen.
        let found = lowered
            .iter()
            .enumerate()
            .skip(1)
            .chain(std::iter::once((0, &lowered[0])))
            .find_map(|(i, text)| text.find(first.as_str()).map(|at| (i, at)));
        if let Some((index, at)) = found {
            let original = if index == 0 {
                &title
            } else {
                &self.messages[index - 1].content
            };
            summary.snippet = snippet_around(original, at);
        }
        Some(summary)
    }
}

/// A search box's text as the lower-case words `Conversation::matches` wants.
pub fn query_words(query: &str) -> Vec<String> {
    query.split_whitespace().map(str::to_lowercase).collect()
}

/// `text` cut to `chars` characters on one line, with an ellipsis when cut.
pub fn shorten(text: &str, chars: usize) -> String {
    let line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= chars {
        return line;
    }
    let mut cut: String = line.chars().take(chars.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// About 80 characters of `original` around byte `at` of its lower-cased form. Lower-casing
/// can change lengths, so the position is found again by lower-casing character by character.
fn snippet_around(original: &str, at: usize) -> String {
    let mut lowered_bytes = 0;
    let char_at = original
        .chars()
        .take_while(|c| {
            lowered_bytes += c.to_lowercase().map(char::len_utf8).sum::<usize>();
            lowered_bytes <= at
        })
        .count();
    let start = char_at.saturating_sub(30);
    let piece: String = original.chars().skip(start).take(80).collect();
    let piece = shorten(&piece, 80);
    if start > 0 {
        format!("…{piece}")
    } else {
        piece
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(role: ChatRole, content: &str) -> ChatMessage {
        ChatMessage::new(role, content)
    }

    fn conversation(messages: &[(ChatRole, &str)]) -> Conversation {
        let mut c = Conversation::new("c1".into(), 1.0);
        c.messages = messages.iter().map(|(r, t)| message(*r, t)).collect();
        c
    }

    #[test]
    fn the_title_follows_the_first_question_until_renamed() {
        let mut c = conversation(&[
            (ChatRole::User, "\n  What is   Rust?\nmore"),
            (ChatRole::Assistant, "A language"),
        ]);
        assert_eq!(c.display_title(), "What is Rust?");
        c.title = "Rust notes".into();
        c.renamed = true;
        assert_eq!(c.display_title(), "Rust notes");
        assert_eq!(
            Conversation::new("x".into(), 0.0).display_title(),
            "New chat"
        );
    }

    #[test]
    fn long_titles_are_cut_on_a_character_boundary() {
        let long = "é".repeat(100);
        let c = conversation(&[(ChatRole::User, &long)]);
        let title = c.display_title();
        assert_eq!(title.chars().count(), TITLE_CHARS);
        assert!(title.ends_with('…'));
    }

    #[test]
    fn search_needs_every_word_in_any_message_ignoring_case() {
        let c = conversation(&[
            (ChatRole::User, "Tell me about lighthouses"),
            (
                ChatRole::Assistant,
                "A LIGHTHOUSE guides ships near the Cliffs of Moher.",
            ),
        ]);
        assert!(c.matches(&query_words("lighthouse moher")).is_some());
        assert!(c.matches(&query_words("lighthouse paris")).is_none());
        let hit = c.matches(&query_words("cliffs")).expect("a hit");
        assert!(hit.snippet.contains("Cliffs of Moher"), "{}", hit.snippet);
    }

    #[test]
    fn pages_keep_their_place_as_messages_come_and_go() {
        let mut c = conversation(&[(ChatRole::User, "Summarize this page")]);
        let page = |before, kind| PageNote {
            before,
            kind,
            title: "T".into(),
            url: "https://example.com/".into(),
            selection: String::new(),
        };
        c.pages = vec![page(0, PageUse::Read), page(1, PageUse::Summarized)];
        c.messages.push(message(ChatRole::Assistant, "A summary."));
        c.insert(0, message(ChatRole::System, "The page's text"));
        assert_eq!(c.messages[1].content, "Summarize this page");
        let places: Vec<usize> = c.pages.iter().map(|p| p.before).collect();
        assert_eq!(places, [1, 2]);
        assert_eq!(c.pages_before(2).count(), 1);
        c.truncate(1);
        assert_eq!(c.pages.len(), 1);
        assert_eq!(c.pages[0].kind, PageUse::Read);
    }

    #[test]
    fn snippets_survive_case_folding_that_changes_lengths() {
        // 'İ' lower-cases to two characters; the snippet must still be cut on boundaries.
        let c = conversation(&[(ChatRole::User, &format!("{}needle here", "İ".repeat(50)))]);
        let hit = c.matches(&query_words("needle")).expect("a hit");
        assert!(hit.snippet.contains("needle"), "{}", hit.snippet);
    }
}
