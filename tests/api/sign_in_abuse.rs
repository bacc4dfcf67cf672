//! Hostile testing of the password doors (issue 19, items 4, 5, 8, 9): a
//! burst or a spray from one address, the password threads overflowing,
//! someone guessing another person's password, a stolen session guessing
//! the current password, and forgot-password telling who has an account.

use std::time::{Duration, Instant};

use diesel::prelude::*;
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, problem, spawn_app, spawn_app_with};
use livingroom::db::BackendKind;

const ATTACKER: &str = "203.0.113.7";
const ELSEWHERE: &str = "198.51.100.9";

/// An app behind a proxy on 127.0.0.1, so a test can speak from any
/// address through `X-Forwarded-For`.
async fn behind_proxy(configure: impl FnOnce(&mut livingroom::config::Settings)) -> TestApp {
    spawn_app_with(|s| {
        s.trusted_proxies = Some("127.0.0.1".to_owned());
        configure(s);
    })
    .await
}

async fn post_from(app: &TestApp, from: &str, path: &str, body: &Value) -> reqwest::Response {
    app.client
        .post(app.url(path))
        .header("X-Forwarded-For", from)
        .json(body)
        .send()
        .await
        .expect("request")
}

async fn login_from(app: &TestApp, from: &str, email: &str, password: &str) -> reqwest::Response {
    post_from(
        app,
        from,
        "/api/v1/auth/login",
        &json!({"email": email, "password": password}),
    )
    .await
}

