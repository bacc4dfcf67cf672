//! The front-desk rota: generating a fair draft, editing and publishing it
//! (which books the desks and tells only the people whose shifts changed),
//! swaps, and the published views.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use serde::Serialize;

use crate::db::{DbConn, Lock, backend};
use crate::domain::booking::{BookingStatus, Urgency};
use crate::domain::calendar::SiteCalendar;
use crate::domain::interval::Interval;
use crate::domain::local_time::{at_minutes, resolve_lenient};
use crate::domain::policy::Standing;
use crate::domain::rota::{Breach, RotaSolution, UnfilledReason, solve};
use crate::errors::ApiError;
use crate::notify::Notifier;
use crate::store::access::SiteAccess;
use crate::store::bookings::{self as booking_store, NewBooking};
use crate::store::rota::{self, NewShift, Shift, Template};
use crate::store::sites::Site;
use crate::store::{calendar, resources, users};
use crate::words::Words;

use super::rota_breaches::{breaches, in_words};
use super::rota_inputs;

/// Weeks of published history that count toward fairness.
pub const HISTORY_WEEKS: i64 = 8;
/// The longest period one generation or publication covers.
pub const MAX_RANGE_DAYS: i64 = 92;

/// The templates that staff a working day. A make-up working day (调休)
/// on a weekend is staffed like a Monday.
fn templates_for<'a>(templates: &'a [Template], cal: &SiteCalendar, date: NaiveDate) -> Vec<&'a Template> {
    if !cal.is_working_day(date) {
        return Vec::new();
    }
    let mut weekday = date.weekday().num_days_from_monday() as i32;
    if weekday >= 5 && !templates.iter().any(|t| t.weekday == weekday) {
        weekday = 0;
    }
    templates.iter().filter(|t| t.weekday == weekday).collect()
}

fn check_range(from: NaiveDate, to: NaiveDate) -> Result<(), ApiError> {
    if to < from {
        return Err(ApiError::invalid("to", "must not be before from"));
    }
    if (to - from).num_days() >= MAX_RANGE_DAYS {
        return Err(ApiError::invalid(
            "to",
            format!("a rota covers at most {MAX_RANGE_DAYS} days at a time"),
        ));
    }
    Ok(())
}

/// A shift position left open, with the reason.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct OpenPosition {
    pub shift_id: i64,
    pub missing: u32,
    /// `no_senior_available`, `only_new_people` or `nobody_available`.
    pub reason: String,
    pub message: String,
}

/// Drafts the rota for `from..=to`: creates the shifts the templates and
/// the calendar call for, keeps published shifts as they are, and fills the
/// rest fairly. The same input gives the same draft.
pub fn generate(
    conn: &mut DbConn,
    access: &SiteAccess,
    from: NaiveDate,
    to: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Drafted, ApiError> {
    access.require_admin()?;
    check_range(from, to)?;
    backend::lock(conn, &[Lock::Site(access.site.id)])?;
    let site = &access.site;
    let tz = site.tz();
    let templates = rota::templates(conn, site.id)?;
    if templates.is_empty() {
        return Err(ApiError::invalid(
            "templates",
            "set the shift templates first (PUT .../rota/templates)",
        ));
    }
    let cal = calendar::load(conn, site.id)?;
    let mut date = from;
    while date <= to {
        for t in templates_for(&templates, &cal, date) {
            let start = resolve_lenient(tz, at_minutes(date, t.start_minute.max(0) as u32));
            let end = resolve_lenient(tz, at_minutes(date, t.end_minute.max(0) as u32));
            rota::ensure_shift(
                conn,
                site.id,
                &NewShift {
                    date,
                    slot: Interval::of(start, end.max(start + Duration::minutes(1))),
                    label: &t.label,
                    positions: t.positions,
                    desk_pool: t.desk_pool.as_deref(),
                    template_key: &t.key(),
                },
                now.naive_utc(),
            )?;
        }
        date += Duration::days(1);
    }
    // A day the calendar no longer works (a holiday added after the shifts
    // were made): a draft shift goes now; a published one stays until the
    // next publication drops it, and the draft says so.
    let mut calendar_drops = Vec::new();
    let mut shifts = Vec::new();
    for s in rota::shifts_between(conn, site.id, from, to)? {
        if cal.is_working_day(s.date) {
            shifts.push(s);
        } else if s.published_version.is_some() {
            calendar_drops.push(CalendarDrop::of(&s));
        } else {
            rota::delete_shift(conn, s.id)?;
        }
    }
    let fixed: BTreeMap<i64, Vec<i64>> = shifts
        .iter()
        .filter_map(|s| s.published().map(|p| (s.id, p)))
        .collect();
    let problem = rota_inputs::problem(conn, site, &shifts, &fixed)?;
    let solution = solve(&problem);
    for s in shifts.iter().filter(|s| s.published_version.is_none()) {
        let assigned = solution.assignments.get(&s.id).cloned().unwrap_or_default();
        rota::set_draft(conn, s.id, &assigned)?;
    }
    let unfilled = open_positions(&solution);
    Ok(Drafted {
        shifts: rota::shifts_between(conn, site.id, from, to)?
            .into_iter()
            .filter(|s| cal.is_working_day(s.date))
            .collect(),
        unfilled,
        calendar_drops,
    })
}

/// A draft for a period.
pub struct Drafted {
    pub shifts: Vec<Shift>,
    pub unfilled: Vec<OpenPosition>,
    /// Published shifts on days the calendar no longer works: the next
    /// publication drops them.
    pub calendar_drops: Vec<CalendarDrop>,
}

/// A published shift the calendar took away (a holiday set after it was
/// made): dropped at publication, its desks released, its people told.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct CalendarDrop {
    pub shift_id: i64,
    pub date: NaiveDate,
    pub label: String,
    /// Who was on it (user ids): they are told when it is dropped.
    pub people: Vec<i64>,
    pub message: String,
}

