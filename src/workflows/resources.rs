//! Adding and changing a site's computers, desks and rooms, and closing
//! them for a period. Retiring one cancels bookings, so it lives with the
//! bookings (`bookings::retire_resource`).

use chrono::NaiveDateTime;

use crate::db::DbConn;
use crate::domain::period::Period;
use crate::errors::ApiError;
use crate::store::access::SiteAccess;
use crate::store::bookings::active_within;
use crate::store::resources::{self, Blackout, Resource, ResourceFields};

/// Adds a resource to the site (site admin).
pub fn add(
    conn: &mut DbConn,
    access: &SiteAccess,
    fields: &ResourceFields,
    now: NaiveDateTime,
) -> Result<Resource, ApiError> {
    access.require_admin()?;
    resources::insert(conn, access.site.id, fields, now)
}

/// Changes resource `id` (site admin); existing bookings stay as they are.
/// `change` turns the resource as it is into its new settings: a request
/// changes some settings and keeps the rest, and whether the result is
/// valid (a minimum above a maximum) depends on both.
pub fn change(
    conn: &mut DbConn,
    access: &SiteAccess,
    id: i64,
    change: impl FnOnce(&Resource) -> Result<ResourceFields, ApiError>,
) -> Result<Resource, ApiError> {
    access.require_admin()?;
    let current = resources::by_id(conn, access.site.id, id)?;
    let fields = change(&current)?;
    resources::update(conn, &current, &fields)
}

/// Closes resource `id` for `period` (site admin). Bookings already in the
/// period stay; their ids are returned so the admin can decide about them.
pub fn add_blackout(
    conn: &mut DbConn,
    access: &SiteAccess,
    id: i64,
    period: Period,
    reason: &str,
    now: NaiveDateTime,
) -> Result<(Blackout, Vec<i64>), ApiError> {
    access.require_admin()?;
    let period = period.interval();
    let resource = resources::by_id(conn, access.site.id, id)?;
    let blackout = resources::insert_blackout(conn, resource.id, period, reason, access.user_id, now)?;
    let overlapping = active_within(conn, &[resource.id], period)?
        .into_iter()
        .filter(|b| b.slot().overlaps(&period))
        .map(|b| b.id)
        .collect();
    Ok((blackout, overlapping))
}

/// Removes blackout `blackout_id` of resource `id` (site admin).
pub fn remove_blackout(
    conn: &mut DbConn,
    access: &SiteAccess,
    id: i64,
    blackout_id: i64,
) -> Result<(), ApiError> {
    access.require_admin()?;
    let resource = resources::by_id(conn, access.site.id, id)?;
    if resources::delete_blackout(conn, resource.id, blackout_id)? {
        Ok(())
    } else {
        Err(ApiError::not_found("blackout"))
    }
}
