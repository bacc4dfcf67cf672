//! Making, ending and confirming bookings.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::db::{DbConn, Lock, backend};
use crate::domain::allocation::{Candidate, pick_evenly};
use crate::domain::availability::{self, Busy};
use crate::domain::booking::{self, BookingStatus, RuleContext, Urgency, Violation};
use crate::domain::interval::Interval;
use crate::domain::local_time::{local_date, local_day, to_local, week_start};
use crate::domain::priority::{Plan, plan_preemption};
use crate::domain::recurrence::{self, Recurrence};
use crate::domain::resource::{ResourceKind, Rules};
use crate::errors::{ApiError, ProblemType};
use crate::mail::templates::Kind;
use crate::notify::Notifier;
use crate::store::access::SiteAccess;
use crate::store::bookings::{self as store, Booking, NewBooking};
use crate::store::resources::{self, Resource};
use crate::store::{groups, sites};
use crate::workflows::priority;

/// Which resource a request is for.
#[derive(Clone, Debug)]
pub enum Target {
    Resource(i64),
    /// Any free member of the pool.
    Pool(String),
}

/// What to do when some occurrences of a series are taken.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OnConflict {
    /// All or nothing (the default).
    #[default]
    Fail,
    /// Book the free occurrences, list the others.
    Skip,
    /// Wait in line for the time to free up.
    Waitlist,
}

/// A validated booking request.
#[derive(Clone, Debug)]
pub struct BookingRequest {
    pub target: Target,
    pub slot: Interval,
    pub purpose: String,
    pub urgency: Urgency,
    pub reason: Option<String>,
    pub headcount: Option<i32>,
    pub group_id: Option<i64>,
    pub recurrence: Option<Recurrence>,
    pub on_conflict: OnConflict,
    pub flexible: bool,
    /// With `Waitlist`: the latest acceptable start (default: the start).
    pub latest_start: Option<DateTime<Utc>>,
}

/// A booking in the way, as shown in a 409.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ConflictView {
    pub resource_id: i64,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub booking_id: i64,
    /// The requested occurrence's site-local date.
    pub date: chrono::NaiveDate,
    /// The holder's name, shown to staff and admins of the site only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
}

/// An occurrence left out with `on_conflict: skip`.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Skipped {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub conflicts: Vec<ConflictView>,
}

pub struct Created {
    pub bookings: Vec<Booking>,
    pub series_id: Option<i64>,
    pub skipped: Vec<Skipped>,
    /// Bookings that gave way to this one, and where they went.
    pub displaced: Vec<priority::DisplacedView>,
}

/// What a booking request came to. Made once per request, so the size
/// difference of the variants does not matter.
#[allow(clippy::large_enum_variant)]
pub enum Outcome {
    Created(Created),
    /// Nothing was free; the request waits in line.
    Waitlisted(crate::store::waitlist::Entry),
}

/// Who may book what: computers and desks are staff tools; rooms are also
/// booked by group leaders for their groups. Volunteers book nothing here
/// (their duties reserve rooms for them).
pub fn may_book(access: &SiteAccess, kind: ResourceKind) -> Result<(), ApiError> {
    let ok =
        access.is_admin() || access.roles.staff || (kind == ResourceKind::Room && access.roles.group_leader);
    if ok {
        Ok(())
    } else {
        Err(ApiError::forbidden(match kind {
            ResourceKind::Room => "Only staff, admins and group leaders book rooms.",
            _ => "Only staff and admins book computers and desks.",
        }))
    }
}

