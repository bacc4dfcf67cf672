//! A resource's closures (停用时段): the upcoming ones, adding one in site
//! time with a reason, and deleting one. A closure over bookings is not
//! made at once: the page names those bookings (who, when) and offers the
//! API's two ways, cancel them telling their owners the reason
//! (`cancel_bookings`), or go back. `workflows::resources::close` is
//! `add_blackout` answering with names instead of a refusal.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use chrono::NaiveDateTime;
use chrono_tz::Tz;
use maud::{Markup, html};
use serde::Deserialize;

use super::resources::words;
use super::{fail, page};
use crate::clock;
use crate::domain::invalid::text;
use crate::domain::local_time::resolve_lenient;
use crate::domain::period::{Period, PeriodOf};
use crate::pages::frame::{FieldErrors, described, error_summary, field, respond, see_other};
use crate::pages::session::{PageError, PageUser};
use crate::pages::text::ResourcesText;
use crate::state::AppState;
use crate::store::access::site_access;
use crate::words::Words;
use crate::workflows::resources::{self as flow, Closed, Closing, Covered, NamedCovered, ResourceSetup};

const HERE: &str = "resources";

/// The closure form as sent.
#[derive(Deserialize, Default, Clone)]
pub struct BlackoutForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    starts_at: String,
    #[serde(default)]
    ends_at: String,
    #[serde(default)]
    reason: String,
    /// `cancel` once the admin has chosen to cancel the bookings covered.
    #[serde(default)]
    covered: String,
}

/// A `datetime-local` value ("2026-12-10T09:00"), or as typed with a space.
fn local(value: &str) -> Option<NaiveDateTime> {
    let v = value.trim().replace(' ', "T");
    ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(&v, f).ok())
}

/// The closure asked for in local wall time, or what is wrong.
fn read(t: &ResourcesText, f: &BlackoutForm) -> Result<(NaiveDateTime, NaiveDateTime, String), FieldErrors> {
    let mut errors: FieldErrors = Vec::new();
    let starts = local(&f.starts_at);
    if starts.is_none() {
        errors.push(("starts_at", t.err_datetime));
    }
    let ends = local(&f.ends_at);
    if ends.is_none() {
        errors.push(("ends_at", t.err_datetime));
    }
    let reason = text("reason", &f.reason, 200).ok();
    if reason.is_none() {
        errors.push(("reason", t.err_reason));
    }
    match (starts, ends, reason) {
        (Some(s), Some(e), Some(r)) => Ok((s, e, r)),
        _ => Err(errors),
    }
}

async fn setup_in(
    state: &web::Data<AppState>,
    user: &PageUser,
    slug: &str,
    id: i64,
) -> Result<(Tz, ResourceSetup), PageError> {
    let (caller, site, now) = (user.clone(), slug.to_owned(), clock::now());
    state
        .db
        .read(move |conn| {
            let access = site_access(conn, &site, &caller)?;
            Ok((access.site.tz(), flow::for_setup(conn, &access, id, now)?))
        })
        .await
        .map_err(fail(user))
}

fn datetime(errors: &FieldErrors, name: &'static str, label: &str, value: &str) -> Markup {
    let describe = match described(errors, name) {
        Some(e) => format!("{e} when-hint"),
        None => "when-hint".to_owned(),
    };
    field(
        errors,
        name,
        label,
        html! {
            input id=(name) type="datetime-local" name=(name) value=(value)
                aria-invalid=[described(errors, name).map(|_| "true")] aria-describedby=(describe);
        },
    )
}

