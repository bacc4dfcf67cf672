//! 群机器人: the site's group-chat robots (WeCom, DingTalk, Feishu) and
//! webhooks, each with what it sends and its last few messages; adding
//! one, changing its name, notices and on/off, replacing its address or
//! secret, sending it a test message, and removing it after asking once.
//! The add and change forms are in `channels_form`. The same workflows as
//! the channels API (`workflows::channels`). A saved
//! address or secret is never written into a page, not even back into a
//! form that came back with a mistake: the list shows the address's hint
//! and whether a secret is set, and the form's two fields are always empty.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use chrono_tz::Tz;
use maud::{Markup, html};
use serde::Deserialize;

use super::{fail, page};
use crate::clock;
use crate::domain::channel::{SecretRule, Topic};
use crate::pages::frame::{respond, see_other};
use crate::pages::session::{PageError, PageUser};
use crate::pages::text::ChannelsText;
use crate::state::AppState;
use crate::store::access::site_access;
use crate::words::Words;
use crate::workflows::channels::{self as flow, ChannelView, DeliveryView};

/// The console's section slug of these pages.
pub(super) const HERE: &str = "channels";

/// How many of a channel's messages the list shows.
const RECENT: i64 = 5;

/// The words of these pages in the reader's language.
pub(super) fn words(user: &PageUser) -> &'static ChannelsText {
    ChannelsText::of(user.language)
}

fn status_badge(t: &ChannelsText, status: &str) -> Markup {
    let class = match status {
        "sent" => "badge confirmed",
        "dead" => "badge rejected",
        _ => "badge pending",
    };
    html! { span class=(class) { (t.status(status)) } }
}

fn delivery(t: &ChannelsText, w: Words, tz: Tz, d: &DeliveryView) -> Markup {
    html! {
        li {
            span.when { (w.instant(tz, d.created_at)) }
            " " (t.topic_code(&d.topic)) " "
            (status_badge(t, &d.status))
            @if d.attempts > 0 { " " span.attempts { (t.attempts(d.attempts)) } }
            @if let Some(e) = &d.last_error {
                br;
                span.last-error { (t.last_error) (e) }
            }
        }
    }
}

fn topics_in_words(t: &ChannelsText, topics: &[Topic]) -> String {
    let sep = if t.language == crate::domain::person::Language::En {
        ", "
    } else {
        "、"
    };
    topics.iter().map(|x| t.topic(*x)).collect::<Vec<_>>().join(sep)
}

/// What a channel is and does, in words; the address only as its hint.
pub(super) fn facts(t: &ChannelsText, c: &ChannelView) -> Markup {
    html! {
        p { strong { (t.kind_label) } (t.kind(c.kind)) }
        p.url-hint { strong { (t.address_label) } span lang="en" { (c.url_hint) } }
        @if c.kind.secret_rule() != SecretRule::None {
            p { strong { (t.secret_label) } (if c.has_secret { t.secret_set } else { t.secret_none }) }
        }
        p { strong { (t.topics_label) } (topics_in_words(t, &c.topics)) }
        p {
            strong { (t.state_label) }
            @if c.active { span.badge.confirmed { (t.state_on) } } @else { span.badge.rejected { (t.state_off) } }
        }
    }
}

pub(super) fn test_button(user: &PageUser, t: &ChannelsText, slug: &str, c: &ChannelView) -> Markup {
    html! {
        @if c.active {
            form method="post" action=(format!("/s/{slug}/console/channels/{}/test", c.id)) {
                input type="hidden" name="csrf" value=(user.csrf);
                button.secondary type="submit" aria-label=(format!("{} {}", t.send_test, c.name)) { (t.send_test) }
            }
        } @else {
            p.hint { (t.test_off) }
        }
    }
}

fn card(
    user: &PageUser,
    t: &ChannelsText,
    slug: &str,
    tz: Tz,
    c: &ChannelView,
    recent: &[DeliveryView],
) -> Markup {
    let base = format!("/s/{slug}/console/channels/{}", c.id);
    let w = Words::new(user.language);
    html! {
        li.card.channel id=(format!("channel-{}", c.id)) {
            h2 { (c.name) }
            (facts(t, c))
            h3 { (t.deliveries_heading) }
            @if recent.is_empty() { p { (t.no_deliveries) } }
            @else { ul.deliveries { @for d in recent { (delivery(t, w, tz, d)) } } }
            div.actions {
                a.button.secondary href=(base) aria-label=(format!("{} {}", t.change, c.name)) { (t.change) }
                (test_button(user, t, slug, c))
                a.button.secondary href=(format!("{base}/remove")) aria-label=(format!("{} {}", t.remove, c.name)) { (t.remove) }
            }
        }
    }
}

