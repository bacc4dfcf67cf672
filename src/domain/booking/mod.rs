//! Booking rules: urgency, statuses, the check of one requested slot
//! against a resource's rules, and [`decide`], which turns a request and a
//! snapshot of what is booked into a decision. Conflicts with other
//! bookings are found in [`super::availability`], from the same data.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::Invalid;
use super::interval::Interval;
use super::invalid::text;
use super::local_time::{floor_to_slot, is_aligned, local_date, week_start};
use super::resource::{OpeningHours, Rules};

mod decide;
mod request;

pub use decide::{
    Booked, Clash, Decision, Offered, Refusal, RefusedBy, Snapshot, check_urgent_quota, decide,
};
pub use request::{BookingRequest, OnConflict, Target};

/// How pressing a booking is, lowest first. Order matters: a higher level
/// may displace a lower one (see the priority rules).
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    #[default]
    Routine,
    Priority,
    Urgent,
    Emergency,
}

impl Urgency {
    pub fn code(self) -> &'static str {
        match self {
            Urgency::Routine => "routine",
            Urgency::Priority => "priority",
            Urgency::Urgent => "urgent",
            Urgency::Emergency => "emergency",
        }
    }

    pub fn from_code(code: &str) -> Urgency {
        match code {
            "priority" => Urgency::Priority,
            "urgent" => Urgency::Urgent,
            "emergency" => Urgency::Emergency,
            _ => Urgency::Routine,
        }
    }
}

/// Where a booking stands. `pending` and `confirmed` hold their slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BookingStatus {
    /// Waiting for an admin's approval; holds the slot meanwhile.
    Pending,
    Confirmed,
    /// Cancelled by its owner or an admin.
    Cancelled,
    /// Refused by an admin.
    Rejected,
    /// Not checked in on time; the slot was given back.
    Released,
}

/// The statuses that hold a slot; the database constraints use the same list.
pub const ACTIVE_STATUSES: [&str; 2] = ["pending", "confirmed"];

impl BookingStatus {
    pub fn code(self) -> &'static str {
        match self {
            BookingStatus::Pending => "pending",
            BookingStatus::Confirmed => "confirmed",
            BookingStatus::Cancelled => "cancelled",
            BookingStatus::Rejected => "rejected",
            BookingStatus::Released => "released",
        }
    }

    pub fn from_code(code: &str) -> BookingStatus {
        match code {
            "pending" => BookingStatus::Pending,
            "confirmed" => BookingStatus::Confirmed,
            "rejected" => BookingStatus::Rejected,
            "released" => BookingStatus::Released,
            _ => BookingStatus::Cancelled,
        }
    }

    pub fn is_active(self) -> bool {
        matches!(self, BookingStatus::Pending | BookingStatus::Confirmed)
    }
}

/// A booking rule, by the stable code clients see in `rule`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    OutsideOpeningHours,
    Blackout,
    TooShort,
    TooLong,
    Granularity,
    InThePast,
    TooLate,
    TooFarAhead,
    OverCapacity,
    OverQuota,
    ReasonRequired,
    ResourceRetired,
    UrgentQuota,
    TooManyFutureBookings,
}

/// One broken rule, with the sentence that explains it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Violation {
    /// The rule broken.
    pub rule: Rule,
    /// What to do about it, in words.
    pub message: String,
}

impl Violation {
    fn new(rule: Rule, message: impl Into<String>) -> Violation {
        Violation {
            rule,
            message: message.into(),
        }
    }
}

/// What a rule check needs to know about one resource.
pub struct RuleContext<'a> {
    pub tz: Tz,
    pub rules: &'a Rules,
    pub opening: Option<&'a OpeningHours>,
    pub blackouts: &'a [Interval],
    pub capacity: Option<i32>,
    pub retired: bool,
    pub now: DateTime<Utc>,
}

/// The earliest start the rules allow now. With no notice required, the
/// slot already under way counts ("I need a computer now" at 15:37 may
/// book from 15:30).
pub fn earliest_start(ctx_tz: Tz, rules: &Rules, now: DateTime<Utc>) -> DateTime<Utc> {
    if rules.min_notice_minutes == 0 {
        floor_to_slot(ctx_tz, now, rules.slot_minutes)
    } else {
        now + Duration::minutes(i64::from(rules.min_notice_minutes))
    }
}

