//! 季度汇总: the quarter summary's own table (the site's measures) first,
//! then the four reports' tables on one printable page. The CSV is the
//! summary's table.

use chrono::{DateTime, Utc};

use super::{Figures, Report, computers, front_desk, rooms, volunteers};
use crate::db::DbConn;
use crate::domain::period::DatePeriod;
use crate::errors::ApiError;
use crate::pages::text::Reports;
use crate::store::access::SiteAccess;
use crate::workflows::reports::summary;

pub fn figures(
    conn: &mut DbConn,
    access: &SiteAccess,
    period: DatePeriod,
    now: DateTime<Utc>,
    r: &Reports,
) -> Result<Figures, ApiError> {
    let mut tables = vec![(None, summary::report(conn, access, period, now)?.table())];
    let parts = [
        (Report::Rooms, rooms::figures(conn, access, period, now, r)?),
        (
            Report::Computers,
            computers::figures(conn, access, period, now, r)?,
        ),
        (
            Report::FrontDesk,
            front_desk::figures(conn, access, period, now, r)?,
        ),
        (
            Report::Volunteers,
            volunteers::figures(conn, access, period, now, r)?,
        ),
    ];
    for (report, figures) in parts {
        tables.extend(figures.tables.into_iter().map(|(_, t)| (Some(report.index()), t)));
    }
    Ok(Figures {
        tables,
        lists: vec![],
    })
}
