//! A user never sees or touches another site's objects: 404, never 403.

use serde_json::json;

use crate::helpers::{problem, spawn_app};

#[tokio::test]
async fn an_admin_of_site_a_gets_404_on_every_site_b_object() {
    let app = spawn_app().await;
    app.site("site-a").await;
    app.site("site-b").await;
    let admin_a = app.admin("site-a").await;
    let admin_b = app.admin("site-b").await;
    let staff_b = app.staff("site-b", "B Staff").await;
    let t = Some(admin_a.token.as_str());

    let missing = problem(app.get("/api/v1/sites/no-such-site", t).await, 404).await;
    let b = "/api/v1/sites/site-b";
    let member = format!("{b}/members/{}", staff_b.id);
    let own_member_path = format!("{b}/members/{}", admin_a.id);
    let responses = vec![
        app.get(b, t).await,
        app.get(&format!("{b}/members"), t).await,
        app.get(&member, t).await,
        app.get(&own_member_path, t).await,
        app.post(
            &format!("{b}/members"),
            &json!({"email": "x@example.org", "name": "X", "roles": ["admin"]}),
            t,
        )
        .await,
        app.patch(&member, &json!({"roles": ["admin"]}), t).await,
        app.delete(&member, t).await,
    ];
    for res in responses {
        let body = problem(res, 404).await;
        // Indistinguishable from a site that does not exist.
        assert_eq!(body["detail"], missing["detail"]);
    }
    // Nothing changed on site B.
    let res = app.get(&member, Some(&admin_b.token)).await;
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["roles"], json!(["staff"]));
    // And site A's admin does not see site B in their list.
    let res = app.get("/api/v1/sites", t).await;
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["items"].as_array().unwrap().len(), 1);
}
