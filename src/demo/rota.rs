//! The demo's front-desk rota, made as a secretary would make it through
//! the rota workflows: weekday morning and afternoon templates for the two
//! reception posts (the 330 method: the desk is staffed until 15:30), the
//! absences of the two colleagues who are out in the blocks, then a fair
//! draft for this week and the next, published (which books the desks).
//!
//! Qian Kai and Li Na are the social workers of journey 1, who book a
//! computer from "now" at whatever time the demo runs. A published shift
//! holds a desk, and one person holds one seat at a time, so a shift of
//! theirs at that moment would refuse the computer. They are recorded as
//! away from the desk for the demo's weeks (Qian Kai's mediation and
//! security rounds, Li Na's pension-card home visits), so the generator
//! never puts them on the rota and their computer bookings cannot clash.

use chrono::{DateTime, Duration, Utc};

use crate::db::DbConn;
use crate::domain::local_time::{day_of, local_date, week_start};
use crate::domain::period::{Period, PeriodOf};
use crate::domain::policy::Caller;
use crate::errors::ApiError;
use crate::notify::Notifier;
use crate::store::access::site_access;
use crate::store::rota::NewTemplate;
use crate::store::users;
use crate::workflows::{rota, rota_inputs};

/// The address the publication mail links to. The demo is loaded before
/// the server knows its own address; this is the one the README gives.
pub(super) const MAIL_URL: &str = "http://127.0.0.1:8080";

/// (start, end) in minutes of the local day, and the label.
const HALVES: [(i32, i32, &str); 2] = [
    (
        8 * 60 + 30,
        12 * 60,
        "首问接待 上午 First-contact reception, morning",
    ),
    (
        12 * 60,
        15 * 60 + 30,
        "首问接待 下午 First-contact reception, afternoon",
    ),
];

/// Who is away from the desk for the demo's weeks, and why.
const AWAY: [(&str, &str); 2] = [
    (
        "qian.kai@livingroom.example",
        "调解与安全巡查 Mediation and security rounds",
    ),
    (
        "li.na@livingroom.example",
        "养老金卡上门办理 Pension-card home visits",
    ),
];

/// Sets up and publishes the rota of this week and the next at the demo
/// site, as its secretary `admin_email`.
pub fn load(conn: &mut DbConn, slug: &str, admin_email: &str, now: DateTime<Utc>) -> Result<(), ApiError> {
    let admin = users::by_email(conn, admin_email)?.ok_or_else(|| ApiError::not_found("secretary"))?;
    let access = site_access(
        conn,
        slug,
        Caller {
            user_id: admin.id,
            operator: false,
            observer: false,
        },
    )?;
    let templates: Vec<NewTemplate> = (0..5)
        .flat_map(|weekday| {
            HALVES.iter().map(move |(start, end, label)| NewTemplate {
                weekday,
                start_minute: *start,
                end_minute: *end,
                positions: 2,
                label: (*label).to_owned(),
                desk_pool: Some("reception".to_owned()),
            })
        })
        .collect();
    rota_inputs::replace_templates(conn, &access, &templates)?;

    let tz = access.site.tz();
    let monday = week_start(local_date(tz, now));
    let last = monday + Duration::days(13);
    let away = Period::new(PeriodOf::Absence, day_of(tz, monday).start, day_of(tz, last).end)?;
    for (email, reason) in AWAY {
        let who = users::by_email(conn, email)?.ok_or_else(|| ApiError::not_found("demo person"))?;
        rota_inputs::add_unavailability(conn, &access, Some(who.id), away, reason, now.naive_utc())?;
    }

    rota::generate(conn, &access, monday, last, now)?;
    rota::publish(conn, &access, monday, last, &Notifier::new(MAIL_URL), now)?;
    Ok(())
}
