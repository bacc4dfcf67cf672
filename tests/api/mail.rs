//! Mail through the real SMTP protocol: what arrives, in which language,
//! with which attachment, and that nothing is lost or sent twice.

use std::collections::BTreeMap;
use std::time::Duration;

use mail_parser::MimeHeaders;

use serde_json::{Value, json};

use crate::helpers::{Person, TestApp, problem, sh, spawn_app, spawn_app_with};
use crate::smtp::{SmtpServer, free_port};
use livingroom::domain::person::Language;
use livingroom::mail::SmtpSecurity;
use livingroom::mail::content::Content;

async fn smtp_app(port: u16) -> TestApp {
    spawn_app_with(|s| {
        s.smtp_host = Some("127.0.0.1".to_owned());
        s.smtp_port = port;
        s.smtp_security = SmtpSecurity::None;
        s.mail_retry_seconds = 1;
        s.mail_lease_seconds = 2;
        s.mail_from = "livingroom <noreply@livingroom.test>".to_owned();
    })
    .await
}

async fn computer(app: &TestApp) -> (Person, i64) {
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    let pc = app
        .resource("alpha", &admin, json!({"name": "共享电脑 1", "kind": "computer"}))
        .await;
    (admin, pc)
}

fn slot(pc: i64, hour: u32) -> Value {
    json!({"resource_id": pc, "starts_at": sh(1, hour, 0), "ends_at": sh(1, hour + 1, 0), "purpose": "走访记录 visit notes"})
}

async fn set_language(app: &TestApp, person: &Person, language: Language) {
    let id = person.id;
    app.db
        .write(move |conn| {
            use diesel::prelude::*;
            use livingroom::db::schema::users;
            diesel::update(users::table.find(id))
                .set(users::language.eq(language.code()))
                .execute(conn)?;
            Ok(())
        })
        .await
        .unwrap();
}

async fn outbox_statuses(app: &TestApp) -> Vec<String> {
    app.db
        .read(|conn| {
            use diesel::prelude::*;
            use livingroom::db::schema::outbox;
            Ok(outbox::table
                .order(outbox::id)
                .select(outbox::status)
                .load(conn)?)
        })
        .await
        .unwrap()
}

#[tokio::test]
async fn a_confirmation_arrives_in_the_readers_language_with_a_calendar() {
    let smtp = SmtpServer::start().await;
    let app = smtp_app(smtp.port).await;
    let (_admin, pc) = computer(&app).await;
    let zh = app.staff("alpha", "李娜").await;
    let en = app.staff("alpha", "Tom").await;
    set_language(&app, &en, Language::En).await;
    assert_eq!(app.book("alpha", &zh, slot(pc, 9)).await.status(), 201);
    assert_eq!(app.book("alpha", &en, slot(pc, 11)).await.status(), 201);

    let got = smtp.wait_for(2).await;
    assert_eq!(got.len(), 2);
    let by_rcpt: BTreeMap<String, &crate::smtp::Received> =
        got.iter().map(|m| (m.rcpt[0].clone(), m)).collect();
    let zh_mail = by_rcpt[&zh.email];
    assert_eq!(zh_mail.subject(), "预约成功：共享电脑 1");
    assert!(zh_mail.text().contains("李娜，您好"), "{}", zh_mail.text());
    let en_mail = by_rcpt[&en.email];
    assert_eq!(en_mail.subject(), "Booked: 共享电脑 1");
    assert!(en_mail.text().contains("Dear Tom"));
    let parsed = en_mail.parsed();
    assert_eq!(
        parsed.header("Content-Language").and_then(|h| h.as_text()),
        Some("en")
    );
    assert!(parsed.message_id().unwrap().starts_with("booking-"));
    let ics = parsed
        .attachments()
        .find(|a| a.attachment_name() == Some("booking.ics"))
        .expect("an .ics attachment");
    let text = String::from_utf8(ics.contents().to_vec()).unwrap();
    let calendar: icalendar::Calendar = text.parse().expect("the attachment is valid iCalendar");
    assert_eq!(calendar.components.len(), 1);
    assert!(
        text.contains("SUMMARY:共享电脑 1: 走访记录 visit notes"),
        "{text}"
    );
}

