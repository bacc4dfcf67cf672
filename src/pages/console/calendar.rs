//! 日历: holidays and make-up working days (调休), typed or pasted (dates,
//! ranges, a CSV or an .ics file), with what the change does to duties and
//! the published rota shown before it is saved. Reading the text is
//! `domain::calendar::dates_in`; the preview and the saving are
//! `workflows::calendar`, which the API's `PUT calendar` also uses.

use std::collections::BTreeSet;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use chrono::NaiveDate;
use maud::{Markup, html};
use serde::Deserialize;

use super::{fail, page};
use crate::clock;
use crate::domain::calendar::{SiteCalendar, dates_in};
use crate::domain::person::Language;
use crate::pages::frame::{FieldErrors, error_of, respond, see_other};
use crate::pages::session::{PageError, PageUser};
use crate::pages::text::Console;
use crate::state::AppState;
use crate::store::access::site_access;
use crate::words::Words;
use crate::workflows::calendar::{self as flow, CalendarChange};

fn lines(dates: &BTreeSet<NaiveDate>) -> String {
    dates.iter().map(|d| format!("{d}\n")).collect()
}

/// "2027年10月1日 周五" / "1 Oct 2027 Fri": a calendar spans years.
fn day(user: &PageUser, d: NaiveDate) -> String {
    let date = match user.language {
        Language::ZhCn => d.format("%Y年%-m月%-d日"),
        Language::En => d.format("%-d %b %Y"),
    };
    format!("{date} {}", Words::new(user.language).weekday(d))
}

fn date_list(user: &PageUser, c: &Console, dates: &[NaiveDate]) -> Markup {
    html! {
        @if dates.is_empty() { p { (c.no_dates_yet) } }
        @else { ul.dates { @for d in dates { li { (day(user, *d)) } } } }
    }
}

#[derive(Deserialize, Default)]
pub struct CalendarForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    holidays: String,
    #[serde(default)]
    workdays: String,
    #[serde(default)]
    step: String,
}

fn form(user: &PageUser, c: &Console, slug: &str, f: &CalendarForm, errors: &FieldErrors) -> Markup {
    let error = |name: &str| error_of(errors, name);
    let area = |name: &'static str, label: &str, value: &str| {
        let e = error(name);
        html! {
            div.field.has-error[e.is_some()] {
                label for=(name) { (label) }
                @if let Some(m) = e { p.error id=(format!("{name}-error")) { (m) } }
                textarea id=(name) name=(name) rows="8" aria-invalid=[e.map(|_| "true")]
                    aria-describedby=(if e.is_some() { format!("{name}-error dates-hint") } else { "dates-hint".to_owned() }) { (value) }
            }
        }
    };
    html! {
        form.stack method="post" action=(format!("/s/{slug}/console/calendar")) hx-boost="false" novalidate {
            input type="hidden" name="csrf" value=(user.csrf);
            input type="hidden" name="step" value="preview";
            p.hint id="dates-hint" { (c.dates_hint) }
            (area("holidays", c.holidays, &f.holidays))
            (area("workdays", c.workdays, &f.workdays))
            button type="submit" { (c.see_changes) }
        }
    }
}

fn changes(user: &PageUser, c: &Console, ch: &CalendarChange) -> Markup {
    let named = |items: &[(String, NaiveDate)]| {
        html! { ul { @for (name, d) in items { li { (day(user, *d)) " · " (name) } } } }
    };
    let dated = |title: &str, dates: &[NaiveDate]| {
        html! { @if !dates.is_empty() { h3 { (title) } ul { @for d in dates { li { (day(user, *d)) } } } } }
    };
    html! {
        @if ch.is_empty() { p { (c.no_change) } } @else {
            (dated(c.new_holidays, &ch.added_holidays))
            (dated(c.holidays_gone, &ch.removed_holidays))
            (dated(c.new_workdays, &ch.added_workdays))
            (dated(c.workdays_gone, &ch.removed_workdays))
            @if !ch.duty_dates_off.is_empty() { h3 { (c.duty_dates_off) } (named(&ch.duty_dates_off)) }
            @if !ch.duty_dates_on.is_empty() { h3 { (c.duty_dates_on) } (named(&ch.duty_dates_on)) }
            @if !ch.shifts_off.is_empty() { h3 { (c.shifts_off) } (named(&ch.shifts_off)) }
        }
    }
}

