//! The solver's state, [`Seating`], and the steps that fill positions
//! (greedy, then coverage) or spread same-date doubles; the fairness
//! step lives in [`super::handover`].

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::prepared::Prepared;
use super::{RotaProblem, RotaSolution, Unfilled, UnfilledReason};

/// The solver's working state: who sits at the desk on which shift so
/// far, fixed and drafted, with the counters that make every eligibility
/// test O(1). Staff and shifts are dense indices into [`Prepared`].
pub(super) struct Seating<'a> {
    pub(super) prep: Prepared<'a>,
    pub(super) n: usize,
    pub(super) ns: usize,
    pub(super) weeks: usize,
    dates: usize,
    /// Per shift: the indices of its week and date.
    pub(super) week: Vec<usize>,
    date: Vec<usize>,
    /// Per shift: the other shifts that overlap it.
    pub(super) overlaps: Vec<Vec<usize>>,
    /// `[p * ns + s]`: whether `p` is unavailable during `s`.
    pub(super) unavailable: Vec<bool>,
    /// `[p * ns + s]`: whether `p` is new at the site on `s`.
    new: Vec<bool>,
    /// Per shift: fixed assignees known as staff, and fixed ids that are not.
    pub(super) fixed_known: Vec<Vec<usize>>,
    fixed_unknown: Vec<Vec<i64>>,
    /// Per shift: the solver's assignees.
    pub(super) draft: Vec<Vec<usize>>,
    /// Per shift: seniors among all its people.
    pub(super) seniors: Vec<u32>,
    /// Per shift: people on it who are not new (seniors among them), the
    /// colleagues someone new may sit beside.
    experienced: Vec<u32>,
    /// `[p * ns + s]`: shifts `p` holds that are `s` or overlap it.
    pub(super) busy: Vec<u32>,
    /// `[p * weeks + w]`, `[p * dates + d]`: shifts `p` holds in a week, on a date.
    pub(super) week_count: Vec<u32>,
    date_count: Vec<u32>,
    /// Per person: history plus every shift held.
    pub(super) total: Vec<u64>,
    /// Per person: their draft (movable) shifts, in shift order.
    pub(super) held: Vec<Vec<usize>>,
}

/// One hand-over: `from` leaves shift `shift` and `to` takes it.
#[derive(Clone, Copy)]
pub(super) struct Step {
    pub(super) from: usize,
    pub(super) to: usize,
    pub(super) shift: usize,
}

