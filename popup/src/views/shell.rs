//! The shell every surface shares. The popup and the side panel are the chat, filling the
//! page; the options, welcome and microphone pages are a header over the cards they show.

use sycamore::prelude::*;

use super::about::About;
use super::boundary::Boundary;
use super::chat::ChatView;
use super::engine_card::EngineCard;
use super::microphone::MicrophonePage;
use super::models_card::ModelsCard;
use super::servers_card::ServersCard;
use super::settings_card::SettingsCard;
use super::speech_card::SpeechCard;
use super::tools_card::ToolsCard;
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

    /// The line under the header's name; the chat surfaces have no such header.
    fn subtitle(self) -> Option<String> {
        match self {
            Surface::Popup | Surface::SidePanel => None,
            Surface::Options => Some(t("subtitleOptions")),
            Surface::Welcome => Some(t("subtitleWelcome")),
            Surface::Microphone => Some(t("subtitleMicrophone")),
        }
    }
}

#[component(inline_props)]
pub fn App(surface: Surface) -> View {
    let state = AppState::new();
    provide_context(state);
    provide_context(surface);
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
        Surface::Popup | Surface::SidePanel => {
            return view! {
                main(class="chat-surface") {
                    Boundary(name="Chat", title=t("chatHeading"), view=ChatView)
                }
            };
        }
        Surface::Options => view! {
            Boundary(name="Settings", title=t("settingsHeading"), view=SettingsCard)
            Boundary(name="Speech", title=t("speechOutHeading"), view=SpeechCard)
            Boundary(name="Models", title=t("modelsHeading"), view=ModelsCard)
            Boundary(name="Tools", title=t("toolsHeading"), view=ToolsCard)
            Boundary(name="Servers", title=t("serversHeading"), view=ServersCard)
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
                (surface.subtitle().map(|line| view! { p(class="subtitle") { (line) } }))
            }
        }
        main(class="cards") { (cards) }
    }
}
