use serde_json::{Value, json};

use crate::helpers::{problem, spawn_app};
use livingroom::domain::person::Roles;

#[tokio::test]
async fn admin_adds_members_with_roles_and_skills() {
    let app = spawn_app().await;
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    let res = app
        .post(
            "/api/v1/sites/alpha/members",
            &json!({"email": "chen.mei@example.org", "name": "陈梅", "roles": ["volunteer"], "skills": ["Medical"], "language": "en"}),
            Some(&admin.token),
        )
        .await;
    assert_eq!(res.status(), 201);
    let member: Value = res.json().await.unwrap();
    assert_eq!(member["roles"], json!(["volunteer"]));
    assert_eq!(member["skills"], json!(["medical"]));
    assert_eq!(member["language"], "en");
    // No password given: the account waits for the invitation.
    assert_eq!(member["status"], "invited");
    let invitations: i64 = app
        .db
        .read(|conn| {
            use diesel::prelude::*;
            use livingroom::db::schema::invitations;
            Ok(invitations::table.count().get_result(conn)?)
        })
        .await
        .unwrap();
    assert_eq!(invitations, 1);
    // An invited account cannot sign in yet.
    problem(app.login("chen.mei@example.org", "").await, 401).await;

    let res = app.get("/api/v1/sites/alpha/members", Some(&admin.token)).await;
    let list: Value = res.json().await.unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn adding_twice_is_a_conflict_and_passwords_of_existing_accounts_are_untouchable() {
    let app = spawn_app().await;
    app.site("alpha").await;
    app.site("beta").await;
    let admin_a = app.admin("alpha").await;
    let admin_b = app.admin("beta").await;
    let li_na = app.staff("alpha", "Li Na").await;
    let body = json!({"email": li_na.email, "name": "李娜", "roles": ["staff"]});
    problem(
        app.post("/api/v1/sites/alpha/members", &body, Some(&admin_a.token))
            .await,
        409,
    )
    .await;

    // Another site's admin may invite the same person, but not set her
    // password (nor anyone's: only an operator may).
    let takeover =
        json!({"email": li_na.email, "name": "x", "roles": ["staff"], "password": "attacker password"});
    let res = problem(
        app.post("/api/v1/sites/beta/members", &takeover, Some(&admin_b.token))
            .await,
        422,
    )
    .await;
    assert_eq!(res["errors"][0]["field"], "password");
    let ok = json!({"email": li_na.email, "name": "x", "roles": ["staff"]});
    assert_eq!(
        app.post("/api/v1/sites/beta/members", &ok, Some(&admin_b.token))
            .await
            .status(),
        201
    );
    // Invited twice to one site is a conflict too.
    problem(
        app.post("/api/v1/sites/beta/members", &ok, Some(&admin_b.token))
            .await,
        409,
    )
    .await;
    assert_eq!(
        app.login(&li_na.email, crate::helpers::PASSWORD).await.status(),
        200
    );
}

#[tokio::test]
async fn staff_cannot_manage_members_and_volunteers_cannot_list_them() {
    let app = spawn_app().await;
    app.site("alpha").await;
    let _admin = app.admin("alpha").await;
    let staff = app.staff("alpha", "Zhang Wei").await;
    let volunteer = app
        .member("alpha", "Chen Mei", Roles::VOLUNTEER, &["medical"])
        .await;
    let body = json!({"email": "x@example.org", "name": "X", "roles": ["staff"]});
    problem(
        app.post("/api/v1/sites/alpha/members", &body, Some(&staff.token))
            .await,
        403,
    )
    .await;
    assert_eq!(
        app.get("/api/v1/sites/alpha/members", Some(&staff.token))
            .await
            .status(),
        200
    );
    problem(
        app.get("/api/v1/sites/alpha/members", Some(&volunteer.token))
            .await,
        403,
    )
    .await;
    // Everyone may read their own membership.
    let own = app
        .get(
            &format!("/api/v1/sites/alpha/members/{}", volunteer.id),
            Some(&volunteer.token),
        )
        .await;
    assert_eq!(own.status(), 200);
    problem(
        app.get(
            &format!("/api/v1/sites/alpha/members/{}", staff.id),
            Some(&volunteer.token),
        )
        .await,
        403,
    )
    .await;
}

#[tokio::test]
async fn roles_change_and_the_last_admin_stays() {
    let app = spawn_app().await;
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    let staff = app.staff("alpha", "Liu Yang").await;
    let path = format!("/api/v1/sites/alpha/members/{}", staff.id);
    let res = app
        .patch(
            &path,
            &json!({"roles": ["staff", "admin"], "senior": true, "skills": ["legal"]}),
            Some(&admin.token),
        )
        .await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["roles"], json!(["admin", "staff"]));
    assert_eq!(body["senior"], true);
    assert_eq!(body["skills"], json!(["legal"]));

    // Now two admins: one may step down; the last one may not.
    let me = format!("/api/v1/sites/alpha/members/{}", admin.id);
    assert_eq!(
        app.patch(&me, &json!({"roles": ["staff"]}), Some(&admin.token))
            .await
            .status(),
        200
    );
    problem(
        app.patch(&path, &json!({"roles": ["staff"]}), Some(&staff.token))
            .await,
        409,
    )
    .await;
    problem(app.delete(&path, Some(&staff.token)).await, 409).await;
    assert_eq!(app.delete(&me, Some(&staff.token)).await.status(), 204);
    problem(app.get(&me, Some(&staff.token)).await, 404).await;
}

