//! Finding the article in a prepared page: drop unlikely blocks, score paragraphs and credit their
//! ancestors, pick the best-scoring container, gather its related siblings, clean the result; and
//! if that yields too little text, try again with fewer of the rules that may have thrown the
//! article away.

use std::collections::HashMap;

use crate::cleanup::clean_article;
use crate::dom::{Dom, NodeId};
use crate::measure::{Rules, class_weight, has_single_child, link_density};
use crate::patterns::{
    DIV_TO_P_BLOCKS, KEEP_TAG_WHEN_MERGED, TAGS_TO_SCORE, UNLIKELY_ROLES, implicit_role, is_byline,
    is_unlikely_candidate,
};
use crate::prep::{is_blank, is_phrasing};
use crate::title::similarity;

const ATTEMPTS: [Rules; 4] = [
    Rules {
        strip_unlikely: true,
        weigh_classes: true,
        clean_conditionally: true,
    },
    Rules {
        strip_unlikely: false,
        weigh_classes: true,
        clean_conditionally: true,
    },
    Rules {
        strip_unlikely: false,
        weigh_classes: false,
        clean_conditionally: true,
    },
    Rules {
        strip_unlikely: false,
        weigh_classes: false,
        clean_conditionally: false,
    },
];

/// An article shorter than this (in characters) sends us back for a more lenient attempt.
const ENOUGH_TEXT: usize = 500;
/// How many runners-up are kept to see whether the best candidate is part of something bigger.
const TOP_CANDIDATES: usize = 5;
/// Paragraphs shorter than this are not scored at all.
const MIN_PARAGRAPH: usize = 25;

/// The chosen article: a detached `<div>` in `dom` holding the article's blocks.
pub(crate) struct Grabbed {
    pub dom: Dom,
    pub root: NodeId,
    /// A byline found in the page's markup (only looked for when the metadata has none).
    pub byline: Option<String>,
}

pub(crate) fn grab_article(page: &Dom, title: &str, want_byline: bool) -> Option<Grabbed> {
    let mut best: Option<(usize, Dom, NodeId)> = None;
    let mut context = Attempt {
        rules: ATTEMPTS[0],
        title,
        want_byline,
        byline: None,
        scores: HashMap::new(),
    };
    for rules in ATTEMPTS {
        // Every attempt works on a fresh copy; node ids are the same in each copy, so a byline
        // found once is recognised (and left out of the text) again.
        let mut dom = page.clone();
        context.rules = rules;
        context.scores.clear();
        let Some(root) = context.run(&mut dom) else {
            continue;
        };
        let byline = context.byline.as_ref().map(|(_, b)| b.clone());
        let length = dom.text_len(root);
        if length >= ENOUGH_TEXT {
            return Some(Grabbed { dom, root, byline });
        }
        if best.as_ref().is_none_or(|(l, ..)| length > *l) {
            best = Some((length, dom, root));
        }
    }
    // Every attempt came up short: the longest of them is the best there is.
    let byline = context.byline.map(|(_, b)| b);
    best.filter(|(length, ..)| *length > 0)
        .map(|(_, dom, root)| Grabbed { dom, root, byline })
}

struct Attempt<'a> {
    rules: Rules,
    title: &'a str,
    want_byline: bool,
    /// The byline element and its text, once found.
    byline: Option<(NodeId, String)>,
    scores: HashMap<NodeId, f64>,
}

