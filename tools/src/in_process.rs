//! Calling a tool of a built-in server through the MCP client and the in-process transport:
//! the path the user's servers take, without a network. The answer is the text the model reads.

use mcp::client::NoHandler;
use mcp::schema::ClientInfo;
use mcp::server::{InProcess, Server};
use mcp::{Client, ClientConfig};
use serde_json::{Value, json};

/// Connects to `server` as the client connects to any, then calls `tool`: `Ok` with the
/// result's text, `Err` with the text of an `isError` result or of a failed exchange.
pub async fn call_tool<S: Server>(
    server: S,
    url: &str,
    tool: &str,
    arguments: Value,
) -> Result<String, String> {
    let config = ClientConfig {
        url: url.to_owned(),
        client_info: ClientInfo {
            name: "lantern".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        remembered: None,
        bearer: None,
        elicitation: false,
    };
    let client = Client::new(InProcess::new(server), config);
    let failed = |e: mcp::McpError| json!({"error": e.to_string()}).to_string();
    client.connect(&NoHandler).await.map_err(failed)?;
    let result = client
        .call_tool(tool, arguments, None, &NoHandler)
        .await
        .map_err(failed)?;
    let text = result.model_text();
    if result.is_error { Err(text) } else { Ok(text) }
}

#[cfg(test)]
mod tests {
    use std::future::Future;
    use std::pin::pin;
    use std::task::{Context, Poll, Waker};

    use super::*;
    use crate::calculator_server::{CALCULATOR_URL, CalculatorServer};

    /// Runs a future whose every await is ready at once (the calculator never waits).
    fn block_on<F: Future>(f: F) -> F::Output {
        let mut f = pin!(f);
        let mut cx = Context::from_waker(Waker::noop());
        loop {
            if let Poll::Ready(out) = f.as_mut().poll(&mut cx) {
                return out;
            }
        }
    }

    #[test]
    fn the_calculator_answers_through_the_client() {
        let call = |args: Value| {
            block_on(call_tool(
                CalculatorServer,
                CALCULATOR_URL,
                "calculator",
                args,
            ))
        };
        assert_eq!(
            call(json!({"expression": "4817 * 23"})),
            Ok(r#"{"result":110791}"#.into())
        );
        let err = call(json!({"expression": "1/0"})).unwrap_err();
        assert!(err.contains("division by zero"), "{err}");
        let err = call(json!({})).unwrap_err();
        assert!(err.contains("expression"), "{err}");
        let err = block_on(call_tool(
            CalculatorServer,
            CALCULATOR_URL,
            "shell",
            json!({}),
        ))
        .unwrap_err();
        assert!(err.contains("no tool named \\\"shell\\\""), "{err}");
    }

    #[test]
    fn the_calculator_lists_one_read_only_tool() {
        let tools = CalculatorServer.tools();
        assert_eq!(tools.len(), 1);
        assert_eq!(tools[0].input_schema["required"], json!(["expression"]));
        assert_eq!(tools[0].annotations.as_ref().unwrap()["readOnlyHint"], true);
    }
}
