//! Summaries in the LLM worker: extract the page's article from the snapshot, cut it into parts
//! that fit the model's context (counted with the model's own tokenizer), and summarize
//! map-reduce: notes on each part (progress "reading part i of n"), then the summary from the
//! notes, streamed as `token` events. A page that fits in one part is summarized directly. No
//! tools are offered at any step: the model only reads the page, it cannot act on it.

use content::summary::{self, Budget, Job};
use protocol::{
    ChatMessage, ChatReply, ErrorCode, Event, Finish, Id, LanternError, PageSnapshot, Sampling,
    Stage, SummaryKind, SummaryMode, SummaryReply,
};

use std::cell::Cell;

use models::llm::Session;

use super::chat;
use crate::outbox::Outbox;

/// Tokens of page text in one part at most; 384 tokens is about 280 English words. Small parts
/// keep each prompt's attention cheap and show progress often.
const PART_TOKENS_CAP: usize = 384;
/// Parts read at most. With the cap above, about 1,150 tokens (850 words) are read in full; a
/// longer page is shortened to that by its most telling sentences (`content::summary::chunk`).
/// Sized for SmolLM2 in wasm on two slow cores shared with other work, where it reads only
/// 10-30 prompt tokens a second: a 20,000-word page then takes two to four minutes (about 1,700
/// prompt tokens over 3 notes of at most 40 tokens, then the summary).
const MAX_PARTS: usize = 3;
/// Page text kept for a follow-up chat about the page.
const CHAT_CONTEXT_TOKENS: usize = 1536;

pub struct SummaryRequest {
    pub page: PageSnapshot,
    pub kind: SummaryKind,
    pub mode: SummaryMode,
    pub language: Option<String>,
    pub question: Option<String>,
}

/// What the summary reads: title, text and the language to write in.
pub struct Source {
    pub title: String,
    pub text: String,
    pub lang: Option<String>,
}

fn no_text(message: &str) -> LanternError {
    LanternError::new(ErrorCode::NoReadableText, message)
}

/// The text a summary reads, or why the page has none.
pub fn source(request: &SummaryRequest) -> Result<Source, LanternError> {
    let page = &request.page;
    match request.kind {
        SummaryKind::Page => {
            let article = content::extract(&page.html, Some(&page.url)).map_err(|_| {
                no_text(
                    "This page has no text Lantern can read: it may show only images or video, \
                     or be empty.",
                )
            })?;
            let title = if article.title.trim().is_empty() {
                page.title.clone()
            } else {
                article.title
            };
            Ok(Source {
                title,
                text: article.text,
                lang: article.lang,
            })
        }
        SummaryKind::Selection | SummaryKind::Explain => {
            if page.selection.trim().is_empty() {
                return Err(no_text(
                    "Nothing is selected on this page: select some text first.",
                ));
            }
            // The page's language still decides the output language when the user chose none.
            let lang = content::extract(&page.html, None).ok().and_then(|a| a.lang);
            Ok(Source {
                title: page.title.clone(),
                text: page.selection.clone(),
                lang,
            })
        }
    }
}

/// Greedy, so a summary of the same page reads the same; the repeat penalty keeps a small model
/// from copying the page back.
/// What the prompts say about the summary asked for: its kind and mode, the page's title, and
/// the language to write in (the one asked for, else the page's own).
pub fn job<'a>(request: &'a SummaryRequest, source: &'a Source) -> Job<'a> {
    let language = request
        .language
        .as_deref()
        .or(source.lang.as_deref())
        .and_then(summary::language_name)
        .unwrap_or("the language of the page");
    Job {
        kind: request.kind,
        mode: request.mode,
        title: &source.title,
        language,
        question: request.question.as_deref(),
    }
}

pub fn sampling(max_tokens: usize) -> Sampling {
    Sampling {
        temperature: 0.0,
        repeat_penalty: 1.15,
        max_tokens,
        ..Sampling::default()
    }
}

