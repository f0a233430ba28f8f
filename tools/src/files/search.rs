//! Finding lines in the files' text: a case-insensitive phrase by default, or a regular
//! expression when the model asks for one; each match is the file, the line's number and the
//! line (shortened around the match when long).

use regex::{Regex, RegexBuilder};

/// How many matching lines one search returns at most.
pub const MAX_MATCHES: usize = 40;
/// A longer line is cut to this many characters around its first match.
const LINE_CHARS: usize = 200;
/// A pattern this long is refused (a regex compiles to more than a search needs).
const MAX_PATTERN_CHARS: usize = 500;

#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    pub path: String,
    /// Counted from 1.
    pub line: usize,
    pub text: String,
}

/// The search a call asked for, compiled once for every file.
pub struct Query(Regex);

impl Query {
    /// `pattern` as a phrase, or as a regular expression with `regex`; both ignore case.
    pub fn new(pattern: &str, regex: bool) -> Result<Query, String> {
        if pattern.trim().is_empty() {
            return Err("the search needs a non-empty \"query\"".into());
        }
        if pattern.chars().count() > MAX_PATTERN_CHARS {
            return Err(format!(
                "the query is longer than {MAX_PATTERN_CHARS} characters"
            ));
        }
        let source = if regex {
            pattern.to_owned()
        } else {
            regex::escape(pattern)
        };
        RegexBuilder::new(&source)
            .case_insensitive(true)
            .size_limit(1 << 20)
            .build()
            .map(Query)
            .map_err(|e| format!("the query is not a regular expression this search reads: {e}"))
    }

    /// Every matching line of `text`, at most `limit`.
    pub fn lines(&self, path: &str, text: &str, limit: usize) -> Vec<Match> {
        text.lines()
            .enumerate()
            .filter_map(|(i, line)| {
                let found = self.0.find(line)?;
                Some(Match {
                    path: path.to_owned(),
                    line: i + 1,
                    text: around(line, found.start()),
                })
            })
            .take(limit)
            .collect()
    }
}

/// `line`, or the part of it around byte `at` when it is long, marked with ellipses.
fn around(line: &str, at: usize) -> String {
    let line = line.trim_end();
    if line.chars().count() <= LINE_CHARS {
        return line.to_owned();
    }
    let before = line[..at.min(line.len())].chars().count();
    let start = before.saturating_sub(LINE_CHARS / 4);
    let cut: String = line.chars().skip(start).take(LINE_CHARS).collect();
    let head = if start > 0 { "…" } else { "" };
    format!("{head}{cut}…")
}
