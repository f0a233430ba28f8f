//! Only our own pages may make privileged requests.

use protocol::*;

const ID: &str = "abcdefghijklmnopabcdefghijklmnop";

#[test]
fn classifies_senders() {
    let page = format!("chrome-extension://{ID}/ui/popup.html");
    assert_eq!(
        classify_sender(ID, Some(ID), Some(&page)),
        Origin::ExtensionPage
    );
    assert_eq!(
        classify_sender(ID, Some(ID), Some("https://evil.example/")),
        Origin::ContentScript
    );
    assert_eq!(classify_sender(ID, Some(ID), None), Origin::ContentScript);
    let lookalike = format!("https://chrome-extension.example/{ID}/");
    assert_eq!(
        classify_sender(ID, Some(ID), Some(&lookalike)),
        Origin::ContentScript
    );
    let other = "ponmlkjihgfedcbaponmlkjihgfedcba";
    let other_page = format!("chrome-extension://{other}/x.html");
    assert_eq!(
        classify_sender(ID, Some(other), Some(&other_page)),
        Origin::External
    );
    assert_eq!(classify_sender(ID, None, None), Origin::External);
}

#[test]
fn web_pages_get_nothing_privileged() {
    for request in Request::examples() {
        assert!(Origin::ExtensionPage.may_send(&request));
        assert!(!Origin::External.may_send(&request));
        let privileged = !matches!(request, Request::Ping);
        assert_eq!(Origin::ContentScript.may_send(&request), !privileged);
    }
}
