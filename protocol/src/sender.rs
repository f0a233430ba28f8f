//! Who sent a message, and what each kind of sender may ask for.

use crate::request::Request;

/// Where a message came from, as far as the browser tells us.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A page of this extension: popup, side panel, options, welcome, offscreen.
    ExtensionPage,
    /// A content script of ours, running inside a web page: it speaks for that page.
    ContentScript,
    /// Another extension or a web page reaching us from outside.
    External,
}

impl Origin {
    pub fn describe(self) -> &'static str {
        match self {
            Origin::ExtensionPage => "an extension page",
            Origin::ContentScript => "a web page",
            Origin::External => "outside Lantern",
        }
    }

    /// Whether this sender may make this request. Web pages get nothing privileged: a page could
    /// drive its content script, so whatever a content script may ask, any page may ask.
    pub fn may_send(self, request: &Request) -> bool {
        match self {
            Origin::ExtensionPage => true,
            Origin::ContentScript => !request.kind().privileged,
            Origin::External => false,
        }
    }
}

/// Classifies a `chrome.runtime.MessageSender` from its extension id and URL. A sender with our id
/// is one of our pages only when its URL is under our own origin; otherwise it is our content
/// script inside someone else's page.
pub fn classify_sender(our_id: &str, sender_id: Option<&str>, sender_url: Option<&str>) -> Origin {
    if sender_id != Some(our_id) {
        return Origin::External;
    }
    let our_origin = format!("chrome-extension://{our_id}/");
    match sender_url {
        Some(url) if url.starts_with(&our_origin) => Origin::ExtensionPage,
        _ => Origin::ContentScript,
    }
}

/// Where the offscreen document lives inside the extension.
pub const OFFSCREEN_DOCUMENT_PATH: &str = "offscreen/offscreen.html";

/// Whether a sender is our offscreen document: the only context that may open an engine reply
/// port. Content scripts share our id, so the URL decides.
pub fn is_offscreen_document(
    our_id: &str,
    sender_id: Option<&str>,
    sender_url: Option<&str>,
) -> bool {
    let Some(url) = sender_url else {
        return false;
    };
    let expected = format!("chrome-extension://{our_id}/{OFFSCREEN_DOCUMENT_PATH}");
    sender_id == Some(our_id)
        && url
            .strip_prefix(&expected)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(['?', '#']))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "hmjhloekmgbdcholpmikohejabfclkof";

    #[test]
    fn only_the_offscreen_document_is_the_offscreen_document() {
        let doc = format!("chrome-extension://{ID}/offscreen/offscreen.html");
        assert!(is_offscreen_document(ID, Some(ID), Some(&doc)));
        for (id, url) in [
            (
                Some(ID),
                Some(format!("chrome-extension://{ID}/ui/popup.html")),
            ),
            (
                Some(ID),
                Some("https://evil.example/offscreen/offscreen.html".to_string()),
            ),
            (Some(ID), Some(format!("{doc}.evil"))),
            (Some("otherextensionid"), Some(doc.clone())),
            (Some(ID), None),
        ] {
            assert!(!is_offscreen_document(ID, id, url.as_deref()), "{url:?}");
        }
    }
}
