//! A district on one deployment: 300 sites x 10 staff x 20 resources with a
//! year of bookings behind them, then bookings and availability searches
//! through the real API, on SQLite (one instance) or on PostgreSQL (one,
//! two, three instances on the same database).
//!
//! ```text
//! cargo build --release
//! cargo run --release --example district -- --db sqlite
//! cargo run --release --example district -- --db postgres --instances 1,2,3
//! ```
//!
//! Seeding (`seed.rs`) writes rows directly: sites, staff, memberships and
//! resources through the store functions, then a year of bookings plus the
//! next two weeks (60 a site a day: four sessions a computer, two shifts a
//! desk, three room bookings) as a bulk load (`bulk.rs`: indexes, the
//! overlap guard and row triggers set aside, then rebuilt and checked). It
//! prints how long that took and how big the database is, and checks that
//! no two active bookings of a resource overlap.
//!
//! Then for each instance count it starts that many release-binary
//! processes on the database, each on its own port, and measures:
//!
//! - availability: `GET /api/v1/sites/{site}/availability` for the
//!   computers' pool, 45 minutes, from now to a week ahead, every site in
//!   turn on one connection with no other load, as a district observer:
//!   one pass after start-up ("cold"), then `--passes` more ("warm");
//! - bookings: `--connections` keep-alive connections, each a staff member
//!   of its own site (spread evenly over the sites) signed in through the
//!   API, booking consecutive half-hour slots on one of the site's desks
//!   weeks ahead, spread round-robin over the instances, for `--seconds`.
//!
//! Afterwards every 201 must be stored and confirmed and no two active
//! bookings on the loaded desks may overlap (their whole history). It
//! prints CPU seconds per booking of the instances, of PostgreSQL's
//! processes for this database and of the load client, and how busy the
//! machine was (the load client and anything else running count too).
//! `--keep` leaves the seeded database behind and `--reuse URL` measures
//! one kept earlier without seeding again.

mod bulk;
mod check;
mod load;
mod seed;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use chrono::{Duration as Span, Utc};
use clap::{Parser, ValueEnum};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use serde_json::json;

use livingroom::clock;
use livingroom::db::{DatabaseUrl, Db, backend, migrate};
use livingroom::domain::local_time::{local_date, midnight};

use load::{Launch, pct_ms};
use seed::{FUTURE_DAYS, Shape};

/// Every seeded account's password.
pub const PASSWORD: &str = "district-password-1";
const OBSERVER: &str = "observer@district.example";
/// What the load's bookings are for; a run's own tag follows it.
const LOAD_PURPOSE: &str = "district load";

