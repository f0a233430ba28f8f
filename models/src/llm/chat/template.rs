//! Chat messages to prompt text: the model's own Jinja template (`tokenizer.chat_template`)
//! rendered with minijinja, or ChatML when the model has none.
//!
//! Mirrors Hugging Face transformers' `apply_chat_template` (`render_jinja_template`): the same
//! variables (`messages`, `tools`, `add_generation_prompt`, `bos_token`, `eos_token`), the
//! `raise_exception` and `strftime_now` globals, and its `tojson` (Python `json.dumps` spacing,
//! non-ASCII kept, no HTML escaping).

use minijinja::value::{Kwargs, Value as JValue};
use minijinja::{Environment, Error as JError, ErrorKind};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{ModelError, Result};

/// One chat message. Extra fields (`tool_calls`, `tool_call_id`, `name`) pass through to the
/// template untouched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub role: String,
    #[serde(default)]
    pub content: String,
    #[serde(flatten)]
    pub extra: serde_json::Map<String, Value>,
}

impl Message {
    pub fn new(role: &str, content: impl Into<String>) -> Message {
        Message {
            role: role.to_string(),
            content: content.into(),
            extra: serde_json::Map::new(),
        }
    }

    pub fn system(content: impl Into<String>) -> Message {
        Message::new("system", content)
    }

    pub fn user(content: impl Into<String>) -> Message {
        Message::new("user", content)
    }

    pub fn assistant(content: impl Into<String>) -> Message {
        Message::new("assistant", content)
    }

    /// A tool's result, answering the call named `name`.
    pub fn tool(name: &str, content: impl Into<String>) -> Message {
        let mut m = Message::new("tool", content);
        m.extra
            .insert("name".into(), Value::String(name.to_string()));
        m
    }
}

/// The instructions a render may take before it is stopped with an error.
const TEMPLATE_FUEL_BASE: u64 = 1_000_000;
const TEMPLATE_FUEL_PER_ITEM: u64 = 20_000;

/// ChatML, for models without a template; tools are offered the Hermes way.
const CHATML: &str = r#"{%- if tools %}{{- '<|im_start|>system\n' }}{%- if messages[0].role == 'system' %}{{- messages[0].content + '\n\n' }}{%- endif %}{{- '# Tools\n\nYou may call one or more functions to assist with the user query.\n\nYou are provided with function signatures within <tools></tools> XML tags:\n<tools>' }}{%- for tool in tools %}{{- '\n' }}{{- tool | tojson }}{%- endfor %}{{- '\n</tools>\n\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n<tool_call>\n{"name": <function-name>, "arguments": <args-json-object>}\n</tool_call><|im_end|>\n' }}{%- elif messages[0].role == 'system' %}{{- '<|im_start|>system\n' + messages[0].content + '<|im_end|>\n' }}{%- endif %}{%- for message in messages %}{%- if message.role != 'system' or not loop.first %}{{- '<|im_start|>' + message.role + '\n' + message.content + '<|im_end|>\n' }}{%- endif %}{%- endfor %}{%- if add_generation_prompt %}{{- '<|im_start|>assistant\n' }}{%- endif %}"#;

/// A compiled-on-demand chat template with the special-token texts it may print.
#[derive(Debug, Clone)]
pub struct ChatTemplate {
    source: String,
    bos_token: String,
    eos_token: String,
    is_fallback: bool,
}

impl ChatTemplate {
    /// `source` is the model's template; `None` (or empty) falls back to ChatML.
    pub fn new(source: Option<&str>, bos_token: &str, eos_token: &str) -> ChatTemplate {
        let given = source.filter(|s| !s.trim().is_empty());
        ChatTemplate {
            source: given.unwrap_or(CHATML).to_string(),
            bos_token: bos_token.to_string(),
            eos_token: eos_token.to_string(),
            is_fallback: given.is_none(),
        }
    }

    /// Whether this is Lantern's ChatML stand-in rather than the model's own template.
    pub fn is_fallback(&self) -> bool {
        self.is_fallback
    }

    /// Renders `messages` (and `tools`, JSON Schema function descriptions) to prompt text.
    pub fn render(
        &self,
        messages: &[Message],
        tools: &[Value],
        add_generation_prompt: bool,
    ) -> Result<String> {
        let mut env = Environment::new();
        // transformers renders with both on; templates written without `{%-` rely on them.
        env.set_trim_blocks(true);
        env.set_lstrip_blocks(true);
        env.set_unknown_method_callback(minijinja_contrib::pycompat::unknown_method_callback);
        // A template comes with the model file, from anywhere: nested loops over `range` could
        // keep a worker busy for ever. Real templates use a few hundred instructions per message.
        env.set_fuel(Some(
            TEMPLATE_FUEL_BASE + TEMPLATE_FUEL_PER_ITEM * (messages.len() + tools.len()) as u64,
        ));
        env.add_filter("tojson", tojson);
        env.add_function(
            "raise_exception",
            |msg: String| -> std::result::Result<String, JError> {
                Err(JError::new(ErrorKind::InvalidOperation, msg))
            },
        );
        // Templates print today's date with it; a fixed one keeps prompts (and caches) stable.
        env.add_function("strftime_now", |_fmt: String| "26 Jul 2024".to_string());
        env.add_template("chat", &self.source)
            .map_err(template_err)?;
        let tmpl = env.get_template("chat").map_err(template_err)?;
        let tools = if tools.is_empty() {
            JValue::from(())
        } else {
            JValue::from_serialize(tools)
        };
        let ctx = minijinja::context! {
            messages => JValue::from_serialize(messages),
            tools => tools,
            add_generation_prompt => add_generation_prompt,
            bos_token => self.bos_token.as_str(),
            eos_token => self.eos_token.as_str(),
        };
        tmpl.render(ctx).map_err(template_err)
    }
}

