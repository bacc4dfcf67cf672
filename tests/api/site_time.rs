//! Instants as a site's people read them (issue 20, 15): the JSON API and
//! the CSV exports give them with the site's offset (RFC 3339, `+08:00`
//! at an Asia/Shanghai site), where they gave UTC (`Z`).

use serde_json::{Value, json};

use crate::helpers::{sh, spawn_app};

fn offset_of(v: &Value) -> &str {
    let s = v.as_str().unwrap_or_else(|| panic!("an instant: {v}"));
    chrono::DateTime::parse_from_rfc3339(s).unwrap_or_else(|e| panic!("{s}: {e}"));
    &s[s.len() - 6..]
}

#[tokio::test]
async fn a_sites_instants_carry_its_offset_in_json_and_csv() {
    let app = spawn_app().await;
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    let staff = app.staff("alpha", "Qian Kai").await;
    let pc = app
        .resource(
            "alpha",
            &admin,
            json!({"name": "PC 1", "kind": "computer", "pool": "computers"}),
        )
        .await;
    let body = json!({"resource_id": pc, "starts_at": sh(1, 9, 0), "ends_at": sh(1, 10, 0),
                      "purpose": "paperwork", "urgency": "urgent", "reason": "a pension deadline"});
    let res = app.book("alpha", &staff, body).await;
    assert_eq!(res.status(), 201);
    let made: Value = res.json().await.unwrap();
    let booking = &made;
    // The same wall time the request gave, with the site's offset.
    assert_eq!(booking["starts_at"], sh(1, 9, 0));
    assert_eq!(offset_of(&booking["ends_at"]), "+08:00");
    assert_eq!(offset_of(&booking["created_at"]), "+08:00");

    let id = booking["id"].as_i64().unwrap();
    let one: Value = app
        .get(&format!("/api/v1/sites/alpha/bookings/{id}"), Some(&staff.token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(one["starts_at"], sh(1, 9, 0));
    let list: Value = app
        .get("/api/v1/sites/alpha/bookings?mine=true", Some(&staff.token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"][0]["starts_at"], sh(1, 9, 0));

    // What is in the way of another request reads the same way.
    let other = app.staff("alpha", "Li Na").await;
    let clash =
        json!({"resource_id": pc, "starts_at": sh(1, 9, 30), "ends_at": sh(1, 10, 30), "purpose": "x"});
    let p = crate::helpers::problem(app.book("alpha", &other, clash).await, 409).await;
    assert_eq!(p["conflicts"][0]["starts_at"], sh(1, 9, 0));

    // The audit trail, as JSON and as the CSV the quarterly check opens.
    let audit: Value = app
        .get("/api/v1/sites/alpha/audit", Some(&admin.token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(offset_of(&audit["items"][0]["at"]), "+08:00");
    let csv = app
        .client
        .get(app.url("/api/v1/sites/alpha/audit"))
        .bearer_auth(&admin.token)
        .header("accept", "text/csv")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let row: Vec<&str> = csv.lines().nth(1).expect("one entry").split(',').collect();
    assert!(row[1].ends_with("+08:00"), "{csv}");
    chrono::DateTime::parse_from_rfc3339(row[1]).expect("RFC 3339");

    // Members and the site itself: site-scoped, so site time too.
    let members: Value = app
        .get("/api/v1/sites/alpha/members", Some(&admin.token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(offset_of(&members["items"][0]["member_since"]), "+08:00");
}

#[tokio::test]
async fn the_public_duty_list_gives_instants_in_site_time_and_the_rooms_name() {
    let app = spawn_app().await;
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    let room = app
        .resource("alpha", &admin, crate::helpers::open_room("Talk room"))
        .await;
    let res = app
        .post(
            "/api/v1/sites/alpha/duties",
            &json!({"name": "Legal advice", "weekday": "wed", "start": "14:00", "end": "16:00",
                    "capacity": 1, "resource_id": room}),
            Some(&admin.token),
        )
        .await;
    assert_eq!(res.status(), 201);
    let today = chrono::Utc::now().date_naive();
    let list: Value = app
        .get(
            &format!(
                "/api/v1/sites/alpha/duties?from={today}&to={}",
                today + chrono::Duration::days(7)
            ),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    let occ = &list["occurrences"][0];
    assert!(
        occ["starts_at"].as_str().unwrap().ends_with("T14:00:00+08:00"),
        "{occ}"
    );
    assert_eq!(occ["resource_id"], room);
    assert_eq!(occ["room"], "Talk room");
}
