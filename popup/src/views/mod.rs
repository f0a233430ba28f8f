//! The views: an app shell per surface, built from small cards.

mod about;
mod boundary;
mod chat;
mod chat_tools;
mod dictate;
mod engine_card;
mod error_text;
mod microphone;
mod models_card;
mod page_card;
mod settings_card;
mod shell;
mod summary;
mod welcome;

pub use shell::{App, Surface};
