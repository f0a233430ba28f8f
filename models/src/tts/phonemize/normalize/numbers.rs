//! Numbers as American English words: cardinals, ordinals, years, decimals and digit strings,
//! written with spaces ("twenty one", no "and") so each word is looked up on its own, as misaki
//! looks up num2words' output.

const ONES: [&str; 20] = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
];
const TENS: [&str; 10] = [
    "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
];
const SCALES: [(u64, &str); 5] = [
    (1_000_000_000_000_000, "quadrillion"),
    (1_000_000_000_000, "trillion"),
    (1_000_000_000, "billion"),
    (1_000_000, "million"),
    (1_000, "thousand"),
];
/// Beyond this, numbers are read digit by digit.
pub const LARGEST: u64 = 999_999_999_999_999_999;

fn under_thousand(n: u64, out: &mut Vec<&'static str>) {
    let (hundreds, rest) = (n / 100, n % 100);
    if hundreds > 0 {
        out.push(ONES[hundreds as usize]);
        out.push("hundred");
    }
    if rest >= 20 {
        out.push(TENS[(rest / 10) as usize]);
        if rest % 10 > 0 {
            out.push(ONES[(rest % 10) as usize]);
        }
    } else if rest > 0 || hundreds == 0 {
        out.push(ONES[rest as usize]);
    }
}

pub fn cardinal(n: u64) -> String {
    if n > LARGEST {
        return digits(&n.to_string());
    }
    if n == 0 {
        return "zero".into();
    }
    let mut words = Vec::new();
    let mut rest = n;
    for (scale, name) in SCALES {
        if rest >= scale {
            under_thousand(rest / scale, &mut words);
            words.push(name);
            rest %= scale;
        }
    }
    if rest > 0 {
        under_thousand(rest, &mut words);
    }
    words.join(" ")
}

/// The ordinal form of a cardinal's last word ("twenty one" -> "twenty first").
fn ordinal_word(word: &str) -> String {
    match word {
        "one" => "first".into(),
        "two" => "second".into(),
        "three" => "third".into(),
        "five" => "fifth".into(),
        "eight" => "eighth".into(),
        "nine" => "ninth".into(),
        "twelve" => "twelfth".into(),
        w if w.ends_with('y') => format!("{}ieth", &w[..w.len() - 1]),
        w => format!("{w}th"),
    }
}

fn last_word_changed(words: &str, change: impl Fn(&str) -> String) -> String {
    match words.rsplit_once(' ') {
        Some((head, last)) => format!("{head} {}", change(last)),
        None => change(words),
    }
}

pub fn ordinal(n: u64) -> String {
    last_word_changed(&cardinal(n), ordinal_word)
}

/// Plural of a number's last word, for decades and "in the 1990s" ("nineteen nineties").
pub fn plural(words: &str) -> String {
    last_word_changed(words, |w| match w.strip_suffix('y') {
        Some(stem) => format!("{stem}ies"),
        None if w.ends_with('x') => format!("{w}es"),
        None => format!("{w}s"),
    })
}

/// A year as people say it: 1984 "nineteen eighty four", 1905 "nineteen oh five", 1900
/// "nineteen hundred", 2000 "two thousand", 2007 "two thousand seven", 2024 "twenty twenty four".
pub fn year(n: u64) -> String {
    if !(1000..=9999).contains(&n) || n.is_multiple_of(1000) || (2000..2010).contains(&n) {
        return cardinal(n);
    }
    let (high, low) = (n / 100, n % 100);
    match low {
        0 => format!("{} hundred", cardinal(high)),
        1..=9 => format!("{} oh {}", cardinal(high), cardinal(low)),
        _ => format!("{} {}", cardinal(high), cardinal(low)),
    }
}

/// Digit by digit ("007" -> "zero zero seven").
pub fn digits(text: &str) -> String {
    text.chars()
        .filter_map(|c| c.to_digit(10))
        .map(|d| ONES[d as usize])
        .collect::<Vec<_>>()
        .join(" ")
}

/// A written number (digits, optional thousands commas, optional decimals, optional sign).
pub fn number(text: &str) -> Option<String> {
    let (sign, body) = match text.strip_prefix(['-', '−']) {
        Some(rest) => ("minus ", rest),
        None => ("", text.strip_prefix('+').unwrap_or(text)),
    };
    let (whole, fraction) = match body.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (body, None),
    };
    if !valid_whole(whole)
        || fraction.is_some_and(|f| f.is_empty() || !f.chars().all(|c| c.is_ascii_digit()))
    {
        return None;
    }
    let plain: String = whole.chars().filter(|c| *c != ',').collect();
    let whole_words = if plain.is_empty() {
        String::new()
    } else if plain.len() > 1 && plain.starts_with('0') && fraction.is_none() {
        digits(&plain)
    } else {
        cardinal(plain.parse().ok()?)
    };
    let mut words = format!("{sign}{whole_words}");
    if let Some(fraction) = fraction {
        if !whole_words.is_empty() {
            words.push(' ');
        }
        words.push_str("point ");
        words.push_str(&digits(fraction));
    }
    Some(words)
}

/// Digits with commas only between groups of three ("1,234"), or plain digits.
fn valid_whole(whole: &str) -> bool {
    if whole.is_empty() {
        return true;
    }
    if !whole.contains(',') {
        return whole.chars().all(|c| c.is_ascii_digit());
    }
    let groups: Vec<&str> = whole.split(',').collect();
    groups[0].len() <= 3
        && !groups[0].is_empty()
        && groups.iter().all(|g| g.chars().all(|c| c.is_ascii_digit()))
        && groups[1..].iter().all(|g| g.len() == 3)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_people_say_them() {
        assert_eq!(cardinal(0), "zero");
        assert_eq!(cardinal(21), "twenty one");
        assert_eq!(cardinal(115), "one hundred fifteen");
        assert_eq!(cardinal(1_000_001), "one million one");
        assert_eq!(
            cardinal(7_250_300),
            "seven million two hundred fifty thousand three hundred"
        );
        assert_eq!(ordinal(1), "first");
        assert_eq!(ordinal(22), "twenty second");
        assert_eq!(ordinal(40), "fortieth");
        assert_eq!(ordinal(112), "one hundred twelfth");
        assert_eq!(year(1984), "nineteen eighty four");
        assert_eq!(year(1905), "nineteen oh five");
        assert_eq!(year(1900), "nineteen hundred");
        assert_eq!(year(2000), "two thousand");
        assert_eq!(year(2007), "two thousand seven");
        assert_eq!(year(2024), "twenty twenty four");
        assert_eq!(plural(&year(1990)), "nineteen nineties");
        assert_eq!(number("3.14").as_deref(), Some("three point one four"));
        assert_eq!(number("-40").as_deref(), Some("minus forty"));
        assert_eq!(
            number("1,234,567").as_deref(),
            Some("one million two hundred thirty four thousand five hundred sixty seven")
        );
        assert_eq!(number(".5").as_deref(), Some("point five"));
        assert_eq!(number("007").as_deref(), Some("zero zero seven"));
        assert_eq!(number("12,34"), None);
    }
}
