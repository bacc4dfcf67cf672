//! 报表: the reports of the quarterly check (issue 22) in the console. One
//! frame for all of them: a period form (site-local dates, quick choices
//! as links), each table's chart ([`crate::pages::chart`]) with the table
//! beside it as its accessible version, the lists a report adds (rooms
//! that sat empty, ...), the CSV of the same table and a print layout on
//! A4 (`app.css`, `@media print`). The pages know no report's arithmetic:
//! every figure is a [`Table`] from `workflows::reports`.

mod computers;
pub mod district;
mod front_desk;
mod period;
mod rooms;
mod summary;
mod volunteers;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, NaiveDate, Utc};
use maud::{Markup, html};

use self::period::PeriodForm;
use super::{fail, page};
use crate::clock;
use crate::db::DbConn;
use crate::domain::local_time::local_date;
use crate::domain::period::DatePeriod;
use crate::domain::report::{Cell, Table, Unit};
use crate::errors::ApiError;
use crate::pages::chart;
use crate::pages::frame::{FieldErrors, described, error_summary, field, respond};
use crate::pages::session::{PageError, PageUser};
use crate::pages::text::Reports;
use crate::state::AppState;
use crate::store::access::{SiteAccess, site_access};

/// The reports, in the order of the list page and of `Reports::names`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Report {
    Rooms,
    Computers,
    FrontDesk,
    Volunteers,
    Summary,
}

const ALL: [Report; 5] = [
    Report::Rooms,
    Report::Computers,
    Report::FrontDesk,
    Report::Volunteers,
    Report::Summary,
];

impl Report {
    fn slug(self) -> &'static str {
        match self {
            Report::Rooms => "rooms",
            Report::Computers => "computers",
            Report::FrontDesk => "front-desk",
            Report::Volunteers => "volunteers",
            Report::Summary => "summary",
        }
    }

    fn of(slug: &str) -> Option<Report> {
        ALL.into_iter().find(|r| r.slug() == slug)
    }

    fn index(self) -> usize {
        ALL.iter().position(|r| *r == self).unwrap_or(0)
    }

    fn name(self, r: &Reports) -> &'static str {
        r.names[self.index()]
    }
}

