//! 房间使用: the rooms report's table (per room and week) and its lists:
//! the rooms that sat empty and the hours each interest group held.

use chrono::{DateTime, Utc};

use super::Figures;
use crate::db::DbConn;
use crate::domain::period::DatePeriod;
use crate::domain::report::{Cell, Unit};
use crate::errors::ApiError;
use crate::pages::text::Reports;
use crate::store::access::SiteAccess;
use crate::workflows::reports::rooms;

pub fn figures(
    conn: &mut DbConn,
    access: &SiteAccess,
    period: DatePeriod,
    now: DateTime<Utc>,
    r: &Reports,
) -> Result<Figures, ApiError> {
    let report = rooms::report(conn, access, period, now)?;
    let hours = |h: f64| Cell::Number(Some(h)).shown(Unit::Hours);
    Ok(Figures {
        tables: vec![(None, report.table())],
        lists: vec![
            (
                r.empty_rooms,
                report.empty_rooms.iter().map(|e| e.name.clone()).collect(),
            ),
            (
                r.by_group,
                report
                    .groups
                    .iter()
                    .map(|g| {
                        format!(
                            "{} · {}：{} {}",
                            g.group,
                            g.room,
                            hours(g.booked_hours),
                            r.hours_word
                        )
                    })
                    .collect(),
            ),
        ],
    })
}
