//! Extraction quality against Mozilla Readability's test pages: for each page folder
//! (`source.html`, `expected.html`, `expected-metadata.json`), the bag-of-words F1 of our text
//! against the text of Readability's `expected.html`, and whether our title equals its title.
//!
//! The pages live outside the repository: `$LANTERN_READABILITY_PAGES`, else
//! `../shared/readability-test-pages` beside the workspace. Without them the test says it
//! skipped, and passes.
//!
//! Both texts are tokenised alike: lowercase runs of letters and digits. Overlap counts each
//! token as often as it occurs in both; precision is overlap over our tokens, recall overlap over
//! the expected tokens.
//!
//! Pages are put in categories by their source alone, the first rule that applies:
//! - `synthetic`: under 5 kB, a hand-made fixture for one rule;
//! - `reference`: a wiki (MediaWiki), schema.org `TechArticle`/`APIReference`, or at least three
//!   `<pre>` blocks (specifications, manuals, technical write-ups);
//! - `blog`: a blogging platform's `generator` (WordPress, Blogger, Tumblr, Ghost, Gatsby, Jekyll,
//!   Hugo, Medium), schema.org `BlogPosting`/`SocialMediaPosting`, or "blog" in `og:site_name`;
//! - `news`: schema.org `NewsArticle` and kin, or `og:type` "article";
//! - `other`: the rest (fiction, forums, personal and corporate pages).

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

const MIN_MEAN_F1: f64 = 0.85;
const MIN_TITLE_RATE: f64 = 0.90;

struct PageResult {
    name: String,
    category: &'static str,
    precision: f64,
    recall: f64,
    f1: f64,
    title_ok: bool,
    millis: u128,
    note: String,
}

fn pages_dir() -> PathBuf {
    match std::env::var_os("LANTERN_READABILITY_PAGES") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/readability-test-pages"),
    }
}

/// The report goes to the terminal even when the test harness captures output.
fn report(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

fn tokens(text: &str) -> HashMap<String, usize> {
    let mut bag = HashMap::new();
    for token in text
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
    {
        *bag.entry(token.to_owned()).or_insert(0) += 1;
    }
    bag
}

/// (precision, recall, f1) of `ours` against `expected`, as bags of words.
fn scores(ours: &str, expected: &str) -> (f64, f64, f64) {
    let (ours, expected) = (tokens(ours), tokens(expected));
    let ours_total: usize = ours.values().sum();
    let expected_total: usize = expected.values().sum();
    if ours_total == 0 || expected_total == 0 {
        let same = ours_total == expected_total;
        return if same {
            (1.0, 1.0, 1.0)
        } else {
            (0.0, 0.0, 0.0)
        };
    }
    let overlap: usize = ours
        .iter()
        .map(|(t, &n)| n.min(expected.get(t).copied().unwrap_or(0)))
        .sum();
    let precision = overlap as f64 / ours_total as f64;
    let recall = overlap as f64 / expected_total as f64;
    let f1 = if overlap == 0 {
        0.0
    } else {
        2.0 * precision * recall / (precision + recall)
    };
    (precision, recall, f1)
}

fn category(source: &str) -> &'static str {
    let lower = source.to_lowercase();
    let generator = lower
        .split("<meta")
        .skip(1)
        .find(|m| m.contains("name=\"generator\""))
        .unwrap_or("");
    let has = |needle: &str| lower.contains(needle);
    let schema = |kind: &str| {
        has(&format!("\"@type\":\"{kind}\"")) || has(&format!("\"@type\": \"{kind}\""))
    };
    if source.len() < 5_000 {
        "synthetic"
    } else if generator.contains("mediawiki")
        || schema("techarticle")
        || schema("apireference")
        || lower.matches("<pre").count() >= 3
    {
        "reference"
    } else if [
        "wordpress",
        "blogger",
        "tumblr",
        "ghost",
        "gatsby",
        "jekyll",
        "hugo",
        "medium",
    ]
    .iter()
    .any(|g| generator.contains(g))
        || schema("blogposting")
        || schema("socialmediaposting")
        || lower
            .split("<meta")
            .any(|m| m.contains("og:site_name") && m.contains("blog"))
    {
        "blog"
    } else if schema("newsarticle")
        || schema("reportagenewsarticle")
        || schema("opinionnewsarticle")
        || lower
            .split("<meta")
            .any(|m| m.contains("og:type") && m.contains("content=\"article\""))
    {
        "news"
    } else {
        "other"
    }
}

