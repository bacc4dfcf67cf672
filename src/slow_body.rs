//! A deadline on the whole request body. actix-web times out a request's
//! head but not its body, so a client that sends headers and then one byte
//! now and then held a connection and a worker's attention for as long as
//! it liked. Here the body must be complete within the configured time of
//! the head's arrival; after that, reading it fails as timed out, which the
//! JSON extractor answers with 408 and a closed connection.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::dev::{Payload, ServiceRequest};
use actix_web::error::PayloadError;
use actix_web::http::header::{CONTENT_LENGTH, TRANSFER_ENCODING};
use actix_web::web::Bytes;
use futures_util::Stream;

/// The message a timed-out body read carries, for extractors to recognise.
pub const TIMED_OUT: &str = "the request body did not arrive in time";

/// Puts the deadline on `req`'s body, if it has one.
pub fn limit(req: &mut ServiceRequest, within: Duration) {
    let headers = req.headers();
    let has_body = headers.contains_key(TRANSFER_ENCODING)
        || headers
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim() != "0");
    if !has_body {
        return;
    }
    let inner = req.parts_mut().1.take();
    let timed = Deadline {
        inner,
        sleep: Box::pin(tokio::time::sleep(within)),
        expired: false,
    };
    req.set_payload(Payload::from(
        Box::pin(timed) as Pin<Box<dyn Stream<Item = Result<Bytes, PayloadError>>>>
    ));
}

struct Deadline {
    inner: Payload,
    sleep: Pin<Box<tokio::time::Sleep>>,
    expired: bool,
}

impl Stream for Deadline {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.expired {
            return Poll::Ready(None);
        }
        if let Poll::Ready(item) = Pin::new(&mut self.inner).poll_next(cx) {
            return Poll::Ready(item);
        }
        match self.sleep.as_mut().poll(cx) {
            Poll::Ready(()) => {
                self.expired = true;
                Poll::Ready(Some(Err(PayloadError::Io(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    TIMED_OUT,
                )))))
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

/// Whether a body read failed because of [`limit`]'s deadline.
pub fn timed_out(err: &PayloadError) -> bool {
    matches!(err, PayloadError::Io(e) if e.kind() == std::io::ErrorKind::TimedOut)
}
