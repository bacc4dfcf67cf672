//! Use cases that combine the core's rules with the store inside one
//! transaction: the caller (a handler, a job) opens the transaction with
//! `Db::write` and passes the connection in.

pub mod availability;
pub mod bookings;
pub mod duties;
pub mod priority;
pub mod rota;
