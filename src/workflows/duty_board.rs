//! The volunteer's duty pages, read in one place: the duties of a site
//! with the dates of the coming weeks, whether each "every week" or "just
//! this date" can succeed for the caller (and why not, so a page offers
//! only what can), her own dates, and one date as a cover request shows
//! it. Changes go through `workflows::duties` (sign-up, absence) as the
//! API's do; this file only reads, with the same rules (`domain::duty`).

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};

use crate::db::DbConn;
use crate::domain::calendar::SiteCalendar;
use crate::domain::duty::{Commitment, Refusal, check_signup, occurrences, on_duty};
use crate::domain::local_time::local_date;
use crate::errors::ApiError;
use crate::store;
use crate::store::access::SiteAccess;
use crate::store::duties::{Duty, Signup};
use crate::store::{calendar, resources, users};
use crate::workflows::duties::{OccurrenceView, SIGNUP_CHECK_WEEKS, cover_candidates, list};

/// How many weeks of dates the duty list shows.
pub const WEEKS_SHOWN: i64 = 4;
/// How far ahead "my dates" looks.
pub const MY_WEEKS: i64 = 8;

/// Whether a sign-up would succeed now, and if not, why.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Offer {
    Open,
    /// Only volunteers of the site sign up.
    NotVolunteer,
    MissingSkill,
    /// She is already on it that date (for "every week": the first such date).
    AlreadyOn(NaiveDate),
    Full(NaiveDate),
    /// The date has begun or passed.
    Over,
}

impl From<Refusal> for Offer {
    fn from(r: Refusal) -> Offer {
        match r {
            Refusal::MissingSkill => Offer::MissingSkill,
            Refusal::AlreadyOn(d) => Offer::AlreadyOn(d),
            Refusal::Full(d) => Offer::Full(d),
        }
    }
}

/// One date of a duty as the caller sees it.
#[derive(Clone, Debug)]
pub struct DateRow {
    pub occ: OccurrenceView,
    /// She is on duty that date.
    pub mine: bool,
    /// "Just this date".
    pub once: Offer,
}

/// One duty with its coming dates.
#[derive(Clone, Debug)]
pub struct DutyCard {
    pub duty: Duty,
    pub room: Option<String>,
    /// "Every week".
    pub weekly: Offer,
    pub dates: Vec<DateRow>,
}

/// One of her dates.
#[derive(Clone, Debug)]
pub struct MyDate {
    pub occ: OccurrenceView,
    pub room: Option<String>,
    /// From a weekly sign-up (else one date).
    pub weekly: bool,
    /// She said she cannot come.
    pub absent: bool,
    /// An absence can still be reported (it has not begun).
    pub may_report_absence: bool,
}

/// One date of one duty, for the cover and absence pages.
#[derive(Clone, Debug)]
pub struct OneDate {
    pub occ: OccurrenceView,
    pub room: Option<String>,
    pub mine: bool,
    /// Covering it ("just this date").
    pub cover: Offer,
    /// When it is hers: who would be asked to cover if she cannot come.
    pub would_ask: Vec<String>,
}

/// What is read once per page: the site's duties, their sign-ups and
/// absences, the calendar and her skills.
struct Snapshot {
    duties: Vec<Duty>,
    signups: Vec<Signup>,
    absences: BTreeMap<i64, Vec<(i64, NaiveDate)>>,
    cal: SiteCalendar,
    skills: Vec<String>,
    rooms: BTreeMap<i64, String>,
}

impl Snapshot {
    fn load(conn: &mut DbConn, access: &SiteAccess) -> Result<Snapshot, ApiError> {
        let duties = store::duties::of_site(conn, access.site.id)?;
        let ids: Vec<i64> = duties.iter().map(|d| d.id).collect();
        let signups = store::duties::signups(conn, &ids)?;
        let mut absences = BTreeMap::new();
        let mut rooms = BTreeMap::new();
        for d in &duties {
            absences.insert(d.id, store::duties::absences(conn, d.id)?);
            if let Some(r) = d.resource_id
                && !rooms.contains_key(&r)
            {
                rooms.insert(r, resources::by_id(conn, access.site.id, r)?.name);
            }
        }
        Ok(Snapshot {
            duties,
            signups,
            absences,
            cal: calendar::load(conn, access.site.id)?,
            skills: users::skills(conn, access.site.id, access.user_id)?,
            rooms,
        })
    }

    fn commitments(&self, duty_id: i64) -> Vec<Commitment> {
        self.signups
            .iter()
            .filter(|s| s.duty_id == duty_id)
            .map(Signup::commitment)
            .collect()
    }

    fn absent(&self, duty_id: i64) -> &[(i64, NaiveDate)] {
        self.absences.get(&duty_id).map(Vec::as_slice).unwrap_or(&[])
    }

    fn room(&self, duty: &Duty) -> Option<String> {
        duty.resource_id.and_then(|r| self.rooms.get(&r).cloned())
    }

    /// The rule the sign-up workflow applies, on `dates`.
    fn offer(&self, access: &SiteAccess, duty: &Duty, dates: &[NaiveDate]) -> Offer {
        if access.may_sign_up_for_duty().is_err() {
            return Offer::NotVolunteer;
        }
        match check_signup(
            duty.capacity.max(0) as u32,
            duty.skill.as_deref(),
            access.user_id,
            &self.skills,
            &self.commitments(duty.id),
            self.absent(duty.id),
            dates,
        ) {
            Ok(()) => Offer::Open,
            Err(r) => r.into(),
        }
    }

