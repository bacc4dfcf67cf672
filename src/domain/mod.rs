//! The functional core: pure rules with no web framework or database in
//! sight. Everything here is deterministic and tested with proptest.
//!
//! - [`invalid`]: the validation error type every parser returns.
//! - [`site`]: site slugs, names and time zones.
//! - [`person`]: e-mail addresses, names, roles, skills, languages, passwords.
//! - [`interval`]: half-open UTC intervals and interval arithmetic.
//! - [`local_time`]: site-local wall time, DST-safe resolution, slot grids,
//!   local days and weeks.
//! - [`period`]: query, absence and blackout periods, all under one cap.
//! - [`resource`]: resource kinds, booking rules, opening hours.
//! - [`booking`]: urgency, statuses, the rule check of a requested slot.
//! - [`availability`]: conflicts and free windows.
//! - [`calendar`]: site holidays and make-up working days.
//! - [`channel`]: group-chat robots and webhooks: kinds, topics, which
//!   addresses may be written in, what of them is shown.
//! - [`duty`]: volunteer duty occurrences, capacity and skills.
//! - [`csv`]: spreadsheet-safe CSV export of user text.
//! - [`report`]: a report as a table (chart, table, CSV and print alike).
//! - [`recurrence`]: weekly series in local time.
//! - [`allocation`]: choosing a member of a pool.
//! - [`policy`]: who may do what on a site (every role rule).
//! - [`priority`]: preemption plans, relocation and the waitlist order.
//! - [`rota`]: the fair front-desk rota solver.
//! - [`window`]: the instants and dates a request may name (2000 to ten
//!   years ahead).
//! - [`sign_in`]: growing waits after failed sign-ins.

pub mod allocation;
pub mod availability;
pub mod booking;
pub mod calendar;
pub mod channel;
pub mod csv;
pub mod duty;
pub mod interval;
pub mod invalid;
pub mod local_time;
pub mod period;
pub mod person;
pub mod policy;
pub mod priority;
pub mod recurrence;
pub mod report;
pub mod resource;
pub mod rota;
pub mod sign_in;
pub mod site;
pub mod window;

pub use invalid::{Invalid, InvalidField};
