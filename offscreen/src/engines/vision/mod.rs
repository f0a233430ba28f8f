//! The vision engine: reads the text in an image with a PaddleOCR model from the cache
//! (`models::vision::ocr`: PP-OCRv6 tiny or PP-OCRv5 mobile), loaded on first use and kept
//! while the cached copy stays the same. It fetches the image itself (`image_fetch`), so the
//! bytes go from the network straight into this worker's memory and never cross a message.

mod image_fetch;

use std::cell::RefCell;
use std::rc::Rc;

use models::vision::image::{READ_SIDE, decode, fit_within};
use models::vision::ocr::{Ocr, OcrFiles};
use protocol::{
    ErrorCode, HeldModel, Id, ImageText, LanternError, ModelLoaded, Request, Response, Task,
    TextLine,
};
use webext::model_store::ModelStore;

use super::cancel::CancelToken;
use super::turns::Turns;
use crate::errors;
use crate::model_cache::loader;
use crate::outbox::Outbox;

struct HeldOcr {
    model_id: String,
    installed_at: f64,
    bytes: u64,
    ocr: Ocr,
}

#[derive(Default)]
pub struct VisionEngine {
    /// Requests take turns on the model, first come first served, as in every engine.
    model: Turns<Option<HeldOcr>>,
    /// What is loaded, readable while a request holds the lock.
    held: RefCell<Option<HeldModel>>,
}

impl VisionEngine {
    pub fn held(&self) -> Option<HeldModel> {
        self.held.borrow().clone()
    }

    pub async fn serve(
        &self,
        request: Request,
        id: Id,
        outbox: &Rc<Outbox>,
        cancel: &CancelToken,
    ) -> Result<Response, LanternError> {
        match request {
            Request::ReadImageText { model_id, url } => {
                let mut slot = super::turn(&self.model, id, outbox, cancel).await?;
                // The model first: a missing model is said before anything is fetched.
                let held = self.load(&mut slot, &model_id, id, outbox).await?;
                let bytes = image_fetch::fetch(&url).await?;
                if cancel.is_cancelled() {
                    return Err(LanternError::new(
                        ErrorCode::Cancelled,
                        "stopped before the image was read",
                    ));
                }
                let image = decode(&bytes).map_err(errors::model)?;
                drop(bytes);
                let (width, height) = image.dimensions();
                let (image, factor) = fit_within(image, READ_SIDE);
                let lines = held.ocr.read(&image).map_err(errors::model)?;
                Ok(Response::ImageText(ImageText {
                    model_id,
                    url,
                    width,
                    height,
                    downscaled: factor > 1.0,
                    lines: lines
                        .into_iter()
                        .map(|line| TextLine {
                            text: line.text,
                            confidence: line.confidence,
                            corners: line.corners.map(|[x, y]| [x * factor, y * factor]),
                        })
                        .collect(),
                }))
            }
            Request::LoadModel {
                model_id,
                task: Task::Vision,
            } => {
                let mut slot = super::turn(&self.model, id, outbox, cancel).await?;
                let held = self.load(&mut slot, &model_id, id, outbox).await?;
                Ok(Response::ModelLoaded(ModelLoaded {
                    model_id: held.model_id.clone(),
                    bytes: held.bytes,
                    summary: if held.ocr.cls.is_some() {
                        "PaddleOCR: detector, orientation classifier, recognizer".into()
                    } else {
                        "PaddleOCR: detector, recognizer".into()
                    },
                }))
            }
            other => Err(errors::not_served("vision", &other)),
        }
    }

    /// `model_id` in `slot`, read from the cache unless the slot holds that copy already.
    async fn load<'a>(
        &self,
        slot: &'a mut Option<HeldOcr>,
        model_id: &str,
        id: Id,
        outbox: &Outbox,
    ) -> Result<&'a HeldOcr, LanternError> {
        let store = ModelStore::open().await.map_err(errors::storage)?;
        let installed = loader::installed(&store, model_id).await?;
        if installed.entry.task != Task::Vision {
            return Err(LanternError::new(
                ErrorCode::UnsupportedFormat,
                format!("{model_id} is not a model that reads images"),
            ));
        }
        let current = slot
            .as_ref()
            .is_some_and(|h| h.model_id == model_id && h.installed_at == installed.installed_at);
        if !current {
            *slot = None;
            self.held.replace(None);
            let installed_at = installed.installed_at;
            let bytes = installed.bytes;
            let report = |done, total| outbox.loading(id, done, total);
            let mut files = loader::read(&store, installed, &report).await?;
            let mut take = |name: &str| files.take(|n| n == name).map(|f| f.into_bytes());
            let missing = |name: &str| {
                LanternError::new(
                    ErrorCode::UnsupportedFormat,
                    format!("{model_id} has no {name}: it is not a PaddleOCR model"),
                )
            };
            let det = take("det.onnx").ok_or_else(|| missing("det.onnx"))?;
            let rec = take("rec.onnx").ok_or_else(|| missing("rec.onnx"))?;
            let cls = take("cls.onnx");
            let keys = take("ppocr_keys_v5.txt")
                .map(|k| {
                    String::from_utf8(k).map_err(|_| {
                        LanternError::new(
                            ErrorCode::UnsupportedFormat,
                            format!("{model_id}'s ppocr_keys_v5.txt is not UTF-8"),
                        )
                    })
                })
                .transpose()?;
            let ocr = Ocr::load(OcrFiles {
                det: &det,
                cls: cls.as_deref(),
                rec: &rec,
                keys: keys.as_deref(),
            })
            .map_err(errors::model)?;
            self.held.replace(Some(HeldModel {
                model_id: model_id.to_owned(),
                bytes,
            }));
            *slot = Some(HeldOcr {
                model_id: model_id.to_owned(),
                installed_at,
                bytes,
                ocr,
            });
        }
        slot.as_ref()
            .ok_or_else(|| LanternError::new(ErrorCode::Internal, "the model was not kept"))
    }
}
