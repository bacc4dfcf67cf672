//! A site's channels beyond e-mail: the group-chat robots committees use
//! (WeCom, DingTalk, Feishu) and generic webhooks for integrators. The
//! rules here: which kinds there are, which events a channel may listen
//! to, and which addresses may be written in (a site admin must not be able
//! to point the server at the machine it runs on).
//!
//! How a message is worded and signed for each robot is in
//! `crate::channels`; which change raises which event, in the workflows.

use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use crate::domain::invalid::Invalid;

/// The kind of a channel: whose API its address speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ChannelKind {
    /// A WeCom (企业微信) group robot: `qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…`.
    Wecom,
    /// A DingTalk (钉钉) custom robot, signed with its "加签" secret.
    Dingtalk,
    /// A Feishu/Lark (飞书) custom bot, signed with its secret.
    Feishu,
    /// An integrator's HTTPS endpoint: JSON events signed with HMAC-SHA256.
    Webhook,
}

impl ChannelKind {
    pub const ALL: [ChannelKind; 4] = [
        ChannelKind::Wecom,
        ChannelKind::Dingtalk,
        ChannelKind::Feishu,
        ChannelKind::Webhook,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ChannelKind::Wecom => "wecom",
            ChannelKind::Dingtalk => "dingtalk",
            ChannelKind::Feishu => "feishu",
            ChannelKind::Webhook => "webhook",
        }
    }

    pub fn parse(code: &str) -> Result<ChannelKind, Invalid> {
        ChannelKind::ALL
            .into_iter()
            .find(|k| k.code() == code)
            .ok_or_else(|| Invalid::field("kind", "must be one of wecom, dingtalk, feishu, webhook"))
    }

    /// The hosts the robot's own service answers on. A robot's address
    /// elsewhere is a mistake (or an attempt to reach something else), so it
    /// is refused unless the deployment allows private addresses (a private
    /// WeCom installation, or tests).
    pub fn official_hosts(self) -> &'static [&'static str] {
        match self {
            ChannelKind::Wecom => &["qyapi.weixin.qq.com"],
            ChannelKind::Dingtalk => &["oapi.dingtalk.com"],
            ChannelKind::Feishu => &["open.feishu.cn", "open.larksuite.com"],
            ChannelKind::Webhook => &[],
        }
    }

    /// What a channel of this kind is told when its admin does not choose,
    /// in the order of [`Topic`]. A group chat gets the notices about
    /// shared work: every booking made or cancelled would drown it. A
    /// webhook's receiver is a system and gets everything.
    pub fn default_topics(self) -> Vec<Topic> {
        match self {
            ChannelKind::Webhook => Topic::LISTENABLE.to_vec(),
            _ => Topic::LISTENABLE
                .into_iter()
                .filter(|t| !matches!(t, Topic::BookingCreated | Topic::BookingCancelled))
                .collect(),
        }
    }

    /// Whether a signing secret is part of the robot's set-up. WeCom's
    /// group robot has none: its key is in the address. For the others it
    /// may be left out (DingTalk and Feishu also allow keyword or IP checks
    /// instead), except a webhook, whose receiver can trust nothing else.
    pub fn secret_rule(self) -> SecretRule {
        match self {
            ChannelKind::Wecom => SecretRule::None,
            ChannelKind::Dingtalk | ChannelKind::Feishu => SecretRule::Optional,
            ChannelKind::Webhook => SecretRule::Required,
        }
    }
}

/// The ways a notice reaches one person, each chosen per kind of notice in
/// her settings. E-mail is the only one built; SMS through a provider's
/// adapter is described in `docs/notifications.md`. A site's robots are
/// not among them: they speak to a group, and the site admin sets them up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum PersonalChannel {
    Email,
}

impl PersonalChannel {
    pub const ALL: [PersonalChannel; 1] = [PersonalChannel::Email];

