//! The options page's "About" card: version, what Lantern may access and why, where data lives.

use sycamore::prelude::*;

use crate::i18n::{t, t_with};

/// Every permission in manifest.json with the reason it is asked for (kept in step with README).
fn permissions() -> [(&'static str, String); 7] {
    [
        ("offscreen", t("permissionOffscreen")),
        ("sidePanel", t("permissionSidePanel")),
        ("activeTab", t("permissionActiveTab")),
        ("scripting", t("permissionScripting")),
        (
            "declarativeNetRequestWithHostAccess",
            t("permissionDeclarativeNetRequest"),
        ),
        ("127.0.0.1, localhost", t("permissionLocalhost")),
        ("http://*/*, https://*/*", t("permissionOptionalHosts")),
    ]
}

#[component]
pub fn About() -> View {
    let items = permissions()
        .into_iter()
        .map(|(name, why)| view! { li { strong { (name) } ": " (why) } })
        .collect::<Vec<_>>();
    view! {
        section(class="card", aria-labelledby="about-heading") {
            h2(id="about-heading") { (t_with("aboutHeading", &[protocol::VERSION])) }
            p { (t("aboutPrivacy")) }
            h3 { (t("aboutAccessHeading")) }
            ul(class="permissions") { (items) }
        }
    }
}
