//! The group leader's room pages: the week grid's states, the preview of
//! a weekly request naming its clashes (booking nothing), booking with the
//! clashing dates skipped, CSRF, other sites' members, and errors next to
//! their fields.

use chrono::{Datelike, Duration, NaiveDate};
use livingroom::domain::person::Roles;
use serde_json::{Value, json};

use crate::helpers::{Person, TestApp, spawn_app};
use crate::web::{csrf_in, page, post, sign_in};

struct Setup {
    admin: Person,
    leader: Person,
    room: i64,
    group: i64,
    other_group: i64,
    staff: Person,
}

/// A room open on weekdays 08:00-12:00 (closed at weekends), no notice,
/// for ten people; a leader with her group, another leader's group, and a
/// staff member.
async fn setup(app: &TestApp) -> Setup {
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    let hours: Value = ["mon", "tue", "wed", "thu", "fri"]
        .iter()
        .map(|d| ((*d).to_owned(), json!(["08:00-12:00"])))
        .collect::<serde_json::Map<_, _>>()
        .into();
    let room = app
        .resource(
            "alpha",
            &admin,
            json!({"name": "Qipao room", "kind": "room", "capacity": 10, "opening_hours": hours,
                   "rules": {"min_notice_minutes": 0}}),
        )
        .await;
    let leader = app.member("alpha", "Auntie Lin", Roles::GROUP_LEADER, &[]).await;
    let other = app
        .member("alpha", "Auntie Zheng", Roles::GROUP_LEADER, &[])
        .await;
    let mut groups = Vec::new();
    for (name, who) in [("Qipao class", &leader), ("Knitting class", &other)] {
        let res = app
            .post(
                "/api/v1/sites/alpha/groups",
                &json!({"name": name, "leader_id": who.id}),
                Some(&admin.token),
            )
            .await;
        assert_eq!(res.status(), 201);
        groups.push(res.json::<Value>().await.unwrap()["id"].as_i64().unwrap());
    }
    let staff = app.staff("alpha", "Qian Kai").await;
    Setup {
        admin,
        leader,
        room,
        group: groups[0],
        other_group: groups[1],
        staff,
    }
}

/// The Tuesday `weeks` weeks after this one, in Shanghai.
fn tuesday(weeks: i64) -> NaiveDate {
    let tz: chrono_tz::Tz = "Asia/Shanghai".parse().unwrap();
    let today = chrono::Utc::now().with_timezone(&tz).date_naive();
    let monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
    monday + Duration::weeks(weeks) + Duration::days(1)
}

fn at(date: NaiveDate, hour: u32) -> String {
    format!("{date}T{hour:02}:00:00+08:00")
}

async fn mine(app: &TestApp, who: &Person) -> Vec<Value> {
    let from = chrono::Utc::now().to_rfc3339();
    let to = (chrono::Utc::now() + Duration::days(60)).to_rfc3339();
    let url = format!(
        "/api/v1/sites/alpha/bookings?mine=true&from={}&to={}",
        urlencode(&from),
        urlencode(&to)
    );
    let res = app.get(&url, Some(&who.token)).await;
    assert_eq!(res.status(), 200);
    // Those that hold the room: cancelled ones stay listed by the API.
    res.json::<Value>().await.unwrap()["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|b| b["status"] == "pending" || b["status"] == "confirmed")
        .collect()
}

fn urlencode(s: &str) -> String {
    s.replace('+', "%2B").replace(':', "%3A")
}

/// The leader's weekly request: `count` Tuesdays from `first`, 09:00-10:00.
fn weekly<'a>(
    csrf: &'a str,
    first: &'a str,
    count: &'a str,
    group: &'a str,
    step: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("date", first),
        ("start", "09:00"),
        ("end", "10:00"),
        ("purpose", "Rehearsal"),
        ("group", group),
        ("headcount", "8"),
        ("repeat", "count"),
        ("count", count),
        ("until", ""),
        ("step", step),
    ]
}

