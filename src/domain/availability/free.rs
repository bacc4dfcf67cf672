//! Free windows computed as they are asked for: one resource's windows as
//! a stream, earliest first, and the earliest of many streams merged.
//!
//! A year-long search over 200 rooms answers its 500 windows from the
//! first day or so; computing every room's every day first made the cost
//! follow the window's length instead of the answer's. A stream may also
//! know its bookings and blackouts only up to some instant (what has been
//! read so far): it then stops where its next window would depend on what
//! is not known, and says from when, so that a caller reads further only
//! when the answer needs it.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;

use super::ResourceCalendar;
use crate::domain::booking::{earliest_start, latest_end};
use crate::domain::interval::Interval;
use crate::domain::local_time::{ceil_to_slot, floor_to_slot};
use crate::domain::resource::OpenWithin;

/// One resource's free windows within a window where a booking of a given
/// length fits, earliest first (see [`super::free_windows`], which is all of
/// them). Each window is maximal; any aligned start in it is bookable.
pub struct FreeWindows<'a> {
    tz: Tz,
    slot: u32,
    duration: Duration,
    open: Open<'a>,
    /// Blackouts and bookings (less the buffer before them), sorted and
    /// merged where they meet: disjoint, so a binary search finds the
    /// first that can cut an open interval.
    cuts: Vec<Interval>,
    /// The open interval being cut, how far it is cut, and the next cut
    /// that may meet it.
    piece: Option<Interval>,
    cursor: DateTime<Utc>,
    next_cut: usize,
    /// Where the inputs end, when before the searched range does: free
    /// time reaching it may go on past it.
    known_until: Option<DateTime<Utc>>,
    stopped_at: Option<DateTime<Utc>>,
}

enum Open<'a> {
    Hours(OpenWithin<'a>),
    /// Always open: the whole range, once.
    Always(Option<Interval>),
}

impl Iterator for Open<'_> {
    type Item = Interval;

    fn next(&mut self) -> Option<Interval> {
        match self {
            Open::Hours(hours) => hours.next(),
            Open::Always(range) => range.take(),
        }
    }
}

impl<'a> FreeWindows<'a> {
    /// The free windows of `duration` on `cal` within `window`, respecting
    /// opening hours, blackouts, other bookings with their buffers, the slot
    /// grid, notice and how far ahead one may book. `known_until`: the
    /// calendar's blackouts and bookings are complete only before it (all
    /// that meet earlier time are there); `None`, complete.
    pub fn new(
        tz: Tz,
        cal: &ResourceCalendar<'a>,
        window: Interval,
        duration: Duration,
        now: DateTime<Utc>,
        known_until: Option<DateTime<Utc>>,
    ) -> FreeWindows<'a> {
        let rules = cal.rules;
        let mut stream = FreeWindows {
            tz,
            slot: rules.slot_minutes,
            duration,
            open: Open::Always(None),
            cuts: Vec::new(),
            piece: None,
            cursor: window.start,
            next_cut: 0,
            known_until: None,
            stopped_at: None,
        };
        if cal.retired || duration <= Duration::zero() {
            return stream;
        }
        let start = window.start.max(earliest_start(tz, rules, now));
        let mut end = window.end.min(latest_end(rules, now));
        if start >= end {
            return stream;
        }
        if let Some(known) = known_until.filter(|k| *k < end) {
            if known <= start {
                stream.stopped_at = Some(start);
                return stream;
            }
            end = known;
            stream.known_until = Some(known);
        }
        let range = Interval::of(start, end);
        stream.open = match cal.opening {
            Some(hours) => Open::Hours(hours.open_iter(tz, range)),
            None => Open::Always(Some(range)),
        };
        let buffer = Duration::minutes(i64::from(rules.buffer_minutes));
        // A new booking must end `buffer` before an existing one starts.
        let mut cuts: Vec<Interval> = Vec::with_capacity(cal.blackouts.len() + cal.busy.len());
        cuts.extend(
            cal.blackouts
                .iter()
                .copied()
                .chain(
                    cal.busy
                        .iter()
                        .map(|b| Interval::of(b.blocked.start - buffer, b.blocked.end)),
                )
                .filter(|c| !c.is_empty()),
        );
        // Stable: blackouts and bookings come each in order, and merging
        // two sorted runs is what the stable sort does fastest.
        cuts.sort();
        cuts.dedup_by(|next, kept| {
            let meets = next.start <= kept.end;
            if meets {
                kept.end = kept.end.max(next.end);
            }
            meets
        });
        stream.cuts = cuts;
        stream
    }

    /// After the stream has ended: `Some(t)` when it ended for want of
    /// inputs, and any further window starts at `t` or later; `None` when
    /// it has given every window.
    pub fn stopped_at(&self) -> Option<DateTime<Utc>> {
        self.stopped_at
    }

    /// The next stretch of open time that no cut meets.
    fn next_free(&mut self) -> Option<Interval> {
        loop {
            let piece = match self.piece {
                Some(p) => p,
                None => {
                    let p = self.open.next()?;
                    self.cursor = p.start;
                    self.next_cut = self.cuts.partition_point(|c| c.end <= p.start);
                    self.piece = Some(p);
                    p
                }
            };
            while let Some(cut) = self.cuts.get(self.next_cut).filter(|c| c.start < piece.end) {
                let before = (cut.start > self.cursor).then(|| Interval::of(self.cursor, cut.start));
                self.cursor = self.cursor.max(cut.end);
                self.next_cut += 1;
                if let Some(free) = before {
                    return Some(free);
                }
                if self.cursor >= piece.end {
                    break;
                }
            }
            self.piece = None;
            if self.cursor < piece.end {
                return Some(Interval::of(self.cursor, piece.end));
            }
        }
    }
}

