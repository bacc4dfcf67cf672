//! Database access: one connection type over two backends, one pool, and
//! the one place every transaction starts.
//!
//! - [`DbConn`]: diesel `MultiConnection` over SQLite and PostgreSQL.
//! - [`Db`]: the pool plus `read`/`write`, which run diesel on the blocking
//!   thread pool. Every write goes through [`Db::write`]; on SQLite that
//!   hands it to the group-commit writer, unseen by handlers.
//! - [`writer`]: SQLite's group-commit writer thread.
//! - [`checkpoint`]: the thread that checkpoints SQLite's log beside it.
//! - [`backup`]: online backup of a live SQLite file.
//! - [`backend`]: the only module with backend-specific SQL.
//! - [`migrate`]: embedded migrations for both backends.
//! - [`instant`]: the one conversion of an instant into a stored value.

pub mod backend;
pub mod backup;
pub mod checkpoint;
pub mod instant;
pub mod migrate;
pub mod schema;
pub mod writer;

use std::sync::Arc;
use std::time::Duration;

use diesel::r2d2::{self, Pool, PooledConnection};

use crate::errors::ApiError;
pub use backend::{BackendKind, DatabaseUrl, Ending, Lock};

/// A connection to whichever database this deployment uses.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Sqlite(diesel::SqliteConnection),
    Pg(diesel::PgConnection),
}

impl DbConn {
    pub fn kind(&self) -> BackendKind {
        match self {
            DbConn::Sqlite(_) => BackendKind::Sqlite,
            DbConn::Pg(_) => BackendKind::Postgres,
        }
    }
}

/// Runs a diesel statement on the concrete connection inside a [`DbConn`]:
/// `concrete!(conn, |c| query.load(c))`. The body is compiled once per
/// backend and must be the same SQL on both; it is not a place for
/// backend-specific SQL (that lives in [`backend`]).
///
/// Why: through the multi-backend connection diesel renders a statement's
/// whole SQL text again on every execution (its wrapper renders the query
/// in every pass over it, binding included), which was about half the cost
/// of the hottest statements. On the concrete connection a statement with
/// a fixed shape is found in the prepared-statement cache by its type and
/// only its values are bound. Used on the booking path and the session
/// check; everything else keeps the plain form.
macro_rules! concrete {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::DbConn::Sqlite($c) => $body,
            $crate::db::DbConn::Pg($c) => $body,
        }
    };
}
pub(crate) use concrete;

pub type DbPool = Pool<backend::Manager>;
pub type PooledConn = PooledConnection<backend::Manager>;

/// The shared database handle held by the application.
#[derive(Clone)]
pub struct Db {
    /// Pooled connections; connections are configured as they are opened.
    pool: DbPool,
    /// Which backend the pool talks to.
    kind: BackendKind,
    /// SQLite admits one writer at a time. Queueing writers here, in the
    /// process, instead of in SQLite's busy handler keeps "database is
    /// locked" away and hands them over in arrival order. Used when group
    /// commit is off.
    write_lane: Arc<tokio::sync::Mutex<()>>,
    /// SQLite with group commit: the one writer thread every write goes
    /// through, committing the writes waiting together.
    writer: Option<writer::GroupWriter>,
}

impl Db {
    /// Opens the pool; does not migrate. On SQLite, `group_commit` starts
    /// the group-commit writer; without it each write commits alone.
    pub fn connect(url: &DatabaseUrl, max_size: u32, group_commit: bool) -> anyhow::Result<Db> {
        if let Some(path) = url.sqlite_path() {
            create_private_file(path)?;
            // The first connection switches a new file to WAL, which needs
            // the file to itself; do it before the pool opens others.
            backend::establish(url)?;
        }
        let pool = Pool::builder()
            .max_size(max_size)
            .min_idle(Some(1))
            .connection_timeout(Duration::from_secs(3))
            .build_unchecked(backend::Manager::new(url.clone()));
        let writer = (group_commit && url.kind() == BackendKind::Sqlite)
            .then(|| writer::GroupWriter::start(url.clone()));
        Ok(Db {
            pool,
            kind: url.kind(),
            write_lane: Arc::new(tokio::sync::Mutex::new(())),
            writer,
        })
    }

