//! The period a report page covers, as the form typed it: site-local
//! dates, by default the last 30 days (today included), at most 366 days;
//! a wrong date is said next to its field. And the quick choices (this
//! quarter, last quarter) as plain links, so they work without JavaScript.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use serde::Deserialize;

use crate::domain::period::DatePeriod;
use crate::domain::window::date_in_window;
use crate::pages::frame::FieldErrors;
use crate::pages::text::Reports;

/// The default period's length in days, today included.
const DEFAULT_DAYS: i64 = 30;
/// The longest period a page covers (a year, leap day included).
const LONGEST_DAYS: i64 = 366;

/// The form's fields as typed, so a wrong one comes back to its field.
#[derive(Deserialize, Default, Clone)]
pub struct PeriodForm {
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
}

fn date(
    value: &str,
    name: &'static str,
    r: &Reports,
    now: DateTime<Utc>,
    errors: &mut FieldErrors,
) -> Option<NaiveDate> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .ok()
        .and_then(|d| date_in_window(d, now).ok())
        .or_else(|| {
            errors.push((name, r.err_date));
            None
        })
}

/// The first and last days asked for (defaults filled in from `today`,
/// the site's date), and the period when nothing is wrong with them.
pub fn read(
    f: &PeriodForm,
    today: NaiveDate,
    now: DateTime<Utc>,
    r: &Reports,
    errors: &mut FieldErrors,
) -> (NaiveDate, NaiveDate, Option<DatePeriod>) {
    let from = date(&f.from, "from", r, now, errors);
    let to = date(&f.to, "to", r, now, errors);
    let to = to.unwrap_or(today);
    let from = from.unwrap_or(to - Duration::days(DEFAULT_DAYS - 1));
    if errors.is_empty() {
        if from > to {
            errors.push(("from", r.err_from_after_to));
        } else if (to - from).num_days() + 1 > LONGEST_DAYS {
            errors.push(("to", r.err_too_long));
        }
    }
    let period = errors
        .is_empty()
        .then(|| DatePeriod::new(from, to).ok())
        .flatten();
    (from, to, period)
}

/// The quarter holding `day`: its first and last dates.
fn quarter(day: NaiveDate) -> (NaiveDate, NaiveDate) {
    let first_month = (day.month0() / 3) * 3 + 1;
    let first = NaiveDate::from_ymd_opt(day.year(), first_month, 1).unwrap_or(day);
    let next = if first_month == 10 {
        NaiveDate::from_ymd_opt(day.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(day.year(), first_month + 3, 1)
    };
    (first, next.map_or(day, |n| n - Duration::days(1)))
}

/// The quick choices: this quarter so far, the whole last quarter, the
/// last 30 days; each (words, from, to).
pub fn quick(today: NaiveDate, r: &Reports) -> [(&'static str, NaiveDate, NaiveDate); 3] {
    let (this_first, _) = quarter(today);
    let (last_first, last_last) = quarter(this_first - Duration::days(1));
    [
        (r.this_quarter, this_first, today),
        (r.last_quarter, last_first, last_last),
        (r.last_30_days, today - Duration::days(DEFAULT_DAYS - 1), today),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::text::ZH;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn quarters_run_from_their_first_to_their_last_day() {
        let q = quick(d("2026-12-03"), &ZH.reports);
        assert_eq!((q[0].1, q[0].2), (d("2026-10-01"), d("2026-12-03")));
        assert_eq!((q[1].1, q[1].2), (d("2026-07-01"), d("2026-09-30")));
        assert_eq!((q[2].1, q[2].2), (d("2026-11-04"), d("2026-12-03")));
        let q = quick(d("2027-02-10"), &ZH.reports);
        assert_eq!((q[1].1, q[1].2), (d("2026-10-01"), d("2026-12-31")));
        assert_eq!(q[0].1, d("2027-01-01"));
    }

    #[test]
    fn wrong_dates_are_said_at_their_field() {
        let now = Utc::now();
        let today = d("2026-12-03");
        let mut errors = FieldErrors::new();
        let typed = PeriodForm {
            from: "2026-13-01".into(),
            to: "2026-12-01".into(),
        };
        let (_, _, period) = read(&typed, today, now, &ZH.reports, &mut errors);
        assert!(period.is_none());
        assert_eq!(errors, vec![("from", ZH.reports.err_date)]);
        let mut errors = FieldErrors::new();
        let typed = PeriodForm {
            from: "2026-12-02".into(),
            to: "2026-12-01".into(),
        };
        read(&typed, today, now, &ZH.reports, &mut errors);
        assert_eq!(errors, vec![("from", ZH.reports.err_from_after_to)]);
        let mut errors = FieldErrors::new();
        let (from, to, period) = read(&PeriodForm::default(), today, now, &ZH.reports, &mut errors);
        assert!(errors.is_empty() && period.is_some());
        assert_eq!((from, to), (d("2026-11-04"), today));
    }
}
