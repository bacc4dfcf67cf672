//! Times someone cannot take desk shifts: recording, listing and removing
//! them.

use actix_web::{HttpResponse, delete, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::DateRange;
use crate::api::json::ApiJson;
use crate::api::views::{site_json, utc};
use crate::auth::AuthUser;
use crate::clock;
use crate::domain::invalid::text;
use crate::domain::local_time::local_date;
use crate::domain::period::{Period, PeriodOf};
use crate::errors::ApiError;
use crate::state::AppState;
use crate::store;
use crate::store::access::site_access;
use crate::workflows;
use crate::workflows::rota_inputs;
use actix_web::http::StatusCode;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnavailabilityInput {
    #[schema(value_type = String, format = DateTime)]
    pub starts_at: crate::domain::window::Instant,
    #[schema(value_type = String, format = DateTime)]
    pub ends_at: crate::domain::window::Instant,
    /// Leave, training, a booked home visit...
    pub reason: String,
    /// Whose (admins only; default: the caller).
    pub user_id: Option<i64>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct UnavailabilityView {
    pub id: i64,
    pub user_id: i64,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub reason: String,
}

fn unavailability_view(u: &store::rota::Unavailability) -> UnavailabilityView {
    UnavailabilityView {
        id: u.id,
        user_id: u.user_id,
        starts_at: utc(u.starts_at),
        ends_at: utc(u.ends_at),
        reason: u.reason.clone(),
    }
}

/// Records a time someone cannot take desk shifts (own; admins for anyone).
#[utoipa::path(
    tag = "rota",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "The site's slug")),
    request_body = UnavailabilityInput,
    responses((status = 201, body = UnavailabilityView), (status = 422, content_type = "application/problem+json"))
)]
#[post("/api/v1/sites/{site}/rota/unavailability")]
pub async fn add_unavailability(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: ApiJson<UnavailabilityInput>,
) -> Result<HttpResponse, ApiError> {
    let slug = path.into_inner();
    let b = body.into_inner();
    let period = Period::new(
        PeriodOf::Absence,
        b.starts_at.with_timezone(&Utc),
        b.ends_at.with_timezone(&Utc),
    )?;
    let reason = text("reason", &b.reason, 200)?;
    let now = clock::now_naive();
    let row = state
        .db
        .write(move |conn| {
            let access = site_access(conn, &slug, &user)?;
            let row = rota_inputs::add_unavailability(conn, &access, b.user_id, period, &reason, now)?;
            Ok((access.site.tz(), row))
        })
        .await?;
    site_json(StatusCode::CREATED, row.0, &unavailability_view(&row.1))
}

/// Unavailability: admins see everyone's, others their own.
#[utoipa::path(
    tag = "rota",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "The site's slug"), DateRange),
    responses((status = 200, body = Vec<UnavailabilityView>))
)]
#[get("/api/v1/sites/{site}/rota/unavailability")]
pub async fn list_unavailability(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    query: crate::api::query::ApiQuery<DateRange>,
) -> Result<HttpResponse, ApiError> {
    let slug = path.into_inner();
    let q = query.into_inner();
    let now = clock::now();
    let rows = state
        .db
        .read(move |conn| {
            let access = site_access(conn, &slug, &user)?;
            let tz = access.site.tz();
            let window = q.period(local_date(tz, now))?.instants(tz);
            Ok((tz, workflows::rota_read::unavailability(conn, &access, window)?))
        })
        .await?;
    let views = rows.1.iter().map(unavailability_view).collect::<Vec<_>>();
    site_json(StatusCode::OK, rows.0, &views)
}

/// Removes an unavailability (its person or an admin).
#[utoipa::path(
    tag = "rota",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "The site's slug"), ("id" = i64, Path)),
    responses((status = 204), (status = 404, content_type = "application/problem+json"))
)]
#[delete("/api/v1/sites/{site}/rota/unavailability/{id}")]
pub async fn delete_unavailability(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (slug, id) = path.into_inner();
    state
        .db
        .write(move |conn| {
            let access = site_access(conn, &slug, &user)?;
            rota_inputs::remove_unavailability(conn, &access, id)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
