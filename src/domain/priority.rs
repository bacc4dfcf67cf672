//! Urgency-based priority: which bookings a more urgent request may
//! displace, which it does displace (the least harm), where the displaced
//! go (another computer at the same time, later the same day if flexible,
//! or the waitlist), and in which order the waitlist is served.
//!
//! Everything here is a pure plan over a snapshot; the workflow applies it
//! in one transaction, and a dry run shows the same plan without applying.

use std::cmp::Reverse;
use std::collections::BTreeMap;
use std::ops::RangeInclusive;

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;

use super::availability::{Busy, ResourceCalendar, blocked_by, free_windows};
use super::booking::{RuleContext, Urgency, check_rules};
use super::interval::Interval;
use super::local_time::local_day;
use super::resource::{OpeningHours, Rules};

/// A booking as the priority rules see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Occupant {
    pub booking_id: i64,
    pub slot: Interval,
    pub urgency: Urgency,
    /// When it was made: among equals, the most recent is displaced first.
    pub created_at: DateTime<Utc>,
    /// A checked-in booking is in use and never displaced.
    pub checked_in: bool,
    /// Its owner accepts being moved later the same day.
    pub flexible: bool,
}

/// One resource with everything on it.
#[derive(Clone, Debug)]
pub struct Place {
    pub resource_id: i64,
    pub rules: Rules,
    pub opening: Option<OpeningHours>,
    pub blackouts: Vec<Interval>,
    pub retired: bool,
    pub occupants: Vec<Occupant>,
}

impl Place {
    fn busy(&self, without: &[i64], extra: &[Interval]) -> Vec<Busy> {
        let buffer = Duration::minutes(i64::from(self.rules.buffer_minutes));
        let mut busy: Vec<Busy> = self
            .occupants
            .iter()
            .filter(|h| !without.contains(&h.booking_id))
            .map(|h| Busy {
                booking_id: h.booking_id,
                slot: h.slot,
                blocked: Interval::of(h.slot.start, h.slot.end + buffer),
            })
            .collect();
        busy.extend(extra.iter().map(|s| Busy {
            booking_id: -1,
            slot: *s,
            blocked: Interval::of(s.start, s.end + buffer),
        }));
        busy
    }

    /// Whether `slot` fits here, ignoring the bookings in `without` and
    /// counting `extra` (slots already promised in this plan) as taken.
    fn fits(&self, tz: Tz, slot: Interval, now: DateTime<Utc>, without: &[i64], extra: &[Interval]) -> bool {
        let ctx = RuleContext {
            tz,
            rules: &self.rules,
            opening: self.opening.as_ref(),
            blackouts: &self.blackouts,
            capacity: None,
            retired: self.retired,
            now,
        };
        if !check_rules(slot, None, &ctx).is_empty() {
            return false;
        }
        let blocked = blocked_by(slot, &self.rules);
        !self
            .busy(without, extra)
            .iter()
            .any(|b| b.blocked.overlaps(&blocked))
    }

    /// The earliest start in `starts` where `length` fits here.
    fn earliest(
        &self,
        tz: Tz,
        starts: RangeInclusive<DateTime<Utc>>,
        length: Duration,
        now: DateTime<Utc>,
        without: &[i64],
        extra: &[Interval],
    ) -> Option<DateTime<Utc>> {
        let (from, until) = (*starts.start(), *starts.end());
        if until < from {
            return None;
        }
        let busy = self.busy(without, extra);
        let cal = ResourceCalendar {
            resource_id: self.resource_id,
            rules: &self.rules,
            opening: self.opening.as_ref(),
            blackouts: &self.blackouts,
            busy: &busy,
            retired: self.retired,
        };
        free_windows(tz, &cal, Interval::of(from, until + length), length, now)
            .into_iter()
            .map(|w| w.start)
            .find(|s| *s >= from && *s <= until)
    }
}

/// Whether a more urgent request (`by`) may displace `h` now: strictly
/// lower urgency, not checked in, not started, and starting later than the
/// grace period. Equal urgency never displaces: first come, first served.
pub fn displaceable(h: &Occupant, by: Urgency, now: DateTime<Utc>, grace: Duration) -> bool {
    h.urgency < by && !h.checked_in && h.slot.start > now + grace
}

