//! Issue 19, 7: secret links live no longer than they must. One test per
//! point: reset links, a second invitation, feed links after a password
//! change or reset and after removal, the outbox after sending, owner-only
//! files, and Message-IDs.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, open_room, problem, sh, spawn_app, spawn_app_with};
use crate::hostile_members::also_member_of;
use livingroom::db::BackendKind;
use livingroom::domain::person::Roles;

/// One message written by the `.eml` mail backend.
pub(crate) struct Mail {
    pub path: PathBuf,
    pub text: String,
    pub message_id: String,
}

fn read_mail(path: &Path) -> Option<(String, Mail)> {
    let raw = std::fs::read(path).ok()?;
    let parsed = mail_parser::MessageParser::default().parse(&raw)?;
    let to = parsed.to()?.first()?.address()?.to_owned();
    Some((
        to,
        Mail {
            path: path.to_owned(),
            text: parsed.body_text(0)?.into_owned(),
            message_id: parsed.message_id()?.to_owned(),
        },
    ))
}

/// Waits for `n` messages to `to` in `dir`; in no particular order.
pub(crate) async fn mails_in(dir: &Path, to: &str, n: usize) -> Vec<Mail> {
    let mut found = Vec::new();
    for _ in 0..200 {
        found = std::fs::read_dir(dir)
            .map(|d| {
                d.flatten()
                    .filter_map(|e| read_mail(&e.path()))
                    .filter(|(rcpt, _)| rcpt == to)
                    .map(|(_, m)| m)
                    .collect()
            })
            .unwrap_or_default();
        if found.len() >= n {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(found.len(), n, "messages to {to}");
    found
}

pub(crate) async fn mails_to(app: &TestApp, to: &str, n: usize) -> Vec<Mail> {
    mails_in(&app.mail_dir, to, n).await
}

pub(crate) fn token_from(text: &str) -> String {
    let at = text.find("token=").expect("a link with a token") + "token=".len();
    text[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

/// The path of a feed link, from the answer that made it.
async fn feed_path(app: &TestApp, token: &str) -> String {
    let res = app
        .post("/api/v1/me/calendar-feed", &json!({}), Some(token))
        .await;
    assert_eq!(res.status(), 201);
    let url = res.json::<Value>().await.unwrap()["url"]
        .as_str()
        .unwrap()
        .to_owned();
    url[url.find("/api/v1/calendar/").expect("a feed path")..].to_owned()
}

async fn invite(app: &TestApp, slug: &str, admin: &str, email: &str) {
    let res = app
        .post(
            &format!("/api/v1/sites/{slug}/members"),
            &json!({"email": email, "name": "陈梅", "roles": ["volunteer"]}),
            Some(admin),
        )
        .await;
    assert_eq!(res.status(), 201);
}

async fn accept(app: &TestApp, token: &str, password: &str) -> reqwest::Response {
    app.post(
        "/api/v1/auth/accept-invite",
        &json!({"token": token, "password": password}),
        None,
    )
    .await
}

async fn reset(app: &TestApp, token: &str, password: &str) -> reqwest::Response {
    app.post(
        "/api/v1/auth/reset-password",
        &json!({"token": token, "password": password}),
        None,
    )
    .await
}

#[tokio::test]
async fn using_one_reset_link_ends_every_other() {
    let app = spawn_app().await;
    app.site("alpha").await;
    let staff = app.staff("alpha", "Li Na").await;
    for _ in 0..2 {
        let res = app
            .post(
                "/api/v1/auth/forgot-password",
                &json!({"email": staff.email}),
                None,
            )
            .await;
        assert_eq!(res.status(), 202);
    }
    let mail = mails_to(&app, &staff.email, 2).await;
    let (first, second) = (token_from(&mail[0].text), token_from(&mail[1].text));
    assert_ne!(first, second);
    assert_eq!(reset(&app, &second, "brand new password").await.status(), 204);
    let p = problem(reset(&app, &first, "someone else's password").await, 422).await;
    assert_eq!(p["errors"][0]["field"], "token");
    assert_eq!(app.login(&staff.email, "brand new password").await.status(), 200);
}

#[tokio::test]
async fn a_second_invitation_does_not_overwrite_a_password_already_set() {
    let app = spawn_app().await;
    app.site("alpha").await;
    app.site("beta").await;
    let admin_a = app.admin("alpha").await;
    let admin_b = app.admin("beta").await;
    let email = "invited-twice@test.example";
    invite(&app, "alpha", &admin_a.token, email).await;
    let to_alpha = token_from(&mails_to(&app, email, 1).await[0].text);
    invite(&app, "beta", &admin_b.token, email).await;
    let to_beta = mails_to(&app, email, 2)
        .await
        .iter()
        .map(|m| token_from(&m.text))
        .find(|t| *t != to_alpha)
        .expect("the second invitation");
    assert_eq!(accept(&app, &to_alpha, "first password").await.status(), 204);

    // Whoever holds the second link cannot set another password with it.
    let p = problem(accept(&app, &to_beta, "attacker password").await, 422).await;
    assert_eq!(p["errors"][0]["field"], "password");
    problem(app.login(email, "attacker password").await, 401).await;
    assert_eq!(app.login(email, "first password").await.status(), 200);

    // The person joins the second site with the password they have.
    assert_eq!(accept(&app, &to_beta, "first password").await.status(), 204);
    let token = app.token_for_password(email, "first password").await;
    assert_eq!(app.get("/api/v1/sites/beta", Some(&token)).await.status(), 200);
}

#[tokio::test]
async fn changing_or_resetting_a_password_ends_the_feed_link() {
    let app = spawn_app().await;
    app.site("alpha").await;
    let v = app.member("alpha", "Feed", Roles::VOLUNTEER, &[]).await;
    let feed = feed_path(&app, &v.token).await;
    assert_eq!(app.get(&feed, None).await.status(), 200);
    let res = app
        .post(
            "/api/v1/me/password",
            &json!({"current_password": PASSWORD, "new_password": "a new long password"}),
            Some(&v.token),
        )
        .await;
    assert_eq!(res.status(), 204);
    problem(app.get(&feed, None).await, 404).await;

    let token = app.token_for_password(&v.email, "a new long password").await;
    let feed = feed_path(&app, &token).await;
    assert_eq!(app.get(&feed, None).await.status(), 200);
    let res = app
        .post("/api/v1/auth/forgot-password", &json!({"email": v.email}), None)
        .await;
    assert_eq!(res.status(), 202);
    let link = token_from(&mails_to(&app, &v.email, 1).await[0].text);
    assert_eq!(reset(&app, &link, "a third long password").await.status(), 204);
    problem(app.get(&feed, None).await, 404).await;
}

#[tokio::test]
async fn removal_from_a_site_ends_the_feed_link_and_that_sites_events() {
    let app = spawn_app().await;
    app.site("alpha").await;
    app.site("beta").await;
    let admin_b = app.admin("beta").await;
    let v = app.member("alpha", "Leaving", Roles::STAFF, &[]).await;
    also_member_of(&app, "beta", &v.email, Roles::STAFF, &[]).await;
    let room = app.resource("beta", &admin_b, open_room("Room B")).await;
    let res = app
        .book(
            "beta",
            &v,
            json!({"resource_id": room, "starts_at": sh(1, 10, 0), "ends_at": sh(1, 11, 0), "purpose": "reading"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let booking = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let uid = format!("booking-{booking}@");
    let feed = feed_path(&app, &v.token).await;
    let before = app.get(&feed, None).await;
    assert_eq!(before.status(), 200);
    assert!(before.text().await.unwrap().contains(&uid));

    let res = app
        .delete(
            &format!("/api/v1/sites/beta/members/{}", v.id),
            Some(&admin_b.token),
        )
        .await;
    assert_eq!(res.status(), 204);
    problem(app.get(&feed, None).await, 404).await;
    let feed = feed_path(&app, &v.token).await;
    let after = app.get(&feed, None).await;
    assert_eq!(after.status(), 200);
    assert!(!after.text().await.unwrap().contains(&uid));
}

#[tokio::test]
async fn a_sent_message_keeps_no_live_link_in_the_outbox() {
    let app = spawn_app().await;
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    let email = "outbox-link@test.example";
    invite(&app, "alpha", &admin.token, email).await;
    let token = token_from(&mails_to(&app, email, 1).await[0].text);
    let mut stored = (String::new(), String::new());
    for _ in 0..100 {
        stored = app
            .db
            .read(|conn| {
                use diesel::prelude::*;
                use livingroom::db::schema::outbox;
                Ok(outbox::table
                    .filter(outbox::kind.eq("invitation"))
                    .select((outbox::status, outbox::content))
                    .first::<(String, String)>(conn)?)
            })
            .await
            .unwrap();
        if stored.0 == "sent" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(stored.0, "sent");
    assert!(!stored.1.contains(&token), "the live link stayed: {}", stored.1);
    assert!(stored.1.contains("token=[redacted]"), "{}", stored.1);
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[cfg(unix)]
#[tokio::test]
async fn mail_files_and_the_database_are_owner_only() {
    let root = tempfile::tempdir().unwrap();
    let mail_dir = root.path().join("mail").join("new");
    let db_dir = root.path().join("db").join("new");
    let (mail, db) = (mail_dir.clone(), db_dir.clone());
    let app = spawn_app_with(move |s| {
        s.mail_dir = mail.display().to_string();
        if !s.database_url.starts_with("postgres") {
            s.database_url = format!("sqlite://{}", db.join("livingroom.db").display());
        }
    })
    .await;
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    let email = "private-mail@test.example";
    invite(&app, "alpha", &admin.token, email).await;
    let mail = mails_in(&mail_dir, email, 1).await;
    assert_eq!(mode(&mail[0].path), 0o600, "the .eml file");
    assert_eq!(mode(&mail_dir), 0o700, "the mail folder");
    assert_eq!(mode(&root.path().join("mail")), 0o700, "the mail folder's parent");
    if app.backend == BackendKind::Sqlite {
        let file = db_dir.join("livingroom.db");
        assert_eq!(mode(&file), 0o600, "the database");
        assert_eq!(mode(&db_dir.join("livingroom.db-wal")), 0o600, "its -wal");
        assert_eq!(mode(&db_dir), 0o700, "its folder");
    }
}

#[tokio::test]
async fn message_ids_carry_no_part_of_a_token() {
    let app = spawn_app().await;
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    let email = "message-id@test.example";
    invite(&app, "alpha", &admin.token, email).await;
    let res = app
        .post(
            "/api/v1/auth/forgot-password",
            &json!({"email": admin.email}),
            None,
        )
        .await;
    assert_eq!(res.status(), 202);
    let mut mail = mails_to(&app, email, 1).await;
    mail.extend(mails_to(&app, &admin.email, 1).await);
    for m in mail {
        let token = token_from(&m.text);
        let file = m.path.file_name().unwrap().to_string_lossy().into_owned();
        // No eight characters of the token in a row, anywhere.
        for part in token.as_bytes().windows(8) {
            let part = std::str::from_utf8(part).unwrap();
            assert!(!m.message_id.contains(part), "{} holds {part}", m.message_id);
            assert!(!file.contains(part), "{file} holds {part}");
        }
    }
}
