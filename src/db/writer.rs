//! Group commit for SQLite: one writer thread owns one connection and
//! commits, in one durable transaction, every write that is waiting when it
//! comes round.
//!
//! With `synchronous=FULL` each commit waits for the disk. One commit per
//! request caps a server at the disk's flushes per second; committing the
//! requests that queued up meanwhile together pays that wait once for all
//! of them. Each request still runs alone: it runs inside its own savepoint,
//! so a request that fails rolls back to that savepoint and leaves the
//! others' work in the batch untouched; and nobody is answered before the
//! commit that holds their change is durable. A failed commit answers every
//! request in the batch with 503, and none of them took effect.
//!
//! Requests run in arrival order on one connection, so each sees everything
//! committed or batched before it: the same serial order the write lane
//! gave, which the conflict checks rely on.

use std::panic::{AssertUnwindSafe, catch_unwind};

use diesel::connection::{AnsiTransactionManager, TransactionManager};
use tokio::sync::{mpsc, oneshot};

use super::backend::{self, DatabaseUrl};
use super::{DbConn, checkpoint};
use crate::errors::ApiError;

/// The most requests one commit carries: bounds how long the first of them
/// waits for the last.
const MAX_BATCH: usize = 256;
/// Requests that may wait for the writer before senders are held back.
const QUEUE: usize = 4096;

/// A request waiting for the writer, with its answer channel.
trait Work: Send {
    /// Runs the request inside its savepoint; returns what to answer once
    /// the batch's commit has succeeded or failed.
    fn run(self: Box<Self>, conn: &mut DbConn) -> Box<dyn Answer>;
    /// Answers without running: the writer could not start a transaction.
    fn fail(self: Box<Self>, error: ApiError);
}

/// A request that has run and waits for the commit.
trait Answer: Send {
    /// Whether it wants its changes kept (false: failed or a rehearsal).
    fn wrote(&self) -> bool;
    fn send(self: Box<Self>, committed: Result<(), String>);
}

struct Task<T, F> {
    /// The request's database work.
    f: F,
    /// A dry run: always rolled back to its savepoint.
    rehearse: bool,
    /// Where the caller awaits the outcome.
    reply: oneshot::Sender<Result<T, ApiError>>,
}

struct Ran<T> {
    outcome: Result<T, ApiError>,
    /// Whether its savepoint was released into the batch.
    kept: bool,
    reply: oneshot::Sender<Result<T, ApiError>>,
}

impl<T, F> Work for Task<T, F>
where
    T: Send + 'static,
    F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
{
    fn run(self: Box<Self>, conn: &mut DbConn) -> Box<dyn Answer> {
        let Task { f, rehearse, reply } = *self;
        let (outcome, kept) = in_savepoint(conn, rehearse, f);
        Box::new(Ran { outcome, kept, reply })
    }

    fn fail(self: Box<Self>, error: ApiError) {
        let _ = self.reply.send(Err(error));
    }
}

impl<T: Send + 'static> Answer for Ran<T> {
    fn wrote(&self) -> bool {
        self.kept
    }

    fn send(self: Box<Self>, committed: Result<(), String>) {
        let answer = match (self.outcome, committed) {
            (Ok(value), Ok(())) => Ok(value),
            (Ok(_), Err(why)) if self.kept => Err(ApiError::unavailable(format!(
                "The change could not be saved ({why}); nothing was changed. Try again."
            ))),
            (outcome, _) => outcome,
        };
        let _ = self.reply.send(answer);
    }
}

/// Runs `f` between a savepoint and its release (or rollback). Returns the
/// outcome and whether its changes stay in the batch.
fn in_savepoint<T, F>(conn: &mut DbConn, rehearse: bool, f: F) -> (Result<T, ApiError>, bool)
where
    F: FnOnce(&mut DbConn) -> Result<T, ApiError>,
{
    if let Err(e) = savepoint(conn, Step::Begin) {
        return (Err(e), false);
    }
    let outcome = match catch_unwind(AssertUnwindSafe(|| f(conn))) {
        Ok(outcome) => outcome,
        Err(_) => Err(ApiError::internal(anyhow::anyhow!("a write panicked"))),
    };
    // A refusal that keeps its writes (a refused request's record) is
    // released into the batch like a success.
    let keep = !rehearse && super::backend::commits(&outcome);
    let step = if keep { Step::Release } else { Step::Undo };
    match savepoint(conn, step) {
        Ok(()) => (outcome, keep),
        Err(e) => (if outcome.is_ok() { Err(e) } else { outcome }, false),
    }
}

enum Step {
    Begin,
    Release,
    Undo,
}

