//! The audit trail: every preemption, relocation, waitlist service and
//! urgent or emergency use, with who, when and why. The sub-district
//! office's quarterly check reads it.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::{audit_log, bookings, resources, users};
use crate::errors::ApiError;

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = audit_log)]
pub struct AuditEntry {
    pub id: i64,
    pub site_id: i64,
    pub at: NaiveDateTime,
    pub actor_id: Option<i64>,
    pub action: String,
    pub booking_id: Option<i64>,
    pub other_booking_id: Option<i64>,
    pub subject_user_id: Option<i64>,
    pub urgency: Option<String>,
    pub reason: Option<String>,
    pub details: String,
}

/// One event to record.
#[derive(Default)]
pub struct NewAudit<'a> {
    pub site_id: i64,
    pub actor_id: Option<i64>,
    /// `preemption`, `relocation`, `waitlisted`, `waitlist_served`,
    /// `waitlist_expired`, `urgent_use`, `emergency_use`.
    pub action: &'a str,
    pub booking_id: Option<i64>,
    pub other_booking_id: Option<i64>,
    /// The person the event happened to (a displaced owner).
    pub subject_user_id: Option<i64>,
    pub urgency: Option<&'a str>,
    pub reason: Option<&'a str>,
    pub details: String,
}

pub fn record(conn: &mut DbConn, e: &NewAudit<'_>, now: NaiveDateTime) -> Result<(), ApiError> {
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::site_id.eq(e.site_id),
            audit_log::at.eq(now),
            audit_log::actor_id.eq(e.actor_id),
            audit_log::action.eq(e.action),
            audit_log::booking_id.eq(e.booking_id),
            audit_log::other_booking_id.eq(e.other_booking_id),
            audit_log::subject_user_id.eq(e.subject_user_id),
            audit_log::urgency.eq(e.urgency),
            audit_log::reason.eq(e.reason),
            audit_log::details.eq(&e.details),
        ))
        .execute(conn)?;
    Ok(())
}

pub struct AuditFilter {
    /// Entries where this person acted or was affected.
    pub user_id: Option<i64>,
    /// Entries whose booking (or the booking it displaced) is on this
    /// resource.
    pub resource_id: Option<i64>,
    pub action: Option<String>,
    pub from: NaiveDateTime,
    pub to: NaiveDateTime,
    /// Oldest first: entries after this id. Newest first: entries before
    /// it (0: from the newest).
    pub after_id: i64,
    pub newest_first: bool,
    pub limit: i64,
}

/// An entry with its actor's, its subject's and its resource's names.
pub struct NamedEntry {
    pub entry: AuditEntry,
    pub actor: Option<String>,
    pub subject: Option<String>,
    /// The resource of the entry's booking (the one made, or moved to).
    pub resource_id: Option<i64>,
    pub resource: Option<String>,
    /// That booking's start and end (UTC).
    pub slot: Option<(NaiveDateTime, NaiveDateTime)>,
}

/// Entries with the actor's, the subject's and the resource's names.
pub fn list(conn: &mut DbConn, site_id: i64, f: &AuditFilter) -> Result<Vec<NamedEntry>, ApiError> {
    let mut q = audit_log::table
        .filter(audit_log::site_id.eq(site_id))
        .filter(audit_log::at.ge(f.from))
        .filter(audit_log::at.lt(f.to))
        .limit(f.limit)
        .select(AuditEntry::as_select())
        .into_boxed();
    q = if f.newest_first {
        let q = q.order(audit_log::id.desc());
        if f.after_id > 0 {
            q.filter(audit_log::id.lt(f.after_id))
        } else {
            q
        }
    } else {
        q.order(audit_log::id).filter(audit_log::id.gt(f.after_id))
    };
    if let Some(u) = f.user_id {
        q = q.filter(audit_log::actor_id.eq(u).or(audit_log::subject_user_id.eq(u)));
    }
    if let Some(r) = f.resource_id {
        let on = |r: i64| {
            bookings::table
                .filter(bookings::site_id.eq(site_id))
                .filter(bookings::resource_id.eq(r))
                .select(bookings::id.nullable())
        };
        q = q.filter(
            audit_log::booking_id
                .eq_any(on(r))
                .or(audit_log::other_booking_id.eq_any(on(r))),
        );
    }
    if let Some(a) = &f.action {
        q = q.filter(audit_log::action.eq(a.clone()));
    }
    let rows: Vec<AuditEntry> = q.load(conn)?;
    let ids: Vec<i64> = rows
        .iter()
        .flat_map(|r| [r.actor_id, r.subject_user_id])
        .flatten()
        .collect();
    let names: std::collections::HashMap<i64, String> = users::table
        .filter(users::id.eq_any(&ids))
        .select((users::id, users::name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    let booking_ids: Vec<i64> = rows
        .iter()
        .filter_map(|r| r.booking_id.or(r.other_booking_id))
        .collect();
    type OnResource = (i64, String, NaiveDateTime, NaiveDateTime);
    let on_resource: std::collections::HashMap<i64, OnResource> = bookings::table
        .inner_join(resources::table.on(resources::id.eq(bookings::resource_id)))
        .filter(bookings::id.eq_any(&booking_ids))
        .select((
            bookings::id,
            resources::id,
            resources::name,
            bookings::starts_at,
            bookings::ends_at,
        ))
        .load::<(i64, i64, String, NaiveDateTime, NaiveDateTime)>(conn)?
        .into_iter()
        .map(|(b, r, name, start, end)| (b, (r, name, start, end)))
        .collect();
    Ok(rows
        .into_iter()
        .map(|r| {
            let actor = r.actor_id.and_then(|id| names.get(&id).cloned());
            let subject = r.subject_user_id.and_then(|id| names.get(&id).cloned());
            let resource = r
                .booking_id
                .or(r.other_booking_id)
                .and_then(|b| on_resource.get(&b).cloned());
            NamedEntry {
                entry: r,
                actor,
                subject,
                resource_id: resource.as_ref().map(|(id, ..)| *id),
                slot: resource.as_ref().map(|(_, _, start, end)| (*start, *end)),
                resource: resource.map(|(_, name, ..)| name),
            }
        })
        .collect())
}
