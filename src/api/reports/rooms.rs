//! `GET /api/v1/sites/{site}/reports/rooms`: report 1, room utilisation.

use actix_web::{HttpRequest, HttpResponse, get, web};

use super::{ReportQuery, site_report};
use crate::auth::AuthUser;
use crate::errors::ApiError;
use crate::state::AppState;
use crate::workflows::reports::rooms::{self, RoomsReport};

/// Room utilisation per room and week: booked hours against open hours,
/// hours per interest group, the rooms left empty. The site's admin,
/// operators and district observers.
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "The site's slug"), ReportQuery),
    responses(
        (status = 200, description = "The report; its table as CSV (room, week, booked_hours, open_hours, use_percent, then the totals row) with `Accept: text/csv`",
            content((RoomsReport = "application/json"), (String = "text/csv"))),
        (status = 403, content_type = "application/problem+json"),
        (status = 404, content_type = "application/problem+json"),
        (status = 422, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/sites/{site}/reports/rooms")]
pub async fn rooms_report(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    query: crate::api::query::ApiQuery<ReportQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (slug, q) = (path.into_inner(), query.into_inner());
    site_report(state, user, slug, q, &req, rooms::report, RoomsReport::table).await
}
