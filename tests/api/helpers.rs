//! Test harness: every test spawns the real application on port 0 with a
//! database of its own: a fresh SQLite file by default, or a fresh
//! PostgreSQL database (dropped afterwards) when
//! `LIVINGROOM_TEST_POSTGRES_URL` is set.

use std::sync::OnceLock;

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use livingroom::auth::password;
use livingroom::clock;
use livingroom::config::Settings;
use livingroom::db::{BackendKind, Db};
use livingroom::domain::person::{Language, Roles};
use livingroom::startup::Application;
use livingroom::store::sites;
use livingroom::store::users::{self, NewUser};
use livingroom::workflows::members::{self, NewMember};
use serde_json::{Value, json};

/// The JWT secret every test app signs with, so tests can forge tokens.
pub const TEST_JWT_SECRET: &str = "test-secret-test-secret-test-secret-0123456789";
pub const PASSWORD: &str = "correct horse battery";

/// One argon2 hash shared by every seeded account: hashing is slow.
/// A room whose rules never stand in the way of many quick bookings: no
/// notice, a year ahead, no approval or weekly cap, 15-minute steps.
pub fn open_room(name: &str) -> Value {
    json!({"name": name, "kind": "room", "rules": {
        "min_notice_minutes": 0, "max_advance_days": 400, "requires_approval": false,
        "max_bookings_per_user_per_week": null, "slot_minutes": 15, "min_minutes": 15
    }})
}

pub fn password_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| password::hash(PASSWORD).expect("hash"))
}

/// Where a test's database lives, removed when the test ends.
enum TestDatabase {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { admin_url: String, name: String },
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let TestDatabase::Postgres { admin_url, name } = self
            && let Ok(mut conn) = PgConnection::establish(admin_url)
        {
            let _ = conn.batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"));
        }
    }
}

pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub address: String,
    /// A client that keeps no cookies and follows no redirects.
    pub client: reqwest::Client,
    /// Direct access for seeding and for checks the API cannot express.
    pub db: Db,
    #[allow(dead_code)]
    pub backend: BackendKind,
    /// Stops the server when the test ends.
    handle: actix_web::dev::ServerHandle,
    /// The scheduler and outbox worker; they stop when this is dropped.
    _background: livingroom::jobs::Background,
    /// The settings the app runs with (a second instance reuses them).
    pub settings: Settings,
    /// Where `.eml` files go when a test does not configure SMTP.
    pub mail_dir: std::path::PathBuf,
    /// Declared last: dropped after the server has been told to stop.
    _database: TestDatabase,
    _mail: tempfile::TempDir,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Sends the stop command now; nothing needs to await it.
        drop(self.handle.stop(false));
    }
}

/// Builds settings for a fresh database; returns them with its guard.
fn fresh_database() -> (Settings, TestDatabase) {
    let (database_url, database) = new_database(true);
    let settings = Settings {
        bind: "127.0.0.1:0".to_owned(),
        jwt_secret: Some(TEST_JWT_SECRET.to_owned()),
        pool_size: 6,
        workers: 2,
        database_url,
        // Every test signs in from 127.0.0.1, often and at once; the tests
        // of these limits (`sign_in_abuse`) set them low.
        sign_in_per_minute: 100_000,
        sign_in_burst: 100_000,
        password_queue: 10_000,
        ..Settings::default()
    };
    (settings, database)
}

/// A fresh, empty database (no migrations applied), removed when the
/// returned guard is dropped: for upgrade tests.
pub fn empty_database() -> (String, impl Sized) {
    new_database(false)
}

