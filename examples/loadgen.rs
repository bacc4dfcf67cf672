//! The load generator: books as fast as N connections can through the real
//! API, and through a minimal reference server in the same run, then checks
//! that every acknowledged booking is stored and no two overlap.
//!
//! ```text
//! cargo build --release
//! cargo run --release --example loadgen -- --connections 1,8,64 --seconds 10
//! cargo run --release --example loadgen -- --db postgres --target api
//! ```
//!
//! Each measurement starts a fresh server process (the release binary, or
//! this program's own `minimal-server`) on a fresh database, so the figures
//! of one run are comparable with each other. With `--db postgres` both
//! run on PostgreSQL: the minimal server then takes the resource's advisory
//! lock, counts overlaps and inserts, in one transaction per request. `docs/performance.md` explains
//! the method; `docs/perf/chart.py` draws the `--json` output.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Duration as Span, NaiveDateTime, TimeZone, Utc};
use clap::{Parser, Subcommand, ValueEnum};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use serde_json::{Value, json};

#[derive(Parser, Debug)]
#[command(about = "Booking load generator for livingroom")]
struct Cli {
    #[command(subcommand)]
    command: Option<Sub>,
    #[command(flatten)]
    run: RunArgs,
}

#[derive(Subcommand, Debug)]
enum Sub {
    /// The reference floor: actix-web, one SQLite file in WAL mode, one
    /// `BEGIN IMMEDIATE` per request doing an overlap SELECT and an INSERT.
    /// With `--pg-url`, the same on PostgreSQL: one transaction per request
    /// taking the resource's advisory lock, then the SELECT and the INSERT.
    MinimalServer {
        #[arg(long)]
        db: Option<PathBuf>,
        #[arg(long)]
        pg_url: Option<String>,
        #[arg(long)]
        bind: String,
        #[arg(long, default_value = "full")]
        synchronous: Sync,
        /// How writers reach SQLite: one connection behind a mutex, or a
        /// pool whose writers wait in SQLite's busy handler.
        #[arg(long, value_enum, default_value = "single-writer")]
        floor: Floor,
    },
}

