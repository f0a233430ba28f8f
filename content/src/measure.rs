//! The measures Readability takes of a node, which both finding the article (`grab`) and
//! cleaning it (`cleanup`) judge blocks by: link density, text density, class weight, the
//! single-child shape, and the switches (`Rules`) that say which measures an attempt trusts.

use crate::dom::{Dom, NodeId};
use crate::patterns::{is_negative, is_positive};

/// Which of the riskier rules an attempt applies; each retry drops one more.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Rules {
    /// Remove blocks whose class or id looks like page furniture before scoring.
    pub strip_unlikely: bool,
    /// Let class and id words raise or lower scores.
    pub weigh_classes: bool,
    /// Remove link-heavy, image-heavy or form-like blocks from the chosen article.
    pub clean_conditionally: bool,
}

/// Exactly one element child, with `tag`, and no text beside it.
pub(crate) fn has_single_child(dom: &Dom, node: NodeId, tag: &str) -> bool {
    let mut elements = dom.element_children(node);
    let (Some(only), None) = (elements.next(), elements.next()) else {
        return false;
    };
    dom.is(only, tag)
        && dom
            .children(node)
            .iter()
            .all(|&c| dom.text(c).is_none_or(|t| t.trim().is_empty()))
}

/// The share of a block's text that sits in links; in-page anchors ("#section") count less.
pub(crate) fn link_density(dom: &Dom, node: NodeId) -> f64 {
    let total = dom.text_len(node);
    if total == 0 {
        return 0.0;
    }
    let linked: f64 = dom
        .descendants_named(node, &["a"])
        .into_iter()
        .map(|a| {
            let in_page = dom
                .attr(a, "href")
                .is_some_and(|h| h.len() > 1 && h.starts_with('#'));
            dom.text_len(a) as f64 * if in_page { 0.3 } else { 1.0 }
        })
        .sum();
    linked / total as f64
}

/// +25 for each of class and id that sounds like content, -25 for each that sounds like furniture.
pub(crate) fn class_weight(dom: &Dom, node: NodeId, rules: Rules) -> f64 {
    if !rules.weigh_classes {
        return 0.0;
    }
    let mut weight = 0.0;
    for value in [dom.attr(node, "class"), dom.attr(node, "id")]
        .into_iter()
        .flatten()
    {
        if value.is_empty() {
            continue;
        }
        if is_negative(value) {
            weight -= 25.0;
        }
        if is_positive(value) {
            weight += 25.0;
        }
    }
    weight
}

/// The share of a block's text inside descendants with one of `tags`.
pub(crate) fn text_density(dom: &Dom, node: NodeId, tags: &[&str]) -> f64 {
    let total = dom.text_len(node);
    if total == 0 {
        return 0.0;
    }
    let inside: usize = dom
        .descendants_named(node, tags)
        .into_iter()
        .map(|n| dom.text_len(n))
        .sum();
    inside as f64 / total as f64
}