impl<'a> Seating<'a> {
    pub(super) fn new(problem: &'a RotaProblem) -> Seating<'a> {
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
        let mut new = vec![false; n * ns];
        for (p, m) in prep.staff.iter().enumerate() {
            for (s, shift) in prep.shifts.iter().enumerate() {
                unavailable[p * ns + s] = m.unavailable.iter().any(|u| u.overlaps(&shift.interval));
                new[p * ns + s] = m.is_new_on(shift);
            }
        }
        let history = prep.history.clone();
        let mut seating = Seating {
            n,
            ns,
            weeks,
            dates,
            week,
            date,
            overlaps,
            unavailable,
            new,
            fixed_known: vec![Vec::new(); ns],
            fixed_unknown: vec![Vec::new(); ns],
            draft: vec![Vec::new(); ns],
            seniors: vec![0; ns],
            experienced: vec![0; ns],
            busy: vec![0; n * ns],
            week_count: vec![0; n * weeks],
            date_count: vec![0; n * dates],
            total: history,
            held: vec![Vec::new(); n],
            prep,
        };
        for s in 0..ns {
            for i in 0..seating.prep.fixed[s].len() {
                let id = seating.prep.fixed[s][i];
                match seating.prep.staff_index(id) {
                    Some(p) => {
                        seating.fixed_known[s].push(p);
                        seating.occupy(p, s);
                    }
                    None => seating.fixed_unknown[s].push(id),
                }
            }
        }
        seating
    }

    /// The most people the shifts could ever take: a bound for the rounds.
    pub(super) fn assignable(&self) -> usize {
        self.prep
            .shifts
            .iter()
            .map(|s| (s.positions as usize).min(self.n))
            .sum()
    }

    pub(super) fn senior(&self, p: usize) -> bool {
        self.prep.staff[p].senior
    }

    pub(super) fn positions(&self, s: usize) -> usize {
        self.prep.shifts[s].positions as usize
    }

    fn count(&self, s: usize) -> usize {
        self.fixed_known[s].len() + self.fixed_unknown[s].len() + self.draft[s].len()
    }

    fn needs_senior(&self, s: usize) -> bool {
        self.positions(s) >= 2 && self.seniors[s] == 0
    }

    pub(super) fn dates_of(&self, p: usize, s: usize) -> u32 {
        self.date_count[p * self.dates + self.date[s]]
    }

    pub(super) fn week_ok(&self, p: usize, s: usize) -> bool {
        let count = self.week_count[p * self.weeks + self.week[s]];
        self.prep.staff[p]
            .max_shifts_per_week
            .is_none_or(|limit| count < limit)
    }

    pub(super) fn new_on(&self, p: usize, s: usize) -> bool {
        self.new[p * self.ns + s]
    }

    /// Whether `p` is free for `s`: not away, not on it or an overlapping
    /// shift, below their weekly limit. `busy` counts `s` itself, so this
    /// also refuses someone already on it.
    fn free(&self, p: usize, s: usize) -> bool {
        !self.unavailable[p * self.ns + s] && self.busy[p * self.ns + s] == 0 && self.week_ok(p, s)
    }

    /// Whether `p` may sit on `s` beside the people there now: someone new
    /// only where a colleague who is not new already sits.
    fn pairs(&self, p: usize, s: usize) -> bool {
        !self.new_on(p, s) || self.experienced[s] > 0
    }

    /// Whether `p` may be added to `s` as things stand.
    fn can_take(&self, p: usize, s: usize) -> bool {
        self.free(p, s) && self.pairs(p, s)
    }

    /// Whether `s` keeps what `from` gave it when `q` takes their place: a
    /// shift that had a senior keeps one, and someone new taking the place
    /// still sits beside a colleague who is not new. Only `s` changes, so
    /// it holds for each step of a chain of hand-overs on distinct shifts.
    pub(super) fn keeps_pairs(&self, from: usize, q: usize, s: usize) -> bool {
        let senior_kept =
            self.positions(s) < 2 || !self.senior(from) || self.senior(q) || self.seniors[s] >= 2;
        let experienced_left = self.experienced[s].saturating_sub(u32::from(!self.new_on(from, s)));
        senior_kept && (!self.new_on(q, s) || experienced_left > 0)
    }

    /// Whether `q` may take `from`'s place on `s`. Judged with `q`'s other
    /// shifts unchanged, so it stays true when `q` also gives a shift away
    /// in the same chain of hand-overs.
    pub(super) fn can_replace(&self, from: usize, q: usize, s: usize) -> bool {
        self.free(q, s) && self.keeps_pairs(from, q, s)
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
        if !self.new_on(p, s) {
            self.experienced[s] += 1;
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
        if !self.new_on(p, s) {
            self.experienced[s] -= 1;
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

    pub(super) fn apply(&mut self, steps: &[Step]) {
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
    /// and without one at most `positions - 1`. Someone new comes only
    /// after a colleague who is not new ([`Seating::can_take`]).
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
    pub(super) fn fill_all(&mut self) -> bool {
        let mut changed = false;
        for s in 0..self.ns {
            changed |= self.fill(s);
        }
        changed
    }

    /// Fills one open position by moving someone off the single draft shift
    /// that keeps them from it and handing that shift to someone free.
    pub(super) fn displace_one(&mut self) -> bool {
        for s in 0..self.ns {
            if self.count(s) >= self.positions(s) {
                continue;
            }
            let needs_senior = self.needs_senior(s);
            let seniors_only = needs_senior && self.count(s) + 1 >= self.positions(s);
            let mut candidates: Vec<usize> = (0..self.n)
                .filter(|&a| (!seniors_only || self.senior(a)) && !self.unavailable[a * self.ns + s])
                .filter(|&a| self.pairs(a, s))
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
    /// Removes one same-date double without touching fairness: hands the
    /// shift to someone exactly one below (the multiset of totals stays the
    /// same), or swaps it for a shift of someone free that date.
    pub(super) fn spread_dates_one(&mut self) -> bool {
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

    pub(super) fn solution(&self) -> RotaSolution {
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
            let rest = if open > 0 && self.needs_senior(s) {
                gap(1, UnfilledReason::NoSeniorAvailable);
                open - 1
            } else {
                open
            };
            // Filling stopped with nobody able to take `s`: if someone new
            // is free for it, what they wait for is an experienced colleague.
            let new_free = (0..self.n).any(|p| self.new_on(p, s) && self.free(p, s));
            if self.experienced[s] == 0 && new_free {
                gap(rest, UnfilledReason::OnlyNewPeople);
            } else {
                gap(rest, UnfilledReason::NobodyAvailable);
            }
        }
        RotaSolution {
            assignments,
            unfilled,
        }
    }
}
