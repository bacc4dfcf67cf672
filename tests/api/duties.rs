//! Volunteer weekly duty: the stories from the field.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde_json::{Value, json};

use crate::helpers::{Person, TestApp, problem, spawn_app};
use livingroom::domain::person::Roles;

fn today(tz: &str) -> NaiveDate {
    let tz: chrono_tz::Tz = tz.parse().unwrap();
    chrono::Utc::now().with_timezone(&tz).date_naive()
}

/// The next `weekday` after today (never today).
fn next(weekday: Weekday, tz: &str) -> NaiveDate {
    let mut d = today(tz) + Duration::days(1);
    while d.weekday() != weekday {
        d += Duration::days(1);
    }
    d
}

struct Corner {
    admin: Person,
    corner: i64,
    duty: i64,
    chen_mei: Person,
    huang: Person,
}

async fn blood_pressure(app: &TestApp) -> Corner {
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    let corner = app
        .resource(
            "alpha",
            &admin,
            json!({"name": "健康小屋 Blood-pressure corner", "kind": "room", "capacity": 3}),
        )
        .await;
    let res = app
        .post(
            "/api/v1/sites/alpha/duties",
            &json!({"name": "量血压 Blood pressure", "weekday": "tue", "start": "08:00", "end": "10:00",
                    "capacity": 1, "skill": "medical", "resource_id": corner}),
            Some(&admin.token),
        )
        .await;
    assert_eq!(res.status(), 201);
    let duty: Value = res.json().await.unwrap();
    assert_eq!(duty["conflicts"], json!([]));
    let chen_mei = app
        .member("alpha", "Chen Mei", Roles::VOLUNTEER, &["medical"])
        .await;
    let huang = app.member("alpha", "Huang", Roles::VOLUNTEER, &["medical"]).await;
    Corner {
        admin,
        corner,
        duty: duty["id"].as_i64().unwrap(),
        chen_mei,
        huang,
    }
}

async fn occurrences(app: &TestApp, from: NaiveDate, to: NaiveDate) -> Vec<Value> {
    let res = app
        .get(&format!("/api/v1/sites/alpha/duties?from={from}&to={to}"), None)
        .await;
    assert_eq!(res.status(), 200);
    let v: Value = res.json().await.unwrap();
    v["occurrences"].as_array().unwrap().clone()
}

#[tokio::test]
async fn the_doctor_signs_up_weekly_is_absent_once_and_a_colleague_covers() {
    let app = spawn_app().await;
    let c = blood_pressure(&app).await;
    let signup = app
        .post(
            &format!("/api/v1/sites/alpha/duties/{}/signups", c.duty),
            &json!({"scope": "weekly"}),
            Some(&c.chen_mei.token),
        )
        .await;
    assert_eq!(signup.status(), 201);
    let tue = next(Weekday::Tue, "Asia/Shanghai");
    let list = occurrences(&app, tue, tue + Duration::days(7)).await;
    assert_eq!(list.len(), 2);
    for occ in &list {
        assert_eq!(occ["signed_up"][0]["name"], "Chen Mei");
        assert_eq!(occ["free"], 0);
        // Issue 20, 15: the room's name beside its id.
        assert_eq!(occ["resource_id"], c.corner);
        assert_eq!(occ["room"], "健康小屋 Blood-pressure corner");
        assert!(
            occ["signed_up"][0].get("volunteer_id").is_none(),
            "public list: names only"
        );
    }

    // One Tuesday she cannot come: that Tuesday only is freed...
    let res = app
        .post(
            &format!("/api/v1/sites/alpha/duties/{}/absences", c.duty),
            &json!({"date": tue, "reason": "grandson's wedding"}),
            Some(&c.chen_mei.token),
        )
        .await;
    assert_eq!(res.status(), 201);
    let absence: Value = res.json().await.unwrap();
    assert_eq!(absence["cover_requests_sent"], 1);
    let list = occurrences(&app, tue, tue + Duration::days(7)).await;
    assert_eq!(
        (list[0]["free"].as_i64(), list[1]["free"].as_i64()),
        (Some(1), Some(0))
    );

    // ...the cover request reaches the other medical volunteer...
    let requests: Vec<String> = app
        .db
        .read(|conn| {
            use diesel::prelude::*;
            use livingroom::db::schema::outbox;
            Ok(outbox::table
                .filter(outbox::kind.eq("duty_cover_request"))
                .select(outbox::to_address)
                .load(conn)?)
        })
        .await
        .unwrap();
    assert_eq!(requests, vec![c.huang.email.clone()]);

    // ...who takes it.
    let res = app
        .post(
            &format!("/api/v1/sites/alpha/duties/{}/signups", c.duty),
            &json!({"scope": "once", "date": tue}),
            Some(&c.huang.token),
        )
        .await;
    assert_eq!(res.status(), 201);
    let list = occurrences(&app, tue, tue + Duration::days(7)).await;
    assert_eq!(list[0]["signed_up"][0]["name"], "Huang");
    assert_eq!(list[1]["signed_up"][0]["name"], "Chen Mei");

    // Withdrawing from a date on ends the standing commitment; history stays.
    let s: Value = signup.json().await.unwrap();
    let from = tue + Duration::days(7);
    let res = app
        .delete(
            &format!(
                "/api/v1/sites/alpha/duties/{}/signups/{}?from={from}",
                c.duty, s["id"]
            ),
            Some(&c.chen_mei.token),
        )
        .await;
    assert_eq!(res.status(), 204);
    let list = occurrences(&app, tue, tue + Duration::days(7)).await;
    assert_eq!(list[1]["free"], 1);
}

