//! Faults: a server killed mid-write, two instances on one database, a
//! database that goes away, and backups of a live database. Each test says
//! which promise of `docs/reliability.md` it proves.

use std::collections::HashSet;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use futures::future::join_all;
use serde_json::{Value, json};

use crate::helpers::{Person, TEST_JWT_SECRET, TestApp, open_room, sh, spawn_app, spawn_app_with};
use livingroom::db::BackendKind;
use livingroom::domain::person::Roles;

/// Rooms that take as many bookings as the tests throw at them.
async fn open_rooms(app: &TestApp, admin: &Person, n: usize) -> Vec<i64> {
    let res = app
        .patch(
            "/api/v1/sites/alpha",
            &json!({"max_future_bookings_per_person": null}),
            Some(&admin.token),
        )
        .await;
    assert_eq!(res.status(), 200);
    let mut rooms = Vec::new();
    for i in 0..n {
        rooms.push(
            app.resource("alpha", admin, open_room(&format!("Room {i}")))
                .await,
        );
    }
    rooms
}

/// Every active booking of the site: (id, resource, start, busy until).
async fn active_bookings(app: &TestApp) -> Vec<(i64, i64, chrono::NaiveDateTime, chrono::NaiveDateTime)> {
    app.db
        .read(|conn| {
            use livingroom::db::schema::bookings;
            Ok(bookings::table
                .filter(bookings::status.eq_any(livingroom::domain::booking::ACTIVE_STATUSES))
                .select((
                    bookings::id,
                    bookings::resource_id,
                    bookings::starts_at,
                    bookings::busy_until,
                ))
                .load(conn)?)
        })
        .await
        .expect("read bookings")
}

/// Panics if two active bookings on one resource overlap.
fn assert_no_overlap(mut rows: Vec<(i64, i64, chrono::NaiveDateTime, chrono::NaiveDateTime)>) {
    rows.sort_by_key(|r| (r.1, r.2));
    for pair in rows.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        assert!(
            a.1 != b.1 || b.2 >= a.3,
            "bookings {} and {} overlap on resource {}",
            a.0,
            b.0,
            a.1
        );
    }
}

/// A release-or-debug `livingroom` process, killed when dropped.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

/// A second server process on the test app's database and mail folder.
fn start_process(database_url: &str, mail_dir: &Path, port: u16) -> Process {
    Process(
        Command::new(env!("CARGO_BIN_EXE_livingroom"))
            .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
            .env("DATABASE_URL", database_url)
            .env("LIVINGROOM_JWT_SECRET", TEST_JWT_SECRET)
            .env("LIVINGROOM_MAIL_DIR", mail_dir)
            .env("RUST_LOG", "error")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start livingroom"),
    )
}

async fn wait_ready(client: &reqwest::Client, base: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(res) = client.get(format!("{base}/readyz")).send().await
            && res.status() == 200
        {
            return;
        }
        assert!(Instant::now() < deadline, "{base} did not become ready");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A fixed pseudo-random sequence, so a failure can be replayed.
fn lcg(seed: u64) -> impl FnMut(u64) -> u64 {
    let mut state = seed;
    move |n| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) % n
    }
}

/// A random quarter-hour slot between 08:00 and 20:00 on one of 100 days.
fn random_slot(rooms: &[i64], next: &mut impl FnMut(u64) -> u64) -> Value {
    let room = rooms[next(rooms.len() as u64) as usize];
    let day = 1 + next(100) as i64;
    let quarter = 8 * 4 + next(48) as u32;
    let end = quarter + 1;
    json!({
        "resource_id": room,
        "starts_at": sh(day, quarter / 4, (quarter % 4) * 15),
        "ends_at": sh(day, end / 4, (end % 4) * 15),
        "purpose": "crash test",
    })
}

