//! The front-desk rota: who sits at the "friendly front desk" when.
//!
//! Under the 330 method one social worker stays at the committee for
//! first-contact reception (首问接待) every working day until 15:30 while
//! the others visit residents in their blocks. Shifts with two or more
//! positions pair new staff with an experienced colleague (以老带新). Turns
//! are shared out evenly, counting the last weeks' published rota too,
//! because a desk day is a day away from one's own blocks.
//!
//! [`solve`] drafts a rota; [`violations`] re-checks a rota (the solver's,
//! or one an admin edited) against the same rules. Both are pure and
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
//! - `fixed` assignees stay, even where they break a rule (it was an
//!   admin's decision); they count toward loads and block their holders
//!   like any other shift;
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
//!    date, then the lowest id; a senior first where the shift needs one.
//! 2. Coverage: a position that only someone busy on one other (draft)
//!    shift could take is filled by moving that person and handing their
//!    other shift to someone free for it.
//! 3. Fairness: a chain of hand-overs (the shortest path in the "could
//!    take this shift instead" graph) from someone with total `L` to
//!    someone with at most `L - 2`. Without overlaps, limits and the
//!    senior rule this is the optimality condition of semi-matchings
//!    (Harvey, Ladner, Lovász, Tamir 2003): when no such path is left the
//!    totals are as even as any assignment could make them. With those
//!    rules it is a strong local optimum; in particular no single
//!    hand-over can narrow the gap between two people.
//! 4. Same date: a second shift on one date goes to someone one shift
//!    below (which keeps the multiset of totals) or is swapped with one of
//!    another person's shifts.
//!
//! The steps repeat until none applies. Every step improves (positions
//! filled, minus the sum of squared totals, minus the number of same-date
//! doubles) lexicographically, so the loop ends; a bound on the rounds
//! guards it anyway.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

use chrono::NaiveDate;
use serde::Serialize;

use super::interval::Interval;

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
}

impl UnfilledReason {
    pub fn code(self) -> &'static str {
        match self {
            UnfilledReason::NoSeniorAvailable => "no_senior_available",
            UnfilledReason::NobodyAvailable => "nobody_available",
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
        }
    }
}

