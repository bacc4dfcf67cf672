//! Bookings: making them (`create`), their life after that (`lifecycle`:
//! cancel, approve or reject, check in, series, retiring a resource) and
//! giving back what nobody claimed (`release`).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::db::DbConn;
use crate::domain::booking::{Clash, Refusal, Violation};
use crate::domain::local_time::local_date;
use crate::errors::{ApiError, ProblemType};
use crate::store::access::SiteAccess;
use crate::store::bookings::{self, Booking};

pub mod create;
pub mod lifecycle;
pub mod release;

pub use create::{Created, Outcome, create};
pub use lifecycle::{
    CHECK_IN_OPENS_MINUTES, MAX_REJECT_REASON_CHARS, SeriesChange, approve_or_reject, cancel, cancel_series,
    check_in, edit_series, retire_resource,
};
pub use release::{
    SiteLock, any_lapsed_on, release_and_serve_at, release_unclaimed, release_unclaimed_on, sites_to_release,
};

/// A booking in the way, as shown in a 409.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ConflictView {
    pub resource_id: i64,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub booking_id: i64,
    /// The requested occurrence's site-local date.
    pub date: chrono::NaiveDate,
    /// The holder's name, shown to staff and admins of the site only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
}

/// An occurrence left out with `on_conflict: skip`.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Skipped {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub conflicts: Vec<ConflictView>,
}

fn rule_error(violations: Vec<Violation>) -> ApiError {
    let detail = violations
        .iter()
        .map(|v| v.message.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let rule = violations.first().map(|v| v.rule);
    ApiError::new(ProblemType::BookingRule, detail)
        .with("rule", rule)
        .with("violations", violations)
}

/// Turns bookings in the way into their public view (names for staff and
/// admins only).
fn conflict_views(
    conn: &mut DbConn,
    access: &SiteAccess,
    clashes: Vec<Clash>,
) -> Result<Vec<ConflictView>, ApiError> {
    let tz = access.site.tz();
    let mut owners: HashMap<i64, String> = HashMap::new();
    if access.sees_who_holds() {
        let ids: Vec<i64> = clashes.iter().map(|c| c.busy.booking_id).collect();
        if !ids.is_empty() {
            owners.extend(bookings::list_owner_names(conn, &ids)?);
        }
    }
    Ok(clashes
        .into_iter()
        .map(|c| ConflictView {
            resource_id: c.resource_id,
            starts_at: c.busy.slot.start,
            ends_at: c.busy.slot.end,
            booking_id: c.busy.booking_id,
            date: local_date(tz, c.occurrence.start),
            owner: owners.get(&c.busy.booking_id).cloned(),
        })
        .collect())
}

/// A refusal from the core, as the caller sees it: 422 naming the rule, or
/// 409 listing what is in the way.
fn refusal_error(conn: &mut DbConn, access: &SiteAccess, refusal: Refusal) -> Result<ApiError, ApiError> {
    let (detail, clashes) = match refusal {
        Refusal::Rules(violations) => return Ok(rule_error(violations)),
        Refusal::OneSeat(clashes) => (
            "You already hold a computer or desk booking at that time; one person, one seat.",
            clashes,
        ),
        Refusal::Taken { pool: true, clashes } => {
            ("Every resource of the pool is taken at that time.", clashes)
        }
        Refusal::Taken { pool: false, clashes } => ("That time is already taken.", clashes),
        Refusal::SeriesTaken(clashes) => (
            "Some dates of the series are taken; nothing was booked. Send on_conflict: skip to book the free ones.",
            clashes,
        ),
    };
    let views = conflict_views(conn, access, clashes)?;
    Ok(ApiError::conflict(detail).with("conflicts", views))
}

/// The booking again after a change, as stored.
fn reload(conn: &mut DbConn, access: &SiteAccess, b: &Booking) -> Result<Booking, ApiError> {
    bookings::by_id(conn, access.site.id, b.id)
}
