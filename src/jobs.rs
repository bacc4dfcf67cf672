//! Work inside the server that no request waits for: the scheduler of timed
//! jobs and the outbox worker that sends mail. Both work from the database
//! state, so a restart loses nothing; leases make several instances safe.

use std::time::Duration;

use actix_web::web;
use anyhow::Context;
use chrono::Duration as ChronoDuration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use std::collections::HashMap;

use crate::channels::{Notice, Target, Verdict};
use crate::clock;
use crate::config::Settings;
use crate::db::DbConn;
use crate::domain::channel::ChannelKind;
use crate::domain::person::Language;
use crate::errors::ApiError;
use crate::mail::compose::{self, Parts};
use crate::mail::content::Content;
use crate::notify::Notifier;
use crate::state::AppState;
use crate::store::channels::{self, ChannelRow};
use crate::store::{jobs as leases, outbox};
use crate::workflows::{bookings, duties, outbox as outbox_flow, priority, rota};

type Instant = chrono::DateTime<chrono::Utc>;

/// A timed job: runs every `every`, on one instance at a time.
struct Job {
    name: &'static str,
    every: ChronoDuration,
    work: Work,
}

/// How a job's work is cut into transactions.
enum Work {
    /// At each site with work for it, in a transaction of its own. One site
    /// whose work fails (a bad row, a refused write) is logged and tried
    /// again next run; the other sites are not held up by it, as they were
    /// when one transaction did them all.
    PerSite {
        /// The sites with work for the job now.
        sites: SitesFn,
        /// The job's work at one site; returns how much was done.
        run: AtSiteFn,
    },
    /// Across the deployment, a bounded batch per transaction (so that the
    /// writer is held briefly), until a batch finds nothing left or
    /// `most_batches` were done; the rest waits for the next run.
    Batches {
        /// One batch; returns how much was done.
        run: BatchFn,
        most_batches: usize,
    },
}

type SitesFn = fn(&mut DbConn, Instant) -> Result<Vec<i64>, ApiError>;
type AtSiteFn = fn(&mut DbConn, &Notifier, i64, Instant) -> Result<usize, ApiError>;
type BatchFn = fn(&mut DbConn, &Settings, Instant) -> Result<usize, ApiError>;

fn jobs() -> Vec<Job> {
    let per_site = |name, every, sites, run| Job {
        name,
        every,
        work: Work::PerSite { sites, run },
    };
    vec![
        per_site(
            "release_unclaimed",
            ChronoDuration::seconds(30),
            bookings::sites_to_release,
            bookings::release_and_serve_at,
        ),
        per_site(
            "serve_waitlist",
            ChronoDuration::seconds(60),
            priority::sites_waiting,
            priority::serve_at,
        ),
        per_site(
            "duty_reminders",
            ChronoDuration::minutes(5),
            duties::sites_with_duties,
            duties::send_reminders_at,
        ),
        per_site(
            "duty_short",
            ChronoDuration::minutes(15),
            duties::sites_with_duties,
            duties::flag_short_at,
        ),
        per_site(
            "rota_untaken",
            ChronoDuration::minutes(15),
            rota::sites_with_offers,
            rota::flag_untaken_at,
        ),
        per_site(
            "duty_room_bookings",
            ChronoDuration::hours(6),
            duties::sites_with_rooms,
            duties::sync_room_bookings_at,
        ),
        Job {
            name: "outbox_prune",
            every: ChronoDuration::hours(1),
            work: Work::Batches {
                run: |conn, settings, now| {
                    outbox_flow::prune_sent(conn, now.naive_utc(), settings.outbox_keep_days)
                },
                most_batches: 200,
            },
        },
    ]
}

/// Runs `job`; returns how much was done.
async fn run_job(state: &AppState, job: &Job, now: Instant) -> usize {
    match job.work {
        Work::PerSite { sites, run } => run_at_sites(state, job.name, sites, run, now).await,
        Work::Batches { run, most_batches } => run_batches(state, job.name, run, most_batches, now).await,
    }
}

