//! A room's week as the group leader's grid shows it: each cell of the
//! room's opening hours free, taken (by which group, when the viewer may
//! know), closed, or not bookable (past, too soon, too far ahead). "Free"
//! is the core's own free-window answer, so a free cell is one the booking
//! workflow accepts.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};

use crate::db::DbConn;
use crate::domain::availability::{ResourceCalendar, free_windows};
use crate::domain::booking::BookingStatus;
use crate::domain::interval::Interval;
use crate::domain::local_time::{at_minutes, day_of, resolve_lenient, week_start};
use crate::domain::resource::ResourceKind;
use crate::errors::ApiError;
use crate::store::access::SiteAccess;
use crate::store::bookings::{self as booking_store, Booking};
use crate::store::groups::{self, Group};
use crate::store::resources::{self, Resource, ResourceFilter};

/// Rows span these hours when a room has no opening hours (always open).
const DEFAULT_ROWS: (u32, u32) = (8 * 60, 21 * 60);

/// One cell of the grid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cell {
    /// A booking of this length may start here.
    Free,
    /// Held by a booking: `by` names its group (any member may know a
    /// booking's group) or, for those who see booking details, its owner.
    Taken {
        by: Option<String>,
        mine: bool,
        pending: bool,
    },
    /// Outside the opening hours, or blacked out.
    Closed,
    /// Open and not taken, but not bookable now: past, too soon, too far ahead.
    Unavailable,
}

/// The week of one room.
pub struct Week {
    pub room: Resource,
    pub monday: NaiveDate,
    /// Minutes of the local day each row starts at.
    pub rows: Vec<u32>,
    /// Minutes each row lasts.
    pub step: u32,
    /// `cells[day][row]`, Monday first.
    pub cells: Vec<Vec<Cell>>,
}

impl Week {
    pub fn days(&self) -> Vec<NaiveDate> {
        (0..7).map(|i| self.monday + Duration::days(i)).collect()
    }
}

/// The site's rooms that can be booked, in id order.
pub fn rooms(conn: &mut DbConn, access: &SiteAccess) -> Result<Vec<Resource>, ApiError> {
    let filter = ResourceFilter {
        kind: Some(ResourceKind::Room),
        ..ResourceFilter::default()
    };
    resources::list(conn, access.site.id, &filter, 0, 1000)
}

/// The rooms page: the site's rooms, and the week of the one chosen.
pub struct Overview {
    pub rooms: Vec<Resource>,
    pub week: Option<Week>,
}

