//! The current instant, as stored: UTC, at microsecond precision (what
//! PostgreSQL keeps), so a value read back equals the value written.

use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};

pub fn now() -> NaiveDateTime {
    now_utc().naive_utc()
}

pub fn now_utc() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}
