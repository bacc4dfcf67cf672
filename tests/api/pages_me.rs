//! Journey 5's pages: `/me` (language, mail settings, the calendar link,
//! password, signing out everywhere), the pages mail links open, and a
//! computer's printable check-in sign. Each change is checked where the
//! API sees it, since both go through the same workflows.

use serde_json::{Value, json};

use crate::helpers::{PASSWORD, Person, TestApp, spawn_app};
use crate::web::{csrf_in, get as get_page, location, post as post_form, sign_in_with_password as sign_in};
use livingroom::domain::person::Roles;

/// A staff member of `alpha`, signed in on the web; her page's CSRF token.
async fn signed_in(app: &TestApp) -> (Person, String, String) {
    app.site("alpha").await;
    let person = app.staff("alpha", "Sun Lei").await;
    let cookie = sign_in(app, &person.email, PASSWORD).await;
    let page = get_page(app, "/me", &cookie).await;
    assert_eq!(page.status(), 200);
    let csrf = csrf_in(&page.text().await.unwrap());
    (person, cookie, csrf)
}

async fn api_me(app: &TestApp, token: &str) -> reqwest::Response {
    app.get("/api/v1/me", Some(token)).await
}

#[tokio::test]
async fn the_language_switches_at_once_and_the_api_sees_it() {
    let app = spawn_app().await;
    let (person, cookie, csrf) = signed_in(&app).await;
    let page = get_page(&app, "/me", &cookie).await.text().await.unwrap();
    assert!(
        page.contains("我的设置") && page.contains(&person.email),
        "{page}"
    );
    assert!(page.contains(r#"lang="zh-CN""#));

    let res = post_form(
        &app,
        "/me/language",
        &cookie,
        &[("csrf", &csrf), ("language", "en")],
    )
    .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/me?done=language");
    let page = get_page(&app, "/me?done=language", &cookie)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("My settings") && page.contains("Language saved."),
        "{page}"
    );
    assert!(page.contains(r#"<html lang="en""#));
    let me: Value = api_me(&app, &person.token).await.json().await.unwrap();
    assert_eq!(me["language"], "en");

    // The API changes it too, through the same workflow.
    let res = app
        .send_json(
            reqwest::Method::PUT,
            "/api/v1/me/language",
            &json!({"language": "zh-CN"}),
            Some(&person.token),
        )
        .await;
    assert_eq!(res.status(), 204);
    let page = get_page(&app, "/me", &cookie).await.text().await.unwrap();
    assert!(page.contains("我的设置"));
    let bad = app
        .send_json(
            reqwest::Method::PUT,
            "/api/v1/me/language",
            &json!({"language": "fr"}),
            Some(&person.token),
        )
        .await;
    assert_eq!(bad.status(), 422);
}

#[tokio::test]
async fn mail_settings_are_kept_as_ticked() {
    let app = spawn_app().await;
    let (person, cookie, csrf) = signed_in(&app).await;
    let res = post_form(
        &app,
        "/me/notifications",
        &cookie,
        &[
            ("csrf", &csrf),
            ("kind", "booking_confirmed"),
            ("kind", "duty_reminder"),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/me?done=mail");

    let prefs: Value = app
        .get("/api/v1/me/notifications", Some(&person.token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(prefs["kinds"]["booking_confirmed"], true);
    assert_eq!(prefs["kinds"]["duty_reminder"], true);
    assert_eq!(prefs["kinds"]["booking_cancelled"], false);
    assert_eq!(prefs["kinds"]["waitlist_served"], false);
    assert!(prefs["kinds"].get("password_reset").is_none());

    let page = get_page(&app, "/me", &cookie).await.text().await.unwrap();
    assert!(page.contains(r#"id="kind-booking_confirmed" name="kind" value="booking_confirmed" checked"#));
    assert!(page.contains(r#"id="kind-booking_cancelled" name="kind" value="booking_cancelled">"#));

    // The API's refusal of security mail is the workflow's, unchanged.
    let res = app
        .send_json(
            reqwest::Method::PUT,
            "/api/v1/me/notifications",
            &json!({"kinds": {"password_reset": false}}),
            Some(&person.token),
        )
        .await;
    assert_eq!(res.status(), 422);
}

fn feed_url(html: &str) -> String {
    let at = html.find(r#"id="feed-url""#).expect("the link field");
    let rest = &html[at..];
    let v = rest.find("value=\"").unwrap() + 7;
    rest[v..].split('"').next().unwrap().to_owned()
}

#[tokio::test]
async fn a_new_calendar_link_ends_the_old_one() {
    let app = spawn_app().await;
    let (_, cookie, csrf) = signed_in(&app).await;
    let page = get_page(&app, "/me", &cookie).await.text().await.unwrap();
    assert!(page.contains("创建日历链接"));

    let made = post_form(&app, "/me/calendar-feed", &cookie, &[("csrf", &csrf)]).await;
    assert_eq!(made.status(), 200);
    let html = made.text().await.unwrap();
    let first = feed_url(&html);
    assert!(
        first.contains("/api/v1/calendar/") && first.ends_with(".ics"),
        "{first}"
    );
    assert!(html.contains(r#"<svg class="qr""#), "a QR code of the link");
    assert!(html.contains(r#"src="/assets/copy.js""#));
    let path = |url: &str| url[url.find("/api/").unwrap()..].to_owned();
    assert_eq!(app.get(&path(&first), None).await.status(), 200);

    // Afterwards the page says there is one, without showing it.
    let page = get_page(&app, "/me", &cookie).await.text().await.unwrap();
    assert!(page.contains("你已经有一个日历链接") && !page.contains(&first));

    let again = post_form(&app, "/me/calendar-feed", &cookie, &[("csrf", &csrf)]).await;
    let second = feed_url(&again.text().await.unwrap());
    assert_ne!(first, second);
    assert_eq!(app.get(&path(&first), None).await.status(), 404);
    assert_eq!(app.get(&path(&second), None).await.status(), 200);

    let js = app.get("/assets/copy.js", None).await;
    assert_eq!(js.status(), 200);
    assert!(
        js.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
}

#[tokio::test]
async fn signing_out_everywhere_ends_web_and_api_sessions() {
    let app = spawn_app().await;
    let (person, cookie, csrf) = signed_in(&app).await;
    let other_browser = sign_in(&app, &person.email, PASSWORD).await;
    assert_eq!(api_me(&app, &person.token).await.status(), 200);

    let res = post_form(&app, "/me/sign-out-everywhere", &cookie, &[("csrf", &csrf)]).await;
    assert_eq!(res.status(), 200);
    let set = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(set.contains("Max-Age=0"), "{set}");
    assert_eq!(api_me(&app, &person.token).await.status(), 401);
    for c in [&cookie, &other_browser] {
        let res = get_page(&app, "/me", c).await;
        assert_eq!(res.status(), 303);
        assert_eq!(location(&res), "/login?next=/me");
    }

    // The API's logout does the same with `everywhere`.
    let tokens: Value = app.login(&person.email, PASSWORD).await.json().await.unwrap();
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    let web = sign_in(&app, &person.email, PASSWORD).await;
    let res = app
        .post(
            "/api/v1/auth/logout",
            &json!({"refresh_token": tokens["refresh_token"], "everywhere": true}),
            None,
        )
        .await;
    assert_eq!(res.status(), 204);
    assert_eq!(api_me(&app, &access).await.status(), 401);
    assert_eq!(get_page(&app, "/me", &web).await.status(), 303);
}

#[tokio::test]
async fn forms_without_their_token_are_refused() {
    let app = spawn_app().await;
    let (person, cookie, _) = signed_in(&app).await;
    for (path, form) in [
        ("/me/language", vec![("language", "en")]),
        ("/me/notifications", vec![("kind", "booking_confirmed")]),
        ("/me/calendar-feed", vec![]),
        ("/me/sign-out-everywhere", vec![("csrf", "forged")]),
        (
            "/me/password",
            vec![
                ("current_password", PASSWORD),
                ("new_password", "a brand new one"),
            ],
        ),
    ] {
        let res = post_form(&app, path, &cookie, &form).await;
        assert_eq!(res.status(), 403, "{path}");
    }
    let me: Value = api_me(&app, &person.token).await.json().await.unwrap();
    assert_eq!(me["language"], "zh-CN");
    assert_eq!(
        get_page(&app, "/me", &cookie).await.status(),
        200,
        "still signed in"
    );
}

#[tokio::test]
async fn a_password_change_ends_every_other_session() {
    let app = spawn_app().await;
    let (person, cookie, csrf) = signed_in(&app).await;
    let other_browser = sign_in(&app, &person.email, PASSWORD).await;

    // Wrong current password: the page again, the words by the field.
    let res = post_form(
        &app,
        "/me/password",
        &cookie,
        &[
            ("csrf", &csrf),
            ("current_password", "not it at all"),
            ("new_password", "a brand new one"),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(
        html.contains(r#"id="current-error""#) && html.contains("现在的密码不对"),
        "{html}"
    );
    let short = post_form(
        &app,
        "/me/password",
        &cookie,
        &[
            ("csrf", &csrf),
            ("current_password", PASSWORD),
            ("new_password", "short"),
        ],
    )
    .await;
    assert_eq!(short.status(), 422);
    assert!(short.text().await.unwrap().contains(r#"id="new-error""#));
    assert_eq!(api_me(&app, &person.token).await.status(), 200);

    let res = post_form(
        &app,
        "/me/password",
        &cookie,
        &[
            ("csrf", &csrf),
            ("current_password", PASSWORD),
            ("new_password", "a brand new one"),
        ],
    )
    .await;
    assert_eq!(res.status(), 200);
    assert_eq!(api_me(&app, &person.token).await.status(), 401);
    assert_eq!(get_page(&app, "/me", &other_browser).await.status(), 303);
    assert_eq!(app.login(&person.email, "a brand new one").await.status(), 200);
}

#[tokio::test]
async fn a_computer_has_a_printable_check_in_sign_for_staff_and_admins() {
    let app = spawn_app().await;
    app.site("alpha").await;
    app.site("beta").await;
    let admin = app.admin("alpha").await;
    let pc = app
        .resource(
            "alpha",
            &admin,
            json!({"name": "PC 1", "kind": "computer", "pool": "computers"}),
        )
        .await;
    let staff = app.staff("alpha", "Zhao Min").await;
    let cookie = sign_in(&app, &staff.email, PASSWORD).await;
    let res = get_page(&app, &format!("/s/alpha/resources/{pc}/qr"), &cookie).await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("PC 1") && html.contains(r#"<svg class="qr""#),
        "{html}"
    );
    assert!(html.contains(&format!("/s/alpha/check-in/{pc}</p>")), "{html}");
    // The address on the sign opens the check-in page.
    assert_eq!(
        get_page(&app, &format!("/s/alpha/check-in/{pc}"), &cookie)
            .await
            .status(),
        200
    );

    let volunteer = app.member("alpha", "Chen Mei", Roles::VOLUNTEER, &[]).await;
    let v = sign_in(&app, &volunteer.email, PASSWORD).await;
    assert_eq!(
        get_page(&app, &format!("/s/alpha/resources/{pc}/qr"), &v)
            .await
            .status(),
        403
    );
    let elsewhere = app.admin("beta").await;
    let e = sign_in(&app, &elsewhere.email, PASSWORD).await;
    assert_eq!(
        get_page(&app, &format!("/s/beta/resources/{pc}/qr"), &e)
            .await
            .status(),
        404
    );
    assert_eq!(
        get_page(&app, &format!("/s/alpha/resources/{pc}/qr"), &e)
            .await
            .status(),
        404
    );
}

#[tokio::test]
async fn the_pages_mail_links_open_speak_the_visitors_language() {
    let app = spawn_app().await;
    let res = app
        .client
        .get(app.url("/reset-password?token=abc"))
        .header("accept-language", "en-GB,en;q=0.9")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("script-src 'self'")
    );
    let html = res.text().await.unwrap();
    assert!(
        html.contains("Set a new password") && !html.contains("<style"),
        "{html}"
    );

    let res = app
        .client
        .post(app.url("/reset-password"))
        .form(&[
            ("token", "abc"),
            ("password", "long enough now"),
            ("password_again", "long enough now"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("这个链接无效"));

    let res = app
        .client
        .post(app.url("/accept-invite"))
        .form(&[
            ("token", "abc"),
            ("password", "long enough now"),
            ("password_again", "not the same"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("两次输入的密码不一样"));
}

/// Her page shows the name she gave and, beside it, her second-language
/// name once she has set one (issue 20, 14).
#[tokio::test]
async fn her_page_shows_her_second_language_name() {
    let app = spawn_app().await;
    let (me, cookie, _) = signed_in(&app).await;
    let page = get_page(&app, "/me", &cookie).await.text().await.unwrap();
    assert!(!page.contains("外文名"), "no second-language name yet");
    let res = app
        .patch("/api/v1/me", &json!({"other_name": "Chen Jing"}), Some(&me.token))
        .await;
    assert_eq!(res.status(), 200);
    let page = get_page(&app, "/me", &cookie).await.text().await.unwrap();
    assert!(page.contains("外文名"), "{page}");
    assert!(page.contains("Chen Jing"), "{page}");
}
