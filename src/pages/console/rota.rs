//! 排班: the 330 method's weekly templates on a week grid and their form
//! (one row per post, rows added and removed without JavaScript); a draft
//! for some weeks generated from a Monday, shown as dates × posts with the
//! rules it breaks in words; a shift's people changed; publishing with the
//! changes shown first; the swaps on offer. Every change goes through the
//! workflows the rota API uses (`workflows::rota`, `workflows::rota_inputs`);
//! the page reads through `workflows::rota_console`.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use chrono::{Datelike, Duration, NaiveDate, Weekday};
use maud::{Markup, html};
use serde::Deserialize;

use super::{fail, page};
use crate::clock;
use crate::domain::invalid::text as checked_text;
use crate::domain::local_time::{format_clock, parse_clock, parse_weekday, weekday_name};
use crate::domain::resource::pool_name;
use crate::errors::ProblemType;
use crate::pages::frame::{respond, see_other};
use crate::pages::session::{PageError, PageUser};
use crate::pages::text::{RotaText, rota_text};
use crate::state::AppState;
use crate::store::access::site_access;
use crate::store::rota::{NewTemplate, Shift};
use crate::words::Words;
use crate::workflows::rota as flow;
use crate::workflows::rota_console::{self as console, ChangeKind, DraftReview, RotaDesk};
use crate::workflows::rota_inputs;

/// Errors by field id (`end_2`, `from`) or "" for the whole form.
type Errors = Vec<(String, String)>;

const WEEKDAYS: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];
/// The most weeks one draft covers (the workflow's limit is 92 days).
const MAX_WEEKS: i64 = 13;
/// Empty rows offered below the templates, and added by "more rows".
const SPARE_ROWS: usize = 2;

fn error_of<'a>(errors: &'a Errors, id: &str) -> Option<&'a str> {
    errors.iter().find(|(f, _)| f == id).map(|(_, m)| m.as_str())
}

fn summary(t: &RotaText, errors: &Errors) -> Markup {
    html! {
        @if !errors.is_empty() {
            div.error-summary role="alert" tabindex="-1" {
                h2 { (t.fix_these) }
                ul { @for (f, m) in errors {
                    @if f.is_empty() { li { (m) } } @else { li { a href=(format!("#{f}")) { (m) } } }
                } }
            }
        }
    }
}

/// A labelled input with its error between label and box.
fn input(errors: &Errors, id: &str, label: &str, control: impl Fn(Option<String>, bool) -> Markup) -> Markup {
    let e = error_of(errors, id);
    html! {
        div.field.has-error[e.is_some()] {
            label for=(id) { (label) }
            @if let Some(m) = e { p.error id=(format!("{id}-error")) { (m) } }
            (control(e.map(|_| format!("{id}-error")), e.is_some()))
        }
    }
}

fn rota_url(slug: &str, from: NaiveDate, to: NaiveDate) -> String {
    format!("/s/{slug}/console/rota?from={from}&to={to}")
}

fn day_words(user: &PageUser, d: NaiveDate) -> String {
    format!(
        "{} {}",
        user.text().shifts.date(d),
        Words::new(user.language).weekday(d)
    )
}

fn clock_of(desk: &RotaDesk, s: &Shift) -> String {
    let at = |t: chrono::NaiveDateTime| t.and_utc().with_timezone(&desk.tz).format("%H:%M").to_string();
    format!("{}–{}", at(s.starts_at), at(s.ends_at))
}

// ---- The templates ------------------------------------------------------

/// One row of the template form, as typed.
#[derive(Clone, Default)]
struct Row {
    weekday: String,
    start: String,
    end: String,
    positions: String,
    label: String,
    desk_pool: String,
    remove: bool,
}

impl Row {
    fn blank(&self) -> bool {
        [&self.start, &self.end, &self.label, &self.desk_pool]
            .iter()
            .all(|v| v.trim().is_empty())
    }
}

fn rows_of_templates(desk: &RotaDesk) -> Vec<Row> {
    desk.templates
        .iter()
        .map(|tp| Row {
            weekday: weekday_name(WEEKDAYS[tp.weekday.clamp(0, 6) as usize]).to_owned(),
            start: format_clock(tp.start_minute.max(0) as u32),
            end: format_clock(tp.end_minute.max(0) as u32),
            positions: tp.positions.to_string(),
            label: tp.label.clone(),
            desk_pool: tp.desk_pool.clone().unwrap_or_default(),
            remove: false,
        })
        .collect()
}

