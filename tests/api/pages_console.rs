//! The secretary's console (issue 22): the approval queue, deciding with a
//! reason the requester is told, the reason's limits as the API keeps them,
//! and that only the site's admin reaches it.

use livingroom::domain::person::Roles;
use serde_json::{Value, json};

use crate::helpers::{Person, TestApp, problem, sh, spawn_app};
use crate::web::{csrf_in, location, page, post, sign_in};

struct Setup {
    admin: Person,
    leader: Person,
    room: i64,
}

/// A room that needs approval, open all day, and a group leader.
async fn setup(app: &TestApp) -> Setup {
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    let room = app
        .resource(
            "alpha",
            &admin,
            json!({"name": "Activity room", "kind": "room", "capacity": 20,
                   "rules": {"requires_approval": true, "min_notice_minutes": 0}}),
        )
        .await;
    let leader = app.member("alpha", "Auntie Lin", Roles::GROUP_LEADER, &[]).await;
    Setup { admin, leader, room }
}

async fn request(app: &TestApp, s: &Setup, days: i64, purpose: &str) -> i64 {
    let res = app
        .book(
            "alpha",
            &s.leader,
            json!({"resource_id": s.room, "starts_at": sh(days, 14, 0), "ends_at": sh(days, 16, 0), "purpose": purpose}),
        )
        .await;
    let b: Value = res.json().await.unwrap();
    assert_eq!(b["status"], "pending", "{b}");
    b["id"].as_i64().unwrap()
}

