//! The window of time a request may name: from 2000-01-01 to ten years
//! ahead. Every instant and date the API and the pages read passes through
//! [`Instant`] or [`Date`] here, so no route can forget the bound.
//!
//! Why a bound at all: nothing the committee books lies outside it, and what
//! lies outside breaks the stores. SQLite keeps instants as text, and chrono
//! writes the year 10000 as `+10000-...`, which sorts before `2026-`: one
//! waitlist request up to 9999-12-31 made the search for its slot find no
//! booking, and every later write at that site (and every timed job) failed.
//! PostgreSQL refuses years before 4713 BC outright. Refused here, such a
//! value is a 422 naming its field instead.

use chrono::{DateTime, FixedOffset, Months, NaiveDate, SubsecRound, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::Invalid;

/// How far ahead a request may reach. No booking rule allows more than
/// about a year ahead; ten years leaves room for planning a rota or a
/// duty series without ever nearing the end of four-digit years.
pub const YEARS_AHEAD: u32 = 10;

/// The first date a request may name.
pub fn first_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2000, 1, 1).expect("a real date")
}

/// The first instant a request may name (midnight UTC of [`first_date`]).
pub fn earliest() -> DateTime<Utc> {
    first_date().and_hms_opt(0, 0, 0).expect("midnight").and_utc()
}

