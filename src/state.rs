//! What every handler can reach.

use crate::auth::JwtKeys;
use crate::config::Settings;
use crate::db::Db;
use crate::mail::Mailer;
use crate::metrics::Metrics;
use crate::notify::Notifier;

pub struct AppState {
    /// The database pool and the single write path.
    pub db: Db,
    /// Signs and checks access tokens.
    pub jwt: JwtKeys,
    /// The loaded configuration.
    pub settings: Settings,
    /// Request counters and timings for `/metrics`.
    pub metrics: Metrics,
    /// Builds and queues notifications.
    pub notifier: Notifier,
    /// Where the outbox worker sends mail.
    pub mailer: Mailer,
    /// Where the outbox worker posts to robots and webhooks.
    pub channels: crate::channels::Sender,
    /// The password threads and the per-client-address budgets.
    pub limits: crate::auth::limits::Limits,
    /// Turns for heavy reads, so they cannot take every core at once.
    pub heavy: crate::heavy::HeavyReads,
}