/// Promise: an acknowledged booking is never lost and never double-booked,
/// even when the server dies mid-write. 20 clients book until 5,000 are
/// acknowledged while the server process is SIGKILLed 10 times at random
/// moments and restarted; every 201 must be in the database afterwards.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_ten_times_it_keeps_every_acknowledged_booking() {
    const TARGET: usize = 5_000;
    const CLIENTS: usize = 20;
    let app = spawn_app().await;
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    let rooms = open_rooms(&app, &admin, 10).await;
    let mut people = Vec::new();
    for _ in 0..CLIENTS {
        people.push(app.quick_member("alpha", Roles::STAFF).await);
    }
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .pool_max_idle_per_host(CLIENTS)
        .build()
        .unwrap();
    let process = Arc::new(std::sync::Mutex::new(Some(start_process(
        &app.settings.database_url,
        &app.mail_dir,
        port,
    ))));
    wait_ready(&client, &base).await;

    let acked = Arc::new(AtomicUsize::new(0));
    let killer = {
        let (acked, process, client, base, app_settings) = (
            acked.clone(),
            process.clone(),
            client.clone(),
            base.clone(),
            app.settings.clone(),
        );
        let mail_dir = app.mail_dir.clone();
        tokio::spawn(async move {
            let mut next = lcg(0xdead_beef);
            let mut marks: Vec<usize> = (0..10).map(|_| 200 + next(4_600) as usize).collect();
            marks.sort_unstable();
            for mark in marks {
                while acked.load(Ordering::SeqCst) < mark {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
                // A random moment inside the next few requests.
                tokio::time::sleep(Duration::from_millis(next(40))).await;
                let old = process.lock().unwrap().take();
                drop(old); // SIGKILL and reap
                let fresh = start_process(&app_settings.database_url, &mail_dir, port);
                *process.lock().unwrap() = Some(fresh);
                wait_ready(&client, &base).await;
            }
        })
    };

    let clients = people.iter().enumerate().map(|(i, person)| {
        let (client, base, acked, rooms) = (client.clone(), base.clone(), acked.clone(), rooms.clone());
        let token = person.token.clone();
        async move {
            let mut next = lcg(1 + i as u64);
            let mut mine: Vec<i64> = Vec::new();
            while acked.load(Ordering::SeqCst) < TARGET {
                let body = random_slot(&rooms, &mut next);
                let sent = client
                    .post(format!("{base}/api/v1/sites/alpha/bookings"))
                    .bearer_auth(&token)
                    .json(&body)
                    .send()
                    .await;
                match sent {
                    Ok(res) if res.status() == 201 => {
                        if let Ok(v) = res.json::<Value>().await {
                            mine.push(v["id"].as_i64().expect("id"));
                            acked.fetch_add(1, Ordering::SeqCst);
                        }
                    }
                    Ok(res) => {
                        let status = res.status().as_u16();
                        assert!(
                            status == 409 || status == 503,
                            "unexpected {status}: {}",
                            res.text().await.unwrap_or_default()
                        );
                    }
                    // The server is down or died under the request: the
                    // outcome is unknown, so it is not counted.
                    Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
                }
            }
            mine
        }
    });
    let acknowledged: Vec<i64> = join_all(clients).await.into_iter().flatten().collect();
    killer.await.expect("killer");
    drop(process.lock().unwrap().take());

    assert!(acknowledged.len() >= TARGET);
    let stored = active_bookings(&app).await;
    let ids: HashSet<i64> = stored.iter().map(|r| r.0).collect();
    let lost: Vec<&i64> = acknowledged.iter().filter(|id| !ids.contains(id)).collect();
    assert!(lost.is_empty(), "acknowledged but lost: {lost:?}");
    assert_no_overlap(stored);
    assert_durable_settings(&app).await;
}

