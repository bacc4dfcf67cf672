//! Capped periods: the span of a list or report query, of an absence, of a
//! blackout. Every one of them is at most [`MAX_DAYS`] long, and is checked
//! where it is made, so code that holds a [`Period`] or a [`DatePeriod`]
//! never meets an empty or endless one.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

use super::Invalid;
use super::interval::Interval;
use super::local_time::{day_of, local_date, midnight};

/// The longest period anything may span: a query, an absence, a blackout.
pub const MAX_DAYS: i64 = 366;

/// What a period is of, which names the fields a refusal points at and
/// words it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeriodOf {
    /// A list or report query, `from` to `to`.
    Query,
    /// Time someone cannot take desk shifts, `starts_at` to `ends_at`.
    Absence,
    /// A resource's blackout, `starts_at` to `ends_at`.
    Blackout,
}

impl PeriodOf {
    /// The fields holding the start and the end.
    fn fields(self) -> (&'static str, &'static str) {
        match self {
            PeriodOf::Query => ("from", "to"),
            PeriodOf::Absence | PeriodOf::Blackout => ("starts_at", "ends_at"),
        }
    }

    fn too_long(self) -> String {
        match self {
            PeriodOf::Query => format!("a query spans at most {MAX_DAYS} days"),
            PeriodOf::Absence => format!("at most {MAX_DAYS} days at a time"),
            PeriodOf::Blackout => format!("a blackout lasts at most {MAX_DAYS} days"),
        }
    }
}

/// A half-open interval of instants that is not empty and lasts at most
/// [`MAX_DAYS`] days.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Period(Interval);

impl Period {
    /// `start` to `end`; a refusal names the end field of `of`.
    pub fn new(of: PeriodOf, start: DateTime<Utc>, end: DateTime<Utc>) -> Result<Period, Invalid> {
        let (start_field, end_field) = of.fields();
        if end <= start {
            return Err(Invalid::field(end_field, format!("must be after {start_field}")));
        }
        if end - start > Duration::days(MAX_DAYS) {
            return Err(Invalid::field(end_field, of.too_long()));
        }
        Ok(Period(Interval::of(start, end)))
    }

    /// A query's period from its optional ends: `from` defaults to the
    /// start of the local day of `now` in `tz`, `to` to `default` after
    /// `from`.
    pub fn query<Z: TimeZone>(
        tz: Tz,
        from: Option<DateTime<Z>>,
        to: Option<DateTime<Z>>,
        default: Duration,
        now: DateTime<Utc>,
    ) -> Result<Period, Invalid> {
        let start = match from {
            Some(f) => f.with_timezone(&Utc),
            None => midnight(tz, local_date(tz, now)),
        };
        let end = match to {
            Some(t) => t.with_timezone(&Utc),
            None => start
                .checked_add_signed(default)
                .unwrap_or(DateTime::<Utc>::MAX_UTC),
        };
        Period::new(PeriodOf::Query, start, end)
    }

    pub fn interval(self) -> Interval {
        self.0
    }

    pub fn start(self) -> DateTime<Utc> {
        self.0.start
    }

    pub fn end(self) -> DateTime<Utc> {
        self.0.end
    }
}

impl From<Period> for Interval {
    fn from(period: Period) -> Interval {
        period.0
    }
}

/// Site-local dates `first` to `last`, both included, with `last` at most
/// [`MAX_DAYS`] days after `first`: what the rota and duty listings ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DatePeriod {
    first: NaiveDate,
    last: NaiveDate,
}

impl DatePeriod {
    /// The dates `from` to `to`; a refusal names `to`.
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<DatePeriod, Invalid> {
        if to < from {
            return Err(Invalid::field("to", "must not be before from"));
        }
        if (to - from).num_days() > MAX_DAYS {
            return Err(Invalid::field(
                "to",
                format!("a period spans at most {MAX_DAYS} days"),
            ));
        }
        Ok(DatePeriod {
            first: from,
            last: to,
        })
    }

    /// A query's dates from its optional ends: `from` defaults to `today`,
    /// `to` to `default_days` after `from`.
    pub fn query(
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        today: NaiveDate,
        default_days: i64,
    ) -> Result<DatePeriod, Invalid> {
        let from = from.unwrap_or(today);
        let to = to.unwrap_or_else(|| {
            from.checked_add_signed(Duration::days(default_days))
                .unwrap_or(NaiveDate::MAX)
        });
        DatePeriod::new(from, to)
    }

    pub fn first(self) -> NaiveDate {
        self.first
    }

    pub fn last(self) -> NaiveDate {
        self.last
    }

