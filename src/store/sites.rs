//! Sites (residents' committees).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::sites;
use crate::errors::ApiError;

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = sites)]
pub struct Site {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub timezone: String,
    pub created_at: NaiveDateTime,
    /// Urgent claims allowed per person per week.
    pub urgent_quota_per_week: i32,
    /// Site-local time (`HH:MM`) the day before a duty when reminders go out.
    pub duty_reminder_time: String,
    /// Future bookings one person may hold at this site; `None`: no cap.
    pub max_future_bookings_per_person: Option<i32>,
}

impl Site {
    /// The site's time zone; validated on the way in, so a stored name
    /// always parses (falls back to the default otherwise).
    pub fn tz(&self) -> chrono_tz::Tz {
        self.timezone.parse().unwrap_or(chrono_tz::Asia::Shanghai)
    }
}

pub fn insert(
    conn: &mut DbConn,
    slug: &str,
    name: &str,
    timezone: &str,
    now: NaiveDateTime,
) -> Result<Site, ApiError> {
    let exists = sites::table
        .filter(sites::slug.eq(slug))
        .count()
        .get_result::<i64>(conn)?
        > 0;
    if exists {
        return Err(ApiError::conflict(format!(
            "A site with slug '{slug}' already exists."
        )));
    }
    diesel::insert_into(sites::table)
        .values((
            sites::slug.eq(slug),
            sites::name.eq(name),
            sites::timezone.eq(timezone),
            sites::created_at.eq(now),
        ))
        .execute(conn)?;
    by_slug(conn, slug)?.ok_or_else(|| ApiError::internal(anyhow::anyhow!("site vanished after insert")))
}

pub fn by_id(conn: &mut DbConn, id: i64) -> Result<Site, ApiError> {
    sites::table
        .find(id)
        .select(Site::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found("site"))
}

/// Changes the given settings; `None` keeps a value.
pub fn update_settings(
    conn: &mut DbConn,
    id: i64,
    name: Option<&str>,
    urgent_quota: Option<i32>,
    reminder_time: Option<&str>,
    max_future_bookings: Option<Option<i32>>,
) -> Result<(), ApiError> {
    if let Some(cap) = max_future_bookings {
        diesel::update(sites::table.find(id))
            .set(sites::max_future_bookings_per_person.eq(cap))
            .execute(conn)?;
    }
    if let Some(n) = name {
        diesel::update(sites::table.find(id))
            .set(sites::name.eq(n))
            .execute(conn)?;
    }
    if let Some(q) = urgent_quota {
        diesel::update(sites::table.find(id))
            .set(sites::urgent_quota_per_week.eq(q))
            .execute(conn)?;
    }
    if let Some(t) = reminder_time {
        diesel::update(sites::table.find(id))
            .set(sites::duty_reminder_time.eq(t))
            .execute(conn)?;
    }
    Ok(())
}

pub fn by_slug(conn: &mut DbConn, slug: &str) -> Result<Option<Site>, ApiError> {
    Ok(sites::table
        .filter(sites::slug.eq(slug))
        .select(Site::as_select())
        .first(conn)
        .optional()?)
}

/// Sites in id order after `after_id`; `only` restricts to a user's sites.
pub fn list(
    conn: &mut DbConn,
    only_for_user: Option<i64>,
    after_id: i64,
    limit: i64,
) -> Result<Vec<Site>, ApiError> {
    use crate::db::schema::memberships;
    let mut query = sites::table
        .filter(sites::id.gt(after_id))
        .order(sites::id)
        .limit(limit)
        .select(Site::as_select())
        .into_boxed();
    if let Some(user_id) = only_for_user {
        let mine = memberships::table
            .filter(memberships::user_id.eq(user_id))
            .select(memberships::site_id);
        query = query.filter(sites::id.eq_any(mine));
    }
    Ok(query.load(conn)?)
}
