//! What hostile testing found (issue 19), items 1 and 6: instants far off,
//! slugs that cannot exist, cursors from nowhere, values the database
//! refuses, and a timed job that one bad site stalled for every site.

use std::time::Duration;

use chrono::Utc;
use serde_json::{Value, json};

use crate::helpers::{Person, TestApp, problem, sh, spawn_app};
use livingroom::domain::booking::{BookingStatus, Urgency};
use livingroom::domain::interval::Interval;
use livingroom::errors::ProblemType;
use livingroom::store::{bookings, sites, waitlist};

/// The instant of the issue: year 10000 in UTC, written as the last
/// evening of 9999 in California.
const PAST_9999: &str = "9999-12-31T20:00:00-08:00";

async fn computer(app: &TestApp, slug: &str, admin: &Person, name: &str) -> i64 {
    app.resource(
        slug,
        admin,
        json!({"name": name, "kind": "computer", "pool": "computers"}),
    )
    .await
}

/// A 422 whose only offending field is `field`.
async fn refused(res: reqwest::Response, field: &str, what: &str) {
    let body = problem(res, 422).await;
    assert_eq!(body["errors"][0]["field"], field, "{what}: {body}");
}

#[tokio::test]
async fn instants_outside_the_window_are_refused_naming_the_field_on_every_route() {
    let app = spawn_app().await;
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    let pc = computer(&app, "alpha", &admin, "PC 1").await;
    let t = Some(admin.token.as_str());
    let booking = |extra: Value| {
        let mut b = json!({"resource_id": pc, "starts_at": sh(1, 9, 0), "ends_at": sh(1, 10, 0), "purpose": "paperwork"});
        for (k, v) in extra.as_object().unwrap() {
            b[k] = v.clone();
        }
        b
    };

    // The request of the issue: wait in line until the end of time.
    let taken = app.book("alpha", &admin, booking(json!({}))).await;
    assert_eq!(taken.status(), 201);
    let taken: Value = taken.json().await.unwrap();
    let res = app
        .book(
            "alpha",
            &admin,
            booking(json!({"on_conflict": "waitlist", "latest_start": "9999-12-31T00:00:00Z"})),
        )
        .await;
    refused(res, "latest_start", "latest_start in 9999").await;

    let bodies: Vec<(&str, reqwest::Method, String, Value, &str)> = vec![
        (
            "a booking before 2000",
            reqwest::Method::POST,
            "/api/v1/sites/alpha/bookings".into(),
            booking(json!({"starts_at": "1999-12-31T09:00:00+08:00"})),
            "starts_at",
        ),
        (
            "a booking ending past 9999",
            reqwest::Method::POST,
            "/api/v1/sites/alpha/bookings".into(),
            booking(json!({"ends_at": PAST_9999})),
            "ends_at",
        ),
        (
            "a weekly series until 9999",
            reqwest::Method::POST,
            "/api/v1/sites/alpha/bookings".into(),
            booking(json!({"recurrence": {"weekly": {"until": "9999-12-31"}}})),
            "recurrence.weekly.until",
        ),
        (
            "a blackout across the end of 9999",
            reqwest::Method::POST,
            format!("/api/v1/sites/alpha/resources/{pc}/blackouts"),
            json!({"starts_at": "9999-12-31T23:00:00Z", "ends_at": PAST_9999, "reason": "x"}),
            "ends_at",
        ),
        (
            "an absence across the end of 9999",
            reqwest::Method::POST,
            "/api/v1/sites/alpha/rota/unavailability".into(),
            json!({"starts_at": "9999-12-31T23:00:00Z", "ends_at": PAST_9999, "reason": "x"}),
            "ends_at",
        ),
        (
            "a duty from 9999",
            reqwest::Method::POST,
            "/api/v1/sites/alpha/duties".into(),
            json!({"name": "Tea", "weekday": "mon", "start": "09:00", "end": "10:00", "capacity": 1, "from": "9999-12-27"}),
            "from",
        ),
        (
            "a holiday before 2000",
            reqwest::Method::PUT,
            "/api/v1/sites/alpha/calendar".into(),
            json!({"holidays": ["1999-10-01"]}),
            "holidays[0]",
        ),
        (
            "a rota for 9999",
            reqwest::Method::POST,
            "/api/v1/sites/alpha/rota/generate".into(),
            json!({"from": "9999-12-01", "to": "9999-12-31"}),
            "from",
        ),
    ];
    for (what, method, path, body, field) in bodies {
        refused(app.send_json(method, &path, &body, t).await, field, what).await;
    }

    let queries = [
        ("/api/v1/sites/alpha/bookings?from=9999-12-30T00:00:00Z", "from"),
        (
            "/api/v1/sites/alpha/bookings?after=-240000000000000000_1",
            "after",
        ),
        ("/api/v1/sites/alpha/bookings?after=253402300800000000_1", "after"),
        (
            "/api/v1/sites/alpha/availability?from=9999-12-30T00:00:00Z",
            "from",
        ),
        ("/api/v1/sites/alpha/audit?to=9999-12-30T00:00:00Z", "to"),
        ("/api/v1/sites/alpha/duties?from=1900-01-01", "from"),
        ("/api/v1/sites/alpha/rota?from=9999-12-01", "from"),
        ("/api/v1/sites/alpha/rota/shifts?to=9999-12-01", "to"),
        (
            "/api/v1/sites/alpha/reports/volunteer-hours?from=1970-01-01",
            "from",
        ),
    ];
    for (path, field) in queries {
        refused(app.get(path, t).await, field, path).await;
    }

    // Nothing was queued, and the site is not stalled: the admin cancels.
    let line: Value = app
        .get("/api/v1/sites/alpha/waitlist", t)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(line["items"].as_array().map(Vec::len), Some(0), "{line}");
    let res = app
        .delete(&format!("/api/v1/sites/alpha/bookings/{}", taken["id"]), t)
        .await;
    assert!(res.status().is_success(), "{}", res.status());
}

