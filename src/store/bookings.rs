//! Bookings and booking series.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;

use crate::db::instant::stored;
use crate::db::schema::{booking_series, bookings, resources, users};
use crate::db::{DbConn, concrete};
use crate::domain::availability::Busy;
use crate::domain::booking::{ACTIVE_STATUSES, BookingStatus, Urgency, lapsed};
use crate::domain::interval::Interval;
use crate::domain::resource::Rules;
use crate::errors::ApiError;

/// How far before a window an overlapping booking can start: the longest
/// booking plus the longest buffer, rounded up (the schema enforces it).
pub fn lookback() -> Duration {
    Duration::days(2)
}

/// How far before a window a booking of this resource that meets it can
/// start: the longest its resource has ever been held by one booking,
/// which triggers raise on every write (migration 9). A resource booked in
/// short slots is read back minutes instead of two days. Read here, at the
/// scan, rather than from the `Resource` the caller loaded: on PostgreSQL
/// that row was read before the request's locks, and a longer booking may
/// have been committed since.
fn resource_lookback(conn: &mut DbConn, resource_id: i64) -> Result<Duration, ApiError> {
    let held: Option<i64> = concrete!(conn, |c| resources::table
        .find(resource_id)
        .select(resources::longest_hold_seconds)
        .first(c)
        .optional())?;
    Ok(bounded(held))
}

/// [`resource_lookback`] for one person's bookings of any resource: the
/// longest booking (start to end) they have ever held.
fn owner_lookback(conn: &mut DbConn, owner_id: i64) -> Result<Duration, ApiError> {
    let held: Option<i64> = concrete!(conn, |c| users::table
        .find(owner_id)
        .select(users::longest_booking_seconds)
        .first(c)
        .optional())?;
    Ok(bounded(held))
}

/// A stored longest hold as a look-back, never beyond what the schema
/// allows any booking; unknown (no such row) reads the whole bound.
fn bounded(held_seconds: Option<i64>) -> Duration {
    held_seconds
        .map(|s| Duration::seconds(s.max(0)).min(lookback()))
        .unwrap_or_else(lookback)
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = bookings)]
pub struct Booking {
    pub id: i64,
    pub site_id: i64,
    pub resource_id: i64,
    pub owner_id: i64,
    pub group_id: Option<i64>,
    pub series_id: Option<i64>,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub busy_until: NaiveDateTime,
    pub status: String,
    pub urgency: String,
    pub reason: Option<String>,
    pub purpose: String,
    pub headcount: Option<i32>,
    pub flexible: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub checked_in_at: Option<NaiveDateTime>,
    pub ended_at: Option<NaiveDateTime>,
    pub ended_by: Option<i64>,
    /// Why it ended early: `displaced`, `retired`...
    pub end_reason: Option<String>,
    /// The volunteer duty this booking holds the room for.
    pub duty_id: Option<i64>,
    /// The published rota shift this desk booking is for.
    pub rota_shift_id: Option<i64>,
}

impl Booking {
    pub fn slot(&self) -> Interval {
        Interval::of(self.starts_at.and_utc(), self.ends_at.and_utc())
    }

    pub fn busy(&self) -> Busy {
        Busy {
            booking_id: self.id,
            slot: self.slot(),
            blocked: Interval::of(self.starts_at.and_utc(), self.busy_until.and_utc()),
        }
    }

    /// Whether this booking still keeps its time from others at `now`: a
    /// confirmed booking left unclaimed past its release time does not (the
    /// release job ends it shortly; until then it must block nobody).
    pub fn occupies(&self, rules: &Rules, now: DateTime<Utc>) -> bool {
        !(self.status == BookingStatus::Confirmed.code()
            && lapsed(rules, self.checked_in_at.is_some(), self.starts_at.and_utc(), now))
    }

    pub fn status(&self) -> BookingStatus {
        BookingStatus::from_code(&self.status)
    }

