//! Everything that differs between SQLite and PostgreSQL lives here: how a
//! URL selects a backend, how each connection is set up, and how a write
//! transaction begins.

use std::path::{Path, PathBuf};

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::r2d2::{ManageConnection, R2D2Connection};
use diesel::{Connection, ConnectionError, PgConnection, RunQueryDsl, SqliteConnection};

use super::DbConn;
use crate::errors::ApiError;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BackendKind {
    Sqlite,
    Postgres,
}

/// A parsed `DATABASE_URL`: `postgres://...` (or `postgresql://`) selects
/// PostgreSQL; `sqlite://PATH`, `sqlite:PATH` or a bare path selects SQLite.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite(PathBuf),
    Postgres(String),
}

impl DatabaseUrl {
    pub fn parse(url: &str) -> anyhow::Result<DatabaseUrl> {
        let url = url.trim();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(DatabaseUrl::Postgres(url.to_owned()));
        }
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .unwrap_or(url);
        if path.is_empty() {
            anyhow::bail!("DATABASE_URL names no SQLite file");
        }
        if path.contains("://") {
            anyhow::bail!("DATABASE_URL '{url}' is neither postgres:// nor sqlite://");
        }
        Ok(DatabaseUrl::Sqlite(PathBuf::from(path)))
    }

    pub fn kind(&self) -> BackendKind {
        match self {
            DatabaseUrl::Sqlite(_) => BackendKind::Sqlite,
            DatabaseUrl::Postgres(_) => BackendKind::Postgres,
        }
    }

    /// The SQLite file, when this is SQLite.
    pub fn sqlite_path(&self) -> Option<&Path> {
        match self {
            DatabaseUrl::Sqlite(p) => Some(p),
            DatabaseUrl::Postgres(_) => None,
        }
    }
}

/// Opens and configures connections for the pool.
#[derive(Debug)]
pub struct Manager {
    url: DatabaseUrl,
}

impl Manager {
    pub fn new(url: DatabaseUrl) -> Manager {
        Manager { url }
    }
}

/// Per-connection SQLite settings, after the journal mode
/// ([`sqlite_wal`]). `synchronous=FULL`: an acknowledged write survives
/// power loss.
const SQLITE_PRAGMAS: &str = "PRAGMA synchronous = FULL;
PRAGMA foreign_keys = ON;
PRAGMA temp_store = MEMORY;";

/// How long a writer from another process (a backup, the CLI, a second
/// instance) is waited for before a statement fails as busy.
const SQLITE_BUSY_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// Puts the connection's file in WAL mode. Switching a new file needs it
/// alone: when two processes open a new file at the same moment (a first
/// `docker compose up`), both hold a read lock and want the write lock, and
/// SQLite answers one of them "database is locked" at once, without its
/// busy handler, since waiting could never end. That one retries here
/// until the other has switched (then it is a no-op), within the same wait
/// as a busy statement.
fn sqlite_wal(conn: &mut SqliteConnection) -> Result<(), diesel::result::Error> {
    let started = std::time::Instant::now();
    let mut pause = std::time::Duration::from_millis(5);
    loop {
        match conn.batch_execute("PRAGMA journal_mode = WAL") {
            Err(diesel::result::Error::DatabaseError(_, info))
                if info.message().contains("locked") && started.elapsed() < SQLITE_BUSY_WAIT =>
            {
                std::thread::sleep(pause);
                pause = (pause * 2).min(std::time::Duration::from_millis(100));
            }
            other => return other,
        }
    }
}

/// PostgreSQL: instants are `timestamptz`, bound by diesel as `timestamp`;
/// a UTC session makes that conversion the identity. Generic plans: every
/// hot query is an equality plus a bounded time range on an index, which a
/// generic plan serves as well as a custom one; left to choose, PostgreSQL
/// re-plans each call once a table is large (its generic estimate for a
/// time range looks costly), which made planning grow with history.
const POSTGRES_SESSION: &str = "SET TIME ZONE 'UTC'; SET plan_cache_mode = force_generic_plan";

