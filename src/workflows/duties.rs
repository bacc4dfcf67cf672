//! Volunteer duty: creating a series (which holds its room), signing up,
//! absences with cover requests, withdrawing, attendance, reminders and
//! the hours report.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;

use crate::db::{DbConn, Lock, backend};
use crate::domain::availability::blocked_by;
use crate::domain::booking::{BookingStatus, Urgency};
use crate::domain::calendar::SiteCalendar;
use crate::domain::channel::{self, Topic};
use crate::domain::duty::{Commitment, Occurrence, Refusal, check_signup, occurrences, on_duty};
use crate::domain::interval::Interval;
use crate::domain::local_time::{format_clock, local_date, minute_of_day, parse_clock};
use crate::domain::period::DatePeriod;
use crate::errors::ApiError;
use crate::notify::Notifier;
use crate::store;
use crate::store::access::SiteAccess;
use crate::store::bookings::{self as booking_store, NewBooking};
use crate::store::duties::{Duty, NewDuty, Signup};
use crate::store::sites::Site;
use crate::store::{calendar, resources, sites, users};

/// How far ahead a duty holds its room (the room's own booking horizon
/// may be shorter).
pub const ROOM_WEEKS_AHEAD: i64 = 26;
/// How many upcoming weeks a standing sign-up must fit into.
pub const SIGNUP_CHECK_WEEKS: i64 = 12;

/// A date where the duty's room was already booked by someone else.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct RoomConflict {
    pub date: NaiveDate,
    pub booking_ids: Vec<i64>,
}

/// Makes the duty's room bookings match its occurrences in the horizon:
/// bookings for new occurrences, none on holidays or after the series ends.
/// Returns the dates where someone else already has the room.
pub fn sync_room_bookings(
    conn: &mut DbConn,
    site: &Site,
    duty: &Duty,
    cal: &SiteCalendar,
    now: DateTime<Utc>,
) -> Result<Vec<RoomConflict>, ApiError> {
    let Some(resource_id) = duty.resource_id else {
        return Ok(Vec::new());
    };
    let tz = site.tz();
    let resource = resources::by_id(conn, site.id, resource_id)?;
    let rules = resource.rules();
    let today = local_date(tz, now);
    let horizon = today + Duration::weeks(ROOM_WEEKS_AHEAD);
    let wanted: Vec<Occurrence> = occurrences(tz, &duty.pattern(), cal, today, horizon)
        .into_iter()
        .filter(|o| o.slot.end > now)
        .collect();
    let booked = booking_store::duty_room_bookings(conn, duty.id)?;
    for b in &booked {
        let still = wanted.iter().any(|o| o.slot == b.slot());
        if !still && b.ends_at.and_utc() > now {
            booking_store::end(conn, b.id, BookingStatus::Cancelled, None, now.naive_utc())?;
        }
    }
    let mut conflicts = Vec::new();
    for occ in wanted {
        if booked.iter().any(|h| h.slot() == occ.slot) {
            continue;
        }
        let blocked = blocked_by(occ.slot, &rules);
        let in_way: Vec<i64> = booking_store::active_within(conn, &[resource_id], occ.slot)?
            .into_iter()
            .filter(|b| Interval::of(b.starts_at.and_utc(), b.busy_until.and_utc()).overlaps(&blocked))
            .map(|b| b.id)
            .collect();
        if !in_way.is_empty() {
            conflicts.push(RoomConflict {
                date: occ.date,
                booking_ids: in_way,
            });
            continue;
        }
        let b = booking_store::insert(
            conn,
            &NewBooking {
                site_id: site.id,
                resource_id,
                owner_id: duty.created_by.unwrap_or_default(),
                group_id: None,
                series_id: None,
                slot: occ.slot,
                busy_until: blocked.end.naive_utc(),
                status: BookingStatus::Confirmed,
                urgency: Urgency::Routine,
                reason: None,
                purpose: duty.name.clone(),
                headcount: None,
                flexible: false,
            },
            now.naive_utc(),
        )?;
        booking_store::set_duty(conn, b.id, duty.id)?;
    }
    Ok(conflicts)
}

/// Keeps every duty's room bookings in step (a daily job, and after calendar changes).
pub fn sync_all_room_bookings(
    conn: &mut DbConn,
    _notifier: &Notifier,
    now: DateTime<Utc>,
) -> Result<usize, ApiError> {
    let mut n = 0;
    for site_id in sites_with_rooms(conn, now)? {
        n += sync_room_bookings_at(conn, _notifier, site_id, now)?;
    }
    Ok(n)
}

