//! `AuthUser`: the signed-in caller, from `Authorization: Bearer <jwt>`.
//! The token must verify and its session must still be live, so logout and
//! password changes take effect at once, not when the token expires.

use actix_web::dev::Payload;
use actix_web::http::header::AUTHORIZATION;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;

use crate::domain::person::Language;
use crate::domain::policy::Caller;
use crate::errors::ApiError;
use crate::state::AppState;
use crate::store::sessions;

/// The authenticated caller of a request.
#[derive(Clone, Debug)]
pub struct AuthUser {
    /// The user's id.
    pub id: i64,
    /// The session the access token belongs to (for logout of this device).
    pub session_id: i64,
    /// For `/me` and audit entries.
    pub email: String,
    /// The display name.
    pub name: String,
    /// Operators run the deployment: create sites, read every site.
    pub is_operator: bool,
    /// District observers read every site's reports and boards.
    pub is_observer: bool,
    /// The language mail to this user is written in.
    pub language: Language,
}

impl From<&AuthUser> for Caller {
    fn from(user: &AuthUser) -> Caller {
        Caller {
            user_id: user.id,
            operator: user.is_operator,
            observer: user.is_observer,
        }
    }
}

impl AuthUser {
    /// The caller, from the account of a live session.
    pub fn of(user: crate::store::users::User, session_id: i64) -> AuthUser {
        AuthUser {
            id: user.id,
            session_id,
            language: user.language(),
            email: user.email,
            name: user.name,
            is_operator: user.is_operator,
            is_observer: user.is_observer,
        }
    }

    pub fn require_operator(&self) -> Result<(), ApiError> {
        if self.is_operator {
            Ok(())
        } else {
            Err(ApiError::forbidden("Only a deployment operator may do this."))
        }
    }
}

fn bearer(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
        .filter(|t| !t.is_empty())
}

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<AuthUser, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        // The token is checked now, the session in a read of its own.
        let verified = verify_bearer(req);
        let state = req.app_data::<web::Data<AppState>>().cloned();
        Box::pin(async move {
            let Bearer { user_id, session_id } = verified?;
            let state = state.ok_or_else(|| ApiError::internal(anyhow::anyhow!("no app state")))?;
            let user = state
                .db
                .read(move |conn| sessions::user_of_live_session(conn, session_id, user_id))
                .await?
                .ok_or_else(session_ended)?;
            Ok(AuthUser::of(user, session_id))
        })
    }
}

pub fn session_ended() -> ApiError {
    ApiError::unauthorized("This session has ended; sign in again.")
}

/// A verified access token whose session has not been looked up yet: for
/// the busiest writes (a booking), which check the session inside their
/// own transaction, in the statement that reads the site and the caller's
/// membership, instead of in a read of its own first (a trip to the
/// blocking pool and a pooled connection on SQLite, a connection and a
/// round trip on PostgreSQL). A revoked session is refused all the same,
/// and at once: [`crate::store::access::site_access_in_session`].
#[derive(Clone, Copy, Debug)]
pub struct Bearer {
    pub user_id: i64,
    pub session_id: i64,
}

impl FromRequest for Bearer {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Bearer, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(verify_bearer(req))
    }
}

fn verify_bearer(req: &HttpRequest) -> Result<Bearer, ApiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("no app state")))?;
    let token = bearer(req).ok_or_else(|| {
        ApiError::unauthorized("Sign in and send the access token as 'Authorization: Bearer <token>'.")
    })?;
    let claims = state
        .jwt
        .verify(&token)
        .map_err(|_| ApiError::unauthorized("The access token is invalid or has expired."))?;
    let user_id: i64 = claims
        .sub
        .parse()
        .map_err(|_| ApiError::unauthorized("The access token is invalid."))?;
    Ok(Bearer {
        user_id,
        session_id: claims.sid,
    })
}
