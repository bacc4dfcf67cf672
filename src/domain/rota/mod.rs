//! The front-desk rota: who sits at the "friendly front desk" when.
//!
//! Under the 330 method one social worker stays at the committee for
//! first-contact reception (首问接待) every working day until 15:30 while
//! the others visit residents in their blocks. New staff are never left
//! alone at the desk, and shifts with two or more positions have an
//! experienced colleague (以老带新). Turns are shared out evenly, counting
//! the last weeks' published rota too, because a desk day is a day away
//! from one's own blocks.
//!
//! [`solve`] drafts a rota; [`violations`] re-checks a rota (the solver's,
//! or one an admin edited) against the same rules, each broken rule a
//! [`Breach`] that names its shift and person. Both are pure and
//! deterministic: the same problem, in any input order, gives the same
//! rota, so a re-run never reshuffles a draft people have already seen.
//!
//! # Rules
//! Hard, never broken by the solver:
//! - nobody on a shift during their unavailability (leave, training,
//!   booked home visits, other commitments);
//! - nobody twice in one shift, nor in two overlapping shifts;
//! - nobody above their weekly limit, counted per site-local week;
//! - a shift with two or more positions has a senior among its people; if
//!   no senior can take it, at most `positions - 1` are filled and the
//!   senior position is reported open;
//! - someone new at the site (not senior, and the shift starts before
//!   their [`StaffMember::new_until`]: their first weeks) is never on a
//!   shift without a colleague who is not new: never on a one-position
//!   shift, and on a larger one only beside someone experienced; with no
//!   such colleague free, the positions stay open as `only_new_people`;
//! - `fixed` assignees stay, even where they break a rule (it was an
//!   admin's decision); they count toward loads, block their holders and
//!   pair with new people like any other shift;
//! - a position is left open only when nobody may take it, and each open
//!   position carries a reason that [`violations`] proves again.
//!
//! Soft, in priority order: fairness (the spread of history plus this
//! draft over all staff, at most 1 where availability allows); then
//! nobody twice on the same local date; then lower staff ids first.
//!
//! # Algorithm
//! 1. Greedy: shifts in (start, id) order; each open position goes to the
//!    eligible person with the lowest total, then the fewest shifts that
//!    date, then the lowest id; a senior first where the shift needs one,
//!    and someone not new before anyone new.
//! 2. Coverage: a position that only someone busy on one other (draft)
//!    shift could take is filled by moving that person and handing their
//!    other shift to someone free for it.
//! 3. Fairness: a chain of hand-overs (the shortest path in the "could
//!    take this shift instead" graph) from someone with total `L` to
//!    someone with at most `L - 2`. Someone at their weekly limit may pass
//!    the chain on within that week, as in the residual graph of a flow
//!    with per-week capacities. Without overlaps, the senior rule and new
//!    people, the absence of such a path is the optimality condition of
//!    semi-matchings (Harvey, Ladner, Lovász, Tamir 2003): the totals are
//!    then as even as any assignment could make them (a brute-force
//!    property test checks this on small sites, weekly limits included).
//!    With them it is a strong local optimum; in particular no single
//!    hand-over can narrow the gap between two people. A hand-over keeps
//!    what the shift had: its senior, and beside anyone new a colleague
//!    who is not new.
//! 4. Same date: a second shift on one date goes to someone one shift
//!    below (which keeps the multiset of totals) or is swapped with one of
//!    another person's shifts.
//!
//! The steps repeat until none applies. Every step improves (positions
//! filled, minus the sum of squared totals, minus the number of same-date
//! doubles) lexicographically, so the loop ends; a bound on the rounds
//! guards it anyway.

mod breach;
mod check;
mod handover;
mod prepared;
mod seating;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::interval::Interval;

pub use breach::Breach;
pub use check::violations;
use prepared::Prepared;
use seating::Seating;

/// One shift to staff.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShiftSlot {
    /// The key of the shift in the result, so the caller can store who got it.
    pub id: i64,
    /// When it runs (UTC): overlaps with leave and with other shifts are decided on it.
    pub interval: Interval,
    /// Its site-local date, because "not twice on one day" is about the local day.
    pub date: NaiveDate,
    /// The Monday of its site-local week, the unit weekly limits count in.
    pub week: NaiveDate,
    /// How many people it needs at once; two or more need a senior among them.
    pub positions: u32,
    /// Staff an admin already put on it: kept as they are, and counted toward loads.
    pub fixed: Vec<i64>,
}

