//! The rows the people's reports read (front desk, volunteers, the quarter
//! summary's plain booked hours). Queries only: the figures are
//! `domain::report`'s.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::instant::stored;
use crate::db::schema::{
    bookings, duties, duty_absences, duty_attendance, memberships, resources, rota_shifts, rota_swaps, users,
};
use crate::domain::interval::Interval;
use crate::errors::ApiError;

/// The site's staff (joined members who sit at the desk), as (id, name).
pub fn staff(conn: &mut DbConn, site_id: i64) -> Result<Vec<(i64, String)>, ApiError> {
    Ok(memberships::table
        .inner_join(users::table)
        .filter(memberships::site_id.eq(site_id))
        .filter(memberships::is_staff.eq(true))
        .filter(memberships::joined_at.is_not_null())
        .order(users::id)
        .select((users::id, users::name))
        .load(conn)?)
}

/// The names of accounts `ids`, as (id, name).
pub fn names(conn: &mut DbConn, ids: &[i64]) -> Result<Vec<(i64, String)>, ApiError> {
    Ok(users::table
        .filter(users::id.eq_any(ids))
        .select((users::id, users::name))
        .load(conn)?)
}

/// Swaps of the site's shifts on local dates `from..=to`, as (giver,
/// taker), in the order they were offered.
pub fn swaps_between(
    conn: &mut DbConn,
    site_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(i64, Option<i64>)>, ApiError> {
    Ok(rota_swaps::table
        .inner_join(rota_shifts::table)
        .filter(rota_shifts::site_id.eq(site_id))
        .filter(rota_shifts::date.ge(from))
        .filter(rota_shifts::date.le(to))
        .order(rota_swaps::id)
        .select((rota_swaps::from_user, rota_swaps::to_user))
        .load(conn)?)
}

/// One attendance mark with its names.
pub type MarkRow = (i64, String, i64, String, NaiveDate, String, i32);

/// Attendance marks of the site's duties on `from..=to`, as (duty id,
/// duty name, volunteer id, volunteer name, date, status, minutes).
pub fn marks_between(
    conn: &mut DbConn,
    site_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<MarkRow>, ApiError> {
    Ok(duty_attendance::table
        .inner_join(duties::table)
        .inner_join(users::table.on(users::id.eq(duty_attendance::volunteer_id)))
        .filter(duties::site_id.eq(site_id))
        .filter(duty_attendance::date.ge(from))
        .filter(duty_attendance::date.le(to))
        .order((
            duty_attendance::date,
            duty_attendance::duty_id,
            duty_attendance::volunteer_id,
        ))
        .select((
            duties::id,
            duties::name,
            duty_attendance::volunteer_id,
            users::name,
            duty_attendance::date,
            duty_attendance::status,
            duty_attendance::minutes,
        ))
        .load(conn)?)
}

/// One reported absence with its names.
pub type AbsenceRow = (i64, String, i64, String, NaiveDate);

/// Absences reported on the site's duties for `from..=to`, as (duty id,
/// duty name, volunteer id, volunteer name, date).
pub fn absences_between(
    conn: &mut DbConn,
    site_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<AbsenceRow>, ApiError> {
    Ok(duty_absences::table
        .inner_join(duties::table.on(duties::id.eq(duty_absences::duty_id)))
        .inner_join(users::table.on(users::id.eq(duty_absences::volunteer_id)))
        .filter(duties::site_id.eq(site_id))
        .filter(duty_absences::date.ge(from))
        .filter(duty_absences::date.le(to))
        .order((
            duty_absences::date,
            duty_absences::duty_id,
            duty_absences::volunteer_id,
        ))
        .select((
            duties::id,
            duties::name,
            duty_absences::volunteer_id,
            users::name,
            duty_absences::date,
        ))
        .load(conn)?)
}

/// (start, end) of the confirmed bookings of the site's resources of
/// `kind` that overlap `within`.
pub fn confirmed_spans(
    conn: &mut DbConn,
    site_id: i64,
    kind: &str,
    within: Interval,
) -> Result<Vec<(NaiveDateTime, NaiveDateTime)>, ApiError> {
    Ok(bookings::table
        .inner_join(resources::table.on(resources::id.eq(bookings::resource_id)))
        .filter(bookings::site_id.eq(site_id))
        .filter(resources::kind.eq(kind))
        .filter(bookings::status.eq("confirmed"))
        .filter(bookings::starts_at.lt(stored(within.end)))
        .filter(bookings::ends_at.gt(stored(within.start)))
        .select((bookings::starts_at, bookings::ends_at))
        .load(conn)?)
}
