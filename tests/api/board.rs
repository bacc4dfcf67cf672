//! The wall board: what is on, readable from across the room, and nothing
//! private on it.

use chrono::Datelike;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};
use livingroom::domain::person::Roles;

fn today() -> chrono::NaiveDate {
    let tz: chrono_tz::Tz = "Asia/Shanghai".parse().unwrap();
    chrono::Utc::now().with_timezone(&tz).date_naive()
}

fn weekday() -> &'static str {
    ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][today().weekday().num_days_from_monday() as usize]
}

/// A site with a desk shift now, a group's room booking, a private booking
/// and a volunteer duty, all today.
async fn seeded(app: &TestApp) {
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    let desk_person = app.staff("alpha", "值班员 Desk Person").await;
    let _ = desk_person;
    app.resource(
        "alpha",
        &admin,
        json!({"name": "Reception A", "kind": "desk", "pool": "reception"}),
    )
    .await;
    app.resource("alpha", &admin, json!({"name": "共享电脑 1", "kind": "computer"}))
        .await;
    let room = app
        .resource(
            "alpha",
            &admin,
            json!({"name": "旗袍室 Qipao room", "kind": "room", "rules": {"min_notice_minutes": 0}}),
        )
        .await;
    let t = Some(admin.token.as_str());
    let d = today();
    app.client
        .put(app.url("/api/v1/sites/alpha/calendar"))
        .bearer_auth(&admin.token)
        .json(&json!({"workdays": [d]}))
        .send()
        .await
        .unwrap();
    app.client
        .put(app.url("/api/v1/sites/alpha/rota/templates"))
        .bearer_auth(&admin.token)
        .json(&json!([{"weekday": weekday(), "start": "00:00", "end": "24:00", "positions": 1, "label": "首问接待", "desk_pool": "reception"}]))
        .send()
        .await
        .unwrap();
    let draft: Value = app
        .post(
            "/api/v1/sites/alpha/rota/generate",
            &json!({"from": d, "to": d}),
            t,
        )
        .await
        .json()
        .await
        .unwrap();
    let shift = draft["shifts"][0]["id"].clone();
    app.client
        .put(app.url(&format!("/api/v1/sites/alpha/rota/shifts/{shift}")))
        .bearer_auth(&admin.token)
        .json(&json!({"assignees": [desk_person.id]}))
        .send()
        .await
        .unwrap();
    let res = app
        .post(
            "/api/v1/sites/alpha/rota/publish",
            &json!({"from": d, "to": d}),
            t,
        )
        .await;
    assert_eq!(res.status(), 200);

    let leader = app.member("alpha", "Auntie Lin", Roles::GROUP_LEADER, &[]).await;
    let group: Value = app
        .post(
            "/api/v1/sites/alpha/groups",
            &json!({"name": "旗袍班 Qipao class", "leader_id": leader.id}),
            t,
        )
        .await
        .json()
        .await
        .unwrap();
    // The slot under way now (bookable without notice), and the one after.
    let now = chrono::Utc::now();
    let start = now
        - chrono::Duration::minutes(i64::from(chrono::Timelike::minute(&now) % 30))
        - chrono::Duration::seconds(i64::from(chrono::Timelike::second(&now)))
        - chrono::Duration::nanoseconds(i64::from(chrono::Timelike::nanosecond(&now)));
    let half = chrono::Duration::minutes(30);
    let res = app
        .book("alpha", &leader, json!({"resource_id": room, "starts_at": start.to_rfc3339(), "ends_at": (start + half).to_rfc3339(),
                                        "purpose": "rehearsal", "group_id": group["id"]}))
        .await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let res = app
        .book("alpha", &admin, json!({"resource_id": room, "starts_at": (start + half).to_rfc3339(), "ends_at": (start + half * 2).to_rfc3339(),
                                       "purpose": "secret family mediation"}))
        .await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let res = app
        .post(
            "/api/v1/sites/alpha/duties",
            &json!({"name": "量血压 Blood pressure", "weekday": weekday(), "start": "00:00", "end": "24:00", "capacity": 2}),
            t,
        )
        .await;
    let duty: Value = res.json().await.unwrap();
    let volunteer = app.member("alpha", "陈梅 Chen Mei", Roles::VOLUNTEER, &[]).await;
    let res = app
        .post(
            &format!("/api/v1/sites/alpha/duties/{}/signups", duty["id"]),
            &json!({"scope": "weekly"}),
            Some(&volunteer.token),
        )
        .await;
    assert_eq!(res.status(), 201);
}