/// SQLite: the file is intact. PostgreSQL: commits wait for the WAL flush.
async fn assert_durable_settings(app: &TestApp) {
    #[derive(diesel::QueryableByName)]
    struct Text {
        #[diesel(sql_type = diesel::sql_types::Text)]
        value: String,
    }
    let backend = app.backend;
    let value = app
        .db
        .read(move |conn| {
            let sql = match backend {
                BackendKind::Sqlite => "SELECT integrity_check AS value FROM pragma_integrity_check",
                BackendKind::Postgres => {
                    "SELECT setting AS value FROM pg_settings WHERE name = 'synchronous_commit'"
                }
            };
            Ok(diesel::sql_query(sql).get_result::<Text>(conn)?.value)
        })
        .await
        .unwrap();
    match backend {
        BackendKind::Sqlite => assert_eq!(value, "ok"),
        BackendKind::Postgres => assert_eq!(value, "on"),
    }
}

/// Promise: with requests spread over two app instances on one database,
/// 200 clients racing for one slot still yield exactly one booking.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_two_hundred_clients_one_slot_one_booking() {
    let app = spawn_app().await;
    let second = app.second_instance().await;
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    let rooms = open_rooms(&app, &admin, 1).await;
    let mut people = Vec::new();
    for _ in 0..200 {
        people.push(app.quick_member("alpha", Roles::STAFF).await);
    }
    for round in 0..5u32 {
        let body = json!({"resource_id": rooms[0], "starts_at": sh(2, 9 + round, 0),
                          "ends_at": sh(2, 10 + round, 0), "purpose": "race"});
        let answers = join_all(people.iter().enumerate().map(|(i, p)| {
            let base = if i % 2 == 0 {
                app.address.clone()
            } else {
                second.address.clone()
            };
            let (client, body) = (app.client.clone(), body.clone());
            async move {
                client
                    .post(format!("{base}/api/v1/sites/alpha/bookings"))
                    .bearer_auth(&p.token)
                    .json(&body)
                    .send()
                    .await
                    .expect("request")
                    .status()
                    .as_u16()
            }
        }))
        .await;
        let won = answers.iter().filter(|s| **s == 201).count();
        let lost = answers.iter().filter(|s| **s == 409).count();
        assert_eq!((won, lost), (1, 199), "round {round}: {answers:?}");
    }
    let stored = active_bookings(&app).await;
    assert_eq!(stored.len(), 5);
    assert_no_overlap(stored);
}

/// A TCP proxy in front of PostgreSQL that the test can cut and restore.
struct Proxy {
    port: u16,
    upstream: String,
    running: Option<tokio::task::JoinHandle<()>>,
}

impl Proxy {
    async fn start(upstream: &str) -> Proxy {
        let mut proxy = Proxy {
            port: free_port(),
            upstream: upstream.to_owned(),
            running: None,
        };
        proxy.resume().await;
        proxy
    }

