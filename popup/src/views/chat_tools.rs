//! Tools in the chat: the switch that offers Lantern's built-in tools (the calculator) to the
//! model with the next message, and the record of each call the model made and what it got
//! back, shown in the conversation just before the reply it led to.

use protocol::{BuiltinTool, Event, McpImage};
use sycamore::prelude::*;

use crate::i18n::{t, t_with};

/// One call and its result.
#[derive(Clone, PartialEq)]
struct ToolStep {
    /// Empty when the model wrote a call that could not be read.
    name: String,
    arguments: String,
    /// The result text and whether the call worked, once it arrived.
    result: Option<(String, bool)>,
    /// Images a tool server returned, shown under the result.
    images: Vec<McpImage>,
}

#[derive(Clone, Copy)]
pub struct ChatTools {
    /// Offer the tools with the next message (off: the model gets none, as for summaries).
    allowed: Signal<bool>,
    /// Every call of the conversation, with the index of the message it came before.
    steps: Signal<Vec<(usize, ToolStep)>>,
}

impl ChatTools {
    pub fn new() -> ChatTools {
        ChatTools {
            allowed: create_signal(false),
            steps: create_signal(Vec::new()),
        }
    }

    /// Forgets the calls shown (another conversation is opening).
    pub fn clear(self) {
        self.steps.set(Vec::new());
    }

    /// The tools a request offers.
    pub fn offered(self) -> Vec<BuiltinTool> {
        if self.allowed.get() {
            vec![BuiltinTool::Calculator]
        } else {
            Vec::new()
        }
    }

    /// Notes a tool event of the reply that will be message `at`; false for other events.
    pub fn record(self, at: usize, event: &Event) -> bool {
        match event {
            Event::ToolCall { name, arguments } => {
                let step = ToolStep {
                    name: name.clone(),
                    arguments: arguments.clone(),
                    result: None,
                    images: Vec::new(),
                };
                self.steps.update(|steps| steps.push((at, step)));
                true
            }
            Event::ToolResult { content, ok, .. } => {
                self.steps.update(|steps| {
                    if let Some((_, step)) =
                        steps.iter_mut().rev().find(|(_, s)| s.result.is_none())
                    {
                        step.result = Some((content.clone(), *ok));
                    }
                });
                true
            }
            _ => false,
        }
    }

    /// Shows images under the last call's result.
    pub fn attach_images(self, images: Vec<McpImage>) {
        if images.is_empty() {
            return;
        }
        self.steps.update(|steps| {
            if let Some((_, step)) = steps.last_mut() {
                step.images = images;
            }
        });
    }

    /// The calls made on the way to message `index`.
    pub fn before(self, index: usize) -> View {
        let steps: Vec<ToolStep> = self.steps.with(|steps| {
            steps
                .iter()
                .filter(|(at, _)| *at == index)
                .map(|(_, step)| step.clone())
                .collect()
        });
        steps.into_iter().map(step_view).collect::<Vec<_>>().into()
    }
}

fn step_view(step: ToolStep) -> View {
    let call = if step.name.is_empty() {
        t_with("unreadableToolCall", &[&step.arguments])
    } else {
        format!("{}({})", step.name, step.arguments)
    };
    let (result, state) = match step.result {
        Some((text, true)) => (text, "ok"),
        Some((text, false)) => (text, "error"),
        None => (t("toolRunning"), "running"),
    };
    // Server-sent bytes become an image only through a data URL of an image type.
    let images = step
        .images
        .into_iter()
        .filter(|image| {
            image.mime_type.starts_with("image/") && !image.mime_type.contains(['"', ';'])
        })
        .map(|image| {
            let src = format!("data:{};base64,{}", image.mime_type, image.data);
            view! { img(class="tool-image", src=src, alt=t("toolImageAlt")) }
        })
        .collect::<Vec<_>>();
    view! {
        div(class="message tool", data-state=state) {
            p(class="tool-call") { (t_with("toolCall", &[&call])) }
            p(class="tool-result") { (t_with("toolResult", &[&result])) }
            (images)
        }
    }
}

/// The switch beside the message box.
#[component(inline_props)]
pub fn ToolsSwitch(tools: ChatTools) -> View {
    view! {
        label(class="muted tools-switch") {
            input(r#type="checkbox", bind:checked=tools.allowed)
            " " (t("toolsSwitch"))
        }
    }
}