/// The week as the templates staff it: days across a wide screen, one
/// under the other on a phone.
fn week_grid(slug: &str, t: &RotaText, desk: &RotaDesk) -> Markup {
    html! {
        div.rota-days {
            @for i in 0..WEEKDAYS.len() {
                section.day aria-labelledby=(format!("day-{i}")) {
                    h3 id=(format!("day-{i}")) { (t.weekdays[i]) }
                    @let posts: Vec<_> = desk.templates.iter().filter(|tp| tp.weekday == i as i32).collect();
                    @if posts.is_empty() { p.hint { (t.no_posts) } }
                    ul.plain {
                        @for tp in posts {
                            li.slot {
                                span.post { (format_clock(tp.start_minute.max(0) as u32)) "–" (format_clock(tp.end_minute.max(0) as u32)) }
                                " " (tp.label)
                                br;
                                (t.people_count(tp.positions))
                                @if let Some(pool) = &tp.desk_pool { " · " (t.desk_pool_short) (pool) }
                            }
                        }
                    }
                }
            }
        }
        @let seniors: Vec<&str> = desk.staff.iter().filter(|s| s.senior).map(|s| s.name.as_str()).collect();
        p {
            (t.seniors_label)
            @if seniors.is_empty() { (t.no_seniors) } @else { (seniors.join("、")) }
        }
        @let limited: Vec<String> = desk.staff.iter().filter_map(|s| s.max_shifts_per_week.map(|m| t.limit_words(&s.name, m))).collect();
        @if !limited.is_empty() { p { (t.limits_label) (limited.join("、")) } }
        p.hint { (t.people_hint) " " a href=(format!("/s/{slug}/console/people")) { (t.people_link) } }
    }
}

fn template_form(user: &PageUser, t: &RotaText, slug: &str, rows: &[Row], errors: &Errors) -> Markup {
    html! {
        form.stack.templates method="post" action=(format!("/s/{slug}/console/rota/templates")) hx-boost="false" novalidate {
            input type="hidden" name="csrf" value=(user.csrf);
            (summary(t, errors))
            p.hint { (t.rows_hint) }
            @for (i, r) in rows.iter().enumerate() {
                fieldset.template-row {
                    legend { (t.post_n(i + 1)) }
                    div.field {
                        label for=(format!("weekday_{i}")) { (t.weekday) }
                        select id=(format!("weekday_{i}")) name=(format!("weekday_{i}")) {
                            @for (d, name) in WEEKDAYS.iter().zip(t.weekdays) {
                                option value=(weekday_name(*d)) selected[r.weekday == weekday_name(*d)] { (name) }
                            }
                        }
                    }
                    div.times {
                        (input(errors, &format!("start_{i}"), t.start, |d, bad| html! {
                            input type="time" id=(format!("start_{i}")) name=(format!("start_{i}")) value=(r.start)
                                aria-describedby=[d] aria-invalid=[bad.then_some("true")];
                        }))
                        (input(errors, &format!("end_{i}"), t.end, |d, bad| html! {
                            input type="time" id=(format!("end_{i}")) name=(format!("end_{i}")) value=(r.end)
                                aria-describedby=[d] aria-invalid=[bad.then_some("true")];
                        }))
                    }
                    (input(errors, &format!("label_{i}"), t.label, |d, bad| html! {
                        input type="text" id=(format!("label_{i}")) name=(format!("label_{i}")) value=(r.label)
                            aria-describedby=[d] aria-invalid=[bad.then_some("true")];
                    }))
                    (input(errors, &format!("positions_{i}"), t.positions, |d, bad| html! {
                        input type="number" min="1" max="20" inputmode="numeric" id=(format!("positions_{i}")) name=(format!("positions_{i}"))
                            value=(r.positions) aria-describedby=[d] aria-invalid=[bad.then_some("true")];
                    }))
                    (input(errors, &format!("desk_pool_{i}"), t.desk_pool, |d, bad| html! {
                        input type="text" id=(format!("desk_pool_{i}")) name=(format!("desk_pool_{i}")) value=(r.desk_pool)
                            aria-describedby=[d] aria-invalid=[bad.then_some("true")];
                    }))
                    label.check {
                        input type="checkbox" name=(format!("remove_{i}")) checked[r.remove];
                        " " (t.remove_row)
                    }
                }
            }
            div.actions {
                button type="submit" name="step" value="save" { (t.save_templates) }
                button.secondary type="submit" name="step" value="more" { (t.more_rows) }
            }
        }
    }
}

