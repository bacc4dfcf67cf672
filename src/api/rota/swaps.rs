//! Swaps: offering one's published shift, taking an offered one, and the
//! swap history.

use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{ShiftView, names_for, shift_view};
use crate::api::views::{site_json, utc};
use crate::auth::AuthUser;
use crate::clock;
use crate::errors::ApiError;
use crate::state::AppState;
use crate::store::access::site_access;
use crate::workflows;
use crate::workflows::rota as flow;
use actix_web::http::StatusCode;

/// Offers one's published shift to colleagues.
#[utoipa::path(
    tag = "rota",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "The site's slug"), ("id" = i64, Path)),
    responses((status = 200, body = ShiftView), (status = 409, content_type = "application/problem+json"))
)]
#[post("/api/v1/sites/{site}/rota/shifts/{id}/offer")]
pub async fn offer(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (slug, id) = path.into_inner();
    let (now, notifier) = (clock::now(), state.notifier.clone());
    let v = state
        .db
        .write(move |conn| {
            let access = site_access(conn, &slug, &user)?;
            let shift = flow::offer(conn, &access, id, &notifier, now)?;
            let names = names_for(conn, std::slice::from_ref(&shift))?;
            Ok((access.site.tz(), shift_view(&shift, &names)))
        })
        .await?;
    site_json(StatusCode::OK, v.0, &v.1)
}

/// Takes a shift a colleague offered, subject to the rota's rules.
#[utoipa::path(
    tag = "rota",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "The site's slug"), ("id" = i64, Path)),
    responses((status = 200, body = ShiftView), (status = 409, content_type = "application/problem+json"))
)]
#[post("/api/v1/sites/{site}/rota/shifts/{id}/take")]
pub async fn take(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (slug, id) = path.into_inner();
    let (now, notifier) = (clock::now(), state.notifier.clone());
    let v = state
        .db
        .write(move |conn| {
            let access = site_access(conn, &slug, &user)?;
            let shift = flow::take(conn, &access, id, &notifier, now)?;
            let names = names_for(conn, std::slice::from_ref(&shift))?;
            Ok((access.site.tz(), shift_view(&shift, &names)))
        })
        .await?;
    site_json(StatusCode::OK, v.0, &v.1)
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SwapView {
    pub shift_id: i64,
    pub label: String,
    pub starts_at: DateTime<Utc>,
    pub from_user: i64,
    pub to_user: Option<i64>,
    pub offered_at: DateTime<Utc>,
    pub taken_at: Option<DateTime<Utc>>,
    /// Set when nobody took it before the start and the admin was told.
    pub flagged_at: Option<DateTime<Utc>>,
}

/// The swap history (site admin), newest first.
// Named `list_swaps` in Rust (its module is `swaps`); `swaps` in the document.
#[utoipa::path(
    tag = "rota",
    operation_id = "swaps",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "The site's slug")),
    responses((status = 200, body = Vec<SwapView>))
)]
#[get("/api/v1/sites/{site}/rota/swaps")]
pub async fn list_swaps(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let slug = path.into_inner();
    let rows = state
        .db
        .read(move |conn| {
            let access = site_access(conn, &slug, &user)?;
            Ok((access.site.tz(), workflows::rota_read::swaps(conn, &access)?))
        })
        .await?;
    let (tz, rows) = rows;
    let views = rows
        .iter()
        .map(|(w, s)| SwapView {
            shift_id: s.id,
            label: s.label.clone(),
            starts_at: utc(s.starts_at),
            from_user: w.from_user,
            to_user: w.to_user,
            offered_at: utc(w.offered_at),
            taken_at: w.taken_at.map(utc),
            flagged_at: w.flagged_at.map(utc),
        })
        .collect::<Vec<_>>();
    site_json(StatusCode::OK, tz, &views)
}