/// Runs a job at every site with work for it, each site in a transaction
/// of its own; returns how much was done.
async fn run_at_sites(
    state: &AppState,
    name: &'static str,
    sites: SitesFn,
    run: AtSiteFn,
    now: Instant,
) -> usize {
    let site_ids = match state.db.read(move |conn| sites(conn, now)).await {
        Ok(ids) => ids,
        Err(e) => {
            tracing::warn!(job = name, error = ?e, "job failed to find its work");
            return 0;
        }
    };
    let mut done = 0;
    for site_id in site_ids {
        let notifier = state.notifier.clone();
        match state
            .db
            .write(move |conn| run(conn, &notifier, site_id, now))
            .await
        {
            Ok(n) => done += n,
            Err(e) => tracing::error!(
                job = name,
                site_id,
                error = ?e,
                "job failed at this site; the other sites go on, and it is tried again next run"
            ),
        }
    }
    done
}

/// Runs a job's batches, each in a transaction of its own, until one finds
/// nothing to do or `most` were done; returns how much was done.
async fn run_batches(state: &AppState, name: &'static str, run: BatchFn, most: usize, now: Instant) -> usize {
    let settings = std::sync::Arc::new(state.settings.clone());
    let mut done = 0;
    for _ in 0..most {
        let settings = settings.clone();
        match state.db.write(move |conn| run(conn, &settings, now)).await {
            Ok(0) => break,
            Ok(n) => done += n,
            Err(e) => {
                tracing::error!(job = name, error = ?e, "job failed; it is tried again next run");
                break;
            }
        }
    }
    done
}

/// The running background tasks, stopped with [`Background::stop`].
pub struct Background {
    /// Tells the tasks to finish their current step and return.
    shutdown: watch::Sender<bool>,
    handles: Vec<JoinHandle<()>>,
}

impl Background {
    /// Asks every task to stop and waits (at most 10 s) for them.
    pub async fn stop(self) {
        let _ = self.shutdown.send(true);
        let wait = futures_util::future::join_all(self.handles);
        if tokio::time::timeout(Duration::from_secs(10), wait).await.is_err() {
            tracing::warn!("background tasks did not stop in time");
        }
    }
}

/// A name for this process in leases, unique per start.
fn worker_name() -> String {
    format!(
        "{}-{}",
        std::process::id(),
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    )
}

/// Starts the scheduler and the outbox worker on the current runtime.
pub fn start(state: web::Data<AppState>) -> Background {
    let (tx, rx) = watch::channel(false);
    let worker = worker_name();
    let handles = vec![
        tokio::spawn(scheduler(state.clone(), worker.clone(), rx.clone())),
        tokio::spawn(outbox_worker(state, worker, rx)),
    ];
    Background {
        shutdown: tx,
        handles,
    }
}

async fn sleep_or_stop(period: Duration, stop: &mut watch::Receiver<bool>) -> bool {
    tokio::select! {
        _ = tokio::time::sleep(period) => false,
        _ = stop.changed() => true,
    }
}

async fn scheduler(state: web::Data<AppState>, worker: String, mut stop: watch::Receiver<bool>) {
    let tick = Duration::from_millis(state.settings.scheduler_tick_millis.max(10));
    let lease = ChronoDuration::minutes(5);
    let now = clock::now_naive();
    for job in jobs() {
        let name = job.name;
        // A concurrent instance may create the row first; that is fine.
        let _ = state.db.write(move |conn| leases::ensure(conn, name, now)).await;
    }
    loop {
        if *stop.borrow() {
            return;
        }
        for job in jobs() {
            let now = clock::now();
            let (name, w) = (job.name, worker.clone());
            let taken = state
                .db
                .write(move |conn| leases::try_lease(conn, name, &w, now.naive_utc(), lease))
                .await
                .unwrap_or(false);
            if !taken {
                continue;
            }
            let n = run_job(&state, &job, now).await;
            if n > 0 {
                tracing::info!(job = name, count = n, "job done");
            }
            let (w, next) = (worker.clone(), (now + job.every).naive_utc());
            let done = clock::now_naive();
            if let Err(e) = state
                .db
                .write(move |conn| leases::finish(conn, name, &w, done, next))
                .await
            {
                tracing::warn!(job = name, error = ?e, "could not record the job run");
            }
        }
        if sleep_or_stop(tick, &mut stop).await {
            return;
        }
    }
}

