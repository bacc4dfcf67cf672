//! Properties of [`decide`] over random snapshots: one to three computers
//! of a pool (or one named computer), each with bookings of mixed urgency
//! on the 15-minute grid, and a request of any urgency.

use super::*;
use crate::domain::availability::blocked_by;
use crate::domain::interval::tests::at;
use crate::domain::priority::Fate;
use crate::domain::priority::tests::{places, urgency};
use proptest::prelude::*;

const TZ: Tz = chrono_tz::Asia::Shanghai;

/// The quota the properties check against.
const WEEKLY_QUOTA: u32 = 4;

fn rules() -> Rules {
    Rules {
        max_advance_days: 30,
        max_minutes: 24 * 60,
        max_bookings_per_user_per_week: Some(WEEKLY_QUOTA),
        ..Rules::defaults_for(ResourceKind::Computer)
    }
}

fn offered(places: &[Place], approval: bool) -> Vec<Offered> {
    places
        .iter()
        .map(|p| Offered {
            id: p.resource_id,
            kind: ResourceKind::Computer,
            rules: Rules {
                requires_approval: approval,
                max_bookings_per_user_per_week: Some(WEEKLY_QUOTA),
                ..p.rules.clone()
            },
            opening: None,
            capacity: None,
            retired: false,
            blackouts: vec![],
            busy: p
                .occupants
                .iter()
                .map(|h| Busy {
                    booking_id: h.booking_id,
                    slot: h.slot,
                    blocked: blocked_by(h.slot, &p.rules),
                })
                .collect(),
        })
        .collect()
}

fn request(slot: Interval, urgency: Urgency, pool: bool, wait: bool) -> BookingRequest {
    BookingRequest {
        target: if pool {
            Target::Pool("computers".into())
        } else {
            Target::Resource(1)
        },
        slot,
        purpose: "paperwork".into(),
        urgency,
        reason: (urgency > Urgency::Routine).then(|| "due today".into()),
        headcount: None,
        group_id: None,
        recurrence: None,
        on_conflict: if wait {
            OnConflict::Waitlist
        } else {
            OnConflict::Fail
        },
        flexible: false,
        latest_start: None,
    }
}

#[derive(Debug)]
struct Case {
    /// Every member of the pool: where those giving way may go.
    places: Vec<Place>,
    /// How many of them (from the first) the request asked for.
    offered_n: usize,
    req: BookingRequest,
    occurrences: Vec<Interval>,
    urgent_used: u32,
    held: u32,
    future_held: u32,
    approval: bool,
    admin: bool,
}

fn case() -> impl Strategy<Value = Case> {
    (
        places(),
        (0i64..96, 1i64..8, urgency(), any::<bool>(), any::<bool>()),
        (0u32..5, 0u32..6, 0u32..12, any::<bool>(), any::<bool>()),
    )
        .prop_map(
            |(
                places,
                (start, len, by, pool_wide, wait),
                (urgent_used, held, future_held, approval, admin),
            )| {
                let slot = Interval::of(at(start * 15), at((start + len) * 15));
                let pool = pool_wide || places.len() == 1;
                Case {
                    offered_n: if pool { places.len() } else { 1 },
                    req: request(slot, by, pool, wait),
                    occurrences: vec![slot],
                    places,
                    urgent_used,
                    held,
                    future_held,
                    approval,
                    admin,
                }
            },
        )
}

fn snapshot(c: &Case) -> Snapshot<'_> {
    let monday = week_start(local_date(TZ, c.req.slot.start));
    Snapshot {
        tz: TZ,
        now: at(-24 * 60),
        request: &c.req,
        occurrences: &c.occurrences,
        offered: offered(&c.places[..c.offered_n], c.approval),
        own_seats: vec![],
        places: c.places.clone(),
        urgent_used: c.urgent_used,
        urgent_quota: 3,
        held_per_week: BTreeMap::from([(monday, c.held)]),
        future_held: c.future_held,
        future_cap: Some(10),
        approval_waived: c.admin,
    }
}