/// Drafts a rota: every hard rule held, then as fair as the availability
/// allows, then few same-date doubles. See the module documentation.
pub fn solve(problem: &RotaProblem) -> RotaSolution {
    let mut board = Board::new(problem);
    // Every round improves the potential described in the module docs, so
    // the bound is never reached in practice; it only guarantees an end.
    let rounds = 64 * (board.assignable() + board.n) + 64;
    for _ in 0..rounds {
        if board.fill_all() || board.displace_one() || board.balance_one() || board.spread_dates_one() {
            continue;
        }
        break;
    }
    // A no-op after a normal end; after a cut-short search it makes every
    // reported gap true again, since filling only ever removes candidates.
    board.fill_all();
    board.solution()
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

/// Every hard rule `solution` breaks, in words; empty when it is a valid
/// rota for `problem`. Breaches made by `fixed` assignees alone are not
/// reported (they were an admin's decision). Each [`Unfilled`] entry must
/// be exact and true: the missing counts add up, and nobody who could fill
/// the position was left out.
pub fn violations(problem: &RotaProblem, solution: &RotaSolution) -> Vec<String> {
    let prep = Prepared::new(problem);
    let mut out = Vec::new();
    let shift_ids: BTreeSet<i64> = prep.shifts.iter().map(|s| s.id).collect();
    for id in solution.assignments.keys() {
        if !shift_ids.contains(id) {
            out.push(format!(
                "assignments name shift {id}, which is not in the problem"
            ));
        }
    }

    // Who holds what, with whether it was fixed by an admin.
    let mut held: Vec<Vec<(usize, bool)>> = vec![Vec::new(); prep.staff.len()];
    let empty = Vec::new();
    let lists: Vec<&Vec<i64>> = prep
        .shifts
        .iter()
        .map(|s| solution.assignments.get(&s.id).unwrap_or(&empty))
        .collect();
    for (si, shift) in prep.shifts.iter().enumerate() {
        let list = lists[si];
        if !solution.assignments.contains_key(&shift.id) {
            out.push(format!("shift {} is missing from the assignments", shift.id));
        }
        if !list.windows(2).all(|w| w[0] < w[1]) {
            out.push(format!(
                "shift {}: staff ids are not sorted or appear twice",
                shift.id
            ));
        }
        for f in &prep.fixed[si] {
            if !list.contains(f) {
                out.push(format!("shift {}: fixed assignee {f} was dropped", shift.id));
            }
        }
        for id in list {
            let fixed = prep.fixed[si].contains(id);
            match prep.staff_index(*id) {
                Some(p) => held[p].push((si, fixed)),
                None if !fixed => out.push(format!("shift {}: {id} is not a staff member", shift.id)),
                None => {}
            }
        }
    }

    for (p, member) in prep.staff.iter().enumerate() {
        let mine = &held[p];
        for &(si, fixed) in mine {
            let shift = prep.shifts[si];
            if !fixed && member.unavailable.iter().any(|u| u.overlaps(&shift.interval)) {
                out.push(format!(
                    "shift {}: staff {} is unavailable then",
                    shift.id, member.id
                ));
            }
        }
        for (i, &(a, fixed_a)) in mine.iter().enumerate() {
            for &(b, fixed_b) in &mine[i + 1..] {
                let (sa, sb) = (prep.shifts[a], prep.shifts[b]);
                if !(fixed_a && fixed_b) && a != b && sa.interval.overlaps(&sb.interval) {
                    out.push(format!(
                        "staff {} is on overlapping shifts {} and {}",
                        member.id, sa.id, sb.id
                    ));
                }
            }
        }
        if let Some(limit) = member.max_shifts_per_week {
            let mut weeks: BTreeMap<NaiveDate, (u32, bool)> = BTreeMap::new();
            for &(si, fixed) in mine {
                let entry = weeks.entry(prep.shifts[si].week).or_default();
                entry.0 += 1;
                entry.1 |= !fixed;
            }
            for (week, (count, drafted)) in weeks {
                if count > limit && drafted {
                    out.push(format!(
                        "staff {} has {count} shifts in the week of {week}, above their limit of {limit}",
                        member.id
                    ));
                }
            }
        }
    }

    let eligible = |p: usize, si: usize| -> bool {
        let member = prep.staff[p];
        let shift = prep.shifts[si];
        let week_count = held[p]
            .iter()
            .filter(|(t, _)| prep.shifts[*t].week == shift.week)
            .count();
        !lists[si].contains(&member.id)
            && !member.unavailable.iter().any(|u| u.overlaps(&shift.interval))
            && !held[p]
                .iter()
                .any(|(t, _)| prep.shifts[*t].interval.overlaps(&shift.interval))
            && member
                .max_shifts_per_week
                .is_none_or(|l| (week_count as u64) < u64::from(l))
    };

    let mut reported: BTreeMap<i64, BTreeMap<UnfilledReason, u32>> = BTreeMap::new();
    for u in &solution.unfilled {
        if !shift_ids.contains(&u.shift_id) {
            out.push(format!(
                "unfilled names shift {}, which is not in the problem",
                u.shift_id
            ));
        }
        if u.missing == 0 {
            out.push(format!(
                "shift {}: an unfilled entry with nothing missing",
                u.shift_id
            ));
        }
        if reported
            .entry(u.shift_id)
            .or_default()
            .insert(u.reason, u.missing)
            .is_some()
        {
            out.push(format!(
                "shift {}: reason {} listed twice",
                u.shift_id,
                u.reason.code()
            ));
        }
    }

    for (si, shift) in prep.shifts.iter().enumerate() {
        let list = lists[si];
        let count = list.len() as u64;
        let positions = u64::from(shift.positions);
        let drafted = list.iter().any(|id| !prep.fixed[si].contains(id));
        let has_senior = list
            .iter()
            .any(|id| prep.staff_index(*id).is_some_and(|p| prep.staff[p].senior));
        if drafted && count > positions {
            out.push(format!(
                "shift {} has {count} people for {positions} positions",
                shift.id
            ));
        }
        if drafted && positions >= 2 && !has_senior && count >= positions {
            out.push(format!("shift {} is full without a senior", shift.id));
        }

        let open = positions.saturating_sub(count);
        let mut expected: BTreeMap<UnfilledReason, u32> = BTreeMap::new();
        let needs_senior = positions >= 2 && !has_senior;
        if open > 0 {
            let open = u32::try_from(open).unwrap_or(u32::MAX);
            if needs_senior {
                expected.insert(UnfilledReason::NoSeniorAvailable, 1);
                if open > 1 {
                    expected.insert(UnfilledReason::NobodyAvailable, open - 1);
                }
            } else {
                expected.insert(UnfilledReason::NobodyAvailable, open);
            }
        }
        let got = reported.remove(&shift.id).unwrap_or_default();
        if got != expected {
            out.push(format!(
                "shift {}: unfilled should be {} but is {}",
                shift.id,
                describe(&expected),
                describe(&got)
            ));
        }
        for reason in expected.keys() {
            let could = (0..prep.staff.len()).find(|&p| {
                (*reason == UnfilledReason::NobodyAvailable || prep.staff[p].senior) && eligible(p, si)
            });
            if let Some(p) = could {
                out.push(format!(
                    "shift {}: reported {} but staff {} could take it",
                    shift.id,
                    reason.code(),
                    prep.staff[p].id
                ));
            }
        }
    }
    out
}

fn describe(reasons: &BTreeMap<UnfilledReason, u32>) -> String {
    if reasons.is_empty() {
        return "nothing".to_string();
    }
    let parts: Vec<String> = reasons.iter().map(|(r, n)| format!("{n} {}", r.code())).collect();
    parts.join(", ")
}

/// The problem in the canonical form both the solver and the checker read:
/// ids deduplicated, shifts in (start, id) order, staff in id order, so no
/// input order can leak into a result.
struct Prepared<'a> {
    shifts: Vec<&'a ShiftSlot>,
    staff: Vec<&'a StaffMember>,
    /// Per shift: its fixed assignees, sorted and deduplicated.
    fixed: Vec<Vec<i64>>,
    /// Per staff member: published shifts of the last weeks.
    history: Vec<u64>,
}

