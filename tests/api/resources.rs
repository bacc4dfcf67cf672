use serde_json::{Value, json};

use crate::helpers::{problem, sh, spawn_app};

#[tokio::test]
async fn admin_adds_resources_with_kind_defaults_and_members_list_them() {
    let app = spawn_app().await;
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    let staff = app.staff("alpha", "Zhang Wei").await;
    let res = app
        .post(
            "/api/v1/sites/alpha/resources",
            &json!({"name": "Shared computer 1", "kind": "computer", "pool": "Computers"}),
            Some(&admin.token),
        )
        .await;
    assert_eq!(res.status(), 201);
    let pc: Value = res.json().await.unwrap();
    assert_eq!(pc["pool"], "computers");
    assert_eq!(pc["rules"]["allow_preemption"], true);
    assert_eq!(pc["rules"]["check_in_required"], true);
    assert!(pc["opening_hours"].is_null());

    let room = app
        .resource(
            "alpha",
            &admin,
            json!({"name": "Qipao room", "kind": "room", "capacity": 15, "features": ["Piano", "mirrors"],
                   "opening_hours": {"mon": ["08:00-21:00"], "tue": ["08:00-12:00", "13:00-21:00"]},
                   "rules": {"requires_approval": true, "buffer_minutes": 15}}),
        )
        .await;
    let res = app
        .get(
            &format!("/api/v1/sites/alpha/resources/{room}"),
            Some(&staff.token),
        )
        .await;
    let room_view: Value = res.json().await.unwrap();
    assert_eq!(room_view["features"], json!(["mirrors", "piano"]));
    assert_eq!(room_view["rules"]["allow_preemption"], false);
    assert_eq!(room_view["rules"]["requires_approval"], true);
    assert_eq!(
        room_view["opening_hours"]["tue"],
        json!(["08:00-12:00", "13:00-21:00"])
    );

    let list: Value = app
        .get("/api/v1/sites/alpha/resources?kind=computer", Some(&staff.token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let list: Value = app
        .get("/api/v1/sites/alpha/resources?pool=computers", Some(&staff.token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"][0]["name"], "Shared computer 1");

    // Staff may not add or change resources.
    problem(
        app.post(
            "/api/v1/sites/alpha/resources",
            &json!({"name": "X", "kind": "room"}),
            Some(&staff.token),
        )
        .await,
        403,
    )
    .await;
    problem(
        app.patch(
            &format!("/api/v1/sites/alpha/resources/{room}"),
            &json!({"name": "Y"}),
            Some(&staff.token),
        )
        .await,
        403,
    )
    .await;

    // An admin changes rules partially; the rest stays.
    let res = app
        .patch(
            &format!("/api/v1/sites/alpha/resources/{room}"),
            &json!({"rules": {"buffer_minutes": 0}, "capacity": null}),
            Some(&admin.token),
        )
        .await;
    assert_eq!(res.status(), 200);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["rules"]["buffer_minutes"], 0);
    assert_eq!(v["rules"]["requires_approval"], true);
    assert!(v["capacity"].is_null());
}

#[tokio::test]
async fn bad_resource_input_names_every_field() {
    let app = spawn_app().await;
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    let body = json!({"name": "", "kind": "room", "capacity": 0, "features": ["a b"],
                      "opening_hours": {"funday": ["08:00-12:00"], "mon": ["12:00-08:00"]},
                      "rules": {"slot_minutes": 7}});
    let p = problem(
        app.post("/api/v1/sites/alpha/resources", &body, Some(&admin.token))
            .await,
        422,
    )
    .await;
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for expected in [
        "name",
        "capacity",
        "features[0]",
        "opening_hours.funday",
        "opening_hours.mon[0]",
        "rules.slot_minutes",
    ] {
        assert!(fields.contains(&expected), "{expected} missing from {fields:?}");
    }
    let p = problem(
        app.post(
            "/api/v1/sites/alpha/resources",
            &json!({"name": "X", "kind": "sofa"}),
            Some(&admin.token),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "kind");
    let p = problem(
        app.post(
            "/api/v1/sites/alpha/resources",
            &json!({"name": "X", "kind": "room", "rules": {"colour": "red"}}),
            Some(&admin.token),
        )
        .await,
        422,
    )
    .await;
    assert!(p["errors"][0]["message"].as_str().unwrap().contains("colour"));
}

#[tokio::test]
async fn retiring_keeps_history_and_takes_no_new_bookings() {
    let app = spawn_app().await;
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    let staff = app.staff("alpha", "Li Na").await;
    let pc = app
        .resource("alpha", &admin, json!({"name": "PC", "kind": "computer"}))
        .await;
    let res = app
        .book("alpha", &staff, json!({"resource_id": pc, "starts_at": sh(1, 9, 0), "ends_at": sh(1, 10, 0), "purpose": "paperwork"}))
        .await;
    assert_eq!(res.status(), 201);
    let booking: Value = res.json().await.unwrap();

    let res = app
        .delete(&format!("/api/v1/sites/alpha/resources/{pc}"), Some(&admin.token))
        .await;
    assert_eq!(res.status(), 200);
    let retired: Value = res.json().await.unwrap();
    assert!(retired["resource"]["retired_at"].is_string());
    assert_eq!(retired["cancelled_bookings"], json!([booking["id"]]));

    let p = problem(
        app.book(
            "alpha",
            &staff,
            json!({"resource_id": pc, "starts_at": sh(1, 11, 0), "ends_at": sh(1, 12, 0), "purpose": "x"}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(p["rule"], "resource_retired");
    // History stays readable.
    let res = app
        .get(
            &format!("/api/v1/sites/alpha/bookings/{}", booking["id"]),
            Some(&staff.token),
        )
        .await;
    let b: Value = res.json().await.unwrap();
    assert_eq!(b["status"], "cancelled");
    // Retired resources are hidden from the list unless asked for.
    let list: Value = app
        .get("/api/v1/sites/alpha/resources", Some(&staff.token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 0);
    let list: Value = app
        .get(
            "/api/v1/sites/alpha/resources?include_retired=true",
            Some(&staff.token),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn blackouts_close_the_resource() {
    let app = spawn_app().await;
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    let staff = app.staff("alpha", "Li Na").await;
    let pc = app
        .resource("alpha", &admin, json!({"name": "PC", "kind": "computer"}))
        .await;
    let res = app
        .post(
            &format!("/api/v1/sites/alpha/resources/{pc}/blackouts"),
            &json!({"starts_at": sh(2, 0, 0), "ends_at": sh(3, 0, 0), "reason": "maintenance"}),
            Some(&admin.token),
        )
        .await;
    assert_eq!(res.status(), 201);
    let blackout: Value = res.json().await.unwrap();
    let p = problem(
        app.book(
            "alpha",
            &staff,
            json!({"resource_id": pc, "starts_at": sh(2, 9, 0), "ends_at": sh(2, 10, 0), "purpose": "x"}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(p["rule"], "blackout");
    assert_eq!(p["type"], "/problems/booking-rule");
    let list: Value = app
        .get(
            &format!("/api/v1/sites/alpha/resources/{pc}/blackouts"),
            Some(&staff.token),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    let res = app
        .delete(
            &format!("/api/v1/sites/alpha/resources/{pc}/blackouts/{}", blackout["id"]),
            Some(&admin.token),
        )
        .await;
    assert_eq!(res.status(), 204);
    let res = app
        .book(
            "alpha",
            &staff,
            json!({"resource_id": pc, "starts_at": sh(2, 9, 0), "ends_at": sh(2, 10, 0), "purpose": "x"}),
        )
        .await;
    assert_eq!(res.status(), 201);
}

#[tokio::test]
async fn buffers_keep_time_free_after_each_booking() {
    let app = spawn_app().await;
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    let room = app
        .resource(
            "alpha",
            &admin,
            json!({"name": "Qipao room", "kind": "room", "rules": {"buffer_minutes": 30}}),
        )
        .await;
    let body = |from: (u32, u32), to: (u32, u32)| json!({"resource_id": room, "starts_at": sh(2, from.0, from.1), "ends_at": sh(2, to.0, to.1), "purpose": "class"});
    assert_eq!(
        app.book("alpha", &admin, body((10, 0), (11, 0))).await.status(),
        201
    );
    // Straight after, and straight before, run into the buffer.
    problem(app.book("alpha", &admin, body((11, 0), (12, 0))).await, 409).await;
    problem(app.book("alpha", &admin, body((9, 0), (10, 0))).await, 409).await;
    assert_eq!(
        app.book("alpha", &admin, body((11, 30), (12, 30))).await.status(),
        201
    );
    assert_eq!(
        app.book("alpha", &admin, body((8, 30), (9, 30))).await.status(),
        201
    );
}

/// Issue 20, 6: a blackout over bookings is refused, listing them, unless
/// the admin asks to cancel them; then each owner is told the reason.
#[tokio::test]
async fn a_blackout_over_bookings_is_refused_or_cancels_them_with_notice() {
    let app = spawn_app().await;
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    let staff = app.staff("alpha", "Li Na").await;
    let pc = app
        .resource("alpha", &admin, json!({"name": "PC", "kind": "computer"}))
        .await;
    let res = app
        .book(
            "alpha",
            &staff,
            json!({"resource_id": pc, "starts_at": sh(2, 9, 0), "ends_at": sh(2, 10, 0), "purpose": "x"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let booking: Value = res.json().await.unwrap();
    let path = format!("/api/v1/sites/alpha/resources/{pc}/blackouts");
    let closing = json!({"starts_at": sh(2, 0, 0), "ends_at": sh(3, 0, 0), "reason": "new cables"});

    let p = problem(app.post(&path, &closing, Some(&admin.token)).await, 409).await;
    assert_eq!(p["conflicts"][0]["booking_id"], booking["id"]);
    let list: Value = app.get(&path, Some(&admin.token)).await.json().await.unwrap();
    assert_eq!(list, json!([]), "nothing was closed");

    let mut cancelling = closing.clone();
    cancelling["cancel_bookings"] = json!(true);
    let res = app.post(&path, &cancelling, Some(&admin.token)).await;
    assert_eq!(res.status(), 201);
    let made: Value = res.json().await.unwrap();
    assert_eq!(made["overlapping_bookings"], json!([booking["id"]]));
    let after: Value = app
        .get(
            &format!("/api/v1/sites/alpha/bookings/{}", booking["id"]),
            Some(&staff.token),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(after["status"], "cancelled");
    let staff_id = staff.id;
    let told: Vec<String> = app
        .db
        .read(move |conn| {
            use diesel::prelude::*;
            use livingroom::db::schema::outbox;
            Ok(outbox::table
                .filter(outbox::kind.eq("booking_cancelled"))
                .filter(outbox::user_id.eq(staff_id))
                .select(outbox::content)
                .load(conn)?)
        })
        .await
        .unwrap();
    assert_eq!(told.len(), 1);
    assert!(told[0].contains("new cables"), "{}", told[0]);
}
