//! `/api/v1/sites`: residents' committees on this deployment.

use actix_web::{HttpResponse, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::json::ApiJson;
use super::views::{site_json, site_json_text, utc};
use crate::auth::AuthUser;
use crate::clock;
use crate::domain::Invalid;
use crate::domain::site::{SiteTimeZone, Slug, site_name};
use crate::errors::ApiError;
use crate::state::AppState;
use crate::store::access::site_access;
use crate::store::pagination::{Page, PageQuery};
use crate::store::sites::{self, Site, SiteChanges};
use crate::workflows;
use actix_web::http::StatusCode;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSite {
    /// Display name, e.g. "长征镇第三居委会".
    pub name: String,
    /// URL name: lowercase letters, digits and hyphens.
    pub slug: String,
    /// IANA time zone; default `Asia/Shanghai`.
    pub timezone: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SiteView {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub timezone: String,
    pub created_at: DateTime<Utc>,
    /// Urgent claims allowed per person per week.
    pub urgent_quota_per_week: i32,
    /// Site-local time the day before a duty when reminders go out.
    pub duty_reminder_time: String,
    /// Future bookings one person may hold at this site; `null`: no cap.
    pub max_future_bookings_per_person: Option<i32>,
    /// For how many weeks after joining the site a member (not marked
    /// senior) is new: the rota never leaves them alone at the desk. 0:
    /// nobody is new.
    pub new_person_weeks: i32,
}

impl From<Site> for SiteView {
    fn from(s: Site) -> Self {
        SiteView {
            id: s.id,
            slug: s.slug,
            name: s.name,
            timezone: s.timezone,
            created_at: utc(s.created_at),
            urgent_quota_per_week: s.urgent_quota_per_week,
            duty_reminder_time: s.duty_reminder_time,
            max_future_bookings_per_person: s.max_future_bookings_per_person,
            new_person_weeks: s.new_person_weeks,
        }
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SiteSettings {
    pub name: Option<String>,
    /// 0 to 50.
    pub urgent_quota_per_week: Option<i32>,
    /// `HH:MM`, site-local.
    pub duty_reminder_time: Option<String>,
    /// 1 to 10000 future bookings per person; `null` lifts the cap.
    #[serde(default, deserialize_with = "crate::domain::invalid::clear_or_keep")]
    #[schema(value_type = Option<i32>)]
    pub max_future_bookings_per_person: Option<Option<i32>>,
    /// 0 to 52 weeks a member counts as new (never alone at the desk); 0
    /// turns the rule off. Default 4.
    #[schema(minimum = 0, maximum = 52)]
    pub new_person_weeks: Option<i32>,
}

/// Changes a site's name and settings (site admin).
#[utoipa::path(
    tag = "sites",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "The site's slug")),
    request_body = SiteSettings,
    responses((status = 200, body = SiteView), (status = 422, content_type = "application/problem+json"))
)]
#[patch("/api/v1/sites/{site}")]
pub async fn update_site(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: ApiJson<SiteSettings>,
) -> Result<HttpResponse, ApiError> {
    let slug = path.into_inner();
    let b = body.into_inner();
    let mut invalid = Invalid::default();
    let name = match &b.name {
        Some(n) => invalid.collect(site_name(n)),
        None => None,
    };
    if b.urgent_quota_per_week.is_some_and(|q| !(0..=50).contains(&q)) {
        invalid.push("urgent_quota_per_week", "must be between 0 and 50");
    }
    if b.max_future_bookings_per_person
        .flatten()
        .is_some_and(|cap| !(1..=10_000).contains(&cap))
    {
        invalid.push(
            "max_future_bookings_per_person",
            "must be between 1 and 10000, or null",
        );
    }
    if b.new_person_weeks.is_some_and(|w| !(0..=52).contains(&w)) {
        invalid.push("new_person_weeks", "must be between 0 and 52");
    }
    let reminder = match &b.duty_reminder_time {
        Some(t) => invalid
            .collect(crate::domain::local_time::parse_clock("duty_reminder_time", t))
            .map(crate::domain::local_time::format_clock),
        None => None,
    };
    invalid.into_result()?;
    let site = state
        .db
        .write(move |conn| {
            let access = site_access(conn, &slug, &user)?;
            let changes = SiteChanges {
                name: name.as_deref(),
                urgent_quota_per_week: b.urgent_quota_per_week,
                duty_reminder_time: reminder.as_deref(),
                max_future_bookings_per_person: b.max_future_bookings_per_person,
                new_person_weeks: b.new_person_weeks,
            };
            workflows::sites::change_settings(conn, &access, &changes)
        })
        .await?;
    site_json(StatusCode::OK, site.tz(), &SiteView::from(site))
}

/// Creates a site (operator only).
#[utoipa::path(
    tag = "sites",
    security(("bearer" = [])),
    request_body = NewSite,
    responses(
        (status = 201, body = SiteView),
        (status = 403, content_type = "application/problem+json"),
        (status = 409, description = "The slug is taken", content_type = "application/problem+json"),
        (status = 422, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/sites")]
pub async fn create_site(
    state: web::Data<AppState>,
    user: AuthUser,
    body: ApiJson<NewSite>,
) -> Result<HttpResponse, ApiError> {
    user.require_operator()?;
    let body = body.into_inner();
    let mut invalid = Invalid::default();
    let name = invalid.collect(site_name(&body.name));
    let slug = invalid.collect(Slug::parse(&body.slug));
    let tz = match &body.timezone {
        Some(tz) => invalid.collect(SiteTimeZone::parse("timezone", tz)),
        None => Some(SiteTimeZone::default()),
    };
    invalid.into_result()?;
    let (name, slug, tz) = (
        name.unwrap_or_default(),
        slug.expect("checked"),
        tz.expect("checked"),
    );
    let now = clock::now_naive();
    let site = state
        .db
        .write(move |conn| workflows::sites::open(conn, &slug, &name, tz, now))
        .await?;
    let body = site_json_text(site.tz(), &SiteView::from(site.clone()))?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/sites/{}", site.slug)))
        .content_type("application/json")
        .body(body))
}

/// Lists sites: every site for an operator, one's own sites for others.
#[utoipa::path(
    tag = "sites",
    security(("bearer" = [])),
    params(PageQuery),
    responses((status = 200, body = Page<SiteView>))
)]
#[get("/api/v1/sites")]
pub async fn list_sites(
    state: web::Data<AppState>,
    user: AuthUser,
    query: crate::api::query::ApiQuery<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = query.parse()?;
    // Operators and district observers see every site.
    let only = (!(user.is_operator || user.is_observer)).then_some(user.id);
    let rows = state
        .db
        .read(move |conn| sites::list(conn, only, page.after_id, page.limit + 1))
        .await?;
    let page = Page::from_rows(rows, page.limit, |s| s.id);
    Ok(HttpResponse::Ok().json(Page {
        items: page.items.into_iter().map(SiteView::from).collect::<Vec<_>>(),
        next: page.next,
    }))
}

/// One site, for its members and operators.
#[utoipa::path(
    tag = "sites",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "The site's slug")),
    responses((status = 200, body = SiteView), (status = 404, content_type = "application/problem+json"))
)]
#[get("/api/v1/sites/{site}")]
pub async fn get_site(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let slug = path.into_inner();
    let access = state.db.read(move |conn| site_access(conn, &slug, &user)).await?;
    site_json(StatusCode::OK, access.site.tz(), &SiteView::from(access.site))
}
