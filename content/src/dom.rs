//! The page as a mutable tree in one arena: nodes addressed by index, so the extractor can detach,
//! move and retag them freely and clone the whole page cheaply before each scoring attempt.

use std::cell::Cell;

/// A node's place in its [`Dom`]'s arena. Detached nodes keep their slot; they are just unreachable.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub(crate) struct NodeId(usize);

#[derive(Clone, Debug)]
pub(crate) enum Data {
    Document,
    Element(Element),
    Text(String),
    /// Comments, processing instructions: kept only so the tree shape matches the source.
    Other,
}

#[derive(Clone, Debug)]
pub(crate) struct Element {
    /// The local name, lowercase for HTML elements as the parser delivers it.
    pub tag: String,
    /// False for SVG and MathML elements, whose `<title>` or `<a>` mean something else.
    pub html: bool,
    pub attrs: Vec<(String, String)>,
}

#[derive(Clone, Debug)]
pub(crate) struct Node {
    pub parent: Option<NodeId>,
    pub children: Vec<NodeId>,
    pub data: Data,
    /// Where this node last was among its parent's children: a hint, checked before use.
    /// Sibling steps then cost O(1) instead of a scan of the parent, which made walking a
    /// parent with 100,000 children quadratic.
    index_hint: Cell<usize>,
}

#[derive(Clone, Debug)]
pub(crate) struct Dom {
    nodes: Vec<Node>,
}

impl Default for Dom {
    fn default() -> Self {
        Dom {
            nodes: vec![Node {
                parent: None,
                children: Vec::new(),
                data: Data::Document,
                index_hint: Cell::new(0),
            }],
        }
    }
}

