//! Readying the snapshot for scoring: drop what is never read (scripts, styles, comments, hidden
//! elements), turn `<br><br>` runs into real paragraphs, and `<font>` into `<span>`.

use crate::dom::{Data, Dom, NodeId};
use crate::patterns::PHRASING;

/// Elements whose content is code, styling or inert markup, never page text.
const NEVER_TEXT: &[&str] = &["script", "noscript", "style", "template", "link"];

/// The attribute the content script sets on elements the browser reports as not rendered.
pub(crate) const HIDDEN_MARK: &str = "data-lantern-hidden";

pub(crate) fn prepare(dom: &mut Dom) {
    remove_unread(dom);
    if let Some(body) = dom.body() {
        replace_br_runs(dom, body);
    }
    for node in dom.descendants_named(dom.document(), &["font"]) {
        dom.set_tag(node, "span");
    }
}

pub(crate) fn remove_unread(dom: &mut Dom) {
    let mut stack = vec![dom.document()];
    while let Some(node) = stack.pop() {
        let children = dom.children(node).to_vec();
        for child in children {
            let drop = match &dom.node(child).data {
                Data::Other => true,
                Data::Element(e) => NEVER_TEXT.contains(&e.tag.as_str()) || is_hidden(dom, child),
                _ => false,
            };
            if drop {
                dom.detach(child);
            } else {
                stack.push(child);
            }
        }
    }
}

/// Whether the page hides this element from readers. `<html>` and `<body>` are kept whatever
/// they say: pages hide the body until their scripts run, and a snapshot has no scripts.
pub(crate) fn is_hidden(dom: &Dom, id: NodeId) -> bool {
    if dom.is(id, "html") || dom.is(id, "body") {
        return false;
    }
    if dom.has_attr(id, HIDDEN_MARK) || dom.has_attr(id, "hidden") {
        return true;
    }
    // Math renderers hide the image fallback from screen readers, not from sight.
    let fallback_image = dom
        .attr(id, "class")
        .is_some_and(|c| c.contains("fallback-image"));
    if dom.attr(id, "aria-hidden").map(str::trim) == Some("true") && !fallback_image {
        return true;
    }
    dom.attr(id, "style").is_some_and(style_hides)
}

/// Whether an inline style sets `display: none` or `visibility: hidden`.
fn style_hides(style: &str) -> bool {
    style.split(';').any(|declaration| {
        let Some((property, value)) = declaration.split_once(':') else {
            return false;
        };
        let property = property.trim().to_ascii_lowercase();
        let value = value.trim().to_ascii_lowercase();
        let value = value.trim_end_matches("!important").trim();
        (property == "display" && value == "none")
            || (property == "visibility" && value == "hidden")
    })
}

/// Inline content: text, phrasing elements, and links or edits that hold only phrasing content.
pub(crate) fn is_phrasing(dom: &Dom, id: NodeId) -> bool {
    match &dom.node(id).data {
        Data::Text(_) => true,
        Data::Element(e) if PHRASING.contains(&e.tag.as_str()) => true,
        Data::Element(e) if matches!(e.tag.as_str(), "a" | "del" | "ins") => {
            dom.children(id).iter().all(|&c| is_phrasing(dom, c))
        }
        _ => false,
    }
}

/// Blank text or a `<br>`: what may be trimmed from the edges of a paragraph.
pub(crate) fn is_blank(dom: &Dom, id: NodeId) -> bool {
    dom.text(id).is_some_and(|t| t.trim().is_empty()) || dom.is(id, "br")
}

/// The node itself or the first following sibling that is not whitespace-only text.
fn skip_blank_text(dom: &Dom, mut node: Option<NodeId>) -> Option<NodeId> {
    while let Some(id) = node {
        if dom.is_element(id) || !dom.text_content(id).trim().is_empty() {
            return Some(id);
        }
        node = dom.next_sibling(id);
    }
    None
}

/// `a<br><br>b<br><br>c` becomes `a<p>b</p><p>c</p>`: two or more breaks in a row are how many
/// pages write paragraph breaks, and scoring works on paragraphs.
fn replace_br_runs(dom: &mut Dom, root: NodeId) {
    for br in dom.descendants_named(root, &["br"]) {
        let mut run = false;
        let mut next = dom.next_sibling(br);
        while let Some(id) = skip_blank_text(dom, next) {
            if !dom.is(id, "br") {
                break;
            }
            run = true;
            next = dom.next_sibling(id);
            dom.detach(id);
        }
        if !run {
            continue;
        }
        let p = dom.add_element("p");
        dom.replace(br, p);
        let mut next = dom.next_sibling(p);
        while let Some(id) = next {
            if dom.is(id, "br") {
                let after = skip_blank_text(dom, dom.next_sibling(id));
                if after.is_some_and(|a| dom.is(a, "br")) {
                    break;
                }
            }
            if !is_phrasing(dom, id) {
                break;
            }
            next = dom.next_sibling(id);
            dom.append(p, id);
        }
        while let Some(&last) = dom.children(p).last() {
            if !is_blank(dom, last) {
                break;
            }
            dom.detach(last);
        }
        if let Some(parent) = dom.parent(p).filter(|&parent| dom.is(parent, "p")) {
            // A paragraph cannot hold one; the outer one was a container all along.
            dom.set_tag(parent, "div");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_html;

    #[test]
    fn hidden_and_unread_elements_are_dropped() {
        let mut dom = parse_html(
            r#"<body><p>seen</p><p hidden>a</p><p aria-hidden="true">b</p>
            <p style="color: red; display : none !important">c</p><p style="visibility:hidden">d</p>
            <p data-lantern-hidden>e</p><script>f()</script><style>g{}</style><!-- h --></body>"#,
        );
        prepare(&mut dom);
        let body = dom.body().expect("body");
        assert_eq!(dom.inner_text(body), "seen");
    }

    #[test]
    fn br_runs_become_paragraphs() {
        let mut dom = parse_html("<div>one<br>still one<br><br>two<br> <br>three</div>");
        prepare(&mut dom);
        let div = dom.find("div").expect("div");
        let ps = dom.descendants_named(div, &["p"]);
        assert_eq!(ps.len(), 2);
        assert_eq!(dom.inner_text(ps[0]), "two");
        assert_eq!(dom.inner_text(ps[1]), "three");
    }
}
