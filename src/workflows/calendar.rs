//! The site calendar: holidays and make-up working days.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, NaiveDate, Utc};

use crate::db::{DbConn, Lock, backend};
use crate::domain::calendar::SiteCalendar;
use crate::domain::duty::occurrences;
use crate::domain::local_time::local_date;
use crate::errors::ApiError;
use crate::store::access::SiteAccess;
use crate::store::{calendar, duties, rota};
use crate::workflows::duties::sync_room_bookings;

/// Replaces the site calendar (site admin) and moves every duty's room
/// room bookings to match: a new holiday frees the room, a removed one takes it
/// again. Under the site lock, as they are bookings.
pub fn replace(
    conn: &mut DbConn,
    access: &SiteAccess,
    cal: &SiteCalendar,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    access.require_admin()?;
    backend::lock(conn, &[Lock::Site(access.site.id)])?;
    calendar::replace(conn, access.site.id, cal)?;
    for duty in duties::of_site(conn, access.site.id)? {
        sync_room_bookings(conn, &access.site, &duty, cal, now)?;
    }
    Ok(())
}

/// What a new calendar would change, for the admin to see before saving.
pub struct CalendarChange {
    pub added_holidays: Vec<NaiveDate>,
    pub removed_holidays: Vec<NaiveDate>,
    pub added_workdays: Vec<NaiveDate>,
    pub removed_workdays: Vec<NaiveDate>,
    /// Duty dates (name, date) from today on that would no longer take place.
    pub duty_dates_off: Vec<(String, NaiveDate)>,
    /// Duty dates that would take place again (a holiday taken away).
    pub duty_dates_on: Vec<(String, NaiveDate)>,
    /// Published shifts (label, date) on days that would stop being
    /// working days: the next publish drops them and tells their people.
    pub shifts_off: Vec<(String, NaiveDate)>,
}

impl CalendarChange {
    pub fn is_empty(&self) -> bool {
        self.added_holidays.is_empty()
            && self.removed_holidays.is_empty()
            && self.added_workdays.is_empty()
            && self.removed_workdays.is_empty()
    }
}

/// How far ahead a change is looked at: a year covers every rota and duty
/// date anyone has planned.
const LOOK_AHEAD_DAYS: i64 = 366;

/// What replacing the calendar with `new` would change, changing nothing
/// (site admin).
pub fn preview(
    conn: &mut DbConn,
    access: &SiteAccess,
    new: &SiteCalendar,
    now: DateTime<Utc>,
) -> Result<CalendarChange, ApiError> {
    access.require_admin()?;
    let site = &access.site;
    let old = calendar::load(conn, site.id)?;
    let diff =
        |a: &BTreeSet<NaiveDate>, b: &BTreeSet<NaiveDate>| a.difference(b).copied().collect::<Vec<_>>();
    let tz = site.tz();
    let today = local_date(tz, now);
    let last = today + Duration::days(LOOK_AHEAD_DAYS);
    let (mut off, mut on) = (Vec::new(), Vec::new());
    for duty in duties::of_site(conn, site.id)? {
        let dates = |cal: &SiteCalendar| -> BTreeSet<NaiveDate> {
            occurrences(tz, &duty.pattern(), cal, today, last)
                .iter()
                .map(|o| o.date)
                .collect()
        };
        let (before, after) = (dates(&old), dates(new));
        off.extend(before.difference(&after).map(|d| (duty.name.clone(), *d)));
        on.extend(after.difference(&before).map(|d| (duty.name.clone(), *d)));
    }
    off.sort_by_key(|(n, d)| (*d, n.clone()));
    on.sort_by_key(|(n, d)| (*d, n.clone()));
    let shifts_off = rota::published_between(conn, site.id, today, last)?
        .into_iter()
        .filter(|s| old.is_working_day(s.date) && !new.is_working_day(s.date))
        .map(|s| (s.label, s.date))
        .collect();
    Ok(CalendarChange {
        added_holidays: diff(&new.holidays, &old.holidays),
        removed_holidays: diff(&old.holidays, &new.holidays),
        added_workdays: diff(&new.workdays, &old.workdays),
        removed_workdays: diff(&old.workdays, &new.workdays),
        duty_dates_off: off,
        duty_dates_on: on,
        shifts_off,
    })
}

/// The site's calendar as it is (any member may read it).
pub fn current(conn: &mut DbConn, access: &SiteAccess) -> Result<SiteCalendar, ApiError> {
    calendar::load(conn, access.site.id)
}

/// The calendar as the console edits it: the site admin's, like
/// [`replace`] and [`preview`].
pub fn for_editing(conn: &mut DbConn, access: &SiteAccess) -> Result<SiteCalendar, ApiError> {
    access.require_admin()?;
    current(conn, access)
}
