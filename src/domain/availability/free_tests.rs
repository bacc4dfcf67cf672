//! The streams against the whole-window computation they replaced, kept
//! here as the oracle: same windows, same order, whatever the zone (DST
//! nights included), opening hours, bookings, buffers and grid, and a
//! stream that knows only part of its inputs gives a prefix of them.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, TimeZone, Utc};
use chrono_tz::Tz;
use proptest::prelude::*;

use super::*;
use crate::domain::availability::{Busy, ResourceCalendar};
use crate::domain::booking::{earliest_start, latest_end};
use crate::domain::interval::{Interval, subtract};
use crate::domain::local_time::{ceil_to_slot, floor_to_slot};
use crate::domain::resource::{OpeningHours, ResourceKind, Rules};

/// The whole-window computation as it was before the streams: opening
/// hours over the whole range, less every cut, aligned, long enough.
fn oracle(
    tz: Tz,
    cal: &ResourceCalendar<'_>,
    window: Interval,
    duration: Duration,
    now: DateTime<Utc>,
) -> Vec<Interval> {
    if cal.retired || duration <= Duration::zero() {
        return Vec::new();
    }
    let rules = cal.rules;
    let start = window.start.max(earliest_start(tz, rules, now));
    let end = window.end.min(latest_end(rules, now));
    if start >= end {
        return Vec::new();
    }
    let range = Interval::of(start, end);
    let open = match cal.opening {
        Some(hours) => hours.open_within(tz, range),
        None => vec![range],
    };
    let buffer = Duration::minutes(i64::from(rules.buffer_minutes));
    let mut cuts: Vec<Interval> = cal.blackouts.to_vec();
    cuts.extend(
        cal.busy
            .iter()
            .map(|b| Interval::of(b.blocked.start - buffer, b.blocked.end)),
    );
    let slot = rules.slot_minutes;
    subtract(&open, &cuts)
        .into_iter()
        .filter_map(|free| {
            let s = ceil_to_slot(tz, free.start, slot);
            let e = floor_to_slot(tz, free.end, slot);
            (e - s >= duration).then(|| Interval::of(s, e))
        })
        .collect()
}

/// Zones with the nights that test a calendar: none, an hour forward and
/// back, and half an hour (Lord Howe), each with a day before such a night.
fn zone_and_day() -> impl Strategy<Value = (Tz, DateTime<Utc>)> {
    let day = |y, m, d| Utc.with_ymd_and_hms(y, m, d, 0, 0, 0).unwrap();
    prop_oneof![
        Just((chrono_tz::Asia::Shanghai, day(2026, 3, 1))),
        Just((chrono_tz::Europe::Berlin, day(2026, 3, 28))),
        Just((chrono_tz::Europe::Berlin, day(2026, 10, 24))),
        Just((chrono_tz::America::New_York, day(2026, 3, 7))),
        Just((chrono_tz::America::New_York, day(2026, 10, 31))),
        Just((chrono_tz::Australia::Lord_Howe, day(2026, 4, 4))),
    ]
}

/// Opening hours: up to three ranges a day on a quarter-hour grid, some
/// touching, some to midnight, some days closed.
fn hours() -> impl Strategy<Value = OpeningHours> {
    proptest::collection::vec(proptest::collection::vec((0u32..96, 1u32..40), 0..4), 7).prop_map(|days| {
        let names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
        let mut map = BTreeMap::new();
        for (name, raw) in names.iter().zip(days) {
            let mut ranges: Vec<(u32, u32)> = raw
                .into_iter()
                .map(|(a, len)| (a * 15, ((a + len) * 15).min(1440)))
                .collect();
            ranges.sort();
            let mut kept: Vec<(u32, u32)> = Vec::new();
            for r in ranges {
                if kept.last().is_none_or(|k| k.1 <= r.0) {
                    kept.push(r);
                }
            }
            let clock = |m: u32| format!("{:02}:{:02}", m / 60, m % 60);
            let texts = kept
                .iter()
                .map(|(a, b)| format!("{}-{}", clock(*a), clock(*b)))
                .collect();
            map.insert((*name).to_owned(), texts);
        }
        OpeningHours::parse(&map).expect("generated hours parse")
    })
}

/// One resource's inputs, in minutes from the strategy's day.
#[derive(Clone, Debug)]
struct Raw {
    hours: Option<OpeningHours>,
    busy: Vec<(i64, i64)>,
    blackouts: Vec<(i64, i64)>,
    buffer: u32,
    slot: u32,
    want_slots: i64,
    notice: u32,
    advance_days: u32,
    retired: bool,
}

