//! The current-page card: what Lantern can read of the active tab (title, address, selection),
//! through the content script.

use protocol::PageInfo;
use sycamore::prelude::*;

use super::error_text::error_text;
use crate::i18n::t;
use crate::state::{AppState, Fetch, client};

fn read_page(state: AppState) {
    state.page.set(Some(Fetch::Loading));
    wasm_bindgen_futures::spawn_local(async move {
        state.page.set(Some(match client().page_info().await {
            Ok(info) => Fetch::Ready(info),
            Err(error) => Fetch::Failed(error),
        }));
    });
}

#[component]
pub fn PageCard() -> View {
    let state = use_context::<AppState>();
    view! {
        section(class="card", aria-labelledby="page-heading") {
            h2(id="page-heading") { (t("pageHeading")) }
            (match state.page.get_clone() {
                None => view! { p(class="muted") { (t("pageOnlyWhenAsked")) } },
                Some(Fetch::Loading) => view! { p(class="muted", role="status") { (t("readingPage")) } },
                Some(Fetch::Ready(info)) => page_facts(info),
                Some(Fetch::Failed(error)) => {
                    let text = error_text(&error);
                    view! {
                        p(class="error", role="alert", data-code=format!("{:?}", error.code)) { (text) }
                    }
                }
            })
            button(class="secondary", on:click=move |_| read_page(state)) { (t("readThisPage")) }
        }
    }
}

fn page_facts(info: PageInfo) -> View {
    let title = if info.title.is_empty() {
        t("untitled")
    } else {
        info.title
    };
    let selection = if info.selection.is_empty() {
        t("nothingSelected")
    } else {
        info.selection
    };
    view! {
        dl(class="facts") {
            div(class="fact") { dt { (t("factTitle")) } dd(data-field="title") { (title) } }
            div(class="fact") { dt { (t("factAddress")) } dd(data-field="url", class="url") { (info.url) } }
            div(class="fact") { dt { (t("factSelection")) } dd(data-field="selection") { (selection) } }
        }
    }
}
