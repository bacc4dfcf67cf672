//! Making a booking: load -> lock -> decide -> write -> notify.
//!
//! The resources asked for are loaded first (their ids name the locks);
//! then the locks are taken; then everything that decides the request
//! (bookings in the way, the person's own seats, every quota) is read, so
//! two requests never decide on the same stale counts; `domain::booking::
//! decide` answers; this module writes what it says and queues the mail.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};

use super::{Skipped, conflict_views, refusal_error};
use crate::db::{DbConn, Lock, backend};
use crate::domain::availability;
use crate::domain::booking::{
    Booked, BookingRequest, BookingStatus, Decision, Offered, OnConflict, Refusal, Snapshot, Target, Urgency,
    decide,
};
use crate::domain::channel::Topic;
use crate::domain::interval::Interval;
use crate::domain::local_time::{local_date, local_day, local_week, to_local, week_start};
use crate::domain::recurrence::{self, SeriesEnd};
use crate::domain::resource::ResourceKind;
use crate::errors::ApiError;
use crate::mail::templates::Kind;
use crate::notify::Notifier;
use crate::notify::Recipient;
use crate::store::access::SiteAccess;
use crate::store::bookings::{self, Booking, NewBooking};
use crate::store::resources::{self, Resource};
use crate::store::{groups, idempotency, reports, users, waitlist};
use crate::workflows::priority;

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
    /// Nothing was free; the request waits in line, at this place (1: next).
    Waitlisted {
        entry: crate::store::waitlist::Entry,
        place: u32,
    },
}

/// The resources a request may land on.
fn offered_resources(conn: &mut DbConn, site_id: i64, target: &Target) -> Result<Vec<Resource>, ApiError> {
    match target {
        Target::Resource(id) => Ok(vec![resources::by_id(conn, site_id, *id)?]),
        Target::Pool(pool) => {
            let members = resources::pool_members(conn, site_id, pool)?;
            if members.is_empty() {
                return Err(ApiError::invalid(
                    "pool",
                    format!("this site has no pool called '{pool}'"),
                ));
            }
            Ok(members)
        }
    }
}

/// Ordinary bookings at one site run side by side, kept apart per person
/// and per resource. Whatever may change other people's bookings or the
/// waitlist (displacing, queueing, releasing no-shows and serving those
/// waiting) holds the whole site, and must take it now, not later: two
/// shared holders both waiting to upgrade would deadlock.
///
/// A resource that asks for check-in holds the whole site only when a
/// no-show on it is already due for release (`lapsed`, read before
/// locking): the ordinary booking of a computer or a desk does not queue
/// behind every other booking at its site.
fn locks_for(access: &SiteAccess, req: &BookingRequest, offered: &[Resource], lapsed: bool) -> Vec<Lock> {
    let site = if whole_site(req) || lapsed {
        Lock::Site(access.site.id)
    } else {
        Lock::SiteShared(access.site.id)
    };
    let mut locks = vec![site, Lock::Person(access.user_id)];
    locks.extend(offered.iter().map(|r| Lock::Resource(r.id)));
    locks
}

