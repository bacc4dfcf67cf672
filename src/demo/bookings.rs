//! A month of the living room in use, so every list and the board show
//! something on first start: the computers and rooms over the last two
//! weeks and the next two, a hall request waiting for the secretary's
//! approval and a computer request waiting in line. Made through the
//! bookings workflows as each person would have made them: a past booking
//! is asked for shortly before its start (and checked in, as the person
//! came), so the workflows judge it against the time it was made.
//!
//! Kept clear of what the browser journeys and the board check do at
//! whatever time they run (tests/browser): Qian Kai and Li Na book a
//! computer "now" and cancel "the first" of their bookings, so they hold
//! only past ones; the rota staff book computers only after the desk
//! closes (15:30) or at weekends, so a published shift and a computer of
//! theirs never meet; the qipao and calligraphy leaders book nothing (their
//! journey counts their bookings); the qipao room is left free (the board
//! books it now); and the hall's next-week Wednesday and Thursday cells the
//! journeys take stay free.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};
use chrono_tz::Tz;

use crate::db::DbConn;
use crate::domain::booking::{BookingRequest, OnConflict, Target, Urgency};
use crate::domain::interval::Interval;
use crate::domain::local_time::{at_minutes, ceil_to_slot, local_date, minute_of_day, resolve_lenient};
use crate::domain::policy::Caller;
use crate::domain::recurrence::Recurrence;
use crate::errors::ApiError;
use crate::notify::Notifier;
use crate::store::access::{SiteAccess, site_access};
use crate::store::resources::{self, ResourceFilter};
use crate::store::{groups, users};
use crate::workflows::bookings::{Outcome, check_in, create};

/// Book the computers of the pool, whichever is free.
const COMPUTERS: &str = "computers";

/// Staff on the desk rota: their computers are booked after the desk closes.
const ROTA_STAFF: [&str; 7] = [
    "zhang.wei@livingroom.example",
    "liu.yang@livingroom.example",
    "chen.jing@livingroom.example",
    "yang.fan@livingroom.example",
    "zhao.min@livingroom.example",
    "sun.lei@livingroom.example",
    "secretary@livingroom.example",
];

/// Away from the desk (demo/rota.rs): their computer time is in the day.
const OUT_IN_THE_BLOCKS: [&str; 2] = ["qian.kai@livingroom.example", "li.na@livingroom.example"];

const PURPOSES: [&str; 5] = [
    "整理居民台账 Updating the residents' register",
    "网上办理医保 Health-insurance forms online",
    "养老金资格认证 Pension eligibility checks",
    "打印社区通知 Printing notices",
    "写季度小结 Quarterly summary",
];

const HALL: &str = "多功能厅 Multi-function room";
const READING_ROOM: &str = "阅览室 Reading room";
const TALK_ROOM: &str = "谈心室 Talk room";

struct Demo<'a> {
    slug: &'a str,
    tz: Tz,
    notifier: &'a Notifier,
}

fn access_of(conn: &mut DbConn, slug: &str, email: &str) -> Result<SiteAccess, ApiError> {
    let user = users::by_email(conn, email)?.ok_or_else(|| ApiError::not_found("demo person"))?;
    site_access(
        conn,
        slug,
        Caller {
            user_id: user.id,
            operator: false,
            observer: false,
        },
    )
}

fn request(target: Target, slot: Interval, purpose: &str) -> BookingRequest {
    BookingRequest {
        target,
        slot,
        purpose: purpose.to_owned(),
        urgency: Urgency::Routine,
        reason: None,
        headcount: None,
        group_id: None,
        recurrence: None,
        on_conflict: OnConflict::Fail,
        flexible: false,
        latest_start: None,
    }
}

