//! Making a booking: parse the request, call the create workflow, answer.

use actix_web::{HttpRequest, HttpResponse, post, web};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::*;
use crate::api::json::{self, JsonBytes};
use crate::auth::Bearer;
use crate::clock;
use crate::domain::Invalid;
use crate::domain::booking::{self, Urgency};
use crate::domain::booking::{BookingRequest, OnConflict, Target};
use crate::domain::interval::Interval;
use crate::domain::recurrence::RecurrenceInput;
use crate::domain::resource::pool_name;
use crate::domain::window::Instant;
use crate::errors::ApiError;
use crate::state::AppState;
use crate::store::access::{SiteAccess, site_access_in_session};
use crate::workflows::bookings::create::{IdempotencyKey, create_once};
use crate::workflows::bookings::{Outcome, Skipped};
use crate::workflows::priority::DisplacedView;

#[derive(Clone, Copy, Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OnConflictInput {
    /// All or nothing (default).
    Fail,
    /// For a series: book the free dates, list the others.
    Skip,
    /// Wait in line (202) until the time frees up, up to `latest_start`.
    Waitlist,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewBookingInput {
    /// The resource to book; or give `pool`.
    pub resource_id: Option<i64>,
    /// Book any free member of this pool ("computers"); the answer says which.
    pub pool: Option<String>,
    /// RFC 3339 with offset, e.g. `2026-11-23T15:30:00+08:00`.
    #[schema(value_type = String, format = DateTime)]
    pub starts_at: Instant,
    /// Exclusive: a booking to 10:00 and one from 10:00 do not overlap.
    #[schema(value_type = String, format = DateTime)]
    pub ends_at: Instant,
    /// What the time is for.
    pub purpose: String,
    /// `routine` (default), `priority`, `urgent` or `emergency`.
    pub urgency: Option<Urgency>,
    /// Required above `routine`.
    pub reason: Option<String>,
    /// People expected (rooms).
    pub headcount: Option<i64>,
    /// Book for an interest group (its leader or an admin).
    pub group_id: Option<i64>,
    /// `{"weekly": {"count": N}}` or `{"weekly": {"until": "YYYY-MM-DD"}}`.
    pub recurrence: Option<RecurrenceInput>,
    /// `fail` (default: all or nothing), `skip` (a series: book the free
    /// dates, list the others) or `waitlist` (nothing free: wait in line, 202).
    pub on_conflict: Option<OnConflictInput>,
    /// May be moved later the same day if more urgent work needs the slot.
    pub flexible: Option<bool>,
    /// With `on_conflict: waitlist`: the latest acceptable start (default:
    /// `starts_at`); the booking may start anywhere up to it.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub latest_start: Option<Instant>,
}

