//! Report 5, the quarter summary: a site's measures on one page, and the
//! same figures across every site of the deployment for an operator or a
//! district observer.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::db::DbConn;
use crate::domain::period::DatePeriod;
use crate::domain::policy::Caller;
use crate::domain::report::summary::{self, SiteFigures};
use crate::domain::report::{Cell, Column, Table, Unit};
use crate::errors::ApiError;
use crate::store::access::{SiteAccess, site_access};
use crate::store::sites;

use super::{computers, front_desk, rooms, volunteers};

/// One site's measures over a period.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct SummaryReport {
    /// The site's slug.
    pub site: String,
    pub name: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    #[serde(flatten)]
    pub figures: SiteFigures,
}

/// The site's quarter summary over `period`: its admin, operators and
/// district observers.
pub fn report(
    conn: &mut DbConn,
    access: &SiteAccess,
    period: DatePeriod,
    now: DateTime<Utc>,
) -> Result<SummaryReport, ApiError> {
    access.may_read_reports()?;
    let rooms = rooms::report(conn, access, period, now)?;
    let computers = computers::report(conn, access, period, now)?;
    let desk = front_desk::report(conn, access, period, now)?;
    let vol = volunteers::report(conn, access, period, now)?;
    Ok(SummaryReport {
        site: access.site.slug.clone(),
        name: access.site.name.clone(),
        from: period.first(),
        to: period.last(),
        figures: SiteFigures {
            room_booked_hours: rooms.booked_hours,
            room_open_hours: rooms.open_hours,
            computer_booked_hours: computers.booked_hours,
            computer_used_hours: computers.used_hours,
            computer_no_shows: i64::from(computers.no_shows),
            waitlist_served: i64::from(computers.waitlist.served),
            urgent_displacements: i64::from(computers.displacements.total),
            desk_hours: desk.total_hours,
            desk_spread_hours: desk.spread_hours,
            uncovered_posts: desk.uncovered.len() as i64,
            swaps_taken: desk.people.iter().map(|p| p.swaps_taken).sum(),
            volunteer_hours: vol.total_hours,
            volunteer_absences: vol.absence_count(),
            volunteer_covers: vol.cover_count(),
        },
    })
}

impl SummaryReport {
    /// One row per measure: measure, hours, count (one of the two set).
    pub fn table(&self) -> Table {
        let rows = summary::measures(&self.figures)
            .into_iter()
            .map(|(key, hours, count)| {
                vec![
                    Cell::Text(key.into()),
                    Cell::Number(hours),
                    Cell::Number(count.map(|n| n as f64)),
                ]
            })
            .collect();
        Table {
            key: "summary",
            columns: vec![
                Column {
                    key: "measure",
                    unit: Unit::Text,
                },
                Column {
                    key: "hours",
                    unit: Unit::Hours,
                },
                Column {
                    key: "count",
                    unit: Unit::Count,
                },
            ],
            rows,
            totals: None,
            chart: 1,
        }
    }
}

/// One site's row of the summary across sites.
pub type SiteSummaryRow = SummaryReport;

/// Every site's summary, in site order, each over the dates `period_of`
/// gives in its own zone: operators and district observers only.
pub fn across_sites(
    conn: &mut DbConn,
    caller: Caller,
    period_of: impl Fn(Tz) -> Result<DatePeriod, ApiError>,
    now: DateTime<Utc>,
) -> Result<Vec<SiteSummaryRow>, ApiError> {
    caller.may_read_every_site()?;
    const PAGE: i64 = 200;
    let mut rows = Vec::new();
    let mut after = 0;
    loop {
        let page = sites::list(conn, None, after, PAGE)?;
        for site in &page {
            let access = site_access(conn, &site.slug, caller)?;
            rows.push(report(conn, &access, period_of(site.tz())?, now)?);
        }
        match page.last() {
            Some(last) if page.len() as i64 == PAGE => after = last.id,
            _ => return Ok(rows),
        }
    }
}

/// The summary across sites as a table: one row per site, the totals row
/// sums every figure but the spread (a spread of spreads means nothing).
pub fn sites_table(rows: &[SiteSummaryRow]) -> Table {
    let cells = |f: &SiteFigures| -> Vec<Cell> {
        summary::measures(f)
            .into_iter()
            .map(|(_, h, c)| Cell::Number(h.or(c.map(|n| n as f64))))
            .collect()
    };
    let keys: Vec<(&'static str, bool)> = summary::measures(&SiteFigures::default())
        .into_iter()
        .map(|(key, h, _)| (key, h.is_some()))
        .collect();
    let mut totals = vec![Cell::Text(crate::domain::report::TOTAL.into())];
    for (i, (key, _)) in keys.iter().enumerate() {
        let sum: f64 = rows
            .iter()
            .map(|r| cells(&r.figures)[i].number().unwrap_or(0.0))
            .sum();
        totals.push(Cell::Number((*key != "desk_spread_hours").then_some(sum)));
    }
    let mut columns = vec![Column {
        key: "site",
        unit: Unit::Text,
    }];
    columns.extend(keys.iter().map(|(key, hours)| Column {
        key,
        unit: if *hours { Unit::Hours } else { Unit::Count },
    }));
    let chart = 1 + keys.iter().position(|(k, _)| *k == "desk_hours").unwrap_or(0);
    Table {
        key: "summary_sites",
        columns,
        rows: rows
            .iter()
            .map(|r| {
                let mut row = vec![Cell::Text(r.name.clone())];
                row.extend(cells(&r.figures));
                row
            })
            .collect(),
        totals: Some(totals),
        chart,
    }
}