proptest! {
    #[test]
    fn a_booking_never_overlaps_a_kept_booking(c in case()) {
        let s = snapshot(&c);
        if let Decision::Book(b) = decide(&s) {
            let gone: Vec<i64> = b.displace.iter().flat_map(|p| p.displaced.iter().map(|d| d.booking_id)).collect();
            // The request lands only where it asked to.
            prop_assert!(c.places[..c.offered_n].iter().any(|p| p.resource_id == b.resource_id));
            let place = c.places.iter().find(|p| p.resource_id == b.resource_id).unwrap();
            for i in &b.book {
                let blocked = blocked_by(c.occurrences[*i], &place.rules);
                for h in place.occupants.iter().filter(|h| !gone.contains(&h.booking_id)) {
                    prop_assert!(!blocked_by(h.slot, &place.rules).overlaps(&blocked), "{:?} overlaps kept {:?}", b, h);
                }
            }
            // Moved bookings land where nothing kept, nor the request, is.
            if let Some(plan) = &b.displace {
                for d in &plan.displaced {
                    if let Fate::MovedTo { resource_id, slot } = &d.outcome {
                        let target = c.places.iter().find(|p| p.resource_id == *resource_id).unwrap();
                        let blocked = blocked_by(*slot, &target.rules);
                        for h in target.occupants.iter().filter(|h| !gone.contains(&h.booking_id)) {
                            prop_assert!(!blocked_by(h.slot, &target.rules).overlaps(&blocked));
                        }
                        if *resource_id == b.resource_id {
                            prop_assert!(!blocked_by(c.req.slot, &target.rules).overlaps(&blocked));
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn only_bookings_of_lower_urgency_give_way(c in case()) {
        let s = snapshot(&c);
        if let Decision::Book(Booked { displace: Some(plan), .. }) = decide(&s) {
            prop_assert!(c.req.urgency > Urgency::Routine);
            for d in &plan.displaced {
                let h = c.places.iter().flat_map(|p| &p.occupants).find(|h| h.booking_id == d.booking_id).unwrap();
                prop_assert!(h.urgency < c.req.urgency, "{:?} displaced by {:?}", h, c.req.urgency);
                prop_assert!(!h.checked_in);
            }
        }
    }

    #[test]
    fn a_refusal_always_names_a_rule_and_quotas_hold(c in case()) {
        let s = snapshot(&c);
        match decide(&s) {
            Decision::Refuse(Refusal::Rules(v)) => {
                prop_assert!(!v.is_empty());
                // The refusal's rule is the first violation's.
                let by = Refusal::Rules(v.clone()).rule();
                prop_assert_eq!(by, RefusedBy::Rule(v[0].rule));
            }
            Decision::Refuse(r @ (Refusal::Taken { .. } | Refusal::SeriesTaken(_))) => {
                prop_assert_eq!(r.rule(), RefusedBy::Taken);
            }
            Decision::Refuse(Refusal::OneSeat(_)) => prop_assert!(false, "no own seats were given"),
            Decision::Queue { resource_id } => {
                prop_assert_eq!(c.req.on_conflict, OnConflict::Waitlist);
                prop_assert!(c.places[..c.offered_n].iter().any(|p| p.resource_id == resource_id));
                // A place in line counts toward the future cap (issue 19, 12).
                prop_assert!(c.future_held < 10, "queued over the future cap");
            }
            Decision::Book(b) => {
                prop_assert!(!(c.req.urgency == Urgency::Urgent && c.urgent_used >= 3), "over the urgent quota");
                prop_assert!(c.held < WEEKLY_QUOTA, "over the weekly quota");
                prop_assert!(c.future_held < 10, "over the future cap");
                let expected = if c.approval && !c.admin { BookingStatus::Pending } else { BookingStatus::Confirmed };
                prop_assert_eq!(b.status, expected);
                prop_assert_eq!(b.book.clone(), vec![0]);
            }
        }
    }

    /// A free request is booked, not refused or queued: the decision does
    /// not invent obstacles.
    #[test]
    fn a_free_time_within_the_quotas_is_booked(c in case()) {
        let s = snapshot(&c);
        let free = c.places[..c.offered_n].iter().any(|p| {
            let blocked = blocked_by(c.req.slot, &p.rules);
            p.occupants.iter().all(|h| !blocked_by(h.slot, &p.rules).overlaps(&blocked))
        });
        let within = !(c.req.urgency == Urgency::Urgent && c.urgent_used >= 3) && c.held < WEEKLY_QUOTA && c.future_held < 10;
        if free && within {
            let booked = matches!(decide(&s), Decision::Book(Booked { displace: None, .. }));
            prop_assert!(booked);
        }
    }
}

#[test]
fn one_person_one_seat() {
    let slot = Interval::of(at(600), at(660));
    let req = request(slot, Urgency::Routine, true, false);
    let occurrences = [slot];
    let places = vec![Place {
        resource_id: 1,
        rules: rules(),
        opening: None,
        blackouts: vec![],
        retired: false,
        occupants: vec![],
    }];
    let mine = Busy {
        booking_id: 9,
        slot: Interval::of(at(630), at(700)),
        blocked: Interval::of(at(630), at(700)),
    };
    let s = Snapshot {
        tz: TZ,
        now: at(0),
        request: &req,
        occurrences: &occurrences,
        offered: offered(&places, false),
        own_seats: vec![(7, mine)],
        places,
        urgent_used: 0,
        urgent_quota: 3,
        held_per_week: BTreeMap::new(),
        future_held: 0,
        future_cap: None,
        approval_waived: false,
    };
    match decide(&s) {
        Decision::Refuse(r @ Refusal::OneSeat(_)) => assert_eq!(r.rule(), RefusedBy::OneSeat),
        other => panic!("{other:?}"),
    }
}
