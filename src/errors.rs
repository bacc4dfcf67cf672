//! Errors as the API shows them: `application/problem+json` (RFC 9457).
//!
//! # Policy
//! - Every failure a client can cause is a 4xx with a stable `type`
//!   (`/problems/<name>`, listed in [`ProblemType`]), a `title` that never
//!   changes for that type, and a `detail` written for the person in front of
//!   the screen. Validation failures also carry `errors: [{field, message}]`.
//!   Clients branch on `type`, never on `detail`.
//! - Bad input changes nothing: handlers validate before they write, and
//!   every write runs in one transaction that an error rolls back.
//! - Objects of a site the caller does not belong to are answered with 404,
//!   not 403, so ids of other sites cannot be probed.
//! - Nothing internal leaks: a 500 says only that something went wrong and
//!   carries the `request_id` under which the cause was logged.
//! - A database that is briefly unreachable or busy is a 503 with
//!   `Retry-After`, never a hang or a 500.
//! - Constraint violations the database enforces (unique keys, booking
//!   overlap) are mapped to 409 here, in one place, for both backends. Any
//!   other refusal of a value (a CHECK, a foreign key, a year or a byte the
//!   database cannot hold) is a 409 or 422 too, and logged as an error: the
//!   input caused it, and a validation should have caught it first.

use std::fmt;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::domain::Invalid;
use crate::request_id;

/// The stable problem types. The string is part of the public contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProblemType {
    MalformedRequest,
    Validation,
    Unauthorized,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    Conflict,
    BookingRule,
    PayloadTooLarge,
    UnsupportedMediaType,
    TooManyRequests,
    ServiceUnavailable,
    Internal,
    /// The body did not arrive within the body timeout (`slow_body`).
    RequestTimeout,
}

impl ProblemType {
    pub fn slug(self) -> &'static str {
        match self {
            ProblemType::MalformedRequest => "malformed-request",
            ProblemType::Validation => "validation",
            ProblemType::Unauthorized => "unauthorized",
            ProblemType::Forbidden => "forbidden",
            ProblemType::NotFound => "not-found",
            ProblemType::MethodNotAllowed => "method-not-allowed",
            ProblemType::Conflict => "conflict",
            ProblemType::BookingRule => "booking-rule",
            ProblemType::PayloadTooLarge => "payload-too-large",
            ProblemType::UnsupportedMediaType => "unsupported-media-type",
            ProblemType::TooManyRequests => "too-many-requests",
            ProblemType::ServiceUnavailable => "service-unavailable",
            ProblemType::Internal => "internal",
            ProblemType::RequestTimeout => "request-timeout",
        }
    }

    pub fn status(self) -> StatusCode {
        match self {
            ProblemType::MalformedRequest => StatusCode::BAD_REQUEST,
            ProblemType::Validation => StatusCode::UNPROCESSABLE_ENTITY,
            ProblemType::Unauthorized => StatusCode::UNAUTHORIZED,
            ProblemType::Forbidden => StatusCode::FORBIDDEN,
            ProblemType::NotFound => StatusCode::NOT_FOUND,
            ProblemType::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ProblemType::Conflict => StatusCode::CONFLICT,
            ProblemType::BookingRule => StatusCode::UNPROCESSABLE_ENTITY,
            ProblemType::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ProblemType::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ProblemType::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            ProblemType::ServiceUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            ProblemType::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            ProblemType::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            ProblemType::MalformedRequest => "The request could not be read",
            ProblemType::Validation => "The request has invalid fields",
            ProblemType::Unauthorized => "Sign-in required",
            ProblemType::Forbidden => "Not allowed",
            ProblemType::NotFound => "Not found",
            ProblemType::MethodNotAllowed => "Method not allowed",
            ProblemType::Conflict => "Conflict",
            ProblemType::BookingRule => "The booking breaks a rule of the resource",
            ProblemType::PayloadTooLarge => "Request body too large",
            ProblemType::UnsupportedMediaType => "Unsupported media type",
            ProblemType::TooManyRequests => "Too many requests",
            ProblemType::ServiceUnavailable => "Service temporarily unavailable",
            ProblemType::Internal => "Internal error",
            ProblemType::RequestTimeout => "The request body came too slowly",
        }
    }

    pub fn uri(self) -> String {
        format!("/problems/{}", self.slug())
    }
}

/// One offending field of a validation problem.
#[derive(Clone, Debug, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct FieldError {
    /// JSON path of the field (`roles[1]`, `starts_at`), or a query parameter.
    pub field: String,
    /// What is wrong with it, in words a person can act on.
    pub message: String,
}

