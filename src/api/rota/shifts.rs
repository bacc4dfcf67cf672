//! The draft: generating it for a period, listing and editing its shifts,
//! and publishing it.

use actix_web::{HttpResponse, get, post, put, web};
use serde::{Deserialize, Serialize};

use super::{DateRange, ShiftView, names_for, shift_view};
use crate::api::json::ApiJson;
use crate::api::views::site_json;
use crate::auth::AuthUser;
use crate::clock;
use crate::domain::local_time::local_date;
use crate::errors::ApiError;
use crate::state::AppState;
use crate::store::access::site_access;
use crate::workflows;
use crate::workflows::rota::{self as flow, CalendarDrop, OpenPosition, Published};
use actix_web::http::StatusCode;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PeriodInput {
    #[schema(value_type = chrono::NaiveDate)]
    pub from: crate::domain::window::Date,
    #[schema(value_type = chrono::NaiveDate)]
    pub to: crate::domain::window::Date,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Draft {
    pub shifts: Vec<ShiftView>,
    /// Positions the generator could not fill, each with its reason.
    pub unfilled: Vec<OpenPosition>,
    /// Published shifts on days the calendar no longer works (a holiday
    /// set after they were made): the next publication drops them.
    pub calendar_drops: Vec<CalendarDrop>,
}

/// Generates a fair draft for a period (site admin).
#[utoipa::path(
    tag = "rota",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "The site's slug")),
    request_body = PeriodInput,
    responses((status = 200, body = Draft), (status = 422, content_type = "application/problem+json"))
)]
#[post("/api/v1/sites/{site}/rota/generate")]
pub async fn generate(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: ApiJson<PeriodInput>,
) -> Result<HttpResponse, ApiError> {
    let slug = path.into_inner();
    let b = body.into_inner();
    let now = clock::now();
    let draft = state
        .db
        .write(move |conn| {
            let access = site_access(conn, &slug, &user)?;
            let drafted = flow::generate(conn, &access, b.from.date(), b.to.date(), now)?;
            let names = names_for(conn, &drafted.shifts)?;
            let draft = Draft {
                shifts: drafted.shifts.iter().map(|s| shift_view(s, &names)).collect(),
                unfilled: drafted.unfilled,
                calendar_drops: drafted.calendar_drops,
            };
            Ok((access.site.tz(), draft))
        })
        .await?;
    site_json(StatusCode::OK, draft.0, &draft.1)
}

/// The draft and published state of every shift in a period (site admin).
#[utoipa::path(
    tag = "rota",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "The site's slug"), DateRange),
    responses((status = 200, body = Vec<ShiftView>))
)]
#[get("/api/v1/sites/{site}/rota/shifts")]
pub async fn list_shifts(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    query: crate::api::query::ApiQuery<DateRange>,
) -> Result<HttpResponse, ApiError> {
    let slug = path.into_inner();
    let q = query.into_inner();
    let now = clock::now();
    let views = state
        .db
        .read(move |conn| {
            let access = site_access(conn, &slug, &user)?;
            let period = q.period(local_date(access.site.tz(), now))?;
            let shifts = workflows::rota_read::shifts(conn, &access, period)?;
            let names = names_for(conn, &shifts)?;
            let views = shifts.iter().map(|s| shift_view(s, &names)).collect::<Vec<_>>();
            Ok((access.site.tz(), views))
        })
        .await?;
    site_json(StatusCode::OK, views.0, &views.1)
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShiftEdit {
    /// Staff user ids.
    pub assignees: Vec<i64>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct EditedShift {
    pub shift: ShiftView,
    /// Rules the edit breaks (allowed: it is the admin's call), in the
    /// admin's language, naming people and the shift's local date and time.
    pub warnings: Vec<String>,
    /// The code of each warning, in the same order: `unavailable`,
    /// `overlapping_shift`, `weekly_limit`, `no_senior`, `new_person_alone`.
    pub warning_codes: Vec<String>,
}

/// Sets who is on a draft shift (site admin).
#[utoipa::path(
    tag = "rota",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "The site's slug"), ("id" = i64, Path)),
    request_body = ShiftEdit,
    responses((status = 200, body = EditedShift), (status = 422, content_type = "application/problem+json"))
)]
#[put("/api/v1/sites/{site}/rota/shifts/{id}")]
pub async fn edit_shift(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, i64)>,
    body: ApiJson<ShiftEdit>,
) -> Result<HttpResponse, ApiError> {
    let (slug, id) = path.into_inner();
    let b = body.into_inner();
    let v = state
        .db
        .write(move |conn| {
            let access = site_access(conn, &slug, &user)?;
            let (shift, warnings) = flow::edit(conn, &access, id, &b.assignees)?;
            let names = names_for(conn, std::slice::from_ref(&shift))?;
            let edited = EditedShift {
                shift: shift_view(&shift, &names),
                warnings: warnings.texts,
                warning_codes: warnings.codes,
            };
            Ok((access.site.tz(), edited))
        })
        .await?;
    site_json(StatusCode::OK, v.0, &v.1)
}

/// Publishes a period: a new version, desks booked, changed people mailed.
#[utoipa::path(
    tag = "rota",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "The site's slug")),
    request_body = PeriodInput,
    responses((status = 200, body = Published), (status = 422, content_type = "application/problem+json"))
)]
#[post("/api/v1/sites/{site}/rota/publish")]
pub async fn publish(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: ApiJson<PeriodInput>,
) -> Result<HttpResponse, ApiError> {
    let slug = path.into_inner();
    let b = body.into_inner();
    let now = clock::now();
    let notifier = state.notifier.clone();
    let published = state
        .db
        .write(move |conn| {
            let access = site_access(conn, &slug, &user)?;
            Ok((
                access.site.tz(),
                flow::publish(conn, &access, b.from.date(), b.to.date(), &notifier, now)?,
            ))
        })
        .await?;
    site_json(StatusCode::OK, published.0, &published.1)
}