fn rule_error(violations: Vec<Violation>) -> ApiError {
    let detail = violations
        .iter()
        .map(|v| v.message.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let rule = violations.first().map(|v| v.rule);
    ApiError::new(ProblemType::BookingRule, detail)
        .with("rule", rule)
        .with("violations", violations)
}

fn conflict_error(detail: &str, conflicts: Vec<ConflictView>) -> ApiError {
    ApiError::conflict(detail).with("conflicts", conflicts)
}

/// Releases bookings on these resources (or everywhere) whose holder did
/// not check in within the resource's release time. Returns them.
pub fn release_unclaimed(
    conn: &mut DbConn,
    notifier: &Notifier,
    resource_ids: Option<&[i64]>,
    now: DateTime<Utc>,
) -> Result<Vec<Booking>, ApiError> {
    let candidates = store::unclaimed_started(conn, resource_ids, now.naive_utc())?;
    let mut site_ids: Vec<i64> = candidates.iter().map(|(b, _)| b.site_id).collect();
    site_ids.sort_unstable();
    site_ids.dedup();
    let locks: Vec<Lock> = site_ids.iter().map(|id| Lock::Site(*id)).collect();
    backend::lock(conn, &locks)?;
    let mut released: Vec<Booking> = Vec::new();
    for (booking, rules_json) in candidates {
        let rules: Rules = match serde_json::from_str(&rules_json) {
            Ok(r) => r,
            Err(_) => continue,
        };
        if booking::lapsed(
            &rules,
            booking.checked_in_at.is_some(),
            booking.starts_at.and_utc(),
            now,
        ) && store::end(conn, booking.id, BookingStatus::Released, None, now.naive_utc())?
        {
            let site = sites::by_id(conn, booking.site_id)?;
            notifier.bookings(
                conn,
                &site,
                Kind::BookingReleased,
                std::slice::from_ref(&booking),
                now.naive_utc(),
            )?;
            released.push(booking);
        }
    }
    Ok(released)
}

/// [`release_unclaimed`] on these resources. Only a resource whose rules
/// ask for check-in can have a booking to release (see
/// [`booking::lapsed`]), so the others are not searched at all.
pub fn release_unclaimed_on(
    conn: &mut DbConn,
    notifier: &Notifier,
    on: &[Resource],
    now: DateTime<Utc>,
) -> Result<Vec<Booking>, ApiError> {
    let ids: Vec<i64> = on
        .iter()
        .filter(|r| r.rules().check_in_required)
        .map(|r| r.id)
        .collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    release_unclaimed(conn, notifier, Some(&ids), now)
}

/// The release job: frees unclaimed bookings everywhere and serves the
/// waitlists of the sites where room freed up.
pub fn release_and_serve(
    conn: &mut DbConn,
    notifier: &Notifier,
    now: DateTime<Utc>,
) -> Result<usize, ApiError> {
    let released = release_unclaimed(conn, notifier, None, now)?;
    let mut site_ids: Vec<i64> = released.iter().map(|b| b.site_id).collect();
    site_ids.sort_unstable();
    site_ids.dedup();
    for id in site_ids {
        let site = sites::by_id(conn, id)?;
        priority::serve_waitlist(conn, &site, notifier, now)?;
    }
    Ok(released.len())
}

/// Everything about one candidate resource that decides a request.
struct Evaluation {
    resource: Resource,
    violations: Vec<Violation>,
    /// Per occurrence index: the bookings in the way.
    conflicts: BTreeMap<usize, Vec<Busy>>,
    /// Minutes already booked on it that local day (for spreading use).
    load_minutes: i64,
}

fn evaluate(
    access: &SiteAccess,
    resource: Resource,
    occurrences: &[Interval],
    headcount: Option<i32>,
    blackouts: &[Interval],
    busy: &[Busy],
    now: DateTime<Utc>,
) -> Evaluation {
    let tz = access.site.tz();
    let rules = resource.rules();
    let opening = resource.opening();
    let ctx = RuleContext {
        tz,
        rules: &rules,
        opening: opening.as_ref(),
        blackouts,
        capacity: resource.capacity,
        retired: resource.is_retired(),
        now,
    };
    let mut violations: Vec<Violation> = Vec::new();
    let mut conflicts = BTreeMap::new();
    for (i, occ) in occurrences.iter().enumerate() {
        for v in booking::check_rules(*occ, headcount, &ctx) {
            if !violations.iter().any(|seen| seen.rule == v.rule) {
                violations.push(v);
            }
        }
        let clash: Vec<Busy> = availability::conflicts(*occ, &rules, busy)
            .into_iter()
            .copied()
            .collect();
        if !clash.is_empty() {
            conflicts.insert(i, clash);
        }
    }
    let day = local_date(tz, occurrences[0].start);
    let load_minutes = busy
        .iter()
        .filter(|b| local_date(tz, b.slot.start) == day)
        .map(|b| b.slot.duration().num_minutes())
        .sum();
    Evaluation {
        resource,
        violations,
        conflicts,
        load_minutes,
    }
}

/// Turns bookings in the way into their public view.
fn conflict_views(
    conn: &mut DbConn,
    access: &SiteAccess,
    tz: chrono_tz::Tz,
    items: Vec<(Interval, i64, Busy)>,
) -> Result<Vec<ConflictView>, ApiError> {
    let show_owner = access.is_admin() || access.roles.staff;
    let ids: Vec<i64> = items.iter().map(|(_, _, b)| b.booking_id).collect();
    let mut owners: HashMap<i64, String> = HashMap::new();
    if show_owner && !ids.is_empty() {
        let rows = store::list_owner_names(conn, &ids)?;
        owners.extend(rows);
    }
    Ok(items
        .into_iter()
        .map(|(occ, resource_id, b)| ConflictView {
            resource_id,
            starts_at: b.slot.start,
            ends_at: b.slot.end,
            booking_id: b.booking_id,
            date: local_date(tz, occ.start),
            owner: owners.get(&b.booking_id).cloned(),
        })
        .collect())
}

/// Makes a booking (or a weekly series). Runs inside the caller's write
/// transaction; any error leaves nothing behind.
pub fn create(
    conn: &mut DbConn,
    access: &SiteAccess,
    req: &BookingRequest,
    notifier: &Notifier,
    now: DateTime<Utc>,
) -> Result<Outcome, ApiError> {
    let tz = access.site.tz();
    let site_id = access.site.id;
    let candidates: Vec<Resource> = match &req.target {
        Target::Resource(id) => vec![resources::by_id(conn, site_id, *id)?],
        Target::Pool(pool) => {
            let members = resources::pool_members(conn, site_id, pool)?;
            if members.is_empty() {
                return Err(ApiError::invalid(
                    "pool",
                    format!("this site has no pool called '{pool}'"),
                ));
            }
            members
        }
    };
    for r in &candidates {
        may_book(access, r.kind())?;
    }
    if let Some(group_id) = req.group_id {
        let group = groups::by_id(conn, site_id, group_id)
            .map_err(|_| ApiError::invalid("group_id", "no such group on this site"))?;
        if group.leader_id != access.user_id && !access.is_admin() {
            return Err(ApiError::forbidden(
                "Only the group's leader or an admin books for a group.",
            ));
        }
    }
    let occurrences = match req.recurrence {
        None => vec![req.slot],
        Some(_) if matches!(req.target, Target::Pool(_)) => {
            return Err(ApiError::invalid(
                "recurrence",
                "a series is booked on one resource: give resource_id",
            ));
        }
        Some(rule) => recurrence::expand(tz, req.slot, rule)?,
    };
    let span = Interval::of(occurrences[0].start, occurrences[occurrences.len() - 1].end);
    let ids: Vec<i64> = candidates.iter().map(|r| r.id).collect();
    let kind = candidates[0].kind();
    if req.urgency == Urgency::Urgent {
        priority::check_urgent_quota(conn, access, req.slot)?;
    }

    // Ordinary bookings at one site run side by side, kept apart per person
    // and per resource. Whatever may change other people's bookings or the
    // waitlist (displacing, queueing, releasing no-shows and serving those
    // waiting) holds the whole site, and must take it now, not later.
    // Each resource's rules, parsed once for the decisions below.
    let candidate_rules: Vec<Rules> = candidates.iter().map(Resource::rules).collect();
    let site_wide = req.urgency > Urgency::Routine
        || req.on_conflict == OnConflict::Waitlist
        || candidate_rules.iter().any(|r| r.check_in_required);
    let site_lock = if site_wide {
        Lock::Site(site_id)
    } else {
        Lock::SiteShared(site_id)
    };
    let mut locks = vec![site_lock, Lock::Person(access.user_id)];
    locks.extend(ids.iter().map(|id| Lock::Resource(*id)));
    backend::lock(conn, &locks)?;
    if !release_unclaimed_on(conn, notifier, &candidates, now)?.is_empty() {
        // Room freed up: those already waiting are served first.
        priority::serve_waitlist(conn, &access.site, notifier, now)?;
    }

    // One person, one seat: no two computers or desks at once.
    if kind.is_personal() {
        let mine = store::personal_active_within(conn, access.user_id, span)?;
        let clashes: Vec<(Interval, i64, Busy)> = occurrences
            .iter()
            .flat_map(|occ| {
                mine.iter()
                    .filter(|b| b.slot().overlaps(occ))
                    .map(|b| (*occ, b.resource_id, b.busy()))
                    .collect::<Vec<_>>()
            })
            .collect();
        if !clashes.is_empty() {
            let views = conflict_views(conn, access, tz, clashes)?;
            return Err(conflict_error(
                "You already hold a computer or desk booking at that time; one person, one seat.",
                views,
            ));
        }
    }

    let blackouts = resources::blackouts_within(conn, &ids, span)?;
    // Only the bookings that can decide are read: those meeting the time
    // asked for or the buffer after it and, for a pool, the rest of that
    // local day (use is spread evenly by the day's booked minutes). A busy
    // resource holds dozens of bookings a day; reading days of them for
    // every request was most of a booking's cost.
    let pool_day = matches!(req.target, Target::Pool(_)).then(|| local_day(tz, span.start));
    let window = availability::deciding_window(span, &candidate_rules, pool_day);
    let busy = store::active_within(conn, &ids, window)?;
    let evaluations: Vec<Evaluation> = candidates
        .into_iter()
        .map(|r| {
            let bl: Vec<Interval> = blackouts
                .iter()
                .filter(|b| b.resource_id == r.id)
                .map(|b| b.interval())
                .collect();
            let bz: Vec<Busy> = busy
                .iter()
                .filter(|b| b.resource_id == r.id)
                .map(Booking::busy)
                .collect();
            evaluate(access, r, &occurrences, req.headcount, &bl, &bz, now)
        })
        .collect();

    // Pick the resource and the occurrences to book; when everything is
    // taken, a more urgent request may displace, or the request may wait.
    let single = req.recurrence.is_none();
    let mut plan: Option<Plan> = None;
    let blocked_here = |e: &Evaluation| !e.violations.is_empty() || !e.conflicts.is_empty();
    let (chosen, booked_idx, skipped_idx) = if single && evaluations.iter().all(blocked_here) {
        if evaluations.iter().all(|e| !e.violations.is_empty()) {
            let first = evaluations.into_iter().next().expect("at least one resource");
            return Err(rule_error(first.violations));
        }
        if req.urgency > Urgency::Routine {
            // Moving those in the way elsewhere needs each resource's whole
            // neighbourhood: a booking in the way may run a day either side.
            let around = store::active_within(
                conn,
                &ids,
                Interval::of(span.start - Duration::days(1), span.end + Duration::days(1)),
            )?;
            let open: Vec<&Evaluation> = evaluations.iter().filter(|e| e.violations.is_empty()).collect();
            let places = priority::places(
                &open.iter().map(|e| &e.resource).collect::<Vec<_>>(),
                &blackouts,
                &around,
            );
            plan = plan_preemption(tz, req.slot, req.urgency, &places, now);
        }
        match &plan {
            Some(p) => {
                let id = p.resource_id;
                (
                    evaluations
                        .into_iter()
                        .find(|e| e.resource.id == id)
                        .expect("planned"),
                    vec![0],
                    vec![],
                )
            }
            None => {
                if req.on_conflict == OnConflict::Waitlist {
                    let entry =
                        priority::queue_request(conn, access, req, &evaluations[0].resource, notifier, now)?;
                    return Ok(Outcome::Waitlisted(entry));
                }
                let items: Vec<(Interval, i64, Busy)> = evaluations
                    .iter()
                    .filter(|e| e.violations.is_empty())
                    .flat_map(|e| {
                        e.conflicts
                            .values()
                            .flatten()
                            .map(|b| (occurrences[0], e.resource.id, *b))
                    })
                    .collect();
                let views = conflict_views(conn, access, tz, items)?;
                let detail = if evaluations.len() > 1 {
                    "Every resource of the pool is taken at that time."
                } else {
                    "That time is already taken."
                };
                return Err(conflict_error(detail, views));
            }
        }
    } else if matches!(req.target, Target::Pool(_)) {
        let eligible: Vec<Candidate> = evaluations
            .iter()
            .filter(|e| !blocked_here(e))
            .map(|e| Candidate {
                resource_id: e.resource.id,
                load_minutes: e.load_minutes,
            })
            .collect();
        let id = pick_evenly(&eligible).expect("a free member exists");
        (
            evaluations
                .into_iter()
                .find(|e| e.resource.id == id)
                .expect("picked"),
            vec![0],
            vec![],
        )
    } else {
        let eval = evaluations.into_iter().next().expect("one resource");
        if !eval.violations.is_empty() {
            return Err(rule_error(eval.violations));
        }
        let taken: Vec<usize> = eval.conflicts.keys().copied().collect();
        let skip = req.on_conflict == OnConflict::Skip && req.recurrence.is_some();
        if !taken.is_empty() && (!skip || taken.len() == occurrences.len()) {
            let items: Vec<(Interval, i64, Busy)> = eval
                .conflicts
                .iter()
                .flat_map(|(i, list)| list.iter().map(|b| (occurrences[*i], eval.resource.id, *b)))
                .collect();
            let views = conflict_views(conn, access, tz, items)?;
            return Err(conflict_error(
                "Some dates of the series are taken; nothing was booked. Send on_conflict: skip to book the free ones.",
                views,
            ));
        }
        let booked: Vec<usize> = (0..occurrences.len()).filter(|i| !taken.contains(i)).collect();
        (eval, booked, taken)
    };

    let resource = &chosen.resource;
    let rules = resource.rules();

    // The weekly quota, over the pool when the resource is in one.
    if rules.max_bookings_per_user_per_week.is_some() {
        let scope: Vec<i64> = match &resource.pool {
            Some(pool) => resources::pool_members(conn, site_id, pool)?
                .iter()
                .map(|r| r.id)
                .collect(),
            None => vec![resource.id],
        };
        let mut weeks: BTreeMap<chrono::NaiveDate, u32> = BTreeMap::new();
        for i in &booked_idx {
            *weeks
                .entry(week_start(local_date(tz, occurrences[*i].start)))
                .or_default() += 1;
        }
        for (monday, adding) in weeks {
            let start = crate::domain::local_time::resolve_lenient(
                tz,
                monday.and_hms_opt(0, 0, 0).expect("midnight"),
            );
            let end = crate::domain::local_time::resolve_lenient(
                tz,
                (monday + Duration::days(7))
                    .and_hms_opt(0, 0, 0)
                    .expect("midnight"),
            );
            let held = store::owner_starts_within(conn, access.user_id, &scope, Interval::of(start, end))?
                .len() as u32;
            if let Some(v) = booking::check_quota(held, adding, &rules) {
                return Err(rule_error(vec![v]));
            }
        }
    }

    // The site's cap on future bookings per person: what stops a runaway
    // loop from filling every resource, whatever the resources' own rules.
    if let Some(cap) = access.site.max_future_bookings_per_person {
        let held = store::owner_future_count(conn, site_id, access.user_id, now)?;
        let adding = u32::try_from(booked_idx.len()).unwrap_or(u32::MAX);
        if let Some(v) = booking::check_future_cap(held, adding, u32::try_from(cap).ok()) {
            return Err(rule_error(vec![v]));
        }
    }

    let status = if rules.requires_approval && !access.is_admin() {
        BookingStatus::Pending
    } else {
        BookingStatus::Confirmed
    };
    let series_id = match req.recurrence {
        Some(rule) => {
            let local = to_local(tz, req.slot.start);
            let pattern = serde_json::json!({
                "weekly": match rule {
                    Recurrence::WeeklyCount(n) => serde_json::json!({"count": n}),
                    Recurrence::WeeklyUntil(d) => serde_json::json!({"until": d}),
                },
                "weekday": crate::domain::local_time::weekday_name(chrono::Datelike::weekday(&local.date())),
                "start": to_local(tz, req.slot.start).format("%H:%M").to_string(),
                "end": to_local(tz, req.slot.end).format("%H:%M").to_string(),
                "timezone": tz.name(),
            });
            Some(store::insert_series(
                conn,
                site_id,
                resource.id,
                access.user_id,
                req.group_id,
                &pattern.to_string(),
                now.naive_utc(),
            )?)
        }
        None => None,
    };
    // Those giving way leave first, so the database never sees an overlap.
    let victims = match &plan {
        Some(plan) => priority::end_victims(conn, access, plan, now)?,
        None => Vec::new(),
    };
    let buffer = Duration::minutes(i64::from(rules.buffer_minutes));
    let mut bookings = Vec::with_capacity(booked_idx.len());
    for i in booked_idx {
        let slot = occurrences[i];
        bookings.push(store::insert(
            conn,
            &NewBooking {
                site_id,
                resource_id: resource.id,
                owner_id: access.user_id,
                group_id: req.group_id,
                series_id,
                slot,
                busy_until: (slot.end + buffer).naive_utc(),
                status,
                urgency: req.urgency,
                reason: req.reason.clone(),
                purpose: req.purpose.clone(),
                headcount: req.headcount,
                flexible: req.flexible,
            },
            now.naive_utc(),
        )?);
    }
    let displaced = match &plan {
        Some(plan) => priority::relocate(conn, access, req, &bookings[0], plan, &victims, notifier, now)?,
        None => Vec::new(),
    };
    priority::audit_use(conn, access, req, &bookings, now)?;
    if status == BookingStatus::Confirmed {
        notifier.bookings_on(
            conn,
            &access.site,
            resource,
            &access.caller,
            Kind::BookingConfirmed,
            &bookings,
            now.naive_utc(),
        )?;
    }
    let mut skipped = Vec::new();
    for i in skipped_idx {
        let items: Vec<(Interval, i64, Busy)> = chosen
            .conflicts
            .get(&i)
            .map(|l| l.iter().map(|b| (occurrences[i], resource.id, *b)).collect())
            .unwrap_or_default();
        skipped.push(Skipped {
            starts_at: occurrences[i].start,
            ends_at: occurrences[i].end,
            conflicts: conflict_views(conn, access, tz, items)?,
        });
    }
    Ok(Outcome::Created(Created {
        bookings,
        series_id,
        skipped,
        displaced,
    }))
}

/// Cancels a booking (its owner or an admin); the owner is told.
pub fn cancel(
    conn: &mut DbConn,
    access: &SiteAccess,
    booking_id: i64,
    notifier: &Notifier,
    now: DateTime<Utc>,
) -> Result<Booking, ApiError> {
    backend::lock(conn, &[Lock::Site(access.site.id)])?;
    let booking = store::by_id(conn, access.site.id, booking_id)?;
    if booking.owner_id != access.user_id && !access.is_admin() {
        return Err(ApiError::forbidden(
            "Only the booking's owner or an admin may cancel it.",
        ));
    }
    if !store::end(
        conn,
        booking.id,
        BookingStatus::Cancelled,
        Some(access.user_id),
        now.naive_utc(),
    )? {
        return Err(ApiError::conflict(format!(
            "This booking is already {}.",
            booking.status
        )));
    }
    let by_admin = booking.owner_id != access.user_id;
    let booking = store::by_id(conn, access.site.id, booking_id)?;
    if by_admin {
        notifier.booking_cancelled_by_admin(conn, &access.site, &booking, now.naive_utc())?;
    } else {
        notifier.bookings(
            conn,
            &access.site,
            Kind::BookingCancelled,
            std::slice::from_ref(&booking),
            now.naive_utc(),
        )?;
    }
    priority::serve_waitlist(conn, &access.site, notifier, now)?;
    Ok(booking)
}

/// Retires a resource (admin): history stays, future bookings are
/// cancelled and their owners told.
pub fn retire_resource(
    conn: &mut DbConn,
    access: &SiteAccess,
    resource_id: i64,
    notifier: &Notifier,
    now: DateTime<Utc>,
) -> Result<(Resource, Vec<i64>), ApiError> {
    access.require_admin()?;
    let resource = resources::by_id(conn, access.site.id, resource_id)?;
    backend::lock(conn, &[Lock::Site(access.site.id), Lock::Resource(resource.id)])?;
    resources::retire(conn, resource.id, now.naive_utc())?;
    let future = store::active_within(conn, &[resource.id], Interval::of(now, now + Duration::days(800)))?;
    let mut cancelled = Vec::new();
    for b in future.iter().filter(|b| b.starts_at.and_utc() >= now) {
        if store::end(
            conn,
            b.id,
            BookingStatus::Cancelled,
            Some(access.user_id),
            now.naive_utc(),
        )? {
            let ended = store::by_id(conn, access.site.id, b.id)?;
            notifier.resource_retired(conn, &access.site, &resource, &ended, now.naive_utc())?;
            cancelled.push(b.id);
        }
    }
    if !cancelled.is_empty() {
        priority::serve_waitlist(conn, &access.site, notifier, now)?;
    }
    Ok((resources::by_id(conn, access.site.id, resource.id)?, cancelled))
}

/// Approves or rejects a pending booking (admin).
pub fn decide(
    conn: &mut DbConn,
    access: &SiteAccess,
    booking_id: i64,
    approve: bool,
    notifier: &Notifier,
    now: DateTime<Utc>,
) -> Result<Booking, ApiError> {
    access.require_admin()?;
    backend::lock(conn, &[Lock::Site(access.site.id)])?;
    let booking = store::by_id(conn, access.site.id, booking_id)?;
    let done = if approve {
        store::approve(conn, booking.id, now.naive_utc())?
    } else {
        booking.status() == BookingStatus::Pending
            && store::end(
                conn,
                booking.id,
                BookingStatus::Rejected,
                Some(access.user_id),
                now.naive_utc(),
            )?
    };
    if !done {
        return Err(ApiError::conflict(format!(
            "Only pending bookings are approved or rejected; this one is {}.",
            booking.status
        )));
    }
    let booking = store::by_id(conn, access.site.id, booking_id)?;
    let kind = if approve {
        Kind::BookingApproved
    } else {
        Kind::BookingRejected
    };
    notifier.bookings(
        conn,
        &access.site,
        kind,
        std::slice::from_ref(&booking),
        now.naive_utc(),
    )?;
    if !approve {
        priority::serve_waitlist(conn, &access.site, notifier, now)?;
    }
    Ok(booking)
}

/// How early before its start a booking may be checked in.
pub const CHECK_IN_OPENS_MINUTES: i64 = 10;

/// The owner says they are here.
pub fn check_in(
    conn: &mut DbConn,
    access: &SiteAccess,
    booking_id: i64,
    notifier: &Notifier,
    now: DateTime<Utc>,
) -> Result<Booking, ApiError> {
    let booking = store::by_id(conn, access.site.id, booking_id)?;
    if booking.owner_id != access.user_id {
        return Err(ApiError::forbidden("Only the booking's owner checks in."));
    }
    let resource = resources::by_id(conn, access.site.id, booking.resource_id)?;
    backend::lock(conn, &[Lock::Site(access.site.id)])?;
    if !release_unclaimed_on(conn, notifier, std::slice::from_ref(&resource), now)?.is_empty() {
        priority::serve_waitlist(conn, &access.site, notifier, now)?;
    }
    let booking = store::by_id(conn, access.site.id, booking_id)?;
    if booking.status() != BookingStatus::Confirmed {
        return Err(ApiError::conflict(format!(
            "A {} booking cannot be checked in.",
            booking.status
        )));
    }
    if booking.checked_in_at.is_some() {
        return Ok(booking);
    }
    let start = booking.starts_at.and_utc();
    if now < start - Duration::minutes(CHECK_IN_OPENS_MINUTES) {
        return Err(ApiError::conflict(format!(
            "Check-in opens {CHECK_IN_OPENS_MINUTES} minutes before the start."
        )));
    }
    if now >= booking.ends_at.and_utc() {
        return Err(ApiError::conflict("This booking is over."));
    }
    store::check_in(conn, booking.id, now.naive_utc())?;
    store::by_id(conn, access.site.id, booking_id)
}
