//! `/accept-invite` and `/reset-password`: the pages the links in mail open.
//! They post to the same flows as the JSON API.

use actix_web::{HttpResponse, get, post, web};
use maud::{Markup, html};
use serde::Deserialize;

use super::layout;
use crate::auth::flows;
use crate::state::AppState;

#[derive(Deserialize)]
pub struct TokenQuery {
    token: Option<String>,
}

#[derive(Deserialize)]
pub struct PasswordForm {
    token: String,
    password: String,
    password_again: String,
}

/// Which page: the words differ, the form is the same.
#[derive(Clone, Copy)]
enum Purpose {
    Invite,
    Reset,
}

impl Purpose {
    fn title(self) -> &'static str {
        match self {
            Purpose::Invite => "设置密码 Set your password",
            Purpose::Reset => "重置密码 Reset your password",
        }
    }

    fn action(self) -> &'static str {
        match self {
            Purpose::Invite => "/accept-invite",
            Purpose::Reset => "/reset-password",
        }
    }
}

fn form(purpose: Purpose, token: &str, error: Option<&str>) -> Markup {
    layout(
        "zh-CN",
        purpose.title(),
        html! {
            h1 { (purpose.title()) }
            @if let Some(e) = error { p.error role="alert" { (e) } }
            form method="post" action=(purpose.action()) {
                input type="hidden" name="token" value=(token);
                label for="password" { "新密码 New password (8+)" }
                input id="password" name="password" type="password" minlength="8" maxlength="256" required autocomplete="new-password";
                label for="password_again" { "再输入一次 Once more" }
                input id="password_again" name="password_again" type="password" minlength="8" maxlength="256" required autocomplete="new-password";
                button type="submit" { "保存 Save" }
            }
        },
    )
}

fn page(markup: Markup) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(markup.into_string())
}

fn done(purpose: Purpose) -> HttpResponse {
    page(layout(
        "zh-CN",
        purpose.title(),
        html! {
            h1 { "密码已设置 Password saved" }
            p { "现在可以用新密码登录。You can now sign in with your new password." }
        },
    ))
}

async fn submit(state: &AppState, purpose: Purpose, f: PasswordForm) -> HttpResponse {
    if f.password != f.password_again {
        return page(form(
            purpose,
            &f.token,
            Some("两次输入不一致。The two passwords differ."),
        ));
    }
    let outcome = match purpose {
        Purpose::Invite => flows::accept_invite(state, &f.token, &f.password).await,
        Purpose::Reset => flows::reset_password(state, &f.token, &f.password).await,
    };
    match outcome {
        Ok(()) => done(purpose),
        Err(e) => {
            let mut res = page(form(purpose, &f.token, Some(e.detail())));
            *res.status_mut() = e.kind().status();
            res
        }
    }
}

#[get("/accept-invite")]
pub async fn invite_form(q: web::Query<TokenQuery>) -> HttpResponse {
    page(form(Purpose::Invite, q.token.as_deref().unwrap_or(""), None))
}

#[post("/accept-invite")]
pub async fn invite_submit(state: web::Data<AppState>, f: web::Form<PasswordForm>) -> HttpResponse {
    submit(&state, Purpose::Invite, f.into_inner()).await
}

#[get("/reset-password")]
pub async fn reset_form(q: web::Query<TokenQuery>) -> HttpResponse {
    page(form(Purpose::Reset, q.token.as_deref().unwrap_or(""), None))
}

#[post("/reset-password")]
pub async fn reset_submit(state: web::Data<AppState>, f: web::Form<PasswordForm>) -> HttpResponse {
    submit(&state, Purpose::Reset, f.into_inner()).await
}
