//! `/api/v1/sites/{site}/resources`: computers, desks and rooms, their
//! rules, opening hours and blackout periods.

use std::collections::BTreeMap;

use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::json::ApiJson;
use super::views::{site_json, site_json_text, utc};
use crate::auth::AuthUser;
use crate::clock;
use crate::domain::Invalid;
use crate::domain::invalid::text;
use crate::domain::period::{Period, PeriodOf};
use crate::domain::resource::{self, OpeningHours, ResourceKind, Rules, RulesPatch};
use crate::errors::ApiError;
use crate::state::AppState;
use crate::store;
use crate::store::access::site_access;
use crate::store::pagination::{Page, PageQuery};
use crate::store::resources::{Blackout, Resource, ResourceFields, ResourceFilter};
use crate::workflows;
use crate::workflows::resources::{Closing, Covered};
use actix_web::http::StatusCode;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewResource {
    pub name: String,
    pub kind: ResourceKind,
    /// Groups interchangeable resources ("computers", "reception").
    pub pool: Option<String>,
    /// People a room holds.
    pub capacity: Option<i64>,
    /// e.g. `piano`, `mirrors`, `projector`.
    #[serde(default)]
    pub features: Vec<String>,
    /// Per weekday, site-local ranges: `{"mon": ["08:30-12:00", "13:00-17:30"]}`.
    /// Days not named are closed. Absent: always open.
    pub opening_hours: Option<BTreeMap<String, Vec<String>>>,
    /// Changes to the kind's default rules.
    pub rules: Option<RulesPatch>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ResourceView {
    pub id: i64,
    pub name: String,
    pub kind: ResourceKind,
    pub pool: Option<String>,
    pub capacity: Option<i32>,
    pub features: Vec<String>,
    /// Absent: always open.
    pub opening_hours: Option<BTreeMap<String, Vec<String>>>,
    pub rules: Rules,
    pub created_at: DateTime<Utc>,
    /// Set once retired: history stays, no new bookings.
    pub retired_at: Option<DateTime<Utc>>,
}

impl From<Resource> for ResourceView {
    fn from(r: Resource) -> Self {
        ResourceView {
            id: r.id,
            kind: r.kind(),
            rules: r.rules(),
            features: r.features(),
            opening_hours: r.opening_map(),
            name: r.name,
            pool: r.pool,
            capacity: r.capacity,
            created_at: utc(r.created_at),
            retired_at: r.retired_at.map(utc),
        }
    }
}

fn parse_new(body: NewResource) -> Result<ResourceFields, Invalid> {
    let mut invalid = Invalid::default();
    let name = invalid.collect(resource::resource_name(&body.name));
    let pool = match &body.pool {
        Some(p) => invalid.collect(resource::pool_name(p)).map(Some),
        None => Some(None),
    };
    let capacity = match body.capacity {
        Some(c) => invalid.collect(resource::capacity(c)).map(Some),
        None => Some(None),
    };
    let features = invalid.collect(resource::features(&body.features));
    let opening = match &body.opening_hours {
        Some(h) => invalid.collect(OpeningHours::parse(h)).map(Some),
        None => Some(None),
    };
    let rules = invalid.collect(
        body.rules
            .unwrap_or_default()
            .apply(Rules::defaults_for(body.kind)),
    );
    invalid.into_result()?;
    Ok(ResourceFields {
        name: name.unwrap_or_default(),
        kind: body.kind,
        pool: pool.flatten(),
        capacity: capacity.flatten(),
        features: features.unwrap_or_default(),
        opening_hours: opening.flatten(),
        rules: rules.unwrap_or_else(|| Rules::defaults_for(body.kind)),
    })
}

/// Adds a resource (site admin).
#[utoipa::path(
    tag = "resources",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "The site's slug")),
    request_body = NewResource,
    responses(
        (status = 201, body = ResourceView),
        (status = 403, content_type = "application/problem+json"),
        (status = 404, content_type = "application/problem+json"),
        (status = 422, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/sites/{site}/resources")]
pub async fn create_resource(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: ApiJson<NewResource>,
) -> Result<HttpResponse, ApiError> {
    let slug = path.into_inner();
    let fields = parse_new(body.into_inner())?;
    let now = clock::now_naive();
    let resource = state
        .db
        .write(move |conn| {
            let access = site_access(conn, &slug, &user)?;
            let resource = workflows::resources::add(conn, &access, &fields, now)?;
            let tz = access.site.tz();
            Ok((resource, access.site.slug, tz))
        })
        .await?;
    let (resource, slug, tz) = (resource.0, resource.1, resource.2);
    Ok(HttpResponse::Created()
        .insert_header((
            "Location",
            format!("/api/v1/sites/{slug}/resources/{}", resource.id),
        ))
        .content_type("application/json")
        .body(site_json_text(tz, &ResourceView::from(resource))?))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ResourceQuery {
    pub kind: Option<ResourceKind>,
    pub pool: Option<String>,
    /// Include retired resources (default false).
    #[serde(default)]
    pub include_retired: bool,
    pub limit: Option<i64>,
    pub after: Option<String>,
}

/// Lists the site's resources (any member).
#[utoipa::path(
    tag = "resources",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "The site's slug"), ResourceQuery),
    responses((status = 200, body = Page<ResourceView>), (status = 404, content_type = "application/problem+json"))
)]
#[get("/api/v1/sites/{site}/resources")]
pub async fn list_resources(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    query: crate::api::query::ApiQuery<ResourceQuery>,
) -> Result<HttpResponse, ApiError> {
    let slug = path.into_inner();
    let query = query.into_inner();
    let page = PageQuery {
        limit: query.limit,
        after: query.after.clone(),
    }
    .parse()?;
    let filter = ResourceFilter {
        kind: query.kind,
        pool: match &query.pool {
            Some(p) => Some(resource::pool_name(p)?),
            None => None,
        },
        include_retired: query.include_retired,
    };
    let rows = state
        .db
        .read(move |conn| {
            let access = site_access(conn, &slug, &user)?;
            let rows = store::resources::list(conn, access.site.id, &filter, page.after_id, page.limit + 1)?;
            Ok((access.site.tz(), rows))
        })
        .await?;
    let (tz, rows) = rows;
    let page = Page::from_rows(rows, page.limit, |r| r.id);
    let page = Page {
        items: page.items.into_iter().map(ResourceView::from).collect::<Vec<_>>(),
        next: page.next,
    };
    site_json(StatusCode::OK, tz, &page)
}

