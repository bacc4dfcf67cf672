//! `/board/{site}`: the wall board, server-rendered. Who is on the front
//! desk now and next, each computer free or in use until when, each room's
//! bookings today, and this week's volunteer duties. Display names only: no
//! e-mail, phone or purpose of a private booking ever reaches this page.
//! `/board/{site}/week` is the printable week for the paper bulletin board.

use std::collections::BTreeMap;

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use maud::{DOCTYPE, Markup, html};
use serde::Deserialize;

use crate::clock;
use crate::db::DbConn;
use crate::domain::availability::{ResourceCalendar, free_windows};
use crate::domain::interval::Interval;
use crate::domain::local_time::{day_of, local_date, parse_week, week_start};
use crate::domain::person::Language;
use crate::domain::resource::ResourceKind;
use crate::domain::window::date_in_window;
use crate::errors::ApiError;
use crate::state::AppState;
use crate::store::bookings as booking_store;
use crate::store::groups;
use crate::store::resources::{self, ResourceFilter};
use crate::store::rota as rota_store;
use crate::store::sites::{self, Site};
use crate::words::Words;
use crate::workflows::duties::{self, OccurrenceView};

const CSS: &str = include_str!("assets/board.css");
const JS: &str = include_str!("assets/board.js");
const ICON: &str = include_str!("assets/icon.svg");

/// Only what this page loads, from this service: nothing from other hosts.
const CSP: &str = "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; \
img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'";

#[derive(Deserialize)]
pub struct BoardQuery {
    /// `en` for English; Chinese otherwise.
    lang: Option<String>,
    /// The printable week to show: `2026-W49` or a date of it; this week
    /// when absent.
    week: Option<String>,
}

impl BoardQuery {
    fn words(&self) -> Words {
        Words::new(Language::from_code(self.lang.as_deref().unwrap_or_default()))
    }
}

fn hm(tz: Tz, t: DateTime<Utc>) -> String {
    t.with_timezone(&tz).format("%H:%M").to_string()
}

/// A desk shift as shown.
struct DeskShift {
    label: String,
    names: Vec<String>,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
}

enum ComputerState {
    Free {
        busy_from: Option<DateTime<Utc>>,
    },
    /// Held now: `in_use` once its holder checked in, else only booked
    /// (she may still come, or the no-show rule may free it).
    Held {
        in_use: bool,
        until: DateTime<Utc>,
        next_free: Option<DateTime<Utc>>,
    },
}

struct RoomItem {
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    what: String,
}

/// Everything the board shows.
struct Board {
    site: Site,
    now: DateTime<Utc>,
    desk_now: Vec<DeskShift>,
    desk_next: Option<DeskShift>,
    computers: Vec<(String, ComputerState)>,
    rooms: Vec<(String, Vec<RoomItem>)>,
    duties: Vec<OccurrenceView>,
}

