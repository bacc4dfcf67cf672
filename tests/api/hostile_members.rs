//! Issue 19, 2: a site admin manages memberships of their site, never the
//! accounts behind them. Adding an address answers the same whether or not
//! it has an account, and skills belong to the membership.

use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, problem, spawn_app};
use crate::token_lifetimes::{mails_to, token_from};
use livingroom::clock;
use livingroom::domain::person::{Language, Roles};
use livingroom::store::sites;
use livingroom::workflows::members::{self, NewMember};

/// What must not tell an account that exists from one that does not: the
/// answer without the fields that are the address or the moment itself.
fn shown(mut member: Value) -> Value {
    let m = member.as_object_mut().expect("a member");
    for k in ["user_id", "email", "member_since"] {
        m.remove(k);
    }
    member
}

/// Makes `email`'s existing account a member of `slug` at once (seeding).
pub(crate) async fn also_member_of(app: &TestApp, slug: &str, email: &str, roles: Roles, skills: &[&str]) {
    let (slug, email) = (slug.to_owned(), email.to_owned());
    let skills: Vec<String> = skills.iter().map(|s| (*s).to_owned()).collect();
    app.db
        .write(move |conn| {
            let site = sites::by_slug(conn, &slug)?.expect("site");
            members::add_to_site(
                conn,
                site.id,
                NewMember {
                    email,
                    name: "ignored for an existing account".to_owned(),
                    other_name: None,
                    roles,
                    skills,
                    password_hash: None,
                    senior: false,
                    language: Language::ZhCn,
                },
                clock::now_naive(),
            )?;
            Ok(())
        })
        .await
        .expect("second membership");
}

#[tokio::test]
async fn adding_an_address_answers_the_same_whether_or_not_it_has_an_account() {
    let app = spawn_app().await;
    app.site("alpha").await;
    app.site("beta").await;
    let admin_a = app.admin("alpha").await;
    let admin_b = app.admin("beta").await;
    let known = app
        .member("alpha", "Real Name", Roles::VOLUNTEER, &["medical"])
        .await;
    let unknown = "nobody-yet@test.example";
    let body = |email: &str| json!({"email": email, "name": "Typed", "roles": ["volunteer"], "skills": ["legal"], "language": "en"});

    // A password from a site admin is refused alike for both.
    for email in [known.email.as_str(), unknown] {
        let mut with_password = body(email);
        with_password["password"] = json!("a long password");
        let p = problem(
            app.post("/api/v1/sites/beta/members", &with_password, Some(&admin_b.token))
                .await,
            422,
        )
        .await;
        assert_eq!(p["errors"][0]["field"], "password");
    }

    let mut answers = Vec::new();
    for email in [known.email.as_str(), unknown] {
        let res = app
            .post("/api/v1/sites/beta/members", &body(email), Some(&admin_b.token))
            .await;
        assert_eq!(res.status(), 201);
        answers.push(res.json::<Value>().await.unwrap());
    }
    assert_eq!(shown(answers[0].clone()), shown(answers[1].clone()));
    assert_eq!(answers[0]["status"], "invited");
    assert_eq!(answers[0]["name"], "Typed");
    assert_eq!(answers[0]["skills"], json!(["legal"]));
    // The list shows both the same way too.
    let list: Value = app
        .get("/api/v1/sites/beta/members", Some(&admin_b.token))
        .await
        .json()
        .await
        .unwrap();
    let listed: Vec<Value> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["status"] == "invited")
        .cloned()
        .map(shown)
        .collect();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0], listed[1]);

    // Invited is not joined: site B is not theirs until they accept.
    problem(app.get("/api/v1/sites/beta", Some(&known.token)).await, 404).await;
    let mail = mails_to(&app, &known.email, 1).await;
    let token = token_from(&mail[0].text);
    let res = app
        .post(
            "/api/v1/auth/accept-invite",
            &json!({"token": token, "password": PASSWORD}),
            None,
        )
        .await;
    assert_eq!(res.status(), 204);
    assert_eq!(
        app.get("/api/v1/sites/beta", Some(&known.token)).await.status(),
        200
    );

    // Each site sees only the skills given it.
    let at_b: Value = app
        .get(
            &format!("/api/v1/sites/beta/members/{}", known.id),
            Some(&admin_b.token),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(at_b["status"], "active");
    assert_eq!(at_b["skills"], json!(["legal"]));
    let at_a: Value = app
        .get(
            &format!("/api/v1/sites/alpha/members/{}", known.id),
            Some(&admin_a.token),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(at_a["skills"], json!(["medical"]));
}

#[tokio::test]
async fn a_site_admin_changes_skills_at_their_site_only() {
    let app = spawn_app().await;
    app.site("alpha").await;
    app.site("beta").await;
    let admin_a = app.admin("alpha").await;
    let admin_b = app.admin("beta").await;
    let both = app
        .member("alpha", "Dr Zhou", Roles::VOLUNTEER, &["medical"])
        .await;
    also_member_of(&app, "beta", &both.email, Roles::VOLUNTEER, &["medical"]).await;
    let res = app
        .post(
            "/api/v1/sites/beta/duties",
            &json!({"name": "Clinic", "weekday": "tue", "start": "09:00", "end": "11:00", "capacity": 2, "skill": "medical"}),
            Some(&admin_b.token),
        )
        .await;
    assert_eq!(res.status(), 201);
    let duty: Value = res.json().await.unwrap();

    // Site A's admin takes the skill away at site A.
    let res = app
        .patch(
            &format!("/api/v1/sites/alpha/members/{}", both.id),
            &json!({"skills": []}),
            Some(&admin_a.token),
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["skills"], json!([]));

    // Site B still has it, and its duty still takes them.
    let at_b: Value = app
        .get(
            &format!("/api/v1/sites/beta/members/{}", both.id),
            Some(&admin_b.token),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(at_b["skills"], json!(["medical"]));
    let res = app
        .post(
            &format!("/api/v1/sites/beta/duties/{}/signups", duty["id"]),
            &json!({"scope": "weekly"}),
            Some(&both.token),
        )
        .await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
}

#[tokio::test]
async fn the_invitation_page_asks_someone_with_an_account_for_their_password_only() {
    let app = spawn_app().await;
    app.site("alpha").await;
    app.site("beta").await;
    let admin_b = app.admin("beta").await;
    let known = app.member("alpha", "Has One", Roles::VOLUNTEER, &[]).await;
    let res = app
        .post(
            "/api/v1/sites/beta/members",
            &json!({"email": known.email, "name": "Typed", "roles": ["volunteer"]}),
            Some(&admin_b.token),
        )
        .await;
    assert_eq!(res.status(), 201);
    let token = token_from(&mails_to(&app, &known.email, 1).await[0].text);
    let page = app
        .get(&format!("/accept-invite?token={token}"), None)
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains(r#"name="join""#), "{page}");
    assert!(!page.contains("password_again"), "no new password is asked for");

    let post = |password: &'static str| {
        app.client
            .post(app.url("/accept-invite"))
            .form(&[
                ("token", token.as_str()),
                ("password", password),
                ("join", "true"),
            ])
            .send()
    };
    let wrong = post("not my password").await.unwrap();
    assert_eq!(wrong.status(), 422);
    assert!(wrong.text().await.unwrap().contains("密码不对"));
    let right = post(PASSWORD).await.unwrap();
    assert_eq!(right.status(), 200);
    assert!(right.text().await.unwrap().contains("已加入"));
    assert_eq!(
        app.get("/api/v1/sites/beta", Some(&known.token)).await.status(),
        200
    );
}
