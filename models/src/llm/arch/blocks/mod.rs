//! The blocks the architectures' graphs are built of, as llama.cpp's `llm_graph_context` builds
//! them (`build_norm`, `build_attn`, `build_ffn`): each loads its tensors by llama.cpp's names
//! and calls the kernels for its arithmetic. A `layer` joins them into a decoder layer.

mod attention;
mod ffn;
mod layer;
mod norm;

pub use attention::SelfAttention;
pub use ffn::{Activation, Ffn};
pub use layer::Layer;
pub use norm::RmsNorm;
