//! A summary request's background half: capture the tab's page through the content script, then
//! hand the snapshot to the engine as `summarize_page` and relay its progress and tokens. The
//! extraction and the model run in the offscreen document's LLM worker.

use protocol::{
    Envelope, ErrorCode, Event, LanternError, PageSnapshot, Reply, Request, Stage, SummaryKind,
};
use webext::Signals;

use crate::{forward, page};

pub async fn serve(envelope: Envelope, sink: &mut dyn FnMut(Reply), signals: Option<Signals>) {
    let id = envelope.id;
    let Request::Summarize {
        model_id,
        tab_id,
        kind,
        mode,
        language,
        selection,
        question,
        speak,
        backend,
    } = envelope.body
    else {
        return sink(Reply::Throw {
            id: Some(id),
            error: LanternError::new(ErrorCode::Internal, "not a summarize request"),
        });
    };
    sink(Reply::Progress {
        id,
        event: Event::Step {
            stage: Stage::ReadingPage,
            done: None,
            total: None,
        },
    });
    let page = match capture(id, tab_id, kind, selection).await {
        Ok(page) => page,
        Err(error) => {
            return sink(Reply::Throw {
                id: Some(id),
                error,
            });
        }
    };
    let body = Request::SummarizePage {
        model_id,
        page,
        kind,
        mode,
        language,
        question,
        speak,
        backend,
    };
    forward::to_offscreen(Envelope::new(id, body), sink, signals).await;
}

/// The page to summarize. A selection the menu saw is enough when the page itself cannot be read
/// (a PDF): the browser hands it to us with the click.
async fn capture(
    id: u64,
    tab_id: Option<i64>,
    kind: SummaryKind,
    menu_selection: Option<String>,
) -> Result<PageSnapshot, LanternError> {
    let menu_selection = menu_selection.filter(|s| !s.trim().is_empty());
    let wants_selection = kind != SummaryKind::Page;
    let selection_only = |page: Option<PageSnapshot>| {
        let page = page.unwrap_or(PageSnapshot {
            url: String::new(),
            title: String::new(),
            html: String::new(),
            selection: String::new(),
            content_type: String::new(),
        });
        PageSnapshot {
            html: String::new(),
            selection: menu_selection.clone().unwrap_or_default(),
            ..page
        }
    };
    match page::snapshot(id, tab_id).await {
        Ok(page) if page.content_type == "application/pdf" => {
            if wants_selection && menu_selection.is_some() {
                Ok(selection_only(Some(page)))
            } else {
                Err(LanternError::new(
                    ErrorCode::NoPageAccess,
                    page::pdf_message(),
                ))
            }
        }
        Ok(mut page) => {
            if page.selection.trim().is_empty()
                && let Some(selection) = &menu_selection
            {
                page.selection = selection.clone();
            }
            Ok(page)
        }
        Err(_) if wants_selection && menu_selection.is_some() => Ok(selection_only(None)),
        Err(error) => Err(error),
    }
}
