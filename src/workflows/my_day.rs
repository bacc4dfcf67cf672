//! What one person has ahead at a site, read for the web pages: her
//! bookings and desk shifts, which computers are free now, when a pool
//! frees up, and checking in where she stands. The rules (when check-in
//! opens, what counts as free) stay here and in the core, not in a page.

use chrono::{DateTime, Duration, Utc};

use crate::db::DbConn;
use crate::domain::booking::BookingStatus;
use crate::domain::interval::Interval;
use crate::domain::local_time::local_day;
use crate::domain::resource::ResourceKind;
use crate::errors::ApiError;
use crate::notify::Notifier;
use crate::store::access::SiteAccess;
use crate::store::bookings::{self, Booking, BookingFilter};
use crate::store::resources::{self, Resource, ResourceFilter};
use crate::store::users;
use crate::workflows::availability::free_slots;
use crate::workflows::bookings::{CHECK_IN_OPENS_MINUTES, check_in};

/// How far ahead "my bookings" looks.
pub const AHEAD_DAYS: i64 = 14;

/// A booking of hers, with what the page needs to say it in words.
#[derive(Clone, Debug)]
pub struct Mine {
    pub booking: Booking,
    pub resource_name: String,
    /// A desk booking: a front-desk shift.
    pub is_shift: bool,
    /// Check-in is open now and not done yet.
    pub due: bool,
    /// She may cancel it (not ended yet).
    pub cancellable: bool,
}

/// Her day at the site: what she holds, and the computers free right now.
pub struct Overview {
    pub mine: Vec<Mine>,
    pub free_computers: Vec<String>,
    /// A volunteer's next duty dates (none for anyone else).
    pub duties: Vec<crate::workflows::duty_board::MyDate>,
}

/// The sites she belongs to: (slug, name).
pub fn sites(conn: &mut DbConn, user_id: i64) -> Result<Vec<(String, String)>, ApiError> {
    Ok(users::memberships_of(conn, user_id)?
        .into_iter()
        .map(|(slug, name, _)| (slug, name))
        .collect())
}

fn due(booking: &Booking, needs_check_in: bool, now: DateTime<Utc>) -> bool {
    needs_check_in
        && booking.status() == BookingStatus::Confirmed
        && booking.checked_in_at.is_none()
        && now >= booking.starts_at.and_utc() - Duration::minutes(CHECK_IN_OPENS_MINUTES)
        && now < booking.ends_at.and_utc()
}

fn site_resources(conn: &mut DbConn, access: &SiteAccess) -> Result<Vec<Resource>, ApiError> {
    resources::list(conn, access.site.id, &ResourceFilter::default(), 0, 1000)
}

/// Her live bookings from now to [`AHEAD_DAYS`] ahead, earliest first.
pub fn mine(conn: &mut DbConn, access: &SiteAccess, now: DateTime<Utc>) -> Result<Vec<Mine>, ApiError> {
    let all = site_resources(conn, access)?;
    let filter = BookingFilter {
        window: Interval::of(now, now + Duration::days(AHEAD_DAYS)),
        resource_id: None,
        owner_id: Some(access.user_id),
        status: None,
        group_id: None,
        after: None,
        limit: 200,
    };
    let rows = bookings::list(conn, access.site.id, &filter)?;
    Ok(rows
        .into_iter()
        .filter(|(b, _, _)| matches!(b.status(), BookingStatus::Confirmed | BookingStatus::Pending))
        .map(|(b, _, resource_name)| {
            let resource = all.iter().find(|r| r.id == b.resource_id);
            let kind = resource.map(|r| r.kind()).unwrap_or(ResourceKind::Room);
            let needs = resource.is_some_and(|r| r.rules().check_in_required);
            Mine {
                due: due(&b, needs, now),
                is_shift: kind == ResourceKind::Desk,
                cancellable: b.ends_at.and_utc() > now,
                booking: b,
                resource_name,
            }
        })
        .collect())
}

/// The computers of a pool free from the current slot for `length`.
fn free_now(
    conn: &mut DbConn,
    access: &SiteAccess,
    members: &[Resource],
    length: Duration,
    now: DateTime<Utc>,
) -> Result<Vec<String>, ApiError> {
    let tz = access.site.tz();
    let start = crate::domain::local_time::floor_to_slot(tz, now, 15);
    let windows = free_slots(
        conn,
        tz,
        members,
        Interval::of(start, start + length),
        Some(length),
        now,
    )?;
    Ok(members
        .iter()
        .filter(|r| {
            windows
                .iter()
                .any(|w| w.resource_id == r.id && w.window.start <= start)
        })
        .map(|r| r.name.clone())
        .collect())
}

/// Her bookings ahead and the members of `pool` free now.
pub fn overview(
    conn: &mut DbConn,
    access: &SiteAccess,
    pool: &str,
    now: DateTime<Utc>,
) -> Result<Overview, ApiError> {
    let mine = mine(conn, access, now)?;
    let members = resources::pool_members(conn, access.site.id, pool)?;
    let free_computers = free_now(conn, access, &members, Duration::minutes(30), now)?;
    let duties = if access.roles.volunteer {
        let mut dates = crate::workflows::duty_board::my_dates(conn, access, now)?;
        dates.retain(|d| !d.absent);
        dates.truncate(3);
        dates
    } else {
        Vec::new()
    };
    Ok(Overview {
        mine,
        free_computers,
        duties,
    })
}

/// The earliest time today when some member of `pool` is free for
/// `length`, after the current slot: what to offer when none is free now.
pub fn next_free(
    conn: &mut DbConn,
    access: &SiteAccess,
    pool: &str,
    length: Duration,
    now: DateTime<Utc>,
) -> Result<Option<Interval>, ApiError> {
    let tz = access.site.tz();
    let members = resources::pool_members(conn, access.site.id, pool)?;
    let day = local_day(tz, now);
    if day.end <= now {
        return Ok(None);
    }
    let windows = free_slots(conn, tz, &members, Interval::of(now, day.end), Some(length), now)?;
    Ok(windows
        .first()
        .map(|w| Interval::of(w.window.start, w.window.start + length)))
}

/// Checks her in on her booking at `resource_id` that is due now (the
/// check-in link on a computer).
pub fn check_in_at(
    conn: &mut DbConn,
    access: &SiteAccess,
    resource_id: i64,
    notifier: &Notifier,
    now: DateTime<Utc>,
) -> Result<Booking, ApiError> {
    let resource = resources::by_id(conn, access.site.id, resource_id)?;
    let held = mine(conn, access, now)?;
    let here = held
        .into_iter()
        .filter(|m| m.booking.resource_id == resource.id)
        .find(|m| m.booking.checked_in_at.is_some() || due(&m.booking, true, now))
        .ok_or_else(|| ApiError::conflict("You have no booking here that can be checked in now."))?;
    check_in(conn, access, here.booking.id, notifier, now)
}
