//! Persistence: rows and the diesel queries over them, one file per table
//! group. Functions take `&mut DbConn` and run inside the caller's
//! transaction; none of them knows about HTTP.

pub mod access;
pub mod audit;
pub mod bookings;
pub mod calendar;
pub mod channels;
pub mod duties;
pub mod groups;
pub mod idempotency;
pub mod jobs;
pub mod outbox;
pub mod pagination;
pub mod reports;
pub mod resources;
pub mod rota;
pub mod secrets;
pub mod sessions;
pub mod sites;
pub mod users;
pub mod waitlist;

/// Runs `query` once per distinct id, in id order, and joins the rows.
/// Diesel never caches a statement with an `IN` list on SQLite, and parsing
/// and planning it again each time cost more than running it; one cached
/// statement per id (a handful: a pool, a site's resources) is cheaper.
pub fn per_id<T>(
    ids: &[i64],
    mut query: impl FnMut(i64) -> Result<Vec<T>, crate::errors::ApiError>,
) -> Result<Vec<T>, crate::errors::ApiError> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let mut found = Vec::new();
    for id in ids {
        found.extend(query(id)?);
    }
    Ok(found)
}
pub mod report_people;
