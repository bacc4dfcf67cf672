//! A site admin's robots and webhooks: add, change (an address or a secret
//! is replaced, never shown), turn off, remove, send a test, and read what
//! was sent. Every change also rewrites the site's summary of the topics
//! its active channels listen to, in the same transaction, so the changes
//! that announce never query for channels at a site that has none.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Serialize;

use crate::db::DbConn;
use crate::domain::channel::{self, ChannelKind, SecretRule, Topic};
use crate::domain::invalid::{Invalid, text};
use crate::errors::ApiError;
use crate::notify::Notifier;
use crate::store::access::SiteAccess;
use crate::store::channels::{self as rows, ChannelRow, NewChannel};
use crate::store::outbox::{self, OutboxRow};

/// A channel as its admins see it: everything but the credential.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ChannelView {
    pub id: i64,
    pub kind: ChannelKind,
    pub name: String,
    /// The address with its key, token or hook id hidden
    /// (`…/send?key=…5aaa`): enough to tell two robots apart.
    pub url_hint: String,
    /// Whether a signing secret is set. The secret itself is never shown.
    pub has_secret: bool,
    pub topics: Vec<Topic>,
    /// Off: nothing is queued for it, and what is queued is not sent.
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl ChannelView {
    fn of(row: &ChannelRow) -> ChannelView {
        ChannelView {
            id: row.id,
            kind: ChannelKind::parse(&row.kind).unwrap_or(ChannelKind::Webhook),
            name: row.name.clone(),
            url_hint: channel::url_hint(&row.url),
            has_secret: row.secret.is_some(),
            topics: channel::split_topics(&row.topics),
            active: row.active,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
        }
    }
}

/// One message queued for a channel, and what became of it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct DeliveryView {
    pub id: i64,
    /// The topic's code (`rota.published`, `channel.test`).
    pub topic: String,
    pub subject: String,
    /// `pending`, `sent` or `dead` (gave up after every attempt).
    pub status: String,
    pub attempts: i32,
    /// Why the last attempt failed (the receiver's answer); never the
    /// address.
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub sent_at: Option<DateTime<Utc>>,
}

impl DeliveryView {
    pub fn of(row: &OutboxRow) -> DeliveryView {
        DeliveryView {
            id: row.id,
            topic: row.kind.clone(),
            subject: row.subject.clone(),
            status: row.status.clone(),
            attempts: row.attempts,
            last_error: row.last_error.clone(),
            created_at: row.created_at.and_utc(),
            next_attempt_at: (row.status == "pending").then(|| row.next_attempt_at.and_utc()),
            sent_at: row.sent_at.map(|t| t.and_utc()),
        }
    }
}

/// A new channel as asked for, unchecked.
#[derive(Clone, Debug, Default)]
pub struct NewChannelInput {
    pub kind: String,
    pub name: String,
    pub url: String,
    pub secret: Option<String>,
    /// `None`: the kind's defaults (a group's notices; every topic for a
    /// webhook).
    pub topics: Option<Vec<String>>,
}

/// Changes to a channel, unchecked; `None` keeps each.
#[derive(Clone, Debug, Default)]
pub struct ChannelChanges {
    pub name: Option<String>,
    /// Replaces the address.
    pub url: Option<String>,
    /// `Some(Some)` replaces the secret, `Some(None)` removes it.
    pub secret: Option<Option<String>>,
    pub topics: Option<Vec<String>>,
    pub active: Option<bool>,
}

/// Whether the deployment lets robots and webhooks reach private
/// addresses (`LIVINGROOM_CHANNEL_ALLOW_PRIVATE`).
#[derive(Clone, Copy, Debug)]
pub struct AddressRule {
    pub allow_private: bool,
}

fn check_secret(kind: ChannelKind, secret: Option<&str>, invalid: &mut Invalid) -> Option<Option<String>> {
    match (kind.secret_rule(), secret) {
        (SecretRule::None, Some(_)) => {
            invalid.push(
                "secret",
                "a WeCom group robot has no signing secret; its key is in the address",
            );
            None
        }
        (SecretRule::Required, None) => {
            invalid.push(
                "secret",
                "a webhook needs a secret to sign with (at least 8 characters), so its receiver can trust it",
            );
            None
        }
        (_, None) => Some(None),
        (_, Some(s)) => invalid.collect(channel::parse_secret(s)).map(Some),
    }
}

fn topics_or_default(
    kind: ChannelKind,
    topics: Option<&[String]>,
    invalid: &mut Invalid,
) -> Option<Vec<Topic>> {
    match topics {
        Some(codes) => invalid.collect(channel::parse_topics("topics", codes)),
        None => Some(kind.default_topics()),
    }
}

/// The site's channels (site admins).
pub fn list(conn: &mut DbConn, access: &SiteAccess) -> Result<Vec<ChannelView>, ApiError> {
    access.require_admin()?;
    Ok(rows::list(conn, access.site.id)?
        .iter()
        .map(ChannelView::of)
        .collect())
}

/// One of the site's channels (site admins).
pub fn get(conn: &mut DbConn, access: &SiteAccess, id: i64) -> Result<ChannelView, ApiError> {
    access.require_admin()?;
    Ok(ChannelView::of(&rows::by_id(conn, access.site.id, id)?))
}

