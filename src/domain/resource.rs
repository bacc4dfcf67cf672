//! Resources (a computer, a reception desk, a room), their opening hours and
//! their booking rules, with defaults per kind.

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::Invalid;
use super::interval::Interval;
use super::invalid::text;
use super::local_time::{
    at_minutes, format_clock, local_date, parse_clock, parse_weekday, resolve_lenient, weekday_name,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ResourceKind {
    /// A shared computer workstation.
    Computer,
    /// An activity room, reading room, talk room...
    Room,
    /// A reception post (first-contact desk).
    Desk,
}

impl ResourceKind {
    pub fn code(self) -> &'static str {
        match self {
            ResourceKind::Computer => "computer",
            ResourceKind::Room => "room",
            ResourceKind::Desk => "desk",
        }
    }

    pub fn from_code(code: &str) -> Option<ResourceKind> {
        match code {
            "computer" => Some(ResourceKind::Computer),
            "room" => Some(ResourceKind::Room),
            "desk" => Some(ResourceKind::Desk),
            _ => None,
        }
    }

    /// Whether one person may hold only one booking of this kind at a time
    /// (nobody sits at two computers or two desks at once).
    pub fn is_personal(self) -> bool {
        matches!(self, ResourceKind::Computer | ResourceKind::Desk)
    }
}

/// The longest a booking may last, in minutes: one day. Together with the
/// buffer cap this bounds how far back an overlapping booking can start,
/// which keeps the conflict check's cost independent of history.
pub const MAX_BOOKING_MINUTES: u32 = 24 * 60;
pub const MAX_BUFFER_MINUTES: u32 = 4 * 60;

/// Booking rules of one resource.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    /// Bookings start and end on multiples of this many minutes of the local day.
    pub slot_minutes: u32,
    /// Shortest booking.
    pub min_minutes: u32,
    /// Longest booking (at most 1440).
    pub max_minutes: u32,
    /// How long before its start a booking must be made.
    pub min_notice_minutes: u32,
    /// How far ahead one may book.
    pub max_advance_days: u32,
    /// Kept free after each booking (cleaning, setting up).
    pub buffer_minutes: u32,
    /// Bookings wait as `pending` (holding their slot) until an admin approves.
    pub requires_approval: bool,
    /// How many bookings one person may hold per week on this resource (or
    /// its pool), so nobody takes every computer slot. `null`: no limit.
    pub max_bookings_per_user_per_week: Option<u32>,
    /// Whether more urgent work may displace bookings here.
    pub allow_preemption: bool,
    /// Whether the booker must check in; unclaimed bookings are released.
    pub check_in_required: bool,
    /// Minutes after the start when an unclaimed booking is released.
    pub release_after_minutes: u32,
    /// Bookings starting within this many minutes are never displaced.
    pub preemption_grace_minutes: u32,
}

impl Rules {
    pub fn defaults_for(kind: ResourceKind) -> Rules {
        match kind {
            ResourceKind::Computer => Rules {
                slot_minutes: 15,
                min_minutes: 15,
                max_minutes: 4 * 60,
                min_notice_minutes: 0,
                max_advance_days: 14,
                buffer_minutes: 0,
                requires_approval: false,
                max_bookings_per_user_per_week: Some(15),
                allow_preemption: true,
                check_in_required: true,
                release_after_minutes: 15,
                preemption_grace_minutes: 15,
            },
            ResourceKind::Desk => Rules {
                slot_minutes: 15,
                min_minutes: 30,
                max_minutes: 10 * 60,
                min_notice_minutes: 0,
                max_advance_days: 62,
                buffer_minutes: 0,
                requires_approval: false,
                max_bookings_per_user_per_week: None,
                allow_preemption: true,
                check_in_required: true,
                release_after_minutes: 15,
                preemption_grace_minutes: 15,
            },
            ResourceKind::Room => Rules {
                slot_minutes: 30,
                min_minutes: 30,
                max_minutes: 8 * 60,
                min_notice_minutes: 60,
                max_advance_days: 366,
                buffer_minutes: 0,
                requires_approval: false,
                max_bookings_per_user_per_week: None,
                allow_preemption: false,
                check_in_required: false,
                release_after_minutes: 15,
                preemption_grace_minutes: 15,
            },
        }
    }