fn raw() -> impl Strategy<Value = Raw> {
    (
        proptest::option::weighted(0.8, hours()),
        proptest::collection::vec((-600i64..6000, 1i64..300), 0..12),
        proptest::collection::vec((-600i64..6000, 1i64..900), 0..3),
        prop_oneof![Just(0u32), Just(15), Just(30), Just(240)],
        prop_oneof![Just(1u32), Just(15), Just(30), Just(60)],
        1i64..5,
        prop_oneof![Just(0u32), Just(60)],
        1u32..6,
        proptest::bool::weighted(0.05),
    )
        .prop_map(
            |(hours, busy, blackouts, buffer, slot, want_slots, notice, advance_days, retired)| Raw {
                hours,
                busy,
                blackouts,
                buffer,
                slot,
                want_slots,
                notice,
                advance_days,
                retired,
            },
        )
}

/// A resource's rules, bookings and blackouts, owned, for a calendar.
struct Owned {
    rules: Rules,
    busy: Vec<Busy>,
    blackouts: Vec<Interval>,
    hours: Option<OpeningHours>,
    retired: bool,
    duration: Duration,
}

impl Owned {
    fn of(raw: &Raw, day: DateTime<Utc>) -> Owned {
        let at = |m: i64| day + Duration::minutes(m);
        let rules = Rules {
            buffer_minutes: raw.buffer,
            slot_minutes: raw.slot,
            min_minutes: raw.slot,
            max_minutes: 24 * 60,
            min_notice_minutes: raw.notice,
            max_advance_days: raw.advance_days,
            ..Rules::defaults_for(ResourceKind::Room)
        };
        let busy = raw
            .busy
            .iter()
            .enumerate()
            .map(|(i, (s, len))| {
                let slot = Interval::of(at(*s), at(s + len));
                Busy {
                    booking_id: i as i64,
                    slot,
                    blocked: Interval::of(slot.start, slot.end + Duration::minutes(i64::from(raw.buffer))),
                }
            })
            .collect();
        Owned {
            rules,
            busy,
            blackouts: raw
                .blackouts
                .iter()
                .map(|(s, len)| Interval::of(at(*s), at(s + len)))
                .collect(),
            hours: raw.hours.clone(),
            retired: raw.retired,
            duration: Duration::minutes(raw.want_slots * i64::from(raw.slot)),
        }
    }

    /// What a read up to `known` holds: every cut that meets earlier time,
    /// and nothing later.
    fn known_until(&self, known: DateTime<Utc>) -> Owned {
        let buffer = Duration::minutes(i64::from(self.rules.buffer_minutes));
        Owned {
            rules: self.rules.clone(),
            busy: self
                .busy
                .iter()
                .filter(|b| b.blocked.start - buffer < known)
                .copied()
                .collect(),
            blackouts: self
                .blackouts
                .iter()
                .filter(|b| b.start < known)
                .copied()
                .collect(),
            hours: self.hours.clone(),
            retired: self.retired,
            duration: self.duration,
        }
    }

