//! Mail about bookings: made, approved or not, cancelled, released. The
//! owner gets one message per event, a whole series in one list, with a
//! calendar file when the booking goes into or out of their calendar.

use chrono::NaiveDateTime;

use super::{Notifier, Outgoing, footer, greeting};
use crate::db::DbConn;
use crate::domain::interval::Interval;
use crate::errors::ApiError;
use crate::mail::content::CalendarFile;
use crate::mail::ics::CalendarEvent;
use crate::mail::templates::{Kind, Note};
use crate::store::bookings::Booking;
use crate::store::resources::{self, Resource};
use crate::store::sites::Site;
use crate::store::users::{self, User};
use crate::words::Words;

/// Why it happened, when the owner did not do it themselves.
#[derive(Clone, Copy)]
enum Why<'a> {
    CancelledByAdmin,
    /// The resource was taken out of use.
    Retired,
    /// The resource is closed then (a blackout), for this reason.
    Closed(&'a str),
    /// A series booked without these dates, which were taken.
    Skipped(&'a [Interval]),
    /// Not approved, for the reason the admin gave.
    Rejected(&'a str),
}

/// Whom booking mail goes to, and about what: the owner of bookings on
/// one resource of one site.
pub struct Recipient<'a> {
    pub site: &'a Site,
    pub resource: &'a Resource,
    pub owner: &'a User,
}

impl Notifier {
    /// Tells the owner of `bookings` (one owner; a series or one booking)
    /// what happened to them: `kind` names it.
    pub fn bookings(
        &self,
        conn: &mut DbConn,
        site: &Site,
        kind: Kind,
        bookings: &[Booking],
        now: NaiveDateTime,
    ) -> Result<bool, ApiError> {
        self.bookings_because(conn, site, kind, bookings, None, now)
    }

    /// An admin did not approve a pending booking, maybe saying why.
    pub fn booking_rejected(
        &self,
        conn: &mut DbConn,
        site: &Site,
        booking: &Booking,
        reason: Option<&str>,
        now: NaiveDateTime,
    ) -> Result<bool, ApiError> {
        self.bookings_because(
            conn,
            site,
            Kind::BookingRejected,
            std::slice::from_ref(booking),
            reason.map(Why::Rejected),
            now,
        )
    }

    /// An admin cancelled someone else's booking.
    pub fn booking_cancelled_by_admin(
        &self,
        conn: &mut DbConn,
        site: &Site,
        booking: &Booking,
        now: NaiveDateTime,
    ) -> Result<bool, ApiError> {
        let bookings = std::slice::from_ref(booking);
        self.bookings_because(
            conn,
            site,
            Kind::BookingCancelled,
            bookings,
            Some(Why::CancelledByAdmin),
            now,
        )
    }

    /// `booking` was cancelled because its resource was taken out of use.
    pub fn resource_retired(
        &self,
        conn: &mut DbConn,
        site: &Site,
        resource: &Resource,
        booking: &Booking,
        now: NaiveDateTime,
    ) -> Result<bool, ApiError> {
        self.cancelled_with_resource(conn, site, resource, booking, Why::Retired, now)
    }

    /// `booking` was cancelled because its resource is closed then (a
    /// blackout the admin added, for `reason`).
    pub fn resource_closed(
        &self,
        conn: &mut DbConn,
        site: &Site,
        resource: &Resource,
        booking: &Booking,
        reason: &str,
        now: NaiveDateTime,
    ) -> Result<bool, ApiError> {
        self.cancelled_with_resource(conn, site, resource, booking, Why::Closed(reason), now)
    }

    fn cancelled_with_resource(
        &self,
        conn: &mut DbConn,
        site: &Site,
        resource: &Resource,
        booking: &Booking,
        why: Why<'_>,
        now: NaiveDateTime,
    ) -> Result<bool, ApiError> {
        let Some(owner) = users::by_id(conn, booking.owner_id)? else {
            return Ok(false);
        };
        let bookings = std::slice::from_ref(booking);
        let kind = Kind::BookingCancelled;
        let to = Recipient {
            site,
            resource,
            owner: &owner,
        };
        self.worded(conn, &to, kind, bookings, Some(why), now)
    }

    /// Tells `admin` that `requester` asks for `bookings` (one request, or
    /// a series) on `resource`, waiting for approval.
    pub fn approval_requested(
        &self,
        conn: &mut DbConn,
        to: &Recipient<'_>,
        requester: &User,
        bookings: &[Booking],
        now: NaiveDateTime,
    ) -> Result<bool, ApiError> {
        let Recipient {
            site,
            resource,
            owner: admin,
        } = *to;
        let Some(first) = bookings.first() else {
            return Ok(false);
        };
        let w = Words::new(admin.language());
        let tz = site.tz();
        let what = &resource.name;
        let note = Note {
            subject: w.pick(format!("待审批：{what}"), format!("Approval needed: {what}")),
            greeting: super::greeting(w, &admin.name),
            paragraphs: vec![w.pick(
                format!("{} 申请预约 {what}，等待您审批：", requester.name),
                format!(
                    "{} asks to book {what} and waits for your approval:",
                    requester.name
                ),
            )],
            items: bookings
                .iter()
                .map(|b| w.range(tz, b.starts_at.and_utc(), b.ends_at.and_utc()))
                .collect(),
            footer: super::footer(w, &site.name),
            ..Note::default()
        };
        let key = format!("booking-{}-approval-{}", first.id, admin.id);
        self.tell(conn, admin, Kind::ApprovalRequested, &key, note, now)
    }

    /// [`Notifier::bookings`] for a caller that already holds the
    /// bookings' resource and their owner's account (making a booking:
    /// saves reading them again on the writer).
    pub fn bookings_on(
        &self,
        conn: &mut DbConn,
        to: &Recipient<'_>,
        kind: Kind,
        bookings: &[Booking],
        now: NaiveDateTime,
    ) -> Result<bool, ApiError> {
        self.worded(conn, to, kind, bookings, None, now)
    }

    /// [`Notifier::bookings_on`] for a series booked with some dates
    /// skipped: the mail lists them, so nobody turns up on a taken date.
    pub fn series_booked(
        &self,
        conn: &mut DbConn,
        to: &Recipient<'_>,
        kind: Kind,
        bookings: &[Booking],
        skipped: &[Interval],
        now: NaiveDateTime,
    ) -> Result<bool, ApiError> {
        self.worded(conn, to, kind, bookings, Some(Why::Skipped(skipped)), now)
    }

    fn bookings_because(
        &self,
        conn: &mut DbConn,
        site: &Site,
        kind: Kind,
        bookings: &[Booking],
        why: Option<Why<'_>>,
        now: NaiveDateTime,
    ) -> Result<bool, ApiError> {
        let Some(first) = bookings.first() else {
            return Ok(false);
        };
        let Some(owner) = users::by_id(conn, first.owner_id)? else {
            return Ok(false);
        };
        let resource = resources::by_id(conn, site.id, first.resource_id)?;
        let to = Recipient {
            site,
            resource: &resource,
            owner: &owner,
        };
        self.worded(conn, &to, kind, bookings, why, now)
    }

    fn worded(
        &self,
        conn: &mut DbConn,
        to: &Recipient<'_>,
        kind: Kind,
        bookings: &[Booking],
        why: Option<Why<'_>>,
        now: NaiveDateTime,
    ) -> Result<bool, ApiError> {
        let Recipient {
            site,
            resource,
            owner,
        } = *to;
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
            Kind::BookingPending => (
                w.pick(format!("预约待审批：{what}"), format!("Waiting for approval: {what}")),
                w.pick(
                    format!("您对 {what} 的预约已提交，时段已为您保留，管理员批准后会再通知您："),
                    format!("Your booking of {what} is held for you and waits for the admin's approval; you will be told:"),
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
        match why {
            Some(Why::CancelledByAdmin) => {
                paragraphs.push(w.pick("管理员取消了这个预约。", "An admin of the site cancelled it."));
            }
            Some(Why::Retired) => paragraphs.push(w.pick(
                format!("{what} 已停用。"),
                format!("{what} has been taken out of use."),
            )),
            Some(Why::Closed(reason)) => paragraphs.push(w.pick(
                format!("{what} 在这段时间不开放：{reason}"),
                format!("{what} is closed then: {reason}"),
            )),
            Some(Why::Skipped(taken)) if !taken.is_empty() => {
                let dates: Vec<String> = taken.iter().map(|t| w.range(tz, t.start, t.end)).collect();
                paragraphs.push(w.pick(
                    format!(
                        "以下日期已被占用，按您的选择跳过，没有预约：{}。",
                        dates.join("、")
                    ),
                    format!(
                        "These dates were taken and, as you chose, skipped (not booked): {}.",
                        dates.join("; ")
                    ),
                ));
            }
            Some(Why::Rejected(reason)) => paragraphs.push(w.pick(
                format!("管理员说明的原因：{reason}"),
                format!("The reason the admin gave: {reason}"),
            )),
            Some(Why::Skipped(_)) | None => {}
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
            greeting: greeting(w, &owner.name),
            paragraphs,
            items,
            link: Some((
                w.pick("查看我的预约", "See my bookings"),
                format!("{}/s/{}/bookings", self.public_url, site.slug),
            )),
            footer: footer(w, &site.name),
        };
        let attach = matches!(
            kind,
            Kind::BookingConfirmed | Kind::BookingApproved | Kind::BookingCancelled
        );
        let calendar = attach.then(|| {
            // A first confirmation is revision 0; an approval or a
            // cancellation changes what a calendar may already hold.
            let changed = kind != Kind::BookingConfirmed;
            let events: Vec<CalendarEvent> = bookings
                .iter()
                .map(|b| self.booking_event(site, b, what, kind == Kind::BookingCancelled, changed, now))
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

impl Notifier {
    /// A booking as a calendar event, its UID stable for the booking's
    /// life. `changed`: a revision after the first confirmation, so a
    /// calendar holding that one replaces it (RFC 5545 SEQUENCE).
    pub(super) fn booking_event(
        &self,
        site: &Site,
        b: &Booking,
        what: &str,
        cancelled: bool,
        changed: bool,
        now: NaiveDateTime,
    ) -> CalendarEvent {
        CalendarEvent {
            uid: format!("booking-{}@{}", b.id, self.host),
            summary: format!("{what}: {}", b.purpose),
            description: Some(site.name.clone()),
            location: Some(format!("{} · {}", site.name, what)),
            starts_at: b.starts_at.and_utc(),
            ends_at: b.ends_at.and_utc(),
            cancelled,
            sequence: if changed {
                CalendarEvent::revision(b.created_at.and_utc(), now.and_utc())
            } else {
                0
            },
        }
    }
}