#[tokio::test]
async fn the_week_grid_says_free_taken_and_closed_in_words() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let next = tuesday(1);
    // Another group's booking (any member may know its group), and a staff
    // member's own booking (only staff and admins may know whose).
    let res = app
        .book(
            "alpha",
            &s.admin,
            json!({"resource_id": s.room, "starts_at": at(next, 9), "ends_at": at(next, 10),
                   "purpose": "Knitting", "group_id": s.other_group}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let wed = next + Duration::days(1);
    let res = app
        .book(
            "alpha",
            &s.staff,
            json!({"resource_id": s.room, "starts_at": at(wed, 10), "ends_at": at(wed, 11), "purpose": "Secret talk"}),
        )
        .await;
    assert_eq!(res.status(), 201);

    let cookie = sign_in(&app, &s.leader.email).await;
    let (status, html) = page(
        &app,
        &format!("/s/alpha/rooms?room={}&week={next}", s.room),
        &cookie,
    )
    .await;
    assert_eq!(status, 200);
    assert!(html.contains("Knitting class"), "a taken cell names its group");
    assert!(
        !html.contains("Qian Kai") && !html.contains("Secret talk"),
        "whose, and why, stay hidden from a group leader"
    );
    for class in [
        r#"class="cell free""#,
        r#"class="cell taken""#,
        r#"class="cell closed""#,
    ] {
        assert!(html.contains(class), "{class} missing");
    }
    for word in ["空闲", "已约", "不开放"] {
        assert!(html.contains(word), "{word} is said in words");
    }
    // A free cell opens the form with its room, date and start.
    let link = format!("/s/alpha/rooms/{}/book?date={next}&amp;start=10:00", s.room);
    assert!(html.contains(&link), "free cell links to {link}");
    let taken_link = format!("/s/alpha/rooms/{}/book?date={next}&amp;start=09:00", s.room);
    assert!(!html.contains(&taken_link), "a taken cell is not a link");
    // Saturday is closed all day: no link for it.
    let saturday = next + Duration::days(4);
    assert!(!html.contains(&format!("date={saturday}")));

    // A past week: nothing bookable.
    let (_, past) = page(
        &app,
        &format!("/s/alpha/rooms?room={}&week={}", s.room, tuesday(-1)),
        &cookie,
    )
    .await;
    assert!(past.contains(r#"class="cell past""#) && !past.contains(r#"class="cell free""#));

    // A week at the calendar's end is no week: this one is shown.
    let (status, _) = page(
        &app,
        &format!("/s/alpha/rooms?room={}&week=9999-12-31", s.room),
        &cookie,
    )
    .await;
    assert_eq!(status, 200);

    // Staff see whose booking it is, as the API shows them.
    let staff_cookie = sign_in(&app, &s.staff.email).await;
    let (_, staff_view) = page(
        &app,
        &format!("/s/alpha/rooms?room={}&week={next}", s.room),
        &staff_cookie,
    )
    .await;
    assert!(staff_view.contains("Qian Kai"));
}

#[tokio::test]
async fn the_preview_names_the_clashing_date_and_books_nothing() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let clash = tuesday(2);
    let res = app
        .book(
            "alpha",
            &s.admin,
            json!({"resource_id": s.room, "starts_at": at(clash, 9), "ends_at": at(clash, 10),
                   "purpose": "Knitting", "group_id": s.other_group}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let cookie = sign_in(&app, &s.leader.email).await;
    let form_path = format!("/s/alpha/rooms/{}/book", s.room);
    let (status, form) = page(
        &app,
        &format!("{form_path}?date={}&start=09:00", tuesday(1)),
        &cookie,
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        form.contains(&format!(r#"value="{}""#, tuesday(1))),
        "prefilled date"
    );
    let csrf = csrf_in(&form);
    let (first, group) = (tuesday(1).to_string(), s.group.to_string());
    let res = post(
        &app,
        &form_path,
        &cookie,
        &weekly(&csrf, &first, "3", &group, "preview"),
    )
    .await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert_eq!(html.matches("<li class=\"clash\"").count(), 1, "{html}");
    assert_eq!(html.matches("✓").count(), 2);
    assert!(
        html.contains(&clash.to_string()) && html.contains("Knitting class"),
        "the clash is named"
    );
    assert!(html.contains("跳过这些日期，预约其余 2 次"));
    assert!(mine(&app, &s.leader).await.is_empty(), "a preview books nothing");
}

#[tokio::test]
async fn booking_with_skip_makes_exactly_the_free_dates() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let clash = tuesday(2);
    let res = app
        .book(
            "alpha",
            &s.admin,
            json!({"resource_id": s.room, "starts_at": at(clash, 9), "ends_at": at(clash, 10), "purpose": "Drill"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let cookie = sign_in(&app, &s.leader.email).await;
    let form_path = format!("/s/alpha/rooms/{}/book", s.room);
    let (_, form) = page(&app, &form_path, &cookie).await;
    let csrf = csrf_in(&form);
    let (first, group) = (tuesday(1).to_string(), s.group.to_string());
    let mut fields = weekly(&csrf, &first, "3", &group, "book");
    fields.push(("skip", "1"));
    let res = post(&app, &form_path, &cookie, &fields).await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        res.headers()["location"].to_str().unwrap(),
        "/s/alpha/rooms/mine?done=booked"
    );
    let made = mine(&app, &s.leader).await;
    let dates: Vec<String> = made
        .iter()
        .map(|b| b["starts_at"].as_str().unwrap()[..10].to_owned())
        .collect();
    // 09:00 Shanghai is 01:00 UTC the same day.
    assert_eq!(dates, vec![tuesday(1).to_string(), tuesday(3).to_string()]);
    assert!(
        made.iter()
            .all(|b| b["group_id"] == s.group && b["series_id"] == made[0]["series_id"])
    );

    // Her bookings say so, as one weekly series.
    let (_, list) = page(&app, "/s/alpha/rooms/mine?done=booked", &cookie).await;
    assert!(list.contains("预约好了") && list.contains("每周 周二 09:00–10:00"));
    assert_eq!(list.matches("class=\"badge confirmed\"").count(), 2);

    // Without skip, all or nothing: the clash refuses the whole series.
    let second_first = tuesday(2).to_string();
    let res = post(
        &app,
        &form_path,
        &cookie,
        &weekly(&csrf, &second_first, "2", &group, "book"),
    )
    .await;
    assert_eq!(res.status(), 409, "shown as the preview again");
    assert_eq!(mine(&app, &s.leader).await.len(), 2);

    // One date cancelled, then the rest of the series.
    let one = format!("/s/alpha/rooms/bookings/{}/cancel", made[0]["id"]);
    let res = post(&app, &one, &cookie, &[("csrf", csrf.as_str())]).await;
    assert_eq!(
        res.headers()["location"].to_str().unwrap(),
        "/s/alpha/rooms/mine?done=cancelled"
    );
    assert_eq!(mine(&app, &s.leader).await.len(), 1);
    let all = format!("/s/alpha/rooms/series/{}/cancel", made[0]["series_id"]);
    assert_eq!(
        post(&app, &all, &cookie, &[]).await.status(),
        403,
        "not without the token"
    );
    let res = post(&app, &all, &cookie, &[("csrf", csrf.as_str())]).await;
    assert_eq!(res.status(), 303);
    assert!(mine(&app, &s.leader).await.is_empty());
}

#[tokio::test]
async fn a_form_without_its_csrf_token_is_refused() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let cookie = sign_in(&app, &s.leader.email).await;
    let form_path = format!("/s/alpha/rooms/{}/book", s.room);
    let (first, group) = (tuesday(1).to_string(), s.group.to_string());
    let mut fields = weekly("0123456789abcdef0123456789abcdef", &first, "2", &group, "book");
    let res = post(&app, &form_path, &cookie, &fields).await;
    assert_eq!(res.status(), 403);
    fields.remove(0);
    let res = post(&app, &form_path, &cookie, &fields).await;
    assert_eq!(res.status(), 403);
    assert!(mine(&app, &s.leader).await.is_empty());
}

#[tokio::test]
async fn someone_of_another_site_finds_nothing() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    app.site("beta").await;
    let stranger = app.member("beta", "Stranger", Roles::GROUP_LEADER, &[]).await;
    let cookie = sign_in(&app, &stranger.email).await;
    for path in [
        "/s/alpha/rooms".to_owned(),
        format!("/s/alpha/rooms?room={}", s.room),
        format!("/s/alpha/rooms/{}/book", s.room),
        "/s/alpha/rooms/mine".to_owned(),
        format!("/s/beta/rooms?room={}", s.room),
    ] {
        let (status, _) = page(&app, &path, &cookie).await;
        assert_eq!(status, 404, "{path}");
    }
}

#[tokio::test]
async fn errors_come_back_next_to_their_fields() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let cookie = sign_in(&app, &s.leader.email).await;
    let form_path = format!("/s/alpha/rooms/{}/book", s.room);
    let (_, form) = page(&app, &form_path, &cookie).await;
    let csrf = csrf_in(&form);
    let first = tuesday(1).to_string();

    // The page's own checks: no purpose, an end before the start, a count.
    let res = post(
        &app,
        &form_path,
        &cookie,
        &[
            ("csrf", csrf.as_str()),
            ("date", first.as_str()),
            ("start", "10:00"),
            ("end", "09:00"),
            ("purpose", ""),
            ("repeat", "count"),
            ("count", "99"),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    for id in ["purpose-error", "end-error", "count-error"] {
        assert!(html.contains(&format!("id=\"{id}\"")), "{id} missing");
        assert!(html.contains(&format!("aria-describedby=\"{id}\"")) || html.contains(&format!(" {id}\"")));
    }
    assert!(html.contains("请先改正下面的问题"), "an error summary at the top");

    // The workflow's rules: more people than the room holds, and closed hours.
    let mut fields = weekly(&csrf, &first, "2", "", "preview");
    fields.retain(|(k, _)| *k != "headcount");
    fields.push(("headcount", "50"));
    let res = post(&app, &form_path, &cookie, &fields).await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("id=\"headcount-error\""), "{html}");
    assert!(html.contains("人数超过了这个房间能容纳的人数"));

    let saturday = (tuesday(1) + Duration::days(4)).to_string();
    let res = post(
        &app,
        &form_path,
        &cookie,
        &[
            ("csrf", csrf.as_str()),
            ("date", saturday.as_str()),
            ("start", "09:00"),
            ("end", "10:00"),
            ("purpose", "Rehearsal"),
            ("repeat", "once"),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("id=\"start-error\"") && html.contains("这个时间不开放"),
        "{html}"
    );

    // Booking for a group she does not lead.
    let other = s.other_group.to_string();
    let res = post(
        &app,
        &form_path,
        &cookie,
        &weekly(&csrf, &first, "2", &other, "preview"),
    )
    .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("id=\"group-error\""));
    assert!(mine(&app, &s.leader).await.is_empty());
}

#[tokio::test]
async fn a_room_needing_approval_shows_pending_then_its_outcome() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let hall = app
        .resource(
            "alpha",
            &s.admin,
            json!({"name": "Hall", "kind": "room", "capacity": 90,
                   "rules": {"min_notice_minutes": 0, "requires_approval": true}}),
        )
        .await;
    let cookie = sign_in(&app, &s.leader.email).await;
    let form_path = format!("/s/alpha/rooms/{hall}/book");
    let (_, form) = page(&app, &form_path, &cookie).await;
    assert!(form.contains("需要书记审批"));
    let csrf = csrf_in(&form);
    let (first, group) = (tuesday(1).to_string(), s.group.to_string());
    let res = post(
        &app,
        &form_path,
        &cookie,
        &weekly(&csrf, &first, "2", &group, "book"),
    )
    .await;
    assert_eq!(
        res.headers()["location"].to_str().unwrap(),
        "/s/alpha/rooms/mine?done=pending"
    );
    let (_, list) = page(&app, "/s/alpha/rooms/mine?done=pending", &cookie).await;
    assert_eq!(list.matches("class=\"badge pending\"").count(), 2);

    let made = mine(&app, &s.leader).await;
    let approve = format!("/api/v1/sites/alpha/bookings/{}/approve", made[0]["id"]);
    assert!(
        app.post(&approve, &json!({}), Some(&s.admin.token))
            .await
            .status()
            .is_success()
    );
    let reject = format!("/api/v1/sites/alpha/bookings/{}/reject", made[1]["id"]);
    assert!(
        app.post(&reject, &json!({}), Some(&s.admin.token))
            .await
            .status()
            .is_success()
    );
    let (_, list) = page(&app, "/s/alpha/rooms/mine", &cookie).await;
    assert_eq!(list.matches("class=\"badge confirmed\"").count(), 1);
    assert_eq!(
        list.matches("class=\"badge rejected\"").count(),
        1,
        "the outcome is shown: not approved"
    );
    assert!(list.contains("未批准"));
}
