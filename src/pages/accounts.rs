//! `/accept-invite` and `/reset-password`: the pages the links in mail open.
//! They post to the same flows as the JSON API, in the web app's frame and
//! in the visitor's language (she is not signed in yet).

use std::net::IpAddr;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use maud::html;
use serde::Deserialize;

use super::frame::{Nav, layout, respond};
use super::session::{visitor_language, with_retry_after};
use super::text::{Text, text};
use crate::auth::client::ClientAddress;
use crate::auth::flows;
use crate::errors::ProblemType;
use crate::state::AppState;

#[derive(Deserialize)]
pub struct TokenQuery {
    token: Option<String>,
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_again: String,
    /// Set by the form for someone joining with the password they have.
    #[serde(default)]
    join: bool,
}

/// Which page: the words differ, the form is the same.
#[derive(Clone, Copy)]
enum Purpose {
    Invite,
    /// An invitation for someone with a password: they give it to join.
    Join,
    Reset,
}

impl Purpose {
    fn title(self, t: &Text) -> &'static str {
        match self {
            Purpose::Invite => t.settings.set_password_title,
            Purpose::Join => t.settings.join_title,
            Purpose::Reset => t.settings.reset_password_title,
        }
    }

    fn action(self) -> &'static str {
        match self {
            Purpose::Invite | Purpose::Join => "/accept-invite",
            Purpose::Reset => "/reset-password",
        }
    }
}

/// Where a refusal belongs: the link itself, the password typed, or too
/// many attempts from her address.
enum Problem {
    Link,
    Password(&'static str),
    Wait,
}

fn form(
    t: &Text,
    purpose: Purpose,
    token: &str,
    problem: Option<Problem>,
    status: StatusCode,
) -> HttpResponse {
    let s = &t.settings;
    let (link_error, password_error) = match problem {
        Some(Problem::Link) => (Some(s.link_invalid), None),
        Some(Problem::Wait) => (Some(t.too_many), None),
        Some(Problem::Password(e)) => (None, Some(e)),
        None => (None, None),
    };
    respond(
        status,
        layout(
            t,
            purpose.title(t),
            &Nav::NONE,
            html! {
                h1 { (purpose.title(t)) }
                @if let Some(e) = link_error {
                    p.error role="alert" { (e) }
                    p { a href="/forgot-password" { (t.forgot_link) } }
                }
                @if let Purpose::Join = purpose {
                    form.stack method="post" action=(purpose.action()) hx-boost="false" {
                        input type="hidden" name="token" value=(token);
                        input type="hidden" name="join" value="true";
                        label for="password" { (s.password) }
                        p.hint #password-hint { (s.join_hint) }
                        @if let Some(e) = password_error { p.error #password-error role="alert" { (e) } }
                        input #password name="password" type="password" maxlength="256" required
                            autocomplete="current-password" aria-invalid=[password_error.map(|_| "true")]
                            aria-describedby=(if password_error.is_some() { "password-hint password-error" } else { "password-hint" });
                        p { button type="submit" { (s.join_button) } }
                    }
                } @else {
                    form.stack method="post" action=(purpose.action()) hx-boost="false" {
                        input type="hidden" name="token" value=(token);
                        label for="password" { (s.new_password) }
                        p.hint #password-hint { (s.new_password_hint) }
                        @if let Some(e) = password_error { p.error #password-error role="alert" { (e) } }
                        input #password name="password" type="password" minlength="8" maxlength="256" required
                            autocomplete="new-password" aria-invalid=[password_error.map(|_| "true")]
                            aria-describedby=(if password_error.is_some() { "password-hint password-error" } else { "password-hint" });
                        label for="password_again" { (s.password_again) }
                        input #password_again name="password_again" type="password" minlength="8" maxlength="256" required
                            autocomplete="new-password";
                        p { button type="submit" { (s.save_password) } }
                    }
                }
            },
        ),
    )
}

fn done(t: &Text, purpose: Purpose) -> HttpResponse {
    respond(
        StatusCode::OK,
        layout(
            t,
            purpose.title(t),
            &Nav::NONE,
            html! {
                h1 { (purpose.title(t)) }
                p.notice role="status" {
                    (if let Purpose::Join = purpose { t.settings.joined } else { t.settings.password_saved })
                }
                p { a.button href="/login" { (t.sign_in) } }
            },
        ),
    )
}

async fn submit(
    state: &AppState,
    client: IpAddr,
    t: &Text,
    purpose: Purpose,
    f: PasswordForm,
) -> HttpResponse {
    let s = &t.settings;
    if !matches!(purpose, Purpose::Join) && f.password != f.password_again {
        return form(
            t,
            purpose,
            &f.token,
            Some(Problem::Password(s.passwords_differ)),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    let outcome = match purpose {
        Purpose::Invite | Purpose::Join => flows::accept_invite(state, client, &f.token, &f.password).await,
        Purpose::Reset => flows::reset_password(state, client, &f.token, &f.password).await,
    };
    match outcome {
        Ok(()) => done(t, purpose),
        Err(e) => {
            let problem = if e.kind() == ProblemType::TooManyRequests {
                Problem::Wait
            } else if e.kind() != ProblemType::Validation || e.detail().starts_with("token") {
                Problem::Link
            } else if let Purpose::Join = purpose {
                Problem::Password(s.not_your_password)
            } else if e.detail().contains("at most") {
                Problem::Password(s.too_long)
            } else {
                Problem::Password(s.too_short)
            };
            with_retry_after(form(t, purpose, &f.token, Some(problem), e.kind().status()), &e)
        }
    }
}

#[get("/accept-invite")]
pub async fn invite_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    q: web::Query<TokenQuery>,
) -> HttpResponse {
    let t = text(visitor_language(&req));
    let token = q.token.as_deref().unwrap_or("");
    // Someone who has a password joins with it; the form never asks them
    // for a new one.
    let purpose = match flows::invitation_joins(&state, token).await {
        Ok(true) => Purpose::Join,
        _ => Purpose::Invite,
    };
    form(t, purpose, token, None, StatusCode::OK)
}

#[post("/accept-invite")]
pub async fn invite_submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    client: ClientAddress,
    f: web::Form<PasswordForm>,
) -> HttpResponse {
    let t = text(visitor_language(&req));
    let f = f.into_inner();
    let purpose = if f.join { Purpose::Join } else { Purpose::Invite };
    submit(&state, client.0, t, purpose, f).await
}

#[get("/reset-password")]
pub async fn reset_form(req: HttpRequest, q: web::Query<TokenQuery>) -> HttpResponse {
    let t = text(visitor_language(&req));
    form(
        t,
        Purpose::Reset,
        q.token.as_deref().unwrap_or(""),
        None,
        StatusCode::OK,
    )
}

#[post("/reset-password")]
pub async fn reset_submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    client: ClientAddress,
    f: web::Form<PasswordForm>,
) -> HttpResponse {
    let t = text(visitor_language(&req));
    submit(&state, client.0, t, Purpose::Reset, f.into_inner()).await
}
