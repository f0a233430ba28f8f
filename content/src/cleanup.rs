//! Cleaning the chosen article: remove forms, embeds, share bars, furniture-named headings, and
//! the blocks that look "fishy" for an article (mostly links, more images than text, lists of
//! links), while keeping data tables and videos.

use std::collections::HashSet;

use crate::dom::{Dom, NodeId};
use crate::measure::{Rules, class_weight, has_single_child, link_density, text_density};
use crate::patterns::{DIV_TO_P_BLOCKS, is_ad_or_loading, is_share};
use crate::prep::is_phrasing;

/// Video hosts whose embeds are worth keeping (and whose presence keeps their block).
const VIDEO_HOSTS: &[&str] = &[
    "dailymotion.com",
    "youtube.com",
    "youtube-nocookie.com",
    "player.vimeo.com",
    "v.qq.com",
    "bilibili.com",
    "live.bilibili.com",
    "archive.org",
    "upload.wikimedia.org",
    "player.twitch.tv",
];

/// Blocks with this much text are content even if their class says "share".
const SHARE_TEXT_LIMIT: usize = 500;

pub(crate) fn clean_article(dom: &mut Dom, article: NodeId, rules: Rules) {
    let data_tables = data_tables(dom, article);
    let cleaner = Cleaner { rules, data_tables };

    cleaner.conditionally(dom, article, "form");
    cleaner.conditionally(dom, article, "fieldset");
    remove_all(dom, article, &["object", "embed"], |dom, n| {
        !is_video(dom, n)
    });
    remove_all(dom, article, &["footer", "link", "aside"], |_, _| true);

    for block in dom.element_children(article).collect::<Vec<_>>() {
        for node in dom.descendants(block) {
            let small = dom.text_content(node).chars().count() < SHARE_TEXT_LIMIT;
            if small && is_share(&dom.class_and_id(node)) {
                dom.detach(node);
            }
        }
    }

    remove_all(dom, article, &["iframe"], |dom, n| !is_video(dom, n));
    remove_all(
        dom,
        article,
        &["input", "textarea", "select", "button"],
        |_, _| true,
    );
    remove_all(dom, article, &["h1", "h2"], |dom, n| {
        class_weight(dom, n, rules) < 0.0
    });

    cleaner.conditionally(dom, article, "table");
    cleaner.conditionally(dom, article, "ul");
    cleaner.conditionally(dom, article, "div");

    // The title is shown apart from the text; any other <h1> is a section heading.
    for h1 in dom.descendants_named(article, &["h1"]) {
        dom.set_tag(h1, "h2");
    }
    remove_all(dom, article, &["p"], |dom, p| {
        dom.descendants_named(p, &["img", "embed", "object", "iframe"])
            .is_empty()
            && dom.text_content(p).trim().is_empty()
    });
    unwrap_single_cell_tables(dom, article);
}

/// Removes each `tags` element under `root` for which `remove` says so, innermost first.
fn remove_all(dom: &mut Dom, root: NodeId, tags: &[&str], remove: impl Fn(&Dom, NodeId) -> bool) {
    for node in dom.descendants_named(root, tags).into_iter().rev() {
        if remove(dom, node) {
            dom.detach(node);
        }
    }
}

fn is_video(dom: &Dom, node: NodeId) -> bool {
    std::iter::once(node)
        .chain(dom.descendants(node))
        .flat_map(|n| {
            dom.element(n)
                .map(|e| e.attrs.as_slice())
                .unwrap_or_default()
        })
        .any(|(_, value)| is_video_url(value))
}

fn is_video_url(value: &str) -> bool {
    let value = value.to_ascii_lowercase();
    VIDEO_HOSTS.iter().any(|host| {
        value.contains(&format!("//{host}")) || value.contains(&format!("//www.{host}"))
    })
}

/// Tables that hold data (rather than lay out the page), which are kept whole.
fn data_tables(dom: &Dom, root: NodeId) -> HashSet<NodeId> {
    dom.descendants_named(root, &["table"])
        .into_iter()
        .filter(|&t| is_data_table(dom, t))
        .collect()
}

fn is_data_table(dom: &Dom, table: NodeId) -> bool {
    if dom.attr(table, "role") == Some("presentation") || dom.attr(table, "datatable") == Some("0")
    {
        return false;
    }
    if dom.attr(table, "summary").is_some_and(|s| !s.is_empty()) {
        return true;
    }
    let caption = dom.descendants_named(table, &["caption"]);
    if caption
        .first()
        .is_some_and(|&c| !dom.children(c).is_empty())
    {
        return true;
    }
    if !dom
        .descendants_named(table, &["col", "colgroup", "tfoot", "thead", "th"])
        .is_empty()
    {
        return true;
    }
    if !dom.descendants_named(table, &["table"]).is_empty() {
        return false; // nested tables are layout
    }
    let (rows, columns) = table_size(dom, table);
    if rows == 1 || columns == 1 {
        return false;
    }
    rows >= 10 || columns > 4 || rows * columns > 10
}

