//! Routing decisions over untrusted messages, without a browser.

use background::router::{Route, refuse_external, route};
use protocol::{ErrorCode, Origin, Reply, Request, Target};
use serde_json::json;

fn error_code(route: Route) -> ErrorCode {
    match route {
        Route::Reject(Reply::Throw { error, .. }) => error.code,
        other => panic!("expected a rejection, got {other:?}"),
    }
}

#[test]
fn routes_each_target_to_its_handler() {
    let ping = json!({"id": 1, "target": "background", "body": {"type": "ping"}});
    assert!(
        matches!(route(&ping, Origin::ExtensionPage), Route::Local(e) if e.body == Request::Ping)
    );
    let info = json!({"id": 2, "target": "offscreen", "body": {"type": "engine_info"}});
    assert!(
        matches!(route(&info, Origin::ExtensionPage), Route::Offscreen(e) if e.target == Target::Offscreen)
    );
    let page = json!({"id": 3, "target": "content", "body": {"type": "page_info"}});
    assert!(matches!(
        route(&page, Origin::ExtensionPage),
        Route::Content(_)
    ));
}

#[test]
fn malformed_messages_are_rejected_with_their_code() {
    let unknown = json!({"id": 1, "target": "background", "body": {"type": "nope"}});
    assert_eq!(
        error_code(route(&unknown, Origin::ExtensionPage)),
        ErrorCode::UnknownType
    );
    let wrong = json!({"id": 1, "target": "content", "body": {"type": "ping"}});
    assert_eq!(
        error_code(route(&wrong, Origin::ExtensionPage)),
        ErrorCode::WrongTarget
    );
}

#[test]
fn web_pages_are_refused_privileged_requests() {
    let info = json!({"id": 5, "target": "offscreen", "body": {"type": "engine_info"}});
    match route(&info, Origin::ContentScript) {
        Route::Reject(Reply::Throw { id, error }) => {
            assert_eq!(id, Some(5));
            assert_eq!(error.code, ErrorCode::Forbidden);
            assert!(error.message.contains("web page"), "{}", error.message);
        }
        other => panic!("{other:?}"),
    }
    let ping = json!({"id": 6, "target": "background", "body": {"type": "ping"}});
    assert!(matches!(
        route(&ping, Origin::ContentScript),
        Route::Local(_)
    ));
    assert_eq!(
        error_code(route(&ping, Origin::External)),
        ErrorCode::Forbidden
    );
}

#[test]
fn external_messages_are_always_refused() {
    let reply = refuse_external(Some(8), "ping");
    match reply {
        Reply::Throw { id, error } => {
            assert_eq!(id, Some(8));
            assert_eq!(error.code, ErrorCode::Forbidden);
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        refuse_external(None, "message"),
        Reply::Throw { id: None, .. }
    ));
}
