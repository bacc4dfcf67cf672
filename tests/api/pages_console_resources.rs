//! The console's 场地 (issue 22): a room with opening hours made through the
//! form reads back through the API exactly; a wrong form answers 422 with
//! each error next to its field and changes nothing; a closure over a
//! booking names it and, when told, cancels it with notice; only the
//! site's admin gets in.

use chrono::Duration;
use serde_json::{Value, json};

use crate::helpers::{Person, TestApp, sh, spawn_app};
use crate::web::{csrf_in, location, page, post, sign_in};

/// The new-room form as the secretary fills it: Monday to Friday
/// 09:00–17:30 and a Saturday morning, approval, at most two hours.
fn room_form(csrf: &str, name: &str) -> Vec<(String, String)> {
    let fixed: Vec<(&str, &str)> = vec![
        ("csrf", csrf),
        ("kind", "room"),
        ("name", name),
        ("pool", ""),
        ("capacity", "20"),
        ("features", "piano, Projector"),
        ("hours", "weekly"),
        ("sat_from", "09:00"),
        ("sat_to", "12:00"),
        ("sun_from", ""),
        ("sun_to", ""),
        ("requires_approval", "on"),
        ("release_after_minutes", "15"),
        ("preemption_grace_minutes", "15"),
        ("min_minutes", "30"),
        ("max_minutes", "120"),
        ("slot_minutes", "30"),
        ("min_notice_minutes", "60"),
        ("max_advance_days", "90"),
        ("buffer_minutes", "15"),
        ("max_bookings_per_user_per_week", ""),
    ];
    let mut f: Vec<(String, String)> = fixed
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    for day in ["mon", "tue", "wed", "thu", "fri"] {
        f.push((format!("{day}_from"), "09:00".to_owned()));
        f.push((format!("{day}_to"), "17:30".to_owned()));
    }
    f
}

