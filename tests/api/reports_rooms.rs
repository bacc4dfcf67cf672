//! Reports 1 (room utilisation) and 2 (computers) against a small fixture
//! computed by hand, and the bookings list as CSV (issue 22).
//!
//! The fixture lies in a past fortnight, Monday 2026-03-02 to Sunday
//! 2026-03-15 in Shanghai (UTC+8), with Wednesday 03-04 a holiday and
//! Saturday 03-07 a make-up working day. Rooms and computers are made
//! through the API; their history (check-ins, releases, a displacement, the
//! waitlist) is written straight into the tables as the workflows leave it,
//! since no API call can make the past.

use chrono::{NaiveDate, NaiveDateTime, TimeZone};
use diesel::prelude::*;
use serde_json::{Value, json};

use crate::helpers::{Person, TestApp, spawn_app};
use livingroom::db::schema::{audit_log, bookings, waitlist};
use livingroom::domain::person::Roles;

/// Shanghai wall time on a day of March 2026, as stored (UTC).
fn sh(day: u32, hour: u32, minute: u32) -> NaiveDateTime {
    let local = NaiveDate::from_ymd_opt(2026, 3, day)
        .unwrap()
        .and_hms_opt(hour, minute, 0)
        .unwrap();
    chrono_tz::Asia::Shanghai
        .from_local_datetime(&local)
        .unwrap()
        .naive_utc()
}

/// A booking as the workflows leave it.
struct Past {
    resource: i64,
    from: NaiveDateTime,
    to: NaiveDateTime,
    status: &'static str,
    urgency: &'static str,
    group: Option<i64>,
    checked_in: Option<NaiveDateTime>,
    ended: Option<NaiveDateTime>,
    end_reason: Option<&'static str>,
}

impl Past {
    fn confirmed(resource: i64, from: NaiveDateTime, to: NaiveDateTime) -> Past {
        Past {
            resource,
            from,
            to,
            status: "confirmed",
            urgency: "routine",
            group: None,
            checked_in: None,
            ended: None,
            end_reason: None,
        }
    }
}

/// Writes `b` for `owner` at site `alpha`; returns its id.
async fn write(app: &TestApp, owner: &Person, b: Past) -> i64 {
    let owner = owner.id;
    app.db
        .write(move |conn| {
            let site: i64 = livingroom::db::schema::resources::table
                .find(b.resource)
                .select(livingroom::db::schema::resources::site_id)
                .first(conn)?;
            diesel::insert_into(bookings::table)
                .values((
                    bookings::site_id.eq(site),
                    bookings::resource_id.eq(b.resource),
                    bookings::owner_id.eq(owner),
                    bookings::group_id.eq(b.group),
                    bookings::starts_at.eq(b.from),
                    bookings::ends_at.eq(b.to),
                    bookings::busy_until.eq(b.to),
                    bookings::status.eq(b.status),
                    bookings::urgency.eq(b.urgency),
                    bookings::purpose.eq("meeting"),
                    bookings::flexible.eq(false),
                    bookings::created_at.eq(b.from - chrono::Duration::days(1)),
                    bookings::updated_at.eq(b.from),
                    bookings::checked_in_at.eq(b.checked_in),
                    bookings::ended_at.eq(b.ended),
                    bookings::end_reason.eq(b.end_reason),
                ))
                .execute(conn)?;
            Ok(bookings::table
                .select(diesel::dsl::max(bookings::id))
                .first::<Option<i64>>(conn)?
                .unwrap_or_default())
        })
        .await
        .expect("write a past booking")
}

/// A waitlist entry for `pool` (or `resource`) that joined at `joined` and
/// left with `status` at `ended`.
async fn wait(
    app: &TestApp,
    owner: &Person,
    resource: Option<i64>,
    pool: Option<&'static str>,
    joined: NaiveDateTime,
    status: &'static str,
    ended: NaiveDateTime,
) {
    let owner = owner.id;
    app.db
        .write(move |conn| {
            let site: i64 = livingroom::db::schema::sites::table
                .select(livingroom::db::schema::sites::id)
                .first(conn)?;
            diesel::insert_into(waitlist::table)
                .values((
                    waitlist::site_id.eq(site),
                    waitlist::owner_id.eq(owner),
                    waitlist::resource_id.eq(resource),
                    waitlist::pool.eq(pool),
                    waitlist::starts_at.eq(joined + chrono::Duration::hours(1)),
                    waitlist::ends_at.eq(joined + chrono::Duration::hours(2)),
                    waitlist::latest_start.eq(joined + chrono::Duration::hours(1)),
                    waitlist::urgency.eq("routine"),
                    waitlist::purpose.eq("forms"),
                    waitlist::flexible.eq(true),
                    waitlist::status.eq(status),
                    waitlist::requested_at.eq(joined),
                    waitlist::created_at.eq(joined),
                    waitlist::ended_at.eq(Some(ended)),
                ))
                .execute(conn)?;
            Ok(())
        })
        .await
        .expect("write a waitlist entry")
}

