//! What a spoken request asks for: a summary of the page, a question about the page, or
//! anything else for the chat. Deliberately simple: a request names the page ("this page",
//! "the article", "diese Seite") or it is not about the page; naming it with a summarizing word
//! asks for a summary, otherwise it is a question about it. A bare "summarize this" also means
//! the page, since there is nothing else in view to summarize.

/// Where a transcript goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Intent {
    /// The chat, with its tools.
    Chat,
    /// A summary of the current page.
    SummarizePage,
    /// A question about the current page, answered from its text.
    AskPage,
}

/// Words that point at something ("this page", "the article", "diese Seite").
const POINTERS: &[&str] = &[
    "this",
    "the",
    "that",
    "current",
    "open",
    "diese",
    "dieser",
    "diesem",
    "diesen",
    "dieses",
    "die",
    "der",
    "dem",
    "den",
    "das",
    "des",
    "aktuelle",
    "aktuellen",
    "offene",
    "offenen",
];

/// What a page is called (in English and German).
const PAGES: &[&str] = &[
    "page", "webpage", "site", "website", "article", "tab", "document", "post", "story", "seite",
    "webseite", "website", "artikel", "dokument", "beitrag", "text",
];

/// Beginnings of words that ask for a summary ("summarize", "summary", "zusammenfassen").
const SUMMARY_STEMS: &[&str] = &["summar", "tldr", "recap", "zusammenfass"];

/// Phrases that ask for a summary in more than one word ("sum it up", "fasse … zusammen").
fn asks_to_sum_up(words: &[String]) -> bool {
    let has = |w: &str| words.iter().any(|x| x == w);
    (has("sum") && has("up")) || (has("fasse") && has("zusammen")) || has("gist")
}

/// Lowercase words, with punctuation dropped ("TL;DR" is one word, "web page" stays two).
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || matches!(c, ',' | '.' | '?' | '!' | ':' | '"'))
        .map(|w| {
            w.chars()
                .filter(|c| c.is_alphanumeric())
                .flat_map(char::to_lowercase)
                .collect::<String>()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

/// Whether `word` is a name for a page, also in the plural or German genitive ("Artikels").
fn is_page(word: &str) -> bool {
    PAGES.iter().any(|page| {
        word.strip_prefix(page)
            .is_some_and(|ending| matches!(ending, "" | "s" | "es"))
    })
}

/// Whether the words name the page: a pointer, then (within two words, for "this web page"
/// or "the current page") a name for a page.
fn names_the_page(words: &[String]) -> bool {
    words.iter().enumerate().any(|(i, word)| {
        POINTERS.contains(&word.as_str())
            && words.iter().skip(i + 1).take(2).any(|next| is_page(next))
    })
}

fn asks_for_a_summary(words: &[String]) -> bool {
    words
        .iter()
        .any(|w| SUMMARY_STEMS.iter().any(|stem| w.starts_with(stem)))
        || asks_to_sum_up(words)
}

/// The intent of a transcript.
pub fn intent(transcript: &str) -> Intent {
    let words = words(transcript);
    let summary = asks_for_a_summary(&words);
    if names_the_page(&words) {
        return if summary {
            Intent::SummarizePage
        } else {
            Intent::AskPage
        };
    }
    // "Summarize this.", "Sum it up, please": no other subject than what is on screen.
    if summary && words.len() <= 4 {
        return Intent::SummarizePage;
    }
    Intent::Chat
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn naming_the_page_with_a_summarizing_word_asks_for_a_summary() {
        for said in [
            "Summarize this page.",
            "Can you give me a summary of the article?",
            "Please sum up this web page for me",
            "TL;DR of this site",
            "Fasse diese Seite zusammen.",
            "Eine Zusammenfassung des Artikels, bitte.",
        ] {
            assert_eq!(intent(said), Intent::SummarizePage, "{said}");
        }
    }

    #[test]
    fn naming_the_page_without_one_is_a_question_about_it() {
        for said in [
            "What does this page say about solar panels?",
            "Who wrote the article?",
            "Is there a price on this website",
            "Was steht auf dieser Seite über Laternen?",
        ] {
            assert_eq!(intent(said), Intent::AskPage, "{said}");
        }
    }

    #[test]
    fn a_short_request_to_summarize_means_what_is_on_screen() {
        assert_eq!(intent("Summarize this."), Intent::SummarizePage);
        assert_eq!(intent("sum it up please"), Intent::SummarizePage);
    }

    #[test]
    fn everything_else_goes_to_the_chat() {
        for said in [
            "What is the capital of France?",
            "How much is 17 times 23?",
            "Tell me a joke about the weather",
            // A summary of something else, named at length, is a chat request.
            "Summarize the plot of Hamlet in two sentences",
            "",
        ] {
            assert_eq!(intent(said), Intent::Chat, "{said:?}");
        }
    }
}
