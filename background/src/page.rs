//! Reading a tab through the content script: inject it on demand (activeTab or a host
//! permission lets us), then ask it. Tabs no extension may enter get a message that says why.

use protocol::{
    Envelope, ErrorCode, LanternError, PageInfo, PageSnapshot, Reply, Request, Response,
};
use wasm_bindgen::JsValue;
use webext::to_js;

use crate::chrome;

const CONTENT_SCRIPT: &str = "content/content.js";

pub async fn serve(envelope: Envelope) -> Reply {
    let id = envelope.id;
    let result = match envelope.body {
        Request::PageInfo { tab_id } => page_info(id, tab_id).await.map(Response::PageInfo),
        Request::PageSnapshot { tab_id } => snapshot(id, tab_id).await.map(Response::PageSnapshot),
        other => Err(LanternError::new(
            ErrorCode::Internal,
            format!("no content handler for {:?}", other.type_name()),
        )),
    };
    match result {
        Ok(value) => Reply::Return { id, value },
        Err(error) => Reply::Throw {
            id: Some(id),
            error,
        },
    }
}

async fn page_info(id: u64, tab_id: Option<i64>) -> Result<PageInfo, LanternError> {
    let (tab_id, answer) = ask(id, tab_id, |tab_id| Request::PageInfo {
        tab_id: Some(tab_id),
    })
    .await?;
    match answer {
        Response::PageInfo(info) => Ok(PageInfo { tab_id, ..info }),
        _ => Err(unexpected()),
    }
}

/// The page in a tab (the active one when `tab_id` is absent) as the content script captures it.
pub async fn snapshot(id: u64, tab_id: Option<i64>) -> Result<PageSnapshot, LanternError> {
    match ask(id, tab_id, |tab_id| Request::PageSnapshot {
        tab_id: Some(tab_id),
    })
    .await?
    .1
    {
        Response::PageSnapshot(page) => Ok(page),
        _ => Err(unexpected()),
    }
}

/// The tab a request names, else the active tab.
pub async fn resolve_tab(tab_id: Option<i64>) -> Result<i64, LanternError> {
    match tab_id {
        Some(tab_id) => Ok(tab_id),
        None => chrome::active_tab_id()
            .await
            .ok()
            .flatten()
            .ok_or_else(|| no_access("there is no active tab")),
    }
}

/// Injects the content script into the tab and asks it `request`.
async fn ask(
    id: u64,
    tab_id: Option<i64>,
    request: impl Fn(i64) -> Request,
) -> Result<(i64, Response), LanternError> {
    let tab_id = resolve_tab(tab_id).await?;
    if let Err(err) = chrome::inject_file(tab_id, CONTENT_SCRIPT).await {
        let url = chrome::tab_url(tab_id).await.ok().flatten();
        return Err(cannot_inject(&message_of(&err), url.as_deref()));
    }
    let request = to_js(&Envelope::new(id, request(tab_id)));
    let answer = chrome::send_to_tab(tab_id, &request)
        .await
        .map_err(|err| no_access(&format!("the page did not answer ({})", message_of(&err))))?;
    let reply: Reply = webext::from_js(answer).map_err(|err| {
        LanternError::new(
            ErrorCode::Internal,
            format!("unreadable page answer: {err}"),
        )
    })?;
    match reply {
        Reply::Return { value, .. } => Ok((tab_id, value)),
        Reply::Throw { error, .. } => Err(error),
        _ => Err(unexpected()),
    }
}

/// Why the content script could not go into a tab, in words a user can act on.
pub fn cannot_inject(browser_says: &str, url: Option<&str>) -> LanternError {
    let url = url.unwrap_or("");
    let said = browser_says.to_lowercase();
    let browser_page = [
        "chrome://",
        "chrome-extension://",
        "edge://",
        "about:",
        "devtools://",
    ]
    .iter()
    .any(|scheme| url.starts_with(scheme) || said.contains(scheme))
        || said.contains("extensions gallery")
        || url.starts_with("https://chromewebstore.google.com");
    let message = if browser_page {
        format!(
            "Lantern cannot read this tab: browser pages such as chrome:// and the Web Store do \
             not let extensions read them ({browser_says})"
        )
    } else if url.to_lowercase().ends_with(".pdf") || said.contains("pdf") {
        pdf_message()
    } else {
        format!("Lantern cannot read this tab ({browser_says})")
    };
    no_access(&message)
}

/// What to say about a tab that shows a PDF.
pub fn pdf_message() -> String {
    "Lantern cannot read this tab: it shows a PDF in the browser's PDF viewer, which extensions \
     cannot read. Select text in it and choose \"Summarize selection\" instead."
        .into()
}

fn unexpected() -> LanternError {
    LanternError::new(
        ErrorCode::Internal,
        "the page answered something other than what was asked",
    )
}

fn no_access(message: &str) -> LanternError {
    LanternError::new(ErrorCode::NoPageAccess, message)
}

fn message_of(err: &JsValue) -> String {
    js_sys::Error::from(err.clone())
        .message()
        .as_string()
        .unwrap_or_else(|| "unknown error".into())
}