#[tokio::test]
async fn the_board_shows_what_is_on_and_nothing_private() {
    let app = spawn_app().await;
    seeded(&app).await;
    let res = app.get("/board/alpha", None).await;
    assert_eq!(res.status(), 200);
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("default-src 'none'"));
    let html = res.text().await.unwrap();
    assert!(html.len() < 100 * 1024, "{} bytes", html.len());
    for expected in [
        "值班员 Desk Person",
        "旗袍班 Qipao class",
        "量血压 Blood pressure",
        "陈梅 Chen Mei",
        "共享电脑 1",
        "前台值班",
    ] {
        assert!(html.contains(expected), "{expected} missing");
    }
    for private in ["@test.example", "secret family mediation", "rehearsal", "phone"] {
        assert!(!html.contains(private), "{private} must not be on the board");
    }
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "nothing from other hosts"
    );

    let en = app.get("/board/alpha?lang=en", None).await.text().await.unwrap();
    assert!(en.contains("Front desk") && en.contains("lang=\"en\""));

    let week = app.get("/board/alpha/week", None).await;
    assert_eq!(week.status(), 200);
    let week = week.text().await.unwrap();
    assert!(
        week.contains("<table") && week.contains("值班员 Desk Person") && week.contains("旗袍班 Qipao class")
    );
    assert!(!week.contains("secret family mediation"));

    assert_eq!(app.get("/board/nowhere", None).await.status(), 404);
    let css = app.get("/board/assets/board.css", None).await;
    assert_eq!(css.status(), 200);
    assert!(css.text().await.unwrap().contains("font-size: max(28px, 1.45vw)"));
    assert_eq!(app.get("/board/assets/board.js", None).await.status(), 200);
}

#[tokio::test]
async fn the_printable_week_takes_a_week_sorts_each_day_and_needs_no_emoji_font() {
    let app = spawn_app().await;
    seeded(&app).await;
    let admin = app.admin("alpha").await;
    let room = app
        .resource(
            "alpha",
            &admin,
            json!({"name": "书法室 Calligraphy room", "kind": "room", "rules": {"min_notice_minutes": 0}}),
        )
        .await;
    let leader = app.member("alpha", "Teacher Xu", Roles::GROUP_LEADER, &[]).await;
    let group: Value = app
        .post(
            "/api/v1/sites/alpha/groups",
            &json!({"name": "书法班 Calligraphy class", "leader_id": leader.id}),
            Some(&admin.token),
        )
        .await
        .json()
        .await
        .unwrap();
    // Next week, Wednesday: the evening class booked before the morning one.
    let tz: chrono_tz::Tz = "Asia/Shanghai".parse().unwrap();
    let next_monday =
        today() + chrono::Duration::days(7 - i64::from(today().weekday().num_days_from_monday()));
    let wednesday = next_monday + chrono::Duration::days(2);
    let at = |h: u32| {
        wednesday
            .and_hms_opt(h, 0, 0)
            .unwrap()
            .and_local_timezone(tz)
            .unwrap()
            .to_rfc3339()
    };
    for (from, to) in [(19, 20), (9, 10)] {
        let res = app
            .book(
                "alpha",
                &leader,
                json!({"resource_id": room, "starts_at": at(from), "ends_at": at(to), "purpose": "class", "group_id": group["id"]}),
            )
            .await;
        assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    }
    let iso = format!(
        "{}-W{:02}",
        wednesday.iso_week().year(),
        wednesday.iso_week().week()
    );
    for asked in [iso, wednesday.to_string()] {
        let res = app.get(&format!("/board/alpha/week?week={asked}"), None).await;
        assert_eq!(res.status(), 200, "{asked}");
        let html = res.text().await.unwrap();
        assert!(
            html.contains(&next_monday.to_string()),
            "the asked week is shown ({asked})"
        );
        let morning = html.find("09:00–10:00").expect("the morning class");
        let evening = html.find("19:00–20:00").expect("the evening class");
        assert!(morning < evening, "each day in time order");
        assert!(html.contains("?week="), "links to the weeks before and after");
        assert!(
            html.chars().all(|c| (c as u32) < 0x1F000) && !html.contains("&#128"),
            "no glyph that needs an emoji font"
        );
    }
    // A duty date nobody signed up for says so, as on the board.
    let res = app
        .post(
            "/api/v1/sites/alpha/duties",
            &json!({"name": "读报 Reading", "weekday": "wed", "start": "09:00", "end": "10:00", "capacity": 1}),
            Some(&admin.token),
        )
        .await;
    assert_eq!(res.status(), 201);
    let html = app
        .get(&format!("/board/alpha/week?week={wednesday}"), None)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("读报 Reading: 缺人"),
        "an empty duty date needs a volunteer"
    );
    // This week by default; a week it cannot read is a 400 that says how.
    let this_week = app.get("/board/alpha/week", None).await.text().await.unwrap();
    assert!(!this_week.contains("09:00–10:00 书法班"));
    let bad = app.get("/board/alpha/week?week=next", None).await;
    assert_eq!(bad.status(), 400);
    assert!(bad.text().await.unwrap().contains("2026-W49"));
    // A week far outside the window is refused the same way, not computed.
    for far in ["9999-W01", "262142-W52", "1999-12-27"] {
        let res = app.get(&format!("/board/alpha/week?week={far}"), None).await;
        assert_eq!(res.status(), 400, "{far}");
    }
}

