//! The architecture stratum: what a GGUF's network is and how it runs, over the kernels. The
//! hyper-parameters (`config`), the weights read one tensor at a time from a file or from the
//! chunks a wasm worker holds (`chunk_reader`), the decoder's graph, and the KV cache it writes.

mod chunk_reader;
mod config;
mod decoder;
mod kv_cache;

pub use chunk_reader::ChunkReader;
pub use config::{Activation, Arch, Config};
pub use decoder::{Decoder, Trace};
pub use kv_cache::KvCache;
