//! Text cut into sentences for speaking one at a time, each with where it sits in the text
//! (char offsets, so a reader can highlight it). Line breaks end a sentence too: a list item
//! or a heading is read as one. Abbreviations ("Dr.", "e.g.") and decimals ("3.5") do not end one.

/// One sentence of a text: its words and its place, in chars, `start..end` of the original.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentence {
    pub text: String,
    pub start: usize,
    pub end: usize,
}

/// A sentence longer than this is cut again at its last comma, semicolon or space before it,
/// so one sentence never holds back the first audio for long.
const MAX_CHARS: usize = 300;

pub fn split_sentences(text: &str) -> Vec<Sentence> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let ends = match c {
            '\n' => true,
            '!' | '?' | '…' => followed_by_break(&chars, i),
            '.' => followed_by_break(&chars, i) && !is_abbreviation_before(&chars, start, i),
            _ => false,
        };
        if ends {
            // Closing quotes and brackets belong to the sentence they close.
            let mut end = i + 1;
            while end < chars.len() && matches!(chars[end], '"' | '\'' | '”' | '’' | ')' | ']')
            {
                end += 1;
            }
            push_trimmed(&chars, start, end, &mut out);
            start = end;
            i = end;
        } else {
            i += 1;
        }
    }
    push_trimmed(&chars, start, chars.len(), &mut out);
    out.into_iter().flat_map(cut_long).collect()
}

/// End of text, or whitespace (possibly after closing quotes) next.
fn followed_by_break(chars: &[char], i: usize) -> bool {
    let mut j = i + 1;
    while j < chars.len()
        && matches!(
            chars[j],
            '"' | '\'' | '”' | '’' | ')' | ']' | '.' | '!' | '?'
        )
    {
        j += 1;
    }
    j >= chars.len() || chars[j].is_whitespace()
}

/// The word before a period at `dot` is an abbreviation or an initial ("Dr.", "U.S.", "J.").
fn is_abbreviation_before(chars: &[char], start: usize, dot: usize) -> bool {
    let word_start = (start..dot)
        .rev()
        .find(|&k| chars[k].is_whitespace())
        .map_or(start, |k| k + 1);
    let word: String = chars[word_start..=dot].iter().collect();
    let word = word.trim_start_matches(['"', '\'', '(', '“', '‘']);
    let next_word: String = chars[dot + 1..]
        .iter()
        .skip_while(|c| c.is_whitespace())
        .take_while(|c| !c.is_whitespace())
        .collect();
    let next_lower = next_word.chars().next().is_some_and(char::is_lowercase);
    let single_letter = word.chars().count() == 2 && word.starts_with(char::is_uppercase);
    // "1." opening a line is a list item's number, read with its item.
    let list_number = word.len() > 1
        && word[..word.len() - 1].chars().all(|c| c.is_ascii_digit())
        && chars[start..word_start].iter().all(|c| c.is_whitespace());
    let known = super::phonemize::normalize::is_abbreviation(word)
        && !super::phonemize::normalize::may_end_sentence(word, Some(&next_word));
    known || single_letter || next_lower || list_number
}

fn push_trimmed(chars: &[char], start: usize, end: usize, out: &mut Vec<Sentence>) {
    let mut s = start;
    let mut e = end;
    while s < e && chars[s].is_whitespace() {
        s += 1;
    }
    while e > s && chars[e - 1].is_whitespace() {
        e -= 1;
    }
    let text: String = chars[s..e].iter().collect();
    // Nothing to say: a line of markup or punctuation only.
    if text.chars().any(char::is_alphanumeric) {
        out.push(Sentence {
            text,
            start: s,
            end: e,
        });
    }
}

fn cut_long(sentence: Sentence) -> Vec<Sentence> {
    let chars: Vec<char> = sentence.text.chars().collect();
    let mut out = Vec::new();
    let mut from = 0;
    while chars.len() - from > MAX_CHARS {
        let window = &chars[from..from + MAX_CHARS];
        let cut = window
            .iter()
            .rposition(|c| matches!(c, ',' | ';' | ':' | '—'))
            .or_else(|| window.iter().rposition(|c| c.is_whitespace()))
            .map_or(MAX_CHARS, |k| k + 1);
        push_trimmed(&chars, from, from + cut, &mut out);
        from += cut;
    }
    push_trimmed(&chars, from, chars.len(), &mut out);
    for piece in &mut out {
        piece.start += sentence.start;
        piece.end += sentence.start;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<String> {
        split_sentences(text).into_iter().map(|s| s.text).collect()
    }

    #[test]
    fn sentences_end_at_stops_questions_and_line_breaks() {
        assert_eq!(
            texts("Hello there. How are you? Fine!\n- a list item\n\nDone"),
            [
                "Hello there.",
                "How are you?",
                "Fine!",
                "- a list item",
                "Done"
            ]
        );
    }

    #[test]
    fn abbreviations_decimals_and_initials_do_not_end_a_sentence() {
        assert_eq!(
            texts("Dr. Smith paid $3.50 for it, e.g. for J. R. Tolkien's book. Then he left."),
            [
                "Dr. Smith paid $3.50 for it, e.g. for J. R. Tolkien's book.",
                "Then he left."
            ]
        );
    }

    #[test]
    fn offsets_point_into_the_original_text_in_chars() {
        let text = "  Ünïcode first. «Second» one?  ";
        for s in split_sentences(text) {
            let slice: String = text.chars().skip(s.start).take(s.end - s.start).collect();
            assert_eq!(slice, s.text);
        }
        assert_eq!(split_sentences(text).len(), 2);
    }

    #[test]
    fn closing_quotes_stay_with_their_sentence() {
        assert_eq!(
            texts("He said \"stop.\" Then"),
            ["He said \"stop.\"", "Then"]
        );
    }

    #[test]
    fn a_long_sentence_is_cut_at_a_comma() {
        let long = format!("{}, and then {}.", "word ".repeat(50), "more ".repeat(40));
        let pieces = split_sentences(&long);
        assert!(pieces.len() >= 2, "{pieces:?}");
        assert!(pieces.iter().all(|p| p.text.chars().count() <= MAX_CHARS));
        assert!(pieces[0].text.ends_with(','));
    }

    #[test]
    fn a_list_item_s_number_is_read_with_its_item() {
        assert_eq!(
            texts(
                "Planets:\n1. Earth is home.\n2. Mars is red. It is cold.\nThe answer is 42. Done."
            ),
            [
                "Planets:",
                "1. Earth is home.",
                "2. Mars is red.",
                "It is cold.",
                "The answer is 42.",
                "Done."
            ]
        );
    }

    #[test]
    fn markup_only_lines_are_not_sentences() {
        assert_eq!(texts("---\n***\nReal text."), ["Real text."]);
    }
}
