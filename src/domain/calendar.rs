//! A site's calendar: public holidays (nothing on duty, no rota) and
//! make-up working days (调休: a Saturday that is a working day).

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate, Weekday};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SiteCalendar {
    pub holidays: BTreeSet<NaiveDate>,
    pub workdays: BTreeSet<NaiveDate>,
}

impl SiteCalendar {
    pub fn is_holiday(&self, date: NaiveDate) -> bool {
        self.holidays.contains(&date)
    }

    /// Whether the committee works that day: Monday to Friday unless a
    /// holiday, plus make-up working days.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        if self.holidays.contains(&date) {
            return false;
        }
        self.workdays.contains(&date) || !matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn make_up_days_and_holidays() {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        let cal = SiteCalendar {
            holidays: [d(10, 1), d(10, 2)].into(),
            workdays: [d(10, 10)].into(),
        };
        assert!(!cal.is_working_day(d(10, 1)));
        assert!(cal.is_working_day(d(10, 10)), "a Saturday made a working day");
        assert!(!cal.is_working_day(d(10, 11)), "an ordinary Sunday");
        assert!(cal.is_working_day(d(10, 12)));
    }
}