/// What a report page shows: its tables (each with the report it is, for
/// its heading, when a page shows several) and its lists in words.
pub struct Figures {
    tables: Vec<(Option<usize>, Table)>,
    lists: Vec<(&'static str, Vec<String>)>,
}

/// The report's figures over `period` (always some: the `Option` leaves
/// room for a report a build does not have).
fn figures(
    conn: &mut DbConn,
    access: &SiteAccess,
    report: Report,
    period: DatePeriod,
    now: DateTime<Utc>,
    r: &Reports,
) -> Result<Option<Figures>, ApiError> {
    match report {
        Report::Rooms => rooms::figures(conn, access, period, now, r).map(Some),
        Report::Computers => computers::figures(conn, access, period, now, r).map(Some),
        Report::FrontDesk => front_desk::figures(conn, access, period, now, r).map(Some),
        Report::Volunteers => volunteers::figures(conn, access, period, now, r).map(Some),
        Report::Summary => summary::figures(conn, access, period, now, r).map(Some),
    }
}

fn one_day(day: NaiveDate) -> DatePeriod {
    DatePeriod::new(day, day).expect("a day is a period")
}

/// One look at a report: the site, its dates, and what was found.
struct Look {
    site_name: String,
    today: NaiveDate,
    from: NaiveDate,
    to: NaiveDate,
    errors: FieldErrors,
    figures: Option<Figures>,
}

async fn look(
    state: &web::Data<AppState>,
    user: &PageUser,
    slug: &str,
    report: Report,
    f: &PeriodForm,
) -> Result<Look, PageError> {
    let (caller, site, now, f) = (user.clone(), slug.to_owned(), clock::now(), f.clone());
    let r = &user.text().reports;
    state
        .db
        .read(move |conn| {
            let access = site_access(conn, &site, &caller)?;
            let today = local_date(access.site.tz(), now);
            let mut errors = FieldErrors::new();
            let (from, to, period) = period::read(&f, today, now, r, &mut errors);
            // Who may read a report is the workflow's to say, so it is
            // asked even when the dates are wrong (over today alone, the
            // figures unused): a wrong period must not show the
            // secretary's form to someone who may not read it.
            let asked = period.unwrap_or_else(|| one_day(today));
            let found = figures(conn, &access, report, asked, now, r)?
                .ok_or_else(|| ApiError::not_found("report"))?;
            let figures = period.map(|_| found);
            Ok(Look {
                site_name: access.site.name.clone(),
                today,
                from,
                to,
                errors,
                figures,
            })
        })
        .await
        .map_err(fail(user))
}

/// The list of reports, a sentence each.
#[get("/s/{site}/console/reports")]
pub async fn list(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let slug = path.into_inner();
    let (caller, site) = (user.clone(), slug.clone());
    let now = clock::now();
    state
        .db
        .read(move |conn| {
            let access = site_access(conn, &site, &caller)?;
            // The workflow says who may read reports (see `look`).
            let today = local_date(access.site.tz(), now);
            figures(
                conn,
                &access,
                Report::Rooms,
                one_day(today),
                now,
                &caller.text().reports,
            )
            .map(|_| ())
        })
        .await
        .map_err(fail(&user))?;
    let r = &user.text().reports;
    let body = html! {
        h1 { (r.title) }
        p { (r.intro) }
        ul.plain.cards {
            @for report in ALL {
                li.card {
                    h2 { a href=(format!("/s/{slug}/console/reports/{}", report.slug())) { (report.name(r)) } }
                    p { (r.sentences[report.index()]) }
                }
            }
        }
    };
    Ok(respond(
        StatusCode::OK,
        page(&user, &slug, "reports", r.title, body),
    ))
}

/// A report for a period: the form, then each table's chart and the table,
/// the report's lists, the CSV link. Wrong dates: 422, said at the fields.
#[get("/s/{site}/console/reports/{name:[a-z-]+}")]
pub async fn show(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<(String, String)>,
    q: web::Query<PeriodForm>,
) -> Result<HttpResponse, PageError> {
    let (slug, name) = path.into_inner();
    let report =
        Report::of(&name).ok_or_else(|| PageError::Api(user.language, ApiError::not_found("report")))?;
    report_page(&state, &user, &slug, report, &q.into_inner()).await
}

async fn report_page(
    state: &web::Data<AppState>,
    user: &PageUser,
    slug: &str,
    report: Report,
    f: &PeriodForm,
) -> Result<HttpResponse, PageError> {
    let look = look(state, user, slug, report, f).await?;
    let r = &user.text().reports;
    let name = report.name(r);
    let body = html! {
        h1 { (name) }
        p.report-meta {
            (r.site) "：" (look.site_name) " · " (r.period) "：" (look.from) " – " (look.to)
            span.print-only { " · " (r.printed) "：" (look.today) }
        }
        (form(r, slug, report, f, &look))
        @if let Some(figures) = &look.figures {
            // Not boosted: htmx would fetch the file into the page
            // instead of letting the browser save it.
            p.report-actions {
                a.button.secondary href=(format!("/s/{slug}/console/reports/{}.csv?from={}&to={}", report.slug(), look.from, look.to)) download hx-boost="false" {
                    (r.csv)
                }
            }
            p.print-note { (r.print) }
            @for (part, table) in &figures.tables {
                (section(r, part.map_or(name, |i| r.names[i]), part.is_some(), table))
            }
            @for (heading, items) in &figures.lists {
                section.report-list {
                    h2 { (heading) }
                    @if items.is_empty() {
                        p { (r.nothing_listed) }
                    } @else {
                        ul { @for item in items { li { (item) } } }
                    }
                }
            }
        }
    };
    let status = if look.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(respond(status, page(user, slug, "reports", name, body)))
}

fn form(r: &Reports, slug: &str, report: Report, f: &PeriodForm, look: &Look) -> Markup {
    let errors = &look.errors;
    // What she typed stays in a field she must correct.
    let typed = |v: &str, d: NaiveDate, name: &str| {
        if errors.iter().any(|(e, _)| *e == name) {
            v.to_owned()
        } else {
            d.to_string()
        }
    };
    let here = format!("/s/{slug}/console/reports/{}", report.slug());
    html! {
        (error_summary(r.fix_these, errors))
        form.stack.report-period method="get" action=(here) novalidate {
            fieldset {
                legend { (r.period) }
                (field(errors, "from", r.from, html! {
                    input #from type="date" name="from" value=(typed(&f.from, look.from, "from")) aria-describedby=[described(errors, "from")] aria-invalid=[described(errors, "from").map(|_| "true")];
                }))
                (field(errors, "to", r.to, html! {
                    input #to type="date" name="to" value=(typed(&f.to, look.to, "to")) aria-describedby=[described(errors, "to")] aria-invalid=[described(errors, "to").map(|_| "true")];
                }))
            }
            button type="submit" { (r.show) }
        }
        p.report-quick {
            (r.quick)
            @for (words, from, to) in period::quick(look.today, r) {
                a href=(format!("{here}?from={from}&to={to}")) { (words) }
                " "
            }
        }
    }
}

/// Rows past which a chart counts as long (for print).
const LONG_CHART: usize = 8;

/// The table as the page shows it: the summary's measures (keys in its
/// CSV, the API's) said in words; other tables as they are.
fn in_words(r: &Reports, table: &Table) -> Table {
    let mut shown = table.clone();
    if table.key == "summary" {
        for row in &mut shown.rows {
            if let Some(Cell::Text(key)) = row.first_mut()
                && let Some(words) = r.word(key)
            {
                *key = words.to_owned();
            }
        }
    }
    shown
}

/// A table's chart and the table itself.
fn section(r: &Reports, name: &str, titled: bool, table: &Table) -> Markup {
    html! {
        section.report-part.part[titled] {
            @if titled { h2 { (name) } }
            @if table.rows.is_empty() {
                p { (r.no_rows) }
            } @else {
                // A long chart prints narrower, so that it and its table
                // fit two A4 pages with the labels still readable.
                div.chart-box.long[table.rows.len() > LONG_CHART] { (chart::bars(&in_words(r, table), &format!("{}{name}", r.chart_of))) }
            }
            (table_markup(r, name, &in_words(r, table)))
        }
    }
}

fn cell(unit: Unit) -> &'static str {
    if unit == Unit::Text { "text" } else { "num" }
}

