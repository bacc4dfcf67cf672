//! The canonical form of a problem, read alike by the solver and the checker.

use chrono::{DateTime, NaiveDate, Utc};

use super::{RotaProblem, ShiftSlot, StaffMember};
use crate::domain::interval::Interval;

/// The problem in the canonical form both the solver and the checker read:
/// ids deduplicated, shifts in (start, id) order, staff in id order, so no
/// input order can leak into a result.
pub(super) struct Prepared<'a> {
    pub(super) shifts: Vec<&'a ShiftSlot>,
    pub(super) staff: Vec<&'a StaffMember>,
    /// Per shift: its fixed assignees, sorted and deduplicated.
    pub(super) fixed: Vec<Vec<i64>>,
    /// Per staff member: published shifts of the last weeks.
    pub(super) history: Vec<u64>,
}

impl<'a> Prepared<'a> {
    pub(super) fn new(problem: &'a RotaProblem) -> Prepared<'a> {
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

    pub(super) fn staff_index(&self, id: i64) -> Option<usize> {
        self.staff.binary_search_by_key(&id, |m| m.id).ok()
    }
}

fn sorted_ids(ids: &[i64]) -> Vec<i64> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    ids
}

type StaffContent = (bool, Option<u32>, Vec<Interval>, Option<DateTime<Utc>>);

fn staff_content(m: &StaffMember) -> StaffContent {
    let mut unavailable = m.unavailable.clone();
    unavailable.sort();
    (m.senior, m.max_shifts_per_week, unavailable, m.new_until)
}

fn shift_content(s: &ShiftSlot) -> (Interval, NaiveDate, NaiveDate, u32, Vec<i64>) {
    (s.interval, s.date, s.week, s.positions, sorted_ids(&s.fixed))
}
