//! 值班 set-up: the site's volunteer duties and a form for a new weekly
//! one (name, the room it holds, weekday and times, the skill needed, how
//! many volunteers, from which date, every week or every few weeks),
//! mistakes beside their fields. Creating is `workflows::duties::create`,
//! as for `POST duties`.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use chrono::{NaiveDate, Weekday};
use maud::{Markup, html};
use serde::Deserialize;

use super::{fail, page};
use crate::clock;
use crate::domain::duty::DutyPattern;
use crate::domain::invalid::text as checked_text;
use crate::domain::local_time::{format_clock, local_date, parse_clock, parse_weekday, weekday_name};
use crate::domain::person::Skill;
use crate::errors::ProblemType;
use crate::pages::frame::{FieldErrors, described, error_summary, field, respond, see_other};
use crate::pages::session::{PageError, PageUser};
use crate::pages::text::{RotaText, rota_text};
use crate::state::AppState;
use crate::store::access::site_access;
use crate::workflows::duties::{self as flow, DutyInput};
use crate::workflows::duty_setup::{self, DutySetup};

const WEEKDAYS: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];

#[derive(Deserialize, Default)]
pub struct DutyForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    resource_id: String,
    #[serde(default)]
    weekday: String,
    #[serde(default)]
    start: String,
    #[serde(default)]
    end: String,
    #[serde(default)]
    skill: String,
    #[serde(default)]
    capacity: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    every_weeks: String,
}

fn form(
    user: &PageUser,
    t: &RotaText,
    slug: &str,
    setup: &DutySetup,
    f: &DutyForm,
    errors: &FieldErrors,
) -> Markup {
    let bad = |name: &str| described(errors, name).map(|_| "true");
    html! {
        form.stack method="post" action=(format!("/s/{slug}/console/duties/new")) hx-boost="false" novalidate {
            input type="hidden" name="csrf" value=(user.csrf);
            (error_summary(t.fix_these, errors))
            (field(errors, "name", t.duty_name, html! {
                input #name type="text" name="name" value=(f.name) aria-describedby=[described(errors, "name")] aria-invalid=[bad("name")];
            }))
            (field(errors, "resource_id", t.room, html! {
                select #resource_id name="resource_id" aria-describedby=[described(errors, "resource_id")] aria-invalid=[bad("resource_id")] {
                    option value="" selected[f.resource_id.is_empty()] { (t.no_room) }
                    @for (id, name) in &setup.rooms {
                        option value=(id) selected[f.resource_id == id.to_string()] { (name) }
                    }
                }
            }))
            (field(errors, "weekday", t.weekday, html! {
                select #weekday name="weekday" aria-describedby=[described(errors, "weekday")] {
                    @for (d, name) in WEEKDAYS.iter().zip(t.weekdays) {
                        option value=(weekday_name(*d)) selected[f.weekday == weekday_name(*d)] { (name) }
                    }
                }
            }))
            div.times {
                (field(errors, "start", t.start, html! {
                    input #start type="time" name="start" value=(f.start) aria-describedby=[described(errors, "start")] aria-invalid=[bad("start")];
                }))
                (field(errors, "end", t.end, html! {
                    input #end type="time" name="end" value=(f.end) aria-describedby=[described(errors, "end")] aria-invalid=[bad("end")];
                }))
            }
            (field(errors, "skill", t.skill, html! {
                input #skill type="text" name="skill" value=(f.skill) autocapitalize="none"
                    aria-describedby=(match described(errors, "skill") { Some(e) => format!("{e} skill-hint"), None => "skill-hint".to_owned() })
                    aria-invalid=[bad("skill")];
            }))
            p.hint id="skill-hint" { (t.skill_hint) }
            (field(errors, "capacity", t.capacity, html! {
                input #capacity type="number" min="1" max="1000" inputmode="numeric" name="capacity" value=(f.capacity)
                    aria-describedby=[described(errors, "capacity")] aria-invalid=[bad("capacity")];
            }))
            (field(errors, "from", t.from_date, html! {
                input #from type="date" name="from" value=(f.from) aria-describedby=[described(errors, "from")] aria-invalid=[bad("from")];
            }))
            (field(errors, "every_weeks", t.every, html! {
                select #every_weeks name="every_weeks" aria-describedby=[described(errors, "every_weeks")] {
                    @for (i, label) in t.every_choices.iter().enumerate() {
                        option value=(i + 1) selected[f.every_weeks == (i + 1).to_string()] { (label) }
                    }
                }
            }))
            button type="submit" { (t.create_duty) }
        }
    }
}