impl Dom {
    pub fn document(&self) -> NodeId {
        NodeId(0)
    }

    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id.0]
    }

    pub fn add(&mut self, data: Data) -> NodeId {
        self.nodes.push(Node {
            parent: None,
            children: Vec::new(),
            data,
            index_hint: Cell::new(0),
        });
        NodeId(self.nodes.len() - 1)
    }

    pub fn add_element(&mut self, tag: &str) -> NodeId {
        self.add(Data::Element(Element {
            tag: tag.to_owned(),
            html: true,
            attrs: Vec::new(),
        }))
    }

    pub fn element(&self, id: NodeId) -> Option<&Element> {
        match &self.nodes[id.0].data {
            Data::Element(e) => Some(e),
            _ => None,
        }
    }

    pub fn element_mut(&mut self, id: NodeId) -> Option<&mut Element> {
        match &mut self.nodes[id.0].data {
            Data::Element(e) => Some(e),
            _ => None,
        }
    }

    /// The element's tag, or "" for text and other nodes (so comparisons need no unwrapping).
    pub fn tag(&self, id: NodeId) -> &str {
        self.element(id).map_or("", |e| e.tag.as_str())
    }

    pub fn is(&self, id: NodeId, tag: &str) -> bool {
        self.tag(id) == tag
    }

    pub fn is_element(&self, id: NodeId) -> bool {
        self.element(id).is_some()
    }

    pub fn text(&self, id: NodeId) -> Option<&str> {
        match &self.nodes[id.0].data {
            Data::Text(t) => Some(t),
            _ => None,
        }
    }

    pub fn text_mut(&mut self, id: NodeId) -> Option<&mut String> {
        match &mut self.nodes[id.0].data {
            Data::Text(t) => Some(t),
            _ => None,
        }
    }

    pub fn set_tag(&mut self, id: NodeId, tag: &str) {
        if let Some(e) = self.element_mut(id) {
            tag.clone_into(&mut e.tag);
        }
    }

    pub fn attr(&self, id: NodeId, name: &str) -> Option<&str> {
        self.element(id)?
            .attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn has_attr(&self, id: NodeId, name: &str) -> bool {
        self.attr(id, name).is_some()
    }

    /// `class` and `id` joined by a space: the string the class/id patterns are tried on.
    pub fn class_and_id(&self, id: NodeId) -> String {
        let class = self.attr(id, "class").unwrap_or("");
        let ident = self.attr(id, "id").unwrap_or("");
        format!("{class} {ident}")
    }

    pub fn parent(&self, id: NodeId) -> Option<NodeId> {
        self.nodes[id.0].parent
    }

    /// The parent, if it is an element (not the document, not nothing).
    pub fn parent_element(&self, id: NodeId) -> Option<NodeId> {
        self.parent(id).filter(|&p| self.is_element(p))
    }

    pub fn children(&self, id: NodeId) -> &[NodeId] {
        &self.nodes[id.0].children
    }

    pub fn element_children(&self, id: NodeId) -> impl Iterator<Item = NodeId> + '_ {
        self.children(id)
            .iter()
            .copied()
            .filter(|&c| self.is_element(c))
    }

    pub fn first_element_child(&self, id: NodeId) -> Option<NodeId> {
        self.element_children(id).next()
    }

    fn index_in_parent(&self, id: NodeId) -> Option<(NodeId, usize)> {
        let parent = self.parent(id)?;
        let siblings = self.children(parent);
        let hint = &self.nodes[id.0].index_hint;
        // Removing or inserting an earlier sibling moves this one by one place.
        let guess = [hint.get(), hint.get().wrapping_sub(1), hint.get() + 1];
        let index = guess
            .into_iter()
            .find(|&i| siblings.get(i) == Some(&id))
            .or_else(|| siblings.iter().position(|&c| c == id))?;
        hint.set(index);
        Some((parent, index))
    }

    pub fn next_sibling(&self, id: NodeId) -> Option<NodeId> {
        let (parent, index) = self.index_in_parent(id)?;
        self.children(parent).get(index + 1).copied()
    }

    pub fn next_element_sibling(&self, id: NodeId) -> Option<NodeId> {
        let (parent, index) = self.index_in_parent(id)?;
        self.children(parent)[index + 1..]
            .iter()
            .copied()
            .find(|&c| self.is_element(c))
    }

    pub fn detach(&mut self, id: NodeId) {
        if let Some((parent, index)) = self.index_in_parent(id) {
            self.nodes[parent.0].children.remove(index);
        }
        self.nodes[id.0].parent = None;
    }

    pub fn append(&mut self, parent: NodeId, child: NodeId) {
        self.detach(child);
        self.nodes[child.0].parent = Some(parent);
        self.nodes[child.0]
            .index_hint
            .set(self.nodes[parent.0].children.len());
        self.nodes[parent.0].children.push(child);
    }

    /// Puts `new` just before `reference` among its parent's children.
    pub fn insert_before(&mut self, reference: NodeId, new: NodeId) {
        self.detach(new);
        if let Some((parent, index)) = self.index_in_parent(reference) {
            self.nodes[new.0].parent = Some(parent);
            self.nodes[new.0].index_hint.set(index);
            self.nodes[parent.0].children.insert(index, new);
        }
    }

    /// Puts `new` where `old` is, detaching `old`.
    pub fn replace(&mut self, old: NodeId, new: NodeId) {
        self.insert_before(old, new);
        self.detach(old);
    }

    /// Moves every child of `from` to the end of `to`'s children.
    pub fn move_children(&mut self, from: NodeId, to: NodeId) {
        for child in std::mem::take(&mut self.nodes[from.0].children) {
            self.nodes[child.0].parent = Some(to);
            self.nodes[child.0]
                .index_hint
                .set(self.nodes[to.0].children.len());
            self.nodes[to.0].children.push(child);
        }
    }

    /// The element after `id` in document order, depth first; with `skip_children`, the first
    /// element after `id`'s subtree. Walking this way survives removing the node just visited.
    pub fn next_element(&self, id: NodeId, skip_children: bool) -> Option<NodeId> {
        if !skip_children && let Some(child) = self.first_element_child(id) {
            return Some(child);
        }
        let mut node = id;
        loop {
            if let Some(sibling) = self.next_element_sibling(node) {
                return Some(sibling);
            }
            node = self.parent(node)?;
        }
    }

    /// Every element below `id` (not `id` itself), in document order.
    pub fn descendants(&self, id: NodeId) -> Vec<NodeId> {
        let mut out = Vec::new();
        let mut stack: Vec<NodeId> = self.children(id).iter().rev().copied().collect();
        while let Some(node) = stack.pop() {
            if self.is_element(node) {
                out.push(node);
                stack.extend(self.children(node).iter().rev().copied());
            }
        }
        out
    }

    /// Elements below `id` whose tag is one of `tags`, in document order.
    pub fn descendants_named(&self, id: NodeId, tags: &[&str]) -> Vec<NodeId> {
        self.descendants(id)
            .into_iter()
            .filter(|&n| tags.contains(&self.tag(n)))
            .collect()
    }

    pub fn count_named(&self, id: NodeId, tag: &str) -> usize {
        self.descendants(id)
            .into_iter()
            .filter(|&n| self.is(n, tag))
            .count()
    }

    /// All text below `id`, as the DOM's `textContent` gives it.
    pub fn text_content(&self, id: NodeId) -> String {
        let mut out = String::new();
        let mut stack = vec![id];
        while let Some(node) = stack.pop() {
            match &self.nodes[node.0].data {
                Data::Text(t) => out.push_str(t),
                Data::Element(_) | Data::Document => {
                    stack.extend(self.children(node).iter().rev().copied())
                }
                Data::Other => {}
            }
        }
        out
    }

    /// Whether any text below `id` is more than whitespace; stops at the first that is.
    pub fn has_text(&self, id: NodeId) -> bool {
        let mut stack = vec![id];
        while let Some(node) = stack.pop() {
            match &self.nodes[node.0].data {
                Data::Text(t) if !t.trim().is_empty() => return true,
                Data::Element(_) | Data::Document => stack.extend(self.children(node)),
                _ => {}
            }
        }
        false
    }

    /// The text trimmed, with every run of whitespace made one space: what lengths are measured on.
    pub fn inner_text(&self, id: NodeId) -> String {
        normalize_space(&self.text_content(id))
    }

    /// Length of [`Dom::inner_text`] in characters, counted without building the text: this is
    /// asked of every candidate and every link, so it is the extractor's hottest path.
    pub fn text_len(&self, id: NodeId) -> usize {
        let mut length = 0;
        let mut started = false;
        let mut space_pending = false;
        let mut stack = vec![id];
        while let Some(node) = stack.pop() {
            match &self.nodes[node.0].data {
                Data::Text(t) => {
                    for c in t.chars() {
                        if c.is_whitespace() {
                            space_pending = started;
                        } else {
                            length += 1 + usize::from(space_pending);
                            started = true;
                            space_pending = false;
                        }
                    }
                }
                Data::Element(_) | Data::Document => {
                    stack.extend(self.children(node).iter().rev().copied())
                }
                Data::Other => {}
            }
        }
        length
    }

    /// Up to `max` ancestors (all of them with `max == 0`), nearest first.
    pub fn ancestors(&self, id: NodeId, max: usize) -> Vec<NodeId> {
        let mut out = Vec::new();
        let mut node = id;
        while let Some(parent) = self.parent(node) {
            out.push(parent);
            if max > 0 && out.len() == max {
                break;
            }
            node = parent;
        }
        out
    }

    /// Whether an ancestor within `max_depth` levels (any depth with `None`) has `tag` and passes `filter`.
    pub fn has_ancestor_tag(
        &self,
        id: NodeId,
        tag: &str,
        max_depth: Option<usize>,
        filter: impl Fn(NodeId) -> bool,
    ) -> bool {
        let mut node = id;
        let mut depth = 0;
        while let Some(parent) = self.parent(node) {
            if max_depth.is_some_and(|max| depth > max) {
                return false;
            }
            if self.is(parent, tag) && filter(parent) {
                return true;
            }
            node = parent;
            depth += 1;
        }
        false
    }

    /// The first element with `tag` in document order.
    pub fn find(&self, tag: &str) -> Option<NodeId> {
        self.descendants(self.document())
            .into_iter()
            .find(|&n| self.is(n, tag))
    }

    pub fn body(&self) -> Option<NodeId> {
        self.find("body")
    }
}

