//! Journey 2, the interest-group leader: the site's rooms and one room's
//! week (days across, hours down; on a phone one day at a time), each
//! cell free, taken, closed or not bookable, in words and not only colour.
//! A free cell opens the booking form (`book`); her bookings and their
//! outcome are in `mine`.

use actix_web::{HttpResponse, get, web};
use chrono::{Duration, NaiveDate};
use maud::{Markup, html};
use serde::Deserialize;

use super::frame::{Nav, layout, ok};
use super::session::{PageError, PageUser};
use crate::clock;
use crate::domain::local_time::{format_clock, local_date};
use crate::errors::ApiError;
use crate::state::AppState;
use crate::store::access::site_access;
use crate::words::Words;
use crate::workflows::room_week::{self, Cell, Week};

pub mod book;
pub mod mine;
mod preview;

fn page(user: &PageUser, site: &str, title: &str, body: Markup) -> HttpResponse {
    ok(layout(user.text(), title, &Nav::of(user, Some(site)), body))
}

fn fail(user: &PageUser) -> impl Fn(ApiError) -> PageError + '_ {
    move |e| PageError::Api(user.language, e)
}

/// A date from a form or a link, inside the window every request keeps to
/// (`domain::window`: 2000 to ten years ahead), so week and series
/// arithmetic never meets the calendar's end.
fn parse_date(s: Option<&str>) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s?.trim(), "%Y-%m-%d")
        .ok()
        .filter(|d| crate::domain::window::date_in_window(*d, crate::clock::now()).is_ok())
}

#[derive(Deserialize)]
pub struct GridQuery {
    room: Option<i64>,
    week: Option<String>,
    day: Option<String>,
}

/// The rooms, and the chosen room's week.
#[get("/s/{site}/rooms")]
pub async fn rooms(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<String>,
    q: web::Query<GridQuery>,
) -> Result<HttpResponse, PageError> {
    let slug = path.into_inner();
    let q = q.into_inner();
    let (caller, now, site) = (user.clone(), clock::now(), slug.clone());
    let (week_date, room_id) = (parse_date(q.week.as_deref()), q.room);
    let (tz, overview) = state
        .db
        .read(move |conn| {
            let access = site_access(conn, &site, &caller)?;
            let tz = access.site.tz();
            let date = week_date.unwrap_or_else(|| local_date(tz, now));
            Ok((tz, room_week::overview(conn, &access, room_id, date, now)?))
        })
        .await
        .map_err(fail(&user))?;
    let room_week::Overview { rooms, week } = overview;
    let t = user.text();
    let r = &t.rooms;
    let today = local_date(tz, clock::now());
    Ok(page(
        &user,
        &slug,
        week.as_ref().map(|w| w.room.name.as_str()).unwrap_or(r.title),
        html! {
            h1 { (r.title) }
            p { a href=(format!("/s/{slug}/rooms/mine")) { (r.my_room_bookings) } }
            h2 #pick { (r.pick_room) }
            ul.plain.room-list aria-labelledby="pick" {
                @for room in &rooms {
                    @let current = week.as_ref().is_some_and(|w| w.room.id == room.id);
                    li {
                        a.room-card href=(format!("/s/{slug}/rooms?room={}#week", room.id))
                            aria-current=[current.then_some("page")] {
                            strong { (room.name) }
                            @if let Some(c) = room.capacity { span { (r.capacity(c)) } }
                            @if room.rules().requires_approval { span.approval { (r.needs_approval) } }
                        }
                    }
                }
            }
            @if let Some(w) = &week {
                (grid(&user, &slug, w, today, parse_date(q.day.as_deref())))
            }
        },
    ))
}

fn week_link(slug: &str, room: i64, monday: NaiveDate) -> String {
    format!("/s/{slug}/rooms?room={room}&week={monday}")
}

/// Week links land on the grid, not the room list above it.
fn week_href(slug: &str, room: i64, monday: NaiveDate) -> String {
    format!("{}#week", week_link(slug, room, monday))
}

