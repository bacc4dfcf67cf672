//! Notices to a site's group-chat robots and webhooks: the words a
//! committee's group reads, and the facts an integrator receives. Queued in
//! the outbox inside the change's transaction, one message per event and
//! channel, like mail.
//!
//! What leaves here is meant for a group: rooms, times and counts, never a
//! reason for urgency, a purpose, or a person's name or address. A group
//! of twenty volunteers reads it, and a webhook's receiver is another
//! system.

use chrono::{NaiveDate, NaiveDateTime};
use serde_json::json;

use super::Notifier;
use crate::channels::Notice;
use crate::db::DbConn;
use crate::domain::booking::Urgency;
use crate::domain::channel::{self, Topic};
use crate::domain::interval::Interval;
use crate::domain::person::Language;
use crate::errors::ApiError;
use crate::store::bookings::Booking;
use crate::store::channels::{self as rows, ChannelRow};
use crate::store::outbox::{self, NewPost};
use crate::store::resources::{self, Resource};
use crate::store::sites::Site;
use crate::words::Words;

/// What is known of one event before it is worded.
struct Event<'a> {
    site: &'a Site,
    topic: Topic,
    /// Names the event; each channel's message is keyed by it.
    key: String,
    title: String,
    lines: Vec<String>,
    link: String,
    data: serde_json::Value,
}

fn zh() -> Words {
    Words::new(Language::ZhCn)
}

impl Notifier {
    /// Queues `event` for every active channel of its site listening to
    /// its topic; returns how many were queued. A site no channel of which
    /// listens costs nothing: its row says so.
    fn announce(&self, conn: &mut DbConn, event: Event<'_>, now: NaiveDateTime) -> Result<usize, ApiError> {
        if !channel::listens(&event.site.channel_topics, event.topic) {
            return Ok(0);
        }
        let listening: Vec<ChannelRow> = rows::active(conn, event.site.id)?
            .into_iter()
            .filter(|c| channel::listens(&c.topics, event.topic))
            .collect();
        self.post(conn, &event, &listening, now)
    }

    fn post(
        &self,
        conn: &mut DbConn,
        event: &Event<'_>,
        to: &[ChannelRow],
        now: NaiveDateTime,
    ) -> Result<usize, ApiError> {
        let notice = Notice {
            topic: event.topic,
            site: event.site.slug.clone(),
            occurred_at: now.and_utc(),
            title: event.title.clone(),
            lines: event.lines.clone(),
            link: Some(event.link.clone()),
            data: event.data.clone(),
        };
        let content = notice.to_stored();
        let mut queued = 0;
        for c in to {
            let key = format!("{}/channel-{}", event.key, c.id);
            let post = NewPost {
                event_key: &key,
                channel_id: c.id,
                kind: event.topic.code(),
                label: &c.name,
                subject: &event.title,
                content: &content,
            };
            if outbox::enqueue_post(conn, &post, now)? {
                queued += 1;
            }
        }
        Ok(queued)
    }

    fn page(&self, site: &Site, path: &str) -> String {
        format!("{}/s/{}/{path}", self.public_url, site.slug)
    }

    /// A test message to one channel, on an admin's demand; its event key.
    pub fn channel_test(
        &self,
        conn: &mut DbConn,
        site: &Site,
        to: &ChannelRow,
        now: NaiveDateTime,
    ) -> Result<String, ApiError> {
        let event = Event {
            site,
            topic: Topic::ChannelTest,
            // Unique per press of the button.
            key: format!("channel-test-{}-{}", to.id, uuid::Uuid::new_v4().simple()),
            title: format!("测试消息 · {}", site.name),
            lines: vec![format!("这是「{}」的测试消息：收到即表示设置正确。", to.name)],
            link: self.page(site, "console/channels"),
            data: json!({"channel_id": to.id}),
        };
        self.post(conn, &event, std::slice::from_ref(to), now)?;
        Ok(format!("{}/channel-{}", event.key, to.id))
    }

    /// Version `version` of the rota was published for `from..=to`.
    #[allow(clippy::too_many_arguments)]
    pub fn announce_rota_published(
        &self,
        conn: &mut DbConn,
        site: &Site,
        version: i32,
        from: NaiveDate,
        to: NaiveDate,
        shifts: usize,
        now: NaiveDateTime,
    ) -> Result<usize, ApiError> {
        let event = Event {
            site,
            topic: Topic::RotaPublished,
            key: format!("rota-{}-v{version}", site.id),
            title: format!("前台值班表已发布（第 {version} 版）"),
            lines: vec![
                format!("{} 至 {}，共 {shifts} 个班次。", day(from), day(to)),
                "请各位查看自己的班次；有变动会另行通知。".to_owned(),
            ],
            link: self.page(site, "shifts"),
            data: json!({"version": version, "from": from, "to": to, "shifts": shifts}),
        };
        self.announce(conn, event, now)
    }

