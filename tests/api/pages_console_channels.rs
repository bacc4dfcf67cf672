//! The console's 群机器人 (issue 24): a WeCom robot and a webhook added
//! through the form without JavaScript read back through the API; a wrong
//! address comes back next to its field and stores nothing; a saved
//! address or secret is never in any page, not even a form that came back
//! with a mistake; an empty field keeps, a typed one replaces; the test
//! button queues a `channel.test` message; removing asks once; only the
//! site's admin gets in.

use serde_json::{Value, json};

use crate::helpers::{Person, TestApp, spawn_app, spawn_app_with};
use crate::web::{csrf_in, location, page, post, sign_in};

/// Long enough that the address's hint shows only its last four characters.
const WECOM_KEY: &str = "693a91f6-7aaa-4bc4-97a0-0ec2sifa5aaa";
const DING_TOKEN: &str = "c1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2";
const DING_SECRET: &str = "SECc1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9";
const NEW_DING_SECRET: &str = "SECf9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2";
const HOOK_PATH: &str = "hooks/livingroom-0123456789abcdef";
const HOOK_SECRET: &str = "whsec-the-integrators-shared-secret";

fn wecom_url() -> String {
    format!("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={WECOM_KEY}")
}

fn ding_url() -> String {
    format!("https://oapi.dingtalk.com/robot/send?access_token={DING_TOKEN}")
}

/// No credential, whole or as its address, is in `html`.
fn hides_credentials(html: &str, what: &str) {
    for secret in [
        WECOM_KEY,
        DING_TOKEN,
        DING_SECRET,
        NEW_DING_SECRET,
        HOOK_PATH,
        HOOK_SECRET,
    ] {
        assert!(!html.contains(secret), "{what} shows {secret}");
    }
}

