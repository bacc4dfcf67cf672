//! The mail outbox: rows written in the same transaction as the change that
//! causes them, claimed by workers under a lease, retried with backoff, and
//! parked as `dead` after too many attempts.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::outbox;
use crate::db::{DbConn, concrete};
use crate::errors::ApiError;

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = outbox)]
pub struct OutboxRow {
    pub id: i64,
    pub event_key: String,
    pub message_id: String,
    pub kind: String,
    pub user_id: Option<i64>,
    pub to_address: String,
    pub language: String,
    pub subject: String,
    /// What the message says: [`crate::mail::content::Content`] as JSON.
    pub content: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub locked_by: Option<String>,
    pub locked_until: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
    /// The robot or webhook it goes to; `None`: mail to `to_address`.
    pub channel_id: Option<i64>,
}

/// A message about to be queued.
pub struct NewMail<'a> {
    /// Names the event; one event, one message, however often it is queued.
    pub event_key: &'a str,
    pub message_id: &'a str,
    pub kind: &'a str,
    pub user_id: Option<i64>,
    pub to_address: &'a str,
    pub language: &'a str,
    pub subject: &'a str,
    /// [`crate::mail::content::Content`] as JSON.
    pub content: &'a str,
}

/// Queues a message unless its event was queued before; returns whether
/// it was queued now.
pub fn enqueue(conn: &mut DbConn, mail: &NewMail<'_>, now: NaiveDateTime) -> Result<bool, ApiError> {
    insert_once(conn, mail, None, now)
}

/// One message per event: a second enqueue of the same event is a no-op
/// (the unique event key decides, in the same statement).
fn insert_once(
    conn: &mut DbConn,
    mail: &NewMail<'_>,
    channel_id: Option<i64>,
    now: NaiveDateTime,
) -> Result<bool, ApiError> {
    let values = (
        outbox::event_key.eq(mail.event_key),
        outbox::message_id.eq(mail.message_id),
        outbox::kind.eq(mail.kind),
        outbox::user_id.eq(mail.user_id),
        outbox::to_address.eq(mail.to_address),
        outbox::language.eq(mail.language),
        outbox::subject.eq(mail.subject),
        outbox::content.eq(mail.content),
        outbox::next_attempt_at.eq(now),
        outbox::created_at.eq(now),
        outbox::channel_id.eq(channel_id),
    );
    // `ON CONFLICT DO NOTHING` is the same SQL on both databases, but diesel
    // offers it only on a concrete backend's connection.
    let inserted = concrete!(conn, |c| diesel::insert_into(outbox::table)
        .values(values)
        .on_conflict(outbox::event_key)
        .do_nothing()
        .execute(c))?;
    Ok(inserted > 0)
}

/// A message to a robot or webhook about to be queued.
pub struct NewPost<'a> {
    /// One event, one message per channel.
    pub event_key: &'a str,
    pub channel_id: i64,
    /// The topic's code (`rota.published`).
    pub kind: &'a str,
    /// The channel's name, shown where mail shows the address.
    pub label: &'a str,
    pub subject: &'a str,
    /// [`crate::channels::Notice`] as JSON.
    pub content: &'a str,
}

/// Queues a message to a channel unless its event was queued for it before;
/// returns whether it was queued now.
pub fn enqueue_post(conn: &mut DbConn, post: &NewPost<'_>, now: NaiveDateTime) -> Result<bool, ApiError> {
    let mail = NewMail {
        event_key: post.event_key,
        message_id: post.event_key,
        kind: post.kind,
        user_id: None,
        to_address: post.label,
        language: "zh-CN",
        subject: post.subject,
        content: post.content,
    };
    insert_once(conn, &mail, Some(post.channel_id), now)
}

/// The message queued for this event key.
pub fn by_event_key(conn: &mut DbConn, event_key: &str) -> Result<Option<OutboxRow>, ApiError> {
    Ok(outbox::table
        .filter(outbox::event_key.eq(event_key))
        .select(OutboxRow::as_select())
        .first(conn)
        .optional()?)
}

