//! Liveness, readiness and metrics, for load balancers and Prometheus.

use actix_web::http::header::AUTHORIZATION;
use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Serialize;
use sha2::Digest;

use crate::auth::client::ClientAddress;
use crate::errors::ApiError;
use crate::state::AppState;

#[derive(Serialize, utoipa::ToSchema)]
pub struct Health {
    /// `ok`, `ready` or `unavailable`.
    pub status: &'static str,
}

/// The process is up. Touches no database, so it stays cheap.
#[utoipa::path(tag = "operations", responses((status = 200, body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// The database answers; 503 with `Retry-After` when it does not.
#[utoipa::path(tag = "operations", responses((status = 200, body = Health), (status = 503, body = Health)))]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    if state.db.ping().await {
        HttpResponse::Ok().json(Health { status: "ready" })
    } else {
        HttpResponse::ServiceUnavailable()
            .insert_header(("Retry-After", "2"))
            .json(Health {
                status: "unavailable",
            })
    }
}

/// Prometheus text exposition: for callers on this machine (not relayed by
/// a proxy), or anywhere with `Authorization: Bearer` and the configured
/// `LIVINGROOM_METRICS_TOKEN`. Route names and traffic are for operators.
#[utoipa::path(
    tag = "operations",
    responses(
        (status = 200, content_type = "application/openmetrics-text", body = String),
        (status = 403, description = "Neither from this machine nor with the metrics token", content_type = "application/problem+json"),
    )
)]
#[get("/metrics")]
pub async fn metrics(
    state: web::Data<AppState>,
    req: HttpRequest,
    client: ClientAddress,
) -> Result<HttpResponse, ApiError> {
    let token_given = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let token_ok = match (&state.settings.metrics_token, token_given) {
        (Some(want), Some(given)) if !want.is_empty() => {
            sha2::Sha256::digest(want.as_bytes()) == sha2::Sha256::digest(given.trim().as_bytes())
        }
        _ => false,
    };
    if !token_ok && !client.is_local(&req) {
        return Err(ApiError::forbidden(
            "Metrics are served to this machine, or with the metrics token.",
        ));
    }
    Ok(HttpResponse::Ok()
        .content_type("application/openmetrics-text; version=1.0.0; charset=utf-8")
        .body(state.metrics.render(state.db.pool_state())))
}