impl Attempt<'_> {
    fn run(&mut self, dom: &mut Dom) -> Option<NodeId> {
        let body = dom.body()?;
        let to_score = self.sweep(dom, body);
        let candidates = self.score_paragraphs(dom, &to_score);
        let top = self.choose_top(dom, body, &candidates);
        let article = self.gather_siblings(dom, top)?;
        clean_article(dom, article, self.rules);
        Some(article)
    }

    /// One walk over the page: remove bylines, the title's heading, unlikely and empty blocks;
    /// turn `<div>`s that are really paragraphs into `<p>`; return the blocks to score.
    fn sweep(&mut self, dom: &mut Dom, body: NodeId) -> Vec<NodeId> {
        let mut to_score = Vec::new();
        let mut title_heading_seen = false;
        let mut next = Some(body);
        while let Some(node) = next {
            let tag = dom.tag(node).to_owned();
            let class_and_id = dom.class_and_id(node);

            let remove = self.is_dialog(dom, node)
                || self.is_the_byline(dom, node, &class_and_id)
                || (!title_heading_seen && self.repeats_title(dom, node))
                || (self.rules.strip_unlikely
                    && tag != "body"
                    && is_unlikely(dom, node, &class_and_id))
                || (matches!(
                    tag.as_str(),
                    "div" | "section" | "header" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6"
                ) && is_empty(dom, node));
            // Only the first heading like the title is the title; later ones are sections.
            title_heading_seen |= remove && self.repeats_title(dom, node);
            if remove {
                next = dom.next_element(node, true);
                dom.detach(node);
                continue;
            }

            if TAGS_TO_SCORE.contains(&tag.as_str()) {
                to_score.push(node);
            }
            let mut node = node;
            if tag == "div" {
                wrap_inline_runs(dom, node);
                if has_single_child(dom, node, "p") && link_density(dom, node) < 0.25 {
                    // A <div> around one <p> is that paragraph.
                    if let Some(p) = dom.first_element_child(node) {
                        dom.replace(node, p);
                        node = p;
                        to_score.push(p);
                    }
                } else if !has_block_child(dom, node) {
                    dom.set_tag(node, "p");
                    to_score.push(node);
                }
            }
            next = dom.next_element(node, false);
        }
        to_score
    }

    /// A modal dialog: consent banners, sign-up prompts.
    fn is_dialog(&self, dom: &Dom, node: NodeId) -> bool {
        dom.attr(node, "aria-modal") == Some("true") && dom.attr(node, "role") == Some("dialog")
    }

    /// Whether `node` is the byline, remembering it when it is the first one seen.
    fn is_the_byline(&mut self, dom: &Dom, node: NodeId, class_and_id: &str) -> bool {
        match &self.byline {
            Some((known, _)) => return *known == node,
            None if !self.want_byline => return false,
            None => {}
        }
        let marked = dom.attr(node, "rel") == Some("author")
            || dom
                .attr(node, "itemprop")
                .is_some_and(|i| i.contains("author"))
            || is_byline(class_and_id);
        if !marked {
            return false;
        }
        let length = dom.text_content(node).trim().chars().count();
        if length == 0 || length >= 100 {
            return false;
        }
        // Prefer the author's name over "By Jane Doe, May 3".
        let name = dom
            .descendants(node)
            .into_iter()
            .find(|&n| dom.attr(n, "itemprop").is_some_and(|i| i.contains("name")))
            .unwrap_or(node);
        self.byline = Some((node, dom.inner_text(name)));
        true
    }

    /// An `<h1>`/`<h2>` that repeats the title, which the article states separately.
    fn repeats_title(&self, dom: &Dom, node: NodeId) -> bool {
        (dom.is(node, "h1") || dom.is(node, "h2"))
            && similarity(self.title, &dom.text_content(node)) > 0.75
    }

    fn class_weight(&self, dom: &Dom, node: NodeId) -> f64 {
        class_weight(dom, node, self.rules)
    }

    fn initial_score(&self, dom: &Dom, node: NodeId) -> f64 {
        let by_tag = match dom.tag(node) {
            "div" => 5.0,
            "pre" | "td" | "blockquote" => 3.0,
            "address" | "ol" | "ul" | "dl" | "dd" | "dt" | "li" | "form" => -3.0,
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "th" => -5.0,
            _ => 0.0,
        };
        by_tag + self.class_weight(dom, node)
    }

    fn ensure_scored(&mut self, dom: &Dom, node: NodeId) -> f64 {
        if let Some(&score) = self.scores.get(&node) {
            return score;
        }
        let score = self.initial_score(dom, node);
        self.scores.insert(node, score);
        score
    }

    fn score(&self, node: NodeId) -> f64 {
        self.scores.get(&node).copied().unwrap_or(0.0)
    }

    /// Credits each paragraph's worth to its ancestors (less the further up), then discounts each
    /// credited container by its link density. Returns the containers, in first-credited order.
    fn score_paragraphs(&mut self, dom: &Dom, to_score: &[NodeId]) -> Vec<NodeId> {
        let mut candidates = Vec::new();
        for &paragraph in to_score {
            if dom.parent_element(paragraph).is_none() {
                continue;
            }
            let text = dom.inner_text(paragraph);
            let length = text.chars().count();
            if length < MIN_PARAGRAPH {
                continue;
            }
            let ancestors = dom.ancestors(paragraph, 5);
            let commas = text.chars().filter(|c| COMMAS.contains(c)).count();
            let worth = 1.0 + (commas + 1) as f64 + (length / 100).min(3) as f64;
            for (level, &ancestor) in ancestors.iter().enumerate() {
                if !dom.is_element(ancestor) || dom.parent_element(ancestor).is_none() {
                    continue;
                }
                if !self.scores.contains_key(&ancestor) {
                    self.ensure_scored(dom, ancestor);
                    candidates.push(ancestor);
                }
                let divider = match level {
                    0 => 1.0,
                    1 => 2.0,
                    _ => level as f64 * 3.0,
                };
                *self.scores.entry(ancestor).or_default() += worth / divider;
            }
        }
        for &candidate in &candidates {
            let discounted = self.score(candidate) * (1.0 - link_density(dom, candidate));
            self.scores.insert(candidate, discounted);
        }
        candidates
    }

    fn choose_top(&mut self, dom: &mut Dom, body: NodeId, candidates: &[NodeId]) -> NodeId {
        let mut top: Vec<NodeId> = Vec::with_capacity(TOP_CANDIDATES + 1);
        for &candidate in candidates {
            let score = self.score(candidate);
            if let Some(at) =
                (0..TOP_CANDIDATES).find(|&t| top.get(t).is_none_or(|&c| score > self.score(c)))
            {
                top.insert(at, candidate);
                top.truncate(TOP_CANDIDATES);
            }
        }
        match top.first() {
            Some(&best) if !dom.is(best, "body") => self.refine_top(dom, body, best, &top[1..]),
            _ => {
                // Nothing stood out: read the whole body.
                let all = dom.add_element("div");
                dom.move_children(body, all);
                dom.append(body, all);
                self.ensure_scored(dom, all);
                all
            }
        }
    }

    /// The best candidate may be one column of several, or one part of a bigger article: move
    /// up while the ancestors still look like the article.
    fn refine_top(&mut self, dom: &Dom, body: NodeId, best: NodeId, others: &[NodeId]) -> NodeId {
        const AGREEING: usize = 3;
        let mut top = best;
        let best_score = self.score(best);
        let close: Vec<Vec<NodeId>> = others
            .iter()
            .filter(|&&c| self.score(c) / best_score >= 0.75)
            .map(|&c| dom.ancestors(c, 0))
            .collect();
        if close.len() >= AGREEING {
            // Several near-equal candidates under one ancestor: that ancestor is the article.
            let mut parent = dom.parent_element(top);
            while let Some(p) = parent.filter(|&p| p != body) {
                if close.iter().filter(|a| a.contains(&p)).count() >= AGREEING {
                    top = p;
                    break;
                }
                parent = dom.parent_element(p);
            }
        }
        self.ensure_scored(dom, top);

        // A parent scoring higher than its child holds more of the article.
        let mut last = self.score(top);
        let floor = last / 3.0;
        let mut parent = dom.parent_element(top);
        while let Some(p) = parent.filter(|&p| p != body) {
            let Some(&score) = self.scores.get(&p) else {
                parent = dom.parent_element(p);
                continue;
            };
            if score < floor {
                break;
            }
            if score > last {
                top = p;
                break;
            }
            last = score;
            parent = dom.parent_element(p);
        }

        // An only child is its parent's whole content; the parent's siblings may be related.
        while let Some(p) = dom.parent_element(top).filter(|&p| p != body) {
            if dom.element_children(p).count() != 1 {
                break;
            }
            top = p;
        }
        self.ensure_scored(dom, top);
        top
    }

    /// Moves the top candidate and the siblings that look like part of the same article (a
    /// preamble, text split by a removed ad) into a new detached `<div>`.
    fn gather_siblings(&mut self, dom: &mut Dom, top: NodeId) -> Option<NodeId> {
        let parent = dom.parent(top)?;
        let top_score = self.score(top);
        let threshold = (top_score * 0.2).max(10.0);
        let top_class = dom.attr(top, "class").unwrap_or("").to_owned();
        let article = dom.add_element("div");
        let siblings: Vec<NodeId> = dom.element_children(parent).collect();
        for sibling in siblings {
            let join = sibling == top || {
                let same_class =
                    !top_class.is_empty() && dom.attr(sibling, "class") == Some(&top_class);
                let bonus = if same_class { top_score * 0.2 } else { 0.0 };
                match self.scores.get(&sibling) {
                    Some(&score) if score + bonus >= threshold => true,
                    _ => dom.is(sibling, "p") && is_standalone_paragraph(dom, sibling),
                }
            };
            if join {
                if !KEEP_TAG_WHEN_MERGED.contains(&dom.tag(sibling)) {
                    // A <td> or <form> out of its context would be dropped by the cleanup.
                    dom.set_tag(sibling, "div");
                }
                dom.append(article, sibling);
            }
        }
        Some(article)
    }
}

