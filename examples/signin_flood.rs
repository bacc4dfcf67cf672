//! Sign-in under a flood (issue 23, target 4): N people sign in at once
//! while one signed-in person keeps asking `GET /api/v1/me`; prints how
//! long her requests took before and during the flood, what the flood's
//! sign-ins were answered, and the server's resident memory.
//!
//! ```text
//! cargo build --release
//! cargo run --release --example signin_flood -- --logins 400
//! ```
//!
//! The server is the release binary on a fresh SQLite database (or
//! `--db postgres`), started with a sign-in budget large enough that the
//! per-address limit (one client address here) does not answer for the
//! password threads: what is measured is what checking passwords costs
//! everyone else. Each person told to wait (429) waits as long as
//! `Retry-After` says and asks again, as the sign-in page does, so the
//! flood lasts until everyone is in. Bounded: `--logins` people, each at
//! most 60 retries, the whole flood at most 120 s.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::{Parser, ValueEnum};
use serde_json::{Value, json};

#[derive(Parser, Debug)]
#[command(about = "Sign-in flood against livingroom")]
struct Args {
    /// Sign-ins sent at once, each on its own connection.
    #[arg(long, default_value_t = 400)]
    logins: usize,
    /// Milliseconds between the prober's `GET /me`.
    #[arg(long, default_value_t = 10)]
    probe_every_ms: u64,
    #[arg(long, value_enum, default_value = "sqlite")]
    db: Db,
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/test")]
    pg_url: String,
    #[arg(long, default_value = "target/release/livingroom")]
    binary: PathBuf,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Db {
    Sqlite,
    Postgres,
}

const JWT_SECRET: &str = "signin-flood-secret-signin-flood-secret-0";
const PASSWORD: &str = "flood-password-1";
const EMAIL: &str = "op@flood.example";
/// How often one person is told to wait before giving up.
const RETRIES: u32 = 60;

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Server {
    fn rss_mb(&self) -> Option<f64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.0.id())).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
        let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kb / 1024.0)
    }
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((sorted.len() as f64) * q).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

async fn login(client: &reqwest::Client, base: &str) -> Result<(u16, Option<String>)> {
    let (status, token, _) = login_once(client, base).await?;
    Ok((status, token))
}

/// One sign-in: its status, token and `Retry-After` (seconds).
async fn login_once(client: &reqwest::Client, base: &str) -> Result<(u16, Option<String>, Option<u64>)> {
    let res = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"email": EMAIL, "password": PASSWORD}))
        .send()
        .await?;
    let status = res.status().as_u16();
    let retry_after = res
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    let body: Value = res.json().await.unwrap_or(Value::Null);
    Ok((
        status,
        body["access_token"].as_str().map(str::to_owned),
        retry_after,
    ))
}

