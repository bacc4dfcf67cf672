//! Proves that the cost of the hot paths does not grow with history: the
//! same site, the same next few weeks, behind 10 000 or 1 000 000 bookings.
//!
//! ```text
//! cargo run --release --example history -- [--db sqlite|postgres] [--sizes 10000,1000000]
//! ```
//!
//! For each size N the program creates a fresh database (a temporary SQLite
//! file opened as the server opens it, or a new PostgreSQL database that is
//! dropped at the end), migrates it, and seeds one site (Asia/Shanghai) with
//! 3 computers in pool `computers`, 4 desks, 3 rooms, 12 people, 2 interest
//! groups and N bookings. Bookings follow a fixed daily pattern of 56 per
//! day (each computer hourly from 08:00 to 21:00 with a lunch gap, two desk
//! shifts, four room sessions), so the density is the same at every size
//! and only the length of the past grows: the last 21 days of the pattern
//! lie in the future, everything before is history (about N / 20 000
//! years). Past bookings are mostly confirmed (held and checked in, i.e.
//! completed), the rest cancelled or released; future ones confirmed or
//! cancelled. Seeding is one bulk `INSERT ... SELECT` in one transaction
//! (a recursive CTE on SQLite, `generate_series` on PostgreSQL) and honours
//! every constraint: active bookings on one resource never overlap.
//!
//! Then, in process and without HTTP, it times each operation many times
//! after a warm-up, interleaving the sizes in small chunks so that load from
//! elsewhere on the machine falls on all sizes alike:
//!
//! - `conflict`: `store::bookings::active_within` for one computer and a
//!   45-minute window next week (what `workflows::bookings::create` asks);
//! - `person`: `store::bookings::personal_active_within` for that window
//!   (the one-person-one-seat check on the same path);
//! - `avail fn`: the computation of `GET /api/v1/sites/{site}/availability
//!   ?pool=computers&duration_minutes=45&from=<next week>`: the same store
//!   and domain calls the handler makes, on one connection;
//! - `avail GET +7d` / `avail GET now`: the real handler, called in process
//!   through actix-web's test service (JWT check and session lookup, the
//!   blocking pool, JSON), with `from` next week and without `from`;
//! - `board GET`: the real `/board/{site}` handler, rendering the page;
//! - `book`: `workflows::bookings::create` for a free computer of the pool
//!   next week, in a transaction that is rolled back (`Db::rehearse`'s
//!   `transaction` with `Ending::RollBack`): every query of the booking path, the insert
//!   with its overlap trigger or exclusion constraint, the audit row and
//!   the queued mail.
//!
//! It prints p50 and p99 in microseconds per size and operation, and for each
//! operation the ratio of the p50 at the largest size to the p50 at the
//! smallest (target: at most 1.2), with the absolute targets (p50 under
//! 1 ms for the conflict check and availability, under 5 ms for the board).
//! `--keep` leaves the databases behind for `EXPLAIN`. On PostgreSQL the
//! seeded database is `VACUUM ANALYZE`d first (as autovacuum would be), and
//! `--pg-plan-cache-mode` sets `plan_cache_mode` on the measurement
//! databases, to tell planning time from execution time.

use std::sync::{Arc, Mutex};
use std::time::{Duration as StdDuration, Instant};

use actix_web::{App, test, web};
use anyhow::{Context, Result, bail};
use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveDateTime, Utc};
use clap::{Parser, ValueEnum};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;

use livingroom::api::availability::MAX_SLOTS;
use livingroom::auth::{AuthUser, JwtKeys};
use livingroom::clock;
use livingroom::config::Settings;
use livingroom::db::schema::bookings;
use livingroom::db::{BackendKind, DatabaseUrl, Db, DbConn, PooledConn, backend, migrate};
use livingroom::domain::booking::Urgency;
use livingroom::domain::booking::{BookingRequest, OnConflict, Target};
use livingroom::domain::interval::Interval;
use livingroom::domain::local_time::{local_date, midnight, resolve_lenient};
use livingroom::domain::period::Period;
use livingroom::domain::person::{Language, Roles};
use livingroom::domain::resource::{OpeningHours, ResourceKind, Rules};
use livingroom::errors::ApiError;
use livingroom::mail::Mailer;
use livingroom::metrics::Metrics;
use livingroom::notify::Notifier;
use livingroom::state::AppState;
use livingroom::store::access::site_access;
use livingroom::store::bookings as booking_store;
use livingroom::store::resources::{self, ResourceFields};
use livingroom::store::{groups, sessions, sites, users};
use livingroom::workflows::availability::{FreeWindow, free_slots};
use livingroom::workflows::bookings::{self as booking_flow, Outcome};

