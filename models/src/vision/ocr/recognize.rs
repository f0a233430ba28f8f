//! The text recognizer (SVTR-LCNet for PP-OCRv5, PP-OCRv6 tiny's own) on one line crop, and
//! CTC greedy decoding of its per-step class probabilities: the best class per step, repeats
//! merged, blanks dropped, the line's confidence the mean probability of the kept steps.

use image::RgbImage;

use super::crop::line_tensor;
use super::graph::Graph;
use crate::{ModelError, Result};

/// The recognizer's input height and its narrowest input (PaddleOCR's `rec_image_shape`
/// `[3, 48, 320]`): lines are scaled to 48 rows and never padded below 320 columns.
pub const HEIGHT: u32 = 48;
pub const MIN_WIDTH: u32 = 320;

/// A decoded line.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    pub text: String,
    pub confidence: f32,
}

/// The recognizer's class table: index 0 is the CTC blank.
pub struct Charset {
    chars: Vec<String>,
}

impl Charset {
    /// PP-OCRv5's `ppocr_keys_v5.txt`: one entry a line, line 0 the blank, the last a space.
    pub fn from_keys(text: &str) -> Charset {
        let mut chars: Vec<String> = text.split('\n').map(str::to_string).collect();
        if chars.last().is_some_and(String::is_empty) && text.ends_with('\n') {
            chars.pop();
        }
        Charset { chars }
    }

    /// PP-OCRv6's `metadata_props["character"]`: the characters a line each, to which PaddleOCR
    /// adds the blank before and a space after.
    pub fn from_metadata(text: &str) -> Charset {
        let mut chars = vec![String::new()];
        chars.extend(text.split('\n').map(str::to_string));
        chars.push(" ".into());
        Charset { chars }
    }

    pub fn len(&self) -> usize {
        self.chars.len()
    }

    pub fn is_empty(&self) -> bool {
        self.chars.is_empty()
    }
}

/// CTC greedy decoding of `probs` (`steps x classes`, row-major).
pub fn ctc_decode(probs: &[f32], classes: usize, charset: &Charset) -> Decoded {
    let mut text = String::new();
    let mut kept = Vec::new();
    let mut previous = 0;
    for step in probs.chunks_exact(classes) {
        let (best, p) =
            step.iter().enumerate().fold(
                (0, f32::MIN),
                |acc, (i, &p)| if p > acc.1 { (i, p) } else { acc },
            );
        if best != 0 && best != previous {
            if let Some(c) = charset.chars.get(best) {
                text.push_str(c);
            }
            kept.push(p);
        }
        previous = best;
    }
    let confidence = if kept.is_empty() {
        0.0
    } else {
        kept.iter().sum::<f32>() / kept.len() as f32
    };
    Decoded { text, confidence }
}

/// The recognizer's input width for a crop: its width at 48 rows, at least 320.
pub fn input_width(line: &RgbImage) -> u32 {
    let ratio = line.width() as f32 / line.height().max(1) as f32;
    ((HEIGHT as f32 * ratio) as u32).max(MIN_WIDTH)
}

/// Reads one upright line crop.
pub fn recognize(net: &Graph, charset: &Charset, line: &RgbImage) -> Result<Decoded> {
    let x = line_tensor(line, HEIGHT, input_width(line))?;
    let probs = net.run(x)?;
    let (_, _, classes) = probs.dims3()?;
    if classes != charset.len() {
        return Err(ModelError::BadModel(format!(
            "the recognizer has {classes} classes but its character table {}",
            charset.len()
        )));
    }
    let values = probs.flatten_all()?.to_vec1::<f32>()?;
    Ok(ctc_decode(&values, classes, charset))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ctc_merges_repeats_and_drops_blanks() {
        let charset = Charset::from_keys("blank\na\nb\n \n");
        assert_eq!(charset.len(), 4);
        // steps: a a blank a b b space
        let best = [1, 1, 0, 1, 2, 2, 3];
        let mut probs = Vec::new();
        for &b in &best {
            let mut row = vec![0.1f32; 4];
            row[b] = 0.8;
            probs.extend(row);
        }
        let decoded = ctc_decode(&probs, 4, &charset);
        assert_eq!(decoded.text, "aab ");
        assert!((decoded.confidence - 0.8).abs() < 1e-6);
    }

    #[test]
    fn metadata_characters_get_the_blank_and_the_space() {
        let charset = Charset::from_metadata("x\ny");
        assert_eq!(charset.len(), 4);
        assert_eq!(charset.chars[3], " ");
    }
}