impl NewBookingInput {
    pub fn parse(&self) -> Result<BookingRequest, Invalid> {
        let mut invalid = Invalid::default();
        let target = match (&self.resource_id, &self.pool) {
            (Some(id), None) => Some(Target::Resource(*id)),
            (None, Some(p)) => invalid.collect(pool_name(p)).map(Target::Pool),
            _ => {
                invalid.push("resource_id", "give either resource_id or pool");
                None
            }
        };
        let slot = invalid.collect(Interval::new(self.starts_at.utc(), self.ends_at.utc()));
        let purpose = invalid.collect(booking::purpose(&self.purpose));
        let urgency = self.urgency.unwrap_or_default();
        let reason = invalid.collect(booking::check_reason(urgency, self.reason.as_deref()));
        let headcount = match self.headcount {
            Some(h) => invalid.collect(booking::headcount(h)).map(Some),
            None => Some(None),
        };
        let recurrence = match &self.recurrence {
            Some(r) => invalid.collect(r.parse()).map(Some),
            None => Some(None),
        };
        invalid.into_result()?;
        Ok(BookingRequest {
            target: target.expect("checked"),
            slot: slot.expect("checked"),
            purpose: purpose.expect("checked"),
            urgency,
            reason: reason.flatten(),
            headcount: headcount.flatten(),
            group_id: self.group_id,
            recurrence: recurrence.flatten(),
            on_conflict: match self.on_conflict {
                Some(OnConflictInput::Skip) => OnConflict::Skip,
                Some(OnConflictInput::Waitlist) => OnConflict::Waitlist,
                _ => OnConflict::Fail,
            },
            flexible: self.flexible.unwrap_or(false),
            latest_start: self.latest_start.map(Instant::utc),
        })
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CreatedView {
    #[serde(flatten)]
    pub booking: BookingView,
    /// For a series: every occurrence booked, the first included.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub occurrences: Option<Vec<BookingView>>,
    /// For a series with `on_conflict: skip`: the dates left out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skipped: Option<Vec<Skipped>>,
    /// Bookings of lower urgency that gave way, and where they went.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub displaced: Option<Vec<DisplacedView>>,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CreateQuery {
    /// Answer what would happen (who would move where) and change nothing.
    pub dry_run: Option<bool>,
}

fn idempotency_key(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(value) = req.headers().get("Idempotency-Key") else {
        return Ok(None);
    };
    let key = value.to_str().unwrap_or("").trim().to_owned();
    let ok = !key.is_empty() && key.len() <= 200 && key.bytes().all(|b| (0x21..0x7f).contains(&b));
    if ok {
        Ok(Some(key))
    } else {
        Err(ApiError::invalid(
            "Idempotency-Key",
            "must be 1 to 200 visible ASCII characters",
        ))
    }
}

/// The answer to a booking request: 201 with what was booked, or 202 with
/// the waiting request.
fn created_response(
    access: &SiteAccess,
    owner: &str,
    outcome: Outcome,
) -> Result<(u16, serde_json::Value), ApiError> {
    match outcome {
        Outcome::Created(created) => {
            let views: Vec<BookingView> = created
                .bookings
                .iter()
                .map(|b| view(access, b, Some(owner), None))
                .collect();
            let first = views
                .first()
                .cloned()
                .ok_or_else(|| ApiError::conflict("Nothing could be booked."))?;
            let response = CreatedView {
                booking: first,
                occurrences: created.series_id.map(|_| views.clone()),
                skipped: created.series_id.map(|_| created.skipped),
                displaced: (!created.displaced.is_empty()).then_some(created.displaced),
            };
            Ok((201, serde_json::to_value(&response).map_err(ApiError::internal)?))
        }
        Outcome::Waitlisted { entry, place } => Ok((
            202,
            serde_json::to_value(waitlist_view(&entry, Some(place))).map_err(ApiError::internal)?,
        )),
    }
}

/// Books a resource, or any free member of a pool, once or weekly.
#[utoipa::path(
    tag = "bookings",
    security(("bearer" = [])),
    params(
        ("site" = String, Path, description = "The site's slug"),
        ("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key and body get the first answer; a key belongs to the caller at this site"),
        CreateQuery,
    ),
    request_body = NewBookingInput,
    responses(
        (status = 201, body = CreatedView),
        (status = 200, description = "Dry run: what would happen; nothing changed"),
        (status = 202, description = "Nothing free: queued on the waitlist", body = WaitlistView),
        (status = 403, content_type = "application/problem+json"),
        (status = 404, content_type = "application/problem+json"),
        (status = 409, description = "Taken: `conflicts` lists what is in the way", content_type = "application/problem+json"),
        (status = 422, description = "Invalid, or breaks a rule (`rule` names it)", content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/sites/{site}/bookings")]
pub async fn create_booking(
    state: web::Data<AppState>,
    bearer: Bearer,
    path: web::Path<String>,
    query: crate::api::query::ApiQuery<CreateQuery>,
    req: HttpRequest,
    body: JsonBytes,
) -> Result<HttpResponse, ApiError> {
    let slug = path.into_inner();
    let key = idempotency_key(&req)?;
    let input: NewBookingInput = json::parse(&body.0)?;
    // Only a retry with a key is compared with its first request; without a
    // key there is nothing to hash.
    let request_hash = match &key {
        Some(_) => {
            let canonical: serde_json::Value = json::parse(&body.0)?;
            hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
        }
        None => String::new(),
    };
    let request = input.parse().map_err(|invalid| {
        // A missing reason is a rule of urgency, named like the others.
        let missing_reason = invalid.fields.iter().any(|f| f.field == "reason");
        let err = ApiError::from(invalid);
        if missing_reason {
            err.retype(crate::errors::ProblemType::BookingRule)
                .with("rule", booking::Rule::ReasonRequired)
                .with(
                    "violations",
                    [booking::Violation {
                        rule: booking::Rule::ReasonRequired,
                        message: "Say why: a reason is required above routine.".to_owned(),
                    }],
                )
        } else {
            err
        }
    })?;
    let now = clock::now();
    let notifier = state.notifier.clone();
    let dry_run = query.into_inner().dry_run.unwrap_or(false);
    // A dry run is never stored: it changes nothing, so a retry may differ.
    let key = key
        .filter(|_| !dry_run)
        .map(|key| IdempotencyKey { key, request_hash });
    let run = move |conn: &mut crate::db::DbConn| {
        // The session is checked here, in the statement that reads the
        // site: a booking makes one trip to the database's writer, not two.
        let (access, user) = site_access_in_session(conn, &slug, &bearer)?;
        let tz = access.site.tz();
        create_once(
            conn,
            &access,
            key.as_ref(),
            &request,
            &notifier,
            now,
            |_, outcome| {
                let (status, mut response) = created_response(&access, &user.name, outcome)?;
                // Rendered here, once, as it is kept for a retry.
                crate::api::views::localise(access.site.tz(), &mut response);
                if !dry_run {
                    return Ok((status, response.to_string()));
                }
                if let serde_json::Value::Object(map) = &mut response {
                    map.insert("dry_run".into(), true.into());
                    map.insert("would_status".into(), status.into());
                }
                Ok((200u16, response.to_string()))
            },
        )
        .map_err(|e| e.in_site_time(tz))
    };
    let answer = if dry_run {
        state.db.rehearse(run).await?
    } else {
        state.db.write(run).await?
    };
    let (status, body, replayed) = (answer.status, answer.body, answer.replayed);
    let mut res = HttpResponse::build(
        actix_web::http::StatusCode::from_u16(status).unwrap_or(actix_web::http::StatusCode::CREATED),
    );
    if replayed {
        res.insert_header(("Idempotent-Replayed", "true"));
    }
    Ok(res.content_type("application/json").body(body))
}
