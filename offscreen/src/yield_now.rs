//! Giving the worker's event loop a turn between two model steps, so `stop_chat` and other
//! messages get in. A zero-delay timer would do it too, but browsers clamp nested timers to
//! 4 ms, which is several percent of a token at small-model speeds; a message posted to
//! ourselves through a `MessageChannel` runs as the next task without that clamp.

use js_sys::Promise;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::MessageChannel;

/// Resolves after every task already queued (messages from the document included) has run.
pub async fn yield_now() {
    let Ok(channel) = MessageChannel::new() else {
        // No channels in this context: a timer still yields, only with the clamp.
        gloo_timers::future::TimeoutFuture::new(0).await;
        return;
    };
    let receiver = channel.port1();
    let promise = Promise::new(&mut |resolve, _reject| {
        receiver.set_onmessage(Some(resolve.unchecked_ref()));
    });
    let _ = channel.port2().post_message(&JsValue::NULL);
    let _ = JsFuture::from(promise).await;
    receiver.set_onmessage(None);
    receiver.close();
    channel.port2().close();
}
