//! Operators' hand on outgoing mail: putting a message that gave up back
//! in the queue.

use chrono::NaiveDateTime;

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
