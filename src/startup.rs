//! Building and running the server: `Application::build` opens the database,
//! migrates, loads the signing key, binds, and hands back the port, so tests
//! can start an app on port 0 and learn where it listens.

use std::net::TcpListener;
use std::time::Instant;

use actix_web::dev::{Server, Service};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::{App, HttpServer, web};
use tracing::Instrument;
use utoipa::OpenApi;
use utoipa_swagger_ui::{Config, SwaggerUi};

use crate::api::{self, json::MAX_BODY_BYTES, openapi::ApiDoc};
use crate::auth::{JwtKeys, tokens};
use crate::config::Settings;
use crate::db::{DatabaseUrl, Db, migrate};
use crate::metrics::Metrics;
use crate::request_id;
use crate::state::AppState;

pub struct Application {
    /// The port actually bound (useful when the bind address says 0).
    port: u16,
    /// The running server; await it to serve until a stop signal.
    server: Server,
    /// Shared with handlers; kept so callers (tests, the CLI) can reach the db.
    state: web::Data<AppState>,
    /// The scheduler and the outbox worker, stopped after the server.
    background: crate::jobs::Background,
}

/// Opens the pool and applies pending migrations.
pub fn open_database(settings: &Settings) -> anyhow::Result<(DatabaseUrl, Db)> {
    let url = DatabaseUrl::parse(&settings.database_url)?;
    let db = Db::connect(&url, settings.pool_size.max(2), settings.group_commit)?;
    let mut conn = db
        .get()
        .map_err(|e| anyhow::anyhow!("cannot open the database {}: {e}", settings.database_url))?;
    let applied = migrate::run(&mut conn)?;
    if applied > 0 {
        tracing::info!(applied, "database migrated");
    }
    Ok((url, db))
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Application> {
        // Initialise OpenSSL (used by libpq and SMTP TLS) before anything
        // else does, without its exit-time cleanup: that cleanup races with
        // threads still closing PostgreSQL connections at exit and crashes.
        openssl_sys::init();
        let prepared = settings.clone();
        let (url, db) = tokio::task::spawn_blocking(move || open_database(&prepared)).await??;
        let secret = {
            let (configured, url, db) = (settings.jwt_secret.clone(), url.clone(), db.clone());
            tokio::task::spawn_blocking(move || tokens::load_secret(configured.as_deref(), &url, &db))
                .await??
        };
        let jwt = JwtKeys::new(&secret)?;
        let listener = TcpListener::bind(&settings.bind)
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", settings.bind))?;
        let port = listener.local_addr()?.port();
        let workers = settings.workers;
        let mailer = settings.mailer()?;
        match &mailer {
            crate::mail::Mailer::Files(dir) => tracing::info!(
                dir = %dir.display(),
                "no SMTP server configured (LIVINGROOM_SMTP_HOST): mail is written as .eml files into {}",
                dir.display()
            ),
            other => tracing::info!(transport = %other.describe(), "mail is sent by SMTP"),
        }
        if settings.outbox_keep_days < crate::workflows::outbox::MIN_KEEP_DAYS {
            anyhow::bail!(
                "LIVINGROOM_OUTBOX_KEEP_DAYS is {}; it must be at least {}: a sent message's key is what stops an event being told twice",
                settings.outbox_keep_days,
                crate::workflows::outbox::MIN_KEEP_DAYS
            );
        }
        let limits = crate::auth::limits::Limits::new(&settings)?;
        let state = web::Data::new(AppState {
            limits,
            db,
            jwt,
            notifier: crate::notify::Notifier::new(&settings.public_url()),
            mailer,
            channels: crate::channels::Sender::new(settings.channel_allow_private)?,
            settings,
            metrics: Metrics::default(),
            heavy: crate::heavy::HeavyReads::per_core(),
        });
        let server = serve(listener, state.clone(), workers)?;
        let background = crate::jobs::start(state.clone());
        Ok(Application {
            port,
            server,
            state,
            background,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn state(&self) -> web::Data<AppState> {
        self.state.clone()
    }

    /// The server future itself, for callers that drive it and stop it
    /// through its handle (tests).
    pub fn into_parts(self) -> (Server, crate::jobs::Background) {
        (self.server, self.background)
    }

    /// Serves until SIGINT/SIGTERM; in-flight requests are allowed to finish.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let served = self.server.await;
        self.background.stop().await;
        if let Err(e) = self.state.db.fold_log().await {
            tracing::warn!(error = ?e, "could not fold the log into the database at stop");
        }
        served
    }
}

fn serve(listener: TcpListener, state: web::Data<AppState>, workers: usize) -> anyhow::Result<Server> {
    // Serialised once and shared: a cloned `OpenApi` tree per worker held
    // about 2 MB each, most of the idle heap.
    let openapi = web::Bytes::from(ApiDoc::openapi().to_json()?);
    let body_timeout = std::time::Duration::from_secs(state.settings.body_timeout_seconds.max(1));
    let mut server =
        HttpServer::new(move || {
            App::new()
            .app_data(state.clone())
            .app_data(web::PayloadConfig::new(MAX_BODY_BYTES))
            .app_data(api::query_config())
            .app_data(api::path_config())
            .wrap_fn(move |mut req, srv| {
                crate::slow_body::limit(&mut req, body_timeout);
                let path = req.path().to_owned();
                let id = request_id::accept(req.headers().get("x-request-id").and_then(|v| v.to_str().ok()));
                let state = req.app_data::<web::Data<AppState>>().cloned();
                let method = req.method().to_string();
                let span =
                    tracing::info_span!("request", request_id = %id, method = %method, path = %req.path());
                let started = Instant::now();
                let call = request_id::scope(id.clone(), srv.call(req)).instrument(span.clone());
                async move {
                    let mut res = call.await?;
                    let status = res.status().as_u16();
                    let elapsed = started.elapsed();
                    let route = res
                        .request()
                        .match_pattern()
                        .unwrap_or_else(|| "unmatched".to_owned());
                    if let Some(state) = state {
                        state
                            .metrics
                            .observe(&method, &route, status, elapsed.as_secs_f64());
                    }
                    crate::headers::secure(&path, res.headers_mut());
                    if let Ok(value) = HeaderValue::from_str(&id) {
                        res.headers_mut()
                            .insert(HeaderName::from_static("x-request-id"), value);
                    }
                    let ms = elapsed.as_secs_f64() * 1000.0;
                    span.in_scope(|| match status {
                        500.. => tracing::warn!(status, ms, "answered"),
                        400..=499 => tracing::info!(status, ms, "answered"),
                        _ => tracing::debug!(status, ms, "answered"),
                    });
                    Ok(res)
                }
            })
            .configure(api::routes)
            .configure(crate::pages::routes)
            .route("/api-docs/openapi.json", {
                let openapi = openapi.clone();
                web::get().to(move || {
                    let body = openapi.clone();
                    async move { actix_web::HttpResponse::Ok().content_type("application/json").body(body) }
                })
            })
            .service(SwaggerUi::new("/api-docs/{_:.*}").config(Config::new(["/api-docs/openapi.json"])))
            .default_service(web::route().to(api::no_route))
        })
        .shutdown_timeout(30)
        .listen(listener)?;
    if workers > 0 {
        server = server.workers(workers);
    }
    Ok(server.run())
}
