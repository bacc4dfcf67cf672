//! The signatures each receiver checks. All are HMAC-SHA256; they differ in
//! what is signed, with which key, and how the result is written.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

fn hmac(key: &[u8], message: &[u8]) -> Vec<u8> {
    // HMAC takes a key of any length, so this cannot fail.
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC accepts any key length");
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

/// DingTalk's "加签": base64 of HMAC-SHA256 keyed with the secret over
/// `"{timestamp}\n{secret}"`, the timestamp in milliseconds. It goes in
/// the query string (URL-encoded by the caller) with the timestamp.
pub fn dingtalk(secret: &str, timestamp_ms: i64) -> String {
    let to_sign = format!("{timestamp_ms}\n{secret}");
    STANDARD.encode(hmac(secret.as_bytes(), to_sign.as_bytes()))
}

/// Feishu's signature: base64 of HMAC-SHA256 keyed with
/// `"{timestamp}\n{secret}"` over an empty message, the timestamp in
/// seconds. (The key and the message are the other way round from
/// DingTalk's; both are as each service documents.) It goes in the body.
pub fn feishu(secret: &str, timestamp_s: i64) -> String {
    let key = format!("{timestamp_s}\n{secret}");
    STANDARD.encode(hmac(key.as_bytes(), b""))
}

/// A webhook's `X-Livingroom-Signature`: `sha256=` and the hex HMAC-SHA256
/// keyed with the channel's secret over `"{timestamp}.{body}"`. The
/// timestamp (seconds, also sent as `X-Livingroom-Timestamp`) is signed so
/// that a receiver can refuse an old request replayed.
pub fn webhook(secret: &str, timestamp_s: i64, body: &[u8]) -> String {
    let mut message = format!("{timestamp_s}.").into_bytes();
    message.extend_from_slice(body);
    format!("sha256={}", hex::encode(hmac(secret.as_bytes(), &message)))
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected values computed independently with Python's hmac module:
    // base64(hmac.new(secret, f"{ts}\n{secret}", sha256)) and so on.
    #[test]
    fn signatures_match_independent_computation() {
        assert_eq!(
            dingtalk("SECabc123", 1_700_000_000_000),
            "N5P09a4+p1AMJIJWnIvQd2Yxw9+fu/oEBnPrjCcsLXk="
        );
        assert_eq!(
            feishu("abc123", 1_700_000_000),
            "J0suvZQ7pBIXibHw5hyQvuZiXVa3ct5lilLN472FoLk="
        );
        assert_eq!(
            webhook("whsec_test", 1_700_000_000, br#"{"a":1}"#),
            "sha256=38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789"
        );
    }
}
