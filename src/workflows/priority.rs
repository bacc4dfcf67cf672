//! Applying the priority rules: the urgent quota, displacing bookings for a
//! more urgent request (moving them, or queueing them), the waitlist, and
//! the audit trail. The decisions come from `domain::priority`; this module
//! loads the snapshot it needs and writes the outcome in the caller's
//! transaction.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::db::{DbConn, Lock, backend};
use crate::domain::booking::{BookingRequest, Target};
use crate::domain::booking::{BookingStatus, Urgency};
use crate::domain::interval::Interval;
use crate::domain::priority::{Fate, Holding, Place, Plan, Waiting, plan_waitlist};
use crate::errors::ApiError;
use crate::mail::templates::{Kind, Note, Words};
use crate::notify::{Notifier, Outgoing};
use crate::store::access::SiteAccess;
use crate::store::audit::{self, NewAudit};
use crate::store::bookings::{self as store, Booking, NewBooking};
use crate::store::resources::{self, Blackout, Resource};
use crate::store::sites::Site;
use crate::store::users;
use crate::store::waitlist::{self, Entry, NewEntry};

/// The resources' state as the priority rules see it.
pub fn places(resources: &[&Resource], blackouts: &[Blackout], busy: &[Booking]) -> Vec<Place> {
    resources
        .iter()
        .map(|r| Place {
            resource_id: r.id,
            rules: r.rules(),
            opening: r.opening(),
            blackouts: blackouts
                .iter()
                .filter(|b| b.resource_id == r.id)
                .map(|b| b.interval())
                .collect(),
            retired: r.is_retired(),
            holdings: busy
                .iter()
                .filter(|b| b.resource_id == r.id)
                .map(|b| Holding {
                    booking_id: b.id,
                    slot: b.slot(),
                    urgency: b.urgency(),
                    created_at: b.created_at.and_utc(),
                    checked_in: b.checked_in_at.is_some(),
                    flexible: b.flexible,
                })
                .collect(),
        })
        .collect()
}

/// Records urgent and emergency use (the admin sees every emergency).
pub fn audit_use(
    conn: &mut DbConn,
    access: &SiteAccess,
    req: &BookingRequest,
    bookings: &[Booking],
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let action = match req.urgency {
        Urgency::Urgent => "urgent_use",
        Urgency::Emergency => "emergency_use",
        _ => return Ok(()),
    };
    if let Some(b) = bookings.first() {
        audit::record(
            conn,
            &NewAudit {
                site_id: access.site.id,
                actor_id: Some(access.user_id),
                action,
                booking_id: Some(b.id),
                urgency: Some(req.urgency.code()),
                reason: req.reason.as_deref(),
                details: format!("resource {} {}..{}", b.resource_id, b.starts_at, b.ends_at),
                ..NewAudit::default()
            },
            now.naive_utc(),
        )?;
    }
    Ok(())
}

