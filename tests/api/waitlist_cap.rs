//! Issue 19, 12: places in the waitlist count toward the per-person cap on
//! future bookings, and an `Idempotency-Key` belongs to one person at one
//! site.

use serde_json::{Value, json};

use crate::helpers::{Person, TestApp, open_room, problem, sh, spawn_app};
use livingroom::domain::person::Roles;

fn hour_on(room: i64, days: i64) -> Value {
    json!({"resource_id": room, "starts_at": sh(days, 9, 0), "ends_at": sh(days, 10, 0), "purpose": "reading club"})
}

fn waitlisted(room: i64, days: i64) -> Value {
    let mut body = hour_on(room, days);
    body["on_conflict"] = json!("waitlist");
    body
}

#[tokio::test]
async fn waitlist_places_count_toward_the_future_cap() {
    let app = spawn_app().await;
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    let room = app.resource("alpha", &admin, open_room("Room A")).await;
    let res = app
        .patch(
            "/api/v1/sites/alpha",
            &json!({"max_future_bookings_per_person": 2}),
            Some(&admin.token),
        )
        .await;
    assert_eq!(res.status(), 200);
    let holder = app.quick_member("alpha", Roles::STAFF).await;
    for days in [3, 4] {
        assert_eq!(
            app.book("alpha", &holder, hour_on(room, days)).await.status(),
            201
        );
    }

    let late = app.quick_member("alpha", Roles::STAFF).await;
    assert_eq!(app.book("alpha", &late, hour_on(room, 5)).await.status(), 201);
    assert_eq!(app.book("alpha", &late, waitlisted(room, 3)).await.status(), 202);
    // One booking and one place in line: the cap of 2 is reached, for
    // another place in line and for a booking alike.
    let p = problem(app.book("alpha", &late, waitlisted(room, 4)).await, 422).await;
    assert_eq!(p["rule"], "too_many_future_bookings", "{p}");
    let p = problem(app.book("alpha", &late, hour_on(room, 6)).await, 422).await;
    assert_eq!(p["rule"], "too_many_future_bookings", "{p}");
    let waiting: Value = app
        .get("/api/v1/sites/alpha/waitlist", Some(&late.token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(waiting["items"].as_array().map(Vec::len), Some(1), "{waiting}");
}

async fn book_with_key(
    app: &TestApp,
    slug: &str,
    who: &Person,
    key: &str,
    body: &Value,
) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/api/v1/sites/{slug}/bookings")))
        .bearer_auth(&who.token)
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn an_idempotency_key_is_the_callers_at_one_site() {
    let app = spawn_app().await;
    let operator = app.operator().await;
    let mut rooms = Vec::new();
    for slug in ["alpha", "beta"] {
        app.site(slug).await;
        let admin = app.admin(slug).await;
        let mut room = open_room("Room");
        room["pool"] = json!("rooms");
        rooms.push(app.resource(slug, &admin, room).await);
    }
    // The same request word for word (a pool, not an id) at both sites.
    let body =
        json!({"pool": "rooms", "starts_at": sh(2, 9, 0), "ends_at": sh(2, 10, 0), "purpose": "meeting"});
    let at_alpha = book_with_key(&app, "alpha", &operator, "same-key", &body).await;
    assert_eq!(at_alpha.status(), 201);
    let at_alpha: Value = at_alpha.json().await.unwrap();
    assert_eq!(at_alpha["resource_id"], rooms[0]);

    let at_beta = book_with_key(&app, "beta", &operator, "same-key", &body).await;
    assert_eq!(at_beta.status(), 201);
    assert!(at_beta.headers().get("idempotent-replayed").is_none());
    let at_beta: Value = at_beta.json().await.unwrap();
    assert_eq!(
        at_beta["resource_id"], rooms[1],
        "beta's own booking, not alpha's answer"
    );
    assert_ne!(at_beta["id"], at_alpha["id"]);

    // Someone else's key of the same name is theirs.
    let staff = app.quick_member("alpha", Roles::STAFF).await;
    let mut later = body.clone();
    later["starts_at"] = json!(sh(2, 11, 0));
    later["ends_at"] = json!(sh(2, 12, 0));
    let theirs = book_with_key(&app, "alpha", &staff, "same-key", &later).await;
    assert_eq!(theirs.status(), 201);
    assert!(theirs.headers().get("idempotent-replayed").is_none());

    // A retry at the same site still gets the first answer.
    let again = book_with_key(&app, "beta", &operator, "same-key", &body).await;
    assert_eq!(again.status(), 201);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.json::<Value>().await.unwrap()["id"], at_beta["id"]);
}
