//! The rows the reports of the quarterly check read (`workflows::reports`):
//! plain reads over a site and a period, no rules.

use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::instant::stored;
use crate::db::schema::{audit_log, bookings, resources, waitlist};
use crate::domain::interval::Interval;
use crate::domain::resource::ResourceKind;
use crate::errors::ApiError;
use crate::store::bookings::Booking;
use crate::store::resources::Resource;
use crate::store::waitlist::Entry;

/// The site's resources of `kind` not retired before `window` starts
/// (retired ones included while they served), in name order.
pub fn resources_serving(
    conn: &mut DbConn,
    site_id: i64,
    kind: ResourceKind,
    window: Interval,
) -> Result<Vec<Resource>, ApiError> {
    Ok(resources::table
        .filter(resources::site_id.eq(site_id))
        .filter(resources::kind.eq(kind.code()))
        .filter(
            resources::retired_at
                .is_null()
                .or(resources::retired_at.gt(stored(window.start))),
        )
        .order((resources::name, resources::id))
        .select(Resource::as_select())
        .load(conn)?)
}

/// The site's bookings of resources of `kind` whose slot meets `window`,
/// in any status (the report decides what counts).
pub fn bookings_meeting(
    conn: &mut DbConn,
    site_id: i64,
    kind: ResourceKind,
    window: Interval,
) -> Result<Vec<Booking>, ApiError> {
    Ok(bookings::table
        .inner_join(resources::table)
        .filter(bookings::site_id.eq(site_id))
        .filter(resources::kind.eq(kind.code()))
        .filter(bookings::starts_at.lt(stored(window.end)))
        .filter(bookings::ends_at.gt(stored(window.start)))
        .order((bookings::starts_at, bookings::id))
        .select(Booking::as_select())
        .load(conn)?)
}

/// The site's waitlist entries that joined inside `window`.
pub fn waitlist_joined(conn: &mut DbConn, site_id: i64, window: Interval) -> Result<Vec<Entry>, ApiError> {
    Ok(waitlist::table
        .filter(waitlist::site_id.eq(site_id))
        .filter(waitlist::created_at.ge(stored(window.start)))
        .filter(waitlist::created_at.lt(stored(window.end)))
        .order(waitlist::id)
        .select(Entry::as_select())
        .load(conn)?)
}

/// The urgency recorded for each displacement (audit `preemption`) inside
/// `window` of a booking of a resource of `kind`.
pub fn displacements(
    conn: &mut DbConn,
    site_id: i64,
    kind: ResourceKind,
    window: Interval,
) -> Result<Vec<Option<String>>, ApiError> {
    Ok(audit_log::table
        .inner_join(bookings::table.on(audit_log::other_booking_id.eq(bookings::id.nullable())))
        .inner_join(resources::table.on(resources::id.eq(bookings::resource_id)))
        .filter(audit_log::site_id.eq(site_id))
        .filter(audit_log::action.eq("preemption"))
        .filter(resources::kind.eq(kind.code()))
        .filter(audit_log::at.ge(stored(window.start)))
        .filter(audit_log::at.lt(stored(window.end)))
        .order(audit_log::id)
        .select(audit_log::urgency)
        .load(conn)?)
}
