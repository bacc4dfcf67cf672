//! The security headers of every answer, filled in where a handler did not
//! set its own: no content sniffing and no referrer anywhere; a content
//! security policy and no framing on everything, with the page policy for
//! HTML, a looser one the vendored Swagger UI needs, and `default-src
//! 'none'` for data; HTML and sign-in answers never stored.

use actix_web::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue,
    REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};

/// For HTML no handler gave a policy (the pages set their own in
/// `pages::frame`): nothing from elsewhere, no inline script.
const PAGE_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; \
frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'";

/// Swagger UI sets styles inline and draws icons from `data:` URLs; its
/// scripts are files of the binary, so scripts stay `'self'` only.
const DOCS_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; \
form-action 'self'; base-uri 'none'; object-src 'none'";

/// JSON, calendars, files: nothing in them is ever to run or be framed.
const DATA_CSP: &str = "default-src 'none'; frame-ancestors 'none'";

pub fn secure(path: &str, headers: &mut HeaderMap) {
    let html = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("text/html"));
    let docs = path == "/api-docs" || path.starts_with("/api-docs/");
    default(headers, X_CONTENT_TYPE_OPTIONS, "nosniff");
    default(headers, REFERRER_POLICY, "no-referrer");
    let csp = match (docs, html) {
        (true, _) => DOCS_CSP,
        (false, true) => PAGE_CSP,
        (false, false) => DATA_CSP,
    };
    default(headers, CONTENT_SECURITY_POLICY, csp);
    // Browsers without `frame-ancestors` read this instead; it says the same.
    let framed_by_self = headers
        .get(CONTENT_SECURITY_POLICY)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("frame-ancestors 'self'"));
    default(
        headers,
        X_FRAME_OPTIONS,
        if framed_by_self { "SAMEORIGIN" } else { "DENY" },
    );
    // Pages may carry a person's data or a token (reset and invitation
    // links); sign-in answers carry tokens (RFC 6749 §5.1).
    if html || path.starts_with("/api/v1/auth/") {
        default(headers, CACHE_CONTROL, "no-store");
    }
}

fn default(headers: &mut HeaderMap, name: HeaderName, value: &'static str) {
    if !headers.contains_key(&name) {
        headers.insert(name, HeaderValue::from_static(value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_handler_own_headers_are_kept() {
        let mut h = HeaderMap::new();
        h.insert(CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
        h.insert(
            CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'self'"),
        );
        h.insert(CACHE_CONTROL, HeaderValue::from_static("public, max-age=60"));
        secure("/board", &mut h);
        assert_eq!(h.get(X_FRAME_OPTIONS).unwrap(), "SAMEORIGIN");
        assert_eq!(h.get(CACHE_CONTROL).unwrap(), "public, max-age=60");
        assert_eq!(h.get(X_CONTENT_TYPE_OPTIONS).unwrap(), "nosniff");
        let mut h = HeaderMap::new();
        secure("/api/v1/auth/login", &mut h);
        assert_eq!(h.get(CONTENT_SECURITY_POLICY).unwrap(), DATA_CSP);
        assert_eq!(h.get(X_FRAME_OPTIONS).unwrap(), "DENY");
        assert_eq!(h.get(CACHE_CONTROL).unwrap(), "no-store");
    }
}
