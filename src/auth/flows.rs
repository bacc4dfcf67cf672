//! The sign-in flows: login, refresh with rotation and reuse detection,
//! logout and password change. Password hashing runs outside any write
//! transaction so slow hashing never holds the database's write lock, on
//! the bounded password threads (`state.limits.passwords`). Every door that
//! an anonymous caller can make hash a password first spends one of the
//! client address's attempts (`state.limits.per_client`).

use std::net::IpAddr;

use chrono::Duration;

use super::{password, secret};
use crate::domain::person::Email;
use crate::domain::sign_in;
use crate::errors::ApiError;
use crate::state::AppState;
use crate::store::{sessions, users};
use crate::{clock, domain};

/// How long a refresh token lives if unused.
pub const REFRESH_TOKEN_DAYS: i64 = 30;

/// What a successful sign-in or refresh hands out.
#[derive(Debug)]
pub struct IssuedTokens {
    pub access_token: String,
    pub refresh_token: String,
    pub expires_in: i64,
}

fn invalid_credentials() -> ApiError {
    ApiError::unauthorized("Wrong e-mail address or password.")
}

pub async fn login(
    state: &AppState,
    client: IpAddr,
    email: &str,
    password_given: &str,
) -> Result<IssuedTokens, ApiError> {
    let checked = check_password(state, client, email, password_given).await?;
    let (refresh, refresh_hash) = secret::generate();
    let (now, window_start) = (checked.now, checked.window_start);
    let (session_id, user_id) = state
        .db
        .write(move |conn| {
            sessions::clear_failures(conn, &checked.email, &checked.address, window_start)?;
            let session_id = sessions::create_session(conn, checked.user_id, now)?;
            sessions::insert_refresh_token(
                conn,
                session_id,
                &refresh_hash,
                now,
                now + Duration::days(REFRESH_TOKEN_DAYS),
            )?;
            Ok((session_id, checked.user_id))
        })
        .await?;
    issue(state, user_id, session_id, refresh)
}

/// Signs in from the web pages: the same checks and failure counting as
/// [`login`], and a session of the same table, carried by a cookie whose
/// value this returns.
pub async fn web_login(
    state: &AppState,
    client: IpAddr,
    email: &str,
    password_given: &str,
) -> Result<String, ApiError> {
    let checked = check_password(state, client, email, password_given).await?;
    let (token, token_hash) = secret::generate();
    let (now, window_start) = (checked.now, checked.window_start);
    state
        .db
        .write(move |conn| {
            sessions::clear_failures(conn, &checked.email, &checked.address, window_start)?;
            sessions::create_web_session(conn, checked.user_id, &token_hash, now)
        })
        .await?;
    Ok(token)
}

/// Ends the web session a cookie carries.
pub async fn web_logout(state: &AppState, token: &str) -> Result<(), ApiError> {
    let token_hash = secret::hash(token);
    let now = clock::now_naive();
    state
        .db
        .write(move |conn| sessions::revoke_web_session(conn, &token_hash, "logout", now))
        .await
}

/// A password that matched its account.
struct Checked {
    user_id: i64,
    email: String,
    address: String,
    now: chrono::NaiveDateTime,
    window_start: chrono::NaiveDateTime,
}

/// The answer while an address must wait before trying an account again.
fn throttled(wait: Duration) -> ApiError {
    ApiError::too_many_requests(
        "Too many failed attempts at this account from your address. Wait a while and try again.",
        wait.num_seconds().max(1) as u64,
    )
}

