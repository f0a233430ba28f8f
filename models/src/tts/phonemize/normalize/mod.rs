//! Written English to words a dictionary can read: numbers, ordinals, years and decades,
//! dates, clock times, money, percentages, units, abbreviations, web and email addresses,
//! symbols; dashes and ellipses stay as pauses, markdown marks go.
//!
//! Works chunk by chunk (text between spaces), each with a look at the chunk after it
//! ("$3 million", "10:30 pm", "5 km", "St. Louis"). Punctuation around a chunk is kept.

mod abbreviations;
mod datetime;
pub mod numbers;
mod units;
mod web;

/// The sentence splitter asks the same list whether a period ends a sentence.
pub use abbreviations::{is_abbreviation, may_end_sentence};

use unicode_normalization::UnicodeNormalization;

/// Letters with accents to plain letters ("café" -> "cafe"), other characters kept.
pub fn fold_to_ascii(text: &str) -> String {
    text.nfkd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .collect()
}

const LEADING: &str = "\"“‘'([{¡¿*_`";
const TRAILING: &str = ",.;:!?…\"”’')]}*_`";
const CURRENCIES: &[(char, &str, &str, &str, &str)] = &[
    ('$', "dollar", "dollars", "cent", "cents"),
    ('£', "pound", "pounds", "penny", "pence"),
    ('€', "euro", "euros", "cent", "cents"),
    ('¥', "yen", "yen", "", ""),
    ('₹', "rupee", "rupees", "paisa", "paise"),
];
const SCALE_WORDS: &[&str] = &["thousand", "million", "billion", "trillion"];

fn is_number(text: &str) -> bool {
    numbers::number(text).is_some()
}

