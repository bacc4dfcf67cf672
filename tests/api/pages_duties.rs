//! The volunteer's duty pages (issue 21, journey 3): the list, signing up
//! every week or for one date, an absence that asks others to cover, and
//! the cover page a cover request's mail links to, each doing what the
//! API's duty routes do.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde_json::{Value, json};

use crate::helpers::{Person, TestApp, spawn_app};
use crate::web::{csrf_in, get as get_page, location, post as post_form, sign_in_to as sign_in};
use livingroom::domain::person::Roles;

/// The next Tuesday after today in Shanghai (never today: it may have begun).
fn next_tuesday() -> NaiveDate {
    let tz: chrono_tz::Tz = "Asia/Shanghai".parse().unwrap();
    let mut d = chrono::Utc::now().with_timezone(&tz).date_naive() + Duration::days(1);
    while d.weekday() != Weekday::Tue {
        d += Duration::days(1);
    }
    d
}

struct Desk {
    duty: i64,
    chen: Person,
    huang: Person,
}

/// A Tuesday blood-pressure check in the health corner for `places`
/// volunteers, and two medical volunteers.
async fn desk(app: &TestApp, places: i64) -> Desk {
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    let corner = app
        .resource(
            "alpha",
            &admin,
            json!({"name": "健康小屋 Health corner", "kind": "room", "capacity": 3}),
        )
        .await;
    let res = app
        .post(
            "/api/v1/sites/alpha/duties",
            &json!({"name": "量血压 Blood pressure", "weekday": "tue", "start": "08:00", "end": "10:00",
                    "capacity": places, "skill": "medical", "resource_id": corner}),
            Some(&admin.token),
        )
        .await;
    assert_eq!(res.status(), 201);
    let duty = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let chen = app
        .member("alpha", "Chen Mei", Roles::VOLUNTEER, &["medical"])
        .await;
    let huang = app.member("alpha", "Huang", Roles::VOLUNTEER, &["medical"]).await;
    Desk { duty, chen, huang }
}

/// Signed in, on the duty list: the cookie and the form token.
async fn on_the_list(app: &TestApp, who: &Person) -> (String, String, String) {
    let (_, cookie) = sign_in(app, &who.email, "/").await;
    let res = get_page(app, "/s/alpha/duties", &cookie).await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    (cookie, csrf_in(&html), html)
}

