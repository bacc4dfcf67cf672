//! Journey 4, front-desk staff: my shifts in the published rota, offering
//! one (after a confirmation), taking one a colleague offers, and the
//! week's published rota with who sits at which post. Offering and taking
//! call the workflows the API's `rota/shifts/{id}/offer` and `.../take`
//! call, so the rules and refusals are the same.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use maud::{Markup, html};
use serde::Deserialize;

use super::frame::{Nav, layout, ok, respond, see_other};
use super::session::{PageError, PageUser};
use crate::clock;
use crate::errors::{ApiError, ProblemType};
use crate::state::AppState;
use crate::store::access::site_access;
use crate::store::rota::Shift;
use crate::words::Words;
use crate::workflows::rota as flow;
use crate::workflows::rota_mine::{MyRota, RotaShift, my_rota};

/// A refusal in her words: the rota rule, else the workflow's sentence.
fn refusal_words(user: &PageUser, e: &ApiError) -> String {
    e.extension("rule")
        .and_then(|r| r.as_str())
        .and_then(|code| user.text().shifts.rule(code))
        .map(str::to_owned)
        .unwrap_or_else(|| e.detail().to_owned())
}

/// "周二 12月8日 08:30–12:00", in the site's zone.
fn when(user: &PageUser, tz: Tz, shift: &Shift) -> String {
    let (s, e) = (
        shift.starts_at.and_utc().with_timezone(&tz),
        shift.ends_at.and_utc().with_timezone(&tz),
    );
    format!(
        "{} {} {}–{}",
        Words::new(user.language).weekday(s.date_naive()),
        user.text().shifts.date(s.date_naive()),
        s.format("%H:%M"),
        e.format("%H:%M")
    )
}

fn clock_range(tz: Tz, shift: &Shift) -> String {
    format!(
        "{}–{}",
        shift.starts_at.and_utc().with_timezone(&tz).format("%H:%M"),
        shift.ends_at.and_utc().with_timezone(&tz).format("%H:%M")
    )
}

fn shifts_url(slug: &str) -> String {
    format!("/s/{slug}/shifts")
}

/// A refusal to show beside one shift, after a form was refused.
struct Refused {
    shift_id: i64,
    words: String,
}

fn error_beside(error: Option<&Refused>, shift_id: i64) -> Option<&str> {
    error.filter(|e| e.shift_id == shift_id).map(|e| e.words.as_str())
}

fn mine_section(user: &PageUser, slug: &str, tz: Tz, rota: &MyRota, error: Option<&Refused>) -> Markup {
    let t = &user.text().shifts;
    html! {
      section #mine aria-labelledby="mine-title" {
        h2 #mine-title { (t.mine) }
        @if rota.mine.is_empty() { p { (t.no_mine) } }
        ul.plain.shifts {
            @for m in &rota.mine {
                @let s = &m.rota.shift;
                @let err_id = format!("shift-{}-error", s.id);
                li.card id=(format!("shift-{}", s.id)) {
                    strong { (when(user, tz, s)) }
                    br;
                    (s.label)
                    @if let Some(post) = m.rota.seat_of(user.id).and_then(|seat| seat.post.as_deref()) {
                        " · " (post)
                    }
                    @if let Some(words) = error_beside(error, s.id) {
                        p.error id=(err_id) role="alert" { (words) }
                    }
                    @if m.offered {
                        p.status.offered { (t.offered_waiting) }
                    } @else if let Some(refusal) = &m.refusal {
                        p.hint { (refusal_words(user, refusal)) }
                    } @else {
                        p.actions {
                            a.button.secondary href=(format!("/s/{slug}/shifts/{}/offer", s.id)) { (t.offer) }
                        }
                    }
                }
            }
        }
        @if !rota.handed_over.is_empty() {
            ul.plain {
                @for h in &rota.handed_over {
                    li.notice { (when(user, tz, &h.shift)) " · " (t.handed_before) (h.taken_by) (t.handed_after) }
                }
            }
        }
      }
    }
}