#[tokio::test]
async fn a_slug_that_cannot_exist_is_404_not_a_database_error() {
    let app = spawn_app().await;
    app.site("demo").await;
    let admin = app.admin("demo").await;
    let t = Some(admin.token.as_str());
    for path in [
        "/api/v1/sites/de%00mo/duties",
        "/api/v1/sites/de%00mo/rota",
        "/api/v1/sites/de%00mo/rota.ics",
        "/api/v1/sites/de%00mo/bookings",
        "/api/v1/sites/de%00mo",
        "/board/de%00mo",
        "/board/de%00mo/week",
    ] {
        let res = app.get(path, t).await;
        assert_eq!(res.status(), 404, "{path}");
    }
    // The real site still answers.
    assert_eq!(app.get("/api/v1/sites/demo/duties", t).await.status(), 200);
}

/// A CHECK or a foreign key the database enforces, met by a write no
/// validation stopped, is the caller's 4xx (and logged), never a 500.
#[tokio::test]
async fn a_value_the_database_refuses_is_409_or_422_not_500() {
    let app = spawn_app().await;
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    let owner = admin.id;
    // `latest_before` hours before the start: the CHECK (starts_at <=
    // latest_start) refuses it.
    let entry = move |site_id: i64, owner_id: i64, latest_before: i64| {
        let now = Utc::now();
        let slot = Interval::of(now + chrono::Duration::hours(2), now + chrono::Duration::hours(3));
        move |conn: &mut livingroom::db::DbConn| {
            waitlist::insert(
                conn,
                &waitlist::NewEntry {
                    site_id,
                    owner_id,
                    resource_id: None,
                    pool: Some("computers"),
                    slot,
                    latest_start: (slot.start - chrono::Duration::hours(latest_before)).naive_utc(),
                    urgency: Urgency::Routine,
                    reason: None,
                    purpose: "x",
                    headcount: None,
                    group_id: None,
                    flexible: false,
                    requested_at: now.naive_utc(),
                    displaced_booking_id: None,
                },
                now.naive_utc(),
            )
            .map(|_| ())
        }
    };
    let site_id = app
        .db
        .read(|conn| Ok(sites::by_slug(conn, "alpha")?.unwrap().id))
        .await
        .unwrap();
    // A latest start before the start.
    let err = app.db.write(entry(site_id, owner, 1)).await.unwrap_err();
    assert_eq!(err.kind(), ProblemType::Validation, "{err:?}");
    // Nobody's: the foreign key to users.
    let err = app.db.write(entry(site_id, 999_999_999, 0)).await.unwrap_err();
    assert_eq!(err.kind(), ProblemType::Conflict, "{err:?}");
    // A NUL byte, which PostgreSQL cannot keep in text (SQLite can).
    let named = app
        .db
        .write(|conn| {
            sites::insert(conn, "nul-name", "na\0me", "UTC", livingroom::clock::now_naive()).map(|_| ())
        })
        .await;
    if let Err(err) = named {
        assert_eq!(err.kind(), ProblemType::Validation, "{err:?}");
    }
}

