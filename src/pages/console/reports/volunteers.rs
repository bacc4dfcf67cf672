//! 志愿者时长: the volunteers report's table (hours per volunteer and
//! duty) and the absences with who covered.

use chrono::{DateTime, Utc};

use super::Figures;
use crate::db::DbConn;
use crate::domain::period::DatePeriod;
use crate::errors::ApiError;
use crate::pages::text::Reports;
use crate::store::access::SiteAccess;
use crate::workflows::reports::volunteers;

pub fn figures(
    conn: &mut DbConn,
    access: &SiteAccess,
    period: DatePeriod,
    now: DateTime<Utc>,
    r: &Reports,
) -> Result<Figures, ApiError> {
    let report = volunteers::report(conn, access, period, now)?;
    let absences = report
        .absences
        .iter()
        .map(|a| {
            let cover = if a.covered_by.is_empty() {
                r.nobody_covered.to_owned()
            } else {
                format!("{}：{}", r.covered_by, a.covered_by.join("、"))
            };
            format!("{} {} · {}（{}）", a.date, a.duty, a.volunteer, cover)
        })
        .collect();
    Ok(Figures {
        tables: vec![(None, report.table())],
        lists: vec![(r.absences, absences)],
    })
}