#[derive(Parser, Debug)]
#[command(about = "A district on one livingroom deployment: seed, then load")]
struct Args {
    #[arg(long, value_enum, default_value = "sqlite")]
    db: Backend,
    /// App instance counts to measure, comma-separated (SQLite: 1 only;
    /// default 1, or 1,2,3 on PostgreSQL).
    #[arg(long, value_delimiter = ',')]
    instances: Vec<usize>,
    #[arg(long, default_value_t = 300)]
    sites: usize,
    /// Staff per site.
    #[arg(long, default_value_t = 10)]
    staff: usize,
    /// Computers (one pool), desks (one pool) and rooms per site.
    #[arg(long, default_value_t = 8)]
    computers: usize,
    #[arg(long, default_value_t = 8)]
    desks: usize,
    #[arg(long, default_value_t = 4)]
    rooms: usize,
    /// Days of history.
    #[arg(long, default_value_t = 365)]
    days: i64,
    /// Booking connections.
    #[arg(long, default_value_t = 64)]
    connections: usize,
    /// Seconds of booking load per measurement (also the bound on each
    /// availability pass).
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Warm availability passes over every site after the cold one.
    #[arg(long, default_value_t = 2)]
    passes: usize,
    /// Database connections per instance (`LIVINGROOM_POOL_SIZE`); unset:
    /// the app's default.
    #[arg(long)]
    pool_size: Option<u32>,
    #[arg(long, default_value = "target/release/livingroom")]
    binary: PathBuf,
    /// PostgreSQL to create the database in.
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/test")]
    pg_url: String,
    /// Measure a database seeded and kept earlier instead of seeding one.
    #[arg(long)]
    reuse: Option<String>,
    /// Leave the seeded database behind (its URL is printed).
    #[arg(long)]
    keep: bool,
    /// Time a backup of the seeded database (`livingroom backup` on
    /// SQLite, `pg_dump -Fc` on PostgreSQL), before the load.
    #[arg(long)]
    backup: bool,
    /// Append one JSON object per measurement to this file.
    #[arg(long)]
    json: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Backend {
    Sqlite,
    Postgres,
}

/// Where the district's database lives; removed afterwards unless kept.
enum Store {
    Sqlite {
        dir: Option<tempfile::TempDir>,
        file: PathBuf,
    },
    Postgres {
        admin: String,
        name: String,
        url: String,
        drop: bool,
    },
    Reused(String),
}

impl Store {
    fn new(args: &Args) -> Result<Store> {
        if let Some(url) = &args.reuse {
            return Ok(Store::Reused(url.clone()));
        }
        match args.db {
            Backend::Sqlite => {
                let dir = tempfile::Builder::new().prefix("district-").tempdir()?;
                let file = dir.path().join("livingroom.db");
                Ok(Store::Sqlite { dir: Some(dir), file })
            }
            Backend::Postgres => {
                let name = format!("district_{}", uuid::Uuid::new_v4().simple());
                let mut admin = PgConnection::establish(&args.pg_url)?;
                admin.batch_execute(&format!("CREATE DATABASE {name}"))?;
                let base = args
                    .pg_url
                    .rsplit_once('/')
                    .map_or(args.pg_url.as_str(), |(b, _)| b);
                Ok(Store::Postgres {
                    admin: args.pg_url.clone(),
                    url: format!("{base}/{name}"),
                    name,
                    drop: true,
                })
            }
        }
    }

    fn url(&self) -> String {
        match self {
            Store::Sqlite { file, .. } => format!("sqlite://{}", file.display()),
            Store::Postgres { url, .. } => url.clone(),
            Store::Reused(url) => url.clone(),
        }
    }

