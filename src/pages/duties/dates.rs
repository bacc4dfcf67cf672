//! Her duty dates, "I cannot come" (an absence, which asks others to
//! cover), and the page a cover request's mail links to: one question, one
//! button, after signing in if need be.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use chrono::NaiveDate;
use maud::{Markup, html};
use serde::Deserialize;

use super::{fail, offer_words, page, refusal, when};
use crate::clock;
use crate::domain::invalid::text as checked_text;
use crate::errors::ProblemType;
use crate::pages::frame::{Nav, layout, respond, see_other};
use crate::pages::session::{PageError, PageUser};
use crate::state::AppState;
use crate::store::access::site_access;
use crate::workflows::duties::{absence, sign_up};
use crate::workflows::duty_board::{self, OneDate};

#[derive(Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
    asked: Option<usize>,
}

/// My dates: the coming weeks, each with "I cannot come".
#[get("/s/{site}/duties/mine")]
pub async fn mine(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<String>,
    q: web::Query<DoneQuery>,
) -> Result<HttpResponse, PageError> {
    let slug = path.into_inner();
    let (caller, now, site) = (user.clone(), clock::now(), slug.clone());
    let dates = state
        .db
        .read(move |conn| {
            let access = site_access(conn, &site, &caller)?;
            duty_board::my_dates(conn, &access, now)
        })
        .await
        .map_err(fail(&user))?;
    let d = &user.text().duties;
    let done = match q.done.as_deref() {
        Some("weekly") => Some(d.done_weekly.to_owned()),
        Some("once") => Some(d.done_once.to_owned()),
        Some("covered") => Some(d.done_covered.to_owned()),
        Some("absent") => Some(d.done_absent(q.asked.unwrap_or(0))),
        _ => None,
    };
    Ok(page(
        &user,
        &slug,
        d.mine_title,
        html! {
            h1 { (d.mine_title) }
            @if let Some(w) = done { p.notice role="status" { (w) } }
            @if dates.is_empty() { p { (d.mine_empty) } }
            ul.plain.my-dates {
                @for m in &dates {
                    li.card.date-row {
                        div {
                            strong { (when(d, &m.occ)) }
                            br;
                            (m.occ.name)
                            @if let Some(room) = &m.room { " · " (room) }
                            br;
                            span.tag { (if m.weekly { d.weekly_tag } else { d.once_tag }) }
                            @if m.absent { " " span.status.absent { (d.absent_tag) } }
                            @else if !m.may_report_absence { " " span.status { (d.started_tag) } }
                        }
                        @if m.may_report_absence {
                            div.actions {
                                a.button.secondary href=(format!("/s/{slug}/duties/{}/absence/{}", m.occ.duty_id, m.occ.date)) {
                                    (d.cannot_come)
                                    span.visually-hidden { " " (when(d, &m.occ)) " " (m.occ.name) }
                                }
                            }
                        }
                    }
                }
            }
            p { a href=(format!("/s/{slug}/duties")) { (d.see_list) } }
        },
    ))
}

/// The date as a card: what, when, where.
fn date_card(user: &PageUser, one: &OneDate) -> Markup {
    let d = &user.text().duties;
    html! {
        p.card {
            strong.lead { (one.occ.name) } br;
            (when(d, &one.occ))
            @if let Some(room) = &one.room { br; (room) }
        }
    }
}

async fn read_one(
    state: &web::Data<AppState>,
    user: &PageUser,
    slug: &str,
    id: i64,
    date: NaiveDate,
) -> Result<OneDate, PageError> {
    let (caller, now, site) = (user.clone(), clock::now(), slug.to_owned());
    state
        .db
        .read(move |conn| {
            let access = site_access(conn, &site, &caller)?;
            duty_board::one_date(conn, &access, id, date, now)
        })
        .await
        .map_err(fail(user))
}

fn absence_page(
    user: &PageUser,
    slug: &str,
    one: &OneDate,
    note: &str,
    error: Option<&str>,
    status: StatusCode,
) -> HttpResponse {
    let t = user.text();
    let d = &t.duties;
    let question = d.absence_question(&one.occ.name, &when(d, &one.occ));
    let body = html! {
        h1 { (question) }
        (date_card(user, one))
        @if !one.mine {
            p.error role="alert" { (d.not_yours) }
        } @else if one.occ.starts_at <= clock::now() {
            p.error role="alert" { (d.absence_started) }
        } @else {
            p.hint { (d.absence_intro) }
            p { (d.would_ask(&one.would_ask)) }
            form method="post" action=(format!("/s/{slug}/duties/{}/absence/{}", one.occ.duty_id, one.occ.date)) {
                input type="hidden" name="csrf" value=(user.csrf);
                label for="note" { (d.note_label) }
                p.hint #note-hint { (d.note_hint) }
                @if let Some(e) = error { p.error #note-error role="alert" { (e) } }
                input #note name="note" type="text" maxlength="200" value=(note)
                    aria-describedby=(if error.is_some() { "note-hint note-error" } else { "note-hint" })
                    aria-invalid=[error.map(|_| "true")];
                button.big type="submit" { (d.confirm_absence) }
            }
        }
        p { a href=(format!("/s/{slug}/duties/mine")) { (t.back) } }
    };
    respond(status, layout(t, &question, &Nav::of(user, Some(slug)), body))
}

/// "I cannot come": asks once, naming the date, with an optional note.
#[get("/s/{site}/duties/{id}/absence/{date}")]
pub async fn absence_form(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<(String, i64, NaiveDate)>,
) -> Result<HttpResponse, PageError> {
    let (slug, id, date) = path.into_inner();
    let one = read_one(&state, &user, &slug, id, date).await?;
    Ok(absence_page(&user, &slug, &one, "", None, StatusCode::OK))
}

#[derive(Deserialize)]
pub struct AbsenceForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    note: String,
}

