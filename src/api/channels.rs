//! `/api/v1/sites/{site}/channels`: a site's group-chat robots (WeCom,
//! DingTalk, Feishu) and signed webhooks. Addresses and secrets are
//! written, never read back. What a webhook receives: `docs/notifications.md`.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, delete, get, patch, post, web};
use serde::Deserialize;

use super::json::ApiJson;
use super::views::site_json;
use crate::auth::AuthUser;
use crate::clock;
use crate::errors::ApiError;
use crate::state::AppState;
use crate::store::access::site_access;
use crate::workflows::channels::{
    self as flow, AddressRule, ChannelChanges, ChannelView, DeliveryView, NewChannelInput,
};

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewChannel {
    /// `wecom`, `dingtalk`, `feishu` or `webhook`.
    pub kind: String,
    /// What the committee calls it, e.g. "前台群"; unique at the site.
    pub name: String,
    /// The robot's webhook address, copied whole from its settings
    /// (WeCom: `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…`;
    /// DingTalk: `https://oapi.dingtalk.com/robot/send?access_token=…`;
    /// Feishu: `https://open.feishu.cn/open-apis/bot/v2/hook/…`), or the
    /// webhook's HTTPS endpoint. Never shown again.
    pub url: String,
    /// DingTalk's "加签" secret (`SEC…`) or Feishu's signing secret, if the
    /// robot has one; required for a webhook (its HMAC key); none for WeCom.
    /// Never shown again.
    pub secret: Option<String>,
    /// What it is told (`rota.published`, `duty.uncovered`, ...). Omitted:
    /// a robot gets the notices about shared work (rota, duty, urgent
    /// displacements, blackouts); a webhook every topic.
    pub topics: Option<Vec<String>>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChannelUpdate {
    pub name: Option<String>,
    /// Replaces the address.
    pub url: Option<String>,
    /// Replaces the secret; `null` removes it (not for a webhook).
    #[serde(default, deserialize_with = "crate::domain::invalid::clear_or_keep")]
    #[schema(value_type = Option<String>)]
    pub secret: Option<Option<String>>,
    pub topics: Option<Vec<String>>,
    /// `false` turns it off: nothing more is queued or sent.
    pub active: Option<bool>,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DeliveriesQuery {
    /// Messages older than this one (its id); omitted: from the newest.
    pub before: Option<i64>,
    /// 1 to 100; 20 when omitted.
    pub limit: Option<i64>,
}

/// What a webhook receives: `POST` with this JSON body and the headers
/// `X-Livingroom-Event` (the `type`), `X-Livingroom-Delivery` (the `id`,
/// the same on every retry: keep it to act once), `X-Livingroom-Timestamp`
/// (Unix seconds) and `X-Livingroom-Signature`: `sha256=` and the hex
/// HMAC-SHA256, keyed with the webhook's secret, of
/// `"{timestamp}.{body}"`. A 2xx answer is success; anything else is
/// retried with backoff (a 429 or 503 with `Retry-After` is waited for),
/// then given up on and shown as `dead`.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // documents the body `channels::wire::event_body` writes
pub struct WebhookEvent {
    /// Unique per event and webhook.
    id: String,
    /// `booking.created`, `booking.cancelled`, `booking.displaced`,
    /// `rota.published`, `rota.changed`, `duty.uncovered`, `duty.covered`,
    /// `resource.blackout`, or `channel.test`.
    r#type: String,
    /// The site's slug.
    site: String,
    /// When it happened, UTC (RFC 3339).
    occurred_at: String,
    /// The event's facts: ids, the resource's name, UTC times. Never a
    /// reason for urgency, a purpose, or a person's name or address.
    #[schema(value_type = Object)]
    data: serde_json::Value,
}

fn rule(state: &AppState) -> AddressRule {
    AddressRule {
        allow_private: state.settings.channel_allow_private,
    }
}

/// Lists the site's robots and webhooks (site admins).
#[utoipa::path(
    tag = "channels",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "The site's slug")),
    responses((status = 200, body = Vec<ChannelView>), (status = 403, content_type = "application/problem+json"))
)]
#[get("/api/v1/sites/{site}/channels")]
pub async fn list_channels(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let slug = path.into_inner();
    let (tz, views) = state
        .db
        .read(move |conn| {
            let access = site_access(conn, &slug, &user)?;
            Ok((access.site.tz(), flow::list(conn, &access)?))
        })
        .await?;
    site_json(StatusCode::OK, tz, &views)
}

