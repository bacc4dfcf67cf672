//! 场地: the site's computers, desks and rooms, grouped by kind, each with
//! its opening hours and booking rules in words; adding one, changing it,
//! retiring it after asking once (naming the future bookings it cancels).
//! The same workflows as the resources API (`workflows::resources`,
//! `workflows::bookings::retire_resource`). Closures are
//! `resources_blackouts`; the form is `resources_form`.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use maud::{Markup, html};
use serde::Deserialize;

use super::resources_form::{ResourceForm, form};
use super::{fail, page};
use crate::clock;
use crate::domain::resource::ResourceKind;
use crate::pages::frame::{FieldErrors, respond, see_other};
use crate::pages::session::{PageError, PageUser};
use crate::pages::text::ResourcesText;
use crate::pages::text::resources_console::{hours_in_words, kind_index, rules_in_words};
use crate::state::AppState;
use crate::store::access::site_access;
use crate::store::resources::Resource;
use crate::workflows::bookings::retire_resource;
use crate::workflows::resources as flow;

/// The console's section slug of these pages.
const HERE: &str = "resources";

const KINDS: [ResourceKind; 3] = [ResourceKind::Computer, ResourceKind::Desk, ResourceKind::Room];

/// The words of these pages in the reader's language.
pub(super) fn words(user: &PageUser) -> &'static ResourcesText {
    ResourcesText::of(user.language)
}

fn card(user: &PageUser, t: &ResourcesText, slug: &str, r: &Resource) -> Markup {
    let base = format!("/s/{slug}/console/resources/{}", r.id);
    html! {
        li.card {
            h3 { (r.name) }
            p { strong { (t.hours_label) } (hours_in_words(user.language, r.opening().as_ref())) }
            p { strong { (t.rules_label) } (rules_in_words(user.language, &r.rules())) }
            @if let Some(p) = &r.pool { p { strong { (t.pool_label) } (p) } }
            @if let Some(c) = r.capacity { p { strong { (t.capacity_label) } (c) } }
            p.actions {
                a.button.secondary href=(base) aria-label=(format!("{} {}", t.change, r.name)) { (t.change) }
                a.button.secondary href=(format!("{base}/blackouts")) aria-label=(format!("{} {}", t.blackouts_link, r.name)) { (t.blackouts_link) }
            }
        }
    }
}

#[derive(Deserialize)]
pub struct Done {
    done: Option<String>,
}

#[get("/s/{site}/console/resources")]
pub async fn list(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<String>,
    q: web::Query<Done>,
) -> Result<HttpResponse, PageError> {
    let slug = path.into_inner();
    let (caller, site) = (user.clone(), slug.clone());
    let all = state
        .db
        .read(move |conn| {
            let access = site_access(conn, &site, &caller)?;
            flow::for_console(conn, &access)
        })
        .await
        .map_err(fail(&user))?;
    let t = words(&user);
    let done = match q.done.as_deref() {
        Some("created") => Some(t.created_done),
        Some("saved") => Some(t.saved_done),
        Some("removed") => Some(t.removed_done),
        _ => None,
    };
    let body = html! {
        h1 { (t.title) }
        @if let Some(d) = done { p.notice role="status" { (d) } }
        p { (t.intro) }
        @for kind in KINDS {
            @let i = kind_index(kind);
            @let of_kind: Vec<&Resource> = all.iter().filter(|r| r.kind() == kind).collect();
            section.kind aria-labelledby=(format!("kind-{}", kind.code())) {
                h2 id=(format!("kind-{}", kind.code())) { (t.kind_headings[i]) }
                @if of_kind.is_empty() { p { (t.none_of_kind) } }
                ul.plain { @for r in &of_kind { (card(&user, t, &slug, r)) } }
                p { a.button.secondary href=(format!("/s/{slug}/console/resources/new?kind={}", kind.code())) { (t.add_kind[i]) } }
            }
        }
    };
    Ok(respond(StatusCode::OK, page(&user, &slug, HERE, t.title, body)))
}

#[derive(Deserialize)]
pub struct KindQuery {
    kind: Option<String>,
}

