//! The people of a site: inviting them, changing their roles, skills and
//! shift limit, and removing them.
//!
//! A site admin manages memberships, never accounts (issue 19, 2): adding
//! an address answers the same whether or not it has an account (an
//! invitation either way, the person a member only once they accept), the
//! skills and limits they set belong to this site's membership, and a
//! member view shows what the person gave this site and nothing of their
//! account elsewhere.

use std::collections::HashMap;

use chrono::{Duration, NaiveDateTime};

use crate::auth::secret;
use crate::db::DbConn;
use crate::domain::Invalid;
use crate::domain::person::{self, Email, Language, Role, Roles, Skill};
use crate::domain::policy;
use crate::errors::ApiError;
use crate::notify::Notifier;
use crate::store::access::SiteAccess;
use crate::store::sessions;
use crate::store::users::{self, Invited, Membership, NewUser, User};
use crate::workflows::calendar_feed;

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

/// A person to add as typed, before it is checked: the API's body and the
/// console's invitation form both become one, so both check alike.
pub struct Typed<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub other_name: Option<&'a str>,
    pub roles: &'a [Role],
    pub skills: &'a [String],
    pub senior: bool,
    pub language: Language,
}

impl NewMember {
    /// Every field checked at once (all mistakes, not the first). The
    /// password, when there is one, is hashed by the caller on the bounded
    /// password threads and set afterwards.
    pub fn parse(t: Typed<'_>) -> Result<NewMember, Invalid> {
        let mut invalid = Invalid::default();
        let email = invalid.collect(Email::parse(t.email));
        let name = invalid.collect(person::person_name(t.name));
        let other_name = match t.other_name {
            Some(o) => invalid.collect(person::other_name(o)).map(Some),
            None => Some(None),
        };
        let roles = invalid.collect(Roles::parse(t.roles));
        let skills = invalid.collect(Skill::parse_all(t.skills));
        match (email, name, other_name, roles, skills) {
            (Some(email), Some(name), Some(other_name), Some(roles), Some(skills)) if invalid.is_empty() => {
                Ok(NewMember {
                    email: email.as_str().to_owned(),
                    name,
                    other_name,
                    roles,
                    skills: skills.iter().map(|s| s.as_str().to_owned()).collect(),
                    password_hash: None,
                    senior: t.senior,
                    language: t.language,
                })
            }
            _ => Err(invalid),
        }
    }
}

pub struct AddedMember {
    pub user: User,
    pub membership: Membership,
    /// The one-time invitation token, when the account has no password yet.
    pub invitation: Option<(String, NaiveDateTime)>,
}

/// A member of a site, or someone invited to it, as the members API
/// shows them.
pub struct Member {
    pub user: User,
    pub membership: Membership,
    /// The skills given this site.
    pub skills: Vec<String>,
}

impl Member {
    /// The name the site sees: what its admin typed until the person
    /// joins (the site must not learn an account's name by guessing its
    /// address), then the person's own.
    pub fn name(&self) -> &str {
        match (&self.membership.joined_at, &self.membership.invited_name) {
            (None, Some(typed)) => typed,
            _ => &self.user.name,
        }
    }

    /// The language the site sees, on the same terms as [`Member::name`].
    pub fn language(&self) -> Language {
        match (&self.membership.joined_at, &self.membership.invited_language) {
            (None, Some(typed)) => Language::from_code(typed),
            _ => self.user.language(),
        }
    }

    /// The second-language name the site sees: what the admin typed for a
    /// new account; an existing account's own (one with a password) only
    /// once the person has joined, so a site inviting an address learns
    /// nothing of the account behind it.
    pub fn other_name(&self) -> Option<&str> {
        let invited_existing = self.membership.joined_at.is_none() && self.user.password_hash.is_some();
        if invited_existing {
            None
        } else {
            self.user.other_name.as_deref()
        }
    }

