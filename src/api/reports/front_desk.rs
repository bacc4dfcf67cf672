//! `GET /api/v1/sites/{site}/reports/front-desk`: report 3.

use actix_web::{HttpRequest, HttpResponse, get, web};

use super::{ReportQuery, site_report};
use crate::auth::AuthUser;
use crate::errors::ApiError;
use crate::state::AppState;
use crate::workflows::reports::front_desk::{self, FrontDeskReport};

/// Desk hours per staff member over a period of the published rota (after
/// swaps) against the fair share, swaps, and the posts nobody sat. JSON, or
/// the table as CSV to `Accept: text/csv`. The site's admin, operators and
/// district observers.
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "The site's slug"), ReportQuery),
    responses(
        (status = 200, description = "The report; its table as CSV with `Accept: text/csv`",
            content((FrontDeskReport = "application/json"), (String = "text/csv"))),
        (status = 403, content_type = "application/problem+json"),
        (status = 404, content_type = "application/problem+json"),
        (status = 422, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/sites/{site}/reports/front-desk")]
pub async fn front_desk_report(
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
        front_desk::report,
        FrontDeskReport::table,
    )
    .await
}
