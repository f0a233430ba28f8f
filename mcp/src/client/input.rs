//! Answering what a server asks of the client: its requests on a 2025-11-25 stream, and the
//! `inputRequests` of a 2026-07-28 `input_required` result. Only elicitation reaches the user;
//! sampling and roots are refused (the model and the files are the user's).

use serde_json::{Map, Value, json};

use super::transport::Handler;
use crate::jsonrpc::RpcError;
use crate::schema::elicitation::{ElicitAction, ElicitRequest, apply_defaults};

pub async fn answer_server_request<H: Handler>(
    method: &str,
    params: Option<Value>,
    handler: &H,
) -> Result<Value, RpcError> {
    match method {
        "ping" => Ok(json!({})),
        "elicitation/create" => {
            let request: ElicitRequest = serde_json::from_value(params.unwrap_or(Value::Null))
                .map_err(|e| RpcError::new(RpcError::INVALID_PARAMS, e.to_string()))?;
            let schema = request.requested_schema.clone();
            let mut result = handler.elicit(request).await;
            if result.action == ElicitAction::Accept {
                result.content = Some(apply_defaults(&schema, result.content.take()));
            }
            serde_json::to_value(result)
                .map_err(|e| RpcError::new(RpcError::INTERNAL_ERROR, e.to_string()))
        }
        other => Err(RpcError::new(
            RpcError::METHOD_NOT_FOUND,
            format!("Lantern does not serve {other}"),
        )),
    }
}

/// The `inputResponses` for an `input_required` result: one answer per key, each what the
/// equivalent server request would have been answered with.
pub async fn input_responses<H: Handler>(requests: &Map<String, Value>, handler: &H) -> Value {
    let mut responses = Map::new();
    for (key, request) in requests {
        let method = request
            .get("method")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let answer = answer_server_request(method, request.get("params").cloned(), handler).await;
        let value = match answer {
            Ok(result) => result,
            Err(error) => json!({"error": error}),
        };
        responses.insert(key.clone(), value);
    }
    Value::Object(responses)
}