    pub fn validate(&self) -> Result<(), Invalid> {
        let mut invalid = Invalid::default();
        let slot = self.slot_minutes;
        if !(5..=240).contains(&slot) || !1440u32.is_multiple_of(slot) {
            invalid.push(
                "rules.slot_minutes",
                "must divide the day evenly, between 5 and 240 (e.g. 15, 30, 60)",
            );
        }
        if self.min_minutes == 0 || self.min_minutes > self.max_minutes {
            invalid.push("rules.min_minutes", "must be at least 1 and at most max_minutes");
        }
        if self.max_minutes > MAX_BOOKING_MINUTES {
            invalid.push(
                "rules.max_minutes",
                format!("must be at most {MAX_BOOKING_MINUTES} (one day)"),
            );
        }
        if self.min_notice_minutes > 60 * 24 * 30 {
            invalid.push("rules.min_notice_minutes", "must be at most 30 days");
        }
        if !(1..=400).contains(&self.max_advance_days) {
            invalid.push("rules.max_advance_days", "must be between 1 and 400");
        }
        if self.buffer_minutes > MAX_BUFFER_MINUTES {
            invalid.push(
                "rules.buffer_minutes",
                format!("must be at most {MAX_BUFFER_MINUTES}"),
            );
        }
        if self
            .max_bookings_per_user_per_week
            .is_some_and(|q| q == 0 || q > 1000)
        {
            invalid.push(
                "rules.max_bookings_per_user_per_week",
                "must be between 1 and 1000, or null for no limit",
            );
        }
        if self.release_after_minutes == 0 || self.release_after_minutes > 240 {
            invalid.push("rules.release_after_minutes", "must be between 1 and 240");
        }
        if self.preemption_grace_minutes > 24 * 60 {
            invalid.push("rules.preemption_grace_minutes", "must be at most 1440");
        }
        invalid.into_result()
    }
}

/// A partial change to [`Rules`]; absent fields keep their value.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RulesPatch {
    pub slot_minutes: Option<u32>,
    pub min_minutes: Option<u32>,
    pub max_minutes: Option<u32>,
    pub min_notice_minutes: Option<u32>,
    pub max_advance_days: Option<u32>,
    pub buffer_minutes: Option<u32>,
    pub requires_approval: Option<bool>,
    /// `null` removes the limit; absent keeps it.
    #[serde(default, deserialize_with = "crate::domain::invalid::clear_or_keep")]
    #[schema(value_type = Option<u32>)]
    pub max_bookings_per_user_per_week: Option<Option<u32>>,
    pub allow_preemption: Option<bool>,
    pub check_in_required: Option<bool>,
    pub release_after_minutes: Option<u32>,
    pub preemption_grace_minutes: Option<u32>,
}

impl RulesPatch {
    pub fn apply(&self, mut rules: Rules) -> Result<Rules, Invalid> {
        macro_rules! take {
            ($($f:ident),*) => { $( if let Some(v) = self.$f { rules.$f = v; } )* };
        }
        take!(
            slot_minutes,
            min_minutes,
            max_minutes,
            min_notice_minutes,
            max_advance_days,
            buffer_minutes,
            requires_approval,
            allow_preemption,
            check_in_required,
            release_after_minutes,
            preemption_grace_minutes
        );
        if let Some(q) = self.max_bookings_per_user_per_week {
            rules.max_bookings_per_user_per_week = q;
        }
        rules.validate()?;
        Ok(rules)
    }
}

/// Weekly opening hours in site-local wall time. A weekday without ranges
/// is closed; a resource without opening hours is always open.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OpeningHours {
    /// Per weekday from Monday: `[start, end)` minutes of the local day.
    days: [Vec<(u32, u32)>; 7],
}

