//! The desk rota as one staff member reads it on her shifts page: her
//! published shifts ahead, the shifts colleagues offer, the swaps of hers
//! that a colleague took, and one week of the published rota with who sits
//! at which post. Whether she may offer or take a shift is answered by the
//! same checks as [`rota::offer`] and [`rota::take`], so the page shows
//! only what can succeed and says why the rest cannot.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};

use crate::db::DbConn;
use crate::domain::local_time::{local_date, week_start};
use crate::errors::ApiError;
use crate::store::access::SiteAccess;
use crate::store::bookings as booking_store;
use crate::store::resources::{self, ResourceFilter};
use crate::store::rota::{self as store, Shift};
use crate::workflows::rota;

/// How far ahead "my shifts" and "offered shifts" look.
pub const AHEAD_DAYS: i64 = 28;

/// One person on a published shift, and the desk booked for her.
#[derive(Clone, Debug)]
pub struct Seat {
    pub user_id: i64,
    pub name: String,
    /// The desk (reception post) she sits at, once booked.
    pub post: Option<String>,
}

/// A published shift with its people.
#[derive(Clone, Debug)]
pub struct RotaShift {
    pub shift: Shift,
    pub people: Vec<Seat>,
}

impl RotaShift {
    /// Her seat on this shift, if she is on it.
    pub fn seat_of(&self, user_id: i64) -> Option<&Seat> {
        self.people.iter().find(|s| s.user_id == user_id)
    }
}

/// A shift of hers ahead.
#[derive(Debug)]
pub struct MyShift {
    pub rota: RotaShift,
    /// She offered it and nobody has taken it yet.
    pub offered: bool,
    /// Why she cannot offer it (absent when she can, or already did).
    pub refusal: Option<ApiError>,
}

/// A shift a colleague offers.
#[derive(Debug)]
pub struct OfferedShift {
    pub rota: RotaShift,
    pub offered_by: String,
    /// Why she cannot take it (absent when she can).
    pub refusal: Option<ApiError>,
}

/// A shift she offered that a colleague took.
#[derive(Debug)]
pub struct HandedOver {
    pub shift: Shift,
    pub taken_by: String,
}

/// Everything her shifts page shows.
#[derive(Debug)]
pub struct MyRota {
    pub mine: Vec<MyShift>,
    pub offered: Vec<OfferedShift>,
    pub handed_over: Vec<HandedOver>,
    /// The Monday of the week shown, and its published shifts.
    pub week_start: NaiveDate,
    pub week: Vec<RotaShift>,
}

/// The caller's view of the published rota: from now to [`AHEAD_DAYS`]
/// ahead for her own and offered shifts, and the week of `week` (default:
/// this week) for the whole rota.
pub fn my_rota(
    conn: &mut DbConn,
    access: &SiteAccess,
    week: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> Result<MyRota, ApiError> {
    access.require_staff_or_admin()?;
    let site = &access.site;
    let me = access.user_id;
    let today = local_date(site.tz(), now);
    let monday = week_start(week.unwrap_or(today));

    let ahead = store::published_between(conn, site.id, today, today + Duration::days(AHEAD_DAYS))?;
    let shown = store::published_between(conn, site.id, monday, monday + Duration::days(6))?;
    let swaps: Vec<(store::Swap, Shift)> = store::swaps_of_site(conn, site.id, 500)?
        .into_iter()
        // A shift she took back later is hers again, not handed over.
        .filter(|(w, s)| {
            w.from_user == me
                && w.to_user.is_some()
                && s.ends_at.and_utc() > now
                && !s.published().unwrap_or_default().contains(&me)
        })
        .collect();

    let mut ids: Vec<i64> = ahead
        .iter()
        .chain(&shown)
        .flat_map(|s| s.published().unwrap_or_default().into_iter().chain(s.offered_by))
        .chain(swaps.iter().filter_map(|(w, _)| w.to_user))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let names: BTreeMap<i64, String> = booking_store::user_names(conn, &ids)?.into_iter().collect();
    let name = |id: i64| names.get(&id).cloned().unwrap_or_default();
    let posts: BTreeMap<i64, String> = resources::list(conn, site.id, &ResourceFilter::default(), 0, 1000)?
        .into_iter()
        .map(|r| (r.id, r.name))
        .collect();

    let seated = |conn: &mut DbConn, shift: &Shift| -> Result<RotaShift, ApiError> {
        let desks = booking_store::shift_desk_bookings(conn, shift.id)?;
        let mut people: Vec<Seat> = shift
            .published()
            .unwrap_or_default()
            .into_iter()
            .map(|id| Seat {
                user_id: id,
                name: name(id),
                post: desks
                    .iter()
                    .find(|b| b.owner_id == id)
                    .and_then(|b| posts.get(&b.resource_id).cloned()),
            })
            .collect();
        // Post A before post B, whoever took a seat last; a person without
        // a desk last.
        people.sort_by(|a, b| (a.post.is_none(), &a.post).cmp(&(b.post.is_none(), &b.post)));
        Ok(RotaShift {
            shift: shift.clone(),
            people,
        })
    };

    let mut mine = Vec::new();
    let mut offered = Vec::new();
    for shift in ahead.iter().filter(|s| s.ends_at.and_utc() > now) {
        let on_it = shift.published().unwrap_or_default().contains(&me);
        match shift.offered_by {
            Some(by) if by == me => mine.push(MyShift {
                rota: seated(conn, shift)?,
                offered: true,
                refusal: None,
            }),
            _ if on_it => mine.push(MyShift {
                rota: seated(conn, shift)?,
                offered: false,
                refusal: rota::offer_refusal(access, shift, now),
            }),
            Some(by) if shift.starts_at.and_utc() > now => offered.push(OfferedShift {
                rota: seated(conn, shift)?,
                offered_by: name(by),
                refusal: rota::take_check(conn, access, shift, now).err(),
            }),
            _ => {}
        }
    }
    let week = shown
        .iter()
        .map(|s| seated(conn, s))
        .collect::<Result<Vec<_>, _>>()?;
    // Newest swap first: the last colleague who took each shift.
    let mut told = std::collections::BTreeSet::new();
    let mut handed_over: Vec<HandedOver> = swaps
        .into_iter()
        .filter(|(_, shift)| told.insert(shift.id))
        .filter_map(|(w, shift)| {
            w.to_user.map(|to| HandedOver {
                shift,
                taken_by: name(to),
            })
        })
        .collect();
    handed_over.sort_by_key(|h| h.shift.starts_at);
    Ok(MyRota {
        mine,
        offered,
        handed_over,
        week_start: monday,
        week,
    })
}