/// Sites with a duty that holds a room (the job takes each in a
/// transaction of its own).
pub fn sites_with_rooms(conn: &mut DbConn, _now: DateTime<Utc>) -> Result<Vec<i64>, ApiError> {
    let ids: BTreeSet<i64> = store::duties::all(conn)?
        .iter()
        .filter(|d| d.resource_id.is_some())
        .map(|d| d.site_id)
        .collect();
    Ok(ids.into_iter().collect())
}

/// Keeps one site's duty room bookings in step, under the site's lock.
pub fn sync_room_bookings_at(
    conn: &mut DbConn,
    _notifier: &Notifier,
    site_id: i64,
    now: DateTime<Utc>,
) -> Result<usize, ApiError> {
    let list: Vec<Duty> = store::duties::all(conn)?
        .into_iter()
        .filter(|d| d.site_id == site_id && d.resource_id.is_some())
        .collect();
    if list.is_empty() {
        return Ok(0);
    }
    backend::lock(conn, &[Lock::Site(site_id)])?;
    let site = sites::by_id(conn, site_id)?;
    let cal = calendar::load(conn, site_id)?;
    for d in &list {
        sync_room_bookings(conn, &site, d, &cal, now)?;
    }
    Ok(list.len())
}

/// Sites with any duty (the reminder and shortage jobs take each in a
/// transaction of its own).
pub fn sites_with_duties(conn: &mut DbConn, _now: DateTime<Utc>) -> Result<Vec<i64>, ApiError> {
    let ids: BTreeSet<i64> = store::duties::all(conn)?.iter().map(|d| d.site_id).collect();
    Ok(ids.into_iter().collect())
}

/// The validated fields of a new duty series.
pub struct DutyInput {
    pub name: String,
    pub pattern: crate::domain::duty::DutyPattern,
    pub capacity: i32,
    pub skill: Option<String>,
    pub resource_id: Option<i64>,
}

pub fn create(
    conn: &mut DbConn,
    access: &SiteAccess,
    input: DutyInput,
    now: DateTime<Utc>,
) -> Result<(Duty, Vec<RoomConflict>), ApiError> {
    access.require_admin()?;
    backend::lock(conn, &[Lock::Site(access.site.id)])?;
    if let Some(id) = input.resource_id {
        resources::by_id(conn, access.site.id, id)
            .map_err(|_| ApiError::invalid("resource_id", "no such resource on this site"))?;
    }
    let duty = store::duties::insert(
        conn,
        access.site.id,
        &NewDuty {
            name: &input.name,
            pattern: input.pattern,
            capacity: input.capacity,
            skill: input.skill.as_deref(),
            resource_id: input.resource_id,
        },
        access.user_id,
        now.naive_utc(),
    )?;
    let cal = calendar::load(conn, access.site.id)?;
    let conflicts = sync_room_bookings(conn, &access.site, &duty, &cal, now)?;
    Ok((duty, conflicts))
}

/// One occurrence as listed (publicly: display names only).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct OccurrenceView {
    pub duty_id: i64,
    pub name: String,
    pub date: NaiveDate,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// Site-local wall time, e.g. "08:00".
    pub start: String,
    pub end: String,
    pub capacity: i32,
    pub skill: Option<String>,
    pub resource_id: Option<i64>,
    /// The room's name, beside its id: people read the list.
    pub room: Option<String>,
    pub signed_up: Vec<OnDuty>,
    pub free: i32,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct OnDuty {
    /// Shown only to members of the site.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volunteer_id: Option<i64>,
    pub name: String,
}

