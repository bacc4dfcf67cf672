use serde_json::{Value, json};

use crate::helpers::{Person, TestApp, problem, sh, spawn_app};
use livingroom::domain::person::Roles;

struct Site {
    admin: Person,
    staff: Person,
    pcs: Vec<i64>,
    room: i64,
}

async fn setup(app: &TestApp) -> Site {
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    let staff = app.staff("alpha", "Qian Kai").await;
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
    let room = app
        .resource(
            "alpha",
            &admin,
            json!({"name": "Multi-function room", "kind": "room", "capacity": 90,
                   "opening_hours": {"mon": ["08:00-21:00"], "tue": ["08:00-21:00"], "wed": ["08:00-21:00"],
                                     "thu": ["08:00-21:00"], "fri": ["08:00-21:00"], "sat": ["08:00-21:00"], "sun": ["08:00-21:00"]}}),
        )
        .await;
    Site {
        admin,
        staff,
        pcs,
        room,
    }
}

fn slot(resource: i64, day: i64, from: (u32, u32), to: (u32, u32)) -> Value {
    json!({"resource_id": resource, "starts_at": sh(day, from.0, from.1), "ends_at": sh(day, to.0, to.1), "purpose": "paperwork"})
}

#[tokio::test]
async fn half_open_intervals_and_conflicts() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let pc = s.pcs[0];
    let res = app.book("alpha", &s.staff, slot(pc, 1, (9, 0), (10, 0))).await;
    assert_eq!(res.status(), 201);
    let b: Value = res.json().await.unwrap();
    assert_eq!(b["status"], "confirmed");
    assert_eq!(b["urgency"], "routine");
    assert_eq!(b["resource_id"], pc);
    let other = app.staff("alpha", "Li Na").await;
    let third = app.staff("alpha", "Zhang Wei").await;
    // Adjacent: fine.
    assert_eq!(
        app.book("alpha", &other, slot(pc, 1, (10, 0), (11, 0)))
            .await
            .status(),
        201
    );
    // Overlapping: 409 naming what is in the way, with the owner for staff.
    let p = problem(
        app.book("alpha", &third, slot(pc, 1, (9, 30), (10, 30))).await,
        409,
    )
    .await;
    assert_eq!(p["type"], "/problems/conflict");
    let conflicts = p["conflicts"].as_array().unwrap();
    assert_eq!(conflicts.len(), 2);
    assert_eq!(conflicts[0]["resource_id"], pc);
    assert_eq!(conflicts[0]["starts_at"], b["starts_at"]);
    assert_eq!(conflicts[0]["ends_at"], b["ends_at"]);
    assert_eq!(conflicts[0]["owner"], "Qian Kai");
}

#[tokio::test]
async fn conflict_owner_names_are_for_staff_only() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let leader = app.member("alpha", "Auntie Lin", Roles::GROUP_LEADER, &[]).await;
    assert_eq!(
        app.book("alpha", &s.staff, slot(s.room, 3, (14, 0), (16, 0)))
            .await
            .status(),
        201
    );
    let p = problem(
        app.book("alpha", &leader, slot(s.room, 3, (15, 0), (17, 0)))
            .await,
        409,
    )
    .await;
    assert!(p["conflicts"][0].get("owner").is_none(), "{p}");
    // A volunteer books nothing directly.
    let volunteer = app
        .member("alpha", "Chen Mei", Roles::VOLUNTEER, &["medical"])
        .await;
    problem(
        app.book("alpha", &volunteer, slot(s.room, 3, (18, 0), (19, 0)))
            .await,
        403,
    )
    .await;
    // And does not see who booked, or why.
    let list: Value = app
        .get(
            "/api/v1/sites/alpha/bookings?from=".to_owned().as_str(),
            Some(&volunteer.token),
        )
        .await
        .json()
        .await
        .unwrap_or(json!({}));
    let _ = list;
    let res = app
        .get(
            &format!(
                "/api/v1/sites/alpha/bookings?resource_id={}&to={}",
                s.room,
                urlencode(&sh(5, 0, 0))
            ),
            Some(&volunteer.token),
        )
        .await;
    let list: Value = res.json().await.unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert!(list["items"][0].get("purpose").is_none());
    assert!(list["items"][0].get("owner").is_none());
}

pub fn urlencode(s: &str) -> String {
    s.replace('+', "%2B").replace(':', "%3A")
}