fn template_err(e: JError) -> ModelError {
    let mut msg = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        msg.push_str(&format!(": {s}"));
        source = s.source();
    }
    ModelError::Template(msg)
}

/// Python's `json.dumps(value, ensure_ascii=False, indent=indent)`, as transformers' `tojson`.
fn tojson(value: JValue, kwargs: Kwargs) -> std::result::Result<JValue, JError> {
    let indent: Option<usize> = kwargs.get("indent")?;
    let json = serde_json::to_value(&value)
        .map_err(|e| JError::new(ErrorKind::InvalidOperation, e.to_string()))?;
    let mut out = String::new();
    write_py_json(&json, indent, 0, &mut out);
    Ok(JValue::from_safe_string(out))
}

fn write_py_json(v: &Value, indent: Option<usize>, depth: usize, out: &mut String) {
    let newline = |out: &mut String, depth: usize| {
        if let Some(n) = indent {
            out.push('\n');
            out.push_str(&" ".repeat(n * depth));
        }
    };
    let item_sep = if indent.is_some() { "," } else { ", " };
    match v {
        Value::Array(items) if !items.is_empty() => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(item_sep);
                }
                newline(out, depth + 1);
                write_py_json(item, indent, depth + 1, out);
            }
            newline(out, depth);
            out.push(']');
        }
        Value::Object(map) if !map.is_empty() => {
            out.push('{');
            for (i, (k, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(item_sep);
                }
                newline(out, depth + 1);
                out.push_str(&Value::String(k.clone()).to_string());
                out.push_str(": ");
                write_py_json(item, indent, depth + 1, out);
            }
            newline(out, depth);
            out.push('}');
        }
        other => out.push_str(&other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_template_that_would_loop_for_ever_stops_with_an_error() {
        let t = ChatTemplate::new(
            Some(
                "{% for i in range(100000) %}{% for j in range(100000) %}{{ j }}{% endfor %}{% endfor %}",
            ),
            "",
            "",
        );
        let err = t.render(&[Message::user("Hi")], &[], true).unwrap_err();
        assert!(err.to_string().contains("fuel"), "{err}");
    }

    #[test]
    fn a_long_conversation_with_tools_fits_the_fuel() {
        let t = ChatTemplate::new(None, "", "");
        let tool = serde_json::json!({"type": "function", "function": {"name": "calc",
            "parameters": {"type": "object", "properties": {"x": {"type": "string"}}}}});
        let messages: Vec<Message> = (0..400)
            .map(|i| Message::user(format!("message {i} ").repeat(50)))
            .collect();
        t.render(&messages, &vec![tool; 30], true).expect("render");
    }

    #[test]
    fn chatml_fallback_renders_roles_and_generation_prompt() {
        let t = ChatTemplate::new(None, "", "");
        let text = t
            .render(
                &[Message::system("Be brief."), Message::user("Hi")],
                &[],
                true,
            )
            .expect("render");
        assert_eq!(
            text,
            "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"
        );
    }

    #[test]
    fn tojson_matches_python_json_dumps() {
        let t = ChatTemplate::new(
            Some("{{ tools[0] | tojson }}|{{ tools[0] | tojson(indent=2) }}"),
            "",
            "",
        );
        let tool = serde_json::json!({"name": "calc", "parameters": {"a": [1, 2], "s": "<é>"}});
        let text = t.render(&[], &[tool], false).expect("render");
        assert_eq!(
            text,
            "{\"name\": \"calc\", \"parameters\": {\"a\": [1, 2], \"s\": \"<é>\"}}|{\n  \"name\": \"calc\",\n  \"parameters\": {\n    \"a\": [\n      1,\n      2\n    ],\n    \"s\": \"<é>\"\n  }\n}"
        );
    }

    #[test]
    fn python_methods_and_raise_exception_work() {
        let t = ChatTemplate::new(
            Some(
                "{% if messages[0].content.startswith('x') %}{{ messages[0].content.strip().upper() }}{% else %}{{ raise_exception('no') }}{% endif %}",
            ),
            "",
            "",
        );
        assert_eq!(t.render(&[Message::user(" x y ")], &[], false).ok(), None);
        assert_eq!(
            t.render(&[Message::user("x y ")], &[], false)
                .expect("render"),
            "X Y"
        );
    }
}
