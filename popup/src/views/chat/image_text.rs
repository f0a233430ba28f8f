//! "Read text in image" in the conversation: the side panel takes the job a context-menu click
//! left, asks the vision worker to read the image with an installed OCR model, and shows the
//! text under the image's address. The text also goes to the chat model as a system message,
//! fenced as data (an image can say anything), so the user can ask about it next.

use protocol::{
    ChatMessage, ChatRole, ErrorCode, ImageJob, LanternError, ModelList, ModelStatus, Role, Task,
    fence_image_text, shown_address,
};

use super::session::Chat;
use crate::history::{PageNote, PageUse};
use crate::i18n::{t, t_with};
use crate::model_list::of;
use crate::state::client;
use crate::views::error_text::ui_error;

/// How long a click waits for an answer that is streaming to stop, in 100 ms steps.
const WAIT_STEPS: u32 = 100;

/// The OCR model to read with: an installed one (the catalog's default first), or why there is
/// none (the default named, to be installed on the Models page).
pub fn ocr_model(list: &ModelList) -> Result<String, LanternError> {
    let models: Vec<ModelStatus> = of(list, Some(Task::Vision), Some(Role::Model));
    if let Some(model) = models
        .iter()
        .filter(|m| m.is_installed())
        .min_by_key(|m| !m.entry.default)
    {
        return Ok(model.entry.id.clone());
    }
    match models.iter().min_by_key(|m| !m.entry.default) {
        Some(model) => Err(ui_error(
            ErrorCode::NotInstalled,
            t_with("imageNeedsModel", &[&model.entry.name]),
        )),
        None => Err(ui_error(ErrorCode::UnknownModel, t("noImageModel"))),
    }
}

/// The address kept with the text: a `data:` image's whole address could be megabytes.
fn kept_address(url: &str) -> String {
    if url.starts_with("data:") {
        shown_address(url)
    } else {
        url.to_string()
    }
}

impl Chat {
    /// Reads the text in `job`'s image into a new conversation (this one, while it is empty).
    /// An answer streaming now is stopped first. Nothing found, a model missing, an image that
    /// cannot be fetched or read: each is said in the error box, and the conversation stays.
    pub fn read_image_text(self, job: ImageJob) {
        wasm_bindgen_futures::spawn_local(async move {
            if self.busy() {
                self.stop();
            }
            for _ in 0..WAIT_STEPS {
                if !self.busy() {
                    break;
                }
                gloo_timers::future::TimeoutFuture::new(100).await;
            }
            if self.busy() {
                return;
            }
            self.error.set(None);
            self.failed_summary.set(None);
            self.failed_image.set(None);
            // Read afresh: the panel may have just opened, or a model been installed elsewhere.
            let model_id = match self.list.reload().await {
                Ok(list) => ocr_model(&list),
                Err(error) => Err(error),
            };
            let model_id = match model_id {
                Ok(id) => id,
                Err(error) => {
                    self.error.set(Some(error));
                    return;
                }
            };
            self.streaming.set(Some(String::new()));
            self.stage.set(Some(t("readingImage")));
            let request = client().read_image_text(model_id, job.src_url.clone());
            let read = self.stream_into(request, |_| {}).await;
            self.end_stream();
            let Some(read) = read else {
                // `stream_into` showed why.
                self.failed_image.set(Some(job));
                return;
            };
            if read.lines.is_empty() {
                self.error.set(Some(ui_error(
                    ErrorCode::NoReadableText,
                    t("imageHasNoText"),
                )));
                return;
            }
            if self.conversation.with(|c| !c.messages.is_empty()) {
                self.new_chat();
            }
            // As with a page: text from outside turns the calculator off until the user says.
            self.tools.switch_off();
            self.last.set(None);
            let text = read.text();
            self.conversation.update(|c| {
                c.messages.push(ChatMessage::new(
                    ChatRole::System,
                    fence_image_text(&job.src_url, &text),
                ));
                c.pages.push(PageNote {
                    before: c.messages.len(),
                    kind: PageUse::ImageText,
                    title: kept_address(&job.page_url),
                    url: kept_address(&job.src_url),
                    selection: text,
                });
            });
            self.save();
        });
    }
}

#[cfg(test)]
mod tests {
    use protocol::{Catalog, ModelState};

    use super::*;

    fn list(installed: &[&str]) -> ModelList {
        let catalog = Catalog::builtin();
        let mut models: Vec<ModelStatus> = Vec::new();
        for (id, default) in [("ppocrv5-mobile", false), ("ppocrv6-tiny", true)] {
            let mut entry = catalog.models[0].clone();
            entry.id = id.into();
            entry.name = id.to_uppercase();
            entry.task = Task::Vision;
            entry.default = default;
            let state = if installed.contains(&id) {
                ModelState::Installed {
                    bytes: 1,
                    update_available: false,
                }
            } else {
                ModelState::Available
            };
            models.push(ModelStatus { entry, state });
        }
        ModelList {
            catalog_url: None,
            catalog_warning: None,
            models,
            storage_usage: 0,
            storage_quota: 0,
        }
    }

    #[test]
    fn an_installed_model_reads_the_default_first() {
        assert_eq!(
            ocr_model(&list(&["ppocrv5-mobile"])).expect("installed"),
            "ppocrv5-mobile"
        );
        let both = list(&["ppocrv5-mobile", "ppocrv6-tiny"]);
        assert_eq!(ocr_model(&both).expect("installed"), "ppocrv6-tiny");
    }

    #[test]
    fn without_one_the_default_is_named() {
        let missing = ocr_model(&list(&[])).expect_err("none installed");
        assert_eq!(missing.code, ErrorCode::NotInstalled);
        assert!(
            missing.message.contains("PPOCRV6-TINY"),
            "{}",
            missing.message
        );
    }

    #[test]
    fn an_embedded_image_keeps_a_short_address() {
        assert_eq!(
            kept_address("data:image/png;base64,AAAA"),
            "data:image/png…"
        );
        assert_eq!(
            kept_address("http://127.0.0.1/a.png"),
            "http://127.0.0.1/a.png"
        );
    }
}