fn listing(t: &RotaText, setup: &DutySetup) -> Markup {
    html! {
        h2 { (t.duties_title) }
        @if setup.duties.is_empty() { p { (t.no_duties) } }
        ul.plain {
            @for (d, room) in &setup.duties {
                li.card {
                    h3 { (d.name) }
                    p {
                        (t.every_words(d.every_weeks)) " " (t.weekdays[d.weekday.clamp(0, 6) as usize]) " "
                        (format_clock(d.start_minute.max(0) as u32)) "–" (format_clock(d.end_minute.max(0) as u32))
                        " · " (t.people_count(d.capacity))
                    }
                    @if let Some(r) = room { p { (t.room) "：" (r) } }
                    @if let Some(s) = &d.skill { p { (t.skill_needed) (s) } }
                    p { (t.since) (d.from_date) }
                }
            }
        }
    }
}

async fn load(state: &web::Data<AppState>, user: &PageUser, slug: &str) -> Result<DutySetup, PageError> {
    let (caller, site) = (user.clone(), slug.to_owned());
    state
        .db
        .read(move |conn| {
            let access = site_access(conn, &site, &caller)?;
            duty_setup::setup(conn, &access)
        })
        .await
        .map_err(fail(user))
}

fn answer(
    user: &PageUser,
    slug: &str,
    status: StatusCode,
    setup: &DutySetup,
    f: &DutyForm,
    errors: &FieldErrors,
    done: bool,
) -> HttpResponse {
    let t = rota_text(user.language);
    let body = html! {
        h1 { (t.duty_title) }
        @if done { p.notice role="status" { (t.duty_created) } }
        p { (t.duty_intro) }
        (form(user, t, slug, setup, f, errors))
        (listing(t, setup))
    };
    respond(status, page(user, slug, "duties", t.duty_title, body))
}

#[derive(Deserialize)]
pub struct Done {
    done: Option<String>,
}

/// The site's duties and the form for a new one.
#[get("/s/{site}/console/duties/new")]
pub async fn show(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<String>,
    q: web::Query<Done>,
) -> Result<HttpResponse, PageError> {
    let slug = path.into_inner();
    let setup = load(&state, &user, &slug).await?;
    let f = DutyForm {
        weekday: "mon".to_owned(),
        capacity: "1".to_owned(),
        every_weeks: "1".to_owned(),
        ..DutyForm::default()
    };
    let done = q.done.as_deref() == Some("created");
    Ok(answer(
        &user,
        &slug,
        StatusCode::OK,
        &setup,
        &f,
        &Vec::new(),
        done,
    ))
}

/// What the form says, checked field by field.
struct Parsed {
    name: String,
    resource_id: Option<i64>,
    weekday: Weekday,
    start: u32,
    end: u32,
    skill: Option<String>,
    capacity: i32,
    from: Option<NaiveDate>,
    every_weeks: u32,
}

