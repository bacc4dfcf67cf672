//! What has begun or passed is history (issue 19, 11): a duty date under
//! way or over cannot be withdrawn from, a series cannot be cancelled
//! "from" a past date, an ended booking cannot be cancelled. Each is a 409
//! with a stable `rule`, and changes nothing.

use chrono::{Datelike, Duration, NaiveDate};
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, open_room, problem, sh, spawn_app};
use livingroom::domain::person::Roles;

fn today() -> NaiveDate {
    chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive()
}

async fn on_duty(app: &TestApp, date: NaiveDate) -> Vec<Value> {
    let res = app
        .get(&format!("/api/v1/sites/alpha/duties?from={date}&to={date}"), None)
        .await;
    assert_eq!(res.status(), 200);
    let v: Value = res.json().await.unwrap();
    v["occurrences"][0]["signed_up"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[tokio::test]
async fn a_duty_date_under_way_or_past_cannot_be_withdrawn_from() {
    let app = spawn_app().await;
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    let today = today();
    // All day today's weekday: today's date is under way whenever this runs.
    let weekday = today.weekday().to_string().to_lowercase();
    let res = app
        .post(
            "/api/v1/sites/alpha/duties",
            &json!({"name": "Tea corner", "weekday": weekday, "start": "00:00", "end": "24:00", "capacity": 2}),
            Some(&admin.token),
        )
        .await;
    assert_eq!(res.status(), 201);
    let duty = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let chen = app.member("alpha", "Chen Mei", Roles::VOLUNTEER, &[]).await;
    let res = app
        .post(
            &format!("/api/v1/sites/alpha/duties/{duty}/signups"),
            &json!({"scope": "weekly"}),
            Some(&chen.token),
        )
        .await;
    assert_eq!(res.status(), 201);
    let signup = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let withdraw = |from: Option<NaiveDate>| {
        let query = from.map(|d| format!("?from={d}")).unwrap_or_default();
        format!("/api/v1/sites/alpha/duties/{duty}/signups/{signup}{query}")
    };

    for from in [today, today - Duration::days(1), today - Duration::days(7)] {
        let p = problem(app.delete(&withdraw(Some(from)), Some(&chen.token)).await, 409).await;
        assert_eq!(p["rule"], "duty_date_begun", "{from}: {p}");
    }
    // Nor by an absence for the date under way.
    let p = problem(
        app.post(
            &format!("/api/v1/sites/alpha/duties/{duty}/absences"),
            &json!({"date": today}),
            Some(&chen.token),
        )
        .await,
        409,
    )
    .await;
    assert_eq!(p["rule"], "duty_date_begun");
    assert_eq!(on_duty(&app, today).await[0]["name"], "Chen Mei");

    // Withdrawing without a date ends it after the date under way, which
    // stays hers.
    assert_eq!(app.delete(&withdraw(None), Some(&chen.token)).await.status(), 204);
    assert_eq!(on_duty(&app, today).await[0]["name"], "Chen Mei");
    assert!(on_duty(&app, today + Duration::days(7)).await.is_empty());
}

/// A leader's weekly room booking, three weeks from tomorrow on.
async fn series(app: &TestApp) -> (crate::helpers::Person, i64, Vec<i64>) {
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    let room = app.resource("alpha", &admin, open_room("Activity room")).await;
    let staff = app.staff("alpha", "Li Na").await;
    let body = json!({"resource_id": room, "starts_at": sh(1, 14, 0), "ends_at": sh(1, 15, 0), "purpose": "class",
                      "recurrence": {"weekly": {"count": 3}}});
    let res = app.book("alpha", &staff, body).await;
    assert_eq!(res.status(), 201);
    let created: Value = res.json().await.unwrap();
    let ids = created["occurrences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_i64().unwrap())
        .collect();
    (staff, created["series_id"].as_i64().unwrap(), ids)
}

async fn status(app: &TestApp, who: &crate::helpers::Person, id: i64) -> String {
    let b: Value = app
        .get(&format!("/api/v1/sites/alpha/bookings/{id}"), Some(&who.token))
        .await
        .json()
        .await
        .unwrap();
    b["status"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_series_cannot_be_cancelled_from_a_past_date() {
    let app = spawn_app().await;
    let (staff, series, ids) = series(&app).await;
    let yesterday = today() - Duration::days(1);
    let p = problem(
        app.delete(
            &format!("/api/v1/sites/alpha/booking-series/{series}?from={yesterday}"),
            Some(&staff.token),
        )
        .await,
        409,
    )
    .await;
    assert_eq!(p["rule"], "series_from_past");
    for id in &ids {
        assert_eq!(status(&app, &staff, *id).await, "confirmed");
    }
    // From today on is fine.
    let res = app
        .delete(
            &format!("/api/v1/sites/alpha/booking-series/{series}?from={}", today()),
            Some(&staff.token),
        )
        .await;
    assert_eq!(res.status(), 200);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["cancelled"].as_array().unwrap().len(), 3);
}

/// Moves a booking back in time, as if it had been made long ago.
async fn move_to_past(app: &TestApp, id: i64) {
    app.db
        .write(move |conn| {
            use diesel::prelude::*;
            use livingroom::db::schema::bookings;
            let start = (chrono::Utc::now() - Duration::days(3)).naive_utc();
            let end = start + Duration::hours(1);
            diesel::update(bookings::table.find(id))
                .set((
                    bookings::starts_at.eq(start),
                    bookings::ends_at.eq(end),
                    bookings::busy_until.eq(end),
                ))
                .execute(conn)?;
            Ok(())
        })
        .await
        .unwrap();
}

#[tokio::test]
async fn an_ended_booking_cannot_be_cancelled_through_the_api_or_the_page() {
    let app = spawn_app().await;
    let (staff, _series, ids) = series(&app).await;
    move_to_past(&app, ids[0]).await;
    let p = problem(
        app.delete(
            &format!("/api/v1/sites/alpha/bookings/{}", ids[0]),
            Some(&staff.token),
        )
        .await,
        409,
    )
    .await;
    assert_eq!(p["rule"], "booking_ended");
    assert_eq!(status(&app, &staff, ids[0]).await, "confirmed");

    // The room page cancels through the same workflow.
    let res = app
        .client
        .post(app.url("/login"))
        .form(&[
            ("email", staff.email.as_str()),
            ("password", PASSWORD),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let cookie = res.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let html = app
        .client
        .get(app.url("/s/alpha/rooms/mine"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let at = html.find(r#"name="csrf" value=""#).expect("a csrf field") + 19;
    let csrf = html[at..].split('"').next().unwrap().to_owned();
    let res = app
        .client
        .post(app.url(&format!("/s/alpha/rooms/bookings/{}/cancel", ids[0])))
        .header("cookie", &cookie)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 409);
    assert_eq!(status(&app, &staff, ids[0]).await, "confirmed");
    // One still ahead is cancelled as before.
    assert_eq!(
        app.delete(
            &format!("/api/v1/sites/alpha/bookings/{}", ids[1]),
            Some(&staff.token)
        )
        .await
        .status(),
        204
    );
}
