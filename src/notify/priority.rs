//! Mail about priority: a booking that gave way to more urgent work, and
//! the waitlist serving or expiring.

use chrono::NaiveDateTime;

use super::{Notifier, Outgoing, footer, greeting};
use crate::db::DbConn;
use crate::domain::booking::BookingRequest;
use crate::domain::priority::Fate;
use crate::errors::ApiError;
use crate::mail::content::CalendarFile;
use crate::mail::templates::{Kind, Note};
use crate::store::bookings::Booking;
use crate::store::resources;
use crate::store::sites::Site;
use crate::store::users;
use crate::store::waitlist::Entry;
use crate::words::Words;

impl Notifier {
    /// Tells the owner of `victim` that it gave way to the more urgent
    /// request `by` (its urgency and reason are passed on), and where their
    /// booking is now: moved (`moved`, the booking it became), or on the
    /// waitlist. The calendar file cancels the old event (its UID, a higher
    /// revision) and, when moved, adds the new one.
    #[allow(clippy::too_many_arguments)]
    pub fn displaced(
        &self,
        conn: &mut DbConn,
        site: &Site,
        victim: &Booking,
        fate: &Fate,
        moved: Option<&Booking>,
        by: &BookingRequest,
        now: NaiveDateTime,
    ) -> Result<bool, ApiError> {
        let (urgency, reason) = (by.urgency, by.reason.as_deref().unwrap_or_default());
        let Some(owner) = users::by_id(conn, victim.owner_id)? else {
            return Ok(false);
        };
        let w = Words::new(owner.language());
        let tz = site.tz();
        let old_place = resources::by_id(conn, site.id, victim.resource_id)?.name;
        let was = w.range(tz, victim.starts_at.and_utc(), victim.ends_at.and_utc());
        let why = w.pick(
            format!(
                "有一项更紧急（{}）的工作需要这个时段：{reason}",
                w.urgency(urgency)
            ),
            format!(
                "A more urgent ({}) matter needed that time: {reason}",
                w.urgency(urgency)
            ),
        );
        let (kind, subject, now_where) = match fate {
            Fate::MovedTo { resource_id, slot } => {
                let place = resources::by_id(conn, site.id, *resource_id)?.name;
                let when = w.range(tz, slot.start, slot.end);
                (
                    Kind::BookingRelocated,
                    w.pick(format!("预约已调整：{place}"), format!("Your booking moved: {place}")),
                    w.pick(format!("您的预约已改到：{place}，{when}。"), format!("It is now: {place}, {when}.")),
                )
            }
            Fate::Waitlisted => (
                Kind::BookingWaitlisted,
                w.pick(format!("预约让位，已进入候补：{old_place}"), format!("Your booking gave way and is waitlisted: {old_place}")),
                w.pick(
                    "没有其他空闲的时段，您已按原来的紧急程度进入候补名单；一有空位会自动为您预约并通知您。",
                    "No other time was free, so you are on the waitlist at your booking's urgency; you will be booked and told as soon as room frees up.",
                ),
            ),
        };
        let note = Note {
            subject,
            greeting: greeting(w, &owner.name),
            paragraphs: vec![
                w.pick(
                    format!("您原来的预约（{old_place}，{was}）让给了更紧急的工作。"),
                    format!("Your booking ({old_place}, {was}) gave way to more urgent work."),
                ),
                why,
                now_where,
            ],
            footer: footer(w, &site.name),
            ..Note::default()
        };
        let key = format!("booking-{}-{}", victim.id, kind.code());
        let mut events = vec![self.booking_event(site, victim, &old_place, true, true, now)];
        if let Some(m) = moved {
            let place = resources::by_id(conn, site.id, m.resource_id)?.name;
            events.push(self.booking_event(site, m, &place, false, false, now));
        }
        let mail = Outgoing {
            kind,
            event_key: &key,
            note,
            calendar: Some(CalendarFile {
                file_name: "booking.ics".to_owned(),
                name: site.name.clone(),
                events,
            }),
        };
        self.queue(conn, &owner, mail, now)
    }

    /// Room freed up for a waiting person and they are now `booked`.
    pub fn waitlist_served(
        &self,
        conn: &mut DbConn,
        site: &Site,
        entry: &Entry,
        booked: &Booking,
        now: NaiveDateTime,
    ) -> Result<bool, ApiError> {
        let Some(owner) = users::by_id(conn, entry.owner_id)? else {
            return Ok(false);
        };
        let w = Words::new(owner.language());
        let place = resources::by_id(conn, site.id, booked.resource_id)?.name;
        let when = w.range(site.tz(), booked.starts_at.and_utc(), booked.ends_at.and_utc());
        let note = Note {
            subject: w.pick(
                format!("候补成功：{place}"),
                format!("Booked from the waitlist: {place}"),
            ),
            greeting: greeting(w, &owner.name),
            paragraphs: vec![w.pick(
                format!("有空位了，已为您预约：{place}，{when}。"),
                format!("Room freed up and you are booked: {place}, {when}."),
            )],
            footer: footer(w, &site.name),
            ..Note::default()
        };
        let kind = Kind::WaitlistServed;
        let key = format!("waitlist-{}-{}", entry.id, kind.code());
        let mail = Outgoing {
            kind,
            event_key: &key,
            note,
            calendar: Some(CalendarFile {
                file_name: "booking.ics".to_owned(),
                name: site.name.clone(),
                events: vec![self.booking_event(site, booked, &place, false, false, now)],
            }),
        };
        self.queue(conn, &owner, mail, now)
    }

    /// Nothing freed up for a waiting person before their latest start.
    pub fn waitlist_expired(
        &self,
        conn: &mut DbConn,
        site: &Site,
        entry: &Entry,
        now: NaiveDateTime,
    ) -> Result<bool, ApiError> {
        let Some(owner) = users::by_id(conn, entry.owner_id)? else {
            return Ok(false);
        };
        let w = Words::new(owner.language());
        let wanted = w.range(site.tz(), entry.starts_at.and_utc(), entry.ends_at.and_utc());
        let note = Note {
            subject: w.pick("候补已过期", "Your waitlist entry expired"),
            greeting: greeting(w, &owner.name),
            paragraphs: vec![w.pick(
                format!("很抱歉，{wanted} 的候补在最晚开始时间前没有等到空位。"),
                format!("Sorry, no room freed up for {wanted} before its latest start."),
            )],
            footer: footer(w, &site.name),
            ..Note::default()
        };
        let kind = Kind::WaitlistExpired;
        let key = format!("waitlist-{}-{}", entry.id, kind.code());
        self.tell(conn, &owner, kind, &key, note, now)
    }
}
