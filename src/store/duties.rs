//! Volunteer duties, sign-ups, absences and attendance.

use chrono::{NaiveDate, NaiveDateTime, Weekday};
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::{duties, duty_absences, duty_attendance, duty_signups, users};
use crate::domain::duty::{Commitment, DutyPattern};
use crate::errors::ApiError;

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = duties)]
pub struct Duty {
    pub id: i64,
    pub site_id: i64,
    pub name: String,
    pub weekday: i32,
    pub start_minute: i32,
    pub end_minute: i32,
    pub capacity: i32,
    pub skill: Option<String>,
    pub resource_id: Option<i64>,
    pub from_date: NaiveDate,
    pub until_date: Option<NaiveDate>,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub every_weeks: i32,
}

impl Duty {
    pub fn pattern(&self) -> DutyPattern {
        DutyPattern {
            weekday: Weekday::try_from(self.weekday.clamp(0, 6) as u8).unwrap_or(Weekday::Mon),
            start_minute: self.start_minute.max(0) as u32,
            end_minute: self.end_minute.max(0) as u32,
            from: self.from_date,
            until: self.until_date,
            every_weeks: self.every_weeks.max(1) as u32,
        }
    }
}

pub struct NewDuty<'a> {
    pub name: &'a str,
    pub pattern: DutyPattern,
    pub capacity: i32,
    pub skill: Option<&'a str>,
    pub resource_id: Option<i64>,
}

pub fn insert(
    conn: &mut DbConn,
    site_id: i64,
    d: &NewDuty<'_>,
    by: i64,
    now: NaiveDateTime,
) -> Result<Duty, ApiError> {
    let id: i64 = diesel::insert_into(duties::table)
        .values((
            duties::site_id.eq(site_id),
            duties::name.eq(d.name),
            duties::weekday.eq(d.pattern.weekday.num_days_from_monday() as i32),
            duties::start_minute.eq(d.pattern.start_minute as i32),
            duties::end_minute.eq(d.pattern.end_minute as i32),
            duties::capacity.eq(d.capacity),
            duties::skill.eq(d.skill),
            duties::resource_id.eq(d.resource_id),
            duties::from_date.eq(d.pattern.from),
            duties::until_date.eq(d.pattern.until),
            duties::every_weeks.eq(d.pattern.every_weeks.max(1) as i32),
            duties::created_by.eq(Some(by)),
            duties::created_at.eq(now),
        ))
        .returning(duties::id)
        .get_result(conn)?;
    by_id(conn, site_id, id)
}

pub fn by_id(conn: &mut DbConn, site_id: i64, id: i64) -> Result<Duty, ApiError> {
    duties::table
        .filter(duties::id.eq(id))
        .filter(duties::site_id.eq(site_id))
        .select(Duty::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found("duty"))
}

pub fn of_site(conn: &mut DbConn, site_id: i64) -> Result<Vec<Duty>, ApiError> {
    Ok(duties::table
        .filter(duties::site_id.eq(site_id))
        .order(duties::id)
        .select(Duty::as_select())
        .load(conn)?)
}

pub fn all(conn: &mut DbConn) -> Result<Vec<Duty>, ApiError> {
    Ok(duties::table
        .order(duties::id)
        .select(Duty::as_select())
        .load(conn)?)
}

pub fn end_series(conn: &mut DbConn, id: i64, last: NaiveDate) -> Result<(), ApiError> {
    diesel::update(duties::table.find(id))
        .set(duties::until_date.eq(Some(last)))
        .execute(conn)?;
    Ok(())
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = duty_signups)]
pub struct Signup {
    pub id: i64,
    pub duty_id: i64,
    pub volunteer_id: i64,
    pub scope: String,
    pub from_date: NaiveDate,
    pub until_date: Option<NaiveDate>,
    pub created_at: NaiveDateTime,
    pub ended_at: Option<NaiveDateTime>,
}

impl Signup {
    pub fn commitment(&self) -> Commitment {
        Commitment {
            volunteer_id: self.volunteer_id,
            weekly: self.scope == "weekly",
            from: self.from_date,
            until: self.until_date,
        }
    }
}

pub fn signups(conn: &mut DbConn, duty_ids: &[i64]) -> Result<Vec<Signup>, ApiError> {
    Ok(duty_signups::table
        .filter(duty_signups::duty_id.eq_any(duty_ids))
        .order(duty_signups::id)
        .select(Signup::as_select())
        .load(conn)?)
}

pub fn signups_of_volunteer(conn: &mut DbConn, volunteer_id: i64) -> Result<Vec<Signup>, ApiError> {
    Ok(duty_signups::table
        .filter(duty_signups::volunteer_id.eq(volunteer_id))
        .select(Signup::as_select())
        .load(conn)?)
}

