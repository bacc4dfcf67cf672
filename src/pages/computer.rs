//! Journey 1, the social worker: home (what she has next, one big "use a
//! computer"), booking any free computer of the pool from now in two taps,
//! what to do when none is free (the next free time, the waitlist, urgent
//! work after seeing who would give way), check-in, and her bookings.

use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, Duration, Utc};
use maud::{Markup, html};
use serde::Deserialize;

use super::frame::{Nav, layout, ok, respond, see_other};
use super::session::{PageError, PageUser};
use super::text::{Text, rule};
use crate::clock;
use crate::domain::booking::{BookingRequest, OnConflict, Target, Urgency, check_reason};
use crate::domain::interval::Interval;
use crate::domain::local_time::floor_to_slot;
use crate::domain::person::Language;
use crate::errors::ApiError;
use crate::state::AppState;
use crate::store::access::{SiteAccess, site_access};
use crate::words::Words;
use crate::workflows::bookings::{Outcome, create};
use crate::workflows::my_day::{self, Mine};

/// The pool "use a computer" books from.
const POOL: &str = "computers";
const LENGTHS: [i64; 3] = [30, 60, 90];

fn nav<'a>(user: &'a PageUser, site: &'a str) -> Nav<'a> {
    Nav::of(user, Some(site))
}

fn page(user: &PageUser, site: &str, title: &str, body: Markup) -> HttpResponse {
    ok(layout(user.text(), title, &nav(user, site), body))
}

fn fail(user: &PageUser) -> impl Fn(ApiError) -> PageError + '_ {
    move |e| PageError::Api(user.language, e)
}

/// A time range as people say it: "今天 15:30–16:30", "明天 09:00–10:00",
/// "今天 23:45–明天 00:15" across midnight, else with the date and
/// weekday; always in the site's zone.
fn range(user: &PageUser, tz: chrono_tz::Tz, start: DateTime<Utc>, end: DateTime<Utc>) -> String {
    range_at(user.language, tz, clock::now(), start, end)
}

/// `range` at a given now, so the words can be checked at any hour.
fn range_at(
    language: Language,
    tz: chrono_tz::Tz,
    now: DateTime<Utc>,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> String {
    let text = super::text::text(language);
    let (s, e) = (start.with_timezone(&tz), end.with_timezone(&tz));
    let today = now.with_timezone(&tz).date_naive();
    let word = |day: chrono::NaiveDate| match (day - today).num_days() {
        0 => Some(text.today),
        1 => Some(text.tomorrow),
        _ => None,
    };
    match (word(s.date_naive()), word(e.date_naive())) {
        (Some(day), _) if s.date_naive() == e.date_naive() => {
            format!("{day} {}–{}", s.format("%H:%M"), e.format("%H:%M"))
        }
        // Lower case: the second day word sits mid-sentence in English.
        (Some(first), Some(second)) => format!(
            "{first} {}–{} {}",
            s.format("%H:%M"),
            second.to_lowercase(),
            e.format("%H:%M")
        ),
        _ => Words::new(language).range(tz, start, end),
    }
}
/// `/`: straight to her site, or a short chooser when she has several.
#[get("/")]
pub async fn root(state: web::Data<AppState>, user: PageUser) -> Result<HttpResponse, PageError> {
    let id = user.id;
    let sites = state
        .db
        .read(move |conn| my_day::sites(conn, id))
        .await
        .map_err(fail(&user))?;
    let t = user.text();
    if let [(slug, _)] = sites.as_slice() {
        return Ok(see_other(&format!("/s/{slug}")));
    }
    let nav = Nav::of(&user, None);
    Ok(ok(layout(
        t,
        t.choose_site,
        &nav,
        html! {
            h1 { (t.choose_site) }
            // The district's people read every site's figures.
            @if user.is_operator || user.is_observer {
                p { a.button href="/district" { (t.reports.across_sites) } }
            } @else if sites.is_empty() { p { (t.no_site) } }
            ul.plain.stack {
                @for (slug, name) in &sites {
                    li { a.button.secondary href=(format!("/s/{slug}")) { (name) } }
                }
            }
            form method="post" action="/logout" {
                input type="hidden" name="csrf" value=(user.csrf);
                button.secondary type="submit" { (t.sign_out) }
            }
        },
    )))
}

fn booking_card(user: &PageUser, site: &str, tz: chrono_tz::Tz, m: &Mine, back: &str) -> Markup {
    let t = user.text();
    let b = &m.booking;
    let when = range(user, tz, b.starts_at.and_utc(), b.ends_at.and_utc());
    html! {
        li.card.due[m.due] {
            div.row {
                div {
                    strong { (when) }
                    br;
                    (m.resource_name)
                    @if m.is_shift { " · " (t.shift) }
                    @if b.checked_in_at.is_some() { " · " span.status { "✓ " (t.checked_in) } }
                    @if b.status == "pending" { " · " span.status { (t.pending) } }
                }
                div.actions {
                    @if m.due {
                        form method="post" action=(format!("/s/{site}/bookings/{}/check-in", b.id)) {
                            input type="hidden" name="csrf" value=(user.csrf);
                            input type="hidden" name="back" value=(back);
                            button type="submit" { (t.check_in) }
                        }
                    }
                    @if m.cancellable && back != "home" {
                        form method="post" action=(format!("/s/{site}/bookings/{}/cancel", b.id)) {
                            input type="hidden" name="csrf" value=(user.csrf);
                            button.secondary type="submit" { (t.cancel) }
                        }
                    }
                }
            }
        }
    }
}

#[derive(Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

fn done_words<'a>(t: &'a Text, done: Option<&str>) -> Option<&'a str> {
    match done? {
        "checked-in" => Some(t.checked_in_done),
        "cancelled" => Some(t.cancelled),
        _ => None,
    }
}

