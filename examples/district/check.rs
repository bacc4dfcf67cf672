//! Reading the database back (every acknowledged booking stored, no two
//! active bookings of a resource overlapping), its size, and where the CPU
//! went during a measurement (the instances, PostgreSQL, the load client).

use std::collections::HashMap;

use anyhow::Result;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer};

use livingroom::db::DbConn;
use livingroom::db::schema::bookings;

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Pid {
    #[diesel(sql_type = Integer)]
    pid: i32,
}

/// One `SELECT ... AS n` on whichever database `conn` holds.
fn count(conn: &mut DbConn, sql: &str) -> Result<i64> {
    let row: Count = match conn {
        DbConn::Sqlite(c) => diesel::sql_query(sql).get_result(c)?,
        DbConn::Pg(c) => diesel::sql_query(sql).get_result(c)?,
    };
    Ok(row.n)
}

/// Active bookings read, and how many start before an earlier one of the
/// same resource is over (its blocked time, `busy_until`): sorted by start,
/// a booking overlaps an earlier one exactly when it starts before the
/// latest end so far. `resources`: only those (all when `None`).
pub fn overlaps(conn: &mut DbConn, resources: Option<&[i64]>) -> Result<(i64, i64)> {
    let only = resources.map_or(String::new(), |ids| {
        let ids: Vec<String> = ids.iter().map(i64::to_string).collect();
        format!(" AND resource_id IN ({})", ids.join(","))
    });
    let active = format!("status IN ('pending', 'confirmed'){only}");
    let rows = count(
        conn,
        &format!("SELECT COUNT(*) AS n FROM bookings WHERE {active}"),
    )?;
    let bad = count(
        conn,
        &format!(
            "SELECT COUNT(*) AS n FROM (
                SELECT starts_at, MAX(busy_until) OVER (
                    PARTITION BY resource_id ORDER BY starts_at, id
                    ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before_end
                FROM bookings WHERE {active}
             ) t WHERE before_end > starts_at"
        ),
    )?;
    Ok((rows, bad))
}

/// Bookings carrying `purpose`: all of them, and those confirmed.
pub fn stored(conn: &mut DbConn, purpose: &str) -> Result<(i64, i64)> {
    let all: i64 = bookings::table
        .filter(bookings::purpose.eq(purpose))
        .count()
        .get_result(conn)?;
    let confirmed: i64 = bookings::table
        .filter(bookings::purpose.eq(purpose))
        .filter(bookings::status.eq("confirmed"))
        .count()
        .get_result(conn)?;
    Ok((all, confirmed))
}

/// The latest end of a booking whose purpose starts with `prefix`.
pub fn last_end(conn: &mut DbConn, prefix: &str) -> Result<Option<chrono::NaiveDateTime>> {
    Ok(bookings::table
        .filter(bookings::purpose.like(format!("{prefix}%")))
        .select(diesel::dsl::max(bookings::ends_at))
        .first(conn)?)
}

/// Bytes the database takes: the SQLite file with its log, or
/// PostgreSQL's database; and of that, the bookings table with its indexes
/// (PostgreSQL only).
pub fn size(conn: &mut DbConn, sqlite_file: Option<&std::path::Path>) -> Result<(u64, Option<u64>)> {
    match conn {
        DbConn::Sqlite(_) => {
            let file = sqlite_file.expect("an SQLite database has a file");
            let mut bytes = std::fs::metadata(file)?.len();
            let wal = file.with_extension("db-wal");
            if let Ok(m) = std::fs::metadata(wal) {
                bytes += m.len();
            }
            Ok((bytes, None))
        }
        DbConn::Pg(_) => {
            let all = count(conn, "SELECT pg_database_size(current_database()) AS n")?;
            let table = count(conn, "SELECT pg_total_relation_size('bookings') AS n")?;
            Ok((all as u64, Some(table as u64)))
        }
    }
}

/// CPU time of a process so far, in clock ticks (`utime + stime`).
fn ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces; the fields after it are fixed.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
}

/// The whole machine's busy and total ticks (`/proc/stat`, every core).
fn machine() -> (u64, u64) {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let cpu: Vec<u64> = stat
        .lines()
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .skip(1)
        .filter_map(|v| v.parse().ok())
        .collect();
    let total: u64 = cpu.iter().take(8).sum();
    // idle and iowait are the 4th and 5th columns.
    let idle = cpu.get(3).copied().unwrap_or(0) + cpu.get(4).copied().unwrap_or(0);
    (total.saturating_sub(idle), total)
}

/// PostgreSQL's processes working for this database: its backends, and
/// the server's own (WAL writer, checkpointer, background writer, ...),
/// which have no database.
fn pg_pids(conn: &mut DbConn) -> Result<Vec<u32>> {
    let DbConn::Pg(c) = conn else {
        return Ok(Vec::new());
    };
    let rows: Vec<Pid> = diesel::sql_query(
        "SELECT pid FROM pg_stat_activity
         WHERE (datname = current_database() OR datname IS NULL) AND pid <> pg_backend_pid()",
    )
    .load(c)?;
    Ok(rows.into_iter().map(|r| r.pid as u32).collect())
}

/// CPU counters at one moment.
pub struct Cpu {
    apps: u64,
    pg: HashMap<u32, u64>,
    client: u64,
    machine: (u64, u64),
}

/// CPU seconds spent between two [`Cpu`] snapshots.
pub struct Spent {
    pub apps: f64,
    pub pg: Option<f64>,
    pub client: f64,
    /// Of the machine's capacity over the interval, the part in use (0-1),
    /// whoever used it.
    pub machine_busy: f64,
}

/// Clock ticks per second (`USER_HZ`), 100 on Linux.
const HZ: f64 = 100.0;

impl Cpu {
    pub fn now(apps: &[u32], conn: &mut DbConn) -> Result<Cpu> {
        let pg = pg_pids(conn)?
            .into_iter()
            .filter_map(|p| ticks(p).map(|t| (p, t)))
            .collect();
        Ok(Cpu {
            apps: apps.iter().filter_map(|&p| ticks(p)).sum(),
            pg,
            client: ticks(std::process::id()).unwrap_or(0),
            machine: machine(),
        })
    }

    /// What was spent from `self` to `later`; PostgreSQL's processes that
    /// started in between count whole.
    pub fn until(&self, later: &Cpu, is_pg: bool) -> Spent {
        let pg: u64 = later
            .pg
            .iter()
            .map(|(pid, t)| t.saturating_sub(self.pg.get(pid).copied().unwrap_or(0)))
            .sum();
        let busy = later.machine.0.saturating_sub(self.machine.0) as f64;
        let total = later.machine.1.saturating_sub(self.machine.1).max(1) as f64;
        Spent {
            apps: later.apps.saturating_sub(self.apps) as f64 / HZ,
            pg: is_pg.then_some(pg as f64 / HZ),
            client: later.client.saturating_sub(self.client) as f64 / HZ,
            machine_busy: busy / total,
        }
    }
}
