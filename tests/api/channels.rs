//! Issue 24: a site's group-chat robots and webhooks. Each test starts a
//! local server playing the robot's documented API (`robots.rs`) and checks
//! the exact requests, the signatures, the retries after a 5xx and after the
//! robot's rate-limit answer, and that nothing private leaves.

use std::time::Duration;

use base64::Engine;
use chrono::{NaiveDateTime, Utc};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::helpers::{Person, TestApp, problem, sh, spawn_app, spawn_app_with};
use crate::robots::{Answer, FakeRobot};
use livingroom::domain::person::Roles;

const OK_WECOM: &str = r#"{"errcode":0,"errmsg":"ok"}"#;
const OK_FEISHU: &str = r#"{"code":0,"msg":"success","data":{}}"#;
/// Long enough that the hint shows only its last four characters.
const WECOM_KEY: &str = "693a91f6-7aaa-4bc4-97a0-0ec2sifa5aaa";
const DING_SECRET: &str = "SECc1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9";
const HOOK_SECRET: &str = "whsec-the-integrators-shared-secret";

async fn app_with_robots(max_attempts: u32) -> TestApp {
    spawn_app_with(|s| {
        // The fake robots listen on 127.0.0.1 over plain HTTP.
        s.channel_allow_private = true;
        s.mail_retry_seconds = 1;
        s.mail_max_attempts = max_attempts;
    })
    .await
}