fn desk_shifts(
    conn: &mut DbConn,
    site: &Site,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<DeskShift>, ApiError> {
    let shifts = rota_store::published_between(conn, site.id, from, to)?;
    let mut ids: Vec<i64> = shifts
        .iter()
        .flat_map(|s| s.published().unwrap_or_default())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let names: BTreeMap<i64, String> = booking_store::user_names(conn, &ids)?.into_iter().collect();
    Ok(shifts
        .iter()
        .map(|s| DeskShift {
            label: s.label.clone(),
            names: s
                .published()
                .unwrap_or_default()
                .iter()
                .map(|id| names.get(id).cloned().unwrap_or_default())
                .collect(),
            starts_at: s.starts_at.and_utc(),
            ends_at: s.ends_at.and_utc(),
        })
        .collect())
}

fn gather(conn: &mut DbConn, slug: &str, now: DateTime<Utc>) -> Result<Board, ApiError> {
    let site = sites::by_slug(conn, slug)?.ok_or_else(|| ApiError::not_found("site"))?;
    let tz = site.tz();
    let today = local_date(tz, now);
    let day = day_of(tz, today);

    let shifts = desk_shifts(conn, &site, today, today + Duration::days(1))?;
    let (current, later): (Vec<DeskShift>, Vec<DeskShift>) = shifts
        .into_iter()
        .filter(|s| s.ends_at > now)
        .partition(|s| s.starts_at <= now);
    let desk_next = later.into_iter().min_by_key(|s| s.starts_at);

    let all = resources::list(conn, site.id, &ResourceFilter::default(), 0, 1000)?;
    let ids: Vec<i64> = all.iter().map(|r| r.id).collect();
    let horizon = Interval::of(day.start, day.end + Duration::days(1));
    let busy = booking_store::active_within(conn, &ids, horizon)?;

    let mut computers = Vec::new();
    for r in all.iter().filter(|r| r.kind() == ResourceKind::Computer) {
        let rules = r.rules();
        let mine = booking_store::occupying(&busy, r.id, &rules, now);
        let state = match mine.iter().find(|b| b.slot.contains_instant(now)) {
            Some(b) => {
                let opening = r.opening();
                let cal = ResourceCalendar {
                    resource_id: r.id,
                    rules: &rules,
                    opening: opening.as_ref(),
                    blackouts: &[],
                    busy: &mine,
                    retired: false,
                };
                let want = Duration::minutes(i64::from(rules.min_minutes));
                let next_free = free_windows(
                    tz,
                    &cal,
                    Interval::of(b.slot.end, day.end + Duration::days(1)),
                    want,
                    now,
                )
                .first()
                .map(|w| w.start);
                ComputerState::Held {
                    in_use: busy
                        .iter()
                        .any(|x| x.id == b.booking_id && x.checked_in_at.is_some()),
                    until: b.slot.end,
                    next_free,
                }
            }
            None => ComputerState::Free {
                busy_from: mine
                    .iter()
                    .filter(|b| b.slot.start > now && b.slot.start < day.end)
                    .map(|b| b.slot.start)
                    .min(),
            },
        };
        computers.push((r.name.clone(), state));
    }

    let group_ids: Vec<i64> = busy.iter().filter_map(|b| b.group_id).collect();
    let group_names: BTreeMap<i64, String> = groups::names(conn, &group_ids)?.into_iter().collect();
    let mut rooms = Vec::new();
    for r in all.iter().filter(|r| r.kind() == ResourceKind::Room) {
        let items: Vec<RoomItem> = busy
            .iter()
            .filter(|b| b.resource_id == r.id && b.slot().overlaps(&day))
            .map(|b| RoomItem {
                starts_at: b.starts_at.and_utc(),
                ends_at: b.ends_at.and_utc(),
                // Group and duty names are public; a private booking's purpose is not.
                what: match (b.group_id, b.duty_id) {
                    (Some(g), _) => group_names.get(&g).cloned().unwrap_or_default(),
                    (None, Some(_)) => b.purpose.clone(),
                    (None, None) => String::new(),
                },
            })
            .collect();
        rooms.push((r.name.clone(), items));
    }

    let monday = week_start(today);
    let duties = duties::list(conn, &site, monday, monday + Duration::days(6), false)?;
    Ok(Board {
        site,
        now,
        desk_now: current,
        desk_next,
        computers,
        rooms,
        duties,
    })
}

fn page(w: Words, title: &str, refresh: bool, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(w.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                link rel="icon" type="image/svg+xml" href="/board/assets/icon.svg";
                link rel="stylesheet" href="/board/assets/board.css";
                @if refresh { script src="/board/assets/board.js" defer {} }
            }
            body { (body) }
        }
    }
}

fn names(list: &[String], w: Words) -> String {
    if list.is_empty() {
        w.word("（待定）", "(open)").to_owned()
    } else {
        list.join(w.word("、", ", "))
    }
}