#[tokio::test]
async fn every_rule_is_named_when_broken() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let pc = s.pcs[0];
    let cases = vec![
        ("too_long", slot(pc, 1, (9, 0), (14, 0))),
        ("granularity", slot(pc, 1, (9, 7), (10, 0))),
        ("too_far_ahead", slot(pc, 20, (9, 0), (10, 0))),
        ("in_the_past", slot(pc, -1, (9, 0), (10, 0))),
        ("outside_opening_hours", slot(s.room, 2, (21, 0), (22, 0))),
        ("too_late", {
            // The next half hour: on the grid, but within the room's hour of notice.
            let now = chrono::Utc::now();
            let start = now + chrono::Duration::minutes(30 - i64::from(chrono::Timelike::minute(&now) % 30))
                - chrono::Duration::seconds(i64::from(chrono::Timelike::second(&now)))
                - chrono::Duration::nanoseconds(i64::from(chrono::Timelike::nanosecond(&now)));
            json!({"resource_id": s.room, "starts_at": start.to_rfc3339(), "ends_at": (start + chrono::Duration::hours(1)).to_rfc3339(), "purpose": "x"})
        }),
    ];
    for (rule, body) in cases {
        let p = problem(app.book("alpha", &s.staff, body).await, 422).await;
        let rules: Vec<&str> = p["violations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["rule"].as_str().unwrap())
            .collect();
        assert!(rules.contains(&rule), "{rule} not in {p}");
    }
    let mut big = slot(s.room, 2, (9, 0), (10, 0));
    big["headcount"] = json!(120);
    let p = problem(app.book("alpha", &s.staff, big).await, 422).await;
    assert_eq!(p["rule"], "over_capacity");

    let mut urgent = slot(pc, 1, (9, 0), (10, 0));
    urgent["urgency"] = json!("urgent");
    let p = problem(app.book("alpha", &s.staff, urgent.clone()).await, 422).await;
    assert_eq!(p["rule"], "reason_required");
    assert_eq!(p["errors"][0]["field"], "reason");
    urgent["reason"] = json!("mediation write-up due today");
    let res = app.book("alpha", &s.staff, urgent).await;
    assert_eq!(res.status(), 201);
    let b: Value = res.json().await.unwrap();
    assert_eq!(b["urgency"], "urgent");

    // Bad times are 422 naming the field, not 500.
    let p = problem(
        app.book("alpha", &s.staff, json!({"resource_id": pc, "starts_at": "2026-13-40T25:00:00", "ends_at": sh(1, 10, 0), "purpose": "x"})).await,
        422,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "starts_at");
    let p = problem(
        app.book("alpha", &s.staff, json!({"resource_id": pc, "starts_at": "2026-11-23T09:00:00", "ends_at": sh(1, 10, 0), "purpose": "x"})).await,
        422,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "starts_at");
    let p = problem(
        app.book("alpha", &s.staff, slot(pc, 1, (10, 0), (9, 0))).await,
        422,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "ends_at");
    let mut owner = slot(pc, 1, (11, 0), (12, 0));
    owner["status"] = json!("confirmed");
    problem(app.book("alpha", &s.staff, owner).await, 422).await;
}

#[tokio::test]
async fn the_weekly_quota_stops_one_person_taking_every_slot() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    for pc in &s.pcs {
        let res = app
            .patch(
                &format!("/api/v1/sites/alpha/resources/{pc}"),
                &json!({"rules": {"max_bookings_per_user_per_week": 2}}),
                Some(&s.admin.token),
            )
            .await;
        assert_eq!(res.status(), 200);
    }
    // Two bookings on different computers of the pool in one week...
    let day = 7
        + (1 - i64::from(chrono::Datelike::weekday(&chrono::Utc::now().date_naive()).num_days_from_monday()))
            .rem_euclid(7);
    assert_eq!(
        app.book("alpha", &s.staff, slot(s.pcs[0], day, (9, 0), (10, 0)))
            .await
            .status(),
        201
    );
    assert_eq!(
        app.book("alpha", &s.staff, slot(s.pcs[1], day, (11, 0), (12, 0)))
            .await
            .status(),
        201
    );
    // ...the third in the same week is over the pool's quota.
    let p = problem(
        app.book("alpha", &s.staff, slot(s.pcs[2], day + 1, (9, 0), (10, 0)))
            .await,
        422,
    )
    .await;
    assert_eq!(p["rule"], "over_quota");
    // Someone else is unaffected.
    let other = app.staff("alpha", "Li Na").await;
    assert_eq!(
        app.book("alpha", &other, slot(s.pcs[2], day + 1, (9, 0), (10, 0)))
            .await
            .status(),
        201
    );
}