fn new_page(user: &PageUser, slug: &str, f: &ResourceForm, errors: &FieldErrors) -> HttpResponse {
    let t = words(user);
    let title = t.add_kind[kind_index(f.kind())];
    let body = html! {
        p { a href=(format!("/s/{slug}/console/resources")) { "‹ " (t.back_to_list) } }
        h1 { (title) }
        (form(t, user.text().console.fix_these, &user.csrf, &format!("/s/{slug}/console/resources"), title, f, errors))
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    respond(status, page(user, slug, HERE, title, body))
}

/// The form for a new one of `?kind=` (computer, desk, room), with the
/// kind's default rules filled in.
#[get("/s/{site}/console/resources/new")]
pub async fn new_form(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<String>,
    q: web::Query<KindQuery>,
) -> Result<HttpResponse, PageError> {
    let slug = path.into_inner();
    let (caller, site) = (user.clone(), slug.clone());
    // Only the site's admin sets resources up: the same check as the list.
    state
        .db
        .read(move |conn| {
            let access = site_access(conn, &site, &caller)?;
            flow::for_console(conn, &access).map(|_| ())
        })
        .await
        .map_err(fail(&user))?;
    let kind = q
        .kind
        .as_deref()
        .and_then(ResourceKind::from_code)
        .unwrap_or(ResourceKind::Room);
    Ok(new_page(&user, &slug, &ResourceForm::new_of(kind), &Vec::new()))
}

#[post("/s/{site}/console/resources")]
pub async fn create(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<String>,
    f: web::Form<ResourceForm>,
) -> Result<HttpResponse, PageError> {
    user.check(&f.csrf)?;
    let slug = path.into_inner();
    let f = f.into_inner();
    let fields = match f.parse(words(&user)) {
        Ok(fields) => fields,
        Err(errors) => return Ok(new_page(&user, &slug, &f, &errors)),
    };
    let (caller, site, now) = (user.clone(), slug.clone(), clock::now_naive());
    state
        .db
        .write(move |conn| {
            let access = site_access(conn, &site, &caller)?;
            flow::add(conn, &access, &fields, now).map(|_| ())
        })
        .await
        .map_err(fail(&user))?;
    Ok(see_other(&format!("/s/{slug}/console/resources?done=created")))
}

async fn setup(
    state: &web::Data<AppState>,
    user: &PageUser,
    slug: &str,
    id: i64,
) -> Result<flow::ResourceSetup, PageError> {
    let (caller, site, now) = (user.clone(), slug.to_owned(), clock::now());
    state
        .db
        .read(move |conn| {
            let access = site_access(conn, &site, &caller)?;
            flow::for_setup(conn, &access, id, now)
        })
        .await
        .map_err(fail(user))
}

fn edit_page(
    user: &PageUser,
    slug: &str,
    r: &Resource,
    f: &ResourceForm,
    errors: &FieldErrors,
) -> HttpResponse {
    let t = words(user);
    let base = format!("/s/{slug}/console/resources/{}", r.id);
    let body = html! {
        p { a href=(format!("/s/{slug}/console/resources")) { "‹ " (t.back_to_list) } }
        h1 { (r.name) }
        p { (t.kind_headings[kind_index(r.kind())]) }
        p.actions { a.button.secondary href=(format!("{base}/blackouts")) { (t.blackouts_link) } }
        (form(t, user.text().console.fix_these, &user.csrf, &base, t.save, f, errors))
        p { a.button.secondary href=(format!("{base}/remove")) { (t.remove) } }
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    respond(status, page(user, slug, HERE, &r.name, body))
}

#[get("/s/{site}/console/resources/{id}")]
pub async fn edit(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, PageError> {
    let (slug, id) = path.into_inner();
    let s = setup(&state, &user, &slug, id).await?;
    Ok(edit_page(
        &user,
        &slug,
        &s.resource,
        &ResourceForm::of(&s.resource),
        &Vec::new(),
    ))
}

#[post("/s/{site}/console/resources/{id}")]
pub async fn save(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<(String, i64)>,
    f: web::Form<ResourceForm>,
) -> Result<HttpResponse, PageError> {
    user.check(&f.csrf)?;
    let (slug, id) = path.into_inner();
    let f = f.into_inner();
    let fields = match f.parse(words(&user)) {
        Ok(fields) => fields,
        Err(errors) => {
            let s = setup(&state, &user, &slug, id).await?;
            return Ok(edit_page(&user, &slug, &s.resource, &f, &errors));
        }
    };
    let (caller, site) = (user.clone(), slug.clone());
    state
        .db
        .write(move |conn| {
            let access = site_access(conn, &site, &caller)?;
            // The kind stays what it is: the store never changes it.
            flow::change(conn, &access, id, |_| Ok(fields)).map(|_| ())
        })
        .await
        .map_err(fail(&user))?;
    Ok(see_other(&format!("/s/{slug}/console/resources?done=saved")))
}

/// Retiring asks once, naming the future bookings it cancels.
#[get("/s/{site}/console/resources/{id}/remove")]
pub async fn remove_form(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, PageError> {
    let (slug, id) = path.into_inner();
    let s = setup(&state, &user, &slug, id).await?;
    let t = words(&user);
    let base = format!("/s/{slug}/console/resources/{id}");
    let body = html! {
        h1 { (t.remove_title) }
        p.card { strong { (s.resource.name) } }
        p { (t.remove_warning) }
        @if s.future_bookings == 0 { p { (t.remove_none_future) } }
        @else { p.notice { (t.remove_future_before) (s.future_bookings) (t.remove_future_after) } }
        form method="post" action=(format!("{base}/remove")) {
            input type="hidden" name="csrf" value=(user.csrf);
            button.danger type="submit" { (t.remove_confirm) }
        }
        p { a.button.secondary href=(base) { (t.keep) } }
    };
    Ok(respond(
        StatusCode::OK,
        page(&user, &slug, HERE, t.remove_title, body),
    ))
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

#[post("/s/{site}/console/resources/{id}/remove")]
pub async fn remove(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<(String, i64)>,
    f: web::Form<CsrfOnly>,
) -> Result<HttpResponse, PageError> {
    user.check(&f.csrf)?;
    let (slug, id) = path.into_inner();
    let (caller, site, notifier, now) = (user.clone(), slug.clone(), state.notifier.clone(), clock::now());
    state
        .db
        .write(move |conn| {
            let access = site_access(conn, &site, &caller)?;
            retire_resource(conn, &access, id, &notifier, now).map(|_| ())
        })
        .await
        .map_err(fail(&user))?;
    Ok(see_other(&format!("/s/{slug}/console/resources?done=removed")))
}
