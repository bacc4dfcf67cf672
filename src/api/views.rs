//! Small conversions shared by the response types.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use chrono::{DateTime, NaiveDateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use serde_json::Value;

use crate::errors::ApiError;

/// A stored instant (naive UTC) as an RFC 3339 UTC timestamp.
pub fn utc(naive: NaiveDateTime) -> DateTime<Utc> {
    naive.and_utc()
}

/// An iCalendar body as a `text/calendar` response.
pub fn calendar_response(body: String) -> actix_web::HttpResponse {
    actix_web::HttpResponse::Ok()
        .content_type("text/calendar; charset=utf-8")
        .body(body)
}

/// An instant as a site's people read it: RFC 3339 with the site's offset
/// (`2026-12-07T09:00:00+08:00`), the same instant as its UTC form.
pub fn site_time(tz: Tz, t: DateTime<Utc>) -> String {
    t.with_timezone(&tz).fixed_offset().to_rfc3339()
}

/// Whether a member of a response names an instant: the schema's own
/// names (`starts_at`, `created_at`, `at`, `latest_start`, `member_since`),
/// never a member holding people's words.
fn names_an_instant(key: &str) -> bool {
    key.ends_with("_at") || matches!(key, "at" | "latest_start" | "member_since")
}

/// Rewrites every instant in `value` to the site's offset. Instants stay
/// UTC everywhere inside (stored, compared, in the views the workflows
/// make); the offset is presentation, so it is applied once, as a
/// site-scoped response is rendered, and every nested view (a booking, the
/// bookings in its way, where a displaced one went) agrees.
pub fn localise(tz: Tz, value: &mut Value) {
    match value {
        Value::Object(members) => {
            for (key, member) in members.iter_mut() {
                match member {
                    Value::String(s) if names_an_instant(key) => {
                        if let Ok(t) = DateTime::parse_from_rfc3339(s) {
                            *s = site_time(tz, t.to_utc());
                        }
                    }
                    _ => localise(tz, member),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| localise(tz, v)),
        _ => {}
    }
}

/// `body` as JSON text with its instants in the site's offset.
pub fn site_json_text(tz: Tz, body: &impl Serialize) -> Result<String, ApiError> {
    let mut value = serde_json::to_value(body).map_err(ApiError::internal)?;
    localise(tz, &mut value);
    Ok(value.to_string())
}

/// A JSON response of a site-scoped route: instants in the site's offset.
pub fn site_json(status: StatusCode, tz: Tz, body: &impl Serialize) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::build(status)
        .content_type("application/json")
        .body(site_json_text(tz, body)?))
}
