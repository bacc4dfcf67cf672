//! 群机器人: the site's group-chat robots (WeCom, DingTalk, Feishu) and
//! webhooks, each with what it sends and its last few messages; adding
//! one, changing its name, notices and on/off, replacing its address or
//! secret, sending it a test message, and removing it after asking once.
//! The same workflows as the channels API (`workflows::channels`). A saved
//! address or secret is never written into a page, not even back into a
//! form that came back with a mistake: the list shows the address's hint
//! and whether a secret is set, and the form's two fields are always empty.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use chrono_tz::Tz;
use maud::{Markup, html};
use serde::Deserialize;

use super::{fail, page};
use crate::clock;
use crate::domain::channel::{ChannelKind, SecretRule, Topic};
use crate::errors::{ApiError, ProblemType};
use crate::pages::frame::{FieldErrors, described, error_summary, field, respond, see_other};
use crate::pages::session::{PageError, PageUser};
use crate::pages::text::ChannelsText;
use crate::pages::text::channels_console::kind_index;
use crate::state::AppState;
use crate::store::access::site_access;
use crate::words::Words;
use crate::workflows::channels::{
    self as flow, AddressRule, ChannelChanges, ChannelView, DeliveryView, NewChannelInput,
};

/// The console's section slug of these pages.
const HERE: &str = "channels";

/// How many of a channel's messages the list shows.
const RECENT: i64 = 5;

/// The words of these pages in the reader's language.
pub(super) fn words(user: &PageUser) -> &'static ChannelsText {
    ChannelsText::of(user.language)
}

fn rule(state: &AppState) -> AddressRule {
    AddressRule {
        allow_private: state.settings.channel_allow_private,
    }
}

/// A topic's checkbox: its form name and its element id.
fn topic_name(t: Topic) -> String {
    format!("topic.{}", t.code())
}

fn topic_id(t: Topic) -> String {
    format!("topic-{}", t.code().replace('.', "-"))
}

/// The add and change forms as sent. Every value is text, so a mistake
/// comes back as typed, except the address and the secret, which never
/// come back at all.
#[derive(Deserialize, Default, Clone)]
pub struct ChannelForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    url: String,
    #[serde(default)]
    secret: String,
    clear_secret: Option<String>,
    active: Option<String>,
    /// The topic checkboxes (`topic.rota.published`): the other fields.
    #[serde(flatten)]
    ticks: BTreeMap<String, String>,
}

impl ChannelForm {
    /// A new channel of `kind`, its kind's notices ticked.
    fn new_of(kind: ChannelKind) -> ChannelForm {
        let topics = kind.default_topics();
        ChannelForm {
            kind: kind.code().to_owned(),
            ticks: topics
                .into_iter()
                .map(|t| (topic_name(t), "on".to_owned()))
                .collect(),
            ..ChannelForm::default()
        }
    }

    /// The form showing `c` as it is (no address, no secret).
    fn of(c: &ChannelView) -> ChannelForm {
        ChannelForm {
            kind: c.kind.code().to_owned(),
            name: c.name.clone(),
            active: c.active.then(|| "on".to_owned()),
            ticks: c
                .topics
                .iter()
                .map(|t| (topic_name(*t), "on".to_owned()))
                .collect(),
            ..ChannelForm::default()
        }
    }

    fn kind(&self) -> Option<ChannelKind> {
        ChannelKind::parse(self.kind.trim()).ok()
    }

    fn ticked(&self, t: Topic) -> bool {
        self.ticks.contains_key(&topic_name(t))
    }

    /// The topic codes ticked, in the page's order.
    fn topics(&self) -> Vec<String> {
        Topic::LISTENABLE
            .into_iter()
            .filter(|t| self.ticked(*t))
            .map(|t| t.code().to_owned())
            .collect()
    }

    /// Whether an address or a secret was typed (and, after a mistake,
    /// has to be typed again).
    fn typed_credentials(&self) -> bool {
        !self.url.trim().is_empty() || !self.secret.trim().is_empty()
    }

    /// The same form with what is never shown again taken out.
    fn without_credentials(&self) -> ChannelForm {
        ChannelForm {
            url: String::new(),
            secret: String::new(),
            ..self.clone()
        }
    }
}

