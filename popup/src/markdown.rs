//! Model output to HTML: Markdown rendered by pulldown-cmark, then sanitised by ammonia, because
//! a model's text is untrusted and must never run script or load anything.

use std::collections::HashSet;
use std::sync::LazyLock;

use pulldown_cmark::{Event, Options, Parser, html};

/// The one sanitiser: a small allow-list of tags, links only to safe schemes, opened in a new tab
/// without a handle on this page.
static CLEANER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let tags: HashSet<&str> = [
        "a",
        "p",
        "br",
        "hr",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "ul",
        "ol",
        "li",
        "blockquote",
        "pre",
        "code",
        "em",
        "strong",
        "del",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "input",
    ]
    .into_iter()
    .collect();
    let mut builder = ammonia::Builder::default();
    builder
        .tags(tags)
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        // Relative URLs would resolve against the extension's own pages.
        .url_relative(ammonia::UrlRelative::Deny)
        .link_rel(Some("noopener noreferrer nofollow"))
        .set_tag_attribute_value("a", "target", "_blank")
        // Task-list checkboxes, shown but never sent anywhere.
        .add_tag_attributes("input", ["type", "checked", "disabled"])
        .set_tag_attribute_value("input", "disabled", "")
        .add_tag_attributes("code", ["class"])
        .add_tag_attributes("ol", ["start"]);
    builder
});

/// Renders `text` (Markdown) to sanitised HTML.
pub fn render(text: &str) -> String {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_GFM;
    let mut raw = String::with_capacity(text.len() * 3 / 2);
    // Raw HTML in a reply is shown as the text it is, never parsed as markup.
    let events = Parser::new_ext(text, options).map(|event| match event {
        Event::Html(html) | Event::InlineHtml(html) => Event::Text(html),
        other => other,
    });
    html::push_html(&mut raw, events);
    CLEANER.clean(&raw).to_string()
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn renders_headings_lists_tables_and_code() {
        let html = render(
            "# Title\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```rust\nfn main() {}\n```\n",
        );
        assert!(html.contains("<h1>Title</h1>"), "{html}");
        assert!(html.contains("<li>one</li>"), "{html}");
        assert!(
            html.contains("<table>") && html.contains("<td>2</td>"),
            "{html}"
        );
        assert!(html.contains("class=\"language-rust\""), "{html}");
        assert!(html.contains("fn main() {}"), "{html}");
    }

    /// Every real tag (`<...>`, not escaped text) in the output.
    fn tags(html: &str) -> Vec<&str> {
        html.split('<')
            .skip(1)
            .filter_map(|rest| rest.split_once('>').map(|(tag, _)| tag))
            .collect()
    }

    #[test]
    fn raw_html_and_script_urls_are_inert() {
        let html = render(
            "<img src=x onerror=alert(1)> [click](javascript:alert(2)) <script>alert(3)</script>\n\n<a href=\"javascript:alert(4)\" onclick=\"alert(5)\">x</a>\n\n[b](JaVaScRiPt:alert(6)) [c](data:text/html,hi)",
        );
        // Raw HTML is shown as text.
        assert!(
            html.contains("&lt;img src=x onerror=alert(1)&gt;"),
            "{html}"
        );
        for tag in tags(&html) {
            let tag = tag.to_ascii_lowercase();
            assert!(
                !tag.starts_with("img") && !tag.starts_with("script"),
                "{html}"
            );
            assert!(
                !tag.contains("javascript:") && !tag.contains("data:"),
                "{html}"
            );
            assert!(!tag.contains(" on"), "{html}");
        }
    }

    #[test]
    fn links_open_in_a_new_tab_without_an_opener() {
        let html = render("[site](https://example.com/a) and [rel](/options.html)");
        assert!(html.contains("href=\"https://example.com/a\""), "{html}");
        assert!(html.contains("target=\"_blank\""), "{html}");
        assert!(html.contains("noopener"), "{html}");
        assert!(!html.contains("href=\"/options.html\""), "{html}");
    }

    #[test]
    fn code_text_is_escaped_not_interpreted() {
        let html = render("```html\n<img src=x onerror=alert(1)>\n```");
        assert!(
            html.contains("&lt;img src=x onerror=alert(1)&gt;"),
            "{html}"
        );
        assert!(!html.contains("<img"), "{html}");
    }
}