    pub fn urgency(&self) -> Urgency {
        Urgency::from_code(&self.urgency)
    }
}

/// A booking about to be written.
#[derive(Clone, Debug)]
pub struct NewBooking {
    pub site_id: i64,
    pub resource_id: i64,
    pub owner_id: i64,
    pub group_id: Option<i64>,
    pub series_id: Option<i64>,
    pub slot: Interval,
    pub busy_until: NaiveDateTime,
    pub status: BookingStatus,
    pub urgency: Urgency,
    pub reason: Option<String>,
    pub purpose: String,
    pub headcount: Option<i32>,
    pub flexible: bool,
}

pub fn insert(conn: &mut DbConn, new: &NewBooking, now: NaiveDateTime) -> Result<Booking, ApiError> {
    Ok(concrete!(conn, |c| diesel::insert_into(bookings::table)
        .values((
            bookings::site_id.eq(new.site_id),
            bookings::resource_id.eq(new.resource_id),
            bookings::owner_id.eq(new.owner_id),
            bookings::group_id.eq(new.group_id),
            bookings::series_id.eq(new.series_id),
            bookings::starts_at.eq(stored(new.slot.start)),
            bookings::ends_at.eq(stored(new.slot.end)),
            bookings::busy_until.eq(new.busy_until),
            bookings::status.eq(new.status.code()),
            bookings::urgency.eq(new.urgency.code()),
            bookings::reason.eq(&new.reason),
            bookings::purpose.eq(&new.purpose),
            bookings::headcount.eq(new.headcount),
            bookings::flexible.eq(new.flexible),
            bookings::created_at.eq(now),
            bookings::updated_at.eq(now),
        ))
        .returning(Booking::as_returning())
        .get_result(c))?)
}

/// A booking of `site_id`; another site's booking is "not found".
pub fn by_id(conn: &mut DbConn, site_id: i64, id: i64) -> Result<Booking, ApiError> {
    bookings::table
        .filter(bookings::id.eq(id))
        .filter(bookings::site_id.eq(site_id))
        .select(Booking::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found("booking"))
}

/// The time `bookings` still hold on one resource (see [`Booking::occupies`]).
pub fn occupying(bookings: &[Booking], resource_id: i64, rules: &Rules, now: DateTime<Utc>) -> Vec<Busy> {
    bookings
        .iter()
        .filter(|b| b.resource_id == resource_id && b.occupies(rules, now))
        .map(Booking::busy)
        .collect()
}

/// `status IN ('pending', 'confirmed')`, spelled so that diesel keeps the
/// prepared statement: it never caches a statement with `eq_any` on
/// SQLite, and parsing and planning again each time cost more than running.
fn is_active() -> diesel::dsl::Or<
    diesel::dsl::Eq<bookings::status, &'static str>,
    diesel::dsl::Eq<bookings::status, &'static str>,
> {
    bookings::status
        .eq(ACTIVE_STATUSES[0])
        .or(bookings::status.eq(ACTIVE_STATUSES[1]))
}

/// A computer or a desk: a seat one person occupies (see [`is_active`]).
fn is_seat() -> diesel::dsl::Or<
    diesel::dsl::Eq<resources::kind, &'static str>,
    diesel::dsl::Eq<resources::kind, &'static str>,
> {
    resources::kind.eq("computer").or(resources::kind.eq("desk"))
}

type StartsIn = diesel::dsl::And<
    diesel::dsl::Gt<bookings::starts_at, NaiveDateTime>,
    diesel::dsl::Lt<bookings::starts_at, NaiveDateTime>,
>;
type HoldingWithin = diesel::dsl::And<StartsIn, diesel::dsl::Gt<bookings::busy_until, NaiveDateTime>>;

/// Occupant its resource at some time in `window` (buffer included),
/// searched from `from`: the window's start less the look-back, which
/// keeps the scan an index range however long the history.
fn meets_window(from: DateTime<Utc>, window: Interval) -> HoldingWithin {
    bookings::starts_at
        .gt(stored(from))
        .and(bookings::starts_at.lt(stored(window.end)))
        .and(bookings::busy_until.gt(stored(window.start)))
}