/// Where a displaced booking went, as the 201 reports it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct DisplacedView {
    pub booking_id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub moved_to: Option<MovedTo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waitlisted: Option<WaitlistedRef>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct MovedTo {
    /// The new booking that replaces the displaced one.
    pub booking_id: i64,
    pub resource_id: i64,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct WaitlistedRef {
    pub waitlist_id: i64,
}

/// Ends the plan's victims so the request can take their place.
pub fn end_victims(
    conn: &mut DbConn,
    access: &SiteAccess,
    plan: &Plan,
    now: DateTime<Utc>,
) -> Result<Vec<Booking>, ApiError> {
    let mut victims = Vec::new();
    for d in &plan.displaced {
        let b = store::by_id(conn, access.site.id, d.booking_id)?;
        if !store::end_displaced(conn, b.id, access.user_id, now.naive_utc())? {
            return Err(ApiError::conflict(
                "The booking to displace changed meanwhile; try again.",
            ));
        }
        victims.push(b);
    }
    Ok(victims)
}

/// Moves or queues the victims after the request was booked, tells their
/// owners why, and records it all.
#[allow(clippy::too_many_arguments)]
pub fn relocate(
    conn: &mut DbConn,
    access: &SiteAccess,
    req: &BookingRequest,
    booked: &Booking,
    plan: &Plan,
    victims: &[Booking],
    notifier: &Notifier,
    now: DateTime<Utc>,
) -> Result<Vec<DisplacedView>, ApiError> {
    let mut out = Vec::new();
    let reason = req.reason.clone().unwrap_or_default();
    for (d, victim) in plan.displaced.iter().zip(victims) {
        audit::record(
            conn,
            &NewAudit {
                site_id: access.site.id,
                actor_id: Some(access.user_id),
                action: "preemption",
                booking_id: Some(booked.id),
                other_booking_id: Some(victim.id),
                subject_user_id: Some(victim.owner_id),
                urgency: Some(req.urgency.code()),
                reason: Some(&reason),
                details: format!(
                    "{} displaced {} booking {}",
                    req.urgency.code(),
                    victim.urgency,
                    victim.id
                ),
            },
            now.naive_utc(),
        )?;
        let view = match &d.outcome {
            Fate::MovedTo { resource_id, slot } => {
                let rules = resources::by_id(conn, access.site.id, *resource_id)?.rules();
                let moved = store::insert(
                    conn,
                    &NewBooking {
                        site_id: access.site.id,
                        resource_id: *resource_id,
                        owner_id: victim.owner_id,
                        group_id: victim.group_id,
                        series_id: None,
                        slot: *slot,
                        busy_until: (slot.end + Duration::minutes(i64::from(rules.buffer_minutes)))
                            .naive_utc(),
                        status: BookingStatus::Confirmed,
                        urgency: victim.urgency(),
                        reason: victim.reason.clone(),
                        purpose: victim.purpose.clone(),
                        headcount: victim.headcount,
                        flexible: victim.flexible,
                    },
                    now.naive_utc(),
                )?;
                audit::record(
                    conn,
                    &NewAudit {
                        site_id: access.site.id,
                        actor_id: Some(access.user_id),
                        action: "relocation",
                        booking_id: Some(moved.id),
                        other_booking_id: Some(victim.id),
                        subject_user_id: Some(victim.owner_id),
                        urgency: Some(req.urgency.code()),
                        reason: Some(&reason),
                        details: format!(
                            "moved to resource {} {}..{}",
                            resource_id, moved.starts_at, moved.ends_at
                        ),
                    },
                    now.naive_utc(),
                )?;
                tell_displaced(conn, notifier, &access.site, victim, Some(&moved), None, req, now)?;
                DisplacedView {
                    booking_id: victim.id,
                    moved_to: Some(MovedTo {
                        booking_id: moved.id,
                        resource_id: *resource_id,
                        starts_at: slot.start,
                        ends_at: slot.end,
                    }),
                    waitlisted: None,
                }
            }
            Fate::Waitlisted => {
                let resource = resources::by_id(conn, access.site.id, victim.resource_id)?;
                let entry = waitlist::insert(
                    conn,
                    &NewEntry {
                        site_id: access.site.id,
                        owner_id: victim.owner_id,
                        resource_id: resource.pool.is_none().then_some(resource.id),
                        pool: resource.pool.as_deref(),
                        slot: victim.slot(),
                        latest_start: victim.starts_at,
                        urgency: victim.urgency(),
                        reason: victim.reason.as_deref(),
                        purpose: &victim.purpose,
                        headcount: victim.headcount,
                        group_id: victim.group_id,
                        flexible: victim.flexible,
                        requested_at: victim.created_at,
                        displaced_booking_id: Some(victim.id),
                    },
                    now.naive_utc(),
                )?;
                audit::record(
                    conn,
                    &NewAudit {
                        site_id: access.site.id,
                        actor_id: Some(access.user_id),
                        action: "waitlisted",
                        booking_id: Some(booked.id),
                        other_booking_id: Some(victim.id),
                        subject_user_id: Some(victim.owner_id),
                        urgency: Some(req.urgency.code()),
                        reason: Some(&reason),
                        details: format!("waitlist entry {}", entry.id),
                    },
                    now.naive_utc(),
                )?;
                tell_displaced(conn, notifier, &access.site, victim, None, Some(&entry), req, now)?;
                DisplacedView {
                    booking_id: victim.id,
                    moved_to: None,
                    waitlisted: Some(WaitlistedRef {
                        waitlist_id: entry.id,
                    }),
                }
            }
        };
        out.push(view);
    }
    Ok(out)
}

/// Tells a displaced owner what happened, why, and where they are now.
#[allow(clippy::too_many_arguments)]
fn tell_displaced(
    conn: &mut DbConn,
    notifier: &Notifier,
    site: &Site,
    victim: &Booking,
    moved: Option<&Booking>,
    entry: Option<&Entry>,
    req: &BookingRequest,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let Some(owner) = users::by_id(conn, victim.owner_id)? else {
        return Ok(());
    };
    let w = Words::new(owner.language());
    let tz = site.tz();
    let old_place = resources::by_id(conn, site.id, victim.resource_id)?.name;
    let was = w.range(tz, victim.starts_at.and_utc(), victim.ends_at.and_utc());
    let reason = req.reason.clone().unwrap_or_default();
    let why = w.pick(
        format!(
            "有一项更紧急（{}）的工作需要这个时段：{}",
            urgency_zh(req.urgency),
            reason
        ),
        format!(
            "A more urgent ({}) matter needed that time: {}",
            req.urgency.code(),
            reason
        ),
    );
    let (kind, subject, now_where) = match (moved, entry) {
        (Some(m), _) => {
            let place = resources::by_id(conn, site.id, m.resource_id)?.name;
            let when = w.range(tz, m.starts_at.and_utc(), m.ends_at.and_utc());
            (
                Kind::BookingRelocated,
                w.pick(format!("预约已调整：{place}"), format!("Your booking moved: {place}")),
                w.pick(format!("您的预约已改到：{place}，{when}。"), format!("It is now: {place}, {when}.")),
            )
        }
        _ => (
            Kind::BookingWaitlisted,
            w.pick(format!("预约让位，已进入候补：{old_place}"), format!("Your booking gave way and is waitlisted: {old_place}")),
            w.pick(
                "没有其他空闲的时段，您已按原来的紧急程度进入候补名单；一有空位会自动为您预约并通知您。",
                "No other time was free, so you are on the waitlist at your booking's urgency; you will be booked and told as soon as room frees up.",
            ),
        ),
    };
    let note = Note {
        subject,
        greeting: w.greeting(&owner.name),
        paragraphs: vec![
            w.pick(
                format!("您原来的预约（{old_place}，{was}）让给了更紧急的工作。"),
                format!("Your booking ({old_place}, {was}) gave way to more urgent work."),
            ),
            why,
            now_where,
        ],
        footer: w.footer(&site.name),
        ..Note::default()
    };
    let key = format!("booking-{}-{}", victim.id, kind.code());
    notifier.queue(
        conn,
        &owner,
        Outgoing {
            kind,
            event_key: &key,
            note,
            calendar: None,
        },
        now.naive_utc(),
    )?;
    Ok(())
}

fn urgency_zh(u: Urgency) -> &'static str {
    match u {
        Urgency::Routine => "常规",
        Urgency::Priority => "优先",
        Urgency::Urgent => "紧急",
        Urgency::Emergency => "特急",
    }
}

