//! Turning events into queued mail: who is told, in which language, with
//! which words. Everything here runs inside the transaction of the change
//! it reports, so a rolled-back change sends nothing.

use chrono::{DateTime, NaiveDateTime, Utc};

use crate::db::DbConn;
use crate::errors::ApiError;
use crate::mail::content::{CalendarFile, Content};
use crate::mail::ics::CalendarEvent;
use crate::mail::templates::{Kind, Note, Words};
use crate::store::bookings::Booking;
use crate::store::outbox::{self, NewMail};
use crate::store::resources::{self, Resource};
use crate::store::sites::Site;
use crate::store::users::{self, User};

/// Builds and queues notifications. Cheap to clone; lives in the app state.
#[derive(Clone, Debug)]
pub struct Notifier {
    /// Base of links in mail.
    pub public_url: String,
    /// The right-hand side of Message-IDs and calendar UIDs.
    pub host: String,
}

/// One message to queue for one person.
pub struct Outgoing<'a> {
    pub kind: Kind,
    /// Names the event; the outbox keeps one message per event.
    pub event_key: &'a str,
    pub note: Note,
    /// An `.ics` to attach, laid out when the message is sent.
    pub calendar: Option<CalendarFile>,
}

impl Notifier {
    pub fn new(public_url: &str) -> Notifier {
        let host = public_url
            .split("://")
            .nth(1)
            .unwrap_or(public_url)
            .split(['/', ':'])
            .next()
            .filter(|h| !h.is_empty())
            .unwrap_or("livingroom.local")
            .to_owned();
        Notifier {
            public_url: public_url.trim_end_matches('/').to_owned(),
            host,
        }
    }

    pub fn message_id(&self, event_key: &str) -> String {
        format!("<{event_key}@{}>", self.host)
    }

    /// Whether `user` wants mail of `kind`.
    pub fn wants(user: &User, kind: Kind) -> bool {
        kind.is_security() || !user.mail_opt_out.split(',').any(|k| k.trim() == kind.code())
    }

    /// Queues a message for `user` (once per event), unless they turned
    /// its kind off. The note is kept as it is and laid out when sent
    /// (see [`crate::mail::content`]): this runs on the writer.
    pub fn queue(
        &self,
        conn: &mut DbConn,
        user: &User,
        mail: Outgoing<'_>,
        now: NaiveDateTime,
    ) -> Result<bool, ApiError> {
        let Outgoing {
            kind,
            event_key,
            note,
            calendar,
        } = mail;
        if !Self::wants(user, kind) {
            return Ok(false);
        }
        let subject = note.subject.clone();
        let content = Content::Note { note, calendar }.to_stored();
        let message_id = self.message_id(event_key);
        outbox::enqueue(
            conn,
            &NewMail {
                event_key,
                message_id: &message_id,
                kind: kind.code(),
                user_id: Some(user.id),
                to_address: &user.email,
                language: user.language().code(),
                subject: &subject,
                content: &content,
            },
            now,
        )
    }

    pub fn invitation(
        &self,
        conn: &mut DbConn,
        user: &User,
        site: &Site,
        token: &str,
        expires: NaiveDateTime,
        now: NaiveDateTime,
    ) -> Result<bool, ApiError> {
        let w = Words::new(user.language());
        let link = format!("{}/accept-invite?token={token}", self.public_url);
        let expires = w.range(site.tz(), expires.and_utc(), expires.and_utc());
        let note = Note {
            subject: w.pick(format!("邀请您加入 {}", site.name), format!("You are invited to {}", site.name)),
            greeting: w.greeting(&user.name),
            paragraphs: vec![w.pick(
                format!("{} 邀请您使用社区公共客厅的预约系统。请点击下面的链接设置密码（链接在 {} 之前有效，只能使用一次）。", site.name, expires),
                format!("{} has invited you to the living room's booking service. Follow the link to set your password (valid until {}, once).", site.name, expires),
            )],
            link: Some((w.pick("设置密码", "Set your password"), link)),
            footer: w.security_footer(&site.name),
            ..Note::default()
        };
        let key = format!("invitation-{}-{}", user.id, &token[..12.min(token.len())]);
        self.queue(
            conn,
            user,
            Outgoing {
                kind: Kind::Invitation,
                event_key: &key,
                note,
                calendar: None,
            },
            now,
        )
    }

    pub fn password_reset(
        &self,
        conn: &mut DbConn,
        user: &User,
        token: &str,
        now: NaiveDateTime,
    ) -> Result<bool, ApiError> {
        let w = Words::new(user.language());
        let link = format!("{}/reset-password?token={token}", self.public_url);
        let note = Note {
            subject: w.pick("重置密码", "Reset your password"),
            greeting: w.greeting(&user.name),
            paragraphs: vec![w.pick(
                "有人（希望是您本人）请求重置您的密码。链接一小时内有效，只能使用一次。如果不是您，请忽略此邮件。",
                "Someone (we hope you) asked to reset your password. The link works once, for one hour. If it was not you, ignore this mail.",
            )],
            link: Some((w.pick("重置密码", "Reset password"), link)),
            footer: w.security_footer("livingroom"),
            ..Note::default()
        };
        let key = format!("password-reset-{}-{}", user.id, &token[..12.min(token.len())]);
        self.queue(
            conn,
            user,
            Outgoing {
                kind: Kind::PasswordReset,
                event_key: &key,
                note,
                calendar: None,
            },
            now,
        )
    }

