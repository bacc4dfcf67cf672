//! Reports 3 (front desk), 4 (volunteers) and 5 (the quarter summary) of
//! issue 22, on a small fixture whose figures are worked out by hand below,
//! and the district observer: reads every site's reports, changes nothing.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde_json::{Value, json};

use crate::helpers::{Person, TestApp, password_hash, problem, sh, spawn_app};
use livingroom::clock;
use livingroom::domain::person::{Language, Roles};
use livingroom::store::users::{self, NewUser};

fn today() -> NaiveDate {
    let tz: chrono_tz::Tz = "Asia/Shanghai".parse().expect("tz");
    chrono::Utc::now().with_timezone(&tz).date_naive()
}

/// The first `weekday` after today.
fn next(weekday: Weekday) -> NaiveDate {
    let mut d = today() + Duration::days(1);
    while d.weekday() != weekday {
        d += Duration::days(1);
    }
    d
}

/// The last `weekday` before today.
fn last(weekday: Weekday) -> NaiveDate {
    let mut d = today() - Duration::days(1);
    while d.weekday() != weekday {
        d -= Duration::days(1);
    }
    d
}

async fn ok(res: reqwest::Response, status: u16, what: &str) -> Value {
    let got = res.status().as_u16();
    let body = res.text().await.expect("body");
    assert_eq!(got, status, "{what}: {body}");
    serde_json::from_str(&body).unwrap_or(Value::Null)
}

async fn put(app: &TestApp, path: &str, body: &Value, token: &str) -> reqwest::Response {
    app.client
        .put(app.url(path))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .expect("request")
}

async fn csv(app: &TestApp, path: &str, token: &str) -> String {
    let res = app
        .client
        .get(app.url(path))
        .bearer_auth(token)
        .header("accept", "text/csv")
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), 200, "{path}");
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    res.text().await.expect("csv")
}

/// Every number column of the CSV's rows adds up to its totals row (the
/// last line), to the cent the CSV prints.
fn totals_are_sums(csv: &str) {
    let lines: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
    let (rows, totals) = (&lines[1..lines.len() - 1], &lines[lines.len() - 1]);
    for col in 0..totals.len() {
        let Ok(total) = totals[col].parse::<f64>() else {
            continue;
        };
        let sum: f64 = rows.iter().map(|r| r[col].parse::<f64>().unwrap_or(0.0)).sum();
        assert!(
            (sum - total).abs() < 0.011,
            "column {col}: {sum} vs {total} in\n{csv}"
        );
    }
}

/// An account that belongs to no site, made a district observer by an
/// operator through the API.
pub(crate) async fn observer(app: &TestApp, operator: &Person) -> Person {
    let email = format!("observer-{}@test.example", uuid::Uuid::new_v4().simple());
    let (e, hash) = (email.clone(), password_hash().to_owned());
    let id = app
        .db
        .write(move |conn| {
            Ok(users::insert(
                conn,
                &NewUser {
                    email: &e,
                    name: "District office",
                    other_name: None,
                    password_hash: Some(&hash),
                    language: Language::En,
                    is_operator: false,
                },
                clock::now_naive(),
            )?
            .id)
        })
        .await
        .expect("seed observer");
    let path = format!("/api/v1/admin/users/{id}/observer");
    let body = ok(
        put(app, &path, &json!({"observer": true}), &operator.token).await,
        200,
        "observer",
    )
    .await;
    assert_eq!(
        body,
        json!({"id": id, "name": "District office", "observer": true})
    );
    let token = app.token_for(&email).await;
    Person { id, email, token }
}

struct Fixture {
    app: TestApp,
    admin: Person,
    wang: Person,
    zhao: Person,
    chen: Person,
    /// The rota's first Monday and its last Friday.
    monday: NaiveDate,
    last_friday: NaiveDate,
    /// The three Tuesdays of the duty, oldest first.
    tuesdays: [NaiveDate; 3],
    /// A room anyone with a role may book.
    room: i64,
}

