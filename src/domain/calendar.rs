//! A site's calendar: public holidays (nothing on duty, no rota) and
//! make-up working days (调休: a Saturday that is a working day).

use std::collections::BTreeSet;

use chrono::{Datelike, Duration, NaiveDate, Weekday};

use super::Invalid;

/// The most dates a calendar keeps: years of holidays, not a diary.
pub const MAX_DATES: usize = 1000;

/// The longest range one line may name: the longest holiday is a week or
/// two; a longer range is more likely a typing slip than a holiday.
pub const MAX_RANGE_DAYS: i64 = 31;

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

impl SiteCalendar {
    /// A calendar from its two lists, or what is wrong with them.
    pub fn checked(
        holidays: BTreeSet<NaiveDate>,
        workdays: BTreeSet<NaiveDate>,
    ) -> Result<SiteCalendar, Invalid> {
        if holidays.len() + workdays.len() > MAX_DATES {
            return Err(Invalid::field("holidays", format!("at most {MAX_DATES} dates")));
        }
        if let Some(d) = holidays.intersection(&workdays).next() {
            return Err(Invalid::field(
                "workdays",
                format!("{d} is also listed as a holiday"),
            ));
        }
        Ok(SiteCalendar { holidays, workdays })
    }
}

/// The first date written `YYYY-MM-DD` or `YYYY/MM/DD` at or after `from`
/// in `line`, with where it ends.
fn next_date(line: &str, from: usize) -> Option<(NaiveDate, usize)> {
    let bytes = line.as_bytes();
    let mut i = from;
    while i + 10 <= bytes.len() {
        let digits_at = |k: usize, n: usize| bytes[k..k + n].iter().all(u8::is_ascii_digit);
        let sep = bytes[i + 4];
        if digits_at(i, 4)
            && (sep == b'-' || sep == b'/')
            && bytes[i + 7] == sep
            && digits_at(i + 5, 2)
            && digits_at(i + 8, 2)
        {
            let text = line[i..i + 10].replace('/', "-");
            if let Ok(d) = NaiveDate::parse_from_str(&text, "%Y-%m-%d") {
                return Some((d, i + 10));
            }
        }
        i += 1;
    }
    None
}

/// An all-day `.ics` date (`DTSTART;VALUE=DATE:20271001`).
fn ics_date(line: &str) -> Option<NaiveDate> {
    let value = line.rsplit(':').next()?.trim();
    NaiveDate::parse_from_str(value.get(..8)?, "%Y%m%d").ok()
}

/// Dates as a secretary enters or pastes them: one a line, or a range of
/// two on one line (`2027-10-01 至 2027-10-07`, both days included);
/// anything else on a line is ignored (a CSV's other columns, the
/// holiday's name). An `.ics` file's all-day events give their days
/// (`DTEND` not included). A line with figures but no date is refused,
/// naming it, rather than silently dropped.
pub fn dates_in(field: &str, text: &str) -> Result<BTreeSet<NaiveDate>, Invalid> {
    let mut out = BTreeSet::new();
    let is_ics = text.contains("BEGIN:VEVENT");
    let mut start: Option<NaiveDate> = None;
    let mut range = |from: NaiveDate, last: NaiveDate, line_no: usize| -> Result<(), Invalid> {
        if last < from || (last - from).num_days() >= MAX_RANGE_DAYS {
            return Err(Invalid::field(
                field,
                format!("line {line_no}: a range runs forward and at most {MAX_RANGE_DAYS} days"),
            ));
        }
        let mut d = from;
        while d <= last {
            out.insert(d);
            d += Duration::days(1);
        }
        Ok(())
    };
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim();
        let line_no = n + 1;
        if is_ics {
            if line.starts_with("DTSTART") {
                start = ics_date(line);
            } else if line.starts_with("DTEND") {
                if let (Some(s), Some(e)) = (start.take(), ics_date(line)) {
                    range(s, e.pred_opt().unwrap_or(e).max(s), line_no)?;
                }
            } else if line.starts_with("END:VEVENT")
                && let Some(s) = start.take()
            {
                range(s, s, line_no)?;
            }
            continue;
        }
        match next_date(line, 0) {
            Some((first, end)) => match next_date(line, end) {
                Some((last, _)) => range(first, last, line_no)?,
                None => range(first, first, line_no)?,
            },
            None if line.chars().any(|c| c.is_ascii_digit()) => {
                return Err(Invalid::field(
                    field,
                    format!("line {line_no}: no date; write dates as 2027-10-01"),
                ));
            }
            None => {}
        }
    }
    if out.len() > MAX_DATES {
        return Err(Invalid::field(field, format!("at most {MAX_DATES} dates")));
    }
    Ok(out)
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

    #[test]
    fn dates_are_read_as_people_write_them() {
        let d = |m, day| NaiveDate::from_ymd_opt(2027, m, day).unwrap();
        let got = dates_in(
            "h",
            "2027-01-01 元旦\n2027-10-01 至 2027-10-03, 国庆\n\n2027/05/03,劳动节\n日期,名称",
        )
        .unwrap();
        assert_eq!(got, [d(1, 1), d(10, 1), d(10, 2), d(10, 3), d(5, 3)].into());
        assert!(
            dates_in("h", "2027-13-01").is_err(),
            "figures but no date is refused"
        );
        assert!(
            dates_in("h", "2027-10-07 至 2027-10-01").is_err(),
            "a range runs forward"
        );
        assert!(
            dates_in("h", "2027-01-01 至 2027-12-31").is_err(),
            "a year is not a holiday"
        );
        let ics = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20271001\nDTEND;VALUE=DATE:20271004\nSUMMARY:国庆\nEND:VEVENT\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20270101\nEND:VEVENT\nEND:VCALENDAR";
        assert_eq!(
            dates_in("h", ics).unwrap(),
            [d(10, 1), d(10, 2), d(10, 3), d(1, 1)].into()
        );
    }

    #[test]
    fn a_date_cannot_be_both_a_holiday_and_a_workday() {
        let d = NaiveDate::from_ymd_opt(2027, 2, 6).unwrap();
        assert!(SiteCalendar::checked([d].into(), [d].into()).is_err());
        assert!(SiteCalendar::checked([d].into(), BTreeSet::new()).is_ok());
    }

    proptest::proptest! {
        /// Dates written one a line come back exactly.
        #[test]
        fn written_dates_read_back(days in proptest::collection::btree_set(0i64..3000, 0..40)) {
            let base = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
            let dates: BTreeSet<NaiveDate> = days.iter().map(|n| base + Duration::days(*n)).collect();
            let text: String = dates.iter().map(|d| format!("{d} 假日\n")).collect();
            proptest::prop_assert_eq!(dates_in("h", &text).unwrap(), dates);
        }
    }
}