fn table_markup(r: &Reports, name: &str, table: &Table) -> Markup {
    let titles: Vec<&str> = table.columns.iter().map(|c| r.column(c.key)).collect();
    html! {
        div.table-box {
            table.report data-report=(table.key) {
                caption { (r.table_of) (name) }
                thead {
                    tr { @for (t, c) in titles.iter().zip(&table.columns) { th scope="col" class=(cell(c.unit)) { (t) } } }
                }
                tbody {
                    @for row in &table.rows {
                        tr {
                            @for (i, (shown, c)) in table.shown(row).iter().zip(&table.columns).enumerate() {
                                @if i == 0 {
                                    th scope="row" class=(cell(c.unit)) data-label=(titles[i]) { (shown) }
                                } @else {
                                    td class=(cell(c.unit)) data-label=(titles[i]) { (shown) }
                                }
                            }
                        }
                    }
                }
                @if let Some(totals) = &table.totals {
                    tfoot {
                        tr.totals {
                            @for (i, (shown, c)) in table.shown(totals).iter().zip(&table.columns).enumerate() {
                                @if i == 0 {
                                    // The CSV's label is a key ("total");
                                    // the page says it in words.
                                    th scope="row" class=(cell(c.unit)) data-label=(titles[i]) {
                                        @if matches!(totals.first(), Some(Cell::Text(_))) { (r.totals) } @else { (shown) }
                                    }
                                } @else {
                                    td class=(cell(c.unit)) data-label=(titles[i]) { (shown) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A report's first table as CSV (the API's, by construction: both are
/// `Table::csv`), named `{key}-{from}-{to}.csv`; wrong dates get the page.
#[get("/s/{site}/console/reports/{name:[a-z-]+}.csv")]
pub async fn csv(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<(String, String)>,
    q: web::Query<PeriodForm>,
) -> Result<HttpResponse, PageError> {
    let (slug, name) = path.into_inner();
    let report =
        Report::of(&name).ok_or_else(|| PageError::Api(user.language, ApiError::not_found("report")))?;
    let f = q.into_inner();
    let look = look(&state, &user, &slug, report, &f).await?;
    let Some(table) = look
        .figures
        .and_then(|mut f| (!f.tables.is_empty()).then(|| f.tables.swap_remove(0).1))
    else {
        return report_page(&state, &user, &slug, report, &f).await;
    };
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            format!(
                "attachment; filename=\"{}-{}-{}.csv\"",
                table.key, look.from, look.to
            ),
        ))
        .body(table.csv()))
}
