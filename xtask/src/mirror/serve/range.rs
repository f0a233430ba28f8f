//! The `Range` request header, as RFC 9110 §14 has a single-file server read it.

/// What to send for a request on a file of a known length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    /// The whole file (no Range, or one we may ignore: another unit, several ranges, or a
    /// malformed one).
    Full,
    /// Bytes `start..=end` of the file (206).
    Part { start: u64, end: u64 },
    /// The range starts past the end (416).
    Unsatisfiable,
}

pub fn plan(range: Option<&str>, len: u64) -> Plan {
    let Some(spec) = range.and_then(|r| r.trim().strip_prefix("bytes=")) else {
        return Plan::Full;
    };
    if spec.contains(',') {
        return Plan::Full;
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return Plan::Full;
    };
    let number = |text: &str| -> Option<Option<u64>> {
        let text = text.trim();
        if text.is_empty() {
            return Some(None);
        }
        if !text.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        text.parse().ok().map(Some)
    };
    let (Some(first), Some(last)) = (number(first), number(last)) else {
        return Plan::Full;
    };
    match (first, last) {
        // `bytes=-N`: the last N bytes.
        (None, Some(suffix)) => {
            if suffix == 0 || len == 0 {
                Plan::Unsatisfiable
            } else {
                Plan::Part {
                    start: len.saturating_sub(suffix),
                    end: len - 1,
                }
            }
        }
        (Some(start), last) => {
            if last.is_some_and(|last| last < start) {
                Plan::Full
            } else if start >= len {
                Plan::Unsatisfiable
            } else {
                let end = last.map_or(len - 1, |last| last.min(len - 1));
                Plan::Part { start, end }
            }
        }
        (None, None) => Plan::Full,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_three_forms() {
        assert_eq!(
            plan(Some("bytes=10-19"), 100),
            Plan::Part { start: 10, end: 19 }
        );
        assert_eq!(
            plan(Some("bytes=90-"), 100),
            Plan::Part { start: 90, end: 99 }
        );
        assert_eq!(
            plan(Some("bytes=-30"), 100),
            Plan::Part { start: 70, end: 99 }
        );
        assert_eq!(
            plan(Some("bytes=-300"), 100),
            Plan::Part { start: 0, end: 99 }
        );
        assert_eq!(
            plan(Some("bytes=95-500"), 100),
            Plan::Part { start: 95, end: 99 }
        );
    }

    #[test]
    fn past_the_end_is_unsatisfiable() {
        assert_eq!(plan(Some("bytes=100-"), 100), Plan::Unsatisfiable);
        assert_eq!(plan(Some("bytes=100-200"), 100), Plan::Unsatisfiable);
        assert_eq!(plan(Some("bytes=-0"), 100), Plan::Unsatisfiable);
        assert_eq!(plan(Some("bytes=0-"), 0), Plan::Unsatisfiable);
    }

    #[test]
    fn ignores_what_it_may_ignore() {
        for header in [
            None,
            Some("items=0-1"),
            Some("bytes=0-1,5-6"),
            Some("bytes=9-3"),
            Some("bytes=a-b"),
            Some("bytes=+1-2"),
            Some("bytes=-"),
            Some("bytes=5"),
        ] {
            assert_eq!(plan(header, 100), Plan::Full, "{header:?}");
        }
    }
}
