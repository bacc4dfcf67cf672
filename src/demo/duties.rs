//! The demo's volunteer desk (DOMAIN.md: legal, labour and health advice
//! on a weekly rotation, Dr Chen's blood-pressure check on Tuesday
//! mornings): weekly duties holding their rooms, and the standing sign-ups
//! that make an absence ask others to cover. Created through the duties
//! workflows, as the secretary and the volunteers would through the API.

use chrono::Weekday;

use crate::clock;
use crate::db::DbConn;
use crate::domain::duty::DutyPattern;
use crate::domain::local_time::local_date;
use crate::domain::policy::Caller;
use crate::errors::ApiError;
use crate::store::access::site_access;
use crate::store::resources::{self, ResourceFilter};
use crate::store::users;
use crate::workflows::duties::{DutyInput, create, sign_up};

/// name, weekday, start, end (minutes), places, skill, room, who signs up every week.
type DemoDuty = (
    &'static str,
    Weekday,
    u32,
    u32,
    i32,
    Option<&'static str>,
    &'static str,
    &'static [&'static str],
);

const DUTIES: &[DemoDuty] = &[
    (
        "劳动保障咨询 Labour advice",
        Weekday::Mon,
        14 * 60,
        16 * 60,
        1,
        Some("labour"),
        "谈心室 Talk room",
        &["wu.shifu@livingroom.example"],
    ),
    // Dr Chen, every Tuesday morning (DOMAIN.md).
    (
        "量血压 Blood-pressure check",
        Weekday::Tue,
        8 * 60,
        10 * 60,
        1,
        Some("medical"),
        "健康小屋 Blood-pressure corner",
        &["chen.mei@livingroom.example"],
    ),
    (
        "法律咨询 Legal advice",
        Weekday::Wed,
        14 * 60,
        16 * 60,
        1,
        Some("legal"),
        "谈心室 Talk room",
        &["zhou.lawyer@livingroom.example"],
    ),
    (
        "义诊 Free clinic",
        Weekday::Thu,
        9 * 60,
        11 * 60,
        2,
        Some("medical"),
        "健康小屋 Blood-pressure corner",
        &["huang.yi@livingroom.example"],
    ),
    (
        "读报陪聊 Reading with elders",
        Weekday::Fri,
        9 * 60 + 30,
        11 * 60,
        2,
        None,
        "阅览室 Reading room",
        &[],
    ),
];

fn caller(conn: &mut DbConn, email: &str) -> Result<Caller, ApiError> {
    let user = users::by_email(conn, email)?.ok_or_else(|| ApiError::not_found("demo person"))?;
    Ok(Caller {
        user_id: user.id,
        operator: false,
        observer: false,
    })
}

/// Adds the duties and sign-ups to the demo site `slug`, as `admin_email`.
pub fn load(conn: &mut DbConn, slug: &str, admin_email: &str) -> Result<(), ApiError> {
    // The demo site has no robots; nothing is announced.
    let notifier = crate::notify::Notifier::new(super::rota::MAIL_URL);
    let now = clock::now();
    let admin = caller(conn, admin_email)?;
    let access = site_access(conn, slug, admin)?;
    let today = local_date(access.site.tz(), now);
    let rooms = resources::list(conn, access.site.id, &ResourceFilter::default(), 0, 1000)?;
    for (name, weekday, start, end, places, skill, room, weekly) in DUTIES {
        let room = rooms
            .iter()
            .find(|r| r.name == *room)
            .ok_or_else(|| ApiError::not_found("demo room"))?;
        let (duty, _) = create(
            conn,
            &access,
            DutyInput {
                name: (*name).to_owned(),
                pattern: DutyPattern {
                    weekday: *weekday,
                    start_minute: *start,
                    end_minute: *end,
                    from: today,
                    until: None,
                    every_weeks: 1,
                },
                capacity: *places,
                skill: skill.map(str::to_owned),
                resource_id: Some(room.id),
            },
            now,
        )?;
        for email in *weekly {
            let volunteer = caller(conn, email)?;
            let theirs = site_access(conn, slug, volunteer)?;
            sign_up(conn, &theirs, duty.id, None, &notifier, now)?;
        }
    }
    Ok(())
}
