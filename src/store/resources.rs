//! Resources of a site and their blackout periods.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::instant::stored;
use crate::db::schema::{blackouts, resources};
use crate::db::{DbConn, concrete};
use crate::domain::interval::Interval;
use crate::domain::resource::{OpeningHours, ResourceKind, Rules};
use crate::errors::ApiError;

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = resources)]
pub struct Resource {
    pub id: i64,
    pub site_id: i64,
    pub name: String,
    pub kind: String,
    pub pool: Option<String>,
    pub capacity: Option<i32>,
    pub features: String,
    pub opening_hours: Option<String>,
    pub rules: String,
    pub created_at: NaiveDateTime,
    pub retired_at: Option<NaiveDateTime>,
}

impl Resource {
    pub fn kind(&self) -> ResourceKind {
        ResourceKind::from_code(&self.kind).unwrap_or(ResourceKind::Room)
    }

    /// The stored rules; written validated, so they parse. A row written by
    /// hand that does not parse falls back to the kind's defaults.
    pub fn rules(&self) -> Rules {
        serde_json::from_str(&self.rules).unwrap_or_else(|_| Rules::defaults_for(self.kind()))
    }

    pub fn opening_map(&self) -> Option<BTreeMap<String, Vec<String>>> {
        self.opening_hours
            .as_deref()
            .and_then(|s| serde_json::from_str(s).ok())
    }

    pub fn opening(&self) -> Option<OpeningHours> {
        self.opening_map().and_then(|m| OpeningHours::parse(&m).ok())
    }

    pub fn features(&self) -> Vec<String> {
        serde_json::from_str(&self.features).unwrap_or_default()
    }

    pub fn is_retired(&self) -> bool {
        self.retired_at.is_some()
    }
}

/// The stored form of a resource's settings.
pub struct ResourceFields {
    pub name: String,
    pub kind: ResourceKind,
    pub pool: Option<String>,
    pub capacity: Option<i32>,
    pub features: Vec<String>,
    pub opening_hours: Option<OpeningHours>,
    pub rules: Rules,
}

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned())
}

pub fn insert(
    conn: &mut DbConn,
    site_id: i64,
    fields: &ResourceFields,
    now: NaiveDateTime,
) -> Result<Resource, ApiError> {
    let id: i64 = diesel::insert_into(resources::table)
        .values((
            resources::site_id.eq(site_id),
            resources::name.eq(&fields.name),
            resources::kind.eq(fields.kind.code()),
            resources::pool.eq(&fields.pool),
            resources::capacity.eq(fields.capacity),
            resources::features.eq(json(&fields.features)),
            resources::opening_hours.eq(fields.opening_hours.as_ref().map(|h| json(&h.to_map()))),
            resources::rules.eq(json(&fields.rules)),
            resources::created_at.eq(now),
        ))
        .returning(resources::id)
        .get_result(conn)?;
    by_id(conn, site_id, id)
}

pub fn update(conn: &mut DbConn, resource: &Resource, fields: &ResourceFields) -> Result<Resource, ApiError> {
    diesel::update(resources::table.find(resource.id))
        .set((
            resources::name.eq(&fields.name),
            resources::pool.eq(&fields.pool),
            resources::capacity.eq(fields.capacity),
            resources::features.eq(json(&fields.features)),
            resources::opening_hours.eq(fields.opening_hours.as_ref().map(|h| json(&h.to_map()))),
            resources::rules.eq(json(&fields.rules)),
        ))
        .execute(conn)?;
    by_id(conn, resource.site_id, resource.id)
}

pub fn retire(conn: &mut DbConn, id: i64, now: NaiveDateTime) -> Result<(), ApiError> {
    diesel::update(resources::table.find(id).filter(resources::retired_at.is_null()))
        .set(resources::retired_at.eq(Some(now)))
        .execute(conn)?;
    Ok(())
}

/// A resource of `site_id`; another site's resource is "not found".
pub fn by_id(conn: &mut DbConn, site_id: i64, id: i64) -> Result<Resource, ApiError> {
    concrete!(conn, |c| resources::table
        .filter(resources::id.eq(id))
        .filter(resources::site_id.eq(site_id))
        .select(Resource::as_select())
        .first(c)
        .optional())?
    .ok_or_else(|| ApiError::not_found("resource"))
}

/// A resource's name whatever its site: a person's seat elsewhere named
/// to them (one person holds one seat across sites).
pub fn name_of(conn: &mut DbConn, id: i64) -> Result<Option<String>, ApiError> {
    Ok(resources::table
        .find(id)
        .select(resources::name)
        .first(conn)
        .optional()?)
}

