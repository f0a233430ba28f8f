//! The app's state: one `Copy` struct of signals, provided as context to every view.

use protocol::EngineInfo;
use sycamore::prelude::*;

pub use crate::client::shared as client;
pub use crate::fetch::Fetch;
use crate::model_list::Models;

#[derive(Clone, Copy)]
pub struct AppState {
    pub engine: Signal<Fetch<EngineInfo>>,
    /// How many engine checks succeeded since the page opened.
    pub engine_checks: Signal<u32>,
    /// The catalog's models as this browser has them, shared by every view of the page.
    pub models: Models,
}

impl AppState {
    pub fn new() -> AppState {
        AppState {
            engine: create_signal(Fetch::Loading),
            engine_checks: create_signal(0),
            models: Models::new(),
        }
    }
}