#[derive(clap::Args, Debug)]
struct RunArgs {
    /// Which servers to load.
    #[arg(long, value_enum, default_value = "both")]
    target: Target,
    /// The database behind the real API.
    #[arg(long, value_enum, default_value = "sqlite")]
    db: Db,
    /// Connection counts to measure, comma-separated.
    #[arg(long, default_value = "1,8,64", value_delimiter = ',')]
    connections: Vec<usize>,
    /// Seconds of load per measurement.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// The server binary to load.
    #[arg(long, default_value = "target/release/livingroom")]
    binary: PathBuf,
    /// PostgreSQL to create the measurement databases in.
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/test")]
    pg_url: String,
    /// The minimal server's `synchronous` setting.
    #[arg(long, value_enum, default_value = "full")]
    synchronous: Sync,
    /// Append one JSON object per measurement to this file.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Where the API's mail files go (a fresh directory inside it per
    /// measurement). Default: tmpfs (`/dev/shm`) when the machine has one,
    /// else beside the database. Delivering mail is not what is measured
    /// (in production it leaves over SMTP); on a disk whose file system has
    /// just deleted the last runs' hundreds of thousands of messages,
    /// creating a file per message cost a quarter of both cores.
    #[arg(long)]
    mail_dir: Option<PathBuf>,
    /// The SQLite floor: `single-writer` (the least work a correct server
    /// must do: writers queued in-process on one connection) or `pooled`
    /// (writers sleeping in SQLite's busy handler; a weaker reference,
    /// kept only to compare with the figures of earlier sessions).
    #[arg(long, value_enum, default_value = "single-writer")]
    floor: Floor,
    /// Who drives the load: `wrk` (C, the cheapest client, so the servers
    /// get the most of the shared cores) or this program's own `reqwest`
    /// connections. Both servers of a run always get the same client.
    #[arg(long, value_enum, default_value = "wrk")]
    client: Client,
    /// The desks' rules in the API: `open` (no check-in, which takes the
    /// site's lock shared) or `default` (check-in required, as desks and
    /// computers are by default).
    #[arg(long, value_enum, default_value = "open", value_delimiter = ',')]
    rules: Vec<DeskRules>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Floor {
    SingleWriter,
    Pooled,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Client {
    Wrk,
    Reqwest,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum DeskRules {
    Open,
    Default,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Target {
    Api,
    Minimal,
    Both,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Db {
    Sqlite,
    Postgres,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Sync {
    Full,
    Normal,
}

impl Sync {
    fn pragma(self) -> &'static str {
        match self {
            Sync::Full => "FULL",
            Sync::Normal => "NORMAL",
        }
    }
}

const JWT_SECRET: &str = "loadgen-secret-loadgen-secret-loadgen-secret";
const PASSWORD: &str = "load-password-1";
const SLOT_MINUTES: i64 = 15;
/// Slots one resource offers inside the resource's booking horizon.
const SLOTS_PER_RESOURCE: u64 = 390 * 24 * 60 / SLOT_MINUTES as u64;

fn main() -> Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Some(Sub::MinimalServer {
            db,
            pg_url,
            bind,
            synchronous,
            floor,
        }) => match (db, pg_url) {
            (_, Some(url)) => minimal::serve_postgres(&url, &bind),
            (Some(db), None) => minimal::serve(&db, &bind, synchronous, floor),
            (None, None) => bail!("minimal-server needs --db FILE or --pg-url URL"),
        },
        None => run(cli.run),
    }
}

fn run(args: RunArgs) -> Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let flush = flush_probe(200)?;
    println!(
        "disk flush (4 KiB appended + fdatasync, where the databases live), {} times: p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms",
        flush.len(),
        percentile(&flush, 0.50),
        percentile(&flush, 0.90),
        percentile(&flush, 0.99)
    );
    println!(
        "{:<8} {:<8} {:>5} {:>10} {:>8} {:>8} {:>8} {:>7} {:>9} {:>9} {:>9} {:>9}",
        "server",
        "db",
        "conns",
        "booked/s",
        "p50 ms",
        "p90 ms",
        "p99 ms",
        "errors",
        "rss start",
        "rss idle",
        "rss peak",
        "ready ms"
    );
    for &connections in &args.connections {
        if matches!(args.target, Target::Minimal | Target::Both) {
            let figures = rt.block_on(measure_minimal(&args, connections))?;
            report(&args, &figures)?;
        }
        if matches!(args.target, Target::Api | Target::Both) {
            for &rules in &args.rules {
                let figures = rt.block_on(measure_api(&args, connections, rules))?;
                report(&args, &figures)?;
            }
        }
    }
    Ok(())
}

/// Times `n` durable appends in the directory the SQLite databases are
/// made in: what one commit with `synchronous=FULL` must wait for at least.
/// No server at one connection can answer faster than this, so the 1
/// connection figures are read against it. Milliseconds, sorted.
fn flush_probe(n: usize) -> Result<Vec<f64>> {
    use std::io::Write as _;
    let dir = tempfile::tempdir()?;
    let mut file = std::fs::File::create(dir.path().join("flush-probe"))?;
    let block = [0x5au8; 4096];
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        file.write_all(&block)?;
        file.sync_data()?;
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    Ok(times)
}

/// The `q` quantile of sorted `values` (nearest rank).
fn percentile(values: &[f64], q: f64) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let rank = ((values.len() as f64) * q).ceil() as usize;
    values[rank.clamp(1, values.len()) - 1]
}

/// What one measurement found.
struct Figures {
    server: &'static str,
    db: &'static str,
    connections: usize,
    booked_per_sec: f64,
    p50_ms: f64,
    p90_ms: f64,
    p99_ms: f64,
    errors: u64,
    /// Resident memory just after start-up, before any request.
    rss_start_mb: Option<f64>,
    /// After setting up the site (users signed in), before the load.
    rss_idle_mb: Option<f64>,
    rss_peak_mb: Option<f64>,
    ready_ms: Option<f64>,
}

fn report(args: &RunArgs, f: &Figures) -> Result<()> {
    let opt = |v: Option<f64>| v.map(|v| format!("{v:.1}")).unwrap_or_else(|| "-".into());
    println!(
        "{:<8} {:<8} {:>5} {:>10.0} {:>8.2} {:>8.2} {:>8.2} {:>7} {:>9} {:>9} {:>9} {:>9}",
        f.server,
        f.db,
        f.connections,
        f.booked_per_sec,
        f.p50_ms,
        f.p90_ms,
        f.p99_ms,
        f.errors,
        opt(f.rss_start_mb),
        opt(f.rss_idle_mb),
        opt(f.rss_peak_mb),
        opt(f.ready_ms),
    );
    if let Some(path) = &args.json {
        let line = json!({
            "server": f.server, "db": f.db, "connections": f.connections,
            "booked_per_sec": f.booked_per_sec, "p50_ms": f.p50_ms, "p90_ms": f.p90_ms,
            "p99_ms": f.p99_ms, "errors": f.errors, "rss_start_mb": f.rss_start_mb, "rss_idle_mb": f.rss_idle_mb,
            "rss_peak_mb": f.rss_peak_mb, "ready_ms": f.ready_ms,
        });
        let mut file = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
        writeln!(file, "{line}")?;
    }
    Ok(())
}

/// A server process that is killed when dropped.
struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn rss_mb(&self) -> Option<f64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
        let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kb / 1024.0)
    }

    /// Asks the server to stop (SIGTERM) and waits for it.
    fn stop(mut self) -> Result<()> {
        Command::new("kill").arg(self.child.id().to_string()).status()?;
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if self.child.try_wait()?.is_some() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        bail!("server did not stop within 20 s of SIGTERM")
    }
}

fn free_port() -> Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

