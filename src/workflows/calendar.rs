//! The site calendar: holidays and make-up working days.

use chrono::{DateTime, Utc};

use crate::db::{DbConn, Lock, backend};
use crate::domain::calendar::SiteCalendar;
use crate::errors::ApiError;
use crate::store::access::SiteAccess;
use crate::store::{calendar, duties};
use crate::workflows::duties::sync_room_bookings;

/// Replaces the site calendar (site admin) and moves every duty's room
/// room bookings to match: a new holiday frees the room, a removed one takes it
/// again. Under the site lock, as they are bookings.
pub fn replace(
    conn: &mut DbConn,
    access: &SiteAccess,
    cal: &SiteCalendar,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    access.require_admin()?;
    backend::lock(conn, &[Lock::Site(access.site.id)])?;
    calendar::replace(conn, access.site.id, cal)?;
    for duty in duties::of_site(conn, access.site.id)? {
        sync_room_bookings(conn, &access.site, &duty, cal, now)?;
    }
    Ok(())
}
