//! The database itself refuses overlapping bookings, even from raw SQL.

use diesel::connection::SimpleConnection;
use serde_json::{Value, json};

use crate::helpers::{sh, spawn_app};
use livingroom::db::BackendKind;

#[tokio::test]
async fn raw_sql_cannot_write_an_overlap() {
    let app = spawn_app().await;
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    let room = app
        .resource("alpha", &admin, json!({"name": "Room", "kind": "room"}))
        .await;
    let res = app
        .book(
            "alpha",
            &admin,
            json!({"resource_id": room, "starts_at": sh(5, 10, 0), "ends_at": sh(5, 11, 0), "purpose": "x"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let booking: Value = res.json().await.unwrap();
    let start = chrono::DateTime::parse_from_rfc3339(booking["starts_at"].as_str().unwrap())
        .unwrap()
        .naive_utc();
    let pg = app.backend == BackendKind::Postgres;
    let ts = move |t: chrono::NaiveDateTime| {
        let s = t.format("%Y-%m-%d %H:%M:%S").to_string();
        if pg { format!("'{s}+00'") } else { format!("'{s}'") }
    };
    let owner = admin.id;
    let insert = move |from: chrono::NaiveDateTime, to: chrono::NaiveDateTime, status: &str| {
        format!(
            "INSERT INTO bookings (site_id, resource_id, owner_id, starts_at, ends_at, busy_until, status, urgency, purpose, flexible, created_at, updated_at) \
             SELECT site_id, id, {owner}, {f}, {t}, {t}, '{status}', 'routine', 'raw', {no}, {f}, {f} FROM resources WHERE id = {room}",
            f = ts(from),
            t = ts(to),
            no = if pg { "FALSE" } else { "0" },
        )
    };
    let half = chrono::Duration::minutes(30);
    let hour = chrono::Duration::hours(1);
    let attempts = vec![
        (
            "overlapping",
            insert(start + half, start + hour + half, "confirmed"),
            false,
        ),
        (
            "same slot, pending",
            insert(start, start + hour, "pending"),
            false,
        ),
        (
            "inside",
            insert(
                start + chrono::Duration::minutes(10),
                start + chrono::Duration::minutes(20),
                "confirmed",
            ),
            false,
        ),
        (
            "adjacent",
            insert(start + hour, start + hour + hour, "confirmed"),
            true,
        ),
        (
            "overlapping but cancelled",
            insert(start, start + hour, "cancelled"),
            true,
        ),
        (
            "ends before it starts",
            insert(start + hour * 5, start + hour * 4, "confirmed"),
            false,
        ),
    ];
    for (what, sql, should_work) in attempts {
        let outcome = app
            .db
            .read(move |conn| {
                conn.batch_execute(&sql)
                    .map_err(livingroom::errors::ApiError::from)
            })
            .await;
        assert_eq!(outcome.is_ok(), should_work, "{what}: {outcome:?}");
        // An overlap the database refuses is a 409, never a 500.
        if let Err(e) = outcome
            && what != "ends before it starts"
        {
            assert_eq!(
                e.kind(),
                livingroom::errors::ProblemType::Conflict,
                "{what}: {e:?}"
            );
        }
    }
    // And an update that would create an overlap is refused as well.
    let sql = format!(
        "UPDATE bookings SET status = 'confirmed' WHERE resource_id = {room} AND status = 'cancelled'"
    );
    let outcome = app
        .db
        .read(move |conn| {
            conn.batch_execute(&sql)
                .map_err(livingroom::errors::ApiError::from)
        })
        .await;
    assert!(outcome.is_err(), "reviving an overlapping booking must fail");
}
