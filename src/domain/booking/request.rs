//! A booking request after parsing: what a person asks for, in the core's
//! types, before anything is known about the resources.

use chrono::{DateTime, Utc};

use super::Urgency;
use crate::domain::interval::Interval;
use crate::domain::recurrence::Recurrence;

/// Which resource a request is for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Resource(i64),
    /// Any free member of the pool.
    Pool(String),
}

/// What to do when the time asked for (or some dates of a series) is taken.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OnConflict {
    /// All or nothing (the default).
    #[default]
    Fail,
    /// Book the free occurrences, list the others.
    Skip,
    /// Wait in line for the time to free up.
    Waitlist,
}

/// A validated booking request.
#[derive(Clone, Debug)]
pub struct BookingRequest {
    pub target: Target,
    pub slot: Interval,
    pub purpose: String,
    pub urgency: Urgency,
    pub reason: Option<String>,
    pub headcount: Option<i32>,
    pub group_id: Option<i64>,
    pub recurrence: Option<Recurrence>,
    pub on_conflict: OnConflict,
    pub flexible: bool,
    /// With `Waitlist`: the latest acceptable start (default: the start).
    pub latest_start: Option<DateTime<Utc>>,
}
