//! Deciding a booking request: one pure function from a snapshot (the
//! resources asked for with their bookings and blackouts, the person's own
//! seats, what their quotas have used) to a decision (book here, displace
//! these and move them there, wait in line, or refuse with reasons).
//!
//! The workflow loads the snapshot after taking its locks, calls
//! [`decide`], and writes what it says; a dry run does the same in a
//! transaction that is rolled back, so both decide alike.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use super::{
    BookingRequest, BookingStatus, OnConflict, Rule, RuleContext, Target, Urgency, Violation,
    check_future_cap, check_quota, check_rules,
};
use crate::domain::allocation::{Candidate, pick_evenly};
use crate::domain::availability::{self, Busy};
use crate::domain::interval::Interval;
use crate::domain::local_time::{local_date, week_start};
use crate::domain::priority::{Place, Plan, plan_preemption_on};
use crate::domain::resource::{OpeningHours, ResourceKind, Rules};

/// One resource the request may land on, as the decision sees it.
#[derive(Clone, Debug)]
pub struct Offered {
    pub id: i64,
    pub kind: ResourceKind,
    pub rules: Rules,
    pub opening: Option<OpeningHours>,
    pub capacity: Option<i32>,
    pub retired: bool,
    /// Its blackouts meeting the request's span.
    pub blackouts: Vec<Interval>,
    /// Its active bookings in the deciding window
    /// ([`availability::deciding_window`]).
    pub busy: Vec<Busy>,
}

/// Everything that decides a request, read after the locks were taken.
pub struct Snapshot<'a> {
    pub tz: Tz,
    pub now: DateTime<Utc>,
    pub request: &'a BookingRequest,
    /// The request's occurrences (one, or each date of a series).
    pub occurrences: &'a [Interval],
    /// The resource asked for, or the members of the pool.
    pub offered: Vec<Offered>,
    /// The person's own computer and desk bookings over the request's span:
    /// one person, one seat. `(resource, booking)`.
    pub own_seats: Vec<(i64, Busy)>,
    /// For a request above routine: the offered resources and every other
    /// member of their pool, each with its neighbourhood (a day either
    /// side): where those in the way may go.
    pub places: Vec<Place>,
    /// Urgent claims the person made this site-local week, and the site's quota.
    pub urgent_used: u32,
    pub urgent_quota: u32,
    /// Bookings the person holds in each site-local week (by its Monday) of
    /// the occurrences, within the weekly quota's scope (the pool, or the
    /// resource).
    pub held_per_week: BTreeMap<NaiveDate, u32>,
    /// The person's active future bookings at the site, and the site's cap.
    pub future_held: u32,
    pub future_cap: Option<u32>,
    /// Admins' bookings need no approval.
    pub approval_waived: bool,
}

/// An occurrence that runs into an existing booking.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Clash {
    pub occurrence: Interval,
    pub resource_id: i64,
    pub busy: Busy,
}

/// What a request comes to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    Book(Booked),
    /// Nothing is free and the request asked to wait: queue it (on this
    /// resource, or its pool).
    Queue {
        resource_id: i64,
    },
    Refuse(Refusal),
}

/// Where and what to book.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Booked {
    pub resource_id: i64,
    /// Indices of the occurrences to book.
    pub book: Vec<usize>,
    /// Occurrences left out (`on_conflict: skip`), with what is in the way.
    pub skipped: Vec<(usize, Vec<Clash>)>,
    pub status: BookingStatus,
    /// Bookings of lower urgency to end first, and where each goes.
    pub displace: Option<Plan>,
}

/// Why a request is refused. Each names the rule it breaks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The resource's or the site's rules forbid it (never empty).
    Rules(Vec<Violation>),
    /// The person already holds a computer or desk then.
    OneSeat(Vec<Clash>),
    /// The time is taken on the resource, or on every member of the pool.
    Taken { pool: bool, clashes: Vec<Clash> },
    /// Some dates of a series are taken and skipping was not asked for.
    SeriesTaken(Vec<Clash>),
}

impl Refusal {
    /// The rule a refusal names, as clients see it in `rule`.
    pub fn rule(&self) -> RefusedBy {
        match self {
            Refusal::Rules(v) => RefusedBy::Rule(v[0].rule),
            Refusal::OneSeat(_) => RefusedBy::OneSeat,
            Refusal::Taken { .. } | Refusal::SeriesTaken(_) => RefusedBy::Taken,
        }
    }
}

