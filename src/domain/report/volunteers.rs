//! The volunteer figures of a period: hours per person and duty, the
//! absences reported, and who covered without having signed up.

use std::collections::BTreeMap;

use chrono::NaiveDate;

/// One attendance mark: whether `volunteer_id` came to `duty_id` on `date`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mark {
    pub duty_id: i64,
    pub volunteer_id: i64,
    pub date: NaiveDate,
    pub attended: bool,
    /// Minutes counted for a visit (the occurrence's length).
    pub minutes: i64,
    /// Whether a sign-up of theirs covered the date; a volunteer who came
    /// without one covered for somebody (a walk-in).
    pub signed_up: bool,
}

/// An absence reported ahead: `volunteer_id` will not come on `date`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Absence {
    pub duty_id: i64,
    pub volunteer_id: i64,
    pub date: NaiveDate,
}

/// One volunteer's figures on one duty.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VolunteerDuty {
    pub volunteer_id: i64,
    pub duty_id: i64,
    /// Minutes of the visits they came to.
    pub minutes: i64,
    /// Dates they came.
    pub attended: i64,
    /// Dates marked as not come.
    pub no_shows: i64,
    /// Absences they reported.
    pub absences: i64,
    /// Dates they came without a sign-up (covering for someone).
    pub covered_for: i64,
}

impl VolunteerDuty {
    pub fn hours(&self) -> f64 {
        self.minutes as f64 / 60.0
    }
}

/// An absence and the walk-ins who came to the same duty that date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cover {
    pub absence: Absence,
    pub covered_by: Vec<i64>,
}

/// Per (volunteer, duty) figures, in that order, and each absence with
/// who covered it.
pub fn figures(marks: &[Mark], absences: &[Absence]) -> (Vec<VolunteerDuty>, Vec<Cover>) {
    fn row(
        rows: &mut BTreeMap<(i64, i64), VolunteerDuty>,
        volunteer_id: i64,
        duty_id: i64,
    ) -> &mut VolunteerDuty {
        rows.entry((volunteer_id, duty_id))
            .or_insert_with(|| VolunteerDuty {
                volunteer_id,
                duty_id,
                ..VolunteerDuty::default()
            })
    }
    let mut rows: BTreeMap<(i64, i64), VolunteerDuty> = BTreeMap::new();
    for m in marks {
        let r = row(&mut rows, m.volunteer_id, m.duty_id);
        if m.attended {
            r.attended += 1;
            r.minutes += m.minutes;
            if !m.signed_up {
                r.covered_for += 1;
            }
        } else {
            r.no_shows += 1;
        }
    }
    for a in absences {
        row(&mut rows, a.volunteer_id, a.duty_id).absences += 1;
    }
    let covers = absences
        .iter()
        .map(|a| Cover {
            absence: *a,
            covered_by: marks
                .iter()
                .filter(|m| m.duty_id == a.duty_id && m.date == a.date && m.attended && !m.signed_up)
                .map(|m| m.volunteer_id)
                .collect(),
        })
        .collect();
    (rows.into_values().collect(), covers)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(n: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, n).expect("date")
    }

    #[test]
    fn a_walk_in_covers_the_absent_volunteer() {
        let mark = |volunteer_id, date, attended, signed_up| Mark {
            duty_id: 9,
            volunteer_id,
            date,
            attended,
            minutes: 120,
            signed_up,
        };
        let marks = [
            mark(1, day(3), true, true),
            mark(1, day(17), false, true),
            mark(2, day(10), true, false),
        ];
        let absences = [Absence {
            duty_id: 9,
            volunteer_id: 1,
            date: day(10),
        }];
        let (rows, covers) = figures(&marks, &absences);
        assert_eq!(
            rows,
            vec![
                VolunteerDuty {
                    volunteer_id: 1,
                    duty_id: 9,
                    minutes: 120,
                    attended: 1,
                    no_shows: 1,
                    absences: 1,
                    covered_for: 0
                },
                VolunteerDuty {
                    volunteer_id: 2,
                    duty_id: 9,
                    minutes: 120,
                    attended: 1,
                    no_shows: 0,
                    absences: 0,
                    covered_for: 1
                },
            ]
        );
        assert_eq!(
            covers,
            vec![Cover {
                absence: absences[0],
                covered_by: vec![2]
            }]
        );
    }

    proptest! {
        /// Every visit's minutes are counted once, and every mark and
        /// absence lands in exactly one row.
        #[test]
        fn every_mark_counts_once(
            marks in prop::collection::vec((1i64..4, 1i64..4, 1u32..28, any::<bool>(), 1i64..300, any::<bool>()), 0..30),
            absences in prop::collection::vec((1i64..4, 1i64..4, 1u32..28), 0..10),
        ) {
            let marks: Vec<Mark> = marks.into_iter().map(|(duty_id, volunteer_id, d, attended, minutes, signed_up)| Mark {
                duty_id, volunteer_id, date: day(d), attended, minutes, signed_up,
            }).collect();
            let absences: Vec<Absence> = absences.into_iter().map(|(duty_id, volunteer_id, d)| Absence {
                duty_id, volunteer_id, date: day(d),
            }).collect();
            let (rows, covers) = figures(&marks, &absences);
            let came: i64 = marks.iter().filter(|m| m.attended).map(|m| m.minutes).sum();
            prop_assert_eq!(rows.iter().map(|r| r.minutes).sum::<i64>(), came);
            prop_assert_eq!(rows.iter().map(|r| r.attended + r.no_shows).sum::<i64>(), marks.len() as i64);
            prop_assert_eq!(rows.iter().map(|r| r.absences).sum::<i64>(), absences.len() as i64);
            prop_assert_eq!(covers.len(), absences.len());
            let walk_ins = marks.iter().filter(|m| m.attended && !m.signed_up).count() as i64;
            prop_assert_eq!(rows.iter().map(|r| r.covered_for).sum::<i64>(), walk_ins);
        }
    }
}
