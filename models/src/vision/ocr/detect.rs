//! The text detector (DBNet: PP-OCRv5 mobile's PP-LCNetV3 backbone with an RSE-FPN neck, or
//! PP-OCRv6 tiny's) from image to boxes: the image scaled so its longer side is at most
//! `max_side` (a huge image is scaled down, never run at full size) and each side a multiple of
//! 32 (the network halves it five times), ImageNet-normalized in BGR order; the network's
//! probability map goes to `boxes::find_boxes`, and the boxes are scaled back to the image.

use candle_core::{Device, Tensor};
use image::RgbImage;

use super::boxes::{BoxParams, Found, find_boxes};
use super::graph::Graph;
use crate::{ModelError, Result};

/// PaddleOCR's `NormalizeImage` for the detector, per BGR channel (its mean and std lists are
/// ImageNet's RGB ones, applied to OpenCV's BGR pixels as training did).
const MEAN: [f32; 3] = [0.485, 0.456, 0.406];
const STD: [f32; 3] = [0.229, 0.224, 0.225];

/// The detector's input for `image`: `[1, 3, h, w]` and the scale factors back to the image.
pub fn input(image: &RgbImage, max_side: u32) -> Result<(Tensor, (f32, f32))> {
    let (w, h) = image.dimensions();
    if w == 0 || h == 0 {
        return Err(ModelError::BadImage("the image has no pixels".into()));
    }
    let ratio = if w.max(h) > max_side {
        max_side as f32 / w.max(h) as f32
    } else {
        1.0
    };
    let round32 = |v: u32| (((v as f32 * ratio) / 32.0).round() as u32 * 32).max(32);
    let (rw, rh) = (round32(w), round32(h));
    let resized;
    let pixels = if (rw, rh) == (w, h) {
        image
    } else {
        resized = image::imageops::resize(image, rw, rh, image::imageops::FilterType::Triangle);
        &resized
    };
    let plane = (rw * rh) as usize;
    let mut data = vec![0f32; 3 * plane];
    for (i, pixel) in pixels.pixels().enumerate() {
        for (c, channel) in [2usize, 1, 0].into_iter().enumerate() {
            data[c * plane + i] = (pixel.0[channel] as f32 / 255.0 - MEAN[c]) / STD[c];
        }
    }
    let tensor = Tensor::from_vec(data, (1, 3, rh as usize, rw as usize), &Device::Cpu)?;
    Ok((tensor, (w as f32 / rw as f32, h as f32 / rh as f32)))
}

/// Runs the detector on `image`: the text boxes in image pixels, clipped to it.
pub fn detect(
    net: &Graph,
    image: &RgbImage,
    max_side: u32,
    params: BoxParams,
) -> Result<Vec<Found>> {
    let (x, (sx, sy)) = input(image, max_side)?;
    let map = net.run(x)?;
    let (_, _, mh, mw) = map.dims4()?;
    let values = map.flatten_all()?.to_vec1::<f32>()?;
    let (w, h) = (image.width() as f32, image.height() as f32);
    Ok(find_boxes(&values, mw, mh, params)
        .into_iter()
        .map(|found| Found {
            corners: found
                .corners
                .map(|[x, y]| [(x * sx).clamp(0.0, w), (y * sy).clamp(0.0, h)]),
            score: found.score,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_huge_image_is_scaled_down_to_the_side_limit() {
        let image = RgbImage::from_pixel(6000, 4000, image::Rgb([250, 250, 250]));
        let (x, (sx, sy)) = input(&image, 960).expect("input");
        // 960 x 640, both multiples of 32; the factors map the map back onto the image.
        assert_eq!(x.dims(), &[1, 3, 640, 960]);
        assert_eq!((sx, sy), (6000.0 / 960.0, 4000.0 / 640.0));
    }

    #[test]
    fn a_tiny_image_still_gets_one_block_of_32() {
        let image = RgbImage::from_pixel(10, 7, image::Rgb([0, 0, 0]));
        let (x, _) = input(&image, 960).expect("input");
        assert_eq!(x.dims(), &[1, 3, 32, 32]);
    }
}
