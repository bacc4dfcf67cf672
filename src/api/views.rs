//! Small conversions shared by the response types.

use chrono::{DateTime, NaiveDateTime, Utc};

/// A stored instant (naive UTC) as an RFC 3339 UTC timestamp.
pub fn utc(naive: NaiveDateTime) -> DateTime<Utc> {
    naive.and_utc()
}