/// Names as people give them (issue 20, 14): the name and, apart from it,
/// an optional name in a second language, set by the person on `/me` and
/// shown where members are shown.
#[tokio::test]
async fn a_second_language_name_round_trips() {
    let app = spawn_app().await;
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    let lin = app.member("alpha", "林阿姨", Roles::GROUP_LEADER, &[]).await;
    let me: Value = app
        .get("/api/v1/me", Some(&lin.token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["other_name"], Value::Null);

    let res = app
        .patch(
            "/api/v1/me",
            &json!({"other_name": " Auntie Lin "}),
            Some(&lin.token),
        )
        .await;
    assert_eq!(res.status(), 200);
    let me: Value = res.json().await.unwrap();
    assert_eq!(me["name"], "林阿姨", "the name she gave is kept as it was");
    assert_eq!(me["other_name"], "Auntie Lin");
    let me: Value = app
        .get("/api/v1/me", Some(&lin.token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["other_name"], "Auntie Lin");
    let seen: Value = app
        .get(
            &format!("/api/v1/sites/alpha/members/{}", lin.id),
            Some(&admin.token),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(seen["name"], "林阿姨");
    assert_eq!(seen["other_name"], "Auntie Lin");

    // Bad input is refused naming the field, and changes nothing.
    let p = problem(
        app.patch("/api/v1/me", &json!({"other_name": "a\nb"}), Some(&lin.token))
            .await,
        422,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "other_name");
    let p = problem(
        app.patch("/api/v1/me", &json!({"name": ""}), Some(&lin.token))
            .await,
        422,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "name");

    // `null` removes it; the name stays.
    let me: Value = app
        .patch("/api/v1/me", &json!({"other_name": null}), Some(&lin.token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["other_name"], Value::Null);
    assert_eq!(me["name"], "林阿姨");

    // An admin may give it when adding someone.
    let res = app
        .post(
            "/api/v1/sites/alpha/members",
            &json!({"email": "xu@test.example", "name": "徐老师", "other_name": "Teacher Xu",
                    "roles": ["group_leader"]}),
            Some(&admin.token),
        )
        .await;
    assert_eq!(res.status(), 201);
    let added: Value = res.json().await.unwrap();
    assert_eq!(added["other_name"], "Teacher Xu");
}
