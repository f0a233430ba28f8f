//! Clock times and calendar dates as they are read: "10:05" "ten oh five", "3/14/2024" "March
//! fourteenth, twenty twenty four", "2024-03-14" the same.

use super::numbers::{cardinal, ordinal, year};

pub const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

pub fn is_month(word: &str) -> bool {
    MONTHS.contains(&word)
}

fn parse_small(text: &str, max: u32) -> Option<u32> {
    (!text.is_empty() && text.len() <= 2 && text.chars().all(|c| c.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
        .filter(|n| *n <= max)
}

/// "am"/"pm" in any of their spellings, as the dotted initialism the dictionary spells out.
pub fn meridiem(word: &str) -> Option<&'static str> {
    match word.to_ascii_lowercase().trim_end_matches('.') {
        "am" | "a.m" => Some("a.m."),
        "pm" | "p.m" => Some("p.m."),
        _ => None,
    }
}

/// "H:MM" or "H:MM:SS" (with "am"/"pm" attached or given), or `None`.
pub fn time(word: &str, meridiem_after: Option<&str>) -> Option<String> {
    let (clock, attached) = match word.find(|c: char| c.is_ascii_alphabetic()) {
        Some(at) => (&word[..at], Some(meridiem(&word[at..])?)),
        None => (word, None),
    };
    let mut parts = clock.split(':');
    let hours = parse_small(parts.next()?, 24)?;
    let minutes_text = parts.next()?;
    let minutes = parse_small(minutes_text, 59).filter(|_| minutes_text.len() == 2)?;
    let seconds = match parts.next() {
        Some(s) => Some(parse_small(s, 59).filter(|_| s.len() == 2)?),
        None => None,
    };
    if parts.next().is_some() {
        return None;
    }
    let suffix = attached.or(meridiem_after);
    let mut out = cardinal(u64::from(hours));
    match minutes {
        0 if suffix.is_none() && seconds.is_none() => out.push_str(" o'clock"),
        0 => {}
        1..=9 => out.push_str(&format!(" oh {}", cardinal(u64::from(minutes)))),
        _ => out.push_str(&format!(" {}", cardinal(u64::from(minutes)))),
    }
    if let Some(seconds) = seconds {
        let unit = if seconds == 1 { "second" } else { "seconds" };
        out.push_str(&format!(" and {} {unit}", cardinal(u64::from(seconds))));
    }
    if let Some(suffix) = suffix {
        out.push(' ');
        out.push_str(suffix);
    }
    Some(out)
}

fn full_year(text: &str) -> Option<u64> {
    let n: u64 = text.parse().ok()?;
    match text.len() {
        4 => Some(n),
        // Two-digit years: the nearest century.
        2 => Some(if n < 50 { 2000 + n } else { 1900 + n }),
        _ => None,
    }
}

fn spoken_date(month: u32, day: u32, year_number: u64) -> Option<String> {
    let name = MONTHS.get(usize::try_from(month).ok()?.checked_sub(1)?)?;
    (1..=31)
        .contains(&day)
        .then(|| format!("{name} {}, {}", ordinal(u64::from(day)), year(year_number)))
}

/// "M/D/YYYY" (US order; "D/M/YYYY" when the first number cannot be a month), "YYYY-MM-DD".
pub fn date(word: &str) -> Option<String> {
    if let [y, m, d] = word.split('-').collect::<Vec<_>>()[..] {
        if y.len() == 4 && m.len() == 2 && d.len() == 2 {
            return spoken_date(parse_small(m, 12)?, parse_small(d, 31)?, y.parse().ok()?);
        }
        return None;
    }
    let [a, b, y] = word.split('/').collect::<Vec<_>>()[..] else {
        return None;
    };
    let (a, b, y) = (parse_small(a, 31)?, parse_small(b, 31)?, full_year(y)?);
    if a <= 12 {
        spoken_date(a, b, y)
    } else {
        spoken_date(b, a, y)
    }
}
