//! The rows the reports of the quarterly check read (`workflows::reports`):
//! plain reads over a site and a period, no rules.

use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::instant::stored;
use crate::db::schema::{audit_log, booking_refusals, bookings, resources, waitlist};
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

/// A request refused because every fitting resource was taken.
pub struct Refused {
    pub site_id: i64,
    pub user_id: i64,
    pub kind: ResourceKind,
    /// The resource named, or none for a request to a pool.
    pub resource_id: Option<i64>,
    /// The time asked for.
    pub slot: Interval,
    pub at: chrono::DateTime<chrono::Utc>,
}

pub fn record_refusal(conn: &mut DbConn, r: &Refused) -> Result<(), ApiError> {
    diesel::insert_into(booking_refusals::table)
        .values((
            booking_refusals::site_id.eq(r.site_id),
            booking_refusals::user_id.eq(r.user_id),
            booking_refusals::resource_kind.eq(r.kind.code()),
            booking_refusals::resource_id.eq(r.resource_id),
            booking_refusals::starts_at.eq(stored(r.slot.start)),
            booking_refusals::ends_at.eq(stored(r.slot.end)),
            booking_refusals::created_at.eq(stored(r.at)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Whether this person's refusal for the same time was recorded already.
pub fn refusal_recorded(conn: &mut DbConn, r: &Refused) -> Result<bool, ApiError> {
    let mut same = booking_refusals::table
        .select(booking_refusals::id)
        .filter(booking_refusals::site_id.eq(r.site_id))
        .filter(booking_refusals::user_id.eq(r.user_id))
        .filter(booking_refusals::resource_kind.eq(r.kind.code()))
        .filter(booking_refusals::starts_at.eq(stored(r.slot.start)))
        .filter(booking_refusals::ends_at.eq(stored(r.slot.end)))
        .into_boxed();
    same = match r.resource_id {
        Some(id) => same.filter(booking_refusals::resource_id.eq(id)),
        None => same.filter(booking_refusals::resource_id.is_null()),
    };
    Ok(same.first::<i64>(conn).optional()?.is_some())
}

/// How many requests for a resource of `kind` were refused for want of a
/// free one, counted by the start of the time asked for.
pub fn refusals_starting(
    conn: &mut DbConn,
    site_id: i64,
    kind: ResourceKind,
    window: Interval,
) -> Result<i64, ApiError> {
    Ok(booking_refusals::table
        .filter(booking_refusals::site_id.eq(site_id))
        .filter(booking_refusals::resource_kind.eq(kind.code()))
        .filter(booking_refusals::starts_at.ge(stored(window.start)))
        .filter(booking_refusals::starts_at.lt(stored(window.end)))
        .count()
        .get_result(conn)?)
}