/// A workflow's refusal of a form, field by field in the secretary's
/// words; `None` when it is not about the form's fields.
fn refusal(
    t: &ChannelsText,
    kind: Option<ChannelKind>,
    f: &ChannelForm,
    e: &ApiError,
) -> Option<FieldErrors> {
    if e.kind() == ProblemType::Conflict {
        return Some(vec![("name", t.err_name_taken)]);
    }
    if e.kind() != ProblemType::Validation || e.fields().is_empty() {
        return None;
    }
    let mut errors: FieldErrors = Vec::new();
    for bad in e.fields() {
        let err = match bad.field.split('[').next().unwrap_or(&bad.field) {
            "kind" => ("kind", t.err_kind),
            "name" => ("name", t.err_name),
            "url" => ("url", t.err_url[kind.map_or(3, kind_index)]),
            "secret" => (
                "secret",
                match kind.map(ChannelKind::secret_rule) {
                    Some(SecretRule::None) => t.err_secret_wecom,
                    Some(SecretRule::Required) if f.secret.trim().is_empty() => t.err_secret_required,
                    _ => t.err_secret,
                },
            ),
            "topics" => ("topics", t.err_topics),
            _ => return None,
        };
        if !errors.iter().any(|(n, _)| *n == err.0) {
            errors.push(err);
        }
    }
    Some(errors)
}