impl Demo<'_> {
    /// `minutes` of the local day `date`, as an instant.
    fn at(&self, date: NaiveDate, minutes: u32) -> DateTime<Utc> {
        resolve_lenient(self.tz, at_minutes(date, minutes))
    }

    fn slot(&self, date: NaiveDate, start: u32, end: u32) -> Interval {
        Interval::of(self.at(date, start), self.at(date, end))
    }

    /// Books as `email`, asked for at `asked`.
    fn book(
        &self,
        conn: &mut DbConn,
        email: &str,
        req: &BookingRequest,
        asked: DateTime<Utc>,
    ) -> Result<Outcome, ApiError> {
        let access = access_of(conn, self.slug, email)?;
        create(conn, &access, req, self.notifier, asked)
    }

    /// One computer booking, asked for an hour before it starts (or now).
    /// One in the past was checked in five minutes after its start, as its
    /// person came: otherwise it would be released as a no-show.
    fn computer(
        &self,
        conn: &mut DbConn,
        email: &str,
        slot: Interval,
        purpose: &str,
        now: DateTime<Utc>,
    ) -> Result<(), ApiError> {
        let asked = (slot.start - Duration::hours(1)).min(now);
        let req = request(Target::Pool(COMPUTERS.to_owned()), slot, purpose);
        let access = access_of(conn, self.slug, email)?;
        if let Outcome::Created(created) = create(conn, &access, &req, self.notifier, asked)? {
            for b in &created.bookings {
                let came = b.starts_at.and_utc() + Duration::minutes(5);
                if came < now {
                    check_in(conn, &access, b.id, self.notifier, came)?;
                }
            }
        }
        Ok(())
    }
}

/// The first `weekday` on or after `date`.
fn next_on(date: NaiveDate, weekday: Weekday) -> NaiveDate {
    let ahead = (7 + weekday.num_days_from_monday() - date.weekday().num_days_from_monday()) % 7;
    date + Duration::days(i64::from(ahead))
}

fn weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Loads the month's bookings at the demo site `slug`.
pub fn load(conn: &mut DbConn, slug: &str, notifier: &Notifier, now: DateTime<Utc>) -> Result<(), ApiError> {
    let secretary = access_of(conn, slug, crate::demo::ADMIN_EMAIL)?;
    let demo = Demo {
        slug,
        tz: secretary.site.tz(),
        notifier,
    };
    let today = local_date(demo.tz, now);
    computers(conn, &demo, today, now)?;
    rooms(conn, &demo, &secretary, today, now)
}

/// Two weeks back and two ahead (computers are booked at most 14 days
/// ahead), with a request waiting in line three days from now.
fn computers(
    conn: &mut DbConn,
    demo: &Demo<'_>,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    for offset in (-14..=13).filter(|d| *d != 0) {
        let date = today + Duration::days(offset);
        let n = usize::try_from(offset + 14).unwrap_or(0);
        let purpose = PURPOSES[n % PURPOSES.len()];
        let staff = ROTA_STAFF[n % ROTA_STAFF.len()];
        if weekend(date) {
            demo.computer(conn, staff, demo.slot(date, 10 * 60, 11 * 60 + 30), purpose, now)?;
            continue;
        }
        if offset < 0 {
            let (first, second) = (OUT_IN_THE_BLOCKS[n % 2], OUT_IN_THE_BLOCKS[(n + 1) % 2]);
            demo.computer(conn, first, demo.slot(date, 9 * 60, 10 * 60 + 30), purpose, now)?;
            let other = PURPOSES[(n + 2) % PURPOSES.len()];
            demo.computer(conn, second, demo.slot(date, 14 * 60, 15 * 60), other, now)?;
        }
        demo.computer(conn, staff, demo.slot(date, 16 * 60, 17 * 60), purpose, now)?;
        let later = ROTA_STAFF[(n + 3) % ROTA_STAFF.len()];
        demo.computer(
            conn,
            later,
            demo.slot(date, 17 * 60 + 30, 18 * 60 + 30),
            purpose,
            now,
        )?;
    }
    waiting(conn, demo, today + Duration::days(3), now)
}

/// All three computers taken at 18:45 on `date`, and a fourth colleague
/// waiting in line for one.
fn waiting(conn: &mut DbConn, demo: &Demo<'_>, date: NaiveDate, now: DateTime<Utc>) -> Result<(), ApiError> {
    let slot = demo.slot(date, 18 * 60 + 45, 19 * 60 + 45);
    let taken = [
        "chen.jing@livingroom.example",
        "yang.fan@livingroom.example",
        "zhang.wei@livingroom.example",
    ];
    for email in taken {
        demo.computer(
            conn,
            email,
            slot,
            "填报民生实事项目 Filing the community projects",
            now,
        )?;
    }
    let mut req = request(
        Target::Pool(COMPUTERS.to_owned()),
        slot,
        "打印敬老活动海报 Posters for the elders' outing",
    );
    req.on_conflict = OnConflict::Waitlist;
    match demo.book(conn, "sun.lei@livingroom.example", &req, now)? {
        Outcome::Waitlisted { .. } => Ok(()),
        Outcome::Created(_) => Err(ApiError::internal(anyhow::anyhow!(
            "the demo's waiting request found a computer free"
        ))),
    }
}