/// Whether a message with this event key was ever queued.
pub fn queued(conn: &mut DbConn, event_key: &str) -> Result<bool, ApiError> {
    Ok(diesel::select(diesel::dsl::exists(
        outbox::table.filter(outbox::event_key.eq(event_key)),
    ))
    .get_result(conn)?)
}

/// A channel's messages, newest first, before `before_id` (0: from the newest).
pub fn of_channel(
    conn: &mut DbConn,
    channel_id: i64,
    before_id: i64,
    limit: i64,
) -> Result<Vec<OutboxRow>, ApiError> {
    let mut query = outbox::table
        .filter(outbox::channel_id.eq(channel_id))
        .order(outbox::id.desc())
        .limit(limit)
        .select(OutboxRow::as_select())
        .into_boxed();
    if before_id > 0 {
        query = query.filter(outbox::id.lt(before_id));
    }
    Ok(query.load(conn)?)
}

/// Claims up to `limit` due messages for `worker` until `now + lease`.
///
/// Portable and safe with several instances: each conditional UPDATE is
/// re-checked by PostgreSQL against the committed row when two workers
/// race, so only one of them gets each row, and only the rows whose
/// UPDATE took are returned.
pub fn claim(
    conn: &mut DbConn,
    worker: &str,
    now: NaiveDateTime,
    lease: Duration,
    limit: i64,
) -> Result<Vec<OutboxRow>, ApiError> {
    let free = outbox::locked_until.is_null().or(outbox::locked_until.lt(now));
    let candidates: Vec<i64> = outbox::table
        .filter(outbox::status.eq("pending"))
        .filter(outbox::next_attempt_at.le(now))
        .filter(free)
        // Oldest due first, in the order of the `outbox_due` index: SQLite
        // then reads only the first few entries instead of every pending
        // message (migration 9).
        .order((outbox::next_attempt_at, outbox::id))
        .limit(limit)
        .select(outbox::id)
        .load(conn)?;
    if candidates.is_empty() {
        return Ok(Vec::new());
    }
    let until = now + lease;
    let mut claimed = Vec::with_capacity(candidates.len());
    for id in candidates {
        // One row at a time, found by its id. With the whole list in one
        // statement, SQLite preferred the `outbox_due` index for the status
        // test and walked every pending message (8% of the writer at load,
        // when thousands wait).
        let taken = concrete!(conn, |c| diesel::update(
            outbox::table
                .find(id)
                .filter(outbox::status.eq("pending"))
                .filter(outbox::locked_until.is_null().or(outbox::locked_until.lt(now))),
        )
        .set((
            outbox::locked_by.eq(Some(worker)),
            outbox::locked_until.eq(Some(until)),
        ))
        .execute(c))?;
        if taken == 1 {
            claimed.push(id);
        }
    }
    if claimed.is_empty() {
        return Ok(Vec::new());
    }
    Ok(outbox::table
        .filter(outbox::id.eq_any(&claimed))
        .order(outbox::id)
        .select(OutboxRow::as_select())
        .load(conn)?)
}

/// Marks a message sent; `redacted` replaces its content (the copy without
/// live links, see `mail::content::redacted`).
pub fn mark_sent(
    conn: &mut DbConn,
    id: i64,
    now: NaiveDateTime,
    redacted: Option<&str>,
) -> Result<(), ApiError> {
    if let Some(content) = redacted {
        diesel::update(outbox::table.find(id))
            .set(outbox::content.eq(content))
            .execute(conn)?;
    }
    diesel::update(outbox::table.find(id))
        .set((
            outbox::status.eq("sent"),
            outbox::sent_at.eq(Some(now)),
            outbox::attempts.eq(outbox::attempts + 1),
            outbox::locked_by.eq(None::<String>),
            outbox::locked_until.eq(None::<NaiveDateTime>),
            outbox::last_error.eq(None::<String>),
        ))
        .execute(conn)?;
    Ok(())
}

/// The wait before attempt `n + 1` after `n` failures: `base`, doubling,
/// at most an hour.
pub fn backoff(base: Duration, failures: i32) -> Duration {
    let factor = 1i64 << failures.clamp(1, 16).saturating_sub(1);
    (base * factor as i32).min(Duration::hours(1))
}

