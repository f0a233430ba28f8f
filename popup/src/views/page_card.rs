//! The current-page card: what Lantern can read of the active tab (title, address, selection),
//! through the content script.

use protocol::{PageInfo, Request, Response};
use sycamore::prelude::*;

use crate::state::{AppState, Fetch, client};

fn read_page(state: AppState) {
    state.page.set(Some(Fetch::Loading));
    let client = client();
    wasm_bindgen_futures::spawn_local(async move {
        let result = client.call(Request::PageInfo { tab_id: None }).await;
        state.page.set(Some(match result {
            Ok(Response::PageInfo(info)) => Fetch::Ready(info),
            Ok(_) => Fetch::Failed(protocol::LanternError::new(
                protocol::ErrorCode::Internal,
                "the page answered something else",
            )),
            Err(error) => Fetch::Failed(error),
        }));
    });
}

#[component]
pub fn PageCard() -> View {
    let state = use_context::<AppState>();
    view! {
        section(class="card", aria-labelledby="page-heading") {
            h2(id="page-heading") { "This page" }
            (match state.page.get_clone() {
                None => view! { p(class="muted") { "Lantern reads a page only when you ask." } },
                Some(Fetch::Loading) => view! { p(class="muted", role="status") { "Reading the page…" } },
                Some(Fetch::Ready(info)) => page_facts(info),
                Some(Fetch::Failed(error)) => view! {
                    p(class="error", role="alert", data-code=format!("{:?}", error.code)) {
                        (error.message.clone())
                    }
                },
            })
            button(class="secondary", on:click=move |_| read_page(state)) { "Read this page" }
        }
    }
}

fn page_facts(info: PageInfo) -> View {
    let title = if info.title.is_empty() {
        "(untitled)".to_string()
    } else {
        info.title
    };
    let selection = if info.selection.is_empty() {
        "(nothing selected)".to_string()
    } else {
        info.selection
    };
    view! {
        dl(class="facts") {
            div(class="fact") { dt { "Title" } dd(data-field="title") { (title) } }
            div(class="fact") { dt { "Address" } dd(data-field="url", class="url") { (info.url) } }
            div(class="fact") { dt { "Selection" } dd(data-field="selection") { (selection) } }
        }
    }
}
