//! misaki's phoneme alphabet facts and its stress arithmetic (`apply_stress` in misaki/en.py):
//! a stress mark always stands right before the vowel it stresses.

pub const PRIMARY: char = 'ˈ';
pub const SECONDARY: char = 'ˌ';

/// misaki's US vowels; the capitals are its diphthongs (A = eɪ, I = aɪ, O = oʊ, W = aʊ, Y = ɔɪ).
pub fn is_vowel(c: char) -> bool {
    "AIOQWYaiuæɑɒɔəɛɜɪʊʌᵻ".contains(c)
}

pub fn is_consonant(c: char) -> bool {
    "bdfhjklmnpstvwzðŋɡɹɾʃʒʤʧθ".contains(c)
}

fn is_stress(c: char) -> bool {
    c == PRIMARY || c == SECONDARY
}

fn has_stress(ps: &str) -> bool {
    ps.chars().any(is_stress)
}

fn has_vowel(ps: &str) -> bool {
    ps.chars().any(is_vowel)
}

/// Moves every stress mark to just before the next vowel.
fn restress(ps: &str) -> String {
    let chars: Vec<char> = ps.chars().collect();
    // Positions doubled so a moved mark sits at (vowel index) - 0.5 without floats.
    let mut placed: Vec<(usize, char)> = Vec::with_capacity(chars.len());
    for (i, &c) in chars.iter().enumerate() {
        let position = if is_stress(c) {
            match chars[i..].iter().position(|&v| is_vowel(v)) {
                Some(offset) => 2 * (i + offset) - 1,
                None => 2 * i,
            }
        } else {
            2 * i
        };
        placed.push((position, c));
    }
    // Ties (two marks before one vowel) order by character, as Python's tuple sort does.
    placed.sort();
    placed.into_iter().map(|(_, c)| c).collect()
}

/// misaki's `apply_stress`: `None` leaves the phonemes alone; below -1 removes all stress; -1
/// (or 0 and -0.5 on a stressed word) demotes primary to secondary; 0..1 adds a secondary mark
/// to an unstressed word; >= 1 promotes a lone secondary; above 1 adds a primary mark.
pub fn apply_stress(ps: &str, stress: Option<f32>) -> String {
    let Some(stress) = stress else {
        return ps.to_string();
    };
    let demote = |ps: &str| ps.replace(SECONDARY, "").replace(PRIMARY, "ˌ");
    if stress < -1.0 {
        ps.replace([PRIMARY, SECONDARY], "")
    } else if stress == -1.0 || ((stress == 0.0 || stress == -0.5) && ps.contains(PRIMARY)) {
        demote(ps)
    } else if (stress == 0.0 || stress == 0.5 || stress == 1.0) && !has_stress(ps) {
        if !has_vowel(ps) {
            return ps.to_string();
        }
        restress(&format!("{SECONDARY}{ps}"))
    } else if stress >= 1.0 && !ps.contains(PRIMARY) && ps.contains(SECONDARY) {
        ps.replace(SECONDARY, "ˈ")
    } else if stress > 1.0 && !has_stress(ps) {
        if !has_vowel(ps) {
            return ps.to_string();
        }
        restress(&format!("{PRIMARY}{ps}"))
    } else {
        ps.to_string()
    }
}

/// misaki's `stress_weight`: diphthongs and affricates count twice.
pub fn stress_weight(ps: &str) -> usize {
    ps.chars()
        .map(|c| if "AIOQWYʤʧ".contains(c) { 2 } else { 1 })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stress_marks_move_before_the_vowel() {
        assert_eq!(apply_stress("kæt", Some(2.0)), "kˈæt");
        assert_eq!(apply_stress("kæt", Some(0.5)), "kˌæt");
        assert_eq!(apply_stress("kˈæt", Some(-1.0)), "kˌæt");
        assert_eq!(apply_stress("kˈæt", Some(-2.0)), "kæt");
        assert_eq!(apply_stress("kˌæt", Some(1.0)), "kˈæt");
        assert_eq!(apply_stress("st", Some(2.0)), "st");
        assert_eq!(apply_stress("kæt", None), "kæt");
    }
}