/// The last instant a request may name, `now` being the time of asking.
pub fn latest(now: DateTime<Utc>) -> DateTime<Utc> {
    now.checked_add_months(Months::new(12 * YEARS_AHEAD))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// The last date a request may name.
pub fn last_date(now: DateTime<Utc>) -> NaiveDate {
    latest(now).date_naive()
}

fn out_of_window(now: DateTime<Utc>) -> String {
    format!(
        "must lie between {} and {} (at most {YEARS_AHEAD} years ahead)",
        first_date(),
        last_date(now)
    )
}

/// `t` at the precision the stores keep (microseconds, as PostgreSQL does),
/// if it lies in the window at `now`; else what to write instead.
pub fn instant_in_window(t: DateTime<Utc>, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    if t < earliest() || t > latest(now) {
        return Err(out_of_window(now));
    }
    Ok(t.trunc_subsecs(6))
}

/// `d` if it lies in the window at `now`; else what to write instead.
pub fn date_in_window(d: NaiveDate, now: DateTime<Utc>) -> Result<NaiveDate, String> {
    if d < first_date() || d > last_date(now) {
        return Err(out_of_window(now));
    }
    Ok(d)
}

/// [`instant_in_window`] as a validation error naming `field`.
pub fn check_instant(field: &str, t: DateTime<Utc>, now: DateTime<Utc>) -> Result<DateTime<Utc>, Invalid> {
    instant_in_window(t, now).map_err(|message| Invalid::field(field, message))
}

/// An instant a request names: RFC 3339 with its offset, in the window at
/// the moment it is read, kept in UTC at microsecond precision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant(DateTime<Utc>);

impl Instant {
    /// The instant in UTC.
    pub fn utc(self) -> DateTime<Utc> {
        self.0
    }
}

impl std::ops::Deref for Instant {
    type Target = DateTime<Utc>;

    fn deref(&self) -> &DateTime<Utc> {
        &self.0
    }
}

impl From<Instant> for DateTime<Utc> {
    fn from(i: Instant) -> DateTime<Utc> {
        i.0
    }
}

impl<'de> Deserialize<'de> for Instant {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Instant, D::Error> {
        // chrono's own reading, so its words for a malformed value stay
        // (`api::json::explain_time` turns them into advice).
        let t = DateTime::<FixedOffset>::deserialize(de)?.with_timezone(&Utc);
        instant_in_window(t, Utc::now())
            .map(Instant)
            .map_err(serde::de::Error::custom)
    }
}

impl Serialize for Instant {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

/// A calendar date a request names (`2026-11-23`), in the window at the
/// moment it is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(NaiveDate);

impl Date {
    pub fn date(self) -> NaiveDate {
        self.0
    }

    /// A date the stores kept, to show it back (a site's calendar); never
    /// for what a request names.
    pub fn kept(d: NaiveDate) -> Date {
        Date(d)
    }
}

impl std::ops::Deref for Date {
    type Target = NaiveDate;

    fn deref(&self) -> &NaiveDate {
        &self.0
    }
}

impl From<Date> for NaiveDate {
    fn from(d: Date) -> NaiveDate {
        d.0
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Date, D::Error> {
        let d = NaiveDate::deserialize(de)?;
        date_in_window(d, Utc::now())
            .map(Date)
            .map_err(serde::de::Error::custom)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_796_000_000, 0).unwrap()
    }

    #[test]
    fn the_window_runs_from_2000_to_ten_years_ahead() {
        let now = now();
        assert!(instant_in_window(earliest(), now).is_ok());
        assert!(instant_in_window(earliest() - chrono::Duration::microseconds(1), now).is_err());
        assert!(instant_in_window(latest(now), now).is_ok());
        assert!(instant_in_window(latest(now) + chrono::Duration::microseconds(1), now).is_err());
        let far = "9999-12-31T00:00:00Z".parse::<DateTime<Utc>>().unwrap();
        let e = check_instant("latest_start", far, now).unwrap_err();
        assert_eq!(e.fields[0].field, "latest_start");
        assert!(e.fields[0].message.contains("2000-01-01"), "{e}");
        assert!(date_in_window(NaiveDate::from_ymd_opt(1999, 12, 31).unwrap(), now).is_err());
        assert!(date_in_window(first_date(), now).is_ok());
        assert!(date_in_window(last_date(now), now).is_ok());
        assert!(date_in_window(last_date(now).succ_opt().unwrap(), now).is_err());
    }

    #[test]
    fn reading_keeps_chrono_words_and_refuses_the_far_future() {
        let ok: Instant = serde_json::from_str(r#""2026-11-23T15:30:00.123456789+08:00""#).unwrap();
        assert_eq!(ok.utc().to_rfc3339(), "2026-11-23T07:30:00.123456+00:00");
        let e = serde_json::from_str::<Instant>(r#""9999-12-31T00:00:00Z""#).unwrap_err();
        assert!(e.to_string().contains("at most 10 years ahead"), "{e}");
        let e = serde_json::from_str::<Instant>(r#""2026-11-23T15:30""#).unwrap_err();
        assert!(e.to_string().contains("premature end of input"), "{e}");
        let e = serde_json::from_str::<Date>(r#""+10000-01-01""#).unwrap_err();
        assert!(!e.to_string().is_empty());
        let e = serde_json::from_str::<Date>(r#""1970-01-01""#).unwrap_err();
        assert!(e.to_string().contains("2000-01-01"), "{e}");
        let d: Date = serde_json::from_str(r#""2026-11-23""#).unwrap();
        assert_eq!(serde_json::to_string(&d).unwrap(), r#""2026-11-23""#);
    }

    proptest! {
        /// Whatever instant is asked for, it is taken exactly when it lies
        /// in the window, and then at microsecond precision.
        #[test]
        fn an_instant_is_taken_only_inside_the_window(
            secs in -100_000_000_000i64..100_000_000_000,
            nanos in 0u32..1_000_000_000,
        ) {
            let t = DateTime::from_timestamp(secs, nanos).unwrap();
            let inside = t >= earliest() && t <= latest(now());
            match instant_in_window(t, now()) {
                Ok(kept) => {
                    prop_assert!(inside);
                    prop_assert_eq!(kept.timestamp_subsec_nanos() % 1_000, 0);
                    prop_assert!(t - kept < chrono::Duration::microseconds(1));
                }
                Err(_) => prop_assert!(!inside),
            }
        }
    }
}
