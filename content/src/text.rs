//! A tree to plain text that keeps its shape: paragraphs apart by a blank line, headings on their
//! own lines, list items as "- item" lines (indented when nested), table rows as "a | b" lines,
//! preformatted text as it is. Whitespace elsewhere collapses as a browser renders it.

use crate::dom::{Data, Dom, NodeId};

/// Elements that start and end a block of text.
const BLOCKS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "body",
    "caption",
    "center",
    "dd",
    "details",
    "dialog",
    "dir",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "hr",
    "html",
    "legend",
    "li",
    "main",
    "menu",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tbody",
    "tfoot",
    "thead",
    "tr",
    "ul",
];

/// Elements whose content is not read: metadata, code, form controls, embedded documents.
const SKIPPED: &[&str] = &[
    "head", "title", "script", "style", "noscript", "template", "iframe", "object", "embed",
    "select", "textarea", "button", "input", "meta", "link",
];

const LISTS: &[&str] = &["ul", "ol", "menu", "dir"];

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Paragraph,
    Heading,
    Pre,
    /// A table row's cells.
    Row,
    /// A list item's text; `first` is false for a second block inside the same item.
    Item {
        depth: usize,
        first: bool,
    },
}

/// An open element that changes how the text inside it is written.
#[derive(Clone, Copy)]
enum Open {
    Heading,
    Pre,
    List,
    Row,
    Item { depth: usize, started: bool },
    Other,
}

enum Step {
    Enter(NodeId),
    Exit(NodeId),
}

pub(crate) fn render(dom: &Dom, root: NodeId) -> String {
    let mut writer = Writer::default();
    // An explicit stack: a page nested thousands deep must not overflow the wasm stack.
    let mut steps = vec![Step::Enter(root)];
    while let Some(step) = steps.pop() {
        match step {
            Step::Enter(node) => match &dom.node(node).data {
                Data::Text(text) => writer.text(text),
                Data::Element(e) => {
                    let tag = e.tag.as_str();
                    if SKIPPED.contains(&tag) {
                        continue;
                    }
                    writer.enter(tag);
                    steps.push(Step::Exit(node));
                    steps.extend(dom.children(node).iter().rev().map(|&c| Step::Enter(c)));
                }
                Data::Document => {
                    steps.extend(dom.children(node).iter().rev().map(|&c| Step::Enter(c)))
                }
                Data::Other => {}
            },
            Step::Exit(node) => writer.exit(dom.tag(node)),
        }
    }
    writer.flush();
    writer.finish()
}

#[derive(Default)]
struct Writer {
    blocks: Vec<(Kind, String)>,
    line: String,
    open: Vec<Open>,
}

impl Writer {
    fn in_pre(&self) -> bool {
        self.open.iter().any(|o| matches!(o, Open::Pre))
    }

    fn text(&mut self, text: &str) {
        if self.in_pre() {
            self.line.push_str(text);
            return;
        }
        for c in text.chars() {
            if c.is_whitespace() {
                if !self.line.is_empty() && !self.line.ends_with([' ', '\n']) {
                    self.line.push(' ');
                }
            } else {
                self.line.push(c);
            }
        }
    }

    fn enter(&mut self, tag: &str) {
        match tag {
            "br" => {
                let kept = self.line.trim_end_matches(' ').len();
                self.line.truncate(kept);
                self.line.push('\n');
                return;
            }
            "td" | "th" => {
                if !self.line.trim().is_empty() {
                    self.line.push_str(" | ");
                }
                return;
            }
            _ => {}
        }
        if !BLOCKS.contains(&tag) {
            return;
        }
        self.flush();
        let open = match tag {
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => Open::Heading,
            "pre" => Open::Pre,
            "li" => {
                let lists = self.open.iter().filter(|o| matches!(o, Open::List)).count();
                Open::Item {
                    depth: lists.max(1),
                    started: false,
                }
            }
            "tr" => Open::Row,
            t if LISTS.contains(&t) => Open::List,
            _ => Open::Other,
        };
        self.open.push(open);
    }

    fn exit(&mut self, tag: &str) {
        if BLOCKS.contains(&tag) {
            self.flush();
            self.open.pop();
        }
    }

    /// Ends the current block of text, if it has any.
    fn flush(&mut self) {
        let raw = std::mem::take(&mut self.line);
        let pre = self.in_pre();
        let text = if pre {
            raw.trim_matches('\n').trim_end().to_owned()
        } else {
            raw.split('\n')
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join("\n")
        };
        if text.trim().is_empty() {
            return;
        }
        let kind = if pre {
            Kind::Pre
        } else if self.open.iter().any(|o| matches!(o, Open::Heading)) {
            Kind::Heading
        } else if matches!(self.open.last(), Some(Open::Row)) {
            Kind::Row
        } else if let Some(Open::Item { depth, started }) = self
            .open
            .iter_mut()
            .rev()
            .find(|o| matches!(o, Open::Item { .. }))
        {
            let first = !*started;
            *started = true;
            Kind::Item {
                depth: *depth,
                first,
            }
        } else {
            Kind::Paragraph
        };
        self.blocks.push((kind, text));
    }

    fn finish(self) -> String {
        let mut out = String::new();
        let mut previous: Option<Kind> = None;
        for (kind, text) in self.blocks {
            if let Some(previous) = previous {
                let same_run = matches!(
                    (previous, kind),
                    (Kind::Item { .. }, Kind::Item { .. }) | (Kind::Row, Kind::Row)
                );
                out.push_str(if same_run { "\n" } else { "\n\n" });
            }
            match kind {
                Kind::Item { depth, first } => {
                    let indent = "  ".repeat(depth - 1);
                    let continuation = format!("\n{indent}  ");
                    out.push_str(&indent);
                    out.push_str(if first { "- " } else { "  " });
                    out.push_str(&text.replace('\n', &continuation));
                }
                _ => out.push_str(&text),
            }
            previous = Some(kind);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_html;

    fn text_of(html: &str) -> String {
        let dom = parse_html(html);
        render(&dom, dom.document())
    }

    #[test]
    fn paragraphs_headings_and_lists_keep_their_shape() {
        let text = text_of(
            "<h2>Section</h2><p>First  <b>para</b>\n graph.</p><p>Second.</p>\
             <ul><li>one</li><li>two<ul><li>nested</li></ul></li></ul><p>After.</p>",
        );
        assert_eq!(
            text,
            "Section\n\nFirst para graph.\n\nSecond.\n\n- one\n- two\n  - nested\n\nAfter."
        );
    }

    #[test]
    fn line_breaks_and_preformatted_text_survive() {
        let text = text_of("<p>line one<br>line two</p><pre>  fn main() {\n      go();\n  }</pre>");
        assert_eq!(
            text,
            "line one\nline two\n\n  fn main() {\n      go();\n  }"
        );
    }

    #[test]
    fn table_rows_become_lines() {
        let text =
            text_of("<table><tr><th>a</th><th>b</th></tr><tr><td>1</td><td>2</td></tr></table>");
        assert_eq!(text, "a | b\n1 | 2");
    }

    #[test]
    fn scripts_and_controls_are_not_text() {
        let text = text_of("<p>kept<script>x()</script><button>Click</button></p>");
        assert_eq!(text, "kept");
    }
}