    /// A shift of the published rota was taken over by a colleague (the
    /// one change to a published shift made without publishing again).
    pub fn announce_rota_changed(
        &self,
        conn: &mut DbConn,
        site: &Site,
        shift_id: i64,
        label: &str,
        slot: Interval,
        now: NaiveDateTime,
    ) -> Result<usize, ApiError> {
        let w = zh();
        let when = w.range(site.tz(), slot.start, slot.end);
        let event = Event {
            site,
            topic: Topic::RotaChanged,
            key: format!("rota-shift-{shift_id}-taken-{}", now.and_utc().timestamp_micros()),
            title: "前台值班有变动".to_owned(),
            lines: vec![format!("{when} 「{label}」已由同事接班。")],
            link: self.page(site, "shifts"),
            data: json!({
                "shift_id": shift_id, "label": label, "change": "taken",
                "starts_at": slot.start, "ends_at": slot.end,
            }),
        };
        self.announce(conn, event, now)
    }

    /// A duty date within a day is short of `free` volunteers.
    #[allow(clippy::too_many_arguments)]
    pub fn announce_duty_uncovered(
        &self,
        conn: &mut DbConn,
        site: &Site,
        duty_id: i64,
        name: &str,
        date: NaiveDate,
        slot: Interval,
        free: i32,
        now: NaiveDateTime,
    ) -> Result<usize, ApiError> {
        let w = zh();
        let when = w.range(site.tz(), slot.start, slot.end);
        let event = Event {
            site,
            topic: Topic::DutyUncovered,
            key: uncovered_key(duty_id, date),
            title: format!("志愿值守缺人：{name}"),
            lines: vec![
                format!("{when} 「{name}」还差 {free} 人。"),
                "能来的志愿者请在页面上报名。".to_owned(),
            ],
            link: self.page(site, "duties"),
            data: json!({
                "duty_id": duty_id, "name": name, "date": date,
                "starts_at": slot.start, "ends_at": slot.end, "short_by": free,
            }),
        };
        self.announce(conn, event, now)
    }

    /// A duty date announced as uncovered is full now. Told only to the
    /// channels that were told it was uncovered.
    #[allow(clippy::too_many_arguments)]
    pub fn announce_duty_covered(
        &self,
        conn: &mut DbConn,
        site: &Site,
        duty_id: i64,
        name: &str,
        date: NaiveDate,
        slot: Interval,
        now: NaiveDateTime,
    ) -> Result<usize, ApiError> {
        if !channel::listens(&site.channel_topics, Topic::DutyCovered) {
            return Ok(0);
        }
        let told = uncovered_key(duty_id, date);
        let mut to = Vec::new();
        for c in rows::active(conn, site.id)? {
            if channel::listens(&c.topics, Topic::DutyCovered)
                && outbox::queued(conn, &format!("{told}/channel-{}", c.id))?
            {
                to.push(c);
            }
        }
        if to.is_empty() {
            return Ok(0);
        }
        let w = zh();
        let when = w.range(site.tz(), slot.start, slot.end);
        let event = Event {
            site,
            topic: Topic::DutyCovered,
            key: format!("duty-covered-{duty_id}-{date}"),
            title: format!("志愿值守已补齐：{name}"),
            lines: vec![format!("{when} 「{name}」人已到齐，谢谢报名的志愿者。")],
            link: self.page(site, "duties"),
            data: json!({
                "duty_id": duty_id, "name": name, "date": date,
                "starts_at": slot.start, "ends_at": slot.end,
            }),
        };
        self.post(conn, &event, &to, now)
    }