#[derive(Deserialize)]
pub struct Done {
    done: Option<String>,
}

#[get("/s/{site}/console/calendar")]
pub async fn show(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<String>,
    q: web::Query<Done>,
) -> Result<HttpResponse, PageError> {
    let slug = path.into_inner();
    let (caller, site) = (user.clone(), slug.clone());
    let cal = state
        .db
        .read(move |conn| {
            let access = site_access(conn, &site, &caller)?;
            flow::for_editing(conn, &access)
        })
        .await
        .map_err(fail(&user))?;
    let c = &user.text().console;
    let f = CalendarForm {
        holidays: lines(&cal.holidays),
        workdays: lines(&cal.workdays),
        ..CalendarForm::default()
    };
    let body = html! {
        h1 { (c.calendar) }
        @if q.done.as_deref() == Some("saved") { p.notice role="status" { (c.calendar_saved) } }
        p { (c.calendar_intro) }
        h2 { (c.holidays) }
        (date_list(&user, c, &cal.holidays.iter().copied().collect::<Vec<_>>()))
        h2 { (c.workdays) }
        (date_list(&user, c, &cal.workdays.iter().copied().collect::<Vec<_>>()))
        (form(&user, c, &slug, &f, &Vec::new()))
    };
    Ok(respond(
        StatusCode::OK,
        page(&user, &slug, "calendar", c.calendar, body),
    ))
}

/// Reads the two lists: the calendar, or what is wrong next to its field.
fn read(c: &Console, f: &CalendarForm) -> Result<SiteCalendar, FieldErrors> {
    let mut errors: FieldErrors = Vec::new();
    let holidays = dates_in("holidays", &f.holidays)
        .map_err(|_| errors.push(("holidays", c.err_dates)))
        .ok();
    let workdays = dates_in("workdays", &f.workdays)
        .map_err(|_| errors.push(("workdays", c.err_dates)))
        .ok();
    let (Some(holidays), Some(workdays)) = (holidays, workdays) else {
        return Err(errors);
    };
    SiteCalendar::checked(holidays, workdays).map_err(|_| vec![("workdays", c.err_both)])
}

/// `step=preview` shows what would change; `step=save` saves.
#[post("/s/{site}/console/calendar")]
pub async fn submit(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<String>,
    f: web::Form<CalendarForm>,
) -> Result<HttpResponse, PageError> {
    user.check(&f.csrf)?;
    let slug = path.into_inner();
    let f = f.into_inner();
    let c = &user.text().console;
    let cal = match read(c, &f) {
        Ok(cal) => cal,
        Err(errors) => {
            let body = html! { h1 { (c.calendar) } (form(&user, c, &slug, &f, &errors)) };
            return Ok(respond(
                StatusCode::UNPROCESSABLE_ENTITY,
                page(&user, &slug, "calendar", c.calendar, body),
            ));
        }
    };
    let (caller, site, now) = (user.clone(), slug.clone(), clock::now());
    if f.step == "save" {
        state
            .db
            .write(move |conn| {
                let access = site_access(conn, &site, &caller)?;
                flow::replace(conn, &access, &cal, now)
            })
            .await
            .map_err(fail(&user))?;
        return Ok(see_other(&format!("/s/{slug}/console/calendar?done=saved")));
    }
    let preview_of = cal.clone();
    let change = state
        .db
        .read(move |conn| {
            let access = site_access(conn, &site, &caller)?;
            flow::preview(conn, &access, &preview_of, now)
        })
        .await
        .map_err(fail(&user))?;
    let body = html! {
        h1 { (c.changes_title) }
        (changes(&user, c, &change))
        form method="post" action=(format!("/s/{slug}/console/calendar")) hx-boost="false" {
            input type="hidden" name="csrf" value=(user.csrf);
            input type="hidden" name="step" value="save";
            input type="hidden" name="holidays" value=(lines(&cal.holidays));
            input type="hidden" name="workdays" value=(lines(&cal.workdays));
            button type="submit" { (c.save_calendar) }
        }
        h2 { (c.edit_again) }
        (form(&user, c, &slug, &f, &Vec::new()))
    };
    Ok(respond(
        StatusCode::OK,
        page(&user, &slug, "calendar", c.changes_title, body),
    ))
}
