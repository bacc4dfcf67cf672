//! The front-desk staff's shifts page: my published shifts, offering one
//! after a confirmation, taking one a colleague offers, a refusal in words
//! beside its shift, CSRF, nobody outside the site, and no volunteer.

use chrono::{Datelike, Duration, NaiveDate};
use serde_json::{Value, json};

use crate::helpers::{Person, TestApp, spawn_app};
use crate::web::{csrf_in, location, page as get_page, post as post_form, sign_in};

fn next_monday() -> NaiveDate {
    let tz: chrono_tz::Tz = "Asia/Shanghai".parse().unwrap();
    let today = chrono::Utc::now().with_timezone(&tz).date_naive();
    today + Duration::days(7 - i64::from(today.weekday().num_days_from_monday()))
}

struct Desk {
    admin: Person,
    staff: Vec<Person>,
    /// On leave all next week: the generator leaves them out, and a take
    /// by them is refused.
    away: Person,
    /// Next week's published shifts as the API lists them.
    shifts: Vec<Value>,
}

/// A site with two reception posts, one position each weekday next week,
/// generated and published.
async fn desk(app: &TestApp) -> Desk {
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    // All joined a moment ago: nobody counts as new here, or the
    // one-person desk would stay empty (new people: tests/api/rota.rs).
    let res = app
        .patch(
            "/api/v1/sites/alpha",
            &json!({"new_person_weeks": 0}),
            Some(&admin.token),
        )
        .await;
    assert_eq!(res.status(), 200);
    let mut staff = Vec::new();
    for name in ["Zhang Wei", "Liu Yang", "Chen Jing"] {
        staff.push(app.staff("alpha", name).await);
    }
    let away = app.staff("alpha", "Yang Fan").await;
    for n in ["A", "B"] {
        app.resource(
            "alpha",
            &admin,
            json!({"name": format!("Reception post {n}"), "kind": "desk", "pool": "reception"}),
        )
        .await;
    }
    let days: Vec<Value> = ["mon", "tue", "wed", "thu", "fri"]
        .iter()
        .map(|d| json!({"weekday": d, "start": "08:30", "end": "15:30", "positions": 1, "label": "首问接待", "desk_pool": "reception"}))
        .collect();
    let res = app
        .client
        .put(app.url("/api/v1/sites/alpha/rota/templates"))
        .bearer_auth(&admin.token)
        .json(&days)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let mon = next_monday();
    let (sun, after) = (mon + Duration::days(6), mon + Duration::days(8));
    let res = app
        .post(
            "/api/v1/sites/alpha/rota/unavailability",
            &json!({"starts_at": format!("{mon}T00:00:00+08:00"), "ends_at": format!("{after}T00:00:00+08:00"), "reason": "年假"}),
            Some(&away.token),
        )
        .await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let period = json!({"from": mon.to_string(), "to": sun.to_string()});
    for step in ["generate", "publish"] {
        let res = app
            .post(
                &format!("/api/v1/sites/alpha/rota/{step}"),
                &period,
                Some(&admin.token),
            )
            .await;
        assert_eq!(res.status(), 200, "{step}");
    }
    Desk {
        shifts: api_shifts(app, &admin).await,
        admin,
        staff,
        away,
    }
}

async fn api_shifts(app: &TestApp, admin: &Person) -> Vec<Value> {
    let mon = next_monday();
    let res = app
        .get(
            &format!(
                "/api/v1/sites/alpha/rota/shifts?from={mon}&to={}",
                mon + Duration::days(6)
            ),
            Some(&admin.token),
        )
        .await;
    assert_eq!(res.status(), 200);
    res.json::<Vec<Value>>().await.unwrap()
}

fn on_shift(shift: &Value) -> Vec<i64> {
    shift["published"]
        .as_array()
        .map(|a| a.iter().filter_map(|p| p["id"].as_i64()).collect())
        .unwrap_or_default()
}

