//! The database itself refuses overlapping bookings, even from raw SQL.

use diesel::connection::SimpleConnection;
use serde_json::{Value, json};

use crate::helpers::{sh, spawn_app};
use livingroom::db::BackendKind;

/// A timestamp literal for raw SQL on either backend.
fn sql_ts(pg: bool, t: chrono::NaiveDateTime) -> String {
    let s = t.format("%Y-%m-%d %H:%M:%S").to_string();
    if pg { format!("'{s}+00'") } else { format!("'{s}'") }
}

/// A raw `INSERT` of a booking of `resource` by `owner`, bypassing the API.
fn raw_insert(
    pg: bool,
    owner: i64,
    resource: i64,
    from: chrono::NaiveDateTime,
    to: chrono::NaiveDateTime,
    status: &str,
) -> String {
    format!(
        "INSERT INTO bookings (site_id, resource_id, owner_id, starts_at, ends_at, busy_until, status, urgency, purpose, flexible, created_at, updated_at) \
         SELECT site_id, id, {owner}, {f}, {t}, {t}, '{status}', 'routine', 'raw', {no}, {f}, {f} FROM resources WHERE id = {resource}",
        f = sql_ts(pg, from),
        t = sql_ts(pg, to),
        no = if pg { "FALSE" } else { "0" },
    )
}

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
    let owner = admin.id;
    let insert = move |from: chrono::NaiveDateTime, to: chrono::NaiveDateTime, status: &str| {
        raw_insert(pg, owner, room, from, to, status)
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

/// The conflict checks read back only as far as the longest booking a
/// resource (or a person) has ever held; a long booking written any way,
/// even by raw SQL or by stretching an existing one, must still be seen by
/// the API's checks and by the database's own guarantee.
#[tokio::test]
async fn a_long_booking_is_seen_however_short_the_others() {
    let app = spawn_app().await;
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    let room = app
        .resource("alpha", &admin, json!({"name": "Room", "kind": "room"}))
        .await;
    let pc1 = app
        .resource("alpha", &admin, json!({"name": "PC 1", "kind": "computer"}))
        .await;
    let pc2 = app
        .resource("alpha", &admin, json!({"name": "PC 2", "kind": "computer"}))
        .await;
    let at = |days, hour| {
        chrono::DateTime::parse_from_rfc3339(&sh(days, hour, 0))
            .unwrap()
            .naive_utc()
    };
    let rfc = |t: chrono::NaiveDateTime| t.and_utc().to_rfc3339();
    // Short bookings only, so far: the look-back is half an hour.
    for (resource, day) in [(room, 4), (pc1, 4)] {
        let res = app
            .book(
                "alpha",
                &admin,
                json!({"resource_id": resource, "starts_at": rfc(at(day, 9)), "ends_at": rfc(at(day, 9) + chrono::Duration::minutes(30)), "purpose": "short"}),
            )
            .await;
        assert_eq!(res.status(), 201);
    }
    let pg = app.backend == BackendKind::Postgres;
    let ts = move |t: chrono::NaiveDateTime| sql_ts(pg, t);
    let owner = admin.id;
    let insert = move |resource: i64, from: chrono::NaiveDateTime, to: chrono::NaiveDateTime| {
        raw_insert(pg, owner, resource, from, to, "confirmed")
    };
    let run = |sql: String| {
        app.db.read(move |conn| {
            conn.batch_execute(&sql)
                .map_err(livingroom::errors::ApiError::from)
        })
    };

    // Twenty hours of the room, written behind the API's back.
    let long_from = at(6, 8);
    run(insert(room, long_from, long_from + chrono::Duration::hours(20)))
        .await
        .expect("the room is free");
    let inside = long_from + chrono::Duration::hours(8);
    let res = app
        .book(
            "alpha",
            &admin,
            json!({"resource_id": room, "starts_at": rfc(inside), "ends_at": rfc(inside + chrono::Duration::minutes(30)), "purpose": "late"}),
        )
        .await;
    assert_eq!(res.status(), 409, "eight hours into a twenty-hour booking");
    let refused = run(insert(
        room,
        inside + chrono::Duration::hours(2),
        inside + chrono::Duration::hours(3),
    ))
    .await;
    assert!(refused.is_err(), "the database sees the long booking too");

    // Stretching an existing booking raises the look-back as well.
    let stretched_to = at(4, 9) + chrono::Duration::hours(30);
    run(format!(
        "UPDATE bookings SET ends_at = {t}, busy_until = {t} WHERE resource_id = {room} AND purpose = 'short'",
        t = ts(stretched_to)
    ))
    .await
    .expect("nothing else in those thirty hours");
    let refused = run(insert(
        room,
        stretched_to - chrono::Duration::hours(2),
        stretched_to - chrono::Duration::hours(1),
    ))
    .await;
    assert!(refused.is_err(), "inside the stretched booking's tail");

    // One person, one seat: ten hours at PC 1 rule out PC 2 late that day.
    let seat_from = at(8, 8);
    run(insert(pc1, seat_from, seat_from + chrono::Duration::hours(10)))
        .await
        .expect("PC 1 is free");
    let late = seat_from + chrono::Duration::hours(6);
    let res = app
        .book(
            "alpha",
            &admin,
            json!({"resource_id": pc2, "starts_at": rfc(late), "ends_at": rfc(late + chrono::Duration::minutes(30)), "purpose": "second seat"}),
        )
        .await;
    assert_eq!(res.status(), 409, "already sitting at PC 1");
}
