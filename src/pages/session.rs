//! Signing in on the web: a cookie that names a row of the sessions table
//! (so signing out everywhere, a password change or a reset end it at
//! once), the CSRF token every form carries, and the sign-in, sign-out and
//! forgot-password pages.

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::http::header::{ACCEPT_LANGUAGE, COOKIE, HeaderValue, RETRY_AFTER};
use actix_web::{FromRequest, HttpRequest, HttpResponse, ResponseError, get, post, web};
use futures_util::future::LocalBoxFuture;
use maud::html;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::frame::{Nav, layout, respond, see_other};
use super::text::{Text, text};
use crate::auth::client::ClientAddress;
use crate::auth::{flows, secret};
use crate::domain::person::{Language, Roles};
use crate::domain::policy::Caller;
use crate::errors::{ApiError, ProblemType};
use crate::state::AppState;
use crate::store::{sessions, users};

pub const COOKIE_NAME: &str = "livingroom_session";
/// A web session lasts as long as a refresh-token family may.
const COOKIE_DAYS: i64 = flows::REFRESH_TOKEN_DAYS;

/// The signed-in person of a page request.
#[derive(Clone, Debug)]
pub struct PageUser {
    pub id: i64,
    pub name: String,
    pub is_operator: bool,
    /// A district observer (reads every site's reports).
    pub is_observer: bool,
    pub language: Language,
    /// The hidden field every form of this session carries.
    pub csrf: String,
    /// Her sites (slug) and roles there: the navigation shows what she does.
    pub sites: Vec<(String, Roles)>,
}

impl From<&PageUser> for Caller {
    fn from(user: &PageUser) -> Caller {
        Caller {
            user_id: user.id,
            operator: user.is_operator,
            observer: user.is_observer,
        }
    }
}

impl PageUser {
    pub fn text(&self) -> &'static Text {
        text(self.language)
    }

    /// Refuses a form without this session's token: another site cannot
    /// make her browser post here.
    pub fn check(&self, presented: &str) -> Result<(), PageError> {
        if constant_time_eq(presented.as_bytes(), self.csrf.as_bytes()) {
            Ok(())
        } else {
            Err(PageError::Forged(self.language))
        }
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The token derives from the cookie's secret, which only the browser and
/// (hashed) the server hold, so a page of another site cannot know it.
fn csrf_of(cookie: &str) -> String {
    hex::encode(&Sha256::digest(format!("livingroom-csrf:{cookie}").as_bytes())[..16])
}

/// Why a page could not be served: signed out (go and sign in, then come
/// back), a form without its token, or a workflow's refusal.
#[derive(Debug)]
pub enum PageError {
    SignedOut { next: String },
    Forged(Language),
    Api(Language, ApiError),
}

impl std::fmt::Display for PageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PageError::SignedOut { .. } => write!(f, "signed out"),
            PageError::Forged(_) => write!(f, "form without its token"),
            PageError::Api(_, e) => write!(f, "{e}"),
        }
    }
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        match self {
            PageError::SignedOut { .. } => StatusCode::SEE_OTHER,
            PageError::Forged(_) => StatusCode::FORBIDDEN,
            PageError::Api(_, e) => e.kind().status(),
        }
    }

    fn error_response(&self) -> HttpResponse {
        let (language, words) = match self {
            PageError::SignedOut { next } => {
                return see_other(&format!("/login?next={}", encode_component(next)));
            }
            PageError::Forged(l) => (*l, text(*l).form_expired),
            PageError::Api(l, e) => (
                *l,
                match e.kind() {
                    ProblemType::NotFound => text(*l).not_found,
                    ProblemType::Internal | ProblemType::ServiceUnavailable => text(*l).went_wrong,
                    ProblemType::TooManyRequests => text(*l).too_many,
                    _ => e.detail(),
                },
            ),
        };
        let t = text(language);
        let answer = respond(
            self.status_code(),
            layout(
                t,
                t.app_name,
                &Nav::NONE,
                html! {
                    p.error role="alert" { (words) }
                    p { a.button href="/" { (t.home) } }
                },
            ),
        );
        match self {
            PageError::Api(_, e) => with_retry_after(answer, e),
            _ => answer,
        }
    }
}

