//! The admin's approval queue: bookings of resources that need approval,
//! waiting for a decision, soonest first, with the names a secretary
//! decides by (room, person, group). Deciding is
//! [`crate::workflows::bookings::approve_or_reject`], shared with the API.

use chrono::{DateTime, Duration, Utc};

use crate::db::DbConn;
use crate::domain::booking::BookingStatus;
use crate::domain::interval::Interval;
use crate::errors::ApiError;
use crate::store::access::SiteAccess;
use crate::store::bookings::{self, Booking, BookingFilter};
use crate::store::groups;

/// How many waiting requests one look shows; a queue longer than this is
/// worked from the top, and the page says more are waiting.
pub const QUEUE_LIMIT: i64 = 100;

/// One request waiting for a decision.
pub struct WaitingRequest {
    pub booking: Booking,
    /// The resource's name, as the requester chose it.
    pub resource: String,
    /// Who asked.
    pub owner: String,
    /// The interest group it is for, when it is for one.
    pub group: Option<String>,
}

/// Pending bookings that have not ended, soonest first (admin only): a
/// request whose time has passed needs no decision any more.
pub fn queue(
    conn: &mut DbConn,
    access: &SiteAccess,
    now: DateTime<Utc>,
) -> Result<Vec<WaitingRequest>, ApiError> {
    access.require_admin()?;
    let filter = BookingFilter {
        // Advance booking is bounded by the rules well within this.
        window: Interval::of(now, now + Duration::days(800)),
        resource_id: None,
        owner_id: None,
        status: Some(BookingStatus::Pending),
        group_id: None,
        after: None,
        limit: QUEUE_LIMIT,
    };
    let rows = bookings::list(conn, access.site.id, &filter)?;
    let group_ids: Vec<i64> = rows.iter().filter_map(|(b, _, _)| b.group_id).collect();
    let group_names = if group_ids.is_empty() {
        Vec::new()
    } else {
        groups::names(conn, &group_ids)?
    };
    Ok(rows
        .into_iter()
        .map(|(booking, owner, resource)| {
            let group = booking.group_id.and_then(|g| {
                group_names
                    .iter()
                    .find(|(id, _)| *id == g)
                    .map(|(_, n)| n.clone())
            });
            WaitingRequest {
                booking,
                resource,
                owner,
                group,
            }
        })
        .collect())
}
