//! The current instant, as stored: UTC, at microsecond precision (what
//! PostgreSQL keeps), so a value read back equals the value written.

use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};

pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

/// [`now`] as the stores' columns keep it (UTC without an offset).
pub fn now_naive() -> NaiveDateTime {
    now().naive_utc()
}
