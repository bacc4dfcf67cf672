//! The secretary's console (管理): the admin's side of a site, in the same
//! frame and style as the people's pages and through the same workflows as
//! the API. Its sections grow one by one (UI.md lists 人员, 场地, 日历, 审批,
//! 排班, 值班, 报表, 日志; issue 24 adds 群机器人); only those built are
//! linked, so no link leads nowhere.

pub mod approvals;
pub mod audit;
pub mod calendar;
pub mod channels;
pub mod channels_form;
pub mod duties;
pub mod duties_new;
pub mod people;
pub mod reports;
pub mod resources;
pub mod resources_blackouts;
pub mod resources_form;
pub mod rota;

use actix_web::{HttpResponse, get, web};
use maud::{Markup, html};

use super::frame::{Nav, layout, ok};
use super::session::{PageError, PageUser};
use crate::clock;
use crate::errors::ApiError;
use crate::state::AppState;
use crate::store::access::site_access;
use crate::workflows::approvals as approval_queue;

fn fail(user: &PageUser) -> impl Fn(ApiError) -> PageError + '_ {
    move |e| PageError::Api(user.language, e)
}

/// The console's own navigation, beside (wide screens) or above (phones)
/// the section; `here` is marked for screen readers.
fn sections(user: &PageUser, slug: &str, here: &str) -> Markup {
    let c = &user.text().console;
    let links = [
        ("people", c.people),
        ("resources", resources::words(user).title),
        ("calendar", c.calendar),
        ("approvals", c.approvals),
        ("rota", super::text::rota_text(user.language).title),
        ("duties", c.duties),
        ("audit", c.audit),
        ("reports", user.text().reports.title),
        ("channels", channels::words(user).nav),
    ];
    html! {
        nav.console aria-label=(c.sections) {
            ul.plain {
                @for (path, label) in links {
                    li {
                        @if path == here {
                            a href=(format!("/s/{slug}/console/{path}")) aria-current="page" { (label) }
                        } @else {
                            a href=(format!("/s/{slug}/console/{path}")) { (label) }
                        }
                    }
                }
            }
        }
    }
}

/// A console page: the app's frame, the console's sections, then `body`.
fn page(user: &PageUser, slug: &str, here: &str, title: &str, body: Markup) -> Markup {
    layout(
        user.text(),
        title,
        &Nav::of(user, Some(slug)),
        html! {
            div.console {
                (sections(user, slug, here))
                div.section { (body) }
            }
        },
    )
}

/// The console's front: what waits for the secretary.
#[get("/s/{site}/console")]
pub async fn home(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let slug = path.into_inner();
    let (caller, site, now) = (user.clone(), slug.clone(), clock::now());
    let waiting = state
        .db
        .read(move |conn| {
            let access = site_access(conn, &site, &caller)?;
            Ok(approval_queue::queue(conn, &access, now)?.len())
        })
        .await
        .map_err(fail(&user))?;
    let c = &user.text().console;
    Ok(ok(page(
        &user,
        &slug,
        "",
        c.title,
        html! {
            h1 { (c.title) }
            p { (c.intro) }
            ul.plain.cards {
                li.card {
                    h2 { a href=(format!("/s/{slug}/console/people")) { (c.people) } }
                    p { (c.people_intro) }
                }
                li.card {
                    h2 { a href=(format!("/s/{slug}/console/resources")) { (resources::words(&user).title) } }
                    p { (resources::words(&user).card_intro) }
                }
                li.card {
                    h2 { a href=(format!("/s/{slug}/console/calendar")) { (c.calendar) } }
                    p { (c.calendar_intro) }
                }
                li.card {
                    h2 { a href=(format!("/s/{slug}/console/approvals")) { (c.approvals) } }
                    @if waiting == 0 {
                        p { (c.none_waiting) }
                    } @else {
                        p.notice { (c.waiting_count_before) (waiting) (c.waiting_count_after) }
                    }
                }
                li.card {
                    h2 { a href=(format!("/s/{slug}/console/rota")) { (super::text::rota_text(user.language).title) } }
                    p { (super::text::rota_text(user.language).card_intro) }
                }
                li.card {
                    h2 { a href=(format!("/s/{slug}/console/duties")) { (c.duties) } }
                    p { (c.duties_intro) }
                }
                li.card {
                    h2 { a href=(format!("/s/{slug}/console/audit")) { (c.audit) } }
                    p { (c.audit_intro) }
                }
                li.card {
                    h2 { a href=(format!("/s/{slug}/console/reports")) { (user.text().reports.title) } }
                    p { (user.text().reports.intro) }
                }
                li.card {
                    h2 { a href=(format!("/s/{slug}/console/channels")) { (channels::words(&user).title) } }
                    p { (channels::words(&user).card_intro) }
                }
            }
        },
    )))
}