/// Adds a robot or webhook (site admins).
#[utoipa::path(
    tag = "channels",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "The site's slug")),
    request_body = NewChannel,
    responses(
        (status = 201, body = ChannelView),
        (status = 409, content_type = "application/problem+json"),
        (status = 422, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/sites/{site}/channels")]
pub async fn create_channel(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: ApiJson<NewChannel>,
) -> Result<HttpResponse, ApiError> {
    let slug = path.into_inner();
    let b = body.into_inner();
    let input = NewChannelInput {
        kind: b.kind,
        name: b.name,
        url: b.url,
        secret: b.secret,
        topics: b.topics,
    };
    let (rule, now) = (rule(&state), clock::now_naive());
    let (tz, view) = state
        .db
        .write(move |conn| {
            let access = site_access(conn, &slug, &user)?;
            Ok((access.site.tz(), flow::create(conn, &access, input, rule, now)?))
        })
        .await?;
    site_json(StatusCode::CREATED, tz, &view)
}

/// One robot or webhook (site admins).
#[utoipa::path(
    tag = "channels",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "The site's slug"), ("id" = i64, Path)),
    responses((status = 200, body = ChannelView), (status = 404, content_type = "application/problem+json"))
)]
#[get("/api/v1/sites/{site}/channels/{id}")]
pub async fn get_channel(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (slug, id) = path.into_inner();
    let (tz, view) = state
        .db
        .read(move |conn| {
            let access = site_access(conn, &slug, &user)?;
            Ok((access.site.tz(), flow::get(conn, &access, id)?))
        })
        .await?;
    site_json(StatusCode::OK, tz, &view)
}

/// Changes a robot or webhook: its name, topics, on or off; a new address
/// or secret replaces the old (site admins).
#[utoipa::path(
    tag = "channels",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "The site's slug"), ("id" = i64, Path)),
    request_body = ChannelUpdate,
    responses(
        (status = 200, body = ChannelView),
        (status = 404, content_type = "application/problem+json"),
        (status = 409, content_type = "application/problem+json"),
        (status = 422, content_type = "application/problem+json"),
    )
)]
#[patch("/api/v1/sites/{site}/channels/{id}")]
pub async fn update_channel(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, i64)>,
    body: ApiJson<ChannelUpdate>,
) -> Result<HttpResponse, ApiError> {
    let (slug, id) = path.into_inner();
    let b = body.into_inner();
    let changes = ChannelChanges {
        name: b.name,
        url: b.url,
        secret: b.secret,
        topics: b.topics,
        active: b.active,
    };
    let (rule, now) = (rule(&state), clock::now_naive());
    let (tz, view) = state
        .db
        .write(move |conn| {
            let access = site_access(conn, &slug, &user)?;
            Ok((
                access.site.tz(),
                flow::update(conn, &access, id, changes, rule, now)?,
            ))
        })
        .await?;
    site_json(StatusCode::OK, tz, &view)
}

/// Removes a robot or webhook, with its queue and record (site admins).
#[utoipa::path(
    tag = "channels",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "The site's slug"), ("id" = i64, Path)),
    responses((status = 204), (status = 404, content_type = "application/problem+json"))
)]
#[delete("/api/v1/sites/{site}/channels/{id}")]
pub async fn delete_channel(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (slug, id) = path.into_inner();
    state
        .db
        .write(move |conn| {
            let access = site_access(conn, &slug, &user)?;
            flow::remove(conn, &access, id)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Queues a test message to the robot or webhook (site admins); its
/// outcome shows in the channel's deliveries within seconds.
#[utoipa::path(
    tag = "channels",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "The site's slug"), ("id" = i64, Path)),
    responses(
        (status = 202, body = DeliveryView),
        (status = 404, content_type = "application/problem+json"),
        (status = 409, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/sites/{site}/channels/{id}/test")]
pub async fn test_channel(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (slug, id) = path.into_inner();
    let (notifier, now) = (state.notifier.clone(), clock::now_naive());
    let (tz, view) = state
        .db
        .write(move |conn| {
            let access = site_access(conn, &slug, &user)?;
            Ok((
                access.site.tz(),
                flow::send_test(conn, &access, id, &notifier, now)?,
            ))
        })
        .await?;
    site_json(StatusCode::ACCEPTED, tz, &view)
}

/// What was sent to the robot or webhook, newest first (site admins).
#[utoipa::path(
    tag = "channels",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "The site's slug"), ("id" = i64, Path), DeliveriesQuery),
    responses((status = 200, body = Vec<DeliveryView>), (status = 404, content_type = "application/problem+json"))
)]
#[get("/api/v1/sites/{site}/channels/{id}/deliveries")]
pub async fn list_deliveries(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, i64)>,
    query: crate::api::query::ApiQuery<DeliveriesQuery>,
) -> Result<HttpResponse, ApiError> {
    let (slug, id) = path.into_inner();
    let q = query.into_inner();
    let limit = q.limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::invalid("limit", "must be 1 to 100"));
    }
    let before = q.before.unwrap_or(0);
    if before < 0 {
        return Err(ApiError::invalid("before", "must be a message id"));
    }
    let (tz, views) = state
        .db
        .read(move |conn| {
            let access = site_access(conn, &slug, &user)?;
            Ok((
                access.site.tz(),
                flow::deliveries(conn, &access, id, before, limit)?,
            ))
        })
        .await?;
    site_json(StatusCode::OK, tz, &views)
}
