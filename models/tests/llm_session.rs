//! The stepwise session on a committed random-weight model (always runs): streaming deltas,
//! KV-cache reuse across turns, history trimming, cancellation, stop strings.
// Native only: reads its committed model from disk (a browser has no files).
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::sync::Arc;

use models::ModelError;
use models::llm::{
    FinishReason, GenerateOptions, LlmModel, Message, SamplingParams, Session, Step, TextStream,
};

fn tiny() -> Arc<LlmModel> {
    Arc::new(LlmModel::from_path(&common::fixture("tiny-qwen2-f32.gguf"), None).expect("load"))
}

fn opts(max_tokens: usize) -> GenerateOptions {
    GenerateOptions {
        sampling: SamplingParams {
            temperature: 0.9,
            top_k: 40,
            top_p: 0.95,
            min_p: 0.05,
            seed: 3,
            ..SamplingParams::greedy()
        },
        max_tokens,
        ignore_eos: true,
        ..GenerateOptions::default()
    }
}

fn run(
    session: &mut Session,
    prompt: Vec<u32>,
    o: GenerateOptions,
) -> (Vec<u32>, Vec<String>, FinishReason) {
    session.start(prompt, o).expect("start");
    session.prefill().expect("prefill");
    let (mut tokens, mut deltas) = (Vec::new(), Vec::new());
    loop {
        let Step {
            token,
            delta,
            finished,
        } = session.next_token().expect("step");
        tokens.extend(token);
        deltas.push(delta);
        if let Some(f) = finished {
            return (tokens, deltas, f);
        }
    }
}

#[test]
fn deltas_concatenate_to_the_decoded_text() {
    let model = tiny();
    let mut session = Session::new(model.clone(), 128);
    let prompt = model.encode_prompt("the cat and the dog").expect("encode");
    let (tokens, deltas, finish) = run(&mut session, prompt, opts(40));
    assert_eq!(finish, FinishReason::Length);
    assert_eq!(tokens.len(), 40);
    assert_eq!(deltas.concat(), model.tokenizer.decode(&tokens));
}

#[test]
fn multibyte_output_never_splits_a_character() {
    // Forced tokens: the tiny vocabulary has one token per byte, so each emoji and CJK
    // character arrives as 3-4 tokens; the real SmolLM2 vocabulary splits some of them too.
    let model = tiny();
    let text = "Hi 😀 漢字 👨‍👩‍👧 🇫🇷 café ok";
    let ids = model.tokenizer.encode(text, false).expect("encode");
    assert!(
        ids.len() > text.chars().count(),
        "characters are split across tokens"
    );
    let mut stream = TextStream::new(vec![], false);
    let mut deltas: Vec<String> = ids
        .iter()
        .map(|&t| stream.push(model.tokenizer.token_bytes(t)))
        .collect();
    deltas.push(stream.finish());
    assert!(deltas.iter().all(|d| !d.contains('\u{FFFD}')), "{deltas:?}");
    assert!(
        deltas.iter().any(String::is_empty),
        "incomplete characters were held back"
    );
    assert_eq!(deltas.concat(), text);

    if let Some(path) = common::real_model(
        common::SMOLLM2,
        "multibyte_output_never_splits_a_character (SmolLM2 part)",
    ) {
        let real = LlmModel::from_path(&path, None).expect("load");
        let ids = real.tokenizer.encode(text, false).expect("encode");
        let mut stream = TextStream::new(vec![], false);
        let mut deltas: Vec<String> = ids
            .iter()
            .map(|&t| stream.push(real.tokenizer.token_bytes(t)))
            .collect();
        deltas.push(stream.finish());
        assert!(deltas.iter().all(|d| !d.contains('\u{FFFD}')), "{deltas:?}");
        assert_eq!(deltas.concat(), text);
    }
}

#[test]
fn the_next_turn_reuses_the_cache_and_matches_a_fresh_run() {
    let model = tiny();
    let greedy = GenerateOptions {
        sampling: SamplingParams::greedy(),
        ..opts(8)
    };
    let mut session = Session::new(model.clone(), 200);
    let first = model
        .encode_prompt("the end and the start")
        .expect("encode");
    let (reply, _, _) = run(&mut session, first.clone(), greedy.clone());
    let mut second = first.clone();
    second.extend(&reply);
    second.extend(model.encode_prompt(" and then").expect("encode"));
    session
        .start(second.clone(), greedy.clone())
        .expect("start");
    let progress = session.prefill().expect("prefill");
    // The reply's last token was sampled but never evaluated: all else is reused.
    assert_eq!(progress.reused, first.len() + reply.len() - 1);
    let mut cont = Vec::new();
    loop {
        let step = session.next_token().expect("step");
        cont.extend(step.token);
        if step.finished.is_some() {
            break;
        }
    }
    let mut fresh = Session::new(model, 200);
    let (fresh_cont, _, _) = run(&mut fresh, second, greedy);
    assert_eq!(cont, fresh_cont);
}