fn pairs(f: &[(String, String)]) -> Vec<(&str, &str)> {
    f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

fn set(f: &mut [(String, String)], key: &str, value: &str) {
    f.iter_mut().find(|(k, _)| k == key).expect(key).1 = value.to_owned();
}

async fn resources(app: &TestApp, admin: &Person) -> Vec<Value> {
    let list: Value = app
        .get("/api/v1/sites/alpha/resources?limit=100", Some(&admin.token))
        .await
        .json()
        .await
        .unwrap();
    list["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn the_secretary_creates_a_room_with_opening_hours() {
    let app = spawn_app().await;
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    let cookie = sign_in(&app, &admin.email).await;
    let (status, new) = page(&app, "/s/alpha/console/resources/new?kind=room", &cookie).await;
    assert_eq!(status, 200);
    assert!(new.contains(r#"id="tue_to""#), "a week grid");
    let csrf = csrf_in(&new);

    let res = post(
        &app,
        "/s/alpha/console/resources",
        &cookie,
        &pairs(&room_form(&csrf, "活动室")),
    )
    .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/s/alpha/console/resources?done=created");

    let all = resources(&app, &admin).await;
    assert_eq!(all.len(), 1);
    let room = &all[0];
    assert_eq!(room["name"], "活动室");
    assert_eq!(room["kind"], "room");
    assert_eq!(room["capacity"], 20);
    assert_eq!(room["features"], json!(["piano", "projector"]));
    let week = json!(["09:00-17:30"]);
    assert_eq!(
        room["opening_hours"],
        json!({"mon": week, "tue": week, "wed": week, "thu": week, "fri": week, "sat": ["09:00-12:00"]})
    );
    assert_eq!(
        room["rules"],
        json!({"slot_minutes": 30, "min_minutes": 30, "max_minutes": 120, "min_notice_minutes": 60,
               "max_advance_days": 90, "buffer_minutes": 15, "requires_approval": true,
               "max_bookings_per_user_per_week": null, "allow_preemption": false,
               "check_in_required": false, "release_after_minutes": 15, "preemption_grace_minutes": 15})
    );

    // Listed with its hours and rules in words.
    let (_, list) = page(&app, "/s/alpha/console/resources?done=created", &cookie).await;
    assert!(
        list.contains("周一至周五 09:00–17:30，周六 09:00–12:00"),
        "{list}"
    );
    assert!(
        list.contains("每次 30 分钟 至 2 小时；需审批；至少提前 1 小时；最多提前 90 天；每次后留 15 分钟"),
        "{list}"
    );

    // Changed: the form comes filled in; the Saturday goes, 90 minutes at most.
    let id = room["id"].as_i64().unwrap();
    let (status, edit) = page(&app, &format!("/s/alpha/console/resources/{id}"), &cookie).await;
    assert_eq!(status, 200);
    assert!(edit.contains(r#"name="sat_to" value="12:00""#), "{edit}");
    let mut f = room_form(&csrf, "活动室");
    set(&mut f, "sat_from", "");
    set(&mut f, "sat_to", "");
    set(&mut f, "max_minutes", "90");
    let res = post(
        &app,
        &format!("/s/alpha/console/resources/{id}"),
        &cookie,
        &pairs(&f),
    )
    .await;
    assert_eq!(res.status(), 303);
    let room = &resources(&app, &admin).await[0];
    assert_eq!(room["rules"]["max_minutes"], 90);
    assert_eq!(room["opening_hours"].get("sat"), None);
    assert_eq!(room["opening_hours"]["fri"], week);
}

#[tokio::test]
async fn a_wrong_form_shows_each_error_next_to_its_field_and_changes_nothing() {
    let app = spawn_app().await;
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    let cookie = sign_in(&app, &admin.email).await;
    let (_, new) = page(&app, "/s/alpha/console/resources/new?kind=room", &cookie).await;
    let csrf = csrf_in(&new);
    let mut f = room_form(&csrf, "会议室");
    set(&mut f, "tue_from", "14:00");
    set(&mut f, "tue_to", "10:00");
    set(&mut f, "max_minutes", "-30");
    let res = post(&app, "/s/alpha/console/resources", &cookie, &pairs(&f)).await;
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    assert!(
        body.contains(r#"<p class="error" id="tue_to-error">结束要晚于开始。</p>"#),
        "{body}"
    );
    assert!(
        body.contains(r#"<p class="error" id="max_minutes-error">请填 0 或更大的整数。</p>"#),
        "{body}"
    );
    assert!(
        body.contains(r##"href="#tue_to""##),
        "the summary links to the field"
    );
    assert!(body.contains(r#"value="会议室""#), "what she typed is kept");
    assert!(resources(&app, &admin).await.is_empty(), "nothing was made");

    // A rule the domain refuses (shortest above longest), named where it is.
    let mut f = room_form(&csrf, "会议室");
    set(&mut f, "min_minutes", "180");
    let res = post(&app, "/s/alpha/console/resources", &cookie, &pairs(&f)).await;
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    assert!(body.contains(r#"id="min_minutes-error""#), "{body}");
    assert!(resources(&app, &admin).await.is_empty());
}

#[tokio::test]
async fn a_closure_over_a_booking_names_it_then_cancels_it_with_notice() {
    let app = spawn_app().await;
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    let staff = app.staff("alpha", "Li Na").await;
    let pc = app
        .resource("alpha", &admin, json!({"name": "2 号电脑", "kind": "computer"}))
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
    let booking_url = format!("/api/v1/sites/alpha/bookings/{}", booking["id"]);
    let day = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive()
        + Duration::days(2);
    let weekday = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]
        [chrono::Datelike::weekday(&day).num_days_from_monday() as usize];

    let cookie = sign_in(&app, &admin.email).await;
    let url = format!("/s/alpha/console/resources/{pc}/blackouts");
    let (status, empty) = page(&app, &url, &cookie).await;
    assert_eq!(status, 200);
    assert!(empty.contains("没有即将到来的停用时段"), "{empty}");
    let csrf = csrf_in(&empty);
    let (from, to) = (
        format!("{day}T00:00"),
        format!("{}T00:00", day + Duration::days(1)),
    );
    let closing = [
        ("csrf", csrf.as_str()),
        ("starts_at", from.as_str()),
        ("ends_at", to.as_str()),
        ("reason", "换网线"),
    ];
    let res = post(&app, &url, &cookie, &closing).await;
    assert_eq!(res.status(), 200);
    let shown = res.text().await.unwrap();
    assert!(shown.contains("Li Na"), "who, by name: {shown}");
    assert!(
        shown.contains(&format!("{day} {weekday} 09:00–10:00")),
        "when, in site time: {shown}"
    );
    assert!(shown.contains("通知他们并取消"), "{shown}");
    assert!(shown.contains(r#"name="covered" value="cancel""#));
    let api_list = format!("/api/v1/sites/alpha/resources/{pc}/blackouts");
    let none: Value = app.get(&api_list, Some(&admin.token)).await.json().await.unwrap();
    assert_eq!(none, json!([]), "nothing closed yet");
    let still: Value = app
        .get(&booking_url, Some(&staff.token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(still["status"], "confirmed");

    let mut cancelling = closing.to_vec();
    cancelling.push(("covered", "cancel"));
    let res = post(&app, &url, &cookie, &cancelling).await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), format!("{url}?done=cancelled&n=1"));
    let after: Value = app
        .get(&booking_url, Some(&staff.token))
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
    assert!(told[0].contains("换网线"), "{}", told[0]);
    let made: Value = app.get(&api_list, Some(&admin.token)).await.json().await.unwrap();
    assert_eq!(made.as_array().unwrap().len(), 1);
    assert_eq!(made[0]["starts_at"], format!("{day}T00:00:00+08:00"));
    assert_eq!(made[0]["reason"], "换网线");

    // Listed in site time, then deleted.
    let (_, listed) = page(&app, &format!("{url}?done=cancelled&n=1"), &cookie).await;
    assert!(listed.contains("1 个预约已取消"), "{listed}");
    assert!(listed.contains(&format!("{day} {weekday} 00:00–")), "{listed}");
    let blackout = made[0]["id"].as_i64().unwrap();
    let res = post(
        &app,
        &format!("{url}/{blackout}/delete"),
        &cookie,
        &[("csrf", csrf.as_str())],
    )
    .await;
    assert_eq!(res.status(), 303);
    let gone: Value = app.get(&api_list, Some(&admin.token)).await.json().await.unwrap();
    assert_eq!(gone, json!([]));

    // An end before the start comes back next to the field.
    let bad = [
        ("csrf", csrf.as_str()),
        ("starts_at", to.as_str()),
        ("ends_at", from.as_str()),
        ("reason", "换网线"),
    ];
    let res = post(&app, &url, &cookie, &bad).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains(r#"id="ends_at-error""#));
}

#[tokio::test]
async fn only_the_sites_admin_sets_up_resources() {
    let app = spawn_app().await;
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    let staff = app.staff("alpha", "Li Na").await;
    let pc = app
        .resource("alpha", &admin, json!({"name": "PC", "kind": "computer"}))
        .await;
    let cookie = sign_in(&app, &staff.email).await;
    for path in [
        "/s/alpha/console/resources".to_owned(),
        "/s/alpha/console/resources/new?kind=room".to_owned(),
        format!("/s/alpha/console/resources/{pc}"),
        format!("/s/alpha/console/resources/{pc}/blackouts"),
        format!("/s/alpha/console/resources/{pc}/remove"),
    ] {
        let (status, _) = page(&app, &path, &cookie).await;
        assert_eq!(status, 403, "{path}");
    }
    let (_, home) = page(&app, "/s/alpha", &cookie).await;
    let csrf = csrf_in(&home);
    let res = post(
        &app,
        "/s/alpha/console/resources",
        &cookie,
        &pairs(&room_form(&csrf, "偷偷加的房间")),
    )
    .await;
    assert_eq!(res.status(), 403);
    let res = post(
        &app,
        &format!("/s/alpha/console/resources/{pc}/remove"),
        &cookie,
        &[("csrf", csrf.as_str())],
    )
    .await;
    assert_eq!(res.status(), 403);
    let all = resources(&app, &admin).await;
    assert_eq!(all.len(), 1, "nothing added");
    assert_eq!(all[0]["retired_at"], Value::Null, "nothing retired");
}

#[tokio::test]
async fn retiring_asks_once_naming_the_future_bookings() {
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
            json!({"resource_id": pc, "starts_at": sh(3, 9, 0), "ends_at": sh(3, 10, 0), "purpose": "x"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let cookie = sign_in(&app, &admin.email).await;
    let url = format!("/s/alpha/console/resources/{pc}/remove");
    let (status, ask) = page(&app, &url, &cookie).await;
    assert_eq!(status, 200);
    assert!(ask.contains("之后的 1 个预约会被取消"), "{ask}");
    let res = post(&app, &url, &cookie, &[("csrf", csrf_in(&ask).as_str())]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/s/alpha/console/resources?done=removed");
    assert!(
        resources(&app, &admin).await.is_empty(),
        "retired ones are not listed"
    );
}