/// Her site's home: a due check-in first, the big action, then what is next.
#[get("/s/{site}")]
pub async fn home(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<String>,
    q: web::Query<DoneQuery>,
) -> Result<HttpResponse, PageError> {
    let slug = path.into_inner();
    let (caller, now, site) = (user.clone(), clock::now(), slug.clone());
    let (access, view) = state
        .db
        .read(move |conn| {
            let access = site_access(conn, &site, &caller)?;
            let view = my_day::overview(conn, &access, POOL, now)?;
            Ok((access, view))
        })
        .await
        .map_err(fail(&user))?;
    let t = user.text();
    let tz = access.site.tz();
    let roles = access.roles;
    let (due, rest): (Vec<&Mine>, Vec<&Mine>) = view.mine.iter().partition(|m| m.due);
    Ok(page(
        &user,
        &slug,
        &access.site.name,
        html! {
            h1 { (access.site.name) }
            @if let Some(w) = done_words(t, q.done.as_deref()) { p.notice role="status" { (w) } }
            @if !due.is_empty() {
                ul.plain { @for m in &due { (booking_card(&user, &slug, tz, m, "home")) } }
            }
            // The one big action is what she comes for: a computer for
            // staff, the duty list for a volunteer, the rooms for a group
            // leader.
            @if roles.staff || roles.admin {
                a.button.big href=(format!("/s/{slug}/computer")) { (t.use_computer) }
                p.hint {
                    @if view.free_computers.is_empty() { (t.none_free_now) }
                    @else { (t.free_now) (view.free_computers.join("、")) }
                }
            } @else if roles.volunteer {
                a.button.big href=(format!("/s/{slug}/duties")) { (t.duties_nav) }
            } @else if roles.group_leader {
                a.button.big href=(format!("/s/{slug}/rooms")) { (t.rooms_nav) }
            }
            @if !view.duties.is_empty() {
                h2 { (t.duties.mine_title) }
                ul.plain {
                    @for d in &view.duties {
                        li.card {
                            strong { (range(&user, tz, d.occ.starts_at, d.occ.ends_at)) }
                            br;
                            (d.occ.name)
                            @if let Some(room) = &d.room { " · " (room) }
                        }
                    }
                }
            }
            h2 { (t.my_plans) }
            @if rest.is_empty() { p { (t.nothing_ahead) } }
            ul.plain { @for m in rest.iter().take(5) { (booking_card(&user, &slug, tz, m, "home")) } }
        },
    ))
}

