//! How long a client waits before its next try at one account's password
//! after failing there: a few free tries, then a wait that doubles with
//! each failure, up to a cap. Counted per (account, client address), so a
//! stranger guessing from one address slows only that address down, and
//! the owner signing in from anywhere else is not locked out.

use chrono::{Duration, NaiveDateTime};

/// Failed tries an address has at one account before any wait.
pub const FREE_TRIES: usize = 5;
/// The wait after the last free try; each further failure doubles it.
pub const FIRST_WAIT_SECONDS: i64 = 30;
/// The longest wait.
pub const LONGEST_WAIT_MINUTES: i64 = 15;
/// How long a failure is remembered: longer than the longest wait, so an
/// address that keeps guessing stays at the longest wait.
pub const MEMORY_MINUTES: i64 = 60;

/// The wait after `failures` failed tries, counted from the last one.
pub fn wait_after(failures: usize) -> Duration {
    let longest = Duration::minutes(LONGEST_WAIT_MINUTES);
    let Some(beyond) = failures.checked_sub(FREE_TRIES) else {
        return Duration::zero();
    };
    // 2^5 × 30 s already passes the cap; larger shifts would only overflow.
    let doubled = FIRST_WAIT_SECONDS << beyond.min(6);
    Duration::seconds(doubled).min(longest)
}

/// How long until the next try is allowed, given the remembered failures
/// of one (account, address); `None` when it may try now.
pub fn retry_in(failures: &[NaiveDateTime], now: NaiveDateTime) -> Option<Duration> {
    let last = *failures.iter().max()?;
    let until = last + wait_after(failures.len());
    (until > now).then(|| until - now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(seconds: i64) -> NaiveDateTime {
        chrono::DateTime::from_timestamp(1_800_000_000 + seconds, 0)
            .expect("in range")
            .naive_utc()
    }

    #[test]
    fn free_tries_then_doubling_waits() {
        assert_eq!(wait_after(FREE_TRIES - 1), Duration::zero());
        assert_eq!(wait_after(FREE_TRIES), Duration::seconds(30));
        assert_eq!(wait_after(FREE_TRIES + 1), Duration::seconds(60));
        assert_eq!(wait_after(FREE_TRIES + 10), Duration::minutes(15));
        let five: Vec<_> = (0..5).map(at).collect();
        assert_eq!(retry_in(&five, at(4)), Some(Duration::seconds(30)));
        assert_eq!(retry_in(&five, at(34)), None);
        assert_eq!(retry_in(&five[..4], at(4)), None);
    }

    proptest! {
        #[test]
        fn waits_grow_and_stay_capped(n in 0usize..10_000) {
            prop_assert!(wait_after(n) <= wait_after(n + 1));
            prop_assert!(wait_after(n) <= Duration::minutes(LONGEST_WAIT_MINUTES));
            prop_assert!(Duration::minutes(MEMORY_MINUTES) > wait_after(n));
        }

        #[test]
        fn the_wait_never_passes_the_cap(ages in proptest::collection::vec(0i64..3600, 0..40), now in 3600i64..7200) {
            // Failures are in the past, at most an hour ago.
            let failures: Vec<_> = ages.into_iter().map(|age| at(now - age)).collect();
            match retry_in(&failures, at(now)) {
                Some(wait) => {
                    prop_assert!(wait > Duration::zero());
                    prop_assert!(wait <= Duration::minutes(LONGEST_WAIT_MINUTES));
                    prop_assert!(failures.len() >= FREE_TRIES);
                }
                None => prop_assert!(failures.len() < FREE_TRIES || failures.iter().all(|f| *f + wait_after(failures.len()) <= at(now))),
            }
        }
    }
}