    pub fn code(self) -> &'static str {
        match self {
            PersonalChannel::Email => "email",
        }
    }

    pub fn parse(field: &str, code: &str) -> Result<PersonalChannel, Invalid> {
        PersonalChannel::ALL
            .into_iter()
            .find(|c| c.code() == code)
            .ok_or_else(|| Invalid::field(field, "no such channel; e-mail (`email`) is the one there is"))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecretRule {
    None,
    Optional,
    Required,
}

/// What a channel can be told of: the event types of webhooks, and the
/// notices posted by robots. Stable codes; webhooks' receivers switch on
/// them.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
pub enum Topic {
    /// A booking was made (confirmed or waiting for approval).
    #[serde(rename = "booking.created")]
    BookingCreated,
    /// A booking was cancelled by its owner or an admin.
    #[serde(rename = "booking.cancelled")]
    BookingCancelled,
    /// Urgent work took a booking's place (the reason stays private).
    #[serde(rename = "booking.displaced")]
    BookingDisplaced,
    /// A front-desk rota was published.
    #[serde(rename = "rota.published")]
    RotaPublished,
    /// A published rota changed: a shift edited or taken over.
    #[serde(rename = "rota.changed")]
    RotaChanged,
    /// A duty date a day away is still short of volunteers.
    #[serde(rename = "duty.uncovered")]
    DutyUncovered,
    /// A duty date announced as uncovered has its volunteers now.
    #[serde(rename = "duty.covered")]
    DutyCovered,
    /// A room or computer was closed for a time (blackout).
    #[serde(rename = "resource.blackout")]
    ResourceBlackout,
    /// Sent only by an admin's "send a test" and not listened to.
    #[serde(rename = "channel.test")]
    ChannelTest,
}

impl Topic {
    /// The topics a channel may listen to (the test is sent on demand).
    pub const LISTENABLE: [Topic; 8] = [
        Topic::BookingCreated,
        Topic::BookingCancelled,
        Topic::BookingDisplaced,
        Topic::RotaPublished,
        Topic::RotaChanged,
        Topic::DutyUncovered,
        Topic::DutyCovered,
        Topic::ResourceBlackout,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Topic::BookingCreated => "booking.created",
            Topic::BookingCancelled => "booking.cancelled",
            Topic::BookingDisplaced => "booking.displaced",
            Topic::RotaPublished => "rota.published",
            Topic::RotaChanged => "rota.changed",
            Topic::DutyUncovered => "duty.uncovered",
            Topic::DutyCovered => "duty.covered",
            Topic::ResourceBlackout => "resource.blackout",
            Topic::ChannelTest => "channel.test",
        }
    }

    pub fn from_code(code: &str) -> Option<Topic> {
        Topic::LISTENABLE
            .into_iter()
            .chain([Topic::ChannelTest])
            .find(|t| t.code() == code)
    }
}

/// Reads a list of topic codes: known, listenable, at least one, each
/// once, kept in a stable order.
pub fn parse_topics(field: &str, codes: &[String]) -> Result<Vec<Topic>, Invalid> {
    let mut invalid = Invalid::default();
    let mut topics = Vec::new();
    for (i, code) in codes.iter().enumerate() {
        match Topic::from_code(code.trim()) {
            Some(t) if Topic::LISTENABLE.contains(&t) => topics.push(t),
            _ => invalid.push(
                format!("{field}[{i}]"),
                format!(
                    "unknown topic; one of {}",
                    Topic::LISTENABLE.map(Topic::code).join(", ")
                ),
            ),
        }
    }
    if codes.is_empty() {
        invalid.push(field, "choose at least one topic");
    }
    invalid.into_result()?;
    topics.sort();
    topics.dedup();
    Ok(topics)
}

/// Topics as stored: comma-separated codes.
pub fn join_topics(topics: &[Topic]) -> String {
    topics.iter().map(|t| t.code()).collect::<Vec<_>>().join(",")
}

/// Stored topics back; unknown codes (from a newer version) are skipped.
pub fn split_topics(stored: &str) -> Vec<Topic> {
    stored
        .split(',')
        .filter_map(|c| Topic::from_code(c.trim()))
        .collect()
}

/// Whether a stored topic list names `topic`.
pub fn listens(stored: &str, topic: Topic) -> bool {
    stored.split(',').any(|c| c.trim() == topic.code())
}