/// Queues a request that found no room (`on_conflict: waitlist`).
pub fn queue_request(
    conn: &mut DbConn,
    access: &SiteAccess,
    req: &BookingRequest,
    resource: &Resource,
    _notifier: &Notifier,
    now: DateTime<Utc>,
) -> Result<Entry, ApiError> {
    let latest = req.latest_start.unwrap_or(req.slot.start);
    if latest < req.slot.start {
        return Err(ApiError::invalid("latest_start", "must not be before starts_at"));
    }
    let (resource_id, pool) = match &req.target {
        Target::Pool(p) => (None, Some(p.as_str())),
        Target::Resource(_) => (Some(resource.id), None),
    };
    let entry = waitlist::insert(
        conn,
        &NewEntry {
            site_id: access.site.id,
            owner_id: access.user_id,
            resource_id,
            pool,
            slot: req.slot,
            latest_start: latest.naive_utc(),
            urgency: req.urgency,
            reason: req.reason.as_deref(),
            purpose: &req.purpose,
            headcount: req.headcount,
            group_id: req.group_id,
            flexible: req.flexible,
            requested_at: now.naive_utc(),
            displaced_booking_id: None,
        },
        now.naive_utc(),
    )?;
    Ok(entry)
}

/// Serves the site's waitlist now: entries past their latest start expire;
/// the others, highest urgency first then oldest, get any room that fits
/// their whole interval. Runs in the caller's transaction, which holds the
/// site's lock.
pub fn serve_waitlist(
    conn: &mut DbConn,
    site: &Site,
    notifier: &Notifier,
    now: DateTime<Utc>,
) -> Result<Vec<Booking>, ApiError> {
    let entries = waitlist::waiting(conn, site.id)?;
    if entries.is_empty() {
        return Ok(Vec::new());
    }
    let mut live = Vec::new();
    for e in entries {
        if e.latest_start.and_utc() < now {
            if waitlist::end(conn, e.id, "expired", None, now.naive_utc())? {
                audit::record(
                    conn,
                    &NewAudit {
                        site_id: site.id,
                        action: "waitlist_expired",
                        subject_user_id: Some(e.owner_id),
                        urgency: Some(&e.urgency),
                        details: format!("waitlist entry {}", e.id),
                        ..NewAudit::default()
                    },
                    now.naive_utc(),
                )?;
                tell_waiting(conn, notifier, site, &e, None, now)?;
            }
        } else {
            live.push(e);
        }
    }
    if live.is_empty() {
        return Ok(Vec::new());
    }
    // The resources the entries would accept.
    let mut wanted: BTreeMap<i64, Resource> = BTreeMap::new();
    let mut targets: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for e in &live {
        let rs = match (&e.resource_id, &e.pool) {
            (Some(id), _) => vec![resources::by_id(conn, site.id, *id)?],
            (None, Some(pool)) => resources::pool_members(conn, site.id, pool)?,
            _ => Vec::new(),
        };
        targets.insert(e.id, rs.iter().map(|r| r.id).collect());
        for r in rs {
            wanted.insert(r.id, r);
        }
    }
    let ids: Vec<i64> = wanted.keys().copied().collect();
    let start = live
        .iter()
        .map(|e| e.starts_at.and_utc())
        .min()
        .expect("non-empty");
    let end = live
        .iter()
        .map(|e| e.latest_start.and_utc() + (e.ends_at - e.starts_at))
        .max()
        .expect("non-empty");
    let span = Interval::of(start - Duration::days(1), end + Duration::days(1));
    let blackouts = resources::blackouts_within(conn, &ids, span)?;
    let busy = store::active_within(conn, &ids, span)?;
    let refs: Vec<&Resource> = wanted.values().collect();
    let places = places(&refs, &blackouts, &busy);
    let waiting: Vec<Waiting> = live
        .iter()
        .map(|e| Waiting {
            entry_id: e.id,
            urgency: e.urgency(),
            requested_at: e.requested_at.and_utc(),
            resource_ids: targets.get(&e.id).cloned().unwrap_or_default(),
            slot: e.slot(),
            latest_start: e.latest_start.and_utc(),
        })
        .collect();
    let mut booked = Vec::new();
    for served in plan_waitlist(site.tz(), &waiting, &places, now) {
        let e = live
            .iter()
            .find(|e| e.id == served.entry_id)
            .expect("planned entry");
        let resource = &wanted[&served.resource_id];
        let rules = resource.rules();
        let b = store::insert(
            conn,
            &NewBooking {
                site_id: site.id,
                resource_id: resource.id,
                owner_id: e.owner_id,
                group_id: e.group_id,
                series_id: None,
                slot: served.slot,
                busy_until: (served.slot.end + Duration::minutes(i64::from(rules.buffer_minutes)))
                    .naive_utc(),
                status: if rules.requires_approval {
                    BookingStatus::Pending
                } else {
                    BookingStatus::Confirmed
                },
                urgency: e.urgency(),
                reason: e.reason.clone(),
                purpose: e.purpose.clone(),
                headcount: e.headcount,
                flexible: e.flexible,
            },
            now.naive_utc(),
        )?;
        waitlist::end(conn, e.id, "served", Some(b.id), now.naive_utc())?;
        audit::record(
            conn,
            &NewAudit {
                site_id: site.id,
                action: "waitlist_served",
                booking_id: Some(b.id),
                other_booking_id: e.displaced_booking_id,
                subject_user_id: Some(e.owner_id),
                urgency: Some(&e.urgency),
                details: format!("waitlist entry {} served on resource {}", e.id, resource.id),
                ..NewAudit::default()
            },
            now.naive_utc(),
        )?;
        tell_waiting(conn, notifier, site, e, Some(&b), now)?;
        booked.push(b);
    }
    Ok(booked)
}