/// The rule behind a refusal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefusedBy {
    Rule(Rule),
    /// One person, one seat.
    OneSeat,
    /// Bookings never overlap.
    Taken,
}

/// One offered resource checked against the request.
struct Fit<'a> {
    offered: &'a Offered,
    violations: Vec<Violation>,
    /// Per occurrence index: what is in the way.
    clashes: BTreeMap<usize, Vec<Busy>>,
    /// Minutes already booked on it that local day (to spread use).
    load_minutes: i64,
}

impl Fit<'_> {
    fn blocked(&self) -> bool {
        !self.violations.is_empty() || !self.clashes.is_empty()
    }

    fn clash_list(&self, occurrences: &[Interval], only: Option<usize>) -> Vec<Clash> {
        self.clashes
            .iter()
            .filter(|(i, _)| only.is_none_or(|o| o == **i))
            .flat_map(|(i, list)| {
                list.iter().map(|b| Clash {
                    occurrence: occurrences[*i],
                    resource_id: self.offered.id,
                    busy: *b,
                })
            })
            .collect()
    }
}

fn fit<'a>(s: &Snapshot<'_>, offered: &'a Offered) -> Fit<'a> {
    let ctx = RuleContext {
        tz: s.tz,
        rules: &offered.rules,
        opening: offered.opening.as_ref(),
        blackouts: &offered.blackouts,
        capacity: offered.capacity,
        retired: offered.retired,
        now: s.now,
    };
    let mut violations: Vec<Violation> = Vec::new();
    let mut clashes = BTreeMap::new();
    for (i, occ) in s.occurrences.iter().enumerate() {
        for v in check_rules(*occ, s.request.headcount, &ctx) {
            if !violations.iter().any(|seen| seen.rule == v.rule) {
                violations.push(v);
            }
        }
        let clash: Vec<Busy> = availability::conflicts(*occ, &offered.rules, &offered.busy)
            .into_iter()
            .copied()
            .collect();
        if !clash.is_empty() {
            clashes.insert(i, clash);
        }
    }
    let day = local_date(s.tz, s.occurrences[0].start);
    let load_minutes = offered
        .busy
        .iter()
        .filter(|b| local_date(s.tz, b.slot.start) == day)
        .map(|b| b.slot.duration().num_minutes())
        .sum();
    Fit {
        offered,
        violations,
        clashes,
        load_minutes,
    }
}

/// The urgent-quota rule: `used` urgent claims this week, `quota` allowed.
pub fn check_urgent_quota(used: u32, quota: u32) -> Option<Violation> {
    (used >= quota).then(|| {
        Violation::new(
            Rule::UrgentQuota,
            format!(
                "Each person may claim urgent use {quota} times a week here and you have used them; \
                 use `priority`, or `emergency` if it truly is one (emergencies are audited)."
            ),
        )
    })
}

