//! Reading the text in an image with PaddleOCR's networks (PP-OCRv5 mobile: detector,
//! orientation classifier, recognizer; or PP-OCRv6 tiny: detector and recognizer), as
//! PaddleOCR's `TextSystem` runs them: detect boxes (`detect`, `boxes`), crop each upright
//! (`crop`), turn upside-down lines (`classify`), recognize (`recognize`), keep the lines read
//! with confidence, in reading order. The networks are read from their ONNX files by `graph`
//! and run on Candle (`ops`); everything is built from bytes, as the workers load files.

pub mod boxes;
pub mod classify;
pub mod crop;
pub mod detect;
pub mod graph;
mod ops;
pub mod recognize;

use image::RgbImage;

use self::boxes::{BoxParams, Point, reading_order};
use self::graph::Graph;
use self::recognize::Charset;
use crate::{ModelError, Result};

/// The detector's longest side (PaddleOCR's `limit_side_len` with `limit_type: max`).
pub const MAX_SIDE: u32 = 960;
/// Lines read with less confidence are dropped (PaddleOCR's `drop_score`).
pub const DROP_SCORE: f32 = 0.5;

/// The files of an OCR model, as bytes.
pub struct OcrFiles<'a> {
    pub det: &'a [u8],
    /// The orientation classifier; PP-OCRv6 tiny has none.
    pub cls: Option<&'a [u8]>,
    pub rec: &'a [u8],
    /// `ppocr_keys_v5.txt`; without it the characters come from the recognizer's metadata.
    pub keys: Option<&'a str>,
}

/// A line of text found in the image.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub text: String,
    /// Mean probability of its characters.
    pub confidence: f32,
    /// Its box in image pixels: top-left, top-right, bottom-right, bottom-left.
    pub corners: [Point; 4],
}

/// A loaded OCR model.
pub struct Ocr {
    pub det: Graph,
    pub cls: Option<Graph>,
    pub rec: Graph,
    pub charset: Charset,
    pub boxes: BoxParams,
    pub max_side: u32,
}

impl Ocr {
    pub fn load(files: OcrFiles) -> Result<Ocr> {
        let det = Graph::load(files.det)?;
        let cls = files.cls.map(Graph::load).transpose()?;
        let rec = Graph::load(files.rec)?;
        let charset = match (files.keys, rec.metadata("character")) {
            (Some(keys), _) => Charset::from_keys(keys),
            (None, Some(chars)) => Charset::from_metadata(chars),
            (None, None) => {
                return Err(ModelError::BadModel(
                    "the recognizer has no character table (no keys file, no metadata)".into(),
                ));
            }
        };
        Ok(Ocr {
            det,
            cls,
            rec,
            charset,
            boxes: BoxParams::default(),
            max_side: MAX_SIDE,
        })
    }

    /// The lines of text in `image`, in reading order.
    pub fn read(&self, image: &RgbImage) -> Result<Vec<Line>> {
        let found = detect::detect(&self.det, image, self.max_side, self.boxes)?;
        let corners: Vec<[Point; 4]> = found.iter().map(|f| f.corners).collect();
        let mut lines = Vec::new();
        for i in reading_order(&corners) {
            let mut line = crop::crop(image, &corners[i]);
            if let Some(cls) = &self.cls {
                line = classify::upright(cls, line)?;
            }
            let decoded = recognize::recognize(&self.rec, &self.charset, &line)?;
            if decoded.confidence < DROP_SCORE || decoded.text.trim().is_empty() {
                continue;
            }
            lines.push(Line {
                text: decoded.text,
                confidence: decoded.confidence,
                corners: corners[i],
            });
        }
        Ok(lines)
    }
}

/// The lines as text, one a line.
pub fn text_of(lines: &[Line]) -> String {
    lines
        .iter()
        .map(|l| l.text.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}
