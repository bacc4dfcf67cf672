//! 值班: the week's duty dates, those short of people first; once a date
//! has begun, who came and who did not, and a volunteer who covered
//! without signing up. Marking is the API's attendance workflow.

use actix_web::{HttpResponse, get, post, web};
use chrono::{Duration, NaiveDate};
use maud::{Markup, html};
use serde::Deserialize;

use super::{fail, page};
use crate::clock;
use crate::domain::local_time::{local_date, parse_week, week_start};
use crate::domain::window::date_in_window;
use crate::errors::ApiError;
use crate::pages::frame::{ok, see_other};
use crate::pages::session::{PageError, PageUser};
use crate::pages::text::Console;
use crate::state::AppState;
use crate::store::access::site_access;
use crate::words::Words;
use crate::workflows::duty_roll::{self, Roll, RollDate, roll};

#[derive(Deserialize)]
pub struct WeekQuery {
    week: Option<String>,
    done: Option<String>,
}

fn week_url(slug: &str, monday: NaiveDate) -> String {
    format!("/s/{slug}/console/duties?week={monday}")
}

fn when(user: &PageUser, d: &RollDate) -> String {
    let o = &d.occurrence;
    format!(
        "{} {} {}–{}",
        Words::new(user.language).weekday(o.date),
        user.text().shifts.date(o.date),
        o.start,
        o.end
    )
}

/// One date: who is on, and once begun, the marks and the walk-in form.
fn date_card(
    user: &PageUser,
    c: &Console,
    slug: &str,
    monday: NaiveDate,
    d: &RollDate,
    roll: &Roll,
) -> Markup {
    let o = &d.occurrence;
    let action = format!("/s/{slug}/console/duties/{}/{}/attendance", o.duty_id, o.date);
    let listed: Vec<i64> = o.signed_up.iter().filter_map(|p| p.volunteer_id).collect();
    let walk_ins: Vec<&(i64, String, bool)> =
        d.marks.iter().filter(|(v, _, _)| !listed.contains(v)).collect();
    let others: Vec<&(i64, String)> = roll
        .volunteers
        .iter()
        .filter(|(v, _)| !listed.contains(v) && d.came(*v).is_none())
        .collect();
    let mark_form = |volunteer: i64, name: &str| {
        html! {
            form.inline method="post" action=(action) {
                input type="hidden" name="csrf" value=(user.csrf);
                input type="hidden" name="volunteer_id" value=(volunteer);
                input type="hidden" name="week" value=(monday);
                button type="submit" name="status" value="attended" aria-label=(format!("{} {name}", c.came)) { (c.came) }
                " "
                button.secondary type="submit" name="status" value="no_show" aria-label=(format!("{} {name}", c.did_not_come)) { (c.did_not_come) }
            }
        }
    };
    html! {
        li.card {
            h3 { (o.name) " · " (when(user, d)) }
            @if let Some(room) = &o.room { p { (room) } }
            @if o.free > 0 { p { span.badge.pending { (o.free) (c.places_free) } } }
            @if o.signed_up.is_empty() { p { (c.nobody_on) } }
            ul.plain {
                @for p in &o.signed_up {
                    li.date-row {
                        span.when { (p.name) }
                        @match p.volunteer_id.and_then(|v| d.came(v)) {
                            Some(true) => span.badge.confirmed { (c.marked_came) },
                            Some(false) => span.badge.rejected { (c.marked_absent) },
                            None => {},
                        }
                        @if d.begun { @if let Some(v) = p.volunteer_id { (mark_form(v, &p.name)) } }
                    }
                }
                @for (_, name, came) in &walk_ins {
                    li.date-row {
                        span.when { (name) }
                        @if *came { span.badge.confirmed { (c.marked_came) } } @else { span.badge.rejected { (c.marked_absent) } }
                    }
                }
            }
            @if d.begun {
                @if !others.is_empty() {
                    form method="post" action=(action) {
                        input type="hidden" name="csrf" value=(user.csrf);
                        input type="hidden" name="week" value=(monday);
                        input type="hidden" name="status" value="attended";
                        @let field = format!("walk-in-{}-{}", o.duty_id, o.date);
                        label for=(field) { (c.walk_in) }
                        select id=(field) name="volunteer_id" {
                            @for (v, name) in &others { option value=(v) { (name) } }
                        }
                        button.secondary type="submit" { (c.walk_in_button) }
                    }
                }
            } @else {
                p.hint { (c.not_yet) }
            }
        }
    }
}

