//! A request id for every request: taken from a sane `X-Request-Id` header or
//! generated, echoed in the response, attached to log lines, and carried in
//! the body of a 500 so a report can be matched to the log.

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The id of the request being handled on this task, if any.
pub fn current() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

/// Runs `fut` with `id` as the current request id.
pub async fn scope<F: std::future::Future>(id: String, fut: F) -> F::Output {
    REQUEST_ID.scope(id, fut).await
}

/// Accepts a client-supplied id only when it is short and plain, so it
/// cannot pollute logs.
pub fn accept(header: Option<&str>) -> String {
    match header {
        Some(h)
            if !h.is_empty()
                && h.len() <= 64
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') =>
        {
            h.to_owned()
        }
        _ => uuid::Uuid::new_v4().simple().to_string(),
    }
}
