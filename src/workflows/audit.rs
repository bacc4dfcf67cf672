//! Reading the audit trail of a site (its admin): who used urgency, who was
//! displaced, what the waitlist served. The API and the console read it
//! here, and export it as the same CSV: names beside ids, times in the
//! site's zone.

use chrono::NaiveDateTime;
use chrono_tz::Tz;

use crate::db::DbConn;
use crate::domain::csv::Csv;
use crate::errors::ApiError;
use crate::store::access::SiteAccess;
use crate::store::audit::{self, AuditFilter, NamedEntry};
use crate::store::resources::{self, ResourceFilter};
use crate::workflows::members;

/// Every kind of entry, as the trail stores it.
pub const KINDS: [&str; 7] = [
    "preemption",
    "relocation",
    "waitlisted",
    "waitlist_served",
    "waitlist_expired",
    "urgent_use",
    "emergency_use",
];

/// Enough for a committee's members and its rooms and computers.
const CHOICES: i64 = 1000;

/// The entries `filter` selects (admin).
pub fn trail(
    conn: &mut DbConn,
    access: &SiteAccess,
    filter: &AuditFilter,
) -> Result<Vec<NamedEntry>, ApiError> {
    access.require_admin()?;
    audit::list(conn, access.site.id, filter)
}

/// Whom and what the trail can be narrowed to, by name: the site's people
/// and its resources (retired ones too: their entries stay).
pub struct Choices {
    pub people: Vec<(i64, String)>,
    pub resources: Vec<(i64, String)>,
}

/// The entries `filter` selects (none without one: a filter she must
/// correct first), with the people and resources to filter by (admin).
pub fn browse(
    conn: &mut DbConn,
    access: &SiteAccess,
    filter: Option<&AuditFilter>,
) -> Result<(Choices, Vec<NamedEntry>), ApiError> {
    access.require_admin()?;
    let entries = match filter {
        Some(f) => audit::list(conn, access.site.id, f)?,
        None => Vec::new(),
    };
    let people = members::list(conn, access, 0, CHOICES)?
        .iter()
        .map(|m| (m.user.id, m.name().to_owned()))
        .collect();
    let filter = ResourceFilter {
        include_retired: true,
        ..ResourceFilter::default()
    };
    let resources = resources::list(conn, access.site.id, &filter, 0, CHOICES)?
        .into_iter()
        .map(|r| (r.id, r.name))
        .collect();
    Ok((Choices { people, resources }, entries))
}

/// The entries as the spreadsheet of the quarterly check: times with the
/// site's offset, people and resources by name (ids kept for matching),
/// and the booking's time, which `details` gives in UTC.
pub fn csv(tz: Tz, entries: &[NamedEntry]) -> String {
    let mut out = Csv::new(&[
        "id",
        "at",
        "action",
        "actor",
        "subject",
        "booking_id",
        "other_booking_id",
        "urgency",
        "reason",
        "details",
        "resource",
        "starts_at",
        "ends_at",
    ]);
    let id = |i: Option<i64>| i.map(|i| i.to_string()).unwrap_or_default();
    let at = |t: NaiveDateTime| t.and_utc().with_timezone(&tz).fixed_offset().to_rfc3339();
    for n in entries {
        let e = &n.entry;
        out.row(&[
            e.id.to_string(),
            at(e.at),
            e.action.clone(),
            n.actor.clone().unwrap_or_default(),
            n.subject.clone().unwrap_or_default(),
            id(e.booking_id),
            id(e.other_booking_id),
            e.urgency.clone().unwrap_or_default(),
            e.reason.clone().unwrap_or_default(),
            e.details.clone(),
            n.resource.clone().unwrap_or_default(),
            n.slot.map(|(s, _)| at(s)).unwrap_or_default(),
            n.slot.map(|(_, e)| at(e)).unwrap_or_default(),
        ]);
    }
    out.finish()
}