/// Polls `url` until it answers 2xx; returns how long that took.
async fn wait_ready(client: &reqwest::Client, url: &str, since: Instant) -> Result<Duration> {
    let deadline = since + Duration::from_secs(30);
    loop {
        if let Ok(res) = client.get(url).send().await
            && res.status().is_success()
        {
            return Ok(since.elapsed());
        }
        if Instant::now() > deadline {
            bail!("{url} did not become ready within 30 s");
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

/// Where a measurement's database lives, dropped afterwards.
enum Store {
    Sqlite(tempfile::TempDir),
    Postgres {
        admin: String,
        name: String,
        url: String,
    },
}

impl Store {
    fn new(db: Db, pg_url: &str) -> Result<Store> {
        match db {
            Db::Sqlite => Ok(Store::Sqlite(tempfile::tempdir()?)),
            Db::Postgres => {
                let name = format!("loadgen_{}", uuid::Uuid::new_v4().simple());
                let mut admin = PgConnection::establish(pg_url)?;
                admin.batch_execute(&format!("CREATE DATABASE {name}"))?;
                let base = pg_url.rsplit_once('/').map(|(b, _)| b).unwrap_or(pg_url);
                Ok(Store::Postgres {
                    admin: pg_url.to_owned(),
                    url: format!("{base}/{name}"),
                    name,
                })
            }
        }
    }

    fn url(&self) -> String {
        match self {
            Store::Sqlite(dir) => format!("sqlite://{}", dir.path().join("livingroom.db").display()),
            Store::Postgres { url, .. } => url.clone(),
        }
    }

    fn dir(&self) -> PathBuf {
        match self {
            Store::Sqlite(dir) => dir.path().to_owned(),
            Store::Postgres { .. } => std::env::temp_dir(),
        }
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        if let Store::Postgres { admin, name, .. } = self
            && let Ok(mut conn) = PgConnection::establish(admin)
        {
            let _ = conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}

/// A fresh directory for one measurement's mail files (see `--mail-dir`).
fn mail_dir(args: &RunArgs, store: &Store) -> Result<tempfile::TempDir> {
    let shm = Path::new("/dev/shm");
    let parent = match &args.mail_dir {
        Some(dir) => dir.clone(),
        None if shm.is_dir() => shm.to_owned(),
        None => store.dir(),
    };
    Ok(tempfile::Builder::new()
        .prefix("loadgen-mail-")
        .tempdir_in(parent)?)
}

fn spawn_api(binary: &Path, store: &Store, port: u16, mail: &Path) -> Result<Server> {
    let child = Command::new(binary)
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .env("DATABASE_URL", store.url())
        .env("LIVINGROOM_JWT_SECRET", JWT_SECRET)
        .env("LIVINGROOM_MAIL_DIR", mail)
        // Every lane signs in from 127.0.0.1: the per-address sign-in
        // budget is for people, not for this one client.
        .env("LIVINGROOM_SIGN_IN_BURST", "100000")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .with_context(|| format!("starting {}", binary.display()))?;
    Ok(Server {
        child,
        base: format!("http://127.0.0.1:{port}"),
    })
}

/// Signs in and returns the access token.
async fn login(client: &reqwest::Client, base: &str, email: &str) -> Result<String> {
    let res = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await?;
    let status = res.status();
    let body: Value = res.json().await?;
    if !status.is_success() {
        bail!("login of {email}: {status} {body}");
    }
    Ok(body["access_token"]
        .as_str()
        .context("no access_token")?
        .to_owned())
}

async fn post_ok(client: &reqwest::Client, url: &str, token: &str, body: Value) -> Result<Value> {
    let res = client.post(url).bearer_auth(token).json(&body).send().await?;
    let status = res.status();
    let answer: Value = res.json().await.unwrap_or(Value::Null);
    if !status.is_success() {
        bail!("POST {url}: {status} {answer}");
    }
    Ok(answer)
}

/// One connection's plan: whose token, which resource, and the request to send.
struct Lane {
    token: Option<String>,
    url: String,
    resource_id: i64,
}

async fn measure_api(args: &RunArgs, connections: usize, rules: DeskRules) -> Result<Figures> {
    let store = Store::new(args.db, &args.pg_url)?;
    let status = Command::new(&args.binary)
        .args([
            "operator",
            "create",
            "--email",
            "op@load.example",
            "--password",
            PASSWORD,
        ])
        .env("DATABASE_URL", store.url())
        .env("LIVINGROOM_JWT_SECRET", JWT_SECRET)
        .stdout(Stdio::null())
        .status()
        .with_context(|| format!("running {}", args.binary.display()))?;
    if !status.success() {
        bail!("operator create failed");
    }
    let port = free_port()?;
    let mail = mail_dir(args, &store)?;
    let server = spawn_api(&args.binary, &store, port, mail.path())?;
    let client = reqwest::Client::new();
    let base = server.base.clone();
    wait_ready(&client, &format!("{base}/readyz"), Instant::now()).await?;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let rss_start = server.rss_mb();

    let op = login(&client, &base, "op@load.example").await?;
    post_ok(
        &client,
        &format!("{base}/api/v1/sites"),
        &op,
        json!({"name": "Load test committee", "slug": "load"}),
    )
    .await?;
    let site = format!("{base}/api/v1/sites/load");
    let mut lanes = Vec::new();
    for i in 0..connections {
        let email = format!("worker{i}@load.example");
        post_ok(
            &client,
            &format!("{site}/members"),
            &op,
            json!({"email": email, "name": format!("Worker {i}"), "roles": ["staff"], "password": PASSWORD}),
        )
        .await?;
        let resource = post_ok(
            &client,
            &format!("{site}/resources"),
            &op,
            json!({
                "name": format!("Desk {i}"), "kind": "desk",
                "rules": {
                    "slot_minutes": SLOT_MINUTES, "min_minutes": SLOT_MINUTES, "max_minutes": 60,
                    "max_advance_days": 400, "min_notice_minutes": 0,
                    "max_bookings_per_user_per_week": null,
                    "check_in_required": rules == DeskRules::Default,
                    "requires_approval": false, "buffer_minutes": 0
                }
            }),
        )
        .await?;
        let token = login(&client, &base, &email).await?;
        lanes.push(Lane {
            token: Some(token),
            url: format!("{site}/bookings"),
            resource_id: resource["id"].as_i64().context("resource id")?,
        });
    }
    // Lift the per-person booking cap: these workers book far more than a
    // person would.
    let res = client
        .patch(&site)
        .bearer_auth(&op)
        .json(&json!({"max_future_bookings_per_person": null}))
        .send()
        .await?;
    if !res.status().is_success() {
        bail!(
            "lifting the per-person cap: {} {}",
            res.status(),
            res.text().await?
        );
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_idle = server.rss_mb();

    let first = first_slot();
    let (load, rss_peak) = match args.client {
        Client::Reqwest => {
            drive(&server, lanes, args.seconds, move |lane, k| {
                let start = first + Span::minutes(SLOT_MINUTES * k as i64);
                json!({
                    "resource_id": lane.resource_id,
                    "starts_at": start.to_rfc3339(),
                    "ends_at": (start + Span::minutes(SLOT_MINUTES)).to_rfc3339(),
                    "purpose": "load test",
                })
            })
            .await?
        }
        Client::Wrk => wrk::drive(&server, &lanes, args.seconds, wrk::Times::Rfc3339, first)?,
    };
    server.stop()?;

    // Start-up to ready on the now-migrated database.
    let since = Instant::now();
    let server = spawn_api(&args.binary, &store, free_port()?, mail.path())?;
    let ready = wait_ready(&client, &format!("{}/readyz", server.base), since).await?;
    server.stop()?;

    let stored = verify_api(&store.url())?;
    load.check_stored(stored, "api")?;
    Ok(load.figures(
        match rules {
            DeskRules::Open => "api",
            DeskRules::Default => "api-ci",
        },
        match args.db {
            Db::Sqlite => "sqlite",
            Db::Postgres => "postgres",
        },
        connections,
        [rss_start, rss_idle, rss_peak],
        Some(ready.as_secs_f64() * 1000.0),
    ))
}

/// The first slot booked: the start of the next UTC day, so every slot is
/// in the future and on the quarter-hour grid of any whole-hour time zone.
fn first_slot() -> DateTime<Utc> {
    let tomorrow = (Utc::now() + Span::days(1)).date_naive();
    Utc.from_utc_datetime(&tomorrow.and_hms_opt(0, 0, 0).expect("midnight"))
}

/// Reads back every active booking of the real API's database: counts them
/// and fails if two on one resource overlap.
fn verify_api(url: &str) -> Result<u64> {
    use livingroom::db::schema::bookings;
    let parsed = livingroom::db::DatabaseUrl::parse(url)?;
    let mut conn = livingroom::db::backend::establish(&parsed)?;
    let rows: Vec<(i64, NaiveDateTime, NaiveDateTime)> = bookings::table
        .filter(bookings::status.eq_any(livingroom::domain::booking::ACTIVE_STATUSES))
        .select((bookings::resource_id, bookings::starts_at, bookings::ends_at))
        .load(&mut conn)?;
    let rows: Vec<(i64, i64, i64)> = rows
        .into_iter()
        .map(|(r, s, e)| (r, s.and_utc().timestamp(), e.and_utc().timestamp()))
        .collect();
    no_overlaps(rows)
}

/// Sorted by resource and start, a half-open interval overlaps an earlier
/// one exactly when it starts before the latest end seen so far.
fn no_overlaps(mut rows: Vec<(i64, i64, i64)>) -> Result<u64> {
    rows.sort_unstable();
    let mut last: Option<(i64, i64)> = None;
    for &(resource, start, end) in &rows {
        if let Some((r, latest_end)) = last
            && r == resource
            && start < latest_end
        {
            bail!("two bookings overlap on resource {resource} at {start}");
        }
        let latest = match last {
            Some((r, e)) if r == resource => e.max(end),
            _ => end,
        };
        last = Some((resource, latest));
    }
    Ok(rows.len() as u64)
}

async fn measure_minimal(args: &RunArgs, connections: usize) -> Result<Figures> {
    // On the same database as the API under `--db`, so the ratio compares
    // like with like.
    let store = Store::new(args.db, &args.pg_url)?;
    let db = store.dir().join("minimal.db");
    let port = free_port()?;
    let exe = std::env::current_exe()?;
    let mut command = Command::new(exe);
    command.args(["minimal-server", "--bind", &format!("127.0.0.1:{port}")]);
    match &store {
        Store::Sqlite(_) => command.args([
            "--db",
            &db.to_string_lossy(),
            "--synchronous",
            match args.synchronous {
                Sync::Full => "full",
                Sync::Normal => "normal",
            },
        ]),
        Store::Postgres { url, .. } => command.args(["--pg-url", url]),
    };
    command.args([
        "--floor",
        match args.floor {
            Floor::SingleWriter => "single-writer",
            Floor::Pooled => "pooled",
        },
    ]);
    let child = command.stdout(Stdio::null()).spawn()?;
    let server = Server {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    let client = reqwest::Client::new();
    wait_ready(&client, &format!("{}/ready", server.base), Instant::now()).await?;
    let rss_start = server.rss_mb();
    let lanes = (0..connections)
        .map(|i| Lane {
            token: None,
            url: format!("{}/bookings", server.base),
            resource_id: i as i64 + 1,
        })
        .collect();
    let first = first_slot();
    let (load, rss_peak) = match args.client {
        Client::Reqwest => {
            let first = first.timestamp();
            drive(&server, lanes, args.seconds, move |lane, k| {
                let start = first + SLOT_MINUTES * 60 * k as i64;
                json!({"resource_id": lane.resource_id, "starts_at": start, "ends_at": start + SLOT_MINUTES * 60})
            })
            .await?
        }
        Client::Wrk => wrk::drive(&server, &lanes, args.seconds, wrk::Times::Epoch, first)?,
    };
    server.stop()?;
    let query = diesel::sql_query("SELECT resource_id, starts_at, ends_at FROM bookings");
    let rows: Vec<minimal::Row> = match &store {
        Store::Sqlite(_) => query.load(&mut SqliteConnection::establish(&db.to_string_lossy())?)?,
        Store::Postgres { url, .. } => query.load(&mut PgConnection::establish(url)?)?,
    };
    let stored = no_overlaps(
        rows.into_iter()
            .map(|r| (r.resource_id, r.starts_at, r.ends_at))
            .collect(),
    )?;
    load.check_stored(stored, "minimal")?;
    let name = match (args.db, args.floor, args.synchronous) {
        (Db::Postgres, _, _) => "minimal",
        (_, Floor::SingleWriter, Sync::Full) => "minimal",
        (_, Floor::SingleWriter, Sync::Normal) => "min-norm",
        (_, Floor::Pooled, Sync::Full) => "pooled",
        (_, Floor::Pooled, Sync::Normal) => "pool-norm",
    };
    let db_name = match &store {
        Store::Sqlite(_) => "sqlite",
        Store::Postgres { .. } => "postgres",
    };
    Ok(load.figures(name, db_name, connections, [rss_start, rss_start, rss_peak], None))
}

/// What the connections of one measurement did.
struct Load {
    ok: u64,
    errors: u64,
    elapsed: Duration,
    latencies_us: Vec<u32>,
    /// Requests the client gave up on when time ran out: the server may
    /// have stored them without the client seeing the 201 (wrk only).
    unanswered: u64,
    /// Percentiles the client measured itself (wrk), in ms, instead of
    /// `latencies_us`.
    percentiles_ms: Option<[f64; 3]>,
}

impl Load {
    /// Every acknowledged booking must be stored; more may be, but only
    /// as many as were in flight when the client stopped.
    fn check_stored(&self, stored: u64, server: &str) -> Result<()> {
        if stored < self.ok || stored > self.ok + self.unanswered {
            bail!(
                "{server}: {} acknowledged, {} unanswered at the end, but {stored} stored",
                self.ok,
                self.unanswered
            );
        }
        Ok(())
    }

    fn figures(
        self,
        server: &'static str,
        db: &'static str,
        connections: usize,
        [rss_start_mb, rss_idle_mb, rss_peak_mb]: [Option<f64>; 3],
        ready_ms: Option<f64>,
    ) -> Figures {
        let mut lat = self.latencies_us;
        lat.sort_unstable();
        let pct = |p: f64| -> f64 {
            if lat.is_empty() {
                return 0.0;
            }
            let i = ((lat.len() as f64 * p).ceil() as usize).clamp(1, lat.len()) - 1;
            lat[i] as f64 / 1000.0
        };
        let [p50_ms, p90_ms, p99_ms] = self
            .percentiles_ms
            .unwrap_or_else(|| [pct(0.50), pct(0.90), pct(0.99)]);
        Figures {
            server,
            db,
            connections,
            booked_per_sec: self.ok as f64 / self.elapsed.as_secs_f64(),
            p50_ms,
            p90_ms,
            p99_ms,
            errors: self.errors,
            rss_start_mb,
            rss_idle_mb,
            rss_peak_mb,
            ready_ms,
        }
    }
}

/// Runs every lane on its own HTTP connection for `seconds`, sampling the
/// server's memory meanwhile; returns the load and the peak RSS.
async fn drive(
    server: &Server,
    lanes: Vec<Lane>,
    seconds: u64,
    body: impl Fn(&Lane, u64) -> Value + Send + std::marker::Sync + 'static,
) -> Result<(Load, Option<f64>)> {
    let body = Arc::new(body);
    let stop = Arc::new(AtomicBool::new(false));
    let errors = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for lane in lanes {
        let (body, stop, errors) = (body.clone(), stop.clone(), errors.clone());
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::builder()
                .pool_max_idle_per_host(1)
                .build()
                .expect("client");
            let mut latencies = Vec::with_capacity(1 << 14);
            let mut ok = 0u64;
            let mut k = 0u64;
            while !stop.load(Ordering::Relaxed) && k < SLOTS_PER_RESOURCE {
                let mut req = client.post(&lane.url).json(&body(&lane, k));
                if let Some(token) = &lane.token {
                    req = req.bearer_auth(token);
                }
                let t = Instant::now();
                let res = req.send().await;
                let status = match res {
                    Ok(res) => {
                        let status = res.status().as_u16();
                        let _ = res.bytes().await;
                        status
                    }
                    Err(_) => 0,
                };
                latencies.push(t.elapsed().as_micros().min(u32::MAX as u128) as u32);
                if status == 201 {
                    ok += 1;
                } else {
                    if errors.fetch_add(1, Ordering::Relaxed) == 0 {
                        eprintln!("first error: HTTP {status}");
                    }
                }
                k += 1;
            }
            (ok, latencies)
        }));
    }
    let mut peak: Option<f64> = None;
    while started.elapsed() < Duration::from_secs(seconds) {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if let Some(rss) = server.rss_mb() {
            peak = Some(peak.map_or(rss, |p: f64| p.max(rss)));
        }
    }
    stop.store(true, Ordering::Relaxed);
    let mut load = Load {
        ok: 0,
        errors: 0,
        elapsed: Duration::ZERO,
        latencies_us: Vec::new(),
        unanswered: 0,
        percentiles_ms: None,
    };
    for task in tasks {
        let (ok, latencies) = task.await?;
        load.ok += ok;
        load.latencies_us.extend(latencies);
    }
    load.elapsed = started.elapsed();
    load.errors = errors.load(Ordering::Relaxed);
    Ok((load, peak))
}

/// The reference server: the floor any booking server with the same
/// durability must pay, and nothing more.
mod minimal {
    use super::*;
    use actix_web::{App, HttpResponse, HttpServer, web};
    use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool};
    use diesel::sql_types::BigInt;

    #[derive(QueryableByName)]
    pub struct Row {
        #[diesel(sql_type = BigInt)]
        pub resource_id: i64,
        #[diesel(sql_type = BigInt)]
        pub starts_at: i64,
        #[diesel(sql_type = BigInt)]
        pub ends_at: i64,
    }

    #[derive(serde::Deserialize)]
    struct NewBooking {
        resource_id: i64,
        starts_at: i64,
        ends_at: i64,
    }

    #[derive(Debug)]
    struct Pragmas(&'static str);

    impl CustomizeConnection<SqliteConnection, diesel::r2d2::Error> for Pragmas {
        fn on_acquire(&self, conn: &mut SqliteConnection) -> Result<(), diesel::r2d2::Error> {
            conn.batch_execute(&format!(
                "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; PRAGMA synchronous = {};",
                self.0
            ))
            .map_err(diesel::r2d2::Error::QueryError)
        }
    }

    type SqlitePool = Pool<ConnectionManager<SqliteConnection>>;
    type PgPool = Pool<ConnectionManager<PgConnection>>;

    diesel::table! {
        bookings (id) {
            id -> BigInt,
            resource_id -> BigInt,
            starts_at -> BigInt,
            ends_at -> BigInt,
        }
    }

    /// The database behind the minimal server.
    enum Backend {
        /// One connection; writers queue for it in-process.
        SingleWriter(std::sync::Mutex<SqliteConnection>),
        Pooled(SqlitePool),
        Postgres(PgPool),
    }

    /// The overlap check and the insert, as prepared statements diesel
    /// caches on the connection (parsed once, as a careful server would).
    /// A macro because the statements' types differ per backend.
    macro_rules! check_and_insert {
        ($conn:expr, $b:expr) => {{
            let taken: i64 = bookings::table
                .filter(bookings::resource_id.eq($b.resource_id))
                .filter(bookings::starts_at.lt($b.ends_at))
                .filter(bookings::ends_at.gt($b.starts_at))
                .count()
                .get_result($conn)?;
            if taken > 0 {
                Ok(false)
            } else {
                diesel::insert_into(bookings::table)
                    .values((
                        bookings::resource_id.eq($b.resource_id),
                        bookings::starts_at.eq($b.starts_at),
                        bookings::ends_at.eq($b.ends_at),
                    ))
                    .execute($conn)?;
                Ok::<_, diesel::result::Error>(true)
            }
        }};
    }

    /// SQLite's floor done well: one connection, writers queued on a
    /// mutex (no busy handler, no sleeping), one `BEGIN IMMEDIATE` and a
    /// durable commit per request.
    fn book_single(conn: &std::sync::Mutex<SqliteConnection>, b: &NewBooking) -> Result<bool> {
        let mut conn = conn.lock().map_err(|_| anyhow::anyhow!("poisoned"))?;
        Ok(conn.immediate_transaction(|conn| check_and_insert!(conn, b))?)
    }

    /// The pooled floor of earlier sessions, kept to compare with their
    /// figures: `BEGIN IMMEDIATE` admits one writer and the others sleep
    /// in SQLite's busy handler. Weaker than the single writer.
    fn book_pooled(pool: &SqlitePool, b: &NewBooking) -> Result<bool> {
        let mut conn = pool.get()?;
        Ok(conn.immediate_transaction(|conn| check_and_insert!(conn, b))?)
    }

    /// PostgreSQL's floor: no `BEGIN IMMEDIATE` there, so the resource's
    /// advisory lock keeps two requests for one resource apart, as the
    /// API's locks do; four round trips and a durable commit.
    fn book_postgres(pool: &PgPool, b: &NewBooking) -> Result<bool> {
        let mut conn = pool.get()?;
        Ok(conn.transaction(|conn| {
            diesel::sql_query("SELECT pg_advisory_xact_lock($1)")
                .bind::<BigInt, _>(b.resource_id)
                .execute(conn)?;
            check_and_insert!(conn, b)
        })?)
    }

    async fn book(floor: web::Data<Backend>, body: web::Json<NewBooking>) -> HttpResponse {
        let b = body.into_inner();
        let outcome = web::block(move || match floor.get_ref() {
            Backend::SingleWriter(conn) => book_single(conn, &b),
            Backend::Pooled(pool) => book_pooled(pool, &b),
            Backend::Postgres(pool) => book_postgres(pool, &b),
        })
        .await;
        match outcome {
            Ok(Ok(true)) => HttpResponse::Created().finish(),
            Ok(Ok(false)) => HttpResponse::Conflict().finish(),
            _ => HttpResponse::InternalServerError().finish(),
        }
    }

    fn serve_http(floor: Backend, bind: &str) -> Result<()> {
        let floor = web::Data::new(floor);
        actix_web::rt::System::new().block_on(async move {
            HttpServer::new(move || {
                App::new()
                    .app_data(floor.clone())
                    .route("/ready", web::get().to(HttpResponse::Ok))
                    .route("/bookings", web::post().to(book))
            })
            .bind(bind)?
            .run()
            .await
        })?;
        Ok(())
    }

    pub fn serve_postgres(url: &str, bind: &str) -> Result<()> {
        let mut conn = PgConnection::establish(url)?;
        conn.batch_execute(
            "CREATE TABLE IF NOT EXISTS bookings (id BIGSERIAL PRIMARY KEY, resource_id BIGINT NOT NULL,
                 starts_at BIGINT NOT NULL, ends_at BIGINT NOT NULL);
             CREATE INDEX IF NOT EXISTS bookings_by_resource ON bookings (resource_id, starts_at);",
        )?;
        drop(conn);
        // The API's default pool size.
        let pool = Pool::builder()
            .max_size(16)
            .build(ConnectionManager::<PgConnection>::new(url))?;
        serve_http(Backend::Postgres(pool), bind)
    }

    pub fn serve(db: &Path, bind: &str, synchronous: Sync, floor: super::Floor) -> Result<()> {
        let mut conn = SqliteConnection::establish(&db.to_string_lossy())?;
        conn.batch_execute(
            "PRAGMA journal_mode = WAL;
             CREATE TABLE IF NOT EXISTS bookings (id INTEGER PRIMARY KEY, resource_id INTEGER NOT NULL,
                 starts_at INTEGER NOT NULL, ends_at INTEGER NOT NULL);
             CREATE INDEX IF NOT EXISTS bookings_by_resource ON bookings (resource_id, starts_at);",
        )?;
        let backend = match floor {
            super::Floor::SingleWriter => {
                conn.batch_execute(&format!("PRAGMA synchronous = {};", synchronous.pragma()))?;
                Backend::SingleWriter(std::sync::Mutex::new(conn))
            }
            super::Floor::Pooled => {
                drop(conn);
                Backend::Pooled(
                    Pool::builder()
                        .max_size(16)
                        .connection_customizer(Box::new(Pragmas(synchronous.pragma())))
                        .build(ConnectionManager::<SqliteConnection>::new(db.to_string_lossy()))?,
                )
            }
        };
        serve_http(backend, bind)
    }
}

/// `wrk` as the client: written in C and event-driven, it takes the least
/// of the two cores the servers share with it, so what is measured is the
/// server. Its Lua script gives each connection's requests to one lane (a
/// person and her desk) in turn, each on the lane's next 15-minute slot.
mod wrk {
    use super::*;
    use std::fmt::Write as _;

    /// How the servers want instants: the API RFC 3339, the minimal server
    /// seconds since the epoch.
    pub enum Times {
        Rfc3339,
        Epoch,
    }

    fn script(lanes: &[Lane], path: &str, times: &Times, first: DateTime<Utc>) -> String {
        let mut table = String::new();
        for lane in lanes {
            let token = lane.token.as_deref().unwrap_or("");
            let _ = writeln!(
                table,
                "  {{ token = \"{token}\", resource = {} }},",
                lane.resource_id
            );
        }
        let body = match times {
            Times::Rfc3339 => {
                r#"'{"resource_id":' .. lane.resource .. ',"starts_at":"' .. os.date("!%Y-%m-%dT%H:%M:%SZ", s) .. '","ends_at":"' .. os.date("!%Y-%m-%dT%H:%M:%SZ", s + slot) .. '","purpose":"load test"}'"#
            }
            Times::Epoch => {
                r#"'{"resource_id":' .. lane.resource .. ',"starts_at":' .. s .. ',"ends_at":' .. (s + slot) .. '}'"#
            }
        };
        format!(
            r#"
local lanes = {{
{table}}}
local first = {first}
local slot = {slot}
local path = "{path}"
local threads = {{}}
local counter = 0

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  mine = {{}}
  for i, lane in ipairs(lanes) do
    if (i - 1) % counter_total == tid then table.insert(mine, lane) end
  end
  n = 0
  ok = 0
  bad = 0
  firstbad = 0
end

function request()
  local m = #mine
  local lane = mine[(n % m) + 1]
  local s = first + slot * math.floor(n / m)
  n = n + 1
  local headers = {{ ["Content-Type"] = "application/json" }}
  if lane.token ~= "" then headers["Authorization"] = "Bearer " .. lane.token end
  return wrk.format("POST", path, headers, {body})
end

function response(status, headers, body)
  if status == 201 then ok = ok + 1 else
    bad = bad + 1
    if firstbad == 0 then firstbad = status end
  end
end

function done(summary, latency, requests)
  local okall, badall, firstbadall = 0, 0, 0
  for _, t in ipairs(threads) do
    okall = okall + t:get("ok")
    badall = badall + t:get("bad")
    if firstbadall == 0 then firstbadall = t:get("firstbad") end
  end
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d %d %d %d\n", okall, badall + e.connect + e.read + e.write + e.timeout,
    summary.duration, latency:percentile(50), latency:percentile(90), latency:percentile(99), firstbadall, e.timeout))
end
"#,
            first = first.timestamp(),
            slot = SLOT_MINUTES * 60,
        )
    }

    pub fn drive(
        server: &Server,
        lanes: &[Lane],
        seconds: u64,
        times: Times,
        first: DateTime<Utc>,
    ) -> Result<(Load, Option<f64>)> {
        let url = &lanes.first().context("no lanes")?.url;
        let path = url
            .strip_prefix(&server.base)
            .context("the lanes' URL is not the server's")?;
        let threads = lanes.len().min(2);
        // `wrk` hands each thread `connections / threads` connections; the
        // script's lanes are split the same way.
        let text = script(lanes, path, &times, first).replace("counter_total", &threads.to_string());
        let mut file = tempfile::Builder::new().suffix(".lua").tempfile()?;
        file.write_all(text.as_bytes())?;
        let mut child = Command::new("wrk")
            .args([
                "-t",
                &threads.to_string(),
                "-c",
                &lanes.len().to_string(),
                "-d",
                &format!("{seconds}s"),
                "--timeout",
                "10s",
                "-s",
            ])
            .arg(file.path())
            .arg(url)
            .stdout(Stdio::piped())
            .spawn()
            .context("starting wrk (apt-get install wrk)")?;
        let mut peak: Option<f64> = None;
        let deadline = Instant::now() + Duration::from_secs(seconds + 30);
        while child.try_wait()?.is_none() {
            if Instant::now() > deadline {
                let _ = child.kill();
                bail!("wrk ran past its time");
            }
            if let Some(rss) = server.rss_mb() {
                peak = Some(peak.map_or(rss, |p: f64| p.max(rss)));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let mut out = String::new();
        std::io::Read::read_to_string(&mut child.stdout.take().context("wrk's output")?, &mut out)?;
        let line = out
            .lines()
            .find_map(|l| l.strip_prefix("RESULT "))
            .with_context(|| format!("wrk printed no result:\n{out}"))?;
        let v: Vec<u64> = line
            .split_whitespace()
            .map(|x| x.parse())
            .collect::<Result<_, _>>()
            .with_context(|| format!("wrk's result: {line}"))?;
        let [ok, errors, duration_us, p50, p90, p99, first_bad, _timeouts] = v[..] else {
            bail!("wrk's result: {line}");
        };
        if errors > 0 {
            eprintln!("{errors} requests failed; first refused with HTTP {first_bad}");
        }
        let ms = |us: u64| us as f64 / 1000.0;
        Ok((
            Load {
                ok,
                errors,
                elapsed: Duration::from_micros(duration_us),
                latencies_us: Vec::new(),
                unanswered: lanes.len() as u64,
                percentiles_ms: Some([ms(p50), ms(p90), ms(p99)]),
            },
            peak,
        ))
    }
}
