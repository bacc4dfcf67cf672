//! `/api/v1/auth/*` and `/api/v1/me`: signing in and out, and who am I.

use actix_web::{HttpResponse, get, patch, post, put, web};
use serde::{Deserialize, Serialize};

use super::json::ApiJson;
use crate::auth::client::ClientAddress;
use crate::auth::{AuthUser, flows};
use crate::domain::Invalid;
use crate::domain::person::{self, Language, Role};
use crate::errors::ApiError;
use crate::state::AppState;
use crate::store::users;
use crate::workflows;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    /// The refresh token from the last login or refresh.
    pub refresh_token: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct TokenResponse {
    /// A JWT to send as `Authorization: Bearer ...`.
    pub access_token: String,
    /// Single-use: each refresh returns a new one.
    pub refresh_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: i64,
}

impl From<flows::IssuedTokens> for TokenResponse {
    fn from(t: flows::IssuedTokens) -> Self {
        TokenResponse {
            access_token: t.access_token,
            refresh_token: t.refresh_token,
            token_type: "Bearer",
            expires_in: t.expires_in,
        }
    }
}

/// Signs in with e-mail and password.
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, body = TokenResponse),
        (status = 401, description = "Wrong e-mail or password", content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts from this address, at this account or in all; or the server is busy checking passwords. `Retry-After` says when to try again.", content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/auth/login")]
pub async fn login(
    state: web::Data<AppState>,
    client: ClientAddress,
    body: ApiJson<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let tokens = flows::login(&state, client.0, &body.email, &body.password).await?;
    Ok(HttpResponse::Ok().json(TokenResponse::from(tokens)))
}