#[tokio::test]
async fn a_rolled_back_change_sends_nothing() {
    let smtp = SmtpServer::start().await;
    let app = smtp_app(smtp.port).await;
    let (admin, pc) = computer(&app).await;
    let res = app.book("alpha", &admin, slot(pc, 9)).await;
    let booking: Value = res.json().await.unwrap();
    smtp.wait_for(1).await;
    let id = booking["id"].as_i64().unwrap();
    let notifier = livingroom::notify::Notifier::new("http://livingroom.test");
    // Queue a cancellation notice inside a transaction that then fails.
    let outcome = app
        .db
        .write(move |conn| {
            let site = livingroom::store::sites::by_slug(conn, "alpha")?.unwrap();
            let b = livingroom::store::bookings::by_id(conn, site.id, id)?;
            notifier.bookings(
                conn,
                &site,
                livingroom::mail::templates::Kind::BookingCancelled,
                &[b],
                livingroom::clock::now_naive(),
            )?;
            Err::<(), _>(livingroom::errors::ApiError::conflict("something later failed"))
        })
        .await;
    assert!(outcome.is_err());
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(smtp.received().len(), 1, "only the confirmation");
    assert_eq!(outbox_statuses(&app).await, ["sent"]);
    // A refused request queues nothing either.
    problem(app.book("alpha", &admin, slot(pc, 9)).await, 409).await;
    assert_eq!(outbox_statuses(&app).await.len(), 1);
}

