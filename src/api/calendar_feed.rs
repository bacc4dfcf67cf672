//! Personal calendar feeds: `POST`/`DELETE /api/v1/me/calendar-feed` make
//! and revoke the caller's secret link, and `GET /api/v1/calendar/{token}.ics`
//! serves one person's desk shifts, bookings and duties by it.

use actix_web::{HttpResponse, delete, get, post, web};
use serde::Serialize;

use super::views::calendar_response;
use crate::auth::AuthUser;
use crate::clock;
use crate::errors::ApiError;
use crate::mail::ics::{self, CalendarEvent};
use crate::state::AppState;
use crate::workflows::calendar_feed::{self as flow, FeedEntry};

#[derive(Serialize, utoipa::ToSchema)]
pub struct FeedLink {
    /// Subscribe to this URL in a calendar app; keep it secret.
    pub url: String,
}

/// Creates (or replaces) the caller's personal calendar feed link. The old
/// link stops working.
#[utoipa::path(tag = "rota", security(("bearer" = [])), responses((status = 201, body = FeedLink)))]
#[post("/api/v1/me/calendar-feed")]
pub async fn create_feed(state: web::Data<AppState>, user: AuthUser) -> Result<HttpResponse, ApiError> {
    let now = clock::now_naive();
    let id = user.id;
    let token = state
        .db
        .write(move |conn| flow::create_link(conn, id, now))
        .await?;
    Ok(HttpResponse::Created().json(FeedLink {
        url: flow::url(&state.notifier.public_url, &token),
    }))
}

/// Revokes the caller's personal calendar feed link.
#[utoipa::path(tag = "rota", security(("bearer" = [])), responses((status = 204)))]
#[delete("/api/v1/me/calendar-feed")]
pub async fn revoke_feed(state: web::Data<AppState>, user: AuthUser) -> Result<HttpResponse, ApiError> {
    let now = clock::now_naive();
    let id = user.id;
    state.db.write(move |conn| flow::revoke(conn, id, now)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A feed entry as an event; the uids stay the same from one fetch to the
/// next so calendar apps update events instead of adding them again.
fn feed_event(entry: FeedEntry, user_id: i64, host: &str) -> CalendarEvent {
    let (uid, summary, location, starts_at, ends_at) = match entry {
        FeedEntry::Booking {
            id,
            resource,
            purpose,
            starts_at,
            ends_at,
        } => (
            format!("booking-{id}@{host}"),
            format!("{resource}: {purpose}"),
            resource,
            starts_at,
            ends_at,
        ),
        FeedEntry::Duty {
            duty_id,
            date,
            name,
            site_name,
            starts_at,
            ends_at,
        } => (
            format!("duty-{duty_id}-{date}-{user_id}@{host}"),
            name,
            site_name,
            starts_at,
            ends_at,
        ),
        FeedEntry::Shift {
            shift_id,
            label,
            site_name,
            starts_at,
            ends_at,
        } => (
            format!("shift-{shift_id}-{user_id}@{host}"),
            label,
            site_name,
            starts_at,
            ends_at,
        ),
    };
    CalendarEvent {
        uid,
        summary,
        description: None,
        location: Some(location),
        starts_at,
        ends_at,
        cancelled: false,
        sequence: 0,
    }
}

/// A personal feed: one person's desk shifts, bookings and duties, by its
/// secret link.
#[utoipa::path(
    tag = "rota",
    params(("token" = String, Path, description = "The secret of the feed link")),
    responses((status = 200, content_type = "text/calendar", body = String), (status = 404, content_type = "application/problem+json"))
)]
#[get("/api/v1/calendar/{token}.ics")]
pub async fn personal_feed(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let token = path.into_inner();
    let now = clock::now();
    let feed = state
        .db
        .read(move |conn| flow::personal(conn, &token, now))
        .await?;
    let host = &state.notifier.host;
    let events: Vec<CalendarEvent> = feed
        .entries
        .into_iter()
        .map(|entry| feed_event(entry, feed.user_id, host))
        .collect();
    Ok(calendar_response(ics::calendar("livingroom", &events)))
}