/// A booking that started 20 minutes ago and was never claimed.
async fn no_show(app: &TestApp, slug: &str, resource_id: i64, owner_id: i64) -> i64 {
    let slug = slug.to_owned();
    let started = Utc::now() - chrono::Duration::minutes(20);
    app.db
        .write(move |conn| {
            let ends = started + chrono::Duration::hours(1);
            let site = sites::by_slug(conn, &slug)?.unwrap();
            let b = bookings::insert(
                conn,
                &bookings::NewBooking {
                    site_id: site.id,
                    resource_id,
                    owner_id,
                    group_id: None,
                    series_id: None,
                    slot: Interval::of(started, ends),
                    busy_until: ends.naive_utc(),
                    status: BookingStatus::Confirmed,
                    urgency: Urgency::Routine,
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
        .unwrap()
}

/// A waiting request at `slug` for `resource_id`, tomorrow, written
/// straight into the database (so nothing serves it on the way in).
async fn waiting(app: &TestApp, slug: &str, resource_id: i64, owner_id: i64) -> (i64, i64) {
    let slug = slug.to_owned();
    let start = chrono::DateTime::parse_from_rfc3339(&sh(1, 10, 0))
        .unwrap()
        .with_timezone(&Utc);
    app.db
        .write(move |conn| {
            let site = sites::by_slug(conn, &slug)?.unwrap();
            let now = livingroom::clock::now_naive();
            let slot = Interval::of(start, start + chrono::Duration::hours(1));
            let e = waitlist::insert(
                conn,
                &waitlist::NewEntry {
                    site_id: site.id,
                    owner_id,
                    resource_id: Some(resource_id),
                    pool: None,
                    slot,
                    latest_start: slot.start.naive_utc(),
                    urgency: Urgency::Routine,
                    reason: None,
                    purpose: "waiting",
                    headcount: None,
                    group_id: None,
                    flexible: false,
                    requested_at: now,
                    displaced_booking_id: None,
                },
                now,
            )?;
            Ok((site.id, e.id))
        })
        .await
        .unwrap()
}

#[tokio::test]
async fn a_site_whose_waitlist_cannot_be_served_does_not_stop_another_sites_jobs() {
    let app = spawn_app().await;
    app.site("site-a").await;
    app.site("site-b").await;
    let admin_a = app.admin("site-a").await;
    let admin_b = app.admin("site-b").await;
    let pc_a = computer(&app, "site-a", &admin_a, "PC A").await;
    let pc_b = computer(&app, "site-b", &admin_b, "PC B").await;
    let pc_b2 = computer(&app, "site-b", &admin_b, "PC B2").await;

    // Site A: a no-show, and a waiting request that cannot be served (it
    // names a computer of another site, so serving it fails every time).
    let ghost_a = no_show(&app, "site-a", pc_a, admin_a.id).await;
    let (site_a, poisoned) = waiting(&app, "site-a", pc_b2, admin_a.id).await;
    // Site B: a no-show, and a request for a free computer.
    let ghost_b = no_show(&app, "site-b", pc_b, admin_b.id).await;
    let (site_b, fine) = waiting(&app, "site-b", pc_b2, admin_b.id).await;

    let status = |site_id: i64, id: i64| {
        let app_db = app.db.clone();
        async move {
            app_db
                .read(move |conn| Ok(waitlist::by_id(conn, site_id, id)?.status))
                .await
                .unwrap()
        }
    };
    let booking = |slug: &'static str, id: i64, token: String| {
        let url = app.url(&format!("/api/v1/sites/{slug}/bookings/{id}"));
        let client = app.client.clone();
        async move {
            let v: Value = client
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            v["status"].as_str().unwrap_or_default().to_owned()
        }
    };
    let mut seen = (String::new(), String::new());
    for _ in 0..100 {
        // Every job due now, as if their time had come.
        app.db
            .write(|conn| {
                use diesel::prelude::*;
                use livingroom::db::schema::scheduled_jobs;
                diesel::update(scheduled_jobs::table)
                    .filter(scheduled_jobs::locked_until.is_null())
                    .set(scheduled_jobs::next_run_at.eq(livingroom::clock::now_naive()))
                    .execute(conn)?;
                Ok(())
            })
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(200)).await;
        seen = (
            booking("site-b", ghost_b, admin_b.token.clone()).await,
            status(site_b, fine).await,
        );
        if seen == ("released".to_owned(), "served".to_owned()) {
            break;
        }
    }
    assert_eq!(
        (seen.0.as_str(), seen.1.as_str()),
        ("released", "served"),
        "site B's no-show is released and its waitlist served"
    );
    // Site A's failure stayed at site A: rolled back, to be tried again.
    assert_eq!(status(site_a, poisoned).await, "waiting");
    assert_eq!(
        booking("site-a", ghost_a, admin_a.token.clone()).await,
        "confirmed"
    );
}
