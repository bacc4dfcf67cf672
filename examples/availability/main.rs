//! Availability at district scale (issue 23, 3): `GET .../availability`
//! over 366 days on a site of 200 rooms, each open in several ranges a day.
//!
//! ```text
//! cargo run --release --example availability -- [--db sqlite|postgres] [--reps 50]
//! ```
//!
//! It creates a fresh database (a temporary SQLite file opened as the
//! server opens it, or a new PostgreSQL database dropped at the end),
//! migrates it and seeds one site (Asia/Shanghai) with `--rooms` rooms (room
//! defaults: 30-minute grid, an hour's notice, a year ahead), each open
//! 08:00-09:30, 10:00-11:30, 13:00-14:30, 15:00-16:30 and 18:00-20:00
//! Monday to Saturday. Over the next 367 days about `--booked-percent` of
//! those ranges hold a confirmed booking (30, 60 or 90 minutes from the
//! range's start, or the whole evening), and every twentieth room is closed
//! by a blackout for a week in the second month. Seeding is batched
//! `INSERT`s in one transaction.
//!
//! Then, in process, it times after a warm-up:
//!
//! - `GET year, rooms`: the real handler through actix-web's test service
//!   (JWT and session check, the heavy-read turn, the blocking pool, JSON):
//!   `?kind=room&from=<tomorrow 00:00>&to=<366 days later>`;
//! - `GET year, 1 room`: the same for one room (`resource_id`), whose 500
//!   windows reach months ahead;
//! - `GET year, none fit`: the rooms again with `duration_minutes=240`,
//!   longer than any opening range: nothing fits, so the whole year is
//!   read and computed for every room (the worst case, which the
//!   heavy-read turns are for);
//! - `search, rooms` and `search, 1 room`: the handler's workflow calls
//!   without HTTP: `workflows::availability::Search` read in `Db::read`,
//!   computed off the connection, read further while the answer needs it;
//!   with the time a pooled connection was held (`held`), the reads made
//!   and the bookings they read.
//!
//! For each it prints p50 and p90 in milliseconds and the allocation peak
//! during one call over what was allocated before it (a counting global
//! allocator, in this example only), with the targets of the issue: p50
//! under 50 ms and memory under 50 MB for the year over 200 rooms.

use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use std::time::{Duration as StdDuration, Instant};

use actix_web::{App, test, web};
use anyhow::{Context, Result, bail};
use chrono::{Datelike, Duration, NaiveDate, Utc, Weekday};
use clap::{Parser, ValueEnum};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;

use livingroom::api::availability::MAX_SLOTS;
use livingroom::auth::JwtKeys;
use livingroom::clock;
use livingroom::config::Settings;
use livingroom::db::{BackendKind, DatabaseUrl, Db, migrate};
use livingroom::domain::interval::Interval;
use livingroom::domain::local_time::{local_date, midnight, resolve_lenient};
use livingroom::domain::person::{Language, Roles};
use livingroom::domain::resource::{OpeningHours, ResourceKind, Rules};
use livingroom::errors::ApiError;
use livingroom::mail::Mailer;
use livingroom::metrics::Metrics;
use livingroom::notify::Notifier;
use livingroom::state::AppState;
use livingroom::store::resources::{self, Resource, ResourceFields};
use livingroom::store::{sessions, sites, users};
use livingroom::workflows::availability as search;

mod counting;
use counting::measured;

