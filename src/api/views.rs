//! Small conversions shared by the response types.

use chrono::{DateTime, NaiveDateTime, Utc};

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