/// Reads the posted rows: the templates, or what is wrong by field.
fn parse_rows(t: &RotaText, rows: &[Row]) -> Result<Vec<NewTemplate>, Errors> {
    let mut errors: Errors = Vec::new();
    let mut out = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        if r.remove || r.blank() {
            continue;
        }
        let weekday = parse_weekday("weekday", &r.weekday).ok();
        if weekday.is_none() {
            errors.push((format!("weekday_{i}"), t.err_weekday.to_owned()));
        }
        let start = parse_clock("start", r.start.trim()).ok();
        if start.is_none() {
            errors.push((format!("start_{i}"), t.err_time.to_owned()));
        }
        let end = parse_clock("end", r.end.trim()).ok();
        if end.is_none() {
            errors.push((format!("end_{i}"), t.err_time.to_owned()));
        }
        if let (Some(s), Some(e)) = (start, end)
            && s >= e
        {
            errors.push((format!("end_{i}"), t.err_end_before_start.to_owned()));
        }
        let label = checked_text("label", r.label.trim(), 100).ok();
        if label.is_none() {
            errors.push((format!("label_{i}"), t.err_label.to_owned()));
        }
        let positions = r
            .positions
            .trim()
            .parse::<i32>()
            .ok()
            .filter(|p| (1..=20).contains(p));
        if positions.is_none() {
            errors.push((format!("positions_{i}"), t.err_positions.to_owned()));
        }
        let pool = match r.desk_pool.trim() {
            "" => Some(None),
            p => pool_name(p).ok().map(Some),
        };
        if pool.is_none() {
            errors.push((format!("desk_pool_{i}"), t.err_pool.to_owned()));
        }
        if let (Some(w), Some(s), Some(e), Some(l), Some(n), Some(p)) =
            (weekday, start, end, label, positions, pool)
        {
            out.push(NewTemplate {
                weekday: w.num_days_from_monday() as i32,
                start_minute: s as i32,
                end_minute: e as i32,
                positions: n,
                label: l,
                desk_pool: p,
            });
        }
    }
    if out.len() > 100 {
        errors.push((String::new(), t.err_too_many.to_owned()));
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

/// The rows of a posted template form, by their number.
fn rows_posted(fields: &[(String, String)]) -> Vec<Row> {
    let mut rows: BTreeMap<usize, Row> = BTreeMap::new();
    for (name, value) in fields {
        let Some((key, n)) = name.rsplit_once('_') else {
            continue;
        };
        let Ok(n) = n.parse::<usize>() else { continue };
        if n >= 200 {
            continue;
        }
        let r = rows.entry(n).or_default();
        match key {
            "weekday" => r.weekday = value.clone(),
            "start" => r.start = value.clone(),
            "end" => r.end = value.clone(),
            "positions" => r.positions = value.clone(),
            "label" => r.label = value.clone(),
            "desk_pool" => r.desk_pool = value.clone(),
            "remove" => r.remove = true,
            _ => {}
        }
    }
    rows.into_values().collect()
}

fn posted<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields
        .iter()
        .find(|(n, _)| n == name)
        .map_or("", |(_, v)| v.as_str())
}

// ---- The page ------------------------------------------------------------

#[derive(Deserialize)]
pub struct RotaQuery {
    from: Option<String>,
    to: Option<String>,
    done: Option<String>,
}

/// The period asked for in a query, when both ends are dates in order.
fn period_of(from: Option<&str>, to: Option<&str>) -> Option<(NaiveDate, NaiveDate)> {
    let from = from?.parse::<NaiveDate>().ok()?;
    let to = to?.parse::<NaiveDate>().ok()?;
    (from <= to && (to - from).num_days() < flow::MAX_RANGE_DAYS).then_some((from, to))
}

/// What the page's forms hold when shown again after a mistake.
#[derive(Default)]
struct Shown {
    rows: Option<Vec<Row>>,
    template_errors: Errors,
    generate: Option<(String, String)>,
    generate_errors: Errors,
}

async fn load(
    state: &web::Data<AppState>,
    user: &PageUser,
    slug: &str,
    period: Option<(NaiveDate, NaiveDate)>,
) -> Result<RotaDesk, PageError> {
    let (caller, site, now) = (user.clone(), slug.to_owned(), clock::now());
    state
        .db
        .read(move |conn| {
            let access = site_access(conn, &site, &caller)?;
            console::desk(conn, &access, period, now)
        })
        .await
        .map_err(fail(user))
}

