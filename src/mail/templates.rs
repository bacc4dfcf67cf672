//! The kinds of mail and how a notification is laid out, as plain text and
//! HTML. Every notification is a [`Note`]: a subject, a few sentences, an
//! optional list (times, dates) and an optional link; one layout renders
//! them all, escaping every user-supplied word in HTML. What each one says
//! is written in [`crate::notify`].

use maud::{DOCTYPE, html};

use crate::domain::person::Language;

/// The kinds of mail, by stable code. Security mail cannot be turned off.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Invitation,
    PasswordReset,
    PasswordChanged,
    BookingConfirmed,
    BookingCancelled,
    /// A request waits for the admin's approval (to its requester).
    BookingPending,
    /// A request waits for approval (to the site's admins).
    ApprovalRequested,
    BookingApproved,
    BookingRejected,
    BookingReleased,
    BookingDisplaced,
    BookingRelocated,
    BookingWaitlisted,
    WaitlistServed,
    WaitlistExpired,
    RotaPublished,
    ShiftUntaken,
    /// A colleague offers a shift the reader could take.
    ShiftOffered,
    /// An offered shift was taken (to the one who offered and the taker).
    ShiftTaken,
    DutyReminder,
    DutyCoverRequest,
    DutyShort,
}

impl Kind {
    pub fn code(self) -> &'static str {
        match self {
            Kind::Invitation => "invitation",
            Kind::PasswordReset => "password_reset",
            Kind::PasswordChanged => "password_changed",
            Kind::BookingConfirmed => "booking_confirmed",
            Kind::BookingCancelled => "booking_cancelled",
            Kind::BookingPending => "booking_pending",
            Kind::ApprovalRequested => "approval_requested",
            Kind::BookingApproved => "booking_approved",
            Kind::BookingRejected => "booking_rejected",
            Kind::BookingReleased => "booking_released",
            Kind::BookingDisplaced => "booking_displaced",
            Kind::BookingRelocated => "booking_relocated",
            Kind::BookingWaitlisted => "booking_waitlisted",
            Kind::WaitlistServed => "waitlist_served",
            Kind::WaitlistExpired => "waitlist_expired",
            Kind::RotaPublished => "rota_published",
            Kind::ShiftUntaken => "shift_untaken",
            Kind::ShiftOffered => "shift_offered",
            Kind::ShiftTaken => "shift_taken",
            Kind::DutyReminder => "duty_reminder",
            Kind::DutyCoverRequest => "duty_cover_request",
            Kind::DutyShort => "duty_short",
        }
    }

    pub const ALL: [Kind; 22] = [
        Kind::Invitation,
        Kind::PasswordReset,
        Kind::PasswordChanged,
        Kind::BookingConfirmed,
        Kind::BookingCancelled,
        Kind::BookingPending,
        Kind::ApprovalRequested,
        Kind::BookingApproved,
        Kind::BookingRejected,
        Kind::BookingReleased,
        Kind::BookingDisplaced,
        Kind::BookingRelocated,
        Kind::BookingWaitlisted,
        Kind::WaitlistServed,
        Kind::WaitlistExpired,
        Kind::RotaPublished,
        Kind::ShiftUntaken,
        Kind::ShiftOffered,
        Kind::ShiftTaken,
        Kind::DutyReminder,
        Kind::DutyCoverRequest,
        Kind::DutyShort,
    ];

    pub fn from_code(code: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// Security mail always goes out, whatever the person's preferences.
    pub fn is_security(self) -> bool {
        matches!(
            self,
            Kind::Invitation | Kind::PasswordReset | Kind::PasswordChanged
        )
    }
}

/// One notification, before layout. Kept in the outbox as JSON and laid
/// out when sent (see [`super::content`]).
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Note {
    pub subject: String,
    pub greeting: String,
    pub paragraphs: Vec<String>,
    pub items: Vec<String>,
    /// Label and URL of the one thing to do next.
    pub link: Option<(String, String)>,
    pub footer: String,
}

/// A rendered notification.
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

pub fn render(note: &Note, language: Language) -> Rendered {
    let mut text = format!("{}\n\n", note.greeting);
    for p in &note.paragraphs {
        text.push_str(p);
        text.push_str("\n\n");
    }
    for i in &note.items {
        text.push_str("  - ");
        text.push_str(i);
        text.push('\n');
    }
    if !note.items.is_empty() {
        text.push('\n');
    }
    if let Some((label, url)) = &note.link {
        text.push_str(&format!("{label}: {url}\n\n"));
    }
    text.push_str("-- \n");
    text.push_str(&note.footer);
    text.push('\n');
    let html = html! {
        (DOCTYPE)
        html lang=(language.code()) {
            head { meta charset="utf-8"; title { (note.subject) } }
            body style="font-family: sans-serif; font-size: 16px; line-height: 1.5; color: #111;" {
                p { (note.greeting) }
                @for p in &note.paragraphs { p { (p) } }
                @if !note.items.is_empty() {
                    ul { @for i in &note.items { li { (i) } } }
                }
                @if let Some((label, url)) = &note.link {
                    p { a href=(url) { (label) } }
                }
                hr;
                p style="color: #555; font-size: 14px;" { (note.footer) }
            }
        }
    };
    Rendered {
        subject: note.subject.clone(),
        text,
        html: html.into_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_user_words() {
        let note = Note {
            subject: "s".into(),
            greeting: "<script>alert(1)</script>".into(),
            ..Note::default()
        };
        let r = render(&note, Language::En);
        assert!(!r.html.contains("<script>"));
        assert!(r.text.contains("<script>"));
    }

    #[test]
    fn kinds_round_trip() {
        for k in Kind::ALL {
            assert_eq!(Kind::from_code(k.code()), Some(k));
        }
    }
}
