//! Instants as the stores bind them: the one conversion from an instant to
//! the value a query compares.
//!
//! PostgreSQL compares `timestamptz` values. SQLite compares diesel's text
//! (`%F %T%.f`), which orders as the instants do only while the year has
//! four digits: chrono writes the year 10000 as `+10000-01-01 ...`, which
//! sorts before `2026-...`, and a search up to it finds nothing (the stall
//! of issue 19). Requests cannot name such an instant any more
//! (`domain::window`); what remains is a bound a workflow derives, such as
//! "until the latest start plus the length". [`stored`] clamps those into
//! the four-digit years, which keeps their meaning (nothing is stored
//! beyond) and keeps the text order right. The property test below checks
//! the text order against the instants' over the whole accepted window,
//! through diesel's own binding on a real SQLite connection.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

/// The first instant SQLite's text orders correctly (year 0000).
fn first() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(0, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .expect("a real instant")
}

/// The last instant SQLite's text orders correctly, at the microsecond
/// precision the stores keep.
fn last() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(9999, 12, 31)
        .and_then(|d| d.and_hms_micro_opt(23, 59, 59, 999_999))
        .expect("a real instant")
}

/// `t` as a store binds it in a comparison: UTC without an offset, inside
/// the years whose text sorts as the instants do.
pub fn stored(t: DateTime<Utc>) -> NaiveDateTime {
    t.naive_utc().clamp(first(), last())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::window;
    use diesel::dsl::sql;
    use diesel::prelude::*;
    use diesel::sql_types::{Bool, Timestamp};
    use proptest::prelude::*;

    /// How SQLite orders two instants bound as diesel binds them: `(a < b,
    /// a = b)`.
    fn sqlite_order(conn: &mut SqliteConnection, a: NaiveDateTime, b: NaiveDateTime) -> (bool, bool) {
        diesel::select((
            sql::<Bool>("")
                .bind::<Timestamp, _>(a)
                .sql(" < ")
                .bind::<Timestamp, _>(b),
            sql::<Bool>("")
                .bind::<Timestamp, _>(a)
                .sql(" = ")
                .bind::<Timestamp, _>(b),
        ))
        .get_result(conn)
        .expect("compare")
    }

    fn memory() -> SqliteConnection {
        SqliteConnection::establish(":memory:").expect("in-memory SQLite")
    }

    fn at(micros: i64) -> DateTime<Utc> {
        DateTime::from_timestamp_micros(micros).expect("in chrono's range")
    }

    /// Microseconds since 1970 of the accepted window's ends, now.
    fn window_micros() -> (i64, i64) {
        let now = crate::clock::now();
        (
            window::earliest().timestamp_micros(),
            window::latest(now).timestamp_micros(),
        )
    }

    #[test]
    fn year_10000_is_what_breaks_the_text_order_and_the_clamp_keeps_it() {
        let mut conn = memory();
        let late = "9999-12-31T00:00:00Z".parse::<DateTime<Utc>>().unwrap();
        let later = late + chrono::Duration::days(2);
        // Unclamped, year 10000 sorts before 9999 as text...
        assert_eq!(
            sqlite_order(&mut conn, later.naive_utc(), late.naive_utc()),
            (true, false)
        );
        // ...clamped, it does not.
        assert_eq!(
            sqlite_order(&mut conn, stored(late), stored(later)),
            (true, false)
        );
        let now = crate::clock::now();
        assert_eq!(stored(now), now.naive_utc());
    }

    /// The stores convert through [`stored`] only, so the clamp cannot be
    /// forgotten by a new query.
    #[test]
    fn the_stores_convert_instants_here_only() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/store");
        for entry in std::fs::read_dir(dir).expect("src/store") {
            let path = entry.expect("entry").path();
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            assert!(
                !text.contains(".naive_utc()"),
                "{} converts an instant itself: use db::instant::stored",
                path.display()
            );
        }
    }

    proptest! {
        /// Over the whole window a request may name, at the microsecond
        /// precision the stores keep, SQLite's order of the stored text is
        /// the order of the instants: pairs far apart and pairs within the
        /// same second or two (where only the fraction differs, and one of
        /// them may have none).
        #[test]
        fn stored_text_orders_as_the_instants_over_the_window(
            pick in (any::<u64>(), any::<u64>(), -2_000_000i64..2_000_000, any::<bool>(), any::<bool>()),
        ) {
            let (lo, hi) = window_micros();
            let span = (hi - lo) as u64;
            let (x, y, near, close, whole) = pick;
            let mut a = lo + (x % (span + 1)) as i64;
            if whole {
                a -= a.rem_euclid(1_000_000);
                a = a.max(lo);
            }
            let b = if close { (a + near).clamp(lo, hi) } else { lo + (y % (span + 1)) as i64 };
            let (a, b) = (at(a), at(b));
            let mut conn = memory();
            prop_assert_eq!(
                sqlite_order(&mut conn, stored(a), stored(b)),
                (a < b, a == b),
                "{} vs {}", a, b
            );
        }

        /// Outside the window too (any instant chrono can hold), the clamped
        /// text never orders two instants the wrong way round.
        #[test]
        fn clamped_text_never_inverts_the_order(
            a in -8_000_000_000_000i64..8_000_000_000_000,
            b in -8_000_000_000_000i64..8_000_000_000_000,
        ) {
            let second = |s| DateTime::from_timestamp(s, 0).expect("in chrono's range");
            let (a, b) = (second(a), second(b));
            let (lt, eq) = sqlite_order(&mut memory(), stored(a), stored(b));
            if a < b {
                prop_assert!(lt || eq);
            } else if a == b {
                prop_assert!(eq);
            } else {
                prop_assert!(!lt);
            }
        }
    }
}