/// Trades a refresh token for a new pair. The old refresh token stops
/// working; presenting it again ends the whole session.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    responses((status = 200, body = TokenResponse), (status = 401, content_type = "application/problem+json"))
)]
#[post("/api/v1/auth/refresh")]
pub async fn refresh(
    state: web::Data<AppState>,
    body: ApiJson<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    let tokens = flows::refresh(&state, &body.into_inner().refresh_token).await?;
    Ok(HttpResponse::Ok().json(TokenResponse::from(tokens)))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LogoutRequest {
    /// The refresh token from the last login or refresh.
    pub refresh_token: String,
    /// End every session of the token's owner (every device, the web pages
    /// too), not only this one: for a lost phone or a shared PC left signed in.
    #[serde(default)]
    pub everywhere: bool,
}

/// Ends the session the refresh token belongs to, or with `everywhere`
/// every session of its owner. An unknown token is ignored.
#[utoipa::path(tag = "auth", request_body = LogoutRequest, responses((status = 204)))]
#[post("/api/v1/auth/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    body: ApiJson<LogoutRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    flows::logout(&state, &body.refresh_token, body.everywhere).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct MembershipView {
    /// The site's slug, as used in URLs.
    pub site: String,
    /// The site's display name.
    pub site_name: String,
    pub roles: Vec<Role>,
    /// Experienced staff, paired with new staff on the rota.
    pub senior: bool,
    /// The skills given this site (each site keeps its own).
    pub skills: Vec<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Me {
    pub id: i64,
    pub email: String,
    /// The name as she gives it (e.g. `林阿姨`).
    pub name: String,
    /// The name in a second language, when she gives one (e.g. `Auntie Lin`).
    pub other_name: Option<String>,
    pub language: Language,
    /// Every skill given any of the person's sites, once each; what each
    /// site has is in `memberships`.
    pub skills: Vec<String>,
    /// Runs the deployment (creates sites).
    pub is_operator: bool,
    pub memberships: Vec<MembershipView>,
}

/// Reads the caller afresh: after a change of name the token's copy is old.
fn me_view(conn: &mut crate::db::DbConn, user_id: i64) -> Result<Me, ApiError> {
    let user = users::by_id(conn, user_id)?.ok_or_else(|| ApiError::not_found("user"))?;
    let mut memberships = Vec::new();
    for (site, site_name, m) in users::memberships_of(conn, user_id)? {
        let skills = users::skills(conn, m.site_id, user_id)?;
        memberships.push(MembershipView {
            site,
            site_name,
            roles: m.roles().to_vec(),
            senior: m.senior,
            skills,
        });
    }
    Ok(Me {
        id: user.id,
        language: user.language(),
        is_operator: user.is_operator,
        email: user.email,
        name: user.name,
        other_name: user.other_name,
        skills: users::own_skills(conn, user_id)?,
        memberships,
    })
}

/// The signed-in user with their memberships.
#[utoipa::path(tag = "auth", security(("bearer" = [])), responses((status = 200, body = Me), (status = 401, content_type = "application/problem+json")))]
#[get("/api/v1/me")]
pub async fn me(state: web::Data<AppState>, user: AuthUser) -> Result<HttpResponse, ApiError> {
    let user_id = user.id;
    let view = state.db.read(move |conn| me_view(conn, user_id)).await?;
    Ok(HttpResponse::Ok().json(view))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MyNames {
    /// The name as she gives it; omit to keep it.
    pub name: Option<String>,
    /// The name in a second language; omit to keep it, `null` to remove it.
    #[serde(default, deserialize_with = "crate::domain::invalid::clear_or_keep")]
    #[schema(value_type = Option<String>)]
    pub other_name: Option<Option<String>>,
}

/// Changes the caller's own name and second-language name.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    request_body = MyNames,
    responses(
        (status = 200, body = Me),
        (status = 401, content_type = "application/problem+json"),
        (status = 422, content_type = "application/problem+json"),
    )
)]
#[patch("/api/v1/me")]
pub async fn patch_me(
    state: web::Data<AppState>,
    user: AuthUser,
    body: ApiJson<MyNames>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let mut invalid = Invalid::default();
    let name = match &body.name {
        Some(n) => invalid.collect(person::person_name(n)).map(Some),
        None => Some(None),
    };
    let other_name = match &body.other_name {
        Some(Some(o)) => invalid.collect(person::other_name(o)).map(|o| Some(Some(o))),
        Some(None) => Some(Some(None)),
        None => Some(None),
    };
    invalid.into_result()?;
    let (name, other_name) = (name.expect("checked"), other_name.expect("checked"));
    let user_id = user.id;
    let view = state
        .db
        .write(move |conn| {
            workflows::me::set_names(conn, user_id, name, other_name)?;
            me_view(conn, user_id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    /// 8 to 256 characters.
    pub new_password: String,
}

/// Changes the caller's password and ends all their sessions.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    request_body = PasswordChange,
    responses(
        (status = 204),
        (status = 422, content_type = "application/problem+json"),
        (status = 429, description = "Too many wrong current passwords from this address; `Retry-After` says when to try again", content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/me/password")]
pub async fn change_password(
    state: web::Data<AppState>,
    client: ClientAddress,
    user: AuthUser,
    body: ApiJson<PasswordChange>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    flows::change_password(
        &state,
        client.0,
        user.id,
        &body.current_password,
        &body.new_password,
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptInvite {
    /// The token from the invitation mail.
    pub token: String,
    /// A new password (8 to 256 characters) for someone without one; for
    /// someone who has an account already, the password they have, which
    /// stays as it is.
    pub password: String,
}

/// Accepts an invitation from its one-time token and joins its site:
/// setting a first password, or confirming with the one the person has.
#[utoipa::path(
    tag = "auth",
    request_body = AcceptInvite,
    responses(
        (status = 204),
        (status = 422, description = "Invalid or expired token, weak password, or not the account's password", content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts from this address, or the server is busy", content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/auth/accept-invite")]
pub async fn accept_invite(
    state: web::Data<AppState>,
    client: ClientAddress,
    body: ApiJson<AcceptInvite>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    flows::accept_invite(&state, client.0, &body.token, &body.password).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ForgotPassword {
    pub email: String,
}

/// Mails a password-reset link. Answers 202 whether or not the address has
/// an account, before looking.
#[utoipa::path(
    tag = "auth",
    request_body = ForgotPassword,
    responses(
        (status = 202),
        (status = 429, description = "Too many requests from this address, or the server is busy", content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/auth/forgot-password")]
pub async fn forgot_password(
    state: web::Data<AppState>,
    client: ClientAddress,
    body: ApiJson<ForgotPassword>,
) -> Result<HttpResponse, ApiError> {
    flows::forgot_password(&state, client.0, &body.into_inner().email).await?;
    Ok(HttpResponse::Accepted().finish())
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetPassword {
    /// The token from the reset mail.
    pub token: String,
    pub password: String,
}

/// Sets a new password from a reset token; every session of the account ends.
#[utoipa::path(
    tag = "auth",
    request_body = ResetPassword,
    responses(
        (status = 204),
        (status = 422, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts from this address, or the server is busy", content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/auth/reset-password")]
pub async fn reset_password(
    state: web::Data<AppState>,
    client: ClientAddress,
    body: ApiJson<ResetPassword>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    flows::reset_password(&state, client.0, &body.token, &body.password).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// How the caller is told of each kind of notice. Security mail
/// (invitations, password resets) always goes out and is not listed.
#[derive(Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MailPreferences {
    /// Kind code -> wanted by e-mail: the same settings as
    /// `channels.email`, kept for older clients. On PUT, kinds left out
    /// keep their setting.
    #[serde(default)]
    pub kinds: std::collections::BTreeMap<String, bool>,
    /// Channel code -> kind code -> wanted. `email` is the one channel
    /// today (SMS is planned: docs/notifications.md); a site's group-chat
    /// robots are the site's, not a person's. On PUT, applied after `kinds`;
    /// what is left out keeps its setting.
    #[serde(default)]
    pub channels: workflows::me::NoticeSettings,
}

impl MailPreferences {
    fn of(channels: workflows::me::NoticeSettings) -> MailPreferences {
        MailPreferences {
            kinds: channels.get("email").cloned().unwrap_or_default(),
            channels,
        }
    }
}

/// The caller's mail preferences.
#[utoipa::path(tag = "auth", security(("bearer" = [])), responses((status = 200, body = MailPreferences)))]
#[get("/api/v1/me/notifications")]
pub async fn get_notifications(state: web::Data<AppState>, user: AuthUser) -> Result<HttpResponse, ApiError> {
    let id = user.id;
    let channels = state
        .db
        .read(move |conn| workflows::me::notice_settings(conn, id))
        .await?;
    Ok(HttpResponse::Ok().json(MailPreferences::of(channels)))
}

/// Turns kinds of notice on or off, per channel.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    request_body = MailPreferences,
    responses((status = 200, body = MailPreferences), (status = 422, content_type = "application/problem+json"))
)]
#[put("/api/v1/me/notifications")]
pub async fn put_notifications(
    state: web::Data<AppState>,
    user: AuthUser,
    body: ApiJson<MailPreferences>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let id = user.id;
    let channels = state
        .db
        .write(move |conn| {
            workflows::me::set_mail_preferences(conn, id, body.kinds)?;
            workflows::me::set_notice_settings(conn, id, body.channels)
        })
        .await?;
    Ok(HttpResponse::Ok().json(MailPreferences::of(channels)))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LanguageChange {
    /// The language of the caller's pages and mail from now on.
    pub language: Language,
}

/// Sets the language of the caller's pages and mail.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    request_body = LanguageChange,
    responses((status = 204), (status = 422, content_type = "application/problem+json"))
)]
#[put("/api/v1/me/language")]
pub async fn put_language(
    state: web::Data<AppState>,
    user: AuthUser,
    body: ApiJson<LanguageChange>,
) -> Result<HttpResponse, ApiError> {
    let (id, language) = (user.id, body.into_inner().language);
    state
        .db
        .write(move |conn| workflows::me::set_language(conn, id, language))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
