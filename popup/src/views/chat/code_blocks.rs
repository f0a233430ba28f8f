//! A rendered answer's code blocks, each wrapped with its copy button. Built through the DOM
//! after the sanitised HTML is parsed, never spliced into that HTML as text: whatever the
//! sanitiser lets through, nothing of ours is parsed from a string next to it.

use sycamore::prelude::*;
use sycamore::web::{HtmlNode, ViewHtmlNode};
use wasm_bindgen::JsCast;
use web_sys::Element;

use crate::i18n::t;

/// The answer's sanitised `html` as a `div.markdown`, with a copy button above every `pre`.
pub fn answer_view(html: &str) -> View {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return View::default();
    };
    let Ok(root) = document.create_element("div") else {
        return View::default();
    };
    root.set_class_name("markdown");
    root.set_inner_html(html);
    if let Ok(blocks) = root.query_selector_all("pre") {
        for i in 0..blocks.length() {
            if let Some(pre) = blocks.item(i).and_then(|n| n.dyn_into::<Element>().ok()) {
                let _ = wrap(&document, &pre);
            }
        }
    }
    View::from_node(HtmlNode::from_web_sys(root.into()))
}

fn wrap(document: &web_sys::Document, pre: &Element) -> Result<(), wasm_bindgen::JsValue> {
    let block = document.create_element("div")?;
    block.set_class_name("code-block");
    let button = document.create_element("button")?;
    button.set_attribute("type", "button")?;
    button.set_class_name("copy-code secondary");
    button.set_attribute("aria-label", &t("copyCode"))?;
    button.set_text_content(Some(&t("copy")));
    pre.parent_node()
        .ok_or_else(|| wasm_bindgen::JsValue::from_str("detached"))?
        .replace_child(&block, pre)?;
    block.append_child(&button)?;
    block.append_child(pre)?;
    Ok(())
}
