//! `/api/v1/sites/{site}/bookings`: making, listing, cancelling, approving
//! and checking in bookings, and managing weekly series.

use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::json::{self, ApiJson, JsonBytes};
use super::views::utc;
use crate::auth::AuthUser;
use crate::clock;
use crate::domain::Invalid;
use crate::domain::booking::{self, BookingStatus, Urgency};
use crate::domain::booking::{BookingRequest, OnConflict, Target};
use crate::domain::interval::Interval;
use crate::domain::local_time::{local_date, resolve_lenient};
use crate::domain::recurrence::RecurrenceInput;
use crate::domain::resource::pool_name;
use crate::errors::ApiError;
use crate::state::AppState;
use crate::store::access::{SiteAccess, site_access};
use crate::store::bookings::{self as store, Booking, BookingFilter};
use crate::store::groups;
use crate::workflows::bookings::create::{IdempotencyKey, create_once};
use crate::workflows::bookings::{self as flow, Outcome, SeriesChange, Skipped};
use crate::workflows::priority::DisplacedView;

/// The longest period one list or availability query may span.
pub const MAX_QUERY_DAYS: i64 = 366;

#[derive(Clone, Copy, Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OnConflictInput {
    /// All or nothing (default).
    Fail,
    /// For a series: book the free dates, list the others.
    Skip,
    /// Wait in line (202) until the time frees up, up to `latest_start`.
    Waitlist,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewBookingInput {
    /// The resource to book; or give `pool`.
    pub resource_id: Option<i64>,
    /// Book any free member of this pool ("computers"); the answer says which.
    pub pool: Option<String>,
    /// RFC 3339 with offset, e.g. `2026-11-23T15:30:00+08:00`.
    #[schema(value_type = String, format = DateTime)]
    pub starts_at: DateTime<FixedOffset>,
    /// Exclusive: a booking to 10:00 and one from 10:00 do not overlap.
    #[schema(value_type = String, format = DateTime)]
    pub ends_at: DateTime<FixedOffset>,
    /// What the time is for.
    pub purpose: String,
    /// `routine` (default), `priority`, `urgent` or `emergency`.
    pub urgency: Option<Urgency>,
    /// Required above `routine`.
    pub reason: Option<String>,
    /// People expected (rooms).
    pub headcount: Option<i64>,
    /// Book for an interest group (its leader or an admin).
    pub group_id: Option<i64>,
    /// `{"weekly": {"count": N}}` or `{"weekly": {"until": "YYYY-MM-DD"}}`.
    pub recurrence: Option<RecurrenceInput>,
    /// `fail` (default) or `skip` (series only).
    pub on_conflict: Option<OnConflictInput>,
    /// May be moved later the same day if more urgent work needs the slot.
    pub flexible: Option<bool>,
    /// With `on_conflict: waitlist`: the latest acceptable start (default:
    /// `starts_at`); the booking may start anywhere up to it.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub latest_start: Option<DateTime<FixedOffset>>,
}

impl NewBookingInput {
    pub fn parse(&self) -> Result<BookingRequest, Invalid> {
        let mut invalid = Invalid::default();
        let target = match (&self.resource_id, &self.pool) {
            (Some(id), None) => Some(Target::Resource(*id)),
            (None, Some(p)) => invalid.collect(pool_name(p)).map(Target::Pool),
            _ => {
                invalid.push("resource_id", "give either resource_id or pool");
                None
            }
        };
        let slot = invalid.collect(Interval::new(
            self.starts_at.with_timezone(&Utc),
            self.ends_at.with_timezone(&Utc),
        ));
        let purpose = invalid.collect(booking::purpose(&self.purpose));
        let urgency = self.urgency.unwrap_or_default();
        let reason = invalid.collect(booking::check_reason(urgency, self.reason.as_deref()));
        let headcount = match self.headcount {
            Some(h) => invalid.collect(booking::headcount(h)).map(Some),
            None => Some(None),
        };
        let recurrence = match &self.recurrence {
            Some(r) => invalid.collect(r.parse()).map(Some),
            None => Some(None),
        };
        invalid.into_result()?;
        Ok(BookingRequest {
            target: target.expect("checked"),
            slot: slot.expect("checked"),
            purpose: purpose.expect("checked"),
            urgency,
            reason: reason.flatten(),
            headcount: headcount.flatten(),
            group_id: self.group_id,
            recurrence: recurrence.flatten(),
            on_conflict: match self.on_conflict {
                Some(OnConflictInput::Skip) => OnConflict::Skip,
                Some(OnConflictInput::Waitlist) => OnConflict::Waitlist,
                _ => OnConflict::Fail,
            },
            flexible: self.flexible.unwrap_or(false),
            latest_start: self.latest_start.map(|t| t.with_timezone(&Utc)),
        })
    }
}

