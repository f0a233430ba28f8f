//! The keys of the handoffs the document took lately, so a request that must not run twice (a
//! chat, a summary) is refused when the background hands it over again. Bounded: a key matters
//! only for the seconds a handoff may be retried.

use std::collections::{HashSet, VecDeque};

/// How many keys are remembered; far more than requests can be in flight at once.
const REMEMBERED: usize = 512;

#[derive(Debug, Default)]
pub struct Taken {
    order: VecDeque<u64>,
    keys: HashSet<u64>,
}

impl Taken {
    /// Notes `key` as taken; whether it is the first time.
    pub fn take(&mut self, key: u64) -> bool {
        if !self.keys.insert(key) {
            return false;
        }
        self.order.push_back(key);
        if self.order.len() > REMEMBERED
            && let Some(oldest) = self.order.pop_front()
        {
            self.keys.remove(&oldest);
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_taken_once_and_old_keys_are_forgotten() {
        let mut taken = Taken::default();
        assert!(taken.take(7));
        assert!(!taken.take(7), "the same handoff again is refused");
        assert!(taken.take(8));
        for key in 100..100 + REMEMBERED as u64 {
            assert!(taken.take(key));
        }
        assert!(taken.take(7), "forgotten after {REMEMBERED} newer keys");
        assert_eq!(taken.keys.len(), REMEMBERED);
    }
}
