//! Idempotency keys: a retried POST with the same key and body gets the
//! first answer again instead of a second booking. A key belongs to one
//! person at one site: clients pick keys, and two people's (or one
//! person's at two sites) may meet.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::idempotency_keys;
use crate::errors::ApiError;

/// Whose keys: one person's at one site.
#[derive(Clone, Copy, Debug)]
pub struct Scope {
    pub user_id: i64,
    pub site_id: i64,
}

/// A stored answer.
pub struct Stored {
    pub request_hash: String,
    pub status_code: i32,
    pub response: String,
}

pub fn find(conn: &mut DbConn, scope: Scope, key: &str) -> Result<Option<Stored>, ApiError> {
    Ok(idempotency_keys::table
        .find((scope.user_id, scope.site_id, key))
        .select((
            idempotency_keys::request_hash,
            idempotency_keys::status_code,
            idempotency_keys::response,
        ))
        .first::<(String, i32, String)>(conn)
        .optional()?
        .map(|(request_hash, status_code, response)| Stored {
            request_hash,
            status_code,
            response,
        }))
}

pub fn store(
    conn: &mut DbConn,
    scope: Scope,
    key: &str,
    request_hash: &str,
    status_code: i32,
    response: &str,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::user_id.eq(scope.user_id),
            idempotency_keys::site_id.eq(scope.site_id),
            idempotency_keys::key.eq(key),
            idempotency_keys::request_hash.eq(request_hash),
            idempotency_keys::status_code.eq(status_code),
            idempotency_keys::response.eq(response),
            idempotency_keys::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}
