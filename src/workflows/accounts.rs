//! A person's own account settings that are not about signing in.

use std::collections::{BTreeMap, BTreeSet};

use crate::db::DbConn;
use crate::errors::ApiError;
use crate::store::users;

/// Turns kinds of mail on (`true`) or off for `user_id`; kinds left out
/// keep their setting. Returns the stored opt-out list (comma-separated
/// kind codes). The codes are checked by the caller.
pub fn set_mail_preferences(
    conn: &mut DbConn,
    user_id: i64,
    kinds: BTreeMap<String, bool>,
) -> Result<String, ApiError> {
    let current = users::by_id(conn, user_id)?
        .map(|u| u.mail_opt_out)
        .unwrap_or_default();
    let mut off: BTreeSet<String> = current
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    for (code, wanted) in kinds {
        if wanted {
            off.remove(&code);
        } else {
            off.insert(code);
        }
    }
    let joined = off.into_iter().collect::<Vec<_>>().join(",");
    users::set_mail_opt_out(conn, user_id, &joined)?;
    Ok(joined)
}

/// An operator makes an account a district observer (`true`) or an
/// ordinary one again; the account's id, or 404.
pub fn set_observer(
    conn: &mut DbConn,
    caller: crate::domain::policy::Caller,
    user_id: i64,
    observer: bool,
) -> Result<users::User, ApiError> {
    if !caller.operator {
        return Err(ApiError::forbidden("Only a deployment operator may do this."));
    }
    if users::set_observer(conn, user_id, observer)? == 0 {
        return Err(ApiError::not_found("account"));
    }
    users::by_id(conn, user_id)?.ok_or_else(|| ApiError::not_found("account"))
}