impl<'a> Prepared<'a> {
    fn new(problem: &'a RotaProblem) -> Prepared<'a> {
        // Duplicate ids are bad input; keeping the smallest by content (not
        // the first seen) keeps even that case independent of input order.
        let mut staff: Vec<&StaffMember> = problem.staff.iter().collect();
        staff.sort_by(|a, b| {
            a.id.cmp(&b.id)
                .then_with(|| staff_content(a).cmp(&staff_content(b)))
        });
        staff.dedup_by_key(|m| m.id);

        let mut shifts: Vec<&ShiftSlot> = problem.shifts.iter().collect();
        shifts.sort_by(|a, b| {
            a.id.cmp(&b.id)
                .then_with(|| shift_content(a).cmp(&shift_content(b)))
        });
        shifts.dedup_by_key(|s| s.id);
        shifts.sort_by_key(|s| (s.interval.start, s.id));

        let fixed = shifts.iter().map(|s| sorted_ids(&s.fixed)).collect();
        let mut history = vec![0u64; staff.len()];
        for (id, n) in &problem.history {
            if let Ok(p) = staff.binary_search_by_key(id, |m| m.id) {
                history[p] += u64::from(*n);
            }
        }
        Prepared {
            shifts,
            staff,
            fixed,
            history,
        }
    }

    fn staff_index(&self, id: i64) -> Option<usize> {
        self.staff.binary_search_by_key(&id, |m| m.id).ok()
    }
}

fn sorted_ids(ids: &[i64]) -> Vec<i64> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    ids
}

fn staff_content(m: &StaffMember) -> (bool, Option<u32>, Vec<Interval>) {
    let mut unavailable = m.unavailable.clone();
    unavailable.sort();
    (m.senior, m.max_shifts_per_week, unavailable)
}

fn shift_content(s: &ShiftSlot) -> (Interval, NaiveDate, NaiveDate, u32, Vec<i64>) {
    (s.interval, s.date, s.week, s.positions, sorted_ids(&s.fixed))
}