/// The quarter hours left today from the next one on, as (value, label):
/// the value is the start in RFC 3339 with the site's offset, as the
/// none-free page's "book this time" sends it.
fn later_today(tz: chrono_tz::Tz, now: DateTime<Utc>) -> Vec<(String, String)> {
    let end = crate::domain::local_time::local_day(tz, now).end;
    let mut at = floor_to_slot(tz, now, 15) + Duration::minutes(15);
    let mut out = Vec::new();
    while at + Duration::minutes(LENGTHS[0]) <= end {
        let local = at.with_timezone(&tz);
        out.push((local.to_rfc3339(), local.format("%H:%M").to_string()));
        at += Duration::minutes(15);
    }
    out
}

fn lengths_form(user: &PageUser, slug: &str, tz: chrono_tz::Tz, error: Option<&str>) -> Markup {
    let t = user.text();
    let later = later_today(tz, clock::now());
    let described = if error.is_some() {
        "lengths-hint book-error"
    } else {
        "lengths-hint"
    };
    html! {
        h1 { (t.how_long) }
        p.hint #lengths-hint { (t.from_now) }
        @if let Some(e) = error { p.error #book-error role="alert" { (e) } }
        form method="post" action=(format!("/s/{slug}/computer")) {
            input type="hidden" name="csrf" value=(user.csrf);
            div.lengths {
                @for (minutes, label) in LENGTHS.iter().zip(t.lengths) {
                    button type="submit" name="minutes" value=(minutes) aria-describedby=(described) { (label) }
                }
            }
        }
        @if !later.is_empty() {
            h2 #later-heading { (t.later_today) }
            form.later method="post" action=(format!("/s/{slug}/computer")) aria-labelledby="later-heading" {
                input type="hidden" name="csrf" value=(user.csrf);
                div.row {
                    div {
                        label for="later-start" { (t.starting_at) }
                        select #later-start name="start" {
                            @for (value, label) in &later { option value=(value) { (label) } }
                        }
                    }
                    div {
                        label for="later-minutes" { (t.for_how_long) }
                        select #later-minutes name="minutes" {
                            @for (minutes, label) in LENGTHS.iter().zip(t.lengths) {
                                option value=(minutes) selected[*minutes == 60] { (label) }
                            }
                        }
                    }
                }
                button.secondary type="submit" { (t.book_this_time) }
            }
        }
    }
}

/// "Use a computer": the second tap books; a time later today is one
/// more choice below.
#[get("/s/{site}/computer")]
pub async fn choose(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let slug = path.into_inner();
    let (caller, site) = (user.clone(), slug.clone());
    let access = state
        .db
        .read(move |conn| site_access(conn, &site, &caller))
        .await
        .map_err(fail(&user))?;
    Ok(page(
        &user,
        &slug,
        user.text().use_computer,
        lengths_form(&user, &slug, access.site.tz(), None),
    ))
}

#[derive(Deserialize)]
pub struct BookForm {
    #[serde(default)]
    csrf: String,
    minutes: i64,
    /// A later start offered when none was free (RFC 3339).
    start: Option<crate::domain::window::Instant>,
    urgent: Option<String>,
    reason: Option<String>,
    waitlist: Option<String>,
}

impl BookForm {
    fn request(
        &self,
        user: &PageUser,
        access: &SiteAccess,
        now: DateTime<Utc>,
    ) -> Result<BookingRequest, ApiError> {
        let minutes = if LENGTHS.contains(&self.minutes) {
            self.minutes
        } else {
            60
        };
        let start = match self.start {
            Some(s) => s.with_timezone(&Utc),
            None => floor_to_slot(access.site.tz(), now, 15),
        };
        let urgency = if self.urgent.is_some() {
            Urgency::Urgent
        } else {
            Urgency::Routine
        };
        let reason = check_reason(urgency, self.reason.as_deref()).map_err(ApiError::from)?;
        let slot = Interval::of(start, start + Duration::minutes(minutes));
        Ok(BookingRequest {
            target: Target::Pool(POOL.to_owned()),
            slot,
            purpose: user.text().purpose.to_owned(),
            urgency,
            reason,
            headcount: None,
            group_id: None,
            recurrence: None,
            on_conflict: if self.waitlist.is_some() {
                OnConflict::Waitlist
            } else {
                OnConflict::Fail
            },
            flexible: false,
            latest_start: self.waitlist.is_some().then(|| {
                crate::domain::local_time::local_day(access.site.tz(), now).end - Duration::minutes(minutes)
            }),
        })
    }
}

