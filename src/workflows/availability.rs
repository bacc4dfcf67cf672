//! Where a booking of a given length fits on some resources: the core's
//! free windows, fed with each resource's rules, opening hours, blackouts
//! and the bookings that still hold time there.
//!
//! Read and computed apart: [`Search::read`] reads what it needs in one go,
//! so the connection goes back to the pool before [`Inputs::earliest`]
//! computes. A year over 200 rooms is answered from its first day or so,
//! so the first read covers only [`FIRST_READ`] of the window; when the
//! answer turns out to need more, the search says so ([`Step::ReadFurther`])
//! and the caller reads again, further, on a connection taken anew.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;

use crate::db::DbConn;
use crate::domain::availability::{Busy, FreeWindows, NeedsMore, ResourceCalendar, earliest};
use crate::domain::interval::Interval;
use crate::domain::resource::{OpeningHours, Rules};
use crate::errors::ApiError;
use crate::store::bookings::{self as booking_store, Booking};
use crate::store::resources::{self, Blackout, Resource};

/// How much of the window the first read covers.
pub const FIRST_READ: Duration = Duration::days(2);
/// Each further read covers this many times as much (then the rest).
const GROWTH: i32 = 8;

/// A free window on one resource; any start in it with the asked length fits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FreeWindow {
    pub resource_id: i64,
    pub window: Interval,
}

/// What is searched: free windows of `length` (default: each resource's
/// shortest booking) on `candidates` within `window`, and how much of the
/// window the next read covers.
pub struct Search {
    tz: Tz,
    candidates: Vec<Resource>,
    window: Interval,
    length: Option<Duration>,
    now: DateTime<Utc>,
    /// Bookings and blackouts are read up to here.
    read_until: DateTime<Utc>,
}

/// What [`Search::read`] read: everything the earliest windows before
/// `read_until` are computed from.
pub struct Inputs {
    search: Search,
    busy: Vec<Booking>,
    blackouts: Vec<Blackout>,
}

/// What a computation found.
pub enum Step {
    /// The earliest windows, earliest first.
    Found(Vec<FreeWindow>),
    /// The answer depends on what lies past what was read: read further.
    ReadFurther(Search),
}

impl Search {
    pub fn new(
        tz: Tz,
        candidates: Vec<Resource>,
        window: Interval,
        length: Option<Duration>,
        now: DateTime<Utc>,
    ) -> Search {
        let read_until = window.end.min(window.start + FIRST_READ);
        Search {
            tz,
            candidates,
            window,
            length,
            now,
            read_until,
        }
    }

    /// Reads the bookings and blackouts of the candidates that meet the
    /// window up to how far this read goes.
    pub fn read(self, conn: &mut DbConn) -> Result<Inputs, ApiError> {
        let ids: Vec<i64> = self.candidates.iter().map(|r| r.id).collect();
        // A day either side: bookings and buffers reaching into the window
        // (a buffer is at most a few hours).
        let busy = booking_store::active_within(
            conn,
            &ids,
            Interval::of(
                self.window.start - Duration::days(1),
                self.read_until + Duration::days(1),
            ),
        )?;
        let blackouts =
            resources::blackouts_within(conn, &ids, Interval::of(self.window.start, self.read_until))?;
        Ok(Inputs {
            search: self,
            busy,
            blackouts,
        })
    }

    /// The same search, reading further.
    fn further(self) -> Search {
        let read_until = self
            .window
            .end
            .min(self.window.start + (self.read_until - self.window.start) * GROWTH);
        Search { read_until, ..self }
    }
}

impl Inputs {
    /// Bookings read (the benchmark shows how little a year needs).
    pub fn bookings_read(&self) -> usize {
        self.busy.len()
    }

    /// The earliest `limit` free windows, earliest first (by start, then
    /// resource), or what to read to know them. Computes each resource's
    /// windows only as far as the answer needs them.
    pub fn earliest(self, limit: usize) -> Step {
        let Inputs {
            search,
            busy,
            blackouts,
        } = self;
        let rules: HashMap<i64, Rules> = search.candidates.iter().map(|r| (r.id, r.rules())).collect();
        let openings: Vec<Option<OpeningHours>> = search.candidates.iter().map(Resource::opening).collect();
        // Each resource's share, found once rather than by scanning every
        // list for every resource.
        let mut occupied: HashMap<i64, Vec<Busy>> = HashMap::new();
        for b in &busy {
            if let Some(r) = rules.get(&b.resource_id)
                && b.occupies(r, search.now)
            {
                occupied.entry(b.resource_id).or_default().push(b.busy());
            }
        }
        drop(busy);
        let mut closed: HashMap<i64, Vec<Interval>> = HashMap::new();
        for b in &blackouts {
            closed.entry(b.resource_id).or_default().push(b.interval());
        }
        let known = (search.read_until < search.window.end).then_some(search.read_until);
        let streams = search.candidates.iter().zip(&openings).map(|(r, opening)| {
            let rules = &rules[&r.id];
            let cal = ResourceCalendar {
                resource_id: r.id,
                rules,
                opening: opening.as_ref(),
                blackouts: closed.get(&r.id).map_or(&[], Vec::as_slice),
                busy: occupied.get(&r.id).map_or(&[], Vec::as_slice),
                retired: r.is_retired(),
            };
            let want = search
                .length
                .unwrap_or_else(|| Duration::minutes(i64::from(rules.min_minutes)));
            (
                r.id,
                FreeWindows::new(search.tz, &cal, search.window, want, search.now, known),
            )
        });
        match earliest(streams, limit) {
            Ok(found) => Step::Found(
                found
                    .into_iter()
                    .map(|(resource_id, window)| FreeWindow { resource_id, window })
                    .collect(),
            ),
            Err(NeedsMore) => Step::ReadFurther(search.further()),
        }
    }
}

/// Free windows of `length` (default: each resource's shortest booking) on
/// `candidates` within `window`, earliest first, on one connection: for
/// short windows inside another use case.
pub fn free_slots(
    conn: &mut DbConn,
    tz: Tz,
    candidates: &[Resource],
    window: Interval,
    length: Option<Duration>,
    now: DateTime<Utc>,
) -> Result<Vec<FreeWindow>, ApiError> {
    let mut search = Search::new(tz, candidates.to_vec(), window, length, now);
    loop {
        match search.read(conn)?.earliest(usize::MAX) {
            Step::Found(windows) => return Ok(windows),
            Step::ReadFurther(further) => search = further,
        }
    }
}