/// The rooms: the knitting class's weekly afternoon, the committee's
/// Monday meeting in the hall, mediation in the talk room, a residents'
/// meeting later today when the day allows, and the knitting show waiting
/// for the secretary's approval.
fn rooms(
    conn: &mut DbConn,
    demo: &Demo<'_>,
    secretary: &SiteAccess,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let site_id = secretary.site.id;
    let all = resources::list(conn, site_id, &ResourceFilter::default(), 0, 1000)?;
    let room = |name: &str| {
        all.iter()
            .find(|r| r.name == name)
            .map(|r| r.id)
            .ok_or_else(|| ApiError::not_found("demo room"))
    };
    let (hall, reading, talk) = (room(HALL)?, room(READING_ROOM)?, room(TALK_ROOM)?);
    let (knitting, _) = groups::list(conn, site_id, 0, 100)?
        .into_iter()
        .find(|(g, _)| g.name.starts_with("编织班"))
        .ok_or_else(|| ApiError::not_found("knitting class"))?;
    let knitting_lead = "knitting.lead@livingroom.example";
    let two_weeks_ago = today - Duration::days(14);

    // Weekly series begun two weeks ago, asked for the day before the first.
    let first = next_on(two_weeks_ago, Weekday::Thu);
    let mut req = request(
        Target::Resource(reading),
        demo.slot(first, 14 * 60, 16 * 60),
        "编织班每周活动 Knitting class",
    );
    req.group_id = Some(knitting.id);
    req.headcount = Some(12);
    req.recurrence = Some(Recurrence::weekly_count(5));
    demo.book(
        conn,
        knitting_lead,
        &req,
        demo.at(first - Duration::days(1), 10 * 60),
    )?;

    let first = next_on(two_weeks_ago, Weekday::Mon);
    let mut req = request(
        Target::Resource(hall),
        demo.slot(first, 9 * 60, 10 * 60 + 30),
        "居委会例会 Committee meeting",
    );
    req.headcount = Some(15);
    req.recurrence = Some(Recurrence::weekly_count(5));
    demo.book(
        conn,
        crate::demo::ADMIN_EMAIL,
        &req,
        demo.at(first - Duration::days(1), 10 * 60),
    )?;

    // Mornings: the talk room's duties are in the afternoon.
    for offset in [-9, -2, 4, 11] {
        let date = today + Duration::days(offset);
        let slot = demo.slot(date, 10 * 60, 11 * 60);
        let req = request(Target::Resource(talk), slot, "家庭矛盾调解 Family mediation");
        let asked = (slot.start - Duration::days(1)).min(now);
        demo.book(conn, "zhang.wei@livingroom.example", &req, asked)?;
    }

    if let Some(slot) = later_today(demo, today, now) {
        let mut req = request(Target::Resource(talk), slot, "居民议事会 Residents' council");
        req.headcount = Some(4);
        demo.book(conn, "chen.jing@livingroom.example", &req, now)?;
    }

    // The hall needs the secretary's approval: a Saturday a week or more
    // ahead, clear of the journeys' weekday cells.
    let show = next_on(today + Duration::days(5), Weekday::Sat);
    let mut req = request(
        Target::Resource(hall),
        demo.slot(show, 9 * 60 + 30, 11 * 60 + 30),
        "编织作品展 Knitting show",
    );
    req.group_id = Some(knitting.id);
    req.headcount = Some(40);
    demo.book(conn, knitting_lead, &req, now)?;
    Ok(())
}

/// An hour in the talk room later today, at least an hour's notice ahead
/// (the rooms' rule), within opening hours (08:00-21:00) and clear of the
/// Monday and Wednesday advice duties there (14:00-16:00); none when the
/// day is too far gone.
fn later_today(demo: &Demo<'_>, today: NaiveDate, now: DateTime<Utc>) -> Option<Interval> {
    let earliest = ceil_to_slot(demo.tz, now + Duration::minutes(60), 30);
    let mut start = if local_date(demo.tz, earliest) == today {
        minute_of_day(demo.tz, earliest).max(8 * 60)
    } else {
        return None;
    };
    let duty_day = matches!(today.weekday(), Weekday::Mon | Weekday::Wed);
    if duty_day && start + 60 > 14 * 60 && start < 16 * 60 {
        start = 16 * 60;
    }
    (start + 60 <= 21 * 60).then(|| demo.slot(today, start, start + 60))
}