#[tokio::test]
async fn the_corner_is_held_for_the_duty() {
    let app = spawn_app().await;
    let c = blood_pressure(&app).await;
    let leader = app.member("alpha", "Auntie Lin", Roles::GROUP_LEADER, &[]).await;
    let tue = next(Weekday::Tue, "Asia/Shanghai");
    let at = |h: u32| {
        use chrono::TimeZone;
        chrono_tz::Asia::Shanghai
            .from_local_datetime(&tue.and_hms_opt(h, 0, 0).unwrap())
            .unwrap()
            .to_rfc3339()
    };
    let p = problem(
        app.book("alpha", &leader, json!({"resource_id": c.corner, "starts_at": at(8), "ends_at": at(10), "purpose": "qipao rehearsal"})).await,
        409,
    )
    .await;
    assert_eq!(p["conflicts"][0]["resource_id"], c.corner);
    assert_eq!(
        app.book(
            "alpha",
            &leader,
            json!({"resource_id": c.corner, "starts_at": at(10), "ends_at": at(11), "purpose": "rehearsal"})
        )
        .await
        .status(),
        201
    );

    // A second duty on the corner at the same time reports the taken dates.
    let res = app
        .post(
            "/api/v1/sites/alpha/duties",
            &json!({"name": "Clash", "weekday": "tue", "start": "09:00", "end": "11:00", "capacity": 1, "resource_id": c.corner}),
            Some(&c.admin.token),
        )
        .await;
    assert_eq!(res.status(), 201);
    let v: Value = res.json().await.unwrap();
    assert!(!v["conflicts"].as_array().unwrap().is_empty());

    // A holiday frees that Tuesday's hold.
    let res = app
        .client
        .put(app.url("/api/v1/sites/alpha/calendar"))
        .bearer_auth(&c.admin.token)
        .json(&json!({"holidays": [tue]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(occurrences(&app, tue, tue).await.is_empty());
    assert_eq!(
        app.book(
            "alpha",
            &leader,
            json!({"resource_id": c.corner, "starts_at": at(8), "ends_at": at(9), "purpose": "rehearsal"})
        )
        .await
        .status(),
        201
    );
}

#[tokio::test]
async fn skills_and_overlaps_are_enforced() {
    let app = spawn_app().await;
    let c = blood_pressure(&app).await;
    let res = app
        .post(
            "/api/v1/sites/alpha/duties",
            &json!({"name": "法律咨询 Legal consultation", "weekday": "tue", "start": "09:00", "end": "11:00", "capacity": 2, "skill": "legal"}),
            Some(&c.admin.token),
        )
        .await;
    let legal: Value = res.json().await.unwrap();
    let p = problem(
        app.post(
            &format!("/api/v1/sites/alpha/duties/{}/signups", legal["id"]),
            &json!({"scope": "weekly"}),
            Some(&c.chen_mei.token),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "skill");

    // A volunteer with both skills cannot hold two overlapping duties.
    let both = app
        .member("alpha", "Dr Zhou", Roles::VOLUNTEER, &["medical", "legal"])
        .await;
    assert_eq!(
        app.post(
            &format!("/api/v1/sites/alpha/duties/{}/signups", c.duty),
            &json!({"scope": "weekly"}),
            Some(&both.token)
        )
        .await
        .status(),
        201
    );
    problem(
        app.post(
            &format!("/api/v1/sites/alpha/duties/{}/signups", legal["id"]),
            &json!({"scope": "weekly"}),
            Some(&both.token),
        )
        .await,
        409,
    )
    .await;
    // Staff do not sign up for volunteer duty; a wrong date is refused.
    let staff = app.staff("alpha", "Li Na").await;
    problem(
        app.post(
            &format!("/api/v1/sites/alpha/duties/{}/signups", c.duty),
            &json!({"scope": "weekly"}),
            Some(&staff.token),
        )
        .await,
        403,
    )
    .await;
    let wed = next(Weekday::Wed, "Asia/Shanghai");
    problem(
        app.post(
            &format!("/api/v1/sites/alpha/duties/{}/signups", c.duty),
            &json!({"scope": "once", "date": wed}),
            Some(&c.huang.token),
        )
        .await,
        422,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_volunteers_race_for_the_last_place() {
    let app = spawn_app().await;
    let c = blood_pressure(&app).await;
    let tue = next(Weekday::Tue, "Asia/Shanghai");
    let mut racers = Vec::new();
    for _ in 0..20 {
        let v = app.quick_member("alpha", Roles::VOLUNTEER).await;
        let id = v.id;
        app.db
            .write(move |conn| {
                let site = livingroom::store::sites::by_slug(conn, "alpha")?
                    .expect("alpha")
                    .id;
                livingroom::store::users::set_skills(conn, site, id, &["medical".to_owned()])
            })
            .await
            .unwrap();
        racers.push(v);
    }
    let url = format!("/api/v1/sites/alpha/duties/{}/signups", c.duty);
    let body = json!({"scope": "once", "date": tue});
    let app_ref = &app;
    let answers = futures::future::join_all(racers.iter().map(|v| {
        let (url, body) = (url.clone(), body.clone());
        async move { app_ref.post(&url, &body, Some(&v.token)).await.status().as_u16() }
    }))
    .await;
    assert_eq!(answers.iter().filter(|s| **s == 201).count(), 1, "{answers:?}");
    assert_eq!(answers.iter().filter(|s| **s == 409).count(), 19, "{answers:?}");
    let list = occurrences(&app, tue, tue).await;
    assert_eq!(list[0]["signed_up"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn hours_add_up_to_the_attendance_marked() {
    let app = spawn_app().await;
    let c = blood_pressure(&app).await;
    // A standing commitment that began weeks ago (seeded directly: sign-ups
    // through the API start from the next occurrence).
    let last_tue = next(Weekday::Tue, "Asia/Shanghai") - Duration::days(7);
    let start = last_tue - Duration::weeks(3);
    let (duty, vol) = (c.duty, c.chen_mei.id);
    app.db
        .write(move |conn| {
            livingroom::store::duties::insert_signup(
                conn,
                duty,
                vol,
                true,
                start,
                livingroom::clock::now_naive(),
            )?;
            use diesel::prelude::*;
            use livingroom::db::schema::duties;
            diesel::update(duties::table.find(duty))
                .set(duties::from_date.eq(start))
                .execute(conn)?;
            Ok(())
        })
        .await
        .unwrap();
    let staff = app.staff("alpha", "Li Na").await;
    let url = format!("/api/v1/sites/alpha/duties/{}/attendance", c.duty);
    for (weeks_ago, status) in [(3, "attended"), (2, "no_show"), (1, "attended"), (0, "attended")] {
        let date = last_tue - Duration::weeks(weeks_ago);
        let res = app
            .post(
                &url,
                &json!({"date": date, "volunteer_id": c.chen_mei.id, "status": status}),
                Some(&staff.token),
            )
            .await;
        assert_eq!(res.status(), 204, "{date}");
    }
    // Correcting a mark replaces it.
    let res = app
        .post(
            &url,
            &json!({"date": last_tue, "volunteer_id": c.chen_mei.id, "status": "attended"}),
            Some(&staff.token),
        )
        .await;
    assert_eq!(res.status(), 204);
    // The future cannot be marked, nor someone who was not on duty.
    problem(app.post(&url, &json!({"date": last_tue + Duration::weeks(1), "volunteer_id": c.chen_mei.id, "status": "attended"}), Some(&staff.token)).await, 422).await;
    problem(
        app.post(
            &url,
            &json!({"date": last_tue, "volunteer_id": c.huang.id, "status": "attended"}),
            Some(&staff.token),
        )
        .await,
        422,
    )
    .await;

    let from = start;
    let to = last_tue;
    let report: Value = app
        .get(
            &format!("/api/v1/sites/alpha/reports/volunteer-hours?from={from}&to={to}"),
            Some(&c.admin.token),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(report["total_hours"], 6.0, "{report}");
    assert_eq!(report["volunteers"][0]["hours"], 6.0);
    assert_eq!(report["volunteers"][0]["attended"], 3);
    assert_eq!(report["volunteers"][0]["no_shows"], 1);
    assert_eq!(report["duties"][0]["hours"], 6.0);
    let res = app
        .client
        .get(app.url(&format!(
            "/api/v1/sites/alpha/reports/volunteer-hours?from={from}&to={to}"
        )))
        .bearer_auth(&c.admin.token)
        .header("accept", "text/csv")
        .send()
        .await
        .unwrap();
    let csv = res.text().await.unwrap();
    assert!(csv.contains("volunteer,"), "{csv}");
    assert!(csv.contains("6.00"), "{csv}");
    problem(
        app.get("/api/v1/sites/alpha/reports/volunteer-hours", Some(&staff.token))
            .await,
        403,
    )
    .await;
}

#[tokio::test]
async fn a_tuesday_nine_oclock_duty_stays_at_nine_in_berlin_across_dst() {
    let app = spawn_app().await;
    let op = app.operator().await;
    app.post(
        "/api/v1/sites",
        &json!({"name": "Berlin", "slug": "alpha", "timezone": "Europe/Berlin"}),
        Some(&op.token),
    )
    .await;
    let admin = app.admin("alpha").await;
    let res = app
        .post("/api/v1/sites/alpha/duties", &json!({"name": "Sprechstunde", "weekday": "tue", "start": "09:00", "end": "10:00", "capacity": 1}), Some(&admin.token))
        .await;
    assert_eq!(res.status(), 201);
    // Around the next March change of the clocks.
    let year = today("Europe/Berlin").year() + 1;
    let from = NaiveDate::from_ymd_opt(year, 3, 1).unwrap();
    let to = NaiveDate::from_ymd_opt(year, 4, 20).unwrap();
    let list = occurrences(&app, from, to).await;
    assert!(list.len() >= 7);
    let berlin: chrono_tz::Tz = "Europe/Berlin".parse().unwrap();
    let mut utc_hours = std::collections::BTreeSet::new();
    for occ in &list {
        let start = chrono::DateTime::parse_from_rfc3339(occ["starts_at"].as_str().unwrap()).unwrap();
        let local = start.with_timezone(&berlin);
        assert_eq!(local.format("%a %H:%M").to_string(), "Tue 09:00");
        assert_eq!(occ["start"], "09:00");
        utc_hours.insert(chrono::Timelike::hour(&start.with_timezone(&chrono::Utc)));
    }
    assert_eq!(utc_hours.len(), 2, "UTC moves by an hour, local time does not");
}

#[tokio::test]
async fn reminders_go_out_the_day_before_and_short_occurrences_are_flagged() {
    let app = spawn_app().await;
    let c = blood_pressure(&app).await;
    let res = app
        .patch(
            "/api/v1/sites/alpha",
            &json!({"duty_reminder_time": "17:30"}),
            Some(&c.admin.token),
        )
        .await;
    assert_eq!(res.status(), 200);
    let site: Value = res.json().await.unwrap();
    assert_eq!(site["duty_reminder_time"], "17:30");
    problem(
        app.patch(
            "/api/v1/sites/alpha",
            &json!({"duty_reminder_time": "25:00"}),
            Some(&c.admin.token),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(
        app.post(
            &format!("/api/v1/sites/alpha/duties/{}/signups", c.duty),
            &json!({"scope": "weekly"}),
            Some(&c.chen_mei.token)
        )
        .await
        .status(),
        201
    );

    // The day before the next Tuesday, before and after 17:30 site time.
    let tue = next(Weekday::Tue, "Asia/Shanghai");
    let at = |h: u32, m: u32| {
        use chrono::TimeZone;
        chrono_tz::Asia::Shanghai
            .from_local_datetime(&(tue - Duration::days(1)).and_hms_opt(h, m, 0).unwrap())
            .unwrap()
            .with_timezone(&chrono::Utc)
    };
    let notifier = livingroom::notify::Notifier::new("http://livingroom.test");
    let run = |now: chrono::DateTime<chrono::Utc>| {
        let notifier = notifier.clone();
        app.db
            .write(move |conn| livingroom::workflows::duties::send_reminders(conn, &notifier, now))
    };
    assert_eq!(run(at(17, 0)).await.unwrap(), 0, "not yet");
    assert_eq!(run(at(17, 45)).await.unwrap(), 1);
    assert_eq!(run(at(18, 0)).await.unwrap(), 0, "once per occurrence");

    // An absence leaves Tuesday short; the admin is told once.
    let res = app
        .post(
            &format!("/api/v1/sites/alpha/duties/{}/absences", c.duty),
            &json!({"date": tue}),
            Some(&c.chen_mei.token),
        )
        .await;
    assert_eq!(res.status(), 201);
    let flag = |now: chrono::DateTime<chrono::Utc>| {
        let notifier = notifier.clone();
        app.db
            .write(move |conn| livingroom::workflows::duties::flag_short(conn, &notifier, now))
    };
    assert_eq!(flag(at(18, 0)).await.unwrap(), 1);
    assert_eq!(flag(at(19, 0)).await.unwrap(), 0);
}

/// Issue 20, 8: a volunteer who covered without signing up is recorded by
/// the admin afterwards (staff cannot), and the hours count.
#[tokio::test]
async fn an_admin_records_a_walk_in_who_covered_without_signing_up() {
    let app = spawn_app().await;
    let c = blood_pressure(&app).await;
    let last_tue = next(Weekday::Tue, "Asia/Shanghai") - Duration::days(7);
    let duty = c.duty;
    app.db
        .write(move |conn| {
            use diesel::prelude::*;
            use livingroom::db::schema::duties;
            diesel::update(duties::table.find(duty))
                .set(duties::from_date.eq(last_tue - Duration::weeks(1)))
                .execute(conn)?;
            Ok(())
        })
        .await
        .unwrap();
    let url = format!("/api/v1/sites/alpha/duties/{}/attendance", c.duty);
    let walk_in = json!({"date": last_tue, "volunteer_id": c.huang.id, "status": "attended"});
    let staff = app.staff("alpha", "Li Na").await;
    problem(app.post(&url, &walk_in, Some(&staff.token)).await, 422).await;
    let res = app.post(&url, &walk_in, Some(&c.admin.token)).await;
    assert_eq!(res.status(), 204);
    // Someone who is not a volunteer of the site cannot be recorded.
    let not_volunteer = json!({"date": last_tue, "volunteer_id": staff.id, "status": "attended"});
    problem(app.post(&url, &not_volunteer, Some(&c.admin.token)).await, 422).await;
    let report: Value = app
        .get(
            &format!("/api/v1/sites/alpha/reports/volunteer-hours?from={last_tue}&to={last_tue}"),
            Some(&c.admin.token),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(report["total_hours"], 2.0, "{report}");
    assert_eq!(report["volunteers"][0]["attended"], 1);
}

/// Issue 20, 13: a duty every other week (the legal and labour advisers
/// alternate): occurrences two weeks apart from the first, and a weekly
/// sign-up covers exactly those dates.
#[tokio::test]
async fn a_duty_may_come_every_other_week() {
    let app = spawn_app().await;
    let c = blood_pressure(&app).await;
    let tue = next(Weekday::Tue, "Asia/Shanghai");
    let res = app
        .post(
            "/api/v1/sites/alpha/duties",
            &json!({"name": "法律咨询 Legal advice", "weekday": "tue", "start": "14:00", "end": "16:00",
                    "capacity": 1, "from": tue, "every_weeks": 2}),
            Some(&c.admin.token),
        )
        .await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let duty: Value = res.json().await.unwrap();
    assert_eq!(duty["every_weeks"], 2);
    let lawyer = app.member("alpha", "Lawyer Zhou", Roles::VOLUNTEER, &[]).await;
    let res = app
        .post(
            &format!("/api/v1/sites/alpha/duties/{}/signups", duty["id"]),
            &json!({"scope": "weekly"}),
            Some(&lawyer.token),
        )
        .await;
    assert_eq!(res.status(), 201);
    let dates: Vec<String> = occurrences(&app, tue, tue + Duration::days(34))
        .await
        .iter()
        .filter(|o| o["duty_id"] == duty["id"])
        .inspect(|o| assert_eq!(o["signed_up"][0]["name"], "Lawyer Zhou"))
        .map(|o| o["date"].as_str().unwrap().to_owned())
        .collect();
    let expected: Vec<String> = [0, 14, 28]
        .iter()
        .map(|d| (tue + Duration::days(*d)).to_string())
        .collect();
    assert_eq!(dates, expected);

    let res = app
        .post(
            "/api/v1/sites/alpha/duties",
            &json!({"name": "x", "weekday": "tue", "start": "14:00", "end": "16:00", "capacity": 1, "every_weeks": 5}),
            Some(&c.admin.token),
        )
        .await;
    let p = problem(res, 422).await;
    assert_eq!(p["errors"][0]["field"], "every_weeks", "{p}");
}