fn next_monday(today: NaiveDate) -> NaiveDate {
    today + Duration::days(7 - i64::from(today.weekday().num_days_from_monday()))
}

fn draft_section(user: &PageUser, t: &RotaText, slug: &str, desk: &RotaDesk, d: &DraftReview) -> Markup {
    let mut dates: BTreeMap<NaiveDate, Vec<&Shift>> = BTreeMap::new();
    for s in &d.shifts {
        dates.entry(s.date).or_default().push(s);
    }
    let named = |ids: Vec<i64>| -> Vec<String> {
        ids.iter()
            .map(|id| d.names.get(id).cloned().unwrap_or_default())
            .collect()
    };
    let back = format!("from={}&to={}", d.from, d.to);
    html! {
        section #draft aria-labelledby="draft-title" {
            h2 #draft-title { (t.draft_title) " " (day_words(user, d.from)) " – " (day_words(user, d.to)) }
            @if d.shifts.is_empty() { p { (t.no_shifts) } }
            h3 { (t.warnings_title) }
            @if d.warnings.is_empty() { p.notice { (t.no_warnings) } }
            @else { ul.warnings { @for w in &d.warnings { li { (w) } } } }
            div.week.rota-draft {
                @for (date, shifts) in &dates {
                    div.day {
                        h3 { (day_words(user, *date)) }
                        @for s in shifts {
                            @let people = named(s.draft());
                            div.slot {
                                span.post { (s.label) " " (clock_of(desk, s)) }
                                @if s.published().is_some_and(|p| p == s.draft()) { " " span.badge.confirmed { (t.published_badge) } }
                                @else if s.published().is_some() { " " span.badge.pending { (t.changed_badge) } }
                                ul.people {
                                    @for p in &people { li { (p) } }
                                    @for _ in people.len()..(s.positions.max(0) as usize) { li.open { (t.open_position) } }
                                }
                                a.button.secondary href=(format!("/s/{slug}/console/rota/shifts/{}?{back}", s.id))
                                    aria-label=(format!("{} {} {} {}", t.change_people, s.label, day_words(user, *date), clock_of(desk, s))) { (t.change_people) }
                            }
                        }
                    }
                }
            }
            h3 #changes { (t.changes_title) }
            @if d.changes.is_empty() { p { (t.no_changes) } }
            @else {
                ul.changes {
                    @for c in &d.changes {
                        li {
                            @match c.kind {
                                ChangeKind::Appears => { strong { (t.appears) } " " (c.shift) "：" (list_or(t, &c.after)) }
                                ChangeKind::ChangesHands => { strong { (t.changes_hands) } " " (c.shift) "：" (list_or(t, &c.before)) " → " (list_or(t, &c.after)) }
                                ChangeKind::Disappears => { strong { (t.disappears) } " " (c.shift) "：" (list_or(t, &c.before)) }
                            }
                        }
                    }
                }
                form method="post" action=(format!("/s/{slug}/console/rota/publish")) hx-boost="false" {
                    input type="hidden" name="csrf" value=(user.csrf);
                    input type="hidden" name="from" value=(d.from);
                    input type="hidden" name="to" value=(d.to);
                    button type="submit" { (t.publish) }
                }
            }
        }
    }
}

fn list_or(t: &RotaText, names: &[String]) -> String {
    if names.is_empty() {
        t.nobody.to_owned()
    } else {
        names.join("、")
    }
}