/// Every occurrence of the site's duties between two local dates.
pub fn list(
    conn: &mut DbConn,
    site: &Site,
    from: NaiveDate,
    to: NaiveDate,
    with_ids: bool,
) -> Result<Vec<OccurrenceView>, ApiError> {
    let tz = site.tz();
    let cal = calendar::load(conn, site.id)?;
    let duties = store::duties::of_site(conn, site.id)?;
    let ids: Vec<i64> = duties.iter().map(|d| d.id).collect();
    let signups = store::duties::signups(conn, &ids)?;
    let volunteer_ids: Vec<i64> = signups
        .iter()
        .map(|s| s.volunteer_id)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let names: BTreeMap<i64, String> = booking_store::user_names(conn, &volunteer_ids)?
        .into_iter()
        .collect();
    let mut rooms: BTreeMap<i64, String> = BTreeMap::new();
    for id in duties.iter().filter_map(|d| d.resource_id) {
        if let std::collections::btree_map::Entry::Vacant(e) = rooms.entry(id) {
            e.insert(resources::name_of(conn, id)?.unwrap_or_default());
        }
    }
    let mut out = Vec::new();
    for d in &duties {
        let commitments: Vec<Commitment> = signups
            .iter()
            .filter(|s| s.duty_id == d.id)
            .map(Signup::commitment)
            .collect();
        let absent = store::duties::absences(conn, d.id)?;
        for occ in occurrences(tz, &d.pattern(), &cal, from, to) {
            let on = on_duty(&commitments, &absent, occ.date);
            out.push(OccurrenceView {
                duty_id: d.id,
                name: d.name.clone(),
                date: occ.date,
                starts_at: occ.slot.start,
                ends_at: occ.slot.end,
                start: format_clock(d.start_minute.max(0) as u32),
                end: format_clock(d.end_minute.max(0) as u32),
                capacity: d.capacity,
                skill: d.skill.clone(),
                resource_id: d.resource_id,
                room: d.resource_id.and_then(|id| rooms.get(&id).cloned()),
                free: d.capacity - on.len() as i32,
                signed_up: on
                    .iter()
                    .map(|v| OnDuty {
                        volunteer_id: with_ids.then_some(*v),
                        name: names.get(v).cloned().unwrap_or_default(),
                    })
                    .collect(),
            });
        }
    }
    out.sort_by_key(|o| (o.starts_at, o.duty_id));
    Ok(out)
}

/// The occurrence of `duty` on `date`, if it has one (holidays aside).
fn occurrence_on(site: &Site, duty: &Duty, cal: &SiteCalendar, date: NaiveDate) -> Option<Occurrence> {
    occurrences(site.tz(), &duty.pattern(), cal, date, date)
        .into_iter()
        .next()
}

/// Signs the caller up: every week (a standing commitment) or once. A
/// date the site's group was told is uncovered, and full now, is told
/// covered.
pub fn sign_up(
    conn: &mut DbConn,
    access: &SiteAccess,
    duty_id: i64,
    once: Option<NaiveDate>,
    notifier: &Notifier,
    now: DateTime<Utc>,
) -> Result<Signup, ApiError> {
    access.may_sign_up_for_duty()?;
    backend::lock(conn, &[Lock::Site(access.site.id), Lock::Person(access.user_id)])?;
    let site = &access.site;
    let duty = store::duties::by_id(conn, site.id, duty_id)?;
    let cal = calendar::load(conn, site.id)?;
    let tz = site.tz();
    let today = local_date(tz, now);
    let dates: Vec<NaiveDate> = match once {
        Some(date) => {
            let occ = occurrence_on(site, &duty, &cal, date)
                .ok_or_else(|| ApiError::invalid("date", "the duty does not take place on that date"))?;
            if occ.slot.end <= now {
                return Err(ApiError::invalid("date", "that occurrence is over"));
            }
            vec![date]
        }
        None => occurrences(
            tz,
            &duty.pattern(),
            &cal,
            today,
            today + Duration::weeks(SIGNUP_CHECK_WEEKS),
        )
        .into_iter()
        .filter(|o| o.slot.end > now)
        .map(|o| o.date)
        .collect(),
    };
    let first = *dates
        .first()
        .ok_or_else(|| ApiError::invalid("scope", "the duty has no upcoming occurrences"))?;
    let commitments: Vec<Commitment> = store::duties::signups(conn, &[duty.id])?
        .iter()
        .map(Signup::commitment)
        .collect();
    let absent = store::duties::absences(conn, duty.id)?;
    let skills = users::skills(conn, access.site.id, access.user_id)?;
    check_signup(
        duty.capacity.max(0) as u32,
        duty.skill.as_deref(),
        access.user_id,
        &skills,
        &commitments,
        &absent,
        &dates,
    )
    .map_err(|r| match r {
        Refusal::MissingSkill => ApiError::invalid(
            "skill",
            format!(
                "this duty needs the skill '{}'",
                duty.skill.clone().unwrap_or_default()
            ),
        ),
        Refusal::Full(d) => ApiError::conflict(format!("The duty is full on {d}.")),
        Refusal::AlreadyOn(d) => ApiError::conflict(format!("You are already on this duty on {d}.")),
    })?;
    // Nobody holds two overlapping duties.
    let mine: Vec<Signup> = store::duties::signups_of_volunteer(conn, access.user_id)?;
    for other in store::duties::of_site(conn, site.id)?
        .iter()
        .filter(|d| d.id != duty.id)
    {
        let other_commitments: Vec<Commitment> = mine
            .iter()
            .filter(|s| s.duty_id == other.id)
            .map(Signup::commitment)
            .collect();
        if other_commitments.is_empty() {
            continue;
        }
        let other_absent = store::duties::absences(conn, other.id)?;
        for date in &dates {
            let (Some(a), Some(b)) = (
                occurrence_on(site, &duty, &cal, *date),
                occurrence_on(site, other, &cal, *date),
            ) else {
                continue;
            };
            if a.slot.overlaps(&b.slot)
                && on_duty(&other_commitments, &other_absent, *date).contains(&access.user_id)
            {
                return Err(ApiError::conflict(format!(
                    "You are on '{}' at that time on {date}; one volunteer, one duty at a time.",
                    other.name
                ))
                .with(
                    "conflicts",
                    [serde_json::json!({"duty_id": other.id, "date": date})],
                ));
            }
        }
    }
    let signup = store::duties::insert_signup(
        conn,
        duty.id,
        access.user_id,
        once.is_none(),
        first,
        now.naive_utc(),
    )?;
    if channel::listens(&site.channel_topics, Topic::DutyCovered) {
        // Only dates a day or two away can have been told uncovered.
        let soon: Vec<NaiveDate> = dates
            .iter()
            .copied()
            .filter(|d| *d <= today + Duration::days(2))
            .collect();
        if !soon.is_empty() {
            let commitments: Vec<Commitment> = store::duties::signups(conn, &[duty.id])?
                .iter()
                .map(Signup::commitment)
                .collect();
            for date in soon {
                let full = on_duty(&commitments, &absent, date).len() >= duty.capacity.max(0) as usize;
                if let (true, Some(occ)) = (full, occurrence_on(site, &duty, &cal, date)) {
                    notifier.announce_duty_covered(
                        conn,
                        site,
                        duty.id,
                        &duty.name,
                        date,
                        occ.slot,
                        now.naive_utc(),
                    )?;
                }
            }
        }
    }
    Ok(signup)
}