fn add_form(
    user: &PageUser,
    t: &ResourcesText,
    action: &str,
    f: &BlackoutForm,
    errors: &FieldErrors,
) -> Markup {
    html! {
        h2 #add { (t.add_blackout_heading) }
        (error_summary(user.text().console.fix_these, errors))
        form.stack.resource-form method="post" action=(action) novalidate {
            input type="hidden" name="csrf" value=(user.csrf);
            p.hint id="when-hint" { (t.datetime_hint) }
            (datetime(errors, "starts_at", t.starts, &f.starts_at))
            (datetime(errors, "ends_at", t.ends, &f.ends_at))
            (field(errors, "reason", t.reason, html! {
                p.hint id="reason-hint" { (t.reason_hint) }
                input #reason type="text" name="reason" value=(f.reason)
                    aria-invalid=[described(errors, "reason").map(|_| "true")]
                    aria-describedby=(match described(errors, "reason") { Some(e) => format!("{e} reason-hint"), None => "reason-hint".to_owned() });
            }))
            button type="submit" { (t.add_blackout) }
        }
    }
}

#[derive(Deserialize)]
pub struct Done {
    done: Option<String>,
    n: Option<usize>,
}

fn blackouts_page(
    user: &PageUser,
    slug: &str,
    tz: Tz,
    s: &ResourceSetup,
    notice: Option<Markup>,
    f: &BlackoutForm,
    errors: &FieldErrors,
) -> HttpResponse {
    let t = words(user);
    let w = Words::new(user.language);
    let base = format!("/s/{slug}/console/resources/{}", s.resource.id);
    let title = format!("{} · {}", s.resource.name, t.blackouts_title);
    let body = html! {
        p { a href=(format!("/s/{slug}/console/resources")) { "‹ " (t.back_to_list) } }
        h1 { (title) }
        @if let Some(n) = notice { (n) }
        p { (t.blackouts_intro) }
        @if s.blackouts.is_empty() { p { (t.none_upcoming) } }
        ul.plain {
            @for b in &s.blackouts {
                li.card {
                    p { strong { (w.range(tz, b.starts_at.and_utc(), b.ends_at.and_utc())) } }
                    p { (b.reason) }
                    form method="post" action=(format!("{base}/blackouts/{}/delete", b.id)) {
                        input type="hidden" name="csrf" value=(user.csrf);
                        button.secondary type="submit" aria-label=(format!("{} {}", t.delete_blackout, w.range(tz, b.starts_at.and_utc(), b.ends_at.and_utc()))) { (t.delete_blackout) }
                    }
                }
            }
        }
        (add_form(user, t, &format!("{base}/blackouts"), f, errors))
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    respond(status, page(user, slug, HERE, &title, body))
}

#[get("/s/{site}/console/resources/{id}/blackouts")]
pub async fn list(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<(String, i64)>,
    q: web::Query<Done>,
) -> Result<HttpResponse, PageError> {
    let (slug, id) = path.into_inner();
    let (tz, s) = setup_in(&state, &user, &slug, id).await?;
    let t = words(&user);
    let notice = match q.done.as_deref() {
        Some("added") => Some(html! { p.notice role="status" { (t.blackout_added) } }),
        Some("cancelled") => Some(html! {
            p.notice role="status" { (t.blackout_cancelled_before) (q.n.unwrap_or(0)) (t.blackout_cancelled_after) }
        }),
        Some("deleted") => Some(html! { p.notice role="status" { (t.blackout_deleted) } }),
        _ => None,
    };
    Ok(blackouts_page(
        &user,
        &slug,
        tz,
        &s,
        notice,
        &BlackoutForm::default(),
        &Vec::new(),
    ))
}

/// The bookings a closure would cover and the two ways on.
fn covered_page(
    user: &PageUser,
    slug: &str,
    id: i64,
    tz: Tz,
    f: &BlackoutForm,
    covered: &[NamedCovered],
) -> HttpResponse {
    let t = words(user);
    let w = Words::new(user.language);
    let base = format!("/s/{slug}/console/resources/{id}");
    let body = html! {
        h1 { (t.covered_title) }
        p { (t.covered_intro) }
        ul.plain {
            @for c in covered {
                li.card {
                    p { strong { (c.owner) } }
                    p { (w.range(tz, c.booking.starts_at.and_utc(), c.booking.ends_at.and_utc())) }
                }
            }
        }
        p { (t.covered_choice) }
        form method="post" action=(format!("{base}/blackouts")) {
            input type="hidden" name="csrf" value=(user.csrf);
            input type="hidden" name="starts_at" value=(f.starts_at);
            input type="hidden" name="ends_at" value=(f.ends_at);
            input type="hidden" name="reason" value=(f.reason);
            input type="hidden" name="covered" value="cancel";
            button.danger type="submit" { (t.cancel_them) }
        }
        p { a.button.secondary href=(format!("{base}/blackouts")) { (t.go_back) } }
    };
    respond(StatusCode::OK, page(user, slug, HERE, t.covered_title, body))
}

#[post("/s/{site}/console/resources/{id}/blackouts")]
pub async fn add(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<(String, i64)>,
    f: web::Form<BlackoutForm>,
) -> Result<HttpResponse, PageError> {
    user.check(&f.csrf)?;
    let (slug, id) = path.into_inner();
    let f = f.into_inner();
    let t = words(&user);
    let (starts, ends, reason) = match read(t, &f) {
        Ok(asked) => asked,
        Err(errors) => {
            let (tz, s) = setup_in(&state, &user, &slug, id).await?;
            return Ok(blackouts_page(&user, &slug, tz, &s, None, &f, &errors));
        }
    };
    let covered = if f.covered == "cancel" {
        Covered::Cancel
    } else {
        Covered::Refuse
    };
    let (caller, site, notifier, now) = (user.clone(), slug.clone(), state.notifier.clone(), clock::now());
    let closed = state
        .db
        .write(move |conn| {
            let access = site_access(conn, &site, &caller)?;
            let tz = access.site.tz();
            let period = Period::new(
                PeriodOf::Blackout,
                resolve_lenient(tz, starts),
                resolve_lenient(tz, ends),
            )?;
            let closing = Closing {
                period,
                reason: &reason,
                covered,
            };
            Ok((tz, flow::close(conn, &access, id, closing, &notifier, now)?))
        })
        .await;
    match closed {
        Ok((_, Closed::Made(_, cancelled))) if cancelled.is_empty() => Ok(see_other(&format!(
            "/s/{slug}/console/resources/{id}/blackouts?done=added"
        ))),
        Ok((_, Closed::Made(_, cancelled))) => Ok(see_other(&format!(
            "/s/{slug}/console/resources/{id}/blackouts?done=cancelled&n={}",
            cancelled.len()
        ))),
        Ok((tz, Closed::Covers(covered))) => Ok(covered_page(&user, &slug, id, tz, &f, &covered)),
        Err(e)
            if e.fields()
                .iter()
                .any(|b| b.field == "ends_at" || b.field == "starts_at") =>
        {
            let (tz, s) = setup_in(&state, &user, &slug, id).await?;
            let errors: FieldErrors = vec![("ends_at", t.err_blackout_end)];
            Ok(blackouts_page(&user, &slug, tz, &s, None, &f, &errors))
        }
        Err(e) => Err(fail(&user)(e)),
    }
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

#[post("/s/{site}/console/resources/{id}/blackouts/{blackout}/delete")]
pub async fn delete(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<(String, i64, i64)>,
    f: web::Form<CsrfOnly>,
) -> Result<HttpResponse, PageError> {
    user.check(&f.csrf)?;
    let (slug, id, blackout) = path.into_inner();
    let (caller, site) = (user.clone(), slug.clone());
    state
        .db
        .write(move |conn| {
            let access = site_access(conn, &site, &caller)?;
            flow::remove_blackout(conn, &access, id, blackout)
        })
        .await
        .map_err(fail(&user))?;
    Ok(see_other(&format!(
        "/s/{slug}/console/resources/{id}/blackouts?done=deleted"
    )))
}
