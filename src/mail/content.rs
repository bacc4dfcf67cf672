//! What a queued message says, as it is kept in the outbox: the note and
//! calendar it was made from, laid out only when it is sent.
//!
//! Why not the finished bodies: a message is queued inside the transaction
//! of the change it reports, and on SQLite that is the one writer thread
//! every booking waits for. Laying out the text, the HTML and the calendar
//! attachment there, and writing three bodies (two kilobytes and more) into
//! the outbox, was a fifth of the writer's time per booking; claiming and
//! marking those wide rows was another tenth. The note is a few hundred
//! bytes of JSON, and the mail worker lays it out beside the writer. The
//! words are fixed when the message is queued (the note holds them), so a
//! message says what was true when it happened, however late it is sent.

use serde::{Deserialize, Serialize};

use super::ics::{self, CalendarEvent};
use super::templates::{Note, render};
use crate::domain::person::Language;

/// A message's content, stored as JSON in `outbox.content`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "format", rename_all = "snake_case")]
pub enum Content {
    /// Laid out when sent ([`render`], [`ics::calendar`]).
    Note {
        note: Note,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        calendar: Option<CalendarFile>,
    },
    /// Bodies laid out when the message was queued: messages queued before
    /// the outbox kept notes (migration 10 converted them), and tests that
    /// queue a message by hand.
    Rendered {
        text: String,
        html: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        attachment: Option<Attachment>,
    },
}

/// An `.ics` attachment, kept as its events.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CalendarFile {
    /// The attachment's file name.
    pub file_name: String,
    /// The calendar's name (the site's).
    pub name: String,
    pub events: Vec<CalendarEvent>,
}

/// A finished attachment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub file_name: String,
    pub media_type: String,
    pub content: String,
}

/// A message's bodies, ready for [`super::compose::build`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bodies {
    pub text: String,
    pub html: String,
    pub attachment: Option<Attachment>,
}

/// The media type of every calendar attachment.
const CALENDAR_TYPE: &str = "text/calendar; charset=utf-8; method=PUBLISH";

/// What stands in a sent message's link for its token.
pub const REDACTED: &str = "[redacted]";

/// Stored content with every link's token (`token=...`) replaced by
/// [`REDACTED`], or `None` when it holds no token. Once a message is sent
/// the outbox keeps this copy: a live invitation or reset link must not
/// outlive its delivery in the database, its backups or the admin's
/// outbox view.
pub fn redacted(stored: &str) -> Option<String> {
    const MARK: &str = "token=";
    if !stored.contains(MARK) {
        return None;
    }
    let mut out = String::with_capacity(stored.len());
    let mut rest = stored;
    while let Some(at) = rest.find(MARK) {
        let (before, after) = rest.split_at(at + MARK.len());
        out.push_str(before);
        // Tokens are URL-safe base64 (`auth::secret`).
        let end = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .unwrap_or(after.len());
        if end > 0 {
            out.push_str(REDACTED);
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    (out != stored).then_some(out)
}

impl Content {
    /// Parses stored content.
    pub fn parse(stored: &str) -> anyhow::Result<Content> {
        Ok(serde_json::from_str(stored)?)
    }

    /// The JSON kept in the outbox.
    pub fn to_stored(&self) -> String {
        // A tree of strings and lists: serialising it cannot fail.
        serde_json::to_string(self).expect("mail content serialises")
    }

    /// Lays the message out, in `language` (the recipient's).
    pub fn bodies(&self, language: Language) -> Bodies {
        match self {
            Content::Note { note, calendar } => {
                let rendered = render(note, language);
                Bodies {
                    text: rendered.text,
                    html: rendered.html,
                    attachment: calendar.as_ref().map(|c| Attachment {
                        file_name: c.file_name.clone(),
                        media_type: CALENDAR_TYPE.to_owned(),
                        content: ics::calendar(&c.name, &c.events),
                    }),
                }
            }
            Content::Rendered {
                text,
                html,
                attachment,
            } => Bodies {
                text: text.clone(),
                html: html.clone(),
                attachment: attachment.clone(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_takes_every_token_and_nothing_else() {
        let stored = r#"{"link":"https://x/accept-invite?token=Ab-_9z","b":"token=","c":"reset-password?token=QQ&x=1"}"#;
        assert_eq!(
            redacted(stored).unwrap(),
            r#"{"link":"https://x/accept-invite?token=[redacted]","b":"token=","c":"reset-password?token=[redacted]&x=1"}"#
        );
        assert_eq!(redacted(r#"{"a":"no link"}"#), None);
    }
    use chrono::{TimeZone, Utc};

    fn note() -> Note {
        Note {
            subject: "预约成功：电脑 1".into(),
            greeting: "陈梅，您好：".into(),
            paragraphs: vec!["您已预约 电脑 1：".into()],
            items: vec!["12月3日 09:00–09:45 · <走访记录>".into()],
            link: Some(("查看我的预约".into(), "http://x/board/demo".into())),
            footer: "demo".into(),
        }
    }

    #[test]
    fn a_stored_note_lays_out_as_it_would_have_when_queued() {
        let event = CalendarEvent {
            uid: "booking-7@livingroom.test".into(),
            summary: "电脑 1: 走访记录".into(),
            description: Some("demo".into()),
            location: None,
            starts_at: Utc.with_ymd_and_hms(2026, 12, 3, 1, 0, 0).unwrap(),
            ends_at: Utc.with_ymd_and_hms(2026, 12, 3, 1, 45, 0).unwrap(),
            cancelled: false,
            sequence: 0,
        };
        let content = Content::Note {
            note: note(),
            calendar: Some(CalendarFile {
                file_name: "booking.ics".into(),
                name: "demo".into(),
                events: vec![event],
            }),
        };
        let stored = content.to_stored();
        let bodies = Content::parse(&stored).unwrap().bodies(Language::ZhCn);
        let direct = render(&note(), Language::ZhCn);
        assert_eq!(bodies.text, direct.text);
        assert_eq!(bodies.html, direct.html);
        assert!(
            bodies.html.contains("&lt;走访记录&gt;"),
            "HTML escapes: {}",
            bodies.html
        );
        let attachment = bodies.attachment.expect("the calendar");
        assert_eq!(attachment.file_name, "booking.ics");
        assert_eq!(attachment.media_type, CALENDAR_TYPE);
        let parsed: icalendar::Calendar = attachment.content.parse().unwrap();
        assert_eq!(parsed.components.len(), 1);
        assert!(attachment.content.contains("UID:booking-7@livingroom.test"));
    }

    #[test]
    fn rendered_content_is_sent_as_it_was_stored() {
        // The shape migration 10 writes for messages queued before it.
        let stored = r#"{"format":"rendered","text":"hello","html":"<p>hello</p>","attachment":{"file_name":"booking.ics","media_type":"text/calendar","content":"BEGIN:VCALENDAR"}}"#;
        let bodies = Content::parse(stored).unwrap().bodies(Language::En);
        assert_eq!(bodies.text, "hello");
        assert_eq!(bodies.html, "<p>hello</p>");
        assert_eq!(bodies.attachment.unwrap().content, "BEGIN:VCALENDAR");
        let bare = r#"{"format":"rendered","text":"t","html":"h","attachment":null}"#;
        assert_eq!(
            Content::parse(bare).unwrap().bodies(Language::En).attachment,
            None
        );
    }

    #[test]
    fn unknown_content_is_an_error_not_a_panic() {
        assert!(Content::parse("{}").is_err());
        assert!(Content::parse("not json").is_err());
    }
}