    /// The instants from the local midnight that starts `first` to the one
    /// that ends `last`.
    pub fn instants(self, tz: Tz) -> Interval {
        Interval::of(day_of(tz, self.first).start, day_of(tz, self.last).end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const ZONES: &[&str] = &[
        "Asia/Shanghai",
        "Europe/Berlin",
        "America/New_York",
        "Australia/Lord_Howe",
        "Pacific/Chatham",
        "UTC",
    ];

    const KINDS: [PeriodOf; 3] = [PeriodOf::Query, PeriodOf::Absence, PeriodOf::Blackout];

    fn instant(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(secs, 0).unwrap()
    }

    fn date(days: i64) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + Duration::days(days)
    }

    /// The words are written out, not built from `MAX_DAYS`: clients see
    /// them, and they must not change with a refactoring.
    #[test]
    fn refusals_name_the_fields_as_the_handlers_always_have() {
        let t = instant(1_800_000_000);
        let cases = [
            (
                PeriodOf::Query,
                "to",
                "must be after from",
                "a query spans at most 366 days",
            ),
            (
                PeriodOf::Absence,
                "ends_at",
                "must be after starts_at",
                "at most 366 days at a time",
            ),
            (
                PeriodOf::Blackout,
                "ends_at",
                "must be after starts_at",
                "a blackout lasts at most 366 days",
            ),
        ];
        for (of, field, empty, long) in cases {
            let e = Period::new(of, t, t).unwrap_err();
            assert_eq!(
                (e.fields[0].field.as_str(), e.fields[0].message.as_str()),
                (field, empty)
            );
            let e = Period::new(of, t, t + Duration::days(MAX_DAYS) + Duration::seconds(1)).unwrap_err();
            assert_eq!(
                (e.fields[0].field.as_str(), e.fields[0].message.as_str()),
                (field, long)
            );
            assert!(Period::new(of, t, t + Duration::days(MAX_DAYS)).is_ok());
        }
        let e = DatePeriod::new(date(1), date(0)).unwrap_err();
        assert_eq!(e.to_string(), "to: must not be before from");
        let e = DatePeriod::new(date(0), date(MAX_DAYS + 1)).unwrap_err();
        assert_eq!(e.to_string(), "to: a period spans at most 366 days");
        assert!(DatePeriod::new(date(0), date(MAX_DAYS)).is_ok());
        assert!(DatePeriod::new(date(0), date(0)).is_ok());
    }

    #[test]
    fn query_defaults() {
        let sh: Tz = "Asia/Shanghai".parse().unwrap();
        let now = instant(1_800_000_000);
        let p = Period::query::<Utc>(sh, None, None, Duration::days(7), now).unwrap();
        assert_eq!(
            p.interval(),
            Interval::of(p.start(), p.start() + Duration::days(7))
        );
        assert_eq!(p.start(), day_of(sh, local_date(sh, now)).start);
        let d = DatePeriod::query(None, None, date(10), 28).unwrap();
        assert_eq!((d.first(), d.last()), (date(10), date(38)));
    }

    proptest! {
        /// Whatever the ends, a period is made only when it is neither
        /// empty nor over the cap, and a refusal names the end field.
        #[test]
        fn a_period_is_never_empty_nor_over_the_cap(
            of in proptest::sample::select(KINDS.to_vec()),
            start in 1_700_000_000i64..1_900_000_000,
            length in -86_400i64..(MAX_DAYS + 2) * 86_400,
        ) {
            let (s, e) = (instant(start), instant(start + length));
            match Period::new(of, s, e) {
                Ok(p) => {
                    prop_assert!(p.start() < p.end());
                    prop_assert!(p.interval().duration() <= Duration::days(MAX_DAYS));
                    prop_assert_eq!((p.start(), p.end()), (s, e));
                }
                Err(invalid) => {
                    prop_assert!(length <= 0 || length > MAX_DAYS * 86_400);
                    prop_assert_eq!(invalid.fields[0].field.as_str(), of.fields().1);
                }
            }
        }

        /// A query with any combination of ends either gives a capped,
        /// non-empty period or a refusal naming `to`; never a panic.
        #[test]
        fn a_query_period_is_capped_or_refused(
            zone in proptest::sample::select(ZONES),
            now in 1_700_000_000i64..1_900_000_000,
            from in proptest::option::of(-400i64 * 86_400..400 * 86_400),
            to in proptest::option::of(-400i64 * 86_400..400 * 86_400),
            default_days in 1i64..400,
        ) {
            let tz: Tz = zone.parse().unwrap();
            let at = |offset: i64| instant(now + offset);
            let default = Duration::days(default_days);
            match Period::query(tz, from.map(at), to.map(at), default, instant(now)) {
                Ok(p) => {
                    prop_assert!(p.start() < p.end());
                    prop_assert!(p.end() - p.start() <= Duration::days(MAX_DAYS));
                }
                Err(invalid) => prop_assert_eq!(invalid.fields[0].field.as_str(), "to"),
            }
        }

        /// A date period holds at most MAX_DAYS + 1 dates, never none, and
        /// its instants run from the first date's midnight to the one after
        /// the last date: a whole number of local days, give or take the
        /// hour clocks move.
        #[test]
        fn a_date_period_covers_whole_local_days(
            zone in proptest::sample::select(ZONES),
            from in -1000i64..2000,
            length in proptest::option::of(-5i64..400),
            default_days in 0i64..400,
        ) {
            let tz: Tz = zone.parse().unwrap();
            match DatePeriod::query(Some(date(from)), length.map(|l| date(from + l)), date(0), default_days) {
                Ok(p) => {
                    let days = (p.last() - p.first()).num_days() + 1;
                    prop_assert!((1..=MAX_DAYS + 1).contains(&days));
                    let span = p.instants(tz);
                    prop_assert_eq!(local_date(tz, span.start), p.first());
                    prop_assert_eq!(local_date(tz, span.end - Duration::seconds(1)), p.last());
                    let drift = span.duration() - Duration::days(days);
                    prop_assert!(drift.abs() <= Duration::hours(1), "{:?}", drift);
                }
                Err(invalid) => {
                    prop_assert_eq!(invalid.fields[0].field.as_str(), "to");
                    let to = length.unwrap_or(default_days);
                    prop_assert!(!(0..=MAX_DAYS).contains(&to));
                }
            }
        }
    }
}
