//! 群机器人, the forms: adding a robot or webhook, and changing one (its
//! name, notices, on/off; a new address or secret replaces the saved one,
//! which is never written into the page, not even back into a form that
//! came back with a mistake).

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use maud::{Markup, html};
use serde::Deserialize;

use super::channels::{HERE, channel, facts, test_button, words};
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
use crate::workflows::channels::{self as flow, AddressRule, ChannelChanges, ChannelView, NewChannelInput};

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