    /// "Every week": the dates the sign-up workflow checks.
    fn weekly_offer(&self, access: &SiteAccess, duty: &Duty, now: DateTime<Utc>) -> Offer {
        let tz = access.site.tz();
        let today = local_date(tz, now);
        let dates: Vec<NaiveDate> = occurrences(
            tz,
            &duty.pattern(),
            &self.cal,
            today,
            today + Duration::weeks(SIGNUP_CHECK_WEEKS),
        )
        .into_iter()
        .filter(|o| o.slot.end > now)
        .map(|o| o.date)
        .collect();
        if dates.is_empty() {
            return Offer::Over;
        }
        self.offer(access, duty, &dates)
    }

    fn once_offer(
        &self,
        access: &SiteAccess,
        duty: &Duty,
        occ: &OccurrenceView,
        now: DateTime<Utc>,
    ) -> Offer {
        if occ.ends_at <= now {
            return Offer::Over;
        }
        self.offer(access, duty, &[occ.date])
    }
}

fn on(occ: &OccurrenceView, user_id: i64) -> bool {
    occ.signed_up.iter().any(|v| v.volunteer_id == Some(user_id))
}

/// The duty list: every duty of the site with its dates of the next
/// [`WEEKS_SHOWN`] weeks (those not over), who is on and what she may do.
pub fn board(conn: &mut DbConn, access: &SiteAccess, now: DateTime<Utc>) -> Result<Vec<DutyCard>, ApiError> {
    let snap = Snapshot::load(conn, access)?;
    let today = local_date(access.site.tz(), now);
    let occs = list(
        conn,
        &access.site,
        today,
        today + Duration::weeks(WEEKS_SHOWN) - Duration::days(1),
        true,
    )?;
    let mut cards = Vec::new();
    for duty in &snap.duties {
        let dates = occs
            .iter()
            .filter(|o| o.duty_id == duty.id && o.ends_at > now)
            .map(|o| DateRow {
                mine: on(o, access.user_id),
                once: snap.once_offer(access, duty, o, now),
                occ: o.clone(),
            })
            .collect();
        cards.push(DutyCard {
            duty: duty.clone(),
            room: snap.room(duty),
            weekly: snap.weekly_offer(access, duty, now),
            dates,
        });
    }
    cards.sort_by_key(|c| (c.duty.weekday, c.duty.start_minute, c.duty.id));
    Ok(cards)
}

/// Her dates of the next [`MY_WEEKS`] weeks, those she said she cannot
/// come to included (marked), earliest first.
pub fn my_dates(conn: &mut DbConn, access: &SiteAccess, now: DateTime<Utc>) -> Result<Vec<MyDate>, ApiError> {
    let snap = Snapshot::load(conn, access)?;
    let today = local_date(access.site.tz(), now);
    let occs = list(conn, &access.site, today, today + Duration::weeks(MY_WEEKS), true)?;
    let me = access.user_id;
    let mut out = Vec::new();
    for occ in occs.into_iter().filter(|o| o.ends_at > now) {
        let Some(duty) = snap.duties.iter().find(|d| d.id == occ.duty_id) else {
            continue;
        };
        let mine: Vec<Commitment> = snap
            .commitments(duty.id)
            .into_iter()
            .filter(|c| c.volunteer_id == me && c.covers(occ.date))
            .collect();
        if mine.is_empty() {
            continue;
        }
        let absent = !on_duty(&mine, snap.absent(duty.id), occ.date).contains(&me);
        out.push(MyDate {
            room: snap.room(duty),
            weekly: mine.iter().all(|c| c.weekly),
            absent,
            may_report_absence: !absent && occ.starts_at > now,
            occ,
        });
    }
    Ok(out)
}

/// One date of one duty (a cover request's link, an absence's question).
/// A date the duty does not have is not found.
pub fn one_date(
    conn: &mut DbConn,
    access: &SiteAccess,
    duty_id: i64,
    date: NaiveDate,
    now: DateTime<Utc>,
) -> Result<OneDate, ApiError> {
    let snap = Snapshot::load(conn, access)?;
    let duty = snap
        .duties
        .iter()
        .find(|d| d.id == duty_id)
        .ok_or_else(|| ApiError::not_found("duty"))?;
    let occ = list(conn, &access.site, date, date, true)?
        .into_iter()
        .find(|o| o.duty_id == duty_id)
        .ok_or_else(|| ApiError::not_found("duty date"))?;
    let cover = snap.once_offer(access, duty, &occ, now);
    let mine = on(&occ, access.user_id);
    let would_ask = if mine {
        let on_it: Vec<i64> = occ.signed_up.iter().filter_map(|v| v.volunteer_id).collect();
        cover_candidates(conn, &access.site, duty, &on_it, access.user_id)?
            .into_iter()
            .map(|u| u.name)
            .collect()
    } else {
        Vec::new()
    };
    Ok(OneDate {
        room: snap.room(duty),
        mine,
        cover,
        would_ask,
        occ,
    })
}