/// The most messages one claim takes. Each claim and each record of
/// outcomes is a write on SQLite's single writer, between the bookings; at
/// a thousand bookings a second, batches of 20 were a hundred writes a
/// second of their own.
const MAIL_BATCH: usize = 50;

/// Sends what is due, one batch; returns how many were sent.
pub async fn deliver_due(state: &AppState, worker: &str) -> usize {
    let settings = &state.settings;
    let lease = ChronoDuration::seconds(settings.mail_lease_seconds.max(1) as i64);
    let now = clock::now_naive();
    let w = worker.to_owned();
    let batch = match state
        .db
        .write(move |conn| outbox::claim(conn, &w, now, lease, MAIL_BATCH as i64))
        .await
    {
        Ok(batch) => batch,
        Err(e) => {
            tracing::warn!(error = ?e, "could not claim mail");
            return 0;
        }
    };
    // The robots and webhooks among them, read once for the batch: their
    // addresses and secrets are kept only in `site_channels`, so a secret
    // replaced while a message waits is the one it is signed with.
    let channel_ids: Vec<i64> = batch.iter().filter_map(|r| r.channel_id).collect();
    let targets: Option<HashMap<i64, ChannelRow>> = if channel_ids.is_empty() {
        Some(HashMap::new())
    } else {
        match state
            .db
            .read(move |conn| channels::by_ids(conn, &channel_ids))
            .await
        {
            Ok(rows) => Some(rows.into_iter().map(|c| (c.id, c)).collect()),
            Err(e) => {
                // They are left alone: their leases run out and they are
                // claimed again, without an attempt counted.
                tracing::warn!(error = ?e, "could not read the channels of claimed messages");
                None
            }
        }
    };
    // Outcomes are recorded together, in one write, rather than one write
    // per message: at load every message was a commit (and a disk flush) of
    // its own, queued on SQLite's writer between the bookings. They are
    // recorded early if the batch runs past half the lease, so no other
    // worker can claim a message that was sent but not yet marked.
    let claimed = std::time::Instant::now();
    let half_lease = Duration::from_secs(settings.mail_lease_seconds.max(1).div_ceil(2));
    let mut outcomes: Vec<Outcome> = Vec::new();
    let mut sent = 0;
    // Channels whose receiver asked for a pause (a robot's rate limit, a
    // `Retry-After`), until when: the rest of their messages in this batch
    // wait too, without an attempt counted, instead of meeting the same
    // refusal one by one and using up their attempts.
    let mut resting: HashMap<i64, chrono::NaiveDateTime> = HashMap::new();
    for row in batch {
        // Past half the lease, what is left goes back to the queue untried:
        // sent after its lease ran out, another instance could have claimed
        // and sent it too (slow receivers: 10 s a robot, 60 s a mail server).
        if claimed.elapsed() >= half_lease {
            outcomes.push(Outcome {
                row,
                at: clock::now_naive(),
                fate: Fate::Deferred(clock::now_naive()),
            });
            continue;
        }
        if let Some(until) = row.channel_id.and_then(|id| resting.get(&id)).copied() {
            outcomes.push(Outcome {
                row,
                at: clock::now_naive(),
                fate: Fate::Deferred(until),
            });
            continue;
        }
        let outcome = match row.channel_id {
            None => send_one(state, &row).await.map_err(|e| Failure {
                reason: format!("{e:#}"),
                wait: None,
            }),
            Some(id) => match &targets {
                Some(targets) => post_one(state, &row, targets.get(&id)).await,
                None => continue,
            },
        };
        let at = clock::now_naive();
        match outcome {
            Ok(()) => {
                sent += 1;
                outcomes.push(Outcome {
                    row,
                    at,
                    fate: Fate::Sent,
                });
            }
            Err(failure) => {
                tracing::warn!(message = %row.message_id, attempt = row.attempts + 1, error = %failure.reason, "message not sent");
                if let (Some(id), Some(wait)) = (row.channel_id, failure.wait) {
                    resting.insert(id, at + wait);
                }
                outcomes.push(Outcome {
                    row,
                    at,
                    fate: Fate::Failed(failure),
                });
            }
        }
        if claimed.elapsed() >= half_lease {
            record(state, std::mem::take(&mut outcomes)).await;
        }
    }
    record(state, outcomes).await;
    sent
}

