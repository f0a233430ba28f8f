//! A rule-based stand-in for the spaCy tagger misaki runs: it only needs the tags misaki's
//! lookup reads. Those are: determiner "a" (ɐ) vs the letter A, the pronoun "I", "by" as an
//! adverb, "to" and "in" as prepositions, "used to", proper nouns (all-capital words are spelled
//! when the dictionary has no stressed entry), and the homographs whose dictionary entries
//! differ by part of speech (record, live, read, close, that...).
//!
//! Homographs are decided from the word before (and, for a few, the word after), the way a
//! reader would: after "to", a modal or a subject pronoun a verb; after a determiner, a
//! possessive or a preposition a noun; after "have" an -ed word is a participle; after a form of
//! "be" an adjective; at the start of a sentence before an object an imperative verb. Anything
//! else keeps the dictionary's DEFAULT, which misaki's authors chose as the common reading; a
//! word alone is read as a headword (a noun).

use super::tokenize::Word;

const DETERMINERS: &[&str] = &[
    "a", "an", "the", "this", "these", "those", "my", "your", "his", "its", "our", "their", "some",
    "any", "no", "every", "each", "another", "either", "neither", "whose", "which", "what", "many",
    "several", "few", "much", "more", "most",
];
const SUBJECTS: &[&str] = &["i", "you", "we", "they", "he", "she", "it", "who"];
const OBJECTS: &[&str] = &[
    "me", "him", "us", "them", "it", "her", "you", "this", "that",
];
const VERB_BEFORE: &[&str] = &[
    "to",
    "will",
    "would",
    "shall",
    "should",
    "can",
    "could",
    "may",
    "might",
    "must",
    "do",
    "does",
    "did",
    "don't",
    "doesn't",
    "didn't",
    "won't",
    "wouldn't",
    "can't",
    "cannot",
    "couldn't",
    "shouldn't",
    "mustn't",
    "let's",
    "please",
    "i'll",
    "you'll",
    "we'll",
    "they'll",
    "he'll",
    "she'll",
    "i'd",
    "you'd",
    "we'd",
    "they'd",
    "not",
    "never",
    "also",
    "often",
    "always",
    "usually",
];
const HAVE: &[&str] = &[
    "have", "has", "had", "having", "i've", "you've", "we've", "they've",
];
const BE: &[&str] = &[
    "be", "is", "are", "was", "were", "am", "been", "being", "isn't", "aren't", "wasn't",
    "weren't", "it's", "that's", "i'm", "you're", "we're", "they're", "he's", "she's", "very",
    "so", "too", "quite", "rather", "become", "becomes", "became", "seem", "seems", "seemed",
];
const PREPOSITIONS: &[&str] = &[
    "of", "in", "on", "at", "for", "with", "from", "by", "about", "into", "onto", "over", "under",
    "between", "through", "during", "without", "within", "against", "among", "after", "before",
    "toward", "towards", "upon", "across", "behind", "beyond", "near", "since", "until", "via",
    "per", "than", "like", "and", "or",
];

fn is_all_caps(word: &str) -> bool {
    word.chars().filter(|c| c.is_alphabetic()).count() >= 2
        && word.chars().all(|c| !c.is_lowercase())
        && word.chars().any(char::is_alphabetic)
}

fn is_capitalized(word: &str) -> bool {
    word.chars().next().is_some_and(char::is_uppercase)
}

/// The tag of `word` from its neighbours (`prev`, `next` lower-cased; `None` at a pause).
fn tag_for(
    word: &str,
    prev: Option<&str>,
    next_written: Option<&str>,
    sentence_start: bool,
) -> Option<&'static str> {
    let lower = word.to_lowercase();
    let next_lower = next_written.map(str::to_lowercase);
    let next = next_lower.as_deref();
    let next_is_word = next.is_some();
    match word {
        "a" | "an" | "the" | "The" | "THE" => return Some("DT"),
        "A" | "An" | "AN" => {
            let before_word = next_written.is_some_and(|n| {
                n.chars().next().is_some_and(char::is_lowercase) || sentence_start
            });
            return if before_word { Some("DT") } else { Some("NN") };
        }
        "I" => return Some("PRP"),
        "to" | "To" | "TO" => return Some("TO"),
        "in" | "In" | "IN" => return Some(if next_is_word { "IN" } else { "RP" }),
        "by" | "By" | "BY" => return Some(if next_is_word { "IN" } else { "RB" }),
        // "I used to" (habit) against "is used to" (passive).
        "used" | "Used" | "USED" => {
            let habit = next == Some("to") && prev.is_none_or(|p| !BE.contains(&p));
            return Some(if habit { "VBD" } else { "VBN" });
        }
        "am" => return Some("VBP"),
        "AM" | "PM" => return Some("NN"),
        _ => {}
    }
    if lower == "that" {
        let determiner =
            next.is_none() || (!sentence_start && prev.is_some_and(|p| PREPOSITIONS.contains(&p)));
        return determiner.then_some("DT");
    }
    if is_all_caps(word) {
        return Some("NNP");
    }
    if is_capitalized(word) && !sentence_start {
        return Some("NNP");
    }
    let past = lower.ends_with("ed");
    let prev = prev.unwrap_or("");
    if VERB_BEFORE.contains(&prev) {
        return Some("VB");
    }
    if HAVE.contains(&prev) {
        return Some(if past { "VBN" } else { "NN" });
    }
    if BE.contains(&prev) {
        return Some(if past { "VBN" } else { "JJ" });
    }
    if SUBJECTS.contains(&prev) {
        return Some(if past { "VBD" } else { "VBP" });
    }
    if DETERMINERS.contains(&prev) || PREPOSITIONS.contains(&prev) || prev == "her" {
        return Some("NN");
    }
    if sentence_start && next.is_some_and(|n| DETERMINERS.contains(&n) || OBJECTS.contains(&n)) {
        return Some("VB");
    }
    None
}

/// Tags every word in place.
pub fn tag(words: &mut [Word]) {
    let texts: Vec<Option<String>> = words
        .iter()
        .map(|w| (!w.is_punct()).then(|| w.text()))
        .collect();
    let ends_sentence = |w: &Word| w.is_punct() && w.text().contains(['.', '!', '?']);
    let lone_word = texts.iter().flatten().count() == 1;
    let mut sentence_start = true;
    for i in 0..words.len() {
        if words[i].is_punct() {
            if ends_sentence(&words[i]) {
                sentence_start = true;
            }
            continue;
        }
        let Some(text) = texts[i].as_deref() else {
            continue;
        };
        let prev = i
            .checked_sub(1)
            .and_then(|p| texts[p].as_deref())
            .map(str::to_lowercase);
        let next = texts.get(i + 1).and_then(|n| n.as_deref());
        let mut tag = tag_for(text, prev.as_deref(), next, sentence_start);
        // A word alone is read as a headword, most often a noun.
        if lone_word && tag.is_none() {
            tag = Some("NN");
        }
        words[i].set_tag(tag);
        sentence_start = false;
    }
}