    /// Urgent work (of `urgency`) took `victim`'s place; it moved to
    /// `moved_to` (a resource and a time) or onto the waitlist. Neither the
    /// urgent request's reason nor either person is named.
    pub fn announce_displaced(
        &self,
        conn: &mut DbConn,
        site: &Site,
        victim: &Booking,
        urgency: Urgency,
        moved_to: Option<(i64, Interval)>,
        now: NaiveDateTime,
    ) -> Result<usize, ApiError> {
        if !channel::listens(&site.channel_topics, Topic::BookingDisplaced) {
            return Ok(0);
        }
        let w = zh();
        let tz = site.tz();
        let place = resources::by_id(conn, site.id, victim.resource_id)?.name;
        let was = w.range(tz, victim.starts_at.and_utc(), victim.ends_at.and_utc());
        let (after, moved) = match moved_to {
            Some((resource_id, slot)) => {
                let to = resources::by_id(conn, site.id, resource_id)?.name;
                (
                    format!("原预约已改到 {to}，{}。", w.range(tz, slot.start, slot.end)),
                    json!({"resource_id": resource_id, "resource": to, "starts_at": slot.start, "ends_at": slot.end}),
                )
            }
            None => (
                "原预约已进入候补，有空位会自动安排。".to_owned(),
                serde_json::Value::Null,
            ),
        };
        let event = Event {
            site,
            topic: Topic::BookingDisplaced,
            key: format!("displaced-{}", victim.id),
            title: format!("紧急使用：{place}"),
            lines: vec![format!("{place} {was} 让给了{}工作。", w.urgency(urgency)), after],
            link: self.page(site, "computer"),
            data: json!({
                "booking_id": victim.id,
                "resource_id": victim.resource_id,
                "resource": place,
                "starts_at": victim.starts_at.and_utc(),
                "ends_at": victim.ends_at.and_utc(),
                "by_urgency": urgency.code(),
                "moved_to": moved,
            }),
        };
        self.announce(conn, event, now)
    }

    /// `resource` is closed for `period`, for `reason` (an admin's words
    /// about the room: maintenance, a holiday).
    #[allow(clippy::too_many_arguments)]
    pub fn announce_blackout(
        &self,
        conn: &mut DbConn,
        site: &Site,
        resource: &Resource,
        blackout_id: i64,
        period: Interval,
        reason: &str,
        cancelled: usize,
        now: NaiveDateTime,
    ) -> Result<usize, ApiError> {
        let w = zh();
        let when = w.range(site.tz(), period.start, period.end);
        let mut lines = vec![format!("{} {when} 暂停使用：{reason}", resource.name)];
        if cancelled > 0 {
            lines.push(format!("其间的 {cancelled} 个预约已取消，预约人已收到通知。"));
        }
        let event = Event {
            site,
            topic: Topic::ResourceBlackout,
            key: format!("blackout-{blackout_id}"),
            title: format!("暂停使用：{}", resource.name),
            lines,
            link: self.page(site, "rooms"),
            data: json!({
                "blackout_id": blackout_id, "resource_id": resource.id,
                "resource": resource.name, "starts_at": period.start,
                "ends_at": period.end, "reason": reason, "bookings_cancelled": cancelled,
            }),
        };
        self.announce(conn, event, now)
    }

    /// Bookings were made or cancelled (for integrators: a group would
    /// drown in these). Only ids, the resource and the times.
    pub fn announce_bookings(
        &self,
        conn: &mut DbConn,
        site: &Site,
        topic: Topic,
        made: &[Booking],
        now: NaiveDateTime,
    ) -> Result<usize, ApiError> {
        if !channel::listens(&site.channel_topics, topic) {
            return Ok(0);
        }
        let w = zh();
        let mut queued = 0;
        let mut names: std::collections::HashMap<i64, String> = std::collections::HashMap::new();
        for b in made {
            if let std::collections::hash_map::Entry::Vacant(e) = names.entry(b.resource_id) {
                e.insert(resources::by_id(conn, site.id, b.resource_id)?.name);
            }
            let resource_name = names[&b.resource_id].as_str();
            let (verb, tag) = if topic == Topic::BookingCancelled {
                ("已取消", "cancelled")
            } else {
                ("已预约", "created")
            };
            let event = Event {
                site,
                topic,
                key: format!("booking-{}-{tag}", b.id),
                title: format!("{resource_name} {verb}"),
                lines: vec![w.range(site.tz(), b.starts_at.and_utc(), b.ends_at.and_utc())],
                link: self.page(site, "bookings"),
                data: json!({
                    "booking_id": b.id,
                    "resource_id": b.resource_id,
                    "resource": resource_name,
                    "starts_at": b.starts_at.and_utc(),
                    "ends_at": b.ends_at.and_utc(),
                    "status": b.status,
                    "urgency": b.urgency,
                    "series_id": b.series_id,
                }),
            };
            queued += self.announce(conn, event, now)?;
        }
        Ok(queued)
    }
}

/// A date as a group reads it: "12月8日（周二）".
fn day(d: NaiveDate) -> String {
    format!("{}（{}）", d.format("%-m月%-d日"), zh().weekday(d))
}

fn uncovered_key(duty_id: i64, date: NaiveDate) -> String {
    format!("duty-uncovered-{duty_id}-{date}")
}