#[tokio::test]
async fn pool_bookings_pick_a_free_computer_and_spread_use() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let mut seen = Vec::new();
    for n in 0..3 {
        let who = app.staff("alpha", &format!("Worker {n}")).await;
        let res = app
            .book("alpha", &who, json!({"pool": "computers", "starts_at": sh(1, 15, 30), "ends_at": sh(1, 17, 0), "purpose": "visit notes"}))
            .await;
        let status = res.status();
        let text = res.text().await.unwrap();
        assert_eq!(status, 201, "{text}");
        let res: Value = serde_json::from_str(&text).unwrap();
        seen.push(res["resource_id"].as_i64().unwrap());
    }
    seen.sort();
    assert_eq!(seen, s.pcs, "each booking on a different computer");
    let fourth = app.staff("alpha", "Worker 4").await;
    let p = problem(
        app.book(
            "alpha",
            &fourth,
            json!({"pool": "computers", "starts_at": sh(1, 16, 0), "ends_at": sh(1, 16, 30), "purpose": "x"}),
        )
        .await,
        409,
    )
    .await;
    assert_eq!(p["conflicts"].as_array().unwrap().len(), 3);

    // Use is spread: with PC 1 and PC 2 busy earlier, a morning booking goes to PC 3.
    let early = app.staff("alpha", "Early").await;
    for (pc, from, to) in [
        (s.pcs[0], (9, 0), (9, 30)),
        (s.pcs[1], (9, 30), (10, 0)),
        (s.pcs[0], (10, 0), (10, 15)),
        (s.pcs[1], (10, 15), (10, 30)),
    ] {
        let res = app.book("alpha", &early, slot(pc, 2, from, to)).await;
        assert_eq!(res.status(), 201);
    }
    let res = app
        .book(
            "alpha",
            &fourth,
            json!({"pool": "computers", "starts_at": sh(2, 11, 0), "ends_at": sh(2, 12, 0), "purpose": "x"}),
        )
        .await;
    let b: Value = res.json().await.unwrap();
    assert_eq!(b["resource_id"], s.pcs[2]);
    problem(
        app.book(
            "alpha",
            &fourth,
            json!({"pool": "nonsense", "starts_at": sh(2, 11, 0), "ends_at": sh(2, 12, 0), "purpose": "x"}),
        )
        .await,
        422,
    )
    .await;
}

#[tokio::test]
async fn one_person_cannot_hold_two_seats_at_once() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    assert_eq!(
        app.book("alpha", &s.staff, slot(s.pcs[0], 1, (9, 0), (10, 0)))
            .await
            .status(),
        201
    );
    let p = problem(
        app.book("alpha", &s.staff, slot(s.pcs[1], 1, (9, 30), (10, 30)))
            .await,
        409,
    )
    .await;
    assert_eq!(p["conflicts"][0]["resource_id"], s.pcs[0]);
    // A room at the same time is fine (a meeting, not a seat).
    assert_eq!(
        app.book("alpha", &s.staff, slot(s.room, 1, (9, 0), (10, 0)))
            .await
            .status(),
        201
    );
}