/// A volunteer cannot come one week: that occurrence is freed, and the
/// other volunteers with the skill are asked at once to cover it.
pub fn absence(
    conn: &mut DbConn,
    access: &SiteAccess,
    duty_id: i64,
    date: NaiveDate,
    reason: Option<&str>,
    notifier: &Notifier,
    now: DateTime<Utc>,
) -> Result<usize, ApiError> {
    access.may_act_here()?;
    backend::lock(conn, &[Lock::Site(access.site.id)])?;
    let site = &access.site;
    let duty = store::duties::by_id(conn, site.id, duty_id)?;
    let cal = calendar::load(conn, site.id)?;
    let occ = occurrence_on(site, &duty, &cal, date)
        .ok_or_else(|| ApiError::invalid("date", "the duty does not take place on that date"))?;
    if occ.slot.start <= now {
        return Err(
            ApiError::conflict(format!("The duty on {date} has begun or passed."))
                .with("rule", "duty_date_begun"),
        );
    }
    let signups = store::duties::signups(conn, &[duty.id])?;
    let commitments: Vec<Commitment> = signups.iter().map(Signup::commitment).collect();
    let absent = store::duties::absences(conn, duty.id)?;
    let on = on_duty(&commitments, &absent, date);
    if !on.contains(&access.user_id) {
        return Err(ApiError::conflict("You are not on this duty that date."));
    }
    store::duties::insert_absence(conn, duty.id, access.user_id, date, reason, now.naive_utc())?;
    let mut asked = 0;
    for user in cover_candidates(conn, site, &duty, &on, access.user_id)? {
        if notifier.cover_needed(conn, site, &user, &duty, &occ, now.naive_utc())? {
            asked += 1;
        }
    }
    Ok(asked)
}

/// Who is asked to cover when `absent` cannot come: volunteers of the site
/// with the duty's skill, not already on duty that date (`on`). The
/// absence page names them before she confirms.
pub fn cover_candidates(
    conn: &mut DbConn,
    site: &Site,
    duty: &Duty,
    on: &[i64],
    absent: i64,
) -> Result<Vec<users::User>, ApiError> {
    let mut out = Vec::new();
    for (user, m) in users::members_of_site(conn, site.id, 0, 10_000)? {
        if !m.is_volunteer || on.contains(&user.id) || user.id == absent {
            continue;
        }
        if let Some(skill) = &duty.skill
            && !users::skills(conn, site.id, user.id)?.contains(skill)
        {
            continue;
        }
        out.push(user);
    }
    Ok(out)
}

