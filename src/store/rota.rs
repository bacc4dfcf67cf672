//! The rota: templates, unavailability, shifts, versions, swaps, and
//! personal calendar feed tokens.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::instant::stored;
use crate::db::schema::{
    feed_tokens, rota_shifts, rota_swaps, rota_templates, rota_versions, staff_unavailability,
};
use crate::domain::interval::Interval;
use crate::errors::ApiError;

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = rota_templates)]
pub struct Template {
    pub id: i64,
    pub site_id: i64,
    pub weekday: i32,
    pub start_minute: i32,
    pub end_minute: i32,
    pub positions: i32,
    pub label: String,
    pub desk_pool: Option<String>,
}

impl Template {
    /// A stable name for the shifts it makes, so regenerating finds them.
    pub fn key(&self) -> String {
        format!(
            "{}-{}-{}-{}",
            self.weekday, self.start_minute, self.end_minute, self.label
        )
    }
}

pub struct NewTemplate {
    pub weekday: i32,
    pub start_minute: i32,
    pub end_minute: i32,
    pub positions: i32,
    pub label: String,
    pub desk_pool: Option<String>,
}

pub fn replace_templates(
    conn: &mut DbConn,
    site_id: i64,
    list: &[NewTemplate],
) -> Result<Vec<Template>, ApiError> {
    diesel::delete(rota_templates::table.filter(rota_templates::site_id.eq(site_id))).execute(conn)?;
    for t in list {
        diesel::insert_into(rota_templates::table)
            .values((
                rota_templates::site_id.eq(site_id),
                rota_templates::weekday.eq(t.weekday),
                rota_templates::start_minute.eq(t.start_minute),
                rota_templates::end_minute.eq(t.end_minute),
                rota_templates::positions.eq(t.positions),
                rota_templates::label.eq(&t.label),
                rota_templates::desk_pool.eq(&t.desk_pool),
            ))
            .execute(conn)?;
    }
    templates(conn, site_id)
}

pub fn templates(conn: &mut DbConn, site_id: i64) -> Result<Vec<Template>, ApiError> {
    Ok(rota_templates::table
        .filter(rota_templates::site_id.eq(site_id))
        .order(rota_templates::id)
        .select(Template::as_select())
        .load(conn)?)
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = staff_unavailability)]
pub struct Unavailability {
    pub id: i64,
    pub site_id: i64,
    pub user_id: i64,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub reason: String,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
}

pub fn insert_unavailability(
    conn: &mut DbConn,
    site_id: i64,
    user_id: i64,
    period: Interval,
    reason: &str,
    by: i64,
    now: NaiveDateTime,
) -> Result<Unavailability, ApiError> {
    let id: i64 = diesel::insert_into(staff_unavailability::table)
        .values((
            staff_unavailability::site_id.eq(site_id),
            staff_unavailability::user_id.eq(user_id),
            staff_unavailability::starts_at.eq(stored(period.start)),
            staff_unavailability::ends_at.eq(stored(period.end)),
            staff_unavailability::reason.eq(reason),
            staff_unavailability::created_by.eq(Some(by)),
            staff_unavailability::created_at.eq(now),
        ))
        .returning(staff_unavailability::id)
        .get_result(conn)?;
    Ok(staff_unavailability::table
        .find(id)
        .select(Unavailability::as_select())
        .first(conn)?)
}

/// Unavailability of a site's staff that meets `window`.
pub fn unavailability_within(
    conn: &mut DbConn,
    site_id: i64,
    window: Interval,
) -> Result<Vec<Unavailability>, ApiError> {
    Ok(staff_unavailability::table
        .filter(staff_unavailability::site_id.eq(site_id))
        .filter(staff_unavailability::starts_at.lt(stored(window.end)))
        .filter(staff_unavailability::ends_at.gt(stored(window.start)))
        .order(staff_unavailability::starts_at)
        .select(Unavailability::as_select())
        .load(conn)?)
}

/// Unavailability `id` of site `site_id`.
pub fn unavailability_by_id(
    conn: &mut DbConn,
    site_id: i64,
    id: i64,
) -> Result<Option<Unavailability>, ApiError> {
    Ok(staff_unavailability::table
        .filter(staff_unavailability::id.eq(id))
        .filter(staff_unavailability::site_id.eq(site_id))
        .select(Unavailability::as_select())
        .first(conn)
        .optional()?)
}

