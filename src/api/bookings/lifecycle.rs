//! A booking's life: cancel, approve or reject, check in.

use actix_web::{HttpResponse, delete, post, web};

use super::*;
use crate::api::json::MaybeJson;
use crate::auth::AuthUser;
use crate::clock;
use crate::errors::ApiError;
use crate::state::AppState;
use crate::store::access::site_access;
use crate::workflows::bookings::{self as flow};

/// Cancels a booking (its owner or an admin); the slot is free at once.
#[utoipa::path(
    tag = "bookings",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "The site's slug"), ("id" = i64, Path)),
    responses(
        (status = 204),
        (status = 403, content_type = "application/problem+json"),
        (status = 404, content_type = "application/problem+json"),
        (status = 409, description = "Already cancelled or ended, or its time is over", content_type = "application/problem+json"),
    )
)]
#[delete("/api/v1/sites/{site}/bookings/{id}")]
pub async fn cancel_booking(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (slug, id) = path.into_inner();
    let now = clock::now();
    let notifier = state.notifier.clone();
    state
        .db
        .write(move |conn| {
            let access = site_access(conn, &slug, &user)?;
            flow::cancel(conn, &access, id, &notifier, now).map(|_| ())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn decide(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, i64)>,
    approve: bool,
    reason: Option<String>,
) -> Result<HttpResponse, ApiError> {
    let (slug, id) = path.into_inner();
    let now = clock::now();
    let notifier = state.notifier.clone();
    let v = state
        .db
        .write(move |conn| {
            let access = site_access(conn, &slug, &user)?;
            let b = flow::approve_or_reject(conn, &access, id, approve, reason.as_deref(), &notifier, now)?;
            Ok((access.site.tz(), view(&access, &b, None, None)))
        })
        .await?;
    site_json(StatusCode::OK, v.0, &v.1)
}

/// Approves a pending booking (site admin).
#[utoipa::path(
    tag = "bookings",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "The site's slug"), ("id" = i64, Path)),
    responses((status = 200, body = BookingView), (status = 409, content_type = "application/problem+json"))
)]
#[post("/api/v1/sites/{site}/bookings/{id}/approve")]
pub async fn approve_booking(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, ApiError> {
    decide(state, user, path, true, None).await
}

/// Why a booking is not approved; the body may be left out.
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RejectInput {
    /// Told to the requester in the mail, in these words (at most 500
    /// characters).
    pub reason: Option<String>,
}

/// Rejects a pending booking (site admin); the slot is free again. The
/// optional body gives the requester a reason.
#[utoipa::path(
    tag = "bookings",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "The site's slug"), ("id" = i64, Path)),
    request_body(content = Option<RejectInput>, description = "Optional: the reason for the requester"),
    responses((status = 200, body = BookingView), (status = 409, content_type = "application/problem+json"))
)]
#[post("/api/v1/sites/{site}/bookings/{id}/reject")]
pub async fn reject_booking(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, i64)>,
    body: MaybeJson<RejectInput>,
) -> Result<HttpResponse, ApiError> {
    let reason = body.0.and_then(|b| b.reason);
    decide(state, user, path, false, reason).await
}

/// The owner checks in, from 10 minutes before the start. Computer and
/// desk bookings not checked in within the release time are released.
#[utoipa::path(
    tag = "bookings",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "The site's slug"), ("id" = i64, Path)),
    responses((status = 200, body = BookingView), (status = 409, content_type = "application/problem+json"))
)]
#[post("/api/v1/sites/{site}/bookings/{id}/check-in")]
pub async fn check_in(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (slug, id) = path.into_inner();
    let now = clock::now();
    let notifier = state.notifier.clone();
    let v = state
        .db
        .write(move |conn| {
            let access = site_access(conn, &slug, &user)?;
            let b = flow::check_in(conn, &access, id, &notifier, now)?;
            Ok((access.site.tz(), view(&access, &b, None, None)))
        })
        .await?;
    site_json(StatusCode::OK, v.0, &v.1)
}
