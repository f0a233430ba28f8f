//! Every message survives the JSON form `chrome.runtime` messaging delivers.

use protocol::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::fmt::Debug;

fn through_json<T: Serialize + DeserializeOwned + PartialEq + Debug>(value: &T) {
    let text = serde_json::to_string(value).expect("serialises");
    let back: T = serde_json::from_str(&text).expect("parses back");
    assert_eq!(&back, value, "round trip changed {text}");
}

fn worker_info(models: Vec<HeldModel>) -> WorkerInfo {
    WorkerInfo {
        context: ContextInfo {
            cross_origin_isolated: true,
            hardware_concurrency: 2,
        },
        simd128_compiled: true,
        simd128_supported: true,
        wasm_memory_bytes: 1_114_112,
        heap_bytes: 524_288,
        models,
        engine_version: VERSION.into(),
        threads: WorkerThreads {
            count: 2,
            why: ThreadCount::AllCores,
        },
    }
}

fn engine_info() -> EngineInfo {
    EngineInfo {
        offscreen: ContextInfo {
            cross_origin_isolated: true,
            hardware_concurrency: 2,
        },
        worker: worker_info(Vec::new()),
        workers: vec![WorkerStatus {
            engine: Engine::Llm,
            info: worker_info(vec![HeldModel {
                model_id: "smollm2-135m-instruct-q4_1".into(),
                bytes: 98_400_000,
            }]),
        }],
        thread_limit: None,
    }
}

#[test]
fn a_worker_status_reads_flat_with_its_engine() {
    let value = serde_json::to_value(engine_info()).unwrap();
    let worker = &value["workers"][0];
    assert_eq!(worker["engine"], "llm");
    assert_eq!(worker["heap_bytes"], 524_288);
    assert_eq!(worker["threads"]["count"], 2);
    assert_eq!(worker["threads"]["why"]["kind"], "all_cores");
    assert_eq!(
        worker["models"][0]["model_id"],
        "smollm2-135m-instruct-q4_1"
    );
}

#[test]
fn wire_enums_keep_their_names() {
    let value = serde_json::to_value(Finish::ContextFull).unwrap();
    assert_eq!(value, "context_full");
    let step = Event::Step {
        stage: Stage::ReadingPart,
        done: Some(1),
        total: Some(3),
    };
    let value = serde_json::to_value(step).unwrap();
    assert_eq!(value["stage"], "reading_part");
}

#[test]
fn every_request_round_trips_and_parses_as_sent() {
    for (i, request) in Request::examples().into_iter().enumerate() {
        let envelope = Envelope::new(i as u64, request);
        through_json(&envelope);
        let value = serde_json::to_value(&envelope).unwrap();
        assert_eq!(parse_envelope(&value), Ok(envelope.clone()));
        assert_eq!(value["body"]["type"], envelope.body.type_name());
    }
}

#[test]
fn every_reply_round_trips() {
    let replies = vec![
        Reply::Return {
            id: 1,
            value: Response::Pong(Pong {
                version: VERSION.into(),
                offscreen_open: false,
            }),
        },
        Reply::Return {
            id: 2,
            value: Response::EngineInfo(engine_info()),
        },
        Reply::Return {
            id: 3,
            value: Response::PageInfo(PageInfo {
                tab_id: 4,
                title: "Ünïcödé 标题 🚀".into(),
                url: "https://example.org/a?b=c#d".into(),
                selection: String::new(),
            }),
        },
        Reply::Throw {
            id: None,
            error: LanternError::new(ErrorCode::MalformedMessage, "no id"),
        },
        Reply::Throw {
            id: Some(5),
            error: LanternError::new(ErrorCode::WorkerCrashed, "worker died"),
        },
        Reply::Progress {
            id: 6,
            event: Event::Step {
                stage: Stage::LoadingModel,
                done: Some(1),
                total: Some(3),
            },
        },
        Reply::Progress {
            id: 7,
            event: Event::Step {
                stage: Stage::LoadingModel,
                done: None,
                total: None,
            },
        },
        Reply::Heartbeat { id: 8 },
        Reply::Progress {
            id: 9,
            event: Event::Download {
                model_id: "m".into(),
                file: "model.gguf".into(),
                bytes: 10,
                total: Some(100),
                bytes_per_s: 1.5e6,
            },
        },
        Reply::Return {
            id: 10,
            value: Response::Models(ModelList {
                catalog_url: Some("http://127.0.0.1:1/catalog.json".into()),
                catalog_warning: None,
                models: Catalog::builtin()
                    .models
                    .into_iter()
                    .zip([
                        ModelState::Available,
                        ModelState::Downloading {
                            bytes: 1,
                            total: Some(2),
                        },
                        ModelState::Partial {
                            bytes: 1,
                            total: None,
                        },
                        ModelState::Installed {
                            bytes: 5,
                            update_available: true,
                        },
                    ])
                    .map(|(entry, state)| ModelStatus { entry, state })
                    .collect(),
                storage_usage: 1,
                storage_quota: 2,
            }),
        },
        Reply::Return {
            id: 11,
            value: Response::ModelLoaded(ModelLoaded {
                model_id: "m".into(),
                bytes: 3,
                summary: "gguf llama".into(),
            }),
        },
        Reply::Return {
            id: 12,
            value: Response::Done,
        },
        Reply::Progress {
            id: 13,
            event: Event::ToolCall {
                name: "calculator".into(),
                arguments: r#"{"expression":"4817*23"}"#.into(),
            },
        },
        Reply::Progress {
            id: 13,
            event: Event::ToolResult {
                name: "calculator".into(),
                content: r#"{"result":110791}"#.into(),
                ok: true,
            },
        },
        Reply::Progress {
            id: 13,
            event: Event::ToolResult {
                name: String::new(),
                content: "could not read the tool call: not valid JSON".into(),
                ok: false,
            },
        },
    ];
    for reply in &replies {
        through_json(reply);
    }
}

