//! A site's robots and webhooks (`site_channels`), and the site's summary
//! of what they listen to (`sites.channel_topics`).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::{site_channels, sites};
use crate::errors::ApiError;

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = site_channels)]
pub struct ChannelRow {
    pub id: i64,
    pub site_id: i64,
    /// `domain::channel::ChannelKind`'s code.
    pub kind: String,
    pub name: String,
    /// The credential: read only by the sender, never shown.
    pub url: String,
    /// The signing secret: read only by the sender, never shown.
    pub secret: Option<String>,
    /// Comma-separated topic codes.
    pub topics: String,
    /// Off: nothing new is queued for it (what is queued still goes).
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub struct NewChannel<'a> {
    pub site_id: i64,
    pub kind: &'a str,
    pub name: &'a str,
    pub url: &'a str,
    pub secret: Option<&'a str>,
    pub topics: &'a str,
}

fn is_unique_violation(e: &diesel::result::Error) -> bool {
    matches!(
        e,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}

pub fn insert(conn: &mut DbConn, new: &NewChannel<'_>, now: NaiveDateTime) -> Result<i64, ApiError> {
    diesel::insert_into(site_channels::table)
        .values((
            site_channels::site_id.eq(new.site_id),
            site_channels::kind.eq(new.kind),
            site_channels::name.eq(new.name),
            site_channels::url.eq(new.url),
            site_channels::secret.eq(new.secret),
            site_channels::topics.eq(new.topics),
            site_channels::active.eq(true),
            site_channels::created_at.eq(now),
            site_channels::updated_at.eq(now),
        ))
        .returning(site_channels::id)
        .get_result(conn)
        .map_err(|e| {
            if is_unique_violation(&e) {
                ApiError::conflict("This site has a channel of this name already.")
            } else {
                e.into()
            }
        })
}

pub fn list(conn: &mut DbConn, site_id: i64) -> Result<Vec<ChannelRow>, ApiError> {
    Ok(site_channels::table
        .filter(site_channels::site_id.eq(site_id))
        .order(site_channels::id)
        .select(ChannelRow::as_select())
        .load(conn)?)
}

/// The site's channel `id`, or 404.
pub fn by_id(conn: &mut DbConn, site_id: i64, id: i64) -> Result<ChannelRow, ApiError> {
    site_channels::table
        .filter(site_channels::site_id.eq(site_id))
        .filter(site_channels::id.eq(id))
        .select(ChannelRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found("channel"))
}

/// The channels with these ids, whatever their site (for the sender).
pub fn by_ids(conn: &mut DbConn, ids: &[i64]) -> Result<Vec<ChannelRow>, ApiError> {
    Ok(site_channels::table
        .filter(site_channels::id.eq_any(ids))
        .select(ChannelRow::as_select())
        .load(conn)?)
}

/// The site's active channels (the caller picks those listening).
pub fn active(conn: &mut DbConn, site_id: i64) -> Result<Vec<ChannelRow>, ApiError> {
    Ok(site_channels::table
        .filter(site_channels::site_id.eq(site_id))
        .filter(site_channels::active.eq(true))
        .order(site_channels::id)
        .select(ChannelRow::as_select())
        .load(conn)?)
}

/// Writes a channel's settings as given (the caller merged the changes).
pub fn update(conn: &mut DbConn, row: &ChannelRow, now: NaiveDateTime) -> Result<(), ApiError> {
    diesel::update(site_channels::table.find(row.id))
        .set((
            site_channels::name.eq(&row.name),
            site_channels::url.eq(&row.url),
            site_channels::secret.eq(&row.secret),
            site_channels::topics.eq(&row.topics),
            site_channels::active.eq(row.active),
            site_channels::updated_at.eq(now),
        ))
        .execute(conn)
        .map_err(|e| {
            if is_unique_violation(&e) {
                ApiError::conflict("This site has a channel of this name already.")
            } else {
                e.into()
            }
        })?;
    Ok(())
}

/// Removes a channel and, with it (`ON DELETE CASCADE`; every SQLite
/// connection turns foreign keys on), its queued and past messages.
pub fn delete(conn: &mut DbConn, site_id: i64, id: i64) -> Result<bool, ApiError> {
    let n = diesel::delete(
        site_channels::table
            .filter(site_channels::site_id.eq(site_id))
            .filter(site_channels::id.eq(id)),
    )
    .execute(conn)?;
    Ok(n > 0)
}

/// Records what the site's active channels listen to, together.
pub fn set_site_topics(conn: &mut DbConn, site_id: i64, topics: &str) -> Result<(), ApiError> {
    diesel::update(sites::table.find(site_id))
        .set(sites::channel_topics.eq(topics))
        .execute(conn)?;
    Ok(())
}
