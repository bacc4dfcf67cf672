//! Booking a room: the form (prefilled from the free cell she picked),
//! the preview of every date with the ones that clash named (the booking
//! workflow rehearsed, nothing kept), then booking the free dates. Errors
//! come back next to the field they concern, in her words.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use maud::{Markup, html};
use serde::Deserialize;

use super::{fail, parse_date};
use crate::clock;
use crate::domain::booking::{self, BookingRequest, OnConflict, Target, Urgency};
use crate::domain::interval::Interval;
use crate::domain::local_time::{at_minutes, format_clock, parse_clock, resolve};
use crate::domain::recurrence::{MAX_OCCURRENCES, Recurrence};
use crate::errors::{ApiError, ProblemType};
use crate::pages::frame::{self, Nav, described, error_summary, field, layout, respond, see_other};
use crate::pages::session::{PageError, PageUser};
use crate::pages::text::rule;
use crate::state::AppState;
use crate::store::access::site_access;
use crate::workflows::bookings::create;
use crate::workflows::room_series::{self, Preview};

use super::preview::preview_page;
use crate::workflows::room_week::{self, Choices};

/// The form as sent: kept as text, so a refused form comes back as typed.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct RoomForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    pub(super) date: String,
    #[serde(default)]
    pub(super) start: String,
    #[serde(default)]
    pub(super) end: String,
    #[serde(default)]
    pub(super) purpose: String,
    #[serde(default)]
    pub(super) group: String,
    #[serde(default)]
    pub(super) headcount: String,
    /// `once`, `count` or `until`.
    #[serde(default)]
    pub(super) repeat: String,
    #[serde(default)]
    pub(super) count: String,
    #[serde(default)]
    pub(super) until: String,
    /// `preview` (the first submit), `book`, or `edit` (back to the form).
    #[serde(default)]
    step: String,
    /// Book the free dates and leave out those that clash.
    #[serde(default)]
    skip: String,
}

/// A field and what is wrong with it, in her words (a refusal's own words kept).
type FieldErrors = frame::FieldErrors<String>;

impl RoomForm {
    /// Her request as the booking workflow takes it, or what to fix.
    fn request(
        &self,
        user: &PageUser,
        tz: chrono_tz::Tz,
        c: &Choices,
    ) -> Result<BookingRequest, FieldErrors> {
        let r = &user.text().rooms;
        let mut errors: FieldErrors = Vec::new();
        let date = parse_date(Some(&self.date));
        if date.is_none() {
            errors.push(("date", r.err_date.to_owned()));
        }
        let (start, end) = (
            parse_clock("start", &self.start).ok(),
            parse_clock("end", &self.end).ok(),
        );
        match (start, end) {
            (None, _) => errors.push(("start", r.err_time.to_owned())),
            (_, None) => errors.push(("end", r.err_time.to_owned())),
            (Some(s), Some(e)) if e <= s => errors.push(("end", r.err_end_after.to_owned())),
            _ => {}
        }
        let purpose = booking::purpose(&self.purpose).ok();
        if purpose.is_none() {
            errors.push(("purpose", r.err_purpose.to_owned()));
        }
        let headcount = match self.headcount.trim() {
            "" => Some(None),
            h => h
                .parse::<i64>()
                .ok()
                .and_then(|h| booking::headcount(h).ok())
                .map(Some),
        };
        if headcount.is_none() {
            errors.push(("headcount", r.err_headcount.to_owned()));
        }
        let group_id = match self.group.trim() {
            "" => Some(None),
            g => g
                .parse::<i64>()
                .ok()
                .filter(|id| c.groups.iter().any(|g| g.id == *id))
                .map(Some),
        };
        if group_id.is_none() {
            errors.push(("group", r.err_group.to_owned()));
        }
        let recurrence = match self.repeat.as_str() {
            "count" => match self.count.trim().parse::<u32>() {
                Ok(n) if (2..=MAX_OCCURRENCES).contains(&n) => Some(Some(Recurrence::weekly_count(n))),
                _ => None,
            },
            "until" => match (parse_date(Some(&self.until)), date) {
                (Some(u), Some(d)) if u >= d && (u - d).num_days() / 7 < i64::from(MAX_OCCURRENCES) => {
                    Some(Some(Recurrence::weekly_until(u)))
                }
                (_, None) => Some(None),
                _ => None,
            },
            _ => Some(None),
        };
        if recurrence.is_none() {
            let field = if self.repeat == "count" { "count" } else { "until" };
            let words = if self.repeat == "count" {
                r.err_count
            } else {
                r.err_until
            };
            errors.push((field, words.to_owned()));
        }
        let slot = match (date, start, end) {
            (Some(d), Some(s), Some(e)) if e > s => {
                match (resolve(tz, at_minutes(d, s)), resolve(tz, at_minutes(d, e))) {
                    (Some(a), Some(b)) => Some(Interval::of(a, b)),
                    _ => {
                        errors.push(("start", r.err_no_such_time.to_owned()));
                        None
                    }
                }
            }
            _ => None,
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(BookingRequest {
            target: Target::Resource(c.room.id),
            slot: slot.expect("checked"),
            purpose: purpose.expect("checked"),
            urgency: Urgency::Routine,
            reason: None,
            headcount: headcount.flatten(),
            group_id: group_id.flatten(),
            recurrence: recurrence.flatten(),
            on_conflict: if self.skip == "1" {
                OnConflict::Skip
            } else {
                OnConflict::Fail
            },
            flexible: false,
            latest_start: None,
        })
    }
}

/// The field a broken booking rule concerns.
fn field_of_rule(code: &str) -> &'static str {
    match code {
        "outside_opening_hours" | "blackout" | "granularity" => "start",
        "too_short" | "too_long" => "end",
        "in_the_past" | "too_late" | "too_far_ahead" => "date",
        "over_capacity" => "headcount",
        _ => "",
    }
}