    /// Tells the owner of `bookings` (one owner; a series or one booking)
    /// what happened to them. `why` adds a sentence (who cancelled, the
    /// reason of a more urgent request...).
    pub fn bookings(
        &self,
        conn: &mut DbConn,
        site: &Site,
        kind: Kind,
        bookings: &[Booking],
        why: Option<(String, String)>,
        now: NaiveDateTime,
    ) -> Result<bool, ApiError> {
        let Some(first) = bookings.first() else {
            return Ok(false);
        };
        let Some(owner) = users::by_id(conn, first.owner_id)? else {
            return Ok(false);
        };
        let resource = resources::by_id(conn, site.id, first.resource_id)?;
        self.bookings_on(conn, site, &resource, &owner, kind, bookings, why, now)
    }

    /// [`Notifier::bookings`] for a caller that already holds the
    /// bookings' resource and their owner's account (making a booking:
    /// saves reading them again on the writer).
    #[allow(clippy::too_many_arguments)]
    pub fn bookings_on(
        &self,
        conn: &mut DbConn,
        site: &Site,
        resource: &Resource,
        owner: &User,
        kind: Kind,
        bookings: &[Booking],
        why: Option<(String, String)>,
        now: NaiveDateTime,
    ) -> Result<bool, ApiError> {
        let Some(first) = bookings.first() else {
            return Ok(false);
        };
        debug_assert_eq!(owner.id, first.owner_id, "mail goes to the bookings' owner");
        let w = Words::new(owner.language());
        let tz = site.tz();
        let what = &resource.name;
        let (subject, lead) = match kind {
            Kind::BookingConfirmed => (
                w.pick(format!("预约成功：{what}"), format!("Booked: {what}")),
                w.pick(
                    format!("您已预约 {what}："),
                    format!("Your booking of {what} is confirmed:"),
                ),
            ),
            Kind::BookingApproved => (
                w.pick(format!("预约已批准：{what}"), format!("Approved: {what}")),
                w.pick(
                    format!("管理员已批准您对 {what} 的预约："),
                    format!("The admin approved your booking of {what}:"),
                ),
            ),
            Kind::BookingRejected => (
                w.pick(format!("预约未获批准：{what}"), format!("Not approved: {what}")),
                w.pick(
                    format!("很抱歉，管理员没有批准您对 {what} 的预约："),
                    format!("Sorry, the admin did not approve your booking of {what}:"),
                ),
            ),
            Kind::BookingCancelled => (
                w.pick(format!("预约已取消：{what}"), format!("Cancelled: {what}")),
                w.pick(
                    format!("您对 {what} 的预约已取消："),
                    format!("Your booking of {what} was cancelled:"),
                ),
            ),
            Kind::BookingReleased => (
                w.pick(format!("预约已释放：{what}"), format!("Released: {what}")),
                w.pick(
                    format!("您没有按时签到，{what} 的预约已释放给同事使用："),
                    format!(
                        "You did not check in on time, so your booking of {what} was released for colleagues:"
                    ),
                ),
            ),
            _ => (
                w.pick(
                    format!("预约有变动：{what}"),
                    format!("Your booking changed: {what}"),
                ),
                w.pick(
                    format!("您对 {what} 的预约有变动："),
                    format!("Your booking of {what} changed:"),
                ),
            ),
        };
        let mut paragraphs = vec![lead];
        if let Some((zh, en)) = why {
            paragraphs.push(w.pick(zh, en));
        }
        let items: Vec<String> = bookings
            .iter()
            .map(|b| {
                format!(
                    "{} · {}",
                    w.range(tz, b.starts_at.and_utc(), b.ends_at.and_utc()),
                    b.purpose
                )
            })
            .collect();
        let note = Note {
            subject,
            greeting: w.greeting(&owner.name),
            paragraphs,
            items,
            link: Some((
                w.pick("查看我的预约", "See my bookings"),
                format!("{}/board/{}", self.public_url, site.slug),
            )),
            footer: w.footer(&site.name),
        };
        let attach = matches!(
            kind,
            Kind::BookingConfirmed | Kind::BookingApproved | Kind::BookingCancelled
        );
        let calendar = attach.then(|| {
            let events: Vec<CalendarEvent> = bookings
                .iter()
                .map(|b| CalendarEvent {
                    uid: format!("booking-{}@{}", b.id, self.host),
                    summary: format!("{what}: {}", b.purpose),
                    description: Some(site.name.clone()),
                    location: Some(format!("{} · {}", site.name, what)),
                    starts_at: b.starts_at.and_utc(),
                    ends_at: b.ends_at.and_utc(),
                    cancelled: kind == Kind::BookingCancelled,
                })
                .collect();
            CalendarFile {
                file_name: "booking.ics".to_owned(),
                name: site.name.clone(),
                events,
            }
        });
        let key = match (first.series_id, bookings.len()) {
            (Some(series), n) if n > 1 => format!("series-{series}-{}-{}", kind.code(), first.id),
            _ => format!("booking-{}-{}", first.id, kind.code()),
        };
        self.queue(
            conn,
            owner,
            Outgoing {
                kind,
                event_key: &key,
                note,
                calendar,
            },
            now,
        )
    }
}

/// For callers that hold an instant rather than a stored timestamp.
pub fn stored(t: DateTime<Utc>) -> NaiveDateTime {
    t.naive_utc()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_comes_from_the_public_url() {
        assert_eq!(
            Notifier::new("https://rooms.example.org:8443/x").host,
            "rooms.example.org"
        );
        assert_eq!(Notifier::new("http://127.0.0.1:8080").host, "127.0.0.1");
        assert_eq!(Notifier::new("").host, "livingroom.local");
    }
}
