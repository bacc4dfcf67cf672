//! 审批: the queue of bookings waiting for approval, each with approve, or
//! not approve with a reason the requester is told. The same workflow as
//! the API's `bookings/{id}/approve` and `.../reject`.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use maud::{Markup, html};
use serde::Deserialize;

use super::{fail, page};
use crate::clock;
use crate::errors::ProblemType;
use crate::pages::frame::{respond, see_other};
use crate::pages::session::{PageError, PageUser};
use crate::state::AppState;
use crate::store::access::site_access;
use crate::words::Words;
use crate::workflows::approvals::{self, QUEUE_LIMIT, WaitingRequest};
use crate::workflows::bookings::{MAX_REJECT_REASON_CHARS, approve_or_reject};

#[derive(Deserialize)]
pub struct Done {
    done: Option<String>,
}

/// A refused decision shown next to its request: which one, what was
/// written, and what is wrong with it.
struct Refusal {
    id: i64,
    reason: String,
    message: String,
}

fn one(user: &PageUser, slug: &str, tz: Tz, w: &WaitingRequest, refusal: Option<&Refusal>) -> Markup {
    let c = &user.text().console;
    let b = &w.booking;
    let when = Words::new(user.language).range(tz, b.starts_at.and_utc(), b.ends_at.and_utc());
    let action = format!("/s/{slug}/console/approvals/{}", b.id);
    let field = format!("reason-{}", b.id);
    let problem = refusal.filter(|r| r.id == b.id);
    html! {
        li.card {
            h2.booking-title { (w.resource) " · " (when) }
            p { (b.purpose) }
            p { (c.requested_by) (w.owner) }
            @if let Some(g) = &w.group { p { (c.group) (g) } }
            @if let Some(n) = b.headcount { p { (c.headcount) (n) } }
            // A full page load, not an htmx swap: swapping this list while
            // another request stayed on it made Chromium report an inline
            // style against the CSP (not yet understood).
            form method="post" action=(action) hx-boost="false" {
                input type="hidden" name="csrf" value=(user.csrf);
                button type="submit" name="decision" value="approve" { (c.approve) }
            }
            // A full page load, not an htmx swap: swapping this list while
            // another request stayed on it made Chromium report an inline
            // style against the CSP (not yet understood).
            form method="post" action=(action) hx-boost="false" {
                input type="hidden" name="csrf" value=(user.csrf);
                label for=(field) { (c.reject_reason) }
                @if let Some(p) = problem {
                    p.error id=(format!("{field}-error")) { (p.message) }
                    textarea id=(field) name="reason" rows="3" maxlength=(MAX_REJECT_REASON_CHARS)
                        aria-invalid="true" aria-describedby=(format!("{field}-error")) { (p.reason) }
                } @else {
                    textarea id=(field) name="reason" rows="3" maxlength=(MAX_REJECT_REASON_CHARS)
                        placeholder=(c.reject_reason_hint) {}
                }
                button.secondary type="submit" name="decision" value="reject" { (c.reject) }
            }
        }
    }
}

async fn queue_page(
    state: &web::Data<AppState>,
    user: &PageUser,
    slug: &str,
    done: Option<&str>,
    refusal: Option<Refusal>,
) -> Result<HttpResponse, PageError> {
    let (caller, site, now) = (user.clone(), slug.to_owned(), clock::now());
    let (tz, queue) = state
        .db
        .read(move |conn| {
            let access = site_access(conn, &site, &caller)?;
            Ok((access.site.tz(), approvals::queue(conn, &access, now)?))
        })
        .await
        .map_err(fail(user))?;
    let c = &user.text().console;
    let done = match done {
        Some("approved") => Some(c.approved_done),
        Some("rejected") => Some(c.rejected_done),
        _ => None,
    };
    let status = if refusal.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let body = html! {
        h1 { (c.approvals) }
        @if let Some(d) = done { p.notice role="status" { (d) } }
        p { (c.approvals_intro) }
        @if queue.is_empty() {
            p { (c.none_waiting) }
        } @else {
            ul.plain.approvals {
                @for w in &queue { (one(user, slug, tz, w, refusal.as_ref())) }
            }
            @if queue.len() as i64 >= QUEUE_LIMIT { p.notice { (c.more_waiting) } }
        }
    };
    Ok(respond(status, page(user, slug, "approvals", c.approvals, body)))
}

#[get("/s/{site}/console/approvals")]
pub async fn list(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<String>,
    q: web::Query<Done>,
) -> Result<HttpResponse, PageError> {
    let slug = path.into_inner();
    queue_page(&state, &user, &slug, q.done.as_deref(), None).await
}

#[derive(Deserialize)]
pub struct Decision {
    #[serde(default)]
    csrf: String,
    decision: String,
    reason: Option<String>,
}

/// Approves, or does not approve with the reason given; a reason the
/// workflow refuses (too long) comes back next to its field, as written.
#[post("/s/{site}/console/approvals/{id}")]
pub async fn decide(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<(String, i64)>,
    f: web::Form<Decision>,
) -> Result<HttpResponse, PageError> {
    user.check(&f.csrf)?;
    let (slug, id) = path.into_inner();
    let f = f.into_inner();
    let approve = match f.decision.as_str() {
        "approve" => true,
        "reject" => false,
        _ => {
            return Err(PageError::Api(
                user.language,
                crate::errors::ApiError::invalid("decision", "must be approve or reject"),
            ));
        }
    };
    let reason = if approve { None } else { f.reason.clone() };
    let (caller, site, now, notifier): (_, _, DateTime<Utc>, _) =
        (user.clone(), slug.clone(), clock::now(), state.notifier.clone());
    let decided = state
        .db
        .write(move |conn| {
            let access = site_access(conn, &site, &caller)?;
            approve_or_reject(conn, &access, id, approve, reason.as_deref(), &notifier, now).map(|_| ())
        })
        .await;
    match decided {
        Ok(()) => Ok(see_other(&format!(
            "/s/{slug}/console/approvals?done={}",
            if approve { "approved" } else { "rejected" }
        ))),
        Err(e) if e.kind() == ProblemType::Validation => {
            let refusal = Refusal {
                id,
                reason: f.reason.unwrap_or_default(),
                message: user.text().console.reason_invalid.to_owned(),
            };
            queue_page(&state, &user, &slug, None, Some(refusal)).await
        }
        Err(e) => Err(fail(&user)(e)),
    }
}
