//! The app's state: one `Copy` struct of signals, provided as context to every view.

use protocol::{EngineInfo, LanternError};
use sycamore::prelude::*;

use crate::client::Client;
use crate::model_list::Models;

/// Where a value fetched from the background stands.
#[derive(Clone, Debug, PartialEq)]
pub enum Fetch<T> {
    Loading,
    Ready(T),
    Failed(LanternError),
}

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

thread_local! {
    /// The page's one connection to the background. A thread-local rather than a context value:
    /// views call it from async tasks and event handlers, where no reactive scope is current.
    static CLIENT: Client = Client::default();
}

/// The app's one client, shared by every view.
pub fn client() -> Client {
    CLIENT.with(Client::clone)
}