#[test]
fn edited_history_truncates_the_cache() {
    let model = tiny();
    let mut session = Session::new(model.clone(), 200);
    let a = model
        .encode_prompt("the cat is on the mat")
        .expect("encode");
    run(&mut session, a.clone(), opts(4));
    let b = model.encode_prompt("the cat is not here").expect("encode");
    let shared = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    session.start(b.clone(), opts(4)).expect("start");
    let p = session.prefill().expect("prefill");
    assert_eq!(p.reused, shared);
    assert_eq!(session.cached_tokens(), &b[..]);
}

#[test]
fn history_is_trimmed_keeping_the_system_prompt() {
    let model = tiny();
    let session = Session::new(model, 160);
    let mut msgs = vec![Message::system("sys")];
    for i in 0..12 {
        msgs.push(Message::user(format!("question {i} about the thing")));
        msgs.push(Message::assistant(format!("answer {i} is in the text")));
    }
    msgs.push(Message::user("last one"));
    let ids = session
        .chat_prompt(&msgs, &[], 16)
        .expect("fits after trimming");
    assert!(ids.len() + 16 <= 160);
    // Decoded without the control tokens (<|im_start|>, <|im_end|>): roles and contents remain.
    let text = session.model().tokenizer.decode(&ids);
    assert!(text.starts_with("system\nsys\n"), "{text:?}");
    assert!(text.ends_with("user\nlast one\nassistant\n"), "{text:?}");
    assert!(!text.contains("question 0 "));
    // What is left after the system prompt starts at a user turn.
    assert!(
        text["system\nsys\n".len()..].starts_with("user\nquestion"),
        "{text:?}"
    );
}

#[test]
fn one_message_too_long_is_a_typed_error() {
    let model = tiny();
    let session = Session::new(model, 64);
    let msgs = vec![Message::system("sys"), Message::user("word ".repeat(200))];
    match session.chat_prompt(&msgs, &[], 8) {
        Err(ModelError::MessageTooLong { index, context, .. }) => {
            assert_eq!(index, 1);
            assert_eq!(context, 64);
        }
        other => panic!("expected MessageTooLong, got {other:?}"),
    }
}

#[test]
fn cancel_stops_and_the_session_goes_on() {
    let model = tiny();
    let mut session = Session::new(model.clone(), 128);
    let prompt = model.encode_prompt("the start").expect("encode");
    session.start(prompt.clone(), opts(50)).expect("start");
    session.prefill().expect("prefill");
    for _ in 0..3 {
        assert!(session.next_token().expect("step").finished.is_none());
    }
    let step = session.cancel();
    assert_eq!(step.finished, Some(FinishReason::Cancelled));
    assert!(session.next_token().is_err(), "no reply is in progress");
    assert_eq!(session.cached_tokens().len(), prompt.len() + 3);
    let (tokens, _, _) = run(&mut session, prompt, opts(5));
    assert_eq!(tokens.len(), 5);
}

#[test]
fn stop_strings_end_the_reply() {
    let model = tiny();
    let mut session = Session::new(model.clone(), 128);
    let prompt = model.encode_prompt("the").expect("encode");
    let (tokens, deltas, _) = run(&mut session, prompt.clone(), opts(30));
    let text = deltas.concat();
    // Stop on a piece of what this seed produces anyway, and expect the text cut before it.
    let stop: String = text.chars().skip(5).take(3).collect();
    assert!(!stop.is_empty() && tokens.len() == 30);
    let cut = text.find(&stop).expect("stop occurs");
    let mut session = Session::new(model, 128);
    let o = GenerateOptions {
        stop: vec![stop],
        ..opts(30)
    };
    let (_, deltas, finish) = run(&mut session, prompt, o);
    assert_eq!(finish, FinishReason::Stop);
    assert_eq!(deltas.concat(), text[..cut]);
}
