//! Free time on a resource: where a booking of a given length may go, and
//! which existing bookings a requested slot runs into. Both answers come
//! from the same data, so "available" and "bookable" never disagree.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;

use super::interval::Interval;
use super::resource::{OpeningHours, Rules};

mod free;
pub use free::{FreeWindows, NeedsMore, earliest};

/// One existing booking as the conflict rules see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Busy {
    pub booking_id: i64,
    /// The booking itself.
    pub slot: Interval,
    /// The booking plus the buffer kept free after it.
    pub blocked: Interval,
}

/// Everything that decides where a booking fits on one resource.
pub struct ResourceCalendar<'a> {
    pub resource_id: i64,
    pub rules: &'a Rules,
    pub opening: Option<&'a OpeningHours>,
    pub blackouts: &'a [Interval],
    pub busy: &'a [Busy],
    pub retired: bool,
}

/// The time a new booking `slot` blocks: itself plus the buffer after it.
pub fn blocked_by(slot: Interval, rules: &Rules) -> Interval {
    Interval::of(
        slot.start,
        slot.end + Duration::minutes(i64::from(rules.buffer_minutes)),
    )
}

/// The window of existing bookings that can decide a request for `span`
/// on resources with these rules: those meeting it or the longest buffer
/// after it (see [`conflicts`]) and, when `day` is given (a pool, which
/// spreads use by the day's booked minutes), the rest of that day.
pub fn deciding_window<'a>(
    span: Interval,
    rules: impl IntoIterator<Item = &'a Rules>,
    day: Option<Interval>,
) -> Interval {
    let buffer = rules
        .into_iter()
        .map(|r| Duration::minutes(i64::from(r.buffer_minutes)))
        .max()
        .unwrap_or_else(Duration::zero);
    let window = Interval::of(span.start, span.end + buffer);
    match day {
        Some(d) => Interval::of(window.start.min(d.start), window.end.max(d.end)),
        None => window,
    }
}

/// The existing bookings that `slot` would run into (buffers included).
pub fn conflicts<'a>(slot: Interval, rules: &Rules, busy: &'a [Busy]) -> Vec<&'a Busy> {
    let blocked = blocked_by(slot, rules);
    busy.iter().filter(|b| b.blocked.overlaps(&blocked)).collect()
}