impl OpeningHours {
    /// Parses `{"mon": ["08:30-12:00", "13:00-17:30"], ...}`.
    pub fn parse(value: &BTreeMap<String, Vec<String>>) -> Result<OpeningHours, Invalid> {
        let mut invalid = Invalid::default();
        let mut hours = OpeningHours::default();
        for (day, ranges) in value {
            let field = format!("opening_hours.{day}");
            let Some(weekday) = invalid.collect(parse_weekday(&field, day)) else {
                continue;
            };
            let mut parsed: Vec<(u32, u32)> = Vec::new();
            for (i, range) in ranges.iter().enumerate() {
                let f = format!("{field}[{i}]");
                let Some((a, b)) = range.split_once('-') else {
                    invalid.push(f, "must be a range like 08:30-17:30");
                    continue;
                };
                let (Some(a), Some(b)) = (
                    invalid.collect(parse_clock(&f, a)),
                    invalid.collect(parse_clock(&f, b)),
                ) else {
                    continue;
                };
                if a >= b {
                    invalid.push(f, "must end after it starts");
                    continue;
                }
                parsed.push((a, b));
            }
            parsed.sort();
            if parsed.windows(2).any(|w| w[0].1 > w[1].0) {
                invalid.push(field, "ranges must not overlap");
            }
            hours.days[weekday.num_days_from_monday() as usize] = parsed;
        }
        invalid.into_result()?;
        Ok(hours)
    }

    pub fn to_map(&self) -> BTreeMap<String, Vec<String>> {
        let mut map = BTreeMap::new();
        for (i, ranges) in self.days.iter().enumerate() {
            if ranges.is_empty() {
                continue;
            }
            let day = Weekday::try_from(i as u8).unwrap_or(Weekday::Mon);
            map.insert(
                weekday_name(day).to_owned(),
                ranges
                    .iter()
                    .map(|(a, b)| format!("{}-{}", format_clock(*a), format_clock(*b)))
                    .collect(),
            );
        }
        map
    }

    pub fn ranges(&self, day: Weekday) -> &[(u32, u32)] {
        &self.days[day.num_days_from_monday() as usize]
    }

    /// The open intervals that meet `window`, merged where they touch.
    pub fn open_within(&self, tz: Tz, window: Interval) -> Vec<Interval> {
        self.open_iter(tz, window).collect()
    }

    /// [`OpeningHours::open_within`], a day at a time as they are asked
    /// for: a year-long search that needs only its first days reads no
    /// further.
    pub fn open_iter(&self, tz: Tz, window: Interval) -> OpenWithin<'_> {
        OpenWithin {
            hours: self,
            tz,
            window,
            date: local_date(tz, window.start) - Duration::days(1),
            last: local_date(tz, window.end) + Duration::days(1),
            range: 0,
            merging: None,
        }
    }
}

/// The open intervals of some opening hours within a window, in order,
/// merged where they touch (see [`OpeningHours::open_iter`]).
pub struct OpenWithin<'a> {
    hours: &'a OpeningHours,
    tz: Tz,
    window: Interval,
    /// The day whose ranges come next, and the index of the next one.
    date: NaiveDate,
    last: NaiveDate,
    range: usize,
    /// The interval being built: a later range may still touch it.
    merging: Option<Interval>,
}

impl Iterator for OpenWithin<'_> {
    type Item = Interval;

    fn next(&mut self) -> Option<Interval> {
        while self.date <= self.last {
            let ranges = self.hours.ranges(self.date.weekday());
            let Some((a, b)) = ranges.get(self.range) else {
                self.date += Duration::days(1);
                self.range = 0;
                continue;
            };
            self.range += 1;
            let start = resolve_lenient(self.tz, at_minutes(self.date, *a));
            let end = resolve_lenient(self.tz, at_minutes(self.date, *b));
            if start >= end {
                continue;
            }
            let Some(piece) = Interval::of(start, end).intersect(&self.window) else {
                continue;
            };
            match &mut self.merging {
                Some(prev) if prev.end >= piece.start => prev.end = prev.end.max(piece.end),
                _ => {
                    if let Some(done) = self.merging.replace(piece) {
                        return Some(done);
                    }
                }
            }
        }
        self.merging.take()
    }
}

/// A resource's name.
pub fn resource_name(value: &str) -> Result<String, Invalid> {
    text("name", value, 100)
}

/// A pool name ("computers", "reception"): a lowercase token, so that
/// `?pool=` matches exactly.
pub fn pool_name(value: &str) -> Result<String, Invalid> {
    let v = value.trim().to_lowercase();
    let ok = !v.is_empty()
        && v.len() <= 40
        && v.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if ok {
        Ok(v)
    } else {
        Err(Invalid::field(
            "pool",
            "must be 1 to 40 lowercase letters, digits, '-' or '_' (e.g. computers)",
        ))
    }
}

