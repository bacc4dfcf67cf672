//! `/api/v1/sites/{site}/availability`: where a booking of a given length
//! fits. "The next free computer for 45 minutes after 15:30" is one call.

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::views::site_json;
use crate::auth::AuthUser;
use crate::clock;
use crate::domain::period::Period;
use crate::domain::resource::{ResourceKind, pool_name};
use crate::domain::window::Instant;
use crate::errors::ApiError;
use crate::state::AppState;
use crate::store::access::site_access;
use crate::store::resources::{self, ResourceFilter};
use crate::workflows::availability as search;
use actix_web::http::StatusCode;

/// The most windows one answer lists.
pub const MAX_SLOTS: usize = 500;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AvailabilityQuery {
    /// One resource; or give `pool` or `kind`.
    pub resource_id: Option<i64>,
    pub pool: Option<String>,
    pub kind: Option<ResourceKind>,
    /// Start of the search (RFC 3339); default: now, including the slot
    /// already under way where a resource allows booking it.
    #[param(value_type = Option<String>, format = DateTime)]
    pub from: Option<Instant>,
    /// End of the search; default: a day after `from`; at most 366 days.
    #[param(value_type = Option<String>, format = DateTime)]
    pub to: Option<Instant>,
    /// The length needed; default: each resource's shortest booking.
    pub duration_minutes: Option<i64>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Slot {
    pub resource_id: i64,
    pub starts_at: DateTime<Utc>,
    /// The end of the free window; any start in it with the asked length fits.
    pub ends_at: DateTime<Utc>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Availability {
    /// Free windows, earliest first.
    pub slots: Vec<Slot>,
}

/// Free windows respecting opening hours, blackouts, buffers, the slot grid,
/// notice and how far ahead one may book. A few searches compute at once
/// (about one per core); the rest wait up to 2 s, then get 429.
#[utoipa::path(
    tag = "bookings",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "The site's slug"), AvailabilityQuery),
    responses(
        (status = 200, body = Availability),
        (status = 422, content_type = "application/problem+json"),
        (status = 429, description = "Too many searches at once; `Retry-After` says when to come back", content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/sites/{site}/availability")]
pub async fn availability(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    query: crate::api::query::ApiQuery<AvailabilityQuery>,
) -> Result<HttpResponse, ApiError> {
    let slug = path.into_inner();
    let q = query.into_inner();
    let given = [q.resource_id.is_some(), q.pool.is_some(), q.kind.is_some()]
        .iter()
        .filter(|b| **b)
        .count();
    if given != 1 {
        return Err(ApiError::invalid(
            "resource_id",
            "give exactly one of resource_id, pool or kind",
        ));
    }
    let pool = q.pool.as_deref().map(pool_name).transpose()?;
    if let Some(d) = q.duration_minutes
        && !(1..=24 * 60).contains(&d)
    {
        return Err(ApiError::invalid(
            "duration_minutes",
            "must be between 1 and 1440",
        ));
    }
    let now = clock::now();
    // Without `from`, start an hour back and let each resource's rules clamp
    // it: a computer's slot already under way is still bookable "now".
    let from = q.from.map_or(now - Duration::hours(1), Instant::utc);
    // The turn is taken before reading, so that those waiting hold neither
    // a connection nor their inputs in memory.
    let _turn = state.heavy.turn().await?;
    let inputs = state
        .db
        .read(move |conn| {
            let access = site_access(conn, &slug, &user)?;
            let tz = access.site.tz();
            let window =
                Period::query(tz, Some(from), q.to.map(Instant::utc), Duration::days(1), now)?.interval();
            let candidates = match (q.resource_id, pool, q.kind) {
                (Some(id), _, _) => vec![resources::by_id(conn, access.site.id, id)?],
                (_, Some(pool), _) => resources::pool_members(conn, access.site.id, &pool)?,
                (_, _, Some(kind)) => resources::list(
                    conn,
                    access.site.id,
                    &ResourceFilter {
                        kind: Some(kind),
                        ..ResourceFilter::default()
                    },
                    0,
                    1000,
                )?,
                _ => Vec::new(),
            };
            let length = q.duration_minutes.map(Duration::minutes);
            let first = search::Search::new(tz, candidates, window, length, now);
            Ok((tz, first.read(conn)?))
        })
        .await?;
    let (tz, mut inputs) = inputs;
    // Computed off the connection: it is back in the pool by now, and is
    // taken again only when the answer needs more of the window read.
    let slots = loop {
        match web::block(move || inputs.earliest(MAX_SLOTS)).await? {
            search::Step::Found(slots) => break slots,
            search::Step::ReadFurther(further) => {
                inputs = state.db.read(move |conn| further.read(conn)).await?;
            }
        }
    };
    let slots = slots
        .into_iter()
        .map(|s| Slot {
            resource_id: s.resource_id,
            starts_at: s.window.start,
            ends_at: s.window.end,
        })
        .collect();
    site_json(StatusCode::OK, tz, &Availability { slots })
}
