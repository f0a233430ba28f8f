//! The arithmetic under the model graphs, apart from them as llama.cpp keeps it apart in
//! `ggml/src/ggml-cpu/`: weight products, norms, RoPE, softmax and attention, each rounding where
//! llama.cpp's CPU backend rounds so the LLM's tokens and logits are llama.cpp's, bit for bit.
//! Nothing here knows a model; the speed work (SIMD, threads) happens here, under the graphs.

pub(crate) mod attention;
pub(crate) mod block_matmul;
pub(crate) mod ggml_math;
pub(crate) mod rms_norm;
pub(crate) mod rope;