async fn holidays(app: &TestApp, admin: &Person) {
    let res = app
        .client
        .put(app.url("/api/v1/sites/alpha/calendar"))
        .bearer_auth(&admin.token)
        .json(&json!({"holidays": ["2026-03-04"], "workdays": ["2026-03-07"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
}

async fn report(app: &TestApp, who: &Person, which: &str) -> reqwest::Response {
    app.client
        .get(app.url(&format!(
            "/api/v1/sites/alpha/reports/{which}?from=2026-03-02&to=2026-03-15"
        )))
        .bearer_auth(&who.token)
        .send()
        .await
        .unwrap()
}

async fn csv(app: &TestApp, who: &Person, path: &str) -> String {
    let res = app
        .client
        .get(app.url(path))
        .bearer_auth(&who.token)
        .header("Accept", "text/csv")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["content-type"].to_str().unwrap(),
        "text/csv; charset=utf-8"
    );
    res.text().await.unwrap()
}

/// A figure equal to `want` (to a millionth: the shares are fractions).
fn near(v: &Value, want: f64) {
    let got = v.as_f64().unwrap_or_else(|| panic!("{v} is no number"));
    assert!((got - want).abs() < 1e-6, "got {got}, want {want}");
}

/// The CSV's lines as cells, and the column `key`'s sum over the rows
/// against the totals row (the last line).
fn rows_add_up(text: &str, key: &str) -> f64 {
    let lines: Vec<Vec<&str>> = text.lines().map(|l| l.split(',').collect()).collect();
    let col = lines[0].iter().position(|h| *h == key).expect(key);
    let (totals, rows) = lines[1..].split_last().unwrap();
    let sum: f64 = rows.iter().map(|r| r[col].parse::<f64>().unwrap()).sum();
    let total: f64 = totals[col].parse().unwrap();
    assert!(
        (sum - total).abs() < 1e-9,
        "{key}: rows sum to {sum}, totals say {total}"
    );
    total
}

#[tokio::test]
async fn room_utilisation_matches_the_hand_computed_fixture() {
    let app = spawn_app().await;
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    holidays(&app, &admin).await;
    let weekdays = json!({"mon": ["09:00-12:00"], "tue": ["09:00-12:00"], "wed": ["09:00-12:00"],
                          "thu": ["09:00-12:00"], "fri": ["09:00-12:00"]});
    let hall = app
        .resource(
            "alpha",
            &admin,
            json!({"name": "Hall 活动室", "kind": "room", "opening_hours": weekdays}),
        )
        .await;
    let kitchen = app
        .resource(
            "alpha",
            &admin,
            json!({"name": "Kitchen 厨房", "kind": "room", "opening_hours": {"sat": ["14:00-18:00"]}}),
        )
        .await;
    let leader = app.member("alpha", "Wang Li", Roles::GROUP_LEADER, &[]).await;
    let res = app
        .post(
            "/api/v1/sites/alpha/groups",
            &json!({"name": "书法 Calligraphy", "leader_id": leader.id}),
            Some(&admin.token),
        )
        .await;
    assert_eq!(res.status(), 201);
    let group = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();

    // Hall bookings:
    // Mon 03-02 09:00-11:00 for the group, confirmed: 2 h in week 1.
    let mut for_group = Past::confirmed(hall, sh(2, 9, 0), sh(2, 11, 0));
    for_group.group = Some(group);
    let first = write(&app, &admin, for_group).await;
    // Fri 03-06 09:00-10:00, still pending: not counted.
    let mut pending = Past::confirmed(hall, sh(6, 9, 0), sh(6, 10, 0));
    pending.status = "pending";
    write(&app, &admin, pending).await;
    // Tue 03-10 10:00-12:00, confirmed: 2 h in week 2.
    write(&app, &admin, Past::confirmed(hall, sh(10, 10, 0), sh(10, 12, 0))).await;
    // Thu 03-12 09:00-10:30, cancelled: not counted.
    let mut cancelled = Past::confirmed(hall, sh(12, 9, 0), sh(12, 10, 30));
    cancelled.status = "cancelled";
    cancelled.ended = Some(sh(11, 8, 0));
    write(&app, &admin, cancelled).await;
    // Sun 03-15 23:00 to Mon 03-16 01:00 across the period's end: 1 h inside.
    write(&app, &admin, Past::confirmed(hall, sh(15, 23, 0), sh(16, 1, 0))).await;

    let res = report(&app, &admin, "rooms").await;
    assert_eq!(res.status(), 200);
    let r: Value = res.json().await.unwrap();
    assert_eq!(r["from"], "2026-03-02");
    assert_eq!(r["to"], "2026-03-15");
    // Hall, week 1: open Mon, Tue, Thu, Fri 3 h each (Wed 03-04 a holiday)
    // = 12 h; booked 2 h; 2 / 12 = 16.67 %.
    // Hall, week 2: open 5 x 3 = 15 h; booked 2 + 1 = 3 h; 3 / 15 = 20 %.
    let h = &r["rooms"][0];
    assert_eq!(h["name"], "Hall 活动室");
    assert_eq!(h["weeks"][0]["week"], "2026-03-02");
    near(&h["weeks"][0]["open_hours"], 12.0);
    near(&h["weeks"][0]["booked_hours"], 2.0);
    near(&h["weeks"][0]["use_percent"], 200.0 / 12.0);
    assert_eq!(h["weeks"][1]["week"], "2026-03-09");
    near(&h["weeks"][1]["open_hours"], 15.0);
    near(&h["weeks"][1]["booked_hours"], 3.0);
    near(&h["weeks"][1]["use_percent"], 20.0);
    // Hall over the fortnight: 5 of 27 h = 18.52 %.
    near(&h["booked_hours"], 5.0);
    near(&h["open_hours"], 27.0);
    near(&h["use_percent"], 500.0 / 27.0);
    // Kitchen: Saturdays 14:00-18:00, 4 h a week (the make-up Saturday is
    // open by its Saturday hours), never booked: 0 of 8 h.
    let k = &r["rooms"][1];
    assert_eq!(k["resource_id"], kitchen);
    near(&k["open_hours"], 8.0);
    near(&k["booked_hours"], 0.0);
    near(&k["use_percent"], 0.0);
    assert_eq!(
        r["empty_rooms"],
        json!([{"resource_id": kitchen, "name": "Kitchen 厨房"}])
    );
    // By group: the calligraphy class held the hall 2 h.
    assert_eq!(
        r["groups"],
        json!([{"group_id": group, "group": "书法 Calligraphy", "resource_id": hall,
                "room": "Hall 活动室", "booked_hours": 2.0}])
    );
    // Totals: 5 booked of 27 + 8 = 35 open = 14.29 %.
    near(&r["booked_hours"], 5.0);
    near(&r["open_hours"], 35.0);
    near(&r["use_percent"], 500.0 / 35.0);

    // The CSV: a row per room and week, then totals equal to the rows' sums.
    let text = csv(
        &app,
        &admin,
        "/api/v1/sites/alpha/reports/rooms?from=2026-03-02&to=2026-03-15",
    )
    .await;
    assert_eq!(
        text,
        "room,week,booked_hours,open_hours,use_percent\r\n\
         Hall 活动室,2026-03-02,2.00,12.00,16.7\r\n\
         Hall 活动室,2026-03-09,3.00,15.00,20.0\r\n\
         Kitchen 厨房,2026-03-02,0.00,4.00,0.0\r\n\
         Kitchen 厨房,2026-03-09,0.00,4.00,0.0\r\n\
         合计,,5.00,35.00,14.3\r\n"
    );
    assert_eq!(rows_add_up(&text, "booked_hours"), 5.0);
    assert_eq!(rows_add_up(&text, "open_hours"), 35.0);

    // The bookings list as CSV: same filters as the JSON, site-local times.
    let text = csv(
        &app,
        &admin,
        &format!(
            "/api/v1/sites/alpha/bookings?from=2026-03-02T00:00:00%2B08:00&to=2026-03-16T00:00:00%2B08:00&resource_id={hall}&status=confirmed"
        ),
    )
    .await;
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "id,resource_id,resource,starts_at,ends_at,status,urgency,group_id,headcount,checked_in_at,end_reason,owner,purpose"
    );
    assert_eq!(
        lines[1],
        format!(
            "{first},{hall},Hall 活动室,2026-03-02 09:00,2026-03-02 11:00,confirmed,routine,{group},,,,Admin,meeting"
        )
    );
    assert_eq!(lines.len(), 4, "the three confirmed hall bookings: {text}");
    assert!(lines[3].contains("2026-03-15 23:00,2026-03-16 01:00"), "{text}");

    // Staff may not read reports.
    let staff = app.staff("alpha", "Zhao Min").await;
    assert_eq!(report(&app, &staff, "rooms").await.status(), 403);
    // A period backwards is a 422 naming `to`.
    let res = app
        .get(
            "/api/v1/sites/alpha/reports/rooms?from=2026-03-15&to=2026-03-02",
            Some(&admin.token),
        )
        .await;
    let p = crate::helpers::problem(res, 422).await;
    assert!(p.to_string().contains("\"to\""), "{p}");
}

#[tokio::test]
async fn computers_report_matches_the_hand_computed_fixture() {
    let app = spawn_app().await;
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    let pc = |name: &str| json!({"name": name, "kind": "computer", "pool": "computers"});
    let pc1 = app.resource("alpha", &admin, pc("PC 1")).await;
    let pc2 = app.resource("alpha", &admin, pc("PC 2")).await;
    let hall = app
        .resource("alpha", &admin, json!({"name": "Hall", "kind": "room"}))
        .await;

    // PC 1:
    // (a) Mon 03-02 09:00-11:00, checked in 09:15: booked 2 h, used 1.75 h.
    let mut a = Past::confirmed(pc1, sh(2, 9, 0), sh(2, 11, 0));
    a.checked_in = Some(sh(2, 9, 15));
    write(&app, &admin, a).await;
    // (b) Tue 03-03 14:00-16:00, checked in 14:00, displaced at 15:00 by an
    //     urgent request: booked 1 h, used 1 h.
    let mut b = Past::confirmed(pc1, sh(3, 14, 0), sh(3, 16, 0));
    b.status = "cancelled";
    b.checked_in = Some(sh(3, 14, 0));
    b.ended = Some(sh(3, 15, 0));
    b.end_reason = Some("displaced");
    let displaced = write(&app, &admin, b).await;
    // (c) the urgent booking, 15:00-16:00, checked in at 15:00: 1 h and 1 h.
    let mut c = Past::confirmed(pc1, sh(3, 15, 0), sh(3, 16, 0));
    c.urgency = "urgent";
    c.checked_in = Some(sh(3, 15, 0));
    let urgent = write(&app, &admin, c).await;
    // (g) Thu 03-05 10:15-11:15, served from the waitlist, checked in on
    //     time: 1 h and 1 h.
    let mut g = Past::confirmed(pc1, sh(5, 10, 15), sh(5, 11, 15));
    g.checked_in = Some(sh(5, 10, 15));
    write(&app, &admin, g).await;
    // PC 2:
    // (d) Wed 03-04 10:00-11:00, nobody came, released at 10:15: a no-show.
    let mut d = Past::confirmed(pc2, sh(4, 10, 0), sh(4, 11, 0));
    d.status = "released";
    d.ended = Some(sh(4, 10, 15));
    write(&app, &admin, d).await;
    // (e) Thu 03-05 10:00-11:00, confirmed, never checked in: booked 1 h, used 0.
    write(&app, &admin, Past::confirmed(pc2, sh(5, 10, 0), sh(5, 11, 0))).await;

    // Requests refused for want of a free computer, as `bookings::create`
    // records them: one asked for Fri 03-06 counts; one asked for 03-16
    // (after the period) and one for the hall (not a computer) do not.
    let asker = admin.id;
    app.db
        .write(move |conn| {
            use livingroom::domain::interval::Interval;
            use livingroom::domain::resource::ResourceKind;
            use livingroom::store::reports::{Refused, record_refusal};
            let site: i64 = livingroom::db::schema::sites::table
                .select(livingroom::db::schema::sites::id)
                .first(conn)?;
            for (kind, resource_id, day) in [
                (ResourceKind::Computer, None, 6),
                (ResourceKind::Computer, Some(pc1), 16),
                (ResourceKind::Room, Some(hall), 6),
            ] {
                let slot = Interval::of(sh(day, 10, 0).and_utc(), sh(day, 11, 0).and_utc());
                let at = sh(day, 9, 0).and_utc();
                record_refusal(
                    conn,
                    &Refused {
                        site_id: site,
                        user_id: asker,
                        kind,
                        resource_id,
                        slot,
                        at,
                    },
                )?;
            }
            Ok(())
        })
        .await
        .unwrap();

    // The displacement, as `workflows::priority::relocate` records it.
    let site_admin = admin.id;
    app.db
        .write(move |conn| {
            let site: i64 = livingroom::db::schema::sites::table
                .select(livingroom::db::schema::sites::id)
                .first(conn)?;
            diesel::insert_into(audit_log::table)
                .values((
                    audit_log::site_id.eq(site),
                    audit_log::at.eq(sh(3, 15, 0)),
                    audit_log::actor_id.eq(Some(site_admin)),
                    audit_log::action.eq("preemption"),
                    audit_log::booking_id.eq(Some(urgent)),
                    audit_log::other_booking_id.eq(Some(displaced)),
                    audit_log::subject_user_id.eq(Some(site_admin)),
                    audit_log::urgency.eq(Some("urgent")),
                    audit_log::reason.eq(Some("a private reason")),
                    audit_log::details.eq("urgent displaced routine booking"),
                ))
                .execute(conn)?;
            Ok(())
        })
        .await
        .unwrap();

    // The waitlist for the computers' pool: joined Thu 03-05 09:30, served
    // 10:15 (45 min); joined Tue 03-10 09:00, served 10:30 (90 min); joined
    // Fri 03-06 08:00, expired at 12:00. Not counted: one that joined
    // before the period, and one waiting for the hall.
    wait(
        &app,
        &admin,
        None,
        Some("computers"),
        sh(5, 9, 30),
        "served",
        sh(5, 10, 15),
    )
    .await;
    wait(
        &app,
        &admin,
        None,
        Some("computers"),
        sh(10, 9, 0),
        "served",
        sh(10, 10, 30),
    )
    .await;
    wait(
        &app,
        &admin,
        Some(pc2),
        None,
        sh(6, 8, 0),
        "expired",
        sh(6, 12, 0),
    )
    .await;
    wait(
        &app,
        &admin,
        None,
        Some("computers"),
        sh(1, 9, 0),
        "served",
        sh(1, 10, 0),
    )
    .await;
    wait(
        &app,
        &admin,
        Some(hall),
        None,
        sh(9, 9, 0),
        "expired",
        sh(9, 12, 0),
    )
    .await;

    let res = report(&app, &admin, "computers").await;
    assert_eq!(res.status(), 200);
    let r: Value = res.json().await.unwrap();
    // PC 1: booked 2 + 1 + 1 + 1 = 5 h; used 1.75 + 1 + 1 + 1 = 4.75 h.
    let p1 = &r["computers"][0];
    assert_eq!(
        (p1["name"].as_str(), p1["no_shows"].as_u64()),
        (Some("PC 1"), Some(0))
    );
    near(&p1["booked_hours"], 5.0);
    near(&p1["used_hours"], 4.75);
    // PC 2: booked 1 h (e), used 0, one no-show (d).
    let p2 = &r["computers"][1];
    near(&p2["booked_hours"], 1.0);
    near(&p2["used_hours"], 0.0);
    assert_eq!(p2["no_shows"], 1);
    near(&r["booked_hours"], 6.0);
    near(&r["used_hours"], 4.75);
    assert_eq!(r["no_shows"], 1);
    // Waitlist: 3 joined, 2 served after (45 + 90) / 2 = 67.5 min on
    // average, 90 at most; 1 expired.
    let w = &r["waitlist"];
    assert_eq!(
        (
            &w["joined"],
            &w["served"],
            &w["expired"],
            &w["cancelled"],
            &w["waiting"]
        ),
        (&json!(3), &json!(2), &json!(1), &json!(0), &json!(0))
    );
    near(&w["wait_minutes_mean"], 67.5);
    near(&w["wait_minutes_max"], 90.0);
    // One displacement, by an urgent request; the reason's words never appear.
    assert_eq!(
        r["displacements"],
        json!({"total": 1, "by_urgency": {"urgent": 1}})
    );
    assert!(!r.to_string().contains("private"), "{r}");
    // One computer request refused in the period; nothing left uncounted.
    assert_eq!(r["refused"], json!(1));
    assert_eq!(r["not_counted"], json!([]));

    let text = csv(
        &app,
        &admin,
        "/api/v1/sites/alpha/reports/computers?from=2026-03-02&to=2026-03-15",
    )
    .await;
    assert_eq!(
        text,
        "computer,booked_hours,used_hours,no_shows\r\n\
         PC 1,5.00,4.75,0\r\n\
         PC 2,1.00,0.00,1\r\n\
         合计,6.00,4.75,1\r\n"
    );
    assert_eq!(rows_add_up(&text, "booked_hours"), 6.0);
    assert_eq!(rows_add_up(&text, "used_hours"), 4.75);
    assert_eq!(rows_add_up(&text, "no_shows"), 1.0);

    // A week without any of it: all zero, nothing waited.
    let res = app
        .get(
            "/api/v1/sites/alpha/reports/computers?from=2026-04-06&to=2026-04-12",
            Some(&admin.token),
        )
        .await;
    let r: Value = res.json().await.unwrap();
    near(&r["booked_hours"], 0.0);
    assert_eq!(r["waitlist"]["wait_minutes_mean"], Value::Null);
}

/// A request refused because the computer is taken is answered 409 as
/// before, books nothing, and is counted; a request refused by a rule (its
/// own mistake) and a dry run are not.
#[tokio::test]
async fn a_request_refused_for_want_of_a_computer_is_counted_and_nothing_else() {
    let app = spawn_app().await;
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    let (li, wang) = (
        app.staff("alpha", "Li Na").await,
        app.staff("alpha", "Wang").await,
    );
    let pc = app
        .resource(
            "alpha",
            &admin,
            json!({"name": "PC 1", "kind": "computer", "rules": {"check_in_required": false}}),
        )
        .await;
    let tz = chrono_tz::Asia::Shanghai;
    let tomorrow = (chrono::Utc::now().with_timezone(&tz) + chrono::Duration::days(1)).date_naive();
    let at = |h: u32| {
        tz.from_local_datetime(&tomorrow.and_hms_opt(h, 0, 0).unwrap())
            .unwrap()
            .with_timezone(&chrono::Utc)
            .to_rfc3339()
    };
    let ask = |start: u32, end: u32| json!({"resource_id": pc, "starts_at": at(start), "ends_at": at(end), "purpose": "材料"});
    assert_eq!(app.book("alpha", &li, ask(10, 11)).await.status(), 201);
    // Taken: refused, counted.
    let refused = app.book("alpha", &wang, ask(10, 11)).await;
    assert_eq!(refused.status(), 409);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["conflicts"].as_array().map(Vec::len), Some(1), "{body}");
    // Asking again for the same time (a retry, a second tap): refused
    // again, still one request refused.
    assert_eq!(app.book("alpha", &wang, ask(10, 11)).await.status(), 409);
    // A dry run of the same: refused, not counted (it changes nothing).
    let dry = app
        .post(
            "/api/v1/sites/alpha/bookings?dry_run=true",
            &ask(10, 11),
            Some(&wang.token),
        )
        .await;
    assert_eq!(dry.status(), 409);
    // Its own mistake (ends before it starts): refused, not counted.
    let wrong = app.book("alpha", &wang, ask(12, 11)).await;
    assert_eq!(wrong.status(), 422);

    let path = format!("/api/v1/sites/alpha/reports/computers?from={tomorrow}&to={tomorrow}");
    let r: Value = app.get(&path, Some(&admin.token)).await.json().await.unwrap();
    assert_eq!(r["refused"], json!(1), "{r}");
    // Nothing else was written by the refusal: Wang holds no booking.
    let mine: Value = app
        .get("/api/v1/sites/alpha/bookings?mine=true", Some(&wang.token))
        .await
        .json()
        .await
        .unwrap();
    assert!(
        !mine.to_string().contains(&format!("\"resource_id\":{pc}")),
        "{mine}"
    );
}
