//! The rule checker: [`violations`] proves a rota (the solver's, or one an
//! admin edited) against the rules of the [module documentation](super),
//! on its own reading of the problem and sharing nothing with the solver
//! but the canonical form [`Prepared`] and the definition of who is new
//! ([`StaffMember::is_new_on`](super::StaffMember::is_new_on)).

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;

use super::breach::Breach;
use super::prepared::Prepared;
use super::{RotaProblem, RotaSolution, UnfilledReason};

/// Every hard rule `solution` breaks; empty when it is a valid
/// rota for `problem`. Breaches made by `fixed` assignees alone are not
/// reported (they were an admin's decision). Each [`Unfilled`](super::Unfilled) entry must
/// be exact and true: the missing counts add up, and nobody who could fill
/// the position was left out.
pub fn violations(problem: &RotaProblem, solution: &RotaSolution) -> Vec<Breach> {
    let prep = Prepared::new(problem);
    let mut out = Vec::new();
    let shift_ids: BTreeSet<i64> = prep.shifts.iter().map(|s| s.id).collect();
    for id in solution.assignments.keys() {
        if !shift_ids.contains(id) {
            out.push(Breach::UnknownShift { shift: *id });
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
            out.push(Breach::ShiftLeftOut { shift: shift.id });
        }
        if !list.windows(2).all(|w| w[0] < w[1]) {
            out.push(Breach::Unsorted { shift: shift.id });
        }
        for f in &prep.fixed[si] {
            if !list.contains(f) {
                out.push(Breach::FixedDropped {
                    shift: shift.id,
                    person: *f,
                });
            }
        }
        for id in list {
            let fixed = prep.fixed[si].contains(id);
            match prep.staff_index(*id) {
                Some(p) => held[p].push((si, fixed)),
                None if !fixed => out.push(Breach::NotStaff {
                    shift: shift.id,
                    person: *id,
                }),
                None => {}
            }
        }
    }

    for (p, member) in prep.staff.iter().enumerate() {
        let mine = &held[p];
        for &(si, fixed) in mine {
            let shift = prep.shifts[si];
            if !fixed && member.unavailable.iter().any(|u| u.overlaps(&shift.interval)) {
                out.push(Breach::Unavailable {
                    shift: shift.id,
                    person: member.id,
                });
            }
        }
        for (i, &(a, fixed_a)) in mine.iter().enumerate() {
            for &(b, fixed_b) in &mine[i + 1..] {
                let (sa, sb) = (prep.shifts[a], prep.shifts[b]);
                if !(fixed_a && fixed_b) && a != b && sa.interval.overlaps(&sb.interval) {
                    out.push(Breach::OverlappingShifts {
                        person: member.id,
                        shift: sa.id,
                        other: sb.id,
                    });
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
                    out.push(Breach::WeeklyLimit {
                        person: member.id,
                        week,
                        count,
                        limit,
                    });
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
            out.push(Breach::UnfilledUnknownShift { shift: u.shift_id });
        }
        if u.missing == 0 {
            out.push(Breach::NothingMissing { shift: u.shift_id });
        }
        if reported
            .entry(u.shift_id)
            .or_default()
            .insert(u.reason, u.missing)
            .is_some()
        {
            out.push(Breach::ReasonTwice {
                shift: u.shift_id,
                reason: u.reason,
            });
        }
    }

    for (si, shift) in prep.shifts.iter().enumerate() {
        let list = lists[si];
        let count = list.len() as u64;
        let positions = u64::from(shift.positions);
        let drafted = list.iter().any(|id| !prep.fixed[si].contains(id));
        let people: Vec<usize> = list.iter().filter_map(|id| prep.staff_index(*id)).collect();
        let has_senior = people.iter().any(|&p| prep.staff[p].senior);
        let has_experienced = people.iter().any(|&p| !prep.staff[p].is_new_on(shift));
        if drafted && count > positions {
            out.push(Breach::Overfull {
                shift: shift.id,
                count,
                positions,
            });
        }
        if drafted && positions >= 2 && !has_senior && count >= positions {
            out.push(Breach::NoSenior { shift: shift.id });
        }
        if drafted && !has_experienced {
            for &p in people.iter().filter(|&&p| prep.staff[p].is_new_on(shift)) {
                out.push(Breach::NewPersonAlone {
                    shift: shift.id,
                    person: prep.staff[p].id,
                });
            }
        }

        // The open positions, and the reason each must carry: the senior
        // position first; the rest wait for an experienced colleague if
        // someone new could otherwise come, else for anyone at all.
        let open = positions.saturating_sub(count);
        let mut expected: BTreeMap<UnfilledReason, u32> = BTreeMap::new();
        let needs_senior = positions >= 2 && !has_senior;
        if open > 0 {
            let open = u32::try_from(open).unwrap_or(u32::MAX);
            let rest = if needs_senior {
                expected.insert(UnfilledReason::NoSeniorAvailable, 1);
                open - 1
            } else {
                open
            };
            let new_could = (0..prep.staff.len()).any(|p| prep.staff[p].is_new_on(shift) && eligible(p, si));
            let reason = if !has_experienced && new_could {
                UnfilledReason::OnlyNewPeople
            } else {
                UnfilledReason::NobodyAvailable
            };
            if rest > 0 {
                expected.insert(reason, rest);
            }
        }
        let got = reported.remove(&shift.id).unwrap_or_default();
        if got != expected {
            out.push(Breach::WrongUnfilled {
                shift: shift.id,
                expected: expected.clone(),
                reported: got,
            });
        }
        // Each reason is a claim about who could come: no senior, nobody
        // past their first weeks, or nobody at all.
        for reason in expected.keys() {
            let could = (0..prep.staff.len()).find(|&p| {
                let member = prep.staff[p];
                let fits = match reason {
                    UnfilledReason::NoSeniorAvailable => member.senior,
                    UnfilledReason::OnlyNewPeople => !member.is_new_on(shift),
                    UnfilledReason::NobodyAvailable => true,
                };
                fits && eligible(p, si)
            });
            if let Some(p) = could {
                out.push(Breach::UntrueReason {
                    shift: shift.id,
                    reason: *reason,
                    person: prep.staff[p].id,
                });
            }
        }
    }
    out
}
