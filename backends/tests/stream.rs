//! The streamed answer against what servers really send (trimmed from xllamacpp 2026.10.11549,
//! llama.cpp's server) and against what a broken or hostile one might: cut anywhere, cut short,
//! another dialect, garbage.

use backends::{BackendError, CompletionStream};
use protocol::ErrorCode;

/// llama.cpp's stream for "Hi" (SmolLM2), with usage and timings in its last chunk.
const LLAMA: &str = concat!(
    "data: {\"choices\":[{\"finish_reason\":null,\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":null}}],\"object\":\"chat.completion.chunk\"}\n\n",
    "data: {\"choices\":[{\"finish_reason\":null,\"index\":0,\"delta\":{\"content\":\"I\"}}],\"object\":\"chat.completion.chunk\"}\n\n",
    "data: {\"choices\":[{\"finish_reason\":null,\"index\":0,\"delta\":{\"content\":\"'m glad\"}}],\"object\":\"chat.completion.chunk\"}\n\n",
    "data: {\"choices\":[{\"finish_reason\":\"stop\",\"index\":0,\"delta\":{}}],\"object\":\"chat.completion.chunk\"}\n\n",
    "data: {\"choices\":[],\"usage\":{\"completion_tokens\":3,\"prompt_tokens\":31,\"total_tokens\":34},\"timings\":{\"prompt_per_second\":812.5,\"predicted_per_second\":96.1},\"object\":\"chat.completion.chunk\"}\n\n",
    "data: [DONE]\n\n",
);

/// Qwen2.5 through `--jinja`: a Hermes call comes back as `tool_calls` deltas.
const TOOL_CALL: &str = concat!(
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":null}}]}\n\n",
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"abc\",\"type\":\"function\",\"function\":{\"name\":\"calculator\",\"arguments\":\"{\\\"expr\"}}]}}]}\n\n",
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"ession\\\": \\\"4817*23\\\"}\"}}]}}]}\n\n",
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":1,\"id\":\"def\",\"function\":{\"name\":\"get-sum\",\"arguments\":\"{}\"}}]}}]}\n\n",
    "data: {\"choices\":[{\"finish_reason\":\"tool_calls\",\"index\":0,\"delta\":{}}]}\n\n",
    "data: [DONE]\n\n",
);

fn feed(stream: &mut CompletionStream, bytes: &[u8], step: usize) -> Result<String, BackendError> {
    let mut text = String::new();
    for chunk in bytes.chunks(step.max(1)) {
        text.extend(stream.push(chunk)?);
    }
    Ok(text)
}

#[test]
fn an_answer_streams_in_pieces_and_ends_with_usage() {
    // Every cut of the bytes, even inside a UTF-8 sequence or a `data:` field, gives the same.
    for step in [1, 2, 3, 7, 64, LLAMA.len()] {
        let mut stream = CompletionStream::new();
        let streamed = feed(&mut stream, LLAMA.as_bytes(), step).unwrap();
        assert_eq!(streamed, "I'm glad");
        let done = stream.finish().unwrap();
        assert_eq!(done.text, "I'm glad");
        assert_eq!(done.finish_reason.as_deref(), Some("stop"));
        let usage = done.usage.unwrap();
        assert_eq!((usage.prompt_tokens, usage.completion_tokens), (31, 3));
        assert_eq!(usage.predicted_per_second, Some(96.1));
    }
}

