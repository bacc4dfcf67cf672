//! Limits: nothing a client sends can make the service do unbounded work or
//! let one person take everything. Each test names the limit it proves.

use futures::future::join_all;
use serde_json::json;

use crate::helpers::{open_room, problem, sh, spawn_app};
use livingroom::domain::person::Roles;

/// A flood of 1,000 bookings from one person is stopped by the site's cap
/// on future bookings per person (200 by default), not by luck: exactly 200
/// succeed, even with 20 requests in flight at a time, and the rest are 422
/// naming the rule. The admin can raise the cap.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_a_thousand_bookings_is_stopped_by_the_quota() {
    let app = spawn_app().await;
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    let site: serde_json::Value = app
        .get("/api/v1/sites/alpha", Some(&admin.token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(site["max_future_bookings_per_person"], 200);
    let room = app.resource("alpha", &admin, open_room("Hall")).await;
    let flooder = app.quick_member("alpha", Roles::STAFF).await;
    let mut statuses = Vec::new();
    for chunk in 0..50u32 {
        let answers = join_all((0..20u32).map(|i| {
            let n = chunk * 20 + i;
            let (day, quarter) = (1 + i64::from(n / 40), 8 * 4 + n % 40);
            let body = json!({"resource_id": room, "purpose": "flood",
                "starts_at": sh(day, quarter / 4, (quarter % 4) * 15),
                "ends_at": sh(day, (quarter + 1) / 4, ((quarter + 1) % 4) * 15)});
            let (app, flooder) = (&app, &flooder);
            async move {
                let res = app.book("alpha", flooder, body).await;
                let status = res.status().as_u16();
                let rule = if status == 422 {
                    res.json::<serde_json::Value>().await.unwrap()["rule"].clone()
                } else {
                    serde_json::Value::Null
                };
                (status, rule)
            }
        }))
        .await;
        statuses.extend(answers);
    }
    let created = statuses.iter().filter(|(s, _)| *s == 201).count();
    assert_eq!(created, 200, "{statuses:?}");
    assert!(
        statuses
            .iter()
            .filter(|(s, _)| *s != 201)
            .all(|(s, rule)| *s == 422 && rule == "too_many_future_bookings"),
        "{statuses:?}"
    );
    // Someone else is not affected, and the admin may raise the cap.
    let other = app.quick_member("alpha", Roles::STAFF).await;
    let body = json!({"resource_id": room, "purpose": "mine",
        "starts_at": sh(90, 9, 0), "ends_at": sh(90, 10, 0)});
    assert_eq!(app.book("alpha", &other, body).await.status(), 201);
    let res = app
        .patch(
            "/api/v1/sites/alpha",
            &json!({"max_future_bookings_per_person": 201}),
            Some(&admin.token),
        )
        .await;
    assert_eq!(res.status(), 200);
    let body = json!({"resource_id": room, "purpose": "one more",
        "starts_at": sh(91, 9, 0), "ends_at": sh(91, 10, 0)});
    assert_eq!(app.book("alpha", &flooder, body).await.status(), 201);
    // Out of range is refused, naming the field.
    let res = app
        .patch(
            "/api/v1/sites/alpha",
            &json!({"max_future_bookings_per_person": 0}),
            Some(&admin.token),
        )
        .await;
    let body = problem(res, 422).await;
    assert_eq!(body["errors"][0]["field"], "max_future_bookings_per_person");
}

/// Page sizes, query ranges, recurrences and bodies are capped, with a
/// 4xx that names what is wrong.
#[tokio::test]
async fn page_size_range_recurrence_and_body_are_capped() {
    let app = spawn_app().await;
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    let t = Some(admin.token.as_str());
    let room = app
        .resource(
            "alpha",
            &admin,
            json!({"name": "Hall", "kind": "room", "rules": {"min_notice_minutes": 0, "max_advance_days": 400}}),
        )
        .await;

    for path in [
        "/api/v1/sites/alpha/bookings?limit=101",
        "/api/v1/sites/alpha/members?limit=1000",
        "/api/v1/sites/alpha/resources?limit=0",
    ] {
        let body = problem(app.get(path, t).await, 422).await;
        assert_eq!(body["errors"][0]["field"], "limit", "{path}");
    }
    let from = "2026-01-01T00:00:00%2B08:00";
    let to = "2027-01-03T00:00:00%2B08:00";
    for path in [
        format!("/api/v1/sites/alpha/bookings?from={from}&to={to}"),
        "/api/v1/sites/alpha/duties?from=2026-01-01&to=2027-01-03".to_owned(),
        format!("/api/v1/sites/alpha/availability?kind=room&duration_minutes=60&from={from}&to={to}"),
    ] {
        let res = app.get(&path, t).await;
        assert_eq!(res.status(), 422, "{path}");
    }
    let series = json!({"resource_id": room, "purpose": "weekly",
        "starts_at": sh(1, 9, 0), "ends_at": sh(1, 10, 0),
        "recurrence": {"weekly": {"count": 53}}});
    let body = problem(app.book("alpha", &admin, series).await, 422).await;
    assert!(body["errors"].to_string().contains("recurrence"), "{body}");
    let huge = json!({"resource_id": room, "purpose": "x".repeat(80 * 1024),
        "starts_at": sh(1, 9, 0), "ends_at": sh(1, 10, 0)});
    problem(app.book("alpha", &admin, huge).await, 413).await;
    // Nothing was booked by any of it.
    let list: serde_json::Value = app
        .get("/api/v1/sites/alpha/bookings", t)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 0);
}

/// Fields the server owns cannot be set by a client: unknown or
/// server-owned fields are a 422 naming them, and nothing is created.
#[tokio::test]
async fn server_owned_fields_are_refused() {
    let app = spawn_app().await;
    app.site("alpha").await;
    app.site("beta").await;
    let admin = app.admin("alpha").await;
    let staff = app.staff("alpha", "Staff").await;
    let room = app
        .resource(
            "alpha",
            &admin,
            json!({"name": "Hall", "kind": "room", "rules": {"min_notice_minutes": 0}}),
        )
        .await;
    let base =
        json!({"resource_id": room, "purpose": "p", "starts_at": sh(1, 9, 0), "ends_at": sh(1, 10, 0)});
    for (field, value) in [
        ("status", json!("confirmed")),
        ("site", json!("beta")),
        ("site_id", json!(2)),
        ("owner_id", json!(admin.id)),
        ("id", json!(1)),
        ("created_at", json!("2020-01-01T00:00:00Z")),
        ("displaced", json!([])),
    ] {
        let mut body = base.clone();
        body[field] = value;
        let res = app.book("alpha", &staff, body).await;
        let problem = problem(res, 422).await;
        assert!(problem.to_string().contains(field), "{field}: {problem}");
    }
    let res = app
        .patch(
            &format!("/api/v1/sites/alpha/resources/{room}"),
            &json!({"site_id": 2}),
            Some(&admin.token),
        )
        .await;
    problem(res, 422).await;
    let res = app
        .patch(
            &format!("/api/v1/sites/alpha/members/{}", staff.id),
            &json!({"email": "new@example.org"}),
            Some(&admin.token),
        )
        .await;
    problem(res, 422).await;
    let list: serde_json::Value = app
        .get("/api/v1/sites/alpha/bookings", Some(&admin.token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 0);
}