fn render(user: &PageUser, slug: &str, desk: &RotaDesk, done: Option<&str>, shown: &Shown) -> Markup {
    let t = rota_text(user.language);
    let rows = shown.rows.clone().unwrap_or_else(|| {
        let mut r = rows_of_templates(desk);
        r.extend(std::iter::repeat_n(
            Row {
                positions: "1".to_owned(),
                ..Row::default()
            },
            SPARE_ROWS,
        ));
        r
    });
    let (from, weeks) = shown
        .generate
        .clone()
        .unwrap_or_else(|| (next_monday(desk.today).to_string(), "4".to_owned()));
    let done = match done {
        Some("templates") => Some(t.templates_saved),
        Some("generated") => Some(t.generated),
        Some("edited") => Some(t.edited),
        Some("published") => Some(t.published),
        _ => None,
    };
    let gen_errors = &shown.generate_errors;
    html! {
        h1 { (t.title) }
        @if let Some(m) = done { p.notice role="status" { (m) } }
        p { (t.intro) }
        @if let Some(d) = &desk.draft { (draft_section(user, t, slug, desk, d)) }
        h2 #generate-title { (t.generate_title) }
        form.stack method="post" action=(format!("/s/{slug}/console/rota/generate")) hx-boost="false" novalidate aria-labelledby="generate-title" {
            input type="hidden" name="csrf" value=(user.csrf);
            (summary(t, gen_errors))
            (input(gen_errors, "from", t.from_monday, |d, bad| html! {
                input type="date" id="from" name="from" value=(from) aria-describedby=[d] aria-invalid=[bad.then_some("true")];
            }))
            (input(gen_errors, "weeks", t.weeks, |d, bad| html! {
                input type="number" id="weeks" name="weeks" min="1" max=(MAX_WEEKS) inputmode="numeric" value=(weeks)
                    aria-describedby=[d] aria-invalid=[bad.then_some("true")];
            }))
            button type="submit" { (t.generate) }
        }
        h2 { (t.week_title) }
        (week_grid(slug, t, desk))
        h2 #templates { (t.edit_templates) }
        (template_form(user, t, slug, &rows, &shown.template_errors))
        h2 { (t.swaps_title) }
        @if desk.pending_swaps.is_empty() { p { (t.no_swaps) } }
        @else {
            ul.plain { @for s in &desk.pending_swaps { li.card { (s.shift) br; (t.offered_by) (s.offered_by) } } }
        }
    }
}

fn answer(user: &PageUser, slug: &str, status: StatusCode, body: Markup) -> HttpResponse {
    let t = rota_text(user.language);
    respond(status, page(user, slug, "rota", t.title, body))
}

/// The 排班 page; with `from` and `to`, that period's draft.
#[get("/s/{site}/console/rota")]
pub async fn show(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<String>,
    q: web::Query<RotaQuery>,
) -> Result<HttpResponse, PageError> {
    let slug = path.into_inner();
    let period = period_of(q.from.as_deref(), q.to.as_deref());
    let desk = load(&state, &user, &slug, period).await?;
    let body = render(&user, &slug, &desk, q.done.as_deref(), &Shown::default());
    Ok(answer(&user, &slug, StatusCode::OK, body))
}

/// Saves the templates (`step=save`) or shows the form with more empty
/// rows (`step=more`).
#[post("/s/{site}/console/rota/templates")]
pub async fn save_templates(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<String>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let fields = form.into_inner();
    user.check(posted(&fields, "csrf"))?;
    let slug = path.into_inner();
    let t = rota_text(user.language);
    let mut rows = rows_posted(&fields);
    if posted(&fields, "step") == "more" {
        rows.retain(|r| !r.remove);
        rows.extend(std::iter::repeat_n(
            Row {
                positions: "1".to_owned(),
                ..Row::default()
            },
            SPARE_ROWS + 1,
        ));
        let desk = load(&state, &user, &slug, None).await?;
        let shown = Shown {
            rows: Some(rows),
            ..Shown::default()
        };
        return Ok(answer(
            &user,
            &slug,
            StatusCode::OK,
            render(&user, &slug, &desk, None, &shown),
        ));
    }
    match parse_rows(t, &rows) {
        Ok(templates) => {
            let (caller, site) = (user.clone(), slug.clone());
            state
                .db
                .write(move |conn| {
                    let access = site_access(conn, &site, &caller)?;
                    rota_inputs::replace_templates(conn, &access, &templates)
                })
                .await
                .map_err(fail(&user))?;
            Ok(see_other(&format!("/s/{slug}/console/rota?done=templates")))
        }
        Err(errors) => {
            let desk = load(&state, &user, &slug, None).await?;
            let shown = Shown {
                rows: Some(rows),
                template_errors: errors,
                ..Shown::default()
            };
            Ok(answer(
                &user,
                &slug,
                StatusCode::UNPROCESSABLE_ENTITY,
                render(&user, &slug, &desk, None, &shown),
            ))
        }
    }
}

#[derive(Deserialize)]
pub struct GenerateForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    weeks: String,
}