#[derive(Clone, Serialize, utoipa::ToSchema)]
pub struct BookingView {
    pub id: i64,
    pub resource_id: i64,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub status: BookingStatus,
    pub urgency: Urgency,
    pub group_id: Option<i64>,
    pub series_id: Option<i64>,
    pub headcount: Option<i32>,
    pub flexible: bool,
    pub checked_in_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// Shown to the owner and to staff and admins of the site.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_name: Option<String>,
}

pub fn view(access: &SiteAccess, b: &Booking, owner: Option<&str>, resource: Option<&str>) -> BookingView {
    let details = access.sees_booking_details(b.owner_id);
    BookingView {
        id: b.id,
        resource_id: b.resource_id,
        starts_at: utc(b.starts_at),
        ends_at: utc(b.ends_at),
        status: b.status(),
        urgency: b.urgency(),
        group_id: b.group_id,
        series_id: b.series_id,
        headcount: b.headcount,
        flexible: b.flexible,
        checked_in_at: b.checked_in_at.map(utc),
        created_at: utc(b.created_at),
        purpose: details.then(|| b.purpose.clone()),
        reason: if details { b.reason.clone() } else { None },
        owner_id: details.then_some(b.owner_id),
        owner: if details { owner.map(str::to_owned) } else { None },
        resource_name: resource.map(str::to_owned),
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CreatedView {
    #[serde(flatten)]
    pub booking: BookingView,
    /// For a series: every occurrence booked, the first included.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub occurrences: Option<Vec<BookingView>>,
    /// For a series with `on_conflict: skip`: the dates left out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skipped: Option<Vec<Skipped>>,
    /// Bookings of lower urgency that gave way, and where they went.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub displaced: Option<Vec<DisplacedView>>,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CreateQuery {
    /// Answer what would happen (who would move where) and change nothing.
    pub dry_run: Option<bool>,
}

/// A waiting request.
#[derive(Serialize, utoipa::ToSchema)]
pub struct WaitlistView {
    pub id: i64,
    pub resource_id: Option<i64>,
    pub pool: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// The latest acceptable start.
    pub latest_start: DateTime<Utc>,
    pub urgency: Urgency,
    /// `waiting`, `served`, `expired` or `cancelled`.
    pub status: String,
    pub purpose: String,
    /// When it was first asked for (the order among equal urgency).
    pub requested_at: DateTime<Utc>,
    /// The booking it became, once served.
    pub served_booking_id: Option<i64>,
    /// The booking that gave way, for displaced bookings.
    pub displaced_booking_id: Option<i64>,
}

pub fn waitlist_view(e: &crate::store::waitlist::Entry) -> WaitlistView {
    WaitlistView {
        id: e.id,
        resource_id: e.resource_id,
        pool: e.pool.clone(),
        starts_at: utc(e.starts_at),
        ends_at: utc(e.ends_at),
        latest_start: utc(e.latest_start),
        urgency: e.urgency(),
        status: e.status.clone(),
        purpose: e.purpose.clone(),
        requested_at: utc(e.requested_at),
        served_booking_id: e.served_booking_id,
        displaced_booking_id: e.displaced_booking_id,
    }
}

fn idempotency_key(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(value) = req.headers().get("Idempotency-Key") else {
        return Ok(None);
    };
    let key = value.to_str().unwrap_or("").trim().to_owned();
    let ok = !key.is_empty() && key.len() <= 200 && key.bytes().all(|b| (0x21..0x7f).contains(&b));
    if ok {
        Ok(Some(key))
    } else {
        Err(ApiError::invalid(
            "Idempotency-Key",
            "must be 1 to 200 visible ASCII characters",
        ))
    }
}

/// The answer to a booking request: 201 with what was booked, or 202 with
/// the waiting request.
fn created_response(
    access: &SiteAccess,
    owner: &str,
    outcome: Outcome,
) -> Result<(u16, serde_json::Value), ApiError> {
    match outcome {
        Outcome::Created(created) => {
            let views: Vec<BookingView> = created
                .bookings
                .iter()
                .map(|b| view(access, b, Some(owner), None))
                .collect();
            let first = views
                .first()
                .cloned()
                .ok_or_else(|| ApiError::conflict("Nothing could be booked."))?;
            let response = CreatedView {
                booking: first,
                occurrences: created.series_id.map(|_| views.clone()),
                skipped: created.series_id.map(|_| created.skipped),
                displaced: (!created.displaced.is_empty()).then_some(created.displaced),
            };
            Ok((201, serde_json::to_value(&response).map_err(ApiError::internal)?))
        }
        Outcome::Waitlisted(entry) => Ok((
            202,
            serde_json::to_value(waitlist_view(&entry)).map_err(ApiError::internal)?,
        )),
    }
}

/// Books a resource, or any free member of a pool, once or weekly.
#[utoipa::path(
    tag = "bookings",
    security(("bearer" = [])),
    params(
        ("site" = String, Path, description = "The site's slug"),
        ("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key and body get the first answer"),
        CreateQuery,
    ),
    request_body = NewBookingInput,
    responses(
        (status = 201, body = CreatedView),
        (status = 200, description = "Dry run: what would happen; nothing changed"),
        (status = 202, description = "Nothing free: queued on the waitlist", body = WaitlistView),
        (status = 403, content_type = "application/problem+json"),
        (status = 404, content_type = "application/problem+json"),
        (status = 409, description = "Taken: `conflicts` lists what is in the way", content_type = "application/problem+json"),
        (status = 422, description = "Invalid, or breaks a rule (`rule` names it)", content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/sites/{site}/bookings")]
pub async fn create_booking(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    query: web::Query<CreateQuery>,
    req: HttpRequest,
    body: JsonBytes,
) -> Result<HttpResponse, ApiError> {
    let slug = path.into_inner();
    let key = idempotency_key(&req)?;
    let input: NewBookingInput = json::parse(&body.0)?;
    // Only a retry with a key is compared with its first request; without a
    // key there is nothing to hash.
    let request_hash = match &key {
        Some(_) => {
            let canonical: serde_json::Value = json::parse(&body.0)?;
            hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
        }
        None => String::new(),
    };
    let request = input.parse().map_err(|invalid| {
        // A missing reason is a rule of urgency, named like the others.
        let missing_reason = invalid.fields.iter().any(|f| f.field == "reason");
        let err = ApiError::from(invalid);
        if missing_reason {
            err.retype(crate::errors::ProblemType::BookingRule)
                .with("rule", booking::Rule::ReasonRequired)
                .with(
                    "violations",
                    [booking::Violation {
                        rule: booking::Rule::ReasonRequired,
                        message: "Say why: a reason is required above routine.".to_owned(),
                    }],
                )
        } else {
            err
        }
    })?;
    let now = clock::now_utc();
    let notifier = state.notifier.clone();
    let dry_run = query.into_inner().dry_run.unwrap_or(false);
    // A dry run is never stored: it changes nothing, so a retry may differ.
    let key = key
        .filter(|_| !dry_run)
        .map(|key| IdempotencyKey { key, request_hash });
    let run = move |conn: &mut crate::db::DbConn| {
        let access = site_access(conn, &slug, &user)?;
        create_once(
            conn,
            &access,
            key.as_ref(),
            &request,
            &notifier,
            now,
            |_, outcome| {
                let (status, response) = created_response(&access, &user.name, outcome)?;
                if !dry_run {
                    return Ok((status, response.to_string()));
                }
                let mut response = response;
                if let serde_json::Value::Object(map) = &mut response {
                    map.insert("dry_run".into(), true.into());
                    map.insert("would_status".into(), status.into());
                }
                Ok((200u16, response.to_string()))
            },
        )
    };
    let answer = if dry_run {
        state.db.rehearse(run).await?
    } else {
        state.db.write(run).await?
    };
    let (status, body, replayed) = (answer.status, answer.body, answer.replayed);
    let mut res = HttpResponse::build(
        actix_web::http::StatusCode::from_u16(status).unwrap_or(actix_web::http::StatusCode::CREATED),
    );
    if replayed {
        res.insert_header(("Idempotent-Replayed", "true"));
    }
    Ok(res.content_type("application/json").body(body))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct BookingQuery {
    /// Start of the period (RFC 3339); default: the start of today, site time.
    #[param(value_type = Option<String>, format = DateTime)]
    pub from: Option<DateTime<FixedOffset>>,
    /// End of the period; default: a week after `from`; at most 366 days after it.
    #[param(value_type = Option<String>, format = DateTime)]
    pub to: Option<DateTime<FixedOffset>>,
    pub resource_id: Option<i64>,
    /// Only the caller's own bookings.
    #[serde(default)]
    pub mine: bool,
    pub status: Option<BookingStatus>,
    pub group_id: Option<i64>,
    /// 1 to 100, default 50.
    pub limit: Option<i64>,
    /// The `next` value of the previous page.
    pub after: Option<String>,
}

/// A period for list queries: defaults, order and the 366-day cap.
pub fn query_window(
    tz: chrono_tz::Tz,
    from: Option<DateTime<FixedOffset>>,
    to: Option<DateTime<FixedOffset>>,
    default_days: i64,
    now: DateTime<Utc>,
) -> Result<Interval, ApiError> {
    let start = match from {
        Some(f) => f.with_timezone(&Utc),
        None => resolve_lenient(tz, local_date(tz, now).and_hms_opt(0, 0, 0).expect("midnight")),
    };
    let end = match to {
        Some(t) => t.with_timezone(&Utc),
        None => start + Duration::days(default_days),
    };
    if end <= start {
        return Err(ApiError::invalid("to", "must be after from"));
    }
    if end - start > Duration::days(MAX_QUERY_DAYS) {
        return Err(ApiError::invalid(
            "to",
            format!("a query spans at most {MAX_QUERY_DAYS} days"),
        ));
    }
    Ok(Interval::of(start, end))
}

fn parse_cursor(after: &Option<String>) -> Result<Option<(chrono::NaiveDateTime, i64)>, ApiError> {
    let Some(s) = after else { return Ok(None) };
    let bad = || ApiError::invalid("after", "must be the `next` value of a previous page");
    let (micros, id) = s.split_once('_').ok_or_else(bad)?;
    let micros: i64 = micros.parse().map_err(|_| bad())?;
    let id: i64 = id.parse().map_err(|_| bad())?;
    let t = DateTime::from_timestamp_micros(micros).ok_or_else(bad)?;
    Ok(Some((t.naive_utc(), id)))
}

/// The site's bookings in a period, in start order (any member; who and
/// why are shown to staff, admins and the owner).
#[utoipa::path(
    tag = "bookings",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "The site's slug"), BookingQuery),
    responses((status = 200, body = Page<BookingView>), (status = 422, content_type = "application/problem+json"))
)]
#[get("/api/v1/sites/{site}/bookings")]
pub async fn list_bookings(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    query: web::Query<BookingQuery>,
) -> Result<HttpResponse, ApiError> {
    let slug = path.into_inner();
    let q = query.into_inner();
    let page = crate::store::pagination::PageQuery {
        limit: q.limit,
        after: None,
    }
    .parse()?;
    let after = parse_cursor(&q.after)?;
    let now = clock::now_utc();
    let out = state
        .db
        .read(move |conn| {
            let access = site_access(conn, &slug, &user)?;
            let window = query_window(access.site.tz(), q.from, q.to, 7, now)?;
            let filter = BookingFilter {
                window,
                resource_id: q.resource_id,
                owner_id: q.mine.then_some(user.id),
                status: q.status,
                group_id: q.group_id,
                after,
                limit: page.limit + 1,
            };
            let rows = store::list(conn, access.site.id, &filter)?;
            let more = rows.len() as i64 > page.limit;
            let rows = &rows[..rows.len().min(page.limit as usize)];
            let next = if more {
                rows.last()
                    .map(|(b, _, _)| format!("{}_{}", b.starts_at.and_utc().timestamp_micros(), b.id))
            } else {
                None
            };
            let items: Vec<BookingView> = rows
                .iter()
                .map(|(b, owner, resource)| view(&access, b, Some(owner), Some(resource)))
                .collect();
            Ok(crate::store::pagination::Page { items, next })
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

/// One booking (any member of the site).
#[utoipa::path(
    tag = "bookings",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "The site's slug"), ("id" = i64, Path)),
    responses((status = 200, body = BookingView), (status = 404, content_type = "application/problem+json"))
)]
#[get("/api/v1/sites/{site}/bookings/{id}")]
pub async fn get_booking(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (slug, id) = path.into_inner();
    let v = state
        .db
        .read(move |conn| {
            let access = site_access(conn, &slug, &user)?;
            let b = store::by_id(conn, access.site.id, id)?;
            let names: HashMap<i64, String> = store::user_names(conn, &[b.owner_id])?.into_iter().collect();
            Ok(view(
                &access,
                &b,
                names.get(&b.owner_id).map(String::as_str),
                None,
            ))
        })
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

/// Cancels a booking (its owner or an admin); the slot is free at once.
#[utoipa::path(
    tag = "bookings",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "The site's slug"), ("id" = i64, Path)),
    responses(
        (status = 204),
        (status = 403, content_type = "application/problem+json"),
        (status = 404, content_type = "application/problem+json"),
        (status = 409, description = "Already ended", content_type = "application/problem+json"),
    )
)]
#[delete("/api/v1/sites/{site}/bookings/{id}")]
pub async fn cancel_booking(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (slug, id) = path.into_inner();
    let now = clock::now_utc();
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
) -> Result<HttpResponse, ApiError> {
    let (slug, id) = path.into_inner();
    let now = clock::now_utc();
    let notifier = state.notifier.clone();
    let v = state
        .db
        .write(move |conn| {
            let access = site_access(conn, &slug, &user)?;
            let b = flow::approve_or_reject(conn, &access, id, approve, &notifier, now)?;
            Ok(view(&access, &b, None, None))
        })
        .await?;
    Ok(HttpResponse::Ok().json(v))
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
    decide(state, user, path, true).await
}