/// Filters for listing resources.
#[derive(Default)]
pub struct ResourceFilter {
    pub kind: Option<ResourceKind>,
    pub pool: Option<String>,
    pub include_retired: bool,
}

pub fn list(
    conn: &mut DbConn,
    site_id: i64,
    filter: &ResourceFilter,
    after_id: i64,
    limit: i64,
) -> Result<Vec<Resource>, ApiError> {
    let mut query = resources::table
        .filter(resources::site_id.eq(site_id))
        .filter(resources::id.gt(after_id))
        .order(resources::id)
        .limit(limit)
        .select(Resource::as_select())
        .into_boxed();
    if let Some(kind) = filter.kind {
        query = query.filter(resources::kind.eq(kind.code()));
    }
    if let Some(pool) = &filter.pool {
        query = query.filter(resources::pool.eq(pool));
    }
    if !filter.include_retired {
        query = query.filter(resources::retired_at.is_null());
    }
    Ok(query.load(conn)?)
}

/// The active members of a pool, in id order.
pub fn pool_members(conn: &mut DbConn, site_id: i64, pool: &str) -> Result<Vec<Resource>, ApiError> {
    let filter = ResourceFilter {
        pool: Some(pool.to_owned()),
        ..ResourceFilter::default()
    };
    list(conn, site_id, &filter, 0, 1000)
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = blackouts)]
pub struct Blackout {
    pub id: i64,
    pub resource_id: i64,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub reason: String,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
}

impl Blackout {
    pub fn interval(&self) -> Interval {
        Interval::of(self.starts_at.and_utc(), self.ends_at.and_utc())
    }
}

pub fn insert_blackout(
    conn: &mut DbConn,
    resource_id: i64,
    period: Interval,
    reason: &str,
    by: i64,
    now: NaiveDateTime,
) -> Result<Blackout, ApiError> {
    let id: i64 = diesel::insert_into(blackouts::table)
        .values((
            blackouts::resource_id.eq(resource_id),
            blackouts::starts_at.eq(stored(period.start)),
            blackouts::ends_at.eq(stored(period.end)),
            blackouts::reason.eq(reason),
            blackouts::created_by.eq(Some(by)),
            blackouts::created_at.eq(now),
        ))
        .returning(blackouts::id)
        .get_result(conn)?;
    Ok(blackouts::table
        .find(id)
        .select(Blackout::as_select())
        .first(conn)?)
}

/// Blackouts of these resources that meet `window`.
pub fn blackouts_within(
    conn: &mut DbConn,
    resource_ids: &[i64],
    window: Interval,
) -> Result<Vec<Blackout>, ApiError> {
    // PostgreSQL: one statement for the whole list (see
    // `bookings::active_within`).
    if let DbConn::Pg(c) = conn {
        return Ok(blackouts::table
            .filter(blackouts::resource_id.eq_any(resource_ids))
            .filter(blackouts::starts_at.lt(stored(window.end)))
            .filter(blackouts::ends_at.gt(stored(window.start)))
            .order((blackouts::resource_id, blackouts::starts_at))
            .select(Blackout::as_select())
            .load(c)?);
    }
    super::per_id(resource_ids, |id| {
        Ok(concrete!(&mut *conn, |c| blackouts::table
            .filter(blackouts::resource_id.eq(id))
            .filter(blackouts::starts_at.lt(stored(window.end)))
            .filter(blackouts::ends_at.gt(stored(window.start)))
            .order(blackouts::starts_at)
            .select(Blackout::as_select())
            .load(c))?)
    })
}

pub fn blackouts_of(
    conn: &mut DbConn,
    resource_id: i64,
    from: NaiveDateTime,
) -> Result<Vec<Blackout>, ApiError> {
    Ok(blackouts::table
        .filter(blackouts::resource_id.eq(resource_id))
        .filter(blackouts::ends_at.gt(from))
        .order(blackouts::starts_at)
        .limit(500)
        .select(Blackout::as_select())
        .load(conn)?)
}

pub fn delete_blackout(conn: &mut DbConn, resource_id: i64, id: i64) -> Result<bool, ApiError> {
    let n = diesel::delete(
        blackouts::table
            .filter(blackouts::id.eq(id))
            .filter(blackouts::resource_id.eq(resource_id)),
    )
    .execute(conn)?;
    Ok(n > 0)
}