/// Who is on a duty's date, or that it needs a volunteer: the board and
/// the printable week say it the same way.
fn on_duty(o: &OccurrenceView, w: Words) -> String {
    if o.signed_up.is_empty() {
        w.word("缺人", "needs a volunteer").to_owned()
    } else {
        o.signed_up
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>()
            .join(w.word("、", ", "))
    }
}

fn render(b: &Board, w: Words) -> Markup {
    let tz = b.site.tz();
    let today = local_date(tz, b.now);
    page(
        w,
        &b.site.name,
        true,
        html! {
            header {
                h1 { (b.site.name) }
                span.updating role="status" { (w.word("更新中…", "updating…")) }
                span.clock { (today.format("%Y-%m-%d").to_string()) " " (w.weekday(today)) " " (hm(tz, b.now)) }
            }
            main {
                section #desk {
                    h2 { (w.word("前台值班", "Front desk")) }
                    @if b.desk_now.is_empty() {
                        p.muted { (w.word("现在没有人值班", "Nobody on the desk now")) }
                    }
                    @for s in &b.desk_now {
                        p.big { (names(&s.names, w)) }
                        p { (s.label) " " span.time { (hm(tz, s.starts_at)) "–" (hm(tz, s.ends_at)) } }
                    }
                    @if let Some(s) = &b.desk_next {
                        p.muted {
                            (w.word("下一班：", "Next: ")) (names(&s.names, w)) " "
                            @if local_date(tz, s.starts_at) != today { (w.word("明天 ", "tomorrow ")) }
                            span.time { (hm(tz, s.starts_at)) }
                        }
                    }
                }
                section #computers {
                    h2 { (w.word("共享电脑", "Computers")) }
                    ul {
                        @for (name, state) in &b.computers {
                            li {
                                (name) ": "
                                @match state {
                                    ComputerState::Free { busy_from: None } => span.free { (w.word("空闲", "free")) },
                                    ComputerState::Free { busy_from: Some(at) } => {
                                        span.free { (w.word("空闲", "free")) }
                                        " " span.muted { (w.word("至 ", "until ")) span.time { (hm(tz, *at)) } }
                                    },
                                    ComputerState::Held { in_use, until, next_free } => {
                                        span.busy {
                                            @if *in_use { (w.word("使用中，至 ", "in use until ")) }
                                            @else { (w.word("已预约，至 ", "booked until ")) }
                                            span.time { (hm(tz, *until)) }
                                        }
                                        @if let Some(f) = next_free {
                                            " " span.muted { (w.word("下次空闲 ", "next free ")) span.time { (hm(tz, *f)) } }
                                        }
                                    },
                                }
                            }
                        }
                    }
                }
                section #rooms {
                    h2 { (w.word("今日活动室", "Rooms today")) }
                    ul {
                        @for (name, items) in &b.rooms {
                            li {
                                strong { (name) }
                                @if items.is_empty() { " " span.free { (w.word("全天空闲", "free all day")) } }
                                @for i in items {
                                    br;
                                    span.time { (hm(tz, i.starts_at)) "–" (hm(tz, i.ends_at)) }
                                    " " (if i.what.is_empty() { w.word("已预约", "booked").to_owned() } else { i.what.clone() })
                                }
                            }
                        }
                    }
                }
                section #duties {
                    h2 { (w.word("本周志愿者值班", "Volunteer duty this week")) }
                    ul {
                        @if b.duties.is_empty() { li.muted { (w.word("本周没有值班", "No duties this week")) } }
                        @for d in &b.duties {
                            li {
                                (w.weekday(d.date)) " " span.time { (d.start) "–" (d.end) } " " strong { (d.name) } ": "
                                @if d.signed_up.is_empty() { span.busy { (on_duty(d, w)) } }
                                @else { (on_duty(d, w)) }
                            }
                        }
                    }
                }
            }
            footer { (w.word("每分钟自动更新", "Updates every minute")) " · livingroom" }
        },
    )
}

