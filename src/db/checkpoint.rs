//! Checkpoints of SQLite's write-ahead log, on a thread of their own.
//!
//! SQLite checkpoints automatically inside the commit that takes the log
//! past a threshold, on the committing connection. With group commit that
//! is the one writer thread: every thousand pages it stopped to copy the
//! log into the database file and wait for that file's flush while every
//! request queued behind it (7% of the writer's time at 64 connections,
//! not counting the wait). Here a thread with its own connection runs a
//! `PASSIVE` checkpoint every few tens of milliseconds instead, which never
//! blocks the writer or any reader.
//!
//! The writer keeps automatic checkpoints, at a higher threshold, as a
//! backstop: SQLite starts the log over from its beginning only when a
//! write transaction begins with the whole log copied, and a checkpoint
//! running beside a busy writer rarely sees that moment. When the log
//! reaches [`WRITER_BACKSTOP_PAGES`], the writer's own checkpoint finds
//! almost everything already copied, finishes the little that is left, and
//! the next transaction starts the log over, so the log file stays bounded.

use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::Duration;

use super::backend::{self, DatabaseUrl};

/// Log size (pages) at which the writer checkpoints by itself.
pub const WRITER_BACKSTOP_PAGES: u32 = 4000;
/// Pause between checkpoints while the log grows.
const BUSY_PAUSE: Duration = Duration::from_millis(50);
/// Pause once everything is copied: nothing to do until the next write.
const IDLE_PAUSE: Duration = Duration::from_millis(500);

/// Starts the checkpointing thread for the database at `url`. It stops
/// when `stop`'s sender is dropped (with the last handle on the writer).
pub fn start(url: DatabaseUrl, stop: Receiver<()>) {
    std::thread::Builder::new()
        .name("livingroom-checkpoint".into())
        .spawn(move || run(url, stop))
        .expect("spawn the checkpoint thread");
}

fn run(url: DatabaseUrl, stop: Receiver<()>) {
    let mut conn = None;
    let mut pause = IDLE_PAUSE;
    loop {
        match stop.recv_timeout(pause) {
            Err(RecvTimeoutError::Timeout) => {}
            // Disconnected (the writer is gone) or told to stop.
            _ => return,
        }
        if conn.is_none() {
            match backend::establish(&url) {
                Ok(c) => conn = Some(c),
                Err(e) => {
                    tracing::warn!(error = %e, "the checkpoint thread cannot open the database");
                    pause = IDLE_PAUSE;
                    continue;
                }
            }
        }
        let c = conn.as_mut().expect("opened above");
        pause = match backend::checkpoint(c, backend::Checkpoint::Passive) {
            Ok(log) if log.copied < log.pages => BUSY_PAUSE,
            Ok(_) => IDLE_PAUSE,
            Err(e) => {
                // Nothing is lost: the writer's backstop checkpoints.
                tracing::warn!(error = %e, "checkpoint failed");
                conn = None;
                IDLE_PAUSE
            }
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Db;
    use diesel::connection::SimpleConnection;

    /// The writer's own threshold is far above what this test writes, so
    /// only the thread can have copied the rows into the database file.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_thread_copies_the_log_into_the_database_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("checkpoint.db");
        let url = DatabaseUrl::Sqlite(path.clone());
        let db = Db::connect(&url, 2, true).unwrap();
        let before = std::fs::metadata(&path).unwrap().len();
        for _ in 0..4 {
            db.write(|conn| {
                conn.batch_execute(
                    "CREATE TABLE IF NOT EXISTS filler (x BLOB);
                     WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200)
                     INSERT INTO filler SELECT randomblob(4000) FROM n;",
                )?;
                Ok(())
            })
            .await
            .unwrap();
        }
        // 800 rows of 4 KB: about 800 pages (3.2 MB), under the writer's
        // backstop.
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            let size = std::fs::metadata(&path).unwrap().len();
            if size > before + 2_000_000 {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the database file stayed at {size} bytes (was {before}): nothing was checkpointed"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}