/// Why a message was not sent, and the least wait its receiver asked for.
struct Failure {
    reason: String,
    wait: Option<ChronoDuration>,
}

/// Posts one message to its robot or webhook.
async fn post_one(
    state: &AppState,
    row: &outbox::OutboxRow,
    channel: Option<&ChannelRow>,
) -> Result<(), Failure> {
    let fail = |reason: &str| Failure {
        reason: reason.to_owned(),
        wait: None,
    };
    let channel = channel.ok_or_else(|| fail("the channel is gone"))?;
    if !channel.active {
        return Err(fail("the channel is turned off"));
    }
    let kind = ChannelKind::parse(&channel.kind).map_err(|_| fail("the channel's kind is unknown"))?;
    let notice = Notice::parse(&row.content).map_err(|_| fail("the stored notice cannot be read"))?;
    let target = Target {
        kind,
        url: &channel.url,
        secret: channel.secret.as_deref(),
    };
    match state
        .channels
        .send(&target, &notice, &row.event_key, clock::now())
        .await
    {
        Verdict::Delivered => Ok(()),
        Verdict::Failed { reason, wait_seconds } => Err(Failure {
            reason,
            wait: wait_seconds.map(ChronoDuration::seconds),
        }),
    }
}

/// What became of one claimed message.
struct Outcome {
    row: outbox::OutboxRow,
    /// When it was sent or failed.
    at: chrono::NaiveDateTime,
    fate: Fate,
}

enum Fate {
    Sent,
    Failed(Failure),
    /// Not tried: its channel asked for a pause until then.
    Deferred(chrono::NaiveDateTime),
}

/// Records sent and failed messages in one write transaction.
async fn record(state: &AppState, outcomes: Vec<Outcome>) {
    if outcomes.is_empty() {
        return;
    }
    let max = state.settings.mail_max_attempts.max(1) as i32;
    let base = ChronoDuration::seconds(state.settings.mail_retry_seconds.max(1) as i64);
    let result = state
        .db
        .write(move |conn| {
            for o in &outcomes {
                match &o.fate {
                    // A notice to a group holds no live link to redact.
                    Fate::Sent if o.row.channel_id.is_some() => {
                        outbox::mark_sent(conn, o.row.id, o.at, None)?
                    }
                    Fate::Sent => {
                        let redacted = crate::mail::content::redacted(&o.row.content);
                        outbox::mark_sent(conn, o.row.id, o.at, redacted.as_deref())?
                    }
                    Fate::Failed(f) => outbox::mark_failed(conn, &o.row, &f.reason, o.at, max, base, f.wait)?,
                    Fate::Deferred(until) => outbox::defer(conn, o.row.id, *until)?,
                }
            }
            Ok(())
        })
        .await;
    if let Err(e) = result {
        // The leases run out and the messages are tried again: at worst
        // one duplicate each, with the same Message-ID.
        tracing::warn!(error = ?e, "could not record mail attempts");
    }
}

async fn send_one(state: &AppState, row: &outbox::OutboxRow) -> anyhow::Result<()> {
    // Laid out here, beside the writer rather than on it (see
    // `mail::content`).
    let bodies = Content::parse(&row.content)
        .context("the stored message cannot be read")?
        .bodies(Language::from_code(&row.language));
    let message = compose::build(&Parts {
        from: &state.settings.mail_from,
        to: &row.to_address,
        message_id: &row.message_id,
        language: &row.language,
        subject: &row.subject,
        text: &bodies.text,
        html: &bodies.html,
        attachment: bodies.attachment.as_ref(),
    })?;
    tokio::time::timeout(
        Duration::from_secs(60),
        state.mailer.send(&message, &row.message_id),
    )
    .await
    .map_err(|_| anyhow::anyhow!("timed out"))?
}

async fn outbox_worker(state: web::Data<AppState>, worker: String, mut stop: watch::Receiver<bool>) {
    let poll = Duration::from_millis(state.settings.mail_poll_millis.max(10));
    loop {
        if *stop.borrow() {
            return;
        }
        let sent = deliver_due(&state, &worker).await;
        // A full batch suggests more is waiting: go again at once.
        if sent < MAIL_BATCH && sleep_or_stop(poll, &mut stop).await {
            return;
        }
    }
}
