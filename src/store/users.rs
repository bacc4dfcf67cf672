//! People, their memberships of sites and the skills they gave each site.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::{membership_skills, memberships, sites, users};
use crate::domain::person::{Language, Roles};
use crate::errors::ApiError;

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub password_hash: Option<String>,
    pub language: String,
    pub is_operator: bool,
    pub created_at: NaiveDateTime,
    pub password_changed_at: Option<NaiveDateTime>,
    pub mail_opt_out: String,
    /// The name in a second language, when she gives one ("Auntie Lin").
    pub other_name: Option<String>,
    /// A district observer reads every site's reports and boards and
    /// changes nothing.
    pub is_observer: bool,
}

impl User {
    pub fn language(&self) -> Language {
        Language::from_code(&self.language)
    }
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = memberships)]
pub struct Membership {
    pub site_id: i64,
    pub user_id: i64,
    pub is_admin: bool,
    pub is_staff: bool,
    pub is_volunteer: bool,
    pub is_group_leader: bool,
    pub senior: bool,
    pub created_at: NaiveDateTime,
    /// A cap on desk shifts per week (part-timers, other duties).
    pub max_shifts_per_week: Option<i32>,
    /// When the person accepted; until then the membership is an
    /// invitation and every query below except the `_any` ones skips it.
    pub joined_at: Option<NaiveDateTime>,
    /// The name and language the site's admin typed, shown until the
    /// person joins: the site sees nothing of the account before that.
    pub invited_name: Option<String>,
    pub invited_language: Option<String>,
}

impl Membership {
    pub fn roles(&self) -> Roles {
        Roles {
            admin: self.is_admin,
            staff: self.is_staff,
            volunteer: self.is_volunteer,
            group_leader: self.is_group_leader,
        }
    }
}

/// What is needed to create an account.
pub struct NewUser<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub other_name: Option<&'a str>,
    pub password_hash: Option<&'a str>,
    pub language: Language,
    pub is_operator: bool,
}

pub fn insert(conn: &mut DbConn, new: &NewUser<'_>, now: NaiveDateTime) -> Result<User, ApiError> {
    diesel::insert_into(users::table)
        .values((
            users::email.eq(new.email),
            users::name.eq(new.name),
            users::other_name.eq(new.other_name),
            users::password_hash.eq(new.password_hash),
            users::language.eq(new.language.code()),
            users::is_operator.eq(new.is_operator),
            users::created_at.eq(now),
            users::password_changed_at.eq(new.password_hash.map(|_| now)),
        ))
        .execute(conn)?;
    by_email(conn, new.email)?
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("user vanished after insert")))
}

pub fn by_email(conn: &mut DbConn, email: &str) -> Result<Option<User>, ApiError> {
    Ok(users::table
        .filter(users::email.eq(email))
        .select(User::as_select())
        .first(conn)
        .optional()?)
}

pub fn by_id(conn: &mut DbConn, id: i64) -> Result<Option<User>, ApiError> {
    Ok(users::table
        .find(id)
        .select(User::as_select())
        .first(conn)
        .optional()?)
}

