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
    assert!(css.text().await.unwrap().contains("font-size: 28px"));
    assert_eq!(app.get("/board/assets/board.js", None).await.status(), 200);
}
