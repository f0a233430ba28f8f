//! Reading a tab through the content script: inject it on demand (activeTab or a host
//! permission lets us), then ask it.

use protocol::{Envelope, ErrorCode, LanternError, PageInfo, Reply, Request, Response};
use wasm_bindgen::JsValue;
use webext::to_js;

use crate::chrome;

const CONTENT_SCRIPT: &str = "content/content.js";

pub async fn serve(envelope: Envelope) -> Reply {
    let id = envelope.id;
    let result = match envelope.body {
        Request::PageInfo { tab_id } => page_info(id, tab_id).await.map(Response::PageInfo),
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
    let tab_id = match tab_id {
        Some(tab_id) => tab_id,
        None => chrome::active_tab_id()
            .await
            .ok()
            .flatten()
            .ok_or_else(|| no_access("there is no active tab"))?,
    };
    chrome::inject_file(tab_id, CONTENT_SCRIPT)
        .await
        .map_err(|err| {
            no_access(&format!(
                "Lantern cannot read this tab ({})",
                message_of(&err)
            ))
        })?;
    let request = to_js(&Envelope::new(
        id,
        Request::PageInfo {
            tab_id: Some(tab_id),
        },
    ));
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
        Reply::Return {
            value: Response::PageInfo(info),
            ..
        } => Ok(PageInfo { tab_id, ..info }),
        Reply::Throw { error, .. } => Err(error),
        _ => Err(LanternError::new(
            ErrorCode::Internal,
            "the page answered something other than its info",
        )),
    }
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
