//! Text normalization: what numbers, dates, times, money, units, abbreviations and addresses
//! read as, on sentences written for this test (no model files needed).

// Native only: plain tests, which the wasm32 build for Chromium would link and not run (the
// library builds for wasm32 without them; its browser tests are wasm-bindgen tests).
#![cfg(not(target_arch = "wasm32"))]

use models::tts::phonemize::normalize::normalize;

fn check(cases: &[(&str, &str)]) {
    let mut wrong = Vec::new();
    for (text, want) in cases {
        let got = normalize(text);
        if got != *want {
            wrong.push(format!("{text:?}\n  want {want:?}\n  got  {got:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn numbers_ordinals_years_and_decades() {
    check(&[
        (
            "I have 3 cats and 12 dogs.",
            "I have three cats and twelve dogs.",
        ),
        (
            "It costs 1,234,567 yen?",
            "It costs one million two hundred thirty four thousand five hundred sixty seven yen?",
        ),
        (
            "Pi is about 3.14159.",
            "Pi is about three point one four one five nine.",
        ),
        ("It was -5 outside.", "It was minus five outside."),
        (
            "She finished 1st, he came 22nd.",
            "She finished first, he came twenty second.",
        ),
        (
            "Born in 1984, married in 2007, retired in 2024.",
            "Born in nineteen eighty four, married in two thousand seven, retired in twenty twenty four.",
        ),
        (
            "Music of the 1990s and the '80s.",
            "Music of the nineteen nineties and the eighties.",
        ),
        (
            "Agent 007 read pages 10-20.",
            "Agent zero zero seven read pages ten to twenty.",
        ),
        (
            "Add 1/2 cup and 3/4 spoon.",
            "Add one half cup and three quarters spoon.",
        ),
        ("Ticket #5 won.", "Ticket number five won."),
    ]);
}

#[test]
fn money_percentages_and_units() {
    check(&[
        (
            "It costs $12.50 today.",
            "It costs twelve dollars and fifty cents today.",
        ),
        (
            "Only $1 or €20, not £0.99!",
            "Only one dollar or twenty euros, not ninety nine pence!",
        ),
        (
            "They raised $3.5 million.",
            "They raised three point five million dollars.",
        ),
        ("A $2B deal.", "A two billion dollars deal."),
        (
            "Prices rose 7.5% in May.",
            "Prices rose seven point five percent in May.",
        ),
        (
            "Run 5 km, then 10km more.",
            "Run five kilometers, then ten kilometers more.",
        ),
        (
            "It weighs 1 kg and holds 2 GB.",
            "It weighs one kilogram and holds two gigabytes.",
        ),
        (
            "Bake at 180°C for 25 min.",
            "Bake at one hundred eighty degrees Celsius for twenty five min.",
        ),
    ]);
}

#[test]
fn dates_and_times() {
    check(&[
        (
            "We met on 3/14/2024 at 10:30.",
            "We met on March fourteenth, twenty twenty four at ten thirty.",
        ),
        ("Due 2024-01-05.", "Due January fifth, twenty twenty four."),
        (
            "The train leaves at 7:05 pm.",
            "The train leaves at seven oh five p.m.",
        ),
        (
            "Call me at 9am or at 6 PM.",
            "Call me at nine a.m. or at six p.m.",
        ),
        ("Meet at 12:00 sharp.", "Meet at twelve o'clock sharp."),
        (
            "On March 3, 2025 we fly.",
            "On March third, twenty twenty five we fly.",
        ),
        (
            "Since 4 July 1776.",
            "Since the fourth of July seventeen seventy six.",
        ),
    ]);
}

#[test]
fn abbreviations_addresses_and_symbols() {
    check(&[
        (
            "Dr. Smith lives on Baker St.",
            "doctor Smith lives on Baker street.",
        ),
        (
            "Mr. and Mrs. Jones visited St. Louis.",
            "mister and missus Jones visited saint Louis.",
        ),
        (
            "Bring fruit, e.g. apples, etc. Then rest.",
            "Bring fruit, for example apples, et cetera. Then rest.",
        ),
        (
            "See https://example.com/docs/page-2 now.",
            "See example dot com slash docs slash page dash two now.",
        ),
        (
            "Mail jane.doe@example.org today.",
            "Mail jane dot doe at example dot org today.",
        ),
        (
            "Visit www.rust-lang.org!",
            "Visit w w w dot rust dash lang dot org!",
        ),
        ("Tom & Jerry, A+B = C.", "Tom and Jerry, A+B equals C."),
        (
            "Read the **bold** [docs](http://x.io) now",
            "Read the bold docs now",
        ),
        ("Wait -- really...", "Wait — really…"),
        (
            "The U.S. team vs. the U.K. team.",
            "The U.S. team versus the U.K. team.",
        ),
        ("Use and/or skip.", "Use and or skip."),
    ]);
}

#[test]
fn lists_and_line_breaks_become_sentences() {
    check(&[
        ("# Plan\n- buy milk\n- call Bob", "Plan. buy milk. call Bob"),
        ("Done.\n\nNext", "Done. Next"),
    ]);
}