impl CalendarDrop {
    fn of(s: &Shift) -> CalendarDrop {
        CalendarDrop {
            shift_id: s.id,
            date: s.date,
            label: s.label.clone(),
            people: s.published().unwrap_or_default(),
            message: format!(
                "{} on {} is no longer a working day in the site's calendar: the shift is dropped and its desks released",
                s.label, s.date
            ),
        }
    }
}

fn open_positions(solution: &RotaSolution) -> Vec<OpenPosition> {
    solution
        .unfilled
        .iter()
        .map(|u| OpenPosition {
            shift_id: u.shift_id,
            missing: u.missing,
            reason: u.reason.code().to_owned(),
            message: u.reason.message().to_owned(),
        })
        .collect()
}

/// The admin sets a draft shift's people. Rule breaches are allowed (it is
/// the admin's call) but reported back, in her words.
pub fn edit(
    conn: &mut DbConn,
    access: &SiteAccess,
    shift_id: i64,
    assignees: &[i64],
) -> Result<(Shift, Warnings), ApiError> {
    access.require_admin()?;
    backend::lock(conn, &[Lock::Site(access.site.id)])?;
    let shift = rota::shift_by_id(conn, access.site.id, shift_id)?;
    if assignees.len() > shift.positions.max(0) as usize {
        return Err(ApiError::invalid(
            "assignees",
            format!("this shift has {} positions", shift.positions),
        ));
    }
    for (i, id) in assignees.iter().enumerate() {
        let ok = users::membership(conn, access.site.id, *id)?.is_some_and(|m| m.is_staff);
        if !ok {
            return Err(ApiError::invalid(
                format!("assignees[{i}]"),
                "must be a staff member of this site",
            ));
        }
    }
    rota::set_draft(conn, shift.id, assignees)?;
    let shift = rota::shift_by_id(conn, access.site.id, shift_id)?;
    // Check the edited shift against its neighbours' drafts.
    let around = rota::shifts_between(
        conn,
        access.site.id,
        shift.date - Duration::days(7),
        shift.date + Duration::days(7),
    )?;
    let placed: BTreeMap<i64, Vec<i64>> = around.iter().map(|s| (s.id, s.draft())).collect();
    let broken = breaches(conn, &access.site, &around, &placed, &shift, assignees)?;
    let w = Words::new(access.caller.language());
    let warnings = Warnings {
        texts: in_words(conn, &access.site, &around, &broken, w)?,
        codes: broken.iter().map(|b| b.code().to_owned()).collect(),
    };
    Ok((shift, warnings))
}