#[test]
fn worker_info_is_flat_on_the_wire() {
    let value = serde_json::to_value(engine_info()).unwrap();
    assert_eq!(value["worker"]["cross_origin_isolated"], true);
    assert_eq!(value["worker"]["simd128_compiled"], true);
}

#[test]
fn every_error_code_round_trips() {
    use ErrorCode::*;
    for code in [
        MalformedMessage,
        UnknownType,
        UnknownTarget,
        WrongTarget,
        Forbidden,
        OffscreenUnavailable,
        WorkerCrashed,
        EngineStopped,
        Disconnected,
        NoPageAccess,
        Cancelled,
        Internal,
        Offline,
        ServerError,
        HashMismatch,
        QuotaExceeded,
        ModelTooLarge,
        UnsupportedFormat,
        UnknownModel,
        NotInstalled,
        StorageFailed,
        MessageTooLong,
        NoReadableText,
        MicrophoneDenied,
        MicrophonePermissionNeeded,
        MicrophoneNotFound,
        Busy,
    ] {
        through_json(&LanternError::new(code, "x"));
    }
}

#[test]
fn engine_handoff_round_trips_and_names_its_port() {
    let handoff = EngineHandoff {
        token: 42,
        key: 9,
        envelope: Envelope::new(7, Request::EngineInfo),
    };
    through_json(&handoff);
    assert_eq!(
        serde_json::to_value(&handoff).unwrap()["type"],
        "engine_handoff"
    );
    assert_eq!(EngineHandoff::token_of(&handoff.port_name()), Some(42));
    assert_eq!(EngineHandoff::token_of("lantern-ui"), None);
    assert_eq!(EngineHandoff::token_of("lantern-engine:x"), None);
}

#[test]
fn a_stop_on_the_reply_port_and_a_place_in_the_queue_have_their_wire_shapes() {
    let stop = serde_json::to_value(HandoffSignal::Stop).unwrap();
    assert_eq!(stop, serde_json::json!({"type": "stop"}));
    through_json(&HandoffSignal::Stop);
    let queued = Reply::Progress {
        id: 3,
        event: Event::Queued { ahead: 2 },
    };
    through_json(&queued);
    assert_eq!(
        serde_json::to_value(&queued).unwrap()["event"],
        serde_json::json!({"type": "queued", "ahead": 2})
    );
    // A stop names the request it stops.
    let stop_chat = serde_json::json!({"id": 8, "target": "background", "body": {"type": "stop_chat", "id": 5}});
    let envelope = protocol::parse_envelope(&stop_chat).unwrap();
    assert_eq!(envelope.body, Request::StopChat { id: 5 });
}

#[test]
fn dictation_events_and_result_round_trip_in_order() {
    let replies = vec![
        Reply::Progress {
            id: 1,
            event: Event::Listening {
                vad: "silero".into(),
            },
        },
        Reply::Progress {
            id: 1,
            event: Event::SpeechStarted,
        },
        Reply::Progress {
            id: 1,
            event: Event::SpeechEnded { seconds: 2.56 },
        },
        Reply::Progress {
            id: 1,
            event: Event::Transcript {
                text: " The quick".into(),
                partial: true,
            },
        },
        Reply::Progress {
            id: 1,
            event: Event::Transcript {
                text: "The quick brown fox, 12 eggs.".into(),
                partial: false,
            },
        },
        Reply::Return {
            id: 1,
            value: Response::Dictation(Dictation {
                text: "The quick brown fox, 12 eggs.".into(),
                language: "en".into(),
                vad: "energy".into(),
                speech_seconds: 2.56,
                transcribe_ms: 812.5,
                real_time_factor: 0.317,
            }),
        },
        Reply::Throw {
            id: Some(2),
            error: LanternError::new(ErrorCode::MicrophoneDenied, "blocked"),
        },
    ];
    for reply in &replies {
        through_json(reply);
    }
    let wire = serde_json::to_value(&replies[4]).unwrap();
    assert_eq!(wire["event"]["type"], "transcript");
    assert_eq!(wire["event"]["partial"], false);
    let wire = serde_json::to_value(&replies[6]).unwrap();
    assert_eq!(wire["error"]["code"], "microphone_denied");
}

