//! Tools in the chat: the switch that offers Lantern's built-in tools (the calculator) to the
//! model with the next message, and the record of each call the model made and what it got
//! back, shown in the conversation just before the reply it led to.

use protocol::{BuiltinTool, Event, McpLink, McpMedia};
use sycamore::prelude::*;

use crate::i18n::{number, t, t_with};

/// One call and its result.
#[derive(Clone, PartialEq)]
struct ToolStep {
    /// Empty when the model wrote a call that could not be read.
    name: String,
    arguments: String,
    /// The result text and whether the call worked, once it arrived.
    result: Option<(String, bool)>,
    /// What a tool server returned for the user besides text, shown under the result.
    returned: Returned,
    /// The server's last progress report while the call runs: done, total, its message.
    progress: Option<(f64, Option<f64>, Option<String>)>,
}

/// What a tool server returned for the user besides text: each kept inert (images and sounds
/// only through `data:` URLs of their own media type, files only as downloads).
#[derive(Clone, Default, PartialEq)]
pub struct Returned {
    pub images: Vec<McpMedia>,
    pub audio: Vec<McpMedia>,
    pub files: Vec<McpMedia>,
    pub links: Vec<McpLink>,
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

    /// Turns the switch off: a conversation that starts from a page's text starts without
    /// tools, whatever the switch said before, so only the user turns them on for it.
    pub fn switch_off(self) {
        self.allowed.set(false);
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
                    returned: Returned::default(),
                    progress: None,
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
                        step.progress = None;
                    }
                });
                true
            }
            Event::ToolProgress {
                progress,
                total,
                message,
            } => {
                self.steps.update(|steps| {
                    if let Some((_, step)) =
                        steps.iter_mut().rev().find(|(_, s)| s.result.is_none())
                    {
                        step.progress = Some((*progress, *total, message.clone()));
                    }
                });
                true
            }
            _ => false,
        }
    }

    /// Shows what the last call returned besides text under its result.
    pub fn attach(self, returned: Returned) {
        if returned == Returned::default() {
            return;
        }
        self.steps.update(|steps| {
            if let Some((_, step)) = steps.last_mut() {
                step.returned = returned;
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

/// A media type that may name a `data:` URL: of its `kind` (`image/`, `audio/`), without
/// parameters or characters that would end the attribute.
fn plain_type(mime_type: &str, kind: &str) -> bool {
    mime_type.starts_with(kind)
        && mime_type
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/+-.".contains(c))
}

fn data_url(media: &McpMedia) -> String {
    format!("data:{};base64,{}", media.mime_type, media.data)
}

fn returned_view(returned: Returned) -> View {
    let images = returned
        .images
        .into_iter()
        .filter(|image| plain_type(&image.mime_type, "image/"))
        .map(|image| {
            let src = data_url(&image);
            view! { img(class="tool-image", src=src, alt=t("toolImageAlt")) }
        })
        .collect::<Vec<_>>();
    let audio = returned
        .audio
        .into_iter()
        .filter(|sound| plain_type(&sound.mime_type, "audio/"))
        .map(|sound| {
            let src = data_url(&sound);
            view! { audio(class="tool-audio", controls=true, preload="none", src=src, aria-label=t("toolAudioLabel")) }
        })
        .collect::<Vec<_>>();
    // A file is offered as a download of opaque bytes, never opened in the page.
    let files = returned
        .files
        .into_iter()
        .map(|file| {
            let href = format!("data:application/octet-stream;base64,{}", file.data);
            let label = t_with("toolFileSave", &[&file.name]);
            let name = file.name;
            view! { a(class="tool-file", href=href, download=name) { (label) } }
        })
        .collect::<Vec<_>>();
    // Only web addresses become links; any other scheme is shown as text.
    let links = returned
        .links
        .into_iter()
        .map(|link| {
            let label = t_with("toolResourceLink", &[&link.name]);
            let about = link.description.unwrap_or_default();
            let uri = link.uri;
            let web = uri.starts_with("https://") || uri.starts_with("http://");
            let target = if web {
                let href = uri.clone();
                view! { a(href=href, target="_blank", rel="noopener noreferrer") { (uri) } }
            } else {
                view! { code { (uri) } }
            };
            view! { li(class="tool-link", title=about) { (label) " " (target) } }
        })
        .collect::<Vec<_>>();
    let links = if links.is_empty() {
        view! {}
    } else {
        view! { ul(class="tool-links") { (links) } }
    };
    view! { (images) (audio) (files) (links) }
}

fn progress_view(progress: Option<(f64, Option<f64>, Option<String>)>) -> View {
    let Some((done, total, message)) = progress else {
        return view! {};
    };
    let said = match total {
        Some(total) => t_with("toolProgress", &[&number(done, 0), &number(total, 0)]),
        None => t_with("toolProgressCount", &[&number(done, 0)]),
    };
    let bar = match total.filter(|t| *t > 0.0) {
        Some(total) => view! { progress(max=total.to_string(), value=done.min(total).to_string()) },
        None => view! { progress() },
    };
    let message = message.unwrap_or_default();
    view! {
        div(class="tool-progress", role="status") {
            (bar) " " span(class="tool-progress-text") { (said) } " " span(class="muted") { (message) }
        }
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
    let progress = progress_view(step.progress);
    let returned = returned_view(step.returned);
    view! {
        div(class="message tool", data-state=state) {
            p(class="tool-call") { (t_with("toolCall", &[&call])) }
            p(class="tool-result") { (t_with("toolResult", &[&result])) }
            (progress)
            (returned)
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