/// The rules an edit breaks: in the editor's words, and by code, in the
/// same order.
pub struct Warnings {
    pub texts: Vec<String>,
    pub codes: Vec<String>,
}

/// What a publication did.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Published {
    /// The new version, or the current one when nothing changed.
    pub version: i32,
    pub changed_shifts: usize,
    /// The people whose shifts changed: only they are mailed.
    pub notified: Vec<i64>,
    /// Shifts whose desk could not be booked for everyone on them: every
    /// desk of the pool taken, or a person holding another seat then.
    pub desk_conflicts: Vec<i64>,
    /// In words, each person left off a desk because they hold another
    /// seat (a computer, another desk) at that time: who, when, and what
    /// they hold. One person never holds two seats at once.
    pub seat_clashes: Vec<String>,
    /// Shifts dropped because the calendar no longer works their day
    /// (counted in `changed_shifts`; their people are among `notified`).
    pub calendar_drops: Vec<CalendarDrop>,
}

/// Publishes the draft of `from..=to`: freezes a version, books the desks
/// for the people on duty, and mails the people whose shifts changed.
pub fn publish(
    conn: &mut DbConn,
    access: &SiteAccess,
    from: NaiveDate,
    to: NaiveDate,
    notifier: &Notifier,
    now: DateTime<Utc>,
) -> Result<Published, ApiError> {
    access.require_admin()?;
    check_range(from, to)?;
    backend::lock(conn, &[Lock::Site(access.site.id)])?;
    let site = &access.site;
    let cal = calendar::load(conn, site.id)?;
    let (shifts, off): (Vec<Shift>, Vec<Shift>) = rota::shifts_between(conn, site.id, from, to)?
        .into_iter()
        .partition(|s| cal.is_working_day(s.date));
    let changed: Vec<&Shift> = shifts
        .iter()
        .filter(|s| s.published() != Some(s.draft()))
        .collect();
    let dropped: Vec<&Shift> = off.iter().filter(|s| s.published_version.is_some()).collect();
    let current = rota::next_version(conn, site.id)? - 1;
    for s in off.iter().filter(|s| s.published_version.is_none()) {
        rota::delete_shift(conn, s.id)?;
    }
    if changed.is_empty() && dropped.is_empty() {
        return Ok(Published {
            version: current,
            changed_shifts: 0,
            notified: Vec::new(),
            desk_conflicts: Vec::new(),
            seat_clashes: Vec::new(),
            calendar_drops: Vec::new(),
        });
    }
    let version = current + 1;
    let mut affected: BTreeSet<i64> = BTreeSet::new();
    let mut calendar_drops = Vec::new();
    for s in &dropped {
        affected.extend(s.published().unwrap_or_default());
        sync_desks(conn, site, s, &[], now)?;
        calendar_drops.push(CalendarDrop::of(s));
        rota::delete_shift(conn, s.id)?;
    }
    let mut desk_conflicts = Vec::new();
    let mut seat_clashes = Vec::new();
    for s in &changed {
        let old: BTreeSet<i64> = s.published().unwrap_or_default().into_iter().collect();
        let new: BTreeSet<i64> = s.draft().into_iter().collect();
        affected.extend(old.symmetric_difference(&new).copied());
        rota::set_published(conn, s.id, &s.draft(), version)?;
        let seating = sync_desks(conn, site, s, &s.draft(), now)?;
        if !seating.all_seated() {
            desk_conflicts.push(s.id);
        }
        seat_clashes.extend(seating.clashes);
    }
    rota::insert_version(
        conn,
        &rota::NewVersion {
            site_id: site.id,
            version,
            from,
            to,
            changed: (changed.len() + dropped.len()) as i32,
            by: access.user_id,
        },
        now.naive_utc(),
    )?;
    let fresh = rota::shifts_between(conn, site.id, from, to)?;
    for user_id in &affected {
        let theirs: Vec<&Shift> = fresh
            .iter()
            .filter(|s| s.published().unwrap_or_default().contains(user_id))
            .collect();
        notifier.rota_published(conn, site, *user_id, version, &theirs, now.naive_utc())?;
    }
    notifier.announce_rota_published(conn, site, version, from, to, fresh.len(), now.naive_utc())?;
    Ok(Published {
        version,
        changed_shifts: changed.len() + dropped.len(),
        notified: affected.into_iter().collect(),
        desk_conflicts,
        seat_clashes,
        calendar_drops,
    })
}

