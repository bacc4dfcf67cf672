//! Each receiver's request and answer, as its service documents them.
//!
//! | kind | request | success | rate limit |
//! | --- | --- | --- | --- |
//! | WeCom group robot | `POST …/cgi-bin/webhook/send?key=K`, `{"msgtype":"markdown","markdown":{"content":…}}` | `{"errcode":0}` | `errcode` 45009, 20 a minute |
//! | DingTalk custom robot | `POST …/robot/send?access_token=T[&timestamp=ms&sign=S]`, `{"msgtype":"markdown","markdown":{"title":…,"text":…}}` | `{"errcode":0}` | `errcode` 130101, 20 a minute then 10 minutes' pause |
//! | Feishu custom bot | `POST …/bot/v2/hook/H`, `{["timestamp":s,"sign":S,]"msg_type":"interactive","card":…}` | `{"code":0}` | `code` 11232 (or HTTP 429) |
//! | webhook | `POST` the event as JSON, signed (see [`super::sign::webhook`]) | any 2xx | HTTP 429 with `Retry-After` |
//!
//! The robots answer HTTP 200 with an error code in the body, so the body
//! decides. Any failure is retried by the outbox with backoff; a rate
//! limit waits at least as long as the service asks.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::Notice;
use super::sign;
use crate::domain::channel::ChannelKind;

/// One HTTP request to make.
#[derive(Debug)]
pub struct Request {
    pub url: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

/// What became of a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    Delivered,
    /// Not delivered: why (never with the address or secret in it), and
    /// the least wait before the next attempt the receiver asked for.
    Failed {
        reason: String,
        wait_seconds: Option<i64>,
    },
}

/// WeCom refuses markdown over 4,096 bytes; DingTalk and Feishu allow more,
/// but a group message is a notice, not a report.
const MAX_TEXT_BYTES: usize = 3800;

/// The notice as markdown: a bold title, its lines, and a link.
fn markdown(notice: &Notice, heading: &str) -> String {
    let mut text = format!("{heading}{}\n", notice.title);
    for line in &notice.lines {
        if text.len() + line.len() + 4 > MAX_TEXT_BYTES {
            text.push_str("\n…");
            break;
        }
        text.push('\n');
        text.push_str(line);
        text.push('\n');
    }
    if let Some(link) = &notice.link {
        text.push_str(&format!("\n[查看详情]({link})"));
    }
    text
}

/// The webhook's JSON event. `id` is the same on every attempt, so a
/// receiver that keeps the ids it has seen never acts twice.
pub fn event_body(notice: &Notice, delivery: &str) -> Value {
    json!({
        "id": delivery,
        "type": notice.topic.code(),
        "site": notice.site,
        "occurred_at": notice.occurred_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "data": notice.data,
    })
}

fn with_query(url: &str, pairs: &[(&str, String)]) -> String {
    let mut url = match url::Url::parse(url) {
        Ok(u) => u,
        Err(_) => return url.to_owned(),
    };
    {
        let mut q = url.query_pairs_mut();
        for (k, v) in pairs {
            q.append_pair(k, v);
        }
    }
    url.into()
}

