//! A person's own page: what it shows (name, address, language, which
//! mail she gets, whether she has a calendar link) and the settings she
//! changes there herself. The JSON API's `me` routes call the same
//! functions, so a rule (which kinds of mail can be turned off) lives once.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;

use crate::db::DbConn;
use crate::domain::channel::PersonalChannel;
use crate::domain::person::Language;
use crate::errors::ApiError;
use crate::mail::templates::Kind;
use crate::store::access::site_access;
use crate::store::{resources, rota, sessions, users};
use crate::workflows::accounts;

/// Everything `/me` shows about its person.
pub struct MyAccount {
    pub name: String,
    pub other_name: Option<String>,
    pub email: String,
    pub language: Language,
    /// Kind code -> wanted, for every kind that can be turned off.
    pub mail: BTreeMap<String, bool>,
    /// When her live calendar link was made; `None` when she has none.
    pub feed_since: Option<NaiveDateTime>,
}

fn user(conn: &mut DbConn, user_id: i64) -> Result<users::User, ApiError> {
    users::by_id(conn, user_id)?.ok_or_else(|| ApiError::not_found("user"))
}

/// Security mail always goes out, so it is neither listed nor settable.
fn preferences_of(opt_out: &str) -> BTreeMap<String, bool> {
    let off: Vec<&str> = opt_out.split(',').map(str::trim).collect();
    Kind::ALL
        .into_iter()
        .filter(|k| !k.is_security())
        .map(|k| (k.code().to_owned(), !off.contains(&k.code())))
        .collect()
}

pub fn account(conn: &mut DbConn, user_id: i64) -> Result<MyAccount, ApiError> {
    let u = user(conn, user_id)?;
    Ok(MyAccount {
        language: u.language(),
        mail: preferences_of(&u.mail_opt_out),
        feed_since: rota::live_feed_since(conn, user_id)?,
        name: u.name,
        other_name: u.other_name,
        email: u.email,
    })
}

/// Which kinds of mail she gets.
pub fn mail_preferences(conn: &mut DbConn, user_id: i64) -> Result<BTreeMap<String, bool>, ApiError> {
    Ok(preferences_of(&user(conn, user_id)?.mail_opt_out))
}

/// Turns kinds of mail on or off (kinds left out keep their setting).
/// Security mail cannot be turned off; an unknown kind is refused.
pub fn set_mail_preferences(
    conn: &mut DbConn,
    user_id: i64,
    kinds: BTreeMap<String, bool>,
) -> Result<BTreeMap<String, bool>, ApiError> {
    for code in kinds.keys() {
        match Kind::from_code(code) {
            Some(k) if k.is_security() => {
                return Err(ApiError::invalid(
                    format!("kinds.{code}"),
                    "security mail cannot be turned off",
                ));
            }
            Some(_) => {}
            None => return Err(ApiError::invalid(format!("kinds.{code}"), "no such kind of mail")),
        }
    }
    let opt_out = accounts::set_mail_preferences(conn, user_id, kinds)?;
    Ok(preferences_of(&opt_out))
}

/// Channel code -> kind code -> wanted, for every channel a person has
/// (e-mail only, today) and every kind that can be turned off.
pub type NoticeSettings = BTreeMap<String, BTreeMap<String, bool>>;

fn by_channel(mail: BTreeMap<String, bool>) -> NoticeSettings {
    PersonalChannel::ALL
        .into_iter()
        .map(|c| match c {
            PersonalChannel::Email => (c.code().to_owned(), mail.clone()),
        })
        .collect()
}

/// How she is told of each kind of notice, channel by channel.
pub fn notice_settings(conn: &mut DbConn, user_id: i64) -> Result<NoticeSettings, ApiError> {
    Ok(by_channel(mail_preferences(conn, user_id)?))
}

/// Turns kinds of notice on or off per channel (left out: kept). An
/// unknown channel or kind is refused before anything is changed.
pub fn set_notice_settings(
    conn: &mut DbConn,
    user_id: i64,
    channels: NoticeSettings,
) -> Result<NoticeSettings, ApiError> {
    let mut invalid = crate::domain::invalid::Invalid::default();
    let mut parsed = Vec::new();
    for (code, kinds) in channels {
        if let Some(c) = invalid.collect(PersonalChannel::parse(&format!("channels.{code}"), &code)) {
            parsed.push((c, kinds));
        }
    }
    invalid.into_result()?;
    let mut mail = mail_preferences(conn, user_id)?;
    for (c, kinds) in parsed {
        match c {
            PersonalChannel::Email => mail = set_mail_preferences(conn, user_id, kinds)?,
        }
    }
    Ok(by_channel(mail))
}

/// The language of her pages and mail, from now on.
pub fn set_language(conn: &mut DbConn, user_id: i64, language: Language) -> Result<(), ApiError> {
    users::set_language(conn, user_id, language)
}

/// Her name as she gives it and the one in a second language: `None`
/// keeps each, `Some(None)` removes the second-language one.
pub fn set_names(
    conn: &mut DbConn,
    user_id: i64,
    name: Option<String>,
    other_name: Option<Option<String>>,
) -> Result<(), ApiError> {
    let u = user(conn, user_id)?;
    let name = name.unwrap_or(u.name);
    let other_name = other_name.unwrap_or(u.other_name);
    users::set_names(conn, user_id, &name, other_name.as_deref())
}

/// Ends every session of hers, web and API alike: a phone left behind or
/// a shared PC signed in somewhere is signed out at its next request.
pub fn sign_out_everywhere(conn: &mut DbConn, user_id: i64, now: NaiveDateTime) -> Result<(), ApiError> {
    sessions::revoke_all_sessions(conn, user_id, "signed out everywhere", now)
}

/// A computer to print a check-in sign for: its name, for the site's
/// admins and staff (the people who put signs up).
pub fn printable_resource(
    conn: &mut DbConn,
    slug: &str,
    caller: impl Into<crate::domain::policy::Caller>,
    resource_id: i64,
) -> Result<(String, String), ApiError> {
    let access = site_access(conn, slug, caller)?;
    access.require_staff_or_admin()?;
    let r = resources::by_id(conn, access.site.id, resource_id)?;
    Ok((access.site.name, r.name))
}