fn normalize(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn expected_title(metadata: &str) -> String {
    let value: serde_json::Value = serde_json::from_str(metadata).unwrap_or_default();
    normalize(value["title"].as_str().unwrap_or(""))
}

fn run_page(dir: &Path) -> Option<PageResult> {
    let read = |file: &str| {
        std::fs::read(dir.join(file))
            .ok()
            .map(|b| String::from_utf8_lossy(&b).into_owned())
    };
    let source = read("source.html")?;
    let expected = read("expected.html")?;
    let metadata = read("expected-metadata.json").unwrap_or_default();
    let name = dir.file_name()?.to_string_lossy().into_owned();

    let started = Instant::now();
    let extracted = content::extract(&source, None);
    let millis = started.elapsed().as_millis();
    let expected_text = content::page_text(&expected);
    let want_title = expected_title(&metadata);
    Some(match extracted {
        Ok(article) => {
            let (precision, recall, f1) = scores(&article.text, &expected_text);
            let got_title = normalize(&article.title);
            let title_ok = got_title == want_title;
            let note = if title_ok {
                String::new()
            } else {
                format!("title {got_title:?} != {want_title:?}")
            };
            PageResult {
                name,
                category: category(&source),
                precision,
                recall,
                f1,
                title_ok,
                millis,
                note,
            }
        }
        Err(error) => PageResult {
            name,
            category: category(&source),
            precision: 0.0,
            recall: 0.0,
            f1: 0.0,
            title_ok: false,
            millis,
            note: format!("error: {error}"),
        },
    })
}

fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, n) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    if n == 0 { 0.0 } else { sum / n as f64 }
}

#[test]
fn extraction_matches_readability_on_its_test_pages() {
    let dir = pages_dir();
    let Ok(entries) = std::fs::read_dir(&dir) else {
        report(&format!(
            "SKIPPED readability page quality: no test pages at {} (set LANTERN_READABILITY_PAGES)",
            dir.display()
        ));
        return;
    };
    let mut folders: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("source.html").is_file())
        .collect();
    folders.sort();
    let results: Vec<PageResult> = folders.iter().filter_map(|f| run_page(f)).collect();
    assert!(
        !results.is_empty(),
        "no page folders under {}",
        dir.display()
    );

    report(&format!(
        "{:<40} {:<10} {:>6} {:>6} {:>6} {:>5} {:>6}  note",
        "page", "category", "prec", "recall", "f1", "title", "ms"
    ));
    for r in &results {
        report(&format!(
            "{:<40} {:<10} {:>6.4} {:>6.4} {:>6.4} {:>5} {:>6}  {}",
            r.name,
            r.category,
            r.precision,
            r.recall,
            r.f1,
            if r.title_ok { "ok" } else { "MISS" },
            r.millis,
            r.note
        ));
    }

    let mut by_category: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for r in &results {
        by_category.entry(r.category).or_default().push(r.f1);
    }
    report("\nmean F1 by category:");
    for (category, f1s) in &by_category {
        report(&format!(
            "  {category:<10} {:>3} pages  F1 {:.4}",
            f1s.len(),
            mean(f1s.iter().copied())
        ));
    }

    let mean_f1 = mean(results.iter().map(|r| r.f1));
    let mean_precision = mean(results.iter().map(|r| r.precision));
    let mean_recall = mean(results.iter().map(|r| r.recall));
    let title_rate = mean(results.iter().map(|r| if r.title_ok { 1.0 } else { 0.0 }));
    report(&format!(
        "\n{} pages: mean F1 {mean_f1:.4} (precision {mean_precision:.4}, recall {mean_recall:.4}), \
         title match {:.1}%",
        results.len(),
        title_rate * 100.0
    ));

    assert!(
        mean_f1 >= MIN_MEAN_F1,
        "mean F1 {mean_f1:.3} < {MIN_MEAN_F1}"
    );
    assert!(
        title_rate >= MIN_TITLE_RATE,
        "title match {title_rate:.3} < {MIN_TITLE_RATE}"
    );
}

#[test]
fn f1_of_identical_texts_is_one_and_of_disjoint_texts_zero() {
    assert_eq!(scores("Hello, world!", "hello world").2, 1.0);
    assert_eq!(scores("alpha beta", "gamma").2, 0.0);
    let (p, r, _) = scores("a a b", "a b b c");
    assert!((p - 2.0 / 3.0).abs() < 1e-9 && (r - 0.5).abs() < 1e-9);
}