/// Tells a waiting person they were served (or that the wait expired).
fn tell_waiting(
    conn: &mut DbConn,
    notifier: &Notifier,
    site: &Site,
    e: &Entry,
    booked: Option<&Booking>,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let Some(owner) = users::by_id(conn, e.owner_id)? else {
        return Ok(());
    };
    let w = Words::new(owner.language());
    let tz = site.tz();
    let (kind, subject, line) = match booked {
        Some(b) => {
            let place = resources::by_id(conn, site.id, b.resource_id)?.name;
            let when = w.range(tz, b.starts_at.and_utc(), b.ends_at.and_utc());
            (
                Kind::WaitlistServed,
                w.pick(
                    format!("候补成功：{place}"),
                    format!("Booked from the waitlist: {place}"),
                ),
                w.pick(
                    format!("有空位了，已为您预约：{place}，{when}。"),
                    format!("Room freed up and you are booked: {place}, {when}."),
                ),
            )
        }
        None => (
            Kind::WaitlistExpired,
            w.pick("候补已过期", "Your waitlist entry expired"),
            w.pick(
                format!(
                    "很抱歉，{} 的候补在最晚开始时间前没有等到空位。",
                    w.range(tz, e.starts_at.and_utc(), e.ends_at.and_utc())
                ),
                format!(
                    "Sorry, no room freed up for {} before its latest start.",
                    w.range(tz, e.starts_at.and_utc(), e.ends_at.and_utc())
                ),
            ),
        ),
    };
    let note = Note {
        subject,
        greeting: w.greeting(&owner.name),
        paragraphs: vec![line],
        footer: w.footer(&site.name),
        ..Note::default()
    };
    let key = format!("waitlist-{}-{}", e.id, kind.code());
    notifier.queue(
        conn,
        &owner,
        Outgoing {
            kind,
            event_key: &key,
            note,
            calendar: None,
        },
        now.naive_utc(),
    )?;
    Ok(())
}

/// The scheduler's job: expire and serve every site's waitlist.
pub fn serve_all(conn: &mut DbConn, notifier: &Notifier, now: DateTime<Utc>) -> Result<usize, ApiError> {
    let mut n = 0;
    for site_id in waitlist::sites_waiting(conn)? {
        backend::lock(conn, &[Lock::Site(site_id)])?;
        let site = crate::store::sites::by_id(conn, site_id)?;
        n += serve_waitlist(conn, &site, notifier, now)?.len();
    }
    Ok(n)
}
