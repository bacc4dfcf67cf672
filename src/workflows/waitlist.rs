//! Reading and leaving the waitlist. Joining it and being served from it happen in
//! `priority`, where a booking is refused or a place frees up.

use chrono::NaiveDateTime;

use crate::db::{DbConn, Lock, backend};
use crate::errors::ApiError;
use crate::store::access::SiteAccess;
use crate::store::waitlist::{self, Entry};

/// Cancels waitlist entry `id` (its owner or an admin). The site lock keeps
/// a serving of the waitlist from handing the place to the entry while it
/// is being cancelled.
pub fn leave(conn: &mut DbConn, access: &SiteAccess, id: i64, now: NaiveDateTime) -> Result<(), ApiError> {
    backend::lock(conn, &[Lock::Site(access.site.id)])?;
    let entry = waitlist::by_id(conn, access.site.id, id)?;
    // Someone else's entry is not theirs to see.
    if !access.sees_waiting_request(entry.owner_id) {
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

/// The waiting requests the caller may see, newest first: an admin sees the
/// site's, anyone else their own.
pub fn visible(
    conn: &mut DbConn,
    access: &SiteAccess,
    status: Option<&str>,
    after_id: i64,
    limit: i64,
) -> Result<Vec<Entry>, ApiError> {
    let owner = (!access.sees_every_waiting_request()).then_some(access.user_id);
    waitlist::list(conn, access.site.id, owner, status, after_id, limit)
}