/// A refusal in her words: the broken rule, else the workflow's sentence.
fn refusal_words(user: &PageUser, e: &ApiError) -> String {
    e.extension("rule")
        .and_then(|r| r.as_str())
        .and_then(|code| rule(user.language, code))
        .map(str::to_owned)
        .unwrap_or_else(|| e.detail().to_owned())
}

enum Booked {
    Booking(i64),
    /// Waiting, at this place in line.
    Waiting(u32),
}

/// The second tap: book any free computer from now (or from the offered
/// time), as the API's `POST /bookings` with `pool` would.
#[post("/s/{site}/computer")]
pub async fn book(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<String>,
    f: web::Form<BookForm>,
) -> Result<HttpResponse, PageError> {
    user.check(&f.csrf)?;
    let slug = path.into_inner();
    let f = f.into_inner();
    let (caller, now, site, notifier) = (user.clone(), clock::now(), slug.clone(), state.notifier.clone());
    let minutes = f.minutes;
    let from = f.start;
    let answer = state
        .db
        .write(move |conn| {
            let access = site_access(conn, &site, &caller)?;
            let req = f.request(&caller, &access, now)?;
            Ok(match create(conn, &access, &req, &notifier, now)? {
                Outcome::Created(c) => Booked::Booking(c.bookings.first().map(|b| b.id).unwrap_or_default()),
                Outcome::Waitlisted { place, .. } => Booked::Waiting(place),
            })
        })
        .await;
    match answer {
        Ok(Booked::Booking(id)) => Ok(see_other(&format!("/s/{slug}/booked/{id}"))),
        Ok(Booked::Waiting(place)) => Ok(see_other(&format!("/s/{slug}/waitlisted?place={place}"))),
        Err(e) if e.extension("conflicts").is_some() => {
            let from = from
                .map(|f| {
                    format!(
                        "&from={}",
                        crate::pages::session::encode_component(&f.to_rfc3339())
                    )
                })
                .unwrap_or_default();
            Ok(see_other(&format!(
                "/s/{slug}/computer/none-free?minutes={minutes}{from}"
            )))
        }
        Err(e) if e.kind() == crate::errors::ProblemType::NotFound => Err(PageError::Api(user.language, e)),
        Err(e) => {
            let words = refusal_words(&user, &e);
            let t = user.text();
            let (caller, site) = (user.clone(), slug.clone());
            let tz = state
                .db
                .read(move |conn| Ok(site_access(conn, &site, &caller)?.site.tz()))
                .await
                .map_err(fail(&user))?;
            Ok(respond(
                e.kind().status(),
                layout(
                    t,
                    t.use_computer,
                    &nav(&user, &slug),
                    lengths_form(&user, &slug, tz, Some(&words)),
                ),
            ))
        }
    }
}

pub mod answers;

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32, day: u32) -> DateTime<Utc> {
        chrono_tz::Asia::Shanghai
            .with_ymd_and_hms(2026, 12, day, h, m, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    /// CI once booked at 23:45 site time: the answer must still say
    /// today and tomorrow, not two full dates.
    #[test]
    fn ranges_read_as_people_say_them() {
        let tz = chrono_tz::Asia::Shanghai;
        let now = at(23, 40, 3);
        let zh = |s, e| range_at(Language::ZhCn, tz, now, s, e);
        assert_eq!(zh(at(23, 45, 3), at(23, 59, 3)), "今天 23:45–23:59");
        assert_eq!(zh(at(23, 45, 3), at(0, 15, 4)), "今天 23:45–明天 00:15");
        assert_eq!(zh(at(9, 0, 4), at(10, 0, 4)), "明天 09:00–10:00");
        assert!(zh(at(9, 0, 5), at(10, 0, 5)).starts_with("2026-12-05"));
        let en = range_at(Language::En, tz, now, at(23, 45, 3), at(0, 15, 4));
        assert_eq!(en, "Today 23:45–tomorrow 00:15");
    }
}
