//! What the rota generator works from: the weekly shift templates, the
//! times staff cannot take desk shifts, and the solver's view of them all
//! ([`problem`]).

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDateTime};

use super::rota::HISTORY_WEEKS;
use crate::db::DbConn;
use crate::domain::interval::Interval;
use crate::domain::local_time::{local_date, week_start};
use crate::domain::period::Period;
use crate::domain::rota::{RotaProblem, ShiftSlot, StaffMember};
use crate::errors::ApiError;
use crate::store::access::SiteAccess;
use crate::store::bookings as booking_store;
use crate::store::rota::{self, NewTemplate, Shift, Template, Unavailability};
use crate::store::sites::Site;
use crate::store::users::{self, Membership};

/// Replaces the site's weekly shift templates (site admin); the next
/// generation works from them.
pub fn replace_templates(
    conn: &mut DbConn,
    access: &SiteAccess,
    templates: &[NewTemplate],
) -> Result<Vec<Template>, ApiError> {
    access.require_admin()?;
    rota::replace_templates(conn, access.site.id, templates)
}

/// Records a time member `who` (default: the caller) cannot take desk
/// shifts. Only an admin records it for someone else.
pub fn add_unavailability(
    conn: &mut DbConn,
    access: &SiteAccess,
    who: Option<i64>,
    period: Period,
    reason: &str,
    now: NaiveDateTime,
) -> Result<Unavailability, ApiError> {
    access.may_act_here()?;
    let who = who.unwrap_or(access.user_id);
    if who != access.user_id {
        access.require_admin()?;
    }
    if users::membership(conn, access.site.id, who)?.is_none() {
        return Err(ApiError::invalid("user_id", "not a member of this site"));
    }
    rota::insert_unavailability(
        conn,
        access.site.id,
        who,
        period.interval(),
        reason,
        access.user_id,
        now,
    )
}

/// Removes unavailability `id` (its person or an admin).
pub fn remove_unavailability(conn: &mut DbConn, access: &SiteAccess, id: i64) -> Result<(), ApiError> {
    let row = rota::unavailability_by_id(conn, access.site.id, id)?
        .ok_or_else(|| ApiError::not_found("unavailability"))?;
    // Someone else's entry is not theirs to see.
    if !access.sees_unavailability_of(row.user_id) {
        return Err(ApiError::not_found("unavailability"));
    }
    rota::delete_unavailability(conn, row.id)
}

/// The solver's view of a site's shifts: its staff with their weekly
/// limits, their time away (recorded unavailability and any other seat
/// they hold), the end of their first weeks at the site, and the
/// published history that fairness counts.
pub(crate) fn problem(
    conn: &mut DbConn,
    site: &Site,
    shifts: &[Shift],
    fixed: &BTreeMap<i64, Vec<i64>>,
) -> Result<RotaProblem, ApiError> {
    let tz = site.tz();
    let members = users::members_of_site(conn, site.id, 0, 10_000)?;
    let staff: Vec<&Membership> = members.iter().map(|(_, m)| m).filter(|m| m.is_staff).collect();
    let (first, last) = match (shifts.first(), shifts.iter().map(|s| s.ends_at).max()) {
        (Some(f), Some(l)) => (f.starts_at.and_utc(), l.and_utc()),
        _ => return Ok(RotaProblem::default()),
    };
    let window = Interval::of(first - Duration::days(1), last + Duration::days(1));
    let away = rota::unavailability_within(conn, site.id, window)?;
    // One person, one seat: a computer or desk she holds (on any site) is
    // time she cannot sit at the front desk. The desks of rota shifts are
    // the shifts themselves, already in the problem.
    let mut seated: BTreeMap<i64, Vec<Interval>> = BTreeMap::new();
    for m in &staff {
        let held = booking_store::personal_active_within(conn, m.user_id, window)?;
        seated.insert(
            m.user_id,
            held.iter()
                .filter(|b| b.rota_shift_id.is_none())
                .map(|b| b.slot())
                .collect(),
        );
    }
    let first_date = shifts
        .iter()
        .map(|s| s.date)
        .min()
        .unwrap_or_else(|| local_date(tz, first));
    let history_from = first_date - Duration::weeks(HISTORY_WEEKS);
    let mut history: BTreeMap<i64, u32> = BTreeMap::new();
    // A member is new for the site's first weeks from the day she joined;
    // the rule (seniors never new) is the domain's.
    let new_for = Duration::weeks(i64::from(site.new_person_weeks.max(0)));
    for s in rota::published_between(conn, site.id, history_from, first_date - Duration::days(1))? {
        for id in s.published().unwrap_or_default() {
            *history.entry(id).or_default() += 1;
        }
    }
    Ok(RotaProblem {
        shifts: shifts
            .iter()
            .map(|s| ShiftSlot {
                id: s.id,
                interval: s.interval(),
                date: s.date,
                week: week_start(s.date),
                positions: s.positions.max(0) as u32,
                fixed: fixed.get(&s.id).cloned().unwrap_or_default(),
            })
            .collect(),
        staff: staff
            .iter()
            .map(|m| StaffMember {
                id: m.user_id,
                senior: m.senior,
                max_shifts_per_week: m.max_shifts_per_week.map(|max| max.max(0) as u32),
                unavailable: away
                    .iter()
                    .filter(|a| a.user_id == m.user_id)
                    .map(|a| Interval::of(a.starts_at.and_utc(), a.ends_at.and_utc()))
                    .chain(seated.get(&m.user_id).into_iter().flatten().copied())
                    .collect(),
                new_until: (site.new_person_weeks > 0).then(|| m.created_at.and_utc() + new_for),
            })
            .collect(),
        history: history.into_iter().collect(),
    })
}