#[derive(Parser, Debug)]
#[command(about = "Shows that livingroom's hot paths cost the same however long the history")]
struct Args {
    /// The backend to measure.
    #[arg(long, value_enum, default_value = "sqlite")]
    db: Backend,
    /// History sizes (bookings), comma-separated.
    #[arg(long, default_value = "10000,1000000", value_delimiter = ',')]
    sizes: Vec<u64>,
    /// Timed repetitions per operation and size.
    #[arg(long, default_value_t = 2000)]
    reps: usize,
    /// Untimed repetitions first, per operation and size.
    #[arg(long, default_value_t = 200)]
    warmup: usize,
    /// PostgreSQL to create the measurement databases in.
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/test")]
    pg_url: String,
    /// Leave the databases behind (and print where) for EXPLAIN.
    #[arg(long)]
    keep: bool,
    /// Diagnosis only: PostgreSQL's `plan_cache_mode` for the measurement
    /// databases (`auto`, `force_custom_plan`, `force_generic_plan`), set
    /// with `ALTER DATABASE`. Unset: the server's default, as in production.
    #[arg(long)]
    pg_plan_cache_mode: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Backend {
    Sqlite,
    Postgres,
}

const SLUG: &str = "history";
const PEOPLE: usize = 12;
/// How many days of the pattern lie in the future.
const FUTURE_DAYS: i64 = 21;
/// Repetitions of one size in a row before the next size's turn.
const CHUNK: usize = 50;
const JWT_SECRET: &[u8] = b"history-benchmark-secret-history-benchmark";

#[actix_web::main]
async fn main() -> Result<()> {
    // As the server does: OpenSSL set up before libpq.
    openssl_sys::init();
    let args = Args::parse();
    if args.sizes.is_empty() || args.reps == 0 {
        bail!("give at least one size and one repetition");
    }
    if let Some(mode) = &args.pg_plan_cache_mode {
        println!("diagnosis: plan_cache_mode = {mode} on the measurement databases");
    }
    println!(
        "livingroom history benchmark: {:?}, {} cores, {} timed repetitions per operation and size \
         (after {} warm-up), sizes interleaved in chunks of {CHUNK}",
        args.db,
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        args.reps,
        args.warmup,
    );

    // Seed every size first, then measure them side by side.
    let mut benches = Vec::new();
    let mut apps = Vec::new();
    for &n in &args.sizes {
        let store = Store::new(args.db, &args.pg_url, args.pg_plan_cache_mode.as_deref())?;
        let url = DatabaseUrl::parse(&store.url())?;
        let db = Db::connect(&url, 4, true)?;
        {
            let mut conn = db.get().map_err(api)?;
            migrate::run(&mut conn)?;
        }
        let fixture = seed(&db, n)?;
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
                .service(livingroom::pages::board::board)
                .service(livingroom::api::availability::availability),
        )
        .await;
        apps.push(app);
        let conn = db.get().map_err(api)?;
        benches.push(Bench {
            n,
            conn,
            fixture,
            state,
            _db: db,
            store,
        });
    }
    if args.keep {
        for b in &mut benches {
            println!("kept: {} bookings in {}", b.n, b.store.keep());
        }
    }

    // The handlers, called in process: actix-web's test service runs the
    // app's routing, extractors and handler without a socket.
    let get = async |k: usize, req: test::TestRequest| -> Result<usize> {
        let res = test::call_service(&apps[k], req.to_request()).await;
        let status = res.status();
        let body = test::read_body(res).await;
        if !status.is_success() {
            bail!("{status}: {}", String::from_utf8_lossy(&body));
        }
        Ok(body.len())
    };

