//! Next year's public holidays at the demo site, with their make-up
//! working Saturdays (调休), set as the secretary would through the
//! calendar workflow. Computed from "now" so the demo always looks a year
//! ahead: the fixed-date holidays (New Year, Labour Day, National Day) for
//! any year, and the lunar ones where the year is known here. The dates
//! follow the pattern of the State Council's yearly notice; they are an
//! illustration, not that notice.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};

use crate::db::DbConn;
use crate::domain::calendar::SiteCalendar;
use crate::domain::local_time::local_date;
use crate::errors::ApiError;
use crate::store::access::SiteAccess;
use crate::workflows::calendar;

/// The lunar holidays (first day, days off) of years this demo knows.
fn lunar(year: i32) -> &'static [((u32, u32), i64)] {
    match year {
        // Spring Festival (from New Year's Eve), Qingming, Dragon Boat,
        // Mid-Autumn.
        2027 => &[((2, 5), 8), ((4, 3), 3), ((6, 9), 1), ((9, 15), 1)],
        2028 => &[((1, 25), 8), ((4, 2), 3), ((5, 28), 3), ((10, 3), 1)],
        _ => &[],
    }
}

fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("a calendar date")
}

/// The first Saturday after `date`: the long weekends are paid back then.
fn saturday_after(date: NaiveDate) -> NaiveDate {
    let mut d = date + Duration::days(1);
    while d.weekday() != Weekday::Sat {
        d += Duration::days(1);
    }
    d
}

/// Next year's calendar, as of `today`.
pub fn next_year(today: NaiveDate) -> SiteCalendar {
    let year = today.year() + 1;
    let mut cal = SiteCalendar::default();
    let days_off = |first: NaiveDate, n: i64| (0..n).map(move |i| first + Duration::days(i));
    let mut holidays: Vec<NaiveDate> = Vec::new();
    holidays.push(date(year, 1, 1));
    holidays.extend(days_off(date(year, 5, 1), 5));
    holidays.extend(days_off(date(year, 10, 1), 7));
    for ((month, day), n) in lunar(year) {
        holidays.extend(days_off(date(year, *month, *day), *n));
    }
    cal.holidays = holidays.into_iter().collect();
    // Labour Day and National Day are paid back on the Saturday after.
    for last in [date(year, 5, 5), date(year, 10, 7)] {
        let make_up = saturday_after(last);
        if !cal.holidays.contains(&make_up) {
            cal.workdays.insert(make_up);
        }
    }
    cal
}

/// Sets next year's calendar at the site `access` names, as its admin.
pub fn load(conn: &mut DbConn, access: &SiteAccess, now: DateTime<Utc>) -> Result<(), ApiError> {
    let cal = next_year(local_date(access.site.tz(), now));
    calendar::replace(conn, access, &cal, now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_year_has_holidays_and_a_make_up_saturday() {
        let cal = next_year(date(2026, 12, 3));
        assert!(cal.is_holiday(date(2027, 1, 1)));
        assert!(cal.is_holiday(date(2027, 2, 6)), "the Spring Festival");
        assert!(cal.is_holiday(date(2027, 10, 7)));
        assert_eq!(cal.workdays.len(), 2);
        for d in &cal.workdays {
            assert_eq!(d.weekday(), Weekday::Sat);
            assert!(cal.is_working_day(*d));
        }
    }
}
