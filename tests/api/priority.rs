//! Urgency-based priority: the stories from the field.

use serde_json::{Value, json};

use crate::helpers::{Person, TestApp, problem, sh, spawn_app};
use livingroom::domain::person::Roles;

struct Office {
    admin: Person,
    pcs: Vec<i64>,
    /// Three colleagues holding the three computers 15:30-17:00 tomorrow.
    holders: Vec<Person>,
    bookings: Vec<i64>,
}

async fn after_half_past_three(app: &TestApp, urgency: &str) -> Office {
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    let mut pcs = Vec::new();
    for n in 1..=3 {
        pcs.push(
            app.resource(
                "alpha",
                &admin,
                json!({"name": format!("PC {n}"), "kind": "computer", "pool": "computers"}),
            )
            .await,
        );
    }
    let mut holders = Vec::new();
    let mut bookings = Vec::new();
    for pc in &pcs {
        let who = app.quick_member("alpha", Roles::STAFF).await;
        let mut body = json!({"resource_id": pc, "starts_at": sh(1, 15, 30), "ends_at": sh(1, 17, 0), "purpose": "paperwork", "urgency": urgency});
        if urgency != "routine" {
            body["reason"] = json!("case files due");
        }
        let res = app.book("alpha", &who, body).await;
        assert_eq!(res.status(), 201);
        let b: Value = res.json().await.unwrap();
        bookings.push(b["id"].as_i64().unwrap());
        holders.push(who);
    }
    Office {
        admin,
        pcs,
        holders,
        bookings,
    }
}

fn urgent_request(urgency: &str) -> Value {
    json!({"pool": "computers", "starts_at": sh(1, 15, 30), "ends_at": sh(1, 16, 30),
           "purpose": "mediation write-up", "urgency": urgency, "reason": "neighbour dispute mediation report due today"})
}

async fn booking(app: &TestApp, who: &Person, id: i64) -> Value {
    app.get(&format!("/api/v1/sites/alpha/bookings/{id}"), Some(&who.token))
        .await
        .json()
        .await
        .unwrap()
}

async fn outbox_kinds(app: &TestApp) -> Vec<String> {
    app.db
        .read(|conn| {
            use diesel::prelude::*;
            use livingroom::db::schema::outbox;
            Ok(outbox::table.order(outbox::id).select(outbox::kind).load(conn)?)
        })
        .await
        .unwrap()
}

/// The calendar events (as stored JSON) of the mails of `kind`, in order.
async fn calendar_events(app: &TestApp, kind: &'static str) -> Vec<Value> {
    let contents: Vec<String> = app
        .db
        .read(move |conn| {
            use diesel::prelude::*;
            use livingroom::db::schema::outbox;
            Ok(outbox::table
                .filter(outbox::kind.eq(kind))
                .order(outbox::id)
                .select(outbox::content)
                .load(conn)?)
        })
        .await
        .unwrap();
    contents
        .iter()
        .flat_map(|c| {
            let v: Value = serde_json::from_str(c).unwrap();
            v["calendar"]["events"].as_array().cloned().unwrap_or_default()
        })
        .collect()
}

