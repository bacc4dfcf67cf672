//! `/api/v1/sites/{site}/members`: the people of a site and their roles.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::json::ApiJson;
use super::views::{site_json, site_json_text, utc};
use crate::auth::{AuthUser, password};
use crate::clock;
use crate::domain::Invalid;
use crate::domain::person::{self, Language, Role};
use crate::errors::ApiError;
use crate::state::AppState;
use crate::store::access::site_access;
use crate::store::pagination::{Page, PageQuery};
use crate::workflows::members::{self, Member, MemberChange, NewMember, Typed};
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
    /// Operators only, for a new address: the account is made with this
    /// password and joins at once. Leave it out (site admins must) and the
    /// person is invited: to set a password, or to join with their own.
    pub password: Option<String>,
    /// Experienced staff (以老带新 pairing on the rota).
    #[serde(default)]
    pub senior: bool,
    /// `zh-CN` (default) or `en`.
    pub language: Option<Language>,
}

/// A member as this site sees them: only what the person gave this site
/// (until they accept an invitation, what the site's admin typed), never
/// their account's other sites or skills.
#[derive(Serialize, utoipa::ToSchema)]
pub struct MemberView {
    pub user_id: i64,
    pub email: String,
    /// The name as the person gives it; until they accept, the name the
    /// admin typed.
    pub name: String,
    /// The name in a second language, when given.
    pub other_name: Option<String>,
    pub roles: Vec<Role>,
    /// The skills given this site; other sites keep their own.
    pub skills: Vec<String>,
    pub senior: bool,
    /// Until the person accepts, the language the admin chose.
    pub language: Language,
    /// `active`, or `invited` until the person accepts the invitation
    /// (an invited person is not yet a member: no rota, duties or sign-in).
    pub status: &'static str,
    pub member_since: DateTime<Utc>,
}

fn member_view(m: Member) -> MemberView {
    MemberView {
        user_id: m.user.id,
        email: m.user.email.clone(),
        name: m.name().to_owned(),
        other_name: m.other_name().map(str::to_owned),
        roles: m.membership.roles().to_vec(),
        senior: m.membership.senior,
        language: m.language(),
        status: if m.active() { "active" } else { "invited" },
        member_since: utc(m.membership.created_at),
        skills: m.skills,
    }
}

/// Invites a person to the site (site admin or operator). The answer is the
/// same whether or not the address has an account: 201 and an `invited`
/// member; the person joins when they accept the mailed invitation.
#[utoipa::path(
    tag = "members",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "The site's slug")),
    request_body = AddMember,
    responses(
        (status = 201, body = MemberView),
        (status = 403, content_type = "application/problem+json"),
        (status = 404, content_type = "application/problem+json"),
        (status = 409, description = "Already a member or invited", content_type = "application/problem+json"),
        (status = 422, description = "Bad field; `password` from anyone but an operator", content_type = "application/problem+json"),
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
    let new = invalid.collect(NewMember::parse(Typed {
        email: &body.email,
        name: &body.name,
        other_name: body.other_name.as_deref(),
        roles: &body.roles,
        skills: &body.skills,
        senior: body.senior,
        language: body.language.unwrap_or_default(),
    }));
    let password = match &body.password {
        Some(p) => invalid.collect(person::new_password("password", p)).map(Some),
        None => Some(None),
    };
    invalid.into_result()?;
    let mut new = new.expect("checked");
    if let Some(p) = password.flatten() {
        new.password_hash = Some(
            state
                .limits
                .passwords
                .run(move || password::hash(&p))
                .await?
                .map_err(ApiError::internal)?,
        );
    }
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
    query: crate::api::query::ApiQuery<PageQuery>,
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
    /// Replaces the skills given this site; other sites keep their own.
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
    let change = MemberChange::parse(
        body.roles.as_deref(),
        body.skills.as_deref(),
        body.senior,
        body.max_shifts_per_week,
    )?;
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
/// stay; they simply no longer belong here. Their calendar-feed link ends.
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
    let now = clock::now_naive();
    state
        .db
        .write(move |conn| {
            let access = site_access(conn, &slug, &user)?;
            members::remove(conn, &access, member_id, now)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
