//! Journey 5, everyone: `/me`, her own page. Her name and address, the
//! language of her pages and mail, which mail she gets, her calendar link
//! (in `me/feed.rs`), changing her password, and signing out on every
//! device. Each form posts, runs one workflow and comes back here.

use actix_web::http::StatusCode;
use actix_web::http::header::SET_COOKIE;
use actix_web::{HttpResponse, get, post, web};
use chrono::NaiveDateTime;
use maud::{Markup, html};
use serde::Deserialize;

use super::frame::{Nav, layout, ok, respond, see_other};
use super::session::{COOKIE_NAME, PageError, PageUser};
use super::text::Text;
use crate::auth::client::ClientAddress;
use crate::auth::flows;
use crate::clock;
use crate::domain::person::Language;
use crate::errors::ApiError;
use crate::state::AppState;
use crate::workflows::me::{self, MyAccount};

pub mod feed;

/// The calendar link as the page shows it.
pub enum Feed {
    None,
    /// She has one, made then; its secret is not kept, so not shown.
    Have(NaiveDateTime),
    /// Just made: the one time the link is shown.
    Made(String),
}

/// What went wrong with the password form, per field.
#[derive(Default)]
pub struct PasswordErrors {
    current: Option<&'static str>,
    new: Option<&'static str>,
}

fn fail(language: Language) -> impl Fn(ApiError) -> PageError {
    move |e| PageError::Api(language, e)
}

fn done_words(t: &Text, done: Option<&str>) -> Option<&'static str> {
    let s = &t.settings;
    match done? {
        "language" => Some(s.language_saved),
        "mail" => Some(s.mail_saved),
        _ => None,
    }
}