#[get("/s/{site}/console/duties")]
pub async fn list(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<String>,
    q: web::Query<WeekQuery>,
) -> Result<HttpResponse, PageError> {
    let slug = path.into_inner();
    let c = &user.text().console;
    let asked = match q.week.as_deref() {
        None => None,
        Some(w) => Some(
            parse_week("week", w)
                .ok()
                .filter(|d| date_in_window(*d, clock::now()).is_ok())
                .ok_or_else(|| PageError::Api(user.language, ApiError::invalid("week", c.err_week)))?,
        ),
    };
    let (caller, site, now) = (user.clone(), slug.clone(), clock::now());
    let (monday, roll) = state
        .db
        .read(move |conn| {
            let access = site_access(conn, &site, &caller)?;
            let monday = asked.unwrap_or_else(|| week_start(local_date(access.site.tz(), now)));
            Ok((
                monday,
                roll(conn, &access, monday, monday + Duration::days(6), now)?,
            ))
        })
        .await
        .map_err(fail(&user))?;
    let short: Vec<&RollDate> = roll
        .dates
        .iter()
        .filter(|d| !d.begun && d.occurrence.free > 0)
        .collect();
    let t = &user.text().shifts;
    let body = html! {
        h1 { (c.duties) " · " (t.date(monday)) "–" (t.date(monday + Duration::days(6))) }
        @if q.done.as_deref() == Some("marked") { p.notice role="status" { (c.marked_done) } }
        p { (c.duties_intro) }
        p { a.button.secondary href=(format!("/s/{slug}/console/duties/new")) { (crate::pages::text::rota_text(user.language).new_duty_link) } }
        nav.weeks aria-label=(t.week_nav) {
            a.button.secondary href=(week_url(&slug, monday - Duration::days(7))) { "‹ " (c.previous_week) }
            a.button.secondary href=(format!("/s/{slug}/console/duties")) { (c.this_week) }
            a.button.secondary href=(week_url(&slug, monday + Duration::days(7))) { (c.next_week) " ›" }
        }
        h2 { (c.uncovered) }
        @if short.is_empty() { p { (c.all_covered) } }
        ul.plain {
            @for d in &short {
                li.card {
                    h3 { (d.occurrence.name) " · " (when(&user, d)) }
                    p { span.badge.pending { (d.occurrence.free) (c.places_free) } }
                }
            }
        }
        h2 { (c.week_dates) }
        @if roll.dates.is_empty() { p { (c.no_dates) } }
        ul.plain.duty-roll {
            @for d in &roll.dates { (date_card(&user, c, &slug, monday, d, &roll)) }
        }
    };
    Ok(ok(page(&user, &slug, "duties", c.duties, body)))
}

#[derive(Deserialize)]
pub struct MarkForm {
    #[serde(default)]
    csrf: String,
    volunteer_id: i64,
    status: String,
    week: Option<String>,
}

#[post("/s/{site}/console/duties/{duty}/{date}/attendance")]
pub async fn record(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<(String, i64, String)>,
    f: web::Form<MarkForm>,
) -> Result<HttpResponse, PageError> {
    user.check(&f.csrf)?;
    let (slug, duty, date) = path.into_inner();
    let f = f.into_inner();
    let bad = |field: &str, what: &str| PageError::Api(user.language, ApiError::invalid(field, what));
    let date = NaiveDate::parse_from_str(&date, "%Y-%m-%d")
        .ok()
        .filter(|d| date_in_window(*d, clock::now()).is_ok())
        .ok_or_else(|| bad("date", "not a date"))?;
    let attended = match f.status.as_str() {
        "attended" => true,
        "no_show" => false,
        _ => return Err(bad("status", "must be attended or no_show")),
    };
    let (caller, site, now) = (user.clone(), slug.clone(), clock::now());
    let volunteer = f.volunteer_id;
    state
        .db
        .write(move |conn| {
            let access = site_access(conn, &site, &caller)?;
            duty_roll::record(conn, &access, duty, date, volunteer, attended, now)
        })
        .await
        .map_err(fail(&user))?;
    let week = f
        .week
        .as_deref()
        .and_then(|w| parse_week("week", w).ok())
        .unwrap_or(date);
    Ok(see_other(&format!(
        "{}&done=marked",
        week_url(&slug, week_start(week))
    )))
}