/// `GET /me` every `every` until `stop`; the time each took, in ms.
async fn probe(base: String, token: String, every: Duration, stop: Arc<AtomicBool>) -> Vec<f64> {
    let client = reqwest::Client::new();
    let mut times = Vec::new();
    // Bounded whatever happens to `stop`.
    for _ in 0..20_000 {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let t = Instant::now();
        let ok = client
            .get(format!("{base}/api/v1/me"))
            .bearer_auth(&token)
            .send()
            .await
            .map(|r| r.status().is_success())
            .unwrap_or(false);
        if ok {
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        tokio::time::sleep(every).await;
    }
    times.sort_by(f64::total_cmp);
    times
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let dir = tempfile::tempdir()?;
    let (url, pg_db) = match args.db {
        Db::Sqlite => (
            format!("sqlite://{}", dir.path().join("flood.db").display()),
            None,
        ),
        Db::Postgres => {
            let name = format!("livingroom_flood_{}", std::process::id());
            let admin = args.pg_url.clone();
            Command::new("psql")
                .args([&admin, "-qc", &format!("CREATE DATABASE {name}")])
                .status()?;
            let base = admin.rsplit_once('/').context("--pg-url")?.0.to_owned();
            (format!("{base}/{name}"), Some((admin, name)))
        }
    };
    let status = Command::new(&args.binary)
        .args(["operator", "create", "--email", EMAIL, "--password", PASSWORD])
        .env("DATABASE_URL", &url)
        .env("LIVINGROOM_JWT_SECRET", JWT_SECRET)
        .stdout(Stdio::null())
        .status()
        .with_context(|| format!("running {}", args.binary.display()))?;
    if !status.success() {
        bail!("operator create failed");
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let base = format!("http://127.0.0.1:{port}");
    let server = Server(
        Command::new(&args.binary)
            .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
            .env("DATABASE_URL", &url)
            .env("LIVINGROOM_JWT_SECRET", JWT_SECRET)
            .env("LIVINGROOM_MAIL_DIR", dir.path().join("mail"))
            .env("LIVINGROOM_SIGN_IN_BURST", "1000000")
            .env("RUST_LOG", "error")
            .stdout(Stdio::null())
            .spawn()?,
    );
    let client = reqwest::Client::new();
    for i in 0.. {
        if client
            .get(format!("{base}/readyz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            break;
        }
        if i > 200 {
            bail!("the server did not get ready");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (_, token) = login(&client, &base).await?;
    let token = token.context("the prober could not sign in")?;
    let every = Duration::from_millis(args.probe_every_ms);
    let rss_start = server.rss_mb();

    // Quiet: the prober alone, two seconds.
    let stop = Arc::new(AtomicBool::new(false));
    let quiet = tokio::spawn(probe(base.clone(), token.clone(), every, stop.clone()));
    tokio::time::sleep(Duration::from_secs(2)).await;
    stop.store(true, Ordering::Relaxed);
    let quiet = quiet.await?;

    // The flood, with the prober beside it.
    let stop = Arc::new(AtomicBool::new(false));
    let prober = tokio::spawn(probe(base.clone(), token.clone(), every, stop.clone()));
    let started = Instant::now();
    let mut flood = Vec::new();
    for _ in 0..args.logins {
        let base = base.clone();
        flood.push(tokio::spawn(async move {
            // Each its own connection, as separate people's phones.
            let client = reqwest::Client::builder()
                .timeout(Duration::from_secs(60))
                .build()
                .expect("client");
            // As a phone does: told to wait, it waits as long as it was
            // told and asks again, at most `RETRIES` times.
            let t = Instant::now();
            let mut refused = 0u32;
            loop {
                let (status, _, retry_after) = login_once(&client, &base).await.unwrap_or((0, None, None));
                match (status, retry_after) {
                    (429, Some(wait)) if refused < RETRIES => {
                        refused += 1;
                        tokio::time::sleep(Duration::from_secs(wait)).await;
                    }
                    _ => return (status, t.elapsed().as_secs_f64() * 1000.0, refused),
                }
            }
        }));
    }
    let mut peak = rss_start.unwrap_or(0.0);
    while !flood.iter().all(|t| t.is_finished()) {
        if let Some(rss) = server.rss_mb() {
            peak = peak.max(rss);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        if started.elapsed() > Duration::from_secs(120) {
            bail!("the flood ran past 120 s");
        }
    }
    let took = started.elapsed();
    stop.store(true, Ordering::Relaxed);
    let during = prober.await?;
    let (mut ok, mut busy, mut other, mut waits) = (0, 0, 0, 0u64);
    let mut ok_times = Vec::new();
    for t in flood {
        let (status, ms, refused) = t.await?;
        waits += u64::from(refused);
        match status {
            200 => {
                ok += 1;
                ok_times.push(ms);
            }
            429 => busy += 1,
            _ => other += 1,
        }
    }
    ok_times.sort_by(f64::total_cmp);
    let rss_end = server.rss_mb();
    drop(server);
    if let Some((admin, name)) = pg_db {
        let _ = Command::new("psql")
            .args([
                &admin,
                "-qc",
                &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            ])
            .status();
    }

    let db = match args.db {
        Db::Sqlite => "sqlite",
        Db::Postgres => "postgres",
    };
    println!(
        "sign-in flood on {db}: {} sign-ins at once, GET /me every {} ms",
        args.logins, args.probe_every_ms
    );
    println!(
        "  GET /me alone:       n {:>4}  p50 {:>7.2} ms  p99 {:>7.2} ms  max {:>7.2} ms",
        quiet.len(),
        percentile(&quiet, 0.5),
        percentile(&quiet, 0.99),
        quiet.last().copied().unwrap_or(f64::NAN)
    );
    println!(
        "  GET /me in the flood: n {:>4}  p50 {:>7.2} ms  p99 {:>7.2} ms  max {:>7.2} ms",
        during.len(),
        percentile(&during, 0.5),
        percentile(&during, 0.99),
        during.last().copied().unwrap_or(f64::NAN)
    );
    println!(
        "  sign-ins: {ok} signed in (p50 {:.0} ms, max {:.0} ms, each retrying after 429 as told: {waits} waits in all), {busy} gave up, {other} other; the flood took {:.2} s",
        percentile(&ok_times, 0.5),
        ok_times.last().copied().unwrap_or(f64::NAN),
        took.as_secs_f64()
    );
    let mb = |v: Option<f64>| v.map_or("-".into(), |v| format!("{v:.1}"));
    println!(
        "  resident memory: {} MB at start, {peak:.1} MB peak, {} MB after",
        mb(rss_start),
        mb(rss_end)
    );
    Ok(())
}