/// One cell in words: a free cell is the link to book it.
fn cell(user: &PageUser, slug: &str, w: &Week, date: NaiveDate, minute: u32, c: &Cell) -> Markup {
    let r = &user.text().rooms;
    let time = format_clock(minute);
    match c {
        Cell::Free => {
            let day = format!(
                "{} {}",
                Words::new(user.language).weekday(date),
                r.short_date(date)
            );
            html! {
                a.cell.free href=(format!("/s/{slug}/rooms/{}/book?date={date}&start={time}", w.room.id))
                    aria-label=(r.book_at(&day, &time)) { (r.free) }
            }
        }
        Cell::Taken { by, mine, pending } => html! {
            span.cell.taken.mine[*mine] {
                (r.taken)
                @if let Some(by) = by { " · " (by) }
                @if *mine { " · " (r.mine) }
                @if *pending { " · " (r.pending) }
            }
        },
        Cell::Closed => html! { span.cell.closed { (r.closed) } },
        Cell::Unavailable => html! { span.cell.past { (r.unavailable) } },
    }
}

fn grid(user: &PageUser, slug: &str, w: &Week, today: NaiveDate, day: Option<NaiveDate>) -> Markup {
    let r = &user.text().rooms;
    let words = Words::new(user.language);
    let days = w.days();
    let sunday = w.monday + Duration::days(6);
    let span = r.week_of(&r.short_date(w.monday), &r.short_date(sunday));
    // The phone shows one day: the one asked for, else today in this week,
    // else the week's Monday.
    let shown = day
        .filter(|d| days.contains(d))
        .or_else(|| days.contains(&today).then_some(today))
        .unwrap_or(w.monday);
    let shown_index = days.iter().position(|d| *d == shown).unwrap_or(0);
    let base = week_link(slug, w.room.id, w.monday);
    html! {
        h2 #week { (w.room.name) }
        p.week-span { (span) }
        nav.week-nav aria-label=(span) {
            a.button.secondary href=(week_href(slug, w.room.id, w.monday - Duration::days(7))) rel="prev" { "‹ " (r.prev_week) }
            a.button.secondary href=(week_href(slug, w.room.id, today)) { (r.this_week) }
            a.button.secondary href=(week_href(slug, w.room.id, w.monday + Duration::days(7))) rel="next" { (r.next_week) " ›" }
        }
        p.hint { (r.grid_hint) }
        ul.plain.legend aria-label=(r.legend) {
            li { span.cell.free.key { (r.free) } }
            li { span.cell.taken.key { (r.taken) } }
            li { span.cell.closed.key { (r.closed) } }
            li { span.cell.past.key { (r.unavailable) } }
        }
        div.week-table {
            table.week {
                caption { (w.room.name) " · " (span) }
                thead {
                    tr {
                        th scope="col" { (r.time) }
                        @for d in &days {
                            th scope="col" aria-current=[(*d == today).then_some("date")] {
                                (words.weekday(*d)) br; (r.short_date(*d))
                            }
                        }
                    }
                }
                tbody {
                    @for (i, m) in w.rows.iter().enumerate() {
                        tr {
                            th scope="row" { (format_clock(*m)) }
                            @for (d, date) in days.iter().enumerate() {
                                td { (cell(user, slug, w, *date, *m, &w.cells[d][i])) }
                            }
                        }
                    }
                }
            }
        }
        div.week-days {
            nav.day-tabs aria-label=(r.choose_day) {
                @for d in &days {
                    a href=(format!("{base}&day={d}#week")) aria-current=[(*d == shown).then_some("date")] {
                        (words.weekday(*d)) br; (r.short_date(*d))
                    }
                }
            }
            h3 { (words.weekday(shown)) " " (r.short_date(shown)) }
            ul.plain.day-list {
                @for (i, m) in w.rows.iter().enumerate() {
                    li {
                        span.at { (format_clock(*m)) "–" (format_clock(m + w.step)) }
                        (cell(user, slug, w, shown, *m, &w.cells[shown_index][i]))
                    }
                }
            }
        }
    }
}
