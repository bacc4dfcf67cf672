//! The functional core: pure rules with no web framework or database in
//! sight. Everything here is deterministic and tested with proptest.
//!
//! - [`invalid`]: the validation error type every parser returns.
//! - [`site`]: site slugs, names and time zones.
//! - [`person`]: e-mail addresses, names, roles, skills, languages, passwords.

pub mod invalid;
pub mod person;
pub mod site;

pub use invalid::{Invalid, InvalidField};