fn parse(t: &RotaText, f: &DutyForm) -> Result<Parsed, FieldErrors> {
    let mut errors: FieldErrors = Vec::new();
    let name = checked_text("name", &f.name, 100)
        .map_err(|_| errors.push(("name", t.err_name)))
        .ok();
    let resource_id = match f.resource_id.trim() {
        "" => Some(None),
        v => v.parse::<i64>().ok().map(Some),
    };
    if resource_id.is_none() {
        errors.push(("resource_id", t.err_room));
    }
    let weekday = parse_weekday("weekday", &f.weekday)
        .map_err(|_| errors.push(("weekday", t.err_weekday)))
        .ok();
    let start = parse_clock("start", f.start.trim())
        .map_err(|_| errors.push(("start", t.err_time)))
        .ok();
    let end = parse_clock("end", f.end.trim())
        .map_err(|_| errors.push(("end", t.err_time)))
        .ok();
    if let (Some(s), Some(e)) = (start, end)
        && s >= e
    {
        errors.push(("end", t.err_end_before_start));
    }
    let skill = match f.skill.trim() {
        "" => Some(None),
        s => Skill::parse("skill", s)
            .map(|s| Some(s.as_str().to_owned()))
            .map_err(|_| errors.push(("skill", t.err_skill)))
            .ok(),
    };
    let capacity = f
        .capacity
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|c| (1..=1000).contains(c));
    if capacity.is_none() {
        errors.push(("capacity", t.err_capacity));
    }
    let from = match f.from.trim() {
        "" => Some(None),
        v => v
            .parse::<NaiveDate>()
            .map(Some)
            .map_err(|_| errors.push(("from", t.err_date)))
            .ok(),
    };
    let every_weeks = f
        .every_weeks
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|e| (1..=4).contains(e));
    if every_weeks.is_none() {
        errors.push(("every_weeks", t.err_every));
    }
    match (
        name,
        resource_id,
        weekday,
        start,
        end,
        skill,
        capacity,
        from,
        every_weeks,
    ) {
        (
            Some(name),
            Some(resource_id),
            Some(weekday),
            Some(start),
            Some(end),
            Some(skill),
            Some(capacity),
            Some(from),
            Some(every_weeks),
        ) if errors.is_empty() => Ok(Parsed {
            name,
            resource_id,
            weekday,
            start,
            end,
            skill,
            capacity,
            from,
            every_weeks,
        }),
        _ => Err(errors),
    }
}

/// Creates the duty, or shows the form again with what is wrong.
#[post("/s/{site}/console/duties/new")]
pub async fn create(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<String>,
    f: web::Form<DutyForm>,
) -> Result<HttpResponse, PageError> {
    user.check(&f.csrf)?;
    let slug = path.into_inner();
    let f = f.into_inner();
    let t = rota_text(user.language);
    let errors = match parse(t, &f) {
        Ok(p) => {
            let (caller, site, now) = (user.clone(), slug.clone(), clock::now());
            let created = state
                .db
                .write(move |conn| {
                    let access = site_access(conn, &site, &caller)?;
                    let pattern = DutyPattern {
                        weekday: p.weekday,
                        start_minute: p.start,
                        end_minute: p.end,
                        from: p.from.unwrap_or_else(|| local_date(access.site.tz(), now)),
                        until: None,
                        every_weeks: p.every_weeks,
                    };
                    pattern.validate()?;
                    let input = DutyInput {
                        name: p.name,
                        pattern,
                        capacity: p.capacity,
                        skill: p.skill,
                        resource_id: p.resource_id,
                    };
                    flow::create(conn, &access, input, now).map(|_| ())
                })
                .await;
            match created {
                Ok(()) => return Ok(see_other(&format!("/s/{slug}/console/duties/new?done=created"))),
                Err(e) if e.kind() == ProblemType::Validation => {
                    if e.fields().iter().any(|x| x.field == "resource_id") {
                        vec![("resource_id", t.err_room)]
                    } else {
                        vec![("end", t.err_end_before_start)]
                    }
                }
                Err(e) => return Err(fail(&user)(e)),
            }
        }
        Err(errors) => errors,
    };
    let setup = load(&state, &user, &slug).await?;
    Ok(answer(
        &user,
        &slug,
        StatusCode::UNPROCESSABLE_ENTITY,
        &setup,
        &f,
        &errors,
        false,
    ))
}