/// The error every handler returns.
pub struct ApiError {
    /// Which problem this is; decides status, title and `type`.
    kind: ProblemType,
    /// The human explanation for this occurrence.
    detail: String,
    /// Offending fields, for validation problems.
    errors: Vec<FieldError>,
    /// Extra members of the problem object (`conflicts`, `rule`, ...).
    extensions: Map<String, Value>,
    /// Seconds a client should wait, for 429 and 503.
    retry_after: Option<u64>,
    /// The cause of a 500, logged but never shown.
    source: Option<anyhow::Error>,
}

impl ApiError {
    pub fn new(kind: ProblemType, detail: impl Into<String>) -> Self {
        ApiError {
            kind,
            detail: detail.into(),
            errors: Vec::new(),
            extensions: Map::new(),
            retry_after: None,
            source: None,
        }
    }

    pub fn malformed(detail: impl Into<String>) -> Self {
        Self::new(ProblemType::MalformedRequest, detail)
    }

    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(ProblemType::Unauthorized, detail)
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(ProblemType::Forbidden, detail)
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(ProblemType::NotFound, format!("No such {what}."))
    }

    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::new(ProblemType::Conflict, detail)
    }

    /// A validation problem naming one field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        let message = message.into();
        let field = field.into();
        let mut err = Self::new(ProblemType::Validation, format!("{field}: {message}"));
        err.errors.push(FieldError { field, message });
        err
    }

    pub fn too_many_requests(detail: impl Into<String>, retry_after: u64) -> Self {
        let mut err = Self::new(ProblemType::TooManyRequests, detail);
        err.retry_after = Some(retry_after.max(1));
        err
    }

    pub fn unavailable(detail: impl Into<String>) -> Self {
        let mut err = Self::new(ProblemType::ServiceUnavailable, detail);
        err.retry_after = Some(2);
        err
    }

    pub fn internal(source: impl Into<anyhow::Error>) -> Self {
        let mut err = Self::new(
            ProblemType::Internal,
            "Something went wrong on our side. Quote the request_id when you report it.",
        );
        err.source = Some(source.into());
        err
    }

    /// The same problem under another type (keeps detail and fields).
    pub fn retype(mut self, kind: ProblemType) -> Self {
        self.kind = kind;
        self
    }

    /// Adds a member to the problem object, e.g. `conflicts`.
    pub fn with(mut self, key: &str, value: impl Serialize) -> Self {
        let value = serde_json::to_value(value).unwrap_or(Value::Null);
        self.extensions.insert(key.to_owned(), value);
        self
    }

    pub fn kind(&self) -> ProblemType {
        self.kind
    }

    /// The offending fields of a validation problem.
    pub fn fields(&self) -> &[FieldError] {
        &self.errors
    }

    pub fn detail(&self) -> &str {
        &self.detail
    }

    /// Seconds a client should wait (429 and 503), for the pages' answers.
    pub fn retry_after(&self) -> Option<u64> {
        self.retry_after
    }

    /// A member added with [`ApiError::with`], for the web pages, which
    /// say a refusal's `rule` or `conflicts` in words.
    pub fn extension(&self, key: &str) -> Option<&Value> {
        self.extensions.get(key)
    }

    /// The same problem with the instants in its members (the bookings in
    /// the way, ...) in the site's offset, as a site's answers give them.
    pub fn in_site_time(mut self, tz: chrono_tz::Tz) -> Self {
        for value in self.extensions.values_mut() {
            crate::api::views::localise(tz, value);
        }
        self
    }
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.slug(), self.detail)?;
        if let Some(source) = &self.source {
            write!(f, " ({source:#})")?;
        }
        Ok(())
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.kind.status()
    }

    fn error_response(&self) -> HttpResponse {
        let mut body = Map::new();
        body.insert("type".into(), self.kind.uri().into());
        body.insert("title".into(), self.kind.title().into());
        body.insert("status".into(), self.kind.status().as_u16().into());
        body.insert("detail".into(), self.detail.clone().into());
        if !self.errors.is_empty() {
            body.insert(
                "errors".into(),
                serde_json::to_value(&self.errors).unwrap_or(Value::Null),
            );
        }
        for (key, value) in &self.extensions {
            body.insert(key.clone(), value.clone());
        }
        if self.kind == ProblemType::Internal {
            let id = request_id::current().unwrap_or_else(|| "unknown".to_owned());
            tracing::error!(request_id = %id, error = ?self, "request failed");
            body.insert("request_id".into(), id.into());
        }
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        ));
        if self.kind == ProblemType::Unauthorized {
            response.insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"livingroom\""));
        }
        if let Some(seconds) = self.retry_after {
            response.insert_header((header::RETRY_AFTER, seconds.to_string()));
        }
        if self.kind == ProblemType::RequestTimeout {
            // The rest of a slow body is not waited for.
            response.force_close();
        }
        response.body(Value::Object(body).to_string())
    }
}

