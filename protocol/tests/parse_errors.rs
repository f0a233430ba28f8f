//! Malformed messages are rejected with the most specific error, and nothing else is rejected.

use protocol::*;
use serde_json::json;

fn code_of(value: serde_json::Value) -> (Option<Id>, ErrorCode) {
    let rejection = parse_envelope(&value).expect_err("must be rejected");
    (rejection.id, LanternError::from(rejection.error).code)
}

#[test]
fn not_an_object() {
    for value in [json!(null), json!(3), json!("ping"), json!([1, 2])] {
        assert_eq!(code_of(value), (None, ErrorCode::MalformedMessage));
    }
}

#[test]
fn missing_or_unusable_id() {
    let body = json!({"type": "ping"});
    for value in [
        json!({"target": "background", "body": body}),
        json!({"id": "7", "target": "background", "body": body}),
        json!({"id": -1, "target": "background", "body": body}),
        json!({"id": 1.5, "target": "background", "body": body}),
        json!({"id": 9007199254740993u64, "target": "background", "body": body}),
    ] {
        assert_eq!(code_of(value), (None, ErrorCode::MalformedMessage));
    }
}

#[test]
fn unknown_target() {
    let v = json!({"id": 1, "target": "kernel", "body": {"type": "ping"}});
    assert_eq!(code_of(v), (Some(1), ErrorCode::UnknownTarget));
    let v = json!({"id": 1, "body": {"type": "ping"}});
    assert_eq!(code_of(v), (Some(1), ErrorCode::UnknownTarget));
}

#[test]
fn unknown_type() {
    let v = json!({"id": 2, "target": "background", "body": {"type": "format_disk"}});
    assert_eq!(code_of(v), (Some(2), ErrorCode::UnknownType));
    let v = json!({"id": 2, "target": "background", "body": {}});
    assert_eq!(code_of(v), (Some(2), ErrorCode::UnknownType));
}

#[test]
fn missing_body_or_bad_fields() {
    let v = json!({"id": 3, "target": "content"});
    assert_eq!(code_of(v), (Some(3), ErrorCode::MalformedMessage));
    let v = json!({"id": 3, "target": "content", "body": {"type": "page_info", "tab_id": "x"}});
    let rejection = parse_envelope(&v).unwrap_err();
    let message = LanternError::from(rejection.error).message;
    assert!(message.contains("page_info"), "{message}");
}

#[test]
fn wrong_target_names_the_right_one() {
    let v = json!({"id": 4, "target": "background", "body": {"type": "engine_info"}});
    let rejection = parse_envelope(&v).unwrap_err();
    assert_eq!(rejection.id, Some(4));
    let error = LanternError::from(rejection.error);
    assert_eq!(error.code, ErrorCode::WrongTarget);
    assert!(error.message.contains("offscreen"), "{}", error.message);
}

#[test]
fn every_type_has_a_home_matching_its_variant() {
    for request in Request::examples() {
        let kind = RequestKind::by_name(request.type_name()).expect("a row per wire name");
        assert_eq!(kind, request.kind());
        assert_eq!(kind.home(), request.home());
        let value = serde_json::to_value(&request).unwrap();
        assert_eq!(value["type"], request.type_name());
    }
}

#[test]
fn the_table_has_one_row_per_variant() {
    let examples = Request::examples();
    let mut names: Vec<&str> = examples.iter().map(Request::type_name).collect();
    names.sort();
    names.dedup();
    let mut rows: Vec<&str> = RequestKind::all().iter().map(|k| k.name).collect();
    rows.sort();
    let count = rows.len();
    rows.dedup();
    assert_eq!(rows.len(), count, "two rows share a wire name");
    assert_eq!(
        rows, names,
        "a row no variant uses, or a variant without examples"
    );
}

#[test]
fn requests_for_a_worker_resolve_to_an_engine() {
    for request in Request::examples() {
        assert_ne!(request.server(), Server::TaskWorker, "{request:?}");
    }
    let load = |task| Request::LoadModel {
        model_id: "m".into(),
        task,
    };
    assert_eq!(load(Task::Llm).server(), Server::Worker(Engine::Llm));
    assert_eq!(load(Task::Vad).server(), Server::Worker(Engine::Stt));
    assert_eq!(load(Task::Embed).server(), Server::Worker(Engine::Embed));
    assert_eq!(load(Task::Vision).server(), Server::Worker(Engine::Vision));
    // Dictation is served by the speech worker, with audio from the document's microphone.
    let dictation = Request::StartDictation {
        model_id: "whisper-tiny.en".into(),
        language: None,
        microphone: None,
    };
    assert_eq!(dictation.server().engine(), Some(Engine::Stt));
    assert_eq!(Request::StopDictation.server().engine(), None);
}

#[test]
fn extra_fields_are_tolerated() {
    let v = json!({"id": 5, "target": "background", "body": {"type": "ping", "x": 1}, "y": 2});
    assert_eq!(parse_envelope(&v).unwrap().body, Request::Ping);
}
