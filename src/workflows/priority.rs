//! Applying the priority rules: the urgent quota, displacing bookings for a
//! more urgent request (moving them, or queueing them), the waitlist, and
//! the audit trail. The decisions come from `domain::priority`; this module
//! loads the snapshot it needs and writes the outcome in the caller's
//! transaction.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::db::{DbConn, Lock, backend};
use crate::domain::booking::{BookingRequest, BookingStatus, Target, Urgency};
use crate::domain::interval::Interval;
use crate::domain::priority::{Fate, Occupant, Place, Plan, Waiting, plan_waitlist};
use crate::errors::ApiError;
use crate::notify::Notifier;
use crate::store::access::SiteAccess;
use crate::store::audit::{self, NewAudit};
use crate::store::bookings::{self, Booking, NewBooking};
use crate::store::resources::{self, Blackout, Resource};
use crate::store::sites::Site;
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
            occupants: busy
                .iter()
                .filter(|b| b.resource_id == r.id)
                .map(|b| Occupant {
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
        let b = bookings::by_id(conn, access.site.id, d.booking_id)?;
        if !bookings::end_displaced(conn, b.id, access.user_id, now.naive_utc())? {
            return Err(ApiError::conflict(
                "The booking to displace changed meanwhile; try again.",
            ));
        }
        victims.push(b);
    }
    Ok(victims)
}

/// A request just booked over the bookings it displaced.
pub struct Displacing<'a> {
    /// The request's (first) booking.
    pub booked: &'a Booking,
    pub plan: &'a Plan,
    /// The bookings ended for it, in the plan's order.
    pub victims: &'a [Booking],
}

/// Moves or queues the victims after the request was booked, tells their
/// owners why, and records it all.
pub fn relocate(
    conn: &mut DbConn,
    access: &SiteAccess,
    req: &BookingRequest,
    displacing: Displacing<'_>,
    notifier: &Notifier,
    now: DateTime<Utc>,
) -> Result<Vec<DisplacedView>, ApiError> {
    let Displacing {
        booked,
        plan,
        victims,
    } = displacing;
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
                let moved = bookings::insert(
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
                notifier.displaced(
                    conn,
                    &access.site,
                    victim,
                    &d.outcome,
                    Some(&moved),
                    req,
                    now.naive_utc(),
                )?;
                notifier.announce_displaced(
                    conn,
                    &access.site,
                    victim,
                    req.urgency,
                    Some((*resource_id, *slot)),
                    now.naive_utc(),
                )?;
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
                notifier.displaced(conn, &access.site, victim, &d.outcome, None, req, now.naive_utc())?;
                notifier.announce_displaced(
                    conn,
                    &access.site,
                    victim,
                    req.urgency,
                    None,
                    now.naive_utc(),
                )?;
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
                notifier.waitlist_expired(conn, site, &e, now.naive_utc())?;
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
    let busy = bookings::active_within(conn, &ids, span)?;
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
        let b = bookings::insert(
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
        notifier.waitlist_served(conn, site, e, &b, now.naive_utc())?;
        booked.push(b);
    }
    Ok(booked)
}

/// The scheduler's job: expire and serve every site's waitlist.
pub fn serve_all(conn: &mut DbConn, notifier: &Notifier, now: DateTime<Utc>) -> Result<usize, ApiError> {
    let mut n = 0;
    for site_id in sites_waiting(conn, now)? {
        n += serve_at(conn, notifier, site_id, now)?;
    }
    Ok(n)
}

/// Sites with someone waiting (the serving job takes each in a
/// transaction of its own).
pub fn sites_waiting(conn: &mut DbConn, _now: DateTime<Utc>) -> Result<Vec<i64>, ApiError> {
    waitlist::sites_waiting(conn)
}

/// Expires and serves one site's waitlist under the site's lock.
pub fn serve_at(
    conn: &mut DbConn,
    notifier: &Notifier,
    site_id: i64,
    now: DateTime<Utc>,
) -> Result<usize, ApiError> {
    backend::lock(conn, &[Lock::Site(site_id)])?;
    let site = crate::store::sites::by_id(conn, site_id)?;
    Ok(serve_waitlist(conn, &site, notifier, now)?.len())
}