/// Checks an e-mail and password. Failures are counted per (account,
/// client address) so that the API and the web pages share one count, and
/// someone guessing from elsewhere does not lock the owner out.
async fn check_password(
    state: &AppState,
    client: IpAddr,
    email: &str,
    password_given: &str,
) -> Result<Checked, ApiError> {
    state.limits.per_client.check(client)?;
    let email = Email::parse(email)?.as_str().to_owned();
    let address = client.to_string();
    let now = clock::now_naive();
    let window_start = now - Duration::minutes(sign_in::MEMORY_MINUTES);

    let (lookup_email, lookup_address) = (email.clone(), address.clone());
    let (failures, user) = state
        .db
        .read(move |conn| {
            let failures = sessions::recent_failures(conn, &lookup_email, &lookup_address, window_start)?;
            let user = users::by_email(conn, &lookup_email)?;
            Ok((failures, user))
        })
        .await?;
    if let Some(wait) = sign_in::retry_in(&failures, now) {
        return Err(throttled(wait));
    }

    let stored = user.as_ref().and_then(|u| u.password_hash.clone());
    let given = password_given.to_owned();
    let ok = state
        .limits
        .passwords
        .run(move || password::verify(&given, stored.as_deref()))
        .await?;

    match (ok, user) {
        (true, Some(user)) => Ok(Checked {
            user_id: user.id,
            email,
            address,
            now,
            window_start,
        }),
        _ => {
            state
                .db
                .write(move |conn| sessions::record_failure(conn, &email, &address, now))
                .await?;
            Err(invalid_credentials())
        }
    }
}

fn issue(
    state: &AppState,
    user_id: i64,
    session_id: i64,
    refresh_token: String,
) -> Result<IssuedTokens, ApiError> {
    let (access_token, expires_in) = state
        .jwt
        .issue(user_id, session_id, clock::now())
        .map_err(ApiError::internal)?;
    Ok(IssuedTokens {
        access_token,
        refresh_token,
        expires_in,
    })
}

