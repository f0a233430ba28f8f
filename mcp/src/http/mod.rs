//! The Streamable HTTP transport's pure parts: reading Server-Sent Events, the headers every
//! request carries, and tool parameters mirrored into headers.

pub mod headers;
pub mod param_headers;
pub mod sse;

pub use headers::{HttpMethod, HttpRequest};
pub use sse::{SseEvent, SseParser};
