//! 日志: the audit trail, narrowed by person, resource, kind and period
//! (site-local dates), newest first, a hundred at a time, with the same
//! rows as a CSV download. The same workflow and the same CSV as the API's
//! `/audit`.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use maud::{Markup, html};
use serde::Deserialize;

use super::people::summary;
use super::{fail, page};
use crate::clock;
use crate::domain::local_time::{local_date, midnight};
use crate::domain::window::date_in_window;
use crate::pages::frame::respond;
use crate::pages::frame::{FieldErrors, described, field};
use crate::pages::session::{PageError, PageUser};
use crate::pages::text::Console;
use crate::state::AppState;
use crate::store::access::site_access;
use crate::store::audit::{AuditFilter, NamedEntry};
use crate::words::Words;
use crate::workflows::audit::{self, Choices, KINDS};

/// Rows on one page.
const PER_PAGE: i64 = 100;
/// The longest period one look covers (a year, leap day included).
const LONGEST_DAYS: i64 = 366;
/// The default period: the last 30 days, today included.
const DEFAULT_DAYS: i64 = 30;
/// A CSV is the whole period, in one file.
const CSV_ROWS: i64 = 100_000;

/// The form's fields as typed: every one a string, so a wrong one comes
/// back next to its field instead of failing the whole request.
#[derive(Deserialize, Default)]
pub struct AuditForm {
    #[serde(default)]
    person: String,
    #[serde(default)]
    resource: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    /// The "earlier entries" cursor: entries before this id.
    #[serde(default)]
    before: String,
}

/// The filter as understood; dates left blank take the default period.
struct Wanted {
    person: Option<i64>,
    resource: Option<i64>,
    kind: Option<&'static str>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    before: i64,
}

fn choice(value: &str, name: &'static str, c: &Console, errors: &mut FieldErrors) -> Option<i64> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    value.parse().map_err(|_| errors.push((name, c.err_choice))).ok()
}

fn date(
    value: &str,
    name: &'static str,
    c: &Console,
    now: DateTime<Utc>,
    errors: &mut FieldErrors,
) -> Option<NaiveDate> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .ok()
        .and_then(|d| date_in_window(d, now).ok())
        .or_else(|| {
            errors.push((name, c.err_date));
            None
        })
}

fn parse(f: &AuditForm, c: &Console, now: DateTime<Utc>, errors: &mut FieldErrors) -> Wanted {
    let kind = match f.kind.trim() {
        "" => None,
        k => KINDS.iter().copied().find(|x| *x == k).or_else(|| {
            errors.push(("kind", c.err_choice));
            None
        }),
    };
    Wanted {
        person: choice(&f.person, "person", c, errors),
        resource: choice(&f.resource, "resource", c, errors),
        kind,
        from: date(&f.from, "from", c, now, errors),
        to: date(&f.to, "to", c, now, errors),
        // A cursor only this page writes; a wrong one is said, not guessed at.
        before: match f.before.trim() {
            "" => 0,
            b => b.parse().ok().filter(|id: &i64| *id > 0).unwrap_or_else(|| {
                errors.push(("", c.err_cursor));
                0
            }),
        },
    }
}

/// The period's first and last days, the defaults filled in, or what is
/// wrong with it.
fn period(w: &Wanted, today: NaiveDate, c: &Console, errors: &mut FieldErrors) -> (NaiveDate, NaiveDate) {
    let to = w.to.unwrap_or(today);
    let from = w.from.unwrap_or(to - Duration::days(DEFAULT_DAYS - 1));
    if from > to {
        errors.push(("from", c.err_from_after_to));
    } else if (to - from).num_days() + 1 > LONGEST_DAYS {
        errors.push(("to", c.err_too_long));
    }
    (from, to)
}

/// "12月3日 周四 14:05", "Thu 3 Dec, 14:05"; the year only when it is not
/// this one.
fn when(words: Words, tz: Tz, t: DateTime<Utc>, this_year: i32) -> String {
    let local = t.with_timezone(&tz);
    let day = local.date_naive();
    let weekday = words.weekday(day);
    let clock = local.format("%H:%M");
    let other_year = day.year() != this_year;
    let (zh_year, en_year) = if other_year {
        (format!("{}年", day.year()), format!(" {}", day.year()))
    } else {
        (String::new(), String::new())
    };
    words.pick(
        format!("{zh_year}{}月{}日 {weekday} {clock}", day.month(), day.day()),
        format!("{weekday} {}{en_year}, {clock}", local.format("%-d %b")),
    )
}

