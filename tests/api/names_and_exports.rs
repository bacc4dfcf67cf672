//! Issue 19, 14: names cannot hide characters, a person's posted day is
//! for the site's members, and CSV cells a spreadsheet could take for a
//! formula are defused, in the forms spreadsheets actually accept.

use serde_json::{Value, json};

use crate::helpers::{problem, sh, spawn_app};
use livingroom::domain::person::Roles;

#[tokio::test]
async fn display_names_refuse_invisible_and_direction_characters() {
    let app = spawn_app().await;
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    for (i, name) in [
        "Chen\u{202E}ieM",
        "陈\u{200B}梅",
        "\u{FEFF}Admin",
        "Li\u{2066}Na\u{2069}",
        "Zhao\u{200D}",
    ]
    .iter()
    .enumerate()
    {
        let body = json!({"email": format!("n{i}@test.example"), "name": name, "roles": ["volunteer"]});
        let p = problem(
            app.post("/api/v1/sites/alpha/members", &body, Some(&admin.token))
                .await,
            422,
        )
        .await;
        assert_eq!(p["errors"][0]["field"], "name", "{name:?}: {p}");
    }
    let body = json!({"email": "ok@test.example", "name": "陈梅 Chen Mei", "roles": ["volunteer"]});
    assert_eq!(
        app.post("/api/v1/sites/alpha/members", &body, Some(&admin.token))
            .await
            .status(),
        201
    );
}

#[tokio::test]
async fn a_posted_day_is_for_the_sites_members() {
    let app = spawn_app().await;
    app.site("alpha").await;
    app.site("beta").await;
    let staff = app.staff("alpha", "Li Na").await;
    let volunteer = app.quick_member("alpha", Roles::VOLUNTEER).await;
    let outsider = app.admin("beta").await;
    let path = format!("/api/v1/sites/alpha/people/{}/schedule", staff.id);
    problem(app.get(&path, None).await, 401).await;
    problem(app.get(&path, Some(&outsider.token)).await, 404).await;
    let day: Value = {
        let res = app.get(&path, Some(&volunteer.token)).await;
        assert_eq!(res.status(), 200);
        res.json().await.unwrap()
    };
    assert_eq!(day["name"], "Li Na");
}

#[tokio::test]
async fn csv_cells_are_defused_in_every_form_a_spreadsheet_reads() {
    let app = spawn_app().await;
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    let pc = app
        .resource("alpha", &admin, json!({"name": "PC", "kind": "computer"}))
        .await;
    let qian = app.staff("alpha", "Qian Kai").await;
    let reasons = [
        "\u{FF1D}HYPERLINK(\"http://evil\")",
        "\u{FEFF}=1+1",
        "note;=cmd|' /C calc'!A0",
    ];
    // A Monday a week or two ahead: urgent claims count per week.
    let day = 7
        + (1 - i64::from(chrono::Datelike::weekday(&chrono::Utc::now().date_naive()).num_days_from_monday()))
            .rem_euclid(7);
    for (hour, reason) in [9u32, 11, 13].into_iter().zip(reasons) {
        let body = json!({"resource_id": pc, "starts_at": sh(day, hour, 0), "ends_at": sh(day, hour + 1, 0),
                          "purpose": "x", "urgency": "urgent", "reason": reason});
        assert_eq!(app.book("alpha", &qian, body).await.status(), 201, "{reason}");
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
    let csv = res.text().await.unwrap();
    assert!(
        csv.contains(",'\u{FF1D}HYPERLINK") || csv.contains(",\"'\u{FF1D}HYPERLINK"),
        "{csv}"
    );
    assert!(csv.contains("'\u{FEFF}=1+1"), "{csv}");
    assert!(csv.contains("note;'=cmd"), "{csv}");
    assert!(!csv.contains(";=cmd"), "{csv}");
}
