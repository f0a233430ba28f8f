//! The welcome page shown once after install.

use sycamore::prelude::*;

use crate::i18n::t;

#[component]
pub fn Welcome() -> View {
    view! {
        section(class="card", aria-labelledby="welcome-heading") {
            h2(id="welcome-heading") { (t("welcomeHeading")) }
            p { (t("welcomeIntro")) }
            ul {
                li { (t("welcomeToolbar")) }
                li { kbd { "Alt" } "+" kbd { (t("keyShift")) } "+" kbd { "L" } " " (t("welcomeSidePanelKey")) }
                li { kbd { "Alt" } "+" kbd { (t("keyShift")) } "+" kbd { "V" } " " (t("welcomeVoiceKey")) }
            }
        }
    }
}
