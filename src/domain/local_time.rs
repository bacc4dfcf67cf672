//! Site-local wall time: weekly things are defined in it, and a local time
//! that does not exist (the hour skipped when clocks go forward) is an
//! error, never a silent shift.

use chrono::offset::LocalResult;
use chrono::{
    DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike, Utc, Weekday,
};
use chrono_tz::Tz;

use super::Invalid;
use super::interval::Interval;

/// Resolves a local date and time to an instant. In the hour repeated when
/// clocks go back, the first (earlier) instant is taken.
pub fn resolve(tz: Tz, local: NaiveDateTime) -> Option<DateTime<Utc>> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(first, _) => Some(first.with_timezone(&Utc)),
        LocalResult::None => None,
    }
}

/// As [`resolve`], but a skipped local time moves forward to the first
/// instant after the gap. For opening hours, where "open from 02:30" on the
/// night clocks jump means "open from when the clock reads 03:00".
pub fn resolve_lenient(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    let mut probe = local;
    for _ in 0..(4 * 60) {
        if let Some(t) = resolve(tz, probe) {
            return t;
        }
        probe += Duration::minutes(1);
    }
    local.and_utc()
}

pub fn to_local(tz: Tz, t: DateTime<Utc>) -> NaiveDateTime {
    t.with_timezone(&tz).naive_local()
}

pub fn local_date(tz: Tz, t: DateTime<Utc>) -> NaiveDate {
    to_local(tz, t).date()
}

/// Minutes since local midnight.
pub fn minute_of_day(tz: Tz, t: DateTime<Utc>) -> u32 {
    let local = to_local(tz, t);
    local.hour() * 60 + local.minute()
}

/// Whether `t` falls on a whole multiple of `slot` minutes of the local day.
pub fn is_aligned(tz: Tz, t: DateTime<Utc>, slot: u32) -> bool {
    let local = to_local(tz, t);
    local.second() == 0 && local.nanosecond() == 0 && minute_of_day(tz, t).is_multiple_of(slot.max(1))
}

/// The first aligned instant at or after `t`.
pub fn ceil_to_slot(tz: Tz, t: DateTime<Utc>, slot: u32) -> DateTime<Utc> {
    let slot = i64::from(slot.max(1));
    let offset = t.with_timezone(&tz).naive_local() - t.naive_utc();
    let local = t.naive_utc() + offset;
    let day_start = local.date().and_time(NaiveTime::MIN);
    let exact = local - day_start;
    let minutes = exact.num_minutes() + i64::from(exact > Duration::minutes(exact.num_minutes()));
    let rounded = (minutes + slot - 1) / slot * slot;
    (day_start + Duration::minutes(rounded) - offset).and_utc()
}

/// The last aligned instant at or before `t`.
pub fn floor_to_slot(tz: Tz, t: DateTime<Utc>, slot: u32) -> DateTime<Utc> {
    let slot = i64::from(slot.max(1));
    let offset = t.with_timezone(&tz).naive_local() - t.naive_utc();
    let local = t.naive_utc() + offset;
    let day_start = local.date().and_time(NaiveTime::MIN);
    let minutes = (local - day_start).num_minutes();
    (day_start + Duration::minutes(minutes / slot * slot) - offset).and_utc()
}

/// The Monday that starts the local week of `date`.
pub fn week_start(date: NaiveDate) -> NaiveDate {
    date - Duration::days(i64::from(date.weekday().num_days_from_monday()))
}

/// The Monday of a week named as people and ISO 8601 name it: `2026-W49`
/// (ISO week) or any date of the week (`2026-12-03`).
pub fn parse_week(field: &str, value: &str) -> Result<NaiveDate, Invalid> {
    let v = value.trim();
    let bad = || {
        Invalid::field(
            field,
            format!("{v:?} is not a week: give an ISO week such as 2026-W49 or a date such as 2026-12-03"),
        )
    };
    if let Some((year, week)) = v.split_once(['W', 'w']) {
        let year: i32 = year.trim_end_matches('-').parse().map_err(|_| bad())?;
        let week: u32 = week.parse().map_err(|_| bad())?;
        return NaiveDate::from_isoywd_opt(year, week, Weekday::Mon).ok_or_else(bad);
    }
    NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .map(week_start)
        .map_err(|_| bad())
}

/// A weekday by its English short or long name, or 1-7 from Monday.
pub fn parse_weekday(field: &str, value: &str) -> Result<Weekday, Invalid> {
    let v = value.trim().to_lowercase();
    let day = match v.as_str() {
        "mon" | "monday" | "1" => Weekday::Mon,
        "tue" | "tuesday" | "2" => Weekday::Tue,
        "wed" | "wednesday" | "3" => Weekday::Wed,
        "thu" | "thursday" | "4" => Weekday::Thu,
        "fri" | "friday" | "5" => Weekday::Fri,
        "sat" | "saturday" | "6" => Weekday::Sat,
        "sun" | "sunday" | "7" => Weekday::Sun,
        _ => {
            return Err(Invalid::field(
                field,
                "must be a weekday: mon, tue, wed, thu, fri, sat or sun",
            ));
        }
    };
    Ok(day)
}