/// Decides a request. Pure: the same snapshot always gives the same answer.
pub fn decide(s: &Snapshot<'_>) -> Decision {
    let req = s.request;
    if req.urgency == Urgency::Urgent
        && let Some(v) = check_urgent_quota(s.urgent_used, s.urgent_quota)
    {
        return Decision::Refuse(Refusal::Rules(vec![v]));
    }
    if s.offered.is_empty() || s.occurrences.is_empty() {
        return Decision::Refuse(Refusal::Taken {
            pool: matches!(req.target, Target::Pool(_)),
            clashes: Vec::new(),
        });
    }

    // One person, one seat: no two computers or desks at once.
    if s.offered[0].kind.is_personal() {
        let clashes: Vec<Clash> = s
            .occurrences
            .iter()
            .flat_map(|occ| {
                s.own_seats
                    .iter()
                    .filter(|(_, b)| b.slot.overlaps(occ))
                    .map(|(resource_id, b)| Clash {
                        occurrence: *occ,
                        resource_id: *resource_id,
                        busy: *b,
                    })
            })
            .collect();
        if !clashes.is_empty() {
            return Decision::Refuse(Refusal::OneSeat(clashes));
        }
    }

    let fits: Vec<Fit<'_>> = s.offered.iter().map(|o| fit(s, o)).collect();
    let single = req.recurrence.is_none();
    let pool = matches!(req.target, Target::Pool(_));

    let (chosen, book, skipped, displace) = if single && fits.iter().all(Fit::blocked) {
        if fits.iter().all(|f| !f.violations.is_empty()) {
            return Decision::Refuse(Refusal::Rules(fits[0].violations.clone()));
        }
        // Those in the way may give way to more urgent work: the request
        // lands on an open resource it asked for, and they move to any
        // member of their pool.
        let open: Vec<i64> = fits
            .iter()
            .filter(|f| f.violations.is_empty())
            .map(|f| f.offered.id)
            .collect();
        let plan = (req.urgency > Urgency::Routine)
            .then(|| plan_preemption_on(s.tz, req.slot, req.urgency, &s.places, &open, s.now))
            .flatten();
        match plan {
            Some(plan) => {
                let chosen = fits
                    .iter()
                    .find(|f| f.offered.id == plan.resource_id)
                    .expect("a plan names an offered resource");
                (chosen, vec![0], Vec::new(), Some(plan))
            }
            None if req.on_conflict == OnConflict::Waitlist => {
                if let Some(v) = check_future_cap(s.future_held, 1, s.future_cap) {
                    return Decision::Refuse(Refusal::Rules(vec![v]));
                }
                return Decision::Queue {
                    resource_id: fits[0].offered.id,
                };
            }
            None => {
                let clashes = fits
                    .iter()
                    .filter(|f| f.violations.is_empty())
                    .flat_map(|f| f.clash_list(s.occurrences, Some(0)))
                    .collect();
                return Decision::Refuse(Refusal::Taken {
                    pool: fits.len() > 1,
                    clashes,
                });
            }
        }
    } else if pool {
        let eligible: Vec<Candidate> = fits
            .iter()
            .filter(|f| !f.blocked())
            .map(|f| Candidate {
                resource_id: f.offered.id,
                load_minutes: f.load_minutes,
            })
            .collect();
        let id = pick_evenly(&eligible).expect("a free member exists");
        let chosen = fits.iter().find(|f| f.offered.id == id).expect("picked");
        (chosen, vec![0], Vec::new(), None)
    } else {
        let chosen = &fits[0];
        if !chosen.violations.is_empty() {
            return Decision::Refuse(Refusal::Rules(chosen.violations.clone()));
        }
        let taken: Vec<usize> = chosen.clashes.keys().copied().collect();
        let skip = req.on_conflict == OnConflict::Skip && req.recurrence.is_some();
        if !taken.is_empty() && (!skip || taken.len() == s.occurrences.len()) {
            return Decision::Refuse(Refusal::SeriesTaken(chosen.clash_list(s.occurrences, None)));
        }
        let book: Vec<usize> = (0..s.occurrences.len()).filter(|i| !taken.contains(i)).collect();
        let skipped = taken
            .iter()
            .map(|i| (*i, chosen.clash_list(s.occurrences, Some(*i))))
            .collect();
        (chosen, book, skipped, None)
    };

    let rules = &chosen.offered.rules;
    // The weekly quota, counted per site-local week of the dates booked.
    let mut adding: BTreeMap<NaiveDate, u32> = BTreeMap::new();
    for i in &book {
        *adding
            .entry(week_start(local_date(s.tz, s.occurrences[*i].start)))
            .or_default() += 1;
    }
    for (monday, n) in adding {
        let held = s.held_per_week.get(&monday).copied().unwrap_or(0);
        if let Some(v) = check_quota(held, n, rules) {
            return Decision::Refuse(Refusal::Rules(vec![v]));
        }
    }
    // The site's cap on future bookings per person: what stops a runaway
    // loop from filling every resource, whatever the resources' own rules.
    let count = u32::try_from(book.len()).unwrap_or(u32::MAX);
    if let Some(v) = check_future_cap(s.future_held, count, s.future_cap) {
        return Decision::Refuse(Refusal::Rules(vec![v]));
    }
    let status = if rules.requires_approval && !s.approval_waived {
        BookingStatus::Pending
    } else {
        BookingStatus::Confirmed
    };
    Decision::Book(Booked {
        resource_id: chosen.offered.id,
        book,
        skipped,
        status,
        displace,
    })
}

#[cfg(test)]
mod tests;