/// The whole page; `feed` and `errors` carry what the last form left.
pub fn page(
    user: &PageUser,
    t: &'static Text,
    account: &MyAccount,
    feed: &Feed,
    errors: &PasswordErrors,
    done: Option<&str>,
) -> Markup {
    let s = &t.settings;
    // With one site, her usual links; with several, home chooses.
    let nav = match user.sites.as_slice() {
        [(slug, _)] => Nav::of(user, Some(slug)),
        _ => Nav::of(user, None),
    };
    let has_errors = errors.current.is_some() || errors.new.is_some();
    layout(
        t,
        s.title,
        &nav,
        html! {
            h1 { (s.title) }
            @if let Some(w) = done_words(t, done) { p.notice role="status" { (w) } }
            @if has_errors {
                div.error-summary role="alert" aria-labelledby="problems" {
                    h2 #problems { (s.there_are_problems) }
                    ul {
                        @if let Some(e) = errors.current { li { a href="#current_password" { (e) } } }
                        @if let Some(e) = errors.new { li { a href="#new_password" { (e) } } }
                    }
                }
            }
            section.settings aria-labelledby="account" {
                h2 #account { (s.account) }
                dl.facts {
                    dt { (s.name) } dd { (account.name) }
                    @if let Some(other) = &account.other_name {
                        dt { (s.other_name) } dd { (other) }
                    }
                    dt { (t.email) } dd { (account.email) }
                }
            }
            section.settings aria-labelledby="language" {
                h2 #language { (s.language) }
                p { (s.language_now) }
                // A full page load: the document's own `lang` changes too.
                form method="post" action="/me/language" hx-boost="false" {
                    input type="hidden" name="csrf" value=(user.csrf);
                    @let other = match account.language { Language::ZhCn => "en", Language::En => "zh-CN" };
                    button.secondary type="submit" name="language" value=(other) lang=(s.switch_lang) { (s.switch_language) }
                }
            }
            section.settings aria-labelledby="mail" {
                h2 #mail { (s.mail) }
                form method="post" action="/me/notifications" {
                    input type="hidden" name="csrf" value=(user.csrf);
                    p.hint #notice-intro { (s.mail_intro) }
                    // A row per kind, a column per channel a person has
                    // (e-mail only, so far): each box is named by its
                    // row's and its column's heads.
                    table.notices aria-describedby="notice-intro" {
                        thead {
                            tr {
                                th scope="col" { (s.notice_kind) }
                                th scope="col" #channel-email { (s.channel_email) }
                            }
                        }
                        tbody {
                            @for (code, words) in s.kinds {
                                @let on = account.mail.get(code).copied().unwrap_or(true);
                                tr {
                                    th scope="row" { label #(format!("notice-{code}")) for=(format!("kind-{code}")) { (words) } }
                                    td {
                                        input type="checkbox" aria-labelledby=(format!("notice-{code} channel-email")) id=(format!("kind-{code}")) name="kind" value=(code) checked[on];
                                    }
                                }
                            }
                        }
                    }
                    button type="submit" { (s.save_mail) }
                }
            }
            (feed::section(user, t, feed))
            section.settings aria-labelledby="password-heading" {
                h2 #password-heading { (s.password) }
                form.stack method="post" action="/me/password" hx-boost="false" {
                    input type="hidden" name="csrf" value=(user.csrf);
                    input type="hidden" name="username" value=(account.email) autocomplete="username";
                    label for="current_password" { (s.current_password) }
                    @if let Some(e) = errors.current { p.error #current-error { (e) } }
                    input #current_password name="current_password" type="password" required
                        autocomplete="current-password" aria-invalid=[errors.current.map(|_| "true")]
                        aria-describedby=[errors.current.map(|_| "current-error")];
                    label for="new_password" { (s.new_password) }
                    p.hint #new-hint { (s.new_password_hint) }
                    @if let Some(e) = errors.new { p.error #new-error { (e) } }
                    input #new_password name="new_password" type="password" required minlength="8" maxlength="256"
                        autocomplete="new-password" aria-invalid=[errors.new.map(|_| "true")]
                        aria-describedby=(if errors.new.is_some() { "new-hint new-error" } else { "new-hint" });
                    p { button type="submit" { (s.change_password) } }
                }
            }
            section.settings aria-labelledby="sessions" {
                h2 #sessions { (s.sessions) }
                p.hint { (s.everywhere_hint) }
                div.actions {
                    form method="post" action="/me/sign-out-everywhere" hx-boost="false" {
                        input type="hidden" name="csrf" value=(user.csrf);
                        button.secondary type="submit" { (s.sign_out_everywhere) }
                    }
                    form method="post" action="/logout" hx-boost="false" {
                        input type="hidden" name="csrf" value=(user.csrf);
                        button.secondary type="submit" { (t.sign_out) }
                    }
                }
            }
        },
    )
}

/// Her account as the page shows it.
pub async fn load(state: &AppState, user: &PageUser) -> Result<MyAccount, PageError> {
    let id = user.id;
    state
        .db
        .read(move |conn| me::account(conn, id))
        .await
        .map_err(fail(user.language))
}

#[derive(Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

#[get("/me")]
pub async fn show(
    state: web::Data<AppState>,
    user: PageUser,
    q: web::Query<DoneQuery>,
) -> Result<HttpResponse, PageError> {
    let account = load(&state, &user).await?;
    let feed = account.feed_since.map_or(Feed::None, Feed::Have);
    Ok(ok(page(
        &user,
        user.text(),
        &account,
        &feed,
        &PasswordErrors::default(),
        q.done.as_deref(),
    )))
}

#[derive(Deserialize)]
pub struct LanguageForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    language: String,
}

/// Her pages switch at once: the next page reads the saved language.
#[post("/me/language")]
pub async fn set_language(
    state: web::Data<AppState>,
    user: PageUser,
    f: web::Form<LanguageForm>,
) -> Result<HttpResponse, PageError> {
    user.check(&f.csrf)?;
    let language = match f.language.as_str() {
        "en" => Language::En,
        _ => Language::ZhCn,
    };
    let id = user.id;
    state
        .db
        .write(move |conn| me::set_language(conn, id, language))
        .await
        .map_err(fail(user.language))?;
    Ok(see_other("/me?done=language"))
}

/// Ticked boxes arrive as repeated `kind` fields; every kind the page
/// lists and is not ticked is turned off.
#[post("/me/notifications")]
pub async fn set_notifications(
    state: web::Data<AppState>,
    user: PageUser,
    f: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let fields = f.into_inner();
    let csrf = fields
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    user.check(csrf)?;
    let ticked: Vec<&str> = fields
        .iter()
        .filter(|(k, _)| k == "kind")
        .map(|(_, v)| v.as_str())
        .collect();
    let kinds = user
        .text()
        .settings
        .kinds
        .iter()
        .map(|(code, _)| ((*code).to_owned(), ticked.contains(code)))
        .collect();
    let id = user.id;
    state
        .db
        .write(move |conn| me::set_mail_preferences(conn, id, kinds))
        .await
        .map_err(fail(user.language))?;
    Ok(see_other("/me?done=mail"))
}

/// An answer that also ends the cookie on this browser.
fn signed_out_page(state: &AppState, t: &Text, words: &str) -> HttpResponse {
    let mut res = respond(
        StatusCode::OK,
        layout(
            t,
            words,
            &Nav::NONE,
            html! {
                p.notice role="status" { (words) }
                p { a.button href="/login" { (t.settings.sign_in_again) } }
            },
        ),
    );
    let secure = if state.settings.public_url().starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    if let Ok(v) = format!("{COOKIE_NAME}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}").parse() {
        res.headers_mut().insert(SET_COOKIE, v);
    }
    res
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

/// Ends every session of hers (web and API), this one too.
#[post("/me/sign-out-everywhere")]
pub async fn sign_out_everywhere(
    state: web::Data<AppState>,
    user: PageUser,
    f: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    user.check(&f.csrf)?;
    let (id, now) = (user.id, clock::now_naive());
    state
        .db
        .write(move |conn| me::sign_out_everywhere(conn, id, now))
        .await
        .map_err(fail(user.language))?;
    let t = user.text();
    Ok(signed_out_page(&state, t, t.settings.signed_out_everywhere))
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
}

/// The API's own rules and flow: the current password checked, the new
/// one 8 to 256 characters, and every session ended, this one too.
#[post("/me/password")]
pub async fn change_password(
    state: web::Data<AppState>,
    user: PageUser,
    client: ClientAddress,
    f: web::Form<PasswordForm>,
) -> Result<HttpResponse, PageError> {
    user.check(&f.csrf)?;
    let t = user.text();
    let s = &t.settings;
    match flows::change_password(&state, client.0, user.id, &f.current_password, &f.new_password).await {
        Ok(()) => Ok(signed_out_page(&state, t, s.password_changed)),
        Err(e) if e.kind() == crate::errors::ProblemType::Validation => {
            let mut errors = PasswordErrors::default();
            if e.detail().starts_with("current_password") {
                errors.current = Some(s.wrong_current);
            } else if e.detail().contains("at most") {
                errors.new = Some(s.too_long);
            } else {
                errors.new = Some(s.too_short);
            }
            let account = load(&state, &user).await?;
            let feed = account.feed_since.map_or(Feed::None, Feed::Have);
            Ok(respond(
                StatusCode::UNPROCESSABLE_ENTITY,
                page(&user, t, &account, &feed, &errors, None),
            ))
        }
        Err(e) => Err(PageError::Api(user.language, e)),
    }
}

#[cfg(test)]
mod tests {
    use crate::mail::templates::Kind;

    #[test]
    fn every_kind_that_can_be_turned_off_has_words_in_both_languages() {
        let settable: Vec<&str> = Kind::ALL
            .into_iter()
            .filter(|k| !k.is_security())
            .map(Kind::code)
            .collect();
        for t in [&crate::pages::text::ZH, &crate::pages::text::EN] {
            let listed: Vec<&str> = t.settings.kinds.iter().map(|(c, _)| *c).collect();
            assert_eq!(listed, settable, "{}", t.lang);
        }
    }
}
