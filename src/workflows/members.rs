//! The people of a site: adding them (a new account with an invitation,
//! or a new membership for an existing account), changing their roles,
//! skills and shift limit, and removing them.

use std::collections::HashMap;

use chrono::{Duration, NaiveDateTime};

use crate::auth::secret;
use crate::db::DbConn;
use crate::domain::person::{Language, Roles};
use crate::domain::policy;
use crate::errors::ApiError;
use crate::notify::Notifier;
use crate::store::access::SiteAccess;
use crate::store::sessions;
use crate::store::users::{self, Membership, NewUser, User};

/// How long an invitation link stays valid.
pub const INVITATION_DAYS: i64 = 7;

/// A validated request to add a member.
pub struct NewMember {
    pub email: String,
    pub name: String,
    /// A name in a second language, beside `name`.
    pub other_name: Option<String>,
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

/// A member of a site as the members API shows them.
pub struct Member {
    pub user: User,
    pub membership: Membership,
    pub skills: Vec<String>,
}

/// A validated change to a membership; `None` keeps a setting.
pub struct MemberChange {
    pub roles: Option<Roles>,
    pub senior: Option<bool>,
    /// `Some(None)` lifts the limit.
    pub max_shifts_per_week: Option<Option<i32>>,
    /// Replaces the person's skills.
    pub skills: Option<Vec<String>>,
}

/// Adds a person to site `site_id`: a new account, or a membership for an
/// account that exists (which keeps its own password). An account without
/// a password gets an invitation token; telling the person is the
/// caller's part (the demo and test set-ups tell nobody).
pub fn add_to_site(
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
                other_name: new.other_name.as_deref(),
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

/// Adds a person to the caller's site (site admin) and mails the
/// invitation when they have no password yet.
pub fn add(
    conn: &mut DbConn,
    access: &SiteAccess,
    new: NewMember,
    notifier: &Notifier,
    now: NaiveDateTime,
) -> Result<Member, ApiError> {
    access.require_admin()?;
    let added = add_to_site(conn, access.site.id, new, now)?;
    if let Some((token, expires)) = &added.invitation {
        notifier.invitation(conn, &added.user, &access.site, token, *expires, now)?;
    }
    // An existing account keeps the skills it had, so read them back.
    let skills = users::skills(conn, added.user.id)?;
    Ok(Member {
        user: added.user,
        membership: added.membership,
        skills,
    })
}

/// The site's members in id order, a page at a time (staff and admins).
pub fn list(
    conn: &mut DbConn,
    access: &SiteAccess,
    after_id: i64,
    limit: i64,
) -> Result<Vec<Member>, ApiError> {
    access.require_staff_or_admin()?;
    let rows = users::members_of_site(conn, access.site.id, after_id, limit)?;
    let ids: Vec<i64> = rows.iter().map(|(u, _)| u.id).collect();
    let mut skills: HashMap<i64, Vec<String>> = HashMap::new();
    for (id, skill) in users::skills_of(conn, &ids)? {
        skills.entry(id).or_default().push(skill);
    }
    Ok(rows
        .into_iter()
        .map(|(user, membership)| Member {
            skills: skills.remove(&user.id).unwrap_or_default(),
            user,
            membership,
        })
        .collect())
}

/// Member `user_id` as the caller may see them: themselves, or anyone for
/// staff and admins.
pub fn seen_by(conn: &mut DbConn, access: &SiteAccess, user_id: i64) -> Result<Member, ApiError> {
    access.may_see_member(user_id)?;
    member(conn, access.site.id, user_id)
}

/// Member `user_id` of site `site_id`; anyone else is "not found".
pub fn member(conn: &mut DbConn, site_id: i64, user_id: i64) -> Result<Member, ApiError> {
    let membership =
        users::membership(conn, site_id, user_id)?.ok_or_else(|| ApiError::not_found("member"))?;
    let user = users::by_id(conn, user_id)?.ok_or_else(|| ApiError::not_found("member"))?;
    let skills = users::skills(conn, user_id)?;
    Ok(Member {
        user,
        membership,
        skills,
    })
}

/// A site must keep at least one admin: nobody else could add people,
/// change roles or undo this.
fn keep_an_admin(
    conn: &mut DbConn,
    site_id: i64,
    current: &Membership,
    stays_admin: bool,
) -> Result<(), ApiError> {
    if policy::leaves_no_admin(current.is_admin, stays_admin, || {
        users::admin_count(conn, site_id)
    })? {
        return Err(ApiError::conflict("A site must keep at least one admin."));
    }
    Ok(())
}

/// Changes member `user_id`'s roles, seniority, shift limit or skills
/// (site admin).
pub fn change(
    conn: &mut DbConn,
    access: &SiteAccess,
    user_id: i64,
    change: MemberChange,
) -> Result<Member, ApiError> {
    access.require_admin()?;
    let site_id = access.site.id;
    let current = users::membership(conn, site_id, user_id)?.ok_or_else(|| ApiError::not_found("member"))?;
    let roles = change.roles.unwrap_or(current.roles());
    keep_an_admin(conn, site_id, &current, roles.admin)?;
    users::update_membership(
        conn,
        site_id,
        user_id,
        roles,
        change.senior.unwrap_or(current.senior),
    )?;
    // Range-checked here rather than by the caller so that a missing
    // member or a lost last admin is reported before a bad limit.
    if let Some(limit) = change.max_shifts_per_week {
        if limit.is_some_and(|l| !(0..=14).contains(&l)) {
            return Err(ApiError::invalid(
                "max_shifts_per_week",
                "must be between 0 and 14, or null",
            ));
        }
        users::set_max_shifts(conn, site_id, user_id, limit)?;
    }
    if let Some(skills) = change.skills {
        users::set_skills(conn, user_id, &skills)?;
    }
    member(conn, site_id, user_id)
}

/// Removes member `user_id` from the site (site admin). Their account and
/// history stay; they simply no longer belong here.
pub fn remove(conn: &mut DbConn, access: &SiteAccess, user_id: i64) -> Result<(), ApiError> {
    access.require_admin()?;
    let current =
        users::membership(conn, access.site.id, user_id)?.ok_or_else(|| ApiError::not_found("member"))?;
    keep_an_admin(conn, access.site.id, &current, false)?;
    users::delete_membership(conn, access.site.id, user_id)?;
    Ok(())
}