#[tokio::test]
async fn weekly_series_all_or_nothing_skip_and_cancel() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let leader = app.member("alpha", "Teacher Xu", Roles::GROUP_LEADER, &[]).await;
    let res = app
        .post(
            "/api/v1/sites/alpha/groups",
            &json!({"name": "Calligraphy class", "leader_id": leader.id}),
            Some(&s.admin.token),
        )
        .await;
    assert_eq!(res.status(), 201);
    let group: Value = res.json().await.unwrap();

    // Someone already holds the third week.
    assert_eq!(
        app.book("alpha", &s.staff, slot(s.room, 14 + 2, (14, 0), (15, 0)))
            .await
            .status(),
        201
    );

    let mut body = slot(s.room, 2, (14, 0), (16, 0));
    body["group_id"] = group["id"].clone();
    body["recurrence"] = json!({"weekly": {"count": 4}});
    let p = problem(app.book("alpha", &leader, body.clone()).await, 409).await;
    let conflicts = p["conflicts"].as_array().unwrap();
    assert_eq!(conflicts.len(), 1);
    assert!(conflicts[0]["date"].is_string());
    // Nothing was booked.
    let list: Value = app
        .get(
            &format!(
                "/api/v1/sites/alpha/bookings?group_id={}&to={}",
                group["id"],
                crate::bookings::urlencode(&sh(60, 0, 0))
            ),
            Some(&leader.token),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 0);

    body["on_conflict"] = json!("skip");
    let res = app.book("alpha", &leader, body).await;
    assert_eq!(res.status(), 201);
    let created: Value = res.json().await.unwrap();
    assert_eq!(created["occurrences"].as_array().unwrap().len(), 3);
    assert_eq!(created["skipped"].as_array().unwrap().len(), 1);
    // Issue 20, 11: her confirmation lists the skipped date.
    let email = leader.email.clone();
    let mail: String = app
        .db
        .read(move |conn| {
            use diesel::prelude::*;
            use livingroom::db::schema::outbox;
            Ok(outbox::table
                .filter(outbox::kind.eq("booking_confirmed"))
                .filter(outbox::to_address.eq(email))
                .order(outbox::id.desc())
                .select(outbox::content)
                .first(conn)?)
        })
        .await
        .unwrap();
    assert!(mail.contains("跳过") || mail.contains("skipped"), "{mail}");
    let skipped_start =
        chrono::DateTime::parse_from_rfc3339(created["skipped"][0]["starts_at"].as_str().unwrap())
            .unwrap()
            .with_timezone(&chrono_tz::Asia::Shanghai);
    assert!(
        mail.contains(&skipped_start.format("%H:%M").to_string()),
        "{mail}"
    );
    let series = created["series_id"].as_i64().unwrap();
    let occurrences: Vec<i64> = created["occurrences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_i64().unwrap())
        .collect();

    // Cancel one occurrence, then edit the series: it stays cancelled.
    assert_eq!(
        app.delete(
            &format!("/api/v1/sites/alpha/bookings/{}", occurrences[1]),
            Some(&leader.token)
        )
        .await
        .status(),
        204
    );
    let res = app
        .patch(
            &format!("/api/v1/sites/alpha/booking-series/{series}"),
            &json!({"purpose": "Calligraphy (new term)"}),
            Some(&leader.token),
        )
        .await;
    assert_eq!(res.status(), 200);
    let v: Value = res.json().await.unwrap();
    let statuses: Vec<&str> = v["occurrences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["confirmed", "cancelled", "confirmed"]);
    assert_eq!(v["occurrences"][2]["purpose"], "Calligraphy (new term)");
    assert_eq!(v["occurrences"][1]["purpose"], "paperwork");

    // Cancel from a date on.
    let last_date = &v["occurrences"][2]["starts_at"].as_str().unwrap()[..10];
    let res = app
        .delete(
            &format!("/api/v1/sites/alpha/booking-series/{series}?from={last_date}"),
            Some(&leader.token),
        )
        .await;
    let cancelled: Value = res.json().await.unwrap();
    assert_eq!(cancelled["cancelled"], json!([occurrences[2]]));
    // Cancel the rest.
    let res = app
        .delete(
            &format!("/api/v1/sites/alpha/booking-series/{series}"),
            Some(&s.admin.token),
        )
        .await;
    let cancelled: Value = res.json().await.unwrap();
    assert_eq!(cancelled["cancelled"], json!([occurrences[0]]));

    // Someone who is not the leader cannot book for the group.
    let mut not_leader = slot(s.room, 3, (9, 0), (10, 0));
    not_leader["group_id"] = group["id"].clone();
    problem(app.book("alpha", &s.staff, not_leader).await, 403).await;
}

#[tokio::test]
async fn a_series_is_capped_and_a_missing_local_time_is_refused() {
    let app = spawn_app().await;
    let op = app.operator().await;
    let res = app
        .post(
            "/api/v1/sites",
            &json!({"name": "Berlin", "slug": "berlin", "timezone": "Europe/Berlin"}),
            Some(&op.token),
        )
        .await;
    assert_eq!(res.status(), 201);
    let admin = app.admin("berlin").await;
    let room = app
        .resource(
            "berlin",
            &admin,
            json!({"name": "Room", "kind": "room", "rules": {"min_notice_minutes": 0}}),
        )
        .await;
    // 02:30 on Sundays: one Sunday in the coming year has no 02:30.
    let berlin: chrono_tz::Tz = "Europe/Berlin".parse().unwrap();
    let today = chrono::Utc::now().with_timezone(&berlin).date_naive();
    let to_sunday = 7 - i64::from(chrono::Datelike::weekday(&today).num_days_from_sunday());
    let mut body = json!({"resource_id": room, "starts_at": crate::helpers::local_at("Europe/Berlin", to_sunday, 2, 30),
                          "ends_at": crate::helpers::local_at("Europe/Berlin", to_sunday, 3, 30), "purpose": "night class",
                          "recurrence": {"weekly": {"count": 52}}});
    let p = problem(app.book("berlin", &admin, body.clone()).await, 422).await;
    assert!(p["detail"].as_str().unwrap().contains("does not exist"), "{p}");
    body["recurrence"] = json!({"weekly": {"count": 53}});
    let p = problem(app.book("berlin", &admin, body).await, 422).await;
    assert_eq!(p["errors"][0]["field"], "recurrence.weekly.count");
}

#[tokio::test]
async fn approval_holds_the_slot_until_decided() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let res = app
        .patch(
            &format!("/api/v1/sites/alpha/resources/{}", s.room),
            &json!({"rules": {"requires_approval": true}}),
            Some(&s.admin.token),
        )
        .await;
    assert_eq!(res.status(), 200);
    let res = app
        .book("alpha", &s.staff, slot(s.room, 2, (9, 0), (10, 0)))
        .await;
    let b: Value = res.json().await.unwrap();
    assert_eq!(b["status"], "pending");
    // Issue 20, 10: the requester is told it waits, and the admin that a
    // request waits for them.
    let (staff_id, admin_id) = (s.staff.id, s.admin.id);
    let told: Vec<(String, Option<i64>)> = app
        .db
        .read(|conn| {
            use diesel::prelude::*;
            use livingroom::db::schema::outbox;
            Ok(outbox::table
                .filter(outbox::kind.eq_any(["booking_pending", "approval_requested"]))
                .order(outbox::id)
                .select((outbox::kind, outbox::user_id))
                .load(conn)?)
        })
        .await
        .unwrap();
    assert_eq!(
        told,
        [
            ("booking_pending".to_owned(), Some(staff_id)),
            ("approval_requested".to_owned(), Some(admin_id))
        ]
    );
    let other = app.staff("alpha", "Li Na").await;
    problem(
        app.book("alpha", &other, slot(s.room, 2, (9, 0), (10, 0))).await,
        409,
    )
    .await;
    // Staff cannot approve; the admin can, once.
    problem(
        app.post(
            &format!("/api/v1/sites/alpha/bookings/{}/approve", b["id"]),
            &json!({}),
            Some(&other.token),
        )
        .await,
        403,
    )
    .await;
    let res = app
        .post(
            &format!("/api/v1/sites/alpha/bookings/{}/approve", b["id"]),
            &json!({}),
            Some(&s.admin.token),
        )
        .await;
    let approved: Value = res.json().await.unwrap();
    assert_eq!(approved["status"], "confirmed");
    problem(
        app.post(
            &format!("/api/v1/sites/alpha/bookings/{}/reject", b["id"]),
            &json!({}),
            Some(&s.admin.token),
        )
        .await,
        409,
    )
    .await;
    // A rejected booking frees its slot.
    let res = app.book("alpha", &other, slot(s.room, 2, (11, 0), (12, 0))).await;
    let b2: Value = res.json().await.unwrap();
    let res = app
        .post(
            &format!("/api/v1/sites/alpha/bookings/{}/reject", b2["id"]),
            &json!({}),
            Some(&s.admin.token),
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        app.book("alpha", &s.staff, slot(s.room, 2, (11, 0), (12, 0)))
            .await
            .status(),
        201
    );
}