#[derive(Deserialize)]
pub struct Done {
    done: Option<String>,
}

#[get("/s/{site}/console/channels")]
pub async fn list(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<String>,
    q: web::Query<Done>,
) -> Result<HttpResponse, PageError> {
    let slug = path.into_inner();
    let (caller, site) = (user.clone(), slug.clone());
    let (tz, all) = state
        .db
        .read(move |conn| {
            let access = site_access(conn, &site, &caller)?;
            let mut all = Vec::new();
            for c in flow::list(conn, &access)? {
                let recent = flow::deliveries(conn, &access, c.id, 0, RECENT)?;
                all.push((c, recent));
            }
            Ok((access.site.tz(), all))
        })
        .await
        .map_err(fail(&user))?;
    let t = words(&user);
    let done = match q.done.as_deref() {
        Some("created") => Some(t.created_done),
        Some("saved") => Some(t.saved_done),
        Some("removed") => Some(t.removed_done),
        Some("tested") => Some(t.tested_done),
        _ => None,
    };
    let body = html! {
        h1 { (t.title) }
        @if let Some(d) = done { p.notice role="status" { (d) } }
        p { (t.intro) }
        p { a.button href=(format!("/s/{slug}/console/channels/new")) { (t.add) } }
        @if all.is_empty() { p { (t.none_yet) } }
        ul.plain.channels { @for (c, recent) in &all { (card(&user, t, &slug, tz, c, recent)) } }
    };
    Ok(respond(StatusCode::OK, page(&user, &slug, HERE, t.title, body)))
}

pub(super) async fn channel(
    state: &web::Data<AppState>,
    user: &PageUser,
    slug: &str,
    id: i64,
) -> Result<ChannelView, PageError> {
    let (caller, site) = (user.clone(), slug.to_owned());
    state
        .db
        .read(move |conn| {
            let access = site_access(conn, &site, &caller)?;
            flow::get(conn, &access, id)
        })
        .await
        .map_err(fail(user))
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

/// Queues a test message, then back to the list, where it shows among
/// the channel's recent messages.
#[post("/s/{site}/console/channels/{id}/test")]
pub async fn test(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<(String, i64)>,
    f: web::Form<CsrfOnly>,
) -> Result<HttpResponse, PageError> {
    user.check(&f.csrf)?;
    let (slug, id) = path.into_inner();
    let (caller, site, notifier, now) = (
        user.clone(),
        slug.clone(),
        state.notifier.clone(),
        clock::now_naive(),
    );
    state
        .db
        .write(move |conn| {
            let access = site_access(conn, &site, &caller)?;
            flow::send_test(conn, &access, id, &notifier, now).map(|_| ())
        })
        .await
        .map_err(fail(&user))?;
    Ok(see_other(&format!(
        "/s/{slug}/console/channels?done=tested#channel-{id}"
    )))
}

/// Removing asks once, saying what goes with it.
#[get("/s/{site}/console/channels/{id}/remove")]
pub async fn remove_form(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, PageError> {
    let (slug, id) = path.into_inner();
    let c = channel(&state, &user, &slug, id).await?;
    let t = words(&user);
    let base = format!("/s/{slug}/console/channels/{id}");
    let body = html! {
        h1 { (t.remove_title) }
        div.card {
            p { strong { (c.name) } }
            p { (t.kind(c.kind)) }
        }
        p { (t.remove_warning) }
        form method="post" action=(format!("{base}/remove")) {
            input type="hidden" name="csrf" value=(user.csrf);
            button.danger type="submit" aria-label=(format!("{} {}", t.remove_confirm, c.name)) { (t.remove_confirm) }
        }
        p { a.button.secondary href=(format!("/s/{slug}/console/channels")) { (t.keep) } }
    };
    Ok(respond(
        StatusCode::OK,
        page(&user, &slug, HERE, t.remove_title, body),
    ))
}

#[post("/s/{site}/console/channels/{id}/remove")]
pub async fn remove(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<(String, i64)>,
    f: web::Form<CsrfOnly>,
) -> Result<HttpResponse, PageError> {
    user.check(&f.csrf)?;
    let (slug, id) = path.into_inner();
    let (caller, site) = (user.clone(), slug.clone());
    state
        .db
        .write(move |conn| {
            let access = site_access(conn, &site, &caller)?;
            flow::remove(conn, &access, id)
        })
        .await
        .map_err(fail(&user))?;
    Ok(see_other(&format!("/s/{slug}/console/channels?done=removed")))
}
