//! Giving back what nobody claimed: computer and desk bookings whose holder
//! did not check in within the release time.

use chrono::{DateTime, Utc};

use crate::db::{DbConn, Lock, backend};
use crate::domain::booking::{self, BookingStatus};
use crate::domain::resource::Rules;
use crate::errors::ApiError;
use crate::mail::templates::Kind;
use crate::notify::Notifier;
use crate::store::bookings::{self, Booking};
use crate::store::resources::Resource;
use crate::store::sites;
use crate::workflows::priority;

/// Releases bookings on these resources (or everywhere) whose holder did
/// not check in within the resource's release time. Returns them.
pub fn release_unclaimed(
    conn: &mut DbConn,
    notifier: &Notifier,
    resource_ids: Option<&[i64]>,
    now: DateTime<Utc>,
) -> Result<Vec<Booking>, ApiError> {
    let candidates = bookings::unclaimed_started(conn, resource_ids, None, now.naive_utc())?;
    release(conn, notifier, candidates, now)
}

/// Releases those of `candidates` that lapsed, under their sites' locks.
fn release(
    conn: &mut DbConn,
    notifier: &Notifier,
    candidates: Vec<(Booking, String)>,
    now: DateTime<Utc>,
) -> Result<Vec<Booking>, ApiError> {
    let mut site_ids: Vec<i64> = candidates.iter().map(|(b, _)| b.site_id).collect();
    site_ids.sort_unstable();
    site_ids.dedup();
    let locks: Vec<Lock> = site_ids.iter().map(|id| Lock::Site(*id)).collect();
    backend::lock(conn, &locks)?;
    let mut released: Vec<Booking> = Vec::new();
    for (booking, rules_json) in candidates {
        if is_lapsed(&booking, &rules_json, now)
            && bookings::end(conn, booking.id, BookingStatus::Released, None, now.naive_utc())?
        {
            let site = sites::by_id(conn, booking.site_id)?;
            notifier.bookings(
                conn,
                &site,
                Kind::BookingReleased,
                std::slice::from_ref(&booking),
                now.naive_utc(),
            )?;
            released.push(booking);
        }
    }
    Ok(released)
}

/// How a booking holds its site while it releases no-shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SiteLock {
    /// Exclusively (or SQLite's one writer): releasing may go ahead and the
    /// waitlist may be served.
    Held,
    /// Shared with other bookings at the site: nothing was due when the
    /// caller looked before locking, and nothing may be released now.
    Shared,
}

/// The check-in resources among `on`: only a resource whose rules ask for
/// check-in can have a booking to release (see [`booking::lapsed`]), so
/// the others are not searched at all.
fn check_in_ids(on: &[Resource]) -> Vec<i64> {
    on.iter()
        .filter(|r| r.rules().check_in_required)
        .map(|r| r.id)
        .collect()
}

/// Whether a booking on these resources is due for release at `now`: read
/// before locking, to know whether the site must be held exclusively.
pub fn any_lapsed_on(conn: &mut DbConn, on: &[Resource], now: DateTime<Utc>) -> Result<bool, ApiError> {
    let ids = check_in_ids(on);
    if ids.is_empty() {
        return Ok(false);
    }
    let candidates = bookings::unclaimed_started(conn, Some(&ids), None, now.naive_utc())?;
    Ok(candidates.iter().any(|(b, rules)| is_lapsed(b, rules, now)))
}

fn is_lapsed(booking: &Booking, rules_json: &str, now: DateTime<Utc>) -> bool {
    serde_json::from_str::<Rules>(rules_json).is_ok_and(|rules| {
        booking::lapsed(
            &rules,
            booking.checked_in_at.is_some(),
            booking.starts_at.and_utc(),
            now,
        )
    })
}

/// [`release_unclaimed`] on these resources. Under a shared site lock a
/// no-show that became due between the caller's look and its locks (a
/// race of milliseconds at a release deadline) cannot be released without
/// serving the waitlist, which needs the whole site: the request is
/// answered 503 with `Retry-After`, and the retry holds the site.
pub fn release_unclaimed_on(
    conn: &mut DbConn,
    notifier: &Notifier,
    on: &[Resource],
    now: DateTime<Utc>,
    site: SiteLock,
) -> Result<Vec<Booking>, ApiError> {
    let ids = check_in_ids(on);
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let candidates = bookings::unclaimed_started(conn, Some(&ids), None, now.naive_utc())?;
    if site == SiteLock::Shared {
        if candidates.iter().any(|(b, rules)| is_lapsed(b, rules, now)) {
            return Err(ApiError::unavailable(
                "A booking here has just gone unclaimed and is being given back; try again in a moment.",
            ));
        }
        return Ok(Vec::new());
    }
    release(conn, notifier, candidates, now)
}

/// The sites where a booking may have gone unclaimed: the release job
/// works on each in a transaction of its own, so one site that fails (its
/// waitlist cannot be served, say) holds no other site's no-shows.
pub fn sites_to_release(conn: &mut DbConn, now: DateTime<Utc>) -> Result<Vec<i64>, ApiError> {
    let mut site_ids: Vec<i64> = bookings::unclaimed_started(conn, None, None, now.naive_utc())?
        .iter()
        .map(|(b, _)| b.site_id)
        .collect();
    site_ids.sort_unstable();
    site_ids.dedup();
    Ok(site_ids)
}

/// The release job at one site: frees its unclaimed bookings and, if room
/// freed up, serves its waitlist, in the caller's transaction.
pub fn release_and_serve_at(
    conn: &mut DbConn,
    notifier: &Notifier,
    site_id: i64,
    now: DateTime<Utc>,
) -> Result<usize, ApiError> {
    let candidates = bookings::unclaimed_started(conn, None, Some(site_id), now.naive_utc())?;
    let released = release(conn, notifier, candidates, now)?;
    if !released.is_empty() {
        let site = sites::by_id(conn, site_id)?;
        priority::serve_waitlist(conn, &site, notifier, now)?;
    }
    Ok(released.len())
}
