//! Half-open time intervals `[start, end)` in UTC: 09:00-10:00 and
//! 10:00-11:00 do not overlap.

use chrono::{DateTime, Duration, Utc};

use super::Invalid;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Interval {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl Interval {
    /// An interval; `start` must be before `end`.
    pub fn new(start: DateTime<Utc>, end: DateTime<Utc>) -> Result<Interval, Invalid> {
        if start < end {
            Ok(Interval { start, end })
        } else {
            Err(Invalid::field("ends_at", "must be after starts_at"))
        }
    }

    /// For callers that have already ordered the ends.
    pub fn of(start: DateTime<Utc>, end: DateTime<Utc>) -> Interval {
        debug_assert!(start <= end);
        Interval { start, end }
    }

    pub fn overlaps(&self, other: &Interval) -> bool {
        self.start < other.end && other.start < self.end
    }

    pub fn contains(&self, other: &Interval) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    pub fn contains_instant(&self, t: DateTime<Utc>) -> bool {
        self.start <= t && t < self.end
    }

    pub fn duration(&self) -> Duration {
        self.end - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.start >= self.end
    }

    /// The overlap of two intervals, if any.
    pub fn intersect(&self, other: &Interval) -> Option<Interval> {
        let start = self.start.max(other.start);
        let end = self.end.min(other.end);
        (start < end).then_some(Interval { start, end })
    }
}

/// Removes `cuts` from `from`: what is left, in order. `cuts` need not be
/// sorted or disjoint.
pub fn subtract(from: &[Interval], cuts: &[Interval]) -> Vec<Interval> {
    let mut cuts: Vec<Interval> = cuts.iter().copied().filter(|c| !c.is_empty()).collect();
    cuts.sort();
    let mut out = Vec::new();
    for piece in from {
        let mut cursor = piece.start;
        for cut in cuts.iter().filter(|c| c.overlaps(piece)) {
            if cut.start > cursor {
                out.push(Interval::of(cursor, cut.start));
            }
            cursor = cursor.max(cut.end);
            if cursor >= piece.end {
                break;
            }
        }
        if cursor < piece.end {
            out.push(Interval::of(cursor, piece.end));
        }
    }
    out
}

#[cfg(test)]
pub mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    pub fn at(minutes: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap() + Duration::minutes(minutes)
    }

    pub fn interval() -> impl Strategy<Value = Interval> {
        (0i64..2000, 1i64..300).prop_map(|(s, len)| Interval::of(at(s), at(s + len)))
    }

    #[test]
    fn adjacent_intervals_do_not_overlap() {
        let nine_ten = Interval::of(at(540), at(600));
        let ten_eleven = Interval::of(at(600), at(660));
        assert!(!nine_ten.overlaps(&ten_eleven));
        assert!(Interval::new(at(5), at(5)).is_err());
    }

    proptest! {
        #[test]
        fn overlap_is_symmetric(a in interval(), b in interval()) {
            prop_assert_eq!(a.overlaps(&b), b.overlaps(&a));
        }

        #[test]
        fn overlap_means_a_shared_instant(a in interval(), b in interval()) {
            let shared = (0i64..2400).map(at).any(|t| a.contains_instant(t) && b.contains_instant(t));
            prop_assert_eq!(a.overlaps(&b), shared);
        }

        #[test]
        fn adjacent_never_overlap(s in 0i64..1000, l1 in 1i64..200, l2 in 1i64..200) {
            let a = Interval::of(at(s), at(s + l1));
            let b = Interval::of(at(s + l1), at(s + l1 + l2));
            prop_assert!(!a.overlaps(&b));
            prop_assert!(!b.overlaps(&a));
        }

        #[test]
        fn subtract_leaves_nothing_of_the_cuts(from in proptest::collection::vec(interval(), 0..4),
                                               cuts in proptest::collection::vec(interval(), 0..6)) {
            let left = subtract(&from, &cuts);
            for piece in &left {
                prop_assert!(!piece.is_empty());
                prop_assert!(from.iter().any(|f| f.contains(piece)));
                prop_assert!(!cuts.iter().any(|c| c.overlaps(piece)));
            }
        }
    }
}
