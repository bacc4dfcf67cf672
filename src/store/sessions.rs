//! Sign-in sessions ("families" of refresh tokens), refresh tokens, failed
//! logins and invitations.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{invitations, login_failures, refresh_tokens, sessions, users};
use crate::db::{DbConn, concrete};
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
    Ok(concrete!(conn, |c| sessions::table
        .inner_join(users::table)
        .filter(sessions::id.eq(session_id))
        .filter(sessions::user_id.eq(user_id))
        .filter(sessions::revoked_at.is_null())
        .select(User::as_select())
        .first(c)
        .optional())?)
}

/// Failed sign-ins at `email` from `client_address` since `since`, oldest first.
pub fn recent_failures(
    conn: &mut DbConn,
    email: &str,
    client_address: &str,
    since: NaiveDateTime,
) -> Result<Vec<NaiveDateTime>, ApiError> {
    Ok(login_failures::table
        .filter(login_failures::email.eq(email))
        .filter(login_failures::client_address.eq(client_address))
        .filter(login_failures::failed_at.gt(since))
        .order(login_failures::failed_at)
        .select(login_failures::failed_at)
        .load(conn)?)
}

pub fn record_failure(
    conn: &mut DbConn,
    email: &str,
    client_address: &str,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    diesel::insert_into(login_failures::table)
        .values((
            login_failures::email.eq(email),
            login_failures::client_address.eq(client_address),
            login_failures::failed_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Forgets failures older than `before`, and those of `email` from
/// `client_address` on success there.
pub fn clear_failures(
    conn: &mut DbConn,
    email: &str,
    client_address: &str,
    before: NaiveDateTime,
) -> Result<(), ApiError> {
    diesel::delete(
        login_failures::table.filter(
            login_failures::email
                .eq(email)
                .and(login_failures::client_address.eq(client_address))
                .or(login_failures::failed_at.lt(before)),
        ),
    )
    .execute(conn)?;
    Ok(())
}

/// Forgets failed logins of a user's address (after a reset).
pub fn clear_failures_of_user(conn: &mut DbConn, user_id: i64) -> Result<(), ApiError> {
    let email: Option<String> = users::table
        .find(user_id)
        .select(users::email)
        .first(conn)
        .optional()?;
    if let Some(email) = email {
        diesel::delete(login_failures::table.filter(login_failures::email.eq(email))).execute(conn)?;
    }
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

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = invitations)]
pub struct Invitation {
    pub id: i64,
    pub user_id: i64,
    pub site_id: i64,
    pub token_hash: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub accepted_at: Option<NaiveDateTime>,
}

pub fn invitation_by_hash(conn: &mut DbConn, token_hash: &str) -> Result<Option<Invitation>, ApiError> {
    Ok(invitations::table
        .filter(invitations::token_hash.eq(token_hash))
        .select(Invitation::as_select())
        .first(conn)
        .optional()?)
}

/// Marks an invitation used; false when it was used already.
pub fn accept_invitation(conn: &mut DbConn, id: i64, now: NaiveDateTime) -> Result<bool, ApiError> {
    let n = diesel::update(
        invitations::table
            .filter(invitations::id.eq(id))
            .filter(invitations::accepted_at.is_null()),
    )
    .set(invitations::accepted_at.eq(Some(now)))
    .execute(conn)?;
    Ok(n == 1)
}

pub fn insert_password_reset(
    conn: &mut DbConn,
    user_id: i64,
    token_hash: &str,
    now: NaiveDateTime,
    expires_at: NaiveDateTime,
) -> Result<(), ApiError> {
    use crate::db::schema::password_resets;
    diesel::insert_into(password_resets::table)
        .values((
            password_resets::user_id.eq(user_id),
            password_resets::token_hash.eq(token_hash),
            password_resets::created_at.eq(now),
            password_resets::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Resets asked for by `user_id` since `since` (to stop mail bombing).
pub fn recent_resets(conn: &mut DbConn, user_id: i64, since: NaiveDateTime) -> Result<i64, ApiError> {
    use crate::db::schema::password_resets;
    Ok(password_resets::table
        .filter(password_resets::user_id.eq(user_id))
        .filter(password_resets::created_at.gt(since))
        .count()
        .get_result(conn)?)
}

/// Uses a reset token: returns its user when it was valid, unused and
/// unexpired, and marks it used.
pub fn use_password_reset(
    conn: &mut DbConn,
    token_hash: &str,
    now: NaiveDateTime,
) -> Result<Option<i64>, ApiError> {
    use crate::db::schema::password_resets;
    let found: Option<(i64, i64)> = password_resets::table
        .filter(password_resets::token_hash.eq(token_hash))
        .filter(password_resets::used_at.is_null())
        .filter(password_resets::expires_at.gt(now))
        .select((password_resets::id, password_resets::user_id))
        .first(conn)
        .optional()?;
    let Some((id, user_id)) = found else {
        return Ok(None);
    };
    let n = diesel::update(
        password_resets::table
            .filter(password_resets::id.eq(id))
            .filter(password_resets::used_at.is_null()),
    )
    .set(password_resets::used_at.eq(Some(now)))
    .execute(conn)?;
    Ok((n == 1).then_some(user_id))
}

/// Opens a session signed in from the web pages: the cookie's hash stands
/// where refresh tokens would.
pub fn create_web_session(
    conn: &mut DbConn,
    user_id: i64,
    token_hash: &str,
    now: NaiveDateTime,
) -> Result<i64, ApiError> {
    Ok(diesel::insert_into(sessions::table)
        .values((
            sessions::user_id.eq(user_id),
            sessions::created_at.eq(now),
            sessions::web_token_hash.eq(Some(token_hash)),
        ))
        .returning(sessions::id)
        .get_result(conn)?)
}

/// The live session a web cookie belongs to, with its user: one query per
/// page, so a revoked session is signed out at once.
pub fn user_of_web_session(conn: &mut DbConn, token_hash: &str) -> Result<Option<(i64, User)>, ApiError> {
    Ok(sessions::table
        .inner_join(users::table)
        .filter(sessions::web_token_hash.eq(token_hash))
        .filter(sessions::revoked_at.is_null())
        .select((sessions::id, User::as_select()))
        .first(conn)
        .optional()?)
}

/// Ends the web session of a cookie; an unknown one is ignored.
pub fn revoke_web_session(
    conn: &mut DbConn,
    token_hash: &str,
    reason: &str,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let id: Option<i64> = sessions::table
        .filter(sessions::web_token_hash.eq(token_hash))
        .select(sessions::id)
        .first(conn)
        .optional()?;
    match id {
        Some(id) => revoke_session(conn, id, reason, now),
        None => Ok(()),
    }
}

/// Ends `user_id`'s invitations to site `site_id` not used yet, by
/// expiring them now.
pub fn end_invitations(
    conn: &mut DbConn,
    user_id: i64,
    site_id: i64,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    diesel::update(
        invitations::table
            .filter(invitations::user_id.eq(user_id))
            .filter(invitations::site_id.eq(site_id))
            .filter(invitations::accepted_at.is_null())
            .filter(invitations::expires_at.gt(now)),
    )
    .set(invitations::expires_at.eq(now))
    .execute(conn)?;
    Ok(())
}

/// Ends every reset link of `user_id` not used yet: once one link has set
/// the password, the others (still sitting in a mailbox) must not.
pub fn end_password_resets(conn: &mut DbConn, user_id: i64, now: NaiveDateTime) -> Result<(), ApiError> {
    use crate::db::schema::password_resets;
    diesel::update(
        password_resets::table
            .filter(password_resets::user_id.eq(user_id))
            .filter(password_resets::used_at.is_null()),
    )
    .set(password_resets::used_at.eq(Some(now)))
    .execute(conn)?;
    Ok(())
}