fn kind_words(c: &Console, kind: &str) -> String {
    KINDS
        .iter()
        .position(|k| *k == kind)
        .map_or_else(|| kind.to_owned(), |i| c.audit_kinds[i].to_owned())
}

/// The filter's part of a link (its values are checked: ids, a kind from
/// the list, dates).
fn query(w: &Wanted, from: NaiveDate, to: NaiveDate) -> String {
    let mut q = format!("from={from}&to={to}");
    if let Some(p) = w.person {
        q.push_str(&format!("&person={p}"));
    }
    if let Some(r) = w.resource {
        q.push_str(&format!("&resource={r}"));
    }
    if let Some(k) = w.kind {
        q.push_str(&format!("&kind={k}"));
    }
    q
}

/// What one look found.
struct Found {
    tz: Tz,
    today: NaiveDate,
    from: NaiveDate,
    to: NaiveDate,
    choices: Choices,
    entries: Vec<NamedEntry>,
}

async fn look(
    state: &web::Data<AppState>,
    user: &PageUser,
    slug: &str,
    w: Wanted,
    mut errors: FieldErrors,
    rows: i64,
) -> Result<(Wanted, FieldErrors, Found), PageError> {
    let (caller, site, now) = (user.clone(), slug.to_owned(), clock::now());
    let c = &user.text().console;
    let (w, errors, found) = state
        .db
        .read(move |conn| {
            let access = site_access(conn, &site, &caller)?;
            let tz = access.site.tz();
            let today = local_date(tz, now);
            let (from, to) = period(&w, today, c, &mut errors);
            let filter = AuditFilter {
                user_id: w.person,
                resource_id: w.resource,
                action: w.kind.map(str::to_owned),
                from: midnight(tz, from).naive_utc(),
                to: midnight(tz, to.succ_opt().unwrap_or(to)).naive_utc(),
                after_id: w.before,
                newest_first: true,
                limit: rows,
            };
            let (choices, entries) = audit::browse(conn, &access, errors.is_empty().then_some(&filter))?;
            let found = Found {
                tz,
                today,
                from,
                to,
                choices,
                entries,
            };
            Ok((w, errors, found))
        })
        .await
        .map_err(fail(user))?;
    Ok((w, errors, found))
}

fn select(
    name: &'static str,
    label: &str,
    any: &str,
    options: &[(String, String)],
    chosen: &str,
    errors: &FieldErrors,
) -> Markup {
    field(
        errors,
        name,
        label,
        html! {
            select id=(name) name=(name) aria-describedby=[described(errors, name)] {
                option value="" { (any) }
                @for (value, words) in options {
                    option value=(value) selected[value == chosen] { (words) }
                }
            }
        },
    )
}

fn form(c: &Console, slug: &str, f: &AuditForm, found: &Found, errors: &FieldErrors) -> Markup {
    let named = |all: &[(i64, String)]| -> Vec<(String, String)> {
        all.iter()
            .map(|(id, name)| (id.to_string(), name.clone()))
            .collect()
    };
    let kinds: Vec<(String, String)> = KINDS
        .iter()
        .zip(c.audit_kinds)
        .map(|(k, w)| ((*k).to_owned(), w.to_owned()))
        .collect();
    // What she typed stays in a date field she must correct.
    let typed = |v: &str, d: NaiveDate, name: &str| {
        if errors.iter().any(|(f, _)| *f == name) {
            v.to_owned()
        } else {
            d.to_string()
        }
    };
    html! {
        (summary(c, errors))
        form.stack.audit-filter method="get" action=(format!("/s/{slug}/console/audit")) novalidate {
            (select("person", c.audit_person, c.audit_any, &named(&found.choices.people), f.person.trim(), errors))
            (select("resource", c.audit_resource, c.audit_any, &named(&found.choices.resources), f.resource.trim(), errors))
            (select("kind", c.audit_kind, c.audit_any, &kinds, f.kind.trim(), errors))
            (field(errors, "from", c.audit_from, html! {
                input #from type="date" name="from" value=(typed(&f.from, found.from, "from")) aria-describedby=[described(errors, "from")];
            }))
            (field(errors, "to", c.audit_to, html! {
                input #to type="date" name="to" value=(typed(&f.to, found.to, "to")) aria-describedby=[described(errors, "to")];
            }))
            button type="submit" { (c.audit_show) }
        }
    }
}