pub fn delete_unavailability(conn: &mut DbConn, id: i64) -> Result<(), ApiError> {
    diesel::delete(staff_unavailability::table.find(id)).execute(conn)?;
    Ok(())
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = rota_shifts)]
pub struct Shift {
    pub id: i64,
    pub site_id: i64,
    pub date: NaiveDate,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub label: String,
    pub positions: i32,
    pub desk_pool: Option<String>,
    pub template_key: String,
    pub assignees: String,
    pub published_assignees: Option<String>,
    pub published_version: Option<i32>,
    pub offered_by: Option<i64>,
    pub offered_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

/// Staff ids from their stored form ("3,5").
pub fn ids(text: &str) -> Vec<i64> {
    let mut v: Vec<i64> = text.split(',').filter_map(|s| s.trim().parse().ok()).collect();
    v.sort_unstable();
    v.dedup();
    v
}

pub fn ids_text(ids: &[i64]) -> String {
    let mut v = ids.to_vec();
    v.sort_unstable();
    v.dedup();
    v.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

impl Shift {
    pub fn interval(&self) -> Interval {
        Interval::of(self.starts_at.and_utc(), self.ends_at.and_utc())
    }

    pub fn draft(&self) -> Vec<i64> {
        ids(&self.assignees)
    }

    pub fn published(&self) -> Option<Vec<i64>> {
        self.published_assignees.as_deref().map(ids)
    }
}

pub struct NewShift<'a> {
    pub date: NaiveDate,
    pub slot: Interval,
    pub label: &'a str,
    pub positions: i32,
    pub desk_pool: Option<&'a str>,
    pub template_key: &'a str,
}

/// Removes a shift (its swaps go with it); its desk bookings, ended by
/// the caller, keep their history.
pub fn delete_shift(conn: &mut DbConn, id: i64) -> Result<(), ApiError> {
    diesel::delete(rota_shifts::table.find(id)).execute(conn)?;
    Ok(())
}

/// Creates the shift unless it exists; returns it either way.
pub fn ensure_shift(
    conn: &mut DbConn,
    site_id: i64,
    s: &NewShift<'_>,
    now: NaiveDateTime,
) -> Result<Shift, ApiError> {
    let existing = rota_shifts::table
        .filter(rota_shifts::site_id.eq(site_id))
        .filter(rota_shifts::date.eq(s.date))
        .filter(rota_shifts::template_key.eq(s.template_key))
        .select(Shift::as_select())
        .first(conn)
        .optional()?;
    if let Some(shift) = existing {
        return Ok(shift);
    }
    let id: i64 = diesel::insert_into(rota_shifts::table)
        .values((
            rota_shifts::site_id.eq(site_id),
            rota_shifts::date.eq(s.date),
            rota_shifts::starts_at.eq(stored(s.slot.start)),
            rota_shifts::ends_at.eq(stored(s.slot.end)),
            rota_shifts::label.eq(s.label),
            rota_shifts::positions.eq(s.positions),
            rota_shifts::desk_pool.eq(s.desk_pool),
            rota_shifts::template_key.eq(s.template_key),
            rota_shifts::created_at.eq(now),
        ))
        .returning(rota_shifts::id)
        .get_result(conn)?;
    shift_by_id(conn, site_id, id)
}

pub fn shift_by_id(conn: &mut DbConn, site_id: i64, id: i64) -> Result<Shift, ApiError> {
    rota_shifts::table
        .filter(rota_shifts::id.eq(id))
        .filter(rota_shifts::site_id.eq(site_id))
        .select(Shift::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found("shift"))
}

/// Shifts of a site on local dates `from..=to`, in start order.
pub fn shifts_between(
    conn: &mut DbConn,
    site_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Shift>, ApiError> {
    Ok(rota_shifts::table
        .filter(rota_shifts::site_id.eq(site_id))
        .filter(rota_shifts::date.ge(from))
        .filter(rota_shifts::date.le(to))
        .order((rota_shifts::starts_at, rota_shifts::id))
        .select(Shift::as_select())
        .load(conn)?)
}

/// Published shifts of a site between two dates (history for fairness).
pub fn published_between(
    conn: &mut DbConn,
    site_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Shift>, ApiError> {
    Ok(rota_shifts::table
        .filter(rota_shifts::site_id.eq(site_id))
        .filter(rota_shifts::date.ge(from))
        .filter(rota_shifts::date.le(to))
        .filter(rota_shifts::published_version.is_not_null())
        .order((rota_shifts::starts_at, rota_shifts::id))
        .select(Shift::as_select())
        .load(conn)?)
}

/// Open swap offers of shifts starting before `before` (for flagging).
pub fn offered_before(conn: &mut DbConn, before: NaiveDateTime) -> Result<Vec<Shift>, ApiError> {
    Ok(rota_shifts::table
        .filter(rota_shifts::offered_by.is_not_null())
        .filter(rota_shifts::starts_at.le(before))
        .select(Shift::as_select())
        .load(conn)?)
}

pub fn set_draft(conn: &mut DbConn, id: i64, assignees: &[i64]) -> Result<(), ApiError> {
    diesel::update(rota_shifts::table.find(id))
        .set(rota_shifts::assignees.eq(ids_text(assignees)))
        .execute(conn)?;
    Ok(())
}

pub fn set_published(conn: &mut DbConn, id: i64, assignees: &[i64], version: i32) -> Result<(), ApiError> {
    diesel::update(rota_shifts::table.find(id))
        .set((
            rota_shifts::assignees.eq(ids_text(assignees)),
            rota_shifts::published_assignees.eq(Some(ids_text(assignees))),
            rota_shifts::published_version.eq(Some(version)),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn set_offer(
    conn: &mut DbConn,
    id: i64,
    by: Option<i64>,
    at: Option<NaiveDateTime>,
) -> Result<(), ApiError> {
    diesel::update(rota_shifts::table.find(id))
        .set((rota_shifts::offered_by.eq(by), rota_shifts::offered_at.eq(at)))
        .execute(conn)?;
    Ok(())
}

/// The next version number of a site's published rota.
pub fn next_version(conn: &mut DbConn, site_id: i64) -> Result<i32, ApiError> {
    let max: Option<i32> = rota_versions::table
        .filter(rota_versions::site_id.eq(site_id))
        .select(diesel::dsl::max(rota_versions::version))
        .first(conn)?;
    Ok(max.unwrap_or(0) + 1)
}

/// One publication of a site's rota.
pub struct NewVersion {
    pub site_id: i64,
    pub version: i32,
    /// The local dates it covers.
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// How many shifts changed from the version before.
    pub changed: i32,
    pub by: i64,
}

pub fn insert_version(conn: &mut DbConn, v: &NewVersion, now: NaiveDateTime) -> Result<(), ApiError> {
    diesel::insert_into(rota_versions::table)
        .values((
            rota_versions::site_id.eq(v.site_id),
            rota_versions::version.eq(v.version),
            rota_versions::from_date.eq(v.from),
            rota_versions::to_date.eq(v.to),
            rota_versions::changed.eq(v.changed),
            rota_versions::published_by.eq(Some(v.by)),
            rota_versions::published_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = rota_swaps)]
pub struct Swap {
    pub id: i64,
    pub shift_id: i64,
    pub from_user: i64,
    pub to_user: Option<i64>,
    pub offered_at: NaiveDateTime,
    pub taken_at: Option<NaiveDateTime>,
    pub flagged_at: Option<NaiveDateTime>,
}

pub fn insert_swap(
    conn: &mut DbConn,
    shift_id: i64,
    from_user: i64,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    diesel::insert_into(rota_swaps::table)
        .values((
            rota_swaps::shift_id.eq(shift_id),
            rota_swaps::from_user.eq(from_user),
            rota_swaps::offered_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Records who took the open offer on a shift.
pub fn take_swap(conn: &mut DbConn, shift_id: i64, to_user: i64, now: NaiveDateTime) -> Result<(), ApiError> {
    diesel::update(
        rota_swaps::table
            .filter(rota_swaps::shift_id.eq(shift_id))
            .filter(rota_swaps::taken_at.is_null()),
    )
    .set((
        rota_swaps::to_user.eq(Some(to_user)),
        rota_swaps::taken_at.eq(Some(now)),
    ))
    .execute(conn)?;
    Ok(())
}

pub fn flag_swap(conn: &mut DbConn, shift_id: i64, now: NaiveDateTime) -> Result<bool, ApiError> {
    let n = diesel::update(
        rota_swaps::table
            .filter(rota_swaps::shift_id.eq(shift_id))
            .filter(rota_swaps::taken_at.is_null())
            .filter(rota_swaps::flagged_at.is_null()),
    )
    .set(rota_swaps::flagged_at.eq(Some(now)))
    .execute(conn)?;
    Ok(n > 0)
}

/// Swaps of a site's shifts, newest first.
pub fn swaps_of_site(conn: &mut DbConn, site_id: i64, limit: i64) -> Result<Vec<(Swap, Shift)>, ApiError> {
    Ok(rota_swaps::table
        .inner_join(rota_shifts::table)
        .filter(rota_shifts::site_id.eq(site_id))
        .order(rota_swaps::id.desc())
        .limit(limit)
        .select((Swap::as_select(), Shift::as_select()))
        .load(conn)?)
}

pub fn insert_feed_token(
    conn: &mut DbConn,
    user_id: i64,
    hash: &str,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    diesel::insert_into(feed_tokens::table)
        .values((
            feed_tokens::user_id.eq(user_id),
            feed_tokens::token_hash.eq(hash),
            feed_tokens::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn revoke_feed_tokens(conn: &mut DbConn, user_id: i64, now: NaiveDateTime) -> Result<(), ApiError> {
    diesel::update(
        feed_tokens::table
            .filter(feed_tokens::user_id.eq(user_id))
            .filter(feed_tokens::revoked_at.is_null()),
    )
    .set(feed_tokens::revoked_at.eq(Some(now)))
    .execute(conn)?;
    Ok(())
}

pub fn feed_owner(conn: &mut DbConn, hash: &str) -> Result<Option<i64>, ApiError> {
    Ok(feed_tokens::table
        .filter(feed_tokens::token_hash.eq(hash))
        .filter(feed_tokens::revoked_at.is_null())
        .select(feed_tokens::user_id)
        .first(conn)
        .optional()?)
}

/// When `user_id`'s live feed link was made, if there is one.
pub fn live_feed_since(conn: &mut DbConn, user_id: i64) -> Result<Option<NaiveDateTime>, ApiError> {
    Ok(feed_tokens::table
        .filter(feed_tokens::user_id.eq(user_id))
        .filter(feed_tokens::revoked_at.is_null())
        .order(feed_tokens::created_at.desc())
        .select(feed_tokens::created_at)
        .first(conn)
        .optional()?)
}
