//! The console's 排班 and duty set-up pages (issue 22): templates saved by
//! the form read back exactly through the API, a bad row refused beside
//! its field, a four-week draft with names and warnings in words, publishing
//! with the changes shown first, a duty created by the form, and only the
//! site's admin reaching any of it.

use chrono::{Datelike, Duration, NaiveDate};
use serde_json::{Value, json};

use crate::helpers::{Person, TestApp, spawn_app};
use crate::web::{csrf_in, location, page, post, sign_in};

fn next_monday() -> NaiveDate {
    let tz: chrono_tz::Tz = "Asia/Shanghai".parse().unwrap();
    let today = chrono::Utc::now().with_timezone(&tz).date_naive();
    today + Duration::days(7 - i64::from(today.weekday().num_days_from_monday()))
}

struct Office {
    admin: Person,
    cookie: String,
    csrf: String,
    senior: Person,
    other: Person,
}

/// A site whose admin is signed in to the console, a senior colleague
/// (Li Na) and another (Zhang Wei); nobody counts as new.
async fn office(app: &TestApp) -> Office {
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    let res = app
        .patch(
            "/api/v1/sites/alpha",
            &json!({"new_person_weeks": 0}),
            Some(&admin.token),
        )
        .await;
    assert_eq!(res.status(), 200);
    let senior = app.staff("alpha", "Li Na").await;
    let res = app
        .patch(
            &format!("/api/v1/sites/alpha/members/{}", senior.id),
            &json!({"senior": true}),
            Some(&admin.token),
        )
        .await;
    assert_eq!(res.status(), 200);
    let other = app.staff("alpha", "Zhang Wei").await;
    let cookie = sign_in(app, &admin.email).await;
    let (status, html) = page(app, "/s/alpha/console/rota", &cookie).await;
    assert_eq!(status, 200, "{html}");
    let csrf = csrf_in(&html);
    Office {
        admin,
        cookie,
        csrf,
        senior,
        other,
    }
}

