//! Adding and changing a site's computers, desks and rooms, and closing
//! them for a period. Retiring one cancels bookings, so it lives with the
//! bookings (`bookings::retire_resource`).

use chrono::{DateTime, NaiveDateTime, Utc};

use crate::db::{DbConn, Lock, backend};
use crate::domain::booking::BookingStatus;
use crate::domain::period::Period;
use crate::errors::ApiError;
use crate::notify::Notifier;
use crate::store::access::SiteAccess;
use crate::store::bookings::{self, Booking, active_within};
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

/// What to do with bookings a new blackout covers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Covered {
    /// Refuse the blackout, listing them (the default: nobody loses a
    /// booking without the admin saying so).
    #[default]
    Refuse,
    /// Cancel them, telling each owner the blackout's reason.
    Cancel,
}

/// A booking a blackout would cover, as a refusal lists it.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct CoveredBooking {
    pub booking_id: i64,
    pub resource_id: i64,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

/// A blackout asked for.
pub struct Closing<'a> {
    pub period: Period,
    /// Maintenance, a holiday...: told to the owners of covered bookings.
    pub reason: &'a str,
    pub covered: Covered,
}

/// Closes resource `id` for a period (site admin). Bookings it would cover
/// are refused with a 409 that lists them, or with `Covered::Cancel`
/// cancelled, each owner told why, and returned.
pub fn add_blackout(
    conn: &mut DbConn,
    access: &SiteAccess,
    id: i64,
    closing: Closing<'_>,
    notifier: &Notifier,
    now: DateTime<Utc>,
) -> Result<(Blackout, Vec<i64>), ApiError> {
    access.require_admin()?;
    let Closing {
        period,
        reason,
        covered,
    } = closing;
    let period = period.interval();
    let resource = resources::by_id(conn, access.site.id, id)?;
    backend::lock(conn, &[Lock::Site(access.site.id), Lock::Resource(resource.id)])?;
    let in_the_way: Vec<Booking> = active_within(conn, &[resource.id], period)?
        .into_iter()
        .filter(|b| b.slot().overlaps(&period))
        .collect();
    if !in_the_way.is_empty() && covered == Covered::Refuse {
        let listed: Vec<CoveredBooking> = in_the_way
            .iter()
            .map(|b| CoveredBooking {
                booking_id: b.id,
                resource_id: b.resource_id,
                starts_at: b.starts_at.and_utc(),
                ends_at: b.ends_at.and_utc(),
            })
            .collect();
        return Err(ApiError::conflict(format!(
            "{} booking(s) fall in this period. Move or cancel them first, or send cancel_bookings: true to cancel them and tell their owners why.",
            in_the_way.len()
        ))
        .with("conflicts", listed));
    }
    let mut cancelled = Vec::with_capacity(in_the_way.len());
    for b in &in_the_way {
        if bookings::end(
            conn,
            b.id,
            BookingStatus::Cancelled,
            Some(access.user_id),
            now.naive_utc(),
        )? {
            let ended = bookings::by_id(conn, access.site.id, b.id)?;
            notifier.resource_closed(conn, &access.site, &resource, &ended, reason, now.naive_utc())?;
            cancelled.push(b.id);
        }
    }
    let blackout =
        resources::insert_blackout(conn, resource.id, period, reason, access.user_id, now.naive_utc())?;
    Ok((blackout, cancelled))
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
