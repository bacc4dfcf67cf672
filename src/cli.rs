//! The `livingroom` command line: `serve` (the default), `migrate`,
//! `operator create`, `observer create`, `demo`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::auth::password;
use crate::config::Settings;
use crate::domain::person::{Email, Language, new_password, person_name};
use crate::startup::{Application, open_database};
use crate::store::users::{self, NewUser};
use crate::{clock, demo, telemetry};

#[derive(Parser, Debug)]
#[command(
    name = "livingroom",
    version,
    about = "Shares out the scarce things of a community living room."
)]
pub struct Cli {
    /// A TOML configuration file (also LIVINGROOM_CONFIG).
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    /// Address to listen on (overrides LIVINGROOM_BIND).
    #[arg(long, global = true)]
    pub bind: Option<String>,
    /// Load the demo site before serving, and print its logins.
    #[arg(long)]
    pub demo: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the API (the default).
    Serve {
        /// Load the demo site first.
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage deployment operators.
    Operator {
        #[command(subcommand)]
        action: OperatorAction,
    },
    /// Manage district observers: read-only accounts spanning every site.
    Observer {
        #[command(subcommand)]
        action: ObserverAction,
    },
    /// Load the demo site (idempotent), print its logins and exit.
    Demo,
    /// Copy the live SQLite database to PATH, consistently, while the
    /// server keeps running (SQLite's online backup API). For PostgreSQL
    /// use pg_dump (see the README).
    Backup {
        /// Where the copy goes; replaced atomically when complete.
        path: std::path::PathBuf,
    },
}

#[derive(Subcommand, Debug)]
pub enum OperatorAction {
    /// Create an operator account, or make an existing account an operator.
    Create {
        #[arg(long)]
        email: String,
        /// At least 8 characters (also LIVINGROOM_OPERATOR_PASSWORD).
        #[arg(long, env = "LIVINGROOM_OPERATOR_PASSWORD", hide_env_values = true)]
        password: String,
        /// Display name.
        #[arg(long, default_value = "Operator")]
        name: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum ObserverAction {
    /// Create a district observer account (the sub-district office), or
    /// make an existing account one; it reads every site's reports and
    /// boards and changes nothing.
    Create {
        #[arg(long)]
        email: String,
        /// At least 8 characters (also LIVINGROOM_OBSERVER_PASSWORD).
        #[arg(long, env = "LIVINGROOM_OBSERVER_PASSWORD", hide_env_values = true)]
        password: String,
        /// Display name.
        #[arg(long, default_value = "District office")]
        name: String,
    },
}

/// Which account the `create` commands make.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum AccountKind {
    Operator,
    Observer,
}

pub fn main() -> ExitCode {
    // Before anything opens a PostgreSQL connection: see startup.rs.
    openssl_sys::init();
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("livingroom: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let mut settings = Settings::load(cli.config.as_deref())?;
    if let Some(bind) = cli.bind {
        settings.bind = bind;
    }
    telemetry::init(settings.log_format);
    match cli.command {
        None => serve(settings, cli.demo),
        Some(Command::Serve { demo }) => serve(settings, demo || cli.demo),
        Some(Command::Migrate) => {
            open_database(&settings)?;
            println!("database is up to date");
            Ok(())
        }
        Some(Command::Demo) => {
            let (_, db) = open_database(&settings)?;
            let info = demo::load(&db)?;
            print!("{}", info.describe(&settings.public_url()));
            Ok(())
        }
        Some(Command::Backup { path }) => {
            let url = crate::db::DatabaseUrl::parse(&settings.database_url)?;
            let Some(source) = url.sqlite_path() else {
                anyhow::bail!("backup copies SQLite databases; for PostgreSQL run pg_dump (see the README)");
            };
            let pages = crate::db::backup::sqlite_backup(source, &path)?;
            println!(
                "backed up {} to {} ({pages} pages, integrity ok)",
                source.display(),
                path.display()
            );
            Ok(())
        }
        Some(Command::Operator {
            action:
                OperatorAction::Create {
                    email,
                    password,
                    name,
                },
        }) => create_account(&settings, AccountKind::Operator, &email, &password, &name),
        Some(Command::Observer {
            action:
                ObserverAction::Create {
                    email,
                    password,
                    name,
                },
        }) => create_account(&settings, AccountKind::Observer, &email, &password, &name),
    }
}

fn serve(settings: Settings, with_demo: bool) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async move {
        let public_url = settings.public_url();
        let app = Application::build(settings).await?;
        if with_demo {
            let db = app.state().db.clone();
            let info = tokio::task::spawn_blocking(move || demo::load(&db)).await??;
            print!("{}", info.describe(&public_url));
        }
        tracing::info!(port = app.port(), url = %format!("{public_url}/"), "livingroom is listening; the web app is at {public_url}/");
        println!("livingroom is listening on {public_url}/  (web app: {public_url}/, API docs: {public_url}/api-docs/)");
        app.run_until_stopped().await?;
        tracing::info!("stopped");
        Ok(())
    })
}

fn create_account(
    settings: &Settings,
    kind: AccountKind,
    email: &str,
    password_given: &str,
    name: &str,
) -> anyhow::Result<()> {
    let email = Email::parse(email)?;
    let password_given = new_password("password", password_given)?;
    let name = person_name(name)?;
    let hash = password::hash(&password_given)?;
    let (_, db) = open_database(settings)?;
    let now = clock::now_naive();
    let created = db
        .write_blocking(|conn| match users::by_email(conn, email.as_str())? {
            Some(user) => {
                match kind {
                    AccountKind::Operator => users::make_operator(conn, user.id)?,
                    AccountKind::Observer => {
                        users::set_observer(conn, user.id, true)?;
                    }
                }
                users::set_password(conn, user.id, &hash, now)?;
                Ok(false)
            }
            None => {
                let user = users::insert(
                    conn,
                    &NewUser {
                        email: email.as_str(),
                        name: &name,
                        other_name: None,
                        password_hash: Some(&hash),
                        language: Language::default(),
                        is_operator: kind == AccountKind::Operator,
                    },
                    now,
                )?;
                if kind == AccountKind::Observer {
                    users::set_observer(conn, user.id, true)?;
                }
                Ok(true)
            }
        })
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let (noun, what) = match kind {
        AccountKind::Operator => ("operator", "an operator"),
        AccountKind::Observer => ("district observer", "a district observer"),
    };
    if created {
        println!("{noun} {} created", email.as_str());
    } else {
        println!("{} is now {what} (password updated)", email.as_str());
    }
    Ok(())
}
