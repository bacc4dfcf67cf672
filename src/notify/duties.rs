//! Mail about volunteer duty: asking others to cover an absence, the
//! reminder the day before, and telling the admins a duty is short.

use chrono::NaiveDateTime;

use super::{Notifier, footer, greeting};
use crate::db::DbConn;
use crate::domain::duty::Occurrence;
use crate::errors::ApiError;
use crate::mail::templates::{Kind, Note};
use crate::store::duties::Duty;
use crate::store::sites::Site;
use crate::store::users::User;
use crate::words::Words;
use crate::workflows::duties::OccurrenceView;

impl Notifier {
    /// Asks `user` to cover a place freed on `duty` at `occ`.
    pub fn cover_needed(
        &self,
        conn: &mut DbConn,
        site: &Site,
        user: &User,
        duty: &Duty,
        occ: &Occurrence,
        now: NaiveDateTime,
    ) -> Result<bool, ApiError> {
        let w = Words::new(user.language());
        let when = w.range(site.tz(), occ.slot.start, occ.slot.end);
        let note = Note {
            subject: w.pick(
                format!("请求代班：{}", duty.name),
                format!("Cover needed: {}", duty.name),
            ),
            greeting: greeting(w, &user.name),
            paragraphs: vec![
                w.pick(
                    format!("{when} 的“{}”空出了一个名额。", duty.name),
                    format!("A place is free on \"{}\", {when}.", duty.name),
                ),
                w.pick(
                    "如果您能来，请报名（仅这一次）；先报名者得。",
                    "If you can come, sign up for that date only; the first to sign up takes it.",
                ),
            ],
            // One tap: the page asks "will you cover it?" (after sign-in if need be).
            link: Some((
                w.pick("我来代班", "I can cover it"),
                format!(
                    "{}/s/{}/duties/{}/cover/{}",
                    self.public_url, site.slug, duty.id, occ.date
                ),
            )),
            footer: footer(w, &site.name),
            ..Note::default()
        };
        let key = format!("duty-{}-{}-cover-{}", duty.id, occ.date, user.id);
        self.tell(conn, user, Kind::DutyCoverRequest, &key, note, now)
    }

    /// Reminds `user` of their duty `occ` tomorrow.
    pub fn duty_reminder(
        &self,
        conn: &mut DbConn,
        site: &Site,
        user: &User,
        occ: &OccurrenceView,
        now: NaiveDateTime,
    ) -> Result<bool, ApiError> {
        let w = Words::new(user.language());
        let when = w.range(site.tz(), occ.starts_at, occ.ends_at);
        let note = Note {
            subject: w.pick(format!("明天值班提醒：{}", occ.name), format!("Reminder: {} tomorrow", occ.name)),
            greeting: greeting(w, &user.name),
            paragraphs: vec![w.pick(
                format!("提醒您明天（{when}）的“{}”值班。如果来不了，请在系统里登记请假，我们会请其他志愿者代班。", occ.name),
                format!("A reminder of your duty \"{}\" tomorrow, {when}. If you cannot come, record an absence and we will ask others to cover.", occ.name),
            )],
            footer: footer(w, &site.name),
            ..Note::default()
        };
        let key = format!("duty-{}-{}-reminder-{}", occ.duty_id, occ.date, user.id);
        self.tell(conn, user, Kind::DutyReminder, &key, note, now)
    }

    /// Tells `admin` that `occ` is still short of volunteers.
    pub fn duty_short(
        &self,
        conn: &mut DbConn,
        site: &Site,
        admin: &User,
        occ: &OccurrenceView,
        now: NaiveDateTime,
    ) -> Result<bool, ApiError> {
        let w = Words::new(admin.language());
        let when = w.range(site.tz(), occ.starts_at, occ.ends_at);
        let note = Note {
            subject: w.pick(
                format!("值班缺人：{}", occ.name),
                format!("Short of volunteers: {}", occ.name),
            ),
            greeting: greeting(w, &admin.name),
            paragraphs: vec![w.pick(
                format!("“{}”（{when}）还差 {} 人。", occ.name, occ.free),
                format!("\"{}\" ({when}) is still {} short.", occ.name, occ.free),
            )],
            footer: footer(w, &site.name),
            ..Note::default()
        };
        let key = format!("duty-{}-{}-short-{}", occ.duty_id, occ.date, admin.id);
        self.tell(conn, admin, Kind::DutyShort, &key, note, now)
    }
}