/// Commas as written in Latin, Arabic, Chinese and other scripts.
const COMMAS: &[char] = &[
    ',', '\u{060C}', '\u{FE50}', '\u{FE10}', '\u{FE11}', '\u{2E41}', '\u{2E34}', '\u{2E32}',
    '\u{FF0C}',
];

/// A sibling paragraph that reads as prose: long with few links, or a short linkless sentence.
fn is_standalone_paragraph(dom: &Dom, p: NodeId) -> bool {
    let text = dom.inner_text(p);
    let length = text.chars().count();
    let density = link_density(dom, p);
    if length > 80 {
        density < 0.25
    } else {
        length > 0 && density == 0.0 && (text.contains(". ") || text.ends_with('.'))
    }
}

fn is_unlikely(dom: &Dom, node: NodeId, class_and_id: &str) -> bool {
    // Links are judged by their block; table cells and code by their table or listing.
    let by_name = !dom.is(node, "a")
        && is_unlikely_candidate(class_and_id)
        && !dom.has_ancestor_tag(node, "table", Some(3), |_| true)
        && !dom.has_ancestor_tag(node, "code", Some(3), |_| true);
    let role = dom
        .attr(node, "role")
        .or_else(|| implicit_role(dom.tag(node)));
    by_name || role.is_some_and(|r| UNLIKELY_ROLES.contains(&r))
}

