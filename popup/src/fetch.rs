//! Where a value fetched from the background stands, for views that show it.

use protocol::LanternError;

/// Where a value fetched from the background stands.
#[derive(Clone, Debug, PartialEq)]
pub enum Fetch<T> {
    Loading,
    Ready(T),
    Failed(LanternError),
}