    let mut results: Vec<Vec<Figure>> = Vec::new();
    for op in Op::ALL {
        let mut samples: Vec<Vec<StdDuration>> = vec![Vec::with_capacity(args.reps); benches.len()];
        let mut outs = vec![0usize; benches.len()];
        for (k, b) in benches.iter_mut().enumerate() {
            for _ in 0..args.warmup {
                run(op, b, k, &get)
                    .await
                    .with_context(|| format!("{} at {}", op.name(), b.n))?;
            }
        }
        let mut left = args.reps;
        while left > 0 {
            let chunk = left.min(CHUNK);
            for (k, b) in benches.iter_mut().enumerate() {
                for _ in 0..chunk {
                    let started = Instant::now();
                    let out = run(op, b, k, &get).await?;
                    samples[k].push(started.elapsed());
                    outs[k] = out;
                }
            }
            left -= chunk;
        }
        results.push(
            samples
                .into_iter()
                .zip(outs)
                .map(|(s, out)| Figure::of(s, out))
                .collect(),
        );
    }

    report(&args, &benches, &results);
    Ok(())
}

fn api(e: ApiError) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

/// Where a measurement's database lives; removed afterwards unless kept.
enum Store {
    Sqlite(Option<tempfile::TempDir>, std::path::PathBuf),
    Postgres {
        admin: String,
        name: String,
        url: String,
        keep: bool,
    },
}