/// Records the absence as the API's `POST duties/{id}/absences` does: the
/// place is freed and the volunteers who could cover are asked by mail.
#[post("/s/{site}/duties/{id}/absence/{date}")]
pub async fn absence_submit(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<(String, i64, NaiveDate)>,
    f: web::Form<AbsenceForm>,
) -> Result<HttpResponse, PageError> {
    user.check(&f.csrf)?;
    let (slug, id, date) = path.into_inner();
    let d = &user.text().duties;
    let note = f.note.trim().to_owned();
    let reason = if note.is_empty() {
        None
    } else {
        match checked_text("reason", &note, 200) {
            Ok(r) => Some(r),
            Err(_) => {
                let one = read_one(&state, &user, &slug, id, date).await?;
                return Ok(absence_page(
                    &user,
                    &slug,
                    &one,
                    &note,
                    Some(d.note_too_long),
                    StatusCode::UNPROCESSABLE_ENTITY,
                ));
            }
        }
    };
    let (caller, now, site, notifier) = (user.clone(), clock::now(), slug.clone(), state.notifier.clone());
    let done = state
        .db
        .write(move |conn| {
            let access = site_access(conn, &site, &caller)?;
            absence(conn, &access, id, date, reason.as_deref(), &notifier, now)
        })
        .await;
    match done {
        Ok(asked) => Ok(see_other(&format!(
            "/s/{slug}/duties/mine?done=absent&asked={asked}"
        ))),
        Err(e) if e.kind() == ProblemType::NotFound => Err(PageError::Api(user.language, e)),
        // Not hers, or begun: the page read again says which.
        Err(e) => {
            let one = read_one(&state, &user, &slug, id, date).await?;
            Ok(absence_page(&user, &slug, &one, &note, None, e.kind().status()))
        }
    }
}

fn cover_page(
    user: &PageUser,
    slug: &str,
    one: &OneDate,
    refused: Option<&str>,
    status: StatusCode,
) -> HttpResponse {
    let t = user.text();
    let d = &t.duties;
    let question = d.cover_question(&one.occ.name, &when(d, &one.occ));
    let skill = one.occ.skill.as_deref();
    let why = if one.mine {
        Some(d.cover_already.to_owned())
    } else {
        match one.cover {
            crate::workflows::duty_board::Offer::Full(_) => Some(d.cover_taken.to_owned()),
            crate::workflows::duty_board::Offer::Over => Some(d.cover_over.to_owned()),
            other => offer_words(d, skill, other),
        }
    };
    let body = html! {
        h1 { (question) }
        (date_card(user, one))
        @if let Some(r) = refused { p.error role="alert" { (r) } }
        @match &why {
            None => {
                p.hint { (d.cover_intro) }
                form method="post" action=(format!("/s/{slug}/duties/{}/cover/{}", one.occ.duty_id, one.occ.date)) {
                    input type="hidden" name="csrf" value=(user.csrf);
                    button.big type="submit" { (d.cover_confirm) }
                }
            }
            Some(w) => {
                @if refused.is_none() { p.notice role="status" { (w) } }
                p { a.button.secondary href=(format!("/s/{slug}/duties/mine")) { (d.my_dates_after) } }
            }
        }
        p { a href=(format!("/s/{slug}/duties")) { (d.see_list) } }
    };
    respond(status, layout(t, &question, &Nav::of(user, Some(slug)), body))
}

/// A cover request's link: "will you cover it?", one button. Signed out,
/// the extractor sends her to sign in and back here.
#[get("/s/{site}/duties/{id}/cover/{date}")]
pub async fn cover_form(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<(String, i64, NaiveDate)>,
) -> Result<HttpResponse, PageError> {
    let (slug, id, date) = path.into_inner();
    let one = read_one(&state, &user, &slug, id, date).await?;
    Ok(cover_page(&user, &slug, &one, None, StatusCode::OK))
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

/// Covers the date: a sign-up for that date only, through the workflow the
/// API's `POST duties/{id}/signups {"scope": "once"}` uses.
#[post("/s/{site}/duties/{id}/cover/{date}")]
pub async fn cover_submit(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<(String, i64, NaiveDate)>,
    f: web::Form<CsrfOnly>,
) -> Result<HttpResponse, PageError> {
    user.check(&f.csrf)?;
    let (slug, id, date) = path.into_inner();
    let notifier = state.notifier.clone();
    let (caller, now, site) = (user.clone(), clock::now(), slug.clone());
    let done = state
        .db
        .write(move |conn| {
            let access = site_access(conn, &site, &caller)?;
            sign_up(conn, &access, id, Some(date), &notifier, now).map(|_| ())
        })
        .await;
    match done {
        Ok(()) => Ok(see_other(&format!("/s/{slug}/duties/mine?done=covered"))),
        Err(e) if e.kind() == ProblemType::NotFound => Err(PageError::Api(user.language, e)),
        Err(e) => {
            // Someone may have taken it meanwhile: read the date again.
            let one = read_one(&state, &user, &slug, id, date).await?;
            let d = &user.text().duties;
            let words = match one.cover {
                _ if one.mine => d.cover_already.to_owned(),
                crate::workflows::duty_board::Offer::Full(_) => d.cover_taken.to_owned(),
                other => refusal(d, &e, one.occ.skill.as_deref(), other),
            };
            Ok(cover_page(&user, &slug, &one, Some(&words), e.kind().status()))
        }
    }
}
