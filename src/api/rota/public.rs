//! The wall board's data: the published rota (as JSON and as an iCalendar
//! feed), which anyone may read, and a staff member's posted day, which the
//! site's members may.

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{DateRange, names_for};
use crate::api::views::{calendar_response, site_json, utc};
use crate::auth::AuthUser;
use crate::clock;
use crate::db::DbConn;
use crate::domain::local_time::local_date;
use crate::errors::ApiError;
use crate::mail::ics::{self, CalendarEvent};
use crate::state::AppState;
use crate::store;
use crate::store::access::site_access;
use crate::store::sites;
use crate::workflows::schedule::{ItemKind, posted_day};
use actix_web::http::StatusCode;

#[derive(Serialize, utoipa::ToSchema)]
pub struct PublicName {
    pub name: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct PublicShift {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub label: String,
    pub assignees: Vec<PublicName>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct PublicRota {
    pub shifts: Vec<PublicShift>,
}

fn published_shifts(
    conn: &mut DbConn,
    site_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<PublicShift>, ApiError> {
    let shifts = store::rota::published_between(conn, site_id, from, to)?;
    let names = names_for(conn, &shifts)?;
    Ok(shifts
        .iter()
        .map(|s| PublicShift {
            starts_at: utc(s.starts_at),
            ends_at: utc(s.ends_at),
            label: s.label.clone(),
            assignees: s
                .published()
                .unwrap_or_default()
                .iter()
                .map(|id| PublicName {
                    name: names.get(id).cloned().unwrap_or_default(),
                })
                .collect(),
        })
        .collect())
}

/// The published rota: public, no sign-in, display names only.
#[utoipa::path(
    tag = "rota",
    params(("site" = String, Path, description = "The site's slug"), DateRange),
    responses((status = 200, body = PublicRota), (status = 404, content_type = "application/problem+json"))
)]
#[get("/api/v1/sites/{site}/rota")]
pub async fn public_rota(
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: crate::api::query::ApiQuery<DateRange>,
) -> Result<HttpResponse, ApiError> {
    let slug = path.into_inner();
    let q = query.into_inner();
    let now = clock::now();
    let shifts = state
        .db
        .read(move |conn| {
            let site = sites::by_slug(conn, &slug)?.ok_or_else(|| ApiError::not_found("site"))?;
            let period = q.period(local_date(site.tz(), now))?;
            Ok((
                site.tz(),
                published_shifts(conn, site.id, period.first(), period.last())?,
            ))
        })
        .await?;
    site_json(StatusCode::OK, shifts.0, &PublicRota { shifts: shifts.1 })
}

/// The published rota as an iCalendar feed (public).
#[utoipa::path(
    tag = "rota",
    params(("site" = String, Path, description = "The site's slug")),
    responses((status = 200, content_type = "text/calendar", body = String), (status = 404, content_type = "application/problem+json"))
)]
#[get("/api/v1/sites/{site}/rota.ics")]
pub async fn rota_ics(state: web::Data<AppState>, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let slug = path.into_inner();
    let now = clock::now();
    let host = state.notifier.host.clone();
    let body = state
        .db
        .read(move |conn| {
            let site = sites::by_slug(conn, &slug)?.ok_or_else(|| ApiError::not_found("site"))?;
            let today = local_date(site.tz(), now);
            let shifts = store::rota::published_between(
                conn,
                site.id,
                today - Duration::days(30),
                today + Duration::days(120),
            )?;
            let names = names_for(conn, &shifts)?;
            let events: Vec<CalendarEvent> = shifts
                .iter()
                .map(|s| {
                    let people: Vec<String> = s
                        .published()
                        .unwrap_or_default()
                        .iter()
                        .map(|id| names.get(id).cloned().unwrap_or_default())
                        .collect();
                    CalendarEvent {
                        uid: format!("shift-{}@{host}", s.id),
                        summary: format!("{}: {}", s.label, people.join(", ")),
                        description: None,
                        location: Some(site.name.clone()),
                        starts_at: s.starts_at.and_utc(),
                        ends_at: s.ends_at.and_utc(),
                        cancelled: false,
                        sequence: 0,
                    }
                })
                .collect();
            Ok(ics::calendar(&format!("{} rota", site.name), &events))
        })
        .await?;
    Ok(calendar_response(body))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DayQuery {
    /// The local date (default: today).
    #[param(value_type = Option<String>, format = Date)]
    pub date: Option<crate::domain::window::Date>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ScheduleItem {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// A desk shift's label, or the computer's or desk's name.
    pub what: String,
    /// `desk_shift` or `booking`.
    pub kind: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Schedule {
    pub date: NaiveDate,
    pub name: String,
    pub items: Vec<ScheduleItem>,
}

/// A staff member's day as posted on the bulletin board: desk shifts and
/// computer and desk bookings (no purposes shown). For the site's members
/// only: the bookings say where a person sits and when, which the public
/// rota does not, and anyone could walk the ids.
#[utoipa::path(
    tag = "rota",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "The site's slug"), ("user_id" = i64, Path), DayQuery),
    responses(
        (status = 200, body = Schedule),
        (status = 401, content_type = "application/problem+json"),
        (status = 404, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/sites/{site}/people/{user_id}/schedule")]
pub async fn schedule(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, i64)>,
    query: crate::api::query::ApiQuery<DayQuery>,
) -> Result<HttpResponse, ApiError> {
    let (slug, user_id) = path.into_inner();
    let date = query.into_inner().date.map(|d| d.date());
    let now = clock::now();
    let day = state
        .db
        .read(move |conn| {
            let access = site_access(conn, &slug, &user)?;
            Ok((
                access.site.tz(),
                posted_day(conn, &access.site, user_id, date, now)?,
            ))
        })
        .await?;
    let (tz, day) = day;
    let schedule = Schedule {
        date: day.date,
        name: day.name,
        items: day
            .items
            .into_iter()
            .map(|i| ScheduleItem {
                starts_at: i.starts_at,
                ends_at: i.ends_at,
                what: i.what,
                kind: match i.kind {
                    ItemKind::DeskShift => "desk_shift",
                    ItemKind::Booking => "booking",
                }
                .into(),
            })
            .collect(),
    };
    site_json(StatusCode::OK, tz, &schedule)
}