#[test]
fn tool_calls_are_assembled_from_their_deltas() {
    for step in [1, 5, TOOL_CALL.len()] {
        let mut stream = CompletionStream::new();
        assert_eq!(feed(&mut stream, TOOL_CALL.as_bytes(), step).unwrap(), "");
        let done = stream.finish().unwrap();
        assert_eq!(done.finish_reason.as_deref(), Some("tool_calls"));
        assert_eq!(done.calls.len(), 2);
        assert_eq!(done.calls[0].id, "abc");
        assert_eq!(done.calls[0].name, "calculator");
        assert_eq!(done.calls[0].arguments, r#"{"expression": "4817*23"}"#);
        assert_eq!(done.calls[1].name, "get-sum");
    }
}

#[test]
fn a_stream_cut_anywhere_keeps_the_text_and_says_so() {
    let cut_at = LLAMA.find("\"stop\"").unwrap();
    for end in [10, 150, 250, cut_at] {
        let mut stream = CompletionStream::new();
        let streamed = feed(&mut stream, &LLAMA.as_bytes()[..end], 3).unwrap();
        match stream.finish() {
            Err(BackendError::Cut { partial, .. }) => assert_eq!(partial, streamed),
            other => panic!("cut at {end}: {other:?}"),
        }
    }
    // The connection failing while reading is the same failure, with the same text.
    let mut stream = CompletionStream::new();
    feed(&mut stream, &LLAMA.as_bytes()[..cut_at], 9).unwrap();
    let error = stream.cut("network error");
    assert_eq!(error.code(), ErrorCode::BackendStreamCut);
    assert!(matches!(error, BackendError::Cut { partial, .. } if partial == "I'm glad"));
}

#[test]
fn a_finish_reason_without_done_is_a_whole_answer() {
    let end = LLAMA.find("data: [DONE]").unwrap();
    let mut stream = CompletionStream::new();
    feed(&mut stream, &LLAMA.as_bytes()[..end], 11).unwrap();
    assert_eq!(stream.finish().unwrap().text, "I'm glad");
}

#[test]
fn an_error_event_in_the_stream_is_named() {
    let body = concat!(
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Once\"}}]}\n\n",
        "data: {\"error\":{\"code\":500,\"message\":\"slot failed\",\"type\":\"server_error\"}}\n\n",
    );
    let mut stream = CompletionStream::new();
    match feed(&mut stream, body.as_bytes(), 4) {
        Err(BackendError::Cut { partial, reason }) => {
            assert_eq!(partial, "Once");
            assert!(reason.contains("slot failed"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    let full = "data: {\"error\":{\"type\":\"exceed_context_size_error\",\"message\":\"the request exceeds the available context size\"}}\n\n";
    let error = CompletionStream::new().push(full.as_bytes()).unwrap_err();
    assert_eq!(error.code(), ErrorCode::BackendContextTooLong);
}

#[test]
fn another_dialect_is_named_not_streamed() {
    // Ollama's own /api/chat answers lines of JSON; a web server answers HTML; both at /v1 by
    // mistake (a proxy, the wrong port).
    for body in [
        "{\"model\":\"llama3\",\"message\":{\"role\":\"assistant\",\"content\":\"Hi\"},\"done\":false}\n",
        "<!doctype html><html><body>It works!</body></html>",
        "{\"id\":\"x\",\"object\":\"chat.completion\",\"choices\":[{\"message\":{\"content\":\"not streamed\"}}]}",
    ] {
        let mut stream = CompletionStream::new();
        let fed = feed(&mut stream, body.as_bytes(), 8);
        let error = match fed {
            Err(error) => error,
            Ok(_) => stream.finish().unwrap_err(),
        };
        assert_eq!(error.code(), ErrorCode::BackendDialect, "{body}: {error}");
    }
    // Events, but not chat completion chunks.
    let mut stream = CompletionStream::new();
    let error = stream.push(b"data: {\"message\":\"hi\"}\n\n").unwrap_err();
    assert_eq!(error.code(), ErrorCode::BackendDialect);
    let error = CompletionStream::new()
        .push(b"data: not json\n\n")
        .unwrap_err();
    assert_eq!(error.code(), ErrorCode::BackendDialect);
}

#[test]
fn hostile_streams_are_bounded() {
    // Megabytes without a line end: not an event stream, refused before memory runs out.
    let mut stream = CompletionStream::new();
    let junk = vec![b'x'; 64 * 1024];
    let mut failed = None;
    for _ in 0..64 {
        if let Err(error) = stream.push(&junk) {
            failed = Some(error);
            break;
        }
    }
    assert_eq!(failed.map(|e| e.code()), Some(ErrorCode::BackendDialect));
    // Calls at absurd indexes are dropped, comments and other fields ignored, events after
    // [DONE] not read.
    let body = concat!(
        ": keep-alive\n\n",
        "event: ping\ndata: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":4000000000,\"function\":{\"name\":\"x\"}}]}}]}\n\n",
        "data: {\"choices\":[{\"delta\":{\"content\":\"ok\",\"reasoning_content\":\"hm\"}}],\"extra\":[1,2]}\n\n",
        "data: [DONE]\n\n",
        "data: {\"choices\":[{\"delta\":{\"content\":\" ignored\"}}]}\n\n",
    );
    let mut stream = CompletionStream::new();
    assert_eq!(feed(&mut stream, body.as_bytes(), 13).unwrap(), "ok");
    let done = stream.finish().unwrap();
    assert_eq!(done.text, "ok");
    assert!(done.calls.is_empty());
}

#[test]
fn an_empty_body_is_a_cut_answer() {
    // The server died after its headers.
    let error = CompletionStream::new().finish().unwrap_err();
    assert_eq!(error.code(), ErrorCode::BackendStreamCut);
}
