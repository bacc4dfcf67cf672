//! Adding people to a site: a new account, or a new membership for an
//! existing one. Used by the members API and the demo loader.

use chrono::{Duration, NaiveDateTime};

use crate::auth::secret;
use crate::db::DbConn;
use crate::domain::person::{Language, Roles};
use crate::errors::ApiError;
use crate::store::sessions;
use crate::store::users::{self, Membership, NewUser, User};

/// How long an invitation link stays valid.
pub const INVITATION_DAYS: i64 = 7;

/// A validated request to add a member.
pub struct NewMember {
    pub email: String,
    pub name: String,
    pub roles: Roles,
    pub skills: Vec<String>,
    /// Already hashed; `None` sends an invitation instead.
    pub password_hash: Option<String>,
    pub senior: bool,
    pub language: Language,
}

pub struct AddedMember {
    pub user: User,
    pub membership: Membership,
    /// The one-time invitation token, when the account has no password yet.
    pub invitation: Option<(String, NaiveDateTime)>,
}

pub fn add_member(
    conn: &mut DbConn,
    site_id: i64,
    new: NewMember,
    now: NaiveDateTime,
) -> Result<AddedMember, ApiError> {
    let user = match users::by_email(conn, &new.email)? {
        Some(existing) => {
            if users::membership(conn, site_id, existing.id)?.is_some() {
                return Err(ApiError::conflict(format!(
                    "{} is already a member of this site; change their roles instead.",
                    new.email
                )));
            }
            if new.password_hash.is_some() {
                return Err(ApiError::invalid(
                    "password",
                    "this person already has an account and keeps their own password; leave password out",
                ));
            }
            existing
        }
        None => users::insert(
            conn,
            &NewUser {
                email: &new.email,
                name: &new.name,
                password_hash: new.password_hash.as_deref(),
                language: new.language,
                is_operator: false,
            },
            now,
        )?,
    };
    users::add_skills(conn, user.id, &new.skills)?;
    let membership = users::insert_membership(conn, site_id, user.id, new.roles, new.senior, now)?;
    let invitation = if user.password_hash.is_none() {
        let (token, hash) = secret::generate();
        let expires = now + Duration::days(INVITATION_DAYS);
        sessions::insert_invitation(conn, user.id, site_id, &hash, now, expires)?;
        Some((token, expires))
    } else {
        None
    };
    Ok(AddedMember {
        user,
        membership,
        invitation,
    })
}