#[tokio::test]
async fn cancel_is_for_owner_or_admin_and_frees_the_slot() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let res = app
        .book("alpha", &s.staff, slot(s.pcs[0], 1, (9, 0), (10, 0)))
        .await;
    let b: Value = res.json().await.unwrap();
    let other = app.staff("alpha", "Li Na").await;
    problem(
        app.delete(
            &format!("/api/v1/sites/alpha/bookings/{}", b["id"]),
            Some(&other.token),
        )
        .await,
        403,
    )
    .await;
    assert_eq!(
        app.delete(
            &format!("/api/v1/sites/alpha/bookings/{}", b["id"]),
            Some(&s.staff.token)
        )
        .await
        .status(),
        204
    );
    problem(
        app.delete(
            &format!("/api/v1/sites/alpha/bookings/{}", b["id"]),
            Some(&s.admin.token),
        )
        .await,
        409,
    )
    .await;
    assert_eq!(
        app.book("alpha", &other, slot(s.pcs[0], 1, (9, 0), (10, 0)))
            .await
            .status(),
        201
    );
}

#[tokio::test]
async fn check_in_opens_ten_minutes_before_and_no_shows_are_released() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let res = app
        .book("alpha", &s.staff, slot(s.pcs[0], 1, (9, 0), (10, 0)))
        .await;
    let b: Value = res.json().await.unwrap();
    let p = problem(
        app.post(
            &format!("/api/v1/sites/alpha/bookings/{}/check-in", b["id"]),
            &json!({}),
            Some(&s.staff.token),
        )
        .await,
        409,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("10 minutes"));

    // A booking that started 20 minutes ago and was never claimed...
    let pc = s.pcs[1];
    let owner = s.staff.id;
    let started = chrono::Utc::now() - chrono::Duration::minutes(20);
    let ghost = app
        .db
        .write(move |conn| {
            let ends = started + chrono::Duration::hours(1);
            let site = livingroom::store::sites::by_slug(conn, "alpha")?.unwrap();
            let b = livingroom::store::bookings::insert(
                conn,
                &livingroom::store::bookings::NewBooking {
                    site_id: site.id,
                    resource_id: pc,
                    owner_id: owner,
                    group_id: None,
                    series_id: None,
                    slot: livingroom::domain::interval::Interval::of(started, ends),
                    busy_until: ends.naive_utc(),
                    status: livingroom::domain::booking::BookingStatus::Confirmed,
                    urgency: livingroom::domain::booking::Urgency::Routine,
                    reason: None,
                    purpose: "forgotten".into(),
                    headcount: None,
                    flexible: false,
                },
                livingroom::clock::now_naive(),
            )?;
            Ok(b.id)
        })
        .await
        .unwrap();
    // ...shows as free, and a colleague can take the computer now.
    let now_slot: Value = app
        .get(
            &format!("/api/v1/sites/alpha/availability?resource_id={pc}&duration_minutes=30"),
            Some(&s.staff.token),
        )
        .await
        .json()
        .await
        .unwrap();
    let first = &now_slot["slots"][0];
    let other = app.staff("alpha", "Li Na").await;
    let res = app
        .book("alpha", &other, json!({"resource_id": pc, "starts_at": first["starts_at"], "ends_at": (chrono::DateTime::parse_from_rfc3339(first["starts_at"].as_str().unwrap()).unwrap() + chrono::Duration::minutes(30)).to_rfc3339(), "purpose": "now"}))
        .await;
    assert_eq!(res.status(), 201);
    let res = app
        .get(
            &format!("/api/v1/sites/alpha/bookings/{ghost}"),
            Some(&s.staff.token),
        )
        .await;
    let ghost: Value = res.json().await.unwrap();
    assert_eq!(ghost["status"], "released");
    // The new one can be checked in at once.
    let mine: Value = app
        .get("/api/v1/sites/alpha/bookings?mine=true", Some(&other.token))
        .await
        .json()
        .await
        .unwrap();
    let id = mine["items"][0]["id"].clone();
    let res = app
        .post(
            &format!("/api/v1/sites/alpha/bookings/{id}/check-in"),
            &json!({}),
            Some(&other.token),
        )
        .await;
    let status = res.status();
    let v: Value = res.json().await.unwrap();
    assert_eq!(status, 200, "{v} {mine}");
    assert!(v["checked_in_at"].is_string());
}

