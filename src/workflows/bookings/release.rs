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
        let rules: Rules = match serde_json::from_str(&rules_json) {
            Ok(r) => r,
            Err(_) => continue,
        };
        if booking::lapsed(
            &rules,
            booking.checked_in_at.is_some(),
            booking.starts_at.and_utc(),
            now,
        ) && bookings::end(conn, booking.id, BookingStatus::Released, None, now.naive_utc())?
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

/// [`release_unclaimed`] on these resources. Only a resource whose rules
/// ask for check-in can have a booking to release (see
/// [`booking::lapsed`]), so the others are not searched at all.
pub fn release_unclaimed_on(
    conn: &mut DbConn,
    notifier: &Notifier,
    on: &[Resource],
    now: DateTime<Utc>,
) -> Result<Vec<Booking>, ApiError> {
    let ids: Vec<i64> = on
        .iter()
        .filter(|r| r.rules().check_in_required)
        .map(|r| r.id)
        .collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    release_unclaimed(conn, notifier, Some(&ids), now)
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
