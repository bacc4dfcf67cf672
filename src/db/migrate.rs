//! Embedded migrations, one set per backend, applied at start and by
//! `livingroom migrate`.

use diesel::connection::SimpleConnection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use super::DbConn;

const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// An arbitrary constant key: app instances starting together on one
/// PostgreSQL take turns migrating instead of racing.
const MIGRATION_LOCK_KEY: i64 = 0x6c69_7669_6e67;

/// Applies the first `n` pending migrations, in order; returns how many
/// ran. For upgrade tests, which put rows of an older shape in place
/// before the migration that reshapes them.
pub fn run_first(conn: &mut DbConn, n: usize) -> anyhow::Result<usize> {
    fn first<C>(c: &mut C, source: EmbeddedMigrations, n: usize) -> anyhow::Result<usize>
    where
        C: MigrationHarness<<C as diesel::Connection>::Backend> + diesel::Connection,
    {
        let pending = c
            .pending_migrations(source)
            .map_err(|e| anyhow::anyhow!("listing migrations: {e}"))?;
        let mut ran = 0;
        for migration in pending.iter().take(n) {
            c.run_migration(migration.as_ref())
                .map_err(|e| anyhow::anyhow!("migrating: {e}"))?;
            ran += 1;
        }
        Ok(ran)
    }
    match conn {
        DbConn::Sqlite(c) => first(c, SQLITE, n),
        DbConn::Pg(c) => first(c, POSTGRES, n),
    }
}

/// Applies every pending migration; returns how many ran.
pub fn run(conn: &mut DbConn) -> anyhow::Result<usize> {
    let applied = match conn {
        // In one write transaction (each migration a savepoint in it): an
        // instance starting at the same moment on the same file waits for
        // it, then finds nothing pending, instead of running the same
        // migrations again ("table sites already exists").
        DbConn::Sqlite(c) => c.immediate_transaction(|c| {
            c.run_pending_migrations(SQLITE)
                .map(|v| v.len())
                .map_err(|e| anyhow::anyhow!("migrating SQLite: {e}"))
        })?,
        DbConn::Pg(c) => {
            c.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})"))?;
            let result = c
                .run_pending_migrations(POSTGRES)
                .map(|v| v.len())
                .map_err(|e| anyhow::anyhow!("migrating PostgreSQL: {e}"));
            c.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})"))?;
            result?
        }
    };
    Ok(applied)
}
