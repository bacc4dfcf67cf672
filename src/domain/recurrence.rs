//! Weekly recurrence in site-local wall time: a class at 19:00 on Tuesdays
//! stays at 19:00 when the clocks change, and a local time that does not
//! exist on some date is refused, naming the date. A series may repeat
//! every N weeks (the legal and labour advisers alternate weeks).

use chrono::{Duration, NaiveDate};
use chrono_tz::Tz;
use serde::Deserialize;

use super::Invalid;
use super::interval::Interval;
use super::local_time::{resolve, to_local};

/// The most occurrences one series may have.
pub const MAX_OCCURRENCES: u32 = 52;

/// The most weeks between two occurrences.
pub const MAX_EVERY_WEEKS: u32 = 4;

/// `{"weekly": {"count": N}}` or `{"weekly": {"until": "YYYY-MM-DD"}}`,
/// with `"every": 2` for every other week.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecurrenceInput {
    pub weekly: WeeklyInput,
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WeeklyInput {
    /// How many occurrences, the first included (1 to 52).
    pub count: Option<i64>,
    /// The last date (site-local, inclusive) an occurrence may fall on.
    #[schema(value_type = Option<chrono::NaiveDate>)]
    pub until: Option<super::window::Date>,
    /// Weeks between occurrences: 1 (the default) every week, 2 every
    /// other week, up to 4.
    pub every: Option<i64>,
}

/// How a series ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeriesEnd {
    /// After this many occurrences, the first included.
    Count(u32),
    /// On the last occurrence on or before this site-local date.
    Until(NaiveDate),
}

/// A weekly series: every `every_weeks` weeks until `end`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Recurrence {
    pub every_weeks: u32,
    pub end: SeriesEnd,
}

impl Recurrence {
    /// Every week, `n` times.
    pub fn weekly_count(n: u32) -> Recurrence {
        Recurrence {
            every_weeks: 1,
            end: SeriesEnd::Count(n),
        }
    }

    /// Every week until `date`.
    pub fn weekly_until(date: NaiveDate) -> Recurrence {
        Recurrence {
            every_weeks: 1,
            end: SeriesEnd::Until(date),
        }
    }
}

impl RecurrenceInput {
    pub fn parse(&self) -> Result<Recurrence, Invalid> {
        let every_weeks = match self.weekly.every {
            None => 1,
            Some(n) if (1..=i64::from(MAX_EVERY_WEEKS)).contains(&n) => n as u32,
            Some(_) => {
                return Err(Invalid::field(
                    "recurrence.weekly.every",
                    format!("must be between 1 (every week) and {MAX_EVERY_WEEKS} weeks"),
                ));
            }
        };
        let end = match (self.weekly.count, self.weekly.until) {
            (Some(n), None) if (1..=i64::from(MAX_OCCURRENCES)).contains(&n) => SeriesEnd::Count(n as u32),
            (Some(_), None) => {
                return Err(Invalid::field(
                    "recurrence.weekly.count",
                    format!("must be between 1 and {MAX_OCCURRENCES}"),
                ));
            }
            (None, Some(d)) => SeriesEnd::Until(d.date()),
            _ => return Err(Invalid::field("recurrence.weekly", "give either count or until")),
        };
        Ok(Recurrence { every_weeks, end })
    }
}

