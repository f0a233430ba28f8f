//! Vision: images in, text out. `image` decodes what users hand in (PNG, JPEG, WebP) into
//! pixels with clear errors; `ocr` reads the text in them with PaddleOCR's networks.

pub mod image;
pub mod ocr;