/// Active bookings on these resources that meet `window`, by resource and
/// start. The lower bound on `starts_at` keeps each an index range scan
/// however long the history. SQLite: one cached statement per resource
/// ([`super::per_id`]). PostgreSQL binds the list as one array, so one
/// cached statement serves them all: two round trips instead of two per
/// resource (availability on a pool of three was eleven statements).
pub fn active_within(
    conn: &mut DbConn,
    resource_ids: &[i64],
    window: Interval,
) -> Result<Vec<Booking>, ApiError> {
    if let DbConn::Pg(c) = conn {
        // The longest hold of any of them: a superset of each one's rows,
        // which the conditions on the window then sort out.
        let held: Option<i64> = resources::table
            .filter(resources::id.eq_any(resource_ids))
            .select(diesel::dsl::max(resources::longest_hold_seconds))
            .first(c)?;
        let from = window.start - bounded(held);
        return Ok(bookings::table
            .filter(bookings::resource_id.eq_any(resource_ids))
            .filter(is_active())
            .filter(meets_window(from, window))
            .order((bookings::resource_id, bookings::starts_at))
            .select(Booking::as_select())
            .load(c)?);
    }
    super::per_id(resource_ids, |id| {
        let from = window.start - resource_lookback(conn, id)?;
        Ok(concrete!(&mut *conn, |c| bookings::table
            .filter(bookings::resource_id.eq(id))
            .filter(is_active())
            .filter(meets_window(from, window))
            .order(bookings::starts_at)
            .select(Booking::as_select())
            .load(c))?)
    })
}

/// The owner's active bookings of computers and desks on any site that
/// meet `window`: one person cannot sit at two of them at once.
pub fn personal_active_within(
    conn: &mut DbConn,
    owner_id: i64,
    window: Interval,
) -> Result<Vec<Booking>, ApiError> {
    let from = window.start - owner_lookback(conn, owner_id)?;
    Ok(concrete!(conn, |c| bookings::table
        .inner_join(resources::table)
        .filter(bookings::owner_id.eq(owner_id))
        .filter(is_seat())
        .filter(is_active())
        .filter(bookings::starts_at.gt(stored(from)))
        .filter(bookings::starts_at.lt(stored(window.end)))
        .filter(bookings::ends_at.gt(stored(window.start)))
        .order(bookings::starts_at)
        .select(Booking::as_select())
        .load(c))?)
}