/// The latest end the rules allow now.
pub fn latest_end(rules: &Rules, now: DateTime<Utc>) -> DateTime<Utc> {
    now + Duration::days(i64::from(rules.max_advance_days))
}

/// Every rule `slot` breaks on this resource (empty when it may be booked,
/// other bookings aside).
pub fn check_rules(slot: Interval, headcount: Option<i32>, ctx: &RuleContext<'_>) -> Vec<Violation> {
    let mut out = Vec::new();
    let rules = ctx.rules;
    if ctx.retired {
        out.push(Violation::new(
            Rule::ResourceRetired,
            "This resource is retired and takes no new bookings.",
        ));
        return out;
    }
    let minutes = slot.duration().num_minutes();
    if minutes < i64::from(rules.min_minutes) {
        out.push(Violation::new(
            Rule::TooShort,
            format!("Bookings here last at least {} minutes.", rules.min_minutes),
        ));
    }
    if minutes > i64::from(rules.max_minutes) {
        out.push(Violation::new(
            Rule::TooLong,
            format!("Bookings here last at most {} minutes.", rules.max_minutes),
        ));
    }
    if !is_aligned(ctx.tz, slot.start, rules.slot_minutes)
        || !is_aligned(ctx.tz, slot.end, rules.slot_minutes)
    {
        out.push(Violation::new(
            Rule::Granularity,
            format!(
                "Bookings here start and end on the {}-minute marks of the clock.",
                rules.slot_minutes
            ),
        ));
    }
    let earliest = earliest_start(ctx.tz, rules, ctx.now);
    if slot.start < earliest {
        if rules.min_notice_minutes == 0 || slot.start < ctx.now {
            out.push(Violation::new(Rule::InThePast, "That time has already passed."));
        } else {
            out.push(Violation::new(
                Rule::TooLate,
                format!("Book at least {} minutes ahead here.", rules.min_notice_minutes),
            ));
        }
    }
    if slot.end > latest_end(rules, ctx.now) {
        out.push(Violation::new(
            Rule::TooFarAhead,
            format!("Bookings here open {} days ahead.", rules.max_advance_days),
        ));
    }
    if let Some(opening) = ctx.opening {
        let open = opening.open_within(ctx.tz, slot);
        if !open.iter().any(|o| o.contains(&slot)) {
            out.push(Violation::new(
                Rule::OutsideOpeningHours,
                "That is outside the opening hours.",
            ));
        }
    }
    if ctx.blackouts.iter().any(|b| b.overlaps(&slot)) {
        out.push(Violation::new(
            Rule::Blackout,
            "The resource is closed then (maintenance or a holiday).",
        ));
    }
    if let (Some(cap), Some(n)) = (ctx.capacity, headcount)
        && n > cap
    {
        out.push(Violation::new(
            Rule::OverCapacity,
            format!("The room holds {cap} people; {n} were asked for."),
        ));
    }
    out
}

/// Whether a confirmed booking has lapsed: check-in was required and did
/// not happen by the release time. A lapsed booking no longer holds its slot.
pub fn lapsed(rules: &Rules, checked_in: bool, start: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    rules.check_in_required
        && !checked_in
        && start + Duration::minutes(i64::from(rules.release_after_minutes)) <= now
}

/// The quota rule: `held` bookings already in the week of the new one.
pub fn check_quota(held: u32, adding: u32, rules: &Rules) -> Option<Violation> {
    let limit = rules.max_bookings_per_user_per_week?;
    (held + adding > limit).then(|| {
        Violation::new(
            Rule::OverQuota,
            format!("Each person may hold {limit} bookings a week here; you hold {held} in that week."),
        )
    })
}

/// The site's cap on future bookings per person: `held` active bookings
/// that have not ended yet and places in the waitlist, `adding` more asked
/// for.
pub fn check_future_cap(held: u32, adding: u32, cap: Option<u32>) -> Option<Violation> {
    let cap = cap?;
    (held.saturating_add(adding) > cap).then(|| {
        Violation::new(
            Rule::TooManyFutureBookings,
            format!(
                "Each person may hold {cap} future bookings at this site, places in the waitlist included; you hold {held}. Cancel some, or ask the site admin."
            ),
        )
    })
}

