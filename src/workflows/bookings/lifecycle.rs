//! A booking's life after it is made: cancelled (alone, or with its
//! series), approved or rejected, checked in, edited as a series, or ended
//! with its resource. Every end serves the waitlist in the same
//! transaction, under the site lock.

use chrono::{DateTime, Duration, NaiveDate, Utc};

use crate::db::{DbConn, Lock, backend};
use crate::domain::booking::BookingStatus;
use crate::domain::channel::Topic;
use crate::domain::interval::Interval;
use crate::domain::local_time::local_date;
use crate::errors::ApiError;
use crate::mail::templates::Kind;
use crate::notify::Notifier;
use crate::store::access::SiteAccess;
use crate::store::bookings::{self, Booking, Series};
use crate::store::resources::{self, Resource};
use crate::workflows::priority;

/// Cancels a booking (its owner or an admin); the owner is told and the
/// waitlist is served.
pub fn cancel(
    conn: &mut DbConn,
    access: &SiteAccess,
    booking_id: i64,
    notifier: &Notifier,
    now: DateTime<Utc>,
) -> Result<Booking, ApiError> {
    backend::lock(conn, &[Lock::Site(access.site.id)])?;
    let booking = bookings::by_id(conn, access.site.id, booking_id)?;
    access.may_cancel_booking(booking.owner_id)?;
    // An ended booking is a record of use (no-shows, hours, the audit);
    // cancelling it afterwards would rewrite that.
    if booking.status().is_active() && booking.ends_at.and_utc() <= now {
        return Err(
            ApiError::conflict("This booking has ended; it cannot be cancelled.")
                .with("rule", "booking_ended"),
        );
    }
    let Some(ended) = end_and_tell(conn, access, &booking, notifier, now)? else {
        return Err(ApiError::conflict(format!(
            "This booking is already {}.",
            booking.status
        )));
    };
    priority::serve_waitlist(conn, &access.site, notifier, now)?;
    Ok(ended)
}

/// Ends one booking as cancelled by the caller and tells its owner;
/// `None` when it had already ended. The caller holds the site lock and
/// serves the waitlist once after all its ends.
fn end_and_tell(
    conn: &mut DbConn,
    access: &SiteAccess,
    booking: &Booking,
    notifier: &Notifier,
    now: DateTime<Utc>,
) -> Result<Option<Booking>, ApiError> {
    if !bookings::end(
        conn,
        booking.id,
        BookingStatus::Cancelled,
        Some(access.user_id),
        now.naive_utc(),
    )? {
        return Ok(None);
    }
    let ended = super::reload(conn, access, booking)?;
    notifier.announce_bookings(
        conn,
        &access.site,
        Topic::BookingCancelled,
        std::slice::from_ref(&ended),
        now.naive_utc(),
    )?;
    if booking.owner_id != access.user_id {
        notifier.booking_cancelled_by_admin(conn, &access.site, &ended, now.naive_utc())?;
    } else {
        notifier.bookings(
            conn,
            &access.site,
            Kind::BookingCancelled,
            std::slice::from_ref(&ended),
            now.naive_utc(),
        )?;
    }
    Ok(Some(ended))
}

/// The series' owner or an admin may change or cancel it.
fn series_for_change(conn: &mut DbConn, access: &SiteAccess, id: i64) -> Result<Series, ApiError> {
    let series = bookings::series_by_id(conn, access.site.id, id)?;
    access.may_change_series(series.owner_id)?;
    Ok(series)
}

/// Cancels a series' occurrences that have not started (with `from`, only
/// those on or after that site-local date, which may not be past): each
/// as [`cancel`] does, its owner told, and the waitlist served once at the
/// end. Returns the ids cancelled.
pub fn cancel_series(
    conn: &mut DbConn,
    access: &SiteAccess,
    series_id: i64,
    from: Option<NaiveDate>,
    notifier: &Notifier,
    now: DateTime<Utc>,
) -> Result<Vec<i64>, ApiError> {
    backend::lock(conn, &[Lock::Site(access.site.id)])?;
    let series = series_for_change(conn, access, series_id)?;
    let tz = access.site.tz();
    if let Some(d) = from
        && d < local_date(tz, now)
    {
        return Err(ApiError::conflict(format!(
            "{d} has passed; cancel a series from today or a later date."
        ))
        .with("rule", "series_from_past"));
    }
    let mut cancelled = Vec::new();
    for b in bookings::series_occurrences(conn, series.id)? {
        let starts = b.starts_at.and_utc();
        // What has begun is kept, as it is without `from`.
        let wanted = starts > now && from.is_none_or(|d| local_date(tz, starts) >= d);
        if wanted && b.status().is_active() && end_and_tell(conn, access, &b, notifier, now)?.is_some() {
            cancelled.push(b.id);
        }
    }
    if !cancelled.is_empty() {
        priority::serve_waitlist(conn, &access.site, notifier, now)?;
    }
    Ok(cancelled)
}

/// What may change in a series' coming occurrences.
pub struct SeriesChange {
    pub purpose: Option<String>,
    pub headcount: Option<i32>,
}

/// Edits the future, still active occurrences of a series; cancelled
/// occurrences stay cancelled. Returns the series.
pub fn edit_series(
    conn: &mut DbConn,
    access: &SiteAccess,
    series_id: i64,
    change: &SeriesChange,
    now: DateTime<Utc>,
) -> Result<Series, ApiError> {
    let series = series_for_change(conn, access, series_id)?;
    if let Some(h) = change.headcount {
        let resource = resources::by_id(conn, access.site.id, series.resource_id)?;
        if resource.capacity.is_some_and(|c| h > c) {
            return Err(ApiError::invalid("headcount", "more people than the room holds"));
        }
    }
    bookings::edit_series(
        conn,
        series.id,
        now.naive_utc(),
        change.purpose.as_deref(),
        change.headcount,
        now.naive_utc(),
    )?;
    Ok(series)
}