fn respond(markup: Markup) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(("Content-Security-Policy", CSP))
        .insert_header(("Cache-Control", "no-store"))
        .body(markup.into_string())
}

fn lang_param(w: Words) -> &'static str {
    if w.code() == "en" { "&lang=en" } else { "" }
}

/// A week the page cannot read: say how to write one.
fn bad_week(w: Words, why: &str) -> HttpResponse {
    let markup = page(w, "400", false, html! { main { p { (why) } } });
    HttpResponse::BadRequest()
        .content_type("text/html; charset=utf-8")
        .insert_header(("Content-Security-Policy", CSP))
        .body(markup.into_string())
}

fn not_found(w: Words) -> HttpResponse {
    let markup = page(
        w,
        "404",
        false,
        html! { main { p { (w.word("没有这个居委会。", "No such committee.")) } } },
    );
    HttpResponse::NotFound()
        .content_type("text/html; charset=utf-8")
        .insert_header(("Content-Security-Policy", CSP))
        .body(markup.into_string())
}

#[get("/board/assets/board.css")]
pub async fn css() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .body(CSS)
}

fn icon_response() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("image/svg+xml")
        .insert_header(("Cache-Control", "public, max-age=86400"))
        .body(ICON)
}

/// The board's icon.
#[get("/board/assets/icon.svg")]
pub async fn icon() -> HttpResponse {
    icon_response()
}

/// Browsers ask for it on their own; answer with the icon, not a 404.
#[get("/favicon.ico")]
pub async fn favicon() -> HttpResponse {
    icon_response()
}

#[get("/board/assets/board.js")]
pub async fn js() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .body(JS)
}

#[get("/board/{site}")]
pub async fn board(
    state: web::Data<AppState>,
    path: web::Path<String>,
    q: web::Query<BoardQuery>,
) -> HttpResponse {
    let w = q.words();
    let slug = path.into_inner();
    let now = clock::now();
    match state.db.read(move |conn| gather(conn, &slug, now)).await {
        Ok(b) => respond(render(&b, w)),
        Err(e) if e.kind() == crate::errors::ProblemType::NotFound => not_found(w),
        Err(e) => {
            let mut res = actix_web::ResponseError::error_response(&e);
            res.headers_mut().insert(
                actix_web::http::header::RETRY_AFTER,
                actix_web::http::header::HeaderValue::from_static("10"),
            );
            res
        }
    }
}