/// Builds the request for a channel of `kind` at `url`.
pub fn request(
    kind: ChannelKind,
    url: &str,
    secret: Option<&str>,
    notice: &Notice,
    delivery: &str,
    now: DateTime<Utc>,
) -> Request {
    let json_headers = || vec![("content-type", "application/json; charset=utf-8".to_owned())];
    match kind {
        ChannelKind::Wecom => Request {
            url: url.to_owned(),
            headers: json_headers(),
            body: json!({"msgtype": "markdown", "markdown": {"content": markdown(notice, "**")
                .replacen('\n', "**\n", 1)}})
            .to_string()
            .into_bytes(),
        },
        ChannelKind::Dingtalk => {
            let url = match secret {
                Some(secret) => {
                    let ts = now.timestamp_millis();
                    with_query(
                        url,
                        &[
                            ("timestamp", ts.to_string()),
                            ("sign", sign::dingtalk(secret, ts)),
                        ],
                    )
                }
                None => url.to_owned(),
            };
            Request {
                url,
                headers: json_headers(),
                body: json!({"msgtype": "markdown", "markdown": {
                    "title": notice.title,
                    "text": markdown(notice, "#### "),
                }})
                .to_string()
                .into_bytes(),
            }
        }
        ChannelKind::Feishu => {
            let mut body = json!({
                "msg_type": "interactive",
                "card": {
                    "header": {"title": {"tag": "plain_text", "content": notice.title}},
                    "elements": [{"tag": "div", "text": {"tag": "lark_md", "content": feishu_text(notice)}}],
                },
            });
            if let Some(secret) = secret {
                let ts = now.timestamp();
                body["timestamp"] = json!(ts.to_string());
                body["sign"] = json!(sign::feishu(secret, ts));
            }
            Request {
                url: url.to_owned(),
                headers: json_headers(),
                body: body.to_string().into_bytes(),
            }
        }
        ChannelKind::Webhook => {
            let body = event_body(notice, delivery).to_string().into_bytes();
            let ts = now.timestamp();
            let mut headers = json_headers();
            headers.push(("x-livingroom-event", notice.topic.code().to_owned()));
            headers.push(("x-livingroom-delivery", delivery.to_owned()));
            headers.push(("x-livingroom-timestamp", ts.to_string()));
            if let Some(secret) = secret {
                headers.push(("x-livingroom-signature", sign::webhook(secret, ts, &body)));
            }
            Request {
                url: url.to_owned(),
                headers,
                body,
            }
        }
    }
}

/// Feishu's card has its own title; the text is the lines and the link.
fn feishu_text(notice: &Notice) -> String {
    let text = markdown(notice, "");
    text.split_once('\n')
        .map(|(_, rest)| rest.trim_start().to_owned())
        .unwrap_or(text)
}

/// How long a rate-limited robot asks to be left alone: WeCom and Feishu
/// count per minute; DingTalk pauses a robot for 10 minutes.
fn rate_wait(kind: ChannelKind) -> i64 {
    match kind {
        ChannelKind::Dingtalk => 600,
        _ => 60,
    }
}

/// Reads the answer to a request of `kind`.
pub fn judge(kind: ChannelKind, status: u16, retry_after: Option<&str>, body: &[u8]) -> Verdict {
    let asked_wait = retry_after
        .and_then(|v| v.trim().parse::<i64>().ok())
        .map(|s| s.clamp(1, 3600));
    if status == 429 {
        return Verdict::Failed {
            reason: "rate limited (HTTP 429)".to_owned(),
            wait_seconds: Some(asked_wait.unwrap_or_else(|| rate_wait(kind))),
        };
    }
    if !(200..300).contains(&status) {
        return Verdict::Failed {
            reason: format!("HTTP {status}: {}", excerpt(body)),
            wait_seconds: asked_wait,
        };
    }
    if kind == ChannelKind::Webhook {
        return Verdict::Delivered;
    }
    let answer: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(_) => {
            return Verdict::Failed {
                reason: format!("the robot's answer is not JSON: {}", excerpt(body)),
                wait_seconds: None,
            };
        }
    };
    let (code, message) = match kind {
        ChannelKind::Feishu => (
            answer
                .get("code")
                .or_else(|| answer.get("StatusCode"))
                .and_then(Value::as_i64),
            answer.get("msg").or_else(|| answer.get("StatusMessage")),
        ),
        _ => (
            answer.get("errcode").and_then(Value::as_i64),
            answer.get("errmsg"),
        ),
    };
    let message = message.and_then(Value::as_str).unwrap_or_default();
    match code {
        Some(0) => Verdict::Delivered,
        Some(code) => {
            let limited = matches!(
                (kind, code),
                (ChannelKind::Wecom, 45009) | (ChannelKind::Dingtalk, 130101) | (ChannelKind::Feishu, 11232)
            );
            Verdict::Failed {
                reason: if limited {
                    format!("rate limited (code {code}: {message})")
                } else {
                    format!("refused (code {code}: {message})")
                },
                wait_seconds: limited.then(|| rate_wait(kind)),
            }
        }
        None => Verdict::Failed {
            reason: format!("the robot's answer has no result code: {}", excerpt(body)),
            wait_seconds: None,
        },
    }
}

