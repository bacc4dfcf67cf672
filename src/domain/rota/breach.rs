//! [`Breach`]: one hard rule a rota breaks, as [`violations`](super::violations)
//! finds it. It names the shift and the person by id and carries a stable
//! code, so a workflow can say it in people's words (their names, the
//! shift's local date and time) and a client can act on the code, with no
//! sentence ever parsed back.

use std::collections::BTreeMap;
use std::fmt;

use chrono::NaiveDate;

use super::UnfilledReason;

/// One broken rule, with the shift and the person it is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Breach {
    /// The assignments name a shift the problem does not have.
    UnknownShift { shift: i64 },
    /// A shift of the problem is missing from the assignments.
    ShiftLeftOut { shift: i64 },
    /// A shift's staff ids are not sorted, or one appears twice.
    Unsorted { shift: i64 },
    /// An admin's fixed assignee is no longer on the shift.
    FixedDropped { shift: i64, person: i64 },
    /// Someone drafted who is not a staff member.
    NotStaff { shift: i64, person: i64 },
    /// Someone drafted while they are away.
    Unavailable { shift: i64, person: i64 },
    /// Someone on two shifts at once.
    OverlappingShifts { person: i64, shift: i64, other: i64 },
    /// Someone above their weekly limit in the site-local week that starts on `week`.
    WeeklyLimit {
        person: i64,
        week: NaiveDate,
        count: u32,
        limit: u32,
    },
    /// More people than positions.
    Overfull { shift: i64, count: u64, positions: u64 },
    /// A full shift of two or more positions without a senior.
    NoSenior { shift: i64 },
    /// Someone new at the site on a shift where nobody is past their first weeks.
    NewPersonAlone { shift: i64, person: i64 },
    /// An unfilled entry names a shift the problem does not have.
    UnfilledUnknownShift { shift: i64 },
    /// An unfilled entry with nothing missing.
    NothingMissing { shift: i64 },
    /// One reason listed twice for a shift.
    ReasonTwice { shift: i64, reason: UnfilledReason },
    /// The open positions reported are not those the rota leaves.
    WrongUnfilled {
        shift: i64,
        expected: BTreeMap<UnfilledReason, u32>,
        reported: BTreeMap<UnfilledReason, u32>,
    },
    /// A reason given for an open position although `person` could take it.
    UntrueReason {
        shift: i64,
        reason: UnfilledReason,
        person: i64,
    },
}

impl Breach {
    /// The stable code clients see (as `rule` and `rule_codes` of a refused
    /// take, `warning_codes` of an edit).
    pub fn code(&self) -> &'static str {
        match self {
            Breach::UnknownShift { .. } => "unknown_shift",
            Breach::ShiftLeftOut { .. } => "shift_left_out",
            Breach::Unsorted { .. } => "unsorted",
            Breach::FixedDropped { .. } => "fixed_dropped",
            Breach::NotStaff { .. } => "not_staff",
            Breach::Unavailable { .. } => "unavailable",
            Breach::OverlappingShifts { .. } => "overlapping_shift",
            Breach::WeeklyLimit { .. } => "weekly_limit",
            Breach::Overfull { .. } => "too_many_people",
            Breach::NoSenior { .. } => "no_senior",
            Breach::NewPersonAlone { .. } => "new_person_alone",
            Breach::UnfilledUnknownShift { .. } => "unfilled_unknown_shift",
            Breach::NothingMissing { .. } => "nothing_missing",
            Breach::ReasonTwice { .. } => "reason_listed_twice",
            Breach::WrongUnfilled { .. } => "wrong_unfilled",
            Breach::UntrueReason { .. } => "untrue_reason",
        }
    }

    /// The person the breach is about, if it is about one.
    pub fn person(&self) -> Option<i64> {
        match self {
            Breach::FixedDropped { person, .. }
            | Breach::NotStaff { person, .. }
            | Breach::Unavailable { person, .. }
            | Breach::OverlappingShifts { person, .. }
            | Breach::WeeklyLimit { person, .. }
            | Breach::NewPersonAlone { person, .. }
            | Breach::UntrueReason { person, .. } => Some(*person),
            _ => None,
        }
    }

    /// The shift the breach is about; a weekly limit is about a week.
    pub fn shift(&self) -> Option<i64> {
        match self {
            Breach::WeeklyLimit { .. } => None,
            Breach::UnknownShift { shift }
            | Breach::ShiftLeftOut { shift }
            | Breach::Unsorted { shift }
            | Breach::FixedDropped { shift, .. }
            | Breach::NotStaff { shift, .. }
            | Breach::Unavailable { shift, .. }
            | Breach::OverlappingShifts { shift, .. }
            | Breach::Overfull { shift, .. }
            | Breach::NoSenior { shift }
            | Breach::NewPersonAlone { shift, .. }
            | Breach::UnfilledUnknownShift { shift }
            | Breach::NothingMissing { shift }
            | Breach::ReasonTwice { shift, .. }
            | Breach::WrongUnfilled { shift, .. }
            | Breach::UntrueReason { shift, .. } => Some(*shift),
        }
    }
}