/// The printable week: the published rota, the rooms' bookings and the
/// duties, one A4 landscape page.
#[get("/board/{site}/week")]
pub async fn week(
    state: web::Data<AppState>,
    path: web::Path<String>,
    q: web::Query<BoardQuery>,
) -> HttpResponse {
    let w = q.words();
    let slug = path.into_inner();
    let now = clock::now();
    let asked = match q.week.as_deref().map(|v| parse_week("week", v)).transpose() {
        Ok(asked) => asked,
        Err(e) => return bad_week(w, &e.to_string()),
    };
    // A week outside the window every request keeps to is refused like a
    // malformed one, before any date arithmetic.
    if let Some(Err(why)) = asked.map(|d| date_in_window(d, now)) {
        return bad_week(w, &why);
    }
    let gathered = state
        .db
        .read(move |conn| {
            let site = sites::by_slug(conn, &slug)?.ok_or_else(|| ApiError::not_found("site"))?;
            let tz = site.tz();
            let monday = asked.unwrap_or_else(|| week_start(local_date(tz, now)));
            let sunday = monday + Duration::days(6);
            let desk = desk_shifts(conn, &site, monday, sunday)?;
            let rooms = resources::list(
                conn,
                site.id,
                &ResourceFilter {
                    kind: Some(ResourceKind::Room),
                    ..ResourceFilter::default()
                },
                0,
                1000,
            )?;
            let ids: Vec<i64> = rooms.iter().map(|r| r.id).collect();
            let span = Interval::of(
                crate::domain::local_time::midnight(tz, monday),
                crate::domain::local_time::midnight(tz, monday + Duration::days(7)),
            );
            let mut busy = booking_store::active_within(conn, &ids, span)?;
            busy.sort_by_key(|b| (b.starts_at, b.resource_id));
            let group_ids: Vec<i64> = busy.iter().filter_map(|b| b.group_id).collect();
            let group_names: BTreeMap<i64, String> = groups::names(conn, &group_ids)?.into_iter().collect();
            let room_names: BTreeMap<i64, String> = rooms.iter().map(|r| (r.id, r.name.clone())).collect();
            // Weekly things: group bookings (series) and duty holds.
            let room_items: Vec<(NaiveDate, String)> = busy
                .iter()
                .filter(|b| b.group_id.is_some() || b.duty_id.is_some())
                .map(|b| {
                    let what = match b.group_id {
                        Some(g) => group_names.get(&g).cloned().unwrap_or_default(),
                        None => b.purpose.clone(),
                    };
                    let room = room_names.get(&b.resource_id).cloned().unwrap_or_default();
                    (
                        local_date(tz, b.starts_at.and_utc()),
                        format!(
                            "{}–{} {} · {}",
                            hm(tz, b.starts_at.and_utc()),
                            hm(tz, b.ends_at.and_utc()),
                            what,
                            room
                        ),
                    )
                })
                .collect();
            let mut duties = duties::list(conn, &site, monday, sunday, false)?;
            duties.sort_by(|a, b| (a.date, &a.start).cmp(&(b.date, &b.start)));
            let mut desk = desk;
            desk.sort_by_key(|s| s.starts_at);
            Ok((site, monday, desk, room_items, duties))
        })
        .await;
    let (site, monday, desk, room_items, duty_list) = match gathered {
        Ok(g) => g,
        Err(_) => return not_found(w),
    };
    let tz = site.tz();
    let days: Vec<NaiveDate> = (0..7).map(|i| monday + Duration::days(i)).collect();
    let markup = page(
        w,
        &site.name,
        false,
        html! {
            header {
                h1 { (site.name) " · " (w.word("本周安排", "This week")) }
                span { (monday.format("%Y-%m-%d").to_string()) " – " ((monday + Duration::days(6)).format("%Y-%m-%d").to_string()) }
            }
            table.week {
                thead { tr {
                    th { (w.word("日期", "Day")) }
                    th { (w.word("前台值班", "Front desk")) }
                    th { (w.word("活动室", "Rooms")) }
                    th { (w.word("志愿者值班", "Volunteer duty")) }
                } }
                tbody {
                    @for d in &days {
                        tr {
                            th { (w.weekday(*d)) br; (d.format("%m-%d").to_string()) }
                            td { @for s in desk.iter().filter(|s| local_date(tz, s.starts_at) == *d) {
                                span.time { (hm(tz, s.starts_at)) "–" (hm(tz, s.ends_at)) } " " (names(&s.names, w)) br;
                            } }
                            td { @for (_, item) in room_items.iter().filter(|(date, _)| date == d) { (item) br; } }
                            td { @for o in duty_list.iter().filter(|o| o.date == *d) {
                                span.time { (o.start) "–" (o.end) } " " (o.name) ": "
                                (on_duty(o, w)) br;
                            } }
                        }
                    }
                }
            }
            p.no-print.muted {
                a href=(format!("?week={}{}", monday - Duration::days(7), lang_param(w))) { (w.word("上一周", "Previous week")) }
                " · "
                a href=(format!("?week={}{}", monday + Duration::days(7), lang_param(w))) { (w.word("下一周", "Next week")) }
                " · " (w.word("用 A4 横向打印", "Print on A4, landscape"))
            }
        },
    );
    respond(markup)
}
