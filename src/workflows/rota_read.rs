//! Reading the desk rota: which shifts, swaps and absences a caller sees.
//! A draft is the admin's working copy until it is published; staff see
//! the rota as published (and the shifts offered for swap, which are
//! published ones), never a draft's names.

use crate::db::DbConn;
use crate::domain::interval::Interval;
use crate::domain::period::DatePeriod;
use crate::errors::ApiError;
use crate::store::access::SiteAccess;
use crate::store::rota::{self, Shift, Swap, Unavailability};

/// The shifts of a period as the caller may see them: an admin, every
/// shift with its draft; staff, the published shifts with their published
/// people in place of the draft's.
pub fn shifts(conn: &mut DbConn, access: &SiteAccess, period: DatePeriod) -> Result<Vec<Shift>, ApiError> {
    access.require_staff_or_admin()?;
    let shifts = rota::shifts_between(conn, access.site.id, period.first(), period.last())?;
    if access.sees_rota_drafts() {
        return Ok(shifts);
    }
    Ok(shifts
        .into_iter()
        .filter_map(|mut s| {
            let published = s.published_assignees.clone()?;
            s.assignees = published;
            Some(s)
        })
        .collect())
}

/// Offered and taken swaps, newest first (admin).
pub fn swaps(conn: &mut DbConn, access: &SiteAccess) -> Result<Vec<(Swap, Shift)>, ApiError> {
    access.require_admin()?;
    rota::swaps_of_site(conn, access.site.id, 500)
}

/// Unavailability meeting `window`: an admin sees everyone's, anyone else
/// their own.
pub fn unavailability(
    conn: &mut DbConn,
    access: &SiteAccess,
    window: Interval,
) -> Result<Vec<Unavailability>, ApiError> {
    Ok(rota::unavailability_within(conn, access.site.id, window)?
        .into_iter()
        .filter(|u| access.sees_unavailability_of(u.user_id))
        .collect())
}
