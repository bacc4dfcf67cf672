//! Persistence: rows and the diesel queries over them, one file per table
//! group. Functions take `&mut DbConn` and run inside the caller's
//! transaction; none of them knows about HTTP.

pub mod access;
pub mod audit;
pub mod bookings;
pub mod calendar;
pub mod duties;
pub mod groups;
pub mod idempotency;
pub mod jobs;
pub mod members;
pub mod outbox;
pub mod pagination;
pub mod resources;
pub mod rota;
pub mod secrets;
pub mod sessions;
pub mod sites;
pub mod users;
pub mod waitlist;
