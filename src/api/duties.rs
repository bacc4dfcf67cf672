//! `/api/v1/sites/{site}/duties`: volunteer weekly duty, the site calendar
//! and the volunteer-hours report.

use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};
use chrono::{Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::json::ApiJson;
use super::views::site_json;
use super::waitlist::wants_csv;
use crate::auth::AuthUser;
use crate::clock;
use crate::domain::Invalid;
use crate::domain::calendar::SiteCalendar;
use crate::domain::csv::Csv;
use crate::domain::duty::DutyPattern;
use crate::domain::invalid::text;
use crate::domain::local_time::{local_date, parse_clock, parse_weekday};
use crate::domain::period::DatePeriod;
use crate::domain::person::Skill;
use crate::domain::window::Date;
use crate::errors::ApiError;
use crate::state::AppState;
use crate::store;
use crate::store::access::site_access;
use crate::store::{calendar, sites};
use crate::workflows;
use crate::workflows::duties::{self as flow, DutyInput, HoursReport, OccurrenceView, RoomConflict};
use actix_web::http::StatusCode;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDutyInput {
    /// e.g. "量血压 Blood-pressure check".
    pub name: String,
    /// `mon` ... `sun`.
    pub weekday: String,
    /// Site-local wall time `HH:MM`.
    pub start: String,
    pub end: String,
    /// Volunteers per occurrence.
    pub capacity: i64,
    /// A skill every volunteer must have (`medical`, `legal`, `labour`).
    pub skill: Option<String>,
    /// The room or corner each occurrence holds.
    pub resource_id: Option<i64>,
    /// First date (default: today).
    #[schema(value_type = Option<chrono::NaiveDate>)]
    pub from: Option<crate::domain::window::Date>,
    /// Last date (default: open-ended).
    #[schema(value_type = Option<chrono::NaiveDate>)]
    pub until: Option<crate::domain::window::Date>,
    /// Weeks between occurrences: 1 (default) every week, 2 every other
    /// week from the first, up to 4.
    pub every_weeks: Option<i64>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct DutyView {
    pub id: i64,
    pub name: String,
    pub weekday: String,
    pub start: String,
    pub end: String,
    pub capacity: i32,
    pub skill: Option<String>,
    pub resource_id: Option<i64>,
    pub from: NaiveDate,
    pub until: Option<NaiveDate>,
    /// Weeks between occurrences (1: every week).
    pub every_weeks: i32,
    /// Dates where the room was already booked, so the duty does not hold
    /// it then (reported when the series is created).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conflicts: Option<Vec<RoomConflict>>,
}

fn duty_view(d: &store::duties::Duty, conflicts: Option<Vec<RoomConflict>>) -> DutyView {
    let p = d.pattern();
    DutyView {
        id: d.id,
        name: d.name.clone(),
        weekday: crate::domain::local_time::weekday_name(p.weekday).to_owned(),
        start: crate::domain::local_time::format_clock(p.start_minute),
        end: crate::domain::local_time::format_clock(p.end_minute),
        capacity: d.capacity,
        skill: d.skill.clone(),
        resource_id: d.resource_id,
        from: d.from_date,
        until: d.until_date,
        every_weeks: d.every_weeks,
        conflicts,
    }
}

/// Creates a weekly duty series (site admin). With a `resource_id` each
/// occurrence holds that room; dates where it is taken are reported.
#[utoipa::path(
    tag = "duties",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "The site's slug")),
    request_body = NewDutyInput,
    responses((status = 201, body = DutyView), (status = 422, content_type = "application/problem+json"))
)]
#[post("/api/v1/sites/{site}/duties")]
pub async fn create_duty(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: ApiJson<NewDutyInput>,
) -> Result<HttpResponse, ApiError> {
    let slug = path.into_inner();
    let b = body.into_inner();
    let mut invalid = Invalid::default();
    let name = invalid.collect(text("name", &b.name, 100));
    let weekday = invalid.collect(parse_weekday("weekday", &b.weekday));
    let start = invalid.collect(parse_clock("start", &b.start));
    let end = invalid.collect(parse_clock("end", &b.end));
    if !(1..=1000).contains(&b.capacity) {
        invalid.push("capacity", "must be between 1 and 1000");
    }
    let skill = match &b.skill {
        Some(s) => invalid
            .collect(Skill::parse("skill", s))
            .map(|s| Some(s.as_str().to_owned())),
        None => Some(None),
    };
    invalid.into_result()?;
    let now = clock::now();
    let view = state
        .db
        .write(move |conn| {
            let access = site_access(conn, &slug, &user)?;
            let today = local_date(access.site.tz(), now);
            let pattern = DutyPattern {
                weekday: weekday.expect("checked"),
                start_minute: start.expect("checked"),
                end_minute: end.expect("checked"),
                from: b.from.map_or(today, |d| d.date()),
                until: b.until.map(|d| d.date()),
                every_weeks: u32::try_from(b.every_weeks.unwrap_or(1)).unwrap_or(0),
            };
            pattern.validate()?;
            let input = DutyInput {
                name: name.expect("checked"),
                pattern,
                capacity: b.capacity as i32,
                skill: skill.flatten(),
                resource_id: b.resource_id,
            };
            let (duty, conflicts) = flow::create(conn, &access, input, now)?;
            Ok((access.site.tz(), duty_view(&duty, Some(conflicts))))
        })
        .await?;
    site_json(StatusCode::CREATED, view.0, &view.1)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PeriodQuery {
    /// First local date (default: today).
    #[param(value_type = Option<String>, format = Date)]
    pub from: Option<crate::domain::window::Date>,
    /// Last local date (default: a week after `from`; at most 366 days on).
    #[param(value_type = Option<String>, format = Date)]
    pub to: Option<crate::domain::window::Date>,
}

/// The period of a volunteer-hours report: by default the last 30 days,
/// today included (a report looks back).
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct HoursQuery {
    /// First local date (default: 30 days before today).
    #[param(value_type = Option<String>, format = Date)]
    pub from: Option<crate::domain::window::Date>,
    /// Last local date (default: today; at most 366 days after `from`).
    #[param(value_type = Option<String>, format = Date)]
    pub to: Option<crate::domain::window::Date>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct DutyList {
    pub occurrences: Vec<OccurrenceView>,
}

/// The duty occurrences of a period, with who is on and free places.
/// Public, no sign-in: display names only.
#[utoipa::path(
    tag = "duties",
    params(("site" = String, Path, description = "The site's slug"), HoursQuery),
    responses((status = 200, body = DutyList), (status = 404, content_type = "application/problem+json"))
)]
#[get("/api/v1/sites/{site}/duties")]
pub async fn list_duties(
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: crate::api::query::ApiQuery<PeriodQuery>,
) -> Result<HttpResponse, ApiError> {
    let slug = path.into_inner();
    let q = query.into_inner();
    let now = clock::now();
    let occurrences = state
        .db
        .read(move |conn| {
            let site = sites::by_slug(conn, &slug)?.ok_or_else(|| ApiError::not_found("site"))?;
            let period = DatePeriod::query(
                q.from.map(|d| d.date()),
                q.to.map(|d| d.date()),
                local_date(site.tz(), now),
                7,
            )?;
            let occurrences = flow::list(conn, &site, period.first(), period.last(), false)?;
            Ok((site.tz(), occurrences))
        })
        .await?;
    site_json(
        StatusCode::OK,
        occurrences.0,
        &DutyList {
            occurrences: occurrences.1,
        },
    )
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignupInput {
    /// `weekly` (every week until withdrawn) or `once`.
    pub scope: String,
    /// With `once`: the date.
    #[schema(value_type = Option<chrono::NaiveDate>)]
    pub date: Option<crate::domain::window::Date>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SignupView {
    pub id: i64,
    pub duty_id: i64,
    pub volunteer_id: i64,
    pub scope: String,
    pub from: NaiveDate,
    pub until: Option<NaiveDate>,
}

fn signup_view(s: &store::duties::Signup) -> SignupView {
    SignupView {
        id: s.id,
        duty_id: s.duty_id,
        volunteer_id: s.volunteer_id,
        scope: s.scope.clone(),
        from: s.from_date,
        until: s.until_date,
    }
}

/// Signs the caller (a volunteer) up, every week or once.
#[utoipa::path(
    tag = "duties",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "The site's slug"), ("id" = i64, Path)),
    request_body = SignupInput,
    responses(
        (status = 201, body = SignupView),
        (status = 409, description = "Full, or you are busy then", content_type = "application/problem+json"),
        (status = 422, description = "Missing skill or no such date", content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/sites/{site}/duties/{id}/signups")]
pub async fn sign_up(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, i64)>,
    body: ApiJson<SignupInput>,
) -> Result<HttpResponse, ApiError> {
    let (slug, id) = path.into_inner();
    let b = body.into_inner();
    let once = match (b.scope.as_str(), b.date.map(|d| d.date())) {
        ("weekly", None) => None,
        ("once", Some(d)) => Some(d),
        ("once", None) => return Err(ApiError::invalid("date", "a one-off sign-up names its date")),
        ("weekly", Some(_)) => return Err(ApiError::invalid("date", "a weekly sign-up has no date")),
        _ => return Err(ApiError::invalid("scope", "must be weekly or once")),
    };
    let now = clock::now();
    let notifier = state.notifier.clone();
    let s = state
        .db
        .write(move |conn| {
            let access = site_access(conn, &slug, &user)?;
            flow::sign_up(conn, &access, id, once, &notifier, now)
        })
        .await?;
    Ok(HttpResponse::Created().json(signup_view(&s)))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct WithdrawQuery {
    /// The first date no longer covered: today or later, and not a date
    /// whose duty has begun (default: the first date whose duty has not).
    #[param(value_type = Option<String>, format = Date)]
    pub from: Option<crate::domain::window::Date>,
}

/// Ends a sign-up from a date on (its volunteer or an admin); history stays.
#[utoipa::path(
    tag = "duties",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "The site's slug"), ("id" = i64, Path), ("signup_id" = i64, Path), WithdrawQuery),
    responses(
        (status = 204),
        (status = 404, content_type = "application/problem+json"),
        (status = 409, description = "The sign-up has already ended, or `from` is a date whose duty has begun or passed", content_type = "application/problem+json"),
    )
)]
#[delete("/api/v1/sites/{site}/duties/{id}/signups/{signup_id}")]
pub async fn withdraw(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, i64, i64)>,
    query: crate::api::query::ApiQuery<WithdrawQuery>,
) -> Result<HttpResponse, ApiError> {
    let (slug, id, signup_id) = path.into_inner();
    let from = query.into_inner().from.map(|d| d.date());
    let now = clock::now();
    state
        .db
        .write(move |conn| {
            let access = site_access(conn, &slug, &user)?;
            flow::withdraw(conn, &access, id, signup_id, from, now)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AbsenceInput {
    #[schema(value_type = chrono::NaiveDate)]
    pub date: crate::domain::window::Date,
    pub reason: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct AbsenceView {
    pub duty_id: i64,
    pub date: NaiveDate,
    /// How many volunteers were asked to cover.
    pub cover_requests_sent: usize,
}

/// The caller cannot come on one date: that place is freed (the standing
/// sign-up continues) and offered at once to volunteers with the skill.
#[utoipa::path(
    tag = "duties",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "The site's slug"), ("id" = i64, Path)),
    request_body = AbsenceInput,
    responses((status = 201, body = AbsenceView), (status = 409, content_type = "application/problem+json"))
)]
#[post("/api/v1/sites/{site}/duties/{id}/absences")]
pub async fn absence(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, i64)>,
    body: ApiJson<AbsenceInput>,
) -> Result<HttpResponse, ApiError> {
    let (slug, id) = path.into_inner();
    let b = body.into_inner();
    let reason = b.reason.as_deref().map(|r| text("reason", r, 200)).transpose()?;
    let now = clock::now();
    let notifier = state.notifier.clone();
    let date = b.date.date();
    let sent = state
        .db
        .write(move |conn| {
            let access = site_access(conn, &slug, &user)?;
            flow::absence(conn, &access, id, date, reason.as_deref(), &notifier, now)
        })
        .await?;
    Ok(HttpResponse::Created().json(AbsenceView {
        duty_id: id,
        date,
        cover_requests_sent: sent,
    }))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttendanceInput {
    #[schema(value_type = chrono::NaiveDate)]
    pub date: crate::domain::window::Date,
    pub volunteer_id: i64,
    /// `attended` or `no_show`.
    pub status: String,
}

/// Staff record whether a volunteer came (after the duty began).
#[utoipa::path(
    tag = "duties",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "The site's slug"), ("id" = i64, Path)),
    request_body = AttendanceInput,
    responses((status = 204), (status = 422, content_type = "application/problem+json"))
)]
#[post("/api/v1/sites/{site}/duties/{id}/attendance")]
pub async fn attendance(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, i64)>,
    body: ApiJson<AttendanceInput>,
) -> Result<HttpResponse, ApiError> {
    let (slug, id) = path.into_inner();
    let b = body.into_inner();
    let attended = match b.status.as_str() {
        "attended" => true,
        "no_show" => false,
        _ => return Err(ApiError::invalid("status", "must be attended or no_show")),
    };
    let now = clock::now();
    state
        .db
        .write(move |conn| {
            let access = site_access(conn, &slug, &user)?;
            flow::mark(conn, &access, id, b.date.date(), b.volunteer_id, attended, now)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Volunteer hours per volunteer and per duty (site admin), JSON or CSV.
#[utoipa::path(
    tag = "duties",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "The site's slug"), HoursQuery),
    responses(
        (status = 200, description = "The report; as CSV (one line per volunteer and duty) with `Accept: text/csv`",
            content((HoursReport = "application/json"), (String = "text/csv"))),
        (status = 403, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/sites/{site}/reports/volunteer-hours")]
pub async fn volunteer_hours(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    query: crate::api::query::ApiQuery<HoursQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let slug = path.into_inner();
    let q = query.into_inner();
    let now = clock::now();
    let report = state
        .db
        .read(move |conn| {
            let access = site_access(conn, &slug, &user)?;
            let today = local_date(access.site.tz(), now);
            let from = q.from.map_or(today - Duration::days(30), |d| d.date());
            let period = DatePeriod::new(from, q.to.map_or(today, |d| d.date()))?;
            flow::hours(conn, &access, period)
        })
        .await?;
    if wants_csv(&req) {
        let mut csv = Csv::new(&["kind", "id", "name", "hours", "attended", "no_shows"]);
        for v in &report.volunteers {
            csv.row(&[
                "volunteer".into(),
                v.volunteer_id.to_string(),
                v.name.clone(),
                format!("{:.2}", v.hours),
                v.attended.to_string(),
                v.no_shows.to_string(),
            ]);
        }
        for d in &report.duties {
            csv.row(&[
                "duty".into(),
                d.duty_id.to_string(),
                d.name.clone(),
                format!("{:.2}", d.hours),
                String::new(),
                String::new(),
            ]);
        }
        return Ok(HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((
                "Content-Disposition",
                "attachment; filename=\"volunteer-hours.csv\"",
            ))
            .body(csv.finish()));
    }
    Ok(HttpResponse::Ok().json(report))
}

#[derive(Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CalendarInput {
    /// Public holidays: no rota, no duties.
    #[serde(default)]
    #[schema(value_type = Vec<chrono::NaiveDate>)]
    pub holidays: Vec<crate::domain::window::Date>,
    /// Make-up working days (调休), e.g. a Saturday that is a working day.
    #[serde(default)]
    #[schema(value_type = Vec<chrono::NaiveDate>)]
    pub workdays: Vec<crate::domain::window::Date>,
}

/// The site calendar (any member).
#[utoipa::path(
    tag = "duties",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "The site's slug")),
    responses((status = 200, body = CalendarInput))
)]
#[get("/api/v1/sites/{site}/calendar")]
pub async fn get_calendar(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let slug = path.into_inner();
    let cal = state
        .db
        .read(move |conn| {
            let access = site_access(conn, &slug, &user)?;
            calendar::load(conn, access.site.id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(CalendarInput {
        holidays: cal.holidays.into_iter().map(Date::kept).collect(),
        workdays: cal.workdays.into_iter().map(Date::kept).collect(),
    }))
}

/// Replaces the site calendar (site admin). Duties skip the holidays; the
/// rota generator obeys both lists.
#[utoipa::path(
    tag = "duties",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "The site's slug")),
    request_body = CalendarInput,
    responses((status = 200, body = CalendarInput), (status = 422, content_type = "application/problem+json"))
)]
#[put("/api/v1/sites/{site}/calendar")]
pub async fn put_calendar(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: ApiJson<CalendarInput>,
) -> Result<HttpResponse, ApiError> {
    let slug = path.into_inner();
    let b = body.into_inner();
    let cal = SiteCalendar::checked(
        b.holidays.into_iter().map(|d| d.date()).collect(),
        b.workdays.into_iter().map(|d| d.date()).collect(),
    )?;
    let now = Utc::now();
    let saved = state
        .db
        .write(move |conn| {
            let access = site_access(conn, &slug, &user)?;
            workflows::calendar::replace(conn, &access, &cal, now)?;
            Ok(cal)
        })
        .await?;
    Ok(HttpResponse::Ok().json(CalendarInput {
        holidays: saved.holidays.into_iter().map(Date::kept).collect(),
        workdays: saved.workdays.into_iter().map(Date::kept).collect(),
    }))
}
