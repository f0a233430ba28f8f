//! The arithmetic under the model graphs, apart from them as llama.cpp keeps it apart in
//! `ggml/src/ggml-cpu/`: the quantized weight products (`qmatmul` over the GGUF block types of
//! `qblocks32` and `qblocks_k`, with activations rounded by `q8_act` and integer dot products
//! per instruction set in `dot_i16`, weight bits widened per instruction set in `widen`), and
//! in plain f32 the norms, RoPE, softmax and attention (`vec_f32`, `rms_norm`, `rope`,
//! `attention`), the 1-D convolutions of speech out (`conv1d`), the 2-D ones of OCR (`conv2d`), and `speed_probe`, how fast
//! this machine runs them. Nothing here knows a model; the speed work (SIMD, threads) happens
//! here, under the graphs.

pub(crate) mod attention;
pub(crate) mod conv1d;
pub(crate) mod conv2d;
mod dot_i16;
mod q8_act;
mod qblocks32;
mod qblocks_k;
mod qformat;
pub(crate) mod qmatmul;
pub(crate) mod rms_norm;
pub(crate) mod rope;
pub mod speed_probe;
pub(crate) mod vec_f32;
mod widen;

// The kernel tests run in headless Chromium too, on the SIMD128 code the extension ships
// (`cargo test --target wasm32-unknown-unknown -p models`).
#[cfg(all(test, target_arch = "wasm32"))]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
