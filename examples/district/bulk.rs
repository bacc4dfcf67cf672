//! Seeding a year of bookings as any large import is done: the bookings'
//! secondary indexes, the overlap guard (PostgreSQL's exclusion constraint,
//! SQLite's no-overlap trigger) and the row triggers are set aside, their
//! exact definitions read from the catalogue, and afterwards built again
//! and checked once over every row. Row by row with everything on, a year
//! took three times as long on PostgreSQL and about six minutes on SQLite.
//!
//! What the set-aside parts guarantee is checked at the end: PostgreSQL
//! checks the exclusion constraint over every row as it builds it; on
//! SQLite the example's whole-table no-overlap check (run after every
//! seeding, `check::overlaps`) does what the trigger would have; the
//! foreign keys are checked by query on both; the longest-hold figures are
//! raised with migration 9's own formula.

use std::time::Instant;

use anyhow::{Context, Result, bail};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use livingroom::db::DbConn;

/// One index, constraint or trigger of `bookings`, as the catalogue gives it.
#[derive(QueryableByName)]
struct Definition {
    #[diesel(sql_type = Text)]
    name: String,
    /// The statement that makes it again.
    #[diesel(sql_type = Text)]
    def: String,
    /// `index`, `constraint` or `trigger`.
    #[diesel(sql_type = Text)]
    kind: String,
}

/// What [`start`] set aside, for [`finish`].
pub struct Rebuild(Vec<Definition>);

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Sets aside what slows a bulk insert into `bookings` on this connection.
pub fn start(conn: &mut DbConn) -> Result<Rebuild> {
    let defs: Vec<Definition> = match conn {
        DbConn::Pg(c) => diesel::sql_query(
            "SELECT conname::text AS name,
                    'ALTER TABLE bookings ADD CONSTRAINT ' || quote_ident(conname) || ' ' || pg_get_constraintdef(oid) AS def,
                    'constraint' AS kind
             FROM pg_constraint WHERE conrelid = 'bookings'::regclass AND contype = 'x'
             UNION ALL
             SELECT indexname::text, indexdef, 'index' FROM pg_indexes
             WHERE schemaname = current_schema() AND tablename = 'bookings'
               AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = 'bookings'::regclass)",
        )
        .load(c)?,
        // Only the insert triggers: seeding updates nothing. Indexes first
        // in the list, so they are back before the triggers that use them.
        DbConn::Sqlite(c) => diesel::sql_query(
            "SELECT name, sql AS def, type AS kind FROM sqlite_master
             WHERE tbl_name = 'bookings' AND sql IS NOT NULL
               AND (type = 'index' OR name IN ('bookings_no_overlap_insert', 'bookings_longest_insert'))
             ORDER BY type = 'trigger', name",
        )
        .load(c)?,
    };
    for d in &defs {
        conn.batch_execute(&match d.kind.as_str() {
            "constraint" => format!("ALTER TABLE bookings DROP CONSTRAINT \"{}\"", d.name),
            "trigger" => format!("DROP TRIGGER \"{}\"", d.name),
            _ => format!("DROP INDEX \"{}\"", d.name),
        })?;
    }
    conn.batch_execute(match conn {
        // Off for this session only: the foreign keys' triggers and the
        // longest-hold trigger.
        DbConn::Pg(_) => "SET session_replication_role = replica; SET maintenance_work_mem = '256MB';",
        DbConn::Sqlite(_) => "PRAGMA foreign_keys = OFF;",
    })?;
    Ok(Rebuild(defs))
}

/// Builds and checks again what [`start`] set aside.
pub fn finish(conn: &mut DbConn, rebuild: Rebuild) -> Result<()> {
    conn.batch_execute(match conn {
        DbConn::Pg(_) => "RESET session_replication_role",
        DbConn::Sqlite(_) => "PRAGMA foreign_keys = ON",
    })?;
    let (triggers, rest): (Vec<&Definition>, Vec<&Definition>) =
        rebuild.0.iter().partition(|d| d.kind == "trigger");
    for d in rest {
        let started = Instant::now();
        conn.batch_execute(&d.def).with_context(|| d.def.clone())?;
        eprintln!("  {} built in {:.1} s", d.name, started.elapsed().as_secs_f64());
    }
    let started = Instant::now();
    // What the foreign keys would have checked row by row.
    for (column, table) in [
        ("site_id", "sites"),
        ("resource_id", "resources"),
        ("owner_id", "users"),
        ("ended_by", "users"),
    ] {
        let sql = format!(
            "SELECT COUNT(*) AS n FROM bookings b WHERE b.{column} IS NOT NULL
             AND NOT EXISTS (SELECT 1 FROM {table} t WHERE t.id = b.{column})"
        );
        let missing: Count = match conn {
            DbConn::Pg(c) => diesel::sql_query(sql).get_result(c)?,
            DbConn::Sqlite(c) => diesel::sql_query(sql).get_result(c)?,
        };
        if missing.n != 0 {
            bail!("{} bookings name a {column} not in {table}", missing.n);
        }
    }
    conn.batch_execute(match conn {
        DbConn::Pg(_) => {
            "BEGIN;
             UPDATE resources r SET longest_hold_seconds = m.hold
             FROM (SELECT resource_id, MAX(CEIL(EXTRACT(EPOCH FROM (busy_until - starts_at)))::BIGINT + 1) AS hold
                   FROM bookings GROUP BY resource_id) m
             WHERE m.resource_id = r.id AND r.longest_hold_seconds < m.hold;
             UPDATE users u SET longest_booking_seconds = m.span
             FROM (SELECT owner_id, MAX(CEIL(EXTRACT(EPOCH FROM (ends_at - starts_at)))::BIGINT + 1) AS span
                   FROM bookings GROUP BY owner_id) m
             WHERE m.owner_id = u.id AND u.longest_booking_seconds < m.span;
             COMMIT;"
        }
        DbConn::Sqlite(_) => {
            "BEGIN IMMEDIATE;
             UPDATE resources SET longest_hold_seconds = MAX(longest_hold_seconds, COALESCE((
                 SELECT MAX(CAST((julianday(b.busy_until) - julianday(b.starts_at)) * 86400 AS INTEGER) + 1)
                 FROM bookings b WHERE b.resource_id = resources.id), 0));
             UPDATE users SET longest_booking_seconds = MAX(longest_booking_seconds, COALESCE((
                 SELECT MAX(CAST((julianday(b.ends_at) - julianday(b.starts_at)) * 86400 AS INTEGER) + 1)
                 FROM bookings b WHERE b.owner_id = users.id), 0));
             COMMIT;"
        }
    })?;
    let back = triggers.len();
    for d in triggers {
        conn.batch_execute(&d.def).with_context(|| d.def.clone())?;
    }
    eprintln!(
        "  foreign keys checked, longest holds raised, {back} triggers back in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