fn retry_after(res: &reqwest::Response) -> u64 {
    res.headers()
        .get("retry-after")
        .expect("Retry-After")
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn a_burst_from_one_address_gets_429_while_another_address_gets_in() {
    let app = behind_proxy(|s| {
        s.sign_in_burst = 5;
        s.sign_in_per_minute = 1;
    })
    .await;
    app.site("alpha").await;
    let owner = app.staff("alpha", "Li Na").await;
    // One password sprayed over many accounts: the address's budget runs
    // out whatever account it names.
    let mut statuses = Vec::new();
    for i in 0..8 {
        let res = login_from(&app, ATTACKER, &format!("victim{i}@example.org"), "Spring2026!").await;
        statuses.push(res.status().as_u16());
        if res.status() == 429 {
            let wait = retry_after(&res);
            assert!((1..=61).contains(&wait), "{wait}");
            problem(res, 429).await;
        }
    }
    assert_eq!(statuses, [401, 401, 401, 401, 401, 429, 429, 429]);
    // The same budget covers the sign-in form, forgot-password and
    // accepting an invitation.
    let form = app
        .client
        .post(app.url("/login"))
        .header("X-Forwarded-For", ATTACKER)
        .form(&[("email", owner.email.as_str()), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 429);
    // The page, like the API, says when to come back.
    assert!((1..=61).contains(&retry_after(&form)), "{:?}", form.headers());
    let forgot = post_from(
        &app,
        ATTACKER,
        "/api/v1/auth/forgot-password",
        &json!({"email": owner.email}),
    )
    .await;
    problem(forgot, 429).await;
    let invite = post_from(
        &app,
        ATTACKER,
        "/api/v1/auth/accept-invite",
        &json!({"token": "guess", "password": "long enough password"}),
    )
    .await;
    problem(invite, 429).await;
    // Someone at another address is not held up.
    assert_eq!(
        login_from(&app, ELSEWHERE, &owner.email, PASSWORD).await.status(),
        200
    );
}

#[tokio::test]
async fn password_checks_beyond_the_threads_and_their_queue_get_429_at_once() {
    let app = spawn_app_with(|s| {
        s.password_threads = 1;
        s.password_queue = 1;
    })
    .await;
    app.site("alpha").await;
    let owner = app.staff("alpha", "Li Na").await;
    let started = Instant::now();
    let answers = futures::future::join_all((0..24).map(|_| app.login(&owner.email, PASSWORD))).await;
    let elapsed = started.elapsed();
    let mut ok = 0;
    let mut refused = 0;
    for res in answers {
        match res.status().as_u16() {
            200 => ok += 1,
            429 => {
                assert_eq!(retry_after(&res), 1);
                problem(res, 429).await;
                refused += 1;
            }
            other => panic!("unexpected {other}"),
        }
    }
    assert!(ok >= 1, "someone still gets in");
    assert!(
        refused >= 1,
        "24 at once with one thread and a queue of one: none refused ({ok} signed in)"
    );
    assert!(elapsed < Duration::from_secs(20), "{elapsed:?}");
}

/// Writes a reset link for `user_id` straight into the database, as the
/// mail would carry it.
async fn reset_link(app: &TestApp, user_id: i64) -> String {
    let (token, hash) = livingroom::auth::secret::generate();
    let now = livingroom::clock::now_naive();
    app.db
        .write(move |conn| {
            livingroom::store::sessions::insert_password_reset(
                conn,
                user_id,
                &hash,
                now,
                now + chrono::Duration::minutes(60),
            )
        })
        .await
        .expect("reset link");
    token
}

#[tokio::test]
async fn guessing_from_one_address_does_not_lock_the_owner_out() {
    let app = behind_proxy(|_| {}).await;
    app.site("alpha").await;
    let owner = app.staff("alpha", "Li Na").await;
    let mut statuses = Vec::new();
    for _ in 0..10 {
        let res = login_from(&app, ATTACKER, &owner.email, "guess guess").await;
        if res.status() == 429 {
            let wait = retry_after(&res);
            assert!((1..=30).contains(&wait), "the first wait is short: {wait}");
        }
        statuses.push(res.status().as_u16());
    }
    assert_eq!(statuses[..5], [401; 5]);
    assert_eq!(statuses[5..], [429; 5], "the attacker's address waits");
    // The owner, from anywhere else, signs in at once.
    assert_eq!(
        login_from(&app, ELSEWHERE, &owner.email, PASSWORD).await.status(),
        200
    );
    // Sharing the attacker's address (one network), she waits too ...
    problem(login_from(&app, ATTACKER, &owner.email, PASSWORD).await, 429).await;
    // ... until she resets her password from the link in her mail.
    let token = reset_link(&app, owner.id).await;
    let res = post_from(
        &app,
        ATTACKER,
        "/api/v1/auth/reset-password",
        &json!({"token": token, "password": "a brand new password"}),
    )
    .await;
    assert_eq!(res.status(), 204);
    assert_eq!(
        login_from(&app, ATTACKER, &owner.email, "a brand new password")
            .await
            .status(),
        200
    );
}

async fn change(app: &TestApp, token: &str, current: &str) -> reqwest::Response {
    app.post(
        "/api/v1/me/password",
        &json!({"current_password": current, "new_password": "a new long password"}),
        Some(token),
    )
    .await
}

async fn forgot(app: &TestApp, email: &str) -> reqwest::Response {
    app.post("/api/v1/auth/forgot-password", &json!({"email": email}), None)
        .await
}

#[tokio::test]
async fn wrong_current_passwords_are_throttled_like_sign_in() {
    let app = spawn_app().await;
    app.site("alpha").await;
    let staff = app.staff("alpha", "Li Na").await;
    for _ in 0..5 {
        problem(change(&app, &staff.token, "wrong guess").await, 422).await;
    }
    // Even the right one waits now: a stolen session cannot guess on.
    let res = change(&app, &staff.token, PASSWORD).await;
    assert!((1..=30).contains(&retry_after(&res)));
    problem(res, 429).await;
    // It is one count with signing in from this address.
    problem(app.login(&staff.email, PASSWORD).await, 429).await;
}

#[tokio::test]
async fn forgot_password_answers_before_it_looks_for_the_account() {
    let app = spawn_app().await;
    app.site("alpha").await;
    let staff = app.staff("alpha", "Li Na").await;

    // Stall the database: on SQLite every write queues behind this one; on
    // PostgreSQL nobody may read the accounts. An answer that waited for
    // any lookup would wait out the stall.
    let (db, backend) = (app.db.clone(), app.backend);
    let stall = tokio::spawn(async move {
        db.write(move |conn| {
            if backend == BackendKind::Postgres {
                diesel::sql_query("LOCK TABLE users IN ACCESS EXCLUSIVE MODE").execute(conn)?;
            }
            std::thread::sleep(Duration::from_secs(3));
            Ok(())
        })
        .await
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    for email in [staff.email.clone(), "nobody@example.org".to_owned()] {
        let started = Instant::now();
        let res = forgot(&app, &email).await;
        assert_eq!(res.status(), 202);
        let took = started.elapsed();
        assert!(
            took < Duration::from_millis(1500),
            "{email}: answered after {took:?}"
        );
    }
    stall.await.unwrap().expect("stall");

    // The work was still done, after the answer: her link was made.
    let owner = staff.id;
    let mut links = 0;
    for _ in 0..50 {
        links = app
            .db
            .read(move |conn| {
                use livingroom::db::schema::password_resets;
                Ok(password_resets::table
                    .filter(password_resets::user_id.eq(owner))
                    .count()
                    .get_result::<i64>(conn)?)
            })
            .await
            .unwrap();
        if links > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(links, 1);

    // And a loose look at the clock: medians of known and unknown addresses
    // are alike (generous, so a busy machine does not fail it).
    let mut median = Vec::new();
    for email in [staff.email.clone(), "nobody@example.org".to_owned()] {
        let mut times = Vec::new();
        for _ in 0..15 {
            let started = Instant::now();
            assert_eq!(forgot(&app, &email).await.status(), 202);
            times.push(started.elapsed());
        }
        times.sort();
        median.push(times[times.len() / 2]);
    }
    let (known, unknown) = (median[0], median[1]);
    let slack = Duration::from_millis(25);
    assert!(
        known <= unknown * 3 + slack && unknown <= known * 3 + slack,
        "{known:?} vs {unknown:?}"
    );
}