/// The solver's working state. Staff and shifts are dense indices into
/// [`Prepared`]; the counters make every eligibility test O(1).
struct Board<'a> {
    prep: Prepared<'a>,
    n: usize,
    ns: usize,
    weeks: usize,
    dates: usize,
    /// Per shift: the indices of its week and date.
    week: Vec<usize>,
    date: Vec<usize>,
    /// Per shift: the other shifts that overlap it.
    overlaps: Vec<Vec<usize>>,
    /// `[p * ns + s]`: whether `p` is unavailable during `s`.
    unavailable: Vec<bool>,
    /// Per shift: fixed assignees known as staff, and fixed ids that are not.
    fixed_known: Vec<Vec<usize>>,
    fixed_unknown: Vec<Vec<i64>>,
    /// Per shift: the solver's assignees.
    draft: Vec<Vec<usize>>,
    /// Per shift: seniors among all its people.
    seniors: Vec<u32>,
    /// `[p * ns + s]`: shifts `p` holds that are `s` or overlap it.
    busy: Vec<u32>,
    /// `[p * weeks + w]`, `[p * dates + d]`: shifts `p` holds in a week, on a date.
    week_count: Vec<u32>,
    date_count: Vec<u32>,
    /// Per person: history plus every shift held.
    total: Vec<u64>,
    /// Per person: their draft (movable) shifts, in shift order.
    held: Vec<Vec<usize>>,
}

/// One hand-over: `from` leaves shift `shift` and `to` takes it.
#[derive(Clone, Copy)]
struct Step {
    from: usize,
    to: usize,
    shift: usize,
}