/// Adds a robot or webhook to the site (site admins).
pub fn create(
    conn: &mut DbConn,
    access: &SiteAccess,
    input: NewChannelInput,
    rule: AddressRule,
    now: NaiveDateTime,
) -> Result<ChannelView, ApiError> {
    access.require_admin()?;
    let mut invalid = Invalid::default();
    let kind = invalid.collect(ChannelKind::parse(input.kind.trim()));
    let name = invalid.collect(text("name", &input.name, 60));
    let (url, secret, topics) = match kind {
        Some(kind) => (
            invalid.collect(channel::parse_url(kind, &input.url, rule.allow_private)),
            check_secret(kind, input.secret.as_deref(), &mut invalid),
            topics_or_default(kind, input.topics.as_deref(), &mut invalid),
        ),
        None => (None, None, None),
    };
    // Each part left out above named its field in `invalid`.
    let (Some(kind), Some(name), Some(url), Some(secret), Some(topics)) = (kind, name, url, secret, topics)
    else {
        return Err(invalid.into());
    };
    if rows::list(conn, access.site.id)?.iter().any(|c| c.name == name) {
        return Err(ApiError::conflict(format!(
            "This site has a channel named '{name}' already; give this one another name."
        )));
    }
    let id = rows::insert(
        conn,
        &NewChannel {
            site_id: access.site.id,
            kind: kind.code(),
            name: &name,
            url: url.as_str(),
            secret: secret.as_deref(),
            topics: &channel::join_topics(&topics),
        },
        now,
    )?;
    refresh_site_topics(conn, access.site.id)?;
    get(conn, access, id)
}

/// Changes a channel (site admins): a new address or secret replaces the
/// old one, which is not shown before or after.
pub fn update(
    conn: &mut DbConn,
    access: &SiteAccess,
    id: i64,
    changes: ChannelChanges,
    rule: AddressRule,
    now: NaiveDateTime,
) -> Result<ChannelView, ApiError> {
    access.require_admin()?;
    let mut row = rows::by_id(conn, access.site.id, id)?;
    let kind = ChannelKind::parse(&row.kind)?;
    let mut invalid = Invalid::default();
    if let Some(name) = &changes.name
        && let Some(name) = invalid.collect(text("name", name, 60))
    {
        row.name = name;
    }
    if let Some(url) = &changes.url
        && let Some(url) = invalid.collect(channel::parse_url(kind, url, rule.allow_private))
    {
        row.url = url.into();
    }
    if let Some(secret) = &changes.secret
        && let Some(secret) = check_secret(kind, secret.as_deref(), &mut invalid)
    {
        row.secret = secret;
    }
    if let Some(codes) = &changes.topics
        && let Some(topics) = invalid.collect(channel::parse_topics("topics", codes))
    {
        row.topics = channel::join_topics(&topics);
    }
    if let Some(active) = changes.active {
        row.active = active;
    }
    invalid.into_result()?;
    if rows::list(conn, access.site.id)?
        .iter()
        .any(|c| c.id != row.id && c.name == row.name)
    {
        return Err(ApiError::conflict(format!(
            "This site has a channel named '{}' already.",
            row.name
        )));
    }
    rows::update(conn, &row, now)?;
    refresh_site_topics(conn, access.site.id)?;
    get(conn, access, id)
}

/// Removes a channel with its queue and its record of messages.
pub fn remove(conn: &mut DbConn, access: &SiteAccess, id: i64) -> Result<(), ApiError> {
    access.require_admin()?;
    rows::by_id(conn, access.site.id, id)?;
    rows::delete(conn, access.site.id, id)?;
    refresh_site_topics(conn, access.site.id)
}

/// Queues a test message to the channel, on or off; returns it.
pub fn send_test(
    conn: &mut DbConn,
    access: &SiteAccess,
    id: i64,
    notifier: &Notifier,
    now: NaiveDateTime,
) -> Result<DeliveryView, ApiError> {
    access.require_admin()?;
    let row = rows::by_id(conn, access.site.id, id)?;
    if !row.active {
        return Err(ApiError::conflict(
            "This channel is turned off; turn it on to send it a test.",
        ));
    }
    let key = notifier.channel_test(conn, &access.site, &row, now)?;
    let queued = outbox::by_event_key(conn, &key)?
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("the test message was not queued")))?;
    Ok(DeliveryView::of(&queued))
}

/// The channel's messages, newest first, before message `before` (0: the
/// newest), at most `limit`.
pub fn deliveries(
    conn: &mut DbConn,
    access: &SiteAccess,
    id: i64,
    before: i64,
    limit: i64,
) -> Result<Vec<DeliveryView>, ApiError> {
    access.require_admin()?;
    rows::by_id(conn, access.site.id, id)?;
    Ok(outbox::of_channel(conn, id, before, limit)?
        .iter()
        .map(DeliveryView::of)
        .collect())
}

/// Rewrites `sites.channel_topics` from the site's active channels.
fn refresh_site_topics(conn: &mut DbConn, site_id: i64) -> Result<(), ApiError> {
    let mut topics: Vec<Topic> = rows::active(conn, site_id)?
        .iter()
        .flat_map(|c| channel::split_topics(&c.topics))
        .collect();
    topics.sort();
    topics.dedup();
    rows::set_site_topics(conn, site_id, &channel::join_topics(&topics))
}
