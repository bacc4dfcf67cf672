//! Every error is problem+json with a stable type.

use serde_json::json;

use crate::helpers::{problem, spawn_app};

#[tokio::test]
async fn error_shapes_for_400_401_404_409_413_415_422() {
    let app = spawn_app().await;
    let op = app.operator().await;
    let t = Some(op.token.as_str());

    // 400: not JSON at all.
    let res = app
        .client
        .post(app.url("/api/v1/sites"))
        .bearer_auth(&op.token)
        .header("content-type", "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .unwrap();
    let body = problem(res, 400).await;
    assert_eq!(body["type"], "/problems/malformed-request");

    // 401: no token.
    let body = problem(app.get("/api/v1/me", None).await, 401).await;
    assert_eq!(body["type"], "/problems/unauthorized");

    // 404: no such route, and no such object.
    let body = problem(app.get("/api/v1/nothing-here", t).await, 404).await;
    assert_eq!(body["type"], "/problems/not-found");
    problem(app.get("/api/v1/sites/ghost", t).await, 404).await;
    app.site("alpha").await;
    problem(app.get("/api/v1/sites/alpha/members/not-a-number", t).await, 404).await;

    // 409: duplicate slug.
    let body = problem(
        app.post("/api/v1/sites", &json!({"name": "A", "slug": "alpha"}), t)
            .await,
        409,
    )
    .await;
    assert_eq!(body["type"], "/problems/conflict");

    // 413: a body over 64 KiB, refused before it is parsed.
    let huge = json!({"name": "x".repeat(70 * 1024), "slug": "big"});
    let body = problem(app.post("/api/v1/sites", &huge, t).await, 413).await;
    assert_eq!(body["type"], "/problems/payload-too-large");

    // 415: not JSON.
    let res = app
        .client
        .post(app.url("/api/v1/sites"))
        .bearer_auth(&op.token)
        .header("content-type", "text/plain")
        .body("name=a")
        .send()
        .await
        .unwrap();
    problem(res, 415).await;

    // 422: unknown field, wrong type, missing field: each names the field.
    let body = problem(
        app.post(
            "/api/v1/sites",
            &json!({"name": "A", "slug": "ok-slug", "owner": 1}),
            t,
        )
        .await,
        422,
    )
    .await;
    assert_eq!(body["type"], "/problems/validation");
    assert!(
        body["errors"][0]["message"].as_str().unwrap().contains("owner"),
        "{body}"
    );
    let body = problem(
        app.post("/api/v1/sites", &json!({"name": 5, "slug": "ok-slug"}), t)
            .await,
        422,
    )
    .await;
    assert_eq!(body["errors"][0]["field"], "name");
    let body = problem(
        app.post("/api/v1/sites", &json!({"slug": "ok-slug"}), t).await,
        422,
    )
    .await;
    assert!(
        body["errors"][0]["message"].as_str().unwrap().contains("name"),
        "{body}"
    );
    let body = problem(
        app.post(
            "/api/v1/sites/alpha/members",
            &json!({"email": "a@b.cn", "name": "A", "roles": ["admin", "king"]}),
            t,
        )
        .await,
        422,
    )
    .await;
    assert_eq!(body["errors"][0]["field"], "roles[1]");

    // Nothing was created by any of the bad requests.
    let list: serde_json::Value = app.get("/api/v1/sites", t).await.json().await.unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let app = spawn_app().await;
    let res = app
        .client
        .get(app.url("/healthz"))
        .header("x-request-id", "abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["x-request-id"], "abc-123");
    let res = app
        .client
        .get(app.url("/healthz"))
        .header("x-request-id", "bad id\twith junk")
        .send()
        .await
        .unwrap();
    let id = res.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert_eq!(id.len(), 32);
}

/// Issue 20, 15: an instant without its UTC offset is explained in words
/// the caller can act on, not chrono's "premature end of input".
#[tokio::test]
async fn a_missing_utc_offset_says_to_add_it() {
    let app = crate::helpers::spawn_app().await;
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    let pc = app
        .resource(
            "alpha",
            &admin,
            serde_json::json!({"name": "PC", "kind": "computer"}),
        )
        .await;
    let res = app
        .book(
            "alpha",
            &admin,
            serde_json::json!({"resource_id": pc, "starts_at": "2026-11-23T15:30:00", "ends_at": "2026-11-23T16:30:00+08:00", "purpose": "x"}),
        )
        .await;
    let p = crate::helpers::problem(res, 422).await;
    let text = p.to_string();
    assert!(text.contains("add the time zone offset"), "{text}");
    assert!(!text.contains("premature end of input"), "{text}");

    // The same words for an instant in the query string.
    let res = app
        .get(
            "/api/v1/sites/alpha/bookings?from=2026-11-23T15:30:00",
            Some(&admin.token),
        )
        .await;
    let p = crate::helpers::problem(res, 422).await;
    let text = p.to_string();
    assert!(text.contains("add the time zone offset"), "{text}");
}
