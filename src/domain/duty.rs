//! Volunteer duty: weekly series in site-local wall time, who is on each
//! occurrence, capacity and skills.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use chrono_tz::Tz;

use super::Invalid;
use super::calendar::SiteCalendar;
use super::interval::Interval;
use super::local_time::{at_minutes, resolve_lenient};

/// When a duty happens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DutyPattern {
    pub weekday: Weekday,
    /// Minutes after local midnight.
    pub start_minute: u32,
    pub end_minute: u32,
    pub from: NaiveDate,
    pub until: Option<NaiveDate>,
    /// 1 every week, 2 every other week (counted from the first
    /// occurrence on or after `from`), up to [`MAX_EVERY_WEEKS`].
    pub every_weeks: u32,
}

pub use super::recurrence::MAX_EVERY_WEEKS;

impl DutyPattern {
    pub fn validate(&self) -> Result<(), Invalid> {
        let mut invalid = Invalid::default();
        if self.start_minute >= self.end_minute || self.end_minute > 24 * 60 {
            invalid.push("end", "must be after start, on the same day");
        }
        if self.until.is_some_and(|u| u < self.from) {
            invalid.push("until", "must not be before from");
        }
        if !(1..=MAX_EVERY_WEEKS).contains(&self.every_weeks) {
            invalid.push(
                "every_weeks",
                format!("must be between 1 (every week) and {MAX_EVERY_WEEKS}"),
            );
        }
        invalid.into_result()
    }

    /// Whether `date` has an occurrence (holidays aside).
    pub fn falls_on(&self, date: NaiveDate) -> bool {
        date.weekday() == self.weekday
            && date >= self.from
            && self.until.is_none_or(|u| date <= u)
            && ((date - self.first()).num_days() / 7) % i64::from(self.every_weeks.max(1)) == 0
    }

    /// The first date on or after `from` on the duty's weekday: the turn
    /// every later occurrence counts from.
    fn first(&self) -> NaiveDate {
        let ahead =
            (7 + self.weekday.num_days_from_monday() - self.from.weekday().num_days_from_monday()) % 7;
        self.from + Duration::days(i64::from(ahead))
    }

    /// The occurrence on `date`, in UTC. The wall-clock time is kept across
    /// clock changes; a time skipped by a change moves to the first instant
    /// after the gap.
    pub fn slot_on(&self, tz: Tz, date: NaiveDate) -> Interval {
        let start = resolve_lenient(tz, at_minutes(date, self.start_minute));
        let end = resolve_lenient(tz, at_minutes(date, self.end_minute));
        Interval::of(start, end.max(start + Duration::minutes(1)))
    }
}

/// One occurrence of a duty.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Occurrence {
    pub date: NaiveDate,
    pub slot: Interval,
}

/// The occurrences between two local dates (inclusive), holidays skipped.
pub fn occurrences(
    tz: Tz,
    p: &DutyPattern,
    cal: &SiteCalendar,
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<Occurrence> {
    let mut out = Vec::new();
    let mut date = from.max(p.from);
    // Jump to the first matching weekday.
    while date.weekday() != p.weekday && date <= to {
        date += Duration::days(1);
    }
    while date <= to {
        if p.falls_on(date) && !cal.is_holiday(date) {
            out.push(Occurrence {
                date,
                slot: p.slot_on(tz, date),
            });
        }
        date += Duration::weeks(1);
    }
    out
}

/// A sign-up as the rules see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Commitment {
    pub volunteer_id: i64,
    /// `true`: every week from `from` until `until` (inclusive) or withdrawn.
    pub weekly: bool,
    pub from: NaiveDate,
    pub until: Option<NaiveDate>,
}

impl Commitment {
    pub fn covers(&self, date: NaiveDate) -> bool {
        if self.weekly {
            date >= self.from && self.until.is_none_or(|u| date <= u)
        } else {
            date == self.from
        }
    }
}

/// Who is on duty on `date`: covered by a commitment and not absent.
/// Sorted, without repeats.
pub fn on_duty(commitments: &[Commitment], absent: &[(i64, NaiveDate)], date: NaiveDate) -> Vec<i64> {
    let mut who: Vec<i64> = commitments
        .iter()
        .filter(|c| c.covers(date))
        .map(|c| c.volunteer_id)
        .filter(|v| !absent.contains(&(*v, date)))
        .collect();
    who.sort_unstable();
    who.dedup();
    who
}

/// Why a sign-up is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// No free place on that date.
    Full(NaiveDate),
    /// The volunteer is already on duty that date.
    AlreadyOn(NaiveDate),
    /// The duty needs a skill the volunteer does not have.
    MissingSkill,
}