fn table(c: &Console, words: Words, found: &Found, shown: &[NamedEntry]) -> Markup {
    let [time, kind, actor, subject, resource, details] = c.audit_columns;
    html! {
        table.audit {
            thead { tr { th { (time) } th { (kind) } th { (actor) } th { (subject) } th { (resource) } th { (details) } } }
            tbody {
                @for n in shown {
                    @let e = &n.entry;
                    tr {
                        td data-label=(time) { (when(words, found.tz, e.at.and_utc(), found.today.year())) }
                        td data-label=(kind) { (kind_words(c, &e.action)) }
                        td data-label=(actor) { (n.actor.as_deref().unwrap_or("")) }
                        td data-label=(subject) { (n.subject.as_deref().unwrap_or("")) }
                        td data-label=(resource) { (n.resource.as_deref().unwrap_or("")) }
                        td data-label=(details) {
                            @if let Some(r) = &e.reason { (r) br; }
                            // The stored details name the resource by id
                            // and the time in UTC: the booking's own time,
                            // in the site's zone, says it in her words.
                            @if let Some((start, end)) = n.slot {
                                (words.range(found.tz, start.and_utc(), end.and_utc()))
                            } @else {
                                (e.details)
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The trail: the filter form, the entries newest first, "earlier
/// entries" and the CSV of exactly what the filter selects.
#[get("/s/{site}/console/audit")]
pub async fn list(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<String>,
    q: web::Query<AuditForm>,
) -> Result<HttpResponse, PageError> {
    trail_page(&state, &user, &path.into_inner(), &q.into_inner()).await
}

async fn trail_page(
    state: &web::Data<AppState>,
    user: &PageUser,
    slug: &str,
    f: &AuditForm,
) -> Result<HttpResponse, PageError> {
    let slug = slug.to_owned();
    let c = &user.text().console;
    let mut errors = FieldErrors::new();
    let wanted = parse(f, c, clock::now(), &mut errors);
    let (w, errors, found) = look(state, user, &slug, wanted, errors, PER_PAGE + 1).await?;
    let more = found.entries.len() as i64 > PER_PAGE;
    let shown = &found.entries[..found.entries.len().min(PER_PAGE as usize)];
    let filter = query(&w, found.from, found.to);
    let words = Words::new(user.language);
    let body = html! {
        h1 { (c.audit) }
        p { (c.audit_intro) }
        (form(c, &slug, f, &found, &errors))
        @if errors.is_empty() {
            // Not boosted: htmx would fetch the file into the page instead
            // of letting the browser save it.
            p { a.button.secondary href=(format!("/s/{slug}/console/audit/csv?{filter}")) download hx-boost="false" { (c.audit_csv) } }
            @if shown.is_empty() {
                p { (c.audit_none) }
            } @else {
                (table(c, words, &found, shown))
            }
            @if let (true, Some(last)) = (more, shown.last()) {
                p { a href=(format!("/s/{slug}/console/audit?{filter}&before={}", last.entry.id)) { (c.audit_more) } }
            }
        }
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(respond(status, page(user, &slug, "audit", c.audit, body)))
}

/// Every entry the filter selects, newest first, as the API's CSV; a wrong
/// filter gets the page with its errors.
#[get("/s/{site}/console/audit/csv")]
pub async fn csv(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<String>,
    q: web::Query<AuditForm>,
) -> Result<HttpResponse, PageError> {
    let slug = path.into_inner();
    let mut f = q.into_inner();
    f.before.clear();
    let c = &user.text().console;
    let mut errors = FieldErrors::new();
    let wanted = parse(&f, c, clock::now(), &mut errors);
    let (_, errors, found) = look(&state, &user, &slug, wanted, errors, CSV_ROWS).await?;
    if !errors.is_empty() {
        return trail_page(&state, &user, &slug, &f).await;
    }
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(("Content-Disposition", "attachment; filename=\"audit.csv\""))
        .body(audit::csv(found.tz, &found.entries)))
}