    pub fn kind(&self) -> BackendKind {
        self.kind
    }

    /// A connection for code outside request handling (CLI, start-up).
    pub fn get(&self) -> Result<PooledConn, ApiError> {
        Ok(self.pool.get()?)
    }

    /// Runs `f` on a pooled connection on the blocking pool, without a
    /// transaction. For reads of one consistent statement or more.
    pub async fn read<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        actix_web::web::block(move || {
            let mut conn = pool.get()?;
            f(&mut conn)
        })
        .await?
    }

    /// Runs `f` in one write transaction (`BEGIN IMMEDIATE` on SQLite). An
    /// `Err` rolls everything back, so a failed request changes nothing;
    /// the one exception is a refusal marked
    /// [`ApiError::keeping_writes`] (a booking refused for want of a free
    /// computer, recorded for the reports), which commits what it wrote.
    pub async fn write<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        self.transact(Ending::Commit, f).await
    }

    /// Like [`Db::write`], but always rolls back: for dry runs, which must
    /// decide exactly as the real run would.
    pub async fn rehearse<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        self.transact(Ending::RollBack, f).await
    }

    /// The one body of [`Db::write`] and [`Db::rehearse`]: on SQLite the
    /// group-commit writer (or the in-process write lane), on PostgreSQL a
    /// pooled connection.
    async fn transact<T, F>(&self, ending: Ending, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        if let Some(writer) = &self.writer {
            return writer.run(ending == Ending::RollBack, f).await;
        }
        let _turn = match self.kind {
            BackendKind::Sqlite => Some(self.write_lane.clone().lock_owned().await),
            BackendKind::Postgres => None,
        };
        let pool = self.pool.clone();
        actix_web::web::block(move || {
            let mut conn = pool.get()?;
            backend::transaction(&mut conn, ending, f)
        })
        .await?
    }

    /// The same as [`Db::write`] for synchronous callers (CLI, demo loader).
    pub fn write_blocking<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConn) -> Result<T, ApiError>,
    {
        let mut conn = self.pool.get()?;
        backend::transaction(&mut conn, Ending::Commit, f)
    }

    /// At a clean stop, on SQLite: folds the write-ahead log into the
    /// database file and empties it, so the file is whole on its own (a
    /// copy of it alone is complete) and the next start has no log to read
    /// back. The process's threads are not joined at exit, so SQLite's own
    /// last-connection checkpoint never runs. Call after the server and
    /// the background work have stopped.
    pub async fn fold_log(&self) -> Result<(), ApiError> {
        if self.kind != BackendKind::Sqlite {
            return Ok(());
        }
        let log = self
            .read(|conn| backend::checkpoint(conn, backend::Checkpoint::Truncate))
            .await?;
        if log.busy != 0 {
            tracing::warn!("the log could not be folded into the database at stop: it was busy");
        }
        Ok(())
    }

    /// Whether a connection can be had and answers, within the pool timeout.
    pub async fn ping(&self) -> bool {
        self.read(|conn| {
            use diesel::connection::SimpleConnection;
            conn.batch_execute("SELECT 1").map_err(ApiError::from)
        })
        .await
        .is_ok()
    }

    /// The pool's state, for metrics.
    pub fn pool_state(&self) -> r2d2::State {
        self.pool.state()
    }
}

/// Creates a new SQLite file owner-only (0600, in a 0700 folder if the
/// folder is new) before SQLite opens it: SQLite would make it with the
/// process's umask (often world-readable), and gives its `-wal` and `-shm`
/// the database file's own permissions. An existing file is left as it is.
fn create_private_file(path: &std::path::Path) -> anyhow::Result<()> {
    if path.as_os_str().is_empty() || path.to_str() == Some(":memory:") || path.exists() {
        return Ok(());
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty() && !d.exists()) {
        crate::mail::create_private_dir(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e.into()),
    }
}