/// Requests that may move others or join the waitlist: they hold the site.
fn whole_site(req: &BookingRequest) -> bool {
    req.urgency > Urgency::Routine || req.on_conflict == OnConflict::Waitlist
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

    // Load what names the locks, and refuse early what no lock can change.
    let offered = offered_resources(conn, site_id, &req.target)?;
    for r in &offered {
        access.may_book(r.kind())?;
    }
    if let Some(group_id) = req.group_id {
        let group = groups::by_id(conn, site_id, group_id)
            .map_err(|_| ApiError::invalid("group_id", "no such group on this site"))?;
        access.may_book_for_group(group.leader_id)?;
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

    // Lock, then give back what nobody claimed: those already waiting are
    // served before this request is decided. Whether anything is due is
    // read first, unlocked, where the site lock would be shared (on
    // PostgreSQL; SQLite's one writer holds everything anyway).
    let lapsed =
        !whole_site(req) && backend::locks_matter(conn) && super::any_lapsed_on(conn, &offered, now)?;
    let site_lock = if whole_site(req) || lapsed || !backend::locks_matter(conn) {
        super::SiteLock::Held
    } else {
        super::SiteLock::Shared
    };
    backend::lock(conn, &locks_for(access, req, &offered, lapsed))?;
    let released = !super::release_unclaimed_on(conn, notifier, &offered, now, site_lock)?.is_empty();
    if released {
        priority::serve_waitlist(conn, &access.site, notifier, now)?;
    }

    // Load everything that decides, now that nobody else can change it.
    let ids: Vec<i64> = offered.iter().map(|r| r.id).collect();
    let rules: Vec<_> = offered.iter().map(Resource::rules).collect();
    let blackouts = resources::blackouts_within(conn, &ids, span)?;
    // Only the bookings that can decide are read: those meeting the time
    // asked for or the buffer after it and, for a pool, the rest of that
    // local day (use is spread evenly by the day's booked minutes).
    let pool_day = matches!(req.target, Target::Pool(_)).then(|| local_day(tz, span.start));
    let busy = bookings::active_within(conn, &ids, availability::deciding_window(span, &rules, pool_day))?;
    let own_seats = if offered[0].kind().is_personal() {
        bookings::personal_active_within(conn, access.user_id, span)?
            .iter()
            .map(|b| (b.resource_id, b.busy()))
            .collect()
    } else {
        Vec::new()
    };
    // A resource asked for by id still belongs to its pool: the weekly
    // quota counts over the pool, and those giving way may move to any of
    // its members. Read once, only when one of those needs it.
    let displacing = req.urgency > Urgency::Routine && req.recurrence.is_none();
    let quota = rules.iter().any(|r| r.max_bookings_per_user_per_week.is_some());
    let pool = match (&req.target, &offered[0].pool) {
        (Target::Resource(_), Some(pool)) if displacing || quota => {
            resources::pool_members(conn, site_id, pool)?
        }
        _ => offered.clone(),
    };
    // Moving those in the way elsewhere needs each resource's whole
    // neighbourhood: a booking in the way may run a day either side.
    let places = if displacing {
        let pool_ids: Vec<i64> = pool.iter().map(|r| r.id).collect();
        let around = Interval::of(span.start - Duration::days(1), span.end + Duration::days(1));
        let busy_around = bookings::active_within(conn, &pool_ids, around)?;
        let closed_around = resources::blackouts_within(conn, &pool_ids, around)?;
        priority::places(&pool.iter().collect::<Vec<_>>(), &closed_around, &busy_around)
    } else {
        Vec::new()
    };
    let urgent_used = if req.urgency == Urgency::Urgent {
        let n = bookings::urgent_claims(conn, site_id, access.user_id, local_week(tz, req.slot.start))?;
        u32::try_from(n).unwrap_or(u32::MAX)
    } else {
        0
    };
    let mut held_per_week = BTreeMap::new();
    if quota {
        let scope: Vec<i64> = pool.iter().map(|r| r.id).collect();
        for occ in &occurrences {
            let monday = week_start(local_date(tz, occ.start));
            if let std::collections::btree_map::Entry::Vacant(e) = held_per_week.entry(monday) {
                let held =
                    bookings::owner_starts_within(conn, access.user_id, &scope, local_week(tz, occ.start))?;
                e.insert(u32::try_from(held.len()).unwrap_or(u32::MAX));
            }
        }
    }
    let future_cap = access
        .site
        .max_future_bookings_per_person
        .and_then(|c| u32::try_from(c).ok());
    // Places in the waitlist count too: each may become a booking without
    // asking again, so a loop of waitlisted requests is held to the cap.
    let future_held = match future_cap {
        Some(_) => bookings::owner_future_count(conn, site_id, access.user_id, now)?.saturating_add(
            waitlist::owner_waiting_count(conn, site_id, access.user_id, now.naive_utc())?,
        ),
        None => 0,
    };
    let snapshot = Snapshot {
        tz,
        now,
        request: req,
        occurrences: &occurrences,
        offered: offered
            .iter()
            .zip(&rules)
            .map(|(r, rules)| Offered {
                id: r.id,
                kind: r.kind(),
                rules: rules.clone(),
                opening: r.opening(),
                capacity: r.capacity,
                retired: r.is_retired(),
                blackouts: blackouts
                    .iter()
                    .filter(|b| b.resource_id == r.id)
                    .map(|b| b.interval())
                    .collect(),
                busy: busy
                    .iter()
                    .filter(|b| b.resource_id == r.id)
                    .map(Booking::busy)
                    .collect(),
            })
            .collect(),
        own_seats,
        places,
        urgent_used,
        urgent_quota: u32::try_from(access.site.urgent_quota_per_week.max(0)).unwrap_or(0),
        held_per_week,
        future_held,
        future_cap,
        approval_waived: access.approval_waived(),
    };

    match decide(&snapshot) {
        // No free computer: the refusal is answered and remembered (the
        // computers report counts who went without); other refusals are the
        // request's own mistakes, or not counted, and leave nothing behind.
        Decision::Refuse(refusal @ Refusal::Taken { .. }) if offered[0].kind() == ResourceKind::Computer => {
            let named = match req.target {
                Target::Resource(id) => Some(id),
                Target::Pool(_) => None,
            };
            let refused = reports::Refused {
                site_id,
                user_id: access.user_id,
                kind: offered[0].kind(),
                resource_id: named,
                slot: req.slot,
                at: now,
            };
            // One person asking again for the same time (a retry, a second
            // tap) is one request refused, not two.
            if reports::refusal_recorded(conn, &refused)? {
                return Err(refusal_error(conn, access, refusal)?);
            }
            // A count for the reports, not a promise to anyone: it need not
            // wait for the disk while the computer's lock is held, unless
            // this transaction also released no-shows and served the
            // waitlist, which are promises.
            if !released {
                backend::commit_without_waiting_for_disk(conn)?;
            }
            reports::record_refusal(conn, &refused)?;
            Err(refusal_error(conn, access, refusal)?.keeping_writes())
        }
        Decision::Refuse(refusal) => Err(refusal_error(conn, access, refusal)?),
        Decision::Queue { resource_id } => {
            let resource = offered.iter().find(|r| r.id == resource_id).expect("offered");
            let entry = priority::queue_request(conn, access, req, resource, notifier, now)?;
            let place = crate::workflows::waitlist::places_in_line(conn, site_id)?
                .get(&entry.id)
                .copied()
                .unwrap_or(1);
            Ok(Outcome::Waitlisted { entry, place })
        }
        Decision::Book(booked) => {
            let chosen = Chosen {
                resource: offered
                    .iter()
                    .find(|r| r.id == booked.resource_id)
                    .expect("offered"),
                occurrences: &occurrences,
                booked,
            };
            write(conn, access, req, chosen, notifier, now).map(Outcome::Created)
        }
    }
}

/// What the decision chose: the resource, and which occurrences.
struct Chosen<'a> {
    resource: &'a Resource,
    occurrences: &'a [Interval],
    booked: Booked,
}

