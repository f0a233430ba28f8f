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
use crate::i18n::t;
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

    /// The page's title (the tab's name).
    pub fn title(self) -> String {
        match self {
            Surface::Popup | Surface::SidePanel => t("productName"),
            Surface::Options => t("titleOptions"),
            Surface::Welcome => t("titleWelcome"),
            Surface::Microphone => t("titleMicrophone"),
        }
    }

    fn subtitle(self) -> String {
        match self {
            Surface::Popup | Surface::SidePanel => t("subtitleChat"),
            Surface::Options => t("subtitleOptions"),
            Surface::Welcome => t("subtitleWelcome"),
            Surface::Microphone => t("subtitleMicrophone"),
        }
    }
}

#[component(inline_props)]
pub fn App(surface: Surface) -> View {
    let state = AppState::new();
    provide_context(state);
    // Every surface wears the theme chosen on the options page.
    wasm_bindgen_futures::spawn_local(async { apply_theme(Settings::load().await.theme) });
    // A theme chosen on the options page shows on every open page at once; a saved change may
    // have cleared the models too ("Clear all data"), so a list read before is read again.
    let watch = SettingsWatch::start(move |settings| {
        apply_theme(settings.theme);
        state.models.changed();
    });
    on_cleanup(move || drop(watch));
    // Each card in its own boundary: one that fails leaves the others working.
    let cards = match surface {
        Surface::Popup => view! {
            Boundary(name="Chat", title=t("chatHeading"), view=ChatView)
            Boundary(name="Engine", title=t("engineHeading"), view=EngineCard)
        },
        Surface::SidePanel => view! {
            Boundary(name="Summary", title=t("summaryHeading"), view=SummaryView)
            Boundary(name="Chat", title=t("chatHeading"), view=ChatView)
            Boundary(name="This page", title=t("pageHeading"), view=PageCard)
            Boundary(name="Engine", title=t("engineHeading"), view=EngineCard)
        },
        Surface::Options => view! {
            Boundary(name="Settings", title=t("settingsHeading"), view=SettingsCard)
            Boundary(name="Models", title=t("modelsHeading"), view=ModelsCard)
            Boundary(name="Engine", title=t("engineHeading"), view=EngineCard)
            Boundary(name="About", title=t("viewAbout"), view=About)
        },
        Surface::Welcome => view! {
            Boundary(name="Welcome", title=t("subtitleWelcome"), view=Welcome)
            Boundary(name="Engine", title=t("engineHeading"), view=EngineCard)
        },
        Surface::Microphone => {
            view! { Boundary(name="Microphone", title=t("subtitleMicrophone"), view=MicrophonePage) }
        }
    };
    view! {
        header(class="app-header") {
            img(class="logo", src="../icons/lantern-32.png", alt="", width="28", height="28")
            div {
                h1 { (t("productName")) }
                p(class="subtitle") { (surface.subtitle()) }
            }
        }
        main(class="cards") { (cards) }
    }
}