pub fn weekday_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "mon",
        Weekday::Tue => "tue",
        Weekday::Wed => "wed",
        Weekday::Thu => "thu",
        Weekday::Fri => "fri",
        Weekday::Sat => "sat",
        Weekday::Sun => "sun",
    }
}

/// A wall-clock time `HH:MM` (24-hour). `24:00` is accepted as the end of
/// the day and returned as `None` minutes past the last minute (1440).
pub fn parse_clock(field: &str, value: &str) -> Result<u32, Invalid> {
    let bad = || Invalid::field(field, format!("'{value}' is not a time of day like 08:30"));
    let (h, m) = value.trim().split_once(':').ok_or_else(bad)?;
    if h.len() != 2 || m.len() != 2 {
        return Err(bad());
    }
    let h: u32 = h.parse().map_err(|_| bad())?;
    let m: u32 = m.parse().map_err(|_| bad())?;
    if m >= 60 || h > 24 || (h == 24 && m != 0) {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

pub fn format_clock(minutes: u32) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// The instant of local midnight starting `date` (where clocks skip
/// midnight, the first instant after the gap).
pub fn midnight(tz: Tz, date: NaiveDate) -> DateTime<Utc> {
    resolve_lenient(tz, date.and_time(NaiveTime::MIN))
}

/// The site-local calendar day `date`, as the instants from its midnight to
/// the next (23 to 25 hours where clocks change).
pub fn day_of(tz: Tz, date: NaiveDate) -> Interval {
    let next = date.succ_opt().unwrap_or(date);
    Interval::of(midnight(tz, date), midnight(tz, next))
}

/// The site-local day `t` falls on, as the instants from its midnight to
/// the next (23 to 25 hours where clocks change).
pub fn local_day(tz: Tz, t: DateTime<Utc>) -> Interval {
    day_of(tz, local_date(tz, t))
}

/// The site-local week (Monday midnight to the next) that `t` falls in.
pub fn local_week(tz: Tz, t: DateTime<Utc>) -> Interval {
    let monday = week_start(local_date(tz, t));
    Interval::of(midnight(tz, monday), midnight(tz, monday + Duration::days(7)))
}

/// The local date-time `minutes` past midnight of `date` (1440 = next midnight).
pub fn at_minutes(date: NaiveDate, minutes: u32) -> NaiveDateTime {
    date.and_time(NaiveTime::MIN) + Duration::minutes(i64::from(minutes))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_week_is_named_by_its_iso_number_or_any_of_its_dates() {
        let monday = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        assert_eq!(parse_week("week", "2026-W49").unwrap(), monday);
        assert_eq!(parse_week("week", "2026W49").unwrap(), monday);
        assert_eq!(parse_week("week", "2026-12-03").unwrap(), monday);
        assert_eq!(parse_week("week", "2026-12-06").unwrap(), monday);
        // 2026 has 53 ISO weeks; 2025 has 52.
        assert!(parse_week("week", "2026-W53").is_ok());
        for bad in ["2025-W53", "2026-W0", "2026-13-01", "next", ""] {
            let e = parse_week("week", bad).unwrap_err();
            assert!(e.to_string().contains("2026-W49"), "{bad}: {e}");
        }
    }

    use super::*;

    #[test]
    fn skipped_local_time_does_not_resolve() {
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        let gap = NaiveDate::from_ymd_opt(2026, 3, 29)
            .unwrap()
            .and_hms_opt(2, 30, 0)
            .unwrap();
        assert_eq!(resolve(berlin, gap), None);
        assert_eq!(
            resolve_lenient(berlin, gap),
            resolve(berlin, gap + Duration::minutes(30)).unwrap()
        );
    }

    #[test]
    fn clock_parsing() {
        assert_eq!(parse_clock("start", "08:30").unwrap(), 510);
        assert_eq!(parse_clock("end", "24:00").unwrap(), 1440);
        for bad in ["8:30", "25:00", "12:60", "24:01", "", "noon"] {
            assert!(parse_clock("x", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn slot_rounding() {
        let sh: Tz = "Asia/Shanghai".parse().unwrap();
        let t = resolve(
            sh,
            NaiveDate::from_ymd_opt(2026, 5, 5)
                .unwrap()
                .and_hms_opt(15, 31, 10)
                .unwrap(),
        )
        .unwrap();
        assert_eq!(minute_of_day(sh, ceil_to_slot(sh, t, 15)), 15 * 60 + 45);
        assert_eq!(minute_of_day(sh, floor_to_slot(sh, t, 15)), 15 * 60 + 30);
        let aligned = floor_to_slot(sh, t, 15);
        assert_eq!(ceil_to_slot(sh, aligned, 15), aligned);
        assert!(is_aligned(sh, aligned, 15));
    }

    /// Zones with whole, half and quarter hour offsets, DST north and south,
    /// and Lord Howe's half-hour DST.
    const ZONES: &[&str] = &[
        "Asia/Shanghai",
        "Europe/Berlin",
        "America/New_York",
        "Australia/Lord_Howe",
        "Asia/Kolkata",
        "Pacific/Chatham",
        "UTC",
    ];

    proptest::proptest! {
        /// Any text is either a valid `HH:MM` (00:00 to 24:00) that prints
        /// back the same, or a field error: never a panic.
        #[test]
        fn clock_parse_round_trips_or_refuses(s in "\\PC{0,8}|[0-2][0-9]:[0-6][0-9]") {
            match parse_clock("start", &s) {
                Ok(m) => {
                    proptest::prop_assert!(m <= 1440);
                    proptest::prop_assert_eq!(format_clock(m), s);
                }
                Err(invalid) => proptest::prop_assert_eq!(invalid.fields[0].field.as_str(), "start"),
            }
        }

        /// Weekday names parse case-insensitively or are refused.
        #[test]
        fn weekday_parse_never_panics(s in "\\PC{0,12}") {
            if let Ok(day) = parse_weekday("weekday", &s) {
                proptest::prop_assert_eq!(parse_weekday("weekday", weekday_name(day)).ok(), Some(day));
            }
        }

        /// In any zone, at any instant, rounding to a slot lands on the
        /// grid, never moves the wrong way, and never by a slot or more
        /// (except across a DST gap, where the grid itself jumps).
        #[test]
        fn slot_rounding_in_any_zone(
            zone in proptest::sample::select(ZONES),
            secs in 1_700_000_000i64..1_900_000_000,
            slot in proptest::sample::select(vec![5u32, 10, 15, 30, 60]),
        ) {
            let tz: Tz = zone.parse().unwrap();
            let t = DateTime::from_timestamp(secs, 0).unwrap();
            let up = ceil_to_slot(tz, t, slot);
            let down = floor_to_slot(tz, t, slot);
            proptest::prop_assert!(down <= t && t <= up);
            proptest::prop_assert!(is_aligned(tz, down, slot));
            proptest::prop_assert!(up - down <= Duration::minutes(i64::from(slot)) + Duration::hours(1));
        }

        /// The local day of any instant holds it, is one calendar day of
        /// that zone long (23 to 25 hours, or 24.5 on Lord Howe) and every
        /// instant in it has the same local date.
        #[test]
        fn local_day_holds_its_instant(
            zone in proptest::sample::select(ZONES),
            secs in 1_700_000_000i64..1_900_000_000,
        ) {
            let tz: Tz = zone.parse().unwrap();
            let t = DateTime::from_timestamp(secs, 0).unwrap();
            let day = local_day(tz, t);
            proptest::prop_assert!(day.contains_instant(t));
            proptest::prop_assert!(day.duration() >= Duration::hours(23));
            proptest::prop_assert!(day.duration() <= Duration::hours(25));
            proptest::prop_assert_eq!(local_date(tz, day.start), local_date(tz, t));
            proptest::prop_assert_eq!(local_date(tz, day.end - Duration::seconds(1)), local_date(tz, t));
        }

        /// Days tile the calendar: each local date's day starts where the
        /// previous one ends, at a local time that reads midnight (or the
        /// first instant after a gap across it), and lasts 23 to 25 hours.
        #[test]
        fn days_of_dates_tile(
            zone in proptest::sample::select(ZONES),
            days in 0i64..3000,
        ) {
            let tz: Tz = zone.parse().unwrap();
            let date = NaiveDate::from_ymd_opt(2023, 1, 1).unwrap() + Duration::days(days);
            let day = day_of(tz, date);
            proptest::prop_assert_eq!(day.start, midnight(tz, date));
            proptest::prop_assert_eq!(day_of(tz, date.pred_opt().unwrap()).end, day.start);
            proptest::prop_assert!(day.duration() >= Duration::hours(23));
            proptest::prop_assert!(day.duration() <= Duration::hours(25));
            proptest::prop_assert_eq!(local_date(tz, day.start), date);
            proptest::prop_assert_eq!(local_date(tz, day.end - Duration::seconds(1)), date);
        }

        /// The local week of any instant holds it, starts on a Monday at
        /// that Monday's midnight and is seven local days long.
        #[test]
        fn local_week_holds_its_instant(
            zone in proptest::sample::select(ZONES),
            secs in 1_700_000_000i64..1_900_000_000,
        ) {
            let tz: Tz = zone.parse().unwrap();
            let t = DateTime::from_timestamp(secs, 0).unwrap();
            let week = local_week(tz, t);
            let monday = local_date(tz, week.start);
            proptest::prop_assert!(week.contains_instant(t));
            proptest::prop_assert_eq!(monday.weekday(), Weekday::Mon);
            proptest::prop_assert_eq!(week.start, midnight(tz, monday));
            proptest::prop_assert_eq!(week.end, day_of(tz, monday + Duration::days(6)).end);
            proptest::prop_assert!((week.duration() - Duration::days(7)).abs() <= Duration::hours(1));
        }
    }
}