/// The free windows within `window` where a booking of `duration` fits,
/// respecting opening hours, blackouts, other bookings with their buffers,
/// the slot grid, notice and how far ahead one may book. Each window is
/// maximal; any aligned start in it with `duration` is bookable.
pub fn free_windows(
    tz: Tz,
    cal: &ResourceCalendar<'_>,
    window: Interval,
    duration: Duration,
    now: DateTime<Utc>,
) -> Vec<Interval> {
    FreeWindows::new(tz, cal, window, duration, now, None).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::booking::{RuleContext, check_rules};
    use crate::domain::interval::tests::at;
    use crate::domain::resource::ResourceKind;
    use proptest::prelude::*;

    const TZ: Tz = chrono_tz::Asia::Shanghai;

    fn rules(buffer: u32, slot: u32) -> Rules {
        Rules {
            buffer_minutes: buffer,
            slot_minutes: slot,
            min_minutes: slot,
            max_minutes: 24 * 60,
            min_notice_minutes: 0,
            max_advance_days: 30,
            ..Rules::defaults_for(ResourceKind::Room)
        }
    }

    fn busy_strategy() -> impl Strategy<Value = Vec<(i64, i64)>> {
        proptest::collection::vec((0i64..3000, 1i64..240), 0..8)
    }

    fn to_busy(raw: &[(i64, i64)], buffer: i64) -> Vec<Busy> {
        // Existing bookings never overlap each other (with buffers).
        let mut out: Vec<Busy> = Vec::new();
        for (i, (s, len)) in raw.iter().enumerate() {
            let slot = Interval::of(at(*s), at(s + len));
            let blocked = Interval::of(slot.start, slot.end + Duration::minutes(buffer));
            if out.iter().all(|b| !b.blocked.overlaps(&blocked)) {
                out.push(Busy {
                    booking_id: i as i64,
                    slot,
                    blocked,
                });
            }
        }
        out
    }

    proptest! {
        #[test]
        fn free_windows_avoid_everything_taken(
            raw in busy_strategy(),
            blackout_raw in proptest::collection::vec((0i64..3000, 1i64..300), 0..3),
            buffer in prop_oneof![Just(0u32), Just(15u32), Just(30u32)],
            slot in prop_oneof![Just(15u32), Just(30u32)],
            want in 1i64..6,
            use_hours in any::<bool>(),
        ) {
            let rules = rules(buffer, slot);
            let busy = to_busy(&raw, i64::from(buffer));
            let blackouts: Vec<Interval> = blackout_raw.iter().map(|(s, l)| Interval::of(at(*s), at(s + l))).collect();
            let hours = crate::domain::resource::OpeningHours::parse(
                &serde_json::from_str(r#"{"mon":["08:30-12:00","13:00-17:30"],"tue":["08:30-17:30"],"sat":["09:00-24:00"],"sun":["00:00-24:00"]}"#).unwrap(),
            ).unwrap();
            let cal = ResourceCalendar {
                resource_id: 1,
                rules: &rules,
                opening: use_hours.then_some(&hours),
                blackouts: &blackouts,
                busy: &busy,
                retired: false,
            };
            let now = at(0);
            let window = Interval::of(at(0), at(3300));
            let duration = Duration::minutes(want * i64::from(slot));
            let windows = free_windows(TZ, &cal, window, duration, now);
            for w in &windows {
                prop_assert!(w.duration() >= duration);
                prop_assert!(window.contains(w));
                prop_assert!(!blackouts.iter().any(|b| b.overlaps(w)));
                // A booking anywhere in the window, with its buffer, meets no other.
                let whole = blocked_by(*w, &rules);
                prop_assert!(!busy.iter().any(|b| b.blocked.overlaps(&whole)), "{w:?}");
                if use_hours {
                    prop_assert!(hours.open_within(TZ, *w).iter().any(|o| o.contains(w)));
                }
                // And the first booking of that length there passes every rule.
                let first = Interval::of(w.start, w.start + duration);
                let ctx = RuleContext { tz: TZ, rules: &rules, opening: cal.opening, blackouts: &blackouts,
                                        capacity: None, retired: false, now };
                prop_assert_eq!(check_rules(first, None, &ctx), vec![]);
                prop_assert!(conflicts(first, &rules, &busy).is_empty());
            }
        }

        #[test]
        fn a_slot_is_free_iff_it_has_no_conflicts(raw in busy_strategy(), s in 0i64..3000, len in 1i64..300) {
            let rules = rules(0, 15);
            let busy = to_busy(&raw, 0);
            let slot = Interval::of(at(s), at(s + len));
            let overlapping = busy.iter().any(|b| b.slot.overlaps(&slot));
            prop_assert_eq!(!conflicts(slot, &rules, &busy).is_empty(), overlapping);
        }
    }

    #[test]
    fn the_next_free_computer_after_half_past_three() {
        let rules = Rules::defaults_for(ResourceKind::Computer);
        use chrono::TimeZone;
        let day = |h: u32, m: u32| {
            TZ.with_ymd_and_hms(2026, 11, 23, h, m, 0)
                .unwrap()
                .with_timezone(&Utc)
        };
        let busy = [Busy {
            booking_id: 1,
            slot: Interval::of(day(15, 30), day(16, 30)),
            blocked: Interval::of(day(15, 30), day(16, 30)),
        }];
        let cal = ResourceCalendar {
            resource_id: 7,
            rules: &rules,
            opening: None,
            blackouts: &[],
            busy: &busy,
            retired: false,
        };
        let windows = free_windows(
            TZ,
            &cal,
            Interval::of(day(15, 30), day(18, 0)),
            Duration::minutes(45),
            day(9, 0),
        );
        assert_eq!(windows, vec![Interval::of(day(16, 30), day(18, 0))]);
    }

    proptest! {
        /// Whatever the buffers, every existing booking that a slot inside
        /// the span runs into meets the deciding window, so reading only
        /// that window misses no conflict.
        #[test]
        fn deciding_window_holds_every_conflict(
            s in 0i64..1000, len in 1i64..300, buffers in proptest::collection::vec(0u32..120, 1..4),
            b_start in 0i64..1500, b_len in 1i64..300, b_buf in 0i64..120,
        ) {
            let span = Interval::of(at(s), at(s + len));
            let all: Vec<Rules> = buffers
                .iter()
                .map(|b| rules(*b, 15))
                .collect();
            let window = deciding_window(span, &all, None);
            let busy = Busy {
                booking_id: 1,
                slot: Interval::of(at(b_start), at(b_start + b_len)),
                blocked: Interval::of(at(b_start), at(b_start + b_len + b_buf)),
            };
            for rules in &all {
                if !conflicts(span, rules, std::slice::from_ref(&busy)).is_empty() {
                    prop_assert!(busy.blocked.overlaps(&window));
                }
            }
        }
    }
}
