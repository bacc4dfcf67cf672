//! `/api/v1/sites/{site}/rota`: shift templates, unavailability, the
//! generated draft, publishing, swaps, and the published rota (public,
//! also as iCalendar), plus personal calendar feeds and a person's day.

use std::collections::BTreeMap;

use actix_web::{HttpResponse, delete, get, post, put, web};
use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::json::ApiJson;
use super::views::utc;
use crate::auth::AuthUser;
use crate::clock;
use crate::domain::Invalid;
use crate::domain::interval::Interval;
use crate::domain::invalid::text;
use crate::domain::local_time::{
    format_clock, local_date, parse_clock, parse_weekday, resolve_lenient, weekday_name,
};
use crate::domain::resource::pool_name;
use crate::errors::ApiError;
use crate::mail::ics::{self, CalendarEvent};
use crate::state::AppState;
use crate::store::access::site_access;
use crate::store::rota::{self as store, NewTemplate, Shift};
use crate::store::{bookings as booking_store, sites};
use crate::workflows::calendar_feed::{self, FeedEntry};
use crate::workflows::rota::{self as flow, OpenPosition, Published};
use crate::workflows::rota_inputs;
use crate::workflows::schedule::{ItemKind, posted_day};

#[derive(Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateInput {
    /// `mon` ... `sun`.
    pub weekday: String,
    /// Site-local `HH:MM`.
    pub start: String,
    pub end: String,
    pub positions: i64,
    /// e.g. "首问接待 First-contact reception".
    pub label: String,
    /// The desks booked for the people on this shift.
    pub desk_pool: Option<String>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum TemplatesInput {
    List(Vec<TemplateInput>),
    Wrapped { templates: Vec<TemplateInput> },
}

fn template_out(t: &store::Template) -> TemplateInput {
    TemplateInput {
        weekday: weekday_name(
            chrono::Weekday::try_from(t.weekday.clamp(0, 6) as u8).unwrap_or(chrono::Weekday::Mon),
        )
        .to_owned(),
        start: format_clock(t.start_minute.max(0) as u32),
        end: format_clock(t.end_minute.max(0) as u32),
        positions: i64::from(t.positions),
        label: t.label.clone(),
        desk_pool: t.desk_pool.clone(),
    }
}

/// Replaces the weekly shift templates (site admin).
#[utoipa::path(
    tag = "rota",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "The site's slug")),
    request_body = Vec<TemplateInput>,
    responses((status = 200, body = Vec<TemplateInput>), (status = 422, content_type = "application/problem+json"))
)]
#[put("/api/v1/sites/{site}/rota/templates")]
pub async fn put_templates(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: ApiJson<TemplatesInput>,
) -> Result<HttpResponse, ApiError> {
    let slug = path.into_inner();
    let list = match body.into_inner() {
        TemplatesInput::List(l) | TemplatesInput::Wrapped { templates: l } => l,
    };
    if list.len() > 100 {
        return Err(ApiError::invalid("templates", "at most 100 templates"));
    }
    let mut invalid = Invalid::default();
    let mut parsed = Vec::new();
    for (i, t) in list.iter().enumerate() {
        let weekday = invalid.collect(parse_weekday(&format!("[{i}].weekday"), &t.weekday));
        let start = invalid.collect(parse_clock(&format!("[{i}].start"), &t.start));
        let end = invalid.collect(parse_clock(&format!("[{i}].end"), &t.end));
        let label = invalid.collect(text(&format!("[{i}].label"), &t.label, 100));
        let pool = match &t.desk_pool {
            Some(p) => invalid.collect(pool_name(p)).map(Some),
            None => Some(None),
        };
        if !(1..=20).contains(&t.positions) {
            invalid.push(format!("[{i}].positions"), "must be between 1 and 20");
        }
        if let (Some(s), Some(e)) = (start, end)
            && s >= e
        {
            invalid.push(format!("[{i}].end"), "must be after start");
        }
        if let (Some(w), Some(s), Some(e), Some(l), Some(p)) = (weekday, start, end, label, pool) {
            parsed.push(NewTemplate {
                weekday: w.num_days_from_monday() as i32,
                start_minute: s as i32,
                end_minute: e as i32,
                positions: t.positions as i32,
                label: l,
                desk_pool: p,
            });
        }
    }
    invalid.into_result()?;
    let saved = state
        .db
        .write(move |conn| {
            let access = site_access(conn, &slug, &user)?;
            rota_inputs::replace_templates(conn, &access, &parsed)
        })
        .await?;
    Ok(HttpResponse::Ok().json(saved.iter().map(template_out).collect::<Vec<_>>()))
}