/// A workflow's refusal, next to its field in her words; `""` is the form
/// as a whole.
fn refusal(user: &PageUser, e: &ApiError) -> FieldErrors {
    let r = &user.text().rooms;
    if e.kind() == ProblemType::Forbidden {
        return vec![("group", r.err_group.to_owned())];
    }
    if e.extension("conflicts").is_some() {
        return vec![("start", r.taken_now.to_owned())];
    }
    if let Some(code) = e.extension("rule").and_then(|v| v.as_str()) {
        let words = r
            .rule(code)
            .or_else(|| rule(user.language, code))
            .map(str::to_owned)
            .unwrap_or_else(|| e.detail().to_owned());
        return vec![(field_of_rule(code), words)];
    }
    if e.detail().starts_with("recurrence") {
        return vec![("until", r.err_until.to_owned())];
    }
    vec![("", e.detail().to_owned())]
}

fn times(selected: &str, options: &[u32]) -> Markup {
    html! {
        @for m in options {
            @let v = format_clock(*m);
            option value=(v) selected[v == selected] { (v) }
        }
    }
}

fn form_page(user: &PageUser, slug: &str, c: &Choices, f: &RoomForm, errors: &FieldErrors) -> Markup {
    let t = user.text();
    let r = &t.rooms;
    let action = format!("/s/{slug}/rooms/{}/book", c.room.id);
    let repeat = match f.repeat.as_str() {
        "count" | "until" => f.repeat.as_str(),
        _ => "once",
    };
    let whole: Vec<&String> = errors
        .iter()
        .filter(|(f, _)| f.is_empty())
        .map(|(_, m)| m)
        .collect();
    html! {
        p { a href=(format!("/s/{slug}/rooms?room={}&week={}#week", c.room.id, f.date)) { "‹ " (t.back) } }
        h1 { (r.when_question(&c.room.name)) }
        @if c.room.rules().requires_approval { p.notice { (r.pending_note) } }
        (error_summary(r.errors_title, errors))
        @for m in whole { p.error { (m) } }
        form.stack.room-form method="post" action=(action) novalidate {
            input type="hidden" name="csrf" value=(user.csrf);
            input type="hidden" name="step" value="preview";
            (field(errors, "date", r.date, html! {
                input #date name="date" type="date" value=(f.date) required aria-describedby=[described(errors, "date")];
            }))
            div.times {
                (field(errors, "start", r.start, html! {
                    select #start name="start" aria-describedby=[described(errors, "start")] { (times(&f.start, &c.starts)) }
                }))
                (field(errors, "end", r.end, html! {
                    select #end name="end" aria-describedby=[described(errors, "end")] { (times(&f.end, &c.ends)) }
                }))
            }
            (field(errors, "purpose", r.purpose, html! {
                p.hint #purpose-hint { (r.purpose_hint) }
                input #purpose name="purpose" type="text" value=(f.purpose) maxlength="200" required
                    aria-describedby=(match described(errors, "purpose") { Some(e) => format!("purpose-hint {e}"), None => "purpose-hint".to_owned() });
            }))
            @if !c.groups.is_empty() {
                (field(errors, "group", r.group, html! {
                    select #group name="group" aria-describedby=[described(errors, "group")] {
                        @for g in &c.groups {
                            option value=(g.id) selected[f.group == g.id.to_string()] { (g.name) }
                        }
                        option value="" selected[f.group.is_empty()] { (r.no_group) }
                    }
                }))
            }
            (field(errors, "headcount", r.headcount, html! {
                input #headcount name="headcount" type="number" inputmode="numeric" min="1"
                    max=[c.room.capacity] value=(f.headcount) aria-describedby=[described(errors, "headcount")];
            }))
            fieldset {
                legend { (r.repeat) }
                div.choices {
                    label { input type="radio" name="repeat" value="once" checked[repeat == "once"]; (r.once) }
                    label { input type="radio" name="repeat" value="count" checked[repeat == "count"]; (r.weekly_count) }
                    (field(errors, "count", r.count, html! {
                        input #count name="count" type="number" inputmode="numeric" min="2" max="52" value=(f.count)
                            aria-describedby=[described(errors, "count")];
                    }))
                    label { input type="radio" name="repeat" value="until" checked[repeat == "until"]; (r.weekly_until) }
                    (field(errors, "until", r.until, html! {
                        input #until name="until" type="date" value=(f.until) aria-describedby=[described(errors, "until")];
                    }))
                }
            }
            p { button type="submit" { (r.see_dates) } }
        }
    }
}