#[tokio::test]
async fn a_computer_booked_but_not_checked_in_is_booked_not_in_use() {
    let app = spawn_app().await;
    seeded(&app).await;
    let staff = app.staff("alpha", "Li Na").await;
    let now = chrono::Utc::now();
    let tz: chrono_tz::Tz = "Asia/Shanghai".parse().unwrap();
    let start = livingroom::domain::local_time::floor_to_slot(tz, now, 15);
    let res = app
        .book(
            "alpha",
            &staff,
            json!({"pool": null, "resource_id": computer_id(&app).await, "starts_at": start.to_rfc3339(),
                   "ends_at": (start + chrono::Duration::minutes(30)).to_rfc3339(), "purpose": "notes"}),
        )
        .await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let booking: Value = res.json().await.unwrap();
    let html = app.get("/board/alpha", None).await.text().await.unwrap();
    assert!(html.contains("已预约，至"), "booked, not yet in use");
    assert!(!html.contains("使用中"));
    let id = booking["id"]
        .as_i64()
        .or(booking["bookings"][0]["id"].as_i64())
        .unwrap();
    let res = app
        .post(
            &format!("/api/v1/sites/alpha/bookings/{id}/check-in"),
            &json!({}),
            Some(&staff.token),
        )
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let html = app.get("/board/alpha", None).await.text().await.unwrap();
    assert!(html.contains("使用中，至"), "checked in: in use");
}

async fn computer_id(app: &TestApp) -> i64 {
    let admin = app.admin("alpha").await;
    let list: Value = app
        .get("/api/v1/sites/alpha/resources?kind=computer", Some(&admin.token))
        .await
        .json()
        .await
        .unwrap();
    list["items"][0]["id"].as_i64().unwrap()
}

#[tokio::test]
async fn the_next_desk_shift_tomorrow_says_tomorrow() {
    let app = spawn_app().await;
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    let person = app.staff("alpha", "明日值班 Tomorrow Person").await;
    app.resource(
        "alpha",
        &admin,
        json!({"name": "Reception A", "kind": "desk", "pool": "reception"}),
    )
    .await;
    let tomorrow = today() + chrono::Duration::days(1);
    let day =
        ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][tomorrow.weekday().num_days_from_monday() as usize];
    app.client
        .put(app.url("/api/v1/sites/alpha/calendar"))
        .bearer_auth(&admin.token)
        .json(&json!({"workdays": [tomorrow]}))
        .send()
        .await
        .unwrap();
    app.client
        .put(app.url("/api/v1/sites/alpha/rota/templates"))
        .bearer_auth(&admin.token)
        .json(&json!([{"weekday": day, "start": "09:00", "end": "12:00", "positions": 1, "label": "首问接待", "desk_pool": "reception"}]))
        .send()
        .await
        .unwrap();
    let t = Some(admin.token.as_str());
    let draft: Value = app
        .post(
            "/api/v1/sites/alpha/rota/generate",
            &json!({"from": tomorrow, "to": tomorrow}),
            t,
        )
        .await
        .json()
        .await
        .unwrap();
    let shift = draft["shifts"][0]["id"].clone();
    app.client
        .put(app.url(&format!("/api/v1/sites/alpha/rota/shifts/{shift}")))
        .bearer_auth(&admin.token)
        .json(&json!({"assignees": [person.id]}))
        .send()
        .await
        .unwrap();
    let res = app
        .post(
            "/api/v1/sites/alpha/rota/publish",
            &json!({"from": tomorrow, "to": tomorrow}),
            t,
        )
        .await;
    assert_eq!(res.status(), 200);
    let html = app.get("/board/alpha", None).await.text().await.unwrap();
    assert!(html.contains("明天 <span class=\"time\">09:00"), "{html}");
}