/// The occurrences of a weekly series whose first occurrence is `first`.
pub fn expand(tz: Tz, first: Interval, rule: Recurrence) -> Result<Vec<Interval>, Invalid> {
    let local_start = to_local(tz, first.start);
    let local_end = to_local(tz, first.end);
    let every = i64::from(rule.every_weeks.max(1));
    let count = match rule.end {
        SeriesEnd::Count(n) => n,
        SeriesEnd::Until(until) => {
            if until < local_start.date() {
                return Err(Invalid::field(
                    "recurrence.weekly.until",
                    "must not be before the first occurrence",
                ));
            }
            let weeks = (until - local_start.date()).num_days() / (7 * every) + 1;
            if weeks > i64::from(MAX_OCCURRENCES) {
                return Err(Invalid::field(
                    "recurrence.weekly.until",
                    format!("a series has at most {MAX_OCCURRENCES} occurrences"),
                ));
            }
            weeks as u32
        }
    };
    let mut out = Vec::with_capacity(count as usize);
    for k in 0..i64::from(count) {
        let shift = Duration::weeks(k * every);
        let (ls, le) = (local_start + shift, local_end + shift);
        let missing = |local: chrono::NaiveDateTime| {
            Invalid::field(
                "recurrence",
                format!(
                    "on {} the local time {} does not exist (the clocks go forward); choose another time",
                    local.date(),
                    local.time().format("%H:%M")
                ),
            )
        };
        let start = resolve(tz, ls).ok_or_else(|| missing(ls))?;
        let end = resolve(tz, le).ok_or_else(|| missing(le))?;
        out.push(Interval::new(start, end)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::local_time::to_local;
    use chrono::{Datelike, NaiveDate, TimeZone, Timelike, Utc};
    use proptest::prelude::*;

    fn berlin() -> Tz {
        "Europe/Berlin".parse().unwrap()
    }

    #[test]
    fn every_other_week_skips_a_week_and_ends_by_count_or_date() {
        let tz: Tz = "Asia/Shanghai".parse().unwrap();
        let first = Interval::of(
            tz.with_ymd_and_hms(2026, 12, 1, 14, 0, 0)
                .unwrap()
                .with_timezone(&Utc),
            tz.with_ymd_and_hms(2026, 12, 1, 16, 0, 0)
                .unwrap()
                .with_timezone(&Utc),
        );
        let days = |rule| -> Vec<NaiveDate> {
            expand(tz, first, rule)
                .unwrap()
                .iter()
                .map(|o| to_local(tz, o.start).date())
                .collect()
        };
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        let fortnightly = |end| Recurrence { every_weeks: 2, end };
        assert_eq!(
            days(fortnightly(SeriesEnd::Count(3))),
            vec![d(12, 1), d(12, 15), d(12, 29)]
        );
        // Until a date: the last occurrence on or before it.
        assert_eq!(
            days(fortnightly(SeriesEnd::Until(d(12, 28)))),
            vec![d(12, 1), d(12, 15)]
        );
        assert_eq!(days(Recurrence::weekly_until(d(12, 15))).len(), 3);
    }

    #[test]
    fn every_is_one_to_four_weeks() {
        let input = |every| RecurrenceInput {
            weekly: WeeklyInput {
                count: Some(3),
                until: None,
                every,
            },
        };
        assert_eq!(input(None).parse().unwrap().every_weeks, 1);
        assert_eq!(input(Some(2)).parse().unwrap().every_weeks, 2);
        for bad in [0, 5, -1] {
            let e = input(Some(bad)).parse().unwrap_err();
            assert!(e.to_string().contains("recurrence.weekly.every"), "{e}");
        }
    }

    #[test]
    fn a_weekly_class_keeps_its_local_time_across_dst() {
        let tz = berlin();
        // Tuesdays 19:00-20:30 from 2026-03-10, across the 2026-03-29 change.
        let first = Interval::of(
            tz.with_ymd_and_hms(2026, 3, 10, 19, 0, 0)
                .unwrap()
                .with_timezone(&Utc),
            tz.with_ymd_and_hms(2026, 3, 10, 20, 30, 0)
                .unwrap()
                .with_timezone(&Utc),
        );
        let all = expand(tz, first, Recurrence::weekly_count(6)).unwrap();
        for occ in &all {
            let local = to_local(tz, occ.start);
            assert_eq!((local.hour(), local.minute()), (19, 0));
            assert_eq!(local.weekday(), chrono::Weekday::Tue);
        }
        // UTC moves by an hour, local time does not.
        assert_eq!(all[0].start.hour(), 18);
        assert_eq!(all[5].start.hour(), 17);
    }

    #[test]
    fn a_non_existent_local_time_is_refused() {
        let tz = berlin();
        // Sundays 02:30: 2026-03-29 02:30 does not exist in Berlin.
        let first = Interval::of(
            tz.with_ymd_and_hms(2026, 3, 15, 2, 30, 0)
                .unwrap()
                .with_timezone(&Utc),
            tz.with_ymd_and_hms(2026, 3, 15, 3, 30, 0)
                .unwrap()
                .with_timezone(&Utc),
        );
        let err = expand(tz, first, Recurrence::weekly_count(4)).unwrap_err();
        assert!(err.to_string().contains("2026-03-29"), "{err}");
    }

    #[test]
    fn until_is_inclusive_and_capped() {
        let tz = chrono_tz::Asia::Shanghai;
        let first = Interval::of(
            tz.with_ymd_and_hms(2026, 12, 1, 9, 0, 0)
                .unwrap()
                .with_timezone(&Utc),
            tz.with_ymd_and_hms(2026, 12, 1, 10, 0, 0)
                .unwrap()
                .with_timezone(&Utc),
        );
        let until = NaiveDate::from_ymd_opt(2026, 12, 15).unwrap();
        assert_eq!(
            expand(tz, first, Recurrence::weekly_until(until)).unwrap().len(),
            3
        );
        let far = NaiveDate::from_ymd_opt(2028, 1, 1).unwrap();
        assert!(expand(tz, first, Recurrence::weekly_until(far)).is_err());
    }

    proptest! {
        #[test]
        fn occurrences_keep_weekday_and_wall_time(
            day in 0i64..365, minute in 0u32..(24 * 4), len in 1i64..16, count in 1u32..=52,
            zone in prop_oneof![Just("Europe/Berlin"), Just("America/New_York"), Just("Asia/Shanghai")],
        ) {
            let tz: Tz = zone.parse().unwrap();
            let date = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + Duration::days(day);
            let local = date.and_hms_opt(minute / 4, (minute % 4) * 15, 0).unwrap();
            let Some(start) = resolve(tz, local) else { return Ok(()); };
            let Some(end) = resolve(tz, local + Duration::minutes(len * 15)) else { return Ok(()); };
            if start >= end { return Ok(()); }
            match expand(tz, Interval::of(start, end), Recurrence::weekly_count(count)) {
                Ok(all) => {
                    prop_assert_eq!(all.len() as u32, count);
                    for (k, occ) in all.iter().enumerate() {
                        let l = to_local(tz, occ.start);
                        prop_assert_eq!(l.time(), local.time());
                        prop_assert_eq!(l.date(), date + Duration::weeks(k as i64));
                        prop_assert!(occ.start < occ.end);
                    }
                }
                Err(e) => prop_assert!(e.to_string().contains("does not exist")),
            }
        }
    }
}