fn show_form(user: &PageUser, slug: &str, c: &Choices, f: &RoomForm, errors: &FieldErrors) -> HttpResponse {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let t = user.text();
    respond(
        status,
        layout(
            t,
            &c.room.name,
            &Nav::of(user, Some(slug)),
            form_page(user, slug, c, f, errors),
        ),
    )
}

#[derive(Deserialize)]
pub struct Prefill {
    date: Option<String>,
    start: Option<String>,
}

/// The booking form, prefilled from the cell she picked.
#[get("/s/{site}/rooms/{id}/book")]
pub async fn book_form(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<(String, i64)>,
    q: web::Query<Prefill>,
) -> Result<HttpResponse, PageError> {
    let (slug, id) = path.into_inner();
    let (caller, site, now) = (user.clone(), slug.clone(), clock::now());
    let (tz, c) = state
        .db
        .read(move |conn| {
            let access = site_access(conn, &site, &caller)?;
            Ok((access.site.tz(), room_week::choices(conn, &access, id)?))
        })
        .await
        .map_err(fail(&user))?;
    let q = q.into_inner();
    let date = parse_date(q.date.as_deref())
        .unwrap_or_else(|| crate::domain::local_time::local_date(tz, now))
        .to_string();
    let start = q
        .start
        .as_deref()
        .and_then(|s| parse_clock("start", s).ok())
        .filter(|m| c.starts.contains(m))
        .or_else(|| c.starts.first().copied())
        .unwrap_or(9 * 60);
    // An hour by default, or the nearest end the room offers.
    let end = c
        .ends
        .iter()
        .copied()
        .find(|e| *e >= start + 60)
        .or_else(|| c.ends.last().copied())
        .unwrap_or(start + 60);
    let f = RoomForm {
        date,
        start: format_clock(start),
        end: format_clock(end),
        group: c.groups.first().map(|g| g.id.to_string()).unwrap_or_default(),
        repeat: "once".to_owned(),
        ..RoomForm::default()
    };
    Ok(show_form(&user, &slug, &c, &f, &Vec::new()))
}