/// One person who takes turns at the desk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaffMember {
    /// Who: the assignments name staff by it, and ties go to the lowest.
    pub id: i64,
    /// Experienced: every shift of two or more positions needs one (以老带新).
    pub senior: bool,
    /// A cap on shifts per site-local week, for part-timers and people with other duties.
    pub max_shifts_per_week: Option<u32>,
    /// Leave, training, booked home visits, other commitments: never on a shift then.
    pub unavailable: Vec<Interval>,
    /// New at the site until then (the end of their first weeks there):
    /// on a shift starting earlier they never sit without a colleague who
    /// is not new. `None`: not new. Seniors are never new.
    pub new_until: Option<DateTime<Utc>>,
}

impl StaffMember {
    /// Whether they are new at the site on `shift`: the one definition the
    /// solver and the checker both read.
    pub fn is_new_on(&self, shift: &ShiftSlot) -> bool {
        !self.senior && self.new_until.is_some_and(|until| shift.interval.start < until)
    }
}

/// Everything the solver knows about one site's draft period.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct RotaProblem {
    /// The shifts to staff, admin-fixed assignees included.
    pub shifts: Vec<ShiftSlot>,
    /// Everyone who takes turns, also those who cannot this period: they count for fairness.
    pub staff: Vec<StaffMember>,
    /// Published shifts per staff id over the last 8 weeks, so fairness spans
    /// drafts; repeated ids add up, unknown ids are ignored.
    pub history: Vec<(i64, u32)>,
}

/// A draft rota.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct RotaSolution {
    /// Staff ids (sorted) per shift id, for every shift, fixed assignees included.
    pub assignments: BTreeMap<i64, Vec<i64>>,
    /// The positions left open and why, in shift (start, id) order, so an
    /// admin knows whom to ask; a shift's `missing` add up to its open positions.
    pub unfilled: Vec<Unfilled>,
}

/// Open positions of one shift, with the reason they are open.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Unfilled {
    /// The shift short of people.
    pub shift_id: i64,
    /// How many of its positions are open for this reason.
    pub missing: u32,
    /// Why nobody was put there; each shift lists a reason at most once.
    pub reason: UnfilledReason,
}

/// Why a position stayed open, by the stable code clients see.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UnfilledReason {
    /// The shift needs a senior (two or more positions) and no senior can
    /// take it; always exactly the one senior position.
    NoSeniorAvailable,
    /// Every staff member is unavailable, already on an overlapping shift,
    /// at their weekly limit or already in this shift.
    NobodyAvailable,
    /// Only people new at the site are free for it, and nobody on it or
    /// free for it is past their first weeks: a new person never sits at
    /// the desk alone.
    OnlyNewPeople,
}

impl UnfilledReason {
    pub fn code(self) -> &'static str {
        match self {
            UnfilledReason::NoSeniorAvailable => "no_senior_available",
            UnfilledReason::NobodyAvailable => "nobody_available",
            UnfilledReason::OnlyNewPeople => "only_new_people",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            UnfilledReason::NoSeniorAvailable => {
                "This shift needs an experienced (senior) colleague and none is free: every senior is \
                 unavailable, on an overlapping shift or at their weekly limit. The other positions \
                 were filled as far as possible."
            }
            UnfilledReason::NobodyAvailable => {
                "Nobody else can take this shift: every staff member is unavailable, on an \
                 overlapping shift, at their weekly limit or already on it."
            }
            UnfilledReason::OnlyNewPeople => {
                "Only colleagues new at this site are free for this shift, and a new colleague \
                 never sits at the desk without an experienced one: everyone past their first \
                 weeks is unavailable, on an overlapping shift or at their weekly limit."
            }
        }
    }
}

/// Drafts a rota: every hard rule held, then as fair as the availability
/// allows, then few same-date doubles. See the module documentation.
pub fn solve(problem: &RotaProblem) -> RotaSolution {
    let mut seating = Seating::new(problem);
    // Every round improves the potential described in the module docs, so
    // the bound is never reached in practice; it only guarantees an end.
    let rounds = 64 * (seating.assignable() + seating.n) + 64;
    for _ in 0..rounds {
        if seating.fill_all() || seating.displace_one() || seating.balance_one() || seating.spread_dates_one()
        {
            continue;
        }
        break;
    }
    // A no-op after a normal end; after a cut-short search it makes every
    // reported gap true again, since filling only ever removes candidates.
    seating.fill_all();
    seating.solution()
}

/// History plus shifts held in `solution`, per staff member: the numbers
/// fairness is about.
pub fn totals(problem: &RotaProblem, solution: &RotaSolution) -> BTreeMap<i64, u64> {
    let prep = Prepared::new(problem);
    let mut totals: BTreeMap<i64, u64> = prep
        .staff
        .iter()
        .zip(&prep.history)
        .map(|(m, h)| (m.id, *h))
        .collect();
    for ids in solution.assignments.values() {
        for id in ids {
            if let Some(t) = totals.get_mut(id) {
                *t += 1;
            }
        }
    }
    totals
}