/// A page refused for being too busy (429, 503) says when to come back, as
/// the API's problem does.
pub fn with_retry_after(mut answer: HttpResponse, e: &ApiError) -> HttpResponse {
    if let Some(seconds) = e.retry_after()
        && let Ok(value) = HeaderValue::from_str(&seconds.to_string())
    {
        answer.headers_mut().insert(RETRY_AFTER, value);
    }
    answer
}

pub fn encode_component(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Only a path of this site may follow sign-in: `//evil.example` or
/// `https://...` would send her elsewhere with the page's trust.
pub fn local_path(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.starts_with("/\\")
                && !n.chars().any(|c| c.is_control() || c == '\\') =>
        {
            n.to_owned()
        }
        _ => "/".to_owned(),
    }
}

fn cookie_value(req: &HttpRequest) -> Option<String> {
    req.headers().get_all(COOKIE).find_map(|h| {
        h.to_str().ok()?.split(';').find_map(|pair| {
            let (k, v) = pair.trim().split_once('=')?;
            (k == COOKIE_NAME && !v.is_empty()).then(|| v.to_owned())
        })
    })
}

/// The language before sign-in: English when the browser puts it before
/// Chinese, else zh-CN.
pub fn visitor_language(req: &HttpRequest) -> Language {
    let header = req
        .headers()
        .get(ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    for tag in header.split(',') {
        let tag = tag.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        if tag.starts_with("zh") {
            return Language::ZhCn;
        }
        if tag.starts_with("en") {
            return Language::En;
        }
    }
    Language::ZhCn
}

impl FromRequest for PageUser {
    type Error = PageError;
    type Future = LocalBoxFuture<'static, Result<PageUser, PageError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let cookie = cookie_value(req);
        let language = visitor_language(req);
        // After a form, come back to the page it was on, not the form's target.
        let next = if req.method() == actix_web::http::Method::GET {
            req.uri()
                .path_and_query()
                .map(|p| p.as_str().to_owned())
                .unwrap_or_else(|| "/".to_owned())
        } else {
            "/".to_owned()
        };
        Box::pin(async move {
            let signed_out = || PageError::SignedOut { next: next.clone() };
            let (Some(state), Some(cookie)) = (state, cookie) else {
                return Err(signed_out());
            };
            let hash = secret::hash(&cookie);
            let found = state
                .db
                .read(move |conn| {
                    let Some((_, user)) = sessions::user_of_web_session(conn, &hash)? else {
                        return Ok(None);
                    };
                    let sites = users::memberships_of(conn, user.id)?
                        .into_iter()
                        .map(|(slug, _, m)| (slug, m.roles()))
                        .collect();
                    Ok(Some((user, sites)))
                })
                .await
                .map_err(|e| PageError::Api(language, e))?;
            let (user, sites) = found.ok_or_else(signed_out)?;
            Ok(PageUser {
                sites,
                id: user.id,
                language: user.language(),
                name: user.name,
                is_operator: user.is_operator,
                is_observer: user.is_observer,
                csrf: csrf_of(&cookie),
            })
        })
    }
}

