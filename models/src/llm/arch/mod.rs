//! The architecture stratum: what a GGUF's network is and how it runs, over the kernels, in the
//! shape of llama.cpp's `src/models/`. One file per architecture (`llama`, `qwen2`, `qwen3`,
//! `phi3`, `gemma3`) holds what it reads beyond the common hyper-parameters (`config`) and its
//! graph (`graph`), built of shared blocks (`blocks`) from tensors read one at a time
//! (`loader`, from a file or a `chunk_reader`). The `decoder` runs the graph between the token
//! embeddings and the logits and writes the `kv_cache`.

mod blocks;
mod chunk_reader;
mod config;
mod decoder;
mod gemma3;
mod graph;
mod kv_cache;
mod llama;
mod loader;
mod phi3;
mod qwen2;
mod qwen3;

pub use blocks::Activation;
pub use chunk_reader::ChunkReader;
pub use config::{Arch, Config};
pub use decoder::Decoder;
pub use graph::Trace;
pub use kv_cache::KvCache;
