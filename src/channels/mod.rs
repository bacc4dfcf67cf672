//! Messages to group-chat robots and webhooks: what a channel is told
//! ([`Notice`], kept in the outbox until sent; its words are written in
//! `crate::notify::channels`), each receiver's request and answer
//! ([`wire`]), their signatures ([`sign`]), and the HTTP client that sends
//! ([`Sender`]). Queuing, retries and dead messages are the outbox's, as
//! for mail (`crate::jobs`).

pub mod sign;
pub mod wire;

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::channel::{ChannelKind, Topic};
pub use wire::Verdict;

/// What a channel is told of one event. Robots get the title, the lines
/// and the link; webhooks get `data`. Written without private words: no
/// reason for urgency, no purpose, no person's name or address.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Notice {
    pub topic: Topic,
    /// The site's slug.
    pub site: String,
    pub occurred_at: DateTime<Utc>,
    /// A headline, zh-CN.
    pub title: String,
    /// A few short lines, zh-CN.
    pub lines: Vec<String>,
    /// The page to open.
    pub link: Option<String>,
    /// The event's facts for integrators (ids, times, names of rooms).
    pub data: serde_json::Value,
}

impl Notice {
    pub fn to_stored(&self) -> String {
        serde_json::to_string(self).expect("a notice serializes")
    }

    pub fn parse(stored: &str) -> anyhow::Result<Notice> {
        Ok(serde_json::from_str(stored)?)
    }
}

/// Where a message goes: the stored channel's kind, address and secret.
pub struct Target<'a> {
    pub kind: ChannelKind,
    pub url: &'a str,
    pub secret: Option<&'a str>,
}

/// Answers longer than this are cut: a robot's answer is a line of JSON.
const MAX_ANSWER_BYTES: usize = 16 * 1024;

/// The HTTP client of every channel. Cheap to clone.
#[derive(Clone)]
pub struct Sender {
    client: reqwest::Client,
}

impl Sender {
    pub fn new() -> anyhow::Result<Sender> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .connect_timeout(Duration::from_secs(5))
            // A redirect could lead anywhere, the server's own network
            // included; a receiver that moved is a set-up to correct.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("livingroom/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Sender { client })
    }

    /// Makes one attempt. Never fails otherwise than by its verdict; the
    /// reason given never holds the address (it is the credential).
    pub async fn send(
        &self,
        target: &Target<'_>,
        notice: &Notice,
        delivery: &str,
        now: DateTime<Utc>,
    ) -> Verdict {
        let request = wire::request(target.kind, target.url, target.secret, notice, delivery, now);
        let mut builder = self.client.post(&request.url).body(request.body);
        for (name, value) in request.headers {
            builder = builder.header(name, value);
        }
        let response = match builder.send().await {
            Ok(r) => r,
            Err(e) => {
                return Verdict::Failed {
                    reason: format!("not reached: {}", e.without_url()),
                    wait_seconds: None,
                };
            }
        };
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = read_limited(response).await;
        wire::judge(target.kind, status, retry_after.as_deref(), &body)
    }
}

async fn read_limited(mut response: reqwest::Response) -> Vec<u8> {
    let mut body = Vec::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        body.extend_from_slice(&chunk);
        if body.len() >= MAX_ANSWER_BYTES {
            body.truncate(MAX_ANSWER_BYTES);
            break;
        }
    }
    body
}