#[tokio::test]
async fn the_next_free_computer_for_45_minutes_after_half_past_three() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    // PC 1 busy 15:30-16:30, PC 2 busy 15:30-17:00, PC 3 busy 15:00-16:00.
    let who: Vec<Person> = vec![
        app.staff("alpha", "A").await,
        app.staff("alpha", "B").await,
        app.staff("alpha", "C").await,
    ];
    app.book("alpha", &who[0], slot(s.pcs[0], 1, (15, 30), (16, 30)))
        .await;
    app.book("alpha", &who[1], slot(s.pcs[1], 1, (15, 30), (17, 0)))
        .await;
    app.book("alpha", &who[2], slot(s.pcs[2], 1, (15, 0), (16, 0)))
        .await;
    let url = format!(
        "/api/v1/sites/alpha/availability?pool=computers&from={}&to={}&duration_minutes=45",
        crate::bookings::urlencode(&sh(1, 15, 30)),
        crate::bookings::urlencode(&sh(1, 21, 0))
    );
    let res = app.get(&url, Some(&s.staff.token)).await;
    assert_eq!(res.status(), 200);
    let v: Value = res.json().await.unwrap();
    let first = &v["slots"][0];
    assert_eq!(first["resource_id"], s.pcs[2]);
    assert_eq!(
        chrono::DateTime::parse_from_rfc3339(first["starts_at"].as_str().unwrap()).unwrap(),
        chrono::DateTime::parse_from_rfc3339(&sh(1, 16, 0)).unwrap()
    );
    // Bad queries are 422.
    problem(
        app.get(
            "/api/v1/sites/alpha/availability?duration_minutes=45",
            Some(&s.staff.token),
        )
        .await,
        422,
    )
    .await;
    problem(
        app.get(
            "/api/v1/sites/alpha/availability?pool=computers&duration_minutes=0",
            Some(&s.staff.token),
        )
        .await,
        422,
    )
    .await;
    let too_long = format!(
        "/api/v1/sites/alpha/availability?pool=computers&from={}&to={}",
        crate::bookings::urlencode(&sh(1, 0, 0)),
        crate::bookings::urlencode(&sh(400, 0, 0))
    );
    problem(app.get(&too_long, Some(&s.staff.token)).await, 422).await;
}