/// Checks the address of a channel of `kind`.
///
/// - `https` only, unless `allow_private` (a deployment's own setting).
/// - A robot's address must be on its service's host (see
///   [`ChannelKind::official_hosts`]), unless `allow_private`.
/// - No user name or password in it, at most 2,000 characters.
/// - Unless `allow_private`, no loopback, private, link-local or
///   unspecified IP literal and no `localhost`: the server must not be
///   turned into a way to reach its own network. (A name that resolves to
///   such an address is refused when a message is sent, since what a name
///   resolves to can change: `crate::channels`.)
pub fn parse_url(kind: ChannelKind, raw: &str, allow_private: bool) -> Result<url::Url, Invalid> {
    let field = "url";
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(Invalid::field(field, "must not be empty"));
    }
    if raw.len() > 2000 {
        return Err(Invalid::field(field, "must be at most 2000 characters"));
    }
    let url = url::Url::parse(raw).map_err(|e| Invalid::field(field, format!("not an address: {e}")))?;
    match url.scheme() {
        "https" => {}
        "http" if allow_private => {}
        "http" => return Err(Invalid::field(field, "must start with https://")),
        _ => return Err(Invalid::field(field, "must start with https://")),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Invalid::field(field, "must not carry a user name or password"));
    }
    let Some(host) = url.host() else {
        return Err(Invalid::field(field, "must name a host"));
    };
    if !allow_private {
        let private = match host {
            url::Host::Domain(d) => {
                let d = d.trim_end_matches('.').to_ascii_lowercase();
                d == "localhost" || d.ends_with(".localhost")
            }
            url::Host::Ipv4(ip) => is_private(IpAddr::V4(ip)),
            url::Host::Ipv6(ip) => is_private(IpAddr::V6(ip)),
        };
        if private {
            return Err(Invalid::field(
                field,
                "must be an address on the internet, not a local one",
            ));
        }
        let official = kind.official_hosts();
        if !official.is_empty() {
            let name = url.host_str().unwrap_or_default().to_ascii_lowercase();
            if !official.contains(&name.as_str()) {
                return Err(Invalid::field(
                    field,
                    format!(
                        "a {} robot's address is on {}",
                        kind.code(),
                        official.join(" or ")
                    ),
                ));
            }
        }
    }
    let query_has = |name: &str| url.query_pairs().any(|(k, v)| k == name && !v.is_empty());
    match kind {
        ChannelKind::Wecom if !query_has("key") => Err(Invalid::field(
            field,
            "a WeCom robot's address ends in ?key=…; copy it whole from the robot's settings",
        )),
        ChannelKind::Dingtalk if !query_has("access_token") => Err(Invalid::field(
            field,
            "a DingTalk robot's address ends in ?access_token=…; copy it whole from the robot's settings",
        )),
        _ => Ok(url),
    }
}

/// Whether `ip` is on the server's own side: loopback, private,
/// link-local, unspecified, broadcast or carrier-grade NAT (and their
/// IPv4-mapped IPv6 forms).
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                // 100.64.0.0/10, carrier-grade NAT: private in practice.
                || (v4.octets()[0] == 100 && (v4.octets()[1] & 0xc0) == 64)
        }
        IpAddr::V6(v6) => {
            v6.is_loopback()
                || v6.is_unspecified()
                // fc00::/7 unique local, fe80::/10 link-local.
                || (v6.segments()[0] & 0xfe00) == 0xfc00
                || (v6.segments()[0] & 0xffc0) == 0xfe80
                || v6.to_ipv4_mapped().is_some_and(|v4| is_private(IpAddr::V4(v4)))
        }
    }
}

/// What the API and the pages show of an address: scheme, host and path,
/// with every query value hidden but its last four characters (when it is
/// long enough to spare them), and the last path segment too unless it is
/// a short word. The
/// key of a WeCom robot, a DingTalk token or a Feishu hook id is the
/// credential itself, so none of it is shown whole.
pub fn url_hint(stored: &str) -> String {
    let Ok(url) = url::Url::parse(stored) else {
        return "…".to_owned();
    };
    let mut path: Vec<String> = url.path().split('/').map(str::to_owned).collect();
    // A word such as `send` or `hook` is kept; anything like an id is not.
    if let Some(last) = path.last_mut()
        && (last.chars().count() >= 12 || last.chars().any(|c| !c.is_ascii_alphabetic()))
    {
        *last = mask(last);
    }
    let mut hint = format!(
        "{}://{}{}",
        url.scheme(),
        url.host_str().unwrap_or_default(),
        url.port().map(|p| format!(":{p}")).unwrap_or_default()
    );
    hint.push_str(&path.join("/"));
    let query: Vec<String> = url
        .query_pairs()
        .map(|(k, v)| format!("{k}={}", mask(&v)))
        .collect();
    if !query.is_empty() {
        hint.push('?');
        hint.push_str(&query.join("&"));
    }
    hint
}

/// Keeps at most the last 4 characters of a value of 12 or more, else none.
fn mask(value: &str) -> String {
    let n = value.chars().count();
    if n == 0 {
        return String::new();
    }
    if n < 12 {
        return "…".to_owned();
    }
    let tail: String = value.chars().skip(n - 4).collect();
    format!("…{tail}")
}