/// A database of the test's own and its URL: a new SQLite file, or a new
/// PostgreSQL database, copied from the migrated template when `migrated`.
/// (SQLite is migrated by whoever opens it first, so it starts empty.)
fn new_database(migrated: bool) -> (String, TestDatabase) {
    // OpenSSL must be set up without exit-time cleanup before libpq first
    // touches it, or that cleanup races connections still closing at exit.
    openssl_sys::init();
    match std::env::var("LIVINGROOM_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty())
    {
        Some(admin_url) => {
            let name = format!("lr_test_{}", uuid::Uuid::new_v4().simple());
            let template = if migrated {
                format!(" TEMPLATE \"{}\"", migrated_template(&admin_url))
            } else {
                String::new()
            };
            let mut conn =
                PgConnection::establish(&admin_url).expect("connect to LIVINGROOM_TEST_POSTGRES_URL");
            conn.batch_execute(&format!("CREATE DATABASE \"{name}\"{template}"))
                .expect("create test database");
            let base = admin_url.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin_url);
            let url = format!("{base}/{name}");
            (url, TestDatabase::Postgres { admin_url, name })
        }
        None => {
            let dir = tempfile::tempdir().expect("tempdir");
            let url = format!("sqlite://{}", dir.path().join("test.db").display());
            (url, TestDatabase::Sqlite(dir))
        }
    }
}

