//! `ApiQuery<T>`: the query-string extractor of the API. Unlike
//! `web::Query`, a value that does not parse (or an instant outside
//! `domain::window`) is a 422 naming its parameter, not the whole query.

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use futures_util::future::{Ready, ready};
use serde::de::DeserializeOwned;

use crate::api::json::explain_time;
use crate::errors::ApiError;

pub struct ApiQuery<T>(pub T);

impl<T> ApiQuery<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for ApiQuery<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

/// Parses a query string into `T`, naming the offending parameter.
pub fn parse<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    let de = serde_urlencoded::Deserializer::new(form_urlencoded_parse(query));
    serde_path_to_error::deserialize(de).map_err(|err| {
        let path = err.path().to_string();
        let field = if path == "." { "query".to_owned() } else { path };
        let message = err.into_inner().to_string();
        let message = explain_time(&message).map_or(message, str::to_owned);
        ApiError::invalid(field, message)
    })
}

fn form_urlencoded_parse(query: &str) -> form_urlencoded::Parse<'_> {
    form_urlencoded::parse(query.as_bytes())
}

impl<T: DeserializeOwned> FromRequest for ApiQuery<T> {
    type Error = ApiError;
    type Future = Ready<Result<ApiQuery<T>, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(parse(req.query_string()).map(ApiQuery))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::window::Instant;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Q {
        from: Option<Instant>,
        limit: Option<i64>,
    }

    #[test]
    fn names_the_parameter() {
        let q: Q = parse("from=2026-11-23T10:00:00%2B08:00&limit=5").unwrap();
        assert_eq!(q.limit, Some(5));
        assert!(q.from.is_some());
        assert!(parse::<Q>("").unwrap().from.is_none());
        let e = parse::<Q>("from=9999-12-31T00:00:00Z").unwrap_err();
        assert!(e.detail().starts_with("from: must lie between"), "{}", e.detail());
        let e = parse::<Q>("limit=x").unwrap_err();
        assert!(e.detail().starts_with("limit"), "{}", e.detail());
        let e = parse::<Q>("nope=1").unwrap_err();
        assert!(e.detail().contains("nope"), "{}", e.detail());
    }

    /// Every struct a request is read into (a body, a query, a form) takes
    /// its instants and dates as `domain::window` types, so none escapes
    /// the window: a new field of a chrono type fails here.
    #[test]
    fn requests_read_instants_and_dates_through_the_window() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = vec![root.join("domain/recurrence.rs")];
        let mut dirs = vec![root.join("api"), root.join("pages")];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(dir).expect("dir") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    files.push(path);
                }
            }
        }
        let mut found = Vec::new();
        for file in files {
            let text = std::fs::read_to_string(&file).expect("source");
            let mut reading = false;
            let mut in_struct = false;
            for line in text.lines() {
                let t = line.trim();
                if t.starts_with("#[derive(") {
                    reading = t.contains("Deserialize");
                } else if reading && t.contains("struct ") && t.ends_with('{') {
                    in_struct = true;
                } else if in_struct && t == "}" {
                    (reading, in_struct) = (false, false);
                } else if in_struct
                    && !t.starts_with("//")
                    && !t.starts_with("#[")
                    && (t.contains("DateTime<") || t.contains("NaiveDate"))
                {
                    found.push(format!("{}: {t}", file.display()));
                }
            }
        }
        assert!(found.is_empty(), "read these through domain::window: {found:#?}");
    }
}
