//! Decoding an image file's bytes into RGB pixels: PNG, JPEG and WebP (what pages, screenshots
//! and cameras give), sniffed from the bytes rather than trusted from a name. A corrupt file, an
//! unsupported format and an image too big to decode safely each get their own message; images
//! under the limit but bigger than the networks need are scaled down later, per network.

use image::{ImageFormat, ImageReader, Limits, RgbImage};

use crate::{ModelError, Result};

/// The most pixels decoded (100 megapixels, 300 MB as RGB): far above any screen or camera
/// frame, below what would exhaust a wasm32 worker's memory.
pub const MAX_PIXELS: u64 = 100_000_000;

/// The longest side an image is read at. A photo or a long screenshot can be far bigger; its
/// copies (the crops, the detector's input) stay small, and the detector reads at most
/// `ocr::MAX_SIDE` anyway, so pixels beyond this only cost memory and time.
pub const READ_SIDE: u32 = 4096;

/// The formats read, by name, for messages.
const SUPPORTED: &str = "PNG, JPEG or WebP";

/// Decodes `bytes` as a PNG, JPEG or WebP image.
pub fn decode(bytes: &[u8]) -> Result<RgbImage> {
    if bytes.is_empty() {
        return Err(ModelError::BadImage("the file is empty".into()));
    }
    let format = image::guess_format(bytes).map_err(|_| {
        ModelError::BadImage(format!("not an image Lantern reads (expected {SUPPORTED})"))
    })?;
    if !matches!(
        format,
        ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::WebP
    ) {
        return Err(ModelError::BadImage(format!(
            "{} images are not supported (expected {SUPPORTED})",
            format
                .extensions_str()
                .first()
                .copied()
                .unwrap_or("this kind of")
                .to_uppercase()
        )));
    }
    let mut reader = ImageReader::with_format(std::io::Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_alloc = Some(MAX_PIXELS * 4);
    reader.limits(limits.clone());
    let (width, height) = reader
        .into_dimensions()
        .map_err(|e| ModelError::BadImage(format!("the image is damaged: {e}")))?;
    if width as u64 * height as u64 > MAX_PIXELS {
        return Err(ModelError::BadImage(format!(
            "the image is {width} x {height} pixels; the most Lantern reads is {} megapixels",
            MAX_PIXELS / 1_000_000
        )));
    }
    let mut reader = ImageReader::with_format(std::io::Cursor::new(bytes), format);
    reader.limits(limits);
    let decoded = reader
        .decode()
        .map_err(|e| ModelError::BadImage(format!("the image is damaged: {e}")))?;
    Ok(decoded.to_rgb8())
}

/// `image` scaled down (keeping its aspect) so its longer side is at most `max_side`, and the
/// factor that maps the scaled pixels back to the original ones (1 when it already fits).
pub fn fit_within(image: RgbImage, max_side: u32) -> (RgbImage, f32) {
    let (width, height) = image.dimensions();
    let longer = width.max(height);
    if longer <= max_side || max_side == 0 {
        return (image, 1.0);
    }
    let ratio = max_side as f64 / longer as f64;
    let side = |n: u32| ((n as f64 * ratio).round() as u32).clamp(1, max_side);
    let scaled = image::imageops::resize(
        &image,
        side(width),
        side(height),
        image::imageops::FilterType::Triangle,
    );
    (scaled, (longer as f64 / max_side as f64) as f32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let image = RgbImage::from_pixel(width, height, image::Rgb([200, 10, 10]));
        let mut out = std::io::Cursor::new(Vec::new());
        image.write_to(&mut out, ImageFormat::Png).expect("encodes");
        out.into_inner()
    }

    #[test]
    fn decodes_a_png() {
        let image = decode(&png(5, 3)).expect("decodes");
        assert_eq!(image.dimensions(), (5, 3));
        assert_eq!(image.get_pixel(4, 2).0, [200, 10, 10]);
    }

    #[test]
    fn a_big_image_is_scaled_down_to_fit_and_a_small_one_kept() {
        let (small, factor) = fit_within(RgbImage::new(300, 200), 4096);
        assert_eq!((small.dimensions(), factor), ((300, 200), 1.0));
        let (tall, factor) = fit_within(RgbImage::new(1000, 8000), 4096);
        assert_eq!(tall.dimensions(), (512, 4096));
        assert!((factor - 8000.0 / 4096.0).abs() < 1e-6);
        let (line, _) = fit_within(RgbImage::new(10_000, 3), 100);
        assert_eq!(line.dimensions(), (100, 1), "never zero pixels high");
    }

    #[test]
    fn each_bad_input_says_what_is_wrong() {
        let message = |bytes: &[u8]| decode(bytes).expect_err("refused").to_string();
        assert!(message(&[]).contains("empty"));
        assert!(message(b"hello, this is text").contains("PNG, JPEG or WebP"));
        let mut cut = png(40, 40);
        cut.truncate(cut.len() / 2);
        assert!(message(&cut).contains("damaged"), "{}", message(&cut));
        assert!(message(b"GIF89a\x01\x00\x01\x00\x00\x00\x00").contains("GIF"));
    }
}