/// The start of an answer, for the outbox's `last_error`.
fn excerpt(body: &[u8]) -> String {
    String::from_utf8_lossy(body).chars().take(200).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::channel::Topic;

    fn notice() -> Notice {
        Notice {
            topic: Topic::RotaPublished,
            site: "demo".to_owned(),
            occurred_at: DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
            title: "前台排班已发布".to_owned(),
            lines: vec!["12月8日至12月14日".to_owned()],
            link: Some("https://lr.example/sites/demo/shifts".to_owned()),
            data: json!({"version": 3}),
        }
    }

    #[test]
    fn wecom_posts_markdown_with_a_bold_title() {
        let r = request(
            ChannelKind::Wecom,
            "https://q/send?key=k",
            None,
            &notice(),
            "d1",
            Utc::now(),
        );
        let body: Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(body["msgtype"], "markdown");
        let content = body["markdown"]["content"].as_str().unwrap();
        assert!(content.starts_with("**前台排班已发布**\n"), "{content}");
        assert!(content.ends_with("[查看详情](https://lr.example/sites/demo/shifts)"));
    }

    #[test]
    fn dingtalk_signs_in_the_query_and_feishu_in_the_body() {
        let now = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let r = request(
            ChannelKind::Dingtalk,
            "https://d/robot/send?access_token=t",
            Some("SECabc123"),
            &notice(),
            "d1",
            now,
        );
        let url = url::Url::parse(&r.url).unwrap();
        let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
        assert_eq!(q["timestamp"], "1700000000000");
        assert_eq!(q["sign"], sign::dingtalk("SECabc123", 1_700_000_000_000));
        assert_eq!(q["access_token"], "t");
        let r = request(
            ChannelKind::Feishu,
            "https://f/hook/h",
            Some("abc123"),
            &notice(),
            "d1",
            now,
        );
        let body: Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(body["timestamp"], "1700000000");
        assert_eq!(body["sign"], sign::feishu("abc123", 1_700_000_000));
        assert_eq!(body["msg_type"], "interactive");
    }

    #[test]
    fn answers_are_read_per_robot() {
        assert_eq!(
            judge(ChannelKind::Wecom, 200, None, br#"{"errcode":0,"errmsg":"ok"}"#),
            Verdict::Delivered
        );
        let limited = judge(
            ChannelKind::Wecom,
            200,
            None,
            br#"{"errcode":45009,"errmsg":"api freq out of limit"}"#,
        );
        assert!(
            matches!(
                limited,
                Verdict::Failed {
                    wait_seconds: Some(60),
                    ..
                }
            ),
            "{limited:?}"
        );
        let limited = judge(
            ChannelKind::Dingtalk,
            200,
            None,
            br#"{"errcode":130101,"errmsg":"send too fast"}"#,
        );
        assert!(matches!(
            limited,
            Verdict::Failed {
                wait_seconds: Some(600),
                ..
            }
        ));
        assert_eq!(
            judge(ChannelKind::Feishu, 200, None, br#"{"code":0,"msg":"success"}"#),
            Verdict::Delivered
        );
        assert!(matches!(
            judge(
                ChannelKind::Feishu,
                200,
                None,
                br#"{"code":19021,"msg":"sign match fail"}"#
            ),
            Verdict::Failed {
                wait_seconds: None,
                ..
            }
        ));
        assert!(matches!(
            judge(ChannelKind::Webhook, 503, Some("7"), b""),
            Verdict::Failed {
                wait_seconds: Some(7),
                ..
            }
        ));
        assert!(matches!(
            judge(ChannelKind::Webhook, 429, None, b""),
            Verdict::Failed {
                wait_seconds: Some(60),
                ..
            }
        ));
        assert_eq!(judge(ChannelKind::Webhook, 204, None, b""), Verdict::Delivered);
        assert!(matches!(
            judge(ChannelKind::Wecom, 200, None, b"<html>"),
            Verdict::Failed { .. }
        ));
    }
}