enum RefreshOutcome {
    Rotated {
        user_id: i64,
        session_id: i64,
        token: String,
    },
    Rejected(&'static str),
}

/// Rotates a refresh token. Presenting a token that was already rotated
/// means it leaked (or a client misbehaves): the whole session is revoked,
/// and that revocation is committed even though the caller gets a 401.
pub async fn refresh(state: &AppState, presented: &str) -> Result<IssuedTokens, ApiError> {
    let presented_hash = secret::hash(presented);
    let now = clock::now_naive();
    let outcome = state
        .db
        .write(move |conn| {
            let Some((token, session)) = sessions::refresh_token_by_hash(conn, &presented_hash)? else {
                return Ok(RefreshOutcome::Rejected("Unknown refresh token; sign in again."));
            };
            if session.revoked_at.is_some() {
                return Ok(RefreshOutcome::Rejected("This session has ended; sign in again."));
            }
            if token.used_at.is_some() || !sessions::mark_used(conn, token.id, now)? {
                sessions::revoke_session(conn, session.id, "refresh token reused", now)?;
                tracing::warn!(session = session.id, user = session.user_id, "refresh token reuse; session revoked");
                return Ok(RefreshOutcome::Rejected(
                    "This refresh token was already used; the session has been ended for safety. Sign in again.",
                ));
            }
            if token.expires_at <= now {
                return Ok(RefreshOutcome::Rejected("The refresh token has expired; sign in again."));
            }
            let (new_token, new_hash) = secret::generate();
            sessions::insert_refresh_token(
                conn,
                session.id,
                &new_hash,
                now,
                now + Duration::days(REFRESH_TOKEN_DAYS),
            )?;
            Ok(RefreshOutcome::Rotated {
                user_id: session.user_id,
                session_id: session.id,
                token: new_token,
            })
        })
        .await?;
    match outcome {
        RefreshOutcome::Rotated {
            user_id,
            session_id,
            token,
        } => issue(state, user_id, session_id, token),
        RefreshOutcome::Rejected(why) => Err(ApiError::unauthorized(why)),
    }
}

/// Ends the session a refresh token belongs to, or with `everywhere` every
/// session of its owner. Unknown tokens are ignored: logging out twice is
/// not an error, and the answer reveals nothing.
pub async fn logout(state: &AppState, presented: &str, everywhere: bool) -> Result<(), ApiError> {
    let presented_hash = secret::hash(presented);
    let now = clock::now_naive();
    state
        .db
        .write(move |conn| {
            match sessions::refresh_token_by_hash(conn, &presented_hash)? {
                Some((_, session)) if everywhere => {
                    crate::workflows::me::sign_out_everywhere(conn, session.user_id, now)?;
                }
                Some((_, session)) => sessions::revoke_session(conn, session.id, "logout", now)?,
                None => {}
            }
            Ok(())
        })
        .await
}

/// Changes the caller's password after checking the current one; every
/// session of the user is revoked, on every device. A wrong current
/// password counts as a failed sign-in at the account from that address: a
/// stolen session must not become a way to guess the password unthrottled.
pub async fn change_password(
    state: &AppState,
    client: IpAddr,
    user_id: i64,
    current: &str,
    new: &str,
) -> Result<(), ApiError> {
    let new = domain::person::new_password("new_password", new)?;
    let address = client.to_string();
    let now = clock::now_naive();
    let since = now - Duration::minutes(sign_in::MEMORY_MINUTES);
    let lookup_address = address.clone();
    let (stored, email, failures) = state
        .db
        .read(move |conn| {
            let user = users::by_id(conn, user_id)?.ok_or_else(|| ApiError::not_found("account"))?;
            let failures = sessions::recent_failures(conn, &user.email, &lookup_address, since)?;
            Ok((user.password_hash, user.email, failures))
        })
        .await?;
    if let Some(wait) = sign_in::retry_in(&failures, now) {
        return Err(throttled(wait));
    }
    let current = current.to_owned();
    let (ok, new_hash) = state
        .limits
        .passwords
        .run(move || {
            let ok = password::verify(&current, stored.as_deref());
            (ok, if ok { password::hash(&new).ok() } else { None })
        })
        .await?;
    if !ok {
        state
            .db
            .write(move |conn| sessions::record_failure(conn, &email, &address, now))
            .await?;
        return Err(ApiError::invalid(
            "current_password",
            "is not your current password",
        ));
    }
    let new_hash = new_hash.ok_or_else(|| ApiError::internal(anyhow::anyhow!("hashing failed")))?;
    state
        .db
        .write(move |conn| {
            users::set_password(conn, user_id, &new_hash, now)?;
            // A feed link is a password of its own; whoever changes theirs
            // (perhaps because something leaked) wants it ended too.
            crate::workflows::calendar_feed::revoke(conn, user_id, now)?;
            sessions::clear_failures_of_user(conn, user_id)?;
            sessions::revoke_all_sessions(conn, user_id, "password changed", now)
        })
        .await
}

/// How long a password-reset link works.
pub const RESET_MINUTES: i64 = 60;
/// Resets one account may ask for per hour; more are silently dropped.
pub const RESETS_PER_HOUR: i64 = 3;

/// Whether the invitation behind `token` is for someone who has a password
/// already (who joins with it rather than setting one); `false` for an
/// unknown link too, which the form then refuses when sent.
pub async fn invitation_joins(state: &AppState, token: &str) -> Result<bool, ApiError> {
    let token_hash = secret::hash(token);
    state
        .db
        .read(move |conn| {
            let Some(inv) = sessions::invitation_by_hash(conn, &token_hash)? else {
                return Ok(false);
            };
            Ok(users::by_id(conn, inv.user_id)?.is_some_and(|u| u.password_hash.is_some()))
        })
        .await
}

/// Accepts an invitation from its one-time link and joins its site. A
/// person without a password sets one with it; a person who has one
/// proves it is them by giving it, and it stays as it is: a second
/// invitation (another site's, or one sent before the first was used)
/// never overwrites a password already set.
pub async fn accept_invite(
    state: &AppState,
    client: IpAddr,
    token: &str,
    given: &str,
) -> Result<(), ApiError> {
    state.limits.per_client.check(client)?;
    let token_hash = secret::hash(token);
    let now = clock::now_naive();
    let invalid = || {
        ApiError::invalid(
            "token",
            "this invitation link is not valid or has expired; ask your admin for a new one",
        )
    };
    let lookup = token_hash.clone();
    let stored = state
        .db
        .read(move |conn| {
            let Some(inv) = sessions::invitation_by_hash(conn, &lookup)? else {
                return Ok(None);
            };
            Ok(users::by_id(conn, inv.user_id)?.map(|u| u.password_hash))
        })
        .await?
        .ok_or_else(invalid)?;
    let new_hash = match stored {
        None => {
            let new = domain::person::new_password("password", given)?;
            Some(
                state
                    .limits
                    .passwords
                    .run(move || password::hash(&new))
                    .await?
                    .map_err(ApiError::internal)?,
            )
        }
        Some(stored) => {
            let given = given.to_owned();
            let ok = state
                .limits
                .passwords
                .run(move || password::verify(&given, Some(&stored)))
                .await?;
            if !ok {
                return Err(ApiError::invalid(
                    "password",
                    "you already have an account: give its password to join",
                ));
            }
            None
        }
    };
    state
        .db
        .write(move |conn| {
            let inv = sessions::invitation_by_hash(conn, &token_hash)?.ok_or_else(invalid)?;
            let user = users::by_id(conn, inv.user_id)?.ok_or_else(invalid)?;
            // A password set since it was checked above (another link used
            // meanwhile): this link must not replace it.
            if new_hash.is_some() && user.password_hash.is_some() {
                return Err(invalid());
            }
            if inv.accepted_at.is_some()
                || inv.expires_at <= now
                || !sessions::accept_invitation(conn, inv.id, now)?
            {
                return Err(invalid());
            }
            users::join(conn, inv.site_id, inv.user_id, now)?;
            if let Some(hash) = &new_hash {
                users::set_password(conn, inv.user_id, hash, now)?;
                sessions::revoke_all_sessions(conn, inv.user_id, "password set from invitation", now)?;
            }
            Ok(())
        })
        .await
}

/// Mails a reset link if the address has an account. The caller is
/// answered before any of that work starts, so the answer waits on nothing
/// that depends on the address: its timing cannot tell who has an account.
/// The work runs on this worker after the answer, at most
/// `RESETS_IN_FLIGHT` at once.
pub async fn forgot_password(state: &AppState, client: IpAddr, email: &str) -> Result<(), ApiError> {
    state.limits.per_client.check(client)?;
    let Ok(email) = Email::parse(email) else {
        return Ok(());
    };
    let Ok(place) = state.limits.resets.clone().try_acquire_owned() else {
        return Err(ApiError::too_many_requests(
            "Many password resets are being handled. Try again in a moment.",
            2,
        ));
    };
    let (db, notifier) = (state.db.clone(), state.notifier.clone());
    actix_web::rt::spawn(async move {
        let _place = place;
        let now = clock::now_naive();
        let sent = db
            .write(move |conn| {
                let Some(user) = users::by_email(conn, email.as_str())? else {
                    return Ok(());
                };
                if sessions::recent_resets(conn, user.id, now - Duration::hours(1))? >= RESETS_PER_HOUR {
                    return Ok(());
                }
                let (token, hash) = secret::generate();
                sessions::insert_password_reset(
                    conn,
                    user.id,
                    &hash,
                    now,
                    now + Duration::minutes(RESET_MINUTES),
                )?;
                notifier.password_reset(conn, &user, &token, now)?;
                Ok(())
            })
            .await;
        if let Err(e) = sent {
            tracing::warn!(error = %e, "a password reset could not be started");
        }
    });
    Ok(())
}

/// Sets a new password from a reset link; every session ends, and so do
/// the other reset links and the calendar-feed link.
pub async fn reset_password(
    state: &AppState,
    client: IpAddr,
    token: &str,
    new: &str,
) -> Result<(), ApiError> {
    state.limits.per_client.check(client)?;
    let new = domain::person::new_password("password", new)?;
    let hash = state
        .limits
        .passwords
        .run(move || password::hash(&new))
        .await?
        .map_err(ApiError::internal)?;
    let token_hash = secret::hash(token);
    let now = clock::now_naive();
    state
        .db
        .write(move |conn| {
            let user_id = sessions::use_password_reset(conn, &token_hash, now)?.ok_or_else(|| {
                ApiError::invalid(
                    "token",
                    "this reset link is not valid, was used already, or has expired",
                )
            })?;
            users::set_password(conn, user_id, &hash, now)?;
            sessions::end_password_resets(conn, user_id, now)?;
            sessions::clear_failures_of_user(conn, user_id)?;
            crate::workflows::calendar_feed::revoke(conn, user_id, now)?;
            sessions::revoke_all_sessions(conn, user_id, "password reset", now)
        })
        .await
}