/// Rejects a pending booking (site admin); the slot is free again.
#[utoipa::path(
    tag = "bookings",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "The site's slug"), ("id" = i64, Path)),
    responses((status = 200, body = BookingView), (status = 409, content_type = "application/problem+json"))
)]
#[post("/api/v1/sites/{site}/bookings/{id}/reject")]
pub async fn reject_booking(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, ApiError> {
    decide(state, user, path, false).await
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
    let now = clock::now_utc();
    let notifier = state.notifier.clone();
    let v = state
        .db
        .write(move |conn| {
            let access = site_access(conn, &slug, &user)?;
            let b = flow::check_in(conn, &access, id, &notifier, now)?;
            Ok(view(&access, &b, None, None))
        })
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

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
    let series = store::series_by_id(conn, access.site.id, id)?;
    let occurrences = store::series_occurrences(conn, series.id)?;
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
            series_view(conn, &access, id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(v))
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
    let now = clock::now_utc();
    let v = state
        .db
        .write(move |conn| {
            let access = site_access(conn, &slug, &user)?;
            let series = flow::edit_series(conn, &access, id, &change, now)?;
            series_view(conn, &access, series.id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SeriesCancelQuery {
    /// Cancel occurrences on or after this site-local date; absent: every
    /// occurrence that has not started yet.
    #[param(value_type = Option<String>, format = Date)]
    pub from: Option<NaiveDate>,
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
    responses((status = 200, body = SeriesCancelled), (status = 404, content_type = "application/problem+json"))
)]
#[delete("/api/v1/sites/{site}/booking-series/{id}")]
pub async fn cancel_series(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, i64)>,
    query: web::Query<SeriesCancelQuery>,
) -> Result<HttpResponse, ApiError> {
    let (slug, id) = path.into_inner();
    let from = query.into_inner().from;
    let now = clock::now_utc();
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

use crate::store::pagination::Page;
