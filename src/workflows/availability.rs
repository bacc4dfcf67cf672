//! Where a booking of a given length fits on some resources: the core's
//! free windows, fed with each resource's rules, opening hours, blackouts
//! and the bookings that still hold time there.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;

use crate::db::DbConn;
use crate::domain::availability::{ResourceCalendar, free_windows};
use crate::domain::interval::Interval;
use crate::errors::ApiError;
use crate::store::bookings as booking_store;
use crate::store::resources::{self, Resource};

/// A free window on one resource; any start in it with the asked length fits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FreeWindow {
    pub resource_id: i64,
    pub window: Interval,
}

/// Free windows of `length` (default: each resource's shortest booking) on
/// `candidates` within `window`, earliest first.
pub fn free_slots(
    conn: &mut DbConn,
    tz: Tz,
    candidates: &[Resource],
    window: Interval,
    length: Option<Duration>,
    now: DateTime<Utc>,
) -> Result<Vec<FreeWindow>, ApiError> {
    let ids: Vec<i64> = candidates.iter().map(|r| r.id).collect();
    // A day either side: bookings and buffers reaching into the window.
    let busy = booking_store::active_within(
        conn,
        &ids,
        Interval::of(window.start - Duration::days(1), window.end + Duration::days(1)),
    )?;
    let blackouts = resources::blackouts_within(conn, &ids, window)?;
    let mut slots = Vec::new();
    for r in candidates {
        let rules = r.rules();
        let opening = r.opening();
        let occupied = booking_store::occupying(&busy, r.id, &rules, now);
        let closed: Vec<Interval> = blackouts
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
        let want = length.unwrap_or_else(|| Duration::minutes(i64::from(rules.min_minutes)));
        slots.extend(
            free_windows(tz, &cal, window, want, now)
                .into_iter()
                .map(|w| FreeWindow {
                    resource_id: r.id,
                    window: w,
                }),
        );
    }
    slots.sort_by_key(|s| (s.window.start, s.resource_id));
    Ok(slots)
}
