//! Leases on timed jobs: with several app instances, one runs each job at
//! a time, and the schedule lives in the database so a restart loses nothing.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::scheduled_jobs;
use crate::errors::ApiError;

/// Makes sure the job has a row; a race with another instance is harmless.
pub fn ensure(conn: &mut DbConn, name: &str, now: NaiveDateTime) -> Result<(), ApiError> {
    let exists = scheduled_jobs::table
        .filter(scheduled_jobs::name.eq(name))
        .count()
        .get_result::<i64>(conn)?
        > 0;
    if !exists {
        diesel::insert_into(scheduled_jobs::table)
            .values((scheduled_jobs::name.eq(name), scheduled_jobs::next_run_at.eq(now)))
            .execute(conn)?;
    }
    Ok(())
}

/// Takes the job if it is due and nobody holds it; true when taken.
pub fn try_lease(
    conn: &mut DbConn,
    name: &str,
    worker: &str,
    now: NaiveDateTime,
    lease: Duration,
) -> Result<bool, ApiError> {
    let n = diesel::update(
        scheduled_jobs::table
            .filter(scheduled_jobs::name.eq(name))
            .filter(scheduled_jobs::next_run_at.le(now))
            .filter(
                scheduled_jobs::locked_until
                    .is_null()
                    .or(scheduled_jobs::locked_until.lt(now)),
            ),
    )
    .set((
        scheduled_jobs::locked_by.eq(Some(worker)),
        scheduled_jobs::locked_until.eq(Some(now + lease)),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Records a run and schedules the next one.
pub fn finish(
    conn: &mut DbConn,
    name: &str,
    worker: &str,
    now: NaiveDateTime,
    next: NaiveDateTime,
) -> Result<(), ApiError> {
    diesel::update(
        scheduled_jobs::table
            .filter(scheduled_jobs::name.eq(name))
            .filter(scheduled_jobs::locked_by.eq(worker)),
    )
    .set((
        scheduled_jobs::last_run_at.eq(Some(now)),
        scheduled_jobs::next_run_at.eq(next),
        scheduled_jobs::locked_by.eq(None::<String>),
        scheduled_jobs::locked_until.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?;
    Ok(())
}

/// When a job last ran, for tests and operators.
pub fn last_run(conn: &mut DbConn, name: &str) -> Result<Option<NaiveDateTime>, ApiError> {
    Ok(scheduled_jobs::table
        .filter(scheduled_jobs::name.eq(name))
        .select(scheduled_jobs::last_run_at)
        .first::<Option<NaiveDateTime>>(conn)
        .optional()?
        .flatten())
}
