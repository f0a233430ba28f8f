//! HTML text to [`Dom`]: html5ever's spec-conformant tree builder, feeding our arena directly so no
//! second DOM crate sits in between.

use std::borrow::Cow;
use std::cell::RefCell;
use std::rc::Rc;

use html5ever::interface::tree_builder::{ElementFlags, NodeOrText, QuirksMode, TreeSink};
use html5ever::tendril::{StrTendril, TendrilSink};
use html5ever::{Attribute, QualName, local_name, ns, parse_document};

use crate::dom::{Data, Dom, Element, NodeId};

/// Parses a whole document the way a browser would (implied `<html>`, `<body>`, fixed-up nesting).
pub(crate) fn parse_html(html: &str) -> Dom {
    parse_document(Sink::default(), Default::default()).one(html)
}

/// The tree builder asks for an element's name through a borrow of the handle, so each handle
/// carries its name rather than pointing into the arena it is still mutating.
#[derive(Clone)]
struct Handle {
    id: NodeId,
    name: Rc<QualName>,
    template_contents: Option<NodeId>,
}

struct Sink {
    dom: RefCell<Dom>,
    no_name: Rc<QualName>,
}

impl Default for Sink {
    fn default() -> Self {
        Sink {
            dom: RefCell::new(Dom::default()),
            no_name: Rc::new(QualName::new(None, ns!(), local_name!(""))),
        }
    }
}

impl Sink {
    fn handle(&self, id: NodeId) -> Handle {
        Handle {
            id,
            name: self.no_name.clone(),
            template_contents: None,
        }
    }

    /// Text next to text is merged, as a browser's parser does.
    fn text_or_node(
        &self,
        child: NodeOrText<Handle>,
        merge_into: Option<NodeId>,
    ) -> Option<NodeId> {
        match child {
            NodeOrText::AppendNode(handle) => Some(handle.id),
            NodeOrText::AppendText(text) => {
                let mut dom = self.dom.borrow_mut();
                if let Some(existing) = merge_into.and_then(|id| dom.text_mut(id)) {
                    existing.push_str(&text);
                    return None;
                }
                Some(dom.add(Data::Text(text.to_string())))
            }
        }
    }
}

impl TreeSink for Sink {
    type Handle = Handle;
    type Output = Dom;
    type ElemName<'a> = &'a QualName;

    fn finish(self) -> Dom {
        self.dom.into_inner()
    }

    fn parse_error(&self, _msg: Cow<'static, str>) {}

    fn get_document(&self) -> Handle {
        let document = self.dom.borrow().document();
        self.handle(document)
    }

    fn elem_name<'a>(&'a self, target: &'a Handle) -> &'a QualName {
        &target.name
    }

    fn create_element(&self, name: QualName, attrs: Vec<Attribute>, flags: ElementFlags) -> Handle {
        let mut dom = self.dom.borrow_mut();
        let element = Element {
            tag: name.local.to_string(),
            html: name.ns == ns!(html),
            attrs: attrs
                .into_iter()
                .map(|a| (a.name.local.to_string(), a.value.to_string()))
                .collect(),
        };
        let id = dom.add(Data::Element(element));
        // Template contents are inert in a browser; they get a detached node nobody walks.
        let template_contents = flags.template.then(|| dom.add(Data::Document));
        Handle {
            id,
            name: Rc::new(name),
            template_contents,
        }
    }

    fn create_comment(&self, _text: StrTendril) -> Handle {
        let id = self.dom.borrow_mut().add(Data::Other);
        self.handle(id)
    }

    fn create_pi(&self, _target: StrTendril, _data: StrTendril) -> Handle {
        let id = self.dom.borrow_mut().add(Data::Other);
        self.handle(id)
    }

    fn append(&self, parent: &Handle, child: NodeOrText<Handle>) {
        let last = self.dom.borrow().children(parent.id).last().copied();
        if let Some(node) = self.text_or_node(child, last) {
            self.dom.borrow_mut().append(parent.id, node);
        }
    }

    fn append_based_on_parent_node(
        &self,
        element: &Handle,
        prev_element: &Handle,
        child: NodeOrText<Handle>,
    ) {
        if self.dom.borrow().parent(element.id).is_some() {
            self.append_before_sibling(element, child);
        } else {
            self.append(prev_element, child);
        }
    }

    fn append_doctype_to_document(&self, _: StrTendril, _: StrTendril, _: StrTendril) {}

    fn get_template_contents(&self, target: &Handle) -> Handle {
        self.handle(target.template_contents.unwrap_or(target.id))
    }

    fn same_node(&self, x: &Handle, y: &Handle) -> bool {
        x.id == y.id
    }

    fn set_quirks_mode(&self, _mode: QuirksMode) {}

    fn append_before_sibling(&self, sibling: &Handle, child: NodeOrText<Handle>) {
        let previous = {
            let dom = self.dom.borrow();
            dom.parent(sibling.id).and_then(|parent| {
                let children = dom.children(parent);
                let index = children.iter().position(|&c| c == sibling.id)?;
                index.checked_sub(1).map(|i| children[i])
            })
        };
        if let Some(node) = self.text_or_node(child, previous) {
            self.dom.borrow_mut().insert_before(sibling.id, node);
        }
    }

    fn add_attrs_if_missing(&self, target: &Handle, attrs: Vec<Attribute>) {
        let mut dom = self.dom.borrow_mut();
        if let Some(element) = dom.element_mut(target.id) {
            for attr in attrs {
                let name = attr.name.local.to_string();
                if !element.attrs.iter().any(|(n, _)| *n == name) {
                    element.attrs.push((name, attr.value.to_string()));
                }
            }
        }
    }

    fn remove_from_parent(&self, target: &Handle) {
        self.dom.borrow_mut().detach(target.id);
    }

    fn reparent_children(&self, node: &Handle, new_parent: &Handle) {
        self.dom.borrow_mut().move_children(node.id, new_parent.id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_a_browser_shaped_tree() {
        let dom = parse_html("<title>T</title><p>one<p>two &amp; <b>three</b>");
        let body = dom.body().expect("a body is always implied");
        let paragraphs: Vec<_> = dom.element_children(body).collect();
        assert_eq!(paragraphs.len(), 2);
        assert_eq!(dom.inner_text(paragraphs[1]), "two & three");
        let title = dom.find("title").expect("title kept");
        assert_eq!(dom.text_content(title), "T");
    }

    #[test]
    fn misnested_markup_is_repaired() {
        let dom = parse_html("<div><b>bold <i>both</b> italic</i></div>");
        let div = dom.find("div").expect("div");
        assert_eq!(dom.inner_text(div), "bold both italic");
    }
}
