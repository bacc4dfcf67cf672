//! 前台接待: the front-desk report's table (desk hours per staff member
//! against the fair share, swaps) and the posts nobody covered.

use chrono::{DateTime, Utc};

use super::Figures;
use crate::db::DbConn;
use crate::domain::period::DatePeriod;
use crate::errors::ApiError;
use crate::pages::text::Reports;
use crate::store::access::SiteAccess;
use crate::workflows::reports::front_desk;

pub fn figures(
    conn: &mut DbConn,
    access: &SiteAccess,
    period: DatePeriod,
    now: DateTime<Utc>,
    r: &Reports,
) -> Result<Figures, ApiError> {
    let report = front_desk::report(conn, access, period, now)?;
    let tz = access.site.tz();
    let uncovered = report
        .uncovered
        .iter()
        .map(|u| {
            let (start, end) = (u.starts_at.with_timezone(&tz), u.ends_at.with_timezone(&tz));
            format!(
                "{} {}–{} {}",
                u.date,
                start.format("%H:%M"),
                end.format("%H:%M"),
                u.label
            )
        })
        .collect();
    Ok(Figures {
        tables: vec![(None, report.table())],
        lists: vec![(r.uncovered, uncovered)],
    })
}
