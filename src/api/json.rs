//! `ApiJson<T>`: the JSON body extractor every handler uses. It caps bodies
//! at 64 KiB (413), tells malformed JSON (400) from well-formed JSON with
//! wrong fields (422, naming the field by its path), and accepts only JSON.

use actix_web::dev::Payload;
use actix_web::error::PayloadError;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

use crate::errors::{ApiError, ProblemType};

/// The largest request body accepted.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

pub struct ApiJson<T>(pub T);

impl<T> ApiJson<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

fn too_large() -> ApiError {
    ApiError::new(
        ProblemType::PayloadTooLarge,
        format!("The request body is larger than {} KiB.", MAX_BODY_BYTES / 1024),
    )
}

/// Parses a JSON document into `T`, with field paths in errors.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => {
                let field = if path == "." { "body".to_owned() } else { path };
                let message = inner.to_string();
                let message = message.split(" at line ").next().unwrap_or(&message);
                let message = explain_time(message).map_or_else(|| message.to_owned(), str::to_owned);
                ApiError::invalid(field, message)
            }
            _ => ApiError::malformed(format!("The body is not valid JSON: {inner}")),
        }
    })?;
    de.end()
        .map_err(|e| ApiError::malformed(format!("The body has trailing data after the JSON: {e}")))?;
    Ok(value)
}

/// chrono's parse errors say what failed, not what to write instead; the
/// commonest mistake is an instant without its UTC offset.
pub(crate) fn explain_time(message: &str) -> Option<&'static str> {
    match message {
        "premature end of input" => Some(
            "incomplete date or time: add the time zone offset, e.g. 2026-11-23T15:30:00+08:00 (a date alone is 2026-11-23)",
        ),
        "input contains invalid characters" | "trailing input" => Some(
            "not a date or time: write an instant as 2026-11-23T15:30:00+08:00, with the time zone offset, and a date as 2026-11-23",
        ),
        "input is out of range" => Some("no such date or time: check the month, the day and the hour"),
        _ => None,
    }
}

/// The raw bytes of a JSON body, after the same checks as [`ApiJson`], for
/// handlers that also need the exact body (idempotency keys hash it).
pub struct JsonBytes(pub web::Bytes);

impl FromRequest for JsonBytes {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<JsonBytes, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let json_type = req
            .mime_type()
            .ok()
            .flatten()
            .is_some_and(|m| m.subtype() == mime_json() || m.suffix() == Some(mime_json()));
        let declared_len = req
            .headers()
            .get(actix_web::http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            if declared_len.is_some_and(|n| n > MAX_BODY_BYTES) {
                return Err(too_large());
            }
            if !json_type {
                return Err(ApiError::new(
                    ProblemType::UnsupportedMediaType,
                    "Send the body as JSON with 'Content-Type: application/json'.",
                ));
            }
            let bytes = body.await.map_err(|e| match e.as_error::<PayloadError>() {
                Some(PayloadError::Overflow) => too_large(),
                Some(p) if crate::slow_body::timed_out(p) => ApiError::new(
                    ProblemType::RequestTimeout,
                    "The request body did not arrive in time; send it again, whole.",
                ),
                _ if e.to_string().contains("overflow") || e.to_string().contains("too large") => too_large(),
                _ => ApiError::malformed(format!("The request body could not be read: {e}")),
            })?;
            if bytes.len() > MAX_BODY_BYTES {
                return Err(too_large());
            }
            Ok(JsonBytes(bytes))
        })
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for ApiJson<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<ApiJson<T>, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let bytes = JsonBytes::from_request(req, payload);
        Box::pin(async move { parse(&bytes.await?.0).map(ApiJson) })
    }
}

/// A JSON body that may be left out: no body at all (no `Content-Length`,
/// or zero) is `None`; any body is held to [`ApiJson`]'s rules. For actions
/// whose details are optional, such as a rejection's reason.
pub struct MaybeJson<T>(pub Option<T>);

impl<T: DeserializeOwned + 'static> FromRequest for MaybeJson<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<MaybeJson<T>, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let headers = req.headers();
        let length = headers
            .get(actix_web::http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<usize>().ok());
        let chunked = headers.contains_key(actix_web::http::header::TRANSFER_ENCODING);
        if length.unwrap_or(0) == 0 && !chunked {
            return Box::pin(async { Ok(MaybeJson(None)) });
        }
        let bytes = JsonBytes::from_request(req, payload);
        Box::pin(async move {
            let bytes = bytes.await?.0;
            if bytes.is_empty() {
                return Ok(MaybeJson(None));
            }
            parse(&bytes).map(|v| MaybeJson(Some(v)))
        })
    }
}

fn mime_json() -> mime::Name<'static> {
    mime::JSON
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Input {
        name: String,
        inner: Vec<Inner>,
    }
    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        n: u8,
    }

    #[test]
    fn classifies() {
        assert_eq!(
            parse::<Input>(b"{").unwrap_err().kind(),
            ProblemType::MalformedRequest
        );
        let err = parse::<Input>(br#"{"name":"a","inner":[{"n":1},{"n":"x"}]}"#).unwrap_err();
        assert_eq!(err.kind(), ProblemType::Validation);
        assert!(err.detail().starts_with("inner[1].n"), "{}", err.detail());
        let err = parse::<Input>(br#"{"name":"a","inner":[],"extra":1}"#).unwrap_err();
        assert!(err.detail().contains("extra"), "{}", err.detail());
        assert!(parse::<Input>(br#"{"name":"a","inner":[]} x"#).is_err());
    }
}
