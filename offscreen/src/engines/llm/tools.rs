//! The tools a chat request may offer the model (built into Lantern, opt-in per request), and
//! running the calls the model makes to them: through the MCP client to the built-in server
//! over the in-process transport. Every failure is text for the model, never an error.

use models::llm::{Message, ParsedReply, ToolCall};
use protocol::{BuiltinTool, ExternalTool, PendingCall};
use serde_json::{Value, json};
use tools::calculator::calculator_tool;
use tools::calculator_server::{CALCULATOR_URL, CalculatorServer};
use tools::in_process;

/// How many times one reply may go model -> tools -> model before the last text stands.
pub const MAX_ROUNDS: usize = 4;

/// The tools' JSON Schemas, as the chat template renders them.
pub fn schemas(tools: &[BuiltinTool]) -> Vec<Value> {
    tools
        .iter()
        .map(|tool| match tool {
            BuiltinTool::Calculator => calculator_tool(),
        })
        .collect()
}

/// An external tool's schema as the chat template renders it (the same shape as the
/// calculator's).
pub fn external_schema(tool: &ExternalTool) -> Value {
    json!({
        "type": "function",
        "function": {
            "name": tool.name,
            "description": tool.description,
            "parameters": tool.input_schema,
        }
    })
}

/// The calls of a reply to external tools, which the worker hands back instead of running:
/// only the user may let one reach its server.
pub fn pending(external: &[ExternalTool], reply: &ParsedReply) -> Vec<PendingCall> {
    reply
        .calls
        .iter()
        .filter(|call| external.iter().any(|tool| tool.name == call.name))
        .map(|call| PendingCall {
            name: call.name.clone(),
            arguments: call.arguments.clone(),
        })
        .collect()
}

/// Runs one call among the offered `tools`: `Ok` with the result or `Err` with an error, both as
/// the JSON text the model reads next.
pub async fn run(tools: &[BuiltinTool], call: &ToolCall) -> Result<String, String> {
    match tools.iter().find(|tool| tool.name() == call.name) {
        Some(BuiltinTool::Calculator) => {
            in_process::call_tool(
                CalculatorServer,
                CALCULATOR_URL,
                &call.name,
                call.arguments.clone(),
            )
            .await
        }
        None => {
            let offered: Vec<&str> = tools.iter().map(|tool| tool.name()).collect();
            Err(json!({
                "error": format!("there is no tool named {:?}", call.name),
                "tools": offered,
            })
            .to_string())
        }
    }
}

/// One call the model made (or tried to make) and what goes back to it.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// Empty when the call could not be read.
    pub name: String,
    /// The arguments as JSON text, or what the model wrote when the call could not be read.
    pub arguments: String,
    pub content: String,
    pub ok: bool,
    /// The tool message for the model.
    pub message: Message,
}

/// Runs every call of a reply, in order, then turns each unreadable call into an error the model
/// can correct. Never fails: a bad call is an outcome with `ok: false`.
pub async fn respond(tools: &[BuiltinTool], reply: &ParsedReply) -> Vec<Outcome> {
    let mut outcomes = Vec::new();
    for call in &reply.calls {
        let (ok, content) = match run(tools, call).await {
            Ok(content) => (true, content),
            Err(content) => (false, content),
        };
        outcomes.push(Outcome {
            name: call.name.clone(),
            arguments: call.arguments.to_string(),
            message: Message::tool(&call.name, content.clone()),
            content,
            ok,
        });
    }
    for error in &reply.errors {
        let message = error.to_message();
        outcomes.push(Outcome {
            name: String::new(),
            arguments: error.raw.clone(),
            content: message.content.clone(),
            ok: false,
            message,
        });
    }
    outcomes
}

/// Whether the reply's calls were all answered before, or only restate a result the model was
/// given (`calculator("110791")` after `{"result":110791}`): small models answer a tool result
/// that way, and running the call again would tell them nothing new.
pub fn only_repeats(reply: &ParsedReply, answered: &[Outcome]) -> bool {
    // Text that merely quotes an earlier result or tool message is an echo, not a call to fix.
    let echoes = |raw: &str| {
        !raw.trim().is_empty()
            && answered.iter().any(|done| {
                raw.contains(done.content.as_str()) || done.content.contains(raw.trim())
            })
    };
    reply.has_calls()
        && reply.errors.iter().all(|error| echoes(&error.raw))
        && reply.calls.iter().all(|call| {
            let arguments = call.arguments.to_string();
            let given = leaves(&call.arguments);
            answered.iter().any(|done| {
                let results = serde_json::from_str::<Value>(&done.content)
                    .map(|v| leaves(&v))
                    .unwrap_or_default();
                done.name == call.name
                    && (done.arguments == arguments
                        || (done.ok && given.iter().any(|leaf| results.contains(leaf))))
            })
        })
}