/// A shift of a plain staff member (not the admin): (shift, giver).
fn staff_shift(d: &Desk) -> (&Value, &Person) {
    d.shifts
        .iter()
        .find_map(|s| {
            let people = on_shift(s);
            d.staff.iter().find(|p| people.contains(&p.id)).map(|p| (s, p))
        })
        .expect("a staff member has a shift")
}

#[tokio::test]
async fn my_shifts_offer_take_and_both_see_the_outcome() {
    let app = spawn_app().await;
    let d = desk(&app).await;
    let (shift, giver) = staff_shift(&d);
    let id = shift["id"].as_i64().unwrap();
    let taker = d
        .staff
        .iter()
        .find(|p| p.id != giver.id)
        .expect("another colleague");

    // Her shifts, in site time, each with "offer".
    let cookie = sign_in(&app, &giver.email).await;
    let (status, html) = get_page(&app, "/s/alpha/shifts", &cookie).await;
    assert_eq!(status, 200);
    assert!(html.contains("我的班") && html.contains(&format!(r#"id="shift-{id}""#)));
    assert!(html.contains("08:30–15:30"), "site-local time");
    assert!(html.contains("Reception post"), "the post she sits at");
    let offer_link = format!("/s/alpha/shifts/{id}/offer");
    assert!(html.contains(&offer_link));

    // The confirmation, then the offer: her page says it waits for a colleague.
    let (status, confirm) = get_page(&app, &offer_link, &cookie).await;
    assert_eq!(status, 200);
    assert!(confirm.contains("把这个班让给同事？") && confirm.contains("确认让出"));
    let res = post_form(&app, &offer_link, &cookie, &[("csrf", &csrf_in(&confirm))]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), format!("/s/alpha/shifts?done=offered#shift-{id}"));
    let (_, html) = get_page(&app, "/s/alpha/shifts?done=offered", &cookie).await;
    assert!(html.contains("已让出，等同事来接"));
    let api = api_shifts(&app, &d.admin).await;
    let now = api.iter().find(|s| s["id"] == id).unwrap();
    assert_eq!(now["offered_by"], giver.id, "offered as the API offers");

    // A colleague sees it among the offered shifts and takes it.
    let other = sign_in(&app, &taker.email).await;
    let (_, html) = get_page(&app, "/s/alpha/shifts", &other).await;
    let take = format!("/s/alpha/shifts/{id}/take");
    assert!(html.contains("同事让出的班") && html.contains(&take) && html.contains("接这个班"));
    let res = post_form(&app, &take, &other, &[("csrf", &csrf_in(&html))]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), format!("/s/alpha/shifts?done=taken#shift-{id}"));
    let (_, html) = get_page(&app, "/s/alpha/shifts?done=taken", &other).await;
    assert!(html.contains("接班成功") && html.contains(&format!(r#"id="shift-{id}""#)));
    let api = api_shifts(&app, &d.admin).await;
    let now = api.iter().find(|s| s["id"] == id).unwrap();
    assert_eq!(on_shift(now), vec![taker.id]);
    assert!(now["offered_by"].is_null());

    // The giver sees who took it, and it is no longer hers.
    let (_, html) = get_page(&app, "/s/alpha/shifts", &cookie).await;
    assert!(html.contains("接了你的班"));
    assert!(!html.contains(&offer_link));
}

#[tokio::test]
async fn a_refused_take_is_said_in_words_beside_the_shift() {
    let app = spawn_app().await;
    let d = desk(&app).await;
    let (shift, giver) = staff_shift(&d);
    let id = shift["id"].as_i64().unwrap();
    let res = app
        .post(
            &format!("/api/v1/sites/alpha/rota/shifts/{id}/offer"),
            &json!({}),
            Some(&giver.token),
        )
        .await;
    assert_eq!(res.status(), 200);

    // She is on leave: the page says so before she tries, and the button is off.
    let cookie = sign_in(&app, &d.away.email).await;
    let (status, html) = get_page(&app, "/s/alpha/shifts", &cookie).await;
    assert_eq!(status, 200);
    assert!(html.contains("你登记了这段时间不能值班"), "the reason in words");
    assert!(html.contains("disabled"));

    // Posting anyway: the same refusal, beside the shift, and nothing changes.
    let res = post_form(
        &app,
        &format!("/s/alpha/shifts/{id}/take"),
        &cookie,
        &[("csrf", &csrf_in(&html))],
    )
    .await;
    assert_eq!(res.status(), 409);
    let html = res.text().await.unwrap();
    let card = &html[html
        .find(&format!(r#"id="shift-{id}""#))
        .expect("the shift's card")..];
    assert!(card.contains(r#"role="alert""#) && card.contains("你登记了这段时间不能值班"));

    // The API refuses it the same way, naming the rule.
    let res = app
        .post(
            &format!("/api/v1/sites/alpha/rota/shifts/{id}/take"),
            &json!({}),
            Some(&d.away.token),
        )
        .await;
    assert_eq!(res.status(), 409);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["rule"], "unavailable");
    let api = api_shifts(&app, &d.admin).await;
    let now = api.iter().find(|s| s["id"] == id).unwrap();
    assert_eq!(on_shift(now), vec![giver.id]);

    // Offering twice: the second answer says it is already offered.
    let mine = sign_in(&app, &giver.email).await;
    let (_, html) = get_page(&app, "/s/alpha/shifts", &mine).await;
    let res = post_form(
        &app,
        &format!("/s/alpha/shifts/{id}/offer"),
        &mine,
        &[("csrf", &csrf_in(&html))],
    )
    .await;
    assert_eq!(res.status(), 409);
    assert!(res.text().await.unwrap().contains("这个班已经让出了"));
}

#[tokio::test]
async fn forms_without_their_csrf_token_change_nothing() {
    let app = spawn_app().await;
    let d = desk(&app).await;
    let (shift, giver) = staff_shift(&d);
    let id = shift["id"].as_i64().unwrap();
    let cookie = sign_in(&app, &giver.email).await;
    for action in ["offer", "take"] {
        for form in [vec![], vec![("csrf", "0123456789abcdef0123456789abcdef")]] {
            let res = post_form(&app, &format!("/s/alpha/shifts/{id}/{action}"), &cookie, &form).await;
            assert_eq!(res.status(), 403, "{action}");
        }
    }
    let api = api_shifts(&app, &d.admin).await;
    assert!(api.iter().find(|s| s["id"] == id).unwrap()["offered_by"].is_null());
}

#[tokio::test]
async fn someone_outside_the_site_finds_nothing() {
    let app = spawn_app().await;
    let d = desk(&app).await;
    let (shift, _) = staff_shift(&d);
    let id = shift["id"].as_i64().unwrap();
    app.site("beta").await;
    let stranger = app.staff("beta", "Stranger").await;
    let cookie = sign_in(&app, &stranger.email).await;
    let (status, _) = get_page(&app, "/s/alpha/shifts", &cookie).await;
    assert_eq!(status, 404);
    let (status, _) = get_page(&app, &format!("/s/alpha/shifts/{id}/offer"), &cookie).await;
    assert_eq!(status, 404);
    let (_, own) = get_page(&app, "/s/beta/shifts", &cookie).await;
    let res = post_form(
        &app,
        &format!("/s/alpha/shifts/{id}/take"),
        &cookie,
        &[("csrf", &csrf_in(&own))],
    )
    .await;
    assert_eq!(res.status(), 404);

    // A volunteer of the site is told in words that the desk is for staff.
    let volunteer = app
        .member(
            "alpha",
            "Volunteer",
            livingroom::domain::person::Roles::VOLUNTEER,
            &[],
        )
        .await;
    let cookie = sign_in(&app, &volunteer.email).await;
    let (status, html) = get_page(&app, "/s/alpha/shifts", &cookie).await;
    assert_eq!(status, 403);
    assert!(html.contains("只有社工"));
}