#[tokio::test]
async fn mail_waits_for_a_server_that_is_down_and_arrives_once() {
    let port = free_port().await;
    let app = smtp_app(port).await;
    let (_admin, pc) = computer(&app).await;
    for (i, hour) in [8, 10, 12].into_iter().enumerate() {
        let who = app.staff("alpha", &format!("Worker {i}")).await;
        assert_eq!(app.book("alpha", &who, slot(pc, hour)).await.status(), 201);
    }
    // Nothing listens: attempts fail and are retried with backoff.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(outbox_statuses(&app).await.iter().all(|s| s == "pending"));
    let smtp = SmtpServer::start_on(port).await;
    let got = smtp.wait_for(3).await;
    assert_eq!(got.len(), 3);
    tokio::time::sleep(Duration::from_secs(3)).await;
    let got = smtp.received();
    let mut ids: Vec<String> = got.iter().map(|m| m.message_id()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!((got.len(), ids.len()), (3, 3), "each message exactly once");
    assert_eq!(outbox_statuses(&app).await, ["sent", "sent", "sent"]);
}

#[tokio::test]
async fn a_worker_that_dies_after_the_250_causes_one_duplicate_with_the_same_message_id() {
    let smtp = SmtpServer::start().await;
    let app = smtp_app(smtp.port).await;
    let (admin, _pc) = computer(&app).await;
    let recipient = admin.email.clone();
    // Queue a message and claim it as a worker that is about to die, in one
    // transaction so the app's own worker never sees it unclaimed.
    let content = Content::Rendered {
        text: "hello".into(),
        html: "<p>hello</p>".into(),
        attachment: None,
    }
    .to_stored();
    let rows = app
        .db
        .write(move |conn| {
            let now = livingroom::clock::now_naive();
            livingroom::store::outbox::enqueue(
                conn,
                &livingroom::store::outbox::NewMail {
                    event_key: "test-crash-1",
                    message_id: "<test-crash-1@livingroom.test>",
                    kind: "booking_confirmed",
                    user_id: None,
                    to_address: &recipient,
                    language: "en",
                    subject: "crash test",
                    content: &content,
                },
                now,
            )?;
            livingroom::store::outbox::claim(conn, "doomed-worker", now, chrono::Duration::seconds(2), 10)
        })
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    // The doomed worker sends (the server answers 250)...
    let mailer = livingroom::mail::Mailer::smtp(&livingroom::mail::SmtpConfig {
        host: "127.0.0.1",
        port: smtp.port,
        security: SmtpSecurity::None,
        username: None,
        password: None,
    })
    .unwrap();
    let bodies = Content::parse(&rows[0].content).unwrap().bodies(Language::En);
    let message = livingroom::mail::compose::build(&livingroom::mail::compose::Parts {
        from: "livingroom <noreply@livingroom.test>",
        to: &rows[0].to_address,
        message_id: &rows[0].message_id,
        language: "en",
        subject: &rows[0].subject,
        text: &bodies.text,
        html: &bodies.html,
        attachment: None,
    })
    .unwrap();
    mailer.send(&message, &rows[0].message_id).await.unwrap();
    // ...and dies before marking the row. After the lease, the app's worker
    // sends it again, and marks it.
    let got = smtp.wait_for(2).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let got_later = smtp.received();
    assert_eq!(got.len(), 2);
    assert_eq!(got_later.len(), 2, "at most one duplicate");
    assert_eq!(got[0].message_id(), got[1].message_id());
    assert_eq!(got[0].message_id(), "test-crash-1@livingroom.test");
    assert_eq!(outbox_statuses(&app).await, ["sent"]);
}

#[tokio::test]
async fn two_instances_send_each_message_once() {
    let smtp = SmtpServer::start().await;
    let app = smtp_app(smtp.port).await;
    let _second = app.second_instance().await;
    let (_admin, pc) = computer(&app).await;
    let mut people = Vec::new();
    for i in 0..10 {
        people.push(app.staff("alpha", &format!("Worker {i}")).await);
    }
    for (i, p) in people.iter().enumerate() {
        let res = app
            .book("alpha", p, json!({"resource_id": pc, "starts_at": sh(1 + i as i64, 9, 0), "ends_at": sh(1 + i as i64, 10, 0), "purpose": "x"}))
            .await;
        assert_eq!(res.status(), 201);
    }
    smtp.wait_for(10).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let got = smtp.received();
    let mut ids: Vec<String> = got.iter().map(|m| m.message_id()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!((got.len(), ids.len()), (10, 10));
}

#[tokio::test]
async fn without_smtp_mail_is_written_as_eml_files() {
    let app = spawn_app().await;
    let (admin, pc) = computer(&app).await;
    assert_eq!(app.book("alpha", &admin, slot(pc, 9)).await.status(), 201);
    let mut files = Vec::new();
    for _ in 0..100 {
        files = std::fs::read_dir(&app.mail_dir)
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        if !files.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(files.len(), 1);
    assert!(files[0].extension().is_some_and(|e| e == "eml"));
    let raw = std::fs::read(&files[0]).unwrap();
    let parsed = mail_parser::MessageParser::default().parse(&raw).unwrap();
    assert_eq!(
        parsed.to().unwrap().first().unwrap().address().unwrap(),
        admin.email
    );
}

fn token_from(text: &str) -> String {
    let at = text.find("token=").expect("a link with a token") + "token=".len();
    text[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

#[tokio::test]
async fn an_invitation_lets_a_new_member_set_a_password() {
    let smtp = SmtpServer::start().await;
    let app = smtp_app(smtp.port).await;
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    let res = app
        .post(
            "/api/v1/sites/alpha/members",
            &json!({"email": "chen.mei@example.org", "name": "陈梅", "roles": ["volunteer"], "skills": ["medical"]}),
            Some(&admin.token),
        )
        .await;
    assert_eq!(res.status(), 201);
    let got = smtp.wait_for(1).await;
    assert_eq!(got[0].rcpt, ["chen.mei@example.org"]);
    assert!(got[0].subject().starts_with("邀请您加入"));
    let token = token_from(&got[0].text());
    // A weak password or a wrong token is refused; the right one works once.
    problem(
        app.post(
            "/api/v1/auth/accept-invite",
            &json!({"token": token, "password": "short"}),
            None,
        )
        .await,
        422,
    )
    .await;
    problem(
        app.post(
            "/api/v1/auth/accept-invite",
            &json!({"token": "nope", "password": "a long password"}),
            None,
        )
        .await,
        422,
    )
    .await;
    let res = app
        .post(
            "/api/v1/auth/accept-invite",
            &json!({"token": token, "password": "a long password"}),
            None,
        )
        .await;
    assert_eq!(res.status(), 204);
    problem(
        app.post(
            "/api/v1/auth/accept-invite",
            &json!({"token": token, "password": "another password"}),
            None,
        )
        .await,
        422,
    )
    .await;
    assert_eq!(
        app.login("chen.mei@example.org", "a long password")
            .await
            .status(),
        200
    );
    // The page the link opens is served too.
    let res = app.get(&format!("/accept-invite?token={token}"), None).await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("<form"));
}

#[tokio::test]
async fn forgot_password_answers_the_same_and_resets_once() {
    let smtp = SmtpServer::start().await;
    let app = smtp_app(smtp.port).await;
    app.site("alpha").await;
    let staff = app.staff("alpha", "Li Na").await;
    let unknown = app
        .post(
            "/api/v1/auth/forgot-password",
            &json!({"email": "nobody@example.org"}),
            None,
        )
        .await;
    assert_eq!(unknown.status(), 202);
    let known = app
        .post(
            "/api/v1/auth/forgot-password",
            &json!({"email": staff.email}),
            None,
        )
        .await;
    assert_eq!(known.status(), 202);
    let got = smtp.wait_for(1).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(smtp.received().len(), 1, "nothing for the unknown address");
    let token = token_from(&got[0].text());
    let res = app
        .post(
            "/api/v1/auth/reset-password",
            &json!({"token": token, "password": "brand new password"}),
            None,
        )
        .await;
    assert_eq!(res.status(), 204);
    problem(app.get("/api/v1/me", Some(&staff.token)).await, 401).await;
    problem(
        app.post(
            "/api/v1/auth/reset-password",
            &json!({"token": token, "password": "again new password"}),
            None,
        )
        .await,
        422,
    )
    .await;
    assert_eq!(app.login(&staff.email, "brand new password").await.status(), 200);
}

#[tokio::test]
async fn people_turn_off_kinds_of_mail_but_not_security_mail() {
    let smtp = SmtpServer::start().await;
    let app = smtp_app(smtp.port).await;
    let (_admin, pc) = computer(&app).await;
    let staff = app.staff("alpha", "Li Na").await;
    let prefs: Value = app
        .get("/api/v1/me/notifications", Some(&staff.token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(prefs["kinds"]["booking_confirmed"], true);
    assert!(prefs["kinds"].get("password_reset").is_none());
    let res = app
        .client
        .put(app.url("/api/v1/me/notifications"))
        .bearer_auth(&staff.token)
        .json(&json!({"kinds": {"booking_confirmed": false}}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = app
        .client
        .put(app.url("/api/v1/me/notifications"))
        .bearer_auth(&staff.token)
        .json(&json!({"kinds": {"password_reset": false}}))
        .send()
        .await
        .unwrap();
    problem(res, 422).await;
    assert_eq!(app.book("alpha", &staff, slot(pc, 9)).await.status(), 201);
    app.post(
        "/api/v1/auth/forgot-password",
        &json!({"email": staff.email}),
        None,
    )
    .await;
    let got = smtp.wait_for(1).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(smtp.received().len(), 1);
    assert!(got[0].subject().contains("重置密码"));
}

#[tokio::test]
async fn dead_letters_are_listed_and_retried_by_an_operator() {
    let port = free_port().await;
    let app = spawn_app_with(|s| {
        s.smtp_host = Some("127.0.0.1".to_owned());
        s.smtp_port = port;
        s.smtp_security = SmtpSecurity::None;
        s.mail_retry_seconds = 1;
        s.mail_max_attempts = 2;
    })
    .await;
    let (admin, pc) = computer(&app).await;
    assert_eq!(app.book("alpha", &admin, slot(pc, 9)).await.status(), 201);
    let op = app.operator().await;
    let mut dead = Value::Null;
    for _ in 0..100 {
        dead = app
            .get("/api/v1/admin/outbox?status=dead", Some(&op.token))
            .await
            .json()
            .await
            .unwrap();
        if !dead["items"].as_array().unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let item = &dead["items"][0];
    assert_eq!(item["attempts"], 2);
    assert!(item["last_error"].is_string());
    problem(app.get("/api/v1/admin/outbox", Some(&admin.token)).await, 403).await;
    let smtp = SmtpServer::start_on(port).await;
    let res = app
        .post(
            &format!("/api/v1/admin/outbox/{}/retry", item["id"]),
            &json!({}),
            Some(&op.token),
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(smtp.wait_for(1).await.len(), 1);
    let mut sent = false;
    for _ in 0..50 {
        if outbox_statuses(&app).await == ["sent"] {
            sent = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(sent);
    problem(
        app.post(
            &format!("/api/v1/admin/outbox/{}/retry", item["id"]),
            &json!({}),
            Some(&op.token),
        )
        .await,
        409,
    )
    .await;
}

#[tokio::test]
async fn a_line_break_in_a_purpose_never_reaches_a_header() {
    let app = spawn_app().await;
    let (admin, pc) = computer(&app).await;
    let mut body = slot(pc, 9);
    body["purpose"] = json!("tea\r\nBcc: victim@example.org");
    let p = problem(app.book("alpha", &admin, body).await, 422).await;
    assert_eq!(p["errors"][0]["field"], "purpose");
}

#[tokio::test]
async fn one_instance_at_a_time_holds_a_job() {
    let app = spawn_app().await;
    let now = livingroom::clock::now_naive();
    let outcome = app
        .db
        .write(move |conn| {
            use livingroom::store::jobs;
            jobs::ensure(conn, "test_job", now)?;
            let first = jobs::try_lease(conn, "test_job", "instance-a", now, chrono::Duration::minutes(1))?;
            let second = jobs::try_lease(conn, "test_job", "instance-b", now, chrono::Duration::minutes(1))?;
            jobs::finish(
                conn,
                "test_job",
                "instance-a",
                now,
                now + chrono::Duration::seconds(30),
            )?;
            let too_early =
                jobs::try_lease(conn, "test_job", "instance-b", now, chrono::Duration::minutes(1))?;
            let later = now + chrono::Duration::seconds(31);
            let due = jobs::try_lease(
                conn,
                "test_job",
                "instance-b",
                later,
                chrono::Duration::minutes(1),
            )?;
            Ok((first, second, too_early, due))
        })
        .await
        .unwrap();
    assert_eq!(outcome, (true, false, false, true));
    // And the real scheduler has run the release job on its own.
    let mut ran = None;
    for _ in 0..50 {
        ran = app
            .db
            .read(|conn| livingroom::store::jobs::last_run(conn, "release_unclaimed"))
            .await
            .unwrap();
        if ran.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(ran.is_some());
}
