//! `/api/v1/sites/{site}/members`: the people of a site and their roles.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::json::ApiJson;
use super::views::{site_json, site_json_text, utc};
use crate::auth::{AuthUser, password};
use crate::clock;
use crate::domain::Invalid;
use crate::domain::person::{self, Email, Language, Role, Roles, Skill};
use crate::errors::ApiError;
use crate::state::AppState;
use crate::store::access::site_access;
use crate::store::pagination::{Page, PageQuery};
use crate::store::users::{Membership, User};
use crate::workflows::members::{self, Member, MemberChange, NewMember};
use actix_web::http::StatusCode;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddMember {
    pub email: String,
    /// The name as the person gives it, shown on the board.
    pub name: String,
    /// Optional: the name in a second language, e.g. `Auntie Lin`.
    pub other_name: Option<String>,
    pub roles: Vec<Role>,
    /// e.g. `medical`, `legal`, `labour`.
    #[serde(default)]
    pub skills: Vec<String>,
    /// Omit to send an invitation to set one.
    pub password: Option<String>,
    /// Experienced staff (以老带新 pairing on the rota).
    #[serde(default)]
    pub senior: bool,
    /// `zh-CN` (default) or `en`.
    pub language: Option<Language>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct MemberView {
    pub user_id: i64,
    pub email: String,
    /// The name as the person gives it.
    pub name: String,
    /// The name in a second language, when given.
    pub other_name: Option<String>,
    pub roles: Vec<Role>,
    pub skills: Vec<String>,
    pub senior: bool,
    pub language: Language,
    /// `active`, or `invited` until the person sets a password.
    pub status: &'static str,
    pub member_since: DateTime<Utc>,
}

fn view(user: &User, membership: &Membership, skills: Vec<String>) -> MemberView {
    MemberView {
        user_id: user.id,
        email: user.email.clone(),
        name: user.name.clone(),
        other_name: user.other_name.clone(),
        roles: membership.roles().to_vec(),
        skills,
        senior: membership.senior,
        language: user.language(),
        status: if user.password_hash.is_some() {
            "active"
        } else {
            "invited"
        },
        member_since: utc(membership.created_at),
    }
}

fn member_view(m: Member) -> MemberView {
    view(&m.user, &m.membership, m.skills)
}

/// Adds a person to the site (site admin or operator). Without a password
/// an invitation is prepared for them.
#[utoipa::path(
    tag = "members",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "The site's slug")),
    request_body = AddMember,
    responses(
        (status = 201, body = MemberView),
        (status = 403, content_type = "application/problem+json"),
        (status = 404, content_type = "application/problem+json"),
        (status = 409, description = "Already a member", content_type = "application/problem+json"),
        (status = 422, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/sites/{site}/members")]
pub async fn add_member(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: ApiJson<AddMember>,
) -> Result<HttpResponse, ApiError> {
    let slug = path.into_inner();
    let body = body.into_inner();
    let mut invalid = Invalid::default();
    let email = invalid.collect(Email::parse(&body.email));
    let name = invalid.collect(person::person_name(&body.name));
    let other_name = match &body.other_name {
        Some(o) => invalid.collect(person::other_name(o)).map(Some),
        None => Some(None),
    };
    let roles = invalid.collect(Roles::parse(&body.roles));
    let skills = invalid.collect(Skill::parse_all(&body.skills));
    let password = match &body.password {
        Some(p) => invalid.collect(person::new_password("password", p)).map(Some),
        None => Some(None),
    };
    invalid.into_result()?;
    let password_hash = match password.flatten() {
        Some(p) => Some(
            web::block(move || password::hash(&p))
                .await?
                .map_err(ApiError::internal)?,
        ),
        None => None,
    };
    let new = NewMember {
        email: email.expect("checked").as_str().to_owned(),
        name: name.expect("checked"),
        other_name: other_name.expect("checked"),
        roles: roles.expect("checked"),
        skills: skills
            .expect("checked")
            .iter()
            .map(|s| s.as_str().to_owned())
            .collect(),
        password_hash,
        senior: body.senior,
        language: body.language.unwrap_or_default(),
    };
    let now = clock::now_naive();
    let notifier = state.notifier.clone();
    let (member, slug, tz) = state
        .db
        .write(move |conn| {
            let access = site_access(conn, &slug, &user)?;
            let added = members::add(conn, &access, new, &notifier, now)?;
            let tz = access.site.tz();
            Ok((member_view(added), access.site.slug, tz))
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            "Location",
            format!("/api/v1/sites/{slug}/members/{}", member.user_id),
        ))
        .content_type("application/json")
        .body(site_json_text(tz, &member)?))
}

/// Lists the site's members (admins and staff).
#[utoipa::path(
    tag = "members",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "The site's slug"), PageQuery),
    responses((status = 200, body = Page<MemberView>), (status = 404, content_type = "application/problem+json"))
)]
#[get("/api/v1/sites/{site}/members")]
pub async fn list_members(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let slug = path.into_inner();
    let page = query.parse()?;
    let page = state
        .db
        .read(move |conn| {
            let access = site_access(conn, &slug, &user)?;
            let views = members::list(conn, &access, page.after_id, page.limit + 1)?
                .into_iter()
                .map(member_view)
                .collect();
            let page = Page::from_rows(views, page.limit, |v: &MemberView| v.user_id);
            Ok((access.site.tz(), page))
        })
        .await?;
    site_json(StatusCode::OK, page.0, &page.1)
}

