//! Outgoing mail: how a notification is laid out ([`templates`], [`ics`];
//! its words are written in [`crate::notify`]), how it
//! is kept in the outbox until sent ([`content`]), how a
//! stored message becomes an RFC 5322 message ([`compose`]), and where it
//! goes ([`Mailer`]: SMTP in production, `.eml` files by default, memory
//! in tests).

pub mod compose;
pub mod content;
pub mod ics;
pub mod templates;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::{Deserialize, Serialize};

/// How the SMTP connection is secured.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS (port 587).
    #[default]
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only for a relay on the same machine or in tests.
    None,
}

/// Where mail goes.
#[derive(Clone)]
pub enum Mailer {
    /// A real SMTP server.
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// `.eml` files in a directory: the embedded default, so a new user sees
    /// real messages without a mail server.
    Files(PathBuf),
    /// Kept in memory, for tests of the pipeline around the transport.
    Memory(Arc<Mutex<Vec<Vec<u8>>>>),
}

/// SMTP settings.
pub struct SmtpConfig<'a> {
    pub host: &'a str,
    pub port: u16,
    pub security: SmtpSecurity,
    pub username: Option<&'a str>,
    pub password: Option<&'a str>,
}

impl Mailer {
    pub fn smtp(config: &SmtpConfig<'_>) -> anyhow::Result<Mailer> {
        let tls = || TlsParameters::new(config.host.to_owned());
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(config.host)
            .port(config.port)
            .timeout(Some(std::time::Duration::from_secs(20)));
        builder = match config.security {
            SmtpSecurity::Starttls => builder.tls(Tls::Required(tls()?)),
            SmtpSecurity::Tls => builder.tls(Tls::Wrapper(tls()?)),
            SmtpSecurity::None => builder.tls(Tls::None),
        };
        if let (Some(user), Some(pass)) = (config.username, config.password) {
            builder = builder.credentials(Credentials::new(user.to_owned(), pass.to_owned()));
        }
        Ok(Mailer::Smtp(builder.build()))
    }

    /// Describes the transport for the start-up log.
    pub fn describe(&self) -> String {
        match self {
            Mailer::Smtp(_) => "SMTP".to_owned(),
            Mailer::Files(dir) => format!("files in {}", dir.display()),
            Mailer::Memory(_) => "memory".to_owned(),
        }
    }

    /// Hands one message over. `Ok` means the receiving server accepted it
    /// (SMTP 250) or the file is on disk.
    pub async fn send(&self, message: &Message, message_id: &str) -> anyhow::Result<()> {
        match self {
            Mailer::Smtp(transport) => {
                transport.send(message.clone()).await?;
            }
            Mailer::Files(dir) => {
                let name: String = message_id
                    .chars()
                    .map(|c| {
                        if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                            c
                        } else {
                            '_'
                        }
                    })
                    .collect();
                let path = dir.join(format!("{name}.eml"));
                let bytes = message.formatted();
                // One trip to the blocking pool per message; the directory
                // is made only when it is missing (first message, or
                // removed while running).
                let dir = dir.clone();
                tokio::task::spawn_blocking(move || match write_private(&path, &bytes) {
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                        create_private_dir(&dir)?;
                        write_private(&path, &bytes)
                    }
                    other => other,
                })
                .await??;
            }
            Mailer::Memory(sink) => {
                sink.lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push(message.formatted());
            }
        }
        Ok(())
    }
}

/// Writes a file only its owner may read: a message holds live links
/// (invitations, password resets) until it is used.
pub fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(bytes)
}

/// Makes a folder (and its missing parents) only its owner may enter.
pub fn create_private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}