/// How seating a shift's people at its desks went.
struct Seating {
    /// Someone found no free desk of the pool.
    pool_full: bool,
    /// People holding another seat then, in words.
    clashes: Vec<String>,
}

impl Seating {
    fn all_seated(&self) -> bool {
        !self.pool_full && self.clashes.is_empty()
    }
}

/// The seats (computers, desks on any site) `person` holds during `slot`
/// other than this shift's own desk, in words: "钱凯 Qian Kai holds
/// 共享电脑 1 12-08 09:00–10:00".
fn other_seats(
    conn: &mut DbConn,
    site: &Site,
    person: i64,
    shift_id: i64,
    slot: Interval,
) -> Result<Vec<String>, ApiError> {
    let held: Vec<_> = booking_store::personal_active_within(conn, person, slot)?
        .into_iter()
        .filter(|b| b.rota_shift_id != Some(shift_id) && b.slot().overlaps(&slot))
        .collect();
    if held.is_empty() {
        return Ok(Vec::new());
    }
    let name = booking_store::user_names(conn, &[person])?
        .pop()
        .map(|(_, n)| n)
        .unwrap_or_default();
    let tz = site.tz();
    let mut out = Vec::new();
    for b in held {
        let what = resources::name_of(conn, b.resource_id)?.unwrap_or_default();
        let (s, e) = (
            b.starts_at.and_utc().with_timezone(&tz),
            b.ends_at.and_utc().with_timezone(&tz),
        );
        out.push(format!(
            "{name} holds {what} {}–{} then",
            s.format("%Y-%m-%d %H:%M"),
            e.format("%H:%M")
        ));
    }
    Ok(out)
}

/// Makes the desk bookings of a published shift match its people: one desk
/// of the pool each, except for a person who holds another seat then.
fn sync_desks(
    conn: &mut DbConn,
    site: &Site,
    shift: &Shift,
    people: &[i64],
    now: DateTime<Utc>,
) -> Result<Seating, ApiError> {
    let mut seating = Seating {
        pool_full: false,
        clashes: Vec::new(),
    };
    let Some(pool) = &shift.desk_pool else {
        return Ok(seating);
    };
    let seated = booking_store::shift_desk_bookings(conn, shift.id)?;
    for h in seated.iter().filter(|h| !people.contains(&h.owner_id)) {
        booking_store::end(conn, h.id, BookingStatus::Cancelled, None, now.naive_utc())?;
    }
    let desks = resources::pool_members(conn, site.id, pool)?;
    let ids: Vec<i64> = desks.iter().map(|d| d.id).collect();
    let slot = shift.interval();
    for person in people
        .iter()
        .filter(|p| !seated.iter().any(|h| h.owner_id == **p))
    {
        let clashes = other_seats(conn, site, *person, shift.id, slot)?;
        if !clashes.is_empty() {
            seating.clashes.extend(clashes);
            continue;
        }
        let busy = booking_store::active_within(conn, &ids, slot)?;
        let free = desks.iter().find(|d| {
            !busy
                .iter()
                .any(|b| b.resource_id == d.id && b.slot().overlaps(&slot))
        });
        let Some(desk) = free else {
            seating.pool_full = true;
            continue;
        };
        let rules = desk.rules();
        let b = booking_store::insert(
            conn,
            &NewBooking {
                site_id: site.id,
                resource_id: desk.id,
                owner_id: *person,
                group_id: None,
                series_id: None,
                slot,
                busy_until: (slot.end + Duration::minutes(i64::from(rules.buffer_minutes))).naive_utc(),
                status: BookingStatus::Confirmed,
                urgency: Urgency::Routine,
                reason: None,
                purpose: shift.label.clone(),
                headcount: None,
                flexible: false,
            },
            now.naive_utc(),
        )?;
        booking_store::set_rota_shift(conn, b.id, shift.id)?;
        // A desk shift is claimed by being on the rota: no check-in needed.
        booking_store::check_in(conn, b.id, now.naive_utc())?;
    }
    Ok(seating)
}