/// What one submit came to.
enum Answer {
    Form(Choices, FieldErrors),
    Preview(Choices, Preview),
    Booked { pending: bool },
}

/// The form's submits: `preview` rehearses the request and lists the
/// dates; `book` books (skipping the clashing dates when she chose so);
/// `edit` shows the form again as she filled it.
#[post("/s/{site}/rooms/{id}/book")]
pub async fn submit(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<(String, i64)>,
    f: web::Form<RoomForm>,
) -> Result<HttpResponse, PageError> {
    user.check(&f.csrf)?;
    let (slug, id) = path.into_inner();
    let f = f.into_inner();
    let (caller, site, now, notifier) = (user.clone(), slug.clone(), clock::now(), state.notifier.clone());
    let (form, step) = (f.clone(), f.step.clone());
    let run = move |conn: &mut crate::db::DbConn| -> Result<Answer, ApiError> {
        let access = site_access(conn, &site, &caller)?;
        let c = room_week::choices(conn, &access, id)?;
        if step == "edit" {
            return Ok(Answer::Form(c, Vec::new()));
        }
        let req = match form.request(&caller, access.site.tz(), &c) {
            Ok(req) => req,
            Err(errors) => return Ok(Answer::Form(c, errors)),
        };
        if step == "book" {
            return match create(conn, &access, &req, &notifier, now) {
                Ok(crate::workflows::bookings::Outcome::Created(made)) => Ok(Answer::Booked {
                    pending: made
                        .bookings
                        .iter()
                        .any(|b| b.status() == crate::domain::booking::BookingStatus::Pending),
                }),
                Ok(_) => Ok(Answer::Form(c, Vec::new())),
                Err(e) if e.kind() == ProblemType::NotFound => Err(e),
                // Someone took a date meanwhile: the caller shows the dates again.
                Err(e) if e.extension("conflicts").is_some() => Err(e),
                Err(e) => Ok(Answer::Form(c, refusal(&caller, &e))),
            };
        }
        match room_series::preview(conn, &access, &req, &notifier, now) {
            Ok(p) => Ok(Answer::Preview(c, p)),
            Err(e) if e.kind() == ProblemType::NotFound => Err(e),
            Err(e) => Ok(Answer::Form(c, refusal(&caller, &e))),
        }
    };
    let answer = if f.step == "book" {
        match state.db.write(run).await {
            Err(e) if e.extension("conflicts").is_some() => {
                // Taken since her preview: the same request, previewed again.
                let mut again = f.clone();
                again.step = "preview".to_owned();
                return submit_again(state, user, slug, id, again).await;
            }
            other => other,
        }
    } else {
        // A preview is the booking itself, rolled back: nothing is kept.
        state.db.rehearse(run).await
    };
    match answer.map_err(fail(&user))? {
        Answer::Form(c, errors) => Ok(show_form(&user, &slug, &c, &f, &errors)),
        Answer::Preview(c, p) => Ok(preview_page(&user, &slug, &c, &f, &p, false)),
        Answer::Booked { pending } => Ok(see_other(&format!(
            "/s/{slug}/rooms/mine?done={}",
            if pending { "pending" } else { "booked" }
        ))),
    }
}

/// The preview again after a date was taken between her preview and her
/// booking, saying so.
async fn submit_again(
    state: web::Data<AppState>,
    user: PageUser,
    slug: String,
    id: i64,
    f: RoomForm,
) -> Result<HttpResponse, PageError> {
    let (caller, site, now, notifier) = (user.clone(), slug.clone(), clock::now(), state.notifier.clone());
    let form = f.clone();
    let (c, p) = state
        .db
        .rehearse(move |conn| {
            let access = site_access(conn, &site, &caller)?;
            let c = room_week::choices(conn, &access, id)?;
            let req = form
                .request(&caller, access.site.tz(), &c)
                .map_err(|_| ApiError::invalid("form", "changed"))?;
            let p = room_series::preview(conn, &access, &req, &notifier, now)?;
            Ok((c, p))
        })
        .await
        .map_err(fail(&user))?;
    Ok(preview_page(&user, &slug, &c, &f, &p, true))
}
