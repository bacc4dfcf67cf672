//! `/api/v1/sites/{site}/groups`: interest groups and their leaders.

use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::json::ApiJson;
use super::views::{site_json, utc};
use crate::auth::AuthUser;
use crate::clock;
use crate::domain::invalid::text;
use crate::errors::ApiError;
use crate::state::AppState;
use crate::store::access::site_access;
use crate::store::groups;
use crate::store::pagination::{Page, PageQuery};
use crate::workflows;
use actix_web::http::StatusCode;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewGroup {
    /// e.g. "旗袍班 qipao class".
    pub name: String,
    /// A member of the site; they become its group leader.
    pub leader_id: i64,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct GroupView {
    pub id: i64,
    pub name: String,
    pub leader_id: i64,
    pub leader_name: String,
    pub created_at: DateTime<Utc>,
}

/// Creates an interest group (site admin). The leader gets the
/// `group_leader` role if they lack it.
#[utoipa::path(
    tag = "groups",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "The site's slug")),
    request_body = NewGroup,
    responses(
        (status = 201, body = GroupView),
        (status = 409, content_type = "application/problem+json"),
        (status = 422, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/sites/{site}/groups")]
pub async fn create_group(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: ApiJson<NewGroup>,
) -> Result<HttpResponse, ApiError> {
    let slug = path.into_inner();
    let body = body.into_inner();
    let name = text("name", &body.name, 100)?;
    let now = clock::now_naive();
    let view = state
        .db
        .write(move |conn| {
            let access = site_access(conn, &slug, &user)?;
            let (group, leader_name) = workflows::groups::create(conn, &access, &name, body.leader_id, now)?;
            let view = GroupView {
                id: group.id,
                name: group.name,
                leader_id: group.leader_id,
                leader_name,
                created_at: utc(group.created_at),
            };
            Ok((access.site.tz(), view))
        })
        .await?;
    site_json(StatusCode::CREATED, view.0, &view.1)
}

/// Lists the site's interest groups (any member).
#[utoipa::path(
    tag = "groups",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "The site's slug"), PageQuery),
    responses((status = 200, body = Page<GroupView>))
)]
#[get("/api/v1/sites/{site}/groups")]
pub async fn list_groups(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    query: crate::api::query::ApiQuery<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let slug = path.into_inner();
    let page = query.parse()?;
    let (tz, rows) = state
        .db
        .read(move |conn| {
            let access = site_access(conn, &slug, &user)?;
            let rows = groups::list(conn, access.site.id, page.after_id, page.limit + 1)?;
            Ok((access.site.tz(), rows))
        })
        .await?;
    let views: Vec<GroupView> = rows
        .into_iter()
        .map(|(g, leader_name)| GroupView {
            id: g.id,
            name: g.name,
            leader_id: g.leader_id,
            leader_name,
            created_at: utc(g.created_at),
        })
        .collect();
    site_json(StatusCode::OK, tz, &Page::from_rows(views, page.limit, |g| g.id))
}
