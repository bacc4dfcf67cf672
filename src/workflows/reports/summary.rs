//! Report 5, the quarter summary: a site's measures on one page, and the
//! same figures across every site of the deployment for an operator or a
//! district observer.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::db::DbConn;
use crate::domain::interval::Interval;
use crate::domain::period::DatePeriod;
use crate::domain::policy::Caller;
use crate::domain::report::summary::{self, SiteFigures};
use crate::domain::report::{Cell, Column, Table, Unit};
use crate::errors::ApiError;
use crate::store::access::{SiteAccess, site_access};
use crate::store::{report_people, sites};

use super::{front_desk, volunteers};

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
    let desk = front_desk::report(conn, access, period, now)?;
    let vol = volunteers::report(conn, access, period, now)?;
    let (room_booked_hours, computer_booked_hours) = booked_hours(conn, access, period)?;
    Ok(SummaryReport {
        site: access.site.slug.clone(),
        name: access.site.name.clone(),
        from: period.first(),
        to: period.last(),
        figures: SiteFigures {
            room_booked_hours,
            computer_booked_hours,
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

/// Hours of confirmed room and computer bookings inside the period's
/// local days, each booking clipped to them.
fn booked_hours(conn: &mut DbConn, access: &SiteAccess, period: DatePeriod) -> Result<(f64, f64), ApiError> {
    let within = period.instants(access.site.tz());
    let mut hours = |kind: &str| -> Result<f64, ApiError> {
        let spans: Vec<Interval> = report_people::confirmed_spans(conn, access.site.id, kind, within)?
            .into_iter()
            .map(|(s, e)| Interval::of(s.and_utc(), e.and_utc()))
            .collect();
        Ok(summary::minutes_within(&spans, within) as f64 / 60.0)
    };
    Ok((hours("room")?, hours("computer")?))
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
    let hours = |h: f64| Cell::Number(Some(h));
    let count = |n: i64| Cell::Number(Some(n as f64));
    let figures = |f: &SiteFigures| {
        vec![
            hours(f.room_booked_hours),
            hours(f.computer_booked_hours),
            hours(f.desk_hours),
            hours(f.desk_spread_hours),
            count(f.uncovered_posts),
            count(f.swaps_taken),
            hours(f.volunteer_hours),
            count(f.volunteer_absences),
            count(f.volunteer_covers),
        ]
    };
    let mut total = SiteFigures::default();
    for r in rows {
        let f = &r.figures;
        total.room_booked_hours += f.room_booked_hours;
        total.computer_booked_hours += f.computer_booked_hours;
        total.desk_hours += f.desk_hours;
        total.uncovered_posts += f.uncovered_posts;
        total.swaps_taken += f.swaps_taken;
        total.volunteer_hours += f.volunteer_hours;
        total.volunteer_absences += f.volunteer_absences;
        total.volunteer_covers += f.volunteer_covers;
    }
    let mut totals = vec![Cell::Text(crate::domain::report::TOTAL.into())];
    totals.extend(figures(&total));
    totals[4] = Cell::Number(None);
    let mut columns = vec![Column {
        key: "site",
        unit: Unit::Text,
    }];
    columns.extend(summary::measures(&total).into_iter().map(|(key, h, _)| Column {
        key,
        unit: if h.is_some() { Unit::Hours } else { Unit::Count },
    }));
    Table {
        key: "summary_sites",
        columns,
        rows: rows
            .iter()
            .map(|r| {
                let mut row = vec![Cell::Text(r.name.clone())];
                row.extend(figures(&r.figures));
                row
            })
            .collect(),
        totals: Some(totals),
        chart: 3,
    }
}
