//! 各居委会汇总: the quarter summary of every site of the deployment on one
//! page, for an operator or a district observer (issue 22, report 5). The
//! figures are `workflows::reports::summary::across_sites`, the very table
//! of `GET /api/v1/reports/summary`; its CSV is that table's.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, web};
use chrono::NaiveDate;
use maud::html;

use super::period::{self, PeriodForm};
use super::section;
use crate::clock;
use crate::domain::local_time::local_date;
use crate::domain::policy::Caller;
use crate::domain::report::Table;
use crate::errors::ApiError;
use crate::pages::frame::{FieldErrors, Nav, described, error_summary, field, layout, respond};
use crate::pages::session::{PageError, PageUser};
use crate::state::AppState;
use crate::workflows::reports::summary;

/// What one look found: the dates (as the sites' own, when not typed) and
/// the table across sites, or what is wrong with the dates.
struct Look {
    today: NaiveDate,
    from: NaiveDate,
    to: NaiveDate,
    errors: FieldErrors,
    table: Option<Table>,
}

async fn look(state: &web::Data<AppState>, user: &PageUser, f: &PeriodForm) -> Result<Look, PageError> {
    let (caller, now, f) = (Caller::from(user), clock::now(), f.clone());
    let r = &user.text().reports;
    // The dates as the form shows them: typed ones are the same for every
    // site; left empty, each site's last 30 days end on its own today.
    let today = now.date_naive();
    let mut errors = FieldErrors::new();
    let (from, to, asked) = period::read(&f, today, now, r, &mut errors);
    let table = state
        .db
        .read(move |conn| {
            // Asked even when the dates are wrong (over one day, unused):
            // who may read every site is the workflow's to say.
            let rows = summary::across_sites(
                conn,
                caller,
                |tz| {
                    let today = local_date(tz, now);
                    let (_, _, p) = period::read(&f, today, now, r, &mut FieldErrors::new());
                    Ok(p.or(asked).unwrap_or_else(|| super::one_day(today)))
                },
                now,
            )?;
            Ok(summary::sites_table(&rows))
        })
        .await
        .map_err(|e: ApiError| PageError::Api(user.language, e))?;
    let table = errors.is_empty().then_some(table);
    Ok(Look {
        today,
        from,
        to,
        errors,
        table,
    })
}

/// The table across sites for a period, its chart, and its CSV.
#[get("/district")]
pub async fn show(
    state: web::Data<AppState>,
    user: PageUser,
    q: web::Query<PeriodForm>,
) -> Result<HttpResponse, PageError> {
    let f = q.into_inner();
    let look = look(&state, &user, &f).await?;
    Ok(render(&user, &f, &look))
}

fn render(user: &PageUser, f: &PeriodForm, look: &Look) -> HttpResponse {
    let r = &user.text().reports;
    let errors = &look.errors;
    let typed = |v: &str, d: NaiveDate, name: &str| {
        if errors.iter().any(|(e, _)| *e == name) {
            v.to_owned()
        } else {
            d.to_string()
        }
    };
    let body = html! {
        h1 { (r.across_sites) }
        p { (r.across_sites_intro) }
        p.report-meta {
            (r.period) "：" (look.from) " – " (look.to)
            span.print-only { " · " (r.printed) "：" (look.today) }
        }
        (error_summary(r.fix_these, errors))
        form.stack.report-period method="get" action="/district" novalidate {
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
        @if let Some(table) = &look.table {
            p.report-actions {
                a.button.secondary href=(format!("/district.csv?from={}&to={}", look.from, look.to)) download hx-boost="false" {
                    (r.csv)
                }
            }
            p.print-note { (r.print) }
            (section(r, r.across_sites, false, table))
        }
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    respond(
        status,
        layout(user.text(), r.across_sites, &Nav::of(user, None), body),
    )
}

/// The table across sites as CSV (the API's, `Table::csv`), named
/// `summary_sites-{from}-{to}.csv`; wrong dates get the page.
#[get("/district.csv")]
pub async fn csv(
    state: web::Data<AppState>,
    user: PageUser,
    q: web::Query<PeriodForm>,
) -> Result<HttpResponse, PageError> {
    let f = q.into_inner();
    let look = look(&state, &user, &f).await?;
    let Some(table) = &look.table else {
        return Ok(render(&user, &f, &look));
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
