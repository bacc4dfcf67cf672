//! The waitlist: requests (or displaced bookings) waiting for room.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::instant::stored;
use crate::db::schema::waitlist;
use crate::domain::booking::Urgency;
use crate::domain::interval::Interval;
use crate::errors::ApiError;

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = waitlist)]
pub struct Entry {
    pub id: i64,
    pub site_id: i64,
    pub owner_id: i64,
    pub resource_id: Option<i64>,
    pub pool: Option<String>,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub latest_start: NaiveDateTime,
    pub urgency: String,
    pub reason: Option<String>,
    pub purpose: String,
    pub headcount: Option<i32>,
    pub group_id: Option<i64>,
    pub flexible: bool,
    pub status: String,
    pub requested_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
    pub ended_at: Option<NaiveDateTime>,
    pub served_booking_id: Option<i64>,
    pub displaced_booking_id: Option<i64>,
}

impl Entry {
    pub fn slot(&self) -> Interval {
        Interval::of(self.starts_at.and_utc(), self.ends_at.and_utc())
    }

    pub fn urgency(&self) -> Urgency {
        Urgency::from_code(&self.urgency)
    }
}

/// A request about to be queued.
pub struct NewEntry<'a> {
    pub site_id: i64,
    pub owner_id: i64,
    pub resource_id: Option<i64>,
    pub pool: Option<&'a str>,
    pub slot: Interval,
    pub latest_start: NaiveDateTime,
    pub urgency: Urgency,
    pub reason: Option<&'a str>,
    pub purpose: &'a str,
    pub headcount: Option<i32>,
    pub group_id: Option<i64>,
    pub flexible: bool,
    /// The original request time: a displaced booking keeps its place in line.
    pub requested_at: NaiveDateTime,
    pub displaced_booking_id: Option<i64>,
}

pub fn insert(conn: &mut DbConn, e: &NewEntry<'_>, now: NaiveDateTime) -> Result<Entry, ApiError> {
    let id: i64 = diesel::insert_into(waitlist::table)
        .values((
            waitlist::site_id.eq(e.site_id),
            waitlist::owner_id.eq(e.owner_id),
            waitlist::resource_id.eq(e.resource_id),
            waitlist::pool.eq(e.pool),
            waitlist::starts_at.eq(stored(e.slot.start)),
            waitlist::ends_at.eq(stored(e.slot.end)),
            waitlist::latest_start.eq(e.latest_start),
            waitlist::urgency.eq(e.urgency.code()),
            waitlist::reason.eq(e.reason),
            waitlist::purpose.eq(e.purpose),
            waitlist::headcount.eq(e.headcount),
            waitlist::group_id.eq(e.group_id),
            waitlist::flexible.eq(e.flexible),
            waitlist::requested_at.eq(e.requested_at),
            waitlist::created_at.eq(now),
            waitlist::displaced_booking_id.eq(e.displaced_booking_id),
        ))
        .returning(waitlist::id)
        .get_result(conn)?;
    by_id(conn, e.site_id, id)
}

pub fn by_id(conn: &mut DbConn, site_id: i64, id: i64) -> Result<Entry, ApiError> {
    waitlist::table
        .filter(waitlist::id.eq(id))
        .filter(waitlist::site_id.eq(site_id))
        .select(Entry::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found("waitlist entry"))
}

/// Every waiting entry of a site.
pub fn waiting(conn: &mut DbConn, site_id: i64) -> Result<Vec<Entry>, ApiError> {
    Ok(waitlist::table
        .filter(waitlist::site_id.eq(site_id))
        .filter(waitlist::status.eq("waiting"))
        .order(waitlist::id)
        .select(Entry::as_select())
        .load(conn)?)
}

/// How many entries `owner_id` has waiting at a site for time not yet over.
pub fn owner_waiting_count(
    conn: &mut DbConn,
    site_id: i64,
    owner_id: i64,
    now: NaiveDateTime,
) -> Result<u32, ApiError> {
    let n: i64 = waitlist::table
        .filter(waitlist::site_id.eq(site_id))
        .filter(waitlist::owner_id.eq(owner_id))
        .filter(waitlist::status.eq("waiting"))
        .filter(waitlist::ends_at.gt(now))
        .count()
        .get_result(conn)?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

/// Sites with waiting entries (for the periodic serving job).
pub fn sites_waiting(conn: &mut DbConn) -> Result<Vec<i64>, ApiError> {
    Ok(waitlist::table
        .filter(waitlist::status.eq("waiting"))
        .select(waitlist::site_id)
        .distinct()
        .load(conn)?)
}

/// Ends an entry: `served` (with its booking), `expired` or `cancelled`.
pub fn end(
    conn: &mut DbConn,
    id: i64,
    status: &str,
    booking_id: Option<i64>,
    now: NaiveDateTime,
) -> Result<bool, ApiError> {
    let n = diesel::update(
        waitlist::table
            .filter(waitlist::id.eq(id))
            .filter(waitlist::status.eq("waiting")),
    )
    .set((
        waitlist::status.eq(status),
        waitlist::served_booking_id.eq(booking_id),
        waitlist::ended_at.eq(Some(now)),
    ))
    .execute(conn)?;
    Ok(n > 0)
}

/// A site's entries for listing: all, or one owner's; newest first.
pub fn list(
    conn: &mut DbConn,
    site_id: i64,
    owner_id: Option<i64>,
    status: Option<&str>,
    after_id: i64,
    limit: i64,
) -> Result<Vec<Entry>, ApiError> {
    let mut q = waitlist::table
        .filter(waitlist::site_id.eq(site_id))
        .filter(waitlist::id.gt(after_id))
        .order(waitlist::id)
        .limit(limit)
        .select(Entry::as_select())
        .into_boxed();
    if let Some(o) = owner_id {
        q = q.filter(waitlist::owner_id.eq(o));
    }
    if let Some(s) = status {
        q = q.filter(waitlist::status.eq(s.to_owned()));
    }
    Ok(q.load(conn)?)
}