    /// Listens again: new connections reach PostgreSQL.
    async fn resume(&mut self) {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", self.port))
            .await
            .expect("bind proxy");
        let upstream = self.upstream.clone();
        self.running = Some(tokio::spawn(async move {
            let mut links = tokio::task::JoinSet::new();
            while let Ok((mut inbound, _)) = listener.accept().await {
                let upstream = upstream.clone();
                links.spawn(async move {
                    if let Ok(mut outbound) = tokio::net::TcpStream::connect(upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
            }
        }));
    }

    /// Closes every open connection and refuses new ones.
    async fn cut(&mut self) {
        if let Some(task) = self.running.take() {
            task.abort();
            let _ = task.await;
        }
    }
}

/// Promise: when the database is unreachable, requests answer 503
/// problem+json with `Retry-After` quickly (no hang, no 500), `/readyz`
/// says so, and the service recovers by itself. PostgreSQL only: an
/// embedded SQLite file cannot become unreachable.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_database_is_a_503_and_the_service_recovers() {
    if std::env::var("LIVINGROOM_TEST_POSTGRES_URL").is_err() {
        eprintln!("skipped: needs LIVINGROOM_TEST_POSTGRES_URL");
        return;
    }
    let mut proxy = Proxy::start("127.0.0.1:5432").await;
    let port = proxy.port;
    let app = spawn_app_with(|s| {
        s.database_url = s
            .database_url
            .replace("127.0.0.1:5432", &format!("127.0.0.1:{port}"));
        assert!(s.database_url.contains(&port.to_string()), "{}", s.database_url);
    })
    .await;
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    let token = Some(admin.token.as_str());
    assert_eq!(
        app.get("/api/v1/sites/alpha/resources", token).await.status(),
        200
    );

    proxy.cut().await;
    for path in [
        "/api/v1/sites/alpha/resources",
        "/api/v1/sites/alpha/bookings",
        "/readyz",
    ] {
        let started = Instant::now();
        let res = app.get(path, token).await;
        assert!(started.elapsed() < Duration::from_secs(10), "{path} hung");
        assert_eq!(res.status(), 503, "{path}");
        if path != "/readyz" {
            assert!(
                res.headers().contains_key("retry-after"),
                "{path}: no Retry-After"
            );
            assert_eq!(res.headers()["content-type"], "application/problem+json");
        }
    }

    proxy.resume().await;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let res = app.get("/api/v1/sites/alpha/resources", token).await;
        if res.status() == 200 {
            break;
        }
        assert_eq!(res.status(), 503);
        assert!(Instant::now() < deadline, "did not recover");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(app.get("/readyz", None).await.status(), 200);
}

/// Promise: `livingroom backup PATH` copies a live SQLite database
/// consistently: taken while bookings are being written, the copy passes
/// the integrity check, holds every booking acknowledged before the backup
/// began, has no overlaps, and a server started on it serves them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_of_a_live_database_restores() {
    let app = spawn_app().await;
    if app.backend != BackendKind::Sqlite {
        eprintln!("skipped: `livingroom backup` is for SQLite; PostgreSQL uses pg_dump");
        return;
    }
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    let rooms = open_rooms(&app, &admin, 4).await;
    let person = app.quick_member("alpha", Roles::STAFF).await;
    let mut next = lcg(7);
    let mut before = Vec::new();
    while before.len() < 100 {
        let res = app.book("alpha", &person, random_slot(&rooms, &mut next)).await;
        if res.status() == 201 {
            before.push(res.json::<Value>().await.unwrap()["id"].as_i64().unwrap());
        }
    }
    // Keep writing while the backup runs.
    let writer = {
        let (client, base, token, rooms) = (
            app.client.clone(),
            app.address.clone(),
            person.token.clone(),
            rooms.clone(),
        );
        tokio::spawn(async move {
            let mut next = lcg(8);
            for _ in 0..200 {
                let _ = client
                    .post(format!("{base}/api/v1/sites/alpha/bookings"))
                    .bearer_auth(&token)
                    .json(&random_slot(&rooms, &mut next))
                    .send()
                    .await;
            }
        })
    };
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("backup.db");
    let (url, target) = (app.settings.database_url.clone(), copy.clone());
    let output = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_livingroom"))
            .arg("backup")
            .arg(&target)
            .env("DATABASE_URL", url)
            .env("LIVINGROOM_JWT_SECRET", TEST_JWT_SECRET)
            .output()
    })
    .await
    .unwrap()
    .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    writer.await.unwrap();
    // The copy holds every account's password hash and session: its owner's
    // eyes only.
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&copy).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "the backup is owner-only: {mode:o}");
    }

    let url = format!("sqlite://{}", copy.display());
    let restored = spawn_app_with(|s| s.database_url = url.clone()).await;
    assert_durable_settings(&restored).await;
    let stored = active_bookings(&restored).await;
    let ids: HashSet<i64> = stored.iter().map(|r| r.0).collect();
    assert!(
        before.iter().all(|id| ids.contains(id)),
        "a booking made before the backup is missing"
    );
    assert_no_overlap(stored);
    // Sessions are in the copy too: the same token works there.
    let res = restored
        .get(
            &format!("/api/v1/sites/alpha/bookings/{}", before[0]),
            Some(&person.token),
        )
        .await;
    assert_eq!(res.status(), 200);
}