/// Checks a signing secret: printable, no spaces, 8 to 200 characters.
pub fn parse_secret(raw: &str) -> Result<String, Invalid> {
    let s = raw.trim();
    let n = s.chars().count();
    if !(8..=200).contains(&n) {
        return Err(Invalid::field("secret", "must be 8 to 200 characters"));
    }
    if s.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(Invalid::field(
            "secret",
            "must not contain spaces or control characters",
        ));
    }
    Ok(s.to_owned())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn robot_addresses_must_be_their_services() {
        let wecom =
            "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa";
        assert!(parse_url(ChannelKind::Wecom, wecom, false).is_ok());
        assert!(parse_url(ChannelKind::Dingtalk, wecom, false).is_err());
        let no_key = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send";
        assert!(parse_url(ChannelKind::Wecom, no_key, false).is_err());
        let ding = "https://oapi.dingtalk.com/robot/send?access_token=abc123";
        assert!(parse_url(ChannelKind::Dingtalk, ding, false).is_ok());
        let feishu = "https://open.feishu.cn/open-apis/bot/v2/hook/xxxxxxxx";
        assert!(parse_url(ChannelKind::Feishu, feishu, false).is_ok());
        assert!(
            parse_url(
                ChannelKind::Feishu,
                "http://open.feishu.cn/open-apis/bot/v2/hook/x",
                false
            )
            .is_err()
        );
    }

    #[test]
    fn local_addresses_are_refused_unless_allowed() {
        for raw in [
            "https://127.0.0.1/hook",
            "https://localhost/hook",
            "https://10.1.2.3/hook",
            "https://192.168.1.1/hook",
            "https://169.254.169.254/latest/meta-data",
            "https://[::1]/hook",
            "https://[fd00::1]/hook",
            "https://[::ffff:127.0.0.1]/hook",
            "https://0.0.0.0/hook",
            "https://user:pw@example.org/hook",
            "ftp://example.org/hook",
        ] {
            assert!(parse_url(ChannelKind::Webhook, raw, false).is_err(), "{raw}");
        }
        assert!(parse_url(ChannelKind::Webhook, "https://example.org/hook", false).is_ok());
        assert!(parse_url(ChannelKind::Webhook, "http://127.0.0.1:9000/hook", true).is_ok());
        let local_wecom = "http://127.0.0.1:9000/cgi-bin/webhook/send?key=k";
        assert!(parse_url(ChannelKind::Wecom, local_wecom, true).is_ok());
    }

    #[test]
    fn hints_hide_the_credential() {
        let hint = url_hint(
            "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa",
        );
        assert_eq!(hint, "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…5aaa");
        let hint = url_hint("https://open.feishu.cn/open-apis/bot/v2/hook/0123456789abcdef");
        assert_eq!(hint, "https://open.feishu.cn/open-apis/bot/v2/hook/…cdef");
        assert_eq!(
            url_hint("https://example.org/x?t=short"),
            "https://example.org/x?t=…"
        );
        assert_eq!(
            url_hint("https://example.org/hooks/a1b2c3"),
            "https://example.org/hooks/…"
        );
    }

    #[test]
    fn a_group_is_not_told_of_every_booking_by_default() {
        let group = ChannelKind::Wecom.default_topics();
        assert_eq!(
            group,
            [
                Topic::BookingDisplaced,
                Topic::RotaPublished,
                Topic::RotaChanged,
                Topic::DutyUncovered,
                Topic::DutyCovered,
                Topic::ResourceBlackout
            ]
        );
        assert_eq!(ChannelKind::Webhook.default_topics(), Topic::LISTENABLE);
    }

    #[test]
    fn topics_parse_known_codes_once() {
        let codes = ["rota.published", "duty.uncovered", "rota.published"].map(str::to_owned);
        assert_eq!(
            parse_topics("topics", &codes).unwrap(),
            vec![Topic::RotaPublished, Topic::DutyUncovered]
        );
        let bad = ["rota.published", "nope", "channel.test"].map(str::to_owned);
        let err = parse_topics("topics", &bad).unwrap_err();
        let fields: Vec<&str> = err.fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["topics[1]", "topics[2]"]);
        assert!(parse_topics("topics", &[]).is_err());
    }

    proptest! {
        /// Whatever an address holds, its hint never contains a query value
        /// or last path segment of 12+ characters whole.
        #[test]
        fn a_hint_never_shows_a_long_secret(secret in "[A-Za-z0-9_-]{12,64}") {
            for raw in [
                format!("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={secret}"),
                format!("https://open.feishu.cn/open-apis/bot/v2/hook/{secret}"),
                format!("https://example.org/hooks/{secret}?sig={secret}"),
            ] {
                prop_assert!(!url_hint(&raw).contains(&secret));
            }
        }

        /// Stored topics read back as they were chosen.
        #[test]
        fn topics_round_trip(picks in proptest::collection::vec(0usize..8, 1..8)) {
            let codes: Vec<String> = picks.iter().map(|&i| Topic::LISTENABLE[i].code().to_owned()).collect();
            let topics = parse_topics("topics", &codes).unwrap();
            prop_assert_eq!(split_topics(&join_topics(&topics)), topics.clone());
            for t in Topic::LISTENABLE {
                prop_assert_eq!(listens(&join_topics(&topics), t), topics.contains(&t));
            }
        }
    }
}