pub async fn summarize(
    session: &mut Session,
    request: &SummaryRequest,
    source: Source,
    stop: &Cell<bool>,
    id: Id,
    outbox: &Outbox,
) -> Result<SummaryReply, LanternError> {
    outbox.progress(
        id,
        Event::SummarySource {
            title: source.title.clone(),
            url: request.page.url.clone(),
            lang: source.lang.clone(),
        },
    );
    let job = job(request, &source);
    run(session, &job, &source, &request.page.url, stop, id, outbox).await
}

async fn run(
    session: &mut Session,
    job: &Job<'_>,
    source: &Source,
    url: &str,
    stop: &Cell<bool>,
    id: Id,
    outbox: &Outbox,
) -> Result<SummaryReply, LanternError> {
    let model = session.model();
    let count = |text: &str| {
        model
            .tokenizer
            .encode(text, false)
            .map_or(text.len() / 3, |ids| ids.len())
    };
    // What a prompt costs besides the page text: instructions, title, template, the reply.
    let overhead = count(
        &summary::final_prompt(job, "")
            .iter()
            .map(|m| m.content.as_str())
            .collect::<String>(),
    ) + 64;
    let reply_tokens = job.max_tokens().max(summary::MAP_MAX_TOKENS);
    let part_tokens = session
        .context_len()
        .saturating_sub(overhead + reply_tokens)
        .min(PART_TOKENS_CAP);
    let budget = Budget {
        part_tokens,
        max_parts: MAX_PARTS,
    };
    let parts = summary::split_into_parts(&source.text, budget, &count);
    let source_tokens = parts.iter().map(|p| count(p)).sum();
    let chat_text = summary::split_into_parts(
        &source.text,
        Budget {
            part_tokens: CHAT_CONTEXT_TOKENS,
            max_parts: 1,
        },
        &count,
    )
    .join("\n");
    let chat_context = summary::chat_context(&source.title, url, &chat_text);

    let final_messages: Vec<ChatMessage> = if parts.len() <= 1 {
        summary::final_prompt(job, parts.first().map_or("", String::as_str))
    } else {
        let mut notes = Vec::with_capacity(parts.len());
        for (i, part) in parts.iter().enumerate() {
            outbox.progress(
                id,
                Event::Step {
                    stage: Stage::ReadingPart,
                    done: Some(i as u64 + 1),
                    total: Some(parts.len() as u64),
                },
            );
            let messages = summary::map_prompt(job, i + 1, parts.len(), part);
            let note = chat::generate(
                session,
                messages,
                sampling(summary::MAP_MAX_TOKENS),
                stop,
                &mut |_| {},
            )
            .await?;
            if note.finish == Finish::Cancelled {
                return Ok(reply(note, source, url, &parts, 0, chat_context));
            }
            notes.push(note.text);
        }
        summary::reduce_prompt(job, &notes)
    };
    outbox.progress(
        id,
        Event::Step {
            stage: Stage::WritingSummary,
            done: None,
            total: None,
        },
    );
    let mut stream = |text: String| outbox.progress(id, Event::Token { text });
    let answer = chat::generate(
        session,
        final_messages,
        sampling(job.max_tokens()),
        stop,
        &mut stream,
    )
    .await?;
    Ok(reply(
        answer,
        source,
        url,
        &parts,
        source_tokens,
        chat_context,
    ))
}

pub fn reply(
    answer: ChatReply,
    source: &Source,
    url: &str,
    parts: &[String],
    source_tokens: usize,
    chat_context: String,
) -> SummaryReply {
    SummaryReply {
        text: answer.text,
        finish: answer.finish,
        prefill_tokens_per_s: answer.prefill_tokens_per_s,
        decode_tokens_per_s: answer.decode_tokens_per_s,
        title: source.title.clone(),
        url: url.to_string(),
        parts: parts.len(),
        source_tokens,
        chat_context,
        spoken: None,
    }
}
