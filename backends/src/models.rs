//! What a server says about its models: the `/v1/models` list (each model's context size where
//! the server puts it: llama.cpp's `meta.n_ctx`, vLLM's `max_model_len`) and llama.cpp's
//! `/props` (`default_generation_settings.n_ctx`) for a list that does not say.

use protocol::BackendModel;
use serde_json::Value;

use crate::error::BackendError;

/// More models than anyone serves; a list longer than this is cut (a hostile server must not
/// fill the picker, or the memory).
const MAX_MODELS: usize = 200;
/// Longest model id kept.
const MAX_ID_CHARS: usize = 200;

/// The models of a `/v1/models` body.
pub fn parse_models(body: &str) -> Result<Vec<BackendModel>, BackendError> {
    let json: Value = serde_json::from_str(body)
        .map_err(|e| BackendError::Dialect(format!("/v1/models did not answer with JSON ({e})")))?;
    let Some(data) = json.get("data").and_then(Value::as_array) else {
        return Err(BackendError::Dialect(
            "/v1/models has no \"data\" list of models".into(),
        ));
    };
    let mut models: Vec<BackendModel> = Vec::new();
    for entry in data.iter().take(MAX_MODELS) {
        let Some(id) = entry.get("id").and_then(Value::as_str) else {
            continue;
        };
        if id.is_empty() || id.chars().count() > MAX_ID_CHARS || models.iter().any(|m| m.id == id) {
            continue;
        }
        let context = ["/meta/n_ctx", "/max_model_len", "/context_length"]
            .iter()
            .find_map(|path| entry.pointer(path).and_then(as_context));
        models.push(BackendModel {
            id: id.to_string(),
            context,
        });
    }
    Ok(models)
}

/// The context size in a `/props` body, if it has one.
pub fn context_from_props(body: &str) -> Option<u32> {
    let json: Value = serde_json::from_str(body).ok()?;
    json.pointer("/default_generation_settings/n_ctx")
        .or_else(|| json.get("n_ctx"))
        .and_then(as_context)
}

/// A positive token count that fits a u32.
fn as_context(value: &Value) -> Option<u32> {
    value
        .as_u64()
        .filter(|&n| n > 0)
        .and_then(|n| u32::try_from(n).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn llama_cpp_says_its_context_in_the_list() {
        // Trimmed from xllamacpp 2026.10.11549's answer.
        let body = r#"{"models":[{"name":"/m/model.gguf","model":"/m/model.gguf"}],"object":"list",
            "data":[{"id":"/m/model.gguf","aliases":["/m/model.gguf"],"object":"model","owned_by":"llamacpp",
            "meta":{"vocab_type":2,"n_vocab":49152,"n_ctx":2048,"n_ctx_train":8192}}]}"#;
        assert_eq!(
            parse_models(body).unwrap(),
            [BackendModel {
                id: "/m/model.gguf".into(),
                context: Some(2048)
            }]
        );
    }

    #[test]
    fn other_servers_list_models_with_or_without_a_context() {
        let ollama = r#"{"object":"list","data":[{"id":"llama3.2:3b","object":"model","owned_by":"library"},
            {"id":"qwen2.5:7b","object":"model"}]}"#;
        let models = parse_models(ollama).unwrap();
        assert_eq!(models.len(), 2);
        assert!(models.iter().all(|m| m.context.is_none()));
        let vllm = r#"{"object":"list","data":[{"id":"Qwen/Qwen2.5-7B","max_model_len":32768}]}"#;
        assert_eq!(parse_models(vllm).unwrap()[0].context, Some(32768));
    }

    #[test]
    fn another_dialect_or_a_hostile_list_is_named_or_trimmed() {
        for body in [
            "<html>It works!</html>",
            r#"{"models":[{"name":"llama3"}]}"#,
            "[]",
            "",
        ] {
            let error = parse_models(body).unwrap_err();
            assert!(matches!(error, BackendError::Dialect(_)), "{body}: {error}");
        }
        let many: Vec<String> = (0..1000).map(|i| format!(r#"{{"id":"m{i}"}}"#)).collect();
        let body = format!(
            r#"{{"data":[{}, {{"id":""}}, {{"id":7}}]}}"#,
            many.join(",")
        );
        assert_eq!(parse_models(&body).unwrap().len(), MAX_MODELS);
        let odd = r#"{"data":[{"id":"a","meta":{"n_ctx":-1}},{"id":"a"},{"id":"b","max_model_len":1e30}]}"#;
        assert_eq!(
            parse_models(odd).unwrap(),
            [
                BackendModel {
                    id: "a".into(),
                    context: None
                },
                BackendModel {
                    id: "b".into(),
                    context: None
                }
            ]
        );
    }

    #[test]
    fn props_give_the_context_where_the_list_did_not() {
        assert_eq!(
            context_from_props(r#"{"default_generation_settings":{"n_ctx":4096},"total_slots":1}"#),
            Some(4096)
        );
        assert_eq!(context_from_props(r#"{"n_ctx":8192}"#), Some(8192));
        assert_eq!(context_from_props("not json"), None);
    }
}