/// The site-local week (Monday to Monday) that contains `t`.
pub fn week_of(tz: Tz, t: DateTime<Utc>) -> (chrono::NaiveDate, chrono::NaiveDate) {
    let monday = week_start(local_date(tz, t));
    (monday, monday + Duration::days(7))
}

/// The urgency and reason of a request: above `routine` a reason is required.
pub fn check_reason(urgency: Urgency, reason: Option<&str>) -> Result<Option<String>, Invalid> {
    match reason.map(str::trim).filter(|r| !r.is_empty()) {
        Some(r) => Ok(Some(text("reason", r, 500)?)),
        None if urgency > Urgency::Routine => Err(Invalid::field(
            "reason",
            format!(
                "say why this is {}: a reason is required above routine",
                urgency.code()
            ),
        )),
        None => Ok(None),
    }
}

/// What the booking is for.
pub fn purpose(value: &str) -> Result<String, Invalid> {
    text("purpose", value, 200)
}

pub fn headcount(value: i64) -> Result<i32, Invalid> {
    if (1..=10_000).contains(&value) {
        Ok(value as i32)
    } else {
        Err(Invalid::field("headcount", "must be between 1 and 10000"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::resource::ResourceKind;
    use chrono::TimeZone;

    fn ctx<'a>(rules: &'a Rules, now: DateTime<Utc>) -> RuleContext<'a> {
        RuleContext {
            tz: chrono_tz::Asia::Shanghai,
            rules,
            opening: None,
            blackouts: &[],
            capacity: Some(10),
            retired: false,
            now,
        }
    }

    #[test]
    fn urgency_order() {
        assert!(Urgency::Routine < Urgency::Priority);
        assert!(Urgency::Urgent < Urgency::Emergency);
        assert!(check_reason(Urgency::Urgent, None).is_err());
        assert!(check_reason(Urgency::Urgent, Some("  ")).is_err());
        assert_eq!(check_reason(Urgency::Routine, None).unwrap(), None);
    }

    #[test]
    fn rules_name_what_is_broken() {
        let rules = Rules::defaults_for(ResourceKind::Computer);
        let now = Utc.with_ymd_and_hms(2026, 11, 23, 7, 37, 0).unwrap(); // 15:37 in Shanghai
        let c = ctx(&rules, now);
        // "Now": the slot under way may be booked.
        let now_slot = Interval::of(
            Utc.with_ymd_and_hms(2026, 11, 23, 7, 30, 0).unwrap(),
            Utc.with_ymd_and_hms(2026, 11, 23, 8, 15, 0).unwrap(),
        );
        assert_eq!(check_rules(now_slot, None, &c), vec![]);
        let odd = Interval::of(
            now_slot.start + Duration::minutes(31),
            now_slot.end + Duration::minutes(30),
        );
        assert_eq!(check_rules(odd, None, &c)[0].rule, Rule::Granularity);
        let long = Interval::of(now_slot.start, now_slot.start + Duration::hours(5));
        assert_eq!(check_rules(long, None, &c)[0].rule, Rule::TooLong);
        let far = Interval::of(
            now_slot.start + Duration::days(20),
            now_slot.end + Duration::days(20),
        );
        assert_eq!(check_rules(far, None, &c)[0].rule, Rule::TooFarAhead);
        let past = Interval::of(
            now_slot.start - Duration::hours(1),
            now_slot.end - Duration::hours(1),
        );
        assert_eq!(check_rules(past, None, &c)[0].rule, Rule::InThePast);
        assert_eq!(check_rules(now_slot, Some(11), &c)[0].rule, Rule::OverCapacity);
        assert_eq!(check_quota(15, 1, &rules).unwrap().rule, Rule::OverQuota);
        assert!(check_quota(14, 1, &rules).is_none());
        assert!(check_future_cap(199, 1, Some(200)).is_none());
        assert_eq!(
            check_future_cap(199, 2, Some(200)).unwrap().rule,
            Rule::TooManyFutureBookings
        );
        assert!(check_future_cap(u32::MAX, 1, None).is_none());
    }
}
