//! Mail about the front-desk rota: a new version changed someone's
//! shifts, or an offered shift is about to start with nobody taking it.

use chrono::NaiveDateTime;

use super::{Notifier, footer, greeting};
use crate::db::DbConn;
use crate::errors::ApiError;
use crate::mail::templates::{Kind, Note};
use crate::store::rota::Shift;
use crate::store::sites::Site;
use crate::store::users::{self, User};
use crate::words::Words;

impl Notifier {
    /// Version `version` of the rota changed the shifts of `user_id`;
    /// `theirs` are their shifts in the published period now (maybe none).
    pub fn rota_published(
        &self,
        conn: &mut DbConn,
        site: &Site,
        user_id: i64,
        version: i32,
        theirs: &[&Shift],
        now: NaiveDateTime,
    ) -> Result<bool, ApiError> {
        let Some(user) = users::by_id(conn, user_id)? else {
            return Ok(false);
        };
        let w = Words::new(user.language());
        let items: Vec<String> = theirs
            .iter()
            .map(|s| {
                format!(
                    "{} · {}",
                    w.range(site.tz(), s.starts_at.and_utc(), s.ends_at.and_utc()),
                    s.label
                )
            })
            .collect();
        let note = Note {
            subject: w.pick(
                format!("值班表已更新（第 {version} 版）"),
                format!("The desk rota changed (version {version})"),
            ),
            greeting: greeting(w, &user.name),
            paragraphs: vec![if items.is_empty() {
                w.pick(
                    "您在这段时间已没有前台值班。",
                    "You have no desk shifts in this period any more.",
                )
            } else {
                w.pick("您在这段时间的前台值班：", "Your desk shifts in this period:")
            }],
            items,
            link: Some((w.pick("查看值班表", "See the rota"), self.board_link(site))),
            footer: footer(w, &site.name),
        };
        let key = format!("rota-{}-v{version}-user-{user_id}", site.id);
        self.tell(conn, &user, Kind::RotaPublished, &key, note, now)
    }

    /// Tells `admin` that `shift` was offered for a swap and starts soon
    /// with nobody taking it.
    pub fn shift_untaken(
        &self,
        conn: &mut DbConn,
        site: &Site,
        admin: &User,
        shift: &Shift,
        now: NaiveDateTime,
    ) -> Result<bool, ApiError> {
        let w = Words::new(admin.language());
        let when = w.range(site.tz(), shift.starts_at.and_utc(), shift.ends_at.and_utc());
        let note = Note {
            subject: w.pick(
                format!("无人接班：{}", shift.label),
                format!("Nobody took an offered shift: {}", shift.label),
            ),
            greeting: greeting(w, &admin.name),
            paragraphs: vec![w.pick(
                format!("{when} 的班次已提出换班，但还没有人接。"),
                format!("The shift {when} was offered for a swap and nobody has taken it."),
            )],
            footer: footer(w, &site.name),
            ..Note::default()
        };
        let key = format!("shift-{}-untaken-{}", shift.id, admin.id);
        self.tell(conn, admin, Kind::ShiftUntaken, &key, note, now)
    }
}