#[derive(Parser, Debug)]
#[command(about = "Times year-long availability over a site of many rooms")]
struct Args {
    /// The backend to measure.
    #[arg(long, value_enum, default_value = "sqlite")]
    db: Backend,
    /// Rooms on the site.
    #[arg(long, default_value_t = 200)]
    rooms: usize,
    /// Share of the open ranges ahead that hold a booking, in percent.
    #[arg(long, default_value_t = 30)]
    booked_percent: u64,
    /// Timed repetitions per operation.
    #[arg(long, default_value_t = 50)]
    reps: usize,
    /// Untimed repetitions first, per operation.
    #[arg(long, default_value_t = 5)]
    warmup: usize,
    /// PostgreSQL to create the measurement database in.
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/test")]
    pg_url: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Backend {
    Sqlite,
    Postgres,
}

const SLUG: &str = "district";
const JWT_SECRET: &[u8] = b"availability-benchmark-secret-availability";
/// The daily opening ranges, local minutes.
const RANGES: [(u32, u32); 5] = [(480, 570), (600, 690), (780, 870), (900, 990), (1080, 1200)];
/// Days ahead that hold bookings.
const DAYS: i64 = 367;

#[actix_web::main]
async fn main() -> Result<()> {
    // As the server does: OpenSSL set up before libpq.
    openssl_sys::init();
    let args = Args::parse();
    if args.reps == 0 || args.rooms == 0 {
        bail!("give at least one room and one repetition");
    }
    println!(
        "livingroom availability benchmark: {:?}, {} cores, {} rooms, {}% of ranges booked, \
         {} timed repetitions per operation (after {} warm-up)",
        args.db,
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        args.rooms,
        args.booked_percent,
        args.reps,
        args.warmup,
    );

    let store = Store::new(args.db, &args.pg_url)?;
    let url = DatabaseUrl::parse(&store.url())?;
    let db = Db::connect(&url, 4, true)?;
    {
        let mut conn = db.get().map_err(api)?;
        migrate::run(&mut conn)?;
    }
    let fixture = seed(&db, &args)?;
    println!("{}", fixture.describe());
    let state = web::Data::new(AppState {
        db: db.clone(),
        jwt: JwtKeys::new(JWT_SECRET)?,
        settings: Settings {
            database_url: store.url(),
            ..Settings::default()
        },
        metrics: Metrics::default(),
        notifier: Notifier::new("http://127.0.0.1:8080"),
        mailer: Mailer::Memory(Arc::new(Mutex::new(Vec::new()))),
        channels: livingroom::channels::Sender::new(false)?,
        limits: livingroom::auth::limits::Limits::new(&Settings::default())?,
        heavy: livingroom::heavy::HeavyReads::per_core(),
    });
    let app = test::init_service(
        App::new()
            .app_data(state.clone())
            .service(livingroom::api::availability::availability),
    )
    .await;
    let get = async |uri: &str| -> Result<String> {
        let req = test::TestRequest::get()
            .uri(uri)
            .insert_header(("Authorization", format!("Bearer {}", fixture.token)))
            .to_request();
        let res = test::call_service(&app, req).await;
        let status = res.status();
        let body = test::read_body(res).await;
        if !status.is_success() {
            bail!("{status}: {}", String::from_utf8_lossy(&body));
        }
        let answer: serde_json::Value = serde_json::from_slice(&body)?;
        let n = answer["slots"].as_array().map_or(0, Vec::len);
        Ok(format!("{n} windows, {} bytes", body.len()))
    };
    let stamp = |t: chrono::DateTime<Utc>| t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let span = format!(
        "from={}&to={}",
        stamp(fixture.window.start),
        stamp(fixture.window.end)
    );
    let rooms_uri = format!("/api/v1/sites/{SLUG}/availability?kind=room&{span}");
    let none_uri = format!("{rooms_uri}&duration_minutes=240");
    let one_uri = format!(
        "/api/v1/sites/{SLUG}/availability?resource_id={}&{span}",
        fixture.rooms[0].id
    );

    let mut table: Vec<(Op, Figure)> = Vec::new();
    for op in Op::ALL {
        let mut samples = Vec::with_capacity(args.reps);
        let mut held = Vec::with_capacity(args.reps);
        let mut peaks = Vec::with_capacity(args.reps);
        let mut out = String::new();
        for i in 0..args.warmup + args.reps {
            let one = &fixture.rooms[..1];
            let ((result, conn_time), took, peak) = match op {
                Op::GetRooms => measured(async || Ok((get(&rooms_uri).await?, None))).await,
                Op::GetOne => measured(async || Ok((get(&one_uri).await?, None))).await,
                Op::GetNone => measured(async || Ok((get(&none_uri).await?, None))).await,
                Op::SearchRooms => measured(async || search_all(&db, &fixture, &fixture.rooms).await).await,
                Op::SearchOne => measured(async || search_all(&db, &fixture, one).await).await,
            }
            .with_context(|| op.name())?;
            if i >= args.warmup {
                samples.push(took);
                held.extend(conn_time);
                peaks.push(peak);
                out = result;
            }
        }
        table.push((op, Figure::of(samples, held, peaks, out)));
    }
    report(&args, &table);
    Ok(())
}

fn api(e: ApiError) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

/// The handler's workflow calls for `rooms`, as it makes them: read on a
/// pooled connection, compute after giving it back, read further while
/// the answer needs it. What it found, and how long connections were held.
async fn search_all(db: &Db, f: &Fixture, rooms: &[Resource]) -> Result<(String, Option<StdDuration>)> {
    let mut next = search::Search::new(f.tz, rooms.to_vec(), f.window, None, clock::now());
    let (mut held, mut reads, mut read) = (StdDuration::ZERO, 0, 0);
    loop {
        let started = Instant::now();
        let inputs = db.read(move |conn| next.read(conn)).await.map_err(api)?;
        held += started.elapsed();
        reads += 1;
        read += inputs.bookings_read();
        match web::block(move || inputs.earliest(MAX_SLOTS)).await? {
            search::Step::Found(windows) => {
                let said = format!("{} windows ({reads} reads, {read} bookings read)", windows.len());
                return Ok((said, Some(held)));
            }
            search::Step::ReadFurther(further) => next = further,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    GetRooms,
    GetOne,
    GetNone,
    SearchRooms,
    SearchOne,
}

impl Op {
    const ALL: [Op; 5] = [
        Op::GetRooms,
        Op::GetOne,
        Op::GetNone,
        Op::SearchRooms,
        Op::SearchOne,
    ];

    fn name(self) -> &'static str {
        match self {
            Op::GetRooms => "GET year, rooms",
            Op::GetOne => "GET year, 1 room",
            Op::GetNone => "GET year, none fit",
            Op::SearchRooms => "search, rooms",
            Op::SearchOne => "search, 1 room",
        }
    }

    fn what(self) -> &'static str {
        match self {
            Op::GetRooms => "GET /api/v1/sites/{site}/availability?kind=room&from=..&to=.. (366 days)",
            Op::GetOne => "GET /api/v1/sites/{site}/availability?resource_id=..&from=..&to=.. (366 days)",
            Op::GetNone => "the rooms' GET with duration_minutes=240: fits nowhere, the whole year computed",
            Op::SearchRooms => "workflows::availability for every room, as the handler calls it, no HTTP",
            Op::SearchOne => "the same for one room",
        }
    }
}

struct Figure {
    p50_ms: f64,
    p90_ms: f64,
    /// The p50 of the time connections were held, where known.
    held_p50_ms: Option<f64>,
    peak_mb: f64,
    out: String,
}

fn quantile(samples: &mut [StdDuration], q: f64) -> f64 {
    samples.sort_unstable();
    let i = ((samples.len() as f64 * q).ceil() as usize).clamp(1, samples.len()) - 1;
    samples[i].as_secs_f64() * 1e3
}

impl Figure {
    fn of(
        mut samples: Vec<StdDuration>,
        mut held: Vec<StdDuration>,
        peaks: Vec<usize>,
        out: String,
    ) -> Figure {
        Figure {
            p50_ms: quantile(&mut samples, 0.50),
            p90_ms: quantile(&mut samples, 0.90),
            held_p50_ms: (!held.is_empty()).then(|| quantile(&mut held, 0.50)),
            peak_mb: peaks.iter().copied().max().unwrap_or(0) as f64 / (1024.0 * 1024.0),
            out,
        }
    }
}

fn report(args: &Args, table: &[(Op, Figure)]) {
    let mut out = String::new();
    let _ = writeln!(out, "\noperations:");
    for (op, _) in table {
        let _ = writeln!(out, "  {:<18} {}", op.name(), op.what());
    }
    let _ = writeln!(
        out,
        "\n{:<18} {:>9} {:>9} {:>9} {:>9}  result",
        "operation", "p50 ms", "p90 ms", "held p50", "peak MB"
    );
    for (op, f) in table {
        let _ = writeln!(
            out,
            "{:<18} {:>9.2} {:>9.2} {:>9} {:>9.2}  {}",
            op.name(),
            f.p50_ms,
            f.p90_ms,
            f.held_p50_ms.map_or("-".to_owned(), |h| format!("{h:.2}")),
            f.peak_mb,
            f.out,
        );
    }
    if let Some((_, f)) = table.iter().find(|(op, _)| *op == Op::GetRooms) {
        let ok = f.p50_ms < 50.0 && f.peak_mb < 50.0;
        let _ = writeln!(
            out,
            "\n{}: year over {} rooms, p50 {:.1} ms (target < 50), peak {:.1} MB (target < 50): {}",
            match args.db {
                Backend::Sqlite => "SQLite",
                Backend::Postgres => "PostgreSQL",
            },
            args.rooms,
            f.p50_ms,
            f.peak_mb,
            if ok { "ok" } else { "MISS" }
        );
    }
    print!("{out}");
}

/// Where the database lives; removed afterwards.
enum Store {
    /// The directory (removed when dropped) and the file in it.
    Sqlite(#[allow(dead_code)] tempfile::TempDir, std::path::PathBuf),
    Postgres {
        admin: String,
        name: String,
        url: String,
    },
}

impl Store {
    fn new(db: Backend, pg_url: &str) -> Result<Store> {
        match db {
            Backend::Sqlite => {
                let dir = tempfile::tempdir()?;
                let path = dir.path().join("livingroom.db");
                Ok(Store::Sqlite(dir, path))
            }
            Backend::Postgres => {
                let name = format!("avail_{}", uuid::Uuid::new_v4().simple());
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
            Store::Sqlite(_, path) => format!("sqlite://{}", path.display()),
            Store::Postgres { url, .. } => url.clone(),
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

struct Fixture {
    tz: chrono_tz::Tz,
    rooms: Vec<Resource>,
    token: String,
    /// Tomorrow's local midnight and 366 days on.
    window: Interval,
    bookings: usize,
    seed_time: StdDuration,
}

impl Fixture {
    fn describe(&self) -> String {
        format!(
            "seeded {} rooms and {} bookings over {DAYS} days in {:.1} s",
            self.rooms.len(),
            self.bookings,
            self.seed_time.as_secs_f64()
        )
    }
}

/// A cheap fixed hash, so every run seeds the same bookings.
fn mix(a: u64, b: u64, c: u64) -> u64 {
    let mut h = a
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(b.wrapping_mul(0xC2B2_AE3D_27D4_EB4F))
        .wrapping_add(c.wrapping_mul(0x1656_67B1_9E37_79F9));
    h ^= h >> 29;
    h = h.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    h ^ (h >> 32)
}

fn seed(db: &Db, args: &Args) -> Result<Fixture> {
    let started = Instant::now();
    let now = clock::now();
    let stamp = now.naive_utc();
    let hours: std::collections::BTreeMap<String, Vec<String>> = ["mon", "tue", "wed", "thu", "fri", "sat"]
        .iter()
        .map(|d| {
            let ranges = RANGES
                .iter()
                .map(|(a, b)| format!("{:02}:{:02}-{:02}:{:02}", a / 60, a % 60, b / 60, b % 60))
                .collect();
            ((*d).to_owned(), ranges)
        })
        .collect();
    let hours = OpeningHours::parse(&hours).map_err(|e| api(ApiError::from(e)))?;
    let rooms_wanted = args.rooms;
    let (site, owner, rooms, session) = db
        .write_blocking(move |conn| {
            let site = sites::insert(conn, SLUG, "街道 District", "Asia/Shanghai", stamp)?;
            let user = users::insert(
                conn,
                &users::NewUser {
                    email: "staff@district.example",
                    name: "街道职员",
                    other_name: None,
                    password_hash: None,
                    language: Language::ZhCn,
                    is_operator: false,
                },
                stamp,
            )?;
            users::insert_membership(conn, site.id, user.id, Roles::STAFF, false, stamp, None)?;
            let rooms = (0..rooms_wanted)
                .map(|i| {
                    resources::insert(
                        conn,
                        site.id,
                        &ResourceFields {
                            name: format!("活动室 {i}"),
                            kind: ResourceKind::Room,
                            pool: None,
                            capacity: Some(20),
                            features: Vec::new(),
                            opening_hours: Some(hours.clone()),
                            rules: Rules::defaults_for(ResourceKind::Room),
                        },
                        stamp,
                    )
                })
                .collect::<Result<Vec<_>, _>>()?;
            let session = sessions::create_session(conn, user.id, stamp)?;
            Ok((site, user, rooms, session))
        })
        .map_err(api)?;
    let tz = site.tz();
    let tomorrow = local_date(tz, now) + Duration::days(1);
    let window = Interval::of(
        midnight(tz, tomorrow),
        midnight(tz, tomorrow + Duration::days(366)),
    );

    let pg = db.kind() == BackendKind::Postgres;
    let ts = |t: chrono::DateTime<Utc>| {
        let text = t.format("%Y-%m-%d %H:%M:%S");
        if pg {
            format!("TIMESTAMPTZ '{text}+00'")
        } else {
            format!("'{text}'")
        }
    };
    let created = ts(now);
    let mut rows: Vec<String> = Vec::new();
    let first_day = local_date(tz, now);
    for (r, room) in rooms.iter().enumerate() {
        for d in 0..DAYS {
            let date: NaiveDate = first_day + Duration::days(d);
            if date.weekday() == Weekday::Sun {
                continue;
            }
            for (j, (a, b)) in RANGES.iter().enumerate() {
                let h = mix(r as u64, d as u64, j as u64);
                if h % 100 >= args.booked_percent {
                    continue;
                }
                let minutes = if j == RANGES.len() - 1 {
                    b - a
                } else {
                    [30, 60, 90][(h / 100 % 3) as usize]
                };
                let at =
                    |m: u32| resolve_lenient(tz, date.and_hms_opt(m / 60, m % 60, 0).expect("a time of day"));
                let (start, end) = (at(*a), at(a + minutes));
                rows.push(format!(
                    "({}, {}, {}, {}, {}, {}, 'confirmed', 'routine', '社区活动', 8, {}, {created}, {created})",
                    site.id,
                    room.id,
                    owner.id,
                    ts(start),
                    ts(end),
                    ts(end),
                    if pg { "FALSE" } else { "0" },
                ));
            }
        }
    }
    let mut sql = String::from(if pg { "BEGIN;\n" } else { "BEGIN IMMEDIATE;\n" });
    for chunk in rows.chunks(2000) {
        let _ = writeln!(
            sql,
            "INSERT INTO bookings (site_id, resource_id, owner_id, starts_at, ends_at, busy_until, status, \
             urgency, purpose, headcount, flexible, created_at, updated_at) VALUES {};",
            chunk.join(",\n")
        );
    }
    // Every twentieth room closed for a week in the second month.
    let closed_from = midnight(tz, tomorrow + Duration::days(40));
    let closed_to = midnight(tz, tomorrow + Duration::days(47));
    for room in rooms.iter().step_by(20) {
        let _ = writeln!(
            sql,
            "INSERT INTO blackouts (resource_id, starts_at, ends_at, reason, created_by, created_at) \
             VALUES ({}, {}, {}, '维修', {}, {created});",
            room.id,
            ts(closed_from),
            ts(closed_to),
            owner.id
        );
    }
    sql.push_str("COMMIT;\n");
    {
        let mut conn = db.get().map_err(api)?;
        conn.batch_execute(&sql).context("seeding bookings")?;
        if pg {
            conn.batch_execute("VACUUM ANALYZE")?;
        }
    }
    let (token, _) = JwtKeys::new(JWT_SECRET)?.issue(owner.id, session, now)?;
    Ok(Fixture {
        tz,
        rooms,
        token,
        window,
        bookings: rows.len(),
        seed_time: started.elapsed(),
    })
}
