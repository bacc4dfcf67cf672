//! Her calendar link on `/me`: make one, see it once (a field to select,
//! a copy button, a QR code to open it on the phone), make a new one (the
//! old stops working). Only the link's hash is kept, as for every secret
//! here, so the link is shown in the answer that made it and not after.

use actix_web::{HttpResponse, get, post, web};
use maud::{Markup, html};

use super::{CsrfForm, Feed, PasswordErrors, fail, load, page};
use crate::clock;
use crate::pages::frame::{ok, see_other};
use crate::pages::qr;
use crate::pages::session::{PageError, PageUser};
use crate::pages::text::Text;
use crate::state::AppState;
use crate::workflows::calendar_feed;

const COPY_JS: &str = include_str!("../assets/copy.js");

pub fn section(user: &PageUser, t: &Text, feed: &Feed) -> Markup {
    let s = &t.settings;
    let button = match feed {
        Feed::None => s.feed_create,
        _ => s.feed_regenerate,
    };
    html! {
        section.settings #calendar aria-labelledby="feed" {
            h2 #feed { (s.feed) }
            p.hint { (s.feed_intro) }
            @match feed {
                Feed::Made(url) => {
                    p.notice role="status" { (s.feed_made) }
                    label for="feed-url" { (s.feed_link) }
                    p.hint #feed-url-hint { (s.feed_select_hint) }
                    input #feed-url type="text" readonly value=(url) data-select-all
                        aria-describedby="feed-url-hint" spellcheck="false" autocapitalize="off";
                    p.copy-row {
                        button.secondary type="button" hidden data-copy="#feed-url" data-copied="#feed-copied" { (s.copy) }
                        span #feed-copied role="status" data-words=(s.copied) {}
                    }
                    figure.qr-box {
                        (qr::svg(url, &format!("{} {}", s.qr_of, s.feed_link)))
                        figcaption.hint { (s.qr_hint) }
                    }
                    script src="/assets/copy.js" defer {}
                }
                Feed::Have(since) => {
                    p { (s.feed_have) " " (since.format("%Y-%m-%d")) (s.full_stop) }
                    p.hint { (s.feed_once) }
                }
                Feed::None => {}
            }
            // A full page load, not an htmx swap: the copy script runs then.
            form method="post" action="/me/calendar-feed#calendar" hx-boost="false" {
                input type="hidden" name="csrf" value=(user.csrf);
                @if !matches!(feed, Feed::None) { p.hint { (s.feed_regenerate_hint) } }
                button type="submit" { (button) }
            }
        }
    }
}

/// Makes her link (a new one replaces the old) and shows it, this once.
/// Reloading the answer would post again and make another: harmless, as
/// the newest link is the one shown.
#[post("/me/calendar-feed")]
pub async fn make(
    state: web::Data<AppState>,
    user: PageUser,
    f: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    user.check(&f.csrf)?;
    let (id, now) = (user.id, clock::now_naive());
    let token = state
        .db
        .write(move |conn| calendar_feed::create_link(conn, id, now))
        .await
        .map_err(fail(user.language))?;
    let account = load(&state, &user).await?;
    let url = calendar_feed::url(&state.notifier.public_url, &token);
    Ok(ok(page(
        &user,
        user.text(),
        &account,
        &Feed::Made(url),
        &PasswordErrors::default(),
        None,
    )))
}

/// The answer that shows the link stands at this address; a reload or a
/// link within it (the skip link) asks for it again: back to her page.
#[get("/me/calendar-feed")]
pub async fn back_to_me() -> HttpResponse {
    see_other("/me#calendar")
}

#[get("/assets/copy.js")]
pub async fn copy_js() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .body(COPY_JS)
}
