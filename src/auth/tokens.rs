//! Access tokens: short-lived HS256 JWTs. Every registered claim is required
//! on decode, the algorithm is pinned (no `alg: none`, no key confusion) and
//! the clock leeway is 30 seconds.

use std::path::Path;

use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::db::{DatabaseUrl, Db};

pub const ISSUER: &str = "livingroom";
pub const AUDIENCE: &str = "livingroom-api";
/// 15 minutes: a stolen access token is useful only briefly, and a revoked
/// session stops it at once anyway (the extractor checks the session).
pub const ACCESS_TOKEN_SECONDS: i64 = 15 * 60;
const LEEWAY_SECONDS: u64 = 30;
/// The shortest signing secret start-up accepts.
pub const MIN_SECRET_BYTES: usize = 32;

/// The claims of an access token.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Claims {
    /// The user id, as a string (RFC 7519).
    pub sub: String,
    /// The session (refresh-token family) the token belongs to.
    pub sid: i64,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    pub iss: String,
    pub aud: String,
}

/// Keys and validation rules, built once at start-up.
#[derive(Clone)]
pub struct JwtKeys {
    /// Signs new tokens.
    encoding: EncodingKey,
    /// Checks presented tokens.
    decoding: DecodingKey,
    /// The pinned algorithm, required claims, issuer, audience and leeway.
    validation: Validation,
}

impl JwtKeys {
    pub fn new(secret: &[u8]) -> anyhow::Result<JwtKeys> {
        if secret.len() < MIN_SECRET_BYTES {
            anyhow::bail!(
                "the JWT signing secret must be at least {MIN_SECRET_BYTES} bytes (it is {})",
                secret.len()
            );
        }
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_required_spec_claims(&["sub", "exp", "iat", "nbf", "iss", "aud"]);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.leeway = LEEWAY_SECONDS;
        validation.validate_exp = true;
        validation.validate_nbf = true;
        Ok(JwtKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
        })
    }

    /// A new access token; returns it with its lifetime in seconds.
    pub fn issue(&self, user_id: i64, session_id: i64, now: DateTime<Utc>) -> anyhow::Result<(String, i64)> {
        let iat = now.timestamp();
        let claims = Claims {
            sub: user_id.to_string(),
            sid: session_id,
            iat,
            nbf: iat,
            exp: iat + ACCESS_TOKEN_SECONDS,
            iss: ISSUER.to_owned(),
            aud: AUDIENCE.to_owned(),
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)?;
        Ok((token, ACCESS_TOKEN_SECONDS))
    }

    /// Decodes and checks a presented token.
    pub fn verify(&self, token: &str) -> Result<Claims, jsonwebtoken::errors::Error> {
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation).map(|d| d.claims)
    }
}

/// Finds the signing secret: the configured one, or one generated once and
/// kept next to the SQLite file / in the PostgreSQL database.
pub fn load_secret(configured: Option<&str>, url: &DatabaseUrl, db: &Db) -> anyhow::Result<Vec<u8>> {
    if let Some(secret) = configured {
        if secret.len() < MIN_SECRET_BYTES {
            anyhow::bail!(
                "LIVINGROOM_JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes; refusing to start"
            );
        }
        return Ok(secret.as_bytes().to_vec());
    }
    let generate = || hex::encode(rand::random::<[u8; 32]>());
    match url.sqlite_path() {
        Some(path) => secret_file(&secret_path(path), generate),
        None => {
            let value = db
                .write_blocking(|conn| crate::store::secrets::get_or_create(conn, "jwt", generate))
                .map_err(|e| anyhow::anyhow!("reading the JWT secret: {e}"))?;
            Ok(value.into_bytes())
        }
    }
}

/// `livingroom.db` keeps its secret in `livingroom.db.jwt-secret`.
pub fn secret_path(db_path: &Path) -> std::path::PathBuf {
    let mut name = db_path.file_name().unwrap_or_default().to_os_string();
    name.push(".jwt-secret");
    db_path.with_file_name(name)
}

/// The secret in `path`, if the file is there.
fn read_secret_file(path: &Path) -> anyhow::Result<Option<Vec<u8>>> {
    let Ok(existing) = std::fs::read_to_string(path) else {
        return Ok(None);
    };
    let existing = existing.trim().to_owned();
    if existing.len() < MIN_SECRET_BYTES {
        anyhow::bail!(
            "{} holds a secret shorter than {MIN_SECRET_BYTES} bytes",
            path.display()
        );
    }
    Ok(Some(existing.into_bytes()))
}

fn secret_file(path: &Path, generate: impl FnOnce() -> String) -> anyhow::Result<Vec<u8>> {
    if let Some(existing) = read_secret_file(path)? {
        return Ok(existing);
    }
    let value = generate();
    match write_private(path, &value) {
        Ok(()) => {
            tracing::info!(path = %path.display(), "generated a new JWT signing secret");
            Ok(value.into_bytes())
        }
        // Another instance starting at the same moment stored its secret
        // first; everyone signs with that one.
        Err(e)
            if e.downcast_ref::<std::io::Error>().map(|e| e.kind())
                == Some(std::io::ErrorKind::AlreadyExists) =>
        {
            read_secret_file(path)?.ok_or_else(|| anyhow::anyhow!("{} vanished", path.display()))
        }
        Err(e) => Err(e),
    }
}

/// Writes the secret whole under a name of its own, then links it in
/// place, which fails if the file exists: a reader never sees it half
/// written, and of two instances racing, one wins.
#[cfg(unix)]
fn write_private(path: &Path, value: &str) -> anyhow::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".{}.tmp", uuid::Uuid::new_v4().simple()));
    let temp = path.with_file_name(name);
    let written = (|| -> std::io::Result<()> {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&temp)?;
        file.write_all(value.as_bytes())?;
        file.sync_all()?;
        std::fs::hard_link(&temp, path)
    })();
    let _ = std::fs::remove_file(&temp);
    Ok(written?)
}

#[cfg(not(unix))]
fn write_private(path: &Path, value: &str) -> anyhow::Result<()> {
    std::fs::write(path, value)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_secrets_are_refused() {
        assert!(JwtKeys::new(b"too short").is_err());
        assert!(JwtKeys::new(&[7u8; 32]).is_ok());
    }

    #[test]
    fn round_trip_and_expiry() {
        let keys = JwtKeys::new(&[1u8; 32]).unwrap();
        let now = Utc::now();
        let (token, ttl) = keys.issue(42, 7, now).unwrap();
        assert!(ttl <= 15 * 60);
        let claims = keys.verify(&token).unwrap();
        assert_eq!((claims.sub.as_str(), claims.sid), ("42", 7));
        let (old, _) = keys.issue(42, 7, now - chrono::Duration::minutes(20)).unwrap();
        assert!(keys.verify(&old).is_err());
        let other = JwtKeys::new(&[2u8; 32]).unwrap();
        assert!(other.verify(&token).is_err());
    }

    #[test]
    fn secret_file_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = secret_path(&dir.path().join("x.db"));
        let first = secret_file(&path, || "a".repeat(64)).unwrap();
        let second = secret_file(&path, || "b".repeat(64)).unwrap();
        assert_eq!(first, second);
    }
}
