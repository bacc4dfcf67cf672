//! Report 1, room utilisation: gathers the site's rooms, their blackouts,
//! the calendar and the confirmed room bookings meeting the period, and
//! lets `domain::report::rooms` do the arithmetic.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::db::DbConn;
use crate::domain::booking::BookingStatus;
use crate::domain::period::DatePeriod;
use crate::domain::report::rooms::{self, Held, Room};
use crate::domain::resource::ResourceKind;
use crate::errors::ApiError;
use crate::store::access::SiteAccess;
use crate::store::{calendar, groups, reports, resources};

pub use crate::domain::report::rooms::RoomsReport;

/// The rooms' use over `period` (site-local dates), for those who may read
/// the site's reports.
pub fn report(
    conn: &mut DbConn,
    access: &SiteAccess,
    period: DatePeriod,
    _now: DateTime<Utc>,
) -> Result<RoomsReport, ApiError> {
    access.may_read_reports()?;
    let site = &access.site;
    let tz = site.tz();
    let window = period.instants(tz);
    let found = reports::resources_serving(conn, site.id, ResourceKind::Room, window)?;
    let ids: Vec<i64> = found.iter().map(|r| r.id).collect();
    let blackouts = resources::blackouts_within(conn, &ids, window)?;
    let rooms: Vec<Room> = found
        .iter()
        .map(|r| Room {
            id: r.id,
            name: r.name.clone(),
            opening: r.opening(),
            closed: blackouts
                .iter()
                .filter(|b| b.resource_id == r.id)
                .map(|b| b.interval())
                .collect(),
        })
        .collect();
    // Confirmed only: pending ones may yet be refused; cancelled, rejected
    // and released ones did not hold the room.
    let held: Vec<Held> = reports::bookings_meeting(conn, site.id, ResourceKind::Room, window)?
        .into_iter()
        .filter(|b| b.status() == BookingStatus::Confirmed)
        .map(|b| Held {
            resource_id: b.resource_id,
            group_id: b.group_id,
            slot: b.slot(),
        })
        .collect();
    let mut group_ids: Vec<i64> = held.iter().filter_map(|h| h.group_id).collect();
    group_ids.sort_unstable();
    group_ids.dedup();
    let names: BTreeMap<i64, String> = groups::names(conn, &group_ids)?.into_iter().collect();
    let cal = calendar::load(conn, site.id)?;
    Ok(rooms::build(tz, period, &cal, &rooms, &held, &names))
}
