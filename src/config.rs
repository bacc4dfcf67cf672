//! Configuration: defaults, then an optional TOML file, then environment
//! variables, then command-line flags. Every setting is listed in README.md.

use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

/// How log lines are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines, for a terminal.
    #[default]
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// `DATABASE_URL`: `sqlite://FILE` (the embedded default) or `postgres://...`.
    pub database_url: String,
    /// `LIVINGROOM_BIND`: the address the HTTP server listens on.
    pub bind: String,
    /// `LIVINGROOM_JWT_SECRET`: signs access tokens; at least 32 bytes. When
    /// unset a random one is generated once and kept (next to the SQLite
    /// file, or in the PostgreSQL database so all instances share it).
    pub jwt_secret: Option<String>,
    /// `LOG_FORMAT`: `text` or `json`.
    pub log_format: LogFormat,
    /// `LIVINGROOM_POOL_SIZE`: database connections per app instance.
    pub pool_size: u32,
    /// `LIVINGROOM_GROUP_COMMIT`: on SQLite, commit the writes waiting at
    /// the same moment together (each still in its own savepoint, each
    /// answered only once durable). Off: one commit per write.
    pub group_commit: bool,
    /// `LIVINGROOM_WORKERS`: HTTP worker threads; 0 means one per core.
    pub workers: usize,
    /// `LIVINGROOM_PUBLIC_URL`: how people reach this service, for links in
    /// mail; defaults to `http://` + the bind address.
    pub public_url: Option<String>,
    /// `LIVINGROOM_SMTP_HOST`: send mail through this SMTP server. Unset:
    /// mail is written as `.eml` files into `mail_dir` instead.
    pub smtp_host: Option<String>,
    /// `LIVINGROOM_SMTP_PORT`.
    pub smtp_port: u16,
    /// `LIVINGROOM_SMTP_SECURITY`: `starttls`, `tls` or `none`.
    pub smtp_security: crate::mail::SmtpSecurity,
    /// `LIVINGROOM_SMTP_USERNAME` / `LIVINGROOM_SMTP_PASSWORD`.
    pub smtp_username: Option<String>,
    pub smtp_password: Option<String>,
    /// `LIVINGROOM_MAIL_FROM`: the sender of every message.
    pub mail_from: String,
    /// `LIVINGROOM_MAIL_DIR`: where `.eml` files go without SMTP.
    pub mail_dir: String,
    /// `LIVINGROOM_MAIL_MAX_ATTEMPTS`: attempts before a message is dead.
    pub mail_max_attempts: u32,
    /// `LIVINGROOM_MAIL_RETRY_SECONDS`: the first retry delay; it doubles.
    pub mail_retry_seconds: u64,
    /// `LIVINGROOM_MAIL_POLL_MILLIS`: how often the outbox is looked at.
    pub mail_poll_millis: u64,
    /// `LIVINGROOM_MAIL_LEASE_SECONDS`: how long a worker holds a message
    /// it is sending before another may try.
    pub mail_lease_seconds: u64,
    /// `LIVINGROOM_OUTBOX_KEEP_DAYS`: how long sent messages stay in the
    /// outbox (at least 30 days; see `workflows::outbox::MIN_KEEP_DAYS`).
    /// Pending and dead ones stay until sent or retried.
    pub outbox_keep_days: u32,
    /// `LIVINGROOM_SCHEDULER_TICK_MILLIS`: how often timed jobs are checked.
    pub scheduler_tick_millis: u64,
    /// `LIVINGROOM_TRUSTED_PROXIES`: comma-separated addresses or ranges
    /// (`10.0.0.0/8`) of reverse proxies whose `X-Forwarded-For` is believed.
    /// Unset: the client is the address the connection comes from.
    pub trusted_proxies: Option<String>,
    /// `LIVINGROOM_SIGN_IN_PER_MINUTE`: sign-ins, password resets and
    /// invitation acceptances one client address may start per minute,
    /// after its burst (`LIVINGROOM_SIGN_IN_BURST`) is spent.
    pub sign_in_per_minute: u32,
    pub sign_in_burst: u32,
    /// `LIVINGROOM_PASSWORD_THREADS`: threads that hash and check passwords;
    /// 0 means one per core.
    pub password_threads: usize,
    /// `LIVINGROOM_PASSWORD_QUEUE`: password checks that may wait for one
    /// of those threads; beyond that the answer is 429.
    pub password_queue: usize,
    /// `LIVINGROOM_METRICS_TOKEN`: `/metrics` answers a request carrying
    /// `Authorization: Bearer <token>`; without it, only loopback callers.
    pub metrics_token: Option<String>,
    /// `LIVINGROOM_BODY_TIMEOUT_SECONDS`: the time a client has to send a
    /// whole request body once its headers are in.
    pub body_timeout_seconds: u64,
    /// `LIVINGROOM_CHANNEL_ALLOW_PRIVATE`: let site admins point robots and
    /// webhooks at plain `http://`, local and private addresses, and robots
    /// at hosts other than their service's. Off by default: a site admin
    /// must not be able to make the server call its own network. On for a
    /// private WeCom installation, or tests.
    pub channel_allow_private: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            database_url: "sqlite://livingroom.db".to_owned(),
            bind: "127.0.0.1:8080".to_owned(),
            jwt_secret: None,
            log_format: LogFormat::Text,
            pool_size: 16,
            group_commit: true,
            workers: 0,
            public_url: None,
            smtp_host: None,
            smtp_port: 587,
            smtp_security: crate::mail::SmtpSecurity::Starttls,
            smtp_username: None,
            smtp_password: None,
            mail_from: "livingroom <noreply@livingroom.local>".to_owned(),
            mail_dir: "mail".to_owned(),
            mail_max_attempts: 8,
            mail_retry_seconds: 30,
            mail_poll_millis: 1000,
            mail_lease_seconds: 120,
            outbox_keep_days: 90,
            scheduler_tick_millis: 1000,
            trusted_proxies: None,
            sign_in_per_minute: 10,
            sign_in_burst: 20,
            password_threads: 0,
            password_queue: 64,
            metrics_token: None,
            body_timeout_seconds: 10,
            channel_allow_private: false,
        }
    }
}