/// Turns on SQLite's query planner stability guarantee for every connection
/// the process opens. Without it a statement with a bound `LIMIT` (diesel's
/// `.first()`) or a bound value compared with a partial index is marked to
/// be re-prepared whenever a parameter is rebound, which is every execution:
/// parsing and planning took 30% of the group writer's time. The plans do
/// not depend on the values here anyway (equality plus a time range on an
/// index).
#[allow(unsafe_code)]
fn stable_plans_for_every_connection() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    unsafe extern "C" fn enable_qpsg(
        db: *mut libsqlite3_sys::sqlite3,
        _error: *mut *mut std::os::raw::c_char,
        _api: *const libsqlite3_sys::sqlite3_api_routines,
    ) -> std::os::raw::c_int {
        // SAFETY: SQLite passes the connection it is opening; the option
        // takes an int and an optional out-pointer, here null.
        unsafe {
            libsqlite3_sys::sqlite3_db_config(
                db,
                libsqlite3_sys::SQLITE_DBCONFIG_ENABLE_QPSG,
                1 as std::os::raw::c_int,
                std::ptr::null_mut::<std::os::raw::c_int>(),
            )
        }
    }
    ONCE.call_once(|| {
        // SAFETY: registers a plain function pointer; SQLite calls it on
        // each new connection, on the opening thread.
        let rc = unsafe { libsqlite3_sys::sqlite3_auto_extension(Some(enable_qpsg)) };
        if rc != libsqlite3_sys::SQLITE_OK {
            tracing::warn!(rc, "could not register SQLite's plan stability setting");
        }
    });
}

pub fn establish(url: &DatabaseUrl) -> Result<DbConn, ConnectionError> {
    match url {
        DatabaseUrl::Sqlite(path) => {
            stable_plans_for_every_connection();
            let mut conn = SqliteConnection::establish(&path.to_string_lossy())?;
            conn.batch_execute(&format!("PRAGMA busy_timeout = {}", SQLITE_BUSY_WAIT.as_millis()))
                .and_then(|()| sqlite_wal(&mut conn))
                .and_then(|()| conn.batch_execute(SQLITE_PRAGMAS))
                .map_err(ConnectionError::CouldntSetupConfiguration)?;
            Ok(DbConn::Sqlite(conn))
        }
        DatabaseUrl::Postgres(url) => {
            let mut conn = PgConnection::establish(url)?;
            conn.batch_execute(POSTGRES_SESSION)
                .map_err(ConnectionError::CouldntSetupConfiguration)?;
            Ok(DbConn::Pg(conn))
        }
    }
}

impl ManageConnection for Manager {
    type Connection = DbConn;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<DbConn, Self::Error> {
        establish(&self.url).map_err(diesel::r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), Self::Error> {
        conn.ping().map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConn) -> bool {
        conn.is_broken()
    }
}

/// How a write transaction ends when `f` succeeds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    Commit,
    /// Always rolled back: a dry run decides exactly as the real run would
    /// and leaves no trace.
    RollBack,
}

/// Whether a write's transaction commits: when it succeeded, or when its
/// refusal keeps what it wrote ([`ApiError::keeping_writes`]). The one rule
/// of [`transaction`] and the group-commit writer's savepoints.
pub fn commits<T>(outcome: &Result<T, ApiError>) -> bool {
    outcome.as_ref().map_or_else(ApiError::keeps_writes, |_| true)
}

/// Runs `f` inside one write transaction on `conn`; an `Err` rolls back
/// (but for a refusal that keeps its writes: [`commits`]).
///
/// SQLite's is `BEGIN IMMEDIATE`: the write lock is taken up front, so the
/// reads a request does before it writes (the conflict check) see the state
/// its write will land on. PostgreSQL's is a plain `BEGIN`; there the
/// database constraints (and row locks taken by the caller) give the same
/// guarantee. The transaction is begun on the inner connection's manager,
/// which the multi-connection delegates to, so nested `transaction` calls
/// inside `f` become savepoints as usual.
pub fn transaction<T, F>(conn: &mut DbConn, ending: Ending, f: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut DbConn) -> Result<T, ApiError>,
{
    match conn {
        DbConn::Sqlite(c) => AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?,
        DbConn::Pg(c) => AnsiTransactionManager::begin_transaction(c)?,
    }
    let outcome = f(conn);
    let commit = ending == Ending::Commit && commits(&outcome);
    let finish = match (commit, &mut *conn) {
        (true, DbConn::Sqlite(c)) => AnsiTransactionManager::commit_transaction(c),
        (true, DbConn::Pg(c)) => AnsiTransactionManager::commit_transaction(c),
        (false, DbConn::Sqlite(c)) => AnsiTransactionManager::rollback_transaction(c),
        (false, DbConn::Pg(c)) => AnsiTransactionManager::rollback_transaction(c),
    };
    match (outcome, finish) {
        (Ok(value), Ok(())) => Ok(value),
        (Ok(_), Err(e)) => Err(e.into()),
        (Err(e), Ok(())) => Err(e),
        (Err(e), Err(rollback)) => {
            tracing::warn!(error = %rollback, "rollback failed after an error");
            Err(e)
        }
    }
}

