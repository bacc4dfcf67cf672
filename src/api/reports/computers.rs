//! `GET /api/v1/sites/{site}/reports/computers`: report 2, computers.

use actix_web::{HttpRequest, HttpResponse, get, web};

use super::{ReportQuery, site_report};
use crate::auth::AuthUser;
use crate::errors::ApiError;
use crate::state::AppState;
use crate::workflows::reports::computers::{self, ComputersReport};

/// Computers: booked and used (checked-in) hours and no-shows per computer;
/// the waitlist and how long it waited; displacements by urgency; requests
/// refused for want of a free computer. The site's admin, operators and
/// district observers.
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "The site's slug"), ReportQuery),
    responses(
        (status = 200, description = "The report; its table as CSV (computer, booked_hours, used_hours, no_shows, then the totals row) with `Accept: text/csv`",
            content((ComputersReport = "application/json"), (String = "text/csv"))),
        (status = 403, content_type = "application/problem+json"),
        (status = 404, content_type = "application/problem+json"),
        (status = 422, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/sites/{site}/reports/computers")]
pub async fn computers_report(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    query: crate::api::query::ApiQuery<ReportQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (slug, q) = (path.into_inner(), query.into_inner());
    site_report(
        state,
        user,
        slug,
        q,
        &req,
        computers::report,
        ComputersReport::table,
    )
    .await
}
