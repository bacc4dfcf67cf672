//! 人员: who belongs to the site and who has not accepted an invitation
//! yet; inviting a person; changing roles, skills and "senior" (以老带新);
//! removing someone after asking once. The same workflows as the members
//! API (`workflows::members`), so the rules (one admin at least, an
//! invitation answered the same whether or not the address has an account)
//! are the API's.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use maud::{Markup, html};
use serde::Deserialize;

use super::{fail, page};
use crate::clock;
use crate::domain::Invalid;
use crate::domain::person::{Language, Role};
use crate::errors::ApiError;
use crate::pages::frame::{FieldErrors, described, error_summary, field, respond, see_other};
use crate::pages::session::{PageError, PageUser};
use crate::pages::text::Console;
use crate::state::AppState;
use crate::store::access::site_access;
use crate::workflows::members::{self, Member, MemberChange, NewMember, Typed};

/// How many people the page lists: a committee has a few dozen.
const LISTED: i64 = 200;

const ROLES: [(&str, Role); 4] = [
    ("role_admin", Role::Admin),
    ("role_staff", Role::Staff),
    ("role_volunteer", Role::Volunteer),
    ("role_group_leader", Role::GroupLeader),
];

/// The role and skill fields both forms share. Checkboxes each have their
/// own name: a form without JavaScript sends only the ticked ones.
#[derive(Deserialize, Default, Clone)]
pub struct RoleFields {
    role_admin: Option<String>,
    role_staff: Option<String>,
    role_volunteer: Option<String>,
    role_group_leader: Option<String>,
    #[serde(default)]
    skills: String,
    senior: Option<String>,
}

impl RoleFields {
    fn of(m: &Member) -> RoleFields {
        let r = m.membership.roles();
        let tick = |on: bool| on.then(|| "on".to_owned());
        RoleFields {
            role_admin: tick(r.admin),
            role_staff: tick(r.staff),
            role_volunteer: tick(r.volunteer),
            role_group_leader: tick(r.group_leader),
            skills: m.skills.join(", "),
            senior: tick(m.membership.senior),
        }
    }

    fn ticked(&self, name: &str) -> bool {
        match name {
            "role_admin" => self.role_admin.is_some(),
            "role_staff" => self.role_staff.is_some(),
            "role_volunteer" => self.role_volunteer.is_some(),
            _ => self.role_group_leader.is_some(),
        }
    }

    /// The roles ticked.
    fn chosen(&self) -> Vec<Role> {
        ROLES
            .iter()
            .filter(|(name, _)| self.ticked(name))
            .map(|(_, r)| *r)
            .collect()
    }