/// Lets the current transaction commit without waiting for its log to
/// reach the disk (PostgreSQL's `synchronous_commit = off`, for this
/// transaction only). For writes that are statistics, not promises: a
/// crash may lose the last few, never corrupt anything. Without it every
/// refused request in a crowd would wait for a disk flush while holding the
/// resource's lock. On SQLite the group-commit writer already shares one
/// flush among the batch: nothing to do.
pub fn commit_without_waiting_for_disk(conn: &mut DbConn) -> Result<(), ApiError> {
    if let DbConn::Pg(c) = conn {
        diesel::sql_query("SET LOCAL synchronous_commit TO OFF").execute(c)?;
    }
    Ok(())
}

/// What a write transaction may need to hold exclusively until it ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Lock {
    /// An idempotency key (hashed with its user).
    Idempotency(i64),
    /// Everything that changes a site's resources as a whole (the
    /// waitlist, the rota, duties, preemption, releases): taken first, so
    /// nothing waits in a cycle.
    Site(i64),
    /// An ordinary booking at the site: held by many at once, who keep
    /// each other apart with [`Lock::Person`] and [`Lock::Resource`], and
    /// excluded only by a [`Lock::Site`] holder. The same key as `Site`; a
    /// transaction that may need `Site` later must take `Site` at once, as
    /// waiting to upgrade while another holder does the same deadlocks.
    SiteShared(i64),
    /// One person's bookings (person-level conflicts, quotas).
    Person(i64),
    /// One resource's bookings.
    Resource(i64),
}

impl Lock {
    fn key(self) -> i64 {
        // The top byte names the class, the rest the id: keys never collide
        // across classes for ids below 2^56.
        let (class, id) = match self {
            Lock::Idempotency(h) => (1i64, h),
            Lock::Site(id) | Lock::SiteShared(id) => (2, id),
            Lock::Person(id) => (3, id),
            Lock::Resource(id) => (4, id),
        };
        (class << 56) | (id & 0x00ff_ffff_ffff_ffff)
    }
}

/// Whether [`lock`] takes anything: on SQLite the one writer already
/// holds everything, so a caller need not read ahead to choose its locks.
pub fn locks_matter(conn: &DbConn) -> bool {
    matches!(conn, DbConn::Pg(_))
}

/// Takes `locks` for the rest of the transaction, in a fixed order so two
/// transactions never wait on each other in a cycle.
///
/// SQLite needs nothing: `BEGIN IMMEDIATE` already admits one writer at a
/// time. PostgreSQL takes transaction-scoped advisory locks, so concurrent
/// requests on the same resource or person queue instead of racing; the
/// exclusion constraint stays the last line of defence.
pub fn lock(conn: &mut DbConn, locks: &[Lock]) -> Result<(), ApiError> {
    if let DbConn::Pg(c) = conn {
        // (key, shared): sorted by key, exclusive first, so asking for a
        // key both ways takes it exclusively.
        let mut keys: Vec<(i64, bool)> = locks
            .iter()
            .map(|l| (l.key(), matches!(l, Lock::SiteShared(_))))
            .collect();
        keys.sort_unstable();
        keys.dedup_by_key(|(key, _)| *key);
        if keys.is_empty() {
            return Ok(());
        }
        // All of them in one round trip (a booking takes three), in the
        // order given: `unnest` yields the array in order, and the lock
        // functions are volatile, so PostgreSQL calls them row by row
        // after the sort on the ordinal.
        let (shared, keys): (Vec<bool>, Vec<i64>) = keys.into_iter().map(|(k, s)| (s, k)).unzip();
        diesel::sql_query(
            "SELECT CASE WHEN s THEN pg_advisory_xact_lock_shared(k) ELSE pg_advisory_xact_lock(k) END \
             FROM unnest($1::bigint[], $2::boolean[]) WITH ORDINALITY AS t(k, s, i) ORDER BY i",
        )
        .bind::<diesel::sql_types::Array<diesel::sql_types::BigInt>, _>(keys)
        .bind::<diesel::sql_types::Array<diesel::sql_types::Bool>, _>(shared)
        .execute(c)?;
    }
    Ok(())
}