/// Retires a resource (admin): history stays, future bookings are
/// cancelled and their owners told.
pub fn retire_resource(
    conn: &mut DbConn,
    access: &SiteAccess,
    resource_id: i64,
    notifier: &Notifier,
    now: DateTime<Utc>,
) -> Result<(Resource, Vec<i64>), ApiError> {
    access.require_admin()?;
    let resource = resources::by_id(conn, access.site.id, resource_id)?;
    backend::lock(conn, &[Lock::Site(access.site.id), Lock::Resource(resource.id)])?;
    resources::retire(conn, resource.id, now.naive_utc())?;
    let future = bookings::active_within(conn, &[resource.id], Interval::of(now, now + Duration::days(800)))?;
    let mut cancelled = Vec::new();
    for b in future.iter().filter(|b| b.starts_at.and_utc() >= now) {
        if bookings::end(
            conn,
            b.id,
            BookingStatus::Cancelled,
            Some(access.user_id),
            now.naive_utc(),
        )? {
            let ended = bookings::by_id(conn, access.site.id, b.id)?;
            notifier.resource_retired(conn, &access.site, &resource, &ended, now.naive_utc())?;
            cancelled.push(b.id);
        }
    }
    if !cancelled.is_empty() {
        priority::serve_waitlist(conn, &access.site, notifier, now)?;
    }
    Ok((resources::by_id(conn, access.site.id, resource.id)?, cancelled))
}

/// The longest reason an admin may give for not approving: a sentence or
/// two for the requester, not a letter.
pub const MAX_REJECT_REASON_CHARS: usize = 500;

/// Approves or rejects a pending booking (admin). A rejection may carry a
/// reason, which the requester's mail gives in the admin's words.
pub fn approve_or_reject(
    conn: &mut DbConn,
    access: &SiteAccess,
    booking_id: i64,
    approve: bool,
    reason: Option<&str>,
    notifier: &Notifier,
    now: DateTime<Utc>,
) -> Result<Booking, ApiError> {
    access.require_admin()?;
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    if let Some(r) = reason {
        if approve {
            return Err(ApiError::invalid(
                "reason",
                "a reason is given only when not approving",
            ));
        }
        if r.chars().count() > MAX_REJECT_REASON_CHARS {
            return Err(ApiError::invalid(
                "reason",
                format!("at most {MAX_REJECT_REASON_CHARS} characters"),
            ));
        }
        if r.chars().any(|c| c.is_control() && c != '\n') {
            return Err(ApiError::invalid("reason", "must not contain control characters"));
        }
    }
    backend::lock(conn, &[Lock::Site(access.site.id)])?;
    let booking = bookings::by_id(conn, access.site.id, booking_id)?;
    let done = if approve {
        bookings::approve(conn, booking.id, now.naive_utc())?
    } else {
        booking.status() == BookingStatus::Pending
            && bookings::end(
                conn,
                booking.id,
                BookingStatus::Rejected,
                Some(access.user_id),
                now.naive_utc(),
            )?
    };
    if !done {
        return Err(ApiError::conflict(format!(
            "Only pending bookings are approved or rejected; this one is {}.",
            booking.status
        )));
    }
    let booking = bookings::by_id(conn, access.site.id, booking_id)?;
    if approve {
        notifier.bookings(
            conn,
            &access.site,
            Kind::BookingApproved,
            std::slice::from_ref(&booking),
            now.naive_utc(),
        )?;
    } else {
        notifier.booking_rejected(conn, &access.site, &booking, reason, now.naive_utc())?;
    }
    if !approve {
        priority::serve_waitlist(conn, &access.site, notifier, now)?;
    }
    Ok(booking)
}

/// How early before its start a booking may be checked in.
pub const CHECK_IN_OPENS_MINUTES: i64 = 10;

/// The owner says they are here.
pub fn check_in(
    conn: &mut DbConn,
    access: &SiteAccess,
    booking_id: i64,
    notifier: &Notifier,
    now: DateTime<Utc>,
) -> Result<Booking, ApiError> {
    let booking = bookings::by_id(conn, access.site.id, booking_id)?;
    access.may_check_in(booking.owner_id)?;
    let resource = resources::by_id(conn, access.site.id, booking.resource_id)?;
    backend::lock(conn, &[Lock::Site(access.site.id)])?;
    if !super::release_unclaimed_on(
        conn,
        notifier,
        std::slice::from_ref(&resource),
        now,
        super::SiteLock::Held,
    )?
    .is_empty()
    {
        priority::serve_waitlist(conn, &access.site, notifier, now)?;
    }
    let booking = bookings::by_id(conn, access.site.id, booking_id)?;
    if booking.status() != BookingStatus::Confirmed {
        return Err(ApiError::conflict(format!(
            "A {} booking cannot be checked in.",
            booking.status
        )));
    }
    if booking.checked_in_at.is_some() {
        return Ok(booking);
    }
    let start = booking.starts_at.and_utc();
    if now < start - Duration::minutes(CHECK_IN_OPENS_MINUTES) {
        return Err(ApiError::conflict(format!(
            "Check-in opens {CHECK_IN_OPENS_MINUTES} minutes before the start."
        )));
    }
    if now >= booking.ends_at.and_utc() {
        return Err(ApiError::conflict("This booking is over."));
    }
    bookings::check_in(conn, booking.id, now.naive_utc())?;
    bookings::by_id(conn, access.site.id, booking_id)
}
