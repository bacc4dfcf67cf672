//! Driving the web app's pages from tests as a browser without JavaScript
//! would: sign in with the form, keep the cookie, read the CSRF token out of
//! a page and post forms with it. Every page test uses these.

use crate::helpers::{PASSWORD, TestApp};

/// Posts the sign-in form with the test password, asking to go to `next`;
/// the answer and the session cookie ("name=value", empty if refused).
pub async fn sign_in_to(app: &TestApp, email: &str, next: &str) -> (reqwest::Response, String) {
    sign_in_as(app, email, PASSWORD, next).await
}

async fn sign_in_as(app: &TestApp, email: &str, password: &str, next: &str) -> (reqwest::Response, String) {
    let res = app
        .client
        .post(app.url("/login"))
        .form(&[("email", email), ("password", password), ("next", next)])
        .send()
        .await
        .expect("login");
    let set = res
        .headers()
        .get("set-cookie")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let pair = set.split(';').next().unwrap_or_default().to_owned();
    (res, pair)
}

/// Signs in through the form; the session cookie.
pub async fn sign_in(app: &TestApp, email: &str) -> String {
    sign_in_with_password(app, email, PASSWORD).await
}

/// Signs in with this password (after a change of it); the session cookie.
pub async fn sign_in_with_password(app: &TestApp, email: &str, password: &str) -> String {
    let (res, cookie) = sign_in_as(app, email, password, "/").await;
    assert_eq!(res.status(), 303, "signing in as {email}");
    cookie
}

/// A page's answer, as it came.
pub async fn get(app: &TestApp, path: &str, cookie: &str) -> reqwest::Response {
    app.client
        .get(app.url(path))
        .header("cookie", cookie)
        .send()
        .await
        .expect("page")
}

/// A page's status and HTML.
pub async fn page(app: &TestApp, path: &str, cookie: &str) -> (u16, String) {
    let res = get(app, path, cookie).await;
    (res.status().as_u16(), res.text().await.unwrap())
}

/// Posts a form (redirects are not followed: a 303 is the answer).
pub async fn post(app: &TestApp, path: &str, cookie: &str, form: &[(&str, &str)]) -> reqwest::Response {
    app.client
        .post(app.url(path))
        .header("cookie", cookie)
        .form(form)
        .send()
        .await
        .expect("form")
}

/// The CSRF token of the first form on a page.
pub fn csrf_in(html: &str) -> String {
    let at = html
        .find(r#"name="csrf" value=""#)
        .expect("a form with a csrf field")
        + 19;
    html[at..].split('"').next().unwrap().to_owned()
}

/// Where a 303 sends the browser ("" when it sends nowhere).
pub fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}