/// Site `alpha` (Asia/Shanghai), worked out by hand:
///
/// Front desk. Staff: Admin (admin and staff), Wang, Zhao. Templates
/// Monday to Friday 08:30-12:00 (3.5 h, one post), a rota of two weeks
/// generated and then set by hand before publishing:
///   week 1: Mon Admin, Tue Wang, Wed Zhao, Thu Admin, Fri Wang
///   week 2: Mon Zhao, Tue Admin, Wed Wang, Thu Zhao, Fri nobody
/// then Wang offers week 1's Tuesday and Zhao takes it. After the swap:
///   Admin 3 shifts = 10.5 h, Wang 2 = 7.0 h, Zhao 4 = 14.0 h;
///   total 9 x 3.5 = 31.5 h; fair share 31.5 / 3 = 10.5 h;
///   differences Admin 0, Wang -3.5, Zhao +3.5 (sum 0); spread 14 - 7 = 7;
///   swaps: Wang gave 1, Zhao took 1; uncovered: week 2's Friday, 1 post.
///
/// Volunteers. A duty on Tuesdays 08:00-10:00 (2 h); Chen signed up weekly
/// since four weeks before; on the last three Tuesdays T1, T2, T3: Chen
/// came on T1 and T3, reported an absence for T2, and Huang, not signed
/// up, came on T2. So Chen 2 visits = 4.0 h, 1 absence, covered 0; Huang
/// 1 visit = 2.0 h, covered 1; total 6.0 h, 3 visits, 1 absence, 1 cover,
/// and T2's absence covered by Huang.
///
/// Rooms. One confirmed room booking tomorrow 10:00-12:00: 2.0 h.
async fn fixture() -> Fixture {
    let app = spawn_app().await;
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    let wang = app.staff("alpha", "Wang").await;
    let zhao = app.staff("alpha", "Zhao").await;
    let chen = app.member("alpha", "Chen Mei", Roles::VOLUNTEER, &[]).await;
    let huang = app.member("alpha", "Huang", Roles::VOLUNTEER, &[]).await;
    let t = &admin.token;

    // Nobody counts as new: one-person shifts may be anyone's.
    ok(
        app.patch("/api/v1/sites/alpha", &json!({"new_person_weeks": 0}), Some(t))
            .await,
        200,
        "site",
    )
    .await;
    app.resource(
        "alpha",
        &admin,
        json!({"name": "Reception post A", "kind": "desk", "pool": "reception"}),
    )
    .await;
    let templates: Vec<Value> = ["mon", "tue", "wed", "thu", "fri"]
        .iter()
        .map(|d| {
            json!({"weekday": d, "start": "08:30", "end": "12:00", "positions": 1,
                   "label": "首问接待", "desk_pool": "reception"})
        })
        .collect();
    ok(
        put(&app, "/api/v1/sites/alpha/rota/templates", &json!(templates), t).await,
        200,
        "templates",
    )
    .await;
    let monday = next(Weekday::Mon);
    let last_friday = monday + Duration::days(11);
    let period = json!({"from": monday, "to": last_friday});
    let draft = ok(
        app.post("/api/v1/sites/alpha/rota/generate", &period, Some(t))
            .await,
        200,
        "generate",
    )
    .await;
    let mut shifts: Vec<(NaiveDate, i64)> = draft["shifts"]
        .as_array()
        .expect("shifts")
        .iter()
        .map(|s| {
            (
                s["date"].as_str().unwrap().parse().unwrap(),
                s["id"].as_i64().unwrap(),
            )
        })
        .collect();
    shifts.sort();
    assert_eq!(shifts.len(), 10, "{draft}");
    let plan: [&[i64]; 10] = [
        &[admin.id],
        &[wang.id],
        &[zhao.id],
        &[admin.id],
        &[wang.id],
        &[zhao.id],
        &[admin.id],
        &[wang.id],
        &[zhao.id],
        &[],
    ];
    for ((_, id), people) in shifts.iter().zip(plan) {
        let path = format!("/api/v1/sites/alpha/rota/shifts/{id}");
        ok(
            put(&app, &path, &json!({"assignees": people}), t).await,
            200,
            "edit",
        )
        .await;
    }
    ok(
        app.post("/api/v1/sites/alpha/rota/publish", &period, Some(t))
            .await,
        200,
        "publish",
    )
    .await;
    let swapped = shifts[1].1;
    let offer = format!("/api/v1/sites/alpha/rota/shifts/{swapped}/offer");
    ok(
        app.post(&offer, &json!({}), Some(&wang.token)).await,
        200,
        "offer",
    )
    .await;
    let take = format!("/api/v1/sites/alpha/rota/shifts/{swapped}/take");
    ok(app.post(&take, &json!({}), Some(&zhao.token)).await, 200, "take").await;

    // The duty, begun four weeks before the last Tuesday (seeded: sign-ups
    // through the API start from the next occurrence).
    let duty = ok(
        app.post(
            "/api/v1/sites/alpha/duties",
            &json!({"name": "量血压 Blood pressure", "weekday": "tue", "start": "08:00",
                    "end": "10:00", "capacity": 5}),
            Some(t),
        )
        .await,
        201,
        "duty",
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let t3 = last(Weekday::Tue);
    let tuesdays = [t3 - Duration::weeks(2), t3 - Duration::weeks(1), t3];
    let start = t3 - Duration::weeks(4);
    let (chen_id, t2) = (chen.id, tuesdays[1]);
    app.db
        .write(move |conn| {
            use diesel::prelude::*;
            use livingroom::db::schema::duties;
            let now = clock::now_naive();
            diesel::update(duties::table.find(duty))
                .set(duties::from_date.eq(start))
                .execute(conn)?;
            livingroom::store::duties::insert_signup(conn, duty, chen_id, true, start, now)?;
            livingroom::store::duties::insert_absence(conn, duty, chen_id, t2, Some("在医院"), now)?;
            Ok(())
        })
        .await
        .unwrap();
    let mark = format!("/api/v1/sites/alpha/duties/{duty}/attendance");
    for (date, who) in [
        (tuesdays[0], chen.id),
        (tuesdays[1], huang.id),
        (tuesdays[2], chen.id),
    ] {
        let body = json!({"date": date, "volunteer_id": who, "status": "attended"});
        ok(app.post(&mark, &body, Some(t)).await, 204, "attendance").await;
    }

    let room = app
        .resource("alpha", &admin, crate::helpers::open_room("Multi-function room"))
        .await;
    let booking = json!({"resource_id": room, "starts_at": sh(1, 10, 0), "ends_at": sh(1, 12, 0),
                         "purpose": "Calligraphy"});
    ok(app.book("alpha", &admin, booking).await, 201, "booking").await;

    Fixture {
        app,
        admin,
        wang,
        zhao,
        chen,
        monday,
        last_friday,
        tuesdays,
        room,
    }
}

#[tokio::test]
async fn the_front_desk_report_has_the_hand_computed_figures() {
    let f = fixture().await;
    let path = format!(
        "/api/v1/sites/alpha/reports/front-desk?from={}&to={}",
        f.monday, f.last_friday
    );
    let r = ok(f.app.get(&path, Some(&f.admin.token)).await, 200, "front desk").await;
    assert_eq!(r["total_hours"], 31.5, "{r}");
    assert_eq!(r["fair_share_hours"], 10.5);
    assert_eq!(r["spread_hours"], 7.0);
    assert_eq!(r["open_positions"], 1);
    let people: Vec<(String, f64, f64, i64, i64, i64)> = r["people"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_owned(),
                p["desk_hours"].as_f64().unwrap(),
                p["difference_hours"].as_f64().unwrap(),
                p["shifts"].as_i64().unwrap(),
                p["swaps_given"].as_i64().unwrap(),
                p["swaps_taken"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        people,
        vec![
            ("Admin".to_owned(), 10.5, 0.0, 3, 0, 0),
            ("Wang".to_owned(), 7.0, -3.5, 2, 1, 0),
            ("Zhao".to_owned(), 14.0, 3.5, 4, 0, 1),
        ]
    );
    assert_eq!(r["people"][1]["user_id"], f.wang.id);
    assert_eq!(r["people"][2]["user_id"], f.zhao.id);
    assert_eq!(r["people"][1]["offers_made"], 1);
    let uncovered = r["uncovered"].as_array().unwrap();
    assert_eq!(uncovered.len(), 1);
    assert_eq!(uncovered[0]["date"], json!(f.last_friday));
    assert_eq!(
        uncovered[0]["starts_at"],
        json!(format!("{}T08:30:00+08:00", f.last_friday))
    );

    let csv = csv(&f.app, &path, &f.admin.token).await;
    assert_eq!(
        csv,
        "person,desk_hours,fair_share_hours,difference_hours,swaps_given,swaps_taken\r\n\
         Admin,10.50,10.50,0.00,0,0\r\n\
         Wang,7.00,10.50,-3.50,1,0\r\n\
         Zhao,14.00,10.50,3.50,0,1\r\n\
         合计,31.50,31.50,0.00,1,1\r\n"
    );
    totals_are_sums(&csv);

    // The first week alone: Admin 2 (7 h), Wang 1 (3.5 h), Zhao 2 (7 h).
    let week = format!(
        "/api/v1/sites/alpha/reports/front-desk?from={}&to={}",
        f.monday,
        f.monday + Duration::days(4)
    );
    let r = ok(f.app.get(&week, Some(&f.admin.token)).await, 200, "week").await;
    assert_eq!(r["total_hours"], 17.5, "{r}");
    assert_eq!(r["uncovered"], json!([]));

    // Staff and volunteers do not read reports; a bad period is a 422.
    problem(f.app.get(&path, Some(&f.wang.token)).await, 403).await;
    problem(f.app.get(&path, Some(&f.chen.token)).await, 403).await;
    let backwards = format!(
        "/api/v1/sites/alpha/reports/front-desk?from={}&to={}",
        f.last_friday, f.monday
    );
    problem(f.app.get(&backwards, Some(&f.admin.token)).await, 422).await;
}

#[tokio::test]
async fn the_volunteers_report_counts_absences_and_who_covered() {
    let f = fixture().await;
    let [t1, t2, t3] = f.tuesdays;
    let path = format!("/api/v1/sites/alpha/reports/volunteers?from={t1}&to={t3}");
    let r = ok(f.app.get(&path, Some(&f.admin.token)).await, 200, "volunteers").await;
    assert_eq!(r["total_hours"], 6.0, "{r}");
    let rows: Vec<(String, f64, i64, i64, i64)> = r["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["volunteer"].as_str().unwrap().to_owned(),
                x["hours"].as_f64().unwrap(),
                x["attended"].as_i64().unwrap(),
                x["absences"].as_i64().unwrap(),
                x["covered_for"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            ("Chen Mei".to_owned(), 4.0, 2, 1, 0),
            ("Huang".to_owned(), 2.0, 1, 0, 1),
        ]
    );
    assert_eq!(r["absences"].as_array().unwrap().len(), 1);
    assert_eq!(r["absences"][0]["date"], json!(t2));
    assert_eq!(r["absences"][0]["volunteer"], "Chen Mei");
    assert_eq!(r["absences"][0]["covered_by"], json!(["Huang"]));
    // The private reason of the absence is not in the report.
    assert!(!r.to_string().contains("在医院"), "{r}");
    // The volunteer-hours figures are the old report's.
    let old = ok(
        f.app
            .get(
                &format!("/api/v1/sites/alpha/reports/volunteer-hours?from={t1}&to={t3}"),
                Some(&f.admin.token),
            )
            .await,
        200,
        "old report",
    )
    .await;
    assert_eq!(old["total_hours"], r["total_hours"]);
    assert_eq!(old["volunteers"], r["volunteers"]);
    assert_eq!(old["duties"], r["duties"]);

    let csv = csv(&f.app, &path, &f.admin.token).await;
    assert_eq!(
        csv,
        "volunteer,duty,hours,attended,absences,covered_for\r\n\
         Chen Mei,量血压 Blood pressure,4.00,2,1,0\r\n\
         Huang,量血压 Blood pressure,2.00,1,0,1\r\n\
         合计,,6.00,3,1,1\r\n"
    );
    totals_are_sums(&csv);
    problem(f.app.get(&path, Some(&f.chen.token)).await, 403).await;
}

#[tokio::test]
async fn the_summary_of_a_site_and_across_sites_for_an_operator_and_an_observer() {
    let f = fixture().await;
    f.app.site("beta").await;
    let operator = f.app.operator().await;
    let observer = observer(&f.app, &operator).await;
    let (from, to) = (f.tuesdays[0], f.last_friday);

    let path = format!("/api/v1/sites/alpha/reports/summary?from={from}&to={to}");
    let s = ok(f.app.get(&path, Some(&f.admin.token)).await, 200, "summary").await;
    // The duty's room has no opening hours (open all day) and the site no
    // holiday: open 24 h on each of the period's days (its length depends on
    // the weekday the test runs). No computer was booked.
    let open = ((to - from).num_days() + 1) as f64 * 24.0;
    let expected = json!({
        "site": "alpha", "name": "Test committee", "from": from, "to": to,
        "room_booked_hours": 2.0, "room_open_hours": open,
        "computer_booked_hours": 0.0, "computer_used_hours": 0.0, "computer_no_shows": 0,
        "waitlist_served": 0, "urgent_displacements": 0,
        "desk_hours": 31.5, "desk_spread_hours": 7.0, "uncovered_posts": 1, "swaps_taken": 1,
        "volunteer_hours": 6.0, "volunteer_absences": 1, "volunteer_covers": 1,
    });
    assert_eq!(s, expected);
    // The site's figures agree with the rooms report's for the same dates.
    let rooms = format!("/api/v1/sites/alpha/reports/rooms?from={from}&to={to}");
    let r = ok(f.app.get(&rooms, Some(&f.admin.token)).await, 200, "rooms").await;
    assert_eq!(
        (&r["booked_hours"], &r["open_hours"]),
        (&s["room_booked_hours"], &s["room_open_hours"])
    );
    assert_eq!(
        csv(&f.app, &path, &f.admin.token).await,
        format!(
            "measure,hours,count\r\nroom_booked_hours,2.00,\r\nroom_open_hours,{open:.2},\r\n\
             computer_booked_hours,0.00,\r\ncomputer_used_hours,0.00,\r\ncomputer_no_shows,,0\r\n\
             waitlist_served,,0\r\nurgent_displacements,,0\r\n\
             desk_hours,31.50,\r\ndesk_spread_hours,7.00,\r\nuncovered_posts,,1\r\nswaps_taken,,1\r\n\
             volunteer_hours,6.00,\r\nvolunteer_absences,,1\r\nvolunteer_covers,,1\r\n"
        )
    );
    // The observer reads the site's summary too, without being a member.
    let by_observer = ok(f.app.get(&path, Some(&observer.token)).await, 200, "observer").await;
    assert_eq!(by_observer, expected);

    let every = format!("/api/v1/reports/summary?from={from}&to={to}");
    for who in [&operator, &observer] {
        let all = ok(f.app.get(&every, Some(&who.token)).await, 200, "across sites").await;
        let sites = all["sites"].as_array().unwrap();
        assert_eq!(sites.len(), 2, "{all}");
        assert_eq!(sites[0], expected);
        assert_eq!(sites[1]["site"], "beta");
        assert_eq!(sites[1]["desk_hours"], 0.0);
        assert_eq!(sites[1]["volunteer_hours"], 0.0);
        let csv = csv(&f.app, &every, &who.token).await;
        assert_eq!(
            csv,
            format!(
                "site,room_booked_hours,room_open_hours,computer_booked_hours,computer_used_hours,\
                 computer_no_shows,waitlist_served,urgent_displacements,desk_hours,desk_spread_hours,\
                 uncovered_posts,swaps_taken,volunteer_hours,volunteer_absences,volunteer_covers\r\n\
                 Test committee,2.00,{open:.2},0.00,0.00,0,0,0,31.50,7.00,1,1,6.00,1,1\r\n\
                 Test committee,0.00,0.00,0.00,0.00,0,0,0,0.00,0.00,0,0,0.00,0,0\r\n\
                 合计,2.00,{open:.2},0.00,0.00,0,0,0,31.50,,1,1,6.00,1,1\r\n"
            )
        );
        totals_are_sums(&csv);
    }
    // A site's admin is neither.
    problem(f.app.get(&every, Some(&f.admin.token)).await, 403).await;
    problem(f.app.get(&every, None).await, 401).await;
}

#[tokio::test]
async fn an_observer_reads_but_every_change_is_refused() {
    let f = fixture().await;
    let operator = f.app.operator().await;
    let observer = observer(&f.app, &operator).await;
    let t = &observer.token;
    let app = &f.app;

    // Reads: the site, the boards' data, the reports; every site listed.
    ok(app.get("/api/v1/sites/alpha", Some(t)).await, 200, "site").await;
    ok(app.get("/api/v1/sites/alpha/rota", Some(t)).await, 200, "rota").await;
    ok(
        app.get("/api/v1/sites/alpha/reports/volunteer-hours", Some(t))
            .await,
        200,
        "hours",
    )
    .await;
    let sites = ok(app.get("/api/v1/sites", Some(t)).await, 200, "sites").await;
    assert_eq!(sites["items"].as_array().unwrap().len(), 1);
    // Not people's details, nor the audit trail.
    problem(app.get("/api/v1/sites/alpha/members", Some(t)).await, 403).await;
    problem(app.get("/api/v1/sites/alpha/audit", Some(t)).await, 403).await;

    // Changes: refused, and nothing changed.
    let booking = json!({"resource_id": f.room, "starts_at": sh(2, 9, 0), "ends_at": sh(2, 10, 0),
                         "purpose": "x"});
    problem(
        app.post("/api/v1/sites/alpha/bookings", &booking, Some(t)).await,
        403,
    )
    .await;
    problem(
        app.patch("/api/v1/sites/alpha", &json!({"name": "Renamed"}), Some(t))
            .await,
        403,
    )
    .await;
    problem(
        app.post(
            "/api/v1/sites/alpha/duties",
            &json!({"name": "Library", "weekday": "wed", "start": "14:00", "end": "16:00", "capacity": 2}),
            Some(t),
        )
        .await,
        403,
    )
    .await;
    problem(
        put(app, "/api/v1/sites/alpha/rota/templates", &json!([]), t).await,
        403,
    )
    .await;
    problem(
        app.post(
            "/api/v1/sites/alpha/members",
            &json!({"email": "x@test.example", "name": "X", "roles": ["staff"]}),
            Some(t),
        )
        .await,
        403,
    )
    .await;
    problem(
        app.post(
            "/api/v1/sites",
            &json!({"slug": "gamma", "name": "G", "timezone": "UTC"}),
            Some(t),
        )
        .await,
        403,
    )
    .await;
    // An observer cannot make observers; nor can a site's admin.
    let path = format!("/api/v1/admin/users/{}/observer", f.wang.id);
    problem(put(app, &path, &json!({"observer": true}), t).await, 403).await;
    problem(
        put(app, &path, &json!({"observer": true}), &f.admin.token).await,
        403,
    )
    .await;
    problem(
        put(
            app,
            "/api/v1/admin/users/999999/observer",
            &json!({"observer": true}),
            &operator.token,
        )
        .await,
        404,
    )
    .await;
    let site = ok(app.get("/api/v1/sites/alpha", Some(t)).await, 200, "site").await;
    assert_eq!(site["name"], "Test committee");
    let templates = ok(
        app.get("/api/v1/sites/alpha/rota/templates", Some(t)).await,
        200,
        "templates",
    )
    .await;
    assert_eq!(templates.as_array().map(Vec::len), Some(5), "{templates}");

    // Undone by the operator, the account sees no site again.
    let me = format!("/api/v1/admin/users/{}/observer", observer.id);
    ok(
        put(app, &me, &json!({"observer": false}), &operator.token).await,
        200,
        "undo",
    )
    .await;
    problem(app.get("/api/v1/sites/alpha", Some(t)).await, 404).await;
}