    /// Whether the person has accepted: joined the site, with a password.
    pub fn active(&self) -> bool {
        self.membership.joined_at.is_some() && self.user.password_hash.is_some()
    }
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

impl MemberChange {
    /// A change as typed (roles, skills, senior, weekly limit; each absent
    /// one kept as it is), every field checked at once: the API's body and
    /// the console's form become one the same way.
    pub fn parse(
        roles: Option<&[Role]>,
        skills: Option<&[String]>,
        senior: Option<bool>,
        max_shifts_per_week: Option<Option<i32>>,
    ) -> Result<MemberChange, Invalid> {
        let mut invalid = Invalid::default();
        let roles = roles.and_then(|r| invalid.collect(Roles::parse(r)));
        let skills = skills.and_then(|s| invalid.collect(Skill::parse_all(s)));
        invalid.into_result()?;
        Ok(MemberChange {
            roles,
            senior,
            max_shifts_per_week,
            skills: skills.map(|s| s.iter().map(|s| s.as_str().to_owned()).collect()),
        })
    }
}

/// Adds a person to site `site_id` at once, joined: a new account, or a
/// membership for an account that exists (which keeps its own password).
/// For seeding (the demo, tests), not for a site admin, who invites
/// instead ([`add`]). An account without a password gets an invitation
/// token; telling the person is the caller's part (the demo and test
/// set-ups tell nobody).
pub fn add_to_site(
    conn: &mut DbConn,
    site_id: i64,
    new: NewMember,
    now: NaiveDateTime,
) -> Result<AddedMember, ApiError> {
    let user = match users::by_email(conn, &new.email)? {
        Some(existing) => {
            if users::membership_any(conn, site_id, existing.id)?.is_some() {
                return Err(already_member(&new.email));
            }
            if new.password_hash.is_some() {
                return Err(keeps_own_password());
            }
            existing
        }
        None => new_account(conn, &new, now)?,
    };
    let membership = users::insert_membership(conn, site_id, user.id, new.roles, new.senior, now, None)?;
    users::set_skills(conn, site_id, user.id, &new.skills)?;
    let invitation = if user.password_hash.is_none() {
        Some(invite(conn, site_id, user.id, now)?)
    } else {
        None
    };
    Ok(AddedMember {
        user,
        membership,
        invitation,
    })
}

fn already_member(email: &str) -> ApiError {
    ApiError::conflict(format!(
        "{email} is already a member of this site, or invited to it; change their roles instead."
    ))
    .with("rule", "already_member")
}

fn keeps_own_password() -> ApiError {
    ApiError::invalid(
        "password",
        "this person already has an account and keeps their own password; leave password out",
    )
}

fn new_account(conn: &mut DbConn, new: &NewMember, now: NaiveDateTime) -> Result<User, ApiError> {
    users::insert(
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
    )
}

/// A one-time invitation to site `site_id`: the token and when it expires.
fn invite(
    conn: &mut DbConn,
    site_id: i64,
    user_id: i64,
    now: NaiveDateTime,
) -> Result<(String, NaiveDateTime), ApiError> {
    let (token, hash) = secret::generate();
    let expires = now + Duration::days(INVITATION_DAYS);
    sessions::insert_invitation(conn, user_id, site_id, &hash, now, expires)?;
    Ok((token, expires))
}

/// Invites a person to the caller's site (site admin). The answer is the
/// same whether or not the address has an account: an invited membership
/// showing what the admin typed, and an invitation mail (to set a
/// password, or to join with the one they have). Only an operator may set
/// a password for a new account, which then joins at once: a site admin
/// who could would learn from the refusal that an address has an account.
pub fn add(
    conn: &mut DbConn,
    access: &SiteAccess,
    new: NewMember,
    notifier: &Notifier,
    now: NaiveDateTime,
) -> Result<Member, ApiError> {
    access.require_admin()?;
    if new.password_hash.is_some() && !access.operator {
        return Err(ApiError::invalid(
            "password",
            "only an operator may set someone's password; leave it out and the invitation lets them choose their own",
        ));
    }
    let site_id = access.site.id;
    let user = match users::by_email(conn, &new.email)? {
        Some(existing) => {
            if users::membership_any(conn, site_id, existing.id)?.is_some() {
                return Err(already_member(&new.email));
            }
            if new.password_hash.is_some() {
                return Err(keeps_own_password());
            }
            existing
        }
        None => new_account(conn, &new, now)?,
    };
    let invited = new.password_hash.is_none().then_some(Invited {
        name: &new.name,
        language: new.language,
    });
    let joins_now = invited.is_none();
    users::insert_membership(conn, site_id, user.id, new.roles, new.senior, now, invited)?;
    users::set_skills(conn, site_id, user.id, &new.skills)?;
    if !joins_now {
        let (token, expires) = invite(conn, site_id, user.id, now)?;
        notifier.invitation(conn, &user, &access.site, &token, expires, now)?;
    }
    member(conn, site_id, user.id)
}

/// The site's members in id order, a page at a time (staff and admins).
pub fn list(
    conn: &mut DbConn,
    access: &SiteAccess,
    after_id: i64,
    limit: i64,
) -> Result<Vec<Member>, ApiError> {
    access.require_staff_or_admin()?;
    let rows = users::members_and_invited(conn, access.site.id, after_id, limit)?;
    let ids: Vec<i64> = rows.iter().map(|(u, _)| u.id).collect();
    let mut skills: HashMap<i64, Vec<String>> = HashMap::new();
    for (id, skill) in users::skills_of(conn, access.site.id, &ids)? {
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

/// The roster the console manages, the invited included: the site
/// admin's (the members list of the API is open to staff too).
pub fn roster(conn: &mut DbConn, access: &SiteAccess, limit: i64) -> Result<Vec<Member>, ApiError> {
    access.require_admin()?;
    list(conn, access, 0, limit)
}

/// One member as the console edits them (the site admin's).
pub fn for_editing(conn: &mut DbConn, access: &SiteAccess, user_id: i64) -> Result<Member, ApiError> {
    access.require_admin()?;
    seen_by(conn, access, user_id)
}

/// Member `user_id` as the caller may see them: themselves, or anyone for
/// staff and admins.
pub fn seen_by(conn: &mut DbConn, access: &SiteAccess, user_id: i64) -> Result<Member, ApiError> {
    access.may_see_member(user_id)?;
    member(conn, access.site.id, user_id)
}

/// Member (or invited person) `user_id` of site `site_id`; anyone else is
/// "not found".
pub fn member(conn: &mut DbConn, site_id: i64, user_id: i64) -> Result<Member, ApiError> {
    let membership =
        users::membership_any(conn, site_id, user_id)?.ok_or_else(|| ApiError::not_found("member"))?;
    let user = users::by_id(conn, user_id)?.ok_or_else(|| ApiError::not_found("member"))?;
    let skills = users::skills(conn, site_id, user_id)?;
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
    // Only a joined admin counts: an invited one may never accept.
    let was_admin = current.is_admin && current.joined_at.is_some();
    if policy::leaves_no_admin(was_admin, stays_admin, || users::admin_count(conn, site_id))? {
        return Err(ApiError::conflict("A site must keep at least one admin.").with("rule", "last_admin"));
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
    let current =
        users::membership_any(conn, site_id, user_id)?.ok_or_else(|| ApiError::not_found("member"))?;
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
        users::set_skills(conn, site_id, user_id, &skills)?;
    }
    member(conn, site_id, user_id)
}

/// Removes member `user_id` from the site (site admin). Their account and
/// history stay; they simply no longer belong here. Their calendar-feed
/// link ends (a link made while a member would otherwise go on showing
/// what they were part of; a new one shows only their sites), and so
/// does any invitation to this site they have not used.
pub fn remove(
    conn: &mut DbConn,
    access: &SiteAccess,
    user_id: i64,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    access.require_admin()?;
    let current =
        users::membership_any(conn, access.site.id, user_id)?.ok_or_else(|| ApiError::not_found("member"))?;
    keep_an_admin(conn, access.site.id, &current, false)?;
    users::delete_membership(conn, access.site.id, user_id)?;
    sessions::end_invitations(conn, user_id, access.site.id, now)?;
    calendar_feed::revoke(conn, user_id, now)?;
    Ok(())
}
