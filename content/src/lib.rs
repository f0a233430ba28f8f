//! Lantern's page understanding in plain Rust: the extractor that finds a page's readable text in
//! the DOM snapshot the content script (`static/content.js`, plain JS, no wasm) sends. It runs in
//! the extension (offscreen document) and in the `lantern` CLI alike.
