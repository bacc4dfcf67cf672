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
    notifier.announce_blackout(
        conn,
        &access.site,
        &resource,
        blackout.id,
        period,
        reason,
        cancelled.len(),
        now.naive_utc(),
    )?;
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

/// The site's resources as its admin sees them to set them up, retired
/// ones left out (site admin).
pub fn for_console(conn: &mut DbConn, access: &SiteAccess) -> Result<Vec<Resource>, ApiError> {
    access.require_admin()?;
    // A site has a few dozen; the console lists them all on one page.
    resources::list(
        conn,
        access.site.id,
        &resources::ResourceFilter::default(),
        0,
        1000,
    )
}

/// One resource, set up by its admin: its upcoming blackouts and how many
/// bookings from `now` on retiring it would cancel.
pub struct ResourceSetup {
    pub resource: Resource,
    pub blackouts: Vec<Blackout>,
    pub future_bookings: usize,
}

/// Resource `id` with its upcoming blackouts and future bookings (site admin).
pub fn for_setup(
    conn: &mut DbConn,
    access: &SiteAccess,
    id: i64,
    now: DateTime<Utc>,
) -> Result<ResourceSetup, ApiError> {
    access.require_admin()?;
    let resource = resources::by_id(conn, access.site.id, id)?;
    let blackouts = resources::blackouts_of(conn, resource.id, now.naive_utc())?;
    // The window retiring looks at (`bookings::retire_resource`).
    let ahead = crate::domain::interval::Interval::of(now, now + chrono::Duration::days(800));
    let future_bookings = active_within(conn, &[resource.id], ahead)?
        .iter()
        .filter(|b| b.starts_at.and_utc() >= now)
        .count();
    Ok(ResourceSetup {
        resource,
        blackouts,
        future_bookings,
    })
}

/// A booking in the way of a blackout, named for the admin deciding.
pub struct NamedCovered {
    pub booking: Booking,
    /// Who booked it.
    pub owner: String,
}

/// What asking for a blackout came to.
pub enum Closed {
    /// Made; the bookings it cancelled with notice (ids).
    Made(Blackout, Vec<i64>),
    /// Not made: with `Covered::Refuse` these bookings are in the way.
    Covers(Vec<NamedCovered>),
}

/// [`add_blackout`] for a person deciding on a page: with
/// `Covered::Refuse` the bookings in the way come back with their owners'
/// names instead of as a refusal, and nothing is written.
pub fn close(
    conn: &mut DbConn,
    access: &SiteAccess,
    id: i64,
    closing: Closing<'_>,
    notifier: &Notifier,
    now: DateTime<Utc>,
) -> Result<Closed, ApiError> {
    access.require_admin()?;
    if closing.covered == Covered::Refuse {
        let resource = resources::by_id(conn, access.site.id, id)?;
        backend::lock(conn, &[Lock::Site(access.site.id), Lock::Resource(resource.id)])?;
        let period = closing.period.interval();
        let in_the_way: Vec<Booking> = active_within(conn, &[resource.id], period)?
            .into_iter()
            .filter(|b| b.slot().overlaps(&period))
            .collect();
        if !in_the_way.is_empty() {
            let ids: Vec<i64> = in_the_way.iter().map(|b| b.owner_id).collect();
            let names = bookings::user_names(conn, &ids)?;
            let named = in_the_way
                .into_iter()
                .map(|booking| NamedCovered {
                    owner: names
                        .iter()
                        .find(|(id, _)| *id == booking.owner_id)
                        .map(|(_, n)| n.clone())
                        .unwrap_or_default(),
                    booking,
                })
                .collect();
            return Ok(Closed::Covers(named));
        }
    }
    let (blackout, cancelled) = add_blackout(conn, access, id, closing, notifier, now)?;
    Ok(Closed::Made(blackout, cancelled))
}