/// Checks a sign-up on the given dates (one date for `once`; the upcoming
/// occurrences for `weekly`).
pub fn check_signup(
    capacity: u32,
    required_skill: Option<&str>,
    volunteer_id: i64,
    volunteer_skills: &[String],
    commitments: &[Commitment],
    absent: &[(i64, NaiveDate)],
    dates: &[NaiveDate],
) -> Result<(), Refusal> {
    if let Some(skill) = required_skill
        && !volunteer_skills.iter().any(|s| s == skill)
    {
        return Err(Refusal::MissingSkill);
    }
    for date in dates {
        let on = on_duty(commitments, absent, *date);
        if on.contains(&volunteer_id) {
            return Err(Refusal::AlreadyOn(*date));
        }
        if on.len() as u32 >= capacity {
            return Err(Refusal::Full(*date));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Timelike;
    use proptest::prelude::*;

    fn tuesday_bp() -> DutyPattern {
        DutyPattern {
            weekday: Weekday::Tue,
            start_minute: 9 * 60,
            end_minute: 10 * 60,
            from: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
            until: None,
            every_weeks: 1,
        }
    }

    #[test]
    fn a_tuesday_duty_stays_at_nine_across_dst() {
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        let occ = occurrences(
            berlin,
            &tuesday_bp(),
            &SiteCalendar::default(),
            NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
            NaiveDate::from_ymd_opt(2026, 4, 30).unwrap(),
        );
        assert!(occ.len() >= 8);
        for o in &occ {
            let local = o.slot.start.with_timezone(&berlin);
            assert_eq!((local.hour(), local.minute()), (9, 0), "{}", o.date);
            assert_eq!(o.date.weekday(), Weekday::Tue);
        }
        // UTC moves when the clocks change on 29 March.
        assert_ne!(occ[0].slot.start.hour(), occ[occ.len() - 1].slot.start.hour());
    }

    #[test]
    fn holidays_are_skipped() {
        let tz = chrono_tz::Asia::Shanghai;
        let holiday = NaiveDate::from_ymd_opt(2026, 3, 10).unwrap();
        let cal = SiteCalendar {
            holidays: [holiday].into(),
            ..SiteCalendar::default()
        };
        let occ = occurrences(
            tz,
            &tuesday_bp(),
            &cal,
            holiday - Duration::days(7),
            holiday + Duration::days(7),
        );
        assert_eq!(
            occ.iter().map(|o| o.date).collect::<Vec<_>>(),
            vec![holiday - Duration::days(7), holiday + Duration::days(7)]
        );
    }

    proptest! {
        /// Whatever order volunteers ask in, an occurrence never has more
        /// people than places, and nobody without the skill gets in.
        #[test]
        fn capacity_and_skill_hold(
            capacity in 1u32..4,
            asks in proptest::collection::vec((0i64..8, any::<bool>(), 0i64..4, any::<bool>()), 0..30),
            absences in proptest::collection::vec((0i64..8, 0i64..4), 0..5),
        ) {
            let base = NaiveDate::from_ymd_opt(2026, 3, 3).unwrap();
            let dates: Vec<NaiveDate> = (0..4).map(|w| base + Duration::weeks(w)).collect();
            let absent: Vec<(i64, NaiveDate)> = absences.iter().map(|(v, w)| (*v, dates[*w as usize])).collect();
            let mut commitments: Vec<Commitment> = Vec::new();
            for (vol, weekly, week, skilled) in asks {
                let skills = if skilled { vec!["medical".to_owned()] } else { vec![] };
                let c = Commitment { volunteer_id: vol, weekly, from: dates[week as usize], until: None };
                let span: Vec<NaiveDate> = if weekly { dates[week as usize..].to_vec() } else { vec![dates[week as usize]] };
                match check_signup(capacity, Some("medical"), vol, &skills, &commitments, &absent, &span) {
                    Ok(()) => {
                        prop_assert!(skilled);
                        commitments.push(c);
                    }
                    Err(Refusal::MissingSkill) => prop_assert!(!skilled),
                    Err(_) => {}
                }
                for d in &dates {
                    prop_assert!(on_duty(&commitments, &absent, *d).len() as u32 <= capacity);
                }
            }
        }

        #[test]
        fn occurrences_fall_on_the_weekday_and_keep_wall_time(
            day in 0u32..7, start in 0u32..(23 * 4), len in 1u32..8, weeks in 1i64..60,
            every in 1u32..=MAX_EVERY_WEEKS, from_day in 0i64..7,
            zone in prop_oneof![Just("Europe/Berlin"), Just("America/New_York"), Just("Asia/Shanghai")],
        ) {
            let tz: Tz = zone.parse().unwrap();
            let p = DutyPattern {
                weekday: Weekday::try_from(day as u8).unwrap(),
                start_minute: start * 15,
                end_minute: (start * 15 + len * 15).min(24 * 60),
                from: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + Duration::days(from_day),
                until: None,
                every_weeks: every,
            };
            let to = p.from + Duration::weeks(weeks);
            let all = occurrences(tz, &p, &SiteCalendar::default(), p.from, to);
            // The first on the weekday on or after `from`, then every `every` weeks, none missed.
            prop_assert!(all.first().is_none_or(|o| o.date >= p.from && o.date < p.from + Duration::days(7)));
            for pair in all.windows(2) {
                prop_assert_eq!(pair[1].date - pair[0].date, Duration::weeks(i64::from(every)));
            }
            prop_assert!(all.last().is_none_or(|o| o.date + Duration::weeks(i64::from(every)) > to));
            for o in all {
                prop_assert_eq!(o.date.weekday(), p.weekday);
                let local = o.slot.start.with_timezone(&tz).naive_local();
                if local.date() == o.date {
                    let minute = local.hour() * 60 + local.minute();
                    // Equal, or moved forward out of a skipped hour.
                    prop_assert!(minute >= p.start_minute && minute < p.start_minute + 61);
                }
                prop_assert!(o.slot.start < o.slot.end);
            }
        }
    }
}