async fn channels(app: &TestApp, admin: &Person) -> Vec<Value> {
    let res = app.get("/api/v1/sites/alpha/channels", Some(&admin.token)).await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

async fn add_via_api(app: &TestApp, admin: &Person, body: Value) -> i64 {
    let res = app
        .post("/api/v1/sites/alpha/channels", &body, Some(&admin.token))
        .await;
    let status = res.status();
    let text = res.text().await.unwrap();
    assert_eq!(status, 201, "{text}");
    serde_json::from_str::<Value>(&text).unwrap()["id"]
        .as_i64()
        .unwrap()
}

/// The stored secret of a channel (the API never shows it).
async fn stored_secret(app: &TestApp, id: i64) -> Option<String> {
    app.db
        .read(move |conn| {
            use diesel::prelude::*;
            use livingroom::db::schema::site_channels;
            Ok(site_channels::table
                .find(id)
                .select(site_channels::secret)
                .first::<Option<String>>(conn)?)
        })
        .await
        .unwrap()
}

/// The kinds of the messages queued for a channel.
async fn queued(app: &TestApp, channel: i64) -> Vec<String> {
    app.db
        .read(move |conn| {
            use diesel::prelude::*;
            use livingroom::db::schema::outbox;
            Ok(outbox::table
                .filter(outbox::channel_id.eq(channel))
                .order(outbox::id)
                .select(outbox::kind)
                .load::<String>(conn)?)
        })
        .await
        .unwrap()
}

async fn admin_signed_in(app: &TestApp) -> (Person, String) {
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    let cookie = sign_in(app, &admin.email).await;
    (admin, cookie)
}

#[tokio::test]
async fn the_secretary_adds_a_wecom_robot_and_a_webhook_without_javascript() {
    let app = spawn_app().await;
    let (admin, cookie) = admin_signed_in(&app).await;

    // The console links the page.
    let (_, home) = page(&app, "/s/alpha/console", &cookie).await;
    assert!(home.contains(r#"href="/s/alpha/console/channels""#), "{home}");
    let (status, list) = page(&app, "/s/alpha/console/channels", &cookie).await;
    assert_eq!(status, 200);
    assert!(list.contains("还没有群机器人或 Webhook"), "{list}");

    let (status, new) = page(&app, "/s/alpha/console/channels/new", &cookie).await;
    assert_eq!(status, 200);
    assert!(
        new.contains(r#"type="password" name="secret" value="" autocomplete="off""#),
        "{new}"
    );
    assert!(new.contains(r#"<label for="secret">"#), "the secret is labelled");
    assert!(
        new.contains("以 SEC 开头") && new.contains("签名校验"),
        "a hint per kind"
    );
    assert!(
        new.contains(r#"name="kind" value="wecom" checked"#),
        "a WeCom robot to start from"
    );
    let csrf = csrf_in(&new);

    // A WeCom robot, no notice ticked: a group's defaults.
    let url = wecom_url();
    let res = post(
        &app,
        "/s/alpha/console/channels",
        &cookie,
        &[
            ("csrf", csrf.as_str()),
            ("kind", "wecom"),
            ("name", "前台群"),
            ("url", url.as_str()),
            ("secret", ""),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/s/alpha/console/channels?done=created");

    // A webhook with two notices ticked and its secret.
    let hook = format!("https://example.org/{HOOK_PATH}");
    let res = post(
        &app,
        "/s/alpha/console/channels",
        &cookie,
        &[
            ("csrf", csrf.as_str()),
            ("kind", "webhook"),
            ("name", "对接系统"),
            ("url", hook.as_str()),
            ("secret", HOOK_SECRET),
            ("topic.booking.created", "on"),
            ("topic.rota.published", "on"),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);

    let all = channels(&app, &admin).await;
    assert_eq!(all.len(), 2, "{all:?}");
    let robot = all.iter().find(|c| c["kind"] == "wecom").unwrap();
    assert_eq!(robot["name"], "前台群");
    assert_eq!(robot["has_secret"], false);
    assert_eq!(robot["active"], true);
    assert_eq!(
        robot["topics"],
        json!([
            "booking.displaced",
            "rota.published",
            "rota.changed",
            "duty.uncovered",
            "duty.covered",
            "resource.blackout"
        ])
    );
    let webhook = all.iter().find(|c| c["kind"] == "webhook").unwrap();
    assert_eq!(webhook["has_secret"], true);
    assert_eq!(webhook["topics"], json!(["booking.created", "rota.published"]));
    assert_eq!(
        stored_secret(&app, webhook["id"].as_i64().unwrap())
            .await
            .as_deref(),
        Some(HOOK_SECRET)
    );

    // Listed in words, the address only as its hint.
    let (status, list) = page(&app, "/s/alpha/console/channels?done=created", &cookie).await;
    assert_eq!(status, 200);
    assert!(list.contains("已添加"), "{list}");
    assert!(list.contains("企业微信群机器人") && list.contains("Webhook"));
    assert!(
        list.contains("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…5aaa"),
        "{list}"
    );
    assert!(list.contains("已设置（不显示）"), "{list}");
    assert!(list.contains("新预约、排班发布"), "topics in words: {list}");
    assert!(list.contains("还没有发送过"), "{list}");
    hides_credentials(&list, "the list");

    // The forms of both open without either credential.
    for c in &all {
        let id = c["id"].as_i64().unwrap();
        for path in [
            format!("/s/alpha/console/channels/{id}"),
            format!("/s/alpha/console/channels/{id}/remove"),
        ] {
            let (status, html) = page(&app, &path, &cookie).await;
            assert_eq!(status, 200, "{path}");
            hides_credentials(&html, &path);
        }
    }
}

#[tokio::test]
async fn a_wrong_address_is_shown_at_its_field_and_nothing_is_stored() {
    let app = spawn_app().await;
    let (admin, cookie) = admin_signed_in(&app).await;
    let (_, new) = page(&app, "/s/alpha/console/channels/new", &cookie).await;
    let csrf = csrf_in(&new);

    // A WeCom key pasted under another host.
    let wrong = format!("https://example.org/cgi-bin/webhook/send?key={WECOM_KEY}");
    let res = post(
        &app,
        "/s/alpha/console/channels",
        &cookie,
        &[
            ("csrf", csrf.as_str()),
            ("kind", "wecom"),
            ("name", "前台群"),
            ("url", wrong.as_str()),
            ("topic.rota.published", "on"),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains(r#"id="url-error""#), "{html}");
    assert!(html.contains("企业微信群机器人的地址形如"), "{html}");
    assert!(html.contains(r##"href="#url""##), "the summary links the field");
    assert!(html.contains(r#"value="前台群""#), "the name is kept as typed");
    assert!(
        html.contains(r#"name="topic.rota.published" checked"#),
        "the notices are kept as ticked"
    );
    assert!(
        html.contains(r#"name="url" value="""#) && html.contains("没有留在表单里"),
        "the address is not written back, and the page says so"
    );
    hides_credentials(&html, "the refused form");

    // A webhook without its secret: at the secret, the address not kept.
    let hook = format!("https://example.org/{HOOK_PATH}");
    let res = post(
        &app,
        "/s/alpha/console/channels",
        &cookie,
        &[
            ("csrf", csrf.as_str()),
            ("kind", "webhook"),
            ("name", "对接系统"),
            ("url", hook.as_str()),
            ("secret", ""),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains(r#"id="secret-error""#), "{html}");
    assert!(html.contains("Webhook 要有密钥"), "{html}");
    hides_credentials(&html, "the refused webhook");

    // A local address, a secret where WeCom has none.
    let res = post(
        &app,
        "/s/alpha/console/channels",
        &cookie,
        &[
            ("csrf", csrf.as_str()),
            ("kind", "wecom"),
            ("name", "前台群"),
            ("url", "https://127.0.0.1/cgi-bin/webhook/send?key=k"),
            ("secret", HOOK_SECRET),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains(r#"id="url-error""#) && html.contains(r#"id="secret-error""#));
    assert!(html.contains("企业微信群机器人没有密钥，这一栏请留空"), "{html}");
    hides_credentials(&html, "the refused secret");

    assert_eq!(
        channels(&app, &admin).await,
        Vec::<Value>::new(),
        "nothing stored"
    );

    // A second one by a name taken: at the name.
    add_via_api(
        &app,
        &admin,
        json!({"kind": "wecom", "name": "前台群", "url": wecom_url()}),
    )
    .await;
    let url = wecom_url();
    let res = post(
        &app,
        "/s/alpha/console/channels",
        &cookie,
        &[
            ("csrf", csrf.as_str()),
            ("kind", "wecom"),
            ("name", "前台群"),
            ("url", url.as_str()),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(
        html.contains(r#"id="name-error""#) && html.contains("本站已有同名的"),
        "{html}"
    );
    hides_credentials(&html, "the refused name");
    assert_eq!(channels(&app, &admin).await.len(), 1);
}

#[tokio::test]
async fn an_empty_field_keeps_and_a_typed_one_replaces() {
    let app = spawn_app().await;
    let (admin, cookie) = admin_signed_in(&app).await;
    let id = add_via_api(
        &app,
        &admin,
        json!({"kind": "dingtalk", "name": "钉钉群", "url": ding_url(), "secret": DING_SECRET}),
    )
    .await;
    let path = format!("/s/alpha/console/channels/{id}");
    let (status, edit) = page(&app, &path, &cookie).await;
    assert_eq!(status, 200);
    assert!(edit.contains("留空则不变；已保存的地址和密钥不会显示"), "{edit}");
    assert!(edit.contains(r#"value="钉钉群""#), "the name is filled in");
    assert!(edit.contains(r#"name="url" value="""#) && edit.contains(r#"name="secret" value="""#));
    assert!(edit.contains("加签"), "the kind's own hint");
    hides_credentials(&edit, "the change form");
    let csrf = csrf_in(&edit);

    // A new secret, the address left empty: kept.
    let res = post(
        &app,
        &path,
        &cookie,
        &[
            ("csrf", csrf.as_str()),
            ("name", "钉钉工作群"),
            ("url", ""),
            ("secret", NEW_DING_SECRET),
            ("topic.duty.uncovered", "on"),
            ("active", "on"),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/s/alpha/console/channels?done=saved");
    let all = channels(&app, &admin).await;
    let c = &all[0];
    assert_eq!(c["name"], "钉钉工作群");
    assert_eq!(c["has_secret"], true);
    assert_eq!(c["topics"], json!(["duty.uncovered"]));
    assert_eq!(
        c["url_hint"], "https://oapi.dingtalk.com/robot/send?access_token=…b1c2",
        "the address is kept"
    );
    assert_eq!(stored_secret(&app, id).await.as_deref(), Some(NEW_DING_SECRET));

    // Both left empty: both kept; unticked "on": turned off.
    let res = post(
        &app,
        &path,
        &cookie,
        &[
            ("csrf", csrf.as_str()),
            ("name", "钉钉工作群"),
            ("url", ""),
            ("secret", ""),
            ("topic.duty.uncovered", "on"),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    let c = &channels(&app, &admin).await[0];
    assert_eq!(c["has_secret"], true);
    assert_eq!(c["active"], false);
    assert_eq!(stored_secret(&app, id).await.as_deref(), Some(NEW_DING_SECRET));
    let (_, list) = page(&app, "/s/alpha/console/channels", &cookie).await;
    assert!(list.contains("已关闭，打开后才能发送测试消息"), "{list}");
    assert!(
        !list.contains(&format!("/s/alpha/console/channels/{id}/test")),
        "no test button when off"
    );

    // A secret with a space, no notice: each at its field, nothing changed,
    // the typed secret not written back.
    let res = post(
        &app,
        &path,
        &cookie,
        &[
            ("csrf", csrf.as_str()),
            ("name", "钉钉工作群"),
            ("url", ""),
            ("secret", "SEC bad secret"),
            ("active", "on"),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(
        html.contains(r#"id="secret-error""#) && html.contains(r#"id="topics-error""#),
        "{html}"
    );
    assert!(!html.contains("SEC bad secret"));
    assert!(html.contains(r#"name="secret" value="""#) && html.contains("没有留在表单里"));
    hides_credentials(&html, "the refused change");
    assert_eq!(stored_secret(&app, id).await.as_deref(), Some(NEW_DING_SECRET));
    assert_eq!(channels(&app, &admin).await[0]["active"], false);

    // Removing the secret, when the robot has one to remove.
    let res = post(
        &app,
        &path,
        &cookie,
        &[
            ("csrf", csrf.as_str()),
            ("name", "钉钉工作群"),
            ("url", ""),
            ("secret", ""),
            ("clear_secret", "on"),
            ("topic.duty.uncovered", "on"),
            ("active", "on"),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    assert_eq!(channels(&app, &admin).await[0]["has_secret"], false);
    assert_eq!(stored_secret(&app, id).await, None);
}

#[tokio::test]
async fn the_test_button_queues_a_test_message() {
    // A local address: the test message never leaves this machine.
    let app = spawn_app_with(|s| s.channel_allow_private = true).await;
    let (admin, cookie) = admin_signed_in(&app).await;
    let id = add_via_api(
        &app,
        &admin,
        json!({"kind": "wecom", "name": "前台群",
               "url": format!("http://127.0.0.1:9/cgi-bin/webhook/send?key={WECOM_KEY}")}),
    )
    .await;
    let (_, list) = page(&app, "/s/alpha/console/channels", &cookie).await;
    let action = format!("/s/alpha/console/channels/{id}/test");
    assert!(list.contains(&format!(r#"action="{action}""#)), "{list}");
    let csrf = csrf_in(&list);

    // A forged form queues nothing.
    let res = post(&app, &action, &cookie, &[("csrf", "forged")]).await;
    assert_eq!(res.status(), 403);
    assert!(queued(&app, id).await.is_empty());

    let res = post(&app, &action, &cookie, &[("csrf", csrf.as_str())]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        location(&res),
        format!("/s/alpha/console/channels?done=tested#channel-{id}")
    );
    assert_eq!(queued(&app, id).await, ["channel.test"]);

    let (_, list) = page(&app, "/s/alpha/console/channels?done=tested", &cookie).await;
    assert!(list.contains("测试消息已排队"), "{list}");
    assert!(list.contains("测试消息"), "{list}");
    assert!(
        ["等待发送", "已发送", "已放弃"].iter().any(|s| list.contains(s)),
        "its status in words: {list}"
    );
    hides_credentials(&list, "the list after a test");
}

#[tokio::test]
async fn removing_asks_once() {
    let app = spawn_app().await;
    let (admin, cookie) = admin_signed_in(&app).await;
    let id = add_via_api(
        &app,
        &admin,
        json!({"kind": "wecom", "name": "前台群", "url": wecom_url()}),
    )
    .await;
    let url = format!("/s/alpha/console/channels/{id}/remove");
    let (status, ask) = page(&app, &url, &cookie).await;
    assert_eq!(status, 200);
    assert!(ask.contains("要删除它吗") && ask.contains("前台群"), "{ask}");
    assert!(ask.contains("发送记录也一起删除"), "{ask}");

    let res = post(&app, &url, &cookie, &[("csrf", "forged")]).await;
    assert_eq!(res.status(), 403);
    assert_eq!(
        channels(&app, &admin).await.len(),
        1,
        "a forged form removes nothing"
    );

    let res = post(&app, &url, &cookie, &[("csrf", csrf_in(&ask).as_str())]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/s/alpha/console/channels?done=removed");
    assert!(channels(&app, &admin).await.is_empty());
    let (_, list) = page(&app, "/s/alpha/console/channels?done=removed", &cookie).await;
    assert!(list.contains("已删除"), "{list}");
}

#[tokio::test]
async fn only_the_sites_admin_gets_in() {
    let app = spawn_app().await;
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    let staff = app.staff("alpha", "Li Na").await;
    let id = add_via_api(
        &app,
        &admin,
        json!({"kind": "wecom", "name": "前台群", "url": wecom_url()}),
    )
    .await;
    let cookie = sign_in(&app, &staff.email).await;
    for path in [
        "/s/alpha/console/channels".to_owned(),
        "/s/alpha/console/channels/new".to_owned(),
        format!("/s/alpha/console/channels/{id}"),
        format!("/s/alpha/console/channels/{id}/remove"),
    ] {
        let (status, html) = page(&app, &path, &cookie).await;
        assert_eq!(status, 403, "{path}");
        hides_credentials(&html, &path);
    }
    let (_, home) = page(&app, "/s/alpha", &cookie).await;
    let csrf = csrf_in(&home);
    let url = wecom_url();
    for (path, form) in [
        (
            "/s/alpha/console/channels".to_owned(),
            vec![
                ("csrf", csrf.as_str()),
                ("kind", "wecom"),
                ("name", "偷偷加的"),
                ("url", url.as_str()),
            ],
        ),
        (
            format!("/s/alpha/console/channels/{id}"),
            vec![("csrf", csrf.as_str()), ("name", "改名"), ("active", "on")],
        ),
        (
            format!("/s/alpha/console/channels/{id}/test"),
            vec![("csrf", csrf.as_str())],
        ),
        (
            format!("/s/alpha/console/channels/{id}/remove"),
            vec![("csrf", csrf.as_str())],
        ),
    ] {
        let res = post(&app, &path, &cookie, &form).await;
        assert_eq!(res.status(), 403, "{path}");
    }
    let all = channels(&app, &admin).await;
    assert_eq!(all.len(), 1, "nothing added or removed");
    assert_eq!(all[0]["name"], "前台群", "nothing changed");
    assert!(queued(&app, id).await.is_empty(), "no test queued");
}
