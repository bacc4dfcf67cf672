//! Where a booking of a given length fits on some resources: the core's
//! free windows, fed with each resource's rules, opening hours, blackouts
//! and the bookings that still hold time there.
//!
//! Read and computed apart: [`load`] reads all it needs in one go, so the
//! connection goes back to the pool before [`Inputs::free_windows`]
//! computes, which over a year of many rooms takes long enough to starve
//! the pool if it held a connection.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;

use crate::db::DbConn;
use crate::domain::availability::{ResourceCalendar, free_windows};
use crate::domain::interval::Interval;
use crate::errors::ApiError;
use crate::store::bookings::{self as booking_store, Booking};
use crate::store::resources::{self, Blackout, Resource};

/// A free window on one resource; any start in it with the asked length fits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FreeWindow {
    pub resource_id: i64,
    pub window: Interval,
}

/// Everything the free windows are computed from, read in one go.
pub struct Inputs {
    tz: Tz,
    candidates: Vec<Resource>,
    window: Interval,
    length: Option<Duration>,
    now: DateTime<Utc>,
    busy: Vec<Booking>,
    blackouts: Vec<Blackout>,
}

/// Reads what decides the free windows of `length` (default: each
/// resource's shortest booking) on `candidates` within `window`.
pub fn load(
    conn: &mut DbConn,
    tz: Tz,
    candidates: Vec<Resource>,
    window: Interval,
    length: Option<Duration>,
    now: DateTime<Utc>,
) -> Result<Inputs, ApiError> {
    let ids: Vec<i64> = candidates.iter().map(|r| r.id).collect();
    // A day either side: bookings and buffers reaching into the window.
    let busy = booking_store::active_within(
        conn,
        &ids,
        Interval::of(window.start - Duration::days(1), window.end + Duration::days(1)),
    )?;
    let blackouts = resources::blackouts_within(conn, &ids, window)?;
    Ok(Inputs {
        tz,
        candidates,
        window,
        length,
        now,
        busy,
        blackouts,
    })
}

impl Inputs {
    /// The earliest `limit` free windows, earliest first. Never holds much
    /// more than `limit` windows at once, whatever the number of resources
    /// or the length of the window.
    pub fn free_windows(&self, limit: usize) -> Vec<FreeWindow> {
        let mut slots: Vec<FreeWindow> = Vec::new();
        let order = |s: &FreeWindow| (s.window.start, s.resource_id);
        for r in &self.candidates {
            let rules = r.rules();
            let opening = r.opening();
            let occupied = booking_store::occupying(&self.busy, r.id, &rules, self.now);
            let closed: Vec<Interval> = self
                .blackouts
                .iter()
                .filter(|b| b.resource_id == r.id)
                .map(|b| b.interval())
                .collect();
            let cal = ResourceCalendar {
                resource_id: r.id,
                rules: &rules,
                opening: opening.as_ref(),
                blackouts: &closed,
                busy: &occupied,
                retired: r.is_retired(),
            };
            let want = self
                .length
                .unwrap_or_else(|| Duration::minutes(i64::from(rules.min_minutes)));
            slots.extend(
                free_windows(self.tz, &cal, self.window, want, self.now)
                    .into_iter()
                    .take(limit)
                    .map(|w| FreeWindow {
                        resource_id: r.id,
                        window: w,
                    }),
            );
            // The earliest `limit` of all are among the earliest `limit`
            // of what is kept so far and what comes next.
            if slots.len() > limit.saturating_mul(2) {
                slots.sort_by_key(order);
                slots.truncate(limit);
            }
        }
        slots.sort_by_key(order);
        slots.truncate(limit);
        slots
    }
}

/// Free windows of `length` (default: each resource's shortest booking) on
/// `candidates` within `window`, earliest first: [`load`] and compute on
/// one connection, for short windows inside another use case.
pub fn free_slots(
    conn: &mut DbConn,
    tz: Tz,
    candidates: &[Resource],
    window: Interval,
    length: Option<Duration>,
    now: DateTime<Utc>,
) -> Result<Vec<FreeWindow>, ApiError> {
    Ok(load(conn, tz, candidates.to_vec(), window, length, now)?.free_windows(usize::MAX))
}
