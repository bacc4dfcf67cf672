//! Reading and leaving the waitlist. Joining it and being served from it happen in
//! `priority`, where a booking is refused or a place frees up.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;

use crate::db::{DbConn, Lock, backend};
use crate::domain::priority::{Waiting, place_in_line};
use crate::errors::ApiError;
use crate::store::access::SiteAccess;
use crate::store::resources;
use crate::store::waitlist::{self, Entry};

/// Cancels waitlist entry `id` (its owner or an admin). The site lock keeps
/// a serving of the waitlist from handing the place to the entry while it
/// is being cancelled.
pub fn leave(conn: &mut DbConn, access: &SiteAccess, id: i64, now: NaiveDateTime) -> Result<(), ApiError> {
    backend::lock(conn, &[Lock::Site(access.site.id)])?;
    let entry = waitlist::by_id(conn, access.site.id, id)?;
    // Someone else's entry is not theirs to see.
    if !access.sees_waiting_request(entry.owner_id) {
        return Err(ApiError::not_found("waitlist entry"));
    }
    if !waitlist::end(conn, entry.id, "cancelled", None, now)? {
        return Err(ApiError::conflict(format!(
            "This entry is already {}.",
            entry.status
        )));
    }
    Ok(())
}

/// The waiting requests the caller may see, with the place in line of
/// those still waiting: an admin sees the site's, anyone else their own.
pub fn visible(
    conn: &mut DbConn,
    access: &SiteAccess,
    status: Option<&str>,
    after_id: i64,
    limit: i64,
) -> Result<Vec<(Entry, Option<u32>)>, ApiError> {
    let owner = (!access.sees_every_waiting_request()).then_some(access.user_id);
    let entries = waitlist::list(conn, access.site.id, owner, status, after_id, limit)?;
    let places = if entries.iter().any(|e| e.status == "waiting") {
        places_in_line(conn, access.site.id)?
    } else {
        BTreeMap::new()
    };
    Ok(entries
        .into_iter()
        .map(|e| {
            let place = places.get(&e.id).copied();
            (e, place)
        })
        .collect())
}

/// Each waiting request's place in line at the site (see
/// `domain::priority::place_in_line`), by entry id.
pub fn places_in_line(conn: &mut DbConn, site_id: i64) -> Result<BTreeMap<i64, u32>, ApiError> {
    let entries = waitlist::waiting(conn, site_id)?;
    // A pool's members are read once, however many wait for it.
    let mut pools: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    let mut line = Vec::with_capacity(entries.len());
    for e in &entries {
        let resource_ids = match (&e.resource_id, &e.pool) {
            (Some(id), _) => vec![*id],
            (None, Some(pool)) => {
                if !pools.contains_key(pool) {
                    let ids = resources::pool_members(conn, site_id, pool)?
                        .iter()
                        .map(|r| r.id)
                        .collect();
                    pools.insert(pool.clone(), ids);
                }
                pools[pool].clone()
            }
            (None, None) => Vec::new(),
        };
        line.push(Waiting {
            entry_id: e.id,
            urgency: e.urgency(),
            requested_at: e.requested_at.and_utc(),
            resource_ids,
            slot: e.slot(),
            latest_start: e.latest_start.and_utc(),
        });
    }
    Ok(line
        .iter()
        .filter_map(|w| place_in_line(w.entry_id, &line).map(|p| (w.entry_id, p)))
        .collect())
}