pub fn set_password(conn: &mut DbConn, user_id: i64, hash: &str, now: NaiveDateTime) -> Result<(), ApiError> {
    diesel::update(users::table.find(user_id))
        .set((
            users::password_hash.eq(Some(hash)),
            users::password_changed_at.eq(Some(now)),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn set_mail_opt_out(conn: &mut DbConn, user_id: i64, kinds: &str) -> Result<(), ApiError> {
    diesel::update(users::table.find(user_id))
        .set(users::mail_opt_out.eq(kinds))
        .execute(conn)?;
    Ok(())
}

pub fn set_language(conn: &mut DbConn, user_id: i64, language: Language) -> Result<(), ApiError> {
    diesel::update(users::table.find(user_id))
        .set(users::language.eq(language.code()))
        .execute(conn)?;
    Ok(())
}

/// Her name as she gives it, and the second-language one (`None` clears it).
pub fn set_names(
    conn: &mut DbConn,
    user_id: i64,
    name: &str,
    other_name: Option<&str>,
) -> Result<(), ApiError> {
    diesel::update(users::table.find(user_id))
        .set((users::name.eq(name), users::other_name.eq(other_name)))
        .execute(conn)?;
    Ok(())
}

/// Makes an account a district observer, or an ordinary one again.
pub fn set_observer(conn: &mut DbConn, user_id: i64, observer: bool) -> Result<usize, ApiError> {
    Ok(diesel::update(users::table.find(user_id))
        .set(users::is_observer.eq(observer))
        .execute(conn)?)
}

pub fn make_operator(conn: &mut DbConn, user_id: i64) -> Result<(), ApiError> {
    diesel::update(users::table.find(user_id))
        .set(users::is_operator.eq(true))
        .execute(conn)?;
    Ok(())
}

/// The skills `user_id` gave site `site_id`.
pub fn skills(conn: &mut DbConn, site_id: i64, user_id: i64) -> Result<Vec<String>, ApiError> {
    Ok(membership_skills::table
        .filter(membership_skills::site_id.eq(site_id))
        .filter(membership_skills::user_id.eq(user_id))
        .order(membership_skills::skill)
        .select(membership_skills::skill)
        .load(conn)?)
}

/// Skills of many members of one site at once, as `(user_id, skill)` pairs.
pub fn skills_of(conn: &mut DbConn, site_id: i64, user_ids: &[i64]) -> Result<Vec<(i64, String)>, ApiError> {
    Ok(membership_skills::table
        .filter(membership_skills::site_id.eq(site_id))
        .filter(membership_skills::user_id.eq_any(user_ids))
        .order((membership_skills::user_id, membership_skills::skill))
        .select((membership_skills::user_id, membership_skills::skill))
        .load(conn)?)
}

/// Every skill a person gave any of their sites, once each: what they see
/// of themselves.
pub fn own_skills(conn: &mut DbConn, user_id: i64) -> Result<Vec<String>, ApiError> {
    Ok(membership_skills::table
        .filter(membership_skills::user_id.eq(user_id))
        .order(membership_skills::skill)
        .select(membership_skills::skill)
        .distinct()
        .load(conn)?)
}

/// Replaces the skills of `user_id`'s membership of `site_id`; other
/// sites keep theirs.
pub fn set_skills(conn: &mut DbConn, site_id: i64, user_id: i64, skills: &[String]) -> Result<(), ApiError> {
    diesel::delete(
        membership_skills::table
            .filter(membership_skills::site_id.eq(site_id))
            .filter(membership_skills::user_id.eq(user_id)),
    )
    .execute(conn)?;
    let mut seen: Vec<&String> = Vec::new();
    for skill in skills {
        if seen.contains(&skill) {
            continue;
        }
        seen.push(skill);
        diesel::insert_into(membership_skills::table)
            .values((
                membership_skills::site_id.eq(site_id),
                membership_skills::user_id.eq(user_id),
                membership_skills::skill.eq(skill),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// `user_id`'s membership of `site_id`, once they have joined.
pub fn membership(conn: &mut DbConn, site_id: i64, user_id: i64) -> Result<Option<Membership>, ApiError> {
    Ok(membership_any(conn, site_id, user_id)?.filter(|m| m.joined_at.is_some()))
}

/// `user_id`'s membership of `site_id`, joined or still an invitation: for
/// the members API, where the site's admin manages both alike.
pub fn membership_any(conn: &mut DbConn, site_id: i64, user_id: i64) -> Result<Option<Membership>, ApiError> {
    Ok(memberships::table
        .find((site_id, user_id))
        .select(Membership::as_select())
        .first(conn)
        .optional()?)
}

/// What a site admin typed when inviting someone, kept on the membership.
pub struct Invited<'a> {
    pub name: &'a str,
    pub language: Language,
}

/// Marks an invited membership joined; a joined one stays as it is.
pub fn join(conn: &mut DbConn, site_id: i64, user_id: i64, now: NaiveDateTime) -> Result<(), ApiError> {
    diesel::update(
        memberships::table
            .find((site_id, user_id))
            .filter(memberships::joined_at.is_null()),
    )
    .set(memberships::joined_at.eq(Some(now)))
    .execute(conn)?;
    Ok(())
}

pub fn insert_membership(
    conn: &mut DbConn,
    site_id: i64,
    user_id: i64,
    roles: Roles,
    senior: bool,
    now: NaiveDateTime,
    invited: Option<Invited<'_>>,
) -> Result<Membership, ApiError> {
    // `None`: joined at once (seeding, or an operator who set a password).
    let joined_at = invited.is_none().then_some(now);
    let (invited_name, invited_language) = match &invited {
        Some(i) => (Some(i.name), Some(i.language.code())),
        None => (None, None),
    };
    diesel::insert_into(memberships::table)
        .values((
            memberships::site_id.eq(site_id),
            memberships::user_id.eq(user_id),
            memberships::is_admin.eq(roles.admin),
            memberships::is_staff.eq(roles.staff),
            memberships::is_volunteer.eq(roles.volunteer),
            memberships::is_group_leader.eq(roles.group_leader),
            memberships::senior.eq(senior),
            memberships::created_at.eq(now),
            memberships::joined_at.eq(joined_at),
            memberships::invited_name.eq(invited_name),
            memberships::invited_language.eq(invited_language),
        ))
        .execute(conn)?;
    membership_any(conn, site_id, user_id)?
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("membership vanished after insert")))
}

pub fn update_membership(
    conn: &mut DbConn,
    site_id: i64,
    user_id: i64,
    roles: Roles,
    senior: bool,
) -> Result<(), ApiError> {
    diesel::update(memberships::table.find((site_id, user_id)))
        .set((
            memberships::is_admin.eq(roles.admin),
            memberships::is_staff.eq(roles.staff),
            memberships::is_volunteer.eq(roles.volunteer),
            memberships::is_group_leader.eq(roles.group_leader),
            memberships::senior.eq(senior),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn set_max_shifts(
    conn: &mut DbConn,
    site_id: i64,
    user_id: i64,
    limit: Option<i32>,
) -> Result<(), ApiError> {
    diesel::update(memberships::table.find((site_id, user_id)))
        .set(memberships::max_shifts_per_week.eq(limit))
        .execute(conn)?;
    Ok(())
}

pub fn delete_membership(conn: &mut DbConn, site_id: i64, user_id: i64) -> Result<bool, ApiError> {
    diesel::delete(
        membership_skills::table
            .filter(membership_skills::site_id.eq(site_id))
            .filter(membership_skills::user_id.eq(user_id)),
    )
    .execute(conn)?;
    let n = diesel::delete(memberships::table.find((site_id, user_id))).execute(conn)?;
    Ok(n > 0)
}

/// How many admins a site has; a site must keep at least one.
pub fn admin_count(conn: &mut DbConn, site_id: i64) -> Result<i64, ApiError> {
    Ok(memberships::table
        .filter(memberships::site_id.eq(site_id))
        .filter(memberships::is_admin.eq(true))
        .filter(memberships::joined_at.is_not_null())
        .count()
        .get_result(conn)?)
}

/// A user's memberships with the site's slug and name, in site order.
pub fn memberships_of(
    conn: &mut DbConn,
    user_id: i64,
) -> Result<Vec<(String, String, Membership)>, ApiError> {
    Ok(memberships::table
        .inner_join(sites::table)
        .filter(memberships::user_id.eq(user_id))
        .filter(memberships::joined_at.is_not_null())
        .order(sites::id)
        .select((sites::slug, sites::name, Membership::as_select()))
        .load(conn)?)
}

/// A site's members who have joined, in user-id order, for paging.
pub fn members_of_site(
    conn: &mut DbConn,
    site_id: i64,
    after_user_id: i64,
    limit: i64,
) -> Result<Vec<(User, Membership)>, ApiError> {
    site_people(conn, site_id, after_user_id, limit, true)
}

/// A site's members and the people invited to it, in user-id order.
pub fn members_and_invited(
    conn: &mut DbConn,
    site_id: i64,
    after_user_id: i64,
    limit: i64,
) -> Result<Vec<(User, Membership)>, ApiError> {
    site_people(conn, site_id, after_user_id, limit, false)
}

fn site_people(
    conn: &mut DbConn,
    site_id: i64,
    after_user_id: i64,
    limit: i64,
    joined_only: bool,
) -> Result<Vec<(User, Membership)>, ApiError> {
    let mut query = memberships::table
        .inner_join(users::table)
        .filter(memberships::site_id.eq(site_id))
        .filter(memberships::user_id.gt(after_user_id))
        .order(memberships::user_id)
        .limit(limit)
        .select((User::as_select(), Membership::as_select()))
        .into_boxed();
    if joined_only {
        query = query.filter(memberships::joined_at.is_not_null());
    }
    Ok(query.load(conn)?)
}
