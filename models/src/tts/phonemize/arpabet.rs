//! g2p_en's ARPAbet in misaki's US symbols: stress marks go right before the vowel, as in
//! misaki's dictionaries, a reduced vowel before a final "l" is the syllabic ᵊl, and a "t"
//! between a vowel and an unstressed vowel flaps (ɾ), as misaki writes US English.

/// (vowel, stress digit) for ARPAbet vowels; `None` for consonants.
fn split_vowel(symbol: &str) -> Option<(&str, char)> {
    let last = symbol.chars().last()?;
    last.is_ascii_digit()
        .then(|| (&symbol[..symbol.len() - 1], last))
        .or_else(|| (symbol == "UW").then_some(("UW", '0')))
}

fn vowel(base: &str, stress: char) -> &'static str {
    match (base, stress) {
        ("AA", _) => "ɑ",
        ("AE", _) => "æ",
        ("AH", '0') => "ə",
        ("AH", _) => "ʌ",
        ("AO", _) => "ɔ",
        ("AW", _) => "W",
        ("AY", _) => "I",
        ("EH", _) => "ɛ",
        ("ER", '0') => "əɹ",
        ("ER", _) => "ɜɹ",
        ("EY", _) => "A",
        ("IH", _) => "ɪ",
        ("IY", _) => "i",
        ("OW", _) => "O",
        ("OY", _) => "Y",
        ("UH", _) => "ʊ",
        _ => "u",
    }
}

fn consonant(symbol: &str) -> &'static str {
    match symbol {
        "B" => "b",
        "CH" => "ʧ",
        "D" => "d",
        "DH" => "ð",
        "F" => "f",
        "G" => "ɡ",
        "HH" => "h",
        "JH" => "ʤ",
        "K" => "k",
        "L" => "l",
        "M" => "m",
        "N" => "n",
        "NG" => "ŋ",
        "P" => "p",
        "R" => "ɹ",
        "S" => "s",
        "SH" => "ʃ",
        "T" => "t",
        "TH" => "θ",
        "V" => "v",
        "W" => "w",
        "Y" => "j",
        "Z" => "z",
        "ZH" => "ʒ",
        _ => "",
    }
}

pub fn to_misaki(arpabet: &[&str]) -> String {
    let mut out = String::new();
    for (i, symbol) in arpabet.iter().enumerate() {
        let next = arpabet.get(i + 1).copied();
        let after_next_is_vowel = arpabet.get(i + 2).is_some_and(|s| split_vowel(s).is_some());
        match split_vowel(symbol) {
            Some(("AH", '0')) if next == Some("L") && !after_next_is_vowel => out.push('ᵊ'),
            Some((base, stress)) => {
                match stress {
                    '1' => out.push('ˈ'),
                    '2' => out.push('ˌ'),
                    _ => {}
                }
                out.push_str(vowel(base, stress));
            }
            None => {
                let after_vowel = i > 0
                    && (split_vowel(arpabet[i - 1]).is_some()
                        || (arpabet[i - 1] == "R"
                            && i > 1
                            && split_vowel(arpabet[i - 2]).is_some()));
                let before_unstressed = next
                    .and_then(split_vowel)
                    .is_some_and(|(_, stress)| stress == '0');
                if *symbol == "T" && after_vowel && before_unstressed {
                    out.push('ɾ');
                } else {
                    out.push_str(consonant(symbol));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arpabet_becomes_misaki_symbols() {
        assert_eq!(to_misaki(&["K", "AE1", "T"]), "kˈæt");
        assert_eq!(to_misaki(&["B", "AA1", "T", "AH0", "L"]), "bˈɑɾᵊl");
        assert_eq!(to_misaki(&["W", "AO1", "T", "ER0"]), "wˈɔɾəɹ");
        assert_eq!(to_misaki(&["AH0", "T", "AE1", "K"]), "ətˈæk");
    }
}
