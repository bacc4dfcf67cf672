//! The pages after the second tap: which computer she got, what to do when
//! none is free (with who would give way to urgent work), check-in and
//! cancel, her bookings, and each computer's check-in link.

use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, Duration, Utc};
use maud::html;
use serde::Deserialize;

use super::{BookForm, LENGTHS, POOL, booking_card, fail, page, range, refusal_words};
use crate::clock;
use crate::pages::session::{PageError, PageUser};
use crate::state::AppState;
use crate::store::access::site_access;
use crate::store::{bookings as booking_store, resources};
use crate::workflows::bookings::{Outcome, cancel, check_in, create};
use crate::workflows::my_day;

/// What the booking she just made says: which computer, when.
#[get("/s/{site}/booked/{id}")]
pub async fn booked(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, PageError> {
    let (slug, id) = path.into_inner();
    let (caller, now, site) = (user.clone(), clock::now(), slug.clone());
    let (tz, mine) = state
        .db
        .read(move |conn| {
            let access = site_access(conn, &site, &caller)?;
            let mine = my_day::mine(conn, &access, now)?;
            Ok((access.site.tz(), mine.into_iter().find(|m| m.booking.id == id)))
        })
        .await
        .map_err(fail(&user))?;
    let t = user.text();
    let Some(m) = mine else {
        return Ok(see_home(&slug, None));
    };
    let when = range(
        &user,
        tz,
        m.booking.starts_at.and_utc(),
        m.booking.ends_at.and_utc(),
    );
    Ok(page(
        &user,
        &slug,
        t.booked_title,
        html! {
            h1 { (t.booked_title) }
            p.card { strong.lead { (m.resource_name) } br; (when) }
            @if m.due {
                form method="post" action=(format!("/s/{slug}/bookings/{}/check-in", m.booking.id)) {
                    input type="hidden" name="csrf" value=(user.csrf);
                    input type="hidden" name="back" value="home";
                    button.big type="submit" { (t.check_in) }
                }
                p.hint { (t.check_in_hint) }
            }
            p { a href=(format!("/s/{slug}/bookings")) { (t.my_bookings) } }
        },
    ))
}

fn see_home(slug: &str, done: Option<&str>) -> HttpResponse {
    match done {
        Some(d) => crate::pages::frame::see_other(&format!("/s/{slug}?done={d}")),
        None => crate::pages::frame::see_other(&format!("/s/{slug}")),
    }
}

/// Where the answer page says the request stands in line.
#[derive(serde::Deserialize)]
pub struct InLine {
    place: Option<u32>,
}

#[get("/s/{site}/waitlisted")]
pub async fn waitlisted(user: PageUser, path: web::Path<String>, query: web::Query<InLine>) -> HttpResponse {
    let slug = path.into_inner();
    let place = query.into_inner().place.filter(|p| *p >= 1);
    let t = user.text();
    page(
        &user,
        &slug,
        t.waitlisted_title,
        html! {
            h1 { (t.waitlisted_title) }
            @if let Some(place) = place {
                p.place { (t.place_in_line(place)) }
            }
            p.notice role="status" { (t.waitlisted) }
            p { a.button href=(format!("/s/{slug}")) { (t.home) } }
        },
    )
}

#[derive(Deserialize)]
pub struct MinutesQuery {
    minutes: Option<i64>,
    /// The later start she asked for, when it was that time that was taken.
    from: Option<crate::domain::window::Instant>,
}

fn clamp(minutes: Option<i64>) -> i64 {
    minutes.filter(|m| LENGTHS.contains(m)).unwrap_or(60)
}

fn reason_chips(user: &PageUser) -> maud::Markup {
    let t = user.text();
    html! {
        fieldset {
            legend { (t.reason) }
            div.chips {
                @for (i, r) in t.reasons.iter().enumerate() {
                    label { input type="radio" name="reason" value=(r) required checked[i == 0]; (r) }
                }
            }
        }
    }
}

/// None free now: the next free time (one tap), the waitlist, or urgent.
#[get("/s/{site}/computer/none-free")]
pub async fn none_free(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<String>,
    q: web::Query<MinutesQuery>,
) -> Result<HttpResponse, PageError> {
    let slug = path.into_inner();
    let minutes = clamp(q.minutes);
    let (caller, now, site) = (user.clone(), clock::now(), slug.clone());
    let from = q.from.map(|f| f.with_timezone(&Utc)).filter(|f| *f > now);
    let (tz, next) = state
        .db
        .read(move |conn| {
            let access = site_access(conn, &site, &caller)?;
            let next = my_day::next_free(
                conn,
                &access,
                POOL,
                Duration::minutes(minutes),
                from.unwrap_or(now),
            )?;
            Ok((access.site.tz(), next))
        })
        .await
        .map_err(fail(&user))?;
    let t = user.text();
    let action = format!("/s/{slug}/computer");
    Ok(page(
        &user,
        &slug,
        t.none_free_title,
        html! {
            h1 { (t.none_free_title) }
            h2 { (t.next_free) }
            @if let Some(slot) = next {
                form.card method="post" action=(action) {
                    input type="hidden" name="csrf" value=(user.csrf);
                    input type="hidden" name="minutes" value=(minutes);
                    input type="hidden" name="start" value=(slot.start.to_rfc3339());
                    p { strong { (range(&user, tz, slot.start, slot.end)) } }
                    button type="submit" { (t.book_this_time) }
                }
            } @else {
                p { (t.no_more_today) }
            }
            h2 { (t.waitlist_button) }
            form.card method="post" action=(action) {
                input type="hidden" name="csrf" value=(user.csrf);
                input type="hidden" name="minutes" value=(minutes);
                input type="hidden" name="waitlist" value="1";
                @if let Some(from) = from { input type="hidden" name="start" value=(from.to_rfc3339()); }
                p.hint { (t.waitlist_intro) }
                button.secondary type="submit" { (t.waitlist_button) }
            }
            h2 { (t.urgent_heading) }
            form.card method="post" action=(format!("/s/{slug}/computer/urgent")) {
                input type="hidden" name="csrf" value=(user.csrf);
                input type="hidden" name="minutes" value=(minutes);
                input type="hidden" name="urgent" value="1";
                @if let Some(from) = from { input type="hidden" name="start" value=(from.to_rfc3339()); }
                p.hint { (t.urgent_intro) }
                (reason_chips(&user))
                button.secondary type="submit" { (t.see_who_moves) }
            }
        },
    ))
}

/// One booking that would give way, in words.
struct GivesWay {
    owner: Option<String>,
    was: (String, DateTime<Utc>, DateTime<Utc>),
    to: Option<(String, DateTime<Utc>, DateTime<Utc>)>,
}

/// Urgent work, before she confirms: the same request rehearsed (nothing
/// is kept), saying whose booking would give way and where it would go.
#[post("/s/{site}/computer/urgent")]
pub async fn urgent_preview(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<String>,
    f: web::Form<BookForm>,
) -> Result<HttpResponse, PageError> {
    user.check(&f.csrf)?;
    let slug = path.into_inner();
    let f = f.into_inner();
    let (caller, now, site, notifier) = (user.clone(), clock::now(), slug.clone(), state.notifier.clone());
    let (minutes, reason) = (f.minutes, f.reason.clone().unwrap_or_default());
    let rehearsed = state
        .db
        .rehearse(move |conn| {
            let access = site_access(conn, &site, &caller)?;
            let req = f.request(&caller, &access, now)?;
            let Outcome::Created(created) = create(conn, &access, &req, &notifier, now)? else {
                return Ok((access.site.tz(), None, Vec::new()));
            };
            let mine = created.bookings.first().cloned();
            let mut gives = Vec::new();
            for d in &created.displaced {
                let b = booking_store::by_id(conn, access.site.id, d.booking_id)?;
                // Whose booking it is, only for those the policy lets see it.
                let owner = if access.sees_who_holds() {
                    booking_store::user_names(conn, &[b.owner_id])?
                        .into_iter()
                        .next()
                        .map(|(_, n)| n)
                } else {
                    None
                };
                let was_name = resources::by_id(conn, access.site.id, b.resource_id)?.name;
                let to = match &d.moved_to {
                    Some(m) => Some((
                        resources::by_id(conn, access.site.id, m.resource_id)?.name,
                        m.starts_at,
                        m.ends_at,
                    )),
                    None => None,
                };
                gives.push(GivesWay {
                    owner,
                    was: (was_name, b.starts_at.and_utc(), b.ends_at.and_utc()),
                    to,
                });
            }
            let mine = match mine {
                Some(b) => Some((
                    resources::by_id(conn, access.site.id, b.resource_id)?.name,
                    b.starts_at.and_utc(),
                    b.ends_at.and_utc(),
                )),
                None => None,
            };
            Ok((access.site.tz(), mine, gives))
        })
        .await;
    let t = user.text();
    let (tz, mine, gives) = match rehearsed {
        Ok(r) => r,
        Err(e) => {
            // Nothing that has started, or starts within the grace time,
            // gives way even to urgent work: say so, not "taken".
            let words = if e.extension("conflicts").is_some() {
                t.urgent_cannot_displace.to_owned()
            } else {
                refusal_words(&user, &e)
            };
            return Ok(page(
                &user,
                &slug,
                t.urgent_heading,
                html! {
                    h1 { (t.urgent_heading) }
                    p.error role="alert" { (words) }
                    p { a.button.secondary href=(format!("/s/{slug}/computer/none-free?minutes={minutes}")) { (t.back) } }
                },
            ));
        }
    };
    Ok(page(
        &user,
        &slug,
        t.would_title,
        html! {
            h1 { (t.would_title) }
            @if let Some((name, s, e)) = &mine { p.card { strong { (name) } br; (range(&user, tz, *s, *e)) } }
            @if gives.is_empty() { p { (t.nobody_moves) } }
            ul.plain {
                @for g in &gives {
                    li.card {
                        (g.owner.as_deref().unwrap_or(t.someone)) " · " (g.was.0) " " (range(&user, tz, g.was.1, g.was.2)) " " (t.gives_way) "，"
                        @match &g.to {
                            Some((name, s, e)) => { (t.moved_to) " " (name) " " (range(&user, tz, *s, *e)) }
                            None => { (t.to_waitlist) }
                        }
                    }
                }
            }
            form method="post" action=(format!("/s/{slug}/computer")) {
                input type="hidden" name="csrf" value=(user.csrf);
                input type="hidden" name="minutes" value=(minutes);
                input type="hidden" name="urgent" value="1";
                input type="hidden" name="reason" value=(reason);
                button.big type="submit" { (t.confirm_urgent) }
            }
        },
    ))
}

#[derive(Deserialize)]
pub struct ActForm {
    #[serde(default)]
    csrf: String,
    back: Option<String>,
}

fn back_to(slug: &str, back: Option<&str>, done: &str) -> HttpResponse {
    match back {
        Some("home") => see_home(slug, Some(done)),
        _ => crate::pages::frame::see_other(&format!("/s/{slug}/bookings?done={done}")),
    }
}

/// A booking workflow a tap runs: check in, or cancel.
type Act = fn(
    &mut crate::db::DbConn,
    &crate::store::access::SiteAccess,
    i64,
    &crate::notify::Notifier,
    DateTime<Utc>,
) -> Result<crate::store::bookings::Booking, crate::errors::ApiError>;

/// One tap on one of her bookings: run `act`, then go back where the tap
/// came from, saying `done`.
async fn tap(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<(String, i64)>,
    f: web::Form<ActForm>,
    act: Act,
    done: &str,
) -> Result<HttpResponse, PageError> {
    user.check(&f.csrf)?;
    let (slug, id) = path.into_inner();
    let (caller, now, site, notifier) = (user.clone(), clock::now(), slug.clone(), state.notifier.clone());
    state
        .db
        .write(move |conn| {
            let access = site_access(conn, &site, &caller)?;
            act(conn, &access, id, &notifier, now).map(|_| ())
        })
        .await
        .map_err(fail(&user))?;
    Ok(back_to(&slug, f.back.as_deref(), done))
}

#[post("/s/{site}/bookings/{id}/check-in")]
pub async fn check_in_booking(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<(String, i64)>,
    f: web::Form<ActForm>,
) -> Result<HttpResponse, PageError> {
    tap(state, user, path, f, check_in, "checked-in").await
}

#[post("/s/{site}/bookings/{id}/cancel")]
pub async fn cancel_booking(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<(String, i64)>,
    f: web::Form<ActForm>,
) -> Result<HttpResponse, PageError> {
    tap(state, user, path, f, cancel, "cancelled").await
}

/// My bookings: everything of hers ahead, each with cancel and check-in.
#[get("/s/{site}/bookings")]
pub async fn my_bookings(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<String>,
    q: web::Query<super::DoneQuery>,
) -> Result<HttpResponse, PageError> {
    let slug = path.into_inner();
    let (caller, now, site) = (user.clone(), clock::now(), slug.clone());
    let (tz, mine) = state
        .db
        .read(move |conn| {
            let access = site_access(conn, &site, &caller)?;
            Ok((access.site.tz(), my_day::mine(conn, &access, now)?))
        })
        .await
        .map_err(fail(&user))?;
    let t = user.text();
    Ok(page(
        &user,
        &slug,
        t.my_bookings,
        html! {
            h1 { (t.my_bookings) }
            @if let Some(w) = super::done_words(t, q.done.as_deref()) { p.notice role="status" { (w) } }
            @if mine.is_empty() { p { (t.nothing_ahead) } }
            ul.plain { @for m in &mine { (booking_card(&user, &slug, tz, m, "bookings")) } }
        },
    ))
}

/// A computer's check-in link (printed on it): one tap confirms, so a link
/// preview or a prefetch never checks anyone in.
#[get("/s/{site}/check-in/{resource}")]
pub async fn check_in_here_form(user: PageUser, path: web::Path<(String, i64)>) -> HttpResponse {
    let (slug, resource) = path.into_inner();
    let t = user.text();
    page(
        &user,
        &slug,
        t.check_in_here_title,
        html! {
            h1 { (t.check_in_here_title) }
            form method="post" action=(format!("/s/{slug}/check-in/{resource}")) {
                input type="hidden" name="csrf" value=(user.csrf);
                button.big type="submit" { (t.check_in) }
            }
            // The sign that carries this link, for whoever may print it.
            @if user.sites.iter().any(|(s, r)| *s == slug && (r.staff || r.admin)) {
                p { a href=(format!("/s/{slug}/resources/{resource}/qr")) { (t.settings.print_sign) } }
            }
        },
    )
}

#[post("/s/{site}/check-in/{resource}")]
pub async fn check_in_here(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<(String, i64)>,
    f: web::Form<ActForm>,
) -> Result<HttpResponse, PageError> {
    user.check(&f.csrf)?;
    let (slug, resource) = path.into_inner();
    let (caller, now, site, notifier) = (user.clone(), clock::now(), slug.clone(), state.notifier.clone());
    let done = state
        .db
        .write(move |conn| {
            let access = site_access(conn, &site, &caller)?;
            my_day::check_in_at(conn, &access, resource, &notifier, now).map(|_| ())
        })
        .await;
    let t = user.text();
    match done {
        Ok(()) => Ok(see_home(&slug, Some("checked-in"))),
        Err(e) if e.kind() == crate::errors::ProblemType::Conflict => Ok(page(
            &user,
            &slug,
            t.check_in_here_title,
            html! { h1 { (t.check_in_here_title) } p.error role="alert" { (t.nothing_to_check_in) } },
        )),
        Err(e) => Err(PageError::Api(user.language, e)),
    }
}