/// Ends a sign-up from `from` on (default: the first date whose duty has
/// not begun); history stays. A date that has begun or passed is history:
/// it cannot be withdrawn from, since attendance and hours count it.
pub fn withdraw(
    conn: &mut DbConn,
    access: &SiteAccess,
    duty_id: i64,
    signup_id: i64,
    from: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    backend::lock(conn, &[Lock::Site(access.site.id)])?;
    let site = &access.site;
    let duty = store::duties::by_id(conn, site.id, duty_id)?;
    let signup = store::duties::signup_by_id(conn, duty.id, signup_id)?;
    if !access.sees_signup(signup.volunteer_id) {
        return Err(ApiError::not_found("sign-up"));
    }
    let cal = calendar::load(conn, site.id)?;
    let today = local_date(site.tz(), now);
    let begun = |date: NaiveDate| {
        date < today || occurrence_on(site, &duty, &cal, date).is_some_and(|o| o.slot.start <= now)
    };
    let from = match from {
        Some(date) if begun(date) => {
            return Err(ApiError::conflict(format!(
                "The duty on {date} has begun or passed; withdraw from a later date."
            ))
            .with("rule", "duty_date_begun"));
        }
        Some(date) => date,
        None if begun(today) => today + Duration::days(1),
        None => today,
    };
    let last = from - Duration::days(1);
    if signup.until_date.is_some_and(|u| u <= last) {
        return Err(ApiError::conflict("This sign-up has already ended.").with("rule", "signup_ended"));
    }
    store::duties::end_signup(conn, signup.id, last, now.naive_utc())
}

/// Staff record whether a volunteer came, once the occurrence has begun.
pub fn mark(
    conn: &mut DbConn,
    access: &SiteAccess,
    duty_id: i64,
    date: NaiveDate,
    volunteer_id: i64,
    attended: bool,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    access.require_staff_or_admin()?;
    let site = &access.site;
    let duty = store::duties::by_id(conn, site.id, duty_id)?;
    let cal = calendar::load(conn, site.id)?;
    let occ = occurrence_on(site, &duty, &cal, date)
        .ok_or_else(|| ApiError::invalid("date", "the duty does not take place on that date"))?;
    if occ.slot.start > now {
        return Err(ApiError::invalid(
            "date",
            "attendance is marked once the duty has begun",
        ));
    }
    let commitments: Vec<Commitment> = store::duties::signups(conn, &[duty.id])?
        .iter()
        .map(Signup::commitment)
        .collect();
    let absent = store::duties::absences(conn, duty.id)?;
    if !on_duty(&commitments, &absent, date).contains(&volunteer_id) {
        // Someone who covered without signing up: the admin records it.
        let volunteer_here =
            users::membership(conn, site.id, volunteer_id)?.is_some_and(|m| m.roles().volunteer);
        if !(attended && volunteer_here && access.may_record_walk_in()) {
            return Err(ApiError::invalid(
                "volunteer_id",
                "this volunteer was not on the duty that date (an admin may record a volunteer of the site who came without signing up)",
            ));
        }
    }
    let minutes = occ.slot.duration().num_minutes() as i32;
    store::duties::mark_attendance(
        conn,
        &store::duties::Attendance {
            duty_id: duty.id,
            volunteer_id,
            date,
            attended,
            minutes,
            by: access.user_id,
        },
        now.naive_utc(),
    )
}

/// Reminders the day before, at the site's reminder time (a job).
pub fn send_reminders(conn: &mut DbConn, notifier: &Notifier, now: DateTime<Utc>) -> Result<usize, ApiError> {
    let mut sent = 0;
    for site_id in sites_with_duties(conn, now)? {
        sent += send_reminders_at(conn, notifier, site_id, now)?;
    }
    Ok(sent)
}