/// A refusal a page can say in words: the workflow's sentence, with the
/// rule's code under `rule` (as the booking refusals carry theirs).
fn refused(code: &'static str, detail: &str) -> ApiError {
    ApiError::conflict(detail).with("rule", code)
}

/// Why the caller may not offer `shift` now, if she may not: the rules of
/// [`offer`], also read by the pages to offer only what can succeed.
pub fn offer_refusal(access: &SiteAccess, shift: &Shift, now: DateTime<Utc>) -> Option<ApiError> {
    if !shift.published().unwrap_or_default().contains(&access.user_id) {
        return Some(refused(
            "not_on_shift",
            "Only someone on this published shift can offer it.",
        ));
    }
    if shift.starts_at.and_utc() <= now {
        return Some(refused("shift_started", "This shift has started."));
    }
    if shift.offered_by.is_some() {
        return Some(refused("already_offered", "This shift is already offered."));
    }
    None
}

/// A person on a published shift offers it to colleagues; those who could
/// take it are told.
pub fn offer(
    conn: &mut DbConn,
    access: &SiteAccess,
    shift_id: i64,
    notifier: &Notifier,
    now: DateTime<Utc>,
) -> Result<Shift, ApiError> {
    access.may_act_here()?;
    backend::lock(conn, &[Lock::Site(access.site.id)])?;
    let shift = rota::shift_by_id(conn, access.site.id, shift_id)?;
    if let Some(refusal) = offer_refusal(access, &shift, now) {
        return Err(refusal);
    }
    rota::set_offer(conn, shift.id, Some(access.user_id), Some(now.naive_utc()))?;
    rota::insert_swap(conn, shift.id, access.user_id, now.naive_utc())?;
    let shift = rota::shift_by_id(conn, access.site.id, shift_id)?;
    // Only the colleagues the rules would let take it hear of it.
    for (colleague, m) in users::members_of_site(conn, access.site.id, 0, 10_000)? {
        if !m.is_staff || colleague.id == access.user_id {
            continue;
        }
        let theirs = SiteAccess {
            site: access.site.clone(),
            standing: Standing {
                user_id: colleague.id,
                roles: m.roles(),
                operator: colleague.is_operator,
                observer: colleague.is_observer,
            },
            caller: colleague,
        };
        if take_check(conn, &theirs, &shift, now).is_ok() {
            notifier.shift_offered(
                conn,
                &access.site,
                &theirs.caller,
                &access.caller.name,
                &shift,
                now.naive_utc(),
            )?;
        }
    }
    Ok(shift)
}

fn may_take(access: &SiteAccess) -> Result<(), ApiError> {
    access
        .may_take_shift()
        .map_err(|f| ApiError::from(f).with("rule", "staff_only"))
}

/// Who would be on `shift` once the caller takes it, or why she may not:
/// the rules of [`take`] (the same as the generator's, checked on the
/// weeks around it), also read by the pages to offer only what can succeed.
pub fn take_check(
    conn: &mut DbConn,
    access: &SiteAccess,
    shift: &Shift,
    now: DateTime<Utc>,
) -> Result<Vec<i64>, ApiError> {
    may_take(access)?;
    let site = &access.site;
    let Some(giver) = shift.offered_by else {
        return Err(refused("not_offered", "This shift is not offered."));
    };
    if shift.starts_at.and_utc() <= now {
        return Err(refused("shift_started", "This shift has started."));
    }
    let mut people = shift.published().unwrap_or_default();
    if people.contains(&access.user_id) {
        return Err(refused("already_on_shift", "You are already on this shift."));
    }
    if shift.desk_pool.is_some() {
        let held = other_seats(conn, site, access.user_id, shift.id, shift.interval())?;
        if !held.is_empty() {
            return Err(ApiError::conflict(format!(
                "You cannot take this shift: one person holds one seat at a time, and {}. Cancel that booking first.",
                held.join("; ")
            ))
            .with("rule", "one_seat")
            .with("rules", held));
        }
    }
    people.retain(|p| *p != giver);
    people.push(access.user_id);
    people.sort_unstable();
    let around = rota::shifts_between(
        conn,
        site.id,
        shift.date - Duration::days(7),
        shift.date + Duration::days(7),
    )?;
    let mut placed: BTreeMap<i64, Vec<i64>> = around
        .iter()
        .map(|s| (s.id, s.published().unwrap_or_default()))
        .collect();
    placed.insert(shift.id, people.clone());
    let broken = breaches(conn, site, &around, &placed, shift, &[access.user_id])?;
    if let Some(first) = broken.first() {
        let codes: Vec<&str> = broken.iter().map(Breach::code).collect();
        let w = Words::new(access.caller.language());
        let said = in_words(conn, site, &around, &broken, w)?;
        let detail = w.pick(
            format!("你接不了这个班：{}。", said.join("；")),
            format!("You cannot take this shift: {}.", said.join("; ")),
        );
        return Err(ApiError::conflict(detail)
            .with("rule", first.code())
            .with("rule_codes", &codes)
            .with("rules", said));
    }
    Ok(people)
}