/// No text, and no children but line breaks and rules.
pub(crate) fn is_empty(dom: &Dom, node: NodeId) -> bool {
    if dom.has_text(node) {
        return false;
    }
    let children = dom.element_children(node).count();
    children == 0 || children == dom.descendants_named(node, &["br", "hr"]).len()
}

fn has_block_child(dom: &Dom, node: NodeId) -> bool {
    dom.descendants(node)
        .into_iter()
        .any(|n| DIV_TO_P_BLOCKS.contains(&dom.tag(n)))
}

/// Wraps each run of inline content directly in `div` into a `<p>`, so text sitting between
/// blocks is scored like the paragraph it is.
fn wrap_inline_runs(dom: &mut Dom, div: NodeId) {
    let children = dom.children(div).to_vec();
    let mut i = 0;
    while i < children.len() {
        if !is_phrasing(dom, children[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < children.len() && is_phrasing(dom, children[i]) {
            i += 1;
        }
        let run = &children[start..i];
        let first = run.iter().position(|&n| !is_blank(dom, n));
        let last = run.iter().rposition(|&n| !is_blank(dom, n));
        let (Some(first), Some(last)) = (first, last) else {
            for &n in run {
                dom.detach(n);
            }
            continue;
        };
        for &n in run[..first].iter().chain(&run[last + 1..]) {
            dom.detach(n);
        }
        let p = dom.add_element("p");
        dom.insert_before(run[first], p);
        for &n in &run[first..=last] {
            dom.append(p, n);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_html;
    use crate::prep::prepare;

    fn grab(html: &str) -> (String, Option<String>) {
        let mut dom = parse_html(html);
        prepare(&mut dom);
        let grabbed = grab_article(&dom, "A title", true).expect("an article");
        let text = grabbed.dom.inner_text(grabbed.root);
        (text, grabbed.byline)
    }

    #[test]
    fn text_in_an_unlikely_block_is_found_on_a_retry() {
        let (text, _) = grab(
            "<div class=\"sidebar\"><p>The only real text on this page sits in a block whose \
             class says sidebar, so the first attempt throws it away.</p></div>",
        );
        assert!(text.starts_with("The only real text"), "{text:?}");
    }

    #[test]
    fn the_byline_stays_out_of_the_text_on_every_attempt() {
        let (text, byline) = grab(
            "<article><p class=\"byline\">By Ann Lee</p><p>A short story, too short for the \
             first attempt, with one sentence, and a comma or two.</p></article>",
        );
        assert_eq!(byline.as_deref(), Some("By Ann Lee"));
        assert!(!text.contains("Ann Lee"), "{text:?}");
    }

    #[test]
    fn navigation_asides_and_footers_are_furniture_whatever_their_class() {
        let paragraph = "<p>Plenty of words in this paragraph, with commas, clauses, and more \
                         clauses, so that it scores well above the rest of the page.</p>";
        let aside = "<p>Elsewhere on the site, stories, guides, and reviews, picked for you, \
                     every day, by our editors, with love.</p>";
        let (text, _) = grab(&format!(
            "<div><nav>{aside}</nav><div>{paragraph}{paragraph}{paragraph}{paragraph}</div>\
             <aside>{aside}</aside><footer>{aside}</footer></div>"
        ));
        assert!(text.starts_with("Plenty of words"), "{text:?}");
        assert!(!text.contains("Elsewhere"), "{text:?}");
    }

    #[test]
    fn the_best_container_gathers_its_prose_siblings() {
        let paragraph = "<p>Plenty of words in this paragraph, with commas, clauses, and more \
                         clauses, so that it scores well above the rest of the page.</p>";
        let (text, _) = grab(&format!(
            "<div><div class=\"content\">{paragraph}{paragraph}{paragraph}</div>\
             <p>A closing sentence that sits beside the article.</p>\
             <div class=\"promo\"><a href=\"/x\">Subscribe now</a></div></div>"
        ));
        assert!(text.ends_with("beside the article."), "{text:?}");
        assert!(!text.contains("Subscribe"));
    }
}