impl Store {
    fn new(db: Backend, pg_url: &str, plan_cache_mode: Option<&str>) -> Result<Store> {
        match db {
            Backend::Sqlite => {
                let dir = tempfile::tempdir()?;
                let path = dir.path().join("livingroom.db");
                Ok(Store::Sqlite(Some(dir), path))
            }
            Backend::Postgres => {
                let name = format!("history_{}", uuid::Uuid::new_v4().simple());
                let mut admin = PgConnection::establish(pg_url)?;
                admin.batch_execute(&format!("CREATE DATABASE {name}"))?;
                if let Some(mode) = plan_cache_mode {
                    if !mode.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
                        bail!("--pg-plan-cache-mode: not a plan_cache_mode value: {mode}");
                    }
                    admin.batch_execute(&format!("ALTER DATABASE {name} SET plan_cache_mode = {mode}"))?;
                }
                let base = pg_url.rsplit_once('/').map(|(b, _)| b).unwrap_or(pg_url);
                Ok(Store::Postgres {
                    admin: pg_url.to_owned(),
                    url: format!("{base}/{name}"),
                    name,
                    keep: false,
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

    fn keep(&mut self) -> String {
        match self {
            Store::Sqlite(dir, path) => {
                if let Some(d) = dir.take() {
                    let _ = d.keep();
                }
                path.display().to_string()
            }
            Store::Postgres { url, keep, .. } => {
                *keep = true;
                url.clone()
            }
        }
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        if let Store::Postgres {
            admin,
            name,
            keep: false,
            ..
        } = self
            && let Ok(mut conn) = PgConnection::establish(admin)
        {
            let _ = conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}

/// One size: its database, its seeded site and who acts in it.
struct Bench {
    n: u64,
    /// The connection the store-level operations run on.
    conn: PooledConn,
    fixture: Fixture,
    state: web::Data<AppState>,
    _db: Db,
    /// Dropped last: removes the database.
    store: Store,
}

struct Fixture {
    computers: Vec<i64>,
    /// Staff with a long past but nothing ahead: books in `book`.
    booker: AuthUser,
    /// Staff holding the first computer in `next_week`: the person-level check.
    regular: i64,
    token: String,
    /// 10:15-11:00 local, a week from today: overlaps a computer booking.
    next_week: Interval,
    /// 12:00-12:45 local, a week from today: the computers' lunch gap.
    free_slot: Interval,
    rows: i64,
    past: i64,
    first: NaiveDateTime,
    last: NaiveDateTime,
    seed_time: StdDuration,
}

impl Fixture {
    fn describe(&self) -> String {
        let years = (self.last - self.first).num_days() as f64 / 365.25;
        format!(
            "seeded {} bookings ({} past, {} future) from {} to {} ({years:.1} years) in {:.1} s",
            self.rows,
            self.past,
            self.rows - self.past,
            self.first.format("%Y-%m-%d"),
            self.last.format("%Y-%m-%d"),
            self.seed_time.as_secs_f64(),
        )
    }
}

/// One booking a day of the pattern: which resource, when (local minutes),
/// for how long (`None`: 30, 45 or 60 minutes, varying), for which group.
struct Booked {
    resource_id: i64,
    kind: &'static str,
    start_min: u32,
    minutes: Option<u32>,
    group: Option<i64>,
}

fn seed(db: &Db, n: u64) -> Result<Fixture> {
    let started = Instant::now();
    let now = clock::now();
    let stamp = now.naive_utc();
    let (site, people, computers, desks, rooms, group_ids, session) = db
        .write_blocking(|conn| {
            let site = sites::insert(conn, SLUG, "历史居委会 History Committee", "Asia/Shanghai", stamp)?;
            let mut people = Vec::new();
            for i in 0..PEOPLE {
                let email = format!("person{i}@history.example");
                let name = format!("居民{i}");
                let user = users::insert(
                    conn,
                    &users::NewUser {
                        email: &email,
                        name: &name,
                        other_name: None,
                        password_hash: None,
                        language: Language::ZhCn,
                        is_operator: false,
                    },
                    stamp,
                )?;
                let roles = Roles {
                    admin: i == PEOPLE - 1,
                    staff: true,
                    volunteer: false,
                    group_leader: i >= PEOPLE - 3,
                };
                users::insert_membership(conn, site.id, user.id, roles, false, stamp, None)?;
                people.push(user);
            }
            let room_hours: std::collections::BTreeMap<String, Vec<String>> =
                ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
                    .iter()
                    .map(|d| ((*d).to_owned(), vec!["08:00-21:00".to_owned()]))
                    .collect();
            let room_hours = OpeningHours::parse(&room_hours).map_err(ApiError::from)?;
            let mut add = |name: String, kind: ResourceKind, pool: Option<&str>, capacity: Option<i32>| {
                resources::insert(
                    conn,
                    site.id,
                    &ResourceFields {
                        name,
                        kind,
                        pool: pool.map(str::to_owned),
                        capacity,
                        features: Vec::new(),
                        opening_hours: (kind == ResourceKind::Room).then(|| room_hours.clone()),
                        rules: Rules::defaults_for(kind),
                    },
                    stamp,
                )
                .map(|r| r.id)
            };
            let computers = (1..=3)
                .map(|i| {
                    add(
                        format!("电脑 {i}"),
                        ResourceKind::Computer,
                        Some("computers"),
                        None,
                    )
                })
                .collect::<Result<Vec<_>, _>>()?;
            let desks = (1..=4)
                .map(|i| add(format!("前台 {i}"), ResourceKind::Desk, Some("front-desk"), None))
                .collect::<Result<Vec<_>, _>>()?;
            let rooms = ["A", "B", "C"]
                .iter()
                .map(|r| add(format!("活动室 {r}"), ResourceKind::Room, None, Some(20)))
                .collect::<Result<Vec<_>, _>>()?;
            let leader = people[PEOPLE - 2].id;
            let group_ids = vec![
                groups::insert(conn, site.id, "书法班", leader, stamp)?.id,
                groups::insert(conn, site.id, "合唱团", leader, stamp)?.id,
            ];
            let session = sessions::create_session(conn, people[0].id, stamp)?;
            Ok((site, people, computers, desks, rooms, group_ids, session))
        })
        .map_err(api)?;
    let first_user = people[0].id;
    if people
        .iter()
        .enumerate()
        .any(|(i, u)| u.id != first_user + i as i64)
    {
        bail!("expected consecutive user ids");
    }

    let mut pattern = Vec::new();
    for &c in &computers {
        for hour in [8, 9, 10, 11, 13, 14, 15, 16, 17, 18, 19, 20] {
            pattern.push(Booked {
                resource_id: c,
                kind: "computer",
                start_min: hour * 60,
                minutes: None,
                group: None,
            });
        }
    }
    for &d in &desks {
        for start in [8 * 60 + 30, 13 * 60 + 30] {
            pattern.push(Booked {
                resource_id: d,
                kind: "desk",
                start_min: start,
                minutes: Some(240),
                group: None,
            });
        }
    }
    for (i, &r) in rooms.iter().enumerate() {
        for (j, (start, minutes)) in [(540, 90), (630, 90), (840, 120), (1110, 120)]
            .into_iter()
            .enumerate()
        {
            pattern.push(Booked {
                resource_id: r,
                kind: "room",
                start_min: start,
                minutes: Some(minutes),
                group: (i == j % 3 && j >= 2).then(|| group_ids[j - 2]),
            });
        }
    }

    let tz = site.tz();
    let per_day = pattern.len() as u64;
    let days = n.div_ceil(per_day) as i64;
    let today = local_date(tz, now);
    let first_day = today + Duration::days(FUTURE_DAYS - days);
    // Days are counted back from today's offset (UTC+8), so old history
    // keeps the same UTC grid even where the zone once had another offset.
    let base = (midnight(tz, today) - Duration::days(days - FUTURE_DAYS)).naive_utc();
    let sql = seed_sql(&Seeding {
        kind: db.kind(),
        n,
        site_id: site.id,
        pattern: &pattern,
        first_day,
        base,
        now: stamp.format("%Y-%m-%d %H:%M:%S").to_string(),
        first_user,
    });
    {
        let mut conn = db.get().map_err(api)?;
        conn.batch_execute(&sql).context("seeding bookings")?;
        if db.kind() == BackendKind::Postgres {
            // What autovacuum would do after a million inserts; done now so
            // that it does not run in the middle of the measurement.
            conn.batch_execute("VACUUM ANALYZE")?;
        }
    }
    let seed_time = started.elapsed();

    let mut conn = db.get().map_err(api)?;
    let rows: i64 = bookings::table.count().get_result(&mut *conn)?;
    let past: i64 = bookings::table
        .filter(bookings::starts_at.lt(stamp))
        .count()
        .get_result(&mut *conn)?;
    let first: Option<NaiveDateTime> = bookings::table
        .select(diesel::dsl::min(bookings::starts_at))
        .first(&mut *conn)?;
    let last: Option<NaiveDateTime> = bookings::table
        .select(diesel::dsl::max(bookings::starts_at))
        .first(&mut *conn)?;

    let at = |date: NaiveDate, h: u32, m: u32| resolve_lenient(tz, date.and_hms_opt(h, m, 0).expect("time"));
    let week = today + Duration::days(7);
    let next_week = Interval::of(at(week, 10, 15), at(week, 11, 0));
    // Whoever holds the first computer then: the person-level check finds
    // their booking, as it would if they tried to book a second seat.
    let regular = booking_store::active_within(&mut conn, &computers[..1], next_week)
        .map_err(api)?
        .first()
        .map_or(people[1].id, |b| b.owner_id);
    let booker = &people[0];
    let (token, _) = JwtKeys::new(JWT_SECRET)?.issue(booker.id, session, now)?;
    Ok(Fixture {
        computers,
        booker: AuthUser {
            id: booker.id,
            session_id: session,
            email: booker.email.clone(),
            name: booker.name.clone(),
            is_operator: false,
            is_observer: false,
            language: Language::ZhCn,
        },
        regular,
        token,
        next_week,
        free_slot: Interval::of(at(week, 12, 0), at(week, 12, 45)),
        rows,
        past,
        first: first.unwrap_or_default(),
        last: last.unwrap_or_default(),
        seed_time,
    })
}

/// What the bulk insert needs to know.
struct Seeding<'a> {
    kind: BackendKind,
    /// Bookings to write.
    n: u64,
    site_id: i64,
    /// One day's bookings.
    pattern: &'a [Booked],
    /// The site-local date of the first day.
    first_day: NaiveDate,
    /// Its local midnight, in UTC.
    base: NaiveDateTime,
    /// What counts as past, as stored (`YYYY-MM-DD HH:MM:SS`, UTC).
    now: String,
    /// The first of `PEOPLE` consecutive user ids.
    first_user: i64,
}

/// The bulk insert: one statement in one transaction. Booking `i` is slot
/// `i % 56` of day `i / 56` from `base` (local midnight of the first day,
/// in UTC). A cheap multiplicative hash of the slot picks the length of
/// computer bookings, the status and the owner; the first person books
/// only in the past (so the dry-run booking stays within every quota), the
/// others also ahead.
fn seed_sql(seeding: &Seeding<'_>) -> String {
    let &Seeding {
        kind,
        n,
        site_id,
        pattern,
        first_day,
        base,
        ref now,
        first_user,
    } = seeding;
    let pg = kind == BackendKind::Postgres;
    let ts = |lit: &str| {
        if pg {
            format!("TIMESTAMPTZ '{lit}+00'")
        } else {
            format!("'{lit}'")
        }
    };
    let plus_minutes = |t: &str, minutes: &str| {
        if pg {
            format!("({t} + ({minutes}) * INTERVAL '1 minute')")
        } else {
            format!("datetime({t}, '+' || ({minutes}) || ' minutes')")
        }
    };
    let shift = |t: &str, by: &str| {
        if pg {
            format!("({t} + INTERVAL '{by}')")
        } else {
            format!("datetime({t}, '{by}')")
        }
    };
    let least = |a: &str, b: &str| {
        if pg {
            format!("LEAST({a}, {b})")
        } else {
            format!("min({a}, {b})")
        }
    };
    let base = ts(&base.format("%Y-%m-%d %H:%M:%S").to_string());
    let now = ts(now);
    let per_day = pattern.len();
    let seq = if pg {
        format!("seq(i) AS (SELECT g FROM generate_series(0::bigint, {n} - 1) AS g)")
    } else {
        format!("seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < {n})")
    };
    let values: Vec<String> = pattern
        .iter()
        .enumerate()
        .map(|(i, s)| {
            format!(
                "({i}, {}, '{}', {}, {}, {})",
                s.resource_id,
                s.kind,
                s.start_min,
                s.minutes.map_or("NULL".to_owned(), |m| m.to_string()),
                s.group.map_or("NULL".to_owned(), |g| g.to_string()),
            )
        })
        .collect();
    let (begin, falsy) = if pg {
        ("BEGIN", "FALSE")
    } else {
        ("BEGIN IMMEDIATE", "0")
    };
    let start = plus_minutes(&base, "m0");
    let end = plus_minutes(&base, "m0 + dur");
    let created = least(&shift("st", "-3 days"), &now);
    let cancelled_at = least(&shift("st", "-1 days"), &now);
    let released_at = shift("st", "+15 minutes");
    let others = PEOPLE - 1;
    // The hash key of a booking is its calendar slot counted from
    // 0001-01-01, so the same day and slot get the same length, status and
    // owner at every size: the weeks around now are identical.
    let epoch = NaiveDate::from_ymd_opt(1, 1, 1).expect("date");
    let k0 = (first_day - epoch).num_days() * per_day as i64;
    // Holders of the next 12 hours' bookings check in (stamped with the
    // start), so nothing lapses during the run: otherwise every rolled-back
    // booking would release them again, and how many depends on the clock.
    let checked_in_before = plus_minutes(&now, "720");
    format!(
        "{begin};
CREATE TEMP TABLE bench_pattern (
    slot INTEGER PRIMARY KEY, resource_id BIGINT NOT NULL, kind TEXT NOT NULL,
    start_min INTEGER NOT NULL, dur INTEGER, grp BIGINT
);
INSERT INTO bench_pattern VALUES {values};
WITH RECURSIVE {seq},
x AS (
    SELECT s.i AS i, p.resource_id AS resource_id, p.kind AS kind, p.grp AS grp,
           ((s.i + {k0}) * 2654435761) % 1000003 AS h,
           (s.i / {per_day}) * 1440 + p.start_min AS m0,
           COALESCE(p.dur, CASE (((s.i + {k0}) * 2654435761) % 1000003 / 100) % 4
               WHEN 0 THEN 30 WHEN 1 THEN 45 WHEN 2 THEN 60 ELSE 45 END) AS dur
    FROM seq s JOIN bench_pattern p ON p.slot = s.i % {per_day}
),
y AS (
    SELECT x.*, {start} AS st, {end} AS en, h % 100 AS r, h / 400 AS hu FROM x
),
z AS (
    SELECT y.*,
        CASE WHEN st < {now} THEN
            CASE WHEN r < 80 THEN 'confirmed' WHEN r < 93 OR kind = 'room' THEN 'cancelled' ELSE 'released' END
        ELSE
            CASE WHEN r < 88 THEN 'confirmed' ELSE 'cancelled' END
        END AS stat,
        CASE WHEN st < {now} THEN {first_user} + hu % {PEOPLE} ELSE {first_user} + 1 + hu % {others} END AS own
    FROM y
)
INSERT INTO bookings (site_id, resource_id, owner_id, group_id, starts_at, ends_at, busy_until, status,
    urgency, purpose, headcount, flexible, created_at, updated_at, checked_in_at, ended_at, ended_by)
SELECT {site_id}, resource_id, own, grp, st, en, en, stat,
    CASE WHEN hu % 50 = 0 THEN 'priority' ELSE 'routine' END,
    CASE kind WHEN 'computer' THEN '网上办事' WHEN 'desk' THEN '前台接待' ELSE '社区活动' END,
    CASE WHEN kind = 'room' THEN 8 END,
    {falsy}, {created}, {created},
    CASE WHEN stat = 'confirmed' AND st < {checked_in_before} AND kind <> 'room' THEN st END,
    CASE stat WHEN 'cancelled' THEN {cancelled_at} WHEN 'released' THEN {released_at} END,
    CASE WHEN stat = 'cancelled' THEN own END
FROM z;
DROP TABLE bench_pattern;
COMMIT;",
        values = values.join(",\n"),
    )
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Conflict,
    Person,
    AvailFn,
    AvailGetWeek,
    AvailGetNow,
    Board,
    Book,
}

impl Op {
    const ALL: [Op; 7] = [
        Op::Conflict,
        Op::Person,
        Op::AvailFn,
        Op::AvailGetWeek,
        Op::AvailGetNow,
        Op::Board,
        Op::Book,
    ];

    fn name(self) -> &'static str {
        match self {
            Op::Conflict => "conflict",
            Op::Person => "person",
            Op::AvailFn => "avail fn +7d",
            Op::AvailGetWeek => "avail GET +7d",
            Op::AvailGetNow => "avail GET now",
            Op::Board => "board GET",
            Op::Book => "book (rolled back)",
        }
    }

    fn what(self) -> &'static str {
        match self {
            Op::Conflict => "store::bookings::active_within, 1 computer, 10:15-11:00 next week",
            Op::Person => "store::bookings::personal_active_within, same window, its holder",
            Op::AvailFn => {
                "the availability handler's calls: pool=computers, duration 45 min, from next week 10:15"
            }
            Op::AvailGetWeek => {
                "GET /api/v1/sites/{site}/availability?pool=computers&duration_minutes=45&from=..."
            }
            Op::AvailGetNow => "GET /api/v1/sites/{site}/availability?pool=computers&duration_minutes=45",
            Op::Board => "GET /board/{site}: gather and render the wall board",
            Op::Book => "workflows::bookings::create, pool computers, 12:00-12:45 next week, rolled back",
        }
    }

    /// The p50 it should stay under, in microseconds.
    fn target_us(self) -> Option<f64> {
        match self {
            Op::Conflict | Op::Person | Op::AvailFn | Op::AvailGetWeek | Op::AvailGetNow => Some(1000.0),
            Op::Board => Some(5000.0),
            Op::Book => None,
        }
    }

    /// What the result column counts.
    fn unit(self) -> &'static str {
        match self {
            Op::Conflict | Op::Person => "rows",
            Op::AvailFn => "windows",
            Op::AvailGetWeek | Op::AvailGetNow | Op::Board => "bytes",
            Op::Book => "booked",
        }
    }
}

/// Runs `op` once on size `k`; returns the size of its result.
async fn run<G>(op: Op, b: &mut Bench, k: usize, get: &G) -> Result<usize>
where
    G: AsyncFn(usize, test::TestRequest) -> Result<usize>,
{
    let f = &b.fixture;
    let conn: &mut DbConn = &mut b.conn;
    match op {
        Op::Conflict => Ok(booking_store::active_within(conn, &f.computers[..1], f.next_week)
            .map_err(api)?
            .len()),
        Op::Person => Ok(
            booking_store::personal_active_within(conn, f.regular, f.next_week)
                .map_err(api)?
                .len(),
        ),
        Op::AvailFn => {
            let from = f.next_week.start.fixed_offset();
            Ok(availability(conn, &f.booker, Some(from), 45, clock::now())
                .map_err(api)?
                .len())
        }
        Op::AvailGetWeek | Op::AvailGetNow => {
            let mut uri = format!("/api/v1/sites/{SLUG}/availability?pool=computers&duration_minutes=45");
            if op == Op::AvailGetWeek {
                uri.push_str(&format!(
                    "&from={}",
                    f.next_week.start.format("%Y-%m-%dT%H:%M:%SZ")
                ));
            }
            let req = test::TestRequest::get()
                .uri(&uri)
                .insert_header(("Authorization", format!("Bearer {}", f.token)));
            get(k, req).await
        }
        Op::Board => get(k, test::TestRequest::get().uri(&format!("/board/{SLUG}"))).await,
        Op::Book => {
            let req = BookingRequest {
                target: Target::Pool("computers".to_owned()),
                slot: f.free_slot,
                purpose: "网上办事".to_owned(),
                urgency: Urgency::Routine,
                reason: None,
                headcount: None,
                group_id: None,
                recurrence: None,
                on_conflict: OnConflict::Fail,
                flexible: false,
                latest_start: None,
            };
            let user = f.booker.clone();
            let notifier = &b.state.notifier;
            let now = clock::now();
            let outcome = backend::transaction(conn, backend::Ending::RollBack, |c| {
                let access = site_access(c, SLUG, &user)?;
                booking_flow::create(c, &access, &req, notifier, now)
            })
            .map_err(api)?;
            match outcome {
                Outcome::Created(created) if created.bookings.len() == 1 => Ok(1),
                Outcome::Created(_) => bail!("booked other than one booking"),
                Outcome::Waitlisted { .. } => bail!("the free slot was not free"),
            }
        }
    }
}

/// What `GET /api/v1/sites/{site}/availability?pool=computers&...` does
/// inside its `db.read`: the site, the window, the pool, then the shared
/// `workflows::availability::free_slots`.
fn availability(
    conn: &mut DbConn,
    user: &AuthUser,
    from: Option<DateTime<FixedOffset>>,
    duration_minutes: i64,
    now: DateTime<Utc>,
) -> Result<Vec<FreeWindow>, ApiError> {
    let from = from.or_else(|| Some((now - Duration::hours(1)).fixed_offset()));
    let access = site_access(conn, SLUG, user)?;
    let tz = access.site.tz();
    let window = Period::query(tz, from, None, Duration::days(1), now)?.interval();
    let candidates = resources::pool_members(conn, access.site.id, "computers")?;
    let mut slots = free_slots(
        conn,
        tz,
        &candidates,
        window,
        Some(Duration::minutes(duration_minutes)),
        now,
    )?;
    slots.truncate(MAX_SLOTS);
    Ok(slots)
}

struct Figure {
    p50_us: f64,
    p99_us: f64,
    out: usize,
}

impl Figure {
    fn of(mut samples: Vec<StdDuration>, out: usize) -> Figure {
        samples.sort_unstable();
        let at = |q: f64| {
            let i = ((samples.len() as f64 * q).ceil() as usize).clamp(1, samples.len()) - 1;
            samples[i].as_secs_f64() * 1e6
        };
        Figure {
            p50_us: at(0.50),
            p99_us: at(0.99),
            out,
        }
    }
}

fn report(args: &Args, benches: &[Bench], results: &[Vec<Figure>]) {
    println!();
    println!("operations:");
    for op in Op::ALL {
        println!("  {:<20} {}", op.name(), op.what());
    }
    println!();
    println!(
        "{:>9}  {:<20} {:>10} {:>10}  result",
        "size", "operation", "p50 µs", "p99 µs"
    );
    for (k, b) in benches.iter().enumerate() {
        for (op, figures) in Op::ALL.iter().zip(results) {
            let f = &figures[k];
            println!(
                "{:>9}  {:<20} {:>10.1} {:>10.1}  {} {}",
                b.n,
                op.name(),
                f.p50_us,
                f.p99_us,
                f.out,
                op.unit()
            );
        }
    }
    if benches.len() < 2 {
        return;
    }
    let (small, large) = (0, benches.len() - 1);
    println!();
    println!(
        "p50 ratio, {} / {} bookings (target: at most 1.2), and p50 against its target:",
        benches[large].n, benches[small].n
    );
    println!(
        "  {:<20} {:>8} {:>10} {:>8}  verdict",
        "operation", "ratio", "p50 µs", "target"
    );
    let mut misses = 0;
    for (op, figures) in Op::ALL.iter().zip(results) {
        let ratio = figures[large].p50_us / figures[small].p50_us;
        let worst = figures[small].p50_us.max(figures[large].p50_us);
        let ratio_ok = ratio <= 1.2;
        let abs_ok = op.target_us().is_none_or(|t| worst < t);
        if !(ratio_ok && abs_ok) {
            misses += 1;
        }
        println!(
            "  {:<20} {:>7.2}x {:>10.1} {:>8}  {}",
            op.name(),
            ratio,
            worst,
            op.target_us().map_or("-".to_owned(), |t| format!("<{t:.0}")),
            match (ratio_ok, abs_ok) {
                (true, true) => "ok",
                (false, true) => "MISS (grows with history)",
                (true, false) => "MISS (too slow)",
                (false, false) => "MISS (grows with history, too slow)",
            }
        );
    }
    println!(
        "{}: {} of {} operations within target",
        match args.db {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        },
        Op::ALL.len() - misses,
        Op::ALL.len()
    );
}
