//! Journey 3, the volunteer: the duty list of the coming weeks with "every
//! week" and "just this date", offered only where they can succeed (else
//! the reason in words). Her dates, absence and cover are in `dates`.

use actix_web::{HttpResponse, get, post, web};
use chrono::NaiveDate;
use maud::{Markup, html};
use serde::Deserialize;

use super::frame::{Nav, layout, ok, respond, see_other};
use super::session::{PageError, PageUser};
use super::text::Duties;
use crate::clock;
use crate::errors::{ApiError, ProblemType};
use crate::state::AppState;
use crate::store::access::site_access;
use crate::workflows::duties::{OccurrenceView, sign_up};
use crate::workflows::duty_board::{self, DutyCard, Offer};

pub mod dates;

fn fail(user: &PageUser) -> impl Fn(ApiError) -> PageError + '_ {
    move |e| PageError::Api(user.language, e)
}

fn page(user: &PageUser, site: &str, title: &str, body: Markup) -> HttpResponse {
    ok(layout(user.text(), title, &Nav::of(user, Some(site)), body))
}

/// One date and its hours, in the site's wall time (a duty is defined in it).
fn when(d: &Duties, occ: &OccurrenceView) -> String {
    format!("{} {}–{}", d.date(occ.date), occ.start, occ.end)
}

/// Why an offer cannot succeed, in words; `None` when it can.
fn offer_words(d: &Duties, skill: Option<&str>, offer: Offer) -> Option<String> {
    match offer {
        Offer::Open => None,
        Offer::NotVolunteer => Some(d.not_volunteer.to_owned()),
        Offer::MissingSkill => Some(d.missing_skill(skill.unwrap_or_default())),
        Offer::AlreadyOn(date) => Some(d.already_on(date)),
        Offer::Full(date) => Some(d.full_on(date)),
        Offer::Over => Some(d.no_more_dates.to_owned()),
    }
}

/// A refusal after a form: someone else may have taken the place
/// meanwhile, so the offer is read again and its reason shown; a clash
/// with her other duty is said as such; anything else in the workflow's words.
pub(crate) fn refusal(d: &Duties, e: &ApiError, skill: Option<&str>, now_offer: Offer) -> String {
    if e.extension("conflicts").is_some() {
        return d.busy_elsewhere.to_owned();
    }
    offer_words(d, skill, now_offer).unwrap_or_else(|| e.detail().to_owned())
}

/// The refusal shown next to the form it concerns.
struct Refused {
    duty_id: i64,
    date: Option<NaiveDate>,
    words: String,
}

fn card(user: &PageUser, slug: &str, c: &DutyCard, refused: Option<&Refused>) -> Markup {
    let d = &user.text().duties;
    let duty = &c.duty;
    let p = duty.pattern();
    let weekly = d.weekly(
        duty.weekday,
        &crate::domain::local_time::format_clock(p.start_minute),
        &crate::domain::local_time::format_clock(p.end_minute),
    );
    let action = format!("/s/{slug}/duties/{}/signup", duty.id);
    let skill = duty.skill.as_deref();
    let error_here = |date: Option<NaiveDate>| {
        refused
            .filter(|r| r.duty_id == duty.id && r.date == date)
            .map(|r| r.words.as_str())
    };
    let weekly_id = format!("duty-{}-weekly", duty.id);
    html! {
        li.card.duty #(format!("duty-{}", duty.id)) {
            h2 { (duty.name) }
            p.meta {
                (weekly)
                @if let Some(room) = &c.room { br; (room) }
                @if let Some(s) = skill { br; (d.needs) (d.skill(s)) }
            }
            @if let Some(e) = error_here(None) { p.error #(weekly_id.clone() + "-error") role="alert" { (e) } }
            @match offer_words(d, skill, c.weekly) {
                None => {
                    form method="post" action=(action) {
                        input type="hidden" name="csrf" value=(user.csrf);
                        input type="hidden" name="scope" value="weekly";
                        button type="submit" aria-describedby=[error_here(None).map(|_| weekly_id.clone() + "-error")] {
                            (d.every_week)
                        }
                    }
                }
                Some(why) => {
                    @if error_here(None).is_none() { p.hint { (why) } }
                }
            }
            h3 { (d.coming_dates) }
            @if c.dates.is_empty() { p { (d.no_more_dates) } }
            ul.plain.dates {
                @for row in &c.dates {
                    @let occ = &row.occ;
                    @let err_id = format!("duty-{}-{}-error", duty.id, occ.date);
                    li.date-row {
                        div {
                            strong { (when(d, occ)) }
                            br;
                            @if occ.signed_up.is_empty() { (d.nobody_yet) }
                            @else { (occ.signed_up.iter().map(|v| v.name.as_str()).collect::<Vec<_>>().join("、")) }
                            " · "
                            @if occ.free <= 0 { span.status.full { (d.full) } }
                            @else { span.status.free { (d.places(occ.free)) } }
                        }
                        div.actions {
                            @if row.mine {
                                span.status.on { "✓ " (d.you_are_on) }
                            } @else if row.once == Offer::Open {
                                form method="post" action=(action) {
                                    input type="hidden" name="csrf" value=(user.csrf);
                                    input type="hidden" name="scope" value="once";
                                    input type="hidden" name="date" value=(occ.date);
                                    button.secondary type="submit"
                                        aria-describedby=[error_here(Some(occ.date)).map(|_| err_id.clone())] {
                                        (d.just_this_date)
                                        span.visually-hidden { " " (when(d, occ)) }
                                    }
                                }
                            }
                        }
                        @if let Some(e) = error_here(Some(occ.date)) { p.error #(err_id) role="alert" { (e) } }
                    }
                }
            }
        }
    }
}

fn list_body(user: &PageUser, slug: &str, cards: &[DutyCard], refused: Option<&Refused>) -> Markup {
    let d = &user.text().duties;
    // Her next date first: the thing she most likely came to check.
    let next = cards
        .iter()
        .flat_map(|c| c.dates.iter().filter(|r| r.mine))
        .min_by_key(|r| r.occ.starts_at);
    html! {
        h1 { (d.title) }
        @if let Some(r) = next {
            p.card.next {
                (d.my_next) br;
                strong { (when(d, &r.occ)) " " (r.occ.name) }
            }
        }
        p.hint { (d.intro) }
        p { a.button.secondary href=(format!("/s/{slug}/duties/mine")) { (d.my_dates_link) } }
        @if cards.is_empty() { p { (d.none) } }
        ul.plain.duties {
            @for c in cards { (card(user, slug, c, refused)) }
        }
    }
}

/// The duty list: each duty, its coming dates, who is on, places free.
#[get("/s/{site}/duties")]
pub async fn list(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let slug = path.into_inner();
    let (caller, now, site) = (user.clone(), clock::now(), slug.clone());
    let cards = state
        .db
        .read(move |conn| {
            let access = site_access(conn, &site, &caller)?;
            duty_board::board(conn, &access, now)
        })
        .await
        .map_err(fail(&user))?;
    Ok(page(
        &user,
        &slug,
        user.text().duties.title,
        list_body(&user, &slug, &cards, None),
    ))
}

#[derive(Deserialize)]
pub struct SignupForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    scope: String,
    date: Option<crate::domain::window::Date>,
}