/// Drafts the rota for some weeks from a Monday, then shows the draft.
#[post("/s/{site}/console/rota/generate")]
pub async fn generate(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<String>,
    f: web::Form<GenerateForm>,
) -> Result<HttpResponse, PageError> {
    user.check(&f.csrf)?;
    let slug = path.into_inner();
    let t = rota_text(user.language);
    let mut errors: Errors = Vec::new();
    let from = match f.from.trim().parse::<NaiveDate>() {
        Ok(d) if d.weekday() == Weekday::Mon => Some(d),
        Ok(_) => {
            errors.push(("from".to_owned(), t.err_not_monday.to_owned()));
            None
        }
        Err(_) => {
            errors.push(("from".to_owned(), t.err_date.to_owned()));
            None
        }
    };
    let weeks = f
        .weeks
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|w| (1..=MAX_WEEKS).contains(w));
    if weeks.is_none() {
        errors.push(("weeks".to_owned(), t.err_weeks.to_owned()));
    }
    if let (Some(from), Some(weeks)) = (from, weeks) {
        let to = from + Duration::days(weeks * 7 - 1);
        let (caller, site, now) = (user.clone(), slug.clone(), clock::now());
        let done = state
            .db
            .write(move |conn| {
                let access = site_access(conn, &site, &caller)?;
                flow::generate(conn, &access, from, to, now).map(|_| ())
            })
            .await;
        match done {
            Ok(()) => {
                return Ok(see_other(&format!(
                    "{}&done=generated#draft",
                    rota_url(&slug, from, to)
                )));
            }
            Err(e) if e.kind() == ProblemType::Validation => {
                let message = if e.fields().iter().any(|f| f.field == "templates") {
                    t.err_no_templates.to_owned()
                } else {
                    e.detail().to_owned()
                };
                errors.push((String::new(), message));
            }
            Err(e) => return Err(fail(&user)(e)),
        }
    }
    let desk = load(&state, &user, &slug, None).await?;
    let shown = Shown {
        generate: Some((f.from.clone(), f.weeks.clone())),
        generate_errors: errors,
        ..Shown::default()
    };
    Ok(answer(
        &user,
        &slug,
        StatusCode::UNPROCESSABLE_ENTITY,
        render(&user, &slug, &desk, None, &shown),
    ))
}

#[derive(Deserialize)]
pub struct PeriodForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

/// Publishes the period shown (its changes were listed beside the button).
#[post("/s/{site}/console/rota/publish")]
pub async fn publish(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<String>,
    f: web::Form<PeriodForm>,
) -> Result<HttpResponse, PageError> {
    user.check(&f.csrf)?;
    let slug = path.into_inner();
    let Some((from, to)) = period_of(Some(&f.from), Some(&f.to)) else {
        return Err(fail(&user)(crate::errors::ApiError::invalid(
            "from",
            "a period of dates",
        )));
    };
    let (caller, site, now, notifier) = (user.clone(), slug.clone(), clock::now(), state.notifier.clone());
    state
        .db
        .write(move |conn| {
            let access = site_access(conn, &site, &caller)?;
            flow::publish(conn, &access, from, to, &notifier, now)
        })
        .await
        .map_err(fail(&user))?;
    Ok(see_other(&format!(
        "{}&done=published#draft",
        rota_url(&slug, from, to)
    )))
}

// ---- One shift's people --------------------------------------------------

fn shift_form(
    user: &PageUser,
    slug: &str,
    desk: &RotaDesk,
    d: &DraftReview,
    s: &Shift,
    chosen: &[Option<i64>],
    error: Option<&str>,
) -> Markup {
    let t = rota_text(user.language);
    html! {
        h1 { (t.change_people) }
        p.lead { (s.label) " · " (day_words(user, s.date)) " " (clock_of(desk, s)) }
        @if let Some(m) = error { div.error-summary role="alert" tabindex="-1" { p.error id="people-error" { (m) } } }
        form.stack method="post" action=(format!("/s/{slug}/console/rota/shifts/{}", s.id)) hx-boost="false" {
            input type="hidden" name="csrf" value=(user.csrf);
            input type="hidden" name="from" value=(d.from);
            input type="hidden" name="to" value=(d.to);
            p.hint { (t.edit_hint) }
            @for i in 0..(s.positions.max(0) as usize) {
                div.field {
                    label for=(format!("person_{i}")) { (t.position_n(i + 1)) }
                    select id=(format!("person_{i}")) name=(format!("person_{i}")) aria-describedby=[error.map(|_| "people-error")] {
                        option value="" selected[chosen.get(i).copied().flatten().is_none()] { (t.open_position) }
                        @for p in &desk.staff {
                            option value=(p.id) selected[chosen.get(i).copied().flatten() == Some(p.id)] {
                                (p.name) @if p.senior { " (" (t.senior) ")" }
                            }
                        }
                    }
                }
            }
            div.actions {
                button type="submit" { (t.save_people) }
                a.button.secondary href=(format!("{}#draft", rota_url(slug, d.from, d.to))) { (t.back_to_draft) }
            }
        }
    }
}