/// Savepoints on the inner connection's transaction manager, so nested
/// `transaction` calls inside a request nest below them as usual.
fn savepoint(conn: &mut DbConn, step: Step) -> Result<(), ApiError> {
    let DbConn::Sqlite(c) = conn else {
        return Err(ApiError::internal(anyhow::anyhow!(
            "the group writer is SQLite's"
        )));
    };
    Ok(match step {
        Step::Begin => AnsiTransactionManager::begin_transaction(c),
        Step::Release => AnsiTransactionManager::commit_transaction(c),
        Step::Undo => AnsiTransactionManager::rollback_transaction(c),
    }?)
}

/// The handle requests are sent through; cloning shares the one writer.
#[derive(Clone)]
pub struct GroupWriter {
    /// Requests for the writer thread, in arrival order.
    queue: mpsc::Sender<Box<dyn Work>>,
    /// Never sent on: the checkpoint thread stops when the last handle,
    /// and with it this sender, is dropped.
    _checkpoints: std::sync::mpsc::Sender<()>,
}

impl GroupWriter {
    /// Starts the writer thread on its own connection to `url`. The thread
    /// ends when the last handle is dropped, after the queue drains.
    /// Nobody joins the thread: every request waits for its own answer,
    /// so none is in flight once the server has drained.
    pub fn start(url: DatabaseUrl) -> GroupWriter {
        let (tx, rx) = mpsc::channel(QUEUE);
        let (checkpoints, stop_checkpoints) = std::sync::mpsc::channel();
        checkpoint::start(url.clone(), stop_checkpoints);
        std::thread::Builder::new()
            .name("livingroom-writer".into())
            .spawn(move || writer_loop(url, rx))
            .expect("spawn the writer thread");
        GroupWriter {
            queue: tx,
            _checkpoints: checkpoints,
        }
    }

    /// Runs `f` in the next batch; answers after the batch is durable.
    pub async fn run<T, F>(&self, rehearse: bool, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send(Box::new(Task { f, rehearse, reply }))
            .await
            .map_err(|_| ApiError::unavailable("The service is shutting down; try again shortly."))?;
        answer
            .await
            .map_err(|_| ApiError::internal(anyhow::anyhow!("the writer dropped a request")))?
    }
}

fn writer_loop(url: DatabaseUrl, mut rx: mpsc::Receiver<Box<dyn Work>>) {
    let mut conn: Option<DbConn> = None;
    let mut batch: Vec<Box<dyn Work>> = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = rx.blocking_recv() {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(work) => batch.push(work),
                Err(_) => break,
            }
        }
        if conn.is_none() {
            // Checkpoints are the checkpoint thread's; the writer's own are
            // only a backstop (see `checkpoint`).
            let opened = backend::establish(&url)
                .map_err(|e| ApiError::internal(anyhow::anyhow!(e)))
                .and_then(|mut c| {
                    backend::set_auto_checkpoint(&mut c, checkpoint::WRITER_BACKSTOP_PAGES)?;
                    Ok(c)
                });
            match opened {
                Ok(c) => conn = Some(c),
                Err(e) => {
                    tracing::error!(error = %e, "the writer cannot open the database");
                    for work in batch.drain(..) {
                        work.fail(ApiError::unavailable(
                            "The database cannot be opened; try again shortly.",
                        ));
                    }
                    continue;
                }
            }
        }
        let c = conn.as_mut().expect("opened above");
        if !commit_batch(c, &mut batch) {
            // After a failed commit or rollback, start the next batch on a
            // fresh connection rather than trust this one's state.
            conn = None;
        }
    }
}

/// Runs and commits one batch; answers every request in it. Returns false
/// when the connection should be replaced.
fn commit_batch(conn: &mut DbConn, batch: &mut Vec<Box<dyn Work>>) -> bool {
    let began = match conn {
        DbConn::Sqlite(c) => AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE"),
        DbConn::Pg(_) => unreachable!("the group writer is opened on SQLite only"),
    };
    if let Err(e) = began {
        tracing::warn!(error = %e, "the writer could not begin a transaction");
        for work in batch.drain(..) {
            work.fail(ApiError::unavailable("The database is busy; try again shortly."));
        }
        return false;
    }
    let ran: Vec<Box<dyn Answer>> = batch.drain(..).map(|work| work.run(conn)).collect();
    let any_writes = ran.iter().any(|a| a.wrote());
    let DbConn::Sqlite(c) = conn else { unreachable!() };
    let finished = if any_writes {
        AnsiTransactionManager::commit_transaction(c)
    } else {
        AnsiTransactionManager::rollback_transaction(c)
    };
    let healthy = finished.is_ok();
    let committed = finished.map_err(|e| {
        tracing::error!(error = %e, batch = ran.len(), "a group commit failed");
        if AnsiTransactionManager::rollback_transaction(c).is_err() {
            tracing::warn!("rollback after a failed commit failed too");
        }
        e.to_string()
    });
    for answer in ran {
        answer.send(committed.clone());
    }
    healthy
}
