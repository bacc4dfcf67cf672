//! Weekly series: read one, edit its coming dates, cancel it.

use actix_web::{HttpResponse, delete, get, patch, web};
use serde::{Deserialize, Serialize};

use super::*;
use crate::api::json::ApiJson;
use crate::auth::AuthUser;
use crate::clock;
use crate::domain::booking::{self};
use crate::errors::ApiError;
use crate::state::AppState;
use crate::store;
use crate::store::access::{SiteAccess, site_access};

use crate::store::groups;
use crate::workflows::bookings::{self as flow, SeriesChange};

#[derive(Serialize, utoipa::ToSchema)]
pub struct SeriesView {
    pub id: i64,
    pub resource_id: i64,
    pub group_id: Option<i64>,
    pub group_name: Option<String>,
    /// The weekly pattern in site-local time.
    pub pattern: serde_json::Value,
    pub occurrences: Vec<BookingView>,
}

fn series_view(conn: &mut crate::db::DbConn, access: &SiteAccess, id: i64) -> Result<SeriesView, ApiError> {
    let series = store::bookings::series_by_id(conn, access.site.id, id)?;
    let occurrences = store::bookings::series_occurrences(conn, series.id)?;
    let group_name = match series.group_id {
        Some(g) => Some(groups::by_id(conn, access.site.id, g)?.name),
        None => None,
    };
    Ok(SeriesView {
        id: series.id,
        resource_id: series.resource_id,
        group_id: series.group_id,
        group_name,
        pattern: serde_json::from_str(&series.pattern).unwrap_or(serde_json::Value::Null),
        occurrences: occurrences.iter().map(|b| view(access, b, None, None)).collect(),
    })
}

/// A weekly series with all its occurrences (any member).
#[utoipa::path(
    tag = "bookings",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "The site's slug"), ("id" = i64, Path)),
    responses((status = 200, body = SeriesView), (status = 404, content_type = "application/problem+json"))
)]
#[get("/api/v1/sites/{site}/booking-series/{id}")]
pub async fn get_series(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (slug, id) = path.into_inner();
    let v = state
        .db
        .read(move |conn| {
            let access = site_access(conn, &slug, &user)?;
            Ok((access.site.tz(), series_view(conn, &access, id)?))
        })
        .await?;
    site_json(StatusCode::OK, v.0, &v.1)
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SeriesEdit {
    pub purpose: Option<String>,
    pub headcount: Option<i64>,
}

/// Edits the future, still active occurrences of a series; cancelled
/// occurrences stay cancelled.
#[utoipa::path(
    tag = "bookings",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "The site's slug"), ("id" = i64, Path)),
    request_body = SeriesEdit,
    responses((status = 200, body = SeriesView), (status = 404, content_type = "application/problem+json"))
)]
#[patch("/api/v1/sites/{site}/booking-series/{id}")]
pub async fn edit_series(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, i64)>,
    body: ApiJson<SeriesEdit>,
) -> Result<HttpResponse, ApiError> {
    let (slug, id) = path.into_inner();
    let body = body.into_inner();
    let purpose = body.purpose.as_deref().map(booking::purpose).transpose()?;
    let headcount = body.headcount.map(booking::headcount).transpose()?;
    let change = SeriesChange { purpose, headcount };
    let now = clock::now();
    let v = state
        .db
        .write(move |conn| {
            let access = site_access(conn, &slug, &user)?;
            let series = flow::edit_series(conn, &access, id, &change, now)?;
            Ok((access.site.tz(), series_view(conn, &access, series.id)?))
        })
        .await?;
    site_json(StatusCode::OK, v.0, &v.1)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SeriesCancelQuery {
    /// Cancel occurrences on or after this site-local date (today or
    /// later; what has begun is kept); absent: every occurrence that has
    /// not started yet.
    #[param(value_type = Option<String>, format = Date)]
    pub from: Option<crate::domain::window::Date>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SeriesCancelled {
    pub cancelled: Vec<i64>,
}

/// Cancels a series whole, or from a date on (owner or admin).
#[utoipa::path(
    tag = "bookings",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "The site's slug"), ("id" = i64, Path), SeriesCancelQuery),
    responses(
        (status = 200, body = SeriesCancelled),
        (status = 404, content_type = "application/problem+json"),
        (status = 409, description = "`from` is a past date", content_type = "application/problem+json"),
    )
)]
#[delete("/api/v1/sites/{site}/booking-series/{id}")]
pub async fn cancel_series(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, i64)>,
    query: crate::api::query::ApiQuery<SeriesCancelQuery>,
) -> Result<HttpResponse, ApiError> {
    let (slug, id) = path.into_inner();
    let from = query.into_inner().from.map(|d| d.date());
    let now = clock::now();
    let notifier = state.notifier.clone();
    let cancelled = state
        .db
        .write(move |conn| {
            let access = site_access(conn, &slug, &user)?;
            flow::cancel_series(conn, &access, id, from, &notifier, now)
        })
        .await?;
    Ok(HttpResponse::Ok().json(SeriesCancelled { cancelled }))
}