/// A database migrated once per test run, copied for each test: copying a
/// template is much faster than migrating every test's database.
fn migrated_template(admin_url: &str) -> String {
    static TEMPLATE: OnceLock<String> = OnceLock::new();
    TEMPLATE
        .get_or_init(|| {
            // The name carries its birth (Unix seconds), so a run clears
            // only templates left by runs that cannot still be going: test
            // runs sharing one PostgreSQL (CI's, a developer's) must not
            // drop each other's template mid-run.
            let born = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .expect("clock after 1970")
                .as_secs();
            let name = format!("lr_tmpl_{born}_{}", uuid::Uuid::new_v4().simple());
            let mut conn =
                PgConnection::establish(admin_url).expect("connect to LIVINGROOM_TEST_POSTGRES_URL");
            let old: Vec<String> = {
                #[derive(diesel::QueryableByName)]
                struct Name {
                    #[diesel(sql_type = diesel::sql_types::Text)]
                    datname: String,
                }
                use diesel::RunQueryDsl;
                diesel::sql_query("SELECT datname FROM pg_database WHERE datname LIKE 'lr_tmpl_%'")
                    .load::<Name>(&mut conn)
                    .map(|rows| rows.into_iter().map(|r| r.datname).collect())
                    .unwrap_or_default()
            };
            const STALE_AFTER_SECS: u64 = 3 * 3600;
            for db in old {
                // Names without a birth are from before this rule: stale.
                let birth = db
                    .strip_prefix("lr_tmpl_")
                    .and_then(|rest| rest.split_once('_'))
                    .and_then(|(secs, _)| secs.parse::<u64>().ok())
                    .unwrap_or(0);
                if born.saturating_sub(birth) > STALE_AFTER_SECS {
                    let _ = conn.batch_execute(&format!("DROP DATABASE IF EXISTS \"{db}\" WITH (FORCE)"));
                }
            }
            conn.batch_execute(&format!("CREATE DATABASE \"{name}\""))
                .expect("create template database");
            let base = admin_url.rsplit_once('/').map(|(b, _)| b).unwrap_or(admin_url);
            let url = livingroom::db::DatabaseUrl::parse(&format!("{base}/{name}")).expect("url");
            let mut migrate = livingroom::db::backend::establish(&url).expect("connect to template");
            livingroom::db::migrate::run(&mut migrate).expect("migrate template");
            drop(migrate);
            name
        })
        .clone()
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(configure: impl FnOnce(&mut Settings)) -> TestApp {
    if std::env::var_os("TEST_LOG").is_some() {
        livingroom::telemetry::init(livingroom::config::LogFormat::Text);
    }
    let (mut settings, database) = fresh_database();
    let mail = tempfile::tempdir().expect("mail dir");
    settings.mail_dir = mail.path().display().to_string();
    settings.mail_poll_millis = 50;
    settings.scheduler_tick_millis = 100;
    configure(&mut settings);
    let kept = settings.clone();
    let app = Application::build(settings).await.expect("build app");
    let address = format!("http://127.0.0.1:{}", app.port());
    let db = app.state().db.clone();
    let backend = db.kind();
    let (server, background) = app.into_parts();
    let handle = server.handle();
    tokio::spawn(server);
    TestApp {
        _background: background,
        address,
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client"),
        db,
        backend,
        handle,
        settings: kept,
        mail_dir: mail.path().to_path_buf(),
        _database: database,
        _mail: mail,
    }
}

/// Another app instance on the same database (several stateless instances
/// on one PostgreSQL, or two processes on one SQLite file).
pub struct SecondInstance {
    /// `http://127.0.0.1:PORT` of this instance.
    pub address: String,
    handle: actix_web::dev::ServerHandle,
    _background: livingroom::jobs::Background,
}

impl Drop for SecondInstance {
    fn drop(&mut self) {
        drop(self.handle.stop(false));
    }
}

impl TestApp {
    pub async fn second_instance(&self) -> SecondInstance {
        let mut settings = self.settings.clone();
        settings.bind = "127.0.0.1:0".to_owned();
        let app = Application::build(settings).await.expect("build second app");
        let address = format!("http://127.0.0.1:{}", app.port());
        let (server, background) = app.into_parts();
        let handle = server.handle();
        tokio::spawn(server);
        SecondInstance {
            address,
            handle,
            _background: background,
        }
    }
}

/// A seeded person: id, e-mail, and a signed-in access token if asked.
#[derive(Clone, Debug)]
pub struct Person {
    pub id: i64,
    pub email: String,
    pub token: String,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> reqwest::Response {
        let mut req = self.client.get(self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().await.expect("request")
    }

    pub async fn send_json(
        &self,
        method: reqwest::Method,
        path: &str,
        body: &Value,
        token: Option<&str>,
    ) -> reqwest::Response {
        let mut req = self.client.request(method, self.url(path)).json(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().await.expect("request")
    }

    pub async fn post(&self, path: &str, body: &Value, token: Option<&str>) -> reqwest::Response {
        self.send_json(reqwest::Method::POST, path, body, token).await
    }

    pub async fn patch(&self, path: &str, body: &Value, token: Option<&str>) -> reqwest::Response {
        self.send_json(reqwest::Method::PATCH, path, body, token).await
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> reqwest::Response {
        let mut req = self.client.delete(self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().await.expect("request")
    }

    /// Signs in and returns the whole token response.
    pub async fn login(&self, email: &str, password: &str) -> reqwest::Response {
        self.post(
            "/api/v1/auth/login",
            &json!({"email": email, "password": password}),
            None,
        )
        .await
    }

    pub async fn token_for(&self, email: &str) -> String {
        self.token_for_password(email, PASSWORD).await
    }

    pub async fn token_for_password(&self, email: &str, password: &str) -> String {
        let res = self.login(email, password).await;
        assert_eq!(res.status(), 200, "login of {email}");
        let body: Value = res.json().await.expect("json");
        body["access_token"].as_str().expect("access_token").to_owned()
    }

    /// Seeds an operator straight into the database and signs them in.
    pub async fn operator(&self) -> Person {
        let email = format!("operator-{}@test.example", uuid::Uuid::new_v4().simple());
        let hash = password_hash().to_owned();
        let e = email.clone();
        let id = self
            .db
            .write(move |conn| {
                Ok(users::insert(
                    conn,
                    &NewUser {
                        email: &e,
                        name: "Operator",
                        other_name: None,
                        password_hash: Some(&hash),
                        language: Language::En,
                        is_operator: true,
                    },
                    clock::now_naive(),
                )?
                .id)
            })
            .await
            .expect("seed operator");
        let token = self.token_for(&email).await;
        Person { id, email, token }
    }

    /// Seeds a site straight into the database.
    pub async fn site(&self, slug: &str) {
        let slug = slug.to_owned();
        self.db
            .write(move |conn| {
                sites::insert(conn, &slug, "Test committee", "Asia/Shanghai", clock::now_naive())
            })
            .await
            .expect("seed site");
    }

    /// Seeds a member of `slug` with `roles` and signs them in.
    pub async fn member(&self, slug: &str, name: &str, roles: Roles, skills: &[&str]) -> Person {
        let email = format!(
            "{}-{}@test.example",
            name.to_lowercase().replace(' ', "."),
            uuid::Uuid::new_v4().simple()
        );
        let (slug, e, name) = (slug.to_owned(), email.clone(), name.to_owned());
        let skills: Vec<String> = skills.iter().map(|s| s.to_string()).collect();
        let hash = password_hash().to_owned();
        let id = self
            .db
            .write(move |conn| {
                let site = sites::by_slug(conn, &slug)?.expect("site exists");
                let added = members::add_to_site(
                    conn,
                    site.id,
                    NewMember {
                        email: e,
                        name,
                        other_name: None,
                        roles,
                        skills,
                        password_hash: Some(hash),
                        senior: false,
                        language: Language::ZhCn,
                    },
                    clock::now_naive(),
                )?;
                Ok(added.user.id)
            })
            .await
            .expect("seed member");
        let token = self.token_for(&email).await;
        Person { id, email, token }
    }

    /// Seeds a member without password hashing or a login round trip: the
    /// session row is written directly and the token signed with the test
    /// secret. For tests that need many people.
    pub async fn quick_member(&self, slug: &str, roles: Roles) -> Person {
        let email = format!("quick-{}@test.example", uuid::Uuid::new_v4().simple());
        let (slug, e) = (slug.to_owned(), email.clone());
        let (id, session) = self
            .db
            .write(move |conn| {
                let site = sites::by_slug(conn, &slug)?.expect("site exists");
                let added = members::add_to_site(
                    conn,
                    site.id,
                    NewMember {
                        email: e,
                        name: "Quick".to_owned(),
                        other_name: None,
                        roles,
                        skills: vec![],
                        password_hash: Some("unused".to_owned()),
                        senior: false,
                        language: Language::ZhCn,
                    },
                    clock::now_naive(),
                )?;
                let session =
                    livingroom::store::sessions::create_session(conn, added.user.id, clock::now_naive())?;
                Ok((added.user.id, session))
            })
            .await
            .expect("seed quick member");
        let keys = livingroom::auth::JwtKeys::new(TEST_JWT_SECRET.as_bytes()).expect("keys");
        let (token, _) = keys.issue(id, session, chrono::Utc::now()).expect("token");
        Person { id, email, token }
    }

    /// Creates a resource through the API as `admin`; returns its id.
    pub async fn resource(&self, slug: &str, admin: &Person, body: Value) -> i64 {
        let res = self
            .post(
                &format!("/api/v1/sites/{slug}/resources"),
                &body,
                Some(&admin.token),
            )
            .await;
        assert_eq!(res.status(), 201, "create resource {body}");
        let v: Value = res.json().await.expect("json");
        v["id"].as_i64().expect("id")
    }

    /// Books through the API; returns the response.
    pub async fn book(&self, slug: &str, who: &Person, body: Value) -> reqwest::Response {
        self.post(&format!("/api/v1/sites/{slug}/bookings"), &body, Some(&who.token))
            .await
    }

    pub async fn admin(&self, slug: &str) -> Person {
        self.member(slug, "Admin", Roles::ADMIN.union(Roles::STAFF), &[])
            .await
    }

    pub async fn staff(&self, slug: &str, name: &str) -> Person {
        self.member(slug, name, Roles::STAFF, &[]).await
    }
}

/// A local wall time `days` from today in `tz`, as RFC 3339 with offset.
pub fn local_at(tz: &str, days: i64, hour: u32, minute: u32) -> String {
    use chrono::TimeZone;
    let tz: chrono_tz::Tz = tz.parse().expect("tz");
    let date = chrono::Utc::now().with_timezone(&tz).date_naive() + chrono::Duration::days(days);
    tz.from_local_datetime(&date.and_hms_opt(hour, minute, 0).expect("time"))
        .earliest()
        .expect("exists")
        .to_rfc3339()
}

/// Shanghai wall time `days` from today.
pub fn sh(days: i64, hour: u32, minute: u32) -> String {
    local_at("Asia/Shanghai", days, hour, minute)
}

/// Reads a problem+json body, checking the media type and the RFC 9457
/// members every problem carries.
pub async fn problem(res: reqwest::Response, status: u16) -> Value {
    assert_eq!(res.status().as_u16(), status, "status");
    let ct = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    assert_eq!(ct, "application/problem+json", "content type");
    let body: Value = res.json().await.expect("problem body");
    assert_eq!(body["status"].as_u64(), Some(status as u64), "{body}");
    assert!(
        body["type"].as_str().is_some_and(|t| t.starts_with("/problems/")),
        "{body}"
    );
    assert!(body["title"].as_str().is_some_and(|t| !t.is_empty()), "{body}");
    assert!(body["detail"].as_str().is_some_and(|t| !t.is_empty()), "{body}");
    body
}
