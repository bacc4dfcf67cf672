//! The front-desk rota: generate, edit, publish, re-publish, swap, read.

use chrono::{Datelike, Duration, NaiveDate};
use serde_json::{Value, json};

use crate::helpers::{Person, TestApp, problem, spawn_app};

fn next_monday() -> NaiveDate {
    let tz: chrono_tz::Tz = "Asia/Shanghai".parse().unwrap();
    let today = chrono::Utc::now().with_timezone(&tz).date_naive();
    today + Duration::days(7 - i64::from(today.weekday().num_days_from_monday()))
}

pub struct Office {
    pub admin: Person,
    pub staff: Vec<Person>,
}

/// Next week, Monday to Friday, as the rota routes take a period.
pub fn next_period() -> Value {
    let mon = next_monday();
    json!({"from": mon, "to": mon + Duration::days(4)})
}

pub async fn office(app: &TestApp) -> Office {
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    // Everyone here joined a moment ago; these tests are about the other
    // rules, so nobody counts as new (new people have their own test).
    let res = app
        .patch(
            "/api/v1/sites/alpha",
            &json!({"new_person_weeks": 0}),
            Some(&admin.token),
        )
        .await;
    assert_eq!(res.status(), 200);
    let mut staff = Vec::new();
    for (name, senior) in [
        ("Li Na", true),
        ("Zhang Wei", false),
        ("Liu Yang", false),
        ("Chen Jing", true),
    ] {
        let p = app.staff("alpha", name).await;
        if senior {
            let res = app
                .patch(
                    &format!("/api/v1/sites/alpha/members/{}", p.id),
                    &json!({"senior": true}),
                    Some(&admin.token),
                )
                .await;
            assert_eq!(res.status(), 200);
        }
        staff.push(p);
    }
    for n in ["A", "B"] {
        app.resource(
            "alpha",
            &admin,
            json!({"name": format!("Reception post {n}"), "kind": "desk", "pool": "reception"}),
        )
        .await;
    }
    let res = app
        .client
        .put(app.url("/api/v1/sites/alpha/rota/templates"))
        .bearer_auth(&admin.token)
        .json(&json!([
            {"weekday": "mon", "start": "08:30", "end": "15:30", "positions": 1, "label": "首问接待", "desk_pool": "reception"},
            {"weekday": "tue", "start": "08:30", "end": "15:30", "positions": 1, "label": "首问接待", "desk_pool": "reception"},
            {"weekday": "wed", "start": "08:30", "end": "15:30", "positions": 1, "label": "首问接待", "desk_pool": "reception"},
            {"weekday": "thu", "start": "08:30", "end": "15:30", "positions": 1, "label": "首问接待", "desk_pool": "reception"},
            {"weekday": "fri", "start": "08:30", "end": "15:30", "positions": 2, "label": "首问接待", "desk_pool": "reception"}
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    Office { admin, staff }
}

async fn rota_mails(app: &TestApp) -> Vec<String> {
    app.db
        .read(|conn| {
            use diesel::prelude::*;
            use livingroom::db::schema::outbox;
            Ok(outbox::table
                .filter(outbox::kind.eq("rota_published"))
                .order(outbox::id)
                .select(outbox::to_address)
                .load(conn)?)
        })
        .await
        .unwrap()
}

#[tokio::test]
async fn generate_edit_publish_republish_swap_and_read() {
    let app = spawn_app().await;
    let o = office(&app).await;
    let mon = next_monday();
    let fri = mon + Duration::days(4);
    let period = json!({"from": mon, "to": fri});

    // Unavailability is respected: Li Na is on leave Wednesday.
    let wed = mon + Duration::days(2);
    let leave = json!({"starts_at": format!("{wed}T00:00:00+08:00"), "ends_at": format!("{wed}T23:59:00+08:00"), "reason": "training"});
    assert_eq!(
        app.post(
            "/api/v1/sites/alpha/rota/unavailability",
            &leave,
            Some(&o.staff[0].token)
        )
        .await
        .status(),
        201
    );

    let res = app
        .post("/api/v1/sites/alpha/rota/generate", &period, Some(&o.admin.token))
        .await;
    assert_eq!(res.status(), 200);
    let draft: Value = res.json().await.unwrap();
    let shifts = draft["shifts"].as_array().unwrap();
    assert_eq!(shifts.len(), 5);
    assert_eq!(draft["unfilled"], json!([]));
    // Six positions over five people: nobody has more than two, everyone one or more.
    let mut load = std::collections::BTreeMap::new();
    for s in shifts {
        for a in s["assignees"].as_array().unwrap() {
            *load.entry(a["id"].as_i64().unwrap()).or_insert(0) += 1;
        }
    }
    assert_eq!(load.values().sum::<i32>(), 6);
    assert!(load.values().all(|n| *n <= 2), "{load:?}");
    assert!(
        !shifts[2]["assignees"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["id"] == o.staff[0].id),
        "on leave Wednesday"
    );
    // The Friday pair has a senior.
    let seniors = [o.admin.id, o.staff[0].id, o.staff[3].id];
    assert!(
        shifts[4]["assignees"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| seniors.contains(&a["id"].as_i64().unwrap()))
    );
    // The same input gives the same draft.
    let again: Value = app
        .post("/api/v1/sites/alpha/rota/generate", &period, Some(&o.admin.token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["shifts"], draft["shifts"]);

    // Nothing is public before publishing.
    let public: Value = app
        .get(&format!("/api/v1/sites/alpha/rota?from={mon}&to={fri}"), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(public["shifts"], json!([]));

    let published: Value = app
        .post("/api/v1/sites/alpha/rota/publish", &period, Some(&o.admin.token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(published["version"], 1);
    assert_eq!(published["changed_shifts"], 5);
    assert_eq!(published["desk_conflicts"], json!([]));
    let first_mails = rota_mails(&app).await;
    assert_eq!(first_mails.len(), published["notified"].as_array().unwrap().len());

    // Desks are booked for the people on duty.
    let desks: Value = app
        .get(
            &format!(
                "/api/v1/sites/alpha/bookings?from={mon}T00:00:00%2B08:00&to={}T00:00:00%2B08:00",
                fri + Duration::days(1)
            ),
            Some(&o.admin.token),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(desks["items"].as_array().unwrap().len(), 6);

    // Edit Monday, re-publish: a new version, and only the two people concerned are mailed.
    let monday = &shifts[0];
    let old = monday["assignees"][0]["id"].as_i64().unwrap();
    let replacement = o
        .staff
        .iter()
        .map(|p| p.id)
        .chain([o.admin.id])
        .find(|id| *id != old && *load.get(id).unwrap_or(&0) < 2)
        .unwrap();
    let res = app
        .client
        .put(app.url(&format!("/api/v1/sites/alpha/rota/shifts/{}", monday["id"])))
        .bearer_auth(&o.admin.token)
        .json(&json!({"assignees": [replacement]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let republished: Value = app
        .post("/api/v1/sites/alpha/rota/publish", &period, Some(&o.admin.token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(republished["version"], 2);
    assert_eq!(republished["changed_shifts"], 1);
    let mut notified: Vec<i64> = republished["notified"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect();
    notified.sort();
    let mut expected = vec![old, replacement];
    expected.sort();
    assert_eq!(notified, expected);
    assert_eq!(rota_mails(&app).await.len(), first_mails.len() + 2);
    // Publishing again without a change makes no new version and mails nobody.
    let same: Value = app
        .post("/api/v1/sites/alpha/rota/publish", &period, Some(&o.admin.token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (same["version"].as_i64(), same["changed_shifts"].as_i64()),
        (Some(2), Some(0))
    );

    // A swap: Tuesday's person offers, a free colleague takes it.
    let tuesday = &shifts[1];
    let giver_id = tuesday["assignees"][0]["id"].as_i64().unwrap();
    let everyone: Vec<&Person> = o.staff.iter().chain([&o.admin]).collect();
    let giver = everyone.iter().find(|p| p.id == giver_id).unwrap();
    let res = app
        .post(
            &format!("/api/v1/sites/alpha/rota/shifts/{}/offer", tuesday["id"]),
            &json!({}),
            Some(&giver.token),
        )
        .await;
    assert_eq!(res.status(), 200);
    let taker = everyone.iter().find(|p| p.id != giver_id).unwrap();
    let res = app
        .post(
            &format!("/api/v1/sites/alpha/rota/shifts/{}/take", tuesday["id"]),
            &json!({}),
            Some(&taker.token),
        )
        .await;
    assert_eq!(res.status(), 200);
    let taken: Value = res.json().await.unwrap();
    assert_eq!(taken["published"][0]["id"], taker.id);
    problem(
        app.post(
            &format!("/api/v1/sites/alpha/rota/shifts/{}/take", tuesday["id"]),
            &json!({}),
            Some(&giver.token),
        )
        .await,
        409,
    )
    .await;
    let swaps: Value = app
        .get("/api/v1/sites/alpha/rota/swaps", Some(&o.admin.token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(swaps[0]["from_user"], giver_id);
    assert_eq!(swaps[0]["to_user"], taker.id);

    // Anyone can read the published rota, names only.
    let res = app
        .get(&format!("/api/v1/sites/alpha/rota?from={mon}&to={fri}"), None)
        .await;
    assert_eq!(res.status(), 200);
    let text = res.text().await.unwrap();
    assert!(!text.contains("@"), "no e-mail addresses: {text}");
    let public: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(public["shifts"].as_array().unwrap().len(), 5);
    assert_eq!(public["shifts"][0]["label"], "首问接待");
    assert!(public["shifts"][0]["assignees"][0]["name"].is_string());

    // The public feed and a personal feed are valid iCalendar.
    let res = app.get("/api/v1/sites/alpha/rota.ics", None).await;
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/calendar")
    );
    let cal: icalendar::Calendar = res.text().await.unwrap().parse().expect("valid iCalendar");
    assert_eq!(cal.components.len(), 5);
    let link: Value = app
        .post("/api/v1/me/calendar-feed", &json!({}), Some(&taker.token))
        .await
        .json()
        .await
        .unwrap();
    let url = link["url"].as_str().unwrap();
    let path = &url[url.find("/api/").unwrap()..];
    let res = app.get(path, None).await;
    assert_eq!(res.status(), 200);
    let personal: icalendar::Calendar = res.text().await.unwrap().parse().expect("valid iCalendar");
    assert!(!personal.components.is_empty());
    assert_eq!(
        app.delete("/api/v1/me/calendar-feed", Some(&taker.token))
            .await
            .status(),
        204
    );
    problem(app.get(path, None).await, 404).await;

    // A person's day, as on the bulletin board.
    let tue = mon + Duration::days(1);
    let day: Value = app
        .get(
            &format!("/api/v1/sites/alpha/people/{}/schedule?date={tue}", taker.id),
            Some(&taker.token),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(day["items"][0]["kind"], "desk_shift");
    assert_eq!(day["items"][0]["what"], "首问接待");
}

#[tokio::test]
async fn only_admins_generate_and_publish() {
    let app = spawn_app().await;
    let o = office(&app).await;
    let mon = next_monday();
    let period = json!({"from": mon, "to": mon + Duration::days(4)});
    problem(
        app.post(
            "/api/v1/sites/alpha/rota/generate",
            &period,
            Some(&o.staff[1].token),
        )
        .await,
        403,
    )
    .await;
    problem(
        app.post(
            "/api/v1/sites/alpha/rota/publish",
            &period,
            Some(&o.staff[1].token),
        )
        .await,
        403,
    )
    .await;
    let too_long = json!({"from": mon, "to": mon + Duration::days(200)});
    problem(
        app.post(
            "/api/v1/sites/alpha/rota/generate",
            &too_long,
            Some(&o.admin.token),
        )
        .await,
        422,
    )
    .await;
    let bad = app
        .client
        .put(app.url("/api/v1/sites/alpha/rota/templates"))
        .bearer_auth(&o.admin.token)
        .json(&json!([{"weekday": "someday", "start": "15:30", "end": "08:30", "positions": 0, "label": ""}]))
        .send()
        .await
        .unwrap();
    let p = problem(bad, 422).await;
    assert!(p["errors"].as_array().unwrap().len() >= 4, "{p}");
}

#[tokio::test]
async fn holidays_and_make_up_days_shape_the_rota() {
    let app = spawn_app().await;
    let o = office(&app).await;
    let mon = next_monday();
    let sat = mon + Duration::days(5);
    let res = app
        .client
        .put(app.url("/api/v1/sites/alpha/calendar"))
        .bearer_auth(&o.admin.token)
        .json(&json!({"holidays": [mon], "workdays": [sat]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let draft: Value = app
        .post(
            "/api/v1/sites/alpha/rota/generate",
            &json!({"from": mon, "to": sat}),
            Some(&o.admin.token),
        )
        .await
        .json()
        .await
        .unwrap();
    let dates: Vec<&str> = draft["shifts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["date"].as_str().unwrap())
        .collect();
    assert!(
        !dates.contains(&mon.to_string().as_str()),
        "no shift on the holiday"
    );
    assert!(
        dates.contains(&sat.to_string().as_str()),
        "the make-up Saturday is staffed"
    );
}

/// Issue 20, 5: staff read the rota as published, never a draft: a draft
/// not yet published is invisible to them, and after publishing they see
/// the published names even while the admin edits the next draft.
#[tokio::test]
async fn staff_see_the_published_rota_never_a_draft() {
    let app = spawn_app().await;
    let o = office(&app).await;
    let mon = next_monday();
    let period = json!({"from": mon, "to": mon + Duration::days(4)});
    let list = format!(
        "/api/v1/sites/alpha/rota/shifts?from={mon}&to={}",
        mon + Duration::days(4)
    );
    let read = |token: String| {
        let (app, list) = (&app, list.clone());
        async move {
            let res = app.get(&list, Some(&token)).await;
            assert_eq!(res.status(), 200);
            res.json::<Value>().await.unwrap()
        }
    };
    let res = app
        .post("/api/v1/sites/alpha/rota/generate", &period, Some(&o.admin.token))
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(read(o.admin.token.clone()).await.as_array().unwrap().len(), 5);
    assert_eq!(
        read(o.staff[1].token.clone()).await,
        json!([]),
        "a draft is the admin's"
    );

    let res = app
        .post("/api/v1/sites/alpha/rota/publish", &period, Some(&o.admin.token))
        .await;
    assert_eq!(res.status(), 200);
    let staff_view = read(o.staff[1].token.clone()).await;
    assert_eq!(staff_view.as_array().unwrap().len(), 5);
    // The admin moves Monday's person in the draft; staff still see who
    // was published.
    let monday = &staff_view[0];
    let published: Vec<i64> = monday["published"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect();
    let other = o
        .staff
        .iter()
        .map(|p| p.id)
        .find(|id| !published.contains(id))
        .unwrap();
    let res = app
        .client
        .put(app.url(&format!("/api/v1/sites/alpha/rota/shifts/{}", monday["id"])))
        .bearer_auth(&o.admin.token)
        .json(&json!({"assignees": [other]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let after = read(o.staff[1].token.clone()).await;
    let seen: Vec<i64> = after[0]["assignees"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect();
    assert_eq!(seen, published, "staff see the published people, not the draft's");
    let admin_view = read(o.admin.token.clone()).await;
    assert_eq!(admin_view[0]["assignees"][0]["id"], other);
}

/// Issue 20, 2: one person, one seat. A computer someone holds keeps the
/// generator from putting her on the desk then; an admin who puts her
/// there anyway publishes with the clash reported in words and no second
/// seat booked; and she cannot take an offered shift while she holds it.
#[tokio::test]
async fn the_rota_never_gives_a_person_a_second_seat() {
    let app = spawn_app().await;
    let o = office(&app).await;
    let pc = app
        .resource(
            "alpha",
            &o.admin,
            json!({"name": "共享电脑 1", "kind": "computer"}),
        )
        .await;
    let mon = next_monday();
    let tue = mon + Duration::days(1);
    let li_na = &o.staff[0];
    for day in [mon, tue] {
        let res = app
            .book(
                "alpha",
                li_na,
                json!({"resource_id": pc, "starts_at": format!("{day}T09:00:00+08:00"),
                       "ends_at": format!("{day}T10:00:00+08:00"), "purpose": "case notes"}),
            )
            .await;
        assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    }
    let t = Some(o.admin.token.as_str());
    let draft: Value = app
        .post(
            "/api/v1/sites/alpha/rota/generate",
            &json!({"from": mon, "to": tue}),
            t,
        )
        .await
        .json()
        .await
        .unwrap();
    let shifts = draft["shifts"].as_array().unwrap().clone();
    assert_eq!(shifts.len(), 2);
    for s in &shifts {
        let people: Vec<i64> = s["assignees"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_i64().unwrap())
            .collect();
        assert!(
            !people.contains(&li_na.id),
            "the generator leaves her at her computer: {s}"
        );
    }

    // The admin puts her on Monday anyway.
    let monday = shifts[0]["id"].as_i64().unwrap();
    let res = app
        .client
        .put(app.url(&format!("/api/v1/sites/alpha/rota/shifts/{monday}")))
        .bearer_auth(&o.admin.token)
        .json(&json!({"assignees": [li_na.id]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let published: Value = app
        .post(
            "/api/v1/sites/alpha/rota/publish",
            &json!({"from": mon, "to": tue}),
            t,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(published["desk_conflicts"], json!([monday]), "{published}");
    let clash = published["seat_clashes"][0].as_str().unwrap_or_default();
    assert!(
        clash.contains("Li Na") && clash.contains("共享电脑 1") && clash.contains(&format!("{mon} 09:00")),
        "the clash in words: {published}"
    );
    let hers: Value = app
        .get("/api/v1/sites/alpha/bookings?mine=true", Some(&li_na.token))
        .await
        .json()
        .await
        .unwrap();
    let seats: Vec<&Value> = hers["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| {
            b["starts_at"]
                .as_str()
                .unwrap_or_default()
                .starts_with(&mon.to_string())
        })
        .collect();
    assert_eq!(seats.len(), 1, "only her computer on Monday, no desk: {hers}");

    // Tuesday's person offers the shift; she cannot take it while she holds the computer.
    let tuesday = &shifts[1];
    let giver_id = tuesday["assignees"][0]["id"].as_i64().unwrap();
    let giver = o.staff.iter().find(|p| p.id == giver_id).unwrap_or(&o.admin);
    let res = app
        .post(
            &format!("/api/v1/sites/alpha/rota/shifts/{}/offer", tuesday["id"]),
            &json!({}),
            Some(&giver.token),
        )
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let res = app
        .post(
            &format!("/api/v1/sites/alpha/rota/shifts/{}/take", tuesday["id"]),
            &json!({}),
            Some(&li_na.token),
        )
        .await;
    let p = problem(res, 409).await;
    assert_eq!(p["rule"], "one_seat", "{p}");
    assert!(p["detail"].as_str().unwrap().contains("共享电脑 1"), "{p}");
}

/// Issue 20, 3: a holiday set after the rota was published drops the
/// shift on that day at the next publication: the draft says it will, the
/// desk booking is released, the person on it is told, and the shift is
/// gone from the published rota.
#[tokio::test]
async fn a_holiday_set_after_publishing_drops_that_days_shift() {
    let app = spawn_app().await;
    let o = office(&app).await;
    let mon = next_monday();
    let tue = mon + Duration::days(1);
    let period = json!({"from": mon, "to": tue});
    let t = Some(o.admin.token.as_str());
    let res = app.post("/api/v1/sites/alpha/rota/generate", &period, t).await;
    assert_eq!(res.status(), 200);
    let published: Value = app
        .post("/api/v1/sites/alpha/rota/publish", &period, t)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(published["changed_shifts"], 2, "{published}");
    let shifts: Value = app
        .get(&format!("/api/v1/sites/alpha/rota/shifts?from={mon}&to={tue}"), t)
        .await
        .json()
        .await
        .unwrap();
    let tuesday = shifts
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["date"] == tue.to_string())
        .unwrap()
        .clone();
    let person = tuesday["published"][0]["id"].as_i64().unwrap();
    let mails_before = rota_mails(&app).await.len();

    let res = app
        .client
        .put(app.url("/api/v1/sites/alpha/calendar"))
        .bearer_auth(&o.admin.token)
        .json(&json!({"holidays": [tue]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let draft: Value = app
        .post("/api/v1/sites/alpha/rota/generate", &period, t)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(draft["calendar_drops"][0]["shift_id"], tuesday["id"], "{draft}");
    assert_eq!(draft["calendar_drops"][0]["people"], json!([person]));
    assert!(
        !draft["shifts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["date"] == tue.to_string()),
        "the draft has no shift on the holiday"
    );

    let published: Value = app
        .post("/api/v1/sites/alpha/rota/publish", &period, t)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(published["changed_shifts"], 1, "{published}");
    assert_eq!(published["calendar_drops"][0]["date"], tue.to_string());
    assert!(published["notified"].as_array().unwrap().contains(&json!(person)));
    assert_eq!(
        rota_mails(&app).await.len(),
        mails_before + 1,
        "the person on it is told"
    );
    let after: Value = app
        .get(&format!("/api/v1/sites/alpha/rota/shifts?from={mon}&to={tue}"), t)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        after.as_array().unwrap().len(),
        1,
        "only Monday's shift is left: {after}"
    );
    // The desk is free on the holiday: no booking of the person left then.
    let owner = o.staff.iter().find(|p| p.id == person).unwrap();
    let hers: Value = app
        .get("/api/v1/sites/alpha/bookings?mine=true", Some(&owner.token))
        .await
        .json()
        .await
        .unwrap();
    assert!(
        !hers["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b["status"] != "cancelled"
                && b["starts_at"]
                    .as_str()
                    .unwrap_or_default()
                    .starts_with(&tue.to_string())),
        "her desk booking on the holiday is released: {hers}"
    );
    // Publishing again changes nothing.
    let again: Value = app
        .post("/api/v1/sites/alpha/rota/publish", &period, t)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["changed_shifts"], 0);
}

async fn mails_of(app: &TestApp, kind: &'static str) -> Vec<String> {
    app.db
        .read(move |conn| {
            use diesel::prelude::*;
            use livingroom::db::schema::outbox;
            Ok(outbox::table
                .filter(outbox::kind.eq(kind))
                .order(outbox::id)
                .select(outbox::to_address)
                .load(conn)?)
        })
        .await
        .unwrap()
}

/// Issue 20, 10: offering a shift tells the colleagues who could take it
/// (not one who is away then), and taking it tells both people.
#[tokio::test]
async fn offering_tells_who_could_take_it_and_taking_tells_both() {
    let app = spawn_app().await;
    let o = office(&app).await;
    let mon = next_monday();
    let period = json!({"from": mon, "to": mon});
    let t = Some(o.admin.token.as_str());
    let draft: Value = app
        .post("/api/v1/sites/alpha/rota/generate", &period, t)
        .await
        .json()
        .await
        .unwrap();
    let shift = draft["shifts"][0].clone();
    let giver_id = shift["assignees"][0]["id"].as_i64().unwrap();
    let res = app.post("/api/v1/sites/alpha/rota/publish", &period, t).await;
    assert_eq!(res.status(), 200);
    let everyone: Vec<&Person> = o.staff.iter().chain(std::iter::once(&o.admin)).collect();
    let giver = *everyone.iter().find(|p| p.id == giver_id).unwrap();
    let others: Vec<&Person> = o.staff.iter().filter(|p| p.id != giver_id).collect();
    // One colleague is away that Monday: the rules would not let her take it.
    let away = others[0];
    let res = app
        .post(
            "/api/v1/sites/alpha/rota/unavailability",
            &json!({"user_id": away.id, "starts_at": format!("{mon}T00:00:00+08:00"),
                    "ends_at": format!("{}T00:00:00+08:00", mon + Duration::days(1)), "reason": "leave"}),
            Some(&away.token),
        )
        .await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());

    let res = app
        .post(
            &format!("/api/v1/sites/alpha/rota/shifts/{}/offer", shift["id"]),
            &json!({}),
            Some(&giver.token),
        )
        .await;
    assert_eq!(res.status(), 200);
    let offered = mails_of(&app, "shift_offered").await;
    assert!(
        !offered.contains(&away.email),
        "not the colleague away then: {offered:?}"
    );
    assert!(!offered.contains(&giver.email), "not the one who offered");
    for p in &others[1..] {
        assert!(
            offered.contains(&p.email),
            "{} could take it: {offered:?}",
            p.email
        );
    }

    let taker = others[1];
    let res = app
        .post(
            &format!("/api/v1/sites/alpha/rota/shifts/{}/take", shift["id"]),
            &json!({}),
            Some(&taker.token),
        )
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let mut taken = mails_of(&app, "shift_taken").await;
    taken.sort();
    let mut both = vec![giver.email.clone(), taker.email.clone()];
    both.sort();
    assert_eq!(taken, both);
}

/// Issue 20, 4 (以老带新): someone just added who is not senior is never
/// put alone on the one-person desk: the draft leaves it open as
/// `only_new_people` and she cannot take such a shift offered to her. The
/// site's `new_person_weeks` (default 4, 0 to 52) says how long one is
/// new; 0 turns it off. Issue 20, 15: the admin's warnings name people
/// and dates, not ids.
#[tokio::test]
async fn a_new_colleague_is_never_alone_at_the_one_person_desk() {
    let app = spawn_app().await;
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    let t = Some(admin.token.as_str());
    let res = app
        .patch(
            &format!("/api/v1/sites/alpha/members/{}", admin.id),
            &json!({"senior": true}),
            t,
        )
        .await;
    assert_eq!(res.status(), 200);
    let wang = app.staff("alpha", "王芳").await;

    let site: Value = app.get("/api/v1/sites/alpha", t).await.json().await.unwrap();
    assert_eq!(site["new_person_weeks"], 4, "{site}");
    let p = problem(
        app.patch("/api/v1/sites/alpha", &json!({"new_person_weeks": 53}), t)
            .await,
        422,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "new_person_weeks", "{p}");

    let res = app
        .client
        .put(app.url("/api/v1/sites/alpha/rota/templates"))
        .bearer_auth(&admin.token)
        .json(&json!([
            {"weekday": "mon", "start": "08:30", "end": "15:30", "positions": 1, "label": "首问接待"},
            {"weekday": "tue", "start": "08:30", "end": "15:30", "positions": 1, "label": "首问接待"}
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    // The secretary, the one experienced colleague, is out both Mondays.
    let mon = next_monday();
    for day in [mon, mon + Duration::days(7)] {
        let away = json!({"starts_at": format!("{day}T00:00:00+08:00"),
                          "ends_at": format!("{}T00:00:00+08:00", day + Duration::days(1)), "reason": "training"});
        let res = app
            .post("/api/v1/sites/alpha/rota/unavailability", &away, t)
            .await;
        assert_eq!(res.status(), 201);
    }
    let period = json!({"from": mon, "to": mon + Duration::days(8)});
    let generate = || {
        let (app, period) = (&app, &period);
        async move {
            let res = app.post("/api/v1/sites/alpha/rota/generate", period, t).await;
            assert_eq!(res.status(), 200);
            res.json::<Value>().await.unwrap()
        }
    };
    let on = |draft: &Value, date: NaiveDate| -> (i64, Vec<i64>) {
        let shift = draft["shifts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["date"] == date.to_string())
            .unwrap();
        let people = shift["assignees"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].as_i64().unwrap())
            .collect();
        (shift["id"].as_i64().unwrap(), people)
    };

    let draft = generate().await;
    let (monday, people) = on(&draft, mon);
    assert_eq!(people, Vec::<i64>::new(), "not alone at the desk: {draft}");
    assert_eq!(on(&draft, mon + Duration::days(7)).1, Vec::<i64>::new());
    assert_eq!(on(&draft, mon + Duration::days(1)).1, vec![admin.id]);
    let open: Vec<&Value> = draft["unfilled"].as_array().unwrap().iter().collect();
    assert_eq!(open.len(), 2, "{draft}");
    assert!(open.iter().all(|u| u["reason"] == "only_new_people"), "{draft}");
    assert_eq!(open[0]["shift_id"], monday);

    // With the rule off, she takes those Mondays.
    let res = app
        .patch("/api/v1/sites/alpha", &json!({"new_person_weeks": 0}), t)
        .await;
    assert_eq!(res.status(), 200);
    let draft = generate().await;
    assert_eq!(on(&draft, mon).1, vec![wang.id], "{draft}");
    assert_eq!(on(&draft, mon + Duration::days(7)).1, vec![wang.id]);
    assert_eq!(draft["unfilled"], json!([]));

    // Back on: the admin puts her alone on Monday anyway. The warning
    // names her and the shift's local date and time, and no id.
    let res = app
        .patch("/api/v1/sites/alpha", &json!({"new_person_weeks": 4}), t)
        .await;
    assert_eq!(res.status(), 200);
    let res = app
        .client
        .put(app.url(&format!("/api/v1/sites/alpha/rota/shifts/{monday}")))
        .bearer_auth(&admin.token)
        .json(&json!({"assignees": [wang.id]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let edited: Value = res.json().await.unwrap();
    assert_eq!(edited["warning_codes"], json!(["new_person_alone"]), "{edited}");
    let warning = edited["warnings"][0].as_str().unwrap();
    let when = format!("{mon} 周一 08:30–15:30");
    assert!(
        warning.contains("王芳") && warning.contains(&when),
        "her name and the date: {warning}"
    );
    assert!(
        !warning.replace(&when, "").chars().any(|c| c.is_ascii_digit()),
        "no ids: {warning}"
    );

    // Published, the secretary offers his Tuesday: she may not take it.
    let week = json!({"from": mon, "to": mon + Duration::days(1)});
    let res = app.post("/api/v1/sites/alpha/rota/publish", &week, t).await;
    assert_eq!(res.status(), 200);
    let (tuesday, _) = on(&draft, mon + Duration::days(1));
    let res = app
        .post(
            &format!("/api/v1/sites/alpha/rota/shifts/{tuesday}/offer"),
            &json!({}),
            t,
        )
        .await;
    assert_eq!(res.status(), 200);
    let res = app
        .post(
            &format!("/api/v1/sites/alpha/rota/shifts/{tuesday}/take"),
            &json!({}),
            Some(&wang.token),
        )
        .await;
    let p = problem(res, 409).await;
    assert_eq!(p["rule"], "new_person_alone", "{p}");
    let said = p["rules"][0].as_str().unwrap_or_default();
    assert!(
        said.contains("王芳") && said.contains(&format!("{} 周二", mon + Duration::days(1))),
        "{p}"
    );
}
