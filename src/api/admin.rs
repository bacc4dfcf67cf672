//! `/api/v1/admin/*`: deployment operations for operators.

use actix_web::{HttpResponse, get, post, put, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::views::utc;
use crate::auth::AuthUser;
use crate::clock;
use crate::errors::ApiError;
use crate::state::AppState;
use crate::store::outbox::{self, OutboxRow};
use crate::store::pagination::{Page, PageQuery};
use crate::workflows;

#[derive(Serialize, utoipa::ToSchema)]
pub struct OutboxView {
    pub id: i64,
    pub kind: String,
    pub to_address: String,
    pub subject: String,
    pub message_id: String,
    /// `pending`, `sent` or `dead` (gave up after the last attempt).
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    /// The site's robot or webhook it goes to (`to_address` is then the
    /// channel's name); absent for mail.
    pub channel_id: Option<i64>,
}

fn view(r: OutboxRow) -> OutboxView {
    OutboxView {
        id: r.id,
        kind: r.kind,
        to_address: r.to_address,
        subject: r.subject,
        message_id: r.message_id,
        status: r.status,
        attempts: r.attempts,
        next_attempt_at: utc(r.next_attempt_at),
        last_error: r.last_error,
        created_at: utc(r.created_at),
        sent_at: r.sent_at.map(utc),
        channel_id: r.channel_id,
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct OutboxQuery {
    /// `pending`, `sent` or `dead`.
    pub status: Option<String>,
    pub limit: Option<i64>,
    pub after: Option<String>,
}

/// Lists outgoing mail (operators), e.g. `?status=dead` for what gave up.
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    params(OutboxQuery),
    responses((status = 200, body = Page<OutboxView>), (status = 403, content_type = "application/problem+json"))
)]
#[get("/api/v1/admin/outbox")]
pub async fn list_outbox(
    state: web::Data<AppState>,
    user: AuthUser,
    query: crate::api::query::ApiQuery<OutboxQuery>,
) -> Result<HttpResponse, ApiError> {
    user.require_operator()?;
    let q = query.into_inner();
    if let Some(s) = &q.status
        && !["pending", "sent", "dead"].contains(&s.as_str())
    {
        return Err(ApiError::invalid("status", "must be pending, sent or dead"));
    }
    let page = PageQuery {
        limit: q.limit,
        after: q.after,
    }
    .parse()?;
    let rows = state
        .db
        .read(move |conn| outbox::list(conn, q.status.as_deref(), page.after_id, page.limit + 1))
        .await?;
    let page = Page::from_rows(rows, page.limit, |r| r.id);
    Ok(HttpResponse::Ok().json(Page {
        items: page.items.into_iter().map(view).collect::<Vec<_>>(),
        next: page.next,
    }))
}

/// Puts a message back in the queue, due now, with its attempts reset.
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses(
        (status = 200, body = OutboxView),
        (status = 404, content_type = "application/problem+json"),
        (status = 409, description = "Already sent", content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/admin/outbox/{id}/retry")]
pub async fn retry_outbox(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    user.require_operator()?;
    let id = path.into_inner();
    let now = clock::now_naive();
    let row = state
        .db
        .write(move |conn| workflows::outbox::retry(conn, id, now))
        .await?;
    Ok(HttpResponse::Ok().json(view(row)))
}

/// Whether an account is a district observer.
#[derive(Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ObserverBody {
    /// `true`: the account reads every site's reports and boards and
    /// changes nothing; `false`: an ordinary account again.
    pub observer: bool,
}

/// An account's district-observer flag, as stored.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ObserverView {
    pub id: i64,
    pub name: String,
    pub observer: bool,
}

/// Makes an account a district observer (a read-only role spanning every
/// site: the sub-district office), or an ordinary account again (operators).
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    request_body = ObserverBody,
    responses(
        (status = 200, body = ObserverView),
        (status = 403, content_type = "application/problem+json"),
        (status = 404, content_type = "application/problem+json"),
        (status = 422, content_type = "application/problem+json"),
    )
)]
#[put("/api/v1/admin/users/{id}/observer")]
pub async fn set_observer(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<i64>,
    body: crate::api::json::ApiJson<ObserverBody>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let observer = body.into_inner().observer;
    let caller = crate::domain::policy::Caller::from(&user);
    let account = state
        .db
        .write(move |conn| workflows::accounts::set_observer(conn, caller, id, observer))
        .await?;
    Ok(HttpResponse::Ok().json(ObserverView {
        id: account.id,
        name: account.name,
        observer: account.is_observer,
    }))
}
