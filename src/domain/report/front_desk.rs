//! The front-desk figures of a period: desk hours per person against the
//! fair share, swaps given and taken, and the posts nobody sat.
//!
//! The fair share is the period's desk hours divided by the people who
//! could sit: the site's staff, plus anyone who sat though no longer staff.
//! The rota solver (`domain::rota`) evens out the *number* of turns; this
//! report weighs each turn by its length, which is what a day away from
//! one's blocks costs.

use std::collections::BTreeMap;

use chrono::NaiveDate;

/// One shift of the published rota, after swaps taken.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeskShift {
    pub date: NaiveDate,
    /// Its length in minutes.
    pub minutes: i64,
    /// How many people it wants.
    pub positions: i64,
    /// Who sits it (the published assignees, a swap's taker in place of
    /// the giver).
    pub people: Vec<i64>,
}

/// One swap of a shift of the period: offered by `from`, taken by `to`
/// (none while open or flagged).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SwapRecord {
    pub from: i64,
    pub to: Option<i64>,
}

/// One person's figures.
#[derive(Clone, Debug, PartialEq)]
pub struct PersonDesk {
    pub user_id: i64,
    /// Minutes at the desk in the period.
    pub minutes: i64,
    /// Shifts sat.
    pub shifts: i64,
    /// Offers of their shifts, taken or not.
    pub offers_made: i64,
    /// Their shifts someone else took.
    pub swaps_given: i64,
    /// Others' shifts they took.
    pub swaps_taken: i64,
}

impl PersonDesk {
    pub fn hours(&self) -> f64 {
        self.minutes as f64 / 60.0
    }
}

/// The figures of a period.
#[derive(Clone, Debug, PartialEq)]
pub struct DeskFigures {
    /// Everyone who could sit, by user id.
    pub people: Vec<PersonDesk>,
    /// Desk minutes of everyone together.
    pub total_minutes: i64,
    /// Indices (into the shifts given) of the shifts nobody sat.
    pub uncovered: Vec<usize>,
    /// Positions left open, over every shift (an uncovered shift's all).
    pub open_positions: i64,
}

impl DeskFigures {
    pub fn total_hours(&self) -> f64 {
        self.total_minutes as f64 / 60.0
    }

    /// The total shared evenly by everyone who could sit (0 with nobody).
    pub fn fair_share_hours(&self) -> f64 {
        if self.people.is_empty() {
            0.0
        } else {
            self.total_hours() / self.people.len() as f64
        }
    }

    /// Most desk hours minus fewest, over everyone who could sit.
    pub fn spread_hours(&self) -> f64 {
        let most = self.people.iter().map(|p| p.minutes).max().unwrap_or(0);
        let fewest = self.people.iter().map(|p| p.minutes).min().unwrap_or(0);
        (most - fewest) as f64 / 60.0
    }
}