/// Where a displaced booking ends up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fate {
    /// Moved to this resource and time (another computer at the same time,
    /// or later the same day if its owner marked it flexible).
    MovedTo { resource_id: i64, slot: Interval },
    /// Queued at its own urgency.
    Waitlisted,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Displacement {
    pub booking_id: i64,
    pub from_resource: i64,
    pub outcome: Fate,
}

/// What a preempting request would do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    /// The resource the request gets.
    pub resource_id: i64,
    pub displaced: Vec<Displacement>,
}

/// Plans a preemption for `request` at `urgency` over `places` (the
/// members of the pool asked for), the request landing on any of them.
pub fn plan_preemption(
    tz: Tz,
    request: Interval,
    urgency: Urgency,
    places: &[Place],
    now: DateTime<Utc>,
) -> Option<Plan> {
    let all: Vec<i64> = places.iter().map(|p| p.resource_id).collect();
    plan_preemption_on(tz, request, urgency, places, &all, now)
}

/// Plans a preemption for `request` at `urgency`: it lands on one of
/// `lands_on` (the resource asked for, or the open members of the pool),
/// and those it displaces may move to any of `places` (every member of
/// their pool, whatever the request named). `None` when nothing may be
/// displaced. Victims are chosen to do the least harm: the fewest
/// bookings, then the lowest urgency, then the most recently made.
pub fn plan_preemption_on(
    tz: Tz,
    request: Interval,
    urgency: Urgency,
    places: &[Place],
    lands_on: &[i64],
    now: DateTime<Utc>,
) -> Option<Plan> {
    // The options: a place whose bookings in the way may all be displaced.
    let mut options: Vec<(&Place, Vec<&Occupant>)> = Vec::new();
    let may_land = |p: &&Place| lands_on.contains(&p.resource_id) && p.rules.allow_preemption && !p.retired;
    for place in places.iter().filter(may_land) {
        let grace = Duration::minutes(i64::from(place.rules.preemption_grace_minutes));
        let blocked = blocked_by(request, &place.rules);
        let buffer = Duration::minutes(i64::from(place.rules.buffer_minutes));
        let in_way: Vec<&Occupant> = place
            .occupants
            .iter()
            .filter(|h| Interval::of(h.slot.start, h.slot.end + buffer).overlaps(&blocked))
            .collect();
        if in_way.is_empty() || !in_way.iter().all(|h| displaceable(h, urgency, now, grace)) {
            continue;
        }
        let ids: Vec<i64> = in_way.iter().map(|h| h.booking_id).collect();
        // Displacing must actually make room (rules such as opening hours
        // still have to hold for the request).
        if !place.fits(tz, request, now, &ids, &[]) {
            continue;
        }
        options.push((place, in_way));
    }
    let (chosen, mut victims) = options.into_iter().min_by_key(|(place, victims)| {
        let worst = victims.iter().map(|h| h.urgency).max();
        let oldest = victims.iter().map(|h| h.created_at).min();
        (victims.len(), worst, Reverse(oldest), place.resource_id)
    })?;
    // Earlier-made victims choose their new place first.
    victims.sort_by_key(|h| (h.created_at, h.booking_id));
    let victim_ids: Vec<i64> = victims.iter().map(|h| h.booking_id).collect();

    // Slots promised in this plan, per resource.
    let mut promised: BTreeMap<i64, Vec<Interval>> = BTreeMap::new();
    promised.entry(chosen.resource_id).or_default().push(request);
    let mut displaced = Vec::new();
    for v in victims {
        let mut outcome = Fate::Waitlisted;
        // 1. Another resource of the pool at the same time.
        for place in places.iter().filter(|p| p.resource_id != chosen.resource_id) {
            let extra = promised.get(&place.resource_id).cloned().unwrap_or_default();
            if place.fits(tz, v.slot, now, &victim_ids, &extra) {
                outcome = Fate::MovedTo {
                    resource_id: place.resource_id,
                    slot: v.slot,
                };
                break;
            }
        }
        // 2. If flexible: the earliest free slot of the same length later
        // the same local day, anywhere in the pool.
        if outcome == Fate::Waitlisted && v.flexible {
            let length = v.slot.duration();
            let until = local_day(tz, v.slot.start).end - length;
            let best = places
                .iter()
                .filter_map(|place| {
                    let extra = promised.get(&place.resource_id).cloned().unwrap_or_default();
                    place
                        .earliest(tz, v.slot.start..=until, length, now, &victim_ids, &extra)
                        .map(|s| (s, place.resource_id))
                })
                .min();
            if let Some((start, resource_id)) = best {
                outcome = Fate::MovedTo {
                    resource_id,
                    slot: Interval::of(start, start + length),
                };
            }
        }
        if let Fate::MovedTo { resource_id, slot } = &outcome {
            promised.entry(*resource_id).or_default().push(*slot);
        }
        displaced.push(Displacement {
            booking_id: v.booking_id,
            from_resource: chosen.resource_id,
            outcome,
        });
    }
    Some(Plan {
        resource_id: chosen.resource_id,
        displaced,
    })
}

