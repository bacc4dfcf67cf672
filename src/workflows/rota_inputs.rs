//! What the rota generator works from: the weekly shift templates and the
//! times staff cannot take desk shifts.

use chrono::NaiveDateTime;

use crate::db::DbConn;
use crate::domain::period::Period;
use crate::errors::ApiError;
use crate::store::access::SiteAccess;
use crate::store::rota::{self, NewTemplate, Template, Unavailability};
use crate::store::users;

/// Replaces the site's weekly shift templates (site admin); the next
/// generation works from them.
pub fn replace_templates(
    conn: &mut DbConn,
    access: &SiteAccess,
    templates: &[NewTemplate],
) -> Result<Vec<Template>, ApiError> {
    access.require_admin()?;
    rota::replace_templates(conn, access.site.id, templates)
}

/// Records a time member `who` (default: the caller) cannot take desk
/// shifts. Only an admin records it for someone else.
pub fn add_unavailability(
    conn: &mut DbConn,
    access: &SiteAccess,
    who: Option<i64>,
    period: Period,
    reason: &str,
    now: NaiveDateTime,
) -> Result<Unavailability, ApiError> {
    let who = who.unwrap_or(access.user_id);
    if who != access.user_id {
        access.require_admin()?;
    }
    if users::membership(conn, access.site.id, who)?.is_none() {
        return Err(ApiError::invalid("user_id", "not a member of this site"));
    }
    rota::insert_unavailability(
        conn,
        access.site.id,
        who,
        period.interval(),
        reason,
        access.user_id,
        now,
    )
}

/// Removes unavailability `id` (its person or an admin).
pub fn remove_unavailability(conn: &mut DbConn, access: &SiteAccess, id: i64) -> Result<(), ApiError> {
    let row = rota::unavailability_by_id(conn, access.site.id, id)?
        .ok_or_else(|| ApiError::not_found("unavailability"))?;
    // Someone else's entry is not theirs to see.
    if !access.sees_unavailability_of(row.user_id) {
        return Err(ApiError::not_found("unavailability"));
    }
    rota::delete_unavailability(conn, row.id)
}