/// Records a failed attempt: retry later, or park as dead after `max_attempts`.
pub fn mark_failed(
    conn: &mut DbConn,
    row: &OutboxRow,
    error: &str,
    now: NaiveDateTime,
    max_attempts: i32,
    base: Duration,
    at_least: Option<Duration>,
) -> Result<(), ApiError> {
    let attempts = row.attempts + 1;
    // A receiver that said how long to wait (a robot's rate limit, a
    // webhook's `Retry-After`) is not asked again sooner.
    let wait = backoff(base, attempts).max(at_least.unwrap_or_else(Duration::zero));
    let status = if attempts >= max_attempts {
        "dead"
    } else {
        "pending"
    };
    let error: String = error.chars().take(500).collect();
    diesel::update(outbox::table.find(row.id))
        .set((
            outbox::status.eq(status),
            outbox::attempts.eq(attempts),
            outbox::next_attempt_at.eq(now + wait),
            outbox::last_error.eq(Some(error)),
            outbox::locked_by.eq(None::<String>),
            outbox::locked_until.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    Ok(())
}

/// Puts a claimed message back, due at `until`, without counting an attempt.
pub fn defer(conn: &mut DbConn, id: i64, until: NaiveDateTime) -> Result<(), ApiError> {
    diesel::update(outbox::table.find(id))
        .set((
            outbox::next_attempt_at.eq(until),
            outbox::locked_by.eq(None::<String>),
            outbox::locked_until.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn list(
    conn: &mut DbConn,
    status: Option<&str>,
    after_id: i64,
    limit: i64,
) -> Result<Vec<OutboxRow>, ApiError> {
    let mut query = outbox::table
        .filter(outbox::id.gt(after_id))
        .order(outbox::id)
        .limit(limit)
        .select(OutboxRow::as_select())
        .into_boxed();
    if let Some(s) = status {
        query = query.filter(outbox::status.eq(s.to_owned()));
    }
    Ok(query.load(conn)?)
}

pub fn by_id(conn: &mut DbConn, id: i64) -> Result<OutboxRow, ApiError> {
    outbox::table
        .find(id)
        .select(OutboxRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found("message"))
}

/// Puts a dead (or pending) message back in the queue, due now.
pub fn retry(conn: &mut DbConn, id: i64, now: NaiveDateTime) -> Result<bool, ApiError> {
    let n = diesel::update(outbox::table.find(id).filter(outbox::status.ne("sent")))
        .set((
            outbox::status.eq("pending"),
            outbox::attempts.eq(0),
            outbox::next_attempt_at.eq(now),
            outbox::locked_by.eq(None::<String>),
            outbox::locked_until.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    Ok(n > 0)
}

/// Deletes up to `limit` messages sent before `before`, oldest first;
/// returns how many. A sent row was due when it was claimed, so its
/// `next_attempt_at` is at most its `sent_at`: bounding both lets the
/// `outbox_due` index find the rows instead of a scan of the table.
pub fn prune_sent(conn: &mut DbConn, before: NaiveDateTime, limit: i64) -> Result<usize, ApiError> {
    let ids: Vec<i64> = outbox::table
        .filter(outbox::status.eq("sent"))
        .filter(outbox::next_attempt_at.lt(before))
        .filter(outbox::sent_at.lt(before))
        .order(outbox::next_attempt_at)
        .limit(limit)
        .select(outbox::id)
        .load(conn)?;
    if ids.is_empty() {
        return Ok(0);
    }
    Ok(diesel::delete(outbox::table.filter(outbox::id.eq_any(&ids))).execute(conn)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        let base = Duration::seconds(30);
        assert_eq!(backoff(base, 1), Duration::seconds(30));
        assert_eq!(backoff(base, 2), Duration::seconds(60));
        assert_eq!(backoff(base, 3), Duration::seconds(120));
        assert_eq!(backoff(base, 30), Duration::hours(1));
    }
}
