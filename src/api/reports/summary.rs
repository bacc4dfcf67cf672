//! `GET /api/v1/sites/{site}/reports/summary`: report 5, and `GET /api/v1/reports/summary` across sites.

use actix_web::{HttpRequest, HttpResponse, get, web};

use super::{ReportQuery, answer, site_report};
use crate::auth::AuthUser;
use crate::clock;
use crate::domain::policy::Caller;
use crate::errors::ApiError;
use crate::state::AppState;
use crate::workflows::reports::summary::{self, SiteSummaryRow, SummaryReport};

/// The quarter summary of a site: one measure a row (booked room and
/// computer hours, desk hours and spread, volunteer hours, ...). JSON, or
/// the table as CSV to `Accept: text/csv`. The site's admin, operators and
/// district observers.
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "The site's slug"), ReportQuery),
    responses(
        (status = 200, description = "The report; its table as CSV with `Accept: text/csv`",
            content((SummaryReport = "application/json"), (String = "text/csv"))),
        (status = 403, content_type = "application/problem+json"),
        (status = 404, content_type = "application/problem+json"),
        (status = 422, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/sites/{site}/reports/summary")]
pub async fn summary_report(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    query: crate::api::query::ApiQuery<ReportQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (slug, q) = (path.into_inner(), query.into_inner());
    site_report(state, user, slug, q, &req, summary::report, SummaryReport::table).await
}

/// Every site's quarter summary, one row per site.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct SitesSummary {
    pub sites: Vec<SiteSummaryRow>,
}

/// The quarter summary of every site of the deployment, one row a site,
/// each over `from`..`to` in its own zone. JSON, or the table as CSV to
/// `Accept: text/csv`. Operators and district observers.
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    params(ReportQuery),
    responses(
        (status = 200, description = "One row per site; the table as CSV with `Accept: text/csv`",
            content((SitesSummary = "application/json"), (String = "text/csv"))),
        (status = 403, content_type = "application/problem+json"),
        (status = 422, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/reports/summary")]
pub async fn sites_summary_report(
    state: web::Data<AppState>,
    user: AuthUser,
    query: crate::api::query::ApiQuery<ReportQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let now = clock::now();
    let caller = Caller::from(&user);
    let sites = state
        .db
        .read(move |conn| summary::across_sites(conn, caller, |tz| q.period(tz, now), now))
        .await?;
    let table = summary::sites_table(&sites);
    Ok(answer(&req, &SitesSummary { sites }, &table))
}