/// How many active bookings `owner_id` holds at a site that have not ended
/// by `now`. The lower bound on `starts_at` keeps it an index range scan of
/// the person's future, however long their history.
pub fn owner_future_count(
    conn: &mut DbConn,
    site_id: i64,
    owner_id: i64,
    now: DateTime<Utc>,
) -> Result<u32, ApiError> {
    let n: i64 = concrete!(conn, |c| bookings::table
        .filter(bookings::owner_id.eq(owner_id))
        .filter(bookings::site_id.eq(site_id))
        .filter(is_active())
        .filter(bookings::starts_at.gt(stored(now - lookback())))
        .filter(bookings::ends_at.gt(stored(now)))
        .count()
        .get_result(c))?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

/// The owner's active bookings on these resources starting in `window`.
pub fn owner_starts_within(
    conn: &mut DbConn,
    owner_id: i64,
    resource_ids: &[i64],
    window: Interval,
) -> Result<Vec<NaiveDateTime>, ApiError> {
    Ok(bookings::table
        .filter(bookings::owner_id.eq(owner_id))
        .filter(bookings::resource_id.eq_any(resource_ids))
        .filter(bookings::status.eq_any(ACTIVE_STATUSES))
        .filter(bookings::starts_at.ge(stored(window.start)))
        .filter(bookings::starts_at.lt(stored(window.end)))
        .select(bookings::starts_at)
        .load(conn)?)
}

/// Ends a booking (cancel, reject, release) if it is still active; returns
/// whether it was.
pub fn end(
    conn: &mut DbConn,
    id: i64,
    status: BookingStatus,
    by: Option<i64>,
    now: NaiveDateTime,
) -> Result<bool, ApiError> {
    let n = diesel::update(
        bookings::table
            .filter(bookings::id.eq(id))
            .filter(bookings::status.eq_any(ACTIVE_STATUSES)),
    )
    .set((
        bookings::status.eq(status.code()),
        bookings::ended_at.eq(Some(now)),
        bookings::ended_by.eq(by),
        bookings::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(n > 0)
}

/// Ends a booking that gave way to a more urgent one.
pub fn end_displaced(conn: &mut DbConn, id: i64, by: i64, now: NaiveDateTime) -> Result<bool, ApiError> {
    let n = diesel::update(
        bookings::table
            .filter(bookings::id.eq(id))
            .filter(bookings::status.eq_any(ACTIVE_STATUSES)),
    )
    .set((
        bookings::status.eq(BookingStatus::Cancelled.code()),
        bookings::end_reason.eq(Some("displaced")),
        bookings::ended_at.eq(Some(now)),
        bookings::ended_by.eq(Some(by)),
        bookings::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(n > 0)
}

/// The owner's urgent bookings starting in `window` on any resource of the
/// site (the weekly urgent quota).
pub fn urgent_claims(
    conn: &mut DbConn,
    site_id: i64,
    owner_id: i64,
    window: Interval,
) -> Result<i64, ApiError> {
    Ok(bookings::table
        .filter(bookings::site_id.eq(site_id))
        .filter(bookings::owner_id.eq(owner_id))
        .filter(bookings::urgency.eq(Urgency::Urgent.code()))
        .filter(bookings::status.ne(BookingStatus::Rejected.code()))
        .filter(bookings::starts_at.ge(stored(window.start)))
        .filter(bookings::starts_at.lt(stored(window.end)))
        .count()
        .get_result(conn)?)
}

pub fn approve(conn: &mut DbConn, id: i64, now: NaiveDateTime) -> Result<bool, ApiError> {
    let n = diesel::update(
        bookings::table
            .filter(bookings::id.eq(id))
            .filter(bookings::status.eq(BookingStatus::Pending.code())),
    )
    .set((
        bookings::status.eq(BookingStatus::Confirmed.code()),
        bookings::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(n > 0)
}

pub fn check_in(conn: &mut DbConn, id: i64, now: NaiveDateTime) -> Result<(), ApiError> {
    diesel::update(bookings::table.find(id).filter(bookings::checked_in_at.is_null()))
        .set((
            bookings::checked_in_at.eq(Some(now)),
            bookings::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Confirmed bookings that started at least a minute ago and up to two
/// days back, were never checked in, on resources of these ids (or all),
/// at this site (or any).
pub fn unclaimed_started(
    conn: &mut DbConn,
    resource_ids: Option<&[i64]>,
    site_id: Option<i64>,
    now: NaiveDateTime,
) -> Result<Vec<(Booking, String)>, ApiError> {
    let unclaimed = || {
        bookings::table
            .inner_join(resources::table)
            .filter(bookings::status.eq(BookingStatus::Confirmed.code()))
            .filter(bookings::checked_in_at.is_null())
            .filter(bookings::starts_at.le(now - Duration::minutes(1)))
            .filter(bookings::starts_at.gt(now - lookback()))
            .filter(is_seat())
            .select((Booking::as_select(), resources::rules))
    };
    let Some(ids) = resource_ids else {
        return Ok(match site_id {
            Some(site) => unclaimed().filter(bookings::site_id.eq(site)).load(conn)?,
            None => unclaimed().load(conn)?,
        });
    };
    super::per_id(ids, |id| {
        Ok(unclaimed().filter(bookings::resource_id.eq(id)).load(conn)?)
    })
}

/// Filters for listing a site's bookings.
pub struct BookingFilter {
    pub window: Interval,
    pub resource_id: Option<i64>,
    pub owner_id: Option<i64>,
    pub status: Option<BookingStatus>,
    pub group_id: Option<i64>,
    /// Keyset cursor: after (starts_at, id).
    pub after: Option<(NaiveDateTime, i64)>,
    pub limit: i64,
}

/// A site's bookings that meet the window, in (start, id) order, with the
/// owner's and the resource's names.
pub fn list(
    conn: &mut DbConn,
    site_id: i64,
    f: &BookingFilter,
) -> Result<Vec<(Booking, String, String)>, ApiError> {
    let mut query = bookings::table
        .inner_join(users::table.on(users::id.eq(bookings::owner_id)))
        .inner_join(resources::table)
        .filter(bookings::site_id.eq(site_id))
        .filter(bookings::starts_at.lt(stored(f.window.end)))
        .filter(bookings::starts_at.gt(stored(f.window.start - lookback())))
        .filter(bookings::ends_at.gt(stored(f.window.start)))
        .order((bookings::starts_at, bookings::id))
        .limit(f.limit)
        .select((Booking::as_select(), users::name, resources::name))
        .into_boxed();
    if let Some(r) = f.resource_id {
        query = query.filter(bookings::resource_id.eq(r));
    }
    if let Some(o) = f.owner_id {
        query = query.filter(bookings::owner_id.eq(o));
    }
    if let Some(s) = f.status {
        query = query.filter(bookings::status.eq(s.code()));
    }
    if let Some(g) = f.group_id {
        query = query.filter(bookings::group_id.eq(g));
    }
    if let Some((t, id)) = f.after {
        query = query.filter(
            bookings::starts_at
                .gt(t)
                .or(bookings::starts_at.eq(t).and(bookings::id.gt(id))),
        );
    }
    Ok(query.load(conn)?)
}

/// The owners' names of these bookings, by booking id.
pub fn list_owner_names(conn: &mut DbConn, booking_ids: &[i64]) -> Result<Vec<(i64, String)>, ApiError> {
    Ok(bookings::table
        .inner_join(users::table.on(users::id.eq(bookings::owner_id)))
        .filter(bookings::id.eq_any(booking_ids))
        .select((bookings::id, users::name))
        .load(conn)?)
}

/// Display names of users by id.
pub fn user_names(conn: &mut DbConn, ids: &[i64]) -> Result<Vec<(i64, String)>, ApiError> {
    Ok(users::table
        .filter(users::id.eq_any(ids))
        .select((users::id, users::name))
        .load(conn)?)
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = booking_series)]
pub struct Series {
    pub id: i64,
    pub site_id: i64,
    pub resource_id: i64,
    pub owner_id: i64,
    pub group_id: Option<i64>,
    pub pattern: String,
    pub created_at: NaiveDateTime,
}

pub fn insert_series(
    conn: &mut DbConn,
    site_id: i64,
    resource_id: i64,
    owner_id: i64,
    group_id: Option<i64>,
    pattern: &str,
    now: NaiveDateTime,
) -> Result<i64, ApiError> {
    Ok(diesel::insert_into(booking_series::table)
        .values((
            booking_series::site_id.eq(site_id),
            booking_series::resource_id.eq(resource_id),
            booking_series::owner_id.eq(owner_id),
            booking_series::group_id.eq(group_id),
            booking_series::pattern.eq(pattern),
            booking_series::created_at.eq(now),
        ))
        .returning(booking_series::id)
        .get_result(conn)?)
}

pub fn series_by_id(conn: &mut DbConn, site_id: i64, id: i64) -> Result<Series, ApiError> {
    booking_series::table
        .filter(booking_series::id.eq(id))
        .filter(booking_series::site_id.eq(site_id))
        .select(Series::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found("booking series"))
}

pub fn series_occurrences(conn: &mut DbConn, series_id: i64) -> Result<Vec<Booking>, ApiError> {
    Ok(bookings::table
        .filter(bookings::series_id.eq(series_id))
        .order(bookings::starts_at)
        .select(Booking::as_select())
        .load(conn)?)
}

/// Changes what active occurrences starting at or after `from` say; ended
/// occurrences are left as they are, so an edit never revives them.
pub fn edit_series(
    conn: &mut DbConn,
    series_id: i64,
    from: NaiveDateTime,
    purpose: Option<&str>,
    headcount: Option<i32>,
    now: NaiveDateTime,
) -> Result<usize, ApiError> {
    let target = || {
        bookings::table
            .filter(bookings::series_id.eq(series_id))
            .filter(bookings::status.eq_any(ACTIVE_STATUSES))
            .filter(bookings::starts_at.ge(from))
    };
    let mut changed = 0;
    if let Some(p) = purpose {
        changed = diesel::update(target())
            .set((bookings::purpose.eq(p), bookings::updated_at.eq(now)))
            .execute(conn)?;
    }
    if let Some(h) = headcount {
        changed = diesel::update(target())
            .set((bookings::headcount.eq(Some(h)), bookings::updated_at.eq(now)))
            .execute(conn)?;
    }
    Ok(changed)
}

/// Marks a booking as the room hold of a volunteer duty.
pub fn set_duty(conn: &mut DbConn, id: i64, duty_id: i64) -> Result<(), ApiError> {
    diesel::update(bookings::table.find(id))
        .set(bookings::duty_id.eq(Some(duty_id)))
        .execute(conn)?;
    Ok(())
}

/// The active room holds of a duty.
pub fn duty_room_bookings(conn: &mut DbConn, duty_id: i64) -> Result<Vec<Booking>, ApiError> {
    Ok(bookings::table
        .filter(bookings::duty_id.eq(duty_id))
        .filter(bookings::status.eq_any(ACTIVE_STATUSES))
        .select(Booking::as_select())
        .load(conn)?)
}

/// Marks a desk booking as made for a published rota shift.
pub fn set_rota_shift(conn: &mut DbConn, id: i64, shift_id: i64) -> Result<(), ApiError> {
    diesel::update(bookings::table.find(id))
        .set(bookings::rota_shift_id.eq(Some(shift_id)))
        .execute(conn)?;
    Ok(())
}

/// The active desk bookings made for a rota shift.
pub fn shift_desk_bookings(conn: &mut DbConn, shift_id: i64) -> Result<Vec<Booking>, ApiError> {
    Ok(bookings::table
        .filter(bookings::rota_shift_id.eq(shift_id))
        .filter(bookings::status.eq_any(ACTIVE_STATUSES))
        .select(Booking::as_select())
        .load(conn)?)
}

/// A person's active bookings on a site that meet `window`, with resource names.
pub fn of_owner_within(
    conn: &mut DbConn,
    site_id: Option<i64>,
    owner_id: i64,
    window: Interval,
    seats_only: bool,
) -> Result<Vec<(Booking, String)>, ApiError> {
    let mut q = bookings::table
        .inner_join(resources::table)
        .filter(bookings::owner_id.eq(owner_id))
        .filter(bookings::status.eq_any(ACTIVE_STATUSES))
        .filter(bookings::starts_at.gt(stored(window.start - lookback())))
        .filter(bookings::starts_at.lt(stored(window.end)))
        .filter(bookings::ends_at.gt(stored(window.start)))
        .order(bookings::starts_at)
        .select((Booking::as_select(), resources::name))
        .into_boxed();
    if let Some(site) = site_id {
        q = q.filter(bookings::site_id.eq(site));
    }
    if seats_only {
        q = q.filter(resources::kind.eq_any(["computer", "desk"]));
    }
    Ok(q.load(conn)?)
}
