//! The quarter summary: a site's measures, one per row, and the booked
//! hours of rooms and computers counted plainly (each booking's time inside
//! the period).

use chrono::{DateTime, Utc};

use crate::domain::interval::Interval;

/// Minutes of `spans` inside `period`, each span clipped to it (spans are
/// bookings, which never overlap on one resource; across resources they
/// add up).
pub fn minutes_within(spans: &[Interval], period: Interval) -> i64 {
    spans
        .iter()
        .map(|s| {
            let start: DateTime<Utc> = s.start.max(period.start);
            let end: DateTime<Utc> = s.end.min(period.end);
            (end - start).num_minutes().max(0)
        })
        .sum()
}

/// A site's figures for the period, gathered from the reports.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct SiteFigures {
    /// Hours of confirmed room bookings in the period.
    pub room_booked_hours: f64,
    /// Hours of confirmed computer bookings in the period.
    pub computer_booked_hours: f64,
    /// Hours sat at the front desk (published rota, after swaps).
    pub desk_hours: f64,
    /// Most desk hours minus fewest among the staff who could sit.
    pub desk_spread_hours: f64,
    /// Published shifts nobody sat.
    pub uncovered_posts: i64,
    /// Swaps taken.
    pub swaps_taken: i64,
    /// Hours volunteers came for.
    pub volunteer_hours: f64,
    /// Absences volunteers reported.
    pub volunteer_absences: i64,
    /// Visits by volunteers who came without signing up.
    pub volunteer_covers: i64,
}

/// The measures as (key, hours, count): one of the two figures is set.
pub fn measures(f: &SiteFigures) -> Vec<(&'static str, Option<f64>, Option<i64>)> {
    vec![
        ("room_booked_hours", Some(f.room_booked_hours), None),
        ("computer_booked_hours", Some(f.computer_booked_hours), None),
        ("desk_hours", Some(f.desk_hours), None),
        ("desk_spread_hours", Some(f.desk_spread_hours), None),
        ("uncovered_posts", None, Some(f.uncovered_posts)),
        ("swaps_taken", None, Some(f.swaps_taken)),
        ("volunteer_hours", Some(f.volunteer_hours), None),
        ("volunteer_absences", None, Some(f.volunteer_absences)),
        ("volunteer_covers", None, Some(f.volunteer_covers)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(minute: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + minute * 60, 0).expect("instant")
    }

    #[test]
    fn spans_are_clipped_to_the_period() {
        let period = Interval::of(at(0), at(600));
        let spans = [
            Interval::of(at(-60), at(60)),
            Interval::of(at(100), at(160)),
            Interval::of(at(580), at(700)),
            Interval::of(at(700), at(800)),
        ];
        assert_eq!(minutes_within(&spans, period), 60 + 60 + 20);
    }

    proptest! {
        /// Clipped time never exceeds a span, nor the period per span.
        #[test]
        fn clipping_only_shortens(spans in prop::collection::vec((-500i64..1500, 1i64..500), 0..10)) {
            let period = Interval::of(at(0), at(1000));
            let spans: Vec<Interval> = spans.into_iter().map(|(s, l)| Interval::of(at(s), at(s + l))).collect();
            let inside = minutes_within(&spans, period);
            let whole: i64 = spans.iter().map(|s| (s.end - s.start).num_minutes()).sum();
            prop_assert!(inside >= 0 && inside <= whole);
            prop_assert!(inside <= 1000 * spans.len() as i64);
        }
    }
}
