//! 共享电脑: the computers report's table (per computer) and, in words,
//! its figures for the whole site: the waitlist, urgent displacements by
//! category, and what is not counted.

use chrono::{DateTime, Utc};

use super::Figures;
use crate::db::DbConn;
use crate::domain::period::DatePeriod;
use crate::domain::report::{Cell, Unit};
use crate::errors::ApiError;
use crate::pages::text::Reports;
use crate::store::access::SiteAccess;
use crate::workflows::reports::computers;

pub fn figures(
    conn: &mut DbConn,
    access: &SiteAccess,
    period: DatePeriod,
    now: DateTime<Utc>,
    r: &Reports,
) -> Result<Figures, ApiError> {
    let report = computers::report(conn, access, period, now)?;
    let minutes =
        |m: Option<f64>| m.map_or_else(|| "–".to_owned(), |m| Cell::Number(Some(m)).shown(Unit::Minutes));
    let w = &report.waitlist;
    let [joined, served, expired, cancelled, waiting, mean, max] = r.waitlist_labels;
    let waitlist = vec![
        format!("{joined}：{}", w.joined),
        format!("{served}：{}", w.served),
        format!("{expired}：{}", w.expired),
        format!("{cancelled}：{}", w.cancelled),
        format!("{waiting}：{}", w.waiting),
        format!("{mean}：{}", minutes(w.wait_minutes_mean)),
        format!("{max}：{}", minutes(w.wait_minutes_max)),
    ];
    let mut displaced = vec![format!("{}：{}", r.displaced_total, report.displacements.total)];
    displaced.extend(
        report
            .displacements
            .by_urgency
            .iter()
            .map(|(urgency, n)| format!("{}：{n}", r.urgency(urgency))),
    );
    if let Some(refused) = report.refused {
        displaced.push(format!("{}：{refused}", r.refused));
    }
    Ok(Figures {
        tables: vec![(None, report.table())],
        lists: vec![(r.waitlist, waitlist), (r.displaced, displaced)],
    })
}