    fn keep(&mut self) {
        match self {
            Store::Sqlite { dir, .. } => {
                if let Some(d) = dir.take() {
                    let _ = d.keep();
                }
            }
            Store::Postgres { drop, .. } => *drop = false,
            Store::Reused(_) => {}
        }
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        if let Store::Postgres {
            admin,
            name,
            drop: true,
            ..
        } = self
            && let Ok(mut conn) = PgConnection::establish(admin)
        {
            let _ = conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}

fn main() -> Result<()> {
    // As the server does: OpenSSL set up before libpq.
    openssl_sys::init();
    let mut args = Args::parse();
    if let Some(url) = &args.reuse {
        args.db = if url.starts_with("postgres") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        };
    }
    if args.instances.is_empty() {
        args.instances = match args.db {
            Backend::Sqlite => vec![1],
            Backend::Postgres => vec![1, 2, 3],
        };
    }
    if args.db == Backend::Sqlite && args.instances.iter().any(|&n| n != 1) {
        bail!("SQLite is one process's database (its writer is in-process): --instances 1");
    }
    if args.instances.contains(&0) || args.connections == 0 || args.sites == 0 {
        bail!("instances, connections and sites must be at least 1");
    }
    if !args.binary.exists() {
        bail!("{} not found: cargo build --release first", args.binary.display());
    }
    let shape = Shape {
        sites: args.sites,
        staff: args.staff,
        computers: args.computers,
        desks: args.desks,
        rooms: args.rooms,
        days: args.days,
    };
    println!(
        "district: {} sites x {} staff x {} resources ({} computers, {} desks, {} rooms), {} bookings a site a day, \
         {} days of history + {FUTURE_DAYS} ahead; {:?}; {} cores; {}",
        shape.sites,
        shape.staff,
        shape.resources(),
        shape.computers,
        shape.desks,
        shape.rooms,
        shape.bookings_per_site_day(),
        shape.days,
        args.db,
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        Utc::now().format("%Y-%m-%d %H:%M UTC"),
    );

    let mut store = Store::new(&args)?;
    let url = store.url();
    let parsed = DatabaseUrl::parse(&url)?;
    if args.reuse.is_none() {
        let db = Db::connect(&parsed, 4, false)?;
        let mut conn = db.get().map_err(|e| anyhow::anyhow!("{e}"))?;
        migrate::run(&mut conn)?;
        drop(conn);
        let seeded = seed::seed(&db, shape)?;
        println!(
            "seeded: directory (sites, staff, resources) {:.1} s; {} bookings {:.1} s ({:.0}/s); VACUUM ANALYZE {:.1} s",
            seeded.directory.as_secs_f64(),
            seeded.rows,
            seeded.bookings.as_secs_f64(),
            seeded.rows as f64 / seeded.bookings.as_secs_f64(),
            seeded.vacuum.as_secs_f64(),
        );
    }
    if args.keep {
        store.keep();
        println!("kept: {url}");
    }
    let mut conn = backend::establish(&parsed)?;
    if let livingroom::db::DbConn::Sqlite(_) = &conn {
        // What a clean stop of the server does: the log folded in, so the
        // file's size is the database's.
        conn.batch_execute("PRAGMA wal_checkpoint(TRUNCATE)")?;
    }
    let (bytes, bookings_bytes) = check::size(&mut conn, parsed.sqlite_path())?;
    let rows: i64 = livingroom::db::schema::bookings::table
        .count()
        .get_result(&mut conn)?;
    let site_years = shape.sites as f64 * (shape.days + FUTURE_DAYS) as f64 / 365.0;
    println!(
        "database: {:.0} MB{} for {rows} bookings: {:.2} MB per site-year, {:.0} bytes per booking",
        mb(bytes),
        bookings_bytes.map_or(String::new(), |b| format!(
            " (bookings with indexes {:.0} MB)",
            mb(b)
        )),
        mb(bytes) / site_years,
        bytes as f64 / rows.max(1) as f64,
    );
    let started = Instant::now();
    let (active, bad) = check::overlaps(&mut conn, None)?;
    println!(
        "no-overlap check of the whole database: {active} active bookings, {bad} overlapping ({:.1} s)",
        started.elapsed().as_secs_f64()
    );
    if bad != 0 {
        bail!("{bad} active bookings overlap another");
    }
    let sites = seed::layout(&mut conn)?;
    load::cli(
        &args.binary,
        &url,
        &["observer", "create", "--email", OBSERVER, "--password", PASSWORD],
    )?;
    if args.backup {
        backup(&parsed, &args.binary, &url)?;
    }

    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let mail =
        tempfile::Builder::new()
            .prefix("district-mail-")
            .tempdir_in(if Path::new("/dev/shm").is_dir() {
                Path::new("/dev/shm")
            } else {
                Path::new("/tmp")
            })?;
    println!(
        "{:<8} {:>4} {:>5} {:>9} {:>7} {:>7} {:>7} {:>6} | {:>7} {:>7} {:>7} {:>7} {:>7} | {:>8} {:>8} {:>8} {:>5} | {:>8} {:>11}",
        "db",
        "inst",
        "conns",
        "booked/s",
        "p50 ms",
        "p90 ms",
        "p99 ms",
        "errors",
        "av1 p50",
        "av1 p99",
        "av p50",
        "av p99",
        "av max",
        "app ms/b",
        "pg ms/b",
        "cli ms/b",
        "busy",
        "ready ms",
        "summary s",
    );
    for &n in &args.instances {
        let figures = rt.block_on(measure(&args, &url, &parsed, &sites, n, mail.path()))?;
        figures.print(&args)?;
    }
    Ok(())
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}

/// Times one backup of the idle database and prints its size.
fn backup(parsed: &DatabaseUrl, binary: &Path, url: &str) -> Result<()> {
    let dir = tempfile::Builder::new().prefix("district-backup-").tempdir()?;
    let target = dir.path().join("backup");
    let started = Instant::now();
    let what = match parsed.sqlite_path() {
        Some(_) => {
            load::cli(binary, url, &["backup", &target.to_string_lossy()])?;
            "livingroom backup"
        }
        None => {
            let status = std::process::Command::new("pg_dump")
                .args(["-Fc", "-f", &target.to_string_lossy(), url])
                .status()
                .context("running pg_dump")?;
            if !status.success() {
                bail!("pg_dump failed");
            }
            "pg_dump -Fc"
        }
    };
    println!(
        "backup ({what}): {:.1} s, {:.0} MB",
        started.elapsed().as_secs_f64(),
        mb(std::fs::metadata(&target)?.len())
    );
    Ok(())
}

/// What one measurement found.
struct Figures {
    db: &'static str,
    instances: usize,
    connections: usize,
    booked: u64,
    booked_per_sec: f64,
    lat: [f64; 3],
    errors: u64,
    /// Cold pass p50, p99; warm passes p50, p99, max (ms).
    avail: [f64; 5],
    avail_n: usize,
    /// The district summary across every site, twice (ms).
    summary_ms: Vec<f64>,
    spent: check::Spent,
    ready_ms: Vec<f64>,
}

impl Figures {
    fn print(&self, args: &Args) -> Result<()> {
        let per = |s: f64| s * 1000.0 / self.booked.max(1) as f64;
        let ready = self.ready_ms.iter().fold(0.0f64, |a, &b| a.max(b));
        println!(
            "{:<8} {:>4} {:>5} {:>9.0} {:>7.2} {:>7.2} {:>7.2} {:>6} | {:>7.2} {:>7.2} {:>7.2} {:>7.2} {:>7.2} | {:>8.3} {:>8} {:>8.3} {:>4.0}% | {:>8.0} {:>11}",
            self.db,
            self.instances,
            self.connections,
            self.booked_per_sec,
            self.lat[0],
            self.lat[1],
            self.lat[2],
            self.errors,
            self.avail[0],
            self.avail[1],
            self.avail[2],
            self.avail[3],
            self.avail[4],
            per(self.spent.apps),
            self.spent.pg.map_or("-".to_owned(), |s| format!("{:.3}", per(s))),
            per(self.spent.client),
            self.spent.machine_busy * 100.0,
            ready,
            self.summary_ms
                .iter()
                .map(|ms| format!("{:.1}", ms / 1000.0))
                .collect::<Vec<_>>()
                .join("/"),
        );
        if let Some(path) = &args.json {
            let line = json!({
                "date": Utc::now().to_rfc3339(), "db": self.db, "instances": self.instances,
                "connections": self.connections, "sites": args.sites, "days": args.days,
                "seconds": args.seconds, "booked": self.booked, "booked_per_sec": self.booked_per_sec,
                "p50_ms": self.lat[0], "p90_ms": self.lat[1], "p99_ms": self.lat[2], "errors": self.errors,
                "avail_cold_p50_ms": self.avail[0], "avail_cold_p99_ms": self.avail[1],
                "avail_p50_ms": self.avail[2], "avail_p99_ms": self.avail[3], "avail_max_ms": self.avail[4],
                "avail_requests": self.avail_n, "district_summary_ms": self.summary_ms,
                "app_cpu_s": self.spent.apps, "pg_cpu_s": self.spent.pg, "client_cpu_s": self.spent.client,
                "machine_busy": self.spent.machine_busy, "ready_ms": self.ready_ms,
            });
            let mut file = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
            writeln!(file, "{line}")?;
        }
        Ok(())
    }
}

async fn measure(
    args: &Args,
    url: &str,
    parsed: &DatabaseUrl,
    sites: &[seed::Site],
    n: usize,
    mail: &Path,
) -> Result<Figures> {
    let launch = Launch {
        binary: &args.binary,
        database_url: url,
        mail_dir: mail,
        pool_size: args.pool_size,
    };
    let mut instances = Vec::with_capacity(n);
    let mut ready_ms = Vec::with_capacity(n);
    for _ in 0..n {
        let (instance, ready) = load::start(&launch).await?;
        ready_ms.push(ready.as_secs_f64() * 1000.0);
        instances.push(instance);
    }
    let bases: Vec<String> = instances.iter().map(|i| i.base.clone()).collect();

    // Availability, with nothing else running.
    let client = reqwest::Client::new();
    let observer = load::login(&client, &bases[0], OBSERVER).await?;
    let bound = Duration::from_secs(args.seconds);
    let mut cold =
        load::availability_pass(&client, &bases[0], &observer, sites, Instant::now() + bound).await?;
    let mut warm = Vec::new();
    for _ in 0..args.passes {
        warm.extend(
            load::availability_pass(&client, &bases[0], &observer, sites, Instant::now() + bound).await?,
        );
    }
    cold.sort_unstable();
    warm.sort_unstable();
    let mut summary_ms = Vec::new();
    for _ in 0..2 {
        let (took, rows) = load::district_summary(&client, &bases[0], &observer).await?;
        if rows != sites.len() {
            bail!("the district summary has {rows} rows for {} sites", sites.len());
        }
        summary_ms.push(took.as_secs_f64() * 1000.0);
    }

    // Bookings: weeks ahead, after any earlier run's, within the desks'
    // 62 days of notice.
    let lanes = load::lanes(sites, &bases, args.connections).await?;
    let mut conn = backend::establish(parsed)?;
    let tz: chrono_tz::Tz = seed::ZONE.parse().map_err(|_| anyhow::anyhow!("zone"))?;
    let now = clock::now();
    let mut first = midnight(tz, local_date(tz, now) + Span::days(FUTURE_DAYS + 7));
    if let Some(last) = check::last_end(&mut conn, LOAD_PURPOSE)? {
        first = first.max(last.and_utc());
    }
    let horizon = now + Span::days(60);
    let max_slots = ((horizon - first).num_minutes() / load::SLOT_MINUTES).max(0) as u64;
    if max_slots < 10 {
        bail!("earlier runs used the desks' booking horizon: seed a fresh database");
    }
    let purpose = format!("{LOAD_PURPOSE} {}", Utc::now().format("%Y%m%dT%H%M%S"));
    let pids: Vec<u32> = instances.iter().map(load::Instance::pid).collect();
    let before = check::Cpu::now(&pids, &mut conn)?;
    let load = load::drive(lanes, first, max_slots, args.seconds, purpose.clone()).await?;
    let after = check::Cpu::now(&pids, &mut conn)?;
    for instance in instances {
        instance.stop()?;
    }

    let (all, confirmed) = check::stored(&mut conn, &purpose)?;
    if all as u64 != load.ok || confirmed != all {
        bail!(
            "{} bookings acknowledged, {all} stored, {confirmed} of them confirmed",
            load.ok
        );
    }
    let desks: Vec<i64> = (0..args.connections)
        .map(|i| {
            let (site, _, desk) = load::lane_plan(sites, args.connections, i);
            sites[site].desks[desk]
        })
        .collect();
    let (_, bad) = check::overlaps(&mut conn, Some(&desks))?;
    if bad != 0 {
        bail!("{bad} bookings on the loaded desks overlap another");
    }

    let mut lat = load.latencies_us;
    lat.sort_unstable();
    Ok(Figures {
        db: match args.db {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        },
        instances: n,
        connections: args.connections,
        booked: load.ok,
        booked_per_sec: load.ok as f64 / load.elapsed.as_secs_f64(),
        lat: [pct_ms(&lat, 0.50), pct_ms(&lat, 0.90), pct_ms(&lat, 0.99)],
        errors: load.errors,
        avail: [
            pct_ms(&cold, 0.50),
            pct_ms(&cold, 0.99),
            pct_ms(&warm, 0.50),
            pct_ms(&warm, 0.99),
            warm.last().map_or(f64::NAN, |&m| m as f64 / 1000.0),
        ],
        avail_n: cold.len() + warm.len(),
        summary_ms,
        spent: before.until(&after, parsed.sqlite_path().is_none()),
        ready_ms,
    })
}
