//! Timed work inside the server. Every job works from the database state,
//! so a restart loses nothing, and is idempotent, so several instances
//! running it at once do no harm.

use std::time::Duration;

use actix_web::web;

use crate::clock;
use crate::state::AppState;
use crate::workflows::bookings::release_unclaimed;

/// How often unclaimed computer and desk bookings are looked for.
const RELEASE_EVERY: Duration = Duration::from_secs(30);

/// Starts the background jobs on the current runtime.
pub fn spawn(state: web::Data<AppState>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(RELEASE_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let now = clock::now_utc();
            match state
                .db
                .write(move |conn| release_unclaimed(conn, None, now))
                .await
            {
                Ok(released) if !released.is_empty() => {
                    tracing::info!(count = released.len(), "released unclaimed bookings")
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = ?e, "releasing unclaimed bookings failed"),
            }
        }
    });
}
