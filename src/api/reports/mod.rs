//! The reports of the quarterly check (issue 22) over the API: each is
//! JSON by default and its table as CSV to `Accept: text/csv`, over any
//! period of site-local dates. The figures come from
//! `workflows::reports`; a report's CSV is its [`Table`]'s, the very table
//! the report page draws its chart from.

pub mod computers;
pub mod front_desk;
pub mod rooms;
pub mod summary;
pub mod volunteers;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::api::views::site_json;
use crate::api::waitlist::wants_csv;
use crate::auth::AuthUser;
use crate::clock;
use crate::db::DbConn;
use crate::domain::local_time::local_date;
use crate::domain::period::DatePeriod;
use crate::domain::report::Table;
use crate::errors::ApiError;
use crate::state::AppState;
use crate::store::access::{SiteAccess, site_access};

/// The period of a report: by default the last 30 days, today included (a
/// report looks back).
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    /// First local date (default: 29 days before `to`).
    #[param(value_type = Option<String>, format = Date)]
    pub from: Option<crate::domain::window::Date>,
    /// Last local date, included (default: today; at most 366 days after `from`).
    #[param(value_type = Option<String>, format = Date)]
    pub to: Option<crate::domain::window::Date>,
}

impl ReportQuery {
    /// The dates asked for in the site's zone `tz`, or a 422 naming `to`.
    pub fn period(&self, tz: chrono_tz::Tz, now: DateTime<Utc>) -> Result<DatePeriod, ApiError> {
        let to = self.to.map_or_else(|| local_date(tz, now), |d| d.date());
        let from = self.from.map_or(to - Duration::days(29), |d| d.date());
        Ok(DatePeriod::new(from, to)?)
    }
}

/// A report's table as a CSV download named after the report, when the
/// client accepts `text/csv`.
fn as_csv(req: &HttpRequest, table: &Table) -> Option<HttpResponse> {
    wants_csv(req).then(|| {
        HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((
                "Content-Disposition",
                format!("attachment; filename=\"{}.csv\"", table.key),
            ))
            .body(table.csv())
    })
}

/// A report across sites answered as its JSON, or as its table's CSV.
pub fn answer<T: Serialize>(req: &HttpRequest, report: &T, table: &Table) -> HttpResponse {
    as_csv(req, table).unwrap_or_else(|| HttpResponse::Ok().json(report))
}

/// What every site's report route does: the caller's standing on the site,
/// the period read in the site's zone, the workflow's `report` (which says
/// who may read it), answered as JSON with instants in the site's offset,
/// or as `table`'s CSV.
pub async fn site_report<R, F>(
    state: web::Data<AppState>,
    user: AuthUser,
    slug: String,
    q: ReportQuery,
    req: &HttpRequest,
    report: F,
    table: fn(&R) -> Table,
) -> Result<HttpResponse, ApiError>
where
    R: Serialize + Send + 'static,
    F: FnOnce(&mut DbConn, &SiteAccess, DatePeriod, DateTime<Utc>) -> Result<R, ApiError> + Send + 'static,
{
    let now = clock::now();
    let (tz, found) = state
        .db
        .read(move |conn| {
            let access = site_access(conn, &slug, &user)?;
            let period = q.period(access.site.tz(), now)?;
            Ok((access.site.tz(), report(conn, &access, period, now)?))
        })
        .await?;
    match as_csv(req, &table(&found)) {
        Some(csv) => Ok(csv),
        None => site_json(StatusCode::OK, tz, &found),
    }
}