/// One resource (any member).
#[utoipa::path(
    tag = "resources",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "The site's slug"), ("id" = i64, Path)),
    responses((status = 200, body = ResourceView), (status = 404, content_type = "application/problem+json"))
)]
#[get("/api/v1/sites/{site}/resources/{id}")]
pub async fn get_resource(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (slug, id) = path.into_inner();
    let resource = state
        .db
        .read(move |conn| {
            let access = site_access(conn, &slug, &user)?;
            Ok((
                access.site.tz(),
                store::resources::by_id(conn, access.site.id, id)?,
            ))
        })
        .await?;
    site_json(StatusCode::OK, resource.0, &ResourceView::from(resource.1))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateResource {
    pub name: Option<String>,
    /// `null` takes the resource out of its pool.
    #[serde(default, deserialize_with = "crate::domain::invalid::clear_or_keep")]
    #[schema(value_type = Option<String>)]
    pub pool: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::domain::invalid::clear_or_keep")]
    #[schema(value_type = Option<i64>)]
    pub capacity: Option<Option<i64>>,
    pub features: Option<Vec<String>>,
    /// `null`: always open.
    #[serde(default, deserialize_with = "crate::domain::invalid::clear_or_keep")]
    #[schema(value_type = Option<BTreeMap<String, Vec<String>>>)]
    pub opening_hours: Option<Option<BTreeMap<String, Vec<String>>>>,
    pub rules: Option<RulesPatch>,
}

fn apply_update(current: &Resource, body: UpdateResource) -> Result<ResourceFields, Invalid> {
    let mut invalid = Invalid::default();
    let name = match &body.name {
        Some(n) => invalid.collect(resource::resource_name(n)),
        None => Some(current.name.clone()),
    };
    let pool = match &body.pool {
        Some(Some(p)) => invalid.collect(resource::pool_name(p)).map(Some),
        Some(None) => Some(None),
        None => Some(current.pool.clone()),
    };
    let capacity = match body.capacity {
        Some(Some(c)) => invalid.collect(resource::capacity(c)).map(Some),
        Some(None) => Some(None),
        None => Some(current.capacity),
    };
    let features = match &body.features {
        Some(f) => invalid.collect(resource::features(f)),
        None => Some(current.features()),
    };
    let opening = match &body.opening_hours {
        Some(Some(h)) => invalid.collect(OpeningHours::parse(h)).map(Some),
        Some(None) => Some(None),
        None => Some(current.opening()),
    };
    let rules = match &body.rules {
        Some(patch) => invalid.collect(patch.apply(current.rules())),
        None => Some(current.rules()),
    };
    invalid.into_result()?;
    Ok(ResourceFields {
        name: name.unwrap_or_default(),
        kind: current.kind(),
        pool: pool.flatten(),
        capacity: capacity.flatten(),
        features: features.unwrap_or_default(),
        opening_hours: opening.flatten(),
        rules: rules.unwrap_or_else(|| current.rules()),
    })
}

/// Changes a resource (site admin). Existing bookings stay as they are.
#[utoipa::path(
    tag = "resources",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "The site's slug"), ("id" = i64, Path)),
    request_body = UpdateResource,
    responses(
        (status = 200, body = ResourceView),
        (status = 404, content_type = "application/problem+json"),
        (status = 422, content_type = "application/problem+json"),
    )
)]
#[patch("/api/v1/sites/{site}/resources/{id}")]
pub async fn update_resource(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, i64)>,
    body: ApiJson<UpdateResource>,
) -> Result<HttpResponse, ApiError> {
    let (slug, id) = path.into_inner();
    let body = body.into_inner();
    let resource = state
        .db
        .write(move |conn| {
            let access = site_access(conn, &slug, &user)?;
            let changed =
                workflows::resources::change(conn, &access, id, |current| Ok(apply_update(current, body)?))?;
            Ok((access.site.tz(), changed))
        })
        .await?;
    site_json(StatusCode::OK, resource.0, &ResourceView::from(resource.1))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct RetiredView {
    pub resource: ResourceView,
    /// Future bookings that were cancelled because the resource is gone.
    pub cancelled_bookings: Vec<i64>,
}

/// Retires a resource (site admin): it keeps its history and takes no new
/// bookings; its future bookings are cancelled.
#[utoipa::path(
    tag = "resources",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "The site's slug"), ("id" = i64, Path)),
    responses((status = 200, body = RetiredView), (status = 404, content_type = "application/problem+json"))
)]
#[delete("/api/v1/sites/{site}/resources/{id}")]
pub async fn retire_resource(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (slug, id) = path.into_inner();
    let now = clock::now();
    let notifier = state.notifier.clone();
    let (tz, (resource, cancelled)) = state
        .db
        .write(move |conn| {
            let access = site_access(conn, &slug, &user)?;
            let retired = workflows::bookings::retire_resource(conn, &access, id, &notifier, now)?;
            Ok((access.site.tz(), retired))
        })
        .await?;
    let retired = RetiredView {
        resource: ResourceView::from(resource),
        cancelled_bookings: cancelled,
    };
    site_json(StatusCode::OK, tz, &retired)
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewBlackout {
    /// RFC 3339 with offset.
    #[schema(value_type = String, format = DateTime)]
    pub starts_at: crate::domain::window::Instant,
    #[schema(value_type = String, format = DateTime)]
    pub ends_at: crate::domain::window::Instant,
    /// Maintenance, a public holiday...
    pub reason: String,
    /// Bookings the period covers: by default (`false`) the blackout is
    /// refused with 409 and `conflicts` lists them; `true` cancels them and
    /// tells each owner the reason.
    pub cancel_bookings: Option<bool>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct BlackoutView {
    pub id: i64,
    pub resource_id: i64,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub reason: String,
    /// The bookings it covered, cancelled with notice to their owners
    /// (with `cancel_bookings: true`; otherwise none could be covered).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overlapping_bookings: Option<Vec<i64>>,
}

fn blackout_view(b: Blackout, overlapping: Option<Vec<i64>>) -> BlackoutView {
    BlackoutView {
        id: b.id,
        resource_id: b.resource_id,
        starts_at: utc(b.starts_at),
        ends_at: utc(b.ends_at),
        reason: b.reason,
        overlapping_bookings: overlapping,
    }
}

/// Closes a resource for a period (site admin); nothing is bookable then.
#[utoipa::path(
    tag = "resources",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "The site's slug"), ("id" = i64, Path)),
    request_body = NewBlackout,
    responses(
        (status = 201, body = BlackoutView),
        (status = 404, content_type = "application/problem+json"),
        (status = 409, description = "Bookings fall in the period: `conflicts` lists them; send `cancel_bookings: true` to cancel them with notice", content_type = "application/problem+json"),
        (status = 422, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/sites/{site}/resources/{id}/blackouts")]
pub async fn create_blackout(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, i64)>,
    body: ApiJson<NewBlackout>,
) -> Result<HttpResponse, ApiError> {
    let (slug, id) = path.into_inner();
    let body = body.into_inner();
    let period = Period::new(
        PeriodOf::Blackout,
        body.starts_at.with_timezone(&Utc),
        body.ends_at.with_timezone(&Utc),
    )?;
    let reason = text("reason", &body.reason, 200)?;
    let covered = if body.cancel_bookings.unwrap_or(false) {
        Covered::Cancel
    } else {
        Covered::Refuse
    };
    let now = clock::now();
    let notifier = state.notifier.clone();
    let view = state
        .db
        .write(move |conn| {
            let access = site_access(conn, &slug, &user)?;
            let closing = Closing {
                period,
                reason: &reason,
                covered,
            };
            let tz = access.site.tz();
            let (blackout, overlapping) =
                workflows::resources::add_blackout(conn, &access, id, closing, &notifier, now)
                    .map_err(|e| e.in_site_time(tz))?;
            Ok((tz, blackout_view(blackout, Some(overlapping))))
        })
        .await?;
    site_json(StatusCode::CREATED, view.0, &view.1)
}

/// The resource's current and future blackouts (any member).
#[utoipa::path(
    tag = "resources",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "The site's slug"), ("id" = i64, Path)),
    responses((status = 200, body = Vec<BlackoutView>), (status = 404, content_type = "application/problem+json"))
)]
#[get("/api/v1/sites/{site}/resources/{id}/blackouts")]
pub async fn list_blackouts(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (slug, id) = path.into_inner();
    let now = clock::now_naive();
    let rows = state
        .db
        .read(move |conn| {
            let access = site_access(conn, &slug, &user)?;
            let resource = store::resources::by_id(conn, access.site.id, id)?;
            Ok((
                access.site.tz(),
                store::resources::blackouts_of(conn, resource.id, now)?,
            ))
        })
        .await?;
    let views: Vec<BlackoutView> = rows.1.into_iter().map(|b| blackout_view(b, None)).collect();
    site_json(StatusCode::OK, rows.0, &views)
}

/// Removes a blackout (site admin).
#[utoipa::path(
    tag = "resources",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "The site's slug"), ("id" = i64, Path), ("blackout_id" = i64, Path)),
    responses((status = 204), (status = 404, content_type = "application/problem+json"))
)]
#[delete("/api/v1/sites/{site}/resources/{id}/blackouts/{blackout_id}")]
pub async fn delete_blackout(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, i64, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (slug, id, blackout_id) = path.into_inner();
    state
        .db
        .write(move |conn| {
            let access = site_access(conn, &slug, &user)?;
            workflows::resources::remove_blackout(conn, &access, id, blackout_id)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
