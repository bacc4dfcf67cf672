//! Sites (residents' committees).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::sites;
use crate::db::{DbConn, concrete};
use crate::errors::ApiError;
use crate::store::users::{Membership, User};

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
    /// Weeks a member counts as new at the site (never alone at the desk); 0: nobody does.
    pub new_person_weeks: i32,
    /// Event types some active channel of the site listens to, comma-
    /// separated; kept by `workflows::channels` so that a change at a site
    /// without robots costs no query to find that out.
    pub channel_topics: String,
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
pub fn update_settings(conn: &mut DbConn, id: i64, changes: &SiteChanges<'_>) -> Result<(), ApiError> {
    // Diesel refuses an UPDATE that sets nothing; an empty PATCH is valid.
    if changes.is_empty() {
        return Ok(());
    }
    diesel::update(sites::table.find(id)).set(changes).execute(conn)?;
    Ok(())
}

/// The settings one PATCH changes; `None` leaves a setting as it is.
#[derive(AsChangeset, Debug, Default)]
#[diesel(table_name = sites)]
pub struct SiteChanges<'a> {
    pub name: Option<&'a str>,
    pub urgent_quota_per_week: Option<i32>,
    pub duty_reminder_time: Option<&'a str>,
    /// `Some(None)` lifts the cap.
    pub max_future_bookings_per_person: Option<Option<i32>>,
    pub new_person_weeks: Option<i32>,
}

impl SiteChanges<'_> {
    fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.urgent_quota_per_week.is_none()
            && self.duty_reminder_time.is_none()
            && self.max_future_bookings_per_person.is_none()
            && self.new_person_weeks.is_none()
    }
}

/// Whether `slug` has the shape every site's slug was given. Any other
/// string names no site and is not sent to the database at all: PostgreSQL
/// refuses a NUL byte in a text parameter with an error, which was a 500 for
/// `/api/v1/sites/de%00mo/...`. Every lookup by slug passes here.
fn could_exist(slug: &str) -> bool {
    crate::domain::site::Slug::parse(slug).is_ok()
}

pub fn by_slug(conn: &mut DbConn, slug: &str) -> Result<Option<Site>, ApiError> {
    if !could_exist(slug) {
        return Ok(None);
    }
    Ok(sites::table
        .filter(sites::slug.eq(slug))
        .select(Site::as_select())
        .first(conn)
        .optional()?)
}

/// The site named `slug`, `user_id`'s membership of it (if any) and
/// `user_id`'s account, in one statement. `None`: no such site (or no such
/// account).
pub fn with_member(
    conn: &mut DbConn,
    slug: &str,
    user_id: i64,
) -> Result<Option<(Site, Option<Membership>, User)>, ApiError> {
    use crate::db::schema::{memberships, users};
    if !could_exist(slug) {
        return Ok(None);
    }
    Ok(concrete!(conn, |c| sites::table
        .left_join(
            memberships::table.on(memberships::site_id
                .eq(sites::id)
                .and(memberships::user_id.eq(user_id))
                // An invitation not yet accepted gives no standing.
                .and(memberships::joined_at.is_not_null())),
        )
        .inner_join(users::table.on(users::id.eq(user_id)))
        .filter(sites::slug.eq(slug))
        .select((
            Site::as_select(),
            Option::<Membership>::as_select(),
            User::as_select(),
        ))
        .first(c)
        .optional())?)
}

/// [`with_member`], and the session `session_id` of the caller if it is
/// still live (not revoked): one statement for a booking's first look.
#[allow(clippy::type_complexity)]
pub fn with_member_in_session(
    conn: &mut DbConn,
    slug: &str,
    user_id: i64,
    session_id: i64,
) -> Result<Option<(Site, Option<Membership>, User, Option<i64>)>, ApiError> {
    use crate::db::schema::{memberships, sessions, users};
    if !could_exist(slug) {
        return Ok(None);
    }
    Ok(concrete!(conn, |c| sites::table
        .left_join(
            memberships::table.on(memberships::site_id
                .eq(sites::id)
                .and(memberships::user_id.eq(user_id))
                .and(memberships::joined_at.is_not_null())),
        )
        .inner_join(users::table.on(users::id.eq(user_id)))
        .left_join(
            sessions::table.on(sessions::id
                .eq(session_id)
                .and(sessions::user_id.eq(user_id))
                .and(sessions::revoked_at.is_null())),
        )
        .filter(sites::slug.eq(slug))
        .select((
            Site::as_select(),
            Option::<Membership>::as_select(),
            User::as_select(),
            sessions::id.nullable(),
        ))
        .first(c)
        .optional())?)
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
            .filter(memberships::joined_at.is_not_null())
            .select(memberships::site_id);
        query = query.filter(sites::id.eq_any(mine));
    }
    Ok(query.load(conn)?)
}
