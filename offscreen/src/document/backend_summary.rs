//! Summaries written by a user's model server: the page read and cut as the engine does
//! (`engines::llm::summarize`), but into parts sized by the server's own context size rather
//! than the in-browser budget, counted without the model's tokenizer (which only the server has)
//! at a conservative three characters a token. Notes on each part, then the summary streamed.

use content::summary::{self, Budget};
use protocol::{
    ChatMessage, Event, Finish, LanternError, PageSnapshot, Response, Sampling, Stage, SummaryKind,
    SummaryMode,
};

use super::backend::{Ask, complete};
use crate::engines::llm::summarize::{self as engine, SummaryRequest};

/// What a server's context is taken to be when it does not say: the smallest anyone serves.
const UNKNOWN_CONTEXT: usize = 2048;
/// A part at most this long however large the context: notes on several parts summarize a long
/// page better than one prompt of everything, and each round shows progress.
const PART_TOKENS_CAP: usize = 6000;
/// Parts read at most; a longer page is shortened to that (`content::summary::chunk`).
const MAX_PARTS: usize = 4;

/// Tokens of a text, over-counted so a part never overflows the server's context.
fn count(text: &str) -> usize {
    backends::estimate_tokens(text)
}

pub async fn summarize(
    ask: &Ask<'_>,
    page: PageSnapshot,
    kind: SummaryKind,
    mode: SummaryMode,
    language: Option<String>,
    question: Option<String>,
) -> Result<Response, LanternError> {
    let request = SummaryRequest {
        page,
        kind,
        mode,
        language,
        question,
    };
    let source = engine::source(&request)?;
    (ask.emit)(Event::SummarySource {
        title: source.title.clone(),
        url: request.page.url.clone(),
        lang: source.lang.clone(),
    });
    let job = engine::job(&request, &source);
    let context = ask.server.context.map_or(UNKNOWN_CONTEXT, |c| c as usize);
    let overhead = count(
        &summary::final_prompt(&job, "")
            .iter()
            .map(|m| m.content.as_str())
            .collect::<String>(),
    ) + 64;
    let reply_tokens = job.max_tokens().max(summary::MAP_MAX_TOKENS);
    let budget = Budget {
        part_tokens: context
            .saturating_sub(overhead + reply_tokens)
            .min(PART_TOKENS_CAP),
        max_parts: MAX_PARTS,
    };
    let parts = summary::split_into_parts(&source.text, budget, &count);
    let source_tokens = parts.iter().map(|p| count(p)).sum();
    let chat_text = summary::split_into_parts(
        &source.text,
        Budget {
            part_tokens: budget.part_tokens,
            max_parts: 1,
        },
        &count,
    )
    .join("\n");
    let chat_context = summary::chat_context(&source.title, &request.page.url, &chat_text);
    let final_messages: Vec<ChatMessage> = if parts.len() <= 1 {
        summary::final_prompt(&job, parts.first().map_or("", String::as_str))
    } else {
        let mut notes = Vec::with_capacity(parts.len());
        for (i, part) in parts.iter().enumerate() {
            (ask.emit)(Event::Step {
                stage: Stage::ReadingPart,
                done: Some(i as u64 + 1),
                total: Some(parts.len() as u64),
            });
            let quiet = Ask {
                emit: &|_| {},
                sampling: &engine::sampling(summary::MAP_MAX_TOKENS),
                ..ask.clone()
            };
            let note = complete(
                &quiet,
                &summary::map_prompt(&job, i + 1, parts.len(), part),
                &[],
            )
            .await?
            .reply;
            if note.finish == Finish::Cancelled {
                let reply =
                    engine::reply(note, &source, &request.page.url, &parts, 0, chat_context);
                return Ok(Response::Summary(reply));
            }
            notes.push(note.text);
        }
        summary::reduce_prompt(&job, &notes)
    };
    (ask.emit)(Event::Step {
        stage: Stage::WritingSummary,
        done: None,
        total: None,
    });
    let sampling: Sampling = engine::sampling(job.max_tokens());
    let writer = Ask {
        sampling: &sampling,
        ..ask.clone()
    };
    let answer = complete(&writer, &final_messages, &[]).await?.reply;
    Ok(Response::Summary(engine::reply(
        answer,
        &source,
        &request.page.url,
        &parts,
        source_tokens,
        chat_context,
    )))
}
