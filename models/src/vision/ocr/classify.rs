//! The text-line orientation classifier (PP-LCNet x1.0 `textline_ori`, PP-OCRv5): upright or
//! upside down, from the crop scaled into 80 x 160 as PaddleOCR's `TextClassifier` does; a line
//! judged upside down with more than 0.9 confidence is turned before recognition.

use image::RgbImage;

use super::crop::{line_tensor, rotate_half};
use super::graph::Graph;
use crate::{ModelError, Result};

const HEIGHT: u32 = 80;
const WIDTH: u32 = 160;
/// `cls_thresh`.
const THRESHOLD: f32 = 0.9;

/// The classifier's two probabilities, `[upright, upside down]`.
pub fn orientation(net: &Graph, line: &RgbImage) -> Result<[f32; 2]> {
    let probs = net.run(line_tensor(line, HEIGHT, WIDTH)?)?;
    match probs.flatten_all()?.to_vec1::<f32>()?.as_slice() {
        [up, down] => Ok([*up, *down]),
        other => Err(ModelError::BadModel(format!(
            "the orientation classifier gave {} values, not 2",
            other.len()
        ))),
    }
}

/// `line` the right way up.
pub fn upright(net: &Graph, line: RgbImage) -> Result<RgbImage> {
    let [up, down] = orientation(net, &line)?;
    Ok(if down > up && down > THRESHOLD {
        rotate_half(&line)
    } else {
        line
    })
}
