//! Whether a forwarded request is handed to the offscreen document again after an attempt
//! failed: only when the document provably never took it, or when running it twice is harmless.
//! A chat or a summary sent twice would be generated twice, so it never is.

/// How one attempt to hand a request to the document ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    /// The request ended (its final reply was passed on) or its asker cancelled it.
    Done,
    /// The document never took it: no document listened, or it answered with no acceptance.
    NotTaken(String),
    /// The document took it, but its reply port never arrived.
    Unanswered,
    /// The document went away after it had started answering.
    Lost,
}

/// What the forwarder does next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    Stop,
    /// Hand it over again (after a short pause when the document may still be starting).
    Retry,
    /// Give up: the document never took it.
    Unavailable(String),
    /// Give up: the document took it and may still be running it, or ran part of it.
    Abandoned(&'static str),
}

/// The decision after `attempt` of `attempts`, for a request that is `idempotent` or not.
pub fn next(outcome: Attempt, idempotent: bool, attempt: u32, attempts: u32) -> Next {
    let last = attempt >= attempts;
    match outcome {
        Attempt::Done => Next::Stop,
        Attempt::NotTaken(why) if last => Next::Unavailable(why),
        Attempt::NotTaken(_) => Next::Retry,
        Attempt::Unanswered | Attempt::Lost if idempotent && !last => Next::Retry,
        Attempt::Unanswered => {
            Next::Abandoned("the engine took the request but its answer never arrived; ask again")
        }
        Attempt::Lost => Next::Abandoned(
            "the engine's document closed before answering; ask again to restart it",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_the_document_took_is_never_sent_again_unless_that_is_harmless() {
        // A chat whose reply port was late: the document is generating it already.
        assert!(matches!(
            next(Attempt::Unanswered, false, 1, 3),
            Next::Abandoned(_)
        ));
        assert!(matches!(
            next(Attempt::Lost, false, 1, 3),
            Next::Abandoned(_)
        ));
        assert_eq!(next(Attempt::Unanswered, true, 1, 3), Next::Retry);
        assert_eq!(next(Attempt::Lost, true, 2, 3), Next::Retry);
        assert!(matches!(
            next(Attempt::Lost, true, 3, 3),
            Next::Abandoned(_)
        ));
    }

    #[test]
    fn a_request_no_document_took_is_tried_again_then_reported() {
        let not_taken = || Attempt::NotTaken("no listener".into());
        assert_eq!(next(not_taken(), false, 1, 3), Next::Retry);
        assert_eq!(next(not_taken(), false, 2, 3), Next::Retry);
        assert_eq!(
            next(not_taken(), false, 3, 3),
            Next::Unavailable("no listener".into())
        );
        assert_eq!(next(Attempt::Done, false, 1, 3), Next::Stop);
    }
}