#[test]
fn dictation_requests_go_to_the_engine_and_only_stop_is_repeatable() {
    let start = Request::StartDictation {
        model_id: "whisper-tiny.en".into(),
        language: None,
        microphone: None,
    };
    assert_eq!(start.home(), Target::Offscreen);
    assert_eq!(Request::StopDictation.home(), Target::Offscreen);
    assert!(
        !start.is_idempotent(),
        "resending would open the microphone twice"
    );
    assert!(Request::StopDictation.is_idempotent());
    let value = serde_json::json!({
        "id": 3, "target": "offscreen", "body": {"type": "start_dictation", "model_id": "whisper-base"}
    });
    assert_eq!(
        parse_envelope(&value).map(|e| e.body),
        Ok(Request::StartDictation {
            model_id: "whisper-base".into(),
            language: None,
            microphone: None,
        })
    );
    let missing =
        serde_json::json!({"id": 4, "target": "offscreen", "body": {"type": "start_dictation"}});
    assert!(parse_envelope(&missing).is_err());
}

#[test]
fn chat_tools_are_opt_in_and_named_on_the_wire() {
    let bare: Request = serde_json::from_value(serde_json::json!({
        "type": "chat", "model_id": "m", "messages": []
    }))
    .unwrap();
    let Request::Chat {
        tools,
        fresh_context,
        sampling,
        ..
    } = &bare
    else {
        panic!("not a chat: {bare:?}");
    };
    assert!(tools.is_empty(), "no tools unless asked for");
    assert!(!fresh_context && !sampling.ignore_eos);
    let with_tools: Request = serde_json::from_value(serde_json::json!({
        "type": "chat", "model_id": "m", "messages": [], "tools": ["calculator"]
    }))
    .unwrap();
    assert!(
        matches!(&with_tools, Request::Chat { tools, .. } if tools == &[BuiltinTool::Calculator])
    );
    assert!(
        serde_json::from_value::<Request>(serde_json::json!({
            "type": "chat", "model_id": "m", "messages": [], "tools": ["shell"]
        }))
        .is_err(),
        "an unknown tool is refused"
    );
    assert_eq!(BuiltinTool::Calculator.name(), "calculator");
}

#[test]
fn a_voice_press_round_trips_and_a_missing_tab_stays_absent() {
    let press = VoicePress {
        window_id: 7,
        tab_id: Some(3),
        pressed_ms: 1_765_000_000_123.0,
    };
    through_json(&press);
    let bare = VoicePress {
        tab_id: None,
        ..press
    };
    let json = serde_json::to_value(&bare).unwrap();
    assert!(json.get("tab_id").is_none(), "{json}");
    through_json(&bare);
}

#[test]
fn a_spoken_answer_names_its_voice_and_older_messages_still_parse() {
    let chat: Request = serde_json::from_value(serde_json::json!({
        "type": "chat",
        "model_id": "m",
        "messages": [],
        "speak": {"model_id": "kokoro-82m-v1.0-int8:af_heart", "rate": 1.5}
    }))
    .expect("a chat asking for speech parses");
    let Request::Chat { speak, .. } = &chat else {
        panic!("not a chat: {chat:?}")
    };
    assert_eq!(
        speak.as_ref(),
        Some(&SpeechStyle {
            model_id: "kokoro-82m-v1.0-int8:af_heart".into(),
            rate: Some(1.5),
            volume: None,
        })
    );
    // Without speech the wire shape is unchanged: no `speak`, no `spoken`.
    let silent: Request = serde_json::from_value(
        serde_json::json!({"type": "chat", "model_id": "m", "messages": []}),
    )
    .expect("a chat without speak parses");
    let json = serde_json::to_value(&silent).expect("serialises");
    assert!(json.get("speak").is_none(), "{json}");
    let reply = ChatReply {
        text: "Hi. Bye.".into(),
        finish: Finish::Eos,
        prompt_tokens: 3,
        reused_tokens: 0,
        generated_tokens: 4,
        prefill_tokens_per_s: 10.0,
        decode_tokens_per_s: 5.0,
        profile: None,
        pending_calls: Vec::new(),
        spoken: None,
    };
    assert!(
        serde_json::to_value(&reply)
            .expect("serialises")
            .get("spoken")
            .is_none()
    );
    let spoken = ChatReply {
        spoken: Some(Spoken {
            sentences: 2,
            started: 2,
            scheduled_seconds: 1.5,
            played_seconds: 1.5,
            rms: 0.1,
            synthesis_seconds: 0.4,
            stopped: false,
        }),
        ..reply
    };
    through_json(&spoken);
    for request in [
        Request::PauseSpeaking,
        Request::ResumeSpeaking,
        Request::StopSpeaking,
    ] {
        assert_eq!(request.home(), Target::Offscreen);
        assert_eq!(request.server(), Server::Document, "{request:?}");
        assert!(request.is_idempotent());
    }
}