#[tokio::test]
async fn idempotency_keys_replay_the_first_answer() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let body = slot(s.pcs[0], 1, (9, 0), (10, 0));
    let send = |body: Value| {
        app.client
            .post(app.url("/api/v1/sites/alpha/bookings"))
            .bearer_auth(&s.staff.token)
            .header("Idempotency-Key", "retry-42")
            .json(&body)
            .send()
    };
    let first = send(body.clone()).await.unwrap();
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    let second = send(body.clone()).await.unwrap();
    assert_eq!(second.status(), 201);
    assert_eq!(second.headers()["idempotent-replayed"], "true");
    let second: Value = second.json().await.unwrap();
    assert_eq!(first, second);
    let mut other = body.clone();
    other["purpose"] = json!("something else");
    let p = problem(send(other).await.unwrap(), 422).await;
    assert_eq!(p["errors"][0]["field"], "Idempotency-Key");
    let list: Value = app
        .get("/api/v1/sites/alpha/bookings?mine=true", Some(&s.staff.token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn listing_is_paginated_and_filtered() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    for h in 8..14 {
        let res = app
            .book("alpha", &s.staff, slot(s.room, 1, (h, 0), (h + 1, 0)))
            .await;
        assert_eq!(res.status(), 201);
    }
    let mut seen = Vec::new();
    let mut url = "/api/v1/sites/alpha/bookings?limit=4".to_owned();
    loop {
        let page: Value = app.get(&url, Some(&s.staff.token)).await.json().await.unwrap();
        for item in page["items"].as_array().unwrap() {
            seen.push(item["starts_at"].as_str().unwrap().to_owned());
            assert_eq!(item["resource_name"], "Multi-function room");
        }
        match page["next"].as_str() {
            Some(next) => url = format!("/api/v1/sites/alpha/bookings?limit=4&after={next}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), 6);
    let mut sorted = seen.clone();
    sorted.sort();
    assert_eq!(seen, sorted);
    problem(
        app.get("/api/v1/sites/alpha/bookings?limit=101", Some(&s.staff.token))
            .await,
        422,
    )
    .await;
    problem(
        app.get("/api/v1/sites/alpha/bookings?after=garbage", Some(&s.staff.token))
            .await,
        422,
    )
    .await;
    problem(
        app.get(
            "/api/v1/sites/alpha/bookings?from=yesterday",
            Some(&s.staff.token),
        )
        .await,
        422,
    )
    .await;
}

#[tokio::test]
async fn another_sites_admin_sees_none_of_it() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let res = app
        .book("alpha", &s.staff, slot(s.room, 2, (9, 0), (10, 0)))
        .await;
    let b: Value = res.json().await.unwrap();
    app.site("beta").await;
    let other = app.admin("beta").await;
    let t = Some(other.token.as_str());
    for path in [
        format!("/api/v1/sites/alpha/resources/{}", s.room),
        format!("/api/v1/sites/alpha/bookings/{}", b["id"]),
        "/api/v1/sites/alpha/bookings".to_owned(),
        format!("/api/v1/sites/alpha/availability?resource_id={}", s.room),
        "/api/v1/sites/alpha/groups".to_owned(),
        // Site B's URL with site A's ids: not found either.
        format!("/api/v1/sites/beta/resources/{}", s.room),
        format!("/api/v1/sites/beta/bookings/{}", b["id"]),
    ] {
        problem(app.get(&path, t).await, 404).await;
    }
    problem(
        app.delete(&format!("/api/v1/sites/beta/bookings/{}", b["id"]), t)
            .await,
        404,
    )
    .await;
    problem(
        app.book("beta", &other, slot(s.room, 3, (9, 0), (10, 0))).await,
        404,
    )
    .await;
}

/// Ending a series is cancelling its bookings: the same use case as
/// cancelling one, so a request waiting for one of its dates is served and
/// the owner is told (issue 18: it ended them silently, without the site
/// lock and without serving the waitlist).
#[tokio::test]
async fn cancelling_a_series_serves_the_waitlist_and_tells_its_owner() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let leader = app.staff("alpha", "Calligraphy teacher").await;
    let mut body = slot(s.room, 2, (14, 0), (16, 0));
    body["recurrence"] = json!({"weekly": {"count": 3}});
    let res = app.book("alpha", &leader, body).await;
    assert_eq!(res.status(), 201);
    let created: Value = res.json().await.unwrap();
    let series = created["series_id"].as_i64().unwrap();
    let second = created["occurrences"][1]["id"].as_i64().unwrap();

    // Someone waits for the second date.
    let mut wait = slot(s.room, 9, (14, 0), (16, 0));
    wait["on_conflict"] = json!("waitlist");
    let res = app.book("alpha", &s.staff, wait).await;
    assert_eq!(res.status(), 202);
    let entry: Value = res.json().await.unwrap();

    let res = app
        .delete(
            &format!("/api/v1/sites/alpha/booking-series/{series}"),
            Some(&leader.token),
        )
        .await;
    assert_eq!(res.status(), 200);
    let cancelled: Value = res.json().await.unwrap();
    assert_eq!(cancelled["cancelled"].as_array().unwrap().len(), 3);
    assert!(
        cancelled["cancelled"]
            .as_array()
            .unwrap()
            .contains(&json!(second))
    );

    // The waiting request got the date, in the same transaction.
    let served: Value = app
        .get("/api/v1/sites/alpha/waitlist?status=served", Some(&s.staff.token))
        .await
        .json()
        .await
        .unwrap();
    let items = served["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{served}");
    assert_eq!(items[0]["id"], entry["id"]);

    // The owner was told of each cancelled date.
    let told: i64 = app
        .db
        .read(move |conn| {
            use diesel::prelude::*;
            use livingroom::db::schema::outbox;
            Ok(outbox::table
                .filter(outbox::kind.eq("booking_cancelled"))
                .filter(outbox::user_id.eq(leader.id))
                .count()
                .get_result(conn)?)
        })
        .await
        .unwrap();
    assert!(told >= 1, "the series' owner was not told");
}

/// Issue 20, 13: a series every other week (the advisers alternate):
/// occurrences two weeks apart, the weeks between left free, and a bad
/// interval named.
#[tokio::test]
async fn a_series_may_repeat_every_other_week() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let mut body = slot(s.room, 2, (14, 0), (16, 0));
    body["recurrence"] = json!({"weekly": {"count": 3, "every": 2}});
    let res = app.book("alpha", &s.staff, body.clone()).await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let created: Value = res.json().await.unwrap();
    let starts: Vec<chrono::DateTime<chrono::FixedOffset>> = created["occurrences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| chrono::DateTime::parse_from_rfc3339(o["starts_at"].as_str().unwrap()).unwrap())
        .collect();
    assert_eq!(starts.len(), 3);
    for pair in starts.windows(2) {
        assert_eq!(pair[1] - pair[0], chrono::Duration::weeks(2));
    }
    // The week between is free.
    assert_eq!(
        app.book("alpha", &s.staff, slot(s.room, 2 + 7, (14, 0), (16, 0)))
            .await
            .status(),
        201
    );
    body["recurrence"] = json!({"weekly": {"count": 3, "every": 5}});
    let p = problem(app.book("alpha", &s.staff, body).await, 422).await;
    assert_eq!(p["errors"][0]["field"], "recurrence.weekly.every", "{p}");
}
