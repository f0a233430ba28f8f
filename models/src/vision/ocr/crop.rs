//! Pixels in and out of the networks: the crop of one text box, mapped upright (PaddleOCR's
//! `get_rotate_crop_image`: the box's corners onto a `width x height` rectangle, tall crops
//! turned a quarter so vertical text reads across), and images as the networks take them, in
//! PaddleOCR's BGR channel order (its models were trained on OpenCV's decoding).

use candle_core::{Device, Tensor};
use image::{Rgb, RgbImage};

use super::boxes::Point;
use crate::Result;

/// Samples `image` at `(x, y)` bilinearly, clamping at the border (OpenCV's BORDER_REPLICATE).
fn sample(image: &RgbImage, x: f32, y: f32) -> [f32; 3] {
    let (w, h) = (image.width() as i64, image.height() as i64);
    let (x0, y0) = (x.floor(), y.floor());
    let (fx, fy) = (x - x0, y - y0);
    let at = |xi: i64, yi: i64| {
        image
            .get_pixel(xi.clamp(0, w - 1) as u32, yi.clamp(0, h - 1) as u32)
            .0
    };
    let (x0, y0) = (x0 as i64, y0 as i64);
    let (a, b, c, d) = (
        at(x0, y0),
        at(x0 + 1, y0),
        at(x0, y0 + 1),
        at(x0 + 1, y0 + 1),
    );
    std::array::from_fn(|k| {
        let top = a[k] as f32 * (1.0 - fx) + b[k] as f32 * fx;
        let bottom = c[k] as f32 * (1.0 - fx) + d[k] as f32 * fx;
        top * (1.0 - fy) + bottom * fy
    })
}

/// The text inside `corners` (top-left, top-right, bottom-right, bottom-left) as an upright
/// image. The boxes are rectangles, so the perspective map is the affine one through three
/// corners.
pub fn crop(image: &RgbImage, corners: &[Point; 4]) -> RgbImage {
    let dist = |a: Point, b: Point| ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt();
    let [tl, tr, br, bl] = *corners;
    let width = dist(tl, tr).max(dist(bl, br)).max(1.0) as u32;
    let height = dist(tl, bl).max(dist(tr, br)).max(1.0) as u32;
    let across = [
        (tr[0] - tl[0]) / width as f32,
        (tr[1] - tl[1]) / width as f32,
    ];
    let down = [
        (bl[0] - tl[0]) / height as f32,
        (bl[1] - tl[1]) / height as f32,
    ];
    let mut out = RgbImage::new(width, height);
    for (u, v, pixel) in out.enumerate_pixels_mut() {
        // Pixel centres map to pixel centres, as warpPerspective's do.
        let (fu, fv) = (u as f32 + 0.5, v as f32 + 0.5);
        let x = tl[0] + across[0] * fu + down[0] * fv - 0.5;
        let y = tl[1] + across[1] * fu + down[1] * fv - 0.5;
        let s = sample(image, x, y);
        *pixel = Rgb(s.map(|c| c.round().clamp(0.0, 255.0) as u8));
    }
    if height as f32 / width as f32 >= 1.5 {
        // np.rot90: a quarter turn counter-clockwise.
        image::imageops::rotate270(&out)
    } else {
        out
    }
}

/// `image` resized to `height` rows keeping its aspect (at most `max_width` columns), as a
/// `[1, 3, height, width]` tensor of `(v / 255 − 0.5) / 0.5` in BGR order, zero-padded on the
/// right to `width` (PaddleOCR's `resize_norm_img` for the recognizer and classifier).
pub fn line_tensor(image: &RgbImage, height: u32, width: u32) -> Result<Tensor> {
    let ratio = image.width() as f32 / image.height().max(1) as f32;
    let resized_w = ((height as f32 * ratio).ceil() as u32).clamp(1, width);
    let scaled;
    let resized = if image.dimensions() == (resized_w, height) {
        image
    } else {
        scaled = image::imageops::resize(
            image,
            resized_w,
            height,
            image::imageops::FilterType::Triangle,
        );
        &scaled
    };
    let plane = (height * width) as usize;
    let mut data = vec![0f32; 3 * plane];
    for (x, y, pixel) in resized.enumerate_pixels() {
        for (c, channel) in [2usize, 1, 0].into_iter().enumerate() {
            data[c * plane + (y * width + x) as usize] =
                (pixel.0[channel] as f32 / 255.0 - 0.5) / 0.5;
        }
    }
    Ok(Tensor::from_vec(
        data,
        (1, 3, height as usize, width as usize),
        &Device::Cpu,
    )?)
}

/// A quarter of a turn twice: the crop upside down.
pub fn rotate_half(image: &RgbImage) -> RgbImage {
    image::imageops::rotate180(image)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_axis_aligned_box_crops_its_pixels() {
        let image = RgbImage::from_fn(20, 10, |x, y| Rgb([x as u8 * 10, y as u8 * 20, 0]));
        let corners = [[4.0, 2.0], [12.0, 2.0], [12.0, 6.0], [4.0, 6.0]];
        let out = crop(&image, &corners);
        assert_eq!(out.dimensions(), (8, 4));
        assert_eq!(out.get_pixel(0, 0).0, [40, 40, 0]);
        assert_eq!(out.get_pixel(7, 3).0, [110, 100, 0]);
    }

    #[test]
    fn tall_crops_are_turned_to_read_across() {
        let image = RgbImage::from_pixel(30, 30, Rgb([9, 9, 9]));
        let out = crop(
            &image,
            &[[5.0, 0.0], [10.0, 0.0], [10.0, 20.0], [5.0, 20.0]],
        );
        assert_eq!(out.dimensions(), (20, 5));
    }

    #[test]
    fn lines_are_normalized_bgr_and_padded() {
        let image = RgbImage::from_pixel(10, 10, Rgb([255, 0, 0]));
        let t = line_tensor(&image, 48, 320).expect("tensor");
        assert_eq!(t.dims(), &[1, 3, 48, 320]);
        let v = t
            .flatten_all()
            .expect("flat")
            .to_vec1::<f32>()
            .expect("vec");
        let plane = 48 * 320;
        assert_eq!(v[0], -1.0); // blue
        assert_eq!(v[2 * plane], 1.0); // red
        assert_eq!(v[319], 0.0); // padding
    }
}
