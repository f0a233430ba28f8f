//! Small hand-written pages, each showing one thing the extractor must get right.

use content::{ExtractError, extract};

/// Paragraphs long enough that the page reads as an article.
const STORY: &str = "<p>The river rose through the night, and by morning the lower town was under a \
    metre of water. Volunteers, many of them students, filled sandbags until the early hours.</p>\
    <p>Officials said the flood defences, built after the last great flood, had mostly held, \
    though a section near the old mill gave way shortly after three in the morning.</p>\
    <p>Residents were told to stay away from the riverbank, and schools in the valley will stay \
    closed until the water recedes, which forecasters expect by the end of the week.</p>\
    <p>Insurers have opened a helpline, and the regional government promised emergency grants \
    for families and shops, to be paid within a month of each claim.</p>";

fn page(body: &str) -> String {
    format!(
        "<html lang=\"en\"><head><title>River floods the lower town overnight | Valley News</title>\
         </head><body>{body}</body></html>"
    )
}

#[test]
fn hidden_elements_are_dropped() {
    let html = page(&format!(
        "<article>{STORY}\
         <p data-lantern-hidden>Snapshot says this paragraph is not rendered at all.</p>\
         <p hidden>An element with the hidden attribute, which browsers never show.</p>\
         <p style=\"display: none\">Inline display none, collapsed by a script, no doubt.</p>\
         <p aria-hidden=\"true\">Hidden from assistive technology, and so from us, too.</p>\
         </article>"
    ));
    let article = extract(&html, None).expect("an article");
    assert!(article.text.contains("The river rose"));
    for hidden in [
        "not rendered",
        "hidden attribute",
        "Inline display",
        "assistive",
    ] {
        assert!(
            !article.text.contains(hidden),
            "{hidden:?} leaked into {:?}",
            article.text
        );
    }
}

#[test]
fn link_heavy_navigation_is_dropped() {
    let html = page(&format!(
        "<div class=\"topbar\"><a href=\"/\">Home</a> <a href=\"/news\">News</a> \
         <a href=\"/sport\">Sport</a> <a href=\"/weather\">Weather</a></div>\
         <nav><ul><li><a href=\"/a\">Politics</a></li><li><a href=\"/b\">Business</a></li></ul></nav>\
         <div class=\"story\">{STORY}\
         <div class=\"related-links\"><a href=\"/1\">Another story entirely</a> \
         <a href=\"/2\">And one more story here</a></div>\
         </div>"
    ));
    let article = extract(&html, None).expect("an article");
    assert!(article.text.contains("flood defences"));
    for link in ["Weather", "Politics", "Another story"] {
        assert!(
            !article.text.contains(link),
            "{link:?} leaked into {:?}",
            article.text
        );
    }
}

#[test]
fn lists_headings_and_paragraph_breaks_are_kept() {
    let html = page(&format!(
        "<article>{STORY}<h2>What to do now</h2>\
         <p>The council has published advice for residents whose homes were flooded overnight:</p>\
         <ul><li>Switch off the electricity at the mains.</li>\
         <li>Photograph the damage for your insurer.</li>\
         <li>Boil tap water until told otherwise.</li></ul></article>"
    ));
    let article = extract(&html, None).expect("an article");
    assert!(
        article.text.contains(
            "\n\nWhat to do now\n\n\
             The council has published advice for residents whose homes were flooded overnight:\n\n\
             - Switch off the electricity at the mains.\n\
             - Photograph the damage for your insurer.\n\
             - Boil tap water until told otherwise."
        ),
        "{:?}",
        article.text
    );
    assert!(article.text.contains("early hours.\n\nOfficials said"));
}

#[test]
fn a_page_without_text_is_an_error() {
    let empty = page("<div><img src=\"a.png\"><script>render()</script></div>");
    assert_eq!(extract(&empty, None), Err(ExtractError::NoReadableText));
    assert_eq!(extract("", None), Err(ExtractError::NoReadableText));
    let all_hidden = page(&format!("<div hidden>{STORY}</div>"));
    assert_eq!(
        extract(&all_hidden, None),
        Err(ExtractError::NoReadableText)
    );
}

#[test]
fn metadata_comes_with_the_text() {
    let html = page(&format!(
        "<article><h1>River floods the lower town overnight</h1>\
         <p class=\"byline\">By <a rel=\"author\" href=\"/sam\">Sam Rivers</a></p>{STORY}</article>"
    ));
    let article = extract(&html, Some("https://news.example/flood")).expect("an article");
    assert_eq!(article.title, "River floods the lower town overnight");
    assert_eq!(article.byline.as_deref(), Some("By Sam Rivers"));
    assert_eq!(article.lang.as_deref(), Some("en"));
    assert_eq!(article.url.as_deref(), Some("https://news.example/flood"));
    assert!(
        article
            .excerpt
            .is_some_and(|e| e.starts_with("The river rose"))
    );
    // The heading repeating the title and the byline are not part of the text.
    assert!(
        article.text.starts_with("The river rose"),
        "{:?}",
        article.text
    );

    let json = serde_json::to_value(extract(&html, None).expect("an article")).expect("json");
    for key in ["title", "byline", "lang", "site_name", "excerpt", "text"] {
        assert!(json.get(key).is_some(), "{key} missing from {json}");
    }
}