async fn status_of(app: &TestApp, admin: &Person, id: i64) -> String {
    let res = app
        .get(&format!("/api/v1/sites/alpha/bookings/{id}"), Some(&admin.token))
        .await;
    res.json::<Value>().await.unwrap()["status"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn rejection_mail(app: &TestApp, email: String) -> String {
    app.db
        .read(move |conn| {
            use diesel::prelude::*;
            use livingroom::db::schema::outbox;
            Ok(outbox::table
                .filter(outbox::kind.eq("booking_rejected"))
                .filter(outbox::to_address.eq(email))
                .order(outbox::id.desc())
                .select(outbox::content)
                .first(conn)?)
        })
        .await
        .unwrap()
}

#[tokio::test]
async fn the_api_tells_the_requester_why_a_booking_is_not_approved() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let id = request(&app, &s, 3, "Choir").await;
    let url = format!("/api/v1/sites/alpha/bookings/{id}/reject");
    // Too long: refused, naming the field, and nothing changes.
    let long = "长".repeat(501);
    let p = problem(
        app.post(&url, &json!({"reason": long}), Some(&s.admin.token))
            .await,
        422,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "reason", "{p}");
    assert_eq!(status_of(&app, &s.admin, id).await, "pending");
    let res = app
        .post(
            &url,
            &json!({"reason": "那天有社区大会，请改到下周。"}),
            Some(&s.admin.token),
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(status_of(&app, &s.admin, id).await, "rejected");
    let mail = rejection_mail(&app, s.leader.email.clone()).await;
    assert!(mail.contains("那天有社区大会，请改到下周。"), "{mail}");
    // No body at all still rejects (clients written before the reason).
    let other = request(&app, &s, 4, "Knitting").await;
    let res = app
        .client
        .post(app.url(&format!("/api/v1/sites/alpha/bookings/{other}/reject")))
        .bearer_auth(&s.admin.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(status_of(&app, &s.admin, other).await, "rejected");
}

#[tokio::test]
async fn the_secretary_works_the_approval_queue_in_the_console() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let first = request(&app, &s, 2, "Choir practice").await;
    let second = request(&app, &s, 5, "Calligraphy").await;

    // Only the admin: a group leader is refused, and has no console link.
    let leader = sign_in(&app, &s.leader.email).await;
    let (status, _) = page(&app, "/s/alpha/console/approvals", &leader).await;
    assert_eq!(status, 403);
    let (_, home) = page(&app, "/s/alpha", &leader).await;
    assert!(
        !home.contains("/s/alpha/console"),
        "a leader sees no console link"
    );

    let admin = sign_in(&app, &s.admin.email).await;
    let (status, home) = page(&app, "/s/alpha/console", &admin).await;
    assert_eq!(status, 200);
    assert!(
        home.contains("2 个预约等待审批") || home.contains("2 booking(s)"),
        "{home}"
    );
    let (status, queue) = page(&app, "/s/alpha/console/approvals", &admin).await;
    assert_eq!(status, 200);
    let (a, b) = (
        queue.find("Choir practice").unwrap(),
        queue.find("Calligraphy").unwrap(),
    );
    assert!(a < b, "soonest first");
    assert!(
        queue.contains("Auntie Lin") && queue.contains("Activity room"),
        "names, not ids"
    );
    let csrf = csrf_in(&queue);
    let action = format!("/s/alpha/console/approvals/{first}");

    // A forged form changes nothing.
    let res = post(
        &app,
        &action,
        &admin,
        &[("csrf", "forged"), ("decision", "approve")],
    )
    .await;
    assert_eq!(res.status(), 403);
    assert_eq!(status_of(&app, &s.admin, first).await, "pending");

    // A reason over the limit comes back next to its field, as written.
    let long = "x".repeat(501);
    let res = post(
        &app,
        &format!("/s/alpha/console/approvals/{second}"),
        &admin,
        &[("csrf", &csrf), ("decision", "reject"), ("reason", &long)],
    )
    .await;
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    assert!(body.contains(&format!(r#"id="reason-{second}-error""#)), "{body}");
    assert!(body.contains(&long), "what she wrote is kept");
    assert_eq!(status_of(&app, &s.admin, second).await, "pending");

    // Approve one; do not approve the other, saying why.
    let res = post(&app, &action, &admin, &[("csrf", &csrf), ("decision", "approve")]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/s/alpha/console/approvals?done=approved");
    assert_eq!(status_of(&app, &s.admin, first).await, "confirmed");
    let res = post(
        &app,
        &format!("/s/alpha/console/approvals/{second}"),
        &admin,
        &[
            ("csrf", &csrf),
            ("decision", "reject"),
            ("reason", "那天大厅要布置。"),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    assert_eq!(status_of(&app, &s.admin, second).await, "rejected");
    let mail = rejection_mail(&app, s.leader.email.clone()).await;
    assert!(mail.contains("那天大厅要布置。"), "{mail}");

    let (_, queue) = page(&app, "/s/alpha/console/approvals", &admin).await;
    assert!(
        !queue.contains("Choir practice") && !queue.contains("Calligraphy"),
        "{queue}"
    );
}

async fn members_of(app: &TestApp, admin: &Person) -> Vec<Value> {
    let res = app
        .get("/api/v1/sites/alpha/members?limit=100", Some(&admin.token))
        .await;
    res.json::<Value>().await.unwrap()["items"]
        .as_array()
        .cloned()
        .unwrap()
}

#[tokio::test]
async fn the_secretary_invites_changes_and_removes_people_in_the_console() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let staff = app.staff("alpha", "Qian Kai").await;

    // Staff are refused the console's people.
    let cookie = sign_in(&app, &staff.email).await;
    assert_eq!(page(&app, "/s/alpha/console/people", &cookie).await.0, 403);

    let admin = sign_in(&app, &s.admin.email).await;
    let (status, list) = page(&app, "/s/alpha/console/people", &admin).await;
    assert_eq!(status, 200);
    assert!(
        list.contains("Qian Kai") && list.contains("Auntie Lin"),
        "members listed by name"
    );
    let csrf = csrf_in(&list);

    // Mistakes come back next to their fields, as written; nobody is invited.
    let res = post(
        &app,
        "/s/alpha/console/people",
        &admin,
        &[
            ("csrf", &csrf),
            ("email", "not-an-address"),
            ("name", "王芳"),
            ("skills", "medical"),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    assert!(
        body.contains(r#"id="email-error""#) && body.contains(r#"id="roles-error""#),
        "{body}"
    );
    assert!(
        body.contains("not-an-address") && body.contains("王芳"),
        "what she wrote is kept"
    );
    assert_eq!(members_of(&app, &s.admin).await.len(), 3);

    // A good invitation: listed as invited with its roles and skills.
    let res = post(
        &app,
        "/s/alpha/console/people",
        &admin,
        &[
            ("csrf", &csrf),
            ("email", "wang.fang@example.org"),
            ("name", "王芳"),
            ("other_name", "Wang Fang"),
            ("role_volunteer", "on"),
            ("skills", "medical，legal"),
            ("language", "zh-CN"),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/s/alpha/console/people?done=invited");
    let wang = members_of(&app, &s.admin)
        .await
        .into_iter()
        .find(|m| m["email"] == "wang.fang@example.org")
        .expect("invited");
    assert_eq!(wang["status"], "invited");
    assert_eq!(wang["roles"], json!(["volunteer"]));
    assert_eq!(wang["skills"], json!(["legal", "medical"]));
    let (_, list) = page(&app, "/s/alpha/console/people", &admin).await;
    let invited_at = list.find("王芳").unwrap();
    assert!(
        invited_at < list.find("Qian Kai").unwrap(),
        "the invited are listed first"
    );
    // The same address again is refused in her words.
    let res = post(
        &app,
        "/s/alpha/console/people",
        &admin,
        &[
            ("csrf", &csrf),
            ("email", "wang.fang@example.org"),
            ("name", "王芳"),
            ("role_staff", "on"),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);

    // Change a member: roles, skills and senior.
    let path = format!("/s/alpha/console/people/{}", staff.id);
    let (status, form) = page(&app, &path, &admin).await;
    assert_eq!(status, 200);
    assert!(form.contains(r#"name="role_staff" checked"#), "{form}");
    let res = post(
        &app,
        &path,
        &admin,
        &[
            ("csrf", &csrf),
            ("role_staff", "on"),
            ("role_volunteer", "on"),
            ("skills", "legal"),
            ("senior", "on"),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    let qian = members_of(&app, &s.admin)
        .await
        .into_iter()
        .find(|m| m["user_id"] == staff.id)
        .unwrap();
    assert_eq!(qian["roles"], json!(["staff", "volunteer"]));
    assert_eq!(qian["skills"], json!(["legal"]));
    assert_eq!(qian["senior"], true);

    // The last admin cannot stop being one; the refusal is next to the roles.
    let res = post(
        &app,
        &format!("/s/alpha/console/people/{}", s.admin.id),
        &admin,
        &[("csrf", &csrf), ("role_staff", "on")],
    )
    .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains(r#"id="roles-error""#));

    // Removing asks once, then removes.
    let (status, confirm) = page(&app, &format!("{path}/remove"), &admin).await;
    assert_eq!(status, 200);
    assert!(confirm.contains("Qian Kai"), "the question names the person");
    let res = post(&app, &format!("{path}/remove"), &admin, &[("csrf", "forged")]).await;
    assert_eq!(res.status(), 403);
    let res = post(&app, &format!("{path}/remove"), &admin, &[("csrf", &csrf)]).await;
    assert_eq!(res.status(), 303);
    assert!(
        members_of(&app, &s.admin)
            .await
            .iter()
            .all(|m| m["user_id"] != staff.id)
    );
}

/// Issue 22, 值班: the week's duty dates with the short ones first; a date
/// to come shows who is on and cannot be marked yet; a date that has
/// begun records a walk-in who covered, as the API's attendance does.
#[tokio::test]
async fn the_secretary_sees_short_dates_first_and_records_who_came() {
    use chrono::{Datelike, Duration};
    let app = spawn_app().await;
    let s = setup(&app).await;
    let tz: chrono_tz::Tz = "Asia/Shanghai".parse().unwrap();
    let yesterday = chrono::Utc::now().with_timezone(&tz).date_naive() - Duration::days(1);
    let weekday = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        [yesterday.weekday().num_days_from_monday() as usize];
    let res = app
        .post(
            "/api/v1/sites/alpha/duties",
            &json!({"name": "阅览室值班", "weekday": weekday, "start": "08:00", "end": "10:00", "capacity": 2}),
            Some(&s.admin.token),
        )
        .await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let duty = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    app.db
        .write(move |conn| {
            use diesel::prelude::*;
            use livingroom::db::schema::duties;
            diesel::update(duties::table.find(duty))
                .set(duties::from_date.eq(yesterday - Duration::weeks(2)))
                .execute(conn)?;
            Ok(())
        })
        .await
        .unwrap();
    let chen = app.member("alpha", "Chen Mei", Roles::VOLUNTEER, &[]).await;
    let huang = app.member("alpha", "Dr Huang", Roles::VOLUNTEER, &[]).await;
    let res = app
        .post(
            &format!("/api/v1/sites/alpha/duties/{duty}/signups"),
            &json!({"scope": "weekly"}),
            Some(&chen.token),
        )
        .await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());

    let staff = app.staff("alpha", "Qian Kai").await;
    let cookie = sign_in(&app, &staff.email).await;
    assert_eq!(page(&app, "/s/alpha/console/duties", &cookie).await.0, 403);

    let admin = sign_in(&app, &s.admin.email).await;
    // Next week: Chen Mei is on, one place is free, nothing can be marked.
    let next = yesterday + Duration::days(7);
    let (status, week) = page(&app, &format!("/s/alpha/console/duties?week={next}"), &admin).await;
    assert_eq!(status, 200);
    let short = week.find("缺人的时段").unwrap();
    let all = week.find("本周的值班").unwrap();
    assert!(
        week[short..all].contains("阅览室值班"),
        "the short date is listed first"
    );
    assert!(week[all..].contains("Chen Mei"), "who is on, by name");
    assert!(!week.contains("/attendance"), "a date to come cannot be marked");
    let csrf = csrf_in(&week);

    // Yesterday's date has begun: record Dr Huang, who covered unasked.
    let (_, past) = page(&app, &format!("/s/alpha/console/duties?week={yesterday}"), &admin).await;
    let action = format!("/s/alpha/console/duties/{duty}/{yesterday}/attendance");
    assert!(past.contains(&action), "a begun date can be marked");
    let huang_id = huang.id.to_string();
    let form = [
        ("csrf", csrf.as_str()),
        ("volunteer_id", huang_id.as_str()),
        ("status", "attended"),
        ("week", "x"),
    ];
    let res = post(
        &app,
        &action,
        &admin,
        &[
            ("csrf", "forged"),
            ("volunteer_id", &huang_id),
            ("status", "attended"),
        ],
    )
    .await;
    assert_eq!(res.status(), 403);
    let res = post(&app, &action, &admin, &form).await;
    assert_eq!(res.status(), 303);
    assert!(location(&res).ends_with("&done=marked"), "{}", location(&res));
    let (_, past) = page(&app, &format!("/s/alpha/console/duties?week={yesterday}"), &admin).await;
    assert!(
        past.contains("Dr Huang") && past.contains("已记：到了"),
        "the walk-in is recorded"
    );
    let report: Value = app
        .get(
            &format!("/api/v1/sites/alpha/reports/volunteer-hours?from={yesterday}&to={yesterday}"),
            Some(&s.admin.token),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(report["total_hours"], 2.0, "{report}");
}

/// Issue 22, 日历: holidays pasted as a range, what they would do shown
/// before saving (nothing saved by looking), saving them, and lines that
/// cannot be read coming back next to their field.
#[tokio::test]
async fn the_secretary_sees_what_holidays_change_before_saving_them() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let res = app
        .post(
            "/api/v1/sites/alpha/duties",
            &json!({"name": "读报陪聊", "weekday": "fri", "start": "09:00", "end": "10:00", "capacity": 2}),
            Some(&s.admin.token),
        )
        .await;
    assert_eq!(res.status(), 201);
    let staff = app.staff("alpha", "Qian Kai").await;
    let cookie = sign_in(&app, &staff.email).await;
    assert_eq!(page(&app, "/s/alpha/console/calendar", &cookie).await.0, 403);

    let admin = sign_in(&app, &s.admin.email).await;
    let (status, html) = page(&app, "/s/alpha/console/calendar", &admin).await;
    assert_eq!(status, 200);
    let csrf = csrf_in(&html);
    // A Friday a few months ahead, and the two days after it.
    let tz: chrono_tz::Tz = "Asia/Shanghai".parse().unwrap();
    let mut friday = chrono::Utc::now().with_timezone(&tz).date_naive() + chrono::Duration::days(60);
    while chrono::Datelike::weekday(&friday) != chrono::Weekday::Fri {
        friday += chrono::Duration::days(1);
    }
    let sunday = friday + chrono::Duration::days(2);
    let holidays = format!("日期,名称\n{friday} 至 {sunday},假期\n");
    let saturday_after = friday + chrono::Duration::days(8);
    let workdays = format!("{saturday_after} 补班");
    let res = post(
        &app,
        "/s/alpha/console/calendar",
        &admin,
        &[
            ("csrf", &csrf),
            ("step", "preview"),
            ("holidays", &holidays),
            ("workdays", &workdays),
        ],
    )
    .await;
    assert_eq!(res.status(), 200);
    let preview = res.text().await.unwrap();
    assert!(
        preview.contains("这些值班不再进行") && preview.contains("读报陪聊"),
        "{preview}"
    );
    let saved: Value = app
        .get("/api/v1/sites/alpha/calendar", Some(&s.admin.token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(saved["holidays"], json!([]), "looking saves nothing");

    let res = post(
        &app,
        "/s/alpha/console/calendar",
        &admin,
        &[
            ("csrf", &csrf),
            ("step", "save"),
            ("holidays", &holidays),
            ("workdays", &workdays),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    let saved: Value = app
        .get("/api/v1/sites/alpha/calendar", Some(&s.admin.token))
        .await
        .json()
        .await
        .unwrap();
    let days = |n: i64| (friday + chrono::Duration::days(n)).to_string();
    assert_eq!(saved["holidays"], json!([days(0), days(1), days(2)]), "{saved}");
    assert_eq!(saved["workdays"], json!([days(8)]), "{saved}");

    // A line that cannot be read, and a day both ways, come back at their fields.
    let res = post(
        &app,
        "/s/alpha/console/calendar",
        &admin,
        &[
            ("csrf", &csrf),
            ("step", "preview"),
            ("holidays", "2027-13-45 国庆"),
            ("workdays", ""),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains(r#"id="holidays-error""#));
    let both = friday.to_string();
    let res = post(
        &app,
        "/s/alpha/console/calendar",
        &admin,
        &[
            ("csrf", &csrf),
            ("step", "save"),
            ("holidays", &both),
            ("workdays", &both),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains(r#"id="workdays-error""#));
}

/// The cells of each row of the console's audit table, in order.
fn audit_rows(html: &str) -> Vec<Vec<String>> {
    let Some(body) = html.split("<tbody>").nth(1) else {
        return Vec::new();
    };
    let body = body.split("</tbody>").next().unwrap();
    body.split("<tr>")
        .skip(1)
        .map(|row| {
            row.split("<td data-label=\"")
                .skip(1)
                .map(|cell| {
                    let text = cell.split_once('>').unwrap().1;
                    text.split("</td>").next().unwrap().to_owned()
                })
                .collect()
        })
        .collect()
}

/// Issue 22, 日志: the trail narrowed by person, resource, kind and
/// period; names, not ids; times in the site's zone; the CSV the same rows;
/// staff refused; a wrong filter answered next to its field.
#[tokio::test]
async fn the_secretary_reads_the_audit_trail_by_person_resource_kind_and_period() {
    let app = spawn_app().await;
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    let pc_one = app
        .resource("alpha", &admin, json!({"name": "PC one", "kind": "computer"}))
        .await;
    let pc_two = app
        .resource("alpha", &admin, json!({"name": "PC two", "kind": "computer"}))
        .await;
    let qian = app.staff("alpha", "Qian Kai").await;
    let zhou = app.staff("alpha", "Zhou Min").await;
    for (who, pc, hour, urgency) in [
        (&qian, pc_one, 9, "urgent"),
        (&qian, pc_two, 11, "urgent"),
        (&zhou, pc_one, 14, "emergency"),
    ] {
        let body = json!({"resource_id": pc, "starts_at": sh(2, hour, 0), "ends_at": sh(2, hour + 1, 0),
                          "purpose": "x", "urgency": urgency, "reason": "a fire in block 7"});
        assert_eq!(app.book("alpha", who, body).await.status(), 201);
    }
    let cookie = sign_in(&app, &admin.email).await;

    // Everything, newest first, by name; the link in the console's sections.
    let (status, html) = page(&app, "/s/alpha/console/audit", &cookie).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains(r#"href="/s/alpha/console/audit" aria-current="page""#));
    let rows = audit_rows(&html);
    assert_eq!(rows.len(), 3, "{html}");
    let who: Vec<&str> = rows.iter().map(|r| r[2].as_str()).collect();
    let what: Vec<&str> = rows.iter().map(|r| r[4].as_str()).collect();
    assert_eq!(who, ["Zhou Min", "Qian Kai", "Qian Kai"]);
    assert_eq!(what, ["PC one", "PC two", "PC one"]);
    for r in &rows {
        assert!(r.iter().all(|c| c.parse::<i64>().is_err()), "no bare ids: {r:?}");
    }
    assert!(
        rows[0][1] == "特急使用" || rows[0][1] == "Emergency use",
        "{:?}",
        rows[0]
    );

    // The time in the site's zone, as the API's offset gives it.
    let api: Value = app
        .get("/api/v1/sites/alpha/audit", Some(&admin.token))
        .await
        .json()
        .await
        .unwrap();
    let newest = chrono::DateTime::parse_from_rfc3339(api["items"][2]["at"].as_str().unwrap()).unwrap();
    assert_eq!(api["items"][2]["resource"], "PC one");
    assert_eq!(api["items"][2]["resource_id"], pc_one);
    let weekday = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]
        [chrono::Datelike::weekday(&newest).num_days_from_monday() as usize];
    let zh = format!(
        "{} {weekday} {}",
        newest.format("%-m月%-d日"),
        newest.format("%H:%M")
    );
    let en = format!("{}, {}", newest.format("%a %-d %b"), newest.format("%H:%M"));
    assert!(
        rows[0][0] == zh || rows[0][0] == en,
        "{:?} vs {zh} / {en}",
        rows[0][0]
    );

    // Each filter narrows.
    let by_person = format!("/s/alpha/console/audit?person={}", qian.id);
    let (_, html) = page(&app, &by_person, &cookie).await;
    assert_eq!(audit_rows(&html).len(), 2, "{html}");
    let by_resource = format!("/s/alpha/console/audit?resource={pc_one}");
    let (_, html) = page(&app, &by_resource, &cookie).await;
    assert_eq!(audit_rows(&html).len(), 2, "{html}");
    let (_, html) = page(&app, &format!("{by_resource}&kind=urgent_use"), &cookie).await;
    let rows_one = audit_rows(&html);
    assert_eq!(rows_one.len(), 1, "{html}");
    assert_eq!(rows_one[0][2], "Qian Kai");
    let (_, html) = page(
        &app,
        "/s/alpha/console/audit?from=2020-01-01&to=2020-01-31",
        &cookie,
    )
    .await;
    assert!(audit_rows(&html).is_empty(), "{html}");

    // The CSV link gives exactly the filtered rows, in the page's order.
    let (_, html) = page(&app, &by_person, &cookie).await;
    let at = html.find("/s/alpha/console/audit/csv?").expect("a CSV link");
    let link = html[at..].split('"').next().unwrap().replace("&amp;", "&");
    let res = app
        .client
        .get(app.url(&link))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = res.text().await.unwrap();
    let lines: Vec<Vec<&str>> = csv.lines().skip(1).map(|l| l.split(',').collect()).collect();
    let page_rows = audit_rows(&html);
    assert_eq!(lines.len(), page_rows.len(), "{csv}");
    for (line, row) in lines.iter().zip(&page_rows) {
        assert_eq!(line[3], row[2], "{csv}");
        assert_eq!(line[10], row[4], "{csv}");
        assert!(line[1].ends_with("+08:00"), "{csv}");
        assert!(
            line[11].ends_with("+08:00") && line[12].ends_with("+08:00"),
            "{csv}"
        );
        assert!(row[0].ends_with(&line[1][11..16]), "{csv} {row:?}");
    }

    // Staff are refused the page and its CSV.
    let staff = sign_in(&app, &qian.email).await;
    assert_eq!(page(&app, "/s/alpha/console/audit", &staff).await.0, 403);
    assert_eq!(page(&app, "/s/alpha/console/audit/csv", &staff).await.0, 403);

    // A wrong filter comes back next to its field, 422.
    for (query, field) in [
        ("from=2026-13-01", "from"),
        ("from=yesterday", "from"),
        ("from=2026-03-02&to=2026-03-01", "from"),
        ("from=2024-01-01&to=2025-06-01", "to"),
        ("kind=teatime", "kind"),
        ("person=Qian", "person"),
    ] {
        for path in ["/s/alpha/console/audit", "/s/alpha/console/audit/csv"] {
            let (status, html) = page(&app, &format!("{path}?{query}"), &cookie).await;
            assert_eq!(status, 422, "{path}?{query}");
            assert!(
                html.contains(&format!(r#"id="{field}-error""#)),
                "{query}: {html}"
            );
        }
    }
}

/// Issue 22, 日志: a hundred entries a page, newest first, and "earlier
/// entries" leads to the rest; the CSV has them all.
#[tokio::test]
async fn the_audit_trail_pages_a_hundred_at_a_time() {
    let app = spawn_app().await;
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    app.db
        .write(|conn| {
            use livingroom::store::{audit, sites};
            let site = sites::by_slug(conn, "alpha")?.unwrap();
            let now = livingroom::clock::now_naive();
            for n in 0..101 {
                let e = audit::NewAudit {
                    site_id: site.id,
                    action: "waitlist_expired",
                    details: format!("entry number {n}"),
                    ..audit::NewAudit::default()
                };
                audit::record(conn, &e, now)?;
            }
            Ok(())
        })
        .await
        .unwrap();
    let cookie = sign_in(&app, &admin.email).await;
    let (_, first) = page(&app, "/s/alpha/console/audit", &cookie).await;
    let rows = audit_rows(&first);
    assert_eq!(rows.len(), 100);
    assert_eq!(rows[0][5], "entry number 100", "newest first");
    let at = first
        .find("/s/alpha/console/audit?")
        .expect("an earlier-entries link");
    let more = first[at..].split('"').next().unwrap().replace("&amp;", "&");
    let (status, second) = page(&app, &more, &cookie).await;
    assert_eq!(status, 200);
    let rest = audit_rows(&second);
    assert_eq!(rest.len(), 1, "{second}");
    assert_eq!(rest[0][5], "entry number 0");
    assert!(!second.contains("/s/alpha/console/audit?from"), "no further link");
    // A broken cursor is said, not silently read as "from the newest".
    let (status, broken) = page(&app, "/s/alpha/console/audit?before=abc", &cookie).await;
    assert_eq!(status, 422);
    assert!(broken.contains("这个翻页链接不完整"), "{broken}");
    let csv = app
        .client
        .get(app.url("/s/alpha/console/audit/csv"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(csv.lines().count(), 102, "a header and every entry");
}
