//! Browser glue shared by Lantern's wasm crates (background, offscreen, popup): the
//! `chrome.runtime` port type, the JS <-> serde codec, and facts about the running context.
//! Nothing here knows what a request means; that is `protocol`'s job.

mod chrome;
mod codec;
mod context;
pub mod idb;
pub mod model_store;
mod port;
mod random;
mod requests;

pub use chrome::{ChromeEvent, MessageSender, Port, connect, extension_id, extension_url};
pub use codec::{from_js, peek_request, to_js, to_json};
pub use context::context_info;
pub use port::{PortEvent, PortLink};
pub use random::random_token;
pub use requests::{Cancel, PortRequests, Signals};