/// A colleague takes an offered shift, subject to the same rules; both
/// are told.
pub fn take(
    conn: &mut DbConn,
    access: &SiteAccess,
    shift_id: i64,
    notifier: &Notifier,
    now: DateTime<Utc>,
) -> Result<Shift, ApiError> {
    may_take(access)?;
    backend::lock(conn, &[Lock::Site(access.site.id)])?;
    let site = &access.site;
    let shift = rota::shift_by_id(conn, site.id, shift_id)?;
    let offered_by = shift.offered_by;
    let people = take_check(conn, access, &shift, now)?;
    let version = shift.published_version.unwrap_or(1);
    rota::set_published(conn, shift.id, &people, version)?;
    rota::set_offer(conn, shift.id, None, None)?;
    rota::take_swap(conn, shift.id, access.user_id, now.naive_utc())?;
    let shift = rota::shift_by_id(conn, site.id, shift_id)?;
    sync_desks(conn, site, &shift, &people, now)?;
    // Both are told: the one who offered that it is no longer hers, the
    // taker that it is now hers.
    if let Some(giver) = offered_by
        .and_then(|id| users::by_id(conn, id).transpose())
        .transpose()?
    {
        let taker = &access.caller;
        for reader in [&giver, taker] {
            notifier.shift_taken(
                conn,
                site,
                reader,
                &giver.name,
                &taker.name,
                &shift,
                now.naive_utc(),
            )?;
        }
    }
    let slot = Interval::of(shift.starts_at.and_utc(), shift.ends_at.and_utc());
    notifier.announce_rota_changed(conn, site, shift.id, &shift.label, slot, now.naive_utc())?;
    Ok(shift)
}

/// Flags to the admins offered shifts that start with nobody taking them (a job).
pub fn flag_untaken(conn: &mut DbConn, notifier: &Notifier, now: DateTime<Utc>) -> Result<usize, ApiError> {
    let mut n = 0;
    for site_id in sites_with_offers(conn, now)? {
        n += flag_untaken_at(conn, notifier, site_id, now)?;
    }
    Ok(n)
}

/// Sites with a shift on offer that starts within a day (the job takes each
/// in a transaction of its own).
pub fn sites_with_offers(conn: &mut DbConn, now: DateTime<Utc>) -> Result<Vec<i64>, ApiError> {
    let mut ids: Vec<i64> = rota::offered_before(conn, (now + Duration::hours(24)).naive_utc())?
        .iter()
        .map(|s| s.site_id)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// [`flag_untaken`] at one site.
pub fn flag_untaken_at(
    conn: &mut DbConn,
    notifier: &Notifier,
    site_id: i64,
    now: DateTime<Utc>,
) -> Result<usize, ApiError> {
    let mut n = 0;
    let offered = rota::offered_before(conn, (now + Duration::hours(24)).naive_utc())?;
    for shift in offered.into_iter().filter(|s| s.site_id == site_id) {
        if !rota::flag_swap(conn, shift.id, now.naive_utc())? {
            continue;
        }
        let site = crate::store::sites::by_id(conn, shift.site_id)?;
        for (admin, m) in users::members_of_site(conn, site.id, 0, 10_000)? {
            if !m.is_admin {
                continue;
            }
            notifier.shift_untaken(conn, &site, &admin, &shift, now.naive_utc())?;
            n += 1;
        }
    }
    Ok(n)
}

/// Whether a reason means "nobody at all", for messages.
pub fn is_nobody(reason: UnfilledReason) -> bool {
    reason == UnfilledReason::NobodyAvailable
}
