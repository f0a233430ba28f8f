//! Abbreviations read as words. Titles expand before a name, street words after one.

/// `(written, read)`: always expanded, wherever they stand.
const ALWAYS: &[(&str, &str)] = &[
    ("Mr.", "mister"),
    ("Mrs.", "missus"),
    ("Ms.", "miz"),
    ("Prof.", "professor"),
    ("Jr.", "junior"),
    ("Sr.", "senior"),
    ("e.g.", "for example"),
    ("i.e.", "that is"),
    ("etc.", "et cetera"),
    ("vs.", "versus"),
    ("vs", "versus"),
    ("approx.", "approximately"),
    ("Ave.", "avenue"),
    ("Blvd.", "boulevard"),
    ("Rd.", "road"),
    ("Mt.", "mount"),
    ("Gov.", "governor"),
    ("Sen.", "senator"),
    ("Rep.", "representative"),
    ("Gen.", "general"),
    ("Capt.", "captain"),
    ("Lt.", "lieutenant"),
    ("Sgt.", "sergeant"),
    ("Col.", "colonel"),
    ("Inc.", "incorporated"),
    ("Ltd.", "limited"),
    ("Corp.", "corporation"),
    ("Co.", "company"),
    ("Dept.", "department"),
    ("Univ.", "university"),
    ("fig.", "figure"),
    ("Fig.", "figure"),
    ("vol.", "volume"),
    ("Vol.", "volume"),
    ("pp.", "pages"),
    ("est.", "established"),
    ("Jan.", "January"),
    ("Feb.", "February"),
    ("Mar.", "March"),
    ("Apr.", "April"),
    ("Jun.", "June"),
    ("Jul.", "July"),
    ("Aug.", "August"),
    ("Sep.", "September"),
    ("Sept.", "September"),
    ("Oct.", "October"),
    ("Nov.", "November"),
    ("Dec.", "December"),
    ("Mon.", "Monday"),
    ("Tue.", "Tuesday"),
    ("Tues.", "Tuesday"),
    ("Wed.", "Wednesday"),
    ("Thu.", "Thursday"),
    ("Thurs.", "Thursday"),
    ("Fri.", "Friday"),
    ("Sat.", "Saturday"),
    ("Sun.", "Sunday"),
];

/// Titles written without a period (British style) count only before a capitalised name.
const TITLES: &[(&str, &str)] = &[
    ("Mr", "mister"),
    ("Mrs", "missus"),
    ("Ms", "miz"),
    ("Dr", "doctor"),
];

/// Abbreviations that often end a sentence: their period is kept as one when the next word
/// starts a sentence.
const SENTENCE_FINAL: &[&str] = &[
    "etc.", "Inc.", "Ltd.", "Co.", "Corp.", "Jr.", "Sr.", "St.", "Dr.",
];

/// What `word` reads as, given the word after it (`None` at the end of the text); `None` for
/// a word that is not an abbreviation here.
pub fn expand(word: &str, next: Option<&str>) -> Option<&'static str> {
    let before_name = next.is_some_and(|n| n.chars().next().is_some_and(char::is_uppercase));
    let before_number = next.is_some_and(|n| n.chars().next().is_some_and(|c| c.is_ascii_digit()));
    match word {
        // "St. Louis" against "Main St."; "Dr. Smith" against "Mulholland Dr."
        "St." => Some(if before_name { "saint" } else { "street" }),
        "Dr." => Some(if before_name { "doctor" } else { "drive" }),
        "No." | "no." | "Nos." if before_number => Some("number"),
        _ => ALWAYS
            .iter()
            .chain(TITLES.iter().filter(|_| before_name))
            .find(|(written, _)| *written == word)
            .map(|(_, read)| *read),
    }
}

/// Whether the period of `word` also ends the sentence when `next` starts one.
pub fn may_end_sentence(word: &str, next: Option<&str>) -> bool {
    // Before a capitalised word "St." and "Dr." are titles ("St. Louis"), not an ending.
    let title = matches!(word, "St." | "Dr.");
    SENTENCE_FINAL.contains(&word)
        && next.is_none_or(|n| !title && n.chars().next().is_some_and(char::is_uppercase))
}

/// Is this one of the abbreviations above (with its period)?
pub fn is_abbreviation(word: &str) -> bool {
    matches!(word, "St." | "Dr." | "No." | "no." | "Nos.")
        || ALWAYS.iter().any(|(written, _)| *written == word)
}
