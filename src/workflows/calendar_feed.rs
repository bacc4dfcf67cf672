//! Personal calendar feeds: the secret link a person subscribes to in a
//! calendar app, and what the feed behind it holds.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};

use crate::auth::secret;
use crate::db::DbConn;
use crate::domain::interval::Interval;
use crate::domain::local_time::local_date;
use crate::errors::ApiError;
use crate::store::bookings::of_owner_within;
use crate::store::{rota, sites, users};
use crate::workflows::duties;

/// How far back a feed reaches: last month stays visible in the app.
const PAST_DAYS: i64 = 30;
/// How far ahead a feed reaches.
const AHEAD_DAYS: i64 = 120;

/// Makes a new feed link for `user_id` and returns its secret. One link per
/// person: the old one stops working, so a leaked link is fixed by making
/// a new one.
pub fn create_link(conn: &mut DbConn, user_id: i64, now: NaiveDateTime) -> Result<String, ApiError> {
    let (token, hash) = secret::generate();
    rota::revoke_feed_tokens(conn, user_id, now)?;
    rota::insert_feed_token(conn, user_id, &hash, now)?;
    Ok(token)
}

/// The address of a feed link, for the API and the web page alike.
pub fn url(public_url: &str, token: &str) -> String {
    format!("{}/api/v1/calendar/{token}.ics", public_url.trim_end_matches('/'))
}

/// Stops `user_id`'s feed link from working.
pub fn revoke(conn: &mut DbConn, user_id: i64, now: NaiveDateTime) -> Result<(), ApiError> {
    rota::revoke_feed_tokens(conn, user_id, now)
}

/// One event of a personal feed.
pub enum FeedEntry {
    /// A booking of theirs, on any of their sites.
    Booking {
        id: i64,
        resource: String,
        purpose: String,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
    },
    /// A volunteer duty they signed up for.
    Duty {
        duty_id: i64,
        date: NaiveDate,
        name: String,
        site_name: String,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
    },
    /// A published desk shift of theirs without a desk booking.
    Shift {
        shift_id: i64,
        label: String,
        site_name: String,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
    },
}

/// A person's feed: their bookings, then per site their duties and desk
/// shifts, from a month back to four months ahead; only of the sites they
/// are a member of now.
pub struct PersonalFeed {
    pub user_id: i64,
    pub entries: Vec<FeedEntry>,
}

/// The feed behind the secret `token`; a revoked or unknown link is "not
/// found".
pub fn personal(conn: &mut DbConn, token: &str, now: DateTime<Utc>) -> Result<PersonalFeed, ApiError> {
    let user_id =
        rota::feed_owner(conn, &secret::hash(token))?.ok_or_else(|| ApiError::not_found("calendar"))?;
    let mut entries = Vec::new();
    let window = Interval::of(now - Duration::days(PAST_DAYS), now + Duration::days(AHEAD_DAYS));
    let sites_of_member = users::memberships_of(conn, user_id)?;
    for (b, resource) in of_owner_within(conn, None, user_id, window, false)? {
        // Only the sites they still belong to: someone removed from a site
        // no longer sees its rooms and times in their feed.
        if !sites_of_member.iter().any(|(_, _, m)| m.site_id == b.site_id) {
            continue;
        }
        entries.push(FeedEntry::Booking {
            id: b.id,
            resource,
            purpose: b.purpose,
            starts_at: b.starts_at.and_utc(),
            ends_at: b.ends_at.and_utc(),
        });
    }
    for (slug, _, _) in sites_of_member {
        let Some(site) = sites::by_slug(conn, &slug)? else {
            continue;
        };
        let today = local_date(site.tz(), now);
        let (from, to) = (
            today - Duration::days(PAST_DAYS),
            today + Duration::days(AHEAD_DAYS),
        );
        for occ in duties::list(conn, &site, from, to, true)? {
            if occ.signed_up.iter().any(|p| p.volunteer_id == Some(user_id)) {
                entries.push(FeedEntry::Duty {
                    duty_id: occ.duty_id,
                    date: occ.date,
                    name: occ.name,
                    site_name: site.name.clone(),
                    starts_at: occ.starts_at,
                    ends_at: occ.ends_at,
                });
            }
        }
        for s in rota::published_between(conn, site.id, from, to)? {
            // Desk shifts come with desk bookings when a desk pool is set;
            // list the shift itself when it has none.
            if s.desk_pool.is_none() && s.published().unwrap_or_default().contains(&user_id) {
                entries.push(FeedEntry::Shift {
                    shift_id: s.id,
                    label: s.label,
                    site_name: site.name.clone(),
                    starts_at: s.starts_at.and_utc(),
                    ends_at: s.ends_at.and_utc(),
                });
            }
        }
    }
    Ok(PersonalFeed { user_id, entries })
}