impl Settings {
    /// Reads defaults, the TOML file (if given or named by
    /// `LIVINGROOM_CONFIG`), then the environment.
    pub fn load(config_file: Option<&Path>) -> anyhow::Result<Settings> {
        let file: Option<PathBuf> = config_file
            .map(Path::to_path_buf)
            .or_else(|| std::env::var_os("LIVINGROOM_CONFIG").map(PathBuf::from));
        let mut figment = Figment::from(Serialized::defaults(Settings::default()));
        if let Some(file) = file {
            if !file.exists() {
                anyhow::bail!("config file {} does not exist", file.display());
            }
            figment = figment.merge(Toml::file(file));
        }
        let settings: Settings = figment
            .merge(Env::prefixed("LIVINGROOM_").ignore(&["config", "test_postgres_url", "operator_password"]))
            .merge(Env::raw().only(&["database_url", "log_format"]))
            .extract()?;
        Ok(settings)
    }

    /// The mail transport these settings ask for.
    pub fn mailer(&self) -> anyhow::Result<crate::mail::Mailer> {
        match &self.smtp_host {
            Some(host) => crate::mail::Mailer::smtp(&crate::mail::SmtpConfig {
                host,
                port: self.smtp_port,
                security: self.smtp_security,
                username: self.smtp_username.as_deref(),
                password: self.smtp_password.as_deref(),
            }),
            None => Ok(crate::mail::Mailer::Files(PathBuf::from(&self.mail_dir))),
        }
    }

    pub fn public_url(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.bind))
            .trim_end_matches('/')
            .to_owned()
    }
}