/// `aria-describedby` of a field: its error (if any), then its hints.
fn describe(errors: &FieldErrors, name: &str, hints: &[&str]) -> Option<String> {
    let ids: Vec<String> = described(errors, name)
        .into_iter()
        .chain(hints.iter().map(|h| (*h).to_owned()))
        .collect();
    (!ids.is_empty()).then(|| ids.join(" "))
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
fn facts(t: &ChannelsText, c: &ChannelView) -> Markup {
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

fn test_button(user: &PageUser, t: &ChannelsText, slug: &str, c: &ChannelView) -> Markup {
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

/// The kinds as radio buttons (a new channel's only).
fn kind_choice(t: &ChannelsText, f: &ChannelForm, errors: &FieldErrors) -> Markup {
    let error = errors.iter().find(|(n, _)| *n == "kind").map(|(_, m)| *m);
    let chosen = f.kind();
    html! {
        fieldset.field.choices.has-error[error.is_some()] id="kind" aria-describedby=[described(errors, "kind")] {
            legend { (t.kind_legend) }
            @if let Some(m) = error { p.error id="kind-error" { (m) } }
            @for kind in ChannelKind::ALL {
                label {
                    input type="radio" name="kind" value=(kind.code()) checked[chosen == Some(kind)];
                    " " (t.kind(kind))
                }
            }
        }
    }
}

fn topics_choice(t: &ChannelsText, f: &ChannelForm, errors: &FieldErrors, new: bool) -> Markup {
    let error = errors.iter().find(|(n, _)| *n == "topics").map(|(_, m)| *m);
    html! {
        fieldset.field.has-error[error.is_some()] id="topics"
            aria-describedby=[describe(errors, "topics", if new { &["topics-hint"] } else { &[] })] {
            legend { (t.topics_legend) }
            @if let Some(m) = error { p.error id="topics-error" { (m) } }
            @if new { p.hint id="topics-hint" { (t.topics_default_hint) } }
            @for topic in Topic::LISTENABLE {
                label.check {
                    input type="checkbox" id=(topic_id(topic)) name=(topic_name(topic)) checked[f.ticked(topic)];
                    " " (t.topic(topic))
                }
            }
        }
    }
}

/// The address and secret: always empty. A new channel's hints name every
/// kind; a saved one's, its own kind's, and that empty keeps what is saved.
fn credentials(t: &ChannelsText, c: Option<&ChannelView>, errors: &FieldErrors, not_kept: bool) -> Markup {
    let url_hints: &[&str] = if c.is_some() {
        &["url-hint", "keep-note"]
    } else {
        &["url-hint"]
    };
    let secret_hints: &[&str] = if c.is_some() {
        &["secret-hint", "keep-note"]
    } else {
        &["secret-hint"]
    };
    let url_label = if c.is_some() { t.new_url } else { t.url };
    let secret_label = if c.is_some() { t.new_secret } else { t.secret };
    html! {
        @if not_kept { p.warn #not-kept role="note" { (t.not_kept_note) } }
        @if c.is_some() { p.hint #keep-note { (t.keep_note) } }
        (field(errors, "url", url_label, html! {
            @match c {
                Some(c) => { p.hint id="url-hint" { (t.url_hints[kind_index(c.kind)]) } }
                None => { ul.hint id="url-hint" { @for hint in t.url_hints { li { (hint) } } } }
            }
            input #url type="url" name="url" value="" autocomplete="off" spellcheck="false" autocapitalize="off"
                inputmode="url" aria-invalid=[described(errors, "url").map(|_| "true")]
                aria-describedby=[describe(errors, "url", url_hints)];
        }))
        @match c {
            Some(c) if c.kind.secret_rule() == SecretRule::None => {
                p.hint { (t.no_secret_wecom) }
            }
            _ => {
                (field(errors, "secret", secret_label, html! {
                    @match c {
                        Some(c) => { p.hint id="secret-hint" { (t.secret_hints[kind_index(c.kind)]) } }
                        None => { ul.hint id="secret-hint" { @for hint in t.secret_hints { li { (hint) } } } }
                    }
                    input #secret type="password" name="secret" value="" autocomplete="off" spellcheck="false"
                        autocapitalize="off" aria-invalid=[described(errors, "secret").map(|_| "true")]
                        aria-describedby=[describe(errors, "secret", secret_hints)];
                }))
                @if let Some(c) = c {
                    @if c.has_secret && c.kind.secret_rule() == SecretRule::Optional {
                        div.field {
                            label.check {
                                input #clear_secret type="checkbox" name="clear_secret";
                                " " (t.clear_secret)
                            }
                        }
                    }
                }
            }
        }
    }
}

fn name_field(t: &ChannelsText, f: &ChannelForm, errors: &FieldErrors) -> Markup {
    field(
        errors,
        "name",
        t.name,
        html! {
            p.hint id="name-hint" { (t.name_hint) }
            input #name type="text" name="name" value=(f.name)
                aria-invalid=[described(errors, "name").map(|_| "true")]
                aria-describedby=[describe(errors, "name", &["name-hint"])];
        },
    )
}

fn new_page(
    user: &PageUser,
    slug: &str,
    f: &ChannelForm,
    errors: &FieldErrors,
    not_kept: bool,
) -> HttpResponse {
    let t = words(user);
    let body = html! {
        p { a href=(format!("/s/{slug}/console/channels")) { "‹ " (t.back_to_list) } }
        h1 { (t.new_title) }
        (error_summary(user.text().console.fix_these, errors))
        form.stack.channel-form method="post" action=(format!("/s/{slug}/console/channels")) novalidate {
            input type="hidden" name="csrf" value=(user.csrf);
            (kind_choice(t, f, errors))
            (name_field(t, f, errors))
            (credentials(t, None, errors, not_kept))
            (topics_choice(t, f, errors, true))
            button type="submit" { (t.add_button) }
        }
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    respond(status, page(user, slug, HERE, t.new_title, body))
}

#[derive(Deserialize)]
pub struct KindQuery {
    kind: Option<String>,
}

/// The form for a new robot or webhook; `?kind=` picks the kind (and its
/// notices) to start from, a WeCom group robot otherwise.
#[get("/s/{site}/console/channels/new")]
pub async fn new_form(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<String>,
    q: web::Query<KindQuery>,
) -> Result<HttpResponse, PageError> {
    let slug = path.into_inner();
    let (caller, site) = (user.clone(), slug.clone());
    // Only the site's admin adds them: the same check as the list.
    state
        .db
        .read(move |conn| {
            let access = site_access(conn, &site, &caller)?;
            flow::list(conn, &access).map(|_| ())
        })
        .await
        .map_err(fail(&user))?;
    let kind = q
        .kind
        .as_deref()
        .and_then(|k| ChannelKind::parse(k).ok())
        .unwrap_or(ChannelKind::Wecom);
    Ok(new_page(
        &user,
        &slug,
        &ChannelForm::new_of(kind),
        &Vec::new(),
        false,
    ))
}

#[post("/s/{site}/console/channels")]
pub async fn create(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<String>,
    f: web::Form<ChannelForm>,
) -> Result<HttpResponse, PageError> {
    user.check(&f.csrf)?;
    let slug = path.into_inner();
    let f = f.into_inner();
    let topics = f.topics();
    let input = NewChannelInput {
        kind: f.kind.clone(),
        name: f.name.clone(),
        url: f.url.clone(),
        secret: Some(f.secret.trim().to_owned()).filter(|s| !s.is_empty()),
        // None ticked: the kind's own notices.
        topics: (!topics.is_empty()).then_some(topics),
    };
    let (caller, site, rule, now) = (user.clone(), slug.clone(), rule(&state), clock::now_naive());
    let made = state
        .db
        .write(move |conn| {
            let access = site_access(conn, &site, &caller)?;
            flow::create(conn, &access, input, rule, now).map(|_| ())
        })
        .await;
    match made {
        Ok(()) => Ok(see_other(&format!("/s/{slug}/console/channels?done=created"))),
        Err(e) => match refusal(words(&user), f.kind(), &f, &e) {
            Some(errors) => Ok(new_page(
                &user,
                &slug,
                &f.without_credentials(),
                &errors,
                f.typed_credentials(),
            )),
            None => Err(fail(&user)(e)),
        },
    }
}

async fn channel(
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

fn edit_page(
    user: &PageUser,
    slug: &str,
    c: &ChannelView,
    f: &ChannelForm,
    errors: &FieldErrors,
    not_kept: bool,
) -> HttpResponse {
    let t = words(user);
    let base = format!("/s/{slug}/console/channels/{}", c.id);
    let body = html! {
        p { a href=(format!("/s/{slug}/console/channels")) { "‹ " (t.back_to_list) } }
        h1 { (c.name) }
        div.card { (facts(t, c)) }
        (error_summary(user.text().console.fix_these, errors))
        form.stack.channel-form method="post" action=(base) novalidate {
            input type="hidden" name="csrf" value=(user.csrf);
            (name_field(t, f, errors))
            (topics_choice(t, f, errors, false))
            div.field {
                label.check {
                    input #active type="checkbox" name="active" checked[f.active.is_some()] aria-describedby="active-hint";
                    " " (t.active)
                }
                p.hint id="active-hint" { (t.active_hint) }
            }
            (credentials(t, Some(c), errors, not_kept))
            button type="submit" { (t.save) }
        }
        div.actions {
            (test_button(user, t, slug, c))
            a.button.secondary href=(format!("{base}/remove")) { (t.remove) }
        }
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    respond(status, page(user, slug, HERE, &c.name, body))
}

#[get("/s/{site}/console/channels/{id}")]
pub async fn edit(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, PageError> {
    let (slug, id) = path.into_inner();
    let c = channel(&state, &user, &slug, id).await?;
    Ok(edit_page(
        &user,
        &slug,
        &c,
        &ChannelForm::of(&c),
        &Vec::new(),
        false,
    ))
}

#[post("/s/{site}/console/channels/{id}")]
pub async fn save(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<(String, i64)>,
    f: web::Form<ChannelForm>,
) -> Result<HttpResponse, PageError> {
    user.check(&f.csrf)?;
    let (slug, id) = path.into_inner();
    let f = f.into_inner();
    let url = f.url.trim();
    let secret = f.secret.trim();
    let changes = ChannelChanges {
        name: Some(f.name.clone()),
        // Empty keeps the saved address and secret.
        url: (!url.is_empty()).then(|| url.to_owned()),
        secret: if !secret.is_empty() {
            Some(Some(secret.to_owned()))
        } else if f.clear_secret.is_some() {
            Some(None)
        } else {
            None
        },
        topics: Some(f.topics()),
        active: Some(f.active.is_some()),
    };
    let (caller, site, rule, now) = (user.clone(), slug.clone(), rule(&state), clock::now_naive());
    let saved = state
        .db
        .write(move |conn| {
            let access = site_access(conn, &site, &caller)?;
            flow::update(conn, &access, id, changes, rule, now).map(|_| ())
        })
        .await;
    match saved {
        Ok(()) => Ok(see_other(&format!("/s/{slug}/console/channels?done=saved"))),
        Err(e) => {
            let c = channel(&state, &user, &slug, id).await?;
            match refusal(words(&user), Some(c.kind), &f, &e) {
                Some(errors) => Ok(edit_page(
                    &user,
                    &slug,
                    &c,
                    &f.without_credentials(),
                    &errors,
                    f.typed_credentials(),
                )),
                None => Err(fail(&user)(e)),
            }
        }
    }
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