fn hmac_b64(key: &[u8], message: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
    mac.update(message);
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

fn hmac_hex(key: &[u8], message: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
    mac.update(message);
    hex::encode(mac.finalize().into_bytes())
}

async fn add_channel(app: &TestApp, admin: &Person, body: Value) -> Value {
    let res = app
        .post("/api/v1/sites/alpha/channels", &body, Some(&admin.token))
        .await;
    let status = res.status();
    let text = res.text().await.unwrap();
    assert_eq!(status, 201, "{text}");
    serde_json::from_str(&text).unwrap()
}

#[derive(Debug)]
struct Row {
    id: i64,
    kind: String,
    status: String,
    attempts: i32,
    next_attempt_at: NaiveDateTime,
    last_error: Option<String>,
}

async fn rows_of(app: &TestApp, channel: i64) -> Vec<Row> {
    app.db
        .read(move |conn| {
            use diesel::prelude::*;
            use livingroom::db::schema::outbox;
            let rows: Vec<(i64, String, String, i32, NaiveDateTime, Option<String>)> = outbox::table
                .filter(outbox::channel_id.eq(channel))
                .order(outbox::id)
                .select((
                    outbox::id,
                    outbox::kind,
                    outbox::status,
                    outbox::attempts,
                    outbox::next_attempt_at,
                    outbox::last_error,
                ))
                .load(conn)?;
            Ok(rows
                .into_iter()
                .map(|(id, kind, status, attempts, next_attempt_at, last_error)| Row {
                    id,
                    kind,
                    status,
                    attempts,
                    next_attempt_at,
                    last_error,
                })
                .collect())
        })
        .await
        .unwrap()
}

/// Waits (at most 15 s) until every message of `channel` of `kind` is
/// `status` and there is at least one.
async fn wait_until(app: &TestApp, channel: i64, kind: &str, status: &str) -> Vec<Row> {
    for _ in 0..300 {
        let rows: Vec<Row> = rows_of(app, channel)
            .await
            .into_iter()
            .filter(|r| r.kind == kind)
            .collect();
        if !rows.is_empty() && rows.iter().all(|r| r.status == status) {
            return rows;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{kind} never became {status}: {:?}", rows_of(app, channel).await);
}

async fn room_closed(app: &TestApp, admin: &Person) {
    let room = app
        .resource(
            "alpha",
            admin,
            json!({"name": "活动室 Activity room", "kind": "room", "capacity": 20}),
        )
        .await;
    let res = app
        .post(
            &format!("/api/v1/sites/alpha/resources/{room}/blackouts"),
            &json!({"starts_at": sh(2, 9, 0), "ends_at": sh(2, 12, 0), "reason": "换灯管 new lights"}),
            Some(&admin.token),
        )
        .await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
}

/// WeCom: markdown to `send?key=`, the robot's rate-limit answer (HTTP 200,
/// errcode 45009) waited out rather than hammered, then delivered once.
#[tokio::test]
async fn a_wecom_robot_gets_a_blackout_and_its_rate_limit_is_waited_out() {
    let robot = FakeRobot::start(
        vec![Answer::json(
            200,
            r#"{"errcode":45009,"errmsg":"api freq out of limit"}"#,
        )],
        Answer::json(200, OK_WECOM),
    )
    .await;
    let app = app_with_robots(8).await;
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    let url = format!("{}/cgi-bin/webhook/send?key={WECOM_KEY}", robot.base);
    let ch = add_channel(
        &app,
        &admin,
        json!({"kind": "wecom", "name": "前台群", "url": url}),
    )
    .await;
    let id = ch["id"].as_i64().unwrap();
    // Write-only: the key is not in any answer.
    for path in [
        "/api/v1/sites/alpha/channels".to_owned(),
        format!("/api/v1/sites/alpha/channels/{id}"),
    ] {
        let text = app.get(&path, Some(&admin.token)).await.text().await.unwrap();
        assert!(!text.contains(WECOM_KEY), "{text}");
        assert!(text.contains("key=…5aaa"), "{text}");
    }
    assert_eq!(ch["has_secret"], false);
    assert_eq!(
        ch["topics"],
        json!([
            "booking.displaced",
            "rota.published",
            "rota.changed",
            "duty.uncovered",
            "duty.covered",
            "resource.blackout"
        ])
    );

    room_closed(&app, &admin).await;
    let first = robot.wait_for(1).await;
    assert_eq!(first[0].target, format!("/cgi-bin/webhook/send?key={WECOM_KEY}"));
    assert_eq!(
        first[0].headers["content-type"],
        "application/json; charset=utf-8"
    );
    let body = first[0].json();
    assert_eq!(body["msgtype"], "markdown");
    let content = body["markdown"]["content"].as_str().unwrap();
    assert!(
        content.starts_with("**暂停使用：活动室 Activity room**\n"),
        "{content}"
    );
    assert!(content.contains("换灯管 new lights"), "{content}");
    assert!(content.contains("[查看详情](http://"), "{content}");
    assert!(content.contains("/s/alpha/rooms)"), "{content}");

    // Rate limited: pending, not before a minute from now.
    let rows = wait_until(&app, id, "resource.blackout", "pending").await;
    let row = &rows[0];
    for _ in 0..100 {
        if rows_of(&app, id).await[0].attempts == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let row = rows_of(&app, id)
        .await
        .into_iter()
        .find(|r| r.id == row.id)
        .unwrap();
    assert_eq!(row.attempts, 1);
    assert!(
        row.last_error.as_deref().unwrap().contains("rate limited"),
        "{row:?}"
    );
    let wait = row.next_attempt_at - Utc::now().naive_utc();
    assert!(wait > chrono::Duration::seconds(50), "retried too soon: {wait}");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(robot.seen().len(), 1, "asked again inside the robot's minute");

    // An operator puts it back in the queue (as after the minute): sent once.
    let op = app.operator().await;
    let res = app
        .post(
            &format!("/api/v1/admin/outbox/{}/retry", row.id),
            &json!({}),
            Some(&op.token),
        )
        .await;
    assert_eq!(res.status(), 200);
    wait_until(&app, id, "resource.blackout", "sent").await;
    let seen = robot.wait_for(2).await;
    assert_eq!(seen[1].body, seen[0].body, "the same message again");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(robot.seen().len(), 2, "never sent twice once delivered");

    // The operator's outbox shows it, named by its channel.
    let list: Value = app
        .get("/api/v1/admin/outbox", Some(&op.token))
        .await
        .json()
        .await
        .unwrap();
    let item = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == row.id)
        .unwrap()
        .clone();
    assert_eq!(item["channel_id"], id);
    assert_eq!(item["to_address"], "前台群");
    assert_eq!(item["kind"], "resource.blackout");
    // And the site admin's record of the channel.
    let sent: Value = app
        .get(
            &format!("/api/v1/sites/alpha/channels/{id}/deliveries"),
            Some(&admin.token),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(sent[0]["status"], "sent");
    assert_eq!(sent[0]["attempts"], 1, "counted afresh from the operator's retry");
}

/// DingTalk: each attempt signed afresh (timestamp and sign in the query),
/// a 5xx retried with backoff.
#[tokio::test]
async fn a_dingtalk_robot_is_signed_on_every_attempt_and_a_5xx_is_retried() {
    let robot = FakeRobot::start(
        vec![Answer::json(502, "<html>bad gateway</html>")],
        Answer::json(200, OK_WECOM),
    )
    .await;
    let app = app_with_robots(8).await;
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    let url = format!("{}/robot/send?access_token=ding-token-1234567890", robot.base);
    let ch = add_channel(
        &app,
        &admin,
        json!({"kind": "dingtalk", "name": "志愿者群", "url": url, "secret": DING_SECRET, "topics": ["resource.blackout"]}),
    )
    .await;
    let id = ch["id"].as_i64().unwrap();
    assert_eq!(ch["has_secret"], true);
    let text = app
        .get("/api/v1/sites/alpha/channels", Some(&admin.token))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        !text.contains(DING_SECRET) && !text.contains("ding-token-1234567890"),
        "{text}"
    );

    room_closed(&app, &admin).await;
    wait_until(&app, id, "resource.blackout", "sent").await;
    let seen = robot.wait_for(2).await;
    assert_eq!(seen.len(), 2);
    for s in &seen {
        let q = s.query();
        assert_eq!(q["access_token"], "ding-token-1234567890");
        let ts: i64 = q["timestamp"].parse().unwrap();
        assert!(
            (Utc::now().timestamp_millis() - ts).abs() < 60_000,
            "milliseconds, now"
        );
        let expected = hmac_b64(DING_SECRET.as_bytes(), format!("{ts}\n{DING_SECRET}").as_bytes());
        assert_eq!(q["sign"], expected);
        let body = s.json();
        assert_eq!(body["msgtype"], "markdown");
        assert_eq!(body["markdown"]["title"], "暂停使用：活动室 Activity room");
        assert!(
            body["markdown"]["text"]
                .as_str()
                .unwrap()
                .starts_with("#### 暂停使用")
        );
    }
    let rows = rows_of(&app, id).await;
    assert_eq!(rows[0].attempts, 2);
}

/// Feishu: the rota published, signed in the body, a card with the link.
#[tokio::test]
async fn a_feishu_bot_hears_the_rota_published_signed_in_the_body() {
    let robot = FakeRobot::start(Vec::new(), Answer::json(200, OK_FEISHU)).await;
    let app = app_with_robots(8).await;
    let office = crate::rota::office(&app).await;
    let secret = "feishu-signing-secret";
    let url = format!(
        "{}/open-apis/bot/v2/hook/0f3e8d2c-aaaa-bbbb-cccc-1234567890ab",
        robot.base
    );
    let ch = add_channel(
        &app,
        &office.admin,
        json!({"kind": "feishu", "name": "社工群", "url": url, "secret": secret}),
    )
    .await;
    let id = ch["id"].as_i64().unwrap();
    let period = crate::rota::next_period();
    for path in ["generate", "publish"] {
        let res = app
            .post(
                &format!("/api/v1/sites/alpha/rota/{path}"),
                &period,
                Some(&office.admin.token),
            )
            .await;
        assert!(res.status().is_success(), "{path}: {}", res.text().await.unwrap());
    }
    wait_until(&app, id, "rota.published", "sent").await;
    let seen = robot.wait_for(1).await;
    let body = seen[0].json();
    assert_eq!(
        seen[0].target,
        "/open-apis/bot/v2/hook/0f3e8d2c-aaaa-bbbb-cccc-1234567890ab"
    );
    let ts: i64 = body["timestamp"].as_str().unwrap().parse().unwrap();
    assert!((Utc::now().timestamp() - ts).abs() < 60, "seconds, now");
    assert_eq!(body["sign"], hmac_b64(format!("{ts}\n{secret}").as_bytes(), b""));
    assert_eq!(body["msg_type"], "interactive");
    assert_eq!(
        body["card"]["header"]["title"]["content"],
        "前台值班表已发布（第 1 版）"
    );
    let text = body["card"]["elements"][0]["text"]["content"].as_str().unwrap();
    assert!(text.contains("/s/alpha/shifts"), "{text}");
    // The rota's people are not named to the group.
    assert_eq!(office.staff.len(), 4);
    for name in ["Li Na", "Zhang Wei", "Liu Yang", "Chen Jing"] {
        assert!(!seen[0].text().contains(name), "{name} named");
    }
}

/// A webhook: the events of an urgent displacement, signed over timestamp
/// and body; a 429 with `Retry-After` waited for; the same delivery id on
/// the retry; no reason, purpose, name or address in any body.
#[tokio::test]
async fn a_webhook_gets_signed_events_and_nothing_private() {
    let robot = FakeRobot::start(Vec::new(), Answer::json(204, "")).await;
    let app = app_with_robots(8).await;
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    let ch = add_channel(
        &app,
        &admin,
        json!({"kind": "webhook", "name": "district system", "url": format!("{}/hooks/livingroom", robot.base),
               "secret": HOOK_SECRET, "topics": ["booking.created", "booking.displaced"]}),
    )
    .await;
    let id = ch["id"].as_i64().unwrap();
    let pc = app
        .resource(
            "alpha",
            &admin,
            json!({"name": "PC 1", "kind": "computer", "pool": "computers"}),
        )
        .await;
    let holder = app.staff("alpha", "Holder Wang").await;
    let res = app
        .book(
            "alpha",
            &holder,
            json!({"resource_id": pc, "starts_at": sh(1, 15, 30), "ends_at": sh(1, 17, 0), "purpose": "PRIVATE-PURPOSE-paperwork"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    wait_until(&app, id, "booking.created", "sent").await;
    // The receiver is busy for the next event: 429, try in 2 s.
    robot.script_next(Answer {
        status: 429,
        headers: vec![("retry-after", "2".to_owned())],
        body: String::new(),
    });
    let urgent = app.staff("alpha", "Urgent Zhao").await;
    let res = app
        .book(
            "alpha",
            &urgent,
            json!({"pool": "computers", "starts_at": sh(1, 15, 30), "ends_at": sh(1, 16, 30),
                   "purpose": "PRIVATE-PURPOSE-mediation", "urgency": "urgent", "reason": "PRIVATE-REASON-neighbour dispute"}),
        )
        .await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    wait_until(&app, id, "booking.displaced", "sent").await;
    wait_until(&app, id, "booking.created", "sent").await;

    let seen = robot.seen();
    let types: Vec<String> = seen
        .iter()
        .map(|s| s.headers["x-livingroom-event"].clone())
        .collect();
    assert_eq!(
        types.iter().filter(|t| *t == "booking.created").count(),
        2,
        "{types:?}"
    );
    assert!(types.contains(&"booking.displaced".to_owned()), "{types:?}");
    for s in &seen {
        let ts = &s.headers["x-livingroom-timestamp"];
        let mut signed = format!("{ts}.").into_bytes();
        signed.extend_from_slice(&s.body);
        assert_eq!(
            s.headers["x-livingroom-signature"],
            format!("sha256={}", hmac_hex(HOOK_SECRET.as_bytes(), &signed))
        );
        let event = s.json();
        assert_eq!(event["id"], s.headers["x-livingroom-delivery"].as_str());
        assert_eq!(event["type"], s.headers["x-livingroom-event"].as_str());
        assert_eq!(event["site"], "alpha");
        let text = s.text();
        for private in [
            "PRIVATE",
            "Holder Wang",
            &holder.email,
            "Urgent Zhao",
            &urgent.email,
        ] {
            assert!(!text.contains(private), "{private} left in {text}");
        }
    }
    // The 429 was waited for (2 s) and the retry carried the same id.
    let displaced: Vec<_> = seen
        .iter()
        .filter(|s| {
            s.headers["x-livingroom-event"] != "booking.created" || s.json()["data"]["urgency"] == "urgent"
        })
        .collect();
    let first = &displaced[0];
    let again: Vec<_> = seen
        .iter()
        .filter(|s| s.headers["x-livingroom-delivery"] == first.headers["x-livingroom-delivery"])
        .collect();
    assert_eq!(
        again.len(),
        2,
        "refused once, then delivered: {:?}",
        seen.iter()
            .map(|s| &s.headers["x-livingroom-delivery"])
            .collect::<Vec<_>>()
    );
    let t0: i64 = again[0].headers["x-livingroom-timestamp"].parse().unwrap();
    let t1: i64 = again[1].headers["x-livingroom-timestamp"].parse().unwrap();
    assert!(t1 - t0 >= 2, "retried after {} s", t1 - t0);
    let displaced_event = seen
        .iter()
        .find(|s| s.headers["x-livingroom-event"] == "booking.displaced")
        .unwrap()
        .json();
    assert_eq!(displaced_event["data"]["by_urgency"], "urgent");
    assert_eq!(displaced_event["data"]["resource"], "PC 1");
}

/// A receiver that always fails: the message is parked as dead after the
/// attempts and shown so; the secret replaced by a site admin is the one
/// the next message is signed with.
#[tokio::test]
async fn a_failing_receiver_ends_dead_and_a_replaced_secret_signs_the_next() {
    let robot = FakeRobot::start(Vec::new(), Answer::json(500, "down")).await;
    let app = app_with_robots(2).await;
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    let ch = add_channel(
        &app,
        &admin,
        json!({"kind": "webhook", "name": "hook", "url": format!("{}/h", robot.base), "secret": HOOK_SECRET}),
    )
    .await;
    let id = ch["id"].as_i64().unwrap();
    let res = app
        .post(
            &format!("/api/v1/sites/alpha/channels/{id}/test"),
            &json!({}),
            Some(&admin.token),
        )
        .await;
    assert_eq!(res.status(), 202);
    let rows = wait_until(&app, id, "channel.test", "dead").await;
    assert_eq!(rows[0].attempts, 2);
    assert!(
        rows[0].last_error.as_deref().unwrap().starts_with("HTTP 500"),
        "{rows:?}"
    );
    assert!(
        !rows[0].last_error.as_deref().unwrap().contains("127.0.0.1"),
        "no address in errors"
    );
    assert_eq!(robot.seen().len(), 2);
    let shown: Value = app
        .get(
            &format!("/api/v1/sites/alpha/channels/{id}/deliveries"),
            Some(&admin.token),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(shown[0]["status"], "dead");

    let new_secret = "a-brand-new-secret-of-the-receiver";
    let res = app
        .patch(
            &format!("/api/v1/sites/alpha/channels/{id}"),
            &json!({"secret": new_secret}),
            Some(&admin.token),
        )
        .await;
    assert_eq!(res.status(), 200);
    let text = res.text().await.unwrap();
    assert!(
        !text.contains(new_secret) && !text.contains(HOOK_SECRET),
        "{text}"
    );
    robot.script_next(Answer::json(200, "{}"));
    let res = app
        .post(
            &format!("/api/v1/sites/alpha/channels/{id}/test"),
            &json!({}),
            Some(&admin.token),
        )
        .await;
    assert_eq!(res.status(), 202);
    let seen = robot.wait_for(3).await;
    let s = &seen[2];
    let mut signed = format!("{}.", s.headers["x-livingroom-timestamp"]).into_bytes();
    signed.extend_from_slice(&s.body);
    assert_eq!(
        s.headers["x-livingroom-signature"],
        format!("sha256={}", hmac_hex(new_secret.as_bytes(), &signed))
    );

    // Removed: its queue and record go with it.
    assert_eq!(
        app.delete(&format!("/api/v1/sites/alpha/channels/{id}"), Some(&admin.token))
            .await
            .status(),
        204
    );
    assert!(rows_of(&app, id).await.is_empty());
}

/// A duty date a day away and short is told to the group once; when a
/// volunteer signs up and it is full, the group is told it is covered.
#[tokio::test]
async fn a_group_hears_a_duty_uncovered_then_covered() {
    let robot = FakeRobot::start(Vec::new(), Answer::json(200, OK_WECOM)).await;
    let app = app_with_robots(8).await;
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    let url = format!("{}/cgi-bin/webhook/send?key={WECOM_KEY}", robot.base);
    let ch = add_channel(
        &app,
        &admin,
        json!({"kind": "wecom", "name": "志愿者群", "url": url}),
    )
    .await;
    let id = ch["id"].as_i64().unwrap();
    // A duty tomorrow at this hour, site time, one place.
    let tomorrow = Utc::now().with_timezone(&chrono_tz::Asia::Shanghai) + chrono::Duration::days(1);
    let weekday = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        [chrono::Datelike::weekday(&tomorrow).num_days_from_monday() as usize];
    let hour = chrono::Timelike::hour(&tomorrow).min(22);
    let res = app
        .post(
            "/api/v1/sites/alpha/duties",
            &json!({"name": "量血压 Blood pressure", "weekday": weekday, "start": format!("{hour:02}:00"),
                    "end": format!("{hour:02}:59"), "capacity": 1}),
            Some(&admin.token),
        )
        .await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let duty = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let notifier = livingroom::notify::Notifier::new("http://livingroom.test");
    for _ in 0..2 {
        let notifier = notifier.clone();
        app.db
            .write(move |conn| livingroom::workflows::duties::flag_short(conn, &notifier, Utc::now()))
            .await
            .unwrap();
    }
    let rows = wait_until(&app, id, "duty.uncovered", "sent").await;
    assert_eq!(rows.len(), 1, "told once");
    let seen = robot.wait_for(1).await;
    let content = seen[0].json()["markdown"]["content"].as_str().unwrap().to_owned();
    assert!(
        content.contains("量血压 Blood pressure") && content.contains("还差 1 人"),
        "{content}"
    );

    let volunteer = app.member("alpha", "Volunteer Sun", Roles::VOLUNTEER, &[]).await;
    let res = app
        .post(
            &format!("/api/v1/sites/alpha/duties/{duty}/signups"),
            &json!({"scope": "once", "date": tomorrow.date_naive()}),
            Some(&volunteer.token),
        )
        .await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    wait_until(&app, id, "duty.covered", "sent").await;
    let seen = robot.wait_for(2).await;
    let content = seen[1].json()["markdown"]["content"].as_str().unwrap().to_owned();
    assert!(
        content.starts_with("**志愿值守已补齐：量血压 Blood pressure**"),
        "{content}"
    );
    assert!(!content.contains("Volunteer Sun"), "{content}");
}

/// A person's channel settings are honoured: one who turned off booking
/// mail gets none, a colleague who did not gets hers, and the site's
/// webhook hears of both bookings either way (it is the site's, not hers).
#[tokio::test]
async fn a_persons_channel_settings_are_honoured_beside_the_sites_channels() {
    let robot = FakeRobot::start(Vec::new(), Answer::json(200, "{}")).await;
    let app = app_with_robots(8).await;
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    let ch = add_channel(
        &app,
        &admin,
        json!({"kind": "webhook", "name": "hook", "url": format!("{}/h", robot.base), "secret": HOOK_SECRET,
               "topics": ["booking.created"]}),
    )
    .await;
    let id = ch["id"].as_i64().unwrap();
    let room = app
        .resource(
            "alpha",
            &admin,
            json!({"name": "Room", "kind": "room", "capacity": 10}),
        )
        .await;
    let quiet = app.quick_member("alpha", Roles::STAFF).await;
    let loud = app.quick_member("alpha", Roles::STAFF).await;
    let res = app
        .client
        .put(app.url("/api/v1/me/notifications"))
        .bearer_auth(&quiet.token)
        .json(&json!({"channels": {"email": {"booking_confirmed": false}}}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let prefs: Value = res.json().await.unwrap();
    assert_eq!(prefs["channels"]["email"]["booking_confirmed"], false);
    assert_eq!(
        prefs["kinds"]["booking_confirmed"], false,
        "the same setting, by its older name"
    );
    for (who, hour) in [(&quiet, 9), (&loud, 11)] {
        let res = app
            .book(
                "alpha",
                who,
                json!({"resource_id": room, "starts_at": sh(1, hour, 0), "ends_at": sh(1, hour + 1, 0), "purpose": "case review"}),
            )
            .await;
        assert_eq!(res.status(), 201);
    }
    let rows = wait_until(&app, id, "booking.created", "sent").await;
    assert_eq!(rows.len(), 2, "the site's webhook hears of both");
    let mail_to: Vec<String> = app
        .db
        .read(|conn| {
            use diesel::prelude::*;
            use livingroom::db::schema::outbox;
            Ok(outbox::table
                .filter(outbox::kind.eq("booking_confirmed"))
                .select(outbox::to_address)
                .load(conn)?)
        })
        .await
        .unwrap();
    assert_eq!(
        mail_to,
        vec![loud.email.clone()],
        "only the one who kept it on is mailed"
    );
}

/// What a site admin may write in, and what she is told when it is wrong.
#[tokio::test]
async fn channel_set_up_is_checked_field_by_field() {
    // The default deployment: no private addresses.
    let app = spawn_app().await;
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    let refused = |body: Value| {
        let app = &app;
        let token = admin.token.clone();
        async move {
            let res = app
                .post("/api/v1/sites/alpha/channels", &body, Some(&token))
                .await;
            let p = problem(res, 422).await;
            p["errors"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["field"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    let wecom = format!("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={WECOM_KEY}");
    assert_eq!(
        refused(json!({"kind": "wecom", "name": "g", "url": wecom, "secret": "abcdefgh12"})).await,
        ["secret"]
    );
    assert_eq!(
        refused(json!({"kind": "pager", "name": "g", "url": wecom})).await,
        ["kind"]
    );
    assert_eq!(
        refused(json!({"kind": "wecom", "name": "g", "url": "https://example.org/send?key=abc"})).await,
        ["url"]
    );
    assert_eq!(
        refused(
            json!({"kind": "wecom", "name": "", "url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send"})
        )
        .await,
        ["name", "url"]
    );
    assert_eq!(
        refused(json!({"kind": "webhook", "name": "h", "url": "https://example.org/h"})).await,
        ["secret"]
    );
    for local in [
        "http://example.org/h",
        "https://127.0.0.1/h",
        "https://169.254.169.254/latest",
        "https://localhost/h",
        "https://[::1]/h",
    ] {
        assert_eq!(
            refused(json!({"kind": "webhook", "name": "h", "url": local, "secret": HOOK_SECRET})).await,
            ["url"],
            "{local}"
        );
    }
    assert_eq!(
        refused(json!({"kind": "webhook", "name": "h", "url": "https://example.org/h", "secret": HOOK_SECRET, "topics": ["booking.created", "nope"]})).await,
        ["topics[1]"]
    );
    assert_eq!(refused(json!({"kind": "dingtalk", "name": "d", "url": "https://oapi.dingtalk.com/robot/send?access_token=t", "secret": "short"})).await, ["secret"]);
    // Nothing was stored by any of these.
    let list: Value = app
        .get("/api/v1/sites/alpha/channels", Some(&admin.token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list, json!([]));

    let ok = add_channel(
        &app,
        &admin,
        json!({"kind": "wecom", "name": "前台群", "url": wecom}),
    )
    .await;
    let res = app
        .post(
            "/api/v1/sites/alpha/channels",
            &json!({"kind": "wecom", "name": "前台群", "url": wecom}),
            Some(&admin.token),
        )
        .await;
    problem(res, 409).await;
    // A changed address is checked the same way, and replaces the old.
    let path = format!("/api/v1/sites/alpha/channels/{}", ok["id"]);
    problem(
        app.patch(
            &path,
            &json!({"url": "https://10.0.0.1/send?key=x"}),
            Some(&admin.token),
        )
        .await,
        422,
    )
    .await;
    let other_key = "ffffffff-eeee-dddd-cccc-bbbbbbbb9999";
    let res = app
        .patch(
            &path,
            &json!({"url": format!("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={other_key}"), "active": false}),
            Some(&admin.token),
        )
        .await;
    assert_eq!(res.status(), 200);
    let v: Value = res.json().await.unwrap();
    assert!(v["url_hint"].as_str().unwrap().ends_with("key=…9999"), "{v}");
    assert_eq!(v["active"], false);
    // Turned off: no test is queued; other members may not see it.
    problem(
        app.post(&format!("{path}/test"), &json!({}), Some(&admin.token))
            .await,
        409,
    )
    .await;
    let staff = app.quick_member("alpha", Roles::STAFF).await;
    problem(
        app.get("/api/v1/sites/alpha/channels", Some(&staff.token)).await,
        403,
    )
    .await;
    problem(
        app.get(&format!("{path}/deliveries?limit=0"), Some(&admin.token))
            .await,
        422,
    )
    .await;
}