    /// The skills typed, split at Latin or Chinese commas.
    fn skill_words(&self) -> Vec<String> {
        self.skills
            .split([',', '，', '、'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    }
}

/// The console's mistakes atop a form.
pub(super) fn summary(c: &Console, errors: &FieldErrors) -> Markup {
    error_summary(c.fix_these, errors)
}

fn role_fields(c: &Console, f: &RoleFields, errors: &FieldErrors) -> Markup {
    let error = errors.iter().find(|(n, _)| *n == "roles").map(|(_, m)| *m);
    html! {
        fieldset.field.has-error[error.is_some()] id="roles" aria-describedby=[described(errors, "roles")] {
            legend { (c.roles) }
            @if let Some(m) = error { p.error id="roles-error" { (m) } }
            @for ((name, _), label) in ROLES.iter().zip(c.role_names) {
                label.check {
                    input type="checkbox" name=(name) checked[f.ticked(name)];
                    " " (label)
                }
            }
        }
        (field(errors, "skills", c.skills_hint, html! {
            input #skills type="text" name="skills" value=(f.skills) aria-describedby=[described(errors, "skills")];
        }))
        div.field {
            label.check {
                input #senior type="checkbox" name="senior" checked[f.senior.is_some()] aria-describedby="senior-hint";
                " " (c.senior)
            }
            p.hint id="senior-hint" { (c.senior_hint) }
        }
    }
}

fn role_words(c: &Console, m: &Member) -> String {
    let r = m.membership.roles();
    [r.admin, r.staff, r.volunteer, r.group_leader]
        .iter()
        .zip(c.role_names)
        .filter(|(on, _)| **on)
        .map(|(_, name)| name.split(['（', ' ']).next().unwrap_or(name))
        .collect::<Vec<_>>()
        .join("、")
}

/// One person as one row of the roster: name, roles, badges and skills in
/// two short lines, the whole row a link to change them (a phone shows a
/// committee's twenty people without a long scroll).
fn person_row(c: &Console, slug: &str, m: &Member) -> Markup {
    html! {
        li {
            // Named by what it shows (the name first): a label that differs
            // from the visible words misleads voice control.
            a href=(format!("/s/{slug}/console/people/{}", m.user.id)) {
                span.name {
                    (m.name())
                    @if let Some(o) = m.other_name() { " " span.other-name lang="en" { (o) } }
                }
                span.meta {
                    (role_words(c, m))
                    @if !m.active() { " " span.badge.pending { (c.invited_badge) } }
                    @if m.membership.senior { " " span.badge.confirmed { (c.senior_badge) } }
                    @if !m.skills.is_empty() { " · " (c.skills_label) (m.skills.join(", ")) }
                }
            }
        }
    }
}

#[derive(Deserialize, Default)]
pub struct InviteForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    other_name: String,
    #[serde(default)]
    language: String,
    #[serde(flatten)]
    roles: RoleFields,
}

async fn list_page(
    state: &web::Data<AppState>,
    user: &PageUser,
    slug: &str,
    done: Option<&str>,
    form: &InviteForm,
    errors: &FieldErrors,
) -> Result<HttpResponse, PageError> {
    let (caller, site) = (user.clone(), slug.to_owned());
    let people = state
        .db
        .read(move |conn| {
            let access = site_access(conn, &site, &caller)?;
            members::roster(conn, &access, LISTED)
        })
        .await
        .map_err(fail(user))?;
    let c = &user.text().console;
    let (invited, joined): (Vec<&Member>, Vec<&Member>) = people.iter().partition(|m| !m.active());
    let done = match done {
        Some("invited") => Some(c.invited_done),
        Some("saved") => Some(c.saved_done),
        Some("removed") => Some(c.removed_done),
        _ => None,
    };
    let language = Language::from_code(if form.language.is_empty() {
        "zh-CN"
    } else {
        &form.language
    });
    let body = html! {
        h1 { (c.people) }
        @if let Some(d) = done { p.notice role="status" { (d) } }
        p { (c.people_intro) }
        // The invitation first, folded on arrival (a plain <details>: no
        // script); open again when it comes back with a mistake.
        details.invite open[!errors.is_empty()] {
            summary { h2 #invite { (c.invite_heading) } }
            (summary(c, errors))
            form.stack method="post" action=(format!("/s/{slug}/console/people")) novalidate {
                input type="hidden" name="csrf" value=(user.csrf);
                (field(errors, "email", c.email, html! {
                    input #email type="email" name="email" value=(form.email) autocomplete="off" required aria-describedby=[described(errors, "email")];
                }))
                (field(errors, "name", c.name, html! {
                    input #name type="text" name="name" value=(form.name) required aria-describedby=[described(errors, "name")];
                }))
                (field(errors, "other_name", c.other_name, html! {
                    input #other_name type="text" name="other_name" value=(form.other_name) aria-describedby=[described(errors, "other_name")];
                }))
                (role_fields(c, &form.roles, errors))
                div.field {
                    label for="language" { (c.language) }
                    select #language name="language" {
                        option value="zh-CN" selected[language == Language::ZhCn] { "中文" }
                        option value="en" selected[language == Language::En] { "English" }
                    }
                }
                button type="submit" { (c.invite) }
            }
        }
        h2 { (c.invited_heading) " (" (invited.len()) ")" }
        @if invited.is_empty() { p { (c.no_one_invited) } }
        ul.roster { @for m in &invited { (person_row(c, slug, m)) } }
        h2 { (c.members_heading) " (" (joined.len()) ")" }
        ul.roster { @for m in &joined { (person_row(c, slug, m)) } }
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(respond(status, page(user, slug, "people", c.people, body)))
}

#[derive(Deserialize)]
pub struct Done {
    done: Option<String>,
}

#[get("/s/{site}/console/people")]
pub async fn list(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<String>,
    q: web::Query<Done>,
) -> Result<HttpResponse, PageError> {
    let slug = path.into_inner();
    let form = InviteForm {
        roles: RoleFields {
            role_staff: Some("on".to_owned()),
            ..RoleFields::default()
        },
        ..InviteForm::default()
    };
    list_page(&state, &user, &slug, q.done.as_deref(), &form, &Vec::new()).await
}

/// A workflow's refusal that belongs next to a field, in her words.
fn refusal_words(c: &Console, e: &ApiError) -> Option<(&'static str, &'static str)> {
    match e.extension("rule").and_then(|r| r.as_str()) {
        Some("already_member") => return Some(("email", c.err_already)),
        Some("last_admin") => return Some(("roles", c.err_last_admin)),
        _ => {}
    }
    e.fields().first().map(|f| field_words(c, &f.field))
}

/// Each field the members workflow refused, once, in the secretary's words.
fn words_of(c: &Console, invalid: &Invalid) -> FieldErrors {
    let mut errors: FieldErrors = Vec::new();
    for bad in &invalid.fields {
        let err = field_words(c, &bad.field);
        if !errors.contains(&err) {
            errors.push(err);
        }
    }
    errors
}

/// A field the members workflow named (`skills[2]`, ...) and what is wrong
/// with it in the secretary's words.
fn field_words(c: &Console, field: &str) -> (&'static str, &'static str) {
    match field.split('[').next().unwrap_or(field) {
        "email" => ("email", c.err_email),
        "name" => ("name", c.err_name),
        "other_name" => ("other_name", c.err_other_name),
        "skills" => ("skills", c.err_skills),
        _ => ("roles", c.err_roles),
    }
}

#[post("/s/{site}/console/people")]
pub async fn invite(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<String>,
    f: web::Form<InviteForm>,
) -> Result<HttpResponse, PageError> {
    user.check(&f.csrf)?;
    let slug = path.into_inner();
    let f = f.into_inner();
    let c = &user.text().console;
    let (roles, skills) = (f.roles.chosen(), f.roles.skill_words());
    let typed = Typed {
        email: &f.email,
        name: &f.name,
        other_name: Some(f.other_name.trim()).filter(|o| !o.is_empty()),
        roles: &roles,
        skills: &skills,
        senior: f.roles.senior.is_some(),
        language: Language::from_code(&f.language),
    };
    let new = match NewMember::parse(typed) {
        Ok(new) => new,
        Err(invalid) => {
            let errors = words_of(c, &invalid);
            return list_page(&state, &user, &slug, None, &f, &errors).await;
        }
    };
    let (caller, site, notifier, now) = (
        user.clone(),
        slug.clone(),
        state.notifier.clone(),
        clock::now_naive(),
    );
    let added = state
        .db
        .write(move |conn| {
            let access = site_access(conn, &site, &caller)?;
            members::add(conn, &access, new, &notifier, now).map(|_| ())
        })
        .await;
    match added {
        Ok(()) => Ok(see_other(&format!("/s/{slug}/console/people?done=invited"))),
        Err(e) => match refusal_words(c, &e) {
            Some(err) => list_page(&state, &user, &slug, None, &f, &vec![err]).await,
            None => Err(fail(&user)(e)),
        },
    }
}

/// One member or invited person of the site, as its admin sees them.
async fn one_person(
    state: &web::Data<AppState>,
    user: &PageUser,
    slug: &str,
    id: i64,
) -> Result<Member, PageError> {
    let (caller, site) = (user.clone(), slug.to_owned());
    state
        .db
        .read(move |conn| {
            let access = site_access(conn, &site, &caller)?;
            members::for_editing(conn, &access, id)
        })
        .await
        .map_err(fail(user))
}

async fn member_page(
    state: &web::Data<AppState>,
    user: &PageUser,
    slug: &str,
    id: i64,
    form: Option<&RoleFields>,
    errors: &FieldErrors,
) -> Result<HttpResponse, PageError> {
    let m = one_person(state, user, slug, id).await?;
    let c = &user.text().console;
    let current = RoleFields::of(&m);
    let shown = form.unwrap_or(&current);
    let body = html! {
        p { a href=(format!("/s/{slug}/console/people")) { "‹ " (c.people) } }
        h1 {
            (m.name())
            @if let Some(o) = m.other_name() { " " span.other-name lang="en" { (o) } }
        }
        p { (m.user.email) @if !m.active() { " " span.badge.pending { (c.invited_badge) } } }
        (summary(c, errors))
        form.stack method="post" action=(format!("/s/{slug}/console/people/{id}")) novalidate {
            input type="hidden" name="csrf" value=(user.csrf);
            (role_fields(c, shown, errors))
            button type="submit" { (c.save) }
        }
        p { a.button.secondary href=(format!("/s/{slug}/console/people/{id}/remove")) { (c.remove) } }
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(respond(status, page(user, slug, "people", m.name(), body)))
}

#[get("/s/{site}/console/people/{id}")]
pub async fn show(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, PageError> {
    let (slug, id) = path.into_inner();
    member_page(&state, &user, &slug, id, None, &Vec::new()).await
}

#[derive(Deserialize)]
pub struct ChangeForm {
    #[serde(default)]
    csrf: String,
    #[serde(flatten)]
    roles: RoleFields,
}

#[post("/s/{site}/console/people/{id}")]
pub async fn save(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<(String, i64)>,
    f: web::Form<ChangeForm>,
) -> Result<HttpResponse, PageError> {
    user.check(&f.csrf)?;
    let (slug, id) = path.into_inner();
    let f = f.into_inner();
    let c = &user.text().console;
    let (roles, skills) = (f.roles.chosen(), f.roles.skill_words());
    let change = match MemberChange::parse(Some(&roles), Some(&skills), Some(f.roles.senior.is_some()), None)
    {
        Ok(change) => change,
        Err(invalid) => {
            let errors = words_of(c, &invalid);
            return member_page(&state, &user, &slug, id, Some(&f.roles), &errors).await;
        }
    };
    let (caller, site) = (user.clone(), slug.clone());
    let saved = state
        .db
        .write(move |conn| {
            let access = site_access(conn, &site, &caller)?;
            members::change(conn, &access, id, change).map(|_| ())
        })
        .await;
    match saved {
        Ok(()) => Ok(see_other(&format!("/s/{slug}/console/people?done=saved"))),
        Err(e) => match refusal_words(c, &e) {
            Some(err) => member_page(&state, &user, &slug, id, Some(&f.roles), &vec![err]).await,
            None => Err(fail(&user)(e)),
        },
    }
}

/// Removing asks once, naming what will happen.
#[get("/s/{site}/console/people/{id}/remove")]
pub async fn remove_form(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, PageError> {
    let (slug, id) = path.into_inner();
    let m = one_person(&state, &user, &slug, id).await?;
    let c = &user.text().console;
    let body = html! {
        h1 { (c.remove_confirm) }
        p.card { strong { (m.name()) } " · " (m.user.email) }
        p { (c.remove_warning) }
        form method="post" action=(format!("/s/{slug}/console/people/{id}/remove")) {
            input type="hidden" name="csrf" value=(user.csrf);
            button.danger type="submit" { (c.remove) }
        }
        p { a.button.secondary href=(format!("/s/{slug}/console/people/{id}")) { (c.keep) } }
    };
    Ok(respond(
        StatusCode::OK,
        page(&user, &slug, "people", c.remove_confirm, body),
    ))
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

#[post("/s/{site}/console/people/{id}/remove")]
pub async fn remove(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<(String, i64)>,
    f: web::Form<CsrfOnly>,
) -> Result<HttpResponse, PageError> {
    user.check(&f.csrf)?;
    let (slug, id) = path.into_inner();
    let (caller, site, now) = (user.clone(), slug.clone(), clock::now_naive());
    let removed = state
        .db
        .write(move |conn| {
            let access = site_access(conn, &site, &caller)?;
            members::remove(conn, &access, id, now)
        })
        .await;
    let c = &user.text().console;
    match removed {
        Ok(()) => Ok(see_other(&format!("/s/{slug}/console/people?done=removed"))),
        Err(e) => match refusal_words(c, &e) {
            Some(err) => member_page(&state, &user, &slug, id, None, &vec![err]).await,
            None => Err(fail(&user)(e)),
        },
    }
}
