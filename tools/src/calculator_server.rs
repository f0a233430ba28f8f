//! The calculator as a built-in MCP server (`lantern:calculator`): one read-only tool whose
//! result is the JSON text the model has always read (`{"result":110791}`), an `isError` result
//! when the expression cannot be evaluated.

use mcp::jsonrpc::RpcError;
use mcp::schema::CallToolResult;
use mcp::schema::Tool;
use mcp::server::{Server, ServerInfo, tool_error, tool_text};
use serde_json::{Value, json};

use crate::calculator::{CALCULATOR, calculator_tool, run_calculator};

/// The address the chat and the Tools card know it by.
pub const CALCULATOR_URL: &str = "lantern:calculator";

pub struct CalculatorServer;

impl Server for CalculatorServer {
    fn info(&self) -> ServerInfo {
        ServerInfo {
            name: "calculator".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            instructions: None,
        }
    }

    fn tools(&self) -> Vec<Tool> {
        let function = calculator_tool()["function"].clone();
        vec![Tool {
            name: CALCULATOR.into(),
            title: Some("Calculator".into()),
            description: function["description"].as_str().map(str::to_owned),
            input_schema: function["parameters"].clone(),
            output_schema: None,
            annotations: Some(json!({"readOnlyHint": true, "openWorldHint": false})),
        }]
    }

    async fn call_tool(&self, _name: &str, arguments: Value) -> Result<CallToolResult, RpcError> {
        // `answer` only passes names from `tools()`: this server has one.
        Ok(match run_calculator(&arguments) {
            Ok(text) => tool_text(text),
            Err(text) => tool_error(text),
        })
    }
}
