//! Liveness, readiness and metrics, for load balancers and Prometheus.

use actix_web::{HttpResponse, get, web};
use serde::Serialize;

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

/// Prometheus text exposition.
#[utoipa::path(tag = "operations", responses((status = 200, content_type = "application/openmetrics-text", body = String)))]
#[get("/metrics")]
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/openmetrics-text; version=1.0.0; charset=utf-8")
        .body(state.metrics.render(state.db.pool_state()))
}