fn table_size(dom: &Dom, table: NodeId) -> (usize, usize) {
    let span = |node: NodeId, attr: &str| {
        dom.attr(node, attr)
            .and_then(|v| v.trim().parse::<usize>().ok())
            .filter(|&v| v > 0)
            .unwrap_or(1)
    };
    let mut rows = 0;
    let mut columns = 0;
    for tr in dom.descendants_named(table, &["tr"]) {
        rows += span(tr, "rowspan");
        let in_row: usize = dom
            .descendants_named(tr, &["td"])
            .into_iter()
            .map(|td| span(td, "colspan"))
            .sum();
        columns = columns.max(in_row);
    }
    (rows, columns)
}

struct Cleaner {
    rules: Rules,
    data_tables: HashSet<NodeId>,
}

impl Cleaner {
    /// Removes the `tag` blocks under `root` that look like anything but article text.
    fn conditionally(&self, dom: &mut Dom, root: NodeId, tag: &str) {
        if !self.rules.clean_conditionally {
            return;
        }
        for node in dom.descendants_named(root, &[tag]).into_iter().rev() {
            if self.is_fishy(dom, node, tag) {
                dom.detach(node);
            }
        }
    }

    fn is_fishy(&self, dom: &Dom, node: NodeId, tag: &str) -> bool {
        let is_data_table = |t: NodeId| self.data_tables.contains(&t);
        if (tag == "table" && is_data_table(node))
            || dom.has_ancestor_tag(node, "table", None, is_data_table)
            || dom.has_ancestor_tag(node, "code", Some(3), |_| true)
            || dom
                .descendants_named(node, &["table"])
                .into_iter()
                .any(is_data_table)
        {
            return false;
        }

        let text = dom.inner_text(node);
        let length = text.chars().count();
        let is_list = tag == "ul" || tag == "ol" || {
            let list_text: usize = dom
                .descendants_named(node, &["ul", "ol"])
                .into_iter()
                .map(|l| dom.text_len(l))
                .sum();
            length > 0 && list_text as f64 / length as f64 > 0.9
        };

        let weight = class_weight(dom, node, self.rules);
        if weight < 0.0 {
            return true;
        }
        if text.matches(',').count() >= 10 {
            // Prose with many commas is kept whatever else it holds.
            return false;
        }

        let count = |t: &str| dom.count_named(node, t);
        let paragraphs = count("p") as f64;
        let images = count("img");
        let list_items = count("li") as f64 - 100.0;
        let inputs = count("input") as f64;
        let heading_density = text_density(dom, node, &["h1", "h2", "h3", "h4", "h5", "h6"]);

        let mut embeds = 0;
        for embed in dom.descendants_named(node, &["object", "embed", "iframe"]) {
            if is_video(dom, embed) {
                return false;
            }
            embeds += 1;
        }
        if is_ad_or_loading(&text) {
            return true;
        }

        let link_density = link_density(dom, node);
        let mut textish: Vec<&str> = vec!["span", "li", "td"];
        textish.extend_from_slice(DIV_TO_P_BLOCKS);
        let text_density = text_density(dom, node, &textish);
        let in_figure = dom.has_ancestor_tag(node, "figure", Some(3), |_| true);

        let remove = (!in_figure && images > 1 && paragraphs / (images as f64) < 0.5)
            || (!is_list && list_items > paragraphs)
            || (inputs > (paragraphs / 3.0).floor())
            || (!is_list
                && !in_figure
                && heading_density < 0.9
                && length < 25
                && (images == 0 || images > 2)
                && link_density > 0.0)
            || (!is_list && weight < 25.0 && link_density > 0.2)
            || (weight >= 25.0 && link_density > 0.5)
            || ((embeds == 1 && length < 75) || embeds > 1)
            || (images == 0 && text_density == 0.0);

        if remove && is_list {
            // A plain list of images (a gallery) stays.
            let simple_items = dom
                .element_children(node)
                .all(|li| dom.element_children(li).count() <= 1);
            if simple_items && images == count("li") {
                return false;
            }
        }
        remove
    }
}

/// A table of one cell is layout around its content: keep just the content.
fn unwrap_single_cell_tables(dom: &mut Dom, root: NodeId) {
    for table in dom.descendants_named(root, &["table"]) {
        let body = if has_single_child(dom, table, "tbody") {
            dom.first_element_child(table)
        } else {
            Some(table)
        };
        let Some(row) = body
            .filter(|&b| has_single_child(dom, b, "tr"))
            .and_then(|b| dom.first_element_child(b))
        else {
            continue;
        };
        let Some(cell) = Some(row)
            .filter(|&r| has_single_child(dom, r, "td"))
            .and_then(|r| dom.first_element_child(r))
        else {
            continue;
        };
        let inline = dom.children(cell).iter().all(|&c| is_phrasing(dom, c));
        dom.set_tag(cell, if inline { "p" } else { "div" });
        dom.replace(table, cell);
    }
}