fn set_cookie(state: &AppState, value: &str, max_age_seconds: i64) -> String {
    let secure = if state.settings.public_url().starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    format!("{COOKIE_NAME}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_seconds}{secure}")
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

fn login_page(t: &Text, next: &str, email: &str, error: Option<&str>, status: StatusCode) -> HttpResponse {
    respond(
        status,
        layout(
            t,
            t.sign_in,
            &Nav::NONE,
            html! {
                h1 { (t.sign_in_title) }
                @if let Some(e) = error { p.error #login-error role="alert" { (e) } }
                form.stack method="post" action="/login" hx-boost="false" {
                    input type="hidden" name="next" value=(next);
                    label for="email" { (t.email) }
                    input #email name="email" type="email" value=(email) required autocomplete="username"
                        aria-describedby=[error.map(|_| "login-error")];
                    label for="password" { (t.password) }
                    input #password name="password" type="password" required autocomplete="current-password";
                    p { button type="submit" { (t.sign_in) } }
                }
                p { a href="/forgot-password" { (t.forgot_link) } }
            },
        ),
    )
}

#[get("/login")]
pub async fn login_form(req: HttpRequest, q: web::Query<NextQuery>) -> HttpResponse {
    let t = text(visitor_language(&req));
    login_page(t, &local_path(q.next.as_deref()), "", None, StatusCode::OK)
}

#[post("/login")]
pub async fn login_submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    client: ClientAddress,
    f: web::Form<LoginForm>,
) -> HttpResponse {
    let t = text(visitor_language(&req));
    let f = f.into_inner();
    let next = local_path(f.next.as_deref());
    match flows::web_login(&state, client.0, &f.email, &f.password).await {
        Ok(token) => {
            let mut res = see_other(&next);
            if let Ok(v) = set_cookie(&state, &token, COOKIE_DAYS * 86_400).parse() {
                res.headers_mut().insert(actix_web::http::header::SET_COOKIE, v);
            }
            res
        }
        Err(e) => {
            let words = match e.kind() {
                ProblemType::TooManyRequests => t.too_many,
                _ => t.wrong_login,
            };
            with_retry_after(login_page(t, &next, &f.email, Some(words), e.kind().status()), &e)
        }
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

#[post("/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: PageUser,
    f: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    user.check(&f.csrf)?;
    if let Some(cookie) = cookie_value(&req) {
        flows::web_logout(&state, &cookie)
            .await
            .map_err(|e| PageError::Api(user.language, e))?;
    }
    let mut res = see_other("/login");
    if let Ok(v) = set_cookie(&state, "", 0).parse() {
        res.headers_mut().insert(actix_web::http::header::SET_COOKIE, v);
    }
    Ok(res)
}

#[derive(Deserialize)]
pub struct ForgotForm {
    #[serde(default)]
    email: String,
}

fn forgot_page(t: &Text, sent: bool) -> HttpResponse {
    respond(
        StatusCode::OK,
        layout(
            t,
            t.forgot_title,
            &Nav::NONE,
            html! {
                h1 { (t.forgot_title) }
                @if sent {
                    p.notice role="status" { (t.forgot_sent) }
                } @else {
                    p.hint { (t.forgot_intro) }
                    form.stack method="post" action="/forgot-password" {
                        label for="email" { (t.email) }
                        input #email name="email" type="email" required autocomplete="username";
                        p { button type="submit" { (t.forgot_button) } }
                    }
                }
                p { a href="/login" { (t.back_to_sign_in) } }
            },
        ),
    )
}

#[get("/forgot-password")]
pub async fn forgot_form(req: HttpRequest) -> HttpResponse {
    forgot_page(text(visitor_language(&req)), false)
}

/// The same answer whether or not the address has an account, as the API's.
#[post("/forgot-password")]
pub async fn forgot_submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    client: ClientAddress,
    f: web::Form<ForgotForm>,
) -> Result<HttpResponse, PageError> {
    let language = visitor_language(&req);
    flows::forgot_password(&state, client.0, &f.email)
        .await
        .map_err(|e| PageError::Api(language, e))?;
    Ok(forgot_page(text(language), true))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_follow_sign_in() {
        assert_eq!(local_path(Some("/s/demo/bookings?x=1")), "/s/demo/bookings?x=1");
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "https://evil.example/",
            "",
            "s/demo",
            "/a\nb",
        ] {
            assert_eq!(local_path(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(local_path(None), "/");
    }

    #[test]
    fn the_csrf_token_is_per_session_and_compared_whole() {
        assert_ne!(csrf_of("one"), csrf_of("two"));
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd") && !constant_time_eq(b"abc", b"ab"));
    }
}