impl From<crate::domain::policy::Forbidden> for ApiError {
    fn from(f: crate::domain::policy::Forbidden) -> Self {
        ApiError::forbidden(f.0)
    }
}

impl From<Invalid> for ApiError {
    fn from(invalid: Invalid) -> Self {
        let detail = invalid
            .fields
            .iter()
            .map(|f| format!("{}: {}", f.field, f.message))
            .collect::<Vec<_>>()
            .join("; ");
        let mut err = ApiError::new(ProblemType::Validation, detail);
        err.errors = invalid
            .fields
            .into_iter()
            .map(|f| FieldError {
                field: f.field,
                message: f.message,
            })
            .collect();
        err
    }
}

/// Names of database constraints whose violation means "that slot is taken".
/// Both backends use the same names (see the migrations).
pub const OVERLAP_CONSTRAINTS: &[&str] = &["bookings_no_overlap"];

impl From<DieselError> for ApiError {
    fn from(err: DieselError) -> Self {
        match &err {
            DieselError::NotFound => ApiError::not_found("object"),
            DieselError::DatabaseError(kind, info) => {
                let message = info.message();
                let constraint = info.constraint_name().unwrap_or("");
                let overlap = OVERLAP_CONSTRAINTS
                    .iter()
                    .any(|c| constraint == *c || message.contains(c));
                if overlap {
                    return ApiError::conflict("That time is already taken.");
                }
                match kind {
                    DatabaseErrorKind::UniqueViolation => ApiError::conflict("That already exists."),
                    DatabaseErrorKind::SerializationFailure => {
                        ApiError::unavailable("The database was busy; please try again.")
                    }
                    DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand => {
                        ApiError::unavailable("The database connection was lost; please try again.")
                    }
                    _ if is_lost_connection(message) => {
                        ApiError::unavailable("The database connection was lost; please try again.")
                    }
                    _ if is_busy(message) => {
                        ApiError::unavailable("The database was busy; please try again.")
                    }
                    DatabaseErrorKind::ForeignKeyViolation
                    | DatabaseErrorKind::RestrictViolation
                    | DatabaseErrorKind::ExclusionViolation => {
                        missed_validation(&err);
                        ApiError::conflict("That refers to or clashes with something that has changed.")
                    }
                    DatabaseErrorKind::CheckViolation | DatabaseErrorKind::NotNullViolation => {
                        missed_validation(&err);
                        refused_value()
                    }
                    _ if is_bad_value(message) => {
                        missed_validation(&err);
                        refused_value()
                    }
                    _ => ApiError::internal(err),
                }
            }
            DieselError::BrokenTransactionManager => {
                ApiError::unavailable("The database connection was lost; please try again.")
            }
            _ => ApiError::internal(err),
        }
    }
}

/// A constraint or a type of the database refused what a request carried:
/// the request's fault, so a 4xx, but also a validation the application
/// lacks, so logged as an error to be fixed.
fn missed_validation(err: &DieselError) {
    let id = request_id::current().unwrap_or_else(|| "unknown".to_owned());
    tracing::error!(request_id = %id, error = %err, "the database refused a value no validation caught");
}

fn refused_value() -> ApiError {
    ApiError::invalid(
        "request",
        "a value is outside what can be kept (a date too far off, a number too large, or a forbidden character)",
    )
}

/// The databases' words for a value of the wrong shape or size (PostgreSQL's
/// data exceptions: a NUL byte in text, a year it cannot hold, an integer
/// overflow; SQLite's datatype mismatch).
fn is_bad_value(message: &str) -> bool {
    message.contains("invalid byte sequence")
        || message.contains("out of range")
        || message.contains("value too long")
        || message.contains("datatype mismatch")
}

/// libpq's words for a connection that died under a query.
fn is_lost_connection(message: &str) -> bool {
    message.contains("server closed the connection")
        || message.contains("terminating connection")
        || message.contains("no connection to the server")
        || message.contains("connection to server")
        || message.contains("SSL SYSCALL")
}

fn is_busy(message: &str) -> bool {
    message.contains("database is locked")
        || message.contains("database is busy")
        || message.contains("deadlock detected")
        || message.contains("could not serialize")
}

impl From<diesel::r2d2::PoolError> for ApiError {
    fn from(err: diesel::r2d2::PoolError) -> Self {
        tracing::warn!(error = %err, "no database connection available");
        ApiError::unavailable("The database is not reachable right now; please try again shortly.")
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(err: actix_web::error::BlockingError) -> Self {
        ApiError::internal(anyhow::anyhow!("blocking task failed: {err}"))
    }
}