#[tokio::test]
async fn an_urgent_write_up_displaces_routine_paperwork_which_is_served_again_later() {
    let app = spawn_app().await;
    let office = after_half_past_three(&app, "routine").await;
    let qian = app.staff("alpha", "Qian Kai").await;

    let res = app.book("alpha", &qian, urgent_request("urgent")).await;
    assert_eq!(res.status(), 201);
    let created: Value = res.json().await.unwrap();
    let displaced = created["displaced"].as_array().unwrap();
    assert_eq!(displaced.len(), 1, "{created}");
    // The least harm: one booking, routine, the most recently made.
    let victim = *office.bookings.last().unwrap();
    assert_eq!(displaced[0]["booking_id"], victim);
    let entry = displaced[0]["waitlisted"]["waitlist_id"]
        .as_i64()
        .expect("waitlisted: no other computer is free");
    assert_eq!(created["resource_id"], office.pcs[2]);

    let victim_owner = &office.holders[2];
    let old = booking(&app, victim_owner, victim).await;
    assert_eq!(old["status"], "cancelled");
    // Issue 20, 7: it says it gave way, not that its owner cancelled it.
    assert_eq!(old["end_reason"], "displaced");
    let waiting: Value = app
        .get("/api/v1/sites/alpha/waitlist", Some(&victim_owner.token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(waiting["items"][0]["id"], entry);
    assert_eq!(waiting["items"][0]["urgency"], "routine");

    // A colleague cancels: the waitlist is served at once, in that transaction.
    let res = app
        .delete(
            &format!("/api/v1/sites/alpha/bookings/{}", office.bookings[0]),
            Some(&office.holders[0].token),
        )
        .await;
    assert_eq!(res.status(), 204);
    let served: Value = app
        .get(
            "/api/v1/sites/alpha/waitlist?status=served",
            Some(&victim_owner.token),
        )
        .await
        .json()
        .await
        .unwrap();
    let new_id = served["items"][0]["served_booking_id"].as_i64().expect("served");
    let new = booking(&app, victim_owner, new_id).await;
    assert_eq!(new["status"], "confirmed");
    assert_eq!(new["resource_id"], office.pcs[0]);
    assert_eq!(new["starts_at"], old["starts_at"]);
    assert_eq!(new["ends_at"], old["ends_at"]);

    // Everything is on the record, and the owner was told each step.
    let audit: Value = app
        .get("/api/v1/sites/alpha/audit", Some(&office.admin.token))
        .await
        .json()
        .await
        .unwrap();
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    for a in ["preemption", "waitlisted", "urgent_use", "waitlist_served"] {
        assert!(actions.contains(&a), "{a} missing from {actions:?}");
    }
    let preemption = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["action"] == "preemption")
        .unwrap();
    assert_eq!(preemption["actor"], "Qian Kai");
    assert_eq!(
        preemption["reason"],
        "neighbour dispute mediation report due today"
    );
    let kinds = outbox_kinds(&app).await;
    assert!(kinds.contains(&"booking_waitlisted".to_owned()), "{kinds:?}");
    assert!(kinds.contains(&"waitlist_served".to_owned()), "{kinds:?}");

    // Issue 20, 11: the calendar follows. Giving way cancels the event the
    // first confirmation put there (same UID, a higher revision); being
    // served from the waitlist adds the new booking.
    let confirmed = calendar_events(&app, "booking_confirmed").await;
    let gave_way = calendar_events(&app, "booking_waitlisted").await;
    assert_eq!(gave_way.len(), 1, "{gave_way:?}");
    let first = confirmed
        .iter()
        .find(|e| e["uid"] == gave_way[0]["uid"])
        .expect("the same UID");
    assert_eq!(first["sequence"], 0);
    assert_eq!(gave_way[0]["cancelled"], true);
    assert!(gave_way[0]["sequence"].as_u64().unwrap() > 0);
    let served = calendar_events(&app, "waitlist_served").await;
    assert_eq!(served.len(), 1);
    assert_eq!(served[0]["cancelled"], false);
    assert_ne!(served[0]["uid"], gave_way[0]["uid"]);
}

#[tokio::test]
async fn equal_urgency_never_displaces() {
    let app = spawn_app().await;
    let office = after_half_past_three(&app, "urgent").await;
    let qian = app.staff("alpha", "Qian Kai").await;
    let p = problem(app.book("alpha", &qian, urgent_request("urgent")).await, 409).await;
    assert_eq!(p["conflicts"].as_array().unwrap().len(), 3);
    for (who, id) in office.holders.iter().zip(&office.bookings) {
        assert_eq!(booking(&app, who, *id).await["status"], "confirmed");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_emergencies_race_for_the_last_displaceable_slot_and_nothing_is_lost() {
    let app = spawn_app().await;
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    let mut pcs = Vec::new();
    for n in 1..=3 {
        pcs.push(
            app.resource(
                "alpha",
                &admin,
                json!({"name": format!("PC {n}"), "kind": "computer", "pool": "computers"}),
            )
            .await,
        );
    }
    for (pc, urgency) in pcs.iter().zip(["emergency", "emergency", "routine"]) {
        let who = app.quick_member("alpha", Roles::STAFF).await;
        let mut body = json!({"resource_id": pc, "starts_at": sh(1, 15, 30), "ends_at": sh(1, 17, 0), "purpose": "work", "urgency": urgency});
        if urgency != "routine" {
            body["reason"] = json!("a fire in block 7");
        }
        assert_eq!(app.book("alpha", &who, body).await.status(), 201);
    }
    let a = app.quick_member("alpha", Roles::STAFF).await;
    let b = app.quick_member("alpha", Roles::STAFF).await;
    let (ra, rb) = tokio::join!(
        app.book("alpha", &a, urgent_request("emergency")),
        app.book("alpha", &b, urgent_request("emergency"))
    );
    let mut statuses = vec![ra.status().as_u16(), rb.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [201, 409]);
    // Three computers, three active bookings; the routine one waits in line.
    let active: i64 = app
        .db
        .read(|conn| {
            use diesel::prelude::*;
            use livingroom::db::schema::bookings;
            Ok(bookings::table
                .filter(bookings::status.eq("confirmed"))
                .count()
                .get_result(conn)?)
        })
        .await
        .unwrap();
    assert_eq!(active, 3);
    let waiting: Value = app
        .get("/api/v1/sites/alpha/waitlist", Some(&admin.token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(waiting["items"].as_array().unwrap().len(), 1);
    assert!(waiting["items"][0]["displaced_booking_id"].is_i64());
}

#[tokio::test]
async fn a_dry_run_shows_the_plan_and_changes_nothing() {
    let app = spawn_app().await;
    let office = after_half_past_three(&app, "routine").await;
    let qian = app.staff("alpha", "Qian Kai").await;
    let res = app
        .client
        .post(app.url("/api/v1/sites/alpha/bookings?dry_run=true"))
        .bearer_auth(&qian.token)
        .json(&urgent_request("urgent"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let dry: Value = res.json().await.unwrap();
    assert_eq!(dry["dry_run"], true);
    assert_eq!(dry["would_status"], 201);
    for (who, id) in office.holders.iter().zip(&office.bookings) {
        assert_eq!(booking(&app, who, *id).await["status"], "confirmed");
    }
    assert!(outbox_kinds(&app).await.iter().all(|k| k == "booking_confirmed"));
    // The real run decides the same.
    let real: Value = app
        .book("alpha", &qian, urgent_request("urgent"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        real["displaced"][0]["booking_id"],
        dry["displaced"][0]["booking_id"]
    );
    assert_eq!(real["resource_id"], dry["resource_id"]);
}

#[tokio::test]
async fn a_flexible_booking_moves_later_the_same_day() {
    let app = spawn_app().await;
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    let pc = app
        .resource(
            "alpha",
            &admin,
            json!({"name": "PC", "kind": "computer", "pool": "computers"}),
        )
        .await;
    let holder = app.quick_member("alpha", Roles::STAFF).await;
    let res = app
        .book("alpha", &holder, json!({"resource_id": pc, "starts_at": sh(1, 15, 30), "ends_at": sh(1, 16, 30), "purpose": "filing", "flexible": true}))
        .await;
    let b: Value = res.json().await.unwrap();
    let qian = app.staff("alpha", "Qian Kai").await;
    let res = app.book("alpha", &qian, urgent_request("urgent")).await;
    assert_eq!(res.status(), 201);
    let created: Value = res.json().await.unwrap();
    let moved = &created["displaced"][0]["moved_to"];
    assert_eq!(created["displaced"][0]["booking_id"], b["id"]);
    assert_eq!(moved["resource_id"], pc);
    assert_eq!(
        chrono::DateTime::parse_from_rfc3339(moved["starts_at"].as_str().unwrap()).unwrap(),
        chrono::DateTime::parse_from_rfc3339(&sh(1, 16, 30)).unwrap()
    );
    let new = booking(&app, &holder, moved["booking_id"].as_i64().unwrap()).await;
    assert_eq!(new["status"], "confirmed");
    assert!(outbox_kinds(&app).await.contains(&"booking_relocated".to_owned()));
}

#[tokio::test]
async fn nothing_inside_the_grace_period_or_checked_in_is_displaced_and_rooms_do_not_allow_it() {
    let app = spawn_app().await;
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    let pc = app
        .resource("alpha", &admin, json!({"name": "PC", "kind": "computer"}))
        .await;
    let holder = app.quick_member("alpha", Roles::STAFF).await;
    // A booking starting in the current slot: already started, or within grace.
    let now = chrono::Utc::now();
    let start = now
        - chrono::Duration::minutes(i64::from(chrono::Timelike::minute(&now) % 15))
        - chrono::Duration::seconds(i64::from(chrono::Timelike::second(&now)))
        - chrono::Duration::nanoseconds(i64::from(chrono::Timelike::nanosecond(&now)));
    let end = start + chrono::Duration::hours(1);
    let res = app
        .book("alpha", &holder, json!({"resource_id": pc, "starts_at": start.to_rfc3339(), "ends_at": end.to_rfc3339(), "purpose": "now"}))
        .await;
    assert_eq!(res.status(), 201);
    let qian = app.staff("alpha", "Qian Kai").await;
    let p = problem(
        app.book(
            "alpha",
            &qian,
            json!({"resource_id": pc, "starts_at": start.to_rfc3339(), "ends_at": end.to_rfc3339(),
                                        "purpose": "x", "urgency": "emergency", "reason": "fire"}),
        )
        .await,
        409,
    )
    .await;
    assert_eq!(p["type"], "/problems/conflict");

    let room = app
        .resource("alpha", &admin, json!({"name": "Room", "kind": "room"}))
        .await;
    let res = app.book("alpha", &holder, json!({"resource_id": room, "starts_at": sh(2, 9, 0), "ends_at": sh(2, 10, 0), "purpose": "class"})).await;
    assert_eq!(res.status(), 201);
    problem(
        app.book(
            "alpha",
            &qian,
            json!({"resource_id": room, "starts_at": sh(2, 9, 0), "ends_at": sh(2, 10, 0),
                                        "purpose": "x", "urgency": "emergency", "reason": "fire"}),
        )
        .await,
        409,
    )
    .await;
}

#[tokio::test]
async fn a_request_may_wait_in_line_and_leave_it() {
    let app = spawn_app().await;
    let office = after_half_past_three(&app, "routine").await;
    let late = app.staff("alpha", "Late").await;
    let mut body = json!({"pool": "computers", "starts_at": sh(1, 15, 30), "ends_at": sh(1, 16, 0), "purpose": "notes",
                          "on_conflict": "waitlist", "latest_start": sh(1, 16, 30)});
    let res = app.book("alpha", &late, body.clone()).await;
    assert_eq!(res.status(), 202);
    let entry: Value = res.json().await.unwrap();
    assert_eq!(entry["status"], "waiting");
    // Someone else's view does not show it; the admin's does.
    let other: Value = app
        .get("/api/v1/sites/alpha/waitlist", Some(&office.holders[0].token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(other["items"].as_array().unwrap().len(), 0);
    let all: Value = app
        .get("/api/v1/sites/alpha/waitlist", Some(&office.admin.token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(all["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        app.delete(
            &format!("/api/v1/sites/alpha/waitlist/{}", entry["id"]),
            Some(&late.token)
        )
        .await
        .status(),
        204
    );
    problem(
        app.delete(
            &format!("/api/v1/sites/alpha/waitlist/{}", entry["id"]),
            Some(&late.token),
        )
        .await,
        409,
    )
    .await;
    // Queue again; a cancellation serves it.
    body["purpose"] = json!("notes again");
    assert_eq!(app.book("alpha", &late, body).await.status(), 202);
    app.delete(
        &format!("/api/v1/sites/alpha/bookings/{}", office.bookings[1]),
        Some(&office.holders[1].token),
    )
    .await;
    let mine: Value = app
        .get("/api/v1/sites/alpha/bookings?mine=true", Some(&late.token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine["items"].as_array().unwrap().len(), 1);
    assert_eq!(mine["items"][0]["resource_id"], office.pcs[1]);
}

#[tokio::test]
async fn urgent_claims_have_a_weekly_quota_and_the_audit_exports_safely() {
    let app = spawn_app().await;
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    let pc = app
        .resource("alpha", &admin, json!({"name": "PC", "kind": "computer"}))
        .await;
    let qian = app.staff("alpha", "Qian Kai").await;
    // Four urgent claims on the same day: the fourth is over the quota of 3.
    let day = 7
        + (1 - i64::from(chrono::Datelike::weekday(&chrono::Utc::now().date_naive()).num_days_from_monday()))
            .rem_euclid(7);
    for (i, hour) in [8u32, 10, 12, 14].into_iter().enumerate() {
        let body = json!({"resource_id": pc, "starts_at": sh(day, hour, 0), "ends_at": sh(day, hour + 1, 0), "purpose": "x",
                          "urgency": "urgent", "reason": "=HYPERLINK(\"http://evil\")"});
        let res = app.book("alpha", &qian, body).await;
        if i < 3 {
            assert_eq!(res.status(), 201);
        } else {
            let p = problem(res, 422).await;
            assert_eq!(p["rule"], "urgent_quota");
        }
    }
    let res = app
        .client
        .get(app.url(&format!("/api/v1/sites/alpha/audit?user_id={}", qian.id)))
        .bearer_auth(&admin.token)
        .header("accept", "text/csv")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = res.text().await.unwrap();
    assert_eq!(csv.lines().count(), 4, "{csv}");
    assert!(!csv.contains(",=HYPERLINK"), "{csv}");
    assert!(csv.contains("'=HYPERLINK"), "{csv}");
    problem(app.get("/api/v1/sites/alpha/audit", Some(&qian.token)).await, 403).await;
}

/// Issue 20, 1: an urgent request naming one computer moves the booking in
/// its way to a free member of the pool, in the same transaction, with one
/// "relocated" mail; it was sent to the waitlist while computers stood free.
#[tokio::test]
async fn a_request_naming_one_computer_moves_the_one_in_its_way_to_a_free_member_of_the_pool() {
    let app = spawn_app().await;
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    for n in 1..=3 {
        app.resource(
            "alpha",
            &admin,
            json!({"name": format!("PC {n}"), "kind": "computer", "pool": "computers"}),
        )
        .await;
    }
    let liu = app.staff("alpha", "Liu Yang").await;
    let res = app
        .book(
            "alpha",
            &liu,
            json!({"pool": "computers", "starts_at": sh(1, 15, 30), "ends_at": sh(1, 16, 30), "purpose": "paperwork"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let hers: Value = res.json().await.unwrap();
    let pc = hers["resource_id"].as_i64().unwrap();

    let qian = app.staff("alpha", "Qian Kai").await;
    let res = app
        .book(
            "alpha",
            &qian,
            json!({"resource_id": pc, "starts_at": sh(1, 15, 30), "ends_at": sh(1, 16, 30), "purpose": "mediation",
                   "urgency": "emergency", "reason": "a fight on the stairs"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let created: Value = res.json().await.unwrap();
    assert_eq!(created["resource_id"], pc, "the request lands where it asked");
    let moved = &created["displaced"][0]["moved_to"];
    assert!(moved.is_object(), "moved, not waitlisted: {created}");
    assert_ne!(moved["resource_id"], pc);
    assert_eq!(moved["starts_at"], hers["starts_at"]);

    let waiting: Value = app
        .get("/api/v1/sites/alpha/waitlist", Some(&admin.token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(waiting["items"].as_array().unwrap().len(), 0, "{waiting}");
    let kinds = outbox_kinds(&app).await;
    assert_eq!(
        kinds.iter().filter(|k| *k == "booking_relocated").count(),
        1,
        "{kinds:?}"
    );
    assert!(!kinds.iter().any(|k| k == "booking_waitlisted"), "{kinds:?}");
    // Issue 20, 11: the move's mail cancels the old event (its UID, a
    // higher revision) and adds the booking on the other computer.
    let events = calendar_events(&app, "booking_relocated").await;
    assert_eq!(events.len(), 2, "{events:?}");
    assert!(
        events[0]["uid"]
            .as_str()
            .unwrap()
            .starts_with(&format!("booking-{}@", hers["id"]))
    );
    assert_eq!(events[0]["cancelled"], true);
    assert!(events[0]["sequence"].as_u64().unwrap() > 0);
    assert_eq!(events[1]["cancelled"], false);
    assert!(
        events[1]["uid"]
            .as_str()
            .unwrap()
            .starts_with(&format!("booking-{}@", moved["booking_id"]))
    );
}

/// Issue 20, 9: joining the waitlist answers with the place in line, and
/// the list shows it while the request waits.
#[tokio::test]
async fn the_waitlist_says_each_request_s_place_in_line() {
    let app = spawn_app().await;
    let office = after_half_past_three(&app, "routine").await;
    let body = json!({"pool": "computers", "starts_at": sh(1, 15, 30), "ends_at": sh(1, 16, 0), "purpose": "notes",
                      "on_conflict": "waitlist", "latest_start": sh(1, 16, 30)});
    let mut places = Vec::new();
    for name in ["First", "Second"] {
        let who = app.staff("alpha", name).await;
        let res = app.book("alpha", &who, body.clone()).await;
        assert_eq!(res.status(), 202);
        let entry: Value = res.json().await.unwrap();
        places.push(entry["place_in_line"].clone());
    }
    assert_eq!(places, [json!(1), json!(2)]);
    let all: Value = app
        .get("/api/v1/sites/alpha/waitlist", Some(&office.admin.token))
        .await
        .json()
        .await
        .unwrap();
    let mut listed: Vec<i64> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["place_in_line"].as_i64().unwrap())
        .collect();
    listed.sort_unstable();
    assert_eq!(listed, [1, 2]);
}
