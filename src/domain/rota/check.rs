//! The rule checker: [`violations`] proves a rota (the solver's, or one an
//! admin edited) against the rules of the [module documentation](super),
//! on its own reading of the problem and sharing nothing with the solver
//! but the canonical form [`Prepared`].

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;

use super::prepared::Prepared;
use super::{RotaProblem, RotaSolution, UnfilledReason};

/// Every hard rule `solution` breaks, in words; empty when it is a valid
/// rota for `problem`. Breaches made by `fixed` assignees alone are not
/// reported (they were an admin's decision). Each [`Unfilled`](super::Unfilled) entry must
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
