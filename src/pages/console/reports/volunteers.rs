//! 志愿者时长 until `workflows::reports::volunteers` lands: the existing
//! volunteer-hours computation (`workflows::duties::hours`) laid out as a
//! report [`Table`], one row per volunteer. No arithmetic here: the hours
//! and counts are the workflow's, the totals row its `total_hours` and the
//! sums of its counts.

use super::Figures;
use crate::db::DbConn;
use crate::domain::period::DatePeriod;
use crate::domain::report::{Cell, Column, Table, Unit};
use crate::errors::ApiError;
use crate::store::access::SiteAccess;
use crate::workflows::duties;

pub fn figures(conn: &mut DbConn, access: &SiteAccess, period: DatePeriod) -> Result<Figures, ApiError> {
    let report = duties::hours(conn, access, period)?;
    let count = |n: i64| Cell::Number(Some(n as f64));
    let table = Table {
        key: "volunteers",
        columns: vec![
            Column {
                key: "volunteer",
                unit: Unit::Text,
            },
            Column {
                key: "hours",
                unit: Unit::Hours,
            },
            Column {
                key: "attended",
                unit: Unit::Count,
            },
            Column {
                key: "no_shows",
                unit: Unit::Count,
            },
        ],
        rows: report
            .volunteers
            .iter()
            .map(|v| {
                vec![
                    Cell::Text(v.name.clone()),
                    Cell::Number(Some(v.hours)),
                    count(v.attended),
                    count(v.no_shows),
                ]
            })
            .collect(),
        totals: Some(vec![
            Cell::Text("total".into()),
            Cell::Number(Some(report.total_hours)),
            count(report.volunteers.iter().map(|v| v.attended).sum()),
            count(report.volunteers.iter().map(|v| v.no_shows).sum()),
        ]),
        chart: 1,
    };
    Ok(Figures {
        tables: vec![(None, table)],
        lists: vec![],
    })
}
