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

    fn shifts_link(&self, site: &Site) -> String {
        format!("{}/s/{}/shifts", self.public_url, site.slug)
    }

    /// Tells `colleague` that `giver` offers `shift`, which the rota's
    /// rules would let the colleague take.
    pub fn shift_offered(
        &self,
        conn: &mut DbConn,
        site: &Site,
        colleague: &User,
        giver: &str,
        shift: &Shift,
        now: NaiveDateTime,
    ) -> Result<bool, ApiError> {
        let w = Words::new(colleague.language());
        let when = w.range(site.tz(), shift.starts_at.and_utc(), shift.ends_at.and_utc());
        let note = Note {
            subject: w.pick(
                format!("{giver} 让出一个班：{when}"),
                format!("{giver} offers a shift: {when}"),
            ),
            greeting: greeting(w, &colleague.name),
            paragraphs: vec![w.pick(
                format!("{giver} 来不了 {when} 的{}，你可以接这个班。先接的同事得到它。", shift.label),
                format!(
                    "{giver} cannot make {} {when}, and you could take it. The first colleague to take it gets it.",
                    shift.label
                ),
            )],
            link: Some((w.pick("去接班", "Take the shift"), self.shifts_link(site))),
            footer: footer(w, &site.name),
            ..Note::default()
        };
        let key = format!(
            "shift-{}-offered-{}-to-{}",
            shift.id,
            shift
                .offered_at
                .map(|t| t.and_utc().timestamp())
                .unwrap_or_default(),
            colleague.id
        );
        self.tell(conn, colleague, Kind::ShiftOffered, &key, note, now)
    }

    /// Tells `reader` that `taker` took the shift `giver` offered: both of
    /// them are told, each in their own words.
    #[allow(clippy::too_many_arguments)]
    pub fn shift_taken(
        &self,
        conn: &mut DbConn,
        site: &Site,
        reader: &User,
        giver: &str,
        taker: &str,
        shift: &Shift,
        now: NaiveDateTime,
    ) -> Result<bool, ApiError> {
        let w = Words::new(reader.language());
        let when = w.range(site.tz(), shift.starts_at.and_utc(), shift.ends_at.and_utc());
        let took_it = reader.name == taker;
        let note = Note {
            subject: if took_it {
                w.pick(
                    format!("你接了 {when} 的班"),
                    format!("You took the shift {when}"),
                )
            } else {
                w.pick(
                    format!("{taker} 接了你的班：{when}"),
                    format!("{taker} took your shift {when}"),
                )
            },
            greeting: greeting(w, &reader.name),
            paragraphs: vec![if took_it {
                w.pick(
                    format!("{when} 的{}现在是你的了（原来是 {giver} 的）。", shift.label),
                    format!("{} {when} is yours now (it was {giver}'s).", shift.label),
                )
            } else {
                w.pick(
                    format!(
                        "{taker} 接了你让出的 {when} 的{}，这个班已不是你的了。",
                        shift.label
                    ),
                    format!(
                        "{taker} took {} {when}, which you offered: it is no longer yours.",
                        shift.label
                    ),
                )
            }],
            link: Some((w.pick("查看我的接待班", "See my shifts"), self.shifts_link(site))),
            footer: footer(w, &site.name),
            ..Note::default()
        };
        let key = format!(
            "shift-{}-taken-{}-to-{}",
            shift.id,
            now.and_utc().timestamp(),
            reader.id
        );
        self.tell(conn, reader, Kind::ShiftTaken, &key, note, now)
    }
}