/// Writes a decision to book: the series, those giving way, the bookings,
/// where the displaced went, the audit trail and the mail.
fn write(
    conn: &mut DbConn,
    access: &SiteAccess,
    req: &BookingRequest,
    chosen: Chosen<'_>,
    notifier: &Notifier,
    now: DateTime<Utc>,
) -> Result<Created, ApiError> {
    let Chosen {
        resource,
        occurrences,
        booked,
    } = chosen;
    let tz = access.site.tz();
    let series_id = match req.recurrence {
        Some(rule) => {
            let local = to_local(tz, req.slot.start);
            let pattern = serde_json::json!({
                "weekly": match rule.end {
                    SeriesEnd::Count(n) => serde_json::json!({"count": n, "every": rule.every_weeks}),
                    SeriesEnd::Until(d) => serde_json::json!({"until": d, "every": rule.every_weeks}),
                },
                "weekday": crate::domain::local_time::weekday_name(chrono::Datelike::weekday(&local.date())),
                "start": local.format("%H:%M").to_string(),
                "end": to_local(tz, req.slot.end).format("%H:%M").to_string(),
                "timezone": tz.name(),
            });
            Some(bookings::insert_series(
                conn,
                access.site.id,
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
    let victims = match &booked.displace {
        Some(plan) => priority::end_victims(conn, access, plan, now)?,
        None => Vec::new(),
    };
    let buffer = Duration::minutes(i64::from(resource.rules().buffer_minutes));
    let mut made = Vec::with_capacity(booked.book.len());
    for i in &booked.book {
        let slot = occurrences[*i];
        made.push(bookings::insert(
            conn,
            &NewBooking {
                site_id: access.site.id,
                resource_id: resource.id,
                owner_id: access.user_id,
                group_id: req.group_id,
                series_id,
                slot,
                busy_until: (slot.end + buffer).naive_utc(),
                status: booked.status,
                urgency: req.urgency,
                reason: req.reason.clone(),
                purpose: req.purpose.clone(),
                headcount: req.headcount,
                flexible: req.flexible,
            },
            now.naive_utc(),
        )?);
    }
    let displaced = match &booked.displace {
        Some(plan) => {
            let displacing = priority::Displacing {
                booked: &made[0],
                plan,
                victims: &victims,
            };
            priority::relocate(conn, access, req, displacing, notifier, now)?
        }
        None => Vec::new(),
    };
    priority::audit_use(conn, access, req, &made, now)?;
    notifier.announce_bookings(conn, &access.site, Topic::BookingCreated, &made, now.naive_utc())?;
    let to_requester = Recipient {
        site: &access.site,
        resource,
        owner: &access.caller,
    };
    let taken: Vec<Interval> = booked.skipped.iter().map(|(i, _)| occurrences[*i]).collect();
    if booked.status == BookingStatus::Confirmed {
        notifier.series_booked(
            conn,
            &to_requester,
            Kind::BookingConfirmed,
            &made,
            &taken,
            now.naive_utc(),
        )?;
    } else {
        // A request waiting for approval: its requester knows the time is
        // held, and the admins that someone waits for them.
        notifier.series_booked(
            conn,
            &to_requester,
            Kind::BookingPending,
            &made,
            &taken,
            now.naive_utc(),
        )?;
        for (admin, membership) in users::members_of_site(conn, access.site.id, 0, 10_000)? {
            if membership.is_admin && admin.id != access.user_id {
                let to_admin = Recipient {
                    site: &access.site,
                    resource,
                    owner: &admin,
                };
                notifier.approval_requested(conn, &to_admin, &access.caller, &made, now.naive_utc())?;
            }
        }
    }
    let mut skipped = Vec::with_capacity(booked.skipped.len());
    for (i, clashes) in booked.skipped {
        skipped.push(Skipped {
            starts_at: occurrences[i].start,
            ends_at: occurrences[i].end,
            conflicts: conflict_views(conn, access, clashes)?,
        });
    }
    Ok(Created {
        bookings: made,
        series_id,
        skipped,
        displaced,
    })
}

/// A retry's key: the same key with the same request gets the first answer.
pub struct IdempotencyKey {
    pub key: String,
    /// SHA-256 of the request's canonical JSON, hex.
    pub request_hash: String,
}

impl IdempotencyKey {
    /// Serialises a person's requests with one key, across instances.
    fn lock(&self, user_id: i64) -> Lock {
        let digest = Sha256::digest(format!("{user_id}:{}", self.key).as_bytes());
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        Lock::Idempotency(i64::from_le_bytes(first))
    }
}

/// An answer as sent: status and body.
pub struct Answer {
    pub status: u16,
    pub body: String,
    /// The first answer to an earlier request with the same key.
    pub replayed: bool,
}

/// [`create`], at most once per idempotency key: a retry with the same key
/// and request gets the first answer (rendered by `render`) again; the
/// same key with another request is refused.
pub fn create_once(
    conn: &mut DbConn,
    access: &SiteAccess,
    key: Option<&IdempotencyKey>,
    req: &BookingRequest,
    notifier: &Notifier,
    now: DateTime<Utc>,
    render: impl FnOnce(&mut DbConn, Outcome) -> Result<(u16, String), ApiError>,
) -> Result<Answer, ApiError> {
    let scope = idempotency::Scope {
        user_id: access.user_id,
        site_id: access.site.id,
    };
    if let Some(k) = key {
        backend::lock(conn, &[k.lock(access.user_id)])?;
        if let Some(stored) = idempotency::find(conn, scope, &k.key)? {
            if stored.request_hash != k.request_hash {
                return Err(ApiError::invalid(
                    "Idempotency-Key",
                    "this key was already used with a different request",
                ));
            }
            return Ok(Answer {
                status: u16::try_from(stored.status_code).unwrap_or(200),
                body: stored.response,
                replayed: true,
            });
        }
    }
    let outcome = create(conn, access, req, notifier, now)?;
    let (status, body) = render(conn, outcome)?;
    if let Some(k) = key {
        idempotency::store(
            conn,
            scope,
            &k.key,
            &k.request_hash,
            i32::from(status),
            &body,
            now.naive_utc(),
        )?;
    }
    Ok(Answer {
        status,
        body,
        replayed: false,
    })
}