fn offered_section(user: &PageUser, slug: &str, tz: Tz, rota: &MyRota, error: Option<&Refused>) -> Markup {
    let t = &user.text().shifts;
    html! {
      section #offered aria-labelledby="offered-title" {
        h2 #offered-title { (t.others_offer) }
        @if rota.offered.is_empty() { p { (t.none_offered) } }
        ul.plain.shifts {
            @for o in &rota.offered {
                @let s = &o.rota.shift;
                @let reason_id = format!("shift-{}-reason", s.id);
                @let others: Vec<&str> = o.rota.people.iter()
                    .filter(|p| p.name != o.offered_by)
                    .map(|p| p.name.as_str())
                    .collect();
                li.card id=(format!("shift-{}", s.id)) {
                    strong { (when(user, tz, s)) }
                    br;
                    (s.label)
                    br;
                    (t.offered_by) (o.offered_by)
                    @if !others.is_empty() { " · " (t.with) (others.join("、")) }
                    @if let Some(words) = error_beside(error, s.id) {
                        p.error id=(reason_id) role="alert" { (words) }
                    } @else if let Some(refusal) = &o.refusal {
                        p.hint id=(reason_id) { (t.cannot_take) (refusal_words(user, refusal)) }
                    }
                    form.actions method="post" action=(format!("/s/{slug}/shifts/{}/take", s.id)) {
                        input type="hidden" name="csrf" value=(user.csrf);
                        @if o.refusal.is_some() {
                            button type="submit" disabled aria-describedby=(reason_id) { (t.take) }
                        } @else {
                            button type="submit" { (t.take) }
                        }
                    }
                }
            }
        }
      }
    }
}

fn week_section(user: &PageUser, slug: &str, tz: Tz, rota: &MyRota) -> Markup {
    let t = &user.text().shifts;
    let w = Words::new(user.language);
    let monday = rota.week_start;
    let week_url = |d: NaiveDate| format!("/s/{slug}/shifts?week={d}#week");
    let days: Vec<NaiveDate> = (0..7)
        .map(|i| monday + Duration::days(i))
        .filter(|d| rota.week.iter().any(|r| r.shift.date == *d))
        .collect();
    let sunday = monday + Duration::days(6);
    html! {
        h2 #week {
            (t.week) " · " (t.date(monday)) "–" (t.date(sunday))
        }
        nav.weeks aria-label=(t.week_nav) {
            a.button.secondary href=(week_url(monday - Duration::days(7))) { "‹ " (t.previous_week) }
            a.button.secondary href=(week_url(clock::now().with_timezone(&tz).date_naive())) { (t.this_week) }
            a.button.secondary href=(week_url(monday + Duration::days(7))) { (t.next_week) " ›" }
        }
        @if days.is_empty() { p { (t.nothing_published) } }
        div.week {
            @for day in &days {
                section.day aria-labelledby=(format!("day-{day}")) {
                    h3 id=(format!("day-{day}")) { (w.weekday(*day)) " " (t.date(*day)) }
                    ul.plain {
                        @for r in rota.week.iter().filter(|r| r.shift.date == *day) {
                            (week_shift(user, tz, r))
                        }
                    }
                }
            }
        }
    }
}

fn week_shift(user: &PageUser, tz: Tz, r: &RotaShift) -> Markup {
    let t = &user.text().shifts;
    let open = (r.shift.positions.max(0) as usize).saturating_sub(r.people.len());
    html! {
        li.slot {
            strong { (clock_range(tz, &r.shift)) } " " (r.shift.label)
            ul.people {
                @for p in &r.people {
                    li.me[p.user_id == user.id] {
                        @if let Some(post) = &p.post { span.post { (post) } " " }
                        (p.name)
                        @if p.user_id == user.id { (t.you) }
                    }
                }
                @for _ in 0..open { li.open { (t.open_post) } }
            }
        }
    }
}

#[derive(Deserialize)]
pub struct ShiftsQuery {
    /// Any date of the week to show (default: this week).
    week: Option<String>,
    done: Option<String>,
}