impl<'a> Board<'a> {
    fn new(problem: &'a RotaProblem) -> Board<'a> {
        let prep = Prepared::new(problem);
        let n = prep.staff.len();
        let ns = prep.shifts.len();
        let index = |values: Vec<NaiveDate>| -> (usize, Vec<usize>) {
            let mut sorted = values.clone();
            sorted.sort_unstable();
            sorted.dedup();
            let idx = values
                .iter()
                .map(|v| sorted.binary_search(v).unwrap_or(0))
                .collect();
            (sorted.len(), idx)
        };
        let (weeks, week) = index(prep.shifts.iter().map(|s| s.week).collect());
        let (dates, date) = index(prep.shifts.iter().map(|s| s.date).collect());

        // Shifts are in start order, so the scan for overlaps of `i` stops
        // at the first later shift starting after `i` ends.
        let mut overlaps = vec![Vec::new(); ns];
        for i in 0..ns {
            let a = prep.shifts[i].interval;
            for j in i + 1..ns {
                let b = prep.shifts[j].interval;
                if b.start >= a.end {
                    break;
                }
                if a.overlaps(&b) {
                    overlaps[i].push(j);
                    overlaps[j].push(i);
                }
            }
        }
        let mut unavailable = vec![false; n * ns];
        for (p, m) in prep.staff.iter().enumerate() {
            for (s, shift) in prep.shifts.iter().enumerate() {
                unavailable[p * ns + s] = m.unavailable.iter().any(|u| u.overlaps(&shift.interval));
            }
        }
        let history = prep.history.clone();
        let mut board = Board {
            n,
            ns,
            weeks,
            dates,
            week,
            date,
            overlaps,
            unavailable,
            fixed_known: vec![Vec::new(); ns],
            fixed_unknown: vec![Vec::new(); ns],
            draft: vec![Vec::new(); ns],
            seniors: vec![0; ns],
            busy: vec![0; n * ns],
            week_count: vec![0; n * weeks],
            date_count: vec![0; n * dates],
            total: history,
            held: vec![Vec::new(); n],
            prep,
        };
        for s in 0..ns {
            for i in 0..board.prep.fixed[s].len() {
                let id = board.prep.fixed[s][i];
                match board.prep.staff_index(id) {
                    Some(p) => {
                        board.fixed_known[s].push(p);
                        board.occupy(p, s);
                    }
                    None => board.fixed_unknown[s].push(id),
                }
            }
        }
        board
    }

    /// The most people the shifts could ever take: a bound for the rounds.
    fn assignable(&self) -> usize {
        self.prep
            .shifts
            .iter()
            .map(|s| (s.positions as usize).min(self.n))
            .sum()
    }

    fn senior(&self, p: usize) -> bool {
        self.prep.staff[p].senior
    }

    fn positions(&self, s: usize) -> usize {
        self.prep.shifts[s].positions as usize
    }

    fn count(&self, s: usize) -> usize {
        self.fixed_known[s].len() + self.fixed_unknown[s].len() + self.draft[s].len()
    }

    fn needs_senior(&self, s: usize) -> bool {
        self.positions(s) >= 2 && self.seniors[s] == 0
    }

    fn dates_of(&self, p: usize, s: usize) -> u32 {
        self.date_count[p * self.dates + self.date[s]]
    }

    fn week_ok(&self, p: usize, s: usize) -> bool {
        let count = self.week_count[p * self.weeks + self.week[s]];
        self.prep.staff[p]
            .max_shifts_per_week
            .is_none_or(|limit| count < limit)
    }

    /// Whether `p` may be added to `s` as things stand. `busy` counts `s`
    /// itself, so this also refuses someone already on it.
    fn can_take(&self, p: usize, s: usize) -> bool {
        !self.unavailable[p * self.ns + s] && self.busy[p * self.ns + s] == 0 && self.week_ok(p, s)
    }

    /// Whether `q` may take `from`'s place on `s`. Judged with `q`'s other
    /// shifts unchanged, so it stays true when `q` also gives a shift away
    /// in the same chain of hand-overs. A shift that had a senior keeps one.
    fn can_replace(&self, from: usize, q: usize, s: usize) -> bool {
        self.can_take(q, s)
            && (self.positions(s) < 2 || !self.senior(from) || self.senior(q) || self.seniors[s] >= 2)
    }

    /// Who goes first for `s`: the lowest total, then the fewest shifts that
    /// date, then the lowest id.
    fn key(&self, p: usize, s: usize) -> (u64, u32, usize) {
        (self.total[p], self.dates_of(p, s), p)
    }

    fn occupy(&mut self, p: usize, s: usize) {
        let row = p * self.ns;
        self.busy[row + s] += 1;
        for &t in &self.overlaps[s] {
            self.busy[row + t] += 1;
        }
        self.week_count[p * self.weeks + self.week[s]] += 1;
        self.date_count[p * self.dates + self.date[s]] += 1;
        self.total[p] += 1;
        if self.senior(p) {
            self.seniors[s] += 1;
        }
    }

    fn vacate(&mut self, p: usize, s: usize) {
        let row = p * self.ns;
        self.busy[row + s] -= 1;
        for &t in &self.overlaps[s] {
            self.busy[row + t] -= 1;
        }
        self.week_count[p * self.weeks + self.week[s]] -= 1;
        self.date_count[p * self.dates + self.date[s]] -= 1;
        self.total[p] -= 1;
        if self.senior(p) {
            self.seniors[s] -= 1;
        }
    }

    fn add(&mut self, p: usize, s: usize) {
        self.occupy(p, s);
        self.draft[s].push(p);
        if let Err(at) = self.held[p].binary_search(&s) {
            self.held[p].insert(at, s);
        }
    }

    fn remove(&mut self, p: usize, s: usize) {
        self.vacate(p, s);
        self.draft[s].retain(|&x| x != p);
        if let Ok(at) = self.held[p].binary_search(&s) {
            self.held[p].remove(at);
        }
    }

    fn apply(&mut self, steps: &[Step]) {
        // Each step was judged on the state before any of them, with the
        // shifts along a chain distinct, so the order of applying is free.
        for step in steps {
            self.remove(step.from, step.shift);
        }
        for step in steps {
            self.add(step.to, step.shift);
        }
    }

    fn best(&self, s: usize, seniors_only: bool) -> Option<usize> {
        (0..self.n)
            .filter(|&p| (!seniors_only || self.senior(p)) && self.can_take(p, s))
            .min_by_key(|&p| self.key(p, s))
    }

    /// Fills the open positions of `s`; a senior first where one is needed,
    /// and without one at most `positions - 1`.
    fn fill(&mut self, s: usize) -> bool {
        let mut changed = false;
        while self.count(s) < self.positions(s) {
            let pick = if self.needs_senior(s) {
                self.best(s, true).or_else(|| {
                    if self.count(s) + 1 < self.positions(s) {
                        self.best(s, false)
                    } else {
                        None
                    }
                })
            } else {
                self.best(s, false)
            };
            let Some(p) = pick else { break };
            self.add(p, s);
            changed = true;
        }
        changed
    }

    /// One greedy pass in shift order. Adding people only removes
    /// candidates, so after a pass nobody can be added anywhere.
    fn fill_all(&mut self) -> bool {
        let mut changed = false;
        for s in 0..self.ns {
            changed |= self.fill(s);
        }
        changed
    }

    /// Fills one open position by moving someone off the single draft shift
    /// that keeps them from it and handing that shift to someone free.
    fn displace_one(&mut self) -> bool {
        for s in 0..self.ns {
            if self.count(s) >= self.positions(s) {
                continue;
            }
            let needs_senior = self.needs_senior(s);
            let seniors_only = needs_senior && self.count(s) + 1 >= self.positions(s);
            let mut candidates: Vec<usize> = (0..self.n)
                .filter(|&a| (!seniors_only || self.senior(a)) && !self.unavailable[a * self.ns + s])
                .filter(|&a| !self.fixed_known[s].contains(&a) && !self.draft[s].contains(&a))
                .collect();
            candidates.sort_by_key(|&a| (needs_senior && !self.senior(a), self.key(a, s)));
            for a in candidates {
                if let Some((t, b)) = self.release(a, s) {
                    self.remove(a, t);
                    self.add(b, t);
                    self.add(a, s);
                    return true;
                }
            }
        }
        false
    }

    /// The draft shift `t` whose hand-over frees `a` for `s`, and who takes it.
    fn release(&self, a: usize, s: usize) -> Option<(usize, usize)> {
        let clashes = self.busy[a * self.ns + s];
        let week_full = !self.week_ok(a, s);
        if clashes > 1 || (clashes == 0 && !week_full) {
            return None;
        }
        let limit = self.prep.staff[a].max_shifts_per_week;
        let in_week = self.week_count[a * self.weeks + self.week[s]];
        for &t in &self.held[a] {
            let clash_freed = clashes == 0 || self.overlaps[s].contains(&t);
            let week_freed = !week_full || (self.week[t] == self.week[s] && limit == Some(in_week));
            if !(clash_freed && week_freed) {
                continue;
            }
            let taker = (0..self.n)
                .filter(|&b| self.can_replace(a, b, t))
                .min_by_key(|&b| self.key(b, t));
            if let Some(b) = taker {
                return Some((t, b));
            }
        }
        None
    }

    /// Applies one chain of hand-overs from a person with total `L` to one
    /// with at most `L - 2`: first chains that put nobody twice on a date,
    /// then any, because fairness outranks the same-date preference.
    fn balance_one(&mut self) -> bool {
        let (Some(&min), Some(&max)) = (self.total.iter().min(), self.total.iter().max()) else {
            return false;
        };
        if max < min + 2 {
            return false;
        }
        let mut sources: Vec<usize> = (0..self.n)
            .filter(|&p| self.total[p] >= min + 2 && !self.held[p].is_empty())
            .collect();
        sources.sort_by_key(|&p| (Reverse(self.total[p]), p));
        for strict in [true, false] {
            for &source in &sources {
                if let Some(path) = self.find_path(source, strict) {
                    self.apply(&path);
                    return true;
                }
            }
        }
        false
    }

    /// Breadth-first search from `source` over "could take this shift
    /// instead" edges; the reachable person with the lowest total (then the
    /// shortest chain, then the lowest id) at least 2 below `source` ends it.
    fn find_path(&self, source: usize, strict: bool) -> Option<Vec<Step>> {
        let goal = self.total[source].checked_sub(2)?;
        let mut parent: Vec<Option<(usize, usize)>> = vec![None; self.n];
        let mut depth = vec![0usize; self.n];
        let mut seen = vec![false; self.n];
        seen[source] = true;
        let mut queue = VecDeque::from([source]);
        let mut best: Option<(u64, usize, usize)> = None;
        while let Some(p) = queue.pop_front() {
            for &s in &self.held[p] {
                // A shift changes hands at most once along a chain; then
                // each step's check (the senior rule above all) stays valid.
                if on_chain(&parent, p, s) {
                    continue;
                }
                for q in 0..self.n {
                    if seen[q] || !self.can_replace(p, q, s) || (strict && self.dates_of(q, s) > 0) {
                        continue;
                    }
                    seen[q] = true;
                    parent[q] = Some((p, s));
                    depth[q] = depth[p] + 1;
                    if self.total[q] <= goal {
                        let key = (self.total[q], depth[q], q);
                        if best.is_none_or(|b| key < b) {
                            best = Some(key);
                        }
                    } else {
                        queue.push_back(q);
                    }
                }
            }
        }
        let (_, _, mut to) = best?;
        let mut steps = Vec::new();
        while let Some((from, shift)) = parent[to] {
            steps.push(Step { from, to, shift });
            to = from;
        }
        Some(steps)
    }

    /// Removes one same-date double without touching fairness: hands the
    /// shift to someone exactly one below (the multiset of totals stays the
    /// same), or swaps it for a shift of someone free that date.
    fn spread_dates_one(&mut self) -> bool {
        let Some(steps) = self.date_move() else {
            return false;
        };
        self.apply(&steps);
        true
    }

    fn date_move(&self) -> Option<Vec<Step>> {
        for p in 0..self.n {
            for &s in &self.held[p] {
                if self.dates_of(p, s) < 2 {
                    continue;
                }
                let below = (0..self.n)
                    .filter(|&q| self.total[q] + 1 == self.total[p] && self.dates_of(q, s) == 0)
                    .filter(|&q| self.can_replace(p, q, s))
                    .min_by_key(|&q| self.key(q, s));
                if let Some(q) = below {
                    return Some(vec![Step {
                        from: p,
                        to: q,
                        shift: s,
                    }]);
                }
                if let Some((q, t)) = self.swap_for(p, s) {
                    return Some(vec![
                        Step {
                            from: p,
                            to: q,
                            shift: s,
                        },
                        Step {
                            from: q,
                            to: p,
                            shift: t,
                        },
                    ]);
                }
            }
        }
        None
    }

    /// Someone `q` free on `s`'s date holding a shift `t` on a date where
    /// `p` is free, such that the two may trade.
    fn swap_for(&self, p: usize, s: usize) -> Option<(usize, usize)> {
        for q in 0..self.n {
            if q == p || self.dates_of(q, s) > 0 || !self.can_replace(p, q, s) {
                continue;
            }
            for &t in &self.held[q] {
                if self.date[t] != self.date[s] && self.dates_of(p, t) == 0 && self.can_replace(q, p, t) {
                    return Some((q, t));
                }
            }
        }
        None
    }

    fn solution(&self) -> RotaSolution {
        let mut assignments = BTreeMap::new();
        let mut unfilled = Vec::new();
        for (s, shift) in self.prep.shifts.iter().enumerate() {
            let known = self.fixed_known[s].iter().chain(&self.draft[s]);
            let mut ids: Vec<i64> = known.map(|&p| self.prep.staff[p].id).collect();
            ids.extend(&self.fixed_unknown[s]);
            ids.sort_unstable();
            ids.dedup();
            assignments.insert(shift.id, ids);

            let open = self.positions(s).saturating_sub(self.count(s));
            let open = u32::try_from(open).unwrap_or(u32::MAX);
            let mut gap = |missing: u32, reason: UnfilledReason| {
                if missing > 0 {
                    unfilled.push(Unfilled {
                        shift_id: shift.id,
                        missing,
                        reason,
                    });
                }
            };
            if open > 0 && self.needs_senior(s) {
                gap(1, UnfilledReason::NoSeniorAvailable);
                gap(open - 1, UnfilledReason::NobodyAvailable);
            } else {
                gap(open, UnfilledReason::NobodyAvailable);
            }
        }
        RotaSolution {
            assignments,
            unfilled,
        }
    }
}

/// Whether shift `s` already changes hands on the chain that reached `p`.
fn on_chain(parent: &[Option<(usize, usize)>], mut p: usize, s: usize) -> bool {
    while let Some((from, shift)) = parent[p] {
        if shift == s {
            return true;
        }
        p = from;
    }
    false
}
