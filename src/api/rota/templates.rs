//! The weekly shift templates: replacing them (site admin) and reading them.

use actix_web::{HttpResponse, get, put, web};
use serde::{Deserialize, Serialize};

use crate::api::json::ApiJson;
use crate::auth::AuthUser;
use crate::domain::Invalid;
use crate::domain::invalid::text;
use crate::domain::local_time::{format_clock, parse_clock, parse_weekday, weekday_name};
use crate::domain::resource::pool_name;
use crate::errors::ApiError;
use crate::state::AppState;
use crate::store;
use crate::store::access::site_access;
use crate::store::rota::NewTemplate;
use crate::workflows::rota_inputs;

#[derive(Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateInput {
    /// `mon` ... `sun`.
    pub weekday: String,
    /// Site-local `HH:MM`.
    pub start: String,
    pub end: String,
    pub positions: i64,
    /// e.g. "首问接待 First-contact reception".
    pub label: String,
    /// The desks booked for the people on this shift.
    pub desk_pool: Option<String>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum TemplatesInput {
    List(Vec<TemplateInput>),
    Wrapped { templates: Vec<TemplateInput> },
}

fn template_out(t: &store::rota::Template) -> TemplateInput {
    TemplateInput {
        weekday: weekday_name(
            chrono::Weekday::try_from(t.weekday.clamp(0, 6) as u8).unwrap_or(chrono::Weekday::Mon),
        )
        .to_owned(),
        start: format_clock(t.start_minute.max(0) as u32),
        end: format_clock(t.end_minute.max(0) as u32),
        positions: i64::from(t.positions),
        label: t.label.clone(),
        desk_pool: t.desk_pool.clone(),
    }
}

/// Replaces the weekly shift templates (site admin).
#[utoipa::path(
    tag = "rota",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "The site's slug")),
    request_body = Vec<TemplateInput>,
    responses((status = 200, body = Vec<TemplateInput>), (status = 422, content_type = "application/problem+json"))
)]
#[put("/api/v1/sites/{site}/rota/templates")]
pub async fn put_templates(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: ApiJson<TemplatesInput>,
) -> Result<HttpResponse, ApiError> {
    let slug = path.into_inner();
    let list = match body.into_inner() {
        TemplatesInput::List(l) | TemplatesInput::Wrapped { templates: l } => l,
    };
    if list.len() > 100 {
        return Err(ApiError::invalid("templates", "at most 100 templates"));
    }
    let mut invalid = Invalid::default();
    let mut parsed = Vec::new();
    for (i, t) in list.iter().enumerate() {
        let weekday = invalid.collect(parse_weekday(&format!("[{i}].weekday"), &t.weekday));
        let start = invalid.collect(parse_clock(&format!("[{i}].start"), &t.start));
        let end = invalid.collect(parse_clock(&format!("[{i}].end"), &t.end));
        let label = invalid.collect(text(&format!("[{i}].label"), &t.label, 100));
        let pool = match &t.desk_pool {
            Some(p) => invalid.collect(pool_name(p)).map(Some),
            None => Some(None),
        };
        if !(1..=20).contains(&t.positions) {
            invalid.push(format!("[{i}].positions"), "must be between 1 and 20");
        }
        if let (Some(s), Some(e)) = (start, end)
            && s >= e
        {
            invalid.push(format!("[{i}].end"), "must be after start");
        }
        if let (Some(w), Some(s), Some(e), Some(l), Some(p)) = (weekday, start, end, label, pool) {
            parsed.push(NewTemplate {
                weekday: w.num_days_from_monday() as i32,
                start_minute: s as i32,
                end_minute: e as i32,
                positions: t.positions as i32,
                label: l,
                desk_pool: p,
            });
        }
    }
    invalid.into_result()?;
    let saved = state
        .db
        .write(move |conn| {
            let access = site_access(conn, &slug, &user)?;
            rota_inputs::replace_templates(conn, &access, &parsed)
        })
        .await?;
    Ok(HttpResponse::Ok().json(saved.iter().map(template_out).collect::<Vec<_>>()))
}

/// The weekly shift templates (any member).
#[utoipa::path(
    tag = "rota",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "The site's slug")),
    responses((status = 200, body = Vec<TemplateInput>))
)]
#[get("/api/v1/sites/{site}/rota/templates")]
pub async fn get_templates(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let slug = path.into_inner();
    let list = state
        .db
        .read(move |conn| {
            let access = site_access(conn, &slug, &user)?;
            store::rota::templates(conn, access.site.id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(list.iter().map(template_out).collect::<Vec<_>>()))
}