#[derive(Deserialize)]
pub struct ShiftQuery {
    from: Option<String>,
    to: Option<String>,
}

async fn shift_of(
    state: &web::Data<AppState>,
    user: &PageUser,
    slug: &str,
    id: i64,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<(RotaDesk, usize), PageError> {
    let not_found = || fail(user)(crate::errors::ApiError::not_found("shift"));
    let period = period_of(from, to).ok_or_else(not_found)?;
    let desk = load(state, user, slug, Some(period)).await?;
    let at = desk
        .draft
        .as_ref()
        .and_then(|d| d.shifts.iter().position(|s| s.id == id))
        .ok_or_else(not_found)?;
    Ok((desk, at))
}

/// Choosing the people of one draft shift.
#[get("/s/{site}/console/rota/shifts/{id}")]
pub async fn shift(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<(String, i64)>,
    q: web::Query<ShiftQuery>,
) -> Result<HttpResponse, PageError> {
    let (slug, id) = path.into_inner();
    let (desk, at) = shift_of(&state, &user, &slug, id, q.from.as_deref(), q.to.as_deref()).await?;
    let Some(d) = &desk.draft else {
        unreachable!("shift_of found a draft")
    };
    let s = &d.shifts[at];
    let chosen: Vec<Option<i64>> = s.draft().into_iter().map(Some).collect();
    let body = shift_form(&user, &slug, &desk, d, s, &chosen, None);
    Ok(answer(&user, &slug, StatusCode::OK, body))
}

/// Sets the people of one draft shift; the rules it breaks show on the
/// draft afterwards, a refusal here.
#[post("/s/{site}/console/rota/shifts/{id}")]
pub async fn save_shift(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<(String, i64)>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let fields = form.into_inner();
    user.check(posted(&fields, "csrf"))?;
    let (slug, id) = path.into_inner();
    let t = rota_text(user.language);
    let (from, to) = (
        posted(&fields, "from").to_owned(),
        posted(&fields, "to").to_owned(),
    );
    let mut chosen: Vec<(usize, Option<i64>)> = fields
        .iter()
        .filter_map(|(n, v)| {
            let i = n.strip_prefix("person_")?.parse::<usize>().ok()?;
            Some((i, v.trim().parse::<i64>().ok()))
        })
        .filter(|(i, _)| *i < 20)
        .collect();
    chosen.sort_by_key(|(i, _)| *i);
    let chosen: Vec<Option<i64>> = chosen.into_iter().map(|(_, p)| p).collect();
    let mut people: Vec<i64> = chosen.iter().flatten().copied().collect();
    let count = people.len();
    people.sort_unstable();
    people.dedup();
    let error = if people.len() != count {
        Some(t.err_twice.to_owned())
    } else {
        let (caller, site) = (user.clone(), slug.clone());
        let edited = state
            .db
            .write(move |conn| {
                let access = site_access(conn, &site, &caller)?;
                flow::edit(conn, &access, id, &people).map(|_| ())
            })
            .await;
        match edited {
            Ok(()) => {
                let to_draft = match period_of(Some(&from), Some(&to)) {
                    Some((f, l)) => format!("{}&done=edited#draft", rota_url(&slug, f, l)),
                    None => format!("/s/{slug}/console/rota?done=edited"),
                };
                return Ok(see_other(&to_draft));
            }
            Err(e) if e.kind() == ProblemType::Validation => Some(t.err_person.to_owned()),
            Err(e) => return Err(fail(&user)(e)),
        }
    };
    let (desk, at) = shift_of(&state, &user, &slug, id, Some(&from), Some(&to)).await?;
    let Some(d) = &desk.draft else {
        unreachable!("shift_of found a draft")
    };
    let body = shift_form(&user, &slug, &desk, d, &d.shifts[at], &chosen, error.as_deref());
    Ok(answer(&user, &slug, StatusCode::UNPROCESSABLE_ENTITY, body))
}
