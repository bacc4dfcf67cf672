//! A group leader's room requests, for the pages: what a (weekly) request
//! would come to before she books it, decided by the booking workflow
//! itself, and her room bookings with their outcome.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;

use crate::db::DbConn;
use crate::domain::booking::{BookingRequest, BookingStatus, OnConflict};
use crate::domain::interval::Interval;
use crate::domain::local_time::{local_date, local_day};
use crate::domain::recurrence;
use crate::errors::ApiError;
use crate::notify::Notifier;
use crate::store::access::SiteAccess;
use crate::store::bookings::{self as booking_store, Booking, BookingFilter};
use crate::workflows::bookings::{Outcome, create};
use crate::workflows::room_week::{labels, rooms};

/// How far ahead her room bookings are listed: rooms are booked for a term.
pub const AHEAD_DAYS: i64 = 366;

/// A booking in the way of one date, and whose it is when she may know.
#[derive(Clone, Debug)]
pub struct Clash {
    pub slot: Interval,
    pub by: Option<String>,
}

/// One date of the request: free, or what is in its way.
#[derive(Clone, Debug)]
pub struct Occurrence {
    pub slot: Interval,
    pub clashes: Vec<Clash>,
}

/// What booking the request would do, before anything is kept.
pub struct Preview {
    pub dates: Vec<Occurrence>,
    /// The room needs approval: what is booked waits as pending.
    pub pending: bool,
}

impl Preview {
    pub fn free(&self) -> usize {
        self.dates.iter().filter(|d| d.clashes.is_empty()).count()
    }
}

/// A booking in the way, as a refusal lists it.
#[derive(Deserialize)]
struct Listed {
    booking_id: i64,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    date: chrono::NaiveDate,
}

/// What `req` would book, date by date, as the API's series booking with
/// `on_conflict: skip` decides it. Run it in `Db::rehearse`: it makes the
/// bookings it previews, and only the rollback undoes them.
pub fn preview(
    conn: &mut DbConn,
    access: &SiteAccess,
    req: &BookingRequest,
    notifier: &Notifier,
    now: DateTime<Utc>,
) -> Result<Preview, ApiError> {
    let mut req = req.clone();
    if req.recurrence.is_some() {
        req.on_conflict = OnConflict::Skip;
    }
    let tz = access.site.tz();
    match create(conn, access, &req, notifier, now) {
        Ok(Outcome::Created(created)) => {
            let pending = created
                .bookings
                .iter()
                .any(|b| b.status() == BookingStatus::Pending);
            let mut dates: Vec<Occurrence> = created
                .bookings
                .iter()
                .map(|b| Occurrence {
                    slot: b.slot(),
                    clashes: Vec::new(),
                })
                .collect();
            let mut listed = Vec::new();
            for s in &created.skipped {
                let clashes = s
                    .conflicts
                    .iter()
                    .map(|c| Listed {
                        booking_id: c.booking_id,
                        starts_at: c.starts_at,
                        ends_at: c.ends_at,
                        date: c.date,
                    })
                    .collect();
                listed.push((Interval::of(s.starts_at, s.ends_at), clashes));
            }
            dates.extend(named(conn, access, listed)?);
            dates.sort_by_key(|d| d.slot.start);
            Ok(Preview { dates, pending })
        }
        Ok(Outcome::Waitlisted { .. }) => Ok(Preview {
            dates: Vec::new(),
            pending: false,
        }),
        Err(e) => {
            // Every date is taken (or the one asked for): the refusal
            // lists what is in the way, by the date it falls on.
            let Some(conflicts) = e.extension("conflicts") else {
                return Err(e);
            };
            let conflicts: Vec<Listed> = serde_json::from_value(conflicts.clone()).unwrap_or_default();
            let occurrences = match req.recurrence {
                Some(rule) => recurrence::expand(tz, req.slot, rule)?,
                None => vec![req.slot],
            };
            let mut by_date: HashMap<chrono::NaiveDate, Vec<Listed>> = HashMap::new();
            for c in conflicts {
                by_date.entry(c.date).or_default().push(c);
            }
            let listed = occurrences
                .into_iter()
                .map(|o| (o, by_date.remove(&local_date(tz, o.start)).unwrap_or_default()))
                .collect();
            Ok(Preview {
                dates: named(conn, access, listed)?,
                pending: false,
            })
        }
    }
}

/// The dates with what is in their way, named as the grid names it.
fn named(
    conn: &mut DbConn,
    access: &SiteAccess,
    listed: Vec<(Interval, Vec<Listed>)>,
) -> Result<Vec<Occurrence>, ApiError> {
    let mut held = Vec::new();
    for (_, clashes) in &listed {
        for c in clashes {
            held.push(booking_store::by_id(conn, access.site.id, c.booking_id)?);
        }
    }
    let names = labels(conn, access, &held)?;
    Ok(listed
        .into_iter()
        .map(|(slot, clashes)| Occurrence {
            slot,
            clashes: clashes
                .into_iter()
                .map(|c| Clash {
                    slot: Interval::of(c.starts_at, c.ends_at),
                    by: names.get(&c.booking_id).cloned(),
                })
                .collect(),
        })
        .collect())
}

/// One of her room bookings.
pub struct MyRoomBooking {
    pub booking: Booking,
    pub room: String,
    pub group: Option<String>,
}

/// Her room bookings from today on: waiting for approval, confirmed, or
/// rejected (so she learns the outcome), earliest first.
pub fn mine(
    conn: &mut DbConn,
    access: &SiteAccess,
    now: DateTime<Utc>,
) -> Result<Vec<MyRoomBooking>, ApiError> {
    let tz = access.site.tz();
    let room_names: HashMap<i64, String> = rooms(conn, access)?.into_iter().map(|r| (r.id, r.name)).collect();
    let from = local_day(tz, now).start;
    let filter = BookingFilter {
        window: Interval::of(from, from + Duration::days(AHEAD_DAYS)),
        resource_id: None,
        owner_id: Some(access.user_id),
        status: None,
        group_id: None,
        after: None,
        limit: 1000,
    };
    let rows: Vec<Booking> = booking_store::list(conn, access.site.id, &filter)?
        .into_iter()
        .map(|(b, _, _)| b)
        .filter(|b| room_names.contains_key(&b.resource_id))
        .filter(|b| {
            matches!(
                b.status(),
                BookingStatus::Pending | BookingStatus::Confirmed | BookingStatus::Rejected
            )
        })
        .collect();
    let names = labels(conn, access, &rows)?;
    Ok(rows
        .into_iter()
        .map(|b| MyRoomBooking {
            room: room_names.get(&b.resource_id).cloned().unwrap_or_default(),
            group: b.group_id.and_then(|_| names.get(&b.id).cloned()),
            booking: b,
        })
        .collect())
}
