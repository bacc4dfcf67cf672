//! `/api/v1/sites/{site}/bookings` and `booking-series`: making bookings
//! (`create`), reading them (`list`), their life after that
//! (`lifecycle`: cancel, approve, reject, check in) and weekly series
//! (`series`). Handlers parse, call one workflow, and render.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::api::views::utc;
// For the handlers below (`use super::*`): site-scoped answers.
pub(crate) use crate::api::views::site_json;
use crate::domain::booking::{BookingStatus, Urgency};
use crate::store::access::SiteAccess;
use crate::store::bookings::Booking;
pub(crate) use actix_web::http::StatusCode;

mod create;
mod lifecycle;
mod list;
mod series;

pub use create::*;
pub use lifecycle::*;
pub use list::*;
pub use series::*;

#[derive(Clone, Serialize, utoipa::ToSchema)]
pub struct BookingView {
    pub id: i64,
    pub resource_id: i64,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub status: BookingStatus,
    pub urgency: Urgency,
    pub group_id: Option<i64>,
    pub series_id: Option<i64>,
    pub headcount: Option<i32>,
    pub flexible: bool,
    pub checked_in_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// Why an ended booking ended, when not by its owner's choice:
    /// `displaced` (more urgent work took the time; the owner's mail says
    /// where it went). Absent for bookings that are active or simply
    /// cancelled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_reason: Option<String>,
    /// Shown to the owner and to staff and admins of the site.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_name: Option<String>,
}

pub fn view(access: &SiteAccess, b: &Booking, owner: Option<&str>, resource: Option<&str>) -> BookingView {
    let details = access.sees_booking_details(b.owner_id);
    BookingView {
        id: b.id,
        resource_id: b.resource_id,
        starts_at: utc(b.starts_at),
        ends_at: utc(b.ends_at),
        status: b.status(),
        urgency: b.urgency(),
        group_id: b.group_id,
        series_id: b.series_id,
        headcount: b.headcount,
        flexible: b.flexible,
        checked_in_at: b.checked_in_at.map(utc),
        created_at: utc(b.created_at),
        end_reason: b.end_reason.clone(),
        purpose: details.then(|| b.purpose.clone()),
        reason: if details { b.reason.clone() } else { None },
        owner_id: details.then_some(b.owner_id),
        owner: if details { owner.map(str::to_owned) } else { None },
        resource_name: resource.map(str::to_owned),
    }
}

/// A waiting request.
#[derive(Serialize, utoipa::ToSchema)]
pub struct WaitlistView {
    pub id: i64,
    /// While waiting: 1 is served first. Counted among the requests for
    /// the same resources at meeting times, highest urgency first, then
    /// the oldest.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub place_in_line: Option<u32>,
    pub resource_id: Option<i64>,
    pub pool: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// The latest acceptable start.
    pub latest_start: DateTime<Utc>,
    pub urgency: Urgency,
    /// `waiting`, `served`, `expired` or `cancelled`.
    pub status: String,
    pub purpose: String,
    /// When it was first asked for (the order among equal urgency).
    pub requested_at: DateTime<Utc>,
    /// The booking it became, once served.
    pub served_booking_id: Option<i64>,
    /// The booking that gave way, for displaced bookings.
    pub displaced_booking_id: Option<i64>,
}

/// `place`: the entry's place in line while it waits.
pub fn waitlist_view(e: &crate::store::waitlist::Entry, place: Option<u32>) -> WaitlistView {
    WaitlistView {
        place_in_line: place.filter(|_| e.status == "waiting"),
        id: e.id,
        resource_id: e.resource_id,
        pool: e.pool.clone(),
        starts_at: utc(e.starts_at),
        ends_at: utc(e.ends_at),
        latest_start: utc(e.latest_start),
        urgency: e.urgency(),
        status: e.status.clone(),
        purpose: e.purpose.clone(),
        requested_at: utc(e.requested_at),
        served_booking_id: e.served_booking_id,
        displaced_booking_id: e.displaced_booking_id,
    }
}