impl Iterator for FreeWindows<'_> {
    type Item = Interval;

    fn next(&mut self) -> Option<Interval> {
        if self.stopped_at.is_some() {
            return None;
        }
        while let Some(free) = self.next_free() {
            if let Some(known) = self.known_until
                && free.end >= known
            {
                // It may go on past what is known: its start is certain,
                // its end and whether it is long enough are not.
                self.stopped_at = Some(free.start);
                return None;
            }
            let s = ceil_to_slot(self.tz, free.start, self.slot);
            let e = floor_to_slot(self.tz, free.end, self.slot);
            if e - s >= self.duration {
                return Some(Interval::of(s, e));
            }
        }
        self.stopped_at = self.known_until;
        None
    }
}

/// The answer depends on bookings or blackouts past what was known.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NeedsMore;

/// The earliest `limit` windows of all `streams`, each named by its
/// resource, ordered by start, then resource, then place in `streams`:
/// what sorting every stream's every window would give, computing only
/// what is answered. [`NeedsMore`] when a stream that stopped for want of
/// inputs could still have a window among them.
pub fn earliest<'a>(
    streams: impl IntoIterator<Item = (i64, FreeWindows<'a>)>,
    limit: usize,
) -> Result<Vec<(i64, Interval)>, NeedsMore> {
    /// A stream's next window, or where its unknown begins (`None`).
    type Head = Reverse<(DateTime<Utc>, i64, usize, Option<DateTime<Utc>>)>;
    let mut streams: Vec<(i64, FreeWindows<'a>)> = streams.into_iter().collect();
    let head = |k: usize, s: &mut FreeWindows<'a>, id: i64| -> Option<Head> {
        match s.next() {
            Some(w) => Some(Reverse((w.start, id, k, Some(w.end)))),
            None => s.stopped_at().map(|t| Reverse((t, id, k, None))),
        }
    };
    let mut heap: BinaryHeap<Head> = BinaryHeap::with_capacity(streams.len());
    if limit > 0 {
        heap.extend(
            streams
                .iter_mut()
                .enumerate()
                .filter_map(|(k, (id, s))| head(k, s, *id)),
        );
    }
    let mut out = Vec::new();
    while out.len() < limit
        && let Some(Reverse((start, id, k, end))) = heap.pop()
    {
        let Some(end) = end else {
            return Err(NeedsMore);
        };
        out.push((id, Interval::of(start, end)));
        if let Some(next) = head(k, &mut streams[k].1, id) {
            heap.push(next);
        }
    }
    Ok(out)
}

#[cfg(test)]
#[path = "free_tests.rs"]
mod tests;