/// Promise: SQLite never answers "database is locked", even with another
/// process writing the same file at the same time as 50 writers here.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_writers_and_a_second_process_never_see_database_is_locked() {
    let app = spawn_app().await;
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    let rooms = open_rooms(&app, &admin, 5).await;
    let port = free_port();
    let other = start_process(&app.settings.database_url, &app.mail_dir, port);
    let other_base = format!("http://127.0.0.1:{port}");
    wait_ready(&app.client, &other_base).await;
    let mut people = Vec::new();
    for _ in 0..50 {
        people.push(app.quick_member("alpha", Roles::STAFF).await);
    }
    let answers = join_all(people.iter().enumerate().map(|(i, p)| {
        let base = if i % 5 == 0 {
            other_base.clone()
        } else {
            app.address.clone()
        };
        let (client, rooms) = (app.client.clone(), rooms.clone());
        async move {
            let mut next = lcg(100 + i as u64);
            let mut statuses = Vec::new();
            for _ in 0..10 {
                let res = client
                    .post(format!("{base}/api/v1/sites/alpha/bookings"))
                    .bearer_auth(&p.token)
                    .json(&random_slot(&rooms, &mut next))
                    .send()
                    .await
                    .expect("request");
                let status = res.status().as_u16();
                let text = res.text().await.unwrap_or_default();
                assert!(!text.contains("locked"), "{text}");
                statuses.push(status);
            }
            statuses
        }
    }))
    .await;
    drop(other);
    let all: Vec<u16> = answers.into_iter().flatten().collect();
    assert!(all.iter().all(|s| *s == 201 || *s == 409), "{all:?}");
    assert_no_overlap(active_bookings(&app).await);
}

/// Promise: a clean stop (SIGTERM) leaves the SQLite database file whole:
/// the write-ahead log folded in and emptied, so the file alone is a
/// complete copy and the next start has no log to read back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clean_stop_folds_the_log_into_the_database_file() {
    if std::env::var("LIVINGROOM_TEST_POSTGRES_URL").is_ok_and(|u| !u.is_empty()) {
        eprintln!("skipped: the write-ahead log is SQLite's");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("stop.db");
    let url = format!("sqlite://{}", file.display());
    let created = Command::new(env!("CARGO_BIN_EXE_livingroom"))
        .args([
            "operator",
            "create",
            "--email",
            "op@example.org",
            "--password",
            "stop-test-password",
        ])
        .env("DATABASE_URL", &url)
        .env("LIVINGROOM_JWT_SECRET", TEST_JWT_SECRET)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(created.success());
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut process = start_process(&url, &dir.path().join("mail"), port);
    let client = reqwest::Client::new();
    wait_ready(&client, &base).await;
    for _ in 0..3 {
        let res = client
            .post(format!("{base}/api/v1/auth/login"))
            .json(&json!({"email": "op@example.org", "password": "stop-test-password"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
    }
    let wal = dir.path().join("stop.db-wal");
    let log_size = || std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    assert!(log_size() > 0, "the sign-ins are in the log before the stop");

    let stopped = Command::new("kill")
        .arg(process.0.id().to_string())
        .status()
        .unwrap();
    assert!(stopped.success());
    let deadline = Instant::now() + Duration::from_secs(30);
    while process.0.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "no exit within 30 s of SIGTERM");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        log_size(),
        0,
        "the log was left with pages not in the database file"
    );
    let mut conn = diesel::SqliteConnection::establish(&file.to_string_lossy()).unwrap();
    let sessions: i64 = livingroom::db::schema::sessions::table
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(sessions, 3);
}