async fn read_rota(
    state: &AppState,
    user: &PageUser,
    slug: &str,
    week: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> Result<(String, Tz, MyRota), PageError> {
    let (caller, site) = (user.clone(), slug.to_owned());
    state
        .db
        .read(move |conn| {
            let access = site_access(conn, &site, &caller)?;
            let rota = my_rota(conn, &access, week, now)?;
            Ok((access.site.name.clone(), access.site.tz(), rota))
        })
        .await
        .map_err(|e| match e.kind() {
            // A member who is not staff (a volunteer, a group leader) is
            // told in her words why there is nothing here for her.
            ProblemType::Forbidden => match user.text().shifts.rule("staff_only") {
                Some(words) => PageError::Api(user.language, ApiError::forbidden(words)),
                None => PageError::Api(user.language, e),
            },
            _ => PageError::Api(user.language, e),
        })
}

/// The whole page; `error` puts a refusal beside its shift (or on top,
/// when the shift is no longer in a list).
async fn shifts_page(
    state: &AppState,
    user: &PageUser,
    slug: &str,
    week: Option<NaiveDate>,
    done: Option<&str>,
    error: Option<Refused>,
) -> Result<HttpResponse, PageError> {
    let (_, tz, rota) = read_rota(state, user, slug, week, clock::now()).await?;
    let t = &user.text().shifts;
    let done = match done {
        Some("offered") => Some(t.offered_done),
        Some("taken") => Some(t.taken_done),
        _ => None,
    };
    let listed = |id: i64| {
        rota.mine.iter().any(|m| m.rota.shift.id == id) || rota.offered.iter().any(|o| o.rota.shift.id == id)
    };
    let orphan = error.as_ref().filter(|e| !listed(e.shift_id));
    let status = if error.is_some() {
        StatusCode::CONFLICT
    } else {
        StatusCode::OK
    };
    let body = html! {
        h1 { (t.title) }
        @if let Some(words) = done { p.notice role="status" { (words) } }
        @if let Some(e) = orphan { p.error role="alert" { (e.words) } }
        (mine_section(user, slug, tz, &rota, error.as_ref()))
        (offered_section(user, slug, tz, &rota, error.as_ref()))
        (week_section(user, slug, tz, &rota))
    };
    Ok(respond(
        status,
        layout(user.text(), t.title, &Nav::of(user, Some(slug)), body),
    ))
}

/// My shifts, the shifts colleagues offer, and the week's rota.
#[get("/s/{site}/shifts")]
pub async fn shifts(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<String>,
    q: web::Query<ShiftsQuery>,
) -> Result<HttpResponse, PageError> {
    let slug = path.into_inner();
    // A week that does not parse shows this week rather than an error.
    let week = q.week.as_deref().and_then(|w| w.parse::<NaiveDate>().ok());
    shifts_page(&state, &user, &slug, week, q.done.as_deref(), None).await
}

/// Before offering: what the shift is and what offering it means.
#[get("/s/{site}/shifts/{id}/offer")]
pub async fn offer_form(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, PageError> {
    let (slug, id) = path.into_inner();
    let (_, tz, rota) = read_rota(&state, &user, &slug, None, clock::now()).await?;
    let Some(m) = rota
        .mine
        .iter()
        .find(|m| m.rota.shift.id == id && !m.offered && m.refusal.is_none())
    else {
        // Not hers, or no longer offerable: the list says why.
        return Ok(see_other(&format!("{}#shift-{id}", shifts_url(&slug))));
    };
    let t = &user.text().shifts;
    let s = &m.rota.shift;
    Ok(ok(layout(
        user.text(),
        t.offer_title,
        &Nav::of(&user, Some(&slug)),
        html! {
            h1 { (t.offer_title) }
            p.card {
                strong.lead { (when(&user, tz, s)) }
                br;
                (s.label)
                @if let Some(post) = m.rota.seat_of(user.id).and_then(|seat| seat.post.as_deref()) {
                    " · " (post)
                }
            }
            p { (t.offer_still_yours) }
            p.hint { (t.offer_untaken) }
            form.actions method="post" action=(format!("/s/{slug}/shifts/{id}/offer")) {
                input type="hidden" name="csrf" value=(user.csrf);
                button type="submit" { (t.offer_confirm) }
                a.button.secondary href=(shifts_url(&slug)) { (t.keep) }
            }
        },
    )))
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

enum Swap {
    Offer,
    Take,
}

async fn swap(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<(String, i64)>,
    f: web::Form<CsrfForm>,
    what: Swap,
) -> Result<HttpResponse, PageError> {
    user.check(&f.csrf)?;
    let (slug, id) = path.into_inner();
    let (caller, now, site, notifier) = (user.clone(), clock::now(), slug.clone(), state.notifier.clone());
    let taking = matches!(what, Swap::Take);
    let answer = state
        .db
        .write(move |conn| {
            let access = site_access(conn, &site, &caller)?;
            match what {
                Swap::Offer => flow::offer(conn, &access, id, &notifier, now),
                Swap::Take => flow::take(conn, &access, id, &notifier, now),
            }
        })
        .await;
    match answer {
        Ok(_) => {
            let done = if taking { "taken" } else { "offered" };
            Ok(see_other(&format!(
                "{}?done={done}#shift-{id}",
                shifts_url(&slug)
            )))
        }
        Err(e) if matches!(e.kind(), ProblemType::NotFound) => Err(PageError::Api(user.language, e)),
        Err(e) if matches!(e.kind(), ProblemType::Conflict | ProblemType::Forbidden) => {
            let words = refusal_words(&user, &e);
            shifts_page(
                &state,
                &user,
                &slug,
                None,
                None,
                Some(Refused { shift_id: id, words }),
            )
            .await
        }
        Err(e) => Err(PageError::Api(user.language, e)),
    }
}

/// Offers her shift to colleagues, as `POST .../rota/shifts/{id}/offer`.
#[post("/s/{site}/shifts/{id}/offer")]
pub async fn offer(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<(String, i64)>,
    f: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    swap(state, user, path, f, Swap::Offer).await
}

/// Takes a shift a colleague offers, as `POST .../rota/shifts/{id}/take`.
#[post("/s/{site}/shifts/{id}/take")]
pub async fn take(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<(String, i64)>,
    f: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    swap(state, user, path, f, Swap::Take).await
}
