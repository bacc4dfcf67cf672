//! Access tokens that must not be accepted.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

use crate::helpers::{TEST_JWT_SECRET, problem, spawn_app};

fn sign(claims: &Value, secret: &str) -> String {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

/// Valid claims for `user_id`'s session `sid`, issued now.
fn claims(user_id: i64, sid: i64) -> Value {
    let now = chrono::Utc::now().timestamp();
    json!({"sub": user_id.to_string(), "sid": sid, "iat": now, "nbf": now, "exp": now + 600,
           "iss": "livingroom", "aud": "livingroom-api"})
}

fn session_of(token: &str) -> (i64, i64) {
    let payload = token.split('.').nth(1).unwrap();
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    (
        claims["sub"].as_str().unwrap().parse().unwrap(),
        claims["sid"].as_i64().unwrap(),
    )
}

#[tokio::test]
async fn forged_and_broken_tokens_are_401() {
    let app = spawn_app().await;
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    let (user, sid) = session_of(&admin.token);

    // The control: a token we sign ourselves with valid claims works, so
    // each rejection below is due to the one thing changed.
    let good = sign(&claims(user, sid), TEST_JWT_SECRET);
    assert_eq!(app.get("/api/v1/me", Some(&good)).await.status(), 200);

    let mut cases: Vec<(&str, String)> = Vec::new();

    let mut tampered = admin.token.clone().into_bytes();
    let last = tampered.len() - 2;
    tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
    cases.push(("tampered signature", String::from_utf8(tampered).unwrap()));

    let mut c = claims(user, sid);
    c["sub"] = json!((user + 1).to_string());
    let header_payload: Vec<&str> = admin.token.split('.').collect();
    let forged_payload = URL_SAFE_NO_PAD.encode(c.to_string());
    cases.push((
        "payload swapped",
        format!("{}.{}.{}", header_payload[0], forged_payload, header_payload[2]),
    ));

    let mut c = claims(user, sid);
    c["exp"] = json!(chrono::Utc::now().timestamp() - 120);
    c["iat"] = json!(chrono::Utc::now().timestamp() - 1200);
    c["nbf"] = c["iat"].clone();
    cases.push(("expired", sign(&c, TEST_JWT_SECRET)));

    let mut c = claims(user, sid);
    c["aud"] = json!("someone-else");
    cases.push(("wrong aud", sign(&c, TEST_JWT_SECRET)));

    let mut c = claims(user, sid);
    c["iss"] = json!("someone-else");
    cases.push(("wrong iss", sign(&c, TEST_JWT_SECRET)));

    let mut c = claims(user, sid);
    c["exp"] = json!((chrono::Utc::now().timestamp() + 600).to_string());
    cases.push(("string exp", sign(&c, TEST_JWT_SECRET)));

    for missing in ["exp", "iat", "nbf", "iss", "aud", "sub"] {
        let mut c = claims(user, sid);
        c.as_object_mut().unwrap().remove(missing);
        cases.push(("missing claim", sign(&c, TEST_JWT_SECRET)));
    }

    let mut c = claims(user, sid);
    c["nbf"] = json!(chrono::Utc::now().timestamp() + 3600);
    cases.push(("not yet valid", sign(&c, TEST_JWT_SECRET)));

    cases.push((
        "other secret",
        sign(&claims(user, sid), "another-secret-another-secret-0123456789"),
    ));

    let none_header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
    let body = URL_SAFE_NO_PAD.encode(claims(user, sid).to_string());
    cases.push(("alg none", format!("{none_header}.{body}.")));
    cases.push(("alg none, no dot", format!("{none_header}.{body}")));

    cases.push(("garbage", "not-a-jwt".to_owned()));

    for (what, token) in cases {
        let res = app.get("/api/v1/me", Some(&token)).await;
        assert_eq!(res.status(), 401, "{what} was accepted");
        let body = problem(res, 401).await;
        assert_eq!(body["type"], "/problems/unauthorized", "{what}");
    }

    let res = app.client.get(app.url("/api/v1/me")).send().await.unwrap();
    assert!(res.headers().contains_key("www-authenticate"));
    problem(res, 401).await;
}
