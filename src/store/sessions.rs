//! Sign-in sessions ("families" of refresh tokens), refresh tokens, failed
//! logins and invitations.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::{invitations, login_failures, refresh_tokens, sessions, users};
use crate::errors::ApiError;
use crate::store::users::User;

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = refresh_tokens)]
pub struct RefreshToken {
    pub id: i64,
    pub session_id: i64,
    pub token_hash: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = sessions)]
pub struct Session {
    pub id: i64,
    pub user_id: i64,
    pub created_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
    pub revoked_reason: Option<String>,
}

pub fn create_session(conn: &mut DbConn, user_id: i64, now: NaiveDateTime) -> Result<i64, ApiError> {
    Ok(diesel::insert_into(sessions::table)
        .values((sessions::user_id.eq(user_id), sessions::created_at.eq(now)))
        .returning(sessions::id)
        .get_result(conn)?)
}

pub fn insert_refresh_token(
    conn: &mut DbConn,
    session_id: i64,
    token_hash: &str,
    now: NaiveDateTime,
    expires_at: NaiveDateTime,
) -> Result<(), ApiError> {
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::session_id.eq(session_id),
            refresh_tokens::token_hash.eq(token_hash),
            refresh_tokens::created_at.eq(now),
            refresh_tokens::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// A refresh token with its session, by the token's hash.
pub fn refresh_token_by_hash(
    conn: &mut DbConn,
    token_hash: &str,
) -> Result<Option<(RefreshToken, Session)>, ApiError> {
    Ok(refresh_tokens::table
        .inner_join(sessions::table)
        .filter(refresh_tokens::token_hash.eq(token_hash))
        .select((RefreshToken::as_select(), Session::as_select()))
        .first(conn)
        .optional()?)
}

/// Marks a token used; false when someone else used it first.
pub fn mark_used(conn: &mut DbConn, token_id: i64, now: NaiveDateTime) -> Result<bool, ApiError> {
    let n = diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::id.eq(token_id))
            .filter(refresh_tokens::used_at.is_null()),
    )
    .set(refresh_tokens::used_at.eq(Some(now)))
    .execute(conn)?;
    Ok(n == 1)
}

pub fn revoke_session(
    conn: &mut DbConn,
    session_id: i64,
    reason: &str,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    diesel::update(
        sessions::table
            .filter(sessions::id.eq(session_id))
            .filter(sessions::revoked_at.is_null()),
    )
    .set((
        sessions::revoked_at.eq(Some(now)),
        sessions::revoked_reason.eq(Some(reason)),
    ))
    .execute(conn)?;
    Ok(())
}

pub fn revoke_all_sessions(
    conn: &mut DbConn,
    user_id: i64,
    reason: &str,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    diesel::update(
        sessions::table
            .filter(sessions::user_id.eq(user_id))
            .filter(sessions::revoked_at.is_null()),
    )
    .set((
        sessions::revoked_at.eq(Some(now)),
        sessions::revoked_reason.eq(Some(reason)),
    ))
    .execute(conn)?;
    Ok(())
}

/// The user behind a live (unrevoked) session: one query per request.
pub fn user_of_live_session(
    conn: &mut DbConn,
    session_id: i64,
    user_id: i64,
) -> Result<Option<User>, ApiError> {
    Ok(sessions::table
        .inner_join(users::table)
        .filter(sessions::id.eq(session_id))
        .filter(sessions::user_id.eq(user_id))
        .filter(sessions::revoked_at.is_null())
        .select(User::as_select())
        .first(conn)
        .optional()?)
}

/// Failed logins for `email` since `since`, oldest first.
pub fn recent_failures(
    conn: &mut DbConn,
    email: &str,
    since: NaiveDateTime,
) -> Result<Vec<NaiveDateTime>, ApiError> {
    Ok(login_failures::table
        .filter(login_failures::email.eq(email))
        .filter(login_failures::failed_at.gt(since))
        .order(login_failures::failed_at)
        .select(login_failures::failed_at)
        .load(conn)?)
}

pub fn record_failure(conn: &mut DbConn, email: &str, now: NaiveDateTime) -> Result<(), ApiError> {
    diesel::insert_into(login_failures::table)
        .values((login_failures::email.eq(email), login_failures::failed_at.eq(now)))
        .execute(conn)?;
    Ok(())
}

/// Forgets failures older than `before`, and all of `email`'s on success.
pub fn clear_failures(conn: &mut DbConn, email: &str, before: NaiveDateTime) -> Result<(), ApiError> {
    diesel::delete(
        login_failures::table.filter(
            login_failures::email
                .eq(email)
                .or(login_failures::failed_at.lt(before)),
        ),
    )
    .execute(conn)?;
    Ok(())
}

pub fn insert_invitation(
    conn: &mut DbConn,
    user_id: i64,
    site_id: i64,
    token_hash: &str,
    now: NaiveDateTime,
    expires_at: NaiveDateTime,
) -> Result<(), ApiError> {
    diesel::insert_into(invitations::table)
        .values((
            invitations::user_id.eq(user_id),
            invitations::site_id.eq(site_id),
            invitations::token_hash.eq(token_hash),
            invitations::created_at.eq(now),
            invitations::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok(())
}
