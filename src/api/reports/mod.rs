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

use actix_web::{HttpRequest, HttpResponse};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::api::waitlist::wants_csv;
use crate::domain::local_time::local_date;
use crate::domain::period::DatePeriod;
use crate::domain::report::Table;
use crate::errors::ApiError;

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

/// A report answered as its JSON, or as its table's CSV (a download named
/// after the report) to a client that accepts `text/csv`.
pub fn answer<T: Serialize>(req: &HttpRequest, report: &T, table: &Table) -> HttpResponse {
    if wants_csv(req) {
        return HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((
                "Content-Disposition",
                format!("attachment; filename=\"{}.csv\"", table.key),
            ))
            .body(table.csv());
    }
    HttpResponse::Ok().json(report)
}
