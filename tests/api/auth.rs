use serde_json::{Value, json};

use crate::helpers::{PASSWORD, problem, spawn_app};

async fn tokens(res: reqwest::Response) -> (String, String) {
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    let expires_in = body["expires_in"].as_i64().unwrap();
    assert!(expires_in > 0 && expires_in <= 15 * 60, "{expires_in}");
    (
        body["access_token"].as_str().unwrap().to_owned(),
        body["refresh_token"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test]
async fn login_then_me_lists_memberships() {
    let app = spawn_app().await;
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    let (access, refresh) = tokens(app.login(&admin.email, PASSWORD).await).await;
    assert_eq!(refresh.len(), 43, "256 bits, base64url");
    let res = app.get("/api/v1/me", Some(&access)).await;
    assert_eq!(res.status(), 200);
    let me: Value = res.json().await.unwrap();
    assert_eq!(me["email"], admin.email.as_str());
    assert_eq!(me["memberships"][0]["site"], "alpha");
    assert_eq!(me["memberships"][0]["roles"], json!(["admin", "staff"]));
}

#[tokio::test]
async fn wrong_password_and_unknown_account_look_the_same() {
    let app = spawn_app().await;
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    let wrong = problem(app.login(&admin.email, "not the password").await, 401).await;
    let unknown = problem(app.login("nobody@test.example", "not the password").await, 401).await;
    assert_eq!(wrong["detail"], unknown["detail"]);
    assert_eq!(wrong["type"], "/problems/unauthorized");
}

#[tokio::test]
async fn refresh_rotates_and_reuse_revokes_the_family() {
    let app = spawn_app().await;
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    let (_, first) = tokens(app.login(&admin.email, PASSWORD).await).await;

    let (access2, second) = tokens(
        app.post("/api/v1/auth/refresh", &json!({"refresh_token": first}), None)
            .await,
    )
    .await;
    assert_ne!(first, second);
    assert_eq!(app.get("/api/v1/me", Some(&access2)).await.status(), 200);

    // Reusing the rotated token: rejected, and the whole family ends.
    problem(
        app.post("/api/v1/auth/refresh", &json!({"refresh_token": first}), None)
            .await,
        401,
    )
    .await;
    problem(
        app.post("/api/v1/auth/refresh", &json!({"refresh_token": second}), None)
            .await,
        401,
    )
    .await;
    problem(app.get("/api/v1/me", Some(&access2)).await, 401).await;

    // Another session of the same person is untouched.
    let (other_access, _) = tokens(app.login(&admin.email, PASSWORD).await).await;
    assert_eq!(app.get("/api/v1/me", Some(&other_access)).await.status(), 200);
}

#[tokio::test]
async fn logout_ends_the_session() {
    let app = spawn_app().await;
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    let (access, refresh) = tokens(app.login(&admin.email, PASSWORD).await).await;
    let res = app
        .post("/api/v1/auth/logout", &json!({"refresh_token": refresh}), None)
        .await;
    assert_eq!(res.status(), 204);
    problem(
        app.post("/api/v1/auth/refresh", &json!({"refresh_token": refresh}), None)
            .await,
        401,
    )
    .await;
    problem(app.get("/api/v1/me", Some(&access)).await, 401).await;
    // A booking checks the session in its own transaction (issue 23), and
    // refuses the ended one there too: at its own site and at one that
    // does not exist (401 before 404, as everywhere).
    for slug in ["alpha", "nowhere"] {
        let p = problem(
            app.post(
                &format!("/api/v1/sites/{slug}/bookings"),
                &json!({"resource_id": 1, "starts_at": "2030-01-07T02:00:00Z",
                        "ends_at": "2030-01-07T03:00:00Z", "purpose": "after logout"}),
                Some(&access),
            )
            .await,
            401,
        )
        .await;
        assert!(p["detail"].as_str().unwrap().contains("session has ended"), "{p}");
    }
    // Logging out again is harmless.
    let res = app
        .post("/api/v1/auth/logout", &json!({"refresh_token": refresh}), None)
        .await;
    assert_eq!(res.status(), 204);
}

#[tokio::test]
async fn password_change_revokes_every_session() {
    let app = spawn_app().await;
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    let (access_a, refresh_a) = tokens(app.login(&admin.email, PASSWORD).await).await;
    let (access_b, _) = tokens(app.login(&admin.email, PASSWORD).await).await;

    let wrong = app
        .post(
            "/api/v1/me/password",
            &json!({"current_password": "nope", "new_password": "a new long password"}),
            Some(&access_a),
        )
        .await;
    let body = problem(wrong, 422).await;
    assert_eq!(body["errors"][0]["field"], "current_password");

    let res = app
        .post(
            "/api/v1/me/password",
            &json!({"current_password": PASSWORD, "new_password": "a new long password"}),
            Some(&access_a),
        )
        .await;
    assert_eq!(res.status(), 204);
    problem(app.get("/api/v1/me", Some(&access_a)).await, 401).await;
    problem(app.get("/api/v1/me", Some(&access_b)).await, 401).await;
    problem(
        app.post("/api/v1/auth/refresh", &json!({"refresh_token": refresh_a}), None)
            .await,
        401,
    )
    .await;
    problem(app.login(&admin.email, PASSWORD).await, 401).await;
    tokens(app.login(&admin.email, "a new long password").await).await;
}

#[tokio::test]
async fn failures_from_an_address_make_it_wait_before_trying_again() {
    let app = spawn_app().await;
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    for _ in 0..5 {
        problem(app.login(&admin.email, "guess guess").await, 401).await;
    }
    // Even the right password waits now, from this address (the owner
    // elsewhere is not held up: `sign_in_abuse.rs`).
    let res = app.login(&admin.email, PASSWORD).await;
    let retry: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(retry > 0 && retry <= 30, "{retry}");
    let body = problem(res, 429).await;
    assert_eq!(body["type"], "/problems/too-many-requests");
    // Other accounts are unaffected.
    let other = app.staff("alpha", "Li Na").await;
    assert_eq!(app.login(&other.email, PASSWORD).await.status(), 200);
}
