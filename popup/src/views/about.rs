//! The options page's "About" card: version, what Lantern may access and why, where data lives.

use sycamore::prelude::*;

/// Every permission in manifest.json with the reason it is asked for (kept in step with README).
const PERMISSIONS: [(&str, &str); 5] = [
    (
        "offscreen",
        "runs the AI models in a hidden page of the extension, off the main thread",
    ),
    ("sidePanel", "shows Lantern beside the page you are reading"),
    (
        "activeTab",
        "reads the current tab only when you click Lantern or use its shortcut",
    ),
    (
        "scripting",
        "puts the small page reader into that tab at that moment",
    ),
    (
        "127.0.0.1 and localhost",
        "downloads models from, and talks to tool servers on, your own computer",
    ),
];

#[component]
pub fn About() -> View {
    let items = PERMISSIONS
        .iter()
        .map(|(name, why)| view! { li { strong { (*name) } ": " (*why) } })
        .collect::<Vec<_>>();
    view! {
        section(class="card", aria-labelledby="about-heading") {
            h2(id="about-heading") { "About Lantern " (protocol::VERSION) }
            p { "Everything you say, type, show or read stays in this browser. Models run on this device; "
                "the only network traffic is downloading models and talking to servers you add." }
            h3 { "What Lantern may access, and why" }
            ul(class="permissions") { (items) }
        }
    }
}