/// The figures of `shifts` and `swaps` for the `staff` who could sit.
pub fn figures(staff: &[i64], shifts: &[DeskShift], swaps: &[SwapRecord]) -> DeskFigures {
    fn person(id: i64) -> PersonDesk {
        PersonDesk {
            user_id: id,
            minutes: 0,
            shifts: 0,
            offers_made: 0,
            swaps_given: 0,
            swaps_taken: 0,
        }
    }
    let mut people: BTreeMap<i64, PersonDesk> = BTreeMap::new();
    for id in staff {
        people.entry(*id).or_insert_with(|| person(*id));
    }
    let mut total_minutes = 0;
    let mut uncovered = Vec::new();
    let mut open_positions = 0;
    for (i, shift) in shifts.iter().enumerate() {
        if shift.people.is_empty() {
            uncovered.push(i);
        }
        open_positions += (shift.positions - shift.people.len() as i64).max(0);
        for id in &shift.people {
            let p = people.entry(*id).or_insert_with(|| person(*id));
            p.minutes += shift.minutes;
            p.shifts += 1;
            total_minutes += shift.minutes;
        }
    }
    for swap in swaps {
        let giver = people.entry(swap.from).or_insert_with(|| person(swap.from));
        giver.offers_made += 1;
        if let Some(to) = swap.to {
            giver.swaps_given += 1;
            people.entry(to).or_insert_with(|| person(to)).swaps_taken += 1;
        }
    }
    DeskFigures {
        people: people.into_values().collect(),
        total_minutes,
        uncovered,
        open_positions,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(n: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, n).expect("date")
    }

    #[test]
    fn hours_shares_swaps_and_empty_posts() {
        let shifts = [
            DeskShift {
                date: day(2),
                minutes: 210,
                positions: 1,
                people: vec![1],
            },
            DeskShift {
                date: day(3),
                minutes: 210,
                positions: 1,
                people: vec![2],
            },
            DeskShift {
                date: day(4),
                minutes: 210,
                positions: 1,
                people: vec![],
            },
            DeskShift {
                date: day(5),
                minutes: 120,
                positions: 2,
                people: vec![1],
            },
        ];
        let swaps = [
            SwapRecord { from: 3, to: Some(2) },
            SwapRecord { from: 1, to: None },
        ];
        let f = figures(&[1, 2, 3], &shifts, &swaps);
        assert_eq!(f.total_minutes, 540);
        assert_eq!(f.uncovered, vec![2]);
        assert_eq!(f.open_positions, 2);
        assert_eq!(f.fair_share_hours(), 3.0);
        assert_eq!(f.spread_hours(), 5.5);
        let minutes: Vec<(i64, i64, i64, i64, i64)> = f
            .people
            .iter()
            .map(|p| (p.user_id, p.minutes, p.offers_made, p.swaps_given, p.swaps_taken))
            .collect();
        assert_eq!(
            minutes,
            vec![(1, 330, 1, 0, 0), (2, 210, 0, 0, 1), (3, 0, 1, 1, 0)]
        );
    }

    #[test]
    fn nobody_to_share_among_is_a_share_of_nothing() {
        let f = figures(&[], &[], &[]);
        assert_eq!(f.fair_share_hours(), 0.0);
        assert_eq!(f.spread_hours(), 0.0);
    }

    fn shifts() -> impl Strategy<Value = Vec<DeskShift>> {
        prop::collection::vec(
            (1i64..600, 1i64..4, prop::collection::btree_set(1i64..8, 0..4)),
            0..20,
        )
        .prop_map(|v| {
            v.into_iter()
                .map(|(minutes, positions, people)| DeskShift {
                    date: day(1),
                    minutes,
                    positions,
                    people: people.into_iter().collect(),
                })
                .collect()
        })
    }

    proptest! {
        /// Everyone's hours add up to the total, the differences from the
        /// fair share to nothing, and swaps given equal swaps taken.
        #[test]
        fn the_figures_add_up(
            staff in prop::collection::vec(1i64..8, 0..6),
            shifts in shifts(),
            swaps in prop::collection::vec((1i64..8, prop::option::of(1i64..8)), 0..10),
        ) {
            let swaps: Vec<SwapRecord> = swaps.into_iter().map(|(from, to)| SwapRecord { from, to }).collect();
            let f = figures(&staff, &shifts, &swaps);
            prop_assert_eq!(f.people.iter().map(|p| p.minutes).sum::<i64>(), f.total_minutes);
            let share = f.fair_share_hours();
            let off: f64 = f.people.iter().map(|p| p.hours() - share).sum();
            prop_assert!(off.abs() < 1e-6);
            prop_assert_eq!(
                f.people.iter().map(|p| p.swaps_given).sum::<i64>(),
                f.people.iter().map(|p| p.swaps_taken).sum::<i64>()
            );
            for id in &staff {
                prop_assert!(f.people.iter().any(|p| p.user_id == *id));
            }
            prop_assert!(f.uncovered.iter().all(|i| shifts[*i].people.is_empty()));
            prop_assert!(f.spread_hours() >= 0.0);
        }
    }
}