pub fn overview(
    conn: &mut DbConn,
    access: &SiteAccess,
    room_id: Option<i64>,
    date: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Overview, ApiError> {
    let week = match room_id {
        Some(id) => Some(week(conn, access, id, date, now)?),
        None => None,
    };
    Ok(Overview {
        rooms: rooms(conn, access)?,
        week,
    })
}

/// One room of the site (404 for anything else, as the API answers).
pub fn room(conn: &mut DbConn, access: &SiteAccess, id: i64) -> Result<Resource, ApiError> {
    let r = resources::by_id(conn, access.site.id, id)?;
    if r.kind() != ResourceKind::Room || r.is_retired() {
        return Err(ApiError::not_found("room"));
    }
    Ok(r)
}

/// The groups she may book for: those she leads, or every group for an admin.
pub fn bookable_groups(conn: &mut DbConn, access: &SiteAccess) -> Result<Vec<Group>, ApiError> {
    Ok(groups::list(conn, access.site.id, 0, 1000)?
        .into_iter()
        .map(|(g, _)| g)
        .filter(|g| access.may_book_for_group(g.leader_id).is_ok())
        .collect())
}

/// The grid's rows: from the earliest opening to the latest closing of the
/// week, in steps of the room's slot (at least half an hour).
fn rows_of(room: &Resource) -> (Vec<u32>, u32) {
    let step = room.rules().slot_minutes.max(30);
    let (first, last) = match room.opening() {
        Some(hours) => {
            let all: Vec<(u32, u32)> = (0..7u8)
                .filter_map(|d| chrono::Weekday::try_from(d).ok())
                .flat_map(|d| hours.ranges(d).to_vec())
                .collect();
            match (all.iter().map(|r| r.0).min(), all.iter().map(|r| r.1).max()) {
                (Some(a), Some(b)) => (a - a % step, b),
                _ => DEFAULT_ROWS,
            }
        }
        None => DEFAULT_ROWS,
    };
    let rows = (first..last).step_by(step as usize).collect();
    (rows, step)
}

/// The room's week containing `date`: every cell's state at `now`.
pub fn week(
    conn: &mut DbConn,
    access: &SiteAccess,
    room_id: i64,
    date: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Week, ApiError> {
    let tz = access.site.tz();
    let room = room(conn, access, room_id)?;
    let monday = week_start(date);
    let span = Interval::of(
        day_of(tz, monday).start,
        day_of(tz, monday + Duration::days(6)).end,
    );
    let rules = room.rules();
    let opening = room.opening();
    // A day either side: bookings and their buffers reaching into the week.
    let around = Interval::of(span.start - Duration::days(1), span.end + Duration::days(1));
    let held: Vec<Booking> = booking_store::active_within(conn, &[room.id], around)?
        .into_iter()
        .filter(|b| b.occupies(&rules, now))
        .collect();
    let busy = booking_store::occupying(&held, room.id, &rules, now);
    let blackouts: Vec<Interval> = resources::blackouts_within(conn, &[room.id], span)?
        .iter()
        .map(|b| b.interval())
        .collect();
    let (rows, step) = rows_of(&room);
    let want = Duration::minutes(i64::from(step.max(rules.min_minutes)));
    let cal = ResourceCalendar {
        resource_id: room.id,
        rules: &rules,
        opening: opening.as_ref(),
        blackouts: &blackouts,
        busy: &busy,
        retired: room.is_retired(),
    };
    let free = free_windows(tz, &cal, span, want, now);
    let labels = labels(conn, access, &held)?;

    let mut cells = Vec::with_capacity(7);
    for d in 0..7 {
        let date = monday + Duration::days(d);
        let mut column = Vec::with_capacity(rows.len());
        for &m in &rows {
            let cell = Interval::of(
                resolve_lenient(tz, at_minutes(date, m)),
                resolve_lenient(tz, at_minutes(date, m + step)),
            );
            let open = match &opening {
                Some(hours) => hours
                    .open_within(tz, cell)
                    .iter()
                    .any(|o| o.start <= cell.start && o.end >= cell.end),
                None => true,
            };
            let state = if !open || blackouts.iter().any(|b| b.overlaps(&cell)) {
                Cell::Closed
            } else if let Some(b) = held.iter().find(|b| b.busy().blocked.overlaps(&cell)) {
                Cell::Taken {
                    by: labels.get(&b.id).cloned(),
                    mine: b.owner_id == access.user_id,
                    pending: b.status() == BookingStatus::Pending,
                }
            } else if free.iter().any(|w| w.start <= cell.start && cell.end <= w.end) {
                Cell::Free
            } else {
                Cell::Unavailable
            };
            column.push(state);
        }
        cells.push(column);
    }
    Ok(Week {
        room,
        monday,
        rows,
        step,
        cells,
    })
}

/// What a taken cell may say: the group's name, as the API shows every
/// member a booking's group; else the owner's name to those who see
/// booking details (staff, admins, the owner).
pub fn labels(
    conn: &mut DbConn,
    access: &SiteAccess,
    held: &[Booking],
) -> Result<HashMap<i64, String>, ApiError> {
    let group_ids: Vec<i64> = held.iter().filter_map(|b| b.group_id).collect();
    let group_names: HashMap<i64, String> = if group_ids.is_empty() {
        HashMap::new()
    } else {
        groups::names(conn, &group_ids)?.into_iter().collect()
    };
    let owners: Vec<i64> = held
        .iter()
        .filter(|b| b.group_id.is_none() && access.sees_booking_details(b.owner_id))
        .map(|b| b.owner_id)
        .collect();
    let owner_names: HashMap<i64, String> = if owners.is_empty() {
        HashMap::new()
    } else {
        booking_store::user_names(conn, &owners)?.into_iter().collect()
    };
    Ok(held
        .iter()
        .filter_map(|b| {
            let name = match b.group_id {
                Some(g) => group_names.get(&g).cloned(),
                None if access.sees_booking_details(b.owner_id) => owner_names.get(&b.owner_id).cloned(),
                None => None,
            };
            name.map(|n| (b.id, n))
        })
        .collect())
}

/// What the booking form of a room offers: its times (on its slot grid,
/// within its opening hours) and the groups she may book for.
pub struct Choices {
    pub room: Resource,
    /// The site's zone, which the form's dates and times are in.
    pub tz: chrono_tz::Tz,
    pub starts: Vec<u32>,
    pub ends: Vec<u32>,
    pub groups: Vec<Group>,
}

pub fn choices(conn: &mut DbConn, access: &SiteAccess, room_id: i64) -> Result<Choices, ApiError> {
    let room = room(conn, access, room_id)?;
    let (starts, step) = rows_of(&room);
    let ends = starts.iter().map(|m| m + step).collect();
    Ok(Choices {
        tz: access.site.tz(),
        groups: bookable_groups(conn, access)?,
        room,
        starts,
        ends,
    })
}