/// What a checkpoint found in SQLite's write-ahead log.
#[derive(Debug, diesel::QueryableByName)]
pub struct LogState {
    /// 1 when the checkpoint could not run (another one was running).
    #[diesel(sql_type = diesel::sql_types::Integer, column_name = busy)]
    pub busy: i32,
    /// Pages in the log.
    #[diesel(sql_type = diesel::sql_types::Integer, column_name = log)]
    pub pages: i32,
    /// Of those, pages copied into the database file.
    #[diesel(sql_type = diesel::sql_types::Integer, column_name = checkpointed)]
    pub copied: i32,
}

/// How a checkpoint treats the others using the database.
#[derive(Clone, Copy, Debug)]
pub enum Checkpoint {
    /// Copies what it can without waiting for or blocking anyone: the
    /// checkpoint thread's ([`super::checkpoint`]).
    Passive,
    /// Waits for writers and readers, copies the whole log and empties
    /// it: for a clean stop.
    Truncate,
}

/// Copies SQLite's log into the database file.
pub fn checkpoint(conn: &mut DbConn, mode: Checkpoint) -> Result<LogState, ApiError> {
    let DbConn::Sqlite(c) = conn else {
        return Err(ApiError::internal(anyhow::anyhow!("checkpoints are SQLite's")));
    };
    let sql = match mode {
        Checkpoint::Passive => "PRAGMA wal_checkpoint(PASSIVE)",
        Checkpoint::Truncate => "PRAGMA wal_checkpoint(TRUNCATE)",
    };
    Ok(diesel::sql_query(sql).get_result(c)?)
}

/// Sets the log size (pages) at which a commit on `conn` checkpoints by
/// itself; the group writer raises it, see [`super::checkpoint`].
pub fn set_auto_checkpoint(conn: &mut DbConn, pages: u32) -> Result<(), ApiError> {
    if let DbConn::Sqlite(c) = conn {
        c.batch_execute(&format!("PRAGMA wal_autocheckpoint = {pages}"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Processes opening a new file at the same moment all get a working
    /// connection: the one SQLite refuses while another switches the file
    /// to WAL waits for it. Repeated because the refusal needs the two
    /// switches to overlap.
    #[test]
    fn connections_opening_a_new_file_at_once_all_switch_it_to_wal() {
        let dir = tempfile::tempdir().unwrap();
        for round in 0..40 {
            let url = DatabaseUrl::Sqlite(dir.path().join(format!("new-{round}.db")));
            let start = std::sync::Arc::new(std::sync::Barrier::new(4));
            let openers: Vec<_> = (0..4)
                .map(|_| {
                    let (url, start) = (url.clone(), start.clone());
                    std::thread::spawn(move || {
                        start.wait();
                        establish(&url).map(|_| ())
                    })
                })
                .collect();
            for opener in openers {
                let opened = opener.join().unwrap();
                assert!(opened.is_ok(), "round {round}: {opened:?}");
            }
            let DbConn::Sqlite(mut conn) = establish(&url).unwrap() else {
                unreachable!()
            };
            #[derive(diesel::QueryableByName)]
            struct Mode {
                #[diesel(sql_type = diesel::sql_types::Text)]
                journal_mode: String,
            }
            let mode: Mode = diesel::sql_query("PRAGMA journal_mode")
                .get_result(&mut conn)
                .unwrap();
            assert_eq!(mode.journal_mode, "wal");
        }
    }
}
