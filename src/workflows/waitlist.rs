//! Leaving the waitlist. Joining it and being served from it happen in
//! `priority`, where a booking is refused or a place frees up.

use chrono::NaiveDateTime;

use crate::db::{DbConn, Lock, backend};
use crate::errors::ApiError;
use crate::store::access::SiteAccess;
use crate::store::waitlist;

/// Cancels waitlist entry `id` (its owner or an admin). The site lock keeps
/// a serving of the waitlist from handing the place to the entry while it
/// is being cancelled.
pub fn leave(conn: &mut DbConn, access: &SiteAccess, id: i64, now: NaiveDateTime) -> Result<(), ApiError> {
    backend::lock(conn, &[Lock::Site(access.site.id)])?;
    let entry = waitlist::by_id(conn, access.site.id, id)?;
    // Someone else's entry is not theirs to see.
    if entry.owner_id != access.user_id && !access.is_admin() {
        return Err(ApiError::not_found("waitlist entry"));
    }
    if !waitlist::end(conn, entry.id, "cancelled", None, now)? {
        return Err(ApiError::conflict(format!(
            "This entry is already {}.",
            entry.status
        )));
    }
    Ok(())
}