/// "Every week" or "just this date": the API's sign-up workflow.
#[post("/s/{site}/duties/{id}/signup")]
pub async fn signup(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<(String, i64)>,
    f: web::Form<SignupForm>,
) -> Result<HttpResponse, PageError> {
    user.check(&f.csrf)?;
    let (slug, id) = path.into_inner();
    // A date makes it "just this date"; without one it is every week.
    let once = if f.scope == "weekly" {
        None
    } else {
        f.date.map(|d| d.date())
    };
    let notifier = state.notifier.clone();
    let (caller, now, site) = (user.clone(), clock::now(), slug.clone());
    let done = state
        .db
        .write(move |conn| {
            let access = site_access(conn, &site, &caller)?;
            sign_up(conn, &access, id, once, &notifier, now).map(|_| ())
        })
        .await;
    let e = match done {
        Ok(()) => {
            let what = if once.is_some() { "once" } else { "weekly" };
            return Ok(see_other(&format!("/s/{slug}/duties/mine?done={what}")));
        }
        Err(e) if e.kind() == ProblemType::NotFound => return Err(PageError::Api(user.language, e)),
        Err(e) => e,
    };
    // Refused: the list again, read now, with the reason beside the form.
    let (caller, site) = (user.clone(), slug.clone());
    let cards = state
        .db
        .read(move |conn| {
            let access = site_access(conn, &site, &caller)?;
            duty_board::board(conn, &access, now)
        })
        .await
        .map_err(fail(&user))?;
    let d = &user.text().duties;
    let words = match cards.iter().find(|c| c.duty.id == id) {
        Some(c) => {
            let offer = match once {
                None => c.weekly,
                Some(date) => c
                    .dates
                    .iter()
                    .find(|r| r.occ.date == date)
                    .map(|r| r.once)
                    .unwrap_or(Offer::Over),
            };
            refusal(d, &e, c.duty.skill.as_deref(), offer)
        }
        None => e.detail().to_owned(),
    };
    // A date no longer listed (over meanwhile): the words go to the duty.
    let listed = |date: NaiveDate| {
        cards
            .iter()
            .any(|c| c.duty.id == id && c.dates.iter().any(|r| r.occ.date == date))
    };
    let refused = Refused {
        duty_id: id,
        date: once.filter(|date| listed(*date)),
        words,
    };
    let t = user.text();
    Ok(respond(
        e.kind().status(),
        layout(
            t,
            d.title,
            &Nav::of(&user, Some(&slug)),
            list_body(&user, &slug, &cards, Some(&refused)),
        ),
    ))
}