/// In ids, for test failures and logs; people read the workflow's words.
impl fmt::Display for Breach {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Breach::UnknownShift { shift } => {
                write!(f, "assignments name shift {shift}, which is not in the problem")
            }
            Breach::ShiftLeftOut { shift } => write!(f, "shift {shift} is missing from the assignments"),
            Breach::Unsorted { shift } => {
                write!(f, "shift {shift}: staff ids are not sorted or appear twice")
            }
            Breach::FixedDropped { shift, person } => {
                write!(f, "shift {shift}: fixed assignee {person} was dropped")
            }
            Breach::NotStaff { shift, person } => {
                write!(f, "shift {shift}: {person} is not a staff member")
            }
            Breach::Unavailable { shift, person } => {
                write!(f, "shift {shift}: staff {person} is unavailable then")
            }
            Breach::OverlappingShifts { person, shift, other } => {
                write!(f, "staff {person} is on overlapping shifts {shift} and {other}")
            }
            Breach::WeeklyLimit {
                person,
                week,
                count,
                limit,
            } => write!(
                f,
                "staff {person} has {count} shifts in the week of {week}, above their limit of {limit}"
            ),
            Breach::Overfull {
                shift,
                count,
                positions,
            } => write!(f, "shift {shift} has {count} people for {positions} positions"),
            Breach::NoSenior { shift } => write!(f, "shift {shift} is full without a senior"),
            Breach::NewPersonAlone { shift, person } => write!(
                f,
                "shift {shift}: staff {person} is new and nobody on it is past their first weeks"
            ),
            Breach::UnfilledUnknownShift { shift } => {
                write!(f, "unfilled names shift {shift}, which is not in the problem")
            }
            Breach::NothingMissing { shift } => {
                write!(f, "shift {shift}: an unfilled entry with nothing missing")
            }
            Breach::ReasonTwice { shift, reason } => {
                write!(f, "shift {shift}: reason {} listed twice", reason.code())
            }
            Breach::WrongUnfilled {
                shift,
                expected,
                reported,
            } => write!(
                f,
                "shift {shift}: unfilled should be {} but is {}",
                describe(expected),
                describe(reported)
            ),
            Breach::UntrueReason {
                shift,
                reason,
                person,
            } => write!(
                f,
                "shift {shift}: reported {} but staff {person} could take it",
                reason.code()
            ),
        }
    }
}

fn describe(reasons: &BTreeMap<UnfilledReason, u32>) -> String {
    if reasons.is_empty() {
        return "nothing".to_string();
    }
    let parts: Vec<String> = reasons.iter().map(|(r, n)| format!("{n} {}", r.code())).collect();
    parts.join(", ")
}