/// Features a room offers (`piano`, `mirrors`, `projector`), normalised.
pub fn features(values: &[String]) -> Result<Vec<String>, Invalid> {
    let mut invalid = Invalid::default();
    let mut out = Vec::new();
    for (i, v) in values.iter().enumerate() {
        let f = v.trim().to_lowercase();
        let ok = !f.is_empty()
            && f.len() <= 40
            && f.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if ok {
            out.push(f);
        } else {
            invalid.push(
                format!("features[{i}]"),
                "must be 1 to 40 lowercase letters, digits, '-' or '_'",
            );
        }
    }
    if out.len() > 30 {
        invalid.push("features", "at most 30 features");
    }
    invalid.into_result()?;
    out.sort();
    out.dedup();
    Ok(out)
}

/// How many people a room holds.
pub fn capacity(value: i64) -> Result<i32, Invalid> {
    if (1..=10_000).contains(&value) {
        Ok(value as i32)
    } else {
        Err(Invalid::field("capacity", "must be between 1 and 10000"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, TimeZone, Utc};

    fn hours(json: &str) -> Result<OpeningHours, Invalid> {
        OpeningHours::parse(&serde_json::from_str(json).unwrap())
    }

    #[test]
    fn defaults_are_valid() {
        for kind in [ResourceKind::Computer, ResourceKind::Room, ResourceKind::Desk] {
            Rules::defaults_for(kind).validate().unwrap();
        }
        let patch: RulesPatch = serde_json::from_str(r#"{"slot_minutes": 7}"#).unwrap();
        assert!(patch.apply(Rules::defaults_for(ResourceKind::Room)).is_err());
        let patch: RulesPatch = serde_json::from_str(r#"{"max_bookings_per_user_per_week": null}"#).unwrap();
        let rules = patch.apply(Rules::defaults_for(ResourceKind::Computer)).unwrap();
        assert_eq!(rules.max_bookings_per_user_per_week, None);
    }

    #[test]
    fn opening_hours_round_trip_and_validate() {
        let h = hours(r#"{"mon": ["13:00-17:30", "08:30-12:00"], "Sat": ["09:00-24:00"]}"#).unwrap();
        assert_eq!(h.to_map()["mon"], vec!["08:30-12:00", "13:00-17:30"]);
        assert_eq!(h.to_map()["sat"], vec!["09:00-24:00"]);
        assert!(hours(r#"{"mon": ["12:00-08:00"]}"#).is_err());
        assert!(hours(r#"{"mon": ["08:00-12:00", "11:00-13:00"]}"#).is_err());
        assert!(hours(r#"{"funday": ["08:00-12:00"]}"#).is_err());
        assert!(hours(r#"{"mon": ["8-12"]}"#).is_err());
    }

    #[test]
    fn open_intervals_follow_local_time() {
        let tz: Tz = "Asia/Shanghai".parse().unwrap();
        let h = hours(r#"{"mon": ["08:30-12:00"]}"#).unwrap();
        // Monday 2026-11-23 in Shanghai is UTC+8.
        let window = Interval::of(
            Utc.with_ymd_and_hms(2026, 11, 22, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(2026, 11, 25, 0, 0, 0).unwrap(),
        );
        let open = h.open_within(tz, window);
        assert_eq!(open.len(), 1);
        assert_eq!(
            open[0].start,
            Utc.with_ymd_and_hms(2026, 11, 23, 0, 30, 0).unwrap()
        );
        assert_eq!(open[0].end, Utc.with_ymd_and_hms(2026, 11, 23, 4, 0, 0).unwrap());
        let _ = NaiveDate::from_ymd_opt(2026, 11, 23);
    }

    proptest::proptest! {
        /// Opening hours from any JSON-shaped input are either valid (sorted,
        /// non-overlapping, printing back to something that parses to the
        /// same) or a field error: never a panic.
        #[test]
        fn opening_hours_parse_or_refuse(
            days in proptest::collection::btree_map(
                "mon|tue|wed|thu|fri|sat|sun|Mon|xyz|\\PC{0,4}",
                proptest::collection::vec("[0-2][0-9]:[0-5][0-9]-[0-2][0-9]:[0-5][0-9]|\\PC{0,12}", 0..4),
                0..8,
            )
        ) {
            if let Ok(hours) = OpeningHours::parse(&days) {
                let again = OpeningHours::parse(&hours.to_map()).expect("printed hours parse");
                proptest::prop_assert_eq!(again.to_map(), hours.to_map());
            }
        }
    }
}