/// A waiting request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Waiting {
    pub entry_id: i64,
    pub urgency: Urgency,
    /// When it was first asked for: among equals, the oldest goes first.
    pub requested_at: DateTime<Utc>,
    /// The resources that would do (one, or the pool's members).
    pub resource_ids: Vec<i64>,
    /// The time wanted; it may start later, up to `latest_start`.
    pub slot: Interval,
    pub latest_start: DateTime<Utc>,
}

/// The serving order: highest urgency first, then oldest request.
pub fn rank(entries: &mut [Waiting]) {
    entries.sort_by_key(|e| (Reverse(e.urgency), e.requested_at, e.entry_id));
}

/// A waiting request's place in line (1: served first): among the requests
/// wanting one of the same resources at a time that meets its own, in
/// serving order. `None` when `entry_id` is not in `line`.
pub fn place_in_line(entry_id: i64, line: &[Waiting]) -> Option<u32> {
    let me = line.iter().find(|w| w.entry_id == entry_id)?;
    let window = |w: &Waiting| Interval::of(w.slot.start, w.latest_start + w.slot.duration());
    let mine = window(me);
    let mut rivals: Vec<Waiting> = line
        .iter()
        .filter(|w| w.resource_ids.iter().any(|r| me.resource_ids.contains(r)) && window(w).overlaps(&mine))
        .cloned()
        .collect();
    rank(&mut rivals);
    let ahead = rivals.iter().position(|w| w.entry_id == entry_id)?;
    Some(u32::try_from(ahead).unwrap_or(u32::MAX).saturating_add(1))
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Served {
    pub entry_id: i64,
    pub resource_id: i64,
    pub slot: Interval,
}

/// Serves the waitlist over `places` now: each entry, in rank order, gets
/// the earliest place where its whole interval fits, or waits on. A lower
/// entry never takes what a higher one can use: higher ones choose first.
pub fn plan_waitlist(tz: Tz, entries: &[Waiting], places: &[Place], now: DateTime<Utc>) -> Vec<Served> {
    let mut ranked = entries.to_vec();
    rank(&mut ranked);
    let mut promised: BTreeMap<i64, Vec<Interval>> = BTreeMap::new();
    let mut served = Vec::new();
    for e in ranked {
        if e.latest_start < now {
            continue;
        }
        let length = e.slot.duration();
        let best = places
            .iter()
            .filter(|p| e.resource_ids.contains(&p.resource_id))
            .filter_map(|p| {
                let extra = promised.get(&p.resource_id).cloned().unwrap_or_default();
                p.earliest(tz, e.slot.start..=e.latest_start, length, now, &[], &extra)
                    .map(|s| (s, p.resource_id))
            })
            .min();
        if let Some((start, resource_id)) = best {
            let slot = Interval::of(start, start + length);
            promised.entry(resource_id).or_default().push(slot);
            served.push(Served {
                entry_id: e.entry_id,
                resource_id,
                slot,
            });
        }
    }
    served
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::domain::interval::tests::at;
    use crate::domain::local_time::local_date;
    use crate::domain::resource::ResourceKind;
    use proptest::prelude::*;

    const TZ: Tz = chrono_tz::Asia::Shanghai;

    fn rules() -> Rules {
        Rules {
            max_advance_days: 30,
            max_minutes: 24 * 60,
            ..Rules::defaults_for(ResourceKind::Computer)
        }
    }

    pub(crate) fn urgency() -> impl Strategy<Value = Urgency> {
        prop_oneof![
            Just(Urgency::Routine),
            Just(Urgency::Priority),
            Just(Urgency::Urgent),
            Just(Urgency::Emergency)
        ]
    }

    /// 1-3 places, each with non-overlapping occupants on the 15-minute grid.
    pub(crate) fn places() -> impl Strategy<Value = Vec<Place>> {
        let holding = (
            0i64..96,
            1i64..12,
            urgency(),
            0i64..500,
            any::<bool>(),
            any::<bool>(),
        );
        proptest::collection::vec(proptest::collection::vec(holding, 0..6), 1..4).prop_map(|raw| {
            let mut next_id = 1;
            raw.into_iter()
                .enumerate()
                .map(|(i, hs)| {
                    let mut occupants: Vec<Occupant> = Vec::new();
                    for (start, len, urgency, made, checked_in, flexible) in hs {
                        let slot = Interval::of(at(start * 15), at((start + len) * 15));
                        if occupants.iter().all(|h| !h.slot.overlaps(&slot)) {
                            occupants.push(Occupant {
                                booking_id: next_id,
                                slot,
                                urgency,
                                created_at: at(-made),
                                checked_in,
                                flexible,
                            });
                            next_id += 1;
                        }
                    }
                    Place {
                        resource_id: i as i64 + 1,
                        rules: rules(),
                        opening: None,
                        blackouts: vec![],
                        retired: false,
                        occupants,
                    }
                })
                .collect()
        })
    }

    /// Applies a plan: the state it leaves behind, per resource.
    fn apply(places: &[Place], request: Interval, plan: &Plan) -> BTreeMap<i64, Vec<Interval>> {
        let gone: Vec<i64> = plan.displaced.iter().map(|d| d.booking_id).collect();
        let mut state: BTreeMap<i64, Vec<Interval>> = places
            .iter()
            .map(|p| {
                (
                    p.resource_id,
                    p.occupants
                        .iter()
                        .filter(|h| !gone.contains(&h.booking_id))
                        .map(|h| h.slot)
                        .collect(),
                )
            })
            .collect();
        state.entry(plan.resource_id).or_default().push(request);
        for d in &plan.displaced {
            if let Fate::MovedTo { resource_id, slot } = &d.outcome {
                state.entry(*resource_id).or_default().push(*slot);
            }
        }
        state
    }

    fn no_overlap(state: &BTreeMap<i64, Vec<Interval>>) -> bool {
        state.values().all(|slots| {
            slots
                .iter()
                .enumerate()
                .all(|(i, a)| slots.iter().skip(i + 1).all(|b| !a.overlaps(b)))
        })
    }

    proptest! {
        #[test]
        fn a_plan_never_double_books_and_only_displaces_what_it_may(
            places in places(), start in 0i64..96, len in 1i64..8, by in urgency(), now_q in -4i64..40,
        ) {
            let request = Interval::of(at(start * 15), at((start + len) * 15));
            let now = at(now_q * 15);
            if let Some(plan) = plan_preemption(TZ, request, by, &places, now) {
                prop_assert!(no_overlap(&apply(&places, request, &plan)));
                for d in &plan.displaced {
                    let h = places.iter().flat_map(|p| &p.occupants).find(|h| h.booking_id == d.booking_id).unwrap();
                    prop_assert!(h.urgency < by, "never equal or higher urgency");
                    prop_assert!(!h.checked_in, "never a checked-in booking");
                    prop_assert!(h.slot.start > now + Duration::minutes(15), "never inside the grace period");
                    if let Fate::MovedTo { slot, .. } = &d.outcome {
                        prop_assert_eq!(slot.duration(), h.slot.duration());
                        if *slot != h.slot {
                            prop_assert!(h.flexible, "only flexible bookings move in time");
                            prop_assert_eq!(local_date(TZ, slot.start), local_date(TZ, h.slot.start));
                            prop_assert!(slot.start >= h.slot.start);
                        }
                    }
                }
                // The least harm: no other place would have needed fewer victims.
                let chosen = plan.displaced.len();
                for p in &places {
                    let grace = Duration::minutes(15);
                    let in_way: Vec<&Occupant> = p.occupants.iter().filter(|h| h.slot.overlaps(&request)).collect();
                    if !in_way.is_empty() && in_way.iter().all(|h| displaceable(h, by, now, grace))
                        && p.fits(TZ, request, now, &in_way.iter().map(|h| h.booking_id).collect::<Vec<_>>(), &[]) {
                        prop_assert!(in_way.len() >= chosen);
                    }
                }
            }
        }

        #[test]
        fn places_in_line_follow_the_serving_order(
            raw in proptest::collection::vec((urgency(), 0i64..50, 0i64..96, 1i64..8, 0i64..8, 0usize..2), 1..8),
        ) {
            let line: Vec<Waiting> = raw.iter().enumerate().map(|(i, (u, made, start, len, slack, r))| Waiting {
                entry_id: i as i64 + 1,
                urgency: *u,
                requested_at: at(-made),
                resource_ids: vec![*r as i64 + 1],
                slot: Interval::of(at(start * 15), at((start + len) * 15)),
                latest_start: at((start + slack) * 15),
            }).collect();
            for a in &line {
                let place = place_in_line(a.entry_id, &line).unwrap();
                prop_assert!(place >= 1 && place as usize <= line.len());
                for b in line.iter().filter(|b| b.entry_id != a.entry_id && b.resource_ids == a.resource_ids) {
                    // Of two rivals for the same resource at meeting times,
                    // the one served first stands before the other.
                    let meet = Interval::of(a.slot.start, a.latest_start + a.slot.duration())
                        .overlaps(&Interval::of(b.slot.start, b.latest_start + b.slot.duration()));
                    let first = (Reverse(a.urgency), a.requested_at, a.entry_id) < (Reverse(b.urgency), b.requested_at, b.entry_id);
                    if meet && first {
                        prop_assert!(place_in_line(b.entry_id, &line).unwrap() >= 2, "someone is ahead of b");
                    }
                }
            }
            // The first in serving order is first in line.
            let mut ranked = line.clone();
            rank(&mut ranked);
            prop_assert_eq!(place_in_line(ranked[0].entry_id, &line), Some(1));
            prop_assert_eq!(place_in_line(999, &line), None);
        }

        #[test]
        fn routine_displaces_nothing(places in places(), start in 0i64..96, len in 1i64..8) {
            let request = Interval::of(at(start * 15), at((start + len) * 15));
            prop_assert_eq!(plan_preemption(TZ, request, Urgency::Routine, &places, at(-60)), None);
        }

        #[test]
        fn planning_is_deterministic(places in places(), start in 0i64..96, len in 1i64..8, by in urgency()) {
            let request = Interval::of(at(start * 15), at((start + len) * 15));
            // What a dry run shows is what the real run does.
            prop_assert_eq!(plan_preemption(TZ, request, by, &places, at(-60)), plan_preemption(TZ, request, by, &places, at(-60)));
        }

        #[test]
        fn the_waitlist_is_served_in_rank_order_without_double_booking(
            places in places(),
            raw in proptest::collection::vec((urgency(), 0i64..50, 0i64..96, 1i64..8, 0i64..8, 0usize..3), 0..8),
        ) {
            let ids: Vec<i64> = places.iter().map(|p| p.resource_id).collect();
            let entries: Vec<Waiting> = raw.iter().enumerate().map(|(i, (u, made, start, len, slack, which))| Waiting {
                entry_id: i as i64 + 1,
                urgency: *u,
                requested_at: at(-made),
                resource_ids: if *which == 0 { ids.clone() } else { vec![ids[(*which - 1) % ids.len()]] },
                slot: Interval::of(at(start * 15), at((start + len) * 15)),
                latest_start: at((start + slack) * 15),
            }).collect();
            let now = at(-60);
            let served = plan_waitlist(TZ, &entries, &places, now);
            // No overlaps with each other or with what is booked.
            let mut state: BTreeMap<i64, Vec<Interval>> =
                places.iter().map(|p| (p.resource_id, p.occupants.iter().map(|h| h.slot).collect())).collect();
            for s in &served {
                let e = entries.iter().find(|e| e.entry_id == s.entry_id).unwrap();
                prop_assert!(e.resource_ids.contains(&s.resource_id));
                prop_assert_eq!(s.slot.duration(), e.slot.duration());
                prop_assert!(s.slot.start >= e.slot.start && s.slot.start <= e.latest_start);
                state.entry(s.resource_id).or_default().push(s.slot);
            }
            prop_assert!(no_overlap(&state));
            // Rank order: what a higher entry gets never depends on lower ones.
            let mut ranked = entries.clone();
            rank(&mut ranked);
            for k in 0..ranked.len() {
                let prefix = plan_waitlist(TZ, &ranked[..k], &places, now);
                let restricted: Vec<Served> = served.iter().filter(|s| ranked[..k].iter().any(|e| e.entry_id == s.entry_id)).cloned().collect();
                let mut a = prefix.clone();
                let mut b = restricted.clone();
                a.sort_by_key(|s| s.entry_id);
                b.sort_by_key(|s| s.entry_id);
                prop_assert_eq!(a, b);
            }
        }
    }

    #[test]
    fn the_story_three_computers_after_half_past_three() {
        // Three computers booked 15:30-17:00 by routine paperwork; an urgent
        // mediation write-up needs one: the most recently made goes.
        let day = |h: i64, m: i64| at(h * 60 + m);
        let place = |id: i64, made: i64| Place {
            resource_id: id,
            rules: rules(),
            opening: None,
            blackouts: vec![],
            retired: false,
            occupants: vec![Occupant {
                booking_id: id * 10,
                slot: Interval::of(day(15, 30), day(17, 0)),
                urgency: Urgency::Routine,
                created_at: day(0, made),
                checked_in: false,
                flexible: false,
            }],
        };
        let places = vec![place(1, 1), place(2, 3), place(3, 2)];
        let plan = plan_preemption(
            chrono_tz::UTC,
            Interval::of(day(15, 30), day(16, 30)),
            Urgency::Urgent,
            &places,
            day(9, 0),
        )
        .unwrap();
        assert_eq!(plan.resource_id, 2);
        assert_eq!(
            plan.displaced,
            vec![Displacement {
                booking_id: 20,
                from_resource: 2,
                outcome: Fate::Waitlisted
            }]
        );
        // Against three urgent bookings, an urgent request displaces nothing.
        let mut urgent = places.clone();
        for p in &mut urgent {
            p.occupants[0].urgency = Urgency::Urgent;
        }
        assert_eq!(
            plan_preemption(
                chrono_tz::UTC,
                Interval::of(day(15, 30), day(16, 30)),
                Urgency::Urgent,
                &urgent,
                day(9, 0)
            ),
            None
        );
        // A request naming one computer lands there; the booking in its way
        // moves to a free member of the pool at the same time.
        let mut one_free = places.clone();
        one_free[0].occupants.clear();
        let plan = plan_preemption_on(
            chrono_tz::UTC,
            Interval::of(day(15, 30), day(16, 30)),
            Urgency::Emergency,
            &one_free,
            &[2],
            day(9, 0),
        )
        .unwrap();
        assert_eq!(plan.resource_id, 2);
        assert_eq!(
            plan.displaced[0].outcome,
            Fate::MovedTo {
                resource_id: 1,
                slot: Interval::of(day(15, 30), day(17, 0))
            }
        );
        // A flexible victim moves later the same day instead of waiting.
        let mut flexible = places.clone();
        flexible[1].occupants[0].flexible = true;
        let plan = plan_preemption(
            chrono_tz::UTC,
            Interval::of(day(15, 30), day(16, 30)),
            Urgency::Urgent,
            &flexible,
            day(9, 0),
        )
        .unwrap();
        assert_eq!(
            plan.displaced[0].outcome,
            Fate::MovedTo {
                resource_id: 2,
                slot: Interval::of(day(16, 30), day(18, 0))
            }
        );
    }
}