/// The weekly shift templates (any member).
#[utoipa::path(
    tag = "rota",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "The site's slug")),
    responses((status = 200, body = Vec<TemplateInput>))
)]
#[get("/api/v1/sites/{site}/rota/templates")]
pub async fn get_templates(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let slug = path.into_inner();
    let list = state
        .db
        .read(move |conn| {
            let access = site_access(conn, &slug, &user)?;
            store::templates(conn, access.site.id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(list.iter().map(template_out).collect::<Vec<_>>()))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnavailabilityInput {
    #[schema(value_type = String, format = DateTime)]
    pub starts_at: DateTime<FixedOffset>,
    #[schema(value_type = String, format = DateTime)]
    pub ends_at: DateTime<FixedOffset>,
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

fn unavailability_view(u: &store::Unavailability) -> UnavailabilityView {
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
    let period = Interval::new(b.starts_at.with_timezone(&Utc), b.ends_at.with_timezone(&Utc))?;
    if period.duration() > Duration::days(366) {
        return Err(ApiError::invalid("ends_at", "at most 366 days at a time"));
    }
    let reason = text("reason", &b.reason, 200)?;
    let now = clock::now_naive();
    let row = state
        .db
        .write(move |conn| {
            let access = site_access(conn, &slug, &user)?;
            rota_inputs::add_unavailability(conn, &access, b.user_id, period, &reason, now)
        })
        .await?;
    Ok(HttpResponse::Created().json(unavailability_view(&row)))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DateRange {
    /// First local date (default: today).
    #[param(value_type = Option<String>, format = Date)]
    pub from: Option<NaiveDate>,
    /// Last local date (default: four weeks on).
    #[param(value_type = Option<String>, format = Date)]
    pub to: Option<NaiveDate>,
}

fn range(q: &DateRange, today: NaiveDate, days: i64) -> Result<(NaiveDate, NaiveDate), ApiError> {
    let from = q.from.unwrap_or(today);
    let to = q.to.unwrap_or(from + Duration::days(days));
    if to < from {
        return Err(ApiError::invalid("to", "must not be before from"));
    }
    if (to - from).num_days() > 366 {
        return Err(ApiError::invalid("to", "a period spans at most 366 days"));
    }
    Ok((from, to))
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
    query: web::Query<DateRange>,
) -> Result<HttpResponse, ApiError> {
    let slug = path.into_inner();
    let q = query.into_inner();
    let now = clock::now();
    let rows = state
        .db
        .read(move |conn| {
            let access = site_access(conn, &slug, &user)?;
            let tz = access.site.tz();
            let (from, to) = range(&q, local_date(tz, now), 28)?;
            let window = Interval::of(
                resolve_lenient(tz, from.and_hms_opt(0, 0, 0).expect("midnight")),
                resolve_lenient(
                    tz,
                    (to + Duration::days(1)).and_hms_opt(0, 0, 0).expect("midnight"),
                ),
            );
            let rows = store::unavailability_within(conn, access.site.id, window)?;
            Ok(rows
                .into_iter()
                .filter(|r| access.is_admin() || r.user_id == user.id)
                .collect::<Vec<_>>())
        })
        .await?;
    Ok(HttpResponse::Ok().json(rows.iter().map(unavailability_view).collect::<Vec<_>>()))
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

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PeriodInput {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Person {
    pub id: i64,
    pub name: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ShiftView {
    pub id: i64,
    pub date: NaiveDate,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub label: String,
    pub positions: i32,
    /// The draft (what the next publication will freeze).
    pub assignees: Vec<Person>,
    /// As published (absent until the first publication).
    pub published: Option<Vec<Person>>,
    pub published_version: Option<i32>,
    /// Someone offered this shift for a swap.
    pub offered_by: Option<i64>,
}

fn shift_view(s: &Shift, names: &BTreeMap<i64, String>) -> ShiftView {
    let people = |ids: Vec<i64>| {
        ids.into_iter()
            .map(|id| Person {
                id,
                name: names.get(&id).cloned().unwrap_or_default(),
            })
            .collect()
    };
    ShiftView {
        id: s.id,
        date: s.date,
        starts_at: utc(s.starts_at),
        ends_at: utc(s.ends_at),
        label: s.label.clone(),
        positions: s.positions,
        assignees: people(s.draft()),
        published: s.published().map(people),
        published_version: s.published_version,
        offered_by: s.offered_by,
    }
}

fn names_for(conn: &mut crate::db::DbConn, shifts: &[Shift]) -> Result<BTreeMap<i64, String>, ApiError> {
    let mut ids: Vec<i64> = shifts
        .iter()
        .flat_map(|s| s.draft().into_iter().chain(s.published().unwrap_or_default()))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    Ok(booking_store::user_names(conn, &ids)?.into_iter().collect())
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Draft {
    pub shifts: Vec<ShiftView>,
    /// Positions the generator could not fill, each with its reason.
    pub unfilled: Vec<OpenPosition>,
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
            let (shifts, unfilled) = flow::generate(conn, &access, b.from, b.to, now)?;
            let names = names_for(conn, &shifts)?;
            Ok(Draft {
                shifts: shifts.iter().map(|s| shift_view(s, &names)).collect(),
                unfilled,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(draft))
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
    query: web::Query<DateRange>,
) -> Result<HttpResponse, ApiError> {
    let slug = path.into_inner();
    let q = query.into_inner();
    let now = clock::now();
    let views = state
        .db
        .read(move |conn| {
            let access = site_access(conn, &slug, &user)?;
            access.require_staff_or_admin()?;
            let (from, to) = range(&q, local_date(access.site.tz(), now), 28)?;
            let shifts = store::shifts_between(conn, access.site.id, from, to)?;
            let names = names_for(conn, &shifts)?;
            Ok(shifts.iter().map(|s| shift_view(s, &names)).collect::<Vec<_>>())
        })
        .await?;
    Ok(HttpResponse::Ok().json(views))
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
    /// Rules the edit breaks (allowed: it is the admin's call).
    pub warnings: Vec<String>,
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
            Ok(EditedShift {
                shift: shift_view(&shift, &names),
                warnings,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(v))
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
            flow::publish(conn, &access, b.from, b.to, &notifier, now)
        })
        .await?;
    Ok(HttpResponse::Ok().json(published))
}

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
    let now = clock::now();
    let v = state
        .db
        .write(move |conn| {
            let access = site_access(conn, &slug, &user)?;
            let shift = flow::offer(conn, &access, id, now)?;
            let names = names_for(conn, std::slice::from_ref(&shift))?;
            Ok(shift_view(&shift, &names))
        })
        .await?;
    Ok(HttpResponse::Ok().json(v))
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
    let now = clock::now();
    let v = state
        .db
        .write(move |conn| {
            let access = site_access(conn, &slug, &user)?;
            let shift = flow::take(conn, &access, id, now)?;
            let names = names_for(conn, std::slice::from_ref(&shift))?;
            Ok(shift_view(&shift, &names))
        })
        .await?;
    Ok(HttpResponse::Ok().json(v))
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
#[utoipa::path(
    tag = "rota",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "The site's slug")),
    responses((status = 200, body = Vec<SwapView>))
)]
#[get("/api/v1/sites/{site}/rota/swaps")]
pub async fn swaps(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let slug = path.into_inner();
    let rows = state
        .db
        .read(move |conn| {
            let access = site_access(conn, &slug, &user)?;
            access.require_admin()?;
            store::swaps_of_site(conn, access.site.id, 500)
        })
        .await?;
    Ok(HttpResponse::Ok().json(
        rows.iter()
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
            .collect::<Vec<_>>(),
    ))
}

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
    conn: &mut crate::db::DbConn,
    site_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<PublicShift>, ApiError> {
    let shifts = store::published_between(conn, site_id, from, to)?;
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
    query: web::Query<DateRange>,
) -> Result<HttpResponse, ApiError> {
    let slug = path.into_inner();
    let q = query.into_inner();
    let now = clock::now();
    let shifts = state
        .db
        .read(move |conn| {
            let site = sites::by_slug(conn, &slug)?.ok_or_else(|| ApiError::not_found("site"))?;
            let (from, to) = range(&q, local_date(site.tz(), now), 28)?;
            published_shifts(conn, site.id, from, to)
        })
        .await?;
    Ok(HttpResponse::Ok().json(PublicRota { shifts }))
}

fn calendar_response(body: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/calendar; charset=utf-8")
        .body(body)
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
            let shifts = store::published_between(
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
                    }
                })
                .collect();
            Ok(ics::calendar(&format!("{} rota", site.name), &events))
        })
        .await?;
    Ok(calendar_response(body))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct FeedLink {
    /// Subscribe to this URL in a calendar app; keep it secret.
    pub url: String,
}

/// Creates (or replaces) the caller's personal calendar feed link. The old
/// link stops working.
#[utoipa::path(tag = "rota", security(("bearer" = [])), responses((status = 201, body = FeedLink)))]
#[post("/api/v1/me/calendar-feed")]
pub async fn create_feed(state: web::Data<AppState>, user: AuthUser) -> Result<HttpResponse, ApiError> {
    let now = clock::now_naive();
    let id = user.id;
    let token = state
        .db
        .write(move |conn| calendar_feed::create_link(conn, id, now))
        .await?;
    Ok(HttpResponse::Created().json(FeedLink {
        url: format!("{}/api/v1/calendar/{token}.ics", state.notifier.public_url),
    }))
}

/// Revokes the caller's personal calendar feed link.
#[utoipa::path(tag = "rota", security(("bearer" = [])), responses((status = 204)))]
#[delete("/api/v1/me/calendar-feed")]
pub async fn revoke_feed(state: web::Data<AppState>, user: AuthUser) -> Result<HttpResponse, ApiError> {
    let now = clock::now_naive();
    let id = user.id;
    state
        .db
        .write(move |conn| calendar_feed::revoke(conn, id, now))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A feed entry as an event; the uids stay the same from one fetch to the
/// next so calendar apps update events instead of adding them again.
fn feed_event(entry: FeedEntry, user_id: i64, host: &str) -> CalendarEvent {
    let (uid, summary, location, starts_at, ends_at) = match entry {
        FeedEntry::Booking {
            id,
            resource,
            purpose,
            starts_at,
            ends_at,
        } => (
            format!("booking-{id}@{host}"),
            format!("{resource}: {purpose}"),
            resource,
            starts_at,
            ends_at,
        ),
        FeedEntry::Duty {
            duty_id,
            date,
            name,
            site_name,
            starts_at,
            ends_at,
        } => (
            format!("duty-{duty_id}-{date}-{user_id}@{host}"),
            name,
            site_name,
            starts_at,
            ends_at,
        ),
        FeedEntry::Shift {
            shift_id,
            label,
            site_name,
            starts_at,
            ends_at,
        } => (
            format!("shift-{shift_id}-{user_id}@{host}"),
            label,
            site_name,
            starts_at,
            ends_at,
        ),
    };
    CalendarEvent {
        uid,
        summary,
        description: None,
        location: Some(location),
        starts_at,
        ends_at,
        cancelled: false,
    }
}

/// A personal feed: one person's desk shifts, bookings and duties, by its
/// secret link.
#[utoipa::path(
    tag = "rota",
    params(("token" = String, Path, description = "The secret of the feed link")),
    responses((status = 200, content_type = "text/calendar", body = String), (status = 404, content_type = "application/problem+json"))
)]
#[get("/api/v1/calendar/{token}.ics")]
pub async fn personal_feed(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let token = path.into_inner();
    let now = clock::now();
    let feed = state
        .db
        .read(move |conn| calendar_feed::personal(conn, &token, now))
        .await?;
    let host = &state.notifier.host;
    let events: Vec<CalendarEvent> = feed
        .entries
        .into_iter()
        .map(|entry| feed_event(entry, feed.user_id, host))
        .collect();
    Ok(calendar_response(ics::calendar("livingroom", &events)))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DayQuery {
    /// The local date (default: today).
    #[param(value_type = Option<String>, format = Date)]
    pub date: Option<NaiveDate>,
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
/// computer and desk bookings (public; no purposes shown).
#[utoipa::path(
    tag = "rota",
    params(("site" = String, Path, description = "The site's slug"), ("user_id" = i64, Path), DayQuery),
    responses((status = 200, body = Schedule), (status = 404, content_type = "application/problem+json"))
)]
#[get("/api/v1/sites/{site}/people/{user_id}/schedule")]
pub async fn schedule(
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    query: web::Query<DayQuery>,
) -> Result<HttpResponse, ApiError> {
    let (slug, user_id) = path.into_inner();
    let date = query.into_inner().date;
    let now = clock::now();
    let day = state
        .db
        .read(move |conn| {
            let site = sites::by_slug(conn, &slug)?.ok_or_else(|| ApiError::not_found("site"))?;
            posted_day(conn, &site, user_id, date, now)
        })
        .await?;
    Ok(HttpResponse::Ok().json(Schedule {
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
    }))
}
