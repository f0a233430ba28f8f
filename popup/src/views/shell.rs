//! The shell every surface shares: header, then the cards that surface shows.

use sycamore::prelude::*;

use super::about::About;
use super::boundary::Boundary;
use super::chat::ChatView;
use super::engine_card::EngineCard;
use super::microphone::MicrophonePage;
use super::models_card::ModelsCard;
use super::page_card::PageCard;
use super::settings_card::SettingsCard;
use super::summary::SummaryView;
use super::welcome::Welcome;
use crate::settings::{Settings, SettingsWatch, apply_theme};
use crate::state::AppState;

/// The pages the app is mounted in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Surface {
    Popup,
    SidePanel,
    Options,
    Welcome,
    /// Asks for the microphone once, for dictation.
    Microphone,
}

impl Surface {
    pub fn from_name(name: &str) -> Option<Surface> {
        match name {
            "popup" => Some(Surface::Popup),
            "sidepanel" => Some(Surface::SidePanel),
            "options" => Some(Surface::Options),
            "welcome" => Some(Surface::Welcome),
            "microphone" => Some(Surface::Microphone),
            _ => None,
        }
    }

    fn subtitle(self) -> &'static str {
        match self {
            Surface::Popup | Surface::SidePanel => "Private AI, on this device",
            Surface::Options => "Settings",
            Surface::Welcome => "Welcome",
            Surface::Microphone => "Microphone",
        }
    }
}

#[component(inline_props)]
pub fn App(surface: Surface) -> View {
    provide_context(AppState::new());
    // Every surface wears the theme chosen on the options page.
    wasm_bindgen_futures::spawn_local(async { apply_theme(Settings::load().await.theme) });
    // A theme chosen on the options page shows on every open page at once.
    let watch = SettingsWatch::start(|settings| apply_theme(settings.theme));
    on_cleanup(move || drop(watch));
    // Each card in its own boundary: one that fails leaves the others working.
    let cards = match surface {
        Surface::Popup => view! {
            Boundary(title="Chat", view=ChatView)
            Boundary(title="Engine", view=EngineCard)
        },
        Surface::SidePanel => view! {
            Boundary(title="Summary", view=SummaryView)
            Boundary(title="Chat", view=ChatView)
            Boundary(title="This page", view=PageCard)
            Boundary(title="Engine", view=EngineCard)
        },
        Surface::Options => view! {
            Boundary(title="Settings", view=SettingsCard)
            Boundary(title="Models", view=ModelsCard)
            Boundary(title="Engine", view=EngineCard)
            Boundary(title="About", view=About)
        },
        Surface::Welcome => view! {
            Boundary(title="Welcome", view=Welcome)
            Boundary(title="Engine", view=EngineCard)
        },
        Surface::Microphone => view! { Boundary(title="Microphone", view=MicrophonePage) },
    };
    view! {
        header(class="app-header") {
            img(class="logo", src="../icons/lantern-32.png", alt="", width="28", height="28")
            div {
                h1 { "Lantern" }
                p(class="subtitle") { (surface.subtitle()) }
            }
        }
        main(class="cards") { (cards) }
    }
}
