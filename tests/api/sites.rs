use serde_json::{Value, json};

use crate::helpers::{problem, spawn_app};

#[tokio::test]
async fn operator_creates_a_site_and_its_first_admin() {
    let app = spawn_app().await;
    let op = app.operator().await;
    let res = app
        .post(
            "/api/v1/sites",
            &json!({"name": "长征镇第三居委会", "slug": "changzheng-3", "timezone": "Asia/Shanghai"}),
            Some(&op.token),
        )
        .await;
    assert_eq!(res.status(), 201);
    assert_eq!(res.headers()["location"], "/api/v1/sites/changzheng-3");
    let site: Value = res.json().await.unwrap();
    assert_eq!(site["slug"], "changzheng-3");
    assert_eq!(site["timezone"], "Asia/Shanghai");

    // The operator adds the first admin, who can then sign in and see it.
    let res = app
        .post(
            "/api/v1/sites/changzheng-3/members",
            &json!({"email": "Secretary@Example.org", "name": "王书记", "roles": ["admin"], "password": "a long password"}),
            Some(&op.token),
        )
        .await;
    assert_eq!(res.status(), 201);
    let admin_token = app
        .token_for_password("secretary@example.org", "a long password")
        .await;
    let res = app.get("/api/v1/sites/changzheng-3", Some(&admin_token)).await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["name"], "长征镇第三居委会");
}

#[tokio::test]
async fn timezone_defaults_to_shanghai_and_is_validated() {
    let app = spawn_app().await;
    let op = app.operator().await;
    let res = app
        .post(
            "/api/v1/sites",
            &json!({"name": "A", "slug": "aa"}),
            Some(&op.token),
        )
        .await;
    assert_eq!(res.status(), 201);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["timezone"], "Asia/Shanghai");

    let res = app
        .post(
            "/api/v1/sites",
            &json!({"name": "", "slug": "Not A Slug", "timezone": "Mars/Base"}),
            Some(&op.token),
        )
        .await;
    let body = problem(res, 422).await;
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["name", "slug", "timezone"]);
}

#[tokio::test]
async fn only_operators_create_sites_and_slugs_are_unique() {
    let app = spawn_app().await;
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    let res = app
        .post(
            "/api/v1/sites",
            &json!({"name": "B", "slug": "beta"}),
            Some(&admin.token),
        )
        .await;
    problem(res, 403).await;

    let op = app.operator().await;
    let res = app
        .post(
            "/api/v1/sites",
            &json!({"name": "A again", "slug": "alpha"}),
            Some(&op.token),
        )
        .await;
    let body = problem(res, 409).await;
    assert_eq!(body["type"], "/problems/conflict");
}

#[tokio::test]
async fn site_lists_are_scoped_and_paginated() {
    let app = spawn_app().await;
    for slug in ["s1", "s2", "s3"] {
        app.site(slug).await;
    }
    let admin = app.admin("s2").await;
    let res = app.get("/api/v1/sites", Some(&admin.token)).await;
    let body: Value = res.json().await.unwrap();
    let slugs: Vec<&str> = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["slug"].as_str().unwrap())
        .collect();
    assert_eq!(slugs, ["s2"]);

    let op = app.operator().await;
    let res = app.get("/api/v1/sites?limit=2", Some(&op.token)).await;
    let page1: Value = res.json().await.unwrap();
    assert_eq!(page1["items"].as_array().unwrap().len(), 2);
    let next = page1["next"].as_str().unwrap();
    let res = app
        .get(&format!("/api/v1/sites?limit=2&after={next}"), Some(&op.token))
        .await;
    let page2: Value = res.json().await.unwrap();
    assert_eq!(page2["items"][0]["slug"], "s3");
    assert!(page2.get("next").is_none());

    let body = problem(app.get("/api/v1/sites?limit=1000", Some(&op.token)).await, 422).await;
    assert_eq!(body["errors"][0]["field"], "limit");
}
