//! The app instances and the load on them: release-binary processes on one
//! database, signed-in staff booking desks from keep-alive connections
//! spread over the instances, and availability searches site by site.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Duration as Span, Utc};
use serde_json::{Value, json};

use crate::PASSWORD;
use crate::seed::{COMPUTER_POOL, Site};

/// Shared by every instance: a token one signs, another accepts.
pub const JWT_SECRET: &str = "district-secret-district-secret-district-secret";
/// The desks' bookings are half an hour (their shortest is 30 minutes).
pub const SLOT_MINUTES: i64 = 30;

/// One app instance: a process killed when dropped.
pub struct Instance {
    child: Child,
    pub base: String,
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Instance {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Asks the instance to stop (SIGTERM) and waits for it.
    pub fn stop(mut self) -> Result<()> {
        Command::new("kill").arg(self.child.id().to_string()).status()?;
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if self.child.try_wait()?.is_some() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        bail!("instance did not stop within 30 s of SIGTERM")
    }
}

/// How to start an instance.
pub struct Launch<'a> {
    pub binary: &'a Path,
    pub database_url: &'a str,
    pub mail_dir: &'a Path,
    pub pool_size: Option<u32>,
}

fn free_port() -> Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

/// Starts one instance and waits until it is ready; returns it with the
/// time start-up took.
pub async fn start(launch: &Launch<'_>) -> Result<(Instance, Duration)> {
    let port = free_port()?;
    let since = Instant::now();
    let mut command = Command::new(launch.binary);
    command
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .env("DATABASE_URL", launch.database_url)
        .env("LIVINGROOM_JWT_SECRET", JWT_SECRET)
        .env("LIVINGROOM_MAIL_DIR", launch.mail_dir)
        // Every sign-in of the load comes from 127.0.0.1; the per-address
        // budget is for strangers.
        .env("LIVINGROOM_SIGN_IN_BURST", "1000")
        .env("LIVINGROOM_SIGN_IN_PER_MINUTE", "1000")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
    if let Some(size) = launch.pool_size {
        command.env("LIVINGROOM_POOL_SIZE", size.to_string());
    }
    let child = command
        .spawn()
        .with_context(|| format!("starting {}", launch.binary.display()))?;
    let instance = Instance {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    let client = reqwest::Client::new();
    let url = format!("{}/readyz", instance.base);
    let deadline = since + Duration::from_secs(60);
    loop {
        if let Ok(res) = client.get(&url).send().await
            && res.status().is_success()
        {
            return Ok((instance, since.elapsed()));
        }
        if Instant::now() > deadline {
            bail!("{url} did not become ready within 60 s");
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Runs a `livingroom` command line (e.g. `observer create`) on the database.
pub fn cli(binary: &Path, database_url: &str, args: &[&str]) -> Result<()> {
    let status = Command::new(binary)
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("LIVINGROOM_JWT_SECRET", JWT_SECRET)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .status()
        .with_context(|| format!("running {}", binary.display()))?;
    if !status.success() {
        bail!("livingroom {} failed", args.join(" "));
    }
    Ok(())
}

/// Signs in through the API and returns the access token.
pub async fn login(client: &reqwest::Client, base: &str, email: &str) -> Result<String> {
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

/// One connection of the load: a staff member of one site booking one of
/// its desks through one instance.
pub struct Lane {
    pub token: String,
    pub url: String,
    pub desk: i64,
}

/// Which site, staff member and desk lane `i` of `lanes` uses: the lanes
/// are spread evenly over the sites; past one lane a site, the next lanes
/// at a site take the next staff member and desk.
pub fn lane_plan(sites: &[Site], lanes: usize, i: usize) -> (usize, usize, usize) {
    let n = sites.len();
    let (site, round) = if lanes <= n {
        (i * n / lanes, 0)
    } else {
        (i % n, i / n)
    };
    let s = &sites[site];
    (site, round % s.staff.len(), round % s.desks.len())
}

/// Signs in every lane's staff member on the instance the lane will use.
pub async fn lanes(sites: &[Site], instances: &[String], connections: usize) -> Result<Vec<Lane>> {
    let client = reqwest::Client::new();
    let mut lanes = Vec::with_capacity(connections);
    for i in 0..connections {
        let (site, staff, desk) = lane_plan(sites, connections, i);
        let s = &sites[site];
        let base = &instances[i % instances.len()];
        let token = login(&client, base, &s.staff[staff]).await?;
        lanes.push(Lane {
            token,
            url: format!("{base}/api/v1/sites/{}/bookings", s.slug),
            desk: s.desks[desk],
        });
    }
    Ok(lanes)
}

/// What the connections of one booking measurement did.
pub struct Load {
    pub ok: u64,
    pub errors: u64,
    pub elapsed: Duration,
    pub latencies_us: Vec<u32>,
    /// The most slots one lane went through (the next run starts after).
    pub slots_used: u64,
}

/// Books consecutive half-hour slots from `first` on every lane's desk for
/// `seconds`, or until a lane reaches `max_slots`; every booking carries
/// `purpose` so the run's rows can be counted afterwards.
pub async fn drive(
    lanes: Vec<Lane>,
    first: DateTime<Utc>,
    max_slots: u64,
    seconds: u64,
    purpose: String,
) -> Result<Load> {
    let stop = Arc::new(AtomicBool::new(false));
    let errors = Arc::new(AtomicU64::new(0));
    let purpose = Arc::new(purpose);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for lane in lanes {
        let (stop, errors, purpose) = (stop.clone(), errors.clone(), purpose.clone());
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::builder()
                .pool_max_idle_per_host(1)
                .build()
                .expect("client");
            let mut latencies = Vec::with_capacity(1 << 12);
            let mut ok = 0u64;
            let mut k = 0u64;
            while !stop.load(Ordering::Relaxed) && k < max_slots {
                let start = first + Span::minutes(SLOT_MINUTES * k as i64);
                let body = json!({
                    "resource_id": lane.desk,
                    "starts_at": start.to_rfc3339(),
                    "ends_at": (start + Span::minutes(SLOT_MINUTES)).to_rfc3339(),
                    "purpose": purpose.as_str(),
                });
                let t = Instant::now();
                let res = client
                    .post(&lane.url)
                    .bearer_auth(&lane.token)
                    .json(&body)
                    .send()
                    .await;
                let (status, text) = match res {
                    Ok(res) => {
                        let status = res.status().as_u16();
                        (status, res.text().await.unwrap_or_default())
                    }
                    Err(e) => (0, e.to_string()),
                };
                latencies.push(t.elapsed().as_micros().min(u32::MAX as u128) as u32);
                if status == 201 {
                    ok += 1;
                } else if errors.fetch_add(1, Ordering::Relaxed) == 0 {
                    eprintln!("first error: HTTP {status}: {text}");
                }
                k += 1;
            }
            (ok, k, latencies)
        }));
    }
    let deadline = started + Duration::from_secs(seconds);
    while Instant::now() < deadline && !tasks.iter().all(|t| t.is_finished()) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    stop.store(true, Ordering::Relaxed);
    let mut load = Load {
        ok: 0,
        errors: 0,
        elapsed: Duration::ZERO,
        latencies_us: Vec::new(),
        slots_used: 0,
    };
    for task in tasks {
        let (ok, k, latencies) = task.await?;
        load.ok += ok;
        load.slots_used = load.slots_used.max(k);
        load.latencies_us.extend(latencies);
    }
    load.elapsed = started.elapsed();
    load.errors = errors.load(Ordering::Relaxed);
    Ok(load)
}

/// One pass of availability searches: every site in turn, one request at
/// a time on one connection (no other load), the computers' pool a week
/// ahead. Returns the latencies in microseconds, or fewer if `deadline`
/// comes first.
pub async fn availability_pass(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    sites: &[Site],
    deadline: Instant,
) -> Result<Vec<u32>> {
    let now = Utc::now();
    let to = (now + Span::days(7)).format("%Y-%m-%dT%H:%M:%SZ");
    let mut latencies = Vec::with_capacity(sites.len());
    for site in sites {
        if Instant::now() > deadline {
            break;
        }
        let url = format!(
            "{base}/api/v1/sites/{}/availability?pool={COMPUTER_POOL}&duration_minutes=45&to={to}",
            site.slug
        );
        let t = Instant::now();
        let res = client.get(&url).bearer_auth(token).send().await?;
        let status = res.status();
        let body = res.bytes().await?;
        latencies.push(t.elapsed().as_micros().min(u32::MAX as u128) as u32);
        if !status.is_success() {
            bail!("{url}: {status} {}", String::from_utf8_lossy(&body));
        }
        let answer: Value = serde_json::from_slice(&body)?;
        if answer["slots"].as_array().is_none_or(|s| s.is_empty()) {
            bail!("{url}: no free windows in a week");
        }
    }
    Ok(latencies)
}

/// The `q` quantile (nearest rank) of microsecond samples, in milliseconds.
pub fn pct_ms(sorted_us: &[u32], q: f64) -> f64 {
    if sorted_us.is_empty() {
        return f64::NAN;
    }
    let rank = ((sorted_us.len() as f64) * q).ceil() as usize;
    sorted_us[rank.clamp(1, sorted_us.len()) - 1] as f64 / 1000.0
}

/// The district office's quarterly check: `GET /api/v1/reports/summary`
/// (every site's summary over the last 91 days, one row per site), timed
/// once; returns the time and the number of rows.
pub async fn district_summary(
    client: &reqwest::Client,
    base: &str,
    token: &str,
) -> Result<(Duration, usize)> {
    let today = Utc::now().date_naive();
    let from = today - Span::days(90);
    let url = format!("{base}/api/v1/reports/summary?from={from}&to={today}");
    let t = Instant::now();
    let res = client
        .get(&url)
        .bearer_auth(token)
        .timeout(Duration::from_secs(300))
        .send()
        .await?;
    let status = res.status();
    let body = res.bytes().await?;
    let took = t.elapsed();
    if !status.is_success() {
        bail!("{url}: {status} {}", String::from_utf8_lossy(&body));
    }
    let answer: Value = serde_json::from_slice(&body)?;
    Ok((took, answer["sites"].as_array().map_or(0, Vec::len)))
}