/// [`send_reminders`] at one site.
pub fn send_reminders_at(
    conn: &mut DbConn,
    notifier: &Notifier,
    site_id: i64,
    now: DateTime<Utc>,
) -> Result<usize, ApiError> {
    let mut sent = 0;
    let site = sites::by_id(conn, site_id)?;
    let tz = site.tz();
    let at = parse_clock("duty_reminder_time", &site.duty_reminder_time).unwrap_or(18 * 60);
    if minute_of_day(tz, now) < at {
        return Ok(0);
    }
    let tomorrow = local_date(tz, now) + Duration::days(1);
    for occ in list(conn, &site, tomorrow, tomorrow, true)? {
        for who in &occ.signed_up {
            let Some(id) = who.volunteer_id else { continue };
            let Some(user) = users::by_id(conn, id)? else {
                continue;
            };
            if notifier.duty_reminder(conn, &site, &user, &occ, now.naive_utc())? {
                sent += 1;
            }
        }
    }
    Ok(sent)
}

/// Flags to the admins occurrences still short of volunteers a day before
/// they start (a job; once per occurrence).
pub fn flag_short(conn: &mut DbConn, notifier: &Notifier, now: DateTime<Utc>) -> Result<usize, ApiError> {
    let mut flagged = 0;
    for site_id in sites_with_duties(conn, now)? {
        flagged += flag_short_at(conn, notifier, site_id, now)?;
    }
    Ok(flagged)
}

/// [`flag_short`] at one site.
pub fn flag_short_at(
    conn: &mut DbConn,
    notifier: &Notifier,
    site_id: i64,
    now: DateTime<Utc>,
) -> Result<usize, ApiError> {
    let mut flagged = 0;
    let site = sites::by_id(conn, site_id)?;
    let tz = site.tz();
    let today = local_date(tz, now);
    for occ in list(conn, &site, today, today + Duration::days(2), false)? {
        if occ.free <= 0 || occ.starts_at <= now || occ.starts_at > now + Duration::hours(24) {
            continue;
        }
        // The site's group hears of it once (the key is the date's).
        notifier.announce_duty_uncovered(
            conn,
            &site,
            occ.duty_id,
            &occ.name,
            occ.date,
            Interval::of(occ.starts_at, occ.ends_at),
            occ.free,
            now.naive_utc(),
        )?;
        for (admin, m) in users::members_of_site(conn, site.id, 0, 10_000)? {
            if !m.is_admin {
                continue;
            }
            if notifier.duty_short(conn, &site, &admin, &occ, now.naive_utc())? {
                flagged += 1;
            }
        }
    }
    Ok(flagged)
}

/// Volunteer hours: the sum of attended durations.
#[derive(Clone, Debug, Default, Serialize, utoipa::ToSchema)]
pub struct HoursReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub total_hours: f64,
    pub volunteers: Vec<VolunteerHours>,
    pub duties: Vec<DutyHours>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct VolunteerHours {
    pub volunteer_id: i64,
    pub name: String,
    pub hours: f64,
    pub attended: i64,
    pub no_shows: i64,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct DutyHours {
    pub duty_id: i64,
    pub name: String,
    pub hours: f64,
}

/// Volunteer hours per person and per duty over `period`: the site's
/// admin, operators and district observers (the reports' readers).
pub fn hours(conn: &mut DbConn, access: &SiteAccess, period: DatePeriod) -> Result<HoursReport, ApiError> {
    access.may_read_reports()?;
    let rows = store::duties::attendance_between(conn, access.site.id, period.first(), period.last())?;
    Ok(hours_of(period, &rows))
}

/// The hours report of `period` from its attendance rows (the volunteers
/// report reads the rows once and builds this and its own from them).
pub fn hours_of(period: DatePeriod, rows: &[store::duties::AttendanceRow]) -> HoursReport {
    let mut vols: BTreeMap<i64, VolunteerHours> = BTreeMap::new();
    let mut duties: BTreeMap<i64, DutyHours> = BTreeMap::new();
    let mut total = 0i64;
    for (duty_id, duty_name, vol, name, _date, status, minutes) in rows {
        let v = vols.entry(*vol).or_insert_with(|| VolunteerHours {
            volunteer_id: *vol,
            name: name.clone(),
            hours: 0.0,
            attended: 0,
            no_shows: 0,
        });
        let d = duties.entry(*duty_id).or_insert_with(|| DutyHours {
            duty_id: *duty_id,
            name: duty_name.clone(),
            hours: 0.0,
        });
        if status == "attended" {
            v.attended += 1;
            v.hours += f64::from(*minutes) / 60.0;
            d.hours += f64::from(*minutes) / 60.0;
            total += i64::from(*minutes);
        } else {
            v.no_shows += 1;
        }
    }
    HoursReport {
        from: period.first(),
        to: period.last(),
        total_hours: total as f64 / 60.0,
        volunteers: vols.into_values().collect(),
        duties: duties.into_values().collect(),
    }
}