/// Is `text` an integer in `range`?
fn integer_in(text: &str, range: std::ops::RangeInclusive<u64>) -> Option<u64> {
    (!text.is_empty() && text.chars().all(|c| c.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
        .filter(|n| range.contains(n))
}

/// A plain number as read in running text: four-digit numbers between 1100 and 2099 as years.
fn read_number(text: &str) -> Option<String> {
    if let Some(n) = integer_in(text, 1100..=2099).filter(|_| text.len() == 4) {
        return Some(numbers::year(n));
    }
    numbers::number(text)
}

/// "$12.50" -> "twelve dollars and fifty cents"; with a scale ("$3.5 million", "$2B") the
/// amount is read as a number before the currency.
fn money(core: &str, next: Option<&str>) -> Option<(String, bool)> {
    let symbol = core.chars().next()?;
    let &(_, one, many, cent, cents) = CURRENCIES.iter().find(|c| c.0 == symbol)?;
    let amount = &core[symbol.len_utf8()..];
    let (amount, suffix_scale) = match amount.char_indices().find(|(_, c)| c.is_ascii_alphabetic())
    {
        Some((at, _)) => {
            let scale = match &amount[at..] {
                "k" | "K" => "thousand",
                "m" | "M" | "mn" => "million",
                "b" | "B" | "bn" => "billion",
                "t" | "T" => "trillion",
                _ => return None,
            };
            (&amount[..at], Some(scale))
        }
        None => (amount, None),
    };
    let words = numbers::number(amount)?;
    let next_scale = next.filter(|n| SCALE_WORDS.contains(n));
    if let Some(scale) = suffix_scale.or(next_scale) {
        return Some((format!("{words} {scale} {many}"), next_scale.is_some()));
    }
    let (whole, fraction) = amount.split_once('.').unwrap_or((amount, ""));
    let whole_number: u64 = whole.replace(',', "").parse().unwrap_or(0);
    let whole_words = numbers::number(whole).unwrap_or_else(|| "zero".into());
    let currency = if whole_number == 1 { one } else { many };
    if fraction.is_empty() || cent.is_empty() {
        return Some((
            format!(
                "{words} {}",
                if fraction.is_empty() { currency } else { many }
            ),
            false,
        ));
    }
    if fraction.len() != 2 {
        return Some((format!("{words} {many}"), false));
    }
    let cents_number: u64 = fraction.parse().ok()?;
    let cents_words = format!(
        "{} {}",
        numbers::cardinal(cents_number),
        if cents_number == 1 { cent } else { cents }
    );
    Some((
        match (whole_number, cents_number) {
            (0, 0) => format!("zero {many}"),
            (0, _) => cents_words,
            (_, 0) => format!("{whole_words} {currency}"),
            _ => format!("{whole_words} {currency} and {cents_words}"),
        },
        false,
    ))
}

/// "1/2" "one half", "3/4" "three quarters", "2/3" "two thirds", "5/8" "five eighths".
fn fraction(core: &str) -> Option<String> {
    let (top, bottom) = core.split_once('/')?;
    let top = integer_in(top, 0..=999)?;
    let bottom = integer_in(bottom, 2..=100)?;
    let denominator = match (bottom, top == 1) {
        (2, true) => "half".to_string(),
        (2, false) => "halves".to_string(),
        (4, true) => "quarter".to_string(),
        (4, false) => "quarters".to_string(),
        (_, true) => numbers::ordinal(bottom),
        (_, false) => numbers::plural(&numbers::ordinal(bottom)),
    };
    Some(format!("{} {denominator}", numbers::cardinal(top)))
}

/// "21st", "1990s", "'90s", "10-20", "5km", "#3", "A4", "COVID-19": anything else with digits.
fn with_digits(core: &str, next: Option<&str>) -> Option<(String, bool)> {
    let ordinal_suffix = ["st", "nd", "rd", "th", "ST", "ND", "RD", "TH"]
        .iter()
        .find_map(|s| core.strip_suffix(s));
    if let Some(n) = ordinal_suffix.and_then(|n| n.replace(',', "").parse::<u64>().ok()) {
        return Some((numbers::ordinal(n), false));
    }
    if let Some(decade) = core.strip_suffix('s').or_else(|| core.strip_suffix("'s")) {
        if let Some(n) =
            integer_in(decade, 1000..=2990).filter(|n| n % 10 == 0 && decade.len() == 4)
        {
            return Some((numbers::plural(&numbers::year(n)), false));
        }
        if let Some(n) = decade
            .strip_prefix(['\'', '’'])
            .and_then(|d| integer_in(d, 0..=90))
            && n % 10 == 0
            && n >= 10
        {
            return Some((numbers::plural(&numbers::cardinal(n)), false));
        }
    }
    if let Some(number) = core.strip_prefix('#').filter(|n| is_number(n)) {
        return Some((format!("number {}", numbers::number(number)?), false));
    }
    if let Some((a, b)) = core.split_once(['-', '–'])
        && let (Some(a_words), Some(b_words)) = (read_number(a), read_number(b))
        && !a.is_empty()
        && !b.starts_with('-')
    {
        return Some((format!("{a_words} to {b_words}"), false));
    }
    if let Some(read) = fraction(core) {
        return Some((read, false));
    }
    // A number with a unit written against it, or as the next chunk.
    let split = core
        .char_indices()
        .find(|(i, c)| {
            !(c.is_ascii_digit() || (",.".contains(*c) && *i > 0) || (*c == '-' && *i == 0))
        })
        .map_or(core.len(), |(i, _)| i);
    let (amount, rest) = core.split_at(split);
    if let Some(words) = numbers::number(amount.trim_end_matches(['.', ','])) {
        let singular = amount == "1";
        if rest.is_empty() {
            if let Some(unit) = next.and_then(|n| units::unit(n, false, singular)) {
                return Some((
                    format!("{} {unit}", read_number(amount).unwrap_or(words)),
                    true,
                ));
            }
            return Some((read_number(amount).unwrap_or(words), false));
        }
        if let Some(unit) = units::unit(rest, true, singular) {
            return Some((format!("{words} {unit}"), false));
        }
    }
    // Letters and digits mixed: each run of digits read as a number.
    let mut out = Vec::new();
    let mut run = String::new();
    let mut run_digits = false;
    for c in core.chars().chain([' ']) {
        let digit = c.is_ascii_digit();
        let part_of_run = !run.is_empty() && digit == run_digits && c != ' ' && c != '-';
        if !part_of_run && !run.is_empty() {
            out.push(if run_digits {
                read_number(&run).unwrap_or_else(|| numbers::digits(&run))
            } else {
                run.clone()
            });
            run.clear();
        }
        if c != ' ' && c != '-' {
            run.push(c);
            run_digits = digit;
        }
    }
    Some((out.join(" "), false))
}

/// One chunk's core (punctuation peeled off): its reading, and whether it used the next chunk.
fn read_core(core: &str, next: Option<&str>, previous_word: Option<&str>) -> (String, bool) {
    if core.is_empty() {
        return (String::new(), false);
    }
    if let Some(read) = abbreviations::expand(core, next) {
        return (read.into(), false);
    }
    if let Some(read) = web::email(core).or_else(|| web::url(core)) {
        return (read, false);
    }
    if !core.chars().any(|c| c.is_ascii_digit()) {
        return (
            match core {
                "&" => "and".into(),
                "+" => "plus".into(),
                "=" => "equals".into(),
                "@" => "at".into(),
                "%" => "percent".into(),
                "/" | "|" => String::new(),
                "--" | "-" | "–" | "—" => "—".into(),
                // "and/or": both words.
                _ if core.contains('/')
                    && core.split('/').all(|w| w.chars().all(char::is_alphabetic)) =>
                {
                    core.replace('/', " ")
                }
                _ => core
                    .replace(['*', '_', '`', '~', '|', '<', '>', '\\', '^'], " ")
                    .trim()
                    .to_string(),
            },
            false,
        );
    }
    if let Some(read) = money(core, next) {
        return read;
    }
    if let Some(amount) = core.strip_suffix('%')
        && let Some(words) = numbers::number(amount)
    {
        return (format!("{words} percent"), false);
    }
    if let Some(read) = datetime::date(core) {
        return (read, false);
    }
    let meridiem_next = next.and_then(datetime::meridiem);
    if let Some(read) = datetime::time(core, meridiem_next) {
        return (read, meridiem_next.is_some());
    }
    // "10am", "10 pm".
    let hour_end = core
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(core.len());
    if let Some(hour) = integer_in(&core[..hour_end], 1..=12) {
        let meridiem = if hour_end < core.len() {
            datetime::meridiem(&core[hour_end..])
        } else {
            meridiem_next
        };
        if let Some(m) = meridiem {
            return (
                format!("{} {m}", numbers::cardinal(hour)),
                hour_end == core.len(),
            );
        }
    }
    // A day after a month name is an ordinal ("March 3" "March third").
    if previous_word.is_some_and(datetime::is_month)
        && let Some(day) = integer_in(core, 1..=31)
    {
        return (numbers::ordinal(day), false);
    }
    // ... and before one ("3 March" "the third of March").
    if next.is_some_and(|n| datetime::is_month(n.trim_end_matches([',', '.'])))
        && let Some(day) = integer_in(core, 1..=31)
    {
        return (format!("the {} of", numbers::ordinal(day)), false);
    }
    with_digits(core, next).unwrap_or_default()
}

/// Splits a chunk into leading punctuation, core and trailing punctuation. A period that
/// belongs to an abbreviation or a dotted initialism stays in the core.
fn peel(chunk: &str) -> (&str, &str, &str) {
    let lead = chunk.len() - chunk.trim_start_matches(|c| LEADING.contains(c)).len();
    // Keep the apostrophe of "'90s" and of "'em".
    let lead = if chunk[..lead].ends_with(['\'', '‘'])
        && chunk[lead..]
            .chars()
            .next()
            .is_some_and(|c| c.is_alphanumeric())
    {
        lead - 1
    } else {
        lead
    };
    let rest = &chunk[lead..];
    let mut core = rest.trim_end_matches(|c| TRAILING.contains(c));
    // Keep a plural possessive's apostrophe ("dogs'").
    if rest[core.len()..].starts_with('\'') && core.ends_with('s') {
        core = &rest[..core.len() + 1];
    }
    if rest[core.len()..].starts_with('.') {
        let with_period = &rest[..core.len() + 1];
        if abbreviations::is_abbreviation(with_period) || is_dotted(with_period) {
            core = with_period;
        }
    }
    (&chunk[..lead], core, &rest[core.len()..])
}

fn is_dotted(word: &str) -> bool {
    let parts: Vec<&str> = word.split('.').collect();
    parts.len() >= 3
        && parts.last() == Some(&"")
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| p.chars().count() == 1 && p.chars().all(char::is_alphabetic))
}

/// Markdown links `[text](url)` keep their text; emphasis and code marks go.
fn strip_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        let link = after.find("](").and_then(|close| {
            let url_end = after[close + 2..].find(')')?;
            Some((close, close + 2 + url_end + 1))
        });
        match link {
            Some((close, end)) => {
                out.push_str(&rest[..open]);
                out.push_str(&after[..close]);
                rest = &after[end..];
            }
            None => {
                out.push_str(&rest[..=open]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Line breaks end a sentence when the line did not; list bullets and headings go.
fn join_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let line = line.trim().trim_start_matches(['#', '>', '•']).trim();
        let line = line
            .strip_prefix("- ")
            .or_else(|| line.strip_prefix("* "))
            .unwrap_or(line);
        if line.is_empty() {
            continue;
        }
        if !out.is_empty() {
            let ends_sentence = out.ends_with(|c: char| ".!?:;,…—".contains(c));
            out.push_str(if ends_sentence { " " } else { ". " });
        }
        out.push_str(line);
    }
    out
}

pub fn normalize(text: &str) -> String {
    let text: String = text
        .chars()
        .map(|c| match c {
            '\u{00a0}' | '\u{2009}' | '\u{202f}' => ' ',
            '−' => '-',
            _ => c,
        })
        .collect();
    let text = join_lines(&strip_markdown(&text))
        .replace("...", "…")
        .replace("--", " — ");
    let chunks: Vec<&str> = text.split_whitespace().collect();
    let mut out: Vec<String> = Vec::with_capacity(chunks.len());
    let mut previous_word: Option<String> = None;
    let mut i = 0;
    while i < chunks.len() {
        let (lead, core, trail) = peel(chunks[i]);
        let next = chunks.get(i + 1).map(|n| peel(n).1);
        // The next chunk is only read together with this one when no pause stands between.
        let joinable_next = next.filter(|_| trail.is_empty());
        let (read, used_next) = read_core(core, joinable_next, previous_word.as_deref());
        let mut trail = trail.to_string();
        if used_next {
            i += 1;
            trail = peel(chunks[i]).2.to_string();
        }
        // "etc." at the end of a sentence: its period ends it too.
        if abbreviations::is_abbreviation(core)
            && trail.is_empty()
            && abbreviations::may_end_sentence(core, next)
        {
            trail.push('.');
        }
        let lead = lead.replace(['*', '_', '`'], "");
        let mut trail = trail.replace(['*', '_', '`'], "");
        // "p.m." ending a sentence: one period.
        if read.ends_with('.') && trail.starts_with('.') {
            trail.remove(0);
        }
        previous_word = read.split_whitespace().last().map(str::to_string);
        let piece = format!("{lead}{read}{trail}");
        if !piece.trim().is_empty() {
            out.push(piece);
        }
        i += 1;
    }
    out.join(" ")
}
