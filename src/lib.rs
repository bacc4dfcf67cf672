//! livingroom: shares out the scarce things of a community living room
//! (社区公共客厅): the few shared computers, the reception desks, the
//! activity rooms and the volunteers' weekly duty slots.
//!
//! # Module map
//! - [`domain`]: the functional core. Pure rules (validation, intervals,
//!   conflicts, priority, recurrence, the rota solver); no actix, no diesel.
//! - [`store`]: rows and queries, one file per table group; runs inside the
//!   caller's transaction.
//! - [`db`]: the two-backend connection (`DbConn`), the pool, migrations,
//!   and [`db::Db::write`], the one path every write transaction takes.
//! - [`auth`]: passwords, JWT access tokens, refresh-token rotation, and the
//!   `AuthUser` extractor.
//! - [`api`]: the HTTP shell: routes, JSON extraction, response types,
//!   OpenAPI.
//! - [`workflows`]: use cases (make a booking, cancel, check in): the
//!   only door for a change. Each loads, locks, decides (the core) and
//!   writes in one transaction.
//! - [`jobs`]: the scheduler and the outbox worker inside the server.
//! - [`notify`]: the words of every message, one method per event the
//!   workflows report (queued in the outbox, in the same transaction as
//!   the event).
//! - [`mail`]: layout, calendar attachments, message building, and the
//!   transports (SMTP, `.eml` files, memory).
//! - [`channels`]: group-chat robots (WeCom, DingTalk, Feishu) and signed
//!   webhooks: each receiver's request, signature and answer, and the HTTP
//!   client; queued and retried through the same outbox as mail.
//! - [`words`]: the Chinese and English words mail and the board share
//!   (weekdays, time ranges, urgencies).
//! - [`pages`]: server-rendered HTML for people (password pages, the board).
//! - [`errors`]: `ApiError` and the problem+json error policy.
//! - [`heavy`]: turns for heavy reads (availability), 429 beyond them.
//! - [`state`]: `AppState`, what every handler can reach.
//! - [`startup`]: `Application::build`, binding, middleware.
//! - [`config`], [`telemetry`], [`metrics`], [`request_id`], [`clock`]:
//!   cross-cutting plumbing.
//! - [`headers`]: the security headers of every answer; [`slow_body`]:
//!   the deadline on a request body.
//! - [`demo`]: the demo site built from DOMAIN.md.
//! - [`cli`]: the `livingroom` command line.

pub mod api;
pub mod auth;
pub mod channels;
pub mod cli;
pub mod clock;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod errors;
pub mod headers;
pub mod heavy;
pub mod jobs;
pub mod mail;
pub mod metrics;
pub mod notify;
pub mod pages;
pub mod request_id;
pub mod slow_body;
pub mod startup;
pub mod state;
pub mod store;
pub mod telemetry;
pub mod words;
pub mod workflows;
