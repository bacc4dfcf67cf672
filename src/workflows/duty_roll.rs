//! The admin's roll of duty dates (the console's 值班): each date of the
//! site's duties in a period with who is on, the free places, who was
//! marked as come or not, and the site's volunteers (for one who covered
//! without signing up). Recording is [`crate::workflows::duties::mark`],
//! shared with the API's `duties/{id}/attendance`, behind the console's
//! admin-only door [`record`].

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};

use crate::db::DbConn;
use crate::errors::ApiError;
use crate::store::access::SiteAccess;
use crate::store::{duties as duty_store, users};
use crate::workflows::duties::{self, OccurrenceView};

/// A mark made: (volunteer id, name, came).
pub type Mark = (i64, String, bool);

/// One date of one duty, as the admin works it.
pub struct RollDate {
    pub occurrence: OccurrenceView,
    /// Whether it has begun: attendance is marked from then on.
    pub begun: bool,
    /// The marks made.
    pub marks: Vec<Mark>,
}

impl RollDate {
    /// The mark of `volunteer`, if one was made.
    pub fn came(&self, volunteer: i64) -> Option<bool> {
        self.marks
            .iter()
            .find(|(v, _, _)| *v == volunteer)
            .map(|(_, _, c)| *c)
    }
}

pub struct Roll {
    pub dates: Vec<RollDate>,
    /// The site's volunteers by name, for recording one who covered.
    pub volunteers: Vec<(i64, String)>,
}

/// The roll between two local dates, in start order (admin only).
pub fn roll(
    conn: &mut DbConn,
    access: &SiteAccess,
    from: NaiveDate,
    to: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Roll, ApiError> {
    access.require_admin()?;
    let site = &access.site;
    let volunteers: Vec<(i64, String)> = users::members_of_site(conn, site.id, 0, 10_000)?
        .into_iter()
        .filter(|(_, m)| m.roles().volunteer)
        .map(|(u, _)| (u.id, u.name))
        .collect();
    let names: BTreeMap<i64, &str> = volunteers.iter().map(|(id, n)| (*id, n.as_str())).collect();
    let mut marks: BTreeMap<(i64, NaiveDate), Vec<Mark>> = BTreeMap::new();
    for (duty, date, volunteer, status) in duty_store::marks_between(conn, site.id, from, to)? {
        let name = names
            .get(&volunteer)
            .map_or_else(String::new, |n| (*n).to_owned());
        marks
            .entry((duty, date))
            .or_default()
            .push((volunteer, name, status == "attended"));
    }
    let dates = duties::list(conn, site, from, to, true)?
        .into_iter()
        .map(|occurrence| RollDate {
            begun: occurrence.starts_at <= now,
            marks: marks
                .remove(&(occurrence.duty_id, occurrence.date))
                .unwrap_or_default(),
            occurrence,
        })
        .collect();
    Ok(Roll { dates, volunteers })
}

/// The console's way to record whether a volunteer came: the API's
/// attendance rule ([`duties::mark`], which staff may also use) behind the
/// console's door, which is the site admin's.
#[allow(clippy::too_many_arguments)]
pub fn record(
    conn: &mut DbConn,
    access: &SiteAccess,
    duty_id: i64,
    date: NaiveDate,
    volunteer_id: i64,
    attended: bool,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    access.require_admin()?;
    duties::mark(conn, access, duty_id, date, volunteer_id, attended, now)
}
