//! Report 2, computers: gathers the site's computers, their bookings
//! meeting the period, the waitlist entries for computers that joined in
//! it and the displacements of computer bookings recorded in the audit
//! trail; `domain::report::computers` does the arithmetic.

use chrono::{DateTime, Utc};

use crate::db::DbConn;
use crate::domain::booking::Urgency;
use crate::domain::period::DatePeriod;
use crate::domain::report::computers::{self, Inputs, Use, Wait};
use crate::domain::resource::ResourceKind;
use crate::errors::ApiError;
use crate::store::access::SiteAccess;
use crate::store::reports;

pub use crate::domain::report::computers::ComputersReport;

/// The computers' use over `period` (site-local dates) as of `now`, for
/// those who may read the site's reports.
pub fn report(
    conn: &mut DbConn,
    access: &SiteAccess,
    period: DatePeriod,
    now: DateTime<Utc>,
) -> Result<ComputersReport, ApiError> {
    access.may_read_reports()?;
    let site = &access.site;
    let window = period.instants(site.tz());
    let found = reports::resources_serving(conn, site.id, ResourceKind::Computer, window)?;
    let computers: Vec<(i64, String)> = found.iter().map(|r| (r.id, r.name.clone())).collect();
    let uses: Vec<Use> = reports::bookings_meeting(conn, site.id, ResourceKind::Computer, window)?
        .into_iter()
        .map(|b| Use {
            resource_id: b.resource_id,
            slot: b.slot(),
            status: b.status(),
            checked_in_at: b.checked_in_at.map(|t| t.and_utc()),
            ended_at: b.ended_at.map(|t| t.and_utc()),
        })
        .collect();
    // An entry waits for one computer or for a pool; it is the computers'
    // if that computer or pool is one of theirs.
    let is_computers = |resource: Option<i64>, pool: Option<&str>| {
        found
            .iter()
            .any(|r| Some(r.id) == resource || (pool.is_some() && r.pool.as_deref() == pool))
    };
    let waits: Vec<Wait> = reports::waitlist_joined(conn, site.id, window)?
        .into_iter()
        .filter(|e| is_computers(e.resource_id, e.pool.as_deref()))
        .map(|e| Wait {
            joined_at: e.created_at.and_utc(),
            status: e.status,
            ended_at: e.ended_at.map(|t| t.and_utc()),
        })
        .collect();
    let displaced_by: Vec<Urgency> = reports::displacements(conn, site.id, ResourceKind::Computer, window)?
        .into_iter()
        .map(|u| Urgency::from_code(u.as_deref().unwrap_or_default()))
        .collect();
    Ok(computers::build(&Inputs {
        from: period.first(),
        to: period.last(),
        window,
        now,
        computers: &computers,
        uses: &uses,
        waits: &waits,
        displaced_by: &displaced_by,
    }))
}