async fn api_templates(app: &TestApp, o: &Office) -> Value {
    let res = app
        .get("/api/v1/sites/alpha/rota/templates", Some(&o.admin.token))
        .await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

/// Monday to Friday, one person 08:30–15:30, saved through the form.
async fn weekday_templates(app: &TestApp, o: &Office) {
    let mut form: Vec<(String, String)> =
        vec![("csrf".into(), o.csrf.clone()), ("step".into(), "save".into())];
    for (i, day) in ["mon", "tue", "wed", "thu", "fri"].iter().enumerate() {
        for (k, v) in [
            ("weekday", *day),
            ("start", "08:30"),
            ("end", "15:30"),
            ("positions", "1"),
            ("label", "首问接待"),
            ("desk_pool", ""),
        ] {
            form.push((format!("{k}_{i}"), v.to_owned()));
        }
    }
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let res = post(app, "/s/alpha/console/rota/templates", &o.cookie, &pairs).await;
    assert_eq!(res.status(), 303);
}

#[tokio::test]
async fn templates_saved_by_the_form_read_back_through_the_api() {
    let app = spawn_app().await;
    let o = office(&app).await;
    let res = post(
        &app,
        "/s/alpha/console/rota/templates",
        &o.cookie,
        &[
            ("csrf", &o.csrf),
            ("step", "save"),
            ("weekday_0", "mon"),
            ("start_0", "08:30"),
            ("end_0", "15:30"),
            ("positions_0", "2"),
            ("label_0", "首问接待"),
            ("desk_pool_0", "reception"),
            ("weekday_1", "fri"),
            ("start_1", "13:00"),
            ("end_1", "17:30"),
            ("positions_1", "1"),
            ("label_1", "下午接待"),
            ("desk_pool_1", ""),
            // An empty row is not a template.
            ("weekday_2", "tue"),
            ("start_2", ""),
            ("end_2", ""),
            ("positions_2", "1"),
            ("label_2", ""),
            ("desk_pool_2", ""),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/s/alpha/console/rota?done=templates");
    assert_eq!(
        api_templates(&app, &o).await,
        json!([
            {"weekday": "mon", "start": "08:30", "end": "15:30", "positions": 2, "label": "首问接待", "desk_pool": "reception"},
            {"weekday": "fri", "start": "13:00", "end": "17:30", "positions": 1, "label": "下午接待", "desk_pool": null}
        ])
    );
    // The week grid shows them on their days; the form holds them again.
    let (_, html) = page(&app, "/s/alpha/console/rota?done=templates", &o.cookie).await;
    assert!(html.contains("每周的班次已保存"), "{html}");
    assert!(html.contains("13:00–17:30"), "{html}");
    assert!(html.contains(r#"name="label_1" value="下午接待""#), "{html}");

    // Ticking "remove" takes the row away.
    let res = post(
        &app,
        "/s/alpha/console/rota/templates",
        &o.cookie,
        &[
            ("csrf", &o.csrf),
            ("step", "save"),
            ("weekday_0", "mon"),
            ("start_0", "08:30"),
            ("end_0", "15:30"),
            ("positions_0", "2"),
            ("label_0", "首问接待"),
            ("desk_pool_0", "reception"),
            ("weekday_1", "fri"),
            ("start_1", "13:00"),
            ("end_1", "17:30"),
            ("positions_1", "1"),
            ("label_1", "下午接待"),
            ("remove_1", "on"),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    let saved = api_templates(&app, &o).await;
    assert_eq!(saved.as_array().unwrap().len(), 1, "{saved}");
    assert_eq!(saved[0]["label"], "首问接待");

    // "More rows" saves nothing and offers three empty rows more.
    let res = post(
        &app,
        "/s/alpha/console/rota/templates",
        &o.cookie,
        &[
            ("csrf", &o.csrf),
            ("step", "more"),
            ("weekday_0", "mon"),
            ("start_0", "08:30"),
            ("end_0", "15:30"),
            ("positions_0", "2"),
            ("label_0", "首问接待"),
        ],
    )
    .await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(
        html.contains(r#"name="label_3""#) && !html.contains(r#"name="label_4""#),
        "{html}"
    );
}

#[tokio::test]
async fn a_template_ending_before_it_starts_is_refused_beside_its_field() {
    let app = spawn_app().await;
    let o = office(&app).await;
    let res = post(
        &app,
        "/s/alpha/console/rota/templates",
        &o.cookie,
        &[
            ("csrf", &o.csrf),
            ("step", "save"),
            ("weekday_0", "mon"),
            ("start_0", "15:30"),
            ("end_0", "08:30"),
            ("positions_0", "1"),
            ("label_0", "首问接待"),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    let at = html.find(r#"<p class="error" id="end_0-error">结束时间要晚于开始时间</p>"#);
    let input = html
        .find(r#"id="end_0" name="end_0" value="08:30" aria-describedby="end_0-error" aria-invalid="true""#);
    assert!(at.is_some() && input.is_some() && at < input, "{html}");
    assert!(
        html.contains(r##"<a href="#end_0">结束时间要晚于开始时间</a>"##),
        "{html}"
    );
    // Nothing was saved.
    assert_eq!(api_templates(&app, &o).await, json!([]));
}

#[tokio::test]
async fn four_weeks_are_generated_edited_and_published_with_the_changes_shown_first() {
    let app = spawn_app().await;
    let o = office(&app).await;
    weekday_templates(&app, &o).await;
    let mon = next_monday();
    let last = mon + Duration::days(27);
    // Zhang Wei and the secretary (staff too) are away all four weeks:
    // Li Na takes every shift.
    let away = json!({"starts_at": format!("{mon}T00:00:00+08:00"), "ends_at": format!("{}T00:00:00+08:00", last + Duration::days(1)), "reason": "training"});
    for who in [&o.other, &o.admin] {
        let res = app
            .post("/api/v1/sites/alpha/rota/unavailability", &away, Some(&who.token))
            .await;
        assert_eq!(res.status(), 201);
    }

    // A Tuesday is not a Monday.
    let tue = (mon + Duration::days(1)).to_string();
    let res = post(
        &app,
        "/s/alpha/console/rota/generate",
        &o.cookie,
        &[("csrf", &o.csrf), ("from", &tue), ("weeks", "4")],
    )
    .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(
        html.contains(r#"<p class="error" id="from-error">请选一个周一</p>"#),
        "{html}"
    );

    let from = mon.to_string();
    let res = post(
        &app,
        "/s/alpha/console/rota/generate",
        &o.cookie,
        &[("csrf", &o.csrf), ("from", &from), ("weeks", "4")],
    )
    .await;
    assert_eq!(res.status(), 303);
    let draft_url = format!("/s/alpha/console/rota?from={mon}&to={last}");
    assert_eq!(location(&res), format!("{draft_url}&done=generated#draft"));
    let (status, html) = page(&app, &draft_url, &o.cookie).await;
    assert_eq!(status, 200);
    // Twenty working days, one shift each, all Li Na's.
    assert_eq!(html.matches(">调整人员</a>").count(), 20, "{html}");
    assert_eq!(html.matches("<li>Li Na</li>").count(), 20, "{html}");
    assert!(html.contains("没有违反排班规则的地方"), "{html}");
    assert_eq!(html.matches("<strong>新增</strong>").count(), 20, "{html}");

    // Put Zhang Wei on the first Monday: the draft warns, by name and
    // local date, in words.
    let api_shifts = |app: &TestApp| {
        let url = format!("/api/v1/sites/alpha/rota/shifts?from={mon}&to={last}");
        let token = o.admin.token.clone();
        let app_url = app.url(&url);
        let client = app.client.clone();
        async move {
            let res = client.get(app_url).bearer_auth(token).send().await.unwrap();
            assert_eq!(res.status(), 200);
            res.json::<Vec<Value>>().await.unwrap()
        }
    };
    let shifts = api_shifts(&app).await;
    assert_eq!(shifts.len(), 20);
    let first = shifts[0]["id"].as_i64().unwrap();
    let (status, html) = page(
        &app,
        &format!("/s/alpha/console/rota/shifts/{first}?from={mon}&to={last}"),
        &o.cookie,
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        html.contains(&format!(
            r#"<option value="{}" selected>Li Na (老同志)</option>"#,
            o.senior.id
        )),
        "{html}"
    );
    let other = o.other.id.to_string();
    let (mon_s, last_s) = (mon.to_string(), last.to_string());
    let form = [
        ("csrf", o.csrf.as_str()),
        ("from", mon_s.as_str()),
        ("to", last_s.as_str()),
        ("person_0", other.as_str()),
    ];
    let res = post(
        &app,
        &format!("/s/alpha/console/rota/shifts/{first}"),
        &o.cookie,
        &form,
    )
    .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), format!("{draft_url}&done=edited#draft"));
    let (_, html) = page(&app, &draft_url, &o.cookie).await;
    let day = format!("{}月{}日 周一", mon.month(), mon.day());
    assert!(html.contains(&format!("<h3>{day}</h3>")), "{html}");
    assert!(
        html.contains(&format!(
            "<li>Zhang Wei在首问接待 {mon} 周一 08:30–15:30不能值班（请假、培训或另有安排）</li>"
        )),
        "{html}"
    );

    // Publish: the API's published rota has every shift.
    let csrf = csrf_in(&html);
    let res = post(
        &app,
        "/s/alpha/console/rota/publish",
        &o.cookie,
        &[("csrf", &csrf), ("from", &mon_s), ("to", &last_s)],
    )
    .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), format!("{draft_url}&done=published#draft"));
    let shifts = api_shifts(&app).await;
    assert_eq!(shifts.len(), 20);
    assert!(
        shifts.iter().all(|s| s["published_version"] == json!(1)),
        "{shifts:?}"
    );
    assert_eq!(
        shifts[0]["published"],
        json!([{"id": o.other.id, "name": "Zhang Wei"}])
    );
    assert_eq!(
        shifts[1]["published"],
        json!([{"id": o.senior.id, "name": "Li Na"}])
    );
    let (_, html) = page(&app, &format!("{draft_url}&done=published"), &o.cookie).await;
    assert!(html.contains("排班已发布"), "{html}");
    assert!(html.contains("和已发布的排班一样，没有要发布的变化"), "{html}");
    assert_eq!(
        html.matches(r#"<span class="badge confirmed">已发布</span>"#)
            .count(),
        20
    );

    // Hand the first Monday back to Li Na: before re-publishing, the page
    // names the shift that changes hands, and from whom to whom.
    let senior = o.senior.id.to_string();
    let form = [
        ("csrf", o.csrf.as_str()),
        ("from", mon_s.as_str()),
        ("to", last_s.as_str()),
        ("person_0", senior.as_str()),
    ];
    let res = post(
        &app,
        &format!("/s/alpha/console/rota/shifts/{first}"),
        &o.cookie,
        &form,
    )
    .await;
    assert_eq!(res.status(), 303);
    let (_, html) = page(&app, &draft_url, &o.cookie).await;
    assert_eq!(html.matches("<strong>换人</strong>").count(), 1, "{html}");
    let change = html
        .split("<strong>换人</strong>")
        .nth(1)
        .unwrap()
        .split("</li>")
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(
        change,
        format!(" 首问接待 {mon} 周一 08:30–15:30：Zhang Wei → Li Na")
    );
    assert_eq!(html.matches("<strong>新增</strong>").count(), 0);
}

#[tokio::test]
async fn generating_before_any_template_says_so() {
    let app = spawn_app().await;
    let o = office(&app).await;
    let from = next_monday().to_string();
    let res = post(
        &app,
        "/s/alpha/console/rota/generate",
        &o.cookie,
        &[("csrf", &o.csrf), ("from", &from), ("weeks", "14")],
    )
    .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(
        html.contains(r#"<p class="error" id="weeks-error">周数要在 1 到 13 之间</p>"#),
        "{html}"
    );
    let res = post(
        &app,
        "/s/alpha/console/rota/generate",
        &o.cookie,
        &[("csrf", &o.csrf), ("from", &from), ("weeks", "4")],
    )
    .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("<li>请先设好每周的班次，再生成排班。</li>"),
        "{html}"
    );
}

#[tokio::test]
async fn a_duty_created_by_the_form_is_listed_by_the_api() {
    let app = spawn_app().await;
    let o = office(&app).await;
    let room = app
        .resource(
            "alpha",
            &o.admin,
            json!({"name": "Health corner", "kind": "room", "capacity": 6}),
        )
        .await;
    let (status, html) = page(&app, "/s/alpha/console/duties/new", &o.cookie).await;
    assert_eq!(status, 200);
    assert!(
        html.contains(&format!(r#"<option value="{room}">Health corner</option>"#)),
        "{html}"
    );
    let room_s = room.to_string();
    let tue = next_monday() + Duration::days(1);
    let tue_s = tue.to_string();
    // A mistake first: the end before the start, and a skill in capitals.
    let res = post(
        &app,
        "/s/alpha/console/duties/new",
        &o.cookie,
        &[
            ("csrf", &o.csrf),
            ("name", "量血压"),
            ("resource_id", &room_s),
            ("weekday", "tue"),
            ("start", "10:00"),
            ("end", "08:00"),
            ("skill", "Medical!"),
            ("capacity", "2"),
            ("from", &tue_s),
            ("every_weeks", "1"),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(
        html.contains(r#"<p class="error" id="end-error">结束时间要晚于开始时间</p>"#),
        "{html}"
    );
    assert!(html.contains(r#"<p class="error" id="skill-error">"#), "{html}");
    let res = app
        .get(&format!("/api/v1/sites/alpha/duties?from={tue}&to={tue}"), None)
        .await;
    assert_eq!(res.json::<Value>().await.unwrap()["occurrences"], json!([]));

    let res = post(
        &app,
        "/s/alpha/console/duties/new",
        &o.cookie,
        &[
            ("csrf", &o.csrf),
            ("name", "量血压"),
            ("resource_id", &room_s),
            ("weekday", "tue"),
            ("start", "08:00"),
            ("end", "10:00"),
            ("skill", "medical"),
            ("capacity", "2"),
            ("from", &tue_s),
            ("every_weeks", "2"),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/s/alpha/console/duties/new?done=created");
    let to = tue + Duration::days(14);
    let res = app
        .get(&format!("/api/v1/sites/alpha/duties?from={tue}&to={to}"), None)
        .await;
    assert_eq!(res.status(), 200);
    let list: Value = res.json().await.unwrap();
    let occ = list["occurrences"].as_array().unwrap();
    // Every other week: the first Tuesday and the one two weeks on.
    let dates: Vec<&str> = occ.iter().map(|o| o["date"].as_str().unwrap()).collect();
    assert_eq!(dates, vec![tue_s.as_str(), &to.to_string()]);
    assert_eq!(occ[0]["name"], "量血压");
    assert_eq!(occ[0]["start"], "08:00");
    assert_eq!(occ[0]["end"], "10:00");
    assert_eq!(occ[0]["capacity"], 2);
    assert_eq!(occ[0]["skill"], "medical");
    assert_eq!(occ[0]["room"], "Health corner");
    let (_, html) = page(&app, "/s/alpha/console/duties/new?done=created", &o.cookie).await;
    assert!(html.contains("值班已建好"), "{html}");
    assert!(html.contains("<h3>量血压</h3>"), "{html}");
    assert!(
        html.contains("隔一周（每 2 周） 周二 08:00–10:00 · 2 人"),
        "{html}"
    );
}

#[tokio::test]
async fn staff_cannot_reach_the_rota_or_duty_set_up() {
    let app = spawn_app().await;
    let o = office(&app).await;
    weekday_templates(&app, &o).await;
    let cookie = sign_in(&app, &o.other.email).await;
    for path in ["/s/alpha/console/rota", "/s/alpha/console/duties/new"] {
        let (status, _) = page(&app, path, &cookie).await;
        assert_eq!(status, 403, "{path}");
    }
    // Her own session's token, and still refused: nothing is drafted.
    let (_, html) = page(&app, "/me", &cookie).await;
    let csrf = csrf_in(&html);
    let from = next_monday().to_string();
    let res = post(
        &app,
        "/s/alpha/console/rota/generate",
        &cookie,
        &[("csrf", &csrf), ("from", &from), ("weeks", "4")],
    )
    .await;
    assert_eq!(res.status(), 403);
    let res = post(
        &app,
        "/s/alpha/console/rota/templates",
        &cookie,
        &[("csrf", &csrf), ("step", "save")],
    )
    .await;
    assert_eq!(res.status(), 403);
    let res = app
        .get(
            &format!("/api/v1/sites/alpha/rota/shifts?from={from}&to={from}"),
            Some(&o.admin.token),
        )
        .await;
    assert_eq!(res.json::<Value>().await.unwrap(), json!([]));
    assert_eq!(api_templates(&app, &o).await.as_array().unwrap().len(), 5);
}
