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
    /// `LIVINGROOM_WORKERS`: HTTP worker threads; 0 means one per core.
    pub workers: usize,
    /// `LIVINGROOM_PUBLIC_URL`: how people reach this service, for links in
    /// mail; defaults to `http://` + the bind address.
    pub public_url: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            database_url: "sqlite://livingroom.db".to_owned(),
            bind: "127.0.0.1:8080".to_owned(),
            jwt_secret: None,
            log_format: LogFormat::Text,
            pool_size: 16,
            workers: 0,
            public_url: None,
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
            .merge(Env::prefixed("LIVINGROOM_").only(&[
                "bind",
                "jwt_secret",
                "pool_size",
                "workers",
                "public_url",
            ]))
            .merge(Env::raw().only(&["database_url", "log_format"]))
            .extract()?;
        Ok(settings)
    }

    pub fn public_url(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.bind))
            .trim_end_matches('/')
            .to_owned()
    }
}
