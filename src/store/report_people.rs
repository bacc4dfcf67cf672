//! The rows the people's reports read (front desk, volunteers, the quarter
//! summary's plain booked hours). Queries only: the figures are
//! `domain::report`'s.

use chrono::NaiveDate;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::{duties, duty_absences, memberships, rota_shifts, rota_swaps, users};
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
