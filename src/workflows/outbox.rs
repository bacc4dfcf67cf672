//! Operators' hand on outgoing mail: putting a message that gave up back
//! in the queue; and forgetting what was sent long ago.

use chrono::{Duration, NaiveDateTime};

use crate::db::DbConn;
use crate::errors::ApiError;
use crate::store::outbox::{self, OutboxRow};

/// Makes message `id` due now with its attempts reset. A message already
/// sent stays sent: retrying it would mail the person twice.
pub fn retry(conn: &mut DbConn, id: i64, now: NaiveDateTime) -> Result<OutboxRow, ApiError> {
    outbox::by_id(conn, id)?;
    if !outbox::retry(conn, id, now)? {
        return Err(ApiError::conflict("This message was sent already."));
    }
    outbox::by_id(conn, id)
}

/// How few days sent messages may be kept. A message's event key is what
/// stops the same event being told twice; events are flagged at most a few
/// weeks ahead (a duty date short of volunteers, then covered), so keys
/// younger than this must stay.
pub const MIN_KEEP_DAYS: u32 = 30;

/// The most rows one prune deletes: one short write on SQLite's single
/// writer, between the bookings.
pub const PRUNE_BATCH: i64 = 500;

/// Forgets up to [`PRUNE_BATCH`] messages sent more than `keep_days` ago;
/// returns how many. Pending and dead messages stay: they still need
/// sending or an operator's look.
pub fn prune_sent(conn: &mut DbConn, now: NaiveDateTime, keep_days: u32) -> Result<usize, ApiError> {
    let keep = Duration::days(i64::from(keep_days.max(MIN_KEEP_DAYS)));
    outbox::prune_sent(conn, now - keep, PRUNE_BATCH)
}
