//! The views: an app shell per surface: the chat filling the popup and the side panel, small
//! cards on the options, welcome and microphone pages.

mod about;
mod boundary;
mod chat;
mod chat_tools;
mod dictate;
mod engine_card;
mod error_text;
mod files_panel;
mod microphone;
mod models_card;
mod servers_card;
mod settings_card;
mod shell;
mod speech_card;
mod tools_card;
mod voice;
mod welcome;

pub use error_text::ui_error;
pub use shell::{App, Surface};