    fn cal(&self, id: i64) -> ResourceCalendar<'_> {
        ResourceCalendar {
            resource_id: id,
            rules: &self.rules,
            opening: self.hours.as_ref(),
            blackouts: &self.blackouts,
            busy: &self.busy,
            retired: self.retired,
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn a_stream_gives_the_whole_window_answer(
        (tz, day) in zone_and_day(), r in raw(), from in -120i64..1440, len in 1i64..5760, now in -300i64..600,
    ) {
        let at = |m: i64| day + Duration::minutes(m);
        let owned = Owned::of(&r, day);
        let window = Interval::of(at(from), at(from + len));
        let cal = owned.cal(1);
        let mut stream = FreeWindows::new(tz, &cal, window, owned.duration, at(now), None);
        let got: Vec<Interval> = stream.by_ref().collect();
        prop_assert_eq!(got, oracle(tz, &cal, window, owned.duration, at(now)));
        prop_assert_eq!(stream.stopped_at(), None);
    }

    #[test]
    fn a_stream_that_knows_part_gives_a_prefix_and_says_where_it_stopped(
        (tz, day) in zone_and_day(), r in raw(), from in -120i64..1440, len in 1i64..5760,
        now in -300i64..600, known in -200i64..6000,
    ) {
        let at = |m: i64| day + Duration::minutes(m);
        let whole = Owned::of(&r, day);
        let part = whole.known_until(at(known));
        let window = Interval::of(at(from), at(from + len));
        let all = oracle(tz, &whole.cal(1), window, whole.duration, at(now));
        let cal = part.cal(1);
        let mut stream = FreeWindows::new(tz, &cal, window, part.duration, at(now), Some(at(known)));
        let got: Vec<Interval> = stream.by_ref().collect();
        prop_assert!(got.len() <= all.len());
        prop_assert_eq!(&got[..], &all[..got.len()]);
        match stream.stopped_at() {
            None => prop_assert_eq!(got.len(), all.len()),
            Some(t) => {
                prop_assert!(all[got.len()..].iter().all(|w| w.start >= t), "{t} {all:?}");
            }
        }
    }

    #[test]
    fn the_earliest_of_many_are_the_whole_answers_sorted(
        (tz, day) in zone_and_day(),
        raws in proptest::collection::vec((raw(), 1i64..4), 1..5),
        from in -120i64..1440, len in 1i64..5760, now in -300i64..600,
        limit in 0usize..30, known in proptest::option::of(-200i64..6000),
    ) {
        let at = |m: i64| day + Duration::minutes(m);
        let window = Interval::of(at(from), at(from + len));
        let wholes: Vec<(i64, Owned)> = raws.iter().map(|(r, id)| (*id, Owned::of(r, day))).collect();
        // Every window of every resource, sorted as the search sorted them
        // (stably: a resource listed twice keeps its place).
        let mut all: Vec<(i64, Interval)> = wholes
            .iter()
            .flat_map(|(id, o)| {
                oracle(tz, &o.cal(*id), window, o.duration, at(now)).into_iter().map(|w| (*id, w))
            })
            .collect();
        all.sort_by_key(|(id, w)| (w.start, *id));
        all.truncate(limit);
        let parts: Vec<(i64, Owned)> = wholes
            .iter()
            .map(|(id, o)| (*id, known.map_or_else(|| o.known_until(at(99_999)), |k| o.known_until(at(k)))))
            .collect();
        let cals: Vec<(i64, ResourceCalendar<'_>)> = parts.iter().map(|(id, o)| (*id, o.cal(*id))).collect();
        let streams = cals.iter().zip(&parts).map(|((id, cal), (_, o))| {
            (*id, FreeWindows::new(tz, cal, window, o.duration, at(now), known.map(at)))
        });
        match earliest(streams, limit) {
            Ok(found) => prop_assert_eq!(found, all),
            Err(NeedsMore) => prop_assert!(known.is_some(), "complete inputs always answer"),
        }
    }
}

#[test]
fn a_free_stretch_across_midnight_is_one_window() {
    let tz = chrono_tz::Asia::Shanghai;
    let day = Utc.with_ymd_and_hms(2026, 3, 1, 16, 0, 0).unwrap(); // local midnight
    let mut map = BTreeMap::new();
    for d in ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] {
        map.insert(d.to_owned(), vec!["00:00-24:00".to_owned()]);
    }
    let hours = OpeningHours::parse(&map).unwrap();
    let rules = Rules {
        min_notice_minutes: 0,
        ..Rules::defaults_for(ResourceKind::Room)
    };
    let busy = [Busy {
        booking_id: 1,
        slot: Interval::of(day + Duration::hours(3), day + Duration::hours(4)),
        blocked: Interval::of(day + Duration::hours(3), day + Duration::hours(4)),
    }];
    let cal = ResourceCalendar {
        resource_id: 1,
        rules: &rules,
        opening: Some(&hours),
        blackouts: &[],
        busy: &busy,
        retired: false,
    };
    let window = Interval::of(day - Duration::hours(2), day + Duration::hours(30));
    let thirty = Duration::minutes(30);
    let whole: Vec<Interval> =
        FreeWindows::new(tz, &cal, window, thirty, day - Duration::days(1), None).collect();
    assert_eq!(
        whole,
        vec![
            Interval::of(day - Duration::hours(2), day + Duration::hours(3)),
            Interval::of(day + Duration::hours(4), day + Duration::hours(30)),
        ]
    );
    // Known only up to noon: the stretch from 04:00 may go on; the one
    // before the booking is certain, though it crossed midnight.
    let mut part = FreeWindows::new(
        tz,
        &cal,
        window,
        thirty,
        day - Duration::days(1),
        Some(day + Duration::hours(12)),
    );
    assert_eq!(part.next(), Some(whole[0]));
    assert_eq!(part.next(), None);
    assert_eq!(part.stopped_at(), Some(day + Duration::hours(4)));
}