pub fn insert_signup(
    conn: &mut DbConn,
    duty_id: i64,
    volunteer_id: i64,
    weekly: bool,
    from: NaiveDate,
    now: NaiveDateTime,
) -> Result<Signup, ApiError> {
    let id: i64 = diesel::insert_into(duty_signups::table)
        .values((
            duty_signups::duty_id.eq(duty_id),
            duty_signups::volunteer_id.eq(volunteer_id),
            duty_signups::scope.eq(if weekly { "weekly" } else { "once" }),
            duty_signups::from_date.eq(from),
            duty_signups::until_date.eq(if weekly { None } else { Some(from) }),
            duty_signups::created_at.eq(now),
        ))
        .returning(duty_signups::id)
        .get_result(conn)?;
    Ok(duty_signups::table
        .find(id)
        .select(Signup::as_select())
        .first(conn)?)
}

pub fn signup_by_id(conn: &mut DbConn, duty_id: i64, id: i64) -> Result<Signup, ApiError> {
    duty_signups::table
        .filter(duty_signups::id.eq(id))
        .filter(duty_signups::duty_id.eq(duty_id))
        .select(Signup::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found("sign-up"))
}

/// Ends a sign-up after `last` (inclusive); earlier dates stay as history.
pub fn end_signup(conn: &mut DbConn, id: i64, last: NaiveDate, now: NaiveDateTime) -> Result<(), ApiError> {
    diesel::update(duty_signups::table.find(id))
        .set((
            duty_signups::until_date.eq(Some(last)),
            duty_signups::ended_at.eq(Some(now)),
        ))
        .execute(conn)?;
    Ok(())
}

/// (volunteer, date) pairs of absences on these duties.
pub fn absences(conn: &mut DbConn, duty_id: i64) -> Result<Vec<(i64, NaiveDate)>, ApiError> {
    Ok(duty_absences::table
        .filter(duty_absences::duty_id.eq(duty_id))
        .select((duty_absences::volunteer_id, duty_absences::date))
        .load(conn)?)
}

pub fn insert_absence(
    conn: &mut DbConn,
    duty_id: i64,
    volunteer_id: i64,
    date: NaiveDate,
    reason: Option<&str>,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    diesel::insert_into(duty_absences::table)
        .values((
            duty_absences::duty_id.eq(duty_id),
            duty_absences::volunteer_id.eq(volunteer_id),
            duty_absences::date.eq(date),
            duty_absences::reason.eq(reason),
            duty_absences::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Whether one volunteer came to one date of a duty.
#[derive(Clone, Copy, Debug)]
pub struct Attendance {
    pub duty_id: i64,
    pub volunteer_id: i64,
    pub date: NaiveDate,
    pub attended: bool,
    /// Minutes of volunteering counted (the occurrence's length).
    pub minutes: i32,
    /// Who marked it.
    pub by: i64,
}

/// Records (or corrects) whether a volunteer came.
pub fn mark_attendance(conn: &mut DbConn, a: &Attendance, now: NaiveDateTime) -> Result<(), ApiError> {
    let Attendance {
        duty_id,
        volunteer_id,
        date,
        attended,
        minutes,
        by,
    } = *a;
    diesel::delete(
        duty_attendance::table
            .filter(duty_attendance::duty_id.eq(duty_id))
            .filter(duty_attendance::volunteer_id.eq(volunteer_id))
            .filter(duty_attendance::date.eq(date)),
    )
    .execute(conn)?;
    diesel::insert_into(duty_attendance::table)
        .values((
            duty_attendance::duty_id.eq(duty_id),
            duty_attendance::volunteer_id.eq(volunteer_id),
            duty_attendance::date.eq(date),
            duty_attendance::status.eq(if attended { "attended" } else { "no_show" }),
            duty_attendance::minutes.eq(if attended { minutes } else { 0 }),
            duty_attendance::marked_by.eq(Some(by)),
            duty_attendance::marked_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// One attendance mark with names: (duty id, duty name, volunteer id,
/// volunteer name, date, status, minutes).
pub type AttendanceRow = (i64, String, i64, String, NaiveDate, String, i32);

/// Attendance rows of a site's duties between two dates.
pub fn attendance_between(
    conn: &mut DbConn,
    site_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<AttendanceRow>, ApiError> {
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

/// Every attendance mark of a site's duties between two dates, as
/// (duty id, date, volunteer id, `attended` or `no_show`).
pub fn marks_between(
    conn: &mut DbConn,
    site_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(i64, NaiveDate, i64, String)>, ApiError> {
    Ok(duty_attendance::table
        .inner_join(duties::table)
        .filter(duties::site_id.eq(site_id))
        .filter(duty_attendance::date.ge(from))
        .filter(duty_attendance::date.le(to))
        .select((
            duty_attendance::duty_id,
            duty_attendance::date,
            duty_attendance::volunteer_id,
            duty_attendance::status,
        ))
        .load(conn)?)
}
