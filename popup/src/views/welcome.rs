//! The welcome page shown once after install.

use sycamore::prelude::*;

#[component]
pub fn Welcome() -> View {
    view! {
        section(class="card", aria-labelledby="welcome-heading") {
            h2(id="welcome-heading") { "Your assistant lives in this browser" }
            p { "Lantern runs its AI models on this computer. Nothing you say, type, show or read is sent anywhere." }
            ul {
                li { "Click the Lantern icon in the toolbar for a quick question." }
                li { kbd { "Alt" } "+" kbd { "Shift" } "+" kbd { "L" } " opens Lantern beside the page." }
                li { kbd { "Alt" } "+" kbd { "Shift" } "+" kbd { "V" } " starts a voice command." }
            }
        }
    }
}