/// Who is on the duty each date, by the public API.
async fn on_duty(app: &TestApp, from: NaiveDate, to: NaiveDate) -> Vec<(NaiveDate, Vec<String>)> {
    let res = app
        .get(&format!("/api/v1/sites/alpha/duties?from={from}&to={to}"), None)
        .await;
    assert_eq!(res.status(), 200);
    let v: Value = res.json().await.unwrap();
    v["occurrences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["date"].as_str().unwrap().parse().unwrap(),
                o["signed_up"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| s["name"].as_str().unwrap().to_owned())
                    .collect(),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_list_signs_up_every_week_or_for_one_date() {
    let app = spawn_app().await;
    let c = desk(&app, 2).await;
    let tue = next_tuesday();
    let (cookie, csrf, html) = on_the_list(&app, &c.chen).await;
    for words in [
        "量血压 Blood pressure",
        "健康小屋 Health corner",
        "每周二 08:00–10:00",
        "每周都来",
        "只来这一次",
    ] {
        assert!(html.contains(words), "the list says {words}");
    }

    let path = format!("/s/alpha/duties/{}/signup", c.duty);
    let res = post_form(&app, &path, &cookie, &[("csrf", &csrf), ("scope", "weekly")]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/s/alpha/duties/mine?done=weekly");
    let mine = get_page(&app, "/s/alpha/duties/mine?done=weekly", &cookie)
        .await
        .text()
        .await
        .unwrap();
    assert!(mine.contains("报名成功") && mine.contains("我来不了"));
    // Twice is refused next to the form, in words.
    let again = post_form(&app, &path, &cookie, &[("csrf", &csrf), ("scope", "weekly")]).await;
    assert_eq!(again.status(), 409);
    assert!(again.text().await.unwrap().contains("已经报名了这项值班"));

    // Dr Huang comes on one Tuesday only.
    let (cookie, csrf, _) = on_the_list(&app, &c.huang).await;
    let date = tue.to_string();
    let res = post_form(
        &app,
        &path,
        &cookie,
        &[("csrf", &csrf), ("scope", "once"), ("date", &date)],
    )
    .await;
    assert_eq!(location(&res), "/s/alpha/duties/mine?done=once");
    let list = on_duty(&app, tue, tue + Duration::days(7)).await;
    assert_eq!(list[0].1, vec!["Chen Mei".to_owned(), "Huang".to_owned()]);
    assert_eq!(list[1].1, vec!["Chen Mei".to_owned()]);
    // The list now says the date is full, and offers it to nobody.
    let html = get_page(&app, "/s/alpha/duties", &cookie)
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("已满") && html.contains("你这天值班"));
}

#[tokio::test]
async fn an_absence_frees_the_date_and_the_mail_links_to_the_cover_page() {
    let app = spawn_app().await;
    let c = desk(&app, 1).await;
    let tue = next_tuesday();
    let (cookie, csrf, _) = on_the_list(&app, &c.chen).await;
    let signup = format!("/s/alpha/duties/{}/signup", c.duty);
    post_form(&app, &signup, &cookie, &[("csrf", &csrf), ("scope", "weekly")]).await;

    let path = format!("/s/alpha/duties/{}/absence/{tue}", c.duty);
    let html = get_page(&app, &path, &cookie).await.text().await.unwrap();
    assert!(html.contains("来不了？") && html.contains(r#"for="note""#));
    assert!(
        html.contains("会请这些志愿者代班：Huang"),
        "who will be asked, before she confirms"
    );
    // A note too long comes back next to its field, nothing recorded.
    let long = "很".repeat(201);
    let res = post_form(&app, &path, &cookie, &[("csrf", &csrf), ("note", &long)]).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("note-error"));
    assert_eq!(on_duty(&app, tue, tue).await[0].1, vec!["Chen Mei".to_owned()]);

    let res = post_form(&app, &path, &cookie, &[("csrf", &csrf), ("note", "孙子婚礼")]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/s/alpha/duties/mine?done=absent&asked=1");
    assert!(on_duty(&app, tue, tue).await[0].1.is_empty());
    let mine = get_page(&app, &location(&res), &cookie)
        .await
        .text()
        .await
        .unwrap();
    assert!(mine.contains("已请假") && mine.contains("1 位志愿者"));

    // The cover request to Dr Huang links to the cover page of that date.
    let mail: Vec<(String, String)> = app
        .db
        .read(|conn| {
            use diesel::prelude::*;
            use livingroom::db::schema::outbox;
            Ok(outbox::table
                .filter(outbox::kind.eq("duty_cover_request"))
                .select((outbox::to_address, outbox::content))
                .load(conn)?)
        })
        .await
        .unwrap();
    assert_eq!(mail.len(), 1);
    assert_eq!(mail[0].0, c.huang.email);
    let link = format!("/s/alpha/duties/{}/cover/{tue}", c.duty);
    assert!(mail[0].1.contains(&link), "{}", mail[0].1);
}

#[tokio::test]
async fn the_cover_link_signs_in_first_then_one_tap_covers_and_a_taken_place_says_so() {
    let app = spawn_app().await;
    let c = desk(&app, 1).await;
    let tue = next_tuesday();
    let late = app.member("alpha", "Late", Roles::VOLUNTEER, &["medical"]).await;
    let (cookie, csrf, _) = on_the_list(&app, &c.chen).await;
    post_form(
        &app,
        &format!("/s/alpha/duties/{}/signup", c.duty),
        &cookie,
        &[("csrf", &csrf), ("scope", "weekly")],
    )
    .await;
    post_form(
        &app,
        &format!("/s/alpha/duties/{}/absence/{tue}", c.duty),
        &cookie,
        &[("csrf", &csrf), ("note", "")],
    )
    .await;

    // Signed out, the link goes through sign-in and comes back.
    let link = format!("/s/alpha/duties/{}/cover/{tue}", c.duty);
    let res = app.client.get(app.url(&link)).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), format!("/login?next={link}"));
    let (res, cookie) = sign_in(&app, &c.huang.email, &link).await;
    assert_eq!(location(&res), link);
    let html = get_page(&app, &link, &cookie).await.text().await.unwrap();
    assert!(html.contains("代班“量血压 Blood pressure”吗？") && html.contains("我来代班"));

    let res = post_form(&app, &link, &cookie, &[("csrf", &csrf_in(&html))]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/s/alpha/duties/mine?done=covered");
    assert_eq!(on_duty(&app, tue, tue).await[0].1, vec!["Huang".to_owned()]);
    let mine = get_page(&app, &location(&res), &cookie)
        .await
        .text()
        .await
        .unwrap();
    assert!(mine.contains(&format!("/s/alpha/duties/{}/absence/{tue}", c.duty)));

    // Someone slower: the page says it is taken, and the button is gone.
    let (_, cookie) = sign_in(&app, &late.email, &link).await;
    let html = get_page(&app, &link, &cookie).await.text().await.unwrap();
    assert!(html.contains("已经有人代班了") && !html.contains("我来代班</button>"));
    let res = post_form(&app, &link, &cookie, &[("csrf", &csrf_in(&html))]).await;
    assert_eq!(res.status(), 409);
    assert!(res.text().await.unwrap().contains("已经有人代班了"));
    assert_eq!(on_duty(&app, tue, tue).await[0].1, vec!["Huang".to_owned()]);
}

#[tokio::test]
async fn forms_without_their_token_change_nothing_and_other_sites_see_nothing() {
    let app = spawn_app().await;
    let c = desk(&app, 2).await;
    let tue = next_tuesday();
    let (cookie, _, _) = on_the_list(&app, &c.chen).await;
    let date = tue.to_string();
    for (path, form) in [
        (
            format!("/s/alpha/duties/{}/signup", c.duty),
            vec![("scope", "weekly")],
        ),
        (
            format!("/s/alpha/duties/{}/signup", c.duty),
            vec![
                ("scope", "once"),
                ("date", date.as_str()),
                ("csrf", "0123456789abcdef0123456789abcdef"),
            ],
        ),
        (format!("/s/alpha/duties/{}/cover/{tue}", c.duty), vec![]),
    ] {
        let res = post_form(&app, &path, &cookie, &form).await;
        assert_eq!(res.status(), 403, "{path}");
    }
    assert!(on_duty(&app, tue, tue).await[0].1.is_empty());

    // A volunteer of another site: this site's pages are not there.
    app.site("beta").await;
    let stranger = app
        .member("beta", "Stranger", Roles::VOLUNTEER, &["medical"])
        .await;
    let (_, cookie) = sign_in(&app, &stranger.email, "/").await;
    for path in [
        "/s/alpha/duties".to_owned(),
        "/s/alpha/duties/mine".to_owned(),
        format!("/s/alpha/duties/{}/cover/{tue}", c.duty),
        format!("/s/alpha/duties/{}/absence/{tue}", c.duty),
    ] {
        assert_eq!(get_page(&app, &path, &cookie).await.status(), 404, "{path}");
    }
    let html = get_page(&app, "/s/beta/duties", &cookie)
        .await
        .text()
        .await
        .unwrap();
    let res = post_form(
        &app,
        &format!("/s/alpha/duties/{}/signup", c.duty),
        &cookie,
        &[("csrf", &csrf_in(&html)), ("scope", "weekly")],
    )
    .await;
    assert_eq!(res.status(), 404);
    assert!(on_duty(&app, tue, tue).await[0].1.is_empty());
}
