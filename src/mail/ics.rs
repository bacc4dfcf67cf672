//! iCalendar (RFC 5545) for bookings, shifts and duties: attachments to
//! confirmation mail and the calendar feeds.

use chrono::{DateTime, Utc};
use icalendar::{Calendar, Component, Event, EventLike};

/// One event in a calendar.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct CalendarEvent {
    /// Stable across updates, so calendar apps replace instead of duplicate.
    pub uid: String,
    pub summary: String,
    pub description: Option<String>,
    pub location: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// `CANCELLED` events tell calendar apps to remove them.
    pub cancelled: bool,
    /// The revision (RFC 5545 SEQUENCE): a calendar app replaces the event
    /// it holds only by a higher one, so a change carries more than the
    /// first confirmation's 0. Mail queued before it existed reads 0.
    #[serde(default)]
    pub sequence: u32,
}

impl CalendarEvent {
    /// The revision for a change made `now` to something created at
    /// `created`: seconds since it was created, at least 1. It grows with
    /// every later change without a counter kept anywhere.
    pub fn revision(created: DateTime<Utc>, now: DateTime<Utc>) -> u32 {
        u32::try_from((now - created).num_seconds().max(1)).unwrap_or(u32::MAX)
    }
}

/// A complete calendar document.
pub fn calendar(name: &str, events: &[CalendarEvent]) -> String {
    let mut cal = Calendar::new();
    cal.name(name);
    for e in events {
        let mut event = Event::new();
        event
            .uid(&e.uid)
            .summary(&e.summary)
            .starts(e.starts_at)
            .ends(e.ends_at)
            .sequence(e.sequence)
            .timestamp(Utc::now());
        if let Some(d) = &e.description {
            event.description(d);
        }
        if let Some(l) = &e.location {
            event.location(l);
        }
        if e.cancelled {
            event.status(icalendar::EventStatus::Cancelled);
        } else {
            event.status(icalendar::EventStatus::Confirmed);
        }
        cal.push(event.done());
    }
    cal.done().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_back() {
        let text = calendar(
            "Test",
            &[CalendarEvent {
                uid: "booking-1@livingroom".into(),
                summary: "旗袍班, with a comma; and semicolon".into(),
                description: Some("line one\nline two".into()),
                location: Some("Qipao room".into()),
                starts_at: Utc::now(),
                ends_at: Utc::now() + chrono::Duration::hours(1),
                cancelled: false,
                sequence: 0,
            }],
        );
        assert!(text.starts_with("BEGIN:VCALENDAR"));
        let parsed: icalendar::Calendar = text.parse().unwrap();
        assert_eq!(parsed.components.len(), 1);
    }
}
