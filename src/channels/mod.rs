//! Messages to group-chat robots and webhooks: what a channel is told
//! ([`Notice`], kept in the outbox until sent; its words are written in
//! `crate::notify::channels`), each receiver's request and answer
//! ([`wire`]), their signatures ([`sign`]), and the HTTP client that sends
//! ([`Sender`]). Queuing, retries and dead messages are the outbox's, as
//! for mail (`crate::jobs`).

pub mod sign;
pub mod wire;

use std::net::SocketAddr;
use std::sync::Arc;
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
    /// `allow_private` is the deployment's `channel_allow_private`: without
    /// it, a receiver's host name is connected to at its public addresses
    /// only ([`PublicOnly`]).
    pub fn new(allow_private: bool) -> anyhow::Result<Sender> {
        let mut builder = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .connect_timeout(Duration::from_secs(5))
            // A redirect could lead anywhere, the server's own network
            // included; a receiver that moved is a set-up to correct.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("livingroom/", env!("CARGO_PKG_VERSION")));
        if !allow_private {
            builder = builder.dns_resolver(Arc::new(PublicOnly {
                proxies: proxy_hosts(|name| std::env::var(name).ok()),
            }));
        }
        Ok(Sender {
            client: builder.build()?,
        })
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
                    reason: not_reached(e),
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

/// Why a receiver was not reached, for the outbox and the console: the
/// error and its causes ("connection refused", "resolves only to local or
/// private addresses"), which an admin can act on, without the address
/// (it is the credential).
fn not_reached(e: reqwest::Error) -> String {
    let e = e.without_url();
    let mut reason = format!("not reached: {e}");
    let mut cause = std::error::Error::source(&e);
    while let Some(c) = cause {
        reason.push_str(": ");
        reason.push_str(&c.to_string());
        cause = c.source();
    }
    reason
}

/// Resolves a receiver's host name to its public addresses only. The
/// address was checked when it was set up, but what a name resolves to is
/// its owner's to change: pointed at `10.0.0.5` or `127.0.0.1` later (or
/// answering so only the second time), it would make the server call its
/// own network. So the check is made here, on the very addresses connected
/// to. (An IP literal never reaches a resolver; it was checked at set-up.)
///
/// The forward proxy the operator named (`HTTPS_PROXY` and the like) is
/// the exception: it is usually on the local network, and it resolves the
/// receivers' names itself, so there the check is the proxy's to make.
struct PublicOnly {
    /// Host names of the configured proxies, lower case.
    proxies: Vec<String>,
}

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_ascii_lowercase();
        let proxy = self.proxies.contains(&host);
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let usable = if proxy { found } else { public_only(found)? };
            Ok(Box::new(usable.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// The host names of the proxies the HTTP client takes from the
/// environment (reqwest reads the same variables), given as `host:port` or
/// as an address.
fn proxy_hosts(var: impl Fn(&str) -> Option<String>) -> Vec<String> {
    [
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "ALL_PROXY",
        "all_proxy",
    ]
    .into_iter()
    .filter_map(var)
    .filter_map(|value| {
        let value = value.trim();
        url::Url::parse(value)
            .ok()
            .filter(|u| u.host_str().is_some())
            .or_else(|| url::Url::parse(&format!("http://{value}")).ok())
            .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
    })
    .collect()
}

/// The addresses a name may be connected to: its public ones.
fn public_only(found: Vec<SocketAddr>) -> Result<Vec<SocketAddr>, OnlyPrivate> {
    let public: Vec<SocketAddr> = found
        .into_iter()
        .filter(|a| !crate::domain::channel::is_private(a.ip()))
        .collect();
    if public.is_empty() {
        return Err(OnlyPrivate);
    }
    Ok(public)
}

#[derive(Debug)]
struct OnlyPrivate;

impl std::fmt::Display for OnlyPrivate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the receiver's host resolves only to local or private addresses")
    }
}

impl std::error::Error for OnlyPrivate {}

#[cfg(test)]
mod tests {
    use super::*;

    fn notice() -> Notice {
        Notice {
            topic: Topic::ChannelTest,
            site: "demo".to_owned(),
            occurred_at: Utc::now(),
            title: "测试".to_owned(),
            lines: Vec::new(),
            link: None,
            data: serde_json::json!({}),
        }
    }

    #[test]
    fn only_public_addresses_are_kept() {
        let addr = |s: &str| s.parse::<SocketAddr>().unwrap();
        let mixed = vec![addr("10.0.0.5:0"), addr("203.0.113.7:0"), addr("[::1]:0")];
        assert_eq!(public_only(mixed).unwrap(), vec![addr("203.0.113.7:0")]);
        for private in [
            "127.0.0.1:0",
            "192.168.1.2:0",
            "169.254.169.254:0",
            "[fd00::1]:0",
            "[::ffff:10.1.1.1]:0",
        ] {
            assert!(public_only(vec![addr(private)]).is_err(), "{private}");
        }
        assert!(public_only(Vec::new()).is_err());
    }

    #[test]
    fn the_configured_proxies_are_known_by_name() {
        let env = |name: &str| match name {
            "HTTPS_PROXY" => Some("http://Proxy.Corp:3128".to_owned()),
            "http_proxy" => Some("squid.internal:8080".to_owned()),
            "ALL_PROXY" => Some("socks5://10.0.0.9:1080".to_owned()),
            _ => None,
        };
        assert_eq!(proxy_hosts(env), ["proxy.corp", "squid.internal", "10.0.0.9"]);
        assert!(proxy_hosts(|_| None).is_empty());
    }

    /// A name that resolves to the server's own network is not connected
    /// to unless the deployment allows it; the reason says why without
    /// the address. `localhost` stands for any such name (the machine has
    /// no DNS to make one up).
    #[tokio::test]
    async fn a_name_resolving_to_a_local_address_is_not_called() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let url = format!("http://localhost:{port}/hook/secret-part");
        let target = Target {
            kind: ChannelKind::Webhook,
            url: &url,
            secret: Some("a-long-secret"),
        };

        let refused = Sender::new(false)
            .unwrap()
            .send(&target, &notice(), "d-1", Utc::now())
            .await;
        let Verdict::Failed { reason, .. } = refused else {
            panic!("sent to a local address: {refused:?}");
        };
        assert!(reason.contains("only to local or private addresses"), "{reason}");
        assert!(!reason.contains("secret-part"), "{reason}");
        listener.set_nonblocking(true).unwrap();
        assert!(listener.accept().is_err(), "a connection was made");

        // Allowed, the same name is called (and this listener never
        // answers HTTP, so the attempt fails otherwise).
        let allowed = Sender::new(true).unwrap();
        let attempt = tokio::spawn(async move {
            let target = Target {
                kind: ChannelKind::Webhook,
                url: &url,
                secret: Some("a-long-secret"),
            };
            allowed.send(&target, &notice(), "d-1", Utc::now()).await
        });
        let accepted = tokio::task::spawn_blocking(move || {
            listener.set_nonblocking(false).unwrap();
            listener.accept().map(|_| ())
        });
        assert!(accepted.await.unwrap().is_ok());
        attempt.abort();
    }
}
