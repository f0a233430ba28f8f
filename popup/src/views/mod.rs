//! The views: an app shell per surface, built from small cards.

mod about;
mod chat;
mod chat_tools;
mod engine_card;
mod models_card;
mod page_card;
mod shell;
mod welcome;

pub use shell::{App, Surface};
