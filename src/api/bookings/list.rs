//! Reading bookings: a period's list (paged) and one booking.

use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, Duration};
use serde::Deserialize;

use super::*;
use crate::auth::AuthUser;
use crate::clock;
use crate::domain::booking::BookingStatus;
use crate::domain::csv::Csv;
use crate::domain::period::Period;
use crate::domain::window::{self, Instant};
use crate::errors::ApiError;
use crate::state::AppState;
use crate::store;
use crate::store::access::site_access;
use crate::store::bookings::BookingFilter;
use crate::store::pagination::Page;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct BookingQuery {
    /// Start of the period (RFC 3339); default: the start of today, site time.
    #[param(value_type = Option<String>, format = DateTime)]
    pub from: Option<Instant>,
    /// End of the period; default: a week after `from`; at most 366 days after it.
    #[param(value_type = Option<String>, format = DateTime)]
    pub to: Option<Instant>,
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

/// A cursor names an instant like any other parameter: one outside the
/// window is no `next` value of ours (PostgreSQL refused such a year with a
/// 500).
fn parse_cursor(
    after: &Option<String>,
    now: DateTime<chrono::Utc>,
) -> Result<Option<(chrono::NaiveDateTime, i64)>, ApiError> {
    let Some(s) = after else { return Ok(None) };
    let bad = || ApiError::invalid("after", "must be the `next` value of a previous page");
    let (micros, id) = s.split_once('_').ok_or_else(bad)?;
    let micros: i64 = micros.parse().map_err(|_| bad())?;
    let id: i64 = id.parse().map_err(|_| bad())?;
    let t = DateTime::from_timestamp_micros(micros).ok_or_else(bad)?;
    let t = window::instant_in_window(t, now).map_err(|_| bad())?;
    Ok(Some((t.naive_utc(), id)))
}

/// The site's bookings in a period, in start order (any member; who and
/// why are shown to staff, admins and the owner).
#[utoipa::path(
    tag = "bookings",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "The site's slug"), BookingQuery),
    responses(
        (status = 200, description = "A page of bookings; with `Accept: text/csv`, every booking the filters match (no paging) as CSV, times in the site's zone",
            content((Page<BookingView> = "application/json"), (String = "text/csv"))),
        (status = 422, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/sites/{site}/bookings")]
pub async fn list_bookings(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    query: crate::api::query::ApiQuery<BookingQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let slug = path.into_inner();
    let q = query.into_inner();
    let csv = crate::api::waitlist::wants_csv(&req);
    let page = store::pagination::PageQuery {
        limit: q.limit,
        after: None,
    }
    .parse()?;
    let now = clock::now();
    let after = parse_cursor(&q.after, now)?;
    let out = state
        .db
        .read(move |conn| {
            let access = site_access(conn, &slug, &user)?;
            let window = Period::query(
                access.site.tz(),
                q.from.map(Instant::utc),
                q.to.map(Instant::utc),
                Duration::days(7),
                now,
            )?
            .interval();
            let filter = BookingFilter {
                window,
                resource_id: q.resource_id,
                owner_id: q.mine.then_some(user.id),
                status: q.status,
                group_id: q.group_id,
                after,
                // A CSV is the whole period, in one file.
                limit: if csv { CSV_ROWS } else { page.limit + 1 },
            };
            let rows = store::bookings::list(conn, access.site.id, &filter)?;
            let more = !csv && rows.len() as i64 > page.limit;
            let keep = if csv {
                rows.len()
            } else {
                rows.len().min(page.limit as usize)
            };
            let rows = &rows[..keep];
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
            Ok((access.site.tz(), Page { items, next }))
        })
        .await?;
    if csv {
        return Ok(HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header(("Content-Disposition", "attachment; filename=\"bookings.csv\""))
            .body(bookings_csv(out.0, &out.1.items)));
    }
    site_json(StatusCode::OK, out.0, &out.1)
}

/// The most bookings one CSV holds (a year of a busy site is far fewer).
const CSV_ROWS: i64 = 100_000;

/// The bookings as CSV: one line each, instants as site-local wall time
/// (`YYYY-MM-DD HH:MM`), who and why only where the JSON shows them.
fn bookings_csv(tz: chrono_tz::Tz, items: &[BookingView]) -> String {
    let local = |t: DateTime<chrono::Utc>| t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string();
    let mut csv = Csv::new(&[
        "id",
        "resource_id",
        "resource",
        "starts_at",
        "ends_at",
        "status",
        "urgency",
        "group_id",
        "headcount",
        "checked_in_at",
        "end_reason",
        "owner",
        "purpose",
    ]);
    for b in items {
        csv.row(&[
            b.id.to_string(),
            b.resource_id.to_string(),
            b.resource_name.clone().unwrap_or_default(),
            local(b.starts_at),
            local(b.ends_at),
            b.status.code().to_owned(),
            b.urgency.code().to_owned(),
            b.group_id.map(|g| g.to_string()).unwrap_or_default(),
            b.headcount.map(|h| h.to_string()).unwrap_or_default(),
            b.checked_in_at.map(local).unwrap_or_default(),
            b.end_reason.clone().unwrap_or_default(),
            b.owner.clone().unwrap_or_default(),
            b.purpose.clone().unwrap_or_default(),
        ]);
    }
    csv.finish()
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
            let b = store::bookings::by_id(conn, access.site.id, id)?;
            let names: HashMap<i64, String> = store::bookings::user_names(conn, &[b.owner_id])?
                .into_iter()
                .collect();
            let v = view(&access, &b, names.get(&b.owner_id).map(String::as_str), None);
            Ok((access.site.tz(), v))
        })
        .await?;
    site_json(StatusCode::OK, v.0, &v.1)
}