/// Trims and collapses every run of whitespace into one space.
pub(crate) fn normalize_space(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> (Dom, NodeId, NodeId, NodeId) {
        let mut dom = Dom::default();
        let div = dom.add_element("div");
        let p = dom.add_element("p");
        let text = dom.add(Data::Text(" hello   world ".into()));
        let doc = dom.document();
        dom.append(doc, div);
        dom.append(div, p);
        dom.append(p, text);
        (dom, div, p, text)
    }

    #[test]
    fn text_is_collected_and_normalised() {
        let (dom, div, ..) = sample();
        assert_eq!(dom.inner_text(div), "hello world");
        assert_eq!(dom.text_len(div), 11);
        assert_eq!(dom.text_len(dom.document()), 11);
    }

    #[test]
    fn moving_a_node_detaches_it_from_its_old_parent() {
        let (mut dom, div, p, _) = sample();
        let other = dom.add_element("section");
        let doc = dom.document();
        dom.append(doc, other);
        dom.append(other, p);
        assert!(dom.children(div).is_empty());
        assert_eq!(dom.parent(p), Some(other));
        assert_eq!(dom.next_element(div, false), Some(other));
    }

    #[test]
    fn siblings_stay_right_while_earlier_ones_move() {
        let mut dom = Dom::default();
        let doc = dom.document();
        let parent = dom.add_element("ul");
        dom.append(doc, parent);
        let items: Vec<NodeId> = (0..6)
            .map(|_| {
                let li = dom.add_element("li");
                dom.append(parent, li);
                li
            })
            .collect();
        assert_eq!(dom.next_sibling(items[2]), Some(items[3]));
        dom.detach(items[0]);
        assert_eq!(dom.next_sibling(items[2]), Some(items[3]));
        let new = dom.add_element("li");
        dom.insert_before(items[1], new);
        dom.insert_before(items[1], items[0]);
        assert_eq!(dom.next_sibling(new), Some(items[0]));
        assert_eq!(dom.next_sibling(items[0]), Some(items[1]));
        assert_eq!(dom.next_element_sibling(items[4]), Some(items[5]));
        assert_eq!(dom.next_sibling(items[5]), None);
        dom.replace(items[3], items[0]);
        assert_eq!(dom.next_sibling(items[2]), Some(items[0]));
        assert_eq!(dom.next_sibling(items[0]), Some(items[4]));
    }
}
