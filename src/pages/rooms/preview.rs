//! The dates a room request would book, before it is booked: each date
//! free or named with what is in its way, then one button to book the
//! free ones (skipping the rest) and one to change the request. The form's
//! values travel along as hidden fields, so it works without JavaScript.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use chrono::{DateTime, NaiveDate, Utc};
use maud::{Markup, html};

use super::book::RoomForm;
use super::parse_date;
use crate::pages::frame::{Nav, layout, respond};
use crate::pages::session::PageUser;
use crate::words::Words;
use crate::workflows::room_series::Preview;
use crate::workflows::room_week::Choices;

fn range(user: &PageUser, tz: chrono_tz::Tz, start: DateTime<Utc>, end: DateTime<Utc>) -> String {
    Words::new(user.language).range(tz, start, end)
}

fn hidden(f: &RoomForm) -> Markup {
    html! {
        @for (name, value) in [
            ("date", &f.date), ("start", &f.start), ("end", &f.end), ("purpose", &f.purpose),
            ("group", &f.group), ("headcount", &f.headcount), ("repeat", &f.repeat),
            ("count", &f.count), ("until", &f.until),
        ] {
            input type="hidden" name=(name) value=(value);
        }
    }
}

pub(super) fn preview_page(
    user: &PageUser,
    slug: &str,
    c: &Choices,
    f: &RoomForm,
    p: &Preview,
    meanwhile: bool,
) -> HttpResponse {
    let t = user.text();
    let r = &t.rooms;
    let tz = c.tz;
    let clashing = p.dates.len() - p.free();
    let group = c
        .groups
        .iter()
        .find(|g| g.id.to_string() == f.group)
        .map(|g| g.name.as_str());
    let first: Option<NaiveDate> = parse_date(Some(&f.date));
    let words = Words::new(user.language);
    let body = html! {
        h1 { (r.preview_title) }
        @if meanwhile { p.error role="alert" { (r.taken_meanwhile) } }
        div.card {
            strong { (c.room.name) }
            br;
            @if let Some(d) = first {
                @if f.repeat == "count" || f.repeat == "until" {
                    (r.weekly_at(words.weekday(d), &f.start, &f.end))
                } @else {
                    (words.weekday(d)) " " (r.short_date(d)) " " (f.start) "–" (f.end)
                }
            }
            @if let Some(g) = group { br; (g) }
            br; (f.purpose)
        }
        @if p.pending { p.notice { (r.pending_note) } }
        @if clashing == 0 { p.notice role="status" { (r.all_free) } }
        @else if p.free() == 0 { p.error role="alert" { (r.none_left) } }
        @else { p.warn role="status" { (r.clash_count(clashing)) } }
        h2 { (r.dates_heading) }
        ul.plain.dates {
            @for d in &p.dates {
                li.clash[!d.clashes.is_empty()] {
                    span.when { (range(user, tz, d.slot.start, d.slot.end)) }
                    @if d.clashes.is_empty() {
                        span.ok { "✓ " (r.free) }
                    } @else {
                        @for clash in &d.clashes {
                            span.taken-by {
                                "✗ "
                                (r.taken_by(clash.by.as_deref(), &format!("{}–{}",
                                    clash.slot.start.with_timezone(&tz).format("%H:%M"),
                                    clash.slot.end.with_timezone(&tz).format("%H:%M"))))
                            }
                        }
                    }
                }
            }
        }
        form.actions method="post" action=(format!("/s/{slug}/rooms/{}/book", c.room.id)) {
            input type="hidden" name="csrf" value=(user.csrf);
            (hidden(f))
            @if p.free() > 0 {
                @if clashing > 0 { input type="hidden" name="skip" value="1"; }
                button type="submit" name="step" value="book" {
                    @if clashing > 0 { (r.book_skipping(p.free())) } @else { (r.book_all(p.free())) }
                }
            }
            button.secondary type="submit" name="step" value="edit" { (r.change) }
        }
    };
    let status = if p.free() == 0 {
        StatusCode::CONFLICT
    } else {
        StatusCode::OK
    };
    respond(
        status,
        layout(t, r.preview_title, &Nav::of(user, Some(slug)), body),
    )
}
