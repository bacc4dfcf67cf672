//! Turning events into queued mail: who is told, in which language, with
//! which words. Everything here runs inside the transaction of the change
//! it reports, so a rolled-back change sends nothing.
//!
//! The workflows decide what happened and who hears of it; every sentence
//! of every message is written here, one file per area: `accounts`,
//! `bookings`, `priority` (giving way and the waitlist), `rota` and
//! `duties`. Words the wall board says too come from [`crate::words`].

mod accounts;
mod bookings;
mod channels;

pub use bookings::Recipient;
mod duties;
mod priority;
mod rota;

use chrono::{DateTime, NaiveDateTime, Utc};

use crate::db::DbConn;
use crate::errors::ApiError;
use crate::mail::content::{CalendarFile, Content};
use crate::mail::templates::{Kind, Note};
use crate::store::outbox::{self, NewMail};
use crate::store::sites::Site;
use crate::store::users::User;
use crate::words::Words;

/// Builds and queues notifications. Cheap to clone; lives in the app state.
#[derive(Clone, Debug)]
pub struct Notifier {
    /// Base of links in mail.
    pub public_url: String,
    /// The right-hand side of Message-IDs and calendar UIDs.
    pub host: String,
}

/// One message to queue for one person. Private to this module so that
/// no message is worded anywhere else.
struct Outgoing<'a> {
    kind: Kind,
    /// Names the event; the outbox keeps one message per event.
    event_key: &'a str,
    note: Note,
    /// An `.ics` to attach, laid out when the message is sent.
    calendar: Option<CalendarFile>,
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
    fn queue(
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

    /// [`Notifier::queue`] for a message without attachment.
    fn tell(
        &self,
        conn: &mut DbConn,
        user: &User,
        kind: Kind,
        event_key: &str,
        note: Note,
        now: NaiveDateTime,
    ) -> Result<bool, ApiError> {
        let mail = Outgoing {
            kind,
            event_key,
            note,
            calendar: None,
        };
        self.queue(conn, user, mail, now)
    }

    /// Where a message sends people to see the site's bookings, rota and duties.
    fn board_link(&self, site: &Site) -> String {
        format!("{}/board/{}", self.public_url, site.slug)
    }
}

/// How every message opens.
fn greeting(w: Words, name: &str) -> String {
    w.pick(format!("{name}，您好："), format!("Dear {name},"))
}

/// How every message that can be turned off closes.
fn footer(w: Words, site: &str) -> String {
    w.pick(
        format!("{site} · 社区公共客厅 livingroom。可在个人设置中关闭此类通知。"),
        format!("{site} · livingroom. You can turn off this kind of mail in your settings."),
    )
}

/// How account security mail closes: it cannot be turned off.
fn security_footer(w: Words, site: &str) -> String {
    w.pick(
        format!("{site} · 社区公共客厅 livingroom。这是账户安全邮件。"),
        format!("{site} · livingroom. This is account security mail."),
    )
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
