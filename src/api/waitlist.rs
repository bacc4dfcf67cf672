//! `/api/v1/sites/{site}/waitlist` and `/audit`: who is waiting, and the
//! trail of every preemption, relocation and urgent use.

use actix_web::{HttpRequest, HttpResponse, delete, get, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::bookings::{WaitlistView, waitlist_view};
use super::views::{site_json, utc};
use crate::auth::AuthUser;
use crate::clock;
use crate::domain::period::{Period, PeriodOf};
use crate::domain::window::Instant;
use crate::errors::ApiError;
use crate::state::AppState;
use crate::store::access::site_access;
use crate::store::audit::AuditFilter;
use crate::store::pagination::{Page, PageQuery};
use crate::workflows;
use actix_web::http::StatusCode;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct WaitlistQuery {
    /// `waiting` (default), `served`, `expired`, `cancelled`, or `all`.
    pub status: Option<String>,
    pub limit: Option<i64>,
    pub after: Option<String>,
}

/// The waitlist: the caller's own entries; an admin sees everyone's.
#[utoipa::path(
    tag = "bookings",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "The site's slug"), WaitlistQuery),
    responses((status = 200, body = Page<WaitlistView>), (status = 404, content_type = "application/problem+json"))
)]
#[get("/api/v1/sites/{site}/waitlist")]
pub async fn list_waitlist(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    query: crate::api::query::ApiQuery<WaitlistQuery>,
) -> Result<HttpResponse, ApiError> {
    let slug = path.into_inner();
    let q = query.into_inner();
    let status = match q.status.as_deref() {
        None | Some("waiting") => Some("waiting"),
        Some("all") => None,
        Some(s @ ("served" | "expired" | "cancelled")) => Some(s),
        Some(_) => {
            return Err(ApiError::invalid(
                "status",
                "must be waiting, served, expired, cancelled or all",
            ));
        }
    }
    .map(str::to_owned);
    let page = PageQuery {
        limit: q.limit,
        after: q.after,
    }
    .parse()?;
    let (tz, rows) = state
        .db
        .read(move |conn| {
            let access = site_access(conn, &slug, &user)?;
            let rows = workflows::waitlist::visible(
                conn,
                &access,
                status.as_deref(),
                page.after_id,
                page.limit + 1,
            )?;
            Ok((access.site.tz(), rows))
        })
        .await?;
    let page = Page::from_rows(rows, page.limit, |(e, _)| e.id);
    let page = Page {
        items: page
            .items
            .iter()
            .map(|(e, place)| waitlist_view(e, *place))
            .collect::<Vec<_>>(),
        next: page.next,
    };
    site_json(StatusCode::OK, tz, &page)
}

/// Leaves the waitlist (the entry's owner or an admin).
#[utoipa::path(
    tag = "bookings",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "The site's slug"), ("id" = i64, Path)),
    responses(
        (status = 204),
        (status = 404, content_type = "application/problem+json"),
        (status = 409, description = "No longer waiting", content_type = "application/problem+json"),
    )
)]
#[delete("/api/v1/sites/{site}/waitlist/{id}")]
pub async fn leave_waitlist(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (slug, id) = path.into_inner();
    let now = clock::now_naive();
    state
        .db
        .write(move |conn| {
            let access = site_access(conn, &slug, &user)?;
            workflows::waitlist::leave(conn, &access, id, now)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// Entries where this person acted or was affected.
    pub user_id: Option<i64>,
    /// `preemption`, `relocation`, `waitlisted`, `waitlist_served`,
    /// `waitlist_expired`, `urgent_use`, `emergency_use`.
    pub action: Option<String>,
    /// Default: 30 days before `to`.
    #[param(value_type = Option<String>, format = DateTime)]
    pub from: Option<Instant>,
    /// Default: now.
    #[param(value_type = Option<String>, format = DateTime)]
    pub to: Option<Instant>,
    pub limit: Option<i64>,
    pub after: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct AuditView {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub action: String,
    pub actor_id: Option<i64>,
    pub actor: Option<String>,
    pub subject_user_id: Option<i64>,
    pub subject: Option<String>,
    pub booking_id: Option<i64>,
    pub other_booking_id: Option<i64>,
    pub urgency: Option<String>,
    pub reason: Option<String>,
    pub details: String,
    /// The resource of the entry's booking (the one made, or moved to).
    pub resource_id: Option<i64>,
    pub resource: Option<String>,
}

use crate::workflows::audit::KINDS as ACTIONS;

/// The audit trail (site admin), as JSON or, with `Accept: text/csv`, as a
/// spreadsheet for the quarterly check.
#[utoipa::path(
    tag = "bookings",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "The site's slug"), AuditQuery),
    responses(
        (status = 200, description = "The entries; as CSV with `Accept: text/csv`",
            content((Page<AuditView> = "application/json"), (String = "text/csv"))),
        (status = 403, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/sites/{site}/audit")]
pub async fn audit_trail(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    query: crate::api::query::ApiQuery<AuditQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let slug = path.into_inner();
    let q = query.into_inner();
    if let Some(a) = &q.action
        && !ACTIONS.contains(&a.as_str())
    {
        return Err(ApiError::invalid(
            "action",
            format!("must be one of {}", ACTIONS.join(", ")),
        ));
    }
    let csv = wants_csv(&req);
    let page = PageQuery {
        limit: q.limit,
        after: q.after.clone(),
    }
    .parse()?;
    let now = clock::now();
    let to = q.to.map_or(now + chrono::Duration::seconds(1), Instant::utc);
    let from = q.from.map_or(to - chrono::Duration::days(30), Instant::utc);
    let (tz, rows) = state
        .db
        .read(move |conn| {
            let access = site_access(conn, &slug, &user)?;
            let tz = access.site.tz();
            let window = Period::new(PeriodOf::Query, from, to)?.interval();
            workflows::audit::trail(
                conn,
                &access,
                &AuditFilter {
                    user_id: q.user_id,
                    resource_id: None,
                    action: q.action.clone(),
                    from: window.start.naive_utc(),
                    to: window.end.naive_utc(),
                    after_id: page.after_id,
                    newest_first: false,
                    // A CSV export is the whole period, in one file.
                    limit: if csv { 100_000 } else { page.limit + 1 },
                },
            )
            .map(|rows| (tz, rows))
        })
        .await?;
    if csv {
        return Ok(HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header(("Content-Disposition", "attachment; filename=\"audit.csv\""))
            .body(workflows::audit::csv(tz, &rows)));
    }
    let views: Vec<AuditView> = rows
        .into_iter()
        .map(|n| {
            let e = n.entry;
            AuditView {
                id: e.id,
                at: utc(e.at),
                action: e.action,
                actor_id: e.actor_id,
                actor: n.actor,
                subject_user_id: e.subject_user_id,
                subject: n.subject,
                booking_id: e.booking_id,
                other_booking_id: e.other_booking_id,
                urgency: e.urgency,
                reason: e.reason,
                details: e.details,
                resource_id: n.resource_id,
                resource: n.resource,
            }
        })
        .collect();
    site_json(StatusCode::OK, tz, &Page::from_rows(views, page.limit, |v| v.id))
}

/// Whether the client asked for CSV.
pub fn wants_csv(req: &HttpRequest) -> bool {
    req.headers()
        .get("accept")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/csv"))
}