/// One member: admins and staff see anyone, others only themselves.
#[utoipa::path(
    tag = "members",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "The site's slug"), ("user_id" = i64, Path)),
    responses((status = 200, body = MemberView), (status = 404, content_type = "application/problem+json"))
)]
#[get("/api/v1/sites/{site}/members/{user_id}")]
pub async fn get_member(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (slug, member_id) = path.into_inner();
    let member = state
        .db
        .read(move |conn| {
            let access = site_access(conn, &slug, &user)?;
            Ok((access.site.tz(), members::seen_by(conn, &access, member_id)?))
        })
        .await?;
    site_json(StatusCode::OK, member.0, &member_view(member.1))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMember {
    pub roles: Option<Vec<Role>>,
    pub senior: Option<bool>,
    /// Replaces the person's skills.
    pub skills: Option<Vec<String>>,
    /// Desk shifts per week at most; `null` for no limit.
    #[serde(default, deserialize_with = "crate::domain::invalid::clear_or_keep")]
    #[schema(value_type = Option<i32>)]
    pub max_shifts_per_week: Option<Option<i32>>,
}

/// Changes a member's roles, seniority or skills (site admin).
#[utoipa::path(
    tag = "members",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "The site's slug"), ("user_id" = i64, Path)),
    request_body = UpdateMember,
    responses(
        (status = 200, body = MemberView),
        (status = 404, content_type = "application/problem+json"),
        (status = 409, description = "Would leave the site without an admin", content_type = "application/problem+json"),
        (status = 422, content_type = "application/problem+json"),
    )
)]
#[patch("/api/v1/sites/{site}/members/{user_id}")]
pub async fn update_member(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, i64)>,
    body: ApiJson<UpdateMember>,
) -> Result<HttpResponse, ApiError> {
    let (slug, member_id) = path.into_inner();
    let body = body.into_inner();
    let mut invalid = Invalid::default();
    let roles = match &body.roles {
        Some(r) => invalid.collect(Roles::parse(r)),
        None => None,
    };
    let skills = match &body.skills {
        Some(s) => invalid.collect(Skill::parse_all(s)),
        None => None,
    };
    invalid.into_result()?;
    let change = MemberChange {
        roles,
        senior: body.senior,
        max_shifts_per_week: body.max_shifts_per_week,
        skills: skills.map(|s| s.iter().map(|s| s.as_str().to_owned()).collect()),
    };
    let member = state
        .db
        .write(move |conn| {
            let access = site_access(conn, &slug, &user)?;
            Ok((
                access.site.tz(),
                members::change(conn, &access, member_id, change)?,
            ))
        })
        .await?;
    site_json(StatusCode::OK, member.0, &member_view(member.1))
}

/// Removes a person from the site (site admin). Their account and history
/// stay; they simply no longer belong here.
#[utoipa::path(
    tag = "members",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "The site's slug"), ("user_id" = i64, Path)),
    responses(
        (status = 204),
        (status = 404, content_type = "application/problem+json"),
        (status = 409, description = "Would leave the site without an admin", content_type = "application/problem+json"),
    )
)]
#[delete("/api/v1/sites/{site}/members/{user_id}")]
pub async fn remove_member(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (slug, member_id) = path.into_inner();
    state
        .db
        .write(move |conn| {
            let access = site_access(conn, &slug, &user)?;
            members::remove(conn, &access, member_id)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