/// The string and number values inside a JSON value, without spaces or thousands separators.
fn leaves(value: &Value) -> Vec<String> {
    match value {
        Value::String(s) => vec![s.replace([' ', ','], "")],
        Value::Number(n) => vec![n.to_string()],
        Value::Array(items) => items.iter().flat_map(leaves).collect(),
        Value::Object(map) => map.values().flat_map(leaves).collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use models::llm::parse_tool_calls;
    use std::future::Future;
    use std::pin::pin;
    use std::task::{Context, Poll, Waker};

    /// Runs a future whose every await is ready at once (the built-in servers never wait).
    fn block_on<F: Future>(f: F) -> F::Output {
        let mut f = pin!(f);
        let mut cx = Context::from_waker(Waker::noop());
        loop {
            if let Poll::Ready(out) = f.as_mut().poll(&mut cx) {
                return out;
            }
        }
    }

    const CALC: &[BuiltinTool] = &[BuiltinTool::Calculator];

    #[test]
    fn a_call_is_run_and_answered() {
        let reply = parse_tool_calls(
            "<tool_call>\n{\"name\": \"calculator\", \"arguments\": {\"expression\": \"4817*23\"}}\n</tool_call>",
        );
        let outcomes = block_on(respond(CALC, &reply));
        assert_eq!(outcomes.len(), 1);
        assert!(outcomes[0].ok);
        assert_eq!(outcomes[0].content, r#"{"result":110791}"#);
        assert_eq!(outcomes[0].message.role, "tool");
    }

    #[test]
    fn bad_calls_become_errors_for_the_model() {
        let reply = parse_tool_calls(
            "<tool_call>{\"name\": \"calculator\", \"arguments\": {\"expression\": \"1/0\"}}</tool_call>\
             <tool_call>{\"name\": \"shell\", \"arguments\": {}}</tool_call>\
             <tool_call>{\"name\": \"calculator\", \"arguments\": {\"expression\": </tool_call>",
        );
        let outcomes = block_on(respond(CALC, &reply));
        assert_eq!(outcomes.len(), 3);
        assert!(outcomes.iter().all(|o| !o.ok));
        assert!(outcomes[0].content.contains("division by zero"));
        assert!(
            outcomes[1].content.contains("no tool named \\\"shell\\\""),
            "{}",
            outcomes[1].content
        );
        assert_eq!(outcomes[2].name, "");
        assert!(outcomes[2].content.contains("could not read the tool call"));
    }

    #[test]
    fn no_tools_offered_means_no_tool_runs() {
        let reply = parse_tool_calls(
            "<tool_call>{\"name\": \"calculator\", \"arguments\": {\"expression\": \"1+1\"}}</tool_call>",
        );
        let outcomes = block_on(respond(&[], &reply));
        assert!(!outcomes[0].ok);
        assert_eq!(schemas(&[]).len(), 0);
        assert_eq!(schemas(CALC)[0]["function"]["name"], "calculator");
    }

    #[test]
    fn external_calls_are_handed_back_not_run() {
        let external = [ExternalTool {
            name: "get-sum".into(),
            description: "Returns the sum of two numbers".into(),
            input_schema: json!({"type": "object"}),
        }];
        let reply = parse_tool_calls(
            "<tool_call>{\"name\": \"get-sum\", \"arguments\": {\"a\": 2, \"b\": 3}}</tool_call>",
        );
        assert_eq!(
            pending(&external, &reply),
            [PendingCall {
                name: "get-sum".into(),
                arguments: json!({"a": 2, "b": 3})
            }]
        );
        assert!(pending(&[], &reply).is_empty());
        assert_eq!(external_schema(&external[0])["function"]["name"], "get-sum");
    }

    #[test]
    fn a_call_that_restates_its_answer_is_a_repeat() {
        let first = parse_tool_calls(
            "<tool_call>{\"name\": \"calculator\", \"arguments\": {\"expression\": \"4817 * 23\"}}</tool_call>",
        );
        let answered = block_on(respond(CALC, &first));
        assert!(!only_repeats(&first, &[]));
        assert!(only_repeats(&first, &answered), "the same call again");
        let echo = parse_tool_calls(
            "<tool_call>{\"name\": \"calculator\", \"arguments\": {\"expression\": \"110,791\"}}</tool_call>",
        );
        assert!(
            only_repeats(&echo, &answered),
            "the result written into a call"
        );
        let next = parse_tool_calls(
            "<tool_call>{\"name\": \"calculator\", \"arguments\": {\"expression\": \"110791 + 1\"}}</tool_call>",
        );
        assert!(!only_repeats(&next, &answered), "a new computation");
    }
}
