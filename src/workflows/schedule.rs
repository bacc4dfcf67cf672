//! A staff member's day as the bulletin board shows it to the site's
//! members: who may appear there and which of their bookings are shown.

use chrono::{DateTime, NaiveDate, Utc};

use crate::db::DbConn;
use crate::domain::local_time::{day_of, local_date};
use crate::domain::policy;
use crate::errors::ApiError;
use crate::store::bookings::of_owner_within;
use crate::store::sites::Site;
use crate::store::{rota, users};

/// What an item of a posted day is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ItemKind {
    DeskShift,
    Booking,
}

/// One item of a posted day: a desk shift's label, or a computer's or
/// desk's name; never a booking's purpose.
pub struct DayItem {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub what: String,
    pub kind: ItemKind,
}

pub struct PostedDay {
    pub date: NaiveDate,
    pub name: String,
    pub items: Vec<DayItem>,
}

/// The posted day of member `user_id` of `site` on `date` (default: the
/// site's today), earliest first. Only staff and admins are posted; anyone
/// else is "not found", as if they were not a member.
pub fn posted_day(
    conn: &mut DbConn,
    site: &Site,
    user_id: i64,
    date: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> Result<PostedDay, ApiError> {
    let m = users::membership(conn, site.id, user_id)?.ok_or_else(|| ApiError::not_found("person"))?;
    if !policy::on_public_schedule(m.roles()) {
        return Err(ApiError::not_found("person"));
    }
    let user = users::by_id(conn, user_id)?.ok_or_else(|| ApiError::not_found("person"))?;
    let tz = site.tz();
    let date = date.unwrap_or_else(|| local_date(tz, now));
    let day = day_of(tz, date);
    let mut items = Vec::new();
    for s in rota::published_between(conn, site.id, date, date)? {
        if s.published().unwrap_or_default().contains(&user_id) {
            items.push(DayItem {
                starts_at: s.starts_at.and_utc(),
                ends_at: s.ends_at.and_utc(),
                what: s.label,
                kind: ItemKind::DeskShift,
            });
        }
    }
    // Public: seats only (computers and desks), never rooms, whose
    // bookings say more about a person's work than the board should.
    for (b, resource) in of_owner_within(conn, Some(site.id), user_id, day, true)? {
        // The desk a shift books is already posted as the shift.
        if b.rota_shift_id.is_some() {
            continue;
        }
        items.push(DayItem {
            starts_at: b.starts_at.and_utc(),
            ends_at: b.ends_at.and_utc(),
            what: resource,
            kind: ItemKind::Booking,
        });
    }
    items.sort_by_key(|i| i.starts_at);
    Ok(PostedDay {
        date,
        name: user.name,
        items,
    })
}
